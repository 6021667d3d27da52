/* tests/unit/test_payload.c: JSON and logfmt messages as fields
 * (parser/payload.c) through evt_field_emit into the document: types,
 * nesting, the prefix, @cee:, bad JSON, arrays, limits, logfmt quoting and
 * the rule that keeps prose with an `=` as text. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include <libfastjson/json.h>

#include "common/buf.h"
#include "common/err.h"
#include "parser/evt.h"
#include "parser/payload.h"
#include "parser/syslog.h"
#include "tests/unit/jcheck.h"
#include "tests/unit/tu.h"

static struct evt *E;
static struct syslog_opts O;
static struct sl_buf B;
static struct fjson_object *J;
static struct payload_scratch *S;
static struct payload_opts P;

static void opts(int json, int logfmt, const char *jp, const char *lp, unsigned depth,
                 unsigned fields)
{
    struct sl_err err;

    payload_opts_free(&P);
    CU_ASSERT_EQUAL_FATAL(payload_opts_init(&P, json, logfmt, jp, lp, depth, fields, &err), 0);
}

/* The message msg (a bare one, after an RFC 5424 header) read as payload;
 * returns the kind, leaves the document in J. */
static enum payload_kind run(const char *msg)
{
    struct evt_meta m = { 1795000000000000000, NULL, 0, NULL, 0 };
    struct fjson_tokener *tok;
    enum payload_kind k;
    size_t n;
    const char *text;

    sl_buf_reset(&B);
    sl_buf_printf(&B, "<13>1 2026-11-23T10:00:00Z h app - - - %s", msg);
    syslog_parse(E, B.data, B.len, &m, &O);
    text = evt_message(E, &n);
    k = payload_parse(&P, S, text, n, evt_field_emit, E);
    sl_buf_reset(&B);
    CU_ASSERT_EQUAL_FATAL(evt_json(E, &B), 0);
    if (tu_strict_json(B.data, B.len)) {
        fprintf(stderr, "\n  not strict JSON: %s\n", B.data);
        CU_FAIL_FATAL("document is not strict JSON");
    }
    fjson_object_put(J);
    tok = fjson_tokener_new();
    J = fjson_tokener_parse_ex(tok, B.data, (int)B.len);
    fjson_tokener_free(tok);
    CU_ASSERT_PTR_NOT_NULL_FATAL(J);
    return k;
}

static int count_emit(void *arg, const struct fld_name *name, enum fld_type type,
                      const char *val, size_t len)
{
    (void)name, (void)type, (void)val, (void)len;
    ++*(size_t *)arg;
    return 0;
}

static const char *jstr(const char *path) { return tu_jstr(J, path); }
static int64_t jint(const char *path) { return tu_jint(J, path); }

/* The document's tags as one string: "a,b" ("" without). */
static const char *tags(void)
{
    static char out[512];
    struct fjson_object *t = tu_jat(J, "tags");
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; t && i < (int)fjson_object_array_length(t); i++)
        used += (size_t)snprintf(out + used, sizeof out - used, "%s%s", i ? "," : "",
                                 fjson_object_get_string(fjson_object_array_get_idx(t, i)));
    return out;
}

static void t_json_types(void)
{
    opts(1, 0, "json", "logfmt", 5, 64);
    CU_ASSERT_EQUAL(run("{\"s\":\"x\",\"i\":-42,\"f\":1.5e3,\"t\":true,\"n\":null,"
                        "\"a\":[1,\"b\",{\"c\":2}],\"o\":{\"p\":{\"q\":\"deep\"}},\"big\":12345678901234567890}"),
                    PAYLOAD_JSON);
    TU_ASSERT_STR(jstr("json.s"), "x");
    CU_ASSERT_EQUAL(jint("json.i"), -42);
    CU_ASSERT(fjson_object_get_type(tu_jat(J, "json.f")) == fjson_type_double);
    CU_ASSERT(fjson_object_get_boolean(tu_jat(J, "json.t")));
    CU_ASSERT(fjson_object_get_type(tu_jat(J, "json.t")) == fjson_type_boolean);
    CU_ASSERT_PTR_NULL(tu_jat(J, "json.n"));                 /* null is left out */
    CU_ASSERT(fjson_object_get_type(tu_jat(J, "json.a")) == fjson_type_array);
    CU_ASSERT_EQUAL(fjson_object_array_length(tu_jat(J, "json.a")), 3);
    TU_ASSERT_STR(jstr("json.o.p.q"), "deep");
    TU_ASSERT_HAS(B.data, "\"big\":12345678901234567890");    /* a number, as written */
    /* the message keeps the whole text */
    TU_ASSERT_HAS(jstr("message"), "\"big\":12345678901234567890");
    TU_ASSERT_STR(tags(), "");
}

static void t_json_escapes_and_keys(void)
{
    opts(1, 0, "json", "logfmt", 5, 64);
    CU_ASSERT_EQUAL(run("{\"q\\\"k\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\\ud800x\",\"dot.ted\":1,"
                        "\"..\":2,\"\":3}"), PAYLOAD_JSON);
    TU_ASSERT_STR(jstr("json.q\"k"), "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx");
    CU_ASSERT_EQUAL(jint("json.dot.ted"), 1);       /* dots nest, as in grammar names */
    CU_ASSERT_EQUAL(fjson_object_object_length(tu_jat(J, "json")), 2);  /* empty keys dropped */
}

static void t_cee_and_spaces(void)
{
    opts(1, 0, "json", "logfmt", 5, 64);
    CU_ASSERT_EQUAL(run("@cee: {\"msg\":\"hi\",\"pid\":7}"), PAYLOAD_JSON);
    TU_ASSERT_STR(jstr("json.msg"), "hi");
    CU_ASSERT_EQUAL(jint("json.pid"), 7);
    CU_ASSERT_EQUAL(run("@cee:{\"a\":1}"), PAYLOAD_JSON);
    CU_ASSERT_EQUAL(jint("json.a"), 1);
    CU_ASSERT_EQUAL(run("  { \"a\" : 1 }  "), PAYLOAD_JSON);
    CU_ASSERT_EQUAL(jint("json.a"), 1);
    CU_ASSERT_EQUAL(run("@cee: not json"), PAYLOAD_BAD_JSON);
    TU_ASSERT_STR(tags(), "_sluice_bad_json");
}

static void t_bad_json(void)
{
    static const char *bad[] = {
        "{", "{\"a\":1", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":01}", "{\"a\":1.}",
        "{\"a\":-}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"tab\there\"}",
        "{\"a\":1} trailing", "{\"a\":[1,]}", "{\"a\":1}{\"b\":2}", "{} {}", "{'a':1}",
        "{\"a\":\"unterminated}",
    };

    opts(1, 0, "json", "logfmt", 5, 64);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum payload_kind k = run(bad[i]);
        if (k != PAYLOAD_BAD_JSON)
            fprintf(stderr, "\n  %s: kind %d\n", bad[i], (int)k);
        CU_ASSERT_EQUAL(k, PAYLOAD_BAD_JSON);
        TU_ASSERT_STR(tags(), "_sluice_bad_json");
        TU_ASSERT_STR(jstr("message"), bad[i]);     /* kept as text */
        CU_ASSERT_PTR_NULL(tu_jat(J, "json"));      /* and no field of it */
    }
    /* nesting past PAYLOAD_NEST_MAX is not read (counted, not rendered: the
     * test's JSON checker stops short of that depth) */
    {
        char deep[2 * PAYLOAD_NEST_MAX + 16];
        size_t n = 0, fields = 0;
        for (unsigned i = 0; i <= PAYLOAD_NEST_MAX; i++)
            deep[n++] = '[';
        for (unsigned i = 0; i <= PAYLOAD_NEST_MAX; i++)
            deep[n++] = ']';
        deep[n] = '\0';
        CU_ASSERT_EQUAL(run(deep), PAYLOAD_NONE);
        /* an object holding arrays: 1 + PAYLOAD_NEST_MAX levels refused, one
         * level less read */
        for (unsigned arrays = PAYLOAD_NEST_MAX; arrays + 2 > PAYLOAD_NEST_MAX; arrays--) {
            n = (size_t)snprintf(deep, sizeof deep, "{\"a\":");
            for (unsigned i = 0; i < arrays; i++)
                deep[n++] = '[';
            for (unsigned i = 0; i < arrays; i++)
                deep[n++] = ']';
            deep[n++] = '}';
            deep[n] = '\0';
            CU_ASSERT_EQUAL(payload_parse(&P, S, deep, n, count_emit, &fields),
                            arrays == PAYLOAD_NEST_MAX ? PAYLOAD_BAD_JSON : PAYLOAD_JSON);
            CU_ASSERT_EQUAL(fields, 1);         /* the tag, or json.a */
            fields = 0;
        }
    }
    /* the next good message is read */
    CU_ASSERT_EQUAL(run("{\"ok\":1}"), PAYLOAD_JSON);
    CU_ASSERT_EQUAL(jint("json.ok"), 1);
    TU_ASSERT_STR(tags(), "");
}

static void t_arrays_and_text(void)
{
    opts(1, 0, "json", "logfmt", 5, 64);
    CU_ASSERT_EQUAL(run("[1,2,{\"a\":3}]"), PAYLOAD_ARRAY);
    TU_ASSERT_STR(tags(), "_sluice_json_array");
    TU_ASSERT_STR(jstr("message"), "[1,2,{\"a\":3}]");
    CU_ASSERT_PTR_NULL(tu_jat(J, "json"));
    /* text that starts with a bracket is text, untagged */
    CU_ASSERT_EQUAL(run("[main] started"), PAYLOAD_NONE);
    TU_ASSERT_STR(tags(), "");
    CU_ASSERT_EQUAL(run("plain text"), PAYLOAD_NONE);
    CU_ASSERT_EQUAL(run(""), PAYLOAD_NONE);
    CU_ASSERT_EQUAL(run("{}"), PAYLOAD_JSON);
    CU_ASSERT_PTR_NULL(tu_jat(J, "json"));
    TU_ASSERT_STR(tags(), "");
    /* off: nothing at all */
    opts(0, 0, "json", "logfmt", 5, 64);
    CU_ASSERT_EQUAL(run("{\"a\":1}"), PAYLOAD_NONE);
    CU_ASSERT_PTR_NULL(tu_jat(J, "json"));
}

static void t_limits(void)
{
    char msg[4096];
    size_t n = 0;

    opts(1, 0, "json", "logfmt", 3, 64);
    CU_ASSERT_EQUAL(run("{\"a\":{\"b\":{\"c\":1,\"d\":{\"e\":2}}},\"z\":3}"), PAYLOAD_JSON);
    CU_ASSERT_EQUAL(jint("json.a.b.c"), 1);
    CU_ASSERT_PTR_NULL(tu_jat(J, "json.a.b.d"));       /* 4 keys under the prefix */
    CU_ASSERT_EQUAL(jint("json.z"), 3);                /* the rest goes on */
    TU_ASSERT_STR(tags(), "_sluice_payload_limit");
    /* a dotted key counts its segments */
    CU_ASSERT_EQUAL(run("{\"a.b.c.d\":1,\"a.b.c\":2}"), PAYLOAD_JSON);
    CU_ASSERT_PTR_NULL(tu_jat(J, "json.a.b.c.d"));
    CU_ASSERT_EQUAL(jint("json.a.b.c"), 2);
    TU_ASSERT_STR(tags(), "_sluice_payload_limit");

    opts(1, 0, "json", "logfmt", 5, 10);
    n += (size_t)snprintf(msg + n, sizeof msg - n, "{");
    for (int i = 0; i < 30; i++)
        n += (size_t)snprintf(msg + n, sizeof msg - n, "%s\"k%02d\":%d", i ? "," : "", i, i);
    snprintf(msg + n, sizeof msg - n, "}");
    CU_ASSERT_EQUAL(run(msg), PAYLOAD_JSON);
    CU_ASSERT_EQUAL(fjson_object_object_length(tu_jat(J, "json")), 10);
    CU_ASSERT_EQUAL(jint("json.k09"), 9);
    CU_ASSERT_PTR_NULL(tu_jat(J, "json.k10"));
    TU_ASSERT_STR(tags(), "_sluice_payload_limit");
    CU_ASSERT_EQUAL(run("{\"k\":1}"), PAYLOAD_JSON);
    TU_ASSERT_STR(tags(), "");
}

static void t_prefix(void)
{
    struct sl_err err;
    struct payload_opts bad;

    opts(1, 0, "app.data", "logfmt", 5, 64);
    CU_ASSERT_EQUAL(run("{\"user\":\"bob\"}"), PAYLOAD_JSON);
    TU_ASSERT_STR(jstr("app.data.user"), "bob");
    /* no prefix: at the top level; paths sluice writes go under sluice.clash */
    opts(1, 0, ".", ".", 5, 64);
    CU_ASSERT_EQUAL(run("{\"user\":{\"name\":\"bob\"},\"message\":\"m\",\"event\":{\"kind\":\"x\"}}"),
                    PAYLOAD_JSON);
    TU_ASSERT_STR(jstr("user.name"), "bob");
    TU_ASSERT_STR(jstr("sluice.clash.message"), "m");
    TU_ASSERT_STR(jstr("event.kind"), "x");
    TU_ASSERT_HAS(jstr("message"), "\"message\":\"m\"");
    CU_ASSERT_EQUAL(payload_opts_init(&bad, 1, 0, "a..b", "x", 5, 64, &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "prefix 'a..b'");
    CU_ASSERT_EQUAL(payload_opts_init(&bad, 1, 0, "a.b.c", "x", 6, 64, &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "max_depth 6");
    TU_ASSERT_HAS(err.msg, "at most 5");
}

static void t_logfmt(void)
{
    opts(0, 1, "json", "logfmt", 5, 64);
    CU_ASSERT_EQUAL(run("ts=2026-11-23T10:00:00Z level=info msg=\"user logged in\" "
                        "user=bob q=\"say \\\"hi\\\" \\\\ \\x\" url=/a?b=c empty= dry"),
                    PAYLOAD_LOGFMT);
    TU_ASSERT_STR(jstr("logfmt.ts"), "2026-11-23T10:00:00Z");
    TU_ASSERT_STR(jstr("logfmt.level"), "info");
    TU_ASSERT_STR(jstr("logfmt.msg"), "user logged in");
    TU_ASSERT_STR(jstr("logfmt.q"), "say \"hi\" \\ \\x");
    TU_ASSERT_STR(jstr("logfmt.url"), "/a?b=c");
    TU_ASSERT_STR(jstr("logfmt.empty"), "");
    CU_ASSERT(fjson_object_get_type(tu_jat(J, "logfmt.dry")) == fjson_type_boolean);
    /* values are strings: a text format has no types */
    CU_ASSERT_EQUAL(run("id=7 took=1.5"), PAYLOAD_LOGFMT);
    TU_ASSERT_STR(jstr("logfmt.id"), "7");
    TU_ASSERT_STR(jstr("logfmt.took"), "1.5");
    CU_ASSERT_EQUAL(run("a.b=1 a.c=2"), PAYLOAD_LOGFMT);
    TU_ASSERT_STR(jstr("logfmt.a.b"), "1");
}

static void t_logfmt_prose(void)
{
    static const char *prose[] = {
        "the value x=5 was bad",            /* one pair */
        "Connection from 10.0.0.1 port=22 user=x", /* a token that is no key */
        "a=1 b=2 c d e",                    /* bare keys outnumber pairs */
        "k=\"unterminated v=1",
        "k=\"a\"b v=1",
        "k=a\"b v=1",
        "error: x=1 y=2",
        "x=1",
        "",
    };

    opts(0, 1, "json", "logfmt", 5, 64);
    for (size_t i = 0; i < sizeof prose / sizeof prose[0]; i++) {
        enum payload_kind k = run(prose[i]);
        if (k != PAYLOAD_NONE)
            fprintf(stderr, "\n  %s: kind %d\n", prose[i], (int)k);
        CU_ASSERT_EQUAL(k, PAYLOAD_NONE);
        CU_ASSERT_PTR_NULL(tu_jat(J, "logfmt"));
        TU_ASSERT_STR(tags(), "");
    }
    CU_ASSERT_EQUAL(run("a=1 b=2 c"), PAYLOAD_LOGFMT);
    TU_ASSERT_STR(jstr("logfmt.b"), "2");
    /* json and logfmt both on: a JSON message is JSON */
    opts(1, 1, "json", "kv", 5, 64);
    CU_ASSERT_EQUAL(run("{\"a\":1}"), PAYLOAD_JSON);
    CU_ASSERT_EQUAL(run("a=1 b=2"), PAYLOAD_LOGFMT);
    TU_ASSERT_STR(jstr("kv.a"), "1");
}

/* Once the scratch and the event have grown, a JSON line (escapes, nested
 * objects, transient names copied by the event) allocates nothing. */
static void t_no_alloc_steady(void)
{
    static const char line[] = "<13>1 2026-11-23T10:00:00Z h app - - - @cee: {\"level\":\"warn\","
                               "\"user\":{\"name\":\"b\\\"ob\",\"id\":7},\"ok\":true,\"f\":1.5}";
    struct evt_meta m = { 1795000000000000000, NULL, 0, NULL, 0 };
    struct mallinfo2 a, b;
    size_t n;
    const char *text;

    opts(1, 1, "json", "logfmt", 5, 64);
    for (int i = 0; i < 103; i++) {
        if (i == 3)
            a = mallinfo2();
        syslog_parse(E, line, sizeof line - 1, &m, &O);
        text = evt_message(E, &n);
        CU_ASSERT_EQUAL(payload_parse(&P, S, text, n, evt_field_emit, E), PAYLOAD_JSON);
        sl_buf_reset(&B);
        CU_ASSERT_EQUAL(evt_json(E, &B), 0);
    }
    b = mallinfo2();
    CU_ASSERT_EQUAL(evt_field_count(E), 5);
    TU_ASSERT_HAS(B.data, "\"user\":{\"id\":7,\"name\":\"b\\\"ob\"}");
    CU_ASSERT_EQUAL(a.uordblks, b.uordblks);
}

static int suite_init(void)
{
    E = evt_new(64 * 1024);
    syslog_opts_default(&O);
    syslog_opts_zone(&O, "UTC");
    sl_buf_init(&B, 4096, 1 << 20);
    S = payload_scratch_new();
    return 0;
}

static int suite_clean(void)
{
    fjson_object_put(J);
    evt_free(E);
    sl_buf_free(&B);
    payload_scratch_free(S);
    payload_opts_free(&P);
    return 0;
}

static CU_TestInfo tests[] = {
    { "JSON members keep their types; objects nest under the prefix", t_json_types },
    { "escapes, surrogate pairs, dotted and empty keys", t_json_escapes_and_keys },
    { "@cee: and surrounding spaces are read; @cee: without JSON is bad JSON", t_cee_and_spaces },
    { "JSON that does not parse stays text, tagged, with no field", t_bad_json },
    { "a JSON array is kept as text and tagged; [text] is text", t_arrays_and_text },
    { "past max_depth and max_fields the rest is dropped and tagged", t_limits },
    { "a dotted prefix nests; none puts fields at the top level", t_prefix },
    { "logfmt: quoted values, escapes, bare keys, strings", t_logfmt },
    { "prose with an = sign is not logfmt", t_logfmt_prose },
    { "steady state allocates nothing", t_no_alloc_steady },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "payload", suite_init, suite_clean, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
