/* parser/grok_lib.h: grok pattern libraries, and the expansion of a grok
 * expression into one PCRE2 regex.
 *
 * A library is a set of named patterns read from Logstash's pattern files
 * (`NAME regex` lines) or added one by one. It is built once, then only
 * read: any number of threads may expand expressions from it at once.
 * Expansion turns `%{NAME:field:type}` and `(?<field>...)` into generated
 * group names (g0, g1...) mapped to parsed field names, and rewrites what
 * Oniguruma (Logstash's regex engine) and PCRE2 read differently; the rules
 * are in parser/README.md. grok.c compiles the result; nothing here knows
 * PCRE2. */
#ifndef PARSER_GROK_LIB_H
#define PARSER_GROK_LIB_H
#include <stddef.h>

#include "common/err.h"
#include "parser/fields.h"

#define GROK_NAME_MAX      128u                     /* a pattern's name */
#define GROK_LINE_MAX      (64u * 1024u)            /* one line of a pattern file */
#define GROK_FILE_MAX      (16u * 1024u * 1024u)    /* one pattern file */
#define GROK_PATTERNS_MAX  65536u                   /* names in one library */
#define GROK_NEST_MAX      64u                      /* %{A} inside %{B} inside ... */
#define GROK_EXPANDED_MAX  (1024u * 1024u)          /* bytes of one expanded regex */
#define GROK_CAPS_MAX      1024u                    /* named captures in one expression */

struct grok_lib;

struct grok_lib *grok_lib_new(void);
void grok_lib_free(struct grok_lib *lib);          /* NULL-safe */

/* Reads a pattern file: `NAME regex` per line (name, then blanks, then the
 * regex to the end of the line, trailing blanks included, as Logstash
 * reads it); blank lines and lines starting with `#` are skipped. A name
 * defined again replaces the earlier definition (in this file or an earlier
 * one), as in Logstash. Names are [A-Za-z0-9_]+. Errors: where = path:line.
 * On error the patterns read before the bad line stay in the library. */
int  grok_lib_load_file(struct grok_lib *lib, const char *path, struct sl_err *err);
/* The same for a pattern file's text already in memory (text[0..len), no
 * NUL needed); path names it in errors ("builtin:grammars/patterns/x.grok"). */
int  grok_lib_load_text(struct grok_lib *lib, const char *path, const char *text, size_t len,
                        struct sl_err *err);
/* Reads every regular file of dir named *.grok or without any dot (the
 * layout of Logstash's patterns directories), in byte order of the names;
 * hidden files and subdirectories are skipped. */
int  grok_lib_load_dir(struct grok_lib *lib, const char *dir, struct sl_err *err);
/* Adds (or replaces) one pattern; where (e.g. "config.yaml:12") is kept for
 * errors; NULL reads as "(added)". */
int  grok_lib_add(struct grok_lib *lib, const char *name, const char *regex, const char *where,
                  struct sl_err *err);

size_t      grok_lib_count(const struct grok_lib *lib);
/* The i-th name, in the order names were first defined; borrowed. */
const char *grok_lib_name(const struct grok_lib *lib, size_t i);
/* The regex of name and where it was defined (when where is not NULL);
 * NULL when unknown; borrowed. */
const char *grok_lib_get(const struct grok_lib *lib, const char *name, const char **where);

/* ---- expansion (for grok.c, and for tools that show the result) ---- */

struct grok_cap {                   /* the named group g<i> */
    struct fld_name name;
    enum fld_type   type;           /* FLD_STRING, or FLD_INT / FLD_FLOAT from :int / :float */
};

struct grok_xp_map;                 /* offsets of the regex -> the text they came from */

struct grok_xp {
    char            *regex;         /* NUL-terminated, PCRE2 syntax */
    size_t           len;
    struct grok_cap *cap;           /* cap[i] is the group named "g<i>" */
    size_t           ncap;
    /* The expression's top-level pieces (`%{A}`, ` `, `(...)?`, `\d+`...):
     * piece i ends at regex[piece_end[i]] and at expr[piece_src[i]]. No
     * pieces (npiece 0) when the expression has a top-level `|`. */
    size_t          *piece_end, *piece_src;
    size_t           npiece;
    int              top_alt;       /* a `|` at the expression's top level: a leading
                                     * `^` anchors only the first branch */
    struct grok_xp_map *map;
};

/* Expands expr (NUL-terminated, Logstash syntax) with the patterns of lib
 * (which may be NULL). where names the expression ("sshd.grok:3").
 * Errors say which file:line, which pattern, and the offset in that
 * pattern and in the expanded regex: unknown pattern, a cycle (A -> B -> A),
 * nesting past GROK_NEST_MAX, a bad field name or type, a construct that
 * cannot be translated. The libary is not needed once this returns. */
int  grok_lib_expand(struct grok_xp **out, const struct grok_lib *lib, const char *expr,
                     const char *where, struct sl_err *err);
/* Fills err for a problem at offset off of x->regex: where = the file:line
 * of the pattern (or expression) that offset came from; msg = what, then
 * the offsets and the text around it. Returns code. */
int  grok_lib_locate(const struct grok_xp *x, size_t off, int code, const char *what,
                     struct sl_err *err);
void grok_lib_xp_free(struct grok_xp *x);          /* NULL-safe */

#endif
