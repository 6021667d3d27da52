/* shipper/main.c: argv → command. */
#include <stdio.h>
#include <string.h>

#include "shipper/cli.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: sluice COMMAND [options]\n"
        "\n"
        "commands:\n"
        "  run      run the daemon (`sluice run --help`)\n"
        "  check    validate a config: every problem with file:line:column (`sluice check --help`)\n"
        "  test     run lines through a config's parse and grammars (`sluice test --help`)\n"
        "  buffer   the disk spool offline: status, check, export (`sluice buffer --help`)\n"
        "  replay   send a spool (or a copy) to a sink again (`sluice replay --help`)\n"
        "  version  print the version\n"
        "  help     this text\n");
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd) {
        usage(stderr);
        return 2;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "test") == 0)
        return cmd_test(argc - 1, argv + 1);
    if (strcmp(cmd, "buffer") == 0)
        return cmd_buffer(argc - 1, argv + 1);
    if (strcmp(cmd, "replay") == 0)
        return cmd_replay(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("sluice %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "sluice: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
