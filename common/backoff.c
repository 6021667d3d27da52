#include <stdint.h>
#include <time.h>

#include "common/backoff.h"

void sl_backoff_init(struct sl_backoff *b, uint32_t base_ms, uint32_t max_ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    b->base_ms = base_ms ? base_ms : 1;
    b->max_ms = max_ms < b->base_ms ? b->base_ms : max_ms;
    b->attempt = 0;
    b->rng = ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)b;
    if (!b->rng)
        b->rng = 0x9e3779b97f4a7c15ull;
}

void sl_backoff_reset(struct sl_backoff *b)
{
    b->attempt = 0;
}

uint32_t sl_backoff_next(struct sl_backoff *b)
{
    uint64_t d = b->base_ms;

    for (uint32_t i = 0; i < b->attempt && d < b->max_ms; i++)
        d *= 2;
    if (d > b->max_ms)
        d = b->max_ms;
    if (b->attempt < 64)
        b->attempt++;
    /* xorshift64: no shared state, no lock, good enough for jitter. */
    b->rng ^= b->rng << 13;
    b->rng ^= b->rng >> 7;
    b->rng ^= b->rng << 17;
    return (uint32_t)(d / 2 + (d / 2 ? b->rng % (d / 2 + 1) : 0));
}
