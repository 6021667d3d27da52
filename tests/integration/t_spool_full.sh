#!/usr/bin/env bash
# Issue 5 (c): the spool fills up while the sink is down (the fault injector
# refuses every request while $T/down exists):
#  1. on a 4 MiB tmpfs (the disk itself is full): no crash, a clear log line,
#     no damaged record on disk, TCP backpressure (the sender's writes stop
#     going through), and once the sink is back the backlog drains, the disk
#     gets its space back, inputs resume and every message is indexed once;
#  2. buffer.max_size (1 MiB) reached on an ordinary disk, when_full: block:
#     the same, by the spool's own bound;
#  3. max_size with when_full: drop_newest: the sender is never held up, the
#     dropped count equals sent - indexed, and what came first is kept.
# Part 1 needs root to mount a tmpfs; without it, it is skipped (said so).
# The spools here are plain (compress: none): these messages differ only in
# their numbers, LZ4 frames take them ~30 times smaller, and filling 4 MiB
# would take millions. The same paths with frames (ENOSPC cut back to the
# frame's start, max_size counted in frame bytes) are in test_spool's
# spool-lz4 suite.
. "$(dirname "$0")/lib.sh"
TAG="a message long enough to fill a small disk quickly $(printf 'y%.0s' $(seq 1 150))"
count_segs() { find "$1" -maxdepth 1 -name '*.seg*' | wc -l; }
spool_bytes() { find "$1" -maxdepth 1 -name '*.seg*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

start_proxy --down-file "$T/down"

# config FILE INDEX BUFFER_YAML
config() {
    cat >"$1" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
sinks:
  - type: elasticsearch
    name: os
    hosts: [$PROXY_URL]
    index: $2
    batch: { max_docs: 1000, max_wait: 200ms }
    retry: { initial: 50ms, max: 500ms }
queue:
  max_bytes: 1MiB
buffer:
$3
  compress: none
log:
  level: info
EOC
}

# send_bg PROG N: one TCP connection, seq-numbered; progress in $T/sent.PROG.
send_bg() {
    python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$2" --prog "$1" --tag "$TAG" \
        --progress "$T/sent.$1" --timeout 400 &
    SENDER=$!
    PIDS+=("$SENDER")
}
sent() { cut -d' ' -f"${2:-1}" "$T/sent.$1" 2>/dev/null || echo 0; }

# expect_stall PROG N: the sender hands nothing more to the kernel over a 2 s
# window while short of N, and sluice accepts nothing more either. (The
# window is what is measured; each try follows the pause logged before.)
expect_stall() {
    local i a b ma mb
    for i in $(seq 1 30); do
        a=$(sent "$1"); ma=$(stat_of input=tcp msgs)
        sleep 2
        b=$(sent "$1"); mb=$(stat_of input=tcp msgs)
        [ "$a" = "$b" ] && [ "$ma" = "$mb" ] && [ "$b" -lt "$2" ] && break
    done
    [ "$a" = "$b" ] && [ "$b" -lt "$2" ] || fail "$1: the sender was not held up ($a then $b of $2)"
    [ "$ma" = "$mb" ] || fail "$1: sluice still accepted messages ($ma then $mb)"
    kill -0 "$SENDER" 2>/dev/null || fail "$1: the sender ended while it should be held up"
    note "ok: backpressure: sender stalled at $b of $2 messages ($(sent "$1" 2) bytes handed to the kernel)," \
        "sluice accepted msgs=$mb bytes=$(stat_of input=tcp bytes)"
}

# drain_and_check PROG N INDEX: the sink comes back; the sender finishes,
# every seq 0..N-1 is indexed once. Sets DRAIN_MS.
drain_and_check() {
    local t0 t1 c res st i
    rm -f "$T/down"
    t0=$(date +%s%N)
    for i in $(seq 1 3000); do kill -0 "$SENDER" 2>/dev/null || break; sleep 0.1; done
    set +e; wait "$SENDER"; st=$?; set -e
    assert_eq "$st" 0 "$1: sender finished once the sink was back"
    c=$(wait_count "$3" "$2" 300)
    t1=$(date +%s%N)
    DRAIN_MS=$(( (t1 - t0) / 1000000 ))
    assert_eq "$c" "$2" "$1: documents"
    res=$(python3 "$IT_DIR/seqs.py" "$OS_URL" "$3")
    note "$1: seqs $res"
    assert_eq "$(field "$res" distinct)" "$2" "$1: distinct seqs"
    assert_eq "$(field "$res" dups)" 0 "$1: seqs indexed twice"
    assert_eq "$(field "$res" missing_below)" 0 "$1: seqs 0..N-1 missing"
    grep -q "inputs resumed" "$T/sluice.log" || fail "$1: inputs never resumed"
    grep -q "spool: spool has room again" "$T/sluice.log" || fail "$1: the spool never said it has room again"
}

# ---- 1. the disk itself is full ----
MNT=$T/fs
mkdir -p "$MNT"
if mount -t tmpfs -o size=4m tmpfs "$MNT" 2>"$T/mount.err"; then
    MOUNTS+=("$MNT")
    N=60000
    IDX=$(new_index full)
    touch "$T/down"
    # The default segment_size (64 MiB) is larger than this disk: the one
    # segment being written fills it (sealed early, deleted once confirmed).
    config "$T/full.yaml" "$IDX" "  path: $MNT/spool"
    start_sluice "$T/full.yaml" --stats-interval 200ms
    send_bg full "$N"
    wait_log "warn  spool: disk full, holding new records" 60
    note "ok: logged: $(grep -o -m1 'spool: disk full.*' "$T/sluice.log")"
    wait_log "pausing TCP inputs" 30
    expect_stall full "$N"
    kill -0 "$SLUICE_PID" 2>/dev/null || fail "sluice died on the full disk"
    note "full disk: $(df -k "$MNT" | awk 'NR == 2 { print $3 " kB used of " $2 }'), spool bytes=$(spool_bytes "$MNT/spool")" \
        "segments=$(stat_of spool segments) disk_full=$(stat_of spool disk_full) appended=$(stat_of spool appended)"
    [ "$(stat_of spool disk_full)" -ge 1 ] || fail "disk_full not counted"
    # Nothing half written on the full disk: every record checks.
    set +e; "$SLUICE" buffer check --path "$MNT/spool" >"$T/check.out" 2>&1; st=$?; set -e
    assert_eq "$st" 0 "buffer check of the spool on the full disk"
    drain_and_check full "$N" "$IDX"
    note "full disk: drained and all $N indexed in $DRAIN_MS ms after the sink came back"
    # Sealed and confirmed segments went; only the one being written is left.
    for i in $(seq 1 100); do [ "$(count_segs "$MNT/spool")" = 1 ] && break; sleep 0.1; done
    assert_eq "$(count_segs "$MNT/spool")" 1 "full disk: segment files left after the drain"
    assert_eq "$(stat_of sink=os backlog)" 0 "full disk: backlog after the drain"
    stop_sluice
    assert_eq "$SLUICE_STATUS" 0 "full disk: exit status"
    for k in dropped_newest dropped_oldest corrupt_skipped; do
        assert_eq "$(stat_of spool $k)" 0 "full disk: $k"
    done
    mv "$T/sluice.log" "$T/sluice-full.log"
else
    echo "SKIP: part 1 (a spool on a 4 MiB tmpfs) needs mount: $(cat "$T/mount.err")"
fi

# ---- 2. max_size reached, when_full: block ----
N=30000
IDX=$(new_index maxsize)
touch "$T/down"
config "$T/max.yaml" "$IDX" "  path: $T/spool-max
  max_size: 1MiB
  segment_size: 64KiB"
start_sluice "$T/max.yaml" --stats-interval 200ms
send_bg max "$N"
wait_log "warn  spool: spool full at max_size=1048576 bytes: pausing inputs" 60
note "ok: logged: $(grep -o -m1 'spool: spool full.*' "$T/sluice.log")"
expect_stall max "$N"
sb=$(spool_bytes "$T/spool-max")
note "max_size: spool bytes=$sb (max_size 1048576)"
[ "$sb" -le 1048576 ] || fail "the spool went over max_size: $sb bytes"
drain_and_check max "$N" "$IDX"
note "max_size: drained and all $N indexed in $DRAIN_MS ms after the sink came back"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "max_size: exit status"
assert_eq "$(stat_of spool dropped_newest)" 0 "max_size: dropped_newest"
mv "$T/sluice.log" "$T/sluice-max.log"

# ---- 3. max_size reached, when_full: drop_newest ----
N=20000
IDX=$(new_index dropnew)
touch "$T/down"
config "$T/drop.yaml" "$IDX" "  path: $T/spool-drop
  max_size: 1MiB
  segment_size: 64KiB
  when_full: drop_newest"
start_sluice "$T/drop.yaml" --stats-interval 200ms
send_bg drop "$N"
set +e; wait "$SENDER"; st=$?; set -e
assert_eq "$st" 0 "drop_newest: the sender was never held up"
for i in $(seq 1 300); do
    a=$(stat_of spool appended); d=$(stat_of spool dropped_newest)
    [ -n "$a" ] && [ $((a + d)) -ge "$N" ] && break
    sleep 0.1
done
a=$(stat_of spool appended); d=$(stat_of spool dropped_newest)
assert_eq "$((a + d))" "$N" "drop_newest: appended + dropped_newest"
[ "$d" -gt 0 ] || fail "drop_newest: nothing was dropped"
grep -q "spool: spool full at max_size=1048576 bytes: dropping the new records" "$T/sluice.log" ||
    fail "drop_newest: no log line"
note "ok: logged per episode, not per message: $(grep -c 'dropping the new records' "$T/sluice.log") line(s) for dropped=$d"
rm -f "$T/down"
for i in $(seq 1 600); do [ "$(stat_of sink=os backlog)" = 0 ] && break; sleep 0.1; done
assert_eq "$(stat_of sink=os backlog)" 0 "drop_newest: backlog after the sink came back"
c=$(wait_count "$IDX" "$a" 60)
assert_eq "$c" "$a" "drop_newest: documents = appended"
assert_eq "$d" "$((N - c))" "drop_newest: dropped_newest = sent - indexed"
# Kept: everything before the spool first filled (1 MiB holds over 1000 of
# these); after that a small batch still fits now and then, a large one not.
res=$(python3 "$IT_DIR/seqs.py" "$OS_URL" "$IDX" --below 1000)
note "drop_newest: seqs $res"
assert_eq "$(field "$res" dups)" 0 "drop_newest: seqs indexed twice"
assert_eq "$(field "$res" distinct)" "$c" "drop_newest: distinct seqs"
assert_eq "$(field "$res" missing_below)" 0 "drop_newest: the first 1000 kept"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "drop_newest: exit status"
