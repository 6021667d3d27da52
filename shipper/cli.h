/* shipper/cli.h: what the commands share. */
#ifndef SHIPPER_CLI_H
#define SHIPPER_CLI_H

#include <stddef.h>

#include "shipper/config.h"

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_test(int argc, char **argv);

/* Loads `path`, or the embedded default config when path is NULL (with its
 * NDJSON file at out_path, or ./sluice-out.ndjson, made absolute). Prints every
 * problem to stderr; returns 0 when there was no error (warnings allowed). */
int cli_load_config(struct sl_config **out, const char *path, const char *out_path,
                    struct cfg_problems *pr);
/* The embedded config's NDJSON file, absolute, in buf. */
const char *cli_default_out(const char *out_path, char *buf, size_t n);
/* Prints the problems: errors then warnings, one per line. */
void cli_print_problems(const struct cfg_problems *pr, const char *prog);

#endif
