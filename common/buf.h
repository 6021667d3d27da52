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
/* Inline fast paths: documents are built from many small appends. */
static inline int sl_buf_append(struct sl_buf *b, const void *p, size_t n)
{
    if (b->len + n < b->cap) {
        __builtin_memcpy(b->data + b->len, p, n);
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
