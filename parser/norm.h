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

#endif
