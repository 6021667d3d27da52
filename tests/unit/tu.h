/* tests/unit/tu.h: the shared CUnit runner. Each test program builds a
 * CU_SuiteInfo table and returns tu_main(argc, argv, suites): the exit status
 * is the number of failures (0 = pass), so automake's TESTS reads it. */
#ifndef TU_H
#define TU_H
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <string.h>

int tu_main(int argc, char **argv, CU_SuiteInfo *suites);
/* Prints "\n  WHERE: message\n" on stderr (a failure with its place, e.g.
 * file:line of a sample); returns 1, to be added to a failure count. */
int tu_fail_at(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Path of a file under tests/fixtures (srcdir aware); static buffer. */
const char *tu_fixture(const char *name);
/* The whole file, NUL-terminated (*len, if not NULL, without the NUL); the
 * caller frees it. NULL with errno set when it cannot be read. */
char *tu_read_file(const char *path, size_t *len);
/* The next line of a tu_read_file buffer, cut in place at its '\n' (a '\r'
 * before it dropped); *cur moves past it. NULL at the end; a last line
 * without '\n' is a line. */
char *tu_next_line(char **cur);

#define TU_ASSERT_STR(actual, expected) \
    CU_ASSERT_STRING_EQUAL((actual) ? (actual) : "(null)", (expected))
/* Asserts that haystack (NUL-terminated) contains needle; prints both on failure. */
#define TU_ASSERT_HAS(haystack, needle) \
    do { const char *h_ = (haystack); int ok_ = h_ && strstr(h_, (needle)) != NULL; \
         if (!ok_) fprintf(stderr, "\n  expected to find: %s\n  in: %s\n", (needle), h_ ? h_ : "(null)"); \
         CU_ASSERT(ok_); } while (0)
#define TU_ASSERT_HASNT(haystack, needle) \
    do { const char *h_ = (haystack); int ok_ = h_ && strstr(h_, (needle)) == NULL; \
         if (!ok_) fprintf(stderr, "\n  expected NOT to find: %s\n  in: %s\n", (needle), h_ ? h_ : "(null)"); \
         CU_ASSERT(ok_); } while (0)

#endif
