#!/usr/bin/env bash
# Many senders at once: 200 concurrent TCP connections (half LF, half
# octet-counted) each send 100 messages; the index holds exactly 20,000, each
# connection's messages all there.
. "$(dirname "$0")/lib.sh"
IDX=$(new_index conns)
es_config "$T/sluice.yaml" "$IDX"
start_sluice "$T/sluice.yaml"
python3 - "$(port tcp)" <<'EOP'
import socket, sys, threading
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(200)]
def send(i, s):
    out = []
    for k in range(100):
        m = b"<14>Nov 23 10:00:00 conn%d prog%d[%d]: msg %d of conn %d" % (i, i, i, k, i)
        out.append(b"%d %s" % (len(m), m) if i % 2 else m + b"\n")
    # Two writes per connection, so frames cross write boundaries.
    data = b"".join(out); half = len(data) // 2 + 7
    s.sendall(data[:half]); s.sendall(data[half:])
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
ts = [threading.Thread(target=send, args=(i, s)) for i, s in enumerate(socks)]
for t in ts: t.start()
for t in ts: t.join()
EOP
c=$(wait_count "$IDX" 20000 120)
assert_eq "$c" 20000 "documents from 200 concurrent connections"
for i in 0 1 99 199; do
    assert_eq "$(count "$IDX" "host.hostname:conn$i")" 100 "messages of connection $i"
done
stop_sluice; st=$SLUICE_STATUS
assert_eq "$st" 0 "exit status"
