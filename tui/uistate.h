/* uistate.h — where the user left off, kept between runs.
 *
 * hubtui opens on the contacts list the first time and afterwards where the
 * user left off: the object type shown last and, per portal and object
 * type, each list's filter, sort, chosen columns and scroll position (the
 * record at the top, by its sort key, so it survives new records). Also
 * small preferences such as hiding empty properties.
 *
 * One JSON file, $XDG_STATE_HOME/hubtui/state.json (~/.local/state/...),
 * written atomically (temporary file, then rename) with mode 0600. A
 * missing or damaged file just means starting fresh. */
#ifndef HUBTUI_UISTATE_H
#define HUBTUI_UISTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "query.h"

typedef struct list_state {
    char *filter;        /* NULL: none */
    bool has_sort;       /* the user chose a sort (else the config's) */
    char *sort;          /* NULL: by id */
    bool desc;
    char **columns;      /* the user's columns, or NULL (then the config's) */
    size_t ncolumns;
    int64_t top, cursor; /* rows from the start */
    query_cursor anchor; /* the top row's place in the order (valid or not) */
} list_state;

typedef struct uistate uistate;

/* $XDG_STATE_HOME/hubtui/state.json, else ~/.local/state/hubtui/state.json. */
char *uistate_default_path(void);
/* Read the file (missing or unreadable: empty state, never NULL). */
uistate *uistate_load(const char *path);
/* Write it back (creating the directory 0700). */
ht_status uistate_save(uistate *s, ht_error *err);
void uistate_free(uistate *s);

/* The object type the portal showed last, or NULL. */
const char *uistate_last_object(uistate *s, const char *portal);
void uistate_set_last_object(uistate *s, const char *portal, const char *object);
/* A list's saved state; false (out zeroed) when there is none. */
bool uistate_get_list(uistate *s, const char *portal, const char *object, list_state *out);
void uistate_put_list(uistate *s, const char *portal, const char *object, const list_state *ls);
void list_state_clear(list_state *ls);
void list_state_copy(list_state *dst, const list_state *src);
/* A yes/no preference of the portal (def when unset). */
bool uistate_get_flag(uistate *s, const char *portal, const char *key, bool def);
void uistate_set_flag(uistate *s, const char *portal, const char *key, bool on);

#endif
