#include <string.h>

#include "common/clock.h"
#include "common/mem.h"
#include "parser/datefmt.h"
#include "parser/evt.h"
#include "parser/evt_impl.h"
#include "parser/level.h"

static const char *const tag_names[EVT_T_COUNT] = {
    "_sluice_no_pri",
    "_sluice_bad_pri",
    "_sluice_no_timestamp",
    "_sluice_bad_timestamp",
    "_sluice_bad_header",
    "_sluice_bad_sd",
    "_sluice_sd_limit",
    "_sluice_truncated",
    "_sluice_partial_frame",
    "_sluice_bad_frame",
    "_sluice_fields_limit",
};

struct evt *evt_new(size_t max_msg)
{
    struct evt *e = sl_calloc(1, sizeof *e);

    e->max_msg = max_msg;
    e->pri = 13;
    e->lvl = e->lvl_grammar = -1;
    return e;
}

void evt_free(struct evt *e)
{
    if (!e)
        return;
    for (uint32_t i = 0; e->own && i < EVT_FIELDS_MAX; i++)
        sl_free(e->own[i].keys_buf);
    sl_free(e->own);
    sl_free(e->own_cap);
    if (e->plans)
        for (uint32_t i = 0; i < EVT_PLANS; i++)
            sl_free(e->plans[i].lit);
    sl_free(e->plans);
    sl_free(e->plan_key);
    sl_free(e->plan_used);
    sl_free(e->raw);
    sl_free(e->unesc);
    sl_free(e->arena);
    sl_free(e);
}

/* Capacity only grows, so after the longest message seen nothing allocates. */
static void grow(char **buf, size_t *cap, size_t need)
{
    size_t c = *cap ? *cap : 256;

    if (need <= *cap)
        return;
    while (c < need)
        c *= 2;
    *buf = sl_realloc(*buf, c);
    *cap = c;
}

/* A cut inside a UTF-8 sequence would leave a stray lead byte; back up to
 * the sequence's start (at most 3 bytes) so the text stays well formed. */
static size_t utf8_cut(const char *s, size_t len)
{
    size_t i = len, back = 0;

    while (i > 0 && back < 3 && ((unsigned char)s[i] & 0xc0) == 0x80) {
        i--;
        back++;
    }
    if (i < len && (unsigned char)s[i] >= 0xc0)
        return i;
    return len;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);    /* `sluice test` has no sender: no call for nothing */
    dst[n] = '\0';
}

void evt_begin(struct evt *e, const char *msg, size_t len, const struct evt_meta *m)
{
    unsigned flags = m ? m->flags : 0;

    e->tags = 0;
    e->lvl = e->lvl_grammar = -1;
    e->lvl_claim = 0;
    if (len > e->max_msg) {
        len = utf8_cut(msg, e->max_msg);
        e->tags |= EVT_T_TRUNCATED;
    }
    grow(&e->raw, &e->raw_cap, len + 1);
    grow(&e->unesc, &e->unesc_cap, len + 1);
    if (len)
        memcpy(e->raw, msg, len);
    e->raw[len] = '\0';
    e->raw_len = len;
    e->unesc_len = 0;

    e->recv_ns = m && m->recv_ns ? m->recv_ns : sl_clock_real_ns();
    e->ts_ns = e->recv_ns;
    e->ts_digits = 6;
    e->ts_grammar = 0;
    syslog_opts_default(&e->so);    /* syslog_parse sets its own */
    e->pri = 13;
    e->version = 0;
    memset(&e->host, 0, sizeof e->host);
    e->app = e->procid = e->msgid = e->msg = e->host;
    e->pid = 0;
    e->has_pid = 0;
    e->sd_n = e->sdp_n = 0;
    e->fld_n = e->xtag_n = 0;
    memset(e->ov_head, EVT_OV_NONE, sizeof e->ov_head);
    e->ov_one = e->ov_deep = 0;
    e->own_n = 0;
    e->any_transient = 0;
    e->src_moved = 0;
    e->src_domain[0] = '\0';
    e->ts_replaced = 0;
    e->extra_json = NULL;
    e->arena_len = 0;
    e->fld_bytes = 0;

    copy_str(e->src_ip, sizeof e->src_ip, m ? m->src_ip : NULL);
    copy_str(e->transport, sizeof e->transport, m ? m->transport : NULL);
    e->src_port = m ? m->src_port : 0;
    if (flags & EVT_F_TRUNCATED)
        e->tags |= EVT_T_TRUNCATED;
    if (flags & EVT_F_PARTIAL)
        e->tags |= EVT_T_PARTIAL_FRAME;
    if (flags & EVT_F_BAD_FRAME)
        e->tags |= EVT_T_BAD_FRAME;
}

int64_t evt_time_ns(const struct evt *e)
{
    return e->ts_ns;
}

int evt_time_from_grammar(const struct evt *e)
{
    return e->ts_grammar;
}

static const char *view(const struct evt_sv *v, size_t *len)
{
    if (len)
        *len = v->p ? v->n : 0;
    return v->p;
}

const char *evt_appname(const struct evt *e, size_t *len)
{
    return view(&e->app, len);
}

const char *evt_hostname(const struct evt *e, size_t *len)
{
    return view(&e->host, len);
}

const char *evt_message(const struct evt *e, size_t *len)
{
    return view(&e->msg, len);
}

int evt_priority(const struct evt *e)
{
    return e->pri;
}

int evt_level(const struct evt *e)
{
    return e->lvl >= 0 ? e->lvl : e->pri & 7;
}

unsigned evt_tags(const struct evt *e)
{
    return e->tags;
}

const char *evt_tag_name(unsigned bit)
{
    for (unsigned i = 0; i < EVT_T_COUNT; i++)
        if (bit == 1u << i)
            return tag_names[i];
    return NULL;
}

/* ---- grammar fields ---- */

/* Inlined so that strlen of a literal key folds to a constant: the `tags`
 * check runs for every one-key field. */
static inline __attribute__((always_inline)) int key_is(const struct fld_name *n, unsigned i,
                                                        const char *k)
{
    size_t kl = strlen(k);

    return i < n->depth && n->key_len[i] == kl && memcmp(n->key[i], k, kl) == 0;
}

/* Same path, or one a prefix of the other, key by key. */
static int paths_overlap(const struct fld_name *a, const struct fld_name *b)
{
    unsigned d = a->depth < b->depth ? a->depth : b->depth;

    for (unsigned i = 0; i < d; i++)
        if (a->key_len[i] != b->key_len[i] || memcmp(a->key[i], b->key[i], a->key_len[i]))
            return 0;
    return 1;
}

static int arena_put(struct evt *e, const char *val, size_t len, uint32_t *off)
{
    if (len + 1 > EVT_FIELD_BYTES_MAX - e->fld_bytes)
        return -1;
    e->fld_bytes += len + 1;
    grow(&e->arena, &e->arena_cap, e->arena_len + len + 1);
    if (len)
        memcpy(e->arena + e->arena_len, val, len);
    e->arena[e->arena_len + len] = '\0';
    *off = (uint32_t)e->arena_len;
    e->arena_len += len + 1;
    return 0;
}

void evt_tag_add(struct evt *e, const char *tag, size_t len)
{
    uint32_t off;

    for (uint32_t i = 0; i < e->xtag_n; i++)
        if (e->xtag[i].len == len && memcmp(e->arena + e->xtag[i].off, tag, len) == 0)
            return;
    if (e->xtag_n >= EVT_XTAGS_MAX || arena_put(e, tag, len, &off)) {
        e->tags |= EVT_T_FIELDS_LIMIT;
        return;
    }
    e->xtag[e->xtag_n].off = off;
    e->xtag[e->xtag_n].len = (uint32_t)len;
    e->xtag_n++;
}

/* A grammar's TIMESTAMP (canonical text, parser/datefmt.h) becomes
 * @timestamp, settled with the zone and year rules of the syslog parse and
 * the receive time; the first one wins. One outside what @timestamp can hold
 * leaves it alone and tags the event. */
static void set_grammar_time(struct evt *e, const char *val, size_t len)
{
    struct syslog_tm tm;
    int64_t ns;

    if (e->ts_grammar)
        return;
    if (datefmt_canon_read(val, len, &tm) ||
        syslog_time_resolve(&e->zcache, &tm, &e->so, e->recv_ns, &ns)) {
        evt_tag_add(e, DATEFMT_TAG_FAILURE, sizeof DATEFMT_TAG_FAILURE - 1);
        return;
    }
    e->hdr_ns = e->ts_ns;
    e->hdr_digits = e->ts_digits;
    e->hdr_ok = !(e->tags & (EVT_T_NO_TIMESTAMP | EVT_T_BAD_TIMESTAMP));
    e->ts_ns = ns;
    e->ts_digits = tm.frac <= 3 ? 3 : tm.frac <= 6 ? 6 : 9;
    e->ts_grammar = 1;
}

/* A kept copy of a transient name, in the layout fld_name_parse makes: path,
 * then each key, NUL-terminated, in one allocation. */
static const struct fld_name *own_name(struct evt *e, const struct fld_name *n)
{
    size_t pl = strlen(n->path), total = pl + 1;
    struct fld_name *c;
    char *p;

    if (!e->own) {
        e->own = sl_calloc(EVT_FIELDS_MAX, sizeof *e->own);
        e->own_cap = sl_calloc(EVT_FIELDS_MAX, sizeof *e->own_cap);
    }
    for (unsigned i = 0; i < n->depth; i++)
        total += n->key_len[i] + 1;
    if (e->own_cap[e->own_n] < total) {
        e->own[e->own_n].keys_buf = sl_realloc(e->own[e->own_n].keys_buf, total);
        e->own_cap[e->own_n] = total;
    }
    c = &e->own[e->own_n++];
    p = c->keys_buf;
    memset(c, 0, sizeof *c);
    c->keys_buf = p;
    memcpy(p, n->path, pl + 1);
    c->path = p;
    p += pl + 1;
    c->depth = n->depth;
    for (unsigned i = 0; i < n->depth; i++) {
        memcpy(p, n->key[i], n->key_len[i]);
        p[n->key_len[i]] = '\0';
        c->key[i] = p;
        c->key_len[i] = n->key_len[i];
        p += n->key_len[i] + 1;
    }
    return c;
}

/* An earlier field of e overlaps f (same path, or one a prefix of the
 * other, both clash or neither): the candidates are o's chain. */
static int chain_overlaps(const struct evt *e, unsigned i, const struct evt_field *f)
{
    for (; i != EVT_OV_NONE; i = e->fld[i].ov_next) {
        const struct evt_field *o = &e->fld[i];
        unsigned d = o->depth < f->depth ? o->depth : f->depth;
        if (o->ph[d - 1] == f->ph[d - 1] && o->clash == f->clash &&
            (o->name == f->name || paths_overlap(o->name, f->name)))
            return 1;
    }
    return 0;
}

static int any_overlaps(const struct evt *e, const struct evt_field *f)
{
    for (uint32_t i = 0; i < e->fld_n; i++) {
        const struct evt_field *o = &e->fld[i];
        if (o->ph[0] == f->ph[0] && o->clash == f->clash && paths_overlap(o->name, f->name))
            return 1;
    }
    return 0;
}

static unsigned ov_bucket(uint32_t h, int clash)
{
    return ((h >> 7) ^ (unsigned)clash) & (EVT_OV_BUCKETS - 1);
}

static uint64_t ov_bit(uint32_t h0, int clash)
{
    return 1ull << (((h0 >> 3) ^ ((unsigned)clash << 5)) & 63);
}

int evt_field_emit(void *arg, const struct fld_name *name, enum fld_type type,
                   const char *val, size_t len)
{
    struct evt *e = arg;
    struct evt_field *f, spare;
    struct fld_facts made;
    const struct fld_facts *fx;
    uint32_t off;
    unsigned bucket;
    uint64_t bit;

    if (type == FLD_TIME) {
        set_grammar_time(e, val, len);
        return 0;
    }
    if (!name || !name->depth)
        return 0;
    if (name->depth == 1 && key_is(name, 0, "tags") && type == FLD_STRING) {
        evt_tag_add(e, val, len);
        return 0;
    }
    fx = &name->facts;
    if (!fx->ok) {                  /* a name made by hand (liblognorm's, a payload's) */
        fld_facts(name, &made);
        fx = &made;
    }
    if (fx->clash && e->lvl_claim && type == FLD_STRING && name->depth == 2 &&
        key_is(name, 0, "log") && key_is(name, 1, "level")) {
        /* the message's own level (parser/level.h); one that is not a
         * level word stays a clash, so nothing is lost */
        int lv = level_word(val, len, 1);
        if (lv >= 0) {
            if (e->lvl_grammar < 0)
                e->lvl_grammar = (int8_t)lv;
            return 0;
        }
    }
    /* built in its slot (a field is some 70 bytes: no copy), which only
     * counts once fld_n moves past it; past the ceiling, in a spare */
    f = e->fld_n < EVT_FIELDS_MAX ? &e->fld[e->fld_n] : &spare;
    f->name = name;
    f->clash = fx->clash;
    f->top = fx->top;
    f->plain = fx->plain;
    memcpy(f->ph, fx->ph, sizeof f->ph);    /* fixed size: no call */
    f->depth = (uint8_t)name->depth;
    bit = ov_bit(f->ph[0], f->clash);
    if (f->depth == 1) {
        bucket = ov_bucket(f->ph[0], f->clash);
        if ((e->ov_deep & bit) ? any_overlaps(e, f)
                               : e->ov_head[bucket] != EVT_OV_NONE &&
                                 chain_overlaps(e, e->ov_head[bucket], f))
            return 0;   /* first wins */
    } else {
        bucket = ov_bucket(f->ph[1], f->clash);
        /* most buckets are empty: no call then */
        if ((e->ov_head[bucket] != EVT_OV_NONE && chain_overlaps(e, e->ov_head[bucket], f)) ||
            ((e->ov_one & bit) &&
             chain_overlaps(e, e->ov_head[ov_bucket(f->ph[0], f->clash)], f)))
            return 0;
    }
    if (f == &spare) {
        e->tags |= EVT_T_FIELDS_LIMIT;
        return 0;
    }
    f->in_raw = val >= e->raw && len <= e->raw_len && val <= e->raw + (e->raw_len - len);
    if (f->in_raw) {
        if (len + 1 > EVT_FIELD_BYTES_MAX - e->fld_bytes) {
            e->tags |= EVT_T_FIELDS_LIMIT;
            return 0;
        }
        e->fld_bytes += len + 1;
        off = (uint32_t)(val - e->raw);
    } else if (arena_put(e, val, len, &off)) {
        e->tags |= EVT_T_FIELDS_LIMIT;
        return 0;
    }
    f->ov_next = e->ov_head[bucket];
    e->ov_head[bucket] = (uint8_t)e->fld_n;
    if (f->depth == 1)
        e->ov_one |= bit;
    else
        e->ov_deep |= bit;
    e->fld_n++;
    f->name = name->transient ? own_name(e, name) : name;
    e->any_transient |= name->transient;
    f->type = type;
    f->off = off;
    f->len = (uint32_t)len;
    if (!f->clash && f->top == EVT_TOP_SOURCE)
        e->src_moved = 1;
    return 0;
}

size_t evt_field_count(const struct evt *e)
{
    return e->fld_n;
}

size_t evt_xtag_count(const struct evt *e)
{
    return e->xtag_n;
}

int64_t evt_recv_ns(const struct evt *e)
{
    return e->recv_ns;
}

void evt_set_domain(struct evt *e, const char *name, size_t len)
{
    if (!name || len >= sizeof e->src_domain)
        len = 0;
    if (len)
        memcpy(e->src_domain, name, len);
    e->src_domain[len] = '\0';
}

void evt_time_replace(struct evt *e, int64_t ns)
{
    if (!e->ts_replaced) {
        e->orig_ns = e->ts_ns;
        e->orig_digits = e->ts_digits;
    }
    e->ts_replaced = 1;
    e->ts_ns = ns;
    e->ts_digits = 6;
}

void evt_set_extra(struct evt *e, const char *key, const char *json, size_t len)
{
    if (key != e->extra_key) {     /* the same key on every line: worked out once */
        e->extra_key = key;
        e->extra_key_len = key ? strlen(key) : 0;
        e->extra_key_ph = fld_key_hash(key ? key : "", e->extra_key_len);
    }
    e->extra_json = len ? json : NULL;
    e->extra_len = len;
}
