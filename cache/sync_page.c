/* sync_page.c — see sync_page.h. */
#include "sync_page.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- the reader: property names to columns -------------------------------------- */

struct page_reader {
    char   **props;
    size_t   nprops;
    ssize_t  lastmod_col;
    ssize_t  merged_col;
};

static ssize_t reader_find(const page_reader *r, const char *name)
{
    for (size_t i = 0; i < r->nprops; i++)
        if (strcmp(r->props[i], name) == 0)
            return (ssize_t)i;
    return -1;
}

page_reader *page_reader_new(const char *const *props, size_t nprops, const char *lastmod)
{
    page_reader *r = xcalloc(1, sizeof *r);
    r->props = xcalloc(nprops + 1, sizeof *r->props);
    for (size_t k = 0; k < nprops; k++) {
        if (reader_find(r, props[k]) >= 0)
            continue;   /* a name twice: the first column serves */
        r->props[r->nprops++] = xstrdup(props[k]);
    }
    r->lastmod_col = lastmod ? reader_find(r, lastmod) : -1;
    r->merged_col = reader_find(r, "hs_merged_object_ids");
    return r;
}

void page_reader_free(page_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nprops; i++)
        free(r->props[i]);
    free(r->props);
    free(r);
}

/* ---- one page ---------------------------------------------------------------------- */

/* Text for a value that is not a JSON string (HubSpot sends every property
 * as a string, but a number, boolean or nested value must not be lost):
 * jansson's own compact encoding, kept until the next page. */
static const char *as_text(record_page *pg, const json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (!v || json_is_null(v))
        return NULL;
    if (pg->nowned == pg->cap_owned) {
        pg->cap_owned = pg->cap_owned ? pg->cap_owned * 2 : 16;
        pg->owned = xrealloc(pg->owned, pg->cap_owned * sizeof *pg->owned);
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    return pg->owned[pg->nowned++] = text ? text : xstrdup("");
}

static int64_t time_of(const json_t *v)
{
    int64_t t;
    return json_is_string(v) && time_parse(json_string_value(v), &t) ? t : 0;
}

static void grow_records(record_page *pg, size_t need, size_t nprops)
{
    if (need <= pg->cap_records)
        return;
    size_t cap = pg->cap_records ? pg->cap_records * 2 : 128;
    while (cap < need)
        cap *= 2;
    pg->ids = xrealloc(pg->ids, cap * sizeof *pg->ids);
    pg->values = xrealloc(pg->values, (cap * nprops + 1) * sizeof *pg->values);
    pg->created = xrealloc(pg->created, cap * sizeof *pg->created);
    pg->updated = xrealloc(pg->updated, cap * sizeof *pg->updated);
    pg->archived = xrealloc(pg->archived, cap * sizeof *pg->archived);
    pg->merged = xrealloc(pg->merged, cap * sizeof *pg->merged);
    pg->cap_records = cap;
}

/* One element of results into row `row`; NULL on success, else why not. */
static const char *one_record(page_reader *r, record_page *pg, size_t row, const json_t *rec)
{
    if (!json_is_object(rec))
        return "a result that is not an object";
    const json_t *id = json_object_get(rec, "id");
    if (!json_is_string(id) && !json_is_integer(id))
        return "a record without an id";
    const json_t *props = json_object_get(rec, "properties");
    if (props && !json_is_object(props) && !json_is_null(props))
        return "a record whose properties are not an object";
    pg->ids[row] = as_text(pg, id);
    const char **vals = &pg->values[row * r->nprops];
    /* Look up only what the walk asked for; the rest of a record is skipped. */
    for (size_t c = 0; c < r->nprops; c++)
        vals[c] = json_is_object(props) ? as_text(pg, json_object_get(props, r->props[c])) : NULL;
    pg->created[row] = time_of(json_object_get(rec, "createdAt"));
    pg->updated[row] = time_of(json_object_get(rec, "updatedAt"));
    pg->archived[row] = json_is_true(json_object_get(rec, "archived"));
    return NULL;
}

void record_page_release(record_page *pg)
{
    for (size_t i = 0; i < pg->nowned; i++)
        free(pg->owned[i]);
    pg->nowned = 0;
    json_decref(pg->doc);
    pg->doc = NULL;
    memset(&pg->batch, 0, sizeof pg->batch);
    pg->next_after = NULL;
    pg->max_lastmod = 0;
}

static void finish_page(page_reader *r, record_page *pg)
{
    record_batch *b = &pg->batch;
    b->props = (const char *const *)r->props;
    b->nprops = r->nprops;
    b->ids = pg->ids;
    b->values = pg->values;
    b->created_ms = pg->created;
    b->updated_ms = pg->updated;
    b->archived = pg->archived;
    for (size_t row = 0; row < b->nrecords; row++) {
        int64_t v = pg->updated[row];
        const char *lm = r->lastmod_col >= 0 ? pg->values[row * r->nprops +
                                                          (size_t)r->lastmod_col] : NULL;
        int64_t t;
        if (lm && time_parse(lm, &t))
            v = t;
        if (v > pg->max_lastmod)
            pg->max_lastmod = v;
        pg->merged[row] = r->merged_col >= 0 ? pg->values[row * r->nprops +
                                                          (size_t)r->merged_col] : NULL;
    }
}

ht_status page_read(page_reader *r, json_t *doc, record_page *pg, ht_error *err)
{
    record_page_release(pg);
    pg->doc = json_incref(doc);
    const char *why = NULL;
    const json_t *results = json_object_get(pg->doc, "results");
    if (!json_is_object(pg->doc))
        why = "the page is not an object";
    else if (results && !json_is_array(results))
        why = "results is not an array";
    size_t n = json_array_size(results);
    grow_records(pg, n ? n : 1, r->nprops);
    for (size_t i = 0; !why && i < n; i++)
        why = one_record(r, pg, i, json_array_get(results, i));
    if (why) {
        record_page_release(pg);
        return ht_error_set(err, HT_PARSE, "HubSpot sent a malformed page: %s", why);
    }
    pg->batch.nrecords = n;
    const json_t *after = json_object_get(json_object_get(json_object_get(pg->doc, "paging"),
                                                          "next"), "after");
    if (json_is_string(after) && *json_string_value(after))
        pg->next_after = json_string_value(after);
    finish_page(r, pg);
    return HT_OK;
}

void record_page_clear(record_page *pg)
{
    record_page_release(pg);
    free(pg->owned);
    free(pg->ids);
    free(pg->values);
    free(pg->created);
    free(pg->updated);
    free(pg->archived);
    free(pg->merged);
    memset(pg, 0, sizeof *pg);
}
