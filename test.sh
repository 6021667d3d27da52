#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the unit suites
# (make check) and the integration scenarios against a real OpenSearch node
# and Debian's rsyslog. Prints "N passed, M failed" last.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh test
scripts/build.sh
status=0
echo "== unit tests (make check)"
if ! make -C build check -j"$(nproc)" >build/check.log 2>&1; then
    status=1
fi
grep -E '^(PASS|FAIL|ERROR|XFAIL|XPASS|SKIP):' build/check.log || true
for f in build/tests/unit/*.log build/scripts/*.log; do
    [ -f "$f" ] || continue
    if grep -qE '^(FAIL|ERROR)' "${f%.log}.trs" 2>/dev/null; then
        echo "---- $f"; tail -n 60 "$f"
    fi
done
unit_pass=$(grep -cE '^PASS:' build/check.log || true)
unit_fail=$(grep -cE '^(FAIL|ERROR):' build/check.log || true)
echo "== integration tests"
if ! tests/integration/run-all.sh; then
    status=1
fi
it_pass=$(cat build/it-pass 2>/dev/null || echo 0)
it_fail=$(cat build/it-fail 2>/dev/null || echo 1)
echo
echo "unit programs: $unit_pass passed, $unit_fail failed; integration: $it_pass passed, $it_fail failed"
echo "$((unit_pass + it_pass)) passed, $((unit_fail + it_fail)) failed"
exit $status
