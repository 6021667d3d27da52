#!/usr/bin/env bash
# The admin endpoint against the real node: after N messages, GET /metrics
# (checked as strict Prometheus text by promcheck.py) says exactly N
# received and N confirmed for the sink, the latency histogram counts every
# request; /live and /ready answer 200; without the token or with a wrong
# one every path is 401; 404 and 405 otherwise. A sink that cannot reach
# its cluster makes /ready 503 with the reason. A listen address that is
# not loopback without a token is a config error naming file:line (check
# exits 1, run 2), and a token written in the file is refused unprinted.
. "$(dirname "$0")/lib.sh"
N=2000
IDX=$(new_index admin)
TOKEN="it-token-$RANDOM$RANDOM"
printf '%s\n' "$TOKEN" >"$T/token"
chmod 600 "$T/token"
es_config "$T/sluice.yaml" "$IDX"
cat >>"$T/sluice.yaml" <<EOC
buffer:
  path: $T/spool
admin:
  listen: 127.0.0.1:0
  token: \${file:$T/token}
EOC
start_sluice "$T/sluice.yaml"
ADMIN=$(port admin)
[ -n "$ADMIN" ] || fail "no admin line in the port file: $(cat "$T/ports")"
URL="http://127.0.0.1:$ADMIN"
AUTH="Authorization: Bearer $TOKEN"
code() { curl -s -o "$T/body" -w '%{http_code}' --max-time 5 "$@"; }

# Authentication first: nothing is answered without the token.
assert_eq "$(code "$URL/metrics")" 401 "/metrics without a token"
assert_eq "$(code -H "Authorization: Bearer wrong" "$URL/metrics")" 401 "/metrics with a wrong token"
assert_eq "$(code -H "Authorization: Bearer ${TOKEN}x" "$URL/ready")" 401 "/ready with a longer token"
assert_eq "$(code "$URL/live")" 401 "/live without a token"
assert_eq "$(code -H "$AUTH" "$URL/live")" 200 "/live"
assert_eq "$(code -H "$AUTH" "$URL/ready")" 200 "/ready"
assert_eq "$(code -H "$AUTH" "$URL/nope")" 404 "an unknown path"
assert_eq "$(code -H "$AUTH" -X POST "$URL/metrics")" 405 "POST /metrics"

python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog admin
c=$(wait_count "$IDX" "$N" 60)
assert_eq "$c" "$N" "documents in the index"

# metric NAME: its value in the last scrape (labels as promcheck prints them).
scrape() {
    code -H "$AUTH" "$URL/metrics" >"$T/code" || fail "GET /metrics did not complete (curl exit $?)"
    [ "$(cat "$T/code")" = 200 ] || fail "GET /metrics answered $(cat "$T/code")"
    cp "$T/body" "$T/metrics.txt"
    python3 "$IT_DIR/promcheck.py" "$T/metrics.txt" >"$T/samples" || fail "not valid Prometheus text"
}
metric() { awk -v k="$1" '$1 == k { print $2 }' "$T/samples"; }
# The index has them; the sink counts them once the answer is read: wait for it.
for i in $(seq 1 100); do
    scrape
    [ "$(metric 'sluice_sink_documents_confirmed_total{sink="os"}')" = "$N" ] && break
    sleep 0.1
done
note "ok: the scrape is valid Prometheus text ($(wc -l <"$T/samples") samples)"
assert_eq "$(metric sluice_events_received_total)" "$N" "sluice_events_received_total"
assert_eq "$(metric sluice_events_parsed_total)" "$N" "sluice_events_parsed_total"
assert_eq "$(metric sluice_events_unparsed_total)" 0 "sluice_events_unparsed_total"
assert_eq "$(metric 'sluice_input_messages_received_total{input="tcp"}')" "$N" "received by input tcp"
assert_eq "$(metric 'sluice_input_messages_received_total{input="udp"}')" 0 "received by input udp"
assert_eq "$(metric 'sluice_buffer_appended_records_total')" "$N" "records appended to the buffer"
assert_eq "$(metric 'sluice_sink_documents_confirmed_total{sink="os"}')" "$N" "confirmed for sink os"
assert_eq "$(metric 'sluice_sink_documents_sent_total{sink="os"}')" "$N" "sent to sink os"
assert_eq "$(metric 'sluice_sink_documents_retried_total{sink="os"}')" 0 "retried"
assert_eq "$(metric 'sluice_sink_documents_rejected_total{sink="os"}')" 0 "rejected"
assert_eq "$(metric 'sluice_sink_buffered_records{sink="os"}')" 0 "buffered records left"
assert_eq "$(metric 'sluice_sink_oldest_buffered_age_seconds{sink="os"}')" 0 "oldest buffered age"
assert_eq "$(metric 'sluice_sink_up{sink="os",type="elasticsearch"}')" 1 "sink up"
assert_eq "$(metric 'sluice_events_dropped_total{reason="queue_full"}')" 0 "dropped, queue full"
REQ=$(metric 'sluice_sink_requests_total{sink="os"}')
[ "$REQ" -ge 2 ] || fail "requests: expected at least 2 (max_docs 1000), got $REQ"
note "ok: requests = $REQ"
assert_eq "$(metric 'sluice_sink_requests_failed_total{sink="os"}')" 0 "failed requests"
assert_eq "$(metric 'sluice_sink_request_duration_seconds_count{sink="os"}')" "$REQ" "histogram count"
assert_eq "$(metric 'sluice_sink_request_duration_seconds_bucket{le="+Inf",sink="os"}')" "$REQ" "+Inf bucket"
python3 - "$T/samples" "$REQ" <<'EOP' || fail "the histogram's buckets do not account for every request"
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith('sluice_sink_request_duration_seconds_bucket{')]
vals = [float(v) for _, v in rows]
assert len(vals) == 13, len(vals)            # 12 bounds and +Inf
assert vals == sorted(vals), vals            # cumulative
assert vals[-1] == float(sys.argv[2])
# the buckets' own counts (differences) sum to the requests
per = [vals[0]] + [b - a for a, b in zip(vals, vals[1:])]
assert sum(per) == float(sys.argv[2]) and all(p >= 0 for p in per), per
EOP
note "ok: bucket counts sum to the $REQ requests"
SENT=$(metric 'sluice_sink_sent_bytes_total{sink="os"}')
[ "$SENT" -gt 0 ] || fail "sent bytes: $SENT"

# The stats line at stop carries the same per-sink figures.
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"
line=$(grep 'stats: final sink=os ' "$T/sluice.log" | tail -n1)
note "$line"
assert_eq "$(kv "$line" sent)" "$N" "final line: sent"
assert_eq "$(kv "$line" confirmed)" "$N" "final line: confirmed"
assert_eq "$(kv "$line" retried)" 0 "final line: retried"
assert_eq "$(kv "$line" dead_lettered)" 0 "final line: dead_lettered"
assert_eq "$(kv "$line" requests)" "$REQ" "final line: requests"
assert_eq "$(kv "$line" bytes)" "$SENT" "final line: bytes"
[ -n "$(kv "$line" latency_ms_mean)" ] || fail "final line: no latency_ms_mean"
if grep -q "$TOKEN" "$T/sluice.log"; then fail "the token was logged"; fi
note "ok: the token is not in the log"

# A sink that cannot reach its cluster: /ready says so once a request failed,
# and its records wait in the buffer, getting older.
DEAD=$(dead_port)
cat >"$T/dead.yaml" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
sinks:
  - type: elasticsearch
    name: gone
    hosts: [http://127.0.0.1:$DEAD]
    index: $IDX
    batch: { max_docs: 10, max_wait: 100ms }
    retry: { initial: 100ms, max: 200ms }
buffer:
  path: $T/spool-dead
admin:
  listen: 127.0.0.1:0
EOC
start_sluice "$T/dead.yaml" --stop-timeout 1s
URL="http://127.0.0.1:$(port admin)"
assert_eq "$(code "$URL/ready")" 200 "/ready before any request (no token configured)"
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count 3 --prog admin
for i in $(seq 1 100); do [ "$(code "$URL/ready")" = 503 ] && break; sleep 0.1; done
assert_eq "$(code "$URL/ready")" 503 "/ready with the only sink failing"
grep -q "no sink is delivering: sink gone failed" "$T/body" || fail "no reason: $(cat "$T/body")"
note "ok: reason: $(cat "$T/body")"
assert_eq "$(code "$URL/live")" 200 "/live while the sink fails"
code "$URL/metrics" >/dev/null
python3 "$IT_DIR/promcheck.py" "$T/body" >"$T/samples" || fail "not valid Prometheus text"
assert_eq "$(metric 'sluice_sink_up{sink="gone",type="elasticsearch"}')" 0 "sink up while failing"
assert_eq "$(metric 'sluice_sink_buffered_records{sink="gone"}')" 3 "records buffered for the failing sink"
# The oldest of them ages: above 0, and below the time since the start.
for i in $(seq 1 50); do
    code "$URL/metrics" >/dev/null
    python3 "$IT_DIR/promcheck.py" "$T/body" >"$T/samples" || fail "not valid Prometheus text"
    age=$(metric 'sluice_sink_oldest_buffered_age_seconds{sink="gone"}')
    python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 0.2 else 1)' "$age" && break
    sleep 0.1
done
python3 -c 'import sys; sys.exit(0 if 0.2 <= float(sys.argv[1]) < 30 else 1)' "$age" ||
    fail "oldest buffered age: $age"
note "ok: oldest buffered age = $age s"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status (the records wait in the buffer)"

# A listen address that is not loopback needs a token: a config error.
cat >"$T/open.yaml" <<EOC
sinks:
  - type: ndjson
    path: $T/x.ndjson
admin:
  listen: 0.0.0.0:0
EOC
set +e
"$SLUICE" check -c "$T/open.yaml" >"$T/out" 2>&1; st=$?
"$SLUICE" run -c "$T/open.yaml" >"$T/out-run" 2>&1; st_run=$?
set -e
sed 's/^/    /' "$T/out"
assert_eq "$st" 1 "sluice check exit status (config error)"
assert_eq "$st_run" 2 "sluice run exit status (config error)"
grep -q "open.yaml:5:11: key 'admin.listen': '0.0.0.0' is not a loopback address" "$T/out" ||
    fail "the error does not name file:line:col and the key"
grep -q "open.yaml:5:11" "$T/out-run" || fail "run does not name file:line:col"
note "ok: file:line:col named by check and run"
# A token written in the file is refused, and not printed.
cat >"$T/literal.yaml" <<EOC
sinks:
  - type: ndjson
    path: $T/x.ndjson
admin:
  listen: "[::]:0"
  token: plain-$TOKEN
EOC
set +e
"$SLUICE" check -c "$T/literal.yaml" >"$T/out" 2>&1; st=$?
set -e
assert_eq "$st" 1 "check of a literal token"
grep -q "literal.yaml:6:10: key 'admin.token': the token must be a reference" "$T/out" ||
    fail "no error for a literal token: $(cat "$T/out")"
if grep -q "$TOKEN" "$T/out"; then fail "the literal token was printed"; fi
note "ok: literal token refused, not printed"
