/* shipper/deliver.h: one delivery thread per sink: queue → sink → verdicts. */
#ifndef SHIPPER_DELIVER_H
#define SHIPPER_DELIVER_H
#include <stdatomic.h>
#include <stdint.h>

#include "common/err.h"
#include "common/queue.h"
#include "sinks/sink.h"

struct deliver;

struct deliver_stats {
    _Atomic uint64_t confirmed;     /* DONE + DUPLICATE */
    _Atomic uint64_t rejected;      /* REJECT: will not be stored */
    _Atomic uint64_t retries;       /* send attempts that were retries */
    _Atomic uint64_t pending;       /* records taken from the queue, not yet resolved */
};

/* Starts the thread. type/conf/name are borrowed and outlive the deliverer. */
int  deliver_start(struct deliver **out, const struct sink_type *type, const void *conf,
                   const char *name, struct sl_queue *q, struct sl_err *err);
/* After the queue is closed: waits until everything queued was resolved, or
 * until deadline_ms passed (then gives up on what is left). Returns the number
 * of records left unresolved (0: all delivered or rejected). Joins the thread. */
uint64_t deliver_stop(struct deliver *d, uint64_t deadline_ms);
const struct deliver_stats *deliver_stats(const struct deliver *d);
const struct sink_stats *deliver_sink_stats(const struct deliver *d);
const char *deliver_name(const struct deliver *d);
/* NULL-safe. A deliverer still running has its queue closed first (nothing
 * reads it afterwards) and is stopped with no grace period. */
void deliver_free(struct deliver *d);

#endif
