/* sinks/es_priv.c: the account's privileges on the cluster (es_priv.h).
 *
 * Design: each question is one small HTTP request on the first host that
 * answers GET /, with the sink's own authentication and TLS (es_conn_prepare).
 * The answers are small and read with libfastjson (the bulk answers, read on
 * the hot path, have their own reader in es_resp.c). Which privileges count:
 * writing is create_doc, create, index or write (any one lets op_type create
 * through); creating a missing index or data stream is auto_configure or
 * create_index; a superuser holds the cluster privilege `all` (Elasticsearch)
 * or the role all_access (OpenSearch). Only `sluice check` calls this, on the
 * main thread, before any delivery. */
#include <curl/curl.h>
#include <json.h>                   /* libfastjson */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/idxname.h"
#include "common/json.h"
#include "common/mem.h"
#include "sinks/es_conf.h"
#include "sinks/es_conn.h"
#include "sinks/es_priv.h"

#define PRIV_ANSWER_LIMIT (256u * 1024u)
/* The write probe's document id: recognisable if a cluster ever stores it. */
#define PROBE_ID "sluice-check-write-probe"

static void put(char *dst, size_t cap, const char *a)
{
    snprintf(dst, cap, "%s", a);
}

/* Appends text to a comma list in dst. */
static void add_item(char *dst, size_t cap, const char *text)
{
    size_t n = strlen(dst);

    if (n + 2 < cap)
        snprintf(dst + n, cap - n, "%s%s", n ? "," : "", text);
}

static struct fjson_object *get(struct fjson_object *o, const char *key)
{
    struct fjson_object *v = NULL;

    if (!o || !fjson_object_is_type(o, fjson_type_object) ||
        !fjson_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

static const char *get_str(struct fjson_object *o, const char *key)
{
    struct fjson_object *v = get(o, key);

    return v && fjson_object_is_type(v, fjson_type_string) ? fjson_object_get_string(v) : NULL;
}

/* SINK_YES/SINK_NO for a boolean member, SINK_UNKNOWN when absent. */
static int get_bool(struct fjson_object *o, const char *key)
{
    struct fjson_object *v = get(o, key);

    if (!v || !fjson_object_is_type(v, fjson_type_boolean))
        return SINK_UNKNOWN;
    return fjson_object_get_boolean(v) ? SINK_YES : SINK_NO;
}

/* The strings of the array o[key] appended to dst (prefix before each). */
static int add_strings(struct fjson_object *o, const char *key, const char *prefix, char *dst,
                       size_t cap, const char *match)
{
    struct fjson_object *a = get(o, key);
    int found = 0;
    char item[160];

    if (!a || !fjson_object_is_type(a, fjson_type_array))
        return 0;
    for (int i = 0; i < fjson_object_array_length(a); i++) {
        struct fjson_object *v = fjson_object_array_get_idx(a, i);
        if (!v || !fjson_object_is_type(v, fjson_type_string))
            continue;
        snprintf(item, sizeof item, "%s%s", prefix, fjson_object_get_string(v));
        add_item(dst, cap, item);
        if (match && strcmp(fjson_object_get_string(v), match) == 0)
            found = 1;
    }
    return found;
}

static struct fjson_object *parse(const char *json)
{
    struct fjson_object *o = json ? fjson_tokener_parse(json) : NULL;

    if (o && !fjson_object_is_type(o, fjson_type_object)) {
        fjson_object_put(o);
        return NULL;
    }
    return o;
}

int es_priv_parse_root(const char *json, struct sink_access *out)
{
    struct fjson_object *o = parse(json), *ver = get(o, "version");
    const char *dist = get_str(ver, "distribution");
    int rc = ver && get_str(ver, "number") ? 0 : SL_EPROTO;

    put(out->product, sizeof out->product, dist ? dist : "elasticsearch");
    if (o)
        fjson_object_put(o);
    return rc;
}

int es_priv_parse_authenticate(const char *json, struct sink_access *out)
{
    struct fjson_object *o = parse(json), *key;
    const char *user = get_str(o, "username");
    const char *type = get_str(o, "authentication_type");
    int rc = user ? 0 : SL_EPROTO;

    out->roles[0] = '\0';
    if (!user) {
        put(out->account, sizeof out->account, "?");
    } else if (type && strcmp(type, "api_key") == 0 && (key = get(o, "api_key"))) {
        /* The key's own name and id (never its secret), then its owner. */
        snprintf(out->account, sizeof out->account, "api_key %s (id %s) of %s",
                 get_str(key, "name") ? get_str(key, "name") : "?",
                 get_str(key, "id") ? get_str(key, "id") : "?", user);
    } else {
        put(out->account, sizeof out->account, user);
    }
    add_strings(o, "roles", "", out->roles, sizeof out->roles, NULL);
    if (o)
        fjson_object_put(o);
    return rc;
}

int es_priv_parse_has_privileges(const char *json, const char *index, struct sink_access *out)
{
    static const char *const write_privs[] = { "create_doc", "create", "index", "write", "all" };
    static const char *const create_privs[] = { "auto_configure", "create_index", "all" };
    struct fjson_object *o = parse(json), *ix = get(get(o, "index"), index);
    char have[128] = "", lack[128] = "";
    int rc = 0;

    out->superuser = get_bool(get(o, "cluster"), "all");
    out->can_write = out->can_create = SINK_UNKNOWN;
    if (!ix) {
        rc = SL_EPROTO;
        snprintf(out->detail, sizeof out->detail, "no answer for index %s in _has_privileges",
                 index);
        goto done;
    }
    out->can_write = out->can_create = SINK_NO;
    for (size_t i = 0; i < sizeof write_privs / sizeof *write_privs; i++) {
        int b = get_bool(ix, write_privs[i]);
        add_item(b == SINK_YES ? have : lack, b == SINK_YES ? sizeof have : sizeof lack,
                 write_privs[i]);
        if (b == SINK_YES)
            out->can_write = SINK_YES;
    }
    for (size_t i = 0; i < 2; i++) {
        int b = get_bool(ix, create_privs[i]);
        add_item(b == SINK_YES ? have : lack, b == SINK_YES ? sizeof have : sizeof lack,
                 create_privs[i]);
    }
    for (size_t i = 0; i < sizeof create_privs / sizeof *create_privs; i++)
        if (get_bool(ix, create_privs[i]) == SINK_YES)
            out->can_create = SINK_YES;
    snprintf(out->detail, sizeof out->detail, "_has_privileges on %s: has [%s], lacks [%s]",
             index, have, lack);
done:
    if (o)
        fjson_object_put(o);
    return rc;
}

int es_priv_parse_authinfo(const char *json, struct sink_access *out)
{
    struct fjson_object *o = parse(json);
    const char *user = get_str(o, "user_name");
    int rc = user ? 0 : SL_EPROTO;

    put(out->account, sizeof out->account, user ? user : "?");
    out->roles[0] = '\0';
    out->superuser = add_strings(o, "roles", "", out->roles, sizeof out->roles, "all_access")
                   ? SINK_YES : SINK_NO;
    add_strings(o, "backend_roles", "backend:", out->roles, sizeof out->roles, NULL);
    if (o)
        fjson_object_put(o);
    return rc;
}

int es_priv_parse_probe(long status, const char *json, struct sink_access *out)
{
    struct fjson_object *o = parse(json), *items, *it = NULL, *err;
    const char *type = NULL, *reason = NULL;
    long st = status;
    int rc = 0;

    if (status == 200) {
        items = get(o, "items");
        if (items && fjson_object_is_type(items, fjson_type_array) &&
            fjson_object_array_length(items) == 1)
            it = get(fjson_object_array_get_idx(items, 0), "create");
        if (!it || !get(it, "status")) {
            rc = SL_EPROTO;
            out->can_write = SINK_UNKNOWN;
            snprintf(out->detail, sizeof out->detail, "write probe: not a one-item bulk answer");
            goto done;
        }
        st = fjson_object_get_int(get(it, "status"));
        err = get(it, "error");
    } else {
        err = get(o, "error");
    }
    type = get_str(err, "type");
    reason = get_str(err, "reason");
    if (st == 400 && type && (strstr(type, "parsing_exception") || strstr(type, "parse"))) {
        /* The document reached the shard and failed there: writing is allowed. */
        out->can_write = SINK_YES;
        out->can_create = SINK_YES;
        snprintf(out->detail, sizeof out->detail, "write probe: allowed (the probe document "
                 "was refused as unparsable, as intended: %s)", type);
    } else if (st == 200 || st == 201) {
        out->can_write = out->can_create = SINK_YES;
        snprintf(out->detail, sizeof out->detail, "write probe: allowed, and the probe document "
                 "%s was stored: delete it", PROBE_ID);
    } else if (st == 401 || st == 403) {
        out->can_write = SINK_NO;
        out->can_create = SINK_UNKNOWN;
        snprintf(out->detail, sizeof out->detail, "write probe: HTTP %ld %s: %.380s", st,
                 type ? type : "", reason ? reason : "refused");
    } else if (st == 404) {
        out->can_write = SINK_UNKNOWN;
        out->can_create = SINK_NO;
        snprintf(out->detail, sizeof out->detail, "write probe: the index is missing and was "
                 "not created: %.380s", reason ? reason : "HTTP 404");
    } else {
        out->can_write = SINK_UNKNOWN;
        snprintf(out->detail, sizeof out->detail, "write probe: HTTP %ld %s: %.380s", st,
                 type ? type : "", reason ? reason : "");
    }
done:
    if (o)
        fjson_object_put(o);
    return rc;
}

int es_priv_probe_body(const char *index, char *buf, size_t cap)
{
    struct sl_buf b;
    int rc;

    /* A `_id` field inside the document: every version of both products
     * refuses it while parsing, after the privileges were checked. */
    sl_buf_init(&b, 256, cap);
    rc = sl_buf_printf(&b, "{\"create\":{\"_index\":") || sl_json_str(&b, index, strlen(index)) ||
         sl_buf_printf(&b, ",\"_id\":\"%s\"}}\n{\"_id\":\"sluice check: never stored\"}\n",
                       PROBE_ID);
    if (!rc && b.len < cap)
        memcpy(buf, b.data, b.len + 1);
    else
        rc = SL_ETOOBIG;
    sl_buf_free(&b);
    return rc;
}

/* ---- HTTP ---- */

struct answer {
    long status;
    struct sl_buf body;
};

/* method path on host; a = status and body; 0, or SL_ENET with err. */
static int http(const struct es_conf *c, const char *host, const char *path, const char *body,
                const char *ctype, struct answer *a, struct sl_err *err)
{
    return es_conn_call(c, host, body ? "POST" : "GET", path, body, ctype, &a->status, &a->body,
                        err);
}

static const char *text(const struct answer *a)
{
    return a->body.data ? a->body.data : "";
}

/* The security endpoint's answer says security is off: the route is not
 * there (no plugin: 400 "no handler found", 404, 405 when another route
 * shares the path) or says it is disabled (x-pack with security off: 500
 * "... not enabled"), rather than refusing the account. */
static int security_off(const struct answer *a)
{
    if (a->status == 500)
        return strstr(text(a), "not enabled") || strstr(text(a), "explicitly enabled");
    return a->status == 400 || a->status == 404 || a->status == 405 || a->status == 410 ||
           a->status == 501;
}

static void elasticsearch(const struct es_conf *c, const char *host, const char *index,
                          struct sink_access *out, struct answer *a, struct sl_err *err)
{
    struct sl_buf q;

    if (http(c, host, "/_security/_authenticate", NULL, NULL, a, err))
        return;
    if (security_off(a)) {
        out->security = SINK_NO;
        out->can_write = out->can_create = SINK_YES;
        snprintf(out->detail, sizeof out->detail, "GET /_security/_authenticate: HTTP %ld",
                 a->status);
        return;
    }
    out->security = SINK_YES;
    if (a->status != 200 || es_priv_parse_authenticate(text(a), out)) {
        out->can_write = SINK_NO;
        snprintf(out->detail, sizeof out->detail, "GET /_security/_authenticate: HTTP %ld: "
                 "the credentials were refused", a->status);
        return;
    }
    sl_buf_init(&q, 256, 4096);
    sl_buf_printf(&q, "{\"cluster\":[\"all\"],\"index\":[{\"names\":[");
    sl_json_str(&q, index, strlen(index));
    sl_buf_printf(&q, "],\"privileges\":[\"create_doc\",\"create\",\"index\",\"write\",\"all\","
                  "\"auto_configure\",\"create_index\"]}]}");
    if (http(c, host, "/_security/user/_has_privileges", q.data, "application/json", a, err) == 0) {
        if (a->status != 200 || es_priv_parse_has_privileges(text(a), index, out))
            snprintf(out->detail, sizeof out->detail, "POST /_security/user/_has_privileges: "
                     "HTTP %ld: %.200s", a->status, text(a));
    }
    sl_buf_free(&q);
}

static void opensearch(const struct es_conf *c, const char *host, const char *index,
                       struct sink_access *out, struct answer *a, struct sl_err *err)
{
    char body[1024];

    if (http(c, host, "/_plugins/_security/authinfo", NULL, NULL, a, err))
        return;
    if (security_off(a)) {
        out->security = SINK_NO;
        out->can_write = out->can_create = SINK_YES;
        snprintf(out->detail, sizeof out->detail, "GET /_plugins/_security/authinfo: HTTP %ld",
                 a->status);
        return;
    }
    out->security = SINK_YES;
    if (a->status != 200 || es_priv_parse_authinfo(text(a), out)) {
        out->can_write = SINK_NO;
        snprintf(out->detail, sizeof out->detail, "GET /_plugins/_security/authinfo: HTTP "
                 "%ld: the credentials were refused", a->status);
        return;
    }
    if (es_priv_probe_body(index, body, sizeof body)) {
        out->can_write = SINK_UNKNOWN;
        snprintf(out->detail, sizeof out->detail, "the index name is too long for the probe");
        return;
    }
    if (http(c, host, "/_bulk?filter_path=items.*.status,items.*.error.type,"
             "items.*.error.reason,error.type,error.reason", body, "application/x-ndjson",
             a, err) == 0)
        es_priv_parse_probe(a->status, text(a), out);
}

int es_priv_access(const void *confp, struct sink_access *out, struct sl_err *err)
{
    const struct es_conf *c = confp;
    struct sl_idxname *ix = NULL;
    struct answer a;
    const char *host = NULL, *index;
    size_t ilen;
    int rc = 0;

    memset(out, 0, sizeof *out);
    out->security = out->can_write = out->can_create = out->superuser = SINK_UNKNOWN;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return sl_err_set(err, SL_EINVAL, "sink", "curl_global_init failed");
    sl_buf_init(&a.body, 4096, PRIV_ANSWER_LIMIT);
    /* The index the sink writes now (a dated pattern, today's). */
    rc = sl_idxname_new(&ix, es_conf_index(c), err);
    if (rc)
        goto fail;
    index = sl_idxname_get(ix, (int64_t)time(NULL) * 1000, &ilen);
    snprintf(out->target, sizeof out->target, "%.*s", (int)ilen, index);
    for (size_t i = 0; i < c->hosts.n && !host; i++) {
        sl_err_clear(err);
        if (http(c, c->hosts.v[i], "/", NULL, NULL, &a, err))
            continue;
        if (a.status == 401) {
            out->security = SINK_YES;
            out->can_write = SINK_NO;
            snprintf(out->detail, sizeof out->detail, "GET /: HTTP 401: the credentials were "
                     "refused");
            goto fail;
        }
        if (a.status == 200 && es_priv_parse_root(text(&a), out) == 0)
            host = c->hosts.v[i];
        /* Allowed in, but not to GET / (a role without cluster monitor):
         * the security endpoints still answer, and tell the product. */
        if (a.status == 403)
            host = c->hosts.v[i];
    }
    if (!host) {
        if (!err->code)
            sl_err_set(err, SL_EPROTO, "sink", "no host answered GET / as a cluster");
        rc = err->code;
        goto fail;
    }
    sl_err_clear(err);
    if (!out->product[0]) {
        if (http(c, host, "/_plugins/_security/authinfo", NULL, NULL, &a, err) == 0)
            put(out->product, sizeof out->product, a.status == 200 ? "opensearch" : "elasticsearch");
        sl_err_clear(err);
    }
    if (strcmp(out->product, "opensearch") == 0)
        opensearch(c, host, out->target, out, &a, err);
    else
        elasticsearch(c, host, out->target, out, &a, err);
    rc = err->code;
fail:
    sl_idxname_free(ix);
    sl_buf_free(&a.body);
    curl_global_cleanup();
    return rc;
}
