/* parser/lognorm.c: liblognorm v2 rulebases as a grammar.
 *
 * Design:
 * - Snapshot. The rulebase is read once and written to a sealed memfd;
 *   every liblognorm context (one per thread, below) is loaded from
 *   /proc/self/fd/N, so all threads run the same rules even if the file
 *   changes under them, and liblognorm's file reader does the parsing with
 *   its own line numbers. Its string reader is not used: in 2.0.x
 *   ln_loadSamplesFromString cannot take the "version=2" line and calls
 *   fgetpos() on a NULL FILE when a rule's '%' runs past a line end.
 *   Files a rulebase pulls in with include= are read at each load.
 * - Threads. ln_normalize is not safe on a shared context: ln_normalizeRec
 *   does `++dag->stats.called` on the shared DAG for every node it visits
 *   (unconditionally, 2.0.6 to 2.0.9), and a match adds the rule's tag
 *   array, owned by the context, to the result by reference. rsyslog's
 *   mmnormalize shares one context between workers and lives with the race;
 *   here each thread's scratch loads its own context (memory: one rulebase
 *   per worker; time: one load per worker at start).
 * - Errors. Every message liblognorm has goes through ln_setErrMsgCB into
 *   the caller's sl_err; nothing is printed. liblognorm 2.0.6 hands the
 *   error callback the debug cookie instead of ours, so the callback finds
 *   its load through a thread-local set around ln_loadSamples (a load runs
 *   on the calling thread). ln_loadSamples returns 0 after reporting and
 *   skipping a bad rule; a rulebase that would silently lose rules is
 *   refused: any report fails the load.
 * - Result. liblognorm returns a JSON object; it is walked into typed
 *   fields rather than emitted as one FLD_JSON per top-level key, because
 *   the event already has objects of its own (source.ip from the input,
 *   log.syslog...): a rule's `source.port` must land in that same `source`
 *   object, which a second opaque `"source":{...}` cannot do. So: nested
 *   objects become dotted paths; keys with dots are split (`source.ip` is
 *   source -> ip; Elasticsearch reads a dotted key the same way); empty
 *   segments are dropped (a key of only dots merges an object into its
 *   parent, a scalar under it is dropped); strings, integers, doubles and
 *   booleans keep their types; arrays, and objects deeper than
 *   FLD_DEPTH_MAX keys, go out as FLD_JSON text; null is left out (the
 *   document never holds null). liblognorm's "event.tags" becomes one
 *   field "tags" per tag; "originalmsg" and "unparsed-data" (its no-match
 *   bookkeeping) are never emitted.
 * - NUL bytes. liblognorm's literal parser compares the rule's literal with
 *   the line until the line ends, not the literal, so a NUL in the line
 *   matches the literal's terminator and the read runs past it (2.0.6 to
 *   2.0.9). Its parsers are C-string minded anyway: the line is handed over
 *   up to its first NUL (the document keeps the whole message).
 * - Explain. On a miss liblognorm's result holds "unparsed-data": the line
 *   from the furthest offset any path of its DAG reached. That offset is
 *   what `sluice test --explain` reports; liblognorm does not say which
 *   rule got there, so neither can sluice. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE                 /* memfd_create, F_ADD_SEALS */
#endif
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>                   /* libfastjson, as liblognorm.h wants it */
#include <liblognorm.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/mem.h"
#include "parser/lognorm.h"

#define LN_VERSION_LINE "version=2\n"
#define LN_FDPATH_MAX   48u
#define LN_NAME_MAX     (SL_MAX_MSG_LIMIT + 64u * 1024u)  /* a path of keys: message + rule names */

struct lognorm {
    char               *display;    /* file path or the caller's name, for errors */
    int                 fd;         /* the sealed snapshot */
    char                fdpath[LN_FDPATH_MAX];
    enum lognorm_space  space;
};

struct lognorm_scratch {
    ln_ctx          ctx;
    struct sl_buf   line;           /* " " + message for the prepend modes */
    struct sl_buf   keys;           /* the current path's keys, each NUL-terminated */
    struct sl_buf   path;           /* the same keys joined with '.' */
};

/* One load in progress on this thread: where liblognorm's reports go. */
struct ln_load {
    const struct lognorm *ln;
    struct sl_err        *err;
    unsigned              nerr;
    size_t                used;     /* bytes of err->msg filled */
};

static _Thread_local struct ln_load *ln_cur;

void lognorm_opts_default(struct lognorm_opts *o)
{
    memset(o, 0, sizeof *o);
    o->space = LOGNORM_SPACE_ASIS;
}

int lognorm_space_parse(const char *s, enum lognorm_space *out)
{
    if (!strcmp(s, "as-is"))
        *out = LOGNORM_SPACE_ASIS;
    else if (!strcmp(s, "prepend"))
        *out = LOGNORM_SPACE_PREPEND;
    else if (!strcmp(s, "auto"))
        *out = LOGNORM_SPACE_AUTO;
    else
        return SL_EINVAL;
    return 0;
}

/* Copies src into dst (capacity cap, always NUL-terminated), writing the
 * rulebase's name wherever liblognorm wrote the snapshot's /proc path. */
static size_t copy_named(char *dst, size_t cap, const char *src, size_t n, const struct lognorm *ln)
{
    size_t fl = strlen(ln->fdpath), dl = strlen(ln->display), o = 0;

    if (!cap)
        return 0;
    for (size_t i = 0; i < n && o + 1 < cap; ) {
        if (n - i >= fl && !memcmp(src + i, ln->fdpath, fl)) {
            size_t k = dl < cap - 1 - o ? dl : cap - 1 - o;
            memcpy(dst + o, ln->display, k);
            o += k;
            i += fl;
        } else {
            dst[o++] = src[i++];
        }
    }
    dst[o] = '\0';
    return o;
}

/* liblognorm's reports read "rulebase file FILE[LINE]: text" while loading;
 * that becomes where = "FILE:LINE", message = text. The first report fills
 * the error, later ones are appended while they fit, then counted. */
static void on_ln_error(void *cookie, const char *msg, size_t len)
{
    static const char pre[] = "rulebase file ";
    struct ln_load *st = cookie ? cookie : ln_cur;
    const char *text = msg, *end = msg + strlen(msg);
    char where[sizeof st->err->where] = "";
    struct sl_err *e;

    (void)len;                      /* msg is NUL-terminated; len overstates a cut report */
    if (!st)
        return;
    st->nerr++;
    e = st->err;
    if (!e)
        return;
    if (!strncmp(msg, pre, sizeof pre - 1)) {
        const char *close = strstr(msg, "]: ");
        const char *open = close;

        while (open && open > msg + sizeof pre - 1 && *open != '[')
            open--;
        if (close && open && *open == '[') {
            size_t w = copy_named(where, sizeof where - 16, msg + sizeof pre - 1,
                                  (size_t)(open - msg) - (sizeof pre - 1), st->ln);

            if (close - open - 1 > 0 && strncmp(open + 1, "0]", 2)) {  /* 0: no line yet */
                where[w++] = ':';
                copy_named(where + w, sizeof where - w, open + 1, (size_t)(close - open - 1), st->ln);
            }
            text = close + 3;
        }
    }
    if (!where[0])
        copy_named(where, sizeof where, st->ln->display, strlen(st->ln->display), st->ln);
    if (st->nerr == 1) {
        e->code = SL_ECONFIG;
        snprintf(e->where, sizeof e->where, "%s", where);
        st->used = copy_named(e->msg, sizeof e->msg, text, (size_t)(end - text), st->ln);
        return;
    }
    if (st->used + strlen(where) + (size_t)(end - text) + 40 < sizeof e->msg) {
        st->used += (size_t)snprintf(e->msg + st->used, sizeof e->msg - st->used, "; %s: ", where);
        st->used += copy_named(e->msg + st->used, sizeof e->msg - st->used, text,
                               (size_t)(end - text), st->ln);
    }
}

/* Loads a context from the snapshot into *out; on failure, err says why. */
static int ctx_load(const struct lognorm *ln, ln_ctx *out, struct sl_err *err)
{
    struct ln_load st = { ln, err, 0, 0 };
    struct ln_load *saved = ln_cur;
    ln_ctx ctx = ln_initCtx();
    int r;

    *out = NULL;
    if (!ctx)
        return sl_err_set(err, SL_EIO, ln->display, "liblognorm could not make a context");
    ln_setErrMsgCB(ctx, on_ln_error, &st);
    ln_cur = &st;
    r = ln_loadSamples(ctx, ln->fdpath);
    ln_cur = saved;
    ln_setErrMsgCB(ctx, on_ln_error, NULL);     /* st dies here; later reports are dropped */
    if (r == 0 && st.nerr == 0) {
        *out = ctx;
        return 0;
    }
    ln_exitCtx(ctx);
    if (st.nerr == 0)
        return sl_err_set(err, SL_ECONFIG, ln->display,
                          "liblognorm could not load the rulebase (code %d)", r);
    if (st.nerr > 1 && err) {
        char more[48];
        size_t ml = (size_t)snprintf(more, sizeof more, " (%u problems)", st.nerr);

        if (st.used + ml < sizeof err->msg)
            memcpy(err->msg + st.used, more, ml + 1);
    }
    return SL_ECONFIG;
}

static int snapshot(struct lognorm *ln, const char *text, size_t len, struct sl_err *err)
{
    const char *nul;
    size_t off = 0;

    if (len < sizeof LN_VERSION_LINE - 1 || memcmp(text, LN_VERSION_LINE, sizeof LN_VERSION_LINE - 1))
        return sl_err_set(err, SL_ECONFIG, ln->display,
                          "line 1: not a liblognorm v2 rulebase: the first line must be \"version=2\"");
    nul = memchr(text, '\0', len);
    if (nul) {
        unsigned line = 1;

        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        return sl_err_set(err, SL_ECONFIG, ln->display, "line %u: a NUL byte", line);
    }
    ln->fd = memfd_create("sluice-rulebase", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (ln->fd < 0)
        return sl_err_set(err, SL_EIO, ln->display, "memfd_create: %s", strerror(errno));
    while (off < len) {
        ssize_t w = write(ln->fd, text + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return sl_err_set(err, SL_EIO, ln->display, "writing the snapshot: %s", strerror(errno));
        off += (size_t)w;
    }
    if (fcntl(ln->fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
        return sl_err_set(err, SL_EIO, ln->display, "sealing the snapshot: %s", strerror(errno));
    snprintf(ln->fdpath, sizeof ln->fdpath, "/proc/self/fd/%d", ln->fd);
    return 0;
}

int lognorm_load_string(struct lognorm **out, const char *name, const char *text, size_t len,
                        const struct lognorm_opts *o, struct sl_err *err)
{
    struct lognorm *ln = sl_calloc(1, sizeof *ln);
    ln_ctx ctx;
    int rc;

    *out = NULL;
    ln->fd = -1;
    ln->display = sl_strdup(name && *name ? name : "rulebase");
    ln->space = o ? o->space : LOGNORM_SPACE_ASIS;
    if ((unsigned)ln->space > LOGNORM_SPACE_AUTO) {
        rc = sl_err_set(err, SL_EINVAL, ln->display, "unknown leading-space mode %d", (int)ln->space);
        goto fail;
    }
    rc = snapshot(ln, text, len, err);
    if (rc)
        goto fail;
    rc = ctx_load(ln, &ctx, err);
    if (rc)
        goto fail;
    ln_exitCtx(ctx);                /* it proved the rulebase; threads load their own */
    *out = ln;
    ln = NULL;
fail:
    lognorm_free(ln);
    return rc;
}

int lognorm_load_file(struct lognorm **out, const char *path, const struct lognorm_opts *o,
                      struct sl_err *err)
{
    struct stat st;
    char *text = NULL;
    size_t got = 0;
    int fd, rc;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sl_err_set(err, SL_EIO, path, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) < 0) {
        rc = sl_err_set(err, SL_EIO, path, "fstat: %s", strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = sl_err_set(err, SL_EINVAL, path, "not a regular file");
        goto fail;
    }
    if ((uint64_t)st.st_size > SL_CONFIG_FILE_LIMIT) {
        rc = sl_err_set(err, SL_ETOOBIG, path, "rulebase larger than %u bytes", SL_CONFIG_FILE_LIMIT);
        goto fail;
    }
    text = sl_malloc((size_t)st.st_size + 1);
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, text + got, (size_t)st.st_size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = sl_err_set(err, SL_EIO, path, "read: %s", strerror(errno));
            goto fail;
        }
        if (r == 0)
            break;                  /* shrank while read: take what is there */
        got += (size_t)r;
    }
    rc = lognorm_load_string(out, path, text, got, o, err);
fail:
    sl_free(text);
    close(fd);
    return rc;
}

void lognorm_free(struct lognorm *ln)
{
    if (!ln)
        return;
    if (ln->fd >= 0)
        close(ln->fd);
    sl_free(ln->display);
    sl_free(ln);
}

struct lognorm_scratch *lognorm_scratch_new(const struct lognorm *ln)
{
    struct lognorm_scratch *s;
    ln_ctx ctx;

    if (ctx_load(ln, &ctx, NULL))
        return NULL;
    s = sl_calloc(1, sizeof *s);
    s->ctx = ctx;
    sl_buf_init(&s->line, 256, SL_MAX_MSG_LIMIT + 1u);
    sl_buf_init(&s->keys, 128, LN_NAME_MAX);
    sl_buf_init(&s->path, 128, LN_NAME_MAX);
    return s;
}

void lognorm_scratch_free(struct lognorm_scratch *s)
{
    if (!s)
        return;
    ln_exitCtx(s->ctx);
    sl_buf_free(&s->line);
    sl_buf_free(&s->keys);
    sl_buf_free(&s->path);
    sl_free(s);
}

/* The walk of one result: the path of keys down to the current value. */
struct walk {
    struct lognorm_scratch *s;
    fld_emit_fn             emit;
    void                   *arg;
    unsigned                depth;
    size_t                  key_off[FLD_DEPTH_MAX];     /* into s->keys */
    size_t                  key_len[FLD_DEPTH_MAX];
    size_t                  path_len[FLD_DEPTH_MAX];    /* s->path.len before key i */
    int                     stop;                       /* GRAMMAR_LIMIT reached */
};

static int push(struct walk *w, const char *k, size_t n)
{
    struct lognorm_scratch *s = w->s;

    w->key_off[w->depth] = s->keys.len;
    w->key_len[w->depth] = n;
    w->path_len[w->depth] = s->path.len;
    if (sl_buf_append(&s->keys, k, n) || sl_buf_putc(&s->keys, '\0') ||
        (w->depth && sl_buf_putc(&s->path, '.')) || sl_buf_append(&s->path, k, n)) {
        s->keys.len = w->key_off[w->depth];
        s->path.len = w->path_len[w->depth];
        s->path.data[s->path.len] = '\0';
        w->stop = 1;
        return -1;
    }
    w->depth++;
    return 0;
}

static void pop_to(struct walk *w, unsigned depth)
{
    struct lognorm_scratch *s = w->s;

    if (w->depth <= depth)
        return;
    s->keys.len = w->key_off[depth];
    s->path.len = w->path_len[depth];
    s->path.data[s->path.len] = '\0';
    w->depth = depth;
}

static void put(struct walk *w, enum fld_type type, const char *val, size_t len)
{
    struct lognorm_scratch *s = w->s;
    struct fld_name name;

    if (w->stop || !w->depth)
        return;
    memset(&name, 0, sizeof name);
    name.path = s->path.data;
    name.depth = w->depth;
    name.transient = 1;         /* built in the scratch, rewritten by the next put */
    name.keys_buf = s->keys.data;
    for (unsigned i = 0; i < w->depth; i++) {
        name.key[i] = s->keys.data + w->key_off[i];
        name.key_len[i] = w->key_len[i];
    }
    if (w->emit(w->arg, &name, type, val, len))
        w->stop = 1;
}

static void put_json(struct walk *w, struct fjson_object *v)
{
    const char *t = fjson_object_to_json_string_ext(v, FJSON_TO_STRING_PLAIN);

    if (t)
        put(w, FLD_JSON, t, strlen(t));
}

static size_t fmt_i64(char *buf, int64_t v)
{
    char tmp[24];
    size_t n = 0, o = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        tmp[n++] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u);
    if (v < 0)
        buf[o++] = '-';
    while (n)
        buf[o++] = tmp[--n];
    return o;
}

static void walk_value(struct walk *w, struct fjson_object *v);

/* One member of an object: its key split on '.', then its value. */
static void walk_member(struct walk *w, const char *key, struct fjson_object *v)
{
    unsigned base = w->depth;
    const char *p = key;

    for (;;) {
        const char *dot;

        while (*p == '.')
            p++;
        if (!*p)
            break;
        if (w->depth == FLD_DEPTH_MAX - 1) {
            size_t n = strlen(p);

            while (n && p[n - 1] == '.')    /* the rest as one key: the path's last */
                n--;
            if (push(w, p, n))
                goto out;
            break;
        }
        dot = strchr(p, '.');
        if (push(w, p, dot ? (size_t)(dot - p) : strlen(p)))
            goto out;
        if (!dot)
            break;
        p = dot + 1;
    }
    if (w->depth > base || fjson_object_get_type(v) == fjson_type_object)
        walk_value(w, v);
out:
    pop_to(w, base);
}

static void walk_value(struct walk *w, struct fjson_object *v)
{
    char num[24];

    if (w->stop)
        return;
    switch (fjson_object_get_type(v)) {
    case fjson_type_null:
        return;
    case fjson_type_boolean:
        if (fjson_object_get_boolean(v))
            put(w, FLD_BOOL, "true", 4);
        else
            put(w, FLD_BOOL, "false", 5);
        return;
    case fjson_type_int:
        put(w, FLD_INT, num, fmt_i64(num, fjson_object_get_int64(v)));
        return;
    case fjson_type_double:
        if (isfinite(fjson_object_get_double(v))) {
            const char *t = fjson_object_to_json_string_ext(v, FJSON_TO_STRING_PLAIN);

            if (t)
                put(w, FLD_FLOAT, t, strlen(t));
        }
        return;
    case fjson_type_string:
        put(w, FLD_STRING, fjson_object_get_string(v), (size_t)fjson_object_get_string_len(v));
        return;
    case fjson_type_array:
        put_json(w, v);
        return;
    case fjson_type_object:
        break;
    }
    if (w->depth == FLD_DEPTH_MAX) {
        put_json(w, v);
        return;
    }
    {
        struct fjson_object_iterator it = fjson_object_iter_begin(v);
        struct fjson_object_iterator end = fjson_object_iter_end(v);

        while (!w->stop && !fjson_object_iter_equal(&it, &end)) {
            walk_member(w, fjson_object_iter_peek_name(&it), fjson_object_iter_peek_value(&it));
            fjson_object_iter_next(&it);
        }
    }
}

/* The top level: liblognorm's own keys first, then the rule's fields. */
static enum grammar_result walk_result(struct lognorm_scratch *s, struct fjson_object *res,
                                       fld_emit_fn emit, void *arg)
{
    struct walk w;
    struct fjson_object_iterator it = fjson_object_iter_begin(res);
    struct fjson_object_iterator end = fjson_object_iter_end(res);

    memset(&w, 0, sizeof w);
    w.s = s;
    w.emit = emit;
    w.arg = arg;
    sl_buf_reset(&s->keys);
    sl_buf_reset(&s->path);
    for (; !w.stop && !fjson_object_iter_equal(&it, &end); fjson_object_iter_next(&it)) {
        const char *k = fjson_object_iter_peek_name(&it);
        struct fjson_object *v = fjson_object_iter_peek_value(&it);

        if (!strcmp(k, "originalmsg") || !strcmp(k, "unparsed-data"))
            continue;
        if (!strcmp(k, "event.tags") && fjson_object_get_type(v) == fjson_type_array) {
            int n = fjson_object_array_length(v);

            if (push(&w, "tags", 4))
                break;
            for (int i = 0; i < n && !w.stop; i++) {
                struct fjson_object *t = fjson_object_array_get_idx(v, i);

                if (fjson_object_get_type(t) == fjson_type_string)
                    put(&w, FLD_STRING, fjson_object_get_string(t),
                        (size_t)fjson_object_get_string_len(t));
            }
            pop_to(&w, 0);
            continue;
        }
        walk_member(&w, k, v);
    }
    return w.stop ? GRAMMAR_LIMIT : GRAMMAR_MATCH;
}

static enum grammar_result run(struct lognorm_scratch *s, const char *msg, size_t len,
                               fld_emit_fn emit, void *arg)
{
    struct fjson_object *res = NULL;
    enum grammar_result gr;
    int r = ln_normalize(s->ctx, msg, len, &res);

    if (r == LN_NOMEM)
        gr = GRAMMAR_ERROR;
    else if (r != 0 || !res || fjson_object_object_get_ex(res, "unparsed-data", NULL))
        gr = GRAMMAR_NOMATCH;
    else
        gr = walk_result(s, res, emit, arg);
    fjson_object_put(res);
    return gr;
}

static enum grammar_result run_spaced(struct lognorm_scratch *s, const char *msg, size_t len,
                                      fld_emit_fn emit, void *arg)
{
    sl_buf_reset(&s->line);
    if (sl_buf_putc(&s->line, ' ') || sl_buf_append(&s->line, msg, len))
        return GRAMMAR_LIMIT;
    return run(s, s->line.data, s->line.len, emit, arg);
}

enum grammar_result lognorm_match(const struct lognorm *ln, struct lognorm_scratch *s,
                                  const char *msg, size_t len, fld_emit_fn emit, void *arg)
{
    enum grammar_result r;
    const char *nul = len ? memchr(msg, '\0', len) : NULL;

    if (!s)
        return GRAMMAR_ERROR;
    if (nul)
        len = (size_t)(nul - msg);
    switch (ln->space) {
    case LOGNORM_SPACE_PREPEND:
        return run_spaced(s, msg, len, emit, arg);
    case LOGNORM_SPACE_AUTO:
        r = run(s, msg, len, emit, arg);
        return r == GRAMMAR_NOMATCH ? run_spaced(s, msg, len, emit, arg) : r;
    case LOGNORM_SPACE_ASIS:
        break;
    }
    return run(s, msg, len, emit, arg);
}

/* How far liblognorm got into line[0..len): the start of "unparsed-data".
 * 1 with *at set, 0 when the line matched (or liblognorm said nothing). */
static int parsed_to(ln_ctx ctx, const char *line, size_t len, size_t *at)
{
    struct fjson_object *res = NULL, *un = NULL;
    int r = ln_normalize(ctx, line, len, &res), found = 0;

    if (r != LN_NOMEM && res && fjson_object_object_get_ex(res, "unparsed-data", &un) &&
        fjson_object_get_type(un) == fjson_type_string) {
        size_t ul = (size_t)fjson_object_get_string_len(un);

        *at = ul <= len ? len - ul : 0;
        found = 1;
    }
    fjson_object_put(res);
    return found;
}

#define LN_EXPLAIN_SHOW 40u         /* bytes of the unparsed rest shown */

/* For a missed line: how far the rulebase got, in the message's own bytes
 * (with a prepended space, the offset is moved back by one). Loads a
 * context of its own: a tool's cost, not the pipeline's. */
static size_t ops_explain(const void *impl, const char *msg, size_t len, char *out,
                          size_t outlen)
{
    const struct lognorm *ln = impl;
    const char *nul = len ? memchr(msg, '\0', len) : NULL;
    struct sl_buf spaced;
    size_t at = 0, at2 = 0, r = 0;
    char rest[LN_EXPLAIN_SHOW + 1];
    int got = 0, got2 = 0, n, spaced_won = 0;
    ln_ctx ctx;

    if (ctx_load(ln, &ctx, NULL))
        return 0;
    if (nul)
        len = (size_t)(nul - msg);
    if (ln->space != LOGNORM_SPACE_PREPEND)
        got = parsed_to(ctx, msg, len, &at);
    if (ln->space != LOGNORM_SPACE_ASIS) {
        sl_buf_init(&spaced, len + 2, len + 2);
        if (!sl_buf_putc(&spaced, ' ') && !sl_buf_append(&spaced, msg, len))
            got2 = parsed_to(ctx, spaced.data, spaced.len, &at2);
        sl_buf_free(&spaced);
        at2 = at2 ? at2 - 1 : 0;
        if (got2 && (!got || at2 > at)) {
            at = at2;
            got = 1;
            spaced_won = 1;
        }
    }
    ln_exitCtx(ctx);
    if (!got)
        return 0;
    for (size_t k = at; k < len && r < LN_EXPLAIN_SHOW; k++)   /* printable bytes, '.' for others */
        rest[r++] = (msg[k] >= 0x20 && msg[k] < 0x7f) ? msg[k] : '.';
    rest[r] = '\0';
    n = snprintf(out, outlen,
                 "rulebase %s%s: matched %zu of %zu bytes%s; unparsed from byte %zu: '%s%s'",
                 ln->display, spaced_won ? " (with a leading space)" : "", at, len,
                 nul ? " (up to the first NUL byte)" : "", at, rest, len - at > r ? "..." : "");
    if (n < 0)
        return 0;
    return (size_t)n < outlen ? (size_t)n : outlen - 1;
}

static void *ops_scratch_new(const void *impl)
{
    return lognorm_scratch_new(impl);
}

static void ops_scratch_free(void *scratch)
{
    lognorm_scratch_free(scratch);
}

static enum grammar_result ops_match(const void *impl, void *scratch, const char *msg, size_t len,
                                     fld_emit_fn emit, void *arg)
{
    return lognorm_match(impl, scratch, msg, len, emit, arg);
}

static void ops_free(void *impl)
{
    lognorm_free(impl);
}

const struct grammar_ops lognorm_grammar_ops = {
    .kind = "lognorm",
    .scratch_new = ops_scratch_new,
    .scratch_free = ops_scratch_free,
    .match = ops_match,
    .free = ops_free,
    .explain = ops_explain,
};

struct grammar *lognorm_grammar_new(const char *name, struct lognorm *ln)
{
    return grammar_new(name, &lognorm_grammar_ops, ln);
}
