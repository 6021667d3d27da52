/* shipper/cli.c: config loading and problem printing shared by the commands. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
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
    sl_buf_putc(&b, '"');
    for (const char *s = path; *s; s++) {
        if (*s == '"' || *s == '\\')
            sl_buf_putc(&b, '\\');
        sl_buf_putc(&b, *s);
    }
    sl_buf_putc(&b, '"');
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
