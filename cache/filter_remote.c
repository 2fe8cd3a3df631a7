/* filter_remote.c — compiling a filter to HubSpot search's filterGroups.
 *
 * HubSpot ORs groups and ANDs the filters inside a group, so the expression
 * is brought to disjunctive normal form. The language has no general NOT
 * (only != and !has), so no negation has to be pushed down; a date-only
 * value on a date-time property expands to a range, and its != to
 * "before, after or empty". */
#include <stdlib.h>
#include <string.h>

#include "filter_int.h"

#define MAX_GROUPS        5
#define MAX_PER_GROUP     6
#define MAX_TOTAL         18
#define EXPANSION_LIMIT   256   /* stop expanding long before memory matters */

typedef struct dnf {
    json_t **groups;             /* each a JSON array of filters */
    size_t   n;
} dnf;

static void dnf_free(dnf *d)
{
    for (size_t i = 0; i < d->n; i++)
        json_decref(d->groups[i]);
    free(d->groups);
    d->groups = NULL;
    d->n = 0;
}

static void dnf_add(dnf *d, json_t *group)
{
    d->groups = xrealloc(d->groups, (d->n + 1) * sizeof *d->groups);
    d->groups[d->n++] = group;
}

static json_t *rfilter(const char *prop, const char *op, const char *value)
{
    json_t *f = json_pack("{s:s, s:s}", "propertyName", prop, "operator", op);
    if (value)
        json_object_set_new(f, "value", json_string(value));
    return f;
}

/* One group holding the given filters (references stolen). */
static void dnf_single(dnf *d, json_t *a, json_t *b)
{
    json_t *g = json_array();
    json_array_append_new(g, a);
    if (b)
        json_array_append_new(g, b);
    dnf_add(d, g);
}

static char *ms_text(int64_t ms)
{
    return xasprintf("%lld", (long long)ms);
}

static const char *remote_op(filter_op op)
{
    static const char *const ops[] = {
        [FOP_EQ] = "EQ", [FOP_NEQ] = "NEQ", [FOP_LT] = "LT", [FOP_LTE] = "LTE",
        [FOP_GT] = "GT", [FOP_GTE] = "GTE", [FOP_CONTAINS] = "CONTAINS_TOKEN",
        [FOP_IN] = "IN", [FOP_HAS] = "HAS_PROPERTY", [FOP_NOT_HAS] = "NOT_HAS_PROPERTY",
    };
    return ops[op];
}

static void day_filters(dnf *d, const prop_key *k, filter_op op, const typed_value *v)
{
    char *a = ms_text(v->ms), *b = ms_text(v->ms + 86400000);
    const char *p = k->remote;
    switch (op) {
    case FOP_EQ: dnf_single(d, rfilter(p, "GTE", a), rfilter(p, "LT", b)); break;
    case FOP_NEQ:
        dnf_single(d, rfilter(p, "LT", a), NULL);
        dnf_single(d, rfilter(p, "GTE", b), NULL);
        dnf_single(d, rfilter(p, "NOT_HAS_PROPERTY", NULL), NULL);
        break;
    case FOP_LT: dnf_single(d, rfilter(p, "LT", a), NULL); break;
    case FOP_LTE: dnf_single(d, rfilter(p, "LT", b), NULL); break;
    case FOP_GT: dnf_single(d, rfilter(p, "GTE", b), NULL); break;
    default: dnf_single(d, rfilter(p, "GTE", a), NULL); break;
    }
    free(a);
    free(b);
}

/* The value HubSpot expects for a converted filter value. */
static char *remote_value(const prop_key *k, const typed_value *v)
{
    switch (k->kind) {
    case KEY_DATE:
    case KEY_DATETIME:
    case KEY_MS:
        return ms_text(v->ms);
    default:
        return xstrdup(v->text);
    }
}

static ht_status cmp_to_dnf(store *st, const objmeta *m, const filter *f, dnf *d,
                            ht_error *err, int *col)
{
    prop_key k;
    ht_status s = filter_prop_key(st, m, f->prop, &k, err);
    if (s == HT_NOT_FOUND) {
        if (col)
            *col = f->col;
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err ? err->message : "unknown property");
        return ht_error_set(err, HT_INVALID, "%s (at column %d)", msg, f->col);
    }
    if (s != HT_OK)
        return s;
    if (f->op == FOP_HAS || f->op == FOP_NOT_HAS) {
        dnf_single(d, rfilter(k.remote, remote_op(f->op), NULL), NULL);
        prop_key_clear(&k);
        return HT_OK;
    }
    typed_value *vals = xcalloc(f->nvalues + 1, sizeof *vals);
    bool any_day = false;
    for (size_t i = 0; s == HT_OK && i < f->nvalues; i++) {
        s = filter_typed_value(st, m, &k, &f->values[i], f->op == FOP_IN ? FOP_EQ : f->op,
                               &vals[i], err, col);
        any_day |= vals[i].whole_day;
    }
    if (s == HT_OK && f->op == FOP_IN && !any_day) {
        json_t *in = rfilter(k.remote, "IN", NULL), *arr = json_array();
        for (size_t i = 0; i < f->nvalues; i++) {
            char *t = remote_value(&k, &vals[i]);
            json_array_append_new(arr, json_string(t));
            free(t);
        }
        json_object_set_new(in, "values", arr);
        dnf_single(d, in, NULL);
    } else if (s == HT_OK) {
        filter_op op = f->op == FOP_IN ? FOP_EQ : f->op;
        for (size_t i = 0; i < f->nvalues; i++) {
            if (vals[i].whole_day) {
                day_filters(d, &k, op, &vals[i]);
                continue;
            }
            char *t = op == FOP_CONTAINS ? xasprintf("*%s*", vals[i].text)
                                         : remote_value(&k, &vals[i]);
            dnf_single(d, rfilter(k.remote, remote_op(op), t), NULL);
            free(t);
        }
    }
    for (size_t i = 0; i < f->nvalues; i++)
        typed_value_clear(&vals[i]);
    free(vals);
    prop_key_clear(&k);
    return s;
}

static ht_status too_complex(const filter *f, size_t groups, ht_error *err, int *col)
{
    if (col)
        *col = f->col;
    return ht_error_set(err, HT_INVALID,
                        "too complex for HubSpot search: it needs %zu filter groups or more "
                        "(HubSpot allows %d groups, %d filters each, %d in all) at column %d",
                        groups, MAX_GROUPS, MAX_PER_GROUP, MAX_TOTAL, f->col);
}

/* AND: every group of a joined with every group of b. */
static ht_status dnf_and(const filter *f, dnf *a, dnf *b, ht_error *err, int *col)
{
    if (a->n * b->n > EXPANSION_LIMIT)
        return too_complex(f, a->n * b->n, err, col);
    dnf out = {0};
    for (size_t i = 0; i < a->n; i++) {
        for (size_t j = 0; j < b->n; j++) {
            json_t *g = json_copy(a->groups[i]);
            json_array_extend(g, b->groups[j]);
            dnf_add(&out, g);
        }
    }
    dnf_free(a);
    dnf_free(b);
    *a = out;
    return HT_OK;
}

static ht_status to_dnf(store *st, const objmeta *m, const filter *f, dnf *d, ht_error *err,
                        int *col)
{
    if (f->kind == FK_CMP)
        return cmp_to_dnf(st, m, f, d, err, col);
    if (f->kind == FK_TEXT) {
        if (col)
            *col = f->col;
        return ht_error_set(err, HT_INVALID,
                            "quick-search words can only be combined with 'and' in a HubSpot "
                            "search (at column %d)", f->col);
    }
    ht_status s = HT_OK;
    for (size_t i = 0; s == HT_OK && i < f->nkids; i++) {
        dnf kid = {0};
        s = to_dnf(st, m, f->kids[i], &kid, err, col);
        if (s == HT_OK && f->kind == FK_OR) {
            for (size_t j = 0; j < kid.n; j++)
                dnf_add(d, json_incref(kid.groups[j]));
            if (d->n > EXPANSION_LIMIT)
                s = too_complex(f, d->n, err, col);
        } else if (s == HT_OK && i == 0) {
            *d = kid;
            kid = (dnf){0};
        } else if (s == HT_OK) {
            s = dnf_and(f, d, &kid, err, col);
        }
        dnf_free(&kid);
    }
    return s;
}

/* Quick-search words ANDed at the top go to `query`; the rest to groups. */
static ht_status split_top(store *st, const objmeta *m, const filter *f, dnf *d,
                           strbuf *query, bool *have_rest, ht_error *err, int *col)
{
    if (f->kind == FK_TEXT) {
        if (query->len)
            strbuf_putc(query, ' ');
        strbuf_puts(query, f->text);
        return HT_OK;
    }
    if (f->kind != FK_AND) {
        dnf part = {0};
        ht_status s = to_dnf(st, m, f, &part, err, col);
        if (s == HT_OK && !*have_rest) {
            *d = part;
            part = (dnf){0};
            *have_rest = true;
        } else if (s == HT_OK) {
            s = dnf_and(f, d, &part, err, col);
        }
        dnf_free(&part);
        return s;
    }
    for (size_t i = 0; i < f->nkids; i++) {
        ht_status s = split_top(st, m, f->kids[i], d, query, have_rest, err, col);
        if (s != HT_OK)
            return s;
    }
    return HT_OK;
}

static ht_status check_limits(const filter *f, const dnf *d, ht_error *err, int *col)
{
    size_t total = 0, widest = 0;
    for (size_t i = 0; i < d->n; i++) {
        size_t n = json_array_size(d->groups[i]);
        total += n;
        if (n > widest)
            widest = n;
    }
    if (d->n <= MAX_GROUPS && widest <= MAX_PER_GROUP && total <= MAX_TOTAL)
        return HT_OK;
    if (col)
        *col = f->col;
    return ht_error_set(err, HT_INVALID,
                        "too complex for HubSpot search: %zu filter groups, up to %zu filters "
                        "in one, %zu in all (HubSpot allows %d groups, %d filters each, %d in "
                        "all) at column %d", d->n, widest, total, MAX_GROUPS, MAX_PER_GROUP,
                        MAX_TOTAL, f->col);
}

ht_status filter_to_hubspot(store *st, const char *object, const filter *f,
                            json_t **filter_groups, char **query, ht_error *err, int *col)
{
    *filter_groups = NULL;
    *query = NULL;
    if (col)
        *col = 0;
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    dnf d = {0};
    strbuf q = {0};
    bool have_rest = false;
    ht_status s = f ? split_top(st, m, f, &d, &q, &have_rest, err, col) : HT_OK;
    if (s == HT_OK && f)
        s = check_limits(f, &d, err, col);
    if (s == HT_OK) {
        json_t *arr = json_array();
        for (size_t i = 0; i < d.n; i++)
            json_array_append_new(arr, json_pack("{s:O}", "filters", d.groups[i]));
        *filter_groups = arr;
        *query = q.len ? strbuf_detach(&q) : NULL;
    }
    strbuf_free(&q);
    dnf_free(&d);
    objmeta_release(m);
    return s;
}
