/* tests/unit/test_syslog.c: parser/syslog.c and parser/evt_json.c, checked
 * through the document: every document must pass a strict RFC 8259 check
 * (written here: libfastjson accepts raw control bytes and bad UTF-8, and
 * would hide exactly the bugs this file is for), no object may repeat a key,
 * and then libfastjson parses it so each test compares field values. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libfastjson/json.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/json.h"
#include "parser/evt.h"
#include "parser/syslog.h"
#include "tests/unit/jcheck.h"
#include "tests/unit/tu.h"

#define NS 1000000000LL

static struct evt *E;
static struct syslog_opts O;
static struct sl_buf B;
static struct fjson_object *J;
static struct evt_meta M;

static int64_t at(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return (sl_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * NS;
}


/* ---- parsing helpers ---- */

static struct fjson_object *doc_len(const char *line, size_t len)
{
    struct fjson_tokener *tok;

    fjson_object_put(J);
    J = NULL;
    sl_buf_reset(&B);
    syslog_parse(E, line, len, &M, &O);
    CU_ASSERT_EQUAL_FATAL(evt_json(E, &B), 0);
    if (tu_strict_json(B.data, B.len)) {
        fprintf(stderr, "\n  not strict JSON: %s\n", B.data);
        CU_FAIL_FATAL("document is not strict JSON");
    }
    tok = fjson_tokener_new();
    J = fjson_tokener_parse_ex(tok, B.data, (int)B.len);
    CU_ASSERT_EQUAL(tok->char_offset, (int)B.len);
    fjson_tokener_free(tok);
    CU_ASSERT_PTR_NOT_NULL_FATAL(J);
    return J;
}

static struct fjson_object *doc(const char *line)
{
    return doc_len(line, strlen(line));
}

static struct fjson_object *jat(const char *path) { return tu_jat(J, path); }
static const char *jstr(const char *path) { return tu_jstr(J, path); }
static int64_t jint(const char *path) { return tu_jint(J, path); }

static int has(const char *path)
{
    return jat(path) != NULL;
}

static int has_tag(const char *tag)
{
    struct fjson_object *t = jat("tags");

    if (!t)
        return 0;
    for (int i = 0; i < fjson_object_array_length(t); i++)
        if (!strcmp(fjson_object_get_string(fjson_object_array_get_idx(t, i)), tag))
            return 1;
    return 0;
}

static int ntags(void)
{
    struct fjson_object *t = jat("tags");

    return t ? fjson_object_array_length(t) : 0;
}

/* The receive time of most tests: 2026-11-23T10:00:00Z. */
static const int64_t RECV = 1795428000LL * NS;

static void fixed_utc(void)
{
    syslog_opts_default(&O);
    O.zone_local = 0;
    O.zone_off = 0;
}

/* Every bad-input test ends here: a good line right after still parses whole. */
static void next_good(void)
{
    doc("<34>Nov 23 09:59:58 goodhost su[77]: 'su root' failed");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T09:59:58.000Z");
    TU_ASSERT_STR(jstr("host.hostname"), "goodhost");
    TU_ASSERT_STR(jstr("process.name"), "su");
    CU_ASSERT_EQUAL(jint("process.pid"), 77);
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 34);
    TU_ASSERT_STR(jstr("message"), "'su root' failed");
    CU_ASSERT_EQUAL(ntags(), 0);
}

static int suite_init(void)
{
    E = evt_new(SL_MAX_MSG_DEFAULT);
    sl_buf_init(&B, 1024, SL_DOC_MAX(SL_MAX_MSG_DEFAULT));
    return 0;
}

static int suite_clean(void)
{
    fjson_object_put(J);
    J = NULL;
    evt_free(E);
    sl_buf_free(&B);
    return 0;
}

static void setup(void)
{
    fixed_utc();
    memset(&M, 0, sizeof M);
    M.recv_ns = RECV;
}

static void teardown(void)
{
}

/* ---- PRI ---- */

static void t_3164_basic(void)
{
    doc("<38>Nov 23 10:00:00 web-01 sshd[12345]: Accepted publickey for deploy");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.000Z");
    TU_ASSERT_STR(jstr("host.hostname"), "web-01");
    TU_ASSERT_STR(jstr("log.syslog.appname"), "sshd");
    TU_ASSERT_STR(jstr("process.name"), "sshd");
    CU_ASSERT_EQUAL(jint("process.pid"), 12345);
    CU_ASSERT_FALSE(has("log.syslog.procid"));
    CU_ASSERT_EQUAL(jint("log.syslog.facility.code"), 4);
    TU_ASSERT_STR(jstr("log.syslog.facility.name"), "auth");
    CU_ASSERT_EQUAL(jint("log.syslog.severity.code"), 6);
    TU_ASSERT_STR(jstr("log.syslog.severity.name"), "informational");
    TU_ASSERT_STR(jstr("log.level"), "info");
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 38);
    TU_ASSERT_STR(jstr("message"), "Accepted publickey for deploy");
    CU_ASSERT_FALSE(has("log.syslog.version"));
    CU_ASSERT_FALSE(has("tags"));
    CU_ASSERT_FALSE(has("source"));
    CU_ASSERT_FALSE(has("network"));
    TU_ASSERT_STR(jstr("event.ingested"), "2026-11-23T10:00:00.000000Z");
}

static void t_no_pri(void)
{
    doc("Nov 23 10:00:00 host prog: no pri here");
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 13);
    TU_ASSERT_STR(jstr("log.syslog.facility.name"), "user");
    TU_ASSERT_STR(jstr("log.syslog.severity.name"), "notice");
    CU_ASSERT(has_tag("_sluice_no_pri"));
    CU_ASSERT_EQUAL(ntags(), 1);
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    TU_ASSERT_STR(jstr("message"), "no pri here");
    CU_ASSERT_EQUAL(evt_tags(E), EVT_T_NO_PRI);
    next_good();
}

static void t_pri_zero(void)
{
    doc("<0>Nov 23 10:00:00 host kernel: panic");
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 0);
    TU_ASSERT_STR(jstr("log.syslog.facility.name"), "kern");
    TU_ASSERT_STR(jstr("log.syslog.severity.name"), "emergency");
    TU_ASSERT_STR(jstr("log.level"), "emergency");
    CU_ASSERT_FALSE(has("tags"));
}

static void t_pri_191(void)
{
    doc("<191>Nov 23 10:00:00 host app: x");
    CU_ASSERT_EQUAL(jint("log.syslog.facility.code"), 23);
    TU_ASSERT_STR(jstr("log.syslog.facility.name"), "local7");
    TU_ASSERT_STR(jstr("log.syslog.severity.name"), "debug");
    TU_ASSERT_STR(jstr("log.level"), "debug");
}

static void t_pri_192(void)
{
    doc("<192>Nov 23 10:00:00 host app: x");
    CU_ASSERT(has_tag("_sluice_bad_pri"));
    CU_ASSERT_FALSE(has_tag("_sluice_no_pri"));
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 13);
    TU_ASSERT_STR(jstr("message"), "<192>Nov 23 10:00:00 host app: x");
    next_good();
}

static void t_pri_empty(void)
{
    doc("<>Nov 23 10:00:00 host app: x");
    CU_ASSERT(has_tag("_sluice_bad_pri"));
    TU_ASSERT_STR(jstr("message"), "<>Nov 23 10:00:00 host app: x");
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 13);
    next_good();
}

static void t_pri_four_digits(void)
{
    doc("<0013>Nov 23 10:00:00 host app: x");
    CU_ASSERT(has_tag("_sluice_bad_pri"));
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 13);
    TU_ASSERT_STR(jstr("message"), "<0013>Nov 23 10:00:00 host app: x");
    next_good();
}

static void t_pri_letters(void)
{
    doc("<1a>Nov 23 10:00:00 host app: x");
    CU_ASSERT(has_tag("_sluice_bad_pri"));
    doc("<-1>x");
    CU_ASSERT(has_tag("_sluice_bad_pri"));
    doc("<13");
    CU_ASSERT(has_tag("_sluice_bad_pri"));
    TU_ASSERT_STR(jstr("message"), "<13");
    next_good();
}

static void t_pri_leading_zero(void)
{
    doc("<013>Nov 23 10:00:00 host app: x");
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 13);
    CU_ASSERT_FALSE(has("tags"));
    TU_ASSERT_STR(jstr("message"), "x");
}

static void t_facility_names(void)
{
    static const char *names[24] = {
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
        "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1",
        "local2", "local3", "local4", "local5", "local6", "local7",
    };
    char line[64];

    for (int f = 0; f < 24; f++) {
        snprintf(line, sizeof line, "<%d>Nov 23 10:00:00 h a: x", f * 8 + 3);
        doc(line);
        CU_ASSERT_EQUAL(jint("log.syslog.facility.code"), f);
        TU_ASSERT_STR(jstr("log.syslog.facility.name"), names[f]);
        CU_ASSERT_EQUAL(jint("log.syslog.severity.code"), 3);
    }
}

static void t_severity_names(void)
{
    static const char *sev[8] = { "emergency", "alert", "critical", "error",
                                  "warning", "notice", "informational", "debug" };
    static const char *lvl[8] = { "emergency", "alert", "critical", "error",
                                  "warning", "notice", "info", "debug" };
    char line[64];

    for (int s = 0; s < 8; s++) {
        snprintf(line, sizeof line, "<%d>Nov 23 10:00:00 h a: x", 16 * 8 + s);
        doc(line);
        TU_ASSERT_STR(jstr("log.syslog.severity.name"), sev[s]);
        TU_ASSERT_STR(jstr("log.level"), lvl[s]);
        CU_ASSERT_EQUAL(jint("log.syslog.priority"), 128 + s);
    }
}

/* ---- timestamps ---- */

static void t_bsd_receive_year(void)
{
    doc("<13>Nov 20 08:01:02 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-20T08:01:02.000Z");
    CU_ASSERT_EQUAL(evt_time_ns(E), at(2026, 11, 20, 8, 1, 2));
}

static void t_bsd_double_space_day(void)
{
    doc("<13>Nov  3 10:00:00 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-03T10:00:00.000Z");
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    TU_ASSERT_STR(jstr("message"), "x");
}

static void t_bsd_single_space_day(void)
{
    doc("<13>Nov 3 10:00:00 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-03T10:00:00.000Z");
    doc("<13>nov 03 10:00:00 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-03T10:00:00.000Z");
}

static void t_dec_in_jan(void)
{
    M.recv_ns = at(2027, 1, 1, 0, 0, 5);
    doc("<13>Dec 31 23:59:58 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-12-31T23:59:58.000Z");
    M.recv_ns = at(2027, 1, 5, 12, 0, 0);
    doc("<13>Dec 20 10:00:00 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-12-20T10:00:00.000Z");
}

static void t_jan_on_dec31(void)
{
    M.recv_ns = at(2026, 12, 31, 23, 59, 59);
    doc("<13>Jan  1 00:00:01 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2027-01-01T00:00:01.000Z");
    doc("<13>Dec 31 23:59:58 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-12-31T23:59:58.000Z");
}

static void t_small_future_stays(void)
{
    doc("<13>Nov 26 10:00:00 host app: x");            /* 3 days ahead: a skewed clock */
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-26T10:00:00.000Z");
    doc("<13>Dec  5 10:00:00 host app: x");            /* 12 days ahead: last year's */
    TU_ASSERT_STR(jstr("@timestamp"), "2025-12-05T10:00:00.000Z");
}

static void t_feb29_leap(void)
{
    M.recv_ns = at(2028, 3, 1, 8, 0, 0);
    doc("<13>Feb 29 23:00:00 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2028-02-29T23:00:00.000Z");
    CU_ASSERT_FALSE(has("tags"));
}

static void t_feb29_common_year(void)
{
    M.recv_ns = at(2027, 3, 1, 8, 0, 0);
    doc("<13>Feb 29 23:00:00 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2024-02-29T23:00:00.000Z");
    CU_ASSERT_FALSE(has("tags"));
    doc("<13>Feb 29 2027 23:00:00 host app: x");       /* written year: no such day */
    CU_ASSERT(has_tag("_sluice_bad_timestamp"));
    next_good();
}

static void t_cisco_year(void)
{
    doc("<189>Mar  1 2025 18:46:11 router1 %SYS-5-CONFIG_I: Configured from console");
    TU_ASSERT_STR(jstr("@timestamp"), "2025-03-01T18:46:11.000Z");
    TU_ASSERT_STR(jstr("host.hostname"), "router1");
    TU_ASSERT_STR(jstr("process.name"), "%SYS-5-CONFIG_I");
    TU_ASSERT_STR(jstr("message"), "Configured from console");
}

static void t_cisco_millis(void)
{
    doc("<189>Nov 23 09:46:11.123 router1 %LINK-3-UPDOWN: Interface up");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T09:46:11.123Z");
    TU_ASSERT_STR(jstr("host.hostname"), "router1");
    TU_ASSERT_STR(jstr("message"), "Interface up");
}

static void t_cisco_star_colon(void)
{
    doc("<189>*Nov 23 09:46:11.5: %SYS-5-CONFIG_I: Configured");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T09:46:11.500Z");
    CU_ASSERT_FALSE(has("host"));
    TU_ASSERT_STR(jstr("process.name"), "%SYS-5-CONFIG_I");
    TU_ASSERT_STR(jstr("message"), "Configured");
}

static void t_year_after_time(void)
{
    doc("<13>Jun 10 11:12:13 2024 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2024-06-10T11:12:13.000Z");
    TU_ASSERT_STR(jstr("host.hostname"), "host");
}

static void t_iso_in_3164(void)
{
    doc("<13>2026-11-23T10:00:00.123456+01:00 host tag[42]: msg");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T09:00:00.123456Z");
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    TU_ASSERT_STR(jstr("process.name"), "tag");
    CU_ASSERT_EQUAL(jint("process.pid"), 42);
    TU_ASSERT_STR(jstr("message"), "msg");
    CU_ASSERT_FALSE(has("log.syslog.version"));
    CU_ASSERT_FALSE(has("tags"));
}

static void t_iso_z(void)
{
    doc("<13>1 2026-11-23T10:00:00Z host app - - - msg");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.000Z");
    doc("<13>1 2026-11-23t10:00:00.5z host app - - - msg");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.500Z");
}

static void t_negative_offset(void)
{
    doc("<13>1 2026-11-23T22:30:00-05:00 host app - - - msg");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-24T03:30:00.000Z");
    doc("<13>2026-01-01T00:00:00.25-0800 host app: msg");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-01-01T08:00:00.250Z");
}

static void t_half_hour_offset(void)
{
    doc("<13>1 2026-11-23T15:30:00+05:30 host app - - - msg");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.000Z");
    doc("<13>1 2026-11-23T15:00:00+05 host app - - - msg");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.000Z");
}

static void t_nanoseconds(void)
{
    doc("<13>1 2026-11-23T10:00:00.123456789Z host app - - - msg");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.123456789Z");
    CU_ASSERT_EQUAL(evt_time_ns(E), RECV + 123456789);
}

static void t_fraction_beyond_nine(void)
{
    doc("<13>1 2026-11-23T10:00:00.1234567891234Z host app - - - msg");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.123456789Z");
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    CU_ASSERT_FALSE(has("tags"));
}

static void t_precision_rounds_up(void)
{
    doc("<13>1 2026-11-23T10:00:00.1Z h a - - - m");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.100Z");
    doc("<13>1 2026-11-23T10:00:00.1234Z h a - - - m");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.123400Z");
    doc("<13>1 2026-11-23T10:00:00.1234567Z h a - - - m");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.123456700Z");
}

static void t_zoneless_fixed_offset(void)
{
    O.zone_off = 3600;
    doc("<13>Nov 23 11:00:00 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.000Z");
    doc("<13>2026-11-23T11:00:00 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.000Z");
    doc("<13>2026-11-23 11:00:00.5 host app: x");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.500Z");
    doc("<13>2026-11-23T11:00:00+00:00 host app: x");  /* its own offset wins */
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T11:00:00.000Z");
}

static void t_zoneless_host_local_dst(void)
{
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    struct evt *e0 = E;
    struct fjson_object *j;

    /* Europe/Berlin's rule as a POSIX TZ string: no tzdata needed. */
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    tzset();
    E = evt_new(SL_MAX_MSG_DEFAULT);                    /* a fresh zone cache */
    syslog_opts_default(&O);
    CU_ASSERT_EQUAL(O.zone_local, 1);
    M.recv_ns = at(2026, 7, 2, 0, 0, 0);
    doc("<13>Jul  1 12:00:00 host app: summer");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-07-01T10:00:00.000Z");
    M.recv_ns = at(2026, 1, 16, 0, 0, 0);
    doc("<13>Jan 15 12:00:00 host app: winter");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-01-15T11:00:00.000Z");
    /* 2026-03-29: clocks go 02:00 CET -> 03:00 CEST at 01:00Z. */
    M.recv_ns = at(2026, 3, 29, 12, 0, 0);
    doc("<13>Mar 29 01:59:59 host app: before");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-03-29T00:59:59.000Z");
    doc("<13>Mar 29 03:00:00 host app: after");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-03-29T01:00:00.000Z");
    doc("<13>Mar 29 02:30:00 host app: in the gap");    /* read with the offset before */
    TU_ASSERT_STR(jstr("@timestamp"), "2026-03-29T01:30:00.000Z");
    /* 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00Z; 02:30 happens twice. */
    M.recv_ns = at(2026, 10, 25, 12, 0, 0);
    doc("<13>Oct 25 02:30:00 host app: twice");
    j = jat("@timestamp");
    CU_ASSERT(j && (!strcmp(fjson_object_get_string(j), "2026-10-25T00:30:00.000Z") ||
                    !strcmp(fjson_object_get_string(j), "2026-10-25T01:30:00.000Z")));
    doc("<13>Oct 25 12:00:00 host app: after");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-10-25T11:00:00.000Z");
    doc("<13>Oct 25 12:00:00 host app: cached");       /* same bucket, from the cache */
    TU_ASSERT_STR(jstr("@timestamp"), "2026-10-25T11:00:00.000Z");

    evt_free(E);
    E = e0;
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

static void t_bad_date(void)
{
    doc("<13>Nov 31 10:00:00 host app: x");
    CU_ASSERT(has_tag("_sluice_bad_timestamp"));
    CU_ASSERT_EQUAL(evt_time_ns(E), RECV);
    TU_ASSERT_STR(jstr("message"), "Nov 31 10:00:00 host app: x");
    CU_ASSERT_FALSE(has("host"));
    next_good();
}

static void t_bad_hour(void)
{
    doc("<13>2026-11-23T25:00:00Z host app: x");
    CU_ASSERT(has_tag("_sluice_bad_timestamp"));
    TU_ASSERT_STR(jstr("message"), "2026-11-23T25:00:00Z host app: x");
    doc("<13>2026-11-23T10:00:00+01: host app: x");
    CU_ASSERT(has_tag("_sluice_bad_timestamp"));
    doc("<13>Nov 23 10:0:00 host app: x");
    CU_ASSERT(has_tag("_sluice_bad_timestamp"));
    next_good();
}

static void t_no_timestamp(void)
{
    doc("<13>just a line of text");
    CU_ASSERT(has_tag("_sluice_no_timestamp"));
    CU_ASSERT_EQUAL(ntags(), 1);
    CU_ASSERT_EQUAL(evt_time_ns(E), RECV);
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.000000Z");
    TU_ASSERT_STR(jstr("message"), "just a line of text");
    CU_ASSERT_FALSE(has("host"));
    CU_ASSERT_FALSE(has("process"));
    next_good();
}

static void t_year_out_of_range(void)
{
    doc("<13>1 1500-01-01T00:00:00Z host app - - - msg");
    CU_ASSERT(has_tag("_sluice_bad_timestamp"));
    CU_ASSERT_EQUAL(evt_time_ns(E), RECV);
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    TU_ASSERT_STR(jstr("message"), "msg");
    next_good();
}

static void t_opts_zone(void)
{
    struct syslog_opts o;

    syslog_opts_default(&o);
    CU_ASSERT_EQUAL(syslog_opts_zone(&o, "+01:00"), 0);
    CU_ASSERT_EQUAL(o.zone_local, 0);
    CU_ASSERT_EQUAL(o.zone_off, 3600);
    CU_ASSERT_EQUAL(syslog_opts_zone(&o, "-0530"), 0);
    CU_ASSERT_EQUAL(o.zone_off, -(5 * 3600 + 30 * 60));
    CU_ASSERT_EQUAL(syslog_opts_zone(&o, "+05"), 0);
    CU_ASSERT_EQUAL(o.zone_off, 5 * 3600);
    CU_ASSERT_EQUAL(syslog_opts_zone(&o, "UTC"), 0);
    CU_ASSERT_EQUAL(o.zone_off, 0);
    CU_ASSERT_EQUAL(syslog_opts_zone(&o, "local"), 0);
    CU_ASSERT_EQUAL(o.zone_local, 1);
    CU_ASSERT_EQUAL(syslog_opts_zone(&o, "+1"), SL_EINVAL);
    CU_ASSERT_EQUAL(syslog_opts_zone(&o, "+01:"), SL_EINVAL);
    CU_ASSERT_EQUAL(syslog_opts_zone(&o, "+25:00"), SL_EINVAL);
    CU_ASSERT_EQUAL(syslog_opts_zone(&o, "Europe/Berlin"), SL_EINVAL);
    CU_ASSERT_EQUAL(o.zone_local, 1);                   /* unchanged by the failures */
    CU_ASSERT_EQUAL(syslog_opts_zone(&o, "+02:00"), 0);
    CU_ASSERT_EQUAL(o.zone_off, 7200);
}

static void t_leap_second(void)
{
    doc("<13>1 2026-12-31T23:59:60Z host app - - - leap");
    TU_ASSERT_STR(jstr("@timestamp"), "2027-01-01T00:00:00.000Z");
    CU_ASSERT_FALSE(has("tags"));
}

/* ---- hostname and tag ---- */

static void t_no_hostname(void)
{
    doc("<13>Nov 23 10:00:00 sshd[1]: x");
    CU_ASSERT_FALSE(has("host"));
    TU_ASSERT_STR(jstr("process.name"), "sshd");
    CU_ASSERT_EQUAL(jint("process.pid"), 1);
    TU_ASSERT_STR(jstr("message"), "x");
    doc("<13>Nov 23 10:00:00 cron: job done");
    CU_ASSERT_FALSE(has("host"));
    TU_ASSERT_STR(jstr("process.name"), "cron");
    TU_ASSERT_STR(jstr("message"), "job done");
}

static void t_tag_without_pid(void)
{
    doc("<13>Nov 23 10:00:00 host kernel: [ 1.0] usb 1-1: new device");
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    TU_ASSERT_STR(jstr("process.name"), "kernel");
    CU_ASSERT_FALSE(has("process.pid"));
    CU_ASSERT_FALSE(has("log.syslog.procid"));
    TU_ASSERT_STR(jstr("message"), "[ 1.0] usb 1-1: new device");
}

static void t_tag_punctuation(void)
{
    doc("<22>Nov 23 10:00:00 mx postfix/smtpd[2301]: connect from x");
    TU_ASSERT_STR(jstr("process.name"), "postfix/smtpd");
    CU_ASSERT_EQUAL(jint("process.pid"), 2301);
    doc("<13>Nov 23 10:00:00 host systemd-logind[88]: New session");
    TU_ASSERT_STR(jstr("log.syslog.appname"), "systemd-logind");
    doc("<13>Nov 23 10:00:00 host org.example.Service: started");
    TU_ASSERT_STR(jstr("log.syslog.appname"), "org.example.Service");
    TU_ASSERT_STR(jstr("message"), "started");
}

static void t_no_tag(void)
{
    doc("<13>Nov 23 10:00:00 host this is only text");
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    CU_ASSERT_FALSE(has("process"));
    CU_ASSERT_FALSE(has("log.syslog.appname"));
    TU_ASSERT_STR(jstr("message"), "this is only text");
    doc("<13>Nov 23 10:00:00 host http://example.com/ is up");
    CU_ASSERT_FALSE(has("process"));
    TU_ASSERT_STR(jstr("message"), "http://example.com/ is up");
    CU_ASSERT_FALSE(has("tags"));
}

static void t_long_tag(void)
{
    char line[600], tag[300];

    memset(tag, 'a', sizeof tag);
    tag[255] = '\0';
    snprintf(line, sizeof line, "<13>Nov 23 10:00:00 host %s[9]: x", tag);
    doc(line);
    TU_ASSERT_STR(jstr("process.name"), tag);
    CU_ASSERT_EQUAL(jint("process.pid"), 9);
    memset(tag, 'a', sizeof tag);
    tag[299] = '\0';
    snprintf(line, sizeof line, "<13>Nov 23 10:00:00 host %s: x", tag);
    doc(line);
    CU_ASSERT_FALSE(has("process"));                    /* past 255 bytes: message text */
    TU_ASSERT_HAS(jstr("message"), "aaaa: x");
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    next_good();
}

static void t_pid_not_numeric(void)
{
    doc("<13>Nov 23 10:00:00 host app[worker-3]: x");
    TU_ASSERT_STR(jstr("process.name"), "app");
    CU_ASSERT_FALSE(has("process.pid"));
    TU_ASSERT_STR(jstr("log.syslog.procid"), "worker-3");
    doc("<13>Nov 23 10:00:00 host app[12345678901]: x");    /* 11 digits: not a pid */
    CU_ASSERT_FALSE(has("process.pid"));
    TU_ASSERT_STR(jstr("log.syslog.procid"), "12345678901");
    doc("<13>Nov 23 10:00:00 host app[]: x");
    CU_ASSERT_FALSE(has("process.pid"));
    CU_ASSERT_FALSE(has("log.syslog.procid"));
    TU_ASSERT_STR(jstr("process.name"), "app");
}

static void t_tag_no_colon(void)
{
    doc("<13>Nov 23 10:00:00 host app[12] message without colon");
    TU_ASSERT_STR(jstr("process.name"), "app");
    CU_ASSERT_EQUAL(jint("process.pid"), 12);
    TU_ASSERT_STR(jstr("message"), "message without colon");
}

static void t_header_only(void)
{
    doc("<13>Nov 23 10:00:00 host");
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    TU_ASSERT_STR(jstr("message"), "");
    CU_ASSERT_FALSE(has("tags"));
    doc("<13>Nov 23 10:00:00 host app:");
    TU_ASSERT_STR(jstr("process.name"), "app");
    TU_ASSERT_STR(jstr("message"), "");
    doc("<13>Nov 23 10:00:00");
    CU_ASSERT_FALSE(has("host"));
    TU_ASSERT_STR(jstr("message"), "");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.000Z");
}

static void t_ipv6_host(void)
{
    doc("<13>Nov 23 10:00:00 fe80::1 app: x");
    TU_ASSERT_STR(jstr("host.hostname"), "fe80::1");
    TU_ASSERT_STR(jstr("process.name"), "app");
    doc("<13>Nov 23 10:00:00 [2001:db8::5] app: x");
    TU_ASSERT_STR(jstr("host.hostname"), "[2001:db8::5]");
    TU_ASSERT_STR(jstr("process.name"), "app");
}

static void t_tag_without_timestamp(void)
{
    doc("<13>su[44]: pam_unix(su:session): opened");
    CU_ASSERT(has_tag("_sluice_no_timestamp"));
    TU_ASSERT_STR(jstr("process.name"), "su");
    CU_ASSERT_EQUAL(jint("process.pid"), 44);
    TU_ASSERT_STR(jstr("message"), "pam_unix(su:session): opened");
    next_good();
}

static void t_spaces_after_tag(void)
{
    doc("<13>Nov 23 10:00:00 host app:   indented");
    TU_ASSERT_STR(jstr("message"), "  indented");
    doc("<13>Nov 23 10:00:00   host   app: x");
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    TU_ASSERT_STR(jstr("process.name"), "app");
    TU_ASSERT_STR(jstr("message"), "x");
}

static void t_forward_format_full(void)
{
    doc("<86>2026-11-23T10:59:59.999999+01:00 bastion sudo[3120]: alice : TTY=pts/0 ; "
        "PWD=/home/alice ; USER=root ; COMMAND=/bin/ls");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T09:59:59.999999Z");
    TU_ASSERT_STR(jstr("log.syslog.facility.name"), "authpriv");
    TU_ASSERT_STR(jstr("log.level"), "info");
    TU_ASSERT_STR(jstr("process.name"), "sudo");
    TU_ASSERT_HAS(jstr("message"), "COMMAND=/bin/ls");
}

/* ---- RFC 5424 ---- */

static void t_5424_example(void)
{
    doc("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
        "'su root' failed for lonvick on /dev/pts/8");
    TU_ASSERT_STR(jstr("@timestamp"), "2003-10-11T22:14:15.003Z");
    TU_ASSERT_STR(jstr("host.hostname"), "mymachine.example.com");
    TU_ASSERT_STR(jstr("log.syslog.appname"), "su");
    TU_ASSERT_STR(jstr("process.name"), "su");
    CU_ASSERT_FALSE(has("process.pid"));
    CU_ASSERT_FALSE(has("log.syslog.procid"));
    TU_ASSERT_STR(jstr("log.syslog.msgid"), "ID47");
    TU_ASSERT_STR(jstr("log.syslog.version"), "1");
    CU_ASSERT_FALSE(has("log.syslog.structured_data"));
    TU_ASSERT_STR(jstr("message"), "'su root' failed for lonvick on /dev/pts/8");
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 34);
    CU_ASSERT_FALSE(has("tags"));
}

static void t_5424_nil_fields(void)
{
    doc("<13>1 - - - - - - only a message");
    CU_ASSERT_FALSE(has("host"));
    CU_ASSERT_FALSE(has("process"));
    CU_ASSERT_FALSE(has("log.syslog.appname"));
    CU_ASSERT_FALSE(has("log.syslog.procid"));
    CU_ASSERT_FALSE(has("log.syslog.msgid"));
    CU_ASSERT_FALSE(has("log.syslog.structured_data"));
    TU_ASSERT_STR(jstr("log.syslog.version"), "1");
    CU_ASSERT(has_tag("_sluice_no_timestamp"));
    CU_ASSERT_EQUAL(ntags(), 1);
    CU_ASSERT_EQUAL(evt_time_ns(E), RECV);
    TU_ASSERT_STR(jstr("message"), "only a message");
}

static void t_5424_rsyslog_double_space(void)
{
    /* rsyslog's RSYSLOG_SyslogProtocol23Format puts its 3164 MSG, which
     * begins with a space, after the SP that ends the SD. */
    doc("<134>1 2026-11-23T10:00:00+00:00 testhost prog 1111 - -  hello seq=0");
    TU_ASSERT_STR(jstr("message"), "hello seq=0");
    TU_ASSERT_STR(jstr("process.name"), "prog");
    doc("<134>1 2026-11-23T10:00:00+00:00 testhost prog 1111 - [a@1 k=\"v\"]   spaced");
    TU_ASSERT_STR(jstr("message"), "spaced");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.a@1.k"), "v");
}

static void t_5424_sd_escapes(void)
{
    doc("<13>1 2026-11-23T10:00:00Z h a - - [x@1 q=\"say \\\"hi\\\"\" b=\"a\\]b\" "
        "s=\"c:\\\\dir\" l=\"\\n\\x\"] m");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.x@1.q"), "say \"hi\"");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.x@1.b"), "a]b");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.x@1.s"), "c:\\dir");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.x@1.l"), "\\n\\x");   /* literal */
    TU_ASSERT_STR(jstr("message"), "m");
    CU_ASSERT_FALSE(has("tags"));
}

static void t_5424_multi_sd(void)
{
    doc("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
        "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
        "[examplePriority@32473 class=\"high\"] An application event");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.exampleSDID@32473.iut"), "3");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.exampleSDID@32473.eventSource"),
                  "Application");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.exampleSDID@32473.eventID"), "1011");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.examplePriority@32473.class"), "high");
    CU_ASSERT_EQUAL(fjson_object_get_member_count(jat("log.syslog.structured_data")), 2);
    TU_ASSERT_STR(jstr("message"), "An application event");
    TU_ASSERT_STR(jstr("log.syslog.facility.name"), "local4");
}

static void t_5424_sd_only(void)
{
    doc("<13>1 2026-11-23T10:00:00Z h a 1 m [timeQuality tzKnown=\"1\" isSynced=\"0\"]");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.timeQuality.tzKnown"), "1");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.timeQuality.isSynced"), "0");
    TU_ASSERT_STR(jstr("message"), "");
    CU_ASSERT_EQUAL(jint("process.pid"), 1);
    doc("<13>1 2026-11-23T10:00:00Z h a 1 m [origin]");
    CU_ASSERT_EQUAL(fjson_object_get_member_count(jat("log.syslog.structured_data.origin")), 0);
}

static void t_5424_repeated_param(void)
{
    doc("<13>1 2026-11-23T10:00:00Z h a - - [origin ip=\"10.0.0.1\" ip=\"10.0.0.2\" "
        "software=\"x\" ip=\"10.0.0.3\"] m");
    struct fjson_object *ips = jat("log.syslog.structured_data.origin.ip");
    CU_ASSERT_FATAL(ips && fjson_object_is_type(ips, fjson_type_array));
    CU_ASSERT_EQUAL(fjson_object_array_length(ips), 3);
    TU_ASSERT_STR(fjson_object_get_string(fjson_object_array_get_idx(ips, 0)), "10.0.0.1");
    TU_ASSERT_STR(fjson_object_get_string(fjson_object_array_get_idx(ips, 2)), "10.0.0.3");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.origin.software"), "x");
}

static void t_5424_repeated_id(void)
{
    doc("<13>1 2026-11-23T10:00:00Z h a - - [a x=\"1\"][b y=\"2\"][a x=\"3\" w=\"4\"] m");
    CU_ASSERT_EQUAL(fjson_object_get_member_count(jat("log.syslog.structured_data")), 2);
    struct fjson_object *xs = jat("log.syslog.structured_data.a.x");
    CU_ASSERT_FATAL(xs && fjson_object_is_type(xs, fjson_type_array));
    CU_ASSERT_EQUAL(fjson_object_array_length(xs), 2);
    TU_ASSERT_STR(fjson_object_get_string(fjson_object_array_get_idx(xs, 1)), "3");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.a.w"), "4");
    TU_ASSERT_STR(jstr("log.syslog.structured_data.b.y"), "2");
}

static void t_5424_bom(void)
{
    doc("<13>1 2026-11-23T10:00:00Z h a - - - \xef\xbb\xbf" "caf\xc3\xa9");
    TU_ASSERT_STR(jstr("message"), "caf\xc3\xa9");
    doc("<13>1 2026-11-23T10:00:00Z h a - - - \xef\xbb\xbf");
    TU_ASSERT_STR(jstr("message"), "");
}

static void t_5424_empty_msg(void)
{
    doc("<13>1 2026-11-23T10:00:00Z h a - - -");
    TU_ASSERT_STR(jstr("message"), "");
    TU_ASSERT_STR(jstr("host.hostname"), "h");
    CU_ASSERT_FALSE(has("tags"));
    doc("<13>1 2026-11-23T10:00:00Z h a - - - ");
    TU_ASSERT_STR(jstr("message"), "");
}

static void t_5424_bad_sd(void)
{
    doc("<13>1 2026-11-23T10:00:00Z h a - - [x a=\"unterminated] rest");
    CU_ASSERT(has_tag("_sluice_bad_sd"));
    CU_ASSERT_FALSE(has("log.syslog.structured_data"));
    TU_ASSERT_STR(jstr("message"), "[x a=\"unterminated] rest");
    TU_ASSERT_STR(jstr("host.hostname"), "h");
    doc("<13>1 2026-11-23T10:00:00Z h a - - [ok k=\"v\"][bad k=v] rest");
    CU_ASSERT(has_tag("_sluice_bad_sd"));
    CU_ASSERT_FALSE(has("log.syslog.structured_data"));      /* all or nothing */
    TU_ASSERT_STR(jstr("message"), "[ok k=\"v\"][bad k=v] rest");
    next_good();
}

static void t_5424_message_where_sd_goes(void)
{
    doc("<13>1 2026-11-23T10:00:00Z h a - - hello world");
    CU_ASSERT(has_tag("_sluice_bad_sd"));
    TU_ASSERT_STR(jstr("message"), "hello world");
    TU_ASSERT_STR(jstr("process.name"), "a");
    next_good();
}

static void t_5424_short_header(void)
{
    doc("<13>1 2026-11-23T10:00:00Z host app");
    CU_ASSERT(has_tag("_sluice_bad_header"));
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    TU_ASSERT_STR(jstr("process.name"), "app");
    TU_ASSERT_STR(jstr("message"), "");
    TU_ASSERT_STR(jstr("@timestamp"), "2026-11-23T10:00:00.000Z");
    next_good();
}

static void t_5424_numeric_procid(void)
{
    doc("<13>1 2026-11-23T10:00:00Z h nginx 8812 access - GET /");
    CU_ASSERT_EQUAL(jint("process.pid"), 8812);
    TU_ASSERT_STR(jstr("process.name"), "nginx");
    TU_ASSERT_STR(jstr("log.syslog.msgid"), "access");
    CU_ASSERT_FALSE(has("log.syslog.procid"));
    doc("<13>1 2026-11-23T10:00:00Z h svc ab12 - - x");
    TU_ASSERT_STR(jstr("log.syslog.procid"), "ab12");
    CU_ASSERT_FALSE(has("process.pid"));
}

static void t_5424_bad_timestamp(void)
{
    doc("<13>1 2026-02-30T10:00:00Z host app 1 - - text");
    CU_ASSERT(has_tag("_sluice_bad_timestamp"));
    CU_ASSERT_EQUAL(evt_time_ns(E), RECV);
    TU_ASSERT_STR(jstr("host.hostname"), "host");
    TU_ASSERT_STR(jstr("message"), "text");
    TU_ASSERT_STR(jstr("log.syslog.version"), "1");
    next_good();
}

static void t_5424_sd_limit(void)
{
    char line[16384];
    size_t n = (size_t)snprintf(line, sizeof line, "<13>1 - h a - - [big");

    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(line + n, sizeof line - n, " p%d=\"%d\"", i, i);
    n += (size_t)snprintf(line + n, sizeof line - n, "] after");
    doc(line);
    CU_ASSERT(has_tag("_sluice_sd_limit"));
    CU_ASSERT_EQUAL(fjson_object_get_member_count(jat("log.syslog.structured_data.big")), 256);
    TU_ASSERT_STR(jstr("log.syslog.structured_data.big.p255"), "255");
    CU_ASSERT_FALSE(has("log.syslog.structured_data.big.p256"));
    TU_ASSERT_STR(jstr("message"), "after");
    next_good();
}

static void t_5424_not_version(void)
{
    doc("<13>1 cannot be 5424");
    CU_ASSERT_FALSE(has("log.syslog.version"));
    CU_ASSERT(has_tag("_sluice_no_timestamp"));
    TU_ASSERT_STR(jstr("message"), "1 cannot be 5424");
    next_good();
}

/* ---- bytes ---- */

static void t_empty_input(void)
{
    doc_len("", 0);
    TU_ASSERT_STR(jstr("message"), "");
    CU_ASSERT(has_tag("_sluice_no_pri"));
    CU_ASSERT(has_tag("_sluice_no_timestamp"));
    CU_ASSERT_EQUAL(evt_time_ns(E), RECV);
    doc("<13>");
    TU_ASSERT_STR(jstr("message"), "");
    CU_ASSERT_EQUAL(ntags(), 1);
    next_good();
}

static void t_invalid_utf8(void)
{
    doc("<13>Nov 23 10:00:00 h\xff\xfe app: caf\xe9 \xc3\x28 ok \xed\xa0\x80 \xf0\x9f\x98\x80");
    TU_ASSERT_STR(jstr("host.hostname"), "h\xc3\xbf\xc3\xbe");     /* read as Latin-1 */
    TU_ASSERT_STR(jstr("message"),
                  "caf\xc3\xa9 \xc3\x83( ok \xc3\xad\xc2\xa0\xc2\x80 \xf0\x9f\x98\x80");
    next_good();
}

static void t_nul_and_controls(void)
{
    static const char line[] = "<13>Nov 23 10:00:00 host app: a\0b\x01\x1f\x7f\t\"\\";
    struct fjson_object *m;

    doc_len(line, sizeof line - 1);
    m = jat("message");
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT_EQUAL(fjson_object_get_string_len(m), 9);
    CU_ASSERT(!memcmp(fjson_object_get_string(m), "a\0b\x01\x1f\x7f\t\"\\", 9));
    TU_ASSERT_HAS(B.data, "a\\u0000b\\u0001\\u001f");
    next_good();
}

static void t_trailing_newlines(void)
{
    static const char line[] = "<13>Nov 23 10:00:00 host app: text\r\n\0";

    doc_len(line, sizeof line - 1);
    TU_ASSERT_STR(jstr("message"), "text");
    doc("<13>Nov 23 10:00:00 host app: two\n\n");
    TU_ASSERT_STR(jstr("message"), "two");
    doc("<13>Nov 23 10:00:00 host app: inner\nline");
    TU_ASSERT_STR(jstr("message"), "inner\nline");
}

static void t_truncated(void)
{
    struct evt *small = evt_new(40), *e0 = E;
    /* 39 ASCII bytes, then a 3-byte sequence straddling the 40-byte cut. */
    const char *line = "<13>Nov 23 10:00:00 host app: 123456789\xe2\x82\xac tail";

    E = small;
    doc(line);
    CU_ASSERT(has_tag("_sluice_truncated"));
    TU_ASSERT_STR(jstr("message"), "123456789");
    doc("<13>Nov 23 10:00:00 h a: fits");
    CU_ASSERT_FALSE(has("tags"));
    TU_ASSERT_STR(jstr("message"), "fits");
    E = e0;
    evt_free(small);
    next_good();
}

static void t_frame_flags(void)
{
    M.flags = EVT_F_TRUNCATED;
    doc("<13>Nov 23 10:00:00 host app: cut");
    CU_ASSERT(has_tag("_sluice_truncated"));
    M.flags = EVT_F_PARTIAL;
    doc("<13>Nov 23 10:00:00 host app: half");
    CU_ASSERT(has_tag("_sluice_partial_frame"));
    CU_ASSERT_EQUAL(ntags(), 1);
    M.flags = EVT_F_BAD_FRAME | EVT_F_PARTIAL;
    doc("<13>Nov 23 10:00:00 host app: lie");
    CU_ASSERT(has_tag("_sluice_bad_frame"));
    CU_ASSERT(has_tag("_sluice_partial_frame"));
    CU_ASSERT_EQUAL(evt_tags(E), EVT_T_BAD_FRAME | EVT_T_PARTIAL_FRAME);
    TU_ASSERT_STR(jstr("message"), "lie");
    M.flags = 0;
    next_good();
}

static void t_meta(void)
{
    M.src_ip = "2001:db8::17";
    M.src_port = 40514;
    M.transport = "udp";
    doc("<13>Nov 23 10:00:00 host app: x");
    TU_ASSERT_STR(jstr("source.ip"), "2001:db8::17");
    CU_ASSERT_EQUAL(jint("source.port"), 40514);
    TU_ASSERT_STR(jstr("network.transport"), "udp");
    M.src_port = 0;
    doc("<13>Nov 23 10:00:00 host app: x");
    CU_ASSERT_FALSE(has("source.port"));
    TU_ASSERT_STR(jstr("source.ip"), "2001:db8::17");
    int64_t t0 = sl_clock_real_ns(), t1;
    syslog_parse(E, "x", 1, NULL, &O);                   /* no meta: now, no source */
    t1 = sl_clock_real_ns();
    CU_ASSERT(evt_time_ns(E) >= t0 && evt_time_ns(E) <= t1);
    sl_buf_reset(&B);
    CU_ASSERT_EQUAL(evt_json(E, &B), 0);
    TU_ASSERT_HASNT(B.data, "\"source\"");
    TU_ASSERT_HASNT(B.data, "\"network\"");
}

static void t_json_ceiling(void)
{
    struct sl_buf small;

    sl_buf_init(&small, 16, 100);
    sl_buf_append(&small, "prefix", 6);
    const char *line = "<13>Nov 23 10:00:00 host app: a message too long for 100 bytes";
    syslog_parse(E, line, strlen(line), &M, &O);
    CU_ASSERT_EQUAL(evt_json(E, &small), SL_ETOOBIG);
    CU_ASSERT_EQUAL(small.len, 6);
    TU_ASSERT_STR(small.data, "prefix");
    sl_buf_free(&small);
    next_good();
}

static void t_json_appends(void)
{
    sl_buf_reset(&B);
    sl_buf_append(&B, "{\"index\":{}}\n", 13);
    syslog_parse(E, "<13>Nov 23 10:00:00 host app: x", strlen("<13>Nov 23 10:00:00 host app: x"), &M,
                 &O);
    CU_ASSERT_EQUAL(evt_json(E, &B), 0);
    CU_ASSERT(!strncmp(B.data, "{\"index\":{}}\n{\"@timestamp\":", 27));
    CU_ASSERT_EQUAL(B.data[B.len - 1], '}');
    CU_ASSERT_EQUAL(tu_strict_json(B.data + 13, B.len - 13), 0);
}

static void t_reuse_no_leak(void)
{
    doc("<165>1 2026-11-23T10:00:00Z h app 5 id [a b=\"c\\\"\"] m");
    CU_ASSERT(has("log.syslog.structured_data"));
    doc("<13>plain");
    CU_ASSERT_FALSE(has("log.syslog.structured_data"));
    CU_ASSERT_FALSE(has("log.syslog.msgid"));
    CU_ASSERT_FALSE(has("log.syslog.version"));
    CU_ASSERT_FALSE(has("process"));
    CU_ASSERT_FALSE(has("host"));
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 13);
}

static void t_accessors(void)
{
    size_t n;
    const char *s;

    syslog_parse(E, "<38>Nov 23 10:00:00 host sshd[1]: hello",
                 strlen("<38>Nov 23 10:00:00 host sshd[1]: hello"), &M, &O);
    s = evt_appname(E, &n);
    CU_ASSERT(s && n == 4 && !memcmp(s, "sshd", 4));
    s = evt_hostname(E, &n);
    CU_ASSERT(s && n == 4 && !memcmp(s, "host", 4));
    s = evt_message(E, &n);
    CU_ASSERT(s && n == 5 && !memcmp(s, "hello", 5));
    CU_ASSERT_EQUAL(evt_priority(E), 38);
    CU_ASSERT_EQUAL(evt_tags(E), 0);
    syslog_parse(E, "plain", 5, &M, &O);
    CU_ASSERT_PTR_NULL(evt_appname(E, &n));
    CU_ASSERT_EQUAL(n, 0);
    TU_ASSERT_STR(evt_tag_name(EVT_T_BAD_SD), "_sluice_bad_sd");
    CU_ASSERT_PTR_NULL(evt_tag_name(3));
}

static void t_steady_state_no_malloc(void)
{
    static const char *lines[] = {
        "<38>Nov 23 10:00:00 web-01 sshd[12345]: Accepted publickey for deploy",
        "<165>1 2026-11-23T10:00:00.123456+01:00 h evntslog - ID47 [a@1 x=\"1\\]\" y=\"2\"] m",
        "<13>2026-11-23T10:00:00Z host tag[pid]: msg",
        "garbage \xff\x01",
    };
    struct mallinfo2 before, after;

    for (int i = 0; i < 4; i++) {                       /* warm up: buffers reach size */
        sl_buf_reset(&B);
        syslog_parse(E, lines[i], strlen(lines[i]), &M, &O);
        evt_json(E, &B);
    }
    before = mallinfo2();
    for (int k = 0; k < 1000; k++) {
        const char *l = lines[k % 4];
        sl_buf_reset(&B);
        syslog_parse(E, l, strlen(l), &M, &O);
        CU_ASSERT_EQUAL_FATAL(evt_json(E, &B), 0);
    }
    after = mallinfo2();
    CU_ASSERT_EQUAL(after.uordblks, before.uordblks);
}

/* Random bytes drawn from syslog's own punctuation: whatever arrives, the
 * document is strict JSON (doc() checks) and the parse takes no shortcut. */
static void t_random_input(void)
{
    static const char alphabet[] = "<>[]=\"\\ -:.0123456789TZ+NovDec\xef\xbb\xbf\xff\x00\n@aZ";
    char line[200];
    uint64_t x = 0x9e3779b97f4a7c15ull;

    for (int k = 0; k < 3000; k++) {
        size_t n = (size_t)(k % 199);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            line[i] = alphabet[x % (sizeof alphabet - 1)];
        }
        if (k % 3 == 0 && n > 8)
            memcpy(line, "<13>1 - ", 8);
        else if (k % 3 == 1 && n > 16)
            memcpy(line, "<13>Nov 23 10:0", 15);
        doc_len(line, n);
        CU_ASSERT_PTR_NOT_NULL(jat("message"));
        CU_ASSERT_PTR_NOT_NULL(jat("@timestamp"));
    }
    next_good();
}

static CU_TestInfo pri_tests[] = {
    { "RFC 3164 line gives time, host, program, pid, priority and message", t_3164_basic },
    { "no PRI: user.notice assumed and tagged _sluice_no_pri", t_no_pri },
    { "PRI 0 is kern.emergency", t_pri_zero },
    { "PRI 191 is local7.debug", t_pri_191 },
    { "PRI 192 is out of range: tagged bad, text kept in message", t_pri_192 },
    { "empty PRI <> is tagged bad and kept in message", t_pri_empty },
    { "PRI with four digits (leading zeros) is bad", t_pri_four_digits },
    { "PRI with a letter, a sign or no '>' is bad", t_pri_letters },
    { "PRI of three digits with a leading zero is accepted", t_pri_leading_zero },
    { "every facility code has its ECS name", t_facility_names },
    { "every severity has its name and log.level word", t_severity_names },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo time_tests[] = {
    { "BSD stamp without year takes the receive year", t_bsd_receive_year },
    { "single-digit day after two spaces (Nov  3) parses", t_bsd_double_space_day },
    { "single-digit day after one space and lower-case month parse", t_bsd_single_space_day },
    { "December line received in January is dated the previous year", t_dec_in_jan },
    { "January line received on Dec 31 is dated the next year", t_jan_on_dec31 },
    { "3 days ahead stays this year, 12 days ahead is last year", t_small_future_stays },
    { "Feb 29 without year received in a leap year is that year", t_feb29_leap },
    { "Feb 29 without year received in a common year is the last leap year", t_feb29_common_year },
    { "Cisco Mmm dd yyyy hh:mm:ss takes the written year", t_cisco_year },
    { "Cisco Mmm dd hh:mm:ss.mmm keeps milliseconds", t_cisco_millis },
    { "Cisco '*' before and ':' after the stamp are accepted", t_cisco_star_colon },
    { "year after the time (Mmm dd hh:mm:ss yyyy) is read", t_year_after_time },
    { "ISO stamp in a 3164 line (RSYSLOG_ForwardFormat) keeps us and offset", t_iso_in_3164 },
    { "RFC 3339 stamps ending in Z or z are UTC", t_iso_z },
    { "negative offsets move UTC forward", t_negative_offset },
    { "half-hour and hour-only offsets", t_half_hour_offset },
    { "nine fraction digits keep nanoseconds", t_nanoseconds },
    { "fraction digits beyond nine are cut to nine", t_fraction_beyond_nine },
    { "precision written is 3, 6 or 9 digits, rounding the digit count up", t_precision_rounds_up },
    { "zone-less stamps use the fixed offset option; written offsets win", t_zoneless_fixed_offset },
    { "zone-less stamps in host local time follow DST, gap and repeat", t_zoneless_host_local_dst },
    { "Nov 31 is a bad timestamp: receive time, text kept", t_bad_date },
    { "hour 25, a cut offset and a one-digit minute are bad timestamps", t_bad_hour },
    { "no timestamp: receive time, tagged, whole text is message", t_no_timestamp },
    { "a year outside int64 nanoseconds is a bad timestamp, header still read", t_year_out_of_range },
    { "zone option text: local, UTC, +hh:mm, -hhmm, +hh; junk refused", t_opts_zone },
    { "leap second 23:59:60 reads as the next minute", t_leap_second },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo header_tests[] = {
    { "3164 without hostname: a tag after the stamp is the program", t_no_hostname },
    { "tag without pid (kernel:)", t_tag_without_pid },
    { "tags with '/', '-' and '.' are whole programs", t_tag_punctuation },
    { "host then plain words: no program, words stay in message", t_no_tag },
    { "a 255-byte tag is a program; a 299-byte one is message text", t_long_tag },
    { "non-numeric, overlong and empty pids go to procid or nowhere", t_pid_not_numeric },
    { "tag with pid but no colon (app[12] text)", t_tag_no_colon },
    { "message with only a header has an empty message", t_header_only },
    { "IPv6 hostnames with colons or brackets are hostnames", t_ipv6_host },
    { "no timestamp but a tag: program and pid still read", t_tag_without_timestamp },
    { "one space after the tag is dropped, further ones kept", t_spaces_after_tag },
    { "rsyslog forward format with sudo line", t_forward_format_full },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo rfc5424_tests[] = {
    { "RFC 5424 example 1 gives every header field", t_5424_example },
    { "NILVALUE in every header field leaves those fields out", t_5424_nil_fields },
    { "SD escapes \\] \\\" \\\\ are undone, other backslashes literal", t_5424_sd_escapes },
    { "spaces rsyslog's 5424 template puts before MSG are not part of the message", t_5424_rsyslog_double_space },
    { "several SD elements with @enterprise IDs and params", t_5424_multi_sd },
    { "SD without message, and an element without params", t_5424_sd_only },
    { "a param name given three times becomes an array in order", t_5424_repeated_param },
    { "an SD-ID given twice is one object", t_5424_repeated_id },
    { "BOM at the start of MSG is dropped", t_5424_bom },
    { "empty MSG after the header", t_5424_empty_msg },
    { "unterminated or malformed SD is tagged and kept in message", t_5424_bad_sd },
    { "text where SD belongs is tagged bad SD and kept as message", t_5424_message_where_sd_goes },
    { "header cut short is tagged, fields read so far kept", t_5424_short_header },
    { "numeric PROCID is process.pid, other PROCID log.syslog.procid", t_5424_numeric_procid },
    { "bad 5424 timestamp is tagged, the rest of the header still read", t_5424_bad_timestamp },
    { "SD past 256 params is capped and tagged", t_5424_sd_limit },
    { "'1 ' not followed by a timestamp is not RFC 5424", t_5424_not_version },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo bytes_tests[] = {
    { "empty input gives an empty message, tagged, valid JSON", t_empty_input },
    { "invalid UTF-8 comes out as strict JSON, bad bytes read as Latin-1", t_invalid_utf8 },
    { "NUL and control bytes are escaped and keep the message length", t_nul_and_controls },
    { "trailing CR, LF and NUL are dropped, inner LF kept", t_trailing_newlines },
    { "message over max_msg is cut on a UTF-8 boundary and tagged", t_truncated },
    { "frame flags become tags", t_frame_flags },
    { "source ip, port and transport written; left out when absent", t_meta },
    { "evt_json over the buffer ceiling fails and leaves the buffer as it was", t_json_ceiling },
    { "evt_json appends after what the buffer holds", t_json_appends },
    { "a reused event carries nothing over from the previous message", t_reuse_no_leak },
    { "accessors return borrowed views, NULL when absent", t_accessors },
    { "1000 parses after warm-up allocate nothing", t_steady_state_no_malloc },
    { "3000 random syslog-ish inputs all give strict JSON", t_random_input },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "syslog: PRI", suite_init, suite_clean, setup, teardown, pri_tests },
    { "syslog: timestamps", suite_init, suite_clean, setup, teardown, time_tests },
    { "syslog: hostname and tag", suite_init, suite_clean, setup, teardown, header_tests },
    { "syslog: RFC 5424", suite_init, suite_clean, setup, teardown, rfc5424_tests },
    { "syslog: bytes and document", suite_init, suite_clean, setup, teardown, bytes_tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
