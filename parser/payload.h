/* parser/payload.h: a message that is data, made into fields.
 *
 * A message that is a JSON object (plain, or after rsyslog's `@cee:`
 * cookie) or a run of logfmt key=value pairs becomes typed fields under a
 * prefix (`json.*`, `logfmt.*` by default), through the same fld_emit_fn
 * every grammar uses, so they land in the document by the same rules
 * (parser/README.md, "Structured payloads"). The message itself is kept.
 * Values are views into the message where they can be (numbers, strings
 * without escapes); the scratch holds unescaped text during the call only. */
#ifndef PARSER_PAYLOAD_H
#define PARSER_PAYLOAD_H
#include <stddef.h>

#include "common/err.h"
#include "parser/fields.h"

/* Tags, emitted as string fields named `tags` (evt_field_emit adds them). */
#define PAYLOAD_TAG_BAD_JSON   "_sluice_bad_json"       /* `{`... that is not JSON */
#define PAYLOAD_TAG_ARRAY      "_sluice_json_array"     /* a JSON array: kept as text */
#define PAYLOAD_TAG_LIMIT      "_sluice_payload_limit"  /* past max_depth / max_fields */

#define PAYLOAD_NEST_MAX 64u    /* JSON nested deeper than this is not read (bad JSON) */

struct payload_opts {
    int json, logfmt;                       /* which forms are read */
    struct fld_name json_prefix;            /* depth 0: at the top level */
    struct fld_name logfmt_prefix;
    unsigned max_depth;                     /* keys under the prefix, 1..FLD_DEPTH_MAX */
    unsigned max_fields;                    /* fields per message */
};

/* Fills o; the prefixes are field names (`json`, `app.data`; ".", "" or
 * NULL: none, fields at the top level). SL_EINVAL naming the bad prefix, or when a
 * prefix's keys plus max_depth pass FLD_DEPTH_MAX (err->where left empty). */
int  payload_opts_init(struct payload_opts *o, int json, int logfmt, const char *json_prefix,
                       const char *logfmt_prefix, unsigned max_depth, unsigned max_fields,
                       struct sl_err *err);
void payload_opts_free(struct payload_opts *o);         /* NULL-safe */

enum payload_kind {
    PAYLOAD_NONE = 0,           /* text: nothing emitted */
    PAYLOAD_JSON,               /* a JSON object: its fields emitted */
    PAYLOAD_LOGFMT,             /* key=value pairs: emitted */
    PAYLOAD_BAD_JSON,           /* starts like JSON, is not: tagged only */
    PAYLOAD_ARRAY,              /* a JSON array: tagged only */
};

struct payload_scratch;                                  /* one per worker thread */
struct payload_scratch *payload_scratch_new(void);
void payload_scratch_free(struct payload_scratch *s);   /* NULL-safe */

/* Reads msg as o says and emits its fields (names transient) and tags.
 * All or nothing: a message that does not parse emits no field. */
enum payload_kind payload_parse(const struct payload_opts *o, struct payload_scratch *s,
                                const char *msg, size_t len, fld_emit_fn emit, void *arg);

#endif
