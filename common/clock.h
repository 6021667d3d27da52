/* common/clock.h: clocks and RFC 3339 formatting. */
#ifndef SL_CLOCK_H
#define SL_CLOCK_H
#include <stddef.h>
#include <stdint.h>

/* Nanoseconds on the monotonic clock (intervals, timeouts). */
uint64_t sl_clock_mono_ns(void);
static inline uint64_t sl_clock_mono_ms(void) { return sl_clock_mono_ns() / 1000000u; }
/* Nanoseconds since the epoch on the wall clock. */
int64_t  sl_clock_real_ns(void);

/* Formats t (ns since the epoch, UTC) as 2026-11-23T10:47:01.123456Z with
 * `digits` fraction digits (0, 3, 6 or 9). Returns the length; out needs 40 bytes. */
size_t sl_time_rfc3339(char *out, int64_t t_ns, int digits);

/* Reads a point in time given on a command line: RFC 3339 with a zone
 * (2027-01-02T03:04:05Z, 2027-01-02 03:04:05.5+01:00; 'T', 't' or ' '
 * between date and time, a fraction of up to 9 digits) or epoch seconds
 * (1798761600, 1798761600.25, -5). A zone-less time is refused: it would
 * depend on the host's TZ. Years 1678..2261 (int64 nanoseconds). 0, or
 * SL_EINVAL (common/err.h) leaving *out_ns as it was. */
int sl_time_parse(const char *s, int64_t *out_ns);

/* Days since 1970-01-01 of a proleptic Gregorian date (no time zone, no table). */
int64_t sl_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The inverse: date of a day number. */
void    sl_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
