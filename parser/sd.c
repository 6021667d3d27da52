#include "common/err.h"
#include "parser/evt_impl.h"
#include "parser/sd.h"

#define SD_NAME_MAX 255u        /* RFC 5424 says 32; senders write longer */

/* SD-NAME: PRINTUSASCII except '=', SP, ']', '"'. */
static int name_char(unsigned char c)
{
    return c > ' ' && c < 127 && c != '=' && c != ']' && c != '"';
}

static int is_esc(const unsigned char *s, size_t i, size_t n)
{
    return s[i] == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == ']');
}

/* The value s[0..n) with its escapes removed, written to the event's unesc. */
static struct evt_sv unescape(struct evt *e, const unsigned char *s, size_t n)
{
    struct evt_sv v = { e->unesc + e->unesc_len, 0 };
    char *o = e->unesc + e->unesc_len;

    for (size_t i = 0; i < n; i++) {
        if (is_esc(s, i, n))
            i++;
        *o++ = (char)s[i];
    }
    v.n = (uint32_t)(o - v.p);
    e->unesc_len += v.n;
    return v;
}

int sd_parse(struct evt *e, const char **pp, size_t *left)
{
    const unsigned char *p = (const unsigned char *)*pp;
    size_t n = *left, i = 0, start, vstart;
    uint32_t sd_n = e->sd_n, sdp_n = e->sdp_n;
    size_t unesc_len = e->unesc_len;
    unsigned tags = e->tags;
    struct evt_sd_elem *el;
    int esc;

    if (!n || p[0] != '[')
        return SL_EINVAL;
    while (i < n && p[i] == '[') {
        start = ++i;
        while (i < n && name_char(p[i]))
            i++;
        if (i == start || i - start > SD_NAME_MAX)
            goto fail;
        el = NULL;
        if (e->sd_n < EVT_SD_ELEMS_MAX) {
            el = &e->sd[e->sd_n++];
            el->id.p = (const char *)p + start;
            el->id.n = (uint32_t)(i - start);
            el->first = e->sdp_n;
            el->count = 0;
        } else {
            e->tags |= EVT_T_SD_LIMIT;
        }
        while (i < n && p[i] == ' ') {
            while (i < n && p[i] == ' ')
                i++;
            if (i < n && p[i] == ']')
                break;                          /* a space before ']': tolerated */
            start = i;
            while (i < n && name_char(p[i]))
                i++;
            if (i == start || i - start > SD_NAME_MAX || i + 1 >= n || p[i] != '=' ||
                p[i + 1] != '"')
                goto fail;
            i += 2;
            vstart = i;
            esc = 0;
            while (i < n && p[i] != '"') {
                if (is_esc(p, i, n)) {
                    esc = 1;
                    i++;
                }
                i++;
            }
            if (i >= n)
                goto fail;
            if (el && e->sdp_n < EVT_SD_PARAMS_MAX) {
                struct evt_sd_param *pa = &e->sdp[e->sdp_n++];
                pa->name.p = (const char *)p + start;
                pa->name.n = (uint32_t)(vstart - 2 - start);
                if (esc) {
                    pa->value = unescape(e, p + vstart, i - vstart);
                } else {
                    pa->value.p = (const char *)p + vstart;
                    pa->value.n = (uint32_t)(i - vstart);
                }
                el->count++;
            } else {
                e->tags |= EVT_T_SD_LIMIT;
            }
            i++;                                /* the closing quote */
        }
        if (i >= n || p[i] != ']')
            goto fail;
        i++;
    }
    *pp += i;
    *left -= i;
    return 0;
fail:
    e->sd_n = sd_n;
    e->sdp_n = sdp_n;
    e->unesc_len = unesc_len;
    e->tags = tags;
    return SL_EINVAL;
}
