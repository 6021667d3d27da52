/* shipper/enrich_conf.c: the per-input keys' descriptions, the static
 * field sets, and the compiled config's lifetime. The rows are in
 * config_schema.c; the loading is config.c's load_enrich_host_time (it owns
 * the YAML tree and the problem list). */
#include <stddef.h>
#include <string.h>

#include "common/bounds.h"
#include "common/cidr.h"
#include "common/mem.h"
#include "parser/hostmap.h"
#include "parser/tz.h"
#include "shipper/enrich.h"

const char cfg_input_fields_desc[] =
    "static fields for this input's documents; win over enrich.fields for the same key";
const char cfg_input_tags_desc[] = "tags added to this input's documents";
const char cfg_input_timezone_desc[] =
    "zone of zone-less timestamps from this input: IANA name (Europe/Paris), UTC, +02:00, "
    "local; default: the host's (TZ)";

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

void enrich_conf_release(struct cfg_enrich_host *c)
{
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
}
