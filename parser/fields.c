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
    return 0;
}

void fld_name_free(struct fld_name *n)
{
    if (!n)
        return;
    sl_free(n->keys_buf);
    memset(n, 0, sizeof *n);
}
