/* fhtest.h — small helpers shared by fakehub's integration tests. */
#ifndef FAKEHUB_FHTEST_H
#define FAKEHUB_FHTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>

#include "harness.h"

/* Start fakehub with the given arguments (a NULL-terminated list) or fail. */
#define FH_START(fh, ...)                                                  \
    do {                                                                   \
        const char *fh_args_[] = {__VA_ARGS__, NULL};                      \
        assert_true(fakehub_start((fh), fh_args_, 60000));                 \
    } while (0)

/* The value at a dotted path ("results.0.properties.email"); NULL if none. */
json_t *jp(const json_t *j, const char *path);
/* The string at path, or NULL when absent or not a string. */
const char *js(const json_t *j, const char *path);
/* The integer at path, or -1. */
long long ji(const json_t *j, const char *path);
/* The first element of arr whose key (a path, as above) is the string value. */
json_t *find_by(const json_t *arr, const char *key, const char *value);
/* One request with the instance token; fills r (free with fakehub_response_free). */
void req(const fakehub *fh, const char *method, const char *path, const char *body,
         fakehub_response *r);
/* The same, with a printf-formatted path. */
void reqf(const fakehub *fh, const char *method, const char *body, fakehub_response *r,
          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* s percent-encoded for a query string (caller frees). */
char *url_enc(const char *s);
/* Assert the response is a HubSpot error body with this category. */
void assert_error_body(const fakehub_response *r, long status, const char *category);
/* Does a header exist on the response? */
bool has_header(const fakehub_response *r, const char *name);
/* Every property value in results[*].properties is a string or null and
 * every id a string. */
void assert_record_shapes(const json_t *results);

#endif
