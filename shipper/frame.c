/* shipper/frame.c: RFC 6587 framing, chosen per frame by its first byte.
 *
 * Design: a frame that starts with a digit is octet-counted (`MSG-LEN SP
 * SYSLOG-MSG`, RFC 6587 3.4.1); any other byte starts a frame ended by LF
 * (3.4.2), with one trailing CR stripped and empty lines skipped. Senders mix
 * both on one connection (rsyslog, syslog-ng's "auto"), so the choice is made
 * again at every frame boundary. A count with more than SL_MAX_OCTET_DIGITS
 * digits, one not followed by a space, or a count of 0 is a lie: that frame is
 * read as an LF frame from its first digit and tagged FRAME_BAD_COUNT, so a
 * sender that only looks octet-counted (a bare "2024-..." line) still gets its
 * text through.
 *
 * Invariants: the bytes of the frame under way are f->buf[0..len) followed by
 * the fed bytes from `mark` on. A frame wholly inside one feed is handed to
 * the callback straight from the caller's bytes (zero-copy); only the tail of a
 * frame cut by the end of a feed is copied into f->buf. f->buf never holds more
 * than max_msg + 1 + SL_MAX_OCTET_DIGITS bytes: a frame longer than max_msg is
 * delivered (its first max_msg bytes, FRAME_TRUNCATED) as soon as that is
 * known, and the rest is discarded across feeds (counted bytes by number, an
 * LF frame up to its LF). One byte past max_msg is kept for an LF frame because
 * it may be the CR of a CRLF, which does not count toward the message.
 * Nothing survives a crash: a half frame lives only in memory. */
#include <assert.h>
#include <string.h>

#include "common/bounds.h"
#include "common/mem.h"
#include "shipper/frame.h"

_Static_assert(1 + SL_MAX_OCTET_DIGITS <= FRAME_SLACK, "FRAME_SLACK covers the kept digits");

enum frame_state {
    FS_START,           /* at a frame boundary */
    FS_COUNT,           /* reading the digits of an octet count */
    FS_COUNTED,         /* taking `need` more bytes of a counted body */
    FS_SKIP_COUNTED,    /* dropping `need` more bytes of a truncated counted frame */
    FS_LF,              /* looking for the LF that ends the frame */
    FS_SKIP_LF,         /* dropping the rest of a truncated LF frame */
};

struct frame {
    size_t max;                 /* longest message delivered */
    size_t ceiling;             /* most bytes buf ever holds */
    enum frame_state st;
    unsigned flags;             /* of the frame under way */
    unsigned ndigits;
    size_t count;
    size_t need;
    size_t skip;                /* FS_COUNTED: bytes to drop after the body (count > max) */
    char *buf;
    size_t len, cap;
    struct frame_stats stats;
};

struct frame *frame_new(size_t max_msg)
{
    struct frame *f = sl_calloc(1, sizeof *f);

    if (max_msg == 0)
        max_msg = SL_MAX_MSG_DEFAULT;
    if (max_msg > SL_MAX_MSG_LIMIT)
        max_msg = SL_MAX_MSG_LIMIT;
    f->max = max_msg;
    f->ceiling = max_msg + 1 + SL_MAX_OCTET_DIGITS;
    f->st = FS_START;
    return f;
}

void frame_free(struct frame *f)
{
    if (!f)
        return;
    sl_free(f->buf);
    sl_free(f);
}

const struct frame_stats *frame_stats(const struct frame *f)
{
    return &f->stats;
}

size_t frame_mem(const struct frame *f)
{
    return f->cap;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Grows by doubling from a small start, so a connection that only ever keeps
 * short tails never holds max_msg bytes. */
static void keep(struct frame *f, const char *p, size_t n)
{
    size_t want = f->len + n;

    if (n == 0)
        return;
    assert(want <= f->ceiling);
    if (want > f->cap) {
        size_t cap = f->cap ? f->cap : 256;

        while (cap < want)
            cap *= 2;
        if (cap > f->ceiling)
            cap = f->ceiling;
        f->buf = sl_realloc(f->buf, cap);
        f->cap = cap;
    }
    memcpy(f->buf + f->len, p, n);
    f->len = want;
}

static void deliver(struct frame *f, const char *msg, size_t len, unsigned flags,
                    frame_cb cb, void *arg)
{
    f->stats.frames++;
    if (flags & FRAME_TRUNCATED)
        f->stats.truncated++;
    if (flags & FRAME_PARTIAL)
        f->stats.partial++;
    if (flags & FRAME_BAD_COUNT)
        f->stats.bad_count++;
    cb(arg, msg, len, flags);
}

/* Delivers the first mlen bytes of buf[0..len) ++ mark[..], copying only when
 * part of the frame is already kept, then forgets the kept part. */
static void deliver_prefix(struct frame *f, const char *mark, size_t mlen, unsigned flags,
                           frame_cb cb, void *arg)
{
    if (f->len == 0) {
        deliver(f, mark, mlen, flags, cb, arg);
        return;
    }
    if (mlen > f->len)
        keep(f, mark, mlen - f->len);
    deliver(f, f->buf, mlen, flags, cb, arg);
    f->len = 0;
}

static char last_byte(const struct frame *f, const char *mark, size_t avail)
{
    return avail ? mark[avail - 1] : f->buf[f->len - 1];
}

/* One step of an LF frame; returns where scanning goes on. */
static const char *lf_step(struct frame *f, const char *p, const char *end, const char *mark,
                           frame_cb cb, void *arg)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t avail = (size_t)((nl ? nl : end) - mark);
    size_t total = f->len + avail;

    if (nl) {
        size_t mlen = total;
        unsigned flags = f->flags;

        if (mlen && last_byte(f, mark, avail) == '\r')
            mlen--;
        if (mlen > f->max) {
            mlen = f->max;
            flags |= FRAME_TRUNCATED;
        }
        if (mlen)
            deliver_prefix(f, mark, mlen, flags, cb, arg);
        f->len = 0;
        f->st = FS_START;
        return nl + 1;
    }
    if (total > f->max + 1 || (total == f->max + 1 && last_byte(f, mark, avail) != '\r')) {
        deliver_prefix(f, mark, f->max, f->flags | FRAME_TRUNCATED, cb, arg);
        f->len = 0;
        f->st = FS_SKIP_LF;
    }
    return end;
}

void frame_feed(struct frame *f, const char *data, size_t len, frame_cb cb, void *arg)
{
    const char *p = data, *end = data + len;
    const char *mark = data;    /* a frame carried in from the last feed goes on here */
    size_t take;

    while (p < end) {
        switch (f->st) {
        case FS_START:
            if (*p == '\n') {
                p++;
                break;
            }
            mark = p;
            f->len = 0;
            f->flags = 0;
            if (is_digit(*p)) {
                f->st = FS_COUNT;
                f->count = 0;
                f->ndigits = 0;
            } else {
                f->st = FS_LF;
            }
            break;
        case FS_COUNT:
            while (p < end && is_digit(*p) && f->ndigits < SL_MAX_OCTET_DIGITS) {
                f->count = f->count * 10 + (size_t)(*p - '0');
                f->ndigits++;
                p++;
            }
            if (p == end)
                break;
            if (*p == ' ' && f->count > 0) {
                p++;
                mark = p;
                f->len = 0;     /* the count is not part of the message */
                f->need = min_size(f->count, f->max);
                f->skip = f->count - f->need;
                if (f->skip)
                    f->flags |= FRAME_TRUNCATED;
                f->st = FS_COUNTED;
            } else {
                /* The lying byte is not consumed: the LF frame begins at the first digit. */
                f->flags |= FRAME_BAD_COUNT;
                f->st = FS_LF;
            }
            break;
        case FS_COUNTED:
            take = min_size(f->need, (size_t)(end - p));
            p += take;
            f->need -= take;
            if (f->need)
                break;
            deliver_prefix(f, mark, f->len + (size_t)(p - mark), f->flags, cb, arg);
            f->len = 0;
            if (f->skip) {
                f->need = f->skip;
                f->skip = 0;
                f->st = FS_SKIP_COUNTED;
            } else {
                f->st = FS_START;
            }
            break;
        case FS_SKIP_COUNTED:
            take = min_size(f->need, (size_t)(end - p));
            p += take;
            f->need -= take;
            if (f->need == 0)
                f->st = FS_START;
            break;
        case FS_LF:
            p = lf_step(f, p, end, mark, cb, arg);
            break;
        case FS_SKIP_LF: {
            const char *nl = memchr(p, '\n', (size_t)(end - p));

            if (nl) {
                p = nl + 1;
                f->st = FS_START;
            } else {
                p = end;
            }
            break;
        }
        }
    }
    if (f->st == FS_COUNT || f->st == FS_COUNTED || f->st == FS_LF)
        keep(f, mark, (size_t)(end - mark));
}

void frame_finish(struct frame *f, frame_cb cb, void *arg)
{
    unsigned flags = f->flags | FRAME_PARTIAL;
    size_t mlen = f->len;

    if (f->st == FS_COUNT)
        flags |= FRAME_BAD_COUNT;       /* digits never followed by a space */
    if (f->st == FS_LF && mlen && f->buf[mlen - 1] == '\r')
        mlen--;
    if (mlen > f->max) {
        mlen = f->max;
        flags |= FRAME_TRUNCATED;
    }
    if (mlen && (f->st == FS_COUNT || f->st == FS_COUNTED || f->st == FS_LF))
        deliver(f, f->buf, mlen, flags, cb, arg);
    f->st = FS_START;
    f->len = 0;
    f->flags = 0;
    f->need = 0;
    f->skip = 0;
}
