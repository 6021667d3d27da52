/* shipper/reload.h: SIGHUP: the sinks' secrets read again.
 *
 * Only secrets: the config file is loaded again as a whole (so every
 * ${file:} and ${env:} reference is resolved anew, and a reference that was
 * changed in the file counts too), and each running sink is handed the
 * credentials of the sink of the same name and type in it. Every other
 * setting stays as it was at start; a restart applies them. */
#ifndef SHIPPER_RELOAD_H
#define SHIPPER_RELOAD_H
#include <stddef.h>

#include "shipper/config.h"
#include "shipper/deliver.h"

/* path: the config file sluice runs on (NULL: the embedded default, which
 * has no secret). dl[i] delivers sinks[i] (n of them: all of `sluice run`'s,
 * or the one `sluice replay` sends to). Logs what it did; the number of
 * sinks that were handed new credentials. Runs on the main thread; the
 * delivery threads apply them (deliver_reauth). */
size_t reload_secrets(const char *path, const struct cfg_sink *sinks, struct deliver *const *dl,
                      size_t n);

#endif
