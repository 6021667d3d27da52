#!/usr/bin/env bash
# Into a data stream, the shape of sluice's default index (logs-syslog-default).
# On Elasticsearch the built-in "logs" template makes any logs-*-* name a data
# stream by itself (the test node has a stand-in for x-pack's); OpenSearch has
# no such template, so the scenario puts one first, as an OpenSearch user must.
# Every message lands once in a .ds- backing index (op_type create, the only op
# a data stream takes); with op_type index every record is refused with the
# cluster's reason, logged and counted, and nothing is added.
. "$(dirname "$0")/lib.sh"
N=50
DS="logs-sluiceit-$(date +%s%N | tail -c 9)"
if [ "$SLUICE_PRODUCT" = opensearch ]; then
    out=$(os PUT /_index_template/sluiceit-logs \
        '{"index_patterns":["logs-sluiceit-*"],"data_stream":{},"priority":100}')
    grep -q '"acknowledged":true' <<<"$out" || fail "cannot put the index template: $out"
else
    os GET /_index_template/logs >"$T/get.json"; grep -q '"logs-\*-\*"' "$T/get.json" || fail "the node has no logs-*-* template"
fi

es_config "$T/sluice.yaml" "$DS"
start_sluice "$T/sluice.yaml"
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog dstest
assert_eq "$(wait_count "$DS" "$N" 60)" "$N" "documents in the data stream"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"
backing=$(curl -sS -G "$OS_URL/$DS/_search" --data-urlencode size=1 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"]["hits"][0]["_index"])')
[[ $backing == .ds-"$DS"-* ]] || fail "documents are in '$backing', not in a backing index of $DS"
note "ok: backing index $backing"

# op_type index: refused per item (400), never retried, the stream unchanged.
sed -i "s/^    index: $DS\$/&\n    op_type: index/" "$T/sluice.yaml"
grep -q '^    op_type: index$' "$T/sluice.yaml" || fail "config edit failed"
: >"$T/sluice.log"
start_sluice "$T/sluice.yaml"
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count 5 --prog dstest
for i in $(seq 1 100); do grep -q "only write ops with an op_type of create" "$T/sluice.log" && break; sleep 0.1; done
grep -q "only write ops with an op_type of create" "$T/sluice.log" || fail "the cluster's reason is not logged"
note "ok: reason logged"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status with op_type index"
grep -E 'sink=os .*rejected=5 ' "$T/sluice.log" >/dev/null ||
    fail "rejected items not counted: $(grep 'sink=os' "$T/sluice.log" | tail -1)"
note "ok: 5 rejected items counted"
assert_eq "$(count "$DS")" "$N" "documents after the refused ones"
