#!/usr/bin/env bash
# Several hosts (issue 6.3): two hosts, each a fault injector in front of the
# one test node. Host A goes down mid-run (--down-file: every request's
# connection closed, as a node that went away): it is set aside (logged,
# naming it), the messages go on through B, A is probed with GET / while it
# is aside; once A is reachable again it is back in service (logged) and
# takes requests again; /metrics shows each host's state and counters
# (sluice_sink_host_*). Every seq of every phase is indexed exactly once.
# Then discovery: a sluice given only A with `discover: true` finds the
# node's own publish address (GET /_nodes/http), probes it and sends to it.
. "$(dirname "$0")/lib.sh"
N=3000
IDX=$(new_index twohosts)
# A keeps its own port and stats files; B is lib.sh's proxy.
python3 "$TOP/tests/faultproxy/faultproxy.py" --upstream "$OS_URL" --port-file "$T/a.port" \
    --down-file "$T/downA" &
PIDS+=($!)
for i in $(seq 1 100); do [ -s "$T/a.port" ] && break; sleep 0.1; done
[ -s "$T/a.port" ] || fail "fault injector A did not start"
A="http://127.0.0.1:$(cat "$T/a.port")"
start_proxy
B=$PROXY_URL
a_stat() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/a.port.stats" "$1"; }
b_stat() { proxy_stat "$1"; }
cat >"$T/sluice.yaml" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
sinks:
  - type: elasticsearch
    name: os
    hosts: [$A, $B]
    index: $IDX
    concurrency: 2
    batch: { max_docs: 200, max_wait: 100ms }
    retry: { initial: 50ms, max: 500ms }
    host_backoff: { initial: 200ms, max: 1s }
admin:
  listen: 127.0.0.1:0
log:
  level: info
EOC
start_sluice "$T/sluice.yaml" --stats-interval 200ms
MURL="http://127.0.0.1:$(port admin)/metrics"
# host_metric NAME HOST: a per-host series of a fresh, checked scrape.
host_metric() {
    curl -sS --max-time 5 "$MURL" >"$T/metrics.txt" || fail "GET /metrics failed"
    python3 "$IT_DIR/promcheck.py" "$T/metrics.txt" >"$T/samples" || fail "not valid Prometheus text"
    awk -v k="$1{host=\"$2\",sink=\"os\"}" '$1 == k { print $2 }' "$T/samples"
}

# Phase 1: both hosts up; round robin gives each a share.
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog two1
assert_eq "$(wait_count "$IDX" "$N" 60)" "$N" "documents with both hosts up"
a1=$(a_stat bulk); b1=$(b_stat bulk)
[ "$a1" -gt 0 ] && [ "$b1" -gt 0 ] || fail "round robin: A got $a1 bulk requests, B $b1"
note "ok: both hosts took requests (A $a1, B $b1)"

# Phase 2: A down mid-run.
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog two2 &
SENDER=$!; PIDS+=("$SENDER")
touch "$T/downA"
wait "$SENDER"
assert_eq "$(wait_count "$IDX" $((2 * N)) 90)" $((2 * N)) "documents with A down"
wait_log "host set aside url=$A reason=" 10
note "ok: A set aside, logged"
[ "$(grep -c "host set aside url=$A" "$T/sluice.log")" = 1 ] || fail "A set aside logged more than once"
wait_log "stats: periodic host=$A sink=os state=(aside|probing) .* probe_failures=[1-9]" 10
fa=$(stat_of "host=$A" failures)
# Only the requests in flight when A went down failed on it: at most one per slot.
[ "$fa" -ge 1 ] && [ "$fa" -le 2 ] || fail "A: $fa failed requests (expected 1..2: then it was set aside)"
note "ok: A failed $fa request(s), then was probed, not sent to"
assert_eq "$(host_metric sluice_sink_host_up "$A")" 0 "sluice_sink_host_up of A while it is down"
assert_eq "$(host_metric sluice_sink_host_up "$B")" 1 "sluice_sink_host_up of B"
[ "$(host_metric sluice_sink_host_probes_failed_total "$A")" -ge 1 ] || fail "no failed probe of A in /metrics"
a2=$(a_stat bulk)

# Phase 3: A back; it is probed, back in service, and takes requests again.
rm -f "$T/downA"
wait_log "host back in service url=$A" 20
note "ok: A back in service, logged"
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog two3
assert_eq "$(wait_count "$IDX" $((3 * N)) 60)" $((3 * N)) "documents after A came back"
a3=$(a_stat bulk)
[ "$a3" -gt "$a2" ] || fail "A took no request after it came back ($a2 -> $a3)"
note "ok: A took $((a3 - a2)) bulk requests after it came back"
assert_eq "$(host_metric sluice_sink_host_up "$A")" 1 "sluice_sink_host_up of A after it came back"
assert_eq "$(host_metric sluice_sink_host_requests_failed_total "$A")" "$fa" \
    "sluice_sink_host_requests_failed_total of A"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"
grep -q "stats: final host=$B sink=os state=up" "$T/sluice.log" || fail "no final stats line for B"
for p in two1 two2 two3; do
    s=$(python3 "$IT_DIR/seqs.py" "$OS_URL" "$IDX" --prog "$p" --below "$N")
    note "$p: $s"
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); n=int(sys.argv[2])
sys.exit(0 if d["docs"]==n and d["distinct"]==n and d["dups"]==0 and d["missing_below"]==0 else 1)' "$s" "$N" ||
        fail "$p: not every seq exactly once: $s"
done
note "ok: every seq of the three phases indexed exactly once"

# Discovery: the node's publish address, as sluice should spell it.
PUB=$(curl -sS "$OS_URL/_nodes/http?filter_path=nodes.*.http.publish_address" | python3 -c '
import json,sys
for n in json.load(sys.stdin)["nodes"].values():
    p = n["http"]["publish_address"]
    host, _, port = p.rpartition(":")
    name, _, ip = host.partition("/")
    print("http://%s:%s" % (name if ip else host, port)); break')
note "the node publishes $PUB"
IDX2=$(new_index twodisc)
cat >"$T/disc.yaml" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
sinks:
  - type: elasticsearch
    name: os
    hosts: [$A]
    index: $IDX2
    discover: true
    batch: { max_docs: 100, max_wait: 100ms }
log:
  level: info
EOC
mv "$T/sluice.log" "$T/two-hosts.log"     # the first run's log stays (IT_KEEP=1)
start_sluice "$T/disc.yaml" --stats-interval 200ms
wait_log "host discovered url=$PUB " 20
wait_log "discovered host in service url=$PUB" 20
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count 1000 --prog two4
assert_eq "$(wait_count "$IDX2" 1000 60)" 1000 "documents with discovery"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status (discovery)"
r=$(stat_of "host=$PUB" requests)
[ -n "$r" ] && [ "$r" -ge 1 ] || fail "the discovered host took no request ($r)"
grep -q "stats: final host=$PUB sink=os state=up discovered=1" "$T/sluice.log" ||
    fail "no final stats line for the discovered host"
note "ok: discovered $PUB took $r requests"
s=$(python3 "$IT_DIR/seqs.py" "$OS_URL" "$IDX2" --prog two4 --below 1000)
python3 -c 'import json,sys; d=json.loads(sys.argv[1])
sys.exit(0 if d["docs"]==1000 and d["dups"]==0 and d["missing_below"]==0 else 1)' "$s" ||
    fail "discovery: not every seq exactly once: $s"
note "ok: every seq exactly once with discovery"
