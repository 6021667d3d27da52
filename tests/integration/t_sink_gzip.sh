#!/usr/bin/env bash
# gzip: true against the real node: the bulk body goes compressed
# (Content-Encoding: gzip) and the answer comes back compressed (OpenSearch
# with a Content-Length, Elasticsearch chunked); per-item verdicts read the
# same: documents that do not fit the mapping are rejected and counted, the
# others indexed once.
. "$(dirname "$0")/lib.sh"
N=300
IDX=$(new_index gzip)
os PUT "/$IDX" '{"mappings":{"properties":{"message":{"type":"long"}}}}' >/dev/null
es_config "$T/sluice.yaml" "$IDX"
sed -i "s/^    index: $IDX\$/&\n    gzip: true/" "$T/sluice.yaml"
grep -q '^    gzip: true$' "$T/sluice.yaml" || fail "config edit failed"
start_sluice "$T/sluice.yaml"
TCP=$(port tcp)
python3 "$IT_DIR/send.py" --port "$TCP" --count 5 --prog words --tag "not-a-number"
for i in $(seq 1 "$N"); do printf '<13>Nov 23 10:00:00 h numbers: %d\n' "$i"; done >"$T/n.txt"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/n.txt"
assert_eq "$(wait_count "$IDX" "$N" 60)" "$N" "documents that fit the mapping"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"
line=$(grep 'sink=os' "$T/sluice.log" | grep 'confirmed=' | tail -1)
assert_eq "$(kv "$line" confirmed)" "$N" "confirmed in the last stats line"
assert_eq "$(kv "$line" rejected)" 5 "rejected in the last stats line"
assert_eq "$(count "$IDX")" "$N" "documents after stop"
