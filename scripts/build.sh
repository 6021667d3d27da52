#!/usr/bin/env bash
# Configures (once) and builds sluice out of tree in build/. Quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
    autoreconf -fi >/dev/null
fi
mkdir -p build
if [ ! -f build/Makefile ] || [ configure -nt build/Makefile ]; then
    (cd build && ../configure --quiet ${SLUICE_CONFIGURE_FLAGS:-})
fi
make -C build -j"$(nproc)" >/dev/null
echo "build: build/sluice ($(build/sluice version))"
