/* tests/unit/test_enrich.c: shipper/enrich.c, rdns.c and the `enrich:`
 * config: what lands in the document (static fields and their precedence,
 * tags, observer, host map, zones per input and per network, clock skew),
 * the host map's reload swap, and reverse DNS against a tiny DNS responder
 * on 127.0.0.1 written here: one that answers a fixed name, and one that
 * never answers (the timeout path: messages go out meanwhile, without the
 * name, and the loop is never waited on). */
#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/cidr.h"
#include "common/clock.h"
#include "common/queue.h"
#include "common/rec.h"
#include "parser/evt.h"
#include "parser/syslog.h"
#include "shipper/config.h"
#include "shipper/enrich.h"
#include "shipper/metrics.h"
#include "shipper/pipeline.h"
#include "tests/unit/tu.h"

#define NS 1000000000LL

static char Dir[64];
static struct sl_config *Cfg;
static struct enrich *En;
static struct evt *E;
static struct sl_buf B;

static int64_t civil(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return (sl_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * NS;
}

static void write_file(const char *name, const char *text)
{
    char p[256];
    FILE *f;

    snprintf(p, sizeof p, "%s/%s", Dir, name);
    f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static int setup_dir(void)
{
    snprintf(Dir, sizeof Dir, "/tmp/sluice-enrich-XXXXXX");
    if (!mkdtemp(Dir))
        return -1;
    sl_buf_init(&B, 4096, 1 << 20);
    E = evt_new(65536);
    return 0;
}

static int clean_dir(void)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", Dir);
    if (system(cmd))
        return -1;
    sl_buf_free(&B);
    evt_free(E);
    return 0;
}

/* Loads yaml as DIR/c.yaml (relative paths resolve there); NULL and the
 * problems printed when it does not load. */
static struct sl_config *load(const char *yaml, struct cfg_problems *pr)
{
    char name[256];
    struct sl_config *c = NULL;

    snprintf(name, sizeof name, "%s/c.yaml", Dir);
    if (config_load_string(&c, name, yaml, strlen(yaml), pr) && !pr)
        fprintf(stderr, "\n  config did not load\n");
    return c;
}

static void use(const char *yaml, struct event_base *base)
{
    struct sl_err err;

    enrich_free(En);
    En = NULL;
    config_free(Cfg);
    Cfg = load(yaml, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(Cfg);
    CU_ASSERT_EQUAL_FATAL(enrich_new(&En, &Cfg->eh, base, &err), 0);
}

static void done(void)
{
    enrich_free(En);
    En = NULL;
    config_free(Cfg);
    Cfg = NULL;
}

/* The document of line from input (index) and sender ip (NULL: none),
 * received at recv_ns, as pipeline_msg makes it. */
static const char *doc(const char *line, size_t input, const char *ip, int64_t recv_ns)
{
    struct evt_meta m = { 0 };
    struct sl_cidr a;
    struct syslog_opts base, so;

    m.recv_ns = recv_ns;
    m.src_ip = ip;
    if (ip)
        CU_ASSERT_EQUAL_FATAL(sl_cidr_addr(ip, &a), 0);
    syslog_opts_default(&base);
    enrich_syslog_opts(En, input, ip ? &a : NULL, &base, &so);
    syslog_parse(E, line, strlen(line), &m, &so);
    enrich_apply(En, E, input, ip ? &a : NULL);
    sl_buf_reset(&B);
    CU_ASSERT_EQUAL_FATAL(evt_json(E, &B), 0);
    return B.data;
}

static const int64_t R = 0;     /* set in each test: civil() is not constant */

/* ---- static fields, tags, observer ---- */

static void t_input_fields_win_over_global_ones(void)
{
    int64_t r = civil(2026, 11, 23, 12, 0, 0);
    const char *d;

    use("inputs:\n"
        "  - {listen: 'udp://127.0.0.1:0', name: a, fields: {env: prod, service.name: edge},"
        " tags: [from_a]}\n"
        "  - {listen: 'udp://127.0.0.1:0', name: b}\n"
        "enrich:\n"
        "  observer: {hostname: obs1, ip: ['192.0.2.1', '2001:db8::1']}\n"
        "  fields: {env: global, team: ops}\n"
        "  tags: [g1, from_a]\n", NULL);
    d = doc("<13>Nov 23 12:00:00 h app: x", 0, "10.0.0.1", r);
    TU_ASSERT_HAS(d, "\"env\":\"prod\"");
    TU_ASSERT_HAS(d, "\"service\":{\"name\":\"edge\"}");
    TU_ASSERT_HAS(d, "\"team\":\"ops\"");
    TU_ASSERT_HAS(d, "\"observer\":{\"hostname\":\"obs1\",\"ip\":[\"192.0.2.1\",\"2001:db8::1\"]}");
    TU_ASSERT_HAS(d, "\"tags\":[\"from_a\",\"g1\"]");          /* one from_a */
    CU_ASSERT_EQUAL(enrich_observer_detected(En), 0);
    d = doc("<13>Nov 23 12:00:00 h app: x", 1, "10.0.0.1", r);
    TU_ASSERT_HAS(d, "\"env\":\"global\"");
    TU_ASSERT_HASNT(d, "service");
    TU_ASSERT_HAS(d, "\"tags\":[\"g1\",\"from_a\"]");
    done();
}

static void t_observer_detected_or_off(void)
{
    char host[256];
    const char *d;

    use("enrich: {}\n", NULL);
    CU_ASSERT_EQUAL(gethostname(host, sizeof host), 0);
    d = doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, NULL, civil(2026, 11, 23, 12, 0, 0));
    {
        char want[300];
        snprintf(want, sizeof want, "\"observer\":{\"hostname\":\"%s\"", host);
        TU_ASSERT_HAS(d, want);
    }
    TU_ASSERT_HASNT(d, "127.0.0.1");                            /* loopback never listed */
    CU_ASSERT_EQUAL(enrich_observer_detected(En), 1);
    /* a static field under observer merges with the found ones */
    use("enrich: {fields: {observer.name: edge1}}\n", NULL);
    d = doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, NULL, civil(2026, 11, 23, 12, 0, 0));
    TU_ASSERT_HAS(d, "\"observer\":{\"hostname\":");
    TU_ASSERT_HAS(d, "\"name\":\"edge1\"");
    use("enrich: {observer: {enabled: false}}\n", NULL);
    d = doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, NULL, civil(2026, 11, 23, 12, 0, 0));
    TU_ASSERT_HASNT(d, "observer");
    done();
}

/* ---- time ---- */

static void t_zone_by_network_then_input_then_host(void)
{
    int64_t r = civil(2026, 11, 23, 12, 0, 0);
    const char *d;

    use("inputs:\n"
        "  - {listen: 'udp://127.0.0.1:0', name: a, timezone: Europe/Paris}\n"
        "  - {listen: 'udp://127.0.0.1:0', name: b, timezone: '+05:30'}\n"
        "enrich:\n"
        "  observer: {enabled: false}\n"
        "  time:\n"
        "    zones: {10.1.0.0/16: America/New_York, 10.1.2.0/24: UTC}\n", NULL);
    d = doc("<13>Oct 25 02:30:00 h app: x", 0, "192.0.2.1", r);     /* Paris, first pass */
    TU_ASSERT_HAS(d, "\"@timestamp\":\"2026-10-25T00:30:00.000Z\"");
    d = doc("<13>Nov 23 10:00:00 h app: x", 0, "10.1.9.9", r);      /* the network wins */
    TU_ASSERT_HAS(d, "\"@timestamp\":\"2026-11-23T15:00:00.000Z\"");
    d = doc("<13>Nov 23 10:00:00 h app: x", 0, "10.1.2.9", r);      /* the longest network */
    TU_ASSERT_HAS(d, "\"@timestamp\":\"2026-11-23T10:00:00.000Z\"");
    d = doc("<13>Nov 23 10:00:00 h app: x", 1, NULL, r);
    TU_ASSERT_HAS(d, "\"@timestamp\":\"2026-11-23T04:30:00.000Z\"");
    d = doc("<13>2026-11-23T10:00:00+01:00 h app: x", 1, "10.1.9.9", r);   /* written zone wins */
    TU_ASSERT_HAS(d, "\"@timestamp\":\"2026-11-23T09:00:00.000Z\"");
    done();
}

static void t_skewed_time_is_tagged_and_replaced(void)
{
    int64_t r = civil(2026, 11, 23, 12, 0, 0);
    const char *d;

    use("enrich:\n  observer: {enabled: false}\n"
        "  time: {max_future: 1h, max_past: 30d}\n", NULL);
    d = doc("<13>2026-11-23T13:30:00Z h app: x", (size_t)-1, NULL, r);
    TU_ASSERT_HAS(d, "\"@timestamp\":\"2026-11-23T13:30:00.000Z\"");
    TU_ASSERT_HAS(d, "\"tags\":[\"_sluice_time_skew\"]");
    d = doc("<13>2026-11-23T12:59:00Z h app: x", (size_t)-1, NULL, r);  /* within an hour */
    TU_ASSERT_HASNT(d, "skew");
    d = doc("<13>2026-10-01T00:00:00Z h app: x", (size_t)-1, NULL, r);
    TU_ASSERT_HAS(d, "_sluice_time_skew");
    use("enrich:\n  observer: {enabled: false}\n"
        "  time: {max_past: 30d, replace: true}\n", NULL);
    d = doc("<13>2020-01-01T00:00:00.5Z h app: x", (size_t)-1, NULL, r);
    TU_ASSERT_HAS(d, "\"@timestamp\":\"2026-11-23T12:00:00.000000Z\"");
    TU_ASSERT_HAS(d, "\"event\":{\"created\":\"2020-01-01T00:00:00.500Z\"");
    TU_ASSERT_HAS(d, "_sluice_time_skew");
    d = doc("<13>2030-01-01T00:00:00Z h app: x", (size_t)-1, NULL, r);  /* no max_future */
    TU_ASSERT_HASNT(d, "skew");
    TU_ASSERT_HASNT(d, "created");
    done();
}

/* ---- the host map ---- */

static void t_host_map_fields_and_reload_swap(void)
{
    int64_t r = civil(2026, 11, 23, 12, 0, 0);
    const struct enrich_stats *st;
    struct sl_err err;
    const char *d;

    write_file("hosts.map", "web01 owner=web site=par1\n10.0.0.0/8 site=dc1\n");
    use("enrich:\n  observer: {enabled: false}\n"
        "  fields: {labels.site: static}\n"
        "  hosts: {file: hosts.map}\n", NULL);
    d = doc("<13>Nov 23 12:00:00 web01 app: x", (size_t)-1, "10.1.1.1", r);
    TU_ASSERT_HAS(d, "\"labels\":{\"owner\":\"web\",\"site\":\"par1\"}");  /* the map beats static */
    d = doc("<13>Nov 23 12:00:00 db1 app: x", (size_t)-1, "10.1.1.1", r);
    TU_ASSERT_HAS(d, "\"labels\":{\"site\":\"dc1\"}");
    d = doc("<13>Nov 23 12:00:00 db1 app: x", (size_t)-1, "192.0.2.1", r);
    TU_ASSERT_HAS(d, "\"labels\":{\"site\":\"static\"}");

    /* the file changes: a reload swaps the whole new map in */
    write_file("hosts.map", "10.0.0.0/8 site=dc2 rack=r7\n");
    sl_err_clear(&err);
    CU_ASSERT_EQUAL(enrich_hosts_reload(En, &err), 0);
    d = doc("<13>Nov 23 12:00:00 web01 app: x", (size_t)-1, "10.1.1.1", r);
    TU_ASSERT_HAS(d, "\"labels\":{\"rack\":\"r7\",\"site\":\"dc2\"}");
    TU_ASSERT_HASNT(d, "owner");

    /* a broken file: the error names file:line, the last good map stays */
    write_file("hosts.map", "10.0.0.0/8 site=dc3\nweb01 owner\n");
    sl_err_clear(&err);
    CU_ASSERT_EQUAL(enrich_hosts_reload(En, &err), SL_EINVAL);
    TU_ASSERT_HAS(err.where, "hosts.map:2");
    d = doc("<13>Nov 23 12:00:00 web01 app: x", (size_t)-1, "10.1.1.1", r);
    TU_ASSERT_HAS(d, "\"site\":\"dc2\"");
    st = enrich_stats(En);
    CU_ASSERT_EQUAL(st->hosts_reloads, 1);
    CU_ASSERT_EQUAL(st->hosts_reload_errors, 1);
    CU_ASSERT_EQUAL(st->hosts_matched, 4);
    done();
}

static void t_config_errors_name_file_line_and_key(void)
{
    struct cfg_problems pr = { 0 };
    struct sl_config *c;
    char want[512];

    write_file("bad.map", "ok a=1\nweb01 owner\n");
    c = load("inputs:\n"
             "  - {listen: 'udp://127.0.0.1:0', timezone: Europe/Parsi}\n"
             "enrich:\n"
             "  hosts: {file: bad.map}\n"
             "  time:\n"
             "    zones: {10.0.0.0/8: Nowhere/Land, x: UTC, 10.1.0.0/16: local}\n"
             "    max_past: soon\n"
             "  tagz: [a]\n", &pr);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_EQUAL(pr.errors.n, 7);
    snprintf(want, sizeof want, "%s/c.yaml:2:45: key 'inputs[0].timezone': unknown time zone "
             "'Europe/Parsi'", Dir);
    TU_ASSERT_HAS(pr.errors.v[0], want);
    snprintf(want, sizeof want, "key 'enrich.hosts.file': %s/bad.map:2: expected "
             "NAME=VALUE, got `owner`", Dir);
    TU_ASSERT_HAS(pr.errors.v[1], want);
    TU_ASSERT_HAS(pr.errors.v[2], ":6:25: key 'enrich.time.zones.10.0.0.0/8': unknown time zone 'Nowhere/Land'");
    TU_ASSERT_HAS(pr.errors.v[3], ":6:39: key 'enrich.time.zones.x': bad network 'x'");
    TU_ASSERT_HAS(pr.errors.v[4], ":6:60: key 'enrich.time.zones.10.1.0.0/16': 'local' is the default");
    TU_ASSERT_HAS(pr.errors.v[5], ":7:15: key 'enrich.time.max_past'");
    TU_ASSERT_HAS(pr.errors.v[6], ":8:3: key 'enrich.tagz': unknown key; did you mean 'tags'?");
    cfg_problems_free(&pr);
    c = load("enrich: {dns: {reverse: true, nameserver: 'dns.example:53'}}\n", &pr);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_EQUAL_FATAL(pr.errors.n, 1);
    TU_ASSERT_HAS(pr.errors.v[0], ":1:43: key 'enrich.dns.nameserver': expected an IP address");
    cfg_problems_free(&pr);
    /* the next good config loads */
    c = load("enrich: {time: {zones: {10.0.0.0/8: Europe/Paris}}}\n", NULL);
    CU_ASSERT_PTR_NOT_NULL(c);
    CU_ASSERT_EQUAL(c ? c->eh.nzones : 0, 1);
    config_free(c);
}

/* ---- reverse DNS ---- */

struct responder {
    int fd;
    struct event *ev;
    int answer;                 /* 0: never answers */
    int queries;
};

/* A fixed-answer responder: PTR -> host1.example.test for any question. */
static void on_query(evutil_socket_t fd, short what, void *arg)
{
    struct responder *rs = arg;
    unsigned char q[512], a[600];
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
    size_t i = 12, len;
    static const char name[] = "\5host1\7example\4test";

    (void)what;
    if (n < 17)
        return;
    rs->queries++;
    if (!rs->answer)
        return;
    while (i < (size_t)n && q[i])
        i += q[i] + 1u;
    i += 5;                                     /* the 0, QTYPE, QCLASS */
    if (i > (size_t)n)
        return;
    memcpy(a, q, i);
    a[2] = 0x81;                                /* QR, RD */
    a[3] = 0x80;                                /* RA, NOERROR */
    a[6] = 0; a[7] = 1;                         /* ANCOUNT 1 */
    a[8] = a[9] = a[10] = a[11] = 0;            /* no NS, no additional */
    len = i;
    a[len++] = 0xc0; a[len++] = 12;             /* the question's name */
    a[len++] = 0; a[len++] = 12;                /* PTR */
    a[len++] = 0; a[len++] = 1;                 /* IN */
    a[len++] = 0; a[len++] = 0; a[len++] = 1; a[len++] = 0x2c;   /* TTL 300 */
    a[len++] = 0; a[len++] = (unsigned char)sizeof name;
    memcpy(a + len, name, sizeof name);         /* with the final 0 */
    len += sizeof name;
    sendto(fd, a, len, 0, (struct sockaddr *)&from, fl);
}

static int responder_start(struct responder *rs, struct event_base *base, int answer)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t sl = sizeof sa;

    memset(rs, 0, sizeof *rs);
    rs->answer = answer;
    rs->fd = socket(AF_INET, SOCK_DGRAM, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (rs->fd < 0 || bind(rs->fd, (struct sockaddr *)&sa, sizeof sa) ||
        getsockname(rs->fd, (struct sockaddr *)&sa, &sl))
        return -1;
    evutil_make_socket_nonblocking(rs->fd);
    rs->ev = event_new(base, rs->fd, EV_READ | EV_PERSIST, on_query, rs);
    event_add(rs->ev, NULL);
    return ntohs(sa.sin_port);
}

static void responder_stop(struct responder *rs)
{
    event_free(rs->ev);
    close(rs->fd);
}

/* Runs the loop until the stats say cond, at most 5 s. */
static int loop_until(struct event_base *base, const _Atomic uint64_t *counter, uint64_t want)
{
    uint64_t until = sl_clock_mono_ms() + 5000;

    while (sl_clock_mono_ms() < until) {
        struct timeval tv = { 0, 20000 };
        enrich_stats(En);
        if (*counter >= want)
            return 0;
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
    }
    return -1;
}

static void t_reverse_dns_names_later_messages(void)
{
    struct event_base *base = event_base_new();
    struct responder rs;
    int64_t r = civil(2026, 11, 23, 12, 0, 0);
    int port = responder_start(&rs, base, 1);
    const struct enrich_stats *st;
    char yaml[512];
    const char *d;

    CU_ASSERT_FATAL(port > 0);
    snprintf(yaml, sizeof yaml, "enrich:\n  observer: {enabled: false}\n"
             "  dns: {reverse: true, timeout: 2s, nameserver: '127.0.0.1:%d'}\n", port);
    use(yaml, base);
    d = doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, "192.0.2.44", r);
    TU_ASSERT_HASNT(d, "domain");                       /* first one: goes out without */
    d = doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, "192.0.2.44", r);
    TU_ASSERT_HASNT(d, "domain");                       /* pending: no second query */
    st = enrich_stats(En);
    CU_ASSERT_EQUAL(st->dns_lookups, 1);
    CU_ASSERT_EQUAL_FATAL(loop_until(base, &st->dns_answers, 1), 0);
    d = doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, "192.0.2.44", r);
    TU_ASSERT_HAS(d, "\"source\":{\"ip\":\"192.0.2.44\",\"domain\":\"host1.example.test\"}");
    d = doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, "2001:db8::7", r);
    TU_ASSERT_HASNT(d, "domain");                       /* another address: its own query */
    CU_ASSERT_EQUAL_FATAL(loop_until(base, &st->dns_answers, 2), 0);
    d = doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, "2001:db8::7", r);
    TU_ASSERT_HAS(d, "\"domain\":\"host1.example.test\"");
    enrich_stats(En);
    CU_ASSERT_EQUAL(st->dns_lookups, 2);
    CU_ASSERT_EQUAL(rs.queries, 2);
    done();
    responder_stop(&rs);
    event_base_free(base);
}

static void t_dns_timeout_never_blocks_and_is_cached(void)
{
    struct event_base *base = event_base_new();
    struct responder rs;
    int64_t r = civil(2026, 11, 23, 12, 0, 0);
    int port = responder_start(&rs, base, 0);
    const struct enrich_stats *st;
    char yaml[512];
    const char *d;

    CU_ASSERT_FATAL(port > 0);
    snprintf(yaml, sizeof yaml, "enrich:\n  observer: {enabled: false}\n"
             "  dns: {reverse: true, timeout: 300ms, negative_ttl: 1m, "
             "nameserver: '127.0.0.1:%d'}\n", port);
    use(yaml, base);
    /* 1000 messages from an address the silent resolver is asked about:
     * every one is written without the loop running, so nothing was waited
     * for (the timeout itself only fires inside the loop: none has yet) */
    for (int i = 0; i < 1000; i++) {
        d = doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, "192.0.2.55", r);
        TU_ASSERT_HAS(d, "\"source\":{\"ip\":\"192.0.2.55\"}");
    }
    st = enrich_stats(En);
    CU_ASSERT_EQUAL(st->dns_failures, 0);
    CU_ASSERT_EQUAL(st->dns_lookups, 1);
    CU_ASSERT_EQUAL(st->dns_misses, 1000);
    CU_ASSERT_EQUAL_FATAL(loop_until(base, &st->dns_timeouts, 1), 0);
    CU_ASSERT_EQUAL(st->dns_failures, 1);
    /* the failure is cached: no new query, still no name */
    d = doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, "192.0.2.55", r);
    TU_ASSERT_HASNT(d, "domain");
    enrich_stats(En);
    CU_ASSERT_EQUAL(st->dns_lookups, 1);
    CU_ASSERT_EQUAL(st->dns_hits, 1);
    CU_ASSERT(rs.queries >= 1);
    /* a query still out at shutdown is cancelled cleanly */
    doc("<13>Nov 23 12:00:00 h app: x", (size_t)-1, "192.0.2.56", r);
    done();
    responder_stop(&rs);
    event_base_free(base);
}

/* The daemon's path: pipeline_msg with an input and a sockaddr (an
 * IPv4-mapped IPv6 one, as a dual-stack socket gives) into a queue. */
static void t_pipeline_msg_enriches_per_input_and_sender(void)
{
    struct sl_queue *q = NULL;
    struct pipeline *p = NULL;
    struct pipeline_out o;
    struct syslog_opts so;
    struct sl_err err;
    struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(40514) };
    struct sl_qnode *n;
    char docs[2][2048] = { "", "" };
    size_t k = 0;

    write_file("p.map", "10.9.0.0/16 site=par9\n");
    use("inputs:\n"
        "  - {listen: 'udp://127.0.0.1:0', name: a, fields: {env: a}, timezone: Europe/Paris}\n"
        "  - {listen: 'udp://127.0.0.1:0', name: b, tags: [bee]}\n"
        "enrich:\n  observer: {hostname: o1, ip: ['192.0.2.9']}\n"
        "  hosts: {file: p.map}\n", NULL);
    inet_pton(AF_INET6, "::ffff:10.9.1.2", &sa.sin6_addr);
    CU_ASSERT_EQUAL_FATAL(sl_queue_new(&q, 1 << 20), 0);
    o.q = q;
    syslog_opts_default(&so);
    sl_err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(pipeline_new(&p, &o, 1, 65536, &so, NULL, NULL, &err), 0);
    pipeline_set_enrich_host(p, En);
    pipeline_set_input(p, 0);
    pipeline_msg(p, "<13>Nov 23 10:00:00 h app: x", 28, 0, (struct sockaddr *)&sa, sizeof sa,
                 civil(2026, 11, 23, 12, 0, 0), "udp", 1);
    pipeline_set_input(p, 1);
    pipeline_msg(p, "<13>Nov 23 10:00:00 h app: y", 28, 0, (struct sockaddr *)&sa, sizeof sa,
                 civil(2026, 11, 23, 12, 0, 0), "udp", 1);
    CU_ASSERT_EQUAL(pipeline_flush(p), 0);
    while (sl_queue_pop(q, &n, 0) == 0) {
        struct sl_recbatch *b = (struct sl_recbatch *)n;
        struct sl_rec r;
        size_t off = 0;

        while (sl_recbatch_next(b, &off, &r) && k < 2) {
            snprintf(docs[k], sizeof docs[k], "%.*s", (int)r.doc_len, r.doc);
            k++;
        }
        sl_queue_release(q, n->bytes);
        sl_recbatch_free(b);
    }
    CU_ASSERT_EQUAL_FATAL(k, 2);
    TU_ASSERT_HAS(docs[0], "\"@timestamp\":\"2026-11-23T09:00:00.000Z\"");  /* Paris */
    TU_ASSERT_HAS(docs[0], "\"source\":{\"ip\":\"10.9.1.2\",\"port\":40514}");
    TU_ASSERT_HAS(docs[0], "\"env\":\"a\"");
    TU_ASSERT_HAS(docs[0], "\"labels\":{\"site\":\"par9\"}");
    TU_ASSERT_HAS(docs[0], "\"observer\":{\"hostname\":\"o1\",\"ip\":[\"192.0.2.9\"]}");
    TU_ASSERT_HASNT(docs[0], "bee");
    TU_ASSERT_HAS(docs[1], "\"tags\":[\"bee\"]");
    TU_ASSERT_HASNT(docs[1], "env");
    pipeline_free(p);
    sl_queue_free(q);
    done();
}

static void t_metrics_show_enrichment_when_configured(void)
{
    struct metrics_snap m = { .version = "t" };
    struct sl_buf out;

    sl_buf_init(&out, 4096, 1 << 20);
    CU_ASSERT_EQUAL(metrics_render(&m, &out), 0);
    TU_ASSERT_HASNT(out.data, "sluice_enrich");
    m.has_hosts = m.has_skew = m.has_dns = 1;
    m.en_hosts_matched = 7;
    m.en_hosts_reloads = 2;
    m.en_hosts_reload_errors = 1;
    m.en_time_skewed = 3;
    m.dns_hits = 10;
    m.dns_misses = 4;
    m.dns_lookups = 4;
    m.dns_answers = 1;
    m.dns_failures = 3;
    m.dns_timeouts = 2;
    sl_buf_reset(&out);
    CU_ASSERT_EQUAL(metrics_render(&m, &out), 0);
    TU_ASSERT_HAS(out.data, "\nsluice_enrich_hosts_matched_total 7\n");
    TU_ASSERT_HAS(out.data, "\nsluice_enrich_hosts_reloads_total{result=\"error\"} 1\n");
    TU_ASSERT_HAS(out.data, "\nsluice_enrich_time_skewed_total 3\n");
    TU_ASSERT_HAS(out.data, "\nsluice_enrich_dns_cache_total{result=\"miss\"} 4\n");
    TU_ASSERT_HAS(out.data, "\nsluice_enrich_dns_failures_total{reason=\"timeout\"} 2\n");
    TU_ASSERT_HAS(out.data, "\nsluice_enrich_dns_failures_total{reason=\"other\"} 1\n");
    sl_buf_free(&out);
}

static CU_TestInfo tests[] = {
    { "metrics: enrichment families only when configured", t_metrics_show_enrichment_when_configured },
    { "pipeline_msg: the input's fields and zone, the sender's map entry", t_pipeline_msg_enriches_per_input_and_sender },
    { "input fields win over global ones; tags once; observer from config", t_input_fields_win_over_global_ones },
    { "observer found on the machine (no loopback), or switched off", t_observer_detected_or_off },
    { "zone: longest sender network, then the input's, a written offset always wins", t_zone_by_network_then_input_then_host },
    { "skewed time tagged; with replace the receive time, original in event.created", t_skewed_time_is_tagged_and_replaced },
    { "host map: name, then network, beats static; a reload swaps, a bad file keeps the old", t_host_map_fields_and_reload_swap },
    { "enrich config errors name file:line:col and key", t_config_errors_name_file_line_and_key },
    { "reverse DNS: first message without the name, later ones with it", t_reverse_dns_names_later_messages },
    { "DNS timeout: 1000 messages go out at once, one query, failure cached", t_dns_timeout_never_blocks_and_is_cached },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "enrich: host and time", setup_dir, clean_dir, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    (void)R;
    return tu_main(argc, argv, suites);
}
