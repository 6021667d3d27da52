#!/usr/bin/env bash
# node.sh: a real single-node OpenSearch or Elasticsearch on 127.0.0.1 for
# sluice's integration tests, from Maven artifacts (see README.md).
#
#   node.sh install       resolve and build with mvn (idempotent, fast when warm)
#   node.sh start DIR     start a node whose files live in DIR; prints its URL
#   node.sh stop DIR      SIGTERM, bounded wait, then SIGKILL
#   node.sh status DIR    print the URL if the node in DIR is up, else exit 1
#
# Environment (all optional):
#   SLUICE_NODE_PRODUCT         opensearch (default) or elasticsearch; stop and
#                               status read it from DIR/product instead
#   SLUICE_NODE_BUILD_DIR       build output + classpath; each product builds in
#                               its own subdirectory (default: tests/cluster/target)
#   SLUICE_NODE_JAVA            java binary (default: $JAVA_HOME/bin/java, else java); Java 17+
#   SLUICE_NODE_JAVA_OPTS       extra JVM options, appended last so they win
#                               (falls back to JAVA_OPTS); e.g. -Xmx512m
#   SLUICE_NODE_START_TIMEOUT   seconds to wait for the node (default 180)
#   SLUICE_NODE_STOP_TIMEOUT    seconds to wait after SIGTERM (default 30)
#   SLUICE_NODE_HTTP_PORTS      http port range to try
#                               (default 19200-19299 for OpenSearch, 19400-19499 for Elasticsearch)
#   SLUICE_NODE_TRANSPORT_PORTS transport port range
#                               (default 19300-19399 for OpenSearch, 19500-19599 for Elasticsearch)
#   MVN                         mvn command (default: mvn)
#
# Files in DIR: pid, port, product, node.log (stdout/stderr), home/ (config, data, logs).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MVN=${MVN:-mvn}

# set_product NAME: where the product's launcher lives and how it runs.
set_product() {
    PRODUCT=$1
    BUILD=${SLUICE_NODE_BUILD_DIR:-$HERE/target}/$PRODUCT
    case $PRODUCT in
        opensearch)
            PROJECT=$HERE
            MAIN_CLASS=sluice.testnode.SluiceTestNode
            HTTP_PORTS=${SLUICE_NODE_HTTP_PORTS:-19200-19299}
            TRANSPORT_PORTS=${SLUICE_NODE_TRANSPORT_PORTS:-19300-19399}
            HEAP=(-Xms256m -Xmx768m)
            ;;
        elasticsearch)
            PROJECT=$HERE/elasticsearch
            MAIN_CLASS=sluice.testnode.SluiceEsTestNode
            HTTP_PORTS=${SLUICE_NODE_HTTP_PORTS:-19400-19499}
            TRANSPORT_PORTS=${SLUICE_NODE_TRANSPORT_PORTS:-19500-19599}
            HEAP=(-Xms256m -Xmx512m)
            ;;
        *) die "unknown product '$PRODUCT' (SLUICE_NODE_PRODUCT: opensearch or elasticsearch)" ;;
    esac
}

die() { echo "node.sh: $*" >&2; exit 1; }

java_bin() {
    if [[ -n ${SLUICE_NODE_JAVA:-} ]]; then
        echo "$SLUICE_NODE_JAVA"
    elif [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
        echo "$JAVA_HOME/bin/java"
    else
        command -v java || die "no java found (need Java 17+)"
    fi
}

java_major() {
    # 'openjdk version "17.0.15" ...' -> 17
    "$1" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n1
}

# Everything that should trigger a rebuild when it changes. (The jar is
# compiled for Java 17, so switching between JDKs 17+ needs no rebuild.)
stamp_text() {
    find "$PROJECT/pom.xml" "$PROJECT/src" -type f | sort | xargs sha256sum | cut -d' ' -f1
}

installed_ok() {
    local entry
    [[ -f $BUILD/install.stamp && -f $BUILD/sluice-test-node.jar && -f $BUILD/classpath.txt ]] || return 1
    [[ $(cat "$BUILD/install.stamp") == "$(stamp_text)" ]] || return 1
    # The maven cache may have been wiped under us.
    local IFS=:
    for entry in $(cat "$BUILD/classpath.txt"); do
        [[ -f $entry ]] || return 1
    done
    return 0
}

cmd_install() {
    local java major
    java=$(java_bin)
    major=$(java_major "$java")
    [[ -n $major && $major -ge 17 ]] || die "$java is Java '${major:-?}', need 17+"
    if installed_ok; then
        return 0
    fi
    command -v "$MVN" >/dev/null || die "mvn not found (apt-get install maven)"
    mkdir -p "$BUILD"
    # Parallel starts on a cold checkout: build once, the others wait.
    exec 9>"$BUILD/.install.lock"
    flock 9
    if installed_ok; then
        exec 9>&-
        return 0
    fi
    echo "node.sh: building the $PRODUCT node with mvn into $BUILD ..." >&2
    if ! "$MVN" -q -B -Dstyle.color=never -f "$PROJECT/pom.xml" \
            -Dsluice.build.dir="$BUILD" \
            package dependency:build-classpath \
            -Dmdep.outputFile="$BUILD/classpath.txt" >"$BUILD/mvn.log" 2>&1; then
        tail -n 40 "$BUILD/mvn.log" >&2
        die "mvn failed (full log: $BUILD/mvn.log)"
    fi
    stamp_text >"$BUILD/install.stamp"
    exec 9>&-
    echo "node.sh: installed into $BUILD" >&2
}

# pid in DIR/pid if that process is alive and is our node, else nothing.
node_pid() {
    local dir=$1 pid
    [[ -f $dir/pid ]] || return 1
    pid=$(cat "$dir/pid")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN_CLASS" || return 1
    echo "$pid"
}

healthy() {
    local port=$1
    curl -s --max-time 5 "http://127.0.0.1:$port/_cluster/health" 2>/dev/null |
        grep -Eq '"status":"(green|yellow)"'
}

fail_start() {
    local dir=$1 msg=$2 pid
    echo "node.sh: $msg; last lines of $dir/node.log:" >&2
    tail -n 40 "$dir/node.log" >&2 || true
    if pid=$(node_pid "$dir"); then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/pid" "$dir/port"
    exit 1
}

cmd_start() {
    local dir=${1:?usage: node.sh start DIR}
    local java pid port timeout deadline
    cmd_install
    java=$(java_bin)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if pid=$(node_pid "$dir"); then
        die "a node is already running in $dir (pid $pid); run: node.sh stop $dir"
    fi
    rm -f "$dir/pid" "$dir/port"
    echo "$PRODUCT" >"$dir/product"

    # Defaults first; SLUICE_NODE_JAVA_OPTS / JAVA_OPTS come last and win.
    local -a opts=(
        "${HEAP[@]}"
        -XX:+UseSerialGC
        -XX:+ExitOnOutOfMemoryError
        -Djava.awt.headless=true
        -Dfile.encoding=UTF-8
        -Dlog4j.shutdownHookEnabled=false
        -Dlog4j2.disable.jmx=true
        -Dsluice.http.ports="$HTTP_PORTS"
        -Dsluice.transport.ports="$TRANSPORT_PORTS"
    )
    local extra=${SLUICE_NODE_JAVA_OPTS:-${JAVA_OPTS:-}}
    # shellcheck disable=SC2206  # word splitting of the option string is intended
    [[ -n $extra ]] && opts+=($extra)

    nohup "$java" "${opts[@]}" \
        -cp "$BUILD/sluice-test-node.jar:$(cat "$BUILD/classpath.txt")" \
        "$MAIN_CLASS" "$dir/home" "$dir/port" \
        >"$dir/node.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$dir/pid"

    timeout=${SLUICE_NODE_START_TIMEOUT:-180}
    deadline=$((SECONDS + timeout))
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            fail_start "$dir" "node exited during startup"
        fi
        if [[ -s $dir/port ]]; then
            port=$(cat "$dir/port")
            if healthy "$port"; then
                echo "http://127.0.0.1:$port"
                return 0
            fi
        fi
        if ((SECONDS >= deadline)); then
            fail_start "$dir" "node not ready after ${timeout}s"
        fi
        sleep 0.5
    done
}

cmd_stop() {
    local dir=${1:?usage: node.sh stop DIR}
    local pid timeout deadline
    if ! pid=$(node_pid "$dir"); then
        rm -f "$dir/pid" "$dir/port"
        echo "node.sh: no node running in $dir" >&2
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    timeout=${SLUICE_NODE_STOP_TIMEOUT:-30}
    deadline=$((SECONDS + timeout))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            echo "node.sh: node $pid still alive after ${timeout}s, sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    # Reap if it is our child (same shell); harmless otherwise.
    wait "$pid" 2>/dev/null || true
    rm -f "$dir/pid" "$dir/port"
}

cmd_status() {
    local dir=${1:?usage: node.sh status DIR}
    local port
    node_pid "$dir" >/dev/null || { echo "not running" >&2; return 1; }
    [[ -s $dir/port ]] || { echo "starting" >&2; return 1; }
    port=$(cat "$dir/port")
    healthy "$port" || { echo "not healthy" >&2; return 1; }
    echo "http://127.0.0.1:$port"
}

# The product a node in DIR was started as (stop and status need no setting).
product_of() {
    local dir=${1:-}
    if [[ -n $dir && -s $dir/product ]]; then
        cat "$dir/product"
    else
        echo "${SLUICE_NODE_PRODUCT:-opensearch}"
    fi
}

case ${1:-} in
    install) set_product "${SLUICE_NODE_PRODUCT:-opensearch}"; cmd_install ;;
    start) shift; set_product "${SLUICE_NODE_PRODUCT:-opensearch}"; cmd_start "$@" ;;
    stop) shift; set_product "$(product_of "${1:-}")"; cmd_stop "$@" ;;
    status) shift; set_product "$(product_of "${1:-}")"; cmd_status "$@" ;;
    *) echo "usage: $0 install | start DIR | stop DIR | status DIR" >&2; exit 2 ;;
esac
