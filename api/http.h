/* http.h — the libcurl multi transport: transfers, no policy.
 *
 * Connections are kept alive and reused, HTTP/2 is used when the server
 * offers it over TLS, compressed bodies are accepted, TLS verification is
 * always on, redirects are never followed, and plain http:// is refused unless
 * the host is a loopback address. With debug logging on, every header and a
 * bounded prefix of every body go to the log with the Authorization header
 * masked. Retries, limits and auth live above this layer (client.h). */
#ifndef HUBTUI_HTTP_H
#define HUBTUI_HTTP_H

#include "error.h"
#include "ratelimit.h"
#include "util.h"

#include <curl/curl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct http_transport http_transport;
typedef struct http_transfer http_transfer;

/* What came back (or did not). */
typedef struct http_response {
    CURLcode          code;          /* CURLE_OK when a whole response arrived */
    long              status;        /* HTTP status, 0 when none */
    strbuf            body;
    ratelimit_headers rate;          /* X-HubSpot-RateLimit-* and Retry-After */
    bool              has_rate_headers;
    char              error[CURL_ERROR_SIZE]; /* curl's words when code != OK */
    int64_t           started_at;    /* monotonic ms */
    int64_t           finished_at;
} http_response;

/* Called once per transfer that was not aborted; resp is valid during the
 * call only (take the body with strbuf_detach to keep it). */
typedef void (*http_done_fn)(void *ud, http_response *resp);

typedef struct http_request {
    const char *method;        /* GET, POST, PATCH, PUT, DELETE */
    const char *url;
    const char *bearer;        /* token for Authorization, or NULL */
    const char *content_type;  /* for the body; NULL: application/json */
    const char *body;          /* copied; NULL: none */
    size_t      body_len;
    long        timeout_ms;    /* whole transfer; 0: 60 s */
    long        connect_timeout_ms; /* 0: 10 s */
} http_request;

/* Create a transport allowing at most max_connections per host. */
http_transport *http_transport_new(int max_connections);
/* Abort every transfer (no callbacks) and free the transport. */
void http_transport_free(http_transport *t);

/* Is url acceptable: https://, or http:// to 127.0.0.0/8, ::1 or localhost?
 * Decided from the URL alone, without any network I/O. */
bool http_url_allowed(const char *url, ht_error *err);
/* Start a transfer; NULL with err filled when the URL is refused or curl
 * cannot set it up (then done is never called). */
http_transfer *http_start(http_transport *t, const http_request *req,
                          http_done_fn done, void *ud, ht_error *err);
/* Stop a running transfer and free it; its done callback never runs. */
void http_abort(http_transport *t, http_transfer *x);
/* Move data without blocking and run done for every finished transfer.
 * Returns the number of transfers still running. */
int http_perform(http_transport *t);
/* Wait up to timeout_ms for socket activity, for one of the extra fds, or
 * for http_wakeup(). Fills extra[i].revents; returns how many extra fds are
 * ready, or -1 on error. */
int http_wait(http_transport *t, struct pollfd *extra, size_t n_extra, int timeout_ms);
/* Make a running http_wait() return early; safe from another thread. */
void http_wakeup(http_transport *t);
/* Number of transfers running. */
int http_running(const http_transport *t);

#endif
