/* parser/norm.h: a list of grok expressions as one grammar (the config's
 * `type: grok` definitions), so parser/route.c can dispatch to it like any
 * other kind.
 *
 * The expressions are tried in order; the first that matches wins. One
 * grok_scratch per thread serves all of them. */
#ifndef PARSER_NORM_H
#define PARSER_NORM_H
#include <stddef.h>

#include "parser/grammar.h"
#include "parser/grok.h"

extern const struct grammar_ops norm_grok_ops;

/* A grammar named name over groks[0..n) (n >= 1); takes ownership of the
 * groks (freed also on failure, which returns NULL) and of the array. */
struct grammar *norm_grok_grammar_new(const char *name, struct grok **groks, size_t n);

/* Loads a per-program grammar file (format in grammars/README.md): `NAME
 * regex` local patterns, added to an overlay of base_patterns (NULL: none;
 * it is not changed) for this grammar only, all read before any expression
 * compiles; `EXPR name expression` lines compiled with o (NULL: defaults)
 * and tried in file order; `SET field value` constants of the EXPR above,
 * emitted as FLD_STRING after that expression's captures when it matches;
 * `TIMESTAMP field format` rules of the EXPR above (tried in order, after
 * the SET constants: the first captured field its format reads is emitted
 * as a FLD_TIME @timestamp; captured fields none reads, as the tag
 * _sluice_date_parse_failure). Refused: a SET of a field its expression
 * captures, a TIMESTAMP of a field it does not, a format that does not
 * compile, an EXPR name used twice, a file without EXPR. Errors: where =
 * path:line (or the pattern file:line a compile error came from; path when
 * it cannot be read). */
int norm_grok_file_grammar(struct grammar **out, const char *name, const char *path,
                           const struct grok_lib *base_patterns, const struct grok_opts *o,
                           struct sl_err *err);
/* The same from a grammar file's text in memory (text[0..len)); path names
 * it in errors ("builtin:grammars/sshd/sshd.grok"). */
int norm_grok_text_grammar(struct grammar **out, const char *name, const char *path,
                           const char *text, size_t len, const struct grok_lib *base_patterns,
                           const struct grok_opts *o, struct sl_err *err);

/* Adds a timestamp rule to every expression of g (a grammar made here),
 * tried after an expression's own TIMESTAMP lines: when the expression
 * matched and captured field, its text read with format (parser/datefmt.h)
 * becomes @timestamp. SL_EINVAL when the format does not compile, no
 * expression captures the field, or past 8 rules; err->where is left empty.
 * Only before the grammar is shared (route_table_seal). */
int norm_grok_add_timestamp(struct grammar *g, const char *field, const char *format,
                            struct sl_err *err);

#endif
