/* markset.h — the set of marked records of a list (Space, V, *).
 *
 * "Mark every match" on a million contacts must stay small and fast, so
 * records are kept by their numeric id (local creates are negative) in an
 * open-addressing hash set: 8 bytes a record, constant time per test. */
#ifndef HUBTUI_MARKSET_H
#define HUBTUI_MARKSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct markset {
    int64_t *slots;
    size_t cap, n;
} markset;

/* Is the record marked? id is a record id ("51", "local-7"). */
bool markset_has(const markset *m, const char *id);
/* Mark / unmark; true when the set changed. */
bool markset_add(markset *m, const char *id);
bool markset_remove(markset *m, const char *id);
/* Mark if unmarked, else unmark; returns whether it is now marked. */
bool markset_toggle(markset *m, const char *id);
size_t markset_count(const markset *m);
void markset_clear(markset *m);
/* Every marked id as text, ascending by number (caller frees the array). */
char (*markset_ids(const markset *m, size_t *n))[32];

#endif
