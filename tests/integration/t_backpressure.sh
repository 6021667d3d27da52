#!/usr/bin/env bash
# While the cluster refuses writes, the bounded queue fills, sluice pauses its
# TCP inputs (the sender waits in the kernel) instead of growing memory, and
# once the cluster takes writes again every message is indexed exactly once.
. "$(dirname "$0")/lib.sh"
N=60000
IDX=$(new_index bp)
python3 "$TOP/tests/faultproxy/faultproxy.py" --upstream "$OS_URL" --port-file "$T/proxy.port" \
    --fail-bulk 25 --status 503 &
PIDS+=($!)
for i in $(seq 1 100); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
[ -s "$T/proxy.port" ] || fail "fault injector did not start"
cat >"$T/sluice.yaml" <<EOC
inputs:
  - listen: tcp://127.0.0.1:0
    name: tcp
sinks:
  - type: elasticsearch
    name: os
    hosts: [http://127.0.0.1:$(cat "$T/proxy.port")]
    index: $IDX
    batch: { max_docs: 500, max_wait: 100ms }
    retry: { initial: 20ms, max: 300ms }
queue:
  max_bytes: 1MiB
EOC
start_sluice "$T/sluice.yaml"
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog bp --tag "a message long enough to fill the queue quickly"
c=$(wait_count "$IDX" "$N" 180)
assert_eq "$c" "$N" "documents after the cluster came back"
grep -q "pausing TCP inputs" "$T/sluice.log" || fail "inputs were never paused"
note "ok: inputs paused while the queue was full"
grep -q "inputs resumed" "$T/sluice.log" || fail "inputs were never resumed"
note "ok: inputs resumed"
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$SLUICE_PID/status")
note "peak RSS ${hwm} kB with a 1 MiB queue and $N messages sent during the outage"
[ "$hwm" -lt 102400 ] || fail "peak RSS ${hwm} kB: memory was not bounded by the queue"
stop_sluice; st=$SLUICE_STATUS
assert_eq "$st" 0 "exit status"
grep -E 'stats: final received=[0-9]+ .*blocked=[1-9]' "$T/sluice.log" >/dev/null || fail "blocked not counted"
note "ok: blocked counted in the final stats"
assert_eq "$(count "$IDX")" "$N" "documents after stop"
