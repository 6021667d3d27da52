/* shipper/config_schema.c: the rows of the top-level keys and of one input.
 * Each sink type brings its own rows (sinks/); config.c walks the lists
 * `inputs:` and `sinks:` and hands each item to these rows or the sink's. */
#include <stddef.h>

#include "common/bounds.h"
#include "shipper/config.h"

/* Defaults are written as a user would write them; these keep them honest. */
_Static_assert(SL_QUEUE_BYTES_DEFAULT == 16ull * 1024 * 1024, "queue.max_bytes default");
_Static_assert(SL_MAX_MSG_DEFAULT == 64u * 1024, "inputs[].max_msg default");
_Static_assert(SL_MAX_CONNS_DEFAULT == 1024u, "inputs[].max_conns default");

static const char *const log_levels[] = { "error", "warn", "info", "debug", NULL };

static const struct sl_cfg_row queue_rows[] = {
    { "max_bytes", SL_CFG_SIZE, "16MiB", SL_QUEUE_BYTES_MIN, SL_QUEUE_BYTES_LIMIT,
      offsetof(struct sl_config, queue_bytes),
      "bytes of documents held in memory between the pipeline and the sinks",
      NULL, NULL, 0 },
    SL_CFG_END,
};

static const char *const when_full_names[] = { "block", "drop_oldest", "drop_newest", NULL };

static const struct sl_cfg_row buffer_rows[] = {
    { "path", SL_CFG_STR, NULL, 0, 0, offsetof(struct sl_config, buffer.path),
      "the spool directory (created when missing; relative to the config's directory); "
      "default: none, events wait in memory only and a kill loses them", NULL, NULL, 0 },
    { "max_size", SL_CFG_SIZE, "10GiB", 1024 * 1024, 1ull << 50,
      offsetof(struct sl_config, buffer.max_size),
      "bytes of segments on disk; when reached, when_full applies", NULL, NULL, 0 },
    { "when_full", SL_CFG_ENUM, "block", 0, 0, offsetof(struct sl_config, buffer.when_full),
      "block: TCP inputs stop reading, UDP drops (counted); drop_oldest: unsent oldest "
      "records go; drop_newest: new records are refused (counted)", when_full_names, NULL, 0 },
    { "fsync", SL_CFG_STR, "1s", 0, 0, offsetof(struct sl_config, buffer.fsync_text),
      "always (a record counts as received once on disk), an interval such as 1s (a power "
      "cut loses at most that much), or never (the kernel decides)", NULL, NULL, 0 },
    { "segment_size", SL_CFG_SIZE, "64MiB", 64 * 1024, 4ull << 30,
      offsetof(struct sl_config, buffer.segment_size),
      "a segment file is sealed after this many bytes", NULL, NULL, 0 },
    { "compress", SL_CFG_BOOL, "false", 0, 0, offsetof(struct sl_config, buffer.compress),
      "gzip sealed segments that wait for a sink (an outage's backlog takes less disk)",
      NULL, NULL, 0 },
    SL_CFG_END,
};

static const struct sl_cfg_row log_rows[] = {
    { "level", SL_CFG_ENUM, "info", 0, 0, offsetof(struct sl_config, log_level),
      "sluice's own log: messages at this level and more severe go to stderr",
      log_levels, NULL, 0 },
    SL_CFG_END,
};

static const struct sl_cfg_row admin_rows[] = {
    { "listen", SL_CFG_STR, NULL, 0, 0, offsetof(struct sl_config, admin.listen),
      "HOST:PORT of the HTTP endpoint (GET /metrics, /live, /ready; IPv6 as [::1]:9601; "
      "port 0: the kernel picks); an address that is not loopback needs a token; "
      "default: none, no endpoint", NULL, NULL, 0 },
    { "token", SL_CFG_SECRET, NULL, 0, 0, offsetof(struct sl_config, admin.token),
      "bearer token every request must send (Authorization: Bearer TOKEN); "
      "${env:NAME} or ${file:/path} only", NULL, NULL, 0 },
    SL_CFG_END,
};

const struct sl_cfg_row cfg_top_rows[] = {
    { "queue", SL_CFG_SECTION, NULL, 0, 0, 0, "the in-memory queue", NULL, queue_rows, 0 },
    { "log", SL_CFG_SECTION, NULL, 0, 0, 0, "sluice's own log", NULL, log_rows, 0 },
    { "buffer", SL_CFG_SECTION, NULL, 0, 0, 0, "the durable disk spool", NULL, buffer_rows, 0 },
    { "admin", SL_CFG_SECTION, NULL, 0, 0, 0, "the admin HTTP endpoint: metrics, liveness, "
      "readiness", NULL, admin_rows, 0 },
    SL_CFG_END,
};

const struct sl_cfg_row cfg_input_rows[] = {
    { "listen", SL_CFG_STR, NULL, 0, 0, offsetof(struct cfg_input, listen),
      "udp://HOST:PORT or tcp://HOST:PORT (IPv6 as tcp://[::1]:5514; port 0: the kernel picks)",
      NULL, NULL, 1 },
    { "name", SL_CFG_STR, NULL, 0, 0, offsetof(struct cfg_input, name),
      "name in logs and metrics; default: the listen URL", NULL, NULL, 0 },
    { "max_msg", SL_CFG_SIZE, "64KiB", SL_MAX_MSG_MIN, SL_MAX_MSG_LIMIT,
      offsetof(struct cfg_input, max_msg),
      "longest message; a longer one is truncated and tagged", NULL, NULL, 0 },
    { "max_conns", SL_CFG_UINT, "1024", 1, SL_MAX_CONNS_LIMIT,
      offsetof(struct cfg_input, max_conns),
      "tcp only: open connections at once; more wait in the kernel's backlog",
      NULL, NULL, 0 },
    { "allow", SL_CFG_STRLIST, NULL, 0, 0, offsetof(struct cfg_input, allow),
      "senders accepted, as CIDRs (10.0.0.0/8, ::1/128; a bare address is one host); "
      "default: everyone", NULL, NULL, 0 },
    SL_CFG_END,
};

const char cfg_inputs_desc[] = "list of listeners; none when absent";
const char cfg_sinks_desc[] = "list of destinations; every document goes to each";
const char cfg_sink_type_desc[] = "the sink type; selects the keys below";
const char cfg_sink_name_desc[] = "name in logs and metrics; default <type><index>, e.g. ndjson0";
const char cfg_grammars_builtin_patterns_desc[] =
    "load the compiled-in grok pattern library (the repository's grammars/patterns) first";
const char cfg_grammars_patterns_desc[] =
    "grok pattern directories (or files), read in order after the built-in library, adding "
    "to it (a name defined again replaces the earlier one); relative to the config's "
    "directory; default: none";
const char cfg_grammars_defs_desc[] = "list of grammars, each a name and a type";
const char cfg_grammars_name_desc[] = "the name routes refer to; unique";
const char cfg_grammars_type_desc[] = "grok or lognorm";
const char cfg_grammars_match_desc[] =
    "grok: an expression or a list of them, tried in order (single-quote them in YAML)";
const char cfg_grammars_file_desc[] =
    "grok, instead of match: a per-program grammar file (NAME, EXPR, SET lines; "
    "grammars/README.md); relative to the config's directory";
const char cfg_grammars_builtin_desc[] =
    "grok, instead of match or file: a compiled-in program grammar by name (sshd, sudo, "
    "postfix...: grammars/<name>/<name>.grok)";
const char cfg_grammars_timestamp_desc[] =
    "grok: {field: F, format: FORMAT or [FORMAT, ...]} or a list of them: the program's own "
    "time in field F becomes @timestamp (formats: ISO8601, HTTPDATE, UNIX, UNIX_MS, SYSLOG, "
    "or a pattern like 'yyyy/MM/dd HH:mm:ss')";
const char cfg_grammars_rulebase_desc[] =
    "lognorm: a liblognorm v2 rulebase file; relative to the config's directory";
const char cfg_grammars_space_desc[] =
    "lognorm: as-is, prepend or auto (a leading space as mmnormalize sees it)";
const char cfg_grammars_routes_desc[] =
    "PROGRAM[@host=H,facility=F] -> grammar name or list, tried in order; '*': the rest";
