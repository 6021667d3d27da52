/* shipper/cmd_replay.c: `sluice replay`: a spool directory sent again to a
 * sink of the config, through the daemon's own delivery (shipper/deliver.c)
 * over a spool reader named "replay".
 *
 * Threads: the main thread waits for signals (SIGINT, SIGTERM and SIGHUP are
 * blocked in every thread and taken with sigtimedwait, so a signal never
 * interrupts a send) and draws the progress; one delivery thread reads the
 * spool and sends. SIGHUP re-reads the sink's secrets (shipper/reload.h), as
 * for `sluice run`. The first SIGINT or SIGTERM cancels the reader: the requests in flight finish
 * (up to --stop-timeout), their records are confirmed and the cursor is
 * saved; a second signal gives up on them at once (they stay before the
 * cursor and are sent by the next run).
 *
 * Resume: cursor.replay lives in the spool directory like a sink's cursor; a
 * replay that finishes removes it, so the next replay starts over (and its
 * records come back as 409 duplicates: nothing is indexed twice). */
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
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
#include "shipper/cli.h"
#include "shipper/deliver.h"
#include "shipper/reload.h"
#include "sinks/sink.h"

#define READER      "replay"
#define TICK_MS     100
#define PLAIN_MS    5000        /* a progress line this often when stderr is not a terminal */

struct replay {
    const char *cfg_path, *path, *sink_name, *index, *level;
    int64_t from_ms, to_ms;
    int has_from, has_to, dry_run, restart;
    uint64_t stop_timeout_ms;

    struct sl_config *cfg;
    const char *dir;
    const struct cfg_sink *sink;
    const char *pattern;            /* the index pattern records get; NULL: the sink has none */
    uint64_t total, outside, damaged;
    int tty;
    uint64_t t0_ms, last_plain_ms;
};

static void usage_replay(FILE *f)
{
    fprintf(f,
        "usage: sluice replay [-c FILE] [--path DIR] [--sink NAME] [--index PATTERN]\n"
        "                     [--from T] [--to T] [--dry-run] [--restart]\n"
        "Sends the records of a spool directory to a sink of the config again: the\n"
        "buffer.path of a stopped sluice (a running one holds the spool: replay a\n"
        "copy), or a copy given with --path. Each record keeps the ID it got when it\n"
        "was received, so what the index already holds is answered 409 and counted\n"
        "as a duplicate, never stored twice (except in a data stream after a\n"
        "rollover: see docs/buffer.md).\n"
        "\n"
        "  -c, --config FILE    the config: its sinks, and buffer.path unless --path\n"
        "      --path DIR       the spool directory (wins over buffer.path)\n"
        "      --sink NAME      the sink to send to (default: the config's first)\n"
        "      --index PATTERN  index name or date pattern (logs-%%Y.%%m.%%d) instead of\n"
        "                       the sink's; dates come from each event's own time\n"
        "      --from T         only events at or after T (event time)\n"
        "      --to T           only events before T\n"
        "      --dry-run        count what would be sent; no sink, no lock, no change\n"
        "      --restart        ignore the cursor of an interrupted replay: start over\n"
        "      --stop-timeout D after SIGINT/SIGTERM, how long requests in flight may\n"
        "                       take (default 15s); a second signal stops at once\n"
        "  -v, --log-level L    error | warn (default) | info | debug\n"
        "T: 2026-11-23, 2026-11-23T10:00:00Z, 2026-11-23T10:00:00.5+02:00 (UTC without offset)\n"
        "\n"
        "SIGHUP reads the sink's secrets (${file:}) again: a replay stopped on refused\n"
        "credentials goes on with the new ones.\n"
        "An interrupted replay (SIGINT, SIGTERM) saves its position in the spool's\n"
        "cursor.replay and the next replay resumes from it; one that finishes removes\n"
        "it. Progress: a bar on a terminal, a line every 5 s otherwise; a summary at\n"
        "the end (sent, created, duplicates, rejected, outside the time range,\n"
        "damaged regions skipped, elapsed, rate).\n"
        "\n"
        "exit status: 0 every record sent was confirmed (created or already there);\n"
        "1 records were rejected or left unresolved, or the spool cannot be opened\n"
        "(in use, unreadable); 2 usage or config error; 3 interrupted: the cursor is\n"
        "saved, run again to resume\n");
}

static int in_range(const struct replay *p, int64_t t)
{
    return (!p->has_from || t >= p->from_ms) && (!p->has_to || t < p->to_ms);
}

/* One pass over the spool: records from start_seq on, inside and outside the
 * time range (the progress bar's total, the summary's outside count). */
static int count_pass(struct replay *p, uint64_t start_seq)
{
    struct spool_iter *it = NULL;
    struct sl_err err = { 0 };
    struct sl_rec r;
    int k;

    p->total = p->outside = 0;
    if (spool_iter_open(p->dir, &it, &err)) {
        fprintf(stderr, "sluice replay: %s at %s\n", err.msg, err.where);
        return -1;
    }
    while ((k = spool_iter_next(it, &r, &err)) == 1) {
        if (r.seq < start_seq)
            continue;
        if (in_range(p, r.time_ms))
            p->total++;
        else
            p->outside++;
    }
    p->damaged = spool_iter_skipped(it);
    spool_iter_free(it);
    if (k < 0) {
        fprintf(stderr, "sluice replay: %s at %s\n", err.msg, err.where);
        return -1;
    }
    return 0;
}

static const struct cfg_sink *pick_sink(const struct sl_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nsinks; i++)
        if (!name || !strcmp(cfg->sinks[i].name, name))
            return &cfg->sinks[i];
    return NULL;
}

static void print_target(const struct replay *p)
{
    if (!p->sink)
        return;
    printf("sluice replay: to sink %s (%s)", p->sink->name, p->sink->type->name);
    if (p->pattern)
        printf(", index %s%s", p->pattern, p->index ? " (--index)" : "");
    printf("\n");
    fflush(stdout);
    /* The one case the IDs cannot cover: a create into a data stream goes to
     * its current write index, which does not hold the IDs of events indexed
     * before a rollover. */
    if (p->pattern && !strchr(p->pattern, '%'))
        fprintf(stderr, "sluice replay: warning: index '%s' is not a date pattern. If it is a "
                "data stream (or an alias that rolls over), an event ID is unique only within "
                "one backing index: events indexed there before a rollover are indexed again "
                "(duplicates). A date pattern (%s-%%Y.%%m.%%d) sends each event to the index "
                "of its own date, where its ID already is.\n", p->pattern, p->pattern);
}

static void fmt_dur(char *buf, size_t n, uint64_t s)
{
    if (s >= 3600)
        snprintf(buf, n, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, n, "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
}

static void progress(struct replay *p, struct deliver *d, int final)
{
    const struct deliver_stats *ds = deliver_stats(d);
    uint64_t done = atomic_load(&ds->confirmed) + atomic_load(&ds->rejected);
    uint64_t now = sl_clock_mono_ms(), el = now - p->t0_ms;
    uint64_t total = p->total > done ? p->total : done;
    double rate = el ? (double)done * 1000.0 / (double)el : 0;
    unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
    char eta[32] = "-";

    if (rate > 0 && total > done)
        fmt_dur(eta, sizeof eta, (uint64_t)((double)(total - done) / rate + 0.5));
    else if (total <= done)
        snprintf(eta, sizeof eta, "0:00");
    if (p->tty) {
        char bar[31];
        size_t fill = total ? (size_t)(done * 30 / total) : 30;
        for (size_t i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[30] = '\0';
        fprintf(stderr, "\r[%s] %" PRIu64 "/%" PRIu64 " %3u%% %8.0f/s ETA %s\033[K%s", bar, done,
                total, pct, rate, eta, final ? "\n" : "");
        return;
    }
    if (!final && now - p->last_plain_ms < PLAIN_MS)
        return;
    p->last_plain_ms = now;
    if (!final)
        fprintf(stderr, "sluice replay: progress records=%" PRIu64 "/%" PRIu64 " (%u%%) "
                "rate=%.0f/s eta=%s\n", done, total, pct, rate, eta);
}

static int cursor_saved(const char *dir)
{
    char path[4096];

    snprintf(path, sizeof path, "%s/cursor.%s", dir, READER);
    return access(path, F_OK) == 0;
}

static int dry_run(struct replay *p)
{
    struct spool_report *rep = NULL;
    struct sl_err err = { 0 };
    uint64_t start_seq = 0;
    int resumed = 0;

    /* Lock-free: a dry run works on a live spool too. */
    if (spool_inspect(p->dir, &rep, &err)) {
        fprintf(stderr, "sluice replay: %s at %s\n", err.msg, err.where);
        return 1;
    }
    for (size_t i = 0; i < rep->ncursors && !p->restart; i++) {
        if (!strcmp(rep->cursors[i].name, READER) && !rep->cursors[i].unreadable) {
            start_seq = rep->cursors[i].seq;
            resumed = 1;
        }
    }
    int holder = rep->locked_by_pid;
    spool_report_free(rep);
    if (count_pass(p, start_seq))
        return 1;
    printf("sluice replay: dry run: spool %s\n", p->dir);
    print_target(p);
    if (resumed)
        printf("sluice replay: an interrupted replay's cursor is there: a replay resumes from "
               "it (--restart starts over)\n");
    printf("sluice replay: dry run: would send records=%" PRIu64 " outside_time=%" PRIu64
           " damaged_skipped=%" PRIu64 "\n", p->total, p->outside, p->damaged);
    if (holder)
        printf("sluice replay: note: a running sluice (pid %d) holds this spool: a replay needs "
               "it stopped, or a copy (cp -a)\n", holder);
    return 0;
}

static int run_replay(struct replay *p)
{
    struct spool_opts so = { 0 };
    struct spool_recovery rec;
    struct spool *sp = NULL;
    struct spool_reader *rd = NULL;
    struct deliver *d = NULL;
    struct sl_err err = { 0 };
    sigset_t sigs, old;
    int fresh = 1, rc = 1, signals = 0, holder;
    uint64_t bl_rec = 0, bl_bytes = 0, unresolved = 0, deadline = 0;
    uint64_t damaged0;

    holder = spool_lock_holder(p->dir);
    if (holder) {
        fprintf(stderr, "sluice replay: %s is in use by a running sluice (pid %s%d): a replay "
                "reads a spool alone. Stop that sluice first (its records wait on disk), or "
                "replay a copy: cp -a %s COPY && sluice replay --path COPY ...\n", p->dir,
                holder < 0 ? "unknown, " : "", holder < 0 ? 0 : holder, p->dir);
        return 1;
    }
    so.path = p->dir;
    so.read_only = 1;
    if (spool_open(&sp, &so, &rec, &err)) {
        fprintf(stderr, "sluice replay: %s at %s\n", err.msg, err.where);
        return 1;
    }
    printf("sluice replay: spool %s: segments=%" PRIu64 " records=%" PRIu64 "\n", p->dir,
           rec.segments, rec.records);
    if (rec.torn_bytes || rec.corrupt_regions || rec.kept_aside)
        printf("sluice replay: the spool has damage (torn_bytes=%" PRIu64 " damaged_regions=%"
               PRIu64 " bad_segments=%" PRIu64 "): damaged records are skipped; nothing is "
               "changed on disk (see `sluice buffer check`)\n", rec.torn_bytes,
               rec.corrupt_regions, rec.kept_aside);
    int64_t from = p->has_from ? p->from_ms : INT64_MIN, to = p->has_to ? p->to_ms : INT64_MAX;
    if (!p->has_from && !p->has_to)
        from = to = 0;      /* no filter */
    if (spool_reader_open(sp, READER, from, to, &rd, &fresh, &err))
        goto fail_err;
    if (!fresh && p->restart) {
        if (spool_reader_close(rd, 1, &err)) {
            rd = NULL;
            goto fail_err;
        }
        rd = NULL;
        if (spool_reader_open(sp, READER, from, to, &rd, &fresh, &err))
            goto fail_err;
        printf("sluice replay: --restart: the interrupted replay's cursor is removed; starting "
               "from the oldest record\n");
    }
    spool_reader_backlog(rd, &bl_rec, &bl_bytes);
    uint64_t start_seq = rec.next_seq > bl_rec ? rec.next_seq - bl_rec : 0;
    if (p->has_from || p->has_to) {
        if (count_pass(p, start_seq))
            goto out;
    } else {
        p->total = bl_rec;
    }
    if (!fresh)
        printf("sluice replay: resuming the interrupted replay from %s/cursor.%s: records=%"
               PRIu64 " left (--restart starts over)\n", p->dir, READER, p->total);
    print_target(p);
    printf("sluice replay: sending records=%" PRIu64, p->total);
    if (p->has_from || p->has_to)
        printf(" (outside --from/--to: %" PRIu64 ")", p->outside);
    printf("\n");
    fflush(stdout);

    /* Blocked here, before the delivery thread exists, so it and the
     * threads libcurl starts inherit the mask: only sigtimedwait below
     * takes these signals. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    damaged0 = atomic_load(&spool_stats(sp)->corrupt_records);
    struct deliver_src src = deliver_src_spool(rd);
    p->t0_ms = p->last_plain_ms = sl_clock_mono_ms();
    if (deliver_start(&d, p->sink->type, p->sink->conf, p->sink->name, &src, p->index, &err)) {
        fprintf(stderr, "sluice replay: sink %s (%s) cannot start: %s%s%s\n", p->sink->name,
                p->sink->type->name, err.msg, err.where[0] ? " at " : "", err.where);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        goto out;
    }
    for (;;) {
        struct timespec ts = { 0, TICK_MS * 1000000L };
        int sig = sigtimedwait(&sigs, NULL, &ts);
        if (sig == SIGHUP) {
            /* New credentials for a sink stopped on refused ones (as sluice run). */
            struct deliver *one[1] = { d };
            reload_secrets(p->cfg_path, p->sink, one, 1);
        } else if (sig > 0) {
            signals++;
            if (signals == 1) {
                spool_reader_cancel(rd);
                deadline = sl_clock_mono_ms() + p->stop_timeout_ms;
                if (p->tty)
                    fprintf(stderr, "\n");
                fprintf(stderr, "sluice replay: %s: finishing the requests in flight, then "
                        "saving the cursor (again to stop now)\n",
                        sig == SIGINT ? "SIGINT" : "SIGTERM");
            } else {
                break;
            }
        }
        if (deliver_finished(d))
            break;
        if (signals && sl_clock_mono_ms() >= deadline)
            break;
        progress(p, d, 0);
    }
    /* deliver_finished: at once. Otherwise gives up on what is left: it
     * stays before the cursor. */
    unresolved = deliver_stop(d, 0);
    progress(p, d, 1);
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    const struct deliver_stats *ds = deliver_stats(d);
    const struct sink_stats *ss = deliver_sink_stats(d);
    uint64_t confirmed = atomic_load(&ds->confirmed), rejected = atomic_load(&ds->rejected);
    uint64_t dups = atomic_load(&ss->duplicates);
    uint64_t el = sl_clock_mono_ms() - p->t0_ms, done = confirmed + rejected;
    uint64_t damaged = atomic_load(&spool_stats(sp)->corrupt_records) - damaged0;
    int complete = !signals && !unresolved;

    /* A replay that went to the end is over: the next one starts over. */
    struct sl_err cerr = { 0 };
    if (spool_reader_close(rd, complete, &cerr))
        fprintf(stderr, "sluice replay: %s at %s\n", cerr.msg, cerr.where);
    rd = NULL;
    printf("sluice replay: %s: sent=%" PRIu64 " created=%" PRIu64 " duplicates=%" PRIu64
           " rejected=%" PRIu64 " unresolved=%" PRIu64 " outside_time=%" PRIu64
           " damaged_skipped=%" PRIu64 " elapsed=%.1fs rate=%.0f/s\n",
           complete ? "finished" : "interrupted", done + unresolved,
           confirmed > dups ? confirmed - dups : 0, dups, rejected, unresolved, p->outside,
           damaged, (double)el / 1000.0, el ? (double)done * 1000.0 / (double)el : 0.0);
    if (dups)
        printf("sluice replay: duplicates=%" PRIu64 " were already in the index (409 to a "
               "create with the same ID): not stored again\n", dups);
    if (atomic_load(&ss->failure_stored))
        printf("sluice replay: failure_stored=%" PRIu64 " (counted in created) were kept in "
               "the data stream's failure store, not in the stream itself\n",
               (uint64_t)atomic_load(&ss->failure_stored));
    if (rejected)
        printf("sluice replay: rejected=%" PRIu64 ": the index refused them as they are "
               "(mapping, bad value): see the log lines above\n", rejected);
    if (complete) {
        rc = rejected ? 1 : 0;
    } else if (!cursor_saved(p->dir)) {
        printf("sluice replay: interrupted before a whole read of the spool was confirmed: "
               "nothing to resume from, the next replay starts from the beginning (what was "
               "indexed comes back as duplicates)\n");
        rc = 3;
    } else {
        printf("sluice replay: interrupted: the position is saved in %s/cursor.%s; run the "
               "same command again to resume (records left: %" PRIu64 "), or add --restart "
               "to start over\n", p->dir, READER, p->total > done ? p->total - done : 0);
        rc = 3;
    }
    goto out;
fail_err:
    fprintf(stderr, "sluice replay: %s at %s\n", err.msg, err.where);
    rc = 1;
out:
    deliver_free(d);
    if (rd)
        spool_reader_close(rd, 0, &err);
    spool_close(sp);
    return rc;
}

int cmd_replay(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "path", required_argument, NULL, 'p' },
        { "sink", required_argument, NULL, 's' },
        { "index", required_argument, NULL, 'i' },
        { "from", required_argument, NULL, 'f' },
        { "to", required_argument, NULL, 't' },
        { "dry-run", no_argument, NULL, 'n' },
        { "restart", no_argument, NULL, 'r' },
        { "stop-timeout", required_argument, NULL, 'T' },
        { "log-level", required_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct replay p = { 0 };
    int c, rc;

    p.stop_timeout_ms = 15000;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:v:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': p.cfg_path = optarg; break;
        case 'p': p.path = optarg; break;
        case 's': p.sink_name = optarg; break;
        case 'i': p.index = optarg; break;
        case 'n': p.dry_run = 1; break;
        case 'r': p.restart = 1; break;
        case 'v': p.level = optarg; break;
        case 'f':
        case 't':
            if (cli_parse_time(optarg, c == 'f' ? &p.from_ms : &p.to_ms)) {
                fprintf(stderr, "sluice replay: --%s: expected a time like 2026-11-23T10:00:00Z, "
                        "got '%s'\n", c == 'f' ? "from" : "to", optarg);
                return 2;
            }
            *(c == 'f' ? &p.has_from : &p.has_to) = 1;
            break;
        case 'T':
            if (sl_parse_duration_ms(optarg, &p.stop_timeout_ms)) {
                fprintf(stderr, "sluice replay: --stop-timeout: expected a duration like 15s\n");
                return 2;
            }
            break;
        case 'h': usage_replay(stdout); return 0;
        default: usage_replay(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sluice replay: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (p.has_from && p.has_to && p.from_ms >= p.to_ms) {
        fprintf(stderr, "sluice replay: --from must be before --to\n");
        return 2;
    }
    if (p.index && !p.index[0]) {
        fprintf(stderr, "sluice replay: --index: empty name\n");
        return 2;
    }
    sl_log_set_level(SL_LOG_WARN);
    if (p.level) {
        int lv = sl_log_parse_level(p.level);
        if (lv < 0) {
            fprintf(stderr, "sluice replay: --log-level: expected error, warn, info or debug\n");
            return 2;
        }
        sl_log_set_level(lv);
    }
    if (!p.cfg_path && !p.dry_run) {
        fprintf(stderr, "sluice replay: name the config whose sink receives the records: "
                "-c FILE (--dry-run needs none)\n");
        return 2;
    }
    rc = cli_spool_dir("sluice replay", p.cfg_path, p.path, &p.cfg, &p.dir);
    if (rc)
        goto out;
    if (p.cfg) {
        p.sink = pick_sink(p.cfg, p.sink_name);
        if (!p.sink) {
            if (p.sink_name) {
                fprintf(stderr, "sluice replay: %s has no sink named '%s'; its sinks:",
                        p.cfg_path, p.sink_name);
                for (size_t i = 0; i < p.cfg->nsinks; i++)
                    fprintf(stderr, " %s", p.cfg->sinks[i].name);
                fprintf(stderr, "\n");
            } else {
                fprintf(stderr, "sluice replay: %s has no sink\n", p.cfg_path);
            }
            rc = 2;
            goto out;
        }
        const char *own = p.sink->type->index ? p.sink->type->index(p.sink->conf) : NULL;
        if (p.index && !own) {
            fprintf(stderr, "sluice replay: --index: sink %s (%s) writes no index\n",
                    p.sink->name, p.sink->type->name);
            rc = 2;
            goto out;
        }
        p.pattern = p.index ? p.index : own;
    }
    p.tty = isatty(STDERR_FILENO);
    signal(SIGPIPE, SIG_IGN);
    rc = p.dry_run ? dry_run(&p) : run_replay(&p);
out:
    config_free(p.cfg);
    return rc;
}
