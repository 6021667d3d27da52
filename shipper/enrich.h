/* shipper/enrich.h: host and time enrichment (issue 7, points 3 and 4):
 * observer.hostname / observer.ip, static fields and tags (global and per
 * input), the host map (enrich.hosts, reloadable), reverse DNS into
 * source.domain (sluice run only), the zone of zone-less timestamps per
 * input and per sender network, and clock-skew checks.
 *
 * Two halves: struct cfg_enrich_host (sl_config's `eh`) is what config.c
 * builds from the `enrich:` section and `inputs[].fields|tags|timezone`
 * (enrich_conf.c, no libevent: test_config links it alone); struct enrich
 * is the runtime the pipeline and `sluice test` call (enrich.c, rdns.c).
 *
 * Threads: everything runs on the loop thread (the pipeline's), including
 * enrich_hosts_reload, which cmd_run calls from its SIGHUP handler (a
 * libevent signal event, so also on the loop thread). See enrich.c. */
#ifndef SHIPPER_ENRICH_H
#define SHIPPER_ENRICH_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cidr.h"
#include "common/err.h"
#include "common/schema.h"
#include "parser/evt.h"
#include "parser/fields.h"
#include "parser/syslog.h"

struct tz;
struct hostmap;
struct hostmap_names;
struct event_base;

/* A static field: name parsed once, value as written (a string). */
struct enrich_kv {
    struct fld_name name;
    char *val;
    size_t len;
};

struct enrich_set {
    struct enrich_kv *kv;
    size_t n;
    struct sl_strlist tags;         /* borrowed from the rows' storage */
};

struct cfg_enrich_host {
    /* rows (config_schema-like, enrich_conf.c) store here */
    char    *obs_hostname;          /* enrich.observer.hostname; NULL: gethostname */
    struct sl_strlist obs_ip;       /* enrich.observer.ip; empty: getifaddrs */
    int      obs_enabled;           /* enrich.observer.enabled */
    struct sl_kvlist fields;        /* enrich.fields */
    struct sl_strlist tags;         /* enrich.tags */
    char    *hosts_file;            /* enrich.hosts.file; NULL: no map */
    char    *hosts_prefix;          /* enrich.hosts.prefix */
    int      dns_reverse;
    uint64_t dns_ttl_ms, dns_neg_ttl_ms, dns_timeout_ms, dns_max_entries;
    char    *dns_nameserver;        /* NULL: /etc/resolv.conf */
    uint64_t max_future_ms, max_past_ms;    /* 0: no check */
    int      time_replace;
    struct sl_kvlist zones;         /* enrich.time.zones: network -> zone name */

    /* compiled by config.c */
    struct enrich_set global;
    struct enrich_set *in_sets;     /* one per input */
    struct tz **in_tz;              /* one per input; NULL: the default zone */
    size_t   ninputs;
    struct hostmap_names *names;    /* outlives every map: see parser/hostmap.h */
    struct hostmap *hosts;          /* as loaded with the config */
    struct sl_cidr *zone_nets;      /* enrich.time.zones */
    struct tz **zone_tz;
    size_t   nzones;
    struct sl_cidr_table *zone_tab; /* values: index into zone_tz */
};

/* The rows of these keys are in config_schema.c (the `enrich` section of
 * cfg_top_rows, on struct sl_config's `eh`); the per-input keys'
 * descriptions are here, for it. */
extern const char cfg_input_fields_desc[];
extern const char cfg_input_tags_desc[];
extern const char cfg_input_timezone_desc[];

/* Frees what config.c compiled (sets, zones, the host map, its names); the
 * rows' own storage is released with the config's rows. */
void enrich_conf_release(struct cfg_enrich_host *c);
/* Parses kv's names into s (borrowing tags); 0, or SL_EINVAL naming the
 * bad key (index in *bad). */
int  enrich_set_build(struct enrich_set *s, const struct sl_kvlist *kv,
                      const struct sl_strlist *tags, size_t *bad, struct sl_err *err);
void enrich_set_free(struct enrich_set *s);

/* ---- runtime ---- */

struct enrich_stats {
    _Atomic uint64_t hosts_matched;     /* messages that got host map fields */
    _Atomic uint64_t hosts_reloads;     /* successful reloads */
    _Atomic uint64_t hosts_reload_errors;
    _Atomic uint64_t time_skewed;       /* tagged _sluice_time_skew */
    _Atomic uint64_t dns_hits, dns_misses, dns_lookups, dns_answers, dns_failures, dns_timeouts;
};

struct enrich;

/* c is borrowed and must outlive en. base: the loop, for reverse DNS when
 * c->dns_reverse (NULL: no DNS, as in `sluice test`). */
int  enrich_new(struct enrich **out, const struct cfg_enrich_host *c, struct event_base *base,
                struct sl_err *err);
void enrich_free(struct enrich *en);                     /* NULL-safe */

/* The syslog options for a message from input (index; (size_t)-1: none) and
 * sender addr (NULL: unknown): base with the zone of the longest
 * enrich.time.zones network holding addr, else the input's timezone. */
void enrich_syslog_opts(const struct enrich *en, size_t input, const struct sl_cidr *addr,
                        const struct syslog_opts *base, struct syslog_opts *out);
/* After the parse and the grammars: host map fields, input then global
 * static fields and tags, observer.*, source.domain (from the DNS cache;
 * an unknown address starts a lookup and goes out without a name), then
 * the clock-skew check. addr: the sender (NULL: unknown). */
void enrich_apply(struct enrich *en, struct evt *e, size_t input, const struct sl_cidr *addr);
/* Re-reads enrich.hosts.file: builds the new map whole, then swaps it in;
 * on error the old map stays and err says why (file:line). Loop thread. */
int  enrich_hosts_reload(struct enrich *en, struct sl_err *err);
const struct enrich_stats *enrich_stats(const struct enrich *en);
/* 1 when observer.* came from the machine (gethostname/getifaddrs), not the
 * config: `sluice test --expect` ignores them then. */
int  enrich_observer_detected(const struct enrich *en);

#endif
