/* parser/sd.h: RFC 5424 STRUCTURED-DATA. Internal to parser/.
 *
 * Design: SD = 1*("[" SD-ID *(SP NAME "=" DQUOTE VALUE DQUOTE) "]"). Inside a
 * value only \" \\ and \] are escapes (RFC 5424 6.3.3); any other backslash
 * is literal. IDs and names (printable ASCII but = SP ] ") are views into the
 * event's copy; values are too unless they hold an escape, then they are
 * rewritten into the event's unesc buffer. Parsing is all or nothing: a
 * broken element leaves the event's SD and the cursor as they were, and the
 * caller keeps the text in the message. */
#ifndef PARSER_SD_H
#define PARSER_SD_H
#include <stddef.h>

struct evt;

/* 0 and the cursor past the SD, or SL_EINVAL (cursor and SD unchanged).
 * Elements and params past the ceilings in evt_impl.h are skipped and tag
 * the event _sluice_sd_limit. */
int sd_parse(struct evt *e, const char **p, size_t *left);

#endif
