/* common/file.h: a whole file into memory, under a ceiling. */
#ifndef SL_FILE_H
#define SL_FILE_H
#include <stddef.h>

#include "common/err.h"

/* Reads path into *out (sl_malloc'd, NUL-terminated after *len bytes; the
 * caller frees it with sl_free). SL_EIO when it cannot be opened or read
 * (with the system's reason), SL_ETOOBIG when it holds more than limit
 * bytes; err->where is the path. Nothing is allocated on failure. */
int sl_read_file(const char *path, size_t limit, char **out, size_t *len, struct sl_err *err);

#endif
