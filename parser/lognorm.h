/* parser/lognorm.h: liblognorm v2 rulebases as a grammar.
 *
 * rsyslog users bring the rulebases they wrote for mmnormalize; a line that
 * a rule matches gives its fields (liblognorm's JSON result, walked into
 * typed fields, see lognorm.c). */
#ifndef PARSER_LOGNORM_H
#define PARSER_LOGNORM_H
#include <stddef.h>

#include "common/err.h"
#include "parser/fields.h"
#include "parser/grammar.h"

/* sluice's message has no leading space (the syslog parser drops the one
 * after the TAG); rsyslog's MSG keeps it, so a rulebase written for
 * mmnormalize may expect it. */
enum lognorm_space {
    LOGNORM_SPACE_ASIS = 0,     /* "as-is": the message as parsed (the default) */
    LOGNORM_SPACE_PREPEND,      /* "prepend": " " + message, as mmnormalize sees it */
    LOGNORM_SPACE_AUTO,         /* "auto": as is, then prepended when as is matched nothing */
};

struct lognorm_opts {
    enum lognorm_space space;
};

void lognorm_opts_default(struct lognorm_opts *o);
/* "as-is", "prepend", "auto"; SL_EINVAL otherwise. */
int  lognorm_space_parse(const char *s, enum lognorm_space *out);

struct lognorm;
struct lognorm_scratch;

/* Loads a v2 rulebase (first line exactly "version=2"). Any problem
 * liblognorm reports, even one it would skip over, fails the load with
 * SL_ECONFIG and err->where = "file:line" as liblognorm gives it. The text
 * is read once (at most SL_CONFIG_FILE_LIMIT bytes): every thread's copy is
 * loaded from that snapshot. name labels errors for the string form. */
int  lognorm_load_file(struct lognorm **out, const char *path, const struct lognorm_opts *o,
                       struct sl_err *err);
int  lognorm_load_string(struct lognorm **out, const char *name, const char *text, size_t len,
                         const struct lognorm_opts *o, struct sl_err *err);
void lognorm_free(struct lognorm *ln);                              /* NULL-safe */

/* One per thread: liblognorm's context is not safe to share (see
 * lognorm.c), so each scratch holds its own copy of the rulebase. NULL when
 * that copy could not be loaded; lognorm_match then returns GRAMMAR_ERROR. */
struct lognorm_scratch *lognorm_scratch_new(const struct lognorm *ln);
void lognorm_scratch_free(struct lognorm_scratch *s);               /* NULL-safe */

/* Normalizes msg and emits its fields: GRAMMAR_MATCH, GRAMMAR_NOMATCH,
 * GRAMMAR_LIMIT (emit returned non-zero, or a path past its ceiling) or
 * GRAMMAR_ERROR (no scratch, liblognorm out of memory). */
enum grammar_result lognorm_match(const struct lognorm *ln, struct lognorm_scratch *s,
                                  const char *msg, size_t len, fld_emit_fn emit, void *arg);

extern const struct grammar_ops lognorm_grammar_ops;
/* A grammar named name over ln; takes ownership of ln (also on failure). */
struct grammar *lognorm_grammar_new(const char *name, struct lognorm *ln);

#endif
