/* shipper/cli.c: config loading and problem printing shared by the commands. */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/mem.h"
#include "shipper/cli.h"

#define DEFAULT_OUT "./sluice-out.ndjson"

void cli_print_problems(const struct cfg_problems *pr, const char *prog)
{
    for (size_t i = 0; i < pr->errors.n; i++)
        fprintf(stderr, "%s: error: %s\n", prog, pr->errors.v[i]);
    if (pr->dropped_errors)
        fprintf(stderr, "%s: error: ... and %zu more errors\n", prog, pr->dropped_errors);
    for (size_t i = 0; i < pr->warnings.n; i++)
        fprintf(stderr, "%s: warning: %s\n", prog, pr->warnings.v[i]);
    if (pr->dropped_warnings)
        fprintf(stderr, "%s: warning: ... and %zu more warnings\n", prog, pr->dropped_warnings);
}

const char *cli_default_out(const char *out_path, char *buf, size_t n)
{
    const char *p = out_path ? out_path : DEFAULT_OUT;
    char cwd[PATH_MAX];

    if (p[0] == '/' || strcmp(p, "-") == 0 || !getcwd(cwd, sizeof cwd)) {
        snprintf(buf, n, "%s", p);
        return buf;
    }
    if (p[0] == '.' && p[1] == '/')
        p += 2;
    snprintf(buf, n, "%s/%s", cwd, p);
    return buf;
}

int cli_yaml_quoted(struct sl_buf *b, const char *s)
{
    int ctl = 0;

    sl_buf_putc(b, '"');
    for (; *s; s++) {
        ctl |= (unsigned char)*s < 0x20 || *s == 0x7f;
        if (*s == '"' || *s == '\\')
            sl_buf_putc(b, '\\');
        sl_buf_putc(b, *s);
    }
    sl_buf_putc(b, '"');
    return ctl ? -1 : 0;
}

/* The embedded config with its NDJSON path replaced, as a YAML double-quoted
 * scalar so any file name survives. */
static char *default_yaml(const char *path, size_t *len)
{
    const char *at = strstr(sl_default_config, DEFAULT_OUT);
    struct sl_buf b;

    sl_buf_init(&b, strlen(sl_default_config) + strlen(path) * 2 + 8, 1u << 20);
    if (!at) {
        sl_buf_puts(&b, sl_default_config);
        return sl_buf_steal(&b, len);
    }
    sl_buf_append(&b, sl_default_config, (size_t)(at - sl_default_config));
    cli_yaml_quoted(&b, path);
    sl_buf_puts(&b, at + strlen(DEFAULT_OUT));
    return sl_buf_steal(&b, len);
}

int cli_load_config(struct sl_config **out, const char *path, const char *out_path,
                    struct cfg_problems *pr)
{
    int rc;

    if (path) {
        rc = config_load_file(out, path, pr);
    } else {
        char abs[PATH_MAX + 32];
        size_t len;
        char *yaml = default_yaml(cli_default_out(out_path, abs, sizeof abs), &len);
        rc = config_load_string(out, "(embedded default config)", yaml, len, pr);
        sl_free(yaml);
    }
    cli_print_problems(pr, "sluice");
    return rc;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int cli_parse_time(const char *s, int64_t *ms)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac_ms = 0, off = 0;
    int64_t y2, days;
    unsigned m2, d2;

    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d))
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec))
                return -1;
            if (*p == '.' || *p == ',') {
                int scale = 100, any = 0;
                for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
                    frac_ms += (*p - '0') * scale;
                    scale /= 10;
                }
                if (!any)
                    return -1;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om;
            if (digits(&p, 2, &oh))
                return -1;
            if (*p == ':')
                p++;
            if (digits(&p, 2, &om) || oh > 23 || om > 59)
                return -1;
            off = sign * (oh * 60 + om);
        }
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60)
        return -1;
    days = sl_days_from_civil(y, (unsigned)mo, (unsigned)d);
    sl_civil_from_days(days, &y2, &m2, &d2);
    if (y2 != y || (int)m2 != mo || (int)d2 != d)
        return -1;      /* February 30th and the like */
    *ms = ((days * 86400 + h * 3600 + mi * 60 + sec) - (int64_t)off * 60) * 1000 + frac_ms;
    return 0;
}

int cli_spool_dir(const char *prog, const char *cfg_path, const char *path,
                  struct sl_config **cfg, const char **dir)
{
    struct cfg_problems pr = { 0 };
    struct stat st;

    *cfg = NULL;
    if (cfg_path) {
        if (cli_load_config(cfg, cfg_path, NULL, &pr)) {
            cfg_problems_free(&pr);
            return 2;
        }
        cfg_problems_free(&pr);
    }
    if (!path && !cfg_path) {
        fprintf(stderr, "%s: name the spool: --path DIR, or -c CONFIG with a buffer.path\n", prog);
        return 2;
    }
    if (!path && !(*cfg)->buffer.path) {
        fprintf(stderr, "%s: %s has no buffer.path (the daemon keeps no spool); name one "
                "with --path DIR\n", prog, cfg_path);
        return 2;
    }
    *dir = path ? path : (*cfg)->buffer.path;
    if (stat(*dir, &st)) {
        fprintf(stderr, "%s: %s: cannot open the spool: %s\n", prog, *dir, strerror(errno));
        return 2;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: %s: not a directory (a spool is a directory)\n", prog, *dir);
        return 2;
    }
    return 0;
}

const char *cli_fmt_bytes(uint64_t n, char *buf, size_t len)
{
    static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
    double v = (double)n;
    int u = -1;

    if (n < 1024) {
        snprintf(buf, len, "%llu B", (unsigned long long)n);
        return buf;
    }
    while (v >= 1024 && u < 3) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, "%.1f %s", v, unit[u]);
    return buf;
}
