#include <string.h>

#include "common/clock.h"
#include "common/mem.h"
#include "parser/evt.h"
#include "parser/evt_impl.h"

static const char *const tag_names[EVT_T_COUNT] = {
    "_sluice_no_pri",
    "_sluice_bad_pri",
    "_sluice_no_timestamp",
    "_sluice_bad_timestamp",
    "_sluice_bad_header",
    "_sluice_bad_sd",
    "_sluice_sd_limit",
    "_sluice_truncated",
    "_sluice_partial_frame",
    "_sluice_bad_frame",
};

struct evt *evt_new(size_t max_msg)
{
    struct evt *e = sl_calloc(1, sizeof *e);

    e->max_msg = max_msg;
    e->pri = 13;
    return e;
}

void evt_free(struct evt *e)
{
    if (!e)
        return;
    sl_free(e->raw);
    sl_free(e->unesc);
    sl_free(e);
}

/* Capacity only grows, so after the longest message seen nothing allocates. */
static void grow(char **buf, size_t *cap, size_t need)
{
    size_t c = *cap ? *cap : 256;

    if (need <= *cap)
        return;
    while (c < need)
        c *= 2;
    *buf = sl_realloc(*buf, c);
    *cap = c;
}

/* A cut inside a UTF-8 sequence would leave a stray lead byte; back up to
 * the sequence's start (at most 3 bytes) so the text stays well formed. */
static size_t utf8_cut(const char *s, size_t len)
{
    size_t i = len, back = 0;

    while (i > 0 && back < 3 && ((unsigned char)s[i] & 0xc0) == 0x80) {
        i--;
        back++;
    }
    if (i < len && (unsigned char)s[i] >= 0xc0)
        return i;
    return len;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;

    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

void evt_begin(struct evt *e, const char *msg, size_t len, const struct evt_meta *m)
{
    unsigned flags = m ? m->flags : 0;

    e->tags = 0;
    if (len > e->max_msg) {
        len = utf8_cut(msg, e->max_msg);
        e->tags |= EVT_T_TRUNCATED;
    }
    grow(&e->raw, &e->raw_cap, len + 1);
    grow(&e->unesc, &e->unesc_cap, len + 1);
    if (len)
        memcpy(e->raw, msg, len);
    e->raw[len] = '\0';
    e->raw_len = len;
    e->unesc_len = 0;

    e->recv_ns = m && m->recv_ns ? m->recv_ns : sl_clock_real_ns();
    e->ts_ns = e->recv_ns;
    e->ts_digits = 6;
    e->pri = 13;
    e->version = 0;
    memset(&e->host, 0, sizeof e->host);
    e->app = e->procid = e->msgid = e->msg = e->host;
    e->pid = 0;
    e->has_pid = 0;
    e->sd_n = e->sdp_n = 0;

    copy_str(e->src_ip, sizeof e->src_ip, m ? m->src_ip : NULL);
    copy_str(e->transport, sizeof e->transport, m ? m->transport : NULL);
    e->src_port = m ? m->src_port : 0;
    if (flags & EVT_F_TRUNCATED)
        e->tags |= EVT_T_TRUNCATED;
    if (flags & EVT_F_PARTIAL)
        e->tags |= EVT_T_PARTIAL_FRAME;
    if (flags & EVT_F_BAD_FRAME)
        e->tags |= EVT_T_BAD_FRAME;
}

int64_t evt_time_ns(const struct evt *e)
{
    return e->ts_ns;
}

static const char *view(const struct evt_sv *v, size_t *len)
{
    if (len)
        *len = v->p ? v->n : 0;
    return v->p;
}

const char *evt_appname(const struct evt *e, size_t *len)
{
    return view(&e->app, len);
}

const char *evt_hostname(const struct evt *e, size_t *len)
{
    return view(&e->host, len);
}

const char *evt_message(const struct evt *e, size_t *len)
{
    return view(&e->msg, len);
}

int evt_priority(const struct evt *e)
{
    return e->pri;
}

unsigned evt_tags(const struct evt *e)
{
    return e->tags;
}

const char *evt_tag_name(unsigned bit)
{
    for (unsigned i = 0; i < EVT_T_COUNT; i++)
        if (bit == 1u << i)
            return tag_names[i];
    return NULL;
}
