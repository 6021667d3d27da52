/* tests/unit/test_grok.c: parser/fields.c, parser/grok_lib.c, parser/grok.c.
 * Expressions are checked through what they emit (field paths, types,
 * values); errors through where they point (file:line, pattern, offset).
 * The pattern library's own samples are test_patterns.c's. */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/mem.h"
#include "parser/fields.h"
#include "parser/grammar.h"
#include "parser/grok.h"
#include "parser/grok_lib.h"
#include "parser/grok_req.h"
#include "parser/norm.h"
#include "tests/unit/tu.h"

/* ---- what an expression emitted ---- */

#define GOT_MAX 64

struct got {
    size_t        n;
    int           stop_after;       /* >0: ask to stop after this many */
    char          path[GOT_MAX][128];
    enum fld_type type[GOT_MAX];
    char          val[GOT_MAX][256];
};

static int collect(void *arg, const struct fld_name *name, enum fld_type type, const char *val,
                   size_t len)
{
    struct got *g = arg;

    if (g->n < GOT_MAX) {
        snprintf(g->path[g->n], sizeof g->path[0], "%s", name->path);
        g->type[g->n] = type;
        snprintf(g->val[g->n], sizeof g->val[0], "%.*s", (int)len, val);
        g->n++;
    }
    return g->stop_after > 0 && g->n >= (size_t)g->stop_after;
}

/* The value of path, or NULL. */
static const char *field(const struct got *g, const char *path, enum fld_type *type)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->path[i], path) == 0) {
            if (type)
                *type = g->type[i];
            return g->val[i];
        }
    return NULL;
}

static struct grok_lib *L;          /* the library in grammars/patterns */
static struct grok_scratch *S;
static struct sl_err E;
static char Tmp[256];

static int suite_init(void)
{
    const char *src = getenv("srcdir");
    char dir[1024];

    snprintf(dir, sizeof dir, "%s/grammars/patterns", src ? src : ".");
    L = grok_lib_new();
    if (grok_lib_load_dir(L, dir, &E)) {
        fprintf(stderr, "%s: %s\n", E.where, E.msg);
        return 1;
    }
    S = grok_scratch_new();
    snprintf(Tmp, sizeof Tmp, "/tmp/test_grok.%d", (int)getpid());
    mkdir(Tmp, 0700);
    return 0;
}

static int suite_clean(void)
{
    char cmd[512];

    grok_scratch_free(S);
    grok_lib_free(L);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", Tmp);
    return system(cmd) == 0 ? 0 : 1;
}

/* Compiles expr with L (or lib) and matches line; the result, fields in *g. */
static enum grok_result run_lib(const struct grok_lib *lib, const char *expr, const char *line,
                                struct got *g)
{
    struct grok *k;
    enum grok_result r;

    memset(g, 0, sizeof *g);
    if (grok_compile(&k, lib, expr, NULL, "test", &E)) {
        fprintf(stderr, "\n  compile %s: %s: %s\n", expr, E.where, E.msg);
        return GROK_ERROR;
    }
    r = grok_match(k, S, line, strlen(line), collect, g);
    grok_free(k);
    return r;
}

static enum grok_result run(const char *expr, const char *line, struct got *g)
{
    return run_lib(L, expr, line, g);
}

/* Compiling expr fails; E holds the error. */
static int fails(const struct grok_lib *lib, const char *expr)
{
    struct grok *k = NULL;
    int rc;

    sl_err_clear(&E);
    rc = grok_compile(&k, lib, expr, NULL, "grammar.grok:7", &E);
    grok_free(k);
    if (!rc)
        fprintf(stderr, "\n  expected %s to fail\n", expr);
    return rc != 0 && k == NULL;
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", Tmp, name);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

/* ---- field names ---- */

static void t_name_plain(void)
{
    struct fld_name n;

    CU_ASSERT_EQUAL_FATAL(fld_name_parse(&n, "user", 4, &E), 0);
    TU_ASSERT_STR(n.path, "user");
    CU_ASSERT_EQUAL(n.depth, 1);
    CU_ASSERT_EQUAL(n.key_len[0], 4);
    TU_ASSERT_STR(n.key[0], "user");
    fld_name_free(&n);
    fld_name_free(&n);                              /* twice: zeroed, still fine */
}

static void t_name_dotted_and_brackets(void)
{
    static const char *same[] = { "source.ip", "[source][ip]", "[source.ip]" };
    struct fld_name n;

    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL_FATAL(fld_name_parse(&n, same[i], strlen(same[i]), &E), 0);
        TU_ASSERT_STR(n.path, "source.ip");
        CU_ASSERT_EQUAL(n.depth, 2);
        TU_ASSERT_STR(n.key[0], "source");
        TU_ASSERT_STR(n.key[1], "ip");
        CU_ASSERT_EQUAL(n.key_len[1], 2);
        fld_name_free(&n);
    }
    CU_ASSERT_EQUAL_FATAL(fld_name_parse(&n, "[a][b][c]", 9, &E), 0);
    TU_ASSERT_STR(n.path, "a.b.c");
    CU_ASSERT_EQUAL(n.depth, 3);
    TU_ASSERT_STR(n.key[2], "c");
    fld_name_free(&n);
}

static void t_name_at_and_odd_bytes(void)
{
    struct fld_name n;

    CU_ASSERT_EQUAL_FATAL(fld_name_parse(&n, "@metadata", 9, &E), 0);
    TU_ASSERT_STR(n.path, "@metadata");
    fld_name_free(&n);
    CU_ASSERT_EQUAL_FATAL(fld_name_parse(&n, "[@metadata][x-y]", 16, &E), 0);
    TU_ASSERT_STR(n.path, "@metadata.x-y");
    fld_name_free(&n);
    /* Only the first len bytes count. */
    CU_ASSERT_EQUAL_FATAL(fld_name_parse(&n, "http.request.method", 12, &E), 0);
    TU_ASSERT_STR(n.path, "http.request");
    fld_name_free(&n);
}

static void t_name_bad(void)
{
    static const char *bad[] = {
        "", "[a", "a..b", ".a", "a.", "[]", "[a]b", "a[b]", "[a][", "[a][]", "[a.][b]",
        "a.b.c.d.e.f.g.h.i", "[a][b][c][d][e][f][g][h][i]", "a\tb", "x]",
    };
    struct fld_name n;
    char long_name[FLD_NAME_MAX + 2];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_err_clear(&E);
        int rc = fld_name_parse(&n, bad[i], strlen(bad[i]), &E);
        if (rc != SL_EINVAL)
            fprintf(stderr, "\n  `%s` was accepted\n", bad[i]);
        CU_ASSERT_EQUAL(rc, SL_EINVAL);
        CU_ASSERT(E.msg[0] != '\0');
        CU_ASSERT_PTR_NULL(n.keys_buf);
    }
    memset(long_name, 'a', sizeof long_name);
    CU_ASSERT_EQUAL(fld_name_parse(&n, long_name, FLD_NAME_MAX + 1, &E), SL_EINVAL);
    TU_ASSERT_HAS(E.msg, "longer");
    CU_ASSERT_EQUAL(fld_name_parse(&n, "a.b.c.d.e.f.g.h", 15, &E), 0);    /* 8 levels: fine */
    CU_ASSERT_EQUAL(n.depth, 8);
    fld_name_free(&n);
}

/* ---- expressions ---- */

static void t_named_capture(void)
{
    struct got g;

    CU_ASSERT_EQUAL(run("%{WORD:verb} %{NOTSPACE:request}", "GET /index.html", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(g.n, 2);
    TU_ASSERT_STR(field(&g, "verb", NULL), "GET");
    TU_ASSERT_STR(field(&g, "request", NULL), "/index.html");
    CU_ASSERT_EQUAL(run("%{WORD:verb} %{NOTSPACE:request}", "GET", &g), GROK_NOMATCH);
    CU_ASSERT_EQUAL(g.n, 0);
}

/* One buffer, two lines of the same length: what was learnt about the
 * first (no newline, so a leading literal rules it out) must not be used for
 * the second, with or without grok_scratch_line around them. */
static void t_line_facts_not_stale(void)
{
    struct grok *k;
    struct got g;
    char buf[16];

    CU_ASSERT_FATAL(grok_compile(&k, L, "^Accepted %{NOTSPACE:m}", NULL, "test", &E) == 0);
    for (int with = 0; with < 2; with++) {
        memset(&g, 0, sizeof g);
        strcpy(buf, "zzzzzzzzzzzzz");
        if (with)
            grok_scratch_line(S, buf, 13);
        CU_ASSERT_EQUAL(grok_match(k, S, buf, 13, collect, &g), GROK_NOMATCH);
        if (with)
            grok_scratch_line(S, NULL, 0);
        strcpy(buf, "z\nAccepted ok");
        if (with)
            grok_scratch_line(S, buf, 13);
        CU_ASSERT_EQUAL(grok_match(k, S, buf, 13, collect, &g), GROK_MATCH);
        TU_ASSERT_STR(field(&g, "m", NULL), "ok");
        /* the same for UTF-8: a valid line, then a Latin-1 one */
        strcpy(buf, "Accepted caf\xc3\xa9");
        if (with)
            grok_scratch_line(S, buf, 14);
        memset(&g, 0, sizeof g);
        CU_ASSERT_EQUAL(grok_match(k, S, buf, 14, collect, &g), GROK_MATCH);
        TU_ASSERT_STR(field(&g, "m", NULL), "caf\xc3\xa9");
        if (with)
            grok_scratch_line(S, NULL, 0);
        strcpy(buf, "Accepted caf\xe9x");
        if (with)
            grok_scratch_line(S, buf, 14);
        memset(&g, 0, sizeof g);
        CU_ASSERT_EQUAL(grok_match(k, S, buf, 14, collect, &g), GROK_MATCH);
        TU_ASSERT_STR(field(&g, "m", NULL), "caf\xc3\xa9x");      /* transcoded from Latin-1 */
        if (with)
            grok_scratch_line(S, NULL, 0);
    }
    grok_free(k);
}

/* A leading literal lets a miss skip PCRE2; what it skips must be exactly
 * what PCRE2 would have missed: quantified characters are not in it, and
 * multiline's ^ may still match after a newline. */
static void t_literal_prefix(void)
{
    struct got g;

    CU_ASSERT_EQUAL(run("^Accepted %{WORD:m}", "Accepted password", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(run("^Accepted %{WORD:m}", "Failed password", &g), GROK_NOMATCH);
    CU_ASSERT_EQUAL(run("^Accepted %{WORD:m}", "Accept", &g), GROK_NOMATCH);
    CU_ASSERT_EQUAL(run("^Accepted %{WORD:m}", "noise\nAccepted password", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "m", NULL), "password");
    CU_ASSERT_EQUAL(run("^ab?c %{WORD:w}", "ac x", &g), GROK_MATCH);     /* b optional */
    CU_ASSERT_EQUAL(run("^ab*c %{WORD:w}", "abbbc x", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(run("^a{2} %{WORD:w}", "aa x", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(run("^\\[UFW %{WORD:w}\\]", "[UFW BLOCK]", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(run("^\\[UFW %{WORD:w}\\]", "[UFX BLOCK]", &g), GROK_NOMATCH);
    CU_ASSERT_EQUAL(run("^\\d+ %{WORD:w}", "12 x", &g), GROK_MATCH);  /* \d: no literal */
    CU_ASSERT_EQUAL(run("^(?:a|b)c %{WORD:w}", "bc x", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(run("^caf\xc3\xa9 %{WORD:w}", "caf\xc3\xa9 x", &g), GROK_MATCH);
    /* `^` before a top-level `|` anchors the first branch only */
    CU_ASSERT_EQUAL(run("^Accepted %{WORD:m}|Failed %{WORD:m}", "x Failed y", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "m", NULL), "y");
}

/* The required literal: what grok_req_literal proves must be in every match.
 * A literal it names that a match can lack would lose lines, so each form
 * that makes text optional (quantifiers, alternation, lookaround, case
 * folding, escapes that eat the characters after them) is checked. */
static const char *req(const char *re)
{
    static char out[GROK_REQ_MAX + 1];
    size_t n = grok_req_literal(re, strlen(re), out, GROK_REQ_MAX);

    out[n] = '\0';
    return out;
}

static void t_required_literal(void)
{
    TU_ASSERT_STR(req("(?:x)?IN=(?<g0>\\S+) PROTO=TCP SPT=(?<g1>\\d+)"), " PROTO=TCP SPT=");
    TU_ASSERT_STR(req("abc|defghi"), "");                   /* top-level alternation */
    TU_ASSERT_STR(req("(?:abcdef|x)yz"), "yz");             /* alternation inside a group */
    TU_ASSERT_STR(req("(?:abcdef)?yz"), "yz");              /* quantified group */
    TU_ASSERT_STR(req("(?:abcdef){2}yz"), "yz");
    TU_ASSERT_STR(req("(?:abc(?:defg)hi)"), "defg");        /* plain groups are entered */
    TU_ASSERT_STR(req("(?<g0>abcdef)x"), "abcdef");
    TU_ASSERT_STR(req("abcdex?"), "abcde");                 /* the quantified x is not */
    TU_ASSERT_STR(req("abcdex{0,1}"), "abcde");
    TU_ASSERT_STR(req("abcdex*?yz"), "abcde");
    TU_ASSERT_STR(req("ab{x}cdefg"), "x}cdefg");            /* a literal { ends a run (safe, not needed) */
    TU_ASSERT_STR(req("(?=abcdef)ab"), "ab");               /* lookahead: not counted */
    TU_ASSERT_STR(req("(?<!abcdef)ab"), "ab");
    TU_ASSERT_STR(req("ab(?i)cdefgh"), "ab");               /* case folding from there */
    TU_ASSERT_STR(req("(?i:abcdefgh)ab"), "ab");
    TU_ASSERT_STR(req("\\x41BCDEFGH(?:z)ab"), "ab");        /* the letters after \x belong to it */
    TU_ASSERT_STR(req("\\d{2}abc"), "abc");
    TU_ASSERT_STR(req("\\[UFW \\(x\\)"), "[UFW (x)");       /* escaped punctuation is literal */
    TU_ASSERT_STR(req("[]abcdef]+xy"), "xy");               /* ] first in a class is a member */
    TU_ASSERT_STR(req("[[:alpha:]abcdef]xy"), "xy");
    TU_ASSERT_STR(req("\\Qabcdef\\E"), "");                 /* not understood: nothing */
    TU_ASSERT_STR(req("(abc"), "");
    TU_ASSERT_STR(req("abc)"), "");
    TU_ASSERT_STR(req("caf\xc3\xa9s au lait"), "s au lait");  /* ASCII only */
    TU_ASSERT_STR(req("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF?"),
                  "abcdefghijklmnopqrstuvwxyz012345");      /* cut at the buffer, still required */
}

/* grok_req_find gives memmem's answer at every position and length, around
 * the 16-byte blocks and with near misses (first and last bytes right). */
static void t_required_literal_find(void)
{
    char hay[80], lit[8] = "PRO_=TC";
    const char *near = "PROx=TC";

    for (size_t n = 0; n < sizeof hay; n++) {
        for (size_t at = 0; at + 7 <= n + 7; at++) {
            memset(hay, 'a', sizeof hay);
            for (size_t k = 0; k + 7 <= n; k += 9)
                memcpy(hay + k, near, 7);          /* candidates that fail */
            if (at + 7 <= n)
                memcpy(hay + at, lit, 7);
            CU_ASSERT_EQUAL(grok_req_find(hay, n, lit, 7), memmem(hay, n, lit, 7) != NULL);
            if (at + 7 > n)
                break;
        }
    }
    CU_ASSERT(grok_req_find("abcd", 4, "abcd", 4));
    CU_ASSERT(!grok_req_find("abc", 3, "abcd", 4));
    CU_ASSERT(grok_req_find("xx", 2, "", 0));
}

/* End to end: the literal skips only lines PCRE2 would miss. */
static void t_required_literal_match(void)
{
    struct got g;
    const char *tcp = "%{WORD:a}(?: %{WORD:b})? PROTO=TCP SPT=%{INT:p}";

    CU_ASSERT_EQUAL(run(tcp, "x y PROTO=TCP SPT=1", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "p", NULL), "1");
    CU_ASSERT_EQUAL(run(tcp, "x y PROTO=UDP SPT=1", &g), GROK_NOMATCH);
    CU_ASSERT_EQUAL(run("%{WORD:a} (?i)proto=tcp", "x PROTO=TCP", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(run("%{WORD:a} (?:PROTO=TCP)?end", "x end", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(run("%{WORD:a} PROTO=TCP\\x41", "x PROTO=TCPA", &g), GROK_MATCH);
    /* A line that is not UTF-8 is transcoded; the ASCII literal is where it was. */
    CU_ASSERT_EQUAL(run("%{DATA:a} PROTO=TCP %{WORD:w}$", "\xff\xfe PROTO=TCP ok", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "w", NULL), "ok");
}

static void t_nested_names(void)
{
    struct got g;

    CU_ASSERT_EQUAL(run("%{IP:[source][ip]}:%{POSINT:source.port:int} %{WORD:@x}",
                        "10.1.2.3:514 hi", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "source.ip", NULL), "10.1.2.3");
    TU_ASSERT_STR(field(&g, "source.port", NULL), "514");
    TU_ASSERT_STR(field(&g, "@x", NULL), "hi");
}

static void t_unnamed_emit_nothing(void)
{
    struct got g;

    /* IPORHOST holds %{IP} and plain groups; URIHOST names port itself. */
    CU_ASSERT_EQUAL(run("%{IPORHOST} (x)(?:y)", "example.org xy", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(g.n, 0);
    CU_ASSERT_EQUAL(run("%{URIHOST:h}", "example.org:8080", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(g.n, 2);
    TU_ASSERT_STR(field(&g, "h", NULL), "example.org:8080");
    TU_ASSERT_STR(field(&g, "port", NULL), "8080");
}

static void t_inline_groups(void)
{
    struct got g;

    CU_ASSERT_EQUAL(run("(?<queue_id>[0-9A-F]{10,11}): (?<[a][b]>\\w+) (?<c.d>\\w+) (?'@e'\\w+) "
                        "(?P<f>\\w+)", "BEF25A72965: x y z w", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(g.n, 5);
    TU_ASSERT_STR(field(&g, "queue_id", NULL), "BEF25A72965");
    TU_ASSERT_STR(field(&g, "a.b", NULL), "x");
    TU_ASSERT_STR(field(&g, "c.d", NULL), "y");
    TU_ASSERT_STR(field(&g, "@e", NULL), "z");
    TU_ASSERT_STR(field(&g, "f", NULL), "w");
}

static void t_inline_group_typed(void)
{
    struct got g;
    enum fld_type t;

    CU_ASSERT_EQUAL(run("(?<n:int>\\d+)", "0042", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "n", &t), "42");
    CU_ASSERT_EQUAL(t, FLD_INT);
}

static void t_same_field_twice(void)
{
    struct got g;

    CU_ASSERT_EQUAL(run("(?:%{INT:v}|%{WORD:v})!", "abc!", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(g.n, 1);
    TU_ASSERT_STR(field(&g, "v", NULL), "abc");
    CU_ASSERT_EQUAL(run("(?:%{INT:v}|%{WORD:v})!", "12!", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "v", NULL), "12");
    /* Both take part: the first wins, the field is emitted once. */
    CU_ASSERT_EQUAL(run("%{WORD:v} %{WORD:[v]}", "one two", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(g.n, 1);
    TU_ASSERT_STR(field(&g, "v", NULL), "one");
}

static void t_empty_capture_skipped(void)
{
    struct got g;
    struct grok *k;
    struct grok_opts o;

    CU_ASSERT_EQUAL(run("a%{DATA:x}b %{WORD:y}", "ab z", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(g.n, 1);
    CU_ASSERT_PTR_NULL(field(&g, "x", NULL));
    grok_opts_default(&o);
    o.keep_empty = 1;
    CU_ASSERT_EQUAL_FATAL(grok_compile(&k, L, "a%{DATA:x}b %{WORD:y}", &o, "t", &E), 0);
    memset(&g, 0, sizeof g);
    CU_ASSERT_EQUAL(grok_match(k, S, "ab z", 4, collect, &g), GROK_MATCH);
    CU_ASSERT_EQUAL(g.n, 2);
    TU_ASSERT_STR(field(&g, "x", NULL), "");
    grok_free(k);
}

static void t_field_order_and_list(void)
{
    struct grok *k;
    struct got g;
    enum fld_type t;

    CU_ASSERT_EQUAL_FATAL(grok_compile(&k, L, "%{WORD:b} %{INT:a:int} (?:%{WORD:b}|x)", NULL, "t",
                                       &E), 0);
    CU_ASSERT_EQUAL(grok_field_count(k), 2);
    TU_ASSERT_STR(grok_field(k, 0, &t)->path, "b");
    CU_ASSERT_EQUAL(t, FLD_STRING);
    TU_ASSERT_STR(grok_field(k, 1, &t)->path, "a");
    CU_ASSERT_EQUAL(t, FLD_INT);
    CU_ASSERT_PTR_NULL(grok_field(k, 2, NULL));
    memset(&g, 0, sizeof g);
    CU_ASSERT_EQUAL(grok_match(k, S, "w 5 x", 5, collect, &g), GROK_MATCH);
    TU_ASSERT_STR(g.path[0], "b");
    TU_ASSERT_STR(g.path[1], "a");
    TU_ASSERT_STR(grok_expr(k), "%{WORD:b} %{INT:a:int} (?:%{WORD:b}|x)");
    CU_ASSERT(strstr(grok_expanded(k, NULL), "(?<g0>") != NULL);
    grok_free(k);
}

static void t_emit_stop(void)
{
    struct grok *k;
    struct got g;

    CU_ASSERT_EQUAL_FATAL(grok_compile(&k, L, "%{WORD:a} %{WORD:b} %{WORD:c}", NULL, "t", &E), 0);
    memset(&g, 0, sizeof g);
    g.stop_after = 1;
    CU_ASSERT_EQUAL(grok_match(k, S, "x y z", 5, collect, &g), GROK_LIMIT);
    CU_ASSERT_EQUAL(g.n, 1);
    memset(&g, 0, sizeof g);
    CU_ASSERT_EQUAL(grok_match(k, S, "x y z", 5, collect, &g), GROK_MATCH);
    CU_ASSERT_EQUAL(g.n, 3);
    CU_ASSERT_EQUAL(grok_match(k, S, "x y z", 5, NULL, NULL), GROK_MATCH);
    grok_free(k);
}

static void t_int_values(void)
{
    static const struct { const char *in, *out; enum fld_type t; } c[] = {
        { "42", "42", FLD_INT }, { "+007", "7", FLD_INT }, { "-0", "0", FLD_INT },
        { "000", "0", FLD_INT }, { "-12", "-12", FLD_INT }, { "-012", "-12", FLD_INT },
        { "9223372036854775807", "9223372036854775807", FLD_INT },
        { "-9223372036854775808", "-9223372036854775808", FLD_INT },
        { "9223372036854775808", "9223372036854775808", FLD_STRING },
        { "00000000000000000000000001", "1", FLD_INT },
        { "12abc", "12abc", FLD_STRING }, { "1.5", "1.5", FLD_STRING }, { "-", "-", FLD_STRING },
        { "0x1f", "0x1f", FLD_STRING },
    };
    struct got g;
    enum fld_type t;

    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        t = FLD_JSON;                               /* no grok emits it */
        CU_ASSERT_EQUAL(run("^%{NOTSPACE:n:int}$", c[i].in, &g), GROK_MATCH);
        TU_ASSERT_STR(field(&g, "n", &t), c[i].out);
        if (t != c[i].t)
            fprintf(stderr, "\n  %s: type %d\n", c[i].in, (int)t);
        CU_ASSERT_EQUAL(t, c[i].t);
    }
}

static void t_float_values(void)
{
    static const struct { const char *in, *out; enum fld_type t; } c[] = {
        { "1.5", "1.5", FLD_FLOAT }, { ".5", "0.5", FLD_FLOAT }, { "-.5", "-0.5", FLD_FLOAT },
        { "+1.50", "1.50", FLD_FLOAT }, { "5.", "5", FLD_FLOAT }, { "007.25", "7.25", FLD_FLOAT },
        { "1E+3", "1E+3", FLD_FLOAT }, { "2e-5", "2e-5", FLD_FLOAT }, { "-0.0", "0.0", FLD_FLOAT },
        { "12", "12", FLD_FLOAT }, { "1e308", "1e308", FLD_FLOAT },
        { "1e309", "1e309", FLD_STRING }, { "0.1e309", "0.1e309", FLD_FLOAT },
        { "1.7976931348623157e308", "1.7976931348623157e308", FLD_FLOAT },
        { "1.8e308", "1.8e308", FLD_STRING }, { "180e306", "180e306", FLD_STRING },
        { "0.00018e312", "0.00018e312", FLD_STRING }, { "1e-400", "1e-400", FLD_FLOAT },
        { "0e999", "0e999", FLD_FLOAT }, { "1e", "1e", FLD_STRING }, { ".", ".", FLD_STRING },
        { "NaN", "NaN", FLD_STRING }, { "1.2.3", "1.2.3", FLD_STRING },
        { "0.0000000000000000000000000000000000000000000000000000000000000000001",
          "0.0000000000000000000000000000000000000000000000000000000000000000001", FLD_STRING },
    };
    struct got g;
    enum fld_type t;

    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        t = FLD_JSON;                               /* no grok emits it */
        CU_ASSERT_EQUAL(run("^%{NOTSPACE:n:float}$", c[i].in, &g), GROK_MATCH);
        TU_ASSERT_STR(field(&g, "n", &t), c[i].out);
        if (t != c[i].t)
            fprintf(stderr, "\n  %s: type %d\n", c[i].in, (int)t);
        CU_ASSERT_EQUAL(t, c[i].t);
    }
}

static void t_line_not_terminated(void)
{
    struct grok *k;
    struct got g;
    const char *buf = "abc def ghi";

    CU_ASSERT_EQUAL_FATAL(grok_compile(&k, L, "^%{WORD:a} %{WORD:b}$", NULL, "t", &E), 0);
    memset(&g, 0, sizeof g);
    CU_ASSERT_EQUAL(grok_match(k, S, buf, 7, collect, &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "b", NULL), "def");
    CU_ASSERT_EQUAL(grok_match(k, S, NULL, 0, collect, &g), GROK_NOMATCH);
    grok_free(k);
}

static void t_invalid_utf8_read_as_latin1(void)
{
    struct got g;

    CU_ASSERT_EQUAL(run("^%{WORD:a} %{GREEDYDATA:b}$", "x caf\xe9 \xff ok", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "a", NULL), "x");
    TU_ASSERT_STR(field(&g, "b", NULL), "caf\xc3\xa9 \xc3\xbf ok");
    /* A cut sequence at the end, and a good one beside it. */
    CU_ASSERT_EQUAL(run("^%{GREEDYDATA:b}$", "\xc3\xa9\xe2\x82", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "b", NULL), "\xc3\xa9\xc3\xa2\xc2\x82");
    /* Valid UTF-8 is left as it is, and patterns may hold it. */
    CU_ASSERT_EQUAL(run("^%{MONTH:m} \\w+ (?<x>\\p{L}+)$", "M\xc3\xa4rz x \xc3\xa9t\xc3\xa9", &g),
                    GROK_MATCH);
    TU_ASSERT_STR(field(&g, "m", NULL), "M\xc3\xa4rz");
    TU_ASSERT_STR(field(&g, "x", NULL), "\xc3\xa9t\xc3\xa9");
}

/* ---- Oniguruma -> PCRE2 ---- */

static int matches(const char *expr, const char *line)
{
    struct got g;
    enum grok_result r = run(expr, line, &g);

    CU_ASSERT(r == GROK_MATCH || r == GROK_NOMATCH);
    return r == GROK_MATCH;
}

static void t_h_is_hex(void)
{
    CU_ASSERT(matches("^\\h+$", "deadBEEF09"));
    CU_ASSERT(!matches("^\\h+$", " \t"));
    CU_ASSERT(!matches("^\\h+$", "xyz"));
    CU_ASSERT(matches("^\\H+$", "xyz-"));
    CU_ASSERT(!matches("^\\H+$", "a"));
    CU_ASSERT(matches("^[\\h:]+$", "fe80:0:1"));
    CU_ASSERT(!matches("^[\\h:]+$", "fe80 1"));
    CU_ASSERT(matches("^[^\\h]+$", "xyz"));
    CU_ASSERT(!matches("^[^\\h]+$", "xaz"));
}

static void t_m_option_is_dotall(void)
{
    CU_ASSERT(matches("(?m)^a.b$", "a\nb"));
    CU_ASSERT(!matches("^a.b$", "a\nb"));
    CU_ASSERT(matches("(?m:a.b)", "a\nb"));
    CU_ASSERT(matches("(?i)^abc$", "ABC"));
    CU_ASSERT(matches("(?i-m:ab)c", "ABc"));
    CU_ASSERT(!matches("(?i-m:a.b)", "a\nb"));
}

static void t_anchors_are_line_anchors(void)
{
    /* Oniguruma's ^ and $ match at line breaks; \A and \z only at the ends. */
    CU_ASSERT(matches("^b$", "a\nb\nc"));
    CU_ASSERT(!matches("\\Ab", "a\nb"));
    CU_ASSERT(matches("a\\Z", "a\n"));
    CU_ASSERT(!matches("a\\z", "a\n"));
}

static void t_named_backreference(void)
{
    struct got g;

    CU_ASSERT(matches("^(?<q>[\"'])\\w+\\k<q>$", "'abc'"));
    CU_ASSERT(!matches("^(?<q>[\"'])\\w+\\k<q>$", "'abc\""));
    CU_ASSERT(matches("^(?<[a][b]>\\w) \\k<a.b>$", "x x"));
    CU_ASSERT(matches("^(?<q>\\w) \\k'q'$", "x x"));
    /* A name given to two groups: either may be the one referred to. */
    CU_ASSERT(matches("^(?:(?<v>a)|(?<v>b))-\\k<v>$", "b-b"));
    CU_ASSERT(matches("^(?:(?<v>a)|(?<v>b))-\\k<v>$", "a-a"));
    CU_ASSERT(!matches("^(?:(?<v>a)|(?<v>b))-\\k<v>$", "a-b"));
    CU_ASSERT(matches("^(?<d>\\d)\\g<d>$", "12"));
    CU_ASSERT_EQUAL(run("^(?<q>\\w) \\k<q>$", "y y", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "q", NULL), "y");
}

static void t_other_translations(void)
{
    CU_ASSERT(matches("^\\u00e9$", "\xc3\xa9"));                  /* \uHHHH */
    CU_ASSERT(matches("^a{,3}$", "aaa"));                         /* {,n} is {0,n} */
    CU_ASSERT(matches("^a{,3}$", ""));
    CU_ASSERT(!matches("^a{,3}$", "aaaa"));
    CU_ASSERT(matches("^[[a-c][x]]+$", "abxc"));                  /* a set inside a set */
    CU_ASSERT(!matches("^[[a-c][x]]+$", "abd"));
    CU_ASSERT(matches("^[[[:digit:]]_]+$", "1_2"));
    CU_ASSERT(matches("^\\v$", "\v"));                            /* VT, not any vertical space */
    CU_ASSERT(!matches("^\\v$", "\n"));
    CU_ASSERT(matches("^[\\v]$", "\v"));
    CU_ASSERT(matches("^a(?#a comment (with parens)b$", "ab"));   /* it ends at the first ) */
    CU_ASSERT(matches("^a(?#note)b$", "ab"));
    CU_ASSERT(matches("^100% {x}$", "100% {x}"));                 /* % and { as literals */
    CU_ASSERT(matches("^[]a]+$", "]a]"));                         /* ] first in a class */
    CU_ASSERT(matches("^\\x{41}\\p{Lu}[\\x{42}]$", "ABB"));
    CU_ASSERT(matches("^(?<n>\\d+)(?=x)x$", "12x"));
    CU_ASSERT(matches("^(?<=^)a(?<!b)$", "a"));
    CU_ASSERT(matches("^a++b$", "aab"));                          /* possessive: same in both */
    CU_ASSERT(matches("^(?>a+)b$", "aab"));
}

static void t_inline_definition(void)
{
    struct got g;

    CU_ASSERT_EQUAL(run("^%{CODE:c=[A-Z]+}-%{N=\\d+}$", "ABC-12", &g), GROK_MATCH);
    CU_ASSERT_EQUAL(g.n, 1);
    TU_ASSERT_STR(field(&g, "c", NULL), "ABC");
    CU_ASSERT(fails(L, "x %{CODE:c=[z-a]}"));
    TU_ASSERT_STR(E.where, "grammar.grok:7");
    TU_ASSERT_HAS(E.msg, "pattern CODE, offset 3");
}

static void t_untranslatable_reported(void)
{
    static const struct { const char *expr, *says; } c[] = {
        { "[a-z&&[^aeiou]]", "&&" },
        { "[^a[^b]]", "negated class inside" },
        { "[a[^b]]", "negated class inside" },
        { "(?~abc)", "absent" },
        { "(a)\\1", "numbered backreference" },
        { "(?<x>a)\\k<1>", "numbered group" },
        { "a{2}+", "X{n,m}+" },
        { "(?x) a b", "(?x)" },
        { "[\\H]", "\\H inside" },
        { "\\Qa.b\\E", "\\Q" },
        { "(?(1)a|b)", "conditional" },
        { "(?|a)", "(?|" },
        { "(?R)", "(?R" },
        { "(?P=x)", "(?P" },
        { "(?a)", "`(?a`" },
        { "(?ia)", "option `a`" },
        { "\\y", "\\y" },
        { "\\C-a", "\\C-x" },
        { "\\k<nope>", "no group named `nope`" },
        { "\\uZZ", "\\u needs" },
        { "x\\", "backslash at the end" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        CU_ASSERT(fails(L, c[i].expr));
        TU_ASSERT_STR(E.where, "grammar.grok:7");
        TU_ASSERT_HAS(E.msg, c[i].says);
        TU_ASSERT_HAS(E.msg, "expanded regex offset");
    }
    CU_ASSERT(matches("^%{WORD:w}$", "fine"));
}

/* ---- libraries ---- */

static void t_load_file(void)
{
    struct grok_lib *lib = grok_lib_new();
    const char *where, *re;
    char path[512];
    struct got g;

    write_file("base", "# comment\n\n  FOO [a-z]+  \r\nBAR\t\t%{FOO}-%{NUM:n:int}\n"
                       "   # indented comment\nNUM \\d+\nFOO [A-Z]+\n");
    snprintf(path, sizeof path, "%s/base", Tmp);
    CU_ASSERT_EQUAL_FATAL(grok_lib_load_file(lib, path, &E), 0);
    CU_ASSERT_EQUAL(grok_lib_count(lib), 3);
    TU_ASSERT_STR(grok_lib_name(lib, 0), "FOO");
    TU_ASSERT_STR(grok_lib_name(lib, 1), "BAR");
    TU_ASSERT_STR(grok_lib_name(lib, 2), "NUM");
    CU_ASSERT_PTR_NULL(grok_lib_name(lib, 3));
    re = grok_lib_get(lib, "FOO", &where);
    TU_ASSERT_STR(re, "[A-Z]+");                    /* the later definition wins */
    TU_ASSERT_HAS(where, "/base:7");
    re = grok_lib_get(lib, "BAR", &where);
    TU_ASSERT_STR(re, "%{FOO}-%{NUM:n:int}");
    TU_ASSERT_HAS(where, "/base:4");
    CU_ASSERT_PTR_NULL(grok_lib_get(lib, "NOPE", NULL));
    CU_ASSERT_EQUAL(run_lib(lib, "^%{BAR}$", "ABC-5", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "n", NULL), "5");
    CU_ASSERT_EQUAL(run_lib(lib, "^%{BAR}$", "abc-5", &g), GROK_NOMATCH);
    grok_lib_free(lib);
}

static void t_trailing_blanks_kept(void)
{
    struct grok_lib *lib = grok_lib_new();
    char path[512];
    struct got g;

    /* Logstash keeps what follows the name's blanks, trailing blanks too;
     * a CR before the LF is a line end, not part of the regex. */
    write_file("trail", "SP x \r\n");
    snprintf(path, sizeof path, "%s/trail", Tmp);
    CU_ASSERT_EQUAL_FATAL(grok_lib_load_file(lib, path, &E), 0);
    TU_ASSERT_STR(grok_lib_get(lib, "SP", NULL), "x ");
    CU_ASSERT_EQUAL(run_lib(lib, "^%{SP}y$", "x y", &g), GROK_MATCH);
    grok_lib_free(lib);
}

static void t_load_file_errors(void)
{
    struct grok_lib *lib = grok_lib_new();
    char path[512];

    write_file("bad1", "GOOD a\nBAD-NAME b\n");
    snprintf(path, sizeof path, "%s/bad1", Tmp);
    CU_ASSERT_EQUAL(grok_lib_load_file(lib, path, &E), SL_EINVAL);
    TU_ASSERT_HAS(E.where, "/bad1:2");
    TU_ASSERT_HAS(E.msg, "BAD-NAME");
    CU_ASSERT_PTR_NOT_NULL(grok_lib_get(lib, "GOOD", NULL));   /* what came before stays */

    write_file("bad2", "ALONE\n");
    snprintf(path, sizeof path, "%s/bad2", Tmp);
    CU_ASSERT_EQUAL(grok_lib_load_file(lib, path, &E), SL_EINVAL);
    TU_ASSERT_HAS(E.where, "/bad2:1");
    TU_ASSERT_HAS(E.msg, "no regex");

    snprintf(path, sizeof path, "%s/missing", Tmp);
    CU_ASSERT_EQUAL(grok_lib_load_file(lib, path, &E), SL_EIO);
    TU_ASSERT_HAS(E.where, "missing");

    CU_ASSERT_EQUAL(grok_lib_add(lib, "", "x", "cfg:1", &E), SL_EINVAL);
    TU_ASSERT_STR(E.where, "cfg:1");
    CU_ASSERT_EQUAL(grok_lib_add(lib, "X", "", NULL, &E), SL_EINVAL);
    TU_ASSERT_STR(E.where, "(added)");

    write_file("good", "LATER \\d\n");
    snprintf(path, sizeof path, "%s/good", Tmp);
    CU_ASSERT_EQUAL(grok_lib_load_file(lib, path, &E), 0);
    CU_ASSERT_PTR_NOT_NULL(grok_lib_get(lib, "LATER", NULL));
    grok_lib_free(lib);
}

static void t_load_dir(void)
{
    struct grok_lib *lib = grok_lib_new();
    char dir[512], sub[600];
    FILE *f;
    const char *where;

    snprintf(dir, sizeof dir, "%s/dir", Tmp);
    mkdir(dir, 0700);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0700);
#define PUT(name, text) do { snprintf(sub, sizeof sub, "%s/%s", dir, name); \
    f = fopen(sub, "w"); CU_ASSERT_PTR_NOT_NULL_FATAL(f); fputs(text, f); fclose(f); } while (0)
    PUT("b.grok", "X b\nONLYB b\n");
    PUT("a.grok", "X a\nONLYA a\n");
    PUT("legacy", "X legacy\nLEGACY l\n");              /* Logstash's files have no extension */
    PUT("notes.txt", "NOTES n\n");
    PUT(".hidden.grok", "HIDDEN h\n");
    PUT("c.grok~", "BACKUP b\n");
    PUT("samples.tsv", "SAMPLES s\n");
#undef PUT
    CU_ASSERT_EQUAL_FATAL(grok_lib_load_dir(lib, dir, &E), 0);
    CU_ASSERT_EQUAL(grok_lib_count(lib), 4);
    TU_ASSERT_STR(grok_lib_get(lib, "X", &where), "legacy");   /* a.grok b.grok legacy */
    TU_ASSERT_HAS(where, "/legacy:1");
    CU_ASSERT_PTR_NOT_NULL(grok_lib_get(lib, "ONLYA", NULL));
    CU_ASSERT_PTR_NOT_NULL(grok_lib_get(lib, "ONLYB", NULL));
    CU_ASSERT_PTR_NOT_NULL(grok_lib_get(lib, "LEGACY", NULL));
    CU_ASSERT_PTR_NULL(grok_lib_get(lib, "NOTES", NULL));
    CU_ASSERT_PTR_NULL(grok_lib_get(lib, "HIDDEN", NULL));
    CU_ASSERT_PTR_NULL(grok_lib_get(lib, "BACKUP", NULL));
    CU_ASSERT_PTR_NULL(grok_lib_get(lib, "SAMPLES", NULL));
    snprintf(sub, sizeof sub, "%s/nope", Tmp);
    CU_ASSERT_EQUAL(grok_lib_load_dir(lib, sub, &E), SL_EIO);
    grok_lib_free(lib);
}

static void t_many_patterns(void)
{
    struct grok_lib *lib = grok_lib_new();
    char name[32], re[32], expr[64];
    struct got g;

    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "P%d", i);
        snprintf(re, sizeof re, "p%d", i);
        CU_ASSERT_EQUAL_FATAL(grok_lib_add(lib, name, re, NULL, &E), 0);
    }
    CU_ASSERT_EQUAL(grok_lib_count(lib), 5000);
    CU_ASSERT_EQUAL(grok_lib_add(lib, "P17", "again", NULL, &E), 0);
    CU_ASSERT_EQUAL(grok_lib_count(lib), 5000);
    TU_ASSERT_STR(grok_lib_get(lib, "P4999", NULL), "p4999");
    snprintf(expr, sizeof expr, "^%%{P17:x}%%{P4321}$");
    CU_ASSERT_EQUAL(run_lib(lib, expr, "againp4321", &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "x", NULL), "again");
    CU_ASSERT_EQUAL(run_lib(NULL, "^(?<a>x)$", "x", &g), GROK_MATCH);   /* no library at all */
    grok_lib_free(lib);
}

/* ---- errors ---- */

static void t_unknown_pattern(void)
{
    struct got g;

    CU_ASSERT(fails(L, "%{WORD:w} %{NOSUCH:x}"));
    TU_ASSERT_STR(E.where, "grammar.grok:7");
    TU_ASSERT_HAS(E.msg, "unknown pattern %{NOSUCH}");
    TU_ASSERT_HAS(E.msg, "offset 10");
    CU_ASSERT_EQUAL(run("%{WORD:w}", "ok", &g), GROK_MATCH);
}

static void t_unknown_pattern_inside_library(void)
{
    struct grok_lib *lib = grok_lib_new();
    struct got g;

    grok_lib_add(lib, "OUTER", "<%{INNER}>", "lib.grok:3", &E);
    grok_lib_add(lib, "INNER", "x%{GONE}", "lib.grok:4", &E);
    CU_ASSERT(fails(lib, "a %{OUTER}"));
    TU_ASSERT_STR(E.where, "lib.grok:4");
    TU_ASSERT_HAS(E.msg, "pattern INNER, offset 1");
    TU_ASSERT_HAS(E.msg, "%{GONE}");
    TU_ASSERT_HAS(E.msg, "in the expression at grammar.grok:7");
    grok_lib_add(lib, "GONE", "y", "lib.grok:5", &E);
    CU_ASSERT_EQUAL(run_lib(lib, "a %{OUTER}", "a <xy>", &g), GROK_MATCH);
    grok_lib_free(lib);
}

static void t_cycles(void)
{
    struct grok_lib *lib = grok_lib_new();
    struct got g;

    grok_lib_add(lib, "A", "a%{B}", "c.grok:1", &E);
    grok_lib_add(lib, "B", "b%{C:x}", "c.grok:2", &E);
    grok_lib_add(lib, "C", "(?:c|%{A})", "c.grok:3", &E);
    grok_lib_add(lib, "SELF", "s%{SELF}?", "c.grok:4", &E);
    CU_ASSERT(fails(lib, "%{A}"));
    TU_ASSERT_HAS(E.msg, "cycle A -> B -> C -> A");
    TU_ASSERT_STR(E.where, "c.grok:3");
    CU_ASSERT(fails(lib, "x %{B}"));
    TU_ASSERT_HAS(E.msg, "cycle B -> C -> A -> B");
    CU_ASSERT(fails(lib, "%{SELF}"));
    TU_ASSERT_HAS(E.msg, "cycle SELF -> SELF");
    TU_ASSERT_STR(E.where, "c.grok:4");
    /* The same pattern twice side by side is not a cycle. */
    grok_lib_add(lib, "C", "c", "c.grok:9", &E);
    CU_ASSERT_EQUAL(run_lib(lib, "^%{A}%{A}$", "abcabc", &g), GROK_MATCH);
    grok_lib_free(lib);
}

static void t_nesting_ceiling(void)
{
    struct grok_lib *lib = grok_lib_new();
    char name[16], re[32];
    struct got g;

    for (int i = 0; i < 70; i++) {
        snprintf(name, sizeof name, "N%d", i);
        if (i == 69)
            snprintf(re, sizeof re, "z");
        else
            snprintf(re, sizeof re, "%%{N%d}", i + 1);
        grok_lib_add(lib, name, re, NULL, &E);
    }
    CU_ASSERT(fails(lib, "%{N0}"));
    TU_ASSERT_HAS(E.msg, "nested deeper than 64");
    CU_ASSERT_EQUAL(run_lib(lib, "%{N10}", "z", &g), GROK_MATCH);      /* 60 deep: fine */
    grok_lib_free(lib);
}

static void t_expansion_ceiling(void)
{
    struct grok_lib *lib = grok_lib_new();
    char name[16], re[32];

    /* Each level doubles: 2^30 bytes if nothing stopped it. */
    grok_lib_add(lib, "D0", "abcdefgh", NULL, &E);
    for (int i = 1; i <= 30; i++) {
        snprintf(name, sizeof name, "D%d", i);
        snprintf(re, sizeof re, "%%{D%d}%%{D%d}", i - 1, i - 1);
        grok_lib_add(lib, name, re, NULL, &E);
    }
    CU_ASSERT(fails(lib, "%{D30}"));
    TU_ASSERT_HAS(E.msg, "longer than");
    grok_lib_free(lib);
}

static void t_bad_regex_in_library(void)
{
    struct grok_lib *lib = grok_lib_new();
    char path[512];
    struct got g;

    write_file("broken.grok", "OK \\d+\nBROKEN (?:ab|cd\nUSES %{OK}-%{BROKEN}\n"
                              "RANGE x[z-a]\nEXTRA a)\n");
    snprintf(path, sizeof path, "%s/broken.grok", Tmp);
    CU_ASSERT_EQUAL_FATAL(grok_lib_load_file(lib, path, &E), 0);   /* checked when used */
    CU_ASSERT(fails(lib, "^%{USES}$"));
    TU_ASSERT_HAS(E.where, "/broken.grok:2");
    TU_ASSERT_HAS(E.msg, "pattern BROKEN");
    TU_ASSERT_HAS(E.msg, "missing )");
    TU_ASSERT_HAS(E.msg, "expanded regex offset");
    TU_ASSERT_HAS(E.msg, "in the expression at grammar.grok:7");
    CU_ASSERT(fails(lib, "^%{OK} %{RANGE}$"));
    TU_ASSERT_HAS(E.where, "/broken.grok:4");
    TU_ASSERT_HAS(E.msg, "pattern RANGE, offset 4");
    TU_ASSERT_HAS(E.msg, "range out of order");
    CU_ASSERT(fails(lib, "%{EXTRA}"));
    TU_ASSERT_HAS(E.where, "/broken.grok:5");
    TU_ASSERT_HAS(E.msg, "pattern EXTRA, offset 1: ) without its (");
    grok_lib_add(lib, "SLASH", "a\\", "lib.grok:9", &E);
    CU_ASSERT(fails(lib, "%{SLASH}b"));
    TU_ASSERT_STR(E.where, "lib.grok:9");
    CU_ASSERT_EQUAL(run_lib(lib, "^%{OK}$", "12", &g), GROK_MATCH);
    grok_lib_free(lib);
}

static void t_bad_regex_in_expression(void)
{
    struct got g;

    CU_ASSERT(fails(L, "%{WORD:a} [z-a]"));
    TU_ASSERT_STR(E.where, "grammar.grok:7");
    TU_ASSERT_HAS(E.msg, "range out of order");
    TU_ASSERT_HAS(E.msg, "offset 13");
    CU_ASSERT(fails(L, "a)"));
    CU_ASSERT(fails(L, "\xff"));                     /* not UTF-8 */
    CU_ASSERT_EQUAL(run("%{WORD:a} [a-z]", "x y", &g), GROK_MATCH);
}

static void t_bad_references(void)
{
    static const struct { const char *expr, *says; } c[] = {
        { "%{INT:x:long}", "type `long`" },
        { "%{INT:x:}", "type ``" },
        { "%{INT::int}", "empty field name" },
        { "%{INT:[a}", "`[` without its `]`" },
        { "%{INT:a..b}", "empty key" },
        { "%{INT", "no closing }" },
        { "%{INT:a b}", "bad character" },
        { "%{}", "pattern name" },
        { "%{-x}", "pattern name" },
        { "(?<>x)", "empty" },
        { "(?<a", "without its >" },
    };
    struct got g;

    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        CU_ASSERT(fails(L, c[i].expr));
        TU_ASSERT_HAS(E.msg, c[i].says);
    }
    CU_ASSERT_EQUAL(run("%{INT:x:int}", "5", &g), GROK_MATCH);
}

static void t_too_many_captures(void)
{
    char *expr = malloc(GROK_CAPS_MAX * 12 + 16), *p = expr;
    struct got g;

    for (unsigned i = 0; i <= GROK_CAPS_MAX; i++)
        p += sprintf(p, "(?<f%u>a)?", i);
    CU_ASSERT(fails(NULL, expr));
    TU_ASSERT_HAS(E.msg, "named captures");
    free(expr);
    CU_ASSERT_EQUAL(run("(?<f1>a)", "a", &g), GROK_MATCH);
}

/* Random expressions from regex and grok punctuation: each compiles or is
 * refused with a message; what compiles matches or misses, never worse. */
static void t_random_expressions(void)
{
    static const char *atoms[] = {
        "(", ")", "[", "]", "{", "}", "\\", "%{", "%{WORD", "%{INT:n:int}", "%{IP:[a][b]}", ":",
        "?", "<", ">", "'", "!", "=", "|", "*", "+", "^", "$", ".", "-", "&&", "h", "H", "k",
        "g", "u", "x", "v", "1", "a", "(?<n>", "(?m)", "(?#", "\\k<n>", "[:alpha:]", ",",
        "\xc3\xa9", "\xff", " ",
    };
    static const char pool[] = "ab1 :<>[]()\xc3\xa9-x";  /* a cut \xc3\xa9 is bad UTF-8 */
    char expr[256], line[64];
    unsigned seed = 12345, ok = 0, refused = 0;
    struct got g;

    for (int k = 0; k < 3000; k++) {
        struct grok *gk;
        size_t n = 0;
        int parts = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
        for (int i = 0; i < parts; i++) {
            const char *a = atoms[((seed = seed * 1103515245u + 12345u) >> 16) %
                                  (sizeof atoms / sizeof atoms[0])];
            size_t al = strlen(a);
            if (n + al + 1 < sizeof expr) {
                memcpy(expr + n, a, al);
                n += al;
            }
        }
        expr[n] = '\0';
        for (size_t i = 0; i < sizeof line - 1; i++)
            line[i] = pool[((seed = seed * 1103515245u + 12345u) >> 16) % (sizeof pool - 1)];
        line[sizeof line - 1] = '\0';
        sl_err_clear(&E);
        if (grok_compile(&gk, L, expr, NULL, "rand", &E)) {
            CU_ASSERT_FATAL(E.msg[0] != '\0');
            refused++;
            continue;
        }
        memset(&g, 0, sizeof g);
        enum grok_result r = grok_match(gk, S, line, strlen(line), collect, &g);
        CU_ASSERT(r == GROK_MATCH || r == GROK_NOMATCH || r == GROK_LIMIT);
        grok_free(gk);
        ok++;
    }
    CU_ASSERT(ok > 100);
    CU_ASSERT(refused > 100);
    CU_ASSERT(matches("^%{WORD:w}$", "still"));
}

/* ---- limits ---- */

static void limit_then_normal(int no_jit)
{
    struct grok_opts o;
    struct grok *bad, *good;
    size_t n = 30 * 1024;
    char *line = malloc(n + 2);
    struct got g;

    grok_opts_default(&o);
    o.no_jit = no_jit;
    memset(line, 'a', n);
    line[n] = 'b';
    line[n + 1] = '\0';
    CU_ASSERT_EQUAL_FATAL(grok_compile(&bad, L, "^(a+)+$", &o, "t", &E), 0);
    CU_ASSERT_EQUAL_FATAL(grok_compile(&good, L, "^%{WORD:w}$", &o, "t", &E), 0);
    CU_ASSERT_EQUAL(grok_jit(bad), !no_jit);
    memset(&g, 0, sizeof g);
    CU_ASSERT_EQUAL(grok_match(bad, S, line, n + 1, collect, &g), GROK_LIMIT);
    CU_ASSERT_EQUAL(g.n, 0);
    CU_ASSERT_EQUAL(grok_match(bad, S, "aaa", 3, collect, &g), GROK_MATCH);
    CU_ASSERT_EQUAL(grok_match(good, S, "fine", 4, collect, &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "w", NULL), "fine");
    grok_free(bad);
    grok_free(good);
    free(line);
}

static void t_catastrophic_jit(void)
{
    limit_then_normal(0);
}

static void t_catastrophic_interpreter(void)
{
    limit_then_normal(1);
}

static void t_catastrophic_grok(void)
{
    size_t n = 30 * 1024;
    char *line = malloc(n + 1);
    struct got g;

    memset(line, 'a', n);
    line[n] = '\0';
    line[n - 1] = 'b';
    CU_ASSERT_EQUAL(run("^(?:%{GREEDYDATA}a){12}$", line, &g), GROK_LIMIT);
    CU_ASSERT_EQUAL(run("^(?:%{GREEDYDATA}a){12}$", "aaaaaaaaaaaa", &g), GROK_MATCH);
    free(line);
}

static void t_small_limit(void)
{
    struct grok_opts o;
    struct grok *k;
    const char *line = "a b c d e f g h i j k l m n o p q r s t u v w x y z!";

    grok_opts_default(&o);
    o.match_limit = 10;
    CU_ASSERT_EQUAL_FATAL(grok_compile(&k, L, "^(?:%{DATA} )*%{DATA}z$", &o, "t", &E), 0);
    CU_ASSERT_EQUAL(grok_match(k, S, line, strlen(line), NULL, NULL), GROK_LIMIT);
    grok_free(k);
}

/* ---- explain ---- */

static void t_explain_names_the_piece(void)
{
    struct grok *k;
    struct grok_miss m;
    const char *line = "10.0.0.1 GET abc";

    CU_ASSERT_EQUAL_FATAL(grok_compile(&k, L, "^%{IPORHOST:client} %{WORD:verb} %{INT:status}$",
                                       NULL, "t", &E), 0);
    grok_explain_miss(k, line, strlen(line), &m);
    CU_ASSERT(m.explained);
    CU_ASSERT_EQUAL(m.pieces, 7);
    CU_ASSERT_EQUAL(m.matched, 5);
    CU_ASSERT_EQUAL(m.start, 0);
    CU_ASSERT_EQUAL(m.end, 13);
    CU_ASSERT_EQUAL(m.next_len, strlen("%{INT:status}"));
    CU_ASSERT_NSTRING_EQUAL(grok_expr(k) + m.next_off, "%{INT:status}", m.next_len);
    line = "10.0.0.1 GET 200";
    grok_explain_miss(k, line, strlen(line), &m);
    CU_ASSERT_EQUAL(m.matched, 7);
    CU_ASSERT_EQUAL(m.next_len, 0);
    CU_ASSERT_EQUAL(m.end, 16);
    grok_free(k);
}

static void t_explain_quantified_pieces(void)
{
    struct grok *k;
    struct grok_miss m;
    const char *line = "ab  12 x";

    CU_ASSERT_EQUAL_FATAL(grok_compile(&k, L, "ab\\s+(?:\\d+)? [a-z]{2,}", NULL, "t", &E), 0);
    grok_explain_miss(k, line, strlen(line), &m);
    CU_ASSERT_EQUAL(m.pieces, 6);                   /* a b \s+ (?:..)? ' ' [a-z]{2,} */
    CU_ASSERT_EQUAL(m.matched, 5);
    CU_ASSERT_NSTRING_EQUAL(grok_expr(k) + m.next_off, "[a-z]{2,}", m.next_len);
    grok_free(k);
}

/* Through the grammar interface: the expression that got furthest is named. */
static void t_explain_grammar(void)
{
    struct grok **ks = sl_calloc(3, sizeof *ks);
    struct grammar *g;
    const char *line = "Accepted publickey for alice from host.example port 22";
    char out[512];
    size_t n;

    CU_ASSERT_EQUAL_FATAL(grok_compile(&ks[0], L, "^Failed %{WORD:m} for %{USERNAME:u}", NULL,
                                       "t", &E), 0);
    CU_ASSERT_EQUAL_FATAL(grok_compile(&ks[1], L, "^Accepted %{WORD:m} for %{USERNAME:u} from "
                                       "%{IP:ip} port %{INT:p}$", NULL, "t", &E), 0);
    CU_ASSERT_EQUAL_FATAL(grok_compile(&ks[2], L, "%{INT}|%{WORD}x", NULL, "t", &E), 0);
    g = norm_grok_grammar_new("g", ks, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    n = grammar_explain(g, line, strlen(line), out, sizeof out);
    CU_ASSERT(n > 0);
    CU_ASSERT_EQUAL(n, strlen(out));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "expression '^Accepted %{WORD:m}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "matched 34 of 54 bytes"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "stopped at piece %{IP:ip} at byte 34: \"host.example port 22\""));
    n = grammar_explain(g, line, strlen(line), out, 10);        /* cut, still terminated */
    CU_ASSERT_EQUAL(n, 9);
    CU_ASSERT_EQUAL(strlen(out), 9);
    grammar_free(g);
}

/* The grammar's filter in front of each expression (parser/norm.c): the
 * leading literal and the bytes a match can start with skip only lines the
 * expression would miss. */
static void t_grammar_first_bytes(void)
{
    static const char *const exprs[] = {
        "^(?:Mounted|Unmounted) %{WORD:a}", "^%{INT:n:int} left", "^(?i)started %{WORD:b}",
        "^Accepted %{WORD:m}|Failed %{WORD:m}", "^\\s*%{WORD:w}$",
    };
    static const struct { const char *line, *field, *value; } cases[] = {
        { "Mounted tmp", "a", "tmp" }, { "Unmounted boot", "a", "boot" },
        { "Started x", "b", "x" }, { "STARTED y", "b", "y" },   /* (?i): both cases */
        { "12 left", "n", "12" }, { "x Failed z", "m", "z" },   /* `^a|b`: no filter */
        { "zz\nMounted var", "a", "var" },                     /* multiline `^` */
        { "  word", "w", "word" }, { "\xc3\xa9t\xc3\xa9", "w", NULL },
    };
    uint64_t bits[2];
    struct grok **ks = sl_calloc(5, sizeof *ks);
    struct grammar *g;
    void *sc;

    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_EQUAL_FATAL(grok_compile(&ks[i], L, exprs[i], NULL, "t", &E), 0);
    CU_ASSERT_EQUAL(grok_first_bytes(ks[0], bits), 1);
    CU_ASSERT_EQUAL(bits[1], (1ull << ('M' - 64)) | (1ull << ('U' - 64)));
    CU_ASSERT_EQUAL(grok_first_bytes(ks[3], bits), 0);         /* top-level | */
    CU_ASSERT_EQUAL(grok_first_bytes(ks[4], bits), 1);
    CU_ASSERT((bits[0] & (1ull << ' ')) != 0);   /* \s* may be empty: both */
    g = norm_grok_grammar_new("g", ks, 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    sc = grammar_scratch_new(g);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct got got;
        enum grammar_result r;
        memset(&got, 0, sizeof got);
        r = grammar_match(g, sc, cases[i].line, strlen(cases[i].line), collect, &got);
        if (!cases[i].value) {
            CU_ASSERT_EQUAL(r, GRAMMAR_NOMATCH);
            continue;
        }
        CU_ASSERT_EQUAL(r, GRAMMAR_MATCH);
        TU_ASSERT_STR(field(&got, cases[i].field, NULL), cases[i].value);
    }
    grammar_scratch_free(g, sc);
    grammar_free(g);
}

static void t_explain_alternation(void)
{
    struct grok *k;
    struct grok_miss m;

    CU_ASSERT_EQUAL_FATAL(grok_compile(&k, L, "%{INT}|%{WORD}", NULL, "t", &E), 0);
    grok_explain_miss(k, "!", 1, &m);
    CU_ASSERT_EQUAL(m.explained, 0);
    grok_free(k);
}

/* ---- memory and threads ---- */

static void t_steady_state_no_malloc(void)
{
    struct grok *k, *big;
    struct got g;
    struct mallinfo2 before, after;
    const char *line = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" "
                       "200 2326 \"http://example.com/\" \"Mozilla/4.08\"";
    const char *latin1 = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" "
                         "200 1 \"-\" \"Mozilla \xe9\"";
    char expr[4096], *p = expr;

    for (int i = 0; i < 100; i++)
        p += sprintf(p, "(?<f%d>a)?", i);
    CU_ASSERT_EQUAL_FATAL(grok_compile(&k, L, "%{COMBINEDAPACHELOG}", NULL, "t", &E), 0);
    CU_ASSERT_EQUAL_FATAL(grok_compile(&big, L, expr, NULL, "t", &E), 0);
    for (int i = 0; i < 3; i++) {                    /* warm up: the scratch reaches size */
        memset(&g, 0, sizeof g);
        grok_match(big, S, "aaa", 3, collect, &g);
        grok_match(k, S, latin1, strlen(latin1), collect, &g);
    }
    before = mallinfo2();
    for (int i = 0; i < 1000; i++) {
        memset(&g, 0, sizeof g);
        CU_ASSERT_EQUAL_FATAL(grok_match(k, S, i & 1 ? line : latin1,
                                         strlen(i & 1 ? line : latin1), collect, &g), GROK_MATCH);
        CU_ASSERT_EQUAL_FATAL(grok_match(big, S, "aa", 2, collect, &g), GROK_MATCH);
    }
    after = mallinfo2();
    CU_ASSERT_EQUAL(after.uordblks, before.uordblks);
    memset(&g, 0, sizeof g);
    CU_ASSERT_EQUAL(grok_match(k, S, latin1, strlen(latin1), collect, &g), GROK_MATCH);
    TU_ASSERT_STR(field(&g, "agent", NULL), "\"Mozilla \xc3\xa9\"");
    grok_free(k);
    grok_free(big);
}

struct worker {
    const struct grok *k;
    int id, bad;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct grok_scratch *s = grok_scratch_new();
    char line[128], want[32];
    struct got g;

    for (int i = 0; i < 2000; i++) {
        snprintf(want, sizeof want, "%d", w->id * 100000 + i);
        snprintf(line, sizeof line, "<%d>host%d prog[%s]: text %d", i % 192, w->id, want, i);
        memset(&g, 0, sizeof g);
        if (grok_match(w->k, s, line, strlen(line), collect, &g) != GROK_MATCH ||
            !field(&g, "pid", NULL) || strcmp(field(&g, "pid", NULL), want) != 0)
            w->bad++;
    }
    grok_scratch_free(s);
    return NULL;
}

static void t_threads_share_a_grok(void)
{
    struct grok *k;
    pthread_t t[4];
    struct worker w[4];

    CU_ASSERT_EQUAL_FATAL(grok_compile(&k, L, "^<%{NONNEGINT:pri:int}>%{HOSTNAME:host} "
                                       "%{SYSLOGPROG}: %{GREEDYDATA:msg}$", NULL, "t", &E), 0);
    for (int i = 0; i < 4; i++) {
        w[i].k = k;
        w[i].id = i + 1;
        w[i].bad = 0;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(w[i].bad, 0);
    }
    grok_free(k);
}

/* \S (NOTSPACE, USERNAME's neighbours, paths) takes characters above U+007F,
 * as Oniguruma does, with the JIT and without it: PCRE2 10.42's JIT stopped
 * at them under PCRE2_MATCH_INVALID_UTF. A Latin-1 line is transcoded first. */
static void t_notspace_non_ascii(void)
{
    struct grok_opts o;
    struct grok *k[2];
    const char *lines[] = { "Accepted caf\xc3\xa9 x", "Accepted \xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80 x",
                            "Accepted caf\xe9 x" };
    const char *want[] = { "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80", "caf\xc3\xa9" };

    grok_opts_default(&o);
    o.no_jit = 1;
    CU_ASSERT_EQUAL_FATAL(grok_compile(&k[0], L, "^Accepted %{NOTSPACE:m} ", NULL, "t", &E), 0);
    CU_ASSERT_EQUAL_FATAL(grok_compile(&k[1], L, "^Accepted %{NOTSPACE:m} ", &o, "t", &E), 0);
    for (int j = 0; j < 2; j++)
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
            struct got g;
            memset(&g, 0, sizeof g);
            CU_ASSERT_EQUAL(grok_match(k[j], S, lines[i], strlen(lines[i]), collect, &g), GROK_MATCH);
            TU_ASSERT_STR(field(&g, "m", NULL), want[i]);
        }
    grok_free(k[0]);
    grok_free(k[1]);
}

static void t_no_jit_same_fields(void)
{
    struct grok_opts o;
    struct grok *a, *b;
    struct got ga, gb;
    const char *line = "Nov 23 10:00:00 web-01 sshd[123]: Accepted publickey";

    grok_opts_default(&o);
    o.no_jit = 1;
    CU_ASSERT_EQUAL_FATAL(grok_compile(&a, L, "%{SYSLOGBASE} %{GREEDYDATA:message}", NULL, "t",
                                       &E), 0);
    CU_ASSERT_EQUAL_FATAL(grok_compile(&b, L, "%{SYSLOGBASE} %{GREEDYDATA:message}", &o, "t",
                                       &E), 0);
    CU_ASSERT_EQUAL(grok_jit(b), 0);
    memset(&ga, 0, sizeof ga);
    memset(&gb, 0, sizeof gb);
    CU_ASSERT_EQUAL(grok_match(a, S, line, strlen(line), collect, &ga), GROK_MATCH);
    CU_ASSERT_EQUAL(grok_match(b, S, line, strlen(line), collect, &gb), GROK_MATCH);
    CU_ASSERT_EQUAL(ga.n, 5);
    CU_ASSERT_EQUAL(gb.n, ga.n);
    for (size_t i = 0; i < ga.n && i < gb.n; i++) {
        TU_ASSERT_STR(ga.path[i], gb.path[i]);
        TU_ASSERT_STR(ga.val[i], gb.val[i]);
    }
    TU_ASSERT_STR(field(&ga, "program", NULL), "sshd");
    TU_ASSERT_STR(field(&ga, "pid", NULL), "123");
    TU_ASSERT_STR(field(&ga, "logsource", NULL), "web-01");
    TU_ASSERT_STR(field(&ga, "message", NULL), "Accepted publickey");
    grok_free(a);
    grok_free(b);
}

static CU_TestInfo name_tests[] = {
    { "a plain name is one key", t_name_plain },
    { "source.ip, [source][ip] and [source.ip] are the same two keys", t_name_dotted_and_brackets },
    { "@metadata and hyphens are plain key bytes; only len bytes are read",
      t_name_at_and_odd_bytes },
    { "unclosed brackets, empty keys, mixed forms, 9 levels, control bytes are refused",
      t_name_bad },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo expr_tests[] = {
    { "%{WORD:verb} emits verb; a miss emits nothing", t_named_capture },
    { "a leading literal skips PCRE2 on a miss, exactly as PCRE2 would miss", t_literal_prefix },
    { "what is learnt about a line is not reused for the next one in the same buffer", t_line_facts_not_stale },
    { "a grammar skips an expression by its leading literal and first bytes only when it would miss", t_grammar_first_bytes },
    { "the required literal is proven from the regex's structure", t_required_literal },
    { "the required literal skips only lines PCRE2 would miss", t_required_literal_match },
    { "the required literal's search answers as memmem does", t_required_literal_find },
    { "[source][ip], source.port and @x in %{} become nested paths", t_nested_names },
    { "%{NAME} without a field and plain groups in patterns emit nothing", t_unnamed_emit_nothing },
    { "inline (?<name>), (?<[a][b]>), (?<c.d>), (?'@e'), (?P<f>) become fields", t_inline_groups },
    { "(?<n:int>...) is typed like %{...:n:int}", t_inline_group_typed },
    { "a field in two alternatives comes from the one that took part, once", t_same_field_twice },
    { "an empty capture is left out unless keep_empty", t_empty_capture_skipped },
    { "fields come in order of first appearance; grok_field lists them", t_field_order_and_list },
    { "emit asking to stop ends the fields with GROK_LIMIT", t_emit_stop },
    { ":int gives canonical JSON integers; what is not one stays a string", t_int_values },
    { ":float gives canonical finite JSON numbers; what is not one stays a string",
      t_float_values },
    { "the line need not be NUL-terminated; NULL with 0 bytes is an empty line",
      t_line_not_terminated },
    { "invalid UTF-8 is matched as Latin-1, valid UTF-8 as it is", t_invalid_utf8_read_as_latin1 },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo onig_tests[] = {
    { "\\h is a hex digit (as in Oniguruma), in and out of classes", t_h_is_hex },
    { "(?m) means dot matches newline (PCRE2's s)", t_m_option_is_dotall },
    { "^ and $ match at line breaks, \\A \\z \\Z at the ends", t_anchors_are_line_anchors },
    { "\\k<name> and \\g<name> follow the generated group names", t_named_backreference },
    { "\\uHHHH, {,n}, sets in sets, \\v, comments and literals translate", t_other_translations },
    { "%{NAME:field=regex} defines its regex inline; its errors point into it",
      t_inline_definition },
    { "what cannot be translated is an error with both offsets", t_untranslatable_reported },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo lib_tests[] = {
    { "a pattern file: comments, blanks, CRLF, later names win, file:line kept", t_load_file },
    { "trailing blanks of a regex are kept, the CR is not", t_trailing_blanks_kept },
    { "a bad line names file:line; what loaded before stays; the next file loads",
      t_load_file_errors },
    { "a directory: *.grok and extensionless files in name order, nothing else", t_load_dir },
    { "5000 patterns: found by name, redefined in place; no library works too", t_many_patterns },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo err_tests[] = {
    { "an unknown pattern names itself and its offset in the expression", t_unknown_pattern },
    { "an unknown pattern inside a library pattern points at that pattern's line",
      t_unknown_pattern_inside_library },
    { "cycles are named A -> B -> C -> A at the line that closes them", t_cycles },
    { "nesting past 64 patterns is refused, 60 is fine", t_nesting_ceiling },
    { "an expansion that doubles past 1 MiB is refused", t_expansion_ceiling },
    { "a bad regex in a library pattern names its file:line and both offsets",
      t_bad_regex_in_library },
    { "a bad regex in the expression names the expression's line and offset",
      t_bad_regex_in_expression },
    { "bad types, field names and %{ syntax are reported", t_bad_references },
    { "more than GROK_CAPS_MAX captures are refused", t_too_many_captures },
    { "3000 random expressions compile or are refused, and match or miss", t_random_expressions },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo limit_tests[] = {
    { "^(a+)+$ on 30 KB of a's and a b hits the limit (JIT); the next line matches",
      t_catastrophic_jit },
    { "the same with the interpreter", t_catastrophic_interpreter },
    { "nested GREEDYDATA on 30 KB hits the limit; a short line matches", t_catastrophic_grok },
    { "a match limit of 10 stops a modest backtracking match", t_small_limit },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo explain_tests[] = {
    { "explain names the first piece that does not match and what matched before it",
      t_explain_names_the_piece },
    { "quantifiers stay with their piece", t_explain_quantified_pieces },
    { "a top-level | is not cut", t_explain_alternation },
    { "grammar_explain names the furthest expression and its byte", t_explain_grammar },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo mem_tests[] = {
    { "1000 matches (Latin-1 lines included) allocate nothing once warm",
      t_steady_state_no_malloc },
    { "four threads share one grok, each with its own scratch", t_threads_share_a_grok },
    { "the interpreter gives the same fields as the JIT", t_no_jit_same_fields },
    { "\\S takes characters above U+007F, with the JIT and without", t_notspace_non_ascii },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "fields: names", suite_init, suite_clean, NULL, NULL, name_tests },
    { "grok: expressions", suite_init, suite_clean, NULL, NULL, expr_tests },
    { "grok: Oniguruma to PCRE2", suite_init, suite_clean, NULL, NULL, onig_tests },
    { "grok: pattern libraries", suite_init, suite_clean, NULL, NULL, lib_tests },
    { "grok: errors", suite_init, suite_clean, NULL, NULL, err_tests },
    { "grok: limits", suite_init, suite_clean, NULL, NULL, limit_tests },
    { "grok: explain", suite_init, suite_clean, NULL, NULL, explain_tests },
    { "grok: memory and threads", suite_init, suite_clean, NULL, NULL, mem_tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
