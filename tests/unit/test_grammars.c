/* tests/unit/test_grammars.c: the program grammars in grammars/<program>/,
 * each checked against its own samples, exactly as the daemon runs them.
 *
 * For every directory of grammars/ but patterns/: <program>.grok is loaded
 * by the daemon's loader (norm_grok_file_grammar, over the library in
 * grammars/patterns) twice, with the JIT and with the interpreter, and each
 * line of samples.log goes through grammar_match; both must give the same
 * result and fields, and those fields (SET constants included) must be
 * exactly the same line of expected.ndjson: same keys, values and JSON
 * types. `{"_nomatch": true}` says no expression may match; `"_expr"` names
 * the expression that must be the one. A failure prints file:line, the
 * expression, and expected against got.
 *
 * Which expression matched is not something a grammar says, so the test
 * also loads, per EXPR, a copy of the file in which every other EXPR can
 * never match (its expression replaced by `(?!)`, its TIMESTAMP lines
 * blanked; NAME and SET lines and the line numbers stay): the first of those that matches is the expression the
 * grammar used. That gives `_expr` and the count per expression, and an
 * expression no sample reaches fails.
 *
 * TIMESTAMP lines (program timestamps) make the grammar emit "@timestamp"
 * with the canonical text of the time read (parser/datefmt.h: as written,
 * before zone and year are settled), or the tag "_sluice_date_parse_failure"
 * as "tags"; expected.ndjson lists them like any field. The directories of
 * tests/fixtures/grammars/ (grammars that test the format itself) run the
 * same way, and every grammar must be compiled in exactly as it is on disk.
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
#include "parser/fields.h"
#include "parser/grammar.h"
#include "parser/grok.h"
#include "parser/grok_lib.h"
#include "parser/norm.h"
#include "tests/unit/tu.h"

#define EXPRS_MAX   256u                /* the loader's own ceiling */
#define FIELDS_MAX  64u

struct emitted {
    size_t        n;
    char          path[FIELDS_MAX][128];
    enum fld_type type[FIELDS_MAX];
    char          val[FIELDS_MAX][2048];
};

/* One EXPR of a grammar file, and a grammar in which only it can match. */
struct gexpr {
    char            name[64];
    unsigned        line;
    unsigned        hits;
    struct grammar *only;
    void           *scratch;
};

/* A grammar file as the daemon loads it, with and without the JIT. */
struct gfile {
    struct grammar *jit, *interp;
    void           *sj, *si;
    size_t          nx;
    struct gexpr    x[EXPRS_MAX];
};

static char Root[512];
static char ScanDir[1100];              /* where program_dir looks */
static struct grok_lib *Lib;            /* grammars/patterns */
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

/* The fields as one JSON object, for comparisons, messages and GRAMMAR_DUMP. */
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

static int same_fields(const struct emitted *a, const struct emitted *b)
{
    struct sl_buf ra, rb;
    int same;

    sl_buf_init(&ra, 256, 1u << 20);
    sl_buf_init(&rb, 256, 1u << 20);
    render(&ra, a);
    render(&rb, b);
    same = strcmp(ra.data, rb.data) == 0;
    sl_buf_free(&ra);
    sl_buf_free(&rb);
    return same;
}

static const char *type_name(enum fld_type t)
{
    switch (t) {
    case FLD_STRING: return "string";
    case FLD_TIME:   return "time";
    case FLD_INT:    return "int";
    case FLD_FLOAT:  return "float";
    case FLD_BOOL:   return "bool";
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
                bad |= tu_fail_at(where, "expression %s: %s: expected %s, got %s `%s`", expr, key,
                               fjson_object_to_json_string(val), type_name(e->type[i]),
                               e->val[i]);
        }
        if (!found)
            bad |= tu_fail_at(where, "expression %s: %s: expected %s, missing", expr, key,
                           fjson_object_to_json_string(val));
    }
    for (size_t i = 0; i < e->n; i++)
        if (!fjson_object_object_get_ex(want, e->path[i], NULL))
            bad |= tu_fail_at(where, "expression %s: unexpected field %s = %s `%s`", expr,
                           e->path[i], type_name(e->type[i]), e->val[i]);
    return bad;
}

/* "EXPR name ..." -> the name, cut out into name[cap]; 0 for any other line.
 * Only called on files the daemon's loader has accepted. */
static int expr_line(const char *line, char *name, size_t cap)
{
    size_t n;

    if (strncmp(line, "EXPR", 4) != 0 || (line[4] != ' ' && line[4] != '\t'))
        return 0;
    line += 4 + strspn(line + 4, " \t");
    n = strcspn(line, " \t");
    snprintf(name, cap, "%.*s", (int)n, line);
    return 1;
}

/* Loads path as the daemon does: 0, or the error printed. */
static int load(struct grammar **g, const char *name, const char *path, int no_jit)
{
    struct grok_opts o;
    struct sl_err err;

    grok_opts_default(&o);
    o.no_jit = no_jit;
    if (norm_grok_file_grammar(g, name, path, Lib, &o, &err))
        return tu_fail_at(err.where, "%s", err.msg);
    return 0;
}

/* The file with every EXPR but the k-th made unmatchable, loaded; 0 or the
 * error printed. */
static int load_only(struct gfile *gf, size_t k, const char *prog, const char *text)
{
    char *copy = strdup(text), *cur = copy, *line, name[64], path[64];
    FILE *tf = tmpfile();
    size_t j = 0;
    int bad, dead = 0;      /* inside an EXPR made unmatchable */

    if (!copy || !tf) {
        free(copy);
        if (tf)
            fclose(tf);
        return tu_fail_at(prog, "cannot make a temporary file: %s", strerror(errno));
    }
    while ((line = tu_next_line(&cur)) != NULL) {
        if (expr_line(line, name, sizeof name)) {
            dead = j++ != k;
            if (dead) {
                fprintf(tf, "EXPR %s (?!)\n", name);
                continue;
            }
        }
        /* A dead EXPR captures nothing, so its TIMESTAMP lines would be
         * refused: blank them (line numbers stay). */
        if (dead && !strncmp(line, "TIMESTAMP", 9) && (line[9] == ' ' || line[9] == '\t'))
            fputc('\n', tf);
        else
            fprintf(tf, "%s\n", line);
    }
    fflush(tf);
    /* The daemon's loader takes a path; the unnamed file has one here. */
    snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(tf));
    bad = load(&gf->x[k].only, prog, path, 0);
    if (!bad)
        gf->x[k].scratch = grammar_scratch_new(gf->x[k].only);
    fclose(tf);
    free(copy);
    return bad;
}

static void gfile_free(struct gfile *gf)
{
    for (size_t i = 0; i < gf->nx; i++) {
        grammar_scratch_free(gf->x[i].only, gf->x[i].scratch);
        grammar_free(gf->x[i].only);
    }
    grammar_scratch_free(gf->jit, gf->sj);
    grammar_scratch_free(gf->interp, gf->si);
    grammar_free(gf->jit);
    grammar_free(gf->interp);
    memset(gf, 0, sizeof *gf);
}

/* Loads <prog>.grok the daemon's way, with and without the JIT, and once per
 * EXPR. 0, or the number of problems (each printed). */
static int gfile_load(struct gfile *gf, const char *prog, const char *path)
{
    char *text, *scan, *cur, *line;
    unsigned lineno = 0;
    int bad = 0;

    memset(gf, 0, sizeof *gf);
    if (load(&gf->jit, prog, path, 0) || load(&gf->interp, prog, path, 1))
        return 1;
    gf->sj = grammar_scratch_new(gf->jit);
    gf->si = grammar_scratch_new(gf->interp);
    text = tu_read_file(path, NULL);
    scan = text ? strdup(text) : NULL;      /* tu_next_line cuts what it reads */
    if (!scan) {
        free(text);
        return tu_fail_at(path, "cannot read: %s", strerror(errno));
    }
    cur = scan;
    while ((line = tu_next_line(&cur)) != NULL) {
        lineno++;
        if (gf->nx < EXPRS_MAX &&
            expr_line(line, gf->x[gf->nx].name, sizeof gf->x[0].name))
            gf->x[gf->nx++].line = lineno;
    }
    for (size_t k = 0; k < gf->nx && !bad; k++)
        bad |= load_only(gf, k, prog, text);
    free(scan);
    free(text);
    return bad;
}

/* The sample through the grammar, JIT and interpreter; the expression that
 * matched in *which (-1: none). 0, or a problem printed. */
static int run_sample(struct gfile *gf, const char *where, const char *in, struct emitted *e,
                      enum grammar_result *r, int *which)
{
    static struct emitted e2;
    enum grammar_result r2;
    size_t len = strlen(in);

    *which = -1;
    e->n = 0;
    e2.n = 0;
    *r = grammar_match(gf->jit, gf->sj, in, len, collect, e);
    r2 = grammar_match(gf->interp, gf->si, in, len, collect, &e2);
    if (*r != r2)
        return tu_fail_at(where, "JIT %s, interpreter %s", grammar_result_name(*r),
                       grammar_result_name(r2));
    if (*r != GRAMMAR_MATCH && *r != GRAMMAR_NOMATCH)
        return tu_fail_at(where, "%s while matching", grammar_result_name(*r));
    if (*r == GRAMMAR_NOMATCH)
        return e->n || e2.n ? tu_fail_at(where, "fields emitted without a match") : 0;
    if (!same_fields(e, &e2))
        return tu_fail_at(where, "JIT and interpreter emit different fields");
    for (size_t k = 0; k < gf->nx; k++) {
        e2.n = 0;
        if (grammar_match(gf->x[k].only, gf->x[k].scratch, in, len, collect, &e2) !=
            GRAMMAR_MATCH)
            continue;
        *which = (int)k;
        return same_fields(e, &e2) ? 0
                                   : tu_fail_at(where, "expression %s alone emits other fields",
                                             gf->x[k].name);
    }
    return tu_fail_at(where, "the grammar matched but none of its expressions alone does");
}

/* Runs the samples of base/prog; returns the number that failed. */
static unsigned run_program(const char *base, const char *prog)
{
    char dir[1024], gpath[1400], spath[1400], epath[1400], where[1500];
    static struct gfile gf;
    static struct emitted e;
    struct sl_buf out;
    char *samples = NULL, *expected = NULL, *scur, *ecur, *sline;
    const char *eline;
    unsigned lineno = 0, failed = 0, nomatch = 0;
    int dump = getenv("GRAMMAR_DUMP") != NULL;

    sl_buf_init(&out, 256, 1u << 20);
    snprintf(dir, sizeof dir, "%s/%s", base, prog);
    snprintf(gpath, sizeof gpath, "%s/%s.grok", dir, prog);
    snprintf(spath, sizeof spath, "%s/samples.log", dir);
    snprintf(epath, sizeof epath, "%s/expected.ndjson", dir);
    if (gfile_load(&gf, prog, gpath)) {
        failed++;
        goto fail;
    }
    samples = tu_read_file(spath, NULL);
    expected = tu_read_file(epath, NULL);
    if (!samples || (!expected && !dump)) {
        failed += tu_fail_at(dir, "needs samples.log and expected.ndjson");
        goto fail;
    }
    scur = samples;
    ecur = expected;
    while ((sline = tu_next_line(&scur)) != NULL) {
        fjson_object *want, *flag;
        const char *pin = NULL;
        enum grammar_result r;
        int m, want_none;

        lineno++;
        snprintf(where, sizeof where, "%s:%u", spath, lineno);
        eline = expected ? tu_next_line(&ecur) : "{}";
        if (!eline) {
            failed += tu_fail_at(where, "no line %u in expected.ndjson", lineno);
            break;
        }
        if (run_sample(&gf, where, sline, &e, &r, &m)) {
            failed++;
            continue;
        }
        if (dump) {
            render(&out, &e);
            printf("\n%s\t%s\n", prog, m < 0 ? "{\"_nomatch\":true}" : out.data);
        }
        want = fjson_tokener_parse(eline);
        if (!want || !fjson_object_is_type(want, fjson_type_object)) {
            failed += tu_fail_at(where, "expected.ndjson line %u is not a JSON object", lineno);
            fjson_object_put(want);
            continue;
        }
        want_none = fjson_object_object_get_ex(want, "_nomatch", &flag) &&
                    fjson_object_get_boolean(flag);
        if (fjson_object_object_get_ex(want, "_expr", &flag))
            pin = fjson_object_get_string(flag);
        if (want_none) {
            nomatch++;
            if (m >= 0) {
                render(&out, &e);
                failed += tu_fail_at(where, "expected no match; expression %s matched: %s",
                                  gf.x[m].name, out.data);
            }
        } else if (m < 0) {
            failed += tu_fail_at(where, "no expression matched `%s`; expected %s", sline, eline);
        } else {
            gf.x[m].hits++;
            if (pin && strcmp(pin, gf.x[m].name) != 0)
                failed += tu_fail_at(where, "expression %s matched, expected %s", gf.x[m].name,
                                  pin);
            else if (compare(where, gf.x[m].name, want, &e)) {
                render(&out, &e);
                fprintf(stderr, "    expected %s\n    got      %s\n", eline, out.data);
                failed++;
            }
        }
        fjson_object_put(want);
    }
    if (expected && tu_next_line(&ecur))
        failed += tu_fail_at(epath, "more lines than samples.log (%u)", lineno);
    if (lineno == 0)
        failed += tu_fail_at(spath, "no samples");
    fprintf(stderr, "\n  %-10s %3u samples (%u no-match):", prog, lineno, nomatch);
    for (size_t i = 0; i < gf.nx; i++)
        fprintf(stderr, " %s=%u", gf.x[i].name, gf.x[i].hits);
    for (size_t i = 0; i < gf.nx; i++)
        if (gf.x[i].hits == 0) {
            snprintf(where, sizeof where, "%s:%u", gpath, gf.x[i].line);
            failed += tu_fail_at(where, "expression %s matched no sample", gf.x[i].name);
        }
    TotalSamples += lineno;
fail:
    gfile_free(&gf);
    free(samples);
    free(expected);
    sl_buf_free(&out);
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
    char dir[1100];
    struct sl_err err;

    snprintf(Root, sizeof Root, "%s", src ? src : ".");
    snprintf(dir, sizeof dir, "%s/grammars/patterns", Root);
    Lib = grok_lib_new();
    if (grok_lib_load_dir(Lib, dir, &err)) {
        tu_fail_at(err.where, "%s", err.msg);
        return 1;
    }
    return 0;
}

static int suite_clean(void)
{
    grok_lib_free(Lib);
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
    { "every sample of every grammar, through the daemon's loader and grammar_match, gives "
      "its expected fields, JIT and interpreter alike",
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
