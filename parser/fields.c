#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "parser/fields.h"

struct span {
    const char *p;
    size_t      n;
};

static int bad(struct sl_err *err, const char *text, size_t len, const char *why)
{
    return sl_err_set(err, SL_EINVAL, "", "field name `%.*s`: %s",
                      (int)(len > 80 ? 80 : len), text, why);
}

/* Splits one key as written ([...] content or a dotted run) at its dots. */
static int split_dots(struct span *keys, unsigned *depth, const char *p, size_t n,
                      const char *text, size_t len, struct sl_err *err)
{
    size_t start = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '.') {
            unsigned char c = (unsigned char)p[i];
            if (c < 0x20 || c == 0x7f)
                return bad(err, text, len, "control byte");
            if (c == '[' || c == ']')
                return bad(err, text, len, "mixes [a][b] and a.b forms, or a stray bracket");
            continue;
        }
        if (i == start)
            return bad(err, text, len, "empty key");
        if (*depth == FLD_DEPTH_MAX)
            return bad(err, text, len, "more than 8 levels");
        keys[*depth].p = p + start;
        keys[*depth].n = i - start;
        (*depth)++;
        start = i + 1;
    }
    return 0;
}

/* Inlined so that strlen of a literal key folds to a constant: the `tags`
 * check runs for every one-key field. */
static inline __attribute__((always_inline)) int key_is(const struct fld_name *n, unsigned i,
                                                        const char *k)
{
    size_t kl = strlen(k);

    return i < n->depth && n->key_len[i] == kl && memcmp(n->key[i], k, kl) == 0;
}

/* Whether a path's first key may be one of the fixed names below: those all
 * start with one of these bytes. Payload names (json.*) are made by hand for
 * each emit, so this spares them the lists. */
static int maybe_fixed(const struct fld_name *n)
{
    if (!n->depth || !n->key_len[0])
        return 0;
    switch (n->key[0][0]) {
    case '@': case 'e': case 'h': case 'l': case 'm': case 'n': case 'p': case 's': case 't':
        return 1;
    }
    return 0;
}

/* The paths sluice writes itself (parser/README.md, parser/evt_json.c): a grammar's value for
 * one of them, under one of the scalars, over one of the objects, or inside
 * the subtrees sluice owns, would make a duplicate key or change a fixed
 * field's shape, so it is written under sluice.clash instead. source.ip and
 * source.port are not among them: a grammar's win (the sender moves). */
static int is_clash(const struct fld_name *n)
{
    static const char *const scalars1[] = { "@timestamp", "message", "tags", NULL };
    static const char *const objects[] = { "host", "log", "process", "source", "network",
                                           "event", NULL };
    static const char *const scalars2[][2] = {
        { "host", "hostname" }, { "log", "level" }, { "process", "name" },
        { "process", "pid" }, { "network", "transport" }, { "event", "ingested" },
        { "event", "created" },
        { "log", "syslog" }, { "log", "source" },   /* subtrees sluice owns */
    };

    if (!maybe_fixed(n))
        return 0;
    if (key_is(n, 0, "sluice"))
        return 1;
    for (size_t i = 0; scalars1[i]; i++)
        if (key_is(n, 0, scalars1[i]))
            return 1;
    if (n->depth == 1)
        for (size_t i = 0; objects[i]; i++)
            if (key_is(n, 0, objects[i]))
                return 1;
    for (size_t i = 0; i < sizeof scalars2 / sizeof scalars2[0]; i++)
        if (key_is(n, 0, scalars2[i][0]) && key_is(n, 1, scalars2[i][1]))
            return 1;
    return 0;
}

/* The fixed object a path of two keys or more lands in. */
static uint8_t top_of(const struct fld_name *n)
{
    static const char *const tops[] = { NULL, "host", "log", "process", "source", "network",
                                        "event" };

    if (n->depth < 2 || !maybe_fixed(n))
        return FLD_TOP_OTHER;       /* a scalar at the top: not inside a fixed object */
    for (uint8_t i = 1; i < FLD_TOP_N; i++)
        if (key_is(n, 0, tops[i]))
            return i;
    return FLD_TOP_OTHER;
}

/* Prefix hashes of the keys (FNV-1a over each key and a separator), and
 * which keys are plain JSON (no byte that needs escaping). */
static void key_hashes(const struct fld_name *n, uint32_t ph[FLD_DEPTH_MAX], uint8_t *plain)
{
    uint32_t h = 2166136261u;

    memset(ph, 0, FLD_DEPTH_MAX * sizeof *ph);
    *plain = 0;
    for (unsigned d = 0; d < n->depth; d++) {
        int ok = 1;
        for (size_t i = 0; i < n->key_len[d]; i++) {
            unsigned char c = (unsigned char)n->key[d][i];
            h = (h ^ c) * 16777619u;
            ok &= c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
        }
        h = (h ^ 0xffu) * 16777619u;
        ph[d] = h;
        if (ok)
            *plain |= (uint8_t)(1u << d);
    }
}

uint32_t fld_key_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return (h ^ 0xffu) * 16777619u;
}

void fld_facts(const struct fld_name *n, struct fld_facts *out)
{
    key_hashes(n, out->ph, &out->plain);
    out->clash = (uint8_t)is_clash(n);
    out->top = top_of(n);
    out->ok = 1;
}

int fld_name_parse(struct fld_name *out, const char *text, size_t len, struct sl_err *err)
{
    struct span keys[FLD_DEPTH_MAX];
    unsigned depth = 0;
    size_t i = 0, total = 0;
    char *buf, *o;
    int rc;

    memset(out, 0, sizeof *out);
    if (len == 0)
        return bad(err, text, len, "empty");
    if (len > FLD_NAME_MAX)
        return bad(err, text, len, "longer than 1024 bytes");
    if (text[0] == '[') {
        while (i < len) {
            size_t start;
            if (text[i] != '[')
                return bad(err, text, len, "expected `[` after `]`");
            start = ++i;
            while (i < len && text[i] != ']' && text[i] != '[')
                i++;
            if (i == len || text[i] != ']')
                return bad(err, text, len, "`[` without its `]`");
            rc = split_dots(keys, &depth, text + start, i - start, text, len, err);
            if (rc)
                return rc;
            i++;
        }
    } else {
        rc = split_dots(keys, &depth, text, len, text, len, err);
        if (rc)
            return rc;
    }

    for (unsigned k = 0; k < depth; k++)
        total += keys[k].n + 1;
    buf = sl_malloc(2 * total);
    o = buf;
    out->path = buf;
    for (unsigned k = 0; k < depth; k++) {
        memcpy(o, keys[k].p, keys[k].n);
        o += keys[k].n;
        *o++ = k + 1 < depth ? '.' : '\0';
    }
    for (unsigned k = 0; k < depth; k++) {
        out->key[k] = o;
        out->key_len[k] = keys[k].n;
        memcpy(o, keys[k].p, keys[k].n);
        o += keys[k].n;
        *o++ = '\0';
    }
    out->depth = depth;
    out->keys_buf = buf;
    fld_facts(out, &out->facts);
    return 0;
}

void fld_name_free(struct fld_name *n)
{
    if (!n)
        return;
    sl_free(n->keys_buf);
    memset(n, 0, sizeof *n);
}
