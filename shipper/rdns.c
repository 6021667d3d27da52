/* shipper/rdns.c: the reverse-DNS cache.
 *
 * Design: a chained hash of entries keyed by the address (family + 16
 * bytes). Entries live in one array used as a ring: a new address takes the
 * next slot, evicting whatever held it (the oldest inserted), so memory is
 * fixed at max_entries and no sweep is ever needed. An entry is PENDING
 * (a query out), NAME (with the name until `expires`) or NONE (a failure,
 * until `expires`). A stale entry is looked up again on the next message
 * that wants it, the stale answer no longer served. A query's callback
 * finds its entry by slot and a generation number, so an entry evicted
 * while its query was out is not overwritten by the late answer.
 *
 * At most SL_RDNS_INFLIGHT_LIMIT queries are out at once; past it a miss
 * starts nothing (the next message from that address tries again). evdns
 * runs one attempt with the configured timeout; its timeout counts as a
 * failure and is cached for negative_ttl, so a silent resolver costs one
 * query per address per negative_ttl, and never a wait in the pipeline.
 *
 * /etc/hosts: evdns consults it for forward lookups only, so it is read
 * here once at start (address -> its first name) and answers before DNS,
 * as the system resolver would (127.0.0.1 -> localhost). Its first 64
 * addresses only: they are scanned on every message. */
#include <arpa/inet.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/bounds.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/mem.h"
#include "shipper/rdns.h"

enum { E_FREE = 0, E_PENDING, E_NAME, E_NONE };

struct ent {
    struct sl_cidr addr;
    int      state;
    uint64_t expires;
    uint32_t gen;
    char    *name;
    long     next;              /* hash chain; -1 ends */
};

struct query {
    struct rdns *r;
    size_t   slot;
    uint32_t gen;
    struct evdns_request *req;
    struct query *prev, *next;
};

struct hostent_s {
    struct sl_cidr addr;
    char *name;
};

struct rdns {
    struct evdns_base *dns;
    struct rdns_opts o;
    struct ent *e;
    size_t cap, used, ring;
    long  *bucket;
    size_t nbuckets;
    uint32_t gen;
    struct query *queries;      /* out now */
    struct hostent_s *hosts;
    size_t nhosts;
    int closing;
    uint64_t now;               /* the clock of the last rdns_name: answers expire from it */
    struct rdns_stats st;
};

static size_t hash_of(const struct rdns *r, const struct sl_cidr *a)
{
    uint64_t h = sl_hash64(a->addr, 16, 0) ^ (uint64_t)a->family;

    return (size_t)(h & (r->nbuckets - 1));
}

static int same(const struct sl_cidr *a, const struct sl_cidr *b)
{
    return a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

static void load_hosts(struct rdns *r, const char *path)
{
    FILE *f = fopen(path, "re");
    char line[1024];

    if (!f)
        return;
    while (fgets(line, sizeof line, f) && r->nhosts < 64) {
        char *save = NULL, *a, *n, *hash = strchr(line, '#');
        struct sl_cidr c;
        int dup = 0;

        if (hash)
            *hash = '\0';
        a = strtok_r(line, " \t\r\n", &save);
        n = a ? strtok_r(NULL, " \t\r\n", &save) : NULL;
        if (!n || sl_cidr_addr(a, &c))
            continue;
        for (size_t i = 0; i < r->nhosts && !dup; i++)
            dup = same(&r->hosts[i].addr, &c);      /* the first line wins, as in glibc */
        if (dup)
            continue;
        r->hosts = sl_realloc(r->hosts, (r->nhosts + 1) * sizeof *r->hosts);
        r->hosts[r->nhosts].addr = c;
        r->hosts[r->nhosts].name = sl_strdup(n);
        r->nhosts++;
    }
    fclose(f);
}

/* evdns's own messages (a nameserver down, up again) into our log. */
static void evdns_log(int is_warn, const char *msg)
{
    if (is_warn)
        SL_WARN("enrich.dns", "resolver: %s", msg);
    else
        SL_DEBUG("enrich.dns", "resolver: %s", msg);
}

int rdns_new(struct rdns **out, struct event_base *base, const struct rdns_opts *o,
             struct sl_err *err)
{
    struct rdns *r = sl_calloc(1, sizeof *r);
    char tmo[32];
    int rc = 0;

    r->o = *o;
    r->cap = o->max_entries ? o->max_entries : 16;
    if (r->cap > SL_RDNS_ENTRIES_LIMIT)
        r->cap = SL_RDNS_ENTRIES_LIMIT;
    r->e = sl_calloc(r->cap, sizeof *r->e);
    for (r->nbuckets = 16; r->nbuckets < r->cap; r->nbuckets *= 2)
        ;
    r->bucket = sl_malloc(r->nbuckets * sizeof *r->bucket);
    for (size_t i = 0; i < r->nbuckets; i++)
        r->bucket[i] = -1;
    if (!o->hosts_file)
        load_hosts(r, "/etc/hosts");
    else if (*o->hosts_file)
        load_hosts(r, o->hosts_file);
    evdns_set_log_fn(evdns_log);
    r->dns = evdns_base_new(base, o->nameserver ? 0 : EVDNS_BASE_INITIALIZE_NAMESERVERS);
    if (!r->dns) {
        rc = sl_err_set(err, SL_ENET, "enrich.dns", "cannot start the resolver (evdns); "
                        "is /etc/resolv.conf readable?");
        goto fail;
    }
    if (o->nameserver && evdns_base_nameserver_ip_add(r->dns, o->nameserver)) {
        rc = sl_err_set(err, SL_EINVAL, "enrich.dns", "bad nameserver '%s'", o->nameserver);
        goto fail;
    }
    snprintf(tmo, sizeof tmo, "%.3f", (double)(o->timeout_ms ? o->timeout_ms : 2000) / 1000.0);
    if (evdns_base_set_option(r->dns, "timeout:", tmo) ||
        evdns_base_set_option(r->dns, "attempts:", "1")) {
        rc = sl_err_set(err, SL_EINVAL, "enrich.dns", "the resolver refused timeout %s", tmo);
        goto fail;
    }
    *out = r;
    return 0;
fail:
    rdns_free(r);
    return rc;
}

void rdns_free(struct rdns *r)
{
    if (!r)
        return;
    r->closing = 1;
    /* Pending requests are dropped without a callback: failing them (1)
     * would only schedule their callbacks on the loop, which may never run
     * again (a leak), or run after this (on freed queries). */
    if (r->dns)
        evdns_base_free(r->dns, 0);
    while (r->queries) {                    /* ours, for those requests */
        struct query *q = r->queries;
        r->queries = q->next;
        sl_free(q);
    }
    for (size_t i = 0; i < r->cap; i++)
        sl_free(r->e[i].name);
    for (size_t i = 0; i < r->nhosts; i++)
        sl_free(r->hosts[i].name);
    sl_free(r->hosts);
    sl_free(r->e);
    sl_free(r->bucket);
    sl_free(r);
}

static long find(const struct rdns *r, const struct sl_cidr *a)
{
    for (long i = r->bucket[hash_of(r, a)]; i >= 0; i = r->e[i].next)
        if (same(&r->e[i].addr, a))
            return i;
    return -1;
}

static void unlink_slot(struct rdns *r, size_t slot)
{
    long *pp = &r->bucket[hash_of(r, &r->e[slot].addr)];

    while (*pp >= 0 && (size_t)*pp != slot)
        pp = &r->e[*pp].next;
    if (*pp >= 0)
        *pp = r->e[slot].next;
}

/* A slot for a new address: the next of the ring, its old tenant evicted. */
static size_t take_slot(struct rdns *r, const struct sl_cidr *a)
{
    size_t s = r->ring;
    struct ent *e = &r->e[s];
    size_t h;

    r->ring = (r->ring + 1) % r->cap;
    if (e->state != E_FREE) {
        unlink_slot(r, s);
        r->st.evicted++;
    } else {
        r->used++;
    }
    sl_free(e->name);
    e->name = NULL;
    e->addr = *a;
    e->gen = ++r->gen;
    e->state = E_FREE;
    h = hash_of(r, a);
    e->next = r->bucket[h];
    r->bucket[h] = (long)s;
    return s;
}

/* Out of the list of queries in flight. */
static void query_unlink(struct rdns *r, struct query *q)
{
    if (q->prev)
        q->prev->next = q->next;
    else
        r->queries = q->next;
    if (q->next)
        q->next->prev = q->prev;
    r->st.inflight--;
}

static void on_answer(int result, char type, int count, int ttl, void *addresses, void *arg)
{
    struct query *q = arg;
    struct rdns *r = q->r;
    struct ent *e = &r->e[q->slot];
    uint64_t now;

    (void)ttl;
    query_unlink(r, q);
    if (r->closing || e->gen != q->gen || e->state != E_PENDING) {
        sl_free(q);
        return;
    }
    now = r->now;
    if (result == DNS_ERR_NONE && type == DNS_PTR && count > 0 && addresses &&
        ((char **)addresses)[0] && ((char **)addresses)[0][0] &&
        strlen(((char **)addresses)[0]) < 254) {
        e->name = sl_strdup(((char **)addresses)[0]);
        e->state = E_NAME;
        e->expires = now + r->o.ttl_ms;
        r->st.answers++;
    } else {
        e->state = E_NONE;
        e->expires = now + r->o.neg_ttl_ms;
        r->st.failures++;
        if (result == DNS_ERR_TIMEOUT)
            r->st.timeouts++;
    }
    sl_free(q);
}

static void start(struct rdns *r, size_t slot, uint64_t now)
{
    struct ent *e = &r->e[slot];
    struct query *q;

    if (r->st.inflight >= SL_RDNS_INFLIGHT_LIMIT) {
        /* nothing out for it: the next message from this address tries again */
        e->state = E_NONE;
        e->expires = now;
        return;
    }
    q = sl_calloc(1, sizeof *q);
    q->r = r;
    q->slot = slot;
    q->gen = e->gen;
    e->state = E_PENDING;
    q->next = r->queries;
    if (r->queries)
        r->queries->prev = q;
    r->queries = q;
    r->st.inflight++;
    r->st.lookups++;
    if (e->addr.family == AF_INET) {
        struct in_addr in;
        memcpy(&in, e->addr.addr, 4);
        q->req = evdns_base_resolve_reverse(r->dns, &in, 0, on_answer, q);
    } else {
        struct in6_addr in6;
        memcpy(&in6, e->addr.addr, 16);
        q->req = evdns_base_resolve_reverse_ipv6(r->dns, &in6, 0, on_answer, q);
    }
    if (!q->req) {
        /* evdns refused it at once (out of memory) and will not call back */
        query_unlink(r, q);
        sl_free(q);
        r->st.failures++;
        e->state = E_NONE;
        e->expires = now + r->o.neg_ttl_ms;
    }
}

const char *rdns_name(struct rdns *r, const struct sl_cidr *addr, uint64_t now)
{
    long i;
    size_t slot;

    r->now = now;
    for (size_t h = 0; h < r->nhosts; h++) {
        if (same(&r->hosts[h].addr, addr)) {
            r->st.hits++;
            return r->hosts[h].name;
        }
    }
    i = find(r, addr);
    if (i >= 0) {
        struct ent *e = &r->e[i];

        if (e->state == E_PENDING) {
            r->st.misses++;
            return NULL;
        }
        if (now < e->expires) {
            r->st.hits++;
            return e->state == E_NAME ? e->name : NULL;
        }
        sl_free(e->name);
        e->name = NULL;
        e->gen = ++r->gen;
        slot = (size_t)i;
    } else {
        slot = take_slot(r, addr);
    }
    r->st.misses++;
    start(r, slot, now);
    return NULL;
}

void rdns_get_stats(const struct rdns *r, struct rdns_stats *st)
{
    *st = r->st;
}
