/* bench/c/spoolbench.c: append throughput of sluice's spool (buffer/spool.c)
 * for each fsync policy, read against the disk's own ceilings measured in
 * the same run, in the same directory, with the same write sizes.
 *
 * Design: the documents are built once before any clock starts: 512 JSON
 * documents shaped like sluice's (ECS names, 400-600 bytes, messages of the
 * kinds the bench corpus has: sshd, nginx, UFW, cron, postfix, sudo,
 * systemd). The main thread plays the pipeline: it packs records (a fresh
 * event ID each, the documents taken in turn) into batches of --batch bytes
 * and pushes them into a bounded queue (--queue, the daemon's
 * queue.max_bytes), blocking while it is full, exactly as shipper/ does; the
 * spool's own writer thread (spool_writer_start) pops, appends and syncs by
 * the policy. The clock runs from the first record built to the return of
 * spool_writer_stop, which drains the queue and syncs (except under
 * `never`): everything counted is on disk under the policy. No reader is
 * open, so nothing is deleted during a run; the directory is emptied after.
 *
 * Ceilings, the same bytes written to one file in the same directory:
 *   large      1 MiB write()s and one fdatasync at the end (bench/run's disk
 *              ceiling): the most the disk takes, and what `1s`, `100ms`
 *              and `never` are read against;
 *   sync-each  write()s of the batch size with an fdatasync after each: the
 *              naive way to make every batch durable, what `always` would
 *              cost without the writer's group commit.
 * The disk of a VM varies a lot from one write to the next (the host's
 * cache), so every run starts with one unmeasured large write, does large,
 * then every policy (the order flips from run to run), then sync-each, and
 * the figures are medians over --runs. sync(2) runs before every step so no
 * step pays for an earlier one's dirty pages.
 *
 * Output: a table on stderr, one JSON object on stdout (every step of every
 * run, and the medians). Exit 0, or 1 on a usage or I/O error. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buffer/spool.h"
#include "common/hash.h"
#include "common/queue.h"
#include "common/rec.h"

#define NDOCS       512
#define MAX_POLICY  8
#define MAX_RUNS    16
#define BATCH_CEIL  (32u * 1024u * 1024u)       /* shipper/pipeline.c's BATCH_MAX */

struct policy {
    char name[16];
    enum spool_fsync fsync;
    uint32_t ms;
};

/* One measured step. */
struct step {
    double secs, mb_s, ev_s;
    uint64_t events, bytes, writes, syncs;
    double cpu_writer_s, cpu_producer_s;
};

static const char *dir;
static uint64_t count = 2000000;
static double seconds;
static size_t batch_bytes = 256 * 1024;
static uint64_t queue_bytes = 16ull << 20;
static uint64_t segment_bytes;
static int runs = 3, no_ceilings;
static struct policy pol[MAX_POLICY];
static int npol;

static char *docs;
static size_t doc_off[NDOCS], doc_len[NDOCS];
static uint64_t total_bytes;        /* of `count` records, headers included */

static struct step st_large[MAX_RUNS], st_each[MAX_RUNS], st_spool[MAX_POLICY][MAX_RUNS];

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what)
{
    fprintf(stderr, "spoolbench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);

    if (end == s)
        return -1;
    if (!strcasecmp(end, "k") || !strcasecmp(end, "KiB"))
        v <<= 10;
    else if (!strcasecmp(end, "m") || !strcasecmp(end, "MiB"))
        v <<= 20;
    else if (*end)
        return -1;
    *out = v;
    return 0;
}

static int parse_policies(const char *list)
{
    char buf[256], *save = NULL, *t;

    snprintf(buf, sizeof buf, "%s", list);
    npol = 0;
    for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        struct policy *p = &pol[npol];
        char *end;
        if (npol == MAX_POLICY)
            return -1;
        snprintf(p->name, sizeof p->name, "%s", t);
        if (!strcmp(t, "always")) {
            p->fsync = SPOOL_FSYNC_ALWAYS;
        } else if (!strcmp(t, "never")) {
            p->fsync = SPOOL_FSYNC_NEVER;
        } else {
            double v = strtod(t, &end);
            p->fsync = SPOOL_FSYNC_INTERVAL;
            if (!strcmp(end, "ms"))
                p->ms = (uint32_t)v;
            else if (!strcmp(end, "s"))
                p->ms = (uint32_t)(v * 1000);
            else
                return -1;
            if (!p->ms)
                return -1;
        }
        npol++;
    }
    return npol ? 0 : -1;
}

/* ---- the documents ---- */

static const char *hosts[] = { "web-01", "web-02", "web-03", "db-01", "mail-01", "bastion-1" };
static const char *users[] = { "deploy", "alice", "backup", "root", "jenkins", "mallory" };
static const char *paths[] = { "/api/v1/orders", "/api/v1/customers", "/static/app.js",
                               "/healthz", "/login", "/api/v2/search" };

/* One message (already JSON-escaped) and its syslog fields for document i. */
static void message(unsigned i, uint32_t r, char *m, size_t n, const char **prog, int *fac,
                    const char **facn, int *sev, const char **sevn, int *pid)
{
    const char *u = users[r % 6];

    *pid = 300 + (int)(r % 60000);
    *sev = 6;
    *sevn = "info";
    switch (i % 8) {
    case 0:
    case 1:
        *prog = "nginx";
        *fac = 23;
        *facn = "local7";
        snprintf(m, n, "10.%u.%u.%u - - [23/Nov/2026:11:12:%02u +0000] \\\"GET %s/%u?page=%u "
                 "HTTP/1.1\\\" %u %u \\\"https://shop.example.com/cart\\\" \\\"Mozilla/5.0 "
                 "(X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\\\"",
                 r % 250, (r >> 8) % 250, (r >> 16) % 250, r % 60, paths[(r >> 4) % 6],
                 r % 100000, r % 9, (r % 10) ? 200 : 404, 200 + r % 40000);
        break;
    case 2:
        *prog = "sshd";
        *fac = 4;
        *facn = "auth";
        snprintf(m, n, "Accepted publickey for %s from 10.20.%u.%u port %u ssh2: ED25519 "
                 "SHA256:%08x%08xQm9vYmFyYmF6cXV4", u, r % 250, (r >> 8) % 250,
                 1024 + r % 60000, r, r * 2654435761u);
        break;
    case 3:
        *prog = "kernel";
        *fac = 0;
        *facn = "kern";
        *sev = 4;
        *sevn = "warning";
        snprintf(m, n, "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:ab:cd:ef:08:00 "
                 "SRC=203.0.%u.%u DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=%u ID=%u DF "
                 "PROTO=TCP SPT=%u DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0",
                 r % 250, (r >> 8) % 250, 40 + r % 20, r % 65536, 1024 + r % 60000);
        break;
    case 4:
        *prog = "CRON";
        *fac = 9;
        *facn = "cron";
        snprintf(m, n, "(%s) CMD (/usr/local/bin/backup.sh --incremental --target "
                 "/srv/backup/%u >/dev/null 2>&1)", u, r % 1000);
        break;
    case 5:
        *prog = "postfix/smtp";
        *fac = 2;
        *facn = "mail";
        snprintf(m, n, "%08X%02X: to=<%s@example.org>, relay=mx%u.example.org[203.0.113.%u]:25, "
                 "delay=0.%u, delays=0.01/0/0.2/0.%u, dsn=2.0.0, status=sent (250 2.0.0 OK "
                 "queued as %08X)", r, r % 256, u, r % 4, r % 250, r % 99, r % 99, r * 7u);
        break;
    case 6:
        *prog = "sudo";
        *fac = 10;
        *facn = "authpriv";
        *sev = 5;
        *sevn = "notice";
        snprintf(m, n, "%s : TTY=pts/%u ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/systemctl "
                 "restart nginx.service", u, r % 8, u);
        break;
    default:
        *prog = "systemd";
        *fac = 3;
        *facn = "daemon";
        snprintf(m, n, "Started session-%u.scope - Session %u of User %s.", r % 100000,
                 r % 100000, u);
        break;
    }
}

static void build_docs(void)
{
    size_t cap = NDOCS * 1024, len = 0;
    uint32_t r = 12345;

    docs = malloc(cap);
    if (!docs)
        die("malloc");
    for (unsigned i = 0; i < NDOCS; i++) {
        char m[640];
        const char *prog, *facn, *sevn;
        int fac, sev, pid, k;

        r = r * 1103515245u + 12345u;
        message(i, r >> 3, m, sizeof m, &prog, &fac, &facn, &sev, &sevn, &pid);
        k = snprintf(docs + len, cap - len,
                     "{\"@timestamp\":\"2026-11-23T11:12:%02u.%06uZ\",\"message\":\"%s\","
                     "\"host\":{\"hostname\":\"%s\"},\"log\":{\"level\":\"%s\",\"syslog\":"
                     "{\"facility\":{\"code\":%d,\"name\":\"%s\"},\"severity\":{\"code\":%d,"
                     "\"name\":\"%s\"},\"priority\":%d}},\"process\":{\"name\":\"%s\",\"pid\":%d},"
                     "\"source\":{\"ip\":\"10.0.%u.%u\",\"port\":%u},\"network\":{\"transport\":"
                     "\"tcp\"},\"event\":{\"ingested\":\"2026-11-23T11:12:%02u.%06uZ\"}}",
                     i % 60, (r >> 5) % 1000000, m, hosts[i % 6], sevn, fac, facn, sev, sevn,
                     fac * 8 + sev, prog, pid, (r >> 7) % 250, (r >> 15) % 250, 1024 + r % 60000,
                     i % 60, (r >> 9) % 1000000);
        if (k < 0 || (size_t)k >= cap - len) {
            fprintf(stderr, "spoolbench: document %u does not fit\n", i);
            exit(1);
        }
        doc_off[i] = len;
        doc_len[i] = (size_t)k;
        len += (size_t)k;
    }
    total_bytes = 0;
    for (uint64_t i = 0; i < NDOCS; i++)
        total_bytes += (count / NDOCS + (i < count % NDOCS)) * (SL_REC_HDR + doc_len[i]);
}

/* ---- files ---- */

static void rm_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char p[4096];

    if (!d)
        return;
    while ((e = readdir(d))) {
        struct stat sb;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        if (!lstat(p, &sb) && S_ISDIR(sb.st_mode))
            rm_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(path);
}

/* ---- ceilings ---- */

/* Writes the run's bytes (or, with --seconds, for that long) to a new file
 * in blocks of `block`, syncing after every write (every=-1) or once `every`
 * ms passed since the last sync (every>0); end_sync adds one at the end. */
static void ceiling(struct step *out, size_t block, int every, int end_sync)
{
    char path[4096];
    char *buf = malloc(block);
    double t0, last, deadline;
    int fd;

    if (!buf)
        die("malloc");
    for (size_t i = 0; i < block; i++)
        buf[i] = docs[i % doc_off[NDOCS - 1]];
    snprintf(path, sizeof path, "%s/ceiling.tmp", dir);
    unlink(path);
    sync();
    memset(out, 0, sizeof *out);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        die(path);
    t0 = last = now_s();
    deadline = seconds > 0 ? t0 + seconds : 0;
    while (deadline ? now_s() < deadline : out->bytes < total_bytes) {
        size_t n = block;
        if (!deadline && total_bytes - out->bytes < n)
            n = (size_t)(total_bytes - out->bytes);
        ssize_t k = write(fd, buf, n);
        if (k <= 0)
            die("write");
        out->bytes += (uint64_t)k;
        out->writes++;
        if (every < 0 || (every > 0 && (now_s() - last) * 1000 >= every)) {
            if (fdatasync(fd))
                die("fdatasync");
            out->syncs++;
            last = now_s();
        }
    }
    if (end_sync) {
        if (fdatasync(fd))
            die("fdatasync");
        out->syncs++;
    }
    out->secs = now_s() - t0;
    close(fd);
    unlink(path);
    free(buf);
    out->mb_s = (double)out->bytes / out->secs / 1e6;
}

/* ---- the spool ---- */

static void spool_step(struct step *out, const struct policy *p)
{
    char path[4096];
    struct spool_opts o = { .compress = SPOOL_COMPRESS_NONE };  /* byte for byte: bench/README (s) */
    struct spool_recovery rec;
    struct spool *s = NULL;
    struct sl_queue *q = NULL;
    struct sl_recbatch *b;
    struct sl_idgen ids;
    struct sl_err err;
    const struct spool_stats *ss;
    double t0, c0, m0, deadline;
    uint64_t n = 0;
    int64_t t_ms = 1795000000000;

    snprintf(path, sizeof path, "%s/spool", dir);
    rm_tree(path);
    sync();
    memset(out, 0, sizeof *out);
    o.path = path;
    o.segment_size = segment_bytes;
    o.fsync = p->fsync;
    o.fsync_ms = p->ms;
    o.when_full = SPOOL_FULL_BLOCK;
    if (spool_open(&s, &o, &rec, &err)) {
        fprintf(stderr, "spoolbench: spool_open: %s at %s\n", err.msg, err.where);
        exit(1);
    }
    if (sl_queue_new(&q, queue_bytes) || spool_writer_start(s, q, &err)) {
        fprintf(stderr, "spoolbench: cannot start the writer: %s\n", err.msg);
        exit(1);
    }
    if (sl_idgen_init(&ids)) {
        fprintf(stderr, "spoolbench: cannot read random bytes for IDs\n");
        exit(1);
    }
    b = sl_recbatch_new(batch_bytes + 64 * 1024, BATCH_CEIL);
    c0 = cpu_s(RUSAGE_SELF);
    m0 = cpu_s(RUSAGE_THREAD);
    t0 = now_s();
    deadline = seconds > 0 ? t0 + seconds : 0;
    for (;;) {
        if (deadline ? (n % 256 == 0 && now_s() >= deadline) : n == count)
            break;
        char id[SL_ID_LEN + 1];
        unsigned d = (unsigned)(n % NDOCS);
        size_t mark;

        sl_idgen_next(&ids, id);
        mark = sl_recbatch_begin(b, id, "", 0, t_ms + (int64_t)(n / 1000));
        if (mark == (size_t)-1 || sl_buf_append(&b->data, docs + doc_off[d], doc_len[d])) {
            fprintf(stderr, "spoolbench: a batch refused a record\n");
            exit(1);
        }
        sl_recbatch_commit(b, mark);
        n++;
        if (b->data.len >= batch_bytes) {
            if (sl_queue_push(q, &b->node, b->data.len, 1)) {
                fprintf(stderr, "spoolbench: the queue closed\n");
                exit(1);
            }
            out->writes++;
            b = sl_recbatch_new(batch_bytes + 64 * 1024, BATCH_CEIL);
        }
    }
    if (b->count) {
        sl_queue_push(q, &b->node, b->data.len, 1);
        out->writes++;
    } else {
        sl_recbatch_free(b);
    }
    out->cpu_producer_s = cpu_s(RUSAGE_THREAD) - m0;
    spool_writer_stop(s);           /* drains the queue, syncs (not under never) */
    out->secs = now_s() - t0;
    out->cpu_writer_s = cpu_s(RUSAGE_SELF) - c0 - out->cpu_producer_s;
    ss = spool_stats(s);
    out->events = atomic_load(&ss->appended);
    out->bytes = atomic_load(&ss->appended_bytes);
    out->syncs = atomic_load(&ss->fsyncs);
    if (out->events != n || (p->fsync != SPOOL_FSYNC_NEVER && atomic_load(&ss->durable) != n)) {
        fprintf(stderr, "spoolbench: %s: appended %" PRIu64 ", durable %" PRIu64 " of %" PRIu64
                "\n", p->name, out->events, (uint64_t)atomic_load(&ss->durable), n);
        exit(1);
    }
    spool_close(s);
    sl_queue_free(q);
    rm_tree(path);
    out->mb_s = (double)out->bytes / out->secs / 1e6;
    out->ev_s = (double)out->events / out->secs;
}

/* ---- report ---- */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median, min and max of one field over the runs. */
static void mmm(const struct step *s, size_t field, double out[3])
{
    double v[MAX_RUNS];

    for (int i = 0; i < runs; i++)
        v[i] = *(const double *)((const char *)&s[i] + field);
    qsort(v, (size_t)runs, sizeof *v, cmp_d);
    out[0] = runs % 2 ? v[runs / 2] : (v[runs / 2 - 1] + v[runs / 2]) / 2;
    out[1] = v[0];
    out[2] = v[runs - 1];
}

static void json_steps(const char *name, const struct step *s)
{
    printf("\"%s\":[", name);
    for (int i = 0; i < runs; i++)
        printf("%s{\"secs\":%.4f,\"mb_per_s\":%.2f,\"events_per_s\":%.0f,\"events\":%" PRIu64
               ",\"bytes\":%" PRIu64 ",\"writes\":%" PRIu64 ",\"syncs\":%" PRIu64
               ",\"cpu_writer_s\":%.3f,\"cpu_producer_s\":%.3f}", i ? "," : "", s[i].secs,
               s[i].mb_s, s[i].ev_s, s[i].events, s[i].bytes, s[i].writes, s[i].syncs,
               s[i].cpu_writer_s, s[i].cpu_producer_s);
    printf("]");
}

static void report(double doc_avg)
{
    double lg[3] = { 0 }, ea[3] = { 0 }, sp[3], ev[3], w[3], pr[3];

    if (!no_ceilings) {
        mmm(st_large, offsetof(struct step, mb_s), lg);
        mmm(st_each, offsetof(struct step, mb_s), ea);
    }
    if (seconds > 0)
        fprintf(stderr, "\nspool appends: every step runs %.0f s", seconds);
    else
        fprintf(stderr, "\nspool appends: every step writes %" PRIu64 " records, %" PRIu64
                " bytes", count, total_bytes);
    fprintf(stderr, " (records of %.0f B on average: a document of %.0f B and a %u B header), "
            "batches of %zu B, queue %" PRIu64 " B, %d run(s); median (min-max)\n",
            doc_avg + SL_REC_HDR, doc_avg, SL_REC_HDR, batch_bytes, queue_bytes, runs);
    if (!no_ceilings) {
        fprintf(stderr, "ceiling large: 1 MiB writes + one fdatasync:        %5.0f MB/s (%.0f-%.0f)\n",
                lg[0], lg[1], lg[2]);
        fprintf(stderr, "ceiling sync-each: %zu B writes + fdatasync each: %5.0f MB/s (%.0f-%.0f)\n",
                batch_bytes, ea[0], ea[1], ea[2]);
    }
    fprintf(stderr, "%-7s %-28s %-20s %-9s %-12s %-9s %s\n", "fsync", "spool events/s",
            "spool MB/s", "of large", "of sync-each", "syncs", "writer CPU us/event");
    for (int k = 0; k < npol; k++) {
        char e[64], m[64], r1[16] = "-", r2[16] = "-";
        mmm(st_spool[k], offsetof(struct step, ev_s), ev);
        mmm(st_spool[k], offsetof(struct step, mb_s), sp);
        mmm(st_spool[k], offsetof(struct step, cpu_writer_s), w);
        snprintf(e, sizeof e, "%.0f (%.0f-%.0f)", ev[0], ev[1], ev[2]);
        snprintf(m, sizeof m, "%.0f (%.0f-%.0f)", sp[0], sp[1], sp[2]);
        if (!no_ceilings) {
            snprintf(r1, sizeof r1, "%.0f %%", 100 * sp[0] / lg[0]);
            if (pol[k].fsync == SPOOL_FSYNC_ALWAYS)
                snprintf(r2, sizeof r2, "%.1fx", sp[0] / ea[0]);
        }
        fprintf(stderr, "%-7s %-28s %-20s %-9s %-12s %-9" PRIu64 " %.3f\n", pol[k].name, e, m, r1,
                r2, st_spool[k][0].syncs, w[0] * 1e6 / (double)st_spool[k][0].events);
    }

    printf("{\"dir\":\"%s\",\"count\":%" PRIu64 ",\"seconds\":%g,\"bytes_per_step\":%" PRIu64
           ",\"doc_avg\":%.1f,\"rec_avg\":%.1f,\"batch_bytes\":%zu,\"queue_bytes\":%" PRIu64
           ",\"segment_bytes\":%" PRIu64 ",\"runs\":%d,", dir, count, seconds, total_bytes,
           doc_avg, doc_avg + SL_REC_HDR, batch_bytes, queue_bytes,
           segment_bytes ? segment_bytes : (uint64_t)SPOOL_SEGMENT_DEFAULT, runs);
    if (!no_ceilings) {
        json_steps("large", st_large);
        printf(",\"large_mb_per_s\":[%.2f,%.2f,%.2f],", lg[0], lg[1], lg[2]);
        json_steps("sync_each", st_each);
        printf(",\"sync_each_mb_per_s\":[%.2f,%.2f,%.2f],", ea[0], ea[1], ea[2]);
    }
    printf("\"policies\":[");
    for (int k = 0; k < npol; k++) {
        mmm(st_spool[k], offsetof(struct step, ev_s), ev);
        mmm(st_spool[k], offsetof(struct step, mb_s), sp);
        mmm(st_spool[k], offsetof(struct step, cpu_writer_s), w);
        mmm(st_spool[k], offsetof(struct step, cpu_producer_s), pr);
        printf("%s{\"policy\":\"%s\",\"events_per_s\":[%.0f,%.0f,%.0f],\"mb_per_s\":[%.2f,%.2f,"
               "%.2f],\"cpu_writer_s\":%.3f,\"cpu_producer_s\":%.3f,", k ? "," : "", pol[k].name,
               ev[0], ev[1], ev[2], sp[0], sp[1], sp[2], w[0], pr[0]);
        if (!no_ceilings)
            printf("\"ratio_large\":%.3f,\"ratio_sync_each\":%.3f,", sp[0] / lg[0], sp[0] / ea[0]);
        json_steps("spool", st_spool[k]);
        printf("}");
    }
    printf("]}\n");
}

static void usage(void)
{
    fprintf(stderr,
            "usage: spoolbench --dir DIR [--count N | --seconds S] [--batch BYTES] [--queue BYTES]\n"
            "                  [--segment BYTES] [--policies always,100ms,1s,never] [--runs R]\n"
            "                  [--no-ceilings]\n"
            "DIR must be on the disk to measure; spoolbench creates DIR/spool and\n"
            "DIR/ceiling.tmp and removes them.\n");
    exit(1);
}

int main(int argc, char **argv)
{
    double doc_avg = 0;

    parse_policies("always,100ms,1s,never");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t x;
        if (!strcmp(a, "--no-ceilings")) {
            no_ceilings = 1;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--dir"))
            dir = v;
        else if (!strcmp(a, "--count"))
            count = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--seconds"))
            seconds = atof(v);
        else if (!strcmp(a, "--batch") && !parse_size(v, &x) && x >= 1024 && x <= (16u << 20))
            batch_bytes = (size_t)x;
        else if (!strcmp(a, "--queue") && !parse_size(v, &x) && x >= (1u << 20))
            queue_bytes = x;
        else if (!strcmp(a, "--segment") && !parse_size(v, &x) && x >= SPOOL_SEGMENT_MIN)
            segment_bytes = x;
        else if (!strcmp(a, "--policies") && !parse_policies(v))
            ;
        else if (!strcmp(a, "--runs") && atoi(v) >= 1 && atoi(v) <= MAX_RUNS)
            runs = atoi(v);
        else
            usage();
    }
    if (!dir || !count)
        usage();
    if (mkdir(dir, 0750) && errno != EEXIST)
        die(dir);
    build_docs();
    for (int i = 0; i < NDOCS; i++)
        doc_avg += (double)doc_len[i] / NDOCS;
    if (!no_ceilings) {
        struct step warm;
        ceiling(&warm, 1u << 20, 0, 1);
        fprintf(stderr, "  warm-up (not counted): %.0f MB/s\n", warm.mb_s);
    }
    for (int r = 0; r < runs; r++) {
        if (!no_ceilings) {
            ceiling(&st_large[r], 1u << 20, 0, 1);
            fprintf(stderr, "  run %d large:     %4.0f MB/s\n", r + 1, st_large[r].mb_s);
        }
        for (int j = 0; j < npol; j++) {
            int k = r % 2 ? npol - 1 - j : j;
            struct step *x = &st_spool[k][r];
            spool_step(x, &pol[k]);
            fprintf(stderr, "  run %d %-6s     %4.0f MB/s, %.0f events/s (%" PRIu64 " syncs, "
                    "writer %.2f s CPU)\n", r + 1, pol[k].name, x->mb_s, x->ev_s, x->syncs,
                    x->cpu_writer_s);
        }
        if (!no_ceilings) {
            ceiling(&st_each[r], batch_bytes, -1, 0);
            fprintf(stderr, "  run %d sync-each: %4.0f MB/s (%" PRIu64 " syncs)\n", r + 1,
                    st_each[r].mb_s, st_each[r].syncs);
        }
    }
    rmdir(dir);                     /* only when spoolbench made it and left it empty */
    report(doc_avg);
    return 0;
}
