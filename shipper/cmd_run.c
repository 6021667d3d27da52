/* shipper/cmd_run.c: `sluice run`, the daemon.
 *
 * Threads: the main thread runs the libevent loop (inputs, framing, parsing,
 * serialization: the pipeline); with a buffer, the spool writer appends the
 * pipeline's batches to disk and one delivery thread per sink reads the spool
 * from its own cursor; without one, each sink's delivery thread pops its own
 * in-memory queue. The loop is woken only through a queue's on-space
 * callback, which activates `resume_ev` (libevent is made thread-safe with
 * evthread_use_pthreads before the base is created). The admin endpoint
 * (admin.c) serves on the same loop; its /metrics and the periodic stats
 * lines print the same snapshot (metrics.c), taken here from every stage's
 * atomics.
 *
 * Stop (SIGTERM, SIGINT): stop accepting, deliver what the framers hold,
 * push the pending batches, let the spool writer drain and sync, and wait for
 * delivery up to --stop-timeout. What is not delivered by then waits in the
 * spool for the next start (without a buffer it is lost: exit 1). */
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buffer/spool.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/schema.h"
#include "parser/evt.h"
#include "parser/route.h"
#include "shipper/admin.h"
#include "shipper/cli.h"
#include "shipper/config.h"
#include "shipper/deliver.h"
#include "shipper/enrich.h"
#include "shipper/frame.h"
#include "shipper/listen.h"
#include "shipper/metrics.h"
#include "shipper/pipeline.h"
#include "shipper/reload.h"

/* The framer's flags travel into the event unchanged. */
_Static_assert(FRAME_TRUNCATED == EVT_F_TRUNCATED && FRAME_PARTIAL == EVT_F_PARTIAL &&
               FRAME_BAD_COUNT == EVT_F_BAD_FRAME, "frame and event flags differ");

struct run;

struct input_ctx {
    struct run *r;
    struct listener *l;
    const struct cfg_input *cfg;
    const char *transport;
    int datagram;
};

struct run {
    struct sl_config *cfg;
    const char *cfg_path;           /* -c; NULL: the embedded default */
    struct event_base *base;
    struct pipeline *pipe;
    struct enrich *en;              /* host and time enrichment (enrich.h) */
    struct input_ctx *ins;
    size_t nins;
    struct sl_queue **qs;           /* memory mode: one per sink */
    struct deliver **dl;
    size_t nsinks;
    struct spool *spool;            /* NULL: memory mode */
    struct sl_queue *spool_q;       /* pipeline -> spool writer */
    struct spool_reader **rd;       /* one per sink */
    struct event *flush_ev, *resume_ev, *stats_ev, *sig_term, *sig_int, *sig_hup;
    struct admin *admin;            /* NULL: no admin.listen */
    int64_t start_ms;
    int listening;                  /* every input is bound (readiness) */
    uint64_t stop_timeout_ms;
    int stopping;
};

static void on_msg(void *arg, const char *msg, size_t len, unsigned flags,
                   const struct sockaddr *src, socklen_t srclen, int64_t recv_ns)
{
    struct input_ctx *ic = arg;

    pipeline_set_input(ic->r->pipe, (size_t)(ic - ic->r->ins));
    pipeline_msg(ic->r->pipe, msg, len, flags, src, srclen, recv_ns, ic->transport, ic->datagram);
}

static void on_block(void *arg, int blocked)
{
    struct run *r = arg;

    for (size_t i = 0; i < r->nins; i++) {
        if (r->ins[i].datagram || !r->ins[i].l)
            continue;
        if (blocked)
            listen_pause(r->ins[i].l);
        else
            listen_resume(r->ins[i].l);
    }
}

/* Called from a delivery thread: only wakes the loop. */
static void on_space(void *arg)
{
    struct run *r = arg;

    event_active(r->resume_ev, EV_READ, 0);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;

    pipeline_flush(r->pipe);
}

static void on_flush_timer(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;

    pipeline_flush(r->pipe);
}

/* One snapshot of every stage's counters (metrics.h); free with snap_free. */
static void snap_take(struct run *r, struct metrics_snap *m)
{
    const struct pipeline_stats *ps = pipeline_stats(r->pipe);

    memset(m, 0, sizeof *m);
    m->version = PACKAGE_VERSION;
    m->now_ms = sl_clock_real_ns() / 1000000;
    m->start_ms = r->start_ms;
    m->received = atomic_load(&ps->received);
    m->parsed = atomic_load(&ps->parsed);
    m->unparsed = atomic_load(&ps->unparsed);
    m->queued = atomic_load(&ps->queued);
    m->dropped_full = atomic_load(&ps->dropped_full);
    m->blocked = atomic_load(&ps->blocked);
    m->has_routes = r->cfg->routes != NULL;
    m->norm_matched = atomic_load(&ps->norm_matched);
    m->norm_nomatch = atomic_load(&ps->norm_nomatch);
    m->norm_limit = atomic_load(&ps->norm_limit);
    if (r->en) {
        const struct enrich_stats *es = enrich_stats(r->en);
        const struct cfg_enrich_host *eh = &r->cfg->eh;
        m->has_hosts = eh->hosts_file != NULL;
        m->has_skew = eh->max_future_ms || eh->max_past_ms;
        m->has_dns = eh->dns_reverse;
        m->en_hosts_matched = atomic_load(&es->hosts_matched);
        m->en_hosts_reloads = atomic_load(&es->hosts_reloads);
        m->en_hosts_reload_errors = atomic_load(&es->hosts_reload_errors);
        m->en_time_skewed = atomic_load(&es->time_skewed);
        m->dns_hits = atomic_load(&es->dns_hits);
        m->dns_misses = atomic_load(&es->dns_misses);
        m->dns_lookups = atomic_load(&es->dns_lookups);
        m->dns_answers = atomic_load(&es->dns_answers);
        m->dns_failures = atomic_load(&es->dns_failures);
        m->dns_timeouts = atomic_load(&es->dns_timeouts);
    }
    if (r->spool) {
        const struct spool_stats *sp = spool_stats(r->spool);
        m->has_spool = 1;
        m->queue_bytes = sl_queue_bytes(r->spool_q);
        m->sp_appended = atomic_load(&sp->appended);
        m->sp_appended_bytes = atomic_load(&sp->appended_bytes);
        m->sp_written_bytes = atomic_load(&sp->written_bytes);
        m->sp_durable = atomic_load(&sp->durable);
        m->sp_fsyncs = atomic_load(&sp->fsyncs);
        m->sp_full_episodes = atomic_load(&sp->full_episodes);
        m->sp_enospc = atomic_load(&sp->enospc);
        m->sp_dropped_oldest = atomic_load(&sp->dropped_oldest);
        m->sp_dropped_newest = atomic_load(&sp->dropped_newest);
        m->sp_corrupt = atomic_load(&sp->corrupt_records);
        spool_usage(r->spool, &m->sp_disk_bytes, &m->sp_segments);
    }
    m->sinks = sl_calloc(r->nsinks ? r->nsinks : 1, sizeof *m->sinks);
    for (size_t i = 0; i < r->nsinks; i++) {
        struct metrics_sink *k = &m->sinks[m->nsinks];
        if (!r->dl[i])
            continue;
        const struct deliver_stats *ds = deliver_stats(r->dl[i]);
        const struct sink_stats *ss = deliver_sink_stats(r->dl[i]);
        m->nsinks++;
        k->name = deliver_name(r->dl[i]);
        k->type = r->cfg->sinks[i].type->name;
        k->confirmed = atomic_load(&ds->confirmed);
        k->rejected = atomic_load(&ds->rejected);
        k->retries = atomic_load(&ds->retries);
        k->pending = atomic_load(&ds->pending);
        k->failing = atomic_load(&ds->failing);
        k->finished = deliver_finished(r->dl[i]);
        k->sent = atomic_load(&ss->sent);
        k->duplicates = atomic_load(&ss->duplicates);
        k->retried = atomic_load(&ss->retried);
        k->dead_lettered = atomic_load(&ss->dead_lettered);
        k->failure_stored = atomic_load(&ss->failure_stored);
        k->requests = atomic_load(&ss->requests);
        k->failed_requests = atomic_load(&ss->failed_requests);
        k->bytes = atomic_load(&ss->bytes);
        k->latency_us_sum = atomic_load(&ss->latency_us_sum);
        for (size_t b = 0; b <= SINK_LAT_NBOUNDS; b++)
            k->lat_bucket[b] = atomic_load(&ss->lat_bucket[b]);
        sl_queue_lock_stats(r->spool ? r->spool_q : r->qs[i], &k->queue_locks,
                            &k->queue_locks_contended);
        if (r->spool && r->rd[i]) {
            spool_reader_backlog(r->rd[i], &k->backlog_records, &k->backlog_bytes);
            k->oldest_ms = spool_reader_oldest_ms(r->rd[i]);
        } else if (!r->spool) {
            k->backlog_records = k->pending;
            k->backlog_bytes = sl_queue_bytes(r->qs[i]);
            m->queue_bytes += k->backlog_bytes;
        }
        k->nhosts = atomic_load_explicit(&ss->nhosts, memory_order_acquire);
        k->hosts = sl_calloc(k->nhosts ? k->nhosts : 1, sizeof *k->hosts);
        for (size_t h = 0; h < k->nhosts; h++) {
            const struct sink_host_stats *hs = &ss->host[h];
            k->hosts[h] = (struct metrics_host){
                .url = hs->url, .discovered = hs->discovered, .state = atomic_load(&hs->state),
                .requests = atomic_load(&hs->requests), .failures = atomic_load(&hs->failures),
                .probes = atomic_load(&hs->probes),
                .probe_failures = atomic_load(&hs->probe_failures),
            };
        }
    }
    m->ins = sl_calloc(r->nins ? r->nins : 1, sizeof *m->ins);
    for (size_t i = 0; i < r->nins; i++) {
        struct metrics_input *in = &m->ins[m->nins];
        if (!r->ins[i].l)
            continue;
        const struct listen_stats *ls = listen_stats(r->ins[i].l);
        m->nins++;
        in->name = r->ins[i].cfg->name;
        in->datagram = r->ins[i].datagram;
        in->msgs = atomic_load(&ls->msgs);
        in->bytes = atomic_load(&ls->bytes);
        in->conns_open = atomic_load(&ls->conns_open);
        in->conns_total = atomic_load(&ls->conns_total);
        in->conns_refused = atomic_load(&ls->conns_refused);
        in->conns_over_max = atomic_load(&ls->conns_over_max);
        in->dgrams_refused = atomic_load(&ls->dgrams_refused);
        in->truncated = atomic_load(&ls->truncated);
        in->partial = atomic_load(&ls->partial);
        in->bad_frames = atomic_load(&ls->bad_frames);
        in->read_errors = atomic_load(&ls->read_errors);
    }
}

static void snap_free(struct metrics_snap *m)
{
    for (size_t i = 0; i < m->nsinks; i++)
        sl_free(m->sinks[i].hosts);
    sl_free(m->sinks);
    sl_free(m->ins);
}

static void log_stats(struct run *r, const char *when)
{
    struct metrics_snap m;

    snap_take(r, &m);
    metrics_log(&m, when);
    snap_free(&m);
}

/* The admin endpoint's callbacks, on the loop thread. */
static int admin_metrics(void *arg, struct sl_buf *out)
{
    struct metrics_snap m;
    int rc;

    snap_take(arg, &m);
    rc = metrics_render(&m, out);
    snap_free(&m);
    return rc;
}

/* Ready: every input is bound, no stop is under way, and at least one sink
 * is delivering (its last request was answered, or none was sent yet). */
static int admin_ready(void *arg, char *why, size_t n)
{
    struct run *r = arg;
    size_t ok = 0, worst = 0;
    uint64_t worst_fail = 0;

    if (r->stopping || !r->listening) {
        snprintf(why, n, "%s", r->stopping ? "stopping" : "starting: inputs not listening yet");
        return 0;
    }
    if (!r->nsinks) {
        snprintf(why, n, "no sink configured");
        return 0;
    }
    for (size_t i = 0; i < r->nsinks; i++) {
        uint64_t f = atomic_load(&deliver_stats(r->dl[i])->failing);
        if (!f && !deliver_finished(r->dl[i]))
            ok++;
        else if (f >= worst_fail) {
            worst_fail = f;
            worst = i;
        }
    }
    if (ok)
        return 1;
    if (worst_fail)
        snprintf(why, n, "no sink is delivering: sink %s failed %llu requests in a row",
                 deliver_name(r->dl[worst]), (unsigned long long)worst_fail);
    else
        snprintf(why, n, "no sink is delivering: sink %s stopped", deliver_name(r->dl[worst]));
    return 0;
}

static void on_stats_timer(evutil_socket_t fd, short what, void *arg)
{
    log_stats(arg, "periodic");
}

/* SIGHUP: the host map (enrich.hosts.file) read again and swapped in whole;
 * on error the old map stays. Runs on the loop thread (a signal event). */
static void reload_enrich_hosts(struct run *r)
{
    struct sl_err err;

    sl_err_clear(&err);
    if (!r->cfg->eh.hosts_file)
        return;
    if (enrich_hosts_reload(r->en, &err))
        SL_ERROR("run", "enrich.hosts.file not reloaded, the old map stays: %s%s%s", err.where,
                 err.where[0] ? ": " : "", err.msg);
    else
        SL_INFO("run", "enrich.hosts.file reloaded file=%s", r->cfg->eh.hosts_file);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct run *r = arg;

    if (sig == SIGHUP) {
        reload_secrets(r->cfg_path, r->cfg->sinks, r->dl, r->nsinks);
        reload_enrich_hosts(r);
        return;
    }
    SL_INFO("run", "signal=%s: stopping", sig == SIGTERM ? "TERM" : "INT");
    r->stopping = 1;
    event_base_loopbreak(r->base);
}

static int allow_cb(void *arg, const struct sockaddr *sa, socklen_t len)
{
    const struct cfg_input *in = arg;

    return cfg_input_allows(in, sa);
}

static int write_port_file(const char *path, struct run *r)
{
    char tmp[PATH_MAX];
    FILE *f;

    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f)
        return -1;
    for (size_t i = 0; i < r->nins; i++)
        fprintf(f, "%s %s %d\n", r->ins[i].cfg->name, r->ins[i].transport,
                listen_port(r->ins[i].l));
    if (r->admin)
        fprintf(f, "admin http %d\n", admin_port(r->admin));
    if (fclose(f) || rename(tmp, path))
        return -1;
    return 0;
}

static void run_free(struct run *r)
{
    for (size_t i = 0; i < r->nins; i++)
        listen_close(r->ins[i].l);
    for (size_t i = 0; i < r->nsinks; i++) {
        deliver_free(r->dl[i]);
        if (r->qs)
            sl_queue_free(r->qs[i]);
    }
    if (r->spool) {
        struct sl_err err;
        spool_writer_stop(r->spool);
        for (size_t i = 0; i < r->nsinks; i++)
            if (r->rd[i] && spool_reader_close(r->rd[i], 0, &err))
                SL_ERROR("run", "%s at %s", err.msg, err.where);
        spool_close(r->spool);
    }
    sl_queue_free(r->spool_q);
    sl_free(r->rd);
    pipeline_free(r->pipe);
    enrich_free(r->en);             /* before the base: evdns lives on it */
    admin_close(r->admin);
    if (r->flush_ev) event_free(r->flush_ev);
    if (r->resume_ev) event_free(r->resume_ev);
    if (r->stats_ev) event_free(r->stats_ev);
    if (r->sig_term) event_free(r->sig_term);
    if (r->sig_int) event_free(r->sig_int);
    if (r->sig_hup) event_free(r->sig_hup);
    if (r->base) event_base_free(r->base);
    sl_free(r->ins);
    sl_free(r->qs);
    sl_free(r->dl);
    config_free(r->cfg);
}

static int open_spool(struct run *r)
{
    const struct sl_config *c = r->cfg;
    struct spool_opts o = { 0 };
    struct spool_recovery rec;
    struct sl_err err;
    static const char *const fs[] = { "never", "interval", "always" };

    o.path = c->buffer.path;
    o.max_size = c->buffer.max_size;
    o.segment_size = c->buffer.segment_size;
    o.when_full = (enum spool_full)c->buffer.when_full;
    o.fsync = (enum spool_fsync)c->buffer.fsync;
    o.fsync_ms = (uint32_t)c->buffer.fsync_ms;
    o.compress = c->buffer.compress;
    if (spool_open(&r->spool, &o, &rec, &err)) {
        SL_ERROR("run", "buffer: %s at %s", err.msg, err.where);
        return -1;
    }
    SL_INFO("run", "buffer=%s fsync=%s%s max_size=%llu segments=%llu records=%llu bytes=%llu",
            c->buffer.path, o.fsync == SPOOL_FSYNC_INTERVAL ? "" : fs[o.fsync],
            o.fsync == SPOOL_FSYNC_INTERVAL ? c->buffer.fsync_text : "",
            (unsigned long long)o.max_size, (unsigned long long)rec.segments,
            (unsigned long long)rec.records, (unsigned long long)rec.bytes);
    if (rec.torn_bytes)
        SL_WARN("run", "buffer: cut a torn tail of bytes=%llu (a write the last run did not "
                "finish)", (unsigned long long)rec.torn_bytes);
    if (rec.corrupt_regions || rec.kept_aside)
        SL_ERROR("run", "buffer: damaged regions=%llu bytes=%llu skipped; segments=%llu kept "
                 "aside in %s/corrupt (see `sluice buffer check`)",
                 (unsigned long long)rec.corrupt_regions, (unsigned long long)rec.corrupt_bytes,
                 (unsigned long long)rec.kept_aside, c->buffer.path);
    sl_queue_new(&r->spool_q, c->queue_bytes);
    sl_queue_on_space(r->spool_q, on_space, r);
    r->rd = sl_calloc(r->nsinks ? r->nsinks : 1, sizeof *r->rd);
    return 0;
}

static void usage_run(FILE *f)
{
    fprintf(f,
        "usage: sluice run [-c FILE] [options]\n"
        "Runs the daemon. Without -c, runs the embedded default config: syslog on\n"
        "127.0.0.1:5514 (TCP and UDP), documents written as NDJSON to a local file.\n"
        "\n"
        "  -c, --config FILE      config file (YAML); see `sluice check --keys`\n"
        "  -o, --out PATH         with the embedded config: the NDJSON file\n"
        "                         (default ./sluice-out.ndjson)\n"
        "      --port-file PATH   write 'NAME TRANSPORT PORT' per input once listening\n"
        "                         (and 'admin http PORT' with admin.listen)\n"
        "      --stop-timeout D   how long a stop waits for delivery (default 15s)\n"
        "      --stats-interval D log counters this often (default 60s; 0: never)\n"
        "  -v, --log-level L      error | warn | info | debug (overrides the config)\n"
        "\n"
        "SIGTERM, SIGINT: stop. SIGHUP: read the sinks' secrets (${file:}) and the host map\n"
        "(enrich.hosts.file) again and apply them (only those; other changes need a restart).\n"
        "\n"
        "exit status: 0 stopped with everything delivered or waiting in the buffer; 1 runtime\n"
        "error, or events lost at stop (no buffer.path); 2 usage or config error\n");
}

int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "out", required_argument, NULL, 'o' },
        { "port-file", required_argument, NULL, 'P' },
        { "stop-timeout", required_argument, NULL, 'T' },
        { "stats-interval", required_argument, NULL, 'S' },
        { "log-level", required_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cfg_path = NULL, *out_path = NULL, *port_file = NULL, *level = NULL;
    uint64_t stats_ms = 60000;
    struct run r = { 0 };
    struct cfg_problems pr = { 0 };
    struct sl_err err = { 0 };
    int c, rc = 1;

    r.stop_timeout_ms = 15000;
    r.start_ms = sl_clock_real_ns() / 1000000;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:o:v:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': cfg_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'P': port_file = optarg; break;
        case 'v': level = optarg; break;
        case 'T':
            if (sl_parse_duration_ms(optarg, &r.stop_timeout_ms)) {
                fprintf(stderr, "sluice run: --stop-timeout: expected a duration like 15s\n");
                return 2;
            }
            break;
        case 'S':
            if (sl_parse_duration_ms(optarg, &stats_ms)) {
                fprintf(stderr, "sluice run: --stats-interval: expected a duration like 60s\n");
                return 2;
            }
            break;
        case 'h': usage_run(stdout); return 0;
        default: usage_run(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sluice run: unexpected argument '%s'\n", argv[optind]);
        usage_run(stderr);
        return 2;
    }
    if (cfg_path && out_path) {
        fprintf(stderr, "sluice run: --out applies to the embedded config only; set the sink's path in %s\n", cfg_path);
        return 2;
    }
    r.cfg_path = cfg_path;
    if (cli_load_config(&r.cfg, cfg_path, out_path, &pr)) {
        cfg_problems_free(&pr);
        return 2;
    }
    if (!cfg_path) {
        char abs[PATH_MAX + 32];
        SL_INFO("run", "embedded default config: syslog on tcp and udp 127.0.0.1:5514, "
                "documents written as NDJSON to %s, buffer in ./sluice-spool",
                cli_default_out(out_path, abs, sizeof abs));
    }
    if (level) {
        int lv = sl_log_parse_level(level);
        if (lv < 0) {
            fprintf(stderr, "sluice run: --log-level: expected error, warn, info or debug\n");
            rc = 2;
            goto out;
        }
        sl_log_set_level(lv);
    } else {
        sl_log_set_level(r.cfg->log_level);
    }
    tzset();      /* glibc reads TZ once; zone-less timestamps use it */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);    /* a file-size limit becomes a write error, not a kill */
    if (evthread_use_pthreads()) {
        SL_ERROR("run", "libevent has no pthreads support");
        goto out;
    }
    r.base = event_base_new();
    if (!r.base) {
        SL_ERROR("run", "cannot create the event loop");
        goto out;
    }

    /* The spool, then the sinks: either failing stops the start before any
     * port is bound. */
    r.nsinks = r.cfg->nsinks;
    r.dl = sl_calloc(r.nsinks ? r.nsinks : 1, sizeof *r.dl);
    size_t nouts = r.nsinks;
    struct pipeline_out *outs = sl_calloc(r.nsinks ? r.nsinks : 1, sizeof *outs);
    if (r.cfg->buffer.path) {
        if (open_spool(&r)) {
            sl_free(outs);
            goto out;
        }
        outs[0].q = r.spool_q;
        nouts = r.nsinks ? 1 : 0;
    } else {
        r.qs = sl_calloc(r.nsinks ? r.nsinks : 1, sizeof *r.qs);
        SL_WARN("run", "no buffer.path: events wait in memory only (queue.max_bytes) and a "
                "kill or a crash loses them");
    }
    for (size_t i = 0; i < r.nsinks; i++) {
        const struct cfg_sink *s = &r.cfg->sinks[i];
        struct deliver_src src;
        if (r.spool) {
            int fresh = 0;
            if (spool_reader_open(r.spool, s->name, 0, 0, &r.rd[i], &fresh, &err)) {
                SL_ERROR("run", "sink %s: %s at %s", s->name, err.msg, err.where);
                sl_free(outs);
                goto out;
            }
            uint64_t bl_rec, bl_bytes;
            spool_reader_backlog(r.rd[i], &bl_rec, &bl_bytes);
            if (fresh && bl_rec)
                SL_WARN("run", "sink %s has no cursor in the spool: sending all records=%llu "
                        "from the oldest (IDs keep the index free of duplicates)", s->name,
                        (unsigned long long)bl_rec);
            else if (bl_rec)
                SL_INFO("run", "sink %s: backlog in the spool records=%llu bytes=%llu", s->name,
                        (unsigned long long)bl_rec, (unsigned long long)bl_bytes);
            src = deliver_src_spool(r.rd[i]);
        } else {
            sl_queue_new(&r.qs[i], r.cfg->queue_bytes);
            sl_queue_on_space(r.qs[i], on_space, &r);
            outs[i].q = r.qs[i];
            src = deliver_src_queue(r.qs[i]);
        }
        if (deliver_start(&r.dl[i], s->type, s->conf, s->name, &src, NULL, &err)) {
            SL_ERROR("run", "sink %s (%s) cannot start: %s%s%s", s->name, s->type->name, err.msg,
                     err.where[0] ? " at " : "", err.where);
            sl_free(outs);
            goto out;
        }
        const char *index = s->type->index ? s->type->index(s->conf) : NULL;
        SL_INFO("run", "sink=%s type=%s%s%s", s->name, s->type->name,
                index ? " index=" : "", index ? index : "");
    }
    if (r.spool && spool_writer_start(r.spool, r.spool_q, &err)) {
        SL_ERROR("run", "%s", err.msg);
        sl_free(outs);
        goto out;
    }
    size_t max_msg = SL_MAX_MSG_MIN;
    for (size_t i = 0; i < r.cfg->ninputs; i++)
        if (r.cfg->inputs[i].max_msg > max_msg)
            max_msg = r.cfg->inputs[i].max_msg;
    struct syslog_opts so;
    syslog_opts_default(&so);
    rc = pipeline_new(&r.pipe, outs, nouts, max_msg, &so, on_block, &r, &err);
    sl_free(outs);
    if (rc) {
        SL_ERROR("run", "%s", err.msg);
        rc = 1;
        goto out;
    }
    pipeline_set_routes(r.pipe, r.cfg->routes);     /* the config outlives the pipeline */
    if (enrich_new(&r.en, &r.cfg->eh, r.base, &err)) {
        SL_ERROR("run", "%s: %s", err.where, err.msg);
        rc = 1;
        goto out;
    }
    pipeline_set_enrich_host(r.pipe, r.en);
    pipeline_set_enrich(r.pipe, &r.cfg->level_opts, &r.cfg->payload_opts);
    if (r.cfg->routes)
        SL_INFO("run", "normalization: grammars=%zu routes=%zu",
                route_table_ngrammars(r.cfg->routes), route_table_nroutes(r.cfg->routes));
    rc = 1;

    r.nins = r.cfg->ninputs;
    r.ins = sl_calloc(r.nins ? r.nins : 1, sizeof *r.ins);
    for (size_t i = 0; i < r.nins; i++) {
        const struct cfg_input *ci = &r.cfg->inputs[i];
        struct listen_opts lo = { 0 };
        struct input_ctx *ic = &r.ins[i];
        ic->r = &r;
        ic->cfg = ci;
        ic->datagram = ci->proto == CFG_UDP;
        ic->transport = ic->datagram ? "udp" : "tcp";
        lo.proto = ic->datagram ? LISTEN_UDP : LISTEN_TCP;
        lo.host = ci->host;
        lo.port = ci->port;
        lo.max_msg = ci->max_msg;
        lo.max_conns = (unsigned)ci->max_conns;
        lo.name = ci->name;
        if (ci->allow.n) {
            lo.allow = allow_cb;
            lo.allow_arg = (void *)ci;
        }
        if (listen_open(&ic->l, r.base, &lo, on_msg, ic, &err)) {
            SL_ERROR("run", "input %s (%s) cannot listen: %s", ci->name, ci->listen, err.msg);
            goto out;
        }
        SL_INFO("run", "input=%s listening on %s://%s:%d", ci->name, ic->transport, ci->host,
                listen_port(ic->l));
    }
    if (r.cfg->admin.listen) {
        struct admin_opts ao = {
            .host = r.cfg->admin.host, .port = r.cfg->admin.port, .token = r.cfg->admin.token,
            .metrics = admin_metrics, .ready = admin_ready, .arg = &r,
        };
        if (admin_open(&r.admin, r.base, &ao, &err)) {
            SL_ERROR("run", "admin endpoint (%s) cannot listen: %s", r.cfg->admin.listen,
                     err.msg);
            goto out;
        }
        SL_INFO("run", "admin listening on http://%s%s%s:%d (/metrics /live /ready)%s",
                strchr(r.cfg->admin.host, ':') ? "[" : "", r.cfg->admin.host,
                strchr(r.cfg->admin.host, ':') ? "]" : "", admin_port(r.admin),
                r.cfg->admin.token ? " token required" : "");
    }
    r.listening = 1;
    if (port_file && write_port_file(port_file, &r)) {
        SL_ERROR("run", "cannot write the port file %s: %s", port_file, strerror(errno));
        goto out;
    }

    r.resume_ev = event_new(r.base, -1, 0, on_resume, &r);
    r.flush_ev = event_new(r.base, -1, EV_PERSIST, on_flush_timer, &r);
    struct timeval tick = { 0, 20000 };     /* a lone message waits at most this long */
    event_add(r.flush_ev, &tick);
    if (stats_ms) {
        struct timeval st = { (time_t)(stats_ms / 1000), (suseconds_t)(stats_ms % 1000) * 1000 };
        r.stats_ev = event_new(r.base, -1, EV_PERSIST, on_stats_timer, &r);
        event_add(r.stats_ev, &st);
    }
    r.sig_term = evsignal_new(r.base, SIGTERM, on_signal, &r);
    r.sig_int = evsignal_new(r.base, SIGINT, on_signal, &r);
    r.sig_hup = evsignal_new(r.base, SIGHUP, on_signal, &r);
    event_add(r.sig_term, NULL);
    event_add(r.sig_int, NULL);
    event_add(r.sig_hup, NULL);
    SL_INFO("run", "sluice %s running pid=%ld", PACKAGE_VERSION, (long)getpid());

    event_base_dispatch(r.base);

    /* Stop: inputs first (their half frames are delivered), then the pipeline's
     * pending batches, then the queues drain into the sinks. */
    admin_close(r.admin);       /* a scrape now would wait for a loop that no longer runs */
    r.admin = NULL;
    for (size_t i = 0; i < r.nins; i++)
        listen_stop(r.ins[i].l);
    uint64_t until = sl_clock_mono_ms() + r.stop_timeout_ms;
    while (pipeline_flush(r.pipe) && sl_clock_mono_ms() < until)
        usleep(10000);
    uint64_t left_pending = 0;
    {
        /* Records that could not even be queued are lost: counted in the exit status. */
        if (pipeline_flush(r.pipe))
            left_pending = 1;
    }
    if (r.spool) {
        /* The writer drains its queue (past max_size if it must: these
         * records were taken from senders already) and syncs. */
        spool_writer_stop(r.spool);
    } else {
        for (size_t i = 0; i < r.nsinks; i++)
            sl_queue_close(r.qs[i]);
    }
    uint64_t unresolved = 0;
    for (size_t i = 0; i < r.nsinks; i++) {
        uint64_t now = sl_clock_mono_ms();
        unresolved += deliver_stop(r.dl[i], until > now ? until - now : 0);
    }
    log_stats(&r, "final");
    if (r.spool) {
        uint64_t waiting = 0;
        for (size_t i = 0; i < r.nsinks; i++) {
            uint64_t bl_rec, bl_bytes;
            spool_reader_backlog(r.rd[i], &bl_rec, &bl_bytes);
            waiting += bl_rec;
        }
        if (left_pending) {
            SL_ERROR("run", "stopped with a batch the spool could not take (disk full): lost");
            rc = 1;
        } else if (waiting) {
            SL_INFO("run", "stopped: records=%llu wait in the spool %s and are sent at the "
                    "next start", (unsigned long long)waiting, r.cfg->buffer.path);
            rc = 0;
        } else {
            SL_INFO("run", "stopped: everything received was delivered");
            rc = 0;
        }
    } else if (unresolved || left_pending) {
        SL_ERROR("run", "stopped with events not delivered: unresolved=%llu (no buffer.path: "
                 "they are lost)", (unsigned long long)unresolved);
        rc = 1;
    } else {
        SL_INFO("run", "stopped: everything received was delivered");
        rc = 0;
    }
out:
    cfg_problems_free(&pr);
    run_free(&r);
    return rc;
}
