#!/usr/bin/env bash
# it-node: opensearch
# Issue 6 (security), on a real OpenSearch node with its security plugin
# (HTTPS with a CA made for the test, basic auth, the roles of
# docs/security.md; tests/cluster/node.sh with SLUICE_NODE_SECURITY=1), a
# node of this scenario's own beside the run's shared one:
#  - `sluice check --connect`: the writer can write (exit 0), the admin can
#    too but is a superuser (a warning, exit 0), the dashboards' reader cannot
#    write (exit 1), a wrong password is refused (exit 1);
#  - a wrong password in the secret file: a clear error naming the sink, the
#    host and the account (never a password) with the hint; nothing indexed,
#    nothing lost (the spool holds every event); a SIGHUP while the config
#    does not load changes nothing; the file fixed and SIGHUP: every event
#    indexed exactly once; `sluice replay` of that spool with a wrong
#    password waits the same way and goes on after SIGHUP (all duplicates);
#  - a privilege missing on the index (OpenSearch refuses it item by item):
#    the sink stops the same way instead of dead-lettering good documents;
#    the role fixed on the cluster and SIGHUP: every event indexed.
# Elasticsearch's security (x-pack) is not on Maven Central: this scenario
# runs in the OpenSearch pass only; the security-off answer of both products
# is checked by t_check_connect.
. "$(dirname "$0")/lib.sh"
NODE_SH=$TOP/tests/cluster/node.sh
SEC=$T/secnode
stop_secnode() {
    "$NODE_SH" stop "$SEC" >/dev/null || echo "t_auth: the secure node in $SEC did not stop" >&2
}
trap 'stop_secnode; cleanup' EXIT
SURL=$(SLUICE_NODE_SECURITY=1 "$NODE_SH" start "$SEC") || fail "the OpenSearch node with security did not start"
CA=$SEC/security/ca.pem
note "secure node at $SURL"
sos() { curl -sS --cacert "$CA" -u admin:admin-pass "$@"; }
scount() {
    sos -X POST "$SURL/$1/_refresh" >/dev/null
    sos "$SURL/$1/_count" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("count", -1))'
}
# swait_count INDEX N: waits (60 s at most) until INDEX holds N; prints the count.
swait_count() {
    local i c=0
    for i in $(seq 1 240); do
        c=$(scount "$1")
        [ "$c" -ge "$2" ] && break
        sleep 0.25
    done
    echo "$c"
}
# No credentials: refused.
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" "$SURL/")" 401 "GET / without credentials"

IDX=logs-syslog-$(new_index auth)
PW=$T/secret/password
mkdir -p "$T/secret"
# sec_config FILE USER INDEX [EXTRA]: a tcp input, one sink to the secure node
# whose password is ${file:$PW}, the spool in $T/spool.
sec_config() {
    cat >"$1" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
sinks:
  - type: opensearch
    name: os
    hosts: [$SURL]
    index: $3
    username: $2
    password: "\${file:$PW}"
    tls: { ca: $CA }
    batch: { max_docs: 500, max_wait: 200ms }
    dead_letter: $T/dead.ndjson
buffer:
  path: $T/spool
log:
  level: info
EOC
}
set_pw() { printf '%s\n' "$1" >"$PW"; chmod 600 "$PW"; }

# ---- sluice check --connect, one account after the other ----
check_as() {    # check_as USER PASSWORD -> exit status in $st, output in $T/check.out
    set_pw "$2"
    sec_config "$T/check.yaml" "$1" "$IDX"
    set +e; "$SLUICE" check -c "$T/check.yaml" --connect >"$T/check.out" 2>&1; st=$?; set -e
    sed 's/^/    | /' "$T/check.out"
}
check_as sluice_writer writer-pass
assert_eq "$st" 0 "check --connect exit status as the writer"
grep -q "account sluice_writer (roles sluice_writer) on opensearch" "$T/check.out" || fail "the writer's account and roles not shown"
grep -q "ok: can write to index $IDX" "$T/check.out" || fail "check does not say the writer can write"
grep -q "superuser" "$T/check.out" && fail "the writer called a superuser"
check_as admin admin-pass
assert_eq "$st" 0 "check --connect exit status as the admin (a warning only)"
grep -q "warning: admin is a superuser (role all_access)" "$T/check.out" || fail "no superuser warning for the admin"
check_as dash_reader reader-pass
assert_eq "$st" 1 "check --connect exit status as the dashboards' reader"
grep -q "error: cannot write to index $IDX" "$T/check.out" || fail "check does not say the reader cannot write"
check_as sluice_writer not-the-password
assert_eq "$st" 1 "check --connect exit status with a wrong password"
grep -q "HTTP 401" "$T/check.out" || fail "the refused password is not reported"
grep -q "not-the-password" "$T/check.out" && fail "check printed the password"
# The probe stores nothing (it may create the empty index, as a first write would).
assert_eq "$(scount "$IDX")" 0 "documents stored by the check probes"

# ---- a wrong password: the sink stops, the events wait in the spool ----
N=3000
WRONG="wrong-$RANDOM-pass"
set_pw "$WRONG"
sec_config "$T/run.yaml" sluice_writer "$IDX"
start_sluice "$T/run.yaml" --stats-interval 200ms
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog authwait --timeout 60 ||
    fail "sender failed"
wait_log "sink stopped: the cluster refused the credentials" 20
line=$(grep -m1 "sink stopped:" "$T/sluice.log")
note "logged: ${line#*error  }"
for want in "sink.opensearch\[os\]" "HTTP 401" "user 'sluice_writer'" "at $SURL" \
            "the events wait in the buffer" "fix the secret file" "send SIGHUP"; do
    grep -q -- "$want" <<<"$line" || fail "the error does not say '$want'"
done
assert_eq "$(wait_stat spool appended "$N" 20)" "$N" "events appended to the spool"
assert_eq "$(wait_stat sink=os backlog "$N" 10)" "$N" "the sink's backlog in the stats"
assert_eq "$(spool_status "$T/spool" records)" "$N" "records in the spool (sluice buffer status)"
assert_eq "$(grep -c "sink stopped:" "$T/sluice.log")" 1 "stop errors logged (once per episode)"
assert_eq "$(scount "$IDX")" 0 "documents indexed with the wrong password"
[ -s "$T/dead.ndjson" ] && fail "events dead-lettered while the password was wrong"

# ---- a SIGHUP while the config file does not load changes nothing ----
cp "$T/run.yaml" "$T/run.yaml.good"
printf 'sinks: [\n' >>"$T/run.yaml"
set_pw writer-pass
kill -HUP "$SLUICE_PID"
wait_log "reload: SIGHUP: $T/run.yaml does not load .*the running credentials stay" 10
note "ok: a config that does not load: the running credentials stay"
assert_eq "$(scount "$IDX")" 0 "documents after a SIGHUP with a broken config"
mv "$T/run.yaml.good" "$T/run.yaml"

# ---- the secret file fixed, SIGHUP: the backlog goes out, each event once ----
kill -HUP "$SLUICE_PID"
wait_log "reload: SIGHUP: secrets read again from $T/run.yaml for sinks=1" 10
assert_eq "$(swait_count "$IDX" "$N")" "$N" "documents after the fixed secret and SIGHUP"
wait_log "credentials accepted: sending again" 5
res=$(IT_CA=$CA IT_AUTH=admin:admin-pass python3 "$IT_DIR/seqs.py" "$SURL" "$IDX" --prog authwait)
note "seqs: $res"
assert_eq "$(field "$res" distinct)" "$N" "distinct seqs"
assert_eq "$(field "$res" dups)" 0 "seqs indexed twice"
assert_eq "$(field "$res" missing_below)" 0 "seqs missing"
for secret in "$WRONG" writer-pass; do
    grep -q -- "$secret" "$T/sluice.log" && fail "a password is in the log"
done
note "ok: no password in the log"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"
grep -q "stopped: everything received was delivered" "$T/sluice.log" || fail "stop did not report everything delivered"
assert_eq "$(scount "$IDX")" "$N" "documents after stop"

# ---- sluice replay of that spool with a wrong password, then SIGHUP ----
# Every record is already in the index: once the secret is fixed, all come
# back as duplicates (409), none is stored twice.
set_pw "$WRONG"
"$SLUICE" replay -c "$T/run.yaml" -v info >"$T/replay.out" 2>&1 &
RPID=$!
PIDS+=("$RPID")
wait_log "sink stopped: the cluster refused the credentials" 20 "$T/replay.out"
set_pw writer-pass
kill -HUP "$RPID"
set +e; wait "$RPID"; rst=$?; set -e
assert_eq "$rst" 0 "exit status of the replay after SIGHUP"
grep -q "new credentials applied" "$T/replay.out" || fail "the replay did not take the new credentials"
note "replay: $(grep -o 'sent=.*' "$T/replay.out" | tail -n1)"
grep -q "created=0 duplicates=$N" "$T/replay.out" || fail "the replay did not find every record already there"
assert_eq "$(scount "$IDX")" "$N" "documents after the replay (duplicates only)"

# ---- a privilege missing on the index: stop too, not dead letters ----
OTHER=it-noaccess-$(new_index auth)
N2=500
rm -rf "$T/spool"
: >"$T/sluice.log"
sec_config "$T/run2.yaml" sluice_writer "$OTHER"
start_sluice "$T/run2.yaml" --stats-interval 200ms
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N2" --prog authpriv --timeout 60 ||
    fail "sender failed"
wait_log "sink stopped: .*lacks a privilege on index $OTHER" 20
note "logged: $(grep -m1 "sink stopped:" "$T/sluice.log" | cut -c1-220)..."
[ -s "$T/dead.ndjson" ] && fail "good events dead-lettered for a missing privilege"
assert_eq "$(wait_stat sink=os backlog "$N2" 10)" "$N2" "backlog while the privilege is missing"
# The admin grants the index pattern; SIGHUP sends at once (same credentials).
role=$(python3 - <<'EOP'
import json
# The writer role of roles.yml plus the pattern it-noaccess-*, as the REST API takes it.
print(json.dumps({
  "cluster_permissions": ["cluster:monitor/main", "indices:data/write/bulk"],
  "index_permissions": [{"index_patterns": ["logs-syslog-*", "it-noaccess-*"],
    "allowed_actions": ["indices:data/write/bulk*", "indices:data/write/index",
      "indices:admin/create", "indices:admin/mapping/put", "indices:admin/data_stream/create"]}]}))
EOP
)
sos -X PUT -H 'Content-Type: application/json' "$SURL/_plugins/_security/api/roles/sluice_writer" -d "$role" >"$T/role.out"
grep -q '"status":"OK"' "$T/role.out" || fail "could not widen the writer role: $(cat "$T/role.out")"
kill -HUP "$SLUICE_PID"
assert_eq "$(swait_count "$OTHER" "$N2")" "$N2" "documents once the privilege was granted and SIGHUP sent"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"
