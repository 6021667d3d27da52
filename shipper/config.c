/* shipper/config.c: YAML → struct sl_config, every problem collected.
 *
 * Design: libyaml's event API builds a small tree of our own (scalars,
 * lists, mappings, each with its line and column), then the schema rows walk
 * it. Building the tree first lets a sink's `type:` be read before its other
 * keys wherever it is written, and lets duplicate keys be caught (libyaml does
 * not). The tree is bounded while it is built: the input is at most
 * SL_CONFIG_FILE_LIMIT bytes, nesting at most SL_CONFIG_DEPTH_LIMIT, a list or
 * mapping at most SL_CONFIG_LIST_LIMIT items. Aliases (*name) are refused:
 * they are rare in a config and would let a small file expand into a large
 * tree. Only one YAML document is read.
 *
 * A YAML syntax error stops the load (libyaml cannot resume); any other
 * problem is recorded and the walk goes on, so one run reports them all. A
 * rejected value leaves the field at its default, and a config with errors is
 * freed, never returned. Problems are sorted by position before they are
 * handed over, so they read in file order.
 *
 * Values from the text are quoted in messages except in SECRET fields and
 * under unknown keys (a misspelled `pasword:` still holds a password). A
 * plain null (empty, ~, null) counts as "nothing": an empty list or mapping
 * for list and mapping keys, an error for a scalar key.
 *
 * Threads: runs on the thread that loads the config, before anything else
 * starts (or on reload, building a new config that is swapped in whole);
 * nothing here is shared. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "buffer/spool.h"
#include "common/bounds.h"
#include "common/mem.h"
#include "common/cidr.h"
#include "parser/builtin.h"
#include "parser/grok.h"
#include "parser/hostmap.h"
#include "parser/lognorm.h"
#include "parser/norm.h"
#include "parser/route.h"
#include "parser/tz.h"
#include "shipper/config.h"
#include "shipper/enrich.h"
#include "shipper/secret.h"
#include "sinks/sink.h"

enum { YN_SCALAR, YN_SEQ, YN_MAP };

struct ynode {
    int kind;
    int null;                   /* a plain empty, ~ or null scalar */
    unsigned long line, col;    /* from 1 */
    char *text;                 /* scalar */
    struct ynode **kid;         /* list items; mapping: key, value, key, value... */
    size_t n, cap;
};

struct prob {
    unsigned long line, col;
    size_t seq;
    int warn;
    char *text;
};

struct ctx {
    const char *file;
    struct prob *v;
    size_t n, cap;
    size_t nerr;
};

#define PATH_MAX_LEN 512

/* ---- problems ---- */

static void add_problem(struct ctx *c, int warn, const struct ynode *at, const char *key,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_problem_at(struct ctx *c, int warn, unsigned long line, unsigned long col,
                           const char *key, const char *msg)
{
    char text[2048];
    struct prob *p;

    if (line && key && *key)
        snprintf(text, sizeof text, "%s:%lu:%lu: key '%s': %s", c->file, line, col, key, msg);
    else if (line)
        snprintf(text, sizeof text, "%s:%lu:%lu: %s", c->file, line, col, msg);
    else
        snprintf(text, sizeof text, "%s: %s", c->file, msg);
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = sl_realloc(c->v, c->cap * sizeof *c->v);
    }
    p = &c->v[c->n];
    p->line = line;
    p->col = col;
    p->seq = c->n;
    p->warn = warn;
    p->text = sl_strdup(text);
    c->n++;
    if (!warn)
        c->nerr++;
}

static void add_problem(struct ctx *c, int warn, const struct ynode *at, const char *key,
                        const char *fmt, ...)
{
    char msg[1536];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    add_problem_at(c, warn, at ? at->line : 0, at ? at->col : 0, key, msg);
}

#define ERR(c, at, key, ...)  add_problem((c), 0, (at), (key), __VA_ARGS__)
#define WARN(c, at, key, ...) add_problem((c), 1, (at), (key), __VA_ARGS__)

static int prob_cmp(const void *a, const void *b)
{
    const struct prob *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void list_push(struct sl_strlist *l, size_t *dropped, char *s)
{
    if (l->n >= SL_CONFIG_LIST_LIMIT) {
        (*dropped)++;
        sl_free(s);
        return;
    }
    l->v = sl_realloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = s;
}

/* Hands the problems to pr in file order; c is empty after. */
static void flush_problems(struct ctx *c, struct cfg_problems *pr)
{
    if (c->n)
        qsort(c->v, c->n, sizeof *c->v, prob_cmp);
    for (size_t i = 0; i < c->n; i++) {
        if (!pr)
            sl_free(c->v[i].text);
        else if (c->v[i].warn)
            list_push(&pr->warnings, &pr->dropped_warnings, c->v[i].text);
        else
            list_push(&pr->errors, &pr->dropped_errors, c->v[i].text);
    }
    sl_free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

void cfg_problems_free(struct cfg_problems *pr)
{
    if (!pr)
        return;
    for (size_t i = 0; i < pr->errors.n; i++)
        sl_free(pr->errors.v[i]);
    for (size_t i = 0; i < pr->warnings.n; i++)
        sl_free(pr->warnings.v[i]);
    sl_free(pr->errors.v);
    sl_free(pr->warnings.v);
    memset(pr, 0, sizeof *pr);
}

/* ---- the tree ---- */

static void ynode_free(struct ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        ynode_free(n->kid[i]);
    sl_free(n->kid);
    if (n->text)
        explicit_bzero(n->text, strlen(n->text));   /* it may be a literal secret */
    sl_free(n->text);
    sl_free(n);
}

static struct ynode *ynode_new(int kind, const yaml_mark_t *m)
{
    struct ynode *n = sl_calloc(1, sizeof *n);

    n->kind = kind;
    n->line = (unsigned long)m->line + 1;
    n->col = (unsigned long)m->column + 1;
    return n;
}

static int is_null_text(const char *s)
{
    return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

static void yaml_problem(struct ctx *c, const yaml_parser_t *p, const char *yaml, size_t len)
{
    unsigned long line = 1, col = 1;
    int tab;

    if (p->error == YAML_MEMORY_ERROR) {
        ERR(c, NULL, NULL, "yaml: out of memory");
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        char msg[256];

        /* the reader reports a byte offset, not a mark */
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            if (yaml[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)yaml[i] & 0xc0) != 0x80) {
                col++;
            }
        }
        if (p->problem_value != -1)
            snprintf(msg, sizeof msg, "yaml: %s (byte 0x%02x)",
                     p->problem ? p->problem : "cannot read", (unsigned)p->problem_value);
        else
            snprintf(msg, sizeof msg, "yaml: %s", p->problem ? p->problem : "cannot read");
        add_problem_at(c, 0, line, col, NULL, msg);
        return;
    }
    line = (unsigned long)p->problem_mark.line + 1;
    col = (unsigned long)p->problem_mark.column + 1;
    /* libyaml's words for a tab are "cannot start any token"; say it plainly */
    tab = p->problem_mark.index < len && yaml[p->problem_mark.index] == '\t';
    if (p->context)
        add_problem(c, 0, &(struct ynode){ .line = line, .col = col }, NULL,
                    "yaml: %s (%s at line %lu col %lu)%s",
                    p->problem ? p->problem : "syntax error", p->context,
                    (unsigned long)p->context_mark.line + 1,
                    (unsigned long)p->context_mark.column + 1,
                    tab ? "; a tab: YAML indents with spaces" : "");
    else
        add_problem(c, 0, &(struct ynode){ .line = line, .col = col }, NULL, "yaml: %s%s",
                    p->problem ? p->problem : "syntax error",
                    tab ? "; a tab: YAML indents with spaces" : "");
}

/* Appends n under the open collection (or makes it the root); 0, or -1 with
 * the problem recorded when the collection is full. n is freed on failure. */
static int attach(struct ctx *c, struct ynode **stack, size_t depth, struct ynode **root,
                  struct ynode *n)
{
    struct ynode *parent;
    size_t limit;

    if (depth == 0) {
        *root = n;
        return 0;
    }
    parent = stack[depth - 1];
    limit = parent->kind == YN_MAP ? 2 * SL_CONFIG_LIST_LIMIT : SL_CONFIG_LIST_LIMIT;
    if (parent->n >= limit) {
        ERR(c, n, NULL, "more than %u items in one %s", (unsigned)SL_CONFIG_LIST_LIMIT,
            parent->kind == YN_MAP ? "mapping" : "list");
        ynode_free(n);
        return -1;
    }
    if (parent->n == parent->cap) {
        parent->cap = parent->cap ? parent->cap * 2 : 8;
        parent->kid = sl_realloc(parent->kid, parent->cap * sizeof *parent->kid);
    }
    parent->kid[parent->n++] = n;
    return 0;
}

/* 0 and *root (NULL for an empty stream), or SL_ECONFIG with the problem. */
static int build(struct ctx *c, const char *yaml, size_t len, struct ynode **root)
{
    struct ynode *stack[SL_CONFIG_DEPTH_LIMIT];
    yaml_parser_t p;
    yaml_event_t ev;
    size_t depth = 0;
    int docs = 0, done = 0, rc = 0;

    *root = NULL;
    if (!yaml_parser_initialize(&p)) {
        ERR(c, NULL, NULL, "yaml: cannot initialize the parser");
        return SL_ECONFIG;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
    while (!done) {
        struct ynode *n = NULL, tmp;

        if (!yaml_parser_parse(&p, &ev)) {
            yaml_problem(c, &p, yaml, len);
            rc = SL_ECONFIG;
            break;
        }
        tmp.line = (unsigned long)ev.start_mark.line + 1;
        tmp.col = (unsigned long)ev.start_mark.column + 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                ERR(c, &tmp, NULL, "only one YAML document is allowed (a second starts here)");
                rc = SL_ECONFIG;
            }
            break;
        case YAML_ALIAS_EVENT:
            ERR(c, &tmp, NULL, "aliases (*%s) are not supported; write the value out",
                (const char *)ev.data.alias.anchor);
            rc = SL_ECONFIG;
            break;
        case YAML_SCALAR_EVENT:
            n = ynode_new(YN_SCALAR, &ev.start_mark);
            n->text = sl_strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
            n->null = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev.data.scalar.tag &&
                      is_null_text(n->text);
            if (strlen(n->text) != ev.data.scalar.length) {
                ERR(c, n, NULL, "a NUL character (\\0) is not allowed in a value");
                ynode_free(n);
                rc = SL_ECONFIG;
                break;
            }
            if (attach(c, stack, depth, root, n))
                rc = SL_ECONFIG;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth == SL_CONFIG_DEPTH_LIMIT) {
                ERR(c, &tmp, NULL, "nested deeper than %u levels", (unsigned)SL_CONFIG_DEPTH_LIMIT);
                rc = SL_ECONFIG;
                break;
            }
            n = ynode_new(ev.type == YAML_MAPPING_START_EVENT ? YN_MAP : YN_SEQ, &ev.start_mark);
            if (attach(c, stack, depth, root, n)) {
                rc = SL_ECONFIG;
                break;
            }
            stack[depth++] = n;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth)
                depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc)
            break;
    }
    yaml_parser_delete(&p);
    if (rc) {
        ynode_free(*root);
        *root = NULL;
    }
    return rc;
}

/* ---- walking the tree ---- */

static const char *kind_name(const struct ynode *n)
{
    if (n->kind == YN_SEQ)
        return "a list";
    if (n->kind == YN_MAP)
        return "a mapping";
    return n->null ? "nothing" : "a single value";
}

/* out (PATH_MAX_LEN bytes) = path.key, cut when too long. */
static void join(char *out, const char *path, const char *key)
{
    size_t used = 0;

    for (const char *s = path; *s && used < PATH_MAX_LEN - 1; s++)
        out[used++] = *s;
    if (*path && used < PATH_MAX_LEN - 1)
        out[used++] = '.';
    for (const char *s = key; *s && used < PATH_MAX_LEN - 1; s++)
        out[used++] = *s;
    out[used] = '\0';
}

/* The value under key in a mapping (the first, if written twice), or NULL. */
static const struct ynode *map_get(const struct ynode *map, const char *key,
                                   const struct ynode **keynode)
{
    for (size_t i = 0; map && map->kind == YN_MAP && i + 1 < map->n; i += 2) {
        const struct ynode *k = map->kid[i];

        if (k->kind == YN_SCALAR && strcmp(k->text, key) == 0) {
            if (keynode)
                *keynode = k;
            return map->kid[i + 1];
        }
    }
    return NULL;
}

/* Optimal string alignment distance, case-insensitive; large when either is long. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), d[65][65];

    if (la > 64 || lb > 64)
        return 1000;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t v = d[i - 1][j] + 1;

            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

struct suggest {
    const char *best;
    size_t dist;
    size_t limit;
    const char *word;
};

static void suggest_init(struct suggest *s, const char *word)
{
    size_t l = strlen(word);

    s->best = NULL;
    s->dist = (size_t)-1;
    s->word = word;
    s->limit = l <= 4 ? 1 : l <= 8 ? 2 : 3;
}

static void suggest_try(struct suggest *s, const char *cand)
{
    size_t d = distance(s->word, cand);

    if (d <= s->limit && d < s->dist) {
        s->best = cand;
        s->dist = d;
    }
}

static void unknown_key(struct ctx *c, const struct ynode *key, const char *path,
                        const struct sl_cfg_row *rows, const char *const *extra)
{
    char kp[PATH_MAX_LEN];
    struct suggest s;

    join(kp, path, key->text);
    suggest_init(&s, key->text);
    for (size_t i = 0; extra && extra[i]; i++)
        suggest_try(&s, extra[i]);
    for (const struct sl_cfg_row *r = rows; r && r->name; r++)
        suggest_try(&s, r->name);
    if (s.best)
        ERR(c, key, kp, "unknown key; did you mean '%s'?", s.best);
    else
        ERR(c, key, kp, "unknown key");
}

static const char *type_word(const struct sl_cfg_row *r)
{
    switch (r->type) {
    case SL_CFG_STR: return "a string";
    case SL_CFG_SECRET: return "a secret or ${env:NAME} / ${file:/path}";
    case SL_CFG_BOOL: return "true or false";
    case SL_CFG_UINT: return "a whole number";
    case SL_CFG_SIZE: return "a size like 64KiB";
    case SL_CFG_DURATION: return "a duration like 1s";
    case SL_CFG_ENUM: return "one of its names";
    case SL_CFG_STRLIST: return "a list like [a, b]";
    case SL_CFG_MAP: return "a mapping like {key: value}";
    case SL_CFG_SECTION: return "a mapping of its keys";
    }
    return "a value";
}

static void apply_mapping(struct ctx *c, const struct sl_cfg_row *rows, void *base,
                          const struct ynode *map, const char *path, const char *const *extra);

static void missing_required(struct ctx *c, const struct sl_cfg_row *rows,
                             const struct ynode *at, const char *path)
{
    char kp[PATH_MAX_LEN];

    for (const struct sl_cfg_row *r = rows; r->name; r++) {
        join(kp, path, r->name);
        if (r->type == SL_CFG_SECTION)
            missing_required(c, r->sub, at, kp);
        else if (r->required)
            ERR(c, at, kp, "missing required key");
    }
}

static void set_strlist(struct ctx *c, const struct sl_cfg_row *r, void *base,
                        const struct ynode *v, const char *kp)
{
    struct sl_strlist *l = (struct sl_strlist *)((char *)base + r->offset);
    char ip[PATH_MAX_LEN + 24];
    int bad = 0;

    if (v->kind != YN_SEQ && !v->null) {
        ERR(c, v, kp, "expected a list like [a, b], got %s%s", kind_name(v),
            v->kind == YN_SCALAR ? " (for one item write [item])" : "");
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *it = v->kid[i];

        if (it->kind != YN_SCALAR || it->null || !*it->text) {
            snprintf(ip, sizeof ip, "%s[%zu]", kp, i);
            ERR(c, it, ip, "expected a non-empty value, got %s", kind_name(it));
            bad = 1;
        }
    }
    if (bad)
        return;
    for (size_t i = 0; i < l->n; i++)
        sl_free(l->v[i]);
    sl_free(l->v);
    l->v = v->n ? sl_calloc(v->n, sizeof *l->v) : NULL;
    l->n = v->n;
    for (size_t i = 0; i < v->n; i++)
        l->v[i] = sl_strdup(v->kid[i]->text);
}

static void set_map(struct ctx *c, const struct sl_cfg_row *r, void *base,
                    const struct ynode *v, const char *kp)
{
    struct sl_kvlist *m = (struct sl_kvlist *)((char *)base + r->offset);
    char ip[PATH_MAX_LEN + 24];
    size_t pairs = v->n / 2;
    int bad = 0;

    if (v->kind != YN_MAP && !v->null) {
        ERR(c, v, kp, "expected a mapping like {key: value}, got %s", kind_name(v));
        return;
    }
    for (size_t i = 0; i < pairs; i++) {
        const struct ynode *k = v->kid[2 * i], *val = v->kid[2 * i + 1];

        if (k->kind != YN_SCALAR || k->null) {
            ERR(c, k, kp, "expected a name as the mapping key, got %s", kind_name(k));
            bad = 1;
            continue;
        }
        join(ip, kp, k->text);
        for (size_t j = 0; j < i; j++) {
            const struct ynode *o = v->kid[2 * j];

            if (o->kind == YN_SCALAR && strcmp(o->text, k->text) == 0) {
                ERR(c, k, ip, "duplicate key (first at line %lu col %lu)", o->line, o->col);
                bad = 1;
                break;
            }
        }
        if (val->kind != YN_SCALAR || val->null) {
            ERR(c, val, ip, "expected a value, got %s", kind_name(val));
            bad = 1;
        }
    }
    if (bad)
        return;
    for (size_t i = 0; i < m->n; i++) {
        sl_free(m->k[i]);
        sl_free(m->v[i]);
    }
    sl_free(m->k);
    sl_free(m->v);
    m->k = pairs ? sl_calloc(pairs, sizeof *m->k) : NULL;
    m->v = pairs ? sl_calloc(pairs, sizeof *m->v) : NULL;
    m->n = pairs;
    for (size_t i = 0; i < pairs; i++) {
        m->k[i] = sl_strdup(v->kid[2 * i]->text);
        m->v[i] = sl_strdup(v->kid[2 * i + 1]->text);
    }
}

static void set_secret(struct ctx *c, const struct sl_cfg_row *r, void *base,
                       const struct ynode *v, const char *kp)
{
    char warn[512], where[64];
    char *value = NULL;
    struct sl_err err;

    sl_err_clear(&err);
    if (v->kind != YN_SCALAR || v->null) {
        ERR(c, v, kp, "expected %s, got %s", type_word(r), kind_name(v));
        return;
    }
    snprintf(where, sizeof where, "%lu:%lu", v->line, v->col);
    if (secret_resolve(v->text, &value, warn, sizeof warn, &err)) {
        ERR(c, v, kp, "%s", err.msg);
        return;
    }
    if (warn[0])
        WARN(c, v, kp, "%s", warn);
    /* the message of a rejected secret never quotes the value (schema.c) */
    if (sl_cfg_set_scalar(r, base, value, where, &err))
        ERR(c, v, kp, "%s", err.msg);
    secret_free(value);
}

static void apply_value(struct ctx *c, const struct sl_cfg_row *r, void *base,
                        const struct ynode *v, const char *kp)
{
    char where[64];
    struct sl_err err;

    switch (r->type) {
    case SL_CFG_SECTION:
        if (v->kind == YN_MAP)
            apply_mapping(c, r->sub, base, v, kp, NULL);
        else if (v->null)
            missing_required(c, r->sub, v, kp);
        else
            ERR(c, v, kp, "expected a mapping of keys, got %s", kind_name(v));
        return;
    case SL_CFG_STRLIST:
        set_strlist(c, r, base, v, kp);
        return;
    case SL_CFG_MAP:
        set_map(c, r, base, v, kp);
        return;
    case SL_CFG_SECRET:
        set_secret(c, r, base, v, kp);
        return;
    default:
        break;
    }
    if (v->kind != YN_SCALAR) {
        ERR(c, v, kp, "expected %s, got %s", type_word(r), kind_name(v));
        return;
    }
    sl_err_clear(&err);
    snprintf(where, sizeof where, "%lu:%lu", v->line, v->col);
    if (sl_cfg_set_scalar(r, base, v->null ? "" : v->text, where, &err))
        ERR(c, v, kp, "%s", err.msg);
}

/* Applies rows to every key of map; names in extra are the caller's and are
 * only checked for duplicates. */
static void apply_mapping(struct ctx *c, const struct sl_cfg_row *rows, void *base,
                          const struct ynode *map, const char *path, const char *const *extra)
{
    char kp[PATH_MAX_LEN];
    size_t nrows = 0;
    unsigned char *seen;

    while (rows[nrows].name)
        nrows++;
    seen = sl_calloc(nrows + 1, 1);
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const struct ynode *k = map->kid[i], *v = map->kid[i + 1];
        const struct sl_cfg_row *r;
        int dup = 0, ours = 0;

        if (k->kind != YN_SCALAR || k->null) {
            ERR(c, k, path, "expected a key name, got %s", kind_name(k));
            continue;
        }
        join(kp, path, k->text);
        for (size_t j = 0; j < i && !dup; j += 2) {
            const struct ynode *o = map->kid[j];

            if (o->kind == YN_SCALAR && strcmp(o->text, k->text) == 0) {
                ERR(c, k, kp, "duplicate key (first at line %lu col %lu)", o->line, o->col);
                dup = 1;
            }
        }
        for (size_t j = 0; extra && extra[j]; j++)
            if (strcmp(extra[j], k->text) == 0)
                ours = 1;
        if (dup || ours)
            continue;
        r = sl_cfg_find(rows, k->text);
        if (!r) {
            unknown_key(c, k, path, rows, extra);
            continue;
        }
        seen[r - rows] = 1;
        apply_value(c, r, base, v, kp);
    }
    for (size_t i = 0; i < nrows; i++) {
        if (seen[i])
            continue;
        join(kp, path, rows[i].name);
        if (rows[i].type == SL_CFG_SECTION)
            missing_required(c, rows[i].sub, map, kp);
        else if (rows[i].required)
            ERR(c, map, kp, "missing required key");
    }
    sl_free(seen);
}

/* ---- inputs ---- */

static int valid_hostname(const char *h)
{
    size_t label = 0, total = strlen(h);

    if (total == 0 || total > 253)
        return 0;
    for (const char *s = h; *s; s++) {
        if (*s == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if (isalnum((unsigned char)*s) || *s == '-' || *s == '_') {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    return label > 0;
}

#define LISTEN_FORMS "expected udp://HOST:PORT or tcp://HOST:PORT (IPv6 as tcp://[::1]:5514)"

/* Fills proto, host and port from in->listen; 0, or -1 with msg set. */
static int parse_listen(struct cfg_input *in, char *msg, size_t mlen)
{
    const char *url = in->listen, *sep = strstr(url, "://"), *h, *he, *p;
    unsigned char addr[16];
    char host[256];
    unsigned long port = 0;
    size_t pl;

    if (!sep) {
        snprintf(msg, mlen, "bad listen URL: " LISTEN_FORMS);
        return -1;
    }
    if ((size_t)(sep - url) == 3 && strncmp(url, "udp", 3) == 0) {
        in->proto = CFG_UDP;
    } else if ((size_t)(sep - url) == 3 && strncmp(url, "tcp", 3) == 0) {
        in->proto = CFG_TCP;
    } else {
        int tls = (sep - url == 3 && strncmp(url, "tls", 3) == 0) ||
                  (sep - url == 4 && strncmp(url, "relp", 4) == 0);

        snprintf(msg, mlen, "bad listen URL: scheme '%.*s' is %s; " LISTEN_FORMS,
                 (int)(sep - url > 16 ? 16 : sep - url), url,
                 tls ? "not supported yet" : "unknown");
        return -1;
    }
    h = sep + 3;
    if (*h == '[') {
        he = strchr(h, ']');
        if (!he || (size_t)(he - h - 1) >= sizeof host) {
            snprintf(msg, mlen, "bad listen URL: '[' without ']'; " LISTEN_FORMS);
            return -1;
        }
        memcpy(host, h + 1, (size_t)(he - h - 1));
        host[he - h - 1] = '\0';
        if (inet_pton(AF_INET6, host, addr) != 1) {
            snprintf(msg, mlen, "bad listen URL: '%s' is not an IPv6 address", host);
            return -1;
        }
        p = he + 1;
    } else {
        he = strchr(h, ':');
        if (he && strchr(he + 1, ':')) {
            snprintf(msg, mlen, "bad listen URL: an IPv6 address goes in brackets, "
                     "like tcp://[::1]:5514");
            return -1;
        }
        if (!he) {
            snprintf(msg, mlen, "bad listen URL: missing :PORT; " LISTEN_FORMS);
            return -1;
        }
        if (he == h) {
            snprintf(msg, mlen, "bad listen URL: missing host; use 0.0.0.0 or [::] "
                     "for every address");
            return -1;
        }
        if ((size_t)(he - h) >= sizeof host) {
            snprintf(msg, mlen, "bad listen URL: host name too long");
            return -1;
        }
        memcpy(host, h, (size_t)(he - h));
        host[he - h] = '\0';
        if (strspn(host, "0123456789.") == strlen(host)) {
            if (inet_pton(AF_INET, host, addr) != 1) {
                snprintf(msg, mlen, "bad listen URL: '%s' is not an IPv4 address", host);
                return -1;
            }
        } else if (!valid_hostname(host)) {
            snprintf(msg, mlen, "bad listen URL: '%s' is not a host name or address", host);
            return -1;
        }
        p = he;
    }
    if (*p != ':') {
        snprintf(msg, mlen, "bad listen URL: missing :PORT; " LISTEN_FORMS);
        return -1;
    }
    p++;
    pl = strspn(p, "0123456789");
    if (pl == 0 || pl > 5 || p[pl]) {
        snprintf(msg, mlen, "bad listen URL: expected a port number 0 to 65535 after ':'%s",
                 pl && p[pl] ? " and nothing after it" : "");
        return -1;
    }
    port = strtoul(p, NULL, 10);
    if (port > 65535) {
        snprintf(msg, mlen, "bad listen URL: port %lu is over 65535", port);
        return -1;
    }
    in->host = sl_strdup(host);
    in->port = sl_strndup(p, pl);
    return 0;
}

/* 0 ok, 1 ok but host bits were set (masked), -1 with msg set. */
static int parse_cidr(const char *s, struct sl_cidr *net, char *msg, size_t mlen)
{
    int rc = sl_cidr_parse(s, net);

    if (rc == -2) {
        unsigned bits = net->family == AF_INET ? 32 : 128;
        snprintf(msg, mlen, "bad CIDR '%s': prefix length /%s is over %u for IPv%c", s,
                 strchr(s, '/') + 1, bits, bits == 32 ? '4' : '6');
        return -1;
    }
    if (rc < 0)
        snprintf(msg, mlen, "bad CIDR '%.*s': expected an address with an optional prefix "
                 "length, like 10.0.0.0/8, 127.0.0.1 or fd00::/8", 80, s);
    return rc;
}

static void input_allow(struct ctx *c, struct cfg_input *in, const struct ynode *item,
                        const char *path)
{
    const struct ynode *k = NULL, *v = map_get(item, "allow", &k);
    char kp[PATH_MAX_LEN], msg[512];

    if (!v)
        return;
    join(kp, path, "allow");
    if (v->kind == YN_SEQ || v->null) {
        if (v->n == 0) {
            ERR(c, v, kp, "an empty allow list would refuse every sender; leave the key out "
                "to accept everyone");
            return;
        }
    }
    if (in->allow.n == 0 || v->kind != YN_SEQ)
        return;                         /* rejected by the rows already */
    in->nets = sl_calloc(in->allow.n, sizeof *in->nets);
    for (size_t i = 0; i < in->allow.n; i++) {
        char ip[PATH_MAX_LEN + 24];
        int rc = parse_cidr(in->allow.v[i], &in->nets[in->nnets], msg, sizeof msg);

        snprintf(ip, sizeof ip, "%s[%zu]", kp, i);
        if (rc < 0) {
            ERR(c, v->kid[i], ip, "%s", msg);
            continue;
        }
        if (rc == 1) {
            char a[INET6_ADDRSTRLEN];
            const struct sl_cidr *n = &in->nets[in->nnets];

            inet_ntop(n->family, n->addr, a, sizeof a);
            WARN(c, v->kid[i], ip, "'%s' has host bits set; it means %s/%u", in->allow.v[i],
                 a, n->prefix);
        }
        in->nnets++;
    }
}

static void load_inputs(struct ctx *c, struct sl_config *cfg, const struct ynode *seq)
{
    char path[64], msg[512];
    struct sl_err err;

    if (seq->null)
        return;
    if (seq->kind != YN_SEQ) {
        ERR(c, seq, "inputs", "expected a list of inputs (- listen: tcp://HOST:PORT), got %s",
            kind_name(seq));
        return;
    }
    cfg->inputs = seq->n ? sl_calloc(seq->n, sizeof *cfg->inputs) : NULL;
    cfg->ninputs = seq->n;
    for (size_t i = 0; i < seq->n; i++) {
        const struct ynode *item = seq->kid[i], *lv, *kn = NULL;
        struct cfg_input *in = &cfg->inputs[i];

        snprintf(path, sizeof path, "inputs[%zu]", i);
        if (item->kind != YN_MAP) {
            ERR(c, item, path, "expected a mapping like {listen: tcp://127.0.0.1:5514}, got %s",
                kind_name(item));
            continue;
        }
        sl_err_clear(&err);
        if (sl_cfg_defaults(cfg_input_rows, in, &err))
            ERR(c, item, path, "bad default for %s: %s", err.where, err.msg);
        apply_mapping(c, cfg_input_rows, in, item, path, NULL);
        lv = map_get(item, "listen", NULL);
        if (in->listen && lv) {
            char kp[PATH_MAX_LEN];

            join(kp, path, "listen");
            if (parse_listen(in, msg, sizeof msg))
                ERR(c, lv, kp, "%s", msg);
        }
        if (in->listen && in->host && in->proto == CFG_UDP && map_get(item, "max_conns", &kn)) {
            char kp[PATH_MAX_LEN];

            join(kp, path, "max_conns");
            ERR(c, kn, kp, "applies to tcp inputs only");
        }
        input_allow(c, in, item, path);
        if (!in->name && in->listen)
            in->name = sl_strdup(in->listen);
    }
    /* two inputs with one name, or binding one address twice, cannot both run */
    for (size_t i = 0; i < cfg->ninputs; i++) {
        struct cfg_input *a = &cfg->inputs[i];
        const struct ynode *item = seq->kid[i];

        for (size_t j = 0; j < i; j++) {
            struct cfg_input *b = &cfg->inputs[j];

            snprintf(path, sizeof path, "inputs[%zu]", i);
            if (a->host && b->host && a->proto == b->proto && strcmp(a->port, "0") != 0 &&
                strcmp(a->host, b->host) == 0 && strcmp(a->port, b->port) == 0) {
                char kp[PATH_MAX_LEN];

                join(kp, path, "listen");
                ERR(c, map_get(item, "listen", NULL), kp, "same address as inputs[%zu]", j);
                break;
            }
            if (a->name && b->name && strcmp(a->name, b->name) == 0) {
                const struct ynode *at = map_get(item, "name", NULL);
                char kp[PATH_MAX_LEN];

                join(kp, path, at ? "name" : "listen");
                ERR(c, at ? at : map_get(item, "listen", NULL), kp,
                    "input name '%s' is already used by inputs[%zu]", a->name, j);
                break;
            }
        }
    }
}

/* ---- sinks ---- */

static void known_types(char *out, size_t n)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; sink_types[i] && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "",
                                 sink_types[i]->name);
}

static const struct sink_type *sink_type_of(struct ctx *c, const struct ynode *item,
                                            const char *path)
{
    const struct ynode *k = NULL, *v = map_get(item, "type", &k);
    const struct sink_type *t;
    char kp[PATH_MAX_LEN], types[512], shown[80];
    struct suggest s;

    join(kp, path, "type");
    known_types(types, sizeof types);
    if (!v) {
        ERR(c, item, kp, "missing required key; known types: %s", types);
        return NULL;
    }
    if (v->kind != YN_SCALAR || v->null) {
        ERR(c, v, kp, "expected a sink type (%s), got %s", types, kind_name(v));
        return NULL;
    }
    t = sink_type_find(v->text);
    if (t)
        return t;
    snprintf(shown, sizeof shown, "%.64s", v->text);
    suggest_init(&s, v->text);
    for (size_t i = 0; sink_types[i]; i++)
        suggest_try(&s, sink_types[i]->name);
    if (s.best)
        ERR(c, v, kp, "unknown sink type '%s'; did you mean '%s'? known types: %s", shown,
            s.best, types);
    else
        ERR(c, v, kp, "unknown sink type '%s'; known types: %s", shown, types);
    return NULL;
}

static int plain_name(const char *n)
{
    size_t len = strlen(n);

    if (!len || len > 64 || n[0] == '.')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && n[i] != '_' && n[i] != '-' && n[i] != '.')
            return 0;
    return 1;
}

static void load_sinks(struct ctx *c, struct sl_config *cfg, const struct ynode *seq)
{
    static const char *const ours[] = { "type", "name", NULL };
    char path[64], kp[PATH_MAX_LEN];
    struct sl_err err;

    if (seq->null)
        return;
    if (seq->kind != YN_SEQ) {
        ERR(c, seq, "sinks", "expected a list of sinks (- type: ndjson), got %s", kind_name(seq));
        return;
    }
    cfg->sinks = seq->n ? sl_calloc(seq->n, sizeof *cfg->sinks) : NULL;
    cfg->nsinks = seq->n;
    for (size_t i = 0; i < seq->n; i++) {
        const struct ynode *item = seq->kid[i], *nv;
        struct cfg_sink *sk = &cfg->sinks[i];
        size_t before = c->nerr;

        snprintf(path, sizeof path, "sinks[%zu]", i);
        if (item->kind != YN_MAP) {
            ERR(c, item, path, "expected a mapping like {type: ndjson, path: out.ndjson}, "
                "got %s", kind_name(item));
            continue;
        }
        sk->type = sink_type_of(c, item, path);
        if (!sk->type)
            continue;                   /* its other keys mean nothing without the type */
        sk->conf = sl_calloc(1, sk->type->conf_size ? sk->type->conf_size : 1);
        sl_err_clear(&err);
        if (sl_cfg_defaults(sk->type->rows, sk->conf, &err))
            ERR(c, item, path, "bad default for %s: %s", err.where, err.msg);
        apply_mapping(c, sk->type->rows, sk->conf, item, path, ours);
        nv = map_get(item, "name", NULL);
        join(kp, path, "name");
        if (nv && (nv->kind != YN_SCALAR || nv->null || !*nv->text)) {
            ERR(c, nv, kp, "expected a non-empty name, got %s", kind_name(nv));
        } else if (nv && !plain_name(nv->text)) {
            /* It names the sink's cursor file in the buffer directory. */
            ERR(c, nv, kp, "sink name '%s': use letters, digits, '_', '-' and '.' (not first), "
                "up to 64 characters", nv->text);
        } else if (nv) {
            sk->name = sl_strdup(nv->text);
        } else {
            char def[64];

            snprintf(def, sizeof def, "%s%zu", sk->type->name, i);
            sk->name = sl_strdup(def);
        }
        for (size_t j = 0; sk->name && j < i; j++) {
            if (cfg->sinks[j].name && strcmp(cfg->sinks[j].name, sk->name) == 0) {
                ERR(c, nv ? nv : item, kp, "sink name '%s' is already used by sinks[%zu]",
                    sk->name, j);
                break;
            }
        }
        if (c->nerr == before && sk->type->validate) {
            sl_err_clear(&err);
            if (sk->type->validate(sk->conf, &err)) {
                if (err.where[0])
                    ERR(c, item, path, "%s: %s", err.where, err.msg);
                else
                    ERR(c, item, path, "%s", err.msg);
            }
        }
    }
}

/* ---- grammars ---- */

/* A relative path is read from the config file's directory, so a config and
 * its grammars move together; absolute paths are used as written. */
static char *resolve_path(const struct ctx *c, const char *p)
{
    const char *slash = strrchr(c->file, '/');
    size_t dl;
    char *out;

    if (p[0] == '/' || !slash)
        return sl_strdup(p);
    dl = (size_t)(slash - c->file);
    out = sl_malloc(dl + 1 + strlen(p) + 1);
    memcpy(out, c->file, dl);
    out[dl] = '/';
    strcpy(out + dl + 1, p);
    return out;
}

static void where_of(const struct ctx *c, const struct ynode *n, char *out, size_t len)
{
    snprintf(out, len, "%s:%lu:%lu", c->file, n->line, n->col);
}

/* A scalar or a list of scalars, as items (borrowed); 0 items and an error
 * when it is neither. */
static size_t scalars_of(struct ctx *c, const struct ynode *v, const char *kp,
                         const struct ynode **items, size_t max, const char *what)
{
    size_t n = 0;

    if (v->kind == YN_SCALAR && !v->null) {
        items[0] = v;
        return 1;
    }
    if (v->kind == YN_SEQ) {
        for (size_t i = 0; i < v->n; i++) {
            if (v->kid[i]->kind != YN_SCALAR || v->kid[i]->null) {
                ERR(c, v->kid[i], kp, "expected %s, got %s", what, kind_name(v->kid[i]));
                return 0;
            }
            if (n == max) {
                ERR(c, v->kid[i], kp, "more than %zu entries", max);
                return 0;
            }
            items[n++] = v->kid[i];
        }
        if (!n)
            ERR(c, v, kp, "expected at least one %s", what);
        return n;
    }
    ERR(c, v, kp, "expected %s or a list of them, got %s", what, kind_name(v));
    return 0;
}

#define GRAMMAR_EXPRS_MAX   256u
#define GRAMMAR_ROUTE_MAX   64u
#define GRAMMAR_TS_MAX      8u

/* A grok definition's `timestamp:`: {field: F, format: X | [X, ...]} or a
 * list of such, every format a rule of g, in order. 1 when all were added. */
static int load_timestamps(struct ctx *c, struct grammar *g, const struct ynode *v,
                           const char *path)
{
    static const char *const keys[] = { "field", "format", NULL };
    const struct ynode *one[1], *const *items = one;
    char kp[PATH_MAX_LEN], ip[PATH_MAX_LEN + 24], fp[PATH_MAX_LEN];
    size_t n = 1, nerr0 = c->nerr;
    struct sl_err err;

    join(kp, path, "timestamp");
    if (v->kind == YN_SEQ && v->n) {
        items = (const struct ynode *const *)v->kid;
        n = v->n;
    } else if (v->kind == YN_MAP && !v->null) {
        one[0] = v;
    } else {
        ERR(c, v, kp, "expected {field: F, format: FORMAT} or a list of them, got %s",
            kind_name(v));
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const struct ynode *it = items[i], *fv, *mv;
        const struct ynode *fm[GRAMMAR_TS_MAX];
        size_t nf;

        if (v->kind == YN_SEQ)
            snprintf(ip, sizeof ip, "%s[%zu]", kp, i);
        else
            snprintf(ip, sizeof ip, "%s", kp);
        if (it->kind != YN_MAP) {
            ERR(c, it, ip, "expected {field: F, format: FORMAT}, got %s", kind_name(it));
            continue;
        }
        for (size_t k = 0; k + 1 < it->n; k += 2) {
            const struct ynode *key = it->kid[k];
            size_t j = 0;
            while (keys[j] && (key->kind != YN_SCALAR || strcmp(key->text, keys[j])))
                j++;
            if (!keys[j] && key->kind == YN_SCALAR)
                unknown_key(c, key, ip, NULL, keys);
        }
        fv = map_get(it, "field", NULL);
        mv = map_get(it, "format", NULL);
        if (!fv || fv->kind != YN_SCALAR || fv->null) {
            join(fp, ip, "field");
            ERR(c, fv ? fv : it, fp, "required: the field that holds the program's time");
            continue;
        }
        join(fp, ip, "format");
        if (!mv) {
            ERR(c, it, fp, "required: ISO8601, HTTPDATE, UNIX, UNIX_MS, SYSLOG or a pattern "
                "like 'yyyy/MM/dd HH:mm:ss' (or a list of them)");
            continue;
        }
        nf = scalars_of(c, mv, fp, fm, GRAMMAR_TS_MAX, "a date format");
        for (size_t k = 0; k < nf; k++) {
            sl_err_clear(&err);
            if (norm_grok_add_timestamp(g, fv->text, fm[k]->text, &err) == 0)
                continue;
            if (strstr(err.msg, " captures "))      /* the field's fault, not the format's */
                ERR(c, fv, ip, "%s", err.msg);
            else
                ERR(c, fm[k], fp, "%s", err.msg);
            break;
        }
    }
    return c->nerr == nerr0;
}

static void load_definition(struct ctx *c, struct route_table *t, const struct grok_lib *lib,
                            const struct ynode *item, const char *path)
{
    static const char *const keys[] = { "name", "type", "match", "file", "builtin", "timestamp",
                                        "rulebase", "space", NULL };
    const struct ynode *nv, *tv, *mv, *fv, *bv, *tsv, *rv, *sv, *kn;
    char kp[PATH_MAX_LEN], where[PATH_MAX_LEN + 64];
    struct grammar *g = NULL;
    struct sl_err err;

    if (item->kind != YN_MAP) {
        ERR(c, item, path, "expected a mapping like {name: N, type: grok, match: EXPR}, got %s",
            kind_name(item));
        return;
    }
    for (size_t i = 0; i + 1 < item->n; i += 2) {
        const struct ynode *k = item->kid[i];
        size_t j = 0;
        while (keys[j] && (k->kind != YN_SCALAR || strcmp(k->text, keys[j])))
            j++;
        if (!keys[j] && k->kind == YN_SCALAR)
            unknown_key(c, k, path, NULL, keys);
    }
    nv = map_get(item, "name", NULL);
    tv = map_get(item, "type", NULL);
    mv = map_get(item, "match", NULL);
    fv = map_get(item, "file", NULL);
    bv = map_get(item, "builtin", NULL);
    tsv = map_get(item, "timestamp", NULL);
    rv = map_get(item, "rulebase", NULL);
    sv = map_get(item, "space", &kn);
    if (!nv || nv->kind != YN_SCALAR || nv->null) {
        join(kp, path, "name");
        ERR(c, nv ? nv : item, kp, "required: the name routes use");
        return;
    }
    join(kp, path, "type");
    if (!tv || tv->kind != YN_SCALAR ||
        (strcmp(tv->text, "grok") != 0 && strcmp(tv->text, "lognorm") != 0)) {
        ERR(c, tv ? tv : item, kp, "required: grok or lognorm");
        return;
    }
    if (strcmp(tv->text, "grok") == 0) {
        const struct ynode *ex[GRAMMAR_EXPRS_MAX];
        struct grok **groks;
        size_t n;

        join(kp, path, "match");
        if (rv || sv) {
            ERR(c, rv ? rv : sv, path, "rulebase and space are for type lognorm");
            return;
        }
        if ((mv != NULL) + (fv != NULL) + (bv != NULL) > 1) {
            ERR(c, bv && (mv || fv) ? bv : fv, path,
                "match, file and builtin exclude each other: give one");
            return;
        }
        if (bv) {
            const struct builtin_file *bf;
            char known[512], bpath[PATH_MAX_LEN];

            join(kp, path, "builtin");
            if (bv->kind != YN_SCALAR || bv->null) {
                ERR(c, bv, kp, "expected the name of a built-in grammar, got %s", kind_name(bv));
                return;
            }
            bf = builtin_grammar(bv->text);
            if (!bf) {
                builtin_grammar_names(known, sizeof known);
                ERR(c, bv, kp, "no built-in grammar '%s'; built in: %s", bv->text, known);
                return;
            }
            snprintf(bpath, sizeof bpath, "builtin:grammars/%s/%s.grok", bf->name, bf->name);
            sl_err_clear(&err);
            if (norm_grok_text_grammar(&g, nv->text, bpath, bf->text, bf->len, lib, NULL, &err)) {
                ERR(c, bv, kp, "%s%s%s", err.where, err.where[0] ? ": " : "", err.msg);
                return;
            }
            goto add;
        }
        if (fv) {
            char *file;

            join(kp, path, "file");
            if (fv->kind != YN_SCALAR || fv->null) {
                ERR(c, fv, kp, "expected the path of a grammar file, got %s", kind_name(fv));
                return;
            }
            file = resolve_path(c, fv->text);
            sl_err_clear(&err);
            if (norm_grok_file_grammar(&g, nv->text, file, lib, NULL, &err)) {
                ERR(c, fv, kp, "%s%s%s", err.where, err.where[0] ? ": " : "", err.msg);
                sl_free(file);
                return;
            }
            sl_free(file);
            goto add;
        }
        if (!mv) {
            ERR(c, item, kp, "required for type grok: a grok expression or a list of them "
                "(or file: or builtin:)");
            return;
        }
        n = scalars_of(c, mv, kp, ex, GRAMMAR_EXPRS_MAX, "a grok expression");
        if (!n)
            return;
        groks = sl_calloc(n, sizeof *groks);
        for (size_t i = 0; i < n; i++) {
            where_of(c, ex[i], where, sizeof where);
            sl_err_clear(&err);
            if (grok_compile(&groks[i], lib, ex[i]->text, NULL, where, &err)) {
                /* the problem may lie in a pattern file, not in the expression */
                if (!err.where[0] || strcmp(err.where, where) == 0)
                    ERR(c, ex[i], kp, "grok: %s", err.msg);
                else
                    ERR(c, ex[i], kp, "grok: %s (in %s)", err.msg, err.where);
                for (size_t j = 0; j < i; j++)
                    grok_free(groks[j]);
                sl_free(groks);
                return;
            }
        }
        g = norm_grok_grammar_new(nv->text, groks, n);
    } else {
        struct lognorm_opts lo;
        struct lognorm *ln = NULL;
        char *file;

        lognorm_opts_default(&lo);
        join(kp, path, "rulebase");
        if (mv) {
            ERR(c, mv, path, "match is for type grok");
            return;
        }
        if (fv || bv || tsv) {
            ERR(c, fv ? fv : bv ? bv : tsv, path,
                "%s is for type grok (a lognorm rulebase is rulebase:)",
                fv ? "file" : bv ? "builtin" : "timestamp");
            return;
        }
        if (!rv || rv->kind != YN_SCALAR || rv->null) {
            ERR(c, rv ? rv : item, kp, "required for type lognorm: the path of a v2 rulebase");
            return;
        }
        if (sv && (sv->kind != YN_SCALAR || lognorm_space_parse(sv->text, &lo.space))) {
            char sp[PATH_MAX_LEN];
            join(sp, path, "space");
            ERR(c, sv, sp, "expected as-is, prepend or auto");
            return;
        }
        file = resolve_path(c, rv->text);
        sl_err_clear(&err);
        if (lognorm_load_file(&ln, file, &lo, &err)) {
            ERR(c, rv, kp, "%s%s%s", err.where, err.where[0] ? ": " : "", err.msg);
            sl_free(file);
            return;
        }
        sl_free(file);
        g = lognorm_grammar_new(nv->text, ln);
    }
add:
    if (g && tsv && !load_timestamps(c, g, tsv, path)) {
        grammar_free(g);
        return;
    }
    sl_err_clear(&err);
    if (!g || route_table_add_grammar(t, g, &err)) {
        join(kp, path, "name");
        ERR(c, nv, kp, "%s", g ? err.msg : "cannot make the grammar");
    }
}

static void load_grammars(struct ctx *c, struct sl_config *cfg, const struct ynode *map)
{
    static const char *const keys[] = { "builtin_patterns", "patterns", "definitions", "routes",
                                        NULL };
    const struct ynode *bv, *pv, *dv, *rv;
    int builtin = 1;
    struct route_table *t = NULL;
    struct grok_lib *lib = NULL;
    size_t nerr0 = c->nerr;
    struct sl_err err;

    if (map->null)
        return;
    if (map->kind != YN_MAP) {
        ERR(c, map, "grammars", "expected a mapping of patterns:, definitions:, routes:, got %s",
            kind_name(map));
        return;
    }
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const struct ynode *k = map->kid[i];
        size_t j = 0;
        while (keys[j] && (k->kind != YN_SCALAR || strcmp(k->text, keys[j])))
            j++;
        if (!keys[j] && k->kind == YN_SCALAR)
            unknown_key(c, k, "grammars", NULL, keys);
    }
    bv = map_get(map, "builtin_patterns", NULL);
    pv = map_get(map, "patterns", NULL);
    dv = map_get(map, "definitions", NULL);
    rv = map_get(map, "routes", NULL);
    if (bv && (bv->kind != YN_SCALAR || bv->null || sl_parse_bool(bv->text, &builtin)))
        ERR(c, bv, "grammars.builtin_patterns", "expected true or false, got %s",
            bv->kind == YN_SCALAR && !bv->null ? bv->text : kind_name(bv));
    lib = grok_lib_new();
    /* The compiled-in library first: patterns: directories add to it and
     * replace the names they define again. */
    sl_err_clear(&err);
    if (builtin && builtin_patterns_load(lib, &err))
        ERR(c, bv ? bv : map, "grammars.builtin_patterns", "%s: %s", err.where, err.msg);
    if (pv && !pv->null) {
        const struct ynode *dirs[GRAMMAR_EXPRS_MAX];
        size_t n = scalars_of(c, pv, "grammars.patterns", dirs, GRAMMAR_EXPRS_MAX,
                              "a directory");
        for (size_t i = 0; i < n; i++) {
            char *dir = resolve_path(c, dirs[i]->text);
            struct stat st;

            sl_err_clear(&err);
            if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
                if (grok_lib_load_file(lib, dir, &err))
                    ERR(c, dirs[i], "grammars.patterns", "%s: %s", err.where, err.msg);
            } else if (grok_lib_load_dir(lib, dir, &err)) {
                ERR(c, dirs[i], "grammars.patterns", "%s%s%s", err.where,
                    err.where[0] ? ": " : "", err.msg);
            }
            sl_free(dir);
        }
    }
    t = route_table_new();
    if (!dv || dv->null || dv->kind != YN_SEQ || !dv->n) {
        ERR(c, dv ? dv : map, "grammars.definitions",
            "expected a list of grammars (- name: N, type: grok, match: EXPR)");
        goto done;
    }
    for (size_t i = 0; i < dv->n; i++) {
        char path[64];
        snprintf(path, sizeof path, "grammars.definitions[%zu]", i);
        load_definition(c, t, lib, dv->kid[i], path);
    }
    if (c->nerr != nerr0)
        goto done;
    if (!rv || rv->null || rv->kind != YN_MAP || !rv->n) {
        ERR(c, rv ? rv : map, "grammars.routes",
            "expected a mapping of routes (PROGRAM: [grammar, ...]; see parser/route.h)");
        goto done;
    }
    for (size_t i = 0; i + 1 < rv->n; i += 2) {
        const struct ynode *k = rv->kid[i], *v = rv->kid[i + 1];
        const struct ynode *items[GRAMMAR_ROUTE_MAX];
        const char *names[GRAMMAR_ROUTE_MAX];
        char kp[PATH_MAX_LEN];
        size_t n;

        if (k->kind != YN_SCALAR)
            continue;
        join(kp, "grammars.routes", k->text);
        n = scalars_of(c, v, kp, items, GRAMMAR_ROUTE_MAX, "a grammar name");
        if (!n)
            continue;
        for (size_t j = 0; j < n; j++)
            names[j] = items[j]->text;
        sl_err_clear(&err);
        if (route_add(t, k->text, names, n, &err))
            ERR(c, k, kp, "%s", err.msg);
    }
    if (c->nerr != nerr0)
        goto done;
    sl_err_clear(&err);
    if (route_table_seal(t, &err)) {
        ERR(c, rv, "grammars.routes", "%s", err.msg);
        goto done;
    }
    cfg->routes = t;
    t = NULL;
done:
    route_table_free(t);
    grok_lib_free(lib);
}

/* ---- loading ---- */

void config_free(struct sl_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ninputs; i++) {
        struct cfg_input *in = &c->inputs[i];

        sl_cfg_release(cfg_input_rows, in);
        sl_free(in->host);
        sl_free(in->port);
        sl_free(in->nets);
    }
    sl_free(c->inputs);
    for (size_t i = 0; i < c->nsinks; i++) {
        struct cfg_sink *s = &c->sinks[i];

        if (s->type)
            sl_cfg_release(s->type->rows, s->conf);
        sl_free(s->conf);
        sl_free(s->name);
    }
    sl_free(c->sinks);
    route_table_free(c->routes);
    enrich_conf_release(&c->eh);
    payload_opts_free(&c->payload_opts);
    sl_free(c->admin.host);
    sl_free(c->admin.port);
    sl_cfg_release(cfg_top_rows, c);
    sl_free(c->path);
    sl_free(c);
}

/* buffer.fsync is a word or a duration; buffer.path is relative to the
 * config's directory. */
static void load_buffer(struct ctx *c, struct sl_config *cfg, const struct ynode *map)
{
    const char *t = cfg->buffer.fsync_text;
    const struct ynode *at = map && map->kind == YN_MAP ? map_get(map, "fsync", NULL) : NULL;

    if (!t || !strcmp(t, "always")) {
        cfg->buffer.fsync = SPOOL_FSYNC_ALWAYS;
    } else if (!strcmp(t, "never")) {
        cfg->buffer.fsync = SPOOL_FSYNC_NEVER;
    } else if (sl_parse_duration_ms(t, &cfg->buffer.fsync_ms) == 0 && cfg->buffer.fsync_ms) {
        cfg->buffer.fsync = SPOOL_FSYNC_INTERVAL;
    } else {
        ERR(c, at ? at : map, "buffer.fsync",
            "expected always, never or a duration such as 1s or 200ms, got '%s'", t);
    }
    if (cfg->buffer.path) {
        char *p = resolve_path(c, cfg->buffer.path);
        sl_free(cfg->buffer.path);
        cfg->buffer.path = p;
    }
}

/* 1 when host names only this machine: 127.0.0.0/8, ::1, an IPv4-mapped
 * 127.x, or "localhost". A wildcard (empty, 0.0.0.0, ::) or another name is not. */
static int loopback_host(const char *host)
{
    unsigned char a[16];

    if (!strcasecmp(host, "localhost"))
        return 1;
    if (inet_pton(AF_INET, host, a) == 1)
        return a[0] == 127;
    if (inet_pton(AF_INET6, host, a) == 1) {
        static const unsigned char lo6[16] = { [15] = 1 };
        static const unsigned char map4[12] = { [10] = 0xff, [11] = 0xff };
        return !memcmp(a, lo6, 16) || (!memcmp(a, map4, 12) && a[12] == 127);
    }
    return 0;
}

/* admin.listen is HOST:PORT ([V6]:PORT); a non-loopback host needs a token,
 * and the token is a reference, never the secret written in the file. */
static void load_admin(struct ctx *c, struct sl_config *cfg, const struct ynode *map)
{
    const struct ynode *lv = map_get(map, "listen", NULL), *tv = map_get(map, "token", NULL);
    const char *l = cfg->admin.listen, *colon, *h, *he;
    unsigned long port;
    char *end;

    if (tv && tv->kind == YN_SCALAR && !tv->null && strncmp(tv->text, "${", 2) != 0)
        ERR(c, tv, "admin.token", "the token must be a reference: ${env:NAME} or ${file:/path}");
    if (!l) {
        if (cfg->admin.token)
            WARN(c, tv, "admin.token", "no admin.listen: the token is not used");
        return;
    }
    if (l[0] == '[') {
        h = l + 1;
        he = strchr(h, ']');
        colon = he && he[1] == ':' ? he + 1 : NULL;
    } else {
        colon = strrchr(l, ':');
        h = l;
        he = colon;
        if (colon && memchr(l, ':', (size_t)(colon - l)))
            colon = NULL;       /* a bare IPv6 address: brackets are needed */
    }
    if (!colon || he == h) {
        ERR(c, lv, "admin.listen", "expected HOST:PORT, such as 127.0.0.1:9601 or [::1]:9601");
        return;
    }
    port = strtoul(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port > 65535) {
        ERR(c, lv, "admin.listen", "bad port '%s': expected 0 to 65535", colon + 1);
        return;
    }
    cfg->admin.host = sl_strndup(h, (size_t)(he - h));
    cfg->admin.port = sl_strdup(colon + 1);
    if (!loopback_host(cfg->admin.host) && !cfg->admin.token)
        ERR(c, lv, "admin.listen", "'%s' is not a loopback address: set admin.token "
            "(${env:NAME} or ${file:/path}) or listen on 127.0.0.1", cfg->admin.host);
}

/* ---- enrich: host and time (shipper/enrich.h) ---- */

/* A time zone as written at node v (key kp): NULL for "local"; an error
 * naming the place when it is not one. */
static struct tz *zone_at(struct ctx *c, const struct ynode *v, const char *kp, const char *text)
{
    struct tz *z = NULL;
    struct sl_err err;

    if (!strcmp(text, "local"))
        return NULL;
    sl_err_clear(&err);
    if (tz_load(&z, text, NULL, &err))
        ERR(c, v, kp, "%s", err.msg);
    return z;
}

/* The mapping key node of kv index i under map v, for an error's place. */
static const struct ynode *kv_key(const struct ynode *v, size_t i)
{
    return v && v->kind == YN_MAP && 2 * i < v->n ? v->kid[2 * i] : v;
}

/* enrich.time.zones: {NETWORK: ZONE}, each checked where it is written. */
static void load_zones(struct ctx *c, struct cfg_enrich_host *eh, const struct ynode *map)
{
    const struct sl_kvlist *z = &eh->zones;
    char kp[PATH_MAX_LEN];
    size_t *vals;

    if (!z->n)
        return;
    eh->zone_nets = sl_calloc(z->n, sizeof *eh->zone_nets);
    eh->zone_tz = sl_calloc(z->n, sizeof *eh->zone_tz);
    for (size_t i = 0; i < z->n; i++) {
        const struct ynode *kn = kv_key(map, i), *vn = map && 2 * i + 1 < map->n ? map->kid[2 * i + 1] : map;
        struct sl_cidr net;
        struct tz *tz;
        int rc = sl_cidr_parse(z->k[i], &net);

        join(kp, "enrich.time.zones", z->k[i]);
        if (rc < 0) {
            ERR(c, kn, kp, "bad network '%.80s': expected an address with an optional "
                "prefix length, like 10.1.0.0/16 or fd00::/8", z->k[i]);
            continue;
        }
        if (rc == 1)
            WARN(c, kn, kp, "'%s' has host bits set; they are ignored", z->k[i]);
        if (!strcmp(z->v[i], "local")) {
            ERR(c, vn, kp, "'local' is the default; give a zone name or an offset");
            continue;
        }
        tz = zone_at(c, vn, kp, z->v[i]);
        if (!tz)
            continue;
        eh->zone_nets[eh->nzones] = net;
        eh->zone_tz[eh->nzones] = tz;
        eh->nzones++;
    }
    vals = sl_calloc(eh->nzones ? eh->nzones : 1, sizeof *vals);
    for (size_t i = 0; i < eh->nzones; i++)
        vals[i] = i;
    eh->zone_tab = sl_cidr_table_new(eh->zone_nets, vals, eh->nzones);
    sl_free(vals);
}

/* After the rows (cfg_top_rows' `enrich` section, inputs[]' fields, tags,
 * timezone): field names, zones, the observer's addresses, the resolver's
 * address and the host map, each problem at the place it is written. */
static void load_enrich_host_time(struct ctx *c, struct sl_config *cfg, const struct ynode *root)
{
    const struct ynode *en = map_get(root, "enrich", NULL), *seq = map_get(root, "inputs", NULL);
    struct cfg_enrich_host *eh = &cfg->eh;
    struct sl_err err;
    size_t bad = 0;

    if (en && en->kind != YN_MAP)
        en = NULL;                      /* reported by the rows */
    if (en) {
        load_zones(c, eh, map_get(map_get(en, "time", NULL), "zones", NULL));
        sl_err_clear(&err);
        if (enrich_set_build(&eh->global, &eh->fields, &eh->tags, &bad, &err)) {
            char kp[PATH_MAX_LEN];
            join(kp, "enrich.fields", eh->fields.k[bad]);
            ERR(c, kv_key(map_get(en, "fields", NULL), bad), kp, "%s", err.msg);
        }
        for (size_t i = 0; i < eh->obs_ip.n; i++) {
            struct sl_cidr a;
            const struct ynode *ov = map_get(map_get(en, "observer", NULL), "ip", NULL);
            char kp[64];

            snprintf(kp, sizeof kp, "enrich.observer.ip[%zu]", i);
            if (sl_cidr_addr(eh->obs_ip.v[i], &a))
                ERR(c, ov && ov->kind == YN_SEQ && i < ov->n ? ov->kid[i] : ov, kp,
                    "'%.80s' is not an IP address", eh->obs_ip.v[i]);
        }
        if (eh->dns_nameserver) {
            /* what evdns_base_nameserver_ip_add takes: IP, IP:PORT, [IPv6]:PORT */
            const char *ns = eh->dns_nameserver, *colon = strrchr(ns, ':');
            char host[64];
            struct sl_cidr a;
            int ok;

            if (ns[0] == '[') {
                const char *rb = strchr(ns, ']');
                ok = rb && (size_t)(rb - ns - 1) < sizeof host && (!rb[1] || rb[1] == ':');
                if (ok) {
                    memcpy(host, ns + 1, (size_t)(rb - ns - 1));
                    host[rb - ns - 1] = '\0';
                    colon = rb[1] ? rb + 1 : NULL;
                }
            } else if (colon && strchr(ns, ':') == colon) {
                ok = (size_t)(colon - ns) < sizeof host;
                if (ok) {
                    memcpy(host, ns, (size_t)(colon - ns));
                    host[colon - ns] = '\0';
                }
            } else {
                ok = strlen(ns) < sizeof host;
                if (ok)
                    snprintf(host, sizeof host, "%s", ns);
                colon = NULL;
            }
            if (ok)
                ok = sl_cidr_addr(host, &a) == 0;
            if (ok && colon) {
                char *end;
                unsigned long port = strtoul(colon + 1, &end, 10);
                ok = colon[1] && !*end && port > 0 && port <= 65535;
            }
            if (!ok)
                ERR(c, map_get(map_get(en, "dns", NULL), "nameserver", NULL), "enrich.dns.nameserver",
                    "expected an IP address with an optional port (192.0.2.53, 192.0.2.53:53, "
                    "[2001:db8::53]:53), got '%.80s'", ns);
        }
        if (eh->hosts_file) {
            const struct ynode *hv = map_get(en, "hosts", NULL);
            const struct ynode *fv = map_get(hv, "file", NULL), *pv = map_get(hv, "prefix", NULL);
            char *p = resolve_path(c, eh->hosts_file);

            sl_free(eh->hosts_file);
            eh->hosts_file = p;
            sl_err_clear(&err);
            if (hostmap_names_new(&eh->names, eh->hosts_prefix, &err)) {
                ERR(c, pv ? pv : hv, "enrich.hosts.prefix", "%s", err.msg);
            } else if (hostmap_load(&eh->hosts, eh->hosts_file, eh->names, &err)) {
                ERR(c, fv ? fv : hv, "enrich.hosts.file", "%s: %s", err.where, err.msg);
            }
        }
    }
    if (!seq || seq->kind != YN_SEQ || !cfg->ninputs)
        return;
    eh->ninputs = cfg->ninputs;
    eh->in_sets = sl_calloc(cfg->ninputs, sizeof *eh->in_sets);
    eh->in_tz = sl_calloc(cfg->ninputs, sizeof *eh->in_tz);
    for (size_t i = 0; i < cfg->ninputs && i < seq->n; i++) {
        struct cfg_input *in = &cfg->inputs[i];
        const struct ynode *item = seq->kid[i];
        char path[64], kp[PATH_MAX_LEN];

        snprintf(path, sizeof path, "inputs[%zu]", i);
        sl_err_clear(&err);
        if (enrich_set_build(&eh->in_sets[i], &in->fields, &in->tags, &bad, &err)) {
            char fk[PATH_MAX_LEN];
            join(kp, path, "fields");
            join(fk, kp, in->fields.k[bad]);
            ERR(c, kv_key(map_get(item, "fields", NULL), bad), fk, "%s", err.msg);
        }
        if (in->timezone) {
            join(kp, path, "timezone");
            eh->in_tz[i] = zone_at(c, map_get(item, "timezone", NULL), kp, in->timezone);
        }
    }
}

/* enrich.level and enrich.payload: the rows have filled cfg->level and
 * cfg->payload; this builds what the pipeline reads (a bad prefix is
 * reported at its line). */
static void load_enrich_level_payload(struct ctx *c, struct sl_config *cfg,
                                      const struct ynode *map)
{
    const struct ynode *pm = map_get(map, "payload", NULL), *at;
    const char *key = "max_depth";
    char kp[64];
    struct sl_err err;

    cfg->level_opts.detect = cfg->level.detect;
    cfg->level_opts.prefer = cfg->level.prefer;
    sl_err_clear(&err);
    if (payload_opts_init(&cfg->payload_opts, cfg->payload.json, cfg->payload.logfmt,
                          cfg->payload.prefix, cfg->payload.logfmt_prefix,
                          (unsigned)cfg->payload.max_depth, (unsigned)cfg->payload.max_fields,
                          &err) == 0)
        return;
    /* the message starts with the key it is about */
    if (strncmp(err.msg, "logfmt_prefix", 13) == 0)
        key = "logfmt_prefix";
    else if (strncmp(err.msg, "prefix", 6) == 0)
        key = "prefix";
    at = map_get(pm, key, NULL);
    snprintf(kp, sizeof kp, "enrich.payload.%s", key);
    ERR(c, at ? at : pm ? pm : map, kp, "%s", err.msg);
}

static int load(struct ctx *c, struct sl_config **out, const char *yaml, size_t len)
{
    static const char *const ours[] = { "inputs", "sinks", "grammars", NULL };
    struct sl_config *cfg = NULL;
    struct ynode *root = NULL;
    const struct ynode *v;
    struct sl_err err;
    int rc;

    rc = build(c, yaml, len, &root);
    if (rc)
        goto fail;
    if (!root || (root->kind == YN_SCALAR && root->null)) {
        add_problem_at(c, 0, 1, 1, NULL, "empty config; expected a mapping with inputs: and sinks:");
        rc = SL_ECONFIG;
        goto fail;
    }
    if (root->kind != YN_MAP) {
        ERR(c, root, NULL, "the top level must be a mapping (inputs:, sinks:, ...), got %s",
            kind_name(root));
        rc = SL_ECONFIG;
        goto fail;
    }
    cfg = sl_calloc(1, sizeof *cfg);
    cfg->path = sl_strdup(c->file);
    sl_err_clear(&err);
    if (sl_cfg_defaults(cfg_top_rows, cfg, &err))
        ERR(c, NULL, NULL, "bad default for %s: %s", err.where, err.msg);
    apply_mapping(c, cfg_top_rows, cfg, root, "", ours);
    v = map_get(root, "inputs", NULL);
    if (v)
        load_inputs(c, cfg, v);
    v = map_get(root, "sinks", NULL);
    if (v)
        load_sinks(c, cfg, v);
    v = map_get(root, "grammars", NULL);
    if (v)
        load_grammars(c, cfg, v);
    load_buffer(c, cfg, map_get(root, "buffer", NULL));
    load_admin(c, cfg, map_get(root, "admin", NULL));
    load_enrich_host_time(c, cfg, root);
    load_enrich_level_payload(c, cfg, map_get(root, "enrich", NULL));
    rc = c->nerr ? SL_ECONFIG : 0;
    if (rc)
        goto fail;
    *out = cfg;
    cfg = NULL;
fail:
    config_free(cfg);
    ynode_free(root);
    return rc;
}

int config_load_string(struct sl_config **out, const char *name, const char *yaml,
                       size_t len, struct cfg_problems *pr)
{
    struct ctx c = { .file = name ? name : "<config>" };
    int rc;

    *out = NULL;
    if (len > SL_CONFIG_FILE_LIMIT) {
        ERR(&c, NULL, NULL, "config is over %u bytes", (unsigned)SL_CONFIG_FILE_LIMIT);
        rc = SL_ETOOBIG;
    } else {
        rc = load(&c, out, yaml, len);
    }
    flush_problems(&c, pr);
    return rc;
}

int config_load_file(struct sl_config **out, const char *path, struct cfg_problems *pr)
{
    struct ctx c = { .file = path };
    char *buf = NULL;
    size_t got = 0;
    struct stat st;
    int fd, rc = 0;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        ERR(&c, NULL, NULL, "cannot read the config: %s", strerror(errno));
        rc = SL_EIO;
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        ERR(&c, NULL, NULL, "cannot read the config: it is a directory");
        rc = SL_EIO;
        goto done;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > SL_CONFIG_FILE_LIMIT) {
        ERR(&c, NULL, NULL, "config file is over %u bytes", (unsigned)SL_CONFIG_FILE_LIMIT);
        rc = SL_ETOOBIG;
        goto done;
    }
    buf = sl_malloc(SL_CONFIG_FILE_LIMIT + 1);
    for (;;) {
        ssize_t n = read(fd, buf + got, SL_CONFIG_FILE_LIMIT + 1 - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ERR(&c, NULL, NULL, "cannot read the config: %s", strerror(errno));
            rc = SL_EIO;
            goto done;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > SL_CONFIG_FILE_LIMIT) {
            ERR(&c, NULL, NULL, "config file is over %u bytes", (unsigned)SL_CONFIG_FILE_LIMIT);
            rc = SL_ETOOBIG;
            goto done;
        }
    }
    rc = load(&c, out, buf, got);
done:
    if (buf) {
        explicit_bzero(buf, got);       /* it may hold a literal secret */
        sl_free(buf);
    }
    if (fd >= 0)
        close(fd);
    flush_problems(&c, pr);
    return rc;
}

/* ---- allow lists ---- */

int cfg_input_allows(const struct cfg_input *in, const struct sockaddr *sa)
{
    struct sl_cidr a;

    if (!in->nnets)
        return 1;
    /* sa is a whole sockaddr_in or sockaddr_in6, as its family says */
    if (sl_cidr_sockaddr(sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                       : sizeof(struct sockaddr_in), &a))
        return 0;
    for (size_t i = 0; i < in->nnets; i++)
        if (sl_cidr_contains(&in->nets[i], &a))
            return 1;
    return 0;
}

/* ---- sluice check --keys ---- */

static const char *type_label(enum sl_cfg_type t)
{
    static const char *const names[] = {
        [SL_CFG_STR] = "string", [SL_CFG_SECRET] = "secret", [SL_CFG_BOOL] = "bool",
        [SL_CFG_UINT] = "uint", [SL_CFG_SIZE] = "size", [SL_CFG_DURATION] = "duration",
        [SL_CFG_ENUM] = "enum", [SL_CFG_STRLIST] = "list", [SL_CFG_MAP] = "map",
        [SL_CFG_SECTION] = "section",
    };
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

#define KEYS_FMT "%-36s %-9s %-10s %-14s %s\n"

static void print_rows(FILE *f, const char *prefix, const struct sl_cfg_row *rows)
{
    for (const struct sl_cfg_row *r = rows; r->name; r++) {
        char key[PATH_MAX_LEN], bounds[80] = "-", lo[32], hi[32], desc[1024];

        join(key, prefix, r->name);
        if ((r->type == SL_CFG_UINT || r->type == SL_CFG_SIZE || r->type == SL_CFG_DURATION) &&
            (r->min || r->max)) {
            sl_cfg_format(lo, sizeof lo, r->type, r->min);
            sl_cfg_format(hi, sizeof hi, r->type, r->max);
            if (r->max)
                snprintf(bounds, sizeof bounds, "%s..%s", lo, hi);
            else
                snprintf(bounds, sizeof bounds, ">=%s", lo);
        }
        snprintf(desc, sizeof desc, "%s", r->desc ? r->desc : "");
        if (r->type == SL_CFG_ENUM && r->enum_names) {
            size_t used = strlen(desc);

            used += (size_t)snprintf(desc + used, sizeof desc - used, " (one of");
            for (size_t i = 0; r->enum_names[i] && used < sizeof desc; i++)
                used += (size_t)snprintf(desc + used, sizeof desc - used, "%s %s",
                                         i ? "," : "", r->enum_names[i]);
            if (used < sizeof desc)
                snprintf(desc + used, sizeof desc - used, ")");
        }
        fprintf(f, KEYS_FMT, key, type_label(r->type),
                r->required ? "required" : r->def ? r->def : "-", bounds, desc);
        if (r->type == SL_CFG_SECTION)
            print_rows(f, key, r->sub);
    }
}

int config_print_keys(FILE *f)
{
    char types[512], desc[1024];

    known_types(types, sizeof types);
    snprintf(desc, sizeof desc, "%s (one of %s)", cfg_sink_type_desc, types);
    fprintf(f, KEYS_FMT, "KEY", "TYPE", "DEFAULT", "BOUNDS", "DESCRIPTION");
    fprintf(f, KEYS_FMT, "inputs", "list", "-", "-", cfg_inputs_desc);
    print_rows(f, "inputs[]", cfg_input_rows);
    print_rows(f, "", cfg_top_rows);
    fprintf(f, KEYS_FMT, "grammars.builtin_patterns", "bool", "true", "-",
            cfg_grammars_builtin_patterns_desc);
    fprintf(f, KEYS_FMT, "grammars.patterns", "list", "-", "-", cfg_grammars_patterns_desc);
    fprintf(f, KEYS_FMT, "grammars.definitions", "list", "-", "-", cfg_grammars_defs_desc);
    fprintf(f, KEYS_FMT, "grammars.definitions[].name", "string", "required", "-",
            cfg_grammars_name_desc);
    fprintf(f, KEYS_FMT, "grammars.definitions[].type", "enum", "required", "-",
            cfg_grammars_type_desc);
    fprintf(f, KEYS_FMT, "grammars.definitions[].match", "list", "-", "-",
            cfg_grammars_match_desc);
    fprintf(f, KEYS_FMT, "grammars.definitions[].file", "string", "-", "-",
            cfg_grammars_file_desc);
    fprintf(f, KEYS_FMT, "grammars.definitions[].builtin", "string", "-", "-",
            cfg_grammars_builtin_desc);
    fprintf(f, KEYS_FMT, "grammars.definitions[].timestamp", "list", "-", "-",
            cfg_grammars_timestamp_desc);
    fprintf(f, KEYS_FMT, "grammars.definitions[].rulebase", "string", "-", "-",
            cfg_grammars_rulebase_desc);
    fprintf(f, KEYS_FMT, "grammars.definitions[].space", "enum", "as-is", "-",
            cfg_grammars_space_desc);
    fprintf(f, KEYS_FMT, "grammars.routes", "map", "-", "-", cfg_grammars_routes_desc);
    fprintf(f, KEYS_FMT, "sinks", "list", "-", "-", cfg_sinks_desc);
    fprintf(f, KEYS_FMT, "sinks[].type", "enum", "required", "-", desc);
    fprintf(f, KEYS_FMT, "sinks[].name", "string", "-", "-", cfg_sink_name_desc);
    for (size_t i = 0; sink_types[i]; i++) {
        char prefix[64];

        snprintf(prefix, sizeof prefix, "sinks[%s]", sink_types[i]->name);
        print_rows(f, prefix, sink_types[i]->rows);
    }
    fflush(f);
    return ferror(f) ? SL_EIO : 0;
}
