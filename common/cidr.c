/* common/cidr.c: networks and a longest-prefix table.
 *
 * Design: the networks are grouped by (family, prefix length); each group is
 * an array of masked addresses sorted for binary search. A lookup masks the
 * address once per group, longest prefix first, and stops at the first hit:
 * at most 33 + 129 groups, each a binary search, whatever the table's size. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/cidr.h"
#include "common/mem.h"

struct ent {
    uint8_t addr[16];
    size_t  val;
    size_t  seq;                /* order given: the first of duplicates wins */
};

struct group {
    int      family;
    unsigned prefix;
    struct ent *e;
    size_t   n, cap;
};

struct sl_cidr_table {
    struct group *g;            /* longest prefix first */
    size_t ng;
};

static void mask(uint8_t *a, unsigned bytes, unsigned prefix)
{
    for (unsigned i = 0; i < bytes; i++) {
        unsigned keep = prefix >= (i + 1) * 8 ? 8 : prefix > i * 8 ? prefix - i * 8 : 0;
        a[i] &= (uint8_t)(keep ? 0xff << (8 - keep) : 0);
    }
}

int sl_cidr_addr(const char *s, struct sl_cidr *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, s, out->addr) == 1) {
        out->family = AF_INET;
        out->prefix = 32;
        return 0;
    }
    if (inet_pton(AF_INET6, s, out->addr) == 1) {
        static const uint8_t map4[12] = { [10] = 0xff, [11] = 0xff };
        if (!memcmp(out->addr, map4, 12)) {
            memmove(out->addr, out->addr + 12, 4);
            memset(out->addr + 4, 0, 12);
            out->family = AF_INET;
            out->prefix = 32;
        } else {
            out->family = AF_INET6;
            out->prefix = 128;
        }
        return 0;
    }
    return -1;
}

int sl_cidr_sockaddr(const struct sockaddr *sa, socklen_t len, struct sl_cidr *out)
{
    memset(out, 0, sizeof *out);
    if (sa && sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        memcpy(out->addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        out->family = AF_INET;
        out->prefix = 32;
        return 0;
    }
    if (sa && sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a6)) {
            memcpy(out->addr, a6->s6_addr + 12, 4);
            out->family = AF_INET;
            out->prefix = 32;
        } else {
            memcpy(out->addr, a6->s6_addr, 16);
            out->family = AF_INET6;
            out->prefix = 128;
        }
        return 0;
    }
    return -1;
}

int sl_cidr_contains(const struct sl_cidr *net, const struct sl_cidr *addr)
{
    unsigned full = net->prefix / 8, rest = net->prefix % 8;

    if (net->family != addr->family || memcmp(addr->addr, net->addr, full) != 0)
        return 0;
    return !rest || !((addr->addr[full] ^ net->addr[full]) & (uint8_t)(0xff << (8 - rest)));
}

int sl_cidr_parse(const char *s, struct sl_cidr *out)
{
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    char a[64];
    uint8_t before[16];
    unsigned bits;

    memset(out, 0, sizeof *out);
    if (alen == 0 || alen >= sizeof a)
        return -1;
    memcpy(a, s, alen);
    a[alen] = '\0';
    if (inet_pton(AF_INET, a, out->addr) == 1)
        out->family = AF_INET;
    else if (inet_pton(AF_INET6, a, out->addr) == 1)
        out->family = AF_INET6;
    else
        return -1;
    bits = out->family == AF_INET ? 32 : 128;
    out->prefix = bits;
    if (slash) {
        const char *d = slash + 1;
        unsigned v = 0;
        size_t n = 0;

        while (d[n] >= '0' && d[n] <= '9' && n < 3)
            v = v * 10 + (unsigned)(d[n++] - '0');
        if (!n || d[n])
            return -1;
        if (v > bits)
            return -2;
        out->prefix = v;
    }
    memcpy(before, out->addr, 16);
    mask(out->addr, bits / 8, out->prefix);
    return memcmp(before, out->addr, 16) ? 1 : 0;
}

static int ent_cmp(const void *a, const void *b)
{
    const struct ent *x = a, *y = b;
    int c = memcmp(x->addr, y->addr, 16);

    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int grp_cmp(const void *a, const void *b)
{
    const struct group *x = a, *y = b;

    if (x->prefix != y->prefix)
        return x->prefix < y->prefix ? 1 : -1;
    return x->family - y->family;
}

struct sl_cidr_table *sl_cidr_table_new(const struct sl_cidr *nets, const size_t *vals, size_t n)
{
    struct sl_cidr_table *t = sl_calloc(1, sizeof *t);

    for (size_t i = 0; i < n; i++) {
        struct group *g = NULL;

        for (size_t j = 0; j < t->ng && !g; j++)
            if (t->g[j].family == nets[i].family && t->g[j].prefix == nets[i].prefix)
                g = &t->g[j];
        if (!g) {
            t->g = sl_realloc(t->g, (t->ng + 1) * sizeof *t->g);
            g = &t->g[t->ng++];
            memset(g, 0, sizeof *g);
            g->family = nets[i].family;
            g->prefix = nets[i].prefix;
        }
        if (g->n == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 16;
            g->e = sl_realloc(g->e, g->cap * sizeof *g->e);
        }
        memcpy(g->e[g->n].addr, nets[i].addr, 16);
        g->e[g->n].val = vals[i];
        g->e[g->n].seq = i;
        g->n++;
    }
    for (size_t j = 0; j < t->ng; j++) {
        struct group *g = &t->g[j];
        size_t w = 0;

        qsort(g->e, g->n, sizeof *g->e, ent_cmp);
        for (size_t i = 0; i < g->n; i++)          /* duplicates: keep the first given */
            if (!w || memcmp(g->e[w - 1].addr, g->e[i].addr, 16))
                g->e[w++] = g->e[i];
        g->n = w;
    }
    if (t->ng)
        qsort(t->g, t->ng, sizeof *t->g, grp_cmp);
    return t;
}

void sl_cidr_table_free(struct sl_cidr_table *t)
{
    if (!t)
        return;
    for (size_t j = 0; j < t->ng; j++)
        sl_free(t->g[j].e);
    sl_free(t->g);
    sl_free(t);
}

int sl_cidr_lookup(const struct sl_cidr_table *t, const struct sl_cidr *addr, size_t *val)
{
    for (size_t j = 0; t && j < t->ng; j++) {
        const struct group *g = &t->g[j];
        uint8_t a[16];
        size_t lo = 0, hi = g->n;

        if (g->family != addr->family)
            continue;
        memcpy(a, addr->addr, 16);
        mask(a, g->family == AF_INET ? 4 : 16, g->prefix);
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = memcmp(g->e[mid].addr, a, 16);

            if (c == 0) {
                *val = g->e[mid].val;
                return 0;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return -1;
}
