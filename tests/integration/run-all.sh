#!/usr/bin/env bash
# Runs every tests/integration/t_*.sh against a real OpenSearch node, then
# every scenario that talks to a node against a real Elasticsearch node, one
# node at a time (tests/cluster/node.sh). IT_PRODUCTS picks and orders the
# products (default "opensearch elasticsearch"; IT_PRODUCTS=opensearch for a
# quick local run). A scenario that never talks to the node says so with a
# line "# it-node: none" in its header and runs once, in the first pass; one
# that needs a node of one product only says "# it-node: PRODUCT" and runs
# in that product's pass only (t_auth: it starts its own OpenSearch node with
# the security plugin, which Elasticsearch cannot have from Maven artifacts).
# Results read "PASS: t_name [product] (N s)". Writes the pass and fail
# counts of all passes to build/it-pass and build/it-fail.
set -uo pipefail
IT_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$IT_DIR/../.." && pwd)
NODE_SH=$TOP/tests/cluster/node.sh
PRODUCTS=${IT_PRODUCTS:-opensearch elasticsearch}
PRODUCTS=${PRODUCTS//,/ }
pass=0; failed=0; names=(); parts=()
NODE_DIR=
stop_node() {
    [ -n "$NODE_DIR" ] || return 0
    "$NODE_SH" stop "$NODE_DIR" >/dev/null || echo "run-all: the node in $NODE_DIR did not stop" >&2
    rm -rf "$NODE_DIR"
    NODE_DIR=
}
trap stop_node EXIT
echo 0 >"$TOP/build/it-pass"; echo 1 >"$TOP/build/it-fail"

needs_node() { ! head -n 12 "$1" | grep -q '^# it-node: none'; }
# for_product SCENARIO PRODUCT: it does not name another product.
for_product() {
    local want
    want=$(head -n 12 "$1" | sed -n 's/^# it-node: \([a-z]*\).*/\1/p' | head -n1)
    [ -z "$want" ] || [ "$want" = none ] || [ "$want" = "$2" ]
}

# selected FIRST PRODUCT: the scenarios this pass runs (IT_ONLY; after the
# first pass only those that need a node; those of this product).
selected() {
    local t
    for t in "$IT_DIR"/t_*.sh; do
        [ -n "${IT_ONLY:-}" ] && [[ $(basename "$t") != *${IT_ONLY}* ]] && continue
        for_product "$t" "$2" || continue
        [ "$1" = 1 ] || needs_node "$t" || continue
        echo "$t"
    done
}

# version URL: "distribution version" from GET / (OpenSearch names its
# distribution; Elasticsearch does not, it has a build_flavor).
node_version() {
    curl -s --max-time 5 "$1/" | python3 -c 'import json,sys
v=json.load(sys.stdin).get("version", {})
print(v.get("distribution", "elasticsearch"), v.get("number", "?"))' 2>/dev/null || echo "? ?"
}

first=1
for product in $PRODUCTS; do
    case $product in
        opensearch|elasticsearch) ;;
        *) echo "FAIL: IT_PRODUCTS names an unknown product '$product'"; failed=$((failed + 1)); names+=("$product"); continue ;;
    esac
    mapfile -t scenarios < <(selected "$first" "$product")
    if [ "$first" = 0 ] && [ "${#scenarios[@]}" = 0 ]; then
        echo "== $product: no selected scenario talks to a node"
        continue
    fi
    part_start=$(date +%s); part_runs=0
    export SLUICE_NODE_PRODUCT=$product SLUICE_PRODUCT=$product
    NODE_DIR=$(mktemp -d "/tmp/sluice-$product-node.XXXXXX")
    if ! "$NODE_SH" install || ! OS_URL=$("$NODE_SH" start "$NODE_DIR"); then
        echo "FAIL: the $product test node did not start"
        failed=$((failed + 1)); names+=("[$product node]")
        stop_node
        continue
    fi
    export OS_URL
    read -r dist ver < <(node_version "$OS_URL")
    echo "== $product test node at $OS_URL (GET / says $dist $ver)"
    if [ "$dist" != "$product" ]; then
        echo "FAIL: the node started for $product says it is $dist"
        failed=$((failed + 1)); names+=("[$product node]")
        stop_node
        continue
    fi
    for t in "${scenarios[@]+"${scenarios[@]}"}"; do
        name="$(basename "$t" .sh) [$product]"
        echo "-- $name"
        start=$(date +%s)
        part_runs=$((part_runs + 1))
        if timeout 600 bash "$t"; then
            echo "PASS: $name ($(( $(date +%s) - start )) s)"
            pass=$((pass + 1))
        else
            echo "FAIL: $name ($(( $(date +%s) - start )) s)"
            failed=$((failed + 1)); names+=("$name")
        fi
    done
    # The node's peak resident memory over the whole pass.
    peak=$(awk '/^VmHWM/ { printf "%d MiB", $2 / 1024 }' "/proc/$(cat "$NODE_DIR/pid" 2>/dev/null || echo 0)/status" 2>/dev/null)
    stop_node
    parts+=("$product $ver: $part_runs scenarios in $(( $(date +%s) - part_start )) s, node peak RSS ${peak:-?}")
    first=0
done
echo "$pass" >"$TOP/build/it-pass"; echo "$failed" >"$TOP/build/it-fail"
for p in "${parts[@]+"${parts[@]}"}"; do echo "integration part: $p"; done
echo "integration: $pass passed, $failed failed ${names[*]+"${names[*]}"}"
[ "$failed" = 0 ]
