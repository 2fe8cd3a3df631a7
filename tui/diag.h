/* diag.h — problems found while loading user files (config, keymaps,
 * themes), kept as "source:line: message" so the UI can show them.
 *
 * Loading never stops at the first problem: every bad line is recorded and
 * the rest of the file still takes effect. */
#ifndef HUBTUI_DIAG_H
#define HUBTUI_DIAG_H

#include <stddef.h>

typedef struct diag_list {
    char **items; /* "source:line: message", oldest first */
    size_t n;
    size_t cap;
} diag_list;

/* Record a problem (line <= 0 leaves the line number out). d may be NULL. */
void diag_add(diag_list *d, const char *source, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Move every item of src to the end of dst (src ends empty). */
void diag_take(diag_list *dst, diag_list *src);
/* Free every item; the list can be reused. */
void diag_clear(diag_list *d);

#endif
