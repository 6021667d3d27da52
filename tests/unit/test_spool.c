/* tests/unit/test_spool.c: buffer/spool: the record format on disk, appends
 * and readers, cursors, recovery from a torn tail, a flipped byte, a missing
 * cursor and an empty segment, the lock, the bounds (block, drop_newest,
 * drop_oldest), segment deletion, the writer thread (also while segments
 * are deleted behind a reader), offline inspection, a full disk.
 *
 * A full disk on demand: write() is defined here, so the spool's calls (its
 * code is linked into this program) come to it first; while disk_full is set
 * it refuses writes to files (fd > 2) with ENOSPC, and slow_write_us makes
 * each one take that long, so another thread's work lands in the middle. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buffer/spool.h"
#include "common/clock.h"
#include "common/mem.h"
#include "common/queue.h"
#include "common/rec.h"
#include "tests/unit/tu.h"

static char dir[256];

static atomic_int disk_full, slow_write_us;
static atomic_long refused_writes;

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd > 2 && atomic_load(&disk_full)) {
        atomic_fetch_add(&refused_writes, 1);
        errno = ENOSPC;
        return -1;
    }
    if (fd > 2 && atomic_load(&slow_write_us))
        usleep((useconds_t)atomic_load(&slow_write_us));
    return syscall(SYS_write, fd, buf, n);
}

static void fresh_dir(void)
{
    char cmd[400];

    snprintf(dir, sizeof dir, "/tmp/sluice-test-spool.%ld", (long)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* The "spool-lz4" suite runs the tests that do not depend on the plain
 * layout again with buffer.compress: lz4, and documents that LZ4 shrinks by
 * about a third (half of them a hash in hex): segment counts and sizes stay
 * close to the plain suite's, and the LZ4 path is taken, not the stored one. */
static int lz4_mode;

static struct spool_opts opts(void)
{
    struct spool_opts o = { 0 };

    o.path = dir;
    o.fsync = SPOOL_FSYNC_NEVER;
    o.when_full = SPOOL_FULL_BLOCK;
    o.compress = lz4_mode ? SPOOL_COMPRESS_LZ4 : SPOOL_COMPRESS_NONE;
    return o;
}

/* A batch of n records numbered from k: doc {"n":K}, time K*1000 ms (with
 * lz4_mode, {"n":K,"h":"..."}). */
static struct sl_recbatch *batch(int k, int n)
{
    struct sl_recbatch *b = sl_recbatch_new(1024, 64u * 1024u * 1024u);

    for (int i = 0; i < n; i++) {
        char id[SL_ID_LEN + 1], doc[128];
        snprintf(id, sizeof id, "id%020d", k + i);
        size_t m = sl_recbatch_begin(b, id, "", 0, (int64_t)(k + i) * 1000);
        if (lz4_mode) {
            uint64_t h = (uint64_t)(k + i) * 0x9e3779b97f4a7c15ull;
            snprintf(doc, sizeof doc, "{\"n\":%d,\"h\":\"%016llx%016llx\",\"p\":\"pad pad pad\"}",
                     k + i, (unsigned long long)h, (unsigned long long)(h * 31 + 7));
        } else {
            snprintf(doc, sizeof doc, "{\"n\":%d}", k + i);
        }
        sl_buf_puts(&b->data, doc);
        sl_recbatch_commit(b, m);
    }
    return b;
}

static void append(struct spool *s, int k, int n)
{
    struct sl_recbatch *b = batch(k, n);
    struct sl_err err;

    CU_ASSERT_EQUAL(spool_append(s, b, &err), 0);
    sl_recbatch_free(b);
}

static int docnum(const struct sl_rec *r)
{
    return atoi(r->doc + 5);
}

/* Reads everything the reader has; checks the numbers run expect, expect+1,
 * ...; acknowledges each batch. Returns the count. */
static int drain(struct spool_reader *r, int expect)
{
    struct sl_recbatch *b;
    int got = 0;

    while (spool_reader_next(r, &b, 4096, 0) == 0) {
        struct sl_rec rec;
        size_t off = 0;
        while (sl_recbatch_next(b, &off, &rec)) {
            if (docnum(&rec) != expect + got)
                fprintf(stderr, "\n  record %d where %d was expected\n", docnum(&rec),
                        expect + got);
            CU_ASSERT_EQUAL(docnum(&rec), expect + got);
            CU_ASSERT_EQUAL(rec.time_ms, (int64_t)docnum(&rec) * 1000);
            got++;
        }
        spool_reader_done(r, b);
    }
    return got;
}

static int count_files(const char *sub, const char *suffix)
{
    char p[400];
    DIR *d;
    struct dirent *e;
    int n = 0;

    snprintf(p, sizeof p, "%s%s", dir, sub);
    d = opendir(p);
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (l > sl && !strcmp(e->d_name + l - sl, suffix))
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

static void first_segment(char *out, size_t n)
{
    snprintf(out, n, "%s/%020d.seg", dir, 1);
}

static void flip_byte(const char *path, off_t at, unsigned char mask)
{
    unsigned char c;
    int fd = open(path, O_RDWR);

    CU_ASSERT_EQUAL(pread(fd, &c, 1, at), 1);
    c ^= mask;
    CU_ASSERT_EQUAL(pwrite(fd, &c, 1, at), 1);
    close(fd);
}

/* Reads and confirms everything; no record numbered in [lo, hi) may come.
 * Returns the count. */
static int read_all_but(struct spool_reader *r, int lo, int hi)
{
    struct sl_recbatch *b;
    int got = 0;

    while (spool_reader_next(r, &b, 4096, 0) == 0) {
        struct sl_rec rr;
        size_t off = 0;
        while (sl_recbatch_next(b, &off, &rr)) {
            CU_ASSERT(docnum(&rr) < lo || docnum(&rr) >= hi);
            got++;
        }
        spool_reader_done(r, b);
    }
    return got;
}

/* Offline iteration over dir: the records; *skipped, the damage skipped. */
static int iter_count(uint64_t *skipped)
{
    struct spool_iter *it;
    struct sl_err err;
    struct sl_rec rr;
    int got = 0;

    CU_ASSERT_EQUAL_FATAL(spool_iter_open(dir, &it, &err), 0);
    while (spool_iter_next(it, &rr, &err) == 1)
        got++;
    *skipped = spool_iter_skipped(it);
    spool_iter_free(it);
    return got;
}

/* ---- record format ---- */

static void t_record_format(void)
{
    struct sl_recbatch *b = batch(7, 3);
    struct sl_rec r;
    size_t len, off = 0;

    sl_recbatch_stamp(b, 100);
    CU_ASSERT(!memcmp(b->data.data, "SLR1", 4));
    CU_ASSERT_EQUAL(sl_rec_parse(b->data.data, b->data.len, &r, &len), SL_REC_OK);
    CU_ASSERT_EQUAL(r.seq, 100);
    CU_ASSERT_EQUAL(r.time_ms, 7000);
    CU_ASSERT(r.doc_len == 7 && !memcmp(r.doc, "{\"n\":7}", 7));
    CU_ASSERT(!memcmp(r.id, "id00000000000000000007", SL_ID_LEN));
    CU_ASSERT_EQUAL(len, SL_REC_HDR + 7);
    sl_recbatch_next(b, &off, &r);
    sl_recbatch_next(b, &off, &r);
    CU_ASSERT_EQUAL(r.seq, 101);
    /* Cut short: SHORT; a flipped byte in the doc or the length: BAD. */
    CU_ASSERT_EQUAL(sl_rec_parse(b->data.data, len - 1, &r, &len), SL_REC_SHORT);
    CU_ASSERT_EQUAL(sl_rec_parse(b->data.data, 5, &r, &len), SL_REC_SHORT);
    b->data.data[SL_REC_HDR + 2] ^= 0x20;
    CU_ASSERT_EQUAL(sl_rec_parse(b->data.data, b->data.len, &r, &len), SL_REC_BAD);
    /* Resync finds the second record. */
    CU_ASSERT_EQUAL(sl_rec_resync(b->data.data, b->data.len, 1), SL_REC_HDR + 7);
    b->data.data[SL_REC_HDR + 2] ^= 0x20;
    b->data.data[4] ^= 0x01;
    CU_ASSERT_EQUAL(sl_rec_parse(b->data.data, b->data.len, &r, &len), SL_REC_BAD);
    CU_ASSERT_EQUAL(sl_rec_parse("XLR1", 4, &r, &len), SL_REC_BAD);
    sl_recbatch_free(b);
}

/* ---- append, read, cursor ---- */

static void t_roundtrip(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_recbatch *b;
    struct sl_err err;
    uint64_t brec, bbytes;
    int fresh;

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.segments, 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "es1", 0, 0, &r, &fresh, &err), 0);
    CU_ASSERT_EQUAL(fresh, 1);
    CU_ASSERT_EQUAL(spool_reader_next(r, &b, 4096, 0), SL_ETIMEOUT);
    append(s, 0, 100);
    append(s, 100, 50);
    spool_reader_backlog(r, &brec, &bbytes);
    CU_ASSERT_EQUAL(brec, 150);
    CU_ASSERT(bbytes > 150 * SL_REC_HDR);
    /* Read one batch only, acknowledge it, close: the cursor is saved. */
    CU_ASSERT_EQUAL_FATAL(spool_reader_next(r, &b, 1, 0), 0);
    int first = (int)b->count;
    CU_ASSERT(first > 0 && first < 150);
    spool_reader_done(r, b);
    CU_ASSERT_EQUAL(spool_reader_close(r, 0, &err), 0);
    spool_close(s);

    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.records, 150);
    CU_ASSERT_EQUAL(rec.next_seq, 151);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "es1", 0, 0, &r, &fresh, &err), 0);
    CU_ASSERT_EQUAL(fresh, 0);
    spool_reader_backlog(r, &brec, &bbytes);
    CU_ASSERT_EQUAL(brec, (uint64_t)(150 - first));
    CU_ASSERT_EQUAL(drain(r, first), 150 - first);
    append(s, 150, 10);                     /* into the new segment */
    CU_ASSERT_EQUAL(drain(r, 150), 10);
    spool_reader_backlog(r, &brec, &bbytes);
    CU_ASSERT_EQUAL(brec, 0);
    CU_ASSERT_EQUAL(bbytes, 0);
    CU_ASSERT_EQUAL(spool_reader_close(r, 0, &err), 0);
    spool_close(s);
}

/* A second reader (another sink) has its own cursor; segments go only when
 * both confirmed them. */
static void t_two_readers_delete(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *a, *b2;
    struct spool *s;
    struct sl_err err;

    fresh_dir();
    o.segment_size = SPOOL_SEGMENT_MIN;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "a", 0, 0, &a, NULL, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "b", 0, 0, &b2, NULL, &err), 0);
    for (int k = 0; k < 4000; k += 500)
        append(s, k, 500);                  /* ~35 KB a batch: several segments */
    int segs = count_files("", ".seg");
    CU_ASSERT(segs >= 3);
    CU_ASSERT_EQUAL(drain(a, 0), 4000);
    CU_ASSERT_EQUAL(spool_reader_close(a, 0, &err), 0);   /* persists a's cursor */
    CU_ASSERT_EQUAL(count_files("", ".seg"), segs);      /* b still needs them */
    CU_ASSERT_EQUAL(drain(b2, 0), 4000);
    CU_ASSERT_EQUAL(spool_reader_close(b2, 0, &err), 0);
    spool_close(s);
    /* Reopened with both readers: their saved cursors let the old segments go
     * at the first acknowledgement. */
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "a", 0, 0, &a, NULL, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "b", 0, 0, &b2, NULL, &err), 0);
    append(s, 4000, 10);
    usleep(1100 * 1000);                    /* the cursor is saved at most once a second */
    CU_ASSERT_EQUAL(drain(a, 4000), 10);
    CU_ASSERT_EQUAL(drain(b2, 4000), 10);
    CU_ASSERT(count_files("", ".seg") <= 2);
    CU_ASSERT_EQUAL(spool_reader_close(a, 0, &err), 0);
    CU_ASSERT_EQUAL(spool_reader_close(b2, 0, &err), 0);
    spool_close(s);
}

/* ---- recovery ---- */

/* Reopens a spool whose 20 records (one segment, seg) are followed by a torn
 * tail of `torn` bytes: the tail is cut back to `good`, numbering goes on at
 * 21, and a reader gets the 20 and 5 appended after. *rec: what the open found. */
static void reopen_cut(const struct spool_opts *o, const char *seg, uint64_t torn, off_t good,
                       struct spool_recovery *rec)
{
    struct spool_reader *r;
    struct spool *s;
    struct sl_err err;
    struct stat st;

    CU_ASSERT_EQUAL_FATAL(spool_open(&s, o, rec, &err), 0);
    CU_ASSERT_EQUAL(rec->torn_bytes, torn);
    CU_ASSERT_EQUAL(rec->records, 20);
    CU_ASSERT_EQUAL(rec->corrupt_regions, 0);
    CU_ASSERT_EQUAL(rec->next_seq, 21);
    CU_ASSERT_EQUAL(stat(seg, &st), 0);
    CU_ASSERT_EQUAL(st.st_size, good);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    append(s, 20, 5);
    CU_ASSERT_EQUAL(drain(r, 0), 25);
    spool_reader_close(r, 0, &err);
    spool_close(s);
}

static void t_torn_tail(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool *s;
    struct sl_err err;
    struct stat st;
    char seg[400];
    int fd;

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    append(s, 0, 20);
    spool_close(s);
    first_segment(seg, sizeof seg);
    CU_ASSERT_EQUAL_FATAL(stat(seg, &st), 0);
    off_t good = st.st_size;
    /* A crash mid-write: the first 30 bytes of a record (header cut short). */
    struct sl_recbatch *b = batch(20, 1);
    sl_recbatch_stamp(b, 21);
    fd = open(seg, O_WRONLY | O_APPEND);
    CU_ASSERT_EQUAL(write(fd, b->data.data, 30), 30);
    close(fd);
    sl_recbatch_free(b);

    reopen_cut(&o, seg, 30, good, &rec);
}

static void t_flipped_byte(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_err err;
    uint64_t skipped;
    char seg[400];

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    append(s, 0, 100);
    spool_close(s);
    first_segment(seg, sizeof seg);
    /* Flip one byte inside record 50's document. */
    flip_byte(seg, 32 + 10 * (off_t)(SL_REC_HDR + 7) + 40 * (off_t)(SL_REC_HDR + 8) +
                   SL_REC_HDR + 3, 0x04);

    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.corrupt_regions, 1);
    CU_ASSERT_EQUAL(rec.records, 99);
    CU_ASSERT_EQUAL(rec.kept_aside, 1);
    CU_ASSERT_EQUAL(count_files("/corrupt", ".seg"), 1);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    CU_ASSERT_EQUAL(read_all_but(r, 50, 51), 99);
    CU_ASSERT_EQUAL(spool_stats(s)->corrupt_records, 1);
    spool_reader_close(r, 0, &err);
    spool_close(s);

    /* Offline: inspect sees the region, iteration skips it. */
    struct spool_report *rep;
    CU_ASSERT_EQUAL_FATAL(spool_inspect(dir, &rep, &err), 0);
    CU_ASSERT_EQUAL(rep->records, 99);
    CU_ASSERT_EQUAL(rep->segs[0].corrupt_regions, 1);
    CU_ASSERT_EQUAL(rep->ncorrupt_files, 1);
    CU_ASSERT_EQUAL(rep->ncursors, 1);
    CU_ASSERT_EQUAL(rep->cursors[0].backlog_records, 0);
    spool_report_free(rep);
    CU_ASSERT_EQUAL(iter_count(&skipped), 99);
    CU_ASSERT_EQUAL(skipped, 1);
}

static void t_missing_cursor_and_empty_segment(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_err err;
    char p[400];
    int fresh;

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "es1", 0, 0, &r, NULL, &err), 0);
    append(s, 0, 30);
    CU_ASSERT_EQUAL(drain(r, 0), 30);
    spool_reader_close(r, 0, &err);
    spool_close(s);
    /* The cursor file is lost; an empty segment (header only) and a zero-byte
     * one sit beside the data. */
    snprintf(p, sizeof p, "%s/cursor.es1", dir);
    CU_ASSERT_EQUAL(unlink(p), 0);
    snprintf(p, sizeof p, "%s/%020d.seg", dir, 9);
    close(open(p, O_WRONLY | O_CREAT, 0640));

    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.records, 30);
    CU_ASSERT_EQUAL(rec.kept_aside, 1);     /* the zero-byte file: no header */
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "es1", 0, 0, &r, &fresh, &err), 0);
    CU_ASSERT_EQUAL(fresh, 1);
    CU_ASSERT_EQUAL(drain(r, 0), 30);       /* everything again: IDs make it harmless */
    append(s, 30, 3);
    CU_ASSERT_EQUAL(drain(r, 30), 3);
    spool_reader_close(r, 0, &err);
    spool_close(s);
}

static void t_lock(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool *s, *s2;
    struct sl_err err;
    char pid[32];

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    /* flock locks belong to the open file description: a second open in the
     * same process conflicts like another process would. */
    CU_ASSERT_EQUAL(spool_open(&s2, &o, &rec, &err), SL_EIO);
    snprintf(pid, sizeof pid, "pid %ld", (long)getpid());
    TU_ASSERT_HAS(err.msg, "in use by another sluice");
    TU_ASSERT_HAS(err.msg, pid);
    CU_ASSERT_EQUAL(spool_lock_holder(dir), (int)getpid());
    o.read_only = 1;
    CU_ASSERT_EQUAL(spool_open(&s2, &o, &rec, &err), SL_EIO);
    spool_close(s);
    CU_ASSERT_EQUAL(spool_lock_holder(dir), 0);
    CU_ASSERT_EQUAL(spool_open(&s2, &o, &rec, &err), 0);
    spool_close(s2);
}

/* ---- bounds ---- */

static void t_full_block_and_drop_newest(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_recbatch *b;
    struct sl_err err;
    int n = 0;

    fresh_dir();
    o.max_size = 20000;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    for (;;) {
        b = batch(n, 10);
        int rc = spool_append(s, b, &err);
        sl_recbatch_free(b);
        if (rc) {
            CU_ASSERT_EQUAL(rc, SL_EFULL);
            break;
        }
        n += 10;
        CU_ASSERT_FATAL(n < 10000);
    }
    uint64_t bytes, segs;
    spool_usage(s, &bytes, &segs);
    CU_ASSERT(bytes <= 20000);
    CU_ASSERT(n >= 200);
    CU_ASSERT_EQUAL(drain(r, 0), n);
    spool_reader_close(r, 0, &err);
    spool_close(s);

    fresh_dir();
    o.when_full = SPOOL_FULL_DROP_NEWEST;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    for (int k = 0; k < 1000; k += 10)
        append(s, k, 10);                   /* never an error */
    uint64_t dropped = spool_stats(s)->dropped_newest;
    CU_ASSERT(dropped > 0);
    CU_ASSERT_EQUAL(spool_stats(s)->appended + dropped, 1000);
    CU_ASSERT_EQUAL(drain(r, 0), (int)spool_stats(s)->appended);  /* the oldest kept */
    spool_reader_close(r, 0, &err);
    spool_close(s);
}

static void t_full_drop_oldest(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_recbatch *b;
    struct sl_err err;
    int last = -1, got = 0;

    fresh_dir();
    o.max_size = 200000;
    o.segment_size = SPOOL_SEGMENT_MIN;
    o.when_full = SPOOL_FULL_DROP_OLDEST;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    for (int k = 0; k < 20000; k += 100)
        append(s, k, 100);
    uint64_t bytes, segs;
    spool_usage(s, &bytes, &segs);
    CU_ASSERT(bytes <= 200000);
    uint64_t dropped = spool_stats(s)->dropped_oldest;
    CU_ASSERT(dropped > 0);
    /* The newest are kept, in order, with no gap after the first one read. */
    while (spool_reader_next(r, &b, 65536, 0) == 0) {
        struct sl_rec rr;
        size_t off = 0;
        while (sl_recbatch_next(b, &off, &rr)) {
            if (last >= 0)
                CU_ASSERT_EQUAL(docnum(&rr), last + 1);
            last = docnum(&rr);
            got++;
        }
        spool_reader_done(r, b);
    }
    CU_ASSERT_EQUAL(last, 19999);
    CU_ASSERT_EQUAL((uint64_t)got + dropped, 20000);
    spool_reader_close(r, 0, &err);
    spool_close(s);
}

/* ---- the writer thread, a reader thread's view, time filter ---- */

static void t_writer_thread(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_queue *q;
    struct sl_recbatch *b;
    struct sl_err err;
    int got = 0, rc;

    fresh_dir();
    o.fsync = SPOOL_FSYNC_ALWAYS;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    sl_queue_new(&q, 1u << 20);
    CU_ASSERT_EQUAL_FATAL(spool_writer_start(s, q, &err), 0);
    for (int k = 0; k < 5000; k += 50) {
        b = batch(k, 50);
        CU_ASSERT_EQUAL(sl_queue_push(q, &b->node, b->data.len, 1), 0);
    }
    while ((rc = spool_reader_next(r, &b, 65536, 2000)) == 0 || (rc == SL_ETIMEOUT && got < 5000)) {
        if (rc)
            continue;
        struct sl_rec rr;
        size_t off = 0;
        while (sl_recbatch_next(b, &off, &rr)) {
            CU_ASSERT_EQUAL(docnum(&rr), got);
            CU_ASSERT_EQUAL(rr.seq, (uint64_t)got + 1);
            got++;
        }
        spool_reader_done(r, b);
        if (got == 5000)
            break;
    }
    CU_ASSERT_EQUAL(got, 5000);
    spool_writer_stop(s);
    CU_ASSERT_EQUAL(spool_reader_next(r, &b, 65536, 1000), SL_ESTOP);
    CU_ASSERT_EQUAL(spool_stats(s)->durable, 5000);
    CU_ASSERT(spool_stats(s)->fsyncs >= 1);
    spool_reader_close(r, 0, &err);
    spool_close(s);
    sl_queue_free(q);
}

/* Pushes RACE_N records (batches of RACE_BATCH) into the writer's queue. */
#define RACE_N      200000
#define RACE_BATCH  100

static void *race_producer(void *arg)
{
    struct sl_queue *q = arg;

    for (int k = 0; k < RACE_N; k += RACE_BATCH) {
        struct sl_recbatch *b = batch(k, RACE_BATCH);
        if (sl_queue_push(q, &b->node, b->data.len, 1)) {
            sl_recbatch_free(b);
            break;
        }
    }
    return NULL;
}

/* Segments are deleted (the array of segments shifts) while the writer thread
 * appends: its view of the active segment must follow, or a published size
 * lags the file and the reader takes good records for damage. */
static void t_writer_with_deletion(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_queue *q;
    struct sl_recbatch *b;
    struct sl_err err;
    pthread_t th;
    int got = 0, rc, idle = 0;

    fresh_dir();
    o.segment_size = SPOOL_SEGMENT_MIN;     /* ~9 batches a segment: many rotations */
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    sl_queue_new(&q, 256u * 1024u);
    CU_ASSERT_EQUAL_FATAL(spool_writer_start(s, q, &err), 0);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, race_producer, q), 0);
    /* A reader that keeps up goes idle often, and an idle reader saves its
     * cursor, which deletes the segments behind it. */
    while (got < RACE_N && idle < 50) {
        rc = spool_reader_next(r, &b, 16384, 100);
        if (rc == SL_ETIMEOUT) {
            idle++;
            continue;
        }
        if (rc)
            break;
        idle = 0;
        struct sl_rec rr;
        size_t off = 0;
        while (sl_recbatch_next(b, &off, &rr)) {
            if (docnum(&rr) != got) {
                CU_FAIL("a record out of order or missing");
                fprintf(stderr, "\n  record %d where %d was expected\n", docnum(&rr), got);
                got = docnum(&rr);
            }
            got++;
        }
        spool_reader_done(r, b);
    }
    pthread_join(th, NULL);
    spool_writer_stop(s);
    CU_ASSERT_EQUAL(got, RACE_N);
    CU_ASSERT_EQUAL(spool_stats(s)->corrupt_records, 0);
    CU_ASSERT_EQUAL(spool_stats(s)->appended, RACE_N);
    spool_reader_close(r, 0, &err);
    spool_close(s);
    sl_queue_free(q);
}

static void t_read_only_time_filter(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_recbatch *b;
    struct sl_err err;
    int got = 0, rc;

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    append(s, 0, 100);
    spool_close(s);
    o.read_only = 1;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "replay", 20000, 30000, &r, NULL, &err), 0);
    while ((rc = spool_reader_next(r, &b, 4096, -1)) == 0) {
        struct sl_rec rr;
        size_t off = 0;
        while (sl_recbatch_next(b, &off, &rr)) {
            CU_ASSERT(docnum(&rr) >= 20 && docnum(&rr) < 30);
            got++;
        }
        spool_reader_done(r, b);
    }
    CU_ASSERT_EQUAL(rc, SL_ESTOP);          /* read-only: the end is the end */
    CU_ASSERT_EQUAL(got, 10);
    CU_ASSERT_EQUAL(spool_reader_close(r, 1, &err), 0);
    CU_ASSERT_EQUAL(spool_append(s, b = batch(0, 1), &err), SL_EINVAL);
    sl_recbatch_free(b);
    spool_close(s);
    CU_ASSERT_EQUAL(count_files("", ".seg"), 1);   /* nothing deleted, nothing created */
}

/* A reader far behind: sealed segments it waits for are compressed, read
 * back in order, and survive a restart as .seg.gz. */
static void t_compress(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_queue *q;
    struct sl_recbatch *b;
    struct sl_err err;
    uint64_t before, after, segs;

    fresh_dir();
    o.segment_size = SPOOL_SEGMENT_MIN;
    o.compress = SPOOL_COMPRESS_GZIP;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    sl_queue_new(&q, 1u << 20);
    CU_ASSERT_EQUAL_FATAL(spool_writer_start(s, q, &err), 0);
    for (int k = 0; k < 20000; k += 500) {
        b = batch(k, 500);
        CU_ASSERT_EQUAL(sl_queue_push(q, &b->node, b->data.len, 1), 0);
    }
    for (int i = 0; i < 200 && spool_stats(s)->appended < 20000; i++)
        usleep(10000);
    /* What was written, uncompressed (the usage may already be shrinking). */
    before = spool_stats(s)->appended_bytes;
    spool_usage(s, &after, &segs);
    for (int i = 0; i < 500 && spool_stats(s)->compressed_segments + 2 < segs; i++)
        usleep(10000);
    spool_usage(s, &after, &segs);
    CU_ASSERT(spool_stats(s)->compressed_segments >= 3);
    /* Repetitive JSON compresses well. Against the bytes appended, not the
     * usage sampled above: the compressor runs while the writer appends, so
     * that sample may already be partly compressed. */
    CU_ASSERT(before <= spool_stats(s)->appended_bytes + segs * 32);
    CU_ASSERT(after < spool_stats(s)->appended_bytes / 2);
    CU_ASSERT(count_files("", ".seg.gz") >= 3);
    spool_writer_stop(s);
    CU_ASSERT_EQUAL(drain(r, 0), 20000);
    spool_reader_close(r, 0, &err);
    spool_close(s);
    sl_queue_free(q);
    /* The cursor sits at the end; a new reader reads the .gz files again. */
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.records, 20000);
    CU_ASSERT_EQUAL(rec.corrupt_regions, 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "y", 0, 0, &r, NULL, &err), 0);
    CU_ASSERT_EQUAL(drain(r, 0), 20000);
    spool_reader_close(r, 0, &err);
    spool_close(s);
    struct spool_iter *it;
    struct sl_rec rr;
    int got = 0;
    CU_ASSERT_EQUAL_FATAL(spool_iter_open(dir, &it, &err), 0);
    while (spool_iter_next(it, &rr, &err) == 1)
        got++;
    CU_ASSERT_EQUAL(got, 20000);
    spool_iter_free(it);
}

/* On a live spool, sluice deletes confirmed segments while `sluice buffer`
 * reads: a segment listed and then gone is skipped, not an error. */
static void t_iter_segment_gone(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_report *rep;
    struct spool_iter *it;
    struct spool *s;
    struct sl_rec rr;
    struct sl_err err;
    char p[512];
    int got = 0, rc;

    fresh_dir();
    o.segment_size = SPOOL_SEGMENT_MIN;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    for (int k = 0; k < 4000; k += 500)
        append(s, k, 500);                  /* ~35 KB a batch: several segments */
    spool_close(s);
    CU_ASSERT_FATAL(count_files("", ".seg") >= 3);
    CU_ASSERT_EQUAL_FATAL(spool_inspect(dir, &rep, &err), 0);
    int first = (int)rep->segs[0].records;
    spool_report_free(rep);
    CU_ASSERT_EQUAL_FATAL(spool_iter_open(dir, &it, &err), 0);
    snprintf(p, sizeof p, "%s/%020d.seg", dir, 1);
    CU_ASSERT_EQUAL_FATAL(unlink(p), 0);
    while ((rc = spool_iter_next(it, &rr, &err)) == 1) {
        CU_ASSERT_EQUAL(docnum(&rr), first + got);
        got++;
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(first > 0);
    CU_ASSERT_EQUAL(got, 4000 - first);
    CU_ASSERT_EQUAL(spool_iter_skipped(it), 0);
    spool_iter_free(it);
}

/* ---- a full disk ---- */

static int seg_exists(int segno)
{
    char p[400];

    snprintf(p, sizeof p, "%s/%020d.seg", dir, segno);
    return access(p, F_OK) == 0;
}

static void t_disk_full_frees_confirmed(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_recbatch *b;
    struct sl_err err;
    uint64_t bytes, segs, last;

    fresh_dir();
    o.segment_size = SPOOL_SEGMENT_MIN;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    for (int k = 0; k < 3000; k += 100)
        append(s, k, 100);
    spool_usage(s, &bytes, &last);
    CU_ASSERT_FATAL(last >= 3);                 /* segments 1..last, the last one active */
    CU_ASSERT_EQUAL(drain(r, 0), 3000);         /* all confirmed, the cursor not saved yet */
    atomic_store(&disk_full, 1);
    b = batch(3000, 10);
    CU_ASSERT_EQUAL(spool_append(s, b, &err), SL_EFULL);
    CU_ASSERT_EQUAL(spool_append(s, b, &err), SL_EFULL);    /* no new segment either */
    sl_recbatch_free(b);
    CU_ASSERT_EQUAL(spool_stats(s)->enospc, 2);
    /* The reader goes idle: its cursor cannot be written, yet what it
     * confirmed goes, the active segment too (sealed by the refusal). */
    CU_ASSERT_EQUAL(spool_reader_next(r, &b, 4096, 10), SL_ETIMEOUT);
    spool_usage(s, &bytes, &segs);
    CU_ASSERT_EQUAL(segs, 0);
    CU_ASSERT_EQUAL(bytes, 0);
    CU_ASSERT_EQUAL(count_files("", ".seg"), 0);
    /* Space is back: appends resume in a new segment numbered after the
     * last one, and the reader goes on with them. */
    atomic_store(&disk_full, 0);
    append(s, 3000, 10);
    CU_ASSERT_EQUAL(count_files("", ".seg"), 1);
    CU_ASSERT(seg_exists((int)last + 1));
    CU_ASSERT_EQUAL(drain(r, 3000), 10);
    CU_ASSERT_EQUAL(spool_reader_close(r, 0, &err), 0);
    spool_close(s);
    /* A restart resumes from the cursor written at close: nothing again. */
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.records, 10);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    CU_ASSERT_EQUAL(drain(r, 3010), 0);
    spool_reader_close(r, 0, &err);
    spool_close(s);
}

static void t_disk_full_one_segment(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_recbatch *b;
    struct sl_err err;
    uint64_t bytes, segs;

    /* The default segment size is larger than this "disk": the active
     * segment alone fills it, with nothing sealed to delete. */
    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    append(s, 0, 200);
    atomic_store(&disk_full, 1);
    b = batch(200, 10);
    CU_ASSERT_EQUAL(spool_append(s, b, &err), SL_EFULL);
    sl_recbatch_free(b);
    CU_ASSERT_EQUAL(drain(r, 0), 200);
    CU_ASSERT_EQUAL(spool_reader_next(r, &b, 4096, 10), SL_ETIMEOUT);
    spool_usage(s, &bytes, &segs);
    CU_ASSERT_EQUAL(segs, 0);
    atomic_store(&disk_full, 0);
    append(s, 200, 10);
    CU_ASSERT(seg_exists(2));                   /* numbers go on, not back to 1 */
    CU_ASSERT_EQUAL(drain(r, 200), 10);
    spool_reader_close(r, 0, &err);
    spool_close(s);
}

struct reader_job {
    struct spool_reader *r;
    int want, got, in_order;
};

static void *reader_thread(void *arg)
{
    struct reader_job *j = arg;
    struct sl_recbatch *b;
    int idle = 0;

    j->in_order = 1;
    while (j->got < j->want && idle < 100) {
        int rc = spool_reader_next(j->r, &b, 4096, 100);
        if (rc == SL_ETIMEOUT) {
            idle++;
            continue;
        }
        if (rc)
            break;
        idle = 0;
        struct sl_rec rec;
        size_t off = 0;
        while (sl_recbatch_next(b, &off, &rec)) {
            if (docnum(&rec) != j->got)
                j->in_order = 0;
            j->got++;
        }
        spool_reader_done(j->r, b);
    }
    return NULL;
}

/* The writer appends while a reader confirms and the segments behind it are
 * deleted; slow writes put those deletions in the middle of appends. Every
 * record must reach the reader, once, in order. */
static void t_delete_during_append(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct reader_job j = { 0 };
    struct spool *s;
    struct sl_queue *q;
    struct sl_recbatch *b;
    struct sl_err err;
    pthread_t th;
    const int n = 20000;

    fresh_dir();
    o.segment_size = SPOOL_SEGMENT_MIN;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &j.r, NULL, &err), 0);
    j.want = n;
    sl_queue_new(&q, 64u * 1024u);
    atomic_store(&slow_write_us, 100);
    CU_ASSERT_EQUAL_FATAL(spool_writer_start(s, q, &err), 0);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, reader_thread, &j), 0);
    for (int k = 0; k < n; k += 10) {
        b = batch(k, 10);
        CU_ASSERT_EQUAL(sl_queue_push(q, &b->node, b->data.len, 1), 0);
    }
    pthread_join(th, NULL);
    atomic_store(&slow_write_us, 0);
    spool_writer_stop(s);
    CU_ASSERT_EQUAL(j.got, n);
    CU_ASSERT(j.in_order);
    CU_ASSERT_EQUAL(spool_stats(s)->corrupt_records, 0);
    spool_reader_close(j.r, 0, &err);
    spool_close(s);
    sl_queue_free(q);
}

/* Under `block`, the writer waits for room; what it appended before must
 * still reach the disk on the fsync interval, not when the wait ends. */
static void t_blocked_writer_syncs(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_queue *q;
    struct sl_recbatch *b;
    struct sl_err err;

    fresh_dir();
    o.max_size = 20000;
    o.fsync = SPOOL_FSYNC_INTERVAL;
    o.fsync_ms = 10;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    sl_queue_new(&q, 1u << 20);
    /* Queued before the writer starts: one group, no sync inside it. */
    for (int k = 0; k < 1000; k += 10) {
        b = batch(k, 10);
        CU_ASSERT_EQUAL(sl_queue_push(q, &b->node, b->data.len, 1), 0);
    }
    CU_ASSERT_EQUAL_FATAL(spool_writer_start(s, q, &err), 0);
    for (int i = 0; i < 300 && !spool_stats(s)->full_episodes; i++)
        usleep(10000);
    CU_ASSERT_FATAL(spool_stats(s)->full_episodes == 1);
    uint64_t appended = spool_stats(s)->appended;
    CU_ASSERT(appended > 0 && appended < 1000);
    for (int i = 0; i < 300 && spool_stats(s)->durable < appended; i++)
        usleep(10000);
    CU_ASSERT_EQUAL(spool_stats(s)->durable, appended);
    CU_ASSERT_EQUAL(spool_stats(s)->appended, appended);    /* still blocked */
    spool_writer_stop(s);                       /* a stop writes the rest past max_size */
    CU_ASSERT_EQUAL(spool_stats(s)->durable, 1000);
    CU_ASSERT_EQUAL(drain(r, 0), 1000);
    spool_reader_close(r, 0, &err);
    spool_close(s);
    sl_queue_free(q);
}

/* A stop with the disk full gives the disk its grace once, then drops what is
 * still queued at once (counted), instead of the grace again per batch. */
static void t_stop_disk_full(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool *s;
    struct sl_queue *q;
    struct sl_recbatch *b;
    struct sl_err err;

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    sl_queue_new(&q, 1u << 20);
    atomic_store(&disk_full, 1);
    atomic_store(&refused_writes, 0);
    for (int k = 0; k < 40; k += 10) {
        b = batch(k, 10);
        CU_ASSERT_EQUAL(sl_queue_push(q, &b->node, b->data.len, 1), 0);
    }
    CU_ASSERT_EQUAL_FATAL(spool_writer_start(s, q, &err), 0);
    for (int i = 0; i < 300 && !spool_stats(s)->enospc; i++)
        usleep(10000);
    spool_writer_stop(s);
    atomic_store(&disk_full, 0);
    CU_ASSERT_EQUAL(spool_stats(s)->dropped_newest, 40);
    CU_ASSERT_EQUAL(spool_stats(s)->appended, 0);
    /* The first batch: a try or two before the stop and six after; then one
     * try for each of the three others (six each would be 25 in all). */
    CU_ASSERT(atomic_load(&refused_writes) <= 2 + 6 + 3);
    spool_close(s);
    sl_queue_free(q);
}

/* The append time of a sink's oldest unconfirmed record: within the
 * appends' own wall-clock window, 0 once everything is confirmed, and after
 * a restart the time its segment was created (no earlier than its open). */
static void t_oldest_age(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_err err;
    int fresh;
    int64_t t0, t1, t2, ms;

    fresh_dir();
    t0 = sl_clock_real_ns() / 1000000;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "es1", 0, 0, &r, &fresh, &err), 0);
    CU_ASSERT_EQUAL(spool_reader_oldest_ms(r), 0);          /* nothing waits */
    t1 = sl_clock_real_ns() / 1000000;
    append(s, 0, 10);
    append(s, 10, 10);
    t2 = sl_clock_real_ns() / 1000000;
    ms = spool_reader_oldest_ms(r);
    CU_ASSERT(ms >= t1 && ms <= t2);
    CU_ASSERT_EQUAL(spool_reader_close(r, 0, &err), 0);
    spool_close(s);

    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "es1", 0, 0, &r, &fresh, &err), 0);
    ms = spool_reader_oldest_ms(r);
    CU_ASSERT(ms >= t0 && ms <= t2);
    CU_ASSERT_EQUAL(drain(r, 0), 20);
    CU_ASSERT_EQUAL(spool_reader_oldest_ms(r), 0);
    append(s, 20, 5);
    /* Marks are at most one a second: exact to that much. */
    CU_ASSERT(spool_reader_oldest_ms(r) >= t2 - 1000);
    CU_ASSERT_EQUAL(drain(r, 20), 5);
    CU_ASSERT_EQUAL(spool_reader_oldest_ms(r), 0);
    CU_ASSERT_EQUAL(spool_reader_close(r, 0, &err), 0);
    spool_close(s);
}

/* ---- buffer.compress: lz4 (the spool-lz4 suite) ---- */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* File offsets of the frames in a framed segment (after the 32-byte header). */
static int frame_offsets(const char *seg, off_t *offs, int max)
{
    unsigned char h[24];
    off_t at = 32;
    int n = 0, fd = open(seg, O_RDONLY);

    while (fd >= 0 && n < max && pread(fd, h, sizeof h, at) == (ssize_t)sizeof h) {
        offs[n++] = at;
        at += 24 + (off_t)le32(h + 8);
    }
    if (fd >= 0)
        close(fd);
    return n;
}

/* The format: version 2 header, one frame per batch, smaller than the
 * records; what is read, inspected and iterated is the records as written. */
static void t_lz4_format(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_err err;
    struct stat st;
    char seg[400];
    unsigned char h[32];
    off_t offs[16];
    int fd;

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    append(s, 0, 300);
    append(s, 300, 300);
    append(s, 600, 300);
    const struct spool_stats *ss = spool_stats(s);
    CU_ASSERT_EQUAL(ss->appended, 900);
    CU_ASSERT(ss->written_bytes * 4 < ss->appended_bytes * 3);  /* LZ4 did shrink them */
    CU_ASSERT_EQUAL(drain(r, 0), 900);
    spool_reader_close(r, 0, &err);
    spool_close(s);

    first_segment(seg, sizeof seg);
    fd = open(seg, O_RDONLY);
    CU_ASSERT_EQUAL(pread(fd, h, sizeof h, 0), (ssize_t)sizeof h);
    close(fd);
    CU_ASSERT_EQUAL(memcmp(h, "SLSPOOL1", 8), 0);
    CU_ASSERT_EQUAL(h[8], 2);
    CU_ASSERT_EQUAL(frame_offsets(seg, offs, 16), 3);
    CU_ASSERT_EQUAL(stat(seg, &st), 0);

    struct spool_report *rep;
    CU_ASSERT_EQUAL_FATAL(spool_inspect(dir, &rep, &err), 0);
    CU_ASSERT_EQUAL(rep->records, 900);
    CU_ASSERT(rep->nsegs >= 1 && rep->segs[0].framed);
    CU_ASSERT_EQUAL(rep->segs[0].bytes, (uint64_t)st.st_size);
    CU_ASSERT(rep->segs[0].content > rep->segs[0].bytes);
    CU_ASSERT_EQUAL(rep->segs[0].corrupt_regions + rep->segs[0].torn_bytes, 0);
    spool_report_free(rep);

    struct spool_iter *it;
    struct sl_rec rr;
    int got = 0;
    CU_ASSERT_EQUAL_FATAL(spool_iter_open(dir, &it, &err), 0);
    while (spool_iter_next(it, &rr, &err) == 1) {
        CU_ASSERT_EQUAL(docnum(&rr), got);
        CU_ASSERT_EQUAL(rr.seq, (uint64_t)got + 1);
        got++;
    }
    CU_ASSERT_EQUAL(got, 900);
    CU_ASSERT_EQUAL(spool_iter_skipped(it), 0);
    spool_iter_free(it);
}

/* A crash in the middle of a frame's write: the cut frame goes, the frames
 * before it stay, numbering goes on after them. */
static void t_lz4_torn_tail(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool *s;
    struct sl_err err;
    struct stat st;
    char seg[400];
    off_t offs[8];

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    append(s, 0, 20);
    append(s, 20, 20);
    spool_close(s);
    first_segment(seg, sizeof seg);
    CU_ASSERT_EQUAL_FATAL(frame_offsets(seg, offs, 8), 2);
    CU_ASSERT_EQUAL_FATAL(stat(seg, &st), 0);
    CU_ASSERT_EQUAL(truncate(seg, st.st_size - 7), 0);

    /* Cut back to the last whole frame. */
    reopen_cut(&o, seg, (uint64_t)(st.st_size - 7 - offs[1]), offs[1], &rec);
    CU_ASSERT_EQUAL(rec.kept_aside, 0);
}

/* A flipped bit inside a frame loses that frame's records only: the frames
 * after it are found and read, the segment is kept aside, the offline tools
 * see the same. */
static void t_lz4_flipped_byte(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_err err;
    struct stat st;
    uint64_t skipped;
    char seg[400];
    off_t offs[8];

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    append(s, 0, 30);
    append(s, 30, 30);
    append(s, 60, 30);
    spool_close(s);
    first_segment(seg, sizeof seg);
    CU_ASSERT_EQUAL_FATAL(frame_offsets(seg, offs, 8), 3);
    flip_byte(seg, offs[1] + 24 + (offs[2] - offs[1] - 24) / 2, 0x10);

    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.corrupt_regions, 1);
    CU_ASSERT_EQUAL(rec.records, 60);
    CU_ASSERT_EQUAL(rec.kept_aside, 1);
    CU_ASSERT_EQUAL(rec.next_seq, 91);
    CU_ASSERT_EQUAL(count_files("/corrupt", ".seg"), 1);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    CU_ASSERT_EQUAL(read_all_but(r, 30, 60), 60);
    CU_ASSERT_EQUAL(spool_stats(s)->corrupt_records, 1);    /* one region, many reads */
    spool_reader_close(r, 0, &err);
    spool_close(s);

    struct spool_report *rep;
    CU_ASSERT_EQUAL_FATAL(spool_inspect(dir, &rep, &err), 0);
    CU_ASSERT_EQUAL(rep->records, 60);
    CU_ASSERT_EQUAL(rep->segs[0].corrupt_regions, 1);
    CU_ASSERT_EQUAL(rep->segs[0].torn_bytes, 0);
    spool_report_free(rep);
    CU_ASSERT_EQUAL(iter_count(&skipped), 60);
    CU_ASSERT_EQUAL(skipped, 1);

    /* Damage in the last frame, nothing valid after it: a damaged region at
     * the end, not a torn tail (the frame is whole). */
    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    append(s, 0, 30);
    append(s, 30, 30);
    spool_close(s);
    CU_ASSERT_EQUAL_FATAL(frame_offsets(seg, offs, 8), 2);
    flip_byte(seg, offs[1] + 30, 0x01);
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.corrupt_regions, 1);
    CU_ASSERT_EQUAL(rec.torn_bytes, 0);
    CU_ASSERT_EQUAL(rec.records, 30);
    CU_ASSERT_EQUAL(rec.next_seq, 31);
    spool_close(s);

    /* Both: damage in the second of three frames, the third cut short. The
     * damage stays (skipped, segment kept aside), the cut frame is cut. */
    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    append(s, 0, 30);
    append(s, 30, 30);
    append(s, 60, 30);
    spool_close(s);
    CU_ASSERT_EQUAL_FATAL(frame_offsets(seg, offs, 8), 3);
    flip_byte(seg, offs[1] + 40, 0x01);
    CU_ASSERT_EQUAL(stat(seg, &st), 0);
    CU_ASSERT_EQUAL(truncate(seg, st.st_size - 5), 0);
    CU_ASSERT_EQUAL(iter_count(&skipped), 30);
    CU_ASSERT_EQUAL(skipped, 2);            /* the damaged frame, the cut one */
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.corrupt_regions, 1);
    CU_ASSERT_EQUAL(rec.torn_bytes, (uint64_t)(st.st_size - 5 - offs[2]));
    CU_ASSERT_EQUAL(rec.records, 30);
    CU_ASSERT_EQUAL(stat(seg, &st), 0);
    CU_ASSERT_EQUAL(st.st_size, offs[2]);
    spool_close(s);
}

/* A cursor inside a frame (delivery confirmed part of a batch's records):
 * after a restart the reader goes on at the next record, over earlier frames
 * by their headers. */
static void t_lz4_cursor_inside_frame(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_recbatch *b;
    struct sl_err err;
    int confirmed = 0;

    fresh_dir();
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    append(s, 0, 200);
    append(s, 200, 200);
    append(s, 400, 200);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    /* Small reads: a batch holds a part of a frame; confirm up to ~record 300. */
    while (confirmed < 300 && spool_reader_next(r, &b, 4096, 0) == 0) {
        confirmed += (int)b->count;
        spool_reader_done(r, b);
    }
    CU_ASSERT(confirmed >= 300 && confirmed < 400);
    spool_reader_close(r, 0, &err);
    spool_close(s);

    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    CU_ASSERT_EQUAL(drain(r, confirmed), 600 - confirmed);
    spool_reader_close(r, 0, &err);
    spool_close(s);
}

/* A spool written with compress: none, then lz4, then none again (the setting
 * changed between runs): every segment is read in its own form, in order. */
static void t_lz4_mixed_spool(void)
{
    struct spool_opts o = opts();
    struct spool_recovery rec;
    struct spool_reader *r;
    struct spool *s;
    struct sl_err err;

    fresh_dir();
    o.compress = SPOOL_COMPRESS_NONE;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    append(s, 0, 50);
    spool_close(s);
    o.compress = SPOOL_COMPRESS_LZ4;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.records, 50);
    append(s, 50, 50);
    spool_close(s);
    o.compress = SPOOL_COMPRESS_NONE;
    CU_ASSERT_EQUAL_FATAL(spool_open(&s, &o, &rec, &err), 0);
    CU_ASSERT_EQUAL(rec.records, 100);
    CU_ASSERT_EQUAL(rec.next_seq, 101);
    append(s, 100, 50);
    CU_ASSERT_EQUAL_FATAL(spool_reader_open(s, "x", 0, 0, &r, NULL, &err), 0);
    CU_ASSERT_EQUAL(drain(r, 0), 150);
    spool_reader_close(r, 0, &err);
    spool_close(s);

    struct spool_report *rep;
    CU_ASSERT_EQUAL_FATAL(spool_inspect(dir, &rep, &err), 0);
    int framed = 0;
    for (size_t i = 0; i < rep->nsegs; i++)
        framed += rep->segs[i].framed;
    CU_ASSERT_EQUAL(framed, 1);
    spool_report_free(rep);
}

/* Tests run in both suites: they do not depend on the plain layout. */
#define SHARED_TESTS \
    { "append, read, cursor saved and resumed", t_roundtrip }, \
    { "two readers; segments deleted once both confirmed", t_two_readers_delete }, \
    { "recovery: missing cursor, empty segment", t_missing_cursor_and_empty_segment }, \
    { "full: block and drop_newest", t_full_block_and_drop_newest }, \
    { "full: drop_oldest", t_full_drop_oldest }, \
    { "writer thread, fsync always, end of spool", t_writer_thread }, \
    { "writer thread while segments are deleted behind a reader: every record once, none damaged", \
      t_writer_with_deletion }, \
    { "read-only open, time filter", t_read_only_time_filter }, \
    { "iteration skips a segment deleted after the listing (a live spool)", t_iter_segment_gone }, \
    { "disk full: confirmed segments go though the cursor cannot be saved; appends resume", \
      t_disk_full_frees_confirmed }, \
    { "disk full with one active segment: sealed, deleted once confirmed, numbers go on", \
      t_disk_full_one_segment }, \
    { "segments deleted during appends: every record read once, in order", \
      t_delete_during_append }, \
    { "a writer blocked on max_size still syncs what it appended", t_blocked_writer_syncs }, \
    { "a stop with the disk full waits once, then drops the queued batches (counted)", \
      t_stop_disk_full }, \
    { "oldest unconfirmed record's append time: in its window, 0 when confirmed, after a " \
      "restart", t_oldest_age },

static int lz4_on(void)
{
    lz4_mode = 1;
    return 0;
}

static int lz4_off(void)
{
    lz4_mode = 0;
    return 0;
}

static CU_TestInfo lz4_tests[] = {
    { "lz4: format, stats, inspect, iteration", t_lz4_format },
    { "lz4: a frame cut by a crash is cut, the frames before it kept", t_lz4_torn_tail },
    { "lz4: a flipped byte loses its frame only; the frames after it read", t_lz4_flipped_byte },
    { "lz4: a cursor inside a frame resumes at the next record", t_lz4_cursor_inside_frame },
    { "lz4: a spool of plain and framed segments reads in order", t_lz4_mixed_spool },
    SHARED_TESTS
    CU_TEST_INFO_NULL,
};

static CU_TestInfo tests[] = {
    { "compression of sealed segments a reader waits for", t_compress },
    { "record format: stamp, parse, short, bad, resync", t_record_format },
    { "recovery: torn tail cut", t_torn_tail },
    { "recovery: flipped byte skipped, segment kept aside", t_flipped_byte },
    { "lock: a second open is refused with the pid; spool_lock_holder names it, 0 once free",
      t_lock },
    SHARED_TESTS
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "spool", NULL, NULL, NULL, NULL, tests },
    { "spool-lz4", lz4_on, lz4_off, NULL, NULL, lz4_tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    int rc = tu_main(argc, argv, suites);
    char cmd[400];

    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (dir[0] && system(cmd))
        rc++;
    return rc;
}
