#!/usr/bin/env bash
# Product detection and the index template at start (template.install,
# lifecycle.install; docs/templates.md), against the real node:
# 1. the start log names the product and version GET / reports;
# 2. the template is installed (GET _index_template shows it, with sluice's
#    digest), the data stream it makes types source.ip as ip, process.pid as
#    long, log.level as keyword (GET _mapping), every event indexed once;
#    `sluice check --connect` says it is installed and the same;
# 3. the lifecycle policy: neither test node has ILM (x-pack) or ISM (the
#    index management plugin), so the install is refused: the error names
#    the sink, the URL and the cluster's reason, and the template is
#    installed without a link to the policy; events flow all the same;
# 4. an edited template is left alone without overwrite (logged, and check
#    says it differs), replaced with overwrite: true;
# 5. a date pattern gets a wildcard template (no data stream) that types the
#    dated index;
# 6. a cluster unreachable at start: the start goes on, detection and the
#    template wait for the first contact, and no event is written before the
#    template is there.
. "$(dirname "$0")/lib.sh"
N=20
R=$(date +%s%N | tail -c 9)
DS="logs-sluicetpl$R-default"
TPL="sluice-it-$R"
if [ "$SLUICE_PRODUCT" = opensearch ]; then POLICY_API="_plugins/_ism/policies"; KIND=ISM
else POLICY_API="_ilm/policy"; KIND=ILM; fi
del_template() { os DELETE "/_index_template/$1" >/dev/null; }
trap 'del_template "$TPL"; del_template "$TPL-dated"; del_template "$TPL-late"; cleanup' EXIT

tpl_config() {  # tpl_config FILE INDEX TEMPLATE_NAME [EXTRA_TEMPLATE_KEYS] [HOST]
    cat >"$1" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
sinks:
  - type: elasticsearch
    name: es0
    hosts: [${5:-$OS_URL}]
    index: $2
    batch: { max_docs: 1000, max_wait: 200ms }
    template: { install: true, name: $3${4:+, $4} }
    lifecycle: { install: true, name: $3, rollover: { max_age: 1d }, delete_after: 7d }
log:
  level: info
EOC
}

# mapping_type INDEX FIELD.PATH: the type the index maps the field to.
mapping_type() {
    os GET "/$1/_mapping" | python3 -c 'import json,sys
d=json.load(sys.stdin)
m=list(d.values())[0]["mappings"]
for k in sys.argv[1].split("."):
    m=m["properties"][k]
print(m.get("type", "object"))' "$2"
}

# 1. detection
version=$(os GET / | python3 -c 'import json,sys; v=json.load(sys.stdin)["version"]; print(v.get("distribution","elasticsearch"), v["number"])')
tpl_config "$T/sluice.yaml" "$DS" "$TPL"
start_sluice "$T/sluice.yaml"
wait_log "info  sink\.es\[es0\]: $version \(cluster sluice-test\) at $OS_URL" 20
note "ok: start log names $version"
[ "${version%% *}" = "$SLUICE_PRODUCT" ] || fail "detected '${version%% *}', the node is $SLUICE_PRODUCT"

# 3. the policy: refused by a node without ILM / ISM, with the cluster's reason
wait_log "error sink\.es\[es0\]: cannot install $KIND lifecycle policy $TPL at $OS_URL/$POLICY_API/$TPL: HTTP 4[0-9][0-9]: .+" 20
note "ok: $KIND policy refused by the test node, reason logged"

# 2. the template
wait_log "info  sink\.es\[es0\]: index template $TPL installed at $OS_URL" 20
wait_log "index template $TPL matches $DS \(a data stream\)" 5
tpl=$(os GET "/_index_template/$TPL")
grep -q "\"index_patterns\":\[\"$DS\"\]" <<<"$tpl" || fail "template patterns: $tpl"
grep -q '"priority":200' <<<"$tpl" || fail "template priority: $tpl"
grep -q '"sluice_digest":"[0-9a-f]\{16\}"' <<<"$tpl" || fail "template digest: $tpl"
grep -q '"data_stream":{' <<<"$tpl" || fail "template is not for a data stream: $tpl"
if grep -q 'lifecycle' <<<"$tpl"; then fail "template links a policy the cluster does not have: $tpl"; fi
note "ok: GET _index_template/$TPL shows patterns, priority 200, data_stream, digest, no policy link"

python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog tpltest --pid 4242
assert_eq "$(wait_count "$DS" "$N" 60)" "$N" "documents in the data stream"
assert_eq "$(mapping_type "$DS" source.ip)" ip "source.ip"
assert_eq "$(mapping_type "$DS" process.pid)" long "process.pid"
assert_eq "$(mapping_type "$DS" log.level)" keyword "log.level"
assert_eq "$(mapping_type "$DS" @timestamp)" date "@timestamp"
assert_eq "$(mapping_type "$DS" message)" text "message"
assert_eq "$(count "$DS" 'process.pid:4242')" "$N" "documents found by process.pid"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status"

out=$("$SLUICE" check -c "$T/sluice.yaml" --connect) || fail "check --connect failed: $out"
grep -q "^    index template $TPL: installed, the same as sluice's$" <<<"$out" ||
    fail "check --connect: $out"
grep -q "^    $KIND lifecycle policy $TPL: cannot tell: HTTP 4[0-9][0-9]: " <<<"$out" ||
    fail "check --connect on the policy: $out"
note "ok: check --connect: template installed and the same, policy cannot be told"

# 4. an edited template: left alone, then replaced with overwrite
os PUT "/_index_template/$TPL" "{\"index_patterns\":[\"$DS\"],\"priority\":250,\"data_stream\":{}}" |
    grep -q '"acknowledged":true' || fail "cannot edit the template"
out=$("$SLUICE" check -c "$T/sluice.yaml" --connect) || fail "check --connect failed: $out"
grep -q "index template $TPL: exists but differs from sluice's (template.overwrite: true replaces it at start)" <<<"$out" ||
    fail "check --connect on an edited template: $out"
: >"$T/sluice.log"
start_sluice "$T/sluice.yaml"
wait_log "warn  sink\.es\[es0\]: index template $TPL exists at $OS_URL and differs from sluice's: left alone" 20
stop_sluice
os GET "/_index_template/$TPL" >"$T/get.json"; grep -q '"priority":250' "$T/get.json" || fail "the edited template was replaced"
note "ok: edited template left alone without overwrite"
tpl_config "$T/sluice.yaml" "$DS" "$TPL" "overwrite: true"
: >"$T/sluice.log"
start_sluice "$T/sluice.yaml"
wait_log "info  sink\.es\[es0\]: index template $TPL replaced at $OS_URL" 20
stop_sluice
os GET "/_index_template/$TPL" >"$T/get.json"; grep -q '"priority":200' "$T/get.json" || fail "the template was not replaced"
note "ok: replaced with overwrite: true"

# 5. a date pattern: a wildcard template, a plain dated index
DATED="ittpl$R-%Y.%m.%d"
tpl_config "$T/dated.yaml" "$DATED" "$TPL-dated"
: >"$T/sluice.log"
start_sluice "$T/dated.yaml"
wait_log "index template $TPL-dated matches ittpl$R-\*$" 20
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count 5 --prog tpltest --pid 77
today="ittpl$R-$(date -u +%Y.%m.%d)"
assert_eq "$(wait_count "$today" 5 60)" 5 "documents in $today"
assert_eq "$(mapping_type "$today" source.ip)" ip "source.ip in the dated index"
assert_eq "$(mapping_type "$today" process.pid)" long "process.pid in the dated index"
os GET "/_index_template/$TPL-dated" >"$T/get.json"; grep -q '"data_stream"' "$T/get.json" && fail "a dated index got a data stream template"
stop_sluice
os DELETE "/$today" >/dev/null

# 6. unreachable at start: detection and the template wait for the first contact
LATE="logs-sluicetpllate$R-default"
touch "$T/down"
start_proxy --down-file "$T/down"
tpl_config "$T/late.yaml" "$LATE" "$TPL-late" "" "$PROXY_URL"
: >"$T/sluice.log"
start_sluice "$T/late.yaml"
wait_log "warn  sink\.es\[es0\]: cannot detect the cluster: .* at $PROXY_URL; events wait in the buffer" 20
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count 7 --prog tpltest --pid 99
# Records are cut and held while the cluster is away: nothing reaches the node.
wait_log "send failed, will retry with backoff: " 20
assert_eq "$(count "$LATE")" -1 "documents before the first contact (no index yet)"
os GET "/_index_template/$TPL-late" >"$T/get.json"; grep -q "\"$LATE\"" "$T/get.json" && fail "template installed before the first contact"
rm -f "$T/down"
wait_log "info  sink\.es\[es0\]: $version \(cluster sluice-test\) at $PROXY_URL" 30
wait_log "index template $TPL-late installed at $PROXY_URL" 10
assert_eq "$(wait_count "$LATE" 7 60)" 7 "documents after the first contact"
assert_eq "$(mapping_type "$LATE" source.ip)" ip "source.ip after a late start"
stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status after a late start"
