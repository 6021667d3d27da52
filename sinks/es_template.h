/* sinks/es_template.h: the bodies sluice installs on a cluster at start: a
 * composable index template with ECS mappings, and a lifecycle policy (ILM
 * on Elasticsearch, ISM on OpenSearch). Pure: settings in, JSON text out;
 * es_setup.c sends them. */
#ifndef SINKS_ES_TEMPLATE_H
#define SINKS_ES_TEMPLATE_H
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* The built-in mappings (sinks/templates/ecs-mappings.json, compiled in by
 * scripts/embed-templates): the "mappings" object of the template. */
extern const char es_template_ecs_mappings[];
extern const size_t es_template_ecs_mappings_len;

/* Hex of the digest that _meta.sluice_digest (or the ISM description)
 * carries, so `sluice check --connect` can tell an installed body from an
 * edited one. */
#define ES_DIGEST_HEX 16

/* The index pattern a template for `index` matches: a plain name stays as
 * is, a date pattern becomes a wildcard from its first conversion to its
 * last (syslog-%Y.%m.%d -> syslog-*, app-%Y.%m-x -> app-*-x). 0, or -1 with
 * *why set when no safe pattern exists (no literal prefix: it would match
 * every index, system ones included; a character index names cannot hold). */
int es_template_pattern(const char *index, char *out, size_t outlen, const char **why);

/* 1 when records to `index` go to a data stream: a plain name written with
 * op_type create (a data stream takes only create). */
int es_template_is_stream(const char *index, int op_create);

struct es_template_opts {
    const char *pattern;            /* es_template_pattern's */
    int         data_stream;        /* adds "data_stream": {} */
    unsigned    priority;
    const char *mappings;           /* a JSON object: the "mappings" of the template */
    size_t      mappings_len;
    const char *ilm_policy;         /* Elasticsearch: index.lifecycle.name; NULL: none */
};

/* PUT _index_template/NAME's body into out (reset first), with
 * _meta.sluice_digest; digest gets the same hex. 0 or SL_ETOOBIG. */
int es_template_render(struct sl_buf *out, const struct es_template_opts *o,
                       char digest[ES_DIGEST_HEX + 1]);

struct es_policy_opts {
    const char *pattern;            /* ISM: the ism_template's index pattern */
    unsigned    priority;           /* ISM: the ism_template's priority */
    int         rollover;           /* 0: no rollover action (dated indices) */
    uint64_t    rollover_age_ms;    /* 0: no age condition */
    uint64_t    rollover_size;      /* bytes of the primary shard; 0: no size condition */
    int         legacy_size;        /* use max_size / min_size (ES < 7.13, OpenSearch < 2.4) */
    uint64_t    delete_after_ms;    /* 0: never deleted */
    int         meta;               /* ILM: add _meta (Elasticsearch 7.14 and later) */
};

/* PUT _ilm/policy/NAME's body (Elasticsearch). 0 or SL_ETOOBIG. */
int es_policy_render_ilm(struct sl_buf *out, const struct es_policy_opts *o,
                         char digest[ES_DIGEST_HEX + 1]);
/* PUT _plugins/_ism/policies/NAME's body (OpenSearch); the digest goes in
 * the description (ISM policies have no _meta). 0 or SL_ETOOBIG. */
int es_policy_render_ism(struct sl_buf *out, const struct es_policy_opts *o,
                         char digest[ES_DIGEST_HEX + 1]);

/* A duration as the clusters write it: 30d, 12h, 5m, 10s, 250ms. */
void es_template_duration(char *out, size_t n, uint64_t ms);
/* A size as the clusters write it: 50gb, 512mb, 100kb, 1000b. */
void es_template_size(char *out, size_t n, uint64_t bytes);

#endif
