/* bench/c/rusage.c: runs one command and reports what it cost: user and
 * system CPU, wall time and peak RSS, as one JSON line written to --out.
 *
 * Why a launcher: Linux carries a process's peak RSS across fork and exec
 * (the child's high-water mark starts at its parent's RSS), so a command
 * started straight from the Python runner reports at least the runner's
 * ~17 MiB as its ru_maxrss. Started from this small program, the floor is
 * this program's own RSS (about 1 MiB). The command inherits stdin, stdout
 * and stderr; its exit status is reported, not returned: rusage exits 0 when
 * it could run the command and wait for it, 2 otherwise.
 *
 * Usage: rusage --out FILE -- COMMAND [ARG...] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    struct rusage ru;
    int i, status;
    double t0, t1;
    pid_t pid;
    FILE *f;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--") == 0)
            break;
        else
            i = argc;
    }
    if (!out || i + 1 >= argc) {
        fprintf(stderr, "usage: rusage --out FILE -- COMMAND [ARG...]\n");
        return 2;
    }
    t0 = now();
    pid = fork();
    if (pid < 0) {
        perror("rusage: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[i + 1], argv + i + 1);
        perror("rusage: exec");
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("rusage: wait4");
        return 2;
    }
    t1 = now();
    f = fopen(out, "w");
    if (!f) {
        perror("rusage: --out");
        return 2;
    }
    fprintf(f, "{\"exit\":%d,\"signal\":%d,\"user_s\":%.6f,\"sys_s\":%.6f,\"wall_s\":%.6f,\"maxrss_kib\":%ld}\n",
            WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
            tv(ru.ru_utime), tv(ru.ru_stime), t1 - t0, ru.ru_maxrss);
    return fclose(f) == 0 ? 0 : 2;
}
