/* buffer/spool.h: the durable spool between the pipeline and delivery.
 *
 * A directory of append-only segment files holding records in the layout of
 * common/rec.h (length, check, sequence number, event time, ID, index, doc),
 * plain or inside LZ4 frames (one per appended batch; buffer.compress),
 * one cursor file per reader (a sink) saying what it has confirmed, a LOCK
 * file, and corrupt/ where damaged segments are kept aside. Segments behind
 * every reader's persisted cursor are deleted.
 *
 * Threads: one writer (spool_writer_* runs it as a thread fed by a queue, or
 * a caller uses spool_append directly), any number of readers, each used by
 * one thread. One mutex guards the segment list and positions; file I/O
 * happens outside it. */
#ifndef BUFFER_SPOOL_H
#define BUFFER_SPOOL_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/queue.h"
#include "common/rec.h"

enum spool_fsync { SPOOL_FSYNC_NEVER, SPOOL_FSYNC_INTERVAL, SPOOL_FSYNC_ALWAYS };
enum spool_full { SPOOL_FULL_BLOCK, SPOOL_FULL_DROP_OLDEST, SPOOL_FULL_DROP_NEWEST };
/* NONE: records as they are. LZ4: every appended batch goes to disk as one
 * LZ4 frame (the segment's records are the frames' contents, positions are
 * offsets in that content). GZIP: plain segments, gzipped once sealed while a
 * reader waits for them (the compressor thread). */
enum spool_compress { SPOOL_COMPRESS_NONE, SPOOL_COMPRESS_LZ4, SPOOL_COMPRESS_GZIP };

#define SPOOL_SEGMENT_DEFAULT   (64ull * 1024u * 1024u)
#define SPOOL_SEGMENT_MIN       (64ull * 1024u)
#define SPOOL_READ_CHUNK        (1024u * 1024u)

struct spool_opts {
    const char *path;
    uint64_t max_size;              /* bytes of segments; 0: only the disk bounds it */
    uint64_t segment_size;          /* 0: SPOOL_SEGMENT_DEFAULT */
    enum spool_fsync fsync;
    uint32_t fsync_ms;              /* SPOOL_FSYNC_INTERVAL */
    enum spool_full when_full;
    enum spool_compress compress;
    /* Read-only (replay, offline tools on a copy): no writer, nothing changed
     * on disk but the readers' own cursor files; damaged parts are skipped in
     * memory, not truncated or moved. */
    int read_only;
};

struct spool_stats {
    _Atomic uint64_t appended;          /* records written */
    _Atomic uint64_t appended_bytes;    /* bytes of those records */
    _Atomic uint64_t written_bytes;     /* what they took on disk (frames with LZ4) */
    _Atomic uint64_t durable;           /* records on disk under the fsync policy */
    _Atomic uint64_t fsyncs;
    _Atomic uint64_t dropped_newest;    /* records refused while full (drop_newest, or a
                                           batch alone over max_size) */
    _Atomic uint64_t dropped_oldest;    /* unconfirmed records deleted to make room */
    _Atomic uint64_t full_episodes;     /* times the spool became full (or the disk) */
    _Atomic uint64_t enospc;            /* writes the disk refused */
    _Atomic uint64_t corrupt_records;   /* damaged regions skipped while reading */
    _Atomic uint64_t compressed_segments;
};

/* What opening found and did. */
struct spool_recovery {
    uint64_t segments, records, bytes;
    uint64_t torn_bytes;            /* cut from segment tails (a crash mid-write) */
    uint64_t corrupt_regions;       /* damaged regions skipped */
    uint64_t corrupt_bytes;
    uint64_t kept_aside;            /* segments linked into corrupt/ */
    uint64_t next_seq;
};

struct spool;
struct spool_reader;

/* Creates the directory when missing, takes the lock (SL_EIO naming the pid
 * that holds it when another sluice has it), scans every segment (checks
 * every record), truncates torn tails, keeps damaged segments aside in
 * corrupt/ and starts a new segment for appends. */
int  spool_open(struct spool **out, const struct spool_opts *o, struct spool_recovery *rec,
                struct sl_err *err);
/* Persists reader cursors, syncs, releases the lock. Readers and the writer
 * thread must be closed/stopped first. NULL-safe. */
void spool_close(struct spool *s);
const struct spool_stats *spool_stats(const struct spool *s);
/* Bytes of segments on disk, and the segment count. */
void spool_usage(struct spool *s, uint64_t *bytes, uint64_t *segments);

/* Appends a batch: stamps sequence numbers and checks (b is changed), writes
 * it, syncs as the policy says. 0; SL_EFULL when full under `block` or when
 * the disk is full (nothing written; retry later); SL_EIO. Under the drop
 * policies a full spool drops (counted) and returns 0. Writer only. */
int  spool_append(struct spool *s, struct sl_recbatch *b, struct sl_err *err);
/* Syncs what was appended (the interval policy's tick; at stop). */
int  spool_sync(struct spool *s, struct sl_err *err);

/* The writer thread: pops batches from q and appends them; while the spool
 * is full under `block` it stops popping, so q fills and the pipeline pauses
 * its inputs. Syncs on the interval. Stop: after q is closed it drains q,
 * syncs and ends; readers then see the end of the spool. */
int  spool_writer_start(struct spool *s, struct sl_queue *q, struct sl_err *err);
void spool_writer_stop(struct spool *s);

/* A reader named name (a sink; [A-Za-z0-9_.-], up to 64 bytes) starts at its
 * cursor, or at the oldest record when it has none (*fresh set to 1).
 * Records whose time is outside [from_ms, to_ms) are skipped when
 * from_ms < to_ms (replay). */
int  spool_reader_open(struct spool *s, const char *name, int64_t from_ms, int64_t to_ms,
                       struct spool_reader **out, int *fresh, struct sl_err *err);
/* Up to about max_bytes of records (at least one) as a batch the caller
 * owns. 0; SL_ETIMEOUT; SL_ESTOP at the end once the writer stopped (always
 * at the end in read-only mode) or after cancel; SL_EIO. */
int  spool_reader_next(struct spool_reader *r, struct sl_recbatch **out, size_t max_bytes,
                       int timeout_ms);
/* Every record of b is resolved (batches acknowledged in the order they came);
 * frees b. The cursor is persisted at most once a second and at close. */
void spool_reader_done(struct spool_reader *r, struct sl_recbatch *b);
void spool_reader_cancel(struct spool_reader *r);
/* Records and bytes not yet acknowledged by this reader. */
void spool_reader_backlog(struct spool_reader *r, uint64_t *records, uint64_t *bytes);
/* The wall-clock time (ms since the epoch) at which the oldest record this
 * reader has not confirmed was appended; 0 when nothing waits for it. Exact
 * to about a second (coarser after a backlog of more than ~15 minutes of
 * appends: the marks behind it are thinned, at most 1024 are kept; a record
 * recovered at start counts from its segment's creation). Any thread. */
int64_t spool_reader_oldest_ms(struct spool_reader *r);
/* Persists the cursor now; with remove=1 deletes the cursor file instead (a
 * replay that finished). Frees r. NULL-safe. */
int  spool_reader_close(struct spool_reader *r, int remove, struct sl_err *err);

/* ---- offline: `sluice buffer status|check|export`; no lock, no change ---- */

struct spool_seginfo {
    uint64_t segno;
    uint64_t bytes;                 /* file size */
    uint64_t content;               /* bytes of records (uncompressed) */
    uint64_t records;
    uint64_t first_seq, last_seq;
    int64_t  tmin_ms, tmax_ms;      /* event times; INT64_MAX/INT64_MIN when empty */
    uint64_t corrupt_regions, corrupt_bytes;
    uint64_t torn_bytes;            /* an incomplete record at the end */
    int      bad_header;            /* not a segment: recovery would keep it aside */
    int      compressed;            /* a sealed segment gzipped (.seg.gz) */
    int      framed;                /* records in LZ4 frames (buffer.compress: lz4) */
};

struct spool_cursorinfo {
    char     name[72];
    uint64_t seg, off, seq;         /* next record to send */
    uint64_t backlog_records, backlog_bytes;
    int      unreadable;            /* the file exists but cannot be parsed */
};

struct spool_report {
    struct spool_seginfo *segs;
    size_t nsegs;
    struct spool_cursorinfo *cursors;
    size_t ncursors;
    uint64_t records, bytes;
    int64_t tmin_ms, tmax_ms;
    int locked_by_pid;              /* a running sluice holds the lock (0: none) */
    char corrupt_dir_files[8][80];  /* first files already kept aside */
    size_t ncorrupt_files;
};

int  spool_inspect(const char *path, struct spool_report **out, struct sl_err *err);
/* The pid of the process holding the spool's lock (-1: held, pid unknown;
 * 0: free). Cheap: reads no segment. */
int  spool_lock_holder(const char *path);
void spool_report_free(struct spool_report *r);

struct spool_iter;
/* Every valid record in order, across segments (compressed ones too),
 * skipping damaged regions (counted in *skipped when not NULL). */
int  spool_iter_open(const char *path, struct spool_iter **out, struct sl_err *err);
/* 1 with *r (valid until the next call); 0 at the end; SL_EIO. */
int  spool_iter_next(struct spool_iter *it, struct sl_rec *r, struct sl_err *err);
uint64_t spool_iter_skipped(const struct spool_iter *it);
void spool_iter_free(struct spool_iter *it);

#endif
