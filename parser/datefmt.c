/* parser/datefmt.c: date formats (datefmt.h).
 *
 * Design: a pattern compiles into a short list of tokens (a field with its
 * digit count, or literal bytes); parsing walks them once over the text,
 * which must be used up exactly, then checks the ranges. Numbers written
 * with one letter (d, M, H, m, s) take one or two digits; with two or more
 * letters exactly that many, so "yyyyMMddHHmmss" reads without separators.
 * yy is 1970..2069 (POSIX strptime's rule; Joda pivots on the current year,
 * which would make a golden file depend on the date). Names (MMM, MMMM,
 * EEE, EEEE, a) are English, any case. The named formats are hand-written
 * readers. */
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/mem.h"
#include "parser/datefmt.h"

enum df_kind { DF_PATTERN, DF_ISO8601, DF_UNIX, DF_UNIX_MS, DF_SYSLOG };

enum df_tok_kind {
    T_LIT, T_YEAR4, T_YEAR2, T_MON, T_MON_ABBR, T_MON_FULL, T_DAY, T_HOUR, T_HOUR12, T_MIN,
    T_SEC, T_FRAC, T_AMPM, T_ZONE, T_DOW_ABBR, T_DOW_FULL, T_KINDS
};

#define DF_TOKS_MAX 64u

struct df_tok {
    enum df_tok_kind k;
    unsigned width;             /* digits: exactly this many; 0: one or two */
    size_t off, len;            /* T_LIT: bytes of lit */
};

struct datefmt {
    enum df_kind kind;
    char *text;
    struct df_tok tok[DF_TOKS_MAX];
    size_t ntok;
    char lit[DATEFMT_TEXT_MAX];
    size_t lit_len;
};

static const char *const mon_full[12] = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
};
static const char *const dow_full[7] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

static int isdig(int c)
{
    return c >= '0' && c <= '9';
}

static int isletter(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
    static const unsigned char dim[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && (y < 0 || is_leap(y)) ? 29 : dim[m];
}

static int tm_ok(const struct syslog_tm *t)
{
    return t->mon >= 1 && t->mon <= 12 && t->day >= 1 && t->day <= days_in(t->year, t->mon) &&
           t->hour >= 0 && t->hour <= 23 && t->min >= 0 && t->min <= 59 && t->sec >= 0 &&
           t->sec <= 60;
}

static void tm_clear(struct syslog_tm *t)
{
    memset(t, 0, sizeof *t);
    t->year = -1;
}

/* ---- compiling ---- */

static int add_tok(struct datefmt *f, enum df_tok_kind k, unsigned width, size_t at,
                   struct sl_err *err)
{
    if (f->ntok == DF_TOKS_MAX)
        return sl_err_set(err, SL_EINVAL, "", "format '%s': more than %u parts at offset %zu",
                          f->text, DF_TOKS_MAX, at);
    f->tok[f->ntok].k = k;
    f->tok[f->ntok].width = width;
    f->ntok++;
    return 0;
}

/* Literal bytes, merged into the token before when that is literal too. */
static int add_lit(struct datefmt *f, const char *p, size_t n, size_t at, struct sl_err *err)
{
    struct df_tok *t = f->ntok ? &f->tok[f->ntok - 1] : NULL;
    int rc;

    if (f->lit_len + n > sizeof f->lit)
        return sl_err_set(err, SL_EINVAL, "", "format '%s' too long", f->text);
    if (!t || t->k != T_LIT) {
        rc = add_tok(f, T_LIT, 0, at, err);
        if (rc)
            return rc;
        t = &f->tok[f->ntok - 1];
        t->off = f->lit_len;
        t->len = 0;
    }
    memcpy(f->lit + f->lit_len, p, n);
    f->lit_len += n;
    t->len += n;
    return 0;
}

static int letter_tok(struct datefmt *f, char c, unsigned n, size_t at, struct sl_err *err)
{
    enum df_tok_kind k = T_KINDS;
    unsigned width = n >= 2 ? n : 0;

    switch (c) {
    case 'y': case 'Y':         /* Joda's Y (week year) is what people mean by y */
        if (n == 2) {
            k = T_YEAR2;
        } else if (n <= 4) {
            k = T_YEAR4;
            width = 4;
        }
        break;
    case 'M':
        k = n <= 2 ? T_MON : n == 3 ? T_MON_ABBR : n == 4 ? T_MON_FULL : T_KINDS;
        break;
    case 'd': k = n <= 2 ? T_DAY : T_KINDS; break;
    case 'H': k = n <= 2 ? T_HOUR : T_KINDS; break;
    case 'h': k = n <= 2 ? T_HOUR12 : T_KINDS; break;
    case 'm': k = n <= 2 ? T_MIN : T_KINDS; break;
    case 's': k = n <= 2 ? T_SEC : T_KINDS; break;
    case 'S': k = n <= 9 ? T_FRAC : T_KINDS; break;
    case 'a': k = n == 1 ? T_AMPM : T_KINDS; break;
    case 'Z': k = n <= 2 ? T_ZONE : T_KINDS; break;
    case 'E': k = n <= 3 ? T_DOW_ABBR : T_DOW_FULL; break;
    default:
        return sl_err_set(err, SL_EINVAL, "",
                          "format '%s': letter '%c' at offset %zu is not a field sluice reads "
                          "(y M d H h m s S a Z E); quote literal text ('%c')",
                          f->text, c, at, c);
    }
    if (k == T_KINDS)
        return sl_err_set(err, SL_EINVAL, "", "format '%s': %u '%c' at offset %zu is not a "
                          "field sluice reads%s", f->text, n, c, at,
                          c == 'Z' ? " (zone names, ZZZ, are not supported: write Z for +0100)"
                                   : "");
    for (size_t i = 0; i < f->ntok; i++) {
        enum df_tok_kind o = f->tok[i].k;
        int same = o == k || ((o == T_YEAR2 || o == T_YEAR4) && (k == T_YEAR2 || k == T_YEAR4)) ||
                   ((o >= T_MON && o <= T_MON_FULL) && (k >= T_MON && k <= T_MON_FULL)) ||
                   ((o == T_HOUR || o == T_HOUR12) && (k == T_HOUR || k == T_HOUR12)) ||
                   ((o == T_DOW_ABBR || o == T_DOW_FULL) && (k == T_DOW_ABBR || k == T_DOW_FULL));
        if (same)
            return sl_err_set(err, SL_EINVAL, "", "format '%s': '%c' at offset %zu repeats a "
                              "field given before", f->text, c, at);
    }
    if (k == T_FRAC)
        width = 0;              /* any count of digits; the letters say nothing */
    return add_tok(f, k, width, at, err);
}

static int has_tok(const struct datefmt *f, enum df_tok_kind k)
{
    for (size_t i = 0; i < f->ntok; i++)
        if (f->tok[i].k == k)
            return 1;
    return 0;
}

static int compile_pattern(struct datefmt *f, const char *s, struct sl_err *err)
{
    size_t i = 0, n = strlen(s);
    int rc = 0;

    while (i < n && !rc) {
        if (s[i] == '\'') {
            size_t at = i++;

            if (i < n && s[i] == '\'') {                /* '' is a quote */
                rc = add_lit(f, "'", 1, at, err);
                i++;
                continue;
            }
            for (;;) {
                if (i >= n)
                    return sl_err_set(err, SL_EINVAL, "", "format '%s': the quote at offset %zu "
                                      "is not closed", f->text, at);
                if (s[i] == '\'' && i + 1 < n && s[i + 1] == '\'') {
                    rc = add_lit(f, "'", 1, at, err);
                    i += 2;
                } else if (s[i] == '\'') {
                    i++;
                    break;
                } else {
                    rc = add_lit(f, s + i, 1, at, err);
                    i++;
                }
                if (rc)
                    return rc;
            }
        } else if (isletter((unsigned char)s[i])) {
            size_t at = i;
            unsigned cnt = 0;

            while (i < n && s[i] == s[at]) {
                i++;
                cnt++;
            }
            rc = letter_tok(f, s[at], cnt, at, err);
        } else {
            rc = add_lit(f, s + i, 1, i, err);
            i++;
        }
    }
    if (rc)
        return rc;
    if (!has_tok(f, T_DAY) || !(has_tok(f, T_MON) || has_tok(f, T_MON_ABBR) ||
                                has_tok(f, T_MON_FULL)))
        return sl_err_set(err, SL_EINVAL, "", "format '%s' needs a month (M) and a day (d)",
                          f->text);
    if (has_tok(f, T_HOUR12) != has_tok(f, T_AMPM))
        return sl_err_set(err, SL_EINVAL, "", "format '%s': h (1-12) goes with a (AM/PM); "
                          "H is 0-23", f->text);
    return 0;
}

int datefmt_compile(struct datefmt **out, const char *text, struct sl_err *err)
{
    static const struct { const char *name; enum df_kind kind; } named[] = {
        { "ISO8601", DF_ISO8601 }, { "UNIX", DF_UNIX }, { "UNIX_MS", DF_UNIX_MS },
        { "SYSLOG", DF_SYSLOG }, { "HTTPDATE", DF_PATTERN },
    };
    struct datefmt *f;
    int rc = 0;

    *out = NULL;
    if (!text || !*text)
        return sl_err_set(err, SL_EINVAL, "", "an empty date format");
    if (strlen(text) >= DATEFMT_TEXT_MAX)
        return sl_err_set(err, SL_EINVAL, "", "a date format longer than %u bytes",
                          DATEFMT_TEXT_MAX - 1);
    f = sl_calloc(1, sizeof *f);
    f->text = sl_strdup(text);
    f->kind = DF_PATTERN;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(text, named[i].name) == 0) {
            f->kind = named[i].kind;
            if (i == 4)
                rc = compile_pattern(f, "dd/MMM/yyyy:HH:mm:ss Z", err);
            goto done;
        }
    rc = compile_pattern(f, text, err);
done:
    if (rc) {
        datefmt_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

void datefmt_free(struct datefmt *f)
{
    if (!f)
        return;
    sl_free(f->text);
    sl_free(f);
}

const char *datefmt_text(const struct datefmt *f)
{
    return f->text;
}

/* ---- parsing ---- */

/* width digits exactly, or (width 0) one or two; -1 when not there. */
static int num(const char *s, size_t len, size_t *i, unsigned width)
{
    unsigned n = 0, max = width ? width : 2;
    int v = 0;

    while (n < max && *i < len && isdig((unsigned char)s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    if (n == 0 || (width && n != width))
        return -1;
    return v;
}

/* The index (from 0) of the name of names[0..n) that s starts with, any
 * case; abbr: its first three letters. -1: none. */
static int name_at(const char *s, size_t len, size_t *i, const char *const *names, int n, int abbr)
{
    for (int k = 0; k < n; k++) {
        size_t l = abbr ? 3 : strlen(names[k]), j = 0;

        if (len - *i < l)
            continue;
        while (j < l && lower((unsigned char)s[*i + j]) == names[k][j])
            j++;
        if (j == l) {
            *i += l;
            return k;
        }
    }
    return -1;
}

/* Z, z, +hh, +hhmm, +hh:mm (or '-'). */
static int zone(const char *s, size_t len, size_t *i, struct syslog_tm *t)
{
    int sign, hh, mm = 0;

    if (*i < len && (s[*i] == 'Z' || s[*i] == 'z')) {
        (*i)++;
        t->has_off = 1;
        t->off = 0;
        return 0;
    }
    if (*i >= len || (s[*i] != '+' && s[*i] != '-'))
        return -1;
    sign = s[*i] == '-' ? -1 : 1;
    (*i)++;
    if ((hh = num(s, len, i, 2)) < 0 || hh > 23)
        return -1;
    if (*i < len && s[*i] == ':') {
        (*i)++;
        if ((mm = num(s, len, i, 2)) < 0)
            return -1;
    } else if (*i < len && isdig((unsigned char)s[*i])) {
        if ((mm = num(s, len, i, 2)) < 0)
            return -1;
    }
    if (mm > 59)
        return -1;
    t->has_off = 1;
    t->off = sign * (hh * 3600 + mm * 60);
    return 0;
}

/* . or , and digits: the fraction; kept to 9 digits, counted up to 9. */
static int frac_digits(const char *s, size_t len, size_t *i, struct syslog_tm *t)
{
    uint32_t ns = 0;
    int k = 0;

    if (*i >= len || !isdig((unsigned char)s[*i]))
        return -1;
    while (*i < len && isdig((unsigned char)s[*i])) {
        if (k < 9) {
            ns = ns * 10 + (uint32_t)(s[*i] - '0');
            k++;
        }
        (*i)++;
    }
    t->frac = k;
    while (k++ < 9)
        ns *= 10;
    t->ns = ns;
    return 0;
}

static int parse_pattern(const struct datefmt *f, const char *s, size_t len, struct syslog_tm *t)
{
    size_t i = 0;
    int h12 = -1, pm = -1, v;

    for (size_t k = 0; k < f->ntok; k++) {
        const struct df_tok *tk = &f->tok[k];

        switch (tk->k) {
        case T_LIT:
            if (len - i < tk->len || memcmp(s + i, f->lit + tk->off, tk->len) != 0)
                return -1;
            i += tk->len;
            continue;
        case T_YEAR4: v = num(s, len, &i, 4); t->year = v; break;
        case T_YEAR2:
            v = num(s, len, &i, 2);
            t->year = v < 70 ? 2000 + v : 1900 + v;
            break;
        case T_MON: v = num(s, len, &i, tk->width); t->mon = v; break;
        case T_MON_ABBR:
            v = name_at(s, len, &i, mon_full, 12, 1);
            t->mon = v + 1;
            break;
        case T_MON_FULL:
            v = name_at(s, len, &i, mon_full, 12, 0);
            t->mon = v + 1;
            break;
        case T_DAY: v = num(s, len, &i, tk->width); t->day = v; break;
        case T_HOUR: v = num(s, len, &i, tk->width); t->hour = v; break;
        case T_HOUR12: v = h12 = num(s, len, &i, tk->width); break;
        case T_MIN: v = num(s, len, &i, tk->width); t->min = v; break;
        case T_SEC: v = num(s, len, &i, tk->width); t->sec = v; break;
        case T_FRAC: v = frac_digits(s, len, &i, t); break;
        case T_AMPM:
            v = -1;
            if (len - i >= 2 && (lower((unsigned char)s[i + 1]) == 'm')) {
                int c = lower((unsigned char)s[i]);
                if (c == 'a' || c == 'p') {
                    pm = c == 'p';
                    v = 0;
                    i += 2;
                }
            }
            break;
        case T_ZONE: v = zone(s, len, &i, t); break;
        case T_DOW_ABBR: v = name_at(s, len, &i, dow_full, 7, 1); break;
        case T_DOW_FULL: v = name_at(s, len, &i, dow_full, 7, 0); break;
        default: v = -1; break;
        }
        if (v < 0)
            return -1;
    }
    if (i != len)
        return -1;
    if (h12 >= 0) {
        if (h12 < 1 || h12 > 12)
            return -1;
        t->hour = h12 % 12 + (pm ? 12 : 0);
    }
    return tm_ok(t) ? 0 : -1;
}

/* 2026-11-23, 2026-11-23T10:00, ...T10:00:00.5+01:00; T, t or a space. */
static int parse_iso(const char *s, size_t len, struct syslog_tm *t)
{
    size_t i = 0;

    if ((t->year = num(s, len, &i, 4)) < 0 || i >= len || s[i++] != '-' ||
        (t->mon = num(s, len, &i, 2)) < 0 || i >= len || s[i++] != '-' ||
        (t->day = num(s, len, &i, 2)) < 0)
        return -1;
    if (i < len) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
            return -1;
        i++;
        if ((t->hour = num(s, len, &i, 2)) < 0 || i >= len || s[i++] != ':' ||
            (t->min = num(s, len, &i, 2)) < 0)
            return -1;
        if (i < len && s[i] == ':') {
            i++;
            if ((t->sec = num(s, len, &i, 2)) < 0)
                return -1;
            if (i < len && (s[i] == '.' || s[i] == ',')) {
                i++;
                if (frac_digits(s, len, &i, t))
                    return -1;
            }
        }
        if (i < len && zone(s, len, &i, t))
            return -1;
    }
    return i == len && tm_ok(t) ? 0 : -1;
}

#define UNIX_S_MAX 9223372035LL            /* what int64 nanoseconds hold */

/* Seconds (ms: milliseconds, no fraction) since the epoch, as a UTC time. */
static int parse_unix(const char *s, size_t len, struct syslog_tm *t, int ms)
{
    size_t i = 0;
    int64_t v = 0, secs, days, sod, y;
    uint32_t ns = 0;
    unsigned m, d;
    int neg = 0;

    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    if (i >= len || !isdig((unsigned char)s[i]))
        return -1;
    while (i < len && isdig((unsigned char)s[i])) {
        v = v * 10 + (s[i++] - '0');
        if (v > UNIX_S_MAX * (ms ? 1000 : 1))
            return -1;
    }
    if (!ms && i < len && s[i] == '.') {
        i++;
        if (frac_digits(s, len, &i, t))
            return -1;
        ns = t->ns;
    }
    if (i != len)
        return -1;
    if (ms) {
        secs = v / 1000;
        ns = (uint32_t)(v % 1000) * 1000000u;
        t->frac = 3;
    } else {
        secs = v;
    }
    if (neg) {
        secs = -secs;
        if (ns) {
            secs--;
            ns = 1000000000u - ns;
        }
    }
    days = secs / 86400 - (secs % 86400 < 0);
    sod = secs - days * 86400;
    sl_civil_from_days(days, &y, &m, &d);
    t->year = (int)y;
    t->mon = (int)m;
    t->day = (int)d;
    t->hour = (int)(sod / 3600);
    t->min = (int)(sod / 60 % 60);
    t->sec = (int)(sod % 60);
    t->ns = ns;
    t->has_off = 1;
    t->off = 0;
    return 0;
}

int datefmt_parse(const struct datefmt *f, const char *s, size_t len, struct syslog_tm *t)
{
    int rc = -1;

    tm_clear(t);
    switch (f->kind) {
    case DF_PATTERN: rc = parse_pattern(f, s, len, t); break;
    case DF_ISO8601: rc = parse_iso(s, len, t); break;
    case DF_UNIX: rc = parse_unix(s, len, t, 0); break;
    case DF_UNIX_MS: rc = parse_unix(s, len, t, 1); break;
    case DF_SYSLOG: {
        const char *p = s;
        size_t left = len;
        rc = syslog_time_bsd(&p, &left, t) == SYSLOG_TIME_OK && left == 0 ? 0 : -1;
        break;
    }
    }
    return rc ? SL_EINVAL : 0;
}

/* ---- canonical text ---- */

static size_t put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10 % 10);
    o[1] = (char)('0' + v % 10);
    return 2;
}

/* Written by hand, not snprintf: it runs once per line with a TIMESTAMP. */
size_t datefmt_canon(const struct syslog_tm *t, char *out)
{
    size_t n = 0;

    if (t->year >= 0) {
        n += put2(out + n, t->year / 100);
        n += put2(out + n, t->year % 100);
    } else {
        out[n++] = '-';
    }
    out[n++] = '-';
    n += put2(out + n, t->mon);
    out[n++] = '-';
    n += put2(out + n, t->day);
    out[n++] = 'T';
    n += put2(out + n, t->hour);
    out[n++] = ':';
    n += put2(out + n, t->min);
    out[n++] = ':';
    n += put2(out + n, t->sec);
    if (t->frac > 0) {
        uint32_t ns = t->ns;
        char digits[9];

        for (int k = 8; k >= 0; k--) {
            digits[k] = (char)('0' + ns % 10);
            ns /= 10;
        }
        out[n++] = '.';
        for (int k = 0; k < t->frac && k < 9; k++)
            out[n++] = digits[k];
    }
    if (t->has_off && t->off == 0) {
        out[n++] = 'Z';
    } else if (t->has_off) {
        int32_t o = t->off < 0 ? -t->off : t->off;

        out[n++] = t->off < 0 ? '-' : '+';
        n += put2(out + n, (int)(o / 3600));
        out[n++] = ':';
        n += put2(out + n, (int)(o / 60 % 60));
    }
    out[n] = '\0';
    return n;
}

int datefmt_canon_read(const char *s, size_t len, struct syslog_tm *t)
{
    size_t i = 0;

    tm_clear(t);
    if (len >= 2 && s[0] == '-' && s[1] == '-') {
        i = 2;
    } else if ((t->year = num(s, len, &i, 4)) < 0 || i >= len || s[i++] != '-') {
        return SL_EINVAL;
    }
    if ((t->mon = num(s, len, &i, 2)) < 0 || i >= len || s[i++] != '-' ||
        (t->day = num(s, len, &i, 2)) < 0 || i >= len || s[i++] != 'T' ||
        (t->hour = num(s, len, &i, 2)) < 0 || i >= len || s[i++] != ':' ||
        (t->min = num(s, len, &i, 2)) < 0 || i >= len || s[i++] != ':' ||
        (t->sec = num(s, len, &i, 2)) < 0)
        return SL_EINVAL;
    if (i < len && s[i] == '.') {
        i++;
        if (frac_digits(s, len, &i, t))
            return SL_EINVAL;
    }
    if (i < len && zone(s, len, &i, t))
        return SL_EINVAL;
    return i == len && tm_ok(t) ? 0 : SL_EINVAL;
}
