/* textview.h — a scrollable page of styled lines: the about view, error
 * details, lists of problems in the user's files.
 *
 * Lines have a theme role and optionally a label drawn in a column of its
 * own. Movement keys scroll, `/` filters the lines as you type, `y` copies
 * the selected line. A rebuild callback, when set, refills the lines before
 * each draw, so a page about live state (theme, size) is never stale. */
#ifndef HUBTUI_TEXTVIEW_H
#define HUBTUI_TEXTVIEW_H

#include "app.h"
#include "theme.h"
#include "view.h"

typedef struct textview textview;

/* A new, empty page titled title, handled as view kind kind. */
textview *textview_new(const char *title, view_kind kind);
/* The view to push or open as an overlay (the app then owns it). */
view *textview_view(textview *tv);

/* Append a line drawn in role. */
void textview_add(textview *tv, theme_role role, const char *text);
void textview_addf(textview *tv, theme_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Append "label  value": the label in field.label, the value in role. */
void textview_add_field(textview *tv, const char *label, theme_role role, const char *value);
/* Remove every line (the cursor stays where it can). */
void textview_clear(textview *tv);
/* Lines shown (after the filter). */
size_t textview_count(const textview *tv);

/* Refill the lines before every draw; ud is passed back. */
void textview_set_rebuild(textview *tv, void (*rebuild)(textview *tv, app *a, void *ud),
                          void *ud);

#endif
