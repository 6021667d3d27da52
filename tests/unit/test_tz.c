/* tests/unit/test_tz.c: parser/tz.c (IANA zones from TZif files, DST, the
 * footer's rule, fixed offsets), common/cidr.c (longest-prefix tables) and
 * parser/hostmap.c (the host map: parse, match, errors, interned names). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/cidr.h"
#include "common/clock.h"
#include "common/err.h"
#include "parser/evt.h"
#include "parser/hostmap.h"
#include "parser/syslog.h"
#include "parser/tz.h"
#include "tests/unit/tu.h"

static int64_t civil(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return sl_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static struct tz *load(const char *name)
{
    struct tz *z = NULL;
    struct sl_err err;

    sl_err_clear(&err);
    if (tz_load(&z, name, NULL, &err))
        fprintf(stderr, "\n  tz_load(%s): %s\n", name, err.msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    return z;
}

/* ---- zones ---- */

static void t_paris_offsets_around_both_changes(void)
{
    struct tz *z = load("Europe/Paris");

    /* 2026-03-29 01:00Z: 02:00 CET becomes 03:00 CEST */
    CU_ASSERT_EQUAL(tz_offset_at(z, civil(2026, 3, 29, 0, 59, 59)), 3600);
    CU_ASSERT_EQUAL(tz_offset_at(z, civil(2026, 3, 29, 1, 0, 0)), 7200);
    /* 2026-10-25 01:00Z: 03:00 CEST becomes 02:00 CET */
    CU_ASSERT_EQUAL(tz_offset_at(z, civil(2026, 10, 25, 0, 59, 59)), 7200);
    CU_ASSERT_EQUAL(tz_offset_at(z, civil(2026, 10, 25, 1, 0, 0)), 3600);
    TU_ASSERT_STR(tz_name(z), "Europe/Paris");
    tz_free(z);
}

static void t_paris_skipped_hour_reads_with_the_old_offset(void)
{
    struct tz *z = load("Europe/Paris");

    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 3, 29, 1, 59, 59)), civil(2026, 3, 29, 0, 59, 59));
    /* 02:30 never showed on a clock: +01:00, i.e. 03:30 CEST */
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 3, 29, 2, 30, 0)), civil(2026, 3, 29, 1, 30, 0));
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 3, 29, 3, 0, 0)), civil(2026, 3, 29, 1, 0, 0));
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 3, 29, 3, 30, 0)), civil(2026, 3, 29, 1, 30, 0));
    tz_free(z);
}

static void t_paris_repeated_hour_reads_as_the_first_pass(void)
{
    struct tz *z = load("Europe/Paris");

    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 10, 25, 1, 59, 59)), civil(2026, 10, 24, 23, 59, 59));
    /* 02:00..02:59 happen twice: the first (CEST, +02:00) is taken */
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 10, 25, 2, 0, 0)), civil(2026, 10, 25, 0, 0, 0));
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 10, 25, 2, 30, 0)), civil(2026, 10, 25, 0, 30, 0));
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 10, 25, 2, 59, 59)), civil(2026, 10, 25, 0, 59, 59));
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 10, 25, 3, 0, 0)), civil(2026, 10, 25, 2, 0, 0));
    tz_free(z);
}

static void t_rule_after_the_file_table_and_far_past(void)
{
    struct tz *z = load("Europe/Paris");

    /* past 2037 (the end of a fat file's table): the footer's rule */
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2040, 7, 1, 12, 0, 0)), civil(2040, 7, 1, 10, 0, 0));
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2040, 12, 1, 12, 0, 0)), civil(2040, 12, 1, 11, 0, 0));
    CU_ASSERT_EQUAL(tz_offset_at(z, civil(2200, 3, 29, 0, 0, 0)), 3600);
    CU_ASSERT_EQUAL(tz_offset_at(z, civil(2200, 6, 1, 0, 0, 0)), 7200);
    /* before 1911 Paris kept local mean time (+00:09:21) */
    CU_ASSERT_EQUAL(tz_offset_at(z, civil(1900, 1, 1, 0, 0, 0)), 561);
    tz_free(z);
}

static void t_southern_and_western_zones(void)
{
    struct tz *s = load("Australia/Sydney"), *n = load("America/New_York");

    /* January is summer (+11) in Sydney, July winter (+10) */
    CU_ASSERT_EQUAL(tz_local_to_utc(s, civil(2026, 1, 15, 12, 0, 0)), civil(2026, 1, 15, 1, 0, 0));
    CU_ASSERT_EQUAL(tz_local_to_utc(s, civil(2026, 7, 15, 12, 0, 0)), civil(2026, 7, 15, 2, 0, 0));
    CU_ASSERT_EQUAL(tz_local_to_utc(s, civil(2045, 1, 15, 12, 0, 0)), civil(2045, 1, 15, 1, 0, 0));
    CU_ASSERT_EQUAL(tz_local_to_utc(n, civil(2026, 11, 23, 10, 0, 0)), civil(2026, 11, 23, 15, 0, 0));
    CU_ASSERT_EQUAL(tz_local_to_utc(n, civil(2026, 7, 4, 10, 0, 0)), civil(2026, 7, 4, 14, 0, 0));
    tz_free(s);
    tz_free(n);
}

static void t_fixed_offsets(void)
{
    static const struct { const char *name; int32_t off; } v[] = {
        { "UTC", 0 }, { "Z", 0 }, { "+02:00", 7200 }, { "-0530", -19800 }, { "+05", 18000 },
    };

    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct tz *z = load(v[i].name);
        CU_ASSERT_EQUAL(tz_offset_at(z, civil(2026, 7, 1, 0, 0, 0)), v[i].off);
        CU_ASSERT_EQUAL(tz_local_to_utc(z, 1000000), 1000000 - v[i].off);
        tz_free(z);
    }
}

static void t_bad_names_are_refused_with_the_name(void)
{
    static const char *const bad[] = { "Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime",
                                       "+25:00", "+02:", "Europe/Paris ", "", NULL };
    struct sl_err err;

    for (size_t i = 0; bad[i]; i++) {
        struct tz *z = NULL;
        sl_err_clear(&err);
        CU_ASSERT_EQUAL(tz_load(&z, bad[i], NULL, &err), SL_EINVAL);
        CU_ASSERT_PTR_NULL(z);
    }
    sl_err_clear(&err);
    {
        struct tz *z = NULL;
        tz_load(&z, "Mars/Olympus_Mons", NULL, &err);
        TU_ASSERT_HAS(err.msg, "unknown time zone 'Mars/Olympus_Mons'");
    }
    /* a file that is not TZif */
    {
        struct tz *z = NULL;
        sl_err_clear(&err);
        CU_ASSERT_EQUAL(tz_load(&z, "zone.tab", NULL, &err), SL_EINVAL);
        TU_ASSERT_HAS(err.msg, "not a TZif file");
    }
    /* the next good name still loads */
    tz_free(load("Europe/Berlin"));
}

/* A "slim" file: no transitions at all, only the footer's rule. */
static void t_slim_file_with_only_a_footer(void)
{
    char dir[] = "/tmp/sluice-tz-XXXXXX", path[256];
    static const char footer[] = "\nCET-1CEST,M3.5.0,M10.5.0/3\n";
    unsigned char hdr[44] = { 'T', 'Z', 'i', 'f', '2' };
    unsigned char typ[6] = { 0, 0, 0x0e, 0x10, 0, 0 };      /* +3600, std, abbr 0 */
    struct tz *z = NULL;
    struct sl_err err;
    FILE *f;

    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/Slim", dir);
    f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    hdr[20 + 4 * 4 + 3] = 1;                /* typecnt 1 */
    hdr[20 + 5 * 4 + 3] = 4;                /* charcnt 4 */
    for (int pass = 0; pass < 2; pass++) {
        fwrite(hdr, 1, sizeof hdr, f);
        fwrite(typ, 1, sizeof typ, f);
        fwrite("CET", 1, 4, f);
    }
    fwrite(footer, 1, sizeof footer - 1, f);
    fclose(f);
    sl_err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(tz_load(&z, "Slim", dir, &err), 0);
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 3, 29, 2, 30, 0)), civil(2026, 3, 29, 1, 30, 0));
    CU_ASSERT_EQUAL(tz_local_to_utc(z, civil(2026, 10, 25, 2, 30, 0)), civil(2026, 10, 25, 0, 30, 0));
    CU_ASSERT_EQUAL(tz_offset_at(z, civil(2026, 7, 1, 0, 0, 0)), 7200);
    CU_ASSERT_EQUAL(tz_offset_at(z, civil(2026, 12, 1, 0, 0, 0)), 3600);
    tz_free(z);
    unlink(path);
    rmdir(dir);
}

static void t_syslog_parse_uses_the_zone(void)
{
    struct evt *e = evt_new(4096);
    struct syslog_opts o;
    struct evt_meta m = { 0 };
    struct tz *z = load("Europe/Paris");
    static const char l1[] = "<13>Oct 25 02:30:00 h app: x";
    static const char l2[] = "<13>Oct 25 02:30:00+05:00 h app: x";

    syslog_opts_default(&o);
    o.tz = z;
    m.recv_ns = civil(2026, 11, 23, 12, 0, 0) * 1000000000LL;
    syslog_parse(e, l1, sizeof l1 - 1, &m, &o);
    CU_ASSERT_EQUAL(evt_time_ns(e), civil(2026, 10, 25, 0, 30, 0) * 1000000000LL);
    /* a written offset still wins */
    syslog_parse(e, l2, sizeof l2 - 1, &m, &o);
    CU_ASSERT_EQUAL(evt_tags(e) & EVT_T_BAD_TIMESTAMP, EVT_T_BAD_TIMESTAMP);   /* BSD + zone is not a form */
    {
        static const char l3[] = "<13>2026-10-25T02:30:00+05:00 h app: x";
        syslog_parse(e, l3, sizeof l3 - 1, &m, &o);
        CU_ASSERT_EQUAL(evt_time_ns(e), civil(2026, 10, 24, 21, 30, 0) * 1000000000LL);
    }
    tz_free(z);
    evt_free(e);
}

/* ---- networks ---- */

static size_t lookup(const struct sl_cidr_table *t, const char *ip)
{
    struct sl_cidr a;
    size_t v = 999;

    CU_ASSERT_EQUAL_FATAL(sl_cidr_addr(ip, &a), 0);
    if (sl_cidr_lookup(t, &a, &v))
        return 999;
    return v;
}

static void t_longest_network_wins(void)
{
    static const char *const nets[] = { "10.0.0.0/8", "10.1.2.0/24", "10.1.0.0/16", "fd00::/8",
                                        "fd00:1::/32", "10.1.0.0/16", "192.0.2.7" };
    struct sl_cidr c[7];
    size_t vals[7];
    struct sl_cidr_table *t;

    for (size_t i = 0; i < 7; i++) {
        CU_ASSERT_EQUAL(sl_cidr_parse(nets[i], &c[i]), 0);
        vals[i] = i;
    }
    t = sl_cidr_table_new(c, vals, 7);
    CU_ASSERT_EQUAL(lookup(t, "10.1.2.3"), 1);
    CU_ASSERT_EQUAL(lookup(t, "10.1.9.9"), 2);          /* the first of the twins */
    CU_ASSERT_EQUAL(lookup(t, "10.200.0.1"), 0);
    CU_ASSERT_EQUAL(lookup(t, "11.0.0.1"), 999);
    CU_ASSERT_EQUAL(lookup(t, "fd00:1::5"), 4);
    CU_ASSERT_EQUAL(lookup(t, "fd00:2::5"), 3);
    CU_ASSERT_EQUAL(lookup(t, "::ffff:10.1.2.3"), 1);   /* mapped: read as IPv4 */
    CU_ASSERT_EQUAL(lookup(t, "192.0.2.7"), 6);
    CU_ASSERT_EQUAL(lookup(t, "192.0.2.8"), 999);
    sl_cidr_table_free(t);
}

/* A socket address as a network address (the sender of a datagram or a
 * connection), and a network holding it; IPv4-mapped IPv6 counts as IPv4. */
static void t_cidr_sockaddr(void)
{
    struct sockaddr_in a4 = { .sin_family = AF_INET };
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
    struct sl_cidr net, a;

    inet_pton(AF_INET, "10.1.2.3", &a4.sin_addr);
    CU_ASSERT_EQUAL(sl_cidr_sockaddr((struct sockaddr *)&a4, sizeof a4, &a), 0);
    CU_ASSERT_EQUAL(sl_cidr_parse("10.1.0.0/16", &net), 0);
    CU_ASSERT_EQUAL(sl_cidr_contains(&net, &a), 1);
    CU_ASSERT_EQUAL(sl_cidr_parse("10.1.4.0/23", &net), 0);
    CU_ASSERT_EQUAL(sl_cidr_contains(&net, &a), 0);
    inet_pton(AF_INET6, "::ffff:10.1.2.3", &a6.sin6_addr);
    CU_ASSERT_EQUAL(sl_cidr_sockaddr((struct sockaddr *)&a6, sizeof a6, &a), 0);
    CU_ASSERT_EQUAL(a.family, AF_INET);
    CU_ASSERT_EQUAL(sl_cidr_parse("10.1.2.0/25", &net), 0);
    CU_ASSERT_EQUAL(sl_cidr_contains(&net, &a), 1);
    inet_pton(AF_INET6, "fd00::1", &a6.sin6_addr);
    CU_ASSERT_EQUAL(sl_cidr_sockaddr((struct sockaddr *)&a6, sizeof a6, &a), 0);
    CU_ASSERT_EQUAL(sl_cidr_contains(&net, &a), 0);             /* another family */
    CU_ASSERT_EQUAL(sl_cidr_parse("fd00::/8", &net), 0);
    CU_ASSERT_EQUAL(sl_cidr_contains(&net, &a), 1);
    CU_ASSERT_EQUAL(sl_cidr_sockaddr((struct sockaddr *)&a4, 4, &a), -1);   /* cut short */
}

static void t_cidr_text_forms(void)
{
    struct sl_cidr c;

    CU_ASSERT_EQUAL(sl_cidr_parse("10.1.2.3/16", &c), 1);       /* host bits set: masked */
    CU_ASSERT_EQUAL(c.addr[2], 0);
    CU_ASSERT_EQUAL(sl_cidr_parse("10.0.0.0/33", &c), -2);     /* over the family's length */
    CU_ASSERT_EQUAL(sl_cidr_parse("10.0.0.0/", &c), -1);
    CU_ASSERT_EQUAL(sl_cidr_parse("web01", &c), -1);
    CU_ASSERT_EQUAL(sl_cidr_parse("0.0.0.0/0", &c), 0);
    CU_ASSERT_EQUAL(c.prefix, 0);
    {
        struct sl_cidr x;
        CU_ASSERT_EQUAL(sl_cidr_addr("10.0.0.0/8", &x), -1);
    }
    {
        struct sl_cidr_table *t = sl_cidr_table_new(&c, (size_t[]){ 5 }, 1);
        CU_ASSERT_EQUAL(lookup(t, "203.0.113.9"), 5);           /* /0 holds every IPv4 */
        CU_ASSERT_EQUAL(lookup(t, "2001:db8::1"), 999);
        sl_cidr_table_free(t);
    }
}

/* ---- the host map ---- */

struct got {
    const struct fld_name *name[8];
    char val[8][64];
    size_t n;
};

static int capture(void *arg, const struct fld_name *name, enum fld_type type, const char *v,
                   size_t len)
{
    struct got *g = arg;

    CU_ASSERT_EQUAL(type, FLD_STRING);
    if (g->n < 8) {
        g->name[g->n] = name;
        snprintf(g->val[g->n], sizeof g->val[0], "%.*s", (int)len, v);
        g->n++;
    }
    return 0;
}

static const char MAP[] =
    "# owner, site and role per host\n"
    "web01.example.com   owner=web-team site=par1 role=frontend\n"
    "\n"
    "10.1.0.0/16         site=par2  note=\"two words \\\"quoted\\\"\"\r\n"
    "10.1.2.0/24 site=par3   # a comment after\n"
    "fd00:1::/32 site=lab";

static struct got find(const struct hostmap *m, const char *host, const char *ip)
{
    struct got g = { 0 };
    struct sl_cidr a;
    const struct hostmap_entry *e;

    if (ip)
        CU_ASSERT_EQUAL_FATAL(sl_cidr_addr(ip, &a), 0);
    e = hostmap_find(m, host, host ? strlen(host) : 0, ip ? &a : NULL);
    if (e)
        hostmap_emit(m, e, capture, &g);
    return g;
}

static void t_hostname_first_then_longest_network(void)
{
    struct hostmap_names *ns = NULL;
    struct hostmap *m = NULL;
    struct sl_err err;
    struct got g;
    size_t h, n;

    sl_err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(hostmap_names_new(&ns, "labels", &err), 0);
    CU_ASSERT_EQUAL_FATAL(hostmap_parse(&m, MAP, sizeof MAP - 1, "hosts.map", ns, &err), 0);
    hostmap_counts(m, &h, &n);
    CU_ASSERT_EQUAL(h, 1);
    CU_ASSERT_EQUAL(n, 3);
    g = find(m, "WEB01.Example.com", "10.1.2.3");           /* the name wins, without case */
    CU_ASSERT_EQUAL_FATAL(g.n, 3);
    TU_ASSERT_STR(g.name[0]->path, "labels.owner");
    TU_ASSERT_STR(g.val[0], "web-team");
    TU_ASSERT_STR(g.val[1], "par1");
    TU_ASSERT_STR(g.val[2], "frontend");
    g = find(m, "db07", "10.1.2.3");
    CU_ASSERT_EQUAL_FATAL(g.n, 1);
    TU_ASSERT_STR(g.val[0], "par3");
    g = find(m, "db07", "10.1.200.3");
    CU_ASSERT_EQUAL_FATAL(g.n, 2);
    TU_ASSERT_STR(g.val[0], "par2");
    TU_ASSERT_STR(g.name[1]->path, "labels.note");
    TU_ASSERT_STR(g.val[1], "two words \"quoted\"");
    g = find(m, NULL, "fd00:1:0:0::9");
    CU_ASSERT_EQUAL(g.n, 1);
    g = find(m, "web01", "192.0.2.1");                      /* not the full name: no match */
    CU_ASSERT_EQUAL(g.n, 0);
    g = find(m, NULL, NULL);
    CU_ASSERT_EQUAL(g.n, 0);
    hostmap_free(m);
    hostmap_names_free(ns);
}

static void t_a_reloaded_map_hands_out_the_same_names(void)
{
    static const char v2[] = "10.0.0.0/8 site=new owner=x\n";
    struct hostmap_names *ns = NULL;
    struct hostmap *m1 = NULL, *m2 = NULL;
    struct sl_err err;
    struct got a, b;

    sl_err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(hostmap_names_new(&ns, "host", &err), 0);
    CU_ASSERT_EQUAL_FATAL(hostmap_parse(&m1, MAP, sizeof MAP - 1, "a", ns, &err), 0);
    a = find(m1, NULL, "10.1.200.3");
    hostmap_free(m1);                                       /* as a reload does */
    CU_ASSERT_EQUAL_FATAL(hostmap_parse(&m2, v2, sizeof v2 - 1, "b", ns, &err), 0);
    b = find(m2, NULL, "10.1.200.3");
    CU_ASSERT_EQUAL_FATAL(b.n, 2);
    TU_ASSERT_STR(b.val[0], "new");
    CU_ASSERT_PTR_EQUAL(a.name[0], b.name[0]);              /* host.site: one address */
    TU_ASSERT_STR(b.name[0]->path, "host.site");
    TU_ASSERT_STR(b.name[1]->path, "host.owner");
    hostmap_free(m2);
    hostmap_names_free(ns);
}

static void t_bad_lines_name_file_and_line(void)
{
    static const struct { const char *text, *where, *msg; } v[] = {
        { "a x=1\nweb01 owner\n", "m:2", "expected NAME=VALUE" },
        { "web01\n", "m:1", "has no NAME=VALUE" },
        { "\n\nweb01 a=\"open\n", "m:3", "no closing quote" },
        { "web01 a=b\"c\n", "m:1", "a quote inside" },
        { "10.1.2.3/16 a=1\n", "m:1", "host bits" },
        { "web01 a=1\nx b=2\nWEB01 c=3\n", "m:3", "host `web01` given twice (lines 1 and 3)" },
        { "10.0.0.0/8 a=1\n10.0.0.0/8 a=2\n", "m:2", "network given twice" },
        { "web01 a=1 a=2\n", "m:1", "`a` given twice" },
        { "http://x a=1\n", "m:1", "neither a host name nor a network" },
        { "web01 a..b=1\n", "m:1", "empty key" },
    };
    struct hostmap_names *ns = NULL;
    struct sl_err err;

    sl_err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(hostmap_names_new(&ns, "labels", &err), 0);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct hostmap *m = NULL;
        sl_err_clear(&err);
        CU_ASSERT_EQUAL(hostmap_parse(&m, v[i].text, strlen(v[i].text), "m", ns, &err), SL_EINVAL);
        CU_ASSERT_PTR_NULL(m);
        TU_ASSERT_STR(err.where, v[i].where);
        TU_ASSERT_HAS(err.msg, v[i].msg);
    }
    {
        struct hostmap *m = NULL;
        CU_ASSERT_EQUAL(hostmap_names_new(&(struct hostmap_names *){ NULL }, "a..b", &err), SL_EINVAL);
        CU_ASSERT_EQUAL(hostmap_parse(&m, MAP, sizeof MAP - 1, "m", ns, &err), 0);   /* still fine */
        hostmap_free(m);
    }
    hostmap_names_free(ns);
}

static void t_names_pool_has_a_ceiling(void)
{
    struct hostmap_names *ns = NULL;
    struct sl_err err;
    struct sl_buf b;
    struct hostmap *m = NULL;

    sl_buf_init(&b, 4096, 1 << 20);
    for (unsigned i = 0; i <= HOSTMAP_NAMES_MAX; i++)
        sl_buf_printf(&b, "h%u k%u=v\n", i, i);
    CU_ASSERT_EQUAL_FATAL(hostmap_names_new(&ns, "", &err), 0);
    sl_err_clear(&err);
    CU_ASSERT_EQUAL(hostmap_parse(&m, b.data, b.len, "big", ns, &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "more than 256 distinct field names");
    TU_ASSERT_STR(err.where, "big:257");
    sl_buf_free(&b);
    hostmap_names_free(ns);
}

static void t_load_reads_a_file_and_reports_a_missing_one(void)
{
    char path[] = "/tmp/sluice-hostmap-XXXXXX";
    int fd = mkstemp(path);
    struct hostmap_names *ns = NULL;
    struct hostmap *m = NULL;
    struct sl_err err;

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, MAP, sizeof MAP - 1), (ssize_t)(sizeof MAP - 1));
    close(fd);
    sl_err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(hostmap_names_new(&ns, "labels", &err), 0);
    CU_ASSERT_EQUAL(hostmap_load(&m, path, ns, &err), 0);
    CU_ASSERT_EQUAL(find(m, "web01.example.com", NULL).n, 3);
    hostmap_free(m);
    m = NULL;
    unlink(path);
    CU_ASSERT_EQUAL(hostmap_load(&m, path, ns, &err), SL_EIO);
    TU_ASSERT_HAS(err.msg, "cannot read the host map");
    hostmap_names_free(ns);
}

/* ---- the event's extra member (observer.*), source.domain, replaced time ---- */

static void t_extra_member_yields_to_a_grammar_field(void)
{
    struct evt *e = evt_new(4096);
    struct evt_meta m = { 0 };
    struct syslog_opts o;
    struct sl_buf b;
    struct fld_name n;
    static const char line[] = "<13>2026-11-23T10:00:00Z h app: x";
    static const char obs[] = "\"observer\":{\"hostname\":\"o1\"}";

    sl_buf_init(&b, 1024, 1 << 16);
    syslog_opts_default(&o);
    m.recv_ns = civil(2026, 11, 23, 12, 0, 0) * 1000000000LL;
    m.src_ip = "192.0.2.1";
    syslog_parse(e, line, sizeof line - 1, &m, &o);
    evt_set_extra(e, "observer", obs, sizeof obs - 1);
    evt_set_domain(e, "h1.example.test", 15);
    evt_time_replace(e, m.recv_ns);
    CU_ASSERT_EQUAL_FATAL(evt_json(e, &b), 0);
    TU_ASSERT_HAS(b.data, ",\"observer\":{\"hostname\":\"o1\"}}");
    TU_ASSERT_HAS(b.data, "\"source\":{\"ip\":\"192.0.2.1\",\"domain\":\"h1.example.test\"}");
    TU_ASSERT_HAS(b.data, "\"@timestamp\":\"2026-11-23T12:00:00.000000Z\"");
    TU_ASSERT_HAS(b.data, "\"event\":{\"created\":\"2026-11-23T10:00:00.000Z\"");
    /* the next parse clears all three; a grammar's observer.* wins */
    syslog_parse(e, line, sizeof line - 1, &m, &o);
    CU_ASSERT_EQUAL_FATAL(fld_name_parse(&n, "observer.name", 13, NULL), 0);
    evt_set_extra(e, "observer", obs, sizeof obs - 1);
    evt_field_emit(e, &n, FLD_STRING, "g", 1);
    sl_buf_reset(&b);
    CU_ASSERT_EQUAL_FATAL(evt_json(e, &b), 0);
    TU_ASSERT_HAS(b.data, "\"observer\":{\"name\":\"g\"}");
    TU_ASSERT_HASNT(b.data, "o1");
    TU_ASSERT_HASNT(b.data, "domain");
    TU_ASSERT_HASNT(b.data, "created");
    fld_name_free(&n);
    sl_buf_free(&b);
    evt_free(e);
}

/* Every 5 minutes from 2026-03-28 to 2026-10-26 local, through syslog_parse
 * (the event's bucket cache) and straight from the table: the same instant,
 * in the hours around both changes too, with the host zone's entries mixed
 * into the same cache. */
static void t_cached_zone_answers_match_the_table(void)
{
    struct evt *e = evt_new(4096);
    struct syslog_opts o, host;
    struct evt_meta m = { 0 };
    struct tz *z = load("Europe/Paris");
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec" };
    size_t bad = 0, n = 0;

    syslog_opts_default(&o);
    syslog_opts_default(&host);
    o.tz = z;
    m.recv_ns = civil(2026, 11, 23, 12, 0, 0) * 1000000000LL;
    for (int64_t t = civil(2026, 3, 28, 0, 0, 0); t < civil(2026, 10, 26, 6, 0, 0); t += 300) {
        int64_t d = t / 86400, y;
        unsigned mo, dd;
        char line[64];
        int len, hh = (int)(t % 86400 / 3600), mi = (int)(t % 3600 / 60);

        /* the hours around a change get every 5 minutes, the rest every 6 hours */
        if (!((d == sl_days_from_civil(2026, 3, 29) || d == sl_days_from_civil(2026, 10, 25)) ||
              t % 21600 == 0))
            continue;
        sl_civil_from_days(d, &y, &mo, &dd);
        len = snprintf(line, sizeof line, "<13>%s %2u %02d:%02d:00 h a: x", mon[mo - 1], dd, hh, mi);
        syslog_parse(e, line, (size_t)len, &m, &o);
        bad += evt_time_ns(e) != tz_local_to_utc(z, t) * 1000000000LL;
        syslog_parse(e, line, (size_t)len, &m, &host);          /* the host zone, same cache */
        n++;
    }
    CU_ASSERT(n > 500);
    CU_ASSERT_EQUAL(bad, 0);
    tz_free(z);
    evt_free(e);
}

static CU_TestInfo tz_tests[] = {
    { "Europe/Paris changes offset at 01:00Z on 2026-03-29 and 2026-10-25", t_paris_offsets_around_both_changes },
    { "the skipped spring hour reads with the offset before the change", t_paris_skipped_hour_reads_with_the_old_offset },
    { "the repeated autumn hour reads as its first pass (summer time)", t_paris_repeated_hour_reads_as_the_first_pass },
    { "after the file's last transition the footer's rule holds; before 1911 LMT", t_rule_after_the_file_table_and_far_past },
    { "Sydney's summer is in January; New York is -5/-4", t_southern_and_western_zones },
    { "UTC, Z, +02:00, -0530, +05 are fixed offsets", t_fixed_offsets },
    { "unknown names, paths and bad offsets are refused, naming the zone", t_bad_names_are_refused_with_the_name },
    { "a slim file (no transitions, only a footer) gives the same answers", t_slim_file_with_only_a_footer },
    { "syslog_parse reads a zone-less stamp in the options' zone", t_syslog_parse_uses_the_zone },
    { "cached zone offsets equal the table's, every 5 minutes around both changes", t_cached_zone_answers_match_the_table },
    { "evt: the extra member, source.domain, a replaced time; a grammar's observer wins", t_extra_member_yields_to_a_grammar_field },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo cidr_tests[] = {
    { "the longest network holding the address wins; twins keep the first", t_longest_network_wins },
    { "network text: host bits masked, bad prefixes refused, /0 holds all", t_cidr_text_forms },
    { "a socket address as a network address; a network holds it or not", t_cidr_sockaddr },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo hostmap_tests[] = {
    { "exact hostname first (no case), then the longest network", t_hostname_first_then_longest_network },
    { "a map parsed again hands out the same interned names", t_a_reloaded_map_hands_out_the_same_names },
    { "every bad line is an error naming file:line", t_bad_lines_name_file_and_line },
    { "more than 256 distinct names is an error at the line that adds one", t_names_pool_has_a_ceiling },
    { "hostmap_load reads a file; a missing file is SL_EIO", t_load_reads_a_file_and_reports_a_missing_one },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "tz: IANA zones", NULL, NULL, NULL, NULL, tz_tests },
    { "cidr: networks", NULL, NULL, NULL, NULL, cidr_tests },
    { "hostmap: host metadata", NULL, NULL, NULL, NULL, hostmap_tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
