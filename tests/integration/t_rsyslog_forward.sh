#!/usr/bin/env bash
# Debian's rsyslog forwards to sluice with omfwd in three ways (TCP with the
# RFC 5424 template and LF framing, TCP octet-counted with the forward format,
# UDP with the traditional format); sluice indexes into the real OpenSearch
# node. TCP counts must be exact; fields of sampled documents must be right.
. "$(dirname "$0")/lib.sh"
N=${IT_RSYSLOG_N:-10000}
N2=2000
IDX=$(new_index rsyslog)
es_config "$T/sluice.yaml" "$IDX"
start_sluice "$T/sluice.yaml"
TCP=$(port tcp); UDP=$(port udp)
note "sluice tcp=$TCP udp=$UDP index=$IDX"

mkdir -p "$T/rs"
cat >"$T/rs/rsyslog.conf" <<EOC
global(workDirectory="$T/rs" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" port="0" listenPortFileName="$T/rs/port-5424" ruleset="fwd5424")
input(type="imtcp" port="0" listenPortFileName="$T/rs/port-octet" ruleset="fwdoctet")
input(type="imtcp" port="0" listenPortFileName="$T/rs/port-udp" ruleset="fwdudp")
ruleset(name="fwd5424") {
  action(type="omfwd" target="127.0.0.1" port="$TCP" protocol="tcp"
         template="RSYSLOG_SyslogProtocol23Format" TCP_Framing="traditional")
}
ruleset(name="fwdoctet") {
  action(type="omfwd" target="127.0.0.1" port="$TCP" protocol="tcp"
         template="RSYSLOG_ForwardFormat" TCP_Framing="octet-counted")
}
ruleset(name="fwdudp") {
  action(type="omfwd" target="127.0.0.1" port="$UDP" protocol="udp"
         template="RSYSLOG_TraditionalForwardFormat")
}
EOC
rsyslogd -N1 -f "$T/rs/rsyslog.conf" >/dev/null 2>&1 || fail "rsyslog rejected the test config"
rsyslogd -n -f "$T/rs/rsyslog.conf" -i "$T/rs/pid" >"$T/rs/rsyslog.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do
    [ -s "$T/rs/port-5424" ] && [ -s "$T/rs/port-octet" ] && [ -s "$T/rs/port-udp" ] && break
    sleep 0.1
done
[ -s "$T/rs/port-udp" ] || fail "rsyslog did not write its port files"

TS=$(date -u +%s)
EXP_TS=$(date -u -d "@$TS" +%Y-%m-%dT%H:%M:%S)
python3 "$IT_DIR/send.py" --port "$(cat "$T/rs/port-5424")" --count "$N" --prog tcp5424 --pid 1111 --pri 134 --ts "$TS"
python3 "$IT_DIR/send.py" --port "$(cat "$T/rs/port-octet")" --count "$N2" --prog tcpoctet --pid 2222 --pri 11 --ts "$TS"
# UDP: rsyslog forwards as fast as it can; a modest rate keeps loopback from dropping.
python3 "$IT_DIR/send.py" --port "$(cat "$T/rs/port-udp")" --count "$N2" --prog udptrad --pid 3333 --pri 38 --ts "$TS"

c=$(wait_count "$IDX" $((N + N2 + N2)) 120)
c5424=$(count "$IDX" "process.name:tcp5424")
coct=$(count "$IDX" "process.name:tcpoctet")
cudp=$(count "$IDX" "process.name:udptrad")
note "counts: tcp5424=$c5424 tcpoctet=$coct udp=$cudp total=$c"
assert_eq "$c5424" "$N" "documents via rsyslog TCP RFC 5424 (LF framing)"
assert_eq "$coct" "$N2" "documents via rsyslog TCP octet-counted"
# UDP may lose datagrams by design; on loopback at this volume it should not lose many.
[ "$cudp" -ge $((N2 * 95 / 100)) ] && [ "$cudp" -le "$N2" ] || fail "UDP documents: $cudp of $N2"
note "ok: UDP documents $cudp of $N2 (>= 95%)"
# No duplicates and none missing: every seq 0..N-1 is there exactly once.
seqs=$(curl -sS -G "$OS_URL/$IDX/_search" --data-urlencode "q=process.name:tcp5424" \
    --data-urlencode "size=$N" --data-urlencode "_source=message" |
  python3 -c 'import json,sys
hits = json.load(sys.stdin)["hits"]["hits"]
seqs = sorted(int(h["_source"]["message"].rsplit("seq=", 1)[1]) for h in hits)
print(len(set(seqs)) if seqs == list(range(len(seqs))) else "gaps-or-duplicates")')
assert_eq "$seqs" "$N" "distinct tcp5424 messages"

check_doc() {  # check_doc PROG PID SEV FAC_NAME SEQ
    local d
    d=$(search "$IDX" "process.name:$1 AND message:\"seq=$5\"" 1)
    [ -n "$d" ] || fail "no document for $1 seq=$5"
    assert_eq "$(field "$d" host.hostname)" "testhost" "$1 seq=$5 host.hostname"
    assert_eq "$(field "$d" process.name)" "$1" "$1 seq=$5 process.name"
    assert_eq "$(field "$d" process.pid)" "$2" "$1 seq=$5 process.pid"
    assert_eq "$(field "$d" log.syslog.severity.code)" "$3" "$1 seq=$5 severity code"
    assert_eq "$(field "$d" log.syslog.facility.name)" "$4" "$1 seq=$5 facility name"
    local ts msg
    ts=$(field "$d" @timestamp)
    assert_eq "${ts:0:19}" "$EXP_TS" "$1 seq=$5 @timestamp (to the second)"
    msg=$(field "$d" message)
    assert_eq "$msg" "hello seq=$5" "$1 seq=$5 message"
    assert_eq "$(field "$d" source.ip)" "127.0.0.1" "$1 seq=$5 source.ip"
}
check_doc tcp5424 1111 6 local0 0
check_doc tcp5424 1111 6 local0 $((N / 2))
check_doc tcp5424 1111 6 local0 $((N - 1))
check_doc tcpoctet 2222 3 user 7
check_doc udptrad 3333 6 auth 5
stop_sluice; st=$SLUICE_STATUS
assert_eq "$st" 0 "sluice exit status after SIGTERM"
