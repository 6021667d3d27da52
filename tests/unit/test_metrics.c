/* tests/unit/test_metrics.c: the Prometheus text (prom.c, metrics.c) for
 * given counter values, label escaping and the histogram; the bearer token
 * check; and the admin endpoint's answers over a real loopback socket (the
 * loop runs on its own thread, the test thread is the HTTP client; every
 * read is bounded by a socket timeout). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "shipper/admin.h"
#include "shipper/metrics.h"
#include "shipper/prom.h"
#include "tests/unit/tu.h"

/* ---- the text format ---- */

static void t_label_escape(void)
{
    struct sl_buf b;
    struct prom_label l[2] = { { "sink", "a\"b\\c\nd" }, { "input", "plain" } };

    sl_buf_init(&b, 64, 4096);
    CU_ASSERT_EQUAL(prom_u64(&b, "sluice_x_total", l, 2, 42), 0);
    TU_ASSERT_STR(b.data, "sluice_x_total{sink=\"a\\\"b\\\\c\\nd\",input=\"plain\"} 42\n");
    sl_buf_reset(&b);
    CU_ASSERT_EQUAL(prom_head(&b, "sluice_y", "gauge", "one \\ two\nthree \"q\""), 0);
    /* HELP escapes backslash and newline only; quotes stay. */
    TU_ASSERT_STR(b.data, "# HELP sluice_y one \\\\ two\\nthree \"q\"\n# TYPE sluice_y gauge\n");
    sl_buf_free(&b);
}

static void t_values(void)
{
    struct sl_buf b;

    sl_buf_init(&b, 64, 4096);
    prom_u64(&b, "a", NULL, 0, UINT64_MAX);
    prom_f64(&b, "b", NULL, 0, 0.005);
    prom_f64(&b, "c", NULL, 0, 2.0);
    prom_f64(&b, "d", NULL, 0, 1795451699.17);
    prom_f64(&b, "e", NULL, 0, 0.0);
    TU_ASSERT_STR(b.data, "a 18446744073709551615\nb 0.005\nc 2\nd 1795451699.17\ne 0\n");
    sl_buf_free(&b);
}

static void t_histogram(void)
{
    struct sl_buf b;
    const double bounds[3] = { 0.01, 0.5, 2 };
    const uint64_t counts[4] = { 3, 0, 2, 1 };
    struct prom_label l = { "sink", "os" };

    sl_buf_init(&b, 64, 4096);
    CU_ASSERT_EQUAL(prom_histogram(&b, "h_seconds", &l, 1, bounds, counts, 3, 4.25), 0);
    TU_ASSERT_STR(b.data,
                  "h_seconds_bucket{sink=\"os\",le=\"0.01\"} 3\n"
                  "h_seconds_bucket{sink=\"os\",le=\"0.5\"} 3\n"
                  "h_seconds_bucket{sink=\"os\",le=\"2\"} 5\n"
                  "h_seconds_bucket{sink=\"os\",le=\"+Inf\"} 6\n"
                  "h_seconds_sum{sink=\"os\"} 4.25\n"
                  "h_seconds_count{sink=\"os\"} 6\n");
    sl_buf_free(&b);
}

static void t_ceiling(void)
{
    struct sl_buf b;

    sl_buf_init(&b, 16, 40);
    CU_ASSERT_EQUAL(prom_head(&b, "sluice_long_name_total", "counter", "a help text"),
                    SL_ETOOBIG);
    sl_buf_free(&b);
}

/* A snapshot with every figure distinct, so a value in the wrong series shows. */
static void snap_fill(struct metrics_snap *m, struct metrics_input *in, struct metrics_sink *s)
{
    memset(m, 0, sizeof *m);
    memset(in, 0, 2 * sizeof *in);
    memset(s, 0, sizeof *s);
    m->version = "9.9.9";
    m->start_ms = 1795450000250;
    m->now_ms = 1795450010750;
    m->received = 1000;
    m->parsed = 990;
    m->unparsed = 10;
    m->queued = 995;
    m->dropped_full = 5;
    m->blocked = 2;
    m->has_routes = 1;
    m->norm_matched = 700;
    m->norm_nomatch = 289;
    m->norm_limit = 1;
    m->queue_bytes = 4096;
    m->has_spool = 1;
    m->sp_appended = 995;
    m->sp_appended_bytes = 500000;
    m->sp_written_bytes = 110000;
    m->sp_durable = 990;
    m->sp_fsyncs = 12;
    m->sp_disk_bytes = 500032;
    m->sp_segments = 1;
    m->sp_dropped_oldest = 3;
    m->sp_dropped_newest = 4;
    in[0].name = "tcp-main";
    in[0].msgs = 900;
    in[0].bytes = 90000;
    in[0].conns_open = 2;
    in[0].conns_total = 7;
    in[0].conns_refused = 1;
    in[0].conns_over_max = 6;
    in[0].truncated = 8;
    in[0].partial = 9;
    in[0].bad_frames = 11;
    in[1].name = "udp \"edge\"";
    in[1].datagram = 1;
    in[1].msgs = 100;
    in[1].bytes = 10000;
    in[1].dgrams_refused = 13;
    m->ins = in;
    m->nins = 2;
    s->name = "es\\1";
    s->type = "elasticsearch";
    s->confirmed = 980;
    s->rejected = 2;
    s->retries = 30;
    s->pending = 13;
    s->sent = 1015;
    s->duplicates = 5;
    s->retried = 33;
    s->dead_lettered = 2;
    s->failure_stored = 0;
    s->requests = 6;
    s->failed_requests = 1;
    s->bytes = 123456;
    s->latency_us_sum = 2750000;
    s->lat_bucket[0] = 1;           /* <= 5 ms */
    s->lat_bucket[4] = 3;           /* <= 100 ms */
    s->lat_bucket[SINK_LAT_NBOUNDS] = 2;    /* > 30 s */
    s->backlog_records = 15;
    s->backlog_bytes = 7500;
    s->oldest_ms = 1795450008250;   /* 2.5 s before now */
    m->sinks = s;
    m->nsinks = 1;
}

static void t_render_golden(void)
{
    struct metrics_snap m;
    struct metrics_input in[2];
    struct metrics_sink s;
    struct sl_buf b;
    char *want;

    snap_fill(&m, in, &s);
    sl_buf_init(&b, 1024, SL_ADMIN_RESP_LIMIT);
    CU_ASSERT_EQUAL_FATAL(metrics_render(&m, &b), 0);
    want = tu_read_file(tu_fixture("metrics/render.prom"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    if (strcmp(b.data, want) != 0)
        fprintf(stderr, "\n  got:\n%s", b.data);
    TU_ASSERT_STR(b.data, want);
    /* A few lines checked here as well, independently of the golden file. */
    TU_ASSERT_HAS(b.data, "\nsluice_events_received_total 1000\n");
    TU_ASSERT_HAS(b.data, "\nsluice_events_dropped_total{reason=\"queue_full\"} 5\n");
    TU_ASSERT_HAS(b.data, "\nsluice_events_dropped_total{reason=\"buffer_full_newest\"} 4\n");
    TU_ASSERT_HAS(b.data, "\nsluice_buffer_written_bytes_total 110000\n");
    TU_ASSERT_HAS(b.data, "\nsluice_input_messages_received_total{input=\"udp \\\"edge\\\"\"} 100\n");
    TU_ASSERT_HAS(b.data, "\nsluice_input_connections_refused_total{input=\"tcp-main\",reason=\"max_conns\"} 6\n");
    TU_ASSERT_HASNT(b.data, "sluice_input_connections_open{input=\"udp");
    TU_ASSERT_HASNT(b.data, "sluice_input_datagrams_refused_total{input=\"tcp-main\"}");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_documents_confirmed_total{sink=\"es\\\\1\"} 980\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_oldest_buffered_age_seconds{sink=\"es\\\\1\"} 2.5\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_request_duration_seconds_bucket{sink=\"es\\\\1\",le=\"0.1\"} 4\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_request_duration_seconds_bucket{sink=\"es\\\\1\",le=\"30\"} 4\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_request_duration_seconds_bucket{sink=\"es\\\\1\",le=\"+Inf\"} 6\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_request_duration_seconds_sum{sink=\"es\\\\1\"} 2.75\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_request_duration_seconds_count{sink=\"es\\\\1\"} 6\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_up{sink=\"es\\\\1\",type=\"elasticsearch\"} 1\n");
    CU_ASSERT_DOUBLE_EQUAL(metrics_mean_latency_ms(&s), 458.333, 0.001);
    free(want);
    sl_buf_free(&b);
}

static void t_render_optional_families(void)
{
    struct metrics_snap m;
    struct metrics_input in[2];
    struct metrics_sink s;
    struct sl_buf b;

    snap_fill(&m, in, &s);
    m.has_spool = 0;
    m.has_routes = 0;
    s.failing = 3;
    sl_buf_init(&b, 1024, SL_ADMIN_RESP_LIMIT);
    CU_ASSERT_EQUAL(metrics_render(&m, &b), 0);
    TU_ASSERT_HASNT(b.data, "sluice_buffer_");
    TU_ASSERT_HASNT(b.data, "sluice_events_normalized_total");
    TU_ASSERT_HASNT(b.data, "sluice_sink_oldest_buffered_age_seconds");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_up{sink=\"es\\\\1\",type=\"elasticsearch\"} 0\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_requests_failing{sink=\"es\\\\1\"} 3\n");
    /* Too small a ceiling: an error, never a silently cut answer. */
    sl_buf_free(&b);
    sl_buf_init(&b, 1024, 2048);
    CU_ASSERT_EQUAL(metrics_render(&m, &b), SL_ETOOBIG);
    sl_buf_free(&b);
}

static void t_render_hosts(void)
{
    struct metrics_snap m;
    struct metrics_input in[2];
    struct metrics_sink s;
    struct metrics_host h[2] = {
        { .url = "http://es1:9200", .state = SINK_HOST_UP, .requests = 40, .probes = 2 },
        { .url = "http://10.0.0.2:9200", .discovered = 1, .state = SINK_HOST_ASIDE,
          .requests = 7, .failures = 3, .probes = 5, .probe_failures = 4 },
    };
    struct sl_buf b;

    snap_fill(&m, in, &s);
    s.hosts = h;
    s.nhosts = 2;
    sl_buf_init(&b, 1024, SL_ADMIN_RESP_LIMIT);
    CU_ASSERT_EQUAL_FATAL(metrics_render(&m, &b), 0);
    TU_ASSERT_HAS(b.data, "\n# TYPE sluice_sink_host_up gauge\n"
                  "sluice_sink_host_up{sink=\"es\\\\1\",host=\"http://es1:9200\"} 1\n"
                  "sluice_sink_host_up{sink=\"es\\\\1\",host=\"http://10.0.0.2:9200\"} 0\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_host_requests_total{sink=\"es\\\\1\",host=\"http://es1:9200\"} 40\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_host_requests_failed_total{sink=\"es\\\\1\",host=\"http://10.0.0.2:9200\"} 3\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_host_probes_total{sink=\"es\\\\1\",host=\"http://10.0.0.2:9200\"} 5\n");
    TU_ASSERT_HAS(b.data, "\nsluice_sink_host_probes_failed_total{sink=\"es\\\\1\",host=\"http://10.0.0.2:9200\"} 4\n");
    sl_buf_free(&b);
    /* Without hosts (the golden snapshot) the families are absent. */
    s.nhosts = 0;
    sl_buf_init(&b, 1024, SL_ADMIN_RESP_LIMIT);
    CU_ASSERT_EQUAL_FATAL(metrics_render(&m, &b), 0);
    TU_ASSERT_HASNT(b.data, "sluice_sink_host_");
    sl_buf_free(&b);
}

/* ---- the token ---- */

static void t_token(void)
{
    CU_ASSERT_EQUAL(admin_token_ok("Bearer s3cret", "s3cret"), 1);
    CU_ASSERT_EQUAL(admin_token_ok("bearer   s3cret", "s3cret"), 1);
    CU_ASSERT_EQUAL(admin_token_ok("Bearer s3cre", "s3cret"), 0);
    CU_ASSERT_EQUAL(admin_token_ok("Bearer s3cret2", "s3cret"), 0);
    CU_ASSERT_EQUAL(admin_token_ok("Bearer S3cret", "s3cret"), 0);
    CU_ASSERT_EQUAL(admin_token_ok("Bearer ", "s3cret"), 0);
    CU_ASSERT_EQUAL(admin_token_ok("Basic s3cret", "s3cret"), 0);
    CU_ASSERT_EQUAL(admin_token_ok("s3cret", "s3cret"), 0);
    CU_ASSERT_EQUAL(admin_token_ok(NULL, "s3cret"), 0);
    /* A NUL cannot hide a longer header: its length counts. */
    CU_ASSERT_EQUAL(admin_token_ok("Bearer s3cret ", "s3cret"), 0);
}

/* ---- the endpoint over a socket ---- */

static struct event_base *base;
static pthread_t loop_th;
static _Atomic int ready_flag;
static _Atomic int metrics_calls;

static int cb_metrics(void *arg, struct sl_buf *out)
{
    atomic_fetch_add(&metrics_calls, 1);
    return prom_u64(out, "sluice_test_total", NULL, 0, 7);
}

static int cb_ready(void *arg, char *why, size_t n)
{
    if (atomic_load(&ready_flag))
        return 1;
    snprintf(why, n, "no sink is delivering: sink os failed 3 requests in a row");
    return 0;
}

static void *loop_main(void *arg)
{
    event_base_dispatch(base);
    return NULL;
}

/* One request on a new connection; the whole answer in resp (NUL-ended).
 * Returns the status code, or -1. */
static int http(int port, const char *req, char *resp, size_t n)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct timeval tv = { 5, 0 };
    size_t got = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0), code = -1;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) || write(fd, req, strlen(req)) < 0)
        goto done;
    for (;;) {
        ssize_t r = read(fd, resp + got, n - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == n - 1)
            break;
    }
    resp[got] = '\0';
    if (sscanf(resp, "HTTP/1.%*d %d", &code) != 1)
        code = -1;
done:
    close(fd);
    return code;
}

static void t_endpoint(void)
{
    struct admin *a = NULL;
    struct admin_opts o = { .host = "127.0.0.1", .port = "0", .token = "tok-123",
                            .metrics = cb_metrics, .ready = cb_ready };
    struct sl_err err;
    static char resp[65536];
    int port;

    CU_ASSERT_EQUAL_FATAL(evthread_use_pthreads(), 0);
    base = event_base_new();
    CU_ASSERT_EQUAL_FATAL(admin_open(&a, base, &o, &err), 0);
    port = admin_port(a);
    CU_ASSERT(port > 0);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&loop_th, NULL, loop_main, NULL), 0);

#define AUTH "Authorization: Bearer tok-123\r\n"
#define GET(p, h) "GET " p " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" h "\r\n"
    CU_ASSERT_EQUAL(http(port, GET("/metrics", ""), resp, sizeof resp), 401);
    TU_ASSERT_HAS(resp, "WWW-Authenticate: Bearer");
    CU_ASSERT_EQUAL(http(port, GET("/metrics", "Authorization: Bearer tok-12\r\n"), resp,
                         sizeof resp), 401);
    CU_ASSERT_EQUAL(http(port, GET("/live", "Authorization: Bearer wrong\r\n"), resp,
                         sizeof resp), 401);
    CU_ASSERT_EQUAL(atomic_load(&metrics_calls), 0);
    CU_ASSERT_EQUAL(http(port, GET("/metrics", AUTH), resp, sizeof resp), 200);
    TU_ASSERT_HAS(resp, "Content-Type: text/plain; version=0.0.4");
    TU_ASSERT_HAS(resp, "\r\n\r\nsluice_test_total 7\n");
    CU_ASSERT_EQUAL(http(port, GET("/metrics?x=1", AUTH), resp, sizeof resp), 200);
    CU_ASSERT_EQUAL(http(port, GET("/live", AUTH), resp, sizeof resp), 200);
    CU_ASSERT_EQUAL(http(port, GET("/ready", AUTH), resp, sizeof resp), 503);
    TU_ASSERT_HAS(resp, "\r\n\r\nno sink is delivering: sink os failed 3 requests in a row\n");
    atomic_store(&ready_flag, 1);
    CU_ASSERT_EQUAL(http(port, GET("/ready", AUTH), resp, sizeof resp), 200);
    CU_ASSERT_EQUAL(http(port, GET("/", AUTH), resp, sizeof resp), 404);
    CU_ASSERT_EQUAL(http(port, GET("/metricsx", AUTH), resp, sizeof resp), 404);
    CU_ASSERT_EQUAL(http(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                         AUTH "Content-Length: 0\r\n\r\n", resp, sizeof resp), 405);
    TU_ASSERT_HAS(resp, "Allow: GET");
    CU_ASSERT_EQUAL(http(port, "DELETE /live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                         AUTH "\r\n", resp, sizeof resp), 405);
    /* After all that, a good request still works. */
    CU_ASSERT_EQUAL(http(port, GET("/metrics", AUTH), resp, sizeof resp), 200);
    CU_ASSERT_EQUAL(atomic_load(&metrics_calls), 3);

    event_base_loopbreak(base);
    pthread_join(loop_th, NULL);
    admin_close(a);
    event_base_free(base);
}

static void t_bad_bind(void)
{
    struct event_base *b = event_base_new();
    struct admin *a = NULL;
    struct admin_opts o = { .host = "192.0.2.1", .port = "0", .metrics = cb_metrics,
                            .ready = cb_ready };
    struct sl_err err;

    /* An address this machine does not have: an error naming it. */
    CU_ASSERT_NOT_EQUAL(admin_open(&a, b, &o, &err), 0);
    CU_ASSERT_PTR_NULL(a);
    TU_ASSERT_HAS(err.msg, "192.0.2.1");
    o.host = "127.0.0.1";
    o.port = "70000";
    CU_ASSERT_NOT_EQUAL(admin_open(&a, b, &o, &err), 0);
    TU_ASSERT_HAS(err.msg, "70000");
    event_base_free(b);
}

static CU_TestInfo prom_tests[] = {
    { "label values escape backslash, quote and newline; HELP escapes backslash and newline", t_label_escape },
    { "integers in full, floats to the microsecond without trailing zeros", t_values },
    { "a histogram's buckets are cumulative, +Inf and _count are the total", t_histogram },
    { "a text over the buffer's ceiling is an error", t_ceiling },
    { "a snapshot renders to the exact golden text", t_render_golden },
    { "without a spool or grammars their families are absent; a failing sink is down", t_render_optional_families },
    { "a sink with hosts: one series per host (up, requests, failures, probes); none without",
      t_render_hosts },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo admin_tests[] = {
    { "the bearer token must match exactly, scheme in any case", t_token },
    { "401 without the token, then 200, 503 with its reason, 404 and 405", t_endpoint },
    { "an address that cannot be bound and a bad port are errors naming them", t_bad_bind },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "prom", NULL, NULL, NULL, NULL, prom_tests },
    { "admin", NULL, NULL, NULL, NULL, admin_tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
