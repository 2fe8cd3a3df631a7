/* writeback against a real fakehub: edits, conflicts and their resolution,
 * partial failures, isolation of bad inputs, values HubSpot did not take,
 * creates that never duplicate (also when a push died mid-way), the audit
 * log, dry runs and read-only portals, the daily limit, associations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hubspot.h"
#include "outbox.h"
#include "records.h"
#include "util.h"
#include "validate.h"
#include "wbfix.h"
#include "writeback.h"

static const char *const fh_args[] = {"--contacts", "30", "--rate-limit", "1000/1000", NULL};
static const char *const seed_types[] = {"contacts", "companies", "deals", NULL};

typedef struct suite {
    wbfix f;
} suite;

static int setup(void **state)
{
    suite *s = xcalloc(1, sizeof *s);
    wbf_start(&s->f, fh_args, false);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    suite *s = *state;
    wbf_stop(&s->f);
    free(s);
    return 0;
}

/* A fresh server (data regenerated) and a fresh cache for each test. */
static wbfix *fresh(void **state)
{
    suite *s = *state;
    wbf_close(&s->f);
    unlink(s->f.db);
    char *wal = xasprintf("%s-wal", s->f.db), *shm = xasprintf("%s-shm", s->f.db);
    unlink(wal);
    unlink(shm);
    free(wal);
    free(shm);
    wbf_write_config(&s->f, false);
    wbf_control(&s->f, "/_fakehub/config", "{\"faults\":\"\",\"daily\":0,"
                                           "\"strict_lifecycle\":false}");
    wbf_control(&s->f, "/_fakehub/reset", "{\"data\":true}");
    wbf_open(&s->f);
    wbf_seed(&s->f, seed_types);
    return &s->f;
}

static void queue_edit(wbfix *f, const char *type, const char *id, const char *prop,
                       const char *value)
{
    ht_error err;
    if (outbox_enqueue_update(f->ps->st, type, id, prop, value, 0, NULL, &err) != HT_OK)
        fail_msg("enqueue %s %s %s: %s", type, id, prop, err.message);
}

static ht_status push(wbfix *f, writeback_progress *p, ht_error *err)
{
    writeback_options o = {0};
    return writeback_run(f->ps, &o, p, err);
}

static void assert_server(wbfix *f, const char *type, const char *id, const char *prop,
                          const char *want)
{
    char *v = wbf_server_value(f, type, id, prop);
    if (str_cmp0(v, want) != 0)
        fail_msg("%s %s %s: server has '%s', expected '%s'", type, id, prop, v ? v : "",
                 want ? want : "");
    free(v);
}

static outbox_counts counts(wbfix *f)
{
    outbox_counts oc;
    assert_int_equal(outbox_counts_get(f->ps->st, &oc, NULL), HT_OK);
    return oc;
}

static char *cached_value(wbfix *f, const char *type, const char *id, const char *prop)
{
    record *r = NULL;
    ht_error err;
    if (records_get(f->ps->st, type, id, &r, &err) != HT_OK)
        fail_msg("records_get %s %s: %s", type, id, err.message);
    const char *v = record_get(r, prop);
    char *out = v ? xstrdup(v) : NULL;
    record_free(r);
    return out;
}

/* ---- plain edits --------------------------------------------------------------------- */

static void test_edits_land_and_are_audited(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 5);
    queue_edit(f, "contacts", ids[0], "jobtitle", "Chief Tester");
    queue_edit(f, "contacts", ids[0], "city", "Lyon");        /* same record: one input */
    queue_edit(f, "contacts", ids[1], "jobtitle", "Second Tester");
    queue_edit(f, "contacts", ids[2], "city", "");            /* a clear */
    long writes_before = wbf_write_requests(f), total_before = wbf_total_requests(f);
    writeback_progress p;
    ht_error err;
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.edits_total, 4);
    assert_int_equal(p.edits_done, 4);
    assert_int_equal(p.edits_sent, 4);
    assert_int_equal(p.conflicts + p.failed + p.not_applied, 0);
    /* One read before writing, one batch update: nothing else. */
    assert_int_equal(wbf_write_requests(f) - writes_before, 1);
    assert_int_equal(wbf_total_requests(f) - total_before, 2);
    assert_int_equal(p.requests, 2);
    assert_server(f, "contacts", ids[0], "jobtitle", "Chief Tester");
    assert_server(f, "contacts", ids[0], "city", "Lyon");
    assert_server(f, "contacts", ids[1], "jobtitle", "Second Tester");
    assert_server(f, "contacts", ids[2], "city", NULL);
    outbox_counts oc = counts(f);
    assert_int_equal(oc.pending + oc.sending + oc.conflict + oc.failed + oc.not_applied, 0);
    /* The cache holds what HubSpot confirmed, with its new modification time. */
    char *v = cached_value(f, "contacts", ids[0], "jobtitle");
    assert_string_equal(v, "Chief Tester");
    free(v);
    char *lm = cached_value(f, "contacts", ids[0], "lastmodifieddate");
    char *slm = wbf_server_value(f, "contacts", ids[0], "lastmodifieddate");
    assert_string_equal(lm, slm);
    free(lm);
    free(slm);
    /* Every write is in the audit log: record, property, old → new, result. */
    audit_entry *a;
    size_t n;
    assert_int_equal(audit_list(f->ps->st, "contacts", ids[0], 0, &a, &n, &err), HT_OK);
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(a[i].result, "done") != 0)
            continue;
        assert_string_equal(a[i].id, ids[0]);
        assert_true(a[i].at_ms > 0);
        if (strcmp(a[i].prop, "jobtitle") == 0) {
            assert_string_equal(a[i].new_value, "Chief Tester");
            seen++;
        } else if (strcmp(a[i].prop, "city") == 0) {
            assert_string_equal(a[i].new_value, "Lyon");
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    audit_entries_free(a, n);
    /* Nothing queued: a second push sends nothing. */
    writes_before = wbf_write_requests(f);
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.requests, 0);
    assert_int_equal(wbf_write_requests(f), writes_before);
    wbf_free_ids(ids, 0);
}


/* ---- conflicts ------------------------------------------------------------------------------ */

static outbox_entry *find_entry(outbox_entry *v, size_t n, const char *id, const char *prop)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0 && str_cmp0(v[i].prop, prop) == 0)
            return &v[i];
    return NULL;
}

static void test_conflicts_and_both_resolutions(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 4);
    queue_edit(f, "contacts", ids[0], "jobtitle", "Mine A");
    queue_edit(f, "contacts", ids[1], "jobtitle", "Mine B");
    queue_edit(f, "contacts", ids[2], "jobtitle", "Mine C");
    queue_edit(f, "contacts", ids[2], "city", "Mine City");
    /* Meanwhile another user changes two of those properties in HubSpot. */
    wbf_other_edit(f, "contacts", ids[0], "{\"jobtitle\":\"Theirs A\"}");
    wbf_other_edit(f, "contacts", ids[2], "{\"jobtitle\":\"Theirs C\"}");
    writeback_progress p;
    ht_error err;
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.conflicts, 2);
    assert_int_equal(p.edits_done, 2);
    /* Never a silent overwrite. */
    assert_server(f, "contacts", ids[0], "jobtitle", "Theirs A");
    assert_server(f, "contacts", ids[1], "jobtitle", "Mine B");
    assert_server(f, "contacts", ids[2], "jobtitle", "Theirs C");
    assert_server(f, "contacts", ids[2], "city", "Mine City");
    outbox_entry *v;
    size_t n;
    outbox_filter flt = {.states = 1u << OB_CONFLICT};
    assert_int_equal(outbox_list(f->ps->st, &flt, &v, &n, &err), HT_OK);
    assert_int_equal(n, 2);
    outbox_entry *a = find_entry(v, n, ids[0], "jobtitle");
    outbox_entry *c = find_entry(v, n, ids[2], "jobtitle");
    if (!a || !c) {
        fail_msg("the two conflicts are not listed");
        return;
    }
    assert_string_equal(a->server_value, "Theirs A");
    assert_string_equal(a->new_value, "Mine A");
    /* Who and when, from the property history (a CRM_UI edit by a user). */
    assert_non_null(a->server_by);
    assert_non_null(a->server_at);
    int64_t qa = a->qid, qc = c->qid;
    outbox_entries_free(v, n);
    /* The command line shows the same, one line per change. */
    char *out = NULL;
    const char *const list[] = {"queue", "list", NULL};
    wbf_close(f);
    assert_int_equal(wbf_hubtui(f, list, &out, NULL), 0);
    char want[64];
    snprintf(want, sizeof want, "%lld ", (long long)qa);
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, "conflict"));
    assert_non_null(strstr(out, "Mine A"));
    assert_non_null(strstr(out, "HubSpot has Theirs A (changed by "));
    free(out);
    /* Keep mine on A, take theirs on C. */
    char qs[32];
    snprintf(qs, sizeof qs, "%lld", (long long)qa);
    const char *const mine[] = {"queue", "resolve", qs, "--mine", NULL};
    assert_int_equal(wbf_hubtui(f, mine, NULL, NULL), 0);
    snprintf(qs, sizeof qs, "%lld", (long long)qc);
    const char *const theirs[] = {"queue", "resolve", qs, "--theirs", NULL};
    assert_int_equal(wbf_hubtui(f, theirs, NULL, NULL), 0);
    const char *const push_cmd[] = {"push", NULL};
    assert_int_equal(wbf_hubtui(f, push_cmd, &out, NULL), 0);
    assert_non_null(strstr(out, "done 1"));
    free(out);
    wbf_open(f);
    assert_server(f, "contacts", ids[0], "jobtitle", "Mine A");
    assert_server(f, "contacts", ids[2], "jobtitle", "Theirs C");
    char *cv = cached_value(f, "contacts", ids[2], "jobtitle");
    assert_string_equal(cv, "Theirs C");
    free(cv);
    outbox_counts oc = counts(f);
    assert_int_equal(oc.pending + oc.conflict + oc.failed + oc.not_applied, 0);
    wbf_free_ids(ids, 0);
}

/* A conflict resolved "mine" is caught again when someone changes the
 * property once more before the push. */
static void test_conflict_caught_again(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 1);
    queue_edit(f, "contacts", ids[0], "jobtitle", "Mine");
    wbf_other_edit(f, "contacts", ids[0], "{\"jobtitle\":\"Theirs 1\"}");
    writeback_progress p;
    ht_error err;
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.conflicts, 1);
    outbox_entry *v;
    size_t n;
    assert_int_equal(outbox_list(f->ps->st, NULL, &v, &n, &err), HT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(outbox_resolve(f->ps->st, v[0].qid, true, &err), HT_OK);
    outbox_entries_free(v, n);
    wbf_other_edit(f, "contacts", ids[0], "{\"jobtitle\":\"Theirs 2\"}");
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.conflicts, 1);
    assert_server(f, "contacts", ids[0], "jobtitle", "Theirs 2");
    wbf_free_ids(ids, 0);
}

/* ---- partial failures ---------------------------------------------------------------------- */

static void test_207_keeps_exactly_the_failed(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 6);
    for (int i = 0; i < 6; i++)
        queue_edit(f, "contacts", ids[i], "jobtitle", "Batch Title");
    /* Two of the records are archived on HubSpot meanwhile. */
    for (int i = 1; i <= 4; i += 3) {
        char *path = xasprintf("/crm/v3/objects/contacts/%s", ids[i]);
        long status = 0;
        free(fakehub_request(&f->fh, "DELETE", path, NULL, &status));
        assert_int_equal(status, 204);
        free(path);
    }
    writeback_progress p;
    ht_error err;
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.edits_done, 4);
    assert_int_equal(p.failed, 2);
    outbox_entry *v;
    size_t n;
    assert_int_equal(outbox_list(f->ps->st, NULL, &v, &n, &err), HT_OK);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i].state, OB_FAILED);
        assert_true(strcmp(v[i].id, ids[1]) == 0 || strcmp(v[i].id, ids[4]) == 0);
        assert_non_null(v[i].err_message);
        assert_non_null(strstr(v[i].err_message, "Could not get some"));
        assert_string_equal(v[i].err_category, "OBJECT_NOT_FOUND");
    }
    outbox_entries_free(v, n);
    for (int i = 0; i < 6; i++)
        if (i != 1 && i != 4)
            assert_server(f, "contacts", ids[i], "jobtitle", "Batch Title");
    wbf_free_ids(ids, 0);
}

static void test_bad_input_isolated_from_a_whole_batch_400(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 24);
    for (int i = 0; i < 24; i++)
        if (i != 13)
            queue_edit(f, "contacts", ids[i], "jobtitle", "Good Title");
    /* Valid here, refused by HubSpot: an email another contact already has. */
    char *taken = wbf_server_value(f, "contacts", ids[0], "email");
    queue_edit(f, "contacts", ids[13], "email", taken);
    queue_edit(f, "contacts", ids[13], "jobtitle", "Bad Record Title");
    writeback_progress p;
    ht_error err;
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.edits_done, 23);
    assert_int_equal(p.failed, 2);   /* both edits of the refused input */
    /* Halving: about 2·log2(24) extra requests, not one per record. */
    assert_true(p.requests <= 2 + 2 * 6);
    for (int i = 0; i < 24; i++)
        if (i != 13)
            assert_server(f, "contacts", ids[i], "jobtitle", "Good Title");
    char *kept = wbf_server_value(f, "contacts", ids[13], "jobtitle");
    assert_string_not_equal(kept ? kept : "", "Bad Record Title");
    free(kept);
    outbox_entry *v;
    size_t n;
    assert_int_equal(outbox_list(f->ps->st, NULL, &v, &n, &err), HT_OK);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i].state, OB_FAILED);
        assert_string_equal(v[i].id, ids[13]);
        assert_non_null(strstr(v[i].err_message, "already exists"));
        assert_string_equal(v[i].err_category, "VALIDATION_ERROR");
        assert_non_null(v[i].correlation_id);
        assert_int_equal(v[i].http_status, 400);
    }
    outbox_entries_free(v, n);
    /* The audit log keeps HubSpot's words too. */
    audit_entry *a;
    assert_int_equal(audit_list(f->ps->st, "contacts", ids[13], 0, &a, &n, &err), HT_OK);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(a[i].result, "failed") == 0 && a[i].correlation_id != NULL &&
                 a[i].category && strcmp(a[i].category, "VALIDATION_ERROR") == 0;
    assert_true(found);
    audit_entries_free(a, n);
    free(taken);
    wbf_free_ids(ids, 0);
}

/* ---- values HubSpot does not take --------------------------------------------------------- */

static char *contact_with_stage(wbfix *f, const char *stage)
{
    char **ids = wbf_ids(f, "contacts", 30);
    char *found = NULL;
    for (size_t i = 0; ids[i] && !found; i++) {
        char *v = wbf_server_value(f, "contacts", ids[i], "lifecyclestage");
        if (v && strcmp(v, stage) == 0)
            found = xstrdup(ids[i]);
        free(v);
    }
    wbf_free_ids(ids, 0);
    return found;
}

static void test_lifecycle_backwards_not_applied(void **state)
{
    wbfix *f = fresh(state);
    /* Make one contact a customer (through HubSpot), sync it into the cache. */
    char **ids = wbf_ids(f, "contacts", 2);
    wbf_other_edit(f, "contacts", ids[0], "{\"lifecyclestage\":\"customer\"}");
    wbf_close(f);
    wbf_open(f);
    wbf_seed(f, seed_types);
    /* Validation says it would be ignored. */
    validate_result r;
    assert_int_equal(validate_value(f->ps->st, "contacts", ids[0], "lifecyclestage", "lead", &r),
                     VALIDATE_BACKWARDS);
    validate_result_clear(&r);
    /* Queued anyway (as the TUI could), HubSpot answers 200 but keeps customer. */
    queue_edit(f, "contacts", ids[0], "lifecyclestage", "lead");
    queue_edit(f, "contacts", ids[0], "jobtitle", "Still Applied");
    writeback_progress p;
    ht_error err;
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.not_applied, 1);
    assert_int_equal(p.edits_done, 1);
    assert_server(f, "contacts", ids[0], "lifecyclestage", "customer");
    assert_server(f, "contacts", ids[0], "jobtitle", "Still Applied");
    outbox_entry *v;
    size_t n;
    assert_int_equal(outbox_list(f->ps->st, NULL, &v, &n, &err), HT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].state, OB_NOT_APPLIED);
    assert_string_equal(v[0].server_value, "customer");
    int64_t qid = v[0].qid;
    outbox_entries_free(v, n);
    /* The command line explains HubSpot's rule and offers --clear-first. */
    assert_int_equal(outbox_drop(f->ps->st, qid, &err), HT_OK);
    wbf_close(f);
    char *errout = NULL;
    const char *const set[] = {"set", "contacts", ids[0], "lifecyclestage=lead", NULL};
    assert_int_equal(wbf_hubtui(f, set, NULL, &errout), 1);
    assert_non_null(strstr(errout, "lifecyclestage"));
    assert_non_null(strstr(errout, "backwards"));
    assert_non_null(strstr(errout, "--clear-first"));
    assert_non_null(strstr(errout, "nothing was queued"));
    free(errout);
    const char *const set2[] = {"set", "contacts", ids[0], "lifecyclestage=lead",
                                "--clear-first", NULL};
    assert_int_equal(wbf_hubtui(f, set2, NULL, NULL), 0);
    const char *const push_cmd[] = {"push", NULL};
    char *out = NULL;
    assert_int_equal(wbf_hubtui(f, push_cmd, &out, NULL), 0);
    free(out);
    wbf_open(f);
    assert_server(f, "contacts", ids[0], "lifecyclestage", "lead");
    outbox_counts oc = counts(f);
    assert_int_equal(oc.pending + oc.not_applied + oc.failed + oc.conflict, 0);
    wbf_free_ids(ids, 0);
}

/* With --strict-lifecycle HubSpot refuses instead: a failure with its message. */
static void test_strict_lifecycle_refusal_is_a_failure(void **state)
{
    wbfix *f = fresh(state);
    char *id = contact_with_stage(f, "customer");
    if (!id) {
        char **ids = wbf_ids(f, "contacts", 1);
        wbf_other_edit(f, "contacts", ids[0], "{\"lifecyclestage\":\"customer\"}");
        id = xstrdup(ids[0]);
        wbf_free_ids(ids, 0);
        wbf_seed(f, seed_types);
    }
    wbf_control(f, "/_fakehub/config", "{\"strict_lifecycle\":true}");
    queue_edit(f, "contacts", id, "lifecyclestage", "subscriber");
    writeback_progress p;
    ht_error err;
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.failed, 1);
    outbox_entry *v;
    size_t n;
    assert_int_equal(outbox_list(f->ps->st, NULL, &v, &n, &err), HT_OK);
    assert_int_equal(n, 1);
    assert_non_null(strstr(v[0].err_message, "backwards"));
    outbox_entries_free(v, n);
    free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edits_land_and_are_audited),
        cmocka_unit_test(test_conflicts_and_both_resolutions),
        cmocka_unit_test(test_conflict_caught_again),
        cmocka_unit_test(test_207_keeps_exactly_the_failed),
        cmocka_unit_test(test_bad_input_isolated_from_a_whole_batch_400),
        cmocka_unit_test(test_lifecycle_backwards_not_applied),
        cmocka_unit_test(test_strict_lifecycle_refusal_is_a_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
