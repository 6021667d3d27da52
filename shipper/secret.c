/* shipper/secret.c: ${env:} and ${file:} references for SECRET fields.
 *
 * Design: a secret is read once, at config load, into a string the config
 * owns (and wipes when it is released). Every buffer that held a secret is
 * overwritten before it is freed. A secret file is opened non-blocking and
 * must be a regular file, so a FIFO or a device named by mistake cannot hang
 * or flood the load; it is read up to SL_SECRET_FILE_LIMIT + 1 bytes, and a
 * longer one is refused. Group or world readability is a warning, not an
 * error: container runtimes often mount secrets 0444 and the admin may have
 * no say in it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/mem.h"
#include "shipper/secret.h"

#define REF_FORMS "expected ${env:NAME} or ${file:/path}"

void secret_free(char *value)
{
    if (value)
        explicit_bzero(value, strlen(value));
    sl_free(value);
}

static int from_env(const char *name, size_t len, char **value, struct sl_err *err)
{
    char var[256];
    const char *v;

    if (len == 0 || len >= sizeof var)
        return sl_err_set(err, SL_EINVAL, "secret", "bad variable name in ${env:...}; " REF_FORMS);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (!(isalpha(c) || c == '_' || (i > 0 && isdigit(c))))
            return sl_err_set(err, SL_EINVAL, "secret",
                              "bad variable name in ${env:...} (letters, digits, '_'); " REF_FORMS);
    }
    memcpy(var, name, len);
    var[len] = '\0';
    v = getenv(var);
    if (!v)
        return sl_err_set(err, SL_EINVAL, "secret", "environment variable %s is not set", var);
    if (!*v)
        return sl_err_set(err, SL_EINVAL, "secret", "environment variable %s is empty", var);
    *value = sl_strdup(v);
    return 0;
}

static int from_file(const char *path, size_t len, char **value, char *warn, size_t wlen,
                     struct sl_err *err)
{
    char p[4096];
    char *buf = NULL;
    size_t got = 0;
    struct stat st;
    int fd = -1, rc = 0;

    if (len == 0 || path[0] != '/')
        return sl_err_set(err, SL_EINVAL, "secret", "expected an absolute path in ${file:/path}");
    if (len >= sizeof p)
        return sl_err_set(err, SL_EINVAL, "secret", "secret file path is too long");
    memcpy(p, path, len);
    p[len] = '\0';
    fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = sl_err_set(err, SL_EIO, "secret", "cannot read secret file %s: %s", p, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = sl_err_set(err, SL_EINVAL, "secret", "secret file %s is not a regular file", p);
        goto fail;
    }
    buf = sl_malloc(SL_SECRET_FILE_LIMIT + 2);
    for (;;) {
        ssize_t n = read(fd, buf + got, SL_SECRET_FILE_LIMIT + 1 - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = sl_err_set(err, SL_EIO, "secret", "cannot read secret file %s: %s", p,
                            strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > SL_SECRET_FILE_LIMIT) {
            rc = sl_err_set(err, SL_ETOOBIG, "secret", "secret file %s is over %u bytes", p,
                            (unsigned)SL_SECRET_FILE_LIMIT);
            goto fail;
        }
    }
    if (got && buf[got - 1] == '\n')
        got--;
    if (got && buf[got - 1] == '\r')
        got--;
    buf[got] = '\0';
    if (memchr(buf, '\0', got)) {
        rc = sl_err_set(err, SL_EINVAL, "secret", "secret file %s contains a NUL byte", p);
        goto fail;
    }
    if (got == 0) {
        rc = sl_err_set(err, SL_EINVAL, "secret", "secret file %s is empty", p);
        goto fail;
    }
    if (st.st_mode & (S_IRGRP | S_IROTH))
        snprintf(warn, wlen, "secret file %s is readable by group or others (mode %04o); "
                 "chmod 600 it", p, (unsigned)(st.st_mode & 07777));
    *value = sl_strdup(buf);
fail:
    if (buf) {
        explicit_bzero(buf, SL_SECRET_FILE_LIMIT + 2);
        sl_free(buf);
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

int secret_resolve(const char *text, char **value, char *warn, size_t wlen,
                   struct sl_err *err)
{
    size_t len = strlen(text);

    *value = NULL;
    if (wlen)
        warn[0] = '\0';
    if (strncmp(text, "${", 2) != 0) {
        if (*text)
            snprintf(warn, wlen, "plain secret in config; use ${env:} or ${file:}");
        *value = sl_strdup(text);
        return 0;
    }
    if (len < 3 || text[len - 1] != '}')
        return sl_err_set(err, SL_EINVAL, "secret", "unterminated reference; " REF_FORMS);
    if (strncmp(text, "${env:", 6) == 0)
        return from_env(text + 6, len - 7, value, err);
    if (strncmp(text, "${file:", 7) == 0)
        return from_file(text + 7, len - 8, value, warn, wlen, err);
    return sl_err_set(err, SL_EINVAL, "secret", "unknown reference; " REF_FORMS);
}
