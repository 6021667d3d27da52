#!/usr/bin/env bash
# `sluice test`: lines through a config's grammars without a daemon. The JSON
# documents carry the grammar's fields; --expect passes on a golden file from
# the same run and fails, naming the key, when a value changed; --format table
# prints KEY<TAB>VALUE; a config typo exits 2. (No OpenSearch is used.)
# it-node: none
. "$(dirname "$0")/lib.sh"
cat >"$T/cfg.yaml" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
sinks:
  - type: ndjson
    name: out
    path: $T/out.ndjson
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
cat >"$T/lines.log" <<'EOL'
<38>Nov 23 09:59:58 bastion sshd[1001]: Accepted publickey for alice from 203.0.113.7 port 50007 ssh2
<38>Nov 23 09:59:59 bastion sshd[2001]: Connection closed by 198.51.100.1 port 22 [preauth]
EOL

"$SLUICE" test -c "$T/cfg.yaml" "$T/lines.log" >"$T/out.json" 2>"$T/err" || { cat "$T/err"; fail "sluice test failed"; }
assert_eq "$(wc -l <"$T/out.json" | tr -d ' ')" "2" "documents printed"
first=$(head -n 1 "$T/out.json")
assert_eq "$(field "$first" user.name)" "alice" "user.name"
assert_eq "$(field "$first" source.port)" "50007" "source.port"
assert_eq "$(field "$first" sshd.auth.method)" "publickey" "sshd.auth.method"
grep -q '_sluice_nomatch_sshd' <(sed -n 2p "$T/out.json") || fail "miss not tagged"
grep -q 'route sshd: matched=1 missed=1' "$T/err" || { cat "$T/err"; fail "summary lacks the route counts"; }
note "ok: summary counts"

# A golden file from this run: equal apart from event.ingested, which is ignored.
cp "$T/out.json" "$T/golden.ndjson"
sleep 0.01
"$SLUICE" test -c "$T/cfg.yaml" --expect "$T/golden.ndjson" "$T/lines.log" >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "--expect with a correct golden file did not exit 0"; }
note "ok: --expect exits 0 on a matching golden file"

sed 's/"alice"/"mallory"/' "$T/golden.ndjson" >"$T/bad.ndjson"
st=0
"$SLUICE" test -c "$T/cfg.yaml" --expect "$T/bad.ndjson" "$T/lines.log" >/dev/null 2>"$T/err" || st=$?
assert_eq "$st" "1" "--expect exit status on a changed value"
grep -q 'line 1: user.name: expected "mallory", got "alice"' "$T/err" || { cat "$T/err"; fail "diff does not name the key"; }
note "ok: diff names user.name"

"$SLUICE" test -c "$T/cfg.yaml" --format table "$T/lines.log" >"$T/table" 2>/dev/null || fail "--format table failed"
grep -qP '^user\.name\talice$' "$T/table" || { cat "$T/table"; fail "no user.name<TAB>alice row"; }
note "ok: table row user.name<TAB>alice"

# A bare message needs --program; with it, it is routed like the program's lines.
echo 'Accepted password for bob from 10.0.0.1 port 22 ssh2' >"$T/bare.log"
st=0
"$SLUICE" test -c "$T/cfg.yaml" "$T/bare.log" >/dev/null 2>&1 || st=$?
assert_eq "$st" "2" "bare message without --program"
d=$("$SLUICE" test -c "$T/cfg.yaml" --program sshd "$T/bare.log" 2>/dev/null)
assert_eq "$(field "$d" user.name)" "bob" "bare message user.name"

st=0
"$SLUICE" test -c "$T/cfg.yaml" --fail-on-miss "$T/lines.log" >/dev/null 2>&1 || st=$?
assert_eq "$st" "1" "--fail-on-miss with a missed line"

# --explain on a miss says how far the expression got and where it stopped.
echo '<38>Nov 23 10:00:00 bastion sshd[3001]: Accepted publickey for alice from host.example port 22 ssh2' >"$T/miss.log"
set +e; "$SLUICE" test -c "$T/cfg.yaml" --explain "$T/miss.log" >/dev/null 2>"$T/err"; st=$?; set -e
assert_eq "$st" 0 "exit status of --explain on a miss (no --fail-on-miss)"
grep -q 'line 1: grammar sshd-login: expression .Accepted .*matched 34 of 59 bytes; stopped at piece %{IP:source.ip} at byte 34: "host.example port 22 ss' "$T/err" ||
    { cat "$T/err"; fail "--explain does not say how far the expression got"; }
note "ok: --explain shows how far the grok expression got"

# --explain on a liblognorm miss: how many bytes the rulebase took, and the rest.
cat >"$T/ln.yaml" <<EOC
grammars:
  definitions:
    - name: linux
      type: lognorm
      rulebase: $TOP/tests/fixtures/lognorm/linux.rb
  routes:
    sshd: linux
EOC
set +e; "$SLUICE" test -c "$T/ln.yaml" --explain "$T/miss.log" >/dev/null 2>"$T/err"; st=$?; set -e
assert_eq "$st" 0 "exit status of --explain on a lognorm miss"
grep -q "^line 1: grammar linux: rulebase .*linux.rb: matched 34 of 59 bytes; unparsed from byte 34: 'host.example port 22 ssh2'$" "$T/err" ||
    { cat "$T/err"; fail "--explain does not say how far the rulebase got"; }
note "ok: --explain shows how far the rulebase got"
# A liblognorm match lands in the document (its field names are built per
# call: the event keeps copies; this crashed before).
d=$("$SLUICE" test -c "$T/ln.yaml" "$T/lines.log" 2>"$T/err" | sed -n 1p) || { cat "$T/err"; fail "lognorm match"; }
assert_eq "$(field "$d" user.name)" "alice" "lognorm user.name"
assert_eq "$(field "$d" source.port)" "50007" "lognorm source.port"
assert_eq "$(field "$d" auth.method)" "publickey" "lognorm auth.method"

# The compiled-in library and program grammars: no patterns:, no file.
cat >"$T/builtin.yaml" <<EOC
grammars:
  definitions:
    - { name: ssh, type: grok, builtin: sshd }
  routes:
    sshd: ssh
EOC
d=$("$SLUICE" test -c "$T/builtin.yaml" "$T/lines.log" 2>"$T/err" | sed -n 1p) || { cat "$T/err"; fail "builtin: sshd"; }
assert_eq "$(field "$d" event.action)" "ssh_login" "builtin: sshd event.action"
assert_eq "$(field "$d" user.name)" "alice" "builtin: sshd user.name"
# --explain on a match names the expression of the grammar file that took it.
"$SLUICE" test -c "$T/builtin.yaml" --explain "$T/lines.log" >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "--explain on builtin: sshd"; }
grep -q "line 1: route sshd: grammar ssh matched, expression accepted: '" "$T/err" ||
    { cat "$T/err"; fail "--explain does not name the matching expression"; }
note "ok: --explain names the expression that matched"

# --now pins the receive time: the year of a BSD stamp without one follows it
# (a December line read in January is last year's, a January line read on
# New Year's Eve next year's), and a golden file made with it stays valid.
printf '%s\n' '<38>Dec 31 23:59:00 bastion sshd[1001]: Accepted publickey for alice from 203.0.113.7 port 50007 ssh2' \
    '<38>Jan  1 00:00:30 bastion sshd[1002]: Accepted publickey for bob from 203.0.113.8 port 50008 ssh2' >"$T/newyear.log"
"$SLUICE" test -c "$T/cfg.yaml" --now 2027-01-03T09:00:00Z "$T/newyear.log" >"$T/jan.json" 2>"$T/err" ||
    { cat "$T/err"; fail "--now in January"; }
assert_eq "$(field "$(sed -n 1p "$T/jan.json")" @timestamp)" "2026-12-31T23:59:00.000Z" "December line read in January"
assert_eq "$(field "$(sed -n 1p "$T/jan.json")" event.ingested)" "2027-01-03T09:00:00.000000Z" "event.ingested is --now"
"$SLUICE" test -c "$T/cfg.yaml" --now 1798761590 "$T/newyear.log" >"$T/dec.json" 2>"$T/err" ||
    { cat "$T/err"; fail "--now on Dec 31"; }
assert_eq "$(field "$(sed -n 2p "$T/dec.json")" @timestamp)" "2027-01-01T00:00:30.000Z" "January line read on New Year's Eve"
assert_eq "$(field "$(sed -n 1p "$T/dec.json")" @timestamp)" "2026-12-31T23:59:00.000Z" "December line read on New Year's Eve"
"$SLUICE" test -c "$T/cfg.yaml" --now 2027-01-03T09:00:00Z --expect "$T/jan.json" "$T/newyear.log" >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "--expect with the same --now did not exit 0"; }
st=0
"$SLUICE" test -c "$T/cfg.yaml" --now 2027-01-03T09:00:01Z --expect "$T/jan.json" "$T/newyear.log" >/dev/null 2>"$T/err" || st=$?
assert_eq "$st" "1" "--expect with --now compares event.ingested"
grep -q 'line 1: event.ingested: expected "2027-01-03T09:00:00.000000Z", got "2027-01-03T09:00:01.000000Z"' "$T/err" ||
    { cat "$T/err"; fail "--now diff does not name event.ingested"; }
st=0
"$SLUICE" test -c "$T/cfg.yaml" --now 2027-01-03T09:00:00 "$T/newyear.log" >/dev/null 2>"$T/err" || st=$?
assert_eq "$st" "2" "--now without a zone is a usage error"

# A program's own time becomes @timestamp (the header's goes to event.created):
# nginx's HTTPDATE through the built-in grammar, and a year-less BSD stamp
# inside an app's message, its year inferred from --now like the header's.
cat >"$T/ts.yaml" <<'EOC'
grammars:
  definitions:
    - name: nginx
      type: grok
      builtin: nginx
      timestamp: { field: nginx.access.time, format: HTTPDATE }
    - name: app
      type: grok
      match: '^(?<app.time>[A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d) (?<app.text>.*)$'
      timestamp: { field: app.time, format: SYSLOG }
  routes:
    nginx: nginx
    app: app
EOC
printf '%s\n' '<190>Jan  3 09:00:05 web1 nginx: 203.0.113.9 - - [03/Jan/2027:09:00:00 +0100] "GET / HTTP/1.1" 200 612 "-" "curl/8.0"' \
    '<14>Jan  3 09:00:00 h app: Dec 31 23:59:59 tick' \
    '<190>Jan  3 09:00:05 web1 nginx: 203.0.113.9 - - [31/Feb/2027:09:00:00 +0100] "GET / HTTP/1.1" 200 612 "-" "curl/8.0"' >"$T/ts.log"
"$SLUICE" test -c "$T/ts.yaml" --now 2027-01-03T09:00:06Z "$T/ts.log" >"$T/ts.json" 2>"$T/err" || { cat "$T/err"; fail "timestamp: config"; }
d1=$(sed -n 1p "$T/ts.json"); d2=$(sed -n 2p "$T/ts.json"); d3=$(sed -n 3p "$T/ts.json")
assert_eq "$(field "$d1" @timestamp)" "2027-01-03T08:00:00.000Z" "nginx HTTPDATE is @timestamp"
assert_eq "$(field "$d1" event.created)" "2027-01-03T09:00:05.000Z" "the header time is event.created"
assert_eq "$(field "$d2" @timestamp)" "2026-12-31T23:59:59.000Z" "a December program time read in January"
assert_eq "$(field "$d3" @timestamp)" "2027-01-03T09:00:05.000Z" "an unreadable program time leaves the header's"
assert_eq "$(field "$d3" tags)" '["_sluice_date_parse_failure"]' "and tags it"
"$SLUICE" test -c "$T/ts.yaml" --now 2027-01-03T09:00:06Z --expect "$T/ts.json" "$T/ts.log" >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "--expect on program timestamps"; }
note "ok: --expect passes on program timestamps"

# Enrichment (tests/fixtures/enrich): the message's level in log.level, JSON
# and logfmt payloads as fields, bad JSON and arrays kept as text and tagged,
# a grammar's log.level normalized; the golden file was reviewed by hand.
E="$TOP/tests/fixtures/enrich"
"$SLUICE" test -c "$E/enrich.yaml" --now 2026-11-23T10:00:30Z "$E/lines.log" >"$T/en.json" 2>"$T/err" ||
    { cat "$T/err"; fail "enrich: sluice test failed"; }
en() { sed -n "${1}p" "$T/en.json"; }
assert_eq "$(field "$(en 1)" log.level)" "error" "JSON level over the severity"
assert_eq "$(field "$(en 1)" log.syslog.severity.name)" "informational" "the severity stays"
assert_eq "$(field "$(en 1)" json.order.id)" "4711" "JSON payload field"
assert_eq "$(field "$(en 2)" json.user.name)" "bob" "@cee: payload"
assert_eq "$(field "$(en 2)" tags)" '["_sluice_payload_limit"]' "past max_depth: tagged"
assert_eq "$(field "$(en 3)" tags)" '["_sluice_bad_json"]' "bad JSON: tagged"
assert_eq "$(field "$(en 4)" tags)" '["_sluice_json_array"]' "JSON array: tagged"
assert_eq "$(field "$(en 5)" log.level)" "warning" "Java-style WARN after the time"
assert_eq "$(field "$(en 6)" logfmt.msg)" 'upstream "db" down' "logfmt quoted value"
assert_eq "$(field "$(en 7)" logfmt)" "" "prose with one = stays text"
assert_eq "$(field "$(en 8)" log.level)" "warning" "nginx grammar's warn, normalized"
assert_eq "$(field "$(en 8)" sluice.clash.log)" "" "and not a clash"
assert_eq "$(field "$(en 9)" log.level)" "info" "error.log and errors=0 are no level"
assert_eq "$(field "$(en 10)" log.level)" "error" "glog E"
"$SLUICE" test -c "$E/enrich.yaml" --now 2026-11-23T10:00:30Z --expect "$E/expected.ndjson" "$E/lines.log" \
    >/dev/null 2>"$T/err" || { cat "$T/err"; fail "enrich: --expect"; }
note "ok: levels and payloads as tests/fixtures/enrich/expected.ndjson says"

# -g: grammar files without a config, tried in the order given, whatever the
# program; bare lines need no --program; a rulebase is told by its name.
printf 'GREETING (?:hello|hi)\n' >"$T/pat.grok"
printf 'EXPR greet ^%%{GREETING:greeting} %%{WORD:who}$\nSET event.action greet\n' >"$T/greet.grok"
printf 'version=2\nrule=:hello %%who:word%%\n' >"$T/greet.rulebase"
printf 'hello alice\nhi bob\nAccepted password for carol from 192.0.2.9 port 22 ssh2\nnothing here\n' >"$T/bare.txt"
"$SLUICE" test -g "$T/greet.rulebase" -g "$T/greet.grok" -g sshd -P "$T/pat.grok" --now 2026-11-23T10:00:00Z \
    "$T/bare.txt" >"$T/g.json" 2>"$T/gerr" || { cat "$T/gerr"; fail "sluice test -g failed"; }
g() { sed -n "${1}p" "$T/g.json"; }
assert_eq "$(field "$(g 1)" who)" "alice" "-g: the rulebase, first, takes 'hello alice'"
assert_eq "$(field "$(g 1)" event.action)" "" "-g: and the grok grammar after it does not run"
assert_eq "$(field "$(g 2)" greeting)" "hi" "-g: the grok file with -P's pattern takes 'hi bob'"
assert_eq "$(field "$(g 2)" event.action)" "greet" "-g: its SET line"
assert_eq "$(field "$(g 3)" user.name)" "carol" "-g sshd: the built-in grammar"
assert_eq "$(field "$(g 4)" tags)" '["_sluice_no_timestamp", "_sluice_nomatch_default"]' "-g: a miss is tagged"
grep -q 'grammar greet \[lognorm\]: matched=1 missed=3' "$T/gerr" || { cat "$T/gerr"; fail "-g: rulebase counts"; }
grep -q 'grammar greet-2 \[grok\]: matched=1 missed=2' "$T/gerr" || { cat "$T/gerr"; fail "-g: grok counts"; }
note "ok: -g grammars in order, a rulebase, a built-in, -P patterns"
for args in "-g $T/none.grok" "-g nosuchgrammar" "-c $T/cfg.yaml -g sshd" "-P $T/pat.grok"; do
    st=0
    # shellcheck disable=SC2086
    "$SLUICE" test $args "$T/bare.txt" >/dev/null 2>"$T/err" || st=$?
    assert_eq "$st" "2" "exit status of sluice test $args"
done
printf 'EXPR bad ^%%{NOSUCHPATTERN:x}\n' >"$T/bad.grok"
st=0
"$SLUICE" test -g "$T/bad.grok" "$T/bare.txt" >/dev/null 2>"$T/err" || st=$?
assert_eq "$st" "2" "exit status on a broken -g grammar"
grep -q "bad.grok:1: .*unknown pattern %{NOSUCHPATTERN}" "$T/err" || { cat "$T/err"; fail "-g: the error names file, line and pattern"; }
note "ok: -g errors exit 2 and name the file"

sed 's/^grammars:/gramars:/' "$T/cfg.yaml" >"$T/typo.yaml"
st=0
"$SLUICE" test -c "$T/typo.yaml" "$T/lines.log" >/dev/null 2>"$T/err" || st=$?
assert_eq "$st" "2" "exit status on a config typo"
echo "PASS"
