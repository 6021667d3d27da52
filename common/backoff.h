/* common/backoff.h: exponential backoff with jitter and a cap. Half of each
 * delay is fixed and half random ("equal jitter"), so retries from many
 * senders spread out but never come back sooner than half the step. */
#ifndef SL_BACKOFF_H
#define SL_BACKOFF_H
#include <stdint.h>

struct sl_backoff {
    uint32_t base_ms;
    uint32_t max_ms;
    uint32_t attempt;
    uint64_t rng;
};

void     sl_backoff_init(struct sl_backoff *b, uint32_t base_ms, uint32_t max_ms);
uint32_t sl_backoff_next(struct sl_backoff *b);   /* delay for this attempt, then step */
void     sl_backoff_reset(struct sl_backoff *b);

#endif
