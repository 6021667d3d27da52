/* parser/grok.h: one grok expression, compiled once to PCRE2 (with JIT when
 * the machine allows it), matched against lines.
 *
 *     struct grok_lib *lib = grok_lib_new();
 *     grok_lib_load_dir(lib, "grammars/patterns", &err);
 *     grok_compile(&g, lib, "%{SYSLOGBASE} %{GREEDYDATA:message}", NULL, "sshd.grok:1", &err);
 *     grok_lib_free(lib);                          // g keeps nothing of it
 *     struct grok_scratch *s = grok_scratch_new(); // one per thread
 *     grok_match(g, s, line, len, emit, arg);      // GROK_MATCH: emit saw the fields
 *
 * Threads: a struct grok is immutable once compiled and may be matched from
 * any number of threads at once, each with its own grok_scratch (the PCRE2
 * match data, match context and JIT stack). A scratch serves any number of
 * groks; it grows to the largest group count it has seen and keeps that, so
 * matching allocates nothing in steady state. */
#ifndef PARSER_GROK_H
#define PARSER_GROK_H
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "parser/fields.h"
#include "parser/grok_lib.h"

/* PCRE2's limits for one match: what a pathological line may cost before
 * the match gives up with GROK_LIMIT. match_limit bounds the backtracking
 * steps (interpreter and JIT); depth_limit and heap_limit_kib bound the
 * interpreter's backtracking memory (the JIT's is its stack, GROK_JIT_STACK_MAX). */
struct grok_opts {
    uint32_t match_limit;       /* default 1,000,000: a few ms at worst */
    uint32_t depth_limit;       /* default 10,000 */
    uint32_t heap_limit_kib;    /* default 8192 (8 MiB) */
    int      no_jit;            /* 1: the interpreter only */
    int      keep_empty;        /* 1: emit captures that matched "" (keep_empty_captures) */
};

#define GROK_JIT_STACK_MAX  (1024u * 1024u)
#define GROK_NUM_MAX        64u     /* a typed number longer than this is emitted as a string */

enum grok_result {
    GROK_MATCH = 0,
    GROK_NOMATCH,
    GROK_LIMIT,                 /* a match, depth, heap or JIT stack limit was hit (tag and
                                 * count), or emit asked to stop */
    GROK_ERROR,                 /* PCRE2 failed otherwise (never expected) */
};

struct grok;
struct grok_scratch;

void grok_opts_default(struct grok_opts *o);

/* Compiles expr (Logstash syntax, NUL-terminated) with the patterns of lib
 * (NULL: none). o NULL: defaults. where names the expression for errors
 * ("grammars/sshd/sshd.grok:3"). Errors name the file:line and pattern the
 * problem came from and its offset there and in the expanded regex. lib is
 * not needed after this returns. */
int  grok_compile(struct grok **out, const struct grok_lib *lib, const char *expr,
                  const struct grok_opts *o, const char *where, struct sl_err *err);
void grok_free(struct grok *g);                     /* NULL-safe */

struct grok_scratch *grok_scratch_new(void);
void grok_scratch_free(struct grok_scratch *s);     /* NULL-safe */
/* The caller is about to try several expressions on this line (line, len
 * exactly as it will pass them): what every match checks first (a newline,
 * UTF-8) is worked out once. grok_scratch_line(s, NULL, 0) when done, before
 * the buffer may hold another line. */
void grok_scratch_line(struct grok_scratch *s, const char *line, size_t len);

/* Matches line[0..len) (need not be NUL-terminated). A line that is not
 * well-formed UTF-8 is matched as common/json.h writes it: each bad byte
 * read as Latin-1 (the line is transcoded into the scratch first; its
 * values are then views of that copy). On GROK_MATCH each field is emitted
 * once, in the order of its first appearance in the expression: the first
 * of its groups that took part in the match and captured something (an
 * empty capture is skipped unless keep_empty). :int and :float values that are valid numbers are emitted as
 * FLD_INT / FLD_FLOAT in JSON's canonical form (+5 -> 5, 007 -> 7, .5 ->
 * 0.5); values that are not (or overflow int64, or exceed GROK_NUM_MAX) are
 * emitted as FLD_STRING. If emit returns non-zero, the remaining fields are
 * not emitted and the result is GROK_LIMIT (as parser/grammar.h has it).
 * Nothing is emitted on any other result. */
enum grok_result grok_match(const struct grok *g, struct grok_scratch *s, const char *line,
                            size_t len, fld_emit_fn emit, void *arg);

/* For `sluice test --explain`, `sluice check` and errors; borrowed. */
const char *grok_expr(const struct grok *g);                    /* as written */
/* The ASCII literal every match starts with (after the regex's `^`), *len
 * bytes of it, 0 when there is none; a line without '\n' that does not
 * start with it is a miss (grok_match tests it too). */
const char *grok_lead(const struct grok *g, size_t *len);
/* The ASCII bytes a match can start with, when the regex starts with `^`
 * (no leading literal, no top-level `|`) and PCRE2 can tell: bit c of
 * bits[c >> 6] for each byte c < 128. 0 when unknown. A line without '\n'
 * whose first byte is ASCII and not among them is a miss. */
int grok_first_bytes(const struct grok *g, uint64_t bits[2]);
const char *grok_expanded(const struct grok *g, size_t *len);   /* the PCRE2 regex */
int         grok_jit(const struct grok *g);     /* 1: JIT compiled (now, if it was not yet: on first use) */
size_t      grok_field_count(const struct grok *g);
const struct fld_name *grok_field(const struct grok *g, size_t i, enum fld_type *type);

/* How far the expression gets on a line it does not match. The expression
 * is cut into its top-level pieces (`%{IP:client}`, ` `, `\[`, `(...)?`...);
 * the longest run of leading pieces that matches is found. */
struct grok_miss {
    int    explained;           /* 0: the expression has a top-level | and was not cut */
    size_t pieces, matched;     /* pieces in the expression; leading pieces that match */
    size_t start, end;          /* the bytes of the line those pieces matched (of the
                                 * Latin-1-transcoded line when it was not UTF-8) */
    size_t next_off, next_len;  /* the first piece that did not match, in grok_expr()
                                 * (next_len 0: the whole expression matched) */
};
/* Slow (compiles up to log2(pieces) prefixes, no JIT); for tools, not the pipeline. */
void grok_explain_miss(const struct grok *g, const char *line, size_t len, struct grok_miss *m);

#endif
