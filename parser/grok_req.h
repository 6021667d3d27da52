/* parser/grok_req.h: the longest literal text every match of a regex must
 * contain, found from the regex's structure. grok checks a line for it
 * before running PCRE2, so an expression that cannot match a line (a TCP
 * rule on a UDP firewall line) costs one memmem instead of a backtracking
 * failure. */
#ifndef PARSER_GROK_REQ_H
#define PARSER_GROK_REQ_H
#include <stddef.h>

#define GROK_REQ_MAX 32u

/* re: an expanded PCRE2 regex (grok_lib's output, PCRE2_UTF, not caseless,
 * not extended). Copies the longest ASCII literal that every match contains
 * into out (at most cap bytes, not NUL-terminated) and returns its length;
 * 0 when none can be proven. */
size_t grok_req_literal(const char *re, size_t len, char *out, size_t cap);

/* 1 when s[0..n) contains lit[0..k), else 0 (memmem's answer, faster on
 * lines of a few hundred bytes). */
int grok_req_find(const char *s, size_t n, const char *lit, size_t k);

#endif
