/* tests/unit/test_lognorm.c: liblognorm rulebases as a grammar. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "parser/lognorm.h"
#include "tests/unit/tu.h"

#define FIELDS_MAX 64

/* What a match emitted, copied (the emit call's views die with it). */
struct got {
    size_t n;
    struct {
        char          path[256];
        unsigned      depth;
        char          key[FLD_DEPTH_MAX][64];
        enum fld_type type;
        char          val[512];
    } f[FIELDS_MAX];
    int stop_after;                 /* > 0: ask to stop after this many fields */
};

static int collect(void *arg, const struct fld_name *name, enum fld_type type, const char *val,
                   size_t len)
{
    struct got *g = arg;

    if (g->n < FIELDS_MAX) {
        snprintf(g->f[g->n].path, sizeof g->f[g->n].path, "%s", name->path);
        g->f[g->n].depth = name->depth;
        for (unsigned i = 0; i < name->depth && i < FLD_DEPTH_MAX; i++)
            snprintf(g->f[g->n].key[i], sizeof g->f[g->n].key[i], "%.*s", (int)name->key_len[i],
                     name->key[i]);
        g->f[g->n].type = type;
        snprintf(g->f[g->n].val, sizeof g->f[g->n].val, "%.*s", (int)len, val);
    }
    g->n++;
    return g->stop_after > 0 && g->n >= (size_t)g->stop_after;
}

/* The index of the n-th field named path (n from 0), or -1. */
static int find_nth(const struct got *g, const char *path, int nth)
{
    for (size_t i = 0; i < g->n && i < FIELDS_MAX; i++)
        if (!strcmp(g->f[i].path, path) && nth-- == 0)
            return (int)i;
    return -1;
}

static int find(const struct got *g, const char *path)
{
    return find_nth(g, path, 0);
}

#define ASSERT_FIELD(g, p, t, v) do { \
        int i_ = find((g), (p)); \
        if (i_ < 0) fprintf(stderr, "\n  no field %s\n", (p)); \
        CU_ASSERT_FATAL(i_ >= 0); \
        CU_ASSERT_EQUAL((g)->f[i_].type, (t)); \
        TU_ASSERT_STR((g)->f[i_].val, (v)); \
    } while (0)

static struct lognorm *load_fixture(const char *name, enum lognorm_space space)
{
    struct lognorm_opts o;
    struct lognorm *ln = NULL;
    struct sl_err err;

    lognorm_opts_default(&o);
    o.space = space;
    sl_err_clear(&err);
    if (lognorm_load_file(&ln, tu_fixture(name), &o, &err))
        fprintf(stderr, "\n  %s: %s\n", err.where, err.msg);
    return ln;
}

static enum grammar_result match(const struct lognorm *ln, struct lognorm_scratch *s,
                                 const char *line, struct got *g)
{
    memset(g, 0, sizeof *g);
    return lognorm_match(ln, s, line, strlen(line), collect, g);
}

static void test_ssh_accepted(void)
{
    struct lognorm *ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    struct lognorm_scratch *s;
    struct got g;

    CU_ASSERT_FATAL(ln != NULL);
    s = lognorm_scratch_new(ln);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(match(ln, s, "Accepted password for root from 10.0.0.1 port 22 ssh2", &g),
                    GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "auth.method", FLD_STRING, "password");
    ASSERT_FIELD(&g, "user.name", FLD_STRING, "root");
    ASSERT_FIELD(&g, "source.ip", FLD_STRING, "10.0.0.1");
    ASSERT_FIELD(&g, "source.port", FLD_INT, "22");
    /* dotted names arrive split into keys, so they merge with the event's objects */
    {
        int i = find(&g, "source.port");

        CU_ASSERT_EQUAL(g.f[i].depth, 2);
        TU_ASSERT_STR(g.f[i].key[0], "source");
        TU_ASSERT_STR(g.f[i].key[1], "port");
    }
    CU_ASSERT_EQUAL(g.n, 4 + 3);    /* four fields and three tags */
    lognorm_scratch_free(s);
    lognorm_free(ln);
}

static void test_ssh_tags(void)
{
    struct lognorm *ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    struct lognorm_scratch *s = lognorm_scratch_new(ln);
    struct got g;

    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(match(ln, s, "Failed password for invalid user bob from 203.0.113.5 port 4242 ssh2",
                          &g), GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "user.name", FLD_STRING, "bob");
    ASSERT_FIELD(&g, "source.port", FLD_INT, "4242");
    CU_ASSERT_EQUAL(g.f[find_nth(&g, "tags", 0)].type, FLD_STRING);
    TU_ASSERT_STR(g.f[find_nth(&g, "tags", 0)].val, "ssh");
    TU_ASSERT_STR(g.f[find_nth(&g, "tags", 1)].val, "login");
    TU_ASSERT_STR(g.f[find_nth(&g, "tags", 2)].val, "failure");
    CU_ASSERT_EQUAL(find_nth(&g, "tags", 3), -1);
    CU_ASSERT_EQUAL(find(&g, "event.tags"), -1);
    CU_ASSERT_EQUAL(find(&g, "originalmsg"), -1);
    /* the rule without "invalid user" takes the other line */
    CU_ASSERT_EQUAL(match(ln, s, "Failed publickey for root from 203.0.113.5 port 4243 ssh2", &g),
                    GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "user.name", FLD_STRING, "root");
    ASSERT_FIELD(&g, "auth.method", FLD_STRING, "publickey");
    lognorm_scratch_free(s);
    lognorm_free(ln);
}

static void test_ufw_kv(void)
{
    struct lognorm *ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    struct lognorm_scratch *s = lognorm_scratch_new(ln);
    struct got g;

    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(match(ln, s, "[UFW BLOCK] IN=eth0 OUT= MAC=01:00:5e:00:00:fb SRC=192.168.1.20 "
                          "DST=224.0.0.251 LEN=73 TTL=255 PROTO=UDP SPT=5353 DPT=5353", &g),
                    GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "event.action", FLD_STRING, "BLOCK");
    ASSERT_FIELD(&g, "ufw.SRC", FLD_STRING, "192.168.1.20");
    ASSERT_FIELD(&g, "ufw.DPT", FLD_STRING, "5353");
    ASSERT_FIELD(&g, "ufw.OUT", FLD_STRING, "");
    ASSERT_FIELD(&g, "ufw.MAC", FLD_STRING, "01:00:5e:00:00:fb");
    /* with the kernel's padded timestamp in front */
    CU_ASSERT_EQUAL(match(ln, s, "[ 1236.830035] [UFW ALLOW] IN=eth0 OUT= SRC=10.1.1.1 PROTO=UDP "
                          "SPT=53 DPT=40000", &g), GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "event.action", FLD_STRING, "ALLOW");
    ASSERT_FIELD(&g, "ufw.SPT", FLD_STRING, "53");
    lognorm_scratch_free(s);
    lognorm_free(ln);
}

static void test_cron(void)
{
    struct lognorm *ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    struct lognorm_scratch *s = lognorm_scratch_new(ln);
    struct got g;

    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(match(ln, s, "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)", &g),
                    GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "user.name", FLD_STRING, "root");
    ASSERT_FIELD(&g, "process.command_line", FLD_STRING,
                 "command -v debian-sa1 > /dev/null && debian-sa1 1 1");
    TU_ASSERT_STR(g.f[find(&g, "tags")].val, "cron");
    lognorm_scratch_free(s);
    lognorm_free(ln);
}

static void test_json_types(void)
{
    struct lognorm *ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    struct lognorm_scratch *s = lognorm_scratch_new(ln);
    struct got g;

    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(match(ln, s, "stats {\"load\":{\"avg\":0.5,\"ok\":true,\"bad\":false},"
                          "\"cpus\":[1,2],\"none\":null,\"x.y\":\"dotted\",\"n\":-7,"
                          "\"..\":{\"merged\":1},\"big\":9007199254740993}", &g), GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "metrics.load.avg", FLD_FLOAT, "0.5");
    ASSERT_FIELD(&g, "metrics.load.ok", FLD_BOOL, "true");
    ASSERT_FIELD(&g, "metrics.load.bad", FLD_BOOL, "false");
    ASSERT_FIELD(&g, "metrics.cpus", FLD_JSON, "[1,2]");
    ASSERT_FIELD(&g, "metrics.x.y", FLD_STRING, "dotted");
    ASSERT_FIELD(&g, "metrics.n", FLD_INT, "-7");
    ASSERT_FIELD(&g, "metrics.big", FLD_INT, "9007199254740993");
    ASSERT_FIELD(&g, "metrics.merged", FLD_INT, "1");  /* a key of only dots merges into its parent */
    CU_ASSERT_EQUAL(find(&g, "metrics.none"), -1);      /* null is left out */
    CU_ASSERT_EQUAL(g.f[find(&g, "metrics.x.y")].depth, 3);
    lognorm_scratch_free(s);
    lognorm_free(ln);
}

static void test_depth_ceiling(void)
{
    struct lognorm *ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    struct lognorm_scratch *s = lognorm_scratch_new(ln);
    struct got g;

    CU_ASSERT_FATAL(s != NULL);
    /* metrics + 9 levels: the 8th key holds the rest as JSON */
    CU_ASSERT_EQUAL(match(ln, s, "stats {\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":1}}}}}}}},"
                          "\"p.q.r.s.t.u.v.w.x\":2}", &g), GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "metrics.a.b.c.d.e.f.g", FLD_JSON, "{\"h\":{\"i\":1}}");
    CU_ASSERT_EQUAL(g.f[find(&g, "metrics.a.b.c.d.e.f.g")].depth, FLD_DEPTH_MAX);
    /* a dotted key past the ceiling keeps its tail as the last key */
    ASSERT_FIELD(&g, "metrics.p.q.r.s.t.u.v.w.x", FLD_INT, "2");
    {
        int i = find(&g, "metrics.p.q.r.s.t.u.v.w.x");

        CU_ASSERT_EQUAL(g.f[i].depth, FLD_DEPTH_MAX);
        TU_ASSERT_STR(g.f[i].key[FLD_DEPTH_MAX - 1], "v.w.x");
    }
    lognorm_scratch_free(s);
    lognorm_free(ln);
}

static void test_nomatch(void)
{
    struct lognorm *ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    struct lognorm_scratch *s = lognorm_scratch_new(ln);
    struct got g;

    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(match(ln, s, "Accepted password for root from not-an-ip port 22 ssh2", &g),
                    GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(g.n, 0);
    CU_ASSERT_EQUAL(match(ln, s, "", &g), GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(g.n, 0);
    CU_ASSERT_EQUAL(match(ln, s, "Accepted password for root from 10.0.0.1 port 22 ssh2 trailing", &g),
                    GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(g.n, 0);
    /* liblognorm reads past its literals on a NUL: the line ends at the first one */
    memset(&g, 0, sizeof g);
    CU_ASSERT_EQUAL(lognorm_match(ln, s, "(root) CMD (x)\0junk", 19, collect, &g), GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "process.command_line", FLD_STRING, "x");
    memset(&g, 0, sizeof g);
    CU_ASSERT_EQUAL(lognorm_match(ln, s, "(root) CMD\0 (x)", 16, collect, &g), GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(g.n, 0);
    /* the next good line still matches */
    CU_ASSERT_EQUAL(match(ln, s, "Accepted password for root from 10.0.0.1 port 22 ssh2", &g),
                    GRAMMAR_MATCH);
    lognorm_scratch_free(s);
    lognorm_free(ln);
}

static void test_emit_stop(void)
{
    struct lognorm *ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    struct lognorm_scratch *s = lognorm_scratch_new(ln);
    struct got g;

    CU_ASSERT_FATAL(s != NULL);
    memset(&g, 0, sizeof g);
    g.stop_after = 2;
    CU_ASSERT_EQUAL(lognorm_match(ln, s, "Accepted password for root from 10.0.0.1 port 22 ssh2",
                                  strlen("Accepted password for root from 10.0.0.1 port 22 ssh2"),
                                  collect, &g), GRAMMAR_LIMIT);
    CU_ASSERT_EQUAL(g.n, 2);
    CU_ASSERT_EQUAL(match(ln, s, "Accepted password for root from 10.0.0.1 port 22 ssh2", &g),
                    GRAMMAR_MATCH);
    CU_ASSERT_EQUAL(g.n, 7);
    lognorm_scratch_free(s);
    lognorm_free(ln);
}

static void test_no_scratch(void)
{
    struct lognorm *ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    struct got g;

    CU_ASSERT_FATAL(ln != NULL);
    CU_ASSERT_EQUAL(match(ln, NULL, "(root) CMD (x)", &g), GRAMMAR_ERROR);
    lognorm_free(ln);
}

static const char *accepted = "Accepted password for root from 10.0.0.1 port 22 ssh2";

static void test_space_asis(void)
{
    struct lognorm *mm = load_fixture("lognorm/mmnormalize.rb", LOGNORM_SPACE_ASIS);
    struct lognorm_scratch *s = lognorm_scratch_new(mm);
    struct got g;

    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(match(mm, s, accepted, &g), GRAMMAR_NOMATCH);
    lognorm_scratch_free(s);
    lognorm_free(mm);
}

static void test_space_prepend(void)
{
    struct lognorm *mm = load_fixture("lognorm/mmnormalize.rb", LOGNORM_SPACE_PREPEND);
    struct lognorm *plain = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_PREPEND);
    struct lognorm_scratch *s = lognorm_scratch_new(mm), *p = lognorm_scratch_new(plain);
    struct got g;

    CU_ASSERT_FATAL(s != NULL && p != NULL);
    CU_ASSERT_EQUAL(match(mm, s, accepted, &g), GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "user.name", FLD_STRING, "root");
    ASSERT_FIELD(&g, "source.port", FLD_INT, "22");
    CU_ASSERT_EQUAL(match(plain, p, accepted, &g), GRAMMAR_NOMATCH);
    lognorm_scratch_free(s);
    lognorm_scratch_free(p);
    lognorm_free(mm);
    lognorm_free(plain);
}

static void test_space_auto(void)
{
    struct lognorm *mm = load_fixture("lognorm/mmnormalize.rb", LOGNORM_SPACE_AUTO);
    struct lognorm *plain = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_AUTO);
    struct lognorm_scratch *s = lognorm_scratch_new(mm), *p = lognorm_scratch_new(plain);
    struct got g;

    CU_ASSERT_FATAL(s != NULL && p != NULL);
    CU_ASSERT_EQUAL(match(mm, s, accepted, &g), GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "user.name", FLD_STRING, "root");
    CU_ASSERT_EQUAL(match(plain, p, accepted, &g), GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "user.name", FLD_STRING, "root");
    CU_ASSERT_EQUAL(match(mm, s, "neither way", &g), GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(g.n, 0);
    lognorm_scratch_free(s);
    lognorm_scratch_free(p);
    lognorm_free(mm);
    lognorm_free(plain);
}

static void test_space_parse(void)
{
    enum lognorm_space sp = LOGNORM_SPACE_ASIS;

    CU_ASSERT_EQUAL(lognorm_space_parse("prepend", &sp), 0);
    CU_ASSERT_EQUAL(sp, LOGNORM_SPACE_PREPEND);
    CU_ASSERT_EQUAL(lognorm_space_parse("auto", &sp), 0);
    CU_ASSERT_EQUAL(sp, LOGNORM_SPACE_AUTO);
    CU_ASSERT_EQUAL(lognorm_space_parse("yes", &sp), SL_EINVAL);
    CU_ASSERT_EQUAL(sp, LOGNORM_SPACE_AUTO);
    CU_ASSERT_EQUAL(lognorm_space_parse("as-is", &sp), 0);
    CU_ASSERT_EQUAL(sp, LOGNORM_SPACE_ASIS);
}

static void test_bad_type(void)
{
    struct lognorm *ln = (struct lognorm *)1;
    struct sl_err err;
    char want[512];

    sl_err_clear(&err);
    CU_ASSERT_EQUAL(lognorm_load_file(&ln, tu_fixture("lognorm/bad_type.rb"), NULL, &err), SL_ECONFIG);
    CU_ASSERT_PTR_NULL(ln);
    CU_ASSERT_EQUAL(err.code, SL_ECONFIG);
    snprintf(want, sizeof want, "%s:3", tu_fixture("lognorm/bad_type.rb"));
    TU_ASSERT_STR(err.where, want);
    TU_ASSERT_HAS(err.msg, "invalid field type 'nosuchtype'");
    TU_ASSERT_HASNT(err.msg, "/proc/self/fd");
    /* the next good rulebase loads */
    ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    CU_ASSERT_PTR_NOT_NULL(ln);
    lognorm_free(ln);
}

static void test_bad_many(void)
{
    struct lognorm *ln = NULL;
    struct sl_err err;
    char want[512];

    sl_err_clear(&err);
    CU_ASSERT_EQUAL(lognorm_load_file(&ln, tu_fixture("lognorm/bad_many.rb"), NULL, &err), SL_ECONFIG);
    CU_ASSERT_PTR_NULL(ln);
    snprintf(want, sizeof want, "%s:3", tu_fixture("lognorm/bad_many.rb"));
    TU_ASSERT_STR(err.where, want);
    TU_ASSERT_HAS(err.msg, "nosuchtype");
    snprintf(want, sizeof want, "%s:4: invalid record type detected: 'foo'",
             tu_fixture("lognorm/bad_many.rb"));
    TU_ASSERT_HAS(err.msg, want);
    TU_ASSERT_HAS(err.msg, "(3 problems)");
    ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    CU_ASSERT_PTR_NOT_NULL(ln);
    lognorm_free(ln);
}

static void test_not_v2(void)
{
    struct lognorm *ln = NULL;
    struct sl_err err;

    sl_err_clear(&err);
    CU_ASSERT_EQUAL(lognorm_load_file(&ln, tu_fixture("lognorm/v1.rb"), NULL, &err), SL_ECONFIG);
    CU_ASSERT_PTR_NULL(ln);
    TU_ASSERT_HAS(err.where, "v1.rb");
    TU_ASSERT_HAS(err.msg, "version=2");
    sl_err_clear(&err);
    CU_ASSERT_EQUAL(lognorm_load_string(&ln, "crlf", "version=2\r\nrule=:x\r\n",
                                        strlen("version=2\r\nrule=:x\r\n"), NULL, &err), SL_ECONFIG);
    CU_ASSERT_PTR_NULL(ln);
    CU_ASSERT_EQUAL(lognorm_load_string(&ln, "nul", "version=2\nrule=:a\0b\n", sizeof "version=2\nrule=:a\0b\n" - 1, NULL, &err),
                    SL_ECONFIG);
    TU_ASSERT_STR(err.where, "nul");
    TU_ASSERT_HAS(err.msg, "line 2");
    CU_ASSERT_EQUAL(lognorm_load_file(&ln, tu_fixture("lognorm/no-such-file.rb"), NULL, &err), SL_EIO);
    CU_ASSERT_PTR_NULL(ln);
    TU_ASSERT_HAS(err.msg, "No such file");
    ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    CU_ASSERT_PTR_NOT_NULL(ln);
    lognorm_free(ln);
}

static void test_string_rulebase(void)
{
    static const char rb[] =
        "version=2\n"
        "rule=:user %user.name:word% logged in\n"
        "rule=:runaway %x:word\n"           /* unmatched '%' runs into the next line */
        "rule=:later %y:word%\n";
    static const char good[] = "version=2\nrule=:user %user.name:word% logged in\n";
    struct lognorm *ln = NULL;
    struct lognorm_scratch *s;
    struct sl_err err;
    struct got g;

    sl_err_clear(&err);
    CU_ASSERT_EQUAL(lognorm_load_string(&ln, "inline", rb, sizeof rb - 1, NULL, &err), SL_ECONFIG);
    CU_ASSERT_PTR_NULL(ln);
    TU_ASSERT_HAS(err.where, "inline:");
    TU_ASSERT_HAS(err.msg, "unmatched % character");
    CU_ASSERT_EQUAL(lognorm_load_string(&ln, "inline", good, sizeof good - 1, NULL, &err), 0);
    CU_ASSERT_FATAL(ln != NULL);
    s = lognorm_scratch_new(ln);
    CU_ASSERT_EQUAL(match(ln, s, "user alice logged in", &g), GRAMMAR_MATCH);
    ASSERT_FIELD(&g, "user.name", FLD_STRING, "alice");
    lognorm_scratch_free(s);
    lognorm_free(ln);
}

static void test_grammar_wrapper(void)
{
    struct grammar *gr = lognorm_grammar_new("linux", load_fixture("lognorm/linux.rb",
                                                                   LOGNORM_SPACE_ASIS));
    struct grammar_stats st;
    void *s;
    struct got g;

    CU_ASSERT_FATAL(gr != NULL);
    TU_ASSERT_STR(grammar_kind(gr), "lognorm");
    TU_ASSERT_STR(grammar_name(gr), "linux");
    s = grammar_scratch_new(gr);
    CU_ASSERT_FATAL(s != NULL);
    memset(&g, 0, sizeof g);
    CU_ASSERT_EQUAL(grammar_match(gr, s, accepted, strlen(accepted), collect, &g), GRAMMAR_MATCH);
    CU_ASSERT_EQUAL(grammar_match(gr, s, "nope", 4, collect, &g), GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(grammar_match(gr, NULL, "nope", 4, collect, &g), GRAMMAR_ERROR);
    grammar_stats_get(gr, &st);
    CU_ASSERT_EQUAL(st.matches, 1);
    CU_ASSERT_EQUAL(st.misses, 1);
    CU_ASSERT_EQUAL(st.errors, 1);
    CU_ASSERT_EQUAL(st.limits, 0);
    grammar_scratch_free(gr, s);
    grammar_free(gr);
}

/* explain: how far the rulebase got into a missed line, from liblognorm's
 * unparsed-data, in the message's own bytes. */
static void test_explain(void)
{
    struct grammar *gr = lognorm_grammar_new("linux", load_fixture("lognorm/linux.rb",
                                                                   LOGNORM_SPACE_ASIS));
    struct grammar *mm = lognorm_grammar_new("mm", load_fixture("lognorm/mmnormalize.rb",
                                                                LOGNORM_SPACE_PREPEND));
    const char *host = "Accepted publickey for alice from host.example port 22 ssh2";
    const char *longer = "Accepted publickey for alice from 10.0.0.1 port 22 ssh3 and then a "
                         "long tail that is not shown whole";
    char why[512];

    CU_ASSERT_FATAL(gr != NULL && mm != NULL);
    CU_ASSERT(grammar_explain(gr, host, strlen(host), why, sizeof why) > 0);
    TU_ASSERT_HAS(why, "linux.rb: matched 34 of 59 bytes; unparsed from byte 34: "
                       "'host.example port 22 ssh2'");
    CU_ASSERT(grammar_explain(gr, "zzz", 3, why, sizeof why) > 0);
    TU_ASSERT_HAS(why, ": matched 0 of 3 bytes; unparsed from byte 0: 'zzz'");
    /* the rest is cut at 40 bytes */
    CU_ASSERT(grammar_explain(gr, longer, strlen(longer), why, sizeof why) > 0);
    TU_ASSERT_HAS(why, "matched 50 of 100 bytes; unparsed from byte 50: "
                       "' ssh3 and then a long tail that is not s...'");
    /* a NUL ends what liblognorm sees; a control byte shows as '.' */
    CU_ASSERT(grammar_explain(gr, "Accepted\tx\0y", 12, why, sizeof why) > 0);
    TU_ASSERT_HAS(why, "matched 0 of 10 bytes (up to the first NUL byte); "
                       "unparsed from byte 0: 'Accepted.x'");
    /* prepend: offsets count in the message, not in " " + message */
    CU_ASSERT(grammar_explain(mm, host, strlen(host), why, sizeof why) > 0);
    TU_ASSERT_HAS(why, "mmnormalize.rb (with a leading space): matched 34 of 59 "
                       "bytes; unparsed from byte 34: 'host.example");
    /* a line the rulebase matches has nothing to explain */
    CU_ASSERT_EQUAL(grammar_explain(gr, accepted, strlen(accepted), why, sizeof why), 0);
    CU_ASSERT_EQUAL(why[0], '\0');
    /* a short buffer is cut, NUL-terminated */
    CU_ASSERT_EQUAL(grammar_explain(gr, host, strlen(host), why, 16), 15);
    CU_ASSERT_EQUAL(strlen(why), 15);
    grammar_free(gr);
    grammar_free(mm);
}

#define THREADS 4
#define LINES   2000

struct thr {
    const struct lognorm *ln;
    int ok;
};

static void *thr_run(void *arg)
{
    struct thr *t = arg;
    struct lognorm_scratch *s = lognorm_scratch_new(t->ln);
    struct got *g = sl_malloc(sizeof *g);

    for (int i = 0; s && i < LINES; i++) {
        char line[128];
        int port = 1000 + i, k;

        snprintf(line, sizeof line, "Accepted password for u%d from 10.0.%d.%d port %d ssh2", i,
                 i / 256 % 256, i % 256, port);
        if (match(t->ln, s, line, g) != GRAMMAR_MATCH)
            continue;
        k = find(g, "source.port");
        if (k >= 0 && atoi(g->f[k].val) == port)
            t->ok++;
    }
    sl_free(g);
    lognorm_scratch_free(s);
    return NULL;
}

static void test_threads(void)
{
    struct lognorm *ln = load_fixture("lognorm/linux.rb", LOGNORM_SPACE_ASIS);
    pthread_t th[THREADS];
    struct thr t[THREADS];

    CU_ASSERT_FATAL(ln != NULL);
    for (int i = 0; i < THREADS; i++) {
        t[i].ln = ln;
        t[i].ok = 0;
        CU_ASSERT_FATAL(pthread_create(&th[i], NULL, thr_run, &t[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        CU_ASSERT_EQUAL(t[i].ok, LINES);
    }
    lognorm_free(ln);
}

static CU_TestInfo load_tests[] = {
    { "a bad field type fails the load naming file:line", test_bad_type },
    { "every problem liblognorm reports is collected and counted", test_bad_many },
    { "a rulebase without version=2, with a NUL, or missing is refused", test_not_v2 },
    { "a string rulebase with a runaway rule is refused, a good one loads", test_string_rulebase },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo match_tests[] = {
    { "sshd accepted gives typed fields split into keys", test_ssh_accepted },
    { "sshd failed gives the rule's tags as tags", test_ssh_tags },
    { "a UFW kv tail becomes ufw.* fields, with or without the kernel stamp", test_ufw_kv },
    { "a CRON line gives user and command", test_cron },
    { "JSON values keep their types, null is left out", test_json_types },
    { "objects past eight keys go out as JSON text", test_depth_ceiling },
    { "an unmatched line emits nothing, a NUL ends the line, the next one matches", test_nomatch },
    { "emit asking to stop gives GRAMMAR_LIMIT", test_emit_stop },
    { "no scratch gives GRAMMAR_ERROR", test_no_scratch },
    { "the lognorm grammar counts its results", test_grammar_wrapper },
    { "explain says how many bytes of a missed line the rulebase took and shows the rest",
      test_explain },
    { "four threads with a scratch each match concurrently", test_threads },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo space_tests[] = {
    { "as-is: an mmnormalize rulebase misses sluice's message", test_space_asis },
    { "prepend: an mmnormalize rulebase matches, a plain one misses", test_space_prepend },
    { "auto: both kinds of rulebase match", test_space_auto },
    { "space mode names parse", test_space_parse },
    CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
    CU_SuiteInfo suites[] = {
        { "lognorm load", NULL, NULL, NULL, NULL, load_tests },
        { "lognorm match", NULL, NULL, NULL, NULL, match_tests },
        { "lognorm leading space", NULL, NULL, NULL, NULL, space_tests },
        CU_SUITE_INFO_NULL,
    };

    return tu_main(argc, argv, suites);
}
