/* shipper/default_config.c: the config used when none is given. It listens on
 * loopback only and writes NDJSON to a file in the current directory, so
 * sluice runs out of the box with no cluster and is reachable from nowhere
 * else. The CLI may override the sink's path. Durable by default: the spool
 * sits in ./sluice-spool, synced every second. The admin endpoint (metrics,
 * liveness, readiness) listens on loopback, where it needs no token. */
#include "shipper/config.h"

const char sl_default_config[] =
    "# sluice embedded default config\n"
    "inputs:\n"
    "  - listen: tcp://127.0.0.1:5514\n"
    "  - listen: udp://127.0.0.1:5514\n"
    "sinks:\n"
    "  - type: ndjson\n"
    "    path: ./sluice-out.ndjson\n"
    "buffer:\n"
    "  path: ./sluice-spool\n"
    "  fsync: 1s\n"
    "admin:\n"
    "  listen: 127.0.0.1:9601\n"
    "log:\n"
    "  level: info\n";
