/* parser/fields.h: the typed fields a grammar produces.
 *
 * A grammar compiles its field names once (Logstash's `[source][ip]`,
 * dotted `source.ip`, or a plain `user`) into a struct fld_name: the
 * canonical dotted path and its keys. Matching a line then emits
 * (name, type, value) without looking at names again. Values are views into
 * the matched line (or into a grammar's own scratch buffer), valid only
 * during the emit call: a receiver copies what it keeps. Names live as long
 * as the grammar, unless marked transient.
 *
 * Dots always nest: `source.ip`, `[source][ip]` and `[source.ip]` are the
 * same field (Elasticsearch reads a dotted key as the same path, so nothing
 * is lost by deciding it here). `@metadata` and `@timestamp` are plain keys;
 * what a receiver does with them is its business. */
#ifndef PARSER_FIELDS_H
#define PARSER_FIELDS_H
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define FLD_DEPTH_MAX 8u            /* keys in one path: a.b.c.d.e.f.g.h */
#define FLD_NAME_MAX  1024u         /* bytes of a name as written */

enum fld_type {
    FLD_STRING = 0,                 /* a JSON string, escaped on output */
    FLD_INT,                        /* a JSON integer: -?(0|[1-9][0-9]*), fits int64 */
    FLD_FLOAT,                      /* a JSON number, finite */
    FLD_BOOL,                       /* "true" or "false" */
    FLD_JSON,                       /* a JSON value written as is (liblognorm's results) */
    FLD_TIME,                       /* a time as parser/datefmt.h writes it (canonical text):
                                     * a grammar's TIMESTAMP for @timestamp */
};

/* The fixed objects of a sluice document a path may land in (its first key). */
enum { FLD_TOP_OTHER = 0, FLD_TOP_HOST, FLD_TOP_LOG, FLD_TOP_PROCESS, FLD_TOP_SOURCE,
       FLD_TOP_NETWORK, FLD_TOP_EVENT, FLD_TOP_N };

/* What a receiver needs of a name on every emit, worked out once when the
 * name is made (fld_name_parse does it; fld_facts for a name made by hand),
 * so that matching a line never looks at the keys' bytes. */
struct fld_facts {
    uint32_t ph[FLD_DEPTH_MAX];     /* ph[i]: FNV-1a over keys 0..i, each ended by 0xff:
                                     * overlapping paths have equal ph at the shorter
                                     * one's depth */
    uint8_t  plain;                 /* bit i: key i needs no JSON escaping */
    uint8_t  top;                   /* FLD_TOP_*; OTHER for a one-key path */
    uint8_t  clash;                 /* 1: a path a sluice document writes itself
                                     * (parser/README.md): kept under sluice.clash */
    uint8_t  ok;                    /* 0: not worked out (a name made by hand) */
};

struct fld_name {
    char    *path;                  /* canonical dotted form: "source.ip" (in keys_buf) */
    unsigned depth;                 /* 1..FLD_DEPTH_MAX */
    /* 0: the name outlives whatever receives it (a grammar's compiled names,
     * kept until the grammar is freed). 1: it is built for this emit call
     * only (liblognorm's result keys), so a receiver that keeps it copies it. */
    int      transient;
    struct fld_facts facts;         /* with depth: one cache line for each emit */
    char    *key[FLD_DEPTH_MAX];    /* key_len bytes each, borrowed from keys_buf
                                     * (NUL-terminated in names fld_name_parse made) */
    size_t   key_len[FLD_DEPTH_MAX];
    char    *keys_buf;              /* the one allocation: path, then the keys */
};

/* Parses a field name as Logstash writes it: `user`, `source.ip`,
 * `[source][ip]`, `@metadata`... into *out (which the caller frees with
 * fld_name_free). Keys may hold any byte but control bytes, `[`, `]` and
 * `.`; none may be empty; `a[b]` (the two forms mixed) is refused.
 * SL_EINVAL with a message naming what is wrong (err->where is left empty
 * for the caller, who knows the file and line). */
int  fld_name_parse(struct fld_name *out, const char *text, size_t len, struct sl_err *err);
void fld_name_free(struct fld_name *n);   /* NULL-safe; a zeroed name is fine */
/* facts.ph[0] of a path whose first key is k[0..n). */
uint32_t fld_key_hash(const char *k, size_t n);
/* n's facts into *out (ok set), for a name made without fld_name_parse. */
void fld_facts(const struct fld_name *n, struct fld_facts *out);

/* Receives one field; returns 0 to go on, non-zero to stop the match. */
typedef int (*fld_emit_fn)(void *arg, const struct fld_name *name, enum fld_type type,
                           const char *val, size_t len);

#endif
