#!/usr/bin/env bash
# it-node: elasticsearch
# Issue 6 (a wrong password), in the Elasticsearch pass: Elasticsearch's
# security is x-pack, which is not on Maven Central, so the test node has
# none. A fault injector stands in for the account check only
# (tests/faultproxy --auth-file: 401 with Elasticsearch's security_exception
# body unless the request carries the right basic credentials; what passes
# goes to the real node). t_auth runs the same story against OpenSearch's
# real security plugin.
#  - a wrong password in the secret file: the sink stops with a clear error
#    naming the sink, host and account with the hint; nothing indexed,
#    nothing lost (the spool holds every event);
#  - the file fixed and SIGHUP: every event indexed exactly once, no
#    password in the log.
. "$(dirname "$0")/lib.sh"
N=2000
IDX=$(new_index authgate)
mkdir -p "$T/secret"
PW=$T/secret/password
printf 'sluice_writer:right-%s-pass\n' "$RANDOM" >"$T/accounts"
RIGHT=$(cut -d: -f2 "$T/accounts")
WRONG="wrong-$RANDOM-pass"
set_pw() { printf '%s\n' "$1" >"$PW"; chmod 600 "$PW"; }
start_proxy --auth-file "$T/accounts"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$PROXY_URL/")" 401 "GET / through the gate without credentials"
cat >"$T/run.yaml" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
sinks:
  - type: elasticsearch
    name: es
    hosts: [$PROXY_URL]
    index: $IDX
    username: sluice_writer
    password: "\${file:$PW}"
    batch: { max_docs: 500, max_wait: 200ms }
    dead_letter: $T/dead.ndjson
buffer:
  path: $T/spool
log:
  level: info
EOC
set_pw "$WRONG"
start_sluice "$T/run.yaml" --stats-interval 200ms
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog authgate --timeout 60 ||
    fail "sender failed"
wait_log "sink stopped: the cluster refused the credentials" 20
line=$(grep -m1 "sink stopped:" "$T/sluice.log")
note "logged: ${line#*error  }"
for want in "sink.elasticsearch\[es\]" "HTTP 401" "user 'sluice_writer'" "the events wait in the buffer" \
            "fix the secret file" "send SIGHUP"; do
    grep -q -- "$want" <<<"$line" || fail "the error does not say '$want'"
done
assert_eq "$(wait_stat spool appended "$N" 20)" "$N" "events appended to the spool"
assert_eq "$(wait_stat sink=es backlog "$N" 10)" "$N" "the sink's backlog in the stats"
c=$(count "$IDX")     # -1: the index does not even exist
[ "$c" -le 0 ] || fail "$c documents indexed with the wrong password"
note "ok: nothing indexed with the wrong password (count $c)"
[ -s "$T/dead.ndjson" ] && fail "events dead-lettered while the password was wrong"

set_pw "$RIGHT"
kill -HUP "$SLUICE_PID"
wait_log "reload: SIGHUP: secrets read again from $T/run.yaml for sinks=1" 10
assert_eq "$(wait_count "$IDX" "$N" 60)" "$N" "documents after the fixed secret and SIGHUP"
res=$(python3 "$IT_DIR/seqs.py" "$OS_URL" "$IDX" --prog authgate)
note "seqs: $res"
assert_eq "$(field "$res" distinct)" "$N" "distinct seqs"
assert_eq "$(field "$res" dups)" 0 "seqs indexed twice"
for secret in "$WRONG" "$RIGHT"; do
    grep -q -- "$secret" "$T/sluice.log" && fail "a password is in the log"
done
note "ok: no password in the log"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"
assert_eq "$(count "$IDX")" "$N" "documents after stop"
