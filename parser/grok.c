/* Design: grok_lib_expand gives one PCRE2 regex whose only capturing groups
 * are the generated names g0, g1... (PCRE2_NO_AUTO_CAPTURE makes plain
 * parentheses non-capturing, as Oniguruma does once a regex has named
 * groups). Compiling maps each group's number to a field slot: one slot per
 * distinct field path, holding its groups in order, so a field captured in
 * several alternatives is emitted once, from the first group that took part.
 *
 * The options follow Oniguruma's Ruby syntax, which Logstash uses: ^ and $
 * match at line breaks (PCRE2_MULTILINE), newline is LF only, \w \d \s and
 * POSIX classes are ASCII (no PCRE2_UCP). PCRE2_UTF reads patterns and lines
 * as UTF-8; a line that is not well-formed UTF-8 is transcoded first (bad
 * bytes as Latin-1), so PCRE2 only ever sees valid UTF-8 and is told so
 * (PCRE2_NO_UTF_CHECK). PCRE2_MATCH_INVALID_UTF is not used: besides making a
 * bad byte a barrier no match crosses, its JIT in PCRE2 10.42 (Debian 12)
 * lets \S fail on every character above U+007F (NOTSPACE captured "caf"
 * out of "café"), where the interpreter and Oniguruma match them.
 *
 * Every match runs under the grok's limits; the JIT also under the size of
 * the scratch's JIT stack. A limit reached is GROK_LIMIT, never a stall. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/json.h"
#include "common/mem.h"
#include "parser/fields.h"
#include "parser/grok.h"
#include "parser/grok_lib.h"
#include "parser/grok_req.h"

#define GROK_PCRE2_OPTS (PCRE2_UTF | PCRE2_NO_AUTO_CAPTURE | PCRE2_MULTILINE | \
                         PCRE2_NEVER_BACKSLASH_C)
#define GROK_JIT_STACK_START (32u * 1024u)
#define GROK_PARENS_MAX      1000u

struct gslot {
    const struct fld_name *name;    /* borrowed from xp->cap */
    enum fld_type          type;    /* of its first group, for grok_field */
    uint32_t               first, count;    /* its groups: grp[first .. first + count) */
};

struct ggrp {
    uint32_t      num;              /* PCRE2 group number */
    enum fld_type type;
};

/* JIT compilation happens on an expression's first PCRE2 run, not at load:
 * most of a library's expressions never meet a line a given site sends, and
 * compiling them all was 55 % of start-up (117M instructions for the
 * grammars of bench/norm). Workers share the expression, so the first one
 * compiles under the lock and publishes the state; a worker that sees
 * JIT_READY or JIT_NONE never races with pcre2_jit_compile. */
enum { JIT_PENDING = 0, JIT_READY, JIT_NONE };
struct grok_jit_state {
    pthread_mutex_t mu;
    _Atomic int     state;
};

struct grok {
    pcre2_code      *code;
    struct grok_jit_state *js;      /* mutable behind a const grok */
    uint32_t         ngroups;
    struct grok_opts o;
    char            *expr;
    struct grok_xp  *xp;
    struct gslot    *slot;
    size_t           nslot;
    struct ggrp     *grp;
    /* The literal text the regex must start with after its leading `^`
     * (ASCII, at most GROK_LIT_MAX bytes): a line that does not start with
     * it, and has no '\n' for multiline's `^` to match after, is a miss
     * without running PCRE2. Most lines try several expressions of their
     * program before the one that takes them. */
    char             lit[16];
    uint8_t          lit_len;
    /* A literal every match contains somewhere (parser/grok_req.h), kept
     * when the leading literal is too short to tell lines apart: a firewall
     * rule for TCP then skips a UDP line with one search instead of
     * backtracking through the shared head of the rules. */
    char             req[GROK_REQ_MAX];
    uint8_t          req_len;
    /* The ASCII bytes a match can start with (grok_first_bytes). */
    uint64_t         first[2];
    uint8_t          has_first;
};

#define GROK_LIT_MAX 16u
/* Shorter required literals select too little to pay for the search; a
 * leading literal this long already does the job. */
#define GROK_REQ_MIN       4u
#define GROK_REQ_USE_BELOW 4u

struct grok_scratch {
    pcre2_general_context *gctx;
    pcre2_match_context   *mc;
    pcre2_jit_stack       *js;
    pcre2_match_data      *md;
    uint32_t               pairs;
    char                  *fix;     /* the line transcoded to UTF-8 */
    size_t                 fix_cap;
    char                   num[GROK_NUM_MAX + 4];
    /* What grok_scratch_line found out about the line now being tried
     * (known: set; cleared when the caller moves on, so a buffer reused for
     * another line at the same address is never taken for the old one). */
    const char            *ln;
    size_t                 ln_len;
    int                    ln_known, ln_nl, ln_u8;
};

/* PCRE2 allocates through common/mem.h: out of memory aborts like the rest. */
static void *pc_malloc(PCRE2_SIZE n, void *data)
{
    (void)data;
    return sl_malloc(n ? n : 1);
}

static void pc_free(void *p, void *data)
{
    (void)data;
    sl_free(p);
}

void grok_opts_default(struct grok_opts *o)
{
    memset(o, 0, sizeof *o);
    o->match_limit = 1000000;
    o->depth_limit = 10000;
    o->heap_limit_kib = 8192;
}

void grok_free(struct grok *g)
{
    if (!g)
        return;
    if (g->js) {
        pthread_mutex_destroy(&g->js->mu);
        sl_free(g->js);
    }
    pcre2_code_free(g->code);
    grok_lib_xp_free(g->xp);
    sl_free(g->expr);
    sl_free(g->slot);
    sl_free(g->grp);
    sl_free(g);
}

static pcre2_code *compile_regex(const char *re, size_t len, int *ecode, PCRE2_SIZE *eoff)
{
    pcre2_general_context *gc = pcre2_general_context_create(pc_malloc, pc_free, NULL);
    pcre2_compile_context *cc = pcre2_compile_context_create(gc);
    pcre2_code *code;

    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    pcre2_set_parens_nest_limit(cc, GROK_PARENS_MAX);
    code = pcre2_compile((PCRE2_SPTR)re, len, GROK_PCRE2_OPTS, ecode, eoff, cc);
    pcre2_compile_context_free(cc);
    pcre2_general_context_free(gc);
    return code;
}

/* One slot per distinct path, in order of first appearance; each slot's
 * groups in order, so the first that took part wins. */
static void build_slots(struct grok *g)
{
    const struct grok_xp *x = g->xp;
    size_t *slot_of = sl_calloc(x->ncap ? x->ncap : 1, sizeof *slot_of);
    uint32_t *fill;

    g->slot = sl_calloc(x->ncap ? x->ncap : 1, sizeof *g->slot);
    g->grp = sl_calloc(x->ncap ? x->ncap : 1, sizeof *g->grp);
    for (size_t i = 0; i < x->ncap; i++) {
        size_t k;
        for (k = 0; k < g->nslot; k++)
            if (strcmp(g->slot[k].name->path, x->cap[i].name.path) == 0)
                break;
        if (k == g->nslot) {
            g->slot[k].name = &x->cap[i].name;
            g->slot[k].type = x->cap[i].type;
            g->nslot++;
        }
        g->slot[k].count++;
        slot_of[i] = k;
    }
    for (size_t k = 1; k < g->nslot; k++)
        g->slot[k].first = g->slot[k - 1].first + g->slot[k - 1].count;
    fill = sl_calloc(g->nslot ? g->nslot : 1, sizeof *fill);
    for (size_t i = 0; i < x->ncap; i++) {
        struct gslot *sl = &g->slot[slot_of[i]];
        struct ggrp *gr = &g->grp[sl->first + fill[slot_of[i]]++];
        char nm[32];
        snprintf(nm, sizeof nm, "g%zu", i);
        gr->num = (uint32_t)pcre2_substring_number_from_name(g->code, (PCRE2_SPTR)nm);
        gr->type = x->cap[i].type;
    }
    sl_free(fill);
    sl_free(slot_of);
}

/* The bytes a `^` regex without a leading literal can start with. PCRE2
 * makes no start bitmap for a pattern anchored at line starts (`^` under
 * PCRE2_MULTILINE), so the regex after the `^` is compiled once more, for
 * its bitmap (or its first code unit, both cases of a letter: a superset is
 * safe) only. */
static void first_bytes(struct grok *g)
{
    const struct grok_xp *x = g->xp;
    const uint8_t *map = NULL;
    uint32_t type = 0, unit = 0;
    PCRE2_SIZE eoff;
    pcre2_code *code;
    int ecode;

    g->has_first = 0;
    if (g->lit_len || x->len < 2 || x->regex[0] != '^' || x->top_alt)
        return;
    code = compile_regex(x->regex + 1, x->len - 1, &ecode, &eoff);
    if (!code)
        return;
    g->first[0] = g->first[1] = 0;
    if (pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type) == 0 && type == 1 &&
        pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &unit) == 0) {
        if (unit < 128) {
            unsigned lo = unit | 0x20;
            g->first[unit >> 6] |= 1ull << (unit & 63);
            if (lo >= 'a' && lo <= 'z') {  /* caseless or not: both */
                g->first[lo >> 6] |= 1ull << (lo & 63);
                g->first[(lo ^ 0x20) >> 6] |= 1ull << ((lo ^ 0x20) & 63);
            }
            g->has_first = 1;
        }
    } else if (pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &map) == 0 && map) {
        for (unsigned c = 0; c < 128; c++)  /* ASCII only: a transcoded byte differs */
            if (map[c >> 3] & (1u << (c & 7)))
                g->first[c >> 6] |= 1ull << (c & 63);
        g->has_first = 1;
    }
    pcre2_code_free(code);
}

/* The ASCII literal a regex starts with after `^`: plain characters and
 * escaped punctuation, stopping at anything else (a class, a group, \d...)
 * and dropping a last character that a quantifier follows. */
static void literal_prefix(struct grok *g, const char *re, size_t len)
{
    size_t i = 1, n = 0;

    g->lit_len = 0;
    if (!len || re[0] != '^' || g->xp->top_alt)
        return;                     /* `^a|b`: b may match anywhere */
    while (i < len && n < GROK_LIT_MAX) {
        unsigned char c = (unsigned char)re[i];
        size_t step = 1;
        if (c == '\\') {
            if (i + 1 >= len)
                break;
            c = (unsigned char)re[i + 1];
            if (!strchr(".[](){}*+?|^$\\/-: #\"'<>=,;!@%&~`", (int)c) || !c)
                break;              /* \d \s \w \h \b \Q... are not literals */
            step = 2;
        } else if (c >= 0x80 || strchr(".[](){}*+?|^$", (int)c)) {
            break;
        }
        if (i + step < len && strchr("*+?{", re[i + step]))
            break;                  /* quantified: not always there */
        g->lit[n++] = (char)c;
        i += step;
    }
    g->lit_len = (uint8_t)n;
}

int grok_compile(struct grok **out, const struct grok_lib *lib, const char *expr,
                 const struct grok_opts *o, const char *where, struct sl_err *err)
{
    struct grok *g = sl_calloc(1, sizeof *g);
    PCRE2_SIZE eoff = 0;
    int rc, ecode = 0;

    *out = NULL;
    if (o)
        g->o = *o;
    else
        grok_opts_default(&g->o);
    g->expr = sl_strdup(expr);
    rc = grok_lib_expand(&g->xp, lib, expr, where, err);
    if (rc)
        goto fail;
    g->code = compile_regex(g->xp->regex, g->xp->len, &ecode, &eoff);
    if (!g->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ecode, msg, sizeof msg);
        rc = grok_lib_locate(g->xp, eoff, SL_EINVAL, (const char *)msg, err);
        goto fail;
    }
    pcre2_pattern_info(g->code, PCRE2_INFO_CAPTURECOUNT, &g->ngroups);
    build_slots(g);
    literal_prefix(g, g->xp->regex, g->xp->len);
    first_bytes(g);
    if (g->lit_len < GROK_REQ_USE_BELOW) {
        size_t n = grok_req_literal(g->xp->regex, g->xp->len, g->req, sizeof g->req);
        g->req_len = n >= GROK_REQ_MIN ? (uint8_t)n : 0;
    }
    /* No JIT (not built in, or no executable memory): the interpreter, under
     * the same limits. Compiled on first use (jit_ready). */
    g->js = sl_calloc(1, sizeof *g->js);
    pthread_mutex_init(&g->js->mu, NULL);
    atomic_init(&g->js->state, g->o.no_jit ? JIT_NONE : JIT_PENDING);
    *out = g;
    g = NULL;
fail:
    grok_free(g);
    return rc;
}

struct grok_scratch *grok_scratch_new(void)
{
    struct grok_scratch *s = sl_calloc(1, sizeof *s);

    s->gctx = pcre2_general_context_create(pc_malloc, pc_free, NULL);
    s->mc = pcre2_match_context_create(s->gctx);
    s->js = pcre2_jit_stack_create(GROK_JIT_STACK_START, GROK_JIT_STACK_MAX, s->gctx);
    if (s->js)
        pcre2_jit_stack_assign(s->mc, NULL, s->js);
    s->pairs = 32;
    s->md = pcre2_match_data_create(s->pairs, s->gctx);
    return s;
}

void grok_scratch_free(struct grok_scratch *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    pcre2_jit_stack_free(s->js);
    pcre2_match_context_free(s->mc);
    pcre2_general_context_free(s->gctx);
    sl_free(s->fix);
    sl_free(s);
}

/* 1 when s[0..n) is well-formed UTF-8; ASCII eight bytes at a time. */
static int utf8_ok(const char *s, size_t n)
{
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            break;
    }
    for (; i < n && !((unsigned char)s[i] & 0x80); i++)
        ;
    return i == n || sl_utf8_valid(s + i, n - i);
}

static size_t seq_len(unsigned char c)
{
    return c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
}

/* The line with each byte that is not part of well-formed UTF-8 read as Latin-1. */
static const char *transcode(struct grok_scratch *s, const char *line, size_t *len)
{
    const unsigned char *p = (const unsigned char *)line;
    size_t n = *len, o = 0;

    if (s->fix_cap < 2 * n + 1) {
        s->fix_cap = 2 * n + 1;
        sl_free(s->fix);
        s->fix = sl_calloc(1, s->fix_cap);      /* the JIT's SIMD scans read past the end */
    }
    for (size_t i = 0; i < n;) {
        size_t k = p[i] < 0x80 ? 1 : seq_len(p[i]);
        if (k > 1 && (i + k > n || !sl_utf8_valid(line + i, k)))
            k = 0;
        if (k) {
            memcpy(s->fix + o, line + i, k);
            o += k;
            i += k;
        } else {
            s->fix[o++] = (char)(0xc0 | (p[i] >> 6));
            s->fix[o++] = (char)(0x80 | (p[i] & 0x3f));
            i++;
        }
    }
    *len = o;
    return s->fix;
}

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

/* v as a JSON integer that fits int64: a view of v, or s->num. 0: not one. */
static const char *norm_int(struct grok_scratch *s, const char *v, size_t n, size_t *olen)
{
    size_t i = 0, d;
    int neg = 0;
    char *o;

    if (n && (v[0] == '+' || v[0] == '-'))
        neg = v[i++] == '-';
    if (i == n)
        return NULL;
    for (size_t k = i; k < n; k++)
        if (!digit(v[k]))
            return NULL;
    while (i + 1 < n && v[i] == '0')
        i++;
    d = n - i;
    if (d > 19 || (d == 19 && memcmp(v + i, neg ? "9223372036854775808" : "9223372036854775807",
                                     19) > 0))
        return NULL;
    if (d == 1 && v[i] == '0')
        neg = 0;                                    /* -0 is 0 */
    if (v[0] != '+' && (neg ? i == 1 : i == 0)) {
        *olen = n;
        return v;                                   /* already canonical */
    }
    o = s->num;
    if (neg)
        *o++ = '-';
    memcpy(o, v + i, d);
    *olen = (size_t)(o - s->num) + d;
    return s->num;
}

/* Past DBL_MAX (1.7976931348623157e308), i.e. not finite once parsed? The
 * significant digits are v[ib..ie) then v[fb..fe); mag is the power of ten
 * of the first. */
static int too_big(const char *v, size_t ib, size_t ie, size_t fb, size_t fe, long mag)
{
    static const char max[] = "17976931348623157";
    size_t k = 0;

    if (mag != 308)
        return mag > 308;
    for (size_t i = ib; i < ie && k < 17; i++, k++)
        if (v[i] != max[k])
            return v[i] > max[k];
    for (size_t i = fb; i < fe && k < 17; i++, k++)
        if (v[i] != max[k])
            return v[i] > max[k];
    return 0;
}

/* v as a finite JSON number: [+-]digits[.digits][e[+-]digits], either side
 * of the point may be empty (not both). 0: not one. */
static const char *norm_float(struct grok_scratch *s, const char *v, size_t n, size_t *olen)
{
    size_t i = 0, ib, ie, fb, fe, eb = n, lead = 0;
    long exp = 0;
    int neg = 0, nonzero = 0;
    char *o = s->num;

    if (n > GROK_NUM_MAX)
        return NULL;
    if (n && (v[0] == '+' || v[0] == '-'))
        neg = v[i++] == '-';
    ib = i;
    while (i < n && digit(v[i]))
        i++;
    ie = i;
    fb = fe = i;
    if (i < n && v[i] == '.') {
        fb = ++i;
        while (i < n && digit(v[i]))
            i++;
        fe = i;
    }
    if (ie == ib && fe == fb)
        return NULL;
    if (i < n && (v[i] == 'e' || v[i] == 'E')) {
        size_t j = i + 1;
        int eneg = 0;
        if (j < n && (v[j] == '+' || v[j] == '-'))
            eneg = v[j++] == '-';
        if (j == n)
            return NULL;
        eb = i;
        for (; j < n; j++) {
            if (!digit(v[j]))
                return NULL;
            if (exp < 100000)
                exp = exp * 10 + (v[j] - '0');
        }
        if (eneg)
            exp = -exp;
        i = n;
    }
    if (i != n)
        return NULL;
    while (ib < ie && v[ib] == '0')
        ib++;
    nonzero = ib < ie;
    if (!nonzero) {
        for (size_t k = fb; k < fe && v[k] == '0'; k++)
            lead++;
        nonzero = lead < fe - fb;
    }
    if (nonzero && too_big(v, ib, ie, fb + lead, fe,
                           nonzero && ib < ie ? (long)(ie - ib) - 1 + exp : exp - (long)lead - 1))
        return NULL;
    if (neg && nonzero)
        *o++ = '-';
    if (ib == ie)
        *o++ = '0';
    memcpy(o, v + ib, ie - ib);
    o += ie - ib;
    if (fe > fb) {
        *o++ = '.';
        memcpy(o, v + fb, fe - fb);
        o += fe - fb;
    }
    if (eb < n) {
        memcpy(o, v + eb, n - eb);
        o += n - eb;
    }
    *olen = (size_t)(o - s->num);
    if (*olen == n && memcmp(s->num, v, n) == 0)
        return v;
    return s->num;
}

static enum grok_result classify(int rc)
{
    switch (rc) {
    case PCRE2_ERROR_NOMATCH:
        return GROK_NOMATCH;
    case PCRE2_ERROR_MATCHLIMIT:
    case PCRE2_ERROR_DEPTHLIMIT:
    case PCRE2_ERROR_HEAPLIMIT:
    case PCRE2_ERROR_JIT_STACKLIMIT:
        return GROK_LIMIT;
    default:
        return rc >= 0 ? GROK_MATCH : GROK_ERROR;
    }
}

static void ensure_pairs(struct grok_scratch *s, uint32_t pairs)
{
    if (s->pairs >= pairs)
        return;
    pcre2_match_data_free(s->md);
    s->pairs = pairs;
    s->md = pcre2_match_data_create(s->pairs, s->gctx);
}

static int run(const struct grok *g, struct grok_scratch *s, const char *line, size_t len,
               int jit)
{
    pcre2_set_match_limit(s->mc, g->o.match_limit);
    pcre2_set_depth_limit(s->mc, g->o.depth_limit);
    pcre2_set_heap_limit(s->mc, g->o.heap_limit_kib);
    if (jit)
        return pcre2_jit_match(g->code, (PCRE2_SPTR)line, len, 0, PCRE2_NO_UTF_CHECK, s->md,
                               s->mc);
    return pcre2_match(g->code, (PCRE2_SPTR)line, len, 0, PCRE2_NO_UTF_CHECK, s->md, s->mc);
}

void grok_scratch_line(struct grok_scratch *s, const char *line, size_t len)
{
    s->ln = line;
    s->ln_len = len;
    s->ln_known = line != NULL;
    s->ln_nl = s->ln_u8 = -1;       /* worked out when first needed */
}

static int line_known(const struct grok_scratch *s, const char *line, size_t len)
{
    return s->ln_known && s->ln == line && s->ln_len == len;
}

static int has_nl(struct grok_scratch *s, const char *line, size_t len)
{
    if (!line_known(s, line, len))
        return memchr(line, '\n', len) != NULL;
    if (s->ln_nl < 0)
        s->ln_nl = memchr(line, '\n', len) != NULL;
    return s->ln_nl;
}

static int is_utf8(struct grok_scratch *s, const char *line, size_t len)
{
    if (!line_known(s, line, len))
        return utf8_ok(line, len);
    if (s->ln_u8 < 0)
        s->ln_u8 = utf8_ok(line, len);
    return s->ln_u8;
}

/* 1 when g's JIT code can run; compiles it on the first call. */
static int jit_ready(const struct grok *g)
{
    int st = atomic_load_explicit(&g->js->state, memory_order_acquire);

    if (st != JIT_PENDING)
        return st == JIT_READY;
    pthread_mutex_lock(&g->js->mu);
    st = atomic_load_explicit(&g->js->state, memory_order_relaxed);
    if (st == JIT_PENDING) {
        st = pcre2_jit_compile(g->code, PCRE2_JIT_COMPLETE) == 0 ? JIT_READY : JIT_NONE;
        atomic_store_explicit(&g->js->state, st, memory_order_release);
    }
    pthread_mutex_unlock(&g->js->mu);
    return st == JIT_READY;
}

enum grok_result grok_match(const struct grok *g, struct grok_scratch *s, const char *line,
                            size_t len, fld_emit_fn emit, void *arg)
{
    const PCRE2_SIZE *ov;
    enum grok_result res;
    int rc;

    if (!line)
        line = "";
    if (g->lit_len && (len < g->lit_len || line[0] != g->lit[0] ||
                       memcmp(line, g->lit, g->lit_len) != 0)) {
        if (!has_nl(s, line, len))
            return GROK_NOMATCH;
    }
    /* ASCII, so the transcoded line (bad bytes read as Latin-1) has it
     * exactly where the line has it. */
    if (g->req_len && !grok_req_find(line, len, g->req, g->req_len))
        return GROK_NOMATCH;
    if (!is_utf8(s, line, len))
        line = transcode(s, line, &len);
    ensure_pairs(s, g->ngroups + 1);
    rc = run(g, s, line, len, s->js && jit_ready(g));
    res = classify(rc);
    if (res != GROK_MATCH || !emit)
        return res;
    ov = pcre2_get_ovector_pointer(s->md);
    for (size_t k = 0; k < g->nslot; k++) {
        const struct gslot *sl = &g->slot[k];
        for (uint32_t j = 0; j < sl->count; j++) {
            const struct ggrp *gr = &g->grp[sl->first + j];
            PCRE2_SIZE a, b;
            const char *v, *t;
            size_t n, tn;
            enum fld_type type = FLD_STRING;
            if (gr->num >= (uint32_t)rc)
                continue;                           /* past the last group set */
            a = ov[2 * gr->num];
            b = ov[2 * gr->num + 1];
            if (a == PCRE2_UNSET || (a == b && !g->o.keep_empty))
                continue;
            v = line + a;
            n = b - a;
            t = NULL;
            if (gr->type == FLD_INT)
                t = n <= GROK_NUM_MAX ? norm_int(s, v, n, &tn) : NULL;
            else if (gr->type == FLD_FLOAT)
                t = norm_float(s, v, n, &tn);
            if (t) {
                type = gr->type;
                v = t;
                n = tn;
            }
            if (emit(arg, sl->name, type, v, n))
                return GROK_LIMIT;
            break;
        }
    }
    return GROK_MATCH;
}

const char *grok_expr(const struct grok *g)
{
    return g->expr;
}

const char *grok_lead(const struct grok *g, size_t *len)
{
    *len = g->lit_len;
    return g->lit;
}

int grok_first_bytes(const struct grok *g, uint64_t bits[2])
{
    bits[0] = g->first[0];
    bits[1] = g->first[1];
    return g->has_first;
}

const char *grok_expanded(const struct grok *g, size_t *len)
{
    if (len)
        *len = g->xp->len;
    return g->xp->regex;
}

int grok_jit(const struct grok *g)
{
    return jit_ready(g);
}

size_t grok_field_count(const struct grok *g)
{
    return g->nslot;
}

const struct fld_name *grok_field(const struct grok *g, size_t i, enum fld_type *type)
{
    if (i >= g->nslot)
        return NULL;
    if (type)
        *type = g->slot[i].type;
    return g->slot[i].name;
}

/* Does the expression cut after its k-th piece match the line? */
static int prefix_matches(const struct grok *g, struct grok_scratch *s, size_t k,
                          const char *line, size_t len, size_t *start, size_t *end)
{
    size_t plen = k ? g->xp->piece_end[k - 1] : 0;
    PCRE2_SIZE eoff;
    pcre2_code *code;
    int ecode, rc;

    code = compile_regex(g->xp->regex, plen, &ecode, &eoff);
    if (!code)
        return 0;
    pcre2_set_match_limit(s->mc, g->o.match_limit);
    pcre2_set_depth_limit(s->mc, g->o.depth_limit);
    pcre2_set_heap_limit(s->mc, g->o.heap_limit_kib);
    rc = pcre2_match(code, (PCRE2_SPTR)line, len, 0, PCRE2_NO_UTF_CHECK, s->md, s->mc);
    if (rc >= 0) {
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        *start = ov[0];
        *end = ov[1];
    }
    pcre2_code_free(code);
    return rc >= 0;
}

void grok_explain_miss(const struct grok *g, const char *line, size_t len, struct grok_miss *m)
{
    struct grok_scratch *s = grok_scratch_new();
    const struct grok_xp *x = g->xp;
    size_t lo = 0, hi, a = 0, b = 0;

    memset(m, 0, sizeof *m);
    if (!line)
        line = "";
    if (!utf8_ok(line, len))
        line = transcode(s, line, &len);
    ensure_pairs(s, g->ngroups + 1);
    m->pieces = x->npiece;
    if (x->npiece == 0)
        goto done;
    m->explained = 1;
    hi = x->npiece;
    /* lo always matches (the empty prefix does); find the largest that does. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (prefix_matches(g, s, mid, line, len, &a, &b))
            lo = mid;
        else
            hi = mid - 1;
    }
    m->matched = lo;
    if (lo && prefix_matches(g, s, lo, line, len, &a, &b)) {
        m->start = a;
        m->end = b;
    }
    m->next_off = lo ? x->piece_src[lo - 1] : 0;
    m->next_len = lo < x->npiece ? x->piece_src[lo] - m->next_off : 0;
done:
    grok_scratch_free(s);
}
