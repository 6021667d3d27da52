#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/err.h"

#include "common/json.h"

/* 1: the byte can be copied as is (printable ASCII other than " and \). */
static const unsigned char plain[256] = {
    [' '] = 1, ['!'] = 1, ['#' ... '['] = 1, [']' ... '~'] = 1,
};

static const char hex[] = "0123456789abcdef";

/* Length of the well-formed UTF-8 sequence at s (2..4), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    unsigned c = s[0];

    if (c >= 0xc2 && c <= 0xdf)
        return left >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (left < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        if (c == 0xe0 && s[1] < 0xa0)
            return 0;                       /* overlong */
        if (c == 0xed && s[1] >= 0xa0)
            return 0;                       /* surrogate */
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (left < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
            (s[3] & 0xc0) != 0x80)
            return 0;
        if (c == 0xf0 && s[1] < 0x90)
            return 0;                       /* overlong */
        if (c == 0xf4 && s[1] >= 0x90)
            return 0;                       /* > U+10FFFF */
        return 4;
    }
    return 0;
}

int sl_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, k;

    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        k = utf8_seq(s + i, n - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

/* The byte at s[*i], which is not plain: a well-formed UTF-8 sequence is
 * copied, anything else escaped (a stray byte >= 0x80 as \u00XX: read as
 * Latin-1, so the document stays valid JSON). */
static char *esc_one(char *o, const unsigned char *s, size_t *i, size_t n)
{
    unsigned c = s[*i];
    size_t k;

    if (c >= 0x80 && (k = utf8_seq(s + *i, n - *i)) != 0) {
        memcpy(o, s + *i, k);
        *i += k;
        return o + k;
    }
    *o++ = '\\';
    switch (c) {
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case '\n': *o++ = 'n'; break;
    case '\r': *o++ = 'r'; break;
    case '\t': *o++ = 't'; break;
    case '\b': *o++ = 'b'; break;
    case '\f': *o++ = 'f'; break;
    default:
        *o++ = 'u';
        *o++ = '0';
        *o++ = '0';
        *o++ = hex[c >> 4];
        *o++ = hex[c & 15];
    }
    (*i)++;
    return o;
}

/* Escapes s into o, which has room for 6 bytes per input byte: the hot loop
 * of every document. Messages and values are mostly printable ASCII, so
 * SSE2 copies 16 bytes at a time and checks them in the same pass (control
 * bytes and DEL, '"', '\\', and bytes >= 0x80, which need a UTF-8 check);
 * the copy is undone by simply writing over it when a block holds one. */
static char *esc_into(char *o, const unsigned char *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    char *const start = o;
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i low = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);

    /* o + 16 stays inside the room: o <= start + 6i and i + 16 <= n. */
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        /* Signed compare: bytes >= 0x80 are negative, so they count as < 0x20 too;
         * DEL is escaped like the other control bytes (the table agrees). */
        __m128i bad = _mm_or_si128(
            _mm_or_si128(_mm_cmpgt_epi8(low, v), _mm_cmpeq_epi8(v, del)),
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        unsigned mask = (unsigned)_mm_movemask_epi8(bad);
        _mm_storeu_si128((__m128i *)o, v);
        if (!mask) {
            i += 16;
            o += 16;
            continue;
        }
        mask = (unsigned)__builtin_ctz(mask);
        i += mask;
        o += mask;
        o = esc_one(o, s, &i, n);
    }
    /* The tail of a string of 16 bytes or more, when nothing was escaped
     * (output offset = input offset): the last 16 bytes again, in one load
     * and one store over bytes already written the same. */
    if (i < n && n >= 16 && (size_t)(o - start) == i) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + n - 16));
        __m128i bad = _mm_or_si128(
            _mm_or_si128(_mm_cmpgt_epi8(low, v), _mm_cmpeq_epi8(v, del)),
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        if (!((unsigned)_mm_movemask_epi8(bad) >> (16 - (n - i)))) {
            _mm_storeu_si128((__m128i *)(start + n - 16), v);
            return start + n;
        }
    }
#endif
    while (i < n) {
        if (plain[s[i]])
            *o++ = (char)s[i++];
        else
            o = esc_one(o, s, &i, n);
    }
    return o;
}

/* Room for n bytes escaped (6 each at worst) plus `extra`, or SL_ETOOBIG. */
static inline int esc_room(struct sl_buf *b, size_t n, size_t extra)
{
    if (n > (SIZE_MAX - extra) / 6)
        return SL_ETOOBIG;
    if (b->len + n * 6 + extra < b->cap)
        return 0;
    return sl_buf_reserve(b, n * 6 + extra);
}

int sl_json_esc(struct sl_buf *b, const char *str, size_t n)
{
    char *o;

    if (esc_room(b, n, 0))
        return 1;
    o = esc_into(b->data + b->len, (const unsigned char *)str, n);
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return 0;
}

int sl_json_str(struct sl_buf *b, const char *s, size_t n)
{
    char *o;

    if (esc_room(b, n, 2))
        return 1;
    o = b->data + b->len;
    *o++ = '"';
    o = esc_into(o, (const unsigned char *)s, n);
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return 0;
}

int sl_json_key(struct sl_buf *b, const char *key, size_t n)
{
    if (sl_buf_reserve(b, n + 3))
        return 1;
    b->data[b->len++] = '"';
    memcpy(b->data + b->len, key, n);
    b->len += n;
    b->data[b->len++] = '"';
    b->data[b->len++] = ':';
    b->data[b->len] = '\0';
    return 0;
}

int sl_json_u64(struct sl_buf *b, uint64_t v)
{
    char tmp[24];
    int i = sizeof tmp;

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return sl_buf_append(b, tmp + i, sizeof tmp - (size_t)i);
}

int sl_json_i64(struct sl_buf *b, int64_t v)
{
    if (v < 0) {
        if (sl_buf_putc(b, '-'))
            return 1;
        return sl_json_u64(b, (uint64_t)0 - (uint64_t)v);
    }
    return sl_json_u64(b, (uint64_t)v);
}
