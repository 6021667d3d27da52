/* common/rec.h: the record view shared by the pipeline, buffer/, sinks/ and
 * delivery: {id, index, doc}. Sinks see only this, never the event or the spool.
 *
 * Design: a batch packs records back to back in one buffer, so the pipeline
 * writes a document straight into it (no copy) and a whole batch crosses the
 * thread boundary with one queue operation. Layout of one record:
 *   u32 doc_len | u16 index_len | id[SL_ID_LEN] | index | doc
 * (host byte order: a batch never leaves the process; the spool has its own
 * on-disk format). */
#ifndef SL_REC_H
#define SL_REC_H
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/queue.h"

struct sl_rec {
    const char *id;         /* SL_ID_LEN bytes, not NUL-terminated in a batch */
    const char *index;
    size_t      index_len;
    const char *doc;        /* one JSON object, no newline */
    size_t      doc_len;
};

struct sl_recbatch {
    struct sl_qnode node;   /* first: the batch travels through sl_queue */
    struct sl_buf   data;
    size_t          count;
};

struct sl_recbatch *sl_recbatch_new(size_t initial, size_t max);
void   sl_recbatch_free(struct sl_recbatch *b);
void   sl_recbatch_reset(struct sl_recbatch *b);
/* Starts a record: writes its header and id and index; the caller then appends
 * the document to b->data and calls commit (or abort). Returns the mark, or
 * (size_t)-1 when the batch has no room. */
size_t sl_recbatch_begin(struct sl_recbatch *b, const char id[SL_ID_LEN],
                         const char *index, size_t index_len);
void   sl_recbatch_commit(struct sl_recbatch *b, size_t mark);
void   sl_recbatch_abort(struct sl_recbatch *b, size_t mark);
/* Iterates: *off starts at 0; returns 1 with *r filled, 0 at the end. The
 * view borrows the batch's memory. */
int    sl_recbatch_next(const struct sl_recbatch *b, size_t *off, struct sl_rec *r);

#endif
