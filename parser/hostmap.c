/* parser/hostmap.c: the host-to-metadata map.
 *
 * Design: one pass over the text builds three arrays: pairs (interned name,
 * value's offset and length in one text arena), entries (a run of pairs),
 * and the keys: hostnames lower-cased and sorted for binary search, and
 * networks in a common/cidr.h table whose values are entry indexes. Nothing
 * points into the file's text once parsed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/bounds.h"
#include "common/file.h"
#include "common/mem.h"
#include "parser/hostmap.h"

struct hostmap_names {
    char  *prefix;
    struct fld_name *v[HOSTMAP_NAMES_MAX];     /* each allocated alone: addresses stay */
    size_t n;
};

struct pair {
    const struct fld_name *name;
    size_t off, len;
};

struct hostmap_entry {
    size_t first, n;            /* pairs[first .. first + n) */
};

struct hkey {
    char  *name;                /* lower case */
    size_t len;
    size_t entry;
    unsigned long line;
};

struct hostmap {
    struct pair *pairs;
    size_t npairs, cap_pairs;
    struct hostmap_entry *ents;
    size_t nents, cap_ents;
    struct hkey *hosts;
    size_t nhosts, cap_hosts;
    struct sl_cidr *nets;
    size_t *net_ent;
    unsigned long *net_line;
    size_t nnets, cap_nets;
    struct sl_cidr_table *tab;
    char *arena;
    size_t alen, acap;
};

int hostmap_names_new(struct hostmap_names **out, const char *prefix, struct sl_err *err)
{
    struct hostmap_names *n;

    if (prefix && *prefix) {
        struct fld_name t;
        int rc = fld_name_parse(&t, prefix, strlen(prefix), err);
        fld_name_free(&t);
        if (rc)
            return rc;
    }
    n = sl_calloc(1, sizeof *n);
    n->prefix = sl_strdup(prefix ? prefix : "");
    *out = n;
    return 0;
}

void hostmap_names_free(struct hostmap_names *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        fld_name_free(n->v[i]);
        sl_free(n->v[i]);
    }
    sl_free(n->prefix);
    sl_free(n);
}

/* The interned name PREFIX.key; NULL with err set when it is not a name or
 * the pool is full. */
static const struct fld_name *intern(struct hostmap_names *ns, const char *key, size_t klen,
                                     struct sl_err *err)
{
    char full[FLD_NAME_MAX + 1];
    size_t pl = strlen(ns->prefix);
    struct fld_name *f;
    int n;

    n = snprintf(full, sizeof full, "%s%s%.*s", ns->prefix, pl ? "." : "", (int)klen, key);
    if (n < 0 || (size_t)n >= sizeof full) {
        sl_err_set(err, SL_EINVAL, "", "field name too long");
        return NULL;
    }
    for (size_t i = 0; i < ns->n; i++)
        if (!strcmp(ns->v[i]->path, full))
            return ns->v[i];
    if (ns->n == HOSTMAP_NAMES_MAX) {
        sl_err_set(err, SL_EINVAL, "", "more than %u distinct field names (since start)",
                   HOSTMAP_NAMES_MAX);
        return NULL;
    }
    f = sl_calloc(1, sizeof *f);
    if (fld_name_parse(f, full, (size_t)n, err)) {
        sl_free(f);
        return NULL;
    }
    ns->v[ns->n++] = f;
    return f;
}

void hostmap_free(struct hostmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nhosts; i++)
        sl_free(m->hosts[i].name);
    sl_free(m->hosts);
    sl_free(m->pairs);
    sl_free(m->ents);
    sl_free(m->nets);
    sl_free(m->net_ent);
    sl_free(m->net_line);
    sl_cidr_table_free(m->tab);
    sl_free(m->arena);
    sl_free(m);
}

#define GROW(arr, n, cap) do { if ((n) == (cap)) { (cap) = (cap) ? (cap) * 2 : 64; \
        (arr) = sl_realloc((arr), (cap) * sizeof *(arr)); } } while (0)

static size_t arena_put(struct hostmap *m, const char *p, size_t n)
{
    size_t off = m->alen;

    if (m->alen + n + 1 > m->acap) {
        m->acap = (m->alen + n + 1) * 2;
        m->arena = sl_realloc(m->arena, m->acap);
    }
    memcpy(m->arena + m->alen, p, n);
    m->alen += n;
    m->arena[m->alen++] = '\0';
    return off;
}

static int is_sp(char c)
{
    return c == ' ' || c == '\t';
}

static int hkey_cmp(const void *a, const void *b)
{
    const struct hkey *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);

    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int valid_host(const char *p, size_t n)
{
    if (!n || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

/* One line (no newline): key, then pairs. 0, or SL_EINVAL with err->msg. */
static int parse_line(struct hostmap *m, struct hostmap_names *ns, const char *p, size_t n,
                      unsigned long line, struct sl_err *err)
{
    size_t i = 0, ks, kn, entry = m->nents;
    char *vbuf = NULL;
    int rc = 0;

    while (i < n && is_sp(p[i]))
        i++;
    if (i == n || p[i] == '#')
        return 0;
    ks = i;
    while (i < n && !is_sp(p[i]))
        i++;
    kn = i - ks;
    GROW(m->ents, m->nents, m->cap_ents);
    m->ents[entry].first = m->npairs;
    m->ents[entry].n = 0;
    vbuf = sl_malloc(n + 1);
    while (i < n) {
        size_t ns0, nn, vn = 0;
        const struct fld_name *fn;

        while (i < n && is_sp(p[i]))
            i++;
        if (i == n || p[i] == '#')
            break;
        ns0 = i;
        while (i < n && p[i] != '=' && !is_sp(p[i]))
            i++;
        nn = i - ns0;
        if (i == n || p[i] != '=' || nn == 0) {
            rc = sl_err_set(err, SL_EINVAL, "", "expected NAME=VALUE, got `%.*s`",
                            (int)(nn > 60 ? 60 : nn), p + ns0);
            goto out;
        }
        i++;
        if (i < n && p[i] == '"') {
            i++;
            while (i < n && p[i] != '"') {
                if (p[i] == '\\' && i + 1 < n && (p[i + 1] == '"' || p[i + 1] == '\\'))
                    i++;
                vbuf[vn++] = p[i++];
            }
            if (i == n) {
                rc = sl_err_set(err, SL_EINVAL, "", "value of `%.*s`: no closing quote",
                                (int)nn, p + ns0);
                goto out;
            }
            i++;
            if (i < n && !is_sp(p[i])) {
                rc = sl_err_set(err, SL_EINVAL, "", "value of `%.*s`: text after the "
                                "closing quote", (int)nn, p + ns0);
                goto out;
            }
        } else {
            while (i < n && !is_sp(p[i])) {
                if (p[i] == '"') {
                    rc = sl_err_set(err, SL_EINVAL, "", "value of `%.*s`: a quote inside a "
                                    "bare value (quote the whole value)", (int)nn, p + ns0);
                    goto out;
                }
                vbuf[vn++] = p[i++];
            }
        }
        fn = intern(ns, p + ns0, nn, err);
        if (!fn) {
            rc = SL_EINVAL;
            goto out;
        }
        for (size_t j = m->ents[entry].first; j < m->npairs; j++) {
            if (m->pairs[j].name == fn) {
                rc = sl_err_set(err, SL_EINVAL, "", "`%.*s` given twice", (int)nn, p + ns0);
                goto out;
            }
        }
        GROW(m->pairs, m->npairs, m->cap_pairs);
        m->pairs[m->npairs].name = fn;
        m->pairs[m->npairs].len = vn;
        m->pairs[m->npairs].off = arena_put(m, vbuf, vn);
        m->npairs++;
        m->ents[entry].n++;
    }
    if (!m->ents[entry].n) {
        rc = sl_err_set(err, SL_EINVAL, "", "`%.*s` has no NAME=VALUE", (int)(kn > 60 ? 60 : kn),
                        p + ks);
        goto out;
    }
    if (m->nents + 1 > SL_HOSTMAP_ENTRIES_LIMIT) {
        rc = sl_err_set(err, SL_EINVAL, "", "more than %u entries", SL_HOSTMAP_ENTRIES_LIMIT);
        goto out;
    }
    {
        char key[256];
        struct sl_cidr net;
        int cr;

        if (kn >= sizeof key) {
            rc = sl_err_set(err, SL_EINVAL, "", "host or network longer than 255 bytes");
            goto out;
        }
        memcpy(key, p + ks, kn);
        key[kn] = '\0';
        cr = sl_cidr_parse(key, &net);
        if (cr == 1) {
            rc = sl_err_set(err, SL_EINVAL, "", "network `%s` has host bits set", key);
            goto out;
        }
        if (cr == 0) {
            GROW(m->nets, m->nnets, m->cap_nets);
            m->net_ent = sl_realloc(m->net_ent, m->cap_nets * sizeof *m->net_ent);
            m->net_line = sl_realloc(m->net_line, m->cap_nets * sizeof *m->net_line);
            m->nets[m->nnets] = net;
            m->net_ent[m->nnets] = entry;
            m->net_line[m->nnets] = line;
            m->nnets++;
        } else if (valid_host(key, kn)) {
            GROW(m->hosts, m->nhosts, m->cap_hosts);
            for (size_t j = 0; j < kn; j++)
                key[j] = (char)((key[j] >= 'A' && key[j] <= 'Z') ? key[j] + 32 : key[j]);
            m->hosts[m->nhosts].name = sl_strndup(key, kn);
            m->hosts[m->nhosts].len = kn;
            m->hosts[m->nhosts].entry = entry;
            m->hosts[m->nhosts].line = line;
            m->nhosts++;
        } else {
            rc = sl_err_set(err, SL_EINVAL, "", "`%s` is neither a host name nor a network "
                            "(10.0.0.0/8, fd00::/8)", key);
            goto out;
        }
    }
    m->nents++;
out:
    if (rc)
        m->npairs = m->ents[entry].first;
    sl_free(vbuf);
    return rc;
}

static int net_dup(const struct hostmap *m, size_t *a, size_t *b)
{
    for (size_t i = 0; i < m->nnets; i++) {
        size_t v;
        /* the table kept the first; a later twin is a mistake in the file */
        if (sl_cidr_lookup(m->tab, &m->nets[i], &v) == 0 && v != m->net_ent[i]) {
            for (size_t j = 0; j < i; j++) {
                if (m->nets[j].family == m->nets[i].family &&
                    m->nets[j].prefix == m->nets[i].prefix &&
                    !memcmp(m->nets[j].addr, m->nets[i].addr, 16)) {
                    *a = j;
                    *b = i;
                    return 1;
                }
            }
        }
    }
    return 0;
}

int hostmap_parse(struct hostmap **out, const char *text, size_t len, const char *file,
                  struct hostmap_names *names, struct sl_err *err)
{
    struct hostmap *m = sl_calloc(1, sizeof *m);
    unsigned long line = 0;
    size_t i = 0;
    int rc = 0;

    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t raw = nl ? (size_t)(nl - (text + i)) : len - i, n = raw;

        line++;
        if (n && text[i + n - 1] == '\r')
            n--;
        rc = parse_line(m, names, text + i, n, line, err);
        if (rc) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
            sl_err_set(err, rc, "", "%s", msg);
            if (err)
                snprintf(err->where, sizeof err->where, "%s:%lu", file, line);
            goto fail;
        }
        i += raw + (nl ? 1 : 0);
    }
    if (m->nhosts) {
        qsort(m->hosts, m->nhosts, sizeof *m->hosts, hkey_cmp);
        for (size_t j = 1; j < m->nhosts; j++) {
            if (!hkey_cmp(&m->hosts[j - 1], &m->hosts[j])) {
                unsigned long a = m->hosts[j - 1].line, b = m->hosts[j].line;
                rc = sl_err_set(err, SL_EINVAL, "", "host `%s` given twice (lines %lu and %lu)",
                                m->hosts[j].name, a < b ? a : b, a < b ? b : a);
                if (err)
                    snprintf(err->where, sizeof err->where, "%s:%lu", file, a < b ? b : a);
                goto fail;
            }
        }
    }
    m->tab = sl_cidr_table_new(m->nets, m->net_ent, m->nnets);
    {
        size_t a, b;
        if (net_dup(m, &a, &b)) {
            rc = sl_err_set(err, SL_EINVAL, "", "network given twice (lines %lu and %lu)",
                            m->net_line[a], m->net_line[b]);
            if (err)
                snprintf(err->where, sizeof err->where, "%s:%lu", file, m->net_line[b]);
            goto fail;
        }
    }
    *out = m;
    return 0;
fail:
    hostmap_free(m);
    return rc;
}

int hostmap_load(struct hostmap **out, const char *path, struct hostmap_names *names,
                 struct sl_err *err)
{
    char *buf = NULL;
    size_t got = 0;
    int rc = sl_read_file(path, SL_HOSTMAP_FILE_LIMIT, &buf, &got, err);

    if (rc == SL_ETOOBIG)
        return sl_err_set(err, rc, path, "the host map is over %u bytes",
                          (unsigned)SL_HOSTMAP_FILE_LIMIT);
    if (rc) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        return sl_err_set(err, SL_EIO, path, "cannot read the host map: %s", why);
    }
    rc = hostmap_parse(out, buf, got, path, names, err);
    sl_free(buf);
    return rc;
}

void hostmap_counts(const struct hostmap *m, size_t *hosts, size_t *nets)
{
    *hosts = m ? m->nhosts : 0;
    *nets = m ? m->nnets : 0;
}

const struct hostmap_entry *hostmap_find(const struct hostmap *m, const char *host,
                                         size_t host_len, const struct sl_cidr *addr)
{
    size_t v;

    if (!m)
        return NULL;
    if (host && host_len && m->nhosts) {
        size_t lo = 0, hi = m->nhosts;

        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            const struct hkey *k = &m->hosts[mid];
            size_t n = k->len < host_len ? k->len : host_len;
            int c = 0;

            for (size_t j = 0; j < n && !c; j++) {
                unsigned char h = (unsigned char)host[j];
                h = (unsigned char)(h >= 'A' && h <= 'Z' ? h + 32 : h);
                c = (unsigned char)k->name[j] - h;
            }
            if (!c)
                c = (k->len > host_len) - (k->len < host_len);
            if (!c)
                return &m->ents[k->entry];
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    if (addr && m->nnets && sl_cidr_lookup(m->tab, addr, &v) == 0)
        return &m->ents[v];
    return NULL;
}

void hostmap_emit(const struct hostmap *m, const struct hostmap_entry *en, fld_emit_fn emit,
                  void *arg)
{
    for (size_t i = en->first; i < en->first + en->n; i++)
        emit(arg, m->pairs[i].name, FLD_STRING, m->arena + m->pairs[i].off, m->pairs[i].len);
}
