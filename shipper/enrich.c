/* shipper/enrich.c: host and time enrichment at run time.
 *
 * Threads: the pipeline calls enrich_syslog_opts and enrich_apply on the
 * loop thread; cmd_run calls enrich_hosts_reload from its SIGHUP handler,
 * a libevent signal event, so on the loop thread too, between two
 * messages. The host map is still reached through an atomic pointer: a
 * reload builds the new map whole (reading and parsing the file, which may
 * take a while for a big one, but never leaves a half map visible), then
 * swaps it in with one store; the old map is freed right after the swap,
 * which is safe because the only reader is this same thread and it is not
 * inside enrich_apply. Should reload ever move to another thread, the free
 * must wait for the loop to pass a point where it holds no entry (an
 * event_active on the loop, for instance); the swap itself needs no change.
 *
 * Order of what is added (a field's first value wins, as for grammars:
 * evt_field_emit): the grammar's fields, then the host map's, then the
 * input's static fields, then the global ones, then observer.*. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/mem.h"
#include "parser/hostmap.h"
#include "parser/tz.h"
#include "shipper/enrich.h"
#include "shipper/rdns.h"

#define OBS_IP_MAX 8
#define SKEW_TAG "_sluice_time_skew"

struct enrich {
    const struct cfg_enrich_host *c;
    _Atomic(struct hostmap *) hosts;    /* c->hosts until a reload */
    struct rdns *dns;                   /* NULL: no reverse DNS */
    int obs_on, detected;
    char obs_host[256];
    size_t obs_host_len;
    char obs_ip[OBS_IP_MAX * (INET6_ADDRSTRLEN + 3) + 3];   /* a JSON array */
    size_t obs_ip_len;
    struct fld_name n_host, n_ip;
    /* observer.* rendered once ("observer":{...}) and written by evt_json as
     * is: two fields emitted per message cost about 15% of a plain line's
     * parse and document. Emitted as fields instead (obs_as_fields) when a
     * static field also writes under observer, so that both merge. */
    struct sl_buf obs_json;
    int obs_as_fields;
    struct enrich_stats st;
};

/* The JSON array of addresses, strings written by inet_ntop (nothing to escape). */
static void ip_json_add(struct enrich *en, const char *a, size_t *k)
{
    size_t l = strlen(a);

    if (*k == OBS_IP_MAX || en->obs_ip_len + l + 4 >= sizeof en->obs_ip)
        return;
    en->obs_ip[en->obs_ip_len++] = *k ? ',' : '[';
    en->obs_ip[en->obs_ip_len++] = '"';
    memcpy(en->obs_ip + en->obs_ip_len, a, l);
    en->obs_ip_len += l;
    en->obs_ip[en->obs_ip_len++] = '"';
    (*k)++;
}

static void detect_ips(struct enrich *en, size_t *k)
{
    struct ifaddrs *ifa = NULL;

    if (getifaddrs(&ifa))
        return;
    /* IPv4 first, then IPv6: the first entries are the ones people look for */
    for (int pass = 0; pass < 2; pass++) {
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
            char a[INET6_ADDRSTRLEN];

            if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
                continue;
            if (pass == 0 && i->ifa_addr->sa_family == AF_INET) {
                const struct in_addr *in = &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
                const uint8_t *b = (const uint8_t *)in;
                if (b[0] == 127 || (b[0] == 169 && b[1] == 254))
                    continue;
                inet_ntop(AF_INET, in, a, sizeof a);
            } else if (pass == 1 && i->ifa_addr->sa_family == AF_INET6) {
                const struct in6_addr *in6 = &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;
                if (IN6_IS_ADDR_LOOPBACK(in6) || IN6_IS_ADDR_LINKLOCAL(in6))
                    continue;
                inet_ntop(AF_INET6, in6, a, sizeof a);
            } else {
                continue;
            }
            ip_json_add(en, a, k);
        }
    }
    freeifaddrs(ifa);
}

static int set_writes_observer(const struct enrich_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->kv[i].name.key_len[0] == 8 && !memcmp(s->kv[i].name.key[0], "observer", 8))
            return 1;
    return 0;
}

int enrich_new(struct enrich **out, const struct cfg_enrich_host *c, struct event_base *base,
               struct sl_err *err)
{
    struct enrich *en = sl_calloc(1, sizeof *en);
    size_t k = 0;
    int rc = 0;

    en->c = c;
    atomic_store(&en->hosts, c->hosts);
    en->obs_on = c->obs_enabled;
    if (en->obs_on) {
        if (c->obs_hostname) {
            snprintf(en->obs_host, sizeof en->obs_host, "%s", c->obs_hostname);
        } else {
            if (gethostname(en->obs_host, sizeof en->obs_host - 1))
                en->obs_host[0] = '\0';
            en->obs_host[sizeof en->obs_host - 1] = '\0';
            en->detected = 1;
        }
        en->obs_host_len = strlen(en->obs_host);
        if (c->obs_ip.n) {
            for (size_t i = 0; i < c->obs_ip.n; i++)
                ip_json_add(en, c->obs_ip.v[i], &k);
        } else {
            detect_ips(en, &k);
            en->detected = 1;
        }
        if (k)
            en->obs_ip[en->obs_ip_len++] = ']';
        else
            en->obs_ip_len = 0;
        en->obs_ip[en->obs_ip_len] = '\0';
        fld_name_parse(&en->n_host, "observer.hostname", 17, NULL);
        fld_name_parse(&en->n_ip, "observer.ip", 11, NULL);
        en->obs_as_fields = set_writes_observer(&c->global);
        for (size_t i = 0; i < c->ninputs && c->in_sets; i++)
            en->obs_as_fields |= set_writes_observer(&c->in_sets[i]);
        sl_buf_init(&en->obs_json, 512, 4096);
        sl_buf_append(&en->obs_json, "\"observer\":{", 12);
        if (en->obs_host_len) {
            sl_buf_append(&en->obs_json, "\"hostname\":", 11);
            sl_json_str(&en->obs_json, en->obs_host, en->obs_host_len);
        }
        if (en->obs_ip_len) {
            if (en->obs_host_len)
                sl_buf_append(&en->obs_json, ",", 1);
            sl_buf_append(&en->obs_json, "\"ip\":", 5);
            sl_buf_append(&en->obs_json, en->obs_ip, en->obs_ip_len);
        }
        sl_buf_append(&en->obs_json, "}", 1);
        if (!en->obs_host_len && !en->obs_ip_len)
            en->obs_on = 0;
    }
    if (c->dns_reverse && base) {
        struct rdns_opts ro = {
            .ttl_ms = c->dns_ttl_ms, .neg_ttl_ms = c->dns_neg_ttl_ms,
            .timeout_ms = c->dns_timeout_ms, .max_entries = (size_t)c->dns_max_entries,
            .nameserver = c->dns_nameserver, .hosts_file = c->dns_nameserver ? "" : NULL,
        };
        rc = rdns_new(&en->dns, base, &ro, err);
        if (rc)
            goto fail;
    }
    *out = en;
    return 0;
fail:
    enrich_free(en);
    return rc;
}

void enrich_free(struct enrich *en)
{
    struct hostmap *m;

    if (!en)
        return;
    rdns_free(en->dns);
    m = atomic_load(&en->hosts);
    if (m != en->c->hosts)
        hostmap_free(m);
    fld_name_free(&en->n_host);
    fld_name_free(&en->n_ip);
    sl_buf_free(&en->obs_json);
    sl_free(en);
}

void enrich_syslog_opts(const struct enrich *en, size_t input, const struct sl_cidr *addr,
                        const struct syslog_opts *base, struct syslog_opts *out)
{
    const struct cfg_enrich_host *c = en ? en->c : NULL;
    size_t z;

    *out = *base;
    if (!c)
        return;
    if (addr && c->nzones && sl_cidr_lookup(c->zone_tab, addr, &z) == 0) {
        out->tz = c->zone_tz[z];
        return;
    }
    if (input < c->ninputs && c->in_tz && c->in_tz[input])
        out->tz = c->in_tz[input];
}

static void put_set(struct evt *e, const struct enrich_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        evt_field_emit(e, &s->kv[i].name, FLD_STRING, s->kv[i].val, s->kv[i].len);
}

static void put_tags(struct evt *e, const struct enrich_set *s)
{
    for (size_t i = 0; i < s->tags.n; i++)
        evt_tag_add(e, s->tags.v[i], strlen(s->tags.v[i]));
}

void enrich_apply(struct enrich *en, struct evt *e, size_t input, const struct sl_cidr *addr)
{
    const struct cfg_enrich_host *c;
    struct hostmap *m;
    const struct enrich_set *in = NULL;

    if (!en)
        return;
    c = en->c;
    m = atomic_load_explicit(&en->hosts, memory_order_acquire);
    if (m) {
        size_t hl = 0;
        const char *h = evt_hostname(e, &hl);
        const struct hostmap_entry *he = hostmap_find(m, h, hl, addr);

        if (he) {
            hostmap_emit(m, he, evt_field_emit, e);
            atomic_fetch_add_explicit(&en->st.hosts_matched, 1, memory_order_relaxed);
        }
    }
    if (input < c->ninputs && c->in_sets)
        in = &c->in_sets[input];
    if (in)
        put_set(e, in);
    put_set(e, &c->global);
    if (in)
        put_tags(e, in);
    put_tags(e, &c->global);
    if (en->obs_on && en->obs_as_fields) {
        if (en->obs_host_len)
            evt_field_emit(e, &en->n_host, FLD_STRING, en->obs_host, en->obs_host_len);
        if (en->obs_ip_len)
            evt_field_emit(e, &en->n_ip, FLD_JSON, en->obs_ip, en->obs_ip_len);
    } else if (en->obs_on) {
        evt_set_extra(e, "observer", en->obs_json.data, en->obs_json.len);
    }
    if (en->dns && addr) {
        const char *name = rdns_name(en->dns, addr, sl_clock_mono_ms());

        if (name)
            evt_set_domain(e, name, strlen(name));
    }
    if (c->max_future_ms || c->max_past_ms) {
        int64_t t = evt_time_ns(e), r = evt_recv_ns(e);

        if ((c->max_future_ms && t > r + (int64_t)c->max_future_ms * 1000000) ||
            (c->max_past_ms && t < r - (int64_t)c->max_past_ms * 1000000)) {
            evt_tag_add(e, SKEW_TAG, sizeof SKEW_TAG - 1);
            atomic_fetch_add_explicit(&en->st.time_skewed, 1, memory_order_relaxed);
            if (c->time_replace)
                evt_time_replace(e, r);
        }
    }
}

int enrich_hosts_reload(struct enrich *en, struct sl_err *err)
{
    struct hostmap *m = NULL, *old;
    int rc;

    if (!en || !en->c->hosts_file)
        return 0;
    rc = hostmap_load(&m, en->c->hosts_file, en->c->names, err);
    if (rc) {
        atomic_fetch_add(&en->st.hosts_reload_errors, 1);
        return rc;
    }
    old = atomic_exchange_explicit(&en->hosts, m, memory_order_acq_rel);
    if (old != en->c->hosts)
        hostmap_free(old);          /* loop thread, between messages: nobody holds it */
    atomic_fetch_add(&en->st.hosts_reloads, 1);
    return 0;
}

const struct enrich_stats *enrich_stats(const struct enrich *en)
{
    struct rdns_stats rs;
    struct enrich *w = (struct enrich *)en;

    if (en->dns) {
        rdns_get_stats(en->dns, &rs);
        atomic_store(&w->st.dns_hits, rs.hits);
        atomic_store(&w->st.dns_misses, rs.misses);
        atomic_store(&w->st.dns_lookups, rs.lookups);
        atomic_store(&w->st.dns_answers, rs.answers);
        atomic_store(&w->st.dns_failures, rs.failures);
        atomic_store(&w->st.dns_timeouts, rs.timeouts);
    }
    return &en->st;
}

int enrich_observer_detected(const struct enrich *en)
{
    return en && en->obs_on && en->detected;
}
