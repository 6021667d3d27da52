/* sinks/es_nodes.c: GET /_nodes/http's answer (filtered to
 * nodes.*.http.publish_address and nodes.*.roles) read into host addresses.
 *
 * Design: a small reader that walks objects member by member and skips
 * every value it does not need, so keys in any order and extra fields are
 * fine; it keeps pointers into the text and allocates nothing. */
#include <stdio.h>
#include <string.h>

#include "sinks/es_nodes.h"

#define NODE_URL_MAX 512

static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Past the string that opens at p (a '"'); NULL when it does not end. */
static const char *str_end(const char *p, const char *e)
{
    for (p++; p < e; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* Past the value that starts at p; NULL when it does not end. */
static const char *skip_value(const char *p, const char *e)
{
    int depth = 0;

    if (p >= e)
        return NULL;
    if (*p == '"')
        return str_end(p, e);
    if (*p != '{' && *p != '[') {
        while (p < e && !strchr(",}] \t\r\n", *p))
            p++;
        return p;
    }
    for (; p < e; p++) {
        if (*p == '"') {
            p = str_end(p, e);
            if (!p)
                return NULL;
            p--;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if ((*p == '}' || *p == ']') && --depth == 0) {
            return p + 1;
        }
    }
    return NULL;
}

/* The next member of an object (*pp after its '{' or a member): 1 with the
 * key and the value's span, 0 at its '}', -1 on text that is not JSON. */
static int member(const char **pp, const char *e, const char **k, size_t *klen,
                  const char **v, const char **vend)
{
    const char *p = ws(*pp, e), *kend;

    if (p < e && *p == ',')
        p = ws(p + 1, e);
    if (p >= e)
        return -1;
    if (*p == '}') {
        *pp = p + 1;
        return 0;
    }
    if (*p != '"' || !(kend = str_end(p, e)))
        return -1;
    *k = p + 1;
    *klen = (size_t)(kend - p) - 2;
    p = ws(kend, e);
    if (p >= e || *p != ':')
        return -1;
    *v = ws(p + 1, e);
    *vend = skip_value(*v, e);
    if (!*vend)
        return -1;
    *pp = *vend;
    return 1;
}

static int key_is(const char *k, size_t klen, const char *want)
{
    return klen == strlen(want) && memcmp(k, want, klen) == 0;
}

/* 1 when the roles array names only cluster-management roles. */
static int manager_only(const char *p, const char *e)
{
    static const char *const mgmt[] = { "master", "cluster_manager", "voting_only", NULL };
    int n = 0;

    for (p = ws(p + 1, e); p < e && *p != ']'; p = ws(p, e)) {
        const char *end;
        int known = 0;

        if (*p == ',') {
            p++;
            continue;
        }
        if (*p != '"' || !(end = str_end(p, e)))
            return 0;
        for (size_t i = 0; mgmt[i]; i++)
            known |= key_is(p + 1, (size_t)(end - p) - 2, mgmt[i]);
        if (!known)
            return 0;
        n++;
        p = end;
    }
    return n > 0;
}

int es_nodes_url(const char *pub, size_t len, const char *scheme, char *out, size_t outlen)
{
    const char *slash = memchr(pub, '/', len), *colon = NULL, *host = pub, *port;
    size_t hlen;
    int n;

    /* The port follows the last ':' (an IPv6 address in brackets has more). */
    for (size_t i = 0; i < len; i++)
        if (pub[i] == ':')
            colon = pub + i;
    if (!colon || colon + 1 == pub + len || (slash && colon < slash))
        return -1;
    port = colon + 1;
    for (const char *q = port; q < pub + len; q++)
        if (*q < '0' || *q > '9')
            return -1;
    if (slash && slash > pub) {
        hlen = (size_t)(slash - pub);           /* "name/ip:port": the name */
    } else {
        host = slash ? slash + 1 : pub;         /* "ip:port", "/ip:port" */
        hlen = (size_t)(colon - host);
    }
    if (!hlen || memchr(host, '@', hlen) || memchr(host, ' ', hlen))
        return -1;
    n = snprintf(out, outlen, "%s://%.*s:%.*s", scheme, (int)hlen, host,
                 (int)(pub + len - port), port);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int es_nodes_parse(const char *text, size_t len, const char *scheme,
                   void (*add)(void *arg, const char *url), void *arg)
{
    const char *e = text + len, *p = ws(text, e), *k, *v, *ve, *nodes = NULL;
    size_t klen;
    int r, count = 0;

    if (p >= e || *p != '{')
        return -1;
    for (p++; (r = member(&p, e, &k, &klen, &v, &ve)) == 1;)
        if (key_is(k, klen, "nodes") && *v == '{')
            nodes = v;
    if (r < 0)
        return -1;
    if (!nodes)
        return 0;
    for (p = nodes + 1; (r = member(&p, e, &k, &klen, &v, &ve)) == 1;) {
        const char *q = v + 1, *pub = NULL, *pubend = NULL, *hv, *hve;
        int mgr = 0;
        char url[NODE_URL_MAX];

        if (*v != '{')
            return -1;
        count++;
        while ((r = member(&q, ve, &k, &klen, &hv, &hve)) == 1) {
            if (key_is(k, klen, "roles") && *hv == '[') {
                mgr = manager_only(hv, hve);
            } else if (key_is(k, klen, "http") && *hv == '{') {
                const char *h = hv + 1, *pk, *pv, *pve;
                size_t pklen;
                while (member(&h, hve, &pk, &pklen, &pv, &pve) == 1)
                    if (key_is(pk, pklen, "publish_address") && *pv == '"') {
                        pub = pv + 1;
                        pubend = pve - 1;
                    }
            }
        }
        if (r < 0)
            return -1;
        if (pub && !mgr && es_nodes_url(pub, (size_t)(pubend - pub), scheme, url, sizeof url) == 0)
            add(arg, url);
    }
    return r < 0 ? -1 : count;
}
