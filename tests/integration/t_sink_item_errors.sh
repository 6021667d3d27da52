#!/usr/bin/env bash
# Per-item failures from the real node (a mapping conflict) are counted and
# logged with the reason; they do not hold up the documents that can be indexed.
. "$(dirname "$0")/lib.sh"
IDX=$(new_index items)
# `message` mapped as a number: text messages are rejected with a 400 per item.
os PUT "/$IDX" '{"mappings":{"properties":{"message":{"type":"long"}}}}' >/dev/null
es_config "$T/sluice.yaml" "$IDX"
start_sluice "$T/sluice.yaml"
TCP=$(port tcp)
python3 "$IT_DIR/send.py" --port "$TCP" --count 5 --prog words --tag "not-a-number"
printf '<13>Nov 23 10:00:00 h numbers: 12345\n<13>Nov 23 10:00:00 h numbers: 678\n' >"$T/n.txt"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/n.txt"
c=$(wait_count "$IDX" 2 60)
assert_eq "$c" 2 "documents that fit the mapping"
for i in $(seq 1 100); do grep -q "rejected" "$T/sluice.log" && break; sleep 0.1; done
grep -i "rejected" "$T/sluice.log" | head -3 | sed 's/^/    /'
grep -qi "mapper_parsing_exception\|document_parsing_exception" "$T/sluice.log" || fail "the reason is not logged"
note "ok: reason logged"
stop_sluice; st=$SLUICE_STATUS
grep -E 'sink=os .*rejected=5' "$T/sluice.log" >/dev/null || fail "rejected items not counted: $(grep 'sink=os' "$T/sluice.log" | tail -1)"
note "ok: 5 rejected items counted"
assert_eq "$(count "$IDX")" 2 "documents after stop"
