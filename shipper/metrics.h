/* shipper/metrics.h: one snapshot of every counter of a running sluice, and
 * the two ways it leaves the process: the admin endpoint's GET /metrics
 * (Prometheus text, metrics_render) and the periodic "stats:" log lines
 * (metrics_log). Both print the same snapshot, so the figures agree.
 *
 * The snapshot is plain values: `sluice run` fills it from the atomics of
 * each stage (pipeline, spool, inputs, delivery, sinks); the rendering is a
 * pure function of it (tests/unit/test_metrics.c checks the exact text).
 * docs/monitoring.md lists every metric. */
#ifndef SHIPPER_METRICS_H
#define SHIPPER_METRICS_H
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "sinks/sink.h"

struct metrics_input {
    const char *name;           /* borrowed (the config's) */
    int datagram;               /* UDP: no connection series; TCP: no datagram one */
    uint64_t msgs, bytes;
    uint64_t conns_open, conns_total, conns_refused, conns_over_max, dgrams_refused;
    uint64_t truncated, partial, bad_frames, read_errors;
};

/* One host of a sink with hosts (elasticsearch): sink_stats.host[]. */
struct metrics_host {
    const char *url;            /* borrowed (the sink's stats) */
    int      discovered;
    int      state;             /* enum sink_host_state */
    uint64_t requests, failures, probes, probe_failures;
};

struct metrics_sink {
    const char *name;           /* borrowed */
    const char *type;           /* "elasticsearch", "ndjson"... */
    /* delivery */
    uint64_t confirmed, rejected, retries, pending, failing;
    int      finished;          /* its delivery thread ended */
    /* the sink's own counters */
    uint64_t sent, duplicates, retried, dead_lettered, failure_stored, requests, failed_requests,
             bytes;
    uint64_t latency_us_sum;
    uint64_t lat_bucket[SINK_LAT_NBOUNDS + 1];
    /* what waits for it: in the spool (has_spool), or taken from memory */
    uint64_t backlog_records, backlog_bytes;
    int64_t  oldest_ms;         /* wall clock of its oldest unconfirmed record; 0: none */
    uint64_t queue_locks, queue_locks_contended;
    struct metrics_host *hosts; /* owned by the snapshot's taker; NULL when nhosts is 0 */
    size_t   nhosts;
};

struct metrics_snap {
    const char *version;
    int64_t  now_ms;            /* wall clock of the snapshot */
    int64_t  start_ms;          /* wall clock of the process start */
    /* pipeline */
    uint64_t received, parsed, unparsed, queued, dropped_full, blocked;
    int      has_routes;
    uint64_t norm_matched, norm_nomatch, norm_limit;
    uint64_t queue_bytes;       /* in-memory queues, all of them */
    /* enrichment (shipper/enrich.h): each group only when configured */
    int      has_hosts, has_skew, has_dns;
    uint64_t en_hosts_matched, en_hosts_reloads, en_hosts_reload_errors, en_time_skewed;
    uint64_t dns_lookups, dns_hits, dns_misses, dns_answers, dns_failures, dns_timeouts;
    /* spool */
    int      has_spool;
    uint64_t sp_appended, sp_appended_bytes, sp_written_bytes, sp_durable, sp_fsyncs, sp_disk_bytes, sp_segments;
    uint64_t sp_full_episodes, sp_enospc, sp_dropped_oldest, sp_dropped_newest, sp_corrupt;
    struct metrics_input *ins;
    size_t   nins;
    struct metrics_sink *sinks;
    size_t   nsinks;
};

/* Appends the whole exposition (text format 0.0.4) to out. 0, or SL_ETOOBIG
 * when out's ceiling was reached. */
int  metrics_render(const struct metrics_snap *m, struct sl_buf *out);
/* The "stats:" lines at INFO: one for the pipeline, the normalization (with
 * grammars), the spool (with one), one per sink (and one per host of a sink
 * with hosts) and one per input. */
void metrics_log(const struct metrics_snap *m, const char *when);
/* Mean request latency in milliseconds (0 without requests). */
double metrics_mean_latency_ms(const struct metrics_sink *s);

#endif
