# parser/: bytes of one syslog message -> event -> JSON document.
# Includes common/ only (scripts/check-deps checks); no I/O, no threads.
noinst_LIBRARIES += libsl_parser.a
libsl_parser_a_SOURCES = \
	parser/evt.c parser/evt.h parser/evt_impl.h \
	parser/evt_json.c \
	parser/sd.c parser/sd.h \
	parser/syslog.c parser/syslog.h \
	parser/syslog_time.c parser/syslog_time.h
PARSER_LIBS = libsl_parser.a
EXTRA_DIST += parser/README.md

check_PROGRAMS += tests/unit/test_syslog
TESTS += tests/unit/test_syslog
tests_unit_test_syslog_SOURCES = tests/unit/test_syslog.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_syslog_CFLAGS = $(TEST_CFLAGS) $(FASTJSON_CFLAGS)
tests_unit_test_syslog_LDADD = libsl_parser.a $(COMMON_LIBS) $(FASTJSON_LIBS) $(TEST_LIBS)
