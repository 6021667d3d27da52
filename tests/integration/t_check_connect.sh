#!/usr/bin/env bash
# `sluice check --connect` reaches every host of a sink with its settings and
# says which product and version answered, and that the cluster checks no
# credentials (the test nodes run without security; t_auth has one with);
# a host that does not answer is named, and the exit status is 1.
. "$(dirname "$0")/lib.sh"
es_config "$T/ok.yaml" "$(new_index check)"
"$SLUICE" check -c "$T/ok.yaml" --connect >"$T/out" 2>&1 || { cat "$T/out"; fail "check --connect against the node"; }
want_ver=$(curl -s "$OS_URL/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"]["number"])')
want_prod=$(curl -s "$OS_URL/" | python3 -c 'import json,sys; v=json.load(sys.stdin)["version"]; print(v.get("distribution","elasticsearch"))')
grep -q "$OS_URL: $want_prod $want_ver, cluster " "$T/out" || { cat "$T/out"; fail "product and version not shown"; }
note "ok: $(grep "$OS_URL" "$T/out" | sed 's/^ *//')"
# The shared test nodes run without security: said so, and not an error.
grep -q "security disabled on the cluster: anyone can write" "$T/out" || { cat "$T/out"; fail "no word that security is off"; }
note "ok: $(grep "security disabled" "$T/out" | sed 's/^ *//')"
# A second host nobody listens on: named as unreachable, exit 1.
DEAD=$(dead_port)
sed -i "s|hosts: \[$OS_URL\]|hosts: [$OS_URL, http://127.0.0.1:$DEAD]|" "$T/ok.yaml"
set +e; "$SLUICE" check -c "$T/ok.yaml" --connect >"$T/out2" 2>&1; st=$?; set -e
assert_eq "$st" 1 "exit status with a dead host"
grep -q "http://127.0.0.1:$DEAD: unreachable" "$T/out2" || { cat "$T/out2"; fail "the dead host is not named"; }
grep -q "$OS_URL: $want_prod $want_ver" "$T/out2" || { cat "$T/out2"; fail "the live host is not shown beside the dead one"; }
note "ok: the dead host is named as unreachable, the live one still shown"
