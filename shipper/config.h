/* shipper/config.h: the YAML config file → typed structs.
 *
 * Loading never prints: every problem is collected in struct cfg_problems as
 * one line of text, errors apart from warnings, and the CLI prints them.
 * Errors read "FILE:LINE:COL: key 'path.to.key': message" (LINE and COL count
 * from 1); a problem with no key (YAML syntax, a file that cannot be read)
 * leaves out the key part. A config with any error is not returned. Secret
 * values never appear in a problem. See docs/config.md. */
#ifndef SHIPPER_CONFIG_H
#define SHIPPER_CONFIG_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "common/cidr.h"
#include "common/schema.h"
#include "shipper/enrich.h"
#include "parser/level.h"
#include "parser/payload.h"

struct sink_type;
struct route_table;

enum cfg_proto { CFG_UDP = 0, CFG_TCP };


struct cfg_input {
    char    *listen;            /* as written: tcp://127.0.0.1:5514 */
    char    *name;              /* default: the listen URL */
    int      proto;             /* enum cfg_proto */
    char    *host;              /* without brackets: "::1", "127.0.0.1", "localhost" */
    char    *port;              /* decimal, "0" lets the kernel pick */
    uint64_t max_msg;
    uint64_t max_conns;         /* tcp only */
    struct sl_strlist allow;    /* as written; empty: every sender allowed */
    struct sl_cidr *nets;       /* allow, parsed */
    size_t   nnets;
    /* enrichment (shipper/enrich.h compiles them into cfg_enrich_host) */
    struct sl_kvlist fields;    /* static fields of this input's documents */
    struct sl_strlist tags;
    char    *timezone;          /* zone of zone-less timestamps; NULL: host's */
};

struct cfg_sink {
    char *name;                 /* default "<type><index>", e.g. "ndjson0" */
    const struct sink_type *type;
    void *conf;                 /* type->conf_size bytes, filled by type->rows */
};

struct sl_config {
    char    *path;              /* the file, or the name given to config_load_string */
    struct cfg_input *inputs;
    size_t   ninputs;
    struct cfg_sink *sinks;
    size_t   nsinks;
    uint64_t queue_bytes;       /* queue.max_bytes */
    /* buffer: the disk spool; path NULL: none (memory only, lost on a kill). */
    struct {
        char    *path;
        uint64_t max_size;
        uint64_t segment_size;
        int      when_full;     /* enum spool_full */
        char    *fsync_text;    /* always | never | a duration */
        int      fsync;         /* enum spool_fsync, from fsync_text */
        uint64_t fsync_ms;
        int      compress;      /* enum spool_compress */
    } buffer;
    /* admin: the HTTP endpoint (shipper/admin.h); listen NULL: none. A
     * listen address that is not loopback has a token (checked at load). */
    struct {
        char    *listen;        /* HOST:PORT as written */
        char    *token;         /* resolved secret; NULL: none */
        char    *host;          /* from listen, IPv6 without brackets */
        char    *port;
    } admin;
    int      log_level;         /* enum sl_level (common/log.h) */
    /* grammars:, compiled and sealed (parser/route.h); NULL when the config
     * has none, and then no message pays anything for normalization. */
    struct route_table *routes;
    /* enrich: host and time (shipper/enrich.h): the rows fill it, config.c
     * compiles the rest */
    struct cfg_enrich_host eh;
    /* enrich.level and enrich.payload as written (the rows), and what they
     * build at load (parser/level.h, parser/payload.h). */
    struct {
        int      detect;
        int      prefer;        /* enum level_prefer */
    } level;
    struct {
        int      json, logfmt;
        char    *prefix, *logfmt_prefix;
        uint64_t max_depth, max_fields;
    } payload;
    struct level_opts level_opts;
    struct payload_opts payload_opts;
};

/* Problems of one or more loads; each load appends its own in file order.
 * Start from {0}; cfg_problems_free empties it for reuse. At most
 * SL_CONFIG_LIST_LIMIT of each kind are kept; dropped_* count the rest. */
struct cfg_problems {
    struct sl_strlist errors;
    struct sl_strlist warnings;
    size_t dropped_errors;
    size_t dropped_warnings;
};

/* 0 and *out set when the config has no error (it may have warnings).
 * Otherwise *out is NULL, pr->errors says why and the return is SL_ECONFIG
 * (bad content), SL_EIO (cannot read) or SL_ETOOBIG (file over
 * SL_CONFIG_FILE_LIMIT). pr may be NULL when the caller only wants the code. */
int  config_load_file(struct sl_config **out, const char *path, struct cfg_problems *pr);
/* The same from memory (the embedded default, tests); name stands for the
 * file name in problems. yaml need not be NUL-terminated. */
int  config_load_string(struct sl_config **out, const char *name, const char *yaml,
                        size_t len, struct cfg_problems *pr);
void config_free(struct sl_config *c);          /* NULL-safe; wipes secrets */
void cfg_problems_free(struct cfg_problems *pr);

/* Every key with its type, default, bounds and description, each sink type's
 * rows included: `sluice check --keys`. 0, or SL_EIO when writing failed. */
int  config_print_keys(FILE *f);

/* 1 when the input accepts a sender at sa (AF_INET or AF_INET6; an IPv4-mapped
 * IPv6 address is matched as IPv4), 0 otherwise. An input without an allow
 * list accepts everyone. */
int  cfg_input_allows(const struct cfg_input *in, const struct sockaddr *sa);

/* The embedded default config (shipper/default_config.c), NUL-terminated. */
extern const char sl_default_config[];

/* Schema rows (shipper/config_schema.c): the top level's scalar sections
 * (queue, log) store into struct sl_config, the input rows into struct
 * cfg_input. `inputs:` and `sinks:` are lists, walked by config.c. */
extern const struct sl_cfg_row cfg_top_rows[];
extern const struct sl_cfg_row cfg_input_rows[];
/* One-line descriptions of the list keys, for config_print_keys. */
extern const char cfg_inputs_desc[];
extern const char cfg_sinks_desc[];
extern const char cfg_sink_type_desc[];
extern const char cfg_sink_name_desc[];
extern const char cfg_grammars_builtin_patterns_desc[];
extern const char cfg_grammars_patterns_desc[];
extern const char cfg_grammars_defs_desc[];
extern const char cfg_grammars_name_desc[];
extern const char cfg_grammars_type_desc[];
extern const char cfg_grammars_match_desc[];
extern const char cfg_grammars_file_desc[];
extern const char cfg_grammars_builtin_desc[];
extern const char cfg_grammars_timestamp_desc[];
extern const char cfg_grammars_rulebase_desc[];
extern const char cfg_grammars_space_desc[];
extern const char cfg_grammars_routes_desc[];

#endif
