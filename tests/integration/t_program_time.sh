#!/usr/bin/env bash
# A program's own timestamp end to end: nginx through the built-in grammar
# with the config's timestamp: rule. The access line's time (late on the
# 23rd) is @timestamp, so the document lands in the 23rd's daily index
# although its syslog header says the 24th; the header's time is
# event.created, indexed as a date; a line whose time no format reads stays
# on the header's day with _sluice_date_parse_failure.
. "$(dirname "$0")/lib.sh"
IDX=$(new_index progtime)
es_config "$T/sluice.yaml" "$IDX-%Y.%m.%d"
cat >>"$T/sluice.yaml" <<'EOC'
grammars:
  definitions:
    - name: nginx
      type: grok
      builtin: nginx
      timestamp: { field: nginx.access.time, format: HTTPDATE }
  routes:
    nginx: nginx
EOC
"$SLUICE" check -c "$T/sluice.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "sluice check refused the config"; }
start_sluice "$T/sluice.yaml"
TCP=$(port tcp)
note "sluice tcp=$TCP index=$IDX-*"

{
    printf '<190>1 2026-11-24T00:00:05Z web1 nginx - - - 203.0.113.9 - - [23/Nov/2026:23:59:59 +0000] "GET /late HTTP/1.1" 200 612 "-" "curl/8.0"\n'
    printf '<190>1 2026-11-24T00:00:06Z web1 nginx - - - 203.0.113.9 - - [31/Nov/2026:23:59:59 +0000] "GET /bad HTTP/1.1" 200 612 "-" "curl/8.0"\n'
} >"$T/lines"
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/lines"

c=$(wait_count "$IDX-2026.11.23" 1 60)
assert_eq "$c" "1" "documents in the program time's daily index"
c=$(wait_count "$IDX-2026.11.24" 1 60)
assert_eq "$c" "1" "documents in the header's daily index (unreadable program time)"

d=$(search "$IDX-2026.11.23" "url.original:\"/late\"" 1)
[ -n "$d" ] || fail "no document for /late"
assert_eq "$(field "$d" @timestamp)" "2026-11-23T23:59:59.000Z" "@timestamp is nginx's time"
assert_eq "$(field "$d" event.created)" "2026-11-24T00:00:05.000Z" "event.created is the header's"
assert_eq "$(count "$IDX-2026.11.23" "event.created:[2026-11-24T00:00:00Z TO 2026-11-24T00:00:10Z]")" "1" \
    "event.created is indexed as a date"
assert_eq "$(count "$IDX-2026.11.24" "tags:_sluice_date_parse_failure")" "1" "the unreadable time tagged"

stop_sluice
assert_eq "$SLUICE_STATUS" "0" "sluice exit status"
