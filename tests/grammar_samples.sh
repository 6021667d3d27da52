#!/usr/bin/env bash
# `sluice test --expect` over every grammars/<program>/ (run by make check):
# the daemon's whole parse (pipeline_parse, routing, the grammar file, the
# document) must give, for each line of samples.log, exactly the document
# that expected.ndjson says.
#
# For each program P: a config routes P to grammars/P/P.grok; the samples
# are fed as bare messages (--raw --program P), so they carry no timestamp
# and the goldens do not depend on the year (--expect ignores @timestamp of
# a line without one, and event.ingested). The golden documents are built
# here: the document `sluice test` gives each line with no grammars at all,
# plus the line's expected fields put where parser/README.md says
# ("Grammar fields in the document": dotted paths nest, paths sluice writes
# itself go under sluice.clash, a grammar's source.* moves the sender to
# log.source; on a matched line log.level is the grammar's log.level when
# that is a level word, normalized, else the severity's: the text is not
# searched, "Log level"), plus the route's miss tag for a `_nomatch` line. Then
# `sluice test --expect` must exit 0, every line must be as expected, and
# the route must have matched exactly the lines that are not `_nomatch`.
set -euo pipefail
top=$(cd "${srcdir:-.}" && pwd)
SLUICE=${SLUICE:-./sluice}
[ -x "$SLUICE" ] || { echo "grammar_samples: no $SLUICE (build first)"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/sluice-gs.XXXXXX")
trap 'rm -rf "$T"' EXIT

base_cfg() {
    cat <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
sinks:
  - type: ndjson
    name: out
    path: $T/out.ndjson
EOC
}

# golden.py BASE EXPECTED PROGRAM: the golden documents on stdout; the number
# of lines expected to match and to miss on stderr as "MATCH MISS".
cat >"$T/golden.py" <<'EOP'
import json, sys

SCALARS1 = {"@timestamp", "message", "tags"}
OBJECTS = {"host", "log", "process", "source", "network", "event"}
SCALARS2 = {("host", "hostname"), ("log", "level"), ("process", "name"),
            ("process", "pid"), ("network", "transport"), ("event", "ingested"),
            ("log", "syslog"), ("log", "source")}

# parser/level.c's vocabulary (a grammar's log.level with one of these words,
# any case, becomes log.level; enrich.level's defaults)
LEVELS = {"emerg": "emergency", "emergency": "emergency", "panic": "emergency",
          "alert": "alert", "crit": "critical", "critical": "critical", "fatal": "critical",
          "err": "error", "error": "error", "severe": "error", "warn": "warning",
          "warning": "warning", "notice": "notice", "info": "info", "information": "info",
          "informational": "info", "debug": "debug", "trace": "debug", "verbose": "debug",
          "e": "error", "w": "warning", "i": "info", "d": "debug", "n": "notice",
          "c": "critical", "f": "critical", "t": "debug", "v": "debug"}

def clash(keys):
    if keys[0] == "sluice" or keys[0] in SCALARS1:
        return True
    if len(keys) == 1 and keys[0] in OBJECTS:
        return True
    return len(keys) > 1 and (keys[0], keys[1]) in SCALARS2

def put(doc, keys, val, where):
    d = doc
    for k in keys[:-1]:
        d = d.setdefault(k, {})
        if not isinstance(d, dict):
            sys.exit("%s: %s would nest under a value" % (where, ".".join(keys)))
    if keys[-1] in d:
        sys.exit("%s: %s is already in the document" % (where, ".".join(keys)))
    d[keys[-1]] = val

base_path, exp_path, prog = sys.argv[1:4]
with open(base_path) as f:
    bases = [json.loads(l) for l in f if l.strip()]
with open(exp_path) as f:
    exps = [json.loads(l) for l in f if l.strip()]
if len(bases) != len(exps):
    sys.exit("%s: %d documents for %d expectations" % (prog, len(bases), len(exps)))
match = miss = 0
for n, (doc, exp) in enumerate(zip(bases, exps), 1):
    where = "%s/expected.ndjson:%d" % (prog, n)
    if exp.get("_nomatch"):
        miss += 1
        doc.setdefault("tags", []).append("_sluice_nomatch_" + prog)
    else:
        match += 1
        fields = {k: v for k, v in exp.items() if not k.startswith("_")}
        sev = doc["log"]["syslog"]["severity"]["name"]
        doc["log"]["level"] = "info" if sev == "informational" else sev
        if any(k.split(".")[0] == "source" for k in fields) and "source" in doc:
            sender = doc.pop("source")
            moved = {"address": sender.get("ip")} if "ip" in sender else {}
            if "port" in sender:
                moved["port"] = sender["port"]
            doc.setdefault("log", {})["source"] = moved
        for k, v in fields.items():
            keys = [p for p in k.split(".") if p]
            if keys == ["log", "level"] and isinstance(v, str) and v.lower() in LEVELS:
                doc["log"]["level"] = LEVELS[v.lower()]
                continue
            if clash(keys):
                keys = ["sluice", "clash"] + keys
            put(doc, keys, v, where)
    print(json.dumps(doc))
print(match, miss, file=sys.stderr)
EOP

base_cfg >"$T/base.yaml"
failed=0 programs=0
for dir in "$top"/grammars/*/; do
    prog=$(basename "$dir")
    [ "$prog" = patterns ] && continue
    programs=$((programs + 1))
    { base_cfg; cat <<EOC; } >"$T/$prog.yaml"
grammars:
  patterns: [$top/grammars/patterns]
  definitions:
    - { name: $prog, type: grok, file: $dir$prog.grok }
  routes:
    $prog: $prog
EOC
    "$SLUICE" test -c "$T/base.yaml" --raw --program "$prog" "$dir/samples.log" \
        >"$T/$prog.base" 2>"$T/$prog.err" || { cat "$T/$prog.err"; echo "FAIL $prog: sluice test without grammars"; failed=$((failed + 1)); continue; }
    if ! python3 "$T/golden.py" "$T/$prog.base" "$dir/expected.ndjson" "$prog" \
            >"$T/$prog.golden" 2>"$T/$prog.counts"; then
        cat "$T/$prog.counts"; echo "FAIL $prog: cannot build the golden documents"
        failed=$((failed + 1)); continue
    fi
    read -r want_match want_miss <"$T/$prog.counts"
    lines=$((want_match + want_miss))
    st=0
    "$SLUICE" test -c "$T/$prog.yaml" --raw --program "$prog" --expect "$T/$prog.golden" \
        "$dir/samples.log" >/dev/null 2>"$T/$prog.err" || st=$?
    summary="sluice test: $lines lines, $want_miss missed, 0 limit hits, 0 unrouted, 0 differ from expected"
    route="  route $prog: matched=$want_match missed=$want_miss limits=0"
    if [ "$st" != 0 ] || ! grep -qxF "$summary" "$T/$prog.err" || ! grep -qxF "$route" "$T/$prog.err"; then
        head -n 40 "$T/$prog.err"
        echo "FAIL $prog: exit $st; wanted '$summary' and '$route'"
        failed=$((failed + 1))
        continue
    fi
    echo "ok   $prog: $lines lines, $want_match matched as expected, $want_miss left alone as expected"
done
echo "grammar_samples: $programs programs, $failed failed"
[ "$programs" -gt 0 ] && [ "$failed" = 0 ]
