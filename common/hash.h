/* common/hash.h: xxHash (XXH3) wrappers: event IDs and table hashing. */
#ifndef SL_HASH_H
#define SL_HASH_H
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"

uint64_t sl_hash64(const void *p, size_t n, uint64_t seed);

/* An event ID generator. An ID is 128 bits written as SL_ID_LEN base64url
 * characters: 48 bits of the generator's start time (ms), 32 random bits,
 * then a 48-bit sequence number, big-endian. Unique without coordination
 * (two generators would need the same millisecond and the same 32 random
 * bits), fixed once assigned, and safe in a URL or a bulk action line.
 * Sequential on purpose: IDs that share a long prefix and grow in order are
 * what Lucene looks up fastest under op_type create (random IDs, like
 * UUIDv4, are the slow case), and they cost a few instructions, not a hash.
 * Not thread-safe: one generator per producing thread. */
struct sl_idgen {
    uint8_t  prefix[10];
    uint64_t seq;
};
/* Takes the start time and 32 bits from the kernel's random source; 0 or SL_EIO. */
int  sl_idgen_init(struct sl_idgen *g);
/* Writes SL_ID_LEN characters and a NUL to out. */
void sl_idgen_next(struct sl_idgen *g, char out[SL_ID_LEN + 1]);

#endif
