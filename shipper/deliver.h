/* shipper/deliver.h: one delivery thread per sink: source → sink → verdicts. */
#ifndef SHIPPER_DELIVER_H
#define SHIPPER_DELIVER_H
#include <stdatomic.h>
#include <stdint.h>

#include "common/err.h"
#include "common/queue.h"
#include "common/rec.h"
#include "buffer/spool.h"
#include "sinks/sink.h"

struct deliver;

/* Where a deliverer takes its batches: the in-memory queue, or a spool
 * reader. next: 0 with *out, SL_ETIMEOUT, or SL_ESTOP (nothing more will
 * come). done: every record of b is resolved; called in the order the
 * batches came, so a spool can advance its cursor; frees b. cancel: wakes
 * and ends a blocked next (error paths, and a stop that gave up). abandon:
 * b holds records given up at the stop deadline, or follows such a batch;
 * frees b without confirming it (a spool's cursor stays before it, so the
 * next start sends it again); NULL: done is called instead (a queue, whose
 * records are lost either way and counted as unresolved). */
struct deliver_src {
    int  (*next)(void *ctx, struct sl_recbatch **out, int timeout_ms);
    void (*done)(void *ctx, struct sl_recbatch *b);
    void (*cancel)(void *ctx);
    void *ctx;
    void (*abandon)(void *ctx, struct sl_recbatch *b);
};
/* The source over an in-memory queue (its bytes released at done). */
struct deliver_src deliver_src_queue(struct sl_queue *q);
/* The source over a spool reader: batches of about SPOOL_READ_CHUNK bytes;
 * done advances the reader's cursor. */
struct deliver_src deliver_src_spool(struct spool_reader *r);

struct deliver_stats {
    _Atomic uint64_t confirmed;     /* DONE + DUPLICATE */
    _Atomic uint64_t rejected;      /* REJECT: will not be stored */
    _Atomic uint64_t retries;       /* send attempts that were retries */
    _Atomic uint64_t pending;       /* records taken from the queue, not yet resolved */
    _Atomic uint64_t failing;       /* requests failed as a whole in a row (transport,
                                       HTTP status, auth); 0 after an answered one */
};

/* Starts the thread. type/conf/name are borrowed and outlive the deliverer.
 * index_override (NULL: none) replaces the sink's index pattern (replay). */
int  deliver_start(struct deliver **out, const struct sink_type *type, const void *conf,
                   const char *name, const struct deliver_src *src,
                   const char *index_override, struct sl_err *err);
/* After the source is closed: waits until everything was resolved, or
 * until deadline_ms passed (then gives up on what is left). Returns the number
 * of records left unresolved (0: all delivered or rejected). Joins the thread. */
uint64_t deliver_stop(struct deliver *d, uint64_t deadline_ms);
/* New credentials for the sink (SIGHUP), copied here, any thread. The
 * delivery thread applies them before its next request, once none is in
 * flight, and at once resends what waited on refused credentials. 0, or
 * SL_EINVAL when the sink takes no credentials. */
int  deliver_reauth(struct deliver *d, const struct sink_cred *c);
const struct deliver_stats *deliver_stats(const struct deliver *d);
/* 1 once the thread has nothing left to do: its source ended (SL_ESTOP) and
 * every record it took was resolved or given up. deliver_stop then returns
 * at once. Any thread. */
int  deliver_finished(const struct deliver *d);
const struct sink_stats *deliver_sink_stats(const struct deliver *d);
const char *deliver_name(const struct deliver *d);
/* NULL-safe. A deliverer still running has its source cancelled first and
 * is stopped with no grace period. */
void deliver_free(struct deliver *d);

#endif
