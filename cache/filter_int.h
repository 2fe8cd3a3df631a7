/* filter_int.h — compiling filters for the cache (SQL) and for HubSpot,
 * and the typed sort/compare keys both compilers and query.c share. */
#ifndef HUBTUI_CACHE_FILTER_INT_H
#define HUBTUI_CACHE_FILTER_INT_H

#include "filter.h"
#include "meta.h"
#include "store_int.h"

/* How a property compares and sorts. */
typedef enum key_kind {
    KEY_TEXT,       /* case-insensitive text (strings, enumerations, bools, phones) */
    KEY_NUMBER,     /* CAST(col AS REAL) */
    KEY_DATE,       /* YYYY-MM-DD text, chronological as text */
    KEY_DATETIME,   /* julianday(col) */
    KEY_ID,         /* the record id */
    KEY_MS,         /* createdAt / updatedAt (epoch ms columns) */
} key_kind;

typedef struct prop_key {
    const prop_def *def;        /* NULL for id/createdAt/updatedAt */
    key_kind        kind;
    char           *col;        /* SQL for the raw value ("NULL" when no column yet) */
    char           *key;        /* SQL for the typed key */
    char           *remote;     /* the HubSpot property name */
    char           *index_tag;  /* short name for an index on this key */
    bool            multi, owner, stage, pipeline;
} prop_key;

/* Resolve a property (or id, hs_object_id, createdAt, updatedAt) of m.
 * HT_NOT_FOUND (with a message) when m has no such property. */
ht_status filter_prop_key(store *st, const objmeta *m, const char *name, prop_key *out,
                          ht_error *err);
void prop_key_clear(prop_key *k);

typedef struct typed_value {
    char   *text;               /* normalised text (option value, owner id, "true") */
    double  num;
    int64_t ms;                 /* dates and date-times */
    bool    whole_day;          /* a date given for a date-time: the whole UTC day */
} typed_value;

/* Convert a filter value for a property and operator; HT_INVALID with a
 * column on a mistake. */
ht_status filter_typed_value(store *st, const objmeta *m, const prop_key *k,
                             const filter_value *v, filter_op op, typed_value *out,
                             ht_error *err, int *col);
void typed_value_clear(typed_value *v);

typedef enum sql_param_kind { SP_TEXT, SP_DOUBLE, SP_INT } sql_param_kind;

typedef struct sql_param {
    sql_param_kind kind;
    char          *text;
    double         d;
    int64_t        i;
} sql_param;

/* A quick-search term's matches, materialised once per query into a temp
 * table (so pages never re-run the full-text query). */
typedef struct text_set {
    char *table;                /* temp table name */
    char *match;                /* its FTS5 MATCH expression */
} text_set;

typedef struct filter_sql {
    strbuf     where;           /* an SQL expression with ? placeholders */
    sql_param *params;
    size_t     nparams;
    text_set  *sets;            /* with a set prefix: the temp tables to fill */
    size_t     nsets;
} filter_sql;

/* Compile f for m's record table (NULL f gives "1"). Never splices user
 * text into SQL: every value is a parameter. keep_indexed non-NULL masks
 * every other property's column with unary '+', so SQLite cannot drive the
 * query from those columns' indexes (only from keep_indexed's, the sort). */
ht_status filter_compile_sql(store *st, const objmeta *m, const filter *f,
                             const char *keep_indexed, filter_sql *out, ht_error *err,
                             int *col);
/* The same, naming quick-search matches temp tables "<set_prefix>_<n>"
 * (listed in out->sets, for the caller to fill) instead of subqueries. */
ht_status filter_compile_sql_sets(store *st, const objmeta *m, const filter *f,
                                  const char *keep_indexed, const char *set_prefix,
                                  filter_sql *out, ht_error *err, int *col);
/* Rewrite k's SQL so no index can serve it ("+col"). */
void prop_key_mask(prop_key *k);
/* Bind the parameters starting at placeholder index first; returns the next index. */
int filter_sql_bind(const filter_sql *fs, sqlite3_stmt *s, int first);
void filter_sql_clear(filter_sql *fs);
void filter_sql_add_param(filter_sql *fs, sql_param p);

/* The FTS5 MATCH expression for quick-search words (prefix match on every
 * token, tokenised exactly as the index is); "" when there are no tokens. */
ht_status filter_fts_match(store *st, const char *text, char **match, ht_error *err);

#endif
