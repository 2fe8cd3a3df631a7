/* search.c — CRM search: filter groups (ORed) of filters (ANDed) with every
 * HubSpot operator, one sort, free-text query, paging by numeric offset up
 * to 10,000 results, and the configurable filter caps.
 *
 * Filters on hs_object_id, the created and the last-modified properties
 * become SQL on indexed columns (the incremental-sync pattern is an index
 * range scan); other filters run as SQL functions over the value blob. */
#include "search.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "herr.h"
#include "jsonw.h"
#include "objects.h"
#include "pvals.h"
#include "record.h"

#define SEARCH_MAX_LIMIT 200
#define SEARCH_MAX_OFFSET 10000
#define QUERY_MAX 3000

_Static_assert(FH_ID_BITS == 40, "the unique-index lookup SQL shifts by 40");

typedef enum {
    OP_EQ, OP_NEQ, OP_LT, OP_LTE, OP_GT, OP_GTE, OP_BETWEEN, OP_IN, OP_NOT_IN,
    OP_HAS, OP_NOT_HAS, OP_CONTAINS, OP_NOT_CONTAINS, OP_COUNT
} op_t;

static const char *const op_names[OP_COUNT] = {
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
    "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"};

/* How values of a property compare. */
typedef enum { K_TEXT, K_NUMBER, K_TIME } kind_t;

typedef struct value {
    char   *text;   /* lower-cased */
    double  num;    /* K_NUMBER and K_TIME (ms) */
} value;

typedef struct filter {
    int         pidx;
    bool        by_email;   /* EQ on contacts' email: answered by the unique index */
    fh_special  special;
    bool        multi;
    kind_t      kind;
    op_t        op;
    value      *values;   /* value (and highValue) or values[] */
    int         n_values;
} filter;

typedef struct query {
    char **terms;
    int    n_terms;
    int    fields[FH_MAX_PROPS];
    int    n_fields;
} query;

typedef struct sortkey {
    int    pidx;
    kind_t kind;
} sortkey;

/* ---- matching ------------------------------------------------------- */

static bool is_word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

/* The record's value of a filter's property as text, in buf when made. */
static const char *row_value(sqlite3_value **argv, int pidx, fh_special sp, char *buf,
                             size_t *len)
{
    if (sp != SP_NONE) {
        int64_t v = sqlite3_value_int64(argv[sp == SP_ID ? 1 : sp == SP_CREATED ? 2 : 3]);
        if (sp == SP_ID)
            *len = fmt_i64(fh_rid_id(v), buf);
        else {
            time_format_iso(v, buf);
            *len = strlen(buf);
        }
        return buf;
    }
    const char *p;
    uint32_t n;
    if (!pvals_find(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]), pidx, &p, &n) || n == 0)
        return NULL;
    *len = n;
    return p;
}

/* Parse a stored or filter value for numeric comparison. */
static bool as_number(kind_t k, const char *s, size_t n, double *out)
{
    char buf[64];
    if (n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (k == K_TIME) {
        int64_t ms;
        if (!time_parse(buf, &ms))
            return false;
        *out = (double)ms;
        return true;
    }
    return str_to_double(buf, out);
}

static bool text_eq(const char *a, size_t n, const char *lower)
{
    size_t m = strlen(lower);
    if (n != m)
        return false;
    /* Compare as unsigned bytes: UTF-8 beyond ASCII must match itself. */
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != (unsigned char)lower[i])
            return false;
    return true;
}

static int text_cmp(const char *a, size_t n, const char *lower)
{
    for (size_t i = 0;; i++) {
        int x = i < n ? tolower((unsigned char)a[i]) : -1;
        int y = lower[i] ? (unsigned char)lower[i] : -1;
        if (x != y || x < 0)
            return (x > y) - (x < y);
    }
}

/* Compare the record value with one filter value: <0, 0, >0; or 2 when
 * they cannot be compared (a number that is not a number). */
static int compare(const filter *f, const char *v, size_t n, const value *fv)
{
    if (f->kind == K_TEXT)
        return text_cmp(v, n, fv->text);
    double x;
    if (!as_number(f->kind, v, n, &x))
        return 2;
    return (x > fv->num) - (x < fv->num);
}

static bool equals(const filter *f, const char *v, size_t n, const value *fv)
{
    if (f->multi) {   /* any option of "a;b" */
        const char *s = v, *end = v + n;
        while (s <= end) {
            const char *semi = memchr(s, ';', (size_t)(end - s));
            size_t len = semi ? (size_t)(semi - s) : (size_t)(end - s);
            if (text_eq(s, len, fv->text))
                return true;
            if (!semi)
                break;
            s = semi + 1;
        }
        return false;
    }
    return f->kind == K_TEXT ? text_eq(v, n, fv->text) : compare(f, v, n, fv) == 0;
}

/* Lower-cased words of s (bytes >= 0x80 count as letters). */
static int tokenize(const char *s, size_t n, char ***out)
{
    int count = 0;
    *out = NULL;
    for (size_t i = 0; i < n;) {
        while (i < n && !is_word_byte((unsigned char)s[i]))
            i++;
        size_t start = i;
        while (i < n && is_word_byte((unsigned char)s[i]))
            i++;
        if (i > start) {
            *out = xrealloc(*out, sizeof **out * (size_t)(count + 1));
            char *w = xstrndup(s + start, i - start);
            for (char *c = w; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            (*out)[count++] = w;
        }
    }
    return count;
}

static void free_words(char **w, int n)
{
    for (int i = 0; i < n; i++)
        free(w[i]);
    free(w);
}

/* CONTAINS_TOKEN: with '*' a case-insensitive wildcard match on the whole
 * value or any word; without, the filter's words appear in a row. */
static bool contains_token(const char *v, size_t n, const char *pattern)
{
    char **words;
    int nw = tokenize(v, n, &words);
    bool hit = false;
    if (strchr(pattern, '*')) {
        char *whole = xstrndup(v, n);
        for (char *c = whole; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        hit = fnmatch(pattern, whole, 0) == 0;
        for (int i = 0; !hit && i < nw; i++)
            hit = fnmatch(pattern, words[i], 0) == 0;
        free(whole);
    } else {
        char **want;
        int nq = tokenize(pattern, strlen(pattern), &want);
        for (int i = 0; nq && !hit && i + nq <= nw; i++) {
            hit = true;
            for (int k = 0; hit && k < nq; k++)
                hit = strcmp(words[i + k], want[k]) == 0;
        }
        free_words(want, nq);
    }
    free_words(words, nw);
    return hit;
}

static bool filter_match(const filter *f, const char *v, size_t n)
{
    switch (f->op) {
    case OP_HAS: return v != NULL;
    case OP_NOT_HAS: return v == NULL;
    case OP_NEQ: return !v || !equals(f, v, n, &f->values[0]);
    case OP_NOT_IN:
        for (int i = 0; v && i < f->n_values; i++)
            if (equals(f, v, n, &f->values[i]))
                return false;
        return true;
    case OP_NOT_CONTAINS: return !v || !contains_token(v, n, f->values[0].text);
    default: break;
    }
    if (!v)
        return false;
    int c;
    switch (f->op) {
    case OP_EQ: return equals(f, v, n, &f->values[0]);
    case OP_LT: return (c = compare(f, v, n, &f->values[0])) < 0;
    case OP_LTE: return (c = compare(f, v, n, &f->values[0])) <= 0;
    case OP_GT: return (c = compare(f, v, n, &f->values[0])) > 0 && c != 2;
    case OP_GTE: return (c = compare(f, v, n, &f->values[0])) >= 0 && c != 2;
    case OP_BETWEEN:
        c = compare(f, v, n, &f->values[0]);
        return c >= 0 && c != 2 && compare(f, v, n, &f->values[1]) <= 0;
    case OP_IN:
        for (int i = 0; i < f->n_values; i++)
            if (equals(f, v, n, &f->values[i]))
                return true;
        return false;
    case OP_CONTAINS: return contains_token(v, n, f->values[0].text);
    default: return false;
    }
}

/* fh_filter(props, rid, created, updated, filter) */
static void sql_filter(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const filter *f = sqlite3_value_pointer(argv[4], "fh_filter");
    if (!f) {
        sqlite3_result_error(ctx, "fh_filter: no filter", -1);
        return;
    }
    char buf[40];
    size_t n = 0;
    const char *v = row_value(argv, f->pidx, f->special, buf, &n);
    sqlite3_result_int(ctx, filter_match(f, v, n));
    (void)argc;
}

/* Does a query term start a word of the value? */
static bool term_in(const char *v, size_t n, const char *term)
{
    size_t m = strlen(term);
    for (size_t i = 0; i + m <= n; i++) {
        if (i > 0 && is_word_byte((unsigned char)v[i - 1]))
            continue;
        bool ok = true;
        for (size_t k = 0; ok && k < m; k++)
            ok = tolower((unsigned char)v[i + k]) == (unsigned char)term[k];
        if (ok)
            return true;
    }
    return false;
}

/* fh_query(props, query): every term starts a word in some searched field. */
static void sql_query(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const query *q = sqlite3_value_pointer(argv[1], "fh_query");
    const void *blob = sqlite3_value_blob(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    bool all = q != NULL;
    for (int t = 0; all && t < q->n_terms; t++) {
        bool found = false;
        for (int k = 0; !found && k < q->n_fields; k++) {
            const char *v;
            uint32_t n;
            found = pvals_find(blob, len, q->fields[k], &v, &n) && term_in(v, n, q->terms[t]);
        }
        all = found;
    }
    sqlite3_result_int(ctx, all);
    (void)argc;
}

/* fh_sortkey(props, sortkey): a number, lower-cased text or NULL. */
static void sql_sortkey(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const sortkey *s = sqlite3_value_pointer(argv[1], "fh_sortkey");
    const char *v;
    uint32_t n;
    if (!s || !pvals_find(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]),
                          s->pidx, &v, &n) || n == 0) {
        sqlite3_result_null(ctx);
        return;
    }
    double d;
    if (s->kind != K_TEXT && as_number(s->kind, v, n, &d)) {
        sqlite3_result_double(ctx, d);
        return;
    }
    char *low = xstrndup(v, n);
    for (char *c = low; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    sqlite3_result_text(ctx, low, (int)n, free);
    (void)argc;
}

bool search_register(sqlite3 *db)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    return sqlite3_create_function(db, "fh_filter", 5, flags, NULL, sql_filter, NULL, NULL) == SQLITE_OK &&
           sqlite3_create_function(db, "fh_query", 2, flags, NULL, sql_query, NULL, NULL) == SQLITE_OK &&
           sqlite3_create_function(db, "fh_sortkey", 2, flags, NULL, sql_sortkey, NULL, NULL) == SQLITE_OK;
}

/* ---- the request ---------------------------------------------------- */

typedef struct plan {
    filter  *filters;
    int      n_filters;
    int     *group_end;    /* filters [start, end) of each group */
    int      n_groups;
    query    q;
    bool     has_query;
    sortkey  sort;
    const fh_propdef *sort_prop;
    bool     descending;
    int      limit;
    int64_t  offset;
    fh_readopts o;
    bool     vague_error;  /* refused with HubSpot's message and no category */
} plan;

static void plan_free(plan *pl)
{
    for (int i = 0; i < pl->n_filters; i++) {
        for (int k = 0; k < pl->filters[i].n_values; k++)
            free(pl->filters[i].values[k].text);
        free(pl->filters[i].values);
    }
    free(pl->filters);
    free(pl->group_end);
    free_words(pl->q.terms, pl->q.n_terms);
}

static kind_t kind_of(const fh_propdef *d)
{
    if (d->special == SP_ID || d->type == PT_NUMBER)
        return K_NUMBER;
    if (d->special != SP_NONE || d->type == PT_DATE || d->type == PT_DATETIME)
        return K_TIME;
    return K_TEXT;
}

static op_t parse_op(const char *s)
{
    for (int i = 0; s && i < OP_COUNT; i++)
        if (strcmp(s, op_names[i]) == 0)
            return (op_t)i;
    return OP_COUNT;
}

static char *json_text(const json_t *v)
{
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v))
        return xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return xasprintf("%.17g", json_real_value(v));
    if (json_is_boolean(v))
        return xstrdup(json_is_true(v) ? "true" : "false");
    return NULL;
}

/* A date or date-time filter value: HubSpot takes epoch milliseconds only
 * (hubspot-api.md §4.1); "2021-01-01" or an ISO date-time is refused. */
static bool epoch_ms_value(const char *s, double *out)
{
    int64_t ms;
    if (!str_to_i64(s, &ms))
        return false;
    *out = (double)ms;
    return true;
}

/* Fill one filter value; false with a message when it does not fit the
 * kind. *vague is set for the errors HubSpot explains no further. */
static bool set_value(filter *f, const fh_propdef *d, const json_t *j, value *out, strbuf *err,
                      bool *vague)
{
    char *text = json_text(j);
    if (!text) {
        strbuf_printf(err, "Filter on %s needs a value", d->name);
        return false;
    }
    out->text = text;
    bool numeric = f->kind != K_TEXT && f->op != OP_CONTAINS && f->op != OP_NOT_CONTAINS;
    if (numeric && f->kind == K_TIME && !epoch_ms_value(text, &out->num)) {
        /* What HubSpot answers to a date filter value it cannot read. */
        strbuf_puts(err, "There was a problem with the request.");
        *vague = true;
        return false;
    }
    if (numeric && f->kind == K_NUMBER && !as_number(f->kind, text, strlen(text), &out->num)) {
        strbuf_printf(err, "%s is not a valid number value for %s", text, d->name);
        return false;
    }
    for (char *c = text; *c; c++)   /* text compares without case */
        *c = (char)tolower((unsigned char)*c);
    return true;
}

static bool compile_filter(const fh_otype *t, const json_t *jf, filter *f, strbuf *err,
                           bool *vague)
{
    const char *name = json_string_value(json_object_get(jf, "propertyName"));
    const char *opname = json_string_value(json_object_get(jf, "operator"));
    const fh_propdef *d = otype_prop(t, name);
    memset(f, 0, sizeof *f);
    if (!d) {
        strbuf_printf(err, "Property %s does not exist on %s", name ? name : "(none)", t->name);
        return false;
    }
    f->op = parse_op(opname ? opname : "EQ");
    if (f->op == OP_COUNT) {
        strbuf_printf(err, "Unknown operator %s", opname);
        return false;
    }
    f->pidx = d->pidx;
    f->by_email = f->op == OP_EQ && d->unique && strcmp(d->name, "email") == 0;
    f->special = d->special;
    f->multi = d->multi;
    f->kind = kind_of(d);
    if (f->op == OP_HAS || f->op == OP_NOT_HAS)
        return true;
    if (f->op == OP_IN || f->op == OP_NOT_IN) {
        const json_t *vals = json_object_get(jf, "values");
        if (!json_is_array(vals) || json_array_size(vals) == 0) {
            strbuf_printf(err, "%s on %s needs a non-empty values array", opname, name);
            return false;
        }
        f->values = xcalloc(json_array_size(vals), sizeof *f->values);
        for (size_t i = 0; i < json_array_size(vals); i++) {
            f->n_values++;   /* counted first: plan_free frees a refused value too */
            if (!set_value(f, d, json_array_get(vals, i), &f->values[i], err, vague))
                return false;
        }
        return true;
    }
    f->values = xcalloc(2, sizeof *f->values);
    f->n_values = 1;
    if (!set_value(f, d, json_object_get(jf, "value"), &f->values[0], err, vague))
        return false;
    if (f->op == OP_BETWEEN) {
        f->n_values = 2;
        return set_value(f, d, json_object_get(jf, "highValue"), &f->values[1], err, vague);
    }
    return true;
}

static bool compile_groups(const fh_otype *t, const json_t *groups, const fh_settings *s, plan *pl,
                           strbuf *err)
{
    if (groups && !json_is_array(groups)) {
        strbuf_puts(err, "filterGroups must be an array");
        return false;
    }
    size_t ng = json_array_size(groups), total = 0;
    if ((int)ng > s->cap_groups) {
        strbuf_printf(err, "Too many filter groups: %zu (at most %d)", ng, s->cap_groups);
        return false;
    }
    for (size_t g = 0; g < ng; g++) {
        size_t nf = json_array_size(json_object_get(json_array_get(groups, g), "filters"));
        if ((int)nf > s->cap_per_group) {
            strbuf_printf(err, "Too many filters in group %zu: %zu (at most %d per group)", g, nf,
                          s->cap_per_group);
            return false;
        }
        total += nf;
    }
    if ((int)total > s->cap_total) {
        strbuf_printf(err, "Too many filters: %zu (at most %d in all groups)", total, s->cap_total);
        return false;
    }
    pl->filters = xcalloc(total ? total : 1, sizeof *pl->filters);
    pl->group_end = xcalloc(ng ? ng : 1, sizeof *pl->group_end);
    for (size_t g = 0; g < ng; g++) {
        const json_t *fs = json_object_get(json_array_get(groups, g), "filters");
        for (size_t i = 0; i < json_array_size(fs); i++)
            if (!compile_filter(t, json_array_get(fs, i), &pl->filters[pl->n_filters++], err,
                                &pl->vague_error))
                return false;
        /* A group without filters matches nothing on HubSpot; skip it. */
        pl->group_end[pl->n_groups++] = pl->n_filters;
    }
    return true;
}

static bool compile_sort(const fh_otype *t, const json_t *sorts, plan *pl, strbuf *err)
{
    const json_t *s = json_array_get(sorts, 0);
    const char *name = NULL, *dir = NULL;
    if (json_is_string(s)) {
        name = json_string_value(s);
        if (name[0] == '-') {
            name++;
            dir = "DESCENDING";
        }
    } else if (json_is_object(s)) {
        name = json_string_value(json_object_get(s, "propertyName"));
        dir = json_string_value(json_object_get(s, "direction"));
    }
    if (!s)
        return true;
    pl->sort_prop = otype_prop(t, name);
    if (!pl->sort_prop) {
        strbuf_printf(err, "Cannot sort by %s: no such property", name ? name : "(none)");
        return false;
    }
    if (dir && strcmp(dir, "ASCENDING") != 0 && strcmp(dir, "DESCENDING") != 0) {
        strbuf_printf(err, "Sort direction must be ASCENDING or DESCENDING");
        return false;
    }
    pl->descending = dir && strcmp(dir, "DESCENDING") == 0;
    pl->sort.pidx = pl->sort_prop->pidx;
    pl->sort.kind = kind_of(pl->sort_prop);
    return true;
}

static bool compile_query(const fh_otype *t, const json_t *q, plan *pl, strbuf *err)
{
    if (!q || json_is_null(q))
        return true;
    const char *text = json_string_value(q);
    if (!text) {
        strbuf_puts(err, "query must be a string");
        return false;
    }
    if (strlen(text) > QUERY_MAX) {
        strbuf_printf(err, "query is longer than %d characters", QUERY_MAX);
        return false;
    }
    char *copy = xstrdup(text), *save = NULL;
    for (char *w = strtok_r(copy, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
        pl->q.terms = xrealloc(pl->q.terms, sizeof *pl->q.terms * (size_t)(pl->q.n_terms + 1));
        for (char *c = w; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        pl->q.terms[pl->q.n_terms++] = xstrdup(w);
    }
    free(copy);
    for (int i = 0; i < t->n_props; i++)
        if (t->props[i]->query)
            pl->q.fields[pl->q.n_fields++] = i;
    pl->has_query = pl->q.n_terms > 0;
    return true;
}

static bool compile_paging(const json_t *body, plan *pl, strbuf *err)
{
    const json_t *lim = json_object_get(body, "limit"), *after = json_object_get(body, "after");
    int64_t v = 10;
    if (lim && !json_is_null(lim)) {
        char *text = json_text(lim);
        bool ok = text && str_to_i64(text, &v);
        free(text);
        if (!ok || v < 0 || v > SEARCH_MAX_LIMIT) {
            strbuf_printf(err, "limit must be an integer from 0 to %d", SEARCH_MAX_LIMIT);
            return false;
        }
    }
    pl->limit = (int)(v ? v : 10);
    pl->offset = 0;
    if (after && !json_is_null(after)) {
        char *text = json_text(after);
        bool ok = text && (str_to_i64(text, &pl->offset) || !*text) && pl->offset >= 0;
        free(text);
        if (!ok) {
            strbuf_puts(err, "after must be a numeric offset");
            return false;
        }
    }
    if (pl->offset >= SEARCH_MAX_OFFSET) {
        strbuf_printf(err, "Search results are limited to %d: after must be below %d",
                      SEARCH_MAX_OFFSET, SEARCH_MAX_OFFSET);
        return false;
    }
    if (pl->offset + pl->limit > SEARCH_MAX_OFFSET)
        pl->limit = (int)(SEARCH_MAX_OFFSET - pl->offset);
    return true;
}

/* ---- SQL ------------------------------------------------------------ */

static const char *column_of(fh_special sp)
{
    return sp == SP_ID ? "rid" : sp == SP_CREATED ? "created" : "updated";
}

/* Column filters that SQLite can answer from an index. */
static bool column_filter(const filter *f)
{
    return f->special != SP_NONE && f->op != OP_CONTAINS && f->op != OP_NOT_CONTAINS;
}

static int64_t column_value(const fh_otype *t, const filter *f, const value *v)
{
    if (f->special != SP_ID)
        return (int64_t)v->num;
    double id = v->num < 0 ? 0 : v->num > (double)FH_ID_MAX ? (double)FH_ID_MAX : v->num;
    return fh_rid(t->tidx, (int64_t)id);
}

static void where_filter(strbuf *sql, const filter *f)
{
    if (f->by_email) {
        /* Addresses are stored in lower case, so the index finds them. */
        strbuf_puts(sql, "rid IN (SELECT (tidx << 40) | id FROM uniq WHERE tidx = ? AND pidx = ? "
                         "AND value = ?)");
        return;
    }
    if (!column_filter(f)) {
        strbuf_puts(sql, "fh_filter(props, rid, created, updated, ?)");
        return;
    }
    static const char *const cmp[] = {[OP_EQ] = "=", [OP_NEQ] = "<>", [OP_LT] = "<",
                                      [OP_LTE] = "<=", [OP_GT] = ">", [OP_GTE] = ">="};
    const char *col = column_of(f->special);
    switch (f->op) {
    case OP_HAS: strbuf_puts(sql, "1"); break;
    case OP_NOT_HAS: strbuf_puts(sql, "0"); break;
    case OP_BETWEEN: strbuf_printf(sql, "%s BETWEEN ? AND ?", col); break;
    case OP_IN:
    case OP_NOT_IN:
        strbuf_printf(sql, "%s %sIN (", col, f->op == OP_NOT_IN ? "NOT " : "");
        for (int i = 0; i < f->n_values; i++)
            strbuf_puts(sql, i ? ",?" : "?");
        strbuf_putc(sql, ')');
        break;
    default: strbuf_printf(sql, "%s %s ?", col, cmp[f->op]); break;
    }
}

static void where_sql(const plan *pl, strbuf *sql)
{
    strbuf_puts(sql, " WHERE tidx = ? AND archived = 0");
    if (pl->n_groups) {
        strbuf_puts(sql, " AND (");
        int start = 0, shown = 0;
        for (int g = 0; g < pl->n_groups; g++) {
            if (pl->group_end[g] == start)
                continue;
            strbuf_puts(sql, shown++ ? " OR (" : "(");
            for (int i = start; i < pl->group_end[g]; i++) {
                if (i > start)
                    strbuf_puts(sql, " AND ");
                where_filter(sql, &pl->filters[i]);
            }
            strbuf_putc(sql, ')');
            start = pl->group_end[g];
        }
        if (!shown)
            strbuf_puts(sql, "0");
        strbuf_putc(sql, ')');
    }
    if (pl->has_query)
        strbuf_puts(sql, " AND fh_query(props, ?)");
}

static int bind_where(sqlite3_stmt *st, const fh_otype *t, const plan *pl)
{
    int k = 1;
    sqlite3_bind_int(st, k++, t->tidx);
    for (int i = 0; i < pl->n_filters; i++) {
        const filter *f = &pl->filters[i];
        if (f->by_email) {
            sqlite3_bind_int(st, k++, t->tidx);
            sqlite3_bind_int(st, k++, f->pidx);
            sqlite3_bind_text(st, k++, f->values[0].text, -1, SQLITE_STATIC);
            continue;
        }
        if (!column_filter(f)) {
            sqlite3_bind_pointer(st, k++, (void *)f, "fh_filter", NULL);
            continue;
        }
        if (f->op == OP_HAS || f->op == OP_NOT_HAS)
            continue;
        for (int v = 0; v < f->n_values; v++)
            sqlite3_bind_int64(st, k++, column_value(t, f, &f->values[v]));
    }
    if (pl->has_query)
        sqlite3_bind_pointer(st, k++, (void *)&pl->q, "fh_query", NULL);
    return k;
}

static void order_sql(const plan *pl, strbuf *sql)
{
    const char *dir = pl->descending ? "DESC" : "ASC";
    if (!pl->sort_prop)
        strbuf_puts(sql, " ORDER BY rid");
    else if (pl->sort_prop->special != SP_NONE)
        strbuf_printf(sql, " ORDER BY %s %s, rid", column_of(pl->sort_prop->special), dir);
    else   /* records without the property come last either way */
        strbuf_printf(sql, " ORDER BY fh_sortkey(props, ?) IS NULL, fh_sortkey(props, ?) %s, rid", dir);
}

/* The records search sees: with search lag, the pending snapshots stand
 * in for the records written since. */
static const char *source_sql(fh_portal *p)
{
    if (!store_lag_pending(p->store))
        return "records";
    return "(SELECT rid, tidx, created, updated, archived, archived_at, props FROM records "
           "WHERE rid NOT IN (SELECT rid FROM lagged) UNION ALL SELECT rid, tidx, created, "
           "updated, archived, archived_at, props FROM lagged WHERE existed = 1)";
}

/* Count and read one page (lock held). -1 total on a database error. */
static int64_t run_search(fh_portal *p, const fh_otype *t, const plan *pl, fh_rowset *rs)
{
    store_lag_purge(p->store, time_now_ms());
    const char *src = source_sql(p);
    strbuf where = {0}, sql = {0};
    where_sql(pl, &where);
    strbuf_printf(&sql, "SELECT count(*) FROM %s%s", src, strbuf_str(&where));
    sqlite3 *db = store_db(p->store);
    sqlite3_stmt *st = NULL;
    int64_t total = -1;
    if (sqlite3_prepare_v2(db, strbuf_str(&sql), -1, &st, NULL) == SQLITE_OK) {
        bind_where(st, t, pl);
        if (sqlite3_step(st) == SQLITE_ROW)
            total = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    st = NULL;
    strbuf_reset(&sql);
    strbuf_printf(&sql, "SELECT rid, created, updated, archived, archived_at, props FROM %s%s",
                  src, strbuf_str(&where));
    order_sql(pl, &sql);
    strbuf_puts(&sql, " LIMIT ? OFFSET ?");
    if (total >= 0 && sqlite3_prepare_v2(db, strbuf_str(&sql), -1, &st, NULL) == SQLITE_OK) {
        int k = bind_where(st, t, pl);
        if (pl->sort_prop && pl->sort_prop->special == SP_NONE) {
            sqlite3_bind_pointer(st, k++, (void *)&pl->sort, "fh_sortkey", NULL);
            sqlite3_bind_pointer(st, k++, (void *)&pl->sort, "fh_sortkey", NULL);
        }
        sqlite3_bind_int(st, k++, pl->limit);
        sqlite3_bind_int64(st, k++, pl->offset);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            rowset_add_stmt(rs, st);
        if (rc != SQLITE_DONE)
            total = -1;
    } else {
        total = -1;
    }
    sqlite3_finalize(st);
    strbuf_free(&where);
    strbuf_free(&sql);
    return total;
}

void h_search(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    json_t *body = req_body_empty(r) ? NULL : req_json(r);
    if (!t)
        return;
    if (!req_body_empty(r) && !json_is_object(body)) {
        herr_bad_json(r);
        return;
    }
    fh_settings s = portal_settings(p);
    plan pl;
    memset(&pl, 0, sizeof pl);
    strbuf err = {0};
    fh_rowset rs = {0};
    portal_lock(p);
    bool ok = compile_groups(t, json_object_get(body, "filterGroups"), &s, &pl, &err) &&
              compile_sort(t, json_object_get(body, "sorts"), &pl, &err) &&
              compile_query(t, json_object_get(body, "query"), &pl, &err) &&
              compile_paging(body, &pl, &err);
    int64_t total = 0;
    if (ok) {
        readopts_from_body(body, t, &pl.o);
        total = run_search(p, t, &pl, &rs);
    }
    portal_unlock(p);
    if (!ok && pl.vague_error) {
        herr_send(r, 400, NULL, strbuf_str(&err), NULL);
    } else if (!ok) {
        herr_bad_request(r, "%s", strbuf_str(&err));
    } else if (total < 0) {
        herr_send(r, 500, "INTERNAL_ERROR", "search failed", NULL);
    } else {
        strbuf *sb = &r->out;
        strbuf_reset(sb);
        strbuf_puts(sb, "{\"total\":");
        jw_i64(sb, total);
        strbuf_puts(sb, ",\"results\":[");
        for (size_t i = 0; i < rs.n; i++) {
            if (i)
                strbuf_putc(sb, ',');
            record_json(sb, t, &rs, &rs.rows[i], &pl.o, NULL);
        }
        strbuf_putc(sb, ']');
        int64_t next = pl.offset + (int64_t)rs.n;
        if (rs.n > 0 && next < total) {
            strbuf_puts(sb, ",\"paging\":{\"next\":{\"after\":");
            jw_i64str(sb, next);
            strbuf_puts(sb, "}}");
        }
        strbuf_putc(sb, '}');
        resp_out(r, 200);
    }
    strbuf_free(&err);
    rowset_free(&rs);
    plan_free(&pl);
}
