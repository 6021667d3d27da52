/* parser/syslog.h: one syslog message (RFC 3164 or RFC 5424, as real senders
 * write them) into an event. Never fails: what cannot be parsed stays in the
 * message and the event gets a tag saying why (parser/README.md lists them). */
#ifndef PARSER_SYSLOG_H
#define PARSER_SYSLOG_H
#include <stddef.h>
#include <stdint.h>

#include "parser/evt.h"

struct tz;

struct syslog_opts {
    /* Zone of timestamps that carry none (BSD stamps, offset-less ISO):
     * zone_local 1 reads them as the host's local time (TZ, DST included);
     * 0 as the fixed offset zone_off, seconds east of UTC. */
    int      zone_local;
    int32_t  zone_off;
    /* An IANA zone (parser/tz.h), borrowed; when set it wins over both
     * above (enrich: inputs[].timezone, enrich.time.zones). */
    const struct tz *tz;
    /* A year-less date further ahead of the receive time than this belongs
     * to the previous year (a late-December line read in January). */
    uint32_t future_s;
};

/* Host local time, 7 days ahead allowed. */
void syslog_opts_default(struct syslog_opts *o);
/* Sets the zone from its config text: "local", or a fixed offset as
 * tz_fixed_offset reads it ("UTC", "Z", "GMT", "+01:00",
 * "-0530", "+05"). 0, or SL_EINVAL leaving o as it was. */
int  syslog_opts_zone(struct syslog_opts *o, const char *text);

/* Parses msg[0..len) into e (which copies what it keeps: msg and m are
 * borrowed for the call only). m may be NULL (receive time: now). */
void syslog_parse(struct evt *e, const char *msg, size_t len, const struct evt_meta *m,
                  const struct syslog_opts *o);

#endif
