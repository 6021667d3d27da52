#!/usr/bin/env bash
# Per-item failures from the real node (a mapping conflict) are counted and
# logged with the reason, and written to the dead-letter file with the
# document; they do not hold up the documents that can be indexed.
. "$(dirname "$0")/lib.sh"
IDX=$(new_index items)
# `message` mapped as a number: text messages are rejected with a 400 per item.
os PUT "/$IDX" '{"mappings":{"properties":{"message":{"type":"long"}}}}' >/dev/null
es_config "$T/sluice.yaml" "$IDX"
# The sink gets a dead-letter file (es_config's sink is the last block before log:).
sed -i "s|^    batch: { max_docs: 1000, max_wait: 200ms }|&\n    dead_letter: $T/dead.ndjson|" "$T/sluice.yaml"
grep -q "dead_letter: $T/dead.ndjson" "$T/sluice.yaml" || fail "could not add dead_letter to the config"
start_sluice "$T/sluice.yaml"
TCP=$(port tcp)
python3 "$IT_DIR/send.py" --port "$TCP" --count 5 --prog words --tag "not-a-number"
printf '<13>Nov 23 10:00:00 h numbers: 12345\n<13>Nov 23 10:00:00 h numbers: 678\n' >"$T/n.txt"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/n.txt"
c=$(wait_count "$IDX" 2 60)
assert_eq "$c" 2 "documents that fit the mapping"
for i in $(seq 1 100); do grep -q "rejected" "$T/sluice.log" && break; sleep 0.1; done
grep -i -m3 "rejected" "$T/sluice.log" | sed 's/^/    /'
grep -qi "mapper_parsing_exception\|document_parsing_exception" "$T/sluice.log" || fail "the reason is not logged"
note "ok: reason logged"
stop_sluice; st=$SLUICE_STATUS
grep -E 'sink=os .*rejected=5' "$T/sluice.log" >/dev/null || fail "rejected items not counted: $(grep 'sink=os' "$T/sluice.log" | tail -1)"
note "ok: 5 rejected items counted"
assert_eq "$(count "$IDX")" 2 "documents after stop"
# Every rejected record is in the dead-letter file, whole, with the reason.
assert_eq "$(wc -l <"$T/dead.ndjson")" 5 "lines in the dead-letter file"
python3 - "$T/dead.ndjson" "$IDX" <<'EOP' || fail "dead-letter lines are not what they should be"
import json, sys
ids = set()
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert d["sink"] == "os", d
    assert d["index"] == sys.argv[2], d
    assert d["status"] == 400, d
    assert d["error"]["type"] in ("mapper_parsing_exception", "document_parsing_exception"), d
    assert "message" in d["error"]["reason"] or d["error"]["reason"], d
    assert d["document"]["message"].startswith("not-a-number"), d
    assert len(d["_id"]) == 22, d
    ids.add(d["_id"])
assert len(ids) == 5, ids
EOP
note "ok: 5 dead-letter lines with index, _id, status 400, the error and the document"
grep -E 'sink=os .*dead_lettered=5' "$T/sluice.log" >/dev/null || fail "dead_lettered not counted: $(grep 'sink=os' "$T/sluice.log" | tail -1)"
note "ok: dead_lettered=5 in the stats"
