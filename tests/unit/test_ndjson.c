/* tests/unit/test_ndjson.c: the NDJSON file sink (sinks/ndjson.c). Files
 * live in a fresh directory under $TMPDIR (or /tmp). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/mem.h"
#include "sinks/ndjson.h"
#include "tests/unit/tu.h"

#define MANY 3000           /* more lines than one writev takes */

static char dir[256];
static char path[512];
static struct ndjson_conf conf;
static struct sink_stats stats;
static void *state;
static struct sl_err err;
static struct sl_rec recs[MANY];
static enum sink_verdict out[MANY];
static char docs[MANY][32];

static const char id[] = "AAAAAAAAAAAAAAAAAAAAA0";

static void make_recs(size_t n, int from)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(docs[i], sizeof docs[i], "{\"n\":%d}", from + (int)i);
        recs[i] = (struct sl_rec){ id, "x", 1, docs[i], strlen(docs[i]), 0, 0 };
    }
}

/* The file's bytes (static buffer, NUL-terminated). */
static const char *slurp(const char *p)
{
    static char buf[MANY * 32];
    FILE *f = fopen(p, "rb");
    size_t n = 0;

    if (f) {
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

static void setpath(const char *name)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    sl_free(conf.path);
    conf.path = sl_strdup(path);
}

static int do_open(void)
{
    sl_err_clear(&err);
    return sink_ndjson.open(&state, &conf, "t", &stats, &err);
}

static int do_send(size_t n)
{
    sl_err_clear(&err);
    for (size_t i = 0; i < n; i++)
        out[i] = (enum sink_verdict)99;
    return sink_ndjson.send(state, recs, n, out, &err);
}

static void t_setup(void)
{
    memset(&conf, 0, sizeof conf);
    memset(&stats, 0, sizeof stats);
    state = NULL;
    CU_ASSERT_EQUAL(sl_cfg_defaults(ndjson_rows, &conf, &err), 0);
}

static void t_teardown(void)
{
    sink_ndjson.close(state);
    state = NULL;
    sl_cfg_release(ndjson_rows, &conf);
}

static void t_exact_lines(void)
{
    setpath("exact.ndjson");
    make_recs(3, 0);
    CU_ASSERT_EQUAL_FATAL(do_open(), 0);
    CU_ASSERT_EQUAL(do_send(3), 0);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(out[i], SINK_DONE);
    TU_ASSERT_STR(slurp(path), "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
    CU_ASSERT_EQUAL(stats.sent, 3);
    CU_ASSERT_EQUAL(stats.confirmed, 3);
    CU_ASSERT_EQUAL(stats.bytes, 24);
    CU_ASSERT_EQUAL(stats.requests, 1);
    CU_ASSERT_EQUAL(do_send(0), 0);
    CU_ASSERT_EQUAL(stats.sent, 3);
}

static void t_appends(void)
{
    struct stat st;

    setpath("append.ndjson");
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("old\n", f);
    fclose(f);
    make_recs(1, 7);
    CU_ASSERT_EQUAL_FATAL(do_open(), 0);
    CU_ASSERT_EQUAL(do_send(1), 0);
    sink_ndjson.close(state);
    state = NULL;
    /* A second instance appends after the first. */
    CU_ASSERT_EQUAL_FATAL(do_open(), 0);
    make_recs(1, 8);
    CU_ASSERT_EQUAL(do_send(1), 0);
    TU_ASSERT_STR(slurp(path), "old\n{\"n\":7}\n{\"n\":8}\n");
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    setpath("created.ndjson");
    sink_ndjson.close(state);
    state = NULL;
    CU_ASSERT_EQUAL_FATAL(do_open(), 0);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0640);      /* umask 022 (suite_init) keeps it */
}

static void t_bad_path(void)
{
    snprintf(path, sizeof path, "%s/no/such/dir/out.ndjson", dir);
    sl_free(conf.path);
    conf.path = sl_strdup(path);
    CU_ASSERT_EQUAL(do_open(), SL_EIO);
    CU_ASSERT_PTR_NULL(state);
    TU_ASSERT_HAS(err.msg, path);
    TU_ASSERT_HAS(err.msg, strerror(ENOENT));
    /* The next good path works. */
    setpath("good.ndjson");
    CU_ASSERT_EQUAL_FATAL(do_open(), 0);
    make_recs(1, 1);
    CU_ASSERT_EQUAL(do_send(1), 0);
    TU_ASSERT_STR(slurp(path), "{\"n\":1}\n");
}

static void t_write_error(void)
{
    sl_free(conf.path);
    conf.path = sl_strdup("/dev/full");
    CU_ASSERT_EQUAL_FATAL(do_open(), 0);
    make_recs(4, 0);
    CU_ASSERT_EQUAL(do_send(4), SL_EIO);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(out[i], SINK_RETRY);
    TU_ASSERT_HAS(err.msg, "/dev/full");
    TU_ASSERT_HAS(err.msg, strerror(ENOSPC));
    CU_ASSERT_EQUAL(stats.retried, 4);
    CU_ASSERT_EQUAL(stats.failed_requests, 1);
    CU_ASSERT_EQUAL(stats.requests, 1);     /* a failed request is a request */
    CU_ASSERT_EQUAL(stats.confirmed, 0);
    /* Another sink on a good file still works. */
    sink_ndjson.close(state);
    state = NULL;
    setpath("after_full.ndjson");
    CU_ASSERT_EQUAL_FATAL(do_open(), 0);
    CU_ASSERT_EQUAL(do_send(4), 0);
    CU_ASSERT_EQUAL(out[3], SINK_DONE);
}

static void t_torn_write_undone(void)
{
    struct rlimit old, lim;
    struct sigaction sa = { .sa_handler = SIG_IGN }, oldsa;

    setpath("torn.ndjson");
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("old\n", f);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(do_open(), 0);
    make_recs(3, 100);                  /* three lines of 10 bytes */
    /* The file may grow to 20 bytes: the first line fits, the second tears. */
    CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 20;
    sigaction(SIGXFSZ, &sa, &oldsa);
    CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &lim), 0);
    CU_ASSERT_EQUAL(do_send(3), SL_EIO);
    setrlimit(RLIMIT_FSIZE, &old);
    sigaction(SIGXFSZ, &oldsa, NULL);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(out[i], SINK_RETRY);
    TU_ASSERT_HAS(err.msg, strerror(EFBIG));
    /* Nothing of the failed send stays, so the retry leaves clean lines. */
    TU_ASSERT_STR(slurp(path), "old\n");
    CU_ASSERT_EQUAL(do_send(3), 0);
    TU_ASSERT_STR(slurp(path), "old\n{\"n\":100}\n{\"n\":101}\n{\"n\":102}\n");
}

static void t_many(void)
{
    const char *text, *p;
    char want[32];
    int ok = 1;

    setpath("many.ndjson");
    make_recs(MANY, 0);
    CU_ASSERT_EQUAL_FATAL(do_open(), 0);
    CU_ASSERT_EQUAL(do_send(MANY), 0);
    CU_ASSERT_EQUAL(out[MANY - 1], SINK_DONE);
    text = slurp(path);
    p = text;
    for (int i = 0; i < MANY && ok; i++) {
        int k = snprintf(want, sizeof want, "{\"n\":%d}\n", i);

        ok = strncmp(p, want, (size_t)k) == 0;
        p += k;
    }
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(*p, '\0');
    /* 512 lines per writev, but one send is one request (and one latency
     * observation), so that the histogram's count is `requests`. */
    CU_ASSERT_EQUAL(stats.requests, 1);
    {
        uint64_t sum = 0;
        for (size_t i = 0; i <= SINK_LAT_NBOUNDS; i++)
            sum += stats.lat_bucket[i];
        CU_ASSERT_EQUAL(sum, 1);
    }
}

static void t_stdout(void)
{
    int pfd[2], saved;
    char buf[64];
    ssize_t n;

    sl_free(conf.path);
    conf.path = sl_strdup("-");
    conf.fsync = 1;
    CU_ASSERT_EQUAL_FATAL(pipe(pfd), 0);
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    dup2(pfd[1], STDOUT_FILENO);
    CU_ASSERT_EQUAL(do_open(), 0);
    make_recs(2, 5);
    CU_ASSERT_EQUAL(do_send(2), 0);
    /* A pipe cannot be synced; that is not an error. */
    CU_ASSERT_EQUAL(sink_ndjson.flush(state, &err), 0);
    sink_ndjson.close(state);
    state = NULL;
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(pfd[1]);
    n = read(pfd[0], buf, sizeof buf - 1);
    close(pfd[0]);
    buf[n > 0 ? n : 0] = '\0';
    CU_ASSERT_STRING_EQUAL(buf, "{\"n\":5}\n{\"n\":6}\n");
    /* Standard output stays open after close. */
    CU_ASSERT(fcntl(STDOUT_FILENO, F_GETFD) != -1);
}

static void t_fsync_flush(void)
{
    setpath("sync.ndjson");
    conf.fsync = 1;
    make_recs(2, 0);
    CU_ASSERT_EQUAL_FATAL(do_open(), 0);
    CU_ASSERT_EQUAL(do_send(2), 0);
    CU_ASSERT_EQUAL(sink_ndjson.flush(state, &err), 0);
    conf.fsync = 0;
    CU_ASSERT_EQUAL(sink_ndjson.flush(state, &err), 0);
    TU_ASSERT_STR(slurp(path), "{\"n\":0}\n{\"n\":1}\n");
}

static void t_rows(void)
{
    struct sink_batch b;

    CU_ASSERT_EQUAL(conf.fsync, 0);
    sink_ndjson.batch(&conf, &b);
    CU_ASSERT_EQUAL(b.max_docs, 10000);
    CU_ASSERT_EQUAL(b.max_bytes, 4u * 1024 * 1024);
    CU_ASSERT_EQUAL(b.max_wait_ms, 200);
    CU_ASSERT_EQUAL(b.retry_initial_ms, 0);
    CU_ASSERT_PTR_NULL(sink_ndjson.index);
    CU_ASSERT_PTR_EQUAL(sink_type_find("ndjson"), &sink_ndjson);
    CU_ASSERT_EQUAL(sink_ndjson.validate(&conf, &err), SL_ECONFIG);
    conf.path = sl_strdup("-");
    CU_ASSERT_EQUAL(sink_ndjson.validate(&conf, &err), 0);
    sink_ndjson.close(NULL);
}

static int suite_init(void)
{
    const char *t = getenv("TMPDIR");

    snprintf(dir, sizeof dir, "%s/test_ndjson.XXXXXX", t && *t ? t : "/tmp");
    umask(022);
    return mkdtemp(dir) ? 0 : 1;
}

static int suite_cleanup(void)
{
    static const char *const names[] = {
        "exact.ndjson", "append.ndjson", "created.ndjson", "good.ndjson", "after_full.ndjson",
        "torn.ndjson", "many.ndjson", "sync.ndjson",
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

static CU_TestInfo tests[] = {
    { "three records give exactly three lines", t_exact_lines },
    { "lines are appended after what the file holds, across instances", t_appends },
    { "a path in a missing directory fails naming it; a good one then works", t_bad_path },
    { "a full disk gives SL_EIO and every record RETRY; another file then works", t_write_error },
    { "a write that fails half way leaves nothing, and the retry clean lines", t_torn_write_undone },
    { "more lines than one writev takes arrive whole and in order", t_many },
    { "- writes to standard output and leaves it open", t_stdout },
    { "flush with fsync set syncs the file", t_fsync_flush },
    { "the rows give 10000 docs, 4MiB, 200ms; a path is required", t_rows },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "ndjson", suite_init, suite_cleanup, t_setup, t_teardown, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
