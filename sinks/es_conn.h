/* sinks/es_conn.h: a libcurl easy handle set up as the bulk requests are
 * (protocols, timeouts, authentication, TLS: es.c's conn_opts), for the
 * other requests of the sink (es_setup.c: GET /, templates, policies). */
#ifndef SINKS_ES_CONN_H
#define SINKS_ES_CONN_H
#include <curl/curl.h>

#include "common/err.h"
#include "sinks/es_conf.h"

/* Sets e up for c; appends the API key header, when c has one, to *headers
 * (the caller frees the list, and sets CURLOPT_HTTPHEADER). 0 or SL_EINVAL. */
int es_conn_prepare(CURL *e, const struct es_conf *c, struct curl_slist **headers,
                    struct sl_err *err);

#endif
