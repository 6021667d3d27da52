#!/usr/bin/env python3
"""A fault injector in front of the real test node (not a stand-in for it):
forwards every request to --upstream, except that it fails some on purpose.

  faultproxy.py --upstream URL --port-file F [--fail-bulk N] [--status 503]
                [--cut-bulk N] [--delay-bulk MS]
                [--down-file D [--down-how close|status]]

--fail-bulk N   answer the first N POST .../_bulk requests with --status
                (the body is read and dropped: nothing reaches the node)
--cut-bulk N    for the next N _bulk requests, forward them, then close the
                connection without answering (the node has the documents:
                the client must retry and the IDs must make it harmless)
--delay-bulk MS answer every forwarded _bulk request MS milliseconds late
                (a slow cluster: long enough to interrupt a client mid-way)
--down-file D   an outage the test switches on and off: while the file D
                exists, every request (any path) is refused and nothing
                reaches the node; remove D and the node is reachable again
--down-how H    close (default): close the connection without an answer,
                as a node that went away; status: answer --status
--auth-file A   an account check for a node without security (Elasticsearch
                from Maven Central has no x-pack): A holds USER:PASSWORD,
                read on every request; a request without that basic
                authorization is answered 401 as Elasticsearch's security
                answers it, and nothing reaches the node
Counts are written to F.stats as JSON after every request: besides the
faults, "connections" (accepted), "bulk_open_max" (most _bulk requests open
at once: arrived, not yet answered).
"""
import argparse, base64, json, os, threading, time, urllib.request, urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
stats = {"requests": 0, "bulk": 0, "failed": 0, "cut": 0, "forwarded": 0, "down": 0,
         "connections": 0, "bulk_open": 0, "bulk_open_max": 0, "unauthorized": 0}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--fail-bulk", type=int, default=0)
    ap.add_argument("--cut-bulk", type=int, default=0)
    ap.add_argument("--status", type=int, default=503)
    ap.add_argument("--delay-bulk", type=int, default=0)
    ap.add_argument("--down-file")
    ap.add_argument("--down-how", choices=("close", "status"), default="close")
    ap.add_argument("--auth-file")
    a = ap.parse_args()
    budget = {"fail": a.fail_bulk, "cut": a.cut_bulk}

    def save():
        # Atomic: a test reads the file while requests are being counted.
        with open(a.port_file + ".stats.tmp", "w") as f:
            json.dump(stats, f)
        os.replace(a.port_file + ".stats.tmp", a.port_file + ".stats")

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args):
            pass
        def setup(self):
            super().setup()
            with lock:
                stats["connections"] += 1
                save()
        def handle_any(self):
            # bulk_open: _bulk requests between their arrival and their answer
            # (counted down before the answer goes out, so a client that sends
            # the next one at once is not counted twice); bulk_open_max shows
            # how many a client overlapped.
            self.open = self.command == "POST" and "_bulk" in self.path
            if self.open:
                with lock:
                    stats["bulk_open"] += 1
                    stats["bulk_open_max"] = max(stats["bulk_open_max"], stats["bulk_open"])
            try:
                self.handle_one()
            finally:
                self.answered()
        def basic_user(self):
            h = self.headers.get("Authorization") or ""
            if not h.startswith("Basic "):
                return None
            try:
                return base64.b64decode(h[6:]).decode("utf-8", "replace").split(":", 1)[0]
            except ValueError:
                return None
        def authorized(self):
            with open(a.auth_file) as f:
                want = f.read().strip()
            h = self.headers.get("Authorization") or ""
            return h == "Basic " + base64.b64encode(want.encode()).decode()
        def answered(self):
            if self.open:
                self.open = False
                with lock:
                    stats["bulk_open"] -= 1
                    save()
        def handle_one(self):
            if a.down_file and os.path.exists(a.down_file):
                with lock:
                    stats["requests"] += 1
                    stats["down"] += 1
                    save()
                self.close_connection = True
                if a.down_how == "close":
                    self.answered()
                    self.connection.shutdown(2)
                    return
                n = int(self.headers.get("Content-Length") or 0)
                if n:
                    self.rfile.read(n)
                msg = b'{"error":{"type":"fault_injected","reason":"node down"},"status":%d}' % a.status
                self.answered()
                self.send_response(a.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(msg)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(msg)
                return
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else None
            if a.auth_file and not self.authorized():
                with lock:
                    stats["requests"] += 1
                    stats["unauthorized"] += 1
                    save()
                user = self.basic_user() or ""
                msg = json.dumps({"error": {"root_cause": [{"type": "security_exception",
                    "reason": "unable to authenticate user [%s] for REST request [%s]" % (user, self.path)}],
                    "type": "security_exception",
                    "reason": "unable to authenticate user [%s] for REST request [%s]" % (user, self.path)},
                    "status": 401}).encode()
                self.answered()
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="security" charset="UTF-8"')
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)
                return
            is_bulk = self.command == "POST" and "_bulk" in self.path
            action = "forward"
            with lock:
                stats["requests"] += 1
                if is_bulk:
                    stats["bulk"] += 1
                    if budget["fail"] > 0:
                        budget["fail"] -= 1; stats["failed"] += 1; action = "fail"
                    elif budget["cut"] > 0:
                        budget["cut"] -= 1; stats["cut"] += 1; action = "cut"
                save()
            if action == "fail":
                msg = b'{"error":{"type":"fault_injected","reason":"fault injector"},"status":%d}' % a.status
                self.answered()
                self.send_response(a.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)
                return
            req = urllib.request.Request(a.upstream + self.path, data=body, method=self.command)
            # Behind --auth-file the node has no security: the checked
            # credentials stop here.
            for k in ("Content-Type", "Content-Encoding") + (() if a.auth_file else ("Authorization",)):
                if self.headers.get(k):
                    req.add_header(k, self.headers[k])
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    status, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "application/json")
            except urllib.error.HTTPError as e:
                status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "application/json")
            if is_bulk and a.delay_bulk:
                time.sleep(a.delay_bulk / 1000.0)
            with lock:
                stats["forwarded"] += 1
                save()
            if action == "cut":
                self.close_connection = True
                self.answered()
                self.connection.shutdown(2)
                return
            self.answered()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    save()
    srv.serve_forever()

if __name__ == "__main__":
    main()
