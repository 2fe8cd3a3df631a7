/* wbfix.c — see wbfix.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wbfix.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hubspot.h"
#include "meta.h"
#include "records.h"
#include "tmpdir.h"
#include "util.h"
#include "walk.h"

void wbf_write_config(wbfix *f, bool readonly)
{
    FILE *fp = fopen(f->config, "w");
    assert_non_null(fp);
    fprintf(fp, "default_portal = test\n[portal test]\nbase_url = %s\napp_type = private\n%s",
            f->fh.base_url, readonly ? "readonly = true\n" : "");
    fclose(fp);
}

void wbf_start(wbfix *f, const char *const *fakehub_args, bool readonly)
{
    memset(f, 0, sizeof *f);
    unsetenv("HUBTUI_BASE_URL");
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    if (!getenv("FAKEHUB")) {
        fprintf(stderr, "FAKEHUB is not set: skipping\n");
        exit(77);
    }
    if (!fakehub_start(&f->fh, fakehub_args, 0))
        fail_msg("fakehub did not start");
    f->fh_running = true;
    assert_true(tmpdir_make(f->dir, sizeof f->dir, "hubtui-wb"));
    snprintf(f->hub_dir, sizeof f->hub_dir, "%s/hubtui", f->dir);
    assert_int_equal(mkdir(f->hub_dir, 0700), 0);
    snprintf(f->config, sizeof f->config, "%s/config", f->hub_dir);
    snprintf(f->db, sizeof f->db, "%s/test.db", f->hub_dir);
    wbf_write_config(f, readonly);
}

void wbf_open(wbfix *f)
{
    portal_options po = {.config_path = f->config, .cache_dir = f->hub_dir,
                         .token = f->fh.token};
    ht_error err;
    if (portal_open(&po, &f->ps, &err) != HT_OK)
        fail_msg("portal_open: %s", err.message);
    if (portal_connect(f->ps, &err) != HT_OK)
        fail_msg("portal_connect: %s", err.message);
}

void wbf_close(wbfix *f)
{
    portal_close(f->ps);
    f->ps = NULL;
}

void wbf_stop(wbfix *f)
{
    wbf_close(f);
    if (f->fh_running)
        fakehub_stop(&f->fh);
    f->fh_running = false;
    if (f->dir[0])
        tmpdir_remove(f->dir);
    f->dir[0] = '\0';
}

/* ---- seeding ----------------------------------------------------------------------------- */

typedef struct got {
    ht_status status;
    json_t   *body;
    ht_error  err;
} got;

static void on_got(void *ud, const hs_result *r)
{
    got *g = ud;
    g->status = r->status;
    ht_error_copy(&g->err, r->err);
    g->body = r->body ? json_incref(r->body) : NULL;
}

static json_t *call(wbfix *f, hs_call_id id, got *g)
{
    hs_client_run(f->ps->client, id);
    if (g->status != HT_OK)
        fail_msg("seeding: %s", g->err.message);
    return g->body;
}

static void seed_owners(wbfix *f)
{
    got g = {0};
    json_t *body = call(f, hs_owners_list(f->ps->client, HS_PRIO_NORMAL, NULL, 0, on_got, &g), &g);
    ht_error err;
    assert_int_equal(meta_store_owners(f->ps->st, json_object_get(body, "results"), &err), HT_OK);
    json_decref(body);
}

typedef struct page_ctx {
    record_writer     *w;
    const char *const *props;
    size_t             nprops;
    ht_status          done;
    ht_error           err;
} page_ctx;

static bool on_page(void *ud, json_t *results, const char *next_after)
{
    page_ctx *pc = ud;
    ht_error err;
    if (records_writer_put_json(pc->w, results, pc->props, pc->nprops, 0, NULL, &err) != HT_OK)
        fail_msg("storing records: %s", err.message);
    return true;
}

static void on_walk_done(void *ud, const hs_result *r)
{
    page_ctx *pc = ud;
    pc->done = r->status;
    ht_error_copy(&pc->err, r->err);
}

static void seed_records(wbfix *f, const char *type, json_t *prop_defs)
{
    size_t n = json_array_size(prop_defs);
    const char **props = xcalloc(n + 1, sizeof *props);
    for (size_t i = 0; i < n; i++)
        props[i] = json_string_value(json_object_get(json_array_get(prop_defs, i), "name"));
    ht_error err;
    page_ctx pc = {.props = props, .nprops = n, .done = HT_INVALID};
    pc.w = records_writer_open(f->ps->st, type, &err);
    if (!pc.w)
        fail_msg("records_writer_open: %s", err.message);
    hs_read_opts o = {.properties = props};
    hs_call_id id = hs_walk_objects(f->ps->client, HS_PRIO_NORMAL, type, &o, NULL, on_page,
                                    on_walk_done, &pc);
    hs_client_run(f->ps->client, id);
    if (pc.done != HT_OK)
        fail_msg("walking %s: %s", type, pc.err.message);
    records_writer_close(pc.w);
    free(props);
}

static void seed_type(wbfix *f, const char *type)
{
    hs_client *c = f->ps->client;
    store *st = f->ps->st;
    ht_error err;
    got g = {0};
    json_t *props = call(f, hs_properties_list(c, HS_PRIO_NORMAL, type, false, on_got, &g), &g);
    assert_int_equal(meta_store_properties(st, type, json_object_get(props, "results"), &err),
                     HT_OK);
    memset(&g, 0, sizeof g);
    json_t *groups = call(f, hs_property_groups_list(c, HS_PRIO_NORMAL, type, on_got, &g), &g);
    assert_int_equal(meta_store_property_groups(st, type, json_object_get(groups, "results"),
                                                &err), HT_OK);
    json_decref(groups);
    if (strcmp(type, "deals") == 0 || strcmp(type, "tickets") == 0) {
        memset(&g, 0, sizeof g);
        json_t *pl = call(f, hs_pipelines_list(c, HS_PRIO_NORMAL, type, on_got, &g), &g);
        assert_int_equal(meta_store_pipelines(st, type, json_object_get(pl, "results"), &err),
                         HT_OK);
        json_decref(pl);
    }
    seed_records(f, type, json_object_get(props, "results"));
    json_decref(props);
}

typedef struct assoc_got {
    ht_status status;
    json_t   *results;
} assoc_got;

static void on_assoc(void *ud, const hs_batch_result *r)
{
    assoc_got *a = ud;
    a->status = r->status;
    a->results = json_incref(r->results);
}

/* Contacts' company associations, the way sync stores them. */
static void seed_contact_companies(wbfix *f)
{
    char **ids = wbf_ids(f, "contacts", 1000);
    json_t *arr = json_array();
    for (size_t n = 0; ids[n]; n++)
        json_array_append_new(arr, json_string(ids[n]));
    assoc_got a = {HT_INVALID, NULL};
    hs_call_id id = hs_assoc_batch_read(f->ps->client, HS_PRIO_NORMAL, "contacts", "companies",
                                        arr, on_assoc, &a);
    hs_client_run(f->ps->client, id);
    assert_int_equal(a.status, HT_OK);
    ht_error err;
    if (records_put_associations_json(f->ps->st, "contacts", "companies", a.results, true,
                                      &err) != HT_OK)
        fail_msg("storing associations: %s", err.message);
    json_decref(a.results);
    json_decref(arr);
    wbf_free_ids(ids, 0);
}

void wbf_seed(wbfix *f, const char *const *objects)
{
    seed_owners(f);
    bool contacts = false, companies = false;
    for (size_t i = 0; objects[i]; i++) {
        seed_type(f, objects[i]);
        contacts |= strcmp(objects[i], "contacts") == 0;
        companies |= strcmp(objects[i], "companies") == 0;
    }
    if (contacts && companies)
        seed_contact_companies(f);
}

/* ---- talking to fakehub ---------------------------------------------------------------------- */

void wbf_control(wbfix *f, const char *path, const char *json_body)
{
    long status = 0;
    char *body = fakehub_request(&f->fh, "POST", path, json_body, &status);
    if (status != 200)
        fail_msg("%s → %ld %s", path, status, body ? body : "");
    free(body);
}

void wbf_other_edit(wbfix *f, const char *type, const char *id, const char *props_json)
{
    char *body = xasprintf("{\"objectType\":\"%s\",\"id\":\"%s\",\"properties\":%s}", type, id,
                           props_json);
    wbf_control(f, "/_fakehub/edit", body);
    free(body);
}

json_t *wbf_hubspot_get(wbfix *f, const char *path, long *status)
{
    json_t *j = NULL;
    for (int tries = 0; tries < 20; tries++) {
        json_decref(j);
        j = fakehub_json(&f->fh, "GET", path, NULL, status);
        /* Tests may switch faults on: read through them. */
        if (*status != 0 && *status != 429 && *status < 500 && (j || *status != 200))
            break;
    }
    return j;
}

json_t *wbf_server_record(wbfix *f, const char *type, const char *id, const char *props)
{
    char *path = xasprintf("/crm/v3/objects/%s/%s?properties=%s", type, id, props);
    long status = 0;
    json_t *j = wbf_hubspot_get(f, path, &status);
    free(path);
    if (status == 404) {
        json_decref(j);
        return NULL;
    }
    if (status != 200)
        fail_msg("GET %s %s → %ld", type, id, status);
    return j;
}

char *wbf_server_value(wbfix *f, const char *type, const char *id, const char *prop)
{
    json_t *rec = wbf_server_record(f, type, id, prop);
    const char *v = rec ? hs_record_prop(rec, prop) : NULL;
    char *out = v && *v ? xstrdup(v) : NULL;
    json_decref(rec);
    return out;
}

json_t *wbf_dump(wbfix *f, const char *type)
{
    char *path = xasprintf("/_fakehub/dump/%s", type);
    long status = 0;
    json_t *j = fakehub_json(&f->fh, "GET", path, NULL, &status);
    free(path);
    if (status != 200 || !j)
        fail_msg("dump %s → %ld", type, status);
    return j;
}

size_t wbf_count_with(wbfix *f, const char *type, const char *prop, const char *value)
{
    json_t *d = wbf_dump(f, type);
    size_t n = 0, i;
    json_t *rec;
    json_array_foreach(json_object_get(d, "results"), i, rec) {
        const char *v = hs_record_prop(rec, prop);
        n += v && strcmp(v, value) == 0;
    }
    json_decref(d);
    return n;
}

static json_t *stats(wbfix *f)
{
    long status = 0;
    json_t *j = fakehub_json(&f->fh, "GET", "/_fakehub/stats", NULL, &status);
    if (status != 200 || !j)
        fail_msg("stats → %ld", status);
    return j;
}

static bool is_write_endpoint(const char *name)
{
    if (str_starts_with(name, "GET "))
        return false;
    size_t n = strlen(name);
    static const char *const reads[] = {"/batch/read", "/search"};
    for (size_t i = 0; i < ARRAY_SIZE(reads); i++) {
        size_t k = strlen(reads[i]);
        if (n >= k && strcmp(name + n - k, reads[i]) == 0)
            return false;
    }
    return true;
}

long wbf_write_requests(wbfix *f)
{
    json_t *s = stats(f);
    long n = 0;
    const char *name;
    json_t *ep;
    json_object_foreach(json_object_get(s, "byEndpoint"), name, ep)
        if (is_write_endpoint(name))
            n += (long)json_integer_value(json_object_get(ep, "total"));
    json_decref(s);
    return n;
}

long wbf_total_requests(wbfix *f)
{
    json_t *s = stats(f);
    long n = (long)json_integer_value(json_object_get(s, "total"));
    json_decref(s);
    return n;
}

/* ---- running hubtui ----------------------------------------------------------------------------- */

pid_t wbf_hubtui_spawn(wbfix *f, const char *const *args)
{
    const char *exe = getenv("HUBTUI");
    assert_non_null(exe);
    char *out_path = xasprintf("%s/stdout", f->dir), *err_path = xasprintf("%s/stderr", f->dir);
    size_t n = 0;
    while (args[n])
        n++;
    char **argv = xcalloc(n + 2, sizeof *argv);
    argv[0] = (char *)exe;
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int in = open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || in < 0)
            _exit(126);
        dup2(o, 1);
        dup2(e, 2);
        dup2(in, 0);
        setenv("XDG_CONFIG_HOME", f->dir, 1);
        setenv("XDG_CACHE_HOME", f->dir, 1);
        setenv("HUBSPOT_ACCESS_TOKEN", f->fh.token, 1);
        unsetenv("HUBTUI_BASE_URL");
        unsetenv("HUBTUI_LOG");
        execv(exe, argv);
        _exit(127);
    }
    free(argv);
    free(out_path);
    free(err_path);
    return pid;
}

int wbf_hubtui_wait(wbfix *f, pid_t pid, char **out, char **errout)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        ;
    char *out_path = xasprintf("%s/stdout", f->dir), *err_path = xasprintf("%s/stderr", f->dir);
    if (out)
        *out = tmpdir_read_file(out_path);
    if (errout)
        *errout = tmpdir_read_file(err_path);
    free(out_path);
    free(err_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int wbf_hubtui(wbfix *f, const char *const *args, char **out, char **errout)
{
    char *o = NULL, *e = NULL;
    int rc = wbf_hubtui_wait(f, wbf_hubtui_spawn(f, args), &o, &e);
    if (getenv("WB_SHOW")) {
        fprintf(stderr, "$ hubtui");
        for (size_t i = 0; args[i]; i++)
            fprintf(stderr, " %s", args[i]);
        fprintf(stderr, "   [exit %d]\n%s%s", rc, o ? o : "", e ? e : "");
    }
    if (out) *out = o; else free(o);
    if (errout) *errout = e; else free(e);
    return rc;
}

/* ---- ids ------------------------------------------------------------------------------------------ */

char **wbf_ids(wbfix *f, const char *type, size_t n)
{
    json_t *d = wbf_dump(f, type);
    json_t *res = json_object_get(d, "results");
    size_t have = json_array_size(res);
    if (have > n)
        have = n;
    char **ids = xcalloc(have + 1, sizeof *ids);
    for (size_t i = 0; i < have; i++)
        ids[i] = xstrdup(json_string_value(json_object_get(json_array_get(res, i), "id")));
    json_decref(d);
    return ids;
}

void wbf_free_ids(char **ids, size_t n)
{
    for (size_t i = 0; ids && (n ? i < n : ids[i] != NULL); i++)
        free(ids[i]);
    free(ids);
}
