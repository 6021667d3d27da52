#include <string.h>

#include "common/clock.h"
#include "common/mem.h"
#include "parser/datefmt.h"
#include "parser/evt.h"
#include "parser/evt_impl.h"

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
    return e;
}

void evt_free(struct evt *e)
{
    if (!e)
        return;
    for (uint32_t i = 0; i < e->own_n; i++)
        sl_free(e->own[i].keys_buf);
    sl_free(e->own);
    sl_free(e->ncache);
    if (e->plans)
        for (uint32_t i = 0; i < EVT_PLANS; i++)
            sl_free(e->plans[i].lit);
    sl_free(e->plans);
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
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

void evt_begin(struct evt *e, const char *msg, size_t len, const struct evt_meta *m)
{
    unsigned flags = m ? m->flags : 0;

    e->tags = 0;
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
    for (uint32_t i = 0; i < e->own_n; i++)
        sl_free(e->own[i].keys_buf);
    e->own_n = 0;
    e->any_transient = 0;
    e->src_moved = 0;
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

static int key_is(const struct fld_name *n, unsigned i, const char *k)
{
    size_t kl = strlen(k);

    return i < n->depth && n->key_len[i] == kl && memcmp(n->key[i], k, kl) == 0;
}

/* The paths sluice writes itself (parser/README.md): a grammar's value for
 * one of them, under one of the scalars, over one of the objects, or inside
 * the subtrees sluice owns, would make a duplicate key or change a fixed
 * field's shape, so it is written under sluice.clash instead. source.ip and
 * source.port are not among them: a grammar's win (the sender moves). */
static int is_clash(const struct fld_name *n)
{
    static const char *const scalars1[] = { "@timestamp", "message", "tags", NULL };
    static const char *const objects[] = { "host", "log", "process", "source", "network",
                                           "event", NULL };
    static const char *const scalars2[][2] = {
        { "host", "hostname" }, { "log", "level" }, { "process", "name" },
        { "process", "pid" }, { "network", "transport" }, { "event", "ingested" },
        { "event", "created" },
        { "log", "syslog" }, { "log", "source" },   /* subtrees sluice owns */
    };

    if (key_is(n, 0, "sluice"))
        return 1;
    for (size_t i = 0; scalars1[i]; i++)
        if (key_is(n, 0, scalars1[i]))
            return 1;
    if (n->depth == 1)
        for (size_t i = 0; objects[i]; i++)
            if (key_is(n, 0, objects[i]))
                return 1;
    for (size_t i = 0; i < sizeof scalars2 / sizeof scalars2[0]; i++)
        if (key_is(n, 0, scalars2[i][0]) && key_is(n, 1, scalars2[i][1]))
            return 1;
    return 0;
}

/* Same path, or one a prefix of the other, key by key. */
static uint8_t top_of(const struct fld_name *n)
{
    static const char *const tops[] = { NULL, "host", "log", "process", "source", "network",
                                        "event" };

    if (n->depth < 2)
        return EVT_TOP_OTHER;       /* a scalar at the top: not inside a fixed object */
    for (uint8_t i = 1; i < EVT_TOP_N; i++)
        if (key_is(n, 0, tops[i]))
            return i;
    return EVT_TOP_OTHER;
}

/* Prefix hashes of the keys (FNV-1a over each key and a separator), and
 * which keys are plain JSON (no byte that needs escaping). */
static void key_hashes(const struct fld_name *n, uint32_t ph[FLD_DEPTH_MAX], uint8_t *plain)
{
    uint32_t h = 2166136261u;

    memset(ph, 0, FLD_DEPTH_MAX * sizeof *ph);
    *plain = 0;
    for (unsigned d = 0; d < n->depth; d++) {
        int ok = 1;
        for (size_t i = 0; i < n->key_len[d]; i++) {
            unsigned char c = (unsigned char)n->key[d][i];
            h = (h ^ c) * 16777619u;
            ok &= c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
        }
        h = (h ^ 0xffu) * 16777619u;
        ph[d] = h;
        if (ok)
            *plain |= (uint8_t)(1u << d);
    }
}

static void name_info(struct evt *e, const struct fld_name *n, struct evt_field *f)
{
    struct evt_ncache *c = NULL;

    if (!n->transient) {
        uint64_t h = (uint64_t)(uintptr_t)n * 0x9e3779b97f4a7c15ull;
        if (!e->ncache)
            e->ncache = sl_calloc(EVT_NCACHE, sizeof *e->ncache);
        c = &e->ncache[(h >> 32) % EVT_NCACHE];
        if (c->name == n) {
            f->clash = c->clash;
            f->top = c->top;
            f->plain = c->plain;
            memcpy(f->ph, c->ph, sizeof f->ph);     /* fixed size: no call */
            return;
        }
    }
    key_hashes(n, f->ph, &f->plain);
    f->clash = is_clash(n);
    f->top = top_of(n);
    if (c) {
        c->name = n;
        c->clash = (uint8_t)f->clash;
        c->top = f->top;
        c->plain = f->plain;
        memcpy(c->ph, f->ph, sizeof c->ph);
    }
}

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

    if (!e->own)
        e->own = sl_calloc(EVT_FIELDS_MAX, sizeof *e->own);
    for (unsigned i = 0; i < n->depth; i++)
        total += n->key_len[i] + 1;
    c = &e->own[e->own_n++];
    memset(c, 0, sizeof *c);
    c->keys_buf = p = sl_malloc(total);
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

int evt_field_emit(void *arg, const struct fld_name *name, enum fld_type type,
                   const char *val, size_t len)
{
    struct evt *e = arg;
    struct evt_field *f, nf;
    uint32_t off;
    unsigned bucket;

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
    name_info(e, name, &nf);
    nf.depth = (uint8_t)name->depth;
    bucket = ((nf.ph[0] >> 7) ^ (unsigned)nf.clash) & (EVT_OV_BUCKETS - 1);
    for (unsigned i = e->ov_head[bucket]; i != EVT_OV_NONE; i = e->fld[i].ov_next) {
        const struct evt_field *o = &e->fld[i];
        unsigned d = o->depth < nf.depth ? o->depth : nf.depth;
        if (o->ph[d - 1] == nf.ph[d - 1] && o->clash == nf.clash &&
            (o->name == name || paths_overlap(o->name, name)))
            return 0;   /* first wins */
    }
    if (e->fld_n >= EVT_FIELDS_MAX) {
        e->tags |= EVT_T_FIELDS_LIMIT;
        return 0;
    }
    nf.in_raw = val >= e->raw && len <= e->raw_len && val <= e->raw + (e->raw_len - len);
    if (nf.in_raw) {
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
    nf.ov_next = e->ov_head[bucket];
    e->ov_head[bucket] = (uint8_t)e->fld_n;
    f = &e->fld[e->fld_n++];
    *f = nf;
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
