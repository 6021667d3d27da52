#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/mem.h"
#include "sinks/dlq.h"

struct dlq {
    char *path;
    char *sink;
    int fd;
    int dirty;
    struct sl_buf line;
};

int dlq_open(struct dlq **out, const char *path, const char *sink, struct sl_err *err)
{
    struct dlq *d;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

    if (fd < 0)
        return sl_err_set(err, SL_EIO, path, "cannot open the dead-letter file: %s",
                          strerror(errno));
    d = sl_calloc(1, sizeof *d);
    d->fd = fd;
    d->path = sl_strdup(path);
    d->sink = sl_strdup(sink ? sink : "");
    sl_buf_init(&d->line, 4096, SL_DOC_MAX(SL_MAX_MSG_LIMIT) + 64u * 1024u);
    *out = d;
    return 0;
}

void dlq_close(struct dlq *d)
{
    if (!d)
        return;
    if (d->dirty)
        fdatasync(d->fd);
    close(d->fd);
    sl_buf_free(&d->line);
    sl_free(d->path);
    sl_free(d->sink);
    sl_free(d);
}

const char *dlq_path(const struct dlq *d)
{
    return d->path;
}

int dlq_put(struct dlq *d, const struct sl_rec *r, int status, const char *type,
            size_t type_len, const char *reason, size_t reason_len, struct sl_err *err)
{
    struct sl_buf *b = &d->line;
    char ts[40];
    int rc = 0;
    size_t off = 0;

    ts[sl_time_rfc3339(ts, sl_clock_real_ns(), 3)] = '\0';
    sl_buf_reset(b);
    rc |= sl_buf_puts(b, "{\"@timestamp\":\"");
    rc |= sl_buf_puts(b, ts);
    rc |= sl_buf_puts(b, "\",\"sink\":");
    rc |= sl_json_str(b, d->sink, strlen(d->sink));
    rc |= sl_buf_puts(b, ",\"index\":");
    rc |= sl_json_str(b, r->index ? r->index : "", r->index ? r->index_len : 0);
    rc |= sl_buf_puts(b, ",\"_id\":");
    rc |= sl_json_str(b, r->id, SL_ID_LEN);
    rc |= sl_buf_puts(b, ",\"status\":");
    rc |= sl_json_i64(b, status);
    rc |= sl_buf_puts(b, ",\"error\":{\"type\":");
    rc |= sl_json_str(b, type ? type : "", type ? type_len : 0);
    rc |= sl_buf_puts(b, ",\"reason\":");
    rc |= sl_json_str(b, reason ? reason : "", reason ? reason_len : 0);
    /* The document is one JSON object already (the record's contract). */
    rc |= sl_buf_puts(b, "},\"document\":");
    rc |= sl_buf_append(b, r->doc, r->doc_len);
    rc |= sl_buf_puts(b, "}\n");
    if (rc)
        return sl_err_set(err, SL_ETOOBIG, d->path, "a dead-letter line over its ceiling");
    /* O_APPEND and one write: a line is never interleaved; a short write
     * (disk full) is cut back so the file keeps whole lines. */
    while (off < b->len) {
        ssize_t k = write(d->fd, b->data + off, b->len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = errno;
            if (off) {
                off_t end = lseek(d->fd, 0, SEEK_END);
                if (end >= (off_t)off && ftruncate(d->fd, end - (off_t)off)) {
                    /* nothing more to do: the next line starts after a torn one */
                }
            }
            return sl_err_set(err, SL_EIO, d->path, "cannot write the dead-letter file: %s",
                              strerror(k < 0 ? e : ENOSPC));
        }
        off += (size_t)k;
    }
    d->dirty = 1;
    return 0;
}

int dlq_sync(struct dlq *d, struct sl_err *err)
{
    if (!d->dirty)
        return 0;
    if (fdatasync(d->fd))
        return sl_err_set(err, SL_EIO, d->path, "cannot sync the dead-letter file: %s",
                          strerror(errno));
    d->dirty = 0;
    return 0;
}
