/* sinks/es.h: the Elasticsearch / OpenSearch _bulk sink. The two types share
 * one implementation; "opensearch" exists so configs can say what they mean. */
#ifndef SINKS_ES_H
#define SINKS_ES_H

#include "sinks/es_conf.h"
#include "sinks/sink.h"

extern const struct sink_type sink_es;          /* "elasticsearch" */
extern const struct sink_type sink_opensearch;  /* "opensearch" */

#endif
