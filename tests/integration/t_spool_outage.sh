#!/usr/bin/env bash
# Issue 5 (a): 100,000 messages arrive over TCP while the node is unreachable;
# the backlog lives on disk (spool bytes grow, RSS stays under a stated bound),
# a SIGTERM in the middle of the outage leaves it there (exit 0) and a restart
# picks it up; once the node is reachable again the backlog drains while new
# messages keep arriving, and every message is indexed exactly once (every
# seq of each sender once, by a scan of the whole index).
#
# The outage is made by the fault injector between sluice and the node
# (--down-file: while the file exists every request is answered by closing
# the connection, as a node that went away), not by stopping the node: the
# node is shared by every scenario of the run, and stopping and restarting
# it would cost a minute and disturb the scenarios after this one. A private
# second node would also work (memory allows) but adds ~40 s of start-up and
# tests nothing more: sluice sees the same failed requests either way.
. "$(dirname "$0")/lib.sh"
N=100000
# The README's bound without a spool (20 MiB + 1.1 x queue.max_bytes of 2 MiB)
# plus one 1 MiB spool read and one 1000-document request with its body,
# rounded up; the spool must end up holding more than twice this.
RSS_BOUND_KB=$((32 * 1024))
SEG=4194304
IDX=$(new_index outage)
TAG="outage payload $(printf 'x%.0s' $(seq 1 300))"
start_proxy --down-file "$T/down"
cat >"$T/sluice.yaml" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
sinks:
  - type: elasticsearch
    name: os
    hosts: [$PROXY_URL]
    index: $IDX
    batch: { max_docs: 1000, max_wait: 200ms }
    retry: { initial: 50ms, max: 500ms }
queue:
  max_bytes: 2MiB
buffer:
  path: $T/spool
  segment_size: $SEG
log:
  level: info
EOC
spool_bytes() { find "$T/spool" -maxdepth 1 -name '*.seg*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

touch "$T/down"
start_sluice "$T/sluice.yaml" --stats-interval 200ms --stop-timeout 2s
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog outage --tag "$TAG" \
    --progress "$T/sent" --timeout 120 &
SENDER=$!
PIDS+=("$SENDER")

# While the backlog builds: sample RSS until the spool holds every message.
max_rss=0
for i in $(seq 1 1200); do
    rss=$(rss_kb "$SLUICE_PID")
    [ "$rss" -gt "$max_rss" ] && max_rss=$rss
    a=$(stat_of spool appended)
    [ -n "$a" ] && [ "$a" -ge "$N" ] && break
    kill -0 "$SLUICE_PID" 2>/dev/null || fail "sluice died during the outage"
    sleep 0.1
done
assert_eq "$(stat_of spool appended)" "$N" "records appended to the spool during the outage"
set +e; wait "$SENDER"; sst=$?; set -e
assert_eq "$sst" 0 "sender status (never held up: the spool took everything)"
# The outage goes on until the sink has failed a good number of times.
for i in $(seq 1 300); do [ "$(proxy_stat down)" -ge 10 ] && break; sleep 0.1; done
[ "$(proxy_stat down)" -ge 10 ] || fail "the sink did not keep trying during the outage"
note "ok: requests refused during the outage: $(proxy_stat down), forwarded: $(proxy_stat forwarded)"
assert_eq "$(proxy_stat forwarded)" 0 "requests that reached the node during the outage"
assert_eq "$(wait_stat sink=os backlog "$N" 10)" "$N" "backlog in the stats"
sb=$(spool_bytes)
# The records' own bytes (what the spool holds, uncompressed): LZ4 frames
# (buffer.compress' default) put them in far fewer bytes of file.
cb=$(spool_status "$T/spool" content_bytes)
hwm=$(rss_kb "$SLUICE_PID" VmHWM)
[ "$hwm" -gt "$max_rss" ] && max_rss_or_hwm=$hwm || max_rss_or_hwm=$max_rss
note "outage: spool bytes=$sb (records: $cb bytes) segments=$(stat_of spool segments) VmRSS max sampled=${max_rss} kB VmHWM=${hwm} kB"
[ "$cb" -gt $((RSS_BOUND_KB * 1024 * 2)) ] || fail "spool holds records of only $cb bytes: the backlog is not on disk"
[ "$max_rss_or_hwm" -lt "$RSS_BOUND_KB" ] || fail "RSS ${max_rss_or_hwm} kB over ${RSS_BOUND_KB} kB during the outage"
note "ok: backlog on disk ($sb bytes), RSS under $RSS_BOUND_KB kB"

# A stop in the middle of the outage: nothing can be delivered, the backlog
# stays on disk, exit 0; the next start finds all of it.
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status of a stop during the outage"
grep -q "stopped: records=$N wait in the spool" "$T/sluice.log" || fail "stop did not report the backlog kept on disk"
note "ok: stop reported records=$N waiting in the spool"
[ "$(spool_bytes)" -ge "$sb" ] || fail "the spool shrank at a stop with nothing delivered"
start_sluice "$T/sluice.yaml" --stats-interval 200ms --stop-timeout 2s
wait_log "sink os.*records=$N" 10
note "ok: the restart found records=$N for the sink"

# The node is back: the backlog goes out while new messages keep coming.
N2=10000
rm -f "$T/down"
t0=$(date +%s%N)
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N2" --prog live --tag "$TAG" --timeout 120 &
SENDER=$!
PIDS+=("$SENDER")
c=$(wait_count "$IDX" "$((N + N2))" 400)
t1=$(date +%s%N)
set +e; wait "$SENDER"; sst=$?; set -e
assert_eq "$sst" 0 "status of the sender during the drain"
assert_eq "$c" "$((N + N2))" "documents after the node came back"
note "drain: $N backlog + $N2 live documents in $(( (t1 - t0) / 1000000 )) ms ($(proxy_stat forwarded) requests forwarded)"
for p in outage:$N live:$N2; do
    res=$(python3 "$IT_DIR/seqs.py" "$OS_URL" "$IDX" --prog "${p%%:*}")
    note "${p%%:*} seqs: $res"
    assert_eq "$(field "$res" docs)" "${p##*:}" "${p%%:*}: documents scanned"
    assert_eq "$(field "$res" distinct)" "${p##*:}" "${p%%:*}: distinct seqs"
    assert_eq "$(field "$res" dups)" 0 "${p%%:*}: seqs indexed twice"
    assert_eq "$(field "$res" missing_below)" 0 "${p%%:*}: seqs 0..N-1 missing"
done
# Confirmed segments go once the cursor is saved: the spool shrinks to the
# active segment (and at most the one before it).
for i in $(seq 1 100); do [ "$(spool_bytes)" -le $((2 * SEG)) ] && break; sleep 0.1; done
[ "$(spool_bytes)" -le $((2 * SEG)) ] || fail "confirmed segments were not deleted: $(spool_bytes) bytes left"
note "ok: confirmed segments deleted ($(spool_bytes) bytes left)"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"
grep -q "stopped: everything received was delivered" "$T/sluice.log" || fail "final stop did not report everything delivered"
assert_eq "$(count "$IDX")" "$((N + N2))" "documents after stop"
