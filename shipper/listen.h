/* shipper/listen.h: syslog inputs on a libevent loop: TCP (RFC 6587 framing
 * per connection) and UDP (one datagram, one message). */
#ifndef SHIPPER_LISTEN_H
#define SHIPPER_LISTEN_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/err.h"

struct event_base;

enum listen_proto { LISTEN_TCP = 1, LISTEN_UDP = 2 };

struct listen_opts {
    int proto;              /* LISTEN_TCP or LISTEN_UDP */
    const char *host;       /* address or name; NULL, "" or "*": every local address */
    const char *port;       /* number or service name; "0": the kernel picks */
    size_t max_msg;         /* 0: SL_MAX_MSG_DEFAULT */
    unsigned max_conns;     /* TCP; 0: SL_MAX_CONNS_DEFAULT */
    const char *name;       /* instance name in log lines: input.tcp[NAME] */
    /* Nonzero lets the peer in; checked per connection (TCP) or per datagram
     * (UDP). NULL: everyone. Called on the loop thread. */
    int (*allow)(void *arg, const struct sockaddr *sa, socklen_t len);
    void *allow_arg;
};

/* One message. msg is borrowed for the duration of the call (not
 * NUL-terminated); flags are FRAME_* from shipper/frame.h; recv_ns is the
 * wall-clock time the bytes were read. Called on the loop thread. */
typedef void (*listen_msg_cb)(void *arg, const char *msg, size_t len, unsigned flags,
                              const struct sockaddr *src, socklen_t srclen, int64_t recv_ns);

/* Counters, read from any thread with atomic loads. */
struct listen_stats {
    _Atomic uint64_t conns_open;
    _Atomic uint64_t conns_total;       /* accepted and kept */
    _Atomic uint64_t conns_refused;     /* TCP connections refused by the allow list */
    _Atomic uint64_t conns_over_max;    /* TCP connections closed because max_conns were open */
    _Atomic uint64_t dgrams_refused;    /* UDP datagrams dropped by the allow list */
    _Atomic uint64_t msgs;              /* messages handed to the callback */
    _Atomic uint64_t bytes;             /* bytes read from sockets */
    _Atomic uint64_t truncated;
    _Atomic uint64_t partial;
    _Atomic uint64_t bad_frames;        /* FRAME_BAD_COUNT */
    _Atomic uint64_t read_errors;       /* recv/accept failures, resets included */
};

struct listener;

/* Binds every address host resolves to (IPv6 sockets are V6ONLY, so "::" and
 * "0.0.0.0" can both be bound) and starts reading on base. The caller has
 * called evthread_use_pthreads() before making base when listen_pause and
 * listen_resume are called from other threads. */
int  listen_open(struct listener **out, struct event_base *base, const struct listen_opts *o,
                 listen_msg_cb cb, void *cb_arg, struct sl_err *err);
/* The bound port (the kernel's choice for port "0"). */
int  listen_port(const struct listener *l);
/* Backpressure, callable from any thread. TCP: stop reading every connection
 * and stop accepting; data waits in the kernel and the senders slow down. A
 * read already under way is still framed and delivered. UDP: no effect (the
 * caller drops and counts what it cannot take). */
void listen_pause(struct listener *l);
void listen_resume(struct listener *l);
/* Loop thread only (or with the loop stopped), never from inside cb: stops
 * accepting, delivers each open connection's half frame (FRAME_PARTIAL) and
 * closes it. NULL-safe. */
void listen_close(struct listener *l);
/* listen_close without the free: the sockets are closed and half frames
 * delivered, the stats stay readable. Idempotent; listen_close still needed. */
void listen_stop(struct listener *l);
/* Borrowed; lives until listen_close. */
const struct listen_stats *listen_stats(const struct listener *l);

#endif
