#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"

void sl_buf_init(struct sl_buf *b, size_t initial, size_t max)
{
    b->max = max;
    b->len = 0;
    b->cap = initial < 16 ? 16 : initial;
    if (b->cap > max + 1)
        b->cap = max + 1;
    b->data = sl_malloc(b->cap);
    b->data[0] = '\0';
}

void sl_buf_free(struct sl_buf *b)
{
    if (!b)
        return;
    sl_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int sl_buf_reserve(struct sl_buf *b, size_t extra)
{
    size_t need, cap;

    if (extra > b->max - b->len)
        return SL_ETOOBIG;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 16;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    b->data = sl_realloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int sl_buf_append_slow(struct sl_buf *b, const void *p, size_t n)
{
    if (sl_buf_reserve(b, n))
        return SL_ETOOBIG;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int sl_buf_puts(struct sl_buf *b, const char *s)
{
    return sl_buf_append(b, s, strlen(s));
}

int sl_buf_vprintf(struct sl_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return SL_EINVAL;
    if ((size_t)n >= b->cap - b->len) {
        if (sl_buf_reserve(b, (size_t)n))
            return SL_ETOOBIG;
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    }
    b->len += (size_t)n;
    return 0;
}

int sl_buf_printf(struct sl_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;
    size_t len = b->len;

    va_start(ap, fmt);
    rc = sl_buf_vprintf(b, fmt, ap);
    va_end(ap);
    if (rc) {
        b->len = len;
        b->data[len] = '\0';
    }
    return rc;
}

void sl_buf_consume(struct sl_buf *b, size_t n)
{
    if (n >= b->len) {
        sl_buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

char *sl_buf_steal(struct sl_buf *b, size_t *len)
{
    char *d = b->data;

    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
