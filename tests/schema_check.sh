#!/usr/bin/env bash
# scripts/schema check (run by make check): every field sluice writes, the
# grammars' included, has an explicit mapping in sinks/templates/ecs-mappings.json
# that can hold its values; docs/schema.md's table is up to date; every
# saved object of docs/dashboards/ parses and references only mapped fields.
# Then the checker itself is checked: a grammar field missing from the
# template, and a dashboard naming an unknown field, must each fail it.
set -euo pipefail
top=$(cd "${srcdir:-.}" && pwd)
python3 "$top/scripts/schema" check "$top"

T=$(mktemp -d "${TMPDIR:-/tmp}/sluice-schema.XXXXXX")
trap 'rm -rf "$T"' EXIT
copy() {
    rm -rf "$T/src" && mkdir -p "$T/src/sinks" "$T/src/docs"
    cp -r "$top/grammars" "$T/src/"
    cp -r "$top/sinks/templates" "$T/src/sinks/"
    cp -r "$top/docs/dashboards" "$top/docs/schema.md" "$T/src/docs/"
}
# expect_fail WHAT PATTERN: the check must exit 1 and print PATTERN.
expect_fail() {
    local out rc=0
    out=$(python3 "$top/scripts/schema" check "$T/src" 2>&1) || rc=$?
    [ "$rc" = 1 ] || { echo "schema_check: $1: exit $rc, want 1"; echo "$out"; exit 1; }
    grep -qF -- "$2" <<<"$out" || { echo "schema_check: $1: no '$2' in:"; echo "$out"; exit 1; }
    echo "schema_check: ok: $1 fails the check"
}

# 1. a new capture in a grammar, not in the template (nor in the table)
copy
printf 'EXPR new_one ^Zzz %%{INT:sshd.zzz_count:int}$\n' >>"$T/src/grammars/sshd/sshd.grok"
expect_fail "a grammar field without a mapping" \
    "template: grammar field sshd.zzz_count (long, sshd) has no mapping"
expect_fail "a grammar field missing from docs/schema.md" "the field table is out of date"

# 2. a mapping that cannot hold the values: sshd.pam.uid (:int) as ip
copy
sed -i 's/"euid": { "type": "long" }/"euid": { "type": "ip" }/' "$T/src/sinks/templates/ecs-mappings.json"
expect_fail "an :int capture mapped as ip" "is mapped as ip but"

# 3. a dashboard naming a field the template lacks, inside visState's JSON string
copy
f=$(ls "$T/src/docs/dashboards/"*.ndjson | head -1)
sed -i '0,/process\.name/s//process.nosuchfield/' "$f"
expect_fail "a saved object referencing an unknown field" "references field process.nosuchfield"

# 4. a line that is not JSON
copy
echo '{"type":"search",' >>"$f"
expect_fail "a saved-objects line that is not JSON" "not JSON"
