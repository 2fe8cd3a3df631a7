/* harness.h — start and stop a real fakehub process for tests and benchmarks.
 *
 * The binary comes from $FAKEHUB (meson sets it for every test and bench);
 * fakehub is started with --port 0 and the harness reads the
 * "listening on http://127.0.0.1:PORT" line it prints first. Requests go over
 * real HTTP on loopback through libcurl. */
#ifndef HUBTUI_TEST_HARNESS_H
#define HUBTUI_TEST_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct fakehub {
    pid_t pid;
    int   port;
    char  base_url[64];   /* http://127.0.0.1:PORT */
    char  token[96];      /* the Bearer token the instance accepts */
    int   stdout_fd;      /* rest of fakehub's stdout, or -1 */
} fakehub;

/* fakehub_start_ex flags. */
enum { FAKEHUB_NO_TOKEN = 1 };   /* no --token: fakehub accepts only demo-token */

/* Start fakehub with "--port 0 --token <fresh token>" plus extra_args
 * (NULL-terminated, may be NULL). Waits up to timeout_ms (0 = 30 s) for the
 * listening line. Returns false (with a message on stderr) on failure.
 * fakehub gets SIGTERM when the thread that started it ends (a crashed or
 * aborted test leaves nothing running), so start it from a thread that
 * lives as long as it should. */
bool fakehub_start(fakehub *fh, const char *const *extra_args, int timeout_ms);
/* The same with flags; with FAKEHUB_NO_TOKEN, fh->token is "demo-token". */
bool fakehub_start_ex(fakehub *fh, const char *const *extra_args, int timeout_ms, unsigned flags);
/* SIGTERM, wait, and SIGKILL if it lingers. Safe to call twice. Returns
 * fakehub's exit status: 0 for a clean shutdown, 128 + signal when it was
 * killed, else its exit code (sanitizer reports make it non-zero). */
int fakehub_stop(fakehub *fh);

/* One HTTP request to fakehub with the instance's token. body may be NULL.
 * Returns the response body (caller frees; "" when empty) or NULL when the
 * transfer itself failed; *status gets the HTTP status. */
char *fakehub_request(const fakehub *fh, const char *method, const char *path,
                      const char *body, long *status);
/* The same, parsed as JSON (NULL when the body is empty or not JSON). */
json_t *fakehub_json(const fakehub *fh, const char *method, const char *path,
                     const char *body, long *status);

/* A request with more control, and everything about its answer. */
typedef struct fakehub_call {
    const char *token;         /* NULL: the instance's token; "": no Authorization header */
    const char *content_type;  /* NULL: application/json */
    bool        gzip;          /* ask for gzip (curl decodes it) */
} fakehub_call;

typedef struct fakehub_response {
    long   status;     /* 0 when no answer came */
    int    curl_code;  /* CURLE_OK, or why the transfer failed */
    char  *body;       /* always NUL-terminated; "" when empty */
    size_t body_len;
    char  *headers;    /* the raw header block */
    json_t *json;      /* body parsed as JSON, or NULL */
} fakehub_response;

/* Send one request (opt may be NULL). Always fills out; free it with
 * fakehub_response_free. Returns true when an HTTP answer arrived whole. */
bool fakehub_call_http(const fakehub *fh, const char *method, const char *path,
                       const char *body, const fakehub_call *opt, fakehub_response *out);
/* A response header's value (case-insensitive name) copied into buf, or
 * NULL when absent. */
const char *fakehub_header(const fakehub_response *r, const char *name, char *buf, size_t cap);
void fakehub_response_free(fakehub_response *r);

#endif
