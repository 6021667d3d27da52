/* parser/payload.c: JSON and logfmt messages as fields.
 *
 * Design: both readers make two passes over the message. The first only
 * checks that the whole message is one JSON object (or a logfmt run) and
 * emits nothing; the second walks it again and emits, so a message that
 * breaks at its last byte leaves no half of its fields behind. JSON is
 * read by a small recursive reader of our own (RFC 8259, strict: no
 * comments, no trailing commas, no bare control bytes in strings; nesting
 * past PAYLOAD_NEST_MAX refused) rather than libfastjson: it reads the
 * event's copy of the message in place, so numbers and strings without
 * escapes are handed on as views (evt_field_emit keeps views of the message
 * without copying), and it allocates nothing per message. Member keys are
 * split on '.' (dots always nest, as in grammar names); a key with no
 * segment left is dropped. Names are transient: built in the scratch for
 * one emit call. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "parser/payload.h"

struct payload_scratch {
    char  *buf;                 /* keys | values | path, each `part` bytes */
    size_t cap, part;
};

/* One parse. */
struct pw {
    const struct payload_opts *o;
    const struct fld_name *pfx;
    const char *p, *end;
    int live;                   /* second pass: emit */
    fld_emit_fn emit;
    void *arg;
    char *kbuf, *vbuf, *pbuf;   /* unescaped keys (a stack), one value, the path */
    size_t kpos;
    unsigned nkeys;
    const char *key[FLD_DEPTH_MAX];
    size_t key_len[FLD_DEPTH_MAX];
    unsigned fields;
    int limit, stop;
};

static int set_prefix(struct fld_name *n, const char *text, const char *what, struct sl_err *err)
{
    memset(n, 0, sizeof *n);
    if (!text || !*text || strcmp(text, ".") == 0)
        return 0;       /* the top level (jq's `.`: never a field name) */
    if (fld_name_parse(n, text, strlen(text), err)) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        sl_err_set(err, SL_EINVAL, "", "%s '%s': %s", what, text, msg);
        return SL_EINVAL;
    }
    return 0;
}

int payload_opts_init(struct payload_opts *o, int json, int logfmt, const char *json_prefix,
                      const char *logfmt_prefix, unsigned max_depth, unsigned max_fields,
                      struct sl_err *err)
{
    memset(o, 0, sizeof *o);
    o->json = json;
    o->logfmt = logfmt;
    o->max_depth = max_depth ? max_depth : 1;
    o->max_fields = max_fields ? max_fields : 1;
    if (set_prefix(&o->json_prefix, json_prefix, "prefix", err) ||
        set_prefix(&o->logfmt_prefix, logfmt_prefix, "logfmt_prefix", err))
        goto fail;
    if (o->json_prefix.depth + o->max_depth > FLD_DEPTH_MAX ||
        o->logfmt_prefix.depth + o->max_depth > FLD_DEPTH_MAX) {
        unsigned d = o->json_prefix.depth > o->logfmt_prefix.depth ? o->json_prefix.depth
                                                                   : o->logfmt_prefix.depth;
        sl_err_set(err, SL_EINVAL, "", "max_depth %u with a prefix of %u key%s passes the %u "
                   "keys a field path may have: at most %u", o->max_depth, d, d == 1 ? "" : "s",
                   FLD_DEPTH_MAX, FLD_DEPTH_MAX - d);
        goto fail;
    }
    return 0;
fail:
    payload_opts_free(o);
    return SL_EINVAL;
}

void payload_opts_free(struct payload_opts *o)
{
    if (!o)
        return;
    fld_name_free(&o->json_prefix);
    fld_name_free(&o->logfmt_prefix);
    memset(&o->json_prefix, 0, sizeof o->json_prefix);
    memset(&o->logfmt_prefix, 0, sizeof o->logfmt_prefix);
}

struct payload_scratch *payload_scratch_new(void)
{
    return sl_calloc(1, sizeof(struct payload_scratch));
}

void payload_scratch_free(struct payload_scratch *s)
{
    if (!s)
        return;
    sl_free(s->buf);
    sl_free(s);
}

/* ---- emitting ---- */

static void emit_tag(struct pw *w, const char *tag)
{
    struct fld_name n;

    memset(&n, 0, sizeof n);
    n.path = (char *)"tags";
    n.key[0] = n.path;
    n.key_len[0] = 4;
    n.depth = 1;
    n.transient = 1;
    w->emit(w->arg, &n, FLD_STRING, tag, strlen(tag));
}

static void put(struct pw *w, enum fld_type type, const char *val, size_t len)
{
    struct fld_name n;
    char *pp = w->pbuf;

    if (!w->live || w->stop || !w->nkeys)
        return;
    if (w->fields >= w->o->max_fields) {
        w->limit = 1;
        return;
    }
    w->fields++;
    memset(&n, 0, sizeof n);
    for (unsigned i = 0; i < w->nkeys; i++) {
        if (i)
            *pp++ = '.';
        memcpy(pp, w->key[i], w->key_len[i]);
        pp += w->key_len[i];
        n.key[i] = (char *)w->key[i];
        n.key_len[i] = w->key_len[i];
    }
    *pp = '\0';
    n.path = w->pbuf;
    n.keys_buf = w->pbuf;
    n.depth = w->nkeys;
    n.transient = 1;
    if (w->emit(w->arg, &n, type, val, len))
        w->stop = 1;
}

/* Pushes a key's '.'-separated segments. 1 when the member's value is to be
 * emitted; 0 when the key is empty or goes past max_depth (then the member
 * is skipped, and tagged as a limit). */
static int push_key(struct pw *w, const char *k, size_t n)
{
    size_t i = 0;
    int any = 0;

    while (i < n) {
        size_t s;
        while (i < n && k[i] == '.')
            i++;
        if (i == n)
            break;
        s = i;
        while (i < n && k[i] != '.')
            i++;
        if (w->nkeys - w->pfx->depth >= w->o->max_depth) {
            w->limit = 1;
            return 0;
        }
        w->key[w->nkeys] = k + s;
        w->key_len[w->nkeys] = i - s;
        w->nkeys++;
        any = 1;
    }
    return any;
}

/* ---- JSON ---- */

static void ws(struct pw *w)
{
    while (w->p < w->end && (*w->p == ' ' || *w->p == '\t' || *w->p == '\n' || *w->p == '\r'))
        w->p++;
}

static int hex4(const char *s, unsigned *v)
{
    unsigned x = 0;

    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (unsigned)((c | 0x20) - 'a' + 10)
                                                               : 16u;
        if (d > 15)
            return -1;
        x = x << 4 | d;
    }
    *v = x;
    return 0;
}

/* A string at p ('"'): checked; [*s, *s + *n) is its raw text; *esc when it
 * holds a backslash. */
static int j_string(struct pw *w, const char **s, size_t *n, int *esc)
{
    const char *p = w->p + 1;
    unsigned v;

    *esc = 0;
    *s = p;
    while (p < w->end && *p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '\\') {
            p++;                /* the common byte: one test */
            continue;
        }
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            *esc = 1;
            if (++p >= w->end)
                return -1;
            switch (*p) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                break;
            case 'u':
                if (w->end - p < 5 || hex4(p + 1, &v))
                    return -1;
                p += 4;
                break;
            default:
                return -1;
            }
        }
        p++;
    }
    if (p >= w->end)
        return -1;
    *n = (size_t)(p - *s);
    w->p = p + 1;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Unescapes a checked JSON string into out (never longer than s: \uHHHH is
 * 6 bytes for at most 3, a pair 12 for 4). A lone surrogate becomes U+FFFD. */
static size_t j_unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned cp = 0, lo = 0;
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        switch (s[++i]) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u':
            hex4(s + i + 1, &cp);
            i += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u' &&
                hex4(s + i + 3, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            } else if (cp >= 0xd800 && cp < 0xe000) {
                cp = 0xfffd;
            }
            o += put_utf8(out + o, cp);
            break;
        default: out[o++] = s[i]; break;      /* " \ / */
        }
    }
    return o;
}

static int digits(struct pw *w)
{
    const char *st = w->p;

    while (w->p < w->end && (unsigned char)(*w->p - '0') < 10)
        w->p++;
    return w->p > st ? 0 : -1;
}

static int j_number(struct pw *w, int live)
{
    const char *st = w->p;
    int is_int = 1, exp = 0;
    size_t nd;

    if (*w->p == '-')
        w->p++;
    if (w->p >= w->end)
        return -1;
    if (*w->p == '0')
        w->p++;
    else if (digits(w))
        return -1;
    nd = (size_t)(w->p - st) - (*st == '-');
    if (w->p < w->end && *w->p == '.') {
        w->p++;
        is_int = 0;
        if (digits(w))
            return -1;
    }
    if (w->p < w->end && (*w->p == 'e' || *w->p == 'E')) {
        w->p++;
        is_int = 0;
        exp = 1;
        if (w->p < w->end && (*w->p == '+' || *w->p == '-'))
            w->p++;
        if (digits(w))
            return -1;
    }
    if (!live)
        return 0;
    if (is_int && nd <= 18) {
        put(w, FLD_INT, st, (size_t)(w->p - st));
    } else if (!exp && nd <= 300) {
        put(w, FLD_FLOAT, st, (size_t)(w->p - st));    /* below 1e300: finite */
    } else {
        /* a number a double cannot hold (1e400) would be refused by the
         * index as a number: it is kept as text */
        char tmp[64];
        size_t n = (size_t)(w->p - st);
        int finite = 0;
        if (n < sizeof tmp) {
            memcpy(tmp, st, n);
            tmp[n] = '\0';
            finite = isfinite(strtod(tmp, NULL));
        }
        put(w, finite ? FLD_FLOAT : FLD_STRING, st, n);
    }
    return 0;
}

static int j_lit(struct pw *w, const char *lit, size_t n)
{
    if ((size_t)(w->end - w->p) < n || memcmp(w->p, lit, n))
        return -1;
    w->p += n;
    return 0;
}

static int j_value(struct pw *w, unsigned nest, int live);

static int j_array(struct pw *w, unsigned nest)
{
    if (nest > PAYLOAD_NEST_MAX)
        return -1;
    w->p++;
    ws(w);
    if (w->p < w->end && *w->p == ']') {
        w->p++;
        return 0;
    }
    for (;;) {
        if (j_value(w, nest, 0))
            return -1;
        ws(w);
        if (w->p >= w->end)
            return -1;
        if (*w->p == ']') {
            w->p++;
            return 0;
        }
        if (*w->p++ != ',')
            return -1;
    }
}

static int j_object(struct pw *w, unsigned nest, int live)
{
    if (nest > PAYLOAD_NEST_MAX)
        return -1;
    w->p++;
    ws(w);
    if (w->p < w->end && *w->p == '}') {
        w->p++;
        return 0;
    }
    for (;;) {
        const char *ks;
        size_t kn, kpos = w->kpos;
        unsigned nkeys = w->nkeys;
        int esc, mlive = 0, rc;

        ws(w);
        if (w->p >= w->end || *w->p != '"' || j_string(w, &ks, &kn, &esc))
            return -1;
        ws(w);
        if (w->p >= w->end || *w->p++ != ':')
            return -1;
        if (live) {
            if (esc) {
                char *k = w->kbuf + w->kpos;
                kn = j_unescape(ks, kn, k);
                ks = k;
                w->kpos += kn;
            }
            mlive = push_key(w, ks, kn);
        }
        rc = j_value(w, nest, mlive);
        w->nkeys = nkeys;
        w->kpos = kpos;
        if (rc)
            return -1;
        ws(w);
        if (w->p >= w->end)
            return -1;
        if (*w->p == '}') {
            w->p++;
            return 0;
        }
        if (*w->p++ != ',')
            return -1;
    }
}

static int j_value(struct pw *w, unsigned nest, int live)
{
    const char *st, *s;
    size_t n;
    int esc;

    ws(w);
    if (w->p >= w->end)
        return -1;
    st = w->p;
    switch (*w->p) {
    case '{':
        return j_object(w, nest + 1, live);
    case '[':
        if (j_array(w, nest + 1))
            return -1;
        if (live)
            put(w, FLD_JSON, st, (size_t)(w->p - st));
        return 0;
    case '"':
        if (j_string(w, &s, &n, &esc))
            return -1;
        if (live && esc)
            n = j_unescape(s, n, w->vbuf), s = w->vbuf;
        if (live)
            put(w, FLD_STRING, s, n);
        return 0;
    case 't':
        if (j_lit(w, "true", 4))
            return -1;
        if (live)
            put(w, FLD_BOOL, "true", 4);
        return 0;
    case 'f':
        if (j_lit(w, "false", 5))
            return -1;
        if (live)
            put(w, FLD_BOOL, "false", 5);
        return 0;
    case 'n':
        return j_lit(w, "null", 4);     /* left out, as absent fields are */
    default:
        if (*w->p != '-' && (unsigned char)(*w->p - '0') > 9)
            return -1;
        return j_number(w, live);
    }
}

/* The whole text from p is one value of kind `open` ('{' or '['). */
static int j_whole(struct pw *w, int live)
{
    int rc = *w->p == '{' ? j_object(w, 1, live) : j_array(w, 1);

    if (rc)
        return -1;
    ws(w);
    return w->p == w->end ? 0 : -1;
}

/* ---- logfmt ---- */

static int lf_key_start(unsigned char c)
{
    return (unsigned char)((c | 0x20) - 'a') < 26 || c == '_' || c == '@';
}

static int lf_key_char(unsigned char c)
{
    return lf_key_start(c) || (unsigned char)(c - '0') < 10 || c == '.' || c == '-';
}

/* \" \\ \n \t \r are escapes; any other backslash is kept as written. */
static size_t lf_unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 == n) {
            out[o++] = s[i];
            continue;
        }
        switch (s[i + 1]) {
        case '"': out[o++] = '"'; i++; break;
        case '\\': out[o++] = '\\'; i++; break;
        case 'n': out[o++] = '\n'; i++; break;
        case 't': out[o++] = '\t'; i++; break;
        case 'r': out[o++] = '\r'; i++; break;
        default: out[o++] = '\\'; break;
        }
    }
    return o;
}

/* The whole message as key=value pairs and bare keys (parser/README.md):
 * 0 when it is one, emitting in the live pass. */
static int lf_run(struct pw *w)
{
    unsigned pairs = 0, bare = 0;

    for (;;) {
        const char *ks, *vs;
        size_t kn, vn;
        int esc = 0;
        unsigned nkeys = w->nkeys;

        while (w->p < w->end && (*w->p == ' ' || *w->p == '\t'))
            w->p++;
        if (w->p >= w->end)
            break;
        if (!lf_key_start((unsigned char)*w->p))
            return -1;
        ks = w->p;
        while (w->p < w->end && lf_key_char((unsigned char)*w->p))
            w->p++;
        kn = (size_t)(w->p - ks);
        if (w->p < w->end && *w->p == '=') {
            w->p++;
            if (w->p < w->end && *w->p == '"') {
                vs = ++w->p;
                while (w->p < w->end && *w->p != '"') {
                    if (*w->p == '\\') {
                        esc = 1;
                        if (++w->p >= w->end)
                            return -1;
                    }
                    w->p++;
                }
                if (w->p >= w->end)
                    return -1;
                vn = (size_t)(w->p - vs);
                w->p++;
            } else {
                vs = w->p;
                while (w->p < w->end && *w->p != ' ' && *w->p != '\t') {
                    if (*w->p == '"')
                        return -1;
                    w->p++;
                }
                vn = (size_t)(w->p - vs);
            }
            if (w->p < w->end && *w->p != ' ' && *w->p != '\t')
                return -1;
            pairs++;
            if (w->live && push_key(w, ks, kn)) {
                if (esc)
                    vn = lf_unescape(vs, vn, w->vbuf), vs = w->vbuf;
                put(w, FLD_STRING, vs, vn);
            }
        } else {
            if (w->p < w->end && *w->p != ' ' && *w->p != '\t')
                return -1;
            bare++;
            if (w->live && push_key(w, ks, kn))
                put(w, FLD_BOOL, "true", 4);
        }
        w->nkeys = nkeys;
    }
    return pairs >= 2 && pairs > bare ? 0 : -1;
}

/* ---- one message ---- */

static void pw_start(struct pw *w, const struct fld_name *pfx, const char *p, const char *end)
{
    w->pfx = pfx;
    w->p = p;
    w->end = end;
    w->kpos = 0;
    w->nkeys = pfx->depth;
    for (unsigned i = 0; i < pfx->depth; i++) {
        w->key[i] = pfx->key[i];
        w->key_len[i] = pfx->key_len[i];
    }
}

static void scratch_fit(struct payload_scratch *s, struct pw *w, size_t len)
{
    size_t pfx = 0, part;

    pfx += w->o->json_prefix.path ? strlen(w->o->json_prefix.path) : 0;
    pfx += w->o->logfmt_prefix.path ? strlen(w->o->logfmt_prefix.path) : 0;
    part = len + pfx + FLD_DEPTH_MAX + 16;
    if (3 * part > s->cap) {
        s->buf = sl_realloc(s->buf, 3 * part);
        s->cap = 3 * part;
    }
    s->part = part;
    w->kbuf = s->buf;
    w->vbuf = s->buf + part;
    w->pbuf = s->buf + 2 * part;
}

enum payload_kind payload_parse(const struct payload_opts *o, struct payload_scratch *s,
                                const char *msg, size_t len, fld_emit_fn emit, void *arg)
{
    const char *p = msg, *end = msg + len;
    struct pw w;
    int cee = 0;

    if (!o || (!o->json && !o->logfmt))
        return PAYLOAD_NONE;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    memset(&w, 0, sizeof w);
    w.o = o;
    w.emit = emit;
    w.arg = arg;
    if (o->json && end - p >= 5 && memcmp(p, "@cee:", 5) == 0) {
        cee = 1;
        p += 5;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
    }
    if (o->json && p < end && (*p == '{' || *p == '[')) {
        int obj = *p == '{';
        pw_start(&w, &o->json_prefix, p, end);
        if (j_whole(&w, 0)) {
            if (!obj && !cee)
                return PAYLOAD_NONE;    /* `[main] started` is text, not broken JSON */
            emit_tag(&w, PAYLOAD_TAG_BAD_JSON);
            return PAYLOAD_BAD_JSON;
        }
        if (!obj) {
            emit_tag(&w, PAYLOAD_TAG_ARRAY);
            return PAYLOAD_ARRAY;
        }
        scratch_fit(s, &w, len);
        pw_start(&w, &o->json_prefix, p, end);
        w.live = 1;
        j_whole(&w, 1);
        if (w.limit)
            emit_tag(&w, PAYLOAD_TAG_LIMIT);
        return PAYLOAD_JSON;
    }
    if (cee) {
        emit_tag(&w, PAYLOAD_TAG_BAD_JSON);
        return PAYLOAD_BAD_JSON;
    }
    if (o->logfmt && p < end) {
        pw_start(&w, &o->logfmt_prefix, p, end);
        if (lf_run(&w))
            return PAYLOAD_NONE;
        scratch_fit(s, &w, len);
        pw_start(&w, &o->logfmt_prefix, p, end);
        w.live = 1;
        lf_run(&w);
        if (w.limit)
            emit_tag(&w, PAYLOAD_TAG_LIMIT);
        return PAYLOAD_LOGFMT;
    }
    return PAYLOAD_NONE;
}
