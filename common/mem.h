/* common/mem.h: allocation that never returns NULL. A daemon cannot limp on
 * without memory, so out of memory aborts naming the size (redis policy). */
#ifndef SL_MEM_H
#define SL_MEM_H
#include <stddef.h>

void *sl_malloc(size_t n);
void *sl_calloc(size_t n, size_t size);
void *sl_realloc(void *p, size_t n);
char *sl_strdup(const char *s);
char *sl_strndup(const char *s, size_t n);
void  sl_free(void *p);

#endif
