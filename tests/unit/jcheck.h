/* tests/unit/jcheck.h: strict JSON checking for test documents, and reading
 * their values by dotted path. */
#ifndef TU_JCHECK_H
#define TU_JCHECK_H
#include <stddef.h>
#include <stdint.h>

#include <libfastjson/json.h>

/* 0 when doc[0..n) is one strict JSON object in valid UTF-8, nothing around it. */
int tu_strict_json(const char *doc, size_t n);

/* The value at a dotted path ("log.syslog.appname") under root, or NULL. */
struct fjson_object *tu_jat(struct fjson_object *root, const char *path);
/* Its string (NULL when absent or not a string), or its integer (-999999
 * when absent or not an integer). */
const char *tu_jstr(struct fjson_object *root, const char *path);
int64_t tu_jint(struct fjson_object *root, const char *path);

#endif
