/* common/log.h: sluice's own log, one line per call, key=value fields.
 *   SL_WARN("sink.es[es1]", "bulk item rejected status=%d index=%s", st, idx);
 * The level is checked before anything is formatted. Lines go to stderr (or a
 * stream set at start) with one write each, so threads do not interleave.
 * Conditions that repeat per message are logged once per episode (sl_episode). */
#ifndef SL_LOG_H
#define SL_LOG_H
#include <stdint.h>
#include <stdio.h>

enum sl_level { SL_LOG_ERROR = 0, SL_LOG_WARN, SL_LOG_INFO, SL_LOG_DEBUG };

extern int sl_log_level;

void sl_log_write(int level, const char *comp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sl_log_set_level(int level);
/* "error", "warn", "info", "debug" -> level; -1 when unknown. */
int  sl_log_parse_level(const char *s);
void sl_log_set_stream(FILE *f);

#define SL_LOG(lvl, comp, ...) \
    do { if ((lvl) <= sl_log_level) sl_log_write((lvl), (comp), __VA_ARGS__); } while (0)
#define SL_ERROR(comp, ...) SL_LOG(SL_LOG_ERROR, comp, __VA_ARGS__)
#define SL_WARN(comp, ...)  SL_LOG(SL_LOG_WARN, comp, __VA_ARGS__)
#define SL_INFO(comp, ...)  SL_LOG(SL_LOG_INFO, comp, __VA_ARGS__)
#define SL_DEBUG(comp, ...) SL_LOG(SL_LOG_DEBUG, comp, __VA_ARGS__)

/* An episode: a condition that may hold for many messages in a row. The first
 * hit returns 1 (log it), later hits only count; sl_episode_end returns how
 * many hits the episode had (log "recovered after N") and rearms it.
 * Not thread-safe: one episode belongs to one thread. */
struct sl_episode {
    int      active;
    uint64_t count;
};
int      sl_episode_hit(struct sl_episode *ep);
uint64_t sl_episode_end(struct sl_episode *ep);

#endif
