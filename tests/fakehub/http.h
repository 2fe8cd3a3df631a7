/* http.h — one HTTP request as a handler sees it, and how it answers.
 *
 * The server fills the request part (method, path captures, query
 * arguments, body, the caller) and sends whatever the handler put in the
 * response part. Handlers never touch libmicrohttpd. */
#ifndef FAKEHUB_HTTP_H
#define FAKEHUB_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "portal.h"
#include "util.h"

#define FH_MAX_CAPTURES 6
#define FH_MAX_HEADERS  16

typedef struct fh_arg {
    char *key, *value;
} fh_arg;

typedef struct fh_header {
    char  name[48];
    char *value;
} fh_header;

struct fh_route;

typedef struct fh_req {
    fh_portal             *portal;
    const char            *method;
    const char            *path;
    const struct fh_route *route;
    char                  *cap[FH_MAX_CAPTURES];   /* path captures, in pattern order */
    int                    n_cap;
    fh_arg                *args;
    int                    n_args;
    strbuf                 body;
    const char            *content_type;   /* the request's Content-Type, or NULL */
    json_t                *json;
    bool                   json_done;
    fh_principal           who;
    bool                   versioned;   /* came by a date-based path (2025-09, 2026-03) */
    /* The answer. */
    int                    status;
    strbuf                 out;
    const char            *ctype;
    fh_header              hdrs[FH_MAX_HEADERS];
    int                    n_hdrs;
} fh_req;

typedef void (*fh_handler)(fh_req *r);

/* The first value of a query argument, or NULL. */
const char *req_arg(const fh_req *r, const char *key);
/* Every value of a repeated query argument (up to max); returns the count. */
int req_arg_all(const fh_req *r, const char *key, const char **out, int max);
/* The body parsed as JSON (owned by r), or NULL when absent or malformed. */
json_t *req_json(fh_req *r);
/* Is the body empty (only whitespace)? */
bool req_body_empty(const fh_req *r);

/* Answer with a JSON value (stolen). */
void resp_json(fh_req *r, int status, json_t *j);
/* Answer with text already in r->out (JSON). */
void resp_out(fh_req *r, int status);
/* Answer with no body (204). */
void resp_empty(fh_req *r, int status);
/* Add a response header (value copied). */
void resp_header(fh_req *r, const char *name, const char *value);

#endif
