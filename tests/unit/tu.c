#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/tu.h"

int tu_main(int argc, char **argv, CU_SuiteInfo *suites)
{
    unsigned failed;

    (void)argc;
    (void)argv;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 99;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

const char *tu_fixture(const char *name)
{
    static char path[4096];
    const char *src = getenv("srcdir");

    snprintf(path, sizeof path, "%s/tests/fixtures/%s", src ? src : ".", name);
    return path;
}
