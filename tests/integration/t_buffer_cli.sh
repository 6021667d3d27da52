#!/usr/bin/env bash
# sluice buffer status|check|export: on a live spool, status names the pid
# holding it and check finds it clean; on a copy with a flipped byte in its
# first segment and a torn tail on its last, check exits 1 naming both
# segments, export skips exactly the two damaged records, and sluice run on
# that copy recovers and delivers every other record to the index. That part
# writes plain segments (compress: none) so that a byte offset names a record.
# The second part uses the default, compress: lz4: status gives the ratio;
# a flipped byte inside a frame costs that frame's records only (check,
# export and the recovery run agree on the count), and a frame cut short at
# the end is cut.
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
  compress: none
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

# ---- compress: lz4 (the default) ----
IDX2=$(new_index bufcli-lz4)
SPOOL2=$T/spool-lz4
COPY2=$T/copy-lz4
es_config "$T/lz4.yaml" "$IDX2"
sed -i "s#hosts: \[.*\]#hosts: [http://127.0.0.1:$(dead_port)]#" "$T/lz4.yaml"
cat >>"$T/lz4.yaml" <<EOC
buffer:
  path: $SPOOL2
EOC
start_sluice "$T/lz4.yaml" --stop-timeout 1s
# Three bursts, each waited for: at least three frames (a batch is a frame).
for i in 1 2 3; do
    python3 "$IT_DIR/send.py" --port "$(port tcp)" --count 400 --prog bufcli
    wait_spool "$SPOOL2" $((i * 400)) 30 >/dev/null
done
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status at stop (lz4)"
assert_eq "$(spool_status "$SPOOL2" records)" 1200 "records in the lz4 spool"
assert_eq "$(spool_status "$SPOOL2" lz4_segments)" "$(spool_status "$SPOOL2" segments)" "every segment framed"
out=$("$SLUICE" buffer status --path "$SPOOL2")
grep -Eq "^segments: [0-9]+ \([0-9]+ lz4\), .* of records uncompressed \([0-9.]+x\)" <<<"$out" ||
    fail "status does not show the lz4 segments and the ratio: $out"
ratio=$("$SLUICE" buffer status --path "$SPOOL2" --format json | python3 -c 'import json,sys
v=json.load(sys.stdin); print(round(v["content_bytes"] / v["bytes"], 1))')
python3 -c "import sys; sys.exit(0 if $ratio >= 2 else 1)" || fail "lz4 ratio $ratio < 2"
note "ok: status: lz4 segments, records $ratio times the bytes on disk"

# Damage a copy: a byte in the middle of the second frame's payload, and the
# last 10 bytes of the segment (its last frame cut short).
cp -a "$SPOOL2" "$COPY2"
seg=$(for f in "$COPY2"/*.seg; do [ "$(stat -c %s "$f")" -gt 32 ] && echo "$f"; done | head -n1)
lost=$(python3 - "$seg" <<'EOF2'
import struct, sys, zlib
# Frames: 24-byte header (magic, check, clen, rlen, roff), then clen bytes.
data = open(sys.argv[1], "rb").read()
at, frames = 32, []
while at + 24 <= len(data):
    magic, check, clen, rlen, roff = struct.unpack_from("<IIIIQ", data, at)
    assert magic == 0x315a4c53, "not a frame at %d" % at
    frames.append((at, clen)); at += 24 + clen
assert len(frames) >= 3, "want three frames or more, have %d" % len(frames)
at, clen = frames[1]
with open(sys.argv[1], "r+b") as f:
    f.seek(at + 24 + clen // 2); b = f.read(1); f.seek(-1, 1); f.write(bytes([b[0] ^ 0x5a]))
print(len(frames))
EOF2
) || fail "cannot damage the lz4 copy"
truncate -s -10 "$seg"
set +e; "$SLUICE" buffer check --path "$COPY2" >"$T/check2.out" 2>&1; st=$?; set -e
sed 's/^/    /' "$T/check2.out"
assert_eq "$st" 1 "check exit status on a damaged lz4 spool"
grep -q "^$(basename "$seg") .*damaged: 1 region.*torn tail: .* recovery cuts them" "$T/check2.out" ||
    fail "check does not name the damaged frame and the torn tail of $(basename "$seg")"
set +e; "$SLUICE" buffer export --path "$COPY2" >"$T/export2.ndjson" 2>"$T/export2.err"; st=$?; set -e
assert_eq "$st" 1 "export exit status (lz4, damaged)"
kept=$(wc -l <"$T/export2.ndjson")
[ "$kept" -gt 0 ] && [ "$kept" -lt 1200 ] || fail "export of the damaged lz4 copy kept $kept of 1200"
note "ok: a damaged frame and a cut one: export keeps $kept of 1200 records ($lost frames)"
out=$("$SLUICE" replay --dry-run --path "$COPY2")
assert_eq "$(kv "$out" records)" "$kept" "replay --dry-run on the damaged lz4 copy: records"
sed "s#path: $SPOOL2#path: $COPY2#" "$T/lz4.yaml" >"$T/recover2.yaml"
sed -i "s#hosts: \[.*\]#hosts: [$OS_URL]#" "$T/recover2.yaml"
start_sluice "$T/recover2.yaml"
assert_eq "$(wait_count "$IDX2" "$kept" 60)" "$kept" "documents delivered from the recovered lz4 copy"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status after the lz4 recovery run"
assert_eq "$(count "$IDX2")" "$kept" "documents after stop (lz4; no duplicates)"
