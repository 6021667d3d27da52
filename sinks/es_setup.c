/* sinks/es_setup.c: GET / before the first bulk request, then the index
 * template and lifecycle policy the config asks for; and the read-only
 * version of both for `sluice check --connect`.
 *
 * Design: each object (template, policy) is looked up first (GET) and put
 * (PUT) only when missing, or when it differs and `overwrite` is set; the
 * bodies carry a digest (es_template.c) that tells sluice's own body from
 * an edited one. Every step is idempotent, so a run cut short by a network
 * failure simply starts over next time. Outcomes:
 *   no host answers, 5xx, 429        SL_ENET: records wait, tried again
 *   401 (403) to GET /               SL_EAUTH (a warning, no detection)
 *   a cluster sluice does not support SL_EPROTO: records wait
 *   an install the cluster refuses   logged as an error naming the sink, the
 *                                    URL and the cluster's reason; records go
 *                                    on with the mappings the cluster gives
 *                                    them (docs/templates.md says why)
 * The policy comes first so the template can name it (ILM's
 * index.lifecycle.name, a setting the cluster refuses when ILM is absent:
 * the link is only made when the policy is there). ISM links from the
 * policy's own ism_template instead.
 *
 * Threads: an es_setup belongs to the sink's delivery thread;
 * es_setup_probe runs on the caller's thread with its own handles. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/file.h"
#include "common/log.h"
#include "common/mem.h"
#include "sinks/es_bulk.h"
#include "sinks/es_conn.h"
#include "sinks/es_setup.h"
#include "sinks/es_template.h"

/* Answers read here: GET /, one template or policy, an error. */
#define SETUP_RESP_LIMIT        (4u * 1024u * 1024u)
#define SETUP_BODY_LIMIT        (4u * 1024u * 1024u)
/* A template.file bigger than this is not a mappings object. */
#define SETUP_FILE_LIMIT        (1024u * 1024u)
/* Attempts while no host answers are at least this far apart. */
#define SETUP_RETRY_MS          1000u
#define SETUP_REASON            300

struct es_setup {
    const struct es_conf *conf;
    const char           *comp;
    char                 *file_mappings;    /* template.file's text; NULL: built-in */
    size_t                file_len;
    int                   done;
    struct es_cluster     cluster;
    uint64_t              next_try_ms;
    int                   last_rc;
    struct sl_err         last_err;
    struct sl_episode     down_ep;          /* no host answers GET / */
    struct sl_episode     unsup_ep;         /* an unsupported cluster */
};

/* ---- one request ---- */

static size_t resp_write(char *p, size_t size, size_t nmemb, void *ud)
{
    return sl_buf_append(ud, p, size * nmemb) ? 0 : size * nmemb;
}

int es_conn_call(const struct es_conf *c, const char *host, const char *method, const char *path,
                 const char *body, const char *ctype, long *status, struct sl_buf *resp,
                 struct sl_err *err)
{
    char errbuf[CURL_ERROR_SIZE] = "", hdr[128];
    struct curl_slist *h = NULL;
    struct sl_buf url;
    size_t n = strlen(host);
    CURL *e = curl_easy_init();
    CURLcode cc = CURLE_OK;
    int rc = 0;

    *status = 0;
    sl_buf_reset(resp);
    sl_buf_init(&url, 256, 8192);
    while (n && host[n - 1] == '/')
        n--;
    if (!e || sl_buf_append(&url, host, n) || sl_buf_puts(&url, path)) {
        rc = sl_err_set(err, SL_EINVAL, host, "cannot build the request for %s", path);
        goto out;
    }
    rc = es_conn_prepare(e, c, &h, err);
    if (rc)
        goto out;
    if (body) {
        struct curl_slist *t;
        snprintf(hdr, sizeof hdr, "Content-Type: %s", ctype ? ctype : "application/json");
        t = curl_slist_append(h, hdr);
        if (!t) {
            rc = sl_err_set(err, SL_EINVAL, host, "cannot build the request headers");
            goto out;
        }
        h = curl_slist_append(t, "Expect:");
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(e, CURLOPT_URL, url.data);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, resp_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    cc = curl_easy_perform(e);
    if (cc != CURLE_OK) {
        rc = sl_err_set(err, SL_ENET, host, "%s %s: %s", method, path,
                        errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
    if (!resp->data)
        sl_buf_append(resp, "", 0);
out:
    curl_slist_free_all(h);
    if (e)
        curl_easy_cleanup(e);
    sl_buf_free(&url);
    return rc;
}

/* The cluster's own words for a refusal: error.reason (the first one, the
 * root cause), or a bare "error" string, or the start of the answer. */
static const char *reason_of(const struct sl_buf *resp, char out[SETUP_REASON + 1])
{
    const char *t = resp->data ? resp->data : "";
    size_t n;

    if (es_cluster_str(t, "reason", out, SETUP_REASON + 1) ||
        es_cluster_str(t, "error", out, SETUP_REASON + 1))
        return out;
    n = strlen(t) < SETUP_REASON ? strlen(t) : SETUP_REASON;
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)t[i] < 0x20 ? ' ' : t[i];
    out[n] = '\0';
    return n ? out : "(no answer body)";
}

/* The cluster has no such API (a plugin or module missing). */
static int no_handler(const struct sl_buf *resp)
{
    return resp->data && strstr(resp->data, "no handler found for uri") != NULL;
}

static int transient(long status)
{
    return status == 408 || status == 429 || status >= 500;
}

/* ---- detection ---- */

/* GET / on host. 0 with *cl filled; SL_ENET, SL_EAUTH (401/403), SL_EPROTO
 * (not a cluster's answer) with err; *status says what came back. */
static int detect(const struct es_conf *c, const char *host, struct es_cluster *cl,
                  long *status, struct sl_buf *resp, struct sl_err *err)
{
    int rc = es_conn_call(c, host, "GET", "/", NULL, NULL, status, resp, err);

    if (rc)
        return rc;
    if (*status == 401 && c->username)
        return sl_err_set(err, SL_EAUTH, host, "HTTP 401 to GET /: the cluster did not accept "
                          "the password of user '%s'", c->username);
    if (*status == 401 || *status == 403)
        return sl_err_set(err, SL_EAUTH, host, "HTTP %ld to GET /", *status);
    if (*status != 200 || es_cluster_parse(resp->data ? resp->data : "", cl))
        return sl_err_set(err, SL_EPROTO, host, "unexpected answer to GET / (HTTP %ld)", *status);
    return 0;
}

/* ---- the bodies ---- */

struct plan {
    char        pattern[SL_INDEX_NAME_LIMIT + 1];
    int         stream;
    int         ism;                /* OpenSearch: ISM, else ILM */
    char        tpath[320], ppath[320];
    struct sl_buf tbody, pbody;
    char        tdigest[ES_DIGEST_HEX + 1], pdigest[ES_DIGEST_HEX + 1];
    const char *skip_template;      /* why the template cannot go to this cluster */
};

static void plan_free(struct plan *p)
{
    sl_buf_free(&p->tbody);
    sl_buf_free(&p->pbody);
}

static int render_template(const struct es_setup *su, const struct es_conf *c,
                           struct plan *p, int link_ilm)
{
    struct es_template_opts to = {
        .pattern = p->pattern, .data_stream = p->stream, .priority = (unsigned)c->tmpl_priority,
        .mappings = su && su->file_mappings ? su->file_mappings : es_template_ecs_mappings,
        .mappings_len = su && su->file_mappings ? su->file_len : es_template_ecs_mappings_len,
        .ilm_policy = link_ilm ? c->lc_name : NULL,
    };

    return es_template_render(&p->tbody, &to, p->tdigest);
}

/* Everything but the template body, which waits for the policy's outcome. */
static int plan_make(const struct es_conf *c, const struct es_cluster *cl, struct plan *p)
{
    const char *why = NULL;
    struct es_policy_opts po = { 0 };
    int es = cl->product == ES_PRODUCT_ELASTICSEARCH;

    memset(p, 0, sizeof *p);
    sl_buf_init(&p->tbody, 4096, SETUP_BODY_LIMIT);
    sl_buf_init(&p->pbody, 1024, SETUP_BODY_LIMIT);
    if (es_template_pattern(c->index, p->pattern, sizeof p->pattern, &why))
        return -1;                          /* es_conf_validate refused it already */
    p->stream = es_template_is_stream(c->index, c->op_type == ES_OP_CREATE);
    p->ism = cl->product == ES_PRODUCT_OPENSEARCH;
    snprintf(p->tpath, sizeof p->tpath, "/_index_template/%s", c->tmpl_name);
    snprintf(p->ppath, sizeof p->ppath, p->ism ? "/_plugins/_ism/policies/%s" : "/_ilm/policy/%s",
             c->lc_name);
    if (es && !es_cluster_at_least(cl, 7, p->stream ? 9 : 8))
        p->skip_template = p->stream ? "data stream templates need Elasticsearch 7.9 or later"
                                     : "composable index templates need Elasticsearch 7.8 or later";
    po.pattern = p->pattern;
    po.priority = (unsigned)c->tmpl_priority;
    po.rollover = p->stream && (c->lc_rollover_age_ms || c->lc_rollover_size);
    po.rollover_age_ms = c->lc_rollover_age_ms;
    po.rollover_size = c->lc_rollover_size;
    po.delete_after_ms = c->lc_delete_after_ms;
    po.legacy_size = es ? !es_cluster_at_least(cl, 7, 13) : !es_cluster_at_least(cl, 2, 4);
    po.meta = es && es_cluster_at_least(cl, 7, 14);
    if (p->ism)
        return es_policy_render_ism(&p->pbody, &po, p->pdigest);
    return es_policy_render_ilm(&p->pbody, &po, p->pdigest);
}

/* ---- looking and installing ---- */

enum look { LOOK_MISSING, LOOK_SAME, LOOK_DIFFERS, LOOK_REFUSED };

/* GET path: whether it exists and carries digest (or digest2, when not
 * NULL). LOOK_REFUSED (any other answer) leaves *status and resp for the
 * message. 0 or SL_ENET. */
static int look(const struct es_conf *c, const char *host, const char *path, const char *digest,
                const char *digest2, enum look *out, long *status, struct sl_buf *resp,
                struct sl_err *err)
{
    int rc = es_conn_call(c, host, "GET", path, NULL, NULL, status, resp, err);

    if (rc)
        return rc;
    if (transient(*status))
        return sl_err_set(err, SL_ENET, host, "GET %s: HTTP %ld", path, *status);
    if (*status == 404)
        *out = LOOK_MISSING;
    else if (*status == 200)
        *out = resp->data && (strstr(resp->data, digest) ||
                              (digest2 && strstr(resp->data, digest2))) ? LOOK_SAME : LOOK_DIFFERS;
    else
        *out = LOOK_REFUSED;
    return 0;
}

/* Makes `what` (a template or a policy) at path hold body, as the config
 * allows. *there: it exists afterwards (installed, or left as it was). 0,
 * or SL_ENET when the step must be tried again. */
static int install(struct es_setup *su, const char *host, const char *what, const char *name,
                   const char *path, const struct sl_buf *body, const char *digest,
                   int overwrite, int ism, const char *hint, int *there, struct sl_err *err)
{
    const char *comp = su->comp;
    char reason[SETUP_REASON + 1], put_path[400];
    struct sl_buf resp;
    enum look lk = LOOK_REFUSED;
    long status = 0;
    int rc;

    *there = 0;
    sl_buf_init(&resp, 1024, SETUP_RESP_LIMIT);
    rc = look(su->conf, host, path, digest, NULL, &lk, &status, &resp, err);
    if (rc)
        goto out;
    switch (lk) {
    case LOOK_SAME:
        SL_INFO(comp, "%s %s is installed and up to date at %s", what, name, host);
        *there = 1;
        goto out;
    case LOOK_DIFFERS:
        if (!overwrite) {
            SL_WARN(comp, "%s %s exists at %s and differs from sluice's: left alone (set "
                    "overwrite: true to replace it)", what, name, host);
            *there = 1;
            goto out;
        }
        break;
    case LOOK_REFUSED:
        SL_ERROR(comp, "cannot install %s %s at %s%s: HTTP %ld: %s%s", what, name, host, path,
                 status, reason_of(&resp, reason), no_handler(&resp) ? hint : "");
        goto out;
    case LOOK_MISSING:
        break;
    }
    snprintf(put_path, sizeof put_path, "%s", path);
    if (lk == LOOK_DIFFERS && ism) {
        /* ISM updates a policy only with the sequence number it was read at. */
        long long seq = es_cluster_num(resp.data, "_seq_no");
        long long term = es_cluster_num(resp.data, "_primary_term");
        snprintf(put_path, sizeof put_path, "%s?if_seq_no=%lld&if_primary_term=%lld", path,
                 seq, term);
    }
    rc = es_conn_call(su->conf, host, "PUT", put_path, body->data, NULL, &status, &resp, err);
    if (rc)
        goto out;
    if (transient(status)) {
        rc = sl_err_set(err, SL_ENET, host, "PUT %s: HTTP %ld: %s", path, status,
                        reason_of(&resp, reason));
        goto out;
    }
    if (status != 200 && status != 201) {
        SL_ERROR(comp, "cannot install %s %s at %s%s: HTTP %ld: %s", what, name, host, path,
                 status, reason_of(&resp, reason));
        goto out;
    }
    SL_INFO(comp, "%s %s %s at %s", what, name, lk == LOOK_DIFFERS ? "replaced" : "installed",
            host);
    *there = 1;
out:
    sl_buf_free(&resp);
    return rc;
}

/* The template and policy for the cluster just detected on host. */
static int install_all(struct es_setup *su, const char *host, struct sl_err *err)
{
    const struct es_conf *c = su->conf;
    const char *pname = su->cluster.product == ES_PRODUCT_OPENSEARCH ? "ISM lifecycle policy"
                                                                     : "ILM lifecycle policy";
    struct plan p;
    int rc = 0, policy_there = 0, there;

    if (plan_make(c, &su->cluster, &p)) {
        SL_ERROR(su->comp, "no index template or policy for index '%s'", c->index);
        goto out;
    }
    if (c->lc_install) {
        rc = install(su, host, pname, c->lc_name, p.ppath, &p.pbody, p.pdigest,
                     c->lc_overwrite, p.ism, p.ism ? " (is the index management plugin, ISM, "
                     "installed?)" : " (ILM is part of x-pack: is it installed?)",
                     &policy_there, err);
        if (rc)
            goto out;
    }
    if (c->tmpl_install && p.skip_template) {
        SL_ERROR(su->comp, "index template %s not installed at %s: %s %s: %s", c->tmpl_name,
                 host, es_cluster_product_name(su->cluster.product), su->cluster.version,
                 p.skip_template);
    } else if (c->tmpl_install) {
        if (render_template(su, c, &p, policy_there && !p.ism)) {
            SL_ERROR(su->comp, "index template %s: the body is over %u bytes", c->tmpl_name,
                     SETUP_BODY_LIMIT);
            goto out;
        }
        rc = install(su, host, "index template", c->tmpl_name, p.tpath, &p.tbody, p.tdigest,
                     c->tmpl_overwrite, 0, "", &there, err);
        if (!rc && there)
            SL_INFO(su->comp, "index template %s matches %s%s", c->tmpl_name, p.pattern,
                    p.stream ? " (a data stream)" : "");
    }
out:
    plan_free(&p);
    return rc;
}

/* ---- the sink's side ---- */

static int read_file(const char *path, char **out, size_t *len, struct sl_err *err)
{
    char *text = NULL;
    size_t n = 0, lead;
    int rc = sl_read_file(path, SETUP_FILE_LIMIT, &text, &n, err);

    if (rc) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        return sl_err_set(err, rc, path, "template.file: %s", why);
    }
    lead = strspn(text, " \t\r\n");
    if (text[lead] != '{') {
        sl_free(text);
        return sl_err_set(err, SL_EINVAL, path, "template.file: not a JSON object (the "
                          "template's \"mappings\")");
    }
    /* Copied by length: a NUL inside is the cluster's to refuse. */
    *len = n - lead;
    *out = sl_malloc(*len + 1);
    memcpy(*out, text + lead, *len);
    (*out)[*len] = '\0';
    sl_free(text);
    return 0;
}

int es_setup_new(struct es_setup **out, const struct es_conf *conf, const char *comp,
                 struct sl_err *err)
{
    struct es_setup *su = sl_calloc(1, sizeof *su);
    int rc = 0;

    su->conf = conf;
    su->comp = comp;
    if (conf->tmpl_install && conf->tmpl_file) {
        rc = read_file(conf->tmpl_file, &su->file_mappings, &su->file_len, err);
        if (rc) {
            es_setup_free(su);
            return rc;
        }
    }
    *out = su;
    return 0;
}

void es_setup_free(struct es_setup *su)
{
    if (!su)
        return;
    sl_free(su->file_mappings);
    sl_free(su);
}

int es_setup_done(const struct es_setup *su)
{
    return su->done;
}

void es_setup_retry_now(struct es_setup *su)
{
    su->next_try_ms = 0;
}

int es_setup_run(struct es_setup *su, size_t first, struct sl_err *err)
{
    const struct es_conf *c = su->conf;
    struct sl_buf resp;
    const char *host = NULL, *why;
    long status = 0;
    uint64_t now = sl_clock_mono_ms(), k;
    int rc = SL_ENET;

    if (su->done)
        return 0;
    if (now < su->next_try_ms) {
        *err = su->last_err;
        return su->last_rc;
    }
    sl_buf_init(&resp, 1024, SETUP_RESP_LIMIT);
    for (size_t i = 0; i < c->hosts.n; i++) {
        host = c->hosts.v[(first + i) % c->hosts.n];
        sl_err_clear(err);
        rc = detect(c, host, &su->cluster, &status, &resp, err);
        if (rc != SL_ENET)
            break;
    }
    if (rc == SL_EAUTH && status == 403) {
        /* A writer account may lack the monitor privilege GET / needs. */
        SL_WARN(su->comp, "GET / at %s answered HTTP 403 (no cluster monitor privilege?): "
                "product and version unknown, no template or lifecycle policy installed", host);
        rc = 0;
        su->done = 1;
        goto out;
    }
    if (rc == SL_ENET || rc == SL_EAUTH || rc == SL_EPROTO) {
        if (sl_episode_hit(&su->down_ep))
            SL_WARN(su->comp, "cannot detect the cluster: %s at %s; events wait in the buffer, "
                    "detection is tried again before the next request", err->msg, err->where);
        goto out;
    }
    k = sl_episode_end(&su->down_ep);
    SL_INFO(su->comp, "%s %s (cluster %s) at %s%s", es_cluster_product_name(su->cluster.product),
            su->cluster.version, su->cluster.name, host,
            k ? " (reached after failed attempts)" : "");
    why = es_cluster_unsupported(&su->cluster);
    if (why) {
        if (sl_episode_hit(&su->unsup_ep))
            SL_ERROR(su->comp, "%s %s at %s: %s; events wait in the buffer",
                     es_cluster_product_name(su->cluster.product), su->cluster.version,
                     host, why);
        rc = sl_err_set(err, SL_EPROTO, host, "%s %s: %s",
                        es_cluster_product_name(su->cluster.product), su->cluster.version, why);
        goto out;
    }
    sl_episode_end(&su->unsup_ep);
    if (c->tmpl_install || c->lc_install) {
        rc = install_all(su, host, err);
        if (rc) {
            SL_WARN(su->comp, "template or lifecycle install interrupted: %s at %s; tried "
                    "again before the next request", err->msg, err->where);
            goto out;
        }
    }
    su->done = 1;
    rc = 0;
out:
    su->last_rc = rc;
    su->last_err = *err;
    su->next_try_ms = rc ? now + SETUP_RETRY_MS : 0;
    sl_buf_free(&resp);
    return rc;
}

/* ---- sluice check --connect ---- */

static void look_line(const struct es_conf *c, const char *host, const char *what,
                      const char *name, const char *path, const char *digest,
                      const char *digest2, const char *key, const char *hint,
                      void (*line)(void *, const char *), void *arg)
{
    char text[640], reason[SETUP_REASON + 1];
    struct sl_buf resp;
    struct sl_err err = { 0 };
    enum look lk = LOOK_REFUSED;
    long status = 0;

    sl_buf_init(&resp, 1024, SETUP_RESP_LIMIT);
    if (look(c, host, path, digest, digest2, &lk, &status, &resp, &err))
        snprintf(text, sizeof text, "%s %s: cannot tell: %.400s", what, name, err.msg);
    else if (lk == LOOK_SAME)
        snprintf(text, sizeof text, "%s %s: installed, the same as sluice's", what, name);
    else if (lk == LOOK_DIFFERS)
        snprintf(text, sizeof text, "%s %s: exists but differs from sluice's (%s.overwrite: "
                 "true replaces it at start)", what, name, key);
    else if (lk == LOOK_MISSING)
        snprintf(text, sizeof text, "%s %s: missing (sluice run installs it)", what, name);
    else
        snprintf(text, sizeof text, "%s %s: cannot tell: HTTP %ld: %s%s", what, name, status,
                 reason_of(&resp, reason), no_handler(&resp) ? hint : "");
    line(arg, text);
    sl_buf_free(&resp);
}

/* The template and policy the conf would install, looked up on host. */
static void probe_objects(const struct es_conf *c, const struct es_cluster *cl,
                          const char *host, void (*line)(void *, const char *), void *arg)
{
    struct es_setup *su = NULL;
    struct sl_err e = { 0 };
    char text[640], plain[ES_DIGEST_HEX + 1], linked[ES_DIGEST_HEX + 1] = "";
    struct plan p;

    if (es_setup_new(&su, c, "check", &e)) {
        snprintf(text, sizeof text, "index template %s: %.200s: %.300s", c->tmpl_name, e.where, e.msg);
        line(arg, text);
        return;
    }
    if (plan_make(c, cl, &p) == 0) {
        if (c->lc_install)
            look_line(c, host, p.ism ? "ISM lifecycle policy" : "ILM lifecycle policy",
                      c->lc_name, p.ppath, p.pdigest, NULL, "lifecycle",
                      p.ism ? " (is the index management plugin, ISM, installed?)"
                            : " (ILM is part of x-pack: is it installed?)", line, arg);
        if (c->tmpl_install && p.skip_template) {
            snprintf(text, sizeof text, "index template %s: %s", c->tmpl_name, p.skip_template);
            line(arg, text);
        } else if (c->tmpl_install && render_template(su, c, &p, 0) == 0) {
            /* start links the ILM policy only when it is there: either
             * body is sluice's. */
            snprintf(plain, sizeof plain, "%s", p.tdigest);
            if (c->lc_install && !p.ism && render_template(su, c, &p, 1) == 0)
                snprintf(linked, sizeof linked, "%s", p.tdigest);
            look_line(c, host, "index template", c->tmpl_name, p.tpath, plain,
                      linked[0] ? linked : NULL, "template", "", line, arg);
        }
    }
    plan_free(&p);
    es_setup_free(su);
}

int es_setup_probe(const void *confp, void (*line)(void *arg, const char *text), void *arg,
                   struct sl_err *err)
{
    const struct es_conf *c = confp;
    struct es_cluster cl, found;
    const char *found_host = NULL;
    struct sl_buf resp;
    int rc = 0;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return sl_err_set(err, SL_EINVAL, "sink", "curl_global_init failed");
    sl_buf_init(&resp, 1024, 64u * 1024u);
    for (size_t i = 0; i < c->hosts.n; i++) {
        const char *host = c->hosts.v[i];
        struct sl_err e = { 0 };
        char text[512];
        long status = 0;
        int r = detect(c, host, &cl, &status, &resp, &e);

        if (r == SL_ENET)
            snprintf(text, sizeof text, "%s: unreachable: %.300s", host,
                     strncmp(e.msg, "GET /: ", 7) == 0 ? e.msg + 7 : e.msg);
        else if (r == SL_EAUTH)
            snprintf(text, sizeof text, "%s: HTTP %ld: %s", host, status, status == 401 ?
                     "the credentials were refused (check username/password or api_key)" :
                     "the account may not read GET / (it lacks cluster monitor privileges)");
        else if (r)
            snprintf(text, sizeof text, "%s: HTTP %ld: not an Elasticsearch or OpenSearch "
                     "answer to GET /", host, status);
        else
            snprintf(text, sizeof text, "%s: %s %s, cluster %s", host,
                     es_cluster_product_name(cl.product), cl.version, cl.name);
        if (r) {
            rc = r;
            *err = e;
        } else if (!found_host) {
            found = cl;
            found_host = host;
        }
        line(arg, text);
    }
    if (found_host && (c->tmpl_install || c->lc_install))
        probe_objects(c, &found, found_host, line, arg);
    sl_buf_free(&resp);
    curl_global_cleanup();
    return rc;
}
