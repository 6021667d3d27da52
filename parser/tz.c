/* parser/tz.c: IANA zones from TZif files into a table of transitions.
 *
 * Design: a TZif file (RFC 8536) lists the UTC instants where the zone's
 * offset changes, then a POSIX TZ string (the footer) for every time after
 * the last one. Version 2+ files carry a second, 64-bit block; only that one
 * is read (version 1 files, 32-bit only, are read from the first block).
 * Debian's tzdata writes "fat" files (explicit transitions up to 2037); a
 * "slim" file stops much earlier and leaves the rest to the footer. Either
 * way the footer's rule (Mm.w.d[/time], Jn, n) is expanded at load into
 * explicit transitions up to 2262 (what int64 nanoseconds hold), so a lookup
 * is one binary search over one table, whatever the file's style. Leap
 * second records (the right/ zones) are skipped: syslog time is POSIX time.
 *
 * Ceilings: the file at most SL_TZ_FILE_LIMIT bytes, the table at most
 * SL_TZ_TRANS_LIMIT transitions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/clock.h"
#include "common/file.h"
#include "common/mem.h"
#include "parser/tz.h"

#define TZ_YEAR_LAST 2262

struct tz {
    char    *name;
    int32_t  off0;          /* before the first transition */
    size_t   n, cap;
    int64_t *at;            /* UTC seconds, ascending */
    int32_t *off;           /* in effect from at[i] on */
};

static void push(struct tz *z, int64_t at, int32_t off)
{
    if (z->n == z->cap) {
        z->cap = z->cap ? z->cap * 2 : 64;
        z->at = sl_realloc(z->at, z->cap * sizeof *z->at);
        z->off = sl_realloc(z->off, z->cap * sizeof *z->off);
    }
    z->at[z->n] = at;
    z->off[z->n] = off;
    z->n++;
}

void tz_free(struct tz *z)
{
    if (!z)
        return;
    sl_free(z->name);
    sl_free(z->at);
    sl_free(z->off);
    sl_free(z);
}

const char *tz_name(const struct tz *z)
{
    return z->name;
}

int tz_fixed_offset(const char *s, int32_t *out)
{
    int sign, hh, mm = 0;
    const char *p;

    if (!strcmp(s, "UTC") || !strcmp(s, "utc") || !strcmp(s, "Z") || !strcmp(s, "GMT")) {
        *out = 0;
        return 0;
    }
    if (s[0] != '+' && s[0] != '-')
        return -1;
    sign = s[0] == '-' ? -1 : 1;
    p = s + 1;
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return -1;
    hh = (p[0] - '0') * 10 + (p[1] - '0');
    p += 2;
    if (*p == ':')
        p++;
    if (*p) {
        if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2])
            return -1;
        mm = (p[0] - '0') * 10 + (p[1] - '0');
    } else if (p[-1] == ':') {
        return -1;
    }
    if (hh > 23 || mm > 59)
        return -1;
    *out = sign * (hh * 3600 + mm * 60);
    return 0;
}

/* An IANA name as tzdata spells them: no absolute path, no "..", no odd bytes. */
static int valid_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 255 || s[0] == '/' || s[0] == '.' || strstr(s, ".."))
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+' || c == '.'))
            return 0;
    }
    return 1;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* ---- the footer: a POSIX TZ string ---- */

struct prule {
    int kind;               /* 'M', 'J', 'n' */
    int m, w, d;            /* M: month, week 1..5, weekday 0..6; J/n: day in d */
    int32_t time;           /* seconds after local midnight (may be <0 or >24h) */
};

struct posix_tz {
    int32_t std_off, dst_off;   /* east of UTC */
    int has_dst, has_rules;
    struct prule start, end;
};

static const char *p_name(const char *p)
{
    if (*p == '<') {
        const char *e = strchr(p, '>');
        return e ? e + 1 : NULL;
    }
    const char *s = p;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
        p++;
    return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]]; hours up to 167 (RFC 8536's extension). */
static const char *p_hms(const char *p, int32_t *out)
{
    int sign = 1, v[3] = { 0, 0, 0 };

    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    for (int i = 0; i < 3; i++) {
        int digits = 0;
        if (i && *p != ':')
            break;
        if (i)
            p++;
        while (*p >= '0' && *p <= '9' && digits < 3) {
            v[i] = v[i] * 10 + (*p++ - '0');
            digits++;
        }
        if (!digits || v[i] > (i ? 59 : 167))
            return NULL;
    }
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return p;
}

static const char *p_int(const char *p, int *out, int lo, int hi)
{
    int v = 0, digits = 0;

    while (*p >= '0' && *p <= '9' && digits < 4) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    if (!digits || v < lo || v > hi)
        return NULL;
    *out = v;
    return p;
}

static const char *p_rule(const char *p, struct prule *r)
{
    r->time = 7200;
    if (*p == 'M') {
        r->kind = 'M';
        if (!(p = p_int(p + 1, &r->m, 1, 12)) || *p != '.' ||
            !(p = p_int(p + 1, &r->w, 1, 5)) || *p != '.' ||
            !(p = p_int(p + 1, &r->d, 0, 6)))
            return NULL;
    } else if (*p == 'J') {
        r->kind = 'J';
        if (!(p = p_int(p + 1, &r->d, 1, 365)))
            return NULL;
    } else {
        r->kind = 'n';
        if (!(p = p_int(p, &r->d, 0, 365)))
            return NULL;
    }
    if (*p == '/' && !(p = p_hms(p + 1, &r->time)))
        return NULL;
    return p;
}

/* 0, or -1 when the string is not one this reads (the table then ends at
 * the file's last transition, its offset holding from there on). */
static int posix_parse(const char *s, struct posix_tz *t)
{
    const char *p = p_name(s);
    int32_t west;

    memset(t, 0, sizeof *t);
    if (!p || !(p = p_hms(p, &west)))
        return -1;
    t->std_off = -west;
    if (!*p)
        return 0;
    if (!(p = p_name(p)))
        return -1;
    t->has_dst = 1;
    t->dst_off = t->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = p_hms(p, &west)))
            return -1;
        t->dst_off = -west;
    }
    if (!*p)
        return -1;                  /* DST without rules: POSIX's default rules are not used */
    if (*p != ',' || !(p = p_rule(p + 1, &t->start)) || *p != ',' ||
        !(p = p_rule(p + 1, &t->end)) || *p)
        return -1;
    t->has_rules = 1;
    return 0;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day (since the epoch) a rule names in year y. */
static int64_t rule_day(const struct prule *r, int64_t y)
{
    int64_t jan1 = sl_days_from_civil(y, 1, 1);

    if (r->kind == 'J')
        return jan1 + r->d - 1 + (is_leap(y) && r->d >= 60);
    if (r->kind == 'n')
        return jan1 + r->d;
    int64_t first = sl_days_from_civil(y, (unsigned)r->m, 1);
    int64_t next = r->m == 12 ? sl_days_from_civil(y + 1, 1, 1)
                              : sl_days_from_civil(y, (unsigned)r->m + 1, 1);
    int64_t wd = ((first + 4) % 7 + 7) % 7;     /* 1970-01-01 was a Thursday */
    int64_t day = first + (r->d - wd + 7) % 7 + (int64_t)(r->w - 1) * 7;

    while (day >= next)
        day -= 7;
    return day;
}

/* The footer's changes after `after` (UTC), up to TZ_YEAR_LAST. */
static void expand_rules(struct tz *z, const struct posix_tz *t, int64_t after)
{
    int64_t d = after < -(INT64_C(1) << 40) ? -(INT64_C(1) << 24) : after / 86400 - (after % 86400 < 0), y0;
    unsigned m, dd;

    sl_civil_from_days(d, &y0, &m, &dd);
    if (y0 < 1678)
        y0 = 1678;                  /* what int64 nanoseconds hold */
    for (int64_t y = y0; y <= TZ_YEAR_LAST && z->n < SL_TZ_TRANS_LIMIT - 2; y++) {
        /* start: std -> dst, its time written in standard time; end the reverse */
        int64_t s = rule_day(&t->start, y) * 86400 + t->start.time - t->std_off;
        int64_t e = rule_day(&t->end, y) * 86400 + t->end.time - t->dst_off;
        int64_t a = s < e ? s : e, b = s < e ? e : s;
        int32_t oa = s < e ? t->dst_off : t->std_off, ob = s < e ? t->std_off : t->dst_off;

        if (a > after)
            push(z, a, oa);
        if (b > after)
            push(z, b, ob);
    }
}

static int parse_tzif(struct tz *z, const unsigned char *b, size_t len, struct sl_err *err)
{
    const unsigned char *h = b, *end = b + len;
    uint32_t cnt[6];
    size_t tsz = 4, body;
    int version;

    if (len < 44 || memcmp(b, "TZif", 4) != 0)
        return sl_err_set(err, SL_EINVAL, "", "not a TZif file");
    version = b[4] ? b[4] - '0' : 1;
    for (int pass = 0; pass < 2; pass++) {
        if ((size_t)(end - h) < 44 || memcmp(h, "TZif", 4) != 0)
            return sl_err_set(err, SL_EINVAL, "", "TZif header damaged");
        for (int i = 0; i < 6; i++)
            cnt[i] = be32(h + 20 + 4 * i);
        /* isutcnt isstdcnt leapcnt timecnt typecnt charcnt */
        body = (size_t)cnt[3] * tsz + cnt[3] + (size_t)cnt[4] * 6 + cnt[5] +
               (size_t)cnt[2] * (tsz + 4) + cnt[1] + cnt[0];
        if (cnt[4] == 0 || cnt[3] > SL_TZ_TRANS_LIMIT || cnt[4] > 256 ||
            body > (size_t)(end - h - 44))
            return sl_err_set(err, SL_EINVAL, "", "TZif counts out of range");
        if (pass == 0 && version >= 2) {
            h += 44 + body;
            tsz = 8;
            continue;
        }
        break;
    }
    {
        const unsigned char *tp = h + 44, *ip = tp + (size_t)cnt[3] * tsz,
                            *ty = ip + cnt[3], *foot = h + 44 + body;
        uint32_t ntypes = cnt[4];
        struct posix_tz pt;
        int have_pt = 0;

        z->off0 = (int32_t)be32(ty);
        for (uint32_t i = 0; i < cnt[3]; i++) {
            int64_t at = tsz == 8 ? be64(tp + 8 * i) : (int64_t)(int32_t)be32(tp + 4 * i);
            unsigned k = ip[i];

            if (k >= ntypes)
                return sl_err_set(err, SL_EINVAL, "", "TZif transition names type %u of %u",
                                  k, ntypes);
            if (z->n && at <= z->at[z->n - 1])
                return sl_err_set(err, SL_EINVAL, "", "TZif transitions out of order");
            push(z, at, (int32_t)be32(ty + 6 * k));
        }
        if (version >= 2 && foot < end && *foot == '\n') {
            const unsigned char *fe = memchr(foot + 1, '\n', (size_t)(end - foot - 1));
            char s[128];

            if (fe && (size_t)(fe - foot - 1) < sizeof s) {
                memcpy(s, foot + 1, (size_t)(fe - foot - 1));
                s[fe - foot - 1] = '\0';
                have_pt = s[0] && posix_parse(s, &pt) == 0;
            }
        }
        if (have_pt && pt.has_rules) {
            expand_rules(z, &pt, z->n ? z->at[z->n - 1] : INT64_MIN / 2);
        } else if (have_pt && !z->n) {
            z->off0 = pt.std_off;
        }
    }
    return 0;
}

int tz_load(struct tz **out, const char *name, const char *dir, struct sl_err *err)
{
    struct tz *z = sl_calloc(1, sizeof *z);
    unsigned char *buf = NULL;
    char path[4096], *text = NULL;
    size_t got = 0;
    int rc = 0;
    int32_t off;

    z->name = sl_strdup(name);
    if (tz_fixed_offset(name, &off) == 0) {
        z->off0 = off;
        goto done;
    }
    if (!valid_name(name)) {
        rc = sl_err_set(err, SL_EINVAL, "", "'%.80s' is not a time zone: expected an IANA "
                        "name like Europe/Paris, UTC, or an offset like +02:00", name);
        goto done;
    }
    snprintf(path, sizeof path, "%s/%s", dir ? dir : TZ_DIR_DEFAULT, name);
    rc = sl_read_file(path, SL_TZ_FILE_LIMIT, &text, &got, err);
    if (rc) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        sl_err_set(err, SL_EINVAL, "", rc == SL_ETOOBIG ? "time zone '%s': %s: %s" :
                   "unknown time zone '%s' (%s: %s)", name, path, why);
        rc = SL_EINVAL;
        goto done;
    }
    buf = (unsigned char *)text;
    rc = parse_tzif(z, buf, got, err);
    if (rc) {
        char m[sizeof err->msg];
        snprintf(m, sizeof m, "%s", err ? err->msg : "");
        sl_err_set(err, rc, "", "time zone '%s': %s: %s", name, path, m);
    }
done:
    sl_free(buf);
    if (rc) {
        tz_free(z);
        return rc;
    }
    *out = z;
    return 0;
}

/* The last transition at or before t, or -1. */
static long find_at(const struct tz *z, int64_t t)
{
    long lo = 0, hi = (long)z->n - 1, best = -1;

    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        if (z->at[mid] <= t) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

int32_t tz_offset_at(const struct tz *z, int64_t utc_s)
{
    long i = find_at(z, utc_s);

    return i < 0 ? z->off0 : z->off[i];
}

int64_t tz_local_to_utc(const struct tz *z, int64_t local_s)
{
    long lo = 0, hi = (long)z->n - 1, best = -1;

    /* The last change whose window (the wall times it skips or repeats)
     * starts at or before local_s; windows are far apart and ascending. */
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        int32_t before = mid ? z->off[mid - 1] : z->off0, after = z->off[mid];
        int64_t wstart = z->at[mid] + (before < after ? before : after);

        if (wstart <= local_s) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (best < 0)
        return local_s - z->off0;
    {
        int32_t before = best ? z->off[best - 1] : z->off0, after = z->off[best];
        int64_t wend = z->at[best] + (before < after ? after : before);

        return local_s - (local_s < wend ? before : after);
    }
}
