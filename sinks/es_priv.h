/* sinks/es_priv.h: what the sink's account may do on the cluster, for
 * `sluice check --connect` (sink_type.access). No printing here: the answer
 * is a struct sink_access (sinks/sink.h) that shipper/cmd_check.c prints.
 *
 *   Elasticsearch  GET /_security/_authenticate (who), then
 *                  POST /_security/user/_has_privileges: cluster `all`
 *                  (superuser), and on the index the sink writes now
 *                  create_doc/create/index/write (can write) and
 *                  auto_configure/create_index (can create it)
 *   OpenSearch     GET /_plugins/_security/authinfo (who, roles; all_access
 *                  is a superuser). OpenSearch has no privilege question, so
 *                  a one-item _bulk asks the real thing: a `create` of a
 *                  document that cannot be stored (a `_id` field inside it).
 *                  Allowed, the item fails to parse (400); refused, it is a
 *                  403. Nothing is stored, but a missing index may be
 *                  created, as the first write would.
 *   Either         the security endpoint missing (plugin absent, x-pack
 *                  security off): security is off, anyone can write.
 *
 * The parsers are separate so the answers can be tested from fixtures. */
#ifndef SINKS_ES_PRIV_H
#define SINKS_ES_PRIV_H
#include <stddef.h>

#include "common/err.h"
#include "sinks/sink.h"

/* sink_type.access of the elasticsearch and opensearch sinks. */
int es_priv_access(const void *conf, struct sink_access *out, struct sl_err *err);

/* The parsers: json is NUL-terminated; 0, or SL_EPROTO when it is not the
 * answer expected (out then holds what could be read). */
/* GET / -> out->product ("elasticsearch" when version.distribution is absent). */
int es_priv_parse_root(const char *json, struct sink_access *out);
/* Elasticsearch GET /_security/_authenticate -> account (an API key is
 * named "api_key NAME (id ID)", its owner after "of"), roles. */
int es_priv_parse_authenticate(const char *json, struct sink_access *out);
/* Elasticsearch POST /_security/user/_has_privileges for index -> can_write,
 * can_create, superuser, detail. */
int es_priv_parse_has_privileges(const char *json, const char *index, struct sink_access *out);
/* OpenSearch GET /_plugins/_security/authinfo -> account, roles (backend
 * roles after "backend:"), superuser. */
int es_priv_parse_authinfo(const char *json, struct sink_access *out);
/* The answer to the write probe (status: the HTTP status) -> can_write,
 * can_create, detail. */
int es_priv_parse_probe(long status, const char *json, struct sink_access *out);

/* The write probe's body for index (one create, a document that cannot be
 * stored); written into buf of cap bytes; 0, or SL_ETOOBIG. */
int es_priv_probe_body(const char *index, char *buf, size_t cap);

#endif
