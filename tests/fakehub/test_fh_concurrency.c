/* fakehub integration test: many clients at once. Threads create, update,
 * read, search and associate in parallel over their own connections; every
 * answer must be well-formed and the data consistent afterwards (no lost or
 * doubled writes, unique addresses kept unique). */
#include "fhtest.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define THREADS 6
#define ROUNDS 25

static fakehub fh;
static char company[24];

typedef struct worker {
    int  n;
    int  created, conflicts, failures;
    char ids[ROUNDS][24];
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < ROUNDS; i++) {
        fakehub_response r;
        /* Every thread also tries one shared address: only one may win. */
        char *body = i == 0 ? xstrdup("{\"properties\":{\"email\":\"shared@example.io\"}}")
                            : xasprintf("{\"properties\":{\"email\":\"w%d-%d@example.io\",\"firstname\":\"T%d\"}}",
                                        w->n, i, w->n);
        req(&fh, "POST", "/crm/v3/objects/contacts", body, &r);
        free(body);
        if (r.status == 201) {
            snprintf(w->ids[w->created++], sizeof w->ids[0], "%s", js(r.json, "id"));
        } else if (r.status == 409) {
            w->conflicts++;
        } else {
            w->failures++;
        }
        fakehub_response_free(&r);
        if (w->created) {
            reqf(&fh, "PATCH", "{\"properties\":{\"jobtitle\":\"Busy\"}}", &r, "/crm/v3/objects/contacts/%s",
                 w->ids[w->created - 1]);
            w->failures += r.status != 200;
            fakehub_response_free(&r);
            reqf(&fh, "PUT", NULL, &r, "/crm/v4/objects/contacts/%s/associations/default/companies/%s",
                 w->ids[w->created - 1], company);
            w->failures += r.status != 200;
            fakehub_response_free(&r);
        }
        req(&fh, "GET", "/crm/v3/objects/contacts?limit=20&associations=companies", NULL, &r);
        w->failures += r.status != 200 || !r.json;
        fakehub_response_free(&r);
        req(&fh, "POST", "/crm/v3/objects/contacts/search",
            "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"jobtitle\",\"operator\":\"EQ\",\"value\":\"Busy\"}]}]}", &r);
        w->failures += r.status != 200;
        fakehub_response_free(&r);
    }
    return NULL;
}

static void test_parallel_clients(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/_fakehub/dump/contacts", NULL, &r);
    long long before = ji(r.json, "total");
    fakehub_response_free(&r);
    pthread_t threads[THREADS];
    worker workers[THREADS];
    memset(workers, 0, sizeof workers);
    for (int i = 0; i < THREADS; i++) {
        workers[i].n = i;
        assert_int_equal(pthread_create(&threads[i], NULL, work, &workers[i]), 0);
    }
    int created = 0, conflicts = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].failures, 0);
        created += workers[i].created;
        conflicts += workers[i].conflicts;
    }
    assert_int_equal(conflicts, THREADS - 1);   /* the shared address went to one thread */
    assert_int_equal(created, THREADS * ROUNDS - (THREADS - 1));
    req(&fh, "GET", "/_fakehub/dump/contacts", NULL, &r);
    assert_int_equal(ji(r.json, "total"), before + created);
    /* Ids are unique. */
    json_t *seen = json_object();
    size_t i;
    json_t *rec;
    json_array_foreach(jp(r.json, "results"), i, rec) {
        assert_null(json_object_get(seen, js(rec, "id")));
        json_object_set_new(seen, js(rec, "id"), json_true());
    }
    json_decref(seen);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/search",
        "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"jobtitle\",\"operator\":\"EQ\",\"value\":\"Busy\"}]}]}", &r);
    assert_int_equal(ji(r.json, "total"), created);
    fakehub_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_clients),
    };
    /* The final search counts what the threads wrote a moment before: it is
     * about concurrent writes, not index lag. */
    const char *args[] = {"--contacts", "40", "--rate-limit", "off", "--search-rate", "off",
                          "--search-lag", "0", NULL};
    if (!fakehub_start(&fh, args, 60000))
        return 1;
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/companies?limit=1", NULL, &r);
    snprintf(company, sizeof company, "%s", js(r.json, "results.0.id") ? js(r.json, "results.0.id") : "0");
    fakehub_response_free(&r);
    int failed = cmocka_run_group_tests_name("fakehub concurrency", tests, NULL, NULL);
    if (fakehub_stop(&fh) != 0)
        failed++;
    return failed;
}
