/* shipper/admin.h: the admin HTTP endpoint (libevent's evhttp) on the
 * daemon's event loop: GET /metrics (Prometheus text), GET /live, GET /ready.
 * Anything else is 404, a method other than GET on those paths 405. With a
 * token, every request needs `Authorization: Bearer TOKEN` (401 otherwise),
 * compared in constant time. docs/monitoring.md.
 *
 * Threads: everything runs on the loop thread that owns base; the callbacks
 * are called there and must not block (they read atomics and take the
 * spool's lock for a moment). */
#ifndef SHIPPER_ADMIN_H
#define SHIPPER_ADMIN_H
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

struct event_base;

struct admin_opts {
    const char *host;           /* an address or a name; IPv6 without brackets */
    const char *port;           /* decimal; "0": the kernel picks */
    const char *token;          /* NULL: no authentication (loopback only; config.c) */
    /* Appends the /metrics text to out; 0, or an error code (answered 500). */
    int  (*metrics)(void *arg, struct sl_buf *out);
    /* 1 when ready; otherwise 0 with a one-line reason in why. */
    int  (*ready)(void *arg, char *why, size_t n);
    void *arg;
};

struct admin;

/* Binds and starts serving on base. o's strings are borrowed and outlive a. */
int  admin_open(struct admin **out, struct event_base *base, const struct admin_opts *o,
                struct sl_err *err);
/* The bound port (the kernel's choice for "0"). */
int  admin_port(const struct admin *a);
void admin_close(struct admin *a);              /* NULL-safe */

/* 1 when header (the Authorization value; NULL: none) carries token as
 * "Bearer TOKEN" (the scheme in any case, spaces after it), 0 otherwise.
 * The time taken does not depend on where the two first differ. */
int  admin_token_ok(const char *header, const char *token);

#endif
