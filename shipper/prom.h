/* shipper/prom.h: the Prometheus text exposition format, version 0.0.4, into
 * a struct sl_buf. Only what sluice's metrics need: families with HELP and
 * TYPE lines, samples with up to a few labels, integer and float values.
 *
 * A family's name must already be valid ([a-zA-Z_:][a-zA-Z0-9_:]*): names are
 * sluice's own constants. Label values come from the config (input and sink
 * names) and are escaped here: backslash, double quote and newline, as the
 * format requires. Every function returns 0, or SL_ETOOBIG when the buffer's
 * ceiling is reached (the text is then cut: the caller answers an error). */
#ifndef SHIPPER_PROM_H
#define SHIPPER_PROM_H
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

struct prom_label {
    const char *name;
    const char *value;
};

/* "# HELP name help\n# TYPE name type\n"; type is counter, gauge or histogram. */
int prom_head(struct sl_buf *b, const char *name, const char *type, const char *help);
/* name{l0="v0",...} v\n (no braces without labels). */
int prom_u64(struct sl_buf *b, const char *name, const struct prom_label *l, size_t nl,
             uint64_t v);
/* The same with a float, to the microsecond, trailing zeros cut (0.005, 2,
 * 1795451699.17). */
int prom_f64(struct sl_buf *b, const char *name, const struct prom_label *l, size_t nl,
             double v);
/* A histogram's samples: name_bucket{..., le="B"} for each bound (seconds)
 * with the cumulative count, le="+Inf", name_sum (seconds) and name_count.
 * counts[] has nbounds + 1 entries, not cumulative, the last one above every
 * bound. */
int prom_histogram(struct sl_buf *b, const char *name, const struct prom_label *l, size_t nl,
                   const double *bounds, const uint64_t *counts, size_t nbounds, double sum);
/* Appends v escaped for a label value (\\, \", \n). */
int prom_label_escape(struct sl_buf *b, const char *v);

#endif
