/* parser/route.h: which grammars a line is tried against.
 *
 * A route maps a program name (optionally narrowed by host and facility) to
 * an ordered list of grammars; the first grammar that matches wins. Lookup
 * is one hash probe on the program name, so a line costs its own route's
 * grammars whatever the number of other routes. A line nothing matches
 * keeps its message and gets a tag naming its route; nothing is dropped.
 *
 * Route keys (what the config's `grammars.routes` keys are):
 *     PROGRAM[@COND[,COND]]     COND: host=NAME | facility=NAME|CODE
 *   "sshd", "*" (any program without a route of its own), "sshd@host=fw1",
 *   "kernel@host=fw1,facility=kern", "*@facility=local0". PROGRAM is
 *   compared exactly, host without case, facility by code (names as in the
 *   document: kern user ... local7). Routes for one program are tried in the
 *   order added, the first whose conditions hold is used; when none holds,
 *   the "*" routes are tried the same way; when none of those holds either,
 *   the line is left as it is (ROUTE_NONE, no tag). A route that an earlier
 *   one would always take first ("sshd" then "sshd@host=fw1") is refused.
 *   The first '@' ends PROGRAM, so a program named with '@' cannot be routed.
 *
 * Threads: the table is built on one thread, then sealed; a sealed table is
 * immutable (so a reload builds a new one and swaps the pointer) and shared
 * by every worker, each with its own route_scratch (one grammar scratch per
 * grammar, made once per worker). The counters are relaxed atomics. */
#ifndef PARSER_ROUTE_H
#define PARSER_ROUTE_H
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "parser/fields.h"
#include "parser/grammar.h"

#define ROUTE_TAG_LIMIT         "_sluice_grammar_limit"
#define ROUTE_TAG_NOMATCH       "_sluice_nomatch_"      /* + route name, '*' written "default" */

struct route_table;
struct route_scratch;

struct route_table *route_table_new(void);
void route_table_free(struct route_table *t);                       /* NULL-safe; frees the grammars */

/* Takes ownership of g, also on failure. Names are unique and non-empty. */
int  route_table_add_grammar(struct route_table *t, struct grammar *g, struct sl_err *err);
/* Adds the route key -> grammars (names of grammars added before, in the
 * order to try them; n >= 1). SL_ECONFIG with a message on a bad key, an
 * unknown grammar, a route already there or one that could never be used. */
int  route_add(struct route_table *t, const char *key, const char *const *grammars, size_t n,
               struct sl_err *err);
/* Builds the lookup; the table is immutable after. */
int  route_table_seal(struct route_table *t, struct sl_err *err);

/* Per worker thread; NULL when the table is not sealed. A grammar whose
 * scratch could not be made answers GRAMMAR_ERROR (counted, tried as a miss). */
struct route_scratch *route_scratch_new(const struct route_table *t);
void route_scratch_free(struct route_scratch *s);                   /* NULL-safe */

/* Who sent the line. Strings are not NUL-terminated; NULL: absent. */
struct route_line {
    const char *program;
    size_t      program_len;
    const char *host;
    size_t      host_len;
    int         facility;           /* 0..23; -1: unknown */
};

enum route_status {
    ROUTE_NONE,         /* no route takes the line: leave it, no tag */
    ROUTE_MATCH,        /* a grammar matched; its fields were emitted */
    ROUTE_NOMATCH,      /* every grammar of the route missed (or failed): tag */
    ROUTE_LIMIT,        /* a grammar hit a ceiling; the route stopped there: tag */
};

/* Strings borrowed from the table (valid while it lives). */
struct route_result {
    enum route_status status;
    const char *route;              /* the route's name; NULL for ROUTE_NONE */
    const char *grammar;            /* MATCH, LIMIT: the grammar's name */
    const char *tag;                /* NOMATCH: "_sluice_nomatch_<route>"; LIMIT: ROUTE_TAG_LIMIT */
};

void route_match(const struct route_table *t, struct route_scratch *s, const struct route_line *l,
                 const char *msg, size_t len, fld_emit_fn emit, void *arg, struct route_result *out);

/* For `sluice test` summaries and metrics. */
size_t route_table_ngrammars(const struct route_table *t);
const struct grammar *route_table_grammar(const struct route_table *t, size_t i);   /* borrowed */
size_t route_table_nroutes(const struct route_table *t);

struct route_stats {
    const char *name;               /* canonical key: "sshd@host=fw1,facility=auth" */
    const char *tag;                /* its no-match tag */
    size_t      ngrammars;
    const struct grammar *const *grammars;  /* in order; borrowed */
    uint64_t    matches, nomatch, limits;
};
void route_stats_get(const struct route_table *t, size_t i, struct route_stats *out);

#endif
