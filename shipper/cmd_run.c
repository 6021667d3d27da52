/* shipper/cmd_run.c: `sluice run`, the daemon.
 *
 * Threads: the main thread runs the libevent loop (inputs, framing, parsing,
 * serialization: the pipeline) and one delivery thread runs per sink. A
 * delivery thread talks to the loop only through its queue's on-space
 * callback, which activates `resume_ev` (libevent is made thread-safe with
 * evthread_use_pthreads before the base is created).
 *
 * Stop (SIGTERM, SIGINT): stop accepting, deliver what the framers hold,
 * push the pending batches, close the queues, and wait for delivery up to
 * --stop-timeout. Exit 0 when everything received was delivered. */
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

#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/schema.h"
#include "parser/evt.h"
#include "parser/route.h"
#include "shipper/cli.h"
#include "shipper/config.h"
#include "shipper/deliver.h"
#include "shipper/frame.h"
#include "shipper/listen.h"
#include "shipper/pipeline.h"

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
    struct event_base *base;
    struct pipeline *pipe;
    struct input_ctx *ins;
    size_t nins;
    struct sl_queue **qs;
    struct deliver **dl;
    size_t nsinks;
    struct event *flush_ev, *resume_ev, *stats_ev, *sig_term, *sig_int, *sig_hup;
    uint64_t stop_timeout_ms;
    int stopping;
};

static void on_msg(void *arg, const char *msg, size_t len, unsigned flags,
                   const struct sockaddr *src, socklen_t srclen, int64_t recv_ns)
{
    struct input_ctx *ic = arg;

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

static void log_stats(struct run *r, const char *when)
{
    const struct pipeline_stats *ps = pipeline_stats(r->pipe);

    SL_INFO("stats", "%s received=%llu queued=%llu dropped_full=%llu blocked=%llu", when,
            (unsigned long long)ps->received, (unsigned long long)ps->queued,
            (unsigned long long)ps->dropped_full, (unsigned long long)ps->blocked);
    if (r->cfg->routes)
        SL_INFO("stats", "%s normalized matched=%llu nomatch=%llu limit=%llu", when,
                (unsigned long long)ps->norm_matched, (unsigned long long)ps->norm_nomatch,
                (unsigned long long)ps->norm_limit);
    for (size_t i = 0; i < r->nsinks; i++) {
        const struct deliver_stats *ds = deliver_stats(r->dl[i]);
        const struct sink_stats *ss = deliver_sink_stats(r->dl[i]);
        uint64_t lk_acq = 0, lk_cont = 0;
        sl_queue_lock_stats(r->qs[i], &lk_acq, &lk_cont);
        SL_INFO("stats", "%s sink=%s confirmed=%llu duplicates=%llu rejected=%llu retries=%llu "
                "pending=%llu requests=%llu failed_requests=%llu queue_locks=%llu "
                "queue_locks_contended=%llu", when, deliver_name(r->dl[i]),
                (unsigned long long)ds->confirmed, (unsigned long long)ss->duplicates,
                (unsigned long long)ds->rejected, (unsigned long long)ds->retries,
                (unsigned long long)ds->pending, (unsigned long long)ss->requests,
                (unsigned long long)ss->failed_requests, (unsigned long long)lk_acq,
                (unsigned long long)lk_cont);
    }
    for (size_t i = 0; i < r->nins; i++) {
        if (!r->ins[i].l)
            continue;
        const struct listen_stats *ls = listen_stats(r->ins[i].l);
        SL_INFO("stats", "%s input=%s msgs=%llu bytes=%llu conns_open=%llu conns_refused=%llu "
                "truncated=%llu partial=%llu bad_frames=%llu", when, r->ins[i].cfg->name,
                (unsigned long long)ls->msgs, (unsigned long long)ls->bytes,
                (unsigned long long)ls->conns_open, (unsigned long long)ls->conns_refused,
                (unsigned long long)ls->truncated, (unsigned long long)ls->partial,
                (unsigned long long)ls->bad_frames);
    }
}

static void on_stats_timer(evutil_socket_t fd, short what, void *arg)
{
    log_stats(arg, "periodic");
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct run *r = arg;

    if (sig == SIGHUP) {
        SL_WARN("run", "SIGHUP received: reload is not available in this version; restart to apply changes");
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
        sl_queue_free(r->qs[i]);
    }
    pipeline_free(r->pipe);
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
        "      --stop-timeout D   how long a stop waits for delivery (default 15s)\n"
        "      --stats-interval D log counters this often (default 60s; 0: never)\n"
        "  -v, --log-level L      error | warn | info | debug (overrides the config)\n"
        "\n"
        "exit status: 0 stopped with everything delivered; 1 runtime error or events left\n"
        "undelivered at stop; 2 usage or config error\n");
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
    if (cli_load_config(&r.cfg, cfg_path, out_path, &pr)) {
        cfg_problems_free(&pr);
        return 2;
    }
    if (!cfg_path) {
        char abs[PATH_MAX + 32];
        SL_INFO("run", "embedded default config: syslog on tcp and udp 127.0.0.1:5514, "
                "documents written as NDJSON to %s", cli_default_out(out_path, abs, sizeof abs));
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

    /* Sinks first: a sink that cannot open stops the start before any port is bound. */
    r.nsinks = r.cfg->nsinks;
    r.qs = sl_calloc(r.nsinks ? r.nsinks : 1, sizeof *r.qs);
    r.dl = sl_calloc(r.nsinks ? r.nsinks : 1, sizeof *r.dl);
    struct pipeline_out *outs = sl_calloc(r.nsinks ? r.nsinks : 1, sizeof *outs);
    for (size_t i = 0; i < r.nsinks; i++) {
        const struct cfg_sink *s = &r.cfg->sinks[i];
        sl_queue_new(&r.qs[i], r.cfg->queue_bytes);
        sl_queue_on_space(r.qs[i], on_space, &r);
        struct deliver_src src = deliver_src_queue(r.qs[i]);
        if (deliver_start(&r.dl[i], s->type, s->conf, s->name, &src, NULL, &err)) {
            SL_ERROR("run", "sink %s (%s) cannot start: %s%s%s", s->name, s->type->name, err.msg,
                     err.where[0] ? " at " : "", err.where);
            sl_free(outs);
            goto out;
        }
        outs[i].q = r.qs[i];
        const char *index = s->type->index ? s->type->index(s->conf) : NULL;
        SL_INFO("run", "sink=%s type=%s%s%s", s->name, s->type->name,
                index ? " index=" : "", index ? index : "");
    }
    size_t max_msg = SL_MAX_MSG_MIN;
    for (size_t i = 0; i < r.cfg->ninputs; i++)
        if (r.cfg->inputs[i].max_msg > max_msg)
            max_msg = r.cfg->inputs[i].max_msg;
    struct syslog_opts so;
    syslog_opts_default(&so);
    rc = pipeline_new(&r.pipe, outs, r.nsinks, max_msg, &so, on_block, &r, &err);
    sl_free(outs);
    if (rc) {
        SL_ERROR("run", "%s", err.msg);
        rc = 1;
        goto out;
    }
    pipeline_set_routes(r.pipe, r.cfg->routes);     /* the config outlives the pipeline */
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
    for (size_t i = 0; i < r.nsinks; i++)
        sl_queue_close(r.qs[i]);
    uint64_t unresolved = 0;
    for (size_t i = 0; i < r.nsinks; i++) {
        uint64_t now = sl_clock_mono_ms();
        unresolved += deliver_stop(r.dl[i], until > now ? until - now : 0);
    }
    log_stats(&r, "final");
    if (unresolved || left_pending) {
        SL_ERROR("run", "stopped with events not delivered: unresolved=%llu (no disk buffer in this version: they are lost)",
                 (unsigned long long)unresolved);
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
