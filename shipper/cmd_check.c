/* shipper/cmd_check.c: `sluice check`: validate a config and list every problem;
 * with --connect, reach every host and say what the sink's account may do. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "parser/hostmap.h"
#include "shipper/cli.h"
#include "sinks/sink.h"

static void print_line(void *arg, const char *text)
{
    (void)arg;
    printf("    %s\n", text);
}

static const char *tri(int v, const char *yes, const char *no, const char *unknown)
{
    return v == SINK_YES ? yes : v == SINK_NO ? no : unknown;
}

/* Prints what the account may do; 1 when it cannot write (an error). */
static int print_access(const struct sink_access *a)
{
    if (a->security == SINK_NO) {
        printf("    security disabled on the cluster: anyone can write (no credentials are "
               "checked) [%s]\n", a->detail);
        return 0;
    }
    if (a->account[0])
        printf("    account %s%s%s%s on %s\n", a->account, a->roles[0] ? " (roles " : "",
               a->roles, a->roles[0] ? ")" : "", a->product[0] ? a->product : "the cluster");
    printf("    %s index %s: %s\n", tri(a->can_write, "ok: can write to", "error: cannot write to",
           "warning: could not tell whether it can write to"), a->target, a->detail);
    if (a->can_write == SINK_YES && a->can_create == SINK_NO)
        printf("    warning: cannot create %s when it is missing (Elasticsearch: auto_configure "
               "or create_index; OpenSearch: indices:admin/create); see docs/security.md\n",
               a->target);
    if (a->superuser == SINK_YES)
        printf("    warning: %s is a superuser (%s): sluice needs only a writer role; see "
               "docs/security.md\n", a->account, strcmp(a->product, "opensearch") == 0 ?
               "role all_access" : "cluster privilege all");
    return a->can_write == SINK_NO;
}

static void usage_check(FILE *f)
{
    fprintf(f,
        "usage: sluice check [-c FILE] [--connect] [--keys]\n"
        "Validates a config (the embedded default without -c) and prints every problem\n"
        "as FILE:LINE:COLUMN: key '...': message. Secrets are resolved but never shown.\n"
        "\n"
        "  -c, --config FILE   the config to check\n"
        "      --connect       also reach every host of every sink (with its credentials\n"
        "                      and TLS settings), print the product and version found,\n"
        "                      and what the account may do: an error if it cannot write\n"
        "                      to the sink's index, a warning if it is a superuser\n"
        "      --keys          list every config key with its type, default, bounds\n"
        "\n"
        "exit status: 0 valid (warnings allowed) and, with --connect, every host answered;\n"
        "1 errors found, a host did not answer as a cluster, or the account cannot write;\n"
        "2 usage error\n");
}

/* What the enrich section loaded: the host map's size, the zones, DNS. */
static void print_enrich(const struct cfg_enrich_host *eh)
{
    size_t hosts, nets;

    if (eh->hosts_file) {
        hostmap_counts(eh->hosts, &hosts, &nets);
        printf("  enrich hosts: %s: %zu host%s, %zu network%s\n", eh->hosts_file, hosts,
               hosts == 1 ? "" : "s", nets, nets == 1 ? "" : "s");
    }
    if (eh->nzones)
        printf("  enrich time zones: %zu network%s\n", eh->nzones, eh->nzones == 1 ? "" : "s");
    if (eh->dns_reverse)
        printf("  enrich dns: reverse lookups through %s\n",
               eh->dns_nameserver ? eh->dns_nameserver : "/etc/resolv.conf (after /etc/hosts)");
}

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "keys", no_argument, NULL, 'k' },
        { "connect", no_argument, NULL, 'C' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *path = NULL;
    struct sl_config *cfg = NULL;
    struct cfg_problems pr = { 0 };
    int c, keys = 0, connect = 0, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': path = optarg; break;
        case 'k': keys = 1; break;
        case 'C': connect = 1; break;
        case 'h': usage_check(stdout); return 0;
        default: usage_check(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sluice check: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (keys)
        return config_print_keys(stdout) ? 1 : 0;
    rc = cli_load_config(&cfg, path, NULL, &pr);
    if (rc == 0) {
        printf("%s: ok: %zu input%s, %zu sink%s", path ? path : "(embedded default config)",
               cfg->ninputs, cfg->ninputs == 1 ? "" : "s", cfg->nsinks, cfg->nsinks == 1 ? "" : "s");
        if (pr.warnings.n)
            printf(", %zu warning%s", pr.warnings.n, pr.warnings.n == 1 ? "" : "s");
        printf("\n");
        for (size_t i = 0; i < cfg->ninputs; i++)
            printf("  input %s: %s\n", cfg->inputs[i].name, cfg->inputs[i].listen);
        for (size_t i = 0; i < cfg->nsinks; i++) {
            const struct cfg_sink *s = &cfg->sinks[i];
            struct sl_err err = { 0 };
            printf("  sink %s: type %s\n", s->name, s->type->name);
            if (connect && s->type->probe && s->type->probe(s->conf, print_line, NULL, &err))
                rc = 1;
            if (connect && s->type->access) {
                struct sink_access a;
                sl_err_clear(&err);
                if (s->type->access(s->conf, &a, &err)) {
                    printf("    error: cannot tell what the account may do: %s%s%s\n", err.msg,
                           err.where[0] ? " at " : "", err.where);
                    rc = 1;
                } else if (print_access(&a)) {
                    rc = 1;
                }
            }
        }
        print_enrich(&cfg->eh);
    } else {
        fprintf(stderr, "sluice check: %zu error%s in %s\n", pr.errors.n + pr.dropped_errors,
                pr.errors.n + pr.dropped_errors == 1 ? "" : "s", path ? path : "the embedded config");
    }
    config_free(cfg);
    cfg_problems_free(&pr);
    return rc ? 1 : 0;
}
