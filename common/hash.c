#include <string.h>
#include <sys/random.h>
#include <xxhash.h>

#include "common/err.h"
#include "common/hash.h"

uint64_t sl_hash64(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}

int sl_idgen_init(struct sl_idgen *g)
{
    size_t got = 0;

    memset(g, 0, sizeof *g);
    while (got < sizeof g->salt) {
        ssize_t r = getrandom(g->salt + got, sizeof g->salt - got, 0);
        if (r <= 0)
            return SL_EIO;
        got += (size_t)r;
    }
    return 0;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void sl_idgen_next(struct sl_idgen *g, char out[SL_ID_LEN + 1])
{
    uint8_t in[24];
    XXH128_hash_t h;
    uint64_t w[2];
    int bit = 0;

    memcpy(in, g->salt, 16);
    memcpy(in + 16, &g->seq, 8);
    g->seq++;
    h = XXH3_128bits(in, sizeof in);
    w[0] = h.high64;
    w[1] = h.low64;
    /* 22 digits of 6 bits = 132 bits; the last 4 are zero. */
    for (unsigned i = 0; i < SL_ID_LEN; i++, bit += 6) {
        unsigned v;
        int word = bit / 64, off = bit % 64;
        if (off <= 58) {
            v = (unsigned)(w[word] >> (58 - off)) & 63u;
        } else {
            unsigned hi = (unsigned)(w[word] << (off - 58)) & 63u;
            unsigned lo = word + 1 < 2 ? (unsigned)(w[word + 1] >> (122 - off)) : 0;
            v = (hi | lo) & 63u;
        }
        out[i] = b64url[v];
    }
    out[SL_ID_LEN] = '\0';
}
