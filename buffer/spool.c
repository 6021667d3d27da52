/* buffer/spool.c: segments, appends, readers with cursors, recovery.
 *
 * Files in the spool directory:
 *   LOCK                      flock()ed by the process using the spool; holds its pid
 *   00000000000000000007.seg  a segment: a 32-byte header, then records (common/rec.h),
 *                             or (header version 2) LZ4 frames whose contents are records
 *   00000000000000000006.seg.gz  a sealed segment, compressed (read with gzread)
 *   cursor.<reader>           "seg=S off=O seq=Q": the next record the reader has
 *                             not confirmed; replaced atomically (write, fsync, rename)
 *   corrupt/                  hard links to segments found damaged, kept for a person
 *
 * Positions are (segment number, byte offset in the uncompressed segment):
 * for a framed segment, the offset in the concatenation of the header and the
 * frames' contents, so cursors, readers and scans work the same on all three
 * forms and only the stream below (struct sstream) knows the difference.
 * A segment is appended by one writer and never rewritten, except that
 * recovery cuts a torn tail. After a restart appends go to a new segment, so
 * a segment that was sealed is never reopened for writing.
 *
 * Readers see what was written, not only what was synced: sending a record
 * before its fsync is harmless (its ID makes a re-send a duplicate), and it
 * keeps delivery latency independent of the fsync policy. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <lz4.h>
#include <xxhash.h>
#include <zlib.h>

#include "buffer/spool.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"

#define SEG_MAGIC   "SLSPOOL1"
#define SEG_HDR     32u
#define SEG_V_PLAIN 1               /* header version byte: records back to back */
#define SEG_V_LZ4   2               /* records inside LZ4 frames */
/* A frame, little-endian: 0 u32 magic "SLZ1", 4 u32 check (low 32 bits of
 * XXH3-64 over bytes [8, end), seeded with clen), 8 u32 clen (payload bytes),
 * 12 u32 rlen (content bytes), 16 u64 roff (the content's offset in the
 * segment), 24 payload: LZ4 block, or the content as is when clen == rlen
 * (LZ4 could not make it smaller). One frame per appended batch, written with
 * one write(): a crash leaves at most one frame's prefix, a torn tail. */
#define FRAME_MAGIC 0x315a4c53u     /* "SLZ1" read as little-endian bytes */
#define FRAME_HDR   24u
#define FRAME_RMAX  (SL_REC_MAX + 64u * 1024u * 1024u)  /* a batch's ceiling, with room */
#define CURSOR_MS   1000u
/* Append-time marks (buffered age): at most one per MARK_GAP_MS at first,
 * MARKS_MAX of them; when full, marks behind every reader go, then every
 * other one (the gap doubles), so an age is off by at most the gap. */
#define MARKS_MAX   1024u
#define MARK_GAP_MS 1000u

struct seg {
    uint64_t segno;
    uint64_t size;          /* bytes published (whole file once sealed), uncompressed */
    uint64_t disk;          /* bytes on disk (the .gz's size once compressed) */
    uint64_t records;
    uint64_t first_seq;     /* valid when records > 0 */
    int64_t  created_ms;    /* the header's wall-clock time */
    int      sealed;
    int      compressed;
    int      framed;
};

struct spool {
    struct spool_opts o;
    char *path;
    int lockfd;
    pthread_mutex_t mu;
    pthread_cond_t data;            /* readers: new records, writer stopped, cancel */
    pthread_cond_t space;           /* writer: segments deleted */
    struct seg *segs;               /* ascending; the last is the active one (writer) */
    size_t nsegs, capsegs;
    uint64_t disk_bytes;
    uint64_t next_seq;
    int wfd;                        /* the active segment; -1 read-only, or sealed
                                       early by a full disk (the next append opens one) */
    uint64_t last_segno;            /* numbers only grow, even when every file went */
    int stop_dropping;              /* a stop gave up on the full disk once */
    uint64_t unsynced;              /* records written since the last sync */
    uint64_t last_sync_ms;
    int writer_done;
    _Atomic int stopping;
    struct spool_reader **readers;
    size_t nreaders;
    struct spool_stats st;
    /* (seq, wall ms): records from seq on were appended at or after ms, and
     * before ms + mark_gap unless a later mark says otherwise. Under mu. */
    struct { uint64_t seq; int64_t ms; } marks[MARKS_MAX];
    size_t nmarks;
    uint64_t mark_gap_ms;

    pthread_t th;
    int th_started;
    pthread_t zth;                  /* the compressor (opts.compress) */
    int zth_started;
    struct sl_queue *q;
    struct sl_episode full_ep, nospc_ep;
    /* The writer's frame (LZ4): built once per batch and sequence number. */
    char *zb;
    size_t zcap, zlen;
    const struct sl_recbatch *zfor;
    uint64_t zseq;
};

struct sstream {
    int fd;
    gzFile gz;
    uint64_t pos;                   /* content offset of the next byte returned */
    /* Framed segments (header version 2): the content is the header, then
     * each frame's content in turn. A damaged frame's content is returned as
     * zeros up to the next valid frame's offset, so the record scan above
     * sees a damaged region there and skips it as in a plain segment. */
    int framed;
    unsigned char hdr[SEG_HDR];
    uint64_t fpos;                  /* file offset of the next frame */
    char *raw, *z;                  /* the current frame's content; a frame as read */
    size_t rawcap, zcap, rlen, rat;
    uint64_t hole;                  /* zeros to return before the current frame */
    uint64_t good_end;              /* file offset after the last valid frame */
    uint64_t torn, torn_at;         /* a frame cut short at the end of the file: bytes, where */
    uint64_t bad_regions, bad_bytes;    /* damage at the end with no frame after it */
};

struct spool_reader {
    struct spool *s;
    char name[72];
    uint64_t seg, off;              /* next byte to read */
    uint64_t ack_seg, ack_off, ack_seq;
    uint64_t saved_seg;             /* as persisted: what deletion may trust */
    uint64_t saved_ms;
    int dirty;
    int64_t from_ms, to_ms;
    int cancelled;
    int in_damage;                  /* the last read ended inside a damaged region */
    /* The open segment's stream (plain, gzip or framed); bytes already read
     * past `off` wait in `carry` (a record cut by the end of a read). */
    uint64_t fseg;
    int open;
    struct sstream ss;
    struct sl_buf carry;
};

/* ---- little helpers ---- */

static void put64le(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put32le(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (char)(v >> (8 * i));
}

static uint32_t get32le(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

static uint64_t get64le(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void seg_name(char *out, size_t n, const char *dir, uint64_t segno, int gz)
{
    snprintf(out, n, "%s/%020" PRIu64 ".seg%s", dir, segno, gz ? ".gz" : "");
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    int rc = 0;

    if (fd < 0)
        return -1;
    if (fsync(fd))
        rc = -1;
    close(fd);
    return rc;
}

static int valid_name(const char *name)
{
    size_t n = strlen(name);

    if (!n || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return name[0] != '.';
}

/* A segment file name: 20 digits, ".seg" or ".seg.gz". */
static int parse_seg_name(const char *n, uint64_t *segno, int *gz)
{
    size_t len = strlen(n);
    char *end;

    if (len < 24 || strspn(n, "0123456789") != 20)
        return 0;
    if (!strcmp(n + 20, ".seg"))
        *gz = 0;
    else if (!strcmp(n + 20, ".seg.gz"))
        *gz = 1;
    else
        return 0;
    *segno = strtoull(n, &end, 10);
    return 1;
}

/* ---- a sequential segment stream: plain, gzip, or LZ4 frames ---- */


static uint32_t frame_check(const char *f, uint32_t clen)
{
    return (uint32_t)XXH3_64bits_withSeed(f + 8, FRAME_HDR - 8 + clen, clen);
}

/* Plausible header at f: magic and sizes that can be (the check decides). */
static int frame_plausible(const char *f, uint64_t *clen, uint64_t *rlen, uint64_t *roff)
{
    if (get32le(f) != FRAME_MAGIC)
        return 0;
    *clen = get32le(f + 8);
    *rlen = get32le(f + 12);
    *roff = get64le((const unsigned char *)f + 16);
    return *rlen > 0 && *rlen <= FRAME_RMAX && *roff >= SEG_HDR &&
           *clen <= (uint64_t)LZ4_compressBound((int)*rlen) && *clen > 0;
}

static int ss_pread(int fd, void *buf, size_t n, uint64_t at, size_t *got)
{
    size_t have = 0;

    while (have < n) {
        ssize_t k = pread(fd, (char *)buf + have, n - have, (off_t)(at + have));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        have += (size_t)k;
    }
    *got = have;
    return 0;
}

/* Reads and verifies the frame at ss->fpos into ss->raw. 1: a valid frame;
 * 0: none there (end of file, a cut frame, damage); -1: I/O error. */
static int frame_at(struct sstream *ss, uint64_t *roff)
{
    uint64_t clen, rlen;
    size_t got;

    if (ss->zcap < FRAME_HDR) {
        ss->zcap = 64u * 1024u;
        ss->z = sl_realloc(ss->z, ss->zcap);
    }
    if (ss_pread(ss->fd, ss->z, FRAME_HDR, ss->fpos, &got))
        return -1;
    if (got < FRAME_HDR || !frame_plausible(ss->z, &clen, &rlen, roff))
        return 0;
    if (FRAME_HDR + clen > ss->zcap) {
        ss->zcap = FRAME_HDR + clen;
        ss->z = sl_realloc(ss->z, ss->zcap);
    }
    if (ss_pread(ss->fd, ss->z + FRAME_HDR, clen, ss->fpos + FRAME_HDR, &got))
        return -1;
    if (got < clen || frame_check(ss->z, (uint32_t)clen) != get32le(ss->z + 4))
        return 0;
    if (rlen > ss->rawcap) {
        ss->rawcap = rlen;
        ss->raw = sl_realloc(ss->raw, ss->rawcap);
    }
    if (clen == rlen)
        memcpy(ss->raw, ss->z + FRAME_HDR, rlen);
    else if (LZ4_decompress_safe(ss->z + FRAME_HDR, ss->raw, (int)clen, (int)rlen) != (int)rlen)
        return 0;
    ss->rlen = rlen;
    ss->rat = 0;
    return 1;
}

/* A plausible frame header at file offset at whose frame runs past size. */
static int frame_cut(struct sstream *ss, uint64_t at, uint64_t size)
{
    char h[FRAME_HDR];
    uint64_t clen, rlen, roff;
    size_t got;

    if (ss_pread(ss->fd, h, FRAME_HDR, at, &got))
        return 0;
    if (got < FRAME_HDR)
        return at < size;
    return frame_plausible(h, &clen, &rlen, &roff) && at + FRAME_HDR + clen > size;
}

/* The next valid frame after damage at ss->fpos: found (1, fpos moved) or not
 * (0: the rest of the file is damage, or ends with a frame cut short, whose
 * offset is put in *cut; size when there is none). */
static int frame_resync(struct sstream *ss, uint64_t *roff, uint64_t size, uint64_t *cut)
{
    char buf[64 * 1024];
    uint64_t at = ss->fpos + 1;
    size_t got;

    *cut = size;
    for (;;) {
        if (ss_pread(ss->fd, buf, sizeof buf, at, &got))
            return -1;
        if (got < 4)
            return 0;
        for (size_t i = 0; i + 4 <= got; i++) {
            if (get32le(buf + i) != FRAME_MAGIC)
                continue;
            uint64_t keep = ss->fpos;
            ss->fpos = at + i;
            int rc = frame_at(ss, roff);
            if (rc)
                return rc;
            ss->fpos = keep;
            if (*cut == size && frame_cut(ss, at + i, size))
                *cut = at + i;
        }
        at += got - 3;
    }
}

/* Moves to the next frame: sets hole and the content. 1, 0 at the end, -1. */
static int frame_next(struct sstream *ss)
{
    for (;;) {
        uint64_t roff, start = ss->fpos;
        struct stat st;
        int rc = frame_at(ss, &roff);

        if (rc == 0) {
            if (fstat(ss->fd, &st))
                return -1;
            uint64_t size = (uint64_t)st.st_size;
            if (start >= size)
                return 0;
            /* Damage, unless no valid frame follows and this one runs past
             * the end of the file: the write a crash cut short. Damage
             * followed by such a frame is both. */
            uint64_t cut;
            rc = frame_resync(ss, &roff, size, &cut);
            if (rc == 0) {
                if (frame_cut(ss, start, size))
                    cut = start;
                if (cut > start) {
                    ss->bad_regions++;
                    ss->bad_bytes += cut - start;
                }
                ss->torn = size - cut;
                ss->torn_at = cut;
                ss->fpos = size;
                return 0;
            }
        }
        if (rc < 0)
            return -1;
        ss->fpos += FRAME_HDR + get32le(ss->z + 8);
        if (roff < ss->pos) {
            /* A valid frame that goes back over content already returned
             * (a copied block): skip it. */
            ss->rlen = ss->rat = 0;
            continue;
        }
        ss->hole = roff - ss->pos;
        ss->good_end = ss->fpos;
        return 1;
    }
}

static ssize_t ss_read_framed(struct sstream *ss, char *buf, size_t n)
{
    size_t done = 0;

    while (done < n) {
        if (ss->pos < SEG_HDR) {
            size_t k = SEG_HDR - ss->pos < n - done ? SEG_HDR - ss->pos : n - done;
            memcpy(buf + done, ss->hdr + ss->pos, k);
            done += k;
            ss->pos += k;
            continue;
        }
        if (ss->hole) {
            size_t k = ss->hole < n - done ? (size_t)ss->hole : n - done;
            memset(buf + done, 0, k);
            done += k;
            ss->pos += k;
            ss->hole -= k;
            continue;
        }
        if (ss->rat < ss->rlen) {
            size_t k = ss->rlen - ss->rat < n - done ? ss->rlen - ss->rat : n - done;
            memcpy(buf + done, ss->raw + ss->rat, k);
            done += k;
            ss->rat += k;
            ss->pos += k;
            continue;
        }
        int rc = frame_next(ss);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
    }
    return (ssize_t)done;
}

static ssize_t ss_read(struct sstream *ss, void *buf, size_t n);

static int ss_open(struct sstream *ss, const char *dir, uint64_t segno, int gz, uint64_t at)
{
    char p[4096];

    seg_name(p, sizeof p, dir, segno, gz);
    memset(ss, 0, sizeof *ss);
    ss->fd = -1;
    ss->pos = at;
    if (gz) {
        ss->gz = gzopen(p, "rb");
        if (!ss->gz)
            return -1;
        gzbuffer(ss->gz, 256 * 1024);
        if (at && gzseek(ss->gz, (z_off_t)at, SEEK_SET) != (z_off_t)at) {
            gzclose(ss->gz);
            ss->gz = NULL;
            return -1;
        }
        return 0;
    }
    ss->fd = open(p, O_RDONLY | O_CLOEXEC);
    if (ss->fd < 0)
        return -1;
    size_t got;
    if (ss_pread(ss->fd, ss->hdr, SEG_HDR, 0, &got) == 0 && got == SEG_HDR &&
        !memcmp(ss->hdr, SEG_MAGIC, 8) && ss->hdr[8] == SEG_V_LZ4) {
        ss->framed = 1;
        ss->fpos = ss->good_end = SEG_HDR;
        ss->pos = 0;
        /* To `at`: whole frames by their headers alone, then the rest read.
         * A header that is not plausible ends the walk: the read from there
         * finds the next valid frame, as a scan would. */
        while (at > SEG_HDR) {
            char h[FRAME_HDR];
            uint64_t clen, rlen, roff;
            if (ss_pread(ss->fd, h, FRAME_HDR, ss->fpos, &got) || got < FRAME_HDR ||
                !frame_plausible(h, &clen, &rlen, &roff) || roff < ss->pos ||
                roff + rlen > at)
                break;
            ss->pos = roff + rlen;
            ss->fpos += FRAME_HDR + clen;
        }
        if (ss->pos < SEG_HDR)
            ss->pos = at < SEG_HDR ? 0 : SEG_HDR;
        char skip[4096];
        while (ss->pos < at) {
            size_t want = at - ss->pos < sizeof skip ? (size_t)(at - ss->pos) : sizeof skip;
            ssize_t k = ss_read(ss, skip, want);
            if (k <= 0)
                break;
        }
    }
    return 0;
}

static ssize_t ss_read(struct sstream *ss, void *buf, size_t n)
{
    ssize_t k;

    if (ss->framed)
        return ss_read_framed(ss, buf, n);
    if (ss->gz) {
        int g = gzread(ss->gz, buf, (unsigned)(n > (1u << 30) ? 1u << 30 : n));
        if (g < 0)
            return -1;
        k = g;
    } else {
        do
            k = pread(ss->fd, buf, n, (off_t)ss->pos);
        while (k < 0 && errno == EINTR);
        if (k < 0)
            return -1;
    }
    ss->pos += (uint64_t)k;
    return k;
}

static void ss_close(struct sstream *ss)
{
    if (ss->gz)
        gzclose(ss->gz);
    if (ss->fd >= 0)
        close(ss->fd);
    sl_free(ss->raw);
    sl_free(ss->z);
    ss->raw = ss->z = NULL;
    ss->rawcap = ss->zcap = ss->rlen = ss->rat = 0;
    ss->gz = NULL;
    ss->fd = -1;
}

/* ---- scanning: every record checked (recovery, inspect, iteration) ---- */

struct scan {
    struct spool_seginfo info;
    uint64_t good_end;              /* offset after the last valid record */
    uint64_t cut_at;                /* framed, torn: the file offset to cut at */
    int64_t created_ms;             /* from the header */
};

/* Parses buf[0..avail) where buf starts at file offset base; `eof` says no
 * more bytes follow (filesize = base + avail). Calls fn for every valid
 * record. Returns how many bytes were consumed (the rest is an incomplete
 * record to read more of). */
static size_t scan_chunk(struct scan *sc, const char *buf, size_t avail, uint64_t base, int eof,
                         uint64_t filesize, void (*fn)(void *, const struct sl_rec *), void *arg)
{
    size_t p = 0;
    struct sl_rec r;
    size_t len;

    while (p < avail) {
        enum sl_rec_status st = sl_rec_parse(buf + p, avail - p, &r, &len);
        if (st == SL_REC_OK) {
            sc->info.records++;
            if (sc->info.records == 1)
                sc->info.first_seq = r.seq;
            sc->info.last_seq = r.seq;
            if (r.time_ms < sc->info.tmin_ms)
                sc->info.tmin_ms = r.time_ms;
            if (r.time_ms > sc->info.tmax_ms)
                sc->info.tmax_ms = r.time_ms;
            if (fn)
                fn(arg, &r);
            p += len;
            sc->good_end = base + p;
            continue;
        }
        if (st == SL_REC_SHORT) {
            /* Incomplete: wait for more bytes, unless its length runs past
             * the end of the file (damage, or a torn tail at the end). */
            uint64_t n = avail - p >= 8 ? get32le(buf + p + 4) : 0;
            int past = eof || (filesize && avail - p >= 8 && base + p + n > filesize);
            if (!past)
                return p;
            size_t q = sl_rec_resync(buf, avail, p + 1);
            if (q < avail && sl_rec_parse(buf + q, avail - q, &r, &len) != SL_REC_BAD) {
                sc->info.corrupt_regions++;
                sc->info.corrupt_bytes += q - p;
                p = q;
                continue;
            }
            if (!eof)
                return p;
            sc->info.torn_bytes = avail - p;
            return avail;
        }
        size_t q = sl_rec_resync(buf, avail, p + 1);
        sc->info.corrupt_regions++;
        sc->info.corrupt_bytes += q - p;
        p = q;
        if (q == avail && !eof) {
            /* The damage may go on into the next read; a record starting in
             * the last bytes was returned by resync as a candidate. */
            return avail;
        }
    }
    return p;
}

static int read_header(struct sstream *ss, uint64_t segno, int64_t *created_ms)
{
    unsigned char h[SEG_HDR];

    if (ss_read(ss, h, SEG_HDR) != (ssize_t)SEG_HDR)
        return -1;
    if (memcmp(h, SEG_MAGIC, 8) || get64le(h + 16) != segno ||
        (h[8] != SEG_V_PLAIN && h[8] != SEG_V_LZ4))
        return -1;
    if (created_ms)
        *created_ms = (int64_t)get64le(h + 24);
    return 0;
}

static int scan_segment(const char *dir, uint64_t segno, int gz, struct scan *sc,
                        void (*fn)(void *, const struct sl_rec *), void *arg)
{
    struct sstream ss;
    struct stat stt;
    char p[4096];
    size_t cap = SPOOL_READ_CHUNK, have = 0;
    char *buf;
    int rc = 0;

    memset(sc, 0, sizeof *sc);
    sc->info.segno = segno;
    sc->info.compressed = gz;
    sc->info.tmin_ms = INT64_MAX;
    sc->info.tmax_ms = INT64_MIN;
    seg_name(p, sizeof p, dir, segno, gz);
    if (stat(p, &stt))
        return -1;
    sc->info.bytes = (uint64_t)stt.st_size;
    if (ss_open(&ss, dir, segno, gz, 0))
        return -1;
    if (read_header(&ss, segno, &sc->created_ms)) {
        sc->info.bad_header = 1;
        ss_close(&ss);
        return 0;
    }
    sc->info.framed = ss.framed;
    sc->good_end = SEG_HDR;
    buf = sl_malloc(cap);
    for (;;) {
        uint64_t base = ss.pos - have;
        if (have == cap) {
            /* One record bigger than the buffer: grow up to the record limit. */
            if (cap >= SL_REC_MAX) {
                have = 0;
                continue;
            }
            cap *= 2;
            buf = sl_realloc(buf, cap);
        }
        ssize_t k = ss_read(&ss, buf + have, cap - have);
        if (k < 0) {
            rc = -1;
            break;
        }
        sc->info.content = ss.pos;
        have += (size_t)k;
        int eof = k == 0;
        size_t used = scan_chunk(sc, buf, have, base, eof,
                                 gz || ss.framed ? 0 : sc->info.bytes, fn, arg);
        memmove(buf, buf + used, have - used);
        have -= used;
        if (eof)
            break;
    }
    if (ss.framed) {
        /* The stream met these in the file, below the records. */
        sc->info.torn_bytes += ss.torn;
        sc->info.corrupt_regions += ss.bad_regions;
        sc->info.corrupt_bytes += ss.bad_bytes;
        sc->cut_at = ss.torn ? ss.torn_at : ss.good_end;
    }
    sl_free(buf);
    ss_close(&ss);
    return rc;
}

/* Lists segment numbers in dir, ascending. */
static int list_segments(const char *dir, uint64_t **out_nos, int **out_gz, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    uint64_t *nos = NULL;
    int *gzs = NULL;
    size_t k = 0, cap = 0;

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        uint64_t no;
        int gz;
        if (!parse_seg_name(e->d_name, &no, &gz))
            continue;
        if (k == cap) {
            cap = cap ? cap * 2 : 16;
            nos = sl_realloc(nos, cap * sizeof *nos);
            gzs = sl_realloc(gzs, cap * sizeof *gzs);
        }
        nos[k] = no;
        gzs[k] = gz;
        k++;
    }
    closedir(d);
    /* Insertion sort: a spool holds tens to thousands of segments. A segment
     * present both plain and compressed (a crash mid-compression) keeps the
     * plain one: the .gz may be incomplete. */
    for (size_t i = 1; i < k; i++) {
        uint64_t a = nos[i];
        int g = gzs[i];
        size_t j = i;
        while (j && (nos[j - 1] > a || (nos[j - 1] == a && gzs[j - 1] > g))) {
            nos[j] = nos[j - 1];
            gzs[j] = gzs[j - 1];
            j--;
        }
        nos[j] = a;
        gzs[j] = g;
    }
    size_t w = 0;
    for (size_t i = 0; i < k; i++) {
        if (w && nos[w - 1] == nos[i])
            continue;
        nos[w] = nos[i];
        gzs[w] = gzs[i];
        w++;
    }
    *out_nos = nos;
    *out_gz = gzs;
    *n = w;
    return 0;
}

/* ---- cursors ---- */

static int cursor_read(const char *dir, const char *name, uint64_t *seg, uint64_t *off,
                       uint64_t *seq)
{
    char p[4096], line[256];
    FILE *f;
    int ok;

    snprintf(p, sizeof p, "%s/cursor.%s", dir, name);
    f = fopen(p, "re");
    if (!f)
        return errno == ENOENT ? 1 : -1;
    ok = fgets(line, sizeof line, f) &&
         sscanf(line, "seg=%" SCNu64 " off=%" SCNu64 " seq=%" SCNu64, seg, off, seq) == 3;
    fclose(f);
    return ok ? 0 : -1;
}

static int cursor_write(const char *dir, const char *name, uint64_t seg, uint64_t off,
                        uint64_t seq)
{
    char p[4096], t[4200], line[128];
    int fd, n, rc = -1;

    snprintf(p, sizeof p, "%s/cursor.%s", dir, name);
    snprintf(t, sizeof t, "%s.tmp", p);
    n = snprintf(line, sizeof line, "seg=%" PRIu64 " off=%" PRIu64 " seq=%" PRIu64 "\n", seg, off,
                 seq);
    fd = open(t, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    errno = ENOSPC;                 /* what a short write means */
    if (write(fd, line, (size_t)n) == n && fdatasync(fd) == 0)
        rc = 0;
    int e = errno;                  /* the caller tells a full disk from the rest */
    close(fd);
    if (rc == 0 && rename(t, p)) {
        rc = -1;
        e = errno;
    }
    if (rc) {
        unlink(t);
        errno = e;
    }
    return rc;
}

/* ---- open / close ---- */

static struct seg *seg_push(struct spool *s)
{
    if (s->nsegs == s->capsegs) {
        s->capsegs = s->capsegs ? s->capsegs * 2 : 16;
        s->segs = sl_realloc(s->segs, s->capsegs * sizeof *s->segs);
    }
    memset(&s->segs[s->nsegs], 0, sizeof s->segs[0]);
    return &s->segs[s->nsegs++];
}

static int take_lock(struct spool *s, struct sl_err *err)
{
    char p[4096], pid[32];
    int n;

    snprintf(p, sizeof p, "%s/LOCK", s->path);
    s->lockfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (s->lockfd < 0)
        return sl_err_set(err, SL_EIO, p, "cannot open the spool's lock file: %s",
                          strerror(errno));
    if (flock(s->lockfd, LOCK_EX | LOCK_NB)) {
        n = (int)pread(s->lockfd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        return sl_err_set(err, SL_EIO, s->path,
                          "the spool is in use by another sluice (pid %s); one spool "
                          "belongs to one process", pid[0] ? pid : "unknown");
    }
    n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(s->lockfd, 0) || pwrite(s->lockfd, pid, (size_t)n, 0) != n)
        return sl_err_set(err, SL_EIO, p, "cannot write the lock file: %s", strerror(errno));
    return 0;
}

static int keep_aside(const char *dir, uint64_t segno, int gz)
{
    char from[4096], cdir[4096], to[4200];

    snprintf(cdir, sizeof cdir, "%s/corrupt", dir);
    if (mkdir(cdir, 0750) && errno != EEXIST)
        return -1;
    seg_name(from, sizeof from, dir, segno, gz);
    snprintf(to, sizeof to, "%s/%020" PRIu64 ".seg%s", cdir, segno, gz ? ".gz" : "");
    if (link(from, to) && errno != EEXIST)
        return -1;
    return 0;
}

/* ---- append-time marks: how long the oldest unconfirmed record waited ---- */

/* Under mu. force: a recovered segment's mark, whatever the gap. */
static void add_mark(struct spool *s, uint64_t seq, int64_t ms, int force)
{
    if (!s->mark_gap_ms)
        s->mark_gap_ms = MARK_GAP_MS;
    if (s->nmarks && !force && ms - s->marks[s->nmarks - 1].ms < (int64_t)s->mark_gap_ms)
        return;
    if (s->nmarks == MARKS_MAX && s->nreaders) {
        /* Marks behind every reader's confirmed position are no longer
         * needed, except the last one at or before it. */
        uint64_t slowest = UINT64_MAX;
        size_t drop = 0;
        for (size_t i = 0; i < s->nreaders; i++)
            if (s->readers[i]->ack_seq < slowest)
                slowest = s->readers[i]->ack_seq;
        while (drop + 1 < s->nmarks && s->marks[drop + 1].seq <= slowest)
            drop++;
        memmove(s->marks, s->marks + drop, (s->nmarks - drop) * sizeof s->marks[0]);
        s->nmarks -= drop;
    }
    if (s->nmarks == MARKS_MAX) {
        size_t k = 0;
        for (size_t i = 0; i < s->nmarks; i += 2)
            s->marks[k++] = s->marks[i];
        s->nmarks = k;
        s->mark_gap_ms *= 2;
    }
    s->marks[s->nmarks].seq = seq;
    s->marks[s->nmarks].ms = ms;
    s->nmarks++;
}

static int new_segment(struct spool *s, struct sl_err *err)
{
    char p[4096];
    unsigned char h[SEG_HDR];
    uint64_t segno = s->last_segno + 1;
    int fd;

    seg_name(p, sizeof p, s->path, segno, 0);
    fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return sl_err_set(err, errno == ENOSPC ? SL_EFULL : SL_EIO, p,
                          "cannot create a segment: %s", strerror(errno));
    memset(h, 0, sizeof h);
    memcpy(h, SEG_MAGIC, 8);
    h[8] = s->o.compress == SPOOL_COMPRESS_LZ4 ? SEG_V_LZ4 : SEG_V_PLAIN;
    h[12] = SEG_HDR;
    put64le(h + 16, segno);
    int64_t created = sl_clock_real_ns() / 1000000;
    put64le(h + 24, (uint64_t)created);
    if (write(fd, h, SEG_HDR) != (ssize_t)SEG_HDR) {
        int e = errno;
        close(fd);
        unlink(p);
        return sl_err_set(err, e == ENOSPC ? SL_EFULL : SL_EIO, p,
                          "cannot write a segment header: %s", strerror(e));
    }
    if (s->o.fsync != SPOOL_FSYNC_NEVER)
        sync_dir(s->path);
    if (s->wfd >= 0)
        close(s->wfd);
    s->wfd = fd;
    s->last_segno = segno;
    pthread_mutex_lock(&s->mu);
    if (s->nsegs)
        s->segs[s->nsegs - 1].sealed = 1;
    struct seg *g = seg_push(s);
    g->segno = segno;
    g->size = g->disk = SEG_HDR;
    g->first_seq = s->next_seq;
    g->created_ms = created;
    g->framed = h[8] == SEG_V_LZ4;
    s->disk_bytes += SEG_HDR;
    pthread_cond_broadcast(&s->data);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

/* Leftovers of a crash: temporary files, and the .gz twin of a segment whose
 * compression finished but whose plain file was not removed yet (the plain
 * one is complete, and the one the list keeps). */
static void tidy(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[4096];

    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        uint64_t no;
        int gz;
        if (l > 4 && !strcmp(e->d_name + l - 4, ".tmp")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        } else if (parse_seg_name(e->d_name, &no, &gz) && gz) {
            struct stat st;
            seg_name(p, sizeof p, dir, no, 0);
            if (stat(p, &st) == 0) {
                seg_name(p, sizeof p, dir, no, 1);
                unlink(p);
            }
        }
    }
    if (d)
        closedir(d);
}

int spool_open(struct spool **out, const struct spool_opts *o, struct spool_recovery *rec,
               struct sl_err *err)
{
    struct spool *s = sl_calloc(1, sizeof *s);
    uint64_t *nos = NULL;
    int *gzs = NULL;
    size_t n = 0;
    int rc;

    memset(rec, 0, sizeof *rec);
    s->o = *o;
    if (!s->o.segment_size)
        s->o.segment_size = SPOOL_SEGMENT_DEFAULT;
    s->path = sl_strdup(o->path);
    s->o.path = s->path;
    s->lockfd = -1;
    s->wfd = -1;
    s->next_seq = 1;
    pthread_mutex_init(&s->mu, NULL);
    {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&s->data, &ca);
        pthread_cond_init(&s->space, &ca);
        pthread_condattr_destroy(&ca);
    }
    if (!o->read_only && mkdir(s->path, 0750) && errno != EEXIST) {
        rc = sl_err_set(err, SL_EIO, s->path, "cannot create the spool directory: %s",
                        strerror(errno));
        goto fail;
    }
    rc = take_lock(s, err);
    if (rc)
        goto fail;
    if (!o->read_only)
        tidy(s->path);
    if (list_segments(s->path, &nos, &gzs, &n)) {
        rc = sl_err_set(err, SL_EIO, s->path, "cannot list the spool: %s", strerror(errno));
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        struct scan sc;
        char p[4096];
        seg_name(p, sizeof p, s->path, nos[i], gzs[i]);
        if (scan_segment(s->path, nos[i], gzs[i], &sc, NULL, NULL)) {
            rc = sl_err_set(err, SL_EIO, p, "cannot read a segment: %s", strerror(errno));
            goto fail;
        }
        if (sc.info.bad_header) {
            /* Not a segment of ours (or its header is damaged): nothing in it
             * can be trusted; keep it aside and go on. */
            rec->kept_aside++;
            if (!o->read_only && (keep_aside(s->path, nos[i], gzs[i]) || unlink(p))) {
                rc = sl_err_set(err, SL_EIO, p, "cannot move a damaged segment aside: %s",
                                strerror(errno));
                goto fail;
            }
            continue;
        }
        if (sc.info.corrupt_regions) {
            rec->corrupt_regions += sc.info.corrupt_regions;
            rec->corrupt_bytes += sc.info.corrupt_bytes;
            rec->kept_aside++;
            if (!o->read_only && keep_aside(s->path, nos[i], gzs[i])) {
                rc = sl_err_set(err, SL_EIO, p, "cannot keep a damaged segment aside: %s",
                                strerror(errno));
                goto fail;
            }
        }
        uint64_t size = sc.good_end;
        if (sc.info.torn_bytes) {
            rec->torn_bytes += sc.info.torn_bytes;
            if (!o->read_only && !gzs[i]) {
                int fd = open(p, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || ftruncate(fd, (off_t)(sc.info.framed ? sc.cut_at : size)) ||
                    fsync(fd)) {
                    rc = sl_err_set(err, SL_EIO, p, "cannot cut a torn tail: %s",
                                    strerror(errno));
                    if (fd >= 0)
                        close(fd);
                    goto fail;
                }
                close(fd);
            }
        }
        if (!gzs[i] && !sc.info.torn_bytes)
            size = sc.info.bytes;   /* damage in the middle still counts as content */
        struct seg *g = seg_push(s);
        g->segno = nos[i];
        g->size = gzs[i] ? sc.good_end : size;
        g->disk = gzs[i] ? sc.info.bytes : size;
        if (sc.info.framed) {
            g->size = sc.info.content;
            g->disk = sc.info.torn_bytes && !o->read_only ? sc.cut_at : sc.info.bytes;
            g->framed = 1;
        }
        g->records = sc.info.records;
        g->first_seq = sc.info.first_seq;
        g->created_ms = sc.created_ms;
        g->sealed = 1;
        if (sc.info.records)
            add_mark(s, sc.info.first_seq, sc.created_ms, 1);
        g->compressed = gzs[i];
        s->disk_bytes += g->disk;
        rec->segments++;
        rec->records += sc.info.records;
        rec->bytes += g->disk;
        if (sc.info.records && sc.info.last_seq >= s->next_seq)
            s->next_seq = sc.info.last_seq + 1;
    }
    rec->next_seq = s->next_seq;
    s->last_segno = n ? nos[n - 1] : 0;
    if (!o->read_only) {
        rc = new_segment(s, err);
        if (rc)
            goto fail;
        sync_dir(s->path);
    } else {
        s->writer_done = 1;
    }
    sl_free(nos);
    sl_free(gzs);
    *out = s;
    return 0;
fail:
    sl_free(nos);
    sl_free(gzs);
    spool_close(s);
    return rc;
}

void spool_close(struct spool *s)
{
    if (!s)
        return;
    if (s->th_started)
        spool_writer_stop(s);
    if (s->wfd >= 0) {
        if (s->o.fsync != SPOOL_FSYNC_NEVER)
            fdatasync(s->wfd);
        /* The last segment stays even when empty: segment numbers only grow
         * while one file is left, so a cursor never points past them. */
        close(s->wfd);
    }
    if (s->lockfd >= 0)
        close(s->lockfd);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->data);
    pthread_cond_destroy(&s->space);
    sl_free(s->segs);
    sl_free(s->readers);
    sl_free(s->path);
    sl_free(s->zb);
    sl_free(s);
}

const struct spool_stats *spool_stats(const struct spool *s)
{
    return &s->st;
}

void spool_usage(struct spool *s, uint64_t *bytes, uint64_t *segments)
{
    pthread_mutex_lock(&s->mu);
    *bytes = s->disk_bytes;
    *segments = s->nsegs;
    pthread_mutex_unlock(&s->mu);
}

/* ---- deletion ---- */

/* The lowest segment any reader may still need, by persisted cursors. Called
 * with mu held. No readers: nothing may go (a spool is never emptied behind
 * the back of sinks that are not running). */
static uint64_t min_needed(const struct spool *s)
{
    uint64_t m = UINT64_MAX;

    if (!s->nreaders)
        return 0;
    for (size_t i = 0; i < s->nreaders; i++)
        if (s->readers[i]->saved_seg < m)
            m = s->readers[i]->saved_seg;
    return m;
}

/* Removes segs[0] (sealed) from disk and the list; mu held. */
static void drop_first(struct spool *s)
{
    char p[4096];
    struct seg *g = &s->segs[0];

    seg_name(p, sizeof p, s->path, g->segno, g->compressed);
    unlink(p);
    s->disk_bytes -= g->disk;
    memmove(s->segs, s->segs + 1, (s->nsegs - 1) * sizeof *s->segs);
    s->nsegs--;
    pthread_cond_broadcast(&s->space);
}

static void delete_confirmed(struct spool *s)
{
    uint64_t need;

    if (s->o.read_only)
        return;
    need = min_needed(s);
    /* The last segment is sealed only when a full disk closed it early; then
     * it may go too (the next append starts a new one). */
    while (s->nsegs && s->segs[0].sealed && s->segs[0].segno < need)
        drop_first(s);
}

/* ---- appends ---- */

/* At stop, records already taken from the inputs are written past max_size
 * (by at most the writer's queue) rather than lost. */
static int over_max(const struct spool *s, size_t add)
{
    return s->o.max_size && !atomic_load(&s->stopping) && s->disk_bytes + add > s->o.max_size;
}

/* drop_oldest: deletes sealed segments, confirmed or not, until add fits or
 * only the active segment is left. mu held. */
static void make_room(struct spool *s, size_t add)
{
    while (over_max(s, add) && s->nsegs > 1) {
        struct seg *g = &s->segs[0];
        uint64_t slowest = UINT64_MAX, lost;
        for (size_t i = 0; i < s->nreaders; i++)
            if (s->readers[i]->ack_seq < slowest)
                slowest = s->readers[i]->ack_seq;
        if (!s->nreaders)
            slowest = g->first_seq;
        uint64_t end = s->segs[1].first_seq;
        lost = slowest < end ? end - (slowest > g->first_seq ? slowest : g->first_seq) : 0;
        if (!g->records)
            lost = 0;
        atomic_fetch_add(&s->st.dropped_oldest, lost);
        for (size_t i = 0; i < s->nreaders; i++) {
            struct spool_reader *r = s->readers[i];
            if (r->ack_seg <= g->segno) {
                r->ack_seg = s->segs[1].segno;
                r->ack_off = SEG_HDR;
                r->ack_seq = end;
                r->dirty = 1;
            }
            if (r->saved_seg <= g->segno)
                r->saved_seg = s->segs[1].segno;
        }
        drop_first(s);
    }
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The disk refused a write: seal the active segment now rather than at
 * segment_size, so that once its records are confirmed it can be deleted and
 * give its space back (a segment being appended to never is; with the disk
 * full that would wait forever). The next append starts a new segment. */
static void seal_on_full(struct spool *s)
{
    pthread_mutex_lock(&s->mu);
    int empty = !s->segs[s->nsegs - 1].records;
    pthread_mutex_unlock(&s->mu);
    if (empty)
        return;                     /* an empty one would only be replaced by another */
    if (s->o.fsync != SPOOL_FSYNC_NEVER && s->unsynced && fdatasync(s->wfd) == 0) {
        atomic_fetch_add(&s->st.fsyncs, 1);
        atomic_fetch_add(&s->st.durable, s->unsynced);
        s->unsynced = 0;
    }
    close(s->wfd);
    s->wfd = -1;
    pthread_mutex_lock(&s->mu);
    s->segs[s->nsegs - 1].sealed = 1;
    pthread_cond_broadcast(&s->data);
    pthread_mutex_unlock(&s->mu);
}

/* Stamps b with the next sequence numbers and, with LZ4, builds its frame in
 * s->zb at content offset roff (kept while b and the sequence number stay
 * the same: a batch that waits for room is not compressed again each try).
 * Returns the bytes the batch takes on disk. */
static size_t prepare(struct spool *s, struct sl_recbatch *b, uint64_t roff)
{
    size_t len = b->data.len;

    if (s->o.compress != SPOOL_COMPRESS_LZ4) {
        sl_recbatch_stamp(b, s->next_seq);
        return len;
    }
    if (s->zfor == b && s->zseq == s->next_seq) {
        /* Checked again only when a rotation moved it: most appends call
         * this twice with the same offset. */
        if (get64le((unsigned char *)s->zb + 16) != roff) {
            put64le((unsigned char *)s->zb + 16, roff);
            put32le(s->zb + 4, frame_check(s->zb, get32le(s->zb + 8)));
        }
        return s->zlen;
    }
    sl_recbatch_stamp(b, s->next_seq);
    size_t need = FRAME_HDR + (size_t)LZ4_compressBound((int)len);
    if (need > s->zcap) {
        s->zcap = need;
        s->zb = sl_realloc(s->zb, s->zcap);
    }
    int c = LZ4_compress_default(b->data.data, s->zb + FRAME_HDR, (int)len,
                                 (int)(s->zcap - FRAME_HDR));
    if (c <= 0 || (size_t)c >= len) {
        memcpy(s->zb + FRAME_HDR, b->data.data, len);
        c = (int)len;
    }
    put32le(s->zb, FRAME_MAGIC);
    put32le(s->zb + 8, (uint32_t)c);
    put32le(s->zb + 12, (uint32_t)len);
    put64le((unsigned char *)s->zb + 16, roff);
    put32le(s->zb + 4, frame_check(s->zb, (uint32_t)c));
    s->zlen = FRAME_HDR + (size_t)c;
    s->zfor = b;
    s->zseq = s->next_seq;
    return s->zlen;
}

static int append_nosync(struct spool *s, struct sl_recbatch *b, struct sl_err *err)
{
    size_t raw = b->data.len, len;
    struct seg *g;
    int rc;

    if (!b->count)
        return 0;
    if (s->o.read_only)
        return sl_err_set(err, SL_EINVAL, s->path, "the spool is open read-only");
    /* Compressed outside the lock (readers take it for every batch); the
     * content offset is set again below once the segment is known. */
    pthread_mutex_lock(&s->mu);
    uint64_t at = s->wfd >= 0 && s->nsegs ? s->segs[s->nsegs - 1].size : SEG_HDR;
    pthread_mutex_unlock(&s->mu);
    len = prepare(s, b, at);
    pthread_mutex_lock(&s->mu);
    /* No active segment (wfd < 0) only after seal_on_full; the list may be empty. */
    g = s->nsegs ? &s->segs[s->nsegs - 1] : NULL;
    /* segment_size bounds the file: a framed segment holds more content. */
    int rotate = s->wfd < 0 || g->disk >= s->o.segment_size;
    if (over_max(s, len + (rotate ? SEG_HDR : 0))) {
        if (s->o.when_full == SPOOL_FULL_DROP_OLDEST) {
            if (s->nsegs == 1 && s->wfd >= 0 && g->size > SEG_HDR)
                rotate = 1;         /* seal the active one so it can go */
            else
                make_room(s, len);
        }
        if (over_max(s, len + (rotate ? SEG_HDR : 0)) &&
            !(s->o.when_full == SPOOL_FULL_DROP_OLDEST && rotate)) {
            int policy = s->o.when_full;
            int alone = s->disk_bytes <= SEG_HDR;   /* empty spool: the batch alone is too big */
            pthread_mutex_unlock(&s->mu);
            if (policy == SPOOL_FULL_BLOCK && !alone)
                return SL_EFULL;
            atomic_fetch_add(&s->st.dropped_newest, b->count);
            return 0;
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (rotate) {
        if (s->wfd >= 0 && s->o.fsync != SPOOL_FSYNC_NEVER && fdatasync(s->wfd) == 0) {
            atomic_fetch_add(&s->st.fsyncs, 1);
            atomic_fetch_add(&s->st.durable, s->unsynced);
            s->unsynced = 0;
        }
        rc = new_segment(s, err);
        if (rc) {
            if (rc == SL_EFULL)
                atomic_fetch_add(&s->st.enospc, 1);
            return rc;
        }
        if (s->o.when_full == SPOOL_FULL_DROP_OLDEST) {
            pthread_mutex_lock(&s->mu);
            make_room(s, len);
            pthread_mutex_unlock(&s->mu);
        }
    }
    /* The writer alone changes the active segment, the last of the list; but
     * a reader's deletion may shift the list meanwhile, so it is looked up
     * under the lock each time, never kept across the write. */
    pthread_mutex_lock(&s->mu);
    uint64_t start = s->segs[s->nsegs - 1].disk;
    uint64_t roff = s->segs[s->nsegs - 1].size;
    pthread_mutex_unlock(&s->mu);
    if (prepare(s, b, roff) != len)
        return sl_err_set(err, SL_EIO, s->path, "internal: the batch changed size");
    if (write_all(s->wfd, s->o.compress == SPOOL_COMPRESS_LZ4 ? s->zb : b->data.data, len)) {
        int e = errno;
        /* Never leave half a batch behind: cut back to where it started. */
        if (ftruncate(s->wfd, (off_t)start))
            return sl_err_set(err, SL_EIO, s->path, "cannot undo a partial write: %s",
                              strerror(errno));
        if (e == ENOSPC || e == EDQUOT) {
            atomic_fetch_add(&s->st.enospc, 1);
            seal_on_full(s);
            return sl_err_set(err, SL_EFULL, s->path, "the disk is full: %s", strerror(e));
        }
        return sl_err_set(err, SL_EIO, s->path, "cannot write to the spool: %s", strerror(e));
    }
    pthread_mutex_lock(&s->mu);
    g = &s->segs[s->nsegs - 1];
    g->size += raw;
    g->disk += len;
    if (!g->records)
        g->first_seq = s->next_seq;
    g->records += b->count;
    s->disk_bytes += len;
    add_mark(s, s->next_seq, sl_clock_real_ns() / 1000000, 0);
    s->next_seq += b->count;
    pthread_cond_broadcast(&s->data);
    pthread_mutex_unlock(&s->mu);
    atomic_fetch_add(&s->st.appended, b->count);
    atomic_fetch_add(&s->st.appended_bytes, raw);
    atomic_fetch_add(&s->st.written_bytes, len);
    if (s->o.fsync == SPOOL_FSYNC_NEVER)
        atomic_fetch_add(&s->st.durable, b->count);
    else
        s->unsynced += b->count;
    return 0;
}

int spool_sync(struct spool *s, struct sl_err *err)
{
    s->last_sync_ms = sl_clock_mono_ms();
    if (s->wfd < 0 || !s->unsynced)
        return 0;
    if (fdatasync(s->wfd))
        return sl_err_set(err, SL_EIO, s->path, "fdatasync failed: %s", strerror(errno));
    atomic_fetch_add(&s->st.fsyncs, 1);
    atomic_fetch_add(&s->st.durable, s->unsynced);
    s->unsynced = 0;
    return 0;
}

int spool_append(struct spool *s, struct sl_recbatch *b, struct sl_err *err)
{
    int rc;

    s->zfor = NULL;                 /* a caller's batch may reuse a freed one's address */
    rc = append_nosync(s, b, err);

    if (rc)
        return rc;
    if (s->o.fsync == SPOOL_FSYNC_ALWAYS)
        return spool_sync(s, err);
    if (s->o.fsync == SPOOL_FSYNC_INTERVAL &&
        sl_clock_mono_ms() - s->last_sync_ms >= s->o.fsync_ms)
        return spool_sync(s, err);
    return 0;
}

/* ---- the writer thread ---- */

static void wait_space(struct spool *s, uint32_t ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    pthread_cond_timedwait(&s->space, &s->mu, &ts);
    pthread_mutex_unlock(&s->mu);
}

static void finish(struct spool *s, struct sl_recbatch *b)
{
    size_t bytes = b->node.bytes;

    sl_recbatch_free(b);
    sl_queue_release(s->q, bytes);
}

/* Appends b, waiting while the spool or the disk is full. Returns when b is
 * written or dropped; at stop, a batch that still cannot be written after the
 * queue closed is given up (counted) only if the disk stays full. */
static void write_one(struct spool *s, struct sl_recbatch *b)
{
    struct sl_err err;
    int stop_tries = 0, written = 0;

    for (;;) {
        uint64_t newest = atomic_load(&s->st.dropped_newest);
        uint64_t oldest = atomic_load(&s->st.dropped_oldest);
        sl_err_clear(&err);
        int rc = append_nosync(s, b, &err);
        if (rc == 0 && (atomic_load(&s->st.dropped_newest) != newest ||
                        atomic_load(&s->st.dropped_oldest) != oldest)) {
            /* max_size under a drop policy: counted by the append, logged
             * here once per episode. */
            int kept = atomic_load(&s->st.dropped_newest) == newest;
            if (!s->full_ep.active) {
                atomic_fetch_add(&s->st.full_episodes, 1);
                SL_WARN("spool", "spool full at max_size=%" PRIu64 " bytes: dropping the %s "
                        "records until delivery confirms some (when_full: %s; counted in "
                        "dropped_%s)", s->o.max_size, kept ? "oldest unsent" : "new",
                        kept ? "drop_oldest" : "drop_newest", kept ? "oldest" : "newest");
            }
            sl_episode_hit(&s->full_ep);
            s->zfor = NULL;
            return;
        }
        if (rc == 0) {
            written = 1;
            break;
        }
        /* At stop the disk gets five seconds to make room, once: the batches
         * queued behind would otherwise wait five seconds each. */
        if (atomic_load(&s->stopping) && (s->stop_dropping || ++stop_tries > 5)) {
            if (!s->stop_dropping)
                SL_ERROR("spool", "stopping with the disk full: the records still queued "
                         "cannot be written and are lost (dropped_newest in the final stats): "
                         "%s", err.msg);
            s->stop_dropping = 1;
            atomic_fetch_add(&s->st.dropped_newest, b->count);
            break;
        }
        if (rc != SL_EFULL) {
            if (sl_episode_hit(&s->nospc_ep))
                SL_ERROR("spool", "cannot append, retrying every second: %s at %s", err.msg,
                         err.where);
            wait_space(s, 1000);
            continue;
        }
        if (!s->full_ep.active) {
            atomic_fetch_add(&s->st.full_episodes, 1);
            if (err.msg[0])
                SL_WARN("spool", "disk full, holding new records until space returns "
                        "(inputs pause; when_full does not apply to the disk's own limit): %s",
                        err.msg);
            else
                SL_WARN("spool", "spool full at max_size=%" PRIu64 " bytes: pausing inputs "
                        "until delivery confirms records", s->o.max_size);
        }
        sl_episode_hit(&s->full_ep);
        if (err.msg[0] && s->o.when_full == SPOOL_FULL_DROP_NEWEST) {
            atomic_fetch_add(&s->st.dropped_newest, b->count);
            break;
        }
        if (err.msg[0] && s->o.when_full == SPOOL_FULL_DROP_OLDEST) {
            pthread_mutex_lock(&s->mu);
            if (s->nsegs > 1) {
                uint64_t keep = s->o.max_size;
                s->o.max_size = s->disk_bytes > 1 ? s->disk_bytes - 1 : 1;
                make_room(s, 0);
                s->o.max_size = keep;
            }
            pthread_mutex_unlock(&s->mu);
        }
        /* What was appended before the block must not wait for it to end to
         * reach the disk: the fsync policy is the recovery point. */
        if (s->o.fsync != SPOOL_FSYNC_NEVER && s->unsynced) {
            sl_err_clear(&err);
            if (spool_sync(s, &err))
                SL_ERROR("spool", "%s at %s", err.msg, err.where);
        }
        wait_space(s, 1000);
    }
    /* b is freed next, and the next batch may get its address: the frame
     * built for b must not be taken for that one's. */
    s->zfor = NULL;
    if (written && s->full_ep.active) {
        uint64_t k = sl_episode_end(&s->full_ep);
        SL_INFO("spool", "spool has room again: appending after waits=%" PRIu64, k);
    }
    if (s->nospc_ep.active)
        sl_episode_end(&s->nospc_ep);
}

static void *compressor(void *arg);

static void *writer(void *arg)
{
    struct spool *s = arg;
    struct sl_err err;

    s->last_sync_ms = sl_clock_mono_ms();
    for (;;) {
        struct sl_qnode *n;
        int timeout = 200, rc;

        if (s->o.fsync == SPOOL_FSYNC_INTERVAL && s->unsynced) {
            uint64_t due = s->last_sync_ms + s->o.fsync_ms, now = sl_clock_mono_ms();
            timeout = due > now ? (int)(due - now) : 0;
        }
        rc = sl_queue_pop(s->q, &n, timeout);
        if (rc == SL_ESTOP)
            break;
        if (rc == 0) {
            /* Group commit: take what else is queued, write it all, then one
             * fdatasync covers every batch. */
            size_t group = 0;
            do {
                struct sl_recbatch *b = (struct sl_recbatch *)n;
                write_one(s, b);
                group += b->data.len;
                finish(s, b);
            } while (group < 8u * 1024u * 1024u && sl_queue_pop(s->q, &n, 0) == 0);
        }
        if (s->o.fsync == SPOOL_FSYNC_ALWAYS ||
            (s->o.fsync == SPOOL_FSYNC_INTERVAL &&
             sl_clock_mono_ms() - s->last_sync_ms >= s->o.fsync_ms)) {
            sl_err_clear(&err);
            if (spool_sync(s, &err))
                SL_ERROR("spool", "%s at %s", err.msg, err.where);
        }
    }
    sl_err_clear(&err);
    if (s->o.fsync != SPOOL_FSYNC_NEVER && spool_sync(s, &err))
        SL_ERROR("spool", "%s at %s", err.msg, err.where);
    pthread_mutex_lock(&s->mu);
    s->writer_done = 1;
    pthread_cond_broadcast(&s->data);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int spool_writer_start(struct spool *s, struct sl_queue *q, struct sl_err *err)
{
    s->q = q;
    if (pthread_create(&s->th, NULL, writer, s))
        return sl_err_set(err, SL_EIO, "spool", "cannot start the spool writer thread");
    s->th_started = 1;
    if (s->o.compress) {
        if (pthread_create(&s->zth, NULL, compressor, s))
            return sl_err_set(err, SL_EIO, "spool", "cannot start the compressor thread");
        s->zth_started = 1;
    }
    return 0;
}

void spool_writer_stop(struct spool *s)
{
    if (!s->th_started)
        return;
    atomic_store(&s->stopping, 1);
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->space);
    pthread_mutex_unlock(&s->mu);
    sl_queue_close(s->q);
    pthread_join(s->th, NULL);
    s->th_started = 0;
    if (s->zth_started) {
        pthread_join(s->zth, NULL);
        s->zth_started = 0;
    }
}

static size_t seg_index(const struct spool *s, uint64_t segno);

/* ---- compression of sealed segments ---- */

/* A sealed segment is worth compressing when a reader is still behind it (a
 * backlog that waits on disk) and nobody is reading inside it right now.
 * mu held. Returns the index or nsegs. */
static size_t compress_candidate(const struct spool *s)
{
    uint64_t need = min_needed(s);

    for (size_t i = 0; i + 1 < s->nsegs; i++) {
        const struct seg *g = &s->segs[i];
        int behind = 0, inside = 0;
        if (g->compressed || g->framed || !g->sealed || g->segno < need || g->size <= SEG_HDR)
            continue;
        for (size_t k = 0; k < s->nreaders; k++) {
            if (s->readers[k]->seg < g->segno)
                behind = 1;
            if (s->readers[k]->seg == g->segno)
                inside = 1;
        }
        if (behind && !inside)
            return i;
    }
    return s->nsegs;
}

/* Writes NAME.seg.gz.tmp from NAME.seg, syncs and renames it; the plain file
 * stays until the list says compressed. Returns the .gz size, or 0. */
static uint64_t compress_file(const struct spool *s, uint64_t segno)
{
    char src[4096], dst[4096], tmp[4200];
    char *buf = sl_malloc(SPOOL_READ_CHUNK);
    uint64_t size = 0;
    struct stat st;
    gzFile gz = NULL;
    int in = -1, fd = -1, ok = 0;
    ssize_t k;

    seg_name(src, sizeof src, s->path, segno, 0);
    seg_name(dst, sizeof dst, s->path, segno, 1);
    snprintf(tmp, sizeof tmp, "%s.tmp", dst);
    in = open(src, O_RDONLY | O_CLOEXEC);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (in < 0 || fd < 0)
        goto out;
    gz = gzdopen(dup(fd), "wb1");
    if (!gz)
        goto out;
    while ((k = read(in, buf, SPOOL_READ_CHUNK)) > 0)
        if (gzwrite(gz, buf, (unsigned)k) != (int)k)
            goto out;
    if (k < 0)
        goto out;
    int zrc = gzclose(gz);
    gz = NULL;
    if (zrc != Z_OK || fsync(fd) || fstat(fd, &st) || rename(tmp, dst))
        goto out;
    sync_dir(s->path);
    size = (uint64_t)st.st_size;
    ok = 1;
out:
    if (gz)
        gzclose(gz);
    if (in >= 0)
        close(in);
    if (fd >= 0)
        close(fd);
    if (!ok)
        unlink(tmp);
    sl_free(buf);
    return size;
}

static void *compressor(void *arg)
{
    struct spool *s = arg;

    pthread_mutex_lock(&s->mu);
    while (!atomic_load(&s->stopping)) {
        size_t i = compress_candidate(s);
        if (i == s->nsegs) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_sec += 1;
            pthread_cond_timedwait(&s->space, &s->mu, &ts);
            continue;
        }
        uint64_t segno = s->segs[i].segno;
        pthread_mutex_unlock(&s->mu);
        uint64_t zsize = compress_file(s, segno);
        pthread_mutex_lock(&s->mu);
        if (!zsize) {
            /* The disk is full or the file went away: try again later. */
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_sec += 5;
            pthread_cond_timedwait(&s->space, &s->mu, &ts);
            continue;
        }
        i = seg_index(s, segno);
        char p[4096];
        if (i < s->nsegs && s->segs[i].segno == segno && !s->segs[i].compressed) {
            struct seg *g = &s->segs[i];
            s->disk_bytes = s->disk_bytes - g->disk + zsize;
            g->disk = zsize;
            g->compressed = 1;
            seg_name(p, sizeof p, s->path, segno, 0);
            atomic_fetch_add(&s->st.compressed_segments, 1);
            pthread_cond_broadcast(&s->space);
        } else {
            /* Deleted meanwhile (confirmed, or dropped to make room). */
            seg_name(p, sizeof p, s->path, segno, 1);
        }
        pthread_mutex_unlock(&s->mu);
        unlink(p);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---- readers ---- */

static size_t seg_index(const struct spool *s, uint64_t segno)
{
    for (size_t i = 0; i < s->nsegs; i++)
        if (s->segs[i].segno >= segno)
            return i;
    return s->nsegs;
}

int spool_reader_open(struct spool *s, const char *name, int64_t from_ms, int64_t to_ms,
                      struct spool_reader **out, int *fresh, struct sl_err *err)
{
    struct spool_reader *r;
    uint64_t seg = 0, off = 0, seq = 0;
    int c;

    if (!valid_name(name))
        return sl_err_set(err, SL_EINVAL, s->path,
                          "reader name '%s' is not usable in a file name "
                          "([A-Za-z0-9_.-], up to 64 bytes)", name);
    c = cursor_read(s->path, name, &seg, &off, &seq);
    if (c < 0)
        return sl_err_set(err, SL_EIO, s->path,
                          "cursor.%s cannot be read; remove it to send the whole spool again "
                          "(IDs keep the index free of duplicates)", name);
    r = sl_calloc(1, sizeof *r);
    r->s = s;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->from_ms = from_ms;
    r->to_ms = to_ms;
    sl_buf_init(&r->carry, 0, SL_REC_MAX);
    pthread_mutex_lock(&s->mu);
    /* A cursor past the last segment belongs to another spool (files were
     * removed by hand): start from the oldest record, as with no cursor. */
    if (c == 0 && (!s->nsegs || seg > s->segs[s->nsegs - 1].segno))
        c = 1;
    size_t i = seg_index(s, c == 0 ? seg : 0);
    if (c == 0 && i < s->nsegs && s->segs[i].segno == seg && off >= SEG_HDR &&
        off <= s->segs[i].size) {
        r->seg = seg;
        r->off = off;
        r->ack_seq = seq;
    } else if (i < s->nsegs) {
        /* No cursor, or its segment is gone (confirmed, or dropped to make
         * room): the first segment at or after it. */
        r->seg = s->segs[i].segno;
        r->off = SEG_HDR;
        r->ack_seq = s->segs[i].records ? s->segs[i].first_seq : s->next_seq;
    } else {
        r->seg = 1;
        r->off = SEG_HDR;
        r->ack_seq = s->next_seq;
    }
    r->ack_seg = r->seg;
    r->ack_off = r->off;
    r->saved_seg = r->seg;
    r->saved_ms = sl_clock_mono_ms();
    s->readers = sl_realloc(s->readers, (s->nreaders + 1) * sizeof *s->readers);
    s->readers[s->nreaders++] = r;
    pthread_mutex_unlock(&s->mu);
    if (fresh)
        *fresh = c == 1;
    *out = r;
    return 0;
}

static void persist(struct spool_reader *r);

static void reader_close_file(struct spool_reader *r)
{
    if (r->open)
        ss_close(&r->ss);
    r->open = 0;
    r->in_damage = 0;
    sl_buf_reset(&r->carry);
}

static int reader_open_file(struct spool_reader *r, uint64_t segno, int gz)
{
    reader_close_file(r);
    /* The compressor may have replaced the file between our look at the list
     * and this open: try the other form. */
    if (ss_open(&r->ss, r->s->path, segno, gz, r->off) &&
        ss_open(&r->ss, r->s->path, segno, !gz, r->off))
        return -1;
    r->open = 1;
    r->fseg = segno;
    return 0;
}

/* Drops records outside [from, to) from the batch, in place. */
static void filter_time(struct spool_reader *r, struct sl_recbatch *b)
{
    size_t off = 0, w = 0;
    struct sl_rec rec;
    size_t kept = 0;

    while (off < b->data.len) {
        size_t start = off;
        sl_recbatch_next(b, &off, &rec);
        if (rec.time_ms < r->from_ms || rec.time_ms >= r->to_ms)
            continue;
        if (w != start)
            memmove(b->data.data + w, b->data.data + start, off - start);
        w += off - start;
        kept++;
    }
    b->data.len = w;
    b->count = kept;
}

int spool_reader_next(struct spool_reader *r, struct sl_recbatch **out, size_t max_bytes,
                      int timeout_ms)
{
    struct spool *s = r->s;
    struct timespec dl;
    uint64_t segno, limit;
    int gz;

    clock_gettime(CLOCK_MONOTONIC, &dl);
    if (timeout_ms >= 0) {
        dl.tv_sec += timeout_ms / 1000;
        dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (r->cancelled) {
            pthread_mutex_unlock(&s->mu);
            return SL_ESTOP;
        }
        size_t i = seg_index(s, r->seg);
        if (i < s->nsegs && s->segs[i].segno != r->seg) {
            /* Our segment is gone (drop_oldest) or we finished it. */
            r->seg = s->segs[i].segno;
            r->off = SEG_HDR;
            reader_close_file(r);
        }
        if (i < s->nsegs) {
            struct seg *g = &s->segs[i];
            if (r->off + r->carry.len < g->size || (r->carry.len && g->sealed)) {
                segno = g->segno;
                limit = g->size;
                gz = g->compressed;
                break;
            }
            if (g->sealed) {
                r->seg = g->segno + 1;
                r->off = SEG_HDR;
                reader_close_file(r);
                continue;
            }
        }
        if (s->writer_done) {
            pthread_mutex_unlock(&s->mu);
            return SL_ESTOP;
        }
        if (timeout_ms == 0) {
            pthread_mutex_unlock(&s->mu);
            return SL_ETIMEOUT;
        }
        if (r->dirty) {
            /* Idle with an unsaved cursor: save it now rather than at the
             * next batch, which may be hours away (and segments wait for it). */
            pthread_mutex_unlock(&s->mu);
            r->saved_ms = sl_clock_mono_ms();
            persist(r);
            pthread_mutex_lock(&s->mu);
            continue;
        }
        if (timeout_ms < 0)
            pthread_cond_wait(&s->data, &s->mu);
        else if (pthread_cond_timedwait(&s->data, &s->mu, &dl) == ETIMEDOUT) {
            pthread_mutex_unlock(&s->mu);
            return SL_ETIMEOUT;
        }
    }
    pthread_mutex_unlock(&s->mu);

    if (!r->open || r->fseg != segno) {
        if (reader_open_file(r, segno, gz))
            return SL_EIO;
    }
    if (max_bytes < 4096)
        max_bytes = 4096;
    struct sl_recbatch *b = sl_recbatch_new(max_bytes + r->carry.len, SL_REC_MAX + max_bytes);
    sl_buf_append(&b->data, r->carry.data, r->carry.len);
    uint64_t base = r->off, fpos = r->off + r->carry.len;
    sl_buf_reset(&r->carry);
    size_t want = (size_t)(limit - fpos < max_bytes ? limit - fpos : max_bytes);
    for (;;) {
        if (want) {
            if (sl_buf_reserve(&b->data, want)) {
                sl_recbatch_free(b);
                return SL_EIO;
            }
            if (!r->ss.framed && !r->ss.gz)
                r->ss.pos = fpos;   /* pread: the stream has no position of its own */
            ssize_t k = ss_read(&r->ss, b->data.data + b->data.len, want);
            if (k < 0) {
                sl_recbatch_free(b);
                reader_close_file(r);
                return SL_EIO;
            }
            b->data.len += (size_t)k;
            fpos += (uint64_t)k;
            if ((size_t)k < want)
                limit = fpos;       /* the file is shorter than published: damage */
        }
        /* Keep the complete valid records; cut damage out. */
        size_t p = 0, w = 0;
        struct sl_rec rec;
        size_t len;
        uint64_t nseq = 0;
        int more = 0;
        b->count = 0;
        while (p < b->data.len) {
            enum sl_rec_status st = sl_rec_parse(b->data.data + p, b->data.len - p, &rec, &len);
            if (st == SL_REC_SHORT && base + b->data.len >= limit)
                st = SL_REC_BAD;    /* nothing more will come for it */
            if (st == SL_REC_OK) {
                r->in_damage = 0;
                if (w != p)
                    memmove(b->data.data + w, b->data.data + p, len);
                w += len;
                p += len;
                b->count++;
                nseq = rec.seq + 1;
                continue;
            }
            if (st == SL_REC_SHORT) {
                more = 1;
                break;
            }
            size_t q = sl_rec_resync(b->data.data, b->data.len, p + 1);
            /* One region counts once, though it spans reads (a damaged
             * frame's content can be longer than a read). */
            if (!(r->in_damage && p == 0))
                atomic_fetch_add(&s->st.corrupt_records, 1);
            r->in_damage = q >= b->data.len;
            p = q;
        }
        if (more && !b->count && limit > fpos) {
            /* The first record is longer than what was read: read the rest. */
            uint32_t need = b->data.len - p >= 8 ? get32le(b->data.data + p + 4) : 0;
            size_t have = b->data.len - p;
            want = need > have ? need - have : 1;
            if (want > limit - fpos)
                want = (size_t)(limit - fpos);
            memmove(b->data.data, b->data.data + p, have);
            base += p;
            b->data.len = have;
            continue;
        }
        /* The tail (an incomplete record) waits in carry for the next call. */
        sl_buf_append(&r->carry, b->data.data + p, b->data.len - p);
        b->data.len = w;
        b->data.data[w] = '\0';
        r->off = base + p;
        b->pos_seg = segno;
        b->pos_off = r->off;
        b->pos_seq = nseq ? nseq : 0;
        break;
    }
    if (r->from_ms < r->to_ms)
        filter_time(r, b);
    *out = b;
    return 0;
}

static void persist(struct spool_reader *r)
{
    struct spool *s = r->s;
    uint64_t seg, off, seq;

    pthread_mutex_lock(&s->mu);
    seg = r->ack_seg;
    off = r->ack_off;
    seq = r->ack_seq;
    r->dirty = 0;
    pthread_mutex_unlock(&s->mu);
    /* Failed: kept dirty-free, the next ack tries again, and deletion waits
     * for the file, except when the disk is full: the space the cursor needs
     * may be held by the very segments it would free. Deleting behind the
     * confirmed position with an older cursor on disk loses nothing: a
     * restart starts at the first segment left and re-sends confirmed
     * records, which their IDs make duplicates. */
    int rc = cursor_write(s->path, r->name, seg, off, seq);
    if (rc && errno != ENOSPC && errno != EDQUOT)
        return;
    pthread_mutex_lock(&s->mu);
    uint64_t saved = r->saved_seg;
    /* A cursor at the very end of a sealed segment needs only the next one. */
    size_t i = seg_index(s, seg);
    if (i < s->nsegs && s->segs[i].segno == seg && s->segs[i].sealed && off >= s->segs[i].size)
        seg++;
    r->saved_seg = seg;
    delete_confirmed(s);
    if (rc)
        r->saved_seg = saved;       /* so that close writes the cursor */
    pthread_mutex_unlock(&s->mu);
}

void spool_reader_done(struct spool_reader *r, struct sl_recbatch *b)
{
    struct spool *s = r->s;
    uint64_t now = sl_clock_mono_ms();
    int due;

    pthread_mutex_lock(&s->mu);
    /* A batch from before a drop_oldest jump must not move the cursor back. */
    if (b->pos_seg > r->ack_seg || (b->pos_seg == r->ack_seg && b->pos_off > r->ack_off)) {
        r->ack_seg = b->pos_seg;
        r->ack_off = b->pos_off;
        if (b->pos_seq)
            r->ack_seq = b->pos_seq;
        r->dirty = 1;
    }
    due = r->dirty && now - r->saved_ms >= CURSOR_MS;
    pthread_mutex_unlock(&s->mu);
    sl_recbatch_free(b);
    if (due) {
        r->saved_ms = now;
        persist(r);
    }
}

void spool_reader_cancel(struct spool_reader *r)
{
    pthread_mutex_lock(&r->s->mu);
    r->cancelled = 1;
    pthread_cond_broadcast(&r->s->data);
    pthread_mutex_unlock(&r->s->mu);
}

void spool_reader_backlog(struct spool_reader *r, uint64_t *records, uint64_t *bytes)
{
    struct spool *s = r->s;
    uint64_t b = 0;

    pthread_mutex_lock(&s->mu);
    *records = s->next_seq > r->ack_seq ? s->next_seq - r->ack_seq : 0;
    for (size_t i = 0; i < s->nsegs; i++) {
        if (s->segs[i].segno < r->ack_seg)
            continue;
        b += s->segs[i].size - SEG_HDR;
        if (s->segs[i].segno == r->ack_seg)
            b -= r->ack_off - SEG_HDR;
    }
    *bytes = b;
    pthread_mutex_unlock(&s->mu);
}

int64_t spool_reader_oldest_ms(struct spool_reader *r)
{
    struct spool *s = r->s;
    int64_t ms = 0;

    pthread_mutex_lock(&s->mu);
    if (s->next_seq > r->ack_seq && s->nmarks) {
        size_t i = 0;
        while (i + 1 < s->nmarks && s->marks[i + 1].seq <= r->ack_seq)
            i++;
        ms = s->marks[i].ms;
    }
    pthread_mutex_unlock(&s->mu);
    return ms;
}

int spool_reader_close(struct spool_reader *r, int remove, struct sl_err *err)
{
    struct spool *s;
    int rc = 0;

    if (!r)
        return 0;
    s = r->s;
    if (remove) {
        char p[4096];
        snprintf(p, sizeof p, "%s/cursor.%s", s->path, r->name);
        if (unlink(p) && errno != ENOENT)
            rc = sl_err_set(err, SL_EIO, p, "cannot remove the cursor: %s", strerror(errno));
    } else if (r->dirty || r->ack_seg != r->saved_seg) {
        pthread_mutex_lock(&s->mu);
        uint64_t seg = r->ack_seg, off = r->ack_off, seq = r->ack_seq;
        pthread_mutex_unlock(&s->mu);
        if (cursor_write(s->path, r->name, seg, off, seq))
            rc = sl_err_set(err, SL_EIO, s->path, "cannot save cursor.%s: %s", r->name,
                            strerror(errno));
    }
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->nreaders; i++) {
        if (s->readers[i] == r) {
            s->readers[i] = s->readers[--s->nreaders];
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    reader_close_file(r);
    sl_buf_free(&r->carry);
    sl_free(r);
    return rc;
}

/* ---- offline ---- */

static int lock_holder(const char *dir)
{
    char p[4096], pid[32];
    int fd, n, holder = 0;

    snprintf(p, sizeof p, "%s/LOCK", dir);
    fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    if (flock(fd, LOCK_SH | LOCK_NB)) {
        n = (int)read(fd, pid, sizeof pid - 1);
        pid[n > 0 ? n : 0] = '\0';
        holder = atoi(pid);
        if (!holder)
            holder = -1;
    } else {
        flock(fd, LOCK_UN);
    }
    close(fd);
    return holder;
}

int spool_lock_holder(const char *path)
{
    return lock_holder(path);
}

/* Backlog of a cursor: records and bytes from its position to the end. */
static void cursor_backlog(struct spool_report *rep, struct spool_cursorinfo *c)
{
    for (size_t i = 0; i < rep->nsegs; i++) {
        const struct spool_seginfo *g = &rep->segs[i];
        if (g->segno < c->seg || g->bad_header)
            continue;
        if (g->records && g->last_seq >= c->seq)
            c->backlog_records += g->last_seq + 1 - (c->seq > g->first_seq ? c->seq : g->first_seq);
        uint64_t size = g->content;
        if (g->segno == c->seg && size > c->off)
            c->backlog_bytes += size - c->off;
        else if (g->segno > c->seg && size > SEG_HDR)
            c->backlog_bytes += size - SEG_HDR;
    }
}

int spool_inspect(const char *path, struct spool_report **out, struct sl_err *err)
{
    struct spool_report *rep = sl_calloc(1, sizeof *rep);
    uint64_t *nos = NULL;
    int *gzs = NULL;
    size_t n = 0;
    DIR *d;
    struct dirent *e;
    int rc = 0;

    rep->tmin_ms = INT64_MAX;
    rep->tmax_ms = INT64_MIN;
    if (list_segments(path, &nos, &gzs, &n)) {
        rc = sl_err_set(err, SL_EIO, path, "cannot list the spool: %s", strerror(errno));
        goto fail;
    }
    rep->locked_by_pid = lock_holder(path);
    rep->segs = sl_calloc(n ? n : 1, sizeof *rep->segs);
    for (size_t i = 0; i < n; i++) {
        struct scan sc;
        if (scan_segment(path, nos[i], gzs[i], &sc, NULL, NULL)) {
            char p[4096];
            if (errno == ENOENT)
                continue;   /* deleted since the listing: a running sluice confirmed it */
            seg_name(p, sizeof p, path, nos[i], gzs[i]);
            rc = sl_err_set(err, SL_EIO, p, "cannot read a segment: %s", strerror(errno));
            goto fail;
        }
        rep->segs[rep->nsegs++] = sc.info;
        rep->records += sc.info.records;
        rep->bytes += sc.info.bytes;
        if (sc.info.records && sc.info.tmin_ms < rep->tmin_ms)
            rep->tmin_ms = sc.info.tmin_ms;
        if (sc.info.records && sc.info.tmax_ms > rep->tmax_ms)
            rep->tmax_ms = sc.info.tmax_ms;
    }
    d = opendir(path);
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "cursor.", 7) || strlen(e->d_name) > 7 + 64 ||
            strstr(e->d_name, ".tmp"))
            continue;
        rep->cursors = sl_realloc(rep->cursors, (rep->ncursors + 1) * sizeof *rep->cursors);
        struct spool_cursorinfo *c = &rep->cursors[rep->ncursors++];
        memset(c, 0, sizeof *c);
        snprintf(c->name, sizeof c->name, "%s", e->d_name + 7);
        if (cursor_read(path, c->name, &c->seg, &c->off, &c->seq)) {
            c->unreadable = 1;
            continue;
        }
        cursor_backlog(rep, c);
    }
    if (d)
        closedir(d);
    {
        char cdir[4096];
        snprintf(cdir, sizeof cdir, "%s/corrupt", path);
        d = opendir(cdir);
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            if (rep->ncorrupt_files < 8)
                snprintf(rep->corrupt_dir_files[rep->ncorrupt_files], 80, "%.79s", e->d_name);
            rep->ncorrupt_files++;
        }
        if (d)
            closedir(d);
    }
    sl_free(nos);
    sl_free(gzs);
    *out = rep;
    return 0;
fail:
    sl_free(nos);
    sl_free(gzs);
    spool_report_free(rep);
    return rc;
}

void spool_report_free(struct spool_report *r)
{
    if (!r)
        return;
    sl_free(r->segs);
    sl_free(r->cursors);
    sl_free(r);
}

struct spool_iter {
    char *path;
    uint64_t *nos;
    int *gzs;
    size_t n, i;
    int open;
    struct sstream ss;
    char *buf;
    size_t cap, have, pos;          /* buf[pos..have) not yet parsed */
    uint64_t base;                  /* file offset of buf[0] */
    uint64_t filesize;
    int eof;
    uint64_t skipped;
};

int spool_iter_open(const char *path, struct spool_iter **out, struct sl_err *err)
{
    struct spool_iter *it = sl_calloc(1, sizeof *it);

    if (list_segments(path, &it->nos, &it->gzs, &it->n)) {
        sl_free(it);
        return sl_err_set(err, SL_EIO, path, "cannot list the spool: %s", strerror(errno));
    }
    it->path = sl_strdup(path);
    it->cap = SPOOL_READ_CHUNK;
    it->buf = sl_malloc(it->cap);
    *out = it;
    return 0;
}

int spool_iter_next(struct spool_iter *it, struct sl_rec *r, struct sl_err *err)
{
    size_t len;

    for (;;) {
        if (!it->open) {
            struct stat st;
            char p[4096];
            if (it->i >= it->n)
                return 0;
            seg_name(p, sizeof p, it->path, it->nos[it->i], it->gzs[it->i]);
            if (stat(p, &st) || ss_open(&it->ss, it->path, it->nos[it->i], it->gzs[it->i], 0)) {
                if (errno == ENOENT) {
                    it->i++;    /* deleted since the listing (a live spool): confirmed */
                    continue;
                }
                return sl_err_set(err, SL_EIO, p, "cannot open a segment: %s", strerror(errno));
            }
            it->filesize = it->gzs[it->i] || it->ss.framed ? 0 : (uint64_t)st.st_size;
            it->open = 1;
            it->have = it->pos = 0;
            it->eof = 0;
            if (read_header(&it->ss, it->nos[it->i], NULL)) {
                it->skipped++;
                ss_close(&it->ss);
                it->open = 0;
                it->i++;
                continue;
            }
            it->base = SEG_HDR;
        }
        if (it->pos < it->have) {
            enum sl_rec_status stt = sl_rec_parse(it->buf + it->pos, it->have - it->pos, r, &len);
            if (stt == SL_REC_SHORT && it->have - it->pos >= 8 && it->filesize &&
                it->base + it->pos + get32le(it->buf + it->pos + 4) > it->filesize)
                stt = SL_REC_BAD;
            if (stt == SL_REC_OK) {
                it->pos += len;
                return 1;
            }
            if (stt == SL_REC_BAD || it->eof) {
                size_t q = sl_rec_resync(it->buf, it->have, it->pos + 1);
                it->skipped++;
                if (it->eof && q < it->have &&
                    sl_rec_parse(it->buf + q, it->have - q, r, &len) != SL_REC_OK)
                    q = it->have;   /* a torn tail */
                it->pos = q;
                continue;
            }
        }
        if (it->eof) {
            /* Damage at the end of a framed segment never reaches the
             * records: the stream counted it. */
            it->skipped += it->ss.bad_regions + (it->ss.torn != 0);
            ss_close(&it->ss);
            it->open = 0;
            it->i++;
            continue;
        }
        /* Read more: keep the unparsed tail at the front. */
        memmove(it->buf, it->buf + it->pos, it->have - it->pos);
        it->base += it->pos;
        it->have -= it->pos;
        it->pos = 0;
        if (it->have == it->cap) {
            if (it->cap >= SL_REC_MAX) {
                it->skipped++;
                it->have = 0;
            } else {
                it->cap *= 2;
                it->buf = sl_realloc(it->buf, it->cap);
            }
        }
        ssize_t k = ss_read(&it->ss, it->buf + it->have, it->cap - it->have);
        if (k < 0)
            return sl_err_set(err, SL_EIO, it->path, "cannot read a segment: %s",
                              strerror(errno));
        if (k == 0)
            it->eof = 1;
        it->have += (size_t)k;
    }
}

uint64_t spool_iter_skipped(const struct spool_iter *it)
{
    return it->skipped;
}

void spool_iter_free(struct spool_iter *it)
{
    if (!it)
        return;
    if (it->open)
        ss_close(&it->ss);
    sl_free(it->nos);
    sl_free(it->gzs);
    sl_free(it->buf);
    sl_free(it->path);
    sl_free(it);
}
