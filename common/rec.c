#include <string.h>

#include "common/mem.h"
#include "common/rec.h"

#define HDR (4u + 2u + SL_ID_LEN)

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
}

size_t sl_recbatch_begin(struct sl_recbatch *b, const char id[SL_ID_LEN],
                         const char *index, size_t index_len)
{
    size_t mark = b->data.len;
    uint32_t zero = 0;
    uint16_t il;

    if (index_len > SL_INDEX_NAME_LIMIT)
        index_len = SL_INDEX_NAME_LIMIT;
    il = (uint16_t)index_len;
    if (sl_buf_reserve(&b->data, HDR + index_len))
        return (size_t)-1;
    sl_buf_append(&b->data, &zero, 4);
    sl_buf_append(&b->data, &il, 2);
    sl_buf_append(&b->data, id, SL_ID_LEN);
    sl_buf_append(&b->data, index, index_len);
    return mark;
}

void sl_recbatch_commit(struct sl_recbatch *b, size_t mark)
{
    uint16_t il;
    uint32_t dl;

    memcpy(&il, b->data.data + mark + 4, 2);
    dl = (uint32_t)(b->data.len - mark - HDR - il);
    memcpy(b->data.data + mark, &dl, 4);
    b->count++;
}

void sl_recbatch_abort(struct sl_recbatch *b, size_t mark)
{
    b->data.len = mark;
    b->data.data[mark] = '\0';
}

int sl_recbatch_next(const struct sl_recbatch *b, size_t *off, struct sl_rec *r)
{
    const char *p;
    uint32_t dl;
    uint16_t il;

    if (*off + HDR > b->data.len)
        return 0;
    p = b->data.data + *off;
    memcpy(&dl, p, 4);
    memcpy(&il, p + 4, 2);
    r->id = p + 6;
    r->index = p + HDR;
    r->index_len = il;
    r->doc = p + HDR + il;
    r->doc_len = dl;
    *off += HDR + il + dl;
    return 1;
}
