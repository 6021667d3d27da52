#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/file.h"
#include "common/mem.h"

int sl_read_file(const char *path, size_t limit, char **out, size_t *len, struct sl_err *err)
{
    FILE *f = fopen(path, "rb");
    struct sl_buf b;
    char chunk[8192];
    size_t n;
    int rc = 0;

    *out = NULL;
    *len = 0;
    if (!f)
        return sl_err_set(err, SL_EIO, path, "cannot open: %s", strerror(errno));
    sl_buf_init(&b, limit < 8192 ? limit + 1 : 8192, limit);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (sl_buf_append(&b, chunk, n)) {
            rc = sl_err_set(err, SL_ETOOBIG, path, "larger than %zu bytes", limit);
            goto fail;
        }
    }
    if (ferror(f)) {
        rc = sl_err_set(err, SL_EIO, path, "read: %s", strerror(errno));
        goto fail;
    }
    *out = sl_buf_steal(&b, len);
fail:
    sl_buf_free(&b);
    fclose(f);
    return rc;
}
