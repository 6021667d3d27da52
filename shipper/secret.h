/* shipper/secret.h: the value of a SECRET config field. A field holds either
 * a reference, resolved once at load, or (discouraged) the secret itself:
 *   ${env:NAME}    the environment variable NAME (set and non-empty)
 *   ${file:/path}  the file's content, at most SL_SECRET_FILE_LIMIT bytes, one
 *                  trailing newline (LF or CRLF) stripped; an absolute path
 *   anything else  a literal secret, accepted with a warning
 * A value that starts with "${" is always taken as a reference, so a
 * malformed one is an error rather than a password. Only SECRET fields
 * resolve references; a STR field keeps "${env:X}" as written.
 *
 * No message from here ever contains a secret value: errors and warnings name
 * the variable or the file, never what they hold. */
#ifndef SHIPPER_SECRET_H
#define SHIPPER_SECRET_H
#include <stddef.h>

#include "common/err.h"

/* Resolves text into *value (owned; free with secret_free). warn (wlen bytes)
 * is set to "" or to a warning (plain literal secret, file readable by group or
 * others). On error *value is NULL and err says why. */
int  secret_resolve(const char *text, char **value, char *warn, size_t wlen,
                    struct sl_err *err);
/* Overwrites and frees a resolved value; NULL-safe. */
void secret_free(char *value);

#endif
