/* bench/c/hammer.c: posts one pre-built _bulk body again and again, to
 * measure the null endpoint's own ceiling (it must be far above any
 * daemon's rate, or the daemons' figures measure the endpoint).
 *
 * Design: the body is built once before the clock starts: --docs action +
 * document pairs, each document shaped like sluice's (ECS names, ~300-400 B)
 * with its message taken from the corpus lines (--corpus) so sizes and gzip
 * ratios are realistic; with --gzip it is compressed once (level 1, like
 * sluice) and the same bytes are sent every time, so the endpoint pays the
 * inflate on every request. --conns threads each keep one keep-alive
 * connection and send --requests/--conns requests back to back (header and
 * body in one writev), reading each answer fully (Content-Length) before
 * the next. The first answer of each connection is checked: 200,
 * "errors":false and one item per document. With --no-id the actions are
 * {"index":{"_index":...}} without an _id, so the same body can be sent to
 * a real node again and again (it is also used to warm OpenSearch up). Bounded by --timeout (SO_RCVTIMEO
 * and SO_SNDTIMEO of 1 s let every blocked call look at the deadline).
 * Output: one JSON object on stdout; exit 0 when every request got 200. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_CONNS 64
#define RESP_MAX (64u << 20)

static int port, nconns = 1, use_gzip, use_filter, no_id;
static const char *index_name = "bench";
static uint64_t ndocs = 5000, nreq = 200;
static double timeout = 120;
static char *body;
static size_t body_len, raw_len;
static char head[512];
static size_t head_len;
static uint64_t deadline;

struct worker {
    uint64_t n, done, bad;
    char why[160];
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);

    if (!p) {
        fprintf(stderr, "hammer: out of memory (%zu)\n", n);
        exit(1);
    }
    return p;
}

/* JSON-escapes [s, s+n) into d; returns bytes written (d must hold 6n). */
static size_t jesc(char *d, const char *s, size_t n)
{
    char *w = d;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *w++ = '\\';
            *w++ = (char)c;
        } else if (c < 0x20) {
            w += sprintf(w, "\\u%04x", c);
        } else {
            *w++ = (char)c;
        }
    }
    return (size_t)(w - d);
}

static void build_body(const char *corpus)
{
    char *lines = NULL;
    size_t lines_len = 0, pos = 0, cap;
    char *esc;

    if (corpus) {
        FILE *f = fopen(corpus, "rb");
        size_t got;

        if (!f) {
            perror("hammer: corpus");
            exit(1);
        }
        /* The first 64 MiB is plenty for any --docs. */
        lines = xmalloc(64u << 20);
        got = fread(lines, 1, 64u << 20, f);
        fclose(f);
        lines_len = got;
    }
    esc = xmalloc(6 * 8192 + 16);
    if (strlen(index_name) > 200) {
        fprintf(stderr, "hammer: --index is too long\n");
        exit(1);
    }
    cap = ndocs * 1024 + (lines_len < 64u << 20 ? lines_len * 6 : 0) + 4096;
    body = xmalloc(cap);
    for (uint64_t i = 0; i < ndocs; i++) {
        const char *msg = "Accepted publickey for deploy from 10.1.2.3 port 52144 ssh2";
        size_t mlen = strlen(msg), el;

        if (lines_len) {
            char *nl = memchr(lines + pos, '\n', lines_len - pos);
            if (!nl) {
                pos = 0;
                nl = memchr(lines, '\n', lines_len);
            }
            msg = lines + pos;
            mlen = (size_t)(nl - msg);
            if (mlen > 8192)
                mlen = 8192;
            pos = (size_t)(nl + 1 - lines);
            if (pos >= lines_len)
                pos = 0;
        }
        el = jesc(esc, msg, mlen);
        if (raw_len + el + 1024 > cap) {
            cap = cap * 2 + el + 1024;
            body = realloc(body, cap);
            if (!body)
                exit(1);
        }
        if (no_id)
            raw_len += (size_t)sprintf(body + raw_len, "{\"index\":{\"_index\":\"%s\"}}\n", index_name);
        else
            raw_len += (size_t)sprintf(body + raw_len,
                                       "{\"create\":{\"_index\":\"%s\",\"_id\":\"hm%020" PRIu64 "\"}}\n",
                                       index_name, i);
        raw_len += (size_t)sprintf(body + raw_len,
                                   "{\"@timestamp\":\"2026-11-23T00:00:%02" PRIu64 ".%03" PRIu64 "Z\",\"message\":\"",
                                   i % 60, i % 1000);
        memcpy(body + raw_len, esc, el);
        raw_len += el;
        raw_len += (size_t)sprintf(body + raw_len,
                                   "\",\"host\":{\"hostname\":\"web-%02" PRIu64 "\"},\"log\":{\"level\":\"info\","
                                   "\"syslog\":{\"facility\":{\"code\":4,\"name\":\"auth\"},\"severity\":"
                                   "{\"code\":6,\"name\":\"informational\"},\"priority\":38}},\"process\":"
                                   "{\"name\":\"sshd\",\"pid\":%" PRIu64 "},\"event\":{\"ingested\":"
                                   "\"2026-11-23T00:00:01.000000Z\"}}\n", i % 40, 1000 + i);
    }
    free(esc);
    free(lines);
    body_len = raw_len;
    if (use_gzip) {
        z_stream z;
        uLong bound;
        char *gz;

        memset(&z, 0, sizeof z);
        if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            exit(1);
        bound = deflateBound(&z, (uLong)raw_len);
        gz = xmalloc(bound);
        z.next_in = (Bytef *)body;
        z.avail_in = (uInt)raw_len;
        z.next_out = (Bytef *)gz;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END)
            exit(1);
        body_len = z.total_out;
        deflateEnd(&z);
        free(body);
        body = gz;
    }
    head_len = (size_t)snprintf(head, sizeof head,
                                "POST /_bulk%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                                "Content-Type: application/x-ndjson\r\n%sContent-Length: %zu\r\n\r\n",
                                use_filter ? "?filter_path=errors,items.*._id,items.*.status,"
                                             "items.*.error.type,items.*.error.reason" : "",
                                port, use_gzip ? "Content-Encoding: gzip\r\n" : "", body_len);
}

static int connect_to(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct timeval tv = { 1, 0 };
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_req(int fd)
{
    struct iovec iov[2] = { { head, head_len }, { body, body_len } };
    size_t left = head_len + body_len;

    while (left > 0) {
        ssize_t w = writev(fd, iov, 2);
        if (w < 0) {
            if ((errno == EINTR || errno == EAGAIN) && now_ns() < deadline)
                continue;
            return -1;
        }
        left -= (size_t)w;
        for (int i = 0; i < 2 && w > 0; i++) {
            size_t t = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
            iov[i].iov_base = (char *)iov[i].iov_base + t;
            iov[i].iov_len -= t;
            w -= (ssize_t)t;
        }
    }
    return 0;
}

/* Reads one answer into r; its status, or -1. The body: r + *boff, *blen bytes. */
static int read_resp(int fd, char *r, size_t *boff, size_t *blen)
{
    size_t len = 0, need = 0;
    char *he = NULL;

    for (;;) {
        ssize_t n = read(fd, r + len, RESP_MAX - len);
        if (n < 0) {
            if ((errno == EINTR || errno == EAGAIN) && now_ns() < deadline)
                continue;
            return -1;
        }
        if (n == 0)
            return -1;
        len += (size_t)n;
        if (!he) {
            he = memmem(r, len, "\r\n\r\n", 4);
            if (!he)
                continue;
            char *cl = memmem(r, (size_t)(he - r), "content-length:", 15);
            if (!cl)
                cl = memmem(r, (size_t)(he - r), "Content-Length:", 15);
            if (!cl)
                return -1;
            need = (size_t)(he + 4 - r) + strtoull(cl + 15, NULL, 10);
            if (need > RESP_MAX)
                return -1;
        }
        if (len >= need)
            break;
    }
    *boff = (size_t)(he + 4 - r);
    *blen = need - *boff;
    return atoi(r + 9);
}

static uint64_t count_str(const char *p, size_t n, const char *s)
{
    uint64_t c = 0;
    size_t sl = strlen(s);
    const char *e = p + n;

    while ((p = memmem(p, (size_t)(e - p), s, sl)) != NULL) {
        c++;
        p += sl;
    }
    return c;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    char *r = xmalloc(RESP_MAX);
    int fd = connect_to();

    if (fd < 0) {
        snprintf(w->why, sizeof w->why, "connect: %s", strerror(errno));
        w->bad = w->n;
        free(r);
        return NULL;
    }
    for (uint64_t i = 0; i < w->n; i++) {
        size_t boff, blen;
        int status;

        if (now_ns() > deadline) {
            snprintf(w->why, sizeof w->why, "timeout");
            w->bad += w->n - i;
            break;
        }
        if (send_req(fd) || (status = read_resp(fd, r, &boff, &blen)) < 0) {
            snprintf(w->why, sizeof w->why, "I/O error: %s", strerror(errno));
            w->bad += w->n - i;
            break;
        }
        if (status != 200) {
            snprintf(w->why, sizeof w->why, "HTTP %d: %.100s", status, r + boff);
            w->bad++;
            continue;
        }
        if (i == 0) {
            uint64_t items = count_str(r + boff, blen, "\"status\":201");
            if (!memmem(r + boff, blen, "\"errors\":false", 14) || items != ndocs) {
                snprintf(w->why, sizeof w->why, "answer has %" PRIu64 " items for %" PRIu64 " docs",
                         items, ndocs);
                w->bad++;
                continue;
            }
        }
        w->done++;
    }
    close(fd);
    free(r);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *corpus = NULL;
    static struct worker ws[MAX_CONNS];
    pthread_t th[MAX_CONNS];
    uint64_t t0, t1, done = 0, bad = 0;
    const char *why = "";
    struct rusage ru;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--gzip")) {
            use_gzip = 1;
            continue;
        }
        if (!strcmp(a, "--filter")) {
            use_filter = 1;
            continue;
        }
        if (!strcmp(a, "--no-id")) {
            no_id = 1;
            continue;
        }
        i++;
        if (!strcmp(a, "--port"))
            port = atoi(v);
        else if (!strcmp(a, "--docs"))
            ndocs = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--requests"))
            nreq = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--conns"))
            nconns = atoi(v);
        else if (!strcmp(a, "--corpus"))
            corpus = v;
        else if (!strcmp(a, "--timeout"))
            timeout = atof(v);
        else if (!strcmp(a, "--index"))
            index_name = v;
        else {
            fprintf(stderr, "usage: hammer --port P [--docs D] [--requests R] [--conns C] "
                            "[--corpus FILE] [--index NAME] [--gzip] [--filter] [--no-id] "
                            "[--timeout S]\n");
            return 1;
        }
    }
    if (port <= 0 || nconns < 1 || nconns > MAX_CONNS || ndocs < 1 || nreq < 1) {
        fprintf(stderr, "hammer: bad arguments\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    build_body(corpus);
    deadline = now_ns() + (uint64_t)(timeout * 1e9);
    for (int i = 0; i < nconns; i++)
        ws[i].n = nreq * (uint64_t)(i + 1) / (uint64_t)nconns - nreq * (uint64_t)i / (uint64_t)nconns;
    t0 = now_ns();
    for (int i = 0; i < nconns; i++)
        pthread_create(&th[i], NULL, work, &ws[i]);
    for (int i = 0; i < nconns; i++)
        pthread_join(th[i], NULL);
    t1 = now_ns();
    for (int i = 0; i < nconns; i++) {
        done += ws[i].done;
        bad += ws[i].bad;
        if (ws[i].why[0] && !why[0])
            why = ws[i].why;
    }
    for (char *q = (char *)why; *q; q++)
        if (*q == '"' || *q == '\\' || (unsigned char)*q < 0x20)
            *q = '_';           /* keep the JSON line valid */
    getrusage(RUSAGE_SELF, &ru);
    double secs = (double)(t1 - t0) / 1e9;
    printf("{\"requests\":%" PRIu64 ",\"bad\":%" PRIu64 ",\"docs_per_request\":%" PRIu64
           ",\"docs\":%" PRIu64 ",\"conns\":%d,\"gzip\":%s,\"body_bytes\":%zu,\"raw_bytes\":%zu,"
           "\"secs\":%.6f,\"docs_per_s\":%.0f,\"requests_per_s\":%.1f,\"wire_mb_per_s\":%.1f,"
           "\"raw_mb_per_s\":%.1f,\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,\"error\":\"%s\"}\n",
           done, bad, ndocs, done * ndocs, nconns, use_gzip ? "true" : "false", body_len, raw_len,
           secs, secs > 0 ? (double)(done * ndocs) / secs : 0, secs > 0 ? (double)done / secs : 0,
           secs > 0 ? (double)done * (double)body_len / secs / 1e6 : 0,
           secs > 0 ? (double)done * (double)raw_len / secs / 1e6 : 0,
           (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, why);
    free(body);
    return bad ? 1 : 0;
}
