/* shipper/pipeline.h: message → event → document → record batches, one per sink. */
#ifndef SHIPPER_PIPELINE_H
#define SHIPPER_PIPELINE_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/err.h"
#include "common/cidr.h"
#include "common/queue.h"
#include "parser/level.h"
#include "parser/payload.h"
#include "parser/route.h"
#include "parser/syslog.h"

struct pipeline;
struct enrich;

/* enrich.level and enrich.payload for pipeline_parse: options borrowed
 * from the config (NULL: that step is off), and the payload reader's
 * scratch (one per thread; NULL: no payloads). */
struct pipeline_enrich {
    const struct level_opts *level;
    const struct payload_opts *payload;
    struct payload_scratch *ps;
};

struct pipeline_out {
    struct sl_queue *q;         /* the spool writer's queue, or a sink's delivery queue (borrowed) */
};

struct pipeline_stats {
    _Atomic uint64_t received;      /* messages handed to the pipeline */
    _Atomic uint64_t parsed;        /* syslog header read (RFC 3164 or 5424) */
    _Atomic uint64_t unparsed;      /* no usable header (no/bad PRI, 5424 header cut short) */
    _Atomic uint64_t queued;        /* documents pushed toward the sinks (per message) */
    _Atomic uint64_t dropped_full;  /* UDP messages dropped while the queue was full */
    _Atomic uint64_t dropped_big;   /* documents over the ceiling (cannot happen with sane bounds) */
    _Atomic uint64_t blocked;       /* times the inputs were paused for backpressure */
    _Atomic uint64_t norm_matched;  /* a grammar of the message's route matched */
    _Atomic uint64_t norm_nomatch;  /* every grammar of its route missed: tagged */
    _Atomic uint64_t norm_limit;    /* a grammar hit a ceiling: tagged */
};

/* on_block(arg, 1) asks the caller to pause its TCP inputs; (arg, 0) to resume. */
int  pipeline_new(struct pipeline **out, const struct pipeline_out *outs, size_t nouts,
                  size_t max_msg, const struct syslog_opts *so,
                  void (*on_block)(void *arg, int blocked), void *arg, struct sl_err *err);
void pipeline_free(struct pipeline *p);
/* Normalizes every later message with t (borrowed: it must outlive p; NULL:
 * none). Makes the loop thread's scratch once. Loop thread only. */
void pipeline_set_routes(struct pipeline *p, const struct route_table *t);

/* Enriches every later message with en (shipper/enrich.h; borrowed, must
 * outlive p; NULL: none). Loop thread only. */
void pipeline_set_enrich_host(struct pipeline *p, struct enrich *en);
/* The input (index into the config's inputs) the next messages come from,
 * for its fields, tags and timezone; (size_t)-1: none. Loop thread only. */
void pipeline_set_input(struct pipeline *p, size_t input);
/* Log levels and payloads for every later message, as pipeline_parse
 * takes them (lo, po borrowed: they must outlive p; NULL: off). Makes the
 * payload scratch once. Loop thread only. */
void pipeline_set_enrich(struct pipeline *p, const struct level_opts *lo,
                         const struct payload_opts *po);

/* Loop thread only. datagram=1 for UDP: dropped (and counted) while blocked. */
void pipeline_msg(struct pipeline *p, const char *msg, size_t len, unsigned flags,
                  const struct sockaddr *src, socklen_t srclen, int64_t recv_ns,
                  const char *transport, int datagram);
/* Pushes partial batches (on a timer and at stop). Loop thread only. Returns 0
 * when nothing is left pending, SL_EFULL when a queue still refuses. */
int  pipeline_flush(struct pipeline *p);
int  pipeline_is_blocked(const struct pipeline *p);
const struct pipeline_stats *pipeline_stats(const struct pipeline *p);

/* What the daemon does to one message before it serializes the event: parse
 * it into e, then, with a route table (NULL: none), run the message's route,
 * its fields landing in e and a miss tagged; then, when no grammar matched,
 * read a JSON or logfmt payload (en->payload), and settle log.level
 * (en->level; parser/README.md "Log level"). en may be NULL. res says what
 * the route did (ROUTE_NONE without a table). Shared with `sluice test`, so
 * that it shows what the daemon would index. */
void pipeline_parse(struct evt *e, const char *msg, size_t len, const struct evt_meta *m,
                    const struct syslog_opts *so, const struct route_table *t,
                    struct route_scratch *rs, const struct pipeline_enrich *en,
                    struct route_result *res);

#endif
