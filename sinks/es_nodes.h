/* sinks/es_nodes.h: the answer to GET /_nodes/http (discovery) read into
 * host addresses. Pure: no I/O, nothing allocated. */
#ifndef SINKS_ES_NODES_H
#define SINKS_ES_NODES_H
#include <stddef.h>

/* The query discovery sends: only what es_nodes_parse reads. */
#define ES_NODES_PATH "_nodes/http?filter_path=nodes.*.http.publish_address,nodes.*.roles"

/* scheme + "://" + the host and port of a publish_address: "1.2.3.4:9200",
 * "name/1.2.3.4:9200" (the name is kept, so TLS can check it), "[::1]:9200".
 * 0, or -1 when it is none of those or does not fit outlen. */
int es_nodes_url(const char *pub, size_t len, const char *scheme, char *out, size_t outlen);

/* Calls add(arg, url) for every node of the answer that has an HTTP publish
 * address and is not dedicated to cluster management (its roles only
 * master, cluster_manager, voting_only). Returns how many nodes the answer
 * lists, or -1 when it is not {"nodes":{...}}. */
int es_nodes_parse(const char *text, size_t len, const char *scheme,
                   void (*add)(void *arg, const char *url), void *arg);

#endif
