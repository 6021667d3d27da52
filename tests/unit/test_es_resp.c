/* tests/unit/test_es_resp.c: reading _bulk answers (sinks/es_resp.c) from
 * tests/fixtures/bulk, no sockets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "sinks/es_resp.h"
#include "tests/unit/tu.h"

#define MAXN 8

static char *text;
static size_t text_len;
static enum sink_verdict out[MAXN];
static struct es_resp_item items[MAXN];
static struct es_resp_counts counts;
static struct sl_err err;

static void load(const char *name)
{
    FILE *f = fopen(tu_fixture(name), "rb");
    long n;

    sl_free(text);
    text = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = sl_malloc((size_t)n + 1);
    text_len = fread(text, 1, (size_t)n, f);
    text[text_len] = '\0';
    fclose(f);
}

static int parse_text(const char *t, size_t n, enum es_op op)
{
    for (size_t i = 0; i < MAXN; i++)
        out[i] = (enum sink_verdict)99;
    sl_err_clear(&err);
    return es_resp_parse(t, strlen(t), n, op, out, items, &counts, &err);
}

static int parse_fixture(const char *name, size_t n, enum es_op op)
{
    load(name);
    return parse_text(text, n, op);
}

static int item_is(const char *field, size_t len, const char *want)
{
    return field && len == strlen(want) && memcmp(field, want, len) == 0;
}

static int has(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; s && i + k <= n; i++)
        if (memcmp(s + i, needle, k) == 0)
            return 1;
    return 0;
}

/* The good answer every bad-input test ends with. */
static void next_good_still_works(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/os_ok_filtered.json", 3, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(counts.done, 3);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[2], SINK_DONE);
}

static void all_retry(size_t n)
{
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(out[i], SINK_RETRY);
    CU_ASSERT_EQUAL(counts.retry, n);
    CU_ASSERT_EQUAL(counts.done, 0);
    CU_ASSERT_EQUAL(err.code, SL_EPROTO);
}

static void t_all_ok(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/os_ok_filtered.json", 3, ES_OP_CREATE), 0);
    for (size_t i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(out[i], SINK_DONE);
    CU_ASSERT_EQUAL(counts.done, 3);
    CU_ASSERT_EQUAL(counts.retry + counts.reject + counts.duplicate, 0);
    CU_ASSERT_EQUAL(err.code, 0);
}

static void t_fast_path(void)
{
    /* The third item has no status: only the fast path can call it done. */
    static const char t[] =
        "{\"errors\":false,\"items\":[{\"create\":{\"status\":201}},"
        "{\"create\":{\"_id\":\"x\",\"status\":201}},{\"create\":{}}]}";

    CU_ASSERT_EQUAL(parse_text(t, 3, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(counts.fast, 1);
    CU_ASSERT_EQUAL(counts.done, 3);
    CU_ASSERT_EQUAL(out[2], SINK_DONE);
    CU_ASSERT_EQUAL(items[2].status, 200);
    CU_ASSERT_PTR_NULL(items[1].id);
}

static void t_errors_after_items_reads_items(void)
{
    static const char t[] =
        "{\"items\":[{\"create\":{\"status\":201}},{\"create\":{\"status\":400}}],\"errors\":false}";

    CU_ASSERT_EQUAL(parse_text(t, 2, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(counts.fast, 0);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[1], SINK_REJECT);
}

static void t_mixed(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/mixed_statuses.json", 5, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(counts.fast, 0);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[1], SINK_DUPLICATE);
    CU_ASSERT_EQUAL(out[2], SINK_RETRY);
    CU_ASSERT_EQUAL(out[3], SINK_REJECT);
    CU_ASSERT_EQUAL(out[4], SINK_RETRY);
    CU_ASSERT_EQUAL(counts.done, 1);
    CU_ASSERT_EQUAL(counts.duplicate, 1);
    CU_ASSERT_EQUAL(counts.retry, 2);
    CU_ASSERT_EQUAL(counts.reject, 1);
    CU_ASSERT_EQUAL(items[2].status, 429);
    CU_ASSERT(item_is(items[2].type, items[2].type_len, "es_rejected_execution_exception"));
    CU_ASSERT(item_is(items[3].type, items[3].type_len, "document_parsing_exception"));
    /* The reason stays escaped: \" and \\u00e9 are kept as written. */
    CU_ASSERT_PTR_NOT_NULL(items[3].reason);
    CU_ASSERT(items[3].reason_len > 40);
    CU_ASSERT(has(items[3].reason, items[3].reason_len, "'\\\"x\\\\u00e9\\\"'"));
    CU_ASSERT(item_is(items[4].id, items[4].id_len, "AAAAAAAAAAAAAAAAAAAAA4"));
}

static void t_captured_mixed(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/os_mixed_filtered.json", 4, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[1], SINK_DUPLICATE);
    CU_ASSERT_EQUAL(out[2], SINK_REJECT);
    CU_ASSERT_EQUAL(out[3], SINK_DONE);
    CU_ASSERT(item_is(items[2].type, items[2].type_len, "mapper_parsing_exception"));
    CU_ASSERT(item_is(items[1].id, items[1].id_len, "AAAAAAAAAAAAAAAAAAAAA0"));
}

static void t_captured_full(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/os_mixed_full.json", 4, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[1], SINK_DUPLICATE);
    CU_ASSERT_EQUAL(out[2], SINK_REJECT);
    CU_ASSERT_EQUAL(out[3], SINK_DONE);
    /* caused_by has its own type; the item's is the outer one. */
    CU_ASSERT(item_is(items[2].type, items[2].type_len, "mapper_parsing_exception"));
    CU_ASSERT(item_is(items[3].id, items[3].id_len, "AAAAAAAAAAAAAAAAAAAAA7"));
    CU_ASSERT_EQUAL(items[3].status, 201);
}

/* Elasticsearch 8 names the mapping failure document_parsing_exception and
 * writes "errors" before "took"; the verdicts are OpenSearch's. */
static void t_captured_es(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/es_mixed_filtered.json", 4, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[1], SINK_DUPLICATE);
    CU_ASSERT_EQUAL(out[2], SINK_REJECT);
    CU_ASSERT_EQUAL(out[3], SINK_DONE);
    CU_ASSERT(item_is(items[2].type, items[2].type_len, "document_parsing_exception"));
    CU_ASSERT(has(items[2].reason, items[2].reason_len, "[1:56] failed to parse field [n]"));
    CU_ASSERT(item_is(items[1].id, items[1].id_len, "AAAAAAAAAAAAAAAAAAAAA0"));

    CU_ASSERT_EQUAL(parse_fixture("bulk/es_mixed_full.json", 4, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(counts.fast, 0);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[1], SINK_DUPLICATE);
    CU_ASSERT_EQUAL(out[2], SINK_REJECT);
    CU_ASSERT_EQUAL(out[3], SINK_DONE);
    CU_ASSERT(item_is(items[2].type, items[2].type_len, "document_parsing_exception"));
    CU_ASSERT(item_is(items[3].id, items[3].id_len, "AAAAAAAAAAAAAAAAAAAAA7"));
    CU_ASSERT_EQUAL(items[3].status, 201);

    CU_ASSERT_EQUAL(parse_fixture("bulk/es_index_not_found.json", 1, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_REJECT);
    CU_ASSERT_EQUAL(items[0].status, 404);
}

/* The same six refusals from both products (tests/fixtures/bulk/capture.sh):
 * a write block (403 FORBIDDEN/8) and the flood-stage block (429
 * TOO_MANY_REQUESTS/12) wait; a closed index, an upper-case name, the field
 * limit and a document that is not an object are dead-lettered. */
static void t_captured_refusals(void)
{
    static const char *const files[] = { "bulk/os_refusals_filtered.json",
                                         "bulk/es_refusals_filtered.json" };
    static const enum sink_verdict want[] = { SINK_RETRY, SINK_RETRY, SINK_REJECT,
                                              SINK_REJECT, SINK_REJECT, SINK_REJECT };
    static const int status[] = { 403, 429, 400, 400, 400, 400 };

    for (size_t f = 0; f < 2; f++) {
        CU_ASSERT_EQUAL(parse_fixture(files[f], 6, ES_OP_CREATE), 0);
        for (size_t i = 0; i < 6; i++) {
            CU_ASSERT_EQUAL(out[i], want[i]);
            CU_ASSERT_EQUAL(items[i].status, status[i]);
        }
        CU_ASSERT_EQUAL(counts.retry, 2);
        CU_ASSERT_EQUAL(counts.reject, 4);
        CU_ASSERT(item_is(items[0].type, items[0].type_len, "cluster_block_exception"));
        CU_ASSERT(item_is(items[1].type, items[1].type_len, "cluster_block_exception"));
        CU_ASSERT(item_is(items[2].type, items[2].type_len, "index_closed_exception"));
        CU_ASSERT(item_is(items[3].type, items[3].type_len, "invalid_index_name_exception"));
    }
    /* Where the products differ: the type of the field-limit refusal. */
    CU_ASSERT(item_is(items[4].type, items[4].type_len, "document_parsing_exception"));
    CU_ASSERT_EQUAL(parse_fixture(files[0], 6, ES_OP_CREATE), 0);
    CU_ASSERT(item_is(items[4].type, items[4].type_len, "illegal_argument_exception"));
}

static void t_datastream(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/os_datastream_filtered.json", 3, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_REJECT);
    CU_ASSERT_EQUAL(out[1], SINK_REJECT);
    CU_ASSERT_EQUAL(out[2], SINK_DONE);
    CU_ASSERT(item_is(items[0].type, items[0].type_len, "illegal_argument_exception"));
    /* Elasticsearch names the missing @timestamp; the verdicts are the same. */
    CU_ASSERT_EQUAL(parse_fixture("bulk/es_datastream_filtered.json", 3, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_REJECT);
    CU_ASSERT_EQUAL(out[1], SINK_REJECT);
    CU_ASSERT_EQUAL(out[2], SINK_DONE);
    CU_ASSERT(item_is(items[0].type, items[0].type_len, "illegal_argument_exception"));
    CU_ASSERT(has(items[1].reason, items[1].reason_len, "[@timestamp] is missing"));
}

static void t_index_not_found(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/os_index_not_found.json", 1, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_REJECT);
    CU_ASSERT_EQUAL(items[0].status, 404);
}

static void t_conflict_under_index_op(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/mixed_statuses.json", 5, ES_OP_INDEX), 0);
    CU_ASSERT_EQUAL(out[1], SINK_REJECT);
    CU_ASSERT_EQUAL(counts.duplicate, 0);
}

static void t_count_short(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/count_short.json", 3, ES_OP_CREATE), SL_EPROTO);
    all_retry(3);
    TU_ASSERT_HAS(err.msg, "2 items answer 3 records");
    next_good_still_works();
}

static void t_count_long(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/count_long.json", 3, ES_OP_CREATE), SL_EPROTO);
    all_retry(3);
    TU_ASSERT_HAS(err.msg, "more items than records");
    next_good_still_works();
}

static void t_truncated(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/truncated.json", 2, ES_OP_CREATE), SL_EPROTO);
    all_retry(2);
    TU_ASSERT_HAS(err.msg, "unterminated string");
    next_good_still_works();
}

static void t_garbage(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/proxy_502.html", 3, ES_OP_CREATE), SL_EPROTO);
    all_retry(3);
    TU_ASSERT_HAS(err.msg, "not a JSON object");
    CU_ASSERT_EQUAL(parse_text("", 1, ES_OP_CREATE), SL_EPROTO);
    all_retry(1);
    CU_ASSERT_EQUAL(parse_text("{\"errors\":true,\"items\":[{\"create\":{\"status\":201}}]} x", 1,
                               ES_OP_CREATE), SL_EPROTO);
    all_retry(1);
    next_good_still_works();
}

static void t_no_status(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/no_status.json", 3, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[1], SINK_RETRY);
    CU_ASSERT_EQUAL(out[2], SINK_DONE);
    CU_ASSERT_EQUAL(items[1].status, 0);
    CU_ASSERT_EQUAL(counts.no_status, 1);
    CU_ASSERT_EQUAL(counts.retry, 1);
    /* A status that is not a number is no status either, and not a parse error. */
    CU_ASSERT_EQUAL(parse_text("{\"errors\":true,\"items\":[{\"create\":{\"status\":null}}]}", 1,
                               ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_RETRY);
    CU_ASSERT_EQUAL(counts.no_status, 1);
    next_good_still_works();
}

static void t_filter_trap(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/filter_trap_no_items.json", 2, ES_OP_CREATE), SL_EPROTO);
    all_retry(2);
    TU_ASSERT_HAS(err.msg, "no items");
    next_good_still_works();
}

static void t_flood_stage(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/flood_stage_403.json", 2, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_RETRY);
    CU_ASSERT_EQUAL(out[1], SINK_REJECT);
}

static void t_verdict_table(void)
{
    CU_ASSERT_EQUAL(es_resp_verdict(200, ES_OP_INDEX, NULL, 0), SINK_DONE);
    CU_ASSERT_EQUAL(es_resp_verdict(201, ES_OP_CREATE, NULL, 0), SINK_DONE);
    CU_ASSERT_EQUAL(es_resp_verdict(409, ES_OP_CREATE, NULL, 0), SINK_DUPLICATE);
    CU_ASSERT_EQUAL(es_resp_verdict(409, ES_OP_INDEX, NULL, 0), SINK_REJECT);
    CU_ASSERT_EQUAL(es_resp_verdict(408, ES_OP_CREATE, NULL, 0), SINK_RETRY);
    CU_ASSERT_EQUAL(es_resp_verdict(429, ES_OP_CREATE, NULL, 0), SINK_RETRY);
    CU_ASSERT_EQUAL(es_resp_verdict(500, ES_OP_CREATE, NULL, 0), SINK_RETRY);
    CU_ASSERT_EQUAL(es_resp_verdict(503, ES_OP_CREATE, NULL, 0), SINK_RETRY);
    CU_ASSERT_EQUAL(es_resp_verdict(400, ES_OP_CREATE, NULL, 0), SINK_REJECT);
    CU_ASSERT_EQUAL(es_resp_verdict(404, ES_OP_CREATE, NULL, 0), SINK_REJECT);
    CU_ASSERT_EQUAL(es_resp_verdict(403, ES_OP_CREATE, "security_exception", 18), SINK_REJECT);
    CU_ASSERT_EQUAL(es_resp_verdict(0, ES_OP_CREATE, NULL, 0), SINK_RETRY);
    CU_ASSERT_EQUAL(es_resp_verdict(302, ES_OP_CREATE, NULL, 0), SINK_RETRY);
}

static void t_deep_nesting(void)
{
    char t[4096];
    size_t k = 0;

    k += (size_t)snprintf(t, sizeof t, "{\"errors\":true,\"items\":[{\"create\":{\"status\":400,\"x\":");
    for (int i = 0; i < 1000; i++)
        t[k++] = '[';
    t[k] = '\0';
    CU_ASSERT_EQUAL(parse_text(t, 1, ES_OP_CREATE), SL_EPROTO);
    all_retry(1);
    TU_ASSERT_HAS(err.msg, "nested too deep");
    next_good_still_works();
}

static void t_empty_batch(void)
{
    CU_ASSERT_EQUAL(parse_text("{\"errors\":false,\"items\":[]}", 0, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(counts.done, 0);
}

static void t_whitespace_and_escapes(void)
{
    static const char t[] =
        " {\r\n \"took\" : 1.5e2 ,\n\t\"errors\" : true , \"items\" : [ { \"create\" : { \"_id\" : "
        "\"AAAAAAAAAAAAAAAAAAAAA0\" , \"status\" : 400 , \"error\" : { \"type\" : \"a\\\"b\" , "
        "\"reason\" : \"\\u00e9\\n\" , \"caused_by\" : { \"x\" : [ 1 , -2 , null , false ] } } } } ] "
        "}\n";

    CU_ASSERT_EQUAL(parse_text(t, 1, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_REJECT);
    CU_ASSERT(item_is(items[0].type, items[0].type_len, "a\\\"b"));
    CU_ASSERT(item_is(items[0].reason, items[0].reason_len, "\\u00e9\\n"));
    /* A bad escape is a parse error. */
    CU_ASSERT_EQUAL(parse_text("{\"errors\":true,\"items\":[{\"create\":{\"_id\":\"\\q\",\"status\":201}}]}",
                               1, ES_OP_CREATE), SL_EPROTO);
    all_retry(1);
    next_good_still_works();
}

static void t_failure_store_fast(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/es91_failure_store_filtered.json", 3, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[1], SINK_DONE);
    CU_ASSERT_EQUAL(out[2], SINK_DONE);
    CU_ASSERT_EQUAL(counts.fast, 0);            /* read item by item, not only counted */
    CU_ASSERT_EQUAL(counts.done, 3);
    CU_ASSERT_EQUAL(counts.failure_stored, 1);
    CU_ASSERT_EQUAL(items[0].failure_stored, 0);
    CU_ASSERT_EQUAL(items[1].failure_stored, 1);
    CU_ASSERT(item_is(items[1].id, items[1].id_len, "zV3kmJoBq1a2b3c4d5e6"));
    CU_ASSERT_EQUAL(items[2].failure_stored, 0);
    /* The next plain answer takes the fast path again. */
    CU_ASSERT_EQUAL(parse_fixture("bulk/os_ok_filtered.json", 3, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(counts.fast, 1);
    CU_ASSERT_EQUAL(counts.failure_stored, 0);
}

static void t_failure_store_mixed(void)
{
    CU_ASSERT_EQUAL(parse_fixture("bulk/es91_failure_store_mixed.json", 5, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_DONE);
    CU_ASSERT_EQUAL(out[1], SINK_DONE);
    CU_ASSERT_EQUAL(out[2], SINK_REJECT);       /* not_enabled: refused, not kept */
    CU_ASSERT_EQUAL(out[3], SINK_DUPLICATE);
    CU_ASSERT_EQUAL(out[4], SINK_RETRY);
    CU_ASSERT_EQUAL(counts.done, 2);
    CU_ASSERT_EQUAL(counts.failure_stored, 1);
    CU_ASSERT_EQUAL(counts.reject, 1);
    CU_ASSERT_EQUAL(items[1].failure_stored, 1);
    CU_ASSERT_EQUAL(items[2].failure_stored, 0);
    CU_ASSERT(item_is(items[2].type, items[2].type_len, "document_parsing_exception"));
}

static void t_failure_store_on_a_failed_item(void)
{
    /* "used" on a non-2xx item would be the cluster's contradiction: the
     * status decides, and it is not counted as kept. */
    static const char t[] = "{\"errors\":true,\"items\":[{\"create\":{\"status\":503,"
                            "\"failure_store\":\"used\"}}]}";
    CU_ASSERT_EQUAL(parse_text(t, 1, ES_OP_CREATE), 0);
    CU_ASSERT_EQUAL(out[0], SINK_RETRY);
    CU_ASSERT_EQUAL(counts.failure_stored, 0);
}

static int cleanup(void)
{
    sl_free(text);
    text = NULL;
    return 0;
}

static CU_TestInfo tests[] = {
    { "three 201 items give three DONE", t_all_ok },
    { "errors:false before items only counts the items (fast path)", t_fast_path },
    { "errors:false after items still reads every item", t_errors_after_items_reads_items },
    { "201 409 429 400 503 give DONE DUPLICATE RETRY REJECT RETRY", t_mixed },
    { "a captured OpenSearch answer with 409 and 400 gives DUPLICATE and REJECT", t_captured_mixed },
    { "an unfiltered answer with _shards and caused_by reads the same", t_captured_full },
    { "captured Elasticsearch 8 answers (document_parsing_exception) give OpenSearch's verdicts",
      t_captured_es },
    { "captured refusals of both products: blocks RETRY, closed index, bad name, field limit REJECT",
      t_captured_refusals },
    { "data stream errors (index op, no @timestamp) are REJECT on both products", t_datastream },
    { "a missing index (404) is REJECT", t_index_not_found },
    { "409 under op_type index is REJECT, not DUPLICATE", t_conflict_under_index_op },
    { "two items for three records make every record RETRY", t_count_short },
    { "four items for three records make every record RETRY", t_count_long },
    { "a truncated answer makes every record RETRY", t_truncated },
    { "an HTML page or trailing garbage makes every record RETRY", t_garbage },
    { "an item without status is RETRY, the others keep theirs", t_no_status },
    { "errors:false with no items (the filter_path trap) is unusable", t_filter_trap },
    { "403 cluster_block_exception is RETRY, 403 security_exception REJECT", t_flood_stage },
    { "the status table follows anchors 5.3", t_verdict_table },
    { "nesting past the bound is an error, not a stack overflow", t_deep_nesting },
    { "an empty batch with an empty items array is fine", t_empty_batch },
    { "whitespace, numbers and escapes anywhere are read", t_whitespace_and_escapes },
    { "failure_store used under errors:false is DONE, counted apart, no fast path",
      t_failure_store_fast },
    { "failure_store used among 400 not_enabled, 409 and 429 is counted once",
      t_failure_store_mixed },
    { "failure_store used on a 503 item is RETRY and not counted", t_failure_store_on_a_failed_item },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "es_resp", NULL, cleanup, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
