#include "common/mem.h"
#include "parser/norm.h"

struct norm_grok {
    struct grok **g;
    size_t n;
};

static void *ng_scratch_new(const void *impl)
{
    (void)impl;
    return grok_scratch_new();
}

static void ng_scratch_free(void *scratch)
{
    grok_scratch_free(scratch);
}

static enum grammar_result ng_match(const void *impl, void *scratch, const char *msg,
                                    size_t len, fld_emit_fn emit, void *arg)
{
    const struct norm_grok *ng = impl;

    if (!scratch)
        return GRAMMAR_ERROR;
    for (size_t i = 0; i < ng->n; i++) {
        switch (grok_match(ng->g[i], scratch, msg, len, emit, arg)) {
        case GROK_MATCH:
            return GRAMMAR_MATCH;
        case GROK_LIMIT:
            return GRAMMAR_LIMIT;   /* a line that costs this much is not tried further */
        case GROK_ERROR:
            return GRAMMAR_ERROR;
        case GROK_NOMATCH:
            break;
        }
    }
    return GRAMMAR_NOMATCH;
}

static void ng_free(void *impl)
{
    struct norm_grok *ng = impl;

    if (!ng)
        return;
    for (size_t i = 0; i < ng->n; i++)
        grok_free(ng->g[i]);
    sl_free(ng->g);
    sl_free(ng);
}

const struct grammar_ops norm_grok_ops = {
    .kind = "grok",
    .scratch_new = ng_scratch_new,
    .scratch_free = ng_scratch_free,
    .match = ng_match,
    .free = ng_free,
};

struct grammar *norm_grok_grammar_new(const char *name, struct grok **groks, size_t n)
{
    struct norm_grok *ng = sl_calloc(1, sizeof *ng);

    ng->g = groks;
    ng->n = n;
    if (!n) {
        ng_free(ng);
        return NULL;
    }
    return grammar_new(name, &norm_grok_ops, ng);
}
