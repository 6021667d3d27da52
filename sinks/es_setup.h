/* sinks/es_setup.h: what an Elasticsearch / OpenSearch sink does before its
 * first bulk request: GET / (product, version, cluster), then the index
 * template and lifecycle policy when the config asks to install them; and
 * the same look, read-only, for `sluice check --connect`. */
#ifndef SINKS_ES_SETUP_H
#define SINKS_ES_SETUP_H
#include <stddef.h>

#include "common/err.h"
#include "sinks/es_cluster.h"
#include "sinks/es_conf.h"

struct es_setup;

/* conf and comp (the log component, "sink.es[NAME]") are borrowed and
 * outlive it. Reads template.file now, so a missing file fails the open. */
int  es_setup_new(struct es_setup **out, const struct es_conf *conf, const char *comp,
                  struct sl_err *err);
void es_setup_free(struct es_setup *su);            /* NULL-safe */

/* Detects the cluster (hosts tried in turn from host `first`), logs what it
 * found, installs what the conf asks for. Returns 0 once done (an install
 * the cluster refused is logged as an error and not tried again: records
 * then go with whatever mappings the cluster gives them), or when nothing
 * can be learnt from GET / (an account without the monitor privilege).
 * Returns a code when records must wait: SL_ENET (no host answered, a
 * transient failure; tried again at most once a second), SL_EAUTH
 * (credentials refused), SL_EPROTO (an unsupported cluster: records wait
 * until it is upgraded). Logs each condition once per episode. */
int  es_setup_run(struct es_setup *su, size_t first, struct sl_err *err);
int  es_setup_done(const struct es_setup *su);
/* The next es_setup_run tries at once, without waiting out the pause after a
 * failure (new credentials came). */
void es_setup_retry_now(struct es_setup *su);

/* The sink type's probe (`sluice check --connect`): GET / on every host;
 * with template.install or lifecycle.install, whether they exist on the
 * first host that answered and whether they are sluice's current ones. */
int  es_setup_probe(const void *conf, void (*line)(void *arg, const char *text), void *arg,
                    struct sl_err *err);

#endif
