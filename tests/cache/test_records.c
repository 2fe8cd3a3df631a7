/* Records and metadata in a real cache file: bulk upsert and exact read
 * back, the JSON page path, full-text index maintenance, archiving and
 * sweeping, associations in both directions, and the metadata readers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "query.h"
#include "util.h"

static fixture fx;

static int setup(void **state)
{
    fx_open(&fx);
    fx_load_meta(fx.st);
    return 0;
}

static int teardown(void **state)
{
    fx_close(&fx);
    return 0;
}

static int64_t count_matches(const char *object, const char *filter)
{
    query_spec spec = {.object = object, .filter = filter};
    query *q;
    ht_error err;
    if (query_open(fx.st, &spec, &q, &err, NULL) != HT_OK)
        fail_msg("%s", err.message);
    int64_t n;
    assert_int_equal(query_count(q, &n, &err), HT_OK);
    query_close(q);
    return n;
}

static int64_t object_count(const char *name)
{
    objinfo *v;
    size_t n;
    ht_error err;
    assert_int_equal(meta_list_objects(fx.st, &v, &n, &err), HT_OK);
    int64_t c = -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            c = v[i].count;
    objinfo_free_all(v, n);
    return c;
}

#define NREC 500
#define NP 12

static void test_bulk_roundtrip(void **state)
{
    static const char *props[NP] = {"firstname", "lastname", "email", "phone", "company",
                                    "city", "num_employees", "birthday", "createdate",
                                    "lifecyclestage", "jobtitle", "notes_free_text"};
    char *vals[NREC][NP];
    char ids[NREC][16];
    const char *idp[NREC], *valp[NREC * NP];
    int64_t created[NREC], updated[NREC];
    for (int i = 0; i < NREC; i++) {
        snprintf(ids[i], sizeof ids[i], "%d", 1000 + i * 3);
        idp[i] = ids[i];
        created[i] = 1700000000000LL + i;
        updated[i] = 1710000000000LL + i * 1000;
        for (int j = 0; j < NP; j++) {
            if ((i + j) % 13 == 0)
                vals[i][j] = NULL;
            else if (j == 11)
                vals[i][j] = xasprintf("line one\nline \"two\" 'three' ; DROP TABLE x; -- %d \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac", i);
            else
                vals[i][j] = xasprintf("%s-%d", props[j], i);
            valp[i * NP + j] = vals[i][j];
        }
    }
    record_batch b = {.props = props, .nprops = NP, .nrecords = NREC, .ids = idp,
                      .values = valp, .created_ms = created, .updated_ms = updated};
    ht_error err;
    record_writer *w = records_writer_open(fx.st, "contacts", &err);
    upsert_stats st = {0};
    assert_int_equal(records_writer_put(w, &b, 0, &st, &err), HT_OK);
    assert_int_equal(st.inserted, NREC);
    assert_int_equal(st.max_updated_ms, 1710000000000LL + (NREC - 1) * 1000);
    /* The same batch again updates in place. */
    upsert_stats st2 = {0};
    assert_int_equal(records_writer_put(w, &b, 0, &st2, &err), HT_OK);
    assert_int_equal(st2.updated, NREC);
    assert_int_equal(st2.inserted, 0);
    records_writer_close(w);
    assert_int_equal(object_count("contacts"), NREC);

    for (int i = 0; i < NREC; i++) {
        record *r;
        assert_int_equal(records_get(fx.st, "contacts", ids[i], &r, &err), HT_OK);
        assert_string_equal(r->id, ids[i]);
        assert_int_equal(r->created_ms, created[i]);
        assert_int_equal(r->updated_ms, updated[i]);
        size_t nonempty = 0;
        for (int j = 0; j < NP; j++) {
            const char *v = record_get(r, props[j]);
            if (vals[i][j]) {
                assert_non_null(v);
                assert_string_equal(v, vals[i][j]);
                nonempty++;
            } else {
                assert_null(v);
            }
        }
        assert_int_equal(r->nvalues, nonempty);
        record_free(r);
        for (int j = 0; j < NP; j++)
            free(vals[i][j]);
    }
    record *r;
    assert_int_equal(records_get(fx.st, "contacts", "999999", &r, &err), HT_NOT_FOUND);
    assert_int_equal(records_get(fx.st, "contacts", "abc", &r, &err), HT_INVALID);
    /* Ids must be HubSpot ids. */
    const char *badid[] = {"x1"};
    const char *badv[NP] = {0};
    record_batch bb = {.props = props, .nprops = NP, .nrecords = 1, .ids = badid, .values = badv};
    w = records_writer_open(fx.st, "contacts", &err);
    assert_int_equal(records_writer_put(w, &bb, 0, NULL, &err), HT_PARSE);
    records_writer_close(w);
    assert_int_equal(object_count("contacts"), NREC);
}

static void test_json_pages(void **state)
{
    ht_error err;
    fx_put_json(fx.st, "companies",
                "[{\"id\":\"9\",\"properties\":{\"name\":\"Acme\",\"domain\":\"acme.io\","
                "\"numberofemployees\":120,\"is_public\":true,\"about\":null},"
                "\"createdAt\":\"2024-01-01T00:00:00Z\",\"updatedAt\":\"2024-02-01T10:00:00.500Z\","
                "\"archived\":false},"
                "{\"id\":10,\"properties\":{\"name\":\"Globex\",\"domain\":\"globex.com\"},"
                "\"createdAt\":\"2024-01-02T00:00:00Z\",\"updatedAt\":\"2024-01-03T00:00:00Z\"}]");
    record *r;
    assert_int_equal(records_get(fx.st, "companies", "9", &r, &err), HT_OK);
    assert_string_equal(record_get(r, "numberofemployees"), "120");
    assert_string_equal(record_get(r, "is_public"), "true");
    assert_null(record_get(r, "about"));
    assert_string_equal(r->display_name, "Acme");
    assert_int_equal(r->updated_ms, 1706781600500LL);
    record_free(r);
    assert_int_equal(records_get(fx.st, "companies", "10", &r, &err), HT_OK);
    record_free(r);

    /* A page requesting name+domain where a record lacks domain: emptied.
     * A page that did not request it: left alone. */
    json_t *page = json_loads("[{\"id\":\"9\",\"properties\":{\"name\":\"Acme Inc\"}}]", 0, NULL);
    const char *req[] = {"name", "domain"};
    record_writer *w = records_writer_open(fx.st, "companies", &err);
    assert_int_equal(records_writer_put_json(w, page, req, 2, 0, NULL, &err), HT_OK);
    json_decref(page);
    assert_int_equal(records_get(fx.st, "companies", "9", &r, &err), HT_OK);
    assert_string_equal(record_get(r, "name"), "Acme Inc");
    assert_null(record_get(r, "domain"));
    assert_string_equal(record_get(r, "numberofemployees"), "120");
    record_free(r);
    page = json_loads("[{\"id\":\"9\",\"properties\":{\"domain\":\"acme.io\"}}]", 0, NULL);
    assert_int_equal(records_writer_put_json(w, page, NULL, 0, 0, NULL, &err), HT_OK);
    json_decref(page);
    assert_int_equal(records_get(fx.st, "companies", "9", &r, &err), HT_OK);
    assert_string_equal(record_get(r, "name"), "Acme Inc");
    assert_string_equal(record_get(r, "domain"), "acme.io");
    record_free(r);
    /* Malformed pages are refused, nothing written. */
    page = json_loads("{\"results\":[]}", 0, NULL);
    assert_int_equal(records_writer_put_json(w, page, NULL, 0, 0, NULL, &err), HT_PARSE);
    json_decref(page);
    page = json_loads("[{\"properties\":{\"name\":\"no id\"}}]", 0, NULL);
    assert_int_equal(records_writer_put_json(w, page, NULL, 0, 0, NULL, &err), HT_PARSE);
    json_decref(page);
    records_writer_close(w);
}

/* A note is named by its body, which is HTML: its name is the plain text,
 * wherever it is shown (association lists, titles, pickers). */
static void test_html_display_name_is_plain(void **state)
{
    ht_error err;
    json_t *defs = json_loads("[{\"name\":\"hs_note_body\",\"label\":\"Note body\","
                              "\"type\":\"string\",\"fieldType\":\"html\"},"
                              "{\"name\":\"hs_timestamp\",\"label\":\"Time\","
                              "\"type\":\"datetime\",\"fieldType\":\"date\"}]", 0, NULL);
    assert_non_null(defs);
    if (meta_store_properties(fx.st, "notes", defs, &err) != HT_OK)
        fail_msg("%s", err.message);
    json_decref(defs);
    fx_put_json(fx.st, "notes",
                "[{\"id\":\"31\",\"properties\":{\"hs_note_body\":\"<p>Call <b>Ann</b> &amp; Bob</p>"
                "<p>about the   renewal</p>\"},\"createdAt\":\"2024-01-01T00:00:00Z\","
                "\"updatedAt\":\"2024-01-01T00:00:00Z\"},"
                "{\"id\":\"32\",\"properties\":{\"hs_note_body\":\"2 < 3, plain\"},"
                "\"createdAt\":\"2024-01-01T00:00:00Z\",\"updatedAt\":\"2024-01-01T00:00:00Z\"}]");
    char *name = records_display_name(fx.st, "notes", "31");
    assert_string_equal(name, "Call Ann & Bob about the renewal");
    free(name);
    record *r;
    assert_int_equal(records_get(fx.st, "notes", "31", &r, &err), HT_OK);
    assert_string_equal(r->display_name, "Call Ann & Bob about the renewal");
    /* The value itself is kept as HubSpot sent it. */
    assert_string_equal(record_get(r, "hs_note_body"),
                        "<p>Call <b>Ann</b> &amp; Bob</p><p>about the   renewal</p>");
    record_free(r);
    name = records_display_name(fx.st, "notes", "32");
    assert_string_equal(name, "2");   /* an unclosed '<' ends the text, as in a browser */
    free(name);
}

static void test_search_index_follows(void **state)
{
    char *a = fx_record_json("501", "firstname", "Zanzibar", "lastname", "Quux", "email",
                             "zq@example.org", NULL);
    char *json = xasprintf("[%s]", a);
    fx_put_json(fx.st, "contacts", json);
    assert_int_equal(count_matches("contacts", "zanzi"), 1);
    assert_int_equal(count_matches("contacts", "quux zanzibar"), 1);
    assert_int_equal(count_matches("contacts", "example.org"), 1);
    free(a);
    free(json);
    a = fx_record_json("501", "firstname", "Yolanda", NULL);
    json = xasprintf("[%s]", a);
    fx_put_json(fx.st, "contacts", json);
    assert_int_equal(count_matches("contacts", "zanzibar"), 0);
    assert_int_equal(count_matches("contacts", "yolanda quux"), 1);
    free(a);
    free(json);
    /* A local edit moves the index too. */
    ht_error err;
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "501", "lastname", "Xerxes", 0,
                                           NULL, &err), HT_OK);
    assert_int_equal(count_matches("contacts", "quux"), 0);
    assert_int_equal(count_matches("contacts", "xerx"), 1);
    size_t undone;
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(count_matches("contacts", "quux"), 1);
    assert_int_equal(count_matches("contacts", "xerx"), 0);
}

/* A bulk load defers the search index and builds it in one pass at the end;
 * afterwards it is maintained row by row again (old words leave). */
static void test_bulk_mode_index(void **state)
{
    ht_error err;
    assert_true(records_search_ready(fx.st, "contacts"));
    assert_int_equal(records_begin_bulk(fx.st, "contacts", &err), HT_OK);
    assert_false(records_search_ready(fx.st, "contacts"));
    fx_put_json(fx.st, "contacts", "[{\"id\":\"551\",\"properties\":{\"firstname\":\"Quentin\","
                "\"email\":\"q@bulk.example\"}},{\"id\":\"552\",\"properties\":{\"lastname\":\"Quentin\"}}]");
    assert_int_equal(count_matches("contacts", "quentin"), 0);
    /* Edits and deletes during the bulk load must not corrupt the index. */
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "552", "lastname", "Quirrell", 0,
                                           NULL, &err), HT_OK);
    int64_t ms;
    assert_int_equal(records_end_bulk(fx.st, "contacts", &ms, &err), HT_OK);
    assert_true(records_search_ready(fx.st, "contacts"));
    assert_int_equal(count_matches("contacts", "quentin"), 1);
    assert_int_equal(count_matches("contacts", "quirrell"), 1);
    assert_int_equal(count_matches("contacts", "bulk"), 1);
    assert_int_equal(count_matches("contacts", "zanzibar"), 0);
    assert_int_equal(count_matches("contacts", "yolanda"), 1);   /* earlier rows rebuilt too */
    fx_put_json(fx.st, "contacts", "[{\"id\":\"551\",\"properties\":{\"firstname\":\"Rupert\"}}]");
    assert_int_equal(count_matches("contacts", "quentin"), 0);
    assert_int_equal(count_matches("contacts", "rupert bulk"), 1);
    size_t undone;
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(count_matches("contacts", "quirrell"), 0);
    assert_int_equal(count_matches("contacts", "quentin"), 1);
}

static void test_archive_and_sweep(void **state)
{
    ht_error err;
    int64_t before = object_count("contacts");
    fx_put_json(fx.st, "contacts", "[{\"id\":\"601\",\"properties\":{\"firstname\":\"Arch\"},"
                "\"archived\":true}]");
    record *r;
    assert_int_equal(records_get(fx.st, "contacts", "601", &r, &err), HT_NOT_FOUND);
    assert_int_equal(object_count("contacts"), before);
    assert_int_equal(count_matches("contacts", "arch"), 0);
    fx_put_json(fx.st, "contacts", "[{\"id\":\"601\",\"properties\":{\"firstname\":\"Arch\"},"
                "\"archived\":false}]");
    assert_int_equal(object_count("contacts"), before + 1);
    assert_int_equal(count_matches("contacts", "arch"), 1);
    const char *ids[] = {"601"};
    assert_int_equal(records_archive(fx.st, "contacts", ids, 1, &err), HT_OK);
    assert_int_equal(object_count("contacts"), before);
    assert_int_equal(count_matches("contacts", "arch"), 0);

    /* A full pass stamped 7 sees two deals; the third disappears. */
    fx_put_json(fx.st, "deals", "[{\"id\":\"1\",\"properties\":{\"dealname\":\"A\"}},"
                "{\"id\":\"2\",\"properties\":{\"dealname\":\"B\"}},"
                "{\"id\":\"3\",\"properties\":{\"dealname\":\"C\"}}]");
    char local[32];
    const char *p[] = {"dealname"}, *v[] = {"Local"};
    assert_int_equal(outbox_enqueue_create(fx.st, "deals", p, v, 1, 0, local, &err), HT_OK);
    json_t *page = json_loads("[{\"id\":\"1\",\"properties\":{}},{\"id\":\"2\",\"properties\":{}}]",
                              0, NULL);
    record_writer *w = records_writer_open(fx.st, "deals", &err);
    assert_int_equal(records_writer_put_json(w, page, NULL, 0, 7, NULL, &err), HT_OK);
    records_writer_close(w);
    json_decref(page);
    size_t swept;
    assert_int_equal(records_sweep_unseen(fx.st, "deals", 7, &swept, &err), HT_OK);
    assert_int_equal(swept, 1);
    assert_int_equal(records_get(fx.st, "deals", "3", &r, &err), HT_NOT_FOUND);
    assert_int_equal(records_get(fx.st, "deals", "1", &r, &err), HT_OK);
    record_free(r);
    assert_int_equal(records_get(fx.st, "deals", local, &r, &err), HT_OK);
    assert_string_equal(r->display_name, "Local");
    assert_true(r->local);
    record_free(r);
    assert_int_equal(object_count("deals"), 3);
}

static const assoc_group *group_of(const assoc_group *g, size_t n, const char *object,
                                   const char *label) __attribute__((returns_nonnull));

static const assoc_group *group_of(const assoc_group *g, size_t n, const char *object,
                                   const char *label)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(g[i].to_object, object) == 0 && str_cmp0(g[i].label, label) == 0)
            return &g[i];
    fail_msg("no association group %s/%s", object, label ? label : "(unlabeled)");
    abort();
}

static void test_associations(void **state)
{
    ht_error err;
    fx_put_json(fx.st, "contacts", "[{\"id\":\"701\",\"properties\":{\"firstname\":\"Ann\",\"lastname\":\"Lee\"}},"
                "{\"id\":\"702\",\"properties\":{\"email\":\"bo@x.io\"}},"
                "{\"id\":\"703\",\"properties\":{}}]");
    fx_put_json(fx.st, "companies", "[{\"id\":\"801\",\"properties\":{\"name\":\"Acme\"}},"
                "{\"id\":\"802\",\"properties\":{\"name\":\"Globex\"}}]");
    fx_put_json(fx.st, "deals", "[{\"id\":\"901\",\"properties\":{\"dealname\":\"Big deal\"}}]");
    /* v4 batch read shapes: numeric and string ids, labelled and unlabeled. */
    json_t *res = json_loads(
        "[{\"from\":{\"id\":\"701\"},\"to\":[{\"toObjectId\":801,\"associationTypes\":["
        "{\"category\":\"HUBSPOT_DEFINED\",\"typeId\":1,\"label\":\"Primary\"},"
        "{\"category\":\"HUBSPOT_DEFINED\",\"typeId\":279,\"label\":null}]},"
        "{\"toObjectId\":\"802\",\"associationTypes\":[{\"category\":\"HUBSPOT_DEFINED\",\"typeId\":279,\"label\":null}]}]}]",
        0, NULL);
    assert_int_equal(records_put_associations_json(fx.st, "contacts", "companies", res, true,
                                                   &err), HT_OK);
    json_decref(res);
    assoc_link link = {"901", 4, "HUBSPOT_DEFINED", NULL};
    assert_int_equal(records_set_associations(fx.st, "contacts", "701", "deals", &link, 1,
                                              true, &err), HT_OK);
    /* Known only from the company's side. */
    assoc_link back = {"702", 280, "HUBSPOT_DEFINED", NULL};
    assert_int_equal(records_set_associations(fx.st, "companies", "801", "contacts", &back, 1,
                                              true, &err), HT_OK);

    assoc_group *g;
    size_t n;
    assert_int_equal(records_associations(fx.st, "contacts", "701", &g, &n, &err), HT_OK);
    assert_int_equal(n, 3);
    const assoc_group *prim = group_of(g, n, "companies", "Primary");
    assert_non_null(prim);
    assert_int_equal(prim->nitems, 1);
    assert_string_equal(prim->items[0].id, "801");
    assert_string_equal(prim->items[0].display_name, "Acme");
    assert_string_equal(prim->to_label, "Companies");
    const assoc_group *unl = group_of(g, n, "companies", NULL);
    assert_non_null(unl);
    assert_int_equal(unl->nitems, 1);                 /* 801's unlabeled twin dropped */
    assert_string_equal(unl->items[0].display_name, "Globex");
    const assoc_group *deals = group_of(g, n, "deals", NULL);
    assert_non_null(deals);
    assert_string_equal(deals->items[0].display_name, "Big deal");
    assoc_groups_free(g, n);

    /* From the company: its own row to 702 plus 701 seen from the contact side. */
    assert_int_equal(records_associations(fx.st, "companies", "801", &g, &n, &err), HT_OK);
    const assoc_group *c = group_of(g, n, "contacts", NULL);
    assert_non_null(c);
    assert_int_equal(c->nitems, 1);
    assert_string_equal(c->items[0].display_name, "bo@x.io");
    const assoc_group *cp = group_of(g, n, "contacts", "Primary");
    assert_non_null(cp);
    assert_string_equal(cp->items[0].display_name, "Ann Lee");
    assoc_groups_free(g, n);

    /* Queued changes show as pending; an add and a remove cancel out. */
    int64_t qid;
    outbox_counts oc0;
    assert_int_equal(outbox_counts_get(fx.st, &oc0, &err), HT_OK);
    assert_int_equal(outbox_enqueue_assoc(fx.st, true, "contacts", "701", "companies", "803",
                                          279, "HUBSPOT_DEFINED", NULL, 0, &qid, &err), HT_OK);
    assert_int_equal(outbox_enqueue_assoc(fx.st, false, "contacts", "701", "deals", "901", 0,
                                          NULL, NULL, 0, &qid, &err), HT_OK);
    assert_int_equal(records_associations(fx.st, "contacts", "701", &g, &n, &err), HT_OK);
    unl = group_of(g, n, "companies", NULL);
    assert_int_equal(unl->nitems, 2);
    bool saw_add = false;
    for (size_t i = 0; i < unl->nitems; i++)
        if (strcmp(unl->items[i].id, "803") == 0) {
            saw_add = true;
            assert_int_equal(unl->items[i].pending, ASSOC_PENDING_ADD);
            assert_false(unl->items[i].cached);
            assert_string_equal(unl->items[i].display_name, "#803");
        }
    assert_true(saw_add);
    deals = group_of(g, n, "deals", NULL);
    assert_int_equal(deals->items[0].pending, ASSOC_PENDING_REMOVE);
    assoc_groups_free(g, n);
    assert_int_equal(outbox_enqueue_assoc(fx.st, true, "contacts", "701", "deals", "901", 0,
                                          NULL, NULL, 0, &qid, &err), HT_OK);
    assert_int_equal(qid, 0);
    outbox_counts oc;
    assert_int_equal(outbox_counts_get(fx.st, &oc, &err), HT_OK);
    assert_int_equal(oc.pending, oc0.pending + 1);
    /* Display names. */
    char *name = records_display_name(fx.st, "contacts", "703");
    assert_string_equal(name, "#703");
    free(name);
}

static void test_metadata(void **state)
{
    ht_error err;
    const objmeta *m = meta_object(fx.st, "Contacts", &err);
    assert_non_null(m);
    assert_string_equal(m->name, "contacts");
    const prop_def *p = objmeta_prop(m, "lifecyclestage");
    assert_non_null(p);
    assert_int_equal(p->type, PROP_ENUM);
    assert_string_equal(p->label, "Lifecycle Stage");
    assert_int_equal(p->noptions, 6);
    assert_string_equal(p->options[0].value, "subscriber");
    assert_string_equal(p->options[5].label, "Customer");
    assert_true(p->read_only_definition);
    assert_false(p->read_only_value);
    assert_string_equal(prop_find_option(p, "marketing qualified lead")->value,
                        "marketingqualifiedlead");
    assert_true(objmeta_prop(m, "interests")->multi);
    assert_true(objmeta_prop(m, "createdate")->read_only_value);
    assert_true(objmeta_prop(m, "hs_score")->calculated);
    assert_true(prop_is_owner(objmeta_prop(m, "hubspot_owner_id")));
    assert_int_equal(objmeta_prop(m, "mobilephone")->type, PROP_PHONE);
    assert_int_equal(m->ngroups, 2);
    assert_string_equal(m->groups[0].name, "contactinformation");
    assert_string_equal(m->lastmod_prop, "lastmodifieddate");
    objmeta_release(m);

    m = meta_object(fx.st, "0-3", &err);
    assert_non_null(m);
    assert_string_equal(m->stage_prop, "dealstage");
    assert_int_equal(m->npipelines, 2);
    const pipeline *pl = objmeta_pipeline(m, "default");
    assert_int_equal(pl->nstages, 5);
    assert_string_equal(pl->stages[3].id, "closedwon");
    assert_true(pl->stages[3].is_closed);
    assert_true(pl->stages[1].probability > 0.39 && pl->stages[1].probability < 0.41);
    assert_ptr_equal(objmeta_pipeline_of_stage(m, "ent_won"), objmeta_pipeline(m, "enterprise"));
    objmeta_release(m);
    assert_null(meta_object(fx.st, "nosuch", &err));
    assert_int_equal(err.status, HT_NOT_FOUND);

    owner o;
    assert_int_equal(meta_owner_find(fx.st, "ANA@example.com", &o, &err), HT_OK);
    assert_string_equal(o.id, "102");
    owner_clear(&o);
    assert_int_equal(meta_owner_find(fx.st, "ana diaz", &o, &err), HT_OK);
    assert_string_equal(o.id, "102");
    owner_clear(&o);
    assert_int_equal(meta_owner_find(fx.st, "Sam Lee", &o, &err), HT_INVALID);
    assert_non_null(strstr(err.message, "101 (sam@example.com)"));
    assert_non_null(strstr(err.message, "103"));
    assert_int_equal(meta_owner_find(fx.st, "nobody", &o, &err), HT_NOT_FOUND);
    char *label = meta_owner_label(fx.st, "101");
    assert_string_equal(label, "Sam Lee");
    free(label);
    owner *all;
    size_t n;
    assert_int_equal(meta_owners(fx.st, &all, &n, &err), HT_OK);
    assert_int_equal(n, 3);
    assert_string_equal(all[0].first_name, "Ana");
    owner_free_all(all, n);

    account_info a;
    assert_int_equal(meta_account(fx.st, &a, &err), HT_OK);
    assert_int_equal(a.portal_id, 4242);
    assert_string_equal(a.time_zone, "Europe/Paris");
    assert_string_equal(a.currency, "EUR");
    account_info_clear(&a);
}

static void test_custom_schema(void **state)
{
    ht_error err;
    json_t *sc = json_loads(
        "[{\"id\":\"12\",\"objectTypeId\":\"2-3453127\",\"fullyQualifiedName\":\"p4242_car\","
        "\"name\":\"car\",\"labels\":{\"singular\":\"Car\",\"plural\":\"Cars\"},"
        "\"primaryDisplayProperty\":\"model\",\"secondaryDisplayProperties\":[\"vin\"],"
        "\"archived\":false,\"properties\":["
        "{\"name\":\"model\",\"label\":\"Model\",\"type\":\"string\",\"fieldType\":\"text\"},"
        "{\"name\":\"vin\",\"label\":\"VIN\",\"type\":\"string\",\"fieldType\":\"text\",\"hasUniqueValue\":true},"
        "{\"name\":\"year\",\"label\":\"Year\",\"type\":\"number\",\"fieldType\":\"number\"}]},"
        "{\"objectTypeId\":\"2-99\",\"name\":\"contacts\",\"fullyQualifiedName\":\"p4242_contacts\","
        "\"labels\":{\"singular\":\"Thing\",\"plural\":\"Things\"},\"primaryDisplayProperty\":\"x\"}]",
        0, NULL);
    assert_int_equal(meta_store_schemas(fx.st, sc, &err), HT_OK);
    json_decref(sc);
    const char *names[] = {"car", "p4242_car", "2-3453127", "Cars", "car"};
    for (size_t i = 0; i < 5; i++) {
        const objmeta *m = meta_object(fx.st, names[i], &err);
        assert_non_null(m);
        assert_string_equal(m->type_id, "2-3453127");
        assert_true(m->custom);
        assert_true(objmeta_prop(m, "vin")->has_unique_value);
        objmeta_release(m);
    }
    /* A clashing name is known by its fully qualified name. */
    const objmeta *m = meta_object(fx.st, "p4242_contacts", &err);
    assert_non_null(m);
    assert_string_equal(m->name, "p4242_contacts");
    objmeta_release(m);
    m = meta_object(fx.st, "contacts", &err);
    assert_string_equal(m->type_id, "0-1");
    objmeta_release(m);
    fx_put_json(fx.st, "car", "[{\"id\":\"5\",\"properties\":{\"model\":\"Roadster\",\"vin\":\"V123\",\"year\":\"2020\"}}]");
    record *r;
    assert_int_equal(records_get(fx.st, "Cars", "5", &r, &err), HT_OK);
    assert_string_equal(r->display_name, "Roadster");
    assert_string_equal(r->object, "car");
    record_free(r);
    assert_int_equal(count_matches("car", "v123"), 1);
    assert_int_equal(count_matches("car", "year >= 2020"), 1);
    assert_int_equal(object_count("car"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bulk_roundtrip),
        cmocka_unit_test(test_json_pages),
        cmocka_unit_test(test_html_display_name_is_plain),
        cmocka_unit_test(test_search_index_follows),
        cmocka_unit_test(test_bulk_mode_index),
        cmocka_unit_test(test_archive_and_sweep),
        cmocka_unit_test(test_associations),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_custom_schema),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
