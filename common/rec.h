/* common/rec.h: the record, shared by the pipeline, buffer/, sinks/ and
 * delivery: {id, index, time, doc}. Sinks see only the view, never the event
 * or the spool.
 *
 * Design: one layout in memory and on disk. A batch packs records back to
 * back in one buffer; the pipeline writes a document straight into it, a
 * whole batch crosses a thread boundary with one queue operation, the spool
 * appends it with one write() after stamping sequence numbers and checks, and
 * reads it back with one read() and no re-encoding. Layout of one record,
 * little-endian, SL_REC_HDR bytes of header:
 *    0 u32 magic "SLR1"   4 u32 len (whole record)   8 u32 check
 *   12 u64 seq           20 i64 time_ms (the event's time)
 *   28 u16 index_len     30 u16 flags (0)            32 id[SL_ID_LEN]
 *   54 index (empty: the sink's own index pattern applies)   then the doc
 * check = low 32 bits of XXH3-64 over bytes [12, len), seeded with len: a
 * wrong length, a torn write or a flipped bit all fail it. XXH3 rather than
 * CRC-32: it is several times faster and detects random corruption as well. */
#ifndef SL_REC_H
#define SL_REC_H
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/queue.h"

#define SL_REC_MAGIC    0x31524c53u     /* "SLR1" read as little-endian bytes */
#define SL_REC_HDR      (32u + SL_ID_LEN)
/* A record larger than this is corrupt by definition (largest document plus
 * header and index). */
#define SL_REC_MAX      (SL_DOC_MAX(SL_MAX_MSG_LIMIT) + SL_REC_HDR + SL_INDEX_NAME_LIMIT)

struct sl_rec {
    const char *id;         /* SL_ID_LEN bytes, not NUL-terminated */
    const char *index;
    size_t      index_len;
    const char *doc;        /* one JSON object, no newline */
    size_t      doc_len;
    int64_t     time_ms;    /* event time: date-pattern indices, replay --from/--to */
    uint64_t    seq;        /* 0 until the spool stamps it */
};

struct sl_recbatch {
    struct sl_qnode node;   /* first: the batch travels through sl_queue */
    struct sl_buf   data;
    size_t          count;
    /* Where the batch's source resumes after it (the spool's segment and
     * offset): what delivery acknowledges once every record is resolved. */
    uint64_t        pos_seg, pos_off;
    uint64_t        pos_seq;        /* sequence number of the record after it; 0: unknown */
    uint64_t        first_seq;      /* set by sl_recbatch_stamp */
};

struct sl_recbatch *sl_recbatch_new(size_t initial, size_t max);
void   sl_recbatch_free(struct sl_recbatch *b);
void   sl_recbatch_reset(struct sl_recbatch *b);
/* Starts a record: writes its header, id and index; the caller then appends
 * the document to b->data and calls commit (or abort). Returns the mark, or
 * (size_t)-1 when the batch has no room. */
size_t sl_recbatch_begin(struct sl_recbatch *b, const char id[SL_ID_LEN],
                         const char *index, size_t index_len, int64_t time_ms);
void   sl_recbatch_commit(struct sl_recbatch *b, size_t mark);
void   sl_recbatch_abort(struct sl_recbatch *b, size_t mark);
/* Iterates: *off starts at 0; returns 1 with *r filled, 0 at the end. The
 * view borrows the batch's memory. Does not verify checks (see sl_rec_parse). */
int    sl_recbatch_next(const struct sl_recbatch *b, size_t *off, struct sl_rec *r);
/* Gives the records sequence numbers first_seq, first_seq+1, ... and computes
 * their checks: the last step before the bytes go to disk. */
void   sl_recbatch_stamp(struct sl_recbatch *b, uint64_t first_seq);

enum sl_rec_status { SL_REC_OK, SL_REC_SHORT, SL_REC_BAD };
/* Reads the record at p[0..avail): OK with *r and *len filled; SHORT when
 * avail ends inside a record that looks valid so far (read more); BAD when the
 * bytes are not a valid record (wrong magic, impossible length, check fails). */
enum sl_rec_status sl_rec_parse(const char *p, size_t avail, struct sl_rec *r, size_t *len);
/* The offset of the first valid record in p[from..avail) (a resync after
 * corruption), or avail when none starts there. */
size_t sl_rec_resync(const char *p, size_t avail, size_t from);

#endif
