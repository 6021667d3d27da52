/* parser/grammar.h: one interface over every kind of grammar (grok
 * patterns, liblognorm rulebases), so parser/route.c dispatches a line
 * without knowing what a grammar is made of.
 *
 * Threads: a grammar is immutable once made and shared by every worker.
 * match takes a per-thread scratch (made once per worker by scratch_new),
 * so matching needs no lock. The counters are relaxed atomics in their own
 * cache line: workers count, any thread reads (metrics, `sluice test`). */
#ifndef PARSER_GRAMMAR_H
#define PARSER_GRAMMAR_H
#include <stddef.h>
#include <stdint.h>

#include "parser/fields.h"

enum grammar_result {
    GRAMMAR_MATCH,      /* the line matched; its fields were emitted */
    GRAMMAR_NOMATCH,    /* nothing emitted */
    GRAMMAR_LIMIT,      /* a ceiling was hit (backtracking, size) or emit asked to stop */
    GRAMMAR_ERROR,      /* the grammar could not run (no scratch, library failure) */
};

/* What a kind of grammar provides. match emits fields only when it returns
 * GRAMMAR_MATCH, or before GRAMMAR_LIMIT when emit returned non-zero (the
 * receiver decides what to do with those). impl is the kind's own object. */
struct grammar_ops {
    const char *kind;                               /* "grok", "lognorm" */
    void *(*scratch_new)(const void *impl);         /* per thread; NULL if not needed */
    void  (*scratch_free)(void *scratch);           /* NULL-safe */
    enum grammar_result (*match)(const void *impl, void *scratch, const char *msg, size_t len,
                                 fld_emit_fn emit, void *arg);
    void  (*free)(void *impl);                      /* NULL-safe */
    /* Optional (NULL: the kind cannot say). For a line the grammar does not
     * match, writes one human line (NUL-terminated, cut to outlen) on how far
     * the expression that got furthest went; returns its length, 0 if none. */
    size_t (*explain)(const void *impl, const char *msg, size_t len, char *out, size_t outlen);
    /* Optional (NULL: the kind cannot say). For a line the grammar matches,
     * names the part of it that took the line (a grok grammar's expression);
     * returns the length written, 0 if none. */
    size_t (*which)(const void *impl, const char *msg, size_t len, char *out, size_t outlen);
};

struct grammar;

struct grammar_stats {
    uint64_t matches, misses, limits, errors;
};

/* Takes ownership of impl (freed with ops->free by grammar_free, also when
 * name is NULL or empty, which returns NULL). name is copied. */
struct grammar *grammar_new(const char *name, const struct grammar_ops *ops, void *impl);
void            grammar_free(struct grammar *g);                    /* NULL-safe */

const char *grammar_name(const struct grammar *g);                  /* borrowed */
const struct grammar_ops *grammar_ops_of(const struct grammar *g);  /* borrowed */
/* The kind's own object, for that kind's functions (which check
 * grammar_ops_of first); borrowed. Changing it is only allowed before the
 * grammar is shared (before route_table_seal). */
void *grammar_impl(const struct grammar *g);
const char *grammar_kind(const struct grammar *g);                  /* borrowed */

void *grammar_scratch_new(const struct grammar *g);
void  grammar_scratch_free(const struct grammar *g, void *scratch); /* NULL-safe */

/* Runs the grammar and counts the result. */
enum grammar_result grammar_match(const struct grammar *g, void *scratch, const char *msg,
                                  size_t len, fld_emit_fn emit, void *arg);

/* ops->explain for a missed line; 0 (out empty when outlen > 0) when the
 * kind has no explain or had nothing to say. Slow: for tools only. */
size_t grammar_explain(const struct grammar *g, const char *msg, size_t len, char *out,
                       size_t outlen);

/* ops->which for a matched line; 0 (out empty) when the kind cannot say.
 * Slow (it matches again): for tools only. */
size_t grammar_which(const struct grammar *g, const char *msg, size_t len, char *out,
                     size_t outlen);

void grammar_stats_get(const struct grammar *g, struct grammar_stats *out);
const char *grammar_result_name(enum grammar_result r);             /* "match"... */

#endif
