/* common/idxname.h: index names from a pattern and an event's time.
 *
 * `syslog-%Y.%m.%d` expands %Y %m %d %H (UTC) and %% from the event's own
 * time: a replayed or retried event goes to the index it first went to, which
 * is what makes its fixed ID a real duplicate check there. Names are interned
 * (one allocation per distinct hour seen, kept for the object's life), so a
 * record's view can point at its name for as long as delivery holds it.
 * Not thread-safe: one per delivery thread. */
#ifndef SL_IDXNAME_H
#define SL_IDXNAME_H
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct sl_idxname;

/* SL_EINVAL when a pattern without % escapes is longer than the index limit. */
int  sl_idxname_new(struct sl_idxname **out, const char *pattern, struct sl_err *err);
void sl_idxname_free(struct sl_idxname *x);
int  sl_idxname_dated(const struct sl_idxname *x);
/* The name for an event at time_ms; *len set. Valid until sl_idxname_free. */
const char *sl_idxname_get(struct sl_idxname *x, int64_t time_ms, size_t *len);

#endif
