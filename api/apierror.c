#include "apierror.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str_field(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* context.ids (207 entries) or context.id: the inputs an error is about. */
static void item_ids(apierror_item *it)
{
    json_t *ids = json_object_get(it->context, "ids");
    if (!json_is_array(ids))
        ids = json_object_get(it->context, "id");
    if (json_is_string(ids)) {
        it->ids = xmalloc(sizeof *it->ids);
        it->ids[0] = json_string_value(ids);
        it->n_ids = 1;
        return;
    }
    if (!json_is_array(ids) || json_array_size(ids) == 0)
        return;
    it->ids = xcalloc(json_array_size(ids), sizeof *it->ids);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        if (json_is_string(v))
            it->ids[it->n_ids++] = json_string_value(v);
    }
}

static void item_from_json(apierror_item *it, json_t *j)
{
    memset(it, 0, sizeof *it);
    it->status = str_field(j, "status");
    it->message = str_field(j, "message");
    it->code = str_field(j, "code");
    it->category = str_field(j, "category");
    it->sub_category = str_field(j, "subCategory");
    json_t *ctx = json_object_get(j, "context");
    it->context = json_is_object(ctx) ? ctx : NULL;
    item_ids(it);
}

static size_t items_from_array(json_t *arr, apierror_item **out)
{
    *out = NULL;
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    if (n == 0)
        return 0;
    apierror_item *items = xcalloc(n, sizeof *items);
    size_t k = 0, i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (json_is_object(v))
            item_from_json(&items[k++], v);
    }
    *out = items;
    return k;
}

void apierror_from_json(apierror *e, int http_status, json_t *body)
{
    memset(e, 0, sizeof *e);
    e->http_status = http_status;
    if (!json_is_object(body))
        return;
    e->raw = json_incref(body);
    e->status = str_field(body, "status");
    e->message = str_field(body, "message");
    e->category = str_field(body, "category");
    e->sub_category = str_field(body, "subCategory");
    e->correlation_id = str_field(body, "correlationId");
    e->error_type = str_field(body, "errorType");
    e->policy_name = str_field(body, "policyName");
    json_t *ctx = json_object_get(body, "context");
    e->context = json_is_object(ctx) ? ctx : NULL;
    e->n_items = items_from_array(json_object_get(body, "errors"), &e->items);
}

void apierror_parse(apierror *e, int http_status, const char *body, size_t len)
{
    json_t *j = NULL;
    if (body && len > 0)
        j = json_loadb(body, len, 0, NULL);
    apierror_from_json(e, http_status, j);
    json_decref(j);
}

void apierror_items_free(apierror_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i].ids);
    free(items);
}

void apierror_free(apierror *e)
{
    apierror_items_free(e->items, e->n_items);
    json_decref(e->raw);
    memset(e, 0, sizeof *e);
}

size_t apierror_batch_items(json_t *body, apierror_item **items)
{
    return items_from_array(json_object_get(body, "errors"), items);
}

/* HubSpot's VALIDATION_ERROR message embeds a JSON list after the prose:
 * "Property values were not valid: [{...,"message":"..."}]". Pull the
 * messages out of it; false when there is no such list. */
static bool embedded_messages(const char *msg, strbuf *out)
{
    const char *open = strstr(msg, ": [");
    if (!open)
        return false;
    json_t *list = json_loads(open + 2, 0, NULL);
    if (!json_is_array(list)) {
        json_decref(list);
        return false;
    }
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        const char *m = str_field(v, "message");
        if (m) {
            if (out->len)
                strbuf_puts(out, "; ");
            strbuf_puts(out, m);
        }
    }
    json_decref(list);
    return out->len > 0;
}

static const char *generic_phrase(int http_status)
{
    switch (http_status) {
    case 400: return "HubSpot refused the request as invalid";
    case 401: return "HubSpot did not accept the token";
    case 403: return "the token lacks a required scope";
    case 404: return "no such record or path";
    case 409: return "conflict with an existing record";
    case 429: return "HubSpot rate limit reached";
    default:  return http_status >= 500 ? "HubSpot had a server error" : "HubSpot returned an error";
    }
}

void apierror_summary(const apierror *e, char *out, size_t cap)
{
    strbuf sb = {0};
    for (size_t i = 0; i < e->n_items; i++) {
        if (str_empty(e->items[i].message))
            continue;
        if (sb.len)
            strbuf_puts(&sb, "; ");
        strbuf_puts(&sb, e->items[i].message);
    }
    if (sb.len == 0 && !str_empty(e->message) && !embedded_messages(e->message, &sb))
        strbuf_puts(&sb, e->message);
    if (sb.len == 0 && !str_empty(e->status) && strcmp(e->status, "error") != 0)
        strbuf_puts(&sb, e->status);
    if (sb.len == 0)
        strbuf_puts(&sb, generic_phrase(e->http_status));
    snprintf(out, cap, "%s", strbuf_str(&sb));
    strbuf_free(&sb);
}

ht_status apierror_to_ht(const apierror *e, ht_status st, ht_error *err)
{
    if (!err)
        return st;
    char summary[sizeof err->message];
    apierror_summary(e, summary, sizeof summary);
    if (e->http_status)
        ht_error_set(err, st, "%s (HTTP %d)", summary, e->http_status);
    else
        ht_error_set(err, st, "%s", summary);
    err->http_status = e->http_status;
    const char *cat = e->category ? e->category : e->error_type;
    if (!cat && e->status && strcmp(e->status, "error") != 0)
        cat = e->status;    /* OAuth token endpoint: BAD_REFRESH_TOKEN... */
    if (cat)
        snprintf(err->category, sizeof err->category, "%s", cat);
    if (e->correlation_id)
        snprintf(err->correlation_id, sizeof err->correlation_id, "%s", e->correlation_id);
    return st;
}
