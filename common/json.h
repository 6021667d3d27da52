/* common/json.h: the JSON writer used for documents and bulk bodies.
 * Strings are escaped so that every output is valid JSON whatever the input:
 * control bytes become \n, \t ... or \u00XX, and each byte that is not part of
 * well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF)
 * becomes \u00XX, i.e. it is read as Latin-1, which is what legacy senders
 * that emit single non-UTF-8 bytes almost always mean. */
#ifndef SL_JSON_H
#define SL_JSON_H
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Appends "s" (quoted, escaped). */
int sl_json_str(struct sl_buf *b, const char *s, size_t n);
/* Appends the escaped bytes without quotes. Needs 6*n bytes below the
 * buffer's ceiling (the worst case), else fails and appends nothing. */
int sl_json_esc(struct sl_buf *b, const char *s, size_t n);
/* Appends "key": for key[0..n), trusted: written as is (no byte that needs
 * escaping). */
int sl_json_key(struct sl_buf *b, const char *key, size_t n);
int sl_json_i64(struct sl_buf *b, int64_t v);
int sl_json_u64(struct sl_buf *b, uint64_t v);
/* 1 when s[0..n) is well-formed UTF-8. */
int sl_utf8_valid(const char *s, size_t n);

#endif
