/* The outbox in a real cache file: durability across reopen, coalescing,
 * undo of single, bulk and coalesced changes, claim/mark/recover for the
 * writeback, local id remapping, conflicts and failures with their
 * resolutions, the pending overlay, ordering of clear-then-set, and the
 * audit log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "util.h"
#include "validate.h"

static fixture fx;

static void seed(store *st)
{
    strbuf sb = {0};
    strbuf_puts(&sb, "[");
    for (int i = 1; i <= 150; i++)
        strbuf_printf(&sb, "%s{\"id\":\"%d\",\"properties\":{\"firstname\":\"F%d\",\"city\":\"C%d\","
                      "\"lifecyclestage\":\"customer\"}}", i > 1 ? "," : "", i, i, i);
    strbuf_puts(&sb, "]");
    fx_put_json(st, "contacts", strbuf_str(&sb));
    strbuf_free(&sb);
    fx_put_json(st, "companies", "[{\"id\":\"9\",\"properties\":{\"name\":\"Acme\"}}]");
}

static int setup(void **state)
{
    fx_open(&fx);
    fx_load_meta(fx.st);
    seed(fx.st);
    return 0;
}

static int teardown(void **state)
{
    fx_close(&fx);
    return 0;
}

/* Each test starts from an empty queue and the seeded values. */
static int reset(void **state)
{
    fx_close(&fx);
    return setup(state);
}

static const char *value_of(const char *id, const char *prop, record **keep)
{
    ht_error err;
    if (records_get(fx.st, "contacts", id, keep, &err) != HT_OK)
        fail_msg("get %s: %s", id, err.message);
    return record_get(*keep, prop);
}

static void check_value(const char *id, const char *prop, const char *want)
{
    record *r;
    const char *v = value_of(id, prop, &r);
    if (str_cmp0(v, want) != 0)
        fail_msg("contacts %s %s = %s, want %s", id, prop, v ? v : "(empty)",
                 want ? want : "(empty)");
    record_free(r);
}

static outbox_counts counts(void)
{
    outbox_counts c;
    ht_error err;
    assert_int_equal(outbox_counts_get(fx.st, &c, &err), HT_OK);
    return c;
}

static void test_durable_across_reopen(void **state)
{
    ht_error err;
    int64_t qid;
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "1", "city", "Oslo", 0, &qid,
                                           &err), HT_OK);
    assert_true(qid > 0);
    char local[32];
    const char *p[] = {"firstname", "email"}, *v[] = {"New", "new@x.io"};
    assert_int_equal(outbox_enqueue_create(fx.st, "contacts", p, v, 2, 0, local, &err), HT_OK);
    store_close(fx.st);
    store_options opt = {.dir = fx.dir};
    assert_int_equal(store_open("test", &opt, &fx.st, &err), HT_OK);
    outbox_entry *e;
    size_t n;
    assert_int_equal(outbox_list(fx.st, NULL, &e, &n, &err), HT_OK);
    assert_int_equal(n, 4);
    assert_int_equal(e[0].qid, qid);
    assert_int_equal(e[0].kind, OBK_UPDATE);
    assert_int_equal(e[0].state, OB_PENDING);
    assert_string_equal(e[0].object, "contacts");
    assert_string_equal(e[0].id, "1");
    assert_string_equal(e[0].record_name, "F1");
    assert_string_equal(e[0].prop, "city");
    assert_string_equal(e[0].old_value, "C1");
    assert_string_equal(e[0].new_value, "Oslo");
    assert_int_equal(e[1].kind, OBK_CREATE);
    assert_string_equal(e[1].id, local);
    assert_int_equal(strlen(e[1].idem_key), 36);
    assert_string_equal(e[1].record_name, "New");
    outbox_entries_free(e, n);
    record *r;
    const char *city = value_of("1", "city", &r);
    assert_string_equal(city, "Oslo");
    const record_value *rv = record_find(r, "city");
    assert_int_equal(rv->state, OB_PENDING);
    assert_string_equal(rv->original, "C1");
    assert_int_equal(rv->qid, qid);
    record_free(r);
    check_value(local, "email", "new@x.io");
}

static void test_coalesce_and_undo(void **state)
{
    ht_error err;
    int64_t q1, q2;
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "2", "city", "B", 0, &q1, &err),
                     HT_OK);
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "2", "city", "C", 0, &q2, &err),
                     HT_OK);
    assert_int_equal(q1, q2);
    outbox_entry e;
    assert_int_equal(outbox_get(fx.st, q1, &e, &err), HT_OK);
    assert_string_equal(e.old_value, "C2");
    assert_string_equal(e.new_value, "C");
    outbox_entry_clear(&e);
    assert_int_equal(counts().pending, 1);
    /* Undo restores what the coalesced edit replaced: B, then C2. */
    size_t undone;
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(undone, 1);
    check_value("2", "city", "B");
    assert_int_equal(outbox_get(fx.st, q1, &e, &err), HT_OK);
    assert_string_equal(e.new_value, "B");
    assert_string_equal(e.old_value, "C2");
    outbox_entry_clear(&e);
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(undone, 1);
    check_value("2", "city", "C2");
    assert_int_equal(counts().pending, 0);
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(undone, 0);

    /* Editing back to the original leaves nothing to send; undo brings the edit back. */
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "2", "city", "X", 0, &q1, &err),
                     HT_OK);
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "2", "city", "C2", 0, &q2, &err),
                     HT_OK);
    assert_int_equal(counts().pending, 0);
    check_value("2", "city", "C2");
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    check_value("2", "city", "X");
    assert_int_equal(counts().pending, 1);
    /* Setting the value it already has queues nothing. */
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "3", "city", "C3", 0, &q1, &err),
                     HT_OK);
    assert_int_equal(q1, 0);
    /* Clearing is an edit too. */
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "3", "city", "", 0, &q1, &err),
                     HT_OK);
    check_value("3", "city", NULL);
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "999", "city", "x", 0, &q1, &err),
                     HT_NOT_FOUND);
}

static void test_bulk_undo(void **state)
{
    ht_error err;
    int64_t q;
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "50", "city", "Solo", 0, &q, &err),
                     HT_OK);
    const char *ids[20];
    char buf[20][8];
    for (int i = 0; i < 20; i++) {
        snprintf(buf[i], sizeof buf[i], "%d", 10 + i);
        ids[i] = buf[i];
    }
    int64_t group;
    assert_int_equal(outbox_enqueue_bulk(fx.st, "contacts", ids, 20, "lifecyclestage", "lead",
                                         &group, &err), HT_OK);
    assert_int_equal(counts().pending, 21);
    check_value("15", "lifecyclestage", "lead");
    size_t undone;
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(undone, 20);
    assert_int_equal(counts().pending, 1);
    for (int i = 0; i < 20; i++)
        check_value(ids[i], "lifecyclestage", "customer");
    check_value("50", "city", "Solo");
    /* A bulk edit with one bad id changes nothing at all. */
    ids[5] = "77777";
    assert_int_equal(outbox_enqueue_bulk(fx.st, "contacts", ids, 20, "city", "Z", NULL, &err),
                     HT_NOT_FOUND);
    assert_int_equal(counts().pending, 1);
    check_value("10", "city", "C10");
}

static void test_claim_mark_audit(void **state)
{
    ht_error err;
    for (int i = 1; i <= 150; i++) {
        char id[8], v[16];
        snprintf(id, sizeof id, "%d", i);
        snprintf(v, sizeof v, "N%d", i);
        assert_int_equal(outbox_enqueue_update(fx.st, "contacts", id, "firstname", v, 0, NULL,
                                               &err), HT_OK);
        if (i % 50 == 0)
            assert_int_equal(outbox_enqueue_update(fx.st, "contacts", id, "city", "Two", 0,
                                                   NULL, &err), HT_OK);
    }
    outbox_batch *b1, *b2, *b3;
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_UPDATE, 500, &b1, &err), HT_OK);
    assert_non_null(b1);
    assert_int_equal(b1->nrecords, 100);              /* never more than 100 per batch */
    assert_string_equal(b1->object, "contacts");
    assert_string_equal(b1->type_id, "0-1");
    assert_string_equal(b1->records[0].id, "1");
    assert_int_equal(b1->records[49].nedits, 2);       /* record 50: both props, one update */
    assert_int_equal(counts().sending, 102);
    assert_int_equal(outbox_claim(fx.st, "contacts", OBK_UPDATE, 100, &b2, &err), HT_OK);
    assert_int_equal(b2->nrecords, 50);
    assert_string_equal(b2->records[0].id, "101");
    assert_int_equal(outbox_claim(fx.st, "contacts", OBK_UPDATE, 100, &b3, &err), HT_OK);
    assert_null(b3);
    /* Sending rows are not undoable and cannot be dropped. */
    size_t undone;
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(undone, 0);
    assert_int_equal(outbox_drop(fx.st, b1->records[0].edits[0].qid, &err), HT_CONFLICT);

    outbox_edit *e1 = &b1->records[0].edits[0];   /* contact 1 firstname F1 -> N1 */
    assert_string_equal(e1->old_value, "F1");
    assert_string_equal(e1->new_value, "N1");
    assert_int_equal(outbox_mark_done(fx.st, e1->qid, "N1", "corr-1", &err), HT_OK);
    /* The server normalised what we sent: the cache shows its value. */
    outbox_edit *e2 = &b1->records[1].edits[0];
    assert_int_equal(outbox_mark_done(fx.st, e2->qid, "n2", "corr-2", &err), HT_OK);
    check_value("2", "firstname", "n2");
    outbox_edit *e3 = &b1->records[2].edits[0];
    assert_int_equal(outbox_mark_conflict(fx.st, e3->qid, "Theirs3", "ana@example.com",
                                          "2024-05-02T10:00:00Z", &err), HT_OK);
    outbox_edit *e4 = &b1->records[3].edits[0];
    assert_int_equal(outbox_mark_failed(fx.st, e4->qid, "Property values were not valid",
                                        "VALIDATION_ERROR", "corr-4", 400, &err), HT_OK);
    outbox_edit *e5 = &b1->records[4].edits[0];
    assert_int_equal(outbox_mark_not_applied(fx.st, e5->qid, "F5", "corr-5", &err), HT_OK);
    outbox_edit *e6 = &b1->records[5].edits[0];
    assert_int_equal(outbox_release(fx.st, e6->qid, &err), HT_OK);
    /* Marking a row that is not being sent is refused. */
    assert_int_equal(outbox_mark_done(fx.st, e3->qid, NULL, NULL, &err), HT_CONFLICT);

    outbox_counts c = counts();
    assert_int_equal(c.conflict, 1);
    assert_int_equal(c.failed, 1);
    assert_int_equal(c.not_applied, 1);
    assert_int_equal(c.pending, 1);
    assert_int_equal(c.sending, 153 - 6);

    outbox_entry e;
    assert_int_equal(outbox_get(fx.st, e3->qid, &e, &err), HT_OK);
    assert_int_equal(e.state, OB_CONFLICT);
    assert_string_equal(e.server_value, "Theirs3");
    assert_string_equal(e.server_by, "ana@example.com");
    outbox_entry_clear(&e);
    assert_int_equal(outbox_get(fx.st, e4->qid, &e, &err), HT_OK);
    assert_string_equal(e.err_category, "VALIDATION_ERROR");
    assert_string_equal(e.correlation_id, "corr-4");
    assert_int_equal(e.http_status, 400);
    outbox_entry_clear(&e);

    /* Filtered listing for the queue view. */
    outbox_filter f = {.states = 1u << OB_CONFLICT | 1u << OB_FAILED};
    outbox_entry *v;
    size_t n;
    assert_int_equal(outbox_list(fx.st, &f, &v, &n, &err), HT_OK);
    assert_int_equal(n, 2);
    outbox_entries_free(v, n);
    outbox_filter f2 = {.object = "contacts", .id = "50"};
    assert_int_equal(outbox_list(fx.st, &f2, &v, &n, &err), HT_OK);
    assert_int_equal(n, 2);
    outbox_entries_free(v, n);

    /* Resolutions. */
    assert_int_equal(outbox_retry(fx.st, e3->qid, &err), HT_INVALID);   /* conflict: resolve */
    assert_int_equal(outbox_resolve(fx.st, e3->qid, true, &err), HT_OK);
    assert_int_equal(outbox_get(fx.st, e3->qid, &e, &err), HT_OK);
    assert_int_equal(e.state, OB_PENDING);
    assert_string_equal(e.old_value, "Theirs3");
    outbox_entry_clear(&e);
    assert_int_equal(outbox_retry(fx.st, e4->qid, &err), HT_OK);
    assert_int_equal(outbox_get(fx.st, e4->qid, &e, &err), HT_OK);
    assert_int_equal(e.state, OB_PENDING);
    assert_null(e.err_message);
    outbox_entry_clear(&e);
    assert_int_equal(outbox_drop(fx.st, e5->qid, &err), HT_OK);
    check_value("5", "firstname", "F5");
    assert_int_equal(outbox_resolve(fx.st, e5->qid, true, &err), HT_NOT_FOUND);

    audit_entry *a;
    assert_int_equal(audit_list(fx.st, "contacts", NULL, 0, &a, &n, &err), HT_OK);
    assert_int_equal(n, 7);
    /* Newest first: dropped, resolved-mine, not-applied, failed, conflict, done, done... */
    assert_string_equal(a[0].result, "dropped");
    assert_string_equal(a[1].result, "resolved-mine");
    assert_string_equal(a[2].result, "not-applied");
    assert_string_equal(a[2].correlation_id, "corr-5");
    assert_string_equal(a[3].result, "failed");
    assert_string_equal(a[3].category, "VALIDATION_ERROR");
    assert_string_equal(a[4].result, "conflict");
    assert_string_equal(a[5].result, "done");
    assert_string_equal(a[5].new_value, "n2");
    assert_string_equal(a[6].result, "done");
    assert_string_equal(a[6].id, "1");
    assert_string_equal(a[6].prop, "firstname");
    assert_string_equal(a[6].old_value, "F1");
    assert_string_equal(a[6].new_value, "N1");
    assert_string_equal(a[6].batch_id, b1->batch_id);
    audit_entries_free(a, n);
    assert_int_equal(audit_list(fx.st, "contacts", "1", 0, &a, &n, &err), HT_OK);
    assert_int_equal(n, 1);
    audit_entries_free(a, n);

    /* Take theirs on a fresh conflict: the server's value shows. */
    outbox_edit *e7 = &b1->records[6].edits[0];
    assert_int_equal(outbox_mark_conflict(fx.st, e7->qid, "Theirs7", NULL, NULL, &err), HT_OK);
    assert_int_equal(outbox_resolve(fx.st, e7->qid, false, &err), HT_OK);
    check_value("7", "firstname", "Theirs7");
    outbox_batch_free(b1);
    outbox_batch_free(b2);
}

static void test_recover_after_crash(void **state)
{
    ht_error err;
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "1", "city", "R", 0, NULL, &err),
                     HT_OK);
    outbox_batch *b;
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_UPDATE, 100, &b, &err), HT_OK);
    assert_false(b->records[0].recheck);
    outbox_batch_free(b);
    /* The process "dies" here: reopen and recover. */
    store_close(fx.st);
    store_options opt = {.dir = fx.dir};
    assert_int_equal(store_open("test", &opt, &fx.st, &err), HT_OK);
    assert_int_equal(counts().sending, 1);
    size_t rec;
    assert_int_equal(outbox_recover(fx.st, time_now_ms() - 60000, &rec, &err), HT_OK);
    assert_int_equal(rec, 0);                         /* too recent to be stale */
    assert_int_equal(outbox_recover(fx.st, time_now_ms() + 1, &rec, &err), HT_OK);
    assert_int_equal(rec, 1);
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_UPDATE, 100, &b, &err), HT_OK);
    assert_true(b->records[0].recheck);
    assert_true(b->records[0].edits[0].recheck);
    outbox_batch_free(b);
}

static void test_creates_and_remap(void **state)
{
    ht_error err;
    char local[32];
    const char *p[] = {"firstname", "email"}, *v[] = {"Nina", "nina@x.io"};
    assert_int_equal(outbox_enqueue_create(fx.st, "contacts", p, v, 2, 0, local, &err), HT_OK);
    outbox_batch *u;
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_UPDATE, 100, &u, &err), HT_OK);
    assert_null(u);                                    /* creates are not updates */
    outbox_batch *b;
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_CREATE, 100, &b, &err), HT_OK);
    assert_non_null(b);
    assert_int_equal(b->nrecords, 1);
    outbox_claim_record *cr = &b->records[0];
    assert_true(cr->local);
    assert_string_equal(cr->id, local);
    assert_int_equal(strlen(cr->idem_key), 36);
    assert_int_equal(cr->nedits, 2);
    /* Edits made while the create is in flight wait for it. */
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", local, "city", "Rome", 0, NULL,
                                           &err), HT_OK);
    int64_t aq;
    assert_int_equal(outbox_enqueue_assoc(fx.st, true, "contacts", local, "companies", "9", 279,
                                          "HUBSPOT_DEFINED", NULL, 0, &aq, &err), HT_OK);
    outbox_batch *a;
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_ASSOC_ADD, 100, &a, &err), HT_OK);
    assert_null(a);

    assert_int_equal(outbox_mark_created(fx.st, cr->create_qid, "9001", "corr-c", &err), HT_OK);
    record *r;
    /* The local id the user was shown now finds the pushed record. */
    assert_int_equal(records_get(fx.st, "contacts", local, &r, &err), HT_OK);
    assert_string_equal(r->id, "9001");
    record_free(r);
    assert_int_equal(records_get(fx.st, "contacts", "9001", &r, &err), HT_OK);
    assert_string_equal(record_get(r, "firstname"), "Nina");
    assert_string_equal(record_get(r, "city"), "Rome");
    assert_int_equal(record_find(r, "city")->state, OB_PENDING);
    assert_int_equal(record_find(r, "firstname")->state, OB_NONE);
    record_free(r);
    outbox_batch_free(b);
    /* The later edit is now an ordinary update of 9001, the link claimable. */
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_UPDATE, 100, &b, &err), HT_OK);
    assert_string_equal(b->records[0].id, "9001");
    assert_string_equal(b->records[0].edits[0].prop, "city");
    outbox_batch_free(b);
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_ASSOC_ADD, 100, &a, &err), HT_OK);
    assert_non_null(a);
    assert_int_equal(a->nassocs, 1);
    assert_string_equal(a->assocs[0].from_id, "9001");
    assert_string_equal(a->assocs[0].to_object, "companies");
    assert_string_equal(a->assocs[0].to_id, "9");
    assert_true(a->assocs[0].add);
    assert_int_equal(outbox_mark_done(fx.st, a->assocs[0].qid, NULL, NULL, &err), HT_OK);
    outbox_batch_free(a);
    assoc_group *g;
    size_t n;
    assert_int_equal(records_associations(fx.st, "contacts", "9001", &g, &n, &err), HT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(g[0].items[0].pending, ASSOC_STORED);
    assert_string_equal(g[0].items[0].display_name, "Acme");
    assoc_groups_free(g, n);
    audit_entry *au;
    assert_int_equal(audit_list(fx.st, "contacts", "9001", 0, &au, &n, &err), HT_OK);
    bool created = false;
    for (size_t i = 0; i < n; i++)
        created |= strcmp(au[i].result, "created") == 0 && strcmp(au[i].new_value, "9001") == 0;
    assert_true(created);
    audit_entries_free(au, n);

    /* Sync saw the new record before the create was marked: the rows merge. */
    assert_int_equal(outbox_enqueue_create(fx.st, "contacts", p, v, 2, 0, local, &err), HT_OK);
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_CREATE, 100, &b, &err), HT_OK);
    fx_put_json(fx.st, "contacts", "[{\"id\":\"9002\",\"properties\":{\"firstname\":\"Nina\",\"email\":\"nina@x.io\",\"phone\":\"123\"}}]");
    assert_int_equal(outbox_mark_created(fx.st, b->records[0].create_qid, "9002", NULL, &err),
                     HT_OK);
    outbox_batch_free(b);
    assert_int_equal(records_get(fx.st, "contacts", "9002", &r, &err), HT_OK);
    assert_string_equal(record_get(r, "phone"), "123");
    assert_string_equal(record_get(r, "firstname"), "Nina");
    record_free(r);
    assert_int_equal(records_get(fx.st, "contacts", local, &r, &err), HT_OK);
    assert_string_equal(r->id, "9002");
    record_free(r);

    /* Dropping a create drops the local record and its edits. */
    assert_int_equal(outbox_enqueue_create(fx.st, "contacts", p, v, 2, 0, local, &err), HT_OK);
    outbox_filter f = {.id = local};
    outbox_entry *e;
    assert_int_equal(outbox_list(fx.st, &f, &e, &n, &err), HT_OK);
    assert_int_equal(n, 3);
    int64_t create_qid = e[0].qid;
    outbox_entries_free(e, n);
    assert_int_equal(outbox_drop(fx.st, create_qid, &err), HT_OK);
    assert_int_equal(outbox_list(fx.st, &f, &e, &n, &err), HT_OK);
    assert_int_equal(n, 0);
    outbox_entries_free(e, n);
    assert_int_equal(records_get(fx.st, "contacts", local, &r, &err), HT_NOT_FOUND);
}

static void test_sync_keeps_pending_values(void **state)
{
    ht_error err;
    int64_t q;
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "8", "city", "Mine", 0, &q, &err),
                     HT_OK);
    /* Someone changed it on HubSpot; sync brings their value. */
    fx_put_json(fx.st, "contacts", "[{\"id\":\"8\",\"properties\":{\"city\":\"Theirs\",\"firstname\":\"F8b\"}}]");
    record *r;
    const char *v = value_of("8", "city", &r);
    assert_string_equal(v, "Mine");
    const record_value *rv = record_find(r, "city");
    assert_string_equal(rv->original, "C8");
    assert_string_equal(rv->server_value, "Theirs");
    assert_string_equal(record_get(r, "firstname"), "F8b");
    record_free(r);
    outbox_batch *b;
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_UPDATE, 100, &b, &err), HT_OK);
    assert_true(b->records[0].edits[0].server_seen);
    assert_string_equal(b->records[0].edits[0].server_value, "Theirs");
    assert_int_equal(outbox_release(fx.st, q, &err), HT_OK);
    outbox_batch_free(b);
    /* Dropping the edit shows the newest server value, not the stale original. */
    assert_int_equal(outbox_drop(fx.st, q, &err), HT_OK);
    check_value("8", "city", "Theirs");
}

static void test_clear_then_set_order(void **state)
{
    ht_error err;
    validate_result vr;
    assert_int_equal(validate_value(fx.st, "contacts", "4", "lifecyclestage", "Lead", &vr),
                     VALIDATE_BACKWARDS);
    assert_int_equal(outbox_enqueue_clear_then_set(fx.st, "contacts", "4", "lifecyclestage",
                                                   vr.value, 0, &err), HT_OK);
    validate_result_clear(&vr);
    record *r;
    value_of("4", "lifecyclestage", &r);
    assert_string_equal(record_get(r, "lifecyclestage"), "lead");
    assert_string_equal(record_find(r, "lifecyclestage")->original, "customer");
    record_free(r);
    /* Sent one at a time, in order, never merged. */
    outbox_batch *b;
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_UPDATE, 100, &b, &err), HT_OK);
    assert_int_equal(b->nrecords, 1);
    assert_int_equal(b->records[0].nedits, 1);
    assert_null(b->records[0].edits[0].new_value);
    assert_string_equal(b->records[0].edits[0].old_value, "customer");
    outbox_batch *none;
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_UPDATE, 100, &none, &err), HT_OK);
    assert_null(none);
    assert_int_equal(outbox_mark_done(fx.st, b->records[0].edits[0].qid, NULL, NULL, &err), HT_OK);
    outbox_batch_free(b);
    assert_int_equal(outbox_claim(fx.st, NULL, OBK_UPDATE, 100, &b, &err), HT_OK);
    assert_string_equal(b->records[0].edits[0].new_value, "lead");
    assert_null(b->records[0].edits[0].old_value);
    outbox_batch_free(b);
    /* And undo of a clear-then-set removes both. */
    assert_int_equal(outbox_enqueue_clear_then_set(fx.st, "contacts", "6", "lifecyclestage",
                                                   "subscriber", 0, &err), HT_OK);
    size_t undone;
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(undone, 2);
    check_value("6", "lifecyclestage", "customer");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_durable_across_reopen, reset),
        cmocka_unit_test_setup(test_coalesce_and_undo, reset),
        cmocka_unit_test_setup(test_bulk_undo, reset),
        cmocka_unit_test_setup(test_claim_mark_audit, reset),
        cmocka_unit_test_setup(test_recover_after_crash, reset),
        cmocka_unit_test_setup(test_creates_and_remap, reset),
        cmocka_unit_test_setup(test_sync_keeps_pending_values, reset),
        cmocka_unit_test_setup(test_clear_then_set_order, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
