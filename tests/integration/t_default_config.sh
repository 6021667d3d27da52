#!/usr/bin/env bash
# ./run.sh (the embedded default config): `logger --tcp -n 127.0.0.1 -P 5514
# hello` appears in the NDJSON file, and the file's path is printed at start.
# it-node: none
. "$(dirname "$0")/lib.sh"
OUT="$T/out.ndjson"
"$TOP/run.sh" --out "$OUT" --port-file "$T/ports" >"$T/sluice.log" 2>&1 &
SLUICE_PID=$!; PIDS+=("$SLUICE_PID")
for i in $(seq 1 600); do [ -s "$T/ports" ] && break; kill -0 $SLUICE_PID || fail "sluice exited"; sleep 0.1; done
[ -s "$T/ports" ] || fail "no port file within 60 s (run.sh installs and builds first)"
grep -q "$OUT" "$T/sluice.log" || fail "the NDJSON path is not printed at start"
note "ok: path printed at start"
TAG="hello-$RANDOM$RANDOM"
logger --tcp -n 127.0.0.1 -P 5514 "$TAG"
logger --udp -n 127.0.0.1 -P 5514 "$TAG-udp"
for i in $(seq 1 100); do
    [ "$(grep -c "$TAG" "$OUT" 2>/dev/null || true)" -ge 2 ] && break
    sleep 0.1
done
line=$(grep "\"$TAG\"" "$OUT" || true)
[ -n "$line" ] || fail "the logger line is not in $OUT"
python3 -c 'import json,sys; json.loads(sys.argv[1])' "$line" || fail "not valid JSON: $line"
assert_eq "$(field "$line" message)" "$TAG" "message from logger --tcp"
assert_eq "$(field "$line" network.transport)" "tcp" "network.transport"
grep -q "\"$TAG-udp\"" "$OUT" || fail "the UDP logger line is not in $OUT"
note "ok: UDP line present"
stop_sluice; st=$SLUICE_STATUS
assert_eq "$st" 0 "exit status after SIGTERM"
