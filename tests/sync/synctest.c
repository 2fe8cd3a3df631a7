/* synctest.c — see synctest.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "meta.h"
#include "records.h"
#include "synctest.h"
#include "tmpdir.h"
#include "util.h"

const char *const st_objects[] = {
    "contacts", "companies", "deals", "tickets", "products", "line_items", "quotes",
    "notes", "calls", "tasks", "meetings", "emails", "vehicles",
};
const size_t st_nobjects = ARRAY_SIZE(st_objects);

static void open_portal(synctest *t)
{
    portal_options po = {
        .config_path = t->config,
        .cache_dir = t->cache_dir,
        .portal = "t",
        .token = t->fh.token,
    };
    ht_error err;
    if (portal_open(&po, &t->ps, &err) != HT_OK)
        fail_msg("portal_open: %s", err.message);
    if (portal_connect(t->ps, &err) != HT_OK)
        fail_msg("portal_connect: %s", err.message);
}

void st_start(synctest *t, const char *const *extra_args)
{
    memset(t, 0, sizeof *t);
    unsetenv("HUBTUI_BASE_URL");
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    assert_true(tmpdir_make(t->dir, sizeof t->dir, "hubtui-sync-test"));
    if (!fakehub_start(&t->fh, extra_args, 0))
        fail_msg("fakehub did not start");
    char sub[400];
    snprintf(sub, sizeof sub, "%s/cfg", t->dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/cfg/hubtui", t->dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/cache", t->dir);
    mkdir(sub, 0700);
    snprintf(t->cache_dir, sizeof t->cache_dir, "%s/cache/hubtui", t->dir);
    snprintf(t->config, sizeof t->config, "%s/cfg/hubtui/config", t->dir);
    FILE *fp = fopen(t->config, "w");
    assert_non_null(fp);
    fprintf(fp, "[portal t]\nbase_url = %s\n", t->fh.base_url);
    fclose(fp);
    open_portal(t);
}

void st_reopen(synctest *t)
{
    portal_close(t->ps);
    t->ps = NULL;
    open_portal(t);
}

void st_stop(synctest *t)
{
    portal_close(t->ps);
    t->ps = NULL;
    int rc = fakehub_stop(&t->fh);
    tmpdir_remove(t->dir);
    assert_int_equal(rc, 0);
}

ht_status st_sync(synctest *t, const sync_options *opt, ht_error *err)
{
    ht_error local;
    return sync_run(t->ps, opt, err ? err : &local);
}

void st_sync_ok(synctest *t, bool full)
{
    sync_options o = {.full = full};
    ht_error err;
    ht_error_clear(&err);
    ht_status s = sync_run(t->ps, &o, &err);
    if (s != HT_OK)
        fail_msg("sync failed: %s", err.message);
}

/* ---- control API ------------------------------------------------------------ */

json_t *st_api(synctest *t, const char *method, const char *path, const char *body, long want)
{
    long status = 0;
    json_t *j = fakehub_json(&t->fh, method, path, body, &status);
    if (want ? status != want : (status < 200 || status > 299)) {
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        fail_msg("%s %s: HTTP %ld %s", method, path, status, text ? text : "");
    }
    return j;
}

json_t *st_edit(synctest *t, const char *object, const char *id, const char *props_json)
{
    char *body = xasprintf("{\"objectType\":\"%s\",\"id\":\"%s\",\"properties\":%s}", object, id,
                           props_json);
    json_t *j = st_api(t, "POST", "/_fakehub/edit", body, 0);
    free(body);
    return j;
}

void st_config(synctest *t, const char *json)
{
    json_decref(st_api(t, "POST", "/_fakehub/config", json, 0));
}

long st_requests(synctest *t)
{
    json_t *s = st_api(t, "GET", "/_fakehub/stats", NULL, 0);
    long n = (long)json_integer_value(json_object_get(s, "total"));
    json_decref(s);
    json_decref(st_api(t, "POST", "/_fakehub/reset", "{}", 0));
    return n;
}

static json_t *dump(synctest *t, const char *object)
{
    char path[128];
    snprintf(path, sizeof path, "/_fakehub/dump/%s", object);
    json_t *d = st_api(t, "GET", path, NULL, 0);
    assert_true(json_is_array(json_object_get(d, "results")));
    return d;
}

char **st_server_ids(synctest *t, const char *object, size_t *n)
{
    json_t *d = dump(t, object);
    json_t *res = json_object_get(d, "results");
    *n = json_array_size(res);
    char **ids = xcalloc(*n + 1, sizeof *ids);
    for (size_t i = 0; i < *n; i++)
        ids[i] = xstrdup(json_string_value(json_object_get(json_array_get(res, i), "id")));
    json_decref(d);
    return ids;
}

void st_free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

/* ---- cache == server ------------------------------------------------------------- */

static bool differ(bool verbose, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool differ(bool verbose, const char *fmt, ...)
{
    if (verbose) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "cache != server: ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
    return false;
}

static bool same_properties(const char *object, const char *id, json_t *props, const record *r,
                            bool verbose)
{
    const char *name;
    json_t *v;
    size_t server_values = 0;
    json_object_foreach(props, name, v) {
        const char *want = json_string_value(v);
        if (!want || !*want)
            continue;
        server_values++;
        const record_value *rv = record_find(r, name);
        if (!rv || !rv->value || strcmp(rv->value, want) != 0)
            return differ(verbose, "%s %s: %s is \"%s\" on the server, \"%s\" in the cache",
                          object, id, name, want, rv && rv->value ? rv->value : "(none)");
    }
    if (r->nvalues != server_values) {
        for (size_t i = 0; i < r->nvalues; i++) {
            const char *want = json_string_value(json_object_get(props, r->values[i].name));
            if (!want || !*want)
                return differ(verbose, "%s %s: %s is \"%s\" in the cache, empty on the server",
                              object, id, r->values[i].name, r->values[i].value);
        }
    }
    return true;
}

typedef struct link_key {
    char id[32];
    int  type_id;
} link_key;

static int link_cmp(const void *a, const void *b)
{
    const link_key *x = a, *y = b;
    int64_t xi = atoll(x->id), yi = atoll(y->id);
    if (xi != yi)
        return xi < yi ? -1 : 1;
    return x->type_id - y->type_id;
}

static bool same_links(store *st, const char *object, const char *id, const char *to,
                       json_t *server, bool verbose)
{
    size_t ns = 0;
    link_key *want = NULL;
    size_t i, k;
    json_t *a, *ty;
    json_array_foreach(server, i, a) {
        json_array_foreach(json_object_get(a, "types"), k, ty) {
            want = xrealloc(want, (ns + 1) * sizeof *want);
            snprintf(want[ns].id, sizeof want[ns].id, "%s",
                     json_string_value(json_object_get(a, "id")));
            want[ns].type_id = (int)json_integer_value(json_object_get(ty, "typeId"));
            ns++;
        }
    }
    assoc_row *rows = NULL;
    size_t nr = 0;
    ht_error err;
    bool ok = records_assoc_rows(st, object, id, to, &rows, &nr, &err) == HT_OK;
    if (!ok) {
        free(want);
        return differ(verbose, "%s %s: reading links to %s: %s", object, id, to, err.message);
    }
    link_key *have = xcalloc(nr + 1, sizeof *have);
    for (i = 0; i < nr; i++) {
        snprintf(have[i].id, sizeof have[i].id, "%s", rows[i].to_id);
        have[i].type_id = rows[i].type_id;
    }
    assoc_rows_free(rows, nr);
    if (ns)
        qsort(want, ns, sizeof *want, link_cmp);
    if (nr)
        qsort(have, nr, sizeof *have, link_cmp);
    if (ns != nr) {
        ok = differ(verbose, "%s %s: %zu links to %s on the server, %zu in the cache "
                    "(first server %s/%d, first cache %s/%d)", object, id, ns, to, nr,
                    ns ? want[0].id : "-", ns ? want[0].type_id : 0,
                    nr ? have[0].id : "-", nr ? have[0].type_id : 0);
    } else {
        for (i = 0; ok && i < ns; i++)
            if (link_cmp(&want[i], &have[i]) != 0)
                ok = differ(verbose, "%s %s: link to %s %s type %d on the server, %s type %d "
                            "in the cache", object, id, to, want[i].id, want[i].type_id,
                            have[i].id, have[i].type_id);
    }
    free(want);
    free(have);
    return ok;
}

static bool same_record(synctest *t, const char *object, json_t *rec, bool verbose)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    record *r = NULL;
    ht_error err;
    if (records_get(t->ps->st, object, id, &r, &err) != HT_OK)
        return differ(verbose, "%s %s is on the server, not in the cache (%s)", object, id,
                      err.message);
    bool ok = same_properties(object, id, json_object_get(rec, "properties"), r, verbose);
    record_free(r);
    json_t *assoc = json_object_get(rec, "associations");
    for (size_t k = 0; ok && k < st_nobjects; k++)
        ok = same_links(t->ps->st, object, id, st_objects[k],
                        json_object_get(assoc, st_objects[k]), verbose);
    return ok;
}

static int64_t cached_count(store *st, const char *object)
{
    objinfo *objs = NULL;
    size_t n = 0;
    int64_t count = -1;
    assert_int_equal(meta_list_objects(st, &objs, &n, NULL), HT_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(objs[i].name, object) == 0)
            count = objs[i].count;
    objinfo_free_all(objs, n);
    return count;
}

bool st_equal(synctest *t, bool verbose)
{
    for (size_t o = 0; o < st_nobjects; o++) {
        json_t *d = dump(t, st_objects[o]);
        json_t *res = json_object_get(d, "results");
        bool ok = true;
        int64_t have = cached_count(t->ps->st, st_objects[o]);
        if (have != (int64_t)json_array_size(res))
            ok = differ(verbose, "%s: %zu records on the server, %lld in the cache",
                        st_objects[o], json_array_size(res), (long long)have);
        size_t i;
        json_t *rec;
        json_array_foreach(res, i, rec) {
            if (!ok)
                break;
            ok = same_record(t, st_objects[o], rec, verbose);
        }
        json_decref(d);
        if (!ok)
            return false;
    }
    return true;
}

void st_assert_equal(synctest *t)
{
    if (!st_equal(t, true))
        fail_msg("the cache differs from the server (see above)");
}

/* ---- child processes ---------------------------------------------------------------- */

static void child_env(synctest *t)
{
    char v[400];
    snprintf(v, sizeof v, "%s/cfg", t->dir);
    setenv("XDG_CONFIG_HOME", v, 1);
    snprintf(v, sizeof v, "%s/cache", t->dir);
    setenv("XDG_CACHE_HOME", v, 1);
    setenv("HUBSPOT_ACCESS_TOKEN", t->fh.token, 1);
    setenv("HUBTUI_PLAIN_PROGRESS", "1", 1);
    unsetenv("HUBTUI_BASE_URL");
    unsetenv("HUBTUI_LOG");
}

static const char *hubtui_path(void)
{
    const char *p = getenv("HUBTUI");
    if (!p)
        fail_msg("HUBTUI is not set (run through meson test)");
    return p;
}

static char **child_argv(const char *const *args)
{
    size_t n = 0;
    while (args && args[n])
        n++;
    char **argv = xcalloc(n + 2, sizeof *argv);
    argv[0] = (char *)hubtui_path();
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    return argv;
}

int st_wait(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* Fork and exec $HUBTUI with args in this fixture's environment: stdin
 * from /dev/null, stdout and stderr to out_fd and err_fd (-1: /dev/null).
 * Callers open their fds close-on-exec, so the child keeps only 0-2 and a
 * pipe reaches EOF when the child exits. */
static pid_t spawn_hubtui(synctest *t, const char *const *args, int out_fd, int err_fd)
{
    char **argv = child_argv(args);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        child_env(t);
        int null = open("/dev/null", O_RDWR);
        dup2(null, STDIN_FILENO);
        dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
        dup2(err_fd >= 0 ? err_fd : null, STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    free(argv);
    return pid;
}

pid_t st_spawn(synctest *t, const char *const *args)
{
    return spawn_hubtui(t, args, -1, -1);
}

static void drain(int fd, strbuf *sb, bool *open_)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0)
        strbuf_append(sb, buf, (size_t)n);
    else if (n == 0 || errno != EINTR)
        *open_ = false;
}

static void hand_over(strbuf *sb, char **to)
{
    if (to)
        *to = strbuf_detach(sb);
    else
        strbuf_free(sb);
}

/* Read the pipes out_rd and err_rd (-1: none) to EOF, both at once so a
 * child blocked on one cannot stall the other, then wait for pid. */
static int collect(pid_t pid, int out_rd, int err_rd, char **out, char **err)
{
    strbuf so = {0}, se = {0};
    bool oo = out_rd >= 0, eo = err_rd >= 0;
    while (oo || eo) {
        struct pollfd p[2] = {{oo ? out_rd : -1, POLLIN, 0}, {eo ? err_rd : -1, POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (oo && (p[0].revents & (POLLIN | POLLHUP)))
            drain(out_rd, &so, &oo);
        if (eo && (p[1].revents & (POLLIN | POLLHUP)))
            drain(err_rd, &se, &eo);
    }
    if (out_rd >= 0)
        close(out_rd);
    if (err_rd >= 0)
        close(err_rd);
    int rc = st_wait(pid);
    hand_over(&so, out);
    hand_over(&se, err);
    return rc;
}

int st_run_err_file(synctest *t, char **out, const char *err_path, const char *const *args)
{
    int po[2];
    assert_int_equal(pipe2(po, O_CLOEXEC), 0);
    int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    /* Like the shell's 2>FILE: no O_APPEND. */
    pid_t pid = spawn_hubtui(t, args, po[1], fd);
    close(fd);
    close(po[1]);
    return collect(pid, po[0], -1, out, NULL);
}

int st_run(synctest *t, char **out, char **err, const char *const *args)
{
    int po[2], pe[2];
    assert_int_equal(pipe2(po, O_CLOEXEC), 0);
    assert_int_equal(pipe2(pe, O_CLOEXEC), 0);
    pid_t pid = spawn_hubtui(t, args, po[1], pe[1]);
    close(po[1]);
    close(pe[1]);
    return collect(pid, po[0], pe[0], out, err);
}
