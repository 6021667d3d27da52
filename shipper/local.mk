# shipper/: the program; wires parser/, buffer/ and sinks/ together.
noinst_LIBRARIES += libsl_shipper.a
libsl_shipper_a_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(YAML_CFLAGS) $(FASTJSON_CFLAGS)
libsl_shipper_a_SOURCES = \
	shipper/admin.c shipper/admin.h \
	shipper/cli.c shipper/cli.h \
	shipper/cmd_buffer.c \
	shipper/cmd_check.c \
	shipper/cmd_replay.c \
	shipper/cmd_run.c \
	shipper/cmd_test.c \
	shipper/config.c shipper/config.h \
	shipper/config_schema.c \
	shipper/default_config.c \
	shipper/deliver.c shipper/deliver.h \
	shipper/enrich.c shipper/enrich.h shipper/enrich_conf.c \
	shipper/frame.c shipper/frame.h \
	shipper/listen.c shipper/listen.h \
	shipper/metrics.c shipper/metrics.h \
	shipper/pipeline.c shipper/pipeline.h \
	shipper/prom.c shipper/prom.h \
	shipper/rdns.c shipper/rdns.h \
	shipper/reload.c shipper/reload.h \
	shipper/secret.c shipper/secret.h
SHIPPER_LIBS = libsl_shipper.a libsl_parser.a libsl_buffer.a libsl_sinks.a $(COMMON_LIBS) \
	$(EVENT_LIBS) $(YAML_LIBS) $(CURL_LIBS) $(ZLIB_LIBS) $(LZ4_LIBS) $(PCRE2_LIBS) $(LOGNORM_LIBS) \
	$(FASTJSON_LIBS) $(OPENSSL_LIBS)

bin_PROGRAMS += sluice
sluice_SOURCES = shipper/main.c
sluice_LDADD = $(SHIPPER_LIBS)

check_PROGRAMS += tests/unit/test_frame tests/unit/test_listen tests/unit/test_config
TESTS += tests/unit/test_frame tests/unit/test_listen tests/unit/test_config
tests_unit_test_frame_SOURCES = tests/unit/test_frame.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_frame_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_frame_LDADD = $(SHIPPER_LIBS) $(TEST_LIBS)
tests_unit_test_listen_SOURCES = tests/unit/test_listen.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_listen_CFLAGS = $(TEST_CFLAGS) $(EVENT_CFLAGS)
tests_unit_test_listen_LDADD = $(SHIPPER_LIBS) $(TEST_LIBS)
# test_config brings its own sink table (a fake type with every kind of row),
# so it links the config sources directly instead of the sinks library.
tests_unit_test_config_SOURCES = tests/unit/test_config.c tests/unit/tu.c tests/unit/tu.h \
	shipper/config.c shipper/secret.c shipper/config_schema.c shipper/default_config.c \
	shipper/enrich_conf.c
tests_unit_test_config_CFLAGS = $(TEST_CFLAGS) $(YAML_CFLAGS)
tests_unit_test_config_LDADD = libsl_parser.a $(COMMON_LIBS) $(YAML_LIBS) $(PCRE2_LIBS) \
	$(LOGNORM_LIBS) $(FASTJSON_LIBS) $(TEST_LIBS)
check_PROGRAMS += tests/unit/test_pipeline tests/unit/test_deliver
TESTS += tests/unit/test_pipeline tests/unit/test_deliver
tests_unit_test_pipeline_SOURCES = tests/unit/test_pipeline.c tests/unit/tu.c tests/unit/tu.h \
	tests/unit/jcheck.c tests/unit/jcheck.h
tests_unit_test_pipeline_CFLAGS = $(TEST_CFLAGS) $(FASTJSON_CFLAGS)
tests_unit_test_pipeline_LDADD = $(SHIPPER_LIBS) $(TEST_LIBS)
# test_deliver brings its own scripted sink type; the sinks library is not needed.
tests_unit_test_deliver_SOURCES = tests/unit/test_deliver.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_deliver_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_deliver_LDADD = $(SHIPPER_LIBS) $(TEST_LIBS)
check_PROGRAMS += tests/unit/test_cli
TESTS += tests/unit/test_cli
tests_unit_test_cli_SOURCES = tests/unit/test_cli.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_cli_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cli_LDADD = $(SHIPPER_LIBS) $(TEST_LIBS)
check_PROGRAMS += tests/unit/test_metrics
TESTS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_metrics_CFLAGS = $(TEST_CFLAGS) $(EVENT_CFLAGS)
tests_unit_test_metrics_LDADD = $(SHIPPER_LIBS) $(TEST_LIBS)
# Host and time enrichment: fields, host map reload, zones, skew, reverse DNS
# against a DNS responder on 127.0.0.1 written in the test.
check_PROGRAMS += tests/unit/test_enrich
TESTS += tests/unit/test_enrich
tests_unit_test_enrich_SOURCES = tests/unit/test_enrich.c tests/unit/tu.c tests/unit/tu.h
tests_unit_test_enrich_CFLAGS = $(TEST_CFLAGS) $(EVENT_CFLAGS)
tests_unit_test_enrich_LDADD = $(SHIPPER_LIBS) $(TEST_LIBS)
