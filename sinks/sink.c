#include <string.h>

#include "sinks/sink.h"

extern const struct sink_type sink_ndjson;
extern const struct sink_type sink_es;
extern const struct sink_type sink_opensearch;

const uint64_t sink_lat_bounds_us[SINK_LAT_NBOUNDS] = {
    5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
    10000000, 30000000,
};

void sink_stats_request(struct sink_stats *st, uint64_t bytes, uint64_t latency_us)
{
    size_t i = 0;

    while (i < SINK_LAT_NBOUNDS && latency_us > sink_lat_bounds_us[i])
        i++;
    atomic_fetch_add_explicit(&st->requests, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&st->bytes, bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&st->latency_us_sum, latency_us, memory_order_relaxed);
    atomic_fetch_add_explicit(&st->lat_bucket[i], 1, memory_order_relaxed);
}

const struct sink_type *const sink_types[] = { &sink_ndjson, &sink_es, &sink_opensearch, NULL };

const struct sink_type *sink_type_find(const char *name)
{
    for (size_t i = 0; sink_types[i]; i++)
        if (strcmp(sink_types[i]->name, name) == 0)
            return sink_types[i];
    return NULL;
}
