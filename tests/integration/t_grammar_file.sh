#!/usr/bin/env bash
# A per-program grammar file end to end: the config routes sshd to the
# repository's grammars/sshd/sshd.grok (file: instead of match:); the index
# gets the expression's captures and its SET constants (event.outcome
# success for Accepted, failure for Failed), and a line no EXPR knows keeps
# its message with the route's miss tag.
. "$(dirname "$0")/lib.sh"
IDX=$(new_index grammarfile)
es_config "$T/sluice.yaml" "$IDX"
cat >>"$T/sluice.yaml" <<EOC
grammars:
  patterns: [$TOP/grammars/patterns]
  definitions:
    - { name: sshd, type: grok, file: $TOP/grammars/sshd/sshd.grok }
  routes:
    sshd: sshd
EOC
"$SLUICE" check -c "$T/sluice.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "sluice check refused the grammar file"; }
start_sluice "$T/sluice.yaml"
TCP=$(port tcp)
note "sluice tcp=$TCP index=$IDX"

{
    printf '<38>Nov 23 09:59:58 bastion sshd[1001]: Accepted password for alice from 203.0.113.5 port 52144 ssh2\n'
    printf '<38>Nov 23 09:59:58 bastion sshd[1002]: Failed password for bob from 198.51.100.9 port 40022 ssh2\n'
    printf '<38>Nov 23 09:59:59 bastion sshd[1003]: Server listening on 0.0.0.0 port 22 today.\n'
} >"$T/lines"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/lines"

c=$(wait_count "$IDX" 3 60)
assert_eq "$c" "3" "documents indexed"

d=$(search "$IDX" "user.name:alice" 1)
[ -n "$d" ] || fail "no document for alice"
assert_eq "$(field "$d" event.outcome)" "success" "event.outcome (SET)"
assert_eq "$(field "$d" event.action)" "ssh_login" "event.action (SET)"
assert_eq "$(field "$d" sshd.method)" "password" "sshd.method (captured)"
assert_eq "$(field "$d" source.ip)" "203.0.113.5" "source.ip (captured)"
assert_eq "$(field "$d" source.port)" "52144" "source.port (captured)"

d=$(search "$IDX" "user.name:bob" 1)
[ -n "$d" ] || fail "no document for bob"
assert_eq "$(field "$d" event.outcome)" "failure" "event.outcome of a Failed line (SET)"

assert_eq "$(count "$IDX" "tags:_sluice_nomatch_sshd")" "1" "the unknown sshd line tagged"

stop_sluice
assert_eq "$SLUICE_STATUS" "0" "sluice exit status"
grep -q "final normalized matched=2 nomatch=1 limit=0" "$T/sluice.log" ||
    fail "final stats line: $(grep normalized "$T/sluice.log" || echo none)"
note "ok: SET constants and captures from grammars/sshd/sshd.grok"
