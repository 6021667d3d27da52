/* tests/unit/test_grammars.c: the program grammars in grammars/<program>/,
 * each checked against its own samples.
 *
 * For every directory of grammars/ but patterns/: <program>.grok (local
 * patterns, EXPR and SET lines; format in grammars/README.md) is compiled
 * over the library in grammars/patterns; each line of samples.log is tried
 * against the expressions in order, and the first that matches must emit
 * (with the constants of its SET lines) exactly the fields of the same line
 * of expected.ndjson: same keys, values and JSON types. `{"_nomatch": true}`
 * says no expression may match; `"_expr"` names the expression that must be
 * the one. TIMESTAMP lines (program timestamps) add "@timestamp" with the
 * canonical text of the time read (parser/datefmt.h: as written, before
 * zone and year are settled), or the tag "_sluice_date_parse_failure" as
 * "tags"; parser/norm.c does the same. Every sample runs with the JIT and
 * with the interpreter. A failure prints file:line, the expression, and
 * expected against got. tests/fixtures/grammars/<program>/ directories run
 * the same way (grammars that test the format itself).
 *
 * GRAMMAR_DUMP=1 in the environment prints each sample's fields on stdout,
 * as "program<TAB>{...}", for writing a new grammar's expectations (which
 * are then read and corrected by hand, never pasted blind). */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libfastjson/json.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/json.h"
#include "parser/builtin.h"
#include "parser/datefmt.h"
#include "parser/fields.h"
#include "parser/grok.h"
#include "parser/grok_lib.h"
#include "parser/norm.h"
#include "tests/unit/tu.h"

#define LINE_MAX_   16384u              /* bytes of one sample or grammar line */
#define EXPRS_MAX   64u
#define FIELDS_MAX  64u
#define SETS_MAX    8u                  /* SET lines under one EXPR */
#define TS_MAX      8u                  /* TIMESTAMP lines under one EXPR */

struct emitted {
    size_t        n;
    char          path[FIELDS_MAX][128];
    enum fld_type type[FIELDS_MAX];
    char          val[FIELDS_MAX][2048];
};

struct gexpr {
    char         name[64];
    char         where[1500];
    struct grok *jit, *interp;
    unsigned     hits;
    size_t       nset;
    char         set_field[SETS_MAX][128];
    char         set_val[SETS_MAX][256];
    size_t       nts;
    char         ts_field[TS_MAX][128];
    struct datefmt *ts_fmt[TS_MAX];
};

static char Root[512];
static char ScanDir[1100];             /* where program_dir looks */
static struct grok_scratch *S;
static unsigned Programs, TotalSamples;

static int collect(void *arg, const struct fld_name *name, enum fld_type type, const char *val,
                   size_t len)
{
    struct emitted *e = arg;

    if (e->n < FIELDS_MAX) {
        snprintf(e->path[e->n], sizeof e->path[0], "%s", name->path);
        e->type[e->n] = type;
        snprintf(e->val[e->n], sizeof e->val[0], "%.*s", (int)len, val);
        e->n++;
    }
    return 0;
}

static int fail_at(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail_at(const char *where, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "\n  %s: ", where);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static void chomp(char *s)
{
    size_t n = strlen(s);

    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* The fields as one JSON object, for messages and GRAMMAR_DUMP. */
static void render(struct sl_buf *b, const struct emitted *e)
{
    sl_buf_reset(b);
    sl_buf_putc(b, '{');
    for (size_t i = 0; i < e->n; i++) {
        if (i)
            sl_buf_putc(b, ',');
        sl_json_str(b, e->path[i], strlen(e->path[i]));
        sl_buf_putc(b, ':');
        if (e->type[i] == FLD_STRING || e->type[i] == FLD_TIME)
            sl_json_str(b, e->val[i], strlen(e->val[i]));
        else
            sl_buf_puts(b, e->val[i]);
    }
    sl_buf_putc(b, '}');
}

static const char *type_name(enum fld_type t)
{
    switch (t) {
    case FLD_STRING: return "string";
    case FLD_INT:    return "int";
    case FLD_FLOAT:  return "float";
    case FLD_BOOL:   return "bool";
    case FLD_TIME:   return "time";
    default:         return "json";
    }
}

/* One expected value against one emitted field; 0 when they agree. */
static int same_value(fjson_object *want, enum fld_type type, const char *got)
{
    switch (fjson_object_get_type(want)) {
    case fjson_type_string:
        return (type == FLD_STRING || type == FLD_TIME) &&
               strcmp(fjson_object_get_string(want), got) == 0 ? 0 : 1;
    case fjson_type_int: {
        char num[32];
        snprintf(num, sizeof num, "%" PRId64, fjson_object_get_int64(want));
        if (type == FLD_FLOAT)      /* a :float that happens to be whole: 30 */
            return strtod(got, NULL) == (double)fjson_object_get_int64(want) ? 0 : 1;
        return type == FLD_INT && strcmp(num, got) == 0 ? 0 : 1;
    }
    case fjson_type_double: {
        double d = fjson_object_get_double(want) - strtod(got, NULL);
        return type == FLD_FLOAT && d < 1e-9 && d > -1e-9 ? 0 : 1;
    }
    case fjson_type_boolean:
        return type == FLD_BOOL &&
                       strcmp(got, fjson_object_get_boolean(want) ? "true" : "false") == 0
                   ? 0 : 1;
    default:
        return 1;
    }
}

/* Compares the fields of a match with the expected object; prints each
 * difference. 0 when equal. */
static int compare(const char *where, const char *expr, fjson_object *want,
                   const struct emitted *e)
{
    struct fjson_object_iterator it = fjson_object_iter_begin(want);
    struct fjson_object_iterator end = fjson_object_iter_end(want);
    int bad = 0;

    for (; !fjson_object_iter_equal(&it, &end); fjson_object_iter_next(&it)) {
        const char *key = fjson_object_iter_peek_name(&it);
        fjson_object *val = fjson_object_iter_peek_value(&it);
        int found = 0;

        if (key[0] == '_')
            continue;
        for (size_t i = 0; i < e->n && !found; i++) {
            if (strcmp(e->path[i], key) != 0)
                continue;
            found = 1;
            if (same_value(val, e->type[i], e->val[i]))
                bad |= fail_at(where, "expression %s: %s: expected %s, got %s `%s`", expr, key,
                               fjson_object_to_json_string(val), type_name(e->type[i]),
                               e->val[i]);
        }
        if (!found)
            bad |= fail_at(where, "expression %s: %s: expected %s, missing", expr, key,
                           fjson_object_to_json_string(val));
    }
    for (size_t i = 0; i < e->n; i++)
        if (!fjson_object_object_get_ex(want, e->path[i], NULL))
            bad |= fail_at(where, "expression %s: unexpected field %s = %s `%s`", expr,
                           e->path[i], type_name(e->type[i]), e->val[i]);
    return bad;
}

/* Splits "NAME rest" at the first run of blanks; NULL when there is no rest. */
static char *split_word(char *s)
{
    char *p = s + strcspn(s, " \t");

    if (!*p)
        return NULL;
    *p++ = '\0';
    p += strspn(p, " \t");
    return *p ? p : NULL;
}

/* Reads <dir>/<prog>.grok: local patterns into lib, EXPR lines compiled
 * into x. Returns the number of problems (each printed). */
static int load_grammar(const char *path, struct grok_lib *lib, struct gexpr *x, size_t *nx)
{
    FILE *f = fopen(path, "r");
    static char line[LINE_MAX_];
    char where[1500];
    unsigned lineno = 0;
    int bad = 0;

    *nx = 0;
    if (!f)
        return fail_at(path, "cannot open: %s", strerror(errno));
    /* Two passes: every local pattern is known before any EXPR compiles, so
     * a pattern may be defined below the expression that uses it. */
    for (int pass = 0; pass < 2; pass++) {
        rewind(f);
        lineno = 0;
        while (fgets(line, sizeof line, f)) {
            char *rest, *expr;
            struct sl_err err;
            struct grok_opts o;

            lineno++;
            chomp(line);
            if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
                continue;
            snprintf(where, sizeof where, "%s:%u", path, lineno);
            rest = split_word(line);
            if (!rest) {
                if (pass == 0)
                    bad |= fail_at(where, "`%s` has nothing after it", line);
                continue;
            }
            if (strcmp(line, "SET") == 0) {
                char *val = split_word(rest);
                struct gexpr *cur = *nx ? &x[*nx - 1] : NULL;

                if (pass == 0)
                    continue;
                if (!val || !cur) {
                    bad |= fail_at(where, "SET needs a field, a value and an EXPR above it");
                    continue;
                }
                if (cur->nset == SETS_MAX) {
                    bad |= fail_at(where, "more than %u SET lines", SETS_MAX);
                    continue;
                }
                for (size_t i = 0; i < grok_field_count(cur->jit); i++)
                    if (strcmp(grok_field(cur->jit, i, NULL)->path, rest) == 0)
                        bad |= fail_at(where, "SET %s: the expression captures it", rest);
                snprintf(cur->set_field[cur->nset], sizeof cur->set_field[0], "%s", rest);
                snprintf(cur->set_val[cur->nset], sizeof cur->set_val[0], "%s", val);
                cur->nset++;
                continue;
            }
            if (strcmp(line, "TIMESTAMP") == 0) {
                char *fmt = split_word(rest);
                struct gexpr *cur = *nx ? &x[*nx - 1] : NULL;
                int captured = 0;

                if (pass == 0)
                    continue;
                if (!fmt || !cur) {
                    bad |= fail_at(where, "TIMESTAMP needs a field, a format and an EXPR above it");
                    continue;
                }
                if (cur->nts == TS_MAX) {
                    bad |= fail_at(where, "more than %u TIMESTAMP lines", TS_MAX);
                    continue;
                }
                for (size_t i = 0; i < grok_field_count(cur->jit); i++)
                    captured |= strcmp(grok_field(cur->jit, i, NULL)->path, rest) == 0;
                if (!captured)
                    bad |= fail_at(where, "TIMESTAMP %s: the expression does not capture it", rest);
                if (datefmt_compile(&cur->ts_fmt[cur->nts], fmt, &err)) {
                    bad |= fail_at(where, "TIMESTAMP %s: %s", rest, err.msg);
                    continue;
                }
                snprintf(cur->ts_field[cur->nts], sizeof cur->ts_field[0], "%s", rest);
                cur->nts++;
                continue;
            }
            if (strcmp(line, "EXPR") != 0) {
                if (pass == 0 && grok_lib_add(lib, line, rest, where, &err))
                    bad |= fail_at(where, "%s", err.msg);
                continue;
            }
            if (pass == 0)
                continue;
            expr = split_word(rest);
            if (!expr) {
                bad |= fail_at(where, "EXPR needs a name and an expression");
                continue;
            }
            if (*nx == EXPRS_MAX) {
                bad |= fail_at(where, "more than %u expressions", EXPRS_MAX);
                continue;
            }
            for (size_t i = 0; i < *nx; i++)
                if (strcmp(x[i].name, rest) == 0)
                    bad |= fail_at(where, "expression name %s used twice", rest);
            memset(&x[*nx], 0, sizeof x[0]);
            snprintf(x[*nx].name, sizeof x[0].name, "%s", rest);
            snprintf(x[*nx].where, sizeof x[0].where, "%s", where);
            grok_opts_default(&o);
            if (grok_compile(&x[*nx].jit, lib, expr, &o, where, &err)) {
                bad |= fail_at(err.where, "%s", err.msg);
                continue;
            }
            o.no_jit = 1;
            if (grok_compile(&x[*nx].interp, lib, expr, &o, where, &err)) {
                grok_free(x[*nx].jit);
                bad |= fail_at(err.where, "%s", err.msg);
                continue;
            }
            (*nx)++;
        }
    }
    fclose(f);
    if (*nx == 0)
        bad |= fail_at(path, "no EXPR line");
    return bad;
}

/* The TIMESTAMP lines of x over what it captured: the first captured field
 * its format reads gives "@timestamp" (canonical text), captured fields none
 * reads the failure tag (as parser/norm.c does). */
static void apply_timestamps(const struct gexpr *x, struct emitted *e)
{
    int captured = 0;
    size_t n = e->n;

    if (!x->nts || n >= FIELDS_MAX)
        return;
    for (size_t k = 0; k < x->nts; k++)
        for (size_t i = 0; i < n; i++) {
            struct syslog_tm tm;

            if (strcmp(e->path[i], x->ts_field[k]) != 0)
                continue;
            captured = 1;
            if (datefmt_parse(x->ts_fmt[k], e->val[i], strlen(e->val[i]), &tm) == 0) {
                snprintf(e->path[n], sizeof e->path[0], "@timestamp");
                e->type[n] = FLD_TIME;
                datefmt_canon(&tm, e->val[n]);
                e->n++;
                return;
            }
            break;
        }
    if (captured) {
        snprintf(e->path[n], sizeof e->path[0], "tags");
        e->type[n] = FLD_STRING;
        snprintf(e->val[n], sizeof e->val[0], "%s", DATEFMT_TAG_FAILURE);
        e->n++;
    }
}

/* The first expression that matches, its fields in *e; -1: none. Both
 * engines must agree, or *disagree is set. */
static int first_match(struct gexpr *x, size_t nx, const char *in, size_t len, struct emitted *e,
                       int *disagree)
{
    static struct emitted e2;
    struct sl_buf a, b;

    for (size_t i = 0; i < nx; i++) {
        enum grok_result r1, r2;

        e->n = 0;
        e2.n = 0;
        r1 = grok_match(x[i].jit, S, in, len, collect, e);
        r2 = grok_match(x[i].interp, S, in, len, collect, &e2);
        if (r1 != r2) {
            *disagree = 1;
            return -1;
        }
        if (r1 == GROK_LIMIT || r1 == GROK_ERROR) {
            *disagree = 2;
            return (int)i;
        }
        if (r1 != GROK_MATCH)
            continue;
        sl_buf_init(&a, 256, 1u << 20);
        sl_buf_init(&b, 256, 1u << 20);
        render(&a, e);
        render(&b, &e2);
        if (strcmp(a.data, b.data) != 0)
            *disagree = 1;
        for (size_t k = 0; k < x[i].nset && e->n < FIELDS_MAX; k++, e->n++) {
            snprintf(e->path[e->n], sizeof e->path[0], "%s", x[i].set_field[k]);
            e->type[e->n] = FLD_STRING;
            snprintf(e->val[e->n], sizeof e->val[0], "%s", x[i].set_val[k]);
        }
        apply_timestamps(&x[i], e);
        sl_buf_free(&a);
        sl_buf_free(&b);
        return (int)i;
    }
    e->n = 0;
    return -1;
}

/* Runs one program's samples; returns the number that failed. */
static unsigned run_program(const char *gdir, const char *prog)
{
    char dir[1024], gpath[1400], spath[1400], epath[1400], where[1500];
    static char sline[LINE_MAX_], eline[LINE_MAX_];
    static struct gexpr x[EXPRS_MAX];
    static struct emitted e;
    struct grok_lib *lib = grok_lib_new();
    struct sl_err err;
    struct sl_buf out;
    FILE *sf = NULL, *ef = NULL;
    size_t nx = 0;
    unsigned lineno = 0, failed = 0, nsamples = 0, nomatch = 0;
    int dump = getenv("GRAMMAR_DUMP") != NULL;

    sl_buf_init(&out, 256, 1u << 20);
    snprintf(dir, sizeof dir, "%s/%s", gdir, prog);
    snprintf(gpath, sizeof gpath, "%s/%s.grok", dir, prog);
    snprintf(spath, sizeof spath, "%s/samples.log", dir);
    snprintf(epath, sizeof epath, "%s/expected.ndjson", dir);
    snprintf(sline, sizeof sline, "%s/grammars/patterns", Root);
    if (grok_lib_load_dir(lib, sline, &err)) {
        failed += fail_at(err.where, "%s", err.msg);
        goto fail;
    }
    if (load_grammar(gpath, lib, x, &nx)) {
        failed++;
        goto fail;
    }
    sf = fopen(spath, "r");
    ef = fopen(epath, "r");
    if (!sf || (!ef && !dump)) {
        failed += fail_at(dir, "needs samples.log and expected.ndjson");
        goto fail;
    }
    while (fgets(sline, sizeof sline, sf)) {
        fjson_object *want;
        fjson_object *flag;
        const char *pin = NULL;
        int m, disagree = 0, want_none;

        lineno++;
        chomp(sline);
        snprintf(where, sizeof where, "%s:%u", spath, lineno);
        if (!ef)
            snprintf(eline, sizeof eline, "{}");
        else if (!fgets(eline, sizeof eline, ef)) {
            failed += fail_at(where, "no line %u in expected.ndjson", lineno);
            break;
        }
        chomp(eline);
        nsamples++;
        m = first_match(x, nx, sline, strlen(sline), &e, &disagree);
        if (dump) {
            render(&out, &e);
            printf("\n%s\t%s\n", prog, m < 0 ? "{\"_nomatch\":true}" : out.data);
        }
        want = fjson_tokener_parse(eline);
        if (!want || !fjson_object_is_type(want, fjson_type_object)) {
            failed += fail_at(where, "expected.ndjson line %u is not a JSON object", lineno);
            fjson_object_put(want);
            continue;
        }
        want_none = fjson_object_object_get_ex(want, "_nomatch", &flag) &&
                    fjson_object_get_boolean(flag);
        if (fjson_object_object_get_ex(want, "_expr", &flag))
            pin = fjson_object_get_string(flag);
        if (disagree) {
            failed += fail_at(where, "%s", disagree == 1 ? "JIT and interpreter disagree"
                                                         : "limit or error while matching");
        } else if (want_none) {
            nomatch++;
            if (m >= 0) {
                render(&out, &e);
                failed += fail_at(where, "expected no match; expression %s matched: %s",
                                  x[m].name, out.data);
            }
        } else if (m < 0) {
            failed += fail_at(where, "no expression matched `%s`; expected %s", sline, eline);
        } else {
            x[m].hits++;
            if (pin && strcmp(pin, x[m].name) != 0)
                failed += fail_at(where, "expression %s matched, expected %s", x[m].name, pin);
            else if (compare(where, x[m].name, want, &e)) {
                render(&out, &e);
                fprintf(stderr, "    expected %s\n    got      %s\n", eline, out.data);
                failed++;
            }
        }
        fjson_object_put(want);
    }
    if (ef && fgets(eline, sizeof eline, ef))
        failed += fail_at(epath, "more lines than samples.log (%u)", lineno);
    if (nsamples == 0)
        failed += fail_at(spath, "no samples");
    fprintf(stderr, "\n  %-10s %3u samples (%u no-match):", prog, nsamples, nomatch);
    for (size_t i = 0; i < nx; i++)
        fprintf(stderr, " %s=%u", x[i].name, x[i].hits);
    for (size_t i = 0; i < nx; i++)
        if (x[i].hits == 0)
            failed += fail_at(x[i].where, "expression %s matched no sample", x[i].name);
    TotalSamples += nsamples;
fail:
    for (size_t i = 0; i < nx; i++) {
        grok_free(x[i].jit);
        grok_free(x[i].interp);
        for (size_t k = 0; k < x[i].nts; k++)
            datefmt_free(x[i].ts_fmt[k]);
    }
    if (sf)
        fclose(sf);
    if (ef)
        fclose(ef);
    sl_buf_free(&out);
    grok_lib_free(lib);
    return failed;
}

static int program_dir(const struct dirent *d)
{
    char path[1400];
    struct stat st;

    if (d->d_name[0] == '.' || strcmp(d->d_name, "patterns") == 0)
        return 0;
    snprintf(path, sizeof path, "%s/%s", ScanDir, d->d_name);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int suite_init(void)
{
    const char *src = getenv("srcdir");

    snprintf(Root, sizeof Root, "%s", src ? src : ".");
    S = grok_scratch_new();
    return 0;
}

static int suite_clean(void)
{
    grok_scratch_free(S);
    return 0;
}

static void t_every_grammar(void)
{
    struct dirent **names;
    char gdir[1100];
    unsigned failed = 0;
    int n;

    snprintf(gdir, sizeof gdir, "%s/grammars", Root);
    snprintf(ScanDir, sizeof ScanDir, "%s", gdir);
    n = scandir(gdir, &names, program_dir, alphasort);
    CU_ASSERT_FATAL(n > 0);
    for (int i = 0; i < n; i++) {
        failed += run_program(gdir, names[i]->d_name);
        Programs++;
        free(names[i]);
    }
    free(names);
    fprintf(stderr, "\n  (%u samples in %u grammars, %u failed) ", TotalSamples, Programs,
            failed);
    CU_ASSERT_EQUAL(failed, 0);
}

/* Each grammar is compiled in (`builtin: NAME` in a config) as it is on
 * disk now, and loads through the config's path over the built-in library. */
static void t_builtin_grammars(void)
{
    struct dirent **names;
    char gdir[1100], path[2400], where[2600];
    struct grok_lib *lib = grok_lib_new();
    struct sl_err err;
    size_t nbuiltin = 0;
    int n;

    CU_ASSERT_EQUAL_FATAL(builtin_patterns_load(lib, &err), 0);
    snprintf(gdir, sizeof gdir, "%s/grammars", Root);
    snprintf(ScanDir, sizeof ScanDir, "%s", gdir);
    n = scandir(gdir, &names, program_dir, alphasort);
    CU_ASSERT_FATAL(n > 0);
    for (int i = 0; i < n; i++) {
        const char *prog = names[i]->d_name;
        const struct builtin_file *bf = builtin_grammar(prog);
        struct grammar *g = NULL;
        struct sl_buf file;
        FILE *f;
        size_t got;

        snprintf(path, sizeof path, "%s/%s/%s.grok", gdir, prog, prog);
        f = fopen(path, "r");
        if (!f) {
            free(names[i]);
            continue;
        }
        sl_buf_init(&file, 4096, 1u << 24);
        while ((got = fread(where, 1, sizeof where, f)) > 0)
            sl_buf_append(&file, where, got);
        fclose(f);
        if (file.len && file.data[file.len - 1] != '\n')
            sl_buf_putc(&file, '\n');          /* the embedder ends every line */
        if (!bf || bf->len != file.len || memcmp(bf->text, file.data, file.len) != 0) {
            fprintf(stderr, "\n  %s: not compiled in as it is on disk: rebuild (make)\n", path);
            CU_FAIL("a grammar differs from its compiled-in copy");
        } else {
            snprintf(where, sizeof where, "builtin:grammars/%s/%s.grok", prog, prog);
            if (norm_grok_text_grammar(&g, prog, where, bf->text, bf->len, lib, NULL, &err)) {
                fprintf(stderr, "\n  %s: %s\n", err.where, err.msg);
                CU_FAIL("a compiled-in grammar does not load");
            }
            grammar_free(g);
        }
        sl_buf_free(&file);
        free(names[i]);
    }
    free(names);
    for (const struct builtin_file *b = builtin_grammar_files; b->name; b++)
        nbuiltin++;
    CU_ASSERT(nbuiltin >= 14);
    CU_ASSERT_PTR_NULL(builtin_grammar("patterns"));
    CU_ASSERT_PTR_NULL(builtin_grammar("nosuch"));
    grok_lib_free(lib);
}

/* Grammars that exercise the format itself (tests/fixtures/grammars/<p>/),
 * checked like the library's. */
static void t_fixture_grammars(void)
{
    struct dirent **names;
    char gdir[1100];
    unsigned failed = 0;
    int n;

    snprintf(gdir, sizeof gdir, "%s/tests/fixtures/grammars", Root);
    snprintf(ScanDir, sizeof ScanDir, "%s", gdir);
    n = scandir(gdir, &names, program_dir, alphasort);
    CU_ASSERT_FATAL(n > 0);
    for (int i = 0; i < n; i++) {
        failed += run_program(gdir, names[i]->d_name);
        free(names[i]);
    }
    free(names);
    CU_ASSERT_EQUAL(failed, 0);
}

static CU_TestInfo tests[] = {
    { "every sample of every grammar gives its expected fields, JIT and interpreter alike",
      t_every_grammar },
    { "every grammar is compiled in as it is on disk and loads by name", t_builtin_grammars },
    { "the fixture grammars (TIMESTAMP lines) give their expected fields", t_fixture_grammars },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "grammars: grammars/<program>", suite_init, suite_clean, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
