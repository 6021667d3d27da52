# tests/integration/lib.sh: the helpers every scenario uses. Sourced by t_*.sh.
# Every wait is a bounded loop on an explicit signal (a port file, a count in
# the index), never a fixed sleep. Ports come from the kernel (port 0), except
# the embedded default config's fixed 5514.
set -euo pipefail
IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$IT_DIR/../.." && pwd)
SLUICE=${SLUICE:-$TOP/build/sluice}
: "${OS_URL:?OS_URL must point at the test node (run-all.sh starts it)}"
# The test node's product: opensearch or elasticsearch (run-all.sh exports it;
# OS_URL is the node's address whichever it is). A scenario checks it only
# where the two products answer differently on purpose.
SLUICE_PRODUCT=${SLUICE_PRODUCT:-opensearch}
T=$(mktemp -d "${TMPDIR:-/tmp}/sluice-it.XXXXXX")
export TZ=UTC
PIDS=()
MOUNTS=()       # file systems a scenario mounted under $T: unmounted at exit

cleanup() {
    local p
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do
        wait "$p" 2>/dev/null || true
    done
    for p in "${MOUNTS[@]+"${MOUNTS[@]}"}"; do
        umount "$p" 2>/dev/null || umount -l "$p" || echo "cleanup: cannot unmount $p" >&2
    done
    if [ "${IT_KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [ -f "$T/sluice.log" ] && tail -n 30 "$T/sluice.log" >&2; exit 1; }
note() { echo "  $*"; }

assert_eq() {   # assert_eq ACTUAL EXPECTED WHAT
    [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
    note "ok: $3 = $2"
}

# A fresh index name per scenario.
new_index() { echo "it-$1-$(date +%s%N | tail -c 9)"; }

# start_sluice CONFIG_FILE [RUN_ARGS...]: runs sluice in the background, waits
# for its port file.
start_sluice() {
    local cfg=$1 i
    shift
    rm -f "$T/ports"
    "$SLUICE" run -c "$cfg" --port-file "$T/ports" --stats-interval 0 "$@" >>"$T/sluice.log" 2>&1 &
    SLUICE_PID=$!
    PIDS+=("$SLUICE_PID")
    for i in $(seq 1 100); do
        [ -s "$T/ports" ] && return 0
        kill -0 "$SLUICE_PID" 2>/dev/null || fail "sluice exited at start"
        sleep 0.1
    done
    fail "sluice did not write its port file in 10 s"
}

# start_proxy ARGS...: the fault injector in front of the node; sets PROXY_URL.
# Its counters are in $T/proxy.port.stats (JSON).
start_proxy() {
    local i
    rm -f "$T/proxy.port"
    python3 "$TOP/tests/faultproxy/faultproxy.py" --upstream "$OS_URL" --port-file "$T/proxy.port" "$@" &
    PIDS+=($!)
    for i in $(seq 1 100); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
    [ -s "$T/proxy.port" ] || fail "fault injector did not start"
    PROXY_URL="http://127.0.0.1:$(cat "$T/proxy.port")"
}

# proxy_stat KEY: a counter of the fault injector.
proxy_stat() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/proxy.port.stats" "$1"
}

# stat_of WHAT KEY [LOG]: KEY's value in the last "stats:" line about WHAT
# (pipeline, spool, sink=NAME, input=NAME); empty when there is none yet.
# Periodic lines need start_sluice CONFIG --stats-interval D.
stat_of() {
    awk -v w="$1" -v k="$2" '
        / stats: / { for (i = 1; i <= NF; i++) if ($i == "stats:") break
                     if ($(i + 2) != w && !(w == "pipeline" && $(i + 2) ~ /^received=/)) next
                     for (j = i + 2; j <= NF; j++) if (index($j, k "=") == 1) v = substr($j, length(k) + 2) }
        END { print v }' "${3:-$T/sluice.log}"
}

# wait_stat WHAT KEY MIN SECONDS: waits until stat_of WHAT KEY >= MIN; prints it.
wait_stat() {
    local i v=""
    for i in $(seq 1 $(($4 * 10))); do
        v=$(stat_of "$1" "$2")
        [ -n "$v" ] && [ "$v" -ge "$3" ] && break
        sleep 0.1
    done
    echo "${v:-0}"
}

# wait_log REGEX SECONDS [LOG]: waits until a line matches; fails otherwise.
wait_log() {
    local i
    for i in $(seq 1 $(($2 * 10))); do
        grep -Eq "$1" "${3:-$T/sluice.log}" && return 0
        sleep 0.1
    done
    fail "no log line matching '$1' in $2 s"
}

# rss_kb PID [VmRSS|VmHWM]
rss_kb() { awk -v k="${2:-VmRSS}:" '$1 == k { print $2 }' "/proc/$1/status"; }

# port NAME: the port of the input NAME from the port file.
port() { awk -v n="$1" '$1 == n { print $3 }' "$T/ports"; }

# stop_sluice: SIGTERM, wait (bounded); the exit status lands in SLUICE_STATUS.
# (Not in $(...): only this shell can wait for its child.)
# stop_sluice: SIGTERM, then up to STOP_WAIT_S seconds (default 30) for it to exit.
stop_sluice() {
    local i st wait_s=${STOP_WAIT_S:-30}
    kill -TERM "$SLUICE_PID"
    for i in $(seq 1 $((wait_s * 10))); do
        kill -0 "$SLUICE_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$SLUICE_PID" 2>/dev/null && { kill -KILL "$SLUICE_PID"; fail "sluice did not stop in $wait_s s"; }
    set +e; wait "$SLUICE_PID"; SLUICE_STATUS=$?; set -e
}

os() {  # os METHOD PATH [BODY]
    if [ $# -ge 3 ]; then
        curl -sS -X "$1" -H 'Content-Type: application/json' "$OS_URL$2" -d "$3"
    else
        curl -sS -X "$1" "$OS_URL$2"
    fi
}

# count INDEX [LUCENE_QUERY]
count() {
    os POST "/$1/_refresh" >/dev/null   # a missing index answers 404: curl still succeeds
    local q=${2:-}
    local out
    if [ -n "$q" ]; then
        out=$(curl -sS -G "$OS_URL/$1/_count" --data-urlencode "q=$q")
    else
        out=$(curl -sS "$OS_URL/$1/_count")
    fi
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("count", -1))' <<<"$out"
}

# wait_count INDEX N SECONDS [QUERY]: waits until the index holds at least N, then
# waits one more refresh round to see that it does not go above.
wait_count() {
    local idx=$1 n=$2 secs=$3 q=${4:-} i c=0
    for i in $(seq 1 $((secs * 4))); do
        c=$(count "$idx" "$q")
        [ "$c" -ge "$n" ] 2>/dev/null && break
        sleep 0.25
    done
    echo "$c"
}

# search INDEX QUERY SIZE: the hits' _source as JSON lines.
search() {
    curl -sS -G "$OS_URL/$1/_search" --data-urlencode "q=$2" --data-urlencode "size=${3:-10}" \
        --data-urlencode "sort=_doc" |
        python3 -c 'import json,sys
for h in json.load(sys.stdin)["hits"]["hits"]: print(json.dumps(h["_source"]))'
}

# field JSON DOTTED.PATH: a value from one document (nested objects).
field() {
    python3 -c 'import json,sys
d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    d = d.get(k) if isinstance(d, dict) else None
print("" if d is None else (json.dumps(d) if isinstance(d,(dict,list)) else d))' "$1" "$2"
}

# es_config FILE INDEX [INPUT_YAML]: a config with a tcp and a udp input on
# kernel-chosen ports and one elasticsearch sink to the test node.
es_config() {
    cat >"$1" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
  - listen: udp://127.0.0.1:0
    name: udp
sinks:
  - type: elasticsearch
    name: os
    hosts: [$OS_URL]
    index: $2
    batch: { max_docs: 1000, max_wait: 200ms }
log:
  level: info
EOC
}

# dead_port: a loopback port nothing listens on (the kernel picks it, then it
# is released): a sink pointed there fails every request at once.
dead_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# spool_status DIR KEY: one top-level value of `sluice buffer status --format json`.
spool_status() {
    "$SLUICE" buffer status --path "$1" --format json |
        python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print("" if v is None else (json.dumps(v) if isinstance(v,(list,dict)) else v))' "$2"
}

# wait_spool DIR N SECONDS: waits until the spool holds N records; prints the count.
wait_spool() {
    local dir=$1 n=$2 secs=$3 i c=0
    for i in $(seq 1 $((secs * 10))); do
        c=$(spool_status "$dir" records 2>/dev/null || echo 0)
        [ "$c" = "$n" ] && break
        sleep 0.1
    done
    echo "$c"
}

# ids INDEX: every document's _id in the index, sorted, one per line (up to 10000).
ids() {
    os POST "/$1/_refresh" >/dev/null   # a missing index answers 404: curl still succeeds
    curl -sS -G "$OS_URL/$1/_search" --data-urlencode "size=10000" --data-urlencode "_source=false" |
        python3 -c 'import json,sys
for h in json.load(sys.stdin)["hits"]["hits"]: print(h["_id"])' | sort
}

# kv TEXT KEY: the value of KEY=value in a summary line (the last one that has it).
kv() { grep -o "\b$2=[^ ]*" <<<"$1" | tail -n1 | cut -d= -f2; }
