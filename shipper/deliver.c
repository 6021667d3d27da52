/* shipper/deliver.c: one thread per sink moves record batches from its
 * source (the spool, or an in-memory queue) into the sink and acts on the
 * verdicts.
 *
 * Threads: the delivery thread owns the sink instance and every field below
 * `mu`; the main thread only sets `stopping`/`deadline_ms` (under mu) and joins.
 * Counters are atomics, read from anywhere.
 *
 * Order and memory: batches are taken from the queue until the sink's batch
 * limits (docs, bytes, wait) are reached; every record of that group is
 * resolved (confirmed or rejected) before the next group is taken, retrying
 * only the records answered RETRY, with backoff. A batch is handed back to
 * its source (done: the spool's cursor advances, a queue's bytes are
 * released) only once all its records are resolved, in order: the window is
 * bounded by the batch limits, and a queue's ceiling covers queued, in-flight
 * and retried records together.
 *
 * Index names: records from the pipeline carry none; the sink's pattern is
 * resolved here from each record's own time (common/idxname.h). */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "common/backoff.h"
#include "common/clock.h"
#include "common/idxname.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rec.h"
#include "shipper/deliver.h"

struct deliver {
    const struct sink_type *type;
    const void *conf;
    char *name;
    char comp[96];
    void *state;
    struct deliver_src src;
    struct sl_idxname *idx;         /* NULL: the sink has no index */
    struct sink_batch lim;
    pthread_t th;
    int started;

    pthread_mutex_t mu;
    pthread_cond_t wake;
    int stopping;
    uint64_t deadline_ms;       /* monotonic; valid while stopping */

    /* The window: batches taken from the queue, oldest first, and their
     * records not yet resolved, recs[rhead..nrecs). The front batch may be
     * partly resolved (`consumed` of its records). */
    struct sl_recbatch **held;
    uint64_t *arrived_ms;
    size_t nheld, capheld;
    size_t consumed;
    struct sl_rec *recs;
    size_t rhead, nrecs, caprecs;
    size_t wbytes;              /* documents' bytes in recs[rhead..nrecs) */
    enum sink_verdict *verdicts;
    struct sl_rec *tryv;
    size_t cap_try;
    uint64_t unresolved;        /* given up at the stop deadline */
    int gave_up;                /* since then no batch is confirmed to its source */
    _Atomic int finished;

    struct sl_backoff bo;
    struct sl_episode fail_ep, src_ep;
    struct deliver_stats st;
    struct sink_stats sst;
};

static int giving_up(struct deliver *d)
{
    int r;

    pthread_mutex_lock(&d->mu);
    r = d->stopping && sl_clock_mono_ms() >= d->deadline_ms;
    pthread_mutex_unlock(&d->mu);
    return r;
}

/* Sleeps up to ms, woken early by deliver_stop. */
static void nap(struct deliver *d, uint32_t ms)
{
    struct timespec ts;
    uint64_t until = sl_clock_mono_ms() + ms;

    pthread_mutex_lock(&d->mu);
    if (d->stopping && until > d->deadline_ms)
        until = d->deadline_ms;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = sl_clock_mono_ms();
    if (until > now) {
        uint64_t left = until - now;
        ts.tv_sec += (time_t)(left / 1000);
        ts.tv_nsec += (long)(left % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&d->wake, &d->mu, &ts);
    }
    pthread_mutex_unlock(&d->mu);
}

static void grow_try(struct deliver *d, size_t n)
{
    if (n <= d->cap_try)
        return;
    d->cap_try = n;
    d->verdicts = sl_realloc(d->verdicts, n * sizeof *d->verdicts);
    d->tryv = sl_realloc(d->tryv, n * sizeof *d->tryv);
}

/* Resolves recs[0..n): every record ends confirmed or rejected, unless the stop
 * deadline passes first (then it is counted as unresolved). */
static void send_all(struct deliver *d, const struct sl_rec *recs, size_t n)
{
    size_t left = n;
    struct sl_err err;
    int retrying = 0;

    size_t *idx = sl_malloc(n * sizeof *idx);   /* records still unresolved */

    grow_try(d, n);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;

    while (left) {
        if (giving_up(d)) {
            d->unresolved += left;
            atomic_fetch_sub(&d->st.pending, left);
            if (!d->gave_up) {
                /* A spool source stops here: what is left stays on disk for
                 * the next start instead of being read only to be given up. */
                d->gave_up = 1;
                d->src.cancel(d->src.ctx);
            }
            break;
        }
        for (size_t i = 0; i < left; i++)
            d->tryv[i] = recs[idx[i]];
        if (retrying)
            atomic_fetch_add(&d->st.retries, left);
        sl_err_clear(&err);
        int rc = d->type->send(d->state, d->tryv, left, d->verdicts, &err);
        if (rc == SL_ETOOBIG && left > 1) {
            /* 413: the request is over the cluster's limit; halve it. */
            size_t half = left / 2;
            struct sl_rec *a = sl_malloc(left * sizeof *a);
            for (size_t i = 0; i < left; i++)
                a[i] = recs[idx[i]];
            SL_WARN(d->comp, "request too large: splitting docs=%zu into %zu + %zu", left, half,
                    left - half);
            send_all(d, a, half);
            send_all(d, a + half, left - half);
            sl_free(a);
            left = 0;
            break;
        }
        if (rc == SL_ETOOBIG) {
            SL_ERROR(d->comp, "document alone is over the request size limit: rejected id=%.*s",
                     (int)SL_ID_LEN, recs[idx[0]].id);
            atomic_fetch_add(&d->st.rejected, 1);
            atomic_fetch_sub(&d->st.pending, 1);
            left = 0;
            break;
        }
        if (rc) {
            if (sl_episode_hit(&d->fail_ep))
                SL_ERROR(d->comp, "send failed, will retry with backoff: %s%s%s", err.msg,
                         err.where[0] ? " at " : "", err.where);
            retrying = 1;
            nap(d, sl_backoff_next(&d->bo));
            continue;
        }
        size_t keep = 0;
        for (size_t i = 0; i < left; i++) {
            switch (d->verdicts[i]) {
            case SINK_DONE:
            case SINK_DUPLICATE:
                atomic_fetch_add_explicit(&d->st.confirmed, 1, memory_order_relaxed);
                atomic_fetch_sub_explicit(&d->st.pending, 1, memory_order_relaxed);
                break;
            case SINK_REJECT:
                atomic_fetch_add_explicit(&d->st.rejected, 1, memory_order_relaxed);
                atomic_fetch_sub_explicit(&d->st.pending, 1, memory_order_relaxed);
                break;
            case SINK_RETRY:
            default:
                idx[keep++] = idx[i];
                break;
            }
        }
        if (d->fail_ep.active) {
            uint64_t k = sl_episode_end(&d->fail_ep);
            SL_INFO(d->comp, "sending again after failed_attempts=%llu", (unsigned long long)k);
        }
        left = keep;
        if (left) {
            retrying = 1;
            nap(d, sl_backoff_next(&d->bo));
        } else {
            sl_backoff_reset(&d->bo);
        }
    }
    sl_free(idx);
}

static void hold(struct deliver *d, struct sl_recbatch *b)
{
    struct sl_rec r;
    size_t off = 0;

    if (d->nheld == d->capheld) {
        d->capheld = d->capheld ? d->capheld * 2 : 16;
        d->held = sl_realloc(d->held, d->capheld * sizeof *d->held);
        d->arrived_ms = sl_realloc(d->arrived_ms, d->capheld * sizeof *d->arrived_ms);
    }
    d->arrived_ms[d->nheld] = sl_clock_mono_ms();
    d->held[d->nheld++] = b;
    while (sl_recbatch_next(b, &off, &r)) {
        if (!r.index_len && d->idx)
            r.index = sl_idxname_get(d->idx, r.time_ms, &r.index_len);
        if (d->nrecs == d->caprecs) {
            d->caprecs = d->caprecs ? d->caprecs * 2 : 1024;
            d->recs = sl_realloc(d->recs, d->caprecs * sizeof *d->recs);
        }
        d->recs[d->nrecs++] = r;
        d->wbytes += r.doc_len;
    }
    atomic_fetch_add(&d->st.pending, b->count);
}

/* The first c records of the window are resolved: free the batches that are
 * now wholly resolved and give their bytes back to the queue. */
static void retire(struct deliver *d, size_t c)
{
    size_t k = 0;

    d->rhead += c;
    d->consumed += c;
    while (k < d->nheld && d->held[k]->count <= d->consumed) {
        d->consumed -= d->held[k]->count;
        /* Batches are confirmed in order: none after a given-up record. */
        if (d->gave_up && d->src.abandon)
            d->src.abandon(d->src.ctx, d->held[k]);
        else
            d->src.done(d->src.ctx, d->held[k]);
        k++;
    }
    if (k) {
        memmove(d->held, d->held + k, (d->nheld - k) * sizeof *d->held);
        memmove(d->arrived_ms, d->arrived_ms + k, (d->nheld - k) * sizeof *d->arrived_ms);
        d->nheld -= k;
    }
    if (d->rhead == d->nrecs) {
        d->rhead = d->nrecs = 0;
    } else if (d->rhead > d->caprecs / 2) {
        memmove(d->recs, d->recs + d->rhead, (d->nrecs - d->rhead) * sizeof *d->recs);
        d->nrecs -= d->rhead;
        d->rhead = 0;
    }
}

/* Requests are cut from the front of the window as soon as it holds a full
 * one (max_docs or max_bytes), or when its oldest record has waited max_wait,
 * or at stop; a batch's records may span two requests, so requests are full
 * whatever the pipeline's batch size. */
static void *run(void *arg)
{
    struct deliver *d = arg;
    struct sl_recbatch *b;
    struct sl_err err;
    int closed = 0;

    for (;;) {
        while (!closed && d->nrecs - d->rhead < d->lim.max_docs && d->wbytes < d->lim.max_bytes) {
            int timeout = -1, rc;
            if (d->nrecs > d->rhead) {
                uint64_t until = d->arrived_ms[0] + d->lim.max_wait_ms, now = sl_clock_mono_ms();
                if (now >= until)
                    break;
                timeout = (int)(until - now);
            }
            rc = d->src.next(d->src.ctx, &b, timeout);
            if (rc == SL_ESTOP)
                closed = 1;
            if (rc && rc != SL_ESTOP && rc != SL_ETIMEOUT) {
                /* The source cannot be read (a spool segment unreadable or
                 * removed by hand): try again later instead of spinning, and
                 * let a stop end it. */
                if (sl_episode_hit(&d->src_ep))
                    SL_ERROR(d->comp, "cannot read the source (%s): retrying every second",
                             sl_strerror(rc));
                nap(d, 1000);
                if (giving_up(d))
                    closed = 1;
            }
            if (rc)
                break;
            if (d->src_ep.active)
                sl_episode_end(&d->src_ep);
            if (!b->count && !d->nheld) {
                if (d->gave_up && d->src.abandon)
                    d->src.abandon(d->src.ctx, b);
                else
                    d->src.done(d->src.ctx, b);
                continue;
            }
            /* An empty batch (all filtered out, or damage skipped) behind held
             * ones waits its turn: confirming it now would move a spool's
             * cursor past records still in flight. */
            hold(d, b);
        }
        if (d->nrecs == d->rhead) {
            if (closed)
                break;
            continue;
        }
        size_t j = d->rhead, bytes = 0;
        while (j < d->nrecs && j - d->rhead < d->lim.max_docs &&
               (j == d->rhead || bytes + d->recs[j].doc_len <= d->lim.max_bytes))
            bytes += d->recs[j++].doc_len;
        send_all(d, d->recs + d->rhead, j - d->rhead);
        if (d->type->flush && d->type->flush(d->state, &err))
            SL_ERROR(d->comp, "flush failed: %s", err.msg);
        d->wbytes -= bytes;
        retire(d, j - d->rhead);
    }
    atomic_store(&d->finished, 1);
    return NULL;
}

static int q_next(void *ctx, struct sl_recbatch **out, int timeout_ms)
{
    struct sl_qnode *n;
    int rc = sl_queue_pop(ctx, &n, timeout_ms);

    if (!rc)
        *out = (struct sl_recbatch *)n;
    return rc;
}

static void q_done(void *ctx, struct sl_recbatch *b)
{
    size_t bytes = b->node.bytes;

    sl_recbatch_free(b);
    sl_queue_release(ctx, bytes);
}

static void q_cancel(void *ctx)
{
    sl_queue_close(ctx);
}

struct deliver_src deliver_src_queue(struct sl_queue *q)
{
    return (struct deliver_src){ q_next, q_done, q_cancel, q, NULL };
}

static int sp_next(void *ctx, struct sl_recbatch **out, int timeout_ms)
{
    return spool_reader_next(ctx, out, SPOOL_READ_CHUNK, timeout_ms);
}

static void sp_done(void *ctx, struct sl_recbatch *b)
{
    spool_reader_done(ctx, b);
}

static void sp_cancel(void *ctx)
{
    spool_reader_cancel(ctx);
}

static void sp_abandon(void *ctx, struct sl_recbatch *b)
{
    sl_recbatch_free(b);
}

struct deliver_src deliver_src_spool(struct spool_reader *r)
{
    return (struct deliver_src){ sp_next, sp_done, sp_cancel, r, sp_abandon };
}

int deliver_start(struct deliver **out, const struct sink_type *type, const void *conf,
                  const char *name, const struct deliver_src *src,
                  const char *index_override, struct sl_err *err)
{
    struct deliver *d = sl_calloc(1, sizeof *d);
    const char *pattern;
    int rc;

    d->type = type;
    d->conf = conf;
    d->name = sl_strdup(name);
    snprintf(d->comp, sizeof d->comp, "sink.%s[%s]", type->name, name);
    d->src = *src;
    pthread_mutex_init(&d->mu, NULL);
    {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&d->wake, &ca);
        pthread_condattr_destroy(&ca);
    }
    d->lim.max_docs = 1000;
    d->lim.max_bytes = 4u * 1024u * 1024u;
    d->lim.max_wait_ms = 200;
    if (type->batch)
        type->batch(conf, &d->lim);
    if (!d->lim.max_docs)
        d->lim.max_docs = 1;
    sl_backoff_init(&d->bo, d->lim.retry_initial_ms ? (uint32_t)d->lim.retry_initial_ms : 100,
                    d->lim.retry_max_ms ? (uint32_t)d->lim.retry_max_ms : 30000);
    pattern = index_override ? index_override : type->index ? type->index(conf) : NULL;
    if (pattern) {
        rc = sl_idxname_new(&d->idx, pattern, err);
        if (rc)
            goto fail;
    }
    rc = type->open(&d->state, conf, name, &d->sst, err);
    if (rc)
        goto fail;
    if (pthread_create(&d->th, NULL, run, d)) {
        rc = sl_err_set(err, SL_EIO, d->comp, "cannot start the delivery thread");
        goto fail;
    }
    d->started = 1;
    *out = d;
    return 0;
fail:
    deliver_free(d);
    return rc;
}

uint64_t deliver_stop(struct deliver *d, uint64_t deadline_ms)
{
    if (!d || !d->started)
        return 0;
    pthread_mutex_lock(&d->mu);
    d->stopping = 1;
    d->deadline_ms = sl_clock_mono_ms() + deadline_ms;
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->th, NULL);
    d->started = 0;
    return d->unresolved;
}

const struct deliver_stats *deliver_stats(const struct deliver *d)
{
    return &d->st;
}

int deliver_finished(const struct deliver *d)
{
    return atomic_load(&d->finished);
}

const struct sink_stats *deliver_sink_stats(const struct deliver *d)
{
    return &d->sst;
}

const char *deliver_name(const struct deliver *d)
{
    return d->name;
}

void deliver_free(struct deliver *d)
{
    if (!d)
        return;
    /* Still running (an error path after start): the thread only ends once its
     * source is closed, and nothing will consume this source any more. */
    if (d->started) {
        d->src.cancel(d->src.ctx);
        deliver_stop(d, 0);
    }
    if (d->type && d->state)
        d->type->close(d->state);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->wake);
    /* Unresolved batches are freed, not handed back: a spool re-sends them. */
    for (size_t k = 0; k < d->nheld; k++)
        sl_recbatch_free(d->held[k]);
    sl_idxname_free(d->idx);
    sl_free(d->held);
    sl_free(d->arrived_ms);
    sl_free(d->recs);
    sl_free(d->verdicts);
    sl_free(d->tryv);
    sl_free(d->name);
    sl_free(d);
}
