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
#   SLUICE_NODE_SECURITY        1: OpenSearch with its security plugin (start only;
#                               stop and status see DIR/security): HTTPS with a CA
#                               made in DIR/security, basic auth, the users of
#                               DIR/security/users (see README.md)
#   MVN                         mvn command (default: mvn)
#
# Files in DIR: pid, port, product, node.log (stdout/stderr), home/ (config, data, logs),
# security/ (with SLUICE_NODE_SECURITY=1: ca.pem, certificates, users, the plugin's config).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MVN=${MVN:-mvn}

# set_product NAME [SECURITY]: where the product's launcher lives and how it runs.
set_product() {
    PRODUCT=$1
    SECURITY=${2:-0}
    BUILD=${SLUICE_NODE_BUILD_DIR:-$HERE/target}/$PRODUCT
    PROFILE=()
    if [[ $SECURITY == 1 ]]; then
        # Elastic publishes no x-pack (security) jars to Maven Central.
        [[ $PRODUCT == opensearch ]] || die "SLUICE_NODE_SECURITY=1 works for opensearch only (no x-pack on Maven Central)"
        BUILD=$BUILD-security
        PROFILE=(-Psecurity)
    fi
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
    [[ $SECURITY != 1 || -f $BUILD/security-classpath.txt ]] || return 1
    [[ $(cat "$BUILD/install.stamp") == "$(stamp_text)" ]] || return 1
    # The maven cache may have been wiped under us.
    local IFS=$':\n'
    for entry in $(cat "$BUILD/classpath.txt"; echo; cat "$BUILD/security-classpath.txt" 2>/dev/null); do
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
    if ! "$MVN" -q -B -Dstyle.color=never -f "$PROJECT/pom.xml" "${PROFILE[@]}" \
            -Dsluice.build.dir="$BUILD" \
            package dependency:build-classpath \
            -Dmdep.outputFile="$BUILD/classpath.txt" >"$BUILD/mvn.log" 2>&1; then
        tail -n 40 "$BUILD/mvn.log" >&2
        die "mvn failed (full log: $BUILD/mvn.log)"
    fi
    [[ $SECURITY != 1 ]] || security_classpath
    stamp_text >"$BUILD/install.stamp"
    exec 9>&-
    echo "node.sh: installed into $BUILD" >&2
}

# The security plugin's jars that the node's class path lacks (by artifact
# name: where both have one, the node's version stays), as one :-list.
security_classpath() {
    local have j name cp=""
    have=$(tr ':' '\n' <"$BUILD/classpath.txt" | sed -E 's|.*/||; s/-[0-9][^-]*(\.Final)?\.jar$//' | sort -u)
    for j in "$BUILD"/security-plugin/*.jar; do
        name=$(basename "$j" | sed -E 's/-[0-9][^-]*(\.Final)?\.jar$//')
        grep -qx -- "$name" <<<"$have" || cp+=${cp:+:}$j
    done
    [[ -n $cp ]] || die "no security plugin jars in $BUILD/security-plugin"
    echo "$cp" >"$BUILD/security-classpath.txt"
}

# security_files DIR: a CA, the node's and an admin's certificate, and the
# plugin's config (config.yml, internal_users.yml with bcrypt hashes,
# roles.yml, roles_mapping.yml) in DIR/security, once per DIR. The users and
# their passwords are listed in DIR/security/users ("name password" lines).
security_files() {
    local d=$1/security java cp s
    [[ -s $d/users ]] && return 0
    command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
    rm -rf "$d"
    mkdir -p "$d/opensearch-security"
    (
        cd "$d"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 30 \
            -subj "/O=sluice-test/CN=sluice-test-ca" 2>/dev/null
        for who in node admin; do
            openssl req -newkey rsa:2048 -nodes -keyout "$who-key.tmp" -out "$who.csr" \
                -subj "/O=sluice-test/CN=sluice-test-$who" 2>/dev/null
            printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
                "extendedKeyUsage=serverAuth,clientAuth" "keyUsage=digitalSignature,keyEncipherment" >"$who.ext"
            openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 30 \
                -extfile "$who.ext" -out "$who.pem" 2>/dev/null
            # The plugin reads PKCS#8 keys only.
            openssl pkcs8 -topk8 -nocrypt -in "$who-key.tmp" -out "$who-key.pem"
            rm -f "$who-key.tmp" "$who.csr" "$who.ext"
        done
    ) || die "openssl could not make the test certificates in $d"
    # Passwords hashed by the plugin's own tool (bcrypt), no extra package.
    java=$(java_bin)
    cp="$BUILD/security-plugin/*:$(cat "$BUILD/classpath.txt")"
    hash() { "$java" -cp "$cp" org.opensearch.security.tools.Hasher -p "$1" 2>/dev/null | tail -n1; }
    s=$d/opensearch-security
    cat >"$s/config.yml" <<YML
_meta: {type: "config", config_version: 2}
config:
  dynamic:
    http: {anonymous_auth_enabled: false}
    authc:
      basic_internal_auth_domain:
        http_enabled: true
        transport_enabled: true
        order: 0
        http_authenticator: {type: basic, challenge: true}
        authentication_backend: {type: intern}
YML
    # admin: all_access through the backend role; sluice_writer and
    # dash_reader: the least-privilege roles of docs/security.md.
    cat >"$s/internal_users.yml" <<YML
_meta: {type: "internalusers", config_version: 2}
admin: {hash: "$(hash admin-pass)", backend_roles: ["admin"]}
sluice_writer: {hash: "$(hash writer-pass)"}
dash_reader: {hash: "$(hash reader-pass)"}
YML
    cat "$HERE/security/roles.yml" >"$s/roles.yml"
    cat >"$s/roles_mapping.yml" <<YML
_meta: {type: "rolesmapping", config_version: 2}
all_access: {backend_roles: ["admin"]}
sluice_writer: {users: ["sluice_writer"]}
dash_reader: {users: ["dash_reader"]}
YML
    printf '_meta: {type: "actiongroups", config_version: 2}\n' >"$s/action_groups.yml"
    printf '_meta: {type: "tenants", config_version: 2}\n' >"$s/tenants.yml"
    printf '_meta: {type: "nodesdn", config_version: 2}\n' >"$s/nodes_dn.yml"
    printf '_meta: {type: "audit", config_version: 2}\nconfig: {enabled: false}\n' >"$s/audit.yml"
    grep -q '"\$2' "$s/internal_users.yml" || die "could not hash the test passwords (org.opensearch.security.tools.Hasher)"
    chmod -R go-rwx "$d"
    printf '%s\n' "admin admin-pass" "sluice_writer writer-pass" "dash_reader reader-pass" >"$d/users"
}

# curl arguments for the node in DIR (https and the admin with security).
node_curl() {
    local dir=$1
    if [[ -s $dir/security/users ]]; then
        echo "--cacert $dir/security/ca.pem -u admin:admin-pass"
    fi
}

scheme_of() { [[ -s $1/security/users ]] && echo https || echo http; }

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
    local dir=$1 port=$2
    # shellcheck disable=SC2046  # node_curl's words are separate arguments
    curl -s --max-time 5 $(node_curl "$dir") "$(scheme_of "$dir")://127.0.0.1:$port/_cluster/health" 2>/dev/null |
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
    local -a secopts=()
    if [[ $SECURITY == 1 ]]; then
        security_files "$dir"
        secopts=(-Dsluice.security.dir="$dir/security")
    elif [[ -e $dir/security ]]; then
        die "$dir holds a node with security; start it with SLUICE_NODE_SECURITY=1"
    fi

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
    local cp
    cp="$BUILD/sluice-test-node.jar:$(cat "$BUILD/classpath.txt")"
    [[ $SECURITY != 1 ]] || cp+=":$(cat "$BUILD/security-classpath.txt")"

    nohup "$java" "${opts[@]}" "${secopts[@]}" -cp "$cp" \
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
            if healthy "$dir" "$port"; then
                echo "$(scheme_of "$dir")://127.0.0.1:$port"
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
    healthy "$dir" "$port" || { echo "not healthy" >&2; return 1; }
    echo "$(scheme_of "$dir")://127.0.0.1:$port"
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
    install) set_product "${SLUICE_NODE_PRODUCT:-opensearch}" "${SLUICE_NODE_SECURITY:-0}"; cmd_install ;;
    start) shift; set_product "${SLUICE_NODE_PRODUCT:-opensearch}" "${SLUICE_NODE_SECURITY:-0}"; cmd_start "$@" ;;
    stop) shift; set_product "$(product_of "${1:-}")"; cmd_stop "$@" ;;
    status) shift; set_product "$(product_of "${1:-}")"; cmd_status "$@" ;;
    *) echo "usage: $0 install | start DIR | stop DIR | status DIR" >&2; exit 2 ;;
esac
