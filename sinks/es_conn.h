/* sinks/es_conn.h: a libcurl easy handle set up as the bulk requests are
 * (protocols, timeouts, authentication, TLS: es.c's conn_opts), for the
 * other requests of the sink (es_setup.c: GET /, templates, policies). */
#ifndef SINKS_ES_CONN_H
#define SINKS_ES_CONN_H
#include <curl/curl.h>

#include "common/buf.h"
#include "common/err.h"
#include "sinks/es_conf.h"

/* Sets e up for c; appends the API key header, when c has one, to *headers
 * (the caller frees the list, and sets CURLOPT_HTTPHEADER). 0 or SL_EINVAL. */
int es_conn_prepare(CURL *e, const struct es_conf *c, struct curl_slist **headers,
                    struct sl_err *err);

/* One request, waited for (sluice check, the start's detection and
 * installs): method path on host, with body (NULL: none) of content type
 * ctype (NULL: application/json). *status is the HTTP status when an answer
 * came (0 otherwise), resp its body (reset first). 0, or SL_ENET with err
 * when no answer came (SL_EINVAL when the request could not be built). */
int es_conn_call(const struct es_conf *c, const char *host, const char *method, const char *path,
                 const char *body, const char *ctype, long *status, struct sl_buf *resp,
                 struct sl_err *err);

#endif
