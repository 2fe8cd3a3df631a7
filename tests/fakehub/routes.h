/* routes.h — the routing table: method + path pattern → handler, with what
 * the server must check before calling it. Patterns use {name} for one
 * path segment; captures are percent-decoded. */
#ifndef FAKEHUB_ROUTES_H
#define FAKEHUB_ROUTES_H

#include <stdbool.h>

#include "http.h"

enum {
    RF_CONTROL = 1 << 0,  /* /_fakehub/: no token, limits, faults or stats */
    RF_NOAUTH  = 1 << 1,  /* no Bearer token and no rate limit (OAuth endpoints) */
    RF_WRITE   = 1 << 2,  /* changes state: faults may strike after it */
    RF_SEARCH  = 1 << 3,  /* search limit, no rate headers */
    RF_EXEMPT  = 1 << 4,  /* exempt from the ten-secondly limit */
    RF_VERSIONED = 1 << 5, /* a date-based path: the first capture is the version */
};

typedef enum {
    SC_NONE,
    SC_OBJ_READ, SC_OBJ_WRITE,        /* object scope of the type captures */
    SC_SCHEMA_READ, SC_SCHEMA_WRITE,  /* schema scope of the type captures */
    SC_OWNERS,                        /* crm.objects.owners.read */
    SC_CUSTOM_SCHEMAS,                /* crm.schemas.custom.read */
} fh_scope_kind;

typedef struct fh_route {
    const char   *method;
    const char   *pattern;
    fh_handler    handler;
    unsigned      flags;
    fh_scope_kind scope;
    signed char   type_cap[2];  /* captures naming object types (-1 none) */
    const char   *endpoint;     /* "METHOD pattern", for stats */
} fh_route;

/* Find the route for method and path (no query string). Fills caps
 * (malloc'd, caller frees) and *n_caps. Returns NULL when nothing matches;
 * *wrong_method then tells whether the path exists with another method. */
const fh_route *routes_match(const char *method, const char *path, char **caps, int *n_caps,
                             bool *wrong_method);

#endif
