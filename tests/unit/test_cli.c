/* tests/unit/test_cli.c: shipper/cli.c's pieces shared by the commands: the
 * --from/--to time parser of `sluice buffer export` and `sluice replay`, and
 * the byte sizes they print. */
#include <stdint.h>
#include <stdio.h>

#include "shipper/cli.h"
#include "tests/unit/tu.h"

#define DAY2 1767312000000LL    /* 2026-01-02T00:00:00Z in ms */

static int64_t t(const char *s)
{
    int64_t ms = -1;

    return cli_parse_time(s, &ms) ? -1 : ms;
}

static void t_forms(void)
{
    CU_ASSERT_EQUAL(t("2026-01-02"), DAY2);
    CU_ASSERT_EQUAL(t("2026-01-02T00:00:00Z"), DAY2);
    CU_ASSERT_EQUAL(t("2026-01-02t00:00z"), DAY2);
    CU_ASSERT_EQUAL(t("2026-01-02 10:30"), DAY2 + 37800000);
    CU_ASSERT_EQUAL(t("2026-01-02T10:30:15.25Z"), DAY2 + 37815250);
    CU_ASSERT_EQUAL(t("2026-01-02T10:30:15.123456789Z"), DAY2 + 37815123);
    CU_ASSERT_EQUAL(t("1970-01-01"), 0);
    CU_ASSERT_EQUAL(t("1969-12-31T23:59:59.5Z"), -500);
}

static void t_offsets(void)
{
    CU_ASSERT_EQUAL(t("2026-01-02T02:00:00+02:00"), DAY2);
    CU_ASSERT_EQUAL(t("2026-01-01T19:00:00-0500"), DAY2);
    CU_ASSERT_EQUAL(t("2026-01-02T00:00:00+00:00"), DAY2);
}

static void t_refused(void)
{
    static const char *const bad[] = {
        "", "2026", "2026-1-2", "2026-01-02T", "2026-01-02T10", "2026-01-02T10:3",
        "2026-13-01", "2026-02-30", "2026-01-00", "2026-01-02T24:00", "2026-01-02T10:60",
        "2026-01-02T10:00:00.", "2026-01-02T10:00:00+2", "2026-01-02T10:00:00+25:00",
        "2026-01-02Z", "2026-01-02T10:00:00Z ", "yesterday", "1767312000000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (t(bad[i]) != -1)
            fprintf(stderr, "\n  accepted: '%s'\n", bad[i]);
        CU_ASSERT_EQUAL(t(bad[i]), -1);
    }
    CU_ASSERT_EQUAL(t("2024-02-29"), 1709164800000LL);     /* a leap day is a day */
}

static void t_bytes(void)
{
    char b[32];

    TU_ASSERT_STR(cli_fmt_bytes(0, b, sizeof b), "0 B");
    TU_ASSERT_STR(cli_fmt_bytes(1023, b, sizeof b), "1023 B");
    TU_ASSERT_STR(cli_fmt_bytes(1024, b, sizeof b), "1.0 KiB");
    TU_ASSERT_STR(cli_fmt_bytes(5u * 1024 * 1024 + 512 * 1024, b, sizeof b), "5.5 MiB");
    TU_ASSERT_STR(cli_fmt_bytes(3ull << 40, b, sizeof b), "3.0 TiB");
    TU_ASSERT_STR(cli_fmt_bytes(5ull << 50, b, sizeof b), "5120.0 TiB");
}

static CU_TestInfo tests[] = {
    { "dates, date-times with Z, space or T, fractions cut to ms", t_forms },
    { "an offset moves the time to UTC (+02:00, -0500)", t_offsets },
    { "malformed or impossible times are refused; Feb 29 of a leap year is not", t_refused },
    { "byte sizes print in B, KiB, MiB ... TiB", t_bytes },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "cli", NULL, NULL, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    return tu_main(argc, argv, suites);
}
