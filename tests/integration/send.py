#!/usr/bin/env python3
"""Sends syslog messages to a TCP or UDP listener on loopback, for the
integration tests. Bounded: sends exactly --count messages (or raw bytes from
--raw) and stops.

  send.py --port P [--udp] [--octet] [--count N] [--prog NAME] [--host H]
          [--format 3164|5424] [--tag TEXT] [--raw HEX|@FILE] [--close-mid]
          [--progress FILE] [--timeout SECS]

--progress FILE: after each write the kernel took, FILE holds "MSGS BYTES"
sent so far (replaced atomically), so a test can see a sender that blocks.
"""
import argparse, os, socket, sys, time, binascii

def messages(a):
    now = time.gmtime(a.ts) if a.ts else time.gmtime()
    for i in range(a.count):
        if a.format == "5424":
            ts = time.strftime("%Y-%m-%dT%H:%M:%S", now) + ".%06d+00:00" % (i % 1000000)
            yield ("<%d>1 %s %s %s %d - - %s seq=%d" % (a.pri, ts, a.host, a.prog, a.pid, a.tag, i)).encode()
        else:
            ts = time.strftime("%b %e %H:%M:%S", now)
            yield ("<%d>%s %s %s[%d]: %s seq=%d" % (a.pri, ts, a.host, a.prog, a.pid, a.tag, i)).encode()

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--udp", action="store_true")
    p.add_argument("--octet", action="store_true")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--prog", default="itest")
    p.add_argument("--host", default="testhost")
    p.add_argument("--pid", type=int, default=4242)
    p.add_argument("--pri", type=int, default=134)
    p.add_argument("--format", default="3164")
    p.add_argument("--tag", default="hello")
    p.add_argument("--raw", help="hex bytes, or @FILE, sent as is (TCP) or as one datagram (UDP)")
    p.add_argument("--close-mid", action="store_true", help="with --raw: close without reading")
    p.add_argument("--ts", type=int, default=0, help="timestamp to send (epoch seconds, UTC)")
    p.add_argument("--rate", type=float, default=0, help="UDP messages per second (0: as fast as possible)")
    p.add_argument("--progress", help="TCP: file holding 'MSGS BYTES' sent so far")
    p.add_argument("--timeout", type=float, default=30,
                   help="TCP: seconds the whole send may take (a paused sink makes it wait)")
    a = p.parse_args()
    if a.raw is not None:
        data = open(a.raw[1:], "rb").read() if a.raw.startswith("@") else binascii.unhexlify(a.raw)
        if a.udp:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(data, (a.addr, a.port))
        else:
            s = socket.create_connection((a.addr, a.port), timeout=10)
            s.sendall(data)
        s.close()
        return
    if a.udp:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        gap = 1.0 / a.rate if a.rate else 0
        for m in messages(a):
            s.sendto(m, (a.addr, a.port))
            if gap:
                time.sleep(gap)
        s.close()
        return
    s = socket.create_connection((a.addr, a.port), timeout=a.timeout)
    buf = []
    sent = [0, 0]
    def flush():
        data = b"".join(buf)
        s.sendall(data)
        sent[0] += len(buf)
        sent[1] += len(data)
        buf.clear()
        if a.progress:
            with open(a.progress + ".tmp", "w") as f:
                f.write("%d %d\n" % (sent[0], sent[1]))
            os.replace(a.progress + ".tmp", a.progress)
    if a.progress:
        flush()
    for m in messages(a):
        buf.append(b"%d %s" % (len(m), m) if a.octet else m + b"\n")
        if len(buf) >= 512:
            flush()
    if buf:
        flush()
    s.shutdown(socket.SHUT_WR)
    s.settimeout(10)
    try:
        s.recv(1)
    except OSError:
        pass
    s.close()

if __name__ == "__main__":
    main()
