/* tests/unit/jcheck.h: strict JSON checking for test documents. */
#ifndef TU_JCHECK_H
#define TU_JCHECK_H
#include <stddef.h>

/* 0 when doc[0..n) is one strict JSON object in valid UTF-8, nothing around it. */
int tu_strict_json(const char *doc, size_t n);

#endif
