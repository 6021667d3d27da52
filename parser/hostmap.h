/* parser/hostmap.h: metadata per sender host (owner, site, role...) from a
 * file, matched on the message's hostname, then on the sender's address.
 *
 * The file, one entry a line ('#' starts a comment, blank lines skipped):
 *
 *     web01.example.com   owner=web-team site=par1 role=frontend
 *     10.1.0.0/16         site=par1
 *     fd00:1::/32         site=lab  note="two words"
 *
 * The first word is a hostname (compared without case) or a network (an
 * address alone is a /32 or /128); then NAME=VALUE pairs, the value bare or
 * in double quotes (\" and \\ inside). Each NAME becomes the field
 * PREFIX.NAME (prefix "labels" by default: ECS's keyword key/values). A
 * line that cannot be read is an error naming file:line; so is a host or a
 * network given twice.
 *
 * A map is immutable once built: any thread may read it. Field names are
 * interned in a struct hostmap_names that outlives every map loaded with
 * it, because an event caches what it learnt about a name by the name's
 * address: a reloaded map must hand out the same names, never new ones at
 * a freed address. */
#ifndef PARSER_HOSTMAP_H
#define PARSER_HOSTMAP_H
#include <stddef.h>

#include "common/cidr.h"
#include "common/err.h"
#include "parser/fields.h"

#define HOSTMAP_NAMES_MAX 256u     /* distinct field names over the process's life */

struct hostmap_names;
struct hostmap;
struct hostmap_entry;

/* prefix: "labels", "host", "" (none); a bad prefix is SL_EINVAL. */
int  hostmap_names_new(struct hostmap_names **out, const char *prefix, struct sl_err *err);
void hostmap_names_free(struct hostmap_names *n);          /* NULL-safe; after every map */

/* text[0..len) as read from `file` (for messages). 0 and *out, or SL_EINVAL
 * with err->where = file:line. */
int  hostmap_parse(struct hostmap **out, const char *text, size_t len, const char *file,
                   struct hostmap_names *names, struct sl_err *err);
/* The same from a file (at most SL_HOSTMAP_FILE_LIMIT bytes); SL_EIO when
 * it cannot be read. */
int  hostmap_load(struct hostmap **out, const char *path, struct hostmap_names *names,
                  struct sl_err *err);
void hostmap_free(struct hostmap *m);                      /* NULL-safe */
void hostmap_counts(const struct hostmap *m, size_t *hosts, size_t *nets);

/* The entry of host (exact, without case), else of the longest network
 * holding addr (NULL: none); NULL when neither. Borrowed from m. */
const struct hostmap_entry *hostmap_find(const struct hostmap *m, const char *host,
                                         size_t host_len, const struct sl_cidr *addr);
/* Emits the entry's fields (FLD_STRING) in the file's order. */
void hostmap_emit(const struct hostmap *m, const struct hostmap_entry *en, fld_emit_fn emit,
                  void *arg);

#endif
