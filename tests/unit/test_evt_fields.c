/* tests/unit/test_evt_fields.c: what grammars add to an event (parser/evt.c
 * evt_field_emit, evt_tag_add) and how parser/evt_json.c merges it into the
 * document: nesting into the fixed objects, the clash rule, the source rule,
 * types, ceilings. Every document passes a strict RFC 8259 check with no
 * repeated key (the checker is test_syslog.c's). */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libfastjson/json.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/json.h"
#include "parser/evt.h"
#include "parser/fields.h"
#include "parser/syslog.h"
#include "parser/syslog.h"
#include "tests/unit/jcheck.h"
#include "tests/unit/tu.h"


static struct evt *E;
static struct syslog_opts O;
static struct sl_buf B;
static struct fjson_object *J;
static struct evt_meta M;



/* ---- helpers ---- */

#define NAMES_MAX 300
static struct fld_name NM[NAMES_MAX];
static size_t NN;

static const struct fld_name *nm(const char *text)
{
    struct sl_err err;

    CU_ASSERT_FATAL(NN < NAMES_MAX);
    CU_ASSERT_EQUAL_FATAL(fld_name_parse(&NM[NN], text, strlen(text), &err), 0);
    return &NM[NN++];
}

static void parse(const char *line)
{
    syslog_parse(E, line, strlen(line), &M, &O);
}

static void put(const char *name, enum fld_type t, const char *val)
{
    CU_ASSERT_EQUAL(evt_field_emit(E, nm(name), t, val, strlen(val)), 0);
}

static struct fjson_object *render(void)
{
    struct fjson_tokener *tok;

    fjson_object_put(J);
    J = NULL;
    sl_buf_reset(&B);
    CU_ASSERT_EQUAL_FATAL(evt_json(E, &B), 0);
    if (tu_strict_json(B.data, B.len)) {
        fprintf(stderr, "\n  not strict JSON: %s\n", B.data);
        CU_FAIL_FATAL("document is not strict JSON");
    }
    tok = fjson_tokener_new();
    J = fjson_tokener_parse_ex(tok, B.data, (int)B.len);
    fjson_tokener_free(tok);
    CU_ASSERT_PTR_NOT_NULL_FATAL(J);
    return J;
}

static struct fjson_object *jat(const char *path) { return tu_jat(J, path); }
static const char *jstr(const char *path) { return tu_jstr(J, path); }
static int64_t jint(const char *path) { return tu_jint(J, path); }

static int has_tag(const char *tag)
{
    struct fjson_object *t = jat("tags");

    if (!t)
        return 0;
    for (int i = 0; i < fjson_object_array_length(t); i++)
        if (!strcmp(fjson_object_get_string(fjson_object_array_get_idx(t, i)), tag))
            return 1;
    return 0;
}

static const char *SSHD = "<38>Nov 23 09:59:58 bastion sshd[4242]: Accepted publickey for alice "
                          "from 203.0.113.9 port 50122 ssh2";

/* A plain line right after: no grammar fields, no tags, the sender in source. */
static void next_good(void)
{
    parse("<34>Nov 23 09:59:58 goodhost su[77]: 'su root' failed");
    render();
    TU_ASSERT_STR(jstr("message"), "'su root' failed");
    TU_ASSERT_STR(jstr("source.ip"), "192.0.2.1");
    CU_ASSERT_EQUAL(jint("source.port"), 514);
    CU_ASSERT_PTR_NULL(jat("user"));
    CU_ASSERT_PTR_NULL(jat("sluice"));
    CU_ASSERT_PTR_NULL(jat("log.source"));
    CU_ASSERT_PTR_NULL(jat("tags"));
    CU_ASSERT_EQUAL(evt_field_count(E), 0);
}

/* ---- tests ---- */

static void test_nesting(void)
{
    parse(SSHD);
    put("user.name", FLD_STRING, "alice");
    put("sshd.auth.method", FLD_STRING, "publickey");
    put("host.os.type", FLD_STRING, "linux");
    put("event.category", FLD_STRING, "authentication");
    put("log.file.path", FLD_STRING, "/var/log/auth.log");
    put("process.thread.id", FLD_INT, "9");
    put("network.protocol", FLD_STRING, "ssh");
    put("sshd.auth.user", FLD_STRING, "alice");
    render();
    TU_ASSERT_STR(jstr("user.name"), "alice");
    TU_ASSERT_STR(jstr("sshd.auth.method"), "publickey");
    TU_ASSERT_STR(jstr("sshd.auth.user"), "alice");
    TU_ASSERT_STR(jstr("host.hostname"), "bastion");
    TU_ASSERT_STR(jstr("host.os.type"), "linux");
    TU_ASSERT_STR(jstr("event.category"), "authentication");
    CU_ASSERT_PTR_NOT_NULL(jstr("event.ingested"));
    TU_ASSERT_STR(jstr("log.file.path"), "/var/log/auth.log");
    TU_ASSERT_STR(jstr("log.level"), "info");
    CU_ASSERT_EQUAL(jint("log.syslog.priority"), 38);
    CU_ASSERT_EQUAL(jint("process.pid"), 4242);
    CU_ASSERT_EQUAL(jint("process.thread.id"), 9);
    TU_ASSERT_STR(jstr("network.protocol"), "ssh");
    TU_ASSERT_STR(jstr("network.transport"), "udp");
    next_good();
}

static void test_types(void)
{
    parse(SSHD);
    put("a.int", FLD_INT, "-12");
    put("a.float", FLD_FLOAT, "0.5");
    put("a.yes", FLD_BOOL, "true");
    put("a.no", FLD_BOOL, "false");
    put("a.str", FLD_STRING, "quote\" and \\ and \x01");
    put("a.json", FLD_JSON, "[1,\"x\",{\"k\":null}]");
    render();
    CU_ASSERT_EQUAL(jint("a.int"), -12);
    CU_ASSERT(fjson_object_is_type(jat("a.float"), fjson_type_double));
    CU_ASSERT_DOUBLE_EQUAL(fjson_object_get_double(jat("a.float")), 0.5, 1e-9);
    CU_ASSERT(fjson_object_is_type(jat("a.yes"), fjson_type_boolean));
    CU_ASSERT(fjson_object_get_boolean(jat("a.yes")));
    CU_ASSERT(!fjson_object_get_boolean(jat("a.no")));
    TU_ASSERT_STR(jstr("a.str"), "quote\" and \\ and \x01");
    CU_ASSERT(fjson_object_is_type(jat("a.json"), fjson_type_array));
    CU_ASSERT_EQUAL(fjson_object_array_length(jat("a.json")), 3);
    next_good();
}

static void test_clash(void)
{
    parse(SSHD);
    put("message", FLD_STRING, "from grammar");
    put("host.hostname", FLD_STRING, "other");
    put("process.pid", FLD_INT, "1");
    put("process.name.x", FLD_STRING, "under a scalar");
    put("host", FLD_STRING, "over an object");
    put("log.syslog.appname", FLD_STRING, "x");
    put("@timestamp", FLD_STRING, "t");
    put("sluice.mine", FLD_STRING, "reserved");
    put("user.name", FLD_STRING, "alice");
    render();
    TU_ASSERT_STR(jstr("message"), "Accepted publickey for alice from 203.0.113.9 port 50122 ssh2");
    TU_ASSERT_STR(jstr("host.hostname"), "bastion");
    CU_ASSERT_EQUAL(jint("process.pid"), 4242);
    TU_ASSERT_STR(jstr("process.name"), "sshd");
    TU_ASSERT_STR(jstr("log.syslog.appname"), "sshd");
    TU_ASSERT_STR(jstr("sluice.clash.message"), "from grammar");
    TU_ASSERT_STR(jstr("sluice.clash.host.hostname"), "other");
    CU_ASSERT_EQUAL(jint("sluice.clash.process.pid"), 1);
    TU_ASSERT_STR(jstr("sluice.clash.process.name.x"), "under a scalar");
    /* host.hostname came first: a later "host" would be an object's parent */
    CU_ASSERT_PTR_NULL(jat("sluice.clash.host.x"));
    TU_ASSERT_STR(jstr("sluice.clash.log.syslog.appname"), "x");
    TU_ASSERT_STR(jstr("sluice.clash.@timestamp"), "t");
    TU_ASSERT_STR(jstr("sluice.clash.sluice.mine"), "reserved");
    TU_ASSERT_STR(jstr("user.name"), "alice");
    next_good();
}

static void test_first_wins(void)
{
    parse(SSHD);
    put("user.name", FLD_STRING, "first");
    put("user.name", FLD_STRING, "second");
    put("user", FLD_STRING, "scalar over object");
    put("url", FLD_STRING, "scalar");
    put("url.path", FLD_STRING, "under the scalar");
    render();
    TU_ASSERT_STR(jstr("user.name"), "first");
    TU_ASSERT_STR(jstr("url"), "scalar");
    CU_ASSERT_EQUAL(evt_field_count(E), 2);
    next_good();
}

static void test_source_rule(void)
{
    parse(SSHD);
    put("source.ip", FLD_STRING, "203.0.113.9");
    put("source.port", FLD_INT, "50122");
    render();
    TU_ASSERT_STR(jstr("source.ip"), "203.0.113.9");
    CU_ASSERT_EQUAL(jint("source.port"), 50122);
    TU_ASSERT_STR(jstr("log.source.address"), "192.0.2.1");
    CU_ASSERT_EQUAL(jint("log.source.port"), 514);
    CU_ASSERT_PTR_NULL(jat("sluice"));
    next_good();

    /* only source.port from the grammar: the sender still moves, whole */
    parse(SSHD);
    put("source.port", FLD_INT, "22");
    render();
    CU_ASSERT_PTR_NULL(jat("source.ip"));
    CU_ASSERT_EQUAL(jint("source.port"), 22);
    TU_ASSERT_STR(jstr("log.source.address"), "192.0.2.1");
    next_good();

    /* a grammar cannot write log.source itself */
    parse(SSHD);
    put("log.source.address", FLD_STRING, "x");
    render();
    TU_ASSERT_STR(jstr("source.ip"), "192.0.2.1");
    TU_ASSERT_STR(jstr("sluice.clash.log.source.address"), "x");
    next_good();
}

static void test_tags(void)
{
    parse("<38>Nov 23 09:59:58 bastion sshd: no pid here");
    put("tags", FLD_STRING, "ssh");
    put("tags", FLD_STRING, "login");
    put("tags", FLD_STRING, "ssh");
    evt_tag_add(E, "_sluice_nomatch_sshd", strlen("_sluice_nomatch_sshd"));
    render();
    CU_ASSERT(has_tag("ssh"));
    CU_ASSERT(has_tag("login"));
    CU_ASSERT(has_tag("_sluice_nomatch_sshd"));
    CU_ASSERT_EQUAL(fjson_object_array_length(jat("tags")), 3);
    CU_ASSERT_EQUAL(evt_xtag_count(E), 3);
    next_good();
}

static void test_no_pri_tag_and_extra_tags(void)
{
    parse("no pri at all");
    evt_tag_add(E, "mine", 4);
    render();
    CU_ASSERT(has_tag("_sluice_no_pri"));
    CU_ASSERT(has_tag("mine"));
    next_good();
}

static void test_limits(void)
{
    char name[64], tag[64];

    parse(SSHD);
    for (unsigned i = 0; i < 140; i++) {
        snprintf(name, sizeof name, "f.k%u", i);
        put(name, FLD_INT, "1");
    }
    for (unsigned i = 0; i < 20; i++) {
        snprintf(tag, sizeof tag, "t%u", i);
        evt_tag_add(E, tag, strlen(tag));
    }
    render();
    CU_ASSERT_EQUAL(evt_field_count(E), 128);
    CU_ASSERT_EQUAL(evt_xtag_count(E), 16);
    CU_ASSERT(has_tag("_sluice_fields_limit"));
    CU_ASSERT_EQUAL(jint("f.k127"), 1);
    CU_ASSERT_PTR_NULL(jat("f.k128"));
    CU_ASSERT(evt_tags(E) & EVT_T_FIELDS_LIMIT);
    next_good();

    /* bytes: one big value fits, the next does not */
    {
        static char big[40 * 1024];
        memset(big, 'x', sizeof big - 1);
        parse(SSHD);
        put("big.a", FLD_STRING, big);
        put("big.b", FLD_STRING, big);
        render();
        CU_ASSERT_EQUAL(strlen(jstr("big.a")), sizeof big - 1);
        CU_ASSERT_PTR_NULL(jat("big.b"));
        CU_ASSERT(has_tag("_sluice_fields_limit"));
        next_good();
    }
}

static void test_no_alloc_steady(void)
{
    struct mallinfo2 a, b;

    for (int i = 0; i < 3; i++) {
        parse(SSHD);
        put("user.name", FLD_STRING, "alice");
        render();
    }
    a = mallinfo2();
    for (int i = 0; i < 100; i++) {
        parse(SSHD);
        evt_field_emit(E, &NM[NN - 1], FLD_STRING, "alice", 5);
        sl_buf_reset(&B);
        CU_ASSERT_EQUAL(evt_json(E, &B), 0);
    }
    b = mallinfo2();
    CU_ASSERT_EQUAL(a.uordblks, b.uordblks);
    next_good();
}

/* liblognorm's names are built for one emit call in a buffer the next call
 * rewrites: the event keeps its own copy (a dangling name crashed evt_json). */
static void test_transient_names(void)
{
    char keys[64], path[64];
    struct fld_name n;

    parse(SSHD);
    for (int i = 0; i < 3; i++) {
        memset(&n, 0, sizeof n);
        snprintf(path, sizeof path, "ln.k%d", i);
        memcpy(keys, "ln\0", 3);
        snprintf(keys + 3, sizeof keys - 3, "k%d", i);
        n.path = path;
        n.depth = 2;
        n.key[0] = keys;
        n.key_len[0] = 2;
        n.key[1] = keys + 3;
        n.key_len[1] = 2;
        n.keys_buf = keys;
        n.transient = 1;
        CU_ASSERT_EQUAL(evt_field_emit(E, &n, FLD_STRING, "v", 1), 0);
        memset(keys, 'X', sizeof keys);             /* the emitter reuses its buffers */
        memset(path, 'X', sizeof path);
    }
    render();
    TU_ASSERT_STR(jstr("ln.k0"), "v");
    TU_ASSERT_STR(jstr("ln.k1"), "v");
    TU_ASSERT_STR(jstr("ln.k2"), "v");
    parse(SSHD);                                    /* the copies go with the event */
    render();
    CU_ASSERT_PTR_NULL(jat("ln"));
    next_good();
}

static int suite_init(void)
{
    E = evt_new(SL_MAX_MSG_DEFAULT);
    sl_buf_init(&B, 1024, SL_DOC_MAX(SL_MAX_MSG_DEFAULT));
    syslog_opts_default(&O);
    O.zone_local = 0;
    O.zone_off = 0;
    M.recv_ns = 1795428000LL * 1000000000LL;
    M.src_ip = "192.0.2.1";
    M.src_port = 514;
    M.transport = "udp";
    return 0;
}

static int suite_clean(void)
{
    fjson_object_put(J);
    J = NULL;
    evt_free(E);
    sl_buf_free(&B);
    for (size_t i = 0; i < NN; i++)
        fld_name_free(&NM[i]);
    return 0;
}

static CU_TestInfo tests[] = {
    { "grammar fields nest into the fixed objects and new ones", test_nesting },
    { "int float bool string json keep their JSON types", test_types },
    { "a path sluice writes goes under sluice.clash, the fixed value stays", test_clash },
    { "the first value of a path wins, overlapping paths are dropped", test_first_wins },
    { "a grammar's source.* moves the sender to log.source", test_source_rule },
    { "grammar tags join the document's tags once each", test_tags },
    { "extra tags follow the parser's own", test_no_pri_tag_and_extra_tags },
    { "past the field, tag and byte ceilings the rest is dropped and tagged", test_limits },
    { "steady state allocates nothing", test_no_alloc_steady },
    { "transient names (liblognorm's) are copied and outlive their emitter", test_transient_names },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "evt_fields", suite_init, suite_clean, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
