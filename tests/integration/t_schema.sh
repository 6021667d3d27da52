#!/usr/bin/env bash
# The schema against the real node (docs/schema.md): sluice with
# template.install indexes a known corpus (18 plain lines at known
# severities, and every sample line of every grammar in grammars/, routed to
# its compiled-in grammar), then:
# 1. every line is a document: no mapping refused one (an ip field given a
#    non-address, a long given text...);
# 2. GET _mapping, field by field: source.ip ip, process.pid long, log.level
#    keyword, message text, and the other spot checks below; every leaf the
#    corpus made is mapped as the template says, and a leaf the template does
#    not have (mapped dynamically) fails the test unless it lies under one of
#    the open objects (log.syslog.structured_data, labels, json, logfmt,
#    sluice.clash); any grammar or envelope field among them fails it (an
#    RFC 5424 line's structured data is the one dynamic part of the corpus);
# 3. a terms aggregation on log.level over the plain lines gives exactly the
#    counts sent (error 7, warning 5, info 3, debug 2, critical 1);
# 4. the dashboards' failed-login query (docs/dashboards) finds exactly the
#    sshd samples expected.ndjson marks ssh_login / failure; a CIDR query
#    on source.ip works (it is an ip); every saved search and visualization
#    of docs/dashboards, run as a search request, works and counts what the
#    corpus holds;
# 5. the check of 2. is itself checked: with a template.file lacking
#    sshd.method and source.ip, it must name both as dynamic and fail.
. "$(dirname "$0")/lib.sh"
R=$(date +%s%N | tail -c 9)
DS="logs-sluiceschema$R-default"
TPL="sluice-schema-$R"
trap 'os DELETE "/_index_template/$TPL" >/dev/null; os DELETE "/_data_stream/$DS" >/dev/null; cleanup' EXIT

# Every grammar directory, routed by a tag of its own name.
progs=()
for d in "$TOP"/grammars/*/; do
    p=$(basename "$d")
    [ "$p" = patterns ] || progs+=("$p")
done
{
    cat <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
sinks:
  - type: elasticsearch
    name: es0
    hosts: [$OS_URL]
    index: $DS
    batch: { max_docs: 1000, max_wait: 200ms }
    template: { install: true, name: $TPL }
log:
  level: info
grammars:
  definitions:
EOC
    for p in "${progs[@]}"; do echo "    - { name: $p, type: grok, builtin: $p }"; done
    echo "  routes:"
    for p in "${progs[@]}"; do echo "    $p: $p"; done
} >"$T/sluice.yaml"
"$SLUICE" check -c "$T/sluice.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "sluice check refused the config"; }

# The corpus: plain lines (user facility, severities 2 3 4 6 7), then every
# sample as user.notice from its program.
: >"$T/lines"
plain=0
for spec in 2:1 3:7 4:5 6:3 7:2; do
    sev=${spec%%:*} n=${spec##*:}
    for i in $(seq 1 "$n"); do
        printf '<%d>Nov 23 10:00:00 lvlhost%d schemalvl[%d]: schema line %d at severity %d\n' \
            "$((8 + sev))" "$((i % 3))" "$((500 + i))" "$i" "$sev" >>"$T/lines"
        plain=$((plain + 1))
    done
done
# An RFC 5424 line with structured data: its params are mapped dynamically,
# under log.syslog.structured_data, the one place the corpus may do that.
printf '<14>1 2026-11-23T10:00:02Z sdhost schemasd 77 ID1 [origin@32473 ip="192.0.2.1" software="x"] structured\n' >>"$T/lines"
plain_sd=1
samples=0
for p in "${progs[@]}"; do
    while IFS= read -r line || [ -n "$line" ]; do
        printf '<13>Nov 23 10:00:01 schemahost %s[4321]: %s\n' "$p" "$line" >>"$T/lines"
        samples=$((samples + 1))
    done <"$TOP/grammars/$p/samples.log"
done
total=$((plain + plain_sd + samples))
note "corpus: $plain plain lines, 1 RFC 5424 line, $samples grammar samples from ${#progs[@]} grammars"

# checkmap.py TOP MAPPING.json [TEMPLATE.json]: every leaf of the index's
# mapping against the template's (sluice's by default); exit 1 on any
# difference or a dynamic leaf outside the open objects.
cat >"$T/checkmap.py" <<'EOP'
import importlib.machinery, importlib.util, json, sys
top, path = sys.argv[1], sys.argv[2]
loader = importlib.machinery.SourceFileLoader("schema", top + "/scripts/schema")
spec = importlib.util.spec_from_loader("schema", loader)
S = importlib.util.module_from_spec(spec)
loader.exec_module(S)
want = S.template_leaves(json.load(open(sys.argv[3])) if len(sys.argv) > 3
                         else S.load_template(top))
got_all = json.load(open(path))
got = S.template_leaves(list(got_all.values())[0]["mappings"])
bad = 0
def typ(m):
    return m.get("type", "object")
# Spot checks: the fields issue 7 names, and some of each kind.
spot = {"source.ip": "ip", "process.pid": "long", "log.level": "keyword", "message": "text",
        "@timestamp": "date", "source.port": "long", "destination.ip": "ip",
        "http.response.status_code": "long", "user_agent.original": "keyword",
        "user_agent.original.text": "text", "url.original": "keyword",
        "sluice.clash.process.pid": "long", "sluice.clash.log.level": "keyword",
        "log.source.address": "keyword", "iptables.ttl": "long", "postfix.delay": "double",
        "sshd.method": "keyword", "event.outcome": "keyword", "error.message": "text",
        "host.hostname": "keyword", "process.name": "keyword", "kernel.uptime": "double"}
for f, t in sorted(spot.items()) if len(sys.argv) == 3 else ():
    g = typ(got[f]) if f in got else None
    print("  %s %s: %s" % ("ok:" if g == t else "FAIL:", f, g))
    bad += g != t
# Every leaf the corpus made: as the template says, or under an open object.
open_roots = ("log.syslog.structured_data.", "labels.", "json.", "logfmt.", "sluice.clash.")
fields = S.grammar_fields(top)
named = set(fields) | {e[0] for e in S.ENVELOPE}
dynamic = []
for f, m in sorted(got.items()):
    if f in want:
        if typ(m) != typ(want[f]):
            print("  FAIL: %s mapped %s, the template says %s" % (f, typ(m), typ(want[f])))
            bad += 1
        continue
    dynamic.append("%s (%s)" % (f, typ(m)))
    if f in named or not f.startswith(open_roots):
        print("  FAIL: %s mapped dynamically as %s" % (f, typ(m)))
        bad += 1
leaves = [f for f, m in got.items() if typ(m) != "object"]
print("  %d leaves in the mapping, %d dynamic: %s" % (len(leaves), len(dynamic),
                                                      ", ".join(dynamic) or "none"))
sys.exit(1 if bad else 0)
EOP

start_sluice "$T/sluice.yaml"
wait_log "index template $TPL installed at $OS_URL" 30
python3 "$IT_DIR/send.py" --port "$(port tcp)" --raw "@$T/lines"

# 1. every line indexed, none refused
assert_eq "$(wait_count "$DS" "$total" 90)" "$total" "documents in $DS"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"
assert_eq "$(stat_of sink=es0 rejected)" 0 "documents the node refused"
assert_eq "$(stat_of sink=es0 confirmed)" "$total" "documents the node confirmed"

# 2. the mapping, field by field
os GET "/$DS/_mapping" >"$T/mapping.json"
python3 "$T/checkmap.py" "$TOP" "$T/mapping.json" || fail "the index mapping differs from the template"
note "ok: every mapped field as the template says"

# 3. terms on log.level over the plain lines
os POST "/$DS/_search" '{"size":0,"query":{"term":{"process.name":"schemalvl"}},
  "aggs":{"lv":{"terms":{"field":"log.level","size":20}}}}' >"$T/agg.json"
levels=$(python3 -c 'import json,sys
b=json.load(open(sys.argv[1]))["aggregations"]["lv"]["buckets"]
print(" ".join("%s=%d" % (x["key"], x["doc_count"]) for x in sorted(b, key=lambda x: x["key"])))' "$T/agg.json")
assert_eq "$levels" "critical=1 debug=2 error=7 info=3 warning=5" "terms on log.level"
# and over the whole index the buckets add up to every document
sum=$(os POST "/$DS/_search" '{"size":0,"aggs":{"lv":{"terms":{"field":"log.level","size":20}}}}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["aggregations"]["lv"]; print(sum(x["doc_count"] for x in d["buckets"]) + d["sum_other_doc_count"])')
assert_eq "$sum" "$total" "documents with a log.level"

# 4. the dashboards' failed-login query
want_fail=$(python3 -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if (lambda d: d.get("event.action")=="ssh_login" and d.get("event.outcome")=="failure")(json.loads(l))))' \
    "$TOP/grammars/sshd/expected.ndjson")
assert_eq "$(count "$DS" 'process.name:sshd AND event.action:ssh_login AND event.outcome:failure')" \
    "$want_fail" "failed SSH logins (the dashboards' query)"
assert_eq "$(count "$DS" 'source.ip:"203.0.113.0/24"')" \
    "$(grep -c '"source.ip":"203\.0\.113\.' "$TOP"/grammars/*/expected.ndjson | awk -F: '{s+=$2} END {print s}')" \
    "documents found by a CIDR query on source.ip (an ip field)"

# 4b. every saved search and visualization of docs/dashboards run as the
#     dashboards would run them (their query, sort and aggregations as a
#     search request): no error (a terms aggregation on a text field fails),
#     and the answers the corpus implies.
python3 - "$OS_URL" "$DS" "$TOP" "$want_fail" "$total" <<'EOP' || fail "a saved object does not work on the data"
import json, sys, urllib.request
url, ds, top, want_fail, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
def post(body):
    r = urllib.request.Request("%s/%s/_search" % (url, ds), json.dumps(body).encode(),
                               {"Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=30) as a:
        return json.load(a)
def lucene(kql):
    # The objects' queries are `f:v and f:v`, which Lucene reads with AND.
    return kql.replace(" and ", " AND ")
def query(ss):
    q = json.loads(ss)["query"]["query"]
    return {"query_string": {"query": lucene(q)}} if q else {"match_all": {}}
bad = 0
for name in ("opensearch-dashboards-2.ndjson", "kibana-8.ndjson"):
    for line in open("%s/docs/dashboards/%s" % (top, name)):
        o = json.loads(line)
        a = o["attributes"]
        if o["type"] == "search":
            q = query(a["kibanaSavedObjectMeta"]["searchSourceJSON"])
            r = post({"query": q, "size": 500, "sort": [{"@timestamp": "desc"}],
                      "track_total_hits": True})
            n = r["hits"]["total"]["value"]
            want = want_fail if "ssh" in o["id"] else total
            missing = 0
            if want == total:      # every document has the overview's columns
                for h in r["hits"]["hits"]:
                    for c in a["columns"]:
                        d = h["_source"]
                        for k in c.split("."):
                            d = d.get(k) if isinstance(d, dict) else None
                        missing += d is None
            ok = n == want and missing == 0
            print("  %s %s %s: %d hits (want %d), %d missing columns" %
                  ("ok:" if ok else "FAIL:", name, a["title"], n, want, missing))
            bad += not ok
        elif o["type"] == "visualization":
            vs = json.loads(a["visState"])
            aggs, cur = {}, None
            body = {"size": 0, "query": query(a["kibanaSavedObjectMeta"]["searchSourceJSON"]),
                    "track_total_hits": True}
            for ag in vs["aggs"]:
                if ag["schema"] == "metric":
                    continue
                p = ag["params"]
                if ag["type"] == "terms":
                    spec = {"terms": {"field": p["field"], "size": p["size"]}}
                else:
                    spec = {"date_histogram": {"field": p["field"], "fixed_interval": "1h",
                                               "min_doc_count": 1}}
                if cur is None:
                    body["aggs"] = {ag["id"]: spec}
                else:
                    cur["aggs"] = {ag["id"]: spec}
                cur = spec
            try:
                r = post(body)
            except Exception as e:
                print("  FAIL: %s %s: %s" % (name, vs["title"], e))
                bad += 1
                continue
            n = r["hits"]["total"]["value"]
            first = vs["aggs"][1]["id"] if len(vs["aggs"]) > 1 else None
            buckets = r["aggregations"][first]["buckets"] if first else []
            want = want_fail if "SSH" in vs["title"] else total
            ok = n == want and (not first or len(buckets) > 0)
            print("  %s %s %s: %d documents (want %d), %d buckets" %
                  ("ok:" if ok else "FAIL:", name, vs["title"], n, want, len(buckets)))
            bad += not ok
sys.exit(1 if bad else 0)
EOP

# 5. the check above catches dynamic surprises: a template without
#    sshd.method and source.ip (template.file) makes the node map them
#    dynamically (keyword), and checkmap.py must name both and fail.
DS2="logs-sluiceschemamiss$R-default"
python3 -c 'import json,sys
m=json.load(open(sys.argv[1]))
del m["properties"]["sshd"]["properties"]["method"]
del m["properties"]["source"]["properties"]["ip"]
json.dump(m, open(sys.argv[2], "w"))' "$TOP/sinks/templates/ecs-mappings.json" "$T/missing.json"
sed -e "s/index: $DS/index: $DS2/" -e "s|name: $TPL }|name: $TPL-miss, file: $T/missing.json }|" \
    "$T/sluice.yaml" >"$T/miss.yaml"
trap 'os DELETE "/_index_template/$TPL" >/dev/null; os DELETE "/_index_template/$TPL-miss" >/dev/null
      os DELETE "/_data_stream/$DS" >/dev/null; os DELETE "/_data_stream/$DS2" >/dev/null; cleanup' EXIT
: >"$T/sluice.log"
start_sluice "$T/miss.yaml"
wait_log "index template $TPL-miss installed at $OS_URL" 30
grep -m5 'sshd\[' "$T/lines" >"$T/sshd.lines"
python3 "$IT_DIR/send.py" --port "$(port tcp)" --raw "@$T/sshd.lines"
assert_eq "$(wait_count "$DS2" 5 60)" 5 "documents in $DS2"
stop_sluice
os GET "/$DS2/_mapping" >"$T/mapping2.json"
set +e
python3 "$T/checkmap.py" "$TOP" "$T/mapping2.json" "$T/missing.json" >"$T/check2.out" 2>&1
rc=$?
set -e
sed "s/FAIL:/caught:/" "$T/check2.out"
assert_eq "$rc" 1 "the mapping check on a template missing two fields"
grep -q "FAIL: sshd.method mapped dynamically as keyword" "$T/check2.out" ||
    fail "the check did not name sshd.method"
grep -q "FAIL: source.ip mapped dynamically as keyword" "$T/check2.out" ||
    fail "the check did not name source.ip"
note "ok: a field the template lacks is caught as dynamic"
