/* validate.h — checking a proposed value against the property definition
 * before it may be queued, so nothing invalid reaches the outbox.
 *
 * Input is what a person typed; the result carries the value normalised the
 * way HubSpot wants it (option values for labels, "true"/"false", dates as
 * YYYY-MM-DD, date-times as ISO-8601 UTC, owner ids for names or emails,
 * stage ids for labels, NULL to clear) or a message that says what is wrong
 * and what would be right. */
#ifndef HUBTUI_CACHE_VALIDATE_H
#define HUBTUI_CACHE_VALIDATE_H

#include <stddef.h>

#include "error.h"
#include "store.h"

typedef enum validate_status {
    VALIDATE_OK = 0,
    VALIDATE_INVALID,             /* the value is wrong for the property's type */
    VALIDATE_UNKNOWN_PROPERTY,    /* the object has no such property */
    VALIDATE_READ_ONLY,           /* read-only or calculated; message says which */
    VALIDATE_BACKWARDS,           /* lifecycle stage moved backwards: HubSpot would keep
                                     the old one; value is valid, queue it with
                                     outbox_enqueue_clear_then_set() if the user agrees */
    VALIDATE_ERROR,               /* the cache could not be read (message says why) */
} validate_status;

typedef struct validate_result {
    validate_status status;
    char           *value;        /* normalised value (NULL = clear) for OK and BACKWARDS */
    char            message[768]; /* empty when OK */
} validate_result;

/* Check input for object.prop on record id (NULL when creating). */
validate_status validate_value(store *st, const char *object, const char *id,
                               const char *prop, const char *input, validate_result *out);
/* Check several values meant to be set together (a create, or `hubtui set`
 * with several props): a stage is checked against a pipeline set alongside.
 * results must hold n entries. Returns the first non-OK status, else OK. */
validate_status validate_values(store *st, const char *object, const char *id,
                                const char *const *props, const char *const *inputs, size_t n,
                                validate_result *results);
void validate_result_clear(validate_result *r);

/* Queue "clear prop, then set it to value" as two writes that are sent in
 * that order and never merged (how a lifecycle stage moves backwards). */
ht_status outbox_enqueue_clear_then_set(store *st, const char *object, const char *id,
                                        const char *prop, const char *value, int64_t group,
                                        ht_error *err);

#endif
