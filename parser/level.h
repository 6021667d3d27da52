/* parser/level.h: the log level a message carries, and which level
 * log.level gets (parser/README.md, "Log level").
 *
 * log.level is one of eight words, the syslog severities' (emergency alert
 * critical error warning notice info debug), numbered like them 0..7. The
 * syslog severity gives it by default; a message that carries a level of its
 * own (`ERROR ...`, `[warn]`, `level=info`, a JSON "level" member, a grammar's
 * log.level field) gives it instead when level_opts says so. The severity
 * itself always stays in log.syslog.severity. */
#ifndef PARSER_LEVEL_H
#define PARSER_LEVEL_H
#include <stddef.h>

struct evt;

enum level_prefer {
    LEVEL_PREFER_MESSAGE = 0,   /* the message's level when it has one */
    LEVEL_PREFER_SEVERITY,      /* the severity, unless the line had no usable <PRI> */
};

struct level_opts {
    int detect;                 /* look for a level in the message at all */
    int prefer;                 /* enum level_prefer */
};

void level_opts_default(struct level_opts *o);     /* detect, prefer the message */

/* A level word as programs write it, any case, the whole of [w, w+n):
 * "WARN", "Err", "fatal", "E"... → 0..7; -1 when it is not one. Single
 * letters are levels only where the caller's context says so (letters=1). */
int  level_word(const char *w, size_t n, int letters);
/* The level the message's text carries (the forms in parser/README.md),
 * or -1. Reads at most the message; never allocates. */
int  level_find(const char *msg, size_t len);
/* "emergency" ... "debug" for 0..7; NULL otherwise. */
const char *level_name(int level);

/* Before the grammars run: lets a grammar's log.level field count as the
 * message's level (evt_field_emit) when o allows the message to win. */
void level_begin(struct evt *e, const struct level_opts *o);
/* After the grammars (and payloads): settles the event's log.level. A
 * grammar's level comes first; the text is searched only when search_text
 * (the pipeline: when no grammar matched the line). */
void level_apply(struct evt *e, const struct level_opts *o, int search_text);

#endif
