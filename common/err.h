/* common/err.h: errors returned to the caller, never printed by library code.
 * A function that can fail takes a `struct sl_err *` (may be NULL), fills it,
 * and returns the code; shipper/ prints it. */
#ifndef SL_ERR_H
#define SL_ERR_H

enum sl_errc {
    SL_OK = 0,
    SL_EINVAL,      /* bad argument or bad input */
    SL_ECONFIG,     /* config problem; where = file:line:col */
    SL_EIO,         /* file or socket I/O */
    SL_ENET,        /* connect, resolve, transport */
    SL_EPROTO,      /* the peer answered something we cannot use */
    SL_EFULL,       /* a bounded resource is full; try later */
    SL_EAUTH,       /* 401/403: credentials or privileges */
    SL_ETIMEOUT,
    SL_ETOOBIG,     /* over a ceiling from bounds.h or the config */
    SL_ESTOP,       /* asked to stop */
};

struct sl_err {
    int code;
    char where[256];    /* file:line:col, host, or component */
    char msg[768];
};

/* Fills *e (when not NULL) and returns code, so `return sl_err_set(...)` reads well. */
int sl_err_set(struct sl_err *e, int code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sl_err_clear(struct sl_err *e);
const char *sl_strerror(int code);

#endif
