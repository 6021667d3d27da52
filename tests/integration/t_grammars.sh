#!/usr/bin/env bash
# Normalization end to end: a config with an inline grok grammar routed to
# sshd; matching lines get the grammar's fields in the OpenSearch index
# (user.name, source.port as a number, source.ip = the client, the sender in
# log.source.address), the others keep their message and get the route's
# miss tag; other programs are left alone. The final stats line counts both.
. "$(dirname "$0")/lib.sh"
IDX=$(new_index grammars)
es_config "$T/sluice.yaml" "$IDX"
cat >>"$T/sluice.yaml" <<EOC
grammars:
  patterns: [$TOP/grammars/patterns]
  definitions:
    - name: sshd-login
      type: grok
      match:
        - 'Accepted %{WORD:sshd.auth.method} for %{USERNAME:user.name} from %{IP:source.ip} port %{INT:source.port:int} ssh2'
  routes:
    sshd: [sshd-login]
EOC
"$SLUICE" check -c "$T/sluice.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "sluice check refused the grammars config"; }
start_sluice "$T/sluice.yaml"
TCP=$(port tcp)
note "sluice tcp=$TCP index=$IDX"

: >"$T/lines"
for i in $(seq 1 20); do
    printf '<38>Nov 23 09:59:58 bastion sshd[%d]: Accepted publickey for user%d from 203.0.113.%d port %d ssh2\n' \
        "$((1000 + i))" "$i" "$i" "$((50000 + i))" >>"$T/lines"
done
for i in $(seq 1 5); do
    printf '<38>Nov 23 09:59:59 bastion sshd[%d]: Connection closed by 198.51.100.%d port 22 [preauth]\n' \
        "$((2000 + i))" "$i" >>"$T/lines"
done
for i in $(seq 1 3); do
    printf '<78>Nov 23 10:00:00 bastion CRON[%d]: (root) CMD (run-parts /etc/cron.hourly)\n' \
        "$((3000 + i))" >>"$T/lines"
done
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/lines"

c=$(wait_count "$IDX" 28 60)
assert_eq "$c" "28" "documents indexed"
assert_eq "$(count "$IDX" "user.name:*")" "20" "documents with user.name"
assert_eq "$(count "$IDX" "tags:_sluice_nomatch_sshd")" "5" "sshd misses tagged"
assert_eq "$(count "$IDX" "process.name:CRON AND tags:*")" "0" "unrouted program untagged"
# source.port is mapped as a number: a range query finds exactly the 20
assert_eq "$(count "$IDX" "source.port:[50001 TO 50020]")" "20" "source.port as a number"

d=$(search "$IDX" "user.name:user7" 1)
[ -n "$d" ] || fail "no document for user7"
assert_eq "$(field "$d" user.name)" "user7" "user.name"
assert_eq "$(field "$d" sshd.auth.method)" "publickey" "sshd.auth.method"
assert_eq "$(field "$d" source.ip)" "203.0.113.7" "source.ip is the ssh client"
assert_eq "$(field "$d" source.port)" "50007" "source.port"
assert_eq "$(field "$d" log.source.address)" "127.0.0.1" "log.source.address is the sender"
assert_eq "$(field "$d" host.hostname)" "bastion" "host.hostname kept"
assert_eq "$(field "$d" process.pid)" "1007" "process.pid kept"
assert_eq "$(field "$d" message)" "Accepted publickey for user7 from 203.0.113.7 port 50007 ssh2" "message kept"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if isinstance(d["source"]["port"], int) else 1)' "$d" ||
    fail "source.port is not a JSON number in the document"

m=$(search "$IDX" "tags:_sluice_nomatch_sshd" 1)
assert_eq "$(field "$m" source.ip)" "127.0.0.1" "a miss keeps the sender as source.ip"
assert_eq "$(field "$m" user.name)" "" "a miss has no grammar fields"

stop_sluice
assert_eq "$SLUICE_STATUS" "0" "sluice exit status"
grep -q "final normalized matched=20 nomatch=5 limit=0" "$T/sluice.log" ||
    fail "final stats line: $(grep normalized "$T/sluice.log" || echo none)"
note "ok: final stats line counts matched=20 nomatch=5"
