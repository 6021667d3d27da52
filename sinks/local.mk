# sinks/: records in, one verdict per record out: Elasticsearch/OpenSearch
# _bulk over libcurl (gzip via zlib) and an NDJSON file. Includes common/ only.
noinst_LIBRARIES += libsl_sinks.a
libsl_sinks_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(ZLIB_CFLAGS) $(FASTJSON_CFLAGS)
libsl_sinks_a_SOURCES = \
	sinks/sink.c sinks/sink.h \
	sinks/ndjson.c sinks/ndjson.h \
	sinks/es.c sinks/es.h \
	sinks/es_bulk.c sinks/es_bulk.h \
	sinks/es_conf.c sinks/es_conf.h \
	sinks/es_resp.c sinks/es_resp.h \
	sinks/es_nodes.c sinks/es_nodes.h \
	sinks/es_cluster.c sinks/es_cluster.h \
	sinks/es_conn.h \
	sinks/es_setup.c sinks/es_setup.h \
	sinks/es_template.c sinks/es_template.h \
	sinks/es_priv.c sinks/es_priv.h \
	sinks/dlq.c sinks/dlq.h
# The template mappings, compiled in (sinks/es_template.h), as
# parser/local.mk does for the grammars: scripts/embed-templates runs on
# every build and replaces the file only when its text changed.
nodist_libsl_sinks_a_SOURCES = sinks/es_template_data.c
BUILT_SOURCES += sinks/es_template_data.c
CLEANFILES += sinks/es_template_data.c
dist_noinst_SCRIPTS += scripts/embed-templates
EXTRA_DIST += scripts/c-lit.awk sinks/templates/ecs-mappings.json sinks/templates/README.md
sinks/es_template_data.c: sl-embed-templates
	@$(MKDIR_P) sinks && $(SHELL) $(top_srcdir)/scripts/embed-templates $(top_srcdir) $@
sl-embed-templates:
.PHONY: sl-embed-templates
# What a program linking the sinks needs after libsl_sinks.a (then COMMON_LIBS).
SINKS_LIBS = libsl_sinks.a $(CURL_LIBS) $(ZLIB_LIBS) $(FASTJSON_LIBS)
EXTRA_DIST += sinks/README.md

check_PROGRAMS += tests/unit/test_es_bulk tests/unit/test_es_resp \
	tests/unit/test_es_sink tests/unit/test_ndjson tests/unit/test_es_template \
	tests/unit/test_es_priv
TESTS += tests/unit/test_es_bulk tests/unit/test_es_resp \
	tests/unit/test_es_sink tests/unit/test_ndjson tests/unit/test_es_template \
	tests/unit/test_es_priv

tests_unit_test_es_template_SOURCES = tests/unit/test_es_template.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_es_template_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_es_template_LDADD = $(SINKS_LIBS) $(COMMON_LIBS) $(TEST_LIBS)

tests_unit_test_es_bulk_SOURCES = tests/unit/test_es_bulk.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_es_bulk_CFLAGS = $(TEST_CFLAGS) $(ZLIB_CFLAGS)
tests_unit_test_es_bulk_LDADD = $(SINKS_LIBS) $(COMMON_LIBS) $(TEST_LIBS)

tests_unit_test_es_resp_SOURCES = tests/unit/test_es_resp.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_es_resp_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_es_resp_LDADD = $(SINKS_LIBS) $(COMMON_LIBS) $(TEST_LIBS)

tests_unit_test_es_sink_SOURCES = tests/unit/test_es_sink.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_es_sink_CFLAGS = $(TEST_CFLAGS) $(CURL_CFLAGS) $(ZLIB_CFLAGS)
tests_unit_test_es_sink_LDADD = $(SINKS_LIBS) $(COMMON_LIBS) $(TEST_LIBS)

tests_unit_test_ndjson_SOURCES = tests/unit/test_ndjson.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_ndjson_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_ndjson_LDADD = $(SINKS_LIBS) $(COMMON_LIBS) $(TEST_LIBS)

tests_unit_test_es_priv_SOURCES = tests/unit/test_es_priv.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_es_priv_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_es_priv_LDADD = $(SINKS_LIBS) $(COMMON_LIBS) $(TEST_LIBS)
