/* shipper/prom.c: the Prometheus text format writer (prom.h). */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "shipper/prom.h"

int prom_label_escape(struct sl_buf *b, const char *v)
{
    for (const char *p = v; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '\\': rep = "\\\\"; break;
        case '"':  rep = "\\\""; break;
        case '\n': rep = "\\n"; break;
        default: break;
        }
        if (rep ? sl_buf_puts(b, rep) : sl_buf_putc(b, *p))
            return SL_ETOOBIG;
    }
    return 0;
}

/* HELP text escapes only backslash and newline. */
static int help_escape(struct sl_buf *b, const char *v)
{
    for (const char *p = v; *p; p++) {
        int rc = *p == '\\' ? sl_buf_puts(b, "\\\\") : *p == '\n' ? sl_buf_puts(b, "\\n")
                                                                   : sl_buf_putc(b, *p);
        if (rc)
            return SL_ETOOBIG;
    }
    return 0;
}

int prom_head(struct sl_buf *b, const char *name, const char *type, const char *help)
{
    if (sl_buf_printf(b, "# HELP %s ", name) || help_escape(b, help) ||
        sl_buf_printf(b, "\n# TYPE %s %s\n", name, type))
        return SL_ETOOBIG;
    return 0;
}

/* name{labels[,extra="xv"]} without the value. */
static int series(struct sl_buf *b, const char *name, const struct prom_label *l, size_t nl,
                  const char *extra, const char *xv)
{
    if (sl_buf_puts(b, name))
        return SL_ETOOBIG;
    if (!nl && !extra)
        return 0;
    if (sl_buf_putc(b, '{'))
        return SL_ETOOBIG;
    for (size_t i = 0; i < nl; i++)
        if ((i && sl_buf_putc(b, ',')) || sl_buf_printf(b, "%s=\"", l[i].name) ||
            prom_label_escape(b, l[i].value) || sl_buf_putc(b, '"'))
            return SL_ETOOBIG;
    if (extra && sl_buf_printf(b, "%s%s=\"%s\"", nl ? "," : "", extra, xv))
        return SL_ETOOBIG;
    return sl_buf_putc(b, '}') ? SL_ETOOBIG : 0;
}

int prom_u64(struct sl_buf *b, const char *name, const struct prom_label *l, size_t nl,
             uint64_t v)
{
    if (series(b, name, l, nl, NULL, NULL) || sl_buf_printf(b, " %llu\n", (unsigned long long)v))
        return SL_ETOOBIG;
    return 0;
}

/* Microsecond precision, trailing zeros cut: 0.005, 1, 1795451699.17. */
static void fmt_f64(char *out, size_t n, double v)
{
    size_t len = (size_t)snprintf(out, n, "%.6f", v);

    if (len >= n || !strchr(out, '.'))
        return;
    while (len && out[len - 1] == '0')
        out[--len] = '\0';
    if (len && out[len - 1] == '.')
        out[--len] = '\0';
}

int prom_f64(struct sl_buf *b, const char *name, const struct prom_label *l, size_t nl,
             double v)
{
    char num[64];

    fmt_f64(num, sizeof num, v);
    if (series(b, name, l, nl, NULL, NULL) || sl_buf_printf(b, " %s\n", num))
        return SL_ETOOBIG;
    return 0;
}

int prom_histogram(struct sl_buf *b, const char *name, const struct prom_label *l, size_t nl,
                   const double *bounds, const uint64_t *counts, size_t nbounds, double sum)
{
    char sname[128], le[32];
    uint64_t cum = 0;

    snprintf(sname, sizeof sname, "%s_bucket", name);
    for (size_t i = 0; i <= nbounds; i++) {
        cum += counts[i];
        if (i < nbounds)
            fmt_f64(le, sizeof le, bounds[i]);
        else
            snprintf(le, sizeof le, "+Inf");
        if (series(b, sname, l, nl, "le", le) ||
            sl_buf_printf(b, " %llu\n", (unsigned long long)cum))
            return SL_ETOOBIG;
    }
    snprintf(sname, sizeof sname, "%s_sum", name);
    if (prom_f64(b, sname, l, nl, sum))
        return SL_ETOOBIG;
    snprintf(sname, sizeof sname, "%s_count", name);
    return prom_u64(b, sname, l, nl, cum);
}
