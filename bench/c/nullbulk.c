/* bench/c/nullbulk.c: a null Elasticsearch/OpenSearch _bulk endpoint.
 *
 * Design: one thread, epoll (level-triggered), HTTP/1.1 with keep-alive and
 * pipelining, on 127.0.0.1 (port 0 by default; the port goes to
 * --port-file). It indexes nothing: a _bulk body is read whole (Content-Length
 * or chunked; Content-Encoding gzip or deflate is inflated), split into
 * lines, and every action line is answered with an item the way OpenSearch
 * 2.x answers a successful one, in request order:
 *   {"took":0,"errors":false,"items":[{"create":{"_index":"bench",
 *     "_id":"<echoed>","_version":1,"result":"created","_shards":{...},
 *     "_seq_no":N,"_primary_term":1,"status":201}}, ...]}
 * An action without _id gets a generated one (as an auto-ID index would).
 * ?filter_path= is honoured for the keys of this shape (took, errors,
 * items.*.KEY), including the real servers' habit of dropping objects the
 * filter leaves empty, so a client that asks for small answers gets them and
 * one that does not pays for parsing full ones, as against a real node.
 * Bodies that a real node rejects are rejected the same way: 400 when the
 * body does not end with LF, when an action line is not
 * {"op":{...}} or a create/index action has no source line; 413 above
 * --max-body bytes on the wire; "Expect: 100-continue" is answered at once
 * (libcurl would otherwise wait a second before sending the body).
 * --answer empty answers every _bulk that a real node would accept with
 * exactly {"took":0,"errors":false,"items":[]} instead (no items, any
 * filter_path ignored), as a static nginx location does: what the peer
 * benchmark's null endpoint answered. The body is still parsed and checked,
 * and documents are counted the same way. A client cannot see per-item
 * results in such an answer, so it is a throughput setting, not a delivery
 * check.
 * --answer fail plays a cluster that is down for writes: every _bulk is
 * read whole and answered 503 with the error body a node that has not
 * recovered its state sends (cluster_block_exception, "status":503); its
 * body is not parsed and no document is counted, only the requests
 * ("failed_bulks") and their bytes. A client must keep the documents and
 * try again later. The other routes answer as usual.
 * Other routes: GET / (OpenSearch 2.19.1 banner), GET|POST [/IDX]/_count
 * ({"count":docs}), GET /_cluster/health, GET /_cat/health,
 * GET /_nullbulk/stats (every counter as JSON, CLOCK_MONOTONIC times,
 * comparable with the sender's; CPU since start or reset),
 * POST /_nullbulk/reset (zeroes the counters); anything else
 * gets 200 {"acknowledged":true}.
 * --keep-first FILE writes the _bulk bodies (inflated) to FILE, in order,
 * until it holds KEEP_DOCS documents: bench/run's scenario (b) reads the
 * documents back to check that parsed fields reach them.
 * Bounds: 64 KiB of headers, --max-body on the wire (default 100 MiB, the
 * servers' http.max_content_length), 1 GiB inflated, 4096 descriptors,
 * --timeout seconds of life (default 3600). SIGTERM/SIGINT: the stats go to
 * stdout (and --stats-file) and it exits 0. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_FDS 4096
#define MAX_HDR (64u << 10)
#define MAX_RAW (1ull << 30)
#define READ_MIN (256u << 10)

/* filter_path keys of an item, and the top level */
enum {
    F_TOOK = 1 << 0, F_ERRORS = 1 << 1, F_INDEX = 1 << 2, F_ID = 1 << 3, F_VERSION = 1 << 4,
    F_RESULT = 1 << 5, F_SHARDS = 1 << 6, F_SEQNO = 1 << 7, F_PTERM = 1 << 8, F_STATUS = 1 << 9,
    F_ITEMS = F_INDEX | F_ID | F_VERSION | F_RESULT | F_SHARDS | F_SEQNO | F_PTERM | F_STATUS,
    F_ALL = F_TOOK | F_ERRORS | F_ITEMS,
};

enum ck_state { CK_SIZE, CK_DATA, CK_CRLF, CK_TRAILER, CK_DONE };

struct buf {
    char *p;
    size_t len, cap;
};

struct conn {
    int fd;
    struct buf in;              /* raw bytes of the request(s) being read */
    struct buf out;             /* response bytes not yet written */
    size_t out_off;
    size_t scan;                /* where the search for the header end resumes */
    size_t hdr_end;             /* 0: headers not complete yet */
    /* the request whose headers are parsed */
    char method[16];
    char target[2048];
    int http10, keep_alive, chunked, gzip, expect100, sent_continue;
    uint64_t clen;
    enum ck_state ck;
    size_t ck_read, ck_write;
    uint64_t ck_left;
    int closing;                /* close once out is flushed */
};

static struct {
    uint64_t docs, items, bulks, requests, other, bad, too_big, gzip_reqs, cont100;
    uint64_t bytes_wire, bytes_raw, conns, min_bulk, max_bulk, seq, auto_id, failed_bulks;
    uint64_t t_first_bulk, t_last_doc, t_start;
} st;

static struct rusage ru_base;   /* CPU at start or last reset: stats report the difference */
static struct conn *conns[MAX_FDS];
static struct buf rbody;        /* response body being built */
static struct buf inflated;
static uint64_t max_body = 100ull << 20;
static int log_requests;
static const char *keep_first;  /* --keep-first: where the first bodies go */
static FILE *keep_f;
static uint64_t kept_docs;
#define KEEP_DOCS 5000
static int answer_empty;        /* --answer empty: no items in _bulk answers */
static int answer_fail;         /* --answer fail: every _bulk gets 503 */
static volatile sig_atomic_t stop;
static int ep;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "nullbulk: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

static void reserve(struct buf *b, size_t more)
{
    if (b->cap - b->len >= more)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < more)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

static void put(struct buf *b, const void *s, size_t n)
{
    reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putu(struct buf *b, uint64_t v)
{
    char t[24];
    int i = 24;

    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(b, t + i, (size_t)(24 - i));
}

/* ---- stats ------------------------------------------------------------ */

static void stats_json(struct buf *b)
{
    struct rusage ru;
    char t[1536];

    getrusage(RUSAGE_SELF, &ru);
    timersub(&ru.ru_utime, &ru_base.ru_utime, &ru.ru_utime);
    timersub(&ru.ru_stime, &ru_base.ru_stime, &ru.ru_stime);
    snprintf(t, sizeof t,
             "{\"docs\":%" PRIu64 ",\"items\":%" PRIu64 ",\"bulk_requests\":%" PRIu64
             ",\"requests\":%" PRIu64 ",\"other_requests\":%" PRIu64 ",\"bad_requests\":%" PRIu64
             ",\"too_big\":%" PRIu64 ",\"gzip_requests\":%" PRIu64 ",\"expect_continue\":%" PRIu64
             ",\"bytes_wire\":%" PRIu64 ",\"bytes_raw\":%" PRIu64 ",\"conns\":%" PRIu64
             ",\"min_docs_per_bulk\":%" PRIu64 ",\"max_docs_per_bulk\":%" PRIu64
             ",\"auto_ids\":%" PRIu64 ",\"t_start_ns\":%" PRIu64 ",\"t_first_bulk_ns\":%" PRIu64
             ",\"failed_bulks\":%" PRIu64 ",\"t_last_doc_ns\":%" PRIu64 ",\"now_ns\":%" PRIu64
             ",\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,\"max_rss_kib\":%ld,\"answer\":\"%s\"}",
             st.docs, st.items, st.bulks, st.requests, st.other, st.bad, st.too_big, st.gzip_reqs,
             st.cont100, st.bytes_wire, st.bytes_raw, st.conns, st.bulks ? st.min_bulk : 0,
             st.max_bulk, st.auto_id, st.t_start, st.t_first_bulk, st.failed_bulks, st.t_last_doc, now_ns(),
             (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss,
             answer_fail ? "fail" : answer_empty ? "empty" : "items");
    puts_(b, t);
}

static void stats_reset(void)
{
    uint64_t conns_total = st.conns;

    memset(&st, 0, sizeof st);
    st.conns = conns_total;
    st.t_start = now_ns();
    getrusage(RUSAGE_SELF, &ru_base);
}

/* ---- responses -------------------------------------------------------- */

static void respond(struct conn *c, int code, const char *ctype, const char *body, size_t len)
{
    static const char *const reasons[] = {
        [100] = "Continue", [200] = "OK", [400] = "Bad Request", [404] = "Not Found",
        [413] = "Request Entity Too Large", [431] = "Request Header Fields Too Large",
        [500] = "Internal Server Error", [503] = "Service Unavailable",
    };
    char h[256];
    int head = !strcmp(c->method, "HEAD");
    int n = snprintf(h, sizeof h,
                     "HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %zu\r\n%s\r\n",
                     code, code < 600 && reasons[code] ? reasons[code] : "Status", ctype, len,
                     c->keep_alive ? "" : "connection: close\r\n");

    put(&c->out, h, (size_t)n);
    if (!head)
        put(&c->out, body, len);
    if (!c->keep_alive)
        c->closing = 1;
}

static void respond_json(struct conn *c, int code, const char *body)
{
    respond(c, code, "application/json; charset=UTF-8", body, strlen(body));
}

static void bulk_error(struct conn *c, int code, const char *reason)
{
    char t[512];

    st.bad++;
    snprintf(t, sizeof t,
             "{\"error\":{\"root_cause\":[{\"type\":\"illegal_argument_exception\",\"reason\":\"%s\"}],"
             "\"type\":\"illegal_argument_exception\",\"reason\":\"%s\"},\"status\":%d}",
             reason, reason, code);
    respond_json(c, code, t);
}

/* ---- _bulk ------------------------------------------------------------ */

struct sv {
    const char *p;
    size_t n;
};

static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

/* A JSON string at p (p at the opening quote); the raw bytes between the
 * quotes, escapes kept (echoing them keeps the answer valid JSON). */
static const char *jstr(const char *p, const char *e, struct sv *out)
{
    const char *s;

    if (p >= e || *p != '"')
        return NULL;
    s = ++p;
    while (p < e && *p != '"') {
        if (*p == '\\')
            p++;
        p++;
    }
    if (p >= e)
        return NULL;
    out->p = s;
    out->n = (size_t)(p - s);
    return p + 1;
}

/* Skips one JSON value of any kind (objects and arrays by bracket depth,
 * strings respected). */
static const char *jskip(const char *p, const char *e)
{
    int depth = 0;

    do {
        p = ws(p, e);
        if (p >= e)
            return NULL;
        if (*p == '"') {
            struct sv tmp;
            p = jstr(p, e, &tmp);
            if (!p)
                return NULL;
        } else if (*p == '{' || *p == '[') {
            depth++;
            p++;
        } else if (*p == '}' || *p == ']') {
            depth--;
            p++;
        } else if (*p == ',' || *p == ':') {
            p++;
        } else {
            while (p < e && !strchr(",}] \t\r", *p))
                p++;
        }
    } while (depth > 0);
    return depth == 0 ? p : NULL;
}

/* {"op":{"_index":"x","_id":"y",...}}: 0 when the line has that shape. */
static int parse_action(const char *p, const char *e, struct sv *op, struct sv *idx, struct sv *id)
{
    struct sv key;

    idx->n = id->n = 0;
    idx->p = id->p = NULL;
    p = ws(p, e);
    if (p >= e || *p++ != '{')
        return -1;
    p = ws(p, e);
    if (!(p = jstr(p, e, op)))
        return -1;
    p = ws(p, e);
    if (p >= e || *p++ != ':')
        return -1;
    p = ws(p, e);
    if (p >= e || *p++ != '{')
        return -1;
    for (;;) {
        p = ws(p, e);
        if (p < e && *p == '}')
            break;
        if (!(p = jstr(p, e, &key)))
            return -1;
        p = ws(p, e);
        if (p >= e || *p++ != ':')
            return -1;
        p = ws(p, e);
        if (p < e && *p == '"' && key.n == 6 && !memcmp(key.p, "_index", 6))
            p = jstr(p, e, idx);
        else if (p < e && *p == '"' && key.n == 3 && !memcmp(key.p, "_id", 3))
            p = jstr(p, e, id);
        else
            p = jskip(p, e);
        if (!p)
            return -1;
        p = ws(p, e);
        if (p < e && *p == ',') {
            p++;
            continue;
        }
        if (p < e && *p == '}')
            break;
        return -1;
    }
    p = ws(p + 1, e);
    if (p >= e || *p++ != '}')
        return -1;
    p = ws(p, e);
    return p == e ? 0 : -1;
}

/* Which keys ?filter_path keeps; F_ALL without one. Only the patterns that
 * fit our answer's shape are understood: took, errors, items, items.*,
 * items.*.KEY (and items.*.*). */
static unsigned filter_flags(const char *target)
{
    char dec[2048];
    const char *q = strstr(target, "filter_path=");
    unsigned f = 0;
    size_t w = 0;

    if (!q)
        return F_ALL;
    /* percent-decoded copy: clients may send %2C and %2A */
    for (q += 12; *q && *q != '&' && w + 1 < sizeof dec; q++) {
        unsigned v;
        if (*q == '%' && isxdigit((unsigned char)q[1]) && isxdigit((unsigned char)q[2]) &&
            sscanf(q + 1, "%2x", &v) == 1) {
            dec[w++] = (char)v;
            q += 2;
        } else {
            dec[w++] = *q;
        }
    }
    dec[w] = '\0';
    q = dec;
    while (*q && *q != '&') {
        size_t n = strcspn(q, ",&");
        char k[128];

        if (n < sizeof k) {
            memcpy(k, q, n);
            k[n] = '\0';
            if (!strcmp(k, "took"))
                f |= F_TOOK;
            else if (!strcmp(k, "errors"))
                f |= F_ERRORS;
            else if (!strcmp(k, "items") || !strcmp(k, "items.*") || !strcmp(k, "items.*.*"))
                f |= F_ITEMS;
            else if (!strncmp(k, "items.*.", 8)) {
                const char *s = k + 8;
                if (!strcmp(s, "_index")) f |= F_INDEX;
                else if (!strcmp(s, "_id")) f |= F_ID;
                else if (!strcmp(s, "_version")) f |= F_VERSION;
                else if (!strcmp(s, "result")) f |= F_RESULT;
                else if (!strncmp(s, "_shards", 7)) f |= F_SHARDS;
                else if (!strcmp(s, "_seq_no")) f |= F_SEQNO;
                else if (!strcmp(s, "_primary_term")) f |= F_PTERM;
                else if (!strcmp(s, "status")) f |= F_STATUS;
                /* error, failure_store...: absent from a successful item */
            }
        }
        q += n;
        if (*q == ',')
            q++;
    }
    return f;
}

static void put_item(struct buf *b, unsigned f, const struct sv *op, const struct sv *idx,
                     const struct sv *id, int first)
{
    int sep = 0, del = op->n == 6 && !memcmp(op->p, "delete", 6);

#define SEP() do { if (sep) put(b, ",", 1); sep = 1; } while (0)
    if (!first)
        put(b, ",", 1);
    put(b, "{\"", 2);
    put(b, op->p, op->n);
    put(b, "\":{", 3);
    if (f & F_INDEX) {
        SEP();
        put(b, "\"_index\":\"", 10);
        put(b, idx->p, idx->n);
        put(b, "\"", 1);
    }
    if (f & F_ID) {
        SEP();
        put(b, "\"_id\":\"", 7);
        if (id->n)
            put(b, id->p, id->n);
        else {
            char t[32];
            int n = snprintf(t, sizeof t, "nb%018" PRIu64, ++st.auto_id);
            put(b, t, (size_t)n);
        }
        put(b, "\"", 1);
    }
    if (f & F_VERSION) {
        SEP();
        puts_(b, "\"_version\":1");
    }
    if (f & F_RESULT) {
        SEP();
        puts_(b, del ? "\"result\":\"deleted\"" : "\"result\":\"created\"");
    }
    if (f & F_SHARDS) {
        SEP();
        puts_(b, "\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0}");
    }
    if (f & F_SEQNO) {
        SEP();
        puts_(b, "\"_seq_no\":");
        putu(b, st.seq++);
    }
    if (f & F_PTERM) {
        SEP();
        puts_(b, "\"_primary_term\":1");
    }
    if (f & F_STATUS) {
        SEP();
        puts_(b, del ? "\"status\":200" : "\"status\":201");
    }
    put(b, "}}", 2);
#undef SEP
}

static int inflate_body(const char *p, size_t n, const char **out, size_t *out_n)
{
    z_stream z;
    int rc;

    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) /* +32: gzip or zlib header, detected */
        return -1;
    inflated.len = 0;
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    do {
        if (inflated.cap - inflated.len < (1u << 20)) {
            if (inflated.cap >= MAX_RAW) {
                inflateEnd(&z);
                return -1;
            }
            reserve(&inflated, inflated.cap ? inflated.cap : 4u << 20);
        }
        z.next_out = (Bytef *)inflated.p + inflated.len;
        z.avail_out = (uInt)(inflated.cap - inflated.len);
        rc = inflate(&z, Z_NO_FLUSH);
        inflated.len = inflated.cap - z.avail_out;
        if (rc == Z_STREAM_END && z.avail_in > 0) {
            /* concatenated gzip members */
            if (inflateReset(&z) != Z_OK)
                break;
            rc = Z_OK;
        }
    } while (rc == Z_OK || (rc == Z_BUF_ERROR && z.avail_out == 0));
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        return -1;
    *out = inflated.p;
    *out_n = inflated.len;
    return 0;
}

static void handle_bulk(struct conn *c, const char *body, size_t n)
{
    const char *p, *e, *line_end;
    unsigned f = answer_empty ? 0 : filter_flags(c->target);
    struct sv op = { 0 }, idx = { 0 }, id = { 0 }, path_idx = { 0 };
    uint64_t items = 0, docs = 0;
    int want_source = 0, nitems_out = 0;
    char why[160];

    st.bulks++;
    if (!st.t_first_bulk)
        st.t_first_bulk = now_ns();
    st.bytes_wire += n;
    if (answer_fail) {
        /* what a node that has not recovered its cluster state answers */
        static const char down[] =
            "{\"error\":{\"root_cause\":[{\"type\":\"cluster_block_exception\","
            "\"reason\":\"blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];\"}],"
            "\"type\":\"cluster_block_exception\","
            "\"reason\":\"blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];\"},"
            "\"status\":503}";
        st.failed_bulks++;
        respond(c, 503, "application/json; charset=UTF-8", down, sizeof down - 1);
        return;
    }
    if (c->gzip) {
        st.gzip_reqs++;
        if (inflate_body(body, n, &body, &n)) {
            bulk_error(c, 400, "request body is not valid gzip or deflate");
            return;
        }
    }
    st.bytes_raw += n;
    if (n == 0) {
        bulk_error(c, 400, "request body is required");
        return;
    }
    if (body[n - 1] != '\n') {
        bulk_error(c, 400, "The bulk request must be terminated by a newline [\\\\n]");
        return;
    }
    /* /IDX/_bulk: the default index of actions that name none */
    if (c->target[0] == '/' && strncmp(c->target, "/_bulk", 6)) {
        path_idx.p = c->target + 1;
        path_idx.n = strcspn(path_idx.p, "/?");
    }
    rbody.len = 0;
    if (f & F_TOOK)
        puts_(&rbody, "{\"took\":0");
    if (f & F_ERRORS)
        puts_(&rbody, (f & F_TOOK) ? ",\"errors\":false" : "{\"errors\":false");
    if (f & F_ITEMS)
        puts_(&rbody, (f & (F_TOOK | F_ERRORS)) ? ",\"items\":[" : "{\"items\":[");
    for (p = body, e = body + n; p < e; p = line_end + 1) {
        line_end = memchr(p, '\n', (size_t)(e - p));
        const char *q = ws(p, line_end);
        if (q == line_end)
            continue;           /* blank lines are skipped, as the servers do */
        if (want_source) {
            want_source = 0;
            docs++;
            continue;
        }
        if (parse_action(q, line_end, &op, &idx, &id)) {
            snprintf(why, sizeof why, "Malformed action/metadata line [%" PRIu64 "]", items * 2 + 1);
            bulk_error(c, 400, why);
            return;
        }
        if (!idx.n)
            idx = path_idx;
        if (!idx.n) {
            bulk_error(c, 400, "Validation Failed: 1: index is missing;");
            return;
        }
        items++;
        want_source = !(op.n == 6 && !memcmp(op.p, "delete", 6));
        if (f & F_ITEMS)
            put_item(&rbody, f, &op, &idx, &id, nitems_out++ == 0);
    }
    if (want_source) {
        bulk_error(c, 400, "Validation Failed: 1: no requests added / source missing;");
        return;
    }
    if (f & F_ITEMS)
        put(&rbody, "]", 1);
    if (rbody.len == 0)
        put(&rbody, "{", 1);
    put(&rbody, "}", 1);
    if (answer_empty) {
        rbody.len = 0;
        puts_(&rbody, "{\"took\":0,\"errors\":false,\"items\":[]}");
    }
    st.items += items;
    st.docs += docs;
    if (docs && keep_first) {
        if (!keep_f)
            keep_f = fopen(keep_first, "wb");
        if (!keep_f || fwrite(body, 1, n, keep_f) != n)
            perror("nullbulk: --keep-first");
        kept_docs += docs;
        if (!keep_f || kept_docs >= KEEP_DOCS) {
            if (keep_f && fclose(keep_f))
                perror("nullbulk: --keep-first");
            keep_f = NULL;
            keep_first = NULL;
        }
    }
    if (docs) {
        st.t_last_doc = now_ns();
        if (!st.min_bulk || docs < st.min_bulk)
            st.min_bulk = docs;
        if (docs > st.max_bulk)
            st.max_bulk = docs;
    }
    respond(c, 200, "application/json; charset=UTF-8", rbody.p, rbody.len);
}

static void handle(struct conn *c, const char *body, size_t n)
{
    char path[2048];
    size_t plen = strcspn(c->target, "?");
    int get = !strcmp(c->method, "GET") || !strcmp(c->method, "HEAD");
    int post = !strcmp(c->method, "POST") || !strcmp(c->method, "PUT");

    st.requests++;
    snprintf(path, sizeof path, "%.*s", (int)plen, c->target);
    if (log_requests > 0) {
        log_requests--;
        fprintf(stderr, "nullbulk: %s %s body=%zu gzip=%d chunked=%d expect100=%d\n",
                c->method, c->target, n, c->gzip, c->chunked, c->expect100);
        if (n)
            fprintf(stderr, "nullbulk: body starts: %.*s\n", (int)(n < 300 ? n : 300), body);
    }
    if (post && plen >= 6 && !strcmp(path + plen - 6, "/_bulk")) {
        handle_bulk(c, body, n);
        return;
    }
    st.other++;
    if (get && !strcmp(path, "/")) {
        respond_json(c, 200,
                     "{\"name\":\"nullbulk\",\"cluster_name\":\"nullbulk\",\"cluster_uuid\":\"nullbulk\","
                     "\"version\":{\"distribution\":\"opensearch\",\"number\":\"2.19.1\","
                     "\"build_type\":\"tar\",\"lucene_version\":\"9.12.1\","
                     "\"minimum_wire_compatibility_version\":\"7.10.0\","
                     "\"minimum_index_compatibility_version\":\"7.0.0\"},"
                     "\"tagline\":\"The OpenSearch Project: https://opensearch.org/\"}");
    } else if ((get || post) && plen >= 7 && !strcmp(path + plen - 7, "/_count")) {
        char t[256];
        snprintf(t, sizeof t, "{\"count\":%" PRIu64 ",\"_shards\":{\"total\":1,\"successful\":1,"
                 "\"skipped\":0,\"failed\":0}}", st.docs);
        respond_json(c, 200, t);
    } else if (get && !strcmp(path, "/_nullbulk/stats")) {
        rbody.len = 0;
        stats_json(&rbody);
        respond(c, 200, "application/json; charset=UTF-8", rbody.p, rbody.len);
    } else if (post && !strcmp(path, "/_nullbulk/reset")) {
        stats_reset();
        respond_json(c, 200, "{\"acknowledged\":true}");
    } else if (get && !strcmp(path, "/_cluster/health")) {
        respond_json(c, 200, "{\"cluster_name\":\"nullbulk\",\"status\":\"green\",\"timed_out\":false,"
                     "\"number_of_nodes\":1,\"number_of_data_nodes\":1}");
    } else if (get && !strncmp(path, "/_cat/health", 12)) {
        static const char t[] = "0 00:00:00 nullbulk green 1 1 0 0 0 0 0 0 - 100.0%\n";
        respond(c, 200, "text/plain; charset=UTF-8", t, sizeof t - 1);
    } else {
        respond_json(c, 200, "{\"acknowledged\":true}");
    }
}

/* ---- HTTP framing ----------------------------------------------------- */

static int hdr_is(const char *name, size_t nlen, const char *want)
{
    return nlen == strlen(want) && !strncasecmp(name, want, nlen);
}

static int val_has(const char *v, size_t vlen, const char *tok)
{
    size_t tl = strlen(tok);

    for (size_t i = 0; i + tl <= vlen; i++)
        if (!strncasecmp(v + i, tok, tl))
            return 1;
    return 0;
}

/* Parses the request line and headers in c->in[0, hdr_end). */
static int parse_head(struct conn *c)
{
    const char *p = c->in.p, *e = c->in.p + c->hdr_end - 2, *le;
    const char *sp1, *sp2;

    le = memmem(p, (size_t)(e - p), "\r\n", 2);
    if (!le)
        return -1;
    sp1 = memchr(p, ' ', (size_t)(le - p));
    sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(le - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || (size_t)(sp1 - p) >= sizeof c->method ||
        (size_t)(sp2 - sp1 - 1) >= sizeof c->target)
        return -1;
    memcpy(c->method, p, (size_t)(sp1 - p));
    c->method[sp1 - p] = '\0';
    memcpy(c->target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
    c->target[sp2 - sp1 - 1] = '\0';
    c->http10 = le - sp2 - 1 == 8 && !memcmp(sp2 + 1, "HTTP/1.0", 8);
    c->keep_alive = !c->http10;
    c->clen = 0;
    c->chunked = c->gzip = c->expect100 = c->sent_continue = 0;
    for (p = le + 2; p < e; p = le + 2) {
        const char *colon, *v, *ve;

        le = memmem(p, (size_t)(e + 2 - p), "\r\n", 2);
        if (!le)
            return -1;
        colon = memchr(p, ':', (size_t)(le - p));
        if (!colon)
            return -1;
        v = colon + 1;
        while (v < le && (*v == ' ' || *v == '\t'))
            v++;
        ve = le;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t nl = (size_t)(colon - p), vl = (size_t)(ve - v);
        if (hdr_is(p, nl, "content-length")) {
            char t[32];
            if (vl == 0 || vl >= sizeof t)
                return -1;
            memcpy(t, v, vl);
            t[vl] = '\0';
            c->clen = strtoull(t, NULL, 10);
        } else if (hdr_is(p, nl, "transfer-encoding")) {
            c->chunked = val_has(v, vl, "chunked");
        } else if (hdr_is(p, nl, "content-encoding")) {
            c->gzip = val_has(v, vl, "gzip") || val_has(v, vl, "deflate");
        } else if (hdr_is(p, nl, "expect")) {
            c->expect100 = val_has(v, vl, "100-continue");
        } else if (hdr_is(p, nl, "connection")) {
            if (val_has(v, vl, "close"))
                c->keep_alive = 0;
            else if (val_has(v, vl, "keep-alive"))
                c->keep_alive = 1;
        }
    }
    return 0;
}

/* Decodes chunked data in place: c->in[hdr_end, ck_write) is the body so far.
 * 1 when the body is complete, 0 when more bytes are needed, -1 on bad input. */
static int dechunk(struct conn *c)
{
    char *b = c->in.p;

    for (;;) {
        size_t avail = c->in.len - c->ck_read;
        char *le;

        switch (c->ck) {
        case CK_SIZE:
        case CK_TRAILER:
            le = memmem(b + c->ck_read, avail, "\r\n", 2);
            if (!le)
                return avail > 1024 ? -1 : 0;
            if (c->ck == CK_TRAILER) {
                int empty = le == b + c->ck_read;
                c->ck_read = (size_t)(le + 2 - b);
                if (empty) {
                    c->ck = CK_DONE;
                    return 1;
                }
                continue;
            }
            {
                char *end;
                uint64_t sz = strtoull(b + c->ck_read, &end, 16);
                if (end == b + c->ck_read)
                    return -1;
                c->ck_read = (size_t)(le + 2 - b);
                if (sz == 0) {
                    c->ck = CK_TRAILER;
                    continue;
                }
                if (c->ck_write - c->hdr_end + sz > max_body)
                    return -2;
                c->ck_left = sz;
                c->ck = CK_DATA;
            }
            continue;
        case CK_DATA: {
            size_t take = avail < c->ck_left ? avail : (size_t)c->ck_left;
            if (take == 0)
                return 0;
            memmove(b + c->ck_write, b + c->ck_read, take);
            c->ck_write += take;
            c->ck_read += take;
            c->ck_left -= take;
            if (c->ck_left)
                return 0;
            c->ck = CK_CRLF;
            continue;
        }
        case CK_CRLF:
            if (avail < 2)
                return 0;
            if (b[c->ck_read] != '\r' || b[c->ck_read + 1] != '\n')
                return -1;
            c->ck_read += 2;
            c->ck = CK_SIZE;
            continue;
        case CK_DONE:
            return 1;
        }
    }
}

static void conn_close(struct conn *c)
{
    if (!c)
        return;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    conns[c->fd] = NULL;
    free(c->in.p);
    free(c->out.p);
    free(c);
}

/* Handles every complete request in c->in. -1: close the connection now. */
static int process(struct conn *c)
{
    while (!c->closing) {
        size_t consumed;
        const char *body;
        size_t blen;

        if (!c->hdr_end) {
            size_t from = c->scan > 3 ? c->scan - 3 : 0;
            char *he = c->in.len > from ? memmem(c->in.p + from, c->in.len - from, "\r\n\r\n", 4) : NULL;

            if (!he) {
                c->scan = c->in.len;
                if (c->in.len > MAX_HDR) {
                    c->keep_alive = 0;
                    strcpy(c->method, "GET");
                    respond_json(c, 431, "{\"error\":\"headers too large\",\"status\":431}");
                }
                return 0;
            }
            c->hdr_end = (size_t)(he + 4 - c->in.p);
            if (parse_head(c)) {
                c->keep_alive = 0;
                strcpy(c->method, "GET");
                st.bad++;
                respond_json(c, 400, "{\"error\":\"bad request head\",\"status\":400}");
                return 0;
            }
            if ((!c->chunked && c->clen > max_body)) {
                c->keep_alive = 0;
                st.too_big++;
                respond_json(c, 413, "{\"error\":\"request body too large\",\"status\":413}");
                return 0;
            }
            c->ck = CK_SIZE;
            c->ck_read = c->ck_write = c->hdr_end;
            if (!c->chunked && c->in.cap < c->hdr_end + c->clen) {
                c->in.p = xrealloc(c->in.p, c->hdr_end + c->clen);
                c->in.cap = c->hdr_end + c->clen;
            }
        }
        if (c->chunked) {
            int r = dechunk(c);
            if (r == 0)
                goto need_more;
            if (r < 0) {
                c->keep_alive = 0;
                if (r == -2) {
                    st.too_big++;
                    respond_json(c, 413, "{\"error\":\"request body too large\",\"status\":413}");
                } else {
                    st.bad++;
                    respond_json(c, 400, "{\"error\":\"bad chunked body\",\"status\":400}");
                }
                return 0;
            }
            body = c->in.p + c->hdr_end;
            blen = c->ck_write - c->hdr_end;
            consumed = c->ck_read;
        } else {
            if (c->in.len - c->hdr_end < c->clen)
                goto need_more;
            body = c->in.p + c->hdr_end;
            blen = (size_t)c->clen;
            consumed = c->hdr_end + (size_t)c->clen;
        }
        handle(c, body, blen);
        memmove(c->in.p, c->in.p + consumed, c->in.len - consumed);
        c->in.len -= consumed;
        c->hdr_end = 0;
        c->scan = 0;
        continue;
need_more:
        if (c->expect100 && !c->sent_continue) {
            c->sent_continue = 1;
            st.cont100++;
            put(&c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
        }
        return 0;
    }
    return 0;
}

/* Writes what it can; -1 when the connection is done with. */
static int flush_out(struct conn *c)
{
    struct epoll_event ev = { .data.fd = c->fd };

    while (c->out_off < c->out.len) {
        ssize_t w = write(c->fd, c->out.p + c->out_off, c->out.len - c->out_off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            return -1;
        }
        c->out_off += (size_t)w;
    }
    if (c->out_off == c->out.len) {
        c->out.len = c->out_off = 0;
        if (c->closing)
            return -1;
        ev.events = EPOLLIN;
    } else {
        ev.events = EPOLLIN | EPOLLOUT;
    }
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    return 0;
}

static void on_readable(struct conn *c)
{
    ssize_t r;

    /* With Content-Length known the buffer already has room for the whole
     * body; otherwise keep at least READ_MIN free. */
    int sized = c->hdr_end && !c->chunked && c->in.len < c->hdr_end + c->clen;

    if (c->in.cap == c->in.len || (!sized && c->in.cap - c->in.len < 4096))
        reserve(&c->in, READ_MIN);
    r = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        conn_close(c);
        return;
    }
    if (r < 0)
        return;
    c->in.len += (size_t)r;
    process(c);
    if (c->out.len > c->out_off && flush_out(c))
        conn_close(c);
    else if (c->closing && c->out.len == c->out_off)
        conn_close(c);
}

static void print_stats(FILE *f)
{
    struct buf b = { 0 };

    stats_json(&b);
    put(&b, "\n", 1);
    fwrite(b.p, 1, b.len, f);
    fflush(f);
    free(b.p);
}

int main(int argc, char **argv)
{
    const char *port_file = NULL, *stats_file = NULL;
    int port = 0, lfd, one = 1;
    double timeout = 3600;
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t sl = sizeof sa;
    struct epoll_event ev, evs[128];
    uint64_t deadline;

    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--port"))
            port = atoi(v);
        else if (!strcmp(a, "--port-file"))
            port_file = v;
        else if (!strcmp(a, "--stats-file"))
            stats_file = v;
        else if (!strcmp(a, "--max-body"))
            max_body = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--timeout"))
            timeout = atof(v);
        else if (!strcmp(a, "--log-requests"))
            log_requests = atoi(v);
        else if (!strcmp(a, "--keep-first"))
            keep_first = v;
        else if (!strcmp(a, "--answer") && (!strcmp(v, "items") || !strcmp(v, "empty") ||
                                             !strcmp(v, "fail"))) {
            answer_empty = !strcmp(v, "empty");
            answer_fail = !strcmp(v, "fail");
        }
        else {
            fprintf(stderr, "usage: nullbulk [--port P] [--port-file F] [--stats-file F] "
                            "[--max-body BYTES] [--timeout S] [--log-requests N] "
                            "[--answer items|empty|fail] [--keep-first FILE]\n");
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    st.t_start = now_ns();
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    sa.sin_port = htons((uint16_t)port);
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 512)) {
        perror("nullbulk: listen");
        return 1;
    }
    getsockname(lfd, (struct sockaddr *)&sa, &sl);
    if (port_file) {
        char tmp[4096];
        FILE *f;

        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        f = fopen(tmp, "w");
        if (!f) {
            perror("nullbulk: port file");
            return 1;
        }
        fprintf(f, "%d\n", ntohs(sa.sin_port));
        fclose(f);
        rename(tmp, port_file);
    } else {
        fprintf(stderr, "nullbulk: listening on http://127.0.0.1:%d\n", ntohs(sa.sin_port));
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    deadline = now_ns() + (uint64_t)(timeout * 1e9);
    while (!stop && now_ns() < deadline) {
        int n = epoll_wait(ep, evs, 128, 200);

        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;

            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    if (c >= MAX_FDS) {
                        close(c);
                        continue;
                    }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conns[c] = calloc(1, sizeof *conns[c]);
                    if (!conns[c]) {
                        close(c);
                        continue;
                    }
                    conns[c]->fd = c;
                    st.conns++;
                    ev.events = EPOLLIN;
                    ev.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                }
                continue;
            }
            struct conn *c = conns[fd];
            if (!c)
                continue;
            if (evs[i].events & EPOLLOUT) {
                if (flush_out(c)) {
                    conn_close(c);
                    continue;
                }
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                on_readable(c);
        }
    }
    print_stats(stdout);
    if (stats_file) {
        FILE *f = fopen(stats_file, "w");
        if (f) {
            print_stats(f);
            fclose(f);
        }
    }
    for (int i = 0; i < MAX_FDS; i++)
        conn_close(conns[i]);
    close(lfd);
    free(rbody.p);
    if (keep_f)
        fclose(keep_f);
    free(inflated.p);
    return 0;
}
