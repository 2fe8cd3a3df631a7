/* error.h — how every layer reports failure.
 *
 * Functions that can fail return an ht_status and, when given a non-NULL
 * ht_error, fill it with words a person can act on. HubSpot's own error
 * details (category, correlationId, HTTP status) ride along so the UI can
 * show them one key away. */
#ifndef HUBTUI_ERROR_H
#define HUBTUI_ERROR_H

#include <stdbool.h>

/* X-macro: status name, short description. */
#define HT_STATUS_LIST(_)                                              \
    _(OK,          "ok")                                               \
    _(INVALID,     "invalid input")                                    \
    _(NOT_FOUND,   "not found")                                        \
    _(IO,          "input/output error")                               \
    _(DB,          "cache database error")                             \
    _(NETWORK,     "network error")                                    \
    _(TIMEOUT,     "timed out")                                        \
    _(HTTP,        "HubSpot returned an error")                        \
    _(AUTH,        "authentication failed")                            \
    _(FORBIDDEN,   "missing permission (scope)")                       \
    _(RATE_LIMIT,  "rate limit reached")                               \
    _(CONFLICT,    "conflict")                                         \
    _(PARSE,       "malformed response")                               \
    _(CANCELLED,   "cancelled")                                        \
    _(READONLY,    "read-only")                                        \
    _(NO_KEYRING,  "no Secret Service available")                      \
    _(UNSUPPORTED, "not supported")

typedef enum ht_status {
#define HT_STATUS_ENUM(name, desc) HT_##name,
    HT_STATUS_LIST(HT_STATUS_ENUM)
#undef HT_STATUS_ENUM
    HT_STATUS_COUNT
} ht_status;

typedef struct ht_error {
    ht_status status;
    int  http_status;          /* 0 when the failure was not an HTTP answer */
    char message[1024];        /* human-readable, never contains a token */
    char category[64];         /* HubSpot category, e.g. VALIDATION_ERROR */
    char correlation_id[64];   /* HubSpot correlationId, for support */
} ht_error;

/* Short description of a status ("rate limit reached"). */
const char *ht_status_str(ht_status st);
/* Reset err to HT_OK with empty fields. NULL is allowed. */
void ht_error_clear(ht_error *err);
/* Fill err (if not NULL) and return st; the message is printf-formatted and
 * redacted of anything that looks like a token. */
ht_status ht_error_set(ht_error *err, ht_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copy src into dst (either may be NULL). */
void ht_error_copy(ht_error *dst, const ht_error *src);

#endif
