#!/usr/bin/env bash
# A pathological line cannot stall the pipeline: a catastrophic-backtracking
# expression (^(a+)+$) against a 30 KB line of 'a's ending in 'b' hits PCRE2's
# limits; that line is indexed with its message, tagged _sluice_grammar_limit
# and counted, and the lines around it keep flowing and matching.
. "$(dirname "$0")/lib.sh"
IDX=$(new_index glimit)
es_config "$T/sluice.yaml" "$IDX"
cat >>"$T/sluice.yaml" <<EOC
grammars:
  patterns: [$TOP/grammars/patterns]
  definitions:
    - name: evil
      type: grok
      match: ['^(a+)+\$']
    - name: ok
      type: grok
      match: ['^ok %{INT:n:int}\$']
  routes:
    evil: [evil]
    okprog: [ok]
EOC
start_sluice "$T/sluice.yaml"
TCP=$(port tcp)
python3 - "$T/lines" <<'EOP'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(5):
        f.write("<13>Nov 23 10:00:00 h okprog: ok %d\n" % i)
    f.write("<13>Nov 23 10:00:00 h evil: " + "a" * 30000 + "b\n")
    for i in range(5, 10):
        f.write("<13>Nov 23 10:00:00 h okprog: ok %d\n" % i)
EOP
python3 "$IT_DIR/send.py" --port "$TCP" --raw "@$T/lines"
c=$(wait_count "$IDX" 11 60)
assert_eq "$c" 11 "documents: the pathological line and the ten around it"
assert_eq "$(count "$IDX" "process.name:okprog AND n:[0 TO 9]")" 10 "lines after the pathological one still matched (typed n)"
d=$(search "$IDX" "process.name:evil" 1)
[ -n "$d" ] || fail "the pathological line was not indexed"
case "$(field "$d" tags)" in *_sluice_grammar_limit*) note "ok: tagged _sluice_grammar_limit" ;; *) fail "tags: $(field "$d" tags)" ;; esac
len=$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["message"]))' "$d")
assert_eq "$len" 30001 "the pathological line keeps its whole message"
stop_sluice; st=$SLUICE_STATUS
assert_eq "$st" 0 "exit status"
grep -E 'normalized .*limit=1' "$T/sluice.log" >/dev/null || fail "limit not counted: $(grep normalized "$T/sluice.log" | tail -1)"
note "ok: the limit hit is counted in the final stats"
