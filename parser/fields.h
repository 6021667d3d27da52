/* parser/fields.h: the typed fields a grammar produces.
 *
 * A grammar compiles its field names once (Logstash's `[source][ip]`,
 * dotted `source.ip`, or a plain `user`) into a struct fld_name: the
 * canonical dotted path and its keys. Matching a line then emits
 * (name, type, value) without looking at names again. Values are views into
 * the matched line (or into a grammar's own scratch buffer), valid only
 * during the emit call: a receiver copies what it keeps. */
#ifndef PARSER_FIELDS_H
#define PARSER_FIELDS_H
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define FLD_DEPTH_MAX 8u            /* keys in one path: a.b.c.d.e.f.g.h */

enum fld_type {
    FLD_STRING = 0,                 /* a JSON string, escaped on output */
    FLD_INT,                        /* text of a base-10 integer, checked when typed */
    FLD_FLOAT,                      /* text of a finite decimal number, checked */
    FLD_BOOL,                       /* "true" or "false" */
    FLD_JSON,                       /* a JSON value written as is (liblognorm's results) */
};

struct fld_name {
    char    *path;                  /* canonical dotted form: "source.ip" */
    unsigned depth;
    char    *key[FLD_DEPTH_MAX];    /* borrowed pointers into keys_buf */
    size_t   key_len[FLD_DEPTH_MAX];
    char    *keys_buf;
};

/* Parses a field name as Logstash writes it: `user`, `source.ip`,
 * `[source][ip]`, `@metadata`... into *out (which the caller frees with
 * fld_name_free). SL_EINVAL with a message naming what is wrong. */
int  fld_name_parse(struct fld_name *out, const char *text, size_t len, struct sl_err *err);
void fld_name_free(struct fld_name *n);

/* Receives one field; returns 0 to go on, non-zero to stop the match. */
typedef int (*fld_emit_fn)(void *arg, const struct fld_name *name, enum fld_type type,
                           const char *val, size_t len);

#endif
