#!/usr/bin/env python3
"""bench/gen_normcorpus.py: the corpus of the normalization benchmark (bench/norm).

Design: two files written side by side, line n of one matching line n of the
other. OUT.log holds full RFC 3164 syslog lines (what `sluice test` reads: it
needs the program name to route), OUT.msg the bare message of each, the text
after "tag[pid]: " (what `lognormalizer` reads, as rsyslog's mmnormalize
would hand it over). No LF or NUL inside a message. The same --seed and
--count give the same bytes everywhere (random.Random and integer arithmetic
only, as gen_corpus.py, whose header and helpers this reuses). Bump
CORPUS_VERSION when the output changes: bench/norm keys its cache on it.

Every message below is one that a grammar of grammars/ matches (sshd, sudo,
CRON, systemd, kernel firewall, postfix smtpd/smtp/qmgr/cleanup, nginx
access), with the variants each program really writes, plus two other
kinds: rarer messages of those same programs, from a fixed list (RARE_ROUTED:
some of them a grammar matches, the others no grammar does), and chatter of
programs no route takes (gen_corpus.py's unmatched kind: key=value, JSON,
stack traces, 1-4 KiB dumps). The liblognorm rulebase
bench/rulebases/mixed.rulebase must match exactly the same lines and give
the same fields: bench/norm checks both. A few shapes are left out because
liblognorm cannot express what the grok expression does, and
bench/README.md lists them: parentheses inside a cron command or a postfix
response (its text-to-end parser cannot stop before a closing character), a
trailing "(uid=N) by" on closed sessions, nginx error lines, and systemd's
login sessions ("Started session-N.scope - Session N of User X.": the
grammar gives the description and, out of the same text, the session and
the user; liblognorm gives each byte to one field at most).

Usage: gen_normcorpus.py --seed 1 --count 1000000 OUT   (writes OUT.log, OUT.msg;
       a summary goes to stderr, and with --meta FILE as JSON)
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_corpus as gc  # noqa: E402  (the header, helpers and word lists)

CORPUS_VERSION = 2

# kind, share in percent (sums to 100)
KINDS = [
    ("nginx", 24), ("sshd", 18), ("kernel", 12), ("postfix", 12), ("systemd", 9),
    ("cron", 9), ("sudo", 6), ("rare_routed", 4), ("miss_unrouted", 6),
]

UNITS = [  # unit, description as its unit file has it (no '.' inside: see the rulebase)
    ("nginx.service", "A high performance web server and a reverse proxy server"),
    ("ssh.service", "OpenBSD Secure Shell server"),
    ("cron.service", "Regular background program processing daemon"),
    ("postfix@-.service", "Postfix Mail Transport Agent (instance -)"),
    ("docker.service", "Docker Application Container Engine"),
    ("apt-daily.service", "Daily apt download activities"),
    ("apt-daily-upgrade.service", "Daily apt upgrade and clean activities"),
    ("logrotate.service", "Rotate log files"),
    ("systemd-tmpfiles-clean.service", "Cleanup of Temporary Directories"),
    ("man-db.service", "Daily man-db regeneration"),
    ("fstrim.service", "Discard unused blocks on filesystems from /etc/fstab"),
    ("app-worker@{n}.service", "App worker {n}"),
    ("certbot.timer", "Run certbot twice daily"),
]
CRON_CMDS = gc.CRON_CMDS + ["   cd / && run-parts --report /etc/cron.hourly",
                            "command -v debian-sa1 > /dev/null && debian-sa1 1 1",
                            "php /var/www/app/artisan schedule:run >> /dev/null 2>&1"]
MAIL_DOMAINS = ["example.com", "example.org", "example.net", "mailer.example.com"]
KEY_TYPES = ["RSA", "ED25519", "ECDSA"]
UFW_ACTIONS = ["BLOCK"] * 16 + ["ALLOW", "ALLOW", "AUDIT", "LIMIT BLOCK"]
TCP_FLAGS = ["SYN"] * 7 + ["ACK FIN", "ACK RST", "ACK PSH", "RST"]
# (program, message): routed to the program's grammar. Written as misses; the
# grammars have since learned all but sshd's "Received signal", postfix's
# "statistics", sudo's "unable to resolve host", CRON's token line and
# nginx's "[alert]" without a pid, which stay a miss on both sides.
RARE_ROUTED = [
    ("sshd", "Server listening on 0.0.0.0 port 22."),
    ("sshd", "Received signal 15; terminating."),
    ("sshd", "error: kex_exchange_identification: Connection closed by remote host"),
    ("sshd", "Timeout before authentication for {ip} port {port}"),
    ("kernel", "e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx"),
    ("kernel", "Out of memory: Killed process {pid} (java) total-vm:8123456kB, anon-rss:4000000kB"),
    ("systemd", "Reloading."),
    ("systemd", "Finished logrotate.service - Rotate log files."),
    ("systemd", "Listening on dbus.socket - D-Bus System Message Bus Socket."),
    ("postfix/smtpd", "warning: hostname mail.example.org does not resolve to address {ip}: "
                      "Name or service not known"),
    ("postfix/smtpd", "statistics: max connection rate 3/60s for (smtp:{ip}) at Nov 23 12:00:01"),
    ("sudo", "unable to resolve host web-07: Name or service not known"),
    ("CRON", "Authentication token is no longer valid; new one required"),
    ("nginx", "[alert] could not open error log file"),
]


class NormGen(gc.Gen):
    def __init__(self, seed):
        super().__init__(seed, 0.0)
        self.cum, acc = [], 0
        for name, share in KINDS:
            acc += share
            self.cum.append((acc, name))
        self.total = acc

    def pick(self, weighted):
        """One item of [(weight, item)...]."""
        x = self.r.random() * sum(w for w, _ in weighted)
        for w, item in weighted:
            x -= w
            if x < 0:
                return item
        return weighted[-1][1]

    def addr(self):
        # IPv6 in 5 % of client addresses, where the programs print them unbracketed
        r = self.r
        if r.random() < 0.05:
            return "2001:db8:%x::%x" % (r.randrange(1, 0xffff), r.randrange(1, 0xffff))
        return self.ip()

    def user(self):
        return self.r.choice(gc.USERS)

    # --- kinds: each returns (fac, sev, prog, pid, msg) ----------------------
    def k_nginx(self):
        r = self.r
        path = r.choice(gc.PATHS).format(n=r.randrange(1, 100000), w=self.word(), p=r.randrange(1, 50),
                                         h=self.hexs(8))
        status = r.choice([200] * 14 + [301, 302, 304, 304, 400, 403, 404, 404, 499, 500, 502, 503])
        sec = (self.t_ms // 1000) % 86400
        msg = '%s - %s [23/Nov/2026:%02d:%02d:%02d +0000] "%s %s HTTP/%s" %d %d "%s" "%s"' % (
            self.addr(), r.choice(["-"] * 6 + gc.USERS[:4]), sec // 3600, sec // 60 % 60, sec % 60,
            r.choice(["GET"] * 8 + ["POST", "POST", "PUT", "DELETE", "HEAD"]), path,
            r.choice(["1.1"] * 6 + ["2.0", "1.0"]), status, r.randrange(0, 250000),
            r.choice(["-", "-", "https://www.example.com/", "https://shop.example.com/cart",
                      "https://www.google.com/"]), r.choice(gc.AGENTS))
        if r.random() < 0.15:
            msg += ' "%s, %s"' % (self.ip(), self.ip())
        return 23, 6 if status < 500 else 3, "nginx", None, msg

    def k_sshd(self):
        r = self.r
        ip, port, u = self.addr(), r.randrange(1024, 65536), self.user()
        bad = r.choice(gc.BAD_USERS)
        key = "%s SHA256:%s" % (r.choice(KEY_TYPES), self.hexs(43))
        msg = self.pick([
            (15, "Accepted publickey for %s from %s port %d ssh2: %s" % (u, ip, port, key)),
            (8, "Accepted password for %s from %s port %d ssh2" % (u, ip, port)),
            (12, "Failed password for %s from %s port %d ssh2" % (u, ip, port)),
            (12, "Failed password for invalid user %s from %s port %d ssh2" % (bad, ip, port)),
            (13, "Invalid user %s from %s port %d" % (bad, ip, port)),
            (6, "Received disconnect from %s port %d:11: disconnected by user" % (ip, port)),
            (4, "Received disconnect from %s port %d:11: Bye Bye [preauth]" % (ip, port)),
            (5, "Disconnected from user %s %s port %d" % (u, ip, port)),
            (4, "Disconnected from invalid user %s %s port %d [preauth]" % (bad, ip, port)),
            (3, "Disconnected from authenticating user %s %s port %d [preauth]" % (u, ip, port)),
            (4, "Connection closed by %s port %d [preauth]" % (ip, port)),
            (4, "Connection closed by authenticating user %s %s port %d [preauth]" % (u, ip, port)),
            (2, "Connection reset by %s port %d" % (ip, port)),
            (5, "pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)" % (
                u, r.randrange(0, 1100))),
            (5, "pam_unix(sshd:session): session closed for user %s" % u),
        ])
        return 10, 6, "sshd", r.randrange(1000, 4000000), msg

    def k_kernel(self):
        r = self.r
        inbound = r.random() < 0.9
        proto = r.choice(["TCP", "TCP", "TCP", "UDP"])
        head = "[%d.%06d] " % (r.randrange(10000, 9999999), r.randrange(10 ** 6)) if r.random() < 0.5 else ""
        if inbound:
            ifaces = "IN=eth0 OUT= MAC=52:54:00:%s:%s:%s:52:54:00:12:35:02:08:00" % (
                self.hexs(2), self.hexs(2), self.hexs(2))
            src, dst = self.ip(), "10.0.2.15"
        else:
            ifaces = "IN= OUT=eth0"
            src, dst = "10.0.2.15", self.ip()
        msg = "%s[UFW %s] %s SRC=%s DST=%s LEN=%d TOS=0x%s PREC=0x%s TTL=%d ID=%d %sPROTO=%s SPT=%d DPT=%d " % (
            head, r.choice(UFW_ACTIONS), ifaces, src, dst, r.randrange(40, 1500), r.choice(["00", "00", "08"]),
            r.choice(["00", "00", "20"]), r.randrange(30, 255), r.randrange(65536),
            "DF " if r.random() < 0.5 else "", proto, r.randrange(1024, 65536),
            r.choice([22, 23, 80, 443, 445, 3389, 5432, 6379, 8080, 3306]))
        if proto == "TCP":
            msg += "WINDOW=%d RES=0x00 %s URGP=0" % (r.randrange(1024, 65536), r.choice(TCP_FLAGS))
        else:
            msg += "LEN=%d" % r.randrange(8, 512)
        return 0, 4, "kernel", None, msg

    def k_postfix(self):
        r = self.r
        qid = self.hexs(10).upper()
        ip = self.ip()
        name = r.choice(["unknown", "unknown", "mail.example.org", "mx.example.net", "smtp.mailer.example.com",
                         "out-%d.example.com" % r.randrange(1, 99)])
        client = "%s[%s]" % (name, ip)
        rcpt = "%s@%s" % (self.user(), r.choice(MAIL_DOMAINS))
        relay_host = r.choice(["mx1.example.net", "mx.example.org", "aspmx.l.example.com"])
        relay = "%s[%s]:25" % (relay_host, self.ip())
        delays = "%s/%s/%s/%s" % (r.choice(["0.01", "0.1", "0.02"]), r.choice(["0", "0.01"]),
                                  r.choice(["0.2", "0.05", "1.1"]), r.choice(["0.3", "0.07"]))
        prog, msg = self.pick([
            (20, ("postfix/smtpd", "connect from %s" % client)),
            (14, ("postfix/smtpd", "%s: client=%s" % (qid, client))),
            (3, ("postfix/smtpd", "%s: client=%s, sasl_method=PLAIN, sasl_username=%s" % (qid, client, rcpt))),
            (14, ("postfix/smtpd", "disconnect from %s ehlo=1 mail=1 rcpt=%d data=1 quit=1 commands=%d" % (
                client, r.randrange(1, 4), r.randrange(5, 8)))),
            (4, ("postfix/smtpd", "disconnect from %s ehlo=1 auth=0/1 rset=1 commands=2/3" % client)),
            (6, ("postfix/smtpd", "NOQUEUE: reject: RCPT from %s: 554 5.7.1 <%s@example.com>: Relay access "
                 "denied; from=<%s@%s> to=<%s@example.com> proto=ESMTP helo=<%s>" % (
                     client, r.choice(gc.BAD_USERS), r.choice(gc.BAD_USERS), name, r.choice(gc.BAD_USERS), name))),
            (3, ("postfix/smtpd", "NOQUEUE: reject: RCPT from %s: 450 4.7.1 Client host rejected: cannot find "
                 "your reverse hostname, [%s]; from=<> to=<%s> proto=SMTP helo=<%s>" % (client, ip, rcpt, name))),
            (10, ("postfix/cleanup", "%s: message-id=<%d.%s@%s>" % (qid, 20261123000000 + r.randrange(10 ** 6),
                                                                   self.hexs(6).upper(), r.choice(MAIL_DOMAINS)))),
            (10, ("postfix/qmgr", "%s: from=<%s>, size=%d, nrcpt=%d (queue active)" % (
                qid, rcpt, r.randrange(300, 900000), r.randrange(1, 4)))),
            (8, ("postfix/qmgr", "%s: removed" % qid)),
            (12, ("postfix/smtp", "%s: to=<%s>, relay=%s, delay=%.2f, delays=%s, dsn=2.0.0, status=sent "
                  "(250 2.0.0 Ok: queued as %s)" % (qid, rcpt, relay, r.random() * 5, delays, self.hexs(10).upper()))),
            (3, ("postfix/smtp", "%s: to=<%s>, relay=%s, delay=%.1f, delays=%s, dsn=4.4.1, status=deferred "
                 "(connect to %s[%s]:25: Connection timed out)" % (
                     qid, rcpt, relay, 30 + r.random() * 10, delays, relay_host, self.ip()))),
            (2, ("postfix/smtp", "%s: to=<%s>, relay=none, delay=%d, delays=%s, dsn=4.4.1, status=deferred "
                 "(connect to %s[%s]:25: Connection refused)" % (
                     qid, rcpt, r.randrange(30, 9000), delays, relay_host, self.ip()))),
        ])
        return 2, 6, prog, r.randrange(1000, 4000000), msg

    def k_systemd(self):
        r = self.r
        unit, desc = r.choice(UNITS)
        n = r.randrange(1, 9)
        unit, desc = unit.format(n=n), desc.format(n=n)
        msg = self.pick([
            (16, "Started %s - %s." % (unit, desc)),
            (14, "Starting %s - %s..." % (unit, desc)),
            (16, "%s: Deactivated successfully." % unit),
            (10, "%s: Consumed %.3fs CPU time." % (unit, r.random() * 30)),
            (4, "%s: Consumed %dmin %.3fs CPU time, %dM memory peak." % (
                unit, r.randrange(1, 60), r.random() * 60, r.randrange(2, 900))),
            (6, "Stopping %s - %s..." % (unit, desc)),
            (6, "Stopped %s - %s." % (unit, desc)),
            (5, "%s: Main process exited, code=exited, status=%d/FAILURE" % (unit, r.randrange(1, 4))),
            (2, "%s: Main process exited, code=killed, status=9/KILL" % unit),
            (5, "%s: Failed with result '%s'." % (unit, r.choice(["exit-code", "exit-code", "timeout", "signal"]))),
            (3, "%s: Scheduled restart job, restart counter is at %d." % (unit, r.randrange(1, 20))),
            (2, "Reached target %s - %s." % (r.choice(["multi-user.target", "timers.target"]),
                                              r.choice(["Multi-User System", "Timer Units"]))),
        ])
        return 3, 3 if "FAILURE" in msg else 6, "systemd", 1, msg

    def k_cron(self):
        r = self.r
        u = r.choice(["root", "root", "root", "www-data", "backup", "deploy"])
        msg = self.pick([
            (60, "(%s) CMD (%s)" % (u, r.choice(CRON_CMDS))),
            (20, "pam_unix(cron:session): session opened for user %s(uid=%d) by (uid=0)" % (
                u, 0 if u == "root" else r.randrange(33, 1100))),
            (20, "pam_unix(cron:session): session closed for user %s" % u),
        ])
        return 9, 6, "CRON", r.randrange(1000, 4000000), msg

    def k_sudo(self):
        r = self.r
        u = r.choice(gc.USERS[:12])
        kv = "TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=%s" % (r.randrange(0, 8), u, r.choice(gc.SUDO_CMDS))
        msg = self.pick([
            (55, "%8s : %s" % (u, kv)),
            (4, "%8s : 3 incorrect password attempts ; %s" % (u, kv)),
            (3, "%8s : user NOT in sudoers ; %s" % (r.choice(gc.BAD_USERS), kv)),
            (20, "pam_unix(sudo:session): session opened for user root(uid=0) by %s(uid=%d)" % (
                u, r.randrange(1000, 1100))),
            (18, "pam_unix(sudo:session): session closed for user root"),
        ])
        sev = 5 if " : " in msg else 6
        return 10, sev, "sudo", None, msg

    def k_rare_routed(self):
        r = self.r
        prog, msg = r.choice(RARE_ROUTED)
        msg = msg.format(ip=self.ip(), port=r.randrange(1024, 65536), pid=r.randrange(300, 4000000))
        pid = None if prog in ("kernel", "sudo", "nginx") else (1 if prog == "systemd" else r.randrange(1000, 4000000))
        return r.choice([0, 3, 4, 10]), 4, prog, pid, msg

    def k_miss_unrouted(self):
        return self.k_unmatched()

    def line(self):
        """(kind, full syslog line, bare message)"""
        r = self.r
        self.t_ms += r.randrange(0, 7)
        pick = r.randrange(self.total)
        for acc, name in self.cum:
            if pick < acc:
                break
        fac, sev, prog, pid, msg = getattr(self, "k_" + name)()
        msg = msg.replace("\t", " ")        # one word separator everywhere: no grammar sees a TAB
        return name, self.header(fac, sev, r.choice(self.hosts), prog, pid, False) + msg, msg


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000000)
    ap.add_argument("--meta", help="write the summary as JSON here")
    ap.add_argument("out", help="OUT: writes OUT.log (syslog lines) and OUT.msg (bare messages)")
    a = ap.parse_args()
    if a.count < 1 or a.count > 100_000_000:
        ap.error("--count must be 1..100000000")
    g = NormGen(a.seed)
    kinds = {name: 0 for name, _ in KINDS}
    nlog = nmsg = 0
    with open(a.out + ".log", "wb") as flog, open(a.out + ".msg", "wb") as fmsg:
        clog, cmsg = [], []
        for i in range(a.count):
            name, line, msg = g.line()
            kinds[name] += 1
            bl, bm = line.encode(), msg.encode()
            nlog += len(bl) + 1
            nmsg += len(bm) + 1
            clog.append(bl)
            cmsg.append(bm)
            if len(clog) >= 4096 or i == a.count - 1:
                flog.write(b"\n".join(clog) + b"\n")
                fmsg.write(b"\n".join(cmsg) + b"\n")
                clog, cmsg = [], []
    meta = {"version": CORPUS_VERSION, "seed": a.seed, "count": a.count, "log_bytes": nlog, "msg_bytes": nmsg,
            "avg_log_len": round(nlog / a.count - 1, 1), "avg_msg_len": round(nmsg / a.count - 1, 1),
            "kinds": kinds}
    if a.meta:
        with open(a.meta, "w") as f:
            json.dump(meta, f, indent=1)
    print("normcorpus: %d lines, syslog %d B (avg %.1f), messages %d B (avg %.1f), kinds %s" % (
        a.count, nlog, meta["avg_log_len"], nmsg, meta["avg_msg_len"], kinds), file=sys.stderr)


if __name__ == "__main__":
    main()
