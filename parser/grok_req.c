/* Design: a required literal is proven from the expanded regex's structure,
 * never guessed. A run of plain ASCII characters counts only when every
 * group around it is entered on every match: not quantified, no alternation
 * at its level, not a lookaround, not case-insensitive. Anything this scanner
 * does not understand ends the current run or, where the structure itself
 * is unclear (\Q...\E, an unbalanced parenthesis), gives up: a missing
 * literal costs speed, a wrong one would lose matches. */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "parser/grok_req.h"

struct rq {
    const char *re;
    size_t      len, i;
    int         bad;
    char        cur[GROK_REQ_MAX];
    size_t      cur_len;
    int         cur_over;           /* the run went past the buffer: cut, still required */
    char       *best;
    size_t      best_len, cap;
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* A counted quantifier at re[i] == '{' as PCRE2 10.42 reads one: {n}, {n,},
 * {n,m}. Anything else is a literal brace. Returns its length, 0 if none. */
static size_t brace_quant(const char *re, size_t len, size_t i)
{
    size_t j = i + 1;

    if (j >= len || !is_digit(re[j]))
        return 0;
    while (j < len && is_digit(re[j]))
        j++;
    if (j < len && re[j] == ',') {
        j++;
        while (j < len && is_digit(re[j]))
            j++;
    }
    return j < len && re[j] == '}' ? j + 1 - i : 0;
}

/* The quantifier at re[i], with its lazy or possessive suffix; 0 if none. */
static size_t quant_len(const char *re, size_t len, size_t i)
{
    size_t q = 0;

    if (i >= len)
        return 0;
    if (re[i] == '?' || re[i] == '*' || re[i] == '+')
        q = 1;
    else if (re[i] == '{')
        q = brace_quant(re, len, i);
    if (q && i + q < len && (re[i + q] == '?' || re[i + q] == '+'))
        q++;
    return q;
}

/* Past a character class opening at re[i] == '['. */
static size_t skip_class(struct rq *r, size_t i)
{
    const char *re = r->re;
    size_t j = i + 1;

    if (j < r->len && re[j] == '^')
        j++;
    if (j < r->len && re[j] == ']')
        j++;                        /* a leading ] is a member */
    while (j < r->len && re[j] != ']') {
        if (re[j] == '\\') {
            if (j + 1 < r->len && re[j + 1] == 'Q') {
                r->bad = 1;
                return r->len;
            }
            j += 2;
        } else if (re[j] == '[' && j + 1 < r->len && re[j + 1] == ':') {
            const char *e = memchr(re + j + 2, ']', r->len - (j + 2));
            j = e ? (size_t)(e - re) + 1 : r->len;
        } else {
            j++;
        }
    }
    if (j >= r->len) {
        r->bad = 1;
        return r->len;
    }
    return j + 1;
}

/* Past an escape at re[i] == '\\'; *lit gets the character when the escape
 * stands for one ASCII punctuation character, else -1. */
static size_t skip_escape(struct rq *r, size_t i, int *lit)
{
    const char *re = r->re;
    char c;

    *lit = -1;
    if (i + 1 >= r->len) {
        r->bad = 1;
        return r->len;
    }
    c = re[i + 1];
    if (!is_alnum(c)) {
        if ((unsigned char)c < 0x80 && (unsigned char)c >= 0x20)
            *lit = (unsigned char)c;
        return i + 2;
    }
    if (c == 'Q' || c == 'E') {
        r->bad = 1;
        return r->len;
    }
    if (c == 'c')
        return i + 3 <= r->len ? i + 3 : r->len;
    if (i + 2 < r->len && (re[i + 2] == '{' || re[i + 2] == '<' || re[i + 2] == '\'')) {
        char close = re[i + 2] == '{' ? '}' : re[i + 2] == '<' ? '>' : '\'';
        const char *e = memchr(re + i + 3, close, r->len - (i + 3));
        if (!e) {
            r->bad = 1;
            return r->len;
        }
        return (size_t)(e - re) + 1;
    }
    /* \x41 \12 \g-1 \o... : the letters and digits after belong to the
     * escape, or are lost to the run (never read as literals). */
    for (i += 2; i < r->len && (is_alnum(re[i]) || re[i] == '-'); i++)
        ;
    return i;
}

/* The group opening at re[i] == '(': where it ends (past its ')') and
 * whether its own level has an alternation. */
static size_t group_end(struct rq *r, size_t i, int *alt)
{
    const char *re = r->re;
    size_t j = i + 1;
    int depth = 0, dummy;

    *alt = 0;
    while (j < r->len && !r->bad) {
        char c = re[j];
        if (c == '\\') {
            j = skip_escape(r, j, &dummy);
        } else if (c == '[') {
            j = skip_class(r, j);
        } else if (c == '(') {
            depth++;
            j++;
        } else if (c == ')') {
            if (depth == 0)
                return j + 1;
            depth--;
            j++;
        } else {
            if (c == '|' && depth == 0)
                *alt = 1;
            j++;
        }
    }
    r->bad = 1;
    return r->len;
}

static void run_end(struct rq *r)
{
    if (r->cur_len > r->best_len) {
        size_t n = r->cur_len < r->cap ? r->cur_len : r->cap;
        memcpy(r->best, r->cur, n);
        r->best_len = n;
    }
    r->cur_len = 0;
    r->cur_over = 0;
}

static void run_add(struct rq *r, char c)
{
    if (r->cur_len < sizeof r->cur)
        r->cur[r->cur_len++] = c;
    else
        r->cur_over = 1;
}

/* A quantifier followed the last character of the run: that character is
 * not always there. A run that overflowed lost its tail already, so its
 * kept head stays required. */
static void run_unquantify(struct rq *r)
{
    if (!r->cur_over && r->cur_len)
        r->cur_len--;
    run_end(r);
}

/* The items of one level, from r->i to its ')' or the end. req: the level
 * is entered on every match and has no alternation. */
static void level(struct rq *r, int req, int top)
{
    const char *re = r->re;

    while (r->i < r->len && !r->bad) {
        char c = re[r->i];
        size_t q;
        int lit;

        if (c == ')') {
            run_end(r);
            if (top)
                r->bad = 1;             /* unbalanced */
            else
                r->i++;
            return;
        }
        if (c == '(') {
            size_t at = r->i, body = at + 1, end;
            int alt, inner = req, opts = 0;
            run_end(r);
            end = group_end(r, at, &alt);
            if (r->bad)
                return;
            if (body < r->len && re[body] == '?') {
                char d = body + 1 < r->len ? re[body + 1] : '\0';
                if (d == ':' || d == '>') {
                    body += 2;
                } else if (d == '<' && body + 2 < r->len && re[body + 2] != '=' &&
                           re[body + 2] != '!') {
                    const char *e = memchr(re + body, '>', end - body);
                    body = e ? (size_t)(e - re) + 1 : end;    /* (?<gN> */
                } else if (d == '=' || d == '!' || d == '<') {
                    inner = 0;                              /* lookaround */
                    body = end - 1;
                } else {
                    /* Options: (?i) (?s) (?-i) alone change the rest of this
                     * level; (?i:...) only the group. Any of them: stop
                     * trusting literals there (case folding). */
                    size_t k = body + 1;
                    while (k < end && re[k] != ':' && re[k] != ')')
                        k++;
                    opts = 1;
                    if (k < end && re[k] == ')') {
                        req = 0;                            /* the rest of this level */
                        r->i = k + 1;
                        continue;
                    }
                    inner = 0;
                    body = k + 1;
                }
            }
            q = quant_len(re, r->len, end);
            if (alt || q || opts)
                inner = 0;
            r->i = body;
            /* A group not entered on every match holds nothing required:
             * group_end has already walked it, so it is not walked again
             * (each nesting level rescanned it: 37M instructions at start
             * for the grammars' IPv6 patterns) */
            if (body < end && inner)
                level(r, inner, 0);
            else
                r->i = end;
            if (r->bad)
                return;
            r->i = end + q;
            continue;
        }
        if (c == '[') {
            run_end(r);
            r->i = skip_class(r, r->i);
            r->i += quant_len(re, r->len, r->i);
            continue;
        }
        lit = -1;
        if (c == '\\') {
            size_t n = skip_escape(r, r->i, &lit);
            if (r->bad)
                return;
            r->i = n;
        } else {
            if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x80 && !strchr("^$.|?*+{", c))
                lit = (unsigned char)c;
            else if (c == '{' && !brace_quant(re, r->len, r->i))
                lit = -1;                                   /* a literal brace: end the run anyway */
            r->i++;
        }
        q = quant_len(re, r->len, r->i);
        if (lit >= 0 && req) {
            run_add(r, (char)lit);
            if (q)
                run_unquantify(r);
        } else {
            run_end(r);
        }
        r->i += q;
    }
    run_end(r);
}

size_t grok_req_literal(const char *re, size_t len, char *out, size_t cap)
{
    struct rq r;
    int alt = 0, depth = 0, dummy;

    memset(&r, 0, sizeof r);
    r.re = re;
    r.len = len;
    r.best = out;
    r.cap = cap;
    /* An alternation at the top level: no literal is required by all of it. */
    for (size_t j = 0; j < len && !r.bad;) {
        if (re[j] == '\\') {
            j = skip_escape(&r, j, &dummy);
        } else if (re[j] == '[') {
            j = skip_class(&r, j);
        } else {
            if (re[j] == '(')
                depth++;
            else if (re[j] == ')')
                depth--;
            else if (re[j] == '|' && depth == 0)
                alt = 1;
            j++;
        }
    }
    if (r.bad || alt || depth != 0)
        return 0;
    level(&r, 1, 1);
    return r.bad ? 0 : r.best_len;
}

/* glibc's memmem sets up a shift table on every call, which costs more than
 * the search on a syslog line. Here: candidates are the positions where the
 * literal's first and last bytes both match, 16 at a time with SSE2; each
 * is then compared in full. */
int grok_req_find(const char *s, size_t n, const char *lit, size_t k)
{
    size_t i = 0, last;

    if (k == 0)
        return 1;
    if (k > n)
        return 0;
    last = n - k;               /* the last position the literal can start at */
#if defined(__SSE2__)
    {
        const __m128i f = _mm_set1_epi8(lit[0]), l = _mm_set1_epi8(lit[k - 1]);
        /* positions i..i+15 all <= last, so both loads stay inside s */
        for (; i + 15 <= last; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(s + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(s + i + k - 1));
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_and_si128(_mm_cmpeq_epi8(a, f), _mm_cmpeq_epi8(b, l)));
            while (m) {
                unsigned j = (unsigned)__builtin_ctz(m);
                if (memcmp(s + i + j, lit, k) == 0)
                    return 1;
                m &= m - 1;
            }
        }
    }
#endif
    for (; i <= last; i++)
        if (s[i] == lit[0] && s[i + k - 1] == lit[k - 1] && memcmp(s + i, lit, k) == 0)
            return 1;
    return 0;
}
