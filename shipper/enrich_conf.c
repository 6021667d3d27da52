/* shipper/enrich_conf.c: the `enrich:` section's rows (host and time), the
 * per-input keys' descriptions, and the compiled config's lifetime. The
 * loading itself is config.c's load_enrich_host_time (it owns the YAML tree
 * and the problem list). */
#include <stddef.h>
#include <string.h>

#include "common/bounds.h"
#include "common/cidr.h"
#include "common/mem.h"
#include "parser/hostmap.h"
#include "parser/tz.h"
#include "shipper/enrich.h"

#define OFF(f) offsetof(struct cfg_enrich_host, f)

static const struct sl_cfg_row observer_rows[] = {
    { "enabled", SL_CFG_BOOL, "true", 0, 0, OFF(obs_enabled),
      "write observer.hostname and observer.ip (sluice's own host) into every document",
      NULL, NULL, 0 },
    { "hostname", SL_CFG_STR, NULL, 0, 0, OFF(obs_hostname),
      "observer.hostname; default: gethostname() at start", NULL, NULL, 0 },
    { "ip", SL_CFG_STRLIST, NULL, 0, 0, OFF(obs_ip),
      "observer.ip; default: the host's non-loopback, non-link-local addresses (getifaddrs "
      "at start, at most 8)", NULL, NULL, 0 },
    SL_CFG_END,
};

static const struct sl_cfg_row hosts_rows[] = {
    { "file", SL_CFG_STR, NULL, 0, 0, OFF(hosts_file),
      "host map: HOST-or-NETWORK NAME=VALUE... per line (shipper/README.md); matched on the "
      "message's hostname, then the sender's longest network; re-read on SIGHUP",
      NULL, NULL, 0 },
    { "prefix", SL_CFG_STR, "labels", 0, 0, OFF(hosts_prefix),
      "where the map's fields go: labels.owner (ECS custom keywords); `host` gives "
      "host.owner; empty: top level", NULL, NULL, 0 },
    SL_CFG_END,
};

static const struct sl_cfg_row dns_rows[] = {
    { "reverse", SL_CFG_BOOL, "false", 0, 0, OFF(dns_reverse),
      "source.domain from a reverse DNS lookup of the sender (sluice run only; asynchronous: "
      "the first message from an address goes out without it)", NULL, NULL, 0 },
    { "ttl", SL_CFG_DURATION, "5m", 1000, 7 * 86400000ull, OFF(dns_ttl_ms),
      "how long a name found is kept", NULL, NULL, 0 },
    { "negative_ttl", SL_CFG_DURATION, "1m", 1000, 7 * 86400000ull, OFF(dns_neg_ttl_ms),
      "how long a failure or timeout is kept (no lookup for that address meanwhile)",
      NULL, NULL, 0 },
    { "timeout", SL_CFG_DURATION, "2s", 100, 60000, OFF(dns_timeout_ms),
      "a lookup not answered by then counts as a failure", NULL, NULL, 0 },
    { "max_entries", SL_CFG_UINT, "10000", 16, SL_RDNS_ENTRIES_LIMIT, OFF(dns_max_entries),
      "addresses cached; past it the oldest entry goes", NULL, NULL, 0 },
    { "nameserver", SL_CFG_STR, NULL, 0, 0, OFF(dns_nameserver),
      "IP or IP:PORT of the one resolver to ask; default: /etc/resolv.conf's, with "
      "/etc/hosts answering first (set: /etc/hosts is not read)", NULL, NULL, 0 },
    SL_CFG_END,
};

const struct sl_cfg_row cfg_enrich_time_rows[] = {
    { "max_future", SL_CFG_DURATION, "0", 0, 0, OFF(max_future_ms),
      "a @timestamp further ahead of the receive time is tagged _sluice_time_skew; 0: no check",
      NULL, NULL, 0 },
    { "max_past", SL_CFG_DURATION, "0", 0, 0, OFF(max_past_ms),
      "a @timestamp further behind the receive time is tagged _sluice_time_skew; 0: no check",
      NULL, NULL, 0 },
    { "replace", SL_CFG_BOOL, "false", 0, 0, OFF(time_replace),
      "a skewed @timestamp becomes the receive time; the original goes to event.created",
      NULL, NULL, 0 },
    SL_CFG_END,
};

const struct sl_cfg_row cfg_enrich_host_rows[] = {
    { "observer", SL_CFG_SECTION, NULL, 0, 0, 0, "sluice's own host", NULL, observer_rows, 0 },
    { "fields", SL_CFG_MAP, NULL, 0, 0, OFF(fields),
      "static fields for every document ({site: par1, labels.env: prod}); strings; an "
      "input's own fields win", NULL, NULL, 0 },
    { "tags", SL_CFG_STRLIST, NULL, 0, 0, OFF(tags), "tags added to every document",
      NULL, NULL, 0 },
    { "hosts", SL_CFG_SECTION, NULL, 0, 0, 0, "metadata per sender host from a file",
      NULL, hosts_rows, 0 },
    { "dns", SL_CFG_SECTION, NULL, 0, 0, 0, "reverse DNS of the sender", NULL, dns_rows, 0 },
    SL_CFG_END,
};

const char cfg_enrich_zones_desc[] =
    "zone of zone-less timestamps per sender network, longest network first; wins over "
    "inputs[].timezone";
const char cfg_enrich_zones_network_desc[] = "a network (10.1.0.0/16, fd00::/8) or an address";
const char cfg_enrich_zones_timezone_desc[] =
    "IANA name (Europe/Paris, from /usr/share/zoneinfo), UTC, or an offset (+02:00)";
const char cfg_input_fields_desc[] =
    "static fields for this input's documents; win over enrich.fields for the same key";
const char cfg_input_tags_desc[] = "tags added to this input's documents";
const char cfg_input_timezone_desc[] =
    "zone of zone-less timestamps from this input: IANA name (Europe/Paris), UTC, +02:00, "
    "local; default: the host's (TZ)";

struct cfg_enrich_host *enrich_conf_new(void)
{
    struct cfg_enrich_host *c = sl_calloc(1, sizeof *c);

    sl_cfg_defaults(cfg_enrich_host_rows, c, NULL);
    sl_cfg_defaults(cfg_enrich_time_rows, c, NULL);
    return c;
}

int enrich_set_build(struct enrich_set *s, const struct sl_kvlist *kv,
                     const struct sl_strlist *tags, size_t *bad, struct sl_err *err)
{
    memset(s, 0, sizeof *s);
    if (tags)
        s->tags = *tags;
    if (!kv || !kv->n)
        return 0;
    s->kv = sl_calloc(kv->n, sizeof *s->kv);
    for (size_t i = 0; i < kv->n; i++) {
        int rc = fld_name_parse(&s->kv[i].name, kv->k[i], strlen(kv->k[i]), err);

        if (rc) {
            *bad = i;
            enrich_set_free(s);
            return rc;
        }
        s->kv[i].val = kv->v[i];
        s->kv[i].len = strlen(kv->v[i]);
        s->n++;
    }
    return 0;
}

void enrich_set_free(struct enrich_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        fld_name_free(&s->kv[i].name);
    sl_free(s->kv);
    s->kv = NULL;
    s->n = 0;
}

void enrich_conf_free(struct cfg_enrich_host *c)
{
    if (!c)
        return;
    enrich_set_free(&c->global);
    for (size_t i = 0; i < c->ninputs; i++) {
        if (c->in_sets)
            enrich_set_free(&c->in_sets[i]);
        if (c->in_tz)
            tz_free(c->in_tz[i]);
    }
    sl_free(c->in_sets);
    sl_free(c->in_tz);
    for (size_t i = 0; i < c->nzones; i++)
        tz_free(c->zone_tz[i]);
    sl_free(c->zone_tz);
    sl_free(c->zone_nets);
    sl_cidr_table_free(c->zone_tab);
    hostmap_free(c->hosts);
    hostmap_names_free(c->names);
    sl_cfg_release(cfg_enrich_host_rows, c);
    sl_cfg_release(cfg_enrich_time_rows, c);
    sl_free(c);
}
