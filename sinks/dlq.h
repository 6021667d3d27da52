/* sinks/dlq.h: the dead-letter file. A record the cluster will never take
 * as it is (a mapping conflict, a bad value, a document over the request
 * limit) is appended here as one NDJSON line with everything needed to fix
 * and resend it: when, which sink, the index, the ID, the status, the
 * error's type and reason, and the document itself:
 *   {"@timestamp":"...","sink":"es1","index":"logs-x","_id":"...","status":400,
 *    "error":{"type":"mapper_parsing_exception","reason":"..."},"document":{...}}
 * Replaying it is one `jq -c .document` away; the ID keeps a resend free of
 * duplicates.
 *
 * Threads: one instance per sink, used by its delivery thread only. */
#ifndef SINKS_DLQ_H
#define SINKS_DLQ_H
#include <stddef.h>

#include "common/err.h"
#include "common/rec.h"

struct dlq;

/* Opens path for appending (created 0640 when missing). */
int  dlq_open(struct dlq **out, const char *path, const char *sink, struct sl_err *err);
void dlq_close(struct dlq *d);                  /* NULL-safe */
/* Appends one line (one write(2)). 0, or SL_EIO when the line could not be
 * written whole: the caller keeps the record (it must not be dropped). */
int  dlq_put(struct dlq *d, const struct sl_rec *r, int status, const char *type,
             size_t type_len, const char *reason, size_t reason_len, struct sl_err *err);
/* fdatasync: called once per request that dead-lettered something, before
 * its records are confirmed to the buffer. */
int  dlq_sync(struct dlq *d, struct sl_err *err);
const char *dlq_path(const struct dlq *d);

#endif
