/* looks.h — how record data maps to theme roles and markers, shared by the
 * list, the detail, the graph and the queue so a pending edit looks the
 * same everywhere. */
#ifndef HUBTUI_LOOKS_H
#define HUBTUI_LOOKS_H

#include <stdbool.h>

#include "format.h"
#include "outbox.h"
#include "theme.h"

/* The role a formatted value is drawn in. */
theme_role looks_value_role(fmt_style s);
/* The role of a value with a queued change in state s (OB_NONE: none). */
theme_role looks_state_role(outbox_state s);
/* A one-column marker for a queued change ("" when none): pending •,
 * sending ↑, conflict !, failed ✗, not applied ?; ASCII with ascii. */
const char *looks_state_marker(outbox_state s, bool ascii);
/* Words for a state in messages ("waiting to be pushed"). */
const char *looks_state_words(outbox_state s);
/* The role for an object type's name (contacts, companies, deals, tickets). */
theme_role looks_object_role(const char *object);

#endif
