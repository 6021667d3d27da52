/* common/queue.h: a bounded queue between threads, bounded by bytes.
 * It never grows past its ceiling: a push either waits or is refused. The
 * bytes of a popped item stay counted until the consumer releases them, so the
 * ceiling covers what is queued and what is being worked on.
 *
 * Threads: any number of producers and consumers; one mutex guards the list
 * and the counters. The on-space callback runs in the releasing thread, outside
 * the lock, when the queue goes from refusing pushes to half empty. */
#ifndef SL_QUEUE_H
#define SL_QUEUE_H
#include <stddef.h>
#include <stdint.h>

/* Items embed this node (intrusive list: no allocation per push). */
struct sl_qnode {
    struct sl_qnode *next;
    size_t bytes;
};

struct sl_queue;

int  sl_queue_new(struct sl_queue **out, uint64_t max_bytes);
void sl_queue_free(struct sl_queue *q);     /* NULL-safe; items still queued are not freed */
/* block=1 waits while full (until closed: then SL_ESTOP); block=0 returns
 * SL_EFULL. An item larger than the ceiling is taken when the queue is empty,
 * so progress never stops. Takes ownership of n on success. */
int  sl_queue_push(struct sl_queue *q, struct sl_qnode *n, size_t bytes, int block);
/* Waits up to timeout_ms (-1: forever). 0 and *out set; SL_ETIMEOUT; or
 * SL_ESTOP once closed and empty. */
int  sl_queue_pop(struct sl_queue *q, struct sl_qnode **out, int timeout_ms);
/* The consumer is done with `bytes` of popped items. */
void sl_queue_release(struct sl_queue *q, size_t bytes);
/* No more pushes; pops drain what is left, then return SL_ESTOP. */
void sl_queue_close(struct sl_queue *q);
int  sl_queue_is_full(struct sl_queue *q);
uint64_t sl_queue_bytes(struct sl_queue *q);
void sl_queue_on_space(struct sl_queue *q, void (*fn)(void *arg), void *arg);
/* How often the queue's mutex was taken, and how often it was already held
 * (the taker had to wait): lock contention, measured. */
void sl_queue_lock_stats(struct sl_queue *q, uint64_t *acquired, uint64_t *contended);

#endif
