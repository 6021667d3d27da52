/* parser/builtin.h: the grammars compiled into the binary.
 *
 * The build embeds the repository's grok pattern library
 * (grammars/patterns) and per-program grammar files
 * (grammars/<program>/<program>.grok) as strings (scripts/embed-grammars
 * writes builtin_data.c), so a config can use them with no files installed:
 * the library is loaded before any `patterns:` directory (which adds to it
 * and replaces names it defines again), and `builtin: sshd` names a program
 * grammar. Read-only data; any thread may read it. */
#ifndef PARSER_BUILTIN_H
#define PARSER_BUILTIN_H
#include <stddef.h>

#include "common/err.h"
#include "parser/grok_lib.h"

struct builtin_file {
    const char *name;               /* "grok-patterns.grok"; for a grammar, the program: "sshd" */
    const char *text;               /* the file's bytes (a last line always ends in '\n') */
    size_t      len;
};

/* In byte order of their names; each ends with an entry whose name is NULL. */
extern const struct builtin_file builtin_pattern_files[];
extern const struct builtin_file builtin_grammar_files[];

/* Adds every embedded pattern file to lib, in order, as grok_lib_load_dir
 * would read grammars/patterns. Errors name "builtin:grammars/patterns/F:LINE". */
int builtin_patterns_load(struct grok_lib *lib, struct sl_err *err);

/* The embedded grammars/<program>/<program>.grok; NULL when there is none.
 * Borrowed (static data). */
const struct builtin_file *builtin_grammar(const char *program);

/* "apache, cisco, ..." into out (cut to outlen, NUL-terminated): for errors. */
void builtin_grammar_names(char *out, size_t outlen);

#endif
