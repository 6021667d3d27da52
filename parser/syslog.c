/* parser/syslog.c: RFC 3164 and RFC 5424 messages into an event.
 *
 * Design: one pass over the event's copy of the message. Each reader takes
 * (const char **p, size_t *left) and moves the cursor only when it took
 * something; whatever no reader takes is the message. Nothing fails: the
 * defaults (user.notice, receive time) fill in and a tag says why.
 *   <PRI>   1..3 digits, 0..191; absent: _sluice_no_pri; "<>", "<192>",
 *           "<0013>", "<1a>": _sluice_bad_pri, the text stays in the message.
 *   5424    when PRI is followed by a version ("1 ") and a timestamp or "-":
 *           TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG], "-" = absent,
 *           a BOM at the start of MSG dropped. Anything else is read as 3164.
 *   3164    [TIMESTAMP] [HOSTNAME] [TAG] MSG. The timestamp is ISO or BSD
 *           (parser/syslog_time.c). Relays may drop the hostname, so the
 *           token after the timestamp is the TAG (not a hostname) when it
 *           reads as one: name[pid] with an optional ':', or name': '. Else
 *           it is the hostname, and a TAG may follow it. A word that is
 *           neither ("<13>Nov 23 10:00:00 host this is text") is message.
 * Trailing LF, CR and NUL bytes (UDP senders add them) are dropped first. */
#include <string.h>

#include "common/err.h"
#include "parser/evt_impl.h"
#include "parser/sd.h"
#include "parser/syslog.h"
#include "parser/syslog_time.h"
#include "parser/tz.h"

#define TAG_MAX     255u        /* longer "words:" are message text */
#define PROCID_MAX  128u        /* RFC 5424's PROCID limit */

void syslog_opts_default(struct syslog_opts *o)
{
    memset(o, 0, sizeof *o);
    o->zone_local = 1;
    o->future_s = 7 * 86400;
}

int syslog_opts_zone(struct syslog_opts *o, const char *s)
{
    int32_t off;

    if (!strcmp(s, "local")) {
        o->zone_local = 1;
        return 0;
    }
    if (tz_fixed_offset(s, &off))
        return SL_EINVAL;
    o->zone_local = 0;
    o->zone_off = off;
    return 0;
}

static void advance(const char **p, size_t *left, size_t k)
{
    *p += k;
    *left -= k;
}

static void skip_spaces(const char **p, size_t *left)
{
    size_t i = 0;

    while (i < *left && (*p)[i] == ' ')
        i++;
    advance(p, left, i);
}

static struct evt_sv sv(const char *p, size_t n)
{
    struct evt_sv v = { p, (uint32_t)n };
    return v;
}

/* 0 and the value, 1 when there is no '<', 2 when the PRI is unusable. */
static int parse_pri(const char **pp, size_t *left, int *pri)
{
    const char *p = *pp;
    size_t n = *left, i = 1;
    int v = 0;

    if (!n || p[0] != '<')
        return 1;
    while (i < n && i <= 4 && p[i] >= '0' && p[i] <= '9')
        v = v * 10 + (p[i++] - '0');
    if (i == 1 || i > 4 || i >= n || p[i] != '>' || v > 191)
        return 2;
    *pri = v;
    advance(pp, left, i + 1);
    return 0;
}

/* 1..10 digits: a pid; anything else stays a string procid. */
static void set_procid(struct evt *e, const char *p, size_t n)
{
    int64_t v = 0;
    size_t i;

    e->procid = sv(p, n);
    if (!n || n > 10)
        return;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return;
        v = v * 10 + (p[i] - '0');
    }
    e->pid = v;
    e->has_pid = 1;
}

/* TAG: name[pid]: / name[pid] / name: followed by a space or the end; the
 * one space after it belongs to the tag. */
/* Bytes a tag's name may hold: not a space or control, DEL, '[' or ':'
 * (one test per byte: this runs on every line, over the host name too). */
#define TAG_BYTE_ROW(c)                                                         \
    ((c) > ' ' && (c) != 127 && (c) != '[' && (c) != ':')
#define TB4(c) TAG_BYTE_ROW(c), TAG_BYTE_ROW((c) + 1), TAG_BYTE_ROW((c) + 2), TAG_BYTE_ROW((c) + 3)
#define TB16(c) TB4(c), TB4((c) + 4), TB4((c) + 8), TB4((c) + 12)
#define TB64(c) TB16(c), TB16((c) + 16), TB16((c) + 32), TB16((c) + 48)
static const unsigned char tag_byte[256] = { TB64(0), TB64(64), TB64(128), TB64(192) };

static int parse_tag(struct evt *e, const char **pp, size_t *left)
{
    const unsigned char *p = (const unsigned char *)*pp;
    size_t n = *left, i = 0, j, name_n, pid_at = 0, pid_n = 0;
    size_t lim = n < TAG_MAX + 1 ? n : TAG_MAX + 1;

    while (i < lim && tag_byte[p[i]])
        i++;
    if (i == 0 || i > TAG_MAX || i == n)
        return -1;
    name_n = i;
    if (p[i] == '[') {
        j = i + 1;
        while (j < n && p[j] != ']' && p[j] > ' ' && j - i <= PROCID_MAX)
            j++;
        if (j >= n || p[j] != ']')
            return -1;
        pid_at = i + 1;
        pid_n = j - i - 1;
        i = j + 1;
        if (i < n && p[i] == ':')
            i++;
    } else if (p[i] == ':') {
        i++;
    } else {
        return -1;
    }
    if (i < n && p[i] != ' ')
        return -1;
    if (i < n)
        i++;
    e->app = sv((const char *)p, name_n);
    if (pid_n)
        set_procid(e, (const char *)p + pid_at, pid_n);
    advance(pp, left, i);
    return 0;
}

static void strip_bom(const char **p, size_t *left)
{
    if (*left >= 3 && !memcmp(*p, "\xef\xbb\xbf", 3))
        advance(p, left, 3);
}

static void set_time(struct evt *e, const struct syslog_tm *tm, const struct syslog_opts *o)
{
    int64_t ns;

    if (syslog_time_resolve(&e->zcache, tm, o, e->recv_ns, &ns)) {
        e->tags |= EVT_T_BAD_TIMESTAMP;
        return;
    }
    e->ts_ns = ns;
    e->ts_digits = tm->frac <= 3 ? 3 : tm->frac <= 6 ? 6 : 9;
}

static void parse_3164(struct evt *e, const char **p, size_t *left, const struct syslog_opts *o)
{
    struct syslog_tm tm;
    const char *q = *p;
    size_t m = *left, i;
    int rc;

    skip_spaces(&q, &m);
    rc = syslog_time_rfc3339(&q, &m, &tm);
    if (rc == SYSLOG_TIME_NONE)
        rc = syslog_time_bsd(&q, &m, &tm);
    if (rc != SYSLOG_TIME_OK) {
        e->tags |= rc == SYSLOG_TIME_BAD ? EVT_T_BAD_TIMESTAMP : EVT_T_NO_TIMESTAMP;
        if (rc == SYSLOG_TIME_NONE)
            parse_tag(e, p, left);
        return;
    }
    set_time(e, &tm, o);
    *p = q;
    *left = m;
    skip_spaces(p, left);
    if (!*left || !parse_tag(e, p, left))
        return;
    for (i = 0; i < *left && (*p)[i] != ' '; i++)
        ;
    e->host = sv(*p, i);
    advance(p, left, i);
    skip_spaces(p, left);
    parse_tag(e, p, left);
}

/* One header field of RFC 5424: the token up to a space; "-" is absent.
 * -1 when the message ends before it. */
static int field(const char **p, size_t *left, struct evt_sv *out)
{
    size_t i = 0;

    skip_spaces(p, left);
    if (!*left)
        return -1;
    while (i < *left && (*p)[i] != ' ')
        i++;
    *out = i == 1 && (*p)[0] == '-' ? sv(NULL, 0) : sv(*p, i);
    advance(p, left, i);
    return 0;
}

/* 0 when the text after PRI is RFC 5424 (and was read), -1 when it is not
 * (nothing read). */
static int parse_5424(struct evt *e, const char **pp, size_t *left, const struct syslog_opts *o)
{
    const char *p = *pp;
    size_t n = *left, i = 0;
    struct syslog_tm tm;
    struct evt_sv procid;
    int version, rc;

    if (!n || p[0] < '1' || p[0] > '9')
        return -1;
    version = p[i++] - '0';
    if (i < n && p[i] >= '0' && p[i] <= '9')
        version = version * 10 + (p[i++] - '0');
    if (i >= n || p[i] != ' ')
        return -1;
    i++;
    p += i;
    n -= i;
    if (n && p[0] == '-' && (n == 1 || p[1] == ' ')) {
        e->tags |= EVT_T_NO_TIMESTAMP;
        advance(&p, &n, 1);
    } else {
        rc = syslog_time_rfc3339(&p, &n, &tm);
        if (rc == SYSLOG_TIME_NONE)
            return -1;
        if (rc == SYSLOG_TIME_OK) {
            set_time(e, &tm, o);
        } else {
            e->tags |= EVT_T_BAD_TIMESTAMP;
            while (n && *p != ' ')
                advance(&p, &n, 1);
        }
    }
    e->version = version;
    *pp = p;
    *left = n;
    if (field(pp, left, &e->host) || field(pp, left, &e->app) ||
        field(pp, left, &procid) || field(pp, left, &e->msgid))
        goto short_header;
    if (procid.p)
        set_procid(e, procid.p, procid.n);
    skip_spaces(pp, left);
    if (!*left)
        goto short_header;
    if ((*pp)[0] == '-' && (*left == 1 || (*pp)[1] == ' '))
        advance(pp, left, 1);
    else if (sd_parse(e, pp, left))
        e->tags |= EVT_T_BAD_SD;
    /* RFC 5424 has one SP before MSG; rsyslog's 5424 templates put its 3164
     * MSG (which starts with the space after "tag:") there, so senders in the
     * field write two. Like Logstash's SYSLOG5424LINE (" +"), take them all. */
    while (*left && (*pp)[0] == ' ')
        advance(pp, left, 1);
    return 0;
short_header:
    e->tags |= EVT_T_BAD_HEADER;
    return 0;
}

void syslog_parse(struct evt *e, const char *msg, size_t len, const struct evt_meta *m,
                  const struct syslog_opts *o)
{
    const char *p;
    size_t left;
    int rc;

    evt_begin(e, msg, len, m);
    e->so = *o;                     /* a grammar's TIMESTAMP follows the same rules */
    p = e->raw;
    left = e->raw_len;
    while (left && (p[left - 1] == '\n' || p[left - 1] == '\r' || p[left - 1] == '\0'))
        left--;
    rc = parse_pri(&p, &left, &e->pri);
    if (rc)
        e->tags |= rc == 1 ? EVT_T_NO_PRI : EVT_T_BAD_PRI;
    if (rc || parse_5424(e, &p, &left, o))
        parse_3164(e, &p, &left, o);
    strip_bom(&p, &left);
    e->msg = sv(p, left);
}
