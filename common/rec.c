#include <string.h>

#include "common/hash.h"
#include "common/mem.h"
#include "common/rec.h"

/* Little-endian loads and stores: the layout is the on-disk format. */
static inline void put32(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (char)(v >> (8 * i));
}

static inline void put64(char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (char)(v >> (8 * i));
}

static inline uint32_t get32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

static inline uint64_t get64(const char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static inline uint16_t get16(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint16_t)(u[0] | u[1] << 8);
}

struct sl_recbatch *sl_recbatch_new(size_t initial, size_t max)
{
    struct sl_recbatch *b = sl_calloc(1, sizeof *b);

    sl_buf_init(&b->data, initial, max);
    return b;
}

void sl_recbatch_free(struct sl_recbatch *b)
{
    if (!b)
        return;
    sl_buf_free(&b->data);
    sl_free(b);
}

void sl_recbatch_reset(struct sl_recbatch *b)
{
    sl_buf_reset(&b->data);
    b->count = 0;
    b->pos_seg = b->pos_off = b->pos_seq = b->first_seq = 0;
}

size_t sl_recbatch_begin(struct sl_recbatch *b, const char id[SL_ID_LEN],
                         const char *index, size_t index_len, int64_t time_ms)
{
    size_t mark = b->data.len;
    char *h;

    if (index_len > SL_INDEX_NAME_LIMIT)
        index_len = SL_INDEX_NAME_LIMIT;
    if (sl_buf_reserve(&b->data, SL_REC_HDR + index_len))
        return (size_t)-1;
    h = b->data.data + mark;
    put32(h, SL_REC_MAGIC);
    put32(h + 4, 0);
    put32(h + 8, 0);
    put64(h + 12, 0);
    put64(h + 20, (uint64_t)time_ms);
    h[28] = (char)(index_len & 0xff);
    h[29] = (char)(index_len >> 8);
    h[30] = h[31] = 0;
    memcpy(h + 32, id, SL_ID_LEN);
    memcpy(h + SL_REC_HDR, index, index_len);
    b->data.len += SL_REC_HDR + index_len;
    b->data.data[b->data.len] = '\0';
    return mark;
}

void sl_recbatch_commit(struct sl_recbatch *b, size_t mark)
{
    put32(b->data.data + mark + 4, (uint32_t)(b->data.len - mark));
    b->count++;
}

void sl_recbatch_abort(struct sl_recbatch *b, size_t mark)
{
    b->data.len = mark;
    b->data.data[mark] = '\0';
}

static void view(const char *p, uint32_t len, struct sl_rec *r)
{
    uint16_t il = get16(p + 28);

    r->seq = get64(p + 12);
    r->time_ms = (int64_t)get64(p + 20);
    r->id = p + 32;
    r->index = p + SL_REC_HDR;
    r->index_len = il;
    r->doc = p + SL_REC_HDR + il;
    r->doc_len = len - SL_REC_HDR - il;
}

int sl_recbatch_next(const struct sl_recbatch *b, size_t *off, struct sl_rec *r)
{
    const char *p;
    uint32_t len;

    if (*off + SL_REC_HDR > b->data.len)
        return 0;
    p = b->data.data + *off;
    len = get32(p + 4);
    view(p, len, r);
    *off += len;
    return 1;
}

static uint32_t check_of(const char *p, uint32_t len)
{
    return (uint32_t)sl_hash64(p + 12, len - 12, len);
}

void sl_recbatch_stamp(struct sl_recbatch *b, uint64_t first_seq)
{
    size_t off = 0;

    b->first_seq = first_seq;
    while (off + SL_REC_HDR <= b->data.len) {
        char *p = b->data.data + off;
        uint32_t len = get32(p + 4);
        put64(p + 12, first_seq++);
        put32(p + 8, check_of(p, len));
        off += len;
    }
}

enum sl_rec_status sl_rec_parse(const char *p, size_t avail, struct sl_rec *r, size_t *len)
{
    uint32_t n;

    if (avail < 8)
        return avail && memcmp(p, "SLR1", avail < 4 ? avail : 4) ? SL_REC_BAD : SL_REC_SHORT;
    if (get32(p) != SL_REC_MAGIC)
        return SL_REC_BAD;
    n = get32(p + 4);
    if (n < SL_REC_HDR || n > SL_REC_MAX)
        return SL_REC_BAD;
    if (avail < SL_REC_HDR)
        return SL_REC_SHORT;
    if ((size_t)get16(p + 28) > n - SL_REC_HDR || get16(p + 28) > SL_INDEX_NAME_LIMIT)
        return SL_REC_BAD;
    if (avail < n)
        return SL_REC_SHORT;
    if (get32(p + 8) != check_of(p, n))
        return SL_REC_BAD;
    view(p, n, r);
    *len = n;
    return SL_REC_OK;
}

size_t sl_rec_resync(const char *p, size_t avail, size_t from)
{
    struct sl_rec r;
    size_t len;

    for (size_t i = from; i < avail; i++) {
        const char *q = memchr(p + i, 'S', avail - i);
        if (!q)
            break;
        i = (size_t)(q - p);
        if (sl_rec_parse(q, avail - i, &r, &len) != SL_REC_BAD)
            return i;
    }
    return avail;
}
