#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

int sl_log_level = SL_LOG_INFO;
static FILE *log_stream;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void sl_log_set_level(int level)
{
    if (level >= SL_LOG_ERROR && level <= SL_LOG_DEBUG)
        sl_log_level = level;
}

int sl_log_parse_level(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, level_names[i]) == 0)
            return i;
    if (strcasecmp(s, "warning") == 0)
        return SL_LOG_WARN;
    return -1;
}

void sl_log_set_stream(FILE *f)
{
    log_stream = f;
}

void sl_log_write(int level, const char *comp, const char *fmt, ...)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    size_t n;
    int k;
    va_list ap;
    FILE *out = log_stream ? log_stream : stderr;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    k = snprintf(line + n, sizeof line - n, ".%03ldZ %-5s %s: ", ts.tv_nsec / 1000000L,
                 level_names[level < 0 || level > 3 ? 0 : level], comp);
    if (k > 0)
        n += (size_t)k < sizeof line - n ? (size_t)k : sizeof line - n - 1;
    va_start(ap, fmt);
    k = vsnprintf(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    if (k > 0)
        n += (size_t)k < sizeof line - n ? (size_t)k : sizeof line - n - 1;
    if (n >= sizeof line - 1)
        n = sizeof line - 2;
    line[n++] = '\n';
    /* One write per line: lines from several threads never interleave. */
    if (write(fileno(out), line, n) < 0) {
        /* Nothing sensible to do when the log itself cannot be written. */
    }
}

int sl_episode_hit(struct sl_episode *ep)
{
    ep->count++;
    if (ep->active)
        return 0;
    ep->active = 1;
    return 1;
}

uint64_t sl_episode_end(struct sl_episode *ep)
{
    uint64_t n = ep->active ? ep->count : 0;

    ep->active = 0;
    ep->count = 0;
    return n;
}
