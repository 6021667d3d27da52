#include <stdio.h>
#include <time.h>

#include "common/clock.h"

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
