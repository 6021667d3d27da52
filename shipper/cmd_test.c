/* shipper/cmd_test.c: `sluice test`: run lines through a config's parse and
 * grammars, without inputs or sinks, and print the documents the daemon
 * would index (pipeline_parse, then evt_json: the daemon's own sequence).
 *
 * Receive time is now (or --now), and the sender is unknown, so a document
 * differs from the daemon's in event.ingested, in the @timestamp of a line
 * without a usable timestamp (receive time), in the year of a year-less BSD
 * stamp (inferred from the receive time), and has no log.source / transport
 * fields. Without --now, --expect therefore ignores event.ingested always,
 * and @timestamp when the line had no usable timestamp; with --now every
 * document is a function of its line, so every key is compared.
 *
 * Enrichment (shipper/enrich.h) runs as in the daemon, without reverse DNS:
 * --source gives the sender, --input the input; observer.* found on the
 * machine is never compared (it is not a function of the line). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfastjson/json.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/mem.h"
#include "parser/builtin.h"
#include "parser/evt.h"
#include "parser/route.h"
#include "shipper/cli.h"
#include "shipper/enrich.h"
#include "shipper/pipeline.h"

#define MISS_KEEP   5           /* missed lines shown per route */
#define MISS_SHOW   200         /* bytes of a missed line shown */

static void usage_test(FILE *f)
{
    fprintf(f,
        "usage: sluice test {-c FILE | -g GRAMMAR [-g GRAMMAR...] [-P PATTERNS...]}\n"
        "                   [--format json|table] [--expect GOLDEN.ndjson] [--explain]\n"
        "                   [--program NAME] [--raw] [--now TIME] [--fail-on-miss] [FILE...]\n"
        "Runs each line of the FILEs (stdin without any) through the config's syslog parse\n"
        "and grammars, as the daemon would, and prints one document per line on stdout.\n"
        "With -g instead of -c, every line is tried against the grammars given, in that\n"
        "order (the first that matches wins), whatever its program, with the daemon's\n"
        "defaults for the rest. A line starting with '<' is a syslog line; any other line\n"
        "(every line with --raw) is a bare message from the program given by --program\n"
        "(with -g, --program may be left out). Lines longer than the config's largest\n"
        "max_msg are cut and tagged _sluice_truncated, like the daemon.\n"
        "The receive time is now (or --now); a line without a timestamp gets it as\n"
        "@timestamp, and the year of a BSD timestamp without one is inferred from it.\n"
        "A summary (lines, matches per grammar, misses per route) goes to stderr.\n"
        "\n"
        "  -c, --config FILE      the config (its grammars and routes)\n"
        "  -g, --grammar GRAMMAR  a grammar file: grok (EXPR lines, grammars/README.md), or a\n"
        "                         liblognorm v2 rulebase (.rulebase or .rb, or a file whose\n"
        "                         first rule line starts with rule= or version=2); or the\n"
        "                         name of a built-in grammar (sshd, postfix, ...). Repeat\n"
        "                         for several, tried in order; without -c\n"
        "  -P, --patterns PATH    a grok pattern file or directory for -g grammars, after the\n"
        "                         built-in library (like the config's grammars.patterns)\n"
        "  -f, --format FMT       json (default): one document per line;\n"
        "                         table: KEY<TAB>VALUE with dotted keys, a blank line after each\n"
        "  -e, --expect FILE      compare each document with the same line of FILE (NDJSON);\n"
        "                         without --now, event.ingested is ignored, and @timestamp\n"
        "                         when the line had no usable timestamp; with --now every\n"
        "                         key is compared; differences go to stderr. observer.*\n"
        "                         found on this machine (not set in enrich.observer) is\n"
        "                         never compared\n"
        "  -x, --explain          say on stderr which route, grammar and grok expression took\n"
        "                         each line; for a miss, how far each grammar got (grok: the expression\n"
        "                         that got furthest and the piece that stopped it; lognorm:\n"
        "                         the bytes the rulebase took and the unparsed rest)\n"
        "  -p, --program NAME     the program of bare messages\n"
        "  -r, --raw              every line is a bare message (needs --program)\n"
        "  -n, --now TIME         the receive time of every line, instead of the clock:\n"
        "                         RFC 3339 with a zone (2027-01-05T10:00:00Z, ...+01:00) or\n"
        "                         epoch seconds (1799143200); pins event.ingested, the\n"
        "                         @timestamp of lines without one, and year inference, so\n"
        "                         golden files do not change with the date\n"
        "      --fail-on-miss     exit 1 when a routed line matched no grammar (or hit a limit)\n"
        "      --source IP        the sender's address: source.ip, and what enrich.hosts and\n"
        "                         enrich.time.zones match on (default: none)\n"
        "      --input NAME       the input the lines come from: its fields, tags and\n"
        "                         timezone (default: the first input)\n"
        "\n"
        "exit status: 0 every line processed (and, with --expect, as expected);\n"
        "             1 a document differed from --expect, or --fail-on-miss and a line missed;\n"
        "             2 usage error, config error, or a file that cannot be read\n");
}

/* One leaf of a flattened document: dotted key, value as JSON text. */
struct kv {
    char *key;
    char *val;
    int   is_str;
};

struct kvs {
    struct kv *v;
    size_t n, cap;
};

static void kvs_clear(struct kvs *l)
{
    for (size_t i = 0; i < l->n; i++) {
        sl_free(l->v[i].key);
        sl_free(l->v[i].val);
    }
    l->n = 0;
}

static void kvs_free(struct kvs *l)
{
    kvs_clear(l);
    sl_free(l->v);
    l->v = NULL;
    l->cap = 0;
}

static void kvs_add(struct kvs *l, const char *key, struct fjson_object *o)
{
    struct kv *kv;

    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = sl_realloc(l->v, l->cap * sizeof *l->v);
    }
    kv = &l->v[l->n++];
    kv->key = sl_strdup(key);
    kv->is_str = fjson_object_get_type(o) == fjson_type_string;
    kv->val = sl_strdup(o ? fjson_object_to_json_string_ext(o, FJSON_TO_STRING_PLAIN) : "null");
}

/* Objects are walked into dotted keys; arrays and scalars are leaves. */
static void flatten(struct kvs *l, struct sl_buf *key, struct fjson_object *o)
{
    struct fjson_object_iterator it, end;
    size_t mark = key->len;

    if (fjson_object_get_type(o) != fjson_type_object || (mark && fjson_object_object_length(o) == 0)) {
        kvs_add(l, key->data ? key->data : "", o);
        return;
    }
    it = fjson_object_iter_begin(o);
    end = fjson_object_iter_end(o);
    for (; !fjson_object_iter_equal(&it, &end); fjson_object_iter_next(&it)) {
        if (mark)
            sl_buf_putc(key, '.');
        sl_buf_puts(key, fjson_object_iter_peek_name(&it));
        flatten(l, key, fjson_object_iter_peek_value(&it));
        key->len = mark;
        key->data[mark] = '\0';
    }
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

/* Parses one JSON document into sorted leaves. SL_EINVAL if it is not an object. */
static int doc_flatten(struct kvs *l, const char *doc)
{
    struct fjson_object *o = fjson_tokener_parse(doc);
    struct sl_buf key;

    kvs_clear(l);
    if (!o || fjson_object_get_type(o) != fjson_type_object) {
        fjson_object_put(o);
        return SL_EINVAL;
    }
    sl_buf_init(&key, 256, strlen(doc) + 1);     /* a key is shorter than its document */
    flatten(l, &key, o);
    sl_buf_free(&key);
    fjson_object_put(o);
    qsort(l->v, l->n, sizeof *l->v, kv_cmp);
    return 0;
}

/* no_ts: the line had no usable timestamp; pinned: --now fixed the receive
 * time; obs: observer.* came from this machine (gethostname, getifaddrs). */
static int volatile_key(const char *key, int no_ts, int pinned, int obs)
{
    if (obs && (!strcmp(key, "observer.hostname") || !strncmp(key, "observer.ip", 11)))
        return 1;
    if (pinned)
        return 0;
    return strcmp(key, "event.ingested") == 0 || (no_ts && strcmp(key, "@timestamp") == 0);
}

/* Prints every difference; returns how many. */
static size_t doc_diff(const struct kvs *want, const struct kvs *got, size_t line, int no_ts,
                       int pinned, int obs)
{
    size_t i = 0, j = 0, n = 0;

    while (i < want->n || j < got->n) {
        const struct kv *w = i < want->n ? &want->v[i] : NULL;
        const struct kv *g = j < got->n ? &got->v[j] : NULL;
        int c = !w ? 1 : !g ? -1 : strcmp(w->key, g->key);
        const char *key = c <= 0 ? w->key : g->key;

        if (!volatile_key(key, no_ts, pinned, obs) && (c != 0 || strcmp(w->val, g->val) != 0)) {
            fprintf(stderr, "sluice test: line %zu: %s: expected %s, got %s\n", line, key,
                    c <= 0 ? w->val : "(absent)", c >= 0 ? g->val : "(absent)");
            n++;
        }
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    return n;
}

static void print_table(const struct kvs *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *v = l->v[i].val;
        if (l->v[i].is_str) {
            /* The string itself; JSON escapes kept only for what would break the line. */
            struct fjson_object *o = fjson_tokener_parse(v);
            const char *s = o ? fjson_object_get_string(o) : NULL;
            int plain = s && !strpbrk(s, "\t\n\r");
            printf("%s\t%s\n", l->v[i].key, plain ? s : v);
            fjson_object_put(o);
        } else {
            printf("%s\t%s\n", l->v[i].key, v);
        }
    }
    printf("\n");
}

/* getline's buffer per stream (the lines and the golden file): glibc finds
 * the newline with memchr in its own buffer, several times cheaper than a
 * getc per byte. Freed at exit with read_lines_free. */
static struct {
    FILE *f;
    char *p;
    size_t cap;
} lr[2];

static void read_lines_free(void)
{
    for (size_t i = 0; i < 2; i++) {
        free(lr[i].p);
        lr[i].f = NULL;
        lr[i].p = NULL;
        lr[i].cap = 0;
    }
}

/* Reads one line without its '\n' into buf (cap bytes); a longer line is cut
 * there (the rest skipped) and *cut set. 0, or EOF when nothing was left. */
static int read_line(FILE *f, char *buf, size_t cap, size_t *len, int *cut)
{
    size_t k = lr[0].f == f || !lr[0].f ? 0 : 1;
    ssize_t n;

    if (lr[k].f != f) {
        free(lr[k].p);
        lr[k].p = NULL;
        lr[k].cap = 0;
        lr[k].f = f;
    }
    n = getline(&lr[k].p, &lr[k].cap, f);
    if (n < 0)
        return EOF;
    if (n && lr[k].p[n - 1] == '\n')
        n--;
    *cut = (size_t)n > cap;
    *len = *cut ? cap : (size_t)n;
    memcpy(buf, lr[k].p, *len);
    return 0;
}

struct miss {
    size_t n;
    size_t line[MISS_KEEP];
    char  *text[MISS_KEEP];
};

struct tst {
    const struct sl_config *cfg;
    const struct route_table *routes;
    struct route_scratch *rs;
    struct pipeline_enrich en;          /* the config's level and payload steps */
    struct syslog_opts so;
    struct enrich *host;            /* host and time enrichment; no reverse DNS */
    size_t input;                   /* --input; (size_t)-1: none */
    const char *source;             /* --source: the sender's address */
    struct sl_cidr src_addr;
    struct evt *evt;
    size_t max_msg;
    int64_t now_ns;                 /* --now; 0: the clock */
    const char *program;
    int any_program;                    /* -g: a bare line needs no --program */
    int raw, table, explain;
    FILE *golden;
    const char *golden_path;
    char *gbuf;
    size_t gcap;
    struct sl_buf doc, wrap;
    struct kvs want, got;
    size_t lines, nomatch, limits, unrouted, truncated, mismatched;
    struct miss *misses;            /* one per route */
    size_t nroutes;
};

static void note_miss(struct tst *t, const struct route_result *res, const char *line, size_t len)
{
    for (size_t i = 0; i < t->nroutes; i++) {
        struct route_stats rst;
        struct miss *m = &t->misses[i];
        route_stats_get(t->routes, i, &rst);
        if (!res->route || strcmp(rst.name, res->route) != 0)
            continue;
        if (m->n < MISS_KEEP) {
            m->line[m->n] = t->lines;
            m->text[m->n] = sl_strndup(line, len < MISS_SHOW ? len : MISS_SHOW);
        }
        m->n++;
        return;
    }
}

static void explain(const struct tst *t, const struct route_result *res, const char *prog,
                    size_t prog_len)
{
    size_t line = t->lines, msg_len = 0;
    const char *msg = evt_message(t->evt, &msg_len);

    switch (res->status) {
    case ROUTE_NONE:
        if (!t->routes)
            fprintf(stderr, "line %zu: no grammars in the config\n", line);
        else
            fprintf(stderr, "line %zu: no route for program '%.*s': left as parsed\n", line,
                    (int)(prog ? prog_len : 1), prog ? prog : "-");
        return;
    case ROUTE_MATCH: {
        char which[512] = "";
        for (size_t i = 0; i < t->nroutes && !which[0]; i++) {
            struct route_stats rst;
            route_stats_get(t->routes, i, &rst);
            if (strcmp(rst.name, res->route) != 0)
                continue;
            for (size_t g = 0; g < rst.ngrammars; g++)
                if (!strcmp(grammar_name(rst.grammars[g]), res->grammar)) {
                    grammar_which(rst.grammars[g], msg ? msg : "", msg_len, which, sizeof which);
                    break;
                }
        }
        fprintf(stderr, "line %zu: route %s: grammar %s matched%s%s\n", line, res->route,
                res->grammar, which[0] ? ", " : "", which);
        return;
    }
    case ROUTE_LIMIT:
        fprintf(stderr, "line %zu: route %s: grammar %s hit a limit (tagged %s)\n", line,
                res->route, res->grammar, res->tag);
        return;
    case ROUTE_NOMATCH:
        break;
    }
    for (size_t i = 0; i < t->nroutes; i++) {
        struct route_stats rst;
        route_stats_get(t->routes, i, &rst);
        if (strcmp(rst.name, res->route) != 0)
            continue;
        fprintf(stderr, "line %zu: route %s: no grammar matched (tagged %s); tried:", line,
                res->route, res->tag);
        for (size_t g = 0; g < rst.ngrammars; g++)
            fprintf(stderr, " %s [%s]", grammar_name(rst.grammars[g]), grammar_kind(rst.grammars[g]));
        fprintf(stderr, "\n");
        for (size_t g = 0; g < rst.ngrammars; g++) {
            char why[512];
            if (grammar_explain(rst.grammars[g], msg ? msg : "", msg_len, why, sizeof why))
                fprintf(stderr, "line %zu: grammar %s: %s\n", line,
                        grammar_name(rst.grammars[g]), why);
        }
        break;
    }
}

/* The golden document for this line; 0, or a mismatch already reported. */
static int expect(struct tst *t)
{
    size_t len;
    /* the receive time stands in for a missing header time, unless the
     * program's own time (a grammar's TIMESTAMP) replaced it */
    int cut, no_ts = (evt_tags(t->evt) & (EVT_T_NO_TIMESTAMP | EVT_T_BAD_TIMESTAMP)) != 0 &&
                     !evt_time_from_grammar(t->evt);

    if (read_line(t->golden, t->gbuf, t->gcap, &len, &cut) == EOF) {
        fprintf(stderr, "sluice test: line %zu: %s has no document for this line\n", t->lines,
                t->golden_path);
        return 1;
    }
    t->gbuf[len] = '\0';
    if (cut || doc_flatten(&t->want, t->gbuf)) {
        fprintf(stderr, "sluice test: %s:%zu: not a JSON object%s\n", t->golden_path, t->lines,
                cut ? " (line too long)" : "");
        return 1;
    }
    return doc_diff(&t->want, &t->got, t->lines, no_ts, t->now_ns != 0,
                    enrich_observer_detected(t->host)) ? 1 : 0;
}

/* ---- -g: a config made of grammar files ---- */

#define TST_GRAMMARS_MAX 64u

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A liblognorm rulebase by its name, else by its first line that is not
 * blank or a comment (a grok file's are NAME regex or EXPR lines). */
static int is_rulebase(const char *path)
{
    char line[256];
    FILE *f;
    int yes = 0;

    if (ends_with(path, ".rulebase") || ends_with(path, ".rb"))
        return 1;
    f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        const char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
            continue;
        yes = !strncmp(p, "rule=", 5) || !strncmp(p, "version=", 8);
        break;
    }
    fclose(f);
    return yes;
}

/* The grammar's name in the summary and in _sluice_nomatch_ tags: the file
 * name without its extension, made unique. */
static void unique_name(char *out, size_t cap, const char *arg, char (*seen)[64], size_t nseen)
{
    const char *b = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
    size_t n = strcspn(b, "."), k = 0;
    char base[48];

    if (!n)
        n = strlen(b);
    for (size_t i = 0; i < n && k + 1 < sizeof base; i++) {
        unsigned char c = (unsigned char)b[i];
        base[k++] = (char)(isalnum(c) || c == '_' || c == '-' ? c : '_');
    }
    base[k] = '\0';
    if (!k)
        snprintf(base, sizeof base, "grammar");
    snprintf(out, cap, "%s", base);
    for (unsigned dup = 2;; dup++) {
        size_t i = 0;
        while (i < nseen && strcmp(seen[i], out))
            i++;
        if (i == nseen)
            return;
        snprintf(out, cap, "%s-%u", base, dup);
    }
}

/* The YAML of a config whose one route, "*", tries the -g grammars in
 * order: the daemon's defaults otherwise. The input is never opened (as in
 * bench/configs/norm.yaml): it gives `sluice test` the daemon's max_msg. */
static int grammar_config(struct sl_buf *y, const char *const *gram, size_t ng,
                          const char *const *pats, size_t np)
{
    char seen[TST_GRAMMARS_MAX][64];
    char known[512];

    sl_buf_puts(y, "inputs:\n  - listen: udp://127.0.0.1:5514\ngrammars:\n");
    if (np) {
        sl_buf_puts(y, "  patterns:\n");
        for (size_t i = 0; i < np; i++) {
            char *abs = realpath(pats[i], NULL);
            int bad;
            if (!abs) {
                fprintf(stderr, "sluice test: -P %s: %s\n", pats[i], strerror(errno));
                return -1;
            }
            sl_buf_puts(y, "    - ");
            bad = cli_yaml_quoted(y, abs);
            free(abs);
            if (bad) {
                fprintf(stderr, "sluice test: -P %s: a control byte in the path\n", pats[i]);
                return -1;
            }
            sl_buf_putc(y, '\n');
        }
    }
    sl_buf_puts(y, "  definitions:\n");
    for (size_t i = 0; i < ng; i++) {
        struct stat st;
        char *abs;
        int bad;

        unique_name(seen[i], sizeof seen[i], gram[i], seen, i);
        sl_buf_puts(y, "    - name: ");
        cli_yaml_quoted(y, seen[i]);
        if (stat(gram[i], &st) != 0 && !strchr(gram[i], '/') && builtin_grammar(gram[i])) {
            sl_buf_puts(y, "\n      type: grok\n      builtin: ");
            cli_yaml_quoted(y, gram[i]);
            sl_buf_putc(y, '\n');
            continue;
        }
        abs = realpath(gram[i], NULL);
        if (!abs || stat(abs, &st) != 0 || !S_ISREG(st.st_mode)) {
            int e = abs ? EISDIR : errno;
            free(abs);
            builtin_grammar_names(known, sizeof known);
            fprintf(stderr, "sluice test: -g %s: %s%s%s\n", gram[i], strerror(e),
                    strchr(gram[i], '/') ? "" : "; nor a built-in grammar: ",
                    strchr(gram[i], '/') ? "" : known);
            return -1;
        }
        if (is_rulebase(abs))
            sl_buf_puts(y, "\n      type: lognorm\n      rulebase: ");
        else
            sl_buf_puts(y, "\n      type: grok\n      file: ");
        bad = cli_yaml_quoted(y, abs);
        free(abs);
        if (bad) {
            fprintf(stderr, "sluice test: -g %s: a control byte in the path\n", gram[i]);
            return -1;
        }
        sl_buf_putc(y, '\n');
    }
    sl_buf_puts(y, "  routes:\n    \"*\": [");
    for (size_t i = 0; i < ng; i++) {
        if (i)
            sl_buf_puts(y, ", ");
        cli_yaml_quoted(y, seen[i]);
    }
    sl_buf_puts(y, "]\n");
    return 0;
}

/* One input line: 0, 1 when --expect found a difference, 2 on a usage error. */
static int one_line(struct tst *t, const char *line, size_t len, int cut)
{
    struct evt_meta m = { 0 };
    struct route_result res;
    const char *prog;
    size_t prog_len = 0;
    int rc = 0;

    t->lines++;
    if (t->raw || len == 0 || line[0] != '<') {
        if (!t->program && !t->any_program) {
            fprintf(stderr, "sluice test: line %zu is not a syslog line (no '<PRI>'): "
                    "give --program NAME to read bare messages\n", t->lines);
            return 2;
        }
        /* RFC 5424 with nil timestamp and host: the receive time, like a sender that
         * has none; with -g and no --program, nil APP-NAME too (the "*" route). */
        sl_buf_reset(&t->wrap);
        sl_buf_printf(&t->wrap, "<13>1 - - %s - - - ", t->program ? t->program : "-");
        sl_buf_append(&t->wrap, line, len);
        line = t->wrap.data;
        len = t->wrap.len;
        if (len > t->max_msg) {
            len = t->max_msg;
            cut = 1;
        }
    }
    m.flags = cut ? EVT_F_TRUNCATED : 0;
    m.recv_ns = t->now_ns;
    if (cut)
        t->truncated++;
    m.src_ip = t->source;
    {
        const struct sl_cidr *addr = t->source ? &t->src_addr : NULL;
        struct syslog_opts so;

        enrich_syslog_opts(t->host, t->input, addr, &t->so, &so);
        pipeline_parse(t->evt, line, len, &m, &so, t->routes, t->rs, &t->en, &res);
        enrich_apply(t->host, t->evt, t->input, addr);
    }
    switch (res.status) {
    case ROUTE_NOMATCH: t->nomatch++; note_miss(t, &res, line, len); break;
    case ROUTE_LIMIT: t->limits++; note_miss(t, &res, line, len); break;
    case ROUTE_NONE: t->unrouted += t->routes != NULL; break;
    case ROUTE_MATCH: break;
    }
    if (t->explain) {
        prog = evt_appname(t->evt, &prog_len);
        explain(t, &res, prog, prog_len);
    }
    sl_buf_reset(&t->doc);
    if (evt_json(t->evt, &t->doc)) {
        fprintf(stderr, "sluice test: line %zu: document over its ceiling\n", t->lines);
        return 1;
    }
    if (t->table || t->golden) {
        if (doc_flatten(&t->got, t->doc.data)) {
            fprintf(stderr, "sluice test: line %zu: the document is not valid JSON\n", t->lines);
            return 1;
        }
    }
    if (t->table)
        print_table(&t->got);
    else {
        /* The length is known: no strlen, no lock per call (one thread). */
        fwrite_unlocked(t->doc.data, 1, t->doc.len, stdout);
        putc_unlocked('\n', stdout);
    }
    if (t->golden)
        rc = expect(t);
    if (rc)
        t->mismatched++;
    return rc;
}

/* stdio's 4 KiB buffers cost a read or a write system call every few
 * lines: a million lines made 225 000 of them, some 5 % of the run. A
 * terminal keeps its line buffering (documents show as they are made).
 * glibc takes the size only with the buffer, hence the arrays; files are
 * read one after the other, each closed before the next takes the buffer,
 * and stdin, never closed, has its own. */
#define TST_STDIO_BUF (256u * 1024u)
static char tst_obuf[TST_STDIO_BUF], tst_ibuf[TST_STDIO_BUF], tst_sbuf[TST_STDIO_BUF];

static void big_buffer(FILE *f, int for_output)
{
    static int stdin_done;

    if (for_output) {
        if (!isatty(fileno(f)))
            setvbuf(f, tst_obuf, _IOFBF, sizeof tst_obuf);
        return;
    }
    if (f == stdin) {
        if (stdin_done++)
            return;                 /* `-` twice: stdin has been read already */
        setvbuf(f, tst_sbuf, _IOFBF, sizeof tst_sbuf);
        return;
    }
    setvbuf(f, tst_ibuf, _IOFBF, sizeof tst_ibuf);
}

static int run_file(struct tst *t, FILE *f, char *buf)
{
    size_t len;
    int cut, rc;

    big_buffer(f, 0);
    while (read_line(f, buf, t->max_msg, &len, &cut) == 0) {
        rc = one_line(t, buf, len, cut);
        if (rc == 2)
            return rc;
    }
    return 0;
}

static void summary(const struct tst *t)
{
    fprintf(stderr, "sluice test: %zu line%s", t->lines, t->lines == 1 ? "" : "s");
    if (t->routes)
        fprintf(stderr, ", %zu missed, %zu limit hit%s, %zu unrouted", t->nomatch, t->limits,
                t->limits == 1 ? "" : "s", t->unrouted);
    if (t->truncated)
        fprintf(stderr, ", %zu truncated", t->truncated);
    if (t->golden)
        fprintf(stderr, ", %zu differ%s from expected", t->mismatched, t->mismatched == 1 ? "s" : "");
    fprintf(stderr, "\n");
    if (!t->routes)
        return;
    for (size_t i = 0; i < route_table_ngrammars(t->routes); i++) {
        const struct grammar *g = route_table_grammar(t->routes, i);
        struct grammar_stats gs;
        grammar_stats_get(g, &gs);
        fprintf(stderr, "  grammar %s [%s]: matched=%llu missed=%llu limits=%llu errors=%llu\n",
                grammar_name(g), grammar_kind(g), (unsigned long long)gs.matches,
                (unsigned long long)gs.misses, (unsigned long long)gs.limits,
                (unsigned long long)gs.errors);
    }
    for (size_t i = 0; i < t->nroutes; i++) {
        struct route_stats rst;
        const struct miss *m = &t->misses[i];
        route_stats_get(t->routes, i, &rst);
        fprintf(stderr, "  route %s: matched=%llu missed=%llu limits=%llu\n", rst.name,
                (unsigned long long)rst.matches, (unsigned long long)rst.nomatch,
                (unsigned long long)rst.limits);
        for (size_t k = 0; k < m->n && k < MISS_KEEP; k++)
            fprintf(stderr, "    line %zu: %s\n", m->line[k], m->text[k]);
        if (m->n > MISS_KEEP)
            fprintf(stderr, "    ... and %zu more\n", m->n - MISS_KEEP);
    }
}

int cmd_test(int argc, char **argv)
{
    enum { OPT_FAIL_ON_MISS = 256, OPT_SOURCE, OPT_INPUT };
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "grammar", required_argument, NULL, 'g' },
        { "patterns", required_argument, NULL, 'P' },
        { "format", required_argument, NULL, 'f' },
        { "expect", required_argument, NULL, 'e' },
        { "explain", no_argument, NULL, 'x' },
        { "program", required_argument, NULL, 'p' },
        { "raw", no_argument, NULL, 'r' },
        { "now", required_argument, NULL, 'n' },
        { "fail-on-miss", no_argument, NULL, OPT_FAIL_ON_MISS },
        { "source", required_argument, NULL, OPT_SOURCE },
        { "input", required_argument, NULL, OPT_INPUT },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *path = NULL, *format = "json", *now = NULL, *input = NULL;
    const char *gram[TST_GRAMMARS_MAX], *pats[TST_GRAMMARS_MAX];
    size_t ng = 0, np = 0;
    struct sl_config *cfg = NULL;
    struct cfg_problems pr = { 0 };
    struct tst t = { 0 };
    char *buf = NULL;
    int c, fail_on_miss = 0, rc = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:g:P:f:e:xp:rn:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': path = optarg; break;
        case 'g':
        case 'P':
            if ((c == 'g' ? ng : np) == TST_GRAMMARS_MAX) {
                fprintf(stderr, "sluice test: at most %u -%c options\n", TST_GRAMMARS_MAX, c);
                return 2;
            }
            if (c == 'g')
                gram[ng++] = optarg;
            else
                pats[np++] = optarg;
            break;
        case 'f': format = optarg; break;
        case 'e': t.golden_path = optarg; break;
        case 'x': t.explain = 1; break;
        case 'p': t.program = optarg; break;
        case 'r': t.raw = 1; break;
        case 'n': now = optarg; break;
        case OPT_FAIL_ON_MISS: fail_on_miss = 1; break;
        case OPT_SOURCE: t.source = optarg; break;
        case OPT_INPUT: input = optarg; break;
        case 'h': usage_test(stdout); return 0;
        default: usage_test(stderr); return 2;
        }
    }
    if (!path == !ng) {
        fprintf(stderr, path ? "sluice test: -c and -g exclude each other: the config names "
                               "its grammars\n"
                             : "sluice test: -c CONFIG or -g GRAMMAR is required\n");
        usage_test(stderr);
        return 2;
    }
    if (np && !ng) {
        fprintf(stderr, "sluice test: -P is for -g grammars (a config has grammars.patterns)\n");
        return 2;
    }
    if (strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
        fprintf(stderr, "sluice test: --format is json or table, not '%s'\n", format);
        return 2;
    }
    t.table = strcmp(format, "table") == 0;
    /* A receive time of 0 means "the clock" to the parser: the epoch itself
     * and earlier are refused rather than misread. */
    if (now && (sl_time_parse(now, &t.now_ns) || t.now_ns <= 0)) {
        fprintf(stderr, "sluice test: --now takes RFC 3339 with a zone (2027-01-05T10:00:00Z) "
                "or epoch seconds, after 1970-01-01T00:00:00Z; not '%s'\n", now);
        return 2;
    }
    if (t.source && sl_cidr_addr(t.source, &t.src_addr)) {
        fprintf(stderr, "sluice test: --source takes an IP address, not '%s'\n", t.source);
        return 2;
    }
    if (t.raw && !t.program && !ng) {
        fprintf(stderr, "sluice test: --raw needs --program NAME\n");
        return 2;
    }
    if (t.program && (!*t.program || strpbrk(t.program, " \t\n"))) {
        fprintf(stderr, "sluice test: --program is one word, not '%s'\n", t.program);
        return 2;
    }
    if (ng) {
        struct sl_buf y;
        sl_buf_init(&y, 1024, 1u << 20);
        if (grammar_config(&y, gram, ng, pats, np)) {
            sl_buf_free(&y);
            rc = 2;
            goto fail;
        }
        rc = config_load_string(&cfg, "sluice test -g", y.data, y.len, &pr);
        cli_print_problems(&pr, "sluice");
        sl_buf_free(&y);
        if (rc) {
            rc = 2;
            goto fail;
        }
        t.any_program = 1;
    } else if (cli_load_config(&cfg, path, NULL, &pr)) {
        fprintf(stderr, "sluice test: %zu error%s in %s\n", pr.errors.n + pr.dropped_errors,
                pr.errors.n + pr.dropped_errors == 1 ? "" : "s", path);
        rc = 2;
        goto fail;
    }
    t.cfg = cfg;
    /* The daemon's settings: its largest max_msg, the default zone. */
    t.max_msg = SL_MAX_MSG_MIN;
    for (size_t i = 0; i < cfg->ninputs; i++)
        if (cfg->inputs[i].max_msg > t.max_msg)
            t.max_msg = cfg->inputs[i].max_msg;
    syslog_opts_default(&t.so);
    t.input = cfg->ninputs ? 0 : (size_t)-1;
    if (input) {
        t.input = (size_t)-1;
        for (size_t i = 0; i < cfg->ninputs; i++)
            if (!strcmp(cfg->inputs[i].name, input))
                t.input = i;
        if (t.input == (size_t)-1) {
            fprintf(stderr, "sluice test: --input %s: no input has that name\n", input);
            rc = 2;
            goto fail;
        }
    }
    {
        struct sl_err err;
        if (enrich_new(&t.host, &cfg->eh, NULL, &err)) {       /* no loop: no reverse DNS */
            fprintf(stderr, "sluice test: %s\n", err.msg);
            rc = 2;
            goto fail;
        }
    }
    t.routes = cfg->routes;
    if (t.routes) {
        t.rs = route_scratch_new(t.routes);
        t.nroutes = route_table_nroutes(t.routes);
        t.misses = sl_calloc(t.nroutes ? t.nroutes : 1, sizeof *t.misses);
    }
    t.en.level = &cfg->level_opts;
    t.en.payload = &cfg->payload_opts;
    t.en.ps = payload_scratch_new();
    t.evt = evt_new(t.max_msg);
    sl_buf_init(&t.doc, 4096, SL_DOC_MAX(t.max_msg));
    sl_buf_init(&t.wrap, t.max_msg + 64, t.max_msg + 64 + strlen(t.program ? t.program : ""));
    buf = sl_malloc(t.max_msg + 1);
    if (t.golden_path) {
        t.golden = fopen(t.golden_path, "r");
        if (!t.golden) {
            fprintf(stderr, "sluice test: cannot open %s: %m\n", t.golden_path);
            rc = 2;
            goto fail;
        }
        t.gcap = SL_DOC_MAX(t.max_msg);
        t.gbuf = sl_malloc(t.gcap + 1);
    }
    big_buffer(stdout, 1);
    if (optind == argc) {
        rc = run_file(&t, stdin, buf);
    } else {
        for (int i = optind; i < argc && rc == 0; i++) {
            FILE *f = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");
            if (!f) {
                fprintf(stderr, "sluice test: cannot open %s: %m\n", argv[i]);
                rc = 2;
                break;
            }
            rc = run_file(&t, f, buf);
            if (f != stdin)
                fclose(f);
        }
    }
    fflush(stdout);
    if (rc == 0 && t.golden) {
        size_t len;
        int cut;
        if (read_line(t.golden, t.gbuf, t.gcap, &len, &cut) == 0) {
            fprintf(stderr, "sluice test: %s has more documents than the %zu input line%s\n",
                    t.golden_path, t.lines, t.lines == 1 ? "" : "s");
            t.mismatched++;
        }
    }
    summary(&t);
    if (rc == 0 && (t.mismatched || (fail_on_miss && (t.nomatch || t.limits))))
        rc = 1;
fail:
    if (t.golden)
        fclose(t.golden);
    for (size_t i = 0; t.misses && i < t.nroutes; i++)
        for (size_t k = 0; k < t.misses[i].n && k < MISS_KEEP; k++)
            sl_free(t.misses[i].text[k]);
    sl_free(t.misses);
    sl_free(t.gbuf);
    sl_free(buf);
    kvs_free(&t.want);
    kvs_free(&t.got);
    sl_buf_free(&t.doc);
    sl_buf_free(&t.wrap);
    evt_free(t.evt);
    route_scratch_free(t.rs);
    enrich_free(t.host);
    payload_scratch_free(t.en.ps);
    config_free(cfg);
    cfg_problems_free(&pr);
    read_lines_free();
    return rc;
}
