#!/usr/bin/env bash
# Host and time enrichment end to end through `sluice test` (run by make
# check): tests/fixtures/enrich-host/ holds a config (static fields per input and
# global, a host map, a zone per input and per network, skew rules with
# replace), five lines around Paris's 2026 DST changes, and the documents
# they must give from three places: input `paris` from 10.1.2.3 (its zone,
# the /24 of the map), input `paris` from 10.2.0.5 (the network's zone,
# New York, wins), input `plain` with no sender (the host's zone, pinned to
# UTC here). --now pins the receive time, so every key is compared.
set -euo pipefail
top=$(cd "${srcdir:-.}" && pwd)
SLUICE=${SLUICE:-./sluice}
[ -x "$SLUICE" ] || { echo "enrich_cli: no $SLUICE (build first)"; exit 1; }
F=$top/tests/fixtures/enrich-host
T=$(mktemp -d "${TMPDIR:-/tmp}/sluice-enrich.XXXXXX")
trap 'rm -rf "$T"' EXIT
export TZ=UTC
fails=0
run() {     # INPUT SOURCE GOLDEN
    local src=()
    [ "$2" != "-" ] && src=(--source "$2")
    if ! "$SLUICE" test -c "$F/sluice.yaml" --input "$1" "${src[@]}" --now 2026-11-23T12:00:00Z \
            --expect "$F/$3" "$F/lines.log" >"$T/out" 2>"$T/err"; then
        echo "enrich_cli: FAIL input=$1 source=$2 differs from $3:"; cat "$T/err"
        fails=$((fails + 1))
    else
        echo "enrich_cli: ok input=$1 source=$2 ($(wc -l <"$T/out" | tr -d ' ') documents as $3)"
    fi
}
run paris 10.1.2.3 expected-paris-10_1_2_3.ndjson
run paris 10.2.0.5 expected-paris-10_2_0_5.ndjson
run plain - expected-plain.ndjson

# A golden that differs in one enriched key fails, naming it.
sed 's/"site":"par3"/"site":"parX"/' "$F/expected-paris-10_1_2_3.ndjson" >"$T/bad.ndjson"
if "$SLUICE" test -c "$F/sluice.yaml" --input paris --source 10.1.2.3 --now 2026-11-23T12:00:00Z \
        --expect "$T/bad.ndjson" "$F/lines.log" >/dev/null 2>"$T/err"; then
    echo "enrich_cli: FAIL a changed labels.site was not noticed"; fails=$((fails + 1))
elif ! grep -q 'labels.site' "$T/err"; then
    echo "enrich_cli: FAIL the difference does not name labels.site:"; cat "$T/err"; fails=$((fails + 1))
else
    echo "enrich_cli: ok a changed labels.site is reported"
fi

# Bad arguments exit 2 and say why.
for args in "--input nosuch" "--source not-an-ip"; do
    set +e; "$SLUICE" test -c "$F/sluice.yaml" $args "$F/lines.log" >/dev/null 2>"$T/err"; rc=$?; set -e
    if [ "$rc" != 2 ]; then
        echo "enrich_cli: FAIL '$args' exited $rc, not 2"; fails=$((fails + 1))
    else
        echo "enrich_cli: ok '$args' exits 2: $(head -n 1 "$T/err")"
    fi
done
# The documented example config (docs/examples/enrich-host.yaml) is valid.
if "$SLUICE" check -c "$top/docs/examples/enrich-host.yaml" >"$T/out" 2>&1 &&
        grep -q "enrich hosts: .*/hosts.map: 2 hosts, 3 networks" "$T/out" &&
        grep -q "enrich time zones: 2 networks" "$T/out"; then
    echo "enrich_cli: ok docs/examples/enrich-host.yaml passes sluice check (map and zones counted)"
else
    echo "enrich_cli: FAIL docs/examples/enrich-host.yaml:"; cat "$T/out"; fails=$((fails + 1))
fi
exit $fails
