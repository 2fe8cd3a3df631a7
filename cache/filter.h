/* filter.h — the filter language shared by the TUI's `/`, `hubtui search`
 * and `hubtui export --filter`.
 *
 *   lifecyclestage = lead and (city ~ "new york" or hs_lead_status = NEW)
 *   createdate > 2024-05-01   hubspot_owner_id in (101, "Ana Diaz")
 *   has phone   !has email   ann lee            (bare words: quick search)
 *
 * Operators: = != < <= > >= ~ (contains) in (a, b), has PROP, !has PROP,
 * and, or (and binds tighter), parentheses; adjacent terms are ANDed.
 * Values are bare words, "quoted strings" (or 'single-quoted'; escapes \" \'
 * \\ \n \t) or numbers; dates are YYYY-MM-DD or ISO date-times. Words with
 * no operator form a quick full-text search (FTS locally, `query` remotely).
 * Keywords (and, or, in, has) are case-insensitive; property names are
 * HubSpot's internal names, matched exactly. (Examples are contacts'.)
 *
 * Meaning depends on each property's type (from the stored definitions):
 * numbers compare numerically, dates and date-times chronologically, text
 * case-insensitively; enumerations accept an option's value or label;
 * owner properties accept an owner's id, email or name; a date-only value on
 * a date-time property means that whole day (UTC): `createdate = 2024-05-01`
 * is the day, `> 2024-05-01` is after it. `!=` also matches records where
 * the property is empty (like HubSpot's NEQ).
 *
 * Every mistake comes back as HT_INVALID with a message naming its 1-based
 * column ("column 12: expected a value after '>'") and the column itself. */
#ifndef HUBTUI_CACHE_FILTER_H
#define HUBTUI_CACHE_FILTER_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "store.h"

typedef enum filter_op {
    FOP_EQ, FOP_NEQ, FOP_LT, FOP_LTE, FOP_GT, FOP_GTE,
    FOP_CONTAINS, FOP_IN, FOP_HAS, FOP_NOT_HAS,
} filter_op;

typedef enum filter_kind { FK_AND, FK_OR, FK_CMP, FK_TEXT } filter_kind;

typedef struct filter_value {
    char *text;
    bool  quoted;
    int   col;                      /* 1-based column where it starts */
} filter_value;

/* The parsed expression (a tree). */
typedef struct filter {
    filter_kind     kind;
    int             col;            /* where this node starts */
    struct filter **kids;           /* FK_AND / FK_OR: two or more */
    size_t          nkids;
    char           *prop;           /* FK_CMP */
    filter_op       op;
    int             op_col;
    filter_value   *values;         /* one for comparisons, several for in, none for has */
    size_t          nvalues;
    char           *text;           /* FK_TEXT: the words, space-separated */
} filter;

/* Parse text. *out is NULL (and HT_OK) for a blank filter. On a mistake
 * returns HT_INVALID, fills err and *col (may be NULL) with its column. */
ht_status filter_parse(const char *text, filter **out, ht_error *err, int *col);
void filter_free(filter *f);
/* A canonical rendering ("(a = \"1\" and has b)"), for tests and logs. */
char *filter_describe(const filter *f);
/* Does the expression contain a quick-search term? */
bool filter_has_text(const filter *f);

/* Turn the expression into a HubSpot search request's parts for an object
 * type: *filter_groups (a JSON array, new reference) in disjunctive normal
 * form within HubSpot's limits (5 groups, 6 filters per group, 18 in all),
 * and *query (the quick-search words, or NULL; caller frees). Quick search
 * must be ANDed with the rest (HubSpot has one `query` per request). "too
 * complex for HubSpot search" and type mistakes come back as HT_INVALID
 * with a column. f NULL gives an empty array. */
ht_status filter_to_hubspot(store *st, const char *object, const filter *f,
                            json_t **filter_groups, char **query, ht_error *err, int *col);

#endif
