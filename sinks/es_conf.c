/* sinks/es_conf.c: the config rows of the elasticsearch / opensearch sink. */
#include <stddef.h>
#include <string.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "sinks/es_conf.h"
#include "sinks/es_template.h"

#define OFF(f) offsetof(struct es_conf, f)
#define MS_HOUR (3600u * 1000u)

static const char *const op_names[] = { "create", "index", NULL };

static const struct sl_cfg_row tls_rows[] = {
    { "ca", SL_CFG_STR, NULL, 0, 0, OFF(tls_ca),
      "CA bundle (PEM) that signs the cluster's certificate; default: the system's", NULL, NULL, 0 },
    { "verify", SL_CFG_BOOL, "true", 0, 0, OFF(tls_verify),
      "check the cluster's certificate and host name (false is logged loudly)", NULL, NULL, 0 },
    { "cert", SL_CFG_STR, NULL, 0, 0, OFF(tls_cert),
      "client certificate (PEM) for clusters that require one", NULL, NULL, 0 },
    { "key", SL_CFG_STR, NULL, 0, 0, OFF(tls_key),
      "private key (PEM) of the client certificate", NULL, NULL, 0 },
    SL_CFG_END
};

static const struct sl_cfg_row batch_rows[] = {
    { "max_docs", SL_CFG_UINT, "5000", 1, SL_BULK_DOCS_LIMIT, OFF(max_docs),
      "records in one bulk request", NULL, NULL, 0 },
    { "max_bytes", SL_CFG_SIZE, "5MiB", 1024, SL_BULK_BYTES_LIMIT, OFF(max_bytes),
      "documents' bytes in one bulk request (the cluster takes 100mb at most)", NULL, NULL, 0 },
    { "max_wait", SL_CFG_DURATION, "1s", 1, 60000, OFF(max_wait_ms),
      "a partial batch is sent after this long", NULL, NULL, 0 },
    SL_CFG_END
};

static const struct sl_cfg_row retry_rows[] = {
    { "initial", SL_CFG_DURATION, "100ms", 1, 60000, OFF(retry_initial_ms),
      "first wait before a record answered 'retry' is sent again", NULL, NULL, 0 },
    { "max", SL_CFG_DURATION, "30s", 1, MS_HOUR, OFF(retry_max_ms),
      "longest wait between attempts (the wait doubles up to it, with jitter)", NULL, NULL, 0 },
    SL_CFG_END
};

static const struct sl_cfg_row template_rows[] = {
    { "install", SL_CFG_BOOL, "false", 0, 0, OFF(tmpl_install),
      "put a composable index template for `index` at start (ECS mappings; data_stream "
      "when the index is a data stream)", NULL, NULL, 0 },
    { "name", SL_CFG_STR, "sluice-logs", 0, 0, OFF(tmpl_name),
      "the template's name (_index_template/NAME)", NULL, NULL, 0 },
    { "file", SL_CFG_STR, NULL, 0, 0, OFF(tmpl_file),
      "JSON file with the template's \"mappings\" object; default: the built-in ECS mappings",
      NULL, NULL, 0 },
    { "overwrite", SL_CFG_BOOL, "false", 0, 0, OFF(tmpl_overwrite),
      "replace a template of that name that differs; false: leave it and log it", NULL, NULL, 0 },
    { "priority", SL_CFG_UINT, "200", 101, 2147483647u, OFF(tmpl_priority),
      "template priority; above the built-in logs-*-* (100)", NULL, NULL, 0 },
    SL_CFG_END
};

static const struct sl_cfg_row rollover_rows[] = {
    { "max_age", SL_CFG_DURATION, "1d", 0, 3650ull * 24 * MS_HOUR, OFF(lc_rollover_age_ms),
      "roll a data stream over to a new backing index after this long (0: no age limit)",
      NULL, NULL, 0 },
    { "max_size", SL_CFG_SIZE, "50GiB", 0, 0, OFF(lc_rollover_size),
      "... or once its primary shard is this big (0: no size limit)", NULL, NULL, 0 },
    SL_CFG_END
};

static const struct sl_cfg_row lifecycle_rows[] = {
    { "install", SL_CFG_BOOL, "false", 0, 0, OFF(lc_install),
      "put a lifecycle policy at start: ILM on Elasticsearch, ISM on OpenSearch", NULL, NULL, 0 },
    { "name", SL_CFG_STR, "sluice-logs", 0, 0, OFF(lc_name),
      "the policy's name", NULL, NULL, 0 },
    { "overwrite", SL_CFG_BOOL, "false", 0, 0, OFF(lc_overwrite),
      "replace a policy of that name that differs; false: leave it and log it", NULL, NULL, 0 },
    { "rollover", SL_CFG_SECTION, NULL, 0, 0, 0,
      "when a data stream rolls over (dated indices never do)", NULL, rollover_rows, 0 },
    { "delete_after", SL_CFG_DURATION, "30d", 0, 3650ull * 24 * MS_HOUR, OFF(lc_delete_after_ms),
      "delete an index this long after it was created, or rolled over (0: never)",
      NULL, NULL, 0 },
    SL_CFG_END
};

const struct sl_cfg_row es_conf_rows[] = {
    { "hosts", SL_CFG_STRLIST, NULL, 0, 0, OFF(hosts),
      "cluster addresses, http://host:port or https://host:port; tried in turn", NULL, NULL, 1 },
    { "index", SL_CFG_STR, "logs-syslog-default", 0, 0, OFF(index),
      "target: a data stream, an index, or a date pattern such as syslog-%Y.%m.%d", NULL, NULL, 0 },
    { "op_type", SL_CFG_ENUM, "create", 0, 0, OFF(op_type),
      "create (a replay is answered 409 and confirmed; data streams need it) or index",
      op_names, NULL, 0 },
    { "username", SL_CFG_STR, NULL, 0, 0, OFF(username),
      "basic authentication user", NULL, NULL, 0 },
    { "password", SL_CFG_SECRET, NULL, 0, 0, OFF(password),
      "basic authentication password; ${env:X} or ${file:P}", NULL, NULL, 0 },
    { "api_key", SL_CFG_SECRET, NULL, 0, 0, OFF(api_key),
      "API key sent as 'Authorization: ApiKey <key>' (the base64 form)", NULL, NULL, 0 },
    { "dead_letter", SL_CFG_STR, NULL, 0, 0, OFF(dead_letter),
      "NDJSON file for records the cluster will never take as they are (mapping conflicts, "
      "bad values, over the size limit): index, _id, status, error and the document, one "
      "line each; default: none (logged and counted only)", NULL, NULL, 0 },
    { "tls", SL_CFG_SECTION, NULL, 0, 0, 0,
      "TLS towards https:// hosts", NULL, tls_rows, 0 },
    { "batch", SL_CFG_SECTION, NULL, 0, 0, 0,
      "how records are grouped into bulk requests", NULL, batch_rows, 0 },
    { "timeout", SL_CFG_DURATION, "30s", 100, MS_HOUR, OFF(timeout_ms),
      "longest one bulk request may take, upload to last byte of the answer", NULL, NULL, 0 },
    { "connect_timeout", SL_CFG_DURATION, "5s", 10, 300000, OFF(connect_timeout_ms),
      "longest a connection (TCP and TLS) may take to set up", NULL, NULL, 0 },
    { "gzip", SL_CFG_BOOL, "false", 0, 0, OFF(gzip),
      "compress request bodies (Content-Encoding: gzip)", NULL, NULL, 0 },
    { "concurrency", SL_CFG_UINT, "1", 1, SL_SINK_CONCURRENCY_LIMIT, OFF(concurrency),
      "bulk requests in flight at once, each on its own connection", NULL, NULL, 0 },
    { "retry", SL_CFG_SECTION, NULL, 0, 0, 0,
      "backoff for records the cluster answered 'retry'", NULL, retry_rows, 0 },
    { "template", SL_CFG_SECTION, NULL, 0, 0, 0,
      "index template installed at start (docs/templates.md)", NULL, template_rows, 0 },
    { "lifecycle", SL_CFG_SECTION, NULL, 0, 0, 0,
      "lifecycle policy installed at start (docs/templates.md)", NULL, lifecycle_rows, 0 },
    SL_CFG_END
};

static int check_host(const char *h)
{
    const char *a, *end;

    if (strncmp(h, "http://", 7) == 0)
        a = h + 7;
    else if (strncmp(h, "https://", 8) == 0)
        a = h + 8;
    else
        return -1;
    end = a + strcspn(a, "/?#");
    if (end == a || memchr(a, '@', (size_t)(end - a)) || strpbrk(h, " \t\r\n?#"))
        return -1;
    return 0;
}

/* A template or policy name: it goes into a URL path and a JSON string as is. */
static int name_ok(const char *n)
{
    if (!n || !n[0] || strlen(n) > 255 || strchr("-_.", n[0]))
        return 0;
    return strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == strlen(n);
}

static void problem(struct sl_buf *b, const char *what)
{
    if (b->len)
        sl_buf_puts(b, "; ");
    sl_buf_puts(b, what);
}

int es_conf_validate(const void *confp, struct sl_err *err)
{
    const struct es_conf *c = confp;
    struct sl_buf b;
    int rc = 0;

    sl_buf_init(&b, 256, 1400);
    if (c->hosts.n == 0)
        problem(&b, "hosts: give at least one address");
    for (size_t i = 0; i < c->hosts.n; i++)
        if (check_host(c->hosts.v[i])) {
            sl_buf_printf(&b, "%shosts: '%.80s' is not http://host:port or https://host:port "
                          "(credentials go in username/password)", b.len ? "; " : "",
                          c->hosts.v[i]);
        }
    if (c->index && !c->index[0])
        problem(&b, "index: empty");
    if (c->password && !c->username)
        problem(&b, "password without username");
    if (c->api_key && c->username)
        problem(&b, "api_key and username: give one way to authenticate");
    if (c->tls_key && !c->tls_cert)
        problem(&b, "tls.key without tls.cert");
    if (c->retry_initial_ms > c->retry_max_ms)
        problem(&b, "retry.initial is longer than retry.max");
    if (c->tmpl_install || c->lc_install) {
        char pat[SL_INDEX_NAME_LIMIT + 1];
        const char *why = NULL;

        if (c->index && c->index[0] && es_template_pattern(c->index, pat, sizeof pat, &why))
            sl_buf_printf(&b, "%s%s: %s (index '%.80s')", b.len ? "; " : "",
                          c->tmpl_install ? "template.install" : "lifecycle.install", why,
                          c->index);
    }
    if (c->tmpl_install && !name_ok(c->tmpl_name))
        problem(&b, "template.name: use lower case letters, digits, '-', '_' and '.' only, "
                "not starting with '-', '_' or '.'");
    if (c->lc_install && !name_ok(c->lc_name))
        problem(&b, "lifecycle.name: use lower case letters, digits, '-', '_' and '.' only, "
                "not starting with '-', '_' or '.'");
    if (c->tmpl_file && !c->tmpl_install)
        problem(&b, "template.file without template.install: true");
    if (b.len)
        rc = sl_err_set(err, SL_ECONFIG, "sink", "%s", b.data);
    sl_buf_free(&b);
    return rc;
}

void es_conf_batch(const void *confp, struct sink_batch *out)
{
    const struct es_conf *c = confp;

    out->max_docs = c->max_docs;
    out->max_bytes = c->max_bytes;
    out->max_wait_ms = c->max_wait_ms;
    out->retry_initial_ms = c->retry_initial_ms;
    out->retry_max_ms = c->retry_max_ms;
    out->concurrency = (size_t)c->concurrency;
}

const char *es_conf_index(const void *confp)
{
    return ((const struct es_conf *)confp)->index;
}
