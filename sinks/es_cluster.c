/* sinks/es_cluster.c: GET /'s answer read into product, version and cluster
 * name. The answer is small and each key read here (number, distribution,
 * cluster_name) appears once in it, so a key lookup is enough. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/es_cluster.h"

/* The string value of "key", copied to out; 0 when absent or too long. */
int es_cluster_str(const char *j, const char *key, char *out, size_t outlen)
{
    char pat[64];
    const char *p, *q;

    snprintf(pat, sizeof pat, "\"%s\"", key);
    p = strstr(j, pat);
    if (!p)
        return 0;
    p += strlen(pat);
    p += strspn(p, " \t\r\n");
    if (*p++ != ':')
        return 0;
    p += strspn(p, " \t\r\n");
    if (*p++ != '"')
        return 0;
    q = strchr(p, '"');
    if (!q || (size_t)(q - p) >= outlen)
        return 0;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = '\0';
    return 1;
}

long long es_cluster_num(const char *j, const char *key)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof pat, "\"%s\"", key);
    p = strstr(j, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    p += strspn(p, " \t\r\n");
    if (*p++ != ':')
        return -1;
    p += strspn(p, " \t\r\n");
    if (*p < '0' || *p > '9')
        return -1;
    return strtoll(p, NULL, 10);
}

/* "8.19.2", "2.19.1", "9.1.0-SNAPSHOT": up to three leading numbers. */
static void split_version(struct es_cluster *c)
{
    int *part[3] = { &c->major, &c->minor, &c->patch };
    const char *p = c->version;

    c->major = c->minor = c->patch = -1;
    for (int i = 0; i < 3; i++) {
        char *end;
        long v;

        if (*p < '0' || *p > '9')
            return;
        v = strtol(p, &end, 10);
        *part[i] = v > 100000 ? 100000 : (int)v;
        if (*end != '.')
            return;
        p = end + 1;
    }
}

int es_cluster_parse(const char *json, struct es_cluster *out)
{
    char dist[64];

    memset(out, 0, sizeof *out);
    out->major = out->minor = out->patch = -1;
    if (!json || !es_cluster_str(json, "number", out->version, sizeof out->version))
        return -1;
    split_version(out);
    if (!es_cluster_str(json, "distribution", dist, sizeof dist))
        out->product = ES_PRODUCT_ELASTICSEARCH;
    else if (strcmp(dist, "opensearch") == 0)
        out->product = ES_PRODUCT_OPENSEARCH;
    else
        out->product = ES_PRODUCT_UNKNOWN;
    if (!es_cluster_str(json, "cluster_name", out->name, sizeof out->name))
        snprintf(out->name, sizeof out->name, "?");
    return 0;
}

const char *es_cluster_product_name(enum es_product p)
{
    switch (p) {
    case ES_PRODUCT_ELASTICSEARCH: return "elasticsearch";
    case ES_PRODUCT_OPENSEARCH: return "opensearch";
    default: return "unknown";
    }
}

int es_cluster_at_least(const struct es_cluster *c, int major, int minor)
{
    return c->major > major || (c->major == major && c->minor >= minor);
}

const char *es_cluster_unsupported(const struct es_cluster *c)
{
    if (c->major < 0)
        return "its version number cannot be read";
    switch (c->product) {
    case ES_PRODUCT_ELASTICSEARCH:
        /* 6.x wants a _type in bulk action lines: every item would fail. */
        return c->major < 7 ? "Elasticsearch before 7.0 is not supported" : NULL;
    case ES_PRODUCT_OPENSEARCH:
        return c->major < 1 ? "OpenSearch before 1.0 is not supported" : NULL;
    default:
        return "neither Elasticsearch nor OpenSearch (version.distribution names another)";
    }
}

int es_cluster_has_failure_store(const struct es_cluster *c)
{
    return c->product == ES_PRODUCT_ELASTICSEARCH && es_cluster_at_least(c, 9, 1);
}
