/* shipper/cmd_buffer.c: `sluice buffer status|check|export`: the spool seen
 * from outside, without the daemon. Nothing here takes the lock or changes a
 * file, so each works on a live spool (figures then move while it runs) and
 * on a copy; buffer/spool.h's offline half (spool_inspect, spool_iter) does
 * the reading. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer/spool.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/mem.h"
#include "shipper/cli.h"

enum { B_STATUS, B_CHECK, B_EXPORT };

struct bopts {
    int what;
    const char *cfg_path, *path, *out, *format;
    int64_t from_ms, to_ms;
    int has_from, has_to;
};

static void usage_buffer(FILE *f)
{
    fprintf(f,
        "usage: sluice buffer status [-c FILE | --path DIR] [--format text|json]\n"
        "       sluice buffer check  [-c FILE | --path DIR]\n"
        "       sluice buffer export [-c FILE | --path DIR] [--from T] [--to T] [-o FILE]\n"
        "The disk spool (buffer.path) seen from outside: read-only, no lock taken, so\n"
        "each works while sluice runs (figures then move) and on a copy.\n"
        "\n"
        "  status   segments, bytes, records, oldest and newest event time; per reader\n"
        "           (cursor file: one per sink, `replay`) its position and the backlog\n"
        "           it has not confirmed; the pid of a sluice holding the spool; files\n"
        "           already kept aside in corrupt/\n"
        "  check    verifies every record and says, per segment, what recovery at the\n"
        "           next start would do (cut a torn tail, skip damaged records and keep\n"
        "           the segment aside, move a segment with a bad header aside)\n"
        "  export   every valid record as one JSON line, in order:\n"
        "           {\"_id\":...,\"_index\":...|null,\"seq\":N,\"time\":\"RFC 3339\",\"doc\":{...}}\n"
        "           damaged regions are skipped and counted on stderr\n"
        "\n"
        "  -c, --config FILE   take the spool directory from the config's buffer.path\n"
        "      --path DIR      the spool directory (wins over -c)\n"
        "      --format F      status: text (default) or json\n"
        "      --from T        export: events at or after T (event time, not arrival)\n"
        "      --to T          export: events before T\n"
        "  -o, --out FILE      export: write to FILE instead of stdout\n"
        "T: 2026-11-23, 2026-11-23T10:00:00Z, 2026-11-23T10:00:00.5+02:00 (UTC without offset)\n"
        "\n"
        "exit status: status: 0, 2 usage error or the spool cannot be read;\n"
        "check: 0 clean, 1 recovery would change something (or a cursor is unreadable),\n"
        "2 usage or I/O error; export: 0 every record written, 1 damaged regions were\n"
        "skipped (the rest was written), 2 usage or I/O error\n");
}

static const char *fmt_time(int64_t ms, char *buf)
{
    sl_time_rfc3339(buf, ms * 1000000, 3);
    return buf;
}

static const char *seg_file(const struct spool_seginfo *g, char *buf, size_t n)
{
    snprintf(buf, n, "%020" PRIu64 ".seg%s", g->segno, g->compressed ? ".gz" : "");
    return buf;
}

static void json_str(FILE *f, const char *s)
{
    struct sl_buf b;

    sl_buf_init(&b, strlen(s) * 6 + 8, strlen(s) * 6 + 64);
    sl_json_str(&b, s, strlen(s));
    fwrite(b.data, 1, b.len, f);
    sl_buf_free(&b);
}

/* ---- status ---- */

static const char *seg_format(const struct spool_seginfo *g)
{
    return g->compressed ? "gzip" : g->framed ? "lz4" : "plain";
}

static void status_text(const char *dir, const struct spool_report *r)
{
    uint64_t gz = 0, lz = 0, content = 0, regions = 0, dbytes = 0, torn = 0, bad = 0, dsegs = 0;
    char b1[32], b2[32], t1[48], t2[48];

    for (size_t i = 0; i < r->nsegs; i++) {
        const struct spool_seginfo *g = &r->segs[i];
        gz += g->compressed != 0;
        lz += g->framed != 0;
        content += g->content;
        regions += g->corrupt_regions;
        dbytes += g->corrupt_bytes;
        torn += g->torn_bytes;
        bad += g->bad_header != 0;
        dsegs += g->corrupt_regions || g->bad_header;
    }
    printf("spool: %s\n", dir);
    if (r->locked_by_pid > 0)
        printf("in use: by sluice pid %d (read live: the figures move while it runs)\n",
               r->locked_by_pid);
    else if (r->locked_by_pid < 0)
        printf("in use: by a process whose pid the LOCK file does not say\n");
    else
        printf("in use: no\n");
    printf("segments: %zu", r->nsegs);
    if (gz && lz)
        printf(" (%" PRIu64 " lz4, %" PRIu64 " gzip)", lz, gz);
    else if (gz || lz)
        printf(" (%" PRIu64 " %s)", gz + lz, gz ? "gzip" : "lz4");
    printf(", %s (%" PRIu64 " bytes)", cli_fmt_bytes(r->bytes, b1, sizeof b1), r->bytes);
    if ((gz || lz) && r->bytes)
        printf(", %s of records uncompressed (%.1fx)", cli_fmt_bytes(content, b2, sizeof b2),
               (double)content / (double)r->bytes);
    printf("\n");
    printf("records: %" PRIu64 "\n", r->records);
    if (r->records)
        printf("events: oldest %s, newest %s\n", fmt_time(r->tmin_ms, t1),
               fmt_time(r->tmax_ms, t2));
    else
        printf("events: none\n");
    printf("readers: %zu\n", r->ncursors);
    for (size_t i = 0; i < r->ncursors; i++) {
        const struct spool_cursorinfo *c = &r->cursors[i];
        if (c->unreadable) {
            printf("  %-16s cursor.%s cannot be parsed: sluice will not start this reader; "
                   "remove the file (it then sends from the oldest record)\n", c->name,
                   c->name);
            continue;
        }
        printf("  %-16s at segment %" PRIu64 " offset %" PRIu64 " (next seq %" PRIu64 "): "
               "backlog %" PRIu64 " records, %s\n", c->name, c->seg, c->off, c->seq,
               c->backlog_records, cli_fmt_bytes(c->backlog_bytes, b1, sizeof b1));
    }
    if (regions || bad)
        printf("damaged: regions=%" PRIu64 " bytes=%" PRIu64 " bad_headers=%" PRIu64
               " segments=%" PRIu64 ": see `sluice buffer check`\n", regions, dbytes, bad, dsegs);
    if (torn)
        printf("torn tail: bytes=%" PRIu64 " at the end of a segment%s\n", torn,
               r->locked_by_pid ? " (the spool is in use: may be a write in progress)" : "");
    if (r->ncorrupt_files) {
        printf("kept aside in corrupt/: %zu files:", r->ncorrupt_files);
        for (size_t i = 0; i < r->ncorrupt_files && i < 8; i++)
            printf(" %s", r->corrupt_dir_files[i]);
        printf("%s\n", r->ncorrupt_files > 8 ? " ..." : "");
    }
}

static void status_json(const char *dir, const struct spool_report *r)
{
    uint64_t gz = 0, lz = 0, content = 0, regions = 0, dbytes = 0, torn = 0, bad = 0;
    char t[48], name[64];

    for (size_t i = 0; i < r->nsegs; i++) {
        gz += r->segs[i].compressed != 0;
        lz += r->segs[i].framed != 0;
        content += r->segs[i].content;
        regions += r->segs[i].corrupt_regions;
        dbytes += r->segs[i].corrupt_bytes;
        torn += r->segs[i].torn_bytes;
        bad += r->segs[i].bad_header != 0;
    }
    printf("{\"path\":");
    json_str(stdout, dir);
    printf(",\"locked\":%s,\"lock_pid\":", r->locked_by_pid ? "true" : "false");
    if (r->locked_by_pid > 0)
        printf("%d", r->locked_by_pid);
    else
        printf("null");
    printf(",\"segments\":%zu,\"compressed_segments\":%" PRIu64 ",\"lz4_segments\":%" PRIu64
           ",\"bytes\":%" PRIu64 ",\"content_bytes\":%" PRIu64 ",\"records\":%" PRIu64,
           r->nsegs, gz, lz, r->bytes, content, r->records);
    if (r->records) {
        printf(",\"oldest\":\"%s\"", fmt_time(r->tmin_ms, t));
        printf(",\"newest\":\"%s\"", fmt_time(r->tmax_ms, t));
    } else {
        printf(",\"oldest\":null,\"newest\":null");
    }
    printf(",\"damaged_regions\":%" PRIu64 ",\"damaged_bytes\":%" PRIu64 ",\"bad_headers\":%"
           PRIu64 ",\"torn_bytes\":%" PRIu64, regions, dbytes, bad, torn);
    printf(",\"readers\":[");
    for (size_t i = 0; i < r->ncursors; i++) {
        const struct spool_cursorinfo *c = &r->cursors[i];
        printf("%s{\"name\":", i ? "," : "");
        json_str(stdout, c->name);
        if (c->unreadable)
            printf(",\"unreadable\":true}");
        else
            printf(",\"unreadable\":false,\"segment\":%" PRIu64 ",\"offset\":%" PRIu64
                   ",\"seq\":%" PRIu64 ",\"backlog_records\":%" PRIu64 ",\"backlog_bytes\":%"
                   PRIu64 "}", c->seg, c->off, c->seq, c->backlog_records, c->backlog_bytes);
    }
    printf("],\"corrupt_files\":[");
    for (size_t i = 0; i < r->ncorrupt_files && i < 8; i++) {
        printf("%s", i ? "," : "");
        json_str(stdout, r->corrupt_dir_files[i]);
    }
    printf("],\"corrupt_files_total\":%zu,\"segment_list\":[", r->ncorrupt_files);
    for (size_t i = 0; i < r->nsegs; i++) {
        const struct spool_seginfo *g = &r->segs[i];
        printf("%s{\"file\":\"%s\",\"format\":\"%s\",\"bytes\":%" PRIu64
               ",\"content_bytes\":%" PRIu64 ",\"records\":%" PRIu64, i ? "," : "",
               seg_file(g, name, sizeof name), seg_format(g), g->bytes, g->content, g->records);
        if (g->records)
            printf(",\"first_seq\":%" PRIu64 ",\"last_seq\":%" PRIu64, g->first_seq, g->last_seq);
        printf(",\"damaged_regions\":%" PRIu64 ",\"torn_bytes\":%" PRIu64 ",\"bad_header\":%s}",
               g->corrupt_regions, g->torn_bytes, g->bad_header ? "true" : "false");
    }
    printf("]}\n");
}

/* ---- check ---- */

static int check(const char *dir, const struct spool_report *r)
{
    uint64_t changed = 0;
    char name[64], b1[32];

    printf("spool: %s\n", dir);
    for (size_t i = 0; i < r->nsegs; i++) {
        const struct spool_seginfo *g = &r->segs[i];
        int live_tail = r->locked_by_pid && i + 1 == r->nsegs;
        seg_file(g, name, sizeof name);
        if (g->bad_header) {
            printf("%s  %s: bad header (not a segment, or its header is damaged): recovery "
                   "moves it to corrupt/ and reads nothing from it\n", name,
                   cli_fmt_bytes(g->bytes, b1, sizeof b1));
            changed++;
            continue;
        }
        printf("%s  %s, %" PRIu64 " records", name, cli_fmt_bytes(g->bytes, b1, sizeof b1),
               g->records);
        if (!g->corrupt_regions && !g->torn_bytes) {
            printf(": ok\n");
            continue;
        }
        const char *sep = ": ";
        if (g->corrupt_regions) {
            printf("%sdamaged: %" PRIu64 " region%s, %" PRIu64 " bytes: recovery skips %s and "
                   "keeps a copy of the segment in corrupt/", sep, g->corrupt_regions,
                   g->corrupt_regions == 1 ? "" : "s", g->corrupt_bytes,
                   g->corrupt_regions == 1 ? "it" : "them");
            sep = "; ";
        }
        if (g->torn_bytes && g->compressed)
            printf("%storn tail: %" PRIu64 " bytes at the end: recovery reads up to it (a "
                   "compressed segment is not cut)", sep, g->torn_bytes);
        else if (g->torn_bytes)
            printf("%storn tail: %" PRIu64 " bytes at the end: recovery cuts them (a write "
                   "that did not finish%s)", sep, g->torn_bytes,
                   live_tail ? ", or one in progress: sluice is running" : "");
        printf("\n");
        changed++;
    }
    for (size_t i = 0; i < r->ncursors; i++) {
        if (!r->cursors[i].unreadable)
            continue;
        printf("cursor.%s: cannot be parsed: sluice refuses to start reader %s; remove the "
               "file and it sends from the oldest record (IDs keep the index free of "
               "duplicates)\n", r->cursors[i].name, r->cursors[i].name);
        changed++;
    }
    if (r->ncorrupt_files)
        printf("corrupt/ already holds %zu file%s from earlier recoveries\n", r->ncorrupt_files,
               r->ncorrupt_files == 1 ? "" : "s");
    if (changed)
        printf("check: %zu segments, %" PRIu64 " valid records; recovery would change or "
               "report %" PRIu64 " item%s\n", r->nsegs, r->records, changed,
               changed == 1 ? "" : "s");
    else
        printf("check: %zu segments, %" PRIu64 " records: clean\n", r->nsegs, r->records);
    return changed ? 1 : 0;
}

/* ---- export ---- */

static int export_records(const char *dir, const struct bopts *o)
{
    struct spool_iter *it = NULL;
    struct sl_err err = { 0 };
    struct sl_rec r;
    struct sl_buf line;
    FILE *f = stdout;
    uint64_t written = 0, outside = 0;
    int rc = 0, k;
    char t[48];

    if (o->out && !(f = fopen(o->out, "w"))) {
        fprintf(stderr, "sluice buffer export: %s: %s\n", o->out, strerror(errno));
        return 2;
    }
    if (spool_iter_open(dir, &it, &err)) {
        fprintf(stderr, "sluice buffer export: %s at %s\n", err.msg, err.where);
        rc = 2;
        goto out;
    }
    sl_buf_init(&line, 4096, SL_REC_MAX * 7 + 4096);
    while ((k = spool_iter_next(it, &r, &err)) == 1) {
        if ((o->has_from && r.time_ms < o->from_ms) || (o->has_to && r.time_ms >= o->to_ms)) {
            outside++;
            continue;
        }
        sl_buf_reset(&line);
        sl_buf_puts(&line, "{\"_id\":");
        sl_json_str(&line, r.id, SL_ID_LEN);
        sl_buf_puts(&line, ",\"_index\":");
        if (r.index_len)
            sl_json_str(&line, r.index, r.index_len);
        else
            sl_buf_puts(&line, "null");
        sl_buf_puts(&line, ",\"seq\":");
        sl_json_u64(&line, r.seq);
        sl_buf_puts(&line, ",\"time\":\"");
        sl_buf_puts(&line, fmt_time(r.time_ms, t));
        sl_buf_puts(&line, "\",\"doc\":");
        sl_buf_append(&line, r.doc, r.doc_len);
        sl_buf_puts(&line, "}\n");
        if (fwrite(line.data, 1, line.len, f) != line.len)
            break;
        written++;
    }
    sl_buf_free(&line);
    if (k < 0) {
        fprintf(stderr, "sluice buffer export: %s at %s\n", err.msg, err.where);
        rc = 2;
    }
    fprintf(stderr, "sluice buffer export: records=%" PRIu64 " written", written);
    if (o->has_from || o->has_to)
        fprintf(stderr, " outside_time=%" PRIu64, outside);
    fprintf(stderr, " damaged_skipped=%" PRIu64 "%s\n", spool_iter_skipped(it),
            spool_iter_skipped(it) ? " (damaged regions: see `sluice buffer check`)" : "");
    if (!rc && spool_iter_skipped(it))
        rc = 1;
out:
    spool_iter_free(it);
    if (fflush(f) || ferror(f) || (f != stdout && fclose(f))) {
        fprintf(stderr, "sluice buffer export: cannot write %s: %s\n", o->out ? o->out : "stdout",
                strerror(errno));
        rc = 2;
    }
    return rc;
}

int cmd_buffer(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "path", required_argument, NULL, 'p' },
        { "format", required_argument, NULL, 'F' },
        { "from", required_argument, NULL, 'f' },
        { "to", required_argument, NULL, 't' },
        { "out", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct bopts o = { 0 };
    struct sl_config *cfg = NULL;
    struct spool_report *rep = NULL;
    struct sl_err err = { 0 };
    const char *dir = NULL, *sub = argc > 1 ? argv[1] : NULL;
    int c, rc;

    if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
        usage_buffer(sub ? stdout : stderr);
        return sub ? 0 : 2;
    }
    if (!strcmp(sub, "status"))
        o.what = B_STATUS;
    else if (!strcmp(sub, "check"))
        o.what = B_CHECK;
    else if (!strcmp(sub, "export"))
        o.what = B_EXPORT;
    else {
        fprintf(stderr, "sluice buffer: unknown subcommand '%s' (status, check, export)\n", sub);
        return 2;
    }
    optind = 1;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "c:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o.cfg_path = optarg; break;
        case 'p': o.path = optarg; break;
        case 'F': o.format = optarg; break;
        case 'o': o.out = optarg; break;
        case 'f':
        case 't':
            if (cli_parse_time(optarg, c == 'f' ? &o.from_ms : &o.to_ms)) {
                fprintf(stderr, "sluice buffer: --%s: expected a time like 2026-11-23T10:00:00Z, "
                        "got '%s'\n", c == 'f' ? "from" : "to", optarg);
                return 2;
            }
            *(c == 'f' ? &o.has_from : &o.has_to) = 1;
            break;
        case 'h': usage_buffer(stdout); return 0;
        default: usage_buffer(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sluice buffer %s: unexpected argument '%s'\n", sub, argv[optind]);
        return 2;
    }
    if (o.format && (o.what != B_STATUS || (strcmp(o.format, "text") && strcmp(o.format, "json")))) {
        fprintf(stderr, "sluice buffer %s: --format: %s\n", sub, o.what != B_STATUS ?
                "only status has formats" : "expected text or json");
        return 2;
    }
    if (o.what != B_EXPORT && (o.has_from || o.has_to || o.out)) {
        fprintf(stderr, "sluice buffer %s: --from, --to and --out belong to export\n", sub);
        return 2;
    }
    if (o.has_from && o.has_to && o.from_ms >= o.to_ms) {
        fprintf(stderr, "sluice buffer export: --from must be before --to\n");
        return 2;
    }
    rc = cli_spool_dir("sluice buffer", o.cfg_path, o.path, &cfg, &dir);
    if (rc)
        goto out;
    if (o.what == B_EXPORT) {
        rc = export_records(dir, &o);
        goto out;
    }
    if (spool_inspect(dir, &rep, &err)) {
        fprintf(stderr, "sluice buffer %s: %s at %s\n", sub, err.msg, err.where);
        rc = 2;
        goto out;
    }
    if (o.what == B_CHECK)
        rc = check(dir, rep);
    else if (o.format && !strcmp(o.format, "json"))
        status_json(dir, rep);
    else
        status_text(dir, rep);
    if (fflush(stdout)) {
        rc = 2;
    }
out:
    spool_report_free(rep);
    config_free(cfg);
    return rc;
}
