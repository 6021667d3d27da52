/* common/buf.h: a growable byte buffer with a ceiling set when it is made.
 * An append past the ceiling fails with SL_ETOOBIG and leaves the buffer as it was. */
#ifndef SL_BUF_H
#define SL_BUF_H
#include <stddef.h>
#include <stdarg.h>

struct sl_buf {
    char  *data;    /* always NUL-terminated after a successful append */
    size_t len;
    size_t cap;
    size_t max;     /* ceiling on len */
};

void sl_buf_init(struct sl_buf *b, size_t initial, size_t max);
void sl_buf_free(struct sl_buf *b);
static inline void sl_buf_reset(struct sl_buf *b) { b->len = 0; if (b->data) b->data[0] = '\0'; }
int  sl_buf_reserve(struct sl_buf *b, size_t extra);
int  sl_buf_append_slow(struct sl_buf *b, const void *p, size_t n);
/* memcpy for the short pieces documents are made of (keys, separators,
 * values of a few bytes), inline: a call into libc's memcpy per piece, and
 * its size dispatch shared by every caller, cost more than the copy (two
 * loads and two stores that may overlap; never a byte outside [s, s + n)). */
static inline __attribute__((always_inline)) void sl_copy_ends(char *d, const char *s,
                                                                size_t n, size_t w)
{
    char a[16], b[16];          /* w is a constant where this is inlined: plain moves */

    __builtin_memcpy(a, s, w);
    __builtin_memcpy(b, s + n - w, w);
    __builtin_memcpy(d, a, w);
    __builtin_memcpy(d + n - w, b, w);
}

static inline void sl_copy(void *dst, const void *src, size_t n)
{
    char *d = dst;
    const char *s = src;

    if (n > 32) {
        __builtin_memcpy(d, s, n);
    } else if (n >= 16) {
        sl_copy_ends(d, s, n, 16);
    } else if (n >= 8) {
        sl_copy_ends(d, s, n, 8);
    } else if (n >= 4) {
        sl_copy_ends(d, s, n, 4);
    } else if (n) {
        char a = s[0], b = s[n / 2], c = s[n - 1];
        d[0] = a;
        d[n / 2] = b;
        d[n - 1] = c;
    }
}

/* Inline fast paths: documents are built from many small appends. */
static inline int sl_buf_append(struct sl_buf *b, const void *p, size_t n)
{
    if (b->len + n < b->cap) {
        sl_copy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return sl_buf_append_slow(b, p, n);
}
static inline int sl_buf_putc(struct sl_buf *b, char c)
{
    if (b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return 0;
    }
    return sl_buf_append_slow(b, &c, 1);
}
int  sl_buf_puts(struct sl_buf *b, const char *s);
int  sl_buf_printf(struct sl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int  sl_buf_vprintf(struct sl_buf *b, const char *fmt, va_list ap);
/* Drops the first n bytes (a consumed prefix). */
void sl_buf_consume(struct sl_buf *b, size_t n);
/* Hands the storage to the caller (who frees it with sl_free); the buffer is empty after. */
char *sl_buf_steal(struct sl_buf *b, size_t *len);

#endif
