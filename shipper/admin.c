/* shipper/admin.c: the admin HTTP endpoint (admin.h).
 *
 * Threads: the loop thread only. evhttp reads requests without blocking, so
 * a slow or idle client holds one connection (closed after
 * SL_ADMIN_TIMEOUT_S) and never the loop; headers past
 * SL_ADMIN_HEADERS_LIMIT and any body are refused by evhttp itself. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "common/bounds.h"
#include "common/mem.h"
#include "shipper/admin.h"

struct admin {
    struct evhttp *http;
    struct evhttp_bound_socket *sock;
    struct admin_opts o;
    int port;
};

int admin_token_ok(const char *header, const char *token)
{
    size_t hl, tl;
    unsigned char diff;

    if (!header || !token || strncasecmp(header, "Bearer ", 7) != 0)
        return 0;
    header += 7;
    while (*header == ' ')
        header++;
    hl = strlen(header);
    tl = strlen(token);
    /* Every byte of the token is compared whatever the header holds: the
     * time depends on the token's length only, never on the first byte
     * that differs. */
    diff = (unsigned char)(hl != tl);
    for (size_t i = 0; i < tl; i++)
        diff |= (unsigned char)token[i] ^ (unsigned char)(i < hl ? header[i] : 0);
    return diff == 0;
}

static void reply(struct evhttp_request *req, int code, const char *reason, const char *ctype,
                  const char *body, size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    struct evbuffer *b = evbuffer_new();

    evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "Cache-Control", "no-store");
    if (b)
        evbuffer_add(b, body, len);
    evhttp_send_reply(req, code, reason, b);
    if (b)
        evbuffer_free(b);
}

static void text(struct evhttp_request *req, int code, const char *reason, const char *line)
{
    char body[512];
    int n = snprintf(body, sizeof body, "%s\n", line);

    reply(req, code, reason, "text/plain; charset=utf-8", body,
          n < 0 ? 0 : (size_t)n < sizeof body ? (size_t)n : sizeof body - 1);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct admin *a = arg;
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
    const char *path = u ? evhttp_uri_get_path(u) : NULL;
    enum { P_NONE, P_METRICS, P_LIVE, P_READY } which = P_NONE;

    if (a->o.token) {
        const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req),
                                              "Authorization");
        if (!admin_token_ok(auth, a->o.token)) {
            evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                              "Bearer realm=\"sluice\"");
            text(req, 401, "Unauthorized", "unauthorized: send Authorization: Bearer TOKEN");
            return;
        }
    }
    if (path && !strcmp(path, "/metrics"))
        which = P_METRICS;
    else if (path && !strcmp(path, "/live"))
        which = P_LIVE;
    else if (path && !strcmp(path, "/ready"))
        which = P_READY;
    if (which == P_NONE) {
        text(req, 404, "Not Found", "not found: GET /metrics, /live or /ready");
        return;
    }
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET");
        text(req, 405, "Method Not Allowed", "method not allowed: GET only");
        return;
    }
    if (which == P_LIVE) {
        text(req, 200, "OK", "live");
    } else if (which == P_READY) {
        char why[256] = "not ready";
        if (a->o.ready(a->o.arg, why, sizeof why))
            text(req, 200, "OK", "ready");
        else
            text(req, 503, "Service Unavailable", why);
    } else {
        struct sl_buf b;
        sl_buf_init(&b, 64 * 1024, SL_ADMIN_RESP_LIMIT);
        if (a->o.metrics(a->o.arg, &b))
            text(req, 500, "Internal Server Error", "metrics over the answer's size limit");
        else
            reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
        sl_buf_free(&b);
    }
}

int admin_open(struct admin **out, struct event_base *base, const struct admin_opts *o,
               struct sl_err *err)
{
    struct admin *a = sl_calloc(1, sizeof *a);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    unsigned long port;
    char *end;
    int rc;

    a->o = *o;
    port = strtoul(o->port, &end, 10);
    if (*end || end == o->port || port > 65535) {
        rc = sl_err_set(err, SL_EINVAL, "admin", "bad port '%s'", o->port);
        goto fail;
    }
    a->http = evhttp_new(base);
    if (!a->http) {
        rc = sl_err_set(err, SL_EIO, "admin", "cannot create the HTTP server");
        goto fail;
    }
    evhttp_set_timeout(a->http, SL_ADMIN_TIMEOUT_S);
    evhttp_set_max_headers_size(a->http, SL_ADMIN_HEADERS_LIMIT);
    evhttp_set_max_body_size(a->http, 0);
    /* Every method reaches on_request, which answers 405 itself. */
    evhttp_set_allowed_methods(a->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                               EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                               EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(a->http, on_request, a);
    a->sock = evhttp_bind_socket_with_handle(a->http, o->host, (ev_uint16_t)port);
    if (!a->sock) {
        rc = sl_err_set(err, SL_EIO, "admin", "cannot listen on %s port %s", o->host, o->port);
        goto fail;
    }
    if (getsockname(evhttp_bound_socket_get_fd(a->sock), (struct sockaddr *)&ss, &sl) == 0)
        a->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    *out = a;
    return 0;
fail:
    admin_close(a);
    return rc;
}

int admin_port(const struct admin *a)
{
    return a->port;
}

void admin_close(struct admin *a)
{
    if (!a)
        return;
    if (a->http)
        evhttp_free(a->http);
    sl_free(a);
}
