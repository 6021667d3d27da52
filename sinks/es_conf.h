/* sinks/es_conf.h: the settings of an elasticsearch / opensearch sink. The
 * rows (es_conf_rows) fill a struct es_conf; the loader owns its strings. */
#ifndef SINKS_ES_CONF_H
#define SINKS_ES_CONF_H
#include <stdint.h>

#include "common/err.h"
#include "common/schema.h"
#include "sinks/sink.h"

struct es_conf {
    struct sl_strlist hosts;        /* http://host:port or https://host:port[/prefix] */
    char    *index;                 /* delivery resolves it per record (common/idxname.h) */
    int      op_type;               /* enum es_op */
    char    *username;
    char    *password;
    char    *api_key;
    char    *dead_letter;           /* NULL: rejected records are logged and counted only */
    char    *tls_ca;
    int      tls_verify;
    char    *tls_cert;
    char    *tls_key;
    uint64_t max_docs;
    uint64_t max_bytes;
    uint64_t max_wait_ms;
    uint64_t timeout_ms;
    uint64_t connect_timeout_ms;
    int      gzip;
    uint64_t retry_initial_ms;
    uint64_t retry_max_ms;
    uint64_t concurrency;           /* bulk requests in flight at once */
    /* Installed at start (es_setup.c); see docs/templates.md. */
    int      tmpl_install;
    char    *tmpl_name;
    char    *tmpl_file;             /* NULL: the built-in ECS mappings */
    int      tmpl_overwrite;
    uint64_t tmpl_priority;
    int      lc_install;
    char    *lc_name;
    int      lc_overwrite;
    uint64_t lc_rollover_age_ms;    /* 0: no age condition */
    uint64_t lc_rollover_size;      /* 0: no size condition */
    uint64_t lc_delete_after_ms;    /* 0: never deleted */
};

extern const struct sl_cfg_row es_conf_rows[];

/* Cross-field checks; every problem found goes into one message. */
int  es_conf_validate(const void *conf, struct sl_err *err);
void es_conf_batch(const void *conf, struct sink_batch *out);
/* The `index` row (borrowed from conf). */
const char *es_conf_index(const void *conf);

#endif
