/* sinks/es_resp.h: reading the answer to a _bulk request. Pure: response
 * text in, one verdict per item out. */
#ifndef SINKS_ES_RESP_H
#define SINKS_ES_RESP_H
#include <stddef.h>

#include "common/err.h"
#include "sinks/es_bulk.h"
#include "sinks/sink.h"

/* What one item said. The strings are borrowed from the response text, as
 * the JSON-escaped bytes between the quotes (safe to log: no control bytes);
 * NULL when absent. */
struct es_resp_item {
    int         status;         /* 0 when the item had no (integer) status */
    const char *id;
    size_t      id_len;
    const char *type;           /* error.type */
    size_t      type_len;
    const char *reason;         /* error.reason */
    size_t      reason_len;
    /* "failure_store":"used" (Elasticsearch 9.1+): the cluster refused the
     * document (mapping, pipeline) and kept it in the data stream's failure
     * store under an ID of its own, answering 201. */
    int         failure_stored;
};

struct es_resp_counts {
    size_t done;
    size_t duplicate;
    size_t retry;
    size_t reject;
    size_t no_status;           /* items without a status (counted in retry) */
    size_t failure_stored;      /* DONE items kept in the failure store (counted in done) */
    int    fast;                /* 1: "errors":false came first; items were only counted */
};

/* The verdict for one item's status; type is error.type (may be NULL). */
enum sink_verdict es_resp_verdict(int status, enum es_op op, const char *type, size_t type_len);

/* Reads the body of a 200 answer to a _bulk request of n records: out[i]
 * gets item i's verdict; items (may be NULL) gets its details, except on
 * the fast path ("errors":false first and no "failure_store" in the text),
 * where every item is {status 200, nothing else}. An item stored in the
 * failure store is DONE (the cluster keeps it; sending it again would store
 * it again) and counted in failure_stored.
 * Returns 0; or SL_EPROTO when the text is not a bulk answer with exactly n
 * items (damaged, truncated, another count): then every out[i] is
 * SINK_RETRY, counts say so, and err says what was wrong and where. */
int es_resp_parse(const char *text, size_t len, size_t n, enum es_op op,
                  enum sink_verdict *out, struct es_resp_item *items,
                  struct es_resp_counts *counts, struct sl_err *err);

#endif
