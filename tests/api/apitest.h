/* apitest.h — helpers shared by the api integration tests: a client aimed at
 * a running fakehub, and a callback that captures one result. */
#ifndef HUBTUI_APITEST_H
#define HUBTUI_APITEST_H

#include "client.h"
#include "harness.h"
#include "hubspot.h"

#include <jansson.h>
#include <stdbool.h>

/* One completed request, copied out of its callback. */
typedef struct captured {
    bool       done;
    int        calls;         /* how many times the callback ran (must be 1) */
    ht_status  status;
    int        http_status;
    json_t    *body;          /* owned reference, or NULL */
    ht_error   err;
    bool       maybe_applied;
    int        attempts;
    char       category[64];
    size_t     n_items;       /* detail->n_items */
} captured;

/* hs_done_fn that fills the captured pointed to by ud. */
void apitest_capture(void *ud, const hs_result *r);
/* Drop the body reference and reset. */
void apitest_reset(captured *cap);

/* Options for a client of fh with its token and a fast retry policy
 * (10 ms base) so failure tests stay quick. */
hs_client_opts apitest_opts(const fakehub *fh);
/* A client of fh built from apitest_opts(); aborts the test on failure. */
hs_client *apitest_client(const fakehub *fh);
/* Run c until id completes and return cap (for one-liners). */
captured *apitest_run(hs_client *c, hs_call_id id, captured *cap);

/* Start fakehub with args, or print why and exit 77 (skip) when the binary
 * is missing, exit 1 when it fails to start. */
void apitest_start(fakehub *fh, const char *const *args);

/* Read from fd (a pty, say) into out after its first n bytes until out
 * holds want (NULL: until EOF), EOF or timeout; returns the length now. */
size_t apitest_read_until(int fd, char *out, size_t cap, size_t n, const char *want,
                          int timeout_ms);

#endif
