/* filtercheck.h — the syntax of a `/` filter, checked as it is typed.
 *
 * A separate module because curses declares a function called filter(),
 * which clashes with cache/filter.h's type in files that draw. */
#ifndef HUBTUI_FILTERCHECK_H
#define HUBTUI_FILTERCHECK_H

#include <stdbool.h>
#include <stddef.h>

/* True when text parses (blank is fine); else false, with the 1-based
 * column of the mistake in *col and what is wrong in msg. */
bool filtercheck(const char *text, int *col, char *msg, size_t msglen);

#endif
