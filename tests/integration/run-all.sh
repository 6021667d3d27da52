#!/usr/bin/env bash
# Runs every tests/integration/t_*.sh against one OpenSearch node started here.
# Writes the pass and fail counts to build/it-pass and build/it-fail.
set -uo pipefail
IT_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$IT_DIR/../.." && pwd)
NODE_DIR=$(mktemp -d /tmp/sluice-osnode.XXXXXX)
pass=0; failed=0; names=()
stop_node() { "$TOP/tests/cluster/node.sh" stop "$NODE_DIR" >/dev/null 2>&1 || true; rm -rf "$NODE_DIR"; }
trap stop_node EXIT
echo 0 >"$TOP/build/it-pass"; echo 1 >"$TOP/build/it-fail"
"$TOP/tests/cluster/node.sh" install || { echo "FAIL: cannot install the test node"; exit 1; }
OS_URL=$("$TOP/tests/cluster/node.sh" start "$NODE_DIR") || { echo "FAIL: the test node did not start"; exit 1; }
export OS_URL
echo "OpenSearch test node at $OS_URL"
for t in "$IT_DIR"/t_*.sh; do
    [ -n "${IT_ONLY:-}" ] && [[ $(basename "$t") != *${IT_ONLY}* ]] && continue
    name=$(basename "$t" .sh)
    echo "-- $name"
    start=$(date +%s)
    if timeout 600 bash "$t"; then
        echo "PASS: $name ($(( $(date +%s) - start )) s)"
        pass=$((pass + 1))
    else
        echo "FAIL: $name ($(( $(date +%s) - start )) s)"
        failed=$((failed + 1)); names+=("$name")
    fi
done
echo "$pass" >"$TOP/build/it-pass"; echo "$failed" >"$TOP/build/it-fail"
echo "integration: $pass passed, $failed failed ${names[*]+"${names[*]}"}"
[ "$failed" = 0 ]
