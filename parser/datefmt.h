/* parser/datefmt.h: date formats for a program's own timestamps (a
 * grammar's TIMESTAMP lines, the config's `timestamp:`), in the spirit of
 * Logstash's date filter: ISO8601, HTTPDATE, UNIX, UNIX_MS, SYSLOG, or a
 * Joda-style pattern ("yyyy/MM/dd HH:mm:ss", "dd/MMM/yyyy:HH:mm:ss Z").
 *
 * A format reads a captured field's text, all of it, into a struct
 * syslog_tm: the time as written, its year (-1 when the format has none:
 * inferred later from the receive time, as for BSD syslog stamps) and its
 * zone (none: the zone of zone-less syslog stamps applies). A grammar hands
 * that to the event as one FLD_TIME field named @timestamp whose value is
 * the canonical text below; the event settles zone and year
 * (syslog_time_resolve) and makes it the document's @timestamp.
 *
 * Canonical text: 2026-11-23T10:00:00.123+01:00, "--11-23T10:00:00" when
 * the year is not known, no zone suffix when the zone is not, the fraction
 * with the digits written (kept for @timestamp's precision).
 *
 * Threads: a compiled format is immutable and shared; parsing allocates
 * nothing. */
#ifndef PARSER_DATEFMT_H
#define PARSER_DATEFMT_H
#include <stddef.h>

#include "common/err.h"
#include "parser/syslog_time.h"

/* The tag of a document whose grammar captured a timestamp field that no
 * format of it could read (or that lies outside 1678..2261). */
#define DATEFMT_TAG_FAILURE "_sluice_date_parse_failure"

#define DATEFMT_CANON_MAX   48u         /* bytes of the canonical text, NUL included */
#define DATEFMT_TEXT_MAX    256u        /* bytes of a format as written */

struct datefmt;

/* Compiles a format: one of the names ISO8601, HTTPDATE, UNIX, UNIX_MS,
 * SYSLOG, or a pattern of the letters y Y M d H h m s S a Z E and literal
 * text ('quoted' for letters; other characters stand for themselves).
 * SL_EINVAL with a message naming the letter and its offset (err->where is
 * left for the caller). */
int  datefmt_compile(struct datefmt **out, const char *text, struct sl_err *err);
void datefmt_free(struct datefmt *f);                       /* NULL-safe */
const char *datefmt_text(const struct datefmt *f);          /* as written; borrowed */

/* Reads all of s[0..len) as f into *tm. 0, or SL_EINVAL (*tm undefined). */
int  datefmt_parse(const struct datefmt *f, const char *s, size_t len, struct syslog_tm *tm);

/* The canonical text of tm into out (DATEFMT_CANON_MAX bytes); its length. */
size_t datefmt_canon(const struct syslog_tm *tm, char *out);
/* Reads canonical text back. 0, or SL_EINVAL. */
int  datefmt_canon_read(const char *s, size_t len, struct syslog_tm *tm);

#endif
