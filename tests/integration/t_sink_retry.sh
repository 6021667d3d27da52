#!/usr/bin/env bash
# The bulk sink retries a failed request with backoff, and the fixed event IDs
# keep retries from adding documents: through a fault injector that answers
# the first 3 bulk requests with 503, then cuts 2 connections after the node
# took the documents, every message is indexed exactly once.
. "$(dirname "$0")/lib.sh"
N=3000
IDX=$(new_index retry)
python3 "$TOP/tests/faultproxy/faultproxy.py" --upstream "$OS_URL" --port-file "$T/proxy.port" \
    --fail-bulk 3 --cut-bulk 2 &
PIDS+=($!)
for i in $(seq 1 100); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
[ -s "$T/proxy.port" ] || fail "fault injector did not start"
PROXY="http://127.0.0.1:$(cat "$T/proxy.port")"
OS_URL_REAL=$OS_URL
OS_URL=$PROXY es_config "$T/sluice.yaml" "$IDX"
OS_URL=$OS_URL_REAL
start_sluice "$T/sluice.yaml"
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog retry
c=$(wait_count "$IDX" "$N" 120)
assert_eq "$c" "$N" "documents after 503s and cut connections"
stats=$(cat "$T/proxy.port.stats")
note "fault injector: $stats"
python3 -c 'import json,sys; s=json.loads(sys.argv[1]); sys.exit(0 if s["failed"]==3 and s["cut"]==2 else 1)' "$stats" ||
    fail "the fault injector did not inject everything: $stats"
grep -q "will retry" "$T/sluice.log" || fail "no retry logged"
note "ok: retry logged"
stop_sluice; st=$SLUICE_STATUS
assert_eq "$st" 0 "exit status"
assert_eq "$(count "$IDX")" "$N" "documents after stop (no late duplicates)"
