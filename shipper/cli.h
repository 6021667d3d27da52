/* shipper/cli.h: what the commands share. */
#ifndef SHIPPER_CLI_H
#define SHIPPER_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "shipper/config.h"

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_buffer(int argc, char **argv);
int cmd_replay(int argc, char **argv);

/* Loads `path`, or the embedded default config when path is NULL (with its
 * NDJSON file at out_path, or ./sluice-out.ndjson, made absolute). Prints every
 * problem to stderr; returns 0 when there was no error (warnings allowed). */
int cli_load_config(struct sl_config **out, const char *path, const char *out_path,
                    struct cfg_problems *pr);
/* The embedded config's NDJSON file, absolute, in buf. */
const char *cli_default_out(const char *out_path, char *buf, size_t n);
/* s as a YAML double-quoted scalar, for config text made in memory: -1 when
 * s holds a control byte (written as is: YAML refuses it in a scalar). */
int cli_yaml_quoted(struct sl_buf *b, const char *s);
/* Prints the problems: errors then warnings, one per line. */
void cli_print_problems(const struct cfg_problems *pr, const char *prog);

/* An event time for --from/--to, in ms since the epoch: 2026-11-23 (midnight),
 * 2026-11-23T10:00, 2026-11-23T10:00:00.250Z, 2026-11-23 10:00:00+02:00.
 * Without an offset the time is UTC. 0, or -1 when s is not such a time. */
int cli_parse_time(const char *s, int64_t *ms);
/* The spool directory a buffer command or replay works on: `path` (--path)
 * when given, else the buffer.path of the config at cfg_path (loaded into
 * *cfg, which the caller frees; NULL when not loaded). Prints the problem
 * as "PROG: ..." and returns 2 (usage or config error); 0 with *dir set. */
int cli_spool_dir(const char *prog, const char *cfg_path, const char *path,
                  struct sl_config **cfg, const char **dir);
/* "12.3 MiB" (bytes below 1 KiB: "512 B"), into buf. */
const char *cli_fmt_bytes(uint64_t n, char *buf, size_t len);

#endif
