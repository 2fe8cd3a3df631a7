/* SIGKILL during push: `$HUBTUI push` is killed at random moments — before
 * it sends anything, while requests are in flight, between a write landing
 * on HubSpot and the answer being recorded, after it is done — and a clean
 * push afterwards must end with every edit on the server exactly once: no
 * edit lost, no create duplicated, nothing left in the queue, no spurious
 * conflict.
 *
 * fakehub starts once; each trial regenerates its data (`/_fakehub/reset`
 * with data, which also forgets the create-key property, so kills land in
 * its creation too) and starts from a copy of a cache seeded once. The kill
 * delays spread over 1.3× a clean push's duration (measured first), and a
 * little latency on every request widens the windows in flight.
 * WB_KILL_TRIALS overrides the number of trials (default 50); WB_KILL_FAULTS
 * (a fakehub faults spec) adds faults for a stress run by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hubspot.h"
#include "outbox.h"
#include "util.h"
#include "validate.h"
#include "wbfix.h"

#define UPDATED 6

typedef struct kill_suite {
    wbfix    f;
    char     template_db[400];
    char   **contacts;          /* ids: [0..UPDATED) updated, [UPDATED] clear-then-set,
                                 * [UPDATED + 1] linked to a company */
    char    *company;
    size_t   base_contacts, base_companies;
    uint64_t rng;
} kill_suite;

static uint64_t next_rand(kill_suite *k)
{
    k->rng ^= k->rng << 13;
    k->rng ^= k->rng >> 7;
    k->rng ^= k->rng << 17;
    return k->rng;
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static void remove_db(const char *db)
{
    char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db);
    unlink(db);
    unlink(wal);
    unlink(shm);
    free(wal);
    free(shm);
}

static size_t live_count(wbfix *f, const char *type)
{
    json_t *d = wbf_dump(f, type);
    size_t n = json_array_size(json_object_get(d, "results"));
    json_decref(d);
    return n;
}

static int setup(void **state)
{
    kill_suite *k = xcalloc(1, sizeof *k);
    static const char *const args[] = {"--contacts", "12", "--rate-limit", "off",
                                       "--faults", "latency=0-6", NULL};
    wbf_start(&k->f, args, false);
    wbf_open(&k->f);
    static const char *const types[] = {"contacts", "companies", NULL};
    wbf_seed(&k->f, types);
    wbf_close(&k->f);   /* checkpoints the WAL into the file */
    snprintf(k->template_db, sizeof k->template_db, "%s/template.db", k->f.dir);
    copy_file(k->f.db, k->template_db);
    k->contacts = wbf_ids(&k->f, "contacts", UPDATED + 2);
    char **co = wbf_ids(&k->f, "companies", 1);
    k->company = xstrdup(co[0]);
    wbf_free_ids(co, 0);
    k->base_contacts = live_count(&k->f, "contacts");
    k->base_companies = live_count(&k->f, "companies");
    k->rng = 0x9e3779b97f4a7c15ull;
    const char *faults = getenv("WB_KILL_FAULTS");
    if (faults) {
        char *body = xasprintf("{\"faults\":\"%s\"}", faults);
        wbf_control(&k->f, "/_fakehub/config", body);
        free(body);
    }
    *state = k;
    return 0;
}

static int teardown(void **state)
{
    kill_suite *k = *state;
    wbf_free_ids(k->contacts, 0);
    free(k->company);
    wbf_stop(&k->f);
    free(k);
    return 0;
}

/* ---- one trial ------------------------------------------------------------------------ */

static void fresh_trial(kill_suite *k)
{
    wbf_control(&k->f, "/_fakehub/reset", "{\"data\":true}");
    remove_db(k->f.db);
    copy_file(k->template_db, k->f.db);
}

static void queue_trial_edits(kill_suite *k, int t)
{
    wbfix *f = &k->f;
    wbf_open(f);
    store *st = f->ps->st;
    ht_error err;
    for (int i = 0; i < UPDATED; i++) {
        char title[64];
        snprintf(title, sizeof title, "Trial %d title %d", t, i);
        if (outbox_enqueue_update(st, "contacts", k->contacts[i], "jobtitle", title, 0, NULL,
                                  &err) != HT_OK)
            fail_msg("enqueue: %s", err.message);
    }
    /* Two properties of one record, and a clear-then-set that must go in order. */
    assert_int_equal(outbox_enqueue_update(st, "contacts", k->contacts[0], "city", "Killtown", 0,
                                           NULL, &err), HT_OK);
    char city[32];
    snprintf(city, sizeof city, "City %d", t);
    assert_int_equal(outbox_enqueue_clear_then_set(st, "contacts", k->contacts[UPDATED], "city",
                                                   city, 0, &err), HT_OK);
    char email[64], name[64];
    snprintf(email, sizeof email, "kill.%d@example.io", t);
    snprintf(name, sizeof name, "Kill Co %d", t);
    const char *cp[] = {"email", "firstname"}, *cv[] = {email, "Killed"};
    const char *kp[] = {"name"}, *kv[] = {name};
    char l1[32], l2[32];
    assert_int_equal(outbox_enqueue_create(st, "contacts", cp, cv, 2, 0, l1, &err), HT_OK);
    assert_int_equal(outbox_enqueue_create(st, "companies", kp, kv, 1, 0, l2, &err), HT_OK);
    assert_int_equal(outbox_enqueue_assoc(st, true, "contacts", k->contacts[UPDATED + 1],
                                          "companies", k->company, 0, NULL, NULL, 0, NULL, &err),
                     HT_OK);
    wbf_close(f);
}

static bool linked(wbfix *f, const char *contact, const char *company)
{
    char *path = xasprintf("/crm/v4/objects/contacts/%s/associations/companies", contact);
    long status = 0;
    json_t *j = wbf_hubspot_get(f, path, &status);
    free(path);
    bool found = false;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(j, "results"), i, row) {
        char id[32];
        found |= hs_json_id(json_object_get(row, "toObjectId"), id) && strcmp(id, company) == 0;
    }
    json_decref(j);
    return found;
}

static void expect_server(wbfix *f, int t, const char *id, const char *prop, const char *want)
{
    char *v = wbf_server_value(f, "contacts", id, prop);
    if (str_cmp0(v, want) != 0)
        fail_msg("trial %d: contact %s %s is '%s', expected '%s'", t, id, prop, v ? v : "",
                 want);
    free(v);
}

static void check_trial(kill_suite *k, int t)
{
    wbfix *f = &k->f;
    for (int i = 0; i < UPDATED; i++) {
        char title[64];
        snprintf(title, sizeof title, "Trial %d title %d", t, i);
        expect_server(f, t, k->contacts[i], "jobtitle", title);
    }
    expect_server(f, t, k->contacts[0], "city", "Killtown");
    char city[32], email[64], name[64];
    snprintf(city, sizeof city, "City %d", t);
    expect_server(f, t, k->contacts[UPDATED], "city", city);
    snprintf(email, sizeof email, "kill.%d@example.io", t);
    snprintf(name, sizeof name, "Kill Co %d", t);
    size_t ce = wbf_count_with(f, "contacts", "email", email);
    size_t kn = wbf_count_with(f, "companies", "name", name);
    if (ce != 1 || kn != 1)
        fail_msg("trial %d: %zu contacts %s, %zu companies %s (want one each)", t, ce, email, kn,
                 name);
    /* Nothing else was created either. */
    assert_int_equal(live_count(f, "contacts"), k->base_contacts + 1);
    assert_int_equal(live_count(f, "companies"), k->base_companies + 1);
    if (!linked(f, k->contacts[UPDATED + 1], k->company))
        fail_msg("trial %d: the association was lost", t);
    wbf_open(f);
    outbox_counts oc;
    assert_int_equal(outbox_counts_get(f->ps->st, &oc, NULL), HT_OK);
    if (oc.pending + oc.sending + oc.conflict + oc.failed + oc.not_applied)
        fail_msg("trial %d: the queue still holds %lld pending, %lld sending, %lld conflicts,"
                 " %lld failed, %lld not applied", t, (long long)oc.pending,
                 (long long)oc.sending, (long long)oc.conflict, (long long)oc.failed,
                 (long long)oc.not_applied);
    wbf_close(f);
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *const push_args[] = {"push", NULL};

/* Push, killing it after delay_us (< 0: let it finish). True when the
 * kill landed before the push ended. */
static bool push_killed_at(kill_suite *k, int64_t delay_us, int64_t *took_us)
{
    int64_t t0 = now_us();
    pid_t pid = wbf_hubtui_spawn(&k->f, push_args);
    if (delay_us >= 0) {
        if (delay_us > 0)
            usleep((useconds_t)delay_us);
        kill(pid, SIGKILL);
    }
    char *out = NULL, *errout = NULL;
    int rc = wbf_hubtui_wait(&k->f, pid, &out, &errout);
    if (took_us)
        *took_us = now_us() - t0;
    if (delay_us < 0 && rc != 0)
        fail_msg("a clean push exited %d: %s%s", rc, out ? out : "", errout ? errout : "");
    free(out);
    free(errout);
    return rc == 128 + SIGKILL;
}

static void final_push(kill_suite *k, int t)
{
    char *out = NULL, *errout = NULL;
    int rc = wbf_hubtui(&k->f, push_args, &out, &errout);
    /* Under added faults a push may stop early (it says so); push again. */
    for (int again = 0; rc == 1 && getenv("WB_KILL_FAULTS") && again < 8; again++) {
        free(out);
        free(errout);
        rc = wbf_hubtui(&k->f, push_args, &out, &errout);
    }
    if (rc != 0)
        fail_msg("trial %d: the push after the kill exited %d: %s%s", t, rc, out ? out : "",
                 errout ? errout : "");
    free(out);
    free(errout);
}

static void test_sigkill_during_push_loses_and_duplicates_nothing(void **state)
{
    kill_suite *k = *state;
    const char *env = getenv("WB_KILL_TRIALS");
    int trials = env ? atoi(env) : 50;
    /* Calibrate: how long a whole push takes here (sanitizers make it
     * slower); the fastest of three, as other work on the machine only
     * ever adds time. */
    int64_t clean_us = INT64_MAX;
    for (int i = 0; i < 3; i++) {
        fresh_trial(k);
        queue_trial_edits(k, 0);
        int64_t took = 0;
        push_killed_at(k, -1, &took);
        check_trial(k, 0);
        if (took < clean_us)
            clean_us = took;
    }
    print_message("a clean push takes %.1f ms\n", clean_us / 1000.0);
    int killed_mid = 0, finished = 0;
    for (int t = 1; t <= trials; t++) {
        fresh_trial(k);
        queue_trial_edits(k, t);
        /* Spread over 0 .. 1.3× the clean push; a few kill at once. */
        int64_t delay = t % 10 == 1 ? 0 : (int64_t)(next_rand(k) % (uint64_t)(clean_us * 13 / 10 + 1));
        if (push_killed_at(k, delay, NULL))
            killed_mid++;
        else
            finished++;
        final_push(k, t);
        check_trial(k, t);
    }
    print_message("%d trials: %d killed mid-push, %d had finished\n", trials, killed_mid,
                  finished);
    assert_true(killed_mid >= trials / 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigkill_during_push_loses_and_duplicates_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
