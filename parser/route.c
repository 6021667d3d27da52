/* parser/route.c: the route table and dispatch.
 *
 * Design: routes are kept in the order added. Sealing groups them by
 * program (first appearance, then add order) into one array and builds an
 * open-addressing table (XXH3 of the program name, linear probing, at most
 * half full) from each program to its run of routes; the "*" routes are a
 * run of their own outside the table. A line costs one probe plus its
 * program's few routes and their grammars: other programs' routes and
 * grammars are never looked at.
 *
 * Threads: see route.h. Built and sealed on one thread; after that, only
 * the counters change (relaxed atomics, padded like grammar.c's so the
 * cache lines that hold them hold nothing else). */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/hash.h"
#include "common/mem.h"
#include "parser/route.h"

#define ROUTE_SEED      0x736c7569636544ull     /* fixed: keys come from the config */
#define ROUTE_HOST_MAX  255u                    /* RFC 1035 name length */

static const char *const facility_names[24] = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
    "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

enum { RC_MATCH, RC_NOMATCH, RC_LIMIT };

struct route_counters {
    char                 pad0[64];
    atomic_uint_fast64_t n[3];              /* RC_* */
    char                 pad1[64];
};

struct route {
    char      *name;                        /* canonical key */
    char      *tag;
    char      *program;                     /* NULL: "*" */
    size_t     program_len;
    char      *host;                        /* NULL: any; lower case */
    size_t     host_len;
    int        facility;                    /* -1: any */
    size_t     n;
    uint32_t  *gi;                          /* grammar indices, in order */
    const struct grammar **gp;              /* the same grammars */
    struct route_counters *cnt;
};

struct route_slot {
    uint64_t    h;
    const char *program;                    /* NULL: empty slot */
    size_t      program_len;
    uint32_t    first, count;               /* a run of t->order */
};

struct route_table {
    struct grammar   **g;
    size_t             ng, g_cap;
    struct route      *r;
    size_t             nr, r_cap;
    int                sealed;
    uint32_t          *order;               /* route indices grouped by program */
    struct route_slot *slot;
    size_t             mask;                /* slots - 1 */
    uint32_t           star_first, star_count;
};

struct route_scratch {
    const struct route_table *t;
    void                     *s[];          /* one per grammar */
};

struct route_table *route_table_new(void)
{
    return sl_calloc(1, sizeof(struct route_table));
}

static void route_clear(struct route *r)
{
    sl_free(r->name);
    sl_free(r->tag);
    sl_free(r->program);
    sl_free(r->host);
    sl_free(r->gi);
    sl_free(r->gp);
    sl_free(r->cnt);
    memset(r, 0, sizeof *r);
}

void route_table_free(struct route_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ng; i++)
        grammar_free(t->g[i]);
    for (size_t i = 0; i < t->nr; i++)
        route_clear(&t->r[i]);
    sl_free(t->g);
    sl_free(t->r);
    sl_free(t->order);
    sl_free(t->slot);
    sl_free(t);
}

static long grammar_index(const struct route_table *t, const char *name)
{
    for (size_t i = 0; i < t->ng; i++)
        if (!strcmp(grammar_name(t->g[i]), name))
            return (long)i;
    return -1;
}

int route_table_add_grammar(struct route_table *t, struct grammar *g, struct sl_err *err)
{
    if (!g)
        return sl_err_set(err, SL_EINVAL, "grammars", "no grammar to add");
    if (t->sealed) {
        grammar_free(g);
        return sl_err_set(err, SL_EINVAL, "grammars", "the route table is sealed");
    }
    if (grammar_index(t, grammar_name(g)) >= 0) {
        int rc = sl_err_set(err, SL_ECONFIG, "grammars", "grammar \"%s\" defined twice",
                            grammar_name(g));

        grammar_free(g);
        return rc;
    }
    if (t->ng == t->g_cap) {
        t->g_cap = t->g_cap ? t->g_cap * 2 : 16;
        t->g = sl_realloc(t->g, t->g_cap * sizeof *t->g);
    }
    t->g[t->ng++] = g;
    return 0;
}

static int facility_parse(const char *s, size_t n)
{
    int v = 0;

    for (int i = 0; i < 24; i++)
        if (strlen(facility_names[i]) == n && !strncasecmp(facility_names[i], s, n))
            return i;
    if (!n || n > 2)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v < 24 ? v : -1;
}

/* Parses key into r's program, host and facility. */
static int key_parse(const char *key, struct route *r, struct sl_err *err)
{
    const char *at = strchr(key, '@');
    size_t plen = at ? (size_t)(at - key) : strlen(key);

    r->facility = -1;
    if (!plen)
        return sl_err_set(err, SL_ECONFIG, key, "route key has no program name (\"*\" for any)");
    for (size_t i = 0; i < plen; i++)
        if ((unsigned char)key[i] <= ' ' || key[i] == 0x7f)
            return sl_err_set(err, SL_ECONFIG, key, "space or control byte in the program name");
    if (!(plen == 1 && key[0] == '*')) {
        r->program = sl_strndup(key, plen);
        r->program_len = plen;
    }
    if (!at)
        return 0;
    for (const char *p = at + 1;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);

        if (n > 5 && !strncmp(p, "host=", 5)) {
            if (r->host)
                return sl_err_set(err, SL_ECONFIG, key, "host given twice");
            if (n - 5 > ROUTE_HOST_MAX)
                return sl_err_set(err, SL_ECONFIG, key, "host name longer than %u bytes", ROUTE_HOST_MAX);
            r->host = sl_strndup(p + 5, n - 5);
            r->host_len = n - 5;
            for (size_t i = 0; i < r->host_len; i++) {
                if ((unsigned char)r->host[i] <= ' ' || r->host[i] == 0x7f)
                    return sl_err_set(err, SL_ECONFIG, key, "space or control byte in the host name");
                if (r->host[i] >= 'A' && r->host[i] <= 'Z')
                    r->host[i] = (char)(r->host[i] - 'A' + 'a');
            }
        } else if (n > 9 && !strncmp(p, "facility=", 9)) {
            if (r->facility >= 0)
                return sl_err_set(err, SL_ECONFIG, key, "facility given twice");
            r->facility = facility_parse(p + 9, n - 9);
            if (r->facility < 0)
                return sl_err_set(err, SL_ECONFIG, key,
                                  "unknown facility \"%.*s\" (kern, user, ... local7, or 0..23)",
                                  (int)(n - 9), p + 9);
        } else {
            return sl_err_set(err, SL_ECONFIG, key,
                              "route condition \"%.*s\": expected host=NAME or facility=NAME",
                              (int)n, p);
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* The canonical key and the no-match tag, once the parts are known. */
static void route_names(struct route *r)
{
    const char *prog = r->program ? r->program : "*";
    size_t cap = strlen(prog) + r->host_len + 64;
    size_t n;

    r->name = sl_malloc(cap);
    n = (size_t)snprintf(r->name, cap, "%s", prog);
    if (r->host || r->facility >= 0)
        n += (size_t)snprintf(r->name + n, cap - n, "@");
    if (r->host)
        n += (size_t)snprintf(r->name + n, cap - n, "host=%s", r->host);
    if (r->facility >= 0)
        snprintf(r->name + n, cap - n, "%sfacility=%s", r->host ? "," : "",
                 facility_names[r->facility]);
    cap = sizeof ROUTE_TAG_NOMATCH + strlen(r->name) + 8;
    r->tag = sl_malloc(cap);
    snprintf(r->tag, cap, "%s%s%s", ROUTE_TAG_NOMATCH, r->program ? "" : "default",
             r->name + (r->program ? 0 : 1));
}

static int same_program(const struct route *a, const struct route *b)
{
    if (!a->program || !b->program)
        return !a->program && !b->program;
    return a->program_len == b->program_len && !memcmp(a->program, b->program, a->program_len);
}

/* a takes every line b could: each of a's conditions is one of b's. */
static int shadows(const struct route *a, const struct route *b)
{
    if (a->host && (!b->host || strcmp(a->host, b->host)))
        return 0;
    return a->facility < 0 || a->facility == b->facility;
}

int route_add(struct route_table *t, const char *key, const char *const *grammars, size_t n,
              struct sl_err *err)
{
    struct route r;
    int rc;

    memset(&r, 0, sizeof r);
    if (t->sealed)
        return sl_err_set(err, SL_EINVAL, key, "the route table is sealed");
    rc = key_parse(key, &r, err);
    if (rc)
        goto fail;
    if (!n) {
        rc = sl_err_set(err, SL_ECONFIG, key, "route lists no grammar");
        goto fail;
    }
    route_names(&r);
    for (size_t i = 0; i < t->nr; i++) {
        if (!same_program(&t->r[i], &r) || !shadows(&t->r[i], &r))
            continue;
        if (!strcmp(t->r[i].name, r.name))
            rc = sl_err_set(err, SL_ECONFIG, key, "route \"%s\" defined twice", r.name);
        else
            rc = sl_err_set(err, SL_ECONFIG, key,
                            "route \"%s\" would never be used: \"%s\", before it, takes all its lines",
                            r.name, t->r[i].name);
        goto fail;
    }
    r.n = n;
    r.gi = sl_malloc(n * sizeof *r.gi);
    r.gp = sl_malloc(n * sizeof *r.gp);
    for (size_t i = 0; i < n; i++) {
        long gi = grammars[i] ? grammar_index(t, grammars[i]) : -1;

        if (gi < 0) {
            rc = sl_err_set(err, SL_ECONFIG, key, "unknown grammar \"%s\"",
                            grammars[i] ? grammars[i] : "(null)");
            goto fail;
        }
        r.gi[i] = (uint32_t)gi;
        r.gp[i] = t->g[gi];
    }
    r.cnt = sl_malloc(sizeof *r.cnt);
    for (size_t i = 0; i < 3; i++)
        atomic_init(&r.cnt->n[i], 0);
    if (t->nr == t->r_cap) {
        t->r_cap = t->r_cap ? t->r_cap * 2 : 16;
        t->r = sl_realloc(t->r, t->r_cap * sizeof *t->r);
    }
    t->r[t->nr++] = r;
    return 0;
fail:
    route_clear(&r);
    return rc;
}

static struct route_slot *slot_find(const struct route_table *t, const char *p, size_t n, uint64_t h)
{
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        struct route_slot *s = &t->slot[i];

        if (!s->program)
            return s;
        if (s->h == h && s->program_len == n && !memcmp(s->program, p, n))
            return s;
    }
}

static struct route_slot *slot_of(const struct route_table *t, const struct route *r)
{
    return slot_find(t, r->program, r->program_len, sl_hash64(r->program, r->program_len, ROUTE_SEED));
}

int route_table_seal(struct route_table *t, struct sl_err *err)
{
    size_t cap = 8, next = 0;
    uint32_t *fill;

    if (t->sealed)
        return 0;
    if (t->nr > UINT32_MAX / 4)
        return sl_err_set(err, SL_ETOOBIG, "grammars", "too many routes");
    while (cap < 2 * t->nr)
        cap *= 2;
    t->slot = sl_calloc(cap, sizeof *t->slot);
    t->mask = cap - 1;
    t->order = sl_malloc((t->nr ? t->nr : 1) * sizeof *t->order);
    /* count each program's routes... */
    for (size_t i = 0; i < t->nr; i++) {
        struct route *r = &t->r[i];
        struct route_slot *s;

        if (!r->program)
            continue;
        s = slot_of(t, r);
        if (!s->program) {
            s->h = sl_hash64(r->program, r->program_len, ROUTE_SEED);
            s->program = r->program;
            s->program_len = r->program_len;
        }
        s->count++;
    }
    /* ...then lay the runs out in order of first appearance */
    fill = sl_calloc(cap, sizeof *fill);
    for (size_t i = 0; i < t->nr; i++) {
        struct route *r = &t->r[i];
        struct route_slot *s;
        size_t si;

        if (!r->program)
            continue;
        s = slot_of(t, r);
        si = (size_t)(s - t->slot);
        if (!fill[si]) {
            s->first = (uint32_t)next;
            next += s->count;
        }
        t->order[s->first + fill[si]++] = (uint32_t)i;
    }
    sl_free(fill);
    t->star_first = (uint32_t)next;
    for (size_t i = 0; i < t->nr; i++)
        if (!t->r[i].program)
            t->order[next++] = (uint32_t)i;
    t->star_count = (uint32_t)(next - t->star_first);
    t->sealed = 1;
    return 0;
}

struct route_scratch *route_scratch_new(const struct route_table *t)
{
    struct route_scratch *s;

    if (!t->sealed)
        return NULL;
    s = sl_calloc(1, sizeof *s + (t->ng ? t->ng : 1) * sizeof s->s[0]);
    s->t = t;
    for (size_t i = 0; i < t->ng; i++)
        s->s[i] = grammar_scratch_new(t->g[i]);
    return s;
}

void route_scratch_free(struct route_scratch *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->t->ng; i++)
        grammar_scratch_free(s->t->g[i], s->s[i]);
    sl_free(s);
}

static int host_eq(const struct route *r, const struct route_line *l)
{
    if (!l->host || l->host_len != r->host_len)
        return 0;
    for (size_t i = 0; i < r->host_len; i++) {
        char c = l->host[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != r->host[i])
            return 0;
    }
    return 1;
}

/* The first route of the run [first, first + count) whose conditions hold. */
static const struct route *pick(const struct route_table *t, uint32_t first, uint32_t count,
                                const struct route_line *l)
{
    for (uint32_t i = first; i < first + count; i++) {
        const struct route *r = &t->r[t->order[i]];

        if (r->host && !host_eq(r, l))
            continue;
        if (r->facility >= 0 && r->facility != l->facility)
            continue;
        return r;
    }
    return NULL;
}

void route_match(const struct route_table *t, struct route_scratch *s, const struct route_line *l,
                 const char *msg, size_t len, fld_emit_fn emit, void *arg, struct route_result *out)
{
    const struct route *r = NULL;

    memset(out, 0, sizeof *out);
    out->status = ROUTE_NONE;
    if (!t->sealed || !s || s->t != t)
        return;
    if (l->program && l->program_len && t->nr) {
        uint64_t h = sl_hash64(l->program, l->program_len, ROUTE_SEED);
        const struct route_slot *sl = slot_find(t, l->program, l->program_len, h);

        if (sl->program)
            r = pick(t, sl->first, sl->count, l);
    }
    if (!r)
        r = pick(t, t->star_first, t->star_count, l);
    if (!r)
        return;
    out->route = r->name;
    for (size_t i = 0; i < r->n; i++) {
        enum grammar_result gr = grammar_match(r->gp[i], s->s[r->gi[i]], msg, len, emit, arg);

        if (gr == GRAMMAR_MATCH) {
            out->status = ROUTE_MATCH;
            out->grammar = grammar_name(r->gp[i]);
            atomic_fetch_add_explicit(&r->cnt->n[RC_MATCH], 1, memory_order_relaxed);
            return;
        }
        if (gr == GRAMMAR_LIMIT) {
            out->status = ROUTE_LIMIT;
            out->grammar = grammar_name(r->gp[i]);
            out->tag = ROUTE_TAG_LIMIT;
            atomic_fetch_add_explicit(&r->cnt->n[RC_LIMIT], 1, memory_order_relaxed);
            return;
        }
    }
    out->status = ROUTE_NOMATCH;
    out->tag = r->tag;
    atomic_fetch_add_explicit(&r->cnt->n[RC_NOMATCH], 1, memory_order_relaxed);
}

size_t route_table_ngrammars(const struct route_table *t)
{
    return t->ng;
}

const struct grammar *route_table_grammar(const struct route_table *t, size_t i)
{
    return i < t->ng ? t->g[i] : NULL;
}

size_t route_table_nroutes(const struct route_table *t)
{
    return t->nr;
}

void route_stats_get(const struct route_table *t, size_t i, struct route_stats *out)
{
    const struct route *r = &t->r[i];

    out->name = r->name;
    out->tag = r->tag;
    out->ngrammars = r->n;
    out->grammars = r->gp;
    out->matches = atomic_load_explicit(&r->cnt->n[RC_MATCH], memory_order_relaxed);
    out->nomatch = atomic_load_explicit(&r->cnt->n[RC_NOMATCH], memory_order_relaxed);
    out->limits = atomic_load_explicit(&r->cnt->n[RC_LIMIT], memory_order_relaxed);
}
