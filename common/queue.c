#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/queue.h"

struct sl_queue {
    pthread_mutex_t mu;
    pthread_cond_t  not_empty;
    pthread_cond_t  not_full;
    struct sl_qnode *head, *tail;
    uint64_t bytes;         /* queued + popped but not released */
    uint64_t max;
    int closed;
    int was_full;           /* a push was refused or waited since the last on-space call */
    void (*on_space)(void *);
    void *on_space_arg;
    /* Lock contention, measured: acquisitions, and those that found the
     * mutex held and had to wait. Written under the mutex. */
    uint64_t lock_acquired, lock_contended;
};

static void qlock(struct sl_queue *q)
{
    if (pthread_mutex_trylock(&q->mu) != 0) {
        pthread_mutex_lock(&q->mu);
        q->lock_contended++;
    }
    q->lock_acquired++;
}

int sl_queue_new(struct sl_queue **out, uint64_t max_bytes)
{
    struct sl_queue *q = sl_calloc(1, sizeof *q);
    pthread_condattr_t ca;

    pthread_mutex_init(&q->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->not_empty, &ca);
    pthread_cond_init(&q->not_full, &ca);
    pthread_condattr_destroy(&ca);
    q->max = max_bytes;
    *out = q;
    return 0;
}

void sl_queue_free(struct sl_queue *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    sl_free(q);
}

static int fits(const struct sl_queue *q, size_t bytes)
{
    return q->bytes == 0 || q->bytes + bytes <= q->max;
}

int sl_queue_push(struct sl_queue *q, struct sl_qnode *n, size_t bytes, int block)
{
    qlock(q);
    while (!q->closed && !fits(q, bytes)) {
        q->was_full = 1;
        if (!block) {
            pthread_mutex_unlock(&q->mu);
            return SL_EFULL;
        }
        pthread_cond_wait(&q->not_full, &q->mu);
    }
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        return SL_ESTOP;
    }
    n->next = NULL;
    n->bytes = bytes;
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    q->bytes += bytes;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

int sl_queue_pop(struct sl_queue *q, struct sl_qnode **out, int timeout_ms)
{
    struct timespec dl;
    int rc = 0;

    if (timeout_ms >= 0) {
        clock_gettime(CLOCK_MONOTONIC, &dl);
        dl.tv_sec += timeout_ms / 1000;
        dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
    }
    qlock(q);
    while (!q->head && !q->closed && rc != ETIMEDOUT) {
        if (timeout_ms < 0)
            pthread_cond_wait(&q->not_empty, &q->mu);
        else
            rc = pthread_cond_timedwait(&q->not_empty, &q->mu, &dl);
    }
    if (!q->head) {
        pthread_mutex_unlock(&q->mu);
        return q->closed ? SL_ESTOP : SL_ETIMEOUT;
    }
    *out = q->head;
    q->head = q->head->next;
    if (!q->head)
        q->tail = NULL;
    pthread_mutex_unlock(&q->mu);
    (*out)->next = NULL;
    return 0;
}

void sl_queue_release(struct sl_queue *q, size_t bytes)
{
    void (*fn)(void *) = NULL;
    void *arg = NULL;

    qlock(q);
    q->bytes = bytes > q->bytes ? 0 : q->bytes - bytes;
    pthread_cond_broadcast(&q->not_full);
    if (q->was_full && q->bytes <= q->max / 2) {
        q->was_full = 0;
        fn = q->on_space;
        arg = q->on_space_arg;
    }
    pthread_mutex_unlock(&q->mu);
    if (fn)
        fn(arg);
}

void sl_queue_close(struct sl_queue *q)
{
    qlock(q);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

int sl_queue_is_full(struct sl_queue *q)
{
    int full;

    qlock(q);
    full = q->bytes >= q->max;
    pthread_mutex_unlock(&q->mu);
    return full;
}

uint64_t sl_queue_bytes(struct sl_queue *q)
{
    uint64_t b;

    qlock(q);
    b = q->bytes;
    pthread_mutex_unlock(&q->mu);
    return b;
}

void sl_queue_on_space(struct sl_queue *q, void (*fn)(void *arg), void *arg)
{
    qlock(q);
    q->on_space = fn;
    q->on_space_arg = arg;
    pthread_mutex_unlock(&q->mu);
}

void sl_queue_lock_stats(struct sl_queue *q, uint64_t *acquired, uint64_t *contended)
{
    qlock(q);
    *acquired = q->lock_acquired;
    *contended = q->lock_contended;
    pthread_mutex_unlock(&q->mu);
}
