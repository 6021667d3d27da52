/* sinks/ndjson.h: the NDJSON file sink: one document per line, appended. */
#ifndef SINKS_NDJSON_H
#define SINKS_NDJSON_H
#include <stdint.h>

#include "common/schema.h"
#include "sinks/sink.h"

struct ndjson_conf {
    char    *path;              /* "-": standard output */
    int      fsync;
    uint64_t max_docs;
    uint64_t max_bytes;
    uint64_t max_wait_ms;
};

extern const struct sl_cfg_row ndjson_rows[];
extern const struct sink_type sink_ndjson;      /* "ndjson" */

#endif
