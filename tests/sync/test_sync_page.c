/* The page reader: every JSON escape and value shape lands in the right
 * column, pages of real fakehub answers (unparsed, through the client) lay
 * out exactly what jansson reads in them, and malformed JSON or a page of
 * the wrong shape is refused with nothing left behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "hubspot.h"
#include "sync_page.h"
#include "synctest.h"
#include "util.h"
#include "walk.h"

static const char *const props3[] = {"firstname", "lastname", "lastmodifieddate"};

static ht_status read_text(page_reader *r, const char *text, record_page *pg, ht_error *err)
{
    return page_read(r, text, text ? strlen(text) : 0, pg, err);
}

static void test_values_and_shapes(void **state)
{
    page_reader *r = page_reader_new(props3, 3, "lastmodifieddate");
    record_page pg = {0};
    const char *doc = (
        "{\"results\":[{\"id\":\"7\",\"properties\":{\"firstname\":\"A\\\"n\\\\n\\/\\b\\f\\n\\r\\t\","
        "\"lastname\":\"\\u00e9\\u6771\\ud83d\\ude00 Z\u00f6\",\"extra\":{\"x\":[1,2,\"\\u0041\"]},"
        "\"lastmodifieddate\":\"2024-05-02T10:11:12Z\"},\"createdAt\":\"2024-05-01T09:00:00.120Z\","
        "\"updatedAt\":\"2024-05-02T10:11:12Z\",\"archived\":false,\"associations\":{\"companies\":"
        "{\"results\":[{\"id\":\"9\",\"type\":\"x\"}]}}},"
        " {\"id\":8,\"properties\":{\"firstname\":null,\"lastname\":12.5e3},\"archived\":true} ],"
        "\"paging\":{\"next\":{\"after\":\"MTAw\",\"link\":\"http://x/?a=1\"}},\"total\":2}");
    ht_error err;
    assert_int_equal(read_text(r, doc, &pg, &err), HT_OK);
    assert_int_equal(pg.batch.nrecords, 2);
    assert_int_equal(pg.batch.nprops, 3);
    assert_string_equal(pg.batch.ids[0], "7");
    assert_string_equal(pg.batch.ids[1], "8");    /* a numeric id, as text */
    assert_string_equal(pg.batch.values[0], "A\"n\\n/\b\f\n\r\t");
    assert_string_equal(pg.batch.values[1], "é東😀 Zö");
    assert_null(pg.batch.values[3]);            /* null */
    assert_string_equal(pg.batch.values[4], "12500");   /* a number, kept as text */
    assert_null(pg.batch.values[5]);            /* absent: empty */
    assert_false(pg.batch.archived[0]);
    assert_true(pg.batch.archived[1]);
    assert_int_equal(pg.batch.created_ms[0], 1714554000120LL);
    assert_int_equal(pg.max_lastmod, 1714644672000LL);
    assert_string_equal(pg.next_after, "MTAw");
    /* The last page has no paging; the storage is reused. */
    assert_int_equal(read_text(r, " {\"results\":[]}\r\n", &pg, &err), HT_OK);
    assert_int_equal(pg.batch.nrecords, 0);
    assert_null(pg.next_after);
    record_page_clear(&pg);
    page_reader_free(r);
}

static void test_wrong_shapes_are_refused(void **state)
{
    static const char *const bad[] = {
        "[]", "\"results\"", "{\"results\":{}}", "{\"results\":[7]}",
        "{\"results\":[{\"properties\":{}}]}",
        "{\"results\":[{\"id\":{\"x\":1},\"properties\":{}}]}",
        "{\"results\":[{\"id\":\"1\",\"properties\":[]}]}",
        "{\"results\":[{\"id\":\"1\"},{\"id\":null}],\"paging\":{\"next\":{\"after\":\"2\"}}}",
        /* not JSON at all: cut short, unquoted, trailing text, bad escapes */
        "", "{\"results\":[{\"id\":\"1\",\"properties\":{\"firstname\":\"Ev",
        "{\"results\":[{\"id\":\"1\"}],\"paging\":{\"next\":{\"after\":\"2\"}}",
        "{results:[]}", "{\"results\":[]} {}", "{\"results\":[{\"id\":\"1\\x\"}]}",
        "{\"results\":[{\"id\":\"1\",}]}",
        /* not UTF-8: a broken sequence, an overlong one, an encoded surrogate */
        "{\"results\":[{\"id\":\"1\",\"properties\":{\"firstname\":\"\xC3\x28\"}}]}",
        "{\"results\":[{\"id\":\"1\",\"properties\":{\"firstname\":\"\xC0\xAF\"}}]}",
        "{\"results\":[{\"id\":\"1\",\"properties\":{\"firstname\":\"\xED\xA0\x80\"}}]}",
    };
    page_reader *r = page_reader_new(props3, 3, NULL);
    record_page pg = {0};
    ht_error err;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        if (read_text(r, bad[i], &pg, &err) != HT_PARSE)
            fail_msg("accepted a page of the wrong shape %zu: %s", i, bad[i]);
        assert_non_null(strstr(err.message, "malformed"));
        /* Nothing half-read is left for the writer. */
        assert_int_equal(pg.batch.nrecords, 0);
        assert_null(pg.next_after);
        assert_null(pg.doc);
    }
    /* No answer at all (an empty body) is refused too. */
    assert_int_equal(read_text(r, NULL, &pg, &err), HT_PARSE);
    /* Only the given length counts: a valid prefix of a longer buffer. */
    const char *longer = "{\"results\":[]}garbage";
    assert_int_equal(page_read(r, longer, strlen("{\"results\":[]}"), &pg, &err), HT_OK);
    assert_int_equal(page_read(r, longer, strlen("{\"results\":[]}g"), &pg, &err), HT_PARSE);
    /* A good page after refused ones reads whole. */
    assert_int_equal(read_text(r, "{\"results\":[{\"id\":\"5\",\"properties\":{\"firstname\":\"Eve\"}}]}",
                               &pg, &err), HT_OK);
    assert_int_equal(pg.batch.nrecords, 1);
    assert_string_equal(pg.batch.values[0], "Eve");
    record_page_clear(&pg);
    page_reader_free(r);
}

/* One page of huge values does not pin its memory: the next ordinary
 * pages shrink the page's block back. */
static void test_huge_page_memory_returns(void **state)
{
    page_reader *r = page_reader_new(props3, 3, NULL);
    record_page pg = {0};
    ht_error err;
    size_t big = 3u << 20;
    char *huge = xmalloc(big + 100);
    int n = snprintf(huge, 100, "{\"results\":[{\"id\":\"1\",\"properties\":{\"firstname\":\"");
    memset(huge + n, 'a', big);
    strcpy(huge + n + big, "\"}}]}");
    assert_int_equal(read_text(r, huge, &pg, &err), HT_OK);
    assert_int_equal(strlen(pg.batch.values[0]), big);
    free(huge);
    const char *small = "{\"results\":[{\"id\":\"2\",\"properties\":{\"firstname\":\"Eve\"}}]}";
    for (int i = 0; i < 3; i++) {
        assert_int_equal(read_text(r, small, &pg, &err), HT_OK);
        assert_string_equal(pg.batch.values[0], "Eve");
    }
    assert_true(pg.block_size < (1u << 20));
    record_page_clear(&pg);
    page_reader_free(r);
}

/* The cursor read from the end of a page alone: only when paging is
 * plainly the last member of the outermost object. */
static void test_peek_next(void **state)
{
    static const struct { const char *body; const char *want; } cases[] = {
        {"{\"results\":[],\"paging\":{\"next\":{\"after\":\"200\",\"link\":\"x\"}}}", "200"},
        {"{\"results\":[] , \"paging\" : {\"next\":{\"after\":\"7\"}} }\r\n", "7"},
        /* a record with a property named paging, before the real one */
        {"{\"results\":[{\"id\":\"1\",\"properties\":{\"paging\":\"x\"}}],"
         "\"paging\":{\"next\":{\"after\":\"2\"}}}", "2"},
        /* the last page: no paging at all */
        {"{\"results\":[{\"id\":\"1\",\"properties\":{}}]}", NULL},
        /* paging, but not last */
        {"{\"paging\":{\"next\":{\"after\":\"2\"}},\"results\":[]}", NULL},
        /* paging nested in something else */
        {"{\"results\":[],\"x\":{\"paging\":{\"next\":{\"after\":\"2\"}}}}", NULL},
        {"{\"results\":[{\"paging\":{\"next\":{\"after\":\"2\"}}}]}", NULL},
        /* "paging" as a value, and inside a string */
        {"{\"results\":[],\"k\":\"paging\"}", NULL},
        {"{\"results\":[],\"k\":\"a \\\"paging\\\": {}\"}", NULL},
        /* cut short, or no cursor in it */
        {"{\"results\":[],\"paging\":{\"next\":{\"after\":\"2\"}}", NULL},
        {"{\"results\":[],\"paging\":{\"next\":{\"after\":\"2", NULL},
        {"{\"results\":[],\"paging\":{\"next\":{}}}", NULL},
        {"{\"results\":[],\"paging\":{\"next\":{\"after\":\"\"}}}", NULL},
        {"{\"results\":[],\"paging\":{\"next\":{\"after\":2}}}", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *after = (char *)"untouched";
        bool told = page_peek_next(cases[i].body, strlen(cases[i].body), &after);
        if (cases[i].want) {
            if (!told)
                fail_msg("case %zu: no cursor from %s", i, cases[i].body);
            assert_string_equal(after, cases[i].want);
        } else if (told) {
            fail_msg("case %zu: a cursor '%s' from %s", i, after, cases[i].body);
        } else {
            assert_null(after);
        }
        free(after);
    }
    assert_false(page_peek_next(NULL, 0, &(char *){NULL}));
}

/* ---- real pages through the client ---------------------------------------------------- */

typedef struct page_answer {
    bool    done;
    char   *raw;
    size_t  len;
} page_answer;

static void on_page(void *ud, const hs_result *r)
{
    page_answer *a = ud;
    a->done = true;
    assert_int_equal(r->status, HT_OK);
    assert_null(r->body);   /* HS_REQ_RAW: handed over unparsed */
    assert_non_null(r->raw);
    a->raw = xmalloc(r->raw_len + 1);
    memcpy(a->raw, r->raw, r->raw_len);
    a->raw[r->raw_len] = '\0';
    a->len = r->raw_len;
}

/* Every column of the batch holds what the answer says of that property. */
static void compare_with_answer(json_t *page, const record_page *pg, const char *const *props,
                                size_t nprops)
{
    json_t *res = json_object_get(page, "results");
    assert_int_equal(json_array_size(res), pg->batch.nrecords);
    for (size_t i = 0; i < pg->batch.nrecords; i++) {
        json_t *rec = json_array_get(res, i);
        assert_string_equal(json_string_value(json_object_get(rec, "id")), pg->batch.ids[i]);
        for (size_t k = 0; k < nprops; k++) {
            const char *want = hs_record_prop(rec, props[k]);
            const char *have = pg->batch.values[i * pg->batch.nprops + k];
            if (!want)
                assert_null(have);
            else
                assert_string_equal(have, want);
        }
    }
    const char *next = hs_next_after(page);
    if (next)
        assert_string_equal(pg->next_after, next);
    else
        assert_null(pg->next_after);
}

/* A real page cut short anywhere is refused (a cut answer is never a
 * page), and with bytes changed it is read or refused — never a crash or a
 * read outside the text (the sanitizers watch); the cursor read from its
 * end is either absent or the page's own. */
static void damaged_pages_are_refused(page_reader *r, const char *body, size_t len)
{
    record_page pg = {0};
    ht_error err;
    char *whole_after = NULL;
    assert_true(page_peek_next(body, len, &whole_after));
    char *copy = xmalloc(len);
    for (size_t k = 0; k < 400; k++) {
        size_t cut = k < 200 ? len - 1 - k : (len - 1) * (k - 200) / 200;
        memcpy(copy, body, cut);   /* exactly cut bytes: nothing readable past them */
        if (page_read(r, copy, cut, &pg, &err) != HT_PARSE)
            fail_msg("a page cut to %zu of %zu bytes was accepted", cut, len);
        char *after = NULL;
        if (page_peek_next(copy, cut, &after))
            fail_msg("a cursor '%s' from a page cut to %zu bytes", after, cut);
    }
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int k = 0; k < 400; k++) {
        memcpy(copy, body, len);
        for (int flips = 0; flips < 1 + k % 3; flips++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            copy[(seed >> 33) % len] = (char)(seed >> 13);
        }
        ht_status st = page_read(r, copy, len, &pg, &err);
        assert_true(st == HT_OK || st == HT_PARSE);
        char *after = NULL;
        if (page_peek_next(copy, len, &after))
            assert_non_null(after);
        free(after);
    }
    free(copy);
    free(whole_after);
    record_page_clear(&pg);
}

static void test_real_pages_match_the_client(void **state)
{
    static const char *const args[] = {"--contacts", "400", "--rate-limit", "1000/1000", NULL};
    synctest t;
    st_start(&t, args);
    /* Every contact property, the way a backfill asks. */
    json_t *defs = st_api(&t, "GET", "/crm/v3/properties/contacts", NULL, 0);
    json_t *results = json_object_get(defs, "results");
    size_t n = json_array_size(results);
    const char **props = xcalloc(n + 1, sizeof *props);
    strbuf path = {0};
    strbuf_puts(&path, "/crm/v3/objects/contacts?limit=100&properties=");
    for (size_t i = 0; i < n; i++) {
        props[i] = json_string_value(json_object_get(json_array_get(results, i), "name"));
        strbuf_printf(&path, "%s%s", i ? "," : "", props[i]);
    }
    page_reader *r = page_reader_new(props, n, "lastmodifieddate");
    record_page pg = {0};
    char *after = NULL;
    int pages = 0;
    do {
        char *p = after ? xasprintf("%s&after=%s", strbuf_str(&path), after)
                        : xstrdup(strbuf_str(&path));
        page_answer a = {0};
        hs_request req = {.method = "GET", .path = p, .prio = HS_PRIO_NORMAL,
                          .flags = HS_REQ_RAW};
        hs_call_id id = hs_submit(t.ps->client, &req, on_page, &a);
        hs_client_run(t.ps->client, id);
        assert_true(a.done);
        ht_error err;
        if (pages == 0)
            damaged_pages_are_refused(r, a.raw, a.len);
        assert_int_equal(page_read(r, a.raw, a.len, &pg, &err), HT_OK);
        /* The text goes; what the page read stays valid. */
        memset(a.raw, 'x', a.len);
        free(a.raw);
        json_t *body = st_api(&t, "GET", p, NULL, 0);
        compare_with_answer(body, &pg, props, n);
        free(after);
        after = hs_next_after(body) ? xstrdup(hs_next_after(body)) : NULL;
        json_decref(body);
        free(p);
        pages++;
    } while (after);
    assert_int_equal(pages, 4);
    record_page_clear(&pg);
    page_reader_free(r);
    strbuf_free(&path);
    free(props);
    json_decref(defs);
    st_stop(&t);
}

/* ---- the keyset search walk ------------------------------------------------------------- */

typedef struct moving_walk {
    synctest *t;
    char      ids[200][16];
    size_t    n;
    int       pages;
    bool      done;
    ht_status status;
} moving_walk;

static bool on_moving_page(void *ud, const hs_search_page *page)
{
    moving_walk *mw = ud;
    size_t i;
    json_t *rec;
    const char *first = NULL;
    json_array_foreach(page->results, i, rec) {
        const char *id = json_string_value(json_object_get(rec, "id"));
        if (!first)
            first = id;
        bool seen = false;
        for (size_t k = 0; k < mw->n && !seen; k++)
            seen = strcmp(mw->ids[k], id) == 0;
        if (!seen && mw->n < 200)
            snprintf(mw->ids[mw->n++], sizeof mw->ids[0], "%s", id);
    }
    /* After the first page someone edits a record already seen: it sorts to
     * the end, and everything after it moves up one place. */
    if (mw->pages++ == 0 && first)
        json_decref(st_edit(mw->t, "contacts", first, "{\"jobtitle\":\"Moved\"}"));
    return true;
}

static void on_moving_done(void *ud, const hs_result *r)
{
    moving_walk *mw = ud;
    mw->done = true;
    mw->status = r->status;
}

static size_t walk_while_moving(synctest *t, bool keyset)
{
    static const char *const props[] = {"lastmodifieddate", NULL};
    moving_walk mw = {.t = t};
    hs_search_walk w = {
        .object_type = "contacts", .sort_property = "lastmodifieddate", .start_value = "0",
        .properties = props, .page_size = 10, .keyset = keyset,
    };
    hs_call_id id = hs_walk_search(t->ps->client, HS_PRIO_NORMAL, &w, on_moving_page,
                                   on_moving_done, &mw);
    hs_client_run(t->ps->client, id);
    assert_true(mw.done);
    assert_int_equal(mw.status, HT_OK);
    return mw.n;
}

static void test_keyset_walk_misses_nothing(void **state)
{
    static const char *const args[] = {"--contacts", "60", "--rate-limit", "1000/1000",
                                        "--search-rate", "off", NULL};
    synctest t;
    st_start(&t, args);
    /* Paging by offset loses the record that moved up past the offset... */
    assert_int_equal(walk_while_moving(&t, false), 59);
    /* ...a new window after every page does not. */
    assert_int_equal(walk_while_moving(&t, true), 60);
    st_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_shapes),
        cmocka_unit_test(test_wrong_shapes_are_refused),
        cmocka_unit_test(test_peek_next),
        cmocka_unit_test(test_huge_page_memory_returns),
        cmocka_unit_test(test_real_pages_match_the_client),
        cmocka_unit_test(test_keyset_walk_misses_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
