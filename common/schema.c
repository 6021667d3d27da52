/* common/schema.c: the config rows' parsers and setters.
 *
 * Design: every value is checked here, once, whatever reads it (the YAML
 * loader, a default written in a row, a CLI override). The text forms:
 *   size      an integer of bytes with an optional unit, case-insensitive, a
 *             space allowed before it: B, KB MB GB TB (powers of 1000: disks,
 *             networks) or KiB MiB GiB TiB (powers of 1024: memory). 512,
 *             64KiB, 64KB, 5MiB, 1GiB, 10GB. No fractions.
 *   duration  integer + unit, units ms s m h d, several in a row allowed
 *             ("1m30s"); a bare number is refused (is 5 seconds or ms?) except
 *             0, which means zero in any unit.
 *   bool      true/false, yes/no, on/off, case-insensitive.
 *   uint      decimal digits only (no sign, no spaces, no suffix).
 *   str       any non-empty text (an empty string is almost always a mistake
 *             in a path, host or index; a row that wants "none" leaves out the
 *             key instead).
 * Arithmetic is overflow-checked: a value past UINT64_MAX is an error, never
 * a wrap. A rejected value leaves the field as it was.
 *
 * Error messages name the expected form and echo the text written (cut at 64
 * bytes), except for SECRET rows, whose text is never echoed anywhere. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/schema.h"

#define PARSE_OK       0
#define PARSE_BAD      1
#define PARSE_OVERFLOW 2

struct unit {
    const char *name;
    uint64_t mult;
};

static const struct unit size_units[] = {
    { "", 1 }, { "B", 1 },
    { "KB", 1000ull }, { "MB", 1000ull * 1000 }, { "GB", 1000ull * 1000 * 1000 },
    { "TB", 1000ull * 1000 * 1000 * 1000 },
    { "KiB", 1024ull }, { "MiB", 1024ull * 1024 }, { "GiB", 1024ull * 1024 * 1024 },
    { "TiB", 1024ull * 1024 * 1024 * 1024 },
    { NULL, 0 },
};

static const struct unit duration_units[] = {
    { "ms", 1 }, { "s", 1000 }, { "m", 60ull * 1000 }, { "h", 3600ull * 1000 },
    { "d", 86400ull * 1000 },
    { NULL, 0 },
};

/* Reads leading digits; *p moves past them. PARSE_BAD when there are none. */
static int digits(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    int overflow = 0;

    if (!isdigit((unsigned char)*s))
        return PARSE_BAD;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');

        if (v > (UINT64_MAX - d) / 10)
            overflow = 1;
        else
            v = v * 10 + d;
    }
    *p = s;
    *out = v;
    return overflow ? PARSE_OVERFLOW : PARSE_OK;
}

static int mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
    if (b && a > UINT64_MAX / b)
        return 0;
    *out = a * b;
    return 1;
}

static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v;
    int rc = digits(&s, &v);

    if (rc)
        return rc;
    if (*s)
        return PARSE_BAD;
    *out = v;
    return PARSE_OK;
}

static int parse_size(const char *s, uint64_t *out)
{
    uint64_t n, v;
    int rc = digits(&s, &n);

    if (rc == PARSE_BAD)
        return rc;
    while (*s == ' ')
        s++;
    for (const struct unit *u = size_units; u->name; u++) {
        if (strcasecmp(s, u->name) != 0)
            continue;
        if (rc == PARSE_OVERFLOW || !mul_ok(n, u->mult, &v))
            return PARSE_OVERFLOW;
        *out = v;
        return PARSE_OK;
    }
    return PARSE_BAD;
}

static int parse_duration(const char *s, uint64_t *out)
{
    uint64_t total = 0;
    int overflow = 0;

    if (strcmp(s, "0") == 0) {
        *out = 0;
        return PARSE_OK;
    }
    if (!*s)
        return PARSE_BAD;
    while (*s) {
        const struct unit *best = NULL;
        uint64_t n, v;
        int rc = digits(&s, &n);

        if (rc == PARSE_BAD)
            return rc;
        if (rc == PARSE_OVERFLOW)
            overflow = 1;
        /* longest unit first, so "5ms" is not "5m" followed by "s" */
        for (const struct unit *u = duration_units; u->name; u++) {
            size_t l = strlen(u->name);

            if (strncmp(s, u->name, l) == 0 && (!best || l > strlen(best->name)))
                best = u;
        }
        if (!best)
            return PARSE_BAD;
        s += strlen(best->name);
        if (!mul_ok(n, best->mult, &v) || total > UINT64_MAX - v)
            overflow = 1;
        else
            total += v;
    }
    if (overflow)
        return PARSE_OVERFLOW;
    *out = total;
    return PARSE_OK;
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = { "true", "yes", "on", NULL };
    static const char *const no[] = { "false", "no", "off", NULL };

    for (size_t i = 0; yes[i]; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return PARSE_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return PARSE_OK;
        }
    }
    return PARSE_BAD;
}

int sl_parse_u64(const char *s, uint64_t *out)
{
    return parse_u64(s, out) ? SL_EINVAL : 0;
}

int sl_parse_size(const char *s, uint64_t *out)
{
    return parse_size(s, out) ? SL_EINVAL : 0;
}

int sl_parse_duration_ms(const char *s, uint64_t *out)
{
    return parse_duration(s, out) ? SL_EINVAL : 0;
}

int sl_parse_bool(const char *s, int *out)
{
    return parse_bool(s, out) ? SL_EINVAL : 0;
}

/* Bounds in the row's own units, the way a user would write them. */
void sl_cfg_format(char *out, size_t n, enum sl_cfg_type t, uint64_t v)
{
    static const struct unit sizes[] = {
        { "TiB", 1024ull * 1024 * 1024 * 1024 }, { "GiB", 1024ull * 1024 * 1024 },
        { "MiB", 1024ull * 1024 }, { "KiB", 1024 }, { NULL, 0 },
    };
    static const struct unit times[] = {
        { "d", 86400ull * 1000 }, { "h", 3600ull * 1000 }, { "m", 60ull * 1000 },
        { "s", 1000 }, { NULL, 0 },
    };
    const struct unit *u = t == SL_CFG_SIZE ? sizes : t == SL_CFG_DURATION ? times : NULL;

    for (; u && u->name; u++) {
        if (v && v % u->mult == 0) {
            snprintf(out, n, "%llu%s", (unsigned long long)(v / u->mult), u->name);
            return;
        }
    }
    snprintf(out, n, "%llu%s", (unsigned long long)v, t == SL_CFG_DURATION && v ? "ms" : "");
}

/* The text as written, cut and with control bytes masked, for a message. */
static void echo(char *out, size_t n, const char *text)
{
    size_t i, j = 0;

    for (i = 0; text[i] && j + 4 < n && i < 64; i++)
        out[j++] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i];
    if (text[i] && j + 4 < n) {
        memcpy(out + j, "...", 3);
        j += 3;
    }
    out[j] = '\0';
}

static const char *form(const struct sl_cfg_row *row)
{
    switch (row->type) {
    case SL_CFG_BOOL: return "true or false (also yes/no, on/off)";
    case SL_CFG_UINT: return "a whole number like 1024";
    case SL_CFG_SIZE: return "a size like 64KiB (KiB/MiB/GiB = 1024^n, KB/MB/GB = 1000^n, none = bytes)";
    case SL_CFG_DURATION: return "a duration like 250ms, 1s, 5m, 1h or 1d (a unit is required)";
    default: return "a value";
    }
}

static int bad_form(const struct sl_cfg_row *row, const char *text, const char *where,
                    int overflow, struct sl_err *err)
{
    char shown[80];

    echo(shown, sizeof shown, text);
    return sl_err_set(err, SL_EINVAL, where, "expected %s, got '%s'%s", form(row), shown,
                      overflow ? " (too large)" : "");
}

static int check_bounds(const struct sl_cfg_row *row, uint64_t v, const char *where,
                        struct sl_err *err)
{
    char got[32], lo[32], hi[32];

    if (v >= row->min && (row->max == 0 || v <= row->max))
        return 0;
    sl_cfg_format(got, sizeof got, row->type, v);
    sl_cfg_format(lo, sizeof lo, row->type, row->min);
    if (row->max == 0)
        return sl_err_set(err, SL_EINVAL, where, "%s is out of bounds: the minimum is %s",
                          got, lo);
    sl_cfg_format(hi, sizeof hi, row->type, row->max);
    return sl_err_set(err, SL_EINVAL, where, "%s is out of bounds: expected %s to %s",
                      got, lo, hi);
}

static int set_enum(const struct sl_cfg_row *row, int *field, const char *text,
                    const char *where, struct sl_err *err)
{
    char names[256] = "", shown[80];
    size_t used = 0;

    for (int i = 0; row->enum_names && row->enum_names[i]; i++) {
        if (strcmp(text, row->enum_names[i]) == 0) {
            *field = i;
            return 0;
        }
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                     i ? ", " : "", row->enum_names[i]);
    }
    echo(shown, sizeof shown, text);
    return sl_err_set(err, SL_EINVAL, where, "expected one of %s; got '%s'", names, shown);
}

static void wipe_free(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    sl_free(s);
}

int sl_cfg_set_scalar(const struct sl_cfg_row *row, void *base, const char *text,
                      const char *where, struct sl_err *err)
{
    char *field = (char *)base + row->offset;
    uint64_t v = 0;
    int b = 0, rc;

    switch (row->type) {
    case SL_CFG_STR:
    case SL_CFG_SECRET:
        if (!*text)
            return sl_err_set(err, SL_EINVAL, where, "expected a non-empty %s",
                              row->type == SL_CFG_SECRET ? "secret" : "string");
        if (row->type == SL_CFG_SECRET)
            wipe_free(*(char **)field);
        else
            sl_free(*(char **)field);
        *(char **)field = sl_strdup(text);
        return 0;
    case SL_CFG_BOOL:
        if (parse_bool(text, &b))
            return bad_form(row, text, where, 0, err);
        *(int *)field = b;
        return 0;
    case SL_CFG_UINT:
    case SL_CFG_SIZE:
    case SL_CFG_DURATION:
        rc = row->type == SL_CFG_UINT ? parse_u64(text, &v)
           : row->type == SL_CFG_SIZE ? parse_size(text, &v)
           : parse_duration(text, &v);
        if (rc)
            return bad_form(row, text, where, rc == PARSE_OVERFLOW, err);
        rc = check_bounds(row, v, where, err);
        if (rc)
            return rc;
        *(uint64_t *)field = v;
        return 0;
    case SL_CFG_ENUM:
        return set_enum(row, (int *)field, text, where, err);
    case SL_CFG_STRLIST:
    case SL_CFG_MAP:
    case SL_CFG_SECTION:
        break;
    }
    return sl_err_set(err, SL_EINVAL, where, "expected a %s, not a single value",
                      row->type == SL_CFG_STRLIST ? "list" : "mapping");
}

/* A STRLIST default is written "[a, b]" or "a, b". */
static void strlist_default(struct sl_strlist *l, const char *def)
{
    const char *s = def, *end = def + strlen(def);

    while (s < end && isspace((unsigned char)*s))
        s++;
    if (s < end && *s == '[') {
        s++;
        while (end > s && isspace((unsigned char)end[-1]))
            end--;
        if (end > s && end[-1] == ']')
            end--;
    }
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s)), *e;

        e = comma ? comma : end;
        while (s < e && isspace((unsigned char)*s))
            s++;
        const char *t = e;
        while (t > s && isspace((unsigned char)t[-1]))
            t--;
        if (t > s) {
            l->v = sl_realloc(l->v, (l->n + 1) * sizeof *l->v);
            l->v[l->n++] = sl_strndup(s, (size_t)(t - s));
        }
        s = comma ? comma + 1 : end;
    }
}

int sl_cfg_defaults(const struct sl_cfg_row *rows, void *base, struct sl_err *err)
{
    for (const struct sl_cfg_row *r = rows; r->name; r++) {
        int rc;

        if (r->type == SL_CFG_SECTION) {
            rc = sl_cfg_defaults(r->sub, base, err);
            if (rc)
                return rc;
            continue;
        }
        if (!r->def)
            continue;
        if (r->type == SL_CFG_STRLIST) {
            struct sl_strlist *l = (struct sl_strlist *)((char *)base + r->offset);

            if (l->n == 0)
                strlist_default(l, r->def);
            continue;
        }
        if (r->type == SL_CFG_MAP)
            return sl_err_set(err, SL_EINVAL, r->name, "a map row cannot have a default");
        rc = sl_cfg_set_scalar(r, base, r->def, r->name, err);
        if (rc)
            return rc;
    }
    return 0;
}

void sl_cfg_release(const struct sl_cfg_row *rows, void *base)
{
    if (!base)
        return;
    for (const struct sl_cfg_row *r = rows; r->name; r++) {
        char *field = (char *)base + r->offset;

        switch (r->type) {
        case SL_CFG_STR:
            sl_free(*(char **)field);
            *(char **)field = NULL;
            break;
        case SL_CFG_SECRET:
            wipe_free(*(char **)field);
            *(char **)field = NULL;
            break;
        case SL_CFG_STRLIST: {
            struct sl_strlist *l = (struct sl_strlist *)field;

            for (size_t i = 0; i < l->n; i++)
                sl_free(l->v[i]);
            sl_free(l->v);
            l->v = NULL;
            l->n = 0;
            break;
        }
        case SL_CFG_MAP: {
            struct sl_kvlist *m = (struct sl_kvlist *)field;

            for (size_t i = 0; i < m->n; i++) {
                sl_free(m->k[i]);
                sl_free(m->v[i]);
            }
            sl_free(m->k);
            sl_free(m->v);
            m->k = m->v = NULL;
            m->n = 0;
            break;
        }
        case SL_CFG_SECTION:
            sl_cfg_release(r->sub, base);
            break;
        default:
            break;
        }
    }
}

const struct sl_cfg_row *sl_cfg_find(const struct sl_cfg_row *rows, const char *name)
{
    for (const struct sl_cfg_row *r = rows; r && r->name; r++)
        if (strcmp(r->name, name) == 0)
            return r;
    return NULL;
}
