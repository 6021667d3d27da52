/* shipper/pipeline.c: message → event → JSON document → record batches.
 *
 * Threads: everything here runs on the event-loop thread, except the queues'
 * consumers (the spool writer, or delivery threads without a spool), which
 * only pop and release. A document is serialized once, into the first queue's
 * batch; other queues (several sinks without a spool) get a copy of its bytes.
 * Records carry the event's time and no index name: each sink resolves its
 * own index pattern at delivery, so one spooled record serves every sink.
 *
 * Backpressure: a batch that a queue refuses stays pending here; the pipeline
 * then asks the caller to pause TCP inputs (senders slow down) and drops UDP
 * datagrams with a count, until a delivery thread makes room. Memory is
 * bounded by the queues' ceilings plus one pending batch per sink. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "common/bounds.h"
#include "common/clock.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rec.h"
#include "parser/evt.h"
#include "parser/route.h"
#include "shipper/enrich.h"
#include "shipper/pipeline.h"

/* A batch is pushed when it holds this much; it may grow to BATCH_MAX while a
 * queue refuses it (what one socket read can still produce after the pause).
 * Its ceiling is BATCH_MAX plus the largest document, so that the largest
 * document always fits into a batch that a free queue would take: with a big
 * max_msg a document alone can pass BATCH_MAX (6 bytes per escaped byte). */
#define BATCH_PUSH  SL_BATCH_BYTES_PIPE
#define BATCH_MAX   (32u * 1024u * 1024u)   /* one 64 KiB read of 1-byte lines fits */

struct out {
    struct sl_queue *q;
    struct sl_recbatch *batch;
};

struct pipeline {
    struct out *outs;
    size_t nouts;
    struct evt *evt;
    struct syslog_opts so;
    struct sl_idgen ids;
    size_t doc_max;
    int blocked;
    void (*on_block)(void *, int);
    void *arg;
    struct sl_episode drop_ep;
    /* The sender's address as text, cached: consecutive messages mostly come
     * from the same peer, and inet_ntop per message shows in profiles. */
    struct sockaddr_storage last_sa;
    socklen_t last_len;
    char last_ip[INET6_ADDRSTRLEN];
    uint16_t last_port;
    struct sl_cidr last_addr;
    int last_addr_ok;
    struct enrich *host;                /* host and time enrichment; NULL: none */
    size_t input;
    const struct route_table *routes;   /* NULL: no normalization */
    struct route_scratch *rs;
    struct pipeline_enrich en;          /* its payload scratch is ours */
    struct pipeline_stats st;
};

static struct sl_recbatch *batch_new(const struct pipeline *p)
{
    return sl_recbatch_new(BATCH_PUSH + 64 * 1024, BATCH_MAX + p->doc_max);
}

int pipeline_new(struct pipeline **out, const struct pipeline_out *outs, size_t nouts,
                 size_t max_msg, const struct syslog_opts *so,
                 void (*on_block)(void *arg, int blocked), void *arg, struct sl_err *err)
{
    struct pipeline *p = sl_calloc(1, sizeof *p);
    int rc;

    p->doc_max = SL_DOC_MAX(max_msg);
    p->outs = sl_calloc(nouts ? nouts : 1, sizeof *p->outs);
    p->nouts = nouts;
    for (size_t i = 0; i < nouts; i++) {
        struct out *o = &p->outs[i];
        o->q = outs[i].q;
        o->batch = batch_new(p);
    }
    p->evt = evt_new(max_msg);
    p->so = *so;
    p->on_block = on_block;
    p->arg = arg;
    p->input = (size_t)-1;
    rc = sl_idgen_init(&p->ids);
    if (rc) {
        sl_err_set(err, rc, "pipeline", "cannot read random bytes for event IDs");
        goto fail;
    }
    *out = p;
    return 0;
fail:
    pipeline_free(p);
    return rc;
}

void pipeline_free(struct pipeline *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nouts; i++) {
        sl_recbatch_free(p->outs[i].batch);
    }
    sl_free(p->outs);
    route_scratch_free(p->rs);
    payload_scratch_free(p->en.ps);
    evt_free(p->evt);
    sl_free(p);
}

void pipeline_set_routes(struct pipeline *p, const struct route_table *t)
{
    route_scratch_free(p->rs);
    p->rs = t ? route_scratch_new(t) : NULL;
    p->routes = p->rs ? t : NULL;
}

void pipeline_set_enrich(struct pipeline *p, const struct level_opts *lo,
                         const struct payload_opts *po)
{
    p->en.level = lo;
    p->en.payload = po;
    if (po && !p->en.ps)
        p->en.ps = payload_scratch_new();
}

/* Runs the message's route; fields land in the event, a miss is tagged. */
static void normalize(struct evt *e, const struct route_table *t, struct route_scratch *rs,
                      struct route_result *res)
{
    struct route_line l;
    size_t mlen = 0;
    const char *msg = evt_message(e, &mlen);

    l.program = evt_appname(e, &l.program_len);
    l.host = evt_hostname(e, &l.host_len);
    l.facility = evt_priority(e) >> 3;
    route_match(t, rs, &l, msg ? msg : "", mlen, evt_field_emit, e, res);
    if (res->tag)
        evt_tag_add(e, res->tag, strlen(res->tag));
}

void pipeline_parse(struct evt *e, const char *msg, size_t len, const struct evt_meta *m,
                    const struct syslog_opts *so, const struct route_table *t,
                    struct route_scratch *rs, const struct pipeline_enrich *en,
                    struct route_result *res)
{
    const struct level_opts *lo = en ? en->level : NULL;
    int matched;

    memset(res, 0, sizeof *res);
    res->status = ROUTE_NONE;
    syslog_parse(e, msg, len, m, so);
    if (lo)
        level_begin(e, lo);             /* before a grammar's log.level comes */
    if (t && rs)
        normalize(e, t, rs, res);
    matched = res->status == ROUTE_MATCH;
    /* a grammar that matched knows the line better than a payload reader */
    if (!matched && en && en->payload && en->ps) {
        size_t n = 0;
        const char *text = evt_message(e, &n);
        if (text)
            payload_parse(en->payload, en->ps, text, n, evt_field_emit, e);
    }
    /* a grammar that matched says the level with its log.level field, or
     * leaves the severity's: the text is searched only for other lines */
    if (lo)
        level_apply(e, lo, !matched);
}

void pipeline_set_enrich_host(struct pipeline *p, struct enrich *en)
{
    p->host = en;
}

void pipeline_set_input(struct pipeline *p, size_t input)
{
    p->input = input;
}


static const char *src_text(struct pipeline *p, const struct sockaddr *sa, socklen_t len,
                            uint16_t *port)
{
    if (!sa || !len)
        return NULL;
    if (len == p->last_len && memcmp(sa, &p->last_sa, len) == 0) {
        *port = p->last_port;
        return p->last_ip;
    }
    if (len > sizeof p->last_sa)
        return NULL;
    p->last_ip[0] = '\0';
    p->last_port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, p->last_ip, sizeof p->last_ip);
        p->last_port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], p->last_ip, sizeof p->last_ip);
        else
            inet_ntop(AF_INET6, &in6->sin6_addr, p->last_ip, sizeof p->last_ip);
        p->last_port = ntohs(in6->sin6_port);
    }
    memcpy(&p->last_sa, sa, len);
    p->last_len = len;
    p->last_addr_ok = sl_cidr_sockaddr(sa, len, &p->last_addr) == 0;
    *port = p->last_port;
    return p->last_ip[0] ? p->last_ip : NULL;
}

static void set_blocked(struct pipeline *p, int blocked)
{
    if (p->blocked == blocked)
        return;
    p->blocked = blocked;
    if (blocked) {
        atomic_fetch_add(&p->st.blocked, 1);
        SL_WARN("pipeline", "queue full: pausing TCP inputs, dropping UDP until delivery catches up");
    } else {
        uint64_t n = sl_episode_end(&p->drop_ep);
        SL_INFO("pipeline", "queue has room again: inputs resumed udp_dropped=%llu",
                (unsigned long long)n);
    }
    if (p->on_block)
        p->on_block(p->arg, blocked);
}

/* Pushes every batch that is due (or every non-empty one when `all`). */
static int push_due(struct pipeline *p, int all)
{
    int refused = 0;

    for (size_t i = 0; i < p->nouts; i++) {
        struct out *o = &p->outs[i];
        if (!o->batch->count || (!all && o->batch->data.len < BATCH_PUSH))
            continue;
        if (sl_queue_push(o->q, &o->batch->node, o->batch->data.len, 0) == 0)
            o->batch = batch_new(p);
        else
            refused = 1;
    }
    return refused ? SL_EFULL : 0;
}

int pipeline_flush(struct pipeline *p)
{
    int rc = push_due(p, 1);

    set_blocked(p, rc != 0);
    return rc;
}

int pipeline_is_blocked(const struct pipeline *p)
{
    return p->blocked;
}

const struct pipeline_stats *pipeline_stats(const struct pipeline *p)
{
    return &p->st;
}

void pipeline_msg(struct pipeline *p, const char *msg, size_t len, unsigned flags,
                  const struct sockaddr *src, socklen_t srclen, int64_t recv_ns,
                  const char *transport, int datagram)
{
    struct evt_meta m = { 0 };
    struct route_result res;
    char id[SL_ID_LEN + 1];
    struct out *first;
    size_t mark, doc_off, doc_len;
    int64_t t_ns, t_ms;

    atomic_fetch_add_explicit(&p->st.received, 1, memory_order_relaxed);
    if (!p->nouts)
        return;
    if (p->blocked && datagram) {
        atomic_fetch_add_explicit(&p->st.dropped_full, 1, memory_order_relaxed);
        if (sl_episode_hit(&p->drop_ep))
            SL_WARN("pipeline", "dropping UDP messages: queue full (counted in dropped_full)");
        return;
    }
    m.recv_ns = recv_ns;
    m.src_ip = src_text(p, src, srclen, &m.src_port);
    m.transport = transport;
    m.flags = flags;
    if (p->host) {
        const struct sl_cidr *addr = m.src_ip && p->last_addr_ok ? &p->last_addr : NULL;
        struct syslog_opts so;

        enrich_syslog_opts(p->host, p->input, addr, &p->so, &so);
        pipeline_parse(p->evt, msg, len, &m, &so, p->routes, p->rs, &p->en, &res);
        enrich_apply(p->host, p->evt, p->input, addr);
    } else {
        pipeline_parse(p->evt, msg, len, &m, &p->so, p->routes, p->rs, &p->en, &res);
    }
    if (evt_tags(p->evt) & (EVT_T_NO_PRI | EVT_T_BAD_PRI | EVT_T_BAD_HEADER))
        atomic_fetch_add_explicit(&p->st.unparsed, 1, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&p->st.parsed, 1, memory_order_relaxed);
    switch (res.status) {
    case ROUTE_MATCH:
        atomic_fetch_add_explicit(&p->st.norm_matched, 1, memory_order_relaxed);
        break;
    case ROUTE_NOMATCH:
        atomic_fetch_add_explicit(&p->st.norm_nomatch, 1, memory_order_relaxed);
        break;
    case ROUTE_LIMIT:
        atomic_fetch_add_explicit(&p->st.norm_limit, 1, memory_order_relaxed);
        break;
    case ROUTE_NONE:
        break;
    }
    t_ns = evt_time_ns(p->evt);
    sl_idgen_next(&p->ids, id);

    t_ms = t_ns / 1000000 - (t_ns % 1000000 < 0);
    first = &p->outs[0];
    mark = sl_recbatch_begin(first->batch, id, "", 0, t_ms);
    if (mark == (size_t)-1)
        goto full;
    doc_off = first->batch->data.len;
    if (evt_json(p->evt, &first->batch->data)) {
        sl_recbatch_abort(first->batch, mark);
        goto full;
    }
    doc_len = first->batch->data.len - doc_off;
    sl_recbatch_commit(first->batch, mark);
    for (size_t i = 1; i < p->nouts; i++) {
        struct out *o = &p->outs[i];
        size_t mk = sl_recbatch_begin(o->batch, id, "", 0, t_ms);
        if (mk == (size_t)-1)
            continue;   /* counted below: this sink's batch is at its ceiling */
        if (sl_buf_append(&o->batch->data, first->batch->data.data + doc_off, doc_len))
            sl_recbatch_abort(o->batch, mk);
        else
            sl_recbatch_commit(o->batch, mk);
    }
    atomic_fetch_add_explicit(&p->st.queued, 1, memory_order_relaxed);
    if (push_due(p, 0))
        set_blocked(p, 1);
    return;
full:
    /* Only reachable while blocked with a full pending batch (32 MiB): the
     * inputs are paused, so this is the tail of the last socket read. */
    atomic_fetch_add_explicit(&p->st.dropped_full, 1, memory_order_relaxed);
    if (sl_episode_hit(&p->drop_ep))
        SL_WARN("pipeline", "dropping messages: pending batch at its ceiling while the queue is full");
    set_blocked(p, 1);
}
