#!/usr/bin/env bash
# Host and time enrichment against the node: observer.hostname is this
# machine's, static fields (global and per input, the input's winning),
# the host map's labels by hostname and by the sender's network,
# source.domain by reverse DNS (127.0.0.1 is answered by /etc/hosts, read
# once at start: evdns alone would not), a zone per input for a 3164 line,
# a SIGHUP that swaps a changed host map in (a broken one is refused and
# the old map stays), and source.domain from a DNS responder written here
# (the first message goes without it, the next after the answer has it).
. "$(dirname "$0")/lib.sh"
IDX=$(new_index enrich)
es_config "$T/sluice.yaml" "$IDX"
sed -i 's|    name: tcp$|    name: tcp\n    fields: {env: prod}\n    timezone: Europe/Paris|' "$T/sluice.yaml"
cat >"$T/hosts.map" <<'EOM'
web01        owner=web-team role=frontend
127.0.0.0/8  site=loopback
EOM
cat >>"$T/sluice.yaml" <<EOC
enrich:
  fields: {env: global, labels.team: ops}
  tags: [enriched]
  hosts: {file: $T/hosts.map}
  dns: {reverse: true, timeout: 1s}
EOC
"$SLUICE" check -c "$T/sluice.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "sluice check refused the config"; }
start_sluice "$T/sluice.yaml"
TCP=$(port tcp)
UDP=$(port udp)
want_domain=$(awk '$1 == "127.0.0.1" { print $2; exit }' /etc/hosts)
note "sluice tcp=$TCP udp=$UDP index=$IDX; /etc/hosts names 127.0.0.1 '${want_domain:-nothing}'"

printf '<13>Nov 23 10:00:00 web01 app: from web01\n<13>Nov 23 10:00:01 db07 app: from db07\n' >"$T/lines"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/lines"
python3 "$IT_DIR/send.py" --port "$UDP" --udp --host db08 --tag "over udp"
c=$(wait_count "$IDX" 3 60)
assert_eq "$c" "3" "documents indexed"

d=$(search "$IDX" 'message:"from web01"' 1)
[ -n "$d" ] || fail "no document from web01"
assert_eq "$(field "$d" observer.hostname)" "$(hostname)" "observer.hostname"
assert_eq "$(field "$d" env)" "prod" "env (the input's wins)"
assert_eq "$(field "$d" labels.team)" "ops" "labels.team (global)"
assert_eq "$(field "$d" labels.owner)" "web-team" "labels.owner (by hostname)"
assert_eq "$(field "$d" labels.site)" "" "no network entry when the hostname matched"
assert_eq "$(field "$d" tags)" '["enriched"]' "tags"
assert_eq "$(field "$d" @timestamp)" "2026-11-23T09:00:00.000Z" "@timestamp (the input's zone: Paris)"
[ -n "$want_domain" ] && assert_eq "$(field "$d" source.domain)" "$want_domain" "source.domain"
d=$(search "$IDX" 'message:"from db07"' 1)
assert_eq "$(field "$d" labels.site)" "loopback" "labels.site (by the sender's network)"
d=$(search "$IDX" 'message:"over udp"' 1)
assert_eq "$(field "$d" env)" "global" "env on the udp input (global)"
assert_eq "$(count "$IDX" 'observer.hostname:*')" "3" "every document has observer.hostname"

# A broken map is refused on SIGHUP; the old one stays.
printf 'web01 owner\n' >"$T/hosts.map"
kill -HUP "$SLUICE_PID"
wait_log "enrich.hosts.file not reloaded.*hosts.map:1" 10
printf '<13>Nov 23 10:00:02 web01 app: after the broken map\n' >"$T/l2"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/l2"
c=$(wait_count "$IDX" 4 60)
d=$(search "$IDX" 'message:"after the broken map"' 1)
assert_eq "$(field "$d" labels.owner)" "web-team" "the old map still serves"

# A good map swaps in.
printf 'web01 owner=new-team\n' >"$T/hosts.map"
kill -HUP "$SLUICE_PID"
wait_log "enrich.hosts.file reloaded" 10
printf '<13>Nov 23 10:00:03 web01 app: after the reload\n' >"$T/l3"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/l3"
c=$(wait_count "$IDX" 5 60)
assert_eq "$c" "5" "documents indexed"
d=$(search "$IDX" 'message:"after the reload"' 1)
assert_eq "$(field "$d" labels.owner)" "new-team" "the new map serves after SIGHUP"

stop_sluice
assert_eq "$SLUICE_STATUS" "0" "sluice exit status"
assert_eq "$(stat_of enrich hosts_reloads)" "1" "final stats: host map reloads"
assert_eq "$(stat_of enrich hosts_reload_errors)" "1" "final stats: refused reloads"
assert_eq "$(stat_of enrich hosts_matched)" "5" "final stats: messages matched in the map"

# Reverse DNS through a resolver: a fixed-answer DNS responder on 127.0.0.1
# (every PTR question gets host1.example.test). The first message from the
# sender goes out without source.domain (the query has just started); once
# the answer is in (the stats say so), the next one has it.
cat >"$T/dns.py" <<'EOP'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(120)
name = b"\x05host1\x07example\x04test\x00"
while True:
    try:
        q, peer = s.recvfrom(512)
    except socket.timeout:
        break
    i = 12
    while i < len(q) and q[i]:
        i += q[i] + 1
    i += 5
    a = q[:2] + b"\x81\x80" + q[4:6] + b"\x00\x01\x00\x00\x00\x00" + q[12:i]
    a += b"\xc0\x0c\x00\x0c\x00\x01\x00\x00\x01\x2c" + len(name).to_bytes(2, "big") + name
    s.sendto(a, peer)
EOP
python3 "$T/dns.py" "$T/dns.port" &
PIDS+=($!)
for i in $(seq 1 50); do [ -s "$T/dns.port" ] && break; sleep 0.1; done
[ -s "$T/dns.port" ] || fail "the DNS responder did not start"
IDX2=$(new_index enrichdns)
es_config "$T/dns.yaml" "$IDX2"
cat >>"$T/dns.yaml" <<EOC
enrich:
  dns: {reverse: true, timeout: 1s, nameserver: '127.0.0.1:$(cat "$T/dns.port")'}
EOC
: >"$T/sluice.log"
start_sluice "$T/dns.yaml" --stats-interval 1s
TCP=$(port tcp)
printf '<13>Nov 23 10:00:00 h app: first\n' >"$T/d1"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/d1"
v=$(wait_stat enrich dns_answers 1 30)
assert_eq "$v" "1" "the resolver's answer is in the cache"
printf '<13>Nov 23 10:00:01 h app: second\n' >"$T/d2"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/d2"
c=$(wait_count "$IDX2" 2 60)
assert_eq "$c" "2" "documents indexed"
assert_eq "$(field "$(search "$IDX2" 'message:first' 1)" source.domain)" "" "the first message went without a name"
assert_eq "$(field "$(search "$IDX2" 'message:second' 1)" source.domain)" "host1.example.test" "source.domain of the second"
stop_sluice
assert_eq "$SLUICE_STATUS" "0" "sluice exit status"
assert_eq "$(stat_of enrich dns_queries)" "1" "one query for one sender"
