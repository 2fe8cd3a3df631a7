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

/* Start fakehub with "--port 0 --token <fresh token>" plus extra_args
 * (NULL-terminated, may be NULL). Waits up to timeout_ms (0 = 30 s) for the
 * listening line. Returns false (with a message on stderr) on failure. */
bool fakehub_start(fakehub *fh, const char *const *extra_args, int timeout_ms);
/* SIGTERM, wait, and SIGKILL if it lingers. Safe to call twice. */
void fakehub_stop(fakehub *fh);

/* One HTTP request to fakehub with the instance's token. body may be NULL.
 * Returns the response body (caller frees; "" when empty) or NULL when the
 * transfer itself failed; *status gets the HTTP status. */
char *fakehub_request(const fakehub *fh, const char *method, const char *path,
                      const char *body, long *status);
/* The same, parsed as JSON (NULL when the body is empty or not JSON). */
json_t *fakehub_json(const fakehub *fh, const char *method, const char *path,
                     const char *body, long *status);

#endif
