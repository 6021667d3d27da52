#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "parser/norm.h"

struct ng_set {                 /* a SET constant */
    struct fld_name name;
    char *val;
    size_t len;
};

struct ng_sets {                /* the SET lines of one expression */
    struct ng_set *v;
    size_t n;
};

struct norm_grok {
    struct grok **g;
    size_t n;
    struct ng_sets *sets;       /* sets[i] for g[i]; NULL: no constants anywhere */
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
            if (ng->sets)
                for (size_t k = 0; k < ng->sets[i].n; k++) {
                    const struct ng_set *c = &ng->sets[i].v[k];
                    if (emit(arg, &c->name, FLD_STRING, c->val, c->len))
                        return GRAMMAR_LIMIT;   /* emit asked to stop */
                }
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

/* Frees what ng holds, not ng itself. */
static void ng_free_parts(struct norm_grok *ng)
{
    for (size_t i = 0; i < ng->n; i++) {
        grok_free(ng->g[i]);
        if (ng->sets) {
            for (size_t k = 0; k < ng->sets[i].n; k++) {
                fld_name_free(&ng->sets[i].v[k].name);
                sl_free(ng->sets[i].v[k].val);
            }
            sl_free(ng->sets[i].v);
        }
    }
    sl_free(ng->sets);
    sl_free(ng->g);
}

static void ng_free(void *impl)
{
    struct norm_grok *ng = impl;

    if (!ng)
        return;
    ng_free_parts(ng);
    sl_free(ng);
}

/* The expression whose leading pieces reach furthest into the line. */
static size_t ng_explain(const void *impl, const char *msg, size_t len, char *out, size_t outlen)
{
    const struct norm_grok *ng = impl;
    struct grok_miss best = { 0 }, m;
    const struct grok *bg = NULL;
    char rest[40];
    size_t r = 0;
    int n;

    for (size_t i = 0; i < ng->n; i++) {
        grok_explain_miss(ng->g[i], msg, len, &m);
        if (!m.explained)
            continue;
        if (!bg || m.end > best.end || (m.end == best.end && m.matched > best.matched)) {
            best = m;
            bg = ng->g[i];
        }
    }
    if (!bg)
        return 0;
    for (size_t k = best.end; k < len && r < 24; k++)      /* printable bytes, '.' for others */
        rest[r++] = (msg[k] >= 0x20 && msg[k] < 0x7f && msg[k] != '"') ? msg[k] : '.';
    rest[r] = '\0';
    if (best.next_len)
        n = snprintf(out, outlen, "expression '%s': matched %zu of %zu bytes; stopped at piece %.*s "
                     "at byte %zu: \"%s%s\"", grok_expr(bg), best.end, len, (int)best.next_len,
                     grok_expr(bg) + best.next_off, best.end, rest,
                     len - best.end > r ? "..." : "");
    else
        n = snprintf(out, outlen, "expression '%s': matched %zu of %zu bytes; every piece matched",
                     grok_expr(bg), best.end, len);
    if (n < 0)
        return 0;
    return (size_t)n < outlen ? (size_t)n : outlen - 1;
}

const struct grammar_ops norm_grok_ops = {
    .kind = "grok",
    .scratch_new = ng_scratch_new,
    .scratch_free = ng_scratch_free,
    .match = ng_match,
    .free = ng_free,
    .explain = ng_explain,
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

/* ---- per-program grammar files (grammars/README.md) ---- */

#define NG_FILE_EXPRS_MAX  256u         /* EXPR lines in one file */
#define NG_FILE_SETS_MAX   32u          /* SET lines under one EXPR */

/* Splits "WORD rest" at the first run of blanks; NULL when there is no rest. */
static char *ng_split(char *s)
{
    char *p = s + strcspn(s, " \t");

    if (!*p)
        return NULL;
    *p++ = '\0';
    p += strspn(p, " \t");
    return *p ? p : NULL;
}

struct ng_file {
    struct grok **g;
    struct ng_sets *sets;
    char **names;
    size_t n;
};

static void ng_file_free(struct ng_file *f)
{
    struct norm_grok ng = { f->g, f->n, f->sets };

    for (size_t i = 0; i < f->n; i++)
        sl_free(f->names[i]);
    sl_free(f->names);
    ng_free_parts(&ng);
}

static int ng_set_add(struct ng_file *f, const char *field, const char *val, const char *where,
                      struct sl_err *err)
{
    struct ng_sets *s = &f->sets[f->n - 1];
    struct ng_set *c;
    struct sl_err e2;

    if (s->n == NG_FILE_SETS_MAX)
        return sl_err_set(err, SL_EINVAL, where, "more than %u SET lines under one EXPR",
                          NG_FILE_SETS_MAX);
    for (size_t i = 0; i < grok_field_count(f->g[f->n - 1]); i++)
        if (strcmp(grok_field(f->g[f->n - 1], i, NULL)->path, field) == 0)
            return sl_err_set(err, SL_EINVAL, where,
                              "SET %s: expression %s captures that field", field,
                              f->names[f->n - 1]);
    if (!s->v)
        s->v = sl_calloc(NG_FILE_SETS_MAX, sizeof *s->v);
    c = &s->v[s->n];
    sl_err_clear(&e2);
    if (fld_name_parse(&c->name, field, strlen(field), &e2))
        return sl_err_set(err, SL_EINVAL, where, "SET %s: %s", field, e2.msg);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name.path, c->name.path) == 0) {
            fld_name_free(&c->name);
            return sl_err_set(err, SL_EINVAL, where, "SET %s twice under one EXPR", field);
        }
    c->val = sl_strdup(val);
    c->len = strlen(val);
    s->n++;
    return 0;
}

/* The grammar file's lines from fp (which the caller closes); path names
 * it in errors. */
static int ng_load(struct grammar **out, const char *name, const char *path, FILE *fp,
                   const struct grok_lib *base_patterns, const struct grok_opts *o,
                   struct sl_err *err)
{
    struct grok_lib *lib = grok_lib_new();
    struct ng_file f = { 0 };
    char *line = NULL, where[300];
    size_t cap = 0;
    unsigned lineno;
    int rc = 0;

    *out = NULL;
    if (base_patterns)          /* an overlay: this grammar's patterns never reach the base */
        for (size_t i = 0; i < grok_lib_count(base_patterns) && !rc; i++) {
            const char *pn = grok_lib_name(base_patterns, i), *pw = NULL;
            const char *re = grok_lib_get(base_patterns, pn, &pw);
            rc = grok_lib_add(lib, pn, re, pw, err);
        }
    if (rc) {
        grok_lib_free(lib);
        return rc;
    }
    f.g = sl_calloc(NG_FILE_EXPRS_MAX, sizeof *f.g);
    f.sets = sl_calloc(NG_FILE_EXPRS_MAX, sizeof *f.sets);
    f.names = sl_calloc(NG_FILE_EXPRS_MAX, sizeof *f.names);
    /* Two passes: every local pattern is known before any EXPR compiles, so
     * a pattern may be defined below the expression that uses it. */
    for (int pass = 0; pass < 2 && !rc; pass++) {
        ssize_t got;

        rewind(fp);
        lineno = 0;
        while (!rc && (got = getline(&line, &cap, fp)) >= 0) {
            char *rest, *expr;
            size_t len = (size_t)got;

            lineno++;
            snprintf(where, sizeof where, "%s:%u", path, lineno);
            if (len > GROK_LINE_MAX) {
                rc = sl_err_set(err, SL_EINVAL, where, "line longer than %u bytes",
                                GROK_LINE_MAX);
                break;
            }
            while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = '\0';
            if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
                continue;
            rest = ng_split(line);
            if (!rest) {
                if (pass == 0)
                    rc = sl_err_set(err, SL_EINVAL, where, "`%s` has nothing after it", line);
                continue;
            }
            if (strcmp(line, "SET") == 0) {
                char *val;

                if (pass == 0)
                    continue;
                val = ng_split(rest);
                if (!val || !f.n)
                    rc = sl_err_set(err, SL_EINVAL, where,
                                    "SET needs a field, a value and an EXPR above it");
                else
                    rc = ng_set_add(&f, rest, val, where, err);
                continue;
            }
            if (strcmp(line, "EXPR") != 0) {
                if (pass == 0)
                    rc = grok_lib_add(lib, line, rest, where, err);
                continue;
            }
            if (pass == 0)
                continue;
            expr = ng_split(rest);
            if (!expr) {
                rc = sl_err_set(err, SL_EINVAL, where, "EXPR needs a name and an expression");
                continue;
            }
            if (f.n == NG_FILE_EXPRS_MAX) {
                rc = sl_err_set(err, SL_EINVAL, where, "more than %u expressions",
                                NG_FILE_EXPRS_MAX);
                continue;
            }
            for (size_t i = 0; i < f.n && !rc; i++)
                if (strcmp(f.names[i], rest) == 0)
                    rc = sl_err_set(err, SL_EINVAL, where, "expression name %s used twice",
                                    rest);
            if (rc)
                continue;
            rc = grok_compile(&f.g[f.n], lib, expr, o, where, err);
            if (rc)
                continue;
            f.names[f.n++] = sl_strdup(rest);
        }
        if (!rc && ferror(fp))
            rc = sl_err_set(err, SL_EIO, path, "read error: %s", strerror(errno));
    }
    free(line);
    grok_lib_free(lib);
    if (!rc && f.n == 0)
        rc = sl_err_set(err, SL_EINVAL, path, "no EXPR line");
    if (!rc) {
        struct norm_grok *ng = sl_calloc(1, sizeof *ng);

        ng->g = f.g;
        ng->n = f.n;
        ng->sets = f.sets;
        for (size_t i = 0; i < f.n; i++)
            sl_free(f.names[i]);
        sl_free(f.names);
        *out = grammar_new(name, &norm_grok_ops, ng);
        if (!*out)
            rc = sl_err_set(err, SL_EINVAL, path, "a grammar needs a name");
        return rc;
    }
    ng_file_free(&f);
    return rc;
}

int norm_grok_file_grammar(struct grammar **out, const char *name, const char *path,
                           const struct grok_lib *base_patterns, const struct grok_opts *o,
                           struct sl_err *err)
{
    FILE *fp = fopen(path, "r");
    int rc;

    *out = NULL;
    if (!fp)
        return sl_err_set(err, SL_EIO, path, "cannot open the grammar file: %s",
                          strerror(errno));
    rc = ng_load(out, name, path, fp, base_patterns, o, err);
    fclose(fp);
    return rc;
}

int norm_grok_text_grammar(struct grammar **out, const char *name, const char *path,
                           const char *text, size_t len, const struct grok_lib *base_patterns,
                           const struct grok_opts *o, struct sl_err *err)
{
    FILE *fp;
    int rc;

    *out = NULL;
    if (!len)
        return sl_err_set(err, SL_EINVAL, path, "no EXPR line");
    /* A read-only stream over the text: the file's reader, line numbers and
     * all, with no second parser to keep in step. */
    fp = fmemopen((void *)(uintptr_t)text, len, "r");
    if (!fp)
        return sl_err_set(err, SL_EIO, path, "fmemopen: %s", strerror(errno));
    rc = ng_load(out, name, path, fp, base_patterns, o, err);
    fclose(fp);
    return rc;
}
