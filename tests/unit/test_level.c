/* tests/unit/test_level.c: the level a message carries (parser/level.c) and
 * which level log.level gets (level_begin / level_apply, evt_json): the
 * forms programs write, the words that only look like levels, the
 * vocabulary, the message-or-severity rule, a grammar's log.level field. */
#include <stdio.h>
#include <string.h>

#include <libfastjson/json.h>

#include "common/buf.h"
#include "parser/evt.h"
#include "parser/fields.h"
#include "parser/level.h"
#include "parser/syslog.h"
#include "tests/unit/jcheck.h"
#include "tests/unit/tu.h"

static struct evt *E;
static struct syslog_opts O;
static struct sl_buf B;
static struct fjson_object *J;
static struct fld_name LEVEL_NAME;      /* log.level, as a grammar compiles it */

static int find(const char *msg)
{
    return level_find(msg, strlen(msg));
}

#define LV(msg, want) \
    do { int got_ = find(msg); \
         if (got_ != (want)) fprintf(stderr, "\n  level_find(%s) = %d, want %d\n", (msg), got_, (want)); \
         CU_ASSERT_EQUAL(got_, (want)); } while (0)

static void t_leading_token(void)
{
    LV("ERROR disk full", 3);
    LV("error: disk full", 3);
    LV("Error: disk full", 3);
    LV("Err: x", 3);
    LV("WARNING: low", 4);
    LV("Warning: low", 4);
    LV("WARN low", 4);
    LV("[warn] low", 4);
    LV("[WARNING] low", 4);
    LV("<E> boom", 3);
    LV("<W> hm", 4);
    LV("[E] boom", 3);
    LV("E 10:00:00.123 boom", 3);
    LV("I [main] started", 6);
    LV("FATAL out of memory", 2);
    LV("CRIT: temperature", 2);
    LV("panic: runtime error", 0);
    LV("INFO:root:hello", 6);
    LV("DEBUG", 7);
    LV("TRACE entering f", 7);
    LV("  NOTICE: leading spaces", 5);
    LV("emerg: x", 0);
    LV("alert: x", 1);
}

static void t_not_levels(void)
{
    LV("/var/log/error.log rotated", -1);
    LV("open /var/log/error.log: permission denied", -1);
    LV("errors=0 warnings=0", -1);
    LV("terrorism is not a level", -1);
    LV("Errors were found", -1);
    LV("error reading file", -1);       /* lower case without a colon: prose */
    LV("Info about the disk", -1);
    LV("I am a sentence", -1);
    LV("A user logged in", -1);
    LV("ERRORS: 3", -1);
    LV("INFOS found", -1);
    LV("access_level=error", -1);
    LV("user level=admin", -1);
    LV("level=3", -1);
    LV("ERROR_CODE 5", -1);
    LV("http://x/error?level", -1);
    LV("", -1);
    LV("   ", -1);
    LV("[main] started", -1);
    LV("5 error: disk", -1);            /* a number alone is not a time */
}

static void t_key_value(void)
{
    LV("ts=2026-11-23 level=info msg=hi", 6);
    LV("level=INFO", 6);
    LV("lvl=warn msg=x", 4);
    LV("severity=\"ERROR\" msg=x", 3);
    LV("msg=\"a b\" level=debug", 7);
    LV("log.level=error", 3);
    LV("Level=Warning,msg=x", 4);
    LV("x=1 level=nope level=error", 3);  /* the first pair that is a level */
    LV("loglevel=crit", 2);
    LV("LOG_LEVEL=warn", 4);
    LV("levelname=ERROR x=1", 3);
    LV("log-level=error", -1);
}

static void t_json(void)
{
    LV("{\"level\":\"warn\",\"msg\":\"x\"}", 4);
    LV("{\"msg\":\"x\", \"severity\" : \"ERROR\"}", 3);
    LV("@cee: {\"lvl\":\"debug\"}", 7);
    LV("{\"log.level\":\"info\"}", 6);
    LV("{\"level\":30}", -1);           /* pino's numbers: not read */
    LV("{\"msg\":\"level\"}", -1);
    LV("{\"user\":{\"level\":\"admin\"}}", -1);
}

static void t_after_time(void)
{
    LV("2026-11-23 10:00:00,123 WARN [main] c.e.App - hi", 4);
    LV("2026-11-23 10:00:00.123  INFO 1234 --- [main] x", 6);
    LV("2026-11-23T10:00:00Z ERROR boom", 3);
    LV("2026/11/23 12:00:07 [error] 1234#1234: *5 open()", 3);
    LV("[2026-11-23 10:00:00] local.ERROR: x", -1);     /* channel.LEVEL: not read */
    LV("[2026-11-23 10:00:00] ERROR x", 3);
    LV("10:00:00 debug: x", 7);
    LV("2026-11-23 10:00:00,123 - app.db - WARNING - pool low", 4);
    LV("2026-11-23 10:00:00,123 - ERROR - x", 3);
    LV("2026-11-23 10:00:00,123 - app - started", -1);
    LV("2026-11-23 10:00:00,123 - app - x - y", -1);
    LV("10:00:00 - ", -1);
    LV("2026-11-23 10:00:00 terrorism", -1);
    LV("W1123 10:00:00.000000 1 main.go:10] low", 4);
    LV("E1123 10:00:00.000000 1 main.go:10] boom", 3);
    LV("F1123 10:00:00.000000 1 main.go:10] dead", 2);
    LV("I1123 10:00:00.000000 1 main.go:10] ok", 6);
    LV("X1123 10:00:00.000000 1 main.go:10] ok", -1);
}

static void t_words(void)
{
    static const struct { const char *w; int lv; } v[] = {
        { "EMERG", 0 }, { "Emergency", 0 }, { "PANIC", 0 }, { "alert", 1 }, { "crit", 2 },
        { "CRITICAL", 2 }, { "Fatal", 2 }, { "err", 3 }, { "ERROR", 3 }, { "SEVERE", 3 },
        { "warn", 4 }, { "WaRnInG", 4 }, { "notice", 5 }, { "info", 6 },
        { "INFORMATIONAL", 6 }, { "information", 6 }, { "debug", 7 }, { "trace", 7 },
        { "VERBOSE", 7 }, { "errors", -1 }, { "inf", -1 }, { "wa", -1 }, { "e", -1 },
        { "error1", -1 }, { "", -1 },
    };

    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int got = level_word(v[i].w, strlen(v[i].w), 0);
        if (got != v[i].lv)
            fprintf(stderr, "\n  level_word(%s) = %d, want %d\n", v[i].w, got, v[i].lv);
        CU_ASSERT_EQUAL(got, v[i].lv);
    }
    CU_ASSERT_EQUAL(level_word("E", 1, 1), 3);
    CU_ASSERT_EQUAL(level_word("w", 1, 1), 4);
    CU_ASSERT_EQUAL(level_word("X", 1, 1), -1);
    for (int i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(level_word(level_name(i), strlen(level_name(i)), 0), i);
    CU_ASSERT_PTR_NULL(level_name(8));
    CU_ASSERT_PTR_NULL(level_name(-1));
}

/* ---- the event ---- */

static const char *doc_level(const char *line, const struct level_opts *lo,
                             const char *grammar_level)
{
    struct evt_meta m = { 1795000000000000000, NULL, 0, NULL, 0 };
    struct fjson_tokener *tok;

    syslog_parse(E, line, strlen(line), &m, &O);
    if (lo)
        level_begin(E, lo);
    if (grammar_level)
        evt_field_emit(E, &LEVEL_NAME, FLD_STRING, grammar_level, strlen(grammar_level));
    if (lo)
        level_apply(E, lo, 1);
    sl_buf_reset(&B);
    CU_ASSERT_EQUAL_FATAL(evt_json(E, &B), 0);
    CU_ASSERT_EQUAL_FATAL(tu_strict_json(B.data, B.len), 0);
    fjson_object_put(J);
    tok = fjson_tokener_new();
    J = fjson_tokener_parse_ex(tok, B.data, (int)B.len);
    fjson_tokener_free(tok);
    CU_ASSERT_PTR_NOT_NULL_FATAL(J);
    return tu_jstr(J, "log.level");
}

static void t_message_wins_by_default(void)
{
    struct level_opts lo;

    level_opts_default(&lo);
    TU_ASSERT_STR(doc_level("<14>Nov 23 10:00:00 h app: ERROR disk full", &lo, NULL), "error");
    TU_ASSERT_STR(tu_jstr(J, "log.syslog.severity.name"), "informational");
    CU_ASSERT_EQUAL(tu_jint(J, "log.syslog.severity.code"), 6);
    CU_ASSERT_EQUAL(tu_jint(J, "log.syslog.priority"), 14);
    CU_ASSERT_EQUAL(evt_level(E), 3);
    TU_ASSERT_STR(doc_level("<14>Nov 23 10:00:00 h app: all good", &lo, NULL), "info");
    CU_ASSERT_EQUAL(evt_level(E), 6);
}

static void t_prefer_severity(void)
{
    struct level_opts lo = { 1, LEVEL_PREFER_SEVERITY };

    TU_ASSERT_STR(doc_level("<14>Nov 23 10:00:00 h app: ERROR disk full", &lo, NULL), "info");
    /* no <PRI>: the severity is an assumption, the message's level wins */
    TU_ASSERT_STR(doc_level("Nov 23 10:00:00 h app: ERROR disk full", &lo, NULL), "error");
    lo.detect = 0;
    TU_ASSERT_STR(doc_level("Nov 23 10:00:00 h app: ERROR disk full", &lo, NULL), "notice");
}

/* The document is byte for byte what it was before levels existed when the
 * message has none, or the same one as the severity. */
static void t_byte_identical(void)
{
    struct level_opts lo;
    struct sl_buf a;
    const char *lines[] = {
        "<11>Nov 23 10:00:00 h app: ERROR same as the severity",
        "<165>1 2026-11-23T10:00:00Z h app 1 ID [x@1 a=\"b\"] plain text",
        "no pri at all",
    };

    level_opts_default(&lo);
    sl_buf_init(&a, 1024, 1 << 20);
    for (size_t i = 0; i < 3; i++) {
        doc_level(lines[i], NULL, NULL);
        sl_buf_reset(&a);
        sl_buf_append(&a, B.data, B.len);
        doc_level(lines[i], &lo, NULL);
        CU_ASSERT_EQUAL(a.len, B.len);
        CU_ASSERT(a.len == B.len && memcmp(a.data, B.data, a.len) == 0);
    }
    sl_buf_free(&a);
}

static void t_grammar_level(void)
{
    struct level_opts lo;

    level_opts_default(&lo);
    /* a grammar's log.level is the message's level, normalized, not a clash */
    TU_ASSERT_STR(doc_level("<13>Nov 23 10:00:00 h nginx: x", &lo, "warn"), "warning");
    CU_ASSERT_PTR_NULL(tu_jat(J, "sluice.clash"));
    /* and it comes before what the text says */
    TU_ASSERT_STR(doc_level("<13>Nov 23 10:00:00 h nginx: ERROR x", &lo, "debug"), "debug");
    /* a value that is no level word stays under sluice.clash; the text decides */
    TU_ASSERT_STR(doc_level("<13>Nov 23 10:00:00 h named: ERROR x", &lo, "debug 3"), "error");
    TU_ASSERT_STR(tu_jstr(J, "sluice.clash.log.level"), "debug 3");
    /* with the severity preferred it is kept under sluice.clash, as before */
    lo.prefer = LEVEL_PREFER_SEVERITY;
    TU_ASSERT_STR(doc_level("<13>Nov 23 10:00:00 h nginx: x", &lo, "warn"), "notice");
    TU_ASSERT_STR(tu_jstr(J, "sluice.clash.log.level"), "warn");
    /* without level options at all (older callers): a clash, as before */
    TU_ASSERT_STR(doc_level("<13>Nov 23 10:00:00 h nginx: x", NULL, "warn"), "notice");
    TU_ASSERT_STR(tu_jstr(J, "sluice.clash.log.level"), "warn");
}

static int suite_init(void)
{
    struct sl_err err;

    if (fld_name_parse(&LEVEL_NAME, "log.level", 9, &err))
        return 1;
    E = evt_new(64 * 1024);
    syslog_opts_default(&O);
    syslog_opts_zone(&O, "UTC");
    sl_buf_init(&B, 4096, 1 << 20);
    return 0;
}

static int suite_clean(void)
{
    fjson_object_put(J);
    evt_free(E);
    sl_buf_free(&B);
    fld_name_free(&LEVEL_NAME);
    return 0;
}

static CU_TestInfo tests[] = {
    { "a leading ERROR, error:, [warn], <E>, FATAL, panic: is a level", t_leading_token },
    { "level words inside paths, words and keys are not levels", t_not_levels },
    { "level=, lvl=, severity= pairs anywhere, quoted or not", t_key_value },
    { "a JSON level or severity member with a level word", t_json },
    { "a level after a leading time (Java, Python, nginx) and glog's letter", t_after_time },
    { "the vocabulary: every case and synonym to the eight words", t_words },
    { "by default the message's level wins; the severity stays in log.syslog", t_message_wins_by_default },
    { "prefer: severity takes the message's level only without a <PRI>", t_prefer_severity },
    { "with no level in the message the document is byte-identical", t_byte_identical },
    { "a grammar's log.level field is the message's level, or a clash", t_grammar_level },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "level", suite_init, suite_clean, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
