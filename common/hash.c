#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <xxhash.h>

#include "common/err.h"
#include "common/hash.h"

uint64_t sl_hash64(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}

int sl_idgen_init(struct sl_idgen *g)
{
    uint8_t rnd[4];
    size_t got = 0;
    struct timespec ts;
    uint64_t ms;

    memset(g, 0, sizeof *g);
    while (got < sizeof rnd) {
        ssize_t r = getrandom(rnd + got, sizeof rnd - got, 0);
        if (r <= 0)
            return SL_EIO;
        got += (size_t)r;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    for (int i = 0; i < 6; i++)
        g->prefix[i] = (uint8_t)(ms >> (40 - 8 * i));
    memcpy(g->prefix + 6, rnd, 4);
    return 0;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void sl_idgen_next(struct sl_idgen *g, char out[SL_ID_LEN + 1])
{
    uint8_t b[18];
    uint64_t seq = g->seq++ & 0xffffffffffffull;

    memcpy(b, g->prefix, 10);
    for (int i = 0; i < 6; i++)
        b[10 + i] = (uint8_t)(seq >> (40 - 8 * i));
    b[16] = b[17] = 0;
    /* 6 groups of 3 bytes -> 24 characters; the last 2 carry only padding. */
    for (int i = 0, o = 0; i < 18 && o < (int)SL_ID_LEN; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        if (o < (int)SL_ID_LEN)
            out[o++] = b64url[v >> 6 & 63];
        if (o < (int)SL_ID_LEN)
            out[o++] = b64url[v & 63];
    }
    out[SL_ID_LEN] = '\0';
}
