/* tests/unit/jcheck.c: a strict JSON checker for the documents the tests
 * produce: RFC 8259 (strings in valid UTF-8 with no raw control bytes,
 * numbers with fractions and exponents, true/false/null), and no repeated
 * key in an object. libfastjson's parser accepts more than this, so the
 * tests check with this first and read values with libfastjson after. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "tests/unit/jcheck.h"

struct jc {
    const char *p, *end;
    int depth;
};

static void jc_ws(struct jc *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int jc_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* A string; its raw bytes (between the quotes) in *s / *n. */
static int jc_string(struct jc *c, const char **s, size_t *n)
{
    if (c->p >= c->end || *c->p != '"')
        return -1;
    *s = ++c->p;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p;
        if (ch < 0x20)
            return -1;
        if (ch == '\\') {
            c->p++;
            if (c->p >= c->end)
                return -1;
            if (*c->p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (c->p + i >= c->end || !jc_hex(c->p[i]))
                        return -1;
                c->p += 4;
            } else if (!strchr("\"\\/bfnrt", *c->p)) {
                return -1;
            }
        }
        c->p++;
    }
    if (c->p >= c->end)
        return -1;
    *n = (size_t)(c->p - *s);
    c->p++;
    return 0;
}

static int jc_value(struct jc *c);

static int jc_object(struct jc *c)
{
    const char *keys[512];
    size_t lens[512], nk = 0;
    const char *k;
    size_t kn;

    c->p++;
    jc_ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return 0;
    }
    for (;;) {
        jc_ws(c);
        if (jc_string(c, &k, &kn))
            return -1;
        for (size_t i = 0; i < nk; i++)
            if (lens[i] == kn && !memcmp(keys[i], k, kn)) {
                fprintf(stderr, "\n  repeated key %.*s\n", (int)kn, k);
                return -1;
            }
        if (nk < 512) {
            keys[nk] = k;
            lens[nk++] = kn;
        }
        jc_ws(c);
        if (c->p >= c->end || *c->p++ != ':')
            return -1;
        if (jc_value(c))
            return -1;
        jc_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            return 0;
        }
        return -1;
    }
}

static int jc_array(struct jc *c)
{
    c->p++;
    jc_ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        return 0;
    }
    for (;;) {
        if (jc_value(c))
            return -1;
        jc_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            return 0;
        }
        return -1;
    }
}

static int jc_number(struct jc *c)
{
    const char *s = c->p;

    if (c->p < c->end && *c->p == '-')
        c->p++;
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return -1;
    if (*c->p == '0' && c->p + 1 < c->end && c->p[1] >= '0' && c->p[1] <= '9')
        return -1;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    /* grammars write fractions and exponents (the parser never does) */
    if (c->p < c->end && *c->p == '.') {
        const char *d = ++c->p;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
        if (c->p == d)
            return -1;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        const char *d;
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        d = c->p;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
        if (c->p == d)
            return -1;
    }
    return c->p > s ? 0 : -1;
}

/* true, false, null: grammars write them (the parser never does) */
static int jc_literal(struct jc *c)
{
    static const char *const lits[] = { "true", "false", "null" };

    for (int i = 0; i < 3; i++) {
        size_t n = strlen(lits[i]);
        if ((size_t)(c->end - c->p) >= n && memcmp(c->p, lits[i], n) == 0) {
            c->p += n;
            return 0;
        }
    }
    return -1;
}

static int jc_value(struct jc *c)
{
    const char *s;
    size_t n;
    int rc;

    jc_ws(c);
    if (c->p >= c->end || ++c->depth > 64)
        return -1;
    switch (*c->p) {
    case '{': rc = jc_object(c); break;
    case '[': rc = jc_array(c); break;
    case '"': rc = jc_string(c, &s, &n); break;
    case 't': case 'f': case 'n': rc = jc_literal(c); break;
    default: rc = jc_number(c); break;
    }
    c->depth--;
    return rc;
}

/* 0 when doc[0..n) is one strict JSON object in valid UTF-8, nothing around it. */
int tu_strict_json(const char *doc, size_t n)
{
    struct jc c = { doc, doc + n, 0 };

    if (!sl_utf8_valid(doc, n) || !n || doc[0] != '{')
        return -1;
    if (jc_value(&c))
        return -1;
    return c.p == c.end ? 0 : -1;
}

struct fjson_object *tu_jat(struct fjson_object *root, const char *path)
{
    struct fjson_object *o = root, *next;
    char key[256];
    const char *p = path, *dot;

    while (o && *p) {
        dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        if (!fjson_object_is_type(o, fjson_type_object) ||
            !fjson_object_object_get_ex(o, key, &next))
            return NULL;
        o = next;
        p = dot ? dot + 1 : p + n;
    }
    return o;
}

const char *tu_jstr(struct fjson_object *root, const char *path)
{
    struct fjson_object *o = tu_jat(root, path);

    if (!o || !fjson_object_is_type(o, fjson_type_string))
        return NULL;
    return fjson_object_get_string(o);
}

int64_t tu_jint(struct fjson_object *root, const char *path)
{
    struct fjson_object *o = tu_jat(root, path);

    if (!o || !fjson_object_is_type(o, fjson_type_int))
        return -999999;
    return fjson_object_get_int64(o);
}
