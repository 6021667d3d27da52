/* sinks/ndjson.c: the NDJSON file sink.
 *
 * Design: every record's document goes to the file as one line, "doc\n",
 * appended (O_APPEND); the id and index are not written. One send is one
 * writev of the whole batch (IOV_MAX lines at a time), not one call per
 * record. A send either leaves all its lines in the file or none: when a
 * write fails half way, a regular file is cut back to the size it had
 * before, so a retry neither duplicates lines nor follows a torn one. (Other
 * writers appending to the same file at the same time would defeat that; a
 * sink owns its file.) flush() fsyncs when `fsync` is set; otherwise lines
 * are as durable as the page cache makes them.
 *
 * Threads: one delivery thread owns an instance (sinks/sink.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/mem.h"
#include "sinks/ndjson.h"

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif
/* Lines per writev: two iovecs (doc, "\n") per line. */
#define NDJSON_LINES_PER_WRITE (IOV_MAX / 2)

#define OFF(f) offsetof(struct ndjson_conf, f)

static const struct sl_cfg_row batch_rows[] = {
    { "max_docs", SL_CFG_UINT, "10000", 1, 1000000, OFF(max_docs),
      "records written in one go", NULL, NULL, 0 },
    { "max_bytes", SL_CFG_SIZE, "4MiB", 1024, 1024ull * 1024 * 1024, OFF(max_bytes),
      "documents' bytes written in one go", NULL, NULL, 0 },
    { "max_wait", SL_CFG_DURATION, "200ms", 1, 60000, OFF(max_wait_ms),
      "a partial batch is written after this long", NULL, NULL, 0 },
    SL_CFG_END
};

const struct sl_cfg_row ndjson_rows[] = {
    { "path", SL_CFG_STR, NULL, 0, 0, OFF(path),
      "file the documents are appended to, one per line; - is standard output", NULL, NULL, 1 },
    { "fsync", SL_CFG_BOOL, "false", 0, 0, OFF(fsync),
      "fsync the file at every flush (a record is confirmed only once it is on disk)",
      NULL, NULL, 0 },
    { "batch", SL_CFG_SECTION, NULL, 0, 0, 0,
      "how records are grouped into one write", NULL, batch_rows, 0 },
    SL_CFG_END
};

struct ndjson_sink {
    const struct ndjson_conf *conf;
    struct sink_stats *stats;
    int fd;
    int own_fd;                 /* 0 for standard output: never closed */
    struct iovec iov[NDJSON_LINES_PER_WRITE * 2];
};

static int ndjson_validate(const void *confp, struct sl_err *err)
{
    const struct ndjson_conf *c = confp;

    if (!c->path || !c->path[0])
        return sl_err_set(err, SL_ECONFIG, "sink", "path: give a file name, or - for standard output");
    return 0;
}

static void ndjson_batch(const void *confp, struct sink_batch *out)
{
    const struct ndjson_conf *c = confp;

    out->max_docs = c->max_docs;
    out->max_bytes = c->max_bytes;
    out->max_wait_ms = c->max_wait_ms;
    out->retry_initial_ms = 0;
    out->retry_max_ms = 0;
}

static void ndjson_close(void *state)
{
    struct ndjson_sink *s = state;

    if (!s)
        return;
    if (s->own_fd && s->fd >= 0)
        close(s->fd);
    sl_free(s);
}

static int ndjson_open(void **state, const void *confp, const char *name,
                       struct sink_stats *stats, struct sl_err *err)
{
    const struct ndjson_conf *c = confp;
    struct ndjson_sink *s = sl_calloc(1, sizeof *s);
    int rc = 0;

    s->conf = c;
    s->stats = stats;
    if (strcmp(c->path, "-") == 0) {
        s->fd = STDOUT_FILENO;
    } else {
        s->fd = open(c->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (s->fd < 0) {
            rc = sl_err_set(err, SL_EIO, c->path, "cannot open %s for appending: %s",
                            c->path, strerror(errno));
            goto fail;
        }
        s->own_fd = 1;
    }
    *state = s;
    s = NULL;
fail:
    ndjson_close(s);
    return rc;
}

/* Writes iov[0..cnt) completely, resuming after short writes. */
static int write_all(int fd, struct iovec *iov, int cnt)
{
    ssize_t w;

    for (;;) {
        while (cnt > 0 && iov->iov_len == 0) {
            iov++;
            cnt--;
        }
        if (cnt == 0)
            return 0;
        w = writev(fd, iov, cnt);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;    /* no progress: do not spin */
            return -1;
        }
        while (cnt > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
}

static int ndjson_send(void *state, const struct sl_rec *recs, size_t n,
                       enum sink_verdict *out, struct sl_err *err)
{
    struct ndjson_sink *s = state;
    struct stat st;
    off_t before = -1;
    uint64_t t0 = sl_clock_mono_ns(), bytes = 0;
    size_t i = 0;
    int cnt, e;

    if (n == 0)
        return 0;
    atomic_fetch_add(&s->stats->sent, n);
    if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode))
        before = st.st_size;
    while (i < n) {
        cnt = 0;
        for (; i < n && cnt < NDJSON_LINES_PER_WRITE * 2; i++) {
            s->iov[cnt].iov_base = (void *)(uintptr_t)recs[i].doc;
            s->iov[cnt++].iov_len = recs[i].doc_len;
            s->iov[cnt].iov_base = (void *)"\n";
            s->iov[cnt++].iov_len = 1;
            bytes += recs[i].doc_len + 1;
        }
        if (write_all(s->fd, s->iov, cnt))
            goto fail;
    }
    for (i = 0; i < n; i++)
        out[i] = SINK_DONE;
    atomic_fetch_add(&s->stats->confirmed, n);
    sink_stats_request(s->stats, bytes, (sl_clock_mono_ns() - t0) / 1000u);
    return 0;
fail:
    e = errno;
    if (before >= 0 && ftruncate(s->fd, before) != 0) {
        /* The torn line stays; the error below still sends every record again. */
    }
    for (i = 0; i < n; i++)
        out[i] = SINK_RETRY;
    atomic_fetch_add(&s->stats->retried, n);
    atomic_fetch_add(&s->stats->failed_requests, 1);
    sink_stats_request(s->stats, 0, (sl_clock_mono_ns() - t0) / 1000u);
    return sl_err_set(err, SL_EIO, s->conf->path, "cannot write to %s: %s", s->conf->path,
                      strerror(e));
}

static int ndjson_flush(void *state, struct sl_err *err)
{
    struct ndjson_sink *s = state;

    if (!s->conf->fsync)
        return 0;
    /* A pipe or terminal on standard output cannot be synced; nothing is lost by that. */
    if (fsync(s->fd) != 0 && errno != EINVAL && errno != EROFS)
        return sl_err_set(err, SL_EIO, s->conf->path, "cannot fsync %s: %s", s->conf->path,
                          strerror(errno));
    return 0;
}

const struct sink_type sink_ndjson = {
    .name = "ndjson",
    .rows = ndjson_rows,
    .conf_size = sizeof(struct ndjson_conf),
    .validate = ndjson_validate,
    .batch = ndjson_batch,
    .index = NULL,
    .open = ndjson_open,
    .send = ndjson_send,
    .flush = ndjson_flush,
    .close = ndjson_close,
};
