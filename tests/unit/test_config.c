/* tests/unit/test_config.c: the schema parsers (common/schema.c), the YAML
 * loader (shipper/config.c) and secrets (shipper/secret.c).
 *
 * The real sink types are not linked: this file brings its own sink_types[]
 * with a sink type "fake" that has a row of every type (a section with its own
 * rows, a required key, a validate hook) and a stand-in "ndjson" with the one
 * key the embedded default uses. Fixtures are tests/fixtures/config/. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "buffer/spool.h"
#include "common/bounds.h"
#include "common/log.h"
#include "common/schema.h"
#include "parser/grammar.h"
#include "parser/route.h"
#include "shipper/config.h"
#include "shipper/secret.h"
#include "sinks/sink.h"
#include "tests/unit/tu.h"

/* ---- the fake sink types ---- */

struct fake_conf {
    char *url;
    char *password;
    int gzip;
    uint64_t max_docs;
    uint64_t max_bytes;
    uint64_t timeout_ms;
    int mode;
    struct sl_strlist hosts;
    struct sl_kvlist headers;
    uint64_t batch_docs;
    uint64_t batch_wait_ms;
    char *auth_user;
    char *auth_password;
};

static const char *const fake_modes[] = { "create", "index", NULL };

static const struct sl_cfg_row fake_batch_rows[] = {
    { "max_docs", SL_CFG_UINT, "500", 1, 100000, offsetof(struct fake_conf, batch_docs),
      "documents per batch", NULL, NULL, 0 },
    { "max_wait", SL_CFG_DURATION, "1s", 1, 3600000, offsetof(struct fake_conf, batch_wait_ms),
      "wait for a partial batch", NULL, NULL, 0 },
    SL_CFG_END,
};

static const struct sl_cfg_row fake_auth_rows[] = {
    { "username", SL_CFG_STR, NULL, 0, 0, offsetof(struct fake_conf, auth_user), "user",
      NULL, NULL, 0 },
    { "password", SL_CFG_SECRET, NULL, 0, 0, offsetof(struct fake_conf, auth_password),
      "password", NULL, NULL, 0 },
    SL_CFG_END,
};

static const struct sl_cfg_row fake_rows[] = {
    { "url", SL_CFG_STR, NULL, 0, 0, offsetof(struct fake_conf, url), "where", NULL, NULL, 1 },
    { "password", SL_CFG_SECRET, NULL, 0, 0, offsetof(struct fake_conf, password), "secret",
      NULL, NULL, 0 },
    { "gzip", SL_CFG_BOOL, "false", 0, 0, offsetof(struct fake_conf, gzip), "compress",
      NULL, NULL, 0 },
    { "max_docs", SL_CFG_UINT, "5000", 1, 100000, offsetof(struct fake_conf, max_docs),
      "documents per request", NULL, NULL, 0 },
    { "max_bytes", SL_CFG_SIZE, "5MiB", 1024, 100ull * 1024 * 1024,
      offsetof(struct fake_conf, max_bytes), "bytes per request", NULL, NULL, 0 },
    { "timeout", SL_CFG_DURATION, "30s", 1, 3600000, offsetof(struct fake_conf, timeout_ms),
      "request timeout", NULL, NULL, 0 },
    { "mode", SL_CFG_ENUM, "create", 0, 0, offsetof(struct fake_conf, mode), "op type",
      fake_modes, NULL, 0 },
    { "hosts", SL_CFG_STRLIST, "[http://localhost:9200]", 0, 0,
      offsetof(struct fake_conf, hosts), "hosts", NULL, NULL, 0 },
    { "headers", SL_CFG_MAP, NULL, 0, 0, offsetof(struct fake_conf, headers), "headers",
      NULL, NULL, 0 },
    { "batch", SL_CFG_SECTION, NULL, 0, 0, 0, "batching", NULL, fake_batch_rows, 0 },
    { "auth", SL_CFG_SECTION, NULL, 0, 0, 0, "credentials", NULL, fake_auth_rows, 0 },
    SL_CFG_END,
};

static int fake_validate(const void *conf, struct sl_err *err)
{
    const struct fake_conf *fc = conf;

    if (fc->auth_password && !fc->auth_user)
        return sl_err_set(err, SL_EINVAL, "auth", "a password needs a username");
    return 0;
}

static const struct sink_type fake_type = {
    .name = "fake", .rows = fake_rows, .conf_size = sizeof(struct fake_conf),
    .validate = fake_validate,
};

struct fake_ndjson_conf {
    char *path;
};

static const struct sl_cfg_row fake_ndjson_rows[] = {
    { "path", SL_CFG_STR, NULL, 0, 0, offsetof(struct fake_ndjson_conf, path), "file",
      NULL, NULL, 1 },
    SL_CFG_END,
};

static const struct sink_type fake_ndjson = {
    .name = "ndjson", .rows = fake_ndjson_rows, .conf_size = sizeof(struct fake_ndjson_conf),
};

const struct sink_type *const sink_types[] = { &fake_type, &fake_ndjson, NULL };

const struct sink_type *sink_type_find(const char *name)
{
    for (size_t i = 0; sink_types[i]; i++)
        if (strcmp(sink_types[i]->name, name) == 0)
            return sink_types[i];
    return NULL;
}

/* ---- helpers ---- */

static struct cfg_problems pr;
static struct sl_config *cfg;
static char tmpdir[64];

static void reset(void)
{
    config_free(cfg);
    cfg = NULL;
    cfg_problems_free(&pr);
}

static int load_fixture(const char *name)
{
    char rel[256];

    reset();
    snprintf(rel, sizeof rel, "config/%s", name);
    return config_load_file(&cfg, tu_fixture(rel), &pr);
}

static int load_str(const char *yaml)
{
    reset();
    return config_load_string(&cfg, "test.yaml", yaml, strlen(yaml), &pr);
}

/* The first problem line containing both at (e.g. ":7:5: ") and what. */
static const char *find(const struct sl_strlist *l, const char *at, const char *what)
{
    for (size_t i = 0; i < l->n; i++)
        if ((!at || strstr(l->v[i], at)) && (!what || strstr(l->v[i], what)))
            return l->v[i];
    return NULL;
}

static void dump(void)
{
    for (size_t i = 0; i < pr.errors.n; i++)
        fprintf(stderr, "\n    error: %s", pr.errors.v[i]);
    for (size_t i = 0; i < pr.warnings.n; i++)
        fprintf(stderr, "\n    warning: %s", pr.warnings.v[i]);
}

#define ASSERT_ERR(at, what) \
    do { int ok_ = find(&pr.errors, (at), (what)) != NULL; \
         if (!ok_) { fprintf(stderr, "\n  no error with '%s' and '%s'", (at), (what)); dump(); } \
         CU_ASSERT(ok_); } while (0)
#define ASSERT_WARN(at, what) \
    do { int ok_ = find(&pr.warnings, (at), (what)) != NULL; \
         if (!ok_) { fprintf(stderr, "\n  no warning with '%s' and '%s'", (at), (what)); dump(); } \
         CU_ASSERT(ok_); } while (0)

/* Every bad-input test ends here: the next good config still loads. */
static void next_good_loads(void)
{
    int rc;

    reset();
    rc = config_load_string(&cfg, "<default>", sl_default_config, strlen(sl_default_config), &pr);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(cfg);
    CU_ASSERT_EQUAL(pr.errors.n, 0);
    CU_ASSERT_EQUAL(pr.warnings.n, 0);
    reset();
}

static int no_problem_contains(const char *s)
{
    for (size_t i = 0; i < pr.errors.n; i++)
        if (strstr(pr.errors.v[i], s))
            return 0;
    for (size_t i = 0; i < pr.warnings.n; i++)
        if (strstr(pr.warnings.v[i], s))
            return 0;
    return 1;
}

static void write_file(const char *path, const char *content, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, content, strlen(content)) == (ssize_t)strlen(content));
    close(fd);
    CU_ASSERT_FATAL(chmod(path, mode) == 0);
}

static struct fake_conf *sink_conf(size_t i)
{
    return cfg && i < cfg->nsinks ? cfg->sinks[i].conf : NULL;
}

/* ---- schema: the text forms ---- */

static void t_sizes(void)
{
    static const struct { const char *s; uint64_t v; } ok[] = {
        { "512", 512 }, { "0", 0 }, { "64KiB", 65536 }, { "64KB", 64000 },
        { "5MiB", 5ull << 20 }, { "1GiB", 1ull << 30 }, { "10GB", 10000000000ull },
        { "64 kib", 65536 }, { "3B", 3 }, { "2TiB", 2ull << 40 },
        { "18446744073709551615", UINT64_MAX },
    };
    uint64_t v;

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        v = 1;
        CU_ASSERT_EQUAL(sl_parse_size(ok[i].s, &v), 0);
        CU_ASSERT_EQUAL(v, ok[i].v);
    }
}

static void t_sizes_bad(void)
{
    static const char *const bad[] = {
        "", "KiB", "1.5GiB", "-1", "+1", "64 kilobytes", "64KiBs", "1e3", " 64",
        "18446744073709551616", "16777216TiB", "99999999999999999999999KiB",
    };
    uint64_t v = 42;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(sl_parse_size(bad[i], &v), SL_EINVAL);
        CU_ASSERT_EQUAL(v, 42);
    }
    CU_ASSERT_EQUAL(sl_parse_size("16777215TiB", &v), 0);
    CU_ASSERT_EQUAL(v, 16777215ull << 40);
}

static void t_durations(void)
{
    static const struct { const char *s; uint64_t v; } ok[] = {
        { "250ms", 250 }, { "1s", 1000 }, { "5m", 300000 }, { "1h", 3600000 },
        { "1d", 86400000 }, { "0", 0 }, { "0s", 0 }, { "1m30s", 90000 }, { "5ms", 5 },
    };
    static const char *const bad[] = {
        "5", "", "ms", "1x", "1 s", "1.5s", "-1s", "1s500", "213503982335d",
        "99999999999999999999ms",
    };
    uint64_t v;

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        v = 1;
        CU_ASSERT_EQUAL(sl_parse_duration_ms(ok[i].s, &v), 0);
        CU_ASSERT_EQUAL(v, ok[i].v);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 42;
        CU_ASSERT_EQUAL(sl_parse_duration_ms(bad[i], &v), SL_EINVAL);
        CU_ASSERT_EQUAL(v, 42);
    }
    CU_ASSERT_EQUAL(sl_parse_duration_ms("213503982334d", &v), 0);
    CU_ASSERT_EQUAL(v, 213503982334ull * 86400000ull);
}

static void t_bools_and_numbers(void)
{
    static const char *const yes[] = { "true", "yes", "on", "TRUE", "Yes" };
    static const char *const no[] = { "false", "no", "off", "Off" };
    uint64_t v = 0;
    int b;

    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        b = 0;
        CU_ASSERT(sl_parse_bool(yes[i], &b) == 0 && b == 1);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        b = 1;
        CU_ASSERT(sl_parse_bool(no[i], &b) == 0 && b == 0);
    }
    CU_ASSERT_EQUAL(sl_parse_bool("1", &b), SL_EINVAL);
    CU_ASSERT_EQUAL(sl_parse_bool("", &b), SL_EINVAL);
    CU_ASSERT_EQUAL(sl_parse_u64("18446744073709551615", &v), 0);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    CU_ASSERT_EQUAL(sl_parse_u64("18446744073709551616", &v), SL_EINVAL);
    CU_ASSERT_EQUAL(sl_parse_u64("+1", &v), SL_EINVAL);
    CU_ASSERT_EQUAL(sl_parse_u64("1k", &v), SL_EINVAL);
    CU_ASSERT_EQUAL(sl_parse_u64("", &v), SL_EINVAL);
    CU_ASSERT_EQUAL(sl_parse_u64("007", &v), 0);
    CU_ASSERT_EQUAL(v, 7);
}

static void t_set_scalar(void)
{
    struct fake_conf fc;
    struct sl_err err;
    const struct sl_cfg_row *r;

    memset(&fc, 0, sizeof fc);
    CU_ASSERT_EQUAL(sl_cfg_defaults(fake_rows, &fc, &err), 0);
    CU_ASSERT_EQUAL(fc.max_bytes, 5ull << 20);
    CU_ASSERT_EQUAL(fc.timeout_ms, 30000);
    CU_ASSERT_EQUAL(fc.batch_docs, 500);
    CU_ASSERT_EQUAL(fc.batch_wait_ms, 1000);
    CU_ASSERT_EQUAL(fc.hosts.n, 1);
    TU_ASSERT_STR(fc.hosts.n ? fc.hosts.v[0] : NULL, "http://localhost:9200");
    CU_ASSERT_PTR_NULL(fc.url);

    r = sl_cfg_find(fake_rows, "max_bytes");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NULL(sl_cfg_find(fake_rows, "max_docs_"));
    CU_ASSERT_PTR_NULL(sl_cfg_find(fake_rows, "max_wait"));   /* not recursing */
    CU_ASSERT_EQUAL(sl_cfg_set_scalar(r, &fc, "200MiB", "f:1:2", &err), SL_EINVAL);
    TU_ASSERT_STR(err.where, "f:1:2");
    TU_ASSERT_HAS(err.msg, "expected 1KiB to 100MiB");
    CU_ASSERT_EQUAL(fc.max_bytes, 5ull << 20);
    CU_ASSERT_EQUAL(sl_cfg_set_scalar(r, &fc, "lots", "f:1:2", &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "expected a size like 64KiB");
    TU_ASSERT_HAS(err.msg, "'lots'");
    CU_ASSERT_EQUAL(sl_cfg_set_scalar(r, &fc, "99999999999999999999", "f", &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "too large");

    r = sl_cfg_find(fake_rows, "mode");
    CU_ASSERT_EQUAL(sl_cfg_set_scalar(r, &fc, "upsert", "f", &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "expected one of create, index");
    CU_ASSERT_EQUAL(sl_cfg_set_scalar(r, &fc, "index", "f", &err), 0);
    CU_ASSERT_EQUAL(fc.mode, 1);

    r = sl_cfg_find(fake_rows, "password");
    CU_ASSERT_EQUAL(sl_cfg_set_scalar(r, &fc, "", "f", &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "non-empty secret");
    CU_ASSERT_EQUAL(sl_cfg_set_scalar(r, &fc, "x1", "f", &err), 0);
    CU_ASSERT_EQUAL(sl_cfg_set_scalar(r, &fc, "x2", "f", &err), 0);   /* replaces, no leak */
    TU_ASSERT_STR(fc.password, "x2");

    r = sl_cfg_find(fake_rows, "hosts");
    CU_ASSERT_EQUAL(sl_cfg_set_scalar(r, &fc, "a", "f", &err), SL_EINVAL);
    TU_ASSERT_HAS(err.msg, "expected a list");

    sl_cfg_release(fake_rows, &fc);
    CU_ASSERT_PTR_NULL(fc.password);
    CU_ASSERT_EQUAL(fc.hosts.n, 0);
    sl_cfg_release(fake_rows, &fc);     /* twice is harmless */
    sl_cfg_release(fake_rows, NULL);
}

/* ---- loading ---- */

static void t_full(void)
{
    struct fake_conf *fc;
    struct fake_ndjson_conf *nc;
    int rc = load_fixture("full.yaml");

    if (rc)
        dump();
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(pr.errors.n, 0);
    CU_ASSERT_EQUAL(pr.warnings.n, 0);
    CU_ASSERT_EQUAL_FATAL(cfg->ninputs, 2);
    TU_ASSERT_STR(cfg->inputs[0].name, "tcp-main");
    CU_ASSERT_EQUAL(cfg->inputs[0].proto, CFG_TCP);
    TU_ASSERT_STR(cfg->inputs[0].host, "127.0.0.1");
    TU_ASSERT_STR(cfg->inputs[0].port, "5514");
    CU_ASSERT_EQUAL(cfg->inputs[0].max_msg, 128 * 1024);
    CU_ASSERT_EQUAL(cfg->inputs[0].max_conns, 200);
    CU_ASSERT_EQUAL(cfg->inputs[0].allow.n, 4);
    CU_ASSERT_EQUAL(cfg->inputs[0].nnets, 4);
    CU_ASSERT_EQUAL(cfg->inputs[0].nets[3].prefix, 32);
    CU_ASSERT_EQUAL(cfg->inputs[1].proto, CFG_UDP);
    TU_ASSERT_STR(cfg->inputs[1].host, "::1");
    TU_ASSERT_STR(cfg->inputs[1].port, "0");
    TU_ASSERT_STR(cfg->inputs[1].name, "udp://[::1]:0");
    CU_ASSERT_EQUAL(cfg->inputs[1].max_msg, 8192);
    CU_ASSERT_EQUAL(cfg->inputs[1].max_conns, SL_MAX_CONNS_DEFAULT);
    CU_ASSERT_EQUAL(cfg->inputs[1].nnets, 0);

    CU_ASSERT_EQUAL_FATAL(cfg->nsinks, 2);
    TU_ASSERT_STR(cfg->sinks[0].name, "es");
    CU_ASSERT_PTR_EQUAL(cfg->sinks[0].type, &fake_type);
    fc = sink_conf(0);
    TU_ASSERT_STR(fc->url, "http://127.0.0.1:9200");
    CU_ASSERT_EQUAL(fc->gzip, 1);
    CU_ASSERT_EQUAL(fc->max_docs, 2000);
    CU_ASSERT_EQUAL(fc->max_bytes, 10000000);
    CU_ASSERT_EQUAL(fc->timeout_ms, 90000);
    CU_ASSERT_EQUAL(fc->mode, 1);
    CU_ASSERT_EQUAL_FATAL(fc->hosts.n, 2);
    TU_ASSERT_STR(fc->hosts.v[1], "http://127.0.0.1:9201");
    CU_ASSERT_EQUAL_FATAL(fc->headers.n, 2);
    TU_ASSERT_STR(fc->headers.k[0], "X-Team");
    TU_ASSERT_STR(fc->headers.v[1], "test");
    CU_ASSERT_EQUAL(fc->batch_docs, 7);
    CU_ASSERT_EQUAL(fc->batch_wait_ms, 250);
    CU_ASSERT_PTR_NULL(fc->password);
    TU_ASSERT_STR(cfg->sinks[1].name, "ndjson1");
    nc = cfg->sinks[1].conf;
    TU_ASSERT_STR(nc->path, "/tmp/out.ndjson");
    CU_ASSERT_EQUAL(cfg->queue_bytes, 1ull << 30);
    CU_ASSERT_EQUAL(cfg->log_level, SL_LOG_DEBUG);
    TU_ASSERT_HAS(cfg->path, "full.yaml");
    reset();
}

static void t_default(void)
{
    struct fake_ndjson_conf *nc;
    int rc = config_load_string(&cfg, "<default>", sl_default_config,
                                strlen(sl_default_config), &pr);

    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(pr.errors.n, 0);
    CU_ASSERT_EQUAL(pr.warnings.n, 0);
    CU_ASSERT_EQUAL_FATAL(cfg->ninputs, 2);
    CU_ASSERT_EQUAL(cfg->inputs[0].proto, CFG_TCP);
    CU_ASSERT_EQUAL(cfg->inputs[1].proto, CFG_UDP);
    TU_ASSERT_STR(cfg->inputs[0].host, "127.0.0.1");
    TU_ASSERT_STR(cfg->inputs[1].port, "5514");
    CU_ASSERT_EQUAL(cfg->inputs[0].max_msg, SL_MAX_MSG_DEFAULT);
    CU_ASSERT_EQUAL_FATAL(cfg->nsinks, 1);
    TU_ASSERT_STR(cfg->sinks[0].name, "ndjson0");
    nc = cfg->sinks[0].conf;
    TU_ASSERT_STR(nc->path, "./sluice-out.ndjson");
    CU_ASSERT_EQUAL(cfg->queue_bytes, SL_QUEUE_BYTES_DEFAULT);
    CU_ASSERT_EQUAL(cfg->log_level, SL_LOG_INFO);
    TU_ASSERT_STR(cfg->admin.host, "127.0.0.1");       /* loopback, so no token */
    TU_ASSERT_STR(cfg->admin.port, "9601");
    CU_ASSERT_PTR_NULL(cfg->admin.token);
    reset();
}

static void t_typo(void)
{
    CU_ASSERT_EQUAL(load_fixture("typo_key.yaml"), SL_ECONFIG);
    CU_ASSERT_PTR_NULL(cfg);
    CU_ASSERT_EQUAL(pr.errors.n, 1);
    ASSERT_ERR("typo_key.yaml:7:5: key 'sinks[0].max_doc': ", "unknown key; did you mean 'max_docs'?");
    CU_ASSERT_EQUAL(load_str("sink:\n  - type: fake\nqueue:\n  max_byte: 1MiB\n  zzz: 1\n"),
                    SL_ECONFIG);
    ASSERT_ERR("test.yaml:1:1: key 'sink': ", "did you mean 'sinks'?");
    ASSERT_ERR("test.yaml:4:3: key 'queue.max_byte': ", "did you mean 'max_bytes'?");
    ASSERT_ERR("test.yaml:5:3: key 'queue.zzz': ", "unknown key");
    TU_ASSERT_HASNT(find(&pr.errors, ":5:3:", NULL), "did you mean");
    next_good_loads();
}

static void t_wrong_type(void)
{
    CU_ASSERT_EQUAL(load_fixture("wrong_type.yaml"), SL_ECONFIG);
    ASSERT_ERR(":3:14: key 'inputs[0].max_msg': ", "expected a size like 64KiB, got a list");
    ASSERT_ERR(":4:12: key 'inputs[0].allow': ", "expected a list like [a, b], got a single value");
    ASSERT_ERR(":7:10: key 'sinks[0].url': ", "expected a string, got a mapping");
    ASSERT_ERR(":8:12: key 'sinks[0].hosts': ", "for one item write [item]");
    ASSERT_ERR(":9:12: key 'sinks[0].batch': ", "expected a mapping of keys, got a single value");
    ASSERT_ERR(":10:14: key 'sinks[0].headers': ", "expected a mapping like {key: value}, got a list");
    CU_ASSERT_EQUAL(pr.errors.n, 6);
    next_good_loads();
}

static void t_bad_values(void)
{
    CU_ASSERT_EQUAL(load_fixture("bad_values.yaml"), SL_ECONFIG);
    ASSERT_ERR(":3:14: key 'inputs[0].max_msg': ", "expected a size like 64KiB");
    ASSERT_ERR(":3:14:", "got '64 kilobytes'");
    ASSERT_ERR(":4:16: key 'inputs[0].max_conns': ", "expected a whole number like 1024, got '-3'");
    ASSERT_ERR(":8:11: key 'sinks[0].gzip': ", "expected true or false");
    ASSERT_ERR(":9:14: key 'sinks[0].timeout': ", "a unit is required");
    ASSERT_ERR(":10:11: key 'sinks[0].mode': ", "expected one of create, index; got 'upsert'");
    ASSERT_ERR(":12:10: key 'log.level': ", "expected one of error, warn, info, debug");
    CU_ASSERT_EQUAL(pr.errors.n, 6);
    next_good_loads();
}

static void t_bounds(void)
{
    CU_ASSERT_EQUAL(load_fixture("out_of_bounds.yaml"), SL_ECONFIG);
    ASSERT_ERR(":3:14: key 'inputs[0].max_msg': ", "100 is out of bounds: expected 480 to 16MiB");
    ASSERT_ERR(":4:16: key 'inputs[0].max_conns': ", "expected 1 to 65536");
    ASSERT_ERR(":8:15: key 'sinks[0].max_docs': ", "0 is out of bounds: expected 1 to 100000");
    ASSERT_ERR(":9:16: key 'sinks[0].max_bytes': ", "too large");
    ASSERT_ERR(":11:14: key 'queue.max_bytes': ", "64KiB is out of bounds: expected 1MiB to 4GiB");
    CU_ASSERT_EQUAL(pr.errors.n, 5);
    next_good_loads();
}

static void t_missing_required(void)
{
    CU_ASSERT_EQUAL(load_fixture("missing_required.yaml"), SL_ECONFIG);
    ASSERT_ERR(":2:5: key 'inputs[0].listen': ", "missing required key");
    ASSERT_ERR(":5:5: key 'sinks[0].url': ", "missing required key");
    ASSERT_ERR(":7:5: key 'sinks[1].type': ", "missing required key; known types: fake, ndjson");
    CU_ASSERT_EQUAL(pr.errors.n, 3);
    next_good_loads();
}

static void t_duplicate(void)
{
    CU_ASSERT_EQUAL(load_fixture("duplicate_key.yaml"), SL_ECONFIG);
    ASSERT_ERR(":4:5: key 'inputs[0].max_msg': ", "duplicate key (first at line 3 col 5)");
    ASSERT_ERR(":10:7: key 'sinks[0].headers.a': ", "duplicate key (first at line 9 col 7)");
    ASSERT_ERR(":13:1: key 'log': ", "duplicate key (first at line 11 col 1)");
    CU_ASSERT_EQUAL(pr.errors.n, 3);
    CU_ASSERT_EQUAL(load_str("sinks:\n  - type: fake\n    url: a\n    type: ndjson\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:4:5: key 'sinks[0].type': ", "duplicate key (first at line 2 col 5)");
    next_good_loads();
}

static void t_buffer(void)
{
    CU_ASSERT_EQUAL_FATAL(load_str("sinks:\n  - type: fake\n    url: a\n"), 0);
    CU_ASSERT_PTR_NULL(cfg->buffer.path);             /* no buffer: memory mode */
    CU_ASSERT_EQUAL(cfg->buffer.fsync, SPOOL_FSYNC_INTERVAL);
    CU_ASSERT_EQUAL(cfg->buffer.fsync_ms, 1000);
    CU_ASSERT_EQUAL(cfg->buffer.max_size, 10ull << 30);
    CU_ASSERT_EQUAL(cfg->buffer.when_full, SPOOL_FULL_BLOCK);
    CU_ASSERT_EQUAL(cfg->buffer.compress, SPOOL_COMPRESS_LZ4);
    reset();
    CU_ASSERT_EQUAL_FATAL(load_str("buffer:\n  path: spool\n  fsync: always\n  max_size: 2GiB\n"
                                   "  when_full: drop_oldest\n  compress: gzip\n"), 0);
    TU_ASSERT_STR(cfg->buffer.path, "spool");         /* test.yaml has no directory */
    CU_ASSERT_EQUAL(cfg->buffer.fsync, SPOOL_FSYNC_ALWAYS);
    CU_ASSERT_EQUAL(cfg->buffer.max_size, 2ull << 30);
    CU_ASSERT_EQUAL(cfg->buffer.when_full, SPOOL_FULL_DROP_OLDEST);
    CU_ASSERT_EQUAL(cfg->buffer.compress, SPOOL_COMPRESS_GZIP);
    reset();
    CU_ASSERT_EQUAL_FATAL(load_str("buffer:\n  path: /var/spool\n  fsync: never\n"), 0);
    CU_ASSERT_EQUAL(cfg->buffer.fsync, SPOOL_FSYNC_NEVER);
    reset();
    CU_ASSERT_EQUAL_FATAL(load_str("buffer:\n  path: /s\n  fsync: 250ms\n"), 0);
    CU_ASSERT_EQUAL(cfg->buffer.fsync, SPOOL_FSYNC_INTERVAL);
    CU_ASSERT_EQUAL(cfg->buffer.fsync_ms, 250);
    reset();
    CU_ASSERT_EQUAL(load_str("buffer:\n  path: /s\n  fsync: sometimes\n  when_full: wait\n"
                             "  max_sise: 1GiB\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:3:10: key 'buffer.fsync': ", "expected always, never or a duration");
    ASSERT_ERR("test.yaml:3:10:", "got 'sometimes'");
    ASSERT_ERR("test.yaml:4:14: key 'buffer.when_full': ",
               "expected one of block, drop_oldest, drop_newest");
    ASSERT_ERR("test.yaml:5:3: key 'buffer.max_sise': ", "did you mean 'max_size'?");
    CU_ASSERT_EQUAL(load_str("sinks:\n  - type: fake\n    url: a\n    name: 'es/1'\n"),
                    SL_ECONFIG);
    ASSERT_ERR("test.yaml:4:11: key 'sinks[0].name': ", "use letters, digits");
    next_good_loads();
}

/* admin: off without listen; loopback needs no token; any other address
 * does; the token is a reference, never text in the file. */
static void t_admin(void)
{
    char yaml[512];

    CU_ASSERT_EQUAL_FATAL(load_str("sinks:\n  - type: fake\n    url: a\n"), 0);
    CU_ASSERT_PTR_NULL(cfg->admin.listen);
    reset();
    CU_ASSERT_EQUAL_FATAL(load_str("admin:\n  listen: \"[::1]:0\"\n"), 0);
    TU_ASSERT_STR(cfg->admin.host, "::1");
    TU_ASSERT_STR(cfg->admin.port, "0");
    reset();
    CU_ASSERT_EQUAL_FATAL(load_str("admin:\n  listen: localhost:9601\n"), 0);
    reset();
    CU_ASSERT_EQUAL_FATAL(load_str("admin:\n  listen: 127.1.2.3:9601\n"), 0);
    reset();
    CU_ASSERT_EQUAL(load_str("admin:\n  listen: 0.0.0.0:9601\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:11: key 'admin.listen': ", "'0.0.0.0' is not a loopback address");
    CU_ASSERT_EQUAL(load_str("admin:\n  listen: \"[::]:9601\"\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:11: key 'admin.listen': ", "'::' is not a loopback address");
    CU_ASSERT_EQUAL(load_str("admin:\n  listen: metrics.example:9601\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:11:", "set admin.token");
    CU_ASSERT_EQUAL(load_str("admin:\n  listen: 10.0.0.1\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:11: key 'admin.listen': ", "expected HOST:PORT");
    CU_ASSERT_EQUAL(load_str("admin:\n  listen: \"::1:9601\"\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:11: key 'admin.listen': ", "expected HOST:PORT");
    CU_ASSERT_EQUAL(load_str("admin:\n  listen: 127.0.0.1:99999\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:11: key 'admin.listen': ", "bad port '99999'");
    /* A literal token: refused, and its text appears nowhere. */
    CU_ASSERT_EQUAL(load_str("admin:\n  listen: 0.0.0.0:9601\n  token: sw0rdfish\n"),
                    SL_ECONFIG);
    ASSERT_ERR("test.yaml:3:10: key 'admin.token': ", "must be a reference");
    CU_ASSERT(no_problem_contains("sw0rdfish"));
    /* From the environment: a wildcard address is fine with it. */
    setenv("SLUICE_TEST_ADMIN_TOKEN", "t0ken", 1);
    CU_ASSERT_EQUAL_FATAL(load_str("admin:\n  listen: 0.0.0.0:9601\n"
                                   "  token: ${env:SLUICE_TEST_ADMIN_TOKEN}\n"), 0);
    TU_ASSERT_STR(cfg->admin.token, "t0ken");
    TU_ASSERT_STR(cfg->admin.host, "0.0.0.0");
    CU_ASSERT_EQUAL(pr.warnings.n, 0);
    reset();
    unsetenv("SLUICE_TEST_ADMIN_TOKEN");
    snprintf(yaml, sizeof yaml, "admin:\n  token: ${env:SLUICE_TEST_ADMIN_TOKEN}\n");
    CU_ASSERT_EQUAL(load_str(yaml), SL_ECONFIG);        /* unset variable */
    ASSERT_ERR("test.yaml:2:10: key 'admin.token': ", "SLUICE_TEST_ADMIN_TOKEN");
    next_good_loads();
}

static void t_grammars(void)
{
    int rc = load_fixture("grammars.yaml");

    if (rc)
        dump();
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg->routes);
    CU_ASSERT_EQUAL(route_table_ngrammars(cfg->routes), 2);
    CU_ASSERT_EQUAL(route_table_nroutes(cfg->routes), 2);
    TU_ASSERT_STR(grammar_kind(route_table_grammar(cfg->routes, 0)), "grok");
    TU_ASSERT_STR(grammar_kind(route_table_grammar(cfg->routes, 1)), "lognorm");
    next_good_loads();
}

struct got_fields {
    char outcome[32], action[32], user[32];
    int n;
};

static int got_field(void *arg, const struct fld_name *name, enum fld_type type, const char *val,
                     size_t len)
{
    struct got_fields *g = arg;
    char *to = strcmp(name->path, "event.outcome") == 0 ? g->outcome
             : strcmp(name->path, "event.action") == 0  ? g->action
             : strcmp(name->path, "user.name") == 0     ? g->user : NULL;

    g->n++;
    if (to && type == FLD_STRING)
        snprintf(to, 32, "%.*s", (int)len, val);
    return 0;
}

static void t_grammars_file(void)
{
    static const char ok[] = "Accepted password for alice from 192.0.2.1 port 22";
    static const char bad[] = "Failed password for bob from 192.0.2.1 port 22";
    struct got_fields gf = { 0 };
    const struct grammar *g;
    void *scratch;
    int rc = load_fixture("grammars_file.yaml");

    if (rc)
        dump();
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg->routes);
    CU_ASSERT_EQUAL_FATAL(route_table_ngrammars(cfg->routes), 1);
    g = route_table_grammar(cfg->routes, 0);
    TU_ASSERT_STR(grammar_kind(g), "grok");
    scratch = grammar_scratch_new(g);
    /* the captures, then the SET constants of the expression that matched */
    CU_ASSERT_EQUAL(grammar_match(g, scratch, ok, strlen(ok), got_field, &gf), GRAMMAR_MATCH);
    TU_ASSERT_STR(gf.user, "alice");
    TU_ASSERT_STR(gf.outcome, "success");
    TU_ASSERT_STR(gf.action, "ssh_login");
    CU_ASSERT_EQUAL(gf.n, 6);
    memset(&gf, 0, sizeof gf);
    CU_ASSERT_EQUAL(grammar_match(g, scratch, bad, strlen(bad), got_field, &gf), GRAMMAR_MATCH);
    TU_ASSERT_STR(gf.user, "bob");
    TU_ASSERT_STR(gf.outcome, "failure");
    TU_ASSERT_STR(gf.action, "");
    memset(&gf, 0, sizeof gf);
    CU_ASSERT_EQUAL(grammar_match(g, scratch, "Accepted", 8, got_field, &gf), GRAMMAR_NOMATCH);
    CU_ASSERT_EQUAL(gf.n, 0);
    grammar_scratch_free(g, scratch);
    next_good_loads();
}

/* Keeps the FLD_TIME field a grammar emits. */
struct got_ts {
    int time;
    char val[64];
};

static int got_time(void *arg, const struct fld_name *name, enum fld_type type, const char *val,
                    size_t len)
{
    struct got_ts *t = arg;

    if (type == FLD_TIME && strcmp(name->path, "@timestamp") == 0) {
        t->time++;
        snprintf(t->val, sizeof t->val, "%.*s", (int)len, val);
    }
    return 0;
}

/* One match of the first grammar of the config last loaded: 1 when it matched. */
static int first_grammar_matches(const char *line, struct got_fields *gf)
{
    const struct grammar *g = route_table_grammar(cfg->routes, 0);
    void *scratch = grammar_scratch_new(g);
    enum grammar_result r;

    memset(gf, 0, sizeof *gf);
    r = grammar_match(g, scratch, line, strlen(line), got_field, gf);
    grammar_scratch_free(g, scratch);
    return r == GRAMMAR_MATCH;
}

static void t_grammars_builtin(void)
{
    struct got_fields gf;
    char yaml[1024];
    int rc;

    /* the compiled-in library without any patterns: line */
    rc = load_str("grammars:\n  definitions:\n    - name: a\n      type: grok\n"
                  "      match: '^%{IP:source.ip} %{USERNAME:user.name}$'\n  routes: {x: a}\n");
    if (rc)
        dump();
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT(first_grammar_matches("192.0.2.1 carol", &gf));
    TU_ASSERT_STR(gf.user, "carol");

    /* a compiled-in program grammar by name, with its SET constants */
    rc = load_str("grammars:\n  definitions:\n    - {name: ssh, type: grok, builtin: sshd}\n"
                  "  routes: {sshd: ssh}\n");
    if (rc)
        dump();
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT(first_grammar_matches("Accepted publickey for dave from 192.0.2.7 port 50022 ssh2",
                                    &gf));
    TU_ASSERT_STR(gf.user, "dave");
    TU_ASSERT_STR(gf.outcome, "success");
    TU_ASSERT_STR(gf.action, "ssh_login");

    /* a patterns: directory replaces a built-in name and adds its own */
    snprintf(yaml, sizeof yaml,
             "grammars:\n  patterns: [%s]\n  definitions:\n    - name: a\n      type: grok\n"
             "      match: '^%%{WORD:user.name} %%{LOWERPAIR}$'\n  routes: {x: a}\n",
             tu_fixture("config/patterns_override"));
    rc = load_str(yaml);
    if (rc)
        dump();
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT(first_grammar_matches("erin a-b", &gf));
    TU_ASSERT_STR(gf.user, "erin");
    CU_ASSERT(!first_grammar_matches("Erin a-b", &gf));        /* the built-in WORD took it */

    /* switched off: the library is gone, a patterns: directory still loads */
    CU_ASSERT_EQUAL(load_str("grammars:\n  builtin_patterns: false\n  definitions:\n"
                             "    - name: a\n      type: grok\n      match: '%{IP:source.ip}'\n"
                             "  routes: {x: a}\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:6:14: key 'grammars.definitions[0].match': ", "unknown pattern %{IP}");
    CU_ASSERT_EQUAL(pr.errors.n, 1);
    snprintf(yaml, sizeof yaml,
             "grammars:\n  builtin_patterns: off\n  patterns: %s\n  definitions:\n"
             "    - name: a\n      type: grok\n      match: '^%%{LOWERPAIR}$'\n"
             "  routes: {x: a}\n", tu_fixture("config/patterns_override"));
    CU_ASSERT_EQUAL(load_str(yaml), 0);
    CU_ASSERT_EQUAL(load_str("grammars:\n  builtin_patterns: false\n  definitions:\n"
                             "    - {name: ssh, type: grok, builtin: sshd}\n  routes: {x: ssh}\n"),
                    SL_ECONFIG);
    ASSERT_ERR("test.yaml:4:40: key 'grammars.definitions[0].builtin': ",
               "builtin:grammars/sshd/sshd.grok:");

    /* bad values */
    CU_ASSERT_EQUAL(load_str("grammars:\n  builtin_patterns: maybe\n  definitions:\n"
                             "    - {name: a, type: grok, builtin: nosuch}\n"
                             "    - {name: b, type: lognorm, builtin: sshd}\n"
                             "    - {name: c, type: grok, builtin: sshd, match: 'x'}\n"
                             "  routes: {x: a}\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:21: key 'grammars.builtin_patterns': ", "expected true or false, got maybe");
    ASSERT_ERR("test.yaml:4:38: key 'grammars.definitions[0].builtin': ",
               "no built-in grammar 'nosuch'; built in: apache, ");
    ASSERT_ERR("test.yaml:5:41: key 'grammars.definitions[1]': ", "builtin is for type grok");
    ASSERT_ERR("test.yaml:6:38: key 'grammars.definitions[2]': ",
               "match, file and builtin exclude each other");
    CU_ASSERT_EQUAL(pr.errors.n, 4);
    next_good_loads();
}

/* timestamp: on grok definitions: the program's time becomes @timestamp. */
static void t_grammars_timestamp(void)
{
    const struct grammar *g;
    void *scratch;
    int rc;
    struct got_ts tf = { 0, "" };

    rc = load_str("grammars:\n  definitions:\n    - name: web\n      type: grok\n"
                  "      builtin: nginx\n      timestamp:\n"
                  "        - {field: nginx.access.time, format: HTTPDATE}\n"
                  "        - {field: nginx.error.time, format: ['yyyy/MM/dd HH:mm:ss', ISO8601]}\n"
                  "    - name: app\n      type: grok\n      match: '^(?<t>\\S+) (?<m>.*)$'\n"
                  "      timestamp: {field: t, format: UNIX}\n"
                  "  routes: {nginx: web, app: app}\n");
    if (rc)
        dump();
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    g = route_table_grammar(cfg->routes, 1);
    scratch = grammar_scratch_new(g);
    CU_ASSERT_EQUAL(grammar_match(g, scratch, "1798761600 hello", 16, got_time, &tf),
                    GRAMMAR_MATCH);
    CU_ASSERT_EQUAL(tf.time, 1);
    TU_ASSERT_STR(tf.val, "2027-01-01T00:00:00Z");
    grammar_scratch_free(g, scratch);

    CU_ASSERT_EQUAL(load_str("grammars:\n  definitions:\n"
                             "    - {name: a, type: grok, match: 'x(?<t>\\d+)', timestamp: "
                             "{field: t, format: 'yyyy-MM-ddTHH'}}\n"
                             "    - {name: b, type: grok, match: 'x(?<t>\\d+)', timestamp: "
                             "{field: u, format: UNIX}}\n"
                             "    - {name: c, type: grok, match: 'x(?<t>\\d+)', timestamp: "
                             "{field: t}}\n"
                             "    - {name: d, type: lognorm, rulebase: x.rb, timestamp: "
                             "{field: t, format: UNIX}}\n"
                             "    - {name: e, type: grok, match: 'x(?<t>\\d+)', timestamp: "
                             "{field: t, format: UNIX, fromat: x}}\n"
                             "    - {name: f, type: grok, match: 'x(?<t>\\d+)', timestamp: [1]}\n"
                             "  routes: {x: a}\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:3:80: key 'grammars.definitions[0].timestamp.format': ",
               "t: format 'yyyy-MM-ddTHH': letter 'T' at offset 10");
    ASSERT_ERR("test.yaml:4:69: key 'grammars.definitions[1].timestamp': ",
               "no expression of grammar b captures u");
    ASSERT_ERR(":5:61: key 'grammars.definitions[2].timestamp.format': ", "required: ISO8601");
    ASSERT_ERR(":6:59: key 'grammars.definitions[3]': ", "timestamp is for type grok");
    ASSERT_ERR(":7:86: key 'grammars.definitions[4].timestamp.fromat': ", "unknown key");
    ASSERT_ERR(":8:62: key 'grammars.definitions[5].timestamp[0]': ",
               "expected {field: F, format: FORMAT}");
    CU_ASSERT_EQUAL(pr.errors.n, 6);
    next_good_loads();
}

/* The example configs of docs/examples load as they are. */
static void t_example_configs(void)
{
    static const char *const names[] = { "container.yaml", "grammars.yaml", NULL };
    char path[512];

    for (size_t i = 0; names[i]; i++) {
        int rc;

        reset();
        snprintf(path, sizeof path, "%s../../docs/examples/%s", tu_fixture(""), names[i]);
        rc = config_load_file(&cfg, path, &pr);
        if (rc) {
            fprintf(stderr, "\n  %s:", names[i]);
            dump();
        }
        CU_ASSERT_EQUAL(rc, 0);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg->routes);
    CU_ASSERT_EQUAL(route_table_ngrammars(cfg->routes), 14);
    next_good_loads();
}

static void t_grammars_file_bad(void)
{
    /* the grammar file's line, under the config's file:line:col */
    CU_ASSERT_EQUAL(load_fixture("grammars_file_bad.yaml"), SL_ECONFIG);
    ASSERT_ERR("grammars_file_bad.yaml:8:", "key 'grammars.definitions[0].file': ");
    ASSERT_ERR("grammars_file_bad.yaml:8:", "grammars_file_bad.grok:4: ");
    ASSERT_ERR("grammars_file_bad.yaml:8:", "unknown pattern %{NOSUCHPATTERN}");
    CU_ASSERT_EQUAL(pr.errors.n, 1);
    CU_ASSERT_PTR_NULL(cfg);

    CU_ASSERT_EQUAL(load_str("grammars:\n  definitions:\n    - name: a\n      type: grok\n"
                             "      file: /nonexistent/a.grok\n  routes: {x: a}\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:5:13: key 'grammars.definitions[0].file': ", "/nonexistent/a.grok");
    ASSERT_ERR("test.yaml:5:13: ", "cannot open");

    CU_ASSERT_EQUAL(load_str("grammars:\n  definitions:\n    - name: a\n      type: grok\n"
                             "      match: 'x'\n      file: a.grok\n  routes: {x: a}\n"),
                    SL_ECONFIG);
    ASSERT_ERR("test.yaml:6:13: ", "match, file and builtin exclude each other");
    next_good_loads();
}

static void t_no_grammars(void)
{
    CU_ASSERT_EQUAL(load_str("sinks:\n  - type: fake\n    url: a\n"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_PTR_NULL(cfg->routes);
    next_good_loads();
}

static void t_grammars_bad(void)
{
    CU_ASSERT_EQUAL(load_fixture("grammars_bad.yaml"), SL_ECONFIG);
    ASSERT_ERR("grammars_bad.yaml:7:14: key 'grammars.definitions[0].match': ",
               "unknown pattern %{NOSUCHPATTERN}");
    ASSERT_ERR("grammars_bad.yaml:7:14: ", "offset 9");
    ASSERT_ERR("grammars_bad.yaml:10:28: key 'grammars.definitions[1].match': ", "`long`");
    CU_ASSERT_EQUAL(pr.errors.n, 2);
    CU_ASSERT_PTR_NULL(cfg);

    CU_ASSERT_EQUAL(load_fixture("grammars_unknown_name.yaml"), SL_ECONFIG);
    ASSERT_ERR("grammars_unknown_name.yaml:7:5: key 'grammars.routes.sshd': ",
               "unknown grammar \"nosuch\"");
    CU_ASSERT_EQUAL(pr.errors.n, 1);

    CU_ASSERT_EQUAL(load_str("grammars:\n  definitions:\n    - name: a\n      type: regex\n"
                             "  routes: {x: a}\n  pattern: []\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:4:13: key 'grammars.definitions[0].type': ", "grok or lognorm");
    ASSERT_ERR("test.yaml:6:3: key 'grammars.pattern': ", "did you mean 'patterns'?");

    CU_ASSERT_EQUAL(load_str("grammars:\n  definitions:\n    - name: a\n      type: lognorm\n"
                             "      rulebase: /nonexistent.rb\n  routes: {x: a}\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:5:17: key 'grammars.definitions[0].rulebase': ", "nonexistent.rb");
    next_good_loads();
}

/* enrich.level and enrich.payload: defaults, values, and bad values at
 * their line. */
static void t_enrich(void)
{
    CU_ASSERT_EQUAL(load_str("sinks:\n  - type: fake\n    url: a\n"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_EQUAL(cfg->level_opts.detect, 1);
    CU_ASSERT_EQUAL(cfg->level_opts.prefer, LEVEL_PREFER_MESSAGE);
    CU_ASSERT_EQUAL(cfg->payload_opts.json, 1);
    CU_ASSERT_EQUAL(cfg->payload_opts.logfmt, 0);
    TU_ASSERT_STR(cfg->payload_opts.json_prefix.path, "json");
    TU_ASSERT_STR(cfg->payload_opts.logfmt_prefix.path, "logfmt");
    CU_ASSERT_EQUAL(cfg->payload_opts.max_depth, 5);
    CU_ASSERT_EQUAL(cfg->payload_opts.max_fields, 64);

    CU_ASSERT_EQUAL(load_str("enrich:\n  level: {detect: false, prefer: severity}\n"
                             "  payload:\n    json: false\n    logfmt: true\n"
                             "    prefix: app.data\n    logfmt_prefix: .\n"
                             "    max_depth: 6\n    max_fields: 128\n"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_EQUAL(cfg->level_opts.detect, 0);
    CU_ASSERT_EQUAL(cfg->level_opts.prefer, LEVEL_PREFER_SEVERITY);
    CU_ASSERT_EQUAL(cfg->payload_opts.json, 0);
    CU_ASSERT_EQUAL(cfg->payload_opts.logfmt, 1);
    CU_ASSERT_EQUAL(cfg->payload_opts.json_prefix.depth, 2);
    CU_ASSERT_EQUAL(cfg->payload_opts.logfmt_prefix.depth, 0);     /* top level */
    CU_ASSERT_EQUAL(cfg->payload_opts.max_depth, 6);
    CU_ASSERT_EQUAL(cfg->payload_opts.max_fields, 128);

    CU_ASSERT_EQUAL(load_str("enrich:\n  level:\n    prefer: syslog\n    detekt: true\n"
                             "  payload:\n    prefix: a..b\n    max_fields: 0\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:3:13: key 'enrich.level.prefer': ", "message, severity");
    ASSERT_ERR("test.yaml:4:5: key 'enrich.level.detekt': ", "did you mean 'detect'?");
    ASSERT_ERR("test.yaml:6:13: key 'enrich.payload.prefix': ", "prefix 'a..b'");
    ASSERT_ERR("test.yaml:7:17: key 'enrich.payload.max_fields': ", "1");
    CU_ASSERT_EQUAL(pr.errors.n, 4);
    CU_ASSERT_PTR_NULL(cfg);

    CU_ASSERT_EQUAL(load_str("enrich:\n  payload:\n    prefix: a.b.c\n    max_depth: 6\n"),
                    SL_ECONFIG);
    ASSERT_ERR("test.yaml:4:16: key 'enrich.payload.max_depth': ", "at most 5");
    CU_ASSERT_EQUAL(load_str("enrich:\n  payload:\n    logfmt_prefix: x..y\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:3:20: key 'enrich.payload.logfmt_prefix': ", "logfmt_prefix 'x..y'");
    CU_ASSERT_EQUAL(load_str("enrich: [level]\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:1:9: key 'enrich': ", "expected a mapping");
    next_good_loads();
}

static void t_unknown_type(void)
{
    CU_ASSERT_EQUAL(load_fixture("unknown_sink_type.yaml"), SL_ECONFIG);
    ASSERT_ERR(":4:11: key 'sinks[0].type': ",
               "unknown sink type 'fakes'; did you mean 'fake'? known types: fake, ndjson");
    ASSERT_ERR(":6:11: key 'sinks[1].type': ", "unknown sink type 'kafka'; known types: fake, ndjson");
    CU_ASSERT_EQUAL(pr.errors.n, 2);
    next_good_loads();
}

static void t_bad_listen(void)
{
    CU_ASSERT_EQUAL(load_fixture("bad_listen.yaml"), SL_ECONFIG);
    ASSERT_ERR(":2:13: key 'inputs[0].listen': ", "expected udp://HOST:PORT or tcp://HOST:PORT");
    ASSERT_ERR(":3:13: key 'inputs[1].listen': ", "scheme 'tls' is not supported yet");
    ASSERT_ERR(":4:13: key 'inputs[2].listen': ", "IPv6 address goes in brackets");
    ASSERT_ERR(":5:13: key 'inputs[3].listen': ", "missing :PORT");
    ASSERT_ERR(":6:13: key 'inputs[4].listen': ", "port 70000 is over 65535");
    ASSERT_ERR(":7:13: key 'inputs[5].listen': ", "missing host");
    ASSERT_ERR(":8:13: key 'inputs[6].listen': ", "'300.1.1.1' is not an IPv4 address");
    ASSERT_ERR(":9:13: key 'inputs[7].listen': ", "nothing after it");
    ASSERT_ERR(":10:13: key 'inputs[8].listen': ", "'::zz' is not an IPv6 address");
    CU_ASSERT_EQUAL(pr.errors.n, 9);
    /* port 0, IPv6 and host names are fine */
    CU_ASSERT_EQUAL(load_str("inputs:\n - listen: tcp://[::]:0\n - listen: udp://localhost:0\n"
                             " - listen: tcp://0.0.0.0:65535\n"), 0);
    CU_ASSERT_EQUAL_FATAL(cfg ? cfg->ninputs : 0, 3);
    TU_ASSERT_STR(cfg->inputs[0].host, "::");
    TU_ASSERT_STR(cfg->inputs[1].host, "localhost");
    TU_ASSERT_STR(cfg->inputs[2].port, "65535");
    next_good_loads();
}

static void t_bad_cidr(void)
{
    CU_ASSERT_EQUAL(load_fixture("bad_cidr.yaml"), SL_ECONFIG);
    ASSERT_ERR(":5:9: key 'inputs[0].allow[1]': ", "prefix length /33 is over 32 for IPv4");
    ASSERT_ERR(":6:9: key 'inputs[0].allow[2]': ", "prefix length /129 is over 128 for IPv6");
    ASSERT_ERR(":7:9: key 'inputs[0].allow[3]': ", "bad CIDR 'not-an-address'");
    ASSERT_ERR(":9:9: key 'inputs[0].allow[5]': ", "bad CIDR '10.0.0.0/'");
    CU_ASSERT_EQUAL(pr.errors.n, 4);
    ASSERT_WARN(":8:9: key 'inputs[0].allow[4]': ", "'10.1.2.3/8' has host bits set; it means 10.0.0.0/8");
    CU_ASSERT_EQUAL(load_str("inputs:\n - listen: tcp://127.0.0.1:1\n   allow: []\n"), SL_ECONFIG);
    ASSERT_ERR(":3:11: key 'inputs[0].allow': ", "empty allow list");
    next_good_loads();
}

static void t_allows(void)
{
    struct sockaddr_in a4 = { .sin_family = AF_INET };
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
    struct cfg_input *in;

    CU_ASSERT_EQUAL_FATAL(load_str("inputs:\n"
                                   " - listen: tcp://127.0.0.1:1\n"
                                   "   allow: [10.0.0.0/8, 192.168.1.128/25, 2001:db8::/32, \"::1\"]\n"
                                   " - listen: tcp://127.0.0.1:2\n"
                                   "   allow: [0.0.0.0/0]\n"
                                   " - listen: tcp://127.0.0.1:3\n"), 0);
    in = &cfg->inputs[0];
    inet_pton(AF_INET, "10.200.3.4", &a4.sin_addr);
    CU_ASSERT_EQUAL(cfg_input_allows(in, (struct sockaddr *)&a4), 1);
    inet_pton(AF_INET, "11.0.0.1", &a4.sin_addr);
    CU_ASSERT_EQUAL(cfg_input_allows(in, (struct sockaddr *)&a4), 0);
    inet_pton(AF_INET, "192.168.1.200", &a4.sin_addr);
    CU_ASSERT_EQUAL(cfg_input_allows(in, (struct sockaddr *)&a4), 1);
    inet_pton(AF_INET, "192.168.1.127", &a4.sin_addr);
    CU_ASSERT_EQUAL(cfg_input_allows(in, (struct sockaddr *)&a4), 0);
    inet_pton(AF_INET6, "2001:db8:1::5", &a6.sin6_addr);
    CU_ASSERT_EQUAL(cfg_input_allows(in, (struct sockaddr *)&a6), 1);
    inet_pton(AF_INET6, "2001:db9::5", &a6.sin6_addr);
    CU_ASSERT_EQUAL(cfg_input_allows(in, (struct sockaddr *)&a6), 0);
    inet_pton(AF_INET6, "::1", &a6.sin6_addr);
    CU_ASSERT_EQUAL(cfg_input_allows(in, (struct sockaddr *)&a6), 1);
    inet_pton(AF_INET6, "::ffff:10.1.1.1", &a6.sin6_addr);      /* dual-stack socket */
    CU_ASSERT_EQUAL(cfg_input_allows(in, (struct sockaddr *)&a6), 1);
    inet_pton(AF_INET6, "::ffff:11.1.1.1", &a6.sin6_addr);
    CU_ASSERT_EQUAL(cfg_input_allows(in, (struct sockaddr *)&a6), 0);
    CU_ASSERT_EQUAL(cfg_input_allows(&cfg->inputs[1], (struct sockaddr *)&a6), 1);
    inet_pton(AF_INET6, "2001:db8::1", &a6.sin6_addr);
    CU_ASSERT_EQUAL(cfg_input_allows(&cfg->inputs[1], (struct sockaddr *)&a6), 0);
    CU_ASSERT_EQUAL(cfg_input_allows(&cfg->inputs[2], (struct sockaddr *)&a6), 1);
    reset();
}

static void t_many(void)
{
    CU_ASSERT_EQUAL(load_fixture("many_errors.yaml"), SL_ECONFIG);
    CU_ASSERT_EQUAL_FATAL(pr.errors.n, 5);
    /* in file order, whatever order they were found in */
    TU_ASSERT_HAS(pr.errors.v[0], ":3:5: key 'inputs[0].max_mgs': unknown key; did you mean 'max_msg'?");
    TU_ASSERT_HAS(pr.errors.v[1], ":5:5: key 'inputs[1].max_conns': applies to tcp inputs only");
    TU_ASSERT_HAS(pr.errors.v[2], ":9:14: key 'sinks[0].timeout': expected a duration");
    TU_ASSERT_HAS(pr.errors.v[3], ":11:14: key 'queue.max_bytes': expected a size");
    TU_ASSERT_HAS(pr.errors.v[4], ":12:1: key 'lgo': unknown key; did you mean 'log'?");
    next_good_loads();
}

static void t_syntax(void)
{
    CU_ASSERT_EQUAL(load_fixture("syntax.yaml"), SL_ECONFIG);
    CU_ASSERT_EQUAL(pr.errors.n, 1);
    ASSERT_ERR("syntax.yaml:4:6: yaml: ", "while parsing a flow sequence at line 3 col 11");
    CU_ASSERT_PTR_NULL(cfg);
    CU_ASSERT_EQUAL(load_str("inputs:\n\t- listen: x\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:1: yaml: ", "a tab: YAML indents with spaces");
    CU_ASSERT_EQUAL(load_str("log:\n  level: \xff\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:10: yaml: ", "invalid");
    next_good_loads();
}

static void t_empty(void)
{
    CU_ASSERT_EQUAL(load_fixture("empty.yaml"), SL_ECONFIG);
    ASSERT_ERR("empty.yaml:1:1: ", "empty config");
    CU_ASSERT_EQUAL(load_str("# only a comment\n---\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:1:1: ", "empty config");
    CU_ASSERT_EQUAL(load_str("- a\n- b\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:1:1: ", "the top level must be a mapping");
    /* a mapping with nothing to do is valid: the CLI decides what it needs */
    CU_ASSERT_EQUAL(load_str("log: {level: warn}\ninputs:\nsinks: []\n"), 0);
    CU_ASSERT_EQUAL(cfg ? cfg->ninputs + cfg->nsinks : 99, 0);
    CU_ASSERT_EQUAL(cfg ? cfg->log_level : -1, SL_LOG_WARN);
    next_good_loads();
}

static void t_file_limits(void)
{
    char path[128], *big;
    int fd;

    snprintf(path, sizeof path, "%s/big.yaml", tmpdir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    big = malloc(SL_CONFIG_FILE_LIMIT + 1);
    memset(big, '#', SL_CONFIG_FILE_LIMIT + 1);
    CU_ASSERT(write(fd, big, SL_CONFIG_FILE_LIMIT + 1) == SL_CONFIG_FILE_LIMIT + 1);
    close(fd);
    reset();
    CU_ASSERT_EQUAL(config_load_file(&cfg, path, &pr), SL_ETOOBIG);
    ASSERT_ERR("big.yaml: ", "config file is over 4194304 bytes");
    CU_ASSERT_PTR_NULL(cfg);
    reset();
    CU_ASSERT_EQUAL(config_load_string(&cfg, "s", big, SL_CONFIG_FILE_LIMIT + 1, &pr), SL_ETOOBIG);
    free(big);
    unlink(path);
    reset();
    CU_ASSERT_EQUAL(config_load_file(&cfg, "/nonexistent/sluice.yaml", &pr), SL_EIO);
    ASSERT_ERR("/nonexistent/sluice.yaml: ", "cannot read the config: No such file or directory");
    reset();
    CU_ASSERT_EQUAL(config_load_file(&cfg, tmpdir, &pr), SL_EIO);
    ASSERT_ERR(tmpdir, "is a directory");
    /* pr may be NULL when only the code matters */
    reset();
    CU_ASSERT_EQUAL(config_load_file(&cfg, "/nonexistent/x", NULL), SL_EIO);
    next_good_loads();
}

static void t_structure_limits(void)
{
    char *yaml = malloc(16 * 1024);
    size_t n = 0;

    CU_ASSERT_EQUAL(load_str("x: &a [1]\ninputs: *a\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:9: ", "aliases (*a) are not supported");
    n = (size_t)sprintf(yaml, "inputs: ");
    for (int i = 0; i < 20; i++)
        yaml[n++] = '[';
    for (int i = 0; i < 20; i++)
        yaml[n++] = ']';
    yaml[n] = '\0';
    CU_ASSERT_EQUAL(load_str(yaml), SL_ECONFIG);
    ASSERT_ERR("test.yaml:1:", "nested deeper than 16 levels");
    n = (size_t)sprintf(yaml, "sinks: [");
    for (int i = 0; i < 1025; i++)
        n += (size_t)sprintf(yaml + n, "1,");
    sprintf(yaml + n, "1]\n");
    CU_ASSERT_EQUAL(load_str(yaml), SL_ECONFIG);
    ASSERT_ERR("test.yaml:1:", "more than 1024 items in one list");
    CU_ASSERT_EQUAL(load_str("log: {level: info}\n---\nlog: {level: info}\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:1: ", "only one YAML document");
    CU_ASSERT_EQUAL(load_str("? [a]\n: b\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:1:3: ", "expected a key name, got a list");
    free(yaml);
    next_good_loads();
}

static void t_udp_conns_and_duplicates(void)
{
    CU_ASSERT_EQUAL(load_fixture("udp_max_conns.yaml"), SL_ECONFIG);
    ASSERT_ERR(":3:5: key 'inputs[0].max_conns': ", "applies to tcp inputs only");
    CU_ASSERT_EQUAL(load_str("inputs:\n"
                             " - listen: tcp://127.0.0.1:5514\n"
                             " - listen: udp://127.0.0.1:5514\n"
                             " - listen: tcp://127.0.0.1:5514\n"
                             "   name: again\n"
                             " - listen: tcp://127.0.0.1:0\n"
                             "   name: again\n"
                             "sinks:\n"
                             " - {type: ndjson, path: a}\n"
                             " - {type: ndjson, path: b, name: ndjson0}\n"), SL_ECONFIG);
    ASSERT_ERR(":4:12: key 'inputs[2].listen': ", "same address as inputs[0]");
    ASSERT_ERR(":7:10: key 'inputs[3].name': ", "input name 'again' is already used by inputs[2]");
    ASSERT_ERR(":10:34: key 'sinks[1].name': ", "sink name 'ndjson0' is already used by sinks[0]");
    CU_ASSERT_EQUAL(pr.errors.n, 3);
    next_good_loads();
}

static void t_validate(void)
{
    setenv("SLUICE_TEST_PASSWORD", "correct-horse-battery", 1);
    CU_ASSERT_EQUAL(load_str("sinks:\n"
                             "  - type: fake\n"
                             "    url: u\n"
                             "    auth: {password: \"${env:SLUICE_TEST_PASSWORD}\"}\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:2:5: key 'sinks[0]': ", "auth: a password needs a username");
    CU_ASSERT_EQUAL(pr.errors.n, 1);
    CU_ASSERT(no_problem_contains("correct-horse-battery"));
    /* a null section means its defaults; a null scalar is an error */
    CU_ASSERT_EQUAL(load_str("sinks:\n  - type: fake\n    url: u\n    batch:\n    gzip:\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:5:10: key 'sinks[0].gzip': ", "expected true or false");
    CU_ASSERT_EQUAL(pr.errors.n, 1);
    CU_ASSERT_EQUAL(load_str("sinks:\n  - type: fake\n    url: ''\n"), SL_ECONFIG);
    ASSERT_ERR("test.yaml:3:10: key 'sinks[0].url': ", "expected a non-empty string");
    next_good_loads();
}

/* ---- secrets ---- */

static void t_secret_env(void)
{
    struct fake_conf *fc;

    setenv("SLUICE_TEST_PASSWORD", "correct-horse-battery", 1);
    CU_ASSERT_EQUAL(load_str("sinks:\n  - type: fake\n    url: u\n"
                             "    password: ${env:SLUICE_TEST_PASSWORD}\n"), 0);
    fc = sink_conf(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
    TU_ASSERT_STR(fc->password, "correct-horse-battery");
    CU_ASSERT_EQUAL(pr.warnings.n, 0);
    /* only SECRET fields resolve references */
    CU_ASSERT_EQUAL(load_str("sinks:\n  - type: fake\n    url: ${env:SLUICE_TEST_PASSWORD}\n"), 0);
    TU_ASSERT_STR(sink_conf(0) ? sink_conf(0)->url : NULL, "${env:SLUICE_TEST_PASSWORD}");
    reset();
}

static void t_secret_env_missing(void)
{
    unsetenv("SLUICE_TEST_MISSING_VAR");
    setenv("SLUICE_TEST_PASSWORD", "correct-horse-battery", 1);
    CU_ASSERT_EQUAL(load_fixture("secret_env.yaml"), SL_ECONFIG);
    ASSERT_ERR(":7:17: key 'sinks[0].auth.password': ",
               "environment variable SLUICE_TEST_MISSING_VAR is not set");
    CU_ASSERT_EQUAL(pr.errors.n, 1);
    CU_ASSERT(no_problem_contains("correct-horse-battery"));
    setenv("SLUICE_TEST_EMPTY_VAR", "", 1);
    CU_ASSERT_EQUAL(load_str("sinks:\n  - type: fake\n    url: u\n"
                             "    password: ${env:SLUICE_TEST_EMPTY_VAR}\n"), SL_ECONFIG);
    ASSERT_ERR(":4:15: key 'sinks[0].password': ", "SLUICE_TEST_EMPTY_VAR is empty");
    CU_ASSERT_EQUAL(load_str("sinks:\n  - type: fake\n    url: u\n    password: ${env:A-B}\n"
                             "  - type: fake\n    url: u\n    password: ${vault:x}\n"
                             "  - type: fake\n    url: u\n    password: ${env:X\n"), SL_ECONFIG);
    ASSERT_ERR(":4:15: key 'sinks[0].password': ", "bad variable name");
    ASSERT_ERR(":7:15: key 'sinks[1].password': ", "unknown reference; expected ${env:NAME} or ${file:/path}");
    ASSERT_ERR(":10:15: key 'sinks[2].password': ", "unterminated reference");
    next_good_loads();
}

static void t_secret_file(void)
{
    char path[128], yaml[512];
    struct fake_conf *fc;

    snprintf(path, sizeof path, "%s/pw", tmpdir);
    write_file(path, "file-secret-value\n", 0600);
    snprintf(yaml, sizeof yaml, "sinks:\n  - type: fake\n    url: u\n"
             "    auth: {username: me, password: \"${file:%s}\"}\n", path);
    CU_ASSERT_EQUAL(load_str(yaml), 0);
    fc = sink_conf(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
    TU_ASSERT_STR(fc->auth_password, "file-secret-value");
    CU_ASSERT_EQUAL(pr.warnings.n, 0);
    write_file(path, "crlf-secret\r\n", 0400);
    CU_ASSERT_EQUAL(load_str(yaml), 0);
    TU_ASSERT_STR(sink_conf(0) ? sink_conf(0)->auth_password : NULL, "crlf-secret");
    unlink(path);
    reset();
}

static void t_secret_file_mode(void)
{
    char path[128], yaml[512];

    snprintf(path, sizeof path, "%s/pw644", tmpdir);
    write_file(path, "world-readable-secret\n", 0644);
    snprintf(yaml, sizeof yaml, "sinks:\n  - type: fake\n    url: u\n"
             "    password: ${file:%s}\n", path);
    CU_ASSERT_EQUAL(load_str(yaml), 0);
    CU_ASSERT_EQUAL(pr.errors.n, 0);
    CU_ASSERT_EQUAL(pr.warnings.n, 1);
    ASSERT_WARN("test.yaml:4:15: key 'sinks[0].password': ", "is readable by group or others (mode 0644)");
    ASSERT_WARN(":4:15:", path);
    CU_ASSERT(no_problem_contains("world-readable-secret"));
    TU_ASSERT_STR(sink_conf(0) ? sink_conf(0)->password : NULL, "world-readable-secret");
    unlink(path);
    reset();
}

static void t_secret_file_bad(void)
{
    char path[128], yaml[1024];
    char *big;
    int fd;

    snprintf(path, sizeof path, "%s/big-pw", tmpdir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    big = malloc(SL_SECRET_FILE_LIMIT + 1);
    memset(big, 'x', SL_SECRET_FILE_LIMIT + 1);
    CU_ASSERT(write(fd, big, SL_SECRET_FILE_LIMIT + 1) == SL_SECRET_FILE_LIMIT + 1);
    close(fd);
    free(big);
    snprintf(yaml, sizeof yaml, "sinks:\n  - type: fake\n    url: u\n"
             "    password: ${file:%s/absent}\n"
             "  - type: fake\n    url: u\n    password: ${file:%s}\n"
             "  - type: fake\n    url: u\n    password: ${file:relative/pw}\n"
             "  - type: fake\n    url: u\n    password: ${file:%s}\n", tmpdir, path, tmpdir);
    CU_ASSERT_EQUAL(load_str(yaml), SL_ECONFIG);
    ASSERT_ERR(":4:15: key 'sinks[0].password': ", "cannot read secret file");
    ASSERT_ERR(":4:15:", "No such file or directory");
    ASSERT_ERR(":7:15: key 'sinks[1].password': ", "is over 65536 bytes");
    ASSERT_ERR(":10:15: key 'sinks[2].password': ", "expected an absolute path");
    ASSERT_ERR(":13:15: key 'sinks[3].password': ", "is not a regular file");
    CU_ASSERT_EQUAL(pr.errors.n, 4);
    unlink(path);
    snprintf(path, sizeof path, "%s/empty-pw", tmpdir);
    write_file(path, "\n", 0600);
    snprintf(yaml, sizeof yaml, "sinks:\n  - type: fake\n    url: u\n    password: ${file:%s}\n", path);
    CU_ASSERT_EQUAL(load_str(yaml), SL_ECONFIG);
    ASSERT_ERR(":4:15:", "is empty");
    unlink(path);
    next_good_loads();
}

static void t_plain_secret(void)
{
    CU_ASSERT_EQUAL(load_fixture("plain_secret.yaml"), 0);
    CU_ASSERT_EQUAL(pr.errors.n, 0);
    ASSERT_WARN(":4:15: key 'sinks[0].password': ", "plain secret in config; use ${env:} or ${file:}");
    CU_ASSERT(no_problem_contains("hunter2"));
    TU_ASSERT_STR(sink_conf(0) ? sink_conf(0)->password : NULL, "hunter2-plain");
    reset();
}

static void t_secret_never_shown(void)
{
    char path[128], yaml[2048];

    setenv("SLUICE_TEST_PASSWORD", "env-s3cr3t", 1);
    snprintf(path, sizeof path, "%s/pw-shown", tmpdir);
    write_file(path, "file-s3cr3t\n", 0664);
    snprintf(yaml, sizeof yaml,
             "sinks:\n"
             "  - type: fake\n"
             "    url: u\n"
             "    password: ${env:SLUICE_TEST_PASSWORD}\n"
             "    pasword: literal-s3cr3t-1\n"                 /* misspelled key */
             "    auth:\n"
             "      password: ${file:%s}\n"                     /* no username: validate */
             "  - type: fake\n"
             "    url: u\n"
             "    password: [literal-s3cr3t-2]\n"               /* wrong type */
             "  - type: fake\n"
             "    url: u\n"
             "    password: literal-s3cr3t-3\n"                 /* plain: warning */
             "    auth: {password: \"${nope:literal-s3cr3t-4}\"}\n"
             "  - type: kafka\n"
             "    password: literal-s3cr3t-5\n", path);
    CU_ASSERT_EQUAL(load_str(yaml), SL_ECONFIG);
    CU_ASSERT(pr.errors.n >= 3);
    CU_ASSERT(pr.warnings.n >= 2);
    ASSERT_ERR(":5:5: key 'sinks[0].pasword': ", "did you mean 'password'?");
    ASSERT_ERR(":10:15: key 'sinks[1].password': ", "got a list");
    ASSERT_WARN(":13:15: key 'sinks[2].password': ", "plain secret");
    ASSERT_WARN(":7:17: key 'sinks[0].auth.password': ", "readable by group or others");
    CU_ASSERT(no_problem_contains("s3cr3t"));
    unlink(path);
    next_good_loads();
}

/* ---- the key listing ---- */

static void t_print_keys(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(config_print_keys(f), 0);
    fclose(f);
    TU_ASSERT_HAS(text, "inputs[].listen");
    TU_ASSERT_HAS(text, "required");
    TU_ASSERT_HAS(text, "480..16MiB");
    TU_ASSERT_HAS(text, "inputs[].max_conns");
    TU_ASSERT_HAS(text, "1..65536");
    TU_ASSERT_HAS(text, "queue.max_bytes");
    TU_ASSERT_HAS(text, "1MiB..4GiB");
    TU_ASSERT_HAS(text, "(one of error, warn, info, debug)");
    TU_ASSERT_HAS(text, "sinks[].type");
    TU_ASSERT_HAS(text, "(one of fake, ndjson)");
    TU_ASSERT_HAS(text, "sinks[fake].batch.max_wait");
    TU_ASSERT_HAS(text, "1ms..1h");
    TU_ASSERT_HAS(text, "sinks[ndjson].path");
    TU_ASSERT_HAS(text, "enrich.level.detect");
    TU_ASSERT_HAS(text, "(one of message, severity)");
    TU_ASSERT_HAS(text, "enrich.payload.json");
    TU_ASSERT_HAS(text, "enrich.payload.logfmt_prefix");
    TU_ASSERT_HAS(text, "enrich.payload.max_fields");
    free(text);
}

static int suite_init(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sluice-test-config-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_cleanup(void)
{
    reset();
    return rmdir(tmpdir);
}

static CU_TestInfo schema_tests[] = {
    { "sizes take KiB as 1024 and KB as 1000, up to UINT64_MAX", t_sizes },
    { "a size with junk, a fraction or past 64 bits is refused and leaves the value", t_sizes_bad },
    { "durations need a unit except 0, combine, and refuse overflow", t_durations },
    { "bools take true/yes/on and false/no/off; numbers are plain digits", t_bools_and_numbers },
    { "a row setter checks bounds, names them, and keeps the old value", t_set_scalar },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo load_tests[] = {
    { "a full config fills every input and every sink row type", t_full },
    { "the embedded default loads with no problem", t_default },
    { "a misspelled key at 7:5 is named with the closest known key", t_typo },
    { "a list or mapping where a value belongs is a type error at its position", t_wrong_type },
    { "a bad value says the expected form and quotes what was written", t_bad_values },
    { "an out-of-bounds value states the bounds in the row's units", t_bounds },
    { "missing required keys are reported at their mapping", t_missing_required },
    { "a duplicate key points at the first one", t_duplicate },
    { "buffer: defaults, every key, fsync forms, bad values at their position", t_buffer },
    { "admin: loopback without a token, anything else needs one; the token is a reference", t_admin },
    { "a grammars section compiles into a sealed route table", t_grammars },
    { "a grok grammar from a file: its SET constants follow the captures", t_grammars_file },
    { "a bad grammar file names its own line under the config's", t_grammars_file_bad },
    { "the built-in pattern library loads first, patterns: adds and replaces; builtin: names a "
      "program grammar; both can be refused", t_grammars_builtin },
    { "the example configs in docs/examples load", t_example_configs },
    { "timestamp: on a grok definition gives @timestamp; bad rules name their key",
      t_grammars_timestamp },
    { "without grammars there is no route table", t_no_grammars },
    { "bad grammars name file:line:col, the grok error and its offset", t_grammars_bad },
    { "an unknown sink type lists the known types", t_unknown_type },
    { "each bad listen URL says what is wrong; port 0 and IPv6 are fine", t_bad_listen },
    { "bad CIDRs are errors, host bits a warning", t_bad_cidr },
    { "allow lists match IPv4, IPv6 and IPv4-mapped senders by prefix", t_allows },
    { "several errors in one file are all reported in file order", t_many },
    { "a YAML syntax error gives libyaml's line and column", t_syntax },
    { "an empty file is an error; an empty mapping is not", t_empty },
    { "a config over the file limit, missing or a directory is refused", t_file_limits },
    { "aliases, deep nesting, long lists and a second document are refused", t_structure_limits },
    { "max_conns on udp, a reused address and a reused name are errors", t_udp_conns_and_duplicates },
    { "a sink's validate hook and null values are reported", t_validate },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo secret_tests[] = {
    { "a secret from ${env:} is resolved; a STR field keeps the text", t_secret_env },
    { "a missing or empty env var names the key and the variable, not a value", t_secret_env_missing },
    { "a secret from ${file:} drops one trailing newline", t_secret_file },
    { "a secret file readable by others loads with a warning", t_secret_file_mode },
    { "a secret file absent, too big, relative, not regular or empty is an error", t_secret_file_bad },
    { "a plain secret loads with a warning that does not quote it", t_plain_secret },
    { "no problem text ever contains a secret value", t_secret_never_shown },
    CU_TEST_INFO_NULL,
};

static CU_TestInfo keys_tests[] = {
    { "the key listing shows types, defaults, bounds and every sink type", t_print_keys },
    { "enrich.level and enrich.payload: defaults, values, errors at their line", t_enrich },
    CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
    CU_SuiteInfo suites[] = {
        { "schema", NULL, NULL, NULL, NULL, schema_tests },
        { "config load", suite_init, suite_cleanup, NULL, NULL, load_tests },
        { "secrets", suite_init, suite_cleanup, NULL, NULL, secret_tests },
        { "keys", NULL, NULL, NULL, NULL, keys_tests },
        CU_SUITE_INFO_NULL,
    };

    return tu_main(argc, argv, suites);
}
