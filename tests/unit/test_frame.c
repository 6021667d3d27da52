/* tests/unit/test_frame.c: the RFC 6587 framer, fed scripted reads. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "shipper/frame.h"
#include "tests/unit/tu.h"

#define GOT_MAX 4096

/* Every delivered message, copied, with its flags and where it pointed. */
static struct {
    size_t n;
    char *msg[GOT_MAX];
    size_t len[GOT_MAX];
    unsigned flags[GOT_MAX];
    const char *ptr[GOT_MAX];
} got;

static void got_reset(void)
{
    for (size_t i = 0; i < got.n; i++)
        sl_free(got.msg[i]);
    memset(&got, 0, sizeof got);
}

static void collect(void *arg, const char *msg, size_t len, unsigned flags)
{
    (void)arg;
    CU_ASSERT(len >= 1);
    if (got.n >= GOT_MAX)
        return;
    got.msg[got.n] = sl_strndup(msg, len);
    got.len[got.n] = len;
    got.flags[got.n] = flags;
    got.ptr[got.n] = msg;
    got.n++;
}

static void feed_str(struct frame *f, const char *s)
{
    frame_feed(f, s, strlen(s), collect, NULL);
}

static void feed_bytes_one_by_one(struct frame *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        frame_feed(f, s + i, 1, collect, NULL);
}

#define ASSERT_MSG(i, text, fl) \
    do { \
        CU_ASSERT_FATAL(got.n > (i)); \
        CU_ASSERT_EQUAL(got.len[i], strlen(text)); \
        TU_ASSERT_STR(got.msg[i], (text)); \
        CU_ASSERT_EQUAL(got.flags[i], (fl)); \
    } while (0)

static void setup(void)
{
    got_reset();
}

static void teardown(void)
{
    got_reset();
}

static void t_lf_frames(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "<13>one\n<13>two\nthree\n");
    CU_ASSERT_EQUAL(got.n, 3);
    ASSERT_MSG(0, "<13>one", 0);
    ASSERT_MSG(1, "<13>two", 0);
    ASSERT_MSG(2, "three", 0);
    frame_free(f);
}

static void t_crlf(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "<13>one\r\n<13>two\r\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>one", 0);
    ASSERT_MSG(1, "<13>two", 0);
    frame_free(f);
}

static void t_one_cr_only(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "a\r\r\nb\rc\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "a\r", 0);
    ASSERT_MSG(1, "b\rc", 0);
    frame_free(f);
}

static void t_crlf_split_between_reads(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "<13>one\r");
    CU_ASSERT_EQUAL(got.n, 0);
    feed_str(f, "\n<13>two\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>one", 0);
    ASSERT_MSG(1, "<13>two", 0);
    frame_free(f);
}

static void t_empty_lines(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "\n\n\r\n<13>a\n\n\r\n\n<13>b\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>a", 0);
    ASSERT_MSG(1, "<13>b", 0);
    CU_ASSERT_EQUAL(frame_stats(f)->frames, 2);
    frame_free(f);
}

static void t_octet_counted(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "9 <13>hello11 <13>world!!");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>hello", 0);
    ASSERT_MSG(1, "<13>world!!", 0);
    frame_free(f);
}

static void t_octet_body_keeps_lf(void)
{
    struct frame *f = frame_new(1024);

    /* Multi-line messages are what octet counting is for. */
    feed_str(f, "9 <13>a\r\nb\n8 <13>next");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>a\r\nb\n", 0);
    ASSERT_MSG(1, "<13>next", 0);
    frame_free(f);
}

static void t_counted_then_lf_skips_empty_line(void)
{
    struct frame *f = frame_new(1024);

    /* A sender that adds an uncounted LF after each counted frame. */
    feed_str(f, "5 <13>a\n5 <13>b\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>a", 0);
    ASSERT_MSG(1, "<13>b", 0);
    frame_free(f);
}

static void t_mixed(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "<13>lf one\n8 <13>oct1<13>lf two\r\n10 <13>oct 2\n<13>end\n");
    CU_ASSERT_EQUAL(got.n, 5);
    ASSERT_MSG(0, "<13>lf one", 0);
    ASSERT_MSG(1, "<13>oct1", 0);
    ASSERT_MSG(2, "<13>lf two", 0);
    ASSERT_MSG(3, "<13>oct 2\n", 0);
    ASSERT_MSG(4, "<13>end", 0);
    frame_free(f);
}

static void t_count_split_three_reads(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "1");
    feed_str(f, "5 <13>hel");
    CU_ASSERT_EQUAL(got.n, 0);
    feed_str(f, "lo world");
    CU_ASSERT_EQUAL(got.n, 1);
    ASSERT_MSG(0, "<13>hello world", 0);
    feed_str(f, "3 <1>");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(1, "<1>", 0);
    frame_free(f);
}

static const char mixed_stream[] =
    "<13>lf one\n"
    "12 <13>counted1"
    "\r\n"
    "<13>crlf\r\n"
    "123abc\n"
    "0 zero\n"
    "12 <13>a\nb\x00" "c\r\nd"
    "<13>tail\n";

static void t_byte_by_byte(void)
{
    struct frame *f = frame_new(1024);

    feed_bytes_one_by_one(f, mixed_stream, sizeof mixed_stream - 1);
    CU_ASSERT_EQUAL(got.n, 7);
    ASSERT_MSG(0, "<13>lf one", 0);
    ASSERT_MSG(1, "<13>counted1", 0);
    ASSERT_MSG(2, "<13>crlf", 0);
    ASSERT_MSG(3, "123abc", FRAME_BAD_COUNT);
    ASSERT_MSG(4, "0 zero", FRAME_BAD_COUNT);
    CU_ASSERT_FATAL(got.n > 5);
    CU_ASSERT_EQUAL(got.len[5], 12);
    CU_ASSERT(memcmp(got.msg[5], "<13>a\nb\0c\r\nd", 12) == 0);
    ASSERT_MSG(6, "<13>tail", 0);
    frame_free(f);
}

static void t_random_splits_same_frames(void)
{
    struct frame *whole = frame_new(1024), *f;
    size_t n_whole;
    char *copy[16];
    size_t clen[16];
    unsigned cflags[16];
    unsigned seed = 12345;

    frame_feed(whole, mixed_stream, sizeof mixed_stream - 1, collect, NULL);
    n_whole = got.n;
    CU_ASSERT_FATAL(n_whole == 7);
    for (size_t i = 0; i < n_whole; i++) {
        copy[i] = sl_strndup(got.msg[i], got.len[i]);
        clen[i] = got.len[i];
        cflags[i] = got.flags[i];
    }
    for (int round = 0; round < 200; round++) {
        size_t off = 0, total = sizeof mixed_stream - 1;

        got_reset();
        f = frame_new(1024);
        while (off < total) {
            size_t step;

            seed = seed * 1103515245u + 12345u;
            step = 1 + (seed >> 16) % 9;
            if (step > total - off)
                step = total - off;
            frame_feed(f, mixed_stream + off, step, collect, NULL);
            off += step;
        }
        CU_ASSERT_EQUAL(got.n, n_whole);
        for (size_t i = 0; i < n_whole && i < got.n; i++) {
            CU_ASSERT_EQUAL(got.len[i], clen[i]);
            CU_ASSERT(memcmp(got.msg[i], copy[i], clen[i]) == 0);
            CU_ASSERT_EQUAL(got.flags[i], cflags[i]);
        }
        frame_free(f);
    }
    for (size_t i = 0; i < n_whole; i++)
        sl_free(copy[i]);
    frame_free(whole);
}

static void t_too_many_digits(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "1234567890 <13>x\n");
    ASSERT_MSG(0, "1234567890 <13>x", FRAME_BAD_COUNT);
    feed_str(f, "5 <13>y");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(1, "<13>y", 0);
    CU_ASSERT_EQUAL(frame_stats(f)->bad_count, 1);
    frame_free(f);
}

static void t_nine_digits_accepted(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "000000005 <13>y<13>z\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>y", 0);
    ASSERT_MSG(1, "<13>z", 0);
    frame_free(f);
}

static void t_count_without_space(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "12abc def\n");
    ASSERT_MSG(0, "12abc def", FRAME_BAD_COUNT);
    feed_str(f, "2026-01-01T00:00:00Z host app: hi\n");
    ASSERT_MSG(1, "2026-01-01T00:00:00Z host app: hi", FRAME_BAD_COUNT);
    feed_str(f, "<13>good\n");
    CU_ASSERT_EQUAL(got.n, 3);
    ASSERT_MSG(2, "<13>good", 0);
    frame_free(f);
}

static void t_count_zero(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "0 <13>zero\n");
    ASSERT_MSG(0, "0 <13>zero", FRAME_BAD_COUNT);
    feed_str(f, "00 x\n6 <13>ok");
    CU_ASSERT_EQUAL(got.n, 3);
    ASSERT_MSG(1, "00 x", FRAME_BAD_COUNT);
    ASSERT_MSG(2, "<13>ok", 0);
    frame_free(f);
}

static void t_count_then_lf(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "42\n");
    ASSERT_MSG(0, "42", FRAME_BAD_COUNT);
    feed_str(f, "3 <1>");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(1, "<1>", 0);
    frame_free(f);
}

static void t_lying_count_split_in_digits(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "12345");
    feed_str(f, "67890");
    feed_str(f, "1 tail\n");
    ASSERT_MSG(0, "12345678901 tail", FRAME_BAD_COUNT);
    feed_str(f, "3 abc");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(1, "abc", 0);
    frame_free(f);
}

static void t_count_over_max(void)
{
    struct frame *f = frame_new(8);

    feed_str(f, "20 <13>0123456789ABCDEF");
    feed_str(f, "7 <13>ok!");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>0123", FRAME_TRUNCATED);
    ASSERT_MSG(1, "<13>ok!", 0);
    CU_ASSERT_EQUAL(frame_stats(f)->truncated, 1);
    frame_free(f);
}

static void t_count_over_max_across_reads(void)
{
    struct frame *f = frame_new(8);
    char chunk[1000];

    /* 100000 counted bytes in 1000-byte reads; only 8 are ever kept. */
    feed_str(f, "100000 ");
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 100; i++) {
        frame_feed(f, chunk, sizeof chunk, collect, NULL);
        CU_ASSERT(frame_mem(f) <= 8 + FRAME_SLACK);
    }
    CU_ASSERT_EQUAL(got.n, 1);
    ASSERT_MSG(0, "xxxxxxxx", FRAME_TRUNCATED);
    feed_str(f, "<13>aft\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(1, "<13>aft", 0);
    frame_free(f);
}

static void t_count_equal_max(void)
{
    struct frame *f = frame_new(8);

    feed_str(f, "8 <13>abcd8 <13>efgh");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>abcd", 0);
    ASSERT_MSG(1, "<13>efgh", 0);
    frame_free(f);
}

static void t_lf_over_max(void)
{
    struct frame *f = frame_new(8);

    feed_str(f, "<13>0123456789ABCDEF\n<13>ok\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>0123", FRAME_TRUNCATED);
    ASSERT_MSG(1, "<13>ok", 0);
    frame_free(f);
}

static void t_lf_over_max_across_reads(void)
{
    struct frame *f = frame_new(8);
    char chunk[1000];

    feed_str(f, "<13>");
    memset(chunk, 'y', sizeof chunk);
    for (int i = 0; i < 100; i++) {
        frame_feed(f, chunk, sizeof chunk, collect, NULL);
        CU_ASSERT(frame_mem(f) <= 8 + FRAME_SLACK);
    }
    feed_str(f, "yyy\n<13>ok\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>yyyy", FRAME_TRUNCATED);
    ASSERT_MSG(1, "<13>ok", 0);
    frame_free(f);
}

static void t_lf_max_plus_crlf_not_truncated(void)
{
    struct frame *f = frame_new(8);

    feed_str(f, "<13>abcd\r");
    feed_str(f, "\n<13>abcde\r\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>abcd", 0);
    ASSERT_MSG(1, "<13>abcd", FRAME_TRUNCATED);
    feed_str(f, "<13>x\n");
    ASSERT_MSG(2, "<13>x", 0);
    frame_free(f);
}

static void t_partial_lf(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "<13>whole\n<13>half of it");
    CU_ASSERT_EQUAL(got.n, 1);
    frame_finish(f, collect, NULL);
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(1, "<13>half of it", FRAME_PARTIAL);
    CU_ASSERT_EQUAL(frame_stats(f)->partial, 1);
    /* The framer starts a fresh stream after finish. */
    feed_str(f, "<13>next\n");
    ASSERT_MSG(2, "<13>next", 0);
    frame_free(f);
}

static void t_partial_counted(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "20 <13>only ten");
    frame_finish(f, collect, NULL);
    CU_ASSERT_EQUAL(got.n, 1);
    ASSERT_MSG(0, "<13>only ten", FRAME_PARTIAL);
    feed_str(f, "7 <13>new");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(1, "<13>new", 0);
    frame_free(f);
}

static void t_partial_digits_only(void)
{
    struct frame *f = frame_new(1024);

    feed_str(f, "12");
    frame_finish(f, collect, NULL);
    CU_ASSERT_EQUAL(got.n, 1);
    ASSERT_MSG(0, "12", FRAME_PARTIAL | FRAME_BAD_COUNT);
    feed_str(f, "3 <1>");
    ASSERT_MSG(1, "<1>", 0);
    frame_free(f);
}

static void t_finish_nothing_kept(void)
{
    struct frame *f = frame_new(1024);

    frame_finish(f, collect, NULL);
    feed_str(f, "<13>a\n\n");
    frame_finish(f, collect, NULL);
    feed_str(f, "5 ");           /* a count and no body: nothing to deliver */
    frame_finish(f, collect, NULL);
    CU_ASSERT_EQUAL(got.n, 1);
    ASSERT_MSG(0, "<13>a", 0);
    CU_ASSERT_EQUAL(frame_stats(f)->partial, 0);
    feed_str(f, "<13>b\n");
    ASSERT_MSG(1, "<13>b", 0);
    frame_free(f);
}

static void t_finish_in_truncated_skip(void)
{
    struct frame *f = frame_new(4);

    feed_str(f, "<13>abcdef");      /* delivered truncated; the rest is being skipped */
    frame_finish(f, collect, NULL);
    CU_ASSERT_EQUAL(got.n, 1);
    ASSERT_MSG(0, "<13>", FRAME_TRUNCATED);
    feed_str(f, "<1>\n");
    ASSERT_MSG(1, "<1>", 0);
    frame_free(f);
}

static void t_garbage_then_good(void)
{
    struct frame *f = frame_new(1024);
    static const char junk[] = "\x01\xff\xfe\x80garbage\x7f\n";

    frame_feed(f, junk, sizeof junk - 1, collect, NULL);
    CU_ASSERT_EQUAL(got.n, 1);
    CU_ASSERT_EQUAL(got.len[0], sizeof junk - 2);
    CU_ASSERT(memcmp(got.msg[0], junk, sizeof junk - 2) == 0);
    feed_str(f, "<13>good\n");
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(1, "<13>good", 0);
    frame_free(f);
}

static void t_nul_is_data(void)
{
    struct frame *f = frame_new(1024);
    static const char s[] = "<13>a\0b\n7 <13>\0\0\0";

    frame_feed(f, s, sizeof s - 1, collect, NULL);
    CU_ASSERT_EQUAL(got.n, 2);
    CU_ASSERT_EQUAL(got.len[0], 7);
    CU_ASSERT(memcmp(got.msg[0], "<13>a\0b", 7) == 0);
    CU_ASSERT_EQUAL(got.len[1], 7);
    CU_ASSERT(memcmp(got.msg[1], "<13>\0\0\0", 7) == 0);
    feed_str(f, "<13>next\n");
    ASSERT_MSG(2, "<13>next", 0);
    frame_free(f);
}

static void t_zero_copy(void)
{
    struct frame *f = frame_new(1024);
    char data[] = "<13>lf\n7 <13>oct<13>direct\n<13>tail";
    const char *end = data + sizeof data - 1;

    frame_feed(f, data, sizeof data - 1, collect, NULL);
    CU_ASSERT_EQUAL(got.n, 3);
    for (size_t i = 0; i < got.n; i++)
        CU_ASSERT(got.ptr[i] >= data && got.ptr[i] + got.len[i] <= end);
    CU_ASSERT_EQUAL(got.ptr[0], data);
    CU_ASSERT_EQUAL(got.ptr[1], data + 9);
    /* Only the cut tail was copied. */
    CU_ASSERT(frame_mem(f) > 0);
    frame_free(f);
}

static void t_split_frame_copied(void)
{
    struct frame *f = frame_new(1024);
    char a[] = "<13>fir", b[] = "st\n<13>second\n";

    frame_feed(f, a, strlen(a), collect, NULL);
    frame_feed(f, b, strlen(b), collect, NULL);
    CU_ASSERT_EQUAL(got.n, 2);
    ASSERT_MSG(0, "<13>first", 0);
    CU_ASSERT(!(got.ptr[0] >= b && got.ptr[0] < b + sizeof b));
    CU_ASSERT(!(got.ptr[0] >= a && got.ptr[0] < a + sizeof a));
    ASSERT_MSG(1, "<13>second", 0);
    CU_ASSERT(got.ptr[1] >= b && got.ptr[1] < b + sizeof b);
    frame_free(f);
}

static void t_memory_bound(void)
{
    const size_t max = 1000;
    struct frame *f = frame_new(max);
    char *big = sl_malloc(3 * max);
    size_t peak = 0;

    memset(big, 'z', 3 * max);
    CU_ASSERT_EQUAL(frame_mem(f), 0);
    /* LF frames, counted frames and lying counts of every size, cut at odd places. */
    for (size_t cut = 1; cut < 3 * max; cut += 97) {
        char hdr[32];
        int n = snprintf(hdr, sizeof hdr, "%zu ", cut * 2);

        frame_feed(f, hdr, (size_t)n, collect, NULL);
        frame_feed(f, big, cut, collect, NULL);
        frame_feed(f, big, cut, collect, NULL);
        frame_feed(f, "99999", 5, collect, NULL);
        frame_feed(f, big, cut, collect, NULL);
        frame_feed(f, big, 3 * max - cut, collect, NULL);
        frame_feed(f, "\r\n<13>", 6, collect, NULL);
        frame_feed(f, big, cut, collect, NULL);
        frame_feed(f, "\n", 1, collect, NULL);
        if (frame_mem(f) > peak)
            peak = frame_mem(f);
        got_reset();
    }
    CU_ASSERT(peak > 0);
    CU_ASSERT(peak <= max + FRAME_SLACK);
    feed_str(f, "<13>fine\n");
    ASSERT_MSG(0, "<13>fine", 0);
    sl_free(big);
    frame_free(f);
}

static void t_stats(void)
{
    struct frame *f = frame_new(8);

    feed_str(f, "<13>a\n0 x\n<13>0123456789\n3 abc30 ");
    feed_str(f, "0123456789012345678901234567896 <13>p");
    frame_finish(f, collect, NULL);
    CU_ASSERT_EQUAL(got.n, 6);
    CU_ASSERT_EQUAL(frame_stats(f)->frames, 6);
    CU_ASSERT_EQUAL(frame_stats(f)->bad_count, 1);
    CU_ASSERT_EQUAL(frame_stats(f)->truncated, 2);
    CU_ASSERT_EQUAL(frame_stats(f)->partial, 1);
    ASSERT_MSG(4, "01234567", FRAME_TRUNCATED);
    ASSERT_MSG(5, "<13>p", FRAME_PARTIAL);
    frame_free(f);
}

static void t_free_null(void)
{
    frame_free(NULL);
    CU_PASS("frame_free(NULL) is a no-op");
}

static CU_TestInfo frame_tests[] = {
    { "LF frames are delivered one by one", t_lf_frames },
    { "CRLF loses its CR", t_crlf },
    { "only one trailing CR is stripped", t_one_cr_only },
    { "CR and LF in different reads still make CRLF", t_crlf_split_between_reads },
    { "empty lines are skipped", t_empty_lines },
    { "octet-counted frames are cut by their count", t_octet_counted },
    { "octet-counted body keeps its CR and LF bytes", t_octet_body_keeps_lf },
    { "uncounted LF after a counted frame is an empty line, skipped", t_counted_then_lf_skips_empty_line },
    { "LF and octet-counted frames mix in one stream", t_mixed },
    { "octet count split across three reads gives one frame", t_count_split_three_reads },
    { "byte-by-byte feeding gives the same frames", t_byte_by_byte },
    { "random splits give the same frames as one feed", t_random_splits_same_frames },
    { "count with too many digits is an LF frame tagged bad count", t_too_many_digits },
    { "count of nine digits is accepted", t_nine_digits_accepted },
    { "count not followed by a space is an LF frame tagged bad count", t_count_without_space },
    { "count of 0 is a lie, next counted frame intact", t_count_zero },
    { "digits followed by LF are an LF frame tagged bad count", t_count_then_lf },
    { "lying count cut inside its digits is one LF frame", t_lying_count_split_in_digits },
    { "count over max_msg is truncated and tagged, next frame intact", t_count_over_max },
    { "count over max_msg across many reads drops exactly the counted bytes", t_count_over_max_across_reads },
    { "count of exactly max_msg is not truncated", t_count_equal_max },
    { "LF frame over max_msg is truncated and tagged, next frame intact", t_lf_over_max },
    { "LF frame over max_msg across many reads is truncated once", t_lf_over_max_across_reads },
    { "max_msg bytes plus CRLF is not truncated", t_lf_max_plus_crlf_not_truncated },
    { "half LF frame at finish is delivered tagged partial", t_partial_lf },
    { "half counted frame at finish is delivered tagged partial", t_partial_counted },
    { "digits alone at finish are partial and bad count", t_partial_digits_only },
    { "finish with nothing kept delivers nothing", t_finish_nothing_kept },
    { "finish while skipping a truncated frame delivers nothing more", t_finish_in_truncated_skip },
    { "binary garbage is delivered as data, next good frame intact", t_garbage_then_good },
    { "NUL bytes inside messages are data", t_nul_is_data },
    { "whole frames are handed over from the caller's bytes", t_zero_copy },
    { "frame cut between reads is handed over from the framer's copy", t_split_frame_copied },
    { "framer memory never exceeds max_msg plus slack", t_memory_bound },
    { "stats count frames, truncations, partials and bad counts", t_stats },
    { "frame_free accepts NULL", t_free_null },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "frame", NULL, NULL, setup, teardown, frame_tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
