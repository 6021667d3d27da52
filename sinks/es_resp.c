/* sinks/es_resp.c: reading the answer to a _bulk request.
 *
 * Design: a small JSON reader for one known shape,
 *   {"errors":B,"items":[{"<op>":{"_id":S,"status":N,"error":{"type":S,"reason":S}}},...]}
 * (the filter_path of es_bulk.h; without it the same shape carries more keys,
 * which are skipped whatever they hold). It walks the text once, allocates
 * nothing and keeps pointers into the text. Items answer the request's
 * records by position (anchors.md 5.2). Text that is not JSON of this shape,
 * or a count of items other than n, makes the answer unusable: every record
 * is retried, which is safe because under op_type create whatever was stored
 * comes back as 409 and is confirmed then.
 * Fast path: when "errors":false comes before "items" (the order both
 * Elasticsearch and OpenSearch write), every item was stored, so items are
 * only counted, not read; unless the text mentions "failure_store": an item
 * redirected to the failure store of an Elasticsearch 9.1+ data stream is
 * answered as a success (201, errors:false) with "failure_store":"used",
 * and is counted apart. */
#include <string.h>

#include "sinks/es_resp.h"

/* Nesting the skipper follows before it calls the text hostile. Real
 * answers nest 4 deep (error.caused_by adds a few). */
#define RESP_DEPTH_LIMIT 64

struct rd {
    const char *start;
    const char *p;
    const char *end;
    const char *why;            /* the first problem, for err */
};

static int bad(struct rd *r, const char *why)
{
    if (!r->why)
        r->why = why;
    return -1;
}

static void ws(struct rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

/* Consumes c after whitespace; 0 when it is there. */
static int want(struct rd *r, char c)
{
    ws(r);
    if (r->p >= r->end || *r->p != c)
        return -1;
    r->p++;
    return 0;
}

static int peek(struct rd *r)
{
    ws(r);
    return r->p < r->end ? (unsigned char)*r->p : -1;
}

static int word(struct rd *r, const char *w)
{
    size_t n = strlen(w);

    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
        return bad(r, "unknown literal");
    r->p += n;
    return 0;
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string; *s, *n get the bytes between the quotes, still escaped. */
static int str(struct rd *r, const char **s, size_t *n)
{
    const char *q;

    if (want(r, '"'))
        return bad(r, "expected a string");
    q = r->p;
    while (r->p < r->end) {
        unsigned char c = (unsigned char)*r->p;

        if (c == '"') {
            *s = q;
            *n = (size_t)(r->p - q);
            r->p++;
            return 0;
        }
        if (c < 0x20)
            return bad(r, "control byte in a string");
        if (c == '\\') {
            if (r->end - r->p < 2)
                break;
            if (r->p[1] == 'u') {
                if (r->end - r->p < 6 || !is_hex(r->p[2]) || !is_hex(r->p[3]) ||
                    !is_hex(r->p[4]) || !is_hex(r->p[5]))
                    return bad(r, "bad \\u escape");
                r->p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", r->p[1]))
                return bad(r, "bad escape");
            r->p += 2;
            continue;
        }
        r->p++;
    }
    return bad(r, "unterminated string");
}

static int digits(struct rd *r)
{
    const char *q = r->p;

    while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
    return r->p > q ? 0 : -1;
}

/* A number; *v gets its value when it is an integer of 1 to 3 digits (an
 * HTTP status), else 0. */
static int number(struct rd *r, int *v)
{
    const char *q;
    int integral = 1;

    ws(r);
    q = r->p;
    if (r->p < r->end && *r->p == '-')
        r->p++;
    if (digits(r))
        return bad(r, "bad number");
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        integral = 0;
        if (digits(r))
            return bad(r, "bad number");
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        integral = 0;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (digits(r))
            return bad(r, "bad number");
    }
    *v = 0;
    if (integral && *q != '-' && r->p - q <= 3)
        for (const char *d = q; d < r->p; d++)
            *v = *v * 10 + (*d - '0');
    return 0;
}

static int skip(struct rd *r, int depth);

/* Walks the members of an object whose "{" is already consumed, calling
 * member() for each key (which must consume the value). */
static int members(struct rd *r, void *ctx,
                   int (*member)(struct rd *r, void *ctx, const char *k, size_t kn))
{
    const char *k;
    size_t kn;

    if (peek(r) == '}') {
        r->p++;
        return 0;
    }
    for (;;) {
        if (str(r, &k, &kn))
            return -1;
        if (want(r, ':'))
            return bad(r, "expected ':'");
        if (member(r, ctx, k, kn))
            return -1;
        if (peek(r) == ',') {
            r->p++;
            continue;
        }
        if (want(r, '}'))
            return bad(r, "expected ',' or '}'");
        return 0;
    }
}

struct skipctx {
    int depth;
};

static int skip_member(struct rd *r, void *ctx, const char *k, size_t kn)
{
    return skip(r, ((struct skipctx *)ctx)->depth);
}

static int skip(struct rd *r, int depth)
{
    struct skipctx sc = { depth + 1 };
    const char *s;
    size_t n;
    int v;

    if (depth >= RESP_DEPTH_LIMIT)
        return bad(r, "nested too deep");
    switch (peek(r)) {
    case '"':
        return str(r, &s, &n);
    case '{':
        r->p++;
        return members(r, &sc, skip_member);
    case '[':
        r->p++;
        if (peek(r) == ']') {
            r->p++;
            return 0;
        }
        for (;;) {
            if (skip(r, depth + 1))
                return -1;
            if (peek(r) == ',') {
                r->p++;
                continue;
            }
            if (want(r, ']'))
                return bad(r, "expected ',' or ']'");
            return 0;
        }
    case 't':
        return word(r, "true");
    case 'f':
        return word(r, "false");
    case 'n':
        return word(r, "null");
    case -1:
        return bad(r, "truncated");
    default:
        return number(r, &v);
    }
}

#define KEY_IS(k, kn, lit) ((kn) == sizeof(lit) - 1 && memcmp((k), (lit), (kn)) == 0)

static int error_member(struct rd *r, void *ctx, const char *k, size_t kn)
{
    struct es_resp_item *it = ctx;

    if (KEY_IS(k, kn, "type") && peek(r) == '"')
        return str(r, &it->type, &it->type_len);
    if (KEY_IS(k, kn, "reason") && peek(r) == '"')
        return str(r, &it->reason, &it->reason_len);
    return skip(r, 3);
}

static int op_member(struct rd *r, void *ctx, const char *k, size_t kn)
{
    struct es_resp_item *it = ctx;

    if (KEY_IS(k, kn, "_id") && peek(r) == '"')
        return str(r, &it->id, &it->id_len);
    if (KEY_IS(k, kn, "status") && (peek(r) == '-' || (peek(r) >= '0' && peek(r) <= '9')))
        return number(r, &it->status);
    if (KEY_IS(k, kn, "error") && peek(r) == '{') {
        r->p++;
        return members(r, it, error_member);
    }
    if (KEY_IS(k, kn, "failure_store") && peek(r) == '"') {
        const char *v;
        size_t vn;

        if (str(r, &v, &vn))
            return -1;
        it->failure_stored = KEY_IS(v, vn, "used");
        return 0;
    }
    return skip(r, 2);
}

struct itemctx {
    struct es_resp_item *it;
    int seen_op;
};

/* The item is keyed by its op type ("create", "index"...); the first member
 * is read, anything after it skipped. */
static int item_member(struct rd *r, void *ctx, const char *k, size_t kn)
{
    struct itemctx *ic = ctx;

    if (!ic->seen_op && peek(r) == '{') {
        ic->seen_op = 1;
        r->p++;
        return members(r, ic->it, op_member);
    }
    return skip(r, 2);
}

struct topctx {
    size_t n;
    enum es_op op;
    enum sink_verdict *out;
    struct es_resp_item *items;
    struct es_resp_counts *counts;
    int errors;                 /* -1 unknown, 0 false, 1 true */
    int fs_mentioned;           /* "failure_store" is in the text: no fast path */
    int saw_items;
    size_t count;
};

static void tally(struct es_resp_counts *c, enum sink_verdict v)
{
    switch (v) {
    case SINK_DONE: c->done++; break;
    case SINK_DUPLICATE: c->duplicate++; break;
    case SINK_RETRY: c->retry++; break;
    case SINK_REJECT: c->reject++; break;
    }
}

static int items_array(struct rd *r, struct topctx *t)
{
    struct es_resp_item scratch;

    t->saw_items = 1;
    t->counts->fast = t->errors == 0 && !t->fs_mentioned;
    if (want(r, '['))
        return bad(r, "items is not an array");
    if (peek(r) == ']') {
        r->p++;
        return 0;
    }
    for (;;) {
        struct es_resp_item *it = t->items ? &t->items[t->count] : &scratch;
        struct itemctx ic = { it, 0 };

        if (t->count >= t->n)
            return bad(r, "more items than records");
        memset(it, 0, sizeof *it);
        if (t->counts->fast) {
            if (skip(r, 1))
                return -1;
            it->status = 200;
        } else {
            if (want(r, '{'))
                return bad(r, "an item is not an object");
            if (members(r, &ic, item_member))
                return -1;
        }
        t->out[t->count] = es_resp_verdict(it->status, t->op, it->type, it->type_len);
        tally(t->counts, t->out[t->count]);
        if (!it->status)
            t->counts->no_status++;
        if (it->failure_stored && t->out[t->count] == SINK_DONE)
            t->counts->failure_stored++;
        t->count++;
        if (peek(r) == ',') {
            r->p++;
            continue;
        }
        if (want(r, ']'))
            return bad(r, "expected ',' or ']' in items");
        return 0;
    }
}

static int top_member(struct rd *r, void *ctx, const char *k, size_t kn)
{
    struct topctx *t = ctx;

    if (KEY_IS(k, kn, "errors") && (peek(r) == 't' || peek(r) == 'f')) {
        t->errors = *r->p == 't';
        return word(r, t->errors ? "true" : "false");
    }
    if (KEY_IS(k, kn, "items") && !t->saw_items)
        return items_array(r, t);
    return skip(r, 1);
}

enum sink_verdict es_resp_verdict(int status, enum es_op op, const char *type, size_t type_len)
{
    if (status >= 200 && status < 300)
        return SINK_DONE;
    if (status == 409 && op == ES_OP_CREATE)
        return SINK_DUPLICATE;
    if (status == 408 || status == 429 || status >= 500)
        return SINK_RETRY;
    /* Before 7.x a flood-stage disk block came back as 403 (FORBIDDEN/12);
     * it lifts by itself, so it is waited out, not dead-lettered. */
    if (status == 403 && type && KEY_IS(type, type_len, "cluster_block_exception"))
        return SINK_RETRY;
    if (status >= 400 && status < 500)
        return SINK_REJECT;
    return SINK_RETRY;          /* no status, or one no bulk item has: not stored */
}

static int mentions(const char *text, size_t len, const char *key, size_t kn)
{
    const char *p = text, *end = text + len;

    while ((size_t)(end - p) >= kn) {
        p = memchr(p, key[0], (size_t)(end - p) - kn + 1);
        if (!p)
            return 0;
        if (memcmp(p, key, kn) == 0)
            return 1;
        p++;
    }
    return 0;
}

int es_resp_parse(const char *text, size_t len, size_t n, enum es_op op,
                  enum sink_verdict *out, struct es_resp_item *items,
                  struct es_resp_counts *counts, struct sl_err *err)
{
    struct rd r = { text, text, text + len, NULL };
    struct es_resp_counts scratch;
    struct topctx t = { n, op, out, items, counts ? counts : &scratch, -1, 0, 0, 0 };
    static const char fs_key[] = "\"failure_store\"";

    memset(t.counts, 0, sizeof *t.counts);
    t.fs_mentioned = mentions(text, len, fs_key, sizeof fs_key - 1);
    if (want(&r, '{')) {
        bad(&r, "not a JSON object");
        goto fail;
    }
    if (members(&r, &t, top_member))
        goto fail;
    ws(&r);
    if (r.p != r.end) {
        bad(&r, "text after the object");
        goto fail;
    }
    if (!t.saw_items && n > 0) {
        bad(&r, "no items");
        goto fail;
    }
    if (t.count != n) {
        sl_err_set(err, SL_EPROTO, "bulk response", "%zu items answer %zu records", t.count, n);
        goto fail_counted;
    }
    return 0;
fail:
    sl_err_set(err, SL_EPROTO, "bulk response", "unusable bulk response at byte %zu of %zu: %s",
               (size_t)(r.p - r.start), len, r.why ? r.why : "bad JSON");
fail_counted:
    for (size_t i = 0; i < n; i++)
        out[i] = SINK_RETRY;
    memset(t.counts, 0, sizeof *t.counts);
    t.counts->retry = n;
    return SL_EPROTO;
}
