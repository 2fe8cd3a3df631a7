#include "apitest.h"
#include "util.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* fakehubs started here: a failed assertion skips a test's fakehub_stop, and
 * a fakehub left running would hold the test runner's pipes open. */
static pid_t started[32];
static size_t n_started;

static void stop_leftovers(void)
{
    for (size_t i = 0; i < n_started; i++) {
        int status;
        /* 0: still our running child. -1/pid: already reaped or gone. */
        if (waitpid(started[i], &status, WNOHANG) == 0) {
            kill(started[i], SIGTERM);
            waitpid(started[i], &status, 0);
        }
    }
    n_started = 0;
}

void apitest_capture(void *ud, const hs_result *r)
{
    captured *cap = ud;
    cap->calls++;
    cap->done = true;
    cap->status = r->status;
    cap->http_status = r->http_status;
    json_decref(cap->body);
    cap->body = r->body ? json_incref(r->body) : NULL;
    ht_error_copy(&cap->err, r->err);
    cap->maybe_applied = r->maybe_applied;
    cap->attempts = r->attempts;
    snprintf(cap->category, sizeof cap->category, "%s",
             r->detail && r->detail->category ? r->detail->category : "");
    cap->n_items = r->detail ? r->detail->n_items : 0;
}

void apitest_reset(captured *cap)
{
    json_decref(cap->body);
    memset(cap, 0, sizeof *cap);
}

hs_client_opts apitest_opts(const fakehub *fh)
{
    hs_client_opts o = {0};
    o.base_url = fh->base_url;
    o.portal = "test";
    auth_init_static(&o.auth, fh->token, "test");
    o.retry = retry_policy_default();
    o.retry.base_ms = 10;
    o.retry.cap_ms = 200;
    o.retry.locked_wait_ms = 50;
    o.timeout_ms = 20000;
    o.seed = 12345;
    return o;
}

hs_client *apitest_client(const fakehub *fh)
{
    hs_client_opts o = apitest_opts(fh);
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    if (!c) {
        fprintf(stderr, "apitest: client: %s\n", err.message);
        abort();
    }
    return c;
}

captured *apitest_run(hs_client *c, hs_call_id id, captured *cap)
{
    hs_client_run(c, id);
    return cap;
}

void apitest_start(fakehub *fh, const char *const *args)
{
    const char *bin = getenv("FAKEHUB");
    if (str_empty(bin) || access(bin, X_OK) != 0) {
        fprintf(stderr, "SKIP: fakehub is not built (FAKEHUB=%s)\n", bin ? bin : "");
        exit(77);
    }
    if (!fakehub_start(fh, args, 0)) {
        fprintf(stderr, "apitest: fakehub did not start\n");
        exit(1);
    }
    if (n_started == 0)
        atexit(stop_leftovers);
    if (n_started < sizeof started / sizeof started[0])
        started[n_started++] = fh->pid;
}

size_t apitest_read_until(int fd, char *out, size_t cap, size_t n, const char *want,
                          int timeout_ms)
{
    int64_t deadline = time_mono_ms() + timeout_ms;
    out[n] = '\0';
    while (n + 1 < cap && (!want || !strstr(out, want))) {
        int left = (int)(deadline - time_mono_ms());
        struct pollfd pfd = {fd, POLLIN, 0};
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            break;
        ssize_t got = read(fd, out + n, cap - 1 - n);
        if (got <= 0)
            break;   /* EIO once the child is gone */
        n += (size_t)got;
        out[n] = '\0';
    }
    return n;
}
