/* common/bounds.h: every size and count ceiling of sluice, in one place.
 * A buffer is made with one of these as its ceiling; an append past it fails
 * and says so. Config values are checked against the *_LIMIT bounds. */
#ifndef SL_BOUNDS_H
#define SL_BOUNDS_H

/* One syslog message (after framing). Longer messages are truncated and tagged. */
#define SL_MAX_MSG_DEFAULT      (64u * 1024u)
#define SL_MAX_MSG_MIN          480u            /* RFC 5424 6.1: receivers must take 480 */
#define SL_MAX_MSG_LIMIT        (16u * 1024u * 1024u)

/* A JSON document is at most 6 bytes per message byte (\u00XX) plus its fields. */
#define SL_DOC_MAX(max_msg)     ((size_t)(max_msg) * 6u + 16u * 1024u)

/* Octet-counted frames: digits in the count before it is called a lie. */
#define SL_MAX_OCTET_DIGITS     9u

/* TCP connections per input. */
#define SL_MAX_CONNS_DEFAULT    1024u
#define SL_MAX_CONNS_LIMIT      65536u

/* Bytes read from one socket per read call. */
#define SL_READ_CHUNK           (64u * 1024u)

/* The in-memory queue between the pipeline and delivery (bytes of documents). */
#define SL_QUEUE_BYTES_DEFAULT  (16ull * 1024u * 1024u)   /* ~3 full bulk requests of 5000 docs */
#define SL_QUEUE_BYTES_MIN      (1ull * 1024u * 1024u)
#define SL_QUEUE_BYTES_LIMIT    (4ull * 1024u * 1024u * 1024u)

/* Records packed into one batch handed from the pipeline to delivery. */
#define SL_BATCH_BYTES_PIPE     (256u * 1024u)

/* Bulk requests. */
#define SL_BULK_DOCS_DEFAULT    5000u
#define SL_BULK_DOCS_LIMIT      100000u
#define SL_BULK_BYTES_DEFAULT   (5ull * 1024u * 1024u)
#define SL_BULK_BYTES_LIMIT     (100ull * 1024u * 1024u)   /* http.max_content_length */
#define SL_BULK_RESP_LIMIT      (256ull * 1024u * 1024u)
/* Requests of one sink in flight at once (its `concurrency`): each holds up
 * to a batch of records, a body and a connection. */
#define SL_SINK_CONCURRENCY_LIMIT 64

/* Config: file size, nesting, list length, one secret file. */
#define SL_CONFIG_FILE_LIMIT    (4u * 1024u * 1024u)
#define SL_CONFIG_DEPTH_LIMIT   16u
#define SL_CONFIG_LIST_LIMIT    1024u
#define SL_SECRET_FILE_LIMIT    (64u * 1024u)

/* An event ID: 22 base64url characters of a 128-bit hash. */
#define SL_ID_LEN               22u

/* Index names (Elasticsearch's limit is 255 bytes). */
#define SL_INDEX_NAME_LIMIT     255u

/* The admin endpoint: a /metrics answer (about 100 bytes a series, ~45
 * series per sink: 1024 sinks fit), a request's headers, and how long an
 * idle or slow client may hold a connection. */
#define SL_ADMIN_RESP_LIMIT     (8u * 1024u * 1024u)
#define SL_ADMIN_HEADERS_LIMIT  (8u * 1024u)
#define SL_ADMIN_TIMEOUT_S      10

#endif
