/* parser/tz.h: time zones by IANA name (Europe/Paris), DST included, for
 * timestamps that carry no zone (RFC 3164). glibc offers no thread-safe way
 * to ask "what was the offset in zone X at time T" short of setting TZ for
 * the whole process, so a zone is read once from its TZif file
 * (/usr/share/zoneinfo, Debian's tzdata) into a table of transitions, and
 * every lookup after that is a binary search in memory. A struct tz is
 * immutable once loaded: any number of threads may read it. */
#ifndef PARSER_TZ_H
#define PARSER_TZ_H
#include <stdint.h>

#include "common/err.h"

struct tz;

#define TZ_DIR_DEFAULT "/usr/share/zoneinfo"

/* name: an IANA name (Europe/Paris, America/New_York, Etc/GMT-3), read from
 * dir/name (dir NULL: TZ_DIR_DEFAULT); or a fixed offset: "UTC", "Z",
 * "+02:00", "-0530", "+05". 0 and *out, or SL_EINVAL (a name that is not a
 * zone: unknown, unreadable, not TZif) with err->msg naming it. */
int  tz_load(struct tz **out, const char *name, const char *dir, struct sl_err *err);
void tz_free(struct tz *z);                          /* NULL-safe */
const char *tz_name(const struct tz *z);             /* as given; borrowed */
/* A fixed offset as written: "+02:00", "-0530", "+05", "UTC", "utc", "Z",
 * "GMT": 0 and *out in seconds east of UTC, or -1 when s is not one. */
int  tz_fixed_offset(const char *s, int32_t *out);

/* The offset (seconds east of UTC) in effect at the UTC instant utc_s. */
int32_t tz_offset_at(const struct tz *z, int64_t utc_s);
/* The UTC instant of a wall-clock time local_s (seconds since the epoch as
 * if the wall clock were UTC). Around a change the wall time is read with
 * the offset in effect BEFORE the change: in the repeated hour of a
 * fall-back (Paris 2026-10-25 02:30) that is the first pass (+02:00, summer
 * time); in the skipped hour of a spring-forward (2026-03-29 02:30, which
 * no clock showed) it is the old offset (+01:00), so it lands on 03:30 summer
 * time, as a clock that missed the change would mean. */
int64_t tz_local_to_utc(const struct tz *z, int64_t local_s);

#endif
