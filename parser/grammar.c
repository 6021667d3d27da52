/* parser/grammar.c: the generic grammar and its counters.
 *
 * Threads: see grammar.h. The counters live in a block of their own,
 * reached through a pointer, so grammar_match can count through a const
 * grammar, and padded so that no cache line holding them holds anything
 * else (malloc aligns to 16 bytes, not 64): workers counting one grammar do
 * not slow down workers touching its neighbour. */
#include <stdatomic.h>
#include <string.h>

#include "common/mem.h"
#include "parser/grammar.h"

struct grammar_counters {
    char                 pad0[64];
    atomic_uint_fast64_t n[4];              /* indexed by enum grammar_result */
    char                 pad1[64];
};

struct grammar {
    char                      *name;
    const struct grammar_ops  *ops;
    void                      *impl;
    struct grammar_counters   *cnt;
};

struct grammar *grammar_new(const char *name, const struct grammar_ops *ops, void *impl)
{
    struct grammar *g;

    if (!ops)
        return NULL;
    if (!name || !*name) {
        if (ops->free)
            ops->free(impl);
        return NULL;
    }
    g = sl_calloc(1, sizeof *g);
    g->name = sl_strdup(name);
    g->ops = ops;
    g->impl = impl;
    g->cnt = sl_malloc(sizeof *g->cnt);
    for (size_t i = 0; i < 4; i++)
        atomic_init(&g->cnt->n[i], 0);
    return g;
}

void grammar_free(struct grammar *g)
{
    if (!g)
        return;
    if (g->ops->free)
        g->ops->free(g->impl);
    sl_free(g->cnt);
    sl_free(g->name);
    sl_free(g);
}

const char *grammar_name(const struct grammar *g)
{
    return g->name;
}

const struct grammar_ops *grammar_ops_of(const struct grammar *g)
{
    return g->ops;
}

void *grammar_impl(const struct grammar *g)
{
    return g->impl;
}

const char *grammar_kind(const struct grammar *g)
{
    return g->ops->kind;
}

void *grammar_scratch_new(const struct grammar *g)
{
    return g->ops->scratch_new ? g->ops->scratch_new(g->impl) : NULL;
}

void grammar_scratch_free(const struct grammar *g, void *scratch)
{
    if (g && scratch && g->ops->scratch_free)
        g->ops->scratch_free(scratch);
}

enum grammar_result grammar_match(const struct grammar *g, void *scratch, const char *msg,
                                  size_t len, fld_emit_fn emit, void *arg)
{
    enum grammar_result r = g->ops->match(g->impl, scratch, msg, len, emit, arg);

    if ((unsigned)r > GRAMMAR_ERROR)
        r = GRAMMAR_ERROR;
    atomic_fetch_add_explicit(&g->cnt->n[r], 1, memory_order_relaxed);
    return r;
}

size_t grammar_explain(const struct grammar *g, const char *msg, size_t len, char *out,
                       size_t outlen)
{
    size_t n;

    if (!out || !outlen)
        return 0;
    out[0] = '\0';
    if (!g || !g->ops->explain)
        return 0;
    n = g->ops->explain(g->impl, msg, len, out, outlen);
    if (!n)
        out[0] = '\0';
    return n;
}

void grammar_stats_get(const struct grammar *g, struct grammar_stats *out)
{
    out->matches = atomic_load_explicit(&g->cnt->n[GRAMMAR_MATCH], memory_order_relaxed);
    out->misses = atomic_load_explicit(&g->cnt->n[GRAMMAR_NOMATCH], memory_order_relaxed);
    out->limits = atomic_load_explicit(&g->cnt->n[GRAMMAR_LIMIT], memory_order_relaxed);
    out->errors = atomic_load_explicit(&g->cnt->n[GRAMMAR_ERROR], memory_order_relaxed);
}

const char *grammar_result_name(enum grammar_result r)
{
    switch (r) {
    case GRAMMAR_MATCH: return "match";
    case GRAMMAR_NOMATCH: return "nomatch";
    case GRAMMAR_LIMIT: return "limit";
    case GRAMMAR_ERROR: return "error";
    }
    return "error";
}

size_t grammar_which(const struct grammar *g, const char *msg, size_t len, char *out,
                     size_t outlen)
{
    size_t n;

    if (!out || !outlen)
        return 0;
    out[0] = '\0';
    if (!g || !g->ops->which)
        return 0;
    n = g->ops->which(g->impl, msg, len, out, outlen);
    if (!n)
        out[0] = '\0';
    return n;
}
