/* assocedit.h — adding and removing associations between records.
 *
 * Adding: pick the object type (unless given), find the record by search
 * (the filter language: words search names, e-mails, domains), pick it from
 * the matches, pick the association label when the two types have several,
 * and the change is queued (outbox_enqueue_assoc). Removing asks first.
 * Both show in the graph as pending until pushed, and `u` undoes them. */
#ifndef HUBTUI_ASSOCEDIT_H
#define HUBTUI_ASSOCEDIT_H

#include "browser.h"

/* Associate a record of type to_type (NULL: ask) with object/id. */
void assoc_add(browser *b, const char *object, const char *id, const char *to_type);
/* Remove the association between two records, after a confirmation.
 * to_name names the other record in the question; label (may be NULL) is
 * the association label it was shown under. */
void assoc_remove(browser *b, const char *from_object, const char *from_id,
                  const char *to_object, const char *to_id, const char *to_name, int type_id,
                  const char *category, const char *label);

#endif
