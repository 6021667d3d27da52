# common/: standalone helpers; includes nothing else of sluice.
noinst_LIBRARIES += libsl_common.a
libsl_common_a_CFLAGS = $(AM_CFLAGS) $(XXHASH_CFLAGS)
libsl_common_a_SOURCES = \
	common/backoff.c common/backoff.h \
	common/bounds.h \
	common/buf.c common/buf.h \
	common/cidr.c common/cidr.h \
	common/clock.c common/clock.h \
	common/err.c common/err.h \
	common/file.c common/file.h \
	common/hash.c common/hash.h \
	common/idxname.c common/idxname.h \
	common/json.c common/json.h \
	common/log.c common/log.h \
	common/mem.c common/mem.h \
	common/queue.c common/queue.h \
	common/rec.c common/rec.h \
	common/schema.c common/schema.h
COMMON_LIBS = libsl_common.a $(XXHASH_LIBS) -lpthread

check_PROGRAMS += tests/unit/test_common
TESTS += tests/unit/test_common
tests_unit_test_common_SOURCES = tests/unit/test_common.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_common_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_common_LDADD = $(COMMON_LIBS) $(TEST_LIBS)
