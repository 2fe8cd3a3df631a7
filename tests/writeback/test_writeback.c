/* writeback against a real fakehub: edits, conflicts and their resolution,
 * partial failures, isolation of bad inputs, values HubSpot did not take,
 * creates that never duplicate (also when a push died mid-way), the audit
 * log, dry runs and read-only portals, the daily limit, associations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
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

/* For failure messages: what the queue holds. */
static void print_queue(wbfix *f)
{
    outbox_entry *v;
    size_t n;
    if (outbox_list(f->ps->st, NULL, &v, &n, NULL) != HT_OK)
        return;
    for (size_t i = 0; i < n; i++)
        print_message("queue %lld %s %s %s %s %s → %s to %s: %s [%s]\n", (long long)v[i].qid,
                      outbox_state_name(v[i].state), outbox_kind_name(v[i].kind), v[i].object,
                      v[i].id, v[i].prop ? v[i].prop : "", v[i].new_value ? v[i].new_value : "",
                      v[i].to_id, v[i].err_message ? v[i].err_message : "",
                      v[i].err_category ? v[i].err_category : "");
    outbox_entries_free(v, n);
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

/* ---- creates ---------------------------------------------------------------------------- */

typedef struct created_log {
    char local[8][32], hub[8][32];
    int  n;
} created_log;

static void on_created(void *ud, const char *object, const char *local_id, const char *hubspot_id)
{
    created_log *c = ud;
    if (c->n < 8) {
        snprintf(c->local[c->n], 32, "%s", local_id);
        snprintf(c->hub[c->n], 32, "%s", hubspot_id);
        c->n++;
    }
}

static void queue_create(wbfix *f, const char *type, const char *const *props,
                         const char *const *values, size_t n, char local[32])
{
    ht_error err;
    if (outbox_enqueue_create(f->ps->st, type, props, values, n, 0, local, &err) != HT_OK)
        fail_msg("enqueue create: %s", err.message);
}

static long endpoint_calls(wbfix *f, const char *key)
{
    long status = 0;
    json_t *s = fakehub_json(&f->fh, "GET", "/_fakehub/stats", NULL, &status);
    long n = (long)json_integer_value(json_object_get(
        json_object_get(json_object_get(s, "byEndpoint"), key), "total"));
    json_decref(s);
    return n;
}

#define UPSERT_EP "POST /crm/v3/objects/{objectType}/batch/upsert"
#define UPDATE_EP "POST /crm/v3/objects/{objectType}/batch/update"

static void test_creates_land_once_with_their_key(void **state)
{
    wbfix *f = fresh(state);
    static const char *const cp[] = {"email", "firstname", "birthday"};
    static const char *const cv[] = {"zed.create@example.io", "Zed", "1990-04-02"};
    static const char *const kp[] = {"name", "domain"};
    static const char *const kv[] = {"Created Test Co", "created-test.example"};
    char local_c[32], local_k[32];
    queue_create(f, "contacts", cp, cv, 3, local_c);
    queue_create(f, "companies", kp, kv, 2, local_k);
    assert_true(str_starts_with(local_c, "local-"));
    /* An edit of the new record before the push travels with the create. */
    queue_edit(f, "contacts", local_c, "jobtitle", "Founder");
    created_log log = {0};
    writeback_options o = {.on_created = on_created, .ud = &log};
    writeback_progress p;
    ht_error err;
    assert_int_equal(writeback_run(f->ps, &o, &p, &err), HT_OK);
    assert_int_equal(p.creates_done, 2);
    assert_int_equal(log.n, 2);
    assert_int_equal(p.failed + p.conflicts + p.not_applied, 0);
    assert_int_equal(wbf_count_with(f, "contacts", "email", "zed.create@example.io"), 1);
    assert_int_equal(wbf_count_with(f, "companies", "name", "Created Test Co"), 1);
    const char *hub_c = strcmp(log.local[0], local_c) == 0 ? log.hub[0] : log.hub[1];
    assert_server(f, "contacts", hub_c, "jobtitle", "Founder");
    assert_server(f, "contacts", hub_c, "birthday", "1990-04-02");
    /* The record carries the create key on HubSpot, so a resend finds it. */
    char *key = wbf_server_value(f, "contacts", hub_c, "hubtui_create_key");
    assert_non_null(key);
    assert_int_equal(wbf_count_with(f, "contacts", "hubtui_create_key", key), 1);
    free(key);
    /* The cache knows the record by its HubSpot id now. */
    char *v = cached_value(f, "contacts", hub_c, "firstname");
    assert_string_equal(v, "Zed");
    free(v);
    /* ...and still by the local id the user was shown. */
    record *r = NULL;
    assert_int_equal(records_get(f->ps->st, "contacts", local_c, &r, &err), HT_OK);
    assert_string_equal(r->id, hub_c);
    assert_false(r->local);
    assert_string_equal(record_get(r, "firstname"), "Zed");
    record_free(r);
    outbox_counts oc = counts(f);
    assert_int_equal(oc.pending + oc.sending + oc.failed + oc.conflict + oc.not_applied, 0);
    /* Audit: the create names both ids. */
    audit_entry *a;
    size_t n;
    assert_int_equal(audit_list(f->ps->st, "contacts", hub_c, 0, &a, &n, &err), HT_OK);
    bool created = false;
    for (size_t i = 0; i < n; i++)
        created |= strcmp(a[i].result, "created") == 0;
    assert_true(created);
    audit_entries_free(a, n);
}

/* A push died after HubSpot made the record but before the answer was
 * recorded: the next push looks it up by its key and sends nothing twice. */
static void test_create_interrupted_after_send_is_looked_up(void **state)
{
    wbfix *f = fresh(state);
    /* A first create makes sure the key property exists. */
    static const char *const p1[] = {"email"};
    static const char *const v1[] = {"first.key@example.io"};
    char l1[32], l2[32];
    queue_create(f, "contacts", p1, v1, 1, l1);
    writeback_progress p;
    ht_error err;
    assert_int_equal(push(f, &p, &err), HT_OK);
    static const char *const p2[] = {"email", "firstname"};
    static const char *const v2[] = {"crashed.create@example.io", "Crash"};
    queue_create(f, "contacts", p2, v2, 2, l2);
    outbox_batch *b = NULL;
    assert_int_equal(outbox_claim(f->ps->st, NULL, OBK_CREATE, 100, &b, &err), HT_OK);
    assert_non_null(b);
    assert_int_equal(b->nrecords, 1);
    /* The upsert the dead push sent, as HubSpot received it. */
    char *body = xasprintf("{\"inputs\":[{\"id\":\"%s\",\"idProperty\":\"hubtui_create_key\","
                           "\"properties\":{\"hubtui_create_key\":\"%s\",\"email\":"
                           "\"crashed.create@example.io\",\"firstname\":\"Crash\"}}]}",
                           b->records[0].idem_key, b->records[0].idem_key);
    long status = 0;
    free(fakehub_request(&f->fh, "POST", "/crm/v3/objects/contacts/batch/upsert", body, &status));
    assert_int_equal(status, 200);
    free(body);
    outbox_batch_free(b);
    /* Meanwhile the user edited the new record again (not sent yet). */
    queue_edit(f, "contacts", l2, "lastname", "After");
    long upserts = endpoint_calls(f, UPSERT_EP);
    created_log log = {0};
    writeback_options o = {.on_created = on_created, .ud = &log};
    assert_int_equal(writeback_run(f->ps, &o, &p, &err), HT_OK);
    assert_int_equal(p.creates_done, 1);
    assert_int_equal(endpoint_calls(f, UPSERT_EP), upserts);   /* looked up, not resent */
    assert_int_equal(wbf_count_with(f, "contacts", "email", "crashed.create@example.io"), 1);
    assert_string_equal(log.local[0], l2);
    assert_server(f, "contacts", log.hub[0], "lastname", "After");
    assert_server(f, "contacts", log.hub[0], "firstname", "Crash");
    outbox_counts oc = counts(f);
    assert_int_equal(oc.pending + oc.sending + oc.failed + oc.conflict + oc.not_applied, 0);
}

/* An update a dead push sent is found on the server and not sent again;
 * one it never sent goes out after the look. */
static void test_update_interrupted_is_checked_first(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 2);
    queue_edit(f, "contacts", ids[0], "jobtitle", "Landed Before");
    queue_edit(f, "contacts", ids[1], "jobtitle", "Never Sent");
    outbox_batch *b = NULL;
    ht_error err;
    assert_int_equal(outbox_claim(f->ps->st, NULL, OBK_UPDATE, 100, &b, &err), HT_OK);
    assert_int_equal(b->nrecords, 2);
    outbox_batch_free(b);
    char *path = xasprintf("/crm/v3/objects/contacts/%s", ids[0]);
    long status = 0;
    free(fakehub_request(&f->fh, "PATCH", path, "{\"properties\":{\"jobtitle\":\"Landed Before\"}}",
                         &status));
    assert_int_equal(status, 200);
    free(path);
    writeback_progress p;
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.edits_done, 2);
    assert_int_equal(p.edits_sent, 1);   /* only the one that had not landed */
    assert_int_equal(p.conflicts, 0);
    assert_server(f, "contacts", ids[0], "jobtitle", "Landed Before");
    assert_server(f, "contacts", ids[1], "jobtitle", "Never Sent");
    wbf_free_ids(ids, 0);
}

/* ---- dry run, read-only, daily limit ------------------------------------------------------ */

static void test_dry_run_sends_nothing(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 2);
    queue_edit(f, "contacts", ids[0], "jobtitle", "Dry One");
    queue_edit(f, "contacts", ids[1], "city", "Dry Town");
    wbf_close(f);
    long total = wbf_total_requests(f), writes = wbf_write_requests(f);
    char *out = NULL;
    const char *const dry[] = {"push", "--dry-run", NULL};
    assert_int_equal(wbf_hubtui(f, dry, &out, NULL), 0);
    assert_non_null(strstr(out, "Dry One"));
    assert_non_null(strstr(out, "Dry Town"));
    assert_non_null(strstr(out, "2 changes would be pushed"));
    free(out);
    assert_int_equal(wbf_total_requests(f), total);
    assert_int_equal(wbf_write_requests(f), writes);
    wbf_open(f);
    writeback_options o = {.dry_run = true};
    writeback_progress p;
    ht_error err;
    assert_int_equal(writeback_run(f->ps, &o, &p, &err), HT_OK);
    assert_int_equal(p.edits_total, 2);
    assert_int_equal(p.requests, 0);
    assert_int_equal(wbf_total_requests(f), total);
    assert_int_equal(counts(f).pending, 2);
    char *v = wbf_server_value(f, "contacts", ids[0], "jobtitle");
    assert_true(!v || strcmp(v, "Dry One") != 0);
    free(v);
    wbf_free_ids(ids, 0);
}

static void test_readonly_portal_refuses(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 1);
    queue_edit(f, "contacts", ids[0], "jobtitle", "Never Pushed");
    wbf_close(f);
    wbf_write_config(f, true);
    long writes = wbf_write_requests(f);
    char *errout = NULL;
    const char *const push_cmd[] = {"push", NULL};
    assert_int_equal(wbf_hubtui(f, push_cmd, NULL, &errout), 1);
    assert_non_null(strstr(errout, "read-only"));
    free(errout);
    const char *const set[] = {"set", "contacts", ids[0], "city=Nowhere", NULL};
    assert_int_equal(wbf_hubtui(f, set, NULL, &errout), 1);
    assert_non_null(strstr(errout, "read-only"));
    free(errout);
    assert_int_equal(wbf_write_requests(f), writes);
    wbf_open(f);
    assert_true(f->ps->readonly);
    ht_error err;
    assert_null(writeback_start(f->ps, NULL, &err));
    assert_int_equal(err.status, HT_READONLY);
    assert_int_equal(counts(f).pending, 1);
    wbf_close(f);
    wbf_write_config(f, false);
    wbf_open(f);
    wbf_free_ids(ids, 0);
}

static void test_daily_limit_stops_and_keeps_everything(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 3);
    for (int i = 0; i < 3; i++)
        queue_edit(f, "contacts", ids[i], "jobtitle", "Tomorrow");
    wbf_close(f);
    /* One request left today: the read goes through, the write does not. */
    wbf_control(f, "/_fakehub/reset", "{}");
    wbf_control(f, "/_fakehub/config", "{\"daily\":1}");
    char *errout = NULL, *out = NULL;
    const char *const push_cmd[] = {"push", NULL};
    assert_int_equal(wbf_hubtui(f, push_cmd, &out, &errout), 1);
    assert_non_null(strstr(errout, "daily"));
    assert_non_null(strstr(errout, "3 edits stay queued"));
    free(errout);
    free(out);
    wbf_control(f, "/_fakehub/config", "{\"daily\":0}");
    wbf_open(f);
    outbox_counts oc = counts(f);
    assert_int_equal(oc.pending, 3);
    assert_int_equal(oc.sending + oc.failed + oc.conflict, 0);
    for (int i = 0; i < 3; i++) {
        char *v = wbf_server_value(f, "contacts", ids[i], "jobtitle");
        assert_true(!v || strcmp(v, "Tomorrow") != 0);
        free(v);
    }
    wbf_free_ids(ids, 0);
}

/* ---- the command line: set / create / queue / undo ----------------------------------------- */

typedef struct bad_value {
    const char *object, *assign, *prop, *words;
} bad_value;

static int64_t queued_total(wbfix *f)
{
    outbox_counts oc = counts(f);
    return oc.pending + oc.sending + oc.conflict + oc.failed + oc.not_applied;
}

static void test_set_and_create_refuse_invalid_values(void **state)
{
    wbfix *f = fresh(state);
    char **c = wbf_ids(f, "contacts", 1), **d = wbf_ids(f, "deals", 1);
    wbf_close(f);
    const bad_value bad[] = {
        {"deals", "amount=12,5", "amount", "number"},
        {"deals", "closedate=next tuesday", "closedate", "date and time"},
        {"deals", "dealstage=nowhere", "dealstage", "not a stage"},
        {"contacts", "birthday=2024-02-30", "birthday", "date"},
        {"contacts", "newsletter_opt_in=maybe", "newsletter_opt_in", "yes or no"},
        {"contacts", "lifecyclestage=bogus", "lifecyclestage", "not an option"},
        {"contacts", "email=not-an-address", "email", "email address"},
        {"contacts", "phone=call me", "phone", "phone number"},
        {"contacts", "hubspot_owner_id=Nobody Atall", "hubspot_owner_id", "owner"},
        {"contacts", "createdate=2024-01-01", "createdate", "read-only"},
        {"contacts", "no_such_prop=1", "no_such_prop", "no property"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        const char *id = strcmp(bad[i].object, "deals") == 0 ? d[0] : c[0];
        /* A valid value alongside: still nothing is queued. */
        const char *good = strcmp(bad[i].object, "deals") == 0 ? "dealname=Fine" : "city=Fine";
        char *assign = xstrdup(bad[i].assign);
        const char *const set[] = {"set", bad[i].object, id, good, assign, NULL};
        char *errout = NULL;
        int rc = wbf_hubtui(f, set, NULL, &errout);
        if (rc != 1 || !strstr(errout, bad[i].prop) || !strstr(errout, bad[i].words) ||
            !strstr(errout, "nothing was queued"))
            fail_msg("set %s: exit %d, stderr: %s", bad[i].assign, rc, errout);
        free(errout);
        /* create refuses the same values (read-only ones included). */
        const char *const create[] = {"create", bad[i].object, assign, NULL};
        rc = wbf_hubtui(f, create, NULL, &errout);
        if (rc != 1 || !strstr(errout, bad[i].prop))
            fail_msg("create %s: exit %d, stderr: %s", bad[i].assign, rc, errout);
        free(errout);
        free(assign);
    }
    /* Malformed command lines are usage errors. */
    const char *const no_eq[] = {"set", "contacts", c[0], "city", NULL};
    assert_int_equal(wbf_hubtui(f, no_eq, NULL, NULL), 2);
    const char *const too_few[] = {"set", "contacts", NULL};
    assert_int_equal(wbf_hubtui(f, too_few, NULL, NULL), 2);
    wbf_open(f);
    assert_int_equal(queued_total(f), 0);
    wbf_close(f);
    /* Valid values are normalised and queued; list shows them. */
    const char *const ok[] = {"set", "contacts", c[0], "newsletter_opt_in=yes",
                              "birthday=1990-04-02", "phone=+33 1 23 45 67 89", NULL};
    char *out = NULL, *errout = NULL;
    if (wbf_hubtui(f, ok, &out, &errout) != 0)
        fail_msg("set: %s", errout);
    free(errout);
    assert_non_null(strstr(out, "newsletter_opt_in"));
    free(out);
    const char *const list[] = {"queue", "list", NULL};
    assert_int_equal(wbf_hubtui(f, list, &out, NULL), 0);
    assert_non_null(strstr(out, "newsletter_opt_in: "));
    assert_non_null(strstr(out, "→ true"));
    assert_non_null(strstr(out, "→ 1990-04-02"));
    /* Each line starts with its queue id, then its state. */
    long qid = strtol(out, NULL, 10);
    assert_true(qid > 0);
    assert_non_null(strstr(out, " pending "));
    free(out);
    /* create prints the local id; push prints the HubSpot id for it. */
    const char *const create[] = {"create", "contacts", "email=New.Person@Example.io",
                                  "firstname=New", NULL};
    assert_int_equal(wbf_hubtui(f, create, &out, NULL), 0);
    char local[32];
    assert_int_equal(sscanf(out, "%31s", local), 1);
    assert_true(str_starts_with(local, "local-"));
    free(out);
    const char *const push_cmd[] = {"push", NULL};
    assert_int_equal(wbf_hubtui(f, push_cmd, &out, NULL), 0);
    char want[64];
    snprintf(want, sizeof want, "contacts %s → ", local);
    assert_non_null(strstr(out, want));
    if (!strstr(out, "sent 5, done 5, created 1, conflicts 0, failed 0"))
        fail_msg("push said: %s", out);
    free(out);
    assert_int_equal(wbf_count_with(f, "contacts", "email", "new.person@example.io"), 1);
    wbf_open(f);
    assert_server(f, "contacts", c[0], "newsletter_opt_in", "true");
    assert_server(f, "contacts", c[0], "birthday", "1990-04-02");
    wbf_free_ids(c, 0);
    wbf_free_ids(d, 0);
}

static void test_queue_retry_drop_and_undo(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 3);
    char *taken = wbf_server_value(f, "contacts", ids[1], "email");
    queue_edit(f, "contacts", ids[0], "email", taken);     /* refused by HubSpot */
    queue_edit(f, "contacts", ids[2], "jobtitle", "Will Drop");
    ht_error err;
    outbox_entry *v;
    size_t n;
    assert_int_equal(outbox_list(f->ps->st, NULL, &v, &n, &err), HT_OK);
    int64_t drop_qid = v[1].qid;
    outbox_entries_free(v, n);
    wbf_close(f);
    char qs[32];
    snprintf(qs, sizeof qs, "%lld", (long long)drop_qid);
    const char *const drop[] = {"queue", "drop", qs, NULL};
    assert_int_equal(wbf_hubtui(f, drop, NULL, NULL), 0);
    const char *const push_cmd[] = {"push", NULL};
    char *out = NULL, *errout = NULL;
    assert_int_equal(wbf_hubtui(f, push_cmd, &out, &errout), 3);   /* a failure needs you */
    assert_non_null(strstr(errout, "1 failed change needs you: see 'hubtui queue list'"));
    free(out);
    free(errout);
    /* A push with nothing to send still exits 3 while the failure waits,
     * and says why. */
    assert_int_equal(wbf_hubtui(f, push_cmd, &out, &errout), 3);
    assert_string_equal(out, "nothing to push\n");
    assert_non_null(strstr(errout, "1 failed change from an earlier push needs you"));
    free(out);
    free(errout);
    const char *const list[] = {"queue", "list", NULL};
    assert_int_equal(wbf_hubtui(f, list, &out, NULL), 0);
    assert_non_null(strstr(out, " failed "));
    assert_non_null(strstr(out, "already exists"));
    assert_non_null(strstr(out, "VALIDATION_ERROR"));
    assert_non_null(strstr(out, "correlationId "));
    long qid = strtol(out, NULL, 10);
    free(out);
    /* Retry after the other contact gives up the address. */
    wbf_other_edit(f, "contacts", ids[1], "{\"email\":\"moved.away@example.io\"}");
    snprintf(qs, sizeof qs, "%ld", qid);
    const char *const retry[] = {"queue", "retry", qs, NULL};
    assert_int_equal(wbf_hubtui(f, retry, NULL, NULL), 0);
    assert_int_equal(wbf_hubtui(f, push_cmd, NULL, NULL), 0);
    wbf_open(f);
    assert_server(f, "contacts", ids[0], "email", taken);
    char *dropped = wbf_server_value(f, "contacts", ids[2], "jobtitle");
    assert_true(!dropped || strcmp(dropped, "Will Drop") != 0);
    free(dropped);
    /* Undo takes back the last change group. */
    wbf_close(f);
    const char *const set[] = {"set", "contacts", ids[2], "city=Undone", "jobtitle=Undone", NULL};
    assert_int_equal(wbf_hubtui(f, set, NULL, NULL), 0);
    const char *const undo[] = {"undo", NULL};
    assert_int_equal(wbf_hubtui(f, undo, &out, NULL), 0);
    assert_non_null(strstr(out, "undid 2"));
    free(out);
    wbf_open(f);
    assert_int_equal(queued_total(f), 0);
    free(taken);
    wbf_free_ids(ids, 0);
}

/* ---- associations -------------------------------------------------------------------------- */

/* The type ids linking contact id to company to (0 when none). */
static size_t server_links(wbfix *f, const char *id, const char *to, int *types, size_t cap)
{
    char *path = xasprintf("/crm/v4/objects/contacts/%s/associations/companies", id);
    long status = 0;
    json_t *j = fakehub_json(&f->fh, "GET", path, NULL, &status);
    free(path);
    assert_int_equal(status, 200);
    size_t n = 0, i, k;
    json_t *row, *t;
    json_array_foreach(json_object_get(j, "results"), i, row) {
        char tid[32];
        if (!hs_json_id(json_object_get(row, "toObjectId"), tid) || strcmp(tid, to) != 0)
            continue;
        json_array_foreach(json_object_get(row, "associationTypes"), k, t)
            if (n < cap)
                types[n++] = (int)json_integer_value(json_object_get(t, "typeId"));
    }
    json_decref(j);
    return n;
}

static bool has_type(const int *types, size_t n, int want)
{
    for (size_t i = 0; i < n; i++)
        if (types[i] == want)
            return true;
    return false;
}

/* A company contact id is linked to on the server, or NULL. */
static char *company_of(wbfix *f, const char *id)
{
    char *path = xasprintf("/crm/v4/objects/contacts/%s/associations/companies", id);
    long status = 0;
    json_t *j = fakehub_json(&f->fh, "GET", path, NULL, &status);
    free(path);
    char tid[32];
    json_t *first = json_array_get(json_object_get(j, "results"), 0);
    char *out = first && hs_json_id(json_object_get(first, "toObjectId"), tid) ? xstrdup(tid)
                                                                                 : NULL;
    json_decref(j);
    return out;
}

static void queue_assoc(wbfix *f, bool add, const char *from, const char *to, int type,
                        const char *category, const char *label)
{
    ht_error err;
    if (outbox_enqueue_assoc(f->ps->st, add, "contacts", from, "companies", to, type, category,
                             label, 0, NULL, &err) != HT_OK)
        fail_msg("enqueue assoc: %s", err.message);
}

static void test_associations_added_and_removed(void **state)
{
    wbfix *f = fresh(state);
    char **c = wbf_ids(f, "contacts", 30), **k = wbf_ids(f, "companies", 3);
    /* A contact with a company, and two without one. */
    char *linked = NULL, *free1 = NULL, *free2 = NULL, *its_company = NULL;
    for (size_t i = 0; c[i]; i++) {
        char *co = company_of(f, c[i]);
        if (co && !linked) {
            linked = c[i];
            its_company = co;
            continue;
        }
        if (!co && !free1)
            free1 = c[i];
        else if (!co && !free2)
            free2 = c[i];
        free(co);
    }
    if (!linked || !free1 || !free2)
        skip();
    /* A label of our own, made through the labels API. */
    long status = 0;
    json_decref(fakehub_json(&f->fh, "POST", "/crm/v4/associations/contacts/companies/labels",
                             "{\"label\":\"Advisor\",\"name\":\"advisor\"}", &status));
    assert_int_equal(status, 200);
    json_t *lab = fakehub_json(&f->fh, "GET", "/crm/v4/associations/contacts/companies/labels",
                               NULL, &status);
    int label_type = 0;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(lab, "results"), i, row)
        if (str_cmp0(json_string_value(json_object_get(row, "label")), "Advisor") == 0)
            label_type = (int)json_integer_value(json_object_get(row, "typeId"));
    json_decref(lab);
    assert_true(label_type > 0);
    queue_assoc(f, true, free1, k[0], 0, NULL, NULL);                        /* default */
    queue_assoc(f, true, free2, k[1], label_type, "USER_DEFINED", "Advisor"); /* labelled */
    queue_assoc(f, false, linked, its_company, 0, NULL, NULL);               /* remove pair */
    /* A company created here, linked before it exists on HubSpot. */
    static const char *const kp[] = {"name"};
    static const char *const kv[] = {"Linked New Co"};
    char local[32];
    queue_create(f, "companies", kp, kv, 1, local);
    queue_assoc(f, true, free1, local, 0, NULL, NULL);
    writeback_progress p;
    ht_error err;
    assert_int_equal(push(f, &p, &err), HT_OK);
    if (p.failed + p.conflicts + p.not_applied)
        print_queue(f);
    assert_int_equal(p.failed + p.conflicts + p.not_applied, 0);
    assert_int_equal(p.creates_done, 1);
    int types[16];
    size_t n = server_links(f, free1, k[0], types, 16);
    assert_true(n >= 1);
    n = server_links(f, free2, k[1], types, 16);
    assert_true(has_type(types, n, label_type));
    assert_int_equal(server_links(f, linked, its_company, types, 16), 0);
    json_t *d = wbf_dump(f, "companies");
    char *new_id = NULL;
    json_array_foreach(json_object_get(d, "results"), i, row)
        if (str_cmp0(hs_record_prop(row, "name"), "Linked New Co") == 0)
            new_id = xstrdup(json_string_value(json_object_get(row, "id")));
    json_decref(d);
    assert_non_null(new_id);
    assert_true(server_links(f, free1, new_id, types, 16) >= 1);
    /* The cache shows them as stored, no longer pending. */
    assoc_group *g;
    size_t ng;
    assert_int_equal(records_associations(f->ps->st, "contacts", free2, &g, &ng, &err), HT_OK);
    bool seen = false;
    for (size_t a = 0; a < ng; a++)
        for (size_t b = 0; b < g[a].nitems; b++)
            seen |= strcmp(g[a].items[b].id, k[1]) == 0 && g[a].items[b].pending == ASSOC_STORED;
    assert_true(seen);
    assoc_groups_free(g, ng);
    assert_int_equal(queued_total(f), 0);
    free(new_id);
    free(its_company);
    wbf_free_ids(c, 0);
    wbf_free_ids(k, 0);
}

/* ---- faults ------------------------------------------------------------------------------------- */

/* Properties that legitimately change on every write. */
static bool volatile_prop(const char *name)
{
    return strcmp(name, "lastmodifieddate") == 0 || strcmp(name, "hs_lastmodifieddate") == 0;
}

/* before + the intended edits must equal after, property by property, for
 * every record that existed before. edits: "id\tprop\tvalue" lines. */
static void assert_dump_is(json_t *before, json_t *after, const char *const *edits)
{
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(before, "results"), i, rec) {
        const char *id = json_string_value(json_object_get(rec, "id"));
        json_t *now = NULL, *r2;
        size_t k;
        json_array_foreach(json_object_get(after, "results"), k, r2)
            if (strcmp(json_string_value(json_object_get(r2, "id")), id) == 0)
                now = r2;
        if (!now)
            fail_msg("record %s disappeared", id);
        json_t *props = json_object_get(now, "properties");
        const char *name;
        json_t *v;
        json_object_foreach(props, name, v) {
            if (volatile_prop(name))
                continue;
            const char *want = hs_record_prop(rec, name);
            for (size_t e = 0; edits[e]; e++) {
                char eid[32], ep[64];
                int off = 0;
                if (sscanf(edits[e], "%31[^\t]\t%63[^\t]\t%n", eid, ep, &off) == 2 &&
                    strcmp(eid, id) == 0 && strcmp(ep, name) == 0)
                    want = *(edits[e] + off) ? edits[e] + off : NULL;
            }
            if (str_cmp0(json_string_value(v), want) != 0)
                fail_msg("record %s %s: '%s', intended '%s'", id, name,
                         json_string_value(v) ? json_string_value(v) : "", want ? want : "");
        }
    }
}

static void test_faults_end_in_the_intended_state(void **state)
{
    wbfix *f = fresh(state);
    char **c = wbf_ids(f, "contacts", 16), **k = wbf_ids(f, "companies", 2);
    char *edits[64];
    size_t ne = 0;
    for (int i = 0; i < 16; i++) {
        char title[32];
        snprintf(title, sizeof title, "Faulty %d", i);
        queue_edit(f, "contacts", c[i], "jobtitle", title);
        edits[ne++] = xasprintf("%s\tjobtitle\t%s", c[i], title);
        if (i % 3 == 0) {
            queue_edit(f, "contacts", c[i], "city", "");
            edits[ne++] = xasprintf("%s\tcity\t", c[i]);
        }
    }
    ht_error err;
    assert_int_equal(outbox_enqueue_clear_then_set(f->ps->st, "contacts", c[1], "city", "Paris",
                                                   0, &err), HT_OK);
    edits[ne++] = xasprintf("%s\tcity\tParis", c[1]);
    queue_edit(f, "companies", k[0], "city", "Faultville");
    edits[ne++] = xasprintf("%s\tcity\tFaultville", k[0]);
    edits[ne] = NULL;
    static const char *const cp[] = {"email", "firstname"};
    static const char *const cv1[] = {"fault.one@example.io", "One"};
    static const char *const cv2[] = {"fault.two@example.io", "Two"};
    static const char *const kp[] = {"name"};
    static const char *const kv[] = {"Fault Tolerant Co"};
    char l1[32], l2[32], l3[32];
    queue_create(f, "contacts", cp, cv1, 2, l1);
    queue_create(f, "contacts", cp, cv2, 2, l2);
    queue_create(f, "companies", kp, kv, 1, l3);
    queue_assoc(f, true, l1, l3, 0, NULL, NULL);
    json_t *before_c = wbf_dump(f, "contacts"), *before_k = wbf_dump(f, "companies");
    /* WB_FAULTS (a config body) turns the faults up for a stress run by hand. */
    const char *stress = getenv("WB_FAULTS");
    wbf_control(f, "/_fakehub/config",
                stress ? stress : "{\"faults\":\"5xx=0.12,429=0.08,reset=0.08,truncate=0.08\"}");
    ht_status st = HT_INVALID;
    writeback_progress p;
    for (int round = 0; round < 6 && (st != HT_OK || queued_total(f) > 0); round++) {
        st = push(f, &p, &err);
        if (st != HT_OK)
            print_message("push stopped (%s), pushing again\n", err.message);
    }
    wbf_control(f, "/_fakehub/config", "{\"faults\":\"\"}");
    /* The faults did strike (some after the write was applied). */
    long status = 0;
    json_t *stats = fakehub_json(&f->fh, "GET", "/_fakehub/stats", NULL, &status);
    json_t *faults = json_object_get(stats, "faults");
    char *ftext = json_dumps(faults, JSON_COMPACT);
    print_message("faults: %s\n", ftext);
    free(ftext);
    long struck = 0;
    const char *fk;
    json_t *fv;
    json_object_foreach(faults, fk, fv)
        if (strcmp(fk, "afterWrite") != 0)
            struck += (long)json_integer_value(fv);
    json_decref(stats);
    assert_true(struck > 0);
    if (queued_total(f))
        print_queue(f);
    assert_int_equal(queued_total(f), 0);
    json_t *after_c = wbf_dump(f, "contacts"), *after_k = wbf_dump(f, "companies");
    assert_dump_is(before_c, after_c, (const char *const *)edits);
    assert_dump_is(before_k, after_k, (const char *const *)edits);
    assert_int_equal(wbf_count_with(f, "contacts", "email", "fault.one@example.io"), 1);
    assert_int_equal(wbf_count_with(f, "contacts", "email", "fault.two@example.io"), 1);
    assert_int_equal(wbf_count_with(f, "companies", "name", "Fault Tolerant Co"), 1);
    assert_int_equal(json_array_size(json_object_get(after_c, "results")),
                     json_array_size(json_object_get(before_c, "results")) + 2);
    assert_int_equal(json_array_size(json_object_get(after_k, "results")),
                     json_array_size(json_object_get(before_k, "results")) + 1);
    /* The new contact is linked to the new company. */
    size_t i;
    json_t *rec;
    char *one = NULL, *co = NULL;
    json_array_foreach(json_object_get(after_c, "results"), i, rec)
        if (str_cmp0(hs_record_prop(rec, "email"), "fault.one@example.io") == 0)
            one = xstrdup(json_string_value(json_object_get(rec, "id")));
    json_array_foreach(json_object_get(after_k, "results"), i, rec)
        if (str_cmp0(hs_record_prop(rec, "name"), "Fault Tolerant Co") == 0)
            co = xstrdup(json_string_value(json_object_get(rec, "id")));
    int types[8];
    assert_true(one && co && server_links(f, one, co, types, 8) >= 1);
    free(one);
    free(co);
    json_decref(before_c);
    json_decref(before_k);
    json_decref(after_c);
    json_decref(after_k);
    for (size_t e = 0; e < ne; e++)
        free(edits[e]);
    wbf_free_ids(c, 0);
    wbf_free_ids(k, 0);
}

/* ---- the job in a loop (the browser's way) ----------------------------------------------- */

typedef struct job_watch {
    int       progress_calls, done_calls;
    ht_status done_status;
    writeback_job *cancel_me;   /* cancel at the first progress report */
} job_watch;

static void watch_progress(void *ud, const writeback_progress *p)
{
    job_watch *w = ud;
    w->progress_calls++;
    if (w->cancel_me && p->batches > 0)
        writeback_cancel(w->cancel_me);
}

static void watch_done(void *ud, ht_status st, const ht_error *err)
{
    job_watch *w = ud;
    w->done_calls++;
    w->done_status = st;
}

/* An on_done that frees its job, as a browser might. */
static void free_on_done(void *ud, ht_status st, const ht_error *err)
{
    job_watch *w = ud;
    w->done_calls++;
    w->done_status = st;
    writeback_free(w->cancel_me);
}

static void queue_many(wbfix *f, const char *value, size_t n)
{
    char **ids = wbf_ids(f, "contacts", n);
    for (size_t i = 0; ids[i]; i++)
        queue_edit(f, "contacts", ids[i], "jobtitle", value);
    wbf_free_ids(ids, 0);
}

static void test_job_cancel_and_free_lose_nothing(void **state)
{
    wbfix *f = fresh(state);
    queue_many(f, "Loop Title", 30);
    /* Small batches, one at a time, so the job has several to go. */
    job_watch w = {0};
    writeback_options o = {.on_progress = watch_progress, .on_done = watch_done, .ud = &w,
                           .pipeline = 1, .batch_records = 5};
    ht_error err;
    writeback_job *j = writeback_start(f->ps, &o, &err);
    assert_non_null(j);
    assert_false(writeback_finished(j));
    assert_int_equal(w.done_calls, 0);      /* never inside start */
    /* A second push of the same cache is refused while this one runs. */
    portal_options po = {.config_path = f->config, .cache_dir = f->hub_dir, .token = f->fh.token};
    portal_session *other = NULL;
    assert_int_equal(portal_open(&po, &other, &err), HT_OK);
    assert_int_equal(portal_connect(other, &err), HT_OK);
    assert_null(writeback_start(other, NULL, &err));
    assert_int_equal(err.status, HT_CONFLICT);
    /* One turn of the loop claims the first batch and sends its read (which
     * fakehub holds for a while); tear the job down then: what was in
     * flight goes back to the queue. */
    wbf_control(f, "/_fakehub/config", "{\"faults\":\"latency=300-300\"}");
    hs_client_poll(f->ps->client, NULL, 0, 0);
    assert_int_equal(counts(f).sending, 5);
    writeback_free(j);
    wbf_control(f, "/_fakehub/config", "{\"faults\":\"\"}");
    assert_int_equal(w.done_calls, 0);      /* the owner freed it: no callback */
    outbox_counts oc = counts(f);
    assert_int_equal(oc.sending, 0);
    assert_int_equal(oc.pending, 30);
    /* Now the lock is free for the other session. */
    writeback_job *j2 = writeback_start(other, NULL, &err);
    assert_non_null(j2);
    writeback_free(j2);
    portal_close(other);
    /* Cancel: the job stops claiming and ends with HT_CANCELLED. */
    memset(&w, 0, sizeof w);
    j = writeback_start(f->ps, &o, &err);
    assert_non_null(j);
    w.cancel_me = j;
    while (!writeback_finished(j))
        hs_client_poll(f->ps->client, NULL, 0, 50);
    assert_int_equal(w.done_calls, 1);
    assert_int_equal(w.done_status, HT_CANCELLED);
    /* It finished the batch it had, and left the rest queued. */
    assert_int_equal(writeback_get_progress(j)->batches, 1);
    assert_int_equal(writeback_get_progress(j)->edits_done, 5);
    writeback_free(j);
    assert_int_equal(counts(f).pending, 25);
    assert_int_equal(counts(f).sending, 0);
    /* The client cancelling background work ends the job too, and its
     * on_done may free it. */
    memset(&w, 0, sizeof w);
    writeback_options o2 = {.on_done = free_on_done, .ud = &w, .batch_records = 5};
    wbf_control(f, "/_fakehub/config", "{\"faults\":\"latency=300-300\"}");
    w.cancel_me = writeback_start(f->ps, &o2, &err);
    assert_non_null(w.cancel_me);
    hs_client_poll(f->ps->client, NULL, 0, 0);
    hs_cancel_priority(f->ps->client, HS_PRIO_BACKGROUND);
    wbf_control(f, "/_fakehub/config", "{\"faults\":\"\"}");
    assert_int_equal(w.done_calls, 1);
    assert_int_equal(w.done_status, HT_CANCELLED);
    assert_int_equal(counts(f).sending, 0);
    assert_int_equal(counts(f).pending, 25);
    /* A full push afterwards writes everything exactly once. */
    writeback_progress p;
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(queued_total(f), 0);
    assert_int_equal(wbf_count_with(f, "contacts", "jobtitle", "Loop Title"), 30);
}

/* A record archived between the read and the write: the batch update
 * answers 207 for it, and exactly its edit is kept as failed. fakehub holds
 * every request 400 ms; the archive is sent 200 ms after the read, so it
 * lands after the read and before the update. */
typedef struct late_archive {
    wbfix *f;
    char   path[128];
    long   status;
} late_archive;

static void *archive_later(void *ud)
{
    late_archive *la = ud;
    usleep(200 * 1000);
    free(fakehub_request(&la->f->fh, "DELETE", la->path, NULL, &la->status));
    return NULL;
}

static void test_207_on_the_write_keeps_the_failed_input(void **state)
{
    wbfix *f = fresh(state);
    char **ids = wbf_ids(f, "contacts", 3);
    for (int i = 0; i < 3; i++)
        queue_edit(f, "contacts", ids[i], "jobtitle", "Racing Title");
    wbf_control(f, "/_fakehub/config", "{\"faults\":\"latency=400-400\"}");
    ht_error err;
    writeback_job *j = writeback_start(f->ps, NULL, &err);
    assert_non_null(j);
    hs_client_poll(f->ps->client, NULL, 0, 0);   /* the read goes out */
    late_archive la = {.f = f};
    snprintf(la.path, sizeof la.path, "/crm/v3/objects/contacts/%s", ids[1]);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, archive_later, &la), 0);
    while (!writeback_finished(j))
        hs_client_poll(f->ps->client, NULL, 0, 100);
    pthread_join(t, NULL);
    wbf_control(f, "/_fakehub/config", "{\"faults\":\"\"}");
    assert_int_equal(la.status, 204);
    const writeback_progress *p = writeback_get_progress(j);
    assert_int_equal(p->edits_sent, 3);   /* the read still saw all three */
    assert_int_equal(p->edits_done, 2);
    assert_int_equal(p->failed, 1);
    writeback_free(j);
    outbox_entry *v;
    size_t n;
    assert_int_equal(outbox_list(f->ps->st, NULL, &v, &n, &err), HT_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].id, ids[1]);
    assert_int_equal(v[0].state, OB_FAILED);
    assert_int_equal(v[0].http_status, 207);
    assert_non_null(strstr(v[0].err_message, "Could not get some"));
    outbox_entries_free(v, n);
    assert_server(f, "contacts", ids[0], "jobtitle", "Racing Title");
    assert_server(f, "contacts", ids[2], "jobtitle", "Racing Title");
    wbf_free_ids(ids, 0);
}

/* An association to a record archived on HubSpot: the v4 batch answers 207
 * for that pair only. */
static void test_207_on_associations_keeps_the_failed_pair(void **state)
{
    wbfix *f = fresh(state);
    char **c = wbf_ids(f, "contacts", 2), **k = wbf_ids(f, "companies", 3);
    queue_assoc(f, true, c[0], k[1], 0, NULL, NULL);
    queue_assoc(f, true, c[1], k[2], 0, NULL, NULL);
    char *path = xasprintf("/crm/v3/objects/companies/%s", k[2]);
    long status = 0;
    free(fakehub_request(&f->fh, "DELETE", path, NULL, &status));
    free(path);
    assert_int_equal(status, 204);
    writeback_progress p;
    ht_error err;
    assert_int_equal(push(f, &p, &err), HT_OK);
    assert_int_equal(p.edits_done, 1);
    assert_int_equal(p.failed, 1);
    int types[8];
    assert_true(server_links(f, c[0], k[1], types, 8) >= 1);
    outbox_entry *v;
    size_t n;
    assert_int_equal(outbox_list(f->ps->st, NULL, &v, &n, &err), HT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].kind, OBK_ASSOC_ADD);
    assert_string_equal(v[0].to_id, k[2]);
    assert_int_equal(v[0].state, OB_FAILED);
    assert_non_null(strstr(v[0].err_message, "Could not find"));
    outbox_entries_free(v, n);
    wbf_free_ids(c, 0);
    wbf_free_ids(k, 0);
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
        cmocka_unit_test(test_creates_land_once_with_their_key),
        cmocka_unit_test(test_create_interrupted_after_send_is_looked_up),
        cmocka_unit_test(test_update_interrupted_is_checked_first),
        cmocka_unit_test(test_dry_run_sends_nothing),
        cmocka_unit_test(test_readonly_portal_refuses),
        cmocka_unit_test(test_daily_limit_stops_and_keeps_everything),
        cmocka_unit_test(test_set_and_create_refuse_invalid_values),
        cmocka_unit_test(test_queue_retry_drop_and_undo),
        cmocka_unit_test(test_associations_added_and_removed),
        cmocka_unit_test(test_faults_end_in_the_intended_state),
        cmocka_unit_test(test_job_cancel_and_free_lose_nothing),
        cmocka_unit_test(test_207_on_the_write_keeps_the_failed_input),
        cmocka_unit_test(test_207_on_associations_keeps_the_failed_pair),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
