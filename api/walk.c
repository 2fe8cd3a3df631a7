#include "walk.h"
#include "http.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_CAP       10000   /* HubSpot refuses offsets past this */
#define SEARCH_PAGE_MAX  200

/* Finish an operation: done gets sub's outcome (or st when sub is NULL). */
static void op_report(hs_client *c, hs_call_id id, hs_done_fn done, void *ud,
                      const hs_result *sub, ht_status st, const char *msg)
{
    hs_result r;
    ht_error err;
    ht_error_clear(&err);
    if (sub && st != HT_CANCELLED) {
        r = *sub;
        r.id = id;
        r.body = NULL;
    } else {
        if (st != HT_OK)
            ht_error_set(&err, st, "%s", msg ? msg : ht_status_str(st));
        hs_result_init(&r, id, st, &err);
    }
    hs_op_unregister(c, id);
    done(ud, &r);
}

/* ---- page walks ----------------------------------------------------------- */

typedef struct page_walk {
    hs_client  *c;
    hs_call_id  id;
    hs_priority prio;
    char       *path;
    char       *after;
    hs_page_fn  on_page;
    hs_done_fn  done;
    void       *ud;
    hs_call_id  current;
    bool        in_page;
    bool        cancelled;
} page_walk;

static void page_walk_finish(page_walk *w, const hs_result *sub, ht_status st, const char *msg)
{
    op_report(w->c, w->id, w->done, w->ud, sub, st, msg);
    free(w->path);
    free(w->after);
    free(w);
}

static void page_walk_request(page_walk *w);

static void on_walk_page(void *ud, const hs_result *r)
{
    page_walk *w = ud;
    w->current = 0;
    if (w->cancelled || r->status == HT_CANCELLED) {
        page_walk_finish(w, NULL, HT_CANCELLED, NULL);
        return;
    }
    if (r->status != HT_OK) {
        page_walk_finish(w, r, r->status, NULL);
        return;
    }
    json_t *results = json_object_get(r->body, "results");
    if (!json_is_array(results)) {
        page_walk_finish(w, NULL, HT_PARSE, "a page came back without a results array");
        return;
    }
    const char *next = hs_next_after(r->body);
    if (next && w->after && strcmp(next, w->after) == 0) {
        page_walk_finish(w, NULL, HT_PARSE, "paging did not advance (the same after twice)");
        return;
    }
    w->in_page = true;
    bool more = w->on_page(w->ud, results, next);
    w->in_page = false;
    if (w->cancelled) {
        page_walk_finish(w, NULL, HT_CANCELLED, NULL);
    } else if (!more || !next) {
        page_walk_finish(w, NULL, HT_OK, NULL);
    } else {
        free(w->after);
        w->after = xstrdup(next);
        page_walk_request(w);
    }
}

static void page_walk_request(page_walk *w)
{
    strbuf p = {0};
    strbuf_puts(&p, w->path);
    if (w->after) {
        strbuf_putc(&p, strchr(w->path, '?') ? '&' : '?');
        strbuf_puts(&p, "after=");
        http_escape(&p, w->after);
    }
    hs_request r = {.method = "GET", .path = strbuf_str(&p), .prio = w->prio};
    w->current = hs_submit(w->c, &r, on_walk_page, w);
    strbuf_free(&p);
}

static void page_walk_cancel(void *opaque)
{
    page_walk *w = opaque;
    w->cancelled = true;
    if (!w->in_page && w->current)
        hs_cancel(w->c, w->current);   /* its callback finishes the walk */
}

hs_call_id hs_walk_pages(hs_client *c, hs_priority prio, const char *path, const char *start_after,
                         hs_page_fn on_page, hs_done_fn done, void *ud)
{
    page_walk *w = xcalloc(1, sizeof *w);
    *w = (page_walk){.c = c, .prio = prio, .path = xstrdup(path), .on_page = on_page,
                     .done = done, .ud = ud};
    if (!str_empty(start_after))
        w->after = xstrdup(start_after);
    w->id = hs_op_register(c, prio, page_walk_cancel, w);
    page_walk_request(w);
    return w->id;
}

static void add_list(strbuf *p, const char *key, const char *const *list)
{
    if (!list || !list[0])
        return;
    strbuf_printf(p, "&%s=", key);
    for (size_t i = 0; list[i]; i++) {
        if (i)
            strbuf_putc(p, ',');
        http_escape(p, list[i]);
    }
}

hs_call_id hs_walk_objects(hs_client *c, hs_priority prio, const char *type, const hs_read_opts *o,
                           const char *start_after, hs_page_fn on_page, hs_done_fn done, void *ud)
{
    static const hs_read_opts none = {0};
    if (!o)
        o = &none;
    strbuf p = {0};
    strbuf_puts(&p, "/crm/v3/objects/");
    http_escape(&p, type ? type : "");
    strbuf_printf(&p, "?limit=%d", o->limit > 0 ? o->limit : 100);
    add_list(&p, "properties", o->properties);
    add_list(&p, "propertiesWithHistory", o->properties_with_history);
    add_list(&p, "associations", o->associations);
    if (o->archived)
        strbuf_puts(&p, "&archived=true");
    hs_call_id id = hs_walk_pages(c, prio, strbuf_str(&p), start_after, on_page, done, ud);
    strbuf_free(&p);
    return id;
}

hs_call_id hs_walk_assoc(hs_client *c, hs_priority prio, const char *from_type, const char *from_id,
                         const char *to_type, hs_page_fn on_page, hs_done_fn done, void *ud)
{
    strbuf p = {0};
    strbuf_puts(&p, "/crm/v4/objects/");
    http_escape(&p, from_type ? from_type : "");
    strbuf_putc(&p, '/');
    http_escape(&p, from_id ? from_id : "");
    strbuf_puts(&p, "/associations/");
    http_escape(&p, to_type ? to_type : "");
    strbuf_puts(&p, "?limit=500");
    hs_call_id id = hs_walk_pages(c, prio, strbuf_str(&p), NULL, on_page, done, ud);
    strbuf_free(&p);
    return id;
}

hs_call_id hs_walk_owners(hs_client *c, hs_priority prio, hs_page_fn on_page, hs_done_fn done,
                          void *ud)
{
    return hs_walk_pages(c, prio, "/crm/v3/owners?limit=500", NULL, on_page, done, ud);
}

/* ---- a set of ids (records delivered at the boundary value) ------------------ */

typedef struct idset {
    char  **slots;
    size_t  cap, n;
} idset;

static uint64_t id_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static bool idset_has(const idset *set, const char *id)
{
    if (set->n == 0)
        return false;
    for (size_t i = id_hash(id) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (!set->slots[i])
            return false;
        if (strcmp(set->slots[i], id) == 0)
            return true;
    }
}

static void idset_insert_slot(char **slots, size_t cap, char *id)
{
    size_t i = id_hash(id) & (cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = id;
}

static void idset_add(idset *set, const char *id)
{
    if (idset_has(set, id))
        return;
    if ((set->n + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        char **slots = xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i])
                idset_insert_slot(slots, cap, set->slots[i]);
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    idset_insert_slot(set->slots, set->cap, xstrdup(id));
    set->n++;
}

static void idset_clear(idset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

/* ---- search walks ------------------------------------------------------------- */

typedef enum window_mode {
    WIN_ID,     /* sort hs_object_id, GT last id */
    WIN_PROP,   /* sort prop, GTE (or GT) value */
    WIN_TIE,    /* prop EQ value, sort hs_object_id, GT last id: more than
                 * 10,000 records share one value */
} window_mode;

typedef struct search_walk {
    hs_client        *c;
    hs_call_id        id;
    hs_priority       prio;
    char             *type;
    json_t           *filter_groups;
    json_t           *properties;   /* array or NULL */
    char             *query;
    char             *sort_prop;    /* NULL: by id */
    int               page_size;
    bool              keyset;
    hs_search_page_fn on_page;
    hs_done_fn        done;
    void             *ud;
    /* the current window */
    window_mode       mode;
    bool              has_value;
    bool              value_gt;     /* GT instead of GTE (after a tie walk) */
    int64_t           value;
    bool              has_win_id;   /* the window's GT id (fixed while it lasts) */
    char              win_id[32];
    int               offset;
    /* progress */
    bool              has_last_id;  /* the last id delivered */
    char              last_id[32];
    bool              has_last_value;
    int64_t           last_value;
    bool              has_first_value;  /* the first value seen in this window */
    int64_t           first_value;
    idset             boundary;     /* ids delivered with value == last_value */
    int               restarts;
    char              cursor[32];
    hs_call_id        current;
    bool              in_page;
    bool              cancelled;
} search_walk;

static void search_walk_finish(search_walk *w, const hs_result *sub, ht_status st, const char *msg)
{
    op_report(w->c, w->id, w->done, w->ud, sub, st, msg);
    json_decref(w->filter_groups);
    json_decref(w->properties);
    free(w->type);
    free(w->query);
    free(w->sort_prop);
    idset_clear(&w->boundary);
    free(w);
}

static json_t *filter(const char *prop, const char *op, const char *value)
{
    return json_pack("{ssssss}", "propertyName", prop, "operator", op, "value", value);
}

static void add_cursor_filters(const search_walk *w, json_t *filters)
{
    char v[32];
    switch (w->mode) {
    case WIN_ID:
        if (w->has_win_id)
            json_array_append_new(filters, filter("hs_object_id", "GT", w->win_id));
        break;
    case WIN_PROP:
        if (w->has_value) {
            snprintf(v, sizeof v, "%" PRId64, w->value);
            json_array_append_new(filters, filter(w->sort_prop, w->value_gt ? "GT" : "GTE", v));
        }
        break;
    case WIN_TIE:
        snprintf(v, sizeof v, "%" PRId64, w->value);
        json_array_append_new(filters, filter(w->sort_prop, "EQ", v));
        if (w->has_win_id)
            json_array_append_new(filters, filter("hs_object_id", "GT", w->win_id));
        break;
    }
}

static json_t *search_body(const search_walk *w)
{
    json_t *groups = json_array();
    size_t n = json_is_array(w->filter_groups) ? json_array_size(w->filter_groups) : 0;
    for (size_t i = 0; i < (n ? n : 1); i++) {
        json_t *src = n ? json_object_get(json_array_get(w->filter_groups, i), "filters") : NULL;
        json_t *filters = json_is_array(src) ? json_deep_copy(src) : json_array();
        add_cursor_filters(w, filters);
        if (json_array_size(filters) > 0)
            json_array_append_new(groups, json_pack("{so}", "filters", filters));
        else
            json_decref(filters);
    }
    const char *sort = w->mode == WIN_PROP ? w->sort_prop : "hs_object_id";
    json_t *body = json_pack("{sosi}", "sorts",
                             json_pack("[{ssss}]", "propertyName", sort, "direction", "ASCENDING"),
                             "limit", w->page_size);
    if (json_array_size(groups) > 0)
        json_object_set_new(body, "filterGroups", groups);
    else
        json_decref(groups);
    if (w->properties)
        json_object_set(body, "properties", w->properties);
    if (w->query)
        json_object_set_new(body, "query", json_string(w->query));
    if (w->offset > 0) {
        char after[16];
        snprintf(after, sizeof after, "%d", w->offset);
        json_object_set_new(body, "after", json_string(after));
    }
    return body;
}

static void on_search_page(void *ud, const hs_result *r);

static void search_request(search_walk *w)
{
    json_t *body = search_body(w);
    w->current = hs_objects_search(w->c, w->prio, w->type, body, on_search_page, w);
    json_decref(body);
}

/* The record's value of the sort property in epoch ms. Date properties the
 * caller did not ask for fall back to the record's own timestamps. */
static bool record_value(const search_walk *w, const json_t *rec, int64_t *out)
{
    const char *v = hs_record_prop(rec, w->sort_prop);
    if (!v && strstr(w->sort_prop, "lastmodifieddate"))
        v = json_string_value(json_object_get(rec, "updatedAt"));
    if (!v && strstr(w->sort_prop, "createdate"))
        v = json_string_value(json_object_get(rec, "createdAt"));
    return v && time_parse(v, out);
}

/* Keep the records not delivered yet; advance the cursor. */
static json_t *take_new(search_walk *w, json_t *results)
{
    json_t *fresh = json_array();
    size_t i;
    json_t *rec;
    json_array_foreach(results, i, rec) {
        char id[32];
        if (!hs_json_id(json_object_get(rec, "id"), id))
            continue;
        if (w->mode != WIN_PROP) {
            snprintf(w->last_id, sizeof w->last_id, "%s", id);
            w->has_last_id = true;
            if (w->mode == WIN_TIE && idset_has(&w->boundary, id))
                continue;
            json_array_append(fresh, rec);
            continue;
        }
        int64_t v;
        if (!record_value(w, rec, &v)) {
            json_array_append(fresh, rec);   /* no value: deliver, cursor stays */
            continue;
        }
        if (!w->has_first_value) {
            w->first_value = v;
            w->has_first_value = true;
        }
        if (w->has_last_value && v == w->last_value && idset_has(&w->boundary, id))
            continue;
        if (!w->has_last_value || v != w->last_value) {
            idset_clear(&w->boundary);
            w->last_value = v;
            w->has_last_value = true;
        }
        idset_add(&w->boundary, id);
        json_array_append(fresh, rec);
    }
    if (w->sort_prop && w->has_last_value)
        snprintf(w->cursor, sizeof w->cursor, "%" PRId64, w->last_value);
    else if (w->has_last_id)
        snprintf(w->cursor, sizeof w->cursor, "%s", w->last_id);
    return fresh;
}

/* The window ran into the 10,000 cap: start the next one. False when no
 * progress is possible. */
static bool restart_window(search_walk *w)
{
    w->offset = 0;
    w->restarts++;
    if (w->mode != WIN_PROP) {
        /* The next window starts after the last id delivered. */
        if (!w->has_last_id)
            return false;
        memcpy(w->win_id, w->last_id, sizeof w->win_id);
        w->has_win_id = true;
        return true;
    }
    if (!w->has_last_value)
        return false;
    bool one_value = w->has_first_value && w->first_value == w->last_value;
    w->has_first_value = false;
    if (one_value) {
        /* A whole window shared one value: starting again from it would see
         * the same window. Walk that value by id instead. */
        w->value = w->last_value;
        w->mode = WIN_TIE;
        w->has_win_id = false;
        return true;
    }
    w->has_value = true;
    w->value_gt = false;
    w->value = w->last_value;
    return true;
}

static void on_search_page(void *ud, const hs_result *r)
{
    search_walk *w = ud;
    w->current = 0;
    if (w->cancelled || r->status == HT_CANCELLED) {
        search_walk_finish(w, NULL, HT_CANCELLED, NULL);
        return;
    }
    if (r->status != HT_OK) {
        search_walk_finish(w, r, r->status, NULL);
        return;
    }
    json_t *results = json_object_get(r->body, "results");
    if (!json_is_array(results)) {
        search_walk_finish(w, NULL, HT_PARSE, "a search page came back without results");
        return;
    }
    json_t *fresh = take_new(w, results);
    hs_search_page page = {
        .results = fresh, .cursor = w->cursor, .restarts = w->restarts,
        .total = json_integer_value(json_object_get(r->body, "total")),
    };
    w->in_page = true;
    bool more = w->on_page(w->ud, &page);
    w->in_page = false;
    json_decref(fresh);
    if (w->cancelled) {
        search_walk_finish(w, NULL, HT_CANCELLED, NULL);
        return;
    }
    const char *next = hs_next_after(r->body);
    int64_t offset = 0;
    if (!more) {
        search_walk_finish(w, NULL, HT_OK, NULL);
        return;
    }
    if (!next || !str_to_i64(next, &offset)) {
        if (w->mode != WIN_TIE) {
            search_walk_finish(w, NULL, HT_OK, NULL);
            return;
        }
        /* Every record of the tied value is out: go on past it. */
        w->mode = WIN_PROP;
        w->has_value = true;
        w->value_gt = true;
        w->has_first_value = false;
        w->offset = 0;
    } else if (w->keyset || offset + w->page_size > SEARCH_CAP) {
        if (!restart_window(w)) {
            search_walk_finish(w, NULL, HT_UNSUPPORTED,
                               "cannot walk past 10,000 search results: the sort property has no values");
            return;
        }
    } else {
        w->offset = (int)offset;
    }
    search_request(w);
}

static void search_walk_cancel(void *opaque)
{
    search_walk *w = opaque;
    w->cancelled = true;
    if (!w->in_page && w->current)
        hs_cancel(w->c, w->current);
}

/* The caller's properties plus what the walker reads (id, sort property). */
static json_t *walk_properties(const hs_search_walk *sw)
{
    if (!sw->properties)
        return NULL;
    json_t *props = json_array();
    bool has_id = false, has_sort = false;
    for (size_t i = 0; sw->properties[i]; i++) {
        json_array_append_new(props, json_string(sw->properties[i]));
        has_id |= strcmp(sw->properties[i], "hs_object_id") == 0;
        has_sort |= sw->sort_property && strcmp(sw->properties[i], sw->sort_property) == 0;
    }
    if (!has_id)
        json_array_append_new(props, json_string("hs_object_id"));
    if (sw->sort_property && !has_sort)
        json_array_append_new(props, json_string(sw->sort_property));
    return props;
}

hs_call_id hs_walk_search(hs_client *c, hs_priority prio, const hs_search_walk *sw,
                          hs_search_page_fn on_page, hs_done_fn done, void *ud)
{
    search_walk *w = xcalloc(1, sizeof *w);
    w->c = c;
    w->prio = prio;
    w->type = xstrdup(sw->object_type ? sw->object_type : "");
    w->filter_groups = sw->filter_groups ? json_deep_copy(sw->filter_groups) : NULL;
    w->properties = walk_properties(sw);
    w->query = sw->query ? xstrdup(sw->query) : NULL;
    w->sort_prop = sw->sort_property ? xstrdup(sw->sort_property) : NULL;
    w->page_size = sw->page_size > 0 && sw->page_size <= SEARCH_PAGE_MAX ? sw->page_size
                                                                         : SEARCH_PAGE_MAX;
    w->keyset = sw->keyset;
    w->on_page = on_page;
    w->done = done;
    w->ud = ud;
    w->mode = w->sort_prop ? WIN_PROP : WIN_ID;
    w->id = hs_op_register(c, prio, search_walk_cancel, w);
    if (!str_empty(sw->start_value)) {
        if (w->mode == WIN_ID) {
            snprintf(w->win_id, sizeof w->win_id, "%s", sw->start_value);
            w->has_win_id = true;
        } else if (time_parse(sw->start_value, &w->value)) {
            w->has_value = true;
        } else {
            ht_error err;
            ht_error_set(&err, HT_INVALID, "start value '%s' is neither epoch ms nor ISO-8601",
                         sw->start_value);
            /* Report through a request that fails at once, like any other. */
            w->current = hs_submit_error(c, &err, on_search_page, w);
            return w->id;
        }
    }
    search_request(w);
    return w->id;
}
