#include <stdio.h>
#include <string.h>

#include "common/bounds.h"
#include "common/clock.h"
#include "common/idxname.h"
#include "common/mem.h"

struct name {
    int64_t key;            /* hours since the epoch */
    char   *s;
    size_t  len;
};

struct sl_idxname {
    char   *pattern;
    int     dated;
    size_t  plain_len;
    struct name *tab;       /* open addressing; cap a power of two */
    size_t  n, cap;
    struct name *last;
};

int sl_idxname_new(struct sl_idxname **out, const char *pattern, struct sl_err *err)
{
    struct sl_idxname *x;
    size_t len = strlen(pattern);

    if (!strchr(pattern, '%') && len > SL_INDEX_NAME_LIMIT)
        return sl_err_set(err, SL_EINVAL, "index", "index name longer than %u bytes: %s",
                          SL_INDEX_NAME_LIMIT, pattern);
    x = sl_calloc(1, sizeof *x);
    x->pattern = sl_strdup(pattern);
    x->dated = strchr(pattern, '%') != NULL;
    x->plain_len = len;
    *out = x;
    return 0;
}

void sl_idxname_free(struct sl_idxname *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->cap; i++)
        sl_free(x->tab[i].s);
    sl_free(x->tab);
    sl_free(x->pattern);
    sl_free(x);
}

int sl_idxname_dated(const struct sl_idxname *x)
{
    return x->dated;
}

static void expand(const char *pattern, int64_t key, char *out, size_t *outlen)
{
    int64_t day = key / 24 - (key % 24 < 0), hour = key - day * 24, y;
    unsigned m, d;
    size_t n = 0;

    sl_civil_from_days(day, &y, &m, &d);
    for (const char *s = pattern; *s && n < SL_INDEX_NAME_LIMIT - 8; s++) {
        if (*s != '%' || !s[1]) {
            out[n++] = *s;
            continue;
        }
        s++;
        switch (*s) {
        case 'Y': n += (size_t)snprintf(out + n, 8, "%04lld", (long long)y); break;
        case 'm': n += (size_t)snprintf(out + n, 8, "%02u", m); break;
        case 'd': n += (size_t)snprintf(out + n, 8, "%02u", d); break;
        case 'H': n += (size_t)snprintf(out + n, 8, "%02lld", (long long)hour); break;
        default: out[n++] = *s; break;
        }
    }
    out[n] = '\0';
    *outlen = n;
}

static void grow(struct sl_idxname *x)
{
    size_t ncap = x->cap ? x->cap * 2 : 16;
    struct name *t = sl_calloc(ncap, sizeof *t);

    for (size_t i = 0; i < x->cap; i++) {
        if (!x->tab[i].s)
            continue;
        size_t j = (size_t)x->tab[i].key & (ncap - 1);
        while (t[j].s)
            j = (j + 1) & (ncap - 1);
        t[j] = x->tab[i];
    }
    sl_free(x->tab);
    x->tab = t;
    x->cap = ncap;
    x->last = NULL;
}

const char *sl_idxname_get(struct sl_idxname *x, int64_t time_ms, size_t *len)
{
    int64_t secs, key;
    size_t j;

    if (!x->dated) {
        *len = x->plain_len;
        return x->pattern;
    }
    secs = time_ms / 1000 - (time_ms % 1000 < 0);
    key = secs / 3600 - (secs % 3600 < 0);
    if (x->last && x->last->key == key) {
        *len = x->last->len;
        return x->last->s;
    }
    if (2 * (x->n + 1) > x->cap)
        grow(x);
    j = (size_t)key & (x->cap - 1);
    while (x->tab[j].s && x->tab[j].key != key)
        j = (j + 1) & (x->cap - 1);
    if (!x->tab[j].s) {
        char buf[SL_INDEX_NAME_LIMIT + 1];
        expand(x->pattern, key, buf, &x->tab[j].len);
        x->tab[j].s = sl_strdup(buf);
        x->tab[j].key = key;
        x->n++;
    }
    x->last = &x->tab[j];
    *len = x->last->len;
    return x->last->s;
}
