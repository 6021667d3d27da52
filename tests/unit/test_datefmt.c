/* tests/unit/test_datefmt.c: program timestamps. parser/datefmt.c (every
 * named format, patterns, compile errors, the canonical text), a grammar
 * file's TIMESTAMP lines and the config-level rules (parser/norm.c), and
 * what the event makes of them: @timestamp, event.created, the failure tag
 * (parser/evt.c, evt_json.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "parser/builtin.h"
#include "parser/datefmt.h"
#include "parser/evt.h"
#include "parser/grok.h"
#include "parser/norm.h"
#include "parser/route.h"
#include "parser/syslog.h"
#include "tests/unit/tu.h"

/* The canonical text fmt makes of in, or "FAIL". */
static const char *canon(const char *fmt, const char *in)
{
    static char out[DATEFMT_CANON_MAX];
    struct datefmt *f = NULL;
    struct syslog_tm tm;
    struct sl_err err;

    if (datefmt_compile(&f, fmt, &err)) {
        fprintf(stderr, "\n  format '%s': %s\n", fmt, err.msg);
        return "COMPILE";
    }
    if (datefmt_parse(f, in, strlen(in), &tm))
        snprintf(out, sizeof out, "FAIL");
    else
        datefmt_canon(&tm, out);
    datefmt_free(f);
    return out;
}

static void t_iso8601(void)
{
    TU_ASSERT_STR(canon("ISO8601", "2026-11-23T10:00:00Z"), "2026-11-23T10:00:00Z");
    TU_ASSERT_STR(canon("ISO8601", "2026-11-23T10:00:00.123456+01:00"),
                  "2026-11-23T10:00:00.123456+01:00");
    TU_ASSERT_STR(canon("ISO8601", "2026-11-23t10:00:00.5-0530"), "2026-11-23T10:00:00.5-05:30");
    TU_ASSERT_STR(canon("ISO8601", "2026-11-23 10:00:00,25"), "2026-11-23T10:00:00.25");
    TU_ASSERT_STR(canon("ISO8601", "2026-11-23T10:00+02"), "2026-11-23T10:00:00+02:00");
    TU_ASSERT_STR(canon("ISO8601", "2026-11-23"), "2026-11-23T00:00:00");
    TU_ASSERT_STR(canon("ISO8601", "2028-02-29T00:00:00.123456789123Z"),
                  "2028-02-29T00:00:00.123456789Z");
    TU_ASSERT_STR(canon("ISO8601", "2027-02-29T00:00:00Z"), "FAIL");
    TU_ASSERT_STR(canon("ISO8601", "2026-11-31T00:00:00Z"), "FAIL");
    TU_ASSERT_STR(canon("ISO8601", "2026-11-23T24:00:00Z"), "FAIL");
    TU_ASSERT_STR(canon("ISO8601", "2026-11-23T10:00:00+1"), "FAIL");
    TU_ASSERT_STR(canon("ISO8601", "2026-11-23T10:00:00Z "), "FAIL");
    TU_ASSERT_STR(canon("ISO8601", "2026-11-23T10"), "FAIL");
    TU_ASSERT_STR(canon("ISO8601", "20261123"), "FAIL");
    TU_ASSERT_STR(canon("ISO8601", ""), "FAIL");
}

static void t_httpdate(void)
{
    TU_ASSERT_STR(canon("HTTPDATE", "23/Nov/2026:10:00:00 +0100"), "2026-11-23T10:00:00+01:00");
    TU_ASSERT_STR(canon("HTTPDATE", "03/nov/2026:23:59:60 -0530"), "2026-11-03T23:59:60-05:30");
    TU_ASSERT_STR(canon("dd/MMM/yyyy:HH:mm:ss Z", "23/Nov/2026:10:00:00 +0000"),
                  "2026-11-23T10:00:00Z");
    TU_ASSERT_STR(canon("HTTPDATE", "23/Nov/2026:10:00:00"), "FAIL");
    TU_ASSERT_STR(canon("HTTPDATE", "3/Nov/2026:10:00:00 +0100"), "FAIL");
    TU_ASSERT_STR(canon("HTTPDATE", "31/Nov/2026:10:00:00 +0100"), "FAIL");
    TU_ASSERT_STR(canon("HTTPDATE", "23/Nox/2026:10:00:00 +0100"), "FAIL");
}

static void t_unix(void)
{
    TU_ASSERT_STR(canon("UNIX", "1798761600"), "2027-01-01T00:00:00Z");
    TU_ASSERT_STR(canon("UNIX", "1798761600.25"), "2027-01-01T00:00:00.25Z");
    TU_ASSERT_STR(canon("UNIX", "0"), "1970-01-01T00:00:00Z");
    TU_ASSERT_STR(canon("UNIX", "-1.5"), "1969-12-31T23:59:58.5Z");
    TU_ASSERT_STR(canon("UNIX_MS", "1798761600123"), "2027-01-01T00:00:00.123Z");
    TU_ASSERT_STR(canon("UNIX_MS", "1798761600000"), "2027-01-01T00:00:00.000Z");
    TU_ASSERT_STR(canon("UNIX_MS", "-1"), "1969-12-31T23:59:59.999Z");
    TU_ASSERT_STR(canon("UNIX", "99999999999"), "FAIL");        /* past int64 nanoseconds */
    TU_ASSERT_STR(canon("UNIX", "1798761600."), "FAIL");
    TU_ASSERT_STR(canon("UNIX", "17987x"), "FAIL");
    TU_ASSERT_STR(canon("UNIX", "-"), "FAIL");
    TU_ASSERT_STR(canon("UNIX_MS", "1798761600.5"), "FAIL");
}

static void t_syslog(void)
{
    TU_ASSERT_STR(canon("SYSLOG", "Nov 23 10:00:00"), "--11-23T10:00:00");
    TU_ASSERT_STR(canon("SYSLOG", "Nov  3 10:00:00"), "--11-03T10:00:00");
    TU_ASSERT_STR(canon("SYSLOG", "Feb 29 10:00:00.5"), "--02-29T10:00:00.5");
    TU_ASSERT_STR(canon("SYSLOG", "Nov 23 2026 10:00:00"), "2026-11-23T10:00:00");
    TU_ASSERT_STR(canon("SYSLOG", "Nov 23 10:00:00 extra"), "FAIL");
    TU_ASSERT_STR(canon("SYSLOG", "Nov 31 10:00:00"), "FAIL");
    TU_ASSERT_STR(canon("MMM d HH:mm:ss", "Nov 3 10:00:00"), "--11-03T10:00:00");
    TU_ASSERT_STR(canon("MMM dd HH:mm:ss", "Nov 03 10:00:00"), "--11-03T10:00:00");
}

static void t_patterns(void)
{
    TU_ASSERT_STR(canon("yyyy/MM/dd HH:mm:ss", "2026/11/23 09:59:58"), "2026-11-23T09:59:58");
    TU_ASSERT_STR(canon("EEE MMM dd HH:mm:ss.SSSSSS yyyy", "Mon Nov 23 10:00:00.123456 2026"),
                  "2026-11-23T10:00:00.123456");
    TU_ASSERT_STR(canon("EEEE, MMMM d, yyyy", "Monday, November 23, 2026"),
                  "2026-11-23T00:00:00");
    TU_ASSERT_STR(canon("yyyyMMddHHmmss", "20261123100000"), "2026-11-23T10:00:00");
    TU_ASSERT_STR(canon("dd-MMM-yyyy HH:mm:ss.SSS", "23-Nov-2026 10:00:00.123"),
                  "2026-11-23T10:00:00.123");
    TU_ASSERT_STR(canon("M/d/yy h:mm:ss a", "11/3/26 1:05:09 PM"), "2026-11-03T13:05:09");
    TU_ASSERT_STR(canon("M/d/yy h:mm:ss a", "11/3/70 12:05:09 am"), "1970-11-03T00:05:09");
    TU_ASSERT_STR(canon("M/d/yy h:mm:ss a", "11/3/69 12:05:09 pm"), "2069-11-03T12:05:09");
    TU_ASSERT_STR(canon("yyyy-MM-dd'T'HH:mm:ssZZ", "2026-11-23T10:00:00+01:00"),
                  "2026-11-23T10:00:00+01:00");
    TU_ASSERT_STR(canon("yyyy-MM-dd'T'HH:mm:ssZ", "2026-11-23T10:00:00Z"), "2026-11-23T10:00:00Z");
    TU_ASSERT_STR(canon("'at' HH:mm 'on' d MMM yyyy", "at 10:00 on 3 Nov 2026"),
                  "2026-11-03T10:00:00");
    TU_ASSERT_STR(canon("yyyy-MM-dd''HH", "2026-11-23'10"), "2026-11-23T10:00:00");
    TU_ASSERT_STR(canon("YYYY-MM-dd", "2026-11-23"), "2026-11-23T00:00:00");
    /* the whole text, exactly the digits asked for, names checked */
    TU_ASSERT_STR(canon("yyyy/MM/dd HH:mm:ss", "2026/11/23 09:59:58 "), "FAIL");
    TU_ASSERT_STR(canon("yyyy/MM/dd HH:mm:ss", "2026/11/3 09:59:58"), "FAIL");
    TU_ASSERT_STR(canon("yyyy/M/d H:mm:ss", "2026/11/3 9:59:58"), "2026-11-03T09:59:58");
    TU_ASSERT_STR(canon("EEE MMM dd yyyy", "Mox Nov 23 2026"), "FAIL");
    TU_ASSERT_STR(canon("M/d/yy h:mm:ss a", "11/3/26 13:05:09 PM"), "FAIL");
}

/* Compile errors say what, with the offset. */
static void t_compile_errors(void)
{
    static const struct { const char *fmt, *msg; } bad[] = {
        { "yyyy-MM-ddTHH:mm:ss", "letter 'T' at offset 10 is not a field sluice reads" },
        { "HH:mm:ss", "needs a month (M) and a day (d)" },
        { "MMM d h:mm", "h (1-12) goes with a (AM/PM)" },
        { "MMM d 'at HH", "the quote at offset 6 is not closed" },
        { "MMM d HH:mm ZZZ", "zone names, ZZZ, are not supported" },
        { "yyyy MMM d yy", "'y' at offset 11 repeats a field" },
        { "MMMMM d", "5 'M' at offset 0" },
        { "", "an empty date format" },
    };
    struct datefmt *f;
    struct sl_err err;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = (struct datefmt *)1;
        sl_err_clear(&err);
        CU_ASSERT_EQUAL(datefmt_compile(&f, bad[i].fmt, &err), SL_EINVAL);
        CU_ASSERT_PTR_NULL(f);
        TU_ASSERT_HAS(err.msg, bad[i].msg);
    }
    CU_ASSERT_EQUAL(datefmt_compile(&f, "ISO8601", &err), 0);   /* the next good one compiles */
    TU_ASSERT_STR(datefmt_text(f), "ISO8601");
    datefmt_free(f);
}

static void t_canon_roundtrip(void)
{
    static const char *const ok[] = {
        "2026-11-23T10:00:00Z", "2026-11-23T10:00:00.123+01:00", "--02-29T00:00:00",
        "--12-31T23:59:60.999999999-05:30", "1678-01-01T00:00:00",
    };
    static const char *const bad[] = {
        "2027-02-29T00:00:00", "--13-01T00:00:00", "2026-11-23 10:00:00", "-11-23T10:00:00",
        "2026-11-23T10:00:00Zx",
    };
    struct syslog_tm tm;
    char out[DATEFMT_CANON_MAX];

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CU_ASSERT_EQUAL_FATAL(datefmt_canon_read(ok[i], strlen(ok[i]), &tm), 0);
        datefmt_canon(&tm, out);
        CU_ASSERT_STRING_EQUAL(out, ok[i]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(datefmt_canon_read(bad[i], strlen(bad[i]), &tm), SL_EINVAL);
}

/* ---- a grammar's TIMESTAMP lines ---- */

struct got {
    size_t n;
    char path[32][64];
    enum fld_type type[32];
    char val[32][128];
};

static int collect(void *arg, const struct fld_name *name, enum fld_type type, const char *val,
                   size_t len)
{
    struct got *g = arg;

    if (g->n < 32) {
        snprintf(g->path[g->n], sizeof g->path[0], "%s", name->path);
        g->type[g->n] = type;
        snprintf(g->val[g->n], sizeof g->val[0], "%.*s", (int)len, val);
        g->n++;
    }
    return 0;
}

/* The value of the first field named path (and of that type), or NULL. */
static const char *got(const struct got *g, const char *path, enum fld_type type)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->path[i], path) == 0 && g->type[i] == type)
            return g->val[i];
    return NULL;
}

static struct grok_lib *Lib;

static int suite_init(void)
{
    struct sl_err err;

    Lib = grok_lib_new();
    return builtin_patterns_load(Lib, &err);
}

static int suite_clean(void)
{
    grok_lib_free(Lib);
    return 0;
}

static struct grammar *fixture_grammar(void)
{
    struct grammar *g = NULL;
    struct sl_err err;

    if (norm_grok_file_grammar(&g, "ts", tu_fixture("grammars/timestamps.grok"), Lib, NULL, &err))
        fprintf(stderr, "\n  %s: %s\n", err.where, err.msg);
    return g;
}

static enum grammar_result run(struct grammar *g, void *s, const char *line, struct got *out)
{
    memset(out, 0, sizeof *out);
    return grammar_match(g, s, line, strlen(line), collect, out);
}

static void t_grammar_timestamp_lines(void)
{
    struct grammar *g = fixture_grammar();
    void *s;
    struct got r;

    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    s = grammar_scratch_new(g);
    /* HTTPDATE: the field stays, @timestamp comes after the SET constants */
    CU_ASSERT_EQUAL(run(g, s, "192.0.2.1 [23/Nov/2026:10:00:00 +0100] /index.html", &r),
                    GRAMMAR_MATCH);
    TU_ASSERT_STR(got(&r, "web.time", FLD_STRING), "23/Nov/2026:10:00:00 +0100");
    TU_ASSERT_STR(got(&r, "@timestamp", FLD_TIME), "2026-11-23T10:00:00+01:00");
    TU_ASSERT_STR(r.path[r.n - 2], "event.action");
    TU_ASSERT_STR(r.path[r.n - 1], "@timestamp");
    CU_ASSERT_PTR_NULL(got(&r, "tags", FLD_STRING));
    /* a field that does not read: the tag, no time; the line still matches */
    CU_ASSERT_EQUAL(run(g, s, "192.0.2.1 [23/Nov/2026 10:00:00] /index.html", &r), GRAMMAR_MATCH);
    CU_ASSERT_PTR_NULL(got(&r, "@timestamp", FLD_TIME));
    TU_ASSERT_STR(got(&r, "tags", FLD_STRING), DATEFMT_TAG_FAILURE);
    TU_ASSERT_STR(got(&r, "url.path", FLD_STRING), "/index.html");
    /* two rules on one field: the first that reads wins, no tag */
    CU_ASSERT_EQUAL(run(g, s, "2026-11-23T10:00:00.5Z app: started", &r), GRAMMAR_MATCH);
    TU_ASSERT_STR(got(&r, "@timestamp", FLD_TIME), "2026-11-23T10:00:00.5Z");
    CU_ASSERT_EQUAL(run(g, s, "1798761600 app: started", &r), GRAMMAR_MATCH);
    TU_ASSERT_STR(got(&r, "@timestamp", FLD_TIME), "2027-01-01T00:00:00Z");
    CU_ASSERT_PTR_NULL(got(&r, "tags", FLD_STRING));
    CU_ASSERT_EQUAL(run(g, s, "yesterday app: started", &r), GRAMMAR_MATCH);
    CU_ASSERT_PTR_NULL(got(&r, "@timestamp", FLD_TIME));
    TU_ASSERT_STR(got(&r, "tags", FLD_STRING), DATEFMT_TAG_FAILURE);
    /* SYSLOG: the year is left to the event */
    CU_ASSERT_EQUAL(run(g, s, "Dec 31 23:00:00 bsd: tick", &r), GRAMMAR_MATCH);
    TU_ASSERT_STR(got(&r, "@timestamp", FLD_TIME), "--12-31T23:00:00");
    /* an optional field not captured: neither time nor tag */
    CU_ASSERT_EQUAL(run(g, s, "opt", &r), GRAMMAR_MATCH);
    CU_ASSERT_PTR_NULL(got(&r, "@timestamp", FLD_TIME));
    CU_ASSERT_PTR_NULL(got(&r, "tags", FLD_STRING));
    CU_ASSERT_EQUAL(run(g, s, "opt 1798761600250", &r), GRAMMAR_MATCH);
    TU_ASSERT_STR(got(&r, "@timestamp", FLD_TIME), "2027-01-01T00:00:00.250Z");
    /* an expression without rules emits no time */
    CU_ASSERT_EQUAL(run(g, s, "plain words", &r), GRAMMAR_MATCH);
    CU_ASSERT_EQUAL(r.n, 1);
    CU_ASSERT_EQUAL(run(g, s, "nothing here", &r), GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(r.n, 0);
    grammar_scratch_free(g, s);
    grammar_free(g);
}

static int text_grammar(const char *text, struct sl_err *err)
{
    struct grammar *g = NULL;
    int rc;

    sl_err_clear(err);
    rc = norm_grok_text_grammar(&g, "t", "t.grok", text, strlen(text), Lib, NULL, err);
    grammar_free(g);
    return rc;
}

static void t_grammar_timestamp_errors(void)
{
    struct sl_err err;

    CU_ASSERT_EQUAL(text_grammar("EXPR a ^(?<a.time>\\S+) (?<a.text>.*)$\n"
                                 "TIMESTAMP a.time yyyy-MM-ddTHH:mm:ss\n", &err), SL_EINVAL);
    TU_ASSERT_STR(err.where, "t.grok:2");
    TU_ASSERT_HAS(err.msg, "TIMESTAMP a.time: format 'yyyy-MM-ddTHH:mm:ss': letter 'T' at "
                           "offset 10");
    CU_ASSERT_EQUAL(text_grammar("EXPR a ^(?<a.time>\\S+) (?<a.text>.*)$\n"
                                 "TIMESTAMP b.time ISO8601\n", &err), SL_EINVAL);
    TU_ASSERT_STR(err.where, "t.grok:2");
    TU_ASSERT_HAS(err.msg, "TIMESTAMP b.time: expression a does not capture it");
    CU_ASSERT_EQUAL(text_grammar("TIMESTAMP a.time ISO8601\nEXPR a ^(?<a.time>\\S+)$\n", &err),
                    SL_EINVAL);
    TU_ASSERT_STR(err.where, "t.grok:1");
    TU_ASSERT_HAS(err.msg, "an EXPR above it");
    CU_ASSERT_EQUAL(text_grammar("EXPR a ^(?<a.time>\\S+)$\nTIMESTAMP a.time\n", &err),
                    SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "TIMESTAMP needs a field, a format");
    /* TIMESTAMP is a directive, never a local pattern of that name */
    CU_ASSERT_EQUAL(text_grammar("EXPR a ^(?<a.time>\\S+)$\nTIMESTAMP a.time UNIX\n", &err), 0);
}

/* The config's rules: every expression, after its own. */
static void t_added_rules(void)
{
    struct grok **gs = sl_calloc(2, sizeof *gs);
    struct grammar *g;
    struct sl_err err;
    struct got r;
    void *s;

    CU_ASSERT_EQUAL_FATAL(grok_compile(&gs[0], Lib, "^%{IP:source.ip} (?<t>\\S+ \\S+)$", NULL,
                                       "a", &err), 0);
    CU_ASSERT_EQUAL_FATAL(grok_compile(&gs[1], Lib, "^(?<u>\\d+)$", NULL, "b", &err), 0);
    g = norm_grok_grammar_new("cfg", gs, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(norm_grok_add_timestamp(g, "t", "yyyy/MM/dd HH:mm:ss", &err), 0);
    CU_ASSERT_EQUAL(norm_grok_add_timestamp(g, "[t]", "ISO8601", &err), 0);
    CU_ASSERT_EQUAL(norm_grok_add_timestamp(g, "u", "UNIX", &err), 0);
    CU_ASSERT_EQUAL(norm_grok_add_timestamp(g, "v", "UNIX", &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "no expression of grammar cfg captures v");
    CU_ASSERT_EQUAL(norm_grok_add_timestamp(g, "t", "HH", &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "t: format 'HH' needs a month");
    s = grammar_scratch_new(g);
    CU_ASSERT_EQUAL(run(g, s, "192.0.2.1 2026/11/23 09:59:58", &r), GRAMMAR_MATCH);
    TU_ASSERT_STR(got(&r, "@timestamp", FLD_TIME), "2026-11-23T09:59:58");
    CU_ASSERT_EQUAL(run(g, s, "192.0.2.1 2026-11-23 09:59:58", &r), GRAMMAR_MATCH);
    TU_ASSERT_STR(got(&r, "@timestamp", FLD_TIME), "2026-11-23T09:59:58");
    CU_ASSERT_EQUAL(run(g, s, "192.0.2.1 never ever", &r), GRAMMAR_MATCH);
    TU_ASSERT_STR(got(&r, "tags", FLD_STRING), DATEFMT_TAG_FAILURE);
    CU_ASSERT_EQUAL(run(g, s, "1798761600", &r), GRAMMAR_MATCH);
    TU_ASSERT_STR(got(&r, "@timestamp", FLD_TIME), "2027-01-01T00:00:00Z");
    grammar_scratch_free(g, s);
    grammar_free(g);
}

/* ---- what the event makes of it ---- */

struct doc {
    struct route_table *t;
    struct route_scratch *rs;
    struct evt *e;
    struct sl_buf b;
    struct syslog_opts so;
};

static void doc_open(struct doc *d, const char *zone)
{
    const char *names[] = { "ts" };
    struct sl_err err;

    memset(d, 0, sizeof *d);
    d->t = route_table_new();
    CU_ASSERT_EQUAL_FATAL(route_table_add_grammar(d->t, fixture_grammar(), &err), 0);
    CU_ASSERT_EQUAL_FATAL(route_add(d->t, "app", names, 1, &err), 0);
    CU_ASSERT_EQUAL_FATAL(route_table_seal(d->t, &err), 0);
    d->rs = route_scratch_new(d->t);
    d->e = evt_new(4096);
    sl_buf_init(&d->b, 1024, 1u << 20);
    syslog_opts_default(&d->so);
    CU_ASSERT_EQUAL_FATAL(syslog_opts_zone(&d->so, zone), 0);
}

static void doc_close(struct doc *d)
{
    sl_buf_free(&d->b);
    evt_free(d->e);
    route_scratch_free(d->rs);
    route_table_free(d->t);
}

/* The document of one syslog line received at now (RFC 3339). */
static const char *doc_of(struct doc *d, const char *line, const char *now)
{
    struct evt_meta m = { 0 };
    struct route_result res;
    struct route_line l;
    size_t ml;
    const char *msg;

    CU_ASSERT_EQUAL_FATAL(sl_time_parse(now, &m.recv_ns), 0);
    syslog_parse(d->e, line, strlen(line), &m, &d->so);
    msg = evt_message(d->e, &ml);
    l.program = evt_appname(d->e, &l.program_len);
    l.host = evt_hostname(d->e, &l.host_len);
    l.facility = evt_priority(d->e) >> 3;
    route_match(d->t, d->rs, &l, msg, ml, evt_field_emit, d->e, &res);
    CU_ASSERT_EQUAL(res.status, ROUTE_MATCH);
    sl_buf_reset(&d->b);
    CU_ASSERT_EQUAL_FATAL(evt_json(d->e, &d->b), 0);
    return d->b.data;
}

static void t_event_timestamp(void)
{
    struct doc d;
    const char *j;

    doc_open(&d, "UTC");
    /* the program's time is @timestamp; the header's is event.created */
    j = doc_of(&d, "<14>Nov 23 10:00:05 web1 app: 192.0.2.1 [23/Nov/2026:10:00:00.250 +0100] /x",
               "2026-11-23T10:00:06Z");
    TU_ASSERT_HAS(j, "\"tags\":[\"_sluice_date_parse_failure\"]");   /* .250 is not HTTPDATE */
    TU_ASSERT_HAS(j, "{\"@timestamp\":\"2026-11-23T10:00:05.000Z\"");
    j = doc_of(&d, "<14>Nov 23 10:00:05 web1 app: 192.0.2.1 [23/Nov/2026:10:00:00 +0100] /x",
               "2026-11-23T10:00:06Z");
    TU_ASSERT_HAS(j, "{\"@timestamp\":\"2026-11-23T09:00:00.000Z\"");
    TU_ASSERT_HAS(j, "\"event\":{\"created\":\"2026-11-23T10:00:05.000Z\","
                     "\"ingested\":\"2026-11-23T10:00:06.000000Z\",\"action\":\"http_request\"}");
    CU_ASSERT_PTR_NULL(strstr(j, "tags"));
    CU_ASSERT(evt_time_from_grammar(d.e));
    CU_ASSERT_EQUAL(evt_time_ns(d.e), (sl_days_from_civil(2026, 11, 23) * 86400 + 9 * 3600) *
                                          1000000000LL);
    /* fraction digits as written, rounded up to 3, 6 or 9 */
    j = doc_of(&d, "<14>Nov 23 10:00:05 web1 app: 2026-11-23T08:00:00.1234Z app: x",
               "2026-11-23T10:00:06Z");
    TU_ASSERT_HAS(j, "{\"@timestamp\":\"2026-11-23T08:00:00.123400Z\"");
    /* year inference from the receive time, as for the header */
    j = doc_of(&d, "<14>Jan  5 10:00:05 web1 app: Dec 31 23:00:00 bsd: tick", "2027-01-05T10:00:06Z");
    TU_ASSERT_HAS(j, "{\"@timestamp\":\"2026-12-31T23:00:00.000Z\"");
    TU_ASSERT_HAS(j, "\"created\":\"2027-01-05T10:00:05.000Z\"");
    /* a header without a time: no event.created (it would be the receive time) */
    j = doc_of(&d, "<14>1 - web1 app - - - 1798761600 app: x", "2027-01-05T10:00:06Z");
    TU_ASSERT_HAS(j, "{\"@timestamp\":\"2027-01-01T00:00:00.000Z\"");
    CU_ASSERT_PTR_NULL(strstr(j, "created"));
    TU_ASSERT_HAS(j, "\"tags\":[\"_sluice_no_timestamp\"]");
    /* one that reads but lies outside 1678..2261: the event's tag, header time kept */
    j = doc_of(&d, "<14>Nov 23 10:00:05 web1 app: 1500-01-01T00:00:00Z app: x",
               "2026-11-23T10:00:06Z");
    TU_ASSERT_HAS(j, "{\"@timestamp\":\"2026-11-23T10:00:05.000Z\"");
    TU_ASSERT_HAS(j, "\"tags\":[\"_sluice_date_parse_failure\"]");
    CU_ASSERT(!evt_time_from_grammar(d.e));
    /* the next line without a program time is the header's again */
    j = doc_of(&d, "<14>Nov 23 10:00:07 web1 app: plain words", "2026-11-23T10:00:08Z");
    TU_ASSERT_HAS(j, "{\"@timestamp\":\"2026-11-23T10:00:07.000Z\"");
    CU_ASSERT_PTR_NULL(strstr(j, "created"));
    doc_close(&d);

    /* a zone-less program time is read in the zone of zone-less syslog stamps */
    doc_open(&d, "+02:00");
    j = doc_of(&d, "<14>Nov 23 10:00:05 web1 app: 2026-11-23T08:00:00 app: x",
               "2026-11-23T10:00:06Z");
    TU_ASSERT_HAS(j, "{\"@timestamp\":\"2026-11-23T06:00:00.000Z\"");
    TU_ASSERT_HAS(j, "\"created\":\"2026-11-23T08:00:05.000Z\"");
    doc_close(&d);
}

/* A grammar cannot write event.created itself: it goes under sluice.clash. */
static void t_event_created_is_ours(void)
{
    struct evt *e = evt_new(1024);
    struct syslog_opts o;
    struct fld_name n;
    struct sl_buf b;

    syslog_opts_default(&o);
    syslog_parse(e, "<14>Nov 23 10:00:05 web1 app: x", 31, NULL, &o);
    CU_ASSERT_EQUAL_FATAL(fld_name_parse(&n, "event.created", 13, NULL), 0);
    evt_field_emit(e, &n, FLD_STRING, "yesterday", 9);
    sl_buf_init(&b, 512, 1u << 16);
    CU_ASSERT_EQUAL(evt_json(e, &b), 0);
    TU_ASSERT_HAS(b.data, "\"sluice\":{\"clash\":{\"event\":{\"created\":\"yesterday\"}}}");
    sl_buf_free(&b);
    fld_name_free(&n);
    evt_free(e);
}

static CU_TestInfo format_tests[] = {
    { "ISO8601: date, time, fraction, zone as written; impossible dates refused", t_iso8601 },
    { "HTTPDATE is dd/MMM/yyyy:HH:mm:ss Z, exactly", t_httpdate },
    { "UNIX and UNIX_MS: epoch seconds (with a fraction) and milliseconds, UTC", t_unix },
    { "SYSLOG: the BSD stamp, its year left unknown", t_syslog },
    { "patterns: names, 12-hour clock, two-digit years, quoted text, fixed widths", t_patterns },
    { "a bad format says what and where", t_compile_errors },
    { "the canonical text reads back to itself", t_canon_roundtrip },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo grammar_tests[] = {
    { "TIMESTAMP lines: the first captured field that reads is @timestamp, else the tag",
      t_grammar_timestamp_lines },
    { "bad TIMESTAMP lines name the file's line", t_grammar_timestamp_errors },
    { "the config's rules apply to every expression", t_added_rules },
    { "the event: @timestamp from the program, event.created from the header, zone and year "
      "as for the header", t_event_timestamp },
    { "a grammar's own event.created is a clash", t_event_created_is_ours },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "datefmt: formats", NULL, NULL, NULL, NULL, format_tests },
    { "datefmt: grammars and the event", suite_init, suite_clean, NULL, NULL, grammar_tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
