/* apierror.h — HubSpot's error bodies, parsed (pure logic over jansson).
 *
 * HubSpot answers failures with {status, message, correlationId, category,
 * subCategory?, context?, errors[]?}; a 429 adds errorType and policyName;
 * the OAuth token endpoint puts its code in status; a 207 batch carries
 * per-input errors whose context.ids names the inputs that failed. Bodies
 * that are empty or not JSON still give a usable error. */
#ifndef HUBTUI_APIERROR_H
#define HUBTUI_APIERROR_H

#include "error.h"

#include <jansson.h>
#include <stddef.h>

/* One entry of errors[]: a sub-error of a 4xx, or a failed input of a 207. */
typedef struct apierror_item {
    const char  *status;       /* "error" in 207 entries; may be NULL */
    const char  *message;
    const char  *code;         /* e.g. PROPERTY_DOESNT_EXIST */
    const char  *category;     /* e.g. OBJECT_NOT_FOUND */
    const char  *sub_category;
    const char **ids;          /* context.ids (or context.id), n_ids of them */
    size_t       n_ids;
    json_t      *context;      /* the whole context object, or NULL (borrowed) */
} apierror_item;

/* A parsed error body. Strings point into `raw` and live as long as it. */
typedef struct apierror {
    int            http_status;
    json_t        *raw;            /* the parsed body (owned), NULL if not JSON */
    const char    *status;         /* "error", or an OAuth code like BAD_REFRESH_TOKEN */
    const char    *message;
    const char    *category;
    const char    *sub_category;
    const char    *correlation_id;
    const char    *error_type;     /* 429: RATE_LIMIT */
    const char    *policy_name;    /* 429: TEN_SECONDLY_ROLLING, SECONDLY, DAILY */
    json_t        *context;        /* borrowed from raw */
    apierror_item *items;          /* errors[] */
    size_t         n_items;
} apierror;

/* Parse an error body of the given HTTP status. Never fails: an empty or
 * non-JSON body leaves the fields NULL (raw NULL). Free with apierror_free. */
void apierror_parse(apierror *e, int http_status, const char *body, size_t len);
/* The same from an already parsed body (takes a new reference). */
void apierror_from_json(apierror *e, int http_status, json_t *body);
void apierror_free(apierror *e);

/* A one-line summary a person can act on: the errors[] messages when there
 * are any, else the readable part of message, else a generic phrase. */
void apierror_summary(const apierror *e, char *out, size_t cap);
/* Fill err with st, the summary, category and correlationId. */
ht_status apierror_to_ht(const apierror *e, ht_status st, ht_error *err);

/* The per-input errors of a batch (200/201/207) body's errors[]. Returns the
 * count; *items (free with free(), strings borrowed from body) may be NULL. */
size_t apierror_batch_items(json_t *body, apierror_item **items);
/* Free the ids arrays inside items[0..n) and the array itself. */
void apierror_items_free(apierror_item *items, size_t n);

#endif
