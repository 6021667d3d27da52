/* tests/unit/test_route.c: dispatch of lines to grammars by program. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "parser/grammar.h"
#include "parser/lognorm.h"
#include "parser/route.h"
#include "tests/unit/tu.h"

/* A grammar that matches lines starting with its prefix and otherwise
 * answers `other`; it counts its calls and checks it got its own scratch. */
struct fake {
    char                name[32];
    char                prefix[16];
    enum grammar_result other;
    atomic_int          calls;
    atomic_int          scratches;
    int                 freed;
};

struct fake_scratch {
    struct fake *owner;
};

static int fakes_freed;

static void *fake_scratch_new(const void *impl)
{
    struct fake *f = (struct fake *)impl;
    struct fake_scratch *s = sl_malloc(sizeof *s);

    s->owner = f;
    atomic_fetch_add(&f->scratches, 1);
    return s;
}

static void fake_scratch_free(void *s)
{
    sl_free(s);
}

static enum grammar_result fake_match(const void *impl, void *scratch, const char *msg, size_t len,
                                      fld_emit_fn emit, void *arg)
{
    struct fake *f = (struct fake *)impl;
    struct fake_scratch *s = scratch;
    size_t pl = strlen(f->prefix);

    atomic_fetch_add(&f->calls, 1);
    if (!s || s->owner != f)
        return GRAMMAR_ERROR;
    if (len >= pl && !memcmp(msg, f->prefix, pl)) {
        char path[] = "matched.by";
        char keys[] = "matched\0by";
        struct fld_name n;

        memset(&n, 0, sizeof n);
        n.path = path;
        n.depth = 2;
        n.keys_buf = keys;
        n.key[0] = keys;
        n.key_len[0] = 7;
        n.key[1] = keys + 8;
        n.key_len[1] = 2;
        emit(arg, &n, FLD_STRING, f->name, strlen(f->name));
        return GRAMMAR_MATCH;
    }
    return f->other;
}

static void fake_free(void *impl)
{
    sl_free(impl);
    fakes_freed++;
}

static const struct grammar_ops fake_ops = {
    .kind = "fake",
    .scratch_new = fake_scratch_new,
    .scratch_free = fake_scratch_free,
    .match = fake_match,
    .free = fake_free,
};

/* Adds a fake grammar to t; returns it (owned by the table). */
static struct fake *add_fake(struct route_table *t, const char *name, const char *prefix,
                             enum grammar_result other)
{
    struct fake *f = sl_calloc(1, sizeof *f);
    struct sl_err err;

    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->prefix, sizeof f->prefix, "%s", prefix);
    f->other = other;
    atomic_init(&f->calls, 0);
    atomic_init(&f->scratches, 0);
    CU_ASSERT_EQUAL(route_table_add_grammar(t, grammar_new(name, &fake_ops, f), &err), 0);
    return f;
}

static int add_route(struct route_table *t, const char *key, const char *g1, const char *g2,
                     struct sl_err *err)
{
    const char *gs[2] = { g1, g2 };

    sl_err_clear(err);
    return route_add(t, key, gs, g2 ? 2 : 1, err);
}

/* What the match emitted: the last "matched.by" value. */
struct got {
    int  n;
    char by[32];
};

static int collect(void *arg, const struct fld_name *name, enum fld_type type, const char *val,
                   size_t len)
{
    struct got *g = arg;

    g->n++;
    if (!strcmp(name->path, "matched.by") || !strcmp(name->path, "user.name"))
        snprintf(g->by, sizeof g->by, "%.*s", (int)len, val);
    return 0;
}

static void dispatch(const struct route_table *t, struct route_scratch *s, const char *program,
                     const char *host, int facility, const char *msg, struct got *g,
                     struct route_result *r)
{
    struct route_line l = {
        program, program ? strlen(program) : 0, host, host ? strlen(host) : 0, facility,
    };

    memset(g, 0, sizeof *g);
    route_match(t, s, &l, msg, strlen(msg), collect, g, r);
}

#define PROGRAMS 200

static void test_many_programs(void)
{
    struct route_table *t = route_table_new();
    struct fake *a[PROGRAMS], *b[PROGRAMS];
    struct route_scratch *s;
    struct route_result r;
    struct sl_err err;
    struct got g;
    long total = 0;

    for (int i = 0; i < PROGRAMS; i++) {
        char name[32], prog[32], na[32], nb[32];

        snprintf(na, sizeof na, "g%03d_a", i);
        snprintf(nb, sizeof nb, "g%03d_b", i);
        a[i] = add_fake(t, na, "A", GRAMMAR_NOMATCH);
        b[i] = add_fake(t, nb, "B", GRAMMAR_NOMATCH);
        snprintf(prog, sizeof prog, "prog%03d", i);
        snprintf(name, sizeof name, "%s", prog);
        CU_ASSERT_EQUAL_FATAL(add_route(t, name, na, nb, &err), 0);
    }
    CU_ASSERT_EQUAL_FATAL(route_table_seal(t, &err), 0);
    s = route_scratch_new(t);
    CU_ASSERT_FATAL(s != NULL);
    dispatch(t, s, "prog123", NULL, -1, "B line", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_MATCH);
    TU_ASSERT_STR(r.grammar, "g123_b");
    TU_ASSERT_STR(r.route, "prog123");
    CU_ASSERT_PTR_NULL(r.tag);
    TU_ASSERT_STR(g.by, "g123_b");
    dispatch(t, s, "prog123", NULL, -1, "A line", &g, &r);
    TU_ASSERT_STR(r.grammar, "g123_a");
    CU_ASSERT_EQUAL(atomic_load(&a[123]->calls), 2);
    CU_ASSERT_EQUAL(atomic_load(&b[123]->calls), 1);   /* the first match won */
    for (int i = 0; i < PROGRAMS; i++)
        total += atomic_load(&a[i]->calls) + atomic_load(&b[i]->calls);
    CU_ASSERT_EQUAL(total, 3);          /* no other program's grammar was called */
    /* a program sharing nothing but a prefix is not routed */
    dispatch(t, s, "prog12", NULL, -1, "A line", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_NONE);
    route_scratch_free(s);
    route_table_free(t);
}

static void test_star(void)
{
    struct route_table *t = route_table_new();
    struct fake *ssh = add_fake(t, "ssh", "Accepted", GRAMMAR_NOMATCH);
    struct fake *any = add_fake(t, "any", "", GRAMMAR_NOMATCH);
    struct route_scratch *s;
    struct route_result r;
    struct sl_err err;
    struct got g;

    CU_ASSERT_EQUAL(add_route(t, "*", "any", NULL, &err), 0);
    CU_ASSERT_EQUAL(add_route(t, "sshd", "ssh", NULL, &err), 0);
    CU_ASSERT_EQUAL_FATAL(route_table_seal(t, &err), 0);
    s = route_scratch_new(t);
    dispatch(t, s, "nginx", NULL, -1, "GET /", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_MATCH);
    TU_ASSERT_STR(r.route, "*");
    TU_ASSERT_STR(r.grammar, "any");
    dispatch(t, s, NULL, NULL, -1, "no tag at all", &g, &r);
    TU_ASSERT_STR(r.route, "*");
    /* a program with a route of its own never reaches "*", even on a miss */
    dispatch(t, s, "sshd", NULL, -1, "Connection closed", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_NOMATCH);
    TU_ASSERT_STR(r.route, "sshd");
    CU_ASSERT_EQUAL(atomic_load(&any->calls), 2);
    CU_ASSERT_EQUAL(atomic_load(&ssh->calls), 1);
    route_scratch_free(s);
    route_table_free(t);
}

static void test_first_match(void)
{
    struct route_table *t = route_table_new();
    struct fake *one = add_fake(t, "one", "x", GRAMMAR_NOMATCH);
    struct fake *two = add_fake(t, "two", "x", GRAMMAR_NOMATCH);
    struct fake *three = add_fake(t, "three", "xy", GRAMMAR_NOMATCH);
    const char *gs[3] = { "three", "one", "two" };
    struct route_scratch *s;
    struct route_result r;
    struct sl_err err;
    struct got g;

    CU_ASSERT_EQUAL(route_add(t, "app", gs, 3, &err), 0);
    CU_ASSERT_EQUAL_FATAL(route_table_seal(t, &err), 0);
    s = route_scratch_new(t);
    dispatch(t, s, "app", NULL, -1, "xz", &g, &r);
    TU_ASSERT_STR(r.grammar, "one");
    CU_ASSERT_EQUAL(g.n, 1);
    dispatch(t, s, "app", NULL, -1, "xy", &g, &r);
    TU_ASSERT_STR(r.grammar, "three");
    CU_ASSERT_EQUAL(atomic_load(&three->calls), 2);
    CU_ASSERT_EQUAL(atomic_load(&one->calls), 1);
    CU_ASSERT_EQUAL(atomic_load(&two->calls), 0);
    route_scratch_free(s);
    route_table_free(t);
}

static void test_nomatch_tag(void)
{
    struct route_table *t = route_table_new();
    struct route_scratch *s;
    struct route_result r;
    struct route_stats st;
    struct grammar_stats gs;
    struct sl_err err;
    struct got g;

    add_fake(t, "ssh", "Accepted", GRAMMAR_NOMATCH);
    add_fake(t, "any", "GET", GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(add_route(t, "sshd", "ssh", NULL, &err), 0);
    CU_ASSERT_EQUAL(add_route(t, "*", "any", NULL, &err), 0);
    CU_ASSERT_EQUAL_FATAL(route_table_seal(t, &err), 0);
    s = route_scratch_new(t);
    dispatch(t, s, "sshd", NULL, -1, "Connection closed by 10.0.0.1", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_NOMATCH);
    TU_ASSERT_STR(r.tag, "_sluice_nomatch_sshd");
    TU_ASSERT_STR(r.route, "sshd");
    CU_ASSERT_PTR_NULL(r.grammar);
    CU_ASSERT_EQUAL(g.n, 0);
    dispatch(t, s, "cron", NULL, -1, "(root) CMD", &g, &r);
    TU_ASSERT_STR(r.tag, "_sluice_nomatch_default");
    route_stats_get(t, 0, &st);
    TU_ASSERT_STR(st.name, "sshd");
    CU_ASSERT_EQUAL(st.nomatch, 1);
    CU_ASSERT_EQUAL(st.matches, 0);
    grammar_stats_get(route_table_grammar(t, 0), &gs);
    CU_ASSERT_EQUAL(gs.misses, 1);
    /* the next good line matches */
    dispatch(t, s, "sshd", NULL, -1, "Accepted password", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_MATCH);
    CU_ASSERT_PTR_NULL(r.tag);
    route_stats_get(t, 0, &st);
    CU_ASSERT_EQUAL(st.matches, 1);
    route_scratch_free(s);
    route_table_free(t);
}

static void test_limit(void)
{
    struct route_table *t = route_table_new();
    struct fake *lim = add_fake(t, "slow", "never", GRAMMAR_LIMIT);
    struct fake *ok = add_fake(t, "ok", "", GRAMMAR_NOMATCH);
    struct route_scratch *s;
    struct route_result r;
    struct route_stats st;
    struct grammar_stats gs;
    struct sl_err err;
    struct got g;

    CU_ASSERT_EQUAL(add_route(t, "app", "slow", "ok", &err), 0);
    CU_ASSERT_EQUAL_FATAL(route_table_seal(t, &err), 0);
    s = route_scratch_new(t);
    dispatch(t, s, "app", NULL, -1, "aaaaaaaaaaaaaaaaaaaaaaaa!", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_LIMIT);
    TU_ASSERT_STR(r.tag, ROUTE_TAG_LIMIT);
    TU_ASSERT_STR(r.tag, "_sluice_grammar_limit");
    TU_ASSERT_STR(r.grammar, "slow");
    CU_ASSERT_EQUAL(atomic_load(&ok->calls), 0);  /* the route stopped at the limit */
    grammar_stats_get(route_table_grammar(t, 0), &gs);
    CU_ASSERT_EQUAL(gs.limits, 1);
    route_stats_get(t, 0, &st);
    CU_ASSERT_EQUAL(st.limits, 1);
    /* a line the slow grammar takes still matches */
    dispatch(t, s, "app", NULL, -1, "never mind", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_MATCH);
    TU_ASSERT_STR(r.grammar, "slow");
    CU_ASSERT_EQUAL(atomic_load(&lim->calls), 2);
    route_scratch_free(s);
    route_table_free(t);
}

static void test_error_grammar(void)
{
    struct route_table *t = route_table_new();
    struct route_scratch *s;
    struct route_result r;
    struct grammar_stats gs;
    struct sl_err err;
    struct got g;

    add_fake(t, "broken", "never", GRAMMAR_ERROR);
    add_fake(t, "ok", "", GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(add_route(t, "app", "broken", "ok", &err), 0);
    CU_ASSERT_EQUAL_FATAL(route_table_seal(t, &err), 0);
    s = route_scratch_new(t);
    dispatch(t, s, "app", NULL, -1, "line", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_MATCH);
    TU_ASSERT_STR(r.grammar, "ok");
    grammar_stats_get(route_table_grammar(t, 0), &gs);
    CU_ASSERT_EQUAL(gs.errors, 1);
    CU_ASSERT_EQUAL(gs.misses, 0);
    route_scratch_free(s);
    route_table_free(t);
}

static void test_no_route(void)
{
    struct route_table *t = route_table_new();
    struct route_scratch *s;
    struct route_result r;
    struct sl_err err;
    struct got g;

    add_fake(t, "ssh", "", GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(add_route(t, "sshd", "ssh", NULL, &err), 0);
    CU_ASSERT_PTR_NULL(route_scratch_new(t));     /* not sealed yet */
    CU_ASSERT_EQUAL_FATAL(route_table_seal(t, &err), 0);
    s = route_scratch_new(t);
    dispatch(t, s, "nginx", NULL, -1, "GET /", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_NONE);
    CU_ASSERT_PTR_NULL(r.tag);
    CU_ASSERT_PTR_NULL(r.route);
    CU_ASSERT_EQUAL(g.n, 0);
    dispatch(t, s, "", NULL, -1, "GET /", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_NONE);
    dispatch(t, s, "sshd", NULL, -1, "x", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_MATCH);
    route_scratch_free(s);
    route_table_free(t);
}

static void test_empty_table(void)
{
    struct route_table *t = route_table_new(), *u = route_table_new();
    struct route_scratch *s, *su;
    struct route_result r;
    struct sl_err err;
    struct got g;

    CU_ASSERT_EQUAL(route_table_seal(t, &err), 0);
    CU_ASSERT_EQUAL(route_table_seal(u, &err), 0);
    s = route_scratch_new(t);
    su = route_scratch_new(u);
    CU_ASSERT_FATAL(s != NULL && su != NULL);
    dispatch(t, s, "sshd", NULL, -1, "x", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_NONE);
    dispatch(t, su, "sshd", NULL, -1, "x", &g, &r);     /* another table's scratch */
    CU_ASSERT_EQUAL(r.status, ROUTE_NONE);
    CU_ASSERT_EQUAL(route_table_nroutes(t), 0);
    CU_ASSERT_EQUAL(route_table_ngrammars(t), 0);
    route_scratch_free(s);
    route_scratch_free(su);
    route_table_free(t);
    route_table_free(u);
}

static void test_conditions(void)
{
    struct route_table *t = route_table_new();
    struct route_scratch *s;
    struct route_result r;
    struct sl_err err;
    struct got g;
    const char *names[] = { "A", "B", "C", "D", "E", "K" };

    for (size_t i = 0; i < 6; i++)
        add_fake(t, names[i], "", GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(add_route(t, "sshd@host=FW1", "A", NULL, &err), 0);
    CU_ASSERT_EQUAL(add_route(t, "sshd@facility=auth", "B", NULL, &err), 0);
    CU_ASSERT_EQUAL(add_route(t, "sshd", "C", NULL, &err), 0);
    CU_ASSERT_EQUAL(add_route(t, "*@facility=16", "D", NULL, &err), 0);
    CU_ASSERT_EQUAL(add_route(t, "*", "E", NULL, &err), 0);
    CU_ASSERT_EQUAL(add_route(t, "kernel@host=fw1,facility=kern", "K", NULL, &err), 0);
    CU_ASSERT_EQUAL_FATAL(route_table_seal(t, &err), 0);
    s = route_scratch_new(t);
    dispatch(t, s, "sshd", "fw1", 4, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "A");
    TU_ASSERT_STR(r.route, "sshd@host=fw1");
    dispatch(t, s, "sshd", "Fw1", 3, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "A");              /* host names compare without case */
    dispatch(t, s, "sshd", "web", 4, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "B");
    TU_ASSERT_STR(r.route, "sshd@facility=auth");
    dispatch(t, s, "sshd", NULL, 4, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "B");
    dispatch(t, s, "sshd", "web", 3, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "C");
    dispatch(t, s, "sshd", "fw10", -1, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "C");
    dispatch(t, s, "nginx", "web", 16, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "D");
    TU_ASSERT_STR(r.route, "*@facility=local0");
    dispatch(t, s, "nginx", "web", 3, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "E");
    dispatch(t, s, "kernel", "FW1", 0, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "K");
    TU_ASSERT_STR(r.route, "kernel@host=fw1,facility=kern");
    /* a program whose routes all have conditions falls to "*" when none holds */
    dispatch(t, s, "kernel", "web", 0, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "E");
    dispatch(t, s, "kernel", "fw1", 16, "x", &g, &r);
    TU_ASSERT_STR(r.grammar, "D");
    route_scratch_free(s);
    route_table_free(t);
}

static void test_tags_of_conditions(void)
{
    struct route_table *t = route_table_new();
    struct route_stats st;
    struct sl_err err;

    add_fake(t, "g", "", GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(add_route(t, "*@facility=LOCAL7", "g", NULL, &err), 0);
    CU_ASSERT_EQUAL(add_route(t, "app@facility=3,host=a.example", "g", NULL, &err), 0);
    CU_ASSERT_EQUAL(route_table_seal(t, &err), 0);
    CU_ASSERT_EQUAL(route_table_nroutes(t), 2);
    route_stats_get(t, 0, &st);
    TU_ASSERT_STR(st.name, "*@facility=local7");
    TU_ASSERT_STR(st.tag, "_sluice_nomatch_default@facility=local7");
    route_stats_get(t, 1, &st);
    TU_ASSERT_STR(st.name, "app@host=a.example,facility=daemon");
    TU_ASSERT_STR(st.tag, "_sluice_nomatch_app@host=a.example,facility=daemon");
    CU_ASSERT_EQUAL(st.ngrammars, 1);
    TU_ASSERT_STR(grammar_name(st.grammars[0]), "g");
    route_table_free(t);
}

static void expect_bad(struct route_table *t, const char *key, const char *g, const char *want)
{
    struct sl_err err;

    CU_ASSERT_EQUAL(add_route(t, key, g, NULL, &err), SL_ECONFIG);
    TU_ASSERT_HAS(err.msg, want);
}

static void test_bad_routes(void)
{
    struct route_table *t = route_table_new();
    struct route_scratch *s;
    struct route_result r;
    struct sl_err err;
    struct got g;

    add_fake(t, "g", "", GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(route_table_add_grammar(t, grammar_new("g", &fake_ops, sl_calloc(1, sizeof(struct fake))),
                                            &err), SL_ECONFIG);
    TU_ASSERT_HAS(err.msg, "defined twice");
    CU_ASSERT_PTR_NULL(grammar_new("", &fake_ops, sl_calloc(1, sizeof(struct fake))));
    CU_ASSERT_EQUAL(route_table_add_grammar(t, NULL, &err), SL_EINVAL);
    expect_bad(t, "", "g", "no program name");
    expect_bad(t, "@host=x", "g", "no program name");
    expect_bad(t, "ss hd", "g", "space or control");
    expect_bad(t, "sshd@host=", "g", "expected host=NAME");
    expect_bad(t, "sshd@host=a b", "g", "space or control");
    expect_bad(t, "sshd@host=a,host=b", "g", "host given twice");
    expect_bad(t, "sshd@facility=bogus", "g", "unknown facility \"bogus\"");
    expect_bad(t, "sshd@facility=24", "g", "unknown facility");
    expect_bad(t, "sshd@facility=1,facility=2", "g", "facility given twice");
    expect_bad(t, "sshd@color=red", "g", "route condition \"color=red\"");
    expect_bad(t, "sshd", "nosuch", "unknown grammar \"nosuch\"");
    CU_ASSERT_EQUAL(route_add(t, "sshd", NULL, 0, &err), SL_ECONFIG);
    TU_ASSERT_HAS(err.msg, "lists no grammar");
    /* narrower first is fine; a route an earlier one always takes is not */
    CU_ASSERT_EQUAL(add_route(t, "sshd@host=fw1,facility=auth", "g", NULL, &err), 0);
    CU_ASSERT_EQUAL(add_route(t, "sshd@host=fw1", "g", NULL, &err), 0);
    expect_bad(t, "sshd@host=FW1,facility=4", "g", "defined twice");
    expect_bad(t, "sshd@facility=auth,host=fw1", "g", "defined twice");
    expect_bad(t, "sshd@host=fw1,facility=cron", "g", "would never be used: \"sshd@host=fw1\"");
    CU_ASSERT_EQUAL(add_route(t, "sshd", "g", NULL, &err), 0);
    expect_bad(t, "sshd", "g", "defined twice");
    expect_bad(t, "sshd@facility=auth", "g", "would never be used: \"sshd\"");
    CU_ASSERT_EQUAL(add_route(t, "*", "g", NULL, &err), 0);
    expect_bad(t, "*@host=x", "g", "would never be used");
    /* the next good route is taken, and the table works */
    CU_ASSERT_EQUAL(add_route(t, "cron", "g", NULL, &err), 0);
    CU_ASSERT_EQUAL(route_table_nroutes(t), 5);
    CU_ASSERT_EQUAL(route_table_seal(t, &err), 0);
    CU_ASSERT_EQUAL(add_route(t, "late", "g", NULL, &err), SL_EINVAL);
    CU_ASSERT_EQUAL(route_table_add_grammar(t, grammar_new("late", &fake_ops,
                                                           sl_calloc(1, sizeof(struct fake))), &err),
                    SL_EINVAL);
    s = route_scratch_new(t);
    dispatch(t, s, "cron", NULL, -1, "x", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_MATCH);
    TU_ASSERT_STR(r.route, "cron");
    route_scratch_free(s);
    route_table_free(t);
}

static void test_scratch_per_worker(void)
{
    struct route_table *t = route_table_new();
    struct fake *f = add_fake(t, "f", "x", GRAMMAR_NOMATCH);
    struct fake *h = add_fake(t, "h", "y", GRAMMAR_NOMATCH);
    struct route_scratch *s1, *s2;
    struct route_result r;
    struct sl_err err;
    struct got g;

    CU_ASSERT_EQUAL(add_route(t, "a", "f", "h", &err), 0);
    CU_ASSERT_EQUAL(route_table_seal(t, &err), 0);
    s1 = route_scratch_new(t);
    s2 = route_scratch_new(t);
    CU_ASSERT_EQUAL(atomic_load(&f->scratches), 2);
    CU_ASSERT_EQUAL(atomic_load(&h->scratches), 2);
    for (int i = 0; i < 10; i++) {
        dispatch(t, i % 2 ? s1 : s2, "a", NULL, -1, "y", &g, &r);
        CU_ASSERT_EQUAL(r.status, ROUTE_MATCH);   /* a wrong scratch would be GRAMMAR_ERROR */
    }
    CU_ASSERT_EQUAL(atomic_load(&f->scratches), 2);  /* made once per worker, not per line */
    route_scratch_free(s1);
    route_scratch_free(s2);
    route_table_free(t);
}

#define WORKERS 4
#define LINES   50000
#define NPROG   50

struct worker {
    const struct route_table *t;
    long sent[NPROG + 1];                   /* per route; [NPROG]: no route */
    long matched;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct route_scratch *s = route_scratch_new(w->t);
    uint32_t x = 2463534242u;

    for (int i = 0; i < LINES; i++) {
        char prog[16];
        struct route_result r;
        struct got g;
        unsigned p;

        x ^= x << 13;                       /* xorshift: the same lines in every run */
        x ^= x >> 17;
        x ^= x << 5;
        p = x % (NPROG + 10);               /* ten programs without a route */
        snprintf(prog, sizeof prog, "p%u", p);
        dispatch(w->t, s, prog, NULL, -1, (x & 1) ? "M line" : "other", &g, &r);
        if (p < NPROG) {
            w->sent[p]++;
            w->matched += r.status == ROUTE_MATCH;
        } else {
            w->sent[NPROG] += r.status == ROUTE_NONE;
        }
    }
    route_scratch_free(s);
    return NULL;
}

static void test_many_lines(void)
{
    struct route_table *t = route_table_new();
    struct worker w[WORKERS];
    pthread_t th[WORKERS];
    struct sl_err err;
    long sent[NPROG + 1] = { 0 }, matched = 0, none = 0;

    for (int i = 0; i < NPROG; i++) {
        char name[16];

        snprintf(name, sizeof name, "p%d", i);
        add_fake(t, name, "M", GRAMMAR_NOMATCH);
        CU_ASSERT_EQUAL(add_route(t, name, name, NULL, &err), 0);
    }
    CU_ASSERT_EQUAL_FATAL(route_table_seal(t, &err), 0);
    memset(w, 0, sizeof w);
    for (int i = 0; i < WORKERS; i++) {
        w[i].t = t;
        CU_ASSERT_FATAL(pthread_create(&th[i], NULL, worker_run, &w[i]) == 0);
    }
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(th[i], NULL);
        for (int p = 0; p <= NPROG; p++)
            sent[p] += w[i].sent[p];
        matched += w[i].matched;
    }
    for (int p = 0; p < NPROG; p++) {
        struct route_stats st;
        struct grammar_stats gs;

        route_stats_get(t, (size_t)p, &st);
        grammar_stats_get(route_table_grammar(t, (size_t)p), &gs);
        CU_ASSERT_EQUAL((long)(st.matches + st.nomatch), sent[p]);
        CU_ASSERT_EQUAL((long)(gs.matches + gs.misses), sent[p]);
        CU_ASSERT_EQUAL(st.matches, gs.matches);
        matched -= (long)st.matches;
        none += sent[p];
    }
    CU_ASSERT_EQUAL(matched, 0);
    CU_ASSERT_EQUAL(none + sent[NPROG], (long)WORKERS * LINES);
    route_table_free(t);
}

static void test_lognorm_route(void)
{
    struct route_table *t = route_table_new();
    struct lognorm *ln = NULL;
    struct route_scratch *s;
    struct route_result r;
    struct sl_err err;
    struct got g;

    CU_ASSERT_EQUAL_FATAL(lognorm_load_file(&ln, tu_fixture("lognorm/linux.rb"), NULL, &err), 0);
    CU_ASSERT_EQUAL(route_table_add_grammar(t, lognorm_grammar_new("linux", ln), &err), 0);
    add_fake(t, "rest", "", GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(add_route(t, "sshd", "linux", "rest", &err), 0);
    CU_ASSERT_EQUAL(route_table_seal(t, &err), 0);
    s = route_scratch_new(t);
    dispatch(t, s, "sshd", NULL, -1, "Accepted password for root from 10.0.0.1 port 22 ssh2", &g, &r);
    CU_ASSERT_EQUAL(r.status, ROUTE_MATCH);
    TU_ASSERT_STR(r.grammar, "linux");
    TU_ASSERT_STR(g.by, "root");
    CU_ASSERT_EQUAL(g.n, 7);
    dispatch(t, s, "sshd", NULL, -1, "Connection closed", &g, &r);
    TU_ASSERT_STR(r.grammar, "rest");
    TU_ASSERT_STR(grammar_kind(route_table_grammar(t, 0)), "lognorm");
    route_scratch_free(s);
    route_table_free(t);
}

static void test_frees(void)
{
    struct route_table *t = route_table_new();
    struct sl_err err;
    int before = fakes_freed;

    add_fake(t, "a", "", GRAMMAR_NOMATCH);
    add_fake(t, "b", "", GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(add_route(t, "x", "a", "b", &err), 0);
    route_table_free(t);                    /* never sealed */
    CU_ASSERT_EQUAL(fakes_freed - before, 2);
    route_table_free(NULL);
    route_scratch_free(NULL);
    grammar_free(NULL);
}

static CU_TestInfo dispatch_tests[] = {
    { "among 200 programs a line calls only its program's grammars", test_many_programs },
    { "\"*\" takes programs without a route and lines without a program", test_star },
    { "the first grammar that matches wins", test_first_match },
    { "no match keeps the line and tags its route", test_nomatch_tag },
    { "a limit stops the route, is tagged and counted", test_limit },
    { "a failing grammar is counted and the next one tried", test_error_grammar },
    { "a line no route takes is left alone, untagged", test_no_route },
    { "an empty table or a foreign scratch routes nothing", test_empty_table },
    { "host and facility narrow a route, \"*\" catches the rest", test_conditions },
    { "a route through a liblognorm rulebase gives its fields", test_lognorm_route },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo build_tests[] = {
    { "route names and tags are canonical", test_tags_of_conditions },
    { "bad keys, unknown grammars, duplicate and shadowed routes are refused", test_bad_routes },
    { "each worker's scratch set has one scratch per grammar, made once", test_scratch_per_worker },
    { "four workers, 200000 lines: counters add up", test_many_lines },
    { "freeing an unsealed table frees its grammars", test_frees },
    CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
    CU_SuiteInfo suites[] = {
        { "route dispatch", NULL, NULL, NULL, NULL, dispatch_tests },
        { "route table", NULL, NULL, NULL, NULL, build_tests },
        CU_SUITE_INFO_NULL,
    };

    return tu_main(argc, argv, suites);
}
