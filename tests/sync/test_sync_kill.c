/* `hubtui sync` killed with SIGKILL at random moments, again and again,
 * with edits on the server in between: every rerun resumes, and the last
 * one ends with the cache equal to the server. The same for a --full pass.
 * SYNC_KILL_SEED picks the moments (printed, to replay a failure). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "synctest.h"
#include "util.h"

#define TRIALS 2
#define KILLS_PER_TRIAL 6

static unsigned seed;

static unsigned rnd(unsigned below)
{
    return (unsigned)rand_r(&seed) % below;
}

/* Run sync as a child and kill it after up to max_ms; returns true when
 * it had already finished on its own (exit 0). */
static bool run_and_kill(synctest *t, const char *const *args, unsigned max_ms)
{
    pid_t pid = st_spawn(t, args);
    unsigned wait_ms = 20 + rnd(max_ms);
    for (unsigned waited = 0; waited < wait_ms; waited += 5) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            assert_true(WIFEXITED(status));
            if (WEXITSTATUS(status) != 0)
                fail_msg("sync exited with %d before the kill", WEXITSTATUS(status));
            return true;
        }
        usleep(5000);
    }
    kill(pid, SIGKILL);
    int rc = st_wait(pid);
    return rc == 0;
}

static void random_edits(synctest *t, int n)
{
    size_t count;
    char **ids = st_server_ids(t, "contacts", &count);
    for (int i = 0; i < n; i++) {
        char props[96];
        snprintf(props, sizeof props, "{\"jobtitle\":\"Edit %u\"}", rnd(100000));
        json_decref(st_edit(t, "contacts", ids[rnd((unsigned)count)], props));
    }
    st_free_ids(ids, count);
}

static void trial(synctest *t, const char *const *args, unsigned max_ms, int n)
{
    int finished_early = 0;
    for (int k = 0; k < KILLS_PER_TRIAL; k++) {
        /* Later kills reach further into the run (metadata is fetched again
         * each time, so short ones never pass it). */
        finished_early += run_and_kill(t, args, max_ms * (unsigned)(k + 1) / 2);
        if (rnd(2))
            random_edits(t, 3);
    }
    /* The last run goes to the end. */
    char *out = NULL, *err = NULL;
    int rc = st_run(t, &out, &err, args);
    if (rc != 0)
        fail_msg("the final sync failed (%d): %s", rc, err);
    free(out);
    free(err);
    print_message("trial %d: %d of %d runs ended before their kill\n", n, finished_early,
                  KILLS_PER_TRIAL);
    st_reopen(t);
    st_assert_equal(t);
}

static void test_killed_syncs_resume(void **state)
{
    /* The last sync must see the last edit at once: this is about killed
     * syncs resuming, not index lag. */
    static const char *const fh_args[] = {
        "--contacts", "600", "--rate-limit", "2000/1000", "--faults", "latency=1-4",
        "--seed", "21", "--search-lag", "0", NULL,
    };
    synctest t;
    st_start(&t, fh_args);
    static const char *const sync_args[] = {"sync", "-q", NULL};
    for (int i = 0; i < TRIALS; i++) {
        /* A fresh cache each time: killed backfills, then killed incrementals. */
        portal_close(t.ps);
        t.ps = NULL;
        char db[400];
        snprintf(db, sizeof db, "%s/t.db", t.cache_dir);
        unlink(db);
        strcat(db, "-wal");
        unlink(db);
        snprintf(db, sizeof db, "%s/t.db-shm", t.cache_dir);
        unlink(db);
        trial(&t, sync_args, 1000, i + 1);
    }
    st_stop(&t);
}

static void test_killed_full_pass_resumes(void **state)
{
    /* As above: about resuming, not index lag. */
    static const char *const fh_args[] = {
        "--contacts", "400", "--rate-limit", "2000/1000", "--faults", "latency=1-4",
        "--seed", "22", "--search-lag", "0", NULL,
    };
    synctest t;
    st_start(&t, fh_args);
    st_sync_ok(&t, false);
    /* Deletions only a full pass sees: a merge and a GDPR delete. */
    size_t n;
    char **ids = st_server_ids(&t, "contacts", &n);
    char body[160];
    snprintf(body, sizeof body, "{\"primaryObjectId\":\"%s\",\"objectIdToMerge\":\"%s\"}",
             ids[10], ids[11]);
    json_decref(st_api(&t, "POST", "/crm/v3/objects/contacts/merge", body, 200));
    snprintf(body, sizeof body, "{\"objectId\":\"%s\"}", ids[12]);
    json_decref(st_api(&t, "POST", "/crm/v3/objects/contacts/gdpr-delete", body, 204));
    st_free_ids(ids, n);
    static const char *const full_args[] = {"sync", "--full", "-q", NULL};
    trial(&t, full_args, 1200, 1);
    sync_checkpoint cp;
    assert_int_equal(checkpoint_get(t.ps->st, "contacts", &cp, NULL), HT_OK);
    assert_true(cp.full_gen >= 1);
    sync_checkpoint_clear(&cp);
    st_stop(&t);
}

int main(void)
{
    const char *s = getenv("SYNC_KILL_SEED");
    seed = s ? (unsigned)atoi(s) : (unsigned)time(NULL);
    print_message("SYNC_KILL_SEED=%u\n", seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_syncs_resume),
        cmocka_unit_test(test_killed_full_pass_resumes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
