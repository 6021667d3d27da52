/* parser/level.c: finding the level a message's text carries.
 *
 * Design: a handful of fixed places are looked at, in this order, and the
 * first that holds a level word wins (parser/README.md, "Log level"):
 *   1. a JSON object's "level" / "severity" / "lvl" / "loglevel" /
 *      "log.level" member with a string value (message starting with `{`);
 *   2. the first token: `ERROR ...` (upper case), `error:` / `Warning:` (any
 *      case, before a colon), `[warn]`, `<E>`, `[E]`, glog's `W1123 ...`, a
 *      capital letter alone before a digit or `[` (`E 10:00:00 ...`);
 *   3. after a leading time (a token with a `:`, and up to two more of digits
 *      and date punctuation, plain or in brackets): `2026-11-23 10:00:00,123
 *      WARN [main] ...`, nginx's `2026/11/23 12:00:07 [error] ...`, Python's
 *      `2026-11-23 10:00:00,123 - app.db - WARNING - ...`;
 *   4. a key=value pair anywhere: `level=info`, `lvl=warn`, `severity="ERROR"`.
 * A level word must be the whole token: the bytes around it may not be
 * letters or digits, so `terrorism`, `errors=0`, `/var/log/error.log` and
 * `access_level=error` give nothing. Everything is a bounded forward scan;
 * nothing allocates. */
#include <string.h>

#include "parser/evt_impl.h"
#include "parser/level.h"

static const char *const names[8] = {
    "emergency", "alert", "critical", "error", "warning", "notice", "info", "debug",
};

/* The vocabulary: what each program family writes. trace and verbose read
 * as debug (log.level keeps the syslog severities' eight words, so a terms
 * aggregation lines up with log.syslog.severity); fatal (log4j, glog, zap)
 * as critical; panic (syslog.conf's old name for emerg) as emergency;
 * severe (java.util.logging) as error. */
static const struct {
    const char *w;
    unsigned char n, level;
} vocab[] = {
    { "emerg", 5, 0 }, { "emergency", 9, 0 }, { "panic", 5, 0 },
    { "alert", 5, 1 },
    { "crit", 4, 2 }, { "critical", 8, 2 }, { "fatal", 5, 2 },
    { "err", 3, 3 }, { "error", 5, 3 }, { "severe", 6, 3 },
    { "warn", 4, 4 }, { "warning", 7, 4 },
    { "notice", 6, 5 },
    { "info", 4, 6 }, { "information", 11, 6 }, { "informational", 13, 6 },
    { "debug", 5, 7 }, { "trace", 5, 7 }, { "verbose", 7, 7 },
};

void level_opts_default(struct level_opts *o)
{
    o->detect = 1;
    o->prefer = LEVEL_PREFER_MESSAGE;
}

const char *level_name(int level)
{
    return level >= 0 && level < 8 ? names[level] : NULL;
}

static int is_alpha(unsigned char c)
{
    return (unsigned char)((c | 0x20) - 'a') < 26;
}

static int is_digit(unsigned char c)
{
    return (unsigned char)(c - '0') < 10;
}

static int is_upper(unsigned char c)
{
    return (unsigned char)(c - 'A') < 26;
}

static int letter_level(unsigned char c)
{
    switch (c | 0x20) {
    case 'e': return 3;
    case 'w': return 4;
    case 'i': return 6;
    case 'd': return 7;
    case 'n': return 5;
    case 'c': return 2;
    case 'f': return 2;
    case 't': return 7;
    case 'v': return 7;
    }
    return -1;
}

int level_word(const char *w, size_t n, int letters)
{
    char low[16];

    if (n == 1)
        return letters ? letter_level((unsigned char)w[0]) : -1;
    if (n < 3 || n > 13)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!is_alpha((unsigned char)w[i]))
            return -1;
        low[i] = (char)(w[i] | 0x20);
    }
    for (size_t i = 0; i < sizeof vocab / sizeof vocab[0]; i++)
        if (vocab[i].n == n && memcmp(vocab[i].w, low, n) == 0)
            return vocab[i].level;
    return -1;
}

static size_t word_len(const char *s, size_t left)
{
    size_t n = 0;

    while (n < left && is_alpha((unsigned char)s[n]))
        n++;
    return n;
}

/* A level word in brackets at s: `[warn]`, `<E>`, `[ERROR]`. */
static int bracketed(const char *s, size_t left)
{
    char close;
    size_t n;

    if (left < 3 || (s[0] != '[' && s[0] != '<'))
        return -1;
    close = s[0] == '[' ? ']' : '>';
    n = word_len(s + 1, left - 1);
    if (n == 0 || n + 1 >= left || s[n + 1] != close)
        return -1;
    return level_word(s + 1, n, 1);
}

/* A word at s ends where a level word may end: the end, a space, or
 * punctuation that is not part of a path, a key or a number. */
static int word_end(const char *s, size_t n, size_t left)
{
    if (n == left)
        return 1;
    switch (s[n]) {
    case ' ': case '\t': case ':': case ']': case '|': case ',': case ';':
        return 1;
    }
    return 0;
}

/* The first token (2. in the design above). */
static int leading(const char *s, size_t left)
{
    size_t n;
    int all_upper = 1;

    if (!left)
        return -1;
    if (s[0] == '[' || s[0] == '<')
        return bracketed(s, left);
    if (!is_alpha((unsigned char)s[0]))
        return -1;
    n = word_len(s, left);
    if (n == 1) {
        /* glog: Lmmdd hh:mm:ss.uuuuuu; or a capital alone before a time */
        if (!is_upper((unsigned char)s[0]) || left < 3)
            return -1;
        if (left >= 6 && is_digit((unsigned char)s[1]) && is_digit((unsigned char)s[2]) &&
            is_digit((unsigned char)s[3]) && is_digit((unsigned char)s[4]) && s[5] == ' ' &&
            strchr("IWEF", s[0]))
            return letter_level((unsigned char)s[0]);
        if (s[1] == ' ' && (is_digit((unsigned char)s[2]) || s[2] == '['))
            return letter_level((unsigned char)s[0]);
        return -1;
    }
    if (n < left && s[n] == ':')
        return level_word(s, n, 0);
    for (size_t i = 0; i < n; i++)
        all_upper &= is_upper((unsigned char)s[i]);
    if (!all_upper || !word_end(s, n, left))
        return -1;
    return level_word(s, n, 0);
}

static int time_char(unsigned char c)
{
    return is_digit(c) || c == '-' || c == '/' || c == ':' || c == '.' || c == ',' || c == '+' ||
           c == 'T' || c == 'Z';
}

/* Python's "%(asctime)s - %(name)s - %(levelname)s - ...": after the time's
 * " - ", the level word, or a logger name and a second " - " before it. */
static int after_dash(const char *s, size_t left)
{
    size_t n = word_len(s, left), k = 0;
    int lv;

    if (n && word_end(s, n, left) && (lv = level_word(s, n, 0)) >= 0)
        return lv;
    while (k < left && s[k] != ' ')
        k++;
    if (left - k < 4 || s[k + 1] != '-' || s[k + 2] != ' ')
        return -1;
    s += k + 3;
    left -= k + 3;
    n = word_len(s, left);
    if (!n || !word_end(s, n, left))
        return -1;
    return level_word(s, n, 0);
}

/* A leading time, then a level word (3.). */
static int after_time(const char *s, size_t left)
{
    size_t i = 0, n;
    int colon = 0;

    for (int tok = 0; tok < 3 && i < left; tok++) {
        size_t st = i, digits = 0;
        int br = s[i] == '[';
        if (br)
            i++;
        while (i < left && (time_char((unsigned char)s[i]) || (br && s[i] == ' '))) {
            digits += is_digit((unsigned char)s[i]);
            colon |= s[i] == ':';
            i++;
        }
        if (!digits) {
            i = st;
            break;
        }
        if (br) {
            if (i >= left || s[i] != ']')
                return -1;
            i++;
        }
        if (i < left && s[i] != ' ')
            return -1;
        while (i < left && s[i] == ' ')
            i++;
    }
    if (!colon || i >= left)
        return -1;
    if (left - i > 2 && s[i] == '-' && s[i + 1] == ' ')
        return after_dash(s + i + 2, left - i - 2);
    if (s[i] == '[' || s[i] == '<')
        return bracketed(s + i, left - i);
    n = word_len(s + i, left - i);
    if (!n || !word_end(s + i, n, left - i))
        return -1;
    return level_word(s + i, n, 0);
}

/* Keys that name a level; k is compared without case. A key is checked only
 * when its last byte is one a level key ends with: most `=` in a line (a
 * firewall's IN= OUT= SRC=...) cost one comparison. */
static int level_key(const char *k, size_t n)
{
    static const struct {
        const char *k;
        size_t n;
    } keys[] = {
        { "level", 5 }, { "lvl", 3 }, { "severity", 8 }, { "loglevel", 8 }, { "log_level", 9 },
        { "log.level", 9 }, { "levelname", 9 },
    };

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        size_t j = 0;
        if (keys[i].n != n)
            continue;
        while (j < n && (is_upper((unsigned char)k[j]) ? k[j] | 0x20 : k[j]) == keys[i].k[j])
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

static int level_key_end(unsigned char c)
{
    c |= 0x20;
    return c == 'l' || c == 'y' || c == 'e';
}

static int key_char(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-';
}

/* A quoted or bare word value at s, ending where a value ends. */
static int value_at(const char *s, size_t left)
{
    size_t q = left && s[0] == '"', n = word_len(s + q, left - q);

    if (!n)
        return -1;
    if (q) {
        if (q + n >= left || s[q + n] != '"')
            return -1;
        return level_word(s + q, n, 0);
    }
    if (n < left && s[n] != ' ' && s[n] != '\t' && s[n] != ',' && s[n] != ';' && s[n] != '}' &&
        s[n] != ')' && s[n] != ']')
        return -1;
    return level_word(s, n, 0);
}

/* key=value anywhere (4.): each '=' is checked for a level key before it. */
static int key_value(const char *s, size_t len)
{
    const char *p = s, *end = s + len, *eq;

    while (p < end && (eq = memchr(p, '=', (size_t)(end - p)))) {
        const char *k = eq;
        int lv;
        p = eq + 1;
        if (k == s || !level_key_end((unsigned char)k[-1]))
            continue;
        while (k > s && key_char((unsigned char)k[-1]))
            k--;
        if (k == eq || (k > s && k[-1] == '/'))
            continue;
        if (!level_key(k, (size_t)(eq - k)))
            continue;
        lv = value_at(eq + 1, (size_t)(end - eq - 1));
        if (lv >= 0)
            return lv;
    }
    return -1;
}

/* "key": "value" for a level key anywhere in a JSON text (1.). */
static int json_member(const char *s, size_t len)
{
    const char *p = s, *end = s + len, *q;

    while (p < end && (q = memchr(p, '"', (size_t)(end - p)))) {
        const char *k = q + 1, *ke = k;
        while (ke < end && *ke != '"' && *ke != '\\')
            ke++;
        if (ke >= end)
            return -1;
        p = ke + 1;
        if (*ke != '"' || !level_key(k, (size_t)(ke - k)))
            continue;
        q = ke + 1;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q >= end || *q != ':')
            continue;
        q++;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q < end && *q == '"') {
            size_t n = word_len(q + 1, (size_t)(end - q - 1));
            int lv = n && q + 1 + n < end && q[1 + n] == '"' ? level_word(q + 1, n, 1) : -1;
            if (lv >= 0)
                return lv;
        }
    }
    return -1;
}

int level_find(const char *msg, size_t len)
{
    const char *s = msg;
    int lv;

    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    if (!len)
        return -1;
    if (len > 5 && memcmp(s, "@cee:", 5) == 0) {
        s += 5;
        len -= 5;
        while (len && *s == ' ') {
            s++;
            len--;
        }
    }
    if (len && s[0] == '{')
        return json_member(s, len);
    lv = leading(s, len);
    if (lv < 0 && (is_digit((unsigned char)s[0]) || s[0] == '['))
        lv = after_time(s, len);
    if (lv < 0)
        lv = key_value(s, len);
    return lv;
}

void level_begin(struct evt *e, const struct level_opts *o)
{
    e->lvl_claim = o && o->detect &&
                   (o->prefer == LEVEL_PREFER_MESSAGE || (e->tags & (EVT_T_NO_PRI | EVT_T_BAD_PRI)));
}

void level_apply(struct evt *e, const struct level_opts *o, int search_text)
{
    int lv;

    (void)o;
    if (!e->lvl_claim)
        return;
    lv = e->lvl_grammar;
    if (lv < 0 && search_text && e->msg.p)
        lv = level_find(e->msg.p, e->msg.n);
    if (lv >= 0 && lv != (e->pri & 7))
        e->lvl = (int8_t)lv;
}
