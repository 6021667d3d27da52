/* parser/evt_impl.h: the layout of struct evt, for parser/ files only.
 *
 * Design: the event copies the message once into raw; every parsed field is
 * a view {p, n} into that copy, so fields need no allocation and stay valid
 * until the next parse. Only structured-data values with escapes are
 * rewritten, into unesc (never longer than the input, so one buffer of the
 * message's size holds them all). SD elements and params live in fixed
 * arrays whose ceilings are below. */
#ifndef PARSER_EVT_IMPL_H
#define PARSER_EVT_IMPL_H
#include <stddef.h>
#include <stdint.h>

#include "parser/evt.h"
#include "parser/fields.h"
#include "parser/syslog.h"
#include "parser/syslog_time.h"

/* Ceilings on structured data per message; what lies beyond is dropped and
 * tagged _sluice_sd_limit. They also bound the quadratic grouping of repeated
 * SD-IDs and param names in evt_json. */
#define EVT_SD_ELEMS_MAX    64u
#define EVT_SD_PARAMS_MAX   256u
#define EVT_SRC_IP_MAX      64u     /* an IPv6 address with zone fits */
#define EVT_TRANSPORT_MAX   16u
#define EVT_DOMAIN_MAX      256u    /* a DNS name is at most 253 bytes */

/* Ceilings on what grammars add to one message (evt_field_emit): fields,
 * extra tags, and the bytes of their values and tags together. Past them the
 * rest is dropped and tagged _sluice_fields_limit. */
#define EVT_FIELDS_MAX      128u
/* The first-wins check (evt_field_emit). A path of two keys or more goes in
 * the bucket of its first two keys, a one-key path in the bucket of its key:
 * every field a path of two keys or more can overlap is then in its own
 * bucket, or is a one-key field in its first key's bucket (walked only when
 * ov_one says one may be there). A one-key path can overlap any field with
 * that first key: all fields are walked when ov_deep says a longer one may
 * exist. Bucketing by the first key alone walked every iptables.* field for
 * each new one on a firewall line. */
#define EVT_OV_BUCKETS      64u
#define EVT_OV_NONE         0xffu
#define EVT_XTAGS_MAX       16u
#define EVT_FIELD_BYTES_MAX (64u * 1024u)

/* A grammar's field: the name is the grammar's (it outlives the event's use
 * of it: the route table is kept while events are written); the value is
 * a view into raw when it is a piece of the message (most captures), else
 * copied into the event's arena (numbers normalised, constants, transcoded
 * lines, liblognorm's values). Both count against EVT_FIELD_BYTES_MAX. clash: the path is one sluice writes
 * itself, so the value goes under sluice.clash (parser/README.md). */
struct evt_field {
    const struct fld_name *name;
    enum fld_type type;
    uint32_t off, len;      /* in arena */
    int clash;
    uint8_t top;            /* EVT_TOP_*: the fixed object the field lands in */
    uint8_t depth;          /* name->depth, here so the overlap check reads one line */
    uint8_t in_raw;         /* off is into raw: the value is a piece of the message */
    uint8_t ov_next;        /* the previous field in its overlap bucket; EVT_OV_NONE ends */
    uint8_t plain;          /* bit i: key i needs no JSON escaping */
    uint32_t ph[FLD_DEPTH_MAX];     /* ph[i]: hash of keys 0..i; overlapping paths
                                     * have equal ph at the shorter one's depth */
};

/* The fixed objects of the document a grammar field may land in. */
enum { EVT_TOP_OTHER = FLD_TOP_OTHER, EVT_TOP_HOST = FLD_TOP_HOST, EVT_TOP_LOG = FLD_TOP_LOG,
       EVT_TOP_PROCESS = FLD_TOP_PROCESS, EVT_TOP_SOURCE = FLD_TOP_SOURCE,
       EVT_TOP_NETWORK = FLD_TOP_NETWORK, EVT_TOP_EVENT = FLD_TOP_EVENT, EVT_TOP_N = FLD_TOP_N };

/* evt_json's layout of a line's grammar fields (sorted, grouped by fixed
 * object), cached by the sequence of names: an expression emits the same
 * names in the same order on every line it matches (its optional captures
 * make a few variants each). Both caches key on names' addresses: an event
 * must not outlive the grammars it saw (a reload makes new events). */
#define EVT_PLAN_FIELDS 32u
/* The plan cache is 4-way set associative (EVT_PLANS / EVT_PLAN_WAYS sets,
 * the least recently used way replaced): direct-mapped, 91 distinct name
 * sequences of the benchmark corpus fell into 7 shared slots, and each pair
 * that alternated rebuilt its plan on 2.5 % of lines (bench/README.md). */
#define EVT_PLANS 512u
#define EVT_PLAN_WAYS 4u
/* The plan's writing program: per group (the fixed objects by EVT_TOP_*,
 * EVT_TOP_OTHER for new top-level objects, EVT_GROUP_CLASH for
 * sluice.clash), ops in order, each the literal JSON before one field's
 * value (separator, keys already escaped, braces), then the group's tail
 * (closing braces). A group's first literal starts with ',': skipped when
 * the field comes first in its object. */
#define EVT_GROUP_CLASH EVT_TOP_N
#define EVT_GROUPS      (EVT_TOP_N + 1)
struct evt_op {
    uint16_t lit_off, lit_len;                  /* in the plan's lit */
    uint8_t  fld;                               /* into e->fld */
};
struct evt_plan {
    uint64_t key;
    uint32_t n;                                 /* fields; 0: empty slot */
    const struct fld_name *names[EVT_PLAN_FIELDS];
    uint8_t xs_n, xc_n, rest_n;
    uint8_t xs[EVT_PLAN_FIELDS];                /* non-clash fields, sorted by path */
    uint8_t xc[EVT_PLAN_FIELDS];                /* clash fields, sorted */
    uint8_t rest[EVT_PLAN_FIELDS];              /* non-clash fields under no fixed object */
    uint8_t lo[EVT_TOP_N], hi[EVT_TOP_N];       /* xs[lo..hi) per fixed object */
    uint8_t  compiled;                          /* the program below is valid */
    uint8_t  g_lo[EVT_GROUPS], g_hi[EVT_GROUPS];        /* ops[g_lo..g_hi) per group */
    uint16_t tail_off[EVT_GROUPS], tail_len[EVT_GROUPS];
    struct evt_op ops[EVT_PLAN_FIELDS];
    char    *lit;                               /* kept across reuse of the slot */
    size_t   lit_cap;
};

struct evt_xtag {
    uint32_t off, len;      /* in arena */
};

struct evt_sv {
    const char *p;          /* NULL: absent */
    uint32_t    n;
};

struct evt_sd_param {
    struct evt_sv name, value;
};

struct evt_sd_elem {
    struct evt_sv id;
    uint32_t first, count;  /* its params: sdp[first .. first + count) */
};

struct evt {
    size_t   max_msg;
    char    *raw;           /* the message, NUL-terminated */
    size_t   raw_len, raw_cap;
    char    *unesc;         /* unescaped SD values */
    size_t   unesc_len, unesc_cap;

    int64_t  recv_ns;
    int64_t  ts_ns;         /* @timestamp */
    int      ts_digits;     /* fraction digits to write: 3, 6 or 9 */
    /* A grammar's TIMESTAMP replaced @timestamp (evt_field_emit, FLD_TIME);
     * the syslog header's time is then kept for event.created when the
     * header had one (hdr_ok). so: the zone and year rules of this parse. */
    int      ts_grammar;
    int64_t  hdr_ns;
    int      hdr_digits, hdr_ok;
    struct syslog_opts so;
    int      pri;           /* 0..191 */
    int      version;       /* 0: RFC 3164 */
    struct evt_sv host, app, procid, msgid, msg;
    int64_t  pid;
    int      has_pid;       /* procid was numeric: written as process.pid */
    unsigned tags;          /* EVT_T_* */
    /* log.level (parser/level.h): lvl -1 writes the severity's word; 0..7
     * the message's level. lvl_claim: a grammar's log.level field counts as
     * the message's level (level_begin); lvl_grammar: the one it gave, -1. */
    int8_t   lvl, lvl_claim, lvl_grammar;

    uint32_t sd_n, sdp_n;
    struct evt_sd_elem  sd[EVT_SD_ELEMS_MAX];
    struct evt_sd_param sdp[EVT_SD_PARAMS_MAX];

    char     src_ip[EVT_SRC_IP_MAX];
    uint16_t src_port;
    char     src_domain[EVT_DOMAIN_MAX];    /* reverse DNS of src_ip; "" none */
    /* evt_time_replace moved @timestamp to the receive time: the time it
     * replaced goes to event.created. */
    int      ts_replaced;
    int64_t  orig_ns;
    int      orig_digits;
    /* evt_set_extra: a top-level member already in JSON, borrowed */
    const char *extra_key, *extra_json;
    size_t   extra_key_len, extra_len;
    uint32_t extra_key_ph;          /* fld_key_hash of extra_key */
    char     transport[EVT_TRANSPORT_MAX];

    struct syslog_zcache zcache;

    /* Grammar output; emptied by evt_begin. The arena only grows (up to
     * EVT_FIELD_BYTES_MAX), so steady state allocates nothing. */
    uint32_t fld_n, xtag_n;
    uint8_t  ov_head[EVT_OV_BUCKETS];   /* last field per bucket, EVT_OV_NONE: empty */
    uint64_t ov_one, ov_deep;           /* bit per first key's hash (and clash): a field of
                                         * one key / of more keys was added */
    int      src_moved;     /* a grammar set source.*: the sender goes to log.source */
    struct evt_field fld[EVT_FIELDS_MAX];
    /* Copies of transient names (liblognorm's keys, payloads'), rewritten by
     * the next line; their buffers are kept, so steady state allocates nothing. */
    struct fld_name *own;
    uint32_t own_n;
    size_t  *own_cap;       /* bytes of own[i].keys_buf, kept across lines */
    int      any_transient;         /* this line's fields cannot use the plan cache */
    struct evt_plan   *plans;       /* EVT_PLANS entries, made by evt_json */
    uint64_t          *plan_key;    /* plan_key[i]: plans[i].key, a set's in one cache line */
    uint32_t          *plan_used;   /* plan_used[i]: plan_clock when plans[i] was last used */
    uint32_t           plan_clock;
    struct evt_xtag  xtag[EVT_XTAGS_MAX];
    char    *arena;
    size_t   arena_len, arena_cap;
    size_t   fld_bytes;     /* values and tags, arena or not, for EVT_FIELD_BYTES_MAX */
    /* evt_json's scratch, not the event's value: raw[plain_lo..plain_hi) is
     * the message when writing it needed no escape, so the grammar's
     * captures inside it (views into raw) are copied without a scan. */
    size_t   plain_lo, plain_hi;
};

/* Clears the fields of the last message, copies msg (cut at max_msg, on a
 * UTF-8 boundary) and the meta; ensures unesc can hold the copy. */
void evt_begin(struct evt *e, const char *msg, size_t len, const struct evt_meta *m);

#endif
