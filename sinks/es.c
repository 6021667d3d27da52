/* sinks/es.c: the Elasticsearch / OpenSearch sink: a batch of records becomes
 * one POST /_bulk; the answer becomes one verdict per record.
 *
 * Design: request-level outcomes (anchors.md 5.4) map to return codes, and
 * every record is then SINK_RETRY:
 *   transport error, timeout, 408, 5xx     SL_ENET
 *   429                                    SL_EFULL (the cluster sheds load)
 *   401, 403; an item 403 security_exception SL_EAUTH (stop until credentials or
 *                                          privileges change)
 *   413                                    SL_ETOOBIG (delivery splits the batch);
 *                                          a single record gets SINK_REJECT instead
 *   200 that is not n items, other codes   SL_EPROTO
 * A 200 is read item by item by es_resp.c (anchors.md 5.3). Proxies come
 * from the environment (http_proxy, https_proxy, no_proxy), as libcurl does
 * by default.
 *
 * Hosts: requests go round robin over the hosts that are UP. A request that
 * fails with SL_ENET sets its host ASIDE for its own backoff (host_backoff,
 * with jitter); once that expires the host is PROBING: GET / on the multi
 * handle, beside the bulk requests, and only an HTTP answer below 500 (other
 * than 408) brings it back UP. When no host is UP a submitted request is
 * parked: the host due soonest is probed at once and the parked requests go
 * to it when it answers, or fail with SL_ENET when it does not (delivery
 * then backs off as for any failed request). Probes move only while the
 * sink is driven (submit, poll; delivery polls an idle sink once a second);
 * a probe whose timeout passed while nothing drove it is started again
 * rather than counted. With `discover`, GET
 * /_nodes/http on an UP host adds the nodes' publish addresses as hosts
 * (probed before their first request); configured hosts are never removed,
 * discovered ones that leave the answer are GONE. The host array has a fixed
 * capacity, so a request's host pointer stays valid.
 *
 * Threads: one delivery thread owns an instance and makes every call; only
 * struct sink_stats is read elsewhere (atomics). open() calls
 * curl_global_init, which libcurl makes thread-safe from 7.84; with an older
 * libcurl sinks must be opened before other threads use libcurl.
 *
 * Requests in flight: up to `concurrency`, driven by one curl multi handle
 * from the delivery thread (submit/poll/drop). Each slot (struct es_req) owns
 * everything its request needs: an easy handle, the body, the gzip stream
 * and its output, the answer, the parsed items; slots share nothing but the
 * multi handle's connection cache, which keeps connections alive between
 * requests. A body is built and compressed at submit, so compressing one
 * request overlaps the network waits of the others (on the same thread).
 * send is submit plus polls until that one request is answered.
 *
 * Start: once delivery has called start, no request goes out before
 * es_setup.c has detected the cluster (and installed the template and
 * policy the config asks for); until then submit answers at once with its
 * error, so records wait as for a failed request.
 *
 * Credentials: the sink works from its own copy of the conf (`own`) whose
 * username, password and api_key it owns, so reauth (SIGHUP, on the delivery
 * thread, nothing in flight) can replace them: the headers (the bulk
 * requests' and the probes') and every easy handle are made again; the
 * connection cache stays. */
#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "common/backoff.h"
#include "common/bounds.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "sinks/dlq.h"
#include "sinks/es.h"
#include "sinks/es_bulk.h"
#include "sinks/es_conn.h"
#include "sinks/es_nodes.h"
#include "sinks/es_priv.h"
#include "sinks/es_resp.h"
#include "sinks/es_setup.h"

/* Rejected items logged one by one per request; the rest only counted. */
#define ES_REJECT_LOG_MAX   5
#define ES_BODY_INITIAL     (256u * 1024u)
#define ES_RESP_INITIAL     (16u * 1024u)
/* Bytes of an error answer quoted in err and logs. */
#define ES_SNIPPET          240
/* Logs quote at most this much of an item's error type and reason. */
#define ES_TYPE_LOG         80
#define ES_REASON_LOG       300
/* zlib level 1: logs compress well at any level, and level 1 costs the least CPU. */
#define ES_GZIP_LEVEL       1

/* A GET on the multi handle, in the background: a host's probe or discovery. */
struct es_get {
    CURL                 *easy;         /* made at the first use */
    int                   added;
    struct es_host       *host;         /* probed, or asked for its nodes */
    struct sl_buf         body;
    char                  errbuf[CURL_ERROR_SIZE];
};

struct es_host {
    char                 *label;        /* the address as configured or discovered */
    char                 *url;          /* its _bulk address */
    int                   state;        /* enum sink_host_state */
    int                   discovered;
    int                   ever_up;      /* a discovered host starts unproven */
    int                   seen;         /* in the latest discovery answer */
    uint64_t              due_ms;       /* ASIDE: probed from then */
    uint64_t              aside_ms;     /* when it was set aside */
    unsigned              failed_probes;
    struct sl_backoff     bo;
    struct es_get         probe;
    struct sink_host_stats *st;         /* in the caller's sink_stats */
};

struct es_req {
    CURL                 *easy;
    int                   busy;         /* submitted, not yet reported by poll */
    int                   added;        /* in the multi handle */
    int                   early;        /* answered before any I/O: early_rc */
    int                   parked;       /* built, waiting for a host to come UP */
    int                   added_once;   /* went to its host (its failure is the host's) */
    int                   early_rc;
    struct sl_err         early_err;
    uint64_t              token;
    const struct sl_rec  *recs;         /* the caller's, until reported */
    size_t                n;
    enum sink_verdict    *out;
    uint64_t              t0_ns;
    size_t                wire_len;
    struct es_host       *host;
    struct sl_buf         body;
    struct sl_buf         gzbody;
    struct es_bulk_gz    *gz;           /* NULL: gzip off */
    struct sl_buf         resp;
    int                   resp_over;    /* the answer passed SL_BULK_RESP_LIMIT */
    char                  errbuf[CURL_ERROR_SIZE];
    CURLcode              cc;
    long                  status;
    struct es_resp_item  *items;
    size_t                items_cap;
    size_t                failure_stored;   /* DONE items the failure store kept */
};

struct es_sink {
    const struct es_conf *conf;         /* &own */
    struct es_conf        own;          /* the caller's conf; credentials owned here */
    char                  comp[128];
    struct sink_stats    *stats;
    struct es_host       *hosts;        /* capacity hosts_cap: pointers stay valid */
    size_t                nhosts, hosts_cap;
    size_t                cur;          /* where the round robin looks next */
    struct curl_slist    *headers;
    struct curl_slist    *get_headers;  /* probes and discovery: the API key only */
    size_t                nparked;
    int                   park_probed;  /* the parked requests had their probe */
    size_t                nbg;          /* probes and discovery in the multi handle */
    uint64_t              drive_ms;     /* the last time the transfers were moved */
    int                   stale;        /* this drive came long after the previous one */
    char                  probe_why[256];  /* why the last probe failed */
    struct es_get         disc;
    uint64_t              disc_next_ms;
    struct sl_episode     disc_ep;      /* discovery failing */
    CURLM                *multi;
    struct es_req        *reqs;         /* `concurrency` slots */
    size_t                nreqs;
    size_t                nadded;       /* slots in the multi handle */
    struct sl_episode     retry_ep;     /* requests in a row with items to retry */
    struct dlq           *dlq;          /* NULL: no dead_letter file */
    struct sl_episode     dlq_ep;       /* dead-letter writes failing */
    int                   curl_ready;
    struct es_setup      *setup;        /* GET /, template, policy (es_setup.c) */
    int                   setup_wanted; /* start was called: set up before requests */
};

static size_t resp_write(char *p, size_t size, size_t nmemb, void *ud)
{
    struct es_req *q = ud;
    size_t n = size * nmemb;

    if (sl_buf_append(&q->resp, p, n)) {
        q->resp_over = 1;
        return 0;               /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    return n;
}

static int add_header(struct curl_slist **l, const char *h)
{
    struct curl_slist *n = curl_slist_append(*l, h);

    if (!n)
        return -1;
    *l = n;
    return 0;
}

/* The API key header, when the conf has one (bulk requests and the probe). */
static int add_auth_header(struct curl_slist **l, const struct es_conf *c)
{
    struct sl_buf auth;
    int rc = 0;

    if (!c->api_key)
        return 0;
    sl_buf_init(&auth, 64, 64u * 1024u);
    if (sl_buf_printf(&auth, "Authorization: ApiKey %s", c->api_key) || add_header(l, auth.data))
        rc = -1;
    /* The key is a secret: leave no copy in freed memory. */
    memset(auth.data, 0, auth.cap);
    sl_buf_free(&auth);
    return rc;
}

static int make_headers(struct es_sink *s, struct sl_err *err)
{
    const struct es_conf *c = s->conf;

    /* No "Expect: 100-continue": a proxy that ignores it would cost every
     * large request a one-second wait. */
    if (add_header(&s->headers, "Content-Type: application/x-ndjson") ||
        add_header(&s->headers, "Expect:") ||
        (c->gzip && add_header(&s->headers, "Content-Encoding: gzip")) ||
        add_auth_header(&s->headers, c))
        return sl_err_set(err, SL_EINVAL, s->comp, "cannot build the request headers");
    return 0;
}

#define SETOPT(opt, val) do { if (cc == CURLE_OK) { what = #opt; cc = curl_easy_setopt(e, opt, val); } } while (0)

/* What every connection to the cluster carries: protocols, timeouts,
 * authentication and TLS (the bulk requests and `sluice check`'s probe). */
static CURLcode conn_opts(CURL *e, const struct es_conf *c, const char **whatp)
{
    CURLcode cc = CURLE_OK;
    const char *what = "";

#if LIBCURL_VERSION_NUM >= 0x075500
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SETOPT(CURLOPT_USERAGENT, "sluice");
    /* Signals are not safe in a threaded daemon; timeouts still hold. */
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    if (c->username) {
        /* Basic auth is sent with the first request, not after a 401. */
        SETOPT(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        SETOPT(CURLOPT_USERNAME, c->username);
        SETOPT(CURLOPT_PASSWORD, c->password ? c->password : "");
    }
    if (c->tls_ca)
        SETOPT(CURLOPT_CAINFO, c->tls_ca);
    SETOPT(CURLOPT_SSL_VERIFYPEER, c->tls_verify ? 1L : 0L);
    SETOPT(CURLOPT_SSL_VERIFYHOST, c->tls_verify ? 2L : 0L);
    if (c->tls_cert)
        SETOPT(CURLOPT_SSLCERT, c->tls_cert);
    if (c->tls_key)
        SETOPT(CURLOPT_SSLKEY, c->tls_key);
    *whatp = what;
    return cc;
}

static int setup_easy(struct es_sink *s, struct es_req *q, struct sl_err *err)
{
    const struct es_conf *c = s->conf;
    CURLcode cc = CURLE_OK;
    const char *what = "";
    CURL *e;

    q->easy = e = curl_easy_init();
    if (!e)
        return sl_err_set(err, SL_EINVAL, s->comp, "curl_easy_init failed");
    cc = conn_opts(e, c, &what);
    SETOPT(CURLOPT_PRIVATE, (void *)q);
    SETOPT(CURLOPT_POST, 1L);
    SETOPT(CURLOPT_HTTPHEADER, s->headers);
    SETOPT(CURLOPT_WRITEFUNCTION, resp_write);
    SETOPT(CURLOPT_WRITEDATA, q);
    SETOPT(CURLOPT_ERRORBUFFER, q->errbuf);
    if (c->gzip)
        SETOPT(CURLOPT_ACCEPT_ENCODING, "");
    if (cc != CURLE_OK)
        return sl_err_set(err, SL_EINVAL, s->comp, "libcurl refused %s: %s", what,
                          curl_easy_strerror(cc));
    return 0;
}

static size_t probe_write(char *p, size_t size, size_t nmemb, void *ud)
{
    return sl_buf_append(ud, p, size * nmemb) ? 0 : size * nmemb;
}

/* host without its trailing slashes, then path: where a GET goes. */
static int host_path(struct sl_buf *b, const char *host, const char *path)
{
    size_t n = strlen(host);

    while (n && host[n - 1] == '/')
        n--;
    sl_buf_reset(b);
    return sl_buf_append(b, host, n) || sl_buf_putc(b, '/') || sl_buf_puts(b, path) ? -1 : 0;
}

/* A GET with everything a connection to the cluster carries (conn_opts, as
 * es_conn_prepare gives es_setup.c): the hosts' probes and discovery. */
static CURLcode get_opts(CURL *e, const struct es_conf *c, const char *url, struct sl_buf *body,
                         char *errbuf, struct curl_slist *headers, const char **whatp)
{
    CURLcode cc = conn_opts(e, c, whatp);
    const char *what = *whatp;

    SETOPT(CURLOPT_URL, url);
    SETOPT(CURLOPT_HTTPGET, 1L);
    SETOPT(CURLOPT_WRITEFUNCTION, probe_write);
    SETOPT(CURLOPT_WRITEDATA, body);
    SETOPT(CURLOPT_ERRORBUFFER, errbuf);
    SETOPT(CURLOPT_HTTPHEADER, headers);
    *whatp = what;
    return cc;
}

/* ---- hosts: health, probes, discovery ---- */

static void host_state(struct es_host *h, int state)
{
    h->state = state;
    atomic_store(&h->st->state, state);
}

/* Appends a host (configured or discovered); NULL when there is no room. */
static struct es_host *host_add(struct es_sink *s, const char *label, int discovered,
                                struct sl_buf *url)
{
    struct es_host *h;
    struct sink_host_stats *st;

    if (s->nhosts == s->hosts_cap || es_bulk_url(url, label))
        return NULL;
    h = &s->hosts[s->nhosts];
    st = &s->stats->host[s->nhosts];
    memset(h, 0, sizeof *h);
    h->label = sl_strdup(label);
    h->url = sl_strdup(url->data);
    h->discovered = discovered;
    h->ever_up = !discovered;
    h->seen = 1;
    sl_backoff_init(&h->bo, (uint32_t)s->conf->host_backoff_initial_ms,
                    (uint32_t)s->conf->host_backoff_max_ms);
    sl_buf_init(&h->probe.body, 1024, 64u * 1024u);
    h->probe.host = h;
    h->st = st;
    snprintf(st->url, sizeof st->url, "%s", label);
    st->discovered = discovered;
    /* A discovered host is probed before its first request. */
    host_state(h, discovered ? SINK_HOST_ASIDE : SINK_HOST_UP);
    s->nhosts++;
    atomic_store_explicit(&s->stats->nhosts, s->nhosts, memory_order_release);
    return h;
}

static size_t hosts_up(const struct es_sink *s)
{
    size_t n = 0;

    for (size_t i = 0; i < s->nhosts; i++)
        n += s->hosts[i].state == SINK_HOST_UP;
    return n;
}

/* The next UP host, round robin; NULL when none is. */
static struct es_host *pick_host(struct es_sink *s)
{
    for (size_t i = 0; i < s->nhosts; i++) {
        size_t k = (s->cur + i) % s->nhosts;

        if (s->hosts[k].state == SINK_HOST_UP) {
            s->cur = (k + 1) % s->nhosts;
            return &s->hosts[k];
        }
    }
    return NULL;
}

/* A request to h failed at the connection level: no more requests until a
 * probe after its backoff says it answers again. Logged once per episode. */
static void host_aside(struct es_sink *s, struct es_host *h, const char *why)
{
    uint64_t now = sl_clock_mono_ms();
    uint32_t wait;

    if (h->state != SINK_HOST_UP)
        return;                 /* another request already set it aside */
    wait = sl_backoff_next(&h->bo);
    h->due_ms = now + wait;
    h->aside_ms = now;
    h->failed_probes = 0;
    host_state(h, SINK_HOST_ASIDE);
    SL_WARN(s->comp, "host set aside url=%s reason=\"%s\" probe_in_ms=%u hosts_up=%zu/%zu",
            h->label, why, wait, hosts_up(s), s->nhosts);
}

/* Starts a GET of path on h in the background; 0, or -1 (nothing started). */
static int get_start(struct es_sink *s, struct es_get *g, struct es_host *h, const char *path)
{
    struct sl_buf url;
    const char *what = "";
    CURLcode cc;
    int rc = -1;

    sl_buf_init(&url, 256, 8192);
    if (!g->easy)
        g->easy = curl_easy_init();
    if (!g->easy || host_path(&url, h->label, path))
        goto fail;
    sl_buf_reset(&g->body);
    g->errbuf[0] = '\0';
    cc = get_opts(g->easy, s->conf, url.data, &g->body, g->errbuf, s->get_headers, &what);
    if (cc != CURLE_OK || curl_multi_add_handle(s->multi, g->easy) != CURLM_OK)
        goto fail;
    g->host = h;
    g->added = 1;
    s->nbg++;
    rc = 0;
fail:
    sl_buf_free(&url);
    return rc;
}

static void get_remove(struct es_sink *s, struct es_get *g)
{
    if (!g->added)
        return;
    curl_multi_remove_handle(s->multi, g->easy);
    g->added = 0;
    s->nbg--;
}

static void probe_failed(struct es_sink *s, struct es_host *h, const char *why)
{
    uint32_t wait = sl_backoff_next(&h->bo);

    h->due_ms = sl_clock_mono_ms() + wait;
    h->failed_probes++;
    atomic_fetch_add(&h->st->probe_failures, 1);
    snprintf(s->probe_why, sizeof s->probe_why, "%s: %s", h->label, why);
    host_state(h, SINK_HOST_ASIDE);
    if (h->discovered && !h->ever_up && h->failed_probes == 1)
        SL_WARN(s->comp, "discovered host does not answer url=%s reason=\"%s\" (behind a load "
                "balancer or NAT the nodes' own addresses may be unreachable: discover: false)",
                h->label, why);
    else
        SL_DEBUG(s->comp, "probe failed url=%s reason=\"%s\" probe_in_ms=%u", h->label, why,
                 wait);
}

static void probe_start(struct es_sink *s, struct es_host *h)
{
    atomic_fetch_add(&h->st->probes, 1);
    if (get_start(s, &h->probe, h, "")) {
        probe_failed(s, h, "cannot start the probe");
        return;
    }
    host_state(h, SINK_HOST_PROBING);
}

/* A probe finished: any HTTP answer below 500 but 408 means the host serves
 * again (401/403 included: the bulk request will say what is wrong with the
 * credentials, and a writer without the monitor privilege gets 403 here). */
static void probe_done(struct es_sink *s, struct es_host *h, CURLcode cc)
{
    struct es_get *g = &h->probe;
    long status = 0;
    char why[CURL_ERROR_SIZE + 64];

    get_remove(s, g);
    if (h->state == SINK_HOST_GONE)
        return;                 /* left the cluster while it was probed */
    if (cc == CURLE_OPERATION_TIMEDOUT && s->stale) {
        /* Its time ran out while nobody drove it: it proves nothing. */
        host_state(h, SINK_HOST_ASIDE);
        h->due_ms = 0;
        return;
    }
    if (cc == CURLE_OK)
        curl_easy_getinfo(g->easy, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK) {
        snprintf(why, sizeof why, "GET /: %s", g->errbuf[0] ? g->errbuf : curl_easy_strerror(cc));
        probe_failed(s, h, why);
        return;
    }
    if (status == 408 || status >= 500 || status < 100) {
        snprintf(why, sizeof why, "GET /: HTTP %ld", status);
        probe_failed(s, h, why);
        return;
    }
    sl_backoff_reset(&h->bo);
    host_state(h, SINK_HOST_UP);
    if (!h->ever_up)
        SL_INFO(s->comp, "discovered host in service url=%s", h->label);
    else
        SL_INFO(s->comp, "host back in service url=%s aside_ms=%llu failed_probes=%u "
                "hosts_up=%zu/%zu", h->label,
                (unsigned long long)(sl_clock_mono_ms() - h->aside_ms), h->failed_probes,
                hosts_up(s), s->nhosts);
    h->ever_up = 1;
}

static void disc_add(void *arg, const char *url)
{
    struct es_sink *s = arg;
    struct sl_buf b;
    size_t n = strlen(url);

    for (size_t i = 0; i < s->nhosts; i++) {
        struct es_host *h = &s->hosts[i];
        size_t m = strlen(h->label);

        while (m && h->label[m - 1] == '/')
            m--;
        if (m == n && memcmp(h->label, url, n) == 0) {
            h->seen = 1;
            if (h->state == SINK_HOST_GONE) {
                h->due_ms = 0;
                host_state(h, SINK_HOST_ASIDE);
            }
            return;
        }
    }
    sl_buf_init(&b, 256, 8192);
    if (host_add(s, url, 1, &b))
        SL_INFO(s->comp, "host discovered url=%s (probed before its first request)", url);
    else
        SL_WARN(s->comp, "host discovered but not added url=%s: already %zu hosts", url,
                s->nhosts);
    sl_buf_free(&b);
}

static void disc_done(struct es_sink *s, CURLcode cc)
{
    struct es_get *g = &s->disc;
    long status = 0;
    const char *scheme = strncmp(s->conf->hosts.v[0], "https:", 6) == 0 ? "https" : "http";
    int n;

    get_remove(s, g);
    s->disc_next_ms = sl_clock_mono_ms() + s->conf->discover_interval_ms;
    if (cc == CURLE_OK)
        curl_easy_getinfo(g->easy, CURLINFO_RESPONSE_CODE, &status);
    for (size_t i = 0; i < s->nhosts; i++)
        s->hosts[i].seen = !s->hosts[i].discovered;
    n = cc == CURLE_OK && status == 200
        ? es_nodes_parse(g->body.data ? g->body.data : "", g->body.len, scheme, disc_add, s)
        : -1;
    if (n < 0) {
        char why[CURL_ERROR_SIZE + 64];

        if (cc != CURLE_OK)
            snprintf(why, sizeof why, "%s", g->errbuf[0] ? g->errbuf : curl_easy_strerror(cc));
        else if (status != 200)
            snprintf(why, sizeof why, "HTTP %ld%s", status, status == 401 || status == 403
                     ? " (discovery needs the cluster privilege monitor)" : "");
        else
            snprintf(why, sizeof why, "not a nodes answer");
        if (sl_episode_hit(&s->disc_ep))
            SL_WARN(s->comp, "discovery failed url=%s reason=\"GET /_nodes/http: %s\" (the hosts "
                    "stay as they are; asked again every discover_interval)", g->host->label, why);
        for (size_t i = 0; i < s->nhosts; i++)
            s->hosts[i].seen = 1;
        return;
    }
    if (s->disc_ep.active) {
        sl_episode_end(&s->disc_ep);
        SL_INFO(s->comp, "discovery works again url=%s", g->host->label);
    }
    for (size_t i = 0; i < s->nhosts; i++) {
        struct es_host *h = &s->hosts[i];

        if (!h->seen && h->state != SINK_HOST_GONE) {
            /* A probe in flight is left to finish; pick_host skips the host. */
            host_state(h, SINK_HOST_GONE);
            SL_INFO(s->comp, "discovered host left the cluster's answer url=%s", h->label);
        }
    }
}

static void park_fail(struct es_sink *s)
{
    for (size_t i = 0; i < s->nreqs; i++) {
        struct es_req *q = &s->reqs[i];

        if (!q->parked)
            continue;
        q->parked = 0;
        q->early = 1;
        q->host = NULL;
        q->early_rc = sl_err_set(&q->early_err, SL_ENET, s->comp, "no host is reachable: "
                                 "all %zu set aside; %s", s->nhosts,
                                 s->probe_why[0] ? s->probe_why : "no probe could start");
    }
    s->nparked = 0;
}

static void start_req(struct es_sink *s, struct es_req *q);

/* Moves the hosts' states on: due probes start, parked requests go to a host
 * that is UP (or, with none UP, the host due soonest is probed now, or they
 * fail when nothing can be probed), discovery runs when it is time. */
static void hosts_tick(struct es_sink *s)
{
    uint64_t now = sl_clock_mono_ms();
    struct es_host *soon = NULL;
    size_t up = 0, probing = 0;

    for (size_t i = 0; i < s->nhosts; i++) {
        struct es_host *h = &s->hosts[i];

        if (h->state == SINK_HOST_ASIDE && now >= h->due_ms)
            probe_start(s, h);
        if (h->state == SINK_HOST_UP)
            up++;
        else if (h->state == SINK_HOST_PROBING)
            probing++;
        else if (h->state == SINK_HOST_ASIDE && (!soon || h->due_ms < soon->due_ms))
            soon = h;
    }
    if (s->nparked && !up && !probing && soon && !s->park_probed) {
        /* One probe per parked round: if it fails, delivery backs off. */
        s->park_probed = 1;
        probe_start(s, soon);
        probing += soon->state == SINK_HOST_PROBING;
    }
    if (s->nparked && up) {
        for (size_t i = 0; i < s->nreqs; i++) {
            struct es_req *q = &s->reqs[i];

            if (q->parked) {
                q->parked = 0;
                s->nparked--;
                q->host = pick_host(s);
                start_req(s, q);
            }
        }
    } else if (s->nparked && !probing) {
        park_fail(s);
    }
    if (!s->nparked)
        s->park_probed = 0;
    if (s->conf->discover && up && !s->disc.added && now >= s->disc_next_ms) {
        struct es_host *h = pick_host(s);

        if (get_start(s, &s->disc, h, ES_NODES_PATH))
            s->disc_next_ms = now + s->conf->discover_interval_ms;
    }
}

/* Moves every transfer on without waiting. */
static void drive(struct es_sink *s)
{
    uint64_t now = sl_clock_mono_ms();
    int running;

    /* A gap longer than any connect may take: a probe timing out now may
     * have run out of time only because nothing drove it. */
    s->stale = s->drive_ms && now - s->drive_ms > s->conf->connect_timeout_ms / 2;
    s->drive_ms = now;
    if (s->nadded || s->nbg)
        curl_multi_perform(s->multi, &running);
}

static void wipe(char **p)
{
    if (*p)
        explicit_bzero(*p, strlen(*p));
    sl_free(*p);
    *p = NULL;
}

static void set_creds(struct es_sink *s, const char *user, const char *pass, const char *key)
{
    wipe(&s->own.username);
    wipe(&s->own.password);
    wipe(&s->own.api_key);
    s->own.username = user ? sl_strdup(user) : NULL;
    s->own.password = pass ? sl_strdup(pass) : NULL;
    s->own.api_key = key ? sl_strdup(key) : NULL;
}

static void es_close(void *state)
{
    struct es_sink *s = state;

    if (!s)
        return;
    set_creds(s, NULL, NULL, NULL);
    for (size_t i = 0; i < s->nreqs; i++) {
        struct es_req *q = &s->reqs[i];

        if (q->added)
            curl_multi_remove_handle(s->multi, q->easy);
        if (q->easy)
            curl_easy_cleanup(q->easy);
        sl_buf_free(&q->body);
        sl_buf_free(&q->gzbody);
        es_bulk_gz_free(q->gz);
        sl_buf_free(&q->resp);
        sl_free(q->items);
    }
    sl_free(s->reqs);
    for (size_t i = 0; i < s->nhosts; i++) {
        struct es_host *h = &s->hosts[i];

        get_remove(s, &h->probe);
        if (h->probe.easy)
            curl_easy_cleanup(h->probe.easy);
        sl_buf_free(&h->probe.body);
        sl_free(h->label);
        sl_free(h->url);
    }
    get_remove(s, &s->disc);
    if (s->disc.easy)
        curl_easy_cleanup(s->disc.easy);
    sl_buf_free(&s->disc.body);
    if (s->multi)
        curl_multi_cleanup(s->multi);
    sl_free(s->hosts);
    curl_slist_free_all(s->headers);
    curl_slist_free_all(s->get_headers);
    dlq_close(s->dlq);
    es_setup_free(s->setup);
    if (s->curl_ready)
        curl_global_cleanup();
    sl_free(s);
}

static int es_open(void **state, const void *confp, const char *name,
                   struct sink_stats *stats, struct sl_err *err)
{
    const struct es_conf *conf = confp;
    struct es_sink *s = sl_calloc(1, sizeof *s);
    struct sl_buf url;
    int rc;

    s->own = *conf;
    s->own.username = s->own.password = s->own.api_key = NULL;
    set_creds(s, conf->username, conf->password, conf->api_key);
    s->conf = &s->own;
    conf = s->conf;
    s->stats = stats;
    snprintf(s->comp, sizeof s->comp, "sink.es[%s]", name ? name : "");
    sl_buf_init(&url, 256, 8192);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        rc = sl_err_set(err, SL_EINVAL, s->comp, "curl_global_init failed");
        goto fail;
    }
    s->curl_ready = 1;
    if (conf->hosts.n == 0) {
        rc = sl_err_set(err, SL_ECONFIG, s->comp, "no hosts");
        goto fail;
    }
    rc = make_headers(s, err);
    if (rc)
        goto fail;
    rc = es_setup_new(&s->setup, conf, s->comp, err);
    if (rc)
        goto fail;
    if (conf->dead_letter) {
        rc = dlq_open(&s->dlq, conf->dead_letter, name, err);
        if (rc)
            goto fail;
    }
    if (add_auth_header(&s->get_headers, conf)) {
        rc = sl_err_set(err, SL_EINVAL, s->comp, "cannot build the request headers");
        goto fail;
    }
    s->hosts_cap = conf->discover ? SL_SINK_HOSTS_LIMIT : conf->hosts.n;
    if (s->hosts_cap > SL_SINK_HOSTS_LIMIT || conf->hosts.n > s->hosts_cap) {
        rc = sl_err_set(err, SL_ECONFIG, s->comp, "more than %d hosts", SL_SINK_HOSTS_LIMIT);
        goto fail;
    }
    s->hosts = sl_calloc(s->hosts_cap, sizeof *s->hosts);
    sl_buf_init(&s->disc.body, 4096, 1024u * 1024u);
    for (size_t i = 0; i < conf->hosts.n; i++) {
        if (!host_add(s, conf->hosts.v[i], 0, &url)) {
            rc = sl_err_set(err, SL_ECONFIG, conf->hosts.v[i], "host address too long");
            goto fail;
        }
    }
    s->multi = curl_multi_init();
    if (!s->multi) {
        rc = sl_err_set(err, SL_EINVAL, s->comp, "curl_multi_init failed");
        goto fail;
    }
    s->nreqs = conf->concurrency ? (size_t)conf->concurrency : 1;
    /* Keep-alive: an idle connection per slot and host stays in the cache,
     * and one per host for its probes (libcurl's default follows how many
     * transfers are added right now). */
    curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)((s->nreqs + 1) * s->hosts_cap));
    s->reqs = sl_calloc(s->nreqs, sizeof *s->reqs);
    for (size_t i = 0; i < s->nreqs; i++) {
        struct es_req *q = &s->reqs[i];

        /* Bodies start small and grow to what the batches need. */
        sl_buf_init(&q->body, ES_BODY_INITIAL, SL_BULK_BYTES_LIMIT);
        sl_buf_init(&q->gzbody, 16, SL_BULK_BYTES_LIMIT);
        sl_buf_init(&q->resp, ES_RESP_INITIAL, SL_BULK_RESP_LIMIT);
        if (conf->gzip) {
            q->gz = es_bulk_gz_new(ES_GZIP_LEVEL);
            if (!q->gz) {
                rc = sl_err_set(err, SL_EINVAL, s->comp, "zlib deflateInit2 failed");
                goto fail;
            }
        }
        rc = setup_easy(s, q, err);
        if (rc)
            goto fail;
    }
    if (!conf->tls_verify)
        SL_WARN(s->comp, "TLS verification is OFF (tls.verify: false): the cluster's certificate "
                "and name are not checked; anyone on the path can read and change the traffic");
    *state = s;
    s = NULL;
fail:
    sl_buf_free(&url);
    es_close(s);
    return rc;
}

/* Up to ES_SNIPPET bytes of the answer, control bytes made spaces. */
static const char *snippet(const struct sl_buf *resp, char out[ES_SNIPPET + 1])
{
    size_t n = resp->len < ES_SNIPPET ? resp->len : ES_SNIPPET;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)resp->data[i];

        out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    out[n] = '\0';
    return out;
}

static int clamp(size_t n, size_t max)
{
    return (int)(n < max ? n : max);
}

/* A record that can never pass (over the body ceiling or the cluster's
 * request limit) is rejected, so it goes to the dead-letter file instead of
 * coming back forever. */
static void dead_letter(struct es_sink *s, struct es_req *q, const struct sl_rec *recs,
                        size_t n, enum sink_verdict *out, const int *status);

static void reject_alone(struct es_sink *s, struct es_req *q, const struct sl_rec *r,
                         const char *why, enum sink_verdict *out)
{
    SL_WARN(s->comp, "bulk item rejected index=%.*s id=%.*s reason=\"%s\" doc_bytes=%zu",
            clamp(r->index_len, SL_INDEX_NAME_LIMIT), r->index, (int)SL_ID_LEN, r->id,
            why, r->doc_len);
    out[0] = SINK_REJECT;
    if (s->dlq) {
        struct es_resp_item it = { 0 };
        int st = 413;
        if (!q->items_cap) {
            q->items = sl_realloc(q->items, sizeof *q->items);
            q->items_cap = 1;
        }
        it.status = 413;
        it.type = "sluice_too_large";
        it.type_len = strlen(it.type);
        it.reason = why;
        it.reason_len = strlen(why);
        q->items[0] = it;
        dead_letter(s, q, r, 1, out, &st);
    }
}

/* Writes the REJECT records of recs[0..n) (their errors in q->items) to the
 * dead-letter file and syncs it. A record that cannot be written becomes
 * RETRY: it stays in the buffer rather than being dropped. status: NULL, or
 * one status for all (reject_alone). */
static void dead_letter(struct es_sink *s, struct es_req *q, const struct sl_rec *recs,
                        size_t n, enum sink_verdict *out, const int *status)
{
    struct sl_err err;
    size_t written = 0, failed = 0;

    for (size_t i = 0; i < n; i++) {
        const struct es_resp_item *it = &q->items[i];
        if (out[i] != SINK_REJECT)
            continue;
        sl_err_clear(&err);
        if (dlq_put(s->dlq, &recs[i], status ? *status : it->status, it->type, it->type_len,
                    it->reason, it->reason_len, &err)) {
            out[i] = SINK_RETRY;
            failed++;
            continue;
        }
        written++;
    }
    if (written) {
        sl_err_clear(&err);
        if (dlq_sync(s->dlq, &err)) {
            for (size_t i = 0; i < n; i++)
                if (out[i] == SINK_REJECT)
                    out[i] = SINK_RETRY;
            failed += written;
            written = 0;
        }
    }
    if (failed) {
        if (sl_episode_hit(&s->dlq_ep))
            SL_ERROR(s->comp, "cannot write rejected records to the dead-letter file, keeping "
                     "them to retry: records=%zu: %s", failed, err.msg);
    } else if (written && s->dlq_ep.active) {
        sl_episode_end(&s->dlq_ep);
        SL_INFO(s->comp, "dead-letter file %s writable again", dlq_path(s->dlq));
    }
    atomic_fetch_add(&s->stats->dead_lettered, written);
}

/* The account, for messages: never a secret. */
static const char *who(const struct es_sink *s, char *buf, size_t len)
{
    if (s->conf->username)
        snprintf(buf, len, "user '%s'", s->conf->username);
    else
        snprintf(buf, len, "%s", s->conf->api_key ? "the api_key" : "the anonymous user");
    return buf;
}

/* The request-level outcome of a non-200 answer. */
static int http_failure(struct es_sink *s, const struct es_req *q, size_t n, struct sl_err *err)
{
    char snip[ES_SNIPPET + 1], acct[160];
    const char *where = q->host->label;
    long st = q->status;

    snippet(&q->resp, snip);
    if (st == 401 && s->conf->username)
        return sl_err_set(err, SL_EAUTH, where, "HTTP 401: the cluster did not accept the "
                          "password of user '%s': %s", s->conf->username, snip);
    if (st == 401)
        return sl_err_set(err, SL_EAUTH, where, "HTTP 401: the cluster did not accept the %s: "
                          "%s", s->conf->api_key ? "api_key" : "request without credentials "
                          "(set username/password or api_key)", snip);
    /* Old clusters answer a flood-stage disk block with 403 (FORBIDDEN/12): it lifts by itself. */
    if (st == 403 && strstr(q->resp.data, "cluster_block_exception"))
        return sl_err_set(err, SL_EFULL, where, "HTTP 403 cluster block (disk flood stage?): %s",
                          snip);
    if (st == 403)
        return sl_err_set(err, SL_EAUTH, where, "HTTP 403: %s lacks a privilege; writing "
                          "needs create_doc (or write) on the index, and auto_configure to "
                          "create a data stream: %s", who(s, acct, sizeof acct), snip);
    if (st == 413)
        return sl_err_set(err, SL_ETOOBIG, where, "HTTP 413: a request of %zu records is over "
                          "the cluster's http.max_content_length", n);
    if (st == 429)
        return sl_err_set(err, SL_EFULL, where, "HTTP 429: the cluster rejects writes for now: %s",
                          snip);
    if (st == 408 || st >= 500)
        return sl_err_set(err, SL_ENET, where, "HTTP %ld: %s", st, snip);
    return sl_err_set(err, SL_EPROTO, where, "unexpected HTTP %ld to _bulk: %s", st, snip);
}

static void log_items(struct es_sink *s, const struct es_req *q, const struct sl_rec *recs,
                      size_t n, const enum sink_verdict *out, const struct es_resp_counts *c)
{
    const struct es_resp_item *it;
    size_t logged = 0;
    uint64_t k;

    if (c->reject) {
        SL_WARN(s->comp, "bulk items rejected rejected=%zu done=%zu duplicates=%zu retry=%zu "
                "records=%zu", c->reject, c->done, c->duplicate, c->retry, n);
        for (size_t i = 0; i < n && logged < ES_REJECT_LOG_MAX; i++) {
            if (out[i] != SINK_REJECT)
                continue;
            it = &q->items[i];
            SL_WARN(s->comp, "bulk item rejected index=%.*s id=%.*s status=%d type=%.*s "
                    "reason=\"%.*s\"", clamp(recs[i].index_len, SL_INDEX_NAME_LIMIT),
                    recs[i].index, (int)SL_ID_LEN, recs[i].id, it->status,
                    clamp(it->type_len, ES_TYPE_LOG), it->type ? it->type : "",
                    clamp(it->reason_len, ES_REASON_LOG), it->reason ? it->reason : "");
            logged++;
        }
    }
    if (!c->retry) {
        k = sl_episode_end(&s->retry_ep);
        if (k)
            SL_INFO(s->comp, "bulk items accepted again after requests_with_retries=%llu",
                    (unsigned long long)k);
        return;
    }
    if (!sl_episode_hit(&s->retry_ep))
        return;
    for (size_t i = 0; i < n; i++) {
        if (out[i] != SINK_RETRY)
            continue;
        it = &q->items[i];
        SL_WARN(s->comp, "bulk items to retry retry=%zu records=%zu no_status=%zu status=%d "
                "type=%.*s reason=\"%.*s\" (logged again once every item is accepted)",
                c->retry, n, c->no_status, it->status, clamp(it->type_len, ES_TYPE_LOG),
                it->type ? it->type : "", clamp(it->reason_len, ES_REASON_LOG),
                it->reason ? it->reason : "");
        break;
    }
}

/* Reads a 200 answer. 0, or SL_EPROTO when it does not answer these records. */
static int read_items(struct es_sink *s, struct es_req *q, struct sl_err *err)
{
    const struct sl_rec *recs = q->recs;
    enum sink_verdict *out = q->out;
    size_t n = q->n;
    struct es_resp_counts c;
    const struct es_resp_item *it;
    int rc;

    if (n > q->items_cap) {
        q->items = sl_realloc(q->items, n * sizeof *q->items);
        q->items_cap = n;
    }
    rc = es_resp_parse(q->resp.data, q->resp.len, n, (enum es_op)s->conf->op_type, out,
                       q->items, &c, err);
    if (rc) {
        snprintf(err->where, sizeof err->where, "%s", q->host->label);
        return rc;
    }
    /* With deterministic IDs an item names its record: a mismatch means the
     * answer is not in request order, so no verdict in it can be trusted. */
    for (size_t i = 0; i < n; i++) {
        it = &q->items[i];
        /* The failure store keeps a document under an ID of its own. */
        if (it->id && !it->failure_stored &&
            (it->id_len != SL_ID_LEN || memcmp(it->id, recs[i].id, SL_ID_LEN) != 0)) {
            for (size_t j = 0; j < n; j++)
                out[j] = SINK_RETRY;
            return sl_err_set(err, SL_EPROTO, q->host->label, "bulk item %zu answers id "
                              "%.*s, the record is %.*s", i, clamp(it->id_len, 64), it->id,
                              (int)SL_ID_LEN, recs[i].id);
        }
    }
    /* A privilege refused per item (OpenSearch checks index creation and
     * mapping updates item by item) is the account's problem, not the
     * documents': the sink stops as on a request-level 403 instead of
     * dead-lettering good documents. */
    for (size_t i = 0; c.reject && i < n; i++) {
        it = &q->items[i];
        if (it->status == 403 && it->type && it->type_len == 18 &&
            memcmp(it->type, "security_exception", 18) == 0) {
            for (size_t j = 0; j < n; j++)
                out[j] = SINK_RETRY;
            char acct[160];
            return sl_err_set(err, SL_EAUTH, q->host->label, "HTTP 403 on bulk items: %s "
                              "lacks a privilege on index %.*s: %.*s", who(s, acct, sizeof acct),
                              clamp(recs[i].index_len, SL_INDEX_NAME_LIMIT), recs[i].index,
                              clamp(it->reason_len, ES_REASON_LOG), it->reason ? it->reason : "");
        }
    }
    log_items(s, q, recs, n, out, &c);
    q->failure_stored = c.failure_stored;
    if (c.failure_stored)
        SL_WARN(s->comp, "bulk items kept in the failure store failure_stored=%zu records=%zu "
                "(the data stream refused them as they are; they are stored apart, "
                "INDEX::failures)", c.failure_stored, n);
    if (c.reject && s->dlq)
        dead_letter(s, q, recs, n, out, NULL);
    return 0;
}

/* Builds the body (and its gzip) of the slot's records; 1 when the request
 * was answered without I/O (*rc then says how). */
static int build(struct es_sink *s, struct es_req *q, int *rc, struct sl_err *err)
{
    sl_buf_reset(&q->body);
    *rc = es_bulk_body(&q->body, q->recs, q->n, (enum es_op)s->conf->op_type);
    if (*rc) {
        if (q->n == 1) {
            reject_alone(s, q, q->recs, "over the bulk body limit", q->out);
            *rc = 0;
            return 1;
        }
        *rc = sl_err_set(err, SL_ETOOBIG, s->comp, "%zu records are over the bulk body "
                         "limit of %llu bytes", q->n, (unsigned long long)SL_BULK_BYTES_LIMIT);
        return 1;
    }
    if (q->gz) {
        *rc = es_bulk_gzip(q->gz, q->body.data, q->body.len, &q->gzbody);
        if (*rc) {
            *rc = sl_err_set(err, *rc, s->comp, "gzip of a %zu-byte body failed", q->body.len);
            return 1;
        }
    }
    return 0;
}

/* The request-level outcome of a finished transfer. */
static int conclude(struct es_sink *s, struct es_req *q, struct sl_err *err)
{
    if (q->cc != CURLE_OK) {
        if (q->resp_over)
            return sl_err_set(err, SL_EPROTO, q->host->label, "bulk answer over %llu bytes",
                              (unsigned long long)SL_BULK_RESP_LIMIT);
        return sl_err_set(err, SL_ENET, q->host->label, "POST _bulk: %s",
                          q->errbuf[0] ? q->errbuf : curl_easy_strerror(q->cc));
    }
    if (q->status == 413 && q->n == 1) {
        reject_alone(s, q, q->recs, "HTTP 413: over the cluster's http.max_content_length",
                     q->out);
        return 0;
    }
    if (q->status != 200)
        return http_failure(s, q, q->n, err);
    return read_items(s, q, err);
}

/* Counts the verdicts, moves to the next host after a failure, frees the slot. */
static void report(struct es_sink *s, struct es_req *q, int rc, const struct sl_err *err,
                   struct sink_answer *a)
{
    struct sink_stats *st = s->stats;
    uint64_t done = 0, dup = 0, retry = 0, reject = 0;
    size_t n = q->n;

    if (rc) {
        for (size_t i = 0; i < n; i++)
            q->out[i] = SINK_RETRY;
        atomic_fetch_add(&st->failed_requests, 1);
        if (rc == SL_ENET && q->host && q->added_once) {
            atomic_fetch_add(&q->host->st->failures, 1);
            host_aside(s, q->host, err->msg);
        }
    }
    for (size_t i = 0; i < n; i++) {
        switch (q->out[i]) {
        case SINK_DONE: done++; break;
        case SINK_DUPLICATE: dup++; break;
        case SINK_RETRY: retry++; break;
        case SINK_REJECT: reject++; break;
        }
    }
    atomic_fetch_add(&st->confirmed, done + dup);
    atomic_fetch_add(&st->duplicates, dup);
    atomic_fetch_add(&st->retried, retry);
    atomic_fetch_add(&st->rejected, reject);
    if (!rc)
        atomic_fetch_add(&st->failure_stored, q->failure_stored);
    q->failure_stored = 0;
    a->token = q->token;
    a->rc = rc;
    if (rc)
        a->err = *err;
    else
        sl_err_clear(&a->err);
    q->busy = q->early = q->added_once = 0;
    q->recs = NULL;
    q->out = NULL;
}

static int es_submit(void *state, const struct sl_rec *recs, size_t n, enum sink_verdict *out,
                     uint64_t token)
{
    struct es_sink *s = state;
    struct es_req *q = NULL;

    for (size_t i = 0; i < s->nreqs && !q; i++)
        if (!s->reqs[i].busy)
            q = &s->reqs[i];
    if (!q)
        return SL_EFULL;
    q->busy = 1;
    q->token = token;
    q->recs = recs;
    q->n = n;
    q->out = out;
    q->host = NULL;
    sl_err_clear(&q->early_err);
    atomic_fetch_add(&s->stats->sent, n);
    if (s->setup_wanted && !es_setup_done(s->setup)) {
        /* Detection, template and policy come before the first write;
         * until they could run, records wait as for a failed request. */
        q->early_rc = es_setup_run(s->setup, s->cur, &q->early_err);
        if (q->early_rc) {
            q->early = 1;
            return 0;
        }
    }
    if (n == 0) {
        q->early = 1;
        q->early_rc = 0;
        return 0;
    }
    if (build(s, q, &q->early_rc, &q->early_err)) {
        q->early = 1;
        return 0;
    }
    hosts_tick(s);
    q->host = pick_host(s);
    if (!q->host) {
        /* No host is UP: the next poll probes one. */
        q->parked = 1;
        s->nparked++;
        hosts_tick(s);
        return 0;
    }
    start_req(s, q);
    return 0;
}

/* Puts the built request of q on the wire to q->host. */
static void start_req(struct es_sink *s, struct es_req *q)
{
    const char *wire = q->gz ? q->gzbody.data : q->body.data;
    CURLMcode mc;

    q->wire_len = q->gz ? q->gzbody.len : q->body.len;
    sl_buf_reset(&q->resp);
    q->resp_over = 0;
    q->errbuf[0] = '\0';
    q->status = 0;
    q->cc = CURLE_OK;
    curl_easy_setopt(q->easy, CURLOPT_URL, q->host->url);
    curl_easy_setopt(q->easy, CURLOPT_POSTFIELDS, wire);
    curl_easy_setopt(q->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->wire_len);
    q->t0_ns = sl_clock_mono_ns();
    mc = curl_multi_add_handle(s->multi, q->easy);
    if (mc != CURLM_OK) {
        q->early = 1;
        q->early_rc = sl_err_set(&q->early_err, SL_ENET, q->host->label,
                                 "cannot start the request: %s", curl_multi_strerror(mc));
        return;
    }
    q->added = q->added_once = 1;
    s->nadded++;
}

/* One finished transfer from the multi handle, if any. */
static struct es_req *finished(struct es_sink *s)
{
    CURLMsg *m;
    int left;

    while ((m = curl_multi_info_read(s->multi, &left))) {
        struct es_req *q = NULL;

        if (m->msg != CURLMSG_DONE)
            continue;
        for (size_t i = 0; i < s->nreqs && !q; i++)
            if (s->reqs[i].easy == m->easy_handle)
                q = &s->reqs[i];
        if (!q) {
            for (size_t i = 0; i < s->nhosts; i++)
                if (s->hosts[i].probe.easy == m->easy_handle && s->hosts[i].probe.added)
                    probe_done(s, &s->hosts[i], m->data.result);
            if (s->disc.easy == m->easy_handle && s->disc.added)
                disc_done(s, m->data.result);
            continue;
        }
        if (!q->added)
            continue;
        q->cc = m->data.result;
        if (q->cc == CURLE_OK)
            curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &q->status);
        curl_multi_remove_handle(s->multi, q->easy);
        q->added = 0;
        s->nadded--;
        sink_stats_request(s->stats, q->wire_len, (sl_clock_mono_ns() - q->t0_ns) / 1000u);
        atomic_fetch_add(&q->host->st->requests, 1);
        return q;
    }
    return NULL;
}

static int report_early(struct es_sink *s, struct sink_answer *a)
{
    for (size_t i = 0; i < s->nreqs; i++) {
        struct es_req *q = &s->reqs[i];

        if (q->busy && q->early) {
            report(s, q, q->early_rc, &q->early_err, a);
            return 1;
        }
    }
    return 0;
}

static int es_poll(void *state, int timeout_ms, struct sink_answer *a)
{
    struct es_sink *s = state;
    struct es_req *q;
    struct sl_err err;

    for (int round = 0; round < 2; round++) {
        if (report_early(s, a))
            return 1;
        drive(s);
        q = finished(s);
        hosts_tick(s);
        if (q) {
            sl_err_clear(&err);
            report(s, q, conclude(s, q, &err), &err, a);
            return 1;
        }
        if (report_early(s, a))
            return 1;
        /* Background probes alone are not worth a wait: nothing to report. */
        if (round || timeout_ms <= 0 || (!s->nadded && !s->nparked))
            return 0;
        curl_multi_poll(s->multi, NULL, 0, timeout_ms, NULL);
        s->drive_ms = sl_clock_mono_ms();       /* the wait drove the transfers */
    }
    return 0;
}

static void es_drop(void *state)
{
    struct es_sink *s = state;

    for (size_t i = 0; i < s->nreqs; i++) {
        struct es_req *q = &s->reqs[i];

        if (q->added) {
            curl_multi_remove_handle(s->multi, q->easy);
            q->added = 0;
        }
        q->busy = q->early = q->parked = q->added_once = 0;
    }
    s->nadded = 0;
    s->nparked = 0;
}

/* One request, waited for: nothing else may be in flight. */
static int es_send(void *state, const struct sl_rec *recs, size_t n,
                   enum sink_verdict *out, struct sl_err *err)
{
    struct es_sink *s = state;
    struct sink_answer a;
    int rc;

    rc = es_submit(s, recs, n, out, 0);
    if (rc)
        return err ? sl_err_set(err, rc, s->comp, "a request is already in flight") : rc;
    /* Bounded: libcurl ends the transfer at `timeout`. */
    while (!es_poll(s, 1000, &a))
        ;
    if (a.rc && err)
        *err = a.err;
    return a.rc;
}

static void es_creds(const void *confp, struct sink_cred *out)
{
    const struct es_conf *c = confp;

    *out = (struct sink_cred){ c->username, c->password, c->api_key };
}

/* New credentials (nothing in flight, sink.h): new headers and easy handles. */
static int es_reauth(void *state, const struct sink_cred *c, struct sl_err *err)
{
    struct es_sink *s = state;
    int rc;

    if (c->api_key && c->username)
        return sl_err_set(err, SL_ECONFIG, s->comp, "api_key and username are exclusive");
    set_creds(s, c->username, c->password, c->api_key);
    es_setup_retry_now(s->setup);       /* detection refused before: try it at once */
    curl_slist_free_all(s->headers);
    s->headers = NULL;
    rc = make_headers(s, err);
    /* The probes and discovery carry the API key too (basic auth comes from
     * the conf, read again by every get_start). */
    curl_slist_free_all(s->get_headers);
    s->get_headers = NULL;
    if (!rc && add_auth_header(&s->get_headers, s->conf))
        rc = sl_err_set(err, SL_EINVAL, s->comp, "cannot build the request headers");
    for (size_t i = 0; !rc && i < s->nreqs; i++) {
        struct es_req *q = &s->reqs[i];

        if (q->easy)
            curl_easy_cleanup(q->easy);
        q->easy = NULL;
        rc = setup_easy(s, q, err);
    }
    return rc;
}

/* The cluster acknowledges a bulk item only once its translog is fsynced
 * (index.translog.durability: request, the default): nothing to do here. */
static int es_flush(void *state, struct sl_err *err)
{
    return 0;
}

/* Delivery calls it once, on its thread, before the first batch: the
 * product and version are logged at start even with nothing to send. */
static void es_start(void *state)
{
    struct es_sink *s = state;
    struct sl_err err;

    s->setup_wanted = 1;
    sl_err_clear(&err);
    es_setup_run(s->setup, s->cur, &err);   /* logs what it found, or why not */
}

int es_conn_prepare(CURL *e, const struct es_conf *c, struct curl_slist **headers,
                    struct sl_err *err)
{
    const char *what = "";
    CURLcode cc = conn_opts(e, c, &what);

    if (cc != CURLE_OK)
        return sl_err_set(err, SL_EINVAL, "sink", "libcurl refused %s: %s", what,
                          curl_easy_strerror(cc));
    if (add_auth_header(headers, c))
        return sl_err_set(err, SL_EINVAL, "sink", "cannot build the request headers");
    return 0;
}

#define ES_SINK_TYPE(type_name) {                                              \
    .name = (type_name), .rows = es_conf_rows, .conf_size = sizeof(struct es_conf), \
    .validate = es_conf_validate, .batch = es_conf_batch, .index = es_conf_index,   \
    .probe = es_setup_probe, .start = es_start, .access = es_priv_access,          \
    .creds = es_creds, .reauth = es_reauth,                                         \
    .open = es_open, .send = es_send, .flush = es_flush, .close = es_close,          \
    .submit = es_submit, .poll = es_poll, .drop = es_drop,                          \
}

/* One implementation, two names: users of either product write their own. */
const struct sink_type sink_es = ES_SINK_TYPE("elasticsearch");
const struct sink_type sink_opensearch = ES_SINK_TYPE("opensearch");
