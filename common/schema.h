/* common/schema.h: config schema rows. One row per key: name, type, default,
 * bounds, where the value lands (offsetof), and a one-line description. The
 * same rows parse the YAML (shipper/config.c), reject unknown keys, print
 * `sluice check --keys`, and feed docs/config.md. Modules that own settings
 * (each sink type, inputs) export their rows; none of them parses YAML.
 *
 * Storage per type (at base + offset):
 *   SL_CFG_STR, SL_CFG_SECRET  char *        (owned; SECRET may be ${env:X} / ${file:P},
 *                                             resolved by the loader, never logged)
 *   SL_CFG_BOOL                int
 *   SL_CFG_UINT                uint64_t      (bounds min..max)
 *   SL_CFG_SIZE                uint64_t      bytes: 5MiB, 64KiB, 10GB, 512 (bounds min..max)
 *   SL_CFG_DURATION            uint64_t      milliseconds: 1s, 250ms, 5m, 1h (bounds in ms)
 *   SL_CFG_ENUM                int           index into enum_names
 *   SL_CFG_STRLIST             struct sl_strlist
 *   SL_CFG_MAP                 struct sl_kvlist  (string to string)
 *   SL_CFG_SECTION             nothing: a nested mapping whose `sub` rows store
 *                              into the same struct (offsets relative to base)
 */
#ifndef SL_SCHEMA_H
#define SL_SCHEMA_H
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum sl_cfg_type {
    SL_CFG_STR,
    SL_CFG_SECRET,
    SL_CFG_BOOL,
    SL_CFG_UINT,
    SL_CFG_SIZE,
    SL_CFG_DURATION,
    SL_CFG_ENUM,
    SL_CFG_STRLIST,
    SL_CFG_MAP,
    SL_CFG_SECTION,
};

struct sl_strlist {
    char  **v;
    size_t  n;
};

struct sl_kvlist {
    char  **k;
    char  **v;
    size_t  n;
};

struct sl_cfg_row {
    const char *name;
    enum sl_cfg_type type;
    const char *def;                    /* default as it would be written in YAML; NULL: none */
    uint64_t min, max;                  /* UINT, SIZE, DURATION; max 0: no bound */
    size_t offset;
    const char *desc;
    const char *const *enum_names;      /* ENUM: NULL-terminated */
    const struct sl_cfg_row *sub;       /* SECTION: rows, ended by a row with name NULL */
    int required;
};

#define SL_CFG_END { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL, 0 }

/* Sets every row that has a default (recursing into sections). */
int  sl_cfg_defaults(const struct sl_cfg_row *rows, void *base, struct sl_err *err);
/* Parses one scalar text into the row's field (STR, SECRET as written, BOOL,
 * UINT, SIZE, DURATION, ENUM); bounds are checked. The message names the
 * expected form; `where` is copied into err. */
int  sl_cfg_set_scalar(const struct sl_cfg_row *row, void *base, const char *text,
                       const char *where, struct sl_err *err);
/* Frees what the rows own in base (strings, lists, maps). */
void sl_cfg_release(const struct sl_cfg_row *rows, void *base);
/* Finds a row by name among rows (not recursing); NULL when unknown. */
const struct sl_cfg_row *sl_cfg_find(const struct sl_cfg_row *rows, const char *name);

/* Writes a SIZE, DURATION or UINT value the way a user would (64KiB, 5m,
 * 250ms, 1000), for messages and `sluice check --keys`. */
void sl_cfg_format(char *out, size_t n, enum sl_cfg_type t, uint64_t v);

/* Text parsers used by the rows (exposed for tests and the CLI). 0 or SL_EINVAL. */
int  sl_parse_size(const char *s, uint64_t *out);
int  sl_parse_duration_ms(const char *s, uint64_t *out);
int  sl_parse_bool(const char *s, int *out);
int  sl_parse_u64(const char *s, uint64_t *out);

#endif
