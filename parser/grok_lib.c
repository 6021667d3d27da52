/* Design: a library is an array of patterns in the order their names were
 * first defined, indexed by an open-addressing hash of the names; a name
 * defined again replaces its entry in place. Pattern files are read whole
 * (GROK_FILE_MAX) at load time; nothing here runs per message.
 *
 * Expansion is one pass over the expression, recursing into each %{NAME}
 * (with the names being expanded on a stack: a name found on it is a cycle).
 * The scanner knows just enough regex to find what must be rewritten: escapes,
 * character classes (nested ones are Oniguruma sets), groups and their
 * options, braces. Everything else is copied. Each stretch of output records
 * which text it came from (a map), so a PCRE2 error at an offset of the
 * expanded regex can name the file:line and pattern that wrote it. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "common/mem.h"
#include "parser/fields.h"
#include "parser/grok_lib.h"

struct gl_pat {
    char *name;
    char *regex;
    char *where;
};

struct grok_lib {
    struct gl_pat *pat;
    size_t         n, cap;
    uint32_t      *slot;        /* index + 1 into pat; 0: empty */
    size_t         nslot;       /* a power of two, at least twice n */
};

/* ---- the library ---- */

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static uint32_t *find_slot(const struct grok_lib *lib, const char *name)
{
    size_t mask = lib->nslot - 1, i = name_hash(name) & mask;

    while (lib->slot[i] && strcmp(lib->pat[lib->slot[i] - 1].name, name) != 0)
        i = (i + 1) & mask;
    return &lib->slot[i];
}

static void rehash(struct grok_lib *lib, size_t nslot)
{
    sl_free(lib->slot);
    lib->slot = sl_calloc(nslot, sizeof *lib->slot);
    lib->nslot = nslot;
    for (size_t i = 0; i < lib->n; i++)
        *find_slot(lib, lib->pat[i].name) = (uint32_t)(i + 1);
}

struct grok_lib *grok_lib_new(void)
{
    struct grok_lib *lib = sl_calloc(1, sizeof *lib);

    rehash(lib, 64);
    return lib;
}

void grok_lib_free(struct grok_lib *lib)
{
    if (!lib)
        return;
    for (size_t i = 0; i < lib->n; i++) {
        sl_free(lib->pat[i].name);
        sl_free(lib->pat[i].regex);
        sl_free(lib->pat[i].where);
    }
    sl_free(lib->pat);
    sl_free(lib->slot);
    sl_free(lib);
}

static int name_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int add_n(struct grok_lib *lib, const char *name, size_t nlen, const char *regex,
                 size_t rlen, const char *where, struct sl_err *err)
{
    struct gl_pat *p;
    uint32_t *slot;
    char *nm;

    if (!where)
        where = "(added)";
    if (nlen == 0 || nlen > GROK_NAME_MAX)
        return sl_err_set(err, SL_EINVAL, where, "a pattern name is 1..%u bytes", GROK_NAME_MAX);
    for (size_t i = 0; i < nlen; i++)
        if (!name_char((unsigned char)name[i]))
            return sl_err_set(err, SL_EINVAL, where,
                              "pattern name `%.*s`: only A-Z a-z 0-9 _ can be referenced "
                              "as %%{NAME}", (int)nlen, name);
    if (rlen == 0)
        return sl_err_set(err, SL_EINVAL, where, "pattern %.*s has no regex", (int)nlen, name);
    if (memchr(regex, '\0', rlen))
        return sl_err_set(err, SL_EINVAL, where, "pattern %.*s: NUL byte in its regex",
                          (int)nlen, name);
    nm = sl_strndup(name, nlen);
    slot = find_slot(lib, nm);
    if (*slot) {
        p = &lib->pat[*slot - 1];
        sl_free(nm);
        sl_free(p->regex);
        sl_free(p->where);
    } else {
        if (lib->n == GROK_PATTERNS_MAX) {
            sl_free(nm);
            return sl_err_set(err, SL_ETOOBIG, where, "more than %u patterns", GROK_PATTERNS_MAX);
        }
        if (lib->n == lib->cap) {
            lib->cap = lib->cap ? lib->cap * 2 : 64;
            lib->pat = sl_realloc(lib->pat, lib->cap * sizeof *lib->pat);
        }
        p = &lib->pat[lib->n++];
        p->name = nm;
        *slot = (uint32_t)lib->n;
        if (lib->n * 2 > lib->nslot)
            rehash(lib, lib->nslot * 2);
    }
    p->regex = sl_strndup(regex, rlen);
    p->where = sl_strdup(where);
    return 0;
}

int grok_lib_add(struct grok_lib *lib, const char *name, const char *regex, const char *where,
                 struct sl_err *err)
{
    return add_n(lib, name, strlen(name), regex, strlen(regex), where, err);
}

size_t grok_lib_count(const struct grok_lib *lib)
{
    return lib ? lib->n : 0;
}

const char *grok_lib_name(const struct grok_lib *lib, size_t i)
{
    return lib && i < lib->n ? lib->pat[i].name : NULL;
}

static const struct gl_pat *lookup(const struct grok_lib *lib, const char *name)
{
    uint32_t *slot;

    if (!lib)
        return NULL;
    slot = find_slot(lib, name);
    return *slot ? &lib->pat[*slot - 1] : NULL;
}

const char *grok_lib_get(const struct grok_lib *lib, const char *name, const char **where)
{
    const struct gl_pat *p = lookup(lib, name);

    if (p && where)
        *where = p->where;
    return p ? p->regex : NULL;
}

static int read_file(const char *path, char **out, size_t *len, struct sl_err *err)
{
    int rc = sl_read_file(path, GROK_FILE_MAX, out, len, err);

    if (rc == SL_ETOOBIG)
        sl_err_set(err, rc, path, "pattern file larger than %u bytes", GROK_FILE_MAX);
    return rc;
}

int grok_lib_load_file(struct grok_lib *lib, const char *path, struct sl_err *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    rc = read_file(path, &text, &len, err);
    if (rc)
        return rc;
    rc = grok_lib_load_text(lib, path, text, len, err);
    sl_free(text);
    return rc;
}

int grok_lib_load_text(struct grok_lib *lib, const char *path, const char *text, size_t len,
                       struct sl_err *err)
{
    char where[256];
    size_t pos = 0;
    unsigned line = 0;
    int rc = 0;

    if (len > GROK_FILE_MAX)
        return sl_err_set(err, SL_ETOOBIG, path, "pattern file larger than %u bytes",
                          GROK_FILE_MAX);
    while (pos < len) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos, i = 0, name_end;

        pos += n + (nl != NULL);
        line++;
        snprintf(where, sizeof where, "%s:%u", path, line);
        if (n > GROK_LINE_MAX) {
            rc = sl_err_set(err, SL_ETOOBIG, where, "line longer than %u bytes", GROK_LINE_MAX);
            goto fail;
        }
        if (n && s[n - 1] == '\r')          /* Ruby's chomp, which Logstash uses */
            n--;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n || s[i] == '#')
            continue;
        name_end = i;
        while (name_end < n && s[name_end] != ' ' && s[name_end] != '\t')
            name_end++;
        if (memchr(s, '\0', n)) {
            rc = sl_err_set(err, SL_EINVAL, where, "NUL byte");
            goto fail;
        }
        {
            size_t r = name_end;
            while (r < n && (s[r] == ' ' || s[r] == '\t'))
                r++;
            rc = add_n(lib, s + i, name_end - i, s + r, n - r, where, err);
        }
        if (rc)
            goto fail;
    }
fail:
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int wanted(const char *name)
{
    size_t n = strlen(name);
    const char *dot = strchr(name, '.');

    if (name[0] == '.' || name[n - 1] == '~')
        return 0;
    return !dot || (n > 5 && strcmp(name + n - 5, ".grok") == 0);
}

int grok_lib_load_dir(struct grok_lib *lib, const char *dir, struct sl_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL, path[4096];
    size_t n = 0, cap = 0;
    int rc = 0;

    if (!d)
        return sl_err_set(err, SL_EIO, dir, "cannot open directory: %s", strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (!wanted(de->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = sl_realloc(names, cap * sizeof *names);
        }
        names[n++] = sl_strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && !rc; i++) {
        struct stat st;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path) {
            rc = sl_err_set(err, SL_EINVAL, dir, "path too long");
            break;
        }
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        rc = grok_lib_load_file(lib, path, err);
    }
    for (size_t i = 0; i < n; i++)
        sl_free(names[i]);
    sl_free(names);
    return rc;
}

/* ---- the map from the expanded regex back to its sources ---- */

struct xm_org {
    const void *key;            /* the pattern (or NULL: the expression) */
    char       *name;           /* NULL: the expression */
    char       *where;
    char       *text;
    size_t      len;
};

struct xm_ent {
    size_t   out, src;
    uint32_t org;
};

struct grok_xp_map {
    struct xm_org *org;
    size_t         norg, corg;
    struct xm_ent *ent;
    size_t         nent, cent;
};

static uint32_t map_org(struct grok_xp_map *m, const void *key, const char *name,
                        const char *where, const char *text, size_t len)
{
    for (size_t i = 0; i < m->norg; i++)
        if (m->org[i].key == key && (key || !m->org[i].name))
            return (uint32_t)i;
    if (m->norg == m->corg) {
        m->corg = m->corg ? m->corg * 2 : 8;
        m->org = sl_realloc(m->org, m->corg * sizeof *m->org);
    }
    m->org[m->norg].key = key;
    m->org[m->norg].name = name ? sl_strdup(name) : NULL;
    m->org[m->norg].where = sl_strdup(where ? where : "");
    m->org[m->norg].text = sl_strndup(text, len);
    m->org[m->norg].len = len;
    return (uint32_t)m->norg++;
}

static void map_add(struct grok_xp_map *m, size_t out, size_t src, uint32_t org)
{
    if (m->nent) {
        struct xm_ent *l = &m->ent[m->nent - 1];
        if (l->out == out) {                        /* nothing was written since */
            l->src = src;
            l->org = org;
            return;
        }
        if (l->org == org && out - l->out == src - l->src)
            return;                                 /* a plain copy goes on */
    }
    if (m->nent == m->cent) {
        m->cent = m->cent ? m->cent * 2 : 64;
        m->ent = sl_realloc(m->ent, m->cent * sizeof *m->ent);
    }
    m->ent[m->nent].out = out;
    m->ent[m->nent].src = src;
    m->ent[m->nent].org = org;
    m->nent++;
}

static void map_free(struct grok_xp_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->norg; i++) {
        sl_free(m->org[i].name);
        sl_free(m->org[i].where);
        sl_free(m->org[i].text);
    }
    sl_free(m->org);
    sl_free(m->ent);
    sl_free(m);
}

/* Writes "[pattern NAME, ]offset S: what; expanded regex offset O, near `...`". */
static int locate(const struct grok_xp_map *m, uint32_t org, size_t src, size_t out, int code,
                  const char *what, struct sl_err *err)
{
    const struct xm_org *o = &m->org[org];
    size_t from = src > 24 ? src - 24 : 0, to = src + 8 > o->len ? o->len : src + 8;
    char pat[GROK_NAME_MAX + 16] = "";

    if (o->name)
        snprintf(pat, sizeof pat, "pattern %s, ", o->name);
    return sl_err_set(err, code, o->where,
                      "%soffset %zu: %s; expanded regex offset %zu, near `%.*s`",
                      pat, src, what, out, (int)(to - from), o->text + from);
}

int grok_lib_locate(const struct grok_xp *x, size_t off, int code, const char *what,
                    struct sl_err *err)
{
    const struct grok_xp_map *m = x->map;
    size_t lo = 0, hi = m->nent, src;
    const struct xm_ent *e;

    if (!m->nent)
        return sl_err_set(err, code, "", "%s; expanded regex offset %zu", what, off);
    while (hi - lo > 1) {                           /* the last entry with out <= off */
        size_t mid = (lo + hi) / 2;
        if (m->ent[mid].out <= off)
            lo = mid;
        else
            hi = mid;
    }
    e = &m->ent[lo];
    src = e->src + (off > e->out ? off - e->out : 0);
    if (src > m->org[e->org].len)
        src = m->org[e->org].len;
    return locate(m, e->org, src, off, code, what, err);
}

/* ---- expansion ---- */

struct xs {
    const struct grok_lib *lib;
    struct grok_xp        *x;
    struct sl_buf          out;
    size_t                 ccap, cpiece;
    const struct gl_pat   *stack[GROK_NEST_MAX];
    unsigned               depth;
    int                    top_alt;
    const char            *expr_where;
    struct sl_err         *err;
};

/* The text being scanned: one pattern's regex or the expression. */
struct src {
    const char *t;
    size_t      n;
    uint32_t    org;
    int         top;            /* the expression itself: record its pieces */
};

static int xfail(struct xs *s, const struct src *c, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int xfail(struct xs *s, const struct src *c, size_t at, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    rc = locate(s->x->map, c->org, at, s->out.len, SL_EINVAL, what, s->err);
    if (c->org != 0 && s->err) {
        size_t l = strlen(s->err->msg);
        snprintf(s->err->msg + l, sizeof s->err->msg - l, " (in the expression at %s)",
                 s->expr_where);
    }
    return rc;
}

/* Appends p[0..k) as coming from c->t[at]. */
static int put(struct xs *s, const struct src *c, size_t at, const char *p, size_t k)
{
    map_add(s->x->map, s->out.len, at, c->org);
    if (sl_buf_append(&s->out, p, k))
        return xfail(s, c, at, "the expanded regex is longer than %u bytes", GROK_EXPANDED_MAX);
    return 0;
}

static int puts_(struct xs *s, const struct src *c, size_t at, const char *p)
{
    return put(s, c, at, p, strlen(p));
}

static int is_hex(int ch)
{
    return isxdigit((unsigned char)ch);
}

/* A quantifier in braces at t[i]: {n} {n,} {n,m} {,m}; returns its length, 0 if none. */
static size_t brace_len(const char *t, size_t n, size_t i, int *lead_comma)
{
    size_t j = i + 1, d1 = 0, d2 = 0;
    int comma = 0;

    while (j < n && isdigit((unsigned char)t[j]))
        j++, d1++;
    if (j < n && t[j] == ',') {
        comma = 1;
        j++;
        while (j < n && isdigit((unsigned char)t[j]))
            j++, d2++;
    }
    if (j >= n || t[j] != '}' || (d1 == 0 && d2 == 0))
        return 0;
    *lead_comma = comma && d1 == 0;
    return j + 1 - i;
}

static int quantifier_at(const char *t, size_t n, size_t i)
{
    int lc;

    if (i >= n)
        return 0;
    return t[i] == '*' || t[i] == '+' || t[i] == '?' || (t[i] == '{' && brace_len(t, n, i, &lc));
}

/* An escape whose argument is in braces (\x{...}, \p{...}, \o{...}) is copied whole. */
static size_t braced_escape_len(const char *t, size_t n, size_t i)
{
    size_t j;

    if (i + 2 >= n || t[i + 2] != '{')
        return 0;
    for (j = i + 3; j < n && t[j] != '}'; j++)
        ;
    return j < n ? j + 1 - i : 0;
}

/* \uHHHH (Oniguruma's Ruby syntax) is \x{HHHH} in PCRE2. */
static int put_u(struct xs *s, const struct src *c, size_t *i)
{
    const char *t = c->t;
    char buf[16];

    for (size_t k = 2; k < 6; k++)
        if (*i + k >= c->n || !is_hex(t[*i + k]))
            return xfail(s, c, *i, "\\u needs four hex digits");
    snprintf(buf, sizeof buf, "\\x{%.4s}", t + *i + 2);
    *i += 6;
    return puts_(s, c, *i - 6, buf);
}

/* The groups named name (written as in the source) captured so far. */
static int named_groups(struct xs *s, const struct src *c, size_t at, const char *name, size_t nlen,
                        size_t *ids, size_t *nids)
{
    struct fld_name fn;
    struct sl_err e2;
    int rc;

    if (nlen && (isdigit((unsigned char)name[0]) || name[0] == '-' || name[0] == '+'))
        return xfail(s, c, at, "numbered group references cannot be translated: grok renumbers "
                     "groups; name the group and write \\k<name>");
    rc = fld_name_parse(&fn, name, nlen, &e2);
    if (rc)
        return xfail(s, c, at, "%s", e2.msg);
    *nids = 0;
    for (size_t i = 0; i < s->x->ncap && *nids < 16; i++)
        if (strcmp(s->x->cap[i].name.path, fn.path) == 0)
            ids[(*nids)++] = i;
    fld_name_free(&fn);
    if (*nids == 0)
        return xfail(s, c, at, "no group named `%.*s` before this reference", (int)nlen, name);
    return 0;
}

/* \k<name> / \g<name> with the name mapped to the generated ones. Oniguruma
 * tries the last group of a repeated name first, so the alternatives go in
 * that order. */
static int put_named_ref(struct xs *s, const struct src *c, size_t *i)
{
    const char *t = c->t;
    char kind = t[*i + 1], close, buf[48];
    size_t at = *i, j, ids[16], nids = 0;
    int rc;

    if (*i + 2 >= c->n || (t[*i + 2] != '<' && t[*i + 2] != '\''))
        return xfail(s, c, at, "\\%c needs <name>", kind);
    close = t[*i + 2] == '<' ? '>' : '\'';
    for (j = *i + 3; j < c->n && t[j] != close; j++)
        ;
    if (j >= c->n)
        return xfail(s, c, at, "\\%c<name without its %c", kind, close);
    rc = named_groups(s, c, at, t + *i + 3, j - (*i + 3), ids, &nids);
    if (rc)
        return rc;
    *i = j + 1;
    if (kind == 'g') {
        if (nids > 1)
            return xfail(s, c, at, "\\g<name> calls a name given to several groups");
        snprintf(buf, sizeof buf, "\\g<g%zu>", ids[0]);
        return puts_(s, c, at, buf);
    }
    if (nids > 1 && (rc = puts_(s, c, at, "(?:")))
        return rc;
    for (size_t k = nids; k-- > 0;) {
        snprintf(buf, sizeof buf, "%s\\k<g%zu>", k + 1 < nids ? "|" : "", ids[k]);
        if ((rc = puts_(s, c, at, buf)))
            return rc;
    }
    return nids > 1 ? puts_(s, c, at, ")") : 0;
}

/* An escape PCRE2 reads as Oniguruma does, copied as is: \\x{..}, \\p{..},
 * \\o{..} with their braces, \\cX with its letter, anything else as two bytes. */
static int copy_escape(struct xs *s, const struct src *c, size_t *i)
{
    const char *t = c->t;
    size_t at = *i, k;
    char d = t[*i + 1];

    if ((d == 'x' || d == 'p' || d == 'P' || d == 'o') && (k = braced_escape_len(t, c->n, *i))) {
        *i += k;
        return put(s, c, at, t + at, k);
    }
    if (d == 'c' && *i + 2 < c->n) {
        *i += 3;
        return put(s, c, at, t + at, 3);
    }
    *i += 2;
    return put(s, c, at, t + at, 2);
}

static int x_escape(struct xs *s, const struct src *c, size_t *i)
{
    const char *t = c->t;
    size_t at = *i;
    char d;

    if (*i + 1 >= c->n)                 /* it would escape the ) that closes %{...} */
        return xfail(s, c, at, "a backslash at the end");
    d = t[*i + 1];
    switch (d) {
    case 'h':
        *i += 2;
        return puts_(s, c, at, "[0-9a-fA-F]");
    case 'H':
        *i += 2;
        return puts_(s, c, at, "[^0-9a-fA-F]");
    case 'v':                                       /* a vertical tab there, a class here */
        *i += 2;
        return puts_(s, c, at, "\\x0b");
    case 'u':
        return put_u(s, c, i);
    case 'k':
    case 'g':
        return put_named_ref(s, c, i);
    case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        return xfail(s, c, at, "numbered backreference \\%c cannot be translated: grok renumbers "
                     "groups; name the group and write \\k<name>", d);
    case 'Q':
    case 'E':
        return xfail(s, c, at, "\\%c is a literal %c in Oniguruma's Ruby syntax and a quote in "
                     "PCRE2: escape what you mean instead", d, d);
    case 'y':
    case 'Y':
    case 'O':
        return xfail(s, c, at, "\\%c (an Oniguruma-only escape) cannot be translated", d);
    case 'C':
    case 'M':
        if (*i + 2 < c->n && t[*i + 2] == '-')
            return xfail(s, c, at, "\\%c-x (a Ruby control/meta escape) cannot be translated", d);
        break;
    default:
        break;
    }
    return copy_escape(s, c, i);
}

static int x_class(struct xs *s, const struct src *c, size_t *i, int nested);

/* One item inside a character class. */
static int x_class_item(struct xs *s, const struct src *c, size_t *i)
{
    const char *t = c->t;
    size_t at = *i, k;

    if (t[*i] == '\\' && *i + 1 < c->n) {
        char d = t[*i + 1];
        switch (d) {
        case 'h':
            *i += 2;
            return puts_(s, c, at, "0-9a-fA-F");
        case 'H':
            return xfail(s, c, at, "\\H inside a character class cannot be translated; "
                         "write [^0-9a-fA-F] outside one");
        case 'v':
            *i += 2;
            return puts_(s, c, at, "\\x0b");
        case 'u':
            return put_u(s, c, i);
        default:
            break;
        }
        return copy_escape(s, c, i);
    }
    if (t[*i] == '[' && *i + 1 < c->n && (t[*i + 1] == ':' || t[*i + 1] == '=' ||
                                          t[*i + 1] == '.')) {
        char kind = t[*i + 1];
        for (k = *i + 2; k + 1 < c->n; k++)
            if (t[k] == kind && t[k + 1] == ']') {
                *i = k + 2;
                return put(s, c, at, t + at, *i - at);
            }
    }
    if (t[*i] == '[')
        return x_class(s, c, i, 1);
    if (t[*i] == '&' && *i + 1 < c->n && t[*i + 1] == '&')
        return xfail(s, c, at, "class intersection && (Oniguruma) cannot be translated");
    (*i)++;
    return put(s, c, at, t + at, 1);
}

/* A character class at t[*i] == '['. A class inside a class is an Oniguruma
 * set union: [a[bc]] is [abc], so an inner one loses its brackets. */
static int x_class(struct xs *s, const struct src *c, size_t *i, int nested)
{
    const char *t = c->t;
    size_t at = *i;
    int rc;

    (*i)++;
    if (*i < c->n && t[*i] == '^') {
        if (nested)
            return xfail(s, c, at, "a negated class inside a class (Oniguruma) cannot be "
                         "translated");
        (*i)++;
        if ((rc = put(s, c, at, "[^", 2)))
            return rc;
    } else if (!nested && (rc = put(s, c, at, "[", 1))) {
        return rc;
    }
    if (*i < c->n && t[*i] == ']') {                /* first: a literal ] in both */
        (*i)++;
        if ((rc = put(s, c, *i - 1, "\\]", 2)))
            return rc;
    }
    while (*i < c->n && t[*i] != ']')
        if ((rc = x_class_item(s, c, i)))
            return rc;
    if (*i >= c->n)                                 /* PCRE2 reports the missing ] */
        return 0;
    (*i)++;
    return nested ? 0 : put(s, c, *i - 1, "]", 1);
}

static int parse_type(struct xs *s, const struct src *c, size_t at, const char *p, size_t n,
                      enum fld_type *type)
{
    if (n == 3 && memcmp(p, "int", 3) == 0)
        *type = FLD_INT;
    else if (n == 5 && memcmp(p, "float", 5) == 0)
        *type = FLD_FLOAT;
    else
        return xfail(s, c, at, "type `%.*s`: grok knows only int and float", (int)n, p);
    return 0;
}

/* Starts the named group for field name (optionally "name:type"). */
static int open_capture(struct xs *s, const struct src *c, size_t at, const char *name,
                        size_t nlen, const char *type, size_t tlen)
{
    struct grok_cap *cap;
    struct sl_err e2;
    enum fld_type ty = FLD_STRING;
    char buf[32];
    int rc;

    if (type && (rc = parse_type(s, c, at, type, tlen, &ty)))
        return rc;
    if (s->x->ncap == GROK_CAPS_MAX)
        return xfail(s, c, at, "more than %u named captures", GROK_CAPS_MAX);
    if (s->x->ncap == s->ccap) {
        s->ccap = s->ccap ? s->ccap * 2 : 16;
        s->x->cap = sl_realloc(s->x->cap, s->ccap * sizeof *s->x->cap);
    }
    cap = &s->x->cap[s->x->ncap];
    rc = fld_name_parse(&cap->name, name, nlen, &e2);
    if (rc)
        return xfail(s, c, at, "%s", e2.msg);
    cap->type = ty;
    snprintf(buf, sizeof buf, "(?<g%zu>", s->x->ncap);
    s->x->ncap++;
    return puts_(s, c, at, buf);
}

/* (?<name>...), (?'name'...), (?P<name>...): name up to close. */
static int x_named(struct xs *s, const struct src *c, size_t *i, size_t name_at, char close)
{
    const char *t = c->t, *colon;
    size_t at = *i, j;

    for (j = name_at; j < c->n && t[j] != close; j++)
        ;
    if (j >= c->n)
        return xfail(s, c, at, "group name without its %c", close);
    *i = j + 1;
    colon = memchr(t + name_at, ':', j - name_at);
    if (colon)
        return open_capture(s, c, at, t + name_at, (size_t)(colon - (t + name_at)), colon + 1,
                            (size_t)(t + j - colon - 1));
    return open_capture(s, c, at, t + name_at, j - name_at, NULL, 0);
}

/* (?imx-imx) and (?imx-imx:...): Oniguruma's m is PCRE2's s (dot matches
 * newline); PCRE2's m is what ^ and $ always do in Oniguruma. */
static int x_options(struct xs *s, const struct src *c, size_t *i, int *grp)
{
    const char *t = c->t;
    size_t at = *i, j;
    char buf[32];
    size_t k = 0;

    buf[k++] = '(';
    buf[k++] = '?';
    for (j = *i + 2; j < c->n && t[j] != ')' && t[j] != ':'; j++) {
        switch (t[j]) {
        case 'i':
        case '-':
            buf[k++] = t[j];
            break;
        case 'm':
        case 's':
            buf[k++] = 's';
            break;
        case 'x':
            return xfail(s, c, at, "extended mode (?x) is not supported");
        default:
            return xfail(s, c, at, "group option `%c` cannot be translated", t[j]);
        }
        if (k > sizeof buf - 4)
            return xfail(s, c, at, "too many group options");
    }
    if (j >= c->n)
        return xfail(s, c, at, "(? without its )");
    buf[k++] = t[j];
    buf[k] = '\0';
    *grp = t[j] == ':';
    *i = j + 1;
    return puts_(s, c, at, buf);
}

/* A group at t[*i] == '('; *opened says whether it nests (comments and
 * option settings do not). */
static int x_open(struct xs *s, const struct src *c, size_t *i, int *opened)
{
    const char *t = c->t;
    size_t at = *i, j;
    char d;

    *opened = 1;
    if (*i + 1 >= c->n || t[*i + 1] != '?') {
        (*i)++;
        return put(s, c, at, "(", 1);       /* PCRE2_NO_AUTO_CAPTURE: not a capture */
    }
    d = *i + 2 < c->n ? t[*i + 2] : '\0';
    switch (d) {
    case '#':
        *opened = 0;
        for (j = *i + 3; j < c->n && t[j] != ')'; j++)
            ;
        *i = j < c->n ? j + 1 : j;
        return 0;                               /* comments are dropped */
    case ':':
    case '=':
    case '!':
    case '>':
        *i += 3;
        return put(s, c, at, t + at, 3);
    case '<':
        if (*i + 3 < c->n && (t[*i + 3] == '=' || t[*i + 3] == '!')) {
            *i += 4;
            return put(s, c, at, t + at, 4);
        }
        return x_named(s, c, i, *i + 3, '>');
    case '\'':
        return x_named(s, c, i, *i + 3, '\'');
    case 'P':
        if (*i + 3 < c->n && t[*i + 3] == '<')
            return x_named(s, c, i, *i + 4, '>');
        return xfail(s, c, at, "(?P...) forms other than (?P<name>...) are not Oniguruma's");
    case '~':
        return xfail(s, c, at, "the absent operator (?~...) cannot be translated");
    case '(':
        return xfail(s, c, at, "conditional groups (?(...)...) are not supported");
    case 'i':
    case 'm':
    case 's':
    case 'x':
    case '-':
        return x_options(s, c, i, opened);
    default:
        return xfail(s, c, at, "group syntax `(?%c` cannot be translated", d ? d : ' ');
    }
}

static int field_char(int ch)
{
    return name_char(ch) || ch == '@' || ch == '[' || ch == ']' || ch == '.' || ch == '-';
}

static int xlate(struct xs *s, const struct src *c);

/* %{NAME}, %{NAME:field}, %{NAME:field:type}, %{NAME=regex}, %{NAME:field=regex}. */
static int x_ref(struct xs *s, const struct src *c, size_t *i)
{
    const char *t = c->t, *name, *field = NULL, *type = NULL, *def = NULL;
    size_t at = *i, j = *i + 2, nlen, flen = 0, tlen = 0, dlen = 0;
    char nm[GROK_NAME_MAX + 1];
    const struct gl_pat *p = NULL;
    struct src body;
    int rc;

    name = t + j;
    while (j < c->n && name_char((unsigned char)t[j]))
        j++;
    nlen = (size_t)(t + j - name);
    if (nlen == 0 || nlen > GROK_NAME_MAX)
        return xfail(s, c, at, "%%{ must be followed by a pattern name (for a literal, write "
                     "\\%%\\{)");
    if (j < c->n && t[j] == ':') {
        field = t + ++j;
        while (j < c->n && field_char((unsigned char)t[j]))
            j++;
        flen = (size_t)(t + j - field);
        if (j < c->n && t[j] == ':') {
            type = t + ++j;
            while (j < c->n && isalnum((unsigned char)t[j]))
                j++;
            tlen = (size_t)(t + j - type);
        }
    }
    if (j < c->n && t[j] == '=') {
        def = t + ++j;
        while (j < c->n && t[j] != '}' && t[j] != '{')
            j++;
        dlen = (size_t)(t + j - def);
    }
    if (j >= c->n || t[j] != '}')
        return xfail(s, c, j < c->n ? j : at, "bad character in %%{...} or no closing }");
    *i = j + 1;
    memcpy(nm, name, nlen);
    nm[nlen] = '\0';

    if (def) {
        body.t = def;
        body.n = dlen;
        body.org = map_org(s->x->map, def, nm, s->x->map->org[c->org].where, def, dlen);
    } else {
        p = lookup(s->lib, nm);
        if (!p)
            return xfail(s, c, at, "unknown pattern %%{%s}", nm);
        for (unsigned k = 0; k < s->depth; k++) {
            if (s->stack[k] != p)
                continue;
            char cyc[512];
            size_t l = 0;
            for (unsigned m = k; m < s->depth && l < sizeof cyc; m++)
                l += (size_t)snprintf(cyc + l, sizeof cyc - l, "%s -> ", s->stack[m]->name);
            if (l < sizeof cyc)
                snprintf(cyc + l, sizeof cyc - l, "%s", nm);
            return xfail(s, c, at, "pattern cycle %s", cyc);
        }
        if (s->depth == GROK_NEST_MAX)
            return xfail(s, c, at, "patterns nested deeper than %u", GROK_NEST_MAX);
        body.t = p->regex;
        body.n = strlen(p->regex);
        body.org = map_org(s->x->map, p, p->name, p->where, p->regex, strlen(p->regex));
    }
    body.top = 0;

    if (field && flen == 0)
        return xfail(s, c, at, "empty field name in %%{%s:}", nm);
    if (field)
        rc = open_capture(s, c, at, field, flen, type, tlen);
    else
        rc = put(s, c, at, "(?:", 3);
    if (rc)
        return rc;
    if (p)
        s->stack[s->depth++] = p;
    rc = xlate(s, &body);
    if (p)
        s->depth--;
    if (rc)
        return rc;
    return put(s, c, *i - 1, ")", 1);
}

/* '{' outside a class: Oniguruma's {,n} is {0,n}; its {n,m}+ repeats the
 * repeat (PCRE2 would read a possessive). Not a quantifier: a literal. */
static int x_brace(struct xs *s, const struct src *c, size_t *i)
{
    const char *t = c->t;
    size_t at = *i, k;
    int lead_comma = 0, rc;

    k = brace_len(t, c->n, *i, &lead_comma);
    if (!k) {
        (*i)++;
        return put(s, c, at, "{", 1);
    }
    if (at + k < c->n && t[at + k] == '+')
        return xfail(s, c, at, "X{n,m}+ repeats X{n,m} in Oniguruma but is possessive in PCRE2; "
                     "write (?:X{n,m})+");
    *i += k;
    if (lead_comma) {
        if ((rc = put(s, c, at, "{0", 2)))
            return rc;
        return put(s, c, at + 1, t + at + 1, k - 1);
    }
    return put(s, c, at, t + at, k);
}

static void piece(struct xs *s, size_t src_end)
{
    struct grok_xp *x = s->x;

    if (x->npiece == s->cpiece) {
        s->cpiece = s->cpiece ? s->cpiece * 2 : 16;
        x->piece_end = sl_realloc(x->piece_end, s->cpiece * sizeof *x->piece_end);
        x->piece_src = sl_realloc(x->piece_src, s->cpiece * sizeof *x->piece_src);
    }
    x->piece_end[x->npiece] = s->out.len;
    x->piece_src[x->npiece] = src_end;
    x->npiece++;
}

static int xlate(struct xs *s, const struct src *c)
{
    const char *t = c->t;
    size_t i = 0;
    int depth = 0, rc, opened;

    while (i < c->n) {
        size_t at = i;
        switch (t[i]) {
        case '\\':
            rc = x_escape(s, c, &i);
            break;
        case '[':
            rc = x_class(s, c, &i, 0);
            break;
        case '(':
            rc = x_open(s, c, &i, &opened);
            depth += opened;
            break;
        case ')':
            if (depth == 0)
                return xfail(s, c, at, ") without its (");
            depth--;
            i++;
            rc = put(s, c, at, ")", 1);
            break;
        case '{':
            rc = x_brace(s, c, &i);
            break;
        case '%':
            if (i + 1 < c->n && t[i + 1] == '{') {
                rc = x_ref(s, c, &i);
                break;
            }
            i++;
            rc = put(s, c, at, "%", 1);
            break;
        case '|':
            if (c->top && depth == 0)
                s->top_alt = 1;
            i++;
            rc = put(s, c, at, "|", 1);
            break;
        default:
            i++;
            rc = put(s, c, at, t + at, 1);
            break;
        }
        if (rc)
            return rc;
        if (c->top && depth == 0 && !quantifier_at(t, c->n, i))
            piece(s, i);
    }
    /* Checked per text, so the error names the pattern that is short of
     * a ), not the end of the expression where PCRE2 would notice. */
    if (depth > 0)
        return xfail(s, c, c->n, "missing ) (%d open)", depth);
    return 0;
}

void grok_lib_xp_free(struct grok_xp *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->ncap; i++)
        fld_name_free(&x->cap[i].name);
    sl_free(x->cap);
    sl_free(x->regex);
    sl_free(x->piece_end);
    sl_free(x->piece_src);
    map_free(x->map);
    sl_free(x);
}

int grok_lib_expand(struct grok_xp **out, const struct grok_lib *lib, const char *expr,
                    const char *where, struct sl_err *err)
{
    struct grok_xp *x = sl_calloc(1, sizeof *x);
    struct xs s;
    struct src top;
    int rc;

    *out = NULL;
    memset(&s, 0, sizeof s);
    s.lib = lib;
    s.x = x;
    s.err = err;
    s.expr_where = where ? where : "(expression)";
    x->map = sl_calloc(1, sizeof *x->map);
    sl_buf_init(&s.out, 256, GROK_EXPANDED_MAX);
    top.t = expr;
    top.n = strlen(expr);
    top.org = map_org(x->map, NULL, NULL, s.expr_where, expr, top.n);
    top.top = 1;
    rc = xlate(&s, &top);
    if (rc)
        goto fail;
    if (s.top_alt)
        x->npiece = 0;
    x->top_alt = s.top_alt;
    x->regex = sl_buf_steal(&s.out, &x->len);
    *out = x;
    x = NULL;
fail:
    sl_buf_free(&s.out);
    grok_lib_xp_free(x);
    return rc;
}
