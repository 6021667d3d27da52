/* bench/c/send.c: sends a corpus file to a syslog receiver on loopback.
 *
 * Design: the corpus (one message per line, LF-terminated) is read into
 * memory and, for octet-counted framing, rewritten there as "LEN SP MSG"
 * before the clock starts, so framing costs nothing during the run. The
 * first --count messages are split into --conns contiguous parts, one
 * thread and one TCP connection each. All threads connect first, then wait
 * at a barrier; t_start is taken when they are released, just before the
 * first byte is written. Modes:
 *   fast      write() of up to 4 MiB at a time (what sendfile(2) does);
 *   sendfile  sendfile(2) straight from the file (LF framing only);
 *   line      one write() per message, framing included, like rsyslog's
 *             omfwd: this is what a real forwarder looks like to a receiver
 *             (Nagle left on, as on a plain socket; --nodelay 1 turns it off);
 *   udp       one datagram per message, no framing, paced at --rate msgs/s
 *             over all threads (0: as fast as the socket takes them).
 * TCP writes block, so the sender goes exactly as fast as the receiver
 * reads; the deadline is checked when a write blocks for a second and
 * between chunks (fast, sendfile). t_end is when the last write returned (the bytes are in the
 * kernel, not necessarily read yet): the end-to-end figure is the
 * receiver's business. Everything is bounded by --timeout (SO_SNDTIMEO
 * wakes blocked writes so the deadline is checked at least once a second).
 * A run cut short (timeout, error) reports in "msgs" the messages whose
 * bytes were all written, whatever the mode.
 * Output: one JSON object on stdout. Exit 0 when everything was sent,
 * 1 on a usage or I/O error, 3 on timeout. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256
#define CHUNK (4u << 20)
#define MAX_CORPUS (8ull << 30)

enum mode { M_FAST, M_SENDFILE, M_LINE, M_UDP };

struct opts {
    const char *host;
    int port;
    const char *file;
    enum mode mode;
    int octet;
    int conns;
    uint64_t count;             /* 0: every line */
    double rate;                /* udp: msgs/s over all threads, 0 = unpaced */
    double timeout;
    int sndbuf;
    int nodelay;
};

struct part {
    int id;
    int fd;
    uint64_t first, n;          /* message range */
    uint64_t sent_msgs, sent_bytes, errors;
    int failed;
    char why[160];
};

static struct opts o = { "127.0.0.1", 0, NULL, M_FAST, 0, 1, 0, 0, 600, 0, 0 };
static char *buf;               /* framed messages, back to back */
static size_t buf_len;
static uint64_t *off;           /* off[i]: start of message i in buf; off[n] = buf_len */
static uint64_t nmsgs;
static int file_fd = -1;
static pthread_barrier_t go;
static uint64_t t_start, deadline;
static volatile int timed_out;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "send: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(1);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: send --port P --file CORPUS [--host 127.0.0.1] [--mode fast|sendfile|line|udp]\n"
            "            [--framing lf|octet] [--conns C] [--count N] [--rate MSGS_PER_S]\n"
            "            [--timeout SECONDS] [--sndbuf BYTES] [--nodelay 0|1]\n");
    exit(1);
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--host"))
            o.host = v;
        else if (!strcmp(a, "--port"))
            o.port = atoi(v);
        else if (!strcmp(a, "--file"))
            o.file = v;
        else if (!strcmp(a, "--mode")) {
            if (!strcmp(v, "fast"))
                o.mode = M_FAST;
            else if (!strcmp(v, "sendfile"))
                o.mode = M_SENDFILE;
            else if (!strcmp(v, "line"))
                o.mode = M_LINE;
            else if (!strcmp(v, "udp"))
                o.mode = M_UDP;
            else
                die("unknown mode %s", v);
        } else if (!strcmp(a, "--framing")) {
            if (!strcmp(v, "octet"))
                o.octet = 1;
            else if (strcmp(v, "lf"))
                die("unknown framing %s", v);
        } else if (!strcmp(a, "--conns"))
            o.conns = atoi(v);
        else if (!strcmp(a, "--count"))
            o.count = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--rate"))
            o.rate = atof(v);
        else if (!strcmp(a, "--timeout"))
            o.timeout = atof(v);
        else if (!strcmp(a, "--sndbuf"))
            o.sndbuf = atoi(v);
        else if (!strcmp(a, "--nodelay"))
            o.nodelay = atoi(v);
        else
            usage();
    }
    if (o.port <= 0 || o.port > 65535 || !o.file)
        usage();
    if (o.conns < 1 || o.conns > MAX_CONNS)
        die("--conns must be 1..256%s", "");
    if (o.timeout <= 0)
        die("--timeout must be > 0%s", "");
    if (o.mode == M_UDP && o.octet)
        die("a datagram carries one message: no octet framing over udp%s", "");
    if (o.mode == M_SENDFILE && o.octet)
        die("sendfile sends the file as is: LF framing only%s", "");
}

/* Reads the corpus and indexes (and for octet framing, reframes) the first
 * o.count messages. */
static void load(void)
{
    struct stat st;
    char *raw;
    size_t got = 0;
    uint64_t lines = 0, cap;

    file_fd = open(o.file, O_RDONLY | O_CLOEXEC);
    if (file_fd < 0 || fstat(file_fd, &st))
        die("cannot open %s", o.file);
    if ((uint64_t)st.st_size > MAX_CORPUS)
        die("%s is larger than 8 GiB", o.file);
    raw = malloc((size_t)st.st_size + 1);
    if (!raw)
        die("out of memory loading %s", o.file);
    while (got < (size_t)st.st_size) {
        ssize_t r = pread(file_fd, raw + got, (size_t)st.st_size - got, (off_t)got);
        if (r <= 0)
            die("cannot read %s", o.file);
        got += (size_t)r;
    }
    if (got == 0 || raw[got - 1] != '\n')
        die("%s must be non-empty and end with LF", o.file);
    for (size_t i = 0; i < got; i++)
        lines += raw[i] == '\n';
    if (o.count == 0)
        o.count = lines;
    if (o.count > lines) {
        fprintf(stderr, "send: --count %llu but %s has %llu lines\n",
                (unsigned long long)o.count, o.file, (unsigned long long)lines);
        exit(1);
    }
    nmsgs = o.count;
    off = malloc((nmsgs + 1) * sizeof *off);
    cap = got + nmsgs * 8;      /* octet framing adds at most "NNNNNNN " per message */
    buf = o.octet ? malloc(cap) : raw;
    if (!off || !buf)
        die("out of memory indexing %s", o.file);

    const char *p = raw;
    size_t w = 0;
    for (uint64_t i = 0; i < nmsgs; i++) {
        const char *e = memchr(p, '\n', got - (size_t)(p - raw));
        size_t len = (size_t)(e - p);

        if (o.octet) {
            off[i] = w;
            w += (size_t)sprintf(buf + w, "%zu ", len);
            memcpy(buf + w, p, len);
            w += len;
        } else {
            off[i] = (uint64_t)(p - raw);
            w = (size_t)(e + 1 - raw);
        }
        p = e + 1;
    }
    off[nmsgs] = w;
    buf_len = w;
    if (o.octet)
        free(raw);
}

static int tcp_connect(struct part *pt)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o.port) };
    struct timeval tv = { 1, 0 };
    int one = 1;
    int fd = socket(AF_INET, (o.mode == M_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

    if (fd < 0 || inet_pton(AF_INET, o.host, &sa.sin_addr) != 1)
        goto fail;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (o.sndbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &o.sndbuf, sizeof o.sndbuf);
    if (o.nodelay)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa))
        goto fail;
    pt->fd = fd;
    return 0;
fail:
    snprintf(pt->why, sizeof pt->why, "connect %s:%d: %s", o.host, o.port, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* Writes [p, p+len) completely; -1 on error or deadline. */
static int write_all(struct part *pt, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(pt->fd, p, len);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (now_ns() > deadline) {
                    timed_out = 1;
                    snprintf(pt->why, sizeof pt->why, "timeout");
                    return -1;
                }
                continue;
            }
            snprintf(pt->why, sizeof pt->why, "write: %s", strerror(errno));
            return -1;
        }
        p += w;
        len -= (size_t)w;
        pt->sent_bytes += (uint64_t)w;
    }
    return 0;
}

/* After a failed fast or sendfile run: the messages of the part whose bytes
 * were all written (a message cut by the failure does not count). */
static uint64_t whole_msgs(const struct part *pt)
{
    uint64_t upto = off[pt->first] + pt->sent_bytes, lo = 0, hi = pt->n;

    while (lo < hi) {           /* largest k with off[first + k] <= upto */
        uint64_t mid = (lo + hi + 1) / 2;
        if (off[pt->first + mid] <= upto)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int send_fast(struct part *pt)
{
    uint64_t pos = off[pt->first], end = off[pt->first + pt->n];

    while (pos < end) {
        size_t len = end - pos > CHUNK ? CHUNK : (size_t)(end - pos);

        if (pos > off[pt->first] && now_ns() > deadline) {
            /* A receiver that reads steadily never blocks a write for a
             * whole SO_SNDTIMEO: the deadline is checked between chunks. */
            timed_out = 1;
            snprintf(pt->why, sizeof pt->why, "timeout");
            pt->sent_msgs = whole_msgs(pt);
            return -1;
        }
        if (write_all(pt, buf + pos, len)) {
            pt->sent_msgs = whole_msgs(pt);
            return -1;
        }
        pos += len;
    }
    pt->sent_msgs = pt->n;
    return 0;
}

static int send_sendfile(struct part *pt)
{
    off_t pos = (off_t)off[pt->first], end = (off_t)off[pt->first + pt->n];

    while (pos < end) {
        size_t len = (size_t)(end - pos) > CHUNK ? CHUNK : (size_t)(end - pos);
        if (now_ns() > deadline) {
            timed_out = 1;
            snprintf(pt->why, sizeof pt->why, "sendfile: timeout");
            pt->sent_msgs = whole_msgs(pt);
            return -1;
        }
        ssize_t w = sendfile(pt->fd, file_fd, &pos, len);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            if ((errno == EAGAIN || errno == EWOULDBLOCK) && now_ns() <= deadline)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                timed_out = 1;
            snprintf(pt->why, sizeof pt->why, "sendfile: %s", timed_out ? "timeout" : strerror(errno));
            pt->sent_msgs = whole_msgs(pt);
            return -1;
        }
        pt->sent_bytes += (uint64_t)w;
    }
    pt->sent_msgs = pt->n;
    return 0;
}

static int send_lines(struct part *pt)
{
    for (uint64_t i = pt->first; i < pt->first + pt->n; i++) {
        if (write_all(pt, buf + off[i], (size_t)(off[i + 1] - off[i])))
            return -1;
        pt->sent_msgs++;
        /* A cheap deadline check: write_all only checks it when blocked. */
        if ((pt->sent_msgs & 0xffff) == 0 && now_ns() > deadline) {
            timed_out = 1;
            snprintf(pt->why, sizeof pt->why, "timeout");
            return -1;
        }
    }
    return 0;
}

static int send_udp(struct part *pt)
{
    double per_ns = o.rate > 0 ? o.rate / o.conns / 1e9 : 0;

    for (uint64_t i = pt->first, k = 0; i < pt->first + pt->n; i++, k++) {
        size_t len = (size_t)(off[i + 1] - off[i]);
        ssize_t w;

        if (!o.octet && len > 0 && buf[off[i] + len - 1] == '\n')
            len--;              /* a datagram carries the message without its LF */
        if (per_ns > 0 && (k & 63) == 0) {
            /* Pace in steps of 64 messages: sleep until the schedule allows k. */
            uint64_t due = t_start + (uint64_t)((double)k / per_ns), t;
            while ((t = now_ns()) < due) {
                uint64_t d = due - t;
                struct timespec ts = { (time_t)(d / 1000000000ull), (long)(d % 1000000000ull) };
                nanosleep(&ts, NULL);
            }
            if (t > deadline) {
                timed_out = 1;
                snprintf(pt->why, sizeof pt->why, "timeout");
                return -1;
            }
        }
        w = send(pt->fd, buf + off[i], len, 0);
        if (w < 0) {
            if (errno == EINTR) {
                i--, k--;
                continue;
            }
            pt->errors++;       /* ENOBUFS, ECONNREFUSED: the datagram is lost, count it */
            continue;
        }
        pt->sent_msgs++;
        pt->sent_bytes += (uint64_t)w;
    }
    return 0;
}

static void *run_part(void *arg)
{
    struct part *pt = arg;
    int rc;

    pthread_barrier_wait(&go);
    if (pt->fd < 0)
        return NULL;
    switch (o.mode) {
    case M_FAST: rc = send_fast(pt); break;
    case M_SENDFILE: rc = send_sendfile(pt); break;
    case M_LINE: rc = send_lines(pt); break;
    default: rc = send_udp(pt); break;
    }
    if (rc)
        pt->failed = 1;
    if (o.mode != M_UDP)
        shutdown(pt->fd, SHUT_WR);
    return NULL;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    static struct part parts[MAX_CONNS];
    pthread_t th[MAX_CONNS];
    static const char *const names[] = { "fast", "sendfile", "line", "udp" };
    struct rusage ru;
    uint64_t t_end, msgs = 0, bytes = 0, errors = 0;
    int failed = 0, connect_failed = 0;
    const char *why = "";

    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);  /* a receiver that goes away is an error to report */
    load();
    if ((uint64_t)o.conns > nmsgs)
        o.conns = (int)nmsgs;
    deadline = now_ns() + (uint64_t)(o.timeout * 1e9);
    pthread_barrier_init(&go, NULL, (unsigned)o.conns + 1);
    for (int i = 0; i < o.conns; i++) {
        struct part *pt = &parts[i];

        pt->id = i;
        pt->fd = -1;
        pt->first = nmsgs * (uint64_t)i / (uint64_t)o.conns;
        pt->n = nmsgs * (uint64_t)(i + 1) / (uint64_t)o.conns - pt->first;
        if (tcp_connect(pt)) {
            pt->failed = 1;
            connect_failed = 1;
        }
    }
    for (int i = 0; i < o.conns; i++)
        pthread_create(&th[i], NULL, run_part, &parts[i]);
    t_start = now_ns();
    pthread_barrier_wait(&go);
    for (int i = 0; i < o.conns; i++)
        pthread_join(th[i], NULL);
    t_end = now_ns();
    for (int i = 0; i < o.conns; i++) {
        msgs += parts[i].sent_msgs;
        bytes += parts[i].sent_bytes;
        errors += parts[i].errors;
        if (parts[i].failed && !failed) {
            failed = 1;
            why = parts[i].why;
        }
        if (parts[i].fd >= 0)
            close(parts[i].fd);
    }
    getrusage(RUSAGE_SELF, &ru);
    double secs = (double)(t_end - t_start) / 1e9;
    printf("{\"mode\":\"%s\",\"framing\":\"%s\",\"conns\":%d,\"rate\":%.0f,\"msgs\":%llu,"
           "\"want\":%llu,\"bytes\":%llu,\"errors\":%llu,\"t_start_ns\":%llu,\"t_end_ns\":%llu,"
           "\"secs\":%.6f,\"msgs_per_s\":%.0f,\"mb_per_s\":%.1f,\"cpu_user_s\":%.3f,"
           "\"cpu_sys_s\":%.3f,\"complete\":%s,\"timeout\":%s,\"error\":\"%s\"}\n",
           names[o.mode], o.octet ? "octet" : "lf", o.conns, o.rate,
           (unsigned long long)msgs, (unsigned long long)nmsgs, (unsigned long long)bytes,
           (unsigned long long)errors, (unsigned long long)t_start, (unsigned long long)t_end,
           secs, secs > 0 ? (double)msgs / secs : 0, secs > 0 ? (double)bytes / secs / 1e6 : 0,
           tv_s(ru.ru_utime), tv_s(ru.ru_stime), failed ? "false" : "true",
           timed_out ? "true" : "false", why);
    fflush(stdout);
    if (timed_out)
        return 3;
    return failed || connect_failed ? 1 : 0;
}
