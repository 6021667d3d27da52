/* tests/unit/test_es_priv.c: reading the answers about an account's
 * privileges (sinks/es_priv.c) from tests/fixtures/priv, no sockets. */
#include <stdlib.h>
#include <string.h>

#include "sinks/es_priv.h"
#include "tests/unit/tu.h"

static struct sink_access acc;

static char *fx(const char *name)
{
    char *t = tu_read_file(tu_fixture(name), NULL);

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static void fresh(void)
{
    memset(&acc, 0, sizeof acc);
    acc.security = acc.can_write = acc.can_create = acc.superuser = SINK_UNKNOWN;
}

static void t_root_names_the_product(void)
{
    char *t = fx("priv/os-root.json");

    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_root(t, &acc), 0);
    TU_ASSERT_STR(acc.product, "opensearch");
    free(t);
    t = fx("priv/es-root.json");
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_root(t, &acc), 0);
    TU_ASSERT_STR(acc.product, "elasticsearch");
    free(t);
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_root("Unauthorized", &acc), SL_EPROTO);
    CU_ASSERT_EQUAL(es_priv_parse_root("{\"version\":{}}", &acc), SL_EPROTO);
}

static void t_os_authinfo_writer_is_no_superuser(void)
{
    char *t = fx("priv/os-authinfo-writer.json");

    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_authinfo(t, &acc), 0);
    TU_ASSERT_STR(acc.account, "sluice_writer");
    TU_ASSERT_STR(acc.roles, "sluice_writer");
    CU_ASSERT_EQUAL(acc.superuser, SINK_NO);
    free(t);
}

static void t_os_authinfo_all_access_is_a_superuser(void)
{
    char *t = fx("priv/os-authinfo-admin.json");

    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_authinfo(t, &acc), 0);
    TU_ASSERT_STR(acc.account, "admin");
    TU_ASSERT_STR(acc.roles, "all_access,backend:admin");
    CU_ASSERT_EQUAL(acc.superuser, SINK_YES);
    free(t);
    t = fx("priv/os-authinfo-reader.json");
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_authinfo(t, &acc), 0);
    TU_ASSERT_STR(acc.account, "dash_reader");
    CU_ASSERT_EQUAL(acc.superuser, SINK_NO);
    free(t);
    /* Not the answer: an error, and the next good one still reads. */
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_authinfo("{\"error\":\"no handler\"}", &acc), SL_EPROTO);
    TU_ASSERT_STR(acc.account, "?");
    CU_ASSERT_EQUAL(es_priv_parse_authinfo("[1,2", &acc), SL_EPROTO);
    t = fx("priv/os-authinfo-writer.json");
    CU_ASSERT_EQUAL(es_priv_parse_authinfo(t, &acc), 0);
    TU_ASSERT_STR(acc.account, "sluice_writer");
    free(t);
}

static void t_os_probe_verdicts(void)
{
    char *t = fx("priv/os-probe-allowed.json");

    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_probe(200, t, &acc), 0);
    CU_ASSERT_EQUAL(acc.can_write, SINK_YES);
    TU_ASSERT_HAS(acc.detail, "mapper_parsing_exception");
    free(t);
    /* The reader: the whole _bulk is refused. */
    t = fx("priv/os-probe-request-403.json");
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_probe(403, t, &acc), 0);
    CU_ASSERT_EQUAL(acc.can_write, SINK_NO);
    TU_ASSERT_HAS(acc.detail, "no permissions for [indices:data/write/bulk]");
    free(t);
    /* The writer on another index: the item is refused. */
    t = fx("priv/os-probe-item-403.json");
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_probe(200, t, &acc), 0);
    CU_ASSERT_EQUAL(acc.can_write, SINK_NO);
    TU_ASSERT_HAS(acc.detail, "HTTP 403 security_exception");
    TU_ASSERT_HAS(acc.detail, "indices:admin/create");
    free(t);
    /* A missing index that was not created, and an answer of the wrong shape. */
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_probe(200, "{\"items\":[{\"create\":{\"status\":404,"
                    "\"error\":{\"type\":\"index_not_found_exception\",\"reason\":\"no such "
                    "index [x]\"}}}]}", &acc), 0);
    CU_ASSERT_EQUAL(acc.can_write, SINK_UNKNOWN);
    CU_ASSERT_EQUAL(acc.can_create, SINK_NO);
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_probe(200, "{\"items\":[]}", &acc), SL_EPROTO);
    CU_ASSERT_EQUAL(acc.can_write, SINK_UNKNOWN);
}

static void t_es_authenticate(void)
{
    char *t = fx("priv/es-authenticate-user.json");

    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_authenticate(t, &acc), 0);
    TU_ASSERT_STR(acc.account, "sluice_writer");
    TU_ASSERT_STR(acc.roles, "sluice_writer");
    free(t);
    /* An API key is named by its name and id (never its secret), then its owner. */
    t = fx("priv/es-authenticate-apikey.json");
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_authenticate(t, &acc), 0);
    TU_ASSERT_STR(acc.account, "api_key sluice-writer (id vYqdWJUBb9O-6y3tPtYP) of ops");
    TU_ASSERT_STR(acc.roles, "");
    free(t);
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_authenticate("{}", &acc), SL_EPROTO);
}

static void t_es_has_privileges(void)
{
    char *t = fx("priv/es-has-privileges-writer.json");

    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_has_privileges(t, "logs-syslog-default", &acc), 0);
    CU_ASSERT_EQUAL(acc.can_write, SINK_YES);
    CU_ASSERT_EQUAL(acc.can_create, SINK_YES);
    CU_ASSERT_EQUAL(acc.superuser, SINK_NO);
    TU_ASSERT_STR(acc.detail, "_has_privileges on logs-syslog-default: has "
                  "[create_doc,auto_configure], lacks [create,index,write,all,create_index]");
    free(t);
    t = fx("priv/es-has-privileges-superuser.json");
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_has_privileges(t, "logs-syslog-default", &acc), 0);
    CU_ASSERT_EQUAL(acc.can_write, SINK_YES);
    CU_ASSERT_EQUAL(acc.superuser, SINK_YES);
    free(t);
    t = fx("priv/es-has-privileges-reader.json");
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_has_privileges(t, "logs-syslog-default", &acc), 0);
    CU_ASSERT_EQUAL(acc.can_write, SINK_NO);
    CU_ASSERT_EQUAL(acc.can_create, SINK_NO);
    CU_ASSERT_EQUAL(acc.superuser, SINK_NO);
    /* The answer names another index: the question was not answered. */
    fresh();
    CU_ASSERT_EQUAL(es_priv_parse_has_privileges(t, "syslog-2026.11.23", &acc), SL_EPROTO);
    CU_ASSERT_EQUAL(acc.can_write, SINK_UNKNOWN);
    free(t);
}

static void t_probe_body_is_one_create(void)
{
    char buf[512];

    CU_ASSERT_EQUAL(es_priv_probe_body("logs-\"x", buf, sizeof buf), 0);
    TU_ASSERT_STR(buf, "{\"create\":{\"_index\":\"logs-\\\"x\",\"_id\":\"sluice-check-write-probe\"}}\n"
                  "{\"_id\":\"sluice check: never stored\"}\n");
    CU_ASSERT_EQUAL(es_priv_probe_body("logs", buf, 40), SL_ETOOBIG);
    CU_ASSERT_EQUAL(es_priv_probe_body("ok", buf, sizeof buf), 0);
}

static CU_TestInfo tests[] = {
    { "GET / names the product, Elasticsearch by its missing distribution", t_root_names_the_product },
    { "OpenSearch authinfo of the writer: account and role, no superuser", t_os_authinfo_writer_is_no_superuser },
    { "OpenSearch authinfo with all_access is a superuser; a wrong answer is an error", t_os_authinfo_all_access_is_a_superuser },
    { "the OpenSearch write probe: allowed, refused per request, refused per item, missing index", t_os_probe_verdicts },
    { "Elasticsearch _authenticate: a user, an API key by name and id", t_es_authenticate },
    { "Elasticsearch _has_privileges: writer, superuser, reader, another index", t_es_has_privileges },
    { "the probe body is one create of a document that cannot be stored", t_probe_body_is_one_create },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "es_priv", NULL, NULL, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
