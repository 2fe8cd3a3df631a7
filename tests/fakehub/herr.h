/* herr.h — HubSpot's error bodies (hubspot-api.md §10):
 * {"status":"error","message","correlationId","category","errors":[…]}. */
#ifndef FAKEHUB_HERR_H
#define FAKEHUB_HERR_H

#include <jansson.h>

#include "http.h"

/* A list of property validation failures. */
typedef struct fh_verr {
    char *code;      /* PROPERTY_DOESNT_EXIST, INVALID_OPTION, … */
    char *name;      /* property name */
    char *message;
} fh_verr;

typedef struct fh_verrs {
    fh_verr *v;
    int      n, cap;
} fh_verrs;

void verrs_add(fh_verrs *e, const char *code, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void verrs_free(fh_verrs *e);

/* An error with a category and message; errors (stolen) may be NULL, and
 * so may category (some HubSpot errors have none). */
void herr_send(fh_req *r, int status, const char *category, const char *message, json_t *errors);
/* The same with a context object (stolen) such as {"ids":["9"]}. */
void herr_send_ctx(fh_req *r, int status, const char *category, const char *message,
                   json_t *context, json_t *errors);
/* 400 VALIDATION_ERROR with HubSpot's "Property values were not valid" body. */
void herr_validation(fh_req *r, const fh_verrs *e);
/* 400 VALIDATION_ERROR with a plain message. */
void herr_bad_request(fh_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 400 for a body that is not JSON (or not the expected shape). */
void herr_bad_json(fh_req *r);
/* 404 OBJECT_NOT_FOUND. */
void herr_not_found(fh_req *r, const char *message);
/* 404 for an unknown object type in the path. */
void herr_unknown_type(fh_req *r, const char *name);
/* The error item for one failed batch input, to collect into errors[]. */
json_t *herr_item(const char *category, const char *message, json_t *context);

#endif
