# parser/: bytes of one syslog message -> event -> JSON document.
# Includes common/ only (scripts/check-deps checks); no I/O, no threads.
noinst_LIBRARIES += libsl_parser.a
libsl_parser_a_SOURCES = \
	parser/evt.c parser/evt.h parser/evt_impl.h \
	parser/evt_json.c \
	parser/sd.c parser/sd.h \
	parser/syslog.c parser/syslog.h \
	parser/syslog_time.c parser/syslog_time.h \
	parser/datefmt.c parser/datefmt.h
PARSER_LIBS = libsl_parser.a
EXTRA_DIST += parser/README.md

check_PROGRAMS += tests/unit/test_syslog
TESTS += tests/unit/test_syslog
tests_unit_test_syslog_SOURCES = tests/unit/test_syslog.c tests/unit/tu.c tests/unit/tu.h \
	tests/unit/jcheck.c tests/unit/jcheck.h
tests_unit_test_syslog_CFLAGS = $(TEST_CFLAGS) $(FASTJSON_CFLAGS)
tests_unit_test_syslog_LDADD = libsl_parser.a $(COMMON_LIBS) $(FASTJSON_LIBS) $(TEST_LIBS)

# Normalization: the grammar interface, liblognorm rulebases, dispatch by program.
libsl_parser_a_SOURCES += \
	parser/grammar.c parser/grammar.h \
	parser/lognorm.c parser/lognorm.h \
	parser/route.c parser/route.h
# liblognorm.h includes <json.h> from libfastjson's directory
libsl_parser_a_CPPFLAGS = $(AM_CPPFLAGS) $(LOGNORM_CFLAGS) $(FASTJSON_CFLAGS)

check_PROGRAMS += tests/unit/test_lognorm tests/unit/test_route
TESTS += tests/unit/test_lognorm tests/unit/test_route
tests_unit_test_lognorm_SOURCES = tests/unit/test_lognorm.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_lognorm_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_lognorm_LDADD = libsl_parser.a $(COMMON_LIBS) $(LOGNORM_LIBS) $(FASTJSON_LIBS) $(TEST_LIBS)
tests_unit_test_route_SOURCES = tests/unit/test_route.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_route_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_route_LDADD = libsl_parser.a $(COMMON_LIBS) $(LOGNORM_LIBS) $(FASTJSON_LIBS) $(TEST_LIBS)

# Grok: pattern libraries (grammars/patterns), expressions compiled once to
# PCRE2 with JIT, typed fields (fields.h). test_patterns runs the samples in
# grammars/patterns/tests against the library.
libsl_parser_a_SOURCES += \
	parser/fields.c parser/fields.h \
	parser/grok.c parser/grok.h \
	parser/grok_lib.c parser/grok_lib.h \
	parser/grok_req.c parser/grok_req.h \
	parser/norm.c parser/norm.h
libsl_parser_a_CPPFLAGS += $(PCRE2_CFLAGS)
EXTRA_DIST += grammars/README.md grammars/patterns

# The pattern library and the program grammars, compiled in (parser/builtin.h).
# scripts/embed-grammars runs on every build (it reads grammars/ itself, so a
# file added there needs no edit here) and replaces builtin_data.c only when
# the text changed (quietly: it runs every time). It is generated in the build
# tree, never in srcdir.
libsl_parser_a_SOURCES += parser/builtin.c parser/builtin.h
nodist_libsl_parser_a_SOURCES = parser/builtin_data.c
BUILT_SOURCES += parser/builtin_data.c
CLEANFILES += parser/builtin_data.c
dist_noinst_SCRIPTS += scripts/embed-grammars
parser/builtin_data.c: sl-embed-grammars
	@$(MKDIR_P) parser && $(SHELL) $(top_srcdir)/scripts/embed-grammars $(top_srcdir) $@
sl-embed-grammars:
.PHONY: sl-embed-grammars

check_PROGRAMS += tests/unit/test_grok tests/unit/test_patterns
TESTS += tests/unit/test_grok tests/unit/test_patterns
tests_unit_test_grok_SOURCES = tests/unit/test_grok.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_grok_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_grok_LDADD = libsl_parser.a $(COMMON_LIBS) $(PCRE2_LIBS) $(TEST_LIBS)
tests_unit_test_patterns_SOURCES = tests/unit/test_patterns.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_patterns_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_patterns_LDADD = libsl_parser.a $(COMMON_LIBS) $(PCRE2_LIBS) $(TEST_LIBS)

# Program timestamps: date formats, TIMESTAMP lines, @timestamp and event.created.
check_PROGRAMS += tests/unit/test_datefmt
TESTS += tests/unit/test_datefmt
tests_unit_test_datefmt_SOURCES = tests/unit/test_datefmt.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_datefmt_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_datefmt_LDADD = libsl_parser.a $(COMMON_LIBS) $(PCRE2_LIBS) $(LOGNORM_LIBS) \
	$(FASTJSON_LIBS) $(TEST_LIBS)

# Grammar fields in the event and their merge into the document.
check_PROGRAMS += tests/unit/test_evt_fields
TESTS += tests/unit/test_evt_fields
tests_unit_test_evt_fields_SOURCES = tests/unit/test_evt_fields.c tests/unit/tu.c tests/unit/tu.h \
	tests/unit/jcheck.c tests/unit/jcheck.h
tests_unit_test_evt_fields_CFLAGS = $(TEST_CFLAGS) $(FASTJSON_CFLAGS)
tests_unit_test_evt_fields_LDADD = libsl_parser.a $(COMMON_LIBS) $(FASTJSON_LIBS) $(TEST_LIBS)

# Program grammars (grammars/<program>/): every sample of every grammar
# against its expected fields. The directories are listed for dist.
check_PROGRAMS += tests/unit/test_grammars
TESTS += tests/unit/test_grammars
tests_unit_test_grammars_SOURCES = tests/unit/test_grammars.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_grammars_CFLAGS = $(TEST_CFLAGS) $(FASTJSON_CFLAGS)
tests_unit_test_grammars_LDADD = libsl_parser.a $(COMMON_LIBS) $(PCRE2_LIBS) $(FASTJSON_LIBS) $(TEST_LIBS)
EXTRA_DIST += grammars/apache grammars/cisco grammars/cron grammars/dhcpd grammars/dovecot \
	grammars/haproxy grammars/kernel grammars/named grammars/nginx grammars/postfix \
	grammars/sshd grammars/su grammars/sudo grammars/systemd
