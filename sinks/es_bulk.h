/* sinks/es_bulk.h: what goes out in a _bulk request: the NDJSON body, the
 * address, and the optional gzip of the body. Pure: no I/O. */
#ifndef SINKS_ES_BULK_H
#define SINKS_ES_BULK_H
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/rec.h"

/* The action of every line; the order matches the `op_type` row's names. */
enum es_op {
    ES_OP_CREATE = 0,   /* fails with 409 when the _id exists: a replay is harmless */
    ES_OP_INDEX,        /* adds or replaces */
};

/* Keeps one entry per item (status is always there), so items still match
 * the request by position, and drops _shards, _seq_no, _version;
 * failure_store says an item went to the failure store (Elasticsearch 9.1+). */
#define ES_BULK_FILTER \
    "errors,items.*._id,items.*.status,items.*.error.type,items.*.error.reason," \
    "items.*.failure_store"

/* Appends the body for n records: per record an action line naming the
 * record's index and id, then its document; every line ends with "\n".
 * SL_ETOOBIG when it would pass body's ceiling; body is then as it was. */
int  es_bulk_body(struct sl_buf *body, const struct sl_rec *recs, size_t n, enum es_op op);

/* Writes "<base>/_bulk?filter_path=..." into out (reset first); a trailing
 * "/" on base is dropped. 0 or SL_ETOOBIG. */
int  es_bulk_url(struct sl_buf *out, const char *base);

/* gzip (RFC 1952) of a body, for Content-Encoding: gzip. The compressor
 * keeps its state between bodies (one allocation for the sink's life). */
struct es_bulk_gz;
struct es_bulk_gz *es_bulk_gz_new(int level);
/* out is reset, then holds the gzip of in[0..n). SL_ETOOBIG past out's
 * ceiling, SL_EINVAL when zlib fails. */
int  es_bulk_gzip(struct es_bulk_gz *gz, const char *in, size_t n, struct sl_buf *out);
void es_bulk_gz_free(struct es_bulk_gz *gz);

#endif
