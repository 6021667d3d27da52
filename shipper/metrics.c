/* shipper/metrics.c: the snapshot rendered as Prometheus text and as the
 * "stats:" log lines (metrics.h). Names follow Prometheus' conventions: the
 * `sluice_` prefix, the unit in the name (_bytes, _seconds), `_total` on
 * counters; input and sink names are label values. A family is always
 * written with all its series, zeros included, so a dashboard's query never
 * depends on an event having happened once; families that only make sense
 * with a feature configured (the spool, grammars) are left out without it. */
#include <stdio.h>

#include "common/err.h"
#include "common/log.h"
#include "shipper/metrics.h"
#include "shipper/prom.h"

#define ONE(fam, type, help, v)                                                   \
    do {                                                                          \
        if (prom_head(out, fam, type, help) || prom_u64(out, fam, NULL, 0, (v)))  \
            return SL_ETOOBIG;                                                    \
    } while (0)

/* A family with one series per input or per sink. */
#define PER(fam, type, help, arr, n, key, field)                                  \
    do {                                                                          \
        if (prom_head(out, fam, type, help))                                      \
            return SL_ETOOBIG;                                                    \
        for (size_t i_ = 0; i_ < (n); i_++) {                                     \
            struct prom_label l_ = { key, (arr)[i_].name };                       \
            if (prom_u64(out, fam, &l_, 1, (arr)[i_].field))                      \
                return SL_ETOOBIG;                                                \
        }                                                                         \
    } while (0)

static int by_reason(struct sl_buf *out, const char *name, const char *help,
                     const char *key, const char *const *reasons, const uint64_t *v, size_t n)
{
    if (prom_head(out, name, "counter", help))
        return SL_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        struct prom_label l = { key, reasons[i] };
        if (prom_u64(out, name, &l, 1, v[i]))
            return SL_ETOOBIG;
    }
    return 0;
}

static int render_pipeline(const struct metrics_snap *m, struct sl_buf *out)
{
    static const char *const drops[] = { "queue_full", "buffer_full_oldest",
                                          "buffer_full_newest" };
    const uint64_t dv[] = { m->dropped_full, m->sp_dropped_oldest, m->sp_dropped_newest };
    struct prom_label ver = { "version", m->version };

    if (prom_head(out, "sluice_build_info", "gauge", "sluice's version, as a label; always 1") ||
        prom_u64(out, "sluice_build_info", &ver, 1, 1))
        return SL_ETOOBIG;
    if (prom_head(out, "sluice_process_start_time_seconds", "gauge",
                  "when the process started, seconds since the epoch") ||
        prom_f64(out, "sluice_process_start_time_seconds", NULL, 0, (double)m->start_ms / 1e3))
        return SL_ETOOBIG;
    ONE("sluice_events_received_total", "counter",
        "messages handed to the pipeline by every input", m->received);
    ONE("sluice_events_parsed_total", "counter",
        "messages whose syslog header was read (RFC 3164 or RFC 5424)", m->parsed);
    ONE("sluice_events_unparsed_total", "counter",
        "messages without a usable syslog header (no or bad PRI, RFC 5424 header cut short): "
        "indexed whole with a _sluice_ tag", m->unparsed);
    if (m->has_routes) {
        static const char *const res[] = { "matched", "nomatch", "limit" };
        const uint64_t rv[] = { m->norm_matched, m->norm_nomatch, m->norm_limit };
        if (by_reason(out, "sluice_events_normalized_total",
                      "messages through their grammar route, by result (nomatch and limit are "
                      "tagged)", "result", res, rv, 3))
            return SL_ETOOBIG;
    }
    if (m->has_hosts) {
        static const char *const rr[] = { "ok", "error" };
        const uint64_t rv[] = { m->en_hosts_reloads, m->en_hosts_reload_errors };
        ONE("sluice_enrich_hosts_matched_total", "counter",
            "messages that got fields from the host map (enrich.hosts.file)", m->en_hosts_matched);
        if (by_reason(out, "sluice_enrich_hosts_reloads_total",
                      "host map reloads on SIGHUP, by result (error: the old map stays)",
                      "result", rr, rv, 2))
            return SL_ETOOBIG;
    }
    if (m->has_skew)
        ONE("sluice_enrich_time_skewed_total", "counter",
            "messages tagged _sluice_time_skew (enrich.time.max_future / max_past)",
            m->en_time_skewed);
    if (m->has_dns) {
        static const char *const cr[] = { "hit", "miss" };
        const uint64_t cv[] = { m->dns_hits, m->dns_misses };
        static const char *const fr[] = { "timeout", "other" };
        const uint64_t fv[] = { m->dns_timeouts, m->dns_failures - m->dns_timeouts };
        if (by_reason(out, "sluice_enrich_dns_cache_total",
                      "reverse DNS cache lookups, by result (a miss goes out without "
                      "source.domain)", "result", cr, cv, 2))
            return SL_ETOOBIG;
        ONE("sluice_enrich_dns_queries_total", "counter", "reverse DNS queries sent",
            m->dns_lookups);
        ONE("sluice_enrich_dns_answers_total", "counter", "reverse DNS queries answered with a name",
            m->dns_answers);
        if (by_reason(out, "sluice_enrich_dns_failures_total",
                      "reverse DNS queries failed (cached for negative_ttl), by reason",
                      "reason", fr, fv, 2))
            return SL_ETOOBIG;
    }
    ONE("sluice_events_queued_total", "counter",
        "documents handed toward the sinks (the spool, or the sinks' queues)", m->queued);
    if (by_reason(out, "sluice_events_dropped_total",
                  "messages or records dropped, by reason: queue_full (UDP while the queue "
                  "was full), buffer_full_oldest and buffer_full_newest (buffer.when_full)",
                  "reason", drops, dv, 3))
        return SL_ETOOBIG;
    ONE("sluice_backpressure_pauses_total", "counter",
        "times the TCP inputs were paused because the queue was full", m->blocked);
    ONE("sluice_queue_bytes", "gauge",
        "bytes of documents held in the in-memory queues (bounded by queue.max_bytes)",
        m->queue_bytes);
    return 0;
}

static int render_spool(const struct metrics_snap *m, struct sl_buf *out)
{
    ONE("sluice_buffer_appended_records_total", "counter",
        "records appended to the disk buffer", m->sp_appended);
    ONE("sluice_buffer_appended_bytes_total", "counter",
        "bytes of records appended to the disk buffer", m->sp_appended_bytes);
    ONE("sluice_buffer_written_bytes_total", "counter",
        "bytes those records took in the segment files (fewer with buffer.compress: lz4)",
        m->sp_written_bytes);
    ONE("sluice_buffer_durable_records_total", "counter",
        "records on disk under the fsync policy", m->sp_durable);
    ONE("sluice_buffer_fsyncs_total", "counter", "fsyncs of the disk buffer", m->sp_fsyncs);
    ONE("sluice_buffer_disk_bytes", "gauge",
        "bytes of segment files on disk (bounded by buffer.max_size)", m->sp_disk_bytes);
    ONE("sluice_buffer_segments", "gauge", "segment files on disk", m->sp_segments);
    ONE("sluice_buffer_full_episodes_total", "counter",
        "times the buffer reached buffer.max_size or the disk filled", m->sp_full_episodes);
    ONE("sluice_buffer_disk_full_errors_total", "counter",
        "writes the disk refused (ENOSPC, EDQUOT)", m->sp_enospc);
    ONE("sluice_buffer_corrupt_records_skipped_total", "counter",
        "damaged regions skipped while reading the buffer", m->sp_corrupt);
    return 0;
}

static int render_inputs(const struct metrics_snap *m, struct sl_buf *out)
{
    const struct metrics_input *in = m->ins;
    size_t n = m->nins;

    PER("sluice_input_messages_received_total", "counter",
        "messages read by the input (after framing)", in, n, "input", msgs);
    PER("sluice_input_received_bytes_total", "counter", "bytes read from the input's sockets",
        in, n, "input", bytes);
    /* Connection families name TCP inputs only, the datagram one UDP inputs. */
    if (prom_head(out, "sluice_input_connections_open", "gauge", "TCP connections open now"))
        return SL_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        struct prom_label l = { "input", in[i].name };
        if (!in[i].datagram && prom_u64(out, "sluice_input_connections_open", &l, 1,
                                         in[i].conns_open))
            return SL_ETOOBIG;
    }
    if (prom_head(out, "sluice_input_connections_accepted_total", "counter",
                  "TCP connections accepted"))
        return SL_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        struct prom_label l = { "input", in[i].name };
        if (!in[i].datagram && prom_u64(out, "sluice_input_connections_accepted_total", &l, 1,
                                         in[i].conns_total))
            return SL_ETOOBIG;
    }
    if (prom_head(out, "sluice_input_connections_refused_total", "counter",
                  "TCP connections refused, by reason: allow_list (the sender is not in "
                  "allow), max_conns (too many open)"))
        return SL_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        struct prom_label l[2] = { { "input", in[i].name }, { "reason", "allow_list" } };
        if (in[i].datagram)
            continue;
        if (prom_u64(out, "sluice_input_connections_refused_total", l, 2, in[i].conns_refused))
            return SL_ETOOBIG;
        l[1].value = "max_conns";
        if (prom_u64(out, "sluice_input_connections_refused_total", l, 2, in[i].conns_over_max))
            return SL_ETOOBIG;
    }
    if (prom_head(out, "sluice_input_datagrams_refused_total", "counter",
                  "UDP datagrams dropped because the sender is not in allow"))
        return SL_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        struct prom_label l = { "input", in[i].name };
        if (in[i].datagram && prom_u64(out, "sluice_input_datagrams_refused_total", &l, 1,
                                        in[i].dgrams_refused))
            return SL_ETOOBIG;
    }
    if (prom_head(out, "sluice_input_messages_tagged_total", "counter",
                  "messages the framer tagged, by reason: truncated (over max_msg), partial "
                  "(half a frame at close), bad_frame (an octet count that lied)"))
        return SL_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        static const char *const why[] = { "truncated", "partial", "bad_frame" };
        const uint64_t v[] = { in[i].truncated, in[i].partial, in[i].bad_frames };
        for (size_t k = 0; k < 3; k++) {
            struct prom_label l[2] = { { "input", in[i].name }, { "reason", why[k] } };
            if (prom_u64(out, "sluice_input_messages_tagged_total", l, 2, v[k]))
                return SL_ETOOBIG;
        }
    }
    PER("sluice_input_read_errors_total", "counter", "failed reads and accepts, resets included",
        in, n, "input", read_errors);
    return 0;
}

static int render_sinks(const struct metrics_snap *m, struct sl_buf *out)
{
    const struct metrics_sink *s = m->sinks;
    size_t n = m->nsinks;
    double bounds[SINK_LAT_NBOUNDS];

    if (prom_head(out, "sluice_sink_up", "gauge",
                  "1 while the sink's last request was answered (or none was sent yet), 0 "
                  "while requests fail as a whole or its delivery ended"))
        return SL_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        struct prom_label l[2] = { { "sink", s[i].name }, { "type", s[i].type } };
        if (prom_u64(out, "sluice_sink_up", l, 2, !s[i].failing && !s[i].finished))
            return SL_ETOOBIG;
    }
    PER("sluice_sink_buffered_records", "gauge",
        "records waiting for the sink: not yet confirmed in the disk buffer, or taken from "
        "memory and not yet resolved without one", s, n, "sink", backlog_records);
    PER("sluice_sink_buffered_bytes", "gauge",
        "bytes waiting for the sink: its backlog in the disk buffer, or its in-memory queue",
        s, n, "sink", backlog_bytes);
    if (m->has_spool) {
        const char *name = "sluice_sink_oldest_buffered_age_seconds";
        if (prom_head(out, name, "gauge",
                      "how long the oldest record the sink has not confirmed has been in the "
                      "disk buffer (0: none waits); exact to about a second"))
            return SL_ETOOBIG;
        for (size_t i = 0; i < n; i++) {
            struct prom_label l = { "sink", s[i].name };
            int64_t age = s[i].oldest_ms && m->now_ms > s[i].oldest_ms
                              ? m->now_ms - s[i].oldest_ms : 0;
            if (prom_f64(out, name, &l, 1, (double)age / 1e3))
                return SL_ETOOBIG;
        }
    }
    PER("sluice_sink_documents_sent_total", "counter",
        "documents handed to the sink, retries included", s, n, "sink", sent);
    PER("sluice_sink_documents_confirmed_total", "counter",
        "documents stored (created, or already there: duplicates)", s, n, "sink", confirmed);
    PER("sluice_sink_documents_duplicate_total", "counter",
        "documents the index already had (409 under op_type create): confirmed", s, n, "sink",
        duplicates);
    PER("sluice_sink_documents_retried_total", "counter",
        "documents answered 'retry' (429, 5xx, a failed request), sent again after a backoff",
        s, n, "sink", retried);
    PER("sluice_sink_documents_rejected_total", "counter",
        "documents the sink will never store as they are (mapping errors, too big)", s, n,
        "sink", rejected);
    PER("sluice_sink_documents_dead_lettered_total", "counter",
        "rejected documents written to the dead-letter file", s, n, "sink", dead_lettered);
    PER("sluice_sink_documents_failure_stored_total", "counter",
        "confirmed documents an Elasticsearch 9.1+ data stream kept in its failure store", s, n,
        "sink", failure_stored);
    PER("sluice_sink_sent_bytes_total", "counter", "request bytes on the wire (after gzip)",
        s, n, "sink", bytes);
    PER("sluice_sink_requests_total", "counter", "requests finished (bulk requests, NDJSON writes)",
        s, n, "sink", requests);
    PER("sluice_sink_requests_failed_total", "counter",
        "requests that failed as a whole (transport, HTTP status, write error)", s, n, "sink",
        failed_requests);
    PER("sluice_sink_requests_failing", "gauge",
        "requests failed as a whole in a row, now (0 once one is answered)", s, n, "sink",
        failing);
    for (size_t k = 0; k < SINK_LAT_NBOUNDS; k++)
        bounds[k] = (double)sink_lat_bounds_us[k] / 1e6;
    if (prom_head(out, "sluice_sink_request_duration_seconds", "histogram",
                  "time from sending a request to its answer"))
        return SL_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        struct prom_label l = { "sink", s[i].name };
        if (prom_histogram(out, "sluice_sink_request_duration_seconds", &l, 1, bounds,
                           s[i].lat_bucket, SINK_LAT_NBOUNDS, (double)s[i].latency_us_sum / 1e6))
            return SL_ETOOBIG;
    }
    return 0;
}

static const char *const host_states[] = { "up", "aside", "probing", "gone" };

static const char *host_state_name(int st)
{
    return st >= 0 && st < 4 ? host_states[st] : "?";
}

enum host_field { HF_UP, HF_REQUESTS, HF_FAILURES, HF_PROBES, HF_PROBE_FAILURES };

static uint64_t host_value(const struct metrics_host *x, enum host_field f)
{
    switch (f) {
    case HF_UP: return x->state == SINK_HOST_UP;
    case HF_REQUESTS: return x->requests;
    case HF_FAILURES: return x->failures;
    case HF_PROBES: return x->probes;
    case HF_PROBE_FAILURES: return x->probe_failures;
    }
    return 0;
}

/* A family with one series per host of every sink that has hosts. */
static int per_host(const struct metrics_snap *m, struct sl_buf *out, const char *fam,
                    const char *type, const char *help, enum host_field f)
{
    if (prom_head(out, fam, type, help))
        return SL_ETOOBIG;
    for (size_t i = 0; i < m->nsinks; i++)
        for (size_t h = 0; h < m->sinks[i].nhosts; h++) {
            const struct metrics_host *x = &m->sinks[i].hosts[h];
            struct prom_label l[2] = { { "sink", m->sinks[i].name }, { "host", x->url } };
            if (prom_u64(out, fam, l, 2, host_value(x, f)))
                return SL_ETOOBIG;
        }
    return 0;
}

/* Only when some sink has hosts (Elasticsearch, OpenSearch). */
static int render_hosts(const struct metrics_snap *m, struct sl_buf *out)
{
    size_t n = 0;

    for (size_t i = 0; i < m->nsinks; i++)
        n += m->sinks[i].nhosts;
    if (!n)
        return 0;
    if (per_host(m, out, "sluice_sink_host_up", "gauge",
                 "1 while the host takes requests, 0 while it is set aside after a failed "
                 "request, being probed, or gone from discovery", HF_UP) ||
        per_host(m, out, "sluice_sink_host_requests_total", "counter",
                 "bulk requests finished on the host", HF_REQUESTS) ||
        per_host(m, out, "sluice_sink_host_requests_failed_total", "counter",
                 "bulk requests that failed at the connection level on the host (refused, "
                 "timeout, cut, 408, 5xx): each sets it aside", HF_FAILURES) ||
        per_host(m, out, "sluice_sink_host_probes_total", "counter",
                 "GET / probes of the host after it was set aside", HF_PROBES) ||
        per_host(m, out, "sluice_sink_host_probes_failed_total", "counter",
                 "probes of the host that got no answer below 500", HF_PROBE_FAILURES))
        return SL_ETOOBIG;
    return 0;
}

int metrics_render(const struct metrics_snap *m, struct sl_buf *out)
{
    if (render_pipeline(m, out) || (m->has_spool && render_spool(m, out)) ||
        render_inputs(m, out) || render_sinks(m, out) || render_hosts(m, out))
        return SL_ETOOBIG;
    return 0;
}

double metrics_mean_latency_ms(const struct metrics_sink *s)
{
    return s->requests ? (double)s->latency_us_sum / 1e3 / (double)s->requests : 0.0;
}

#define U(x) ((unsigned long long)(x))

void metrics_log(const struct metrics_snap *m, const char *when)
{
    SL_INFO("stats", "%s received=%llu parsed=%llu unparsed=%llu queued=%llu dropped_full=%llu "
            "blocked=%llu", when, U(m->received), U(m->parsed), U(m->unparsed), U(m->queued),
            U(m->dropped_full), U(m->blocked));
    if (m->has_routes)
        SL_INFO("stats", "%s normalized matched=%llu nomatch=%llu limit=%llu", when,
                U(m->norm_matched), U(m->norm_nomatch), U(m->norm_limit));
    if (m->has_hosts || m->has_skew || m->has_dns)
        SL_INFO("stats", "%s enrich hosts_matched=%llu hosts_reloads=%llu hosts_reload_errors=%llu "
                "time_skewed=%llu dns_hits=%llu dns_misses=%llu dns_queries=%llu "
                "dns_answers=%llu dns_failures=%llu dns_timeouts=%llu", when,
                U(m->en_hosts_matched), U(m->en_hosts_reloads), U(m->en_hosts_reload_errors),
                U(m->en_time_skewed), U(m->dns_hits), U(m->dns_misses), U(m->dns_lookups),
                U(m->dns_answers), U(m->dns_failures), U(m->dns_timeouts));
    if (m->has_spool)
        SL_INFO("stats", "%s spool appended=%llu appended_bytes=%llu written_bytes=%llu "
                "durable=%llu fsyncs=%llu disk_bytes=%llu "
                "segments=%llu full_episodes=%llu disk_full=%llu dropped_oldest=%llu "
                "dropped_newest=%llu corrupt_skipped=%llu", when, U(m->sp_appended),
                U(m->sp_appended_bytes), U(m->sp_written_bytes),
                U(m->sp_durable), U(m->sp_fsyncs), U(m->sp_disk_bytes), U(m->sp_segments),
                U(m->sp_full_episodes), U(m->sp_enospc), U(m->sp_dropped_oldest),
                U(m->sp_dropped_newest), U(m->sp_corrupt));
    for (size_t i = 0; i < m->nsinks; i++) {
        const struct metrics_sink *s = &m->sinks[i];
        int64_t age = s->oldest_ms && m->now_ms > s->oldest_ms ? m->now_ms - s->oldest_ms : 0;
        SL_INFO("stats", "%s sink=%s sent=%llu confirmed=%llu duplicates=%llu rejected=%llu "
                "dead_lettered=%llu failure_stored=%llu retried=%llu retries=%llu bytes=%llu "
                "requests=%llu "
                "failed_requests=%llu latency_ms_mean=%.1f pending=%llu backlog=%llu "
                "backlog_bytes=%llu oldest_age_s=%.1f queue_locks=%llu "
                "queue_locks_contended=%llu", when, s->name, U(s->sent), U(s->confirmed),
                U(s->duplicates), U(s->rejected), U(s->dead_lettered), U(s->failure_stored),
                U(s->retried),
                U(s->retries), U(s->bytes), U(s->requests), U(s->failed_requests),
                metrics_mean_latency_ms(s), U(s->pending), U(s->backlog_records),
                U(s->backlog_bytes), (double)age / 1e3, U(s->queue_locks),
                U(s->queue_locks_contended));
        for (size_t h = 0; h < s->nhosts; h++) {
            const struct metrics_host *x = &s->hosts[h];
            SL_INFO("stats", "%s host=%s sink=%s state=%s discovered=%d requests=%llu "
                    "failures=%llu probes=%llu probe_failures=%llu", when, x->url, s->name,
                    host_state_name(x->state), x->discovered, U(x->requests), U(x->failures),
                    U(x->probes), U(x->probe_failures));
        }
    }
    for (size_t i = 0; i < m->nins; i++) {
        const struct metrics_input *in = &m->ins[i];
        SL_INFO("stats", "%s input=%s msgs=%llu bytes=%llu conns_open=%llu conns_refused=%llu "
                "truncated=%llu partial=%llu bad_frames=%llu", when, in->name, U(in->msgs),
                U(in->bytes), U(in->conns_open), U(in->conns_refused), U(in->truncated),
                U(in->partial), U(in->bad_frames));
    }
}
