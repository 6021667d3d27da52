# tests/: the include-direction check, sluice test over every grammar's
# samples, and the integration scripts.
TESTS += scripts/check-deps tests/grammar_samples.sh tests/schema_check.sh tests/enrich_cli.sh
EXTRA_DIST += tests/fixtures tests/integration tests/grammar_samples.sh tests/schema_check.sh \
	tests/enrich_cli.sh scripts/schema scripts/dashboards
