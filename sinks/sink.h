/* sinks/sink.h: the sink contract. Records {id, index, doc} in, one verdict per
 * record out. Sinks never see the event or the buffer; delivery
 * (shipper/deliver.c) batches records, calls send, and acts on the verdicts:
 * DONE and DUPLICATE are confirmed, RETRY is sent again with backoff, REJECT is
 * counted (and dead-lettered once that file exists).
 *
 * A sink may also take several requests at once (submit/poll/drop); send
 * then still works, for callers that want one request at a time, as long as
 * nothing was submitted and not yet polled.
 *
 * Threads: one delivery thread owns a sink instance and is the only caller of
 * its functions, except the counters in struct sink_stats, which any thread
 * may read (atomics). */
#ifndef SINKS_SINK_H
#define SINKS_SINK_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/rec.h"
#include "common/schema.h"

enum sink_verdict {
    SINK_DONE = 0,      /* stored */
    SINK_DUPLICATE,     /* already stored (409 under op_type create): confirmed */
    SINK_RETRY,         /* not stored, may succeed later (429, 5xx, 408, transport) */
    SINK_REJECT,        /* will never be stored as is (mapping conflict, bad value) */
};

/* How delivery should cut batches for this sink. */
struct sink_batch {
    size_t   max_docs;
    size_t   max_bytes;     /* documents' bytes in one send */
    uint64_t max_wait_ms;   /* a partial batch is sent after this long */
    /* Backoff between attempts of RETRY records; 0: delivery's own default. */
    uint64_t retry_initial_ms;
    uint64_t retry_max_ms;
    /* Requests in flight at once; used only by a sink with submit/poll.
     * 0 or 1: one. */
    size_t   concurrency;
};

/* An account's credentials as a sink's conf holds them once its secrets are
 * resolved; NULL members are unset. SIGHUP hands new ones to a running sink
 * (creds, reauth below). */
struct sink_cred {
    const char *username;
    const char *password;
    const char *api_key;
};

/* What poll reports about one finished request. */
struct sink_answer {
    uint64_t      token;    /* the submit's */
    int           rc;       /* as send's return; out[] was filled as send fills it */
    struct sl_err err;
};

/* Per-host health of a sink with several hosts (elasticsearch). */
enum sink_host_state {
    SINK_HOST_UP = 0,       /* takes requests */
    SINK_HOST_ASIDE,        /* failed; waits for its backoff, then a probe */
    SINK_HOST_PROBING,      /* GET / in flight; takes requests once it answers */
    SINK_HOST_GONE,         /* discovered, then missing from a later discovery */
};

#define SINK_HOST_URL 256

/* Written by the delivery thread, read by anyone. An entry's url and
 * discovered are set once, before nhosts counts it (release), and never
 * change; entries are never removed. */
struct sink_host_stats {
    char             url[SINK_HOST_URL];  /* as configured or discovered (cut at 255) */
    int              discovered;
    _Atomic int      state;               /* enum sink_host_state */
    _Atomic uint64_t requests;            /* bulk requests answered or failed on it */
    _Atomic uint64_t failures;            /* of those, failed at the connection level */
    _Atomic uint64_t probes;              /* GET / health probes */
    _Atomic uint64_t probe_failures;
};

/* Request latency buckets (upper bounds, microseconds; the last bucket of
 * struct sink_stats counts the rest): Prometheus' usual ladder from 5 ms to
 * 10 s, plus 30 s (the bulk timeout's default). */
#define SINK_LAT_NBOUNDS 12
extern const uint64_t sink_lat_bounds_us[SINK_LAT_NBOUNDS];

struct sink_stats {
    _Atomic uint64_t sent;          /* records handed to send (retries included) */
    _Atomic uint64_t confirmed;     /* DONE + DUPLICATE */
    _Atomic uint64_t duplicates;
    _Atomic uint64_t retried;       /* records answered RETRY */
    _Atomic uint64_t rejected;
    _Atomic uint64_t dead_lettered; /* rejected records written to the dead-letter file */
    _Atomic uint64_t requests;
    _Atomic uint64_t failed_requests;
    _Atomic uint64_t bytes;         /* request bytes on the wire */
    _Atomic uint64_t latency_us_sum;
    /* Requests by latency: lat_bucket[i] counts those <= sink_lat_bounds_us[i]
     * and > the bound before; lat_bucket[SINK_LAT_NBOUNDS] the slower ones.
     * Not cumulative; their sum is `requests` once sink_stats_request
     * is the only place counting requests. */
    _Atomic uint64_t lat_bucket[SINK_LAT_NBOUNDS + 1];
    /* Confirmed records the cluster kept in a failure store (Elasticsearch
     * 9.1+ data streams) instead of the index: stored, but not as sent. */
    _Atomic uint64_t failure_stored;
    /* Sinks with hosts: host[0..nhosts) (acquire nhosts before reading). */
    _Atomic size_t   nhosts;
    struct sink_host_stats host[SL_SINK_HOSTS_LIMIT];
};

/* One finished request: requests, bytes, the latency sum and its bucket.
 * Lock-free (relaxed atomic adds); the sink's thread calls it. */
void sink_stats_request(struct sink_stats *st, uint64_t bytes, uint64_t latency_us);

/* What an account may do on the cluster, as far as the sink could find out
 * (`sluice check --connect`). Texts are for people; the ints decide. */
enum sink_tri { SINK_NO = 0, SINK_YES = 1, SINK_UNKNOWN = -1 };
struct sink_access {
    int  security;              /* SINK_NO: the cluster checks no credentials */
    int  can_write;             /* documents into the sink's index (or pattern) */
    int  can_create;            /* ... and may create it when it is missing */
    int  superuser;             /* every privilege on the cluster */
    char product[32];           /* elasticsearch, opensearch */
    char account[128];          /* as the cluster names it; never a secret */
    char roles[256];            /* comma-separated, as the cluster names them */
    char target[256];           /* the index name the privileges were checked on */
    char detail[512];           /* which privileges were found or missing, and how it was learnt */
};

struct sink_type {
    const char *name;                           /* the `type:` in the config */
    const struct sl_cfg_row *rows;              /* its config keys (besides type, name) */
    size_t conf_size;                           /* the struct the rows store into */
    /* Cross-field checks after parsing (e.g. a password without a username). */
    int  (*validate)(const void *conf, struct sl_err *err);
    void (*batch)(const void *conf, struct sink_batch *out);
    /* The index name or date pattern (syslog-%Y.%m.%d) records for this sink
     * go to; delivery resolves it per record from the event's own time.
     * NULL (or a NULL result) for sinks without indices. Borrowed from conf. */
    const char *(*index)(const void *conf);
    /* Optional: `sluice check --connect`. Reaches every host the conf names
     * and calls line(arg, text) once per host with what it found (the
     * product and version, or why it could not tell). 0 when every host
     * answered; otherwise the code of a failure, with err filled. */
    int  (*probe)(const void *conf, void (*line)(void *arg, const char *text), void *arg,
                  struct sl_err *err);
    /* Optional: what `sluice check --connect` says about the account
     * (sinks/es_priv.h for the Elasticsearch sink): fills *out (struct
     * sink_access), 0, or a failure code with err filled when it could not
     * tell at all. */
    int  (*access)(const void *conf, struct sink_access *out, struct sl_err *err);
    /* Optional, both or neither: new credentials for a running sink. creds
     * fills *out with pointers borrowed from conf (any thread). reauth copies
     * what it needs from c; delivery calls it on its thread, with no request
     * in flight. */
    void (*creds)(const void *conf, struct sink_cred *out);
    int  (*reauth)(void *state, const struct sink_cred *c, struct sl_err *err);
    /* name is the instance name for logs ("sink.es[NAME]"); conf is borrowed and
     * outlives the instance; stats is owned by the caller. */
    int  (*open)(void **state, const void *conf, const char *name,
                 struct sink_stats *stats, struct sl_err *err);
    /* Optional: called once by delivery, on its thread, before the first
     * batch (`sluice run`, `sluice replay`): the sink reaches its
     * destination and logs what it found (the cluster's product and
     * version), installs what its config asks for. Never fails: a sink that
     * could not do it yet tries again before its requests, answering them
     * as failed (records wait) until then. */
    void (*start)(void *state);
    /* Sends n records; fills out[i] for each. Returns 0 when every record got a
     * verdict; SL_EAUTH when the sink must stop until its credentials change
     * (every out[i] is SINK_RETRY); another code when the whole attempt failed
     * (every out[i] is SINK_RETRY). Blocking; may take up to its timeouts. */
    int  (*send)(void *state, const struct sl_rec *recs, size_t n,
                 enum sink_verdict *out, struct sl_err *err);
    /* Optional (all three or none): several requests in flight, up to
     * batch.concurrency. submit starts sending recs[0..n); recs, the bytes
     * they point to, and out stay the caller's and untouched by it until poll
     * reports token. 0, or SL_EFULL when concurrency requests are already in
     * flight (a caller's bug). A request that cannot even be built is
     * reported by the next poll, never by submit. */
    int  (*submit)(void *state, const struct sl_rec *recs, size_t n, enum sink_verdict *out,
                   uint64_t token);
    /* Waits up to timeout_ms (0: does not wait) for requests to progress;
     * 1 with *a filled when one finished (out[] holds its verdicts), 0 when
     * none did. Finished requests come in any order. Delivery also calls it
     * with nothing in flight (timeout 0, about once a second while idle), so
     * a sink can move background work on (the es sink's host probes). */
    int  (*poll)(void *state, int timeout_ms, struct sink_answer *a);
    /* Abandons every request in flight (the stop deadline passed): none of
     * them is reported by poll, their out[] stays as it was. */
    void (*drop)(void *state);
    /* Makes sure what was DONE is durable where the sink can (fsync a file). */
    int  (*flush)(void *state, struct sl_err *err);
    void (*close)(void *state);                 /* NULL-safe */
};

/* The table of sink types; NULL-terminated. */
extern const struct sink_type *const sink_types[];
const struct sink_type *sink_type_find(const char *name);

#endif
