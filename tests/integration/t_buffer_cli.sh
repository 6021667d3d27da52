#!/usr/bin/env bash
# sluice buffer status|check|export: on a live spool, status names the pid
# holding it and check finds it clean; on a copy with a flipped byte in its
# first segment and a torn tail on its last, check exits 1 naming both
# segments, export skips exactly the two damaged records, and sluice run on
# that copy recovers and delivers every other record to the index.
. "$(dirname "$0")/lib.sh"
N=1000
IDX=$(new_index bufcli)
SPOOL=$T/spool
COPY=$T/copy

es_config "$T/fill.yaml" "$IDX"
sed -i "s#hosts: \[.*\]#hosts: [http://127.0.0.1:$(dead_port)]#" "$T/fill.yaml"
cat >>"$T/fill.yaml" <<EOC
buffer:
  path: $SPOOL
  segment_size: 64KiB
EOC
start_sluice "$T/fill.yaml" --stop-timeout 1s
# Two bursts: the second lands in a new segment (the first is past 64 KiB).
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count $((N / 2)) --prog bufcli
assert_eq "$(wait_spool "$SPOOL" $((N / 2)) 30)" $((N / 2)) "records in the spool after a first burst"
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count $((N / 2)) --prog bufcli
assert_eq "$(wait_spool "$SPOOL" "$N" 30)" "$N" "records in the spool"

# Live: read-only, no lock taken, the holder named.
out=$("$SLUICE" buffer status --path "$SPOOL")
grep -q "in use: by sluice pid $SLUICE_PID" <<<"$out" || fail "status does not name the lock holder: $out"
note "ok: status names the lock holder pid $SLUICE_PID"
assert_eq "$(spool_status "$SPOOL" lock_pid)" "$SLUICE_PID" "status --format json: lock_pid"
set +e; "$SLUICE" buffer check -c "$T/fill.yaml" >"$T/check0.out"; st=$?; set -e
assert_eq "$st" 0 "check of the live, undamaged spool"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status at stop"
assert_eq "$(spool_status "$SPOOL" lock_pid)" "" "status --format json after the stop: lock_pid"
segs=$(spool_status "$SPOOL" segments)
[ "$segs" -ge 2 ] || fail "expected two segments or more, got $segs"
note "ok: segments = $segs"

# Damage a copy: one byte inside the first record's document, and the last
# 10 bytes of the last non-empty segment (a write cut short).
cp -a "$SPOOL" "$COPY"
segs=("$COPY"/*.seg); first=${segs[0]}
last=$(for f in "$COPY"/*.seg; do [ "$(stat -c %s "$f")" -gt 32 ] && echo "$f"; done | tail -n1)
[ "$first" != "$last" ] || fail "one segment holds everything"
python3 - "$first" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(32 + 54 + 20)          # segment header, record header, into the document
    b = f.read(1); f.seek(-1, 1); f.write(bytes([b[0] ^ 0x5a]))
EOF
truncate -s -10 "$last"

set +e; "$SLUICE" buffer check --path "$COPY" >"$T/check.out" 2>&1; st=$?; set -e
sed 's/^/    /' "$T/check.out"
assert_eq "$st" 1 "check exit status on a damaged spool"
grep -q "^$(basename "$first") .*damaged: 1 region" "$T/check.out" || fail "check does not name $(basename "$first") as damaged"
grep -q "^$(basename "$last") .*torn tail: .* recovery cuts them" "$T/check.out" || fail "check does not name $(basename "$last")'s torn tail"
note "ok: check names both segments"

set +e; "$SLUICE" buffer export --path "$COPY" >"$T/export.ndjson" 2>"$T/export.err"; st=$?; set -e
assert_eq "$st" 1 "export exit status with damaged regions skipped"
assert_eq "$(wc -l <"$T/export.ndjson")" "$((N - 2))" "records exported"
grep -q "damaged_skipped=2" "$T/export.err" || fail "export does not count the skipped regions: $(cat "$T/export.err")"
seqs=$(python3 -c 'import json,sys
s=set(json.loads(l)["seq"] for l in open(sys.argv[1]))
print(",".join(str(i) for i in range(1, int(sys.argv[2]) + 1) if i not in s))' "$T/export.ndjson" "$N")
assert_eq "$seqs" "1,$N" "sequence numbers missing from the export (the flipped and the torn record)"
python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d = json.loads(l); assert len(d["_id"]) == 22 and d["_index"] is None and d["time"].endswith("Z")
    assert d["doc"]["log"]["syslog"]["appname"] == "bufcli"' "$T/export.ndjson" || fail "an exported line is not as documented"
note "ok: every exported line has _id, _index null, seq, time, doc"

out=$("$SLUICE" replay --dry-run --path "$COPY")
assert_eq "$(kv "$out" records)" "$((N - 2))" "replay --dry-run on the damaged copy: records"
assert_eq "$(kv "$out" damaged_skipped)" 2 "replay --dry-run on the damaged copy: damaged regions"

out=$("$SLUICE" buffer status --path "$COPY")
grep -q "damaged: regions=1 " <<<"$out" || fail "status does not report the damage: $out"
grep -q "in use: no" <<<"$out" || fail "status of a copy says it is in use"
note "ok: status reports the damage"

# The next good run: sluice recovers the copy (cuts the tail, keeps the first
# segment aside) and delivers every valid record.
sed "s#path: $SPOOL#path: $COPY#" "$T/fill.yaml" >"$T/recover.yaml"
sed -i "s#hosts: \[.*\]#hosts: [$OS_URL]#" "$T/recover.yaml"
start_sluice "$T/recover.yaml"
assert_eq "$(wait_count "$IDX" $((N - 2)) 60)" "$((N - 2))" "documents delivered from the recovered copy"
grep -q "damaged regions=1" "$T/sluice.log" || fail "the recovery did not report the damaged region"
out=$("$SLUICE" buffer status --path "$COPY")
grep -q "kept aside in corrupt/: 1 files: $(basename "$first")" <<<"$out" || fail "status does not list corrupt/: $out"
note "ok: status lists the segment kept aside"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status after the recovery run"
assert_eq "$(count "$IDX")" "$((N - 2))" "documents after stop (no duplicates)"
backlog=$("$SLUICE" buffer status --path "$COPY" --format json | python3 -c 'import json,sys
print([r["backlog_records"] for r in json.load(sys.stdin)["readers"] if r["name"] == "os"][0])')
assert_eq "$backlog" 0 "backlog of sink os after delivery"
