# tests/: the include-direction check and the integration scripts.
TESTS += scripts/check-deps
EXTRA_DIST += tests/fixtures tests/integration
