/* shipper/config_schema.c: the rows of the top-level keys and of one input.
 * Each sink type brings its own rows (sinks/); config.c walks the lists
 * `inputs:` and `sinks:` and hands each item to these rows or the sink's. */
#include <stddef.h>

#include "common/bounds.h"
#include "shipper/config.h"
#include "shipper/enrich.h"

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
/* In the order of enum spool_compress. */
static const char *const compress_names[] = { "none", "lz4", "gzip", NULL };

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
    { "compress", SL_CFG_ENUM, "lz4", 0, 0, offsetof(struct sl_config, buffer.compress),
      "lz4: every batch goes to disk as an LZ4 frame (about 5x less disk and I/O for JSON "
      "documents, at about 1 us of the writer thread's CPU per KB); gzip: records as they "
      "are, sealed segments that wait for a sink gzipped afterwards; none", compress_names,
      NULL, 0 },
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

/* enrich: host and time (shipper/enrich.h; loaded further by config.c's
 * load_enrich_host_time). Stored in sl_config's `eh`. */
#define EH(f) offsetof(struct sl_config, eh.f)

static const struct sl_cfg_row enrich_observer_rows[] = {
    { "enabled", SL_CFG_BOOL, "true", 0, 0, EH(obs_enabled),
      "write observer.hostname and observer.ip (sluice's own host) into every document",
      NULL, NULL, 0 },
    { "hostname", SL_CFG_STR, NULL, 0, 0, EH(obs_hostname),
      "observer.hostname; default: gethostname() at start", NULL, NULL, 0 },
    { "ip", SL_CFG_STRLIST, NULL, 0, 0, EH(obs_ip),
      "observer.ip; default: the host's non-loopback, non-link-local addresses (getifaddrs "
      "at start, at most 8)", NULL, NULL, 0 },
    SL_CFG_END,
};

static const struct sl_cfg_row enrich_hosts_rows[] = {
    { "file", SL_CFG_STR, NULL, 0, 0, EH(hosts_file),
      "host map: HOST-or-NETWORK NAME=VALUE... per line (docs/config.md); matched on the "
      "message's hostname, then the sender's longest network; re-read on SIGHUP",
      NULL, NULL, 0 },
    { "prefix", SL_CFG_STR, "labels", 0, 0, EH(hosts_prefix),
      "where the map's fields go: labels.owner (ECS custom keywords); `host` gives "
      "host.owner", NULL, NULL, 0 },
    SL_CFG_END,
};

static const struct sl_cfg_row enrich_dns_rows[] = {
    { "reverse", SL_CFG_BOOL, "false", 0, 0, EH(dns_reverse),
      "source.domain from a reverse DNS lookup of the sender (sluice run only; asynchronous: "
      "the first message from an address goes out without it)", NULL, NULL, 0 },
    { "ttl", SL_CFG_DURATION, "5m", 1000, 7 * 86400000ull, EH(dns_ttl_ms),
      "how long a name found is kept", NULL, NULL, 0 },
    { "negative_ttl", SL_CFG_DURATION, "1m", 1000, 7 * 86400000ull, EH(dns_neg_ttl_ms),
      "how long a failure or timeout is kept (no query for that address meanwhile)",
      NULL, NULL, 0 },
    { "timeout", SL_CFG_DURATION, "2s", 100, 60000, EH(dns_timeout_ms),
      "a query not answered by then counts as a failure", NULL, NULL, 0 },
    { "max_entries", SL_CFG_UINT, "10000", 16, SL_RDNS_ENTRIES_LIMIT, EH(dns_max_entries),
      "addresses cached; past it the oldest entry goes", NULL, NULL, 0 },
    { "nameserver", SL_CFG_STR, NULL, 0, 0, EH(dns_nameserver),
      "IP or IP:PORT of the one resolver to ask; default: /etc/resolv.conf's, with "
      "/etc/hosts answering first (set: /etc/hosts is not read)", NULL, NULL, 0 },
    SL_CFG_END,
};

static const struct sl_cfg_row enrich_time_rows[] = {
    { "zones", SL_CFG_MAP, NULL, 0, 0, EH(zones),
      "zone of zone-less timestamps per sender network ({10.1.0.0/16: Europe/Paris}); the "
      "longest network holding the sender wins, and wins over inputs[].timezone",
      NULL, NULL, 0 },
    { "max_future", SL_CFG_DURATION, "0", 0, 0, EH(max_future_ms),
      "a @timestamp further ahead of the receive time is tagged _sluice_time_skew; 0: no check",
      NULL, NULL, 0 },
    { "max_past", SL_CFG_DURATION, "0", 0, 0, EH(max_past_ms),
      "a @timestamp further behind the receive time is tagged _sluice_time_skew; 0: no check",
      NULL, NULL, 0 },
    { "replace", SL_CFG_BOOL, "false", 0, 0, EH(time_replace),
      "a skewed @timestamp becomes the receive time; the original goes to event.created",
      NULL, NULL, 0 },
    SL_CFG_END,
};

static const char *const prefer_names[] = { "message", "severity", NULL };

static const struct sl_cfg_row enrich_level_rows[] = {
    { "detect", SL_CFG_BOOL, "true", 0, 0, offsetof(struct sl_config, level.detect),
      "look for a level the message carries (ERROR ..., [warn], level=info, a JSON \"level\", "
      "WARN after a time, a grammar's log.level); false: log.level is the syslog severity's",
      NULL, NULL, 0 },
    { "prefer", SL_CFG_ENUM, "message", 0, 0, offsetof(struct sl_config, level.prefer),
      "when the message has a level: message (log.level from it; many programs log "
      "everything at one syslog severity) or severity (from the message only for lines "
      "without a usable <PRI>); the severity stays in log.syslog.severity either way",
      prefer_names, NULL, 0 },
    SL_CFG_END,
};

/* max_fields: parser/evt_impl.h holds 128 fields per message (EVT_FIELDS_MAX) */
static const struct sl_cfg_row enrich_payload_rows[] = {
    { "json", SL_CFG_BOOL, "true", 0, 0, offsetof(struct sl_config, payload.json),
      "a message that is a JSON object (or @cee: and one) becomes fields under prefix, "
      "when no grammar matched the line", NULL, NULL, 0 },
    { "logfmt", SL_CFG_BOOL, "false", 0, 0, offsetof(struct sl_config, payload.logfmt),
      "a message made only of key=value pairs (at least two, more pairs than bare keys) "
      "becomes string fields under logfmt_prefix, when no grammar matched the line",
      NULL, NULL, 0 },
    { "prefix", SL_CFG_STR, "json", 0, 0, offsetof(struct sl_config, payload.prefix),
      "where JSON members go (json.user.id); a dotted path nests; '.': at the top level "
      "(paths sluice writes then go under sluice.clash)", NULL, NULL, 0 },
    { "logfmt_prefix", SL_CFG_STR, "logfmt", 0, 0,
      offsetof(struct sl_config, payload.logfmt_prefix),
      "where logfmt keys go (logfmt.user); '.': at the top level", NULL, NULL, 0 },
    { "max_depth", SL_CFG_UINT, "5", 1, 8, offsetof(struct sl_config, payload.max_depth),
      "keys in a field's path under the prefix (prefix keys + max_depth <= 8); deeper "
      "members are dropped and the event tagged _sluice_payload_limit", NULL, NULL, 0 },
    { "max_fields", SL_CFG_UINT, "64", 1, 128, offsetof(struct sl_config, payload.max_fields),
      "fields from one message; the rest are dropped and the event tagged "
      "_sluice_payload_limit (the message keeps the whole text)", NULL, NULL, 0 },
    SL_CFG_END,
};

static const struct sl_cfg_row enrich_rows[] = {
    { "level", SL_CFG_SECTION, NULL, 0, 0, 0, "log.level from the message's own level",
      NULL, enrich_level_rows, 0 },
    { "payload", SL_CFG_SECTION, NULL, 0, 0, 0, "JSON and logfmt messages as fields",
      NULL, enrich_payload_rows, 0 },
    { "observer", SL_CFG_SECTION, NULL, 0, 0, 0, "sluice's own host", NULL,
      enrich_observer_rows, 0 },
    { "fields", SL_CFG_MAP, NULL, 0, 0, EH(fields),
      "static fields for every document ({site: par1, labels.env: prod}); strings; an "
      "input's own fields win", NULL, NULL, 0 },
    { "tags", SL_CFG_STRLIST, NULL, 0, 0, EH(tags), "tags added to every document",
      NULL, NULL, 0 },
    { "hosts", SL_CFG_SECTION, NULL, 0, 0, 0, "metadata per sender host from a file",
      NULL, enrich_hosts_rows, 0 },
    { "dns", SL_CFG_SECTION, NULL, 0, 0, 0, "reverse DNS of the sender", NULL,
      enrich_dns_rows, 0 },
    { "time", SL_CFG_SECTION, NULL, 0, 0, 0, "zones of zone-less timestamps; clock skew",
      NULL, enrich_time_rows, 0 },
    SL_CFG_END,
};

const struct sl_cfg_row cfg_top_rows[] = {
    { "queue", SL_CFG_SECTION, NULL, 0, 0, 0, "the in-memory queue", NULL, queue_rows, 0 },
    { "log", SL_CFG_SECTION, NULL, 0, 0, 0, "sluice's own log", NULL, log_rows, 0 },
    { "buffer", SL_CFG_SECTION, NULL, 0, 0, 0, "the durable disk spool", NULL, buffer_rows, 0 },
    { "admin", SL_CFG_SECTION, NULL, 0, 0, 0, "the admin HTTP endpoint: metrics, liveness, "
      "readiness", NULL, admin_rows, 0 },
    { "enrich", SL_CFG_SECTION, NULL, 0, 0, 0, "what is added to or read out of each message",
      NULL, enrich_rows, 0 },
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
    { "fields", SL_CFG_MAP, NULL, 0, 0, offsetof(struct cfg_input, fields),
      cfg_input_fields_desc, NULL, NULL, 0 },
    { "tags", SL_CFG_STRLIST, NULL, 0, 0, offsetof(struct cfg_input, tags),
      cfg_input_tags_desc, NULL, NULL, 0 },
    { "timezone", SL_CFG_STR, NULL, 0, 0, offsetof(struct cfg_input, timezone),
      cfg_input_timezone_desc, NULL, NULL, 0 },
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
