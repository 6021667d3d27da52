/* sinks/es_bulk.c: the _bulk request body.
 *
 * Design: the body is NDJSON, two lines per record:
 *   {"create":{"_index":"<index>","_id":"<id>"}}\n<doc>\n
 * The index is JSON-escaped (it comes from event fields through a pattern);
 * the id is the record's SL_ID_LEN base64url characters, escaped anyway so a
 * damaged record cannot break the line. A document is one compact JSON
 * object with no raw newline (the contract of struct sl_rec), so it is
 * copied as is. The last line ends with "\n", which Elasticsearch requires. */
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/json.h"
#include "common/mem.h"
#include "sinks/es_bulk.h"

static const char *const op_open[] = {
    [ES_OP_CREATE] = "{\"create\":{\"_index\":\"",
    [ES_OP_INDEX]  = "{\"index\":{\"_index\":\"",
};

static int put_record(struct sl_buf *b, const struct sl_rec *r, const char *open)
{
    if (sl_buf_puts(b, open) ||
        sl_json_esc(b, r->index, r->index_len) ||
        sl_buf_append(b, "\",\"_id\":\"", 9) ||
        sl_json_esc(b, r->id, SL_ID_LEN) ||
        sl_buf_append(b, "\"}}\n", 4) ||
        sl_buf_append(b, r->doc, r->doc_len) ||
        sl_buf_putc(b, '\n'))
        return SL_ETOOBIG;
    return 0;
}

int es_bulk_body(struct sl_buf *body, const struct sl_rec *recs, size_t n, enum es_op op)
{
    size_t mark = body->len;
    const char *open = op_open[op == ES_OP_INDEX ? ES_OP_INDEX : ES_OP_CREATE];

    for (size_t i = 0; i < n; i++) {
        if (put_record(body, &recs[i], open)) {
            body->len = mark;
            if (body->data)
                body->data[mark] = '\0';
            return SL_ETOOBIG;
        }
    }
    return 0;
}

int es_bulk_url(struct sl_buf *out, const char *base)
{
    size_t n = strlen(base);

    while (n > 0 && base[n - 1] == '/')
        n--;
    sl_buf_reset(out);
    if (sl_buf_append(out, base, n) ||
        sl_buf_puts(out, "/_bulk?filter_path=" ES_BULK_FILTER))
        return SL_ETOOBIG;
    return 0;
}

struct es_bulk_gz {
    z_stream z;
};

struct es_bulk_gz *es_bulk_gz_new(int level)
{
    struct es_bulk_gz *gz = sl_calloc(1, sizeof *gz);

    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's. */
    if (deflateInit2(&gz->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        sl_free(gz);
        return NULL;
    }
    return gz;
}

int es_bulk_gzip(struct es_bulk_gz *gz, const char *in, size_t n, struct sl_buf *out)
{
    uLong bound;
    int zrc;

    sl_buf_reset(out);
    if (deflateReset(&gz->z) != Z_OK)
        return SL_EINVAL;
    /* One deflate call over the whole body: zlib's bound guarantees it fits,
     * and a body is at most SL_BULK_BYTES_LIMIT, far below uInt's range. */
    if (n > SL_BULK_BYTES_LIMIT)
        return SL_ETOOBIG;
    bound = deflateBound(&gz->z, (uLong)n);
    if (sl_buf_reserve(out, bound))
        return SL_ETOOBIG;
    gz->z.next_in = (Bytef *)(uintptr_t)in;
    gz->z.avail_in = (uInt)n;
    gz->z.next_out = (Bytef *)out->data;
    gz->z.avail_out = (uInt)bound;
    zrc = deflate(&gz->z, Z_FINISH);
    if (zrc != Z_STREAM_END)
        return SL_EINVAL;
    out->len = bound - gz->z.avail_out;
    out->data[out->len] = '\0';
    return 0;
}

void es_bulk_gz_free(struct es_bulk_gz *gz)
{
    if (!gz)
        return;
    deflateEnd(&gz->z);
    sl_free(gz);
}
