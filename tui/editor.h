/* editor.h — changing a property, with an editor that fits its type.
 *
 * Enumerations pick an option by label, yes/no picks Yes or No, several
 * checkboxes tick options, owners pick a person, a pipeline stage picks
 * among the stages of the record's pipeline, a pipeline among pipelines;
 * dates, date-times (in the portal's zone), numbers and text are typed.
 * Whatever comes out is checked by cache/validate.h before anything is
 * queued: a bad value keeps the editor open with the reason and the
 * mistake marked; read-only and calculated properties are refused with the
 * reason; a lifecycle stage moved backwards explains HubSpot's rule and
 * offers to clear the stage first. Nothing invalid reaches the outbox. */
#ifndef HUBTUI_EDITOR_H
#define HUBTUI_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "browser.h"

/* Edit prop of one record, queueing the change when it is valid. */
void editor_edit(browser *b, const char *object, const char *id, const char *prop);

/* The editor part alone, for bulk edits: choose or type a value for p. */
typedef struct value_editor {
    browser *b;
    const objmeta *m;        /* held by the caller while the editor is open */
    const prop_def *p;
    const char *current;     /* raw current value (preselected), or NULL */
    const char *const *pipelines; /* stage pickers offer only these pipelines' */
    size_t npipelines;            /* stages (npipelines 0: every pipeline) */
    /* The value chosen (an option value, "" to clear) or typed (typed true). */
    void (*chosen)(void *ud, app *a, const char *input, bool typed);
    void (*cancel)(void *ud, app *a);
    void *ud;
    /* The editor's own (zeroed by the caller, freed by value_editor_clear). */
    cmdline line;
    bool line_ready;
    char label[64];
} value_editor;

/* Open the editor fitting ve->p; ve must live until chosen or cancel runs. */
void value_editor_open(app *a, value_editor *ve);
/* Free what the editor kept (its text line); call when the flow ends. */
void value_editor_clear(value_editor *ve);
/* Reopen the text editor with input and a message about what is wrong. */
void value_editor_retry(app *a, value_editor *ve, const char *input, const char *error);
/* Can p be edited? When not, why goes into why ("Record ID is set by
 * HubSpot and is read-only"). */
bool editor_editable(const prop_def *p, char *why, size_t whylen);

#endif
