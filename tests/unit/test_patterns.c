/* tests/unit/test_patterns.c: the pattern library in grammars/patterns,
 * checked against the samples in grammars/patterns/tests/ (NAME.tsv; the
 * format is described at the top of each). Every sample runs twice, with the JIT
 * and with the interpreter, and both must agree. Every pattern must compile
 * on its own and have at least one sample that matches and one that does
 * not. A failure prints the sample's file:line. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "parser/builtin.h"
#include "parser/fields.h"
#include "parser/grok.h"
#include "parser/grok_lib.h"
#include "tests/unit/tu.h"

#define SAMPLE_MAX 8192                 /* bytes of one sample input */
#define FIELDS_MAX 64

enum verdict { V_MATCH, V_NOMATCH, V_FIND, V_NOFIND };

struct emitted {
    size_t        n;
    char          path[FIELDS_MAX][128];
    enum fld_type type[FIELDS_MAX];
    char          val[FIELDS_MAX][1024];
};

struct cover {
    char name[GROK_NAME_MAX + 1];
    int  pos, neg;
};

static struct grok_lib *L;
static struct grok_scratch *S;
static char Dir[1024];
static struct cover *Cov;
static size_t NCov;
static unsigned Samples, Files;

static int collect(void *arg, const struct fld_name *name, enum fld_type type, const char *val,
                   size_t len)
{
    struct emitted *e = arg;

    if (e->n < FIELDS_MAX) {
        snprintf(e->path[e->n], sizeof e->path[0], "%s", name->path);
        e->type[e->n] = type;
        snprintf(e->val[e->n], sizeof e->val[0], "%.*s", (int)len, val);
        e->n++;
    }
    return 0;
}

static struct cover *cover(const char *name)
{
    for (size_t i = 0; i < NCov; i++)
        if (strcmp(Cov[i].name, name) == 0)
            return &Cov[i];
    return NULL;
}

static int suite_init(void)
{
    const char *src = getenv("srcdir");
    struct sl_err err;

    snprintf(Dir, sizeof Dir, "%s/grammars/patterns", src ? src : ".");
    L = grok_lib_new();
    if (grok_lib_load_dir(L, Dir, &err)) {
        fprintf(stderr, "%s: %s\n", err.where, err.msg);
        return 1;
    }
    NCov = grok_lib_count(L);
    Cov = calloc(NCov ? NCov : 1, sizeof *Cov);
    for (size_t i = 0; i < NCov; i++)
        snprintf(Cov[i].name, sizeof Cov[i].name, "%s", grok_lib_name(L, i));
    S = grok_scratch_new();
    return 0;
}

static int suite_clean(void)
{
    grok_scratch_free(S);
    grok_lib_free(L);
    free(Cov);
    return 0;
}

/* The file's escapes, in place: \\ \t \n \r \xHH. -1: a bad escape. */
static int unescape(char *s, size_t *len)
{
    char *o = s;
    const char *p = s;

    while (*p) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        switch (p[1]) {
        case '\\': *o++ = '\\'; p += 2; break;
        case 't': *o++ = '\t'; p += 2; break;
        case 'n': *o++ = '\n'; p += 2; break;
        case 'r': *o++ = '\r'; p += 2; break;
        case 'x': {
            char hex[3] = { p[2], p[2] ? p[3] : 0, 0 }, *end;
            long v = strtol(hex, &end, 16);
            if (end != hex + 2)
                return -1;
            *o++ = (char)v;
            p += 4;
            break;
        }
        default:
            return -1;
        }
    }
    *o = '\0';
    *len = (size_t)(o - s);
    return 0;
}

/* Runs one sample with one engine; 0 when it holds. */
static int check_one(const char *where, const char *pat, const char *in, size_t inlen,
                     enum verdict v, char **want, int nwant, int no_jit)
{
    char expr[GROK_NAME_MAX + 32];
    struct grok_opts o;
    struct grok *g;
    struct sl_err err;
    struct emitted e;
    enum grok_result r;
    int bad = 0, expect_match = v == V_MATCH || v == V_FIND;

    grok_opts_default(&o);
    o.no_jit = no_jit;
    o.keep_empty = 1;                               /* so a find may expect _= */
    if (v == V_MATCH || v == V_NOMATCH)
        snprintf(expr, sizeof expr, "\\A%%{%s}\\z", pat);
    else
        snprintf(expr, sizeof expr, "%%{%s:_}", pat);
    if (grok_compile(&g, L, expr, &o, where, &err))
        return tu_fail_at(where, "%s: %s", pat, err.msg);
    memset(&e, 0, sizeof e);
    r = grok_match(g, S, in, inlen, collect, &e);
    grok_free(g);
    if (r != GROK_MATCH && r != GROK_NOMATCH)
        return tu_fail_at(where, "%s: limit or error on `%s`", pat, in);
    if ((r == GROK_MATCH) != expect_match)
        return tu_fail_at(where, "%s: expected %s", pat, expect_match ? "a match" : "no match");
    for (int i = 0; i < nwant && r == GROK_MATCH; i++) {
        char *w = want[i], *eq, *colon;
        size_t vlen;
        enum fld_type type = FLD_STRING;
        int absent = w[0] == '-', found = 0, typed = 0;

        if (absent) {
            for (size_t k = 0; k < e.n; k++)
                if (strcmp(e.path[k], w + 1) == 0)
                    bad |= tu_fail_at(where, "field %s should be absent, is `%s`", w + 1, e.val[k]);
            continue;
        }
        eq = strchr(w, '=');
        if (!eq) {
            bad |= tu_fail_at(where, "expectation `%s` has no =", w);
            continue;
        }
        *eq = '\0';
        colon = strchr(w, ':');
        if (colon) {
            *colon = '\0';
            typed = 1;
            type = strcmp(colon + 1, "int") == 0 ? FLD_INT : FLD_FLOAT;
        }
        if (unescape(eq + 1, &vlen))
            bad |= tu_fail_at(where, "bad escape in `%s`", eq + 1);
        for (size_t k = 0; k < e.n && !found; k++) {
            if (strcmp(e.path[k], w) != 0)
                continue;
            found = 1;
            if (strcmp(e.val[k], eq + 1) != 0)
                bad |= tu_fail_at(where, "field %s is `%s`", w, e.val[k]);
            if (typed && e.type[k] != type)
                bad |= tu_fail_at(where, "field %s has the wrong type", w);
        }
        if (!found)
            bad |= tu_fail_at(where, "field %s missing (wanted `%s`)", w, eq + 1);
        *eq = '=';
        if (colon)
            *colon = ':';
    }
    return bad;
}

/* Runs every sample of one file; returns the number that failed. */
static unsigned run_file(const char *path, unsigned *bad_lines)
{
    char *text = tu_read_file(path, NULL), *cur = text, *line;
    char where[1600], input[SAMPLE_MAX];
    unsigned lineno = 0, failed = 0;

    if (!text) {
        fprintf(stderr, "\n  cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    while ((line = tu_next_line(&cur)) != NULL) {
        char *field[FIELDS_MAX + 3], *p = line;
        int n = 0;
        size_t inlen;
        enum verdict v;
        struct cover *c;

        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        snprintf(where, sizeof where, "%s:%u", path, lineno);
        while (n < FIELDS_MAX + 3) {
            field[n++] = p;
            p = strchr(p, '\t');
            if (!p)
                break;
            *p++ = '\0';
        }
        if (n < 3) {
            tu_fail_at(where, "needs PATTERN, input and verdict");
            (*bad_lines)++;
            continue;
        }
        if (strcmp(field[2], "match") == 0)
            v = V_MATCH;
        else if (strcmp(field[2], "nomatch") == 0)
            v = V_NOMATCH;
        else if (strcmp(field[2], "find") == 0)
            v = V_FIND;
        else if (strcmp(field[2], "nofind") == 0)
            v = V_NOFIND;
        else {
            tu_fail_at(where, "verdict `%s`?", field[2]);
            (*bad_lines)++;
            continue;
        }
        c = cover(field[0]);
        if (!c) {
            tu_fail_at(where, "no pattern named %s", field[0]);
            (*bad_lines)++;
            continue;
        }
        if (strlen(field[1]) >= sizeof input) {
            tu_fail_at(where, "input longer than %zu bytes", sizeof input - 1);
            (*bad_lines)++;
            continue;
        }
        snprintf(input, sizeof input, "%s", field[1]);
        if (unescape(input, &inlen)) {
            tu_fail_at(where, "bad escape in `%s`", field[1]);
            (*bad_lines)++;
            continue;
        }
        if (v == V_MATCH || v == V_FIND)
            c->pos++;
        else
            c->neg++;
        Samples++;
        if (check_one(where, field[0], input, inlen, v, field + 3, n - 3, 0) ||
            check_one(where, field[0], input, inlen, v, field + 3, n - 3, 1))
            failed++;
    }
    free(text);
    return failed;
}

static int tsv(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return n > 4 && strcmp(d->d_name + n - 4, ".tsv") == 0;
}

static void t_every_pattern_compiles(void)
{
    struct sl_err err;
    char expr[GROK_NAME_MAX + 8];

    CU_ASSERT(NCov >= 90);
    for (size_t i = 0; i < NCov; i++) {
        struct grok *g;
        snprintf(expr, sizeof expr, "%%{%s}", Cov[i].name);
        if (grok_compile(&g, L, expr, NULL, "test", &err)) {
            fprintf(stderr, "\n  %s: %s: %s\n", Cov[i].name, err.where, err.msg);
            CU_FAIL("a pattern does not compile");
            continue;
        }
        CU_ASSERT(grok_jit(g));
        grok_free(g);
    }
}

static void t_samples(void)
{
    struct dirent **names;
    char tdir[1100], path[1400];
    unsigned failed = 0, bad_lines = 0;
    int n;

    snprintf(tdir, sizeof tdir, "%s/tests", Dir);
    n = scandir(tdir, &names, tsv, alphasort);
    CU_ASSERT_FATAL(n > 0);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", tdir, names[i]->d_name);
        failed += run_file(path, &bad_lines);
        Files++;
        free(names[i]);
    }
    free(names);
    CU_ASSERT_EQUAL(bad_lines, 0);
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT(Samples >= 2 * NCov);
    fprintf(stderr, " (%u samples in %u files, %u failed) ", Samples, Files, failed);
}

static void t_every_pattern_has_both(void)
{
    for (size_t i = 0; i < NCov; i++) {
        if (Cov[i].pos && Cov[i].neg)
            continue;
        fprintf(stderr, "\n  %s: no sample that %s\n", Cov[i].name,
                Cov[i].pos ? "fails to match" : "matches");
        CU_FAIL("a pattern lacks a positive or a negative sample");
    }
}

/* The compiled-in library (scripts/embed-grammars at build time) is exactly
 * what grammars/patterns holds now: the same names in the same order, the
 * same regexes, each from the same file and line. */
static void t_builtin_is_the_directory(void)
{
    struct grok_lib *b = grok_lib_new();
    struct sl_err err;
    size_t nfiles = 0;

    CU_ASSERT_EQUAL_FATAL(builtin_patterns_load(b, &err), 0);
    CU_ASSERT_EQUAL(grok_lib_count(b), NCov);
    for (size_t i = 0; i < NCov && i < grok_lib_count(b); i++) {
        const char *name = grok_lib_name(L, i), *wd = NULL, *wb = NULL;
        const char *rd = grok_lib_get(L, name, &wd), *rb = grok_lib_get(b, name, &wb);
        const char *fd = strrchr(wd, '/'), *fb = strrchr(wb, '/');

        TU_ASSERT_STR(grok_lib_name(b, i), name);
        CU_ASSERT_FATAL(rb != NULL);
        if (strcmp(rd, rb) != 0)
            fprintf(stderr, "\n  %s differs: rebuild (make) to embed grammars/patterns again\n",
                    name);
        TU_ASSERT_STR(rb, rd);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fd);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fb);
        TU_ASSERT_STR(fb, fd);                          /* "/httpd.grok:12" */
        CU_ASSERT(strncmp(wb, "builtin:grammars/patterns/", 26) == 0);
    }
    for (const struct builtin_file *f = builtin_pattern_files; f->name; f++)
        nfiles++;
    CU_ASSERT(nfiles >= 3);
    grok_lib_free(b);
}

static CU_TestInfo tests[] = {
    { "every pattern compiles on its own, with the JIT", t_every_pattern_compiles },
    { "every sample gives its verdict and fields, JIT and interpreter alike", t_samples },
    { "every pattern has a sample that matches and one that does not", t_every_pattern_has_both },
    { "the compiled-in library is grammars/patterns: same names, order, regexes, file:line",
      t_builtin_is_the_directory },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "patterns: grammars/patterns", suite_init, suite_clean, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
