#!/usr/bin/env bash
# `sluice check` names file, line and column of every problem, exits non-zero,
# and never prints a secret.
# it-node: none
. "$(dirname "$0")/lib.sh"
cat >"$T/typo.yaml" <<'EOC'
inputs:
  - listen: tcp://127.0.0.1:5514
sinks:
  - type: elasticsearch
    hosts: [http://127.0.0.1:9200]
    batch:
      max_doc: 500
    password: "${env:IT_SECRET_PW}"
    username: writer
EOC
set +e
IT_SECRET_PW=hunter2-very-secret "$SLUICE" check -c "$T/typo.yaml" >"$T/out" 2>&1; st=$?
set -e
cat "$T/out" | sed 's/^/    /'
[ "$st" -ne 0 ] || fail "check exited 0 on a config with a typo"
note "ok: exit status $st"
grep -q "typo.yaml:7:7" "$T/out" || fail "the typo's line:column (7:7) is not named"
note "ok: file:line:column named"
grep -q "max_docs" "$T/out" || fail "no suggestion of max_docs"
note "ok: suggests max_docs"
if grep -q hunter2 "$T/out"; then fail "the secret was printed"; fi
note "ok: secret not printed"
# template / lifecycle: the sink's problems named at its item, all at once.
cat >"$T/tpl.yaml" <<'EOC'
inputs:
  - listen: tcp://127.0.0.1:5514
sinks:
  - type: opensearch
    hosts: [http://127.0.0.1:9200]
    index: "%Y.%m.%d"
    template: { install: true, name: Sluice }
EOC
set +e
"$SLUICE" check -c "$T/tpl.yaml" >"$T/out" 2>&1; st=$?
set -e
[ "$st" = 1 ] || fail "check exited $st on a bad template config: $(cat "$T/out")"
grep -q "tpl.yaml:4:5: key 'sinks\[0\]': sink: template.install: a date pattern with no literal prefix would match every index (index '%Y.%m.%d'); template.name: use lower case letters" "$T/out" ||
    fail "template problems not named at the sink: $(cat "$T/out")"
note "ok: template problems named at tpl.yaml:4:5"
cat >"$T/good.yaml" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
sinks:
  - type: ndjson
    path: $T/x.ndjson
EOC
"$SLUICE" check -c "$T/good.yaml" >"$T/out2" 2>&1 || fail "check rejected a good config: $(cat "$T/out2")"
note "ok: good config passes"
