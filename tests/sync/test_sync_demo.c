/* `hubtui demo`: starts fakehub with the demo data under the cache
 * directory, syncs it with progress, shows what the cache holds, and stops
 * fakehub on every way out (also Ctrl-C). A second run syncs only what
 * changed, and changes made to the demo portal in between persist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "records.h"
#include "store.h"
#include "synctest.h"
#include "tmpdir.h"
#include "util.h"

typedef struct demo_run {
    pid_t  pid;
    int    out, err;
    strbuf so, se;
} demo_run;

static char dir[256];

static void demo_spawn(demo_run *d)
{
    memset(d, 0, sizeof *d);
    int po[2], pe[2];
    assert_int_equal(pipe(po), 0);
    assert_int_equal(pipe(pe), 0);
    d->pid = fork();
    assert_true(d->pid >= 0);
    if (d->pid == 0) {
        char cache[300];
        snprintf(cache, sizeof cache, "%s/cache", dir);
        setenv("XDG_CACHE_HOME", cache, 1);
        setenv("XDG_CONFIG_HOME", dir, 1);   /* no config file there: never read */
        setenv("HUBTUI_FAKEHUB", getenv("FAKEHUB"), 1);
        setenv("HUBTUI_PLAIN_PROGRESS", "1", 1);
        unsetenv("HUBSPOT_ACCESS_TOKEN");
        unsetenv("HUBTUI_BASE_URL");
        dup2(po[1], STDOUT_FILENO);
        dup2(pe[1], STDERR_FILENO);
        close(po[0]);
        close(pe[0]);
        execl(getenv("HUBTUI"), "hubtui", "demo", (char *)NULL);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    d->out = po[0];
    d->err = pe[0];
}

/* Read what is there within timeout_ms; false at EOF on both. */
static bool demo_read(demo_run *d, int timeout_ms)
{
    struct pollfd p[2] = {{d->out, POLLIN, 0}, {d->err, POLLIN, 0}};
    if (poll(p, 2, timeout_ms) <= 0)
        return true;
    bool open_ = false;
    for (int i = 0; i < 2; i++) {
        int fd = i ? d->err : d->out;
        if (fd < 0)
            continue;
        if (p[i].revents & (POLLIN | POLLHUP)) {
            char buf[4096];
            ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0)
                strbuf_append(i ? &d->se : &d->so, buf, (size_t)n);
            else if (n == 0) {
                close(fd);
                if (i)
                    d->err = -1;
                else
                    d->out = -1;
                continue;
            }
        }
        open_ = true;
    }
    return open_ || d->out >= 0 || d->err >= 0;
}

static int demo_wait(demo_run *d)
{
    while (d->out >= 0 || d->err >= 0)
        if (!demo_read(d, 1000))
            break;
    return st_wait(d->pid);
}

static void demo_free(demo_run *d)
{
    strbuf_free(&d->so);
    strbuf_free(&d->se);
}

/* The port fakehub listened on, from the demo's stderr. */
static int demo_port(const demo_run *d)
{
    const char *p = strstr(strbuf_str(&d->se), "at http://127.0.0.1:");
    return p ? atoi(p + strlen("at http://127.0.0.1:")) : 0;
}

static bool port_answers(int port)
{
    fakehub fh;
    memset(&fh, 0, sizeof fh);
    snprintf(fh.base_url, sizeof fh.base_url, "http://127.0.0.1:%d", port);
    fakehub_response r;
    bool ok = fakehub_call_http(&fh, "GET", "/_fakehub/health", NULL, NULL, &r);
    fakehub_response_free(&r);
    return ok;
}

static void test_demo_runs_and_cleans_up(void **state)
{
    demo_run d;
    demo_spawn(&d);
    int rc = demo_wait(&d);
    if (rc != 0)
        fail_msg("demo exited %d: %s", rc, strbuf_str(&d.se));
    const char *out = strbuf_str(&d.so);
    assert_non_null(strstr(out, "Contacts"));
    assert_non_null(strstr(out, "3000"));
    assert_non_null(strstr(out, "Vehicles"));
    assert_non_null(strstr(out, "Some contacts:"));
    assert_non_null(strstr(strbuf_str(&d.se), "sync: done"));
    int port = demo_port(&d);
    assert_true(port > 0);
    assert_false(port_answers(port));   /* fakehub is gone */
    char path[400];
    snprintf(path, sizeof path, "%s/cache/hubtui/demo-fakehub.db", dir);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    demo_free(&d);

    /* Someone changes the demo portal while the demo is not running (long
     * enough ago that the index has it: the next demo starts at once). */
    fakehub fh;
    const char *args[] = {"--db", path, "--search-lag", "0", NULL};
    assert_true(fakehub_start_ex(&fh, args, 0, FAKEHUB_NO_TOKEN));
    long status = 0;
    char *r = fakehub_request(&fh, "POST", "/_fakehub/edit",
                              "{\"objectType\":\"contacts\",\"id\":\"3\",\"properties\":"
                              "{\"jobtitle\":\"Kept between runs\"}}", &status);
    assert_int_equal(status, 200);
    free(r);
    assert_int_equal(fakehub_stop(&fh), 0);

    demo_spawn(&d);
    rc = demo_wait(&d);
    if (rc != 0)
        fail_msg("second demo exited %d: %s", rc, strbuf_str(&d.se));
    assert_null(strstr(strbuf_str(&d.se), "generating"));   /* the data was kept */
    demo_free(&d);
    char db[400];
    snprintf(db, sizeof db, "%s/cache/hubtui/demo.db", dir);
    store *st = NULL;
    assert_int_equal(store_open_path(db, NULL, &st, NULL), HT_OK);
    record *rec = NULL;
    assert_int_equal(records_get(st, "contacts", "3", &rec, NULL), HT_OK);
    assert_string_equal(record_get(rec, "jobtitle"), "Kept between runs");
    record_free(rec);
    store_close(st);
}

static void test_demo_ctrl_c_stops_fakehub(void **state)
{
    demo_run d;
    demo_spawn(&d);
    /* Wait until fakehub serves, then interrupt the sync. */
    for (int i = 0; i < 600 && !demo_port(&d); i++)
        demo_read(&d, 100);
    int port = demo_port(&d);
    assert_true(port > 0);
    kill(d.pid, SIGINT);
    int rc = demo_wait(&d);
    assert_true(rc == 1 || rc == 0);   /* 0 when the sync had just finished */
    assert_false(port_answers(port));
    demo_free(&d);
}

static int setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/hubtui-demo-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    tmpdir_remove(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_runs_and_cleans_up),
        cmocka_unit_test(test_demo_ctrl_c_stops_fakehub),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
