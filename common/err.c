#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

int sl_err_set(struct sl_err *e, int code, const char *where, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return code;
    e->code = code;
    snprintf(e->where, sizeof e->where, "%s", where ? where : "");
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void sl_err_clear(struct sl_err *e)
{
    if (e)
        memset(e, 0, sizeof *e);
}

const char *sl_strerror(int code)
{
    switch (code) {
    case SL_OK: return "ok";
    case SL_EINVAL: return "invalid input";
    case SL_ECONFIG: return "config error";
    case SL_EIO: return "I/O error";
    case SL_ENET: return "network error";
    case SL_EPROTO: return "protocol error";
    case SL_EFULL: return "full";
    case SL_EAUTH: return "not authorized";
    case SL_ETIMEOUT: return "timed out";
    case SL_ETOOBIG: return "too big";
    case SL_ESTOP: return "stopped";
    }
    return "unknown error";
}
