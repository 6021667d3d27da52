/* common/hash.h: xxHash (XXH3) wrappers: event IDs and table hashing. */
#ifndef SL_HASH_H
#define SL_HASH_H
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"

uint64_t sl_hash64(const void *p, size_t n, uint64_t seed);

/* An event ID generator. IDs are 128-bit XXH3 hashes of (instance salt,
 * sequence number) written as SL_ID_LEN base64url characters: unique without
 * coordination, fixed once assigned, and safe in a URL or a bulk action line.
 * Not thread-safe: one generator per producing thread (each with its own salt). */
struct sl_idgen {
    uint8_t  salt[16];
    uint64_t seq;
};
/* Seeds the salt from the kernel's random source; returns 0 or SL_EIO. */
int  sl_idgen_init(struct sl_idgen *g);
/* Writes SL_ID_LEN characters and a NUL to out. */
void sl_idgen_next(struct sl_idgen *g, char out[SL_ID_LEN + 1]);

#endif
