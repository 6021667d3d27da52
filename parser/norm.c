#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "parser/datefmt.h"
#include "parser/norm.h"

#define NG_TS_MAX  8u                   /* TIMESTAMP lines under one EXPR; the config's too */

struct ng_set {                 /* a SET constant */
    struct fld_name name;
    char *val;
    size_t len;
};

struct ng_sets {                /* the SET lines of one expression */
    struct ng_set *v;
    size_t n;
};

struct ng_ts {                  /* a TIMESTAMP rule: the field's text read with fmt */
    char *field;                /* canonical dotted path */
    struct datefmt *fmt;
};

struct ng_tss {                 /* the rules of one expression, or the config's */
    struct ng_ts *v;
    size_t n;
};

struct norm_grok {
    struct grok **g;
    size_t n;
    struct ng_sets *sets;       /* sets[i] for g[i]; NULL: no constants anywhere */
    struct ng_tss *ts;          /* ts[i] for g[i]; NULL: no TIMESTAMP lines anywhere */
    struct ng_tss common;       /* the config's timestamp:, after each expression's own */
    struct fld_name ts_name;    /* "@timestamp", the name of the FLD_TIME field */
    struct fld_name tags_name;  /* "tags", for the failure tag */
    char **names;               /* EXPR names of a grammar file; NULL: match[i] */
    struct ng_lead *lead;       /* lead[i]: g[i]'s leading literal, first 8 bytes */
};

/* A line's first 8 bytes against each expression's leading literal, and its
 * first byte against the bytes the expression can start with (PCRE2's start
 * bitmap: `^(?:Mounted|Unmounted) ...` skips a line that starts with 'S'),
 * all of them in one small array: most lines try several expressions of
 * their program before the one that takes them, and a miss decided here
 * never touches the expression (a cache line each) or runs PCRE2. grok_match
 * still tests the whole literal; this is only a filter in front of it. */
struct ng_lead {
    uint64_t word, mask;        /* mask 0: no literal, every line passes */
    uint64_t first[2];          /* the ASCII bytes a match starts with (grok_first_bytes);
                                 * all ones when unknown */
};

/* Between grok and the receiver while an expression with TIMESTAMP rules
 * runs: it passes every field on and keeps a view of each rule's field
 * (valid until the scratch matches again, which is after the rules ran). */
struct ng_tap {
    fld_emit_fn emit;
    void *arg;
    const struct ng_ts *rule[2 * NG_TS_MAX];
    const char *val[2 * NG_TS_MAX];
    size_t len[2 * NG_TS_MAX];
    size_t n;
};

static int ng_tap_emit(void *arg, const struct fld_name *name, enum fld_type type,
                       const char *val, size_t len)
{
    struct ng_tap *t = arg;

    for (size_t k = 0; k < t->n; k++)
        if (!t->val[k] && strcmp(name->path, t->rule[k]->field) == 0) {
            t->val[k] = val;
            t->len[k] = len;
        }
    return t->emit(t->arg, name, type, val, len);
}

/* The rules of expression i, then the config's; 0 when there are none. */
static size_t ng_tap_init(struct ng_tap *t, const struct norm_grok *ng, size_t i,
                          fld_emit_fn emit, void *arg)
{
    t->emit = emit;
    t->arg = arg;
    t->n = 0;
    for (size_t k = 0; ng->ts && k < ng->ts[i].n; k++)
        t->rule[t->n++] = &ng->ts[i].v[k];
    for (size_t k = 0; k < ng->common.n; k++)
        t->rule[t->n++] = &ng->common.v[k];
    memset(t->val, 0, t->n * sizeof t->val[0]);
    return t->n;
}

/* After a match: the first rule whose field was captured and reads with
 * its format gives @timestamp; captured fields that none reads give the
 * failure tag; no field captured, nothing. emit's answer is returned. */
static int ng_ts_apply(const struct norm_grok *ng, const struct ng_tap *t)
{
    char canon[DATEFMT_CANON_MAX];
    struct syslog_tm tm;
    int captured = 0;

    for (size_t k = 0; k < t->n; k++) {
        if (!t->val[k])
            continue;
        captured = 1;
        if (datefmt_parse(t->rule[k]->fmt, t->val[k], t->len[k], &tm) == 0)
            return t->emit(t->arg, &ng->ts_name, FLD_TIME, canon, datefmt_canon(&tm, canon));
    }
    if (!captured)
        return 0;
    return t->emit(t->arg, &ng->tags_name, FLD_STRING, DATEFMT_TAG_FAILURE,
                   sizeof DATEFMT_TAG_FAILURE - 1);
}

static void *ng_scratch_new(const void *impl)
{
    (void)impl;
    return grok_scratch_new();
}

static void ng_scratch_free(void *scratch)
{
    grok_scratch_free(scratch);
}

/* The line's first 8 bytes as a word (zeros past its end: a literal byte is
 * never 0, so a shorter line fails the test). */
static uint64_t line_head(const char *msg, size_t len)
{
    uint64_t w = 0;

    memcpy(&w, msg, len < 8 ? len : 8);
    return w;
}

static void ng_lead_build(struct norm_grok *ng)
{
    ng->lead = sl_calloc(ng->n ? ng->n : 1, sizeof *ng->lead);
    for (size_t i = 0; i < ng->n; i++) {
        size_t n;
        const char *lit = grok_lead(ng->g[i], &n);
        uint64_t bits[2];
        if (n > 8)
            n = 8;
        memcpy(&ng->lead[i].word, lit, n);
        memset(&ng->lead[i].mask, 0xff, n);
        if (!grok_first_bytes(ng->g[i], bits))
            bits[0] = bits[1] = ~0ull;
        ng->lead[i].first[0] = bits[0];
        ng->lead[i].first[1] = bits[1];
    }
}

static enum grammar_result ng_match(const void *impl, void *scratch, const char *msg,
                                    size_t len, fld_emit_fn emit, void *arg)
{
    const struct norm_grok *ng = impl;
    enum grammar_result res = GRAMMAR_NOMATCH;
    struct ng_tap tap;
    uint64_t head, cb = 0;
    unsigned cw = 0;
    int nl = -1;

    if (!scratch)
        return GRAMMAR_ERROR;
    if (!msg)
        msg = "";                   /* as grok_match reads it */
    grok_scratch_line(scratch, msg, len);
    head = line_head(msg, len);
    if (len && (unsigned char)msg[0] < 0x80) {  /* else no test: cb 0 always passes */
        cw = (unsigned char)msg[0] >> 6;
        cb = 1ull << ((unsigned char)msg[0] & 63);
    }
    for (size_t i = 0; i < ng->n && res == GRAMMAR_NOMATCH; i++) {
        const struct ng_lead *ld = &ng->lead[i];
        size_t rules;
        enum grok_result r;
        if ((head & ld->mask) != ld->word || (ld->first[cw] & cb) != cb) {
            /* after a '\n', multiline's `^` may still match: grok decides */
            if (nl < 0)
                nl = memchr(msg, '\n', len) != NULL;
            if (!nl)
                continue;
        }
        rules = ((ng->ts && ng->ts[i].n) || ng->common.n) ? ng_tap_init(&tap, ng, i, emit, arg)
                                                          : 0;
        r = rules ? grok_match(ng->g[i], scratch, msg, len, ng_tap_emit, &tap)
                  : grok_match(ng->g[i], scratch, msg, len, emit, arg);

        switch (r) {
        case GROK_MATCH:
            res = GRAMMAR_MATCH;
            if (ng->sets)
                for (size_t k = 0; k < ng->sets[i].n && res == GRAMMAR_MATCH; k++) {
                    const struct ng_set *c = &ng->sets[i].v[k];
                    if (emit(arg, &c->name, FLD_STRING, c->val, c->len))
                        res = GRAMMAR_LIMIT;    /* emit asked to stop */
                }
            if (res == GRAMMAR_MATCH && rules && ng_ts_apply(ng, &tap))
                res = GRAMMAR_LIMIT;
            break;
        case GROK_LIMIT:
            res = GRAMMAR_LIMIT;    /* a line that costs this much is not tried further */
            break;
        case GROK_ERROR:
            res = GRAMMAR_ERROR;
            break;
        case GROK_NOMATCH:
            break;
        }
    }
    grok_scratch_line(scratch, NULL, 0);
    return res;
}

static void ng_tss_free(struct ng_tss *t)
{
    for (size_t k = 0; k < t->n; k++) {
        sl_free(t->v[k].field);
        datefmt_free(t->v[k].fmt);
    }
    sl_free(t->v);
    t->v = NULL;
    t->n = 0;
}

/* Frees what ng holds, not ng itself. */
static void ng_free_parts(struct norm_grok *ng)
{
    for (size_t i = 0; ng->ts && i < ng->n; i++)
        ng_tss_free(&ng->ts[i]);
    sl_free(ng->ts);
    ng_tss_free(&ng->common);
    fld_name_free(&ng->ts_name);
    fld_name_free(&ng->tags_name);
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
    for (size_t i = 0; ng->names && i < ng->n; i++)
        sl_free(ng->names[i]);
    sl_free(ng->names);
    sl_free(ng->lead);
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

static int ng_quiet(void *arg, const struct fld_name *name, enum fld_type type, const char *val,
                    size_t len)
{
    (void)arg, (void)name, (void)type, (void)val, (void)len;
    return 0;
}

/* The first expression that takes the line, by name and text. */
static size_t ng_which(const void *impl, const char *msg, size_t len, char *out, size_t outlen)
{
    const struct norm_grok *ng = impl;
    struct grok_scratch *sc = grok_scratch_new();
    int n = 0;

    for (size_t i = 0; sc && i < ng->n; i++) {
        if (grok_match(ng->g[i], sc, msg, len, ng_quiet, NULL) != GROK_MATCH)
            continue;
        if (ng->names)
            n = snprintf(out, outlen, "expression %s: '%s'", ng->names[i], grok_expr(ng->g[i]));
        else
            n = snprintf(out, outlen, "expression match[%zu]: '%s'", i, grok_expr(ng->g[i]));
        break;
    }
    grok_scratch_free(sc);
    if (n <= 0)
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
    .which = ng_which,
};

/* The names of what ng_ts_apply emits; they cannot fail to parse. */
static void ng_names(struct norm_grok *ng)
{
    fld_name_parse(&ng->ts_name, "@timestamp", 10, NULL);
    fld_name_parse(&ng->tags_name, "tags", 4, NULL);
}

struct grammar *norm_grok_grammar_new(const char *name, struct grok **groks, size_t n)
{
    struct norm_grok *ng = sl_calloc(1, sizeof *ng);

    ng_names(ng);
    ng->g = groks;
    ng->n = n;
    ng_lead_build(ng);
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
    struct ng_tss *ts;
    char **names;
    size_t n;
};

static void ng_file_free(struct ng_file *f)
{
    struct norm_grok ng = { 0 };

    ng.g = f->g;
    ng.n = f->n;
    ng.sets = f->sets;
    ng.ts = f->ts;

    for (size_t i = 0; i < f->n; i++)
        sl_free(f->names[i]);
    sl_free(f->names);
    ng_free_parts(&ng);
}

static int captures(const struct grok *g, const char *path)
{
    for (size_t i = 0; i < grok_field_count(g); i++)
        if (strcmp(grok_field(g, i, NULL)->path, path) == 0)
            return 1;
    return 0;
}

/* One rule into t: field as written (any of grok's spellings), format
 * compiled. Errors name both. */
static int ng_ts_add(struct ng_tss *t, const char *what, const char *field, const char *format,
                     const char *where, struct sl_err *err)
{
    struct fld_name fn;
    struct sl_err e2;
    struct ng_ts *r;
    int rc;

    if (t->n == NG_TS_MAX)
        return sl_err_set(err, SL_EINVAL, where, "more than %u timestamp rules", NG_TS_MAX);
    sl_err_clear(&e2);
    if (fld_name_parse(&fn, field, strlen(field), &e2))
        return sl_err_set(err, SL_EINVAL, where, "%s%s: %s", what, field, e2.msg);
    if (!t->v)
        t->v = sl_calloc(NG_TS_MAX, sizeof *t->v);
    r = &t->v[t->n];
    rc = datefmt_compile(&r->fmt, format, &e2);
    if (rc) {
        fld_name_free(&fn);
        return sl_err_set(err, rc, where, "%s%s: %s", what, field, e2.msg);
    }
    r->field = sl_strdup(fn.path);
    fld_name_free(&fn);
    t->n++;
    return 0;
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
    f.ts = sl_calloc(NG_FILE_EXPRS_MAX, sizeof *f.ts);
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
            if (strcmp(line, "TIMESTAMP") == 0) {
                char *fmt;

                if (pass == 0)
                    continue;
                fmt = ng_split(rest);
                if (!fmt || !f.n) {
                    rc = sl_err_set(err, SL_EINVAL, where,
                                    "TIMESTAMP needs a field, a format and an EXPR above it");
                    continue;
                }
                rc = ng_ts_add(&f.ts[f.n - 1], "TIMESTAMP ", rest, fmt, where, err);
                if (!rc && !captures(f.g[f.n - 1], f.ts[f.n - 1].v[f.ts[f.n - 1].n - 1].field))
                    rc = sl_err_set(err, SL_EINVAL, where,
                                    "TIMESTAMP %s: expression %s does not capture it", rest,
                                    f.names[f.n - 1]);
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
        ng->ts = f.ts;
        ng->names = f.names;
        ng_names(ng);
        ng_lead_build(ng);
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

int norm_grok_add_timestamp(struct grammar *g, const char *field, const char *format,
                            struct sl_err *err)
{
    struct norm_grok *ng;
    const char *path;
    size_t i;
    int rc;

    if (!g || grammar_ops_of(g) != &norm_grok_ops)
        return sl_err_set(err, SL_EINVAL, "", "timestamp rules are for grok grammars");
    ng = grammar_impl(g);
    rc = ng_ts_add(&ng->common, "", field, format, "", err);
    if (rc)
        return rc;
    path = ng->common.v[ng->common.n - 1].field;
    for (i = 0; i < ng->n && !captures(ng->g[i], path); i++)
        ;
    if (i == ng->n) {
        ng->common.n--;
        sl_free(ng->common.v[ng->common.n].field);
        datefmt_free(ng->common.v[ng->common.n].fmt);
        return sl_err_set(err, SL_EINVAL, "", "no expression of grammar %s captures %s",
                          grammar_name(g), field);
    }
    return 0;
}
