/* Sync against a real fakehub ends with the cache equal to the server:
 * after a backfill, after server-side changes (edits by another user,
 * creates, archives, association changes) and an incremental sync, with
 * the search index lagging writes, and after deletions and merges with
 * --full. Also the small cache helpers sync relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "meta.h"
#include "records.h"
#include "synctest.h"
#include "util.h"

/* Most tests change the server and sync at once, expecting every change:
 * no index lag there; test_search_lag_converges and
 * test_push_survives_search_lag have it. */
static const char *const small_portal[] = {
    "--contacts", "120", "--rate-limit", "1000/1000", "--seed", "7", "--search-lag", "0", NULL,
};

static void test_backfill_then_incremental_is_equal(void **state)
{
    synctest t;
    st_start(&t, small_portal);
    st_sync_ok(&t, false);
    st_assert_equal(&t);

    /* The backfill is done and remembered. */
    sync_checkpoint cp;
    assert_int_equal(checkpoint_get(t.ps->st, "contacts", &cp, NULL), HT_OK);
    assert_true(cp.backfill_done);
    assert_null(cp.backfill_after);
    assert_true(cp.hwm_ms > 0);
    assert_true(cp.last_incremental_ms > 0);
    sync_checkpoint_clear(&cp);

    /* Nothing changed: a second sync is incremental and still equal. */
    st_sync_ok(&t, false);
    st_assert_equal(&t);
    st_stop(&t);
}

/* Changes made on the server between syncs arrive with the next one. */
static void test_server_changes_arrive(void **state)
{
    synctest t;
    st_start(&t, small_portal);
    st_sync_ok(&t, false);
    size_t n;
    char **contacts = st_server_ids(&t, "contacts", &n);
    assert_true(n > 10);
    char **companies = NULL, **deals = NULL;
    size_t ncomp = 0, ndeals = 0;
    companies = st_server_ids(&t, "companies", &ncomp);
    deals = st_server_ids(&t, "deals", &ndeals);

    /* Edits by another user. */
    json_decref(st_edit(&t, "contacts", contacts[0], "{\"firstname\":\"Zoë\",\"city\":\"Köln\"}"));
    json_decref(st_edit(&t, "deals", deals[0], "{\"amount\":\"12345.5\"}"));
    /* A cleared value. */
    json_decref(st_edit(&t, "contacts", contacts[1], "{\"jobtitle\":\"\"}"));
    /* A create through the API, with an association. */
    char body[512];
    snprintf(body, sizeof body,
             "{\"properties\":{\"email\":\"new.person@example.org\",\"firstname\":\"New\"},"
             "\"associations\":[{\"to\":{\"id\":\"%s\"},\"types\":[{\"associationCategory\":"
             "\"HUBSPOT_DEFINED\",\"associationTypeId\":279}]}]}", companies[2]);
    json_decref(st_api(&t, "POST", "/crm/v3/objects/contacts", body, 201));
    /* Archives. */
    char path[256];
    snprintf(path, sizeof path, "/crm/v3/objects/contacts/%s", contacts[3]);
    json_decref(st_api(&t, "DELETE", path, NULL, 204));
    snprintf(path, sizeof path, "/crm/v3/objects/companies/%s", companies[0]);
    json_decref(st_api(&t, "DELETE", path, NULL, 204));
    /* Association changes alone move no timestamp. */
    snprintf(path, sizeof path, "/crm/v4/objects/contacts/%s/associations/default/companies/%s",
             contacts[4], companies[3]);
    json_decref(st_api(&t, "PUT", path, NULL, 200));
    snprintf(path, sizeof path, "/crm/v4/objects/deals/%s/associations/contacts/%s",
             deals[1], contacts[5]);
    json_decref(st_api(&t, "PUT", path,
                       "[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":3}]",
                       201));

    st_sync_ok(&t, false);
    st_assert_equal(&t);
    st_free_ids(contacts, n);
    st_free_ids(companies, ncomp);
    st_free_ids(deals, ndeals);
    st_stop(&t);
}

/* With search lagging writes, the overlap and the high-water mark still
 * converge: a sync right after the edits may miss them, the next one after
 * the lag gets them. */
static void test_search_lag_converges(void **state)
{
    static const char *const args[] = {
        "--contacts", "80", "--rate-limit", "1000/1000", "--search-lag", "1500", NULL,
    };
    synctest t;
    st_start(&t, args);
    st_sync_ok(&t, false);
    size_t n;
    char **ids = st_server_ids(&t, "contacts", &n);
    for (size_t i = 0; i < 5; i++) {
        char props[128];
        snprintf(props, sizeof props, "{\"lastname\":\"Lagged %zu\"}", i);
        json_decref(st_edit(&t, "contacts", ids[i], props));
    }
    /* At once: search does not show the edits yet. */
    st_sync_ok(&t, false);
    assert_false(st_equal(&t, false));
    usleep(1600 * 1000);
    for (size_t i = 5; i < 8; i++)
        json_decref(st_edit(&t, "contacts", ids[i], "{\"lastname\":\"Second wave\"}"));
    st_sync_ok(&t, false);
    usleep(1600 * 1000);
    st_sync_ok(&t, false);
    st_assert_equal(&t);
    st_free_ids(ids, n);
    st_stop(&t);
}

static void assert_cached(synctest *t, const char *object, const char *id, const char *prop,
                          const char *want)
{
    record *r = NULL;
    assert_int_equal(records_get(t->ps->st, object, id, &r, NULL), HT_OK);
    const char *have = record_get(r, prop);
    if (!have || strcmp(have, want) != 0)
        fail_msg("%s %s: %s is \"%s\" in the cache, expected \"%s\"", object, id, prop,
                 have ? have : "(none)", want);
    record_free(r);
}

/* A sync soon after a push, while the search index still shows the record
 * as it was before (it was edited a moment earlier, so it falls inside the
 * sync's overlap window): the cache keeps the pushed version instead of
 * going back to the older one, and still converges once the index has it. */
static void test_push_survives_search_lag(void **state)
{
    static const char *const args[] = {
        "--contacts", "40", "--rate-limit", "1000/1000", "--search-lag", "1500", NULL,
    };
    synctest t;
    st_start(&t, args);
    size_t n;
    char **ids = st_server_ids(&t, "contacts", &n);
    json_decref(st_edit(&t, "contacts", ids[0], "{\"city\":\"Recently edited\"}"));
    usleep(1600 * 1000);
    st_sync_ok(&t, false);
    assert_cached(&t, "contacts", ids[0], "city", "Recently edited");
    char *out = NULL, *err = NULL;
    const char *const set[] = {"set", "contacts", ids[0], "jobtitle=Pushed title", NULL};
    assert_int_equal(st_run(&t, &out, &err, set), 0);
    free(out);
    free(err);
    const char *const push[] = {"push", NULL};
    assert_int_equal(st_run(&t, &out, &err, push), 0);
    free(out);
    free(err);
    assert_cached(&t, "contacts", ids[0], "jobtitle", "Pushed title");
    /* At once: search still answers with the version before the push. */
    st_sync_ok(&t, false);
    assert_cached(&t, "contacts", ids[0], "jobtitle", "Pushed title");
    usleep(1600 * 1000);
    st_sync_ok(&t, false);
    assert_cached(&t, "contacts", ids[0], "jobtitle", "Pushed title");
    st_assert_equal(&t);
    st_free_ids(ids, n);
    st_stop(&t);
}

/* --full catches what incremental sync cannot see. */
static void test_full_catches_deletions_and_merges(void **state)
{
    synctest t;
    st_start(&t, small_portal);
    st_sync_ok(&t, false);
    size_t n;
    char **ids = st_server_ids(&t, "contacts", &n);
    char body[256];
    snprintf(body, sizeof body, "{\"primaryObjectId\":\"%s\",\"objectIdToMerge\":\"%s\"}",
             ids[0], ids[1]);
    json_decref(st_api(&t, "POST", "/crm/v3/objects/contacts/merge", body, 200));
    snprintf(body, sizeof body, "{\"objectId\":\"%s\"}", ids[2]);
    json_decref(st_api(&t, "POST", "/crm/v3/objects/contacts/gdpr-delete", body, 204));
    size_t nd;
    char **tickets = st_server_ids(&t, "tickets", &nd);
    char path[128];
    snprintf(path, sizeof path, "/crm/v3/objects/tickets/%s", tickets[0]);
    json_decref(st_api(&t, "DELETE", path, NULL, 204));

    /* A contact loses its only deal: the contact side is cleared from the
     * deal side's answer, without asking for it. */
    json_t *contacts = st_api(&t, "GET", "/_fakehub/dump/contacts", NULL, 0);
    const char *deal = NULL, *contact = NULL;
    size_t ci;
    json_t *crec;
    json_array_foreach(json_object_get(contacts, "results"), ci, crec) {
        json_t *links = json_object_get(json_object_get(crec, "associations"), "deals");
        if (json_array_size(links) == 1 && !deal) {
            contact = json_string_value(json_object_get(crec, "id"));
            deal = json_string_value(json_object_get(json_array_get(links, 0), "id"));
        }
    }
    assert_non_null(deal);
    char apath[160];
    snprintf(apath, sizeof apath, "/crm/v4/objects/contacts/%s/associations/deals/%s", contact,
             deal);
    json_decref(st_api(&t, "DELETE", apath, NULL, 204));
    json_decref(contacts);
    st_sync_ok(&t, true);
    st_assert_equal(&t);
    /* The pass is recorded. */
    sync_checkpoint cp;
    assert_int_equal(checkpoint_get(t.ps->st, "contacts", &cp, NULL), HT_OK);
    assert_true(cp.full_gen >= 1);
    assert_true(cp.last_full_ms > 0);
    sync_checkpoint_clear(&cp);
    record *r = NULL;
    assert_int_equal(records_get(t.ps->st, "contacts", ids[2], &r, NULL), HT_NOT_FOUND);
    st_free_ids(ids, n);
    st_free_ids(tickets, nd);
    st_stop(&t);
}

/* A long property list is read in parts (list page + batch reads) and
 * still lands whole. */
static void test_split_property_lists(void **state)
{
    synctest t;
    st_start(&t, small_portal);
    sync_options o = {.url_budget = 120};
    ht_error err;
    assert_int_equal(st_sync(&t, &o, &err), HT_OK);
    st_assert_equal(&t);
    long before = st_requests(&t);
    assert_true(before > 0);
    st_stop(&t);
}

/* Only the named object types; an unknown name fails clearly. */
static void test_named_objects(void **state)
{
    synctest t;
    st_start(&t, small_portal);
    const char *names[] = {"contacts", "companies"};
    sync_options o = {.objects = names, .n_objects = 2};
    ht_error err;
    assert_int_equal(st_sync(&t, &o, &err), HT_OK);
    objinfo *objs = NULL;
    size_t n = 0;
    assert_int_equal(meta_list_objects(t.ps->st, &objs, &n, NULL), HT_OK);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(objs[i].name, "contacts") || !strcmp(objs[i].name, "companies"))
            assert_true(objs[i].count > 0);
        else
            assert_int_equal(objs[i].count, 0);
    }
    objinfo_free_all(objs, n);
    const char *bad[] = {"spaceships"};
    sync_options ob = {.objects = bad, .n_objects = 1};
    assert_int_equal(st_sync(&t, &ob, &err), HT_INVALID);
    assert_non_null(strstr(err.message, "spaceships"));
    st_stop(&t);
}

/* The raw association rows and id slices sync reads through. */
static void test_cache_helpers(void **state)
{
    synctest t;
    st_start(&t, small_portal);
    const char *names[] = {"contacts", "companies"};
    sync_options o = {.objects = names, .n_objects = 2};
    assert_int_equal(st_sync(&t, &o, NULL), HT_OK);
    int64_t ids[7];
    size_t n = 0;
    assert_int_equal(records_ids_after(t.ps->st, "contacts", 0, 7, ids, &n, NULL), HT_OK);
    assert_int_equal(n, 7);
    for (size_t i = 1; i < n; i++)
        assert_true(ids[i] > ids[i - 1]);
    int64_t more[3];
    size_t m = 0;
    assert_int_equal(records_ids_after(t.ps->st, "contacts", ids[3], 3, more, &m, NULL), HT_OK);
    assert_int_equal(m, 3);
    assert_int_equal(more[0], ids[4]);
    assert_int_equal(records_ids_after(t.ps->st, "contacts", INT64_MAX - 1, 3, more, &m, NULL),
                     HT_OK);
    assert_int_equal(m, 0);
    /* Portal-wide sync state. */
    char *v = NULL;
    assert_int_equal(checkpoint_kv_set(t.ps->st, NULL, "k", "v", NULL), HT_OK);
    assert_int_equal(checkpoint_kv_get(t.ps->st, NULL, "k", &v, NULL), HT_OK);
    assert_string_equal(v, "v");
    free(v);
    assert_int_equal(checkpoint_kv_get(t.ps->st, "contacts", "k", &v, NULL), HT_OK);
    assert_null(v);
    /* Raw rows: a contact with a company has its primary twice (1 and 279). */
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)ids[0]);
    assoc_row *rows = NULL;
    size_t nr = 0;
    assert_int_equal(records_assoc_rows(t.ps->st, "contacts", id, "companies", &rows, &nr, NULL),
                     HT_OK);
    for (size_t i = 1; i < nr; i++)
        assert_true(strcmp(rows[i - 1].to_id, rows[i].to_id) <= 0);
    assoc_rows_free(rows, nr);
    assert_int_equal(records_assoc_rows(t.ps->st, "contacts", "x", "companies", &rows, &nr, NULL),
                     HT_INVALID);
    st_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backfill_then_incremental_is_equal),
        cmocka_unit_test(test_server_changes_arrive),
        cmocka_unit_test(test_search_lag_converges),
        cmocka_unit_test(test_push_survives_search_lag),
        cmocka_unit_test(test_full_catches_deletions_and_merges),
        cmocka_unit_test(test_split_property_lists),
        cmocka_unit_test(test_named_objects),
        cmocka_unit_test(test_cache_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
