/* tests/unit/test_es_sink.c: the Elasticsearch sink over HTTP (sinks/es.c)
 * against a fault injector: a tiny HTTP responder on 127.0.0.1, port 0, in a
 * thread, serving canned answers (or cutting / stalling the connection) and
 * keeping what the client sent. Every wait in it is bounded. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "sinks/es.h"
#include "sinks/es_bulk.h"
#include "sinks/es_nodes.h"
#include "sinks/es_priv.h"
#include "tests/unit/tu.h"

/* ---- the fault injector ---- */

#define FI_STEPS    8
#define FI_WAIT_MS  5000
#define FI_HEAD_MAX (64u * 1024u)
#define FI_BODY_MAX (16u * 1024u * 1024u)

enum fi_mode {
    FI_REPLY,       /* the whole answer, connection kept */
    FI_CUT,         /* headers promise more than is sent, then the connection closes */
    FI_STALL,       /* no answer; waits for the client to give up */
};

struct fi_step {
    enum fi_mode mode;
    int          status;
    const char  *body;      /* borrowed */
};

struct fault_injector {
    int            lfd;
    int            port;
    pthread_t      th;
    struct fi_step step[FI_STEPS];
    size_t         nsteps;
    /* What the client sent for each step served (read after fi_stop). */
    char          *head[FI_STEPS];
    char          *body[FI_STEPS];
    size_t         body_len[FI_STEPS];
    size_t         served;
    int            accepts;
};

static int fi_wait(int fd)
{
    struct pollfd p = { fd, POLLIN, 0 };

    return poll(&p, 1, FI_WAIT_MS) == 1 ? 0 : -1;
}

static size_t content_length(const char *head)
{
    for (const char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n"))
        if (strncasecmp(l + 2, "content-length:", 15) == 0)
            return (size_t)strtoul(l + 17, NULL, 10);
    return 0;
}

/* Reads one request; 0, or -1 on EOF, error or timeout (nothing kept). */
static int fi_read_request(int fd, char **head, char **body, size_t *body_len)
{
    struct sl_buf b;
    char chunk[16384], *end = NULL;
    size_t hlen, need;
    ssize_t r;

    sl_buf_init(&b, 4096, FI_HEAD_MAX + FI_BODY_MAX);
    for (;;) {
        if (end) {
            hlen = (size_t)(end - b.data) + 4;
            need = content_length(b.data);
            if (need > FI_BODY_MAX)
                goto fail;
            if (b.len >= hlen + need)
                break;
        }
        if (fi_wait(fd))
            goto fail;
        r = read(fd, chunk, sizeof chunk);
        if (r <= 0 || sl_buf_append(&b, chunk, (size_t)r))
            goto fail;
        if (!end) {
            end = strstr(b.data, "\r\n\r\n");
            if (!end && b.len > FI_HEAD_MAX)
                goto fail;
        }
    }
    *head = sl_strndup(b.data, hlen);
    *body_len = need;
    *body = sl_malloc(need + 1);
    memcpy(*body, b.data + hlen, need);
    (*body)[need] = '\0';
    sl_buf_free(&b);
    return 0;
fail:
    sl_buf_free(&b);
    return -1;
}

static void fi_send(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void fi_answer(int fd, const struct fi_step *st)
{
    struct sl_buf b;
    size_t blen = strlen(st->body);

    sl_buf_init(&b, 256, 1u << 20);
    sl_buf_printf(&b, "HTTP/1.1 %d Canned\r\nContent-Type: application/json\r\n"
                  "Content-Length: %zu\r\n\r\n", st->status,
                  st->mode == FI_CUT ? blen + 1000 : blen);
    sl_buf_append(&b, st->body, st->mode == FI_CUT ? blen / 2 : blen);
    fi_send(fd, b.data, b.len);
    sl_buf_free(&b);
}

static void *fi_main(void *arg)
{
    struct fault_injector *fi = arg;
    const struct fi_step *st;
    int conn = -1;

    for (int rounds = 0; fi->served < fi->nsteps && rounds < 64; rounds++) {
        if (conn < 0) {
            if (fi_wait(fi->lfd))
                break;
            conn = accept(fi->lfd, NULL, NULL);
            if (conn < 0)
                break;
            fi->accepts++;
        }
        if (fi_read_request(conn, &fi->head[fi->served], &fi->body[fi->served],
                            &fi->body_len[fi->served])) {
            close(conn);
            conn = -1;
            continue;
        }
        st = &fi->step[fi->served++];
        if (st->mode == FI_STALL) {
            fi_wait(conn);          /* returns when the client closes */
        } else {
            fi_answer(conn, st);
            if (st->mode == FI_REPLY)
                continue;
        }
        close(conn);
        conn = -1;
    }
    if (conn >= 0)
        close(conn);
    return NULL;
}

static void fi_start(struct fault_injector *fi, const struct fi_step *steps, size_t n)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;

    memset(fi, 0, sizeof *fi);
    memcpy(fi->step, steps, n * sizeof *steps);
    fi->nsteps = n;
    fi->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CU_ASSERT_FATAL(fi->lfd >= 0);
    CU_ASSERT_FATAL(bind(fi->lfd, (struct sockaddr *)&a, sizeof a) == 0);
    CU_ASSERT_FATAL(listen(fi->lfd, 8) == 0);
    CU_ASSERT_FATAL(getsockname(fi->lfd, (struct sockaddr *)&a, &al) == 0);
    fi->port = ntohs(a.sin_port);
    CU_ASSERT_FATAL(pthread_create(&fi->th, NULL, fi_main, fi) == 0);
}

/* Joins the thread (bounded by its waits); captures stay until fi_free. */
static void fi_stop(struct fault_injector *fi)
{
    pthread_join(fi->th, NULL);
    close(fi->lfd);
}

static void fi_free(struct fault_injector *fi)
{
    for (size_t i = 0; i < FI_STEPS; i++) {
        sl_free(fi->head[i]);
        sl_free(fi->body[i]);
    }
}

/* A loopback port nobody listens on: connecting to it is refused. */
static int refused_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd);
    return ntohs(a.sin_port);
}

/* ---- the sink under test ---- */

static const char *const ids[] = {
    "AAAAAAAAAAAAAAAAAAAAA0", "AAAAAAAAAAAAAAAAAAAAA1", "AAAAAAAAAAAAAAAAAAAAA2",
    "AAAAAAAAAAAAAAAAAAAAA3", "AAAAAAAAAAAAAAAAAAAAA4", "AAAAAAAAAAAAAAAAAAAAA5",
};

static struct es_conf conf;
static struct sink_stats stats;
static void *state;
static struct sl_err err;
static struct sl_rec recs[6];
static enum sink_verdict out[6];
static struct fault_injector fi, fi2;
static char *fixture_text;
static FILE *log_file;

static const char *fixture(const char *name)
{
    FILE *f = fopen(tu_fixture(name), "rb");
    long n;

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    sl_free(fixture_text);
    fixture_text = sl_malloc((size_t)n + 1);
    fixture_text[fread(fixture_text, 1, (size_t)n, f)] = '\0';
    fclose(f);
    return fixture_text;
}

/* Records with the given ids (by number), index "logs-test", doc {"n":k}. */
static void make_recs(const int *which, size_t n)
{
    static char docs[6][16];

    for (size_t i = 0; i < n; i++) {
        snprintf(docs[i], sizeof docs[i], "{\"n\":%d}", which[i]);
        recs[i] = (struct sl_rec){ ids[which[i]], "logs-test", 9, docs[i], strlen(docs[i]), 0, 0 };
    }
}

static void set(const char *section, const char *key, const char *text)
{
    const struct sl_cfg_row *row = es_conf_rows;

    if (section)
        row = sl_cfg_find(row, section)->sub;
    row = sl_cfg_find(row, key);
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    CU_ASSERT_EQUAL_FATAL(sl_cfg_set_scalar(row, &conf, text, key, &err), 0);
}

static void conf_hosts(int port1, int port2)
{
    char h[64];

    /* A test may point the conf elsewhere after a first open. */
    for (size_t i = 0; conf.hosts.v && i < conf.hosts.n; i++)
        sl_free(conf.hosts.v[i]);
    sl_free(conf.hosts.v);
    conf.hosts.n = port2 ? 2 : 1;
    conf.hosts.v = sl_calloc(2, sizeof *conf.hosts.v);
    snprintf(h, sizeof h, "http://127.0.0.1:%d", port1);
    conf.hosts.v[0] = sl_strdup(h);
    if (port2) {
        snprintf(h, sizeof h, "http://127.0.0.1:%d/", port2);
        conf.hosts.v[1] = sl_strdup(h);
    }
}

static int setup_conf(void)
{
    memset(&conf, 0, sizeof conf);
    memset(&stats, 0, sizeof stats);
    sl_err_clear(&err);
    state = NULL;
    if (sl_cfg_defaults(es_conf_rows, &conf, &err))
        return 1;
    conf.timeout_ms = 5000;
    conf.connect_timeout_ms = 2000;
    rewind(log_file);
    if (ftruncate(fileno(log_file), 0)) {
        /* the log checks would fail and say so */
    }
    return 0;
}

static void t_setup(void)
{
    setup_conf();
}

static void t_teardown(void)
{
    sink_es.close(state);
    state = NULL;
    sl_cfg_release(es_conf_rows, &conf);
}

/* Starts the injector with steps and opens the sink towards it. */
static void start(const struct fi_step *steps, size_t n)
{
    fi_start(&fi, steps, n);
    conf_hosts(fi.port, 0);
    CU_ASSERT_EQUAL_FATAL(sink_es.open(&state, &conf, "t", &stats, &err), 0);
}

static int send_n(size_t n)
{
    sl_err_clear(&err);
    for (size_t i = 0; i < n; i++)
        out[i] = (enum sink_verdict)99;
    return sink_es.send(state, recs, n, out, &err);
}

static void assert_all(size_t n, enum sink_verdict v)
{
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(out[i], v);
}

static char *log_text(void)
{
    static char buf[16384];
    size_t n;

    fflush(log_file);
    rewind(log_file);
    n = fread(buf, 1, sizeof buf - 1, log_file);
    buf[n] = '\0';
    return buf;
}

static void expected_body(struct sl_buf *b, size_t n)
{
    sl_buf_init(b, 256, SL_BULK_BYTES_LIMIT);
    es_bulk_body(b, recs, n, ES_OP_CREATE);
}

static const char ok3[] =
    "{\"errors\":false,\"items\":[{\"create\":{\"_id\":\"AAAAAAAAAAAAAAAAAAAAA0\",\"status\":201}},"
    "{\"create\":{\"_id\":\"AAAAAAAAAAAAAAAAAAAAA1\",\"status\":201}},"
    "{\"create\":{\"_id\":\"AAAAAAAAAAAAAAAAAAAAA2\",\"status\":201}}]}";
static const int first3[] = { 0, 1, 2 };
/* What GET / answers (trimmed): a probe only needs an HTTP answer below 500. */
static const char root_ok[] = "{\"cluster_name\":\"t\",\"version\":{\"number\":\"2.19.1\"}}";

static void t_mixed(void)
{
    static const int which[] = { 3, 0, 4, 5 };      /* the ids in os_mixed_filtered.json */
    struct fi_step s[] = { { FI_REPLY, 200, fixture("bulk/os_mixed_filtered.json") } };
    struct sl_buf want;

    make_recs(which, 4);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(4), 0);
    fi_stop(&fi);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[1], SINK_DUPLICATE);
    CU_ASSERT_EQUAL(out[2], SINK_REJECT);
    CU_ASSERT_EQUAL(out[3], SINK_DONE);
    expected_body(&want, 4);
    CU_ASSERT_EQUAL(stats.sent, 4);
    CU_ASSERT_EQUAL(stats.confirmed, 3);
    CU_ASSERT_EQUAL(stats.duplicates, 1);
    CU_ASSERT_EQUAL(stats.rejected, 1);
    CU_ASSERT_EQUAL(stats.retried, 0);
    CU_ASSERT_EQUAL(stats.requests, 1);
    CU_ASSERT_EQUAL(stats.failed_requests, 0);
    CU_ASSERT_EQUAL(stats.bytes, want.len);
    TU_ASSERT_HAS(log_text(), "bulk items rejected rejected=1 done=2 duplicates=1 retry=0 records=4");
    TU_ASSERT_HAS(log_text(), "bulk item rejected index=logs-test id=AAAAAAAAAAAAAAAAAAAAA4 "
                  "status=400 type=mapper_parsing_exception reason=\"failed to parse field [n]");
    sl_buf_free(&want);
    fi_free(&fi);
}

static void t_failure_store(void)
{
    struct fi_step st[] = { { FI_REPLY, 200, fixture("bulk/es91_failure_store_filtered.json") } };

    make_recs(first3, 3);
    start(st, 1);
    /* The kept item answers an ID of the cluster's own: not a misordered answer. */
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    assert_all(3, SINK_DONE);
    CU_ASSERT_EQUAL(stats.confirmed, 3);
    CU_ASSERT_EQUAL(stats.failure_stored, 1);
    CU_ASSERT_EQUAL(stats.rejected, 0);
    CU_ASSERT_EQUAL(stats.failed_requests, 0);
    TU_ASSERT_HAS(log_text(), "bulk items kept in the failure store failure_stored=1 records=3");
    fi_free(&fi);
}

static char *slurp(const char *path)
{
    static char buf[65536];
    FILE *f = fopen(path, "r");
    size_t n = 0;

    if (f) {
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

/* With dead_letter set, a rejected record lands there whole, with its
 * error; one the file cannot take (unwritable) is kept to retry. */
static void t_dead_letter(void)
{
    static const int which[] = { 3, 0, 4, 5 };
    struct fi_step s[] = { { FI_REPLY, 200, fixture("bulk/os_mixed_filtered.json") },
                           { FI_REPLY, 413, "{}" } };
    char path[256];
    const char *t;

    snprintf(path, sizeof path, "/tmp/sluice-test-dlq.%ld", (long)getpid());
    unlink(path);
    set(NULL, "dead_letter", path);
    make_recs(which, 4);
    start(s, 2);
    CU_ASSERT_EQUAL(send_n(4), 0);
    CU_ASSERT_EQUAL(out[2], SINK_REJECT);
    CU_ASSERT_EQUAL(stats.dead_lettered, 1);
    t = slurp(path);
    TU_ASSERT_HAS(t, "\"sink\":\"t\",\"index\":\"logs-test\",\"_id\":\"AAAAAAAAAAAAAAAAAAAAA4\","
                  "\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"failed to parse field [n]");
    TU_ASSERT_HAS(t, "\"document\":{");
    CU_ASSERT_EQUAL(strchr(t, '\n') - t + 1, (long)strlen(t));    /* one line */
    /* A record alone over the request limit goes there too. */
    CU_ASSERT_EQUAL(send_n(1), 0);
    fi_stop(&fi);
    CU_ASSERT_EQUAL(out[0], SINK_REJECT);
    CU_ASSERT_EQUAL(stats.dead_lettered, 2);
    TU_ASSERT_HAS(slurp(path), "\"status\":413,\"error\":{\"type\":\"sluice_too_large\"");
    fi_free(&fi);
    unlink(path);
}

/* The file cannot be written (a directory stands where it should be
 * reopened): the open fails with the path, so no record can be lost to it. */
static void t_dead_letter_unwritable(void)
{
    set(NULL, "dead_letter", "/proc/nonexistent-dir/dead.ndjson");
    conf_hosts(1, 0);
    CU_ASSERT_EQUAL(sink_es.open(&state, &conf, "t", &stats, &err), SL_EIO);
    TU_ASSERT_HAS(err.msg, "cannot open the dead-letter file");
    TU_ASSERT_HAS(err.where, "/proc/nonexistent-dir/dead.ndjson");
    state = NULL;
}

/* A full disk under the dead-letter file: the rejected record is kept to
 * retry (RETRY), never confirmed and dropped. /dev/full refuses every write. */
static void t_dead_letter_full(void)
{
    static const int which[] = { 3, 0, 4, 5 };
    struct fi_step s[] = { { FI_REPLY, 200, fixture("bulk/os_mixed_filtered.json") } };

    set(NULL, "dead_letter", "/dev/full");
    make_recs(which, 4);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(4), 0);
    fi_stop(&fi);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[2], SINK_RETRY);
    CU_ASSERT_EQUAL(stats.dead_lettered, 0);
    CU_ASSERT_EQUAL(stats.rejected, 0);
    CU_ASSERT_EQUAL(stats.retried, 1);
    TU_ASSERT_HAS(log_text(), "cannot write rejected records to the dead-letter file, keeping them to retry");
    fi_free(&fi);
}

static void t_request_bytes(void)
{
    struct fi_step s[] = { { FI_REPLY, 200, ok3 } };
    struct sl_buf want;

    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    assert_all(3, SINK_DONE);
    CU_ASSERT_EQUAL_FATAL(fi.served, 1);
    {
        static const char line[] = "POST /_bulk?filter_path=errors,items.*._id,items.*.status,"
                                   "items.*.error.type,items.*.error.reason,items.*.failure_store"
                                   " HTTP/1.1\r\n";
        CU_ASSERT_EQUAL(strncmp(fi.head[0], line, sizeof line - 1), 0);
    }
    TU_ASSERT_HAS(fi.head[0], "\r\nContent-Type: application/x-ndjson\r\n");
    TU_ASSERT_HASNT(fi.head[0], "Expect:");
    TU_ASSERT_HASNT(fi.head[0], "Authorization:");
    TU_ASSERT_HASNT(fi.head[0], "Content-Encoding:");
    expected_body(&want, 3);
    CU_ASSERT_EQUAL(fi.body_len[0], want.len);
    TU_ASSERT_STR(fi.body[0], want.data);
    CU_ASSERT_EQUAL(fi.body[0][fi.body_len[0] - 1], '\n');
    TU_ASSERT_HAS(fi.body[0], "{\"create\":{\"_index\":\"logs-test\",\"_id\":\"AAAAAAAAAAAAAAAAAAAAA1\"}}\n{\"n\":1}\n");
    sl_buf_free(&want);
    fi_free(&fi);
}

static void t_basic_auth(void)
{
    struct fi_step s[] = { { FI_REPLY, 200, ok3 } };

    set(NULL, "username", "sluice");
    set(NULL, "password", "s3cret");
    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    CU_ASSERT_EQUAL_FATAL(fi.served, 1);
    TU_ASSERT_HAS(fi.head[0], "\r\nAuthorization: Basic c2x1aWNlOnMzY3JldA==\r\n");
    fi_free(&fi);
}

static void t_api_key(void)
{
    struct fi_step s[] = { { FI_REPLY, 200, ok3 } };

    set(NULL, "api_key", "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==");
    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    CU_ASSERT_EQUAL_FATAL(fi.served, 1);
    TU_ASSERT_HAS(fi.head[0], "\r\nAuthorization: ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==\r\n");
    fi_free(&fi);
}

static void t_401(void)
{
    struct fi_step s[] = {
        { FI_REPLY, 401, "{\"error\":{\"type\":\"security_exception\",\"reason\":\"unable to authenticate user [sluice]\"},\"status\":401}" },
        { FI_REPLY, 200, ok3 },
    };

    make_recs(first3, 3);
    start(s, 2);
    CU_ASSERT_EQUAL(send_n(3), SL_EAUTH);
    assert_all(3, SINK_RETRY);
    TU_ASSERT_HAS(err.msg, "username/password or api_key");
    TU_ASSERT_HAS(err.msg, "unable to authenticate user");
    CU_ASSERT_EQUAL(stats.failed_requests, 1);
    CU_ASSERT_EQUAL(stats.retried, 3);
    CU_ASSERT_EQUAL(stats.confirmed, 0);
    /* Once the cluster takes the credentials, the same records go through. */
    CU_ASSERT_EQUAL(send_n(3), 0);
    assert_all(3, SINK_DONE);
    fi_stop(&fi);
    CU_ASSERT_EQUAL(stats.confirmed, 3);
    fi_free(&fi);
}

static void t_reauth_new_password(void)
{
    struct fi_step s[] = {
        { FI_REPLY, 401, "Unauthorized" },
        { FI_REPLY, 200, ok3 },
        { FI_REPLY, 200, ok3 },
    };
    struct sink_cred good = { "sluice", "g00d", NULL };
    struct sink_cred key = { NULL, NULL, "a2V5OnNlY3JldA==" };

    set(NULL, "username", "sluice");
    set(NULL, "password", "wr0ng");
    make_recs(first3, 3);
    start(s, 3);
    CU_ASSERT_EQUAL(send_n(3), SL_EAUTH);
    /* The account is named, its password never. */
    TU_ASSERT_HAS(err.msg, "did not accept the password of user 'sluice'");
    TU_ASSERT_HASNT(err.msg, "wr0ng");
    CU_ASSERT_EQUAL(sink_es.reauth(state, &good, &err), 0);
    CU_ASSERT_EQUAL(send_n(3), 0);
    assert_all(3, SINK_DONE);
    /* Then an API key instead of a user: the Basic header goes. */
    CU_ASSERT_EQUAL(sink_es.reauth(state, &key, &err), 0);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    CU_ASSERT_EQUAL_FATAL(fi.served, 3);
    TU_ASSERT_HAS(fi.head[0], "\r\nAuthorization: Basic c2x1aWNlOndyMG5n\r\n");    /* sluice:wr0ng */
    TU_ASSERT_HAS(fi.head[1], "\r\nAuthorization: Basic c2x1aWNlOmcwMGQ=\r\n");    /* sluice:g00d */
    TU_ASSERT_HAS(fi.head[2], "\r\nAuthorization: ApiKey a2V5OnNlY3JldA==\r\n");
    TU_ASSERT_HASNT(fi.head[2], "Basic");
    /* The conf the sink was opened with is untouched (the sink has its own copy). */
    TU_ASSERT_STR(conf.password, "wr0ng");
    fi_free(&fi);
}

static void t_item_403_privilege_stops(void)
{
    struct fi_step s[] = {
        { FI_REPLY, 200, "{\"errors\":true,\"items\":[{\"create\":{\"status\":201}},"
          "{\"create\":{\"status\":403,\"error\":{\"type\":\"security_exception\",\"reason\":"
          "\"no permissions for [indices:admin/mapping/put]\"}}},{\"create\":{\"status\":201}}]}" },
    };

    set(NULL, "username", "sluice");
    set(NULL, "password", "pw");
    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(3), SL_EAUTH);
    assert_all(3, SINK_RETRY);
    TU_ASSERT_HAS(err.msg, "user 'sluice' lacks a privilege on index");
    TU_ASSERT_HAS(err.msg, "indices:admin/mapping/put");
    CU_ASSERT_EQUAL(stats.rejected, 0);
    fi_stop(&fi);
    fi_free(&fi);
}

/* ---- sluice check --connect: what the account may do (es_priv.c) ---- */

static struct sink_access acc;

/* Runs access against the injector serving the fixtures (NULL body: the
 * status alone, with "{}"); returns access's code. */
static int access_with(const int *status, const char *const *files, size_t n)
{
    struct fi_step s[FI_STEPS];
    char *text[FI_STEPS] = { 0 };
    int rc;

    for (size_t i = 0; i < n; i++) {
        text[i] = files[i] ? tu_read_file(tu_fixture(files[i]), NULL) : NULL;
        s[i] = (struct fi_step){ FI_REPLY, status[i], text[i] ? text[i] : "{}" };
    }
    fi_start(&fi, s, n);
    conf_hosts(fi.port, 0);
    sl_err_clear(&err);
    rc = sink_es.access(&conf, &acc, &err);
    fi_stop(&fi);
    for (size_t i = 0; i < n; i++)
        free(text[i]);
    return rc;
}

static void t_access_elasticsearch(void)
{
    static const int st[] = { 200, 200, 200 };
    static const char *const f[] = { "priv/es-root.json", "priv/es-authenticate-user.json",
                                      "priv/es-has-privileges-writer.json" };

    set(NULL, "username", "sluice_writer");
    set(NULL, "password", "pw");
    CU_ASSERT_EQUAL(access_with(st, f, 3), 0);
    CU_ASSERT_EQUAL_FATAL(fi.served, 3);
    TU_ASSERT_HAS(fi.head[0], "GET / HTTP/1.1");
    TU_ASSERT_HAS(fi.head[1], "GET /_security/_authenticate HTTP/1.1");
    TU_ASSERT_HAS(fi.head[1], "Authorization: Basic");
    TU_ASSERT_HAS(fi.head[2], "POST /_security/user/_has_privileges HTTP/1.1");
    TU_ASSERT_HAS(fi.head[2], "Content-Type: application/json");
    TU_ASSERT_STR(fi.body[2], "{\"cluster\":[\"all\"],\"index\":[{\"names\":[\"logs-syslog-default\"],"
                  "\"privileges\":[\"create_doc\",\"create\",\"index\",\"write\",\"all\","
                  "\"auto_configure\",\"create_index\"]}]}");
    TU_ASSERT_STR(acc.product, "elasticsearch");
    TU_ASSERT_STR(acc.account, "sluice_writer");
    TU_ASSERT_STR(acc.target, "logs-syslog-default");
    CU_ASSERT_EQUAL(acc.security, SINK_YES);
    CU_ASSERT_EQUAL(acc.can_write, SINK_YES);
    CU_ASSERT_EQUAL(acc.superuser, SINK_NO);
    fi_free(&fi);
}

static void t_access_opensearch_probe(void)
{
    static const int st[] = { 200, 200, 200 };
    static const char *const f[] = { "priv/os-root.json", "priv/os-authinfo-admin.json",
                                      "priv/os-probe-allowed.json" };
    char want[512];

    set(NULL, "index", "syslog-%Y.%m");
    CU_ASSERT_EQUAL(access_with(st, f, 3), 0);
    CU_ASSERT_EQUAL_FATAL(fi.served, 3);
    TU_ASSERT_HAS(fi.head[1], "GET /_plugins/_security/authinfo HTTP/1.1");
    TU_ASSERT_HAS(fi.head[2], "POST /_bulk?filter_path=");
    TU_ASSERT_HAS(fi.head[2], "Content-Type: application/x-ndjson");
    /* The probe goes to the index the sink writes now: this month's. */
    CU_ASSERT_EQUAL(strncmp(acc.target, "syslog-20", 9), 0);
    CU_ASSERT_EQUAL(strlen(acc.target), strlen("syslog-2026.11"));
    CU_ASSERT_EQUAL(es_priv_probe_body(acc.target, want, sizeof want), 0);
    TU_ASSERT_STR(fi.body[2], want);
    TU_ASSERT_STR(acc.product, "opensearch");
    TU_ASSERT_STR(acc.account, "admin");
    CU_ASSERT_EQUAL(acc.can_write, SINK_YES);
    CU_ASSERT_EQUAL(acc.superuser, SINK_YES);
    fi_free(&fi);
}

static void t_access_security_off_and_refused(void)
{
    static const int off[] = { 200, 405 };
    static const char *const f_off[] = { "priv/es-root.json", NULL };
    static const int refused[] = { 401 };
    static const char *const f_refused[] = { NULL };

    CU_ASSERT_EQUAL(access_with(off, f_off, 2), 0);
    CU_ASSERT_EQUAL(acc.security, SINK_NO);
    CU_ASSERT_EQUAL(acc.can_write, SINK_YES);
    TU_ASSERT_HAS(acc.detail, "HTTP 405");
    fi_free(&fi);
    sl_cfg_release(es_conf_rows, &conf);
    setup_conf();
    CU_ASSERT_EQUAL(access_with(refused, f_refused, 1), 0);
    CU_ASSERT_EQUAL(acc.security, SINK_YES);
    CU_ASSERT_EQUAL(acc.can_write, SINK_NO);
    TU_ASSERT_HAS(acc.detail, "HTTP 401");
    fi_free(&fi);
}

static void t_403(void)
{
    struct fi_step s[] = {
        { FI_REPLY, 403, "{\"error\":{\"type\":\"security_exception\",\"reason\":\"action [indices:data/write/bulk] is unauthorized\"},\"status\":403}" },
    };

    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(3), SL_EAUTH);
    fi_stop(&fi);
    assert_all(3, SINK_RETRY);
    TU_ASSERT_HAS(err.msg, "create_doc");
    fi_free(&fi);
}

static void t_503(void)
{
    struct fi_step s[] = {
        { FI_REPLY, 503, "{\"error\":{\"type\":\"cluster_block_exception\",\"reason\":\"blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];\"},\"status\":503}" },
        { FI_REPLY, 200, root_ok },
        { FI_REPLY, 200, ok3 },
    };

    make_recs(first3, 3);
    start(s, 3);
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);
    assert_all(3, SINK_RETRY);
    TU_ASSERT_HAS(err.msg, "HTTP 503");
    CU_ASSERT_EQUAL(stats.failed_requests, 1);
    /* The only host was set aside: it is probed before the records go again. */
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    assert_all(3, SINK_DONE);
    CU_ASSERT_EQUAL_FATAL(fi.served, 3);
    CU_ASSERT_EQUAL(strncmp(fi.head[1], "GET / HTTP/1.1\r\n", 16), 0);
    CU_ASSERT_EQUAL(strncmp(fi.head[2], "POST /_bulk?", 12), 0);
    fi_free(&fi);
}

static void t_429(void)
{
    struct fi_step s[] = {
        { FI_REPLY, 429, "{\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"rejected execution of coordinating operation\"},\"status\":429}" },
    };

    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(3), SL_EFULL);
    fi_stop(&fi);
    assert_all(3, SINK_RETRY);
    CU_ASSERT_EQUAL(stats.retried, 3);
    fi_free(&fi);
}

static void t_cut(void)
{
    struct fi_step s[] = { { FI_CUT, 200, ok3 }, { FI_REPLY, 200, root_ok },
                           { FI_REPLY, 200, ok3 } };

    make_recs(first3, 3);
    start(s, 3);
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);
    assert_all(3, SINK_RETRY);
    CU_ASSERT_EQUAL(stats.confirmed, 0);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    assert_all(3, SINK_DONE);
    CU_ASSERT_EQUAL(fi.accepts, 2);     /* the probe and the request share the new one */
    fi_free(&fi);
}

static void t_keepalive(void)
{
    struct fi_step s[] = { { FI_REPLY, 200, ok3 }, { FI_REPLY, 200, ok3 }, { FI_REPLY, 200, ok3 } };

    make_recs(first3, 3);
    start(s, 3);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(send_n(3), 0);
        assert_all(3, SINK_DONE);
    }
    fi_stop(&fi);
    CU_ASSERT_EQUAL(fi.served, 3);
    CU_ASSERT_EQUAL(fi.accepts, 1);
    CU_ASSERT_EQUAL(stats.requests, 3);
    fi_free(&fi);
}

static void t_rotation(void)
{
    struct fi_step s[] = { { FI_REPLY, 200, ok3 } };
    char dead[64];
    int port = refused_port();

    snprintf(dead, sizeof dead, "http://127.0.0.1:%d", port);
    make_recs(first3, 3);
    fi_start(&fi, s, 1);
    conf_hosts(port, fi.port);
    CU_ASSERT_EQUAL_FATAL(sink_es.open(&state, &conf, "t", &stats, &err), 0);
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);
    assert_all(3, SINK_RETRY);
    TU_ASSERT_STR(err.where, dead);
    CU_ASSERT_EQUAL(send_n(3), 0);
    assert_all(3, SINK_DONE);
    fi_stop(&fi);
    CU_ASSERT_EQUAL(fi.served, 1);
    CU_ASSERT_EQUAL(stats.requests, 2);
    CU_ASSERT_EQUAL(stats.failed_requests, 1);
    fi_free(&fi);
}

static void t_413(void)
{
    static const char too_big[] = "{\"error\":\"Request Entity Too Large\"}";
    struct fi_step s[] = { { FI_REPLY, 413, too_big }, { FI_REPLY, 413, too_big } };

    make_recs(first3, 3);
    start(s, 2);
    CU_ASSERT_EQUAL(send_n(3), SL_ETOOBIG);
    assert_all(3, SINK_RETRY);
    /* Alone, the record can never pass: it is rejected, not retried forever. */
    CU_ASSERT_EQUAL(send_n(1), 0);
    fi_stop(&fi);
    CU_ASSERT_EQUAL(out[0], SINK_REJECT);
    CU_ASSERT_EQUAL(stats.rejected, 1);
    TU_ASSERT_HAS(log_text(), "bulk item rejected index=logs-test id=AAAAAAAAAAAAAAAAAAAAA0");
    fi_free(&fi);
}

static void t_timeout(void)
{
    struct fi_step s[] = { { FI_STALL, 0, "" } };

    set(NULL, "timeout", "300ms");
    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);
    fi_stop(&fi);
    assert_all(3, SINK_RETRY);
    TU_ASSERT_HAS(err.msg, "timed out");
    fi_free(&fi);
}

static void t_gzip(void)
{
    struct fi_step s[] = { { FI_REPLY, 200, ok3 } };
    struct sl_buf want;
    char back[4096];
    z_stream z;

    set(NULL, "gzip", "true");
    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    assert_all(3, SINK_DONE);
    CU_ASSERT_EQUAL_FATAL(fi.served, 1);
    TU_ASSERT_HAS(fi.head[0], "\r\nContent-Encoding: gzip\r\n");
    memset(&z, 0, sizeof z);
    CU_ASSERT_EQUAL_FATAL(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)fi.body[0];
    z.avail_in = (uInt)fi.body_len[0];
    z.next_out = (Bytef *)back;
    z.avail_out = sizeof back - 1;
    CU_ASSERT_EQUAL(inflate(&z, Z_FINISH), Z_STREAM_END);
    back[sizeof back - 1 - z.avail_out] = '\0';
    inflateEnd(&z);
    expected_body(&want, 3);
    CU_ASSERT_STRING_EQUAL(back, want.data);
    CU_ASSERT_EQUAL(stats.bytes, fi.body_len[0]);
    sl_buf_free(&want);
    fi_free(&fi);
}

static void t_wrong_ids(void)
{
    static const int shuffled[] = { 0, 2, 1 };
    struct fi_step s[] = { { FI_REPLY, 200, fixture("bulk/mixed_statuses.json") } };

    make_recs(shuffled, 3);
    fi_start(&fi, s, 1);
    conf_hosts(fi.port, 0);
    CU_ASSERT_EQUAL_FATAL(sink_es.open(&state, &conf, "t", &stats, &err), 0);
    /* 5 items for 3 records: unusable. */
    CU_ASSERT_EQUAL(send_n(3), SL_EPROTO);
    fi_stop(&fi);
    assert_all(3, SINK_RETRY);
    fi_free(&fi);
    sink_es.close(state);
    state = NULL;

    /* Right count, wrong order: the ids give it away. */
    {
        static const char answer[] =
            "{\"errors\":true,\"items\":[{\"create\":{\"_id\":\"AAAAAAAAAAAAAAAAAAAAA0\",\"status\":201}},"
            "{\"create\":{\"_id\":\"AAAAAAAAAAAAAAAAAAAAA1\",\"status\":400}},"
            "{\"create\":{\"_id\":\"AAAAAAAAAAAAAAAAAAAAA2\",\"status\":201}}]}";
        struct fi_step s2[] = { { FI_REPLY, 200, answer } };

        fi_start(&fi, s2, 1);
        sl_cfg_release(es_conf_rows, &conf);
        setup_conf();
        conf_hosts(fi.port, 0);
        CU_ASSERT_EQUAL_FATAL(sink_es.open(&state, &conf, "t", &stats, &err), 0);
        CU_ASSERT_EQUAL(send_n(3), SL_EPROTO);
        fi_stop(&fi);
        assert_all(3, SINK_RETRY);
        TU_ASSERT_HAS(err.msg, "bulk item 1 answers id AAAAAAAAAAAAAAAAAAAAA1, the record is AAAAAAAAAAAAAAAAAAAAA2");
        CU_ASSERT_EQUAL(stats.rejected, 0);
        fi_free(&fi);
    }
}

static void t_request_400(void)
{
    struct fi_step s[] = { { FI_REPLY, 400, fixture("bulk/os_400_no_final_newline.json") } };

    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(3), SL_EPROTO);
    fi_stop(&fi);
    assert_all(3, SINK_RETRY);
    TU_ASSERT_HAS(err.msg, "unexpected HTTP 400");
    TU_ASSERT_HAS(err.msg, "must be terminated by a newline");
    fi_free(&fi);
}

static void t_item_retry_logged_once(void)
{
    static const char some_429[] =
        "{\"errors\":true,\"items\":[{\"create\":{\"_id\":\"AAAAAAAAAAAAAAAAAAAAA0\",\"status\":201}},"
        "{\"create\":{\"_id\":\"AAAAAAAAAAAAAAAAAAAAA1\",\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"queue full\"}}},"
        "{\"create\":{\"_id\":\"AAAAAAAAAAAAAAAAAAAAA2\",\"status\":201}}]}";
    struct fi_step s[] = { { FI_REPLY, 200, some_429 }, { FI_REPLY, 200, some_429 },
                           { FI_REPLY, 200, ok3 } };
    const char *l, *first;

    make_recs(first3, 3);
    start(s, 3);
    CU_ASSERT_EQUAL(send_n(3), 0);
    CU_ASSERT_EQUAL(out[1], SINK_RETRY);
    CU_ASSERT_EQUAL(send_n(3), 0);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    assert_all(3, SINK_DONE);
    l = log_text();
    first = strstr(l, "bulk items to retry retry=1 records=3 no_status=0 status=429 "
                   "type=es_rejected_execution_exception");
    CU_ASSERT_PTR_NOT_NULL(first);
    CU_ASSERT_PTR_NULL(first ? strstr(first + 1, "bulk items to retry") : NULL);
    TU_ASSERT_HAS(l, "bulk items accepted again after requests_with_retries=2");
    CU_ASSERT_EQUAL(stats.retried, 2);
    CU_ASSERT_EQUAL(stats.confirmed, 7);
    fi_free(&fi);
}

/* ---- several hosts: set aside, probed, back ---- */

static int count_of(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Drives the sink with nothing in flight (its background probes and
 * discovery) until host k is in state, or FI_WAIT_MS passed. */
static int pump_until(size_t k, int state_want)
{
    struct sink_answer a;
    uint64_t until = sl_clock_mono_ms() + FI_WAIT_MS;

    while (sl_clock_mono_ms() < until) {
        sink_es.poll(state, 0, &a);
        if (atomic_load(&stats.nhosts) > k && atomic_load(&stats.host[k].state) == state_want)
            return 0;
        usleep(2000);
    }
    return -1;
}

static void open_two(const struct fi_step *sa, size_t na, const struct fi_step *sb, size_t nb)
{
    fi_start(&fi, sa, na);
    fi_start(&fi2, sb, nb);
    conf_hosts(fi.port, fi2.port);
    CU_ASSERT_EQUAL_FATAL(sink_es.open(&state, &conf, "t", &stats, &err), 0);
}

static void t_set_aside(void)
{
    struct fi_step sa[] = { { FI_REPLY, 503, "{\"error\":\"overloaded\"}" } };
    struct fi_step sb[] = { { FI_REPLY, 200, ok3 }, { FI_REPLY, 200, ok3 }, { FI_REPLY, 200, ok3 } };
    char a_url[64], want[160];

    set("host_backoff", "initial", "1m");
    set("host_backoff", "max", "1m");
    make_recs(first3, 3);
    open_two(sa, 1, sb, 3);
    snprintf(a_url, sizeof a_url, "http://127.0.0.1:%d", fi.port);
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);
    TU_ASSERT_STR(err.where, a_url);
    /* A is aside for a minute: every request goes to B. */
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(send_n(3), 0);
        assert_all(3, SINK_DONE);
    }
    sink_es.close(state);
    state = NULL;
    fi_stop(&fi);
    fi_stop(&fi2);
    CU_ASSERT_EQUAL(fi.served, 1);
    CU_ASSERT_EQUAL(fi2.served, 3);
    CU_ASSERT_EQUAL(atomic_load(&stats.nhosts), 2);
    TU_ASSERT_STR(stats.host[0].url, a_url);
    CU_ASSERT_EQUAL(stats.host[0].requests, 1);
    CU_ASSERT_EQUAL(stats.host[0].failures, 1);
    CU_ASSERT_EQUAL(stats.host[0].probes, 0);
    CU_ASSERT_EQUAL(stats.host[0].state, SINK_HOST_ASIDE);
    CU_ASSERT_EQUAL(stats.host[1].requests, 3);
    CU_ASSERT_EQUAL(stats.host[1].failures, 0);
    CU_ASSERT_EQUAL(stats.host[1].state, SINK_HOST_UP);
    CU_ASSERT_EQUAL(stats.host[1].discovered, 0);
    CU_ASSERT_EQUAL(stats.requests, 4);
    CU_ASSERT_EQUAL(stats.failed_requests, 1);
    snprintf(want, sizeof want, "host set aside url=%s reason=\"HTTP 503: {\"error\":\"overloaded\"}\" "
             "probe_in_ms=", a_url);
    TU_ASSERT_HAS(log_text(), want);
    TU_ASSERT_HAS(log_text(), "hosts_up=1/2");
    CU_ASSERT_EQUAL(count_of(log_text(), "host set aside"), 1);
    fi_free(&fi);
    fi_free(&fi2);
}

static void t_probe_before_reuse(void)
{
    struct fi_step sa[] = { { FI_REPLY, 503, "{}" }, { FI_REPLY, 200, root_ok },
                            { FI_REPLY, 200, ok3 } };
    struct fi_step sb[] = { { FI_REPLY, 200, ok3 }, { FI_REPLY, 200, ok3 } };
    char want[128];

    set("host_backoff", "initial", "20ms");
    set("host_backoff", "max", "20ms");
    make_recs(first3, 3);
    open_two(sa, 3, sb, 2);
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);
    CU_ASSERT_EQUAL(send_n(3), 0);          /* B */
    usleep(30000);                          /* A's backoff (10..20 ms) is over */
    CU_ASSERT_EQUAL_FATAL(pump_until(0, SINK_HOST_UP), 0);
    CU_ASSERT_EQUAL(stats.host[0].probes, 1);
    CU_ASSERT_EQUAL(send_n(3), 0);          /* A again, round robin */
    assert_all(3, SINK_DONE);
    CU_ASSERT_EQUAL(send_n(3), 0);          /* B */
    sink_es.close(state);
    state = NULL;
    fi_stop(&fi);
    fi_stop(&fi2);
    CU_ASSERT_EQUAL_FATAL(fi.served, 3);
    CU_ASSERT_EQUAL(strncmp(fi.head[0], "POST /_bulk?", 12), 0);
    CU_ASSERT_EQUAL(strncmp(fi.head[1], "GET / HTTP/1.1\r\n", 16), 0);
    CU_ASSERT_EQUAL(strncmp(fi.head[2], "POST /_bulk?", 12), 0);
    CU_ASSERT_EQUAL(fi2.served, 2);
    CU_ASSERT_EQUAL(stats.host[0].requests, 2);
    CU_ASSERT_EQUAL(stats.host[0].probe_failures, 0);
    CU_ASSERT_EQUAL(stats.host[0].state, SINK_HOST_UP);
    snprintf(want, sizeof want, "host back in service url=http://127.0.0.1:%d aside_ms=", fi.port);
    TU_ASSERT_HAS(log_text(), want);
    TU_ASSERT_HAS(log_text(), "failed_probes=0 hosts_up=2/2");
    fi_free(&fi);
    fi_free(&fi2);
}

static void t_probe_does_not_block(void)
{
    /* A's probe gets no answer (its timeout is 5 s); B's requests go on meanwhile. */
    struct fi_step sa[] = { { FI_REPLY, 503, "{}" }, { FI_STALL, 0, "" } };
    struct fi_step sb[] = { { FI_REPLY, 200, ok3 }, { FI_REPLY, 200, ok3 } };
    uint64_t t0;

    set("host_backoff", "initial", "20ms");
    set("host_backoff", "max", "20ms");
    make_recs(first3, 3);
    open_two(sa, 2, sb, 2);
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);
    usleep(30000);
    t0 = sl_clock_mono_ms();
    CU_ASSERT_EQUAL(send_n(3), 0);          /* starts A's probe, goes to B */
    CU_ASSERT_EQUAL(stats.host[0].state, SINK_HOST_PROBING);
    CU_ASSERT_EQUAL(send_n(3), 0);          /* A still probing: B again */
    CU_ASSERT(sl_clock_mono_ms() - t0 < 2500);
    CU_ASSERT_EQUAL(stats.host[0].state, SINK_HOST_PROBING);
    CU_ASSERT_EQUAL(stats.host[1].requests, 2);
    sink_es.close(state);                   /* ends the stalled probe */
    state = NULL;
    fi_stop(&fi);
    fi_stop(&fi2);
    CU_ASSERT_EQUAL(fi.served, 2);
    CU_ASSERT_EQUAL(fi2.served, 2);
    fi_free(&fi);
    fi_free(&fi2);
}

static void t_all_down_one_host(void)
{
    struct fi_step s[] = { { FI_REPLY, 503, "{}" }, { FI_REPLY, 503, "{}" },
                           { FI_REPLY, 200, root_ok }, { FI_REPLY, 200, ok3 } };

    set("host_backoff", "initial", "1m");
    set("host_backoff", "max", "1m");
    make_recs(first3, 3);
    start(s, 4);
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);
    /* Every host is aside: the request waits for a probe of the soonest,
     * which fails, so the request fails and delivery backs off. */
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);
    assert_all(3, SINK_RETRY);
    TU_ASSERT_HAS(err.msg, "no host is reachable: all 1 set aside; http://127.0.0.1:");
    TU_ASSERT_HAS(err.msg, "GET /: HTTP 503");
    /* The next attempt probes again; the host answers and gets the records. */
    CU_ASSERT_EQUAL(send_n(3), 0);
    assert_all(3, SINK_DONE);
    fi_stop(&fi);
    CU_ASSERT_EQUAL_FATAL(fi.served, 4);
    CU_ASSERT_EQUAL(strncmp(fi.head[1], "GET / ", 6), 0);
    CU_ASSERT_EQUAL(strncmp(fi.head[2], "GET / ", 6), 0);
    CU_ASSERT_EQUAL(strncmp(fi.head[3], "POST /_bulk?", 12), 0);
    CU_ASSERT_EQUAL(stats.failed_requests, 2);
    CU_ASSERT_EQUAL(stats.requests, 2);     /* the failed probe sent no bulk request */
    CU_ASSERT_EQUAL(stats.host[0].failures, 1);
    CU_ASSERT_EQUAL(stats.host[0].probes, 2);
    CU_ASSERT_EQUAL(stats.host[0].probe_failures, 1);
    CU_ASSERT_EQUAL(stats.host[0].state, SINK_HOST_UP);
    CU_ASSERT_EQUAL(count_of(log_text(), "host set aside"), 1);
    CU_ASSERT_EQUAL(count_of(log_text(), "host back in service"), 1);
    TU_ASSERT_HAS(log_text(), "failed_probes=1 hosts_up=1/1");
    fi_free(&fi);
}

static void t_all_down_two_hosts(void)
{
    struct fi_step sb[] = { { FI_REPLY, 502, "{}" }, { FI_REPLY, 200, root_ok },
                            { FI_REPLY, 200, ok3 } };
    int port = refused_port(), rc = -1, tries = 0;

    /* Both wait 30..60 s; a failed probe doubles that to 60..120 s, so
     * after at most one probe of the refused host, B is the soonest. */
    set("host_backoff", "initial", "1m");
    set("host_backoff", "max", "1h");
    make_recs(first3, 3);
    fi_start(&fi, sb, 3);
    conf_hosts(port, fi.port);
    CU_ASSERT_EQUAL_FATAL(sink_es.open(&state, &conf, "t", &stats, &err), 0);
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);    /* refused */
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);    /* 502 */
    CU_ASSERT_EQUAL(count_of(log_text(), "host set aside"), 2);
    TU_ASSERT_HAS(log_text(), "hosts_up=0/2");
    while (rc && tries++ < 3)
        rc = send_n(3);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(tries <= 2);
    assert_all(3, SINK_DONE);
    fi_stop(&fi);
    CU_ASSERT_EQUAL_FATAL(fi.served, 3);
    CU_ASSERT_EQUAL(strncmp(fi.head[1], "GET / ", 6), 0);
    CU_ASSERT_EQUAL(stats.host[0].state, SINK_HOST_ASIDE);
    CU_ASSERT_EQUAL(stats.host[1].state, SINK_HOST_UP);
    CU_ASSERT_EQUAL(stats.host[1].requests, 2);
    fi_free(&fi);
}

static void t_discovery(void)
{
    static char nodes[1024];
    struct fi_step sa[] = { { FI_REPLY, 200, nodes }, { FI_REPLY, 200, ok3 } };
    struct fi_step sb[] = { { FI_REPLY, 200, root_ok }, { FI_REPLY, 200, ok3 } };
    char want[128];

    set(NULL, "discover", "true");
    make_recs(first3, 3);
    fi_start(&fi2, sb, 2);
    /* A lists itself, B, and a master-only node (never sent to). */
    fi_start(&fi, sa, 2);
    snprintf(nodes, sizeof nodes, "{\"nodes\":{"
             "\"a\":{\"roles\":[\"data\",\"ingest\"],\"http\":{\"publish_address\":\"127.0.0.1:%d\"}},"
             "\"b\":{\"http\":{\"publish_address\":\"127.0.0.1:%d\"},\"roles\":[\"data\"]},"
             "\"m\":{\"roles\":[\"cluster_manager\"],\"http\":{\"publish_address\":\"10.9.9.9:9200\"}}}}",
             fi.port, fi2.port);
    conf_hosts(fi.port, 0);
    CU_ASSERT_EQUAL_FATAL(sink_es.open(&state, &conf, "t", &stats, &err), 0);
    CU_ASSERT_EQUAL_FATAL(pump_until(1, SINK_HOST_UP), 0);
    CU_ASSERT_EQUAL(atomic_load(&stats.nhosts), 2);
    snprintf(want, sizeof want, "http://127.0.0.1:%d", fi2.port);
    TU_ASSERT_STR(stats.host[1].url, want);
    CU_ASSERT_EQUAL(stats.host[1].discovered, 1);
    CU_ASSERT_EQUAL(send_n(3), 0);
    CU_ASSERT_EQUAL(send_n(3), 0);
    sink_es.close(state);
    state = NULL;
    fi_stop(&fi);
    fi_stop(&fi2);
    CU_ASSERT_EQUAL_FATAL(fi.served, 2);
    CU_ASSERT_EQUAL(strncmp(fi.head[0], "GET /" ES_NODES_PATH " HTTP/1.1\r\n",
                            strlen("GET /" ES_NODES_PATH " HTTP/1.1\r\n")), 0);
    CU_ASSERT_EQUAL(strncmp(fi.head[1], "POST /_bulk?", 12), 0);
    CU_ASSERT_EQUAL_FATAL(fi2.served, 2);
    CU_ASSERT_EQUAL(strncmp(fi2.head[0], "GET / ", 6), 0);
    CU_ASSERT_EQUAL(strncmp(fi2.head[1], "POST /_bulk?", 12), 0);
    snprintf(want, sizeof want, "host discovered url=http://127.0.0.1:%d", fi2.port);
    TU_ASSERT_HAS(log_text(), want);
    TU_ASSERT_HAS(log_text(), "discovered host in service");
    TU_ASSERT_HASNT(log_text(), "10.9.9.9");
    fi_free(&fi);
    fi_free(&fi2);
}

static void t_discovery_refused(void)
{
    struct fi_step s[] = {
        { FI_REPLY, 403, "{\"error\":{\"type\":\"security_exception\"},\"status\":403}" },
        { FI_REPLY, 200, ok3 },
    };
    struct sink_answer a;
    uint64_t until = sl_clock_mono_ms() + FI_WAIT_MS;

    set(NULL, "discover", "true");
    make_recs(first3, 3);
    start(s, 2);
    while (!strstr(log_text(), "discovery failed") && sl_clock_mono_ms() < until) {
        sink_es.poll(state, 0, &a);
        usleep(2000);
    }
    TU_ASSERT_HAS(log_text(), "discovery failed url=http://127.0.0.1:");
    TU_ASSERT_HAS(log_text(), "reason=\"GET /_nodes/http: HTTP 403 (discovery needs the cluster "
                  "privilege monitor)\"");
    /* The configured host stays and takes the records. */
    CU_ASSERT_EQUAL(send_n(3), 0);
    assert_all(3, SINK_DONE);
    fi_stop(&fi);
    CU_ASSERT_EQUAL(atomic_load(&stats.nhosts), 1);
    CU_ASSERT_EQUAL(stats.host[0].state, SINK_HOST_UP);
    fi_free(&fi);
}

static void add_url(void *arg, const char *url)
{
    struct sl_buf *b = arg;

    sl_buf_puts(b, url);
    sl_buf_putc(b, ' ');
}

static void t_nodes_parse(void)
{
    /* Unfiltered, keys in another order, a name before the address, IPv6,
     * a voting-only master (skipped) and a node without http. */
    static const char full[] =
        "{\"_nodes\":{\"total\":4,\"successful\":4,\"failed\":0},\"cluster_name\":\"c\","
        "\"nodes\":{"
        "\"x1\":{\"name\":\"n1\",\"roles\":[\"data\",\"master\"],\"http\":{\"bound_address\":"
        "[\"[::]:9200\"],\"publish_address\":\"es1.example/10.0.0.1:9200\","
        "\"max_content_length_in_bytes\":104857600}},"
        "\"x2\":{\"http\":{\"publish_address\":\"[fd00::2]:9201\"},\"roles\":[]},"
        "\"x3\":{\"roles\":[\"master\",\"voting_only\"],\"http\":{\"publish_address\":\"10.0.0.3:9200\"}},"
        "\"x4\":{\"roles\":[\"data\"],\"attributes\":{\"k\":\"v}\\\"\"}}}}";
    static const char *const bad[] = { "", "[]", "{\"nodes\":{\"x\":[]}}", "{\"nodes\":{\"x\":{",
                                       "{\"nodes\" 1}", NULL };
    struct sl_buf b;
    char u[64];

    sl_buf_init(&b, 256, 4096);
    CU_ASSERT_EQUAL(es_nodes_parse(full, strlen(full), "https", add_url, &b), 4);
    TU_ASSERT_STR(b.data, "https://es1.example:9200 https://[fd00::2]:9201 ");
    sl_buf_reset(&b);
    CU_ASSERT_EQUAL(es_nodes_parse("{}", 2, "http", add_url, &b), 0);
    for (size_t i = 0; bad[i]; i++)
        CU_ASSERT_EQUAL(es_nodes_parse(bad[i], strlen(bad[i]), "http", add_url, &b), -1);
    CU_ASSERT_EQUAL(b.len, 0);
    sl_buf_free(&b);
    CU_ASSERT_EQUAL(es_nodes_url("1.2.3.4:9200", 12, "http", u, sizeof u), 0);
    TU_ASSERT_STR(u, "http://1.2.3.4:9200");
    CU_ASSERT_EQUAL(es_nodes_url("/1.2.3.4:9201", 13, "http", u, sizeof u), 0);
    TU_ASSERT_STR(u, "http://1.2.3.4:9201");
    CU_ASSERT_EQUAL(es_nodes_url("es1/[::1]:9200", 14, "https", u, sizeof u), 0);
    TU_ASSERT_STR(u, "https://es1:9200");
    CU_ASSERT_EQUAL(es_nodes_url("es1:", 4, "http", u, sizeof u), -1);
    CU_ASSERT_EQUAL(es_nodes_url("es1", 3, "http", u, sizeof u), -1);
    CU_ASSERT_EQUAL(es_nodes_url("es1:92x0", 8, "http", u, sizeof u), -1);
    CU_ASSERT_EQUAL(es_nodes_url("u@es1:9200", 10, "http", u, sizeof u), -1);
    CU_ASSERT_EQUAL(es_nodes_url("1.2.3.4:9200", 12, "http", u, 10), -1);
    /* The next good one still works. */
    CU_ASSERT_EQUAL(es_nodes_url("h:1", 3, "http", u, sizeof u), 0);
    TU_ASSERT_STR(u, "http://h:1");
}

/* ---- config ---- */

static void t_defaults(void)
{
    struct sink_batch b;

    CU_ASSERT_EQUAL(conf.max_docs, 5000);
    CU_ASSERT_EQUAL(conf.max_bytes, 5u * 1024 * 1024);
    CU_ASSERT_EQUAL(conf.max_wait_ms, 1000);
    CU_ASSERT_EQUAL(conf.op_type, ES_OP_CREATE);
    CU_ASSERT_EQUAL(conf.tls_verify, 1);
    CU_ASSERT_EQUAL(conf.gzip, 0);
    CU_ASSERT_EQUAL(conf.retry_initial_ms, 100);
    CU_ASSERT_EQUAL(conf.retry_max_ms, 30000);
    CU_ASSERT_EQUAL(conf.host_backoff_initial_ms, 1000);
    CU_ASSERT_EQUAL(conf.host_backoff_max_ms, 60000);
    CU_ASSERT_EQUAL(conf.discover, 0);
    CU_ASSERT_EQUAL(conf.discover_interval_ms, 300000);
    TU_ASSERT_STR(conf.index, "logs-syslog-default");
    TU_ASSERT_STR(sink_es.index(&conf), "logs-syslog-default");
    memset(&conf.timeout_ms, 0, sizeof conf.timeout_ms);
    set(NULL, "timeout", "30s");
    CU_ASSERT_EQUAL(conf.timeout_ms, 30000);
    sink_es.batch(&conf, &b);
    CU_ASSERT_EQUAL(b.max_docs, 5000);
    CU_ASSERT_EQUAL(b.max_bytes, 5u * 1024 * 1024);
    CU_ASSERT_EQUAL(b.max_wait_ms, 1000);
    CU_ASSERT_EQUAL(b.retry_initial_ms, 100);
    CU_ASSERT_EQUAL(b.retry_max_ms, 30000);
    CU_ASSERT_EQUAL(conf.concurrency, 1);
    CU_ASSERT_EQUAL(b.concurrency, 1);
    CU_ASSERT_NOT_EQUAL(sl_cfg_set_scalar(sl_cfg_find(es_conf_rows, "concurrency"), &conf, "0",
                                          "x", &err), 0);
    CU_ASSERT_NOT_EQUAL(sl_cfg_set_scalar(sl_cfg_find(es_conf_rows, "concurrency"), &conf, "65",
                                          "x", &err), 0);
    set(NULL, "concurrency", "64");
    sink_es.batch(&conf, &b);
    CU_ASSERT_EQUAL(b.concurrency, 64);
    /* Bounds come from the rows. */
    CU_ASSERT_NOT_EQUAL(sl_cfg_set_scalar(sl_cfg_find(sl_cfg_find(es_conf_rows, "batch")->sub,
                                                      "max_docs"), &conf, "100001", "x", &err), 0);
    CU_ASSERT_NOT_EQUAL(sl_cfg_set_scalar(sl_cfg_find(es_conf_rows, "op_type"), &conf, "upsert",
                                          "x", &err), 0);
    set(NULL, "op_type", "index");
    CU_ASSERT_EQUAL(conf.op_type, ES_OP_INDEX);
}

static void t_validate(void)
{
    conf_hosts(9200, 0);
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), 0);
    set("tls", "verify", "false");
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), 0);
    set(NULL, "password", "x");
    sl_free(conf.hosts.v[0]);
    conf.hosts.v[0] = sl_strdup("es1:9200");
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), SL_ECONFIG);
    TU_ASSERT_HAS(err.msg, "password without username");
    TU_ASSERT_HAS(err.msg, "'es1:9200' is not http://host:port");
    sl_free(conf.hosts.v[0]);
    conf.hosts.v[0] = sl_strdup("https://u:p@es1:9200");
    set(NULL, "username", "u");
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), SL_ECONFIG);
    TU_ASSERT_HASNT(err.msg, "password without username");
    TU_ASSERT_HAS(err.msg, "credentials go in username/password");
    /* The next good config still passes. */
    sl_free(conf.hosts.v[0]);
    conf.hosts.v[0] = sl_strdup("https://es1:9200/");
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), 0);
    set(NULL, "api_key", "k");
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), SL_ECONFIG);
    TU_ASSERT_HAS(err.msg, "api_key and username");
    set("host_backoff", "initial", "2m");
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), SL_ECONFIG);
    TU_ASSERT_HAS(err.msg, "host_backoff.initial is longer than host_backoff.max");
    set("host_backoff", "initial", "1s");
    sl_free(conf.api_key);
    conf.api_key = NULL;
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), 0);
    /* 65 hosts: one more than the per-host state holds. */
    for (size_t i = 0; i < conf.hosts.n; i++)
        sl_free(conf.hosts.v[i]);
    sl_free(conf.hosts.v);
    conf.hosts.v = sl_calloc(SL_SINK_HOSTS_LIMIT + 1, sizeof *conf.hosts.v);
    conf.hosts.n = SL_SINK_HOSTS_LIMIT + 1;
    for (size_t i = 0; i < conf.hosts.n; i++)
        conf.hosts.v[i] = sl_strdup("http://es1:9200");
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), SL_ECONFIG);
    TU_ASSERT_HAS(err.msg, "hosts: 65 addresses, at most 64");
}

static void t_types(void)
{
    const struct sink_type *es = sink_type_find("elasticsearch");
    const struct sink_type *os = sink_type_find("opensearch");

    CU_ASSERT_PTR_EQUAL(es, &sink_es);
    CU_ASSERT_PTR_EQUAL(os, &sink_opensearch);
    CU_ASSERT_PTR_EQUAL(os->rows, es->rows);
    CU_ASSERT_PTR_EQUAL(os->send, es->send);
    CU_ASSERT_PTR_NULL(sink_type_find("kafka"));
    sink_es.close(NULL);
}

static int suite_init(void)
{
    /* Tests talk to 127.0.0.1 directly, whatever proxy the environment names. */
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    log_file = tmpfile();
    if (!log_file)
        return 1;
    sl_log_set_stream(log_file);
    sl_log_set_level(SL_LOG_INFO);
    return 0;
}

static int suite_cleanup(void)
{
    sl_log_set_stream(NULL);
    if (log_file)
        fclose(log_file);
    sl_free(fixture_text);
    fixture_text = NULL;
    return 0;
}

/* ---- a gate: answers nothing until GATE_N requests are open at once ----
 * Each round it collects one request per connection, from GATE_N
 * connections, then answers them newest first; a client that sends one at a
 * time never gets past the first request (it times out instead). */

#define GATE_N      4
#define GATE_ROUNDS 2

static struct {
    int lfd, port;
    pthread_t th;
    int conns[GATE_N];
    int nconns, accepts, served, gzipped, max_open;
    int rounds_done;
} G;

static void *gate_main(void *arg)
{
    static const char item[] = "{\"create\":{\"status\":201}}";
    for (int round = 0; round < GATE_ROUNDS; round++) {
        int got[GATE_N] = { 0 }, ngot = 0;
        uint64_t until = sl_clock_mono_ms() + FI_WAIT_MS;

        while (ngot < GATE_N && sl_clock_mono_ms() < until) {
            struct pollfd p[GATE_N + 1];
            int np = 0;

            p[np++] = (struct pollfd){ G.lfd, POLLIN, 0 };
            for (int i = 0; i < G.nconns; i++)
                p[np++] = (struct pollfd){ got[i] ? -1 : G.conns[i], POLLIN, 0 };
            if (poll(p, (nfds_t)np, 100) <= 0)
                continue;
            if ((p[0].revents & POLLIN) && G.nconns < GATE_N) {
                int c = accept(G.lfd, NULL, NULL);
                if (c >= 0) {
                    G.conns[G.nconns++] = c;
                    G.accepts++;
                }
            }
            for (int i = 0; i + 1 < np; i++) {
                char *head, *body;
                size_t blen;

                if (!(p[i + 1].revents & (POLLIN | POLLHUP)) || got[i])
                    continue;
                if (fi_read_request(G.conns[i], &head, &body, &blen) == 0) {
                    got[i] = 1;
                    ngot++;
                    G.gzipped += strcasestr(head, "content-encoding: gzip") != NULL;
                    sl_free(head);
                    sl_free(body);
                }
            }
            if (ngot > G.max_open)
                G.max_open = ngot;
        }
        if (ngot < GATE_N)
            break;
        /* Two records per request: two items. */
        for (int i = GATE_N - 1; i >= 0; i--) {
            char resp[512];
            int blen = snprintf(resp, sizeof resp, "{\"errors\":false,\"items\":[%s,%s]}", item,
                                item);
            char msg[768];
            int n = snprintf(msg, sizeof msg, "HTTP/1.1 200 OK\r\nContent-Type: "
                             "application/json\r\nContent-Length: %d\r\n\r\n%s", blen, resp);
            fi_send(G.conns[i], msg, (size_t)n);
            G.served++;
        }
        G.rounds_done++;
    }
    /* Hold the connections until the client closes them (keep-alive). */
    for (int i = 0; i < G.nconns; i++) {
        fi_wait(G.conns[i]);
        close(G.conns[i]);
    }
    return NULL;
}

static void concurrent(int gzip)
{
    static char idv[GATE_N * 2][SL_ID_LEN + 1];
    struct sl_rec r[GATE_N * 2];
    enum sink_verdict v[GATE_N * 2];
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    struct sink_answer ans;

    memset(&G, 0, sizeof G);
    G.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CU_ASSERT_FATAL(bind(G.lfd, (struct sockaddr *)&a, sizeof a) == 0);
    CU_ASSERT_FATAL(listen(G.lfd, 8) == 0);
    CU_ASSERT_FATAL(getsockname(G.lfd, (struct sockaddr *)&a, &al) == 0);
    G.port = ntohs(a.sin_port);
    CU_ASSERT_FATAL(pthread_create(&G.th, NULL, gate_main, NULL) == 0);
    set(NULL, "concurrency", "4");
    if (gzip)
        set(NULL, "gzip", "true");
    conf_hosts(G.port, 0);
    CU_ASSERT_EQUAL_FATAL(sink_es.open(&state, &conf, "t", &stats, &err), 0);
    for (int i = 0; i < GATE_N * 2; i++) {
        snprintf(idv[i], sizeof idv[i], "GATEGATEGATEGATEGATE%02d", i);
        r[i] = (struct sl_rec){ .id = idv[i], .index = "logs-test", .index_len = 9,
                                .doc = "{\"n\":1}", .doc_len = 7 };
    }
    for (int round = 0; round < GATE_ROUNDS; round++) {
        unsigned seen = 0;
        uint64_t until = sl_clock_mono_ms() + 2 * FI_WAIT_MS;

        for (int i = 0; i < 2 * GATE_N; i++)
            v[i] = (enum sink_verdict)99;
        for (int k = 0; k < GATE_N; k++)
            CU_ASSERT_EQUAL(sink_es.submit(state, r + 2 * k, 2, v + 2 * k, (uint64_t)k), 0);
        /* A fifth is refused: concurrency is 4. */
        CU_ASSERT_EQUAL(sink_es.submit(state, r, 2, v, 9), SL_EFULL);
        for (int got = 0; got < GATE_N && sl_clock_mono_ms() < until;) {
            if (sink_es.poll(state, 100, &ans) != 1)
                continue;
            CU_ASSERT_EQUAL(ans.rc, 0);
            CU_ASSERT(ans.token < GATE_N);
            if (ans.token < GATE_N)
                seen |= 1u << ans.token;
            got++;
        }
        CU_ASSERT_EQUAL(seen, (1u << GATE_N) - 1);
        for (int i = 0; i < 2 * GATE_N; i++)
            CU_ASSERT_EQUAL(v[i], SINK_DONE);
    }
    sink_es.close(state);
    state = NULL;
    pthread_join(G.th, NULL);
    close(G.lfd);
    CU_ASSERT_EQUAL(G.max_open, GATE_N);
    CU_ASSERT_EQUAL(G.rounds_done, GATE_ROUNDS);
    CU_ASSERT_EQUAL(G.served, GATE_N * GATE_ROUNDS);
    CU_ASSERT_EQUAL(G.accepts, GATE_N);         /* the second round reused the connections */
    CU_ASSERT_EQUAL(G.gzipped, gzip ? GATE_N * GATE_ROUNDS : 0);
    CU_ASSERT_EQUAL(atomic_load(&stats.requests), GATE_N * GATE_ROUNDS);
    CU_ASSERT_EQUAL(atomic_load(&stats.confirmed), 2 * GATE_N * GATE_ROUNDS);
}

static void t_concurrent(void)
{
    concurrent(0);
}

static void t_concurrent_gzip(void)
{
    concurrent(1);
}

static void t_drop(void)
{
    /* A stalled answer is dropped: poll reports nothing afterwards and
     * the slot takes a new request. */
    struct fi_step s[] = { { FI_STALL, 0, "" } };
    struct sink_answer ans;

    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(sink_es.submit(state, recs, 3, out, 7), 0);
    CU_ASSERT_EQUAL(sink_es.poll(state, 50, &ans), 0);
    sink_es.drop(state);
    CU_ASSERT_EQUAL(sink_es.poll(state, 10, &ans), 0);
    CU_ASSERT_EQUAL(sink_es.submit(state, recs, 3, out, 8), 0);
    sink_es.drop(state);
    sink_es.close(state);
    state = NULL;
    fi_stop(&fi);
    fi_free(&fi);
}


/* ---- start: detection, template, policy (sinks/es_setup.c) ---- */

static const char es8_root[] =
    "{\"name\":\"n1\",\"cluster_name\":\"c1\",\"version\":{\"number\":\"8.19.2\","
    "\"build_flavor\":\"default\"},\"tagline\":\"You Know, for Search\"}";
static const char os2_root[] =
    "{\"name\":\"n1\",\"cluster_name\":\"c2\",\"version\":{\"distribution\":\"opensearch\","
    "\"number\":\"2.19.1\"}}";
static const char not_found[] = "{\"error\":{\"type\":\"resource_not_found_exception\","
                                "\"reason\":\"not found\"},\"status\":404}";
static const char acked[] = "{\"acknowledged\":true}";

static int head_is(size_t i, const char *start)
{
    int ok = fi.head[i] && strncmp(fi.head[i], start, strlen(start)) == 0;

    if (!ok)
        fprintf(stderr, "\n  request %zu: expected %s\n  got: %.80s\n", i, start,
                fi.head[i] ? fi.head[i] : "(none)");
    return ok;
}

static void t_start_es_ilm_linked(void)
{
    struct fi_step s[] = { { FI_REPLY, 200, es8_root }, { FI_REPLY, 404, not_found },
                           { FI_REPLY, 200, acked }, { FI_REPLY, 404, not_found },
                           { FI_REPLY, 200, acked }, { FI_REPLY, 200, ok3 } };

    set("template", "install", "true");
    set("lifecycle", "install", "true");
    make_recs(first3, 3);
    start(s, 6);
    sink_es.start(state);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    assert_all(3, SINK_DONE);
    CU_ASSERT_EQUAL_FATAL(fi.served, 6);
    CU_ASSERT(head_is(0, "GET / HTTP/1.1"));
    CU_ASSERT(head_is(1, "GET /_ilm/policy/sluice-logs HTTP/1.1"));
    CU_ASSERT(head_is(2, "PUT /_ilm/policy/sluice-logs HTTP/1.1"));
    TU_ASSERT_HAS(fi.head[2], "Content-Type: application/json");
    TU_ASSERT_HAS(fi.body[2], "\"rollover\":{\"max_age\":\"1d\",\"max_primary_shard_size\":\"50gb\"}");
    TU_ASSERT_HAS(fi.body[2], "\"delete\":{\"min_age\":\"30d\",\"actions\":{\"delete\":{}}}");
    CU_ASSERT(head_is(3, "GET /_index_template/sluice-logs HTTP/1.1"));
    CU_ASSERT(head_is(4, "PUT /_index_template/sluice-logs HTTP/1.1"));
    /* The policy is there, so the template names it. */
    TU_ASSERT_HAS(fi.body[4], "{\"index_patterns\":[\"logs-syslog-default\"],\"priority\":200,"
                  "\"data_stream\":{},\"template\":{\"settings\":{\"index.lifecycle.name\":"
                  "\"sluice-logs\"},\"mappings\":{");
    CU_ASSERT(head_is(5, "POST /_bulk?"));
    TU_ASSERT_HAS(log_text(), "info  sink.es[t]: elasticsearch 8.19.2 (cluster c1) at http://127.0.0.1:");
    TU_ASSERT_HAS(log_text(), "ILM lifecycle policy sluice-logs installed at http://127.0.0.1:");
    TU_ASSERT_HAS(log_text(), "index template sluice-logs matches logs-syslog-default (a data stream)");
    fi_free(&fi);
}

static void t_start_policy_refused(void)
{
    static const char no_handler[] =
        "{\"error\":\"no handler found for uri [/_ilm/policy/sluice-logs] and method [GET]\"}";
    struct fi_step s[] = { { FI_REPLY, 200, es8_root }, { FI_REPLY, 400, no_handler },
                           { FI_REPLY, 404, not_found }, { FI_REPLY, 200, acked },
                           { FI_REPLY, 200, ok3 } };

    set("template", "install", "true");
    set("lifecycle", "install", "true");
    make_recs(first3, 3);
    start(s, 5);
    sink_es.start(state);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    assert_all(3, SINK_DONE);
    CU_ASSERT_EQUAL_FATAL(fi.served, 5);
    CU_ASSERT(head_is(3, "PUT /_index_template/sluice-logs HTTP/1.1"));
    /* No policy, no link: the cluster would refuse the setting. */
    TU_ASSERT_HASNT(fi.body[3], "index.lifecycle.name");
    TU_ASSERT_HAS(log_text(), "error sink.es[t]: cannot install ILM lifecycle policy sluice-logs at "
                  "http://127.0.0.1:");
    TU_ASSERT_HAS(log_text(), "/_ilm/policy/sluice-logs: HTTP 400: no handler found for uri "
                  "[/_ilm/policy/sluice-logs] and method [GET] (ILM is part of x-pack: is it "
                  "installed?)");
    fi_free(&fi);
}

static void t_start_ism_overwrite(void)
{
    static const char ism_other[] =
        "{\"_id\":\"sluice-logs\",\"_version\":3,\"_seq_no\":7,\"_primary_term\":2,\"policy\":"
        "{\"description\":\"edited by hand\",\"default_state\":\"hot\",\"states\":[]}}";
    static const char tpl_other[] =
        "{\"index_templates\":[{\"name\":\"sluice-logs\",\"index_template\":{\"index_patterns\":"
        "[\"logs-syslog-default\"],\"priority\":300}}]}";
    struct fi_step s[] = { { FI_REPLY, 200, os2_root }, { FI_REPLY, 200, ism_other },
                           { FI_REPLY, 200, "{\"_id\":\"sluice-logs\"}" },
                           { FI_REPLY, 200, tpl_other }, { FI_REPLY, 200, ok3 } };

    set("template", "install", "true");
    set("lifecycle", "install", "true");
    set("lifecycle", "overwrite", "true");
    make_recs(first3, 3);
    start(s, 5);
    sink_es.start(state);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    CU_ASSERT_EQUAL_FATAL(fi.served, 5);
    CU_ASSERT(head_is(1, "GET /_plugins/_ism/policies/sluice-logs HTTP/1.1"));
    /* ISM updates only with the sequence number it was read at. */
    CU_ASSERT(head_is(2, "PUT /_plugins/_ism/policies/sluice-logs?if_seq_no=7&if_primary_term=2 "));
    TU_ASSERT_HAS(fi.body[2], "\"ism_template\":[{\"index_patterns\":[\"logs-syslog-default\"],"
                  "\"priority\":200}]");
    TU_ASSERT_HAS(fi.body[2], "\"min_primary_shard_size\":\"50gb\"");
    /* Without template.overwrite the edited template is left alone. */
    CU_ASSERT(head_is(3, "GET /_index_template/sluice-logs HTTP/1.1"));
    CU_ASSERT(head_is(4, "POST /_bulk?"));
    TU_ASSERT_HAS(log_text(), "opensearch 2.19.1 (cluster c2) at http://127.0.0.1:");
    TU_ASSERT_HAS(log_text(), "ISM lifecycle policy sluice-logs replaced at");
    TU_ASSERT_HAS(log_text(), "warn  sink.es[t]: index template sluice-logs exists at http://127.0.0.1:");
    TU_ASSERT_HAS(log_text(), "and differs from sluice's: left alone (set overwrite: true to "
                  "replace it)");
    fi_free(&fi);
}

static void t_start_unsupported(void)
{
    static const char es6_root[] = "{\"cluster_name\":\"old\",\"version\":{\"number\":\"6.8.23\"}}";
    struct fi_step s[] = { { FI_REPLY, 200, es6_root } };

    make_recs(first3, 3);
    start(s, 1);
    sink_es.start(state);
    /* Records wait (RETRY, a request-level code) and nothing is written. */
    CU_ASSERT_EQUAL(send_n(3), SL_EPROTO);
    fi_stop(&fi);
    assert_all(3, SINK_RETRY);
    CU_ASSERT_EQUAL(fi.served, 1);
    TU_ASSERT_HAS(err.msg, "elasticsearch 6.8.23: Elasticsearch before 7.0 is not supported");
    TU_ASSERT_HAS(log_text(), "error sink.es[t]: elasticsearch 6.8.23 at http://127.0.0.1:");
    CU_ASSERT_EQUAL(stats.confirmed, 0);
    fi_free(&fi);
}

static void t_start_root_403(void)
{
    struct fi_step s[] = { { FI_REPLY, 403, "{\"error\":{\"type\":\"security_exception\"}}" },
                           { FI_REPLY, 200, ok3 } };

    set("template", "install", "true");
    make_recs(first3, 3);
    start(s, 2);
    sink_es.start(state);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    assert_all(3, SINK_DONE);
    CU_ASSERT_EQUAL(fi.served, 2);
    CU_ASSERT(head_is(1, "POST /_bulk?"));
    TU_ASSERT_HAS(log_text(), "GET / at http://127.0.0.1:");
    TU_ASSERT_HAS(log_text(), "answered HTTP 403 (no cluster monitor privilege?)");
    fi_free(&fi);
}

static void t_start_unreachable(void)
{
    int port = refused_port();

    make_recs(first3, 3);
    conf_hosts(port, 0);
    CU_ASSERT_EQUAL_FATAL(sink_es.open(&state, &conf, "t", &stats, &err), 0);
    sink_es.start(state);
    TU_ASSERT_HAS(log_text(), "warn  sink.es[t]: cannot detect the cluster: ");
    TU_ASSERT_HAS(log_text(), "events wait in the buffer, detection is tried again before the "
                  "next request");
    /* The request is answered as a network failure: records wait. */
    CU_ASSERT_EQUAL(send_n(3), SL_ENET);
    assert_all(3, SINK_RETRY);
    CU_ASSERT_EQUAL(stats.requests, 0);
}

static void t_no_start_no_setup(void)
{
    struct fi_step s[] = { { FI_REPLY, 200, ok3 } };

    /* A caller that never calls start (the sink's own tests, a one-off
     * send) gets no GET /: the first request is the bulk. */
    make_recs(first3, 3);
    start(s, 1);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    CU_ASSERT(head_is(0, "POST /_bulk?"));
    fi_free(&fi);
}

static CU_TestInfo start_tests[] = {
    { "start on Elasticsearch: GET /, ILM policy put, template put naming it, then the bulk",
      t_start_es_ilm_linked },
    { "a cluster without ILM: the error names sink, URL, reason; the template has no link",
      t_start_policy_refused },
    { "start on OpenSearch: an edited ISM policy replaced with if_seq_no, an edited template "
      "left alone", t_start_ism_overwrite },
    { "Elasticsearch 6: records wait as RETRY, nothing is written, the error is logged",
      t_start_unsupported },
    { "GET / answered 403: a warning, the bulk goes on without template", t_start_root_403 },
    { "an unreachable cluster at start: logged, then requests answered SL_ENET", t_start_unreachable },
    { "without start there is no GET /", t_no_start_no_setup },
    CU_TEST_INFO_NULL,
};

static void t_template_conf(void)
{
    CU_ASSERT_EQUAL(conf.tmpl_install, 0);
    TU_ASSERT_STR(conf.tmpl_name, "sluice-logs");
    CU_ASSERT_PTR_NULL(conf.tmpl_file);
    CU_ASSERT_EQUAL(conf.tmpl_priority, 200);
    CU_ASSERT_EQUAL(conf.lc_install, 0);
    TU_ASSERT_STR(conf.lc_name, "sluice-logs");
    CU_ASSERT_EQUAL(conf.lc_rollover_age_ms, 86400000u);
    CU_ASSERT_EQUAL(conf.lc_rollover_size, 50ull << 30);
    CU_ASSERT_EQUAL(conf.lc_delete_after_ms, 30ull * 86400000u);
    /* Below the built-in logs-*-* (100) is refused by the row's bounds. */
    CU_ASSERT_NOT_EQUAL(sl_cfg_set_scalar(sl_cfg_find(sl_cfg_find(es_conf_rows, "template")->sub,
                                                      "priority"), &conf, "100", "x", &err), 0);
    conf_hosts(9200, 0);
    set("template", "install", "true");
    set(NULL, "index", "%Y.%m.%d");
    set("template", "name", "Sluice Logs");
    set("lifecycle", "install", "true");
    set("lifecycle", "name", "_x");
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), SL_ECONFIG);
    TU_ASSERT_HAS(err.msg, "template.install: a date pattern with no literal prefix would match "
                  "every index (index '%Y.%m.%d')");
    TU_ASSERT_HAS(err.msg, "template.name: use lower case letters");
    TU_ASSERT_HAS(err.msg, "lifecycle.name: use lower case letters");
    set("template", "install", "false");
    set("template", "file", "/x.json");
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), SL_ECONFIG);
    TU_ASSERT_HAS(err.msg, "lifecycle.install: a date pattern with no literal prefix");
    TU_ASSERT_HAS(err.msg, "template.file without template.install: true");
    /* The next good config passes. */
    set(NULL, "index", "syslog-%Y.%m.%d");
    set("template", "install", "true");
    set("template", "name", "sluice-syslog");
    set("lifecycle", "name", "sluice-syslog");
    CU_ASSERT_EQUAL(sink_es.validate(&conf, &err), 0);
}

static void t_template_file(void)
{
    char path[] = "/tmp/sluice-tplfile-XXXXXX";
    int fd = mkstemp(path);
    static const char maps[] = "\n{\"properties\":{\"x\":{\"type\":\"ip\"}}}\n";
    struct fi_step s[] = { { FI_REPLY, 200, os2_root }, { FI_REPLY, 404, not_found },
                           { FI_REPLY, 200, acked }, { FI_REPLY, 200, ok3 } };

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL_FATAL(write(fd, maps, sizeof maps - 1), (ssize_t)(sizeof maps - 1));
    close(fd);
    set("template", "install", "true");
    set("template", "file", "/nonexistent/sluice-mappings.json");
    conf_hosts(9200, 0);
    /* A missing file fails the open, naming it. */
    CU_ASSERT_EQUAL(sink_es.open(&state, &conf, "t", &stats, &err), SL_EIO);
    TU_ASSERT_STR(err.where, "/nonexistent/sluice-mappings.json");
    TU_ASSERT_HAS(err.msg, "template.file: cannot open");
    state = NULL;
    set("template", "file", path);
    make_recs(first3, 3);
    start(s, 4);
    sink_es.start(state);
    CU_ASSERT_EQUAL(send_n(3), 0);
    fi_stop(&fi);
    CU_ASSERT_EQUAL_FATAL(fi.served, 4);
    TU_ASSERT_HAS(fi.body[2], "\"template\":{\"mappings\":{\"properties\":{\"x\":{\"type\":\"ip\"}}}},"
                  "\"_meta\"");
    unlink(path);
    fi_free(&fi);
}

static CU_TestInfo transport_tests[] = {
    { "a 200 with mixed items gives per-item verdicts, stats and a rejection log", t_mixed },
    { "an item kept in the failure store is confirmed and counted failure_stored", t_failure_store },
    { "rejected records go to the dead-letter file whole, with their error", t_dead_letter },
    { "a dead-letter file that cannot be opened stops the sink from opening", t_dead_letter_unwritable },
    { "a dead-letter file on a full disk keeps the rejected record to retry", t_dead_letter_full },
    { "the request is POST /_bulk?filter_path with the exact NDJSON ending in newline", t_request_bytes },
    { "username and password go as basic auth on the first request", t_basic_auth },
    { "api_key goes as Authorization: ApiKey", t_api_key },
    { "401 gives SL_EAUTH and every record RETRY; then the next request passes", t_401 },
    { "403 gives SL_EAUTH with a privileges hint", t_403 },
    { "reauth: a refused password replaced, then an API key; the next requests carry them",
      t_reauth_new_password },
    { "an item refused for a privilege stops the sink (SL_EAUTH), none is rejected",
      t_item_403_privilege_stops },
    { "access on Elasticsearch: _authenticate, then _has_privileges on the sink's index",
      t_access_elasticsearch },
    { "access on OpenSearch: authinfo, then the write probe to this month's index",
      t_access_opensearch_probe },
    { "access: a missing security endpoint is security off; a 401 cannot write",
      t_access_security_off_and_refused },
    { "503 gives every record RETRY; then the next request passes", t_503 },
    { "429 gives every record RETRY and SL_EFULL", t_429 },
    { "a connection closed mid-answer gives every record RETRY; the next reconnects", t_cut },
    { "three requests reuse one connection", t_keepalive },
    { "after a refused host the next request goes to the next host", t_rotation },
    { "413 gives SL_ETOOBIG for a batch and REJECT for a lone record", t_413 },
    { "an answer slower than timeout gives every record RETRY", t_timeout },
    { "gzip sends Content-Encoding gzip and a body that inflates to the NDJSON", t_gzip },
    { "a 200 with other ids or another count gives every record RETRY", t_wrong_ids },
    { "a request-level 400 gives SL_EPROTO quoting the cluster's reason", t_request_400 },
    { "item retries are logged once per episode, and the recovery once", t_item_retry_logged_once },
    { "concurrency 4: four requests open at once on four kept-alive connections, answered "
      "out of order", t_concurrent },
    { "concurrency 4 with gzip: four compressed requests open at once", t_concurrent_gzip },
    { "drop abandons a request in flight; the slot is free again", t_drop },
    { "a host whose request failed (503) is set aside, logged once; the others take every request",
      t_set_aside },
    { "a host set aside is probed with GET / after its backoff, then takes requests again",
      t_probe_before_reuse },
    { "a probe with no answer does not hold up requests to the healthy host", t_probe_does_not_block },
    { "one host down: a request waits for its probe, fails with it, and goes once it answers",
      t_all_down_one_host },
    { "two hosts down: the soonest is probed per attempt; the one that answers gets the records",
      t_all_down_two_hosts },
    { "discover: GET /_nodes/http adds the data nodes' publish addresses, probed before use",
      t_discovery },
    { "discovery refused (403): one WARN naming the privilege; the configured host still works",
      t_discovery_refused },
    { "the _nodes answer: publish_address forms, manager-only nodes skipped, bad text refused",
      t_nodes_parse },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo conf_tests[] = {
    { "the rows' defaults land in the struct and batch() reports them", t_defaults },
    { "validate names every problem: password without user, bad hosts, two auths", t_validate },
    { "elasticsearch and opensearch share rows and implementation", t_types },
    { "template and lifecycle rows: defaults, bounds, and validate naming each problem",
      t_template_conf },
    { "template.file: a missing file fails the open; its mappings go into the template",
      t_template_file },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "es transport", suite_init, suite_cleanup, t_setup, t_teardown, transport_tests },
    { "es config", suite_init, suite_cleanup, t_setup, t_teardown, conf_tests },
    { "es start", suite_init, suite_cleanup, t_setup, t_teardown, start_tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
