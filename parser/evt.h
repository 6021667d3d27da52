/* parser/evt.h: the event, one parsed message, and its JSON document.
 * An event is reusable: it owns a copy of the message and every buffer the
 * parse needs, grown once up to max_msg and kept, so steady state allocates
 * nothing per message. One event per worker thread; nothing in it is shared.
 * syslog_parse (parser/syslog.h) fills it, evt_json writes its document. */
#ifndef PARSER_EVT_H
#define PARSER_EVT_H
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "parser/fields.h"

/* Frame flags set by the input in evt_meta.flags; each becomes a tag. */
#define EVT_F_TRUNCATED 1u      /* the input cut the message at max_msg */
#define EVT_F_PARTIAL   2u      /* half a frame at connection close */
#define EVT_F_BAD_FRAME 4u      /* an octet count that lied, etc. */

/* What the parse could not take as given; each bit is one entry of the
 * document's "tags" (names in evt_tag_name, listed in parser/README.md). */
enum evt_tag {
    EVT_T_NO_PRI        = 1u << 0,  /* _sluice_no_pri: no <PRI>, user.notice assumed */
    EVT_T_BAD_PRI       = 1u << 1,  /* _sluice_bad_pri: <PRI> unusable, user.notice assumed */
    EVT_T_NO_TIMESTAMP  = 1u << 2,  /* _sluice_no_timestamp: none (or NILVALUE); receive time */
    EVT_T_BAD_TIMESTAMP = 1u << 3,  /* _sluice_bad_timestamp: looked like one, was not */
    EVT_T_BAD_HEADER    = 1u << 4,  /* _sluice_bad_header: RFC 5424 header cut short */
    EVT_T_BAD_SD        = 1u << 5,  /* _sluice_bad_sd: structured data unparsable, kept in message */
    EVT_T_SD_LIMIT      = 1u << 6,  /* _sluice_sd_limit: SD elements/params past the ceiling dropped */
    EVT_T_TRUNCATED     = 1u << 7,  /* _sluice_truncated */
    EVT_T_PARTIAL_FRAME = 1u << 8,  /* _sluice_partial_frame */
    EVT_T_BAD_FRAME     = 1u << 9,  /* _sluice_bad_frame */
    EVT_T_FIELDS_LIMIT  = 1u << 10, /* _sluice_fields_limit: grammar fields/tags past the ceiling dropped */
};
#define EVT_T_COUNT 11

/* What the input knows about a message. Strings are borrowed for the call
 * only (the event copies them). */
struct evt_meta {
    int64_t     recv_ns;        /* wall clock, ns since the epoch; 0: now */
    const char *src_ip;         /* NULL: none */
    uint16_t    src_port;       /* 0: none */
    const char *transport;      /* "udp", "tcp"...; NULL: none */
    unsigned    flags;          /* EVT_F_* */
};

struct evt;

/* max_msg: the longest message kept (bytes past it are cut and tagged). */
struct evt *evt_new(size_t max_msg);
void        evt_free(struct evt *e);                /* NULL-safe */

/* @timestamp, ns since the epoch (UTC): for date-pattern index names. */
int64_t     evt_time_ns(const struct evt *e);
/* 1 when a grammar's TIMESTAMP set @timestamp (the program's own time),
 * 0 when it is the syslog header's or the receive time. */
int         evt_time_from_grammar(const struct evt *e);
/* The receive time (evt_meta.recv_ns, or the clock when it was 0). */
int64_t     evt_recv_ns(const struct evt *e);
/* source.domain: the sender's name (reverse DNS), copied; NULL or len 0
 * (or a name of 256 bytes or more) clears it. Written only while the sender
 * is source.ip (no grammar moved it to log.source). */
void        evt_set_domain(struct evt *e, const char *name, size_t len);
/* Sets @timestamp to ns (6 fraction digits, a receive time); the time it
 * replaces is written as event.created (it wins over the syslog header's
 * time a grammar's TIMESTAMP would put there). Used for clock skew. */
void        evt_time_replace(struct evt *e, int64_t ns);
/* A top-level member written as is, `"key":VALUE` (no comma), before
 * "tags": what is the same for every document (observer.*), rendered once
 * instead of emitted as fields per message. Borrowed: json must outlive the
 * next evt_json. Left out when a grammar field already has top-level key
 * `key` (outside sluice.clash): the grammar's wins, as for fields. Cleared
 * by each parse. */
void        evt_set_extra(struct evt *e, const char *key, const char *json, size_t len);
/* Appends one JSON object (no newline). On failure (the buffer's ceiling)
 * returns SL_ETOOBIG and leaves out as it was. */
int         evt_json(const struct evt *e, struct sl_buf *out);

/* Borrowed views of parsed fields, valid until the next parse into e;
 * NULL when the message had none. Not NUL-terminated. */
const char *evt_appname(const struct evt *e, size_t *len);
const char *evt_hostname(const struct evt *e, size_t *len);
const char *evt_message(const struct evt *e, size_t *len);
int         evt_priority(const struct evt *e);      /* 0..191 (13 when absent) */
/* log.level as written: 0 emergency .. 7 debug (parser/level.h); the
 * severity's unless the message's level replaced it. */
int         evt_level(const struct evt *e);
unsigned    evt_tags(const struct evt *e);          /* EVT_T_* bits */
const char *evt_tag_name(unsigned bit);             /* "_sluice_no_pri"...; NULL if unknown */

/* ---- what grammars add (parser/README.md, "Grammar fields in the document") ----
 * A fld_emit_fn: arg is the struct evt. Adds the field (value copied) to the
 * event parsed last; name is borrowed and must outlive the next evt_json
 * (the route table's names do). A field named `tags` of type string becomes
 * an extra tag. A FLD_TIME field (whatever its name) is a grammar's
 * TIMESTAMP: it becomes @timestamp (the first one; the header's time goes
 * to event.created), or, when out of range, tags _sluice_date_parse_failure. The first value of a path wins; a path that would nest
 * under, or over, one given before is dropped. Past the ceilings the field
 * is dropped and the event tagged _sluice_fields_limit. Always returns 0. */
int    evt_field_emit(void *arg, const struct fld_name *name, enum fld_type type,
                      const char *val, size_t len);
/* Adds an extra tag (copied; a tag already there is not repeated). */
void   evt_tag_add(struct evt *e, const char *tag, size_t len);
size_t evt_field_count(const struct evt *e);        /* fields kept, clashes included */
size_t evt_xtag_count(const struct evt *e);

#endif
