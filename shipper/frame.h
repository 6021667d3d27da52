/* shipper/frame.h: RFC 6587 framing of a byte stream into syslog messages.
 * Fed with bytes, owns no socket: one framer per TCP (later TLS, RELP)
 * connection, and tests script the reads. */
#ifndef SHIPPER_FRAME_H
#define SHIPPER_FRAME_H
#include <stddef.h>
#include <stdint.h>

/* Flags handed with each message (also used by shipper/listen.c). */
#define FRAME_TRUNCATED 1u  /* longer than max_msg: the first max_msg bytes, the rest discarded */
#define FRAME_PARTIAL   2u  /* half a frame left at close */
#define FRAME_BAD_COUNT 4u  /* an octet count that lied or was malformed: read as an LF frame */

/* msg is borrowed for the duration of the call: it points into the caller's
 * fed bytes or into the framer's buffer, and is not NUL-terminated. len >= 1. */
typedef void (*frame_cb)(void *arg, const char *msg, size_t len, unsigned flags);

struct frame_stats {
    uint64_t frames;        /* messages delivered */
    uint64_t truncated;
    uint64_t partial;
    uint64_t bad_count;
};

struct frame;

/* max_msg: the longest message delivered (>= 1). */
struct frame *frame_new(size_t max_msg);
void frame_free(struct frame *f);       /* NULL-safe; a kept half frame is dropped */

/* Delivers every message completed by data[0..len), in order, through cb. */
void frame_feed(struct frame *f, const char *data, size_t len, frame_cb cb, void *arg);
/* At connection close: delivers a kept half frame tagged FRAME_PARTIAL and
 * rearms the framer for a new stream. */
void frame_finish(struct frame *f, frame_cb cb, void *arg);

/* Borrowed; counts since frame_new. */
const struct frame_stats *frame_stats(const struct frame *f);
/* Bytes the framer holds on the heap for half frames; never more than
 * max_msg + FRAME_SLACK. */
size_t frame_mem(const struct frame *f);
#define FRAME_SLACK 16u

#endif
