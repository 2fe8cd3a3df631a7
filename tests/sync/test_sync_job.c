/* The sync job as the browser drives it: progress, cancel at any point,
 * the client going away under it, freeing it while it runs; and
 * sync_refresh_record (the record the user opens). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "synctest.h"
#include "util.h"

static const char *const portal_args[] = {
    "--contacts", "300", "--rate-limit", "2000/1000", "--seed", "5", NULL,
};

typedef struct watch {
    int          progress_calls;
    int          done_calls;
    ht_status    status;
    ht_error     err;
    int64_t      last_done;
    bool         monotonic;
    bool         saw_phase[SYNC_FINISHED + 1];
    sync_progress last;
    int64_t      cancel_after;   /* cancel once this many records are in (0: never) */
    sync_job    *job;
} watch;

static void on_progress(void *ud, const sync_progress *p)
{
    watch *w = ud;
    w->progress_calls++;
    if (p->records_done < w->last_done)
        w->monotonic = false;
    w->last_done = p->records_done;
    w->saw_phase[p->phase] = true;
    w->last = *p;
    assert_true(p->objects_done <= p->objects_total || p->objects_total == 0);
    if (w->cancel_after && p->records_done >= w->cancel_after && w->job)
        sync_cancel(w->job);
}

static void on_done(void *ud, ht_status st, const ht_error *err)
{
    watch *w = ud;
    w->done_calls++;
    w->status = st;
    if (err)
        ht_error_copy(&w->err, err);
}

static sync_job *start(synctest *t, watch *w, bool full)
{
    memset(w, 0, sizeof *w);
    w->monotonic = true;
    sync_options o = {.full = full, .on_progress = on_progress, .on_done = on_done, .ud = w};
    ht_error err;
    sync_job *j = sync_start(t->ps, &o, &err);
    if (!j)
        fail_msg("sync_start: %s", err.message);
    w->job = j;
    /* on_done never runs inside sync_start. */
    assert_int_equal(w->done_calls, 0);
    return j;
}

static void run_until_done(synctest *t, watch *w)
{
    while (w->done_calls == 0)
        hs_client_poll(t->ps->client, NULL, 0, 100);
}

static void test_progress(void **state)
{
    synctest t;
    st_start(&t, portal_args);
    watch w;
    sync_job *j = start(&t, &w, false);
    run_until_done(&t, &w);
    assert_int_equal(w.done_calls, 1);
    assert_int_equal(w.status, HT_OK);
    assert_true(sync_finished(j));
    assert_true(w.monotonic);
    assert_true(w.saw_phase[SYNC_METADATA] && w.saw_phase[SYNC_BACKFILL] &&
                w.saw_phase[SYNC_ASSOCIATIONS] && w.saw_phase[SYNC_FINISHED]);
    const sync_progress *p = sync_get_progress(j);
    assert_int_equal(p->phase, SYNC_FINISHED);
    assert_int_equal(p->objects_done, p->objects_total);
    assert_true(p->objects_total >= 10);
    assert_true(p->requests > 20);
    assert_true(p->records_done >= 300);
    assert_int_equal(p->records_total, p->records_done);   /* the counts were right */
    sync_free(j);
    /* The second run is incremental. */
    j = start(&t, &w, false);
    run_until_done(&t, &w);
    assert_int_equal(w.status, HT_OK);
    assert_true(w.saw_phase[SYNC_INCREMENTAL]);
    assert_false(w.saw_phase[SYNC_BACKFILL]);
    sync_free(j);
    st_assert_equal(&t);
    st_stop(&t);
}

/* Cancel at many points: on_done once with HT_CANCELLED, and a later sync
 * still ends equal. */
static void test_cancel_anywhere(void **state)
{
    synctest t;
    st_start(&t, portal_args);
    static const int64_t points[] = {1, 150, 400, 700, 1000, 1400};
    for (size_t i = 0; i < ARRAY_SIZE(points); i++) {
        watch w;
        sync_job *j = start(&t, &w, i % 2 == 1);
        w.cancel_after = points[i];
        run_until_done(&t, &w);
        assert_int_equal(w.done_calls, 1);
        if (w.status != HT_OK)   /* a late point may come after the end */
            assert_int_equal(w.status, HT_CANCELLED);
        sync_cancel(j);   /* harmless after the end */
        sync_free(j);
        assert_int_equal(w.done_calls, 1);
    }
    /* Cancelled before it even began. */
    watch w;
    sync_job *j = start(&t, &w, false);
    sync_cancel(j);
    assert_int_equal(w.done_calls, 1);
    assert_int_equal(w.status, HT_CANCELLED);
    sync_free(j);
    st_sync_ok(&t, false);
    st_assert_equal(&t);
    st_stop(&t);
}

/* hs_cancel_priority(BACKGROUND) stops a sync; so does the client going
 * away (offline); freeing a running job reports it cancelled. */
static void test_stopped_from_outside(void **state)
{
    synctest t;
    st_start(&t, portal_args);
    watch w;
    sync_job *j = start(&t, &w, false);
    while (w.last_done < 100 && w.done_calls == 0)
        hs_client_poll(t.ps->client, NULL, 0, 100);
    hs_cancel_priority(t.ps->client, HS_PRIO_BACKGROUND);
    assert_int_equal(w.done_calls, 1);
    assert_int_equal(w.status, HT_CANCELLED);
    sync_free(j);

    j = start(&t, &w, false);
    while (w.last_done < 50 && w.done_calls == 0)
        hs_client_poll(t.ps->client, NULL, 0, 100);
    portal_go_offline(t.ps);            /* frees the client under the job */
    assert_int_equal(w.done_calls, 1);
    assert_int_equal(w.status, HT_CANCELLED);
    sync_free(j);
    /* Offline: no sync at all. */
    ht_error err;
    assert_null(sync_start(t.ps, NULL, &err));
    assert_int_equal(err.status, HT_UNSUPPORTED);

    st_reopen(&t);
    j = start(&t, &w, false);
    hs_client_poll(t.ps->client, NULL, 0, 50);
    sync_free(j);
    assert_int_equal(w.done_calls, 1);
    assert_int_equal(w.status, HT_CANCELLED);
    st_sync_ok(&t, false);
    st_assert_equal(&t);
    st_stop(&t);
}

/* ---- sync_refresh_record ------------------------------------------------------------ */

typedef struct refreshed {
    int       calls;
    ht_status status;
    ht_error  err;
} refreshed;

static void on_refreshed(void *ud, ht_status st, const ht_error *err)
{
    refreshed *r = ud;
    r->calls++;
    r->status = st;
    if (err)
        ht_error_copy(&r->err, err);
}

static ht_status refresh(synctest *t, const char *object, const char *id, bool cancel)
{
    refreshed r = {0};
    hs_call_id call = sync_refresh_record(t->ps, object, id, on_refreshed, &r);
    assert_true(call != 0);
    assert_int_equal(r.calls, 0);   /* never inside the call */
    if (cancel)
        assert_true(hs_cancel(t->ps->client, call));
    while (r.calls == 0)
        hs_client_poll(t->ps->client, NULL, 0, 100);
    assert_int_equal(r.calls, 1);
    return r.status;
}

static void test_refresh_record(void **state)
{
    synctest t;
    st_start(&t, portal_args);
    const char *names[] = {"contacts", "companies"};
    sync_options o = {.objects = names, .n_objects = 2};
    assert_int_equal(st_sync(&t, &o, NULL), HT_OK);
    size_t n, nc;
    char **ids = st_server_ids(&t, "contacts", &n);
    char **companies = st_server_ids(&t, "companies", &nc);

    /* A change by someone else, and a new association. */
    json_decref(st_edit(&t, "contacts", ids[0], "{\"firstname\":\"Opened\",\"phone\":\"\"}"));
    char path[160];
    snprintf(path, sizeof path, "/crm/v4/objects/contacts/%s/associations/default/companies/%s",
             ids[0], companies[5]);
    json_decref(st_api(&t, "PUT", path, NULL, 200));
    assert_int_equal(refresh(&t, "contacts", ids[0], false), HT_OK);
    record *r = NULL;
    assert_int_equal(records_get(t.ps->st, "contacts", ids[0], &r, NULL), HT_OK);
    assert_string_equal(record_get(r, "firstname"), "Opened");
    assert_null(record_get(r, "phone"));
    record_free(r);
    assoc_row *rows = NULL;
    size_t nr = 0;
    assert_int_equal(records_assoc_rows(t.ps->st, "contacts", ids[0], "companies", &rows, &nr,
                                        NULL), HT_OK);
    bool linked = false;
    for (size_t i = 0; i < nr; i++)
        linked |= strcmp(rows[i].to_id, companies[5]) == 0;
    assoc_rows_free(rows, nr);
    assert_true(linked);

    /* Cancelled: reported once, the cache untouched. */
    json_decref(st_edit(&t, "contacts", ids[1], "{\"firstname\":\"Never seen\"}"));
    assert_int_equal(refresh(&t, "contacts", ids[1], true), HT_CANCELLED);
    assert_int_equal(records_get(t.ps->st, "contacts", ids[1], &r, NULL), HT_OK);
    assert_string_not_equal(record_get(r, "firstname"), "Never seen");
    record_free(r);

    /* Deleted on HubSpot: it leaves the cache. */
    snprintf(path, sizeof path, "/crm/v3/objects/contacts/%s", ids[2]);
    json_decref(st_api(&t, "DELETE", path, NULL, 204));
    assert_int_equal(refresh(&t, "contacts", ids[2], false), HT_NOT_FOUND);
    assert_int_equal(records_get(t.ps->st, "contacts", ids[2], &r, NULL), HT_NOT_FOUND);

    /* Mistakes come back through the callback too. */
    assert_int_equal(refresh(&t, "spaceships", "1", false), HT_NOT_FOUND);
    assert_int_equal(refresh(&t, "contacts", "local-3", false), HT_INVALID);
    /* A record not cached yet arrives. */
    const char *created = NULL;
    json_t *c = st_api(&t, "POST", "/crm/v3/objects/contacts",
                       "{\"properties\":{\"email\":\"fresh@example.org\"}}", 201);
    created = json_string_value(json_object_get(c, "id"));
    assert_int_equal(refresh(&t, "contacts", created, false), HT_OK);
    assert_int_equal(records_get(t.ps->st, "contacts", created, &r, NULL), HT_OK);
    assert_string_equal(record_get(r, "email"), "fresh@example.org");
    record_free(r);
    json_decref(c);
    /* Offline: nothing to call. */
    portal_go_offline(t.ps);
    assert_int_equal(sync_refresh_record(t.ps, "contacts", ids[0], on_refreshed, NULL), 0);
    st_free_ids(ids, n);
    st_free_ids(companies, nc);
    st_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_cancel_anywhere),
        cmocka_unit_test(test_stopped_from_outside),
        cmocka_unit_test(test_refresh_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
