/* tests/unit/test_es_template.c: index template and lifecycle policy bodies
 * (sinks/es_template.c) and GET /'s answer (sinks/es_cluster.c); no sockets. */
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "sinks/es_cluster.h"
#include "sinks/es_template.h"
#include "tests/unit/tu.h"

/* An array through a function, so TU_ASSERT_STR's NULL check has a pointer. */
static const char *str(const char *s)
{
    return s;
}

static const char *pattern_of(const char *index)
{
    static char out[256];
    const char *why = NULL;

    if (es_template_pattern(index, out, sizeof out, &why))
        return why ? "ERR" : "ERR-no-why";
    return out;
}

static void t_pattern(void)
{
    TU_ASSERT_STR(pattern_of("logs-syslog-default"), "logs-syslog-default");
    TU_ASSERT_STR(pattern_of("syslog-%Y.%m.%d"), "syslog-*");
    TU_ASSERT_STR(pattern_of("syslog-%Y.%m"), "syslog-*");
    TU_ASSERT_STR(pattern_of("app-%Y.%m-archive"), "app-*-archive");
    TU_ASSERT_STR(pattern_of("a%H"), "a*");
    /* No literal prefix: it would match every index, system ones too. */
    TU_ASSERT_STR(pattern_of("%Y.%m.%d"), "ERR");
    TU_ASSERT_STR(pattern_of("logs syslog"), "ERR");
    TU_ASSERT_STR(pattern_of("logs\"x"), "ERR");
    TU_ASSERT_STR(pattern_of(""), "ERR");
    /* And a good one still works after the bad ones. */
    TU_ASSERT_STR(pattern_of("syslog-%Y.%m.%d"), "syslog-*");
}

static void t_is_stream(void)
{
    CU_ASSERT_EQUAL(es_template_is_stream("logs-syslog-default", 1), 1);
    CU_ASSERT_EQUAL(es_template_is_stream("logs-syslog-default", 0), 0);  /* op_type index */
    CU_ASSERT_EQUAL(es_template_is_stream("syslog-%Y.%m.%d", 1), 0);
}

static void t_units(void)
{
    char v[32];

    es_template_duration(v, sizeof v, 30ull * 86400000u);
    TU_ASSERT_STR(str(v), "30d");
    es_template_duration(v, sizeof v, 36ull * 3600000u);
    TU_ASSERT_STR(str(v), "36h");
    es_template_duration(v, sizeof v, 90000);
    TU_ASSERT_STR(str(v), "90s");
    es_template_duration(v, sizeof v, 1500);
    TU_ASSERT_STR(str(v), "1500ms");
    es_template_size(v, sizeof v, 50ull << 30);
    TU_ASSERT_STR(str(v), "50gb");
    es_template_size(v, sizeof v, 1536ull << 20);
    TU_ASSERT_STR(str(v), "1536mb");
    es_template_size(v, sizeof v, 1000);
    TU_ASSERT_STR(str(v), "1000b");
}

static void t_template_stream(void)
{
    static const char maps[] = "{\"properties\":{\"source\":{\"properties\":"
                               "{\"ip\":{\"type\":\"ip\"}}}}}\n";
    struct es_template_opts o = { "logs-syslog-default", 1, 200, maps, sizeof maps - 1, NULL };
    char d[ES_DIGEST_HEX + 1], d2[ES_DIGEST_HEX + 1];
    struct sl_buf b;
    char want[1024];

    sl_buf_init(&b, 64, 1u << 20);
    CU_ASSERT_EQUAL_FATAL(es_template_render(&b, &o, d), 0);
    CU_ASSERT_EQUAL(strlen(d), ES_DIGEST_HEX);
    snprintf(want, sizeof want, "{\"index_patterns\":[\"logs-syslog-default\"],\"priority\":200,"
             "\"data_stream\":{},\"template\":{\"mappings\":{\"properties\":{\"source\":"
             "{\"properties\":{\"ip\":{\"type\":\"ip\"}}}}}},\"_meta\":{\"managed_by\":"
             "\"sluice\",\"sluice_digest\":\"%s\"}}", d);
    TU_ASSERT_STR(b.data, want);
    /* The same settings give the same digest; a linked ILM policy another. */
    CU_ASSERT_EQUAL(es_template_render(&b, &o, d2), 0);
    TU_ASSERT_STR(str(d2), d);
    o.ilm_policy = "sluice-logs";
    CU_ASSERT_EQUAL(es_template_render(&b, &o, d2), 0);
    TU_ASSERT_HAS(b.data, "\"template\":{\"settings\":{\"index.lifecycle.name\":\"sluice-logs\"},"
                  "\"mappings\":{");
    CU_ASSERT(strcmp(d, d2) != 0);
    sl_buf_free(&b);
}

static void t_template_dated_builtin(void)
{
    struct es_template_opts o = { "syslog-*", 0, 300, es_template_ecs_mappings,
                                  es_template_ecs_mappings_len, NULL };
    char d[ES_DIGEST_HEX + 1];
    struct sl_buf b;

    sl_buf_init(&b, 64, 1u << 20);
    CU_ASSERT_EQUAL_FATAL(es_template_render(&b, &o, d), 0);
    TU_ASSERT_HAS(b.data, "{\"index_patterns\":[\"syslog-*\"],\"priority\":300,\"template\":");
    TU_ASSERT_HASNT(b.data, "data_stream");
    /* The fields sluice writes, typed by the built-in ECS mappings. */
    TU_ASSERT_HAS(b.data, "\"@timestamp\": { \"type\": \"date\" }");
    TU_ASSERT_HAS(b.data, "\"ip\": { \"type\": \"ip\" }");
    TU_ASSERT_HAS(b.data, "\"pid\": { \"type\": \"long\" }");
    TU_ASSERT_HAS(b.data, "\"level\": { \"type\": \"keyword\"");
    TU_ASSERT_HAS(b.data, "\"message\": { \"type\": \"text\" }");
    /* One object: the file's last newline is dropped before it is closed. */
    TU_ASSERT_HAS(b.data, "\n}},\"_meta\":{\"managed_by\":\"sluice\"");
    CU_ASSERT_EQUAL(b.data[b.len - 1], '}');
    sl_buf_free(&b);
}

static void t_template_too_big(void)
{
    struct es_template_opts o = { "syslog-*", 0, 300, es_template_ecs_mappings,
                                  es_template_ecs_mappings_len, NULL };
    char d[ES_DIGEST_HEX + 1];
    struct sl_buf b;

    sl_buf_init(&b, 64, 256);
    CU_ASSERT_EQUAL(es_template_render(&b, &o, d), SL_ETOOBIG);
    sl_buf_free(&b);
}

static void t_ilm(void)
{
    struct es_policy_opts o = { "logs-syslog-default", 200, 1, 86400000u, 50ull << 30, 0,
                                30ull * 86400000u, 1 };
    char d[ES_DIGEST_HEX + 1], want[1024];
    struct sl_buf b;

    sl_buf_init(&b, 64, 1u << 20);
    CU_ASSERT_EQUAL_FATAL(es_policy_render_ilm(&b, &o, d), 0);
    snprintf(want, sizeof want, "{\"policy\":{\"phases\":{\"hot\":{\"min_age\":\"0ms\",\"actions\":"
             "{\"rollover\":{\"max_age\":\"1d\",\"max_primary_shard_size\":\"50gb\"}}},"
             "\"delete\":{\"min_age\":\"30d\",\"actions\":{\"delete\":{}}}},\"_meta\":"
             "{\"managed_by\":\"sluice\",\"sluice_digest\":\"%s\"}}}", d);
    TU_ASSERT_STR(b.data, want);
    /* Dated indices never roll over; old clusters: max_size, no _meta. */
    o.rollover = 0;
    o.delete_after_ms = 0;
    o.meta = 0;
    CU_ASSERT_EQUAL(es_policy_render_ilm(&b, &o, d), 0);
    TU_ASSERT_STR(b.data, "{\"policy\":{\"phases\":{\"hot\":{\"min_age\":\"0ms\",\"actions\":{}}}}}");
    o.rollover = 1;
    o.legacy_size = 1;
    CU_ASSERT_EQUAL(es_policy_render_ilm(&b, &o, d), 0);
    TU_ASSERT_HAS(b.data, "{\"rollover\":{\"max_age\":\"1d\",\"max_size\":\"50gb\"}}");
    sl_buf_free(&b);
}

static void t_ism(void)
{
    struct es_policy_opts o = { "logs-syslog-default", 200, 1, 86400000u, 50ull << 30, 0,
                                30ull * 86400000u, 0 };
    char d[ES_DIGEST_HEX + 1], want[1024];
    struct sl_buf b;

    sl_buf_init(&b, 64, 1u << 20);
    CU_ASSERT_EQUAL_FATAL(es_policy_render_ism(&b, &o, d), 0);
    snprintf(want, sizeof want, "{\"policy\":{\"description\":\"managed by sluice, sluice_digest "
             "%s\",\"default_state\":\"hot\",\"states\":[{\"name\":\"hot\",\"actions\":"
             "[{\"rollover\":{\"min_index_age\":\"1d\",\"min_primary_shard_size\":\"50gb\"}}],"
             "\"transitions\":[{\"state_name\":\"delete\",\"conditions\":{\"min_index_age\":"
             "\"30d\"}}]},{\"name\":\"delete\",\"actions\":[{\"delete\":{}}],\"transitions\":[]}],"
             "\"ism_template\":[{\"index_patterns\":[\"logs-syslog-default\"],\"priority\":200}]}}",
             d);
    TU_ASSERT_STR(b.data, want);
    o.rollover = 0;
    o.delete_after_ms = 0;
    CU_ASSERT_EQUAL(es_policy_render_ism(&b, &o, d), 0);
    TU_ASSERT_HAS(b.data, "\"states\":[{\"name\":\"hot\",\"actions\":[],\"transitions\":[]}],");
    sl_buf_free(&b);
}

static void t_cluster(void)
{
    static const char os[] = "{\n  \"name\" : \"n1\",\n  \"cluster_name\" : \"prod\",\n"
        "  \"version\" : {\n    \"distribution\" : \"opensearch\",\n    \"number\" : \"2.19.1\",\n"
        "    \"minimum_wire_compatibility_version\" : \"7.10.0\"\n  }\n}\n";
    static const char es[] = "{\"name\":\"n\",\"cluster_name\":\"c\",\"version\":{\"number\":"
                             "\"9.1.3\",\"build_flavor\":\"default\"}}";
    static const char es6[] = "{\"cluster_name\":\"old\",\"version\":{\"number\":\"6.8.23\"}}";
    struct es_cluster c;

    CU_ASSERT_EQUAL_FATAL(es_cluster_parse(os, &c), 0);
    CU_ASSERT_EQUAL(c.product, ES_PRODUCT_OPENSEARCH);
    TU_ASSERT_STR(str(c.version), "2.19.1");
    TU_ASSERT_STR(str(c.name), "prod");
    CU_ASSERT_EQUAL(c.major, 2);
    CU_ASSERT_EQUAL(c.minor, 19);
    CU_ASSERT_EQUAL(c.patch, 1);
    CU_ASSERT_PTR_NULL(es_cluster_unsupported(&c));
    CU_ASSERT_EQUAL(es_cluster_has_failure_store(&c), 0);

    CU_ASSERT_EQUAL_FATAL(es_cluster_parse(es, &c), 0);
    CU_ASSERT_EQUAL(c.product, ES_PRODUCT_ELASTICSEARCH);
    CU_ASSERT_EQUAL(es_cluster_has_failure_store(&c), 1);
    CU_ASSERT_PTR_NULL(es_cluster_unsupported(&c));

    CU_ASSERT_EQUAL_FATAL(es_cluster_parse(es6, &c), 0);
    TU_ASSERT_STR(es_cluster_unsupported(&c), "Elasticsearch before 7.0 is not supported");
    CU_ASSERT_EQUAL(es_cluster_at_least(&c, 6, 8), 1);
    CU_ASSERT_EQUAL(es_cluster_at_least(&c, 7, 0), 0);

    CU_ASSERT_EQUAL(es_cluster_parse("<html>502</html>", &c), -1);
    CU_ASSERT_EQUAL(es_cluster_parse("{\"version\":{\"number\":\"8.19.2\"}}", &c), 0);
    TU_ASSERT_STR(str(c.name), "?");
    CU_ASSERT_EQUAL(es_cluster_num("{\"_seq_no\" : 12,\"_primary_term\":3}", "_seq_no"), 12);
    CU_ASSERT_EQUAL(es_cluster_num("{\"_seq_no\":12}", "_primary_term"), -1);
}

static CU_TestInfo tests[] = {
    { "a date pattern becomes a wildcard from its first conversion to its last", t_pattern },
    { "a plain name under op_type create is a data stream, a date pattern never", t_is_stream },
    { "durations and sizes are written in the clusters' units", t_units },
    { "a data stream template is exact JSON with data_stream, priority and digest",
      t_template_stream },
    { "the built-in mappings type @timestamp, source.ip, process.pid, log.level, message",
      t_template_dated_builtin },
    { "a template over the buffer's ceiling is SL_ETOOBIG", t_template_too_big },
    { "ILM: rollover and delete phases; no rollover for dated indices; max_size on old ES", t_ilm },
    { "ISM: hot and delete states with ism_template; no rollover for dated indices", t_ism },
    { "GET / gives product, version, cluster and whether it is supported", t_cluster },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "es_template", NULL, NULL, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
