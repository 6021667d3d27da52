#!/usr/bin/env bash
# Bad input on the TCP and UDP listeners: a malformed (lying) octet count, an
# oversized message, binary garbage, and a connection dropped mid-frame. Each
# is counted and logged and changes nothing else: the next good message on the
# same listener is indexed, with its fields intact.
. "$(dirname "$0")/lib.sh"
IDX=$(new_index bad)
es_config "$T/sluice.yaml" "$IDX"
start_sluice "$T/sluice.yaml"
TCP=$(port tcp); UDP=$(port udp)
good() { python3 "$IT_DIR/send.py" --port "$TCP" --prog "$1" --tag "good-$1"; }
hex() { python3 -c 'import sys; sys.stdout.write(sys.argv[1].encode("latin-1").hex())' "$1"; }

# 1. An octet count that lies (too many digits, no space): framed as LF instead.
python3 "$IT_DIR/send.py" --port "$TCP" --raw "$(hex $'99999999999999<13>liar count\n')"
good after-lie
# 2. An oversized message: 100 KiB over TCP (max_msg 64 KiB) — truncated and tagged.
python3 -c 'import sys; sys.stdout.write("<13>Nov 23 10:00:00 big bigprog: " + "x"*102400 + "\n")' >"$T/big.txt"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/big.txt"
good after-big
# 3. Binary garbage, including NUL and invalid UTF-8.
python3 -c 'import sys; b=bytes(range(255,-1,-1)).replace(b"\n", b"")*12; sys.stdout.buffer.write(b+b"\n")' >"$T/garbage.bin"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/garbage.bin"
good after-garbage
# 4. A connection dropped mid-frame (no final LF, closed).
python3 "$IT_DIR/send.py" --port "$TCP" --raw "$(hex '<13>Nov 23 10:00:00 h halfprog: half a fra')"
good after-drop
# 5. UDP: garbage datagram then a good one.
python3 "$IT_DIR/send.py" --port "$UDP" --udp --raw fffe000167617262616765   # bytes ff fe 00 01 then 'garbage'
python3 "$IT_DIR/send.py" --port "$UDP" --udp --prog after-udp --tag good-after-udp

for p in after-lie after-big after-garbage after-drop after-udp; do
    c=$(wait_count "$IDX" 1 30 "process.name:\"$p\"")
    assert_eq "$c" 1 "good message after bad input ($p) indexed"
    d=$(search "$IDX" "process.name:\"$p\"" 1)
    assert_eq "$(field "$d" host.hostname)" testhost "$p host.hostname"
    assert_eq "$(field "$d" message)" "good-$p seq=0" "$p message"
done
# The bad ones are kept, tagged, not lost.
d=$(search "$IDX" "process.name:bigprog" 1)
[ -n "$d" ] || fail "the oversized message was not indexed"
tags=$(field "$d" tags)
case "$tags" in *truncated*) note "ok: oversized message tagged $tags" ;; *) fail "oversized message tags: $tags" ;; esac
len=$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["message"]))' "$d")
[ "$len" -le 65536 ] || fail "truncated message is $len bytes"
note "ok: truncated message length $len <= 65536"
d=$(search "$IDX" "process.name:halfprog" 1)
[ -n "$d" ] || fail "the half frame at close was not indexed"
case "$(field "$d" tags)" in *partial*) note "ok: half frame tagged" ;; *) fail "half frame tags: $(field "$d" tags)" ;; esac
d=$(search "$IDX" "tags:*bad_frame*" 1)
[ -n "$d" ] || fail "the lying octet count was not tagged"
note "ok: lying octet count tagged"
stop_sluice; st=$SLUICE_STATUS
assert_eq "$st" 0 "sluice exit status"
# Counted and logged: the final stats line names the truncated, partial and bad frames.
grep -E 'input=tcp .*truncated=1 .*partial=1 .*bad_frames=[1-9]' "$T/sluice.log" >/dev/null ||
    fail "final stats do not count the bad input: $(grep 'input=tcp' "$T/sluice.log" | tail -1)"
note "ok: bad input counted in the stats"
