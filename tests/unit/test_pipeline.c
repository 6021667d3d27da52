/* tests/unit/test_pipeline.c: shipper/pipeline.c, driven from the test thread
 * as the event loop would drive it. The test plays the delivery thread: it
 * pops batches from each output's queue, reads the records back and releases
 * their bytes. Documents are parsed with libfastjson to compare field values. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libfastjson/json.h>

#include "common/bounds.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/idxname.h"
#include "common/queue.h"
#include "common/rec.h"
#include "parser/grok.h"
#include "parser/norm.h"
#include "parser/route.h"
#include "parser/syslog.h"
#include "shipper/config.h"
#include "shipper/pipeline.h"
#include "tests/unit/jcheck.h"
#include "tests/unit/tu.h"

#define NS          1000000000LL
#define RECV_NS     (1900000000LL * NS)     /* 2030-03-17: far from every event's date */
#define SMALL_Q     64u                     /* takes one batch (pushed into an empty queue), refuses the next */
#define BIG_Q       (64u * 1024u * 1024u)
#define MANY        10000

struct got_rec {
    char id[SL_ID_LEN + 1];
    char *index;
    char *doc;
};

/* What one queue gave back, records in order. */
struct got {
    struct got_rec *r;
    size_t n, cap;
    size_t batches;
};

static FILE *log_sink;
static struct sl_queue *Q[2];
static struct pipeline *P;
static struct syslog_opts SO;
static struct sl_err err;
static struct got G[2];
/* Index patterns per queue: records carry the event's time and no name; the
 * deliverer resolves its sink's pattern (common/idxname.h), as here. */
static const char *PAT[2];
static struct sl_idxname *IX[2];
static struct fjson_object *J;
static struct {
    int calls_on, calls_off, last;
} blk;

static void on_block(void *arg, int blocked)
{
    (void)arg;
    if (blocked)
        blk.calls_on++;
    else
        blk.calls_off++;
    blk.last = blocked;
}

static void got_clear(struct got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        sl_free(g->r[i].index);
        sl_free(g->r[i].doc);
    }
    sl_free(g->r);
    memset(g, 0, sizeof *g);
}

static char *dup_n(const char *p, size_t n)
{
    char *s = sl_malloc(n + 1);

    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* Pops every batch queue k holds now, keeps its records, releases its bytes. */
static size_t take(int k)
{
    struct sl_qnode *n;
    size_t before = G[k].n;

    while (sl_queue_pop(Q[k], &n, 0) == 0) {
        struct sl_recbatch *b = (struct sl_recbatch *)n;
        struct sl_rec r;
        size_t off = 0, count = 0;

        while (sl_recbatch_next(b, &off, &r)) {
            struct got_rec *g;
            if (G[k].n == G[k].cap) {
                G[k].cap = G[k].cap ? G[k].cap * 2 : 64;
                G[k].r = sl_realloc(G[k].r, G[k].cap * sizeof *G[k].r);
            }
            g = &G[k].r[G[k].n++];
            memcpy(g->id, r.id, SL_ID_LEN);
            g->id[SL_ID_LEN] = '\0';
            if (PAT[k] && !IX[k])
                CU_ASSERT_EQUAL_FATAL(sl_idxname_new(&IX[k], PAT[k], NULL), 0);
            CU_ASSERT_EQUAL(r.index_len, 0);
            if (IX[k])
                r.index = sl_idxname_get(IX[k], r.time_ms, &r.index_len);
            g->index = dup_n(r.index, r.index_len);
            g->doc = dup_n(r.doc, r.doc_len);
            count++;
        }
        CU_ASSERT_EQUAL(count, b->count);
        G[k].batches++;
        sl_queue_release(Q[k], n->bytes);
        sl_recbatch_free(b);
    }
    return G[k].n - before;
}

/* Flushes and takes until nothing is pending anywhere (bounded). */
static void drain(size_t nq)
{
    for (int round = 0; round < 100000; round++) {
        int rc = pipeline_flush(P);
        for (size_t k = 0; k < nq; k++)
            take((int)k);
        if (rc == 0)
            return;
    }
    CU_FAIL("pipeline still had batches pending after the drain bound");
}

static int start(const struct pipeline_out *outs, size_t n)
{
    sl_err_clear(&err);
    return pipeline_new(&P, outs, n, SL_MAX_MSG_DEFAULT, &SO, on_block, NULL, &err);
}

static void msg_from(const char *line, const struct sockaddr *sa, socklen_t salen,
                     const char *transport, int datagram)
{
    pipeline_msg(P, line, strlen(line), 0, sa, salen, RECV_NS, transport, datagram);
}

static void tcp_msg(const char *line)
{
    msg_from(line, NULL, 0, "tcp", 0);
}

static void udp_msg(const char *line)
{
    msg_from(line, NULL, 0, "udp", 1);
}

/* Parses a document (the whole text must be one JSON value); NULL if not JSON. */
static struct fjson_object *parse(const char *doc)
{
    struct fjson_tokener *tok = fjson_tokener_new();
    size_t len = strlen(doc);

    fjson_object_put(J);
    J = fjson_tokener_parse_ex(tok, doc, (int)len);
    if (J && tok->char_offset != (int)len) {
        fjson_object_put(J);
        J = NULL;
    }
    fjson_tokener_free(tok);
    return J;
}

static const char *jstr(const char *path) { return tu_jstr(J, path); }
static int64_t jint(const char *path) { return tu_jint(J, path); }

static int is_id(const char *id)
{
    if (strlen(id) != SL_ID_LEN)
        return 0;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
              (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
            return 0;
    return 1;
}

static int cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, SL_ID_LEN + 1);
}

static void t_setup(void)
{
    memset(&blk, 0, sizeof blk);
    memset(G, 0, sizeof G);
    P = NULL;
    J = NULL;
    sl_queue_new(&Q[0], SMALL_Q);
    sl_queue_new(&Q[1], SMALL_Q);
    syslog_opts_default(&SO);
    syslog_opts_zone(&SO, "UTC");
}

static void t_teardown(void)
{
    pipeline_free(P);
    P = NULL;
    for (int k = 0; k < 2; k++) {
        struct sl_qnode *n;
        sl_queue_close(Q[k]);
        while (sl_queue_pop(Q[k], &n, 0) == 0)
            sl_recbatch_free((struct sl_recbatch *)n);
        sl_queue_free(Q[k]);
        Q[k] = NULL;
        sl_idxname_free(IX[k]);
        IX[k] = NULL;
        PAT[k] = NULL;
        got_clear(&G[k]);
    }
    fjson_object_put(J);
    J = NULL;
}

/* ---- tests ---- */

static void t_doc_and_id(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "syslog";

    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    tcp_msg("<34>1 2025-06-01T10:00:00Z web01 su 123 ID47 - 'su root' failed on /dev/pts/8");
    CU_ASSERT_EQUAL(take(0), 0);             /* a small batch waits for a flush */
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[0].doc));
    TU_ASSERT_STR(jstr("message"), "'su root' failed on /dev/pts/8");
    TU_ASSERT_STR(jstr("host.hostname"), "web01");
    TU_ASSERT_STR(jstr("@timestamp"), "2025-06-01T10:00:00.000Z");
    TU_ASSERT_STR(jstr("network.transport"), "tcp");
    CU_ASSERT(is_id(G[0].r[0].id));
    CU_ASSERT_EQUAL(atomic_load(&pipeline_stats(P)->received), 1);
    CU_ASSERT_EQUAL(atomic_load(&pipeline_stats(P)->queued), 1);
}

static void t_many_ids(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "syslog";
    char line[128], *ids;
    size_t dups = 0, bad = 0, nojson = 0;

    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    for (int i = 0; i < MANY; i++) {
        snprintf(line, sizeof line, "<13>1 2025-06-01T10:00:00Z h app - - - message number %d", i);
        tcp_msg(line);
        take(0);    /* the consumer keeps up as it can */
    }
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, MANY);
    CU_ASSERT(G[0].batches > 1);            /* 10k documents pass 256 KiB: pushed by size too */
    ids = sl_malloc((size_t)MANY * (SL_ID_LEN + 1));
    for (size_t i = 0; i < MANY; i++) {
        memcpy(ids + i * (SL_ID_LEN + 1), G[0].r[i].id, SL_ID_LEN + 1);
        bad += !is_id(G[0].r[i].id);
        snprintf(line, sizeof line, "message number %zu", i);
        if (!parse(G[0].r[i].doc) || !jstr("message") || strcmp(jstr("message"), line))
            nojson++;
    }
    qsort(ids, MANY, SL_ID_LEN + 1, cmp_id);
    for (size_t i = 1; i < MANY; i++)
        dups += !memcmp(ids + (i - 1) * (SL_ID_LEN + 1), ids + i * (SL_ID_LEN + 1), SL_ID_LEN);
    sl_free(ids);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(dups, 0);
    CU_ASSERT_EQUAL(nojson, 0);             /* and in order: message i is record i */
    CU_ASSERT_EQUAL(atomic_load(&pipeline_stats(P)->dropped_full), 0);
}

static void t_static_index(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "logs-web";

    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    tcp_msg("<13>1 2025-12-31T23:59:59Z h a - - - one");
    tcp_msg("<13>1 2026-01-01T00:00:00Z h a - - - two");
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 2);
    TU_ASSERT_STR(G[0].r[0].index, "logs-web");
    TU_ASSERT_STR(G[0].r[1].index, "logs-web");
}

static void t_dated_index_event_time(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "syslog-%Y.%m.%d";

    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    tcp_msg("<13>1 2025-12-31T23:59:59Z h a - - - last second of the year");
    tcp_msg("<13>1 2026-01-01T00:00:00Z h a - - - first second of the next");
    tcp_msg("<13>1 2025-12-31T23:00:00Z h a - - - late arrival from the old day");
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 3);
    TU_ASSERT_STR(G[0].r[0].index, "syslog-2025.12.31");
    TU_ASSERT_STR(G[0].r[1].index, "syslog-2026.01.01");
    TU_ASSERT_STR(G[0].r[2].index, "syslog-2025.12.31");
}

static void t_dated_index_hour_utc(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "h-%Y%m%d-%H%%";

    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    tcp_msg("<13>1 2025-06-01T13:05:00Z h a - - - utc");
    tcp_msg("<13>1 2025-06-01T13:59:59Z h a - - - same hour");
    tcp_msg("<13>1 2025-06-01T14:00:00Z h a - - - next hour");
    tcp_msg("<13>1 2025-06-01T01:30:00+02:00 h a - - - offset: the day before in UTC");
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 4);
    TU_ASSERT_STR(G[0].r[0].index, "h-20250601-13%");
    TU_ASSERT_STR(G[0].r[1].index, "h-20250601-13%");
    TU_ASSERT_STR(G[0].r[2].index, "h-20250601-14%");
    TU_ASSERT_STR(G[0].r[3].index, "h-20250531-23%");
}

static void t_dated_index_receive_time_fallback(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "syslog-%Y.%m.%d";

    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    tcp_msg("<13>1 - h a - - - no timestamp: receive time");
    tcp_msg("<13>1 2025-12-31T23:59:59Z h a - - - dated again");
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 2);
    TU_ASSERT_STR(G[0].r[0].index, "syslog-2030.03.17");
    TU_ASSERT_STR(G[0].r[1].index, "syslog-2025.12.31");
}

static void t_two_outputs(void)
{
    struct pipeline_out o[2] = { { NULL }, { NULL } };

    PAT[0] = "es-%Y.%m";

    o[0].q = Q[0];
    o[1].q = Q[1];
    CU_ASSERT_EQUAL_FATAL(start(o, 2), 0);
    tcp_msg("<13>1 2025-12-31T23:59:59Z h a - - - to both");
    tcp_msg("<13>1 2026-01-01T00:00:00Z h a - - - again to both");
    drain(2);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 2);
    CU_ASSERT_EQUAL_FATAL(G[1].n, 2);
    for (size_t i = 0; i < 2; i++) {
        TU_ASSERT_STR(G[1].r[i].id, G[0].r[i].id);
        TU_ASSERT_STR(G[1].r[i].doc, G[0].r[i].doc);
        TU_ASSERT_STR(G[1].r[i].index, "");
    }
    CU_ASSERT_STRING_NOT_EQUAL(G[0].r[0].id, G[0].r[1].id);
    TU_ASSERT_STR(G[0].r[0].index, "es-2025.12");
    TU_ASSERT_STR(G[0].r[1].index, "es-2026.01");
    CU_ASSERT_PTR_NOT_NULL(parse(G[1].r[1].doc));
    TU_ASSERT_STR(jstr("message"), "again to both");
}

static void t_backpressure(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "syslog";
    const struct pipeline_stats *st;

    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    st = pipeline_stats(P);
    tcp_msg("<13>1 2025-06-01T10:00:00Z h a - - - A fills the queue");
    CU_ASSERT_EQUAL(pipeline_flush(P), 0);  /* an empty queue takes any batch */
    CU_ASSERT_EQUAL(blk.calls_on + blk.calls_off, 0);

    tcp_msg("<13>1 2025-06-01T10:00:01Z h a - - - B tcp");
    CU_ASSERT_EQUAL(pipeline_flush(P), SL_EFULL);
    CU_ASSERT_EQUAL(blk.calls_on, 1);
    CU_ASSERT_EQUAL(blk.last, 1);
    CU_ASSERT(pipeline_is_blocked(P));

    udp_msg("<13>1 2025-06-01T10:00:02Z h a - - - C udp dropped");
    tcp_msg("<13>1 2025-06-01T10:00:03Z h a - - - D tcp kept");
    udp_msg("<13>1 2025-06-01T10:00:04Z h a - - - E udp dropped");
    CU_ASSERT_EQUAL(pipeline_flush(P), SL_EFULL);
    CU_ASSERT_EQUAL(blk.calls_on, 1);       /* paused once per episode */
    CU_ASSERT_EQUAL(atomic_load(&st->dropped_full), 2);
    CU_ASSERT_EQUAL(atomic_load(&st->received), 5);
    CU_ASSERT_EQUAL(atomic_load(&st->blocked), 1);

    /* The consumer takes A and releases it: the pending batch goes in. */
    CU_ASSERT_EQUAL(take(0), 1);
    CU_ASSERT_EQUAL(sl_queue_bytes(Q[0]), 0);
    CU_ASSERT_EQUAL(pipeline_flush(P), 0);
    CU_ASSERT_EQUAL(blk.calls_off, 1);
    CU_ASSERT_EQUAL(blk.last, 0);
    CU_ASSERT(!pipeline_is_blocked(P));
    CU_ASSERT_EQUAL(take(0), 2);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 3);
    CU_ASSERT_EQUAL(G[0].batches, 2);
    CU_ASSERT_PTR_NOT_NULL(parse(G[0].r[1].doc));
    TU_ASSERT_STR(jstr("message"), "B tcp");
    CU_ASSERT_PTR_NOT_NULL(parse(G[0].r[2].doc));
    TU_ASSERT_STR(jstr("message"), "D tcp kept");

    /* Resumed: UDP is taken again. */
    udp_msg("<13>1 2025-06-01T10:00:05Z h a - - - F udp after resume");
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 4);
    CU_ASSERT_PTR_NOT_NULL(parse(G[0].r[3].doc));
    TU_ASSERT_STR(jstr("message"), "F udp after resume");
    CU_ASSERT_EQUAL(atomic_load(&st->dropped_full), 2);
    CU_ASSERT_EQUAL(atomic_load(&st->queued), 4);
    CU_ASSERT_EQUAL(blk.calls_on, 1);
    CU_ASSERT_EQUAL(blk.calls_off, 1);
}

static void t_flush_partial(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "syslog";

    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    CU_ASSERT_EQUAL(pipeline_flush(P), 0);  /* nothing pending: nothing pushed */
    CU_ASSERT_EQUAL(take(0), 0);
    tcp_msg("<13>1 2025-06-01T10:00:00Z h a - - - one");
    tcp_msg("<13>1 2025-06-01T10:00:01Z h a - - - two");
    tcp_msg("<13>1 2025-06-01T10:00:02Z h a - - - three");
    CU_ASSERT_EQUAL(take(0), 0);
    CU_ASSERT_EQUAL(sl_queue_bytes(Q[0]), 0);
    CU_ASSERT_EQUAL(pipeline_flush(P), 0);
    CU_ASSERT(sl_queue_bytes(Q[0]) > 0);
    CU_ASSERT_EQUAL(take(0), 3);
    CU_ASSERT_EQUAL(G[0].batches, 1);
    CU_ASSERT_EQUAL(pipeline_flush(P), 0);
    CU_ASSERT_EQUAL(take(0), 0);            /* the batch went once */
}

static void t_source_ip(void)
{
    struct pipeline_out o = { NULL };
    struct sockaddr_in in4 = { 0 };
    struct sockaddr_in6 in6 = { 0 }, mapped = { 0 };
    const char *line = "<13>1 2025-06-01T10:00:00Z h a - - - from somewhere";

    in4.sin_family = AF_INET;
    in4.sin_port = htons(5140);
    inet_pton(AF_INET, "192.0.2.7", &in4.sin_addr);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(514);
    inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
    mapped.sin6_family = AF_INET6;
    mapped.sin6_port = htons(6514);
    inet_pton(AF_INET6, "::ffff:198.51.100.9", &mapped.sin6_addr);

    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    msg_from(line, (struct sockaddr *)&in4, sizeof in4, "udp", 1);
    msg_from(line, (struct sockaddr *)&in6, sizeof in6, "udp", 1);
    msg_from(line, (struct sockaddr *)&mapped, sizeof mapped, "tcp", 0);
    msg_from(line, (struct sockaddr *)&mapped, sizeof mapped, "tcp", 0);   /* cached */
    msg_from(line, (struct sockaddr *)&in4, sizeof in4, "udp", 1);
    msg_from(line, NULL, 0, "tcp", 0);
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 6);

    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[0].doc));
    TU_ASSERT_STR(jstr("source.ip"), "192.0.2.7");
    CU_ASSERT_EQUAL(jint("source.port"), 5140);
    TU_ASSERT_STR(jstr("network.transport"), "udp");
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[1].doc));
    TU_ASSERT_STR(jstr("source.ip"), "2001:db8::1");
    CU_ASSERT_EQUAL(jint("source.port"), 514);
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[2].doc));
    TU_ASSERT_STR(jstr("source.ip"), "198.51.100.9");
    CU_ASSERT_EQUAL(jint("source.port"), 6514);
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[3].doc));
    TU_ASSERT_STR(jstr("source.ip"), "198.51.100.9");
    CU_ASSERT_EQUAL(jint("source.port"), 6514);
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[4].doc));
    TU_ASSERT_STR(jstr("source.ip"), "192.0.2.7");
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[5].doc));
    CU_ASSERT_PTR_NULL(jstr("source.ip"));
    TU_ASSERT_STR(G[0].r[0].index, "");      /* no index configured */
}

static void t_long_index_refused(void)
{
    char name[SL_INDEX_NAME_LIMIT + 2];
    struct sl_idxname *x;
    const char *got;
    size_t len;

    memset(name, 'x', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    CU_ASSERT_EQUAL(sl_idxname_new(&x, name, &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "index name longer than 255 bytes");
    name[SL_INDEX_NAME_LIMIT] = '\0';        /* exactly at the limit: taken */
    CU_ASSERT_EQUAL_FATAL(sl_idxname_new(&x, name, &err), 0);
    got = sl_idxname_get(x, 0, &len);
    CU_ASSERT_EQUAL(len, SL_INDEX_NAME_LIMIT);
    CU_ASSERT(!memcmp(got, name, len));
    sl_idxname_free(x);
}

static void t_garbage_then_good(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "syslog-%Y";
    const char junk[] = "\x01\xff not syslog at all \"{}\\";

    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    pipeline_msg(P, junk, sizeof junk - 1, 0, NULL, 0, RECV_NS, "tcp", 0);
    pipeline_msg(P, "", 0, 0, NULL, 0, RECV_NS, "tcp", 0);
    tcp_msg("<13>1 2025-06-01T10:00:00Z h a - - - good again");
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 3);
    CU_ASSERT_PTR_NOT_NULL(parse(G[0].r[0].doc));
    TU_ASSERT_STR(G[0].r[0].index, "syslog-2030");
    CU_ASSERT_PTR_NOT_NULL(parse(G[0].r[1].doc));
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[2].doc));
    TU_ASSERT_STR(jstr("message"), "good again");
    TU_ASSERT_STR(G[0].r[2].index, "syslog-2025");
}

static void t_largest_doc_fits(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "syslog";
    const size_t max_msg = 6u * 1024u * 1024u;   /* its document can pass 32 MiB */
    const char *head = "<13>1 2025-06-01T10:00:00Z h a - - - ";
    size_t hl = strlen(head), len = hl + max_msg;
    char *big = sl_malloc(len);
    const struct pipeline_stats *st;

    memcpy(big, head, hl);
    memset(big + hl, 0x01, max_msg);        /* every byte becomes \u0001: 6 bytes */
    o.q = Q[0];
    sl_err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(pipeline_new(&P, &o, 1, max_msg, &SO, on_block, NULL, &err), 0);
    st = pipeline_stats(P);
    tcp_msg("<13>1 2025-06-01T10:00:00Z h a - - - small one first");
    pipeline_msg(P, big, len, 0, NULL, 0, RECV_NS, "tcp", 0);
    sl_free(big);
    CU_ASSERT_EQUAL(atomic_load(&st->dropped_full), 0);
    CU_ASSERT_EQUAL(atomic_load(&st->dropped_big), 0);
    CU_ASSERT_EQUAL(blk.calls_on, 0);       /* nothing is full: no pause */
    CU_ASSERT(!pipeline_is_blocked(P));
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 2);
    CU_ASSERT(strlen(G[0].r[1].doc) > 6 * max_msg);
    CU_ASSERT_PTR_NOT_NULL(parse(G[0].r[1].doc));
    tcp_msg("<13>1 2025-06-01T10:00:00Z h a - - - small one after");
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 3);
    CU_ASSERT_PTR_NOT_NULL(parse(G[0].r[2].doc));
    TU_ASSERT_STR(jstr("message"), "small one after");
}

/* A route table with one grok grammar for sshd, made as config.c makes it. */
static struct route_table *sshd_routes(void)
{
    struct route_table *t = route_table_new();
    struct grok **g = sl_calloc(1, sizeof *g);
    const char *names[] = { "sshd-accepted" };
    struct sl_err e;

    CU_ASSERT_EQUAL_FATAL(grok_compile(&g[0], NULL,
                                       "^Accepted (?<sshd.auth.method>\\w+) for (?<user.name>\\S+) "
                                       "from (?<source.ip>[0-9.]+) port (?<source.port:int>\\d+)",
                                       NULL, "test", &e), 0);
    CU_ASSERT_EQUAL_FATAL(route_table_add_grammar(t, norm_grok_grammar_new("sshd-accepted", g, 1),
                                                  &e), 0);
    CU_ASSERT_EQUAL_FATAL(route_add(t, "sshd", names, 1, &e), 0);
    CU_ASSERT_EQUAL_FATAL(route_table_seal(t, &e), 0);
    return t;
}

static void t_grammar_fields(void)
{
    struct pipeline_out o = { NULL };
    PAT[0] = "syslog";
    struct route_table *t = sshd_routes();
    const struct pipeline_stats *st;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(40000) };

    sa.sin_addr.s_addr = htonl(0x7f000001);
    o.q = Q[0];
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    pipeline_set_routes(P, t);
    msg_from("<38>Nov 23 09:59:58 bastion sshd[77]: Accepted publickey for alice from "
             "203.0.113.9 port 50122 ssh2", (const struct sockaddr *)&sa, sizeof sa, "udp", 1);
    msg_from("<38>Nov 23 09:59:59 bastion sshd[77]: Connection closed by 203.0.113.9",
             (const struct sockaddr *)&sa, sizeof sa, "udp", 1);
    tcp_msg("<38>Nov 23 09:59:59 bastion cron[1]: Accepted publickey for bob from 1.2.3.4 port 1");
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 3);

    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[0].doc));
    TU_ASSERT_STR(jstr("user.name"), "alice");
    TU_ASSERT_STR(jstr("sshd.auth.method"), "publickey");
    TU_ASSERT_STR(jstr("source.ip"), "203.0.113.9");
    CU_ASSERT_EQUAL(jint("source.port"), 50122);
    TU_ASSERT_STR(jstr("log.source.address"), "127.0.0.1");
    CU_ASSERT_EQUAL(jint("log.source.port"), 40000);
    CU_ASSERT_PTR_NULL(strstr(G[0].r[0].doc, "_sluice_nomatch"));

    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[1].doc));
    TU_ASSERT_STR(jstr("source.ip"), "127.0.0.1");
    CU_ASSERT_PTR_NULL(jstr("user.name"));
    CU_ASSERT_PTR_NOT_NULL(strstr(G[0].r[1].doc, "\"tags\":[\"_sluice_nomatch_sshd\"]"));

    /* another program has no route: left alone, no tag */
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[2].doc));
    CU_ASSERT_PTR_NULL(jstr("user.name"));
    CU_ASSERT_PTR_NULL(strstr(G[0].r[2].doc, "tags"));

    st = pipeline_stats(P);
    CU_ASSERT_EQUAL(atomic_load(&st->norm_matched), 1);
    CU_ASSERT_EQUAL(atomic_load(&st->norm_nomatch), 1);
    CU_ASSERT_EQUAL(atomic_load(&st->norm_limit), 0);
    pipeline_free(P);
    P = NULL;
    route_table_free(t);
}

/* What `sluice test --now` does: the receive time handed to pipeline_parse
 * decides the year of a year-less BSD stamp, the @timestamp of a line
 * without one and event.ingested, whatever the clock says. */
static const char *parsed_at(struct evt *e, struct sl_buf *b, const char *line, const char *now)
{
    struct evt_meta m = { 0 };
    struct route_result res;

    CU_ASSERT_EQUAL_FATAL(sl_time_parse(now, &m.recv_ns), 0);
    pipeline_parse(e, line, strlen(line), &m, &SO, NULL, NULL, NULL, &res);
    CU_ASSERT_EQUAL(res.status, ROUTE_NONE);
    sl_buf_reset(b);
    CU_ASSERT_EQUAL_FATAL(evt_json(e, b), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(b->data));
    return jstr("@timestamp");
}

static void t_pinned_receive_time(void)
{
    struct evt *e = evt_new(SL_MAX_MSG_DEFAULT);
    struct sl_buf b;

    sl_buf_init(&b, 1024, SL_DOC_MAX(SL_MAX_MSG_DEFAULT));
    /* a December line read in January is last year's */
    TU_ASSERT_STR(parsed_at(e, &b, "<38>Dec 30 23:59:00 h sshd[1]: bye", "2027-01-05T10:00:00Z"),
                  "2026-12-30T23:59:00.000Z");
    TU_ASSERT_STR(jstr("event.ingested"), "2027-01-05T10:00:00.000000Z");
    /* the same line read in December is this year's */
    TU_ASSERT_STR(parsed_at(e, &b, "<38>Dec 30 23:59:00 h sshd[1]: bye", "2026-12-31T08:00:00Z"),
                  "2026-12-30T23:59:00.000Z");
    TU_ASSERT_STR(parsed_at(e, &b, "<38>Dec 30 23:59:00 h sshd[1]: bye", "2031-01-01T00:00:00Z"),
                  "2030-12-30T23:59:00.000Z");
    /* a January line read on New Year's Eve (the sender's clock a little
     * ahead) is next year's; one read in mid-December is this year's */
    TU_ASSERT_STR(parsed_at(e, &b, "<38>Jan  1 00:00:30 h sshd[1]: hi", "2026-12-31T23:59:50Z"),
                  "2027-01-01T00:00:30.000Z");
    TU_ASSERT_STR(parsed_at(e, &b, "<38>Jan 20 00:00:30 h sshd[1]: hi", "2026-12-10T00:00:00Z"),
                  "2026-01-20T00:00:30.000Z");
    /* no timestamp at all: the pinned receive time, 6 digits */
    TU_ASSERT_STR(parsed_at(e, &b, "<13>1 - - sshd - - - bare", "1798761600"),
                  "2027-01-01T00:00:00.000000Z");
    TU_ASSERT_STR(jstr("event.ingested"), "2027-01-01T00:00:00.000000Z");
    sl_buf_free(&b);
    evt_free(e);
}

/* The daemon's path reads levels and payloads once pipeline_set_enrich
 * says so. */
static void t_enrich_daemon(void)
{
    struct pipeline_out o = { NULL };
    struct level_opts lo;
    struct payload_opts po;
    struct sl_err e;

    PAT[0] = "syslog";
    o.q = Q[0];
    level_opts_default(&lo);
    CU_ASSERT_EQUAL_FATAL(payload_opts_init(&po, 1, 0, "json", "logfmt", 5, 64, &e), 0);
    CU_ASSERT_EQUAL_FATAL(start(&o, 1), 0);
    tcp_msg("<14>Nov 23 10:00:00 h app[1]: {\"level\":\"error\",\"user\":{\"id\":7}}");
    pipeline_set_enrich(P, &lo, &po);
    tcp_msg("<14>Nov 23 10:00:00 h app[1]: {\"level\":\"error\",\"user\":{\"id\":7}}");
    tcp_msg("<14>Nov 23 10:00:00 h app[1]: {\"level\":");
    drain(1);
    CU_ASSERT_EQUAL_FATAL(G[0].n, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[0].doc));        /* before: text */
    TU_ASSERT_STR(jstr("log.level"), "info");
    CU_ASSERT_PTR_NULL(tu_jat(J, "json"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[1].doc));
    TU_ASSERT_STR(jstr("log.level"), "error");
    TU_ASSERT_STR(jstr("log.syslog.severity.name"), "informational");
    CU_ASSERT_EQUAL(jint("json.user.id"), 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(parse(G[0].r[2].doc));
    CU_ASSERT_PTR_NOT_NULL(strstr(G[0].r[2].doc, "\"tags\":[\"_sluice_bad_json\"]"));
    pipeline_free(P);
    P = NULL;
    payload_opts_free(&po);
}

/* tests/fixtures/enrich through its config and pipeline_parse, as
 * `sluice test --now` runs it: every document byte for byte as
 * expected.ndjson (which t_cli_test.sh also checks through the binary). */
static void t_enrich_fixture(void)
{
    struct sl_config *cfg = NULL;
    struct cfg_problems pr = { 0 };
    struct pipeline_enrich en;
    struct route_scratch *rs;
    struct evt *e = evt_new(SL_MAX_MSG_DEFAULT);
    struct sl_buf b;
    char *lines, *want, *lc, *wc, *l, *w;
    size_t n = 0;

    if (config_load_file(&cfg, tu_fixture("enrich/enrich.yaml"), &pr))
        for (size_t i = 0; i < pr.errors.n; i++)
            tu_fail_at("enrich/enrich.yaml", "%s", pr.errors.v[i]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    lines = tu_read_file(tu_fixture("enrich/lines.log"), NULL);
    want = tu_read_file(tu_fixture("enrich/expected.ndjson"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lines);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    rs = route_scratch_new(cfg->routes);
    en.level = &cfg->level_opts;
    en.payload = &cfg->payload_opts;
    en.ps = payload_scratch_new();
    sl_buf_init(&b, 4096, SL_DOC_MAX(SL_MAX_MSG_DEFAULT));
    lc = lines;
    wc = want;
    while ((l = tu_next_line(&lc))) {
        struct evt_meta m = { 0 };
        struct route_result res;

        w = tu_next_line(&wc);
        CU_ASSERT_PTR_NOT_NULL_FATAL(w);
        CU_ASSERT_EQUAL_FATAL(sl_time_parse("2026-11-23T10:00:30Z", &m.recv_ns), 0);
        pipeline_parse(e, l, strlen(l), &m, &SO, cfg->routes, rs, &en, &res);
        sl_buf_reset(&b);
        CU_ASSERT_EQUAL_FATAL(evt_json(e, &b), 0);
        if (strcmp(b.data, w) != 0)
            tu_fail_at("enrich/expected.ndjson", "line %zu:\n  got  %s\n  want %s", n + 1,
                       b.data, w);
        CU_ASSERT_STRING_EQUAL(b.data, w);
        n++;
    }
    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT_PTR_NULL(tu_next_line(&wc));
    sl_buf_free(&b);
    payload_scratch_free(en.ps);
    route_scratch_free(rs);
    evt_free(e);
    sl_free(lines);
    sl_free(want);
    config_free(cfg);
    cfg_problems_free(&pr);
}

static CU_TestInfo tests[] = {
    { "a message becomes a record: a JSON doc with its text and a 22-char id", t_doc_and_id },
    { "10000 messages give 10000 distinct base64url ids, JSON docs, in order", t_many_ids },
    { "a static index name lands in every record", t_static_index },
    { "a date pattern takes the day from the event's time, not the receive time",
      t_dated_index_event_time },
    { "%H is the event's UTC hour, offsets applied; %% is a percent sign", t_dated_index_hour_utc },
    { "an event without a timestamp is indexed by its receive time", t_dated_index_receive_time_fallback },
    { "two outputs get the same doc and id under their own index names", t_two_outputs },
    { "a full queue pauses once, drops UDP with a count, keeps TCP until room comes back",
      t_backpressure },
    { "flush pushes a partial batch, once", t_flush_partial },
    { "source ip is text for IPv4, IPv6 and v4-mapped IPv6 senders", t_source_ip },
    { "an index name over 255 bytes is refused; one of 255 is taken", t_long_index_refused },
    { "a message that is not syslog still becomes a record, and the next good one too",
      t_garbage_then_good },
    { "the largest document max_msg allows is queued, not dropped as \"queue full\"",
      t_largest_doc_fits },
    { "a pinned receive time decides the year of BSD stamps, the time of stamp-less lines and "
      "event.ingested", t_pinned_receive_time },
    { "a route's grammar adds its fields to the doc; a miss is tagged and counted",
      t_grammar_fields },
    { "pipeline_set_enrich: JSON payloads and the message's level in the daemon's documents",
      t_enrich_daemon },
    { "tests/fixtures/enrich through pipeline_parse gives expected.ndjson byte for byte",
      t_enrich_fixture },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "pipeline", NULL, NULL, t_setup, t_teardown, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    int rc;

    /* Log lines are formatted (so valgrind sees that code) but kept off the
     * test output unless SL_TEST_LOG is set. */
    sl_log_set_level(SL_LOG_DEBUG);
    if (!getenv("SL_TEST_LOG")) {
        log_sink = fopen("/dev/null", "w");
        sl_log_set_stream(log_sink);
    }
    rc = tu_main(argc, argv, suites);
    if (log_sink)
        fclose(log_sink);
    return rc;
}
