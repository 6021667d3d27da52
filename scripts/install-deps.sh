#!/usr/bin/env bash
# Installs the Debian packages sluice needs, only those missing, so a second
# run is quick. Usage: scripts/install-deps.sh build|test|bench
# (bench: the build set plus what bench/norm runs beside sluice: Debian's
# lognormalizer, and valgrind for its --profile)
set -euo pipefail
what=${1:-build}
build_pkgs=(gcc make autoconf automake libtool pkg-config
    libfastjson-dev libpcre2-dev libcurl4-openssl-dev zlib1g-dev liblognorm-dev
    libcunit1-dev libyaml-dev libevent-dev libssl-dev libxxhash-dev liblz4-dev
    tzdata)     # /usr/share/zoneinfo: IANA zones (inputs[].timezone, enrich.time.zones) and their tests
test_pkgs=(rsyslog bsdutils curl python3 maven default-jdk-headless procps iproute2 valgrind)
bench_pkgs=(python3 liblognorm-utils valgrind)
pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")
[ "$what" = bench ] && pkgs+=("${bench_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# The machine may carry its own JDK and Maven outside Debian's packages: use them.
if [ "$what" = test ]; then
    keep=()
    for p in "${missing[@]}"; do
        case "$p" in
            maven) command -v mvn >/dev/null 2>&1 || keep+=("$p") ;;
            default-jdk-headless) command -v java >/dev/null 2>&1 || keep+=("$p") ;;
            *) keep+=("$p") ;;
        esac
    done
    missing=("${keep[@]+"${keep[@]}"}")
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
