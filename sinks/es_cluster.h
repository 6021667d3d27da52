/* sinks/es_cluster.h: what a cluster says about itself in GET /, and what
 * sluice makes of it (product, version, whether it is supported). Pure:
 * answer text in, struct out; es_setup.c does the request. */
#ifndef SINKS_ES_CLUSTER_H
#define SINKS_ES_CLUSTER_H
#include <stddef.h>

enum es_product {
    ES_PRODUCT_UNKNOWN = 0,
    ES_PRODUCT_ELASTICSEARCH,
    ES_PRODUCT_OPENSEARCH,
};

struct es_cluster {
    enum es_product product;
    int  major, minor, patch;       /* from version.number; -1 when not a number */
    char version[32];               /* version.number as written */
    char name[128];                 /* cluster_name, "?" when absent */
};

/* Reads GET /'s answer (NUL-terminated). 0, or -1 when it has no
 * version.number: not an Elasticsearch or OpenSearch answer. Elasticsearch
 * has no version.distribution; its absence means Elasticsearch. */
int es_cluster_parse(const char *json, struct es_cluster *out);

/* The first string value of "key" in a small JSON answer, copied to out
 * (still JSON-escaped); 0 when absent or longer than outlen - 1. */
int es_cluster_str(const char *json, const char *key, char *out, size_t outlen);
/* The first non-negative integer value of "key"; -1 when absent. */
long long es_cluster_num(const char *json, const char *key);

/* "elasticsearch" / "opensearch" / "unknown". */
const char *es_cluster_product_name(enum es_product p);

/* NULL when sluice supports this cluster; else why not, for a log line
 * (Elasticsearch before 7, OpenSearch before 1). */
const char *es_cluster_unsupported(const struct es_cluster *c);

/* 1 when the version is at least major.minor. */
int es_cluster_at_least(const struct es_cluster *c, int major, int minor);

/* 1 when bulk items may answer "failure_store" (Elasticsearch 9.1 and later). */
int es_cluster_has_failure_store(const struct es_cluster *c);

#endif
