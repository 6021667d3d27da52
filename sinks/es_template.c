/* sinks/es_template.c: index template and lifecycle policy bodies.
 *
 * Design: the template's mappings are data (sinks/templates/, compiled in),
 * the rest of each body is written here from the sink's settings. Every
 * body carries a digest of itself (xxh3 of the body without the digest):
 * a cluster gives a stored template or policy back with more keys and in
 * its own order, so comparing texts would not work, but the digest comes
 * back as it was sent. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/hash.h"
#include "sinks/es_template.h"

/* Characters an index name (and so a pattern) cannot hold on either product. */
#define INDEX_BAD_CHARS "\\/*?\"<>| ,#:"

int es_template_pattern(const char *index, char *out, size_t outlen, const char **why)
{
    const char *first = strchr(index, '%'), *last = NULL, *suffix;
    size_t pre;

    if (!index[0] || strpbrk(index, INDEX_BAD_CHARS) || strchr(index, '\n')) {
        *why = "the index holds a character index names cannot have";
        return -1;
    }
    if (!first) {
        if (strlen(index) >= outlen) {
            *why = "the index name is too long";
            return -1;
        }
        strcpy(out, index);
        return 0;
    }
    for (const char *p = first; (p = strchr(p, '%')); p += 2) {
        last = p;
        if (!p[1])
            break;
    }
    suffix = last[1] ? last + 2 : last + 1;
    pre = (size_t)(first - index);
    if (pre == 0) {
        *why = "a date pattern with no literal prefix would match every index";
        return -1;
    }
    if (pre + 1 + strlen(suffix) >= outlen) {
        *why = "the index pattern is too long";
        return -1;
    }
    memcpy(out, index, pre);
    out[pre] = '*';
    strcpy(out + pre + 1, suffix);
    return 0;
}

int es_template_is_stream(const char *index, int op_create)
{
    return op_create && !strchr(index, '%');
}

void es_template_duration(char *out, size_t n, uint64_t ms)
{
    static const struct { uint64_t ms; const char *unit; } u[] = {
        { 86400000u, "d" }, { 3600000u, "h" }, { 60000u, "m" }, { 1000u, "s" },
    };

    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (ms && ms % u[i].ms == 0) {
            snprintf(out, n, "%" PRIu64 "%s", ms / u[i].ms, u[i].unit);
            return;
        }
    snprintf(out, n, "%" PRIu64 "ms", ms);
}

void es_template_size(char *out, size_t n, uint64_t bytes)
{
    static const struct { uint64_t b; const char *unit; } u[] = {
        { 1ull << 40, "tb" }, { 1ull << 30, "gb" }, { 1ull << 20, "mb" }, { 1ull << 10, "kb" },
    };

    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (bytes && bytes % u[i].b == 0) {
            snprintf(out, n, "%" PRIu64 "%s", bytes / u[i].b, u[i].unit);
            return;
        }
    snprintf(out, n, "%" PRIu64 "b", bytes);
}

static void hex_digest(const struct sl_buf *b, char digest[ES_DIGEST_HEX + 1])
{
    snprintf(digest, ES_DIGEST_HEX + 1, "%016" PRIx64, sl_hash64(b->data, b->len, 0));
}

/* Closes an object rendered without its last '}' with a _meta that names
 * sluice and the digest of everything before it. */
static int close_with_meta(struct sl_buf *out, char digest[ES_DIGEST_HEX + 1])
{
    hex_digest(out, digest);
    return sl_buf_printf(out, ",\"_meta\":{\"managed_by\":\"sluice\",\"sluice_digest\":\"%s\"}}",
                         digest);
}

int es_template_render(struct sl_buf *out, const struct es_template_opts *o,
                       char digest[ES_DIGEST_HEX + 1])
{
    int rc = 0;

    sl_buf_reset(out);
    rc |= sl_buf_printf(out, "{\"index_patterns\":[\"%s\"],\"priority\":%u,", o->pattern,
                        o->priority);
    if (o->data_stream)
        rc |= sl_buf_puts(out, "\"data_stream\":{},");
    rc |= sl_buf_puts(out, "\"template\":{");
    if (o->ilm_policy)
        rc |= sl_buf_printf(out, "\"settings\":{\"index.lifecycle.name\":\"%s\"},",
                            o->ilm_policy);
    rc |= sl_buf_puts(out, "\"mappings\":");
    rc |= sl_buf_append(out, o->mappings, o->mappings_len);
    /* The file's own trailing newline is no part of the object. */
    while (out->len && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == ' '))
        out->data[--out->len] = '\0';
    rc |= sl_buf_putc(out, '}');
    if (rc)
        return SL_ETOOBIG;
    return close_with_meta(out, digest) ? SL_ETOOBIG : 0;
}

static int rollover_conditions(struct sl_buf *out, const struct es_policy_opts *o,
                               const char *age_key, const char *size_key)
{
    char v[32];
    int rc = 0, n = 0;

    if (o->rollover_age_ms) {
        es_template_duration(v, sizeof v, o->rollover_age_ms);
        rc |= sl_buf_printf(out, "\"%s\":\"%s\"", age_key, v);
        n++;
    }
    if (o->rollover_size) {
        es_template_size(v, sizeof v, o->rollover_size);
        rc |= sl_buf_printf(out, "%s\"%s\":\"%s\"", n ? "," : "", size_key, v);
    }
    return rc;
}

int es_policy_render_ilm(struct sl_buf *out, const struct es_policy_opts *o,
                         char digest[ES_DIGEST_HEX + 1])
{
    char v[32];
    int rc = 0;

    sl_buf_reset(out);
    rc |= sl_buf_puts(out, "{\"policy\":{\"phases\":{\"hot\":{\"min_age\":\"0ms\",\"actions\":{");
    if (o->rollover) {
        rc |= sl_buf_puts(out, "\"rollover\":{");
        rc |= rollover_conditions(out, o, "max_age",
                                  o->legacy_size ? "max_size" : "max_primary_shard_size");
        rc |= sl_buf_puts(out, "}");
    }
    rc |= sl_buf_puts(out, "}}");
    if (o->delete_after_ms) {
        es_template_duration(v, sizeof v, o->delete_after_ms);
        rc |= sl_buf_printf(out, ",\"delete\":{\"min_age\":\"%s\",\"actions\":{\"delete\":{}}}", v);
    }
    rc |= sl_buf_puts(out, "}");
    if (rc)
        return SL_ETOOBIG;
    if (o->meta) {
        if (close_with_meta(out, digest))
            return SL_ETOOBIG;
    } else {
        hex_digest(out, digest);
        if (sl_buf_putc(out, '}'))
            return SL_ETOOBIG;
    }
    return sl_buf_putc(out, '}') ? SL_ETOOBIG : 0;
}

int es_policy_render_ism(struct sl_buf *out, const struct es_policy_opts *o,
                         char digest[ES_DIGEST_HEX + 1])
{
    struct sl_buf body;
    char v[32];
    int rc = 0;

    /* The states first, digested; then the description that quotes it. */
    sl_buf_init(&body, 512, out->max);
    rc |= sl_buf_puts(&body, "\"default_state\":\"hot\",\"states\":[{\"name\":\"hot\",\"actions\":[");
    if (o->rollover) {
        rc |= sl_buf_puts(&body, "{\"rollover\":{");
        rc |= rollover_conditions(&body, o, "min_index_age",
                                  o->legacy_size ? "min_size" : "min_primary_shard_size");
        rc |= sl_buf_puts(&body, "}}");
    }
    rc |= sl_buf_puts(&body, "],\"transitions\":[");
    if (o->delete_after_ms) {
        es_template_duration(v, sizeof v, o->delete_after_ms);
        rc |= sl_buf_printf(&body, "{\"state_name\":\"delete\",\"conditions\":{\"min_index_age\":"
                            "\"%s\"}}]},{\"name\":\"delete\",\"actions\":[{\"delete\":{}}],"
                            "\"transitions\":[]}]", v);
    } else {
        rc |= sl_buf_puts(&body, "]}]");
    }
    rc |= sl_buf_printf(&body, ",\"ism_template\":[{\"index_patterns\":[\"%s\"],\"priority\":%u}]",
                        o->pattern, o->priority);
    if (!rc)
        hex_digest(&body, digest);
    sl_buf_reset(out);
    if (!rc)
        rc |= sl_buf_printf(out, "{\"policy\":{\"description\":\"managed by sluice, "
                            "sluice_digest %s\",%s}}", digest, body.data);
    sl_buf_free(&body);
    return rc ? SL_ETOOBIG : 0;
}
