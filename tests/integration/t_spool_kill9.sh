#!/usr/bin/env bash
# Issue 5 (b): kill -9 during ingest with fsync: always, restart on the same
# spool: every message counted as received before the kill is indexed, none
# twice. Twice in a row, at two different points: first while only ingest is
# running (the sink keeping up), then after a restart while a second sender
# is ingesting and the first run's backlog is still being delivered.
#
# "Counted as received" is the spool's durable= counter (records fsynced),
# read from the last stats line logged before the kill (--stats-interval
# 200ms). Each run has one TCP connection sending seq-numbered messages in
# order, so durable=K means seqs 0..K-1 of that sender are on disk: each of
# them must be in the index exactly once, and no seq of either sender may be
# there twice. (Records written but not yet synced at the kill usually
# survive too, in the page cache; they may be indexed, never twice.)
. "$(dirname "$0")/lib.sh"
N=400000            # per sender: far more than is written before the kill
KILL_AT=30000       # durable records before each kill
IDX=$(new_index kill9)
es_config "$T/sluice.yaml" "$IDX"
cat >>"$T/sluice.yaml" <<EOC
buffer:
  path: $T/spool
  fsync: always
  segment_size: 4MiB
EOC

# run_and_kill PROG [MIN_CONFIRMED]: starts sluice and a sender PROG, kills
# sluice with SIGKILL once durable >= KILL_AT (and the sink confirmed at
# least MIN_CONFIRMED) while the sender is still sending; sets K to the
# durable count logged before the kill. Each run logs to its own file.
run_and_kill() {
    local prog=$1 d sent
    start_sluice "$T/sluice.yaml" --stats-interval 200ms
    python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog "$prog" \
        --progress "$T/sent.$prog" --timeout 120 2>/dev/null &
    SENDER=$!
    PIDS+=("$SENDER")
    d=$(wait_stat spool durable "$KILL_AT" 60)
    [ "$d" -ge "$KILL_AT" ] || fail "$prog: durable reached only $d"
    if [ -n "${2:-}" ]; then
        # ...and its cursor was saved mid-backlog (at most once a second).
        d=$(wait_stat sink=os confirmed "$2" 60)
        [ "$d" -ge "$2" ] || fail "$prog: the sink confirmed only $d"
        for i in $(seq 1 100); do [ -s "$T/spool/cursor.os" ] && break; sleep 0.1; done
        [ -s "$T/spool/cursor.os" ] || fail "$prog: no cursor saved"
    fi
    K=$(stat_of spool durable)
    kill -0 "$SENDER" 2>/dev/null || fail "$prog: the sender finished before the kill: not during ingest"
    kill -KILL "$SLUICE_PID"
    set +e; wait "$SLUICE_PID" 2>/dev/null; st=$?; wait "$SENDER"; set -e
    assert_eq "$st" 137 "$prog: sluice ended by SIGKILL"
    sent=$(cut -d' ' -f1 "$T/sent.$prog")
    note "$prog: killed with durable=$K logged, sender had handed $sent of $N to the kernel," \
        "cursor: $(cat "$T/spool/cursor.os" 2>/dev/null || echo none)"
    [ "$sent" -lt "$N" ] || fail "$prog: every message was sent before the kill"
    mv "$T/sluice.log" "$T/sluice-$prog.log"
}

run_and_kill k9a
KA=$K
note "k9a: at the kill: $(grep 'stats: periodic sink=os' "$T/sluice-k9a.log" | tail -n1 | grep -o 'confirmed=[0-9]*')"

# Second point: the first run's backlog is being sent (some of it confirmed,
# the cursor saved mid-way) while a new sender ingests.
run_and_kill k9b 2000
KB=$K
note "k9b: at the kill: $(grep 'stats: periodic sink=os' "$T/sluice-k9b.log" | tail -n1 | grep -o 'confirmed=[0-9]*.*backlog=[0-9]*')"
grep -E "buffer=.* records=[1-9]" "$T/sluice-k9b.log" >/dev/null || fail "k9b: the restart found no records"
note "k9b run started with: $(grep -o -m1 'buffer=.*' "$T/sluice-k9b.log")"

# Third start: everything left is delivered.
start_sluice "$T/sluice.yaml" --stats-interval 200ms
grep -E "buffer=.* records=[1-9]" "$T/sluice.log" >/dev/null || fail "third start: no records found"
note "third start: $(grep -o -m1 'buffer=.*' "$T/sluice.log")"
for i in $(seq 1 1800); do
    b=$(stat_of sink=os backlog)
    [ "$b" = 0 ] && break
    sleep 0.1
done
assert_eq "$(stat_of sink=os backlog)" 0 "backlog after the third start"
note "third run: $(grep 'stats: periodic sink=os' "$T/sluice.log" | tail -n1 | grep -o 'confirmed=[0-9]* duplicates=[0-9]*')"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"

for p in k9a k9b; do
    [ $p = k9a ] && k=$KA || k=$KB
    res=$(python3 "$IT_DIR/seqs.py" "$OS_URL" "$IDX" --prog $p --below "$k")
    note "$p: durable before the kill=$k, index: $res"
    assert_eq "$(field "$res" missing_below)" 0 "$p: seqs below durable=$k missing"
    assert_eq "$(field "$res" dups)" 0 "$p: seqs indexed twice"
    assert_eq "$(field "$res" docs)" "$(field "$res" distinct)" "$p: documents = distinct seqs"
done
