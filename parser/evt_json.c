/* parser/evt_json.c: an event's JSON document, written once.
 *
 * Design: ECS names as nested objects (not dotted keys), so Elasticsearch
 * maps them as objects; absent fields are left out, never null. The field
 * table, the level words and the tags are in parser/README.md.
 * Structured data becomes {SD-ID: {name: value}}; an SD-ID written twice is
 * one object, and a name given more than once (in one element or across
 * repeats of its SD-ID) becomes an array of its values in order, so nothing
 * the sender wrote is lost and no object has a duplicate key.
 *
 * Grammar fields (evt_field_emit) are merged into the same tree: sorted by
 * path key by key, so the fields of one object are contiguous, then written
 * inside the fixed object they belong to (source.port next to nothing else
 * of source, event.category next to event.ingested) or as new top-level
 * objects; clashes go under sluice.clash. evt_field_emit already refused
 * overlapping paths, so each key is written once. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/json.h"
#include "common/mem.h"
#include "parser/evt.h"
#include "parser/evt_impl.h"

#define PUT(b, lit) put((b), (lit), sizeof(lit) - 1)

/* sl_buf_append without the call when it fits: a document is some forty
 * small pieces, and the calls were a quarter of the serialising time. The
 * ceiling still holds: sl_buf never makes cap larger than max + 1. */
static inline int put(struct sl_buf *b, const char *s, size_t n)
{
    if (b->len + n < b->cap) {
        if (__builtin_constant_p(n))
            memcpy(b->data + b->len, s, n);     /* a literal: the compiler's own stores */
        else
            sl_copy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return sl_buf_append(b, s, n);
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

/* What a priority writes, from ,"log":{"level" to "priority":N: a function
 * of the priority alone, so it is made once for all 192. When the message's
 * level replaces the severity's word (parser/level.h), the level part comes
 * from lvl_text and the priority's text is written from `rest` on, so the
 * usual document is still one copy. */
static struct {
    char   s[200];
    size_t n, rest;             /* s + rest: ,"syslog":{... */
} pri_text[192];
static struct {
    char   s[40];
    size_t n;
} lvl_text[8];
static pthread_once_t pri_once = PTHREAD_ONCE_INIT;
static _Atomic int pri_ready;   /* the tables are made: no pthread_once call per document */

static void pri_init(void)
{
    for (unsigned p = 0; p < 192; p++) {
        unsigned fac = p >> 3, sev = p & 7;
        int n = snprintf(pri_text[p].s, sizeof pri_text[p].s,
                         ",\"log\":{\"level\":\"%s\",\"syslog\":{\"facility\":{\"code\":%u,"
                         "\"name\":\"%s\"},\"severity\":{\"code\":%u,\"name\":\"%s\"},"
                         "\"priority\":%u",
                         level_names[sev], fac, facility_names[fac], sev, severity_names[sev], p);
        pri_text[p].n = n > 0 && (size_t)n < sizeof pri_text[p].s ? (size_t)n : 0;
        pri_text[p].rest = sizeof ",\"log\":{\"level\":\"\"" - 1 + strlen(level_names[sev]);
    }
    for (unsigned l = 0; l < 8; l++) {
        int n = snprintf(lvl_text[l].s, sizeof lvl_text[l].s, ",\"log\":{\"level\":\"%s\"",
                         level_names[l]);
        lvl_text[l].n = n > 0 && (size_t)n < sizeof lvl_text[l].s ? (size_t)n : 0;
    }
    atomic_store_explicit(&pri_ready, 1, memory_order_release);
}

static char *put2(char *o, unsigned v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

/* RFC 3339 UTC with 3, 6 or 9 fraction digits; out needs 32 bytes. Years
 * are 1678..2262 (int64 ns), always four digits. */
struct tcache {
    int64_t secs;
    char    text[20];       /* YYYY-MM-DDTHH:MM:SS. */
};

/* Consecutive documents mostly share their second: the text up to the
 * fraction is kept per thread, one entry per kind of timestamp (the
 * event's own, and the receive time), which move independently. */
static __thread struct tcache tcache[2] = { { INT64_MIN, { 0 } }, { INT64_MIN, { 0 } } };

static size_t fmt_time(char *out, int64_t t_ns, int digits, int slot)
{
    int64_t secs = t_ns / 1000000000, days, y;
    int64_t ns = t_ns % 1000000000;
    unsigned m, d, sod, frac;
    struct tcache *tc = &tcache[slot];
    char *o = out;

    if (ns < 0) {
        ns += 1000000000;
        secs--;
    }
    if (secs != tc->secs) {
        char *c = tc->text;
        days = secs / 86400 - (secs % 86400 < 0);
        sod = (unsigned)(secs - days * 86400);
        sl_civil_from_days(days, &y, &m, &d);
        c = put2(c, (unsigned)(y / 100));
        c = put2(c, (unsigned)(y % 100));
        *c++ = '-';
        c = put2(c, m);
        *c++ = '-';
        c = put2(c, d);
        *c++ = 'T';
        c = put2(c, sod / 3600);
        *c++ = ':';
        c = put2(c, sod / 60 % 60);
        *c++ = ':';
        c = put2(c, sod % 60);
        *c = '.';
        tc->secs = secs;
    }
    memcpy(o, tc->text, 20);
    o += 20;
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

static int put_time(struct sl_buf *b, int64_t t_ns, int digits, int slot)
{
    char tmp[40];
    size_t n;

    tmp[0] = '"';
    n = fmt_time(tmp + 1, t_ns, digits, slot) + 1;
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

static int put_tags(struct sl_buf *b, const struct evt *e)
{
    unsigned tags = e->tags;
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
    for (uint32_t i = 0; i < e->xtag_n; i++) {
        if (!first)
            rc |= PUT(b, ",");
        first = 0;
        rc |= sl_json_str(b, e->arena + e->xtag[i].off, e->xtag[i].len);
    }
    rc |= PUT(b, "]");
    return rc;
}

/* ---- grammar fields ---- */

struct fset {
    uint32_t ix[EVT_FIELDS_MAX];    /* into e->fld, sorted by path */
    uint32_t n;
};

static int key_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);

    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

static int name_cmp(const struct fld_name *a, const struct fld_name *b)
{
    unsigned d = a->depth < b->depth ? a->depth : b->depth;

    for (unsigned i = 0; i < d; i++) {
        int c = key_cmp(a->key[i], a->key_len[i], b->key[i], b->key_len[i]);
        if (c)
            return c;
    }
    return (int)a->depth - (int)b->depth;
}

/* Insertion sort: at most EVT_FIELDS_MAX, usually a handful. */
static void fset_build(const struct evt *e, int clash, struct fset *s)
{
    s->n = 0;
    for (uint32_t i = 0; i < e->fld_n; i++) {
        uint32_t j;
        if (e->fld[i].clash != clash)
            continue;
        j = s->n++;
        while (j > 0 && name_cmp(e->fld[s->ix[j - 1]].name, e->fld[i].name) > 0) {
            s->ix[j] = s->ix[j - 1];
            j--;
        }
        s->ix[j] = i;
    }
}

/* The grammar fields of a line, laid out for writing: sorted by path (so a
 * shared prefix is contiguous and nests), the non-clash ones grouped by the
 * fixed object they land in, and those under no fixed object. */
struct layout {
    struct fset xs, xc, rest;
    uint32_t lo[EVT_TOP_N], hi[EVT_TOP_N];     /* xs.ix[lo..hi) per fixed object */
};

static void layout_build(const struct evt *e, struct layout *L)
{
    fset_build(e, 0, &L->xs);
    fset_build(e, 1, &L->xc);
    memset(L->lo, 0, sizeof L->lo);
    memset(L->hi, 0, sizeof L->hi);
    L->rest.n = 0;
    for (uint32_t i = 0; i < L->xs.n; i++) {
        uint8_t t = e->fld[L->xs.ix[i]].top;
        if (t == EVT_TOP_OTHER) {
            L->rest.ix[L->rest.n++] = L->xs.ix[i];
            continue;
        }
        if (L->lo[t] == L->hi[t])
            L->lo[t] = i;           /* sorted by path: one object's fields are contiguous */
        L->hi[t] = i + 1;
    }
}

static uint64_t names_key(const struct evt *e)
{
    uint64_t h = 1469598103934665603ull;

    for (uint32_t i = 0; i < e->fld_n; i++)
        h = (h ^ (uint64_t)(uintptr_t)e->fld[i].name) * 1099511628211ull;
    h ^= e->fld_n;
    /* FNV's multiply only carries upward: mix the high bits down before the
     * low bits pick a slot (pointers share their low bits). */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static void plan_compile(const struct evt *e, const struct layout *L, struct evt_plan *p);

/* From the plan cache when the line's names were seen in this order before;
 * built (and remembered, with its program) otherwise. Returns the plan when
 * its program can write the fields, else NULL with *L filled. Lines with
 * transient names, or more fields than a plan holds, are laid out every
 * time. */
static const struct evt_plan *layout_get(const struct evt *e, struct layout *L)
{
    struct evt *me = (struct evt *)e;   /* the cache is scratch, not the event's value */
    struct evt_plan *p;
    uint64_t key;
    uint32_t set, way;

    if (e->any_transient || e->fld_n > EVT_PLAN_FIELDS) {
        layout_build(e, L);
        return NULL;
    }
    if (!me->plans) {
        me->plans = sl_calloc(EVT_PLANS, sizeof *me->plans);
        me->plan_key = sl_calloc(EVT_PLANS, sizeof *me->plan_key);
        me->plan_used = sl_calloc(EVT_PLANS, sizeof *me->plan_used);
    }
    key = names_key(e);
    set = (uint32_t)(key % (EVT_PLANS / EVT_PLAN_WAYS)) * EVT_PLAN_WAYS;
    if (++me->plan_clock == 0) {    /* wrapped: every way equally old again */
        memset(me->plan_used, 0, EVT_PLANS * sizeof *me->plan_used);
        me->plan_clock = 1;
    }
    way = set;                      /* the way to replace on a miss: empty or least recent */
    for (uint32_t w = set; w < set + EVT_PLAN_WAYS; w++) {
        uint32_t i = 0;
        p = &me->plans[w];
        if (me->plan_key[w] != key || p->n != e->fld_n) {
            if (me->plan_used[w] < me->plan_used[way])
                way = w;
            continue;
        }
        while (i < p->n && p->names[i] == e->fld[i].name)
            i++;
        if (i == p->n) {
            me->plan_used[w] = me->plan_clock;
            if (p->compiled)
                return p;
            L->xs.n = p->xs_n;
            L->xc.n = p->xc_n;
            L->rest.n = p->rest_n;
            for (i = 0; i < p->xs_n; i++)
                L->xs.ix[i] = p->xs[i];
            for (i = 0; i < p->xc_n; i++)
                L->xc.ix[i] = p->xc[i];
            for (i = 0; i < p->rest_n; i++)
                L->rest.ix[i] = p->rest[i];
            for (i = 0; i < EVT_TOP_N; i++) {
                L->lo[i] = p->lo[i];
                L->hi[i] = p->hi[i];
            }
            return NULL;
        }
        if (me->plan_used[w] < me->plan_used[way])
            way = w;
    }
    layout_build(e, L);
    p = &me->plans[way];
    me->plan_key[way] = key;
    me->plan_used[way] = me->plan_clock;
    p->key = key;
    p->n = e->fld_n;
    for (uint32_t i = 0; i < e->fld_n; i++)
        p->names[i] = e->fld[i].name;
    p->xs_n = (uint8_t)L->xs.n;
    p->xc_n = (uint8_t)L->xc.n;
    p->rest_n = (uint8_t)L->rest.n;
    for (uint32_t i = 0; i < L->xs.n; i++)
        p->xs[i] = (uint8_t)L->xs.ix[i];
    for (uint32_t i = 0; i < L->xc.n; i++)
        p->xc[i] = (uint8_t)L->xc.ix[i];
    for (uint32_t i = 0; i < L->rest.n; i++)
        p->rest[i] = (uint8_t)L->rest.ix[i];
    for (uint32_t i = 0; i < EVT_TOP_N; i++) {
        p->lo[i] = (uint8_t)L->lo[i];
        p->hi[i] = (uint8_t)L->hi[i];
    }
    plan_compile(e, L, p);
    return p->compiled ? p : NULL;
}

static int put_value(struct sl_buf *b, const struct evt *e, const struct evt_field *f)
{
    const char *v = (f->in_raw ? e->raw : e->arena) + f->off;

    switch (f->type) {
    case FLD_INT:
    case FLD_FLOAT:
    case FLD_JSON:
        if (!f->len)
            return PUT(b, "null");
        return put(b, v, f->len);
    case FLD_BOOL:
        if (f->len == 4 && memcmp(v, "true", 4) == 0)
            return PUT(b, "true");
        return PUT(b, "false");
    case FLD_STRING:
    default:
        if (f->in_raw && f->off >= e->plain_lo && f->off + f->len <= e->plain_hi &&
            b->len + f->len + 2 < b->cap) {
            char *o = b->data + b->len;     /* a piece of a message that needed no escape */
            *o++ = '"';
            sl_copy(o, v, f->len);
            o[f->len] = '"';
            b->len += f->len + 2;
            b->data[b->len] = '\0';
            return 0;
        }
        return sl_json_str(b, v, f->len);
    }
}

/* Compiling a plan's program (struct evt_op): put_members writes the
 * literal JSON into the program's buffer and, where a value goes, records an
 * op instead of writing it. */
struct rec {
    struct evt_op *ops;
    uint32_t n;
    size_t op_start;            /* where the current op's literal began */
};

static int rec_value(struct rec *r, const struct sl_buf *b, uint32_t fld)
{
    if (r->n >= EVT_PLAN_FIELDS || b->len - r->op_start > UINT16_MAX || b->len > UINT16_MAX)
        return 1;
    r->ops[r->n].lit_off = (uint16_t)r->op_start;
    r->ops[r->n].lit_len = (uint16_t)(b->len - r->op_start);
    r->ops[r->n].fld = (uint8_t)fld;
    r->n++;
    r->op_start = b->len;
    return 0;
}

/* Members (no braces) for ix[lo..hi), which share their first `depth` keys;
 * with r, the values are recorded as ops rather than written. */
static int put_members(struct sl_buf *b, const struct evt *e, const uint32_t *ix, uint32_t lo,
                       uint32_t hi, unsigned depth, int *first, struct rec *r)
{
    int rc = 0;

    for (uint32_t i = lo, j; i < hi; i = j) {
        const struct fld_name *n = e->fld[ix[i]].name;
        uint32_t h = e->fld[ix[i]].ph[depth];
        for (j = i + 1; j < hi; j++) {
            const struct fld_name *m = e->fld[ix[j]].name;
            /* The range shares keys 0..depth-1: a different prefix hash at
             * depth is a different key; an equal one is checked. */
            if (e->fld[ix[j]].ph[depth] != h ||
                key_cmp(n->key[depth], n->key_len[depth], m->key[depth], m->key_len[depth]))
                break;
        }
        if (!*first)
            rc |= PUT(b, ",");
        *first = 0;
        if (e->fld[ix[i]].plain & (1u << depth))
            rc |= sl_json_key(b, n->key[depth], n->key_len[depth]);
        else {
            rc |= sl_json_str(b, n->key[depth], n->key_len[depth]);
            rc |= PUT(b, ":");
        }
        if (n->depth == depth + 1) {
            rc |= r ? rec_value(r, b, ix[i]) : put_value(b, e, &e->fld[ix[i]]);
        } else {
            int f2 = 1;
            rc |= PUT(b, "{");
            rc |= put_members(b, e, ix, i, j, depth + 1, &f2, r);
            rc |= PUT(b, "}");
        }
    }
    return rc;
}

/* The grammar's fields under fixed object t, after the fixed members. */
static int put_extra(struct sl_buf *b, const struct evt *e, const struct layout *L, int t,
                     int *first)
{
    if (L->lo[t] == L->hi[t])
        return 0;
    return put_members(b, e, L->xs.ix, L->lo[t], L->hi[t], 1, first, NULL);
}

/* Top-level objects of the grammar's own (user, url, sshd...), and sluice.clash. */
static int put_extra_top(struct sl_buf *b, const struct evt *e, const struct layout *L)
{
    int rc = 0, first = 0;

    rc |= put_members(b, e, L->rest.ix, 0, L->rest.n, 0, &first, NULL);
    if (L->xc.n) {
        int f2 = 1;
        rc |= PUT(b, ",\"sluice\":{\"clash\":{");
        rc |= put_members(b, e, L->xc.ix, 0, L->xc.n, 0, &f2, NULL);
        rc |= PUT(b, "}}");
    }
    return rc;
}

/* The plan's program, from its layout: what put_extra and put_extra_top
 * would write for any line with these names, with the values left out. */
static void plan_compile(const struct evt *e, const struct layout *L, struct evt_plan *p)
{
    struct sl_buf lb;
    struct rec r = { p->ops, 0, 0 };
    int rc = 0;

    p->compiled = 0;
    sl_buf_init(&lb, 256, UINT16_MAX);
    for (int g = 0; g < EVT_GROUPS && !rc; g++) {
        int first = 0;
        p->g_lo[g] = (uint8_t)r.n;
        r.op_start = lb.len;
        if (g == EVT_GROUP_CLASH) {
            if (L->xc.n) {
                first = 1;
                rc |= PUT(&lb, ",\"sluice\":{\"clash\":{");
                rc |= put_members(&lb, e, L->xc.ix, 0, L->xc.n, 0, &first, &r);
                rc |= PUT(&lb, "}}");
            }
        } else if (g == EVT_TOP_OTHER) {
            rc |= put_members(&lb, e, L->rest.ix, 0, L->rest.n, 0, &first, &r);
        } else if (L->lo[g] < L->hi[g]) {
            rc |= put_members(&lb, e, L->xs.ix, L->lo[g], L->hi[g], 1, &first, &r);
        }
        p->g_hi[g] = (uint8_t)r.n;
        p->tail_off[g] = (uint16_t)r.op_start;
        p->tail_len[g] = (uint16_t)(lb.len - r.op_start);
    }
    if (!rc && lb.len) {
        if (p->lit_cap < lb.len) {
            p->lit = sl_realloc(p->lit, lb.len);
            p->lit_cap = lb.len;
        }
        memcpy(p->lit, lb.data, lb.len);
    }
    p->compiled = !rc;
    sl_buf_free(&lb);
}

/* One group of the program: each op's literal, then its field's value. */
static int run_group(struct sl_buf *b, const struct evt *e, const struct evt_plan *p, int g,
                     int first)
{
    int rc = 0;

    for (uint32_t k = p->g_lo[g]; k < p->g_hi[g]; k++) {
        const struct evt_op *op = &p->ops[k];
        const char *l = p->lit + op->lit_off;
        size_t n = op->lit_len;
        if (first) {
            l++;            /* the object's first member: no ',' */
            n--;
            first = 0;
        }
        rc |= put(b, l, n);
        rc |= put_value(b, e, &e->fld[op->fld]);
    }
    if (p->tail_len[g])
        rc |= put(b, p->lit + p->tail_off[g], p->tail_len[g]);
    return rc;
}

/* A fixed object's grammar fields, from the plan's program or the layout. */
static int has_grp(const struct evt_plan *P, const struct layout *L, int t)
{
    return P ? P->g_lo[t] < P->g_hi[t] : L->lo[t] < L->hi[t];
}

static int put_grp(struct sl_buf *b, const struct evt *e, const struct evt_plan *P,
                   const struct layout *L, int t, int *first)
{
    int rc;

    if (!P)
        return put_extra(b, e, L, t, first);
    if (P->g_lo[t] == P->g_hi[t])
        return 0;
    rc = run_group(b, e, P, t, *first);
    *first = 0;
    return rc;
}

/* A grammar field already writes the extra member's top-level key. */
static int extra_taken(const struct evt *e)
{
    for (uint32_t i = 0; i < e->fld_n; i++) {
        const struct fld_name *n = e->fld[i].name;

        if (e->fld[i].ph[0] == e->extra_key_ph && !e->fld[i].clash &&
            n->key_len[0] == e->extra_key_len &&
            !memcmp(n->key[0], e->extra_key, e->extra_key_len))
            return 1;
    }
    return 0;
}

int evt_json(const struct evt *e, struct sl_buf *b)
{
    size_t start = b->len;
    struct layout L;
    const struct evt_plan *P = NULL;
    int rc = 0, first;

    if (e->fld_n)
        P = layout_get(e, &L);
    else
        memset(&L, 0, sizeof L);

    rc |= PUT(b, "{\"@timestamp\":");
    rc |= put_time(b, e->ts_ns, e->ts_digits, 0);
    rc |= PUT(b, ",\"message\":");
    {
        struct evt *me = (struct evt *)e;   /* scratch, as the plan cache */
        size_t at = b->len;
        rc |= put_sv(b, &e->msg);
        me->plain_lo = me->plain_hi = 0;
        if (!rc && e->msg.p && b->len - at == (size_t)e->msg.n + 2 && e->msg.p >= e->raw &&
            e->msg.p + e->msg.n <= e->raw + e->raw_len) {
            me->plain_lo = (size_t)(e->msg.p - e->raw);
            me->plain_hi = me->plain_lo + e->msg.n;
        }
    }
    if (e->host.p || has_grp(P, &L, EVT_TOP_HOST)) {
        first = 1;
        rc |= PUT(b, ",\"host\":{");
        if (e->host.p) {
            rc |= PUT(b, "\"hostname\":");
            rc |= put_sv(b, &e->host);
            first = 0;
        }
        rc |= put_grp(b, e, P, &L, EVT_TOP_HOST, &first);
        rc |= PUT(b, "}");
    }
    if (!atomic_load_explicit(&pri_ready, memory_order_acquire))
        pthread_once(&pri_once, pri_init);
    if (e->lvl < 0) {
        rc |= put(b, pri_text[e->pri].s, pri_text[e->pri].n);
    } else {
        rc |= put(b, lvl_text[e->lvl].s, lvl_text[e->lvl].n);
        rc |= put(b, pri_text[e->pri].s + pri_text[e->pri].rest,
                  pri_text[e->pri].n - pri_text[e->pri].rest);
    }
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
    rc |= PUT(b, "}");
    if (e->src_moved && e->src_ip[0]) {
        /* a grammar named the real source; the sender is where the log came from */
        rc |= PUT(b, ",\"source\":{\"address\":");
        rc |= sl_json_str(b, e->src_ip, strlen(e->src_ip));
        if (e->src_port) {
            rc |= PUT(b, ",\"port\":");
            rc |= sl_json_u64(b, e->src_port);
        }
        rc |= PUT(b, "}");
    }
    first = 0;
    rc |= put_grp(b, e, P, &L, EVT_TOP_LOG, &first);
    rc |= PUT(b, "}");
    if (e->app.p || e->has_pid || has_grp(P, &L, EVT_TOP_PROCESS)) {
        first = 1;
        rc |= PUT(b, ",\"process\":{");
        if (e->app.p) {
            rc |= PUT(b, "\"name\":");
            rc |= put_sv(b, &e->app);
            first = 0;
        }
        if (e->has_pid) {
            if (!first)
                rc |= PUT(b, ",");
            rc |= PUT(b, "\"pid\":");
            rc |= sl_json_i64(b, e->pid);
            first = 0;
        }
        rc |= put_grp(b, e, P, &L, EVT_TOP_PROCESS, &first);
        rc |= PUT(b, "}");
    }
    if (e->src_moved) {
        first = 1;
        rc |= PUT(b, ",\"source\":{");
        rc |= put_grp(b, e, P, &L, EVT_TOP_SOURCE, &first);
        rc |= PUT(b, "}");
    } else if (e->src_ip[0]) {
        rc |= PUT(b, ",\"source\":{\"ip\":");
        rc |= sl_json_str(b, e->src_ip, strlen(e->src_ip));
        if (e->src_port) {
            rc |= PUT(b, ",\"port\":");
            rc |= sl_json_u64(b, e->src_port);
        }
        if (e->src_domain[0]) {
            rc |= PUT(b, ",\"domain\":");
            rc |= sl_json_str(b, e->src_domain, strlen(e->src_domain));
        }
        rc |= PUT(b, "}");
    }
    if (e->transport[0] || has_grp(P, &L, EVT_TOP_NETWORK)) {
        first = 1;
        rc |= PUT(b, ",\"network\":{");
        if (e->transport[0]) {
            rc |= PUT(b, "\"transport\":");
            rc |= sl_json_str(b, e->transport, strlen(e->transport));
            first = 0;
        }
        rc |= put_grp(b, e, P, &L, EVT_TOP_NETWORK, &first);
        rc |= PUT(b, "}");
    }
    rc |= PUT(b, ",\"event\":{");
    if (e->ts_replaced) {
        rc |= PUT(b, "\"created\":");
        rc |= put_time(b, e->orig_ns, e->orig_digits, 0);
        rc |= PUT(b, ",");
    } else if (e->ts_grammar && e->hdr_ok) {
        rc |= PUT(b, "\"created\":");
        rc |= put_time(b, e->hdr_ns, e->hdr_digits, 0);
        rc |= PUT(b, ",");
    }
    rc |= PUT(b, "\"ingested\":");
    rc |= put_time(b, e->recv_ns, 6, 1);
    first = 0;
    rc |= put_grp(b, e, P, &L, EVT_TOP_EVENT, &first);
    rc |= PUT(b, "}");
    if (P)
        rc |= run_group(b, e, P, EVT_TOP_OTHER, 0) | run_group(b, e, P, EVT_GROUP_CLASH, 0);
    else if (e->fld_n)
        rc |= put_extra_top(b, e, &L);
    if (e->extra_json && !extra_taken(e)) {
        rc |= PUT(b, ",");
        rc |= put(b, e->extra_json, e->extra_len);
    }
    if (e->tags || e->xtag_n)
        rc |= put_tags(b, e);
    rc |= PUT(b, "}");
    if (rc) {
        b->len = start;
        if (b->data)
            b->data[start] = '\0';
        return SL_ETOOBIG;
    }
    return 0;
}
