/* parser/builtin.c: the embedded grammars (builtin.h); the data itself is
 * generated at build time into builtin_data.c. */
#include <stdio.h>
#include <string.h>

#include "parser/builtin.h"

int builtin_patterns_load(struct grok_lib *lib, struct sl_err *err)
{
    char path[256];
    int rc = 0;

    for (const struct builtin_file *f = builtin_pattern_files; f->name && !rc; f++) {
        snprintf(path, sizeof path, "builtin:grammars/patterns/%s", f->name);
        rc = grok_lib_load_text(lib, path, f->text, f->len, err);
    }
    return rc;
}

const struct builtin_file *builtin_grammar(const char *program)
{
    for (const struct builtin_file *f = builtin_grammar_files; f->name; f++)
        if (strcmp(f->name, program) == 0)
            return f;
    return NULL;
}

void builtin_grammar_names(char *out, size_t outlen)
{
    size_t n = 0;

    if (!outlen)
        return;
    out[0] = '\0';
    for (const struct builtin_file *f = builtin_grammar_files; f->name && n + 1 < outlen; f++) {
        int k = snprintf(out + n, outlen - n, "%s%s", n ? ", " : "", f->name);
        if (k < 0)
            break;
        n += (size_t)k;
    }
    if (n >= outlen)
        out[outlen - 1] = '\0';
}
