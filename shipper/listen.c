/* shipper/listen.c: TCP and UDP syslog inputs on a libevent loop.
 *
 * Threads: everything here runs on the loop thread of `base`, except
 * listen_pause, listen_resume and the reads of listen_stats. Pause and resume
 * only store the wanted state in the atomic `paused` and activate the `ctl`
 * event (libevent takes the base lock when evthread is on); the loop thread
 * applies it in apply_pause, which is also called first thing by every accept
 * and read callback, so a pause asked from inside the message callback holds
 * from the next read on. `applied` is the loop thread's own view and is
 * touched by no other thread. The counters in `st` are atomics written on the
 * loop thread with relaxed order, read anywhere.
 *
 * TCP connections read with recv() into one SL_READ_CHUNK buffer per listener
 * (the loop thread serves one connection at a time) and feed that
 * connection's framer, which hands whole frames straight from that buffer and
 * copies only a cut tail. UDP reads batches with recvmmsg into preallocated
 * slots. Repeated conditions (refusals, read errors) are logged at most once
 * a minute, each line saying how many went unlogged since the one before;
 * "max_conns reached" once per episode, which ends when a connection is kept
 * again. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* recvmmsg, SO_RCVBUFFORCE */
#endif
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "common/bounds.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "shipper/frame.h"
#include "shipper/listen.h"

#define LISTEN_MAX_SOCKS        8       /* addresses one host name may bind */
#define LISTEN_BACKLOG          1024
#define UDP_BATCH               32      /* datagrams per recvmmsg */
#define UDP_BATCHES_PER_WAKE    8       /* then let TCP connections have a turn */
#define UDP_MAX_PAYLOAD         65535u  /* no datagram is larger */
#define UDP_RCVBUF              (8 * 1024 * 1024)
#define REPORT_MS               60000u  /* one line a minute for a repeating condition */
#define ACCEPT_RETRY_MS         100     /* pause after accept fails for lack of fds/memory */

#define COUNT(l, field, n) atomic_fetch_add_explicit(&(l)->st.field, (n), memory_order_relaxed)

/* A repeating condition logged once a minute, with the count of the last minute. */
struct report {
    struct sl_episode ep;
    uint64_t since_ms;
};

struct conn {
    struct listener *l;
    struct conn *prev, *next;
    evutil_socket_t fd;
    struct event *ev;
    struct frame *fr;
    int64_t recv_ns;
    socklen_t peerlen;
    struct sockaddr_storage peer;
};

struct listener {
    struct event_base *base;
    int proto;
    char comp[96];
    size_t max_msg;
    unsigned max_conns;
    int (*allow)(void *arg, const struct sockaddr *sa, socklen_t len);
    void *allow_arg;
    listen_msg_cb cb;
    void *cb_arg;

    int nsock;
    evutil_socket_t fd[LISTEN_MAX_SOCKS];
    struct evconnlistener *lev[LISTEN_MAX_SOCKS];   /* TCP; owns fd[i] once made */
    struct event *uev[LISTEN_MAX_SOCKS];            /* UDP */
    int port;

    struct conn *conns;
    char *rbuf;                 /* TCP: one read chunk, shared by all connections */
    struct event *retry;        /* TCP: re-enables accepting after EMFILE and the like */
    int accept_off;

    struct mmsghdr *mm;         /* UDP: UDP_BATCH slots of uslot bytes in ubuf */
    struct iovec *iov;
    struct sockaddr_storage *names;
    char *ubuf;
    size_t uslot;

    _Atomic int paused;         /* wanted, any thread */
    int applied;                /* in force, loop thread */
    struct event *ctl;

    struct report refused_rep, read_rep, accept_rep;
    struct sl_episode over_ep;
    struct listen_stats st;
};

/* Returns 1 when this hit should be logged; *suppressed is how many hits
 * went unlogged since the previous line. */
static int report_hit(struct report *r, uint64_t *suppressed)
{
    uint64_t now = sl_clock_mono_ms(), n = 0;

    if (r->ep.active && now - r->since_ms >= REPORT_MS)
        n = sl_episode_end(&r->ep);
    *suppressed = n ? n - 1 : 0;
    if (!sl_episode_hit(&r->ep))
        return 0;
    r->since_ms = now;
    return 1;
}

static const char *addr_str(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];

    if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, outlen, "?");
        return out;
    }
    snprintf(out, outlen, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
    return out;
}

static int sock_port(evutil_socket_t fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;

    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

static void set_port(struct sockaddr *sa, int port)
{
    if (sa->sa_family == AF_INET)
        ((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
    else if (sa->sa_family == AF_INET6)
        ((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
}

static void deliver(struct listener *l, const char *msg, size_t len, unsigned flags,
                    const struct sockaddr *src, socklen_t srclen, int64_t recv_ns)
{
    COUNT(l, msgs, 1);
    if (flags & FRAME_TRUNCATED)
        COUNT(l, truncated, 1);
    if (flags & FRAME_PARTIAL)
        COUNT(l, partial, 1);
    if (flags & FRAME_BAD_COUNT)
        COUNT(l, bad_frames, 1);
    l->cb(l->cb_arg, msg, len, flags, src, srclen, recv_ns);
}

static void read_error(struct listener *l, const struct sockaddr *sa, socklen_t len, int e)
{
    char peer[INET6_ADDRSTRLEN + 16];
    uint64_t suppressed;

    COUNT(l, read_errors, 1);
    if (report_hit(&l->read_rep, &suppressed))
        SL_WARN(l->comp, "read failed peer=%s error=\"%s\" suppressed=%" PRIu64,
                sa ? addr_str(sa, len, peer, sizeof peer) : "-", strerror(e), suppressed);
}

/* ---- TCP ---- */

static void apply_pause(struct listener *l)
{
    int want = atomic_load(&l->paused);

    if (want == l->applied)
        return;
    l->applied = want;
    if (l->proto != LISTEN_TCP)
        return;
    for (struct conn *c = l->conns; c; c = c->next) {
        if (want)
            event_del(c->ev);
        else
            event_add(c->ev, NULL);
    }
    if (!l->accept_off) {
        for (int i = 0; i < l->nsock; i++) {
            if (want)
                evconnlistener_disable(l->lev[i]);
            else
                evconnlistener_enable(l->lev[i]);
        }
    }
    SL_DEBUG(l->comp, "%s", want ? "paused" : "resumed");
}

static void ctl_cb(evutil_socket_t fd, short what, void *arg)
{
    apply_pause(arg);
}

static void conn_msg(void *arg, const char *msg, size_t len, unsigned flags)
{
    struct conn *c = arg;

    deliver(c->l, msg, len, flags, (const struct sockaddr *)&c->peer, c->peerlen, c->recv_ns);
}

/* Delivers the half frame, if any, and frees the connection. */
static void conn_close(struct conn *c)
{
    struct listener *l = c->l;

    c->recv_ns = sl_clock_real_ns();
    frame_finish(c->fr, conn_msg, c);
    if (c->prev)
        c->prev->next = c->next;
    else
        l->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    event_free(c->ev);
    evutil_closesocket(c->fd);
    frame_free(c->fr);
    sl_free(c);
    atomic_fetch_sub_explicit(&l->st.conns_open, 1, memory_order_relaxed);
}

static void conn_read(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    struct listener *l = c->l;
    ssize_t n;

    apply_pause(l);
    if (l->applied)
        return;
    n = recv(fd, l->rbuf, SL_READ_CHUNK, 0);
    if (n > 0) {
        COUNT(l, bytes, (uint64_t)n);
        c->recv_ns = sl_clock_real_ns();
        frame_feed(c->fr, l->rbuf, (size_t)n, conn_msg, c);
        return;
    }
    if (n < 0) {
        int e = errno;

        if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR)
            return;
        read_error(l, (const struct sockaddr *)&c->peer, c->peerlen, e);
    } else {
        char peer[INET6_ADDRSTRLEN + 16];

        SL_DEBUG(l->comp, "connection closed peer=%s",
                 addr_str((const struct sockaddr *)&c->peer, c->peerlen, peer, sizeof peer));
    }
    conn_close(c);
}

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    struct listener *l = arg;
    char peer[INET6_ADDRSTRLEN + 16];
    uint64_t suppressed;
    struct conn *c;
    int one = 1;

    apply_pause(l);
    if (l->allow && !l->allow(l->allow_arg, sa, (socklen_t)salen)) {
        COUNT(l, conns_refused, 1);
        if (report_hit(&l->refused_rep, &suppressed))
            SL_WARN(l->comp, "connection refused by allow list peer=%s suppressed=%" PRIu64,
                    addr_str(sa, (socklen_t)salen, peer, sizeof peer), suppressed);
        evutil_closesocket(fd);
        return;
    }
    if (atomic_load_explicit(&l->st.conns_open, memory_order_relaxed) >= l->max_conns) {
        COUNT(l, conns_over_max, 1);
        if (sl_episode_hit(&l->over_ep))
            SL_WARN(l->comp, "max_conns=%u reached, closing new connections peer=%s",
                    l->max_conns, addr_str(sa, (socklen_t)salen, peer, sizeof peer));
        evutil_closesocket(fd);
        return;
    }
    if (l->over_ep.active)
        SL_INFO(l->comp, "below max_conns=%u again, closed_while_full=%" PRIu64,
                l->max_conns, sl_episode_end(&l->over_ep));

    c = sl_calloc(1, sizeof *c);
    c->l = l;
    c->fd = fd;
    c->peerlen = (socklen_t)salen <= sizeof c->peer ? (socklen_t)salen : sizeof c->peer;
    memcpy(&c->peer, sa, c->peerlen);
    c->ev = event_new(l->base, fd, EV_READ | EV_PERSIST, conn_read, c);
    if (!c->ev) {
        read_error(l, sa, (socklen_t)salen, ENOMEM);
        evutil_closesocket(fd);
        sl_free(c);
        return;
    }
    c->fr = frame_new(l->max_msg);
    /* A peer that vanishes without a FIN would otherwise hold its slot forever. */
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    c->next = l->conns;
    if (l->conns)
        l->conns->prev = c;
    l->conns = c;
    if (!l->applied)
        event_add(c->ev, NULL);
    COUNT(l, conns_open, 1);
    COUNT(l, conns_total, 1);
    SL_DEBUG(l->comp, "connection opened peer=%s", addr_str(sa, (socklen_t)salen, peer, sizeof peer));
}

static void accept_retry_cb(evutil_socket_t fd, short what, void *arg)
{
    struct listener *l = arg;

    l->accept_off = 0;
    if (l->applied)
        return;
    for (int i = 0; i < l->nsock; i++)
        evconnlistener_enable(l->lev[i]);
}

/* libevent calls this for accept errors it will not retry itself; the
 * listening socket stays readable, so without a pause the loop would spin. */
static void accept_err_cb(struct evconnlistener *lev, void *arg)
{
    struct listener *l = arg;
    int e = EVUTIL_SOCKET_ERROR();
    struct timeval tv = { 0, ACCEPT_RETRY_MS * 1000 };
    uint64_t suppressed;

    COUNT(l, read_errors, 1);
    if (report_hit(&l->accept_rep, &suppressed))
        SL_WARN(l->comp, "accept failed error=\"%s\" suppressed=%" PRIu64,
                strerror(e), suppressed);
    if (!l->accept_off) {
        l->accept_off = 1;
        for (int i = 0; i < l->nsock; i++)
            evconnlistener_disable(l->lev[i]);
        evtimer_add(l->retry, &tv);
    }
}

/* ---- UDP ---- */

static void udp_read(evutil_socket_t fd, short what, void *arg)
{
    struct listener *l = arg;

    for (int batch = 0; batch < UDP_BATCHES_PER_WAKE; batch++) {
        int64_t now;
        int n;

        for (int i = 0; i < UDP_BATCH; i++) {
            l->mm[i].msg_hdr.msg_namelen = sizeof l->names[i];
            l->mm[i].msg_hdr.msg_flags = 0;
        }
        n = recvmmsg(fd, l->mm, UDP_BATCH, MSG_DONTWAIT, NULL);
        if (n < 0) {
            int e = errno;

            if (e != EAGAIN && e != EWOULDBLOCK && e != EINTR)
                read_error(l, NULL, 0, e);
            return;
        }
        now = sl_clock_real_ns();
        for (int i = 0; i < n; i++) {
            const struct msghdr *h = &l->mm[i].msg_hdr;
            const struct sockaddr *sa = h->msg_name;
            const char *data = l->ubuf + (size_t)i * l->uslot;
            size_t len = l->mm[i].msg_len;
            unsigned flags = 0;
            uint64_t suppressed;
            char peer[INET6_ADDRSTRLEN + 16];

            COUNT(l, bytes, len);
            if (l->allow && !l->allow(l->allow_arg, sa, h->msg_namelen)) {
                COUNT(l, dgrams_refused, 1);
                if (report_hit(&l->refused_rep, &suppressed))
                    SL_WARN(l->comp, "datagram refused by allow list peer=%s suppressed=%" PRIu64,
                            addr_str(sa, h->msg_namelen, peer, sizeof peer), suppressed);
                continue;
            }
            if (!(h->msg_flags & MSG_TRUNC) && len && data[len - 1] == '\n') {
                len--;
                if (len && data[len - 1] == '\r')
                    len--;
            }
            if ((h->msg_flags & MSG_TRUNC) || len > l->max_msg) {
                flags |= FRAME_TRUNCATED;
                if (len > l->max_msg)
                    len = l->max_msg;
            }
            if (len)
                deliver(l, data, len, flags, sa, h->msg_namelen, now);
        }
        if (n < UDP_BATCH)
            return;
    }
}

static void udp_buffers(struct listener *l)
{
    size_t max = l->max_msg < UDP_MAX_PAYLOAD ? l->max_msg : UDP_MAX_PAYLOAD;

    /* One byte past max_msg tells a datagram of max_msg bytes plus its LF
     * from one that is too long. */
    l->uslot = max + 1;
    l->ubuf = sl_malloc(l->uslot * UDP_BATCH);
    l->mm = sl_calloc(UDP_BATCH, sizeof *l->mm);
    l->iov = sl_calloc(UDP_BATCH, sizeof *l->iov);
    l->names = sl_calloc(UDP_BATCH, sizeof *l->names);
    for (int i = 0; i < UDP_BATCH; i++) {
        l->iov[i].iov_base = l->ubuf + (size_t)i * l->uslot;
        l->iov[i].iov_len = l->uslot;
        l->mm[i].msg_hdr.msg_iov = &l->iov[i];
        l->mm[i].msg_hdr.msg_iovlen = 1;
        l->mm[i].msg_hdr.msg_name = &l->names[i];
    }
}

static void udp_rcvbuf(struct listener *l, evutil_socket_t fd)
{
    int want = UDP_RCVBUF, got = 0;
    socklen_t len = sizeof got;

    /* FORCE passes net.core.rmem_max when we hold CAP_NET_ADMIN; otherwise
     * the plain option is clamped to it. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    /* Linux reports twice what it grants (the doubling covers its own overhead). */
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0)
        SL_DEBUG(l->comp, "receive buffer asked=%d got=%d%s", want, got,
                 got < want ? " (raise net.core.rmem_max for more)" : "");
}

/* ---- open and close ---- */

/* Returns 0 with *fdp bound, 1 when this address cannot exist here (no IPv6,
 * an address not on this host: err says why), or an error code. */
static int bind_one(struct listener *l, const struct addrinfo *ai, int port,
                    evutil_socket_t *fdp, struct sl_err *err)
{
    struct sockaddr_storage ss;
    char where[INET6_ADDRSTRLEN + 16];
    evutil_socket_t fd;
    int one = 1, e;

    memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    if (port >= 0)
        set_port((struct sockaddr *)&ss, port);
    addr_str((struct sockaddr *)&ss, ai->ai_addrlen, where, sizeof where);
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        e = errno;
        sl_err_set(err, SL_ENET, where, "socket: %s", strerror(e));
        return e == EAFNOSUPPORT ? 1 : SL_ENET;
    }
    /* UDP keeps SO_REUSEADDR off: two processes would split the datagrams. */
    if (l->proto == LISTEN_TCP)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, ai->ai_addrlen) != 0) {
        e = errno;
        sl_err_set(err, SL_ENET, where, "bind: %s", strerror(e));
        evutil_closesocket(fd);
        return e == EADDRNOTAVAIL || e == EAFNOSUPPORT ? 1 : SL_ENET;
    }
    if (l->proto == LISTEN_UDP)
        udp_rcvbuf(l, fd);
    *fdp = fd;
    return 0;
}

static int start_socket(struct listener *l, int i, struct sl_err *err)
{
    char where[64];

    snprintf(where, sizeof where, "port %d", l->port);
    if (l->proto == LISTEN_TCP) {
        l->lev[i] = evconnlistener_new(l->base, accept_cb, l,
                                       LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                       LISTEN_BACKLOG, l->fd[i]);
        if (!l->lev[i])
            return sl_err_set(err, SL_ENET, where, "listen: %s", strerror(errno));
        evconnlistener_set_error_cb(l->lev[i], accept_err_cb);
        return 0;
    }
    l->uev[i] = event_new(l->base, l->fd[i], EV_READ | EV_PERSIST, udp_read, l);
    if (!l->uev[i] || event_add(l->uev[i], NULL) != 0)
        return sl_err_set(err, SL_ENET, where, "cannot watch the UDP socket");
    return 0;
}

int listen_open(struct listener **out, struct event_base *base, const struct listen_opts *o,
                listen_msg_cb cb, void *cb_arg, struct sl_err *err)
{
    struct listener *l = NULL;
    struct addrinfo hints, *res = NULL;
    const char *host = o->host;
    const char *kind = o->proto == LISTEN_UDP ? "udp" : "tcp";
    char where[320];
    int rc, gai, skipped = 0;

    *out = NULL;
    snprintf(where, sizeof where, "%s://%s:%s", kind, host && *host ? host : "*",
             o->port ? o->port : "?");
    if ((o->proto != LISTEN_TCP && o->proto != LISTEN_UDP) || !o->port || !cb || !base)
        return sl_err_set(err, SL_EINVAL, where, "listen needs tcp or udp, a port and a callback");
    if (o->max_msg > SL_MAX_MSG_LIMIT)
        return sl_err_set(err, SL_ETOOBIG, where, "max_msg=%zu is over the limit %u",
                          o->max_msg, SL_MAX_MSG_LIMIT);
    if (o->max_conns > SL_MAX_CONNS_LIMIT)
        return sl_err_set(err, SL_ETOOBIG, where, "max_conns=%u is over the limit %u",
                          o->max_conns, SL_MAX_CONNS_LIMIT);
    if (host && (!*host || strcmp(host, "*") == 0))
        host = NULL;

    l = sl_calloc(1, sizeof *l);
    l->base = base;
    l->proto = o->proto;
    l->max_msg = o->max_msg ? o->max_msg : SL_MAX_MSG_DEFAULT;
    l->max_conns = o->max_conns ? o->max_conns : SL_MAX_CONNS_DEFAULT;
    l->allow = o->allow;
    l->allow_arg = o->allow_arg;
    l->cb = cb;
    l->cb_arg = cb_arg;
    l->port = -1;
    snprintf(l->comp, sizeof l->comp, "input.%s[%s]", kind, o->name ? o->name : "");
    l->ctl = event_new(base, -1, 0, ctl_cb, l);
    if (!l->ctl) {
        rc = sl_err_set(err, SL_EINVAL, where, "cannot make an event on this base");
        goto fail;
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = o->proto == LISTEN_UDP ? SOCK_DGRAM : SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    gai = getaddrinfo(host, o->port, &hints, &res);
    if (gai != 0) {
        rc = sl_err_set(err, SL_ENET, where, "cannot resolve: %s", gai_strerror(gai));
        goto fail;
    }
    for (struct addrinfo *ai = res; ai && l->nsock < LISTEN_MAX_SOCKS; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        /* Port 0: every address gets the port the kernel chose for the first. */
        rc = bind_one(l, ai, l->nsock ? l->port : -1, &l->fd[l->nsock], err);
        if (rc == 1) {
            skipped++;
            continue;
        }
        if (rc)
            goto fail;
        if (l->nsock == 0)
            l->port = sock_port(l->fd[0]);
        l->nsock++;
    }
    if (l->nsock == 0) {
        rc = skipped ? SL_ENET : sl_err_set(err, SL_ENET, where, "no address to listen on");
        goto fail;
    }
    sl_err_clear(err);

    if (l->proto == LISTEN_TCP) {
        l->rbuf = sl_malloc(SL_READ_CHUNK);
        l->retry = evtimer_new(base, accept_retry_cb, l);
        if (!l->retry) {
            rc = sl_err_set(err, SL_EINVAL, where, "cannot make a timer on this base");
            goto fail;
        }
    } else {
        udp_buffers(l);
    }
    for (int i = 0; i < l->nsock; i++) {
        rc = start_socket(l, i, err);
        if (rc)
            goto fail;
    }
    SL_INFO(l->comp, "listening on %s port=%d sockets=%d", host ? host : "*", l->port, l->nsock);
    freeaddrinfo(res);
    *out = l;
    return 0;
fail:
    if (res)
        freeaddrinfo(res);
    listen_close(l);
    return rc;
}

int listen_port(const struct listener *l)
{
    return l->port;
}

void listen_pause(struct listener *l)
{
    if (!atomic_exchange(&l->paused, 1))
        event_active(l->ctl, EV_READ, 0);
}

void listen_resume(struct listener *l)
{
    if (atomic_exchange(&l->paused, 0))
        event_active(l->ctl, EV_READ, 0);
}

const struct listen_stats *listen_stats(const struct listener *l)
{
    return &l->st;
}

void listen_stop(struct listener *l)
{
    if (!l)
        return;
    for (int i = 0; i < LISTEN_MAX_SOCKS; i++) {
        if (l->uev[i]) {
            event_free(l->uev[i]);
            l->uev[i] = NULL;
        }
        if (l->lev[i]) {
            evconnlistener_free(l->lev[i]);     /* closes fd[i] */
            l->lev[i] = NULL;
        } else if (i < l->nsock && l->fd[i] >= 0) {
            evutil_closesocket(l->fd[i]);
        }
        if (i < l->nsock)
            l->fd[i] = -1;
    }
    l->nsock = 0;       /* a late pause or resume finds nothing to switch */
    while (l->conns)
        conn_close(l->conns);
}

void listen_close(struct listener *l)
{
    if (!l)
        return;
    listen_stop(l);
    if (l->retry)
        event_free(l->retry);
    if (l->ctl)
        event_free(l->ctl);
    if (l->port >= 0)
        SL_DEBUG(l->comp, "closed port=%d", l->port);
    sl_free(l->rbuf);
    sl_free(l->ubuf);
    sl_free(l->mm);
    sl_free(l->iov);
    sl_free(l->names);
    sl_free(l);
}
