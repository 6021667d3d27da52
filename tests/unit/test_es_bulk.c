/* tests/unit/test_es_bulk.c: the _bulk body, address and gzip
 * (sinks/es_bulk.c): exact bytes, no sockets. */
#include <string.h>
#include <zlib.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/mem.h"
#include "sinks/es_bulk.h"
#include "tests/unit/tu.h"

static struct sl_rec rec(const char *id, const char *index, const char *doc)
{
    struct sl_rec r = { id, index, strlen(index), doc, strlen(doc), 0, 0 };

    return r;
}

static void t_one_record(void)
{
    struct sl_buf b;
    struct sl_rec r = rec("AAAAAAAAAAAAAAAAAAAAA0", "logs-syslog-default", "{\"message\":\"hi\"}");

    sl_buf_init(&b, 16, SL_BULK_BYTES_LIMIT);
    CU_ASSERT_EQUAL(es_bulk_body(&b, &r, 1, ES_OP_CREATE), 0);
    TU_ASSERT_STR(b.data,
                  "{\"create\":{\"_index\":\"logs-syslog-default\",\"_id\":\"AAAAAAAAAAAAAAAAAAAAA0\"}}\n"
                  "{\"message\":\"hi\"}\n");
    sl_buf_free(&b);
}

static void t_three_records(void)
{
    struct sl_buf b;
    struct sl_rec r[3] = {
        rec("AAAAAAAAAAAAAAAAAAAAA0", "a", "{\"n\":0}"),
        rec("AAAAAAAAAAAAAAAAAAAAA1", "b", "{\"n\":1}"),
        rec("AAAAAAAAAAAAAAAAAAAAA2", "syslog-2026.11.23", "{\"n\":2}"),
    };
    size_t lines = 0;

    sl_buf_init(&b, 16, SL_BULK_BYTES_LIMIT);
    CU_ASSERT_EQUAL(es_bulk_body(&b, r, 3, ES_OP_CREATE), 0);
    for (size_t i = 0; i < b.len; i++)
        lines += b.data[i] == '\n';
    CU_ASSERT_EQUAL(lines, 6);
    CU_ASSERT_EQUAL(b.data[b.len - 1], '\n');
    TU_ASSERT_STR(b.data,
                  "{\"create\":{\"_index\":\"a\",\"_id\":\"AAAAAAAAAAAAAAAAAAAAA0\"}}\n{\"n\":0}\n"
                  "{\"create\":{\"_index\":\"b\",\"_id\":\"AAAAAAAAAAAAAAAAAAAAA1\"}}\n{\"n\":1}\n"
                  "{\"create\":{\"_index\":\"syslog-2026.11.23\",\"_id\":\"AAAAAAAAAAAAAAAAAAAAA2\"}}\n"
                  "{\"n\":2}\n");
    sl_buf_free(&b);
}

static void t_index_escaped(void)
{
    struct sl_buf b;
    struct sl_rec r = rec("AAAAAAAAAAAAAAAAAAAAA0", "we\"ird\\idx\x01\xff", "{}");

    sl_buf_init(&b, 16, SL_BULK_BYTES_LIMIT);
    CU_ASSERT_EQUAL(es_bulk_body(&b, &r, 1, ES_OP_CREATE), 0);
    TU_ASSERT_STR(b.data,
                  "{\"create\":{\"_index\":\"we\\\"ird\\\\idx\\u0001\\u00ff\",\"_id\":\"AAAAAAAAAAAAAAAAAAAAA0\"}}\n"
                  "{}\n");
    sl_buf_free(&b);
}

static void t_index_op(void)
{
    struct sl_buf b;
    struct sl_rec r = rec("AAAAAAAAAAAAAAAAAAAAA0", "x", "{}");

    sl_buf_init(&b, 16, SL_BULK_BYTES_LIMIT);
    CU_ASSERT_EQUAL(es_bulk_body(&b, &r, 1, ES_OP_INDEX), 0);
    TU_ASSERT_STR(b.data, "{\"index\":{\"_index\":\"x\",\"_id\":\"AAAAAAAAAAAAAAAAAAAAA0\"}}\n{}\n");
    sl_buf_free(&b);
}

static void t_appends_after_existing(void)
{
    struct sl_buf b;
    struct sl_rec r = rec("AAAAAAAAAAAAAAAAAAAAA0", "x", "{}");

    sl_buf_init(&b, 16, SL_BULK_BYTES_LIMIT);
    CU_ASSERT_EQUAL(es_bulk_body(&b, &r, 1, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(es_bulk_body(&b, &r, 1, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(b.len, 2 * (strlen("{\"create\":{\"_index\":\"x\",\"_id\":\"AAAAAAAAAAAAAAAAAAAAA0\"}}\n") + 3));
    sl_buf_free(&b);
}

static void t_ceiling(void)
{
    struct sl_buf b;
    struct sl_rec r[2] = {
        rec("AAAAAAAAAAAAAAAAAAAAA0", "x", "{\"a\":\"0123456789012345678901234567890123456789\"}"),
        rec("AAAAAAAAAAAAAAAAAAAAA1", "x", "{\"a\":\"0123456789012345678901234567890123456789\"}"),
    };

    sl_buf_init(&b, 16, 250);
    CU_ASSERT_EQUAL(es_bulk_body(&b, r, 1, ES_OP_CREATE), 0);
    size_t first = b.len;
    /* Two more do not fit: nothing of them stays. */
    CU_ASSERT_EQUAL(es_bulk_body(&b, r, 2, ES_OP_CREATE), SL_ETOOBIG);
    CU_ASSERT_EQUAL(b.len, first);
    CU_ASSERT_EQUAL(b.data[b.len], '\0');
    CU_ASSERT_EQUAL(b.data[b.len - 1], '\n');
    /* The next good input still works. */
    sl_buf_reset(&b);
    CU_ASSERT_EQUAL(es_bulk_body(&b, r + 1, 1, ES_OP_CREATE), 0);
    TU_ASSERT_HAS(b.data, "AAAAAAAAAAAAAAAAAAAAA1");
    sl_buf_free(&b);
}

static void t_url(void)
{
    struct sl_buf u;

    sl_buf_init(&u, 16, 4096);
    CU_ASSERT_EQUAL(es_bulk_url(&u, "http://127.0.0.1:9200"), 0);
    TU_ASSERT_STR(u.data, "http://127.0.0.1:9200/_bulk?filter_path=errors,items.*._id,"
                  "items.*.status,items.*.error.type,items.*.error.reason,items.*.failure_store");
    CU_ASSERT_EQUAL(es_bulk_url(&u, "https://es1:9200/prefix//"), 0);
    CU_ASSERT_EQUAL(strncmp(u.data, "https://es1:9200/prefix/_bulk?filter_path=errors,", 49), 0);
    sl_buf_free(&u);
}

static void inflate_all(const struct sl_buf *gz, struct sl_buf *out)
{
    z_stream z;

    memset(&z, 0, sizeof z);
    CU_ASSERT_EQUAL_FATAL(inflateInit2(&z, 15 + 16), Z_OK);
    sl_buf_reset(out);
    CU_ASSERT_EQUAL_FATAL(sl_buf_reserve(out, 1u << 20), 0);
    z.next_in = (Bytef *)gz->data;
    z.avail_in = (uInt)gz->len;
    z.next_out = (Bytef *)out->data;
    z.avail_out = 1u << 20;
    CU_ASSERT_EQUAL(inflate(&z, Z_FINISH), Z_STREAM_END);
    out->len = (1u << 20) - z.avail_out;
    out->data[out->len] = '\0';
    inflateEnd(&z);
}

static void t_gzip_roundtrip(void)
{
    struct es_bulk_gz *gz = es_bulk_gz_new(1);
    struct sl_buf body, zb, back;
    struct sl_rec r = rec("AAAAAAAAAAAAAAAAAAAAA0", "logs", "{\"message\":\"hello hello hello hello\"}");

    CU_ASSERT_PTR_NOT_NULL_FATAL(gz);
    sl_buf_init(&body, 16, SL_BULK_BYTES_LIMIT);
    sl_buf_init(&zb, 16, SL_BULK_BYTES_LIMIT);
    sl_buf_init(&back, 16, 2u << 20);
    for (int i = 0; i < 200; i++)
        es_bulk_body(&body, &r, 1, ES_OP_CREATE);
    CU_ASSERT_EQUAL(es_bulk_gzip(gz, body.data, body.len, &zb), 0);
    CU_ASSERT_EQUAL((unsigned char)zb.data[0], 0x1f);
    CU_ASSERT_EQUAL((unsigned char)zb.data[1], 0x8b);
    CU_ASSERT(zb.len < body.len / 10);
    inflate_all(&zb, &back);
    CU_ASSERT_EQUAL(back.len, body.len);
    CU_ASSERT(memcmp(back.data, body.data, body.len) == 0);
    /* The same compressor takes a second body. */
    sl_buf_reset(&body);
    es_bulk_body(&body, &r, 1, ES_OP_CREATE);
    CU_ASSERT_EQUAL(es_bulk_gzip(gz, body.data, body.len, &zb), 0);
    inflate_all(&zb, &back);
    TU_ASSERT_STR(back.data, body.data);
    sl_buf_free(&body);
    sl_buf_free(&zb);
    sl_buf_free(&back);
    es_bulk_gz_free(gz);
    es_bulk_gz_free(NULL);
}

static void t_gzip_ceiling(void)
{
    struct es_bulk_gz *gz = es_bulk_gz_new(1);
    struct sl_buf zb;
    char in[4096];

    memset(in, 'x', sizeof in);
    sl_buf_init(&zb, 16, 64);
    CU_ASSERT_EQUAL(es_bulk_gzip(gz, in, sizeof in, &zb), SL_ETOOBIG);
    sl_buf_free(&zb);
    sl_buf_init(&zb, 16, 1u << 20);
    CU_ASSERT_EQUAL(es_bulk_gzip(gz, in, sizeof in, &zb), 0);
    CU_ASSERT(zb.len > 18);
    sl_buf_free(&zb);
    es_bulk_gz_free(gz);
}

static CU_TestInfo tests[] = {
    { "one record gives its action line and document, each ending in newline", t_one_record },
    { "three records give six lines in order and the body ends with newline", t_three_records },
    { "quotes, backslashes, control and invalid bytes in an index are escaped", t_index_escaped },
    { "op_type index writes index actions", t_index_op },
    { "a body is appended after what the buffer holds", t_appends_after_existing },
    { "records past the ceiling fail and leave the body as it was", t_ceiling },
    { "the address keeps one entry per item and drops trailing slashes", t_url },
    { "gzip of a body inflates back to the same bytes, twice", t_gzip_roundtrip },
    { "gzip past its buffer's ceiling fails, a roomy one works", t_gzip_ceiling },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "es_bulk", NULL, NULL, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
