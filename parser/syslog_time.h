/* parser/syslog_time.h: the timestamp forms syslog senders write, year
 * inference for year-less stamps, and the zone of zone-less ones.
 * Internal to parser/ (syslog.c is its caller). */
#ifndef PARSER_SYSLOG_TIME_H
#define PARSER_SYSLOG_TIME_H
#include <stddef.h>
#include <stdint.h>

struct syslog_opts;

enum {
    SYSLOG_TIME_OK = 0,
    SYSLOG_TIME_NONE,       /* does not start like a timestamp: cursor untouched */
    SYSLOG_TIME_BAD,        /* starts like one but is not: cursor untouched */
};

/* A timestamp as written, before zone and year are settled. */
struct syslog_tm {
    int      year;          /* -1: the stamp had none */
    int      mon, day, hour, min, sec;
    uint32_t ns;
    int      frac;          /* fraction digits written (counted up to 9) */
    int      has_off;
    int32_t  off;           /* seconds east of UTC, when has_off */
};

/* Zone offsets of recent local wall times (15-minute buckets), per zone
 * (the host's, or an IANA zone's), so a zone costs one lookup per message,
 * not a localtime call or a search of the zone's transitions. Lives in
 * the event: one per worker thread, no lock. */
#define SYSLOG_ZCACHE_BITS  4
#define SYSLOG_ZCACHE_SLOTS (1u << SYSLOG_ZCACHE_BITS)
struct syslog_zcache {
    int64_t key[SYSLOG_ZCACHE_SLOTS];
    int32_t off[SYSLOG_ZCACHE_SLOTS];
    uint8_t used[SYSLOG_ZCACHE_SLOTS];
    const void *tz[SYSLOG_ZCACHE_SLOTS];    /* the IANA zone (parser/tz.h); NULL: host */
    /* The civil year of the last receive day seen (a year-less stamp is
     * placed from it): one division per line instead of a calendar. */
    int64_t recv_day, recv_year;
    int     recv_known;
};

/* 2026-11-23T10:00:00.123456+01:00 (also 't', ' ' between date and time,
 * ',' before the fraction, +hhmm, +hh, no zone). The stamp must end at a
 * space or the end of input; the cursor stops there. */
int syslog_time_rfc3339(const char **p, size_t *left, struct syslog_tm *t);
/* Nov 23 10:00:00, Nov  3 10:00:00, Nov 23 10:00:00.123, Nov 23 2026 10:00:00,
 * Nov 23 10:00:00 2026, a Cisco '*' or '.' in front and ':' after. */
int syslog_time_bsd(const char **p, size_t *left, struct syslog_tm *t);
/* The UTC instant of t: its own offset or the zone of o; a missing year
 * inferred from recv_ns. 0, or SYSLOG_TIME_BAD when out of range. */
int syslog_time_resolve(struct syslog_zcache *zc, const struct syslog_tm *t,
                        const struct syslog_opts *o, int64_t recv_ns, int64_t *out_ns);

#endif
