#!/usr/bin/env bash
# Installs what is missing, builds, and runs sluice on its embedded default
# config: syslog on 127.0.0.1:5514 (TCP and UDP), NDJSON to ./sluice-out.ndjson.
# Extra arguments go to `sluice run` (e.g. ./run.sh -c my.yaml).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh build
scripts/build.sh
exec build/sluice run "$@"
