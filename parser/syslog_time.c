/* parser/syslog_time.c: timestamp forms, year inference, zones.
 *
 * Design: the readers only recognise and range-check what is written
 * (struct syslog_tm); syslog_time_resolve settles the rest.
 *  - Zone: a written offset wins; else the options' fixed offset, or the host
 *    zone through a per-event cache of 15-minute local buckets (zone changes
 *    happen on quarter hours, so a bucket has one offset, except the repeated
 *    hour of a fall-back change, read as whichever offset localtime reports
 *    first, and the skipped hour of a spring-forward change, read with the
 *    offset before the change); or an IANA zone's table (parser/tz.h), which
 *    reads both the repeated and the skipped hour with the offset before the
 *    change.
 *  - Year, for stamps without one: the receive time's year, unless that puts
 *    the date more than future_s ahead of receive time (then the year
 *    before: December lines read in January), or unless the next year puts
 *    it within future_s of receive time (then that year: a sender's clock a
 *    little ahead across New Year). Feb 29 goes to the latest leap year that
 *    is not in the future.
 *  - Range: 1678..2261, what int64 nanoseconds hold. */
#include <time.h>

#include "common/clock.h"
#include "parser/syslog.h"
#include "parser/syslog_time.h"
#include "parser/tz.h"

#define NS 1000000000LL

static int isdig(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Two digits at s, or -1. */
static int dig2(const unsigned char *s)
{
    return isdig(s[0]) && isdig(s[1]) ? (s[0] - '0') * 10 + (s[1] - '0') : -1;
}

static int dig4(const unsigned char *s)
{
    int a = dig2(s), b = dig2(s + 2);

    return a < 0 || b < 0 ? -1 : a * 100 + b;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int64_t y, int m)
{
    static const unsigned char dim[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && is_leap(y) ? 29 : dim[m];
}

/* Fraction after '.' or ',' at s[0]; returns bytes used (0: none). */
static size_t fraction(const unsigned char *s, size_t n, struct syslog_tm *t)
{
    size_t i = 1;
    uint32_t ns = 0;
    int k = 0;

    if (n < 2 || (s[0] != '.' && s[0] != ',') || !isdig(s[1]))
        return 0;
    while (i < n && isdig(s[i])) {
        if (k < 9) {
            ns = ns * 10 + (uint32_t)(s[i] - '0');
            k++;
        }
        i++;
    }
    t->frac = k;
    while (k++ < 9)
        ns *= 10;
    t->ns = ns;
    return i;
}

static int time_ok(const struct syslog_tm *t)
{
    if (t->mon < 1 || t->mon > 12 || t->day < 1 || t->hour < 0 || t->hour > 23 ||
        t->min < 0 || t->min > 59 || t->sec < 0 || t->sec > 60)
        return 0;
    /* Without a year, Feb 29 may still be right: the year decides later. */
    return t->day <= (t->year < 0 ? (t->mon == 2 ? 29 : days_in(2001, t->mon))
                                  : days_in(t->year, t->mon));
}

int syslog_time_rfc3339(const char **pp, size_t *left, struct syslog_tm *t)
{
    const unsigned char *p = (const unsigned char *)*pp;
    size_t n = *left, i;

    if (n < 5 || dig4(p) < 0 || p[4] != '-')
        return SYSLOG_TIME_NONE;
    if (n < 19 || p[7] != '-' || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
        p[13] != ':' || p[16] != ':')
        return SYSLOG_TIME_BAD;
    t->year = dig4(p);
    t->mon = dig2(p + 5);
    t->day = dig2(p + 8);
    t->hour = dig2(p + 11);
    t->min = dig2(p + 14);
    t->sec = dig2(p + 17);
    t->ns = 0;
    t->frac = 0;
    t->has_off = 0;
    t->off = 0;
    i = 19 + fraction(p + 19, n - 19, t);
    if (i < n && (p[i] == 'Z' || p[i] == 'z')) {
        t->has_off = 1;
        i++;
    } else if (i < n && (p[i] == '+' || p[i] == '-')) {
        int sign = p[i] == '-' ? -1 : 1, hh, mm = 0;
        if (n - i < 3 || (hh = dig2(p + i + 1)) < 0 || hh > 23)
            return SYSLOG_TIME_BAD;
        i += 3;
        if (i < n && p[i] == ':')
            i++;
        if (n - i >= 2 && isdig(p[i])) {
            if ((mm = dig2(p + i)) < 0 || mm > 59)
                return SYSLOG_TIME_BAD;
            i += 2;
        } else if (p[i - 1] == ':') {
            return SYSLOG_TIME_BAD;
        }
        t->has_off = 1;
        t->off = sign * (hh * 3600 + mm * 60);
    }
    if ((i < n && p[i] != ' ') || !time_ok(t))
        return SYSLOG_TIME_BAD;
    *pp += i;
    *left -= i;
    return SYSLOG_TIME_OK;
}

/* 1..12 for a month's abbreviation (any case), else 0. */
static int month_of(const unsigned char *s)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    char a = (char)(s[0] | 0x20), b = (char)(s[1] | 0x20), c = (char)(s[2] | 0x20);

    for (int m = 0; m < 12; m++)
        if (names[m * 3] == a && names[m * 3 + 1] == b && names[m * 3 + 2] == c)
            return m + 1;
    return 0;
}

int syslog_time_bsd(const char **pp, size_t *left, struct syslog_tm *t)
{
    const unsigned char *p = (const unsigned char *)*pp;
    size_t n = *left, i = 0;
    int y;

    if (n && (p[0] == '*' || p[0] == '.'))      /* Cisco: clock not synchronised */
        i = 1;
    if (n - i < 4 || !(t->mon = month_of(p + i)) || p[i + 3] != ' ')
        return SYSLOG_TIME_NONE;
    i += 4;
    while (i < n && p[i] == ' ')                /* "Nov  3" */
        i++;
    if (i >= n || !isdig(p[i]))
        return SYSLOG_TIME_BAD;
    t->day = p[i++] - '0';
    if (i < n && isdig(p[i]))
        t->day = t->day * 10 + (p[i++] - '0');
    if (i >= n || p[i] != ' ')
        return SYSLOG_TIME_BAD;
    while (i < n && p[i] == ' ')
        i++;
    t->year = -1;
    if (n - i >= 5 && (y = dig4(p + i)) >= 0 && p[i + 4] == ' ') {
        t->year = y;                            /* Cisco: Mmm dd yyyy hh:mm:ss */
        i += 5;
        while (i < n && p[i] == ' ')
            i++;
    }
    if (n - i < 8 || p[i + 2] != ':' || p[i + 5] != ':')
        return SYSLOG_TIME_BAD;
    t->hour = dig2(p + i);
    t->min = dig2(p + i + 3);
    t->sec = dig2(p + i + 6);
    t->ns = 0;
    t->frac = 0;
    t->has_off = 0;
    t->off = 0;
    i += 8;
    i += fraction(p + i, n - i, t);
    if (t->year < 0 && n - i >= 5 && p[i] == ' ' && (y = dig4(p + i + 1)) >= 0 &&
        (n - i == 5 || p[i + 5] == ' ')) {
        t->year = y;                            /* Mmm dd hh:mm:ss yyyy */
        i += 5;
    }
    if (i < n && p[i] == ':' && (i + 1 == n || p[i + 1] == ' '))
        i++;                                    /* Cisco: "...:11.123: %SYS-5-..." */
    if ((i < n && p[i] != ' ') || !time_ok(t))
        return SYSLOG_TIME_BAD;
    *pp += i;
    *left -= i;
    return SYSLOG_TIME_OK;
}

static int32_t host_off(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!localtime_r(&tt, &tm))
        return 0;
    return (int32_t)tm.tm_gmtoff;
}

/* Local wall-clock seconds of the host zone to UTC seconds. */
static int64_t host_to_utc(struct syslog_zcache *zc, int64_t local)
{
    int64_t key = local >= 0 ? local / 900 : (local - 899) / 900;
    unsigned s = (unsigned)(((uint64_t)key * 0x9e3779b97f4a7c15ull) >> (64 - SYSLOG_ZCACHE_BITS));
    int32_t o1, o2;

    if (zc->used[s] && zc->key[s] == key && !zc->tz[s])
        return local - zc->off[s];
    /* Offset at the instant this wall time would be in UTC, then again at
     * the instant that gives: the second agrees except around a change. */
    o1 = host_off(local);
    o2 = host_off(local - o1);
    if (o2 != o1 && host_off(local - o2) != o2)
        o2 = o1 < o2 ? o1 : o2;                 /* in the skipped hour */
    zc->key[s] = key;
    zc->off[s] = o2;
    zc->used[s] = 1;
    zc->tz[s] = NULL;
    return local - o2;
}

/* The same for an IANA zone. A bucket is cached only when its first and
 * last second read with the offset found: true of every bucket but those a
 * change's window cuts off the quarter hour (local mean times before 1900). */
static int64_t tz_to_utc(struct syslog_zcache *zc, const struct tz *z, int64_t local)
{
    int64_t key = local >= 0 ? local / 900 : (local - 899) / 900;
    unsigned s = (unsigned)((((uint64_t)key ^ (uint64_t)(uintptr_t)z) * 0x9e3779b97f4a7c15ull) >>
                            (64 - SYSLOG_ZCACHE_BITS));
    int64_t u, b0 = key * 900;
    int32_t off;

    if (zc->used[s] && zc->key[s] == key && zc->tz[s] == z)
        return local - zc->off[s];
    u = tz_local_to_utc(z, local);
    off = (int32_t)(local - u);
    if (b0 - tz_local_to_utc(z, b0) == off && b0 + 899 - tz_local_to_utc(z, b0 + 899) == off) {
        zc->key[s] = key;
        zc->off[s] = off;
        zc->used[s] = 1;
        zc->tz[s] = z;
    }
    return u;
}

static int64_t to_utc(struct syslog_zcache *zc, const struct syslog_opts *o,
                      const struct syslog_tm *t, int64_t y)
{
    int64_t local = sl_days_from_civil(y, (unsigned)t->mon, (unsigned)t->day) * 86400 +
                    t->hour * 3600 + t->min * 60 + t->sec;

    if (t->has_off)
        return local - t->off;
    if (o->tz)
        return tz_to_utc(zc, o->tz, local);
    if (!o->zone_local)
        return local - o->zone_off;
    return host_to_utc(zc, local);
}

/* The year of a year-less stamp; *utc is its time when that was worked out
 * on the way (utc_ok), so the caller need not convert again. */
static int64_t infer_year(struct syslog_zcache *zc, const struct syslog_tm *t,
                          const struct syslog_opts *o, int64_t recv_s, int64_t *utc,
                          int *utc_ok)
{
    int64_t y, d = recv_s / 86400 - (recv_s % 86400 < 0), ry;
    int64_t limit = recv_s + (int64_t)o->future_s, cand;
    unsigned m, dd;

    *utc_ok = 0;
    if (!zc->recv_known || zc->recv_day != d) {
        sl_civil_from_days(d, &ry, &m, &dd);
        zc->recv_day = d;
        zc->recv_year = ry;
        zc->recv_known = 1;
    }
    ry = zc->recv_year;
    y = ry;
    if (t->mon == 2 && t->day == 29) {
        /* The latest leap year whose Feb 29 is not beyond the limit. */
        for (y = ry + 1; y > ry - 8; y--)
            if (is_leap(y) && to_utc(zc, o, t, y) <= limit)
                break;
        return y;
    }
    cand = to_utc(zc, o, t, y);
    if (cand > limit)
        return y - 1;
    /* Next year is at least 365 days on, less a day of zone difference. */
    if (cand <= limit - 364 * 86400 && to_utc(zc, o, t, y + 1) <= limit)
        return y + 1;
    *utc = cand;
    *utc_ok = 1;
    return y;
}

int syslog_time_resolve(struct syslog_zcache *zc, const struct syslog_tm *t,
                        const struct syslog_opts *o, int64_t recv_ns, int64_t *out_ns)
{
    int64_t y = t->year, s = 0;
    int known = 0;

    if (y < 0)
        y = infer_year(zc, t, o, recv_ns / NS, &s, &known);
    if (y < 1678 || y > 2261)
        return SYSLOG_TIME_BAD;
    if (!known)
        s = to_utc(zc, o, t, y);
    *out_ns = s * NS + (int64_t)t->ns;
    return 0;
}
