#!/usr/bin/env python3
"""bench/gen_corpus.py: a deterministic corpus of realistic syslog traffic.

Design: one message per line, LF-terminated, no LF inside a message, so the
file can be sent as is with LF framing (the sender builds octet-counted
framing from it in memory). The same --seed and --count give the same bytes
on every machine and Python 3 version: only random.Random (Mersenne Twister,
stable across versions) and integer arithmetic are used, no hash ordering, no
wall clock. Bump CORPUS_VERSION when the output changes, so cached corpora
(bench/run keys its cache on it) are rebuilt.

Mix (share of messages; see KINDS):
  nginx access lines through syslog, sshd (accepted, failed, invalid user,
  disconnect, PAM), kernel [UFW BLOCK] firewall lines, CRON, systemd,
  postfix/smtpd, sudo, and lines no grammar matches (application chatter,
  key=value, JSON payloads, Java-style stack traces folded on one line,
  a few long ones of 1-4 KiB).
Formats: RFC 3164 (`<PRI>Mmm dd hh:mm:ss host tag[pid]: msg`) and RFC 5424
(`<PRI>1 TIMESTAMP host app procid msgid [SD] msg`) mixed per message.
Lengths run from 40 bytes to a few KiB (each line is at least MIN_LEN).

Usage: gen_corpus.py --seed 1 --count 1000000 [--rfc5424-share 0.25] OUT
       (OUT '-' writes to stdout); a summary goes to stderr, and with
       --meta FILE as JSON.
"""
import argparse
import json
import random
import sys

CORPUS_VERSION = 1
MIN_LEN = 40
EPOCH0 = 1795392000  # 2026-11-23T00:00:00Z: fixed, so output never depends on the clock

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
USERS = ["root", "admin", "deploy", "ubuntu", "alice", "bob", "carol", "dave", "backup",
         "postgres", "www-data", "jenkins", "git", "ansible", "nagios", "oracle", "test", "guest"]
BAD_USERS = ["admin1", "support", "user", "pi", "ftpuser", "oracle", "test1", "hadoop", "minecraft",
             "ubnt", "vagrant", "steam", "teamspeak", "ts3", "mysql", "zabbix", "default", "usuario"]
HOST_WORDS = ["web", "api", "db", "cache", "mq", "lb", "edge", "worker", "batch", "mail", "auth",
              "search", "log", "mon", "build"]
PATHS = ["/", "/index.html", "/login", "/logout", "/api/v1/users", "/api/v1/orders",
         "/api/v1/orders/{n}", "/api/v2/search?q={w}&page={p}", "/static/js/app.{h}.js",
         "/static/css/main.{h}.css", "/images/{h}.png", "/favicon.ico", "/robots.txt",
         "/health", "/metrics", "/wp-login.php", "/.env", "/cart/add?item={n}&qty={p}",
         "/products/{n}", "/checkout", "/feed.xml", "/download/report-{n}.pdf"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1",
    "curl/7.88.1", "python-requests/2.31.0", "Go-http-client/1.1",
    "Googlebot/2.1 (+http://www.google.com/bot.html)", "kube-probe/1.29", "-",
]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
         "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu",
         "order", "invoice", "customer", "session", "token", "cache", "shard", "replica",
         "timeout", "retry", "queue", "worker", "batch", "payload", "request", "response"]
CRON_CMDS = ["/usr/lib/php/sessionclean", "test -x /usr/sbin/anacron || { cd / && run-parts "
             "--report /etc/cron.daily; }", "/usr/local/bin/backup.sh --incremental",
             "[ -x /usr/lib/sysstat/debian-sa1 ] && /usr/lib/sysstat/debian-sa1 1 1",
             "cd / && run-parts --report /etc/cron.hourly", "/opt/app/bin/rotate-logs",
             "/usr/bin/certbot -q renew", "python3 /srv/jobs/sync_inventory.py"]
UNITS = ["nginx.service", "ssh.service", "cron.service", "postfix.service", "docker.service",
         "apt-daily.service", "apt-daily-upgrade.service", "logrotate.service",
         "systemd-tmpfiles-clean.service", "man-db.service", "fstrim.service", "app-worker@{n}.service"]
SUDO_CMDS = ["/usr/bin/systemctl restart nginx", "/usr/bin/apt-get update", "/bin/cat /var/log/auth.log",
             "/usr/bin/journalctl -u ssh --since today", "/usr/sbin/reboot", "/usr/bin/docker ps -a",
             "/usr/bin/tail -n 200 /var/log/syslog", "/usr/bin/vim /etc/hosts"]
APPS = ["myapp", "billing", "inventory", "gateway", "scheduler", "notifier", "java", "node",
        "python3", "dockerd", "containerd", "kubelet", "haproxy", "redis-server", "mongod"]
LEVELS = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"]
EXCEPTIONS = ["java.lang.NullPointerException", "java.net.SocketTimeoutException: Read timed out",
              "java.io.IOException: Broken pipe", "java.lang.IllegalStateException: pool exhausted",
              "org.postgresql.util.PSQLException: connection refused"]

# kind, share (sums to 100), pri facility, weight of RFC 5424 relative to the global share
KINDS = [
    ("nginx", 25), ("sshd", 18), ("ufw", 13), ("cron", 9), ("systemd", 9),
    ("postfix", 9), ("sudo", 5), ("unmatched", 12),
]


class Gen:
    def __init__(self, seed, share5424):
        self.r = random.Random(seed)
        self.share5424 = share5424
        self.t_ms = EPOCH0 * 1000
        r = self.r
        self.hosts = ["%s-%02d" % (r.choice(HOST_WORDS), r.randrange(1, 40)) for _ in range(48)]
        self.pids = {}
        self.cum = []
        acc = 0
        for name, share in KINDS:
            acc += share
            self.cum.append((acc, name))
        self.total = acc

    # --- small helpers -------------------------------------------------
    def ip(self):
        r = self.r
        if r.random() < 0.3:
            return "10.%d.%d.%d" % (r.randrange(256), r.randrange(256), r.randrange(1, 255))
        return "%d.%d.%d.%d" % (r.randrange(1, 224), r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def pid(self, prog):
        # Daemons keep a pid for a while; per-session programs change often.
        r = self.r
        if prog not in self.pids or r.random() < 0.05:
            self.pids[prog] = r.randrange(300, 4000000)
        return self.pids[prog]

    def word(self):
        return self.r.choice(WORDS)

    def hexs(self, n):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    # --- headers --------------------------------------------------------
    def header(self, fac, sev, host, prog, pid, rfc5424):
        pri = fac * 8 + sev
        t = self.t_ms
        sec = t // 1000
        days, rem = divmod(sec, 86400)
        hh, rem = divmod(rem, 3600)
        mi, ss = divmod(rem, 60)
        y, mo, d = civil_from_days(days)
        if rfc5424:
            sd = "-"
            x = self.r.random()
            if x < 0.3:
                sd = '[meta@32473 seq="%d" region="%s"]' % (self.r.randrange(1, 10 ** 7),
                                                            self.r.choice(["eu-west-1", "us-east-2", "ap-south-1"]))
            elif x < 0.4:
                sd = '[origin ip="%s" software="bench"][meta@32473 seq="%d"]' % (self.ip(), self.r.randrange(10 ** 6))
            msgid = self.r.choice(["-", "-", "ID47", "audit", "req"])
            procid = str(pid) if pid is not None else "-"
            return "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s %s %s %s %s " % (
                pri, y, mo, d, hh, mi, ss, t % 1000, host, prog, procid, msgid, sd)
        tag = "%s[%d]:" % (prog, pid) if pid is not None else "%s:" % prog
        return "<%d>%s %2d %02d:%02d:%02d %s %s " % (pri, MONTHS[mo - 1], d, hh, mi, ss, host, tag)

    # --- message kinds: each returns (fac, sev, prog, pid, msg) -----------
    def k_nginx(self):
        r = self.r
        path = r.choice(PATHS).format(n=r.randrange(1, 100000), w=self.word(), p=r.randrange(1, 50),
                                      h=self.hexs(8))
        status = r.choice([200] * 14 + [301, 302, 304, 304, 400, 403, 404, 404, 499, 500, 502, 503])
        method = r.choice(["GET"] * 8 + ["POST", "POST", "PUT", "DELETE", "HEAD"])
        ref = r.choice(["-", "-", "https://www.example.com/", "https://shop.example.com/cart",
                        "https://www.google.com/"])
        sec = (self.t_ms // 1000) % 86400
        msg = '%s - %s [23/Nov/2026:%02d:%02d:%02d +0000] "%s %s HTTP/1.1" %d %d "%s" "%s" rt=%.3f' % (
            self.ip(), r.choice(["-"] * 6 + USERS[:4]), sec // 3600, sec // 60 % 60, sec % 60,
            method, path, status, r.randrange(0, 250000), ref, r.choice(AGENTS), r.random() * 2)
        sev = 6 if status < 500 else 3
        return 23, sev, "nginx", None, msg  # local7, like nginx's syslog: default

    def k_sshd(self):
        r = self.r
        pid = r.randrange(1000, 4000000)
        x = r.random()
        ip, port = self.ip(), r.randrange(1024, 65536)
        if x < 0.3:
            msg = "Accepted %s for %s from %s port %d ssh2%s" % (
                r.choice(["publickey", "password"]), r.choice(USERS), ip, port,
                (": RSA SHA256:" + self.hexs(43)) if r.random() < 0.5 else "")
            sev = 6
        elif x < 0.55:
            msg = "Failed password for %s%s from %s port %d ssh2" % (
                r.choice(["", "invalid user "]), r.choice(USERS + BAD_USERS), ip, port)
            sev = 6
        elif x < 0.75:
            msg = "Invalid user %s from %s port %d" % (r.choice(BAD_USERS), ip, port)
            sev = 6
        elif x < 0.9:
            msg = r.choice(["Disconnected from user %s %s port %d" % (r.choice(USERS), ip, port),
                            "Received disconnect from %s port %d:11: disconnected by user" % (ip, port),
                            "Connection closed by authenticating user %s %s port %d [preauth]" % (
                                r.choice(USERS), ip, port)])
            sev = 6
        else:
            msg = "pam_unix(sshd:session): session %s for user %s%s" % (
                r.choice(["opened", "closed"]), r.choice(USERS), "(uid=0) by (uid=0)" if r.random() < 0.5 else "")
            sev = 6
        return 10, sev, "sshd", pid, msg  # authpriv

    def k_ufw(self):
        r = self.r
        proto = r.choice(["TCP", "TCP", "TCP", "UDP"])
        kt = r.randrange(10000, 9999999)
        msg = ("[%d.%06d] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:%s:%s:%s:52:54:00:12:35:02:08:00 "
               "SRC=%s DST=10.0.2.15 LEN=%d TOS=0x00 PREC=0x00 TTL=%d ID=%d %sPROTO=%s SPT=%d DPT=%d %s") % (
            kt, r.randrange(10 ** 6), self.hexs(2), self.hexs(2), self.hexs(2), self.ip(), r.randrange(40, 1500),
            r.randrange(30, 255), r.randrange(65536), "DF " if r.random() < 0.5 else "", proto,
            r.randrange(1024, 65536), r.choice([22, 23, 80, 443, 445, 3389, 5432, 6379, 8080, 3306]),
            "WINDOW=%d RES=0x00 SYN URGP=0" % r.randrange(1024, 65536) if proto == "TCP" else "LEN=%d" % r.randrange(8, 512))
        return 0, 4, "kernel", None, msg

    def k_cron(self):
        r = self.r
        x = r.random()
        u = r.choice(["root", "root", "www-data", "backup", "deploy"])
        if x < 0.6:
            msg = "(%s) CMD (%s)" % (u, r.choice(CRON_CMDS))
        else:
            msg = "pam_unix(cron:session): session %s for user %s" % (r.choice(["opened", "closed"]), u)
            if msg.endswith(u) and "opened" in msg:
                msg += "(uid=0) by (uid=0)"
        return 9, 6, "CRON", r.randrange(1000, 4000000), msg

    def k_systemd(self):
        r = self.r
        unit = r.choice(UNITS).format(n=r.randrange(1, 9))
        desc = unit.split(".")[0].replace("-", " ").title()
        msg = r.choice(["Started %s - %s." % (unit, desc), "Starting %s - %s..." % (unit, desc),
                        "%s: Deactivated successfully." % unit, "Finished %s - %s." % (unit, desc),
                        "%s: Consumed %.3fs CPU time." % (unit, r.random() * 30),
                        "%s: Main process exited, code=exited, status=%d/FAILURE" % (unit, r.randrange(1, 4)),
                        "Reloading %s..." % desc])
        sev = 3 if "FAILURE" in msg else 6
        return 3, sev, "systemd", 1, msg

    def k_postfix(self):
        r = self.r
        qid = self.hexs(10).upper()
        ip = self.ip()
        name = r.choice(["mail", "mx", "smtp", "unknown"]) + "." + r.choice(["example.org", "example.net", "mailer.example.com"])
        x = r.random()
        if x < 0.3:
            prog, msg = "postfix/smtpd", "connect from %s[%s]" % (name, ip)
        elif x < 0.5:
            prog, msg = "postfix/smtpd", "%s: client=%s[%s]" % (qid, name, ip)
        elif x < 0.65:
            prog, msg = "postfix/smtpd", "disconnect from %s[%s] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" % (name, ip)
        elif x < 0.85:
            prog, msg = "postfix/smtp", ("%s: to=<%s@%s>, relay=%s[%s]:25, delay=%.2f, delays=0.1/0/0.2/0.3, "
                                         "dsn=2.0.0, status=sent (250 2.0.0 OK %s)") % (
                qid, r.choice(USERS), r.choice(["example.com", "example.org"]), name, ip, r.random() * 5, self.hexs(12))
        else:
            prog, msg = "postfix/smtpd", ("NOQUEUE: reject: RCPT from %s[%s]: 554 5.7.1 <%s@example.com>: "
                                          "Relay access denied; from=<%s@%s> to=<%s@example.com> proto=ESMTP helo=<%s>") % (
                name, ip, r.choice(BAD_USERS), r.choice(BAD_USERS), name, r.choice(USERS), name)
        return 2, 6, prog, r.randrange(1000, 4000000), msg

    def k_sudo(self):
        r = self.r
        u = r.choice(USERS[:12])
        if r.random() < 0.8:
            msg = "%8s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=%s" % (u, r.randrange(0, 8), u, r.choice(SUDO_CMDS))
            return 10, 5, "sudo", None, msg
        msg = "pam_unix(sudo:session): session %s for user root(uid=0) by %s(uid=%d)" % (
            r.choice(["opened", "closed"]), u, r.randrange(1000, 1100))
        return 10, 6, "sudo", None, msg

    def k_unmatched(self):
        r = self.r
        app = r.choice(APPS)
        x = r.random()
        lvl = r.choice(LEVELS)
        if x < 0.08:
            # The short end: a bare word or two (the line is padded to MIN_LEN).
            msg = r.choice(["ok", "tick %d" % r.randrange(10 ** 4), "heartbeat", "reconnected", "gc done"])
        elif x < 0.3:
            msg = "%s [%s] %s %s %s id=%d took %dms" % (lvl, r.choice(["main", "http-nio-8080-exec-%d" % r.randrange(1, 200),
                                                                        "pool-1-thread-%d" % r.randrange(1, 16)]),
                                                       self.word(), self.word(), self.word(), r.randrange(10 ** 6), r.randrange(1, 5000))
        elif x < 0.55:
            kv = " ".join("%s=%s" % (self.word(), r.choice([self.word(), str(r.randrange(10 ** 5)), self.hexs(8)]))
                          for _ in range(r.randrange(3, 14)))
            msg = "level=%s msg=\"%s %s\" %s" % (lvl.lower(), self.word(), self.word(), kv)
        elif x < 0.75:
            fields = ",".join('"%s":%s' % (self.word(), r.choice(['"%s"' % self.word(), str(r.randrange(10 ** 6)), "true", "null"]))
                              for _ in range(r.randrange(2, 12)))
            msg = '{"level":"%s","ts":%d.%03d,%s,"trace_id":"%s"}' % (lvl.lower(), self.t_ms // 1000, self.t_ms % 1000,
                                                                       fields, self.hexs(32))
        elif x < 0.9:
            frames = " ".join("at com.example.%s.%s%s.%s(%s.java:%d)" % (
                self.word(), self.word().title(), r.choice(["Service", "Handler", "Dao", "Controller"]),
                self.word(), self.word().title(), r.randrange(20, 900)) for _ in range(r.randrange(2, 30)))
            msg = "ERROR %s: request failed: %s %s" % (self.word(), r.choice(EXCEPTIONS), frames)
        else:
            # Long payloads, 1-4 KiB: the tail of the length distribution.
            n = r.randrange(1024, 4096)
            parts = []
            size = 0
            while size < n:
                w = r.choice([self.word(), self.hexs(16), str(r.randrange(10 ** 9)), "é", "ü", "\t"])
                parts.append(w)
                size += len(w) + 1
            msg = "dump %s: %s" % (self.word(), " ".join(parts)[:n])
        return r.choice([1, 16, 17, 18]), r.choice([3, 4, 6, 6, 6, 7]), app, self.pid(app), msg

    def line(self):
        r = self.r
        self.t_ms += r.randrange(0, 7)
        pick = r.randrange(self.total)
        for acc, name in self.cum:
            if pick < acc:
                break
        fac, sev, prog, pid, msg = getattr(self, "k_" + name)()
        rfc5424 = r.random() < self.share5424
        host = r.choice(self.hosts)
        s = self.header(fac, sev, host, prog.replace("/", "-") if rfc5424 else prog, pid, rfc5424) + msg
        if len(s.encode()) < MIN_LEN:
            s += " " + "x" * (MIN_LEN - len(s.encode()))
        return name, rfc5424, s


def civil_from_days(z):
    # Howard Hinnant's algorithm: proleptic Gregorian, integers only.
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return y + (m <= 2), m, d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--rfc5424-share", type=float, default=0.25)
    ap.add_argument("--meta", help="write the summary as JSON here")
    ap.add_argument("out")
    a = ap.parse_args()
    if a.count < 1 or a.count > 100_000_000:
        ap.error("--count must be 1..100000000")
    g = Gen(a.seed, a.rfc5424_share)
    kinds = {name: 0 for name, _ in KINDS}
    n5424 = 0
    nbytes = 0
    lmin, lmax = 1 << 30, 0
    out = sys.stdout.buffer if a.out == "-" else open(a.out, "wb")
    chunk = []
    for _ in range(a.count):
        name, is5424, s = g.line()
        b = s.encode()
        kinds[name] += 1
        n5424 += is5424
        nbytes += len(b) + 1
        lmin = min(lmin, len(b))
        lmax = max(lmax, len(b))
        chunk.append(b)
        if len(chunk) >= 4096:
            out.write(b"\n".join(chunk) + b"\n")
            chunk = []
    if chunk:
        out.write(b"\n".join(chunk) + b"\n")
    if out is not sys.stdout.buffer:
        out.close()
    meta = {"version": CORPUS_VERSION, "seed": a.seed, "count": a.count, "bytes": nbytes,
            "avg_len": round(nbytes / a.count - 1, 1), "min_len": lmin, "max_len": lmax,
            "rfc5424": n5424, "rfc3164": a.count - n5424, "kinds": kinds}
    if a.meta:
        with open(a.meta, "w") as f:
            json.dump(meta, f, indent=1)
    print("corpus: %d lines, %d bytes, avg %.1f B (min %d, max %d), rfc5424 %d, kinds %s" % (
        a.count, nbytes, meta["avg_len"], lmin, lmax, n5424, kinds), file=sys.stderr)


if __name__ == "__main__":
    main()
