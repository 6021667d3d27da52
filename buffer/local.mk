# buffer/: the durable spool; includes only common/.
noinst_LIBRARIES += libsl_buffer.a
libsl_buffer_a_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(LZ4_CFLAGS) $(XXHASH_CFLAGS)
libsl_buffer_a_SOURCES = \
	buffer/spool.c buffer/spool.h
BUFFER_LIBS = libsl_buffer.a $(ZLIB_LIBS) $(LZ4_LIBS)
EXTRA_DIST += buffer/README.md

check_PROGRAMS += tests/unit/test_spool
TESTS += tests/unit/test_spool
tests_unit_test_spool_SOURCES = tests/unit/test_spool.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_spool_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_spool_LDADD = $(BUFFER_LIBS) $(COMMON_LIBS) $(TEST_LIBS)
