/* shipper/rdns.h: reverse DNS of senders, asynchronous and cached, for
 * source.domain. Never waits: rdns_name answers from the cache or not at
 * all, and an address it does not know starts a lookup (libevent's evdns,
 * on the loop) whose answer serves the messages after it.
 *
 * Threads: loop thread only (the callbacks run there too). */
#ifndef SHIPPER_RDNS_H
#define SHIPPER_RDNS_H
#include <stddef.h>
#include <stdint.h>

#include "common/cidr.h"
#include "common/err.h"

struct event_base;
struct rdns;

struct rdns_opts {
    uint64_t ttl_ms;            /* a name found is kept this long */
    uint64_t neg_ttl_ms;        /* a failure or timeout is kept this long */
    uint64_t timeout_ms;        /* evdns gives up after this (one attempt) */
    size_t   max_entries;       /* cache size; the oldest entry goes first */
    const char *nameserver;     /* NULL: /etc/resolv.conf; else "IP:PORT" (tests) */
    const char *hosts_file;     /* NULL: /etc/hosts; "": none. Read once, consulted
                                 * first: evdns uses it only for forward lookups */
};

struct rdns_stats {
    uint64_t hits;              /* a fresh name (or a fresh negative) from the cache */
    uint64_t misses;            /* unknown, stale or pending: the message went without */
    uint64_t lookups;           /* queries started */
    uint64_t answers;           /* a name came back */
    uint64_t failures;          /* NXDOMAIN, SERVFAIL, timeouts... cached negatively */
    uint64_t timeouts;          /* among failures */
    uint64_t evicted;
    uint64_t inflight;          /* now */
};

int  rdns_new(struct rdns **out, struct event_base *base, const struct rdns_opts *o,
              struct sl_err *err);
/* NULL-safe. Pending lookups are dropped (no callback). */
void rdns_free(struct rdns *r);
/* The sender's name when the cache has a fresh one (borrowed until the next
 * rdns call); NULL otherwise, after starting a lookup when none is pending
 * and no fresh failure is cached. now_ms: a monotonic clock. */
const char *rdns_name(struct rdns *r, const struct sl_cidr *addr, uint64_t now_ms);
void rdns_get_stats(const struct rdns *r, struct rdns_stats *st);

#endif
