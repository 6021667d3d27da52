/* shipper/deliver.c: one thread per sink moves record batches from its
 * source (the spool, or an in-memory queue) into the sink and acts on the
 * verdicts.
 *
 * Threads: the delivery thread owns the sink instance and every field below
 * `mu` except the credential copy; the main thread only sets
 * `stopping`/`deadline_ms` and the credential copy (cred_*, under mu; then
 * `cred_pending`) and joins.
 * Counters are atomics, read from anywhere.
 *
 * Order and memory: batches are taken from the source into a window; requests
 * are cut from its front when full (docs, bytes) or when its oldest record
 * waited max_wait. Each request is a slot that keeps its records until every
 * one is resolved (confirmed or rejected), sending again only the records
 * answered RETRY, with the slot's own backoff, and 413 halves one after the
 * other. A sink with submit/poll gets up to `concurrency` slots in flight,
 * others one (send, blocking). Slots retire in the order they were cut
 * whatever order their answers come in, and a batch is handed back to its
 * source (done: the spool's cursor advances, a queue's bytes are released)
 * only once all its records and all before them are resolved. Held: at most
 * the slots' records plus less than one request not yet cut; retries stay
 * inside their slot. At the stop deadline requests in flight are dropped and
 * everything left is given up: from then on batches are abandoned, never
 * confirmed.
 *
 * Index names: records from the pipeline carry none; the sink's pattern is
 * resolved here from each record's own time (common/idxname.h).
 *
 * Refused credentials (SL_EAUTH: HTTP 401, or 403 for want of a privilege)
 * stop the sink: no new request is cut, the slot that was refused tries
 * again every DELIVER_AUTH_WAIT_MS (privileges may be fixed on the cluster
 * side) and everything else waits in the source (the spool, or the queue,
 * which then pushes back). New credentials come from deliver_reauth (SIGHUP,
 * main thread): a copy is left under mu, this thread hands it to the sink
 * once no request is in flight (none is launched meanwhile) and sends the
 * waiting slots at once. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "common/backoff.h"
#include "common/bounds.h"
#include "common/clock.h"
#include "common/idxname.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rec.h"
#include "shipper/deliver.h"
#include "shipper/secret.h"

/* Splits of one slot after 413s: a request is halved at most this often
 * (2^40 records is past any batch ceiling). */
#define SLOT_SEGS 40
/* Longest one wait for the sink may last while requests are in flight: a
 * stop, a new batch from the source or a due retry is seen this soon. */
#define POLL_CAP_MS    100
#define POLL_SOURCE_MS 10
/* With nothing to send, a sink with poll is still polled this often, so it
 * can move its own background work (the es sink's host probes). */
#define POLL_IDLE_MS   1000
/* A sink stopped on refused credentials tries again this often without a
 * SIGHUP (someone may grant the missing privilege on the cluster). */
#define DELIVER_AUTH_WAIT_MS 60000

enum slot_state { SLOT_FREE, SLOT_FLIGHT, SLOT_WAIT, SLOT_DONE };

/* One request's records, from the moment they are cut from the window until
 * all of them are resolved; retries and 413 halves stay in the slot. */
struct slot {
    enum slot_state state;
    struct sl_rec *pend;        /* its records not yet resolved, in window order */
    size_t npend, cap;
    size_t total;               /* records cut into it: retired together */
    enum sink_verdict *out;
    size_t nsent;               /* the request in flight: pend[0..nsent) */
    /* 413 halves still to send, front first: seg[nseg-1] records from
     * pend[0]; what send_all's recursion did, kept as a stack. */
    size_t seg[SLOT_SEGS];
    unsigned char seg_retrying[SLOT_SEGS];
    size_t nseg;
    uint64_t due_ms;            /* SLOT_WAIT: sent again from then */
    struct sl_backoff bo;
};

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

    /* The window: batches taken from the source, oldest first, and their
     * records not yet resolved, recs[rhead..nrecs), of which recs[cut..nrecs)
     * are not in a slot yet. The front batch may be partly resolved
     * (`consumed` of its records). */
    struct sl_recbatch **held;
    uint64_t *arrived_ms;
    size_t nheld, capheld;
    size_t consumed;
    struct sl_rec *recs;
    size_t rhead, cut, nrecs, caprecs;
    size_t ubytes;              /* documents' bytes in recs[cut..nrecs) */
    /* Slots: a ring in the order they were cut, oldest at shead. */
    struct slot *slots;
    size_t nslots, shead, nused, ninflight;
    uint64_t unresolved;        /* given up at the stop deadline */
    int gave_up;                /* since then no batch is confirmed to its source */
    _Atomic int finished;

    struct sl_episode fail_ep, src_ep, auth_ep;
    int auth_stopped;           /* the last answer refused the credentials */
    /* New credentials from deliver_reauth: owned copies under mu; pending is
     * read without the lock to hold back new requests until they are applied. */
    char *cred_user, *cred_pass, *cred_key;
    _Atomic int cred_pending;
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

static struct slot *slot_at(struct deliver *d, size_t k)
{
    return &d->slots[(d->shead + k) % d->nslots];
}

/* pend[n_front_kept..keep_from) are resolved: out of the slot. */
static void slot_drop_front(struct slot *sl, size_t keep_from, size_t n_front_kept)
{
    memmove(sl->pend + n_front_kept, sl->pend + keep_from,
            (sl->npend - keep_from) * sizeof *sl->pend);
    sl->npend -= keep_from - n_front_kept;
}

static void slot_next(struct slot *sl, uint64_t due_ms)
{
    if (!sl->npend) {
        sl->state = SLOT_DONE;
        sl->nseg = 0;
        return;
    }
    sl->state = SLOT_WAIT;
    sl->due_ms = due_ms;
}

/* The stop deadline passed: what is left of the slot is given up. */
static void slot_give_up(struct deliver *d, struct slot *sl)
{
    d->unresolved += sl->npend;
    atomic_fetch_sub(&d->st.pending, sl->npend);
    sl->npend = 0;
    sl->nseg = 0;
    sl->state = SLOT_DONE;
}

static void give_up(struct deliver *d)
{
    if (d->ninflight && d->type->drop)
        d->type->drop(d->state);
    d->ninflight = 0;
    d->auth_stopped = 0;        /* what comes now is given up, not sent */
    for (size_t k = 0; k < d->nused; k++) {
        struct slot *sl = slot_at(d, k);
        if (sl->state != SLOT_DONE)
            slot_give_up(d, sl);
    }
    if (!d->gave_up) {
        /* A spool source stops here: what is left stays on disk for the next
         * start instead of being read only to be given up. */
        d->gave_up = 1;
        d->src.cancel(d->src.ctx);
    }
}

/* Acts on the answer to the slot's request of pend[0..nsent). */
static void slot_answer(struct deliver *d, struct slot *sl, int rc, const struct sl_err *err)
{
    size_t n = sl->nsent, top = sl->nseg - 1, keep = 0;
    uint64_t now = sl_clock_mono_ms();

    sl->nsent = 0;
    if (rc == SL_ETOOBIG && n > 1) {
        /* 413: the request is over the cluster's limit; halve it. */
        size_t half = n / 2;
        SL_WARN(d->comp, "request too large: splitting docs=%zu into %zu + %zu", n, half,
                n - half);
        if (sl->nseg < SLOT_SEGS) {
            sl->seg[top] = n - half;
            sl->seg_retrying[top] = 0;
            sl->seg[sl->nseg] = half;
            sl->seg_retrying[sl->nseg++] = 0;
        }
        slot_next(sl, now);
        return;
    }
    if (rc == SL_ETOOBIG) {
        SL_ERROR(d->comp, "document alone is over the request size limit: rejected id=%.*s",
                 (int)SL_ID_LEN, sl->pend[0].id);
        atomic_fetch_add(&d->st.rejected, 1);
        atomic_fetch_sub(&d->st.pending, 1);
        slot_drop_front(sl, 1, 0);
        sl->nseg--;
        slot_next(sl, now);
        return;
    }
    if (rc == SL_EAUTH) {
        if (sl_episode_hit(&d->auth_ep))
            SL_ERROR(d->comp, "sink stopped: the cluster refused the credentials or a privilege: "
                     "%s%s%s; the events wait in the %s; fix the secret file (or the account's "
                     "roles) and send SIGHUP to apply it (tried again every %d s meanwhile)",
                     err->msg, err->where[0] ? " at " : "", err->where,
                     d->src.abandon ? "buffer" : "memory queue (no buffer.path: lost at stop)",
                     DELIVER_AUTH_WAIT_MS / 1000);
        d->auth_stopped = 1;
        sl->seg_retrying[top] = 1;
        slot_next(sl, now + DELIVER_AUTH_WAIT_MS);
        return;
    }
    if (rc) {
        atomic_fetch_add(&d->st.failing, 1);
        if (sl_episode_hit(&d->fail_ep))
            SL_ERROR(d->comp, "send failed, will retry with backoff: %s%s%s", err->msg,
                     err->where[0] ? " at " : "", err->where);
        sl->seg_retrying[top] = 1;
        slot_next(sl, now + sl_backoff_next(&sl->bo));
        return;
    }
    atomic_store(&d->st.failing, 0);
    for (size_t i = 0; i < n; i++) {
        switch (sl->out[i]) {
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
            sl->pend[keep++] = sl->pend[i];
            break;
        }
    }
    if (d->fail_ep.active) {
        uint64_t k = sl_episode_end(&d->fail_ep);
        SL_INFO(d->comp, "sending again after failed_attempts=%llu", (unsigned long long)k);
    }
    if (d->auth_stopped) {
        uint64_t k = sl_episode_end(&d->auth_ep);
        d->auth_stopped = 0;
        SL_INFO(d->comp, "credentials accepted: sending again after refused_attempts=%llu",
                (unsigned long long)k);
    }
    slot_drop_front(sl, n, keep);
    if (keep) {
        sl->seg[top] = keep;
        sl->seg_retrying[top] = 1;
        slot_next(sl, now + sl_backoff_next(&sl->bo));
    } else {
        sl->nseg--;
        sl_backoff_reset(&sl->bo);
        slot_next(sl, now);
    }
}

/* Sends the slot's front segment: through submit, or at once through send. */
static void slot_launch(struct deliver *d, struct slot *sl, size_t token)
{
    struct sl_err err;
    size_t n = sl->nseg ? sl->seg[sl->nseg - 1] : 0;
    int rc;

    if (d->gave_up) {
        slot_give_up(d, sl);
        return;
    }
    if (!sl->nseg) {                /* past SLOT_SEGS halvings: the rest goes whole */
        sl->seg[0] = sl->npend;
        sl->seg_retrying[0] = 0;
        sl->nseg = 1;
        n = sl->npend;
    }
    if (sl->seg_retrying[sl->nseg - 1])
        atomic_fetch_add(&d->st.retries, n);
    sl->nsent = n;
    sl_err_clear(&err);
    if (d->type->submit) {
        rc = d->type->submit(d->state, sl->pend, n, sl->out, token);
        if (!rc) {
            sl->state = SLOT_FLIGHT;
            d->ninflight++;
            return;
        }
        sl_err_set(&err, rc, d->comp, "the sink refused a request");
        for (size_t i = 0; i < n; i++)
            sl->out[i] = SINK_RETRY;
    } else {
        rc = d->type->send(d->state, sl->pend, n, sl->out, &err);
    }
    slot_answer(d, sl, rc, &err);
}

/* The oldest record not yet in a slot arrived with this batch. */
static uint64_t uncut_arrived(const struct deliver *d)
{
    size_t pos = d->cut - d->rhead + d->consumed;

    for (size_t k = 0; k < d->nheld; k++) {
        if (pos < d->held[k]->count)
            return d->arrived_ms[k];
        pos -= d->held[k]->count;
    }
    return sl_clock_mono_ms();
}

/* Cuts the next request from the front of the uncut records into a free slot. */
static struct slot *cut_slot(struct deliver *d)
{
    size_t j = d->cut, bytes = 0;
    size_t token = (d->shead + d->nused) % d->nslots;
    struct slot *sl = &d->slots[token];

    while (j < d->nrecs && j - d->cut < d->lim.max_docs &&
           (j == d->cut || bytes + d->recs[j].doc_len <= d->lim.max_bytes))
        bytes += d->recs[j++].doc_len;
    sl->total = sl->npend = j - d->cut;
    if (sl->npend > sl->cap) {
        sl->cap = sl->npend;
        sl->pend = sl_realloc(sl->pend, sl->cap * sizeof *sl->pend);
        sl->out = sl_realloc(sl->out, sl->cap * sizeof *sl->out);
    }
    memcpy(sl->pend, d->recs + d->cut, sl->npend * sizeof *sl->pend);
    sl->seg[0] = sl->npend;
    sl->seg_retrying[0] = 0;
    sl->nseg = 1;
    sl->nsent = 0;
    d->cut = j;
    d->ubytes -= bytes;
    d->nused++;
    slot_launch(d, sl, token);
    return sl;
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
        d->ubytes += r.doc_len;
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
        d->rhead = d->cut = d->nrecs = 0;
    } else if (d->rhead > d->caprecs / 2) {
        memmove(d->recs, d->recs + d->rhead, (d->nrecs - d->rhead) * sizeof *d->recs);
        d->nrecs -= d->rhead;
        d->cut -= d->rhead;
        d->rhead = 0;
    }
}

/* Slots resolved at the front of the ring go back to the source, in order;
 * a resolved slot behind an unresolved one waits. */
static void retire_slots(struct deliver *d)
{
    struct sl_err err;
    size_t c = 0, k = 0;

    while (k < d->nused && slot_at(d, k)->state == SLOT_DONE)
        c += slot_at(d, k++)->total;
    if (!k)
        return;
    for (size_t i = 0; i < k; i++)
        slot_at(d, i)->state = SLOT_FREE;
    d->shead = (d->shead + k) % d->nslots;
    d->nused -= k;
    if (d->type->flush && d->type->flush(d->state, &err))
        SL_ERROR(d->comp, "flush failed: %s", err.msg);
    retire(d, c);
}

/* Takes one batch from the source; 1 when one was added to the window. */
static int take(struct deliver *d, int timeout, int *closed)
{
    struct sl_recbatch *b;
    int rc = d->src.next(d->src.ctx, &b, timeout);

    if (rc == SL_ESTOP)
        *closed = 1;
    if (rc && rc != SL_ESTOP && rc != SL_ETIMEOUT) {
        /* The source cannot be read (a spool segment unreadable or removed
         * by hand): try again later instead of spinning, and let a stop end it. */
        if (sl_episode_hit(&d->src_ep))
            SL_ERROR(d->comp, "cannot read the source (%s): retrying every second",
                     sl_strerror(rc));
        nap(d, 1000);
        if (giving_up(d))
            *closed = 1;
    }
    if (rc)
        return 0;
    if (d->src_ep.active)
        sl_episode_end(&d->src_ep);
    if (!b->count && !d->nheld) {
        if (d->gave_up && d->src.abandon)
            d->src.abandon(d->src.ctx, b);
        else
            d->src.done(d->src.ctx, b);
        return 1;
    }
    /* An empty batch (all filtered out, or damage skipped) behind held ones
     * waits its turn: confirming it now would move a spool's cursor past
     * records still in flight. */
    hold(d, b);
    return 1;
}

/* Requests may go out: credentials are neither refused nor being changed. */
static int may_send(struct deliver *d)
{
    return !d->auth_stopped && !atomic_load(&d->cred_pending);
}

static int room(struct deliver *d)
{
    return d->nused < d->nslots && d->nrecs - d->cut < d->lim.max_docs &&
           d->ubytes < d->lim.max_bytes && may_send(d);
}

static void wipe_creds(struct deliver *d)
{
    secret_free(d->cred_user);
    secret_free(d->cred_pass);
    secret_free(d->cred_key);
    d->cred_user = d->cred_pass = d->cred_key = NULL;
}

/* Hands the credentials deliver_reauth left to the sink (nothing in flight)
 * and sends at once what waited for them. */
static void apply_creds(struct deliver *d)
{
    char *user, *pass, *key;
    struct sl_err err;
    uint64_t now = sl_clock_mono_ms();
    int rc;

    sl_err_clear(&err);
    /* Take the copy out (a newer SIGHUP may leave another meanwhile). */
    pthread_mutex_lock(&d->mu);
    user = d->cred_user;
    pass = d->cred_pass;
    key = d->cred_key;
    d->cred_user = d->cred_pass = d->cred_key = NULL;
    atomic_store(&d->cred_pending, 0);
    pthread_mutex_unlock(&d->mu);
    rc = d->type->reauth(d->state, &(struct sink_cred){ user, pass, key }, &err);
    secret_free(user);
    secret_free(pass);
    secret_free(key);
    if (rc) {
        SL_ERROR(d->comp, "new credentials not applied, the old ones stay: %s", err.msg);
        return;
    }
    SL_INFO(d->comp, "new credentials applied%s", d->auth_stopped ? ": sending the waiting "
            "events again" : "");
    for (size_t k = 0; k < d->nused; k++) {
        struct slot *sl = slot_at(d, k);
        if (sl->state == SLOT_WAIT) {
            sl->due_ms = now;
            sl_backoff_reset(&sl->bo);
        }
    }
    /* One request finds out whether they work before others are cut. */
}

/* Reports of finished requests, the first after up to timeout ms. */
static void poll_sink(struct deliver *d, int timeout)
{
    struct sink_answer a;

    while (d->ninflight && d->type->poll(d->state, timeout, &a) == 1) {
        struct slot *sl = &d->slots[a.token % d->nslots];
        if (sl->state != SLOT_FLIGHT)
            continue;               /* not ours: a sink's bug, nothing to act on */
        d->ninflight--;
        slot_answer(d, sl, a.rc, &a.err);
        timeout = 0;
    }
}

/* Requests are cut from the front of the uncut records as soon as they hold a
 * full one (max_docs or max_bytes), or when the oldest of them has waited
 * max_wait, or at stop; a batch's records may span two requests, so requests
 * are full whatever the pipeline's batch size. Up to nslots requests are in
 * flight or waiting to be retried; each slot keeps its records until all are
 * resolved, and slots retire in the order they were cut. */
static void *run(void *arg)
{
    struct deliver *d = arg;
    int closed = 0;

    if (d->type->start)
        d->type->start(d->state);
    for (;;) {
        uint64_t now, until = UINT64_MAX;

        if (giving_up(d))
            give_up(d);
        retire_slots(d);
        if (atomic_load(&d->cred_pending) && !d->ninflight)
            apply_creds(d);
        now = sl_clock_mono_ms();
        for (size_t k = 0; k < d->nused && !atomic_load(&d->cred_pending); k++) {
            struct slot *sl = slot_at(d, k);
            if (sl->state == SLOT_WAIT && sl->due_ms <= now)
                slot_launch(d, sl, (size_t)(sl - d->slots));
        }
        /* Fill and cut until the slots are full or the source has no more
         * for now; the fill blocks only while nothing else is under way. */
        for (int cuts = 1; cuts;) {
            while (!closed && room(d)) {
                int timeout = d->type->poll ? POLL_IDLE_MS : -1;
                if (d->nused) {
                    timeout = 0;
                } else if (d->nrecs > d->cut) {
                    uint64_t due = uncut_arrived(d) + d->lim.max_wait_ms;
                    now = sl_clock_mono_ms();
                    if (now >= due)
                        break;
                    timeout = (int)(due - now);
                }
                if (!take(d, timeout, &closed))
                    break;
            }
            now = sl_clock_mono_ms();
            cuts = 0;
            while (d->nrecs > d->cut && d->nused < d->nslots && may_send(d) &&
                   (closed || d->gave_up || d->nrecs - d->cut >= d->lim.max_docs ||
                    d->ubytes >= d->lim.max_bytes ||
                    now >= uncut_arrived(d) + d->lim.max_wait_ms)) {
                cut_slot(d);
                cuts++;
            }
        }
        if (!d->nused && d->nrecs == d->cut) {
            if (closed)
                break;
            if (d->type->poll) {
                struct sink_answer a;
                d->type->poll(d->state, 0, &a);     /* nothing in flight: nothing to report */
            }
            continue;
        }
        if (d->nused && slot_at(d, 0)->state == SLOT_DONE)
            continue;
        /* Wait for the first of: a request's answer, a retry's time, the
         * uncut records' max_wait, a batch from the source. */
        for (size_t k = 0; k < d->nused; k++) {
            struct slot *sl = slot_at(d, k);
            if (sl->state == SLOT_WAIT && sl->due_ms < until)
                until = sl->due_ms;
        }
        if (d->nrecs > d->cut && d->nused < d->nslots && may_send(d) &&
            uncut_arrived(d) + d->lim.max_wait_ms < until)
            until = uncut_arrived(d) + d->lim.max_wait_ms;
        now = sl_clock_mono_ms();
        uint64_t wait = until > now ? until - now : 0;
        if (!d->nused)
            continue;               /* only uncut records: the fill waits for them */
        if (d->ninflight) {
            uint64_t cap = !closed && room(d) ? POLL_SOURCE_MS : POLL_CAP_MS;
            poll_sink(d, (int)(wait < cap ? wait : cap));
        } else if (!closed && room(d)) {
            take(d, (int)(wait < POLL_CAP_MS ? wait : POLL_CAP_MS), &closed);
        } else if (wait) {
            nap(d, (uint32_t)(wait < 60000 ? wait : 60000));
        }
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
    /* A sink without submit takes one request at a time. */
    d->nslots = type->submit && type->poll && d->lim.concurrency > 1 ? d->lim.concurrency : 1;
    if (d->nslots > SL_SINK_CONCURRENCY_LIMIT)
        d->nslots = SL_SINK_CONCURRENCY_LIMIT;
    d->slots = sl_calloc(d->nslots, sizeof *d->slots);
    for (size_t k = 0; k < d->nslots; k++)
        sl_backoff_init(&d->slots[k].bo,
                        d->lim.retry_initial_ms ? (uint32_t)d->lim.retry_initial_ms : 100,
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

int deliver_reauth(struct deliver *d, const struct sink_cred *c)
{
    if (!d->type->reauth)
        return SL_EINVAL;
    pthread_mutex_lock(&d->mu);
    wipe_creds(d);
    d->cred_user = c->username ? sl_strdup(c->username) : NULL;
    d->cred_pass = c->password ? sl_strdup(c->password) : NULL;
    d->cred_key = c->api_key ? sl_strdup(c->api_key) : NULL;
    atomic_store(&d->cred_pending, 1);
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->mu);
    return 0;
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
    wipe_creds(d);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->wake);
    /* Unresolved batches are freed, not handed back: a spool re-sends them. */
    for (size_t k = 0; k < d->nheld; k++)
        sl_recbatch_free(d->held[k]);
    sl_idxname_free(d->idx);
    sl_free(d->held);
    sl_free(d->arrived_ms);
    sl_free(d->recs);
    for (size_t k = 0; d->slots && k < d->nslots; k++) {
        sl_free(d->slots[k].pend);
        sl_free(d->slots[k].out);
    }
    sl_free(d->slots);
    sl_free(d->name);
    sl_free(d);
}
