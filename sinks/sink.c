#include <string.h>

#include "sinks/sink.h"

extern const struct sink_type sink_ndjson;
extern const struct sink_type sink_es;
extern const struct sink_type sink_opensearch;

const struct sink_type *const sink_types[] = { &sink_ndjson, &sink_es, &sink_opensearch, NULL };

const struct sink_type *sink_type_find(const char *name)
{
    for (size_t i = 0; sink_types[i]; i++)
        if (strcmp(sink_types[i]->name, name) == 0)
            return sink_types[i];
    return NULL;
}
