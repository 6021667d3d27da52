#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/err.h"

uint64_t sl_clock_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t sl_clock_real_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Howard Hinnant's civil-date algorithms: exact for every proleptic Gregorian date. */
int64_t sl_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void sl_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

size_t sl_time_rfc3339(char *out, int64_t t_ns, int digits)
{
    int64_t secs = t_ns / 1000000000, ns = t_ns % 1000000000;
    int64_t days, y;
    unsigned m, d, sod;
    int n;

    if (ns < 0) {
        ns += 1000000000;
        secs--;
    }
    days = secs / 86400;
    if (secs % 86400 < 0)
        days--;
    sod = (unsigned)(secs - days * 86400);
    sl_civil_from_days(days, &y, &m, &d);
    n = snprintf(out, 40, "%04lld-%02u-%02uT%02u:%02u:%02u", (long long)y, m, d,
                 sod / 3600, sod / 60 % 60, sod % 60);
    if (digits == 3)
        n += snprintf(out + n, 40 - (size_t)n, ".%03lld", (long long)(ns / 1000000));
    else if (digits == 6)
        n += snprintf(out + n, 40 - (size_t)n, ".%06lld", (long long)(ns / 1000));
    else if (digits == 9)
        n += snprintf(out + n, 40 - (size_t)n, ".%09lld", (long long)ns);
    out[n++] = 'Z';
    out[n] = '\0';
    return (size_t)n;
}

static int digits_at(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* ".123" at *s: nanoseconds (digits past 9 refused); *s moves past it. */
static int frac_at(const char **s, int64_t *ns)
{
    const char *p = *s;
    int64_t v = 0;
    int k = 0;

    *ns = 0;
    if (*p != '.')
        return 0;
    p++;
    while (*p >= '0' && *p <= '9') {
        if (++k > 9)
            return -1;
        v = v * 10 + (*p++ - '0');
    }
    if (!k)
        return -1;
    while (k++ < 9)
        v *= 10;
    *ns = v;
    *s = p;
    return 0;
}

#define SL_NS_MIN_S  (-9223372036LL)    /* seconds int64 nanoseconds hold */
#define SL_NS_MAX_S  9223372035LL

int sl_time_parse(const char *s, int64_t *out_ns)
{
    static const unsigned char dim[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 1, neg = 0;
    int64_t secs = 0, ns;
    const char *p = s;

    if (!s || !*s)
        return SL_EINVAL;
    if (strlen(s) >= 5 && s[4] == '-') {
        if (strlen(s) < 20 || digits_at(s, 4, &y) || digits_at(s + 5, 2, &mo) || s[7] != '-' ||
            digits_at(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
            digits_at(s + 11, 2, &h) || s[13] != ':' || digits_at(s + 14, 2, &mi) ||
            s[16] != ':' || digits_at(s + 17, 2, &sec))
            return SL_EINVAL;
        p = s + 19;
        if (frac_at(&p, &ns))
            return SL_EINVAL;
        if ((*p == 'Z' || *p == 'z') && !p[1]) {
            p++;
        } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
                   !digits_at(p + 1, 2, &oh) && !digits_at(p + 4, 2, &om)) {
            sign = *p == '-' ? -1 : 1;
            p += 6;
        } else {
            return SL_EINVAL;
        }
        if (y < 1678 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > dim[mo] ||
            (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) ||
            h > 23 || mi > 59 || sec > 59 || oh > 23 || om > 59)
            return SL_EINVAL;
        secs = sl_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
               sec - sign * (oh * 3600 + om * 60);
    } else {
        if (*p == '-') {
            neg = 1;
            p++;
        }
        if (*p < '0' || *p > '9')
            return SL_EINVAL;
        while (*p >= '0' && *p <= '9') {
            secs = secs * 10 + (*p++ - '0');
            if (secs > SL_NS_MAX_S)
                return SL_EINVAL;
        }
        if (frac_at(&p, &ns) || *p)
            return SL_EINVAL;
        if (neg) {
            secs = -secs;
            if (ns) {               /* -1.25 is 1.25 s before the epoch */
                secs--;
                ns = 1000000000 - ns;
            }
        }
    }
    if (secs < SL_NS_MIN_S || secs > SL_NS_MAX_S)
        return SL_EINVAL;
    *out_ns = secs * 1000000000 + ns;
    return 0;
}
