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
for f in build/tests/unit/*.log build/tests/*.log build/scripts/*.log; do
    [ -f "$f" ] || continue
    if grep -qE '^(FAIL|ERROR)' "${f%.log}.trs" 2>/dev/null; then
        echo "---- $f"; tail -n 60 "$f"
    fi
done
# Count CUnit tests (each program's "tests  total ran passed failed inactive"
# summary row), plus one for each non-CUnit check that passed (its .trs; a
# failed one is counted by the FAIL: line below). Plain POSIX awk: Debian's
# default awk is mawk, which has no ENDFILE.
read -r unit_pass unit_fail < <(awk '
    $1 == "tests" && NF == 6 { pass += $4; fail += $5 }
    END { print pass + 0, fail + 0 }' build/tests/unit/*.log 2>/dev/null || echo "0 1")
for trs in build/scripts/check-deps.trs build/tests/grammar_samples.sh.trs; do
    if grep -q '^:test-result: PASS' "$trs" 2>/dev/null; then unit_pass=$((unit_pass + 1)); fi
done
# A program that crashed before its summary counts as a failure.
unit_fail=$((unit_fail + $(grep -cE '^(FAIL|ERROR):' build/check.log || true)))
echo "== integration tests"
if ! tests/integration/run-all.sh; then
    status=1
fi
it_pass=$(cat build/it-pass 2>/dev/null || echo 0)
it_fail=$(cat build/it-fail 2>/dev/null || echo 1)
echo
echo "unit tests: $unit_pass passed, $unit_fail failed; integration scenarios: $it_pass passed, $it_fail failed"
echo "$((unit_pass + it_pass)) passed, $((unit_fail + it_fail)) failed"
exit $status
