/* parser/evt_json.c: an event's JSON document, written once.
 *
 * Design: ECS names as nested objects (not dotted keys), so Elasticsearch
 * maps them as objects; absent fields are left out, never null. The field
 * table, the level words and the tags are in parser/README.md.
 * Structured data becomes {SD-ID: {name: value}}; an SD-ID written twice is
 * one object, and a name given more than once (in one element or across
 * repeats of its SD-ID) becomes an array of its values in order, so nothing
 * the sender wrote is lost and no object has a duplicate key. */
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/json.h"
#include "parser/evt.h"
#include "parser/evt_impl.h"

#define PUT(b, lit) put((b), (lit), sizeof(lit) - 1)

/* sl_buf_append without the call when it fits: a document is some forty
 * small pieces, and the calls were a quarter of the serialising time. The
 * ceiling still holds: sl_buf never makes cap larger than max + 1. */
static inline int put(struct sl_buf *b, const char *s, size_t n)
{
    if (b->len + n < b->cap) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return sl_buf_append(b, s, n);
}

static int put_word(struct sl_buf *b, const char *s)
{
    return put(b, s, strlen(s));
}

static const char *const facility_names[24] = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
    "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

static const char *const severity_names[8] = {
    "emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug",
};

static const char *const level_names[8] = {
    "emergency", "alert", "critical", "error", "warning", "notice", "info", "debug",
};

static char *put2(char *o, unsigned v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

/* RFC 3339 UTC with 3, 6 or 9 fraction digits; out needs 32 bytes. Years
 * are 1678..2262 (int64 ns), always four digits. */
static __thread struct {
    int64_t day;
    char text[11];          /* YYYY-MM-DDT */
} date_cache = { INT64_MIN, { 0 } };

static size_t fmt_time(char *out, int64_t t_ns, int digits)
{
    int64_t secs = t_ns / 1000000000, days, y;
    int64_t ns = t_ns % 1000000000;
    unsigned m, d, sod, frac;
    char *o = out;

    if (ns < 0) {
        ns += 1000000000;
        secs--;
    }
    days = secs / 86400 - (secs % 86400 < 0);
    sod = (unsigned)(secs - days * 86400);
    /* Both timestamps of a document, and most documents in a row, fall on
     * the same day: the date's text is kept per thread. */
    if (days != date_cache.day) {
        char *c = date_cache.text;
        sl_civil_from_days(days, &y, &m, &d);
        c = put2(c, (unsigned)(y / 100));
        c = put2(c, (unsigned)(y % 100));
        *c++ = '-';
        c = put2(c, m);
        *c++ = '-';
        c = put2(c, d);
        *c = 'T';
        date_cache.day = days;
    }
    memcpy(o, date_cache.text, 11);
    o += 11;
    o = put2(o, sod / 3600);
    *o++ = ':';
    o = put2(o, sod / 60 % 60);
    *o++ = ':';
    o = put2(o, sod % 60);
    *o++ = '.';
    frac = (unsigned)ns;
    for (int i = 9; i > digits; i--)
        frac /= 10;
    for (int i = digits - 1; i >= 0; i--) {
        o[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    o += digits;
    *o++ = 'Z';
    return (size_t)(o - out);
}

static int put_time(struct sl_buf *b, int64_t t_ns, int digits)
{
    char tmp[40];
    size_t n;

    tmp[0] = '"';
    n = fmt_time(tmp + 1, t_ns, digits) + 1;
    tmp[n++] = '"';
    return put(b, tmp, n);
}

static int put_sv(struct sl_buf *b, const struct evt_sv *v)
{
    return sl_json_str(b, v->p, v->n);
}

static int sv_eq(const struct evt_sv *a, const struct evt_sv *b)
{
    return a->n == b->n && !memcmp(a->p, b->p, a->n);
}

/* Index of the first element with e->sd[k]'s id. */
static uint32_t first_elem(const struct evt *e, uint32_t k)
{
    for (uint32_t i = 0; i < k; i++)
        if (sv_eq(&e->sd[i].id, &e->sd[k].id))
            return i;
    return k;
}

/* Walks the params of every element with the id of element `el`, from
 * element el on: *ei / *pi are the cursor; returns the next param or NULL. */
static const struct evt_sd_param *next_param(const struct evt *e, uint32_t el, uint32_t *ei,
                                             uint32_t *pi)
{
    while (*ei < e->sd_n) {
        const struct evt_sd_elem *x = &e->sd[*ei];
        if (*ei == el || sv_eq(&x->id, &e->sd[el].id)) {
            if (*pi < x->count)
                return &e->sdp[x->first + (*pi)++];
        }
        (*ei)++;
        *pi = 0;
    }
    return NULL;
}

static int put_sd_elem(struct sl_buf *b, const struct evt *e, uint32_t el)
{
    const struct evt_sd_param *pa, *qa;
    uint32_t ei = el, pi = 0, ej, pj, seen_ei, seen_pi;
    int rc = 0, first = 1, many;

    rc |= put_sv(b, &e->sd[el].id);
    rc |= PUT(b, ":{");
    while ((pa = next_param(e, el, &ei, &pi))) {
        /* Written already, at its first occurrence? */
        int dup = 0;
        ej = el;
        pj = 0;
        while ((qa = next_param(e, el, &ej, &pj)) && qa != pa) {
            if (sv_eq(&qa->name, &pa->name)) {
                dup = 1;
                break;
            }
        }
        if (dup)
            continue;
        if (!first)
            rc |= PUT(b, ",");
        first = 0;
        rc |= put_sv(b, &pa->name);
        rc |= PUT(b, ":");
        /* Later params with the same name make it an array. */
        seen_ei = ei;
        seen_pi = pi;
        many = 0;
        while ((qa = next_param(e, el, &seen_ei, &seen_pi)))
            if (sv_eq(&qa->name, &pa->name)) {
                many = 1;
                break;
            }
        if (!many) {
            rc |= put_sv(b, &pa->value);
            continue;
        }
        rc |= PUT(b, "[");
        rc |= put_sv(b, &pa->value);
        seen_ei = ei;
        seen_pi = pi;
        while ((qa = next_param(e, el, &seen_ei, &seen_pi)))
            if (sv_eq(&qa->name, &pa->name)) {
                rc |= PUT(b, ",");
                rc |= put_sv(b, &qa->value);
            }
        rc |= PUT(b, "]");
    }
    rc |= PUT(b, "}");
    return rc;
}

static int put_sd(struct sl_buf *b, const struct evt *e)
{
    int rc = 0, first = 1;

    rc |= PUT(b, ",\"structured_data\":{");
    for (uint32_t k = 0; k < e->sd_n; k++) {
        if (first_elem(e, k) != k)
            continue;
        if (!first)
            rc |= PUT(b, ",");
        first = 0;
        rc |= put_sd_elem(b, e, k);
    }
    rc |= PUT(b, "}");
    return rc;
}

static int put_tags(struct sl_buf *b, unsigned tags)
{
    int rc = 0, first = 1;

    rc |= PUT(b, ",\"tags\":[");
    for (unsigned i = 0; i < EVT_T_COUNT; i++) {
        if (!(tags & (1u << i)))
            continue;
        if (!first)
            rc |= PUT(b, ",");
        first = 0;
        rc |= sl_buf_putc(b, '"');
        rc |= sl_buf_puts(b, evt_tag_name(1u << i));
        rc |= sl_buf_putc(b, '"');
    }
    rc |= PUT(b, "]");
    return rc;
}

int evt_json(const struct evt *e, struct sl_buf *b)
{
    size_t start = b->len;
    unsigned fac = (unsigned)e->pri >> 3, sev = (unsigned)e->pri & 7;
    int rc = 0;

    rc |= PUT(b, "{\"@timestamp\":");
    rc |= put_time(b, e->ts_ns, e->ts_digits);
    rc |= PUT(b, ",\"message\":");
    rc |= put_sv(b, &e->msg);
    if (e->host.p) {
        rc |= PUT(b, ",\"host\":{\"hostname\":");
        rc |= put_sv(b, &e->host);
        rc |= PUT(b, "}");
    }
    rc |= PUT(b, ",\"log\":{\"level\":\"");
    rc |= put_word(b, level_names[sev]);
    rc |= PUT(b, "\",\"syslog\":{\"facility\":{\"code\":");
    rc |= sl_json_u64(b, fac);
    rc |= PUT(b, ",\"name\":\"");
    rc |= put_word(b, facility_names[fac]);
    rc |= PUT(b, "\"},\"severity\":{\"code\":");
    rc |= sl_json_u64(b, sev);
    rc |= PUT(b, ",\"name\":\"");
    rc |= put_word(b, severity_names[sev]);
    rc |= PUT(b, "\"},\"priority\":");
    rc |= sl_json_u64(b, (uint64_t)e->pri);
    if (e->app.p) {
        rc |= PUT(b, ",\"appname\":");
        rc |= put_sv(b, &e->app);
    }
    if (e->procid.p && !e->has_pid) {
        rc |= PUT(b, ",\"procid\":");
        rc |= put_sv(b, &e->procid);
    }
    if (e->msgid.p) {
        rc |= PUT(b, ",\"msgid\":");
        rc |= put_sv(b, &e->msgid);
    }
    if (e->version) {
        rc |= PUT(b, ",\"version\":\"");
        rc |= sl_json_u64(b, (uint64_t)e->version);
        rc |= PUT(b, "\"");
    }
    if (e->sd_n)
        rc |= put_sd(b, e);
    rc |= PUT(b, "}}");
    if (e->app.p || e->has_pid) {
        rc |= PUT(b, ",\"process\":{");
        if (e->app.p) {
            rc |= PUT(b, "\"name\":");
            rc |= put_sv(b, &e->app);
        }
        if (e->has_pid) {
            if (e->app.p)
                rc |= PUT(b, ",");
            rc |= PUT(b, "\"pid\":");
            rc |= sl_json_i64(b, e->pid);
        }
        rc |= PUT(b, "}");
    }
    if (e->src_ip[0]) {
        rc |= PUT(b, ",\"source\":{\"ip\":");
        rc |= sl_json_str(b, e->src_ip, strlen(e->src_ip));
        if (e->src_port) {
            rc |= PUT(b, ",\"port\":");
            rc |= sl_json_u64(b, e->src_port);
        }
        rc |= PUT(b, "}");
    }
    if (e->transport[0]) {
        rc |= PUT(b, ",\"network\":{\"transport\":");
        rc |= sl_json_str(b, e->transport, strlen(e->transport));
        rc |= PUT(b, "}");
    }
    rc |= PUT(b, ",\"event\":{\"ingested\":");
    rc |= put_time(b, e->recv_ns, 6);
    rc |= PUT(b, "}");
    if (e->tags)
        rc |= put_tags(b, e->tags);
    rc |= PUT(b, "}");
    if (rc) {
        b->len = start;
        if (b->data)
            b->data[start] = '\0';
        return SL_ETOOBIG;
    }
    return 0;
}
