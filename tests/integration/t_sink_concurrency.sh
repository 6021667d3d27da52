#!/usr/bin/env bash
# concurrency: 4 against a slow cluster: through the fault injector, which
# answers every _bulk 1 s late, four requests are open at once (never
# more), on four kept-alive connections; every message is indexed exactly
# once. The time taken (about a quarter of the serial time) is printed.
. "$(dirname "$0")/lib.sh"
N=2000
DELAY=1000
IDX=$(new_index conc)
python3 "$TOP/tests/faultproxy/faultproxy.py" --upstream "$OS_URL" --port-file "$T/proxy.port" \
    --delay-bulk "$DELAY" &
PIDS+=($!)
for i in $(seq 1 100); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
[ -s "$T/proxy.port" ] || fail "fault injector did not start"
PROXY="http://127.0.0.1:$(cat "$T/proxy.port")"
OS_URL_REAL=$OS_URL
OS_URL=$PROXY es_config "$T/sluice.yaml" "$IDX"
OS_URL=$OS_URL_REAL
sed -i -e "s/^    index: $IDX\$/&\n    concurrency: 4/" \
    -e 's/batch: { max_docs: 1000, max_wait: 200ms }/batch: { max_docs: 100, max_wait: 200ms }/' \
    "$T/sluice.yaml"
grep -q '^    concurrency: 4$' "$T/sluice.yaml" || fail "config edit failed"
grep -q 'max_docs: 100,' "$T/sluice.yaml" || fail "config edit failed"
start_sluice "$T/sluice.yaml"
t0=$(date +%s%N)
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog conc
c=$(wait_count "$IDX" "$N" 120)
took_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
assert_eq "$c" "$N" "documents through a slow cluster"
stats=$(cat "$T/proxy.port.stats")
note "fault injector: $stats; all indexed after ${took_ms} ms"
bulk=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["bulk"])' "$stats")
open_max=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["bulk_open_max"])' "$stats")
conns=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["connections"])' "$stats")
assert_eq "$open_max" 4 "most _bulk requests open at once"
[ "$bulk" -ge 20 ] || fail "expected at least 20 requests of 100, saw $bulk"
# How long it took is shown, not asserted (a loaded machine stretches it);
# the requests open at once above are what shows the concurrency.
serial_ms=$((bulk * DELAY))
note "${took_ms} ms for $bulk requests of ${DELAY} ms each (serial: ${serial_ms} ms)"
# Kept alive: a connection per slot (the stats line's GETs may add one).
[ "$conns" -le 6 ] || fail "connections not kept alive: $conns for $bulk requests"
stop_sluice; st=$SLUICE_STATUS
assert_eq "$st" 0 "exit status"
assert_eq "$(count "$IDX")" "$N" "documents after stop (none twice)"
line=$(grep 'sink=os' "$T/sluice.log" | grep 'confirmed=' | tail -1)
assert_eq "$(kv "$line" confirmed)" "$N" "confirmed in the last stats line"
assert_eq "$(kv "$line" duplicates)" 0 "duplicates in the last stats line"
