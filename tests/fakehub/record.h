/* record.h — reading records: which properties a read returns, the extra
 * parts fetched under the lock (history, embedded associations), and the
 * record JSON written after the lock is released. */
#ifndef FAKEHUB_RECORD_H
#define FAKEHUB_RECORD_H

#include <jansson.h>
#include <stdbool.h>

#include "http.h"
#include "model.h"
#include "store.h"

/* Properties to return, as indexes sorted by property name. */
typedef struct fh_propsel {
    int   n;
    short idx[FH_MAX_PROPS];
} fh_propsel;

/* What a read asks for (from query arguments or a request body). */
typedef struct fh_readopts {
    int        n_props;        /* the type's property count when the read began */
    fh_propsel props;
    fh_propsel hist;           /* propertiesWithHistory (n == 0: none) */
    int        assoc[FH_MAX_TYPES];
    int        n_assoc;
    bool       all_props;      /* every property (dump) */
} fh_readopts;

/* The defaults of t (or every property), plus hs_object_id, created and
 * last-modified. */
void propsel_defaults(const fh_otype *t, fh_propsel *s);
void propsel_all(const fh_otype *t, fh_propsel *s);
/* Add comma-separated names; unknown ones are ignored. */
void propsel_add_csv(const fh_otype *t, fh_propsel *s, const char *csv);
/* Sort by name and drop duplicates. */
void propsel_finish(const fh_otype *t, fh_propsel *s);

/* Read options from ?properties, ?propertiesWithHistory, ?associations
 * (repeated or comma-separated). Lock held (reads the model). */
void readopts_from_query(const fh_req *r, const fh_model *m, const fh_otype *t, fh_readopts *o);
/* Read options from a body's "properties" and "propertiesWithHistory"
 * arrays. Lock held. */
void readopts_from_body(const json_t *body, const fh_otype *t, fh_readopts *o);

/* Render ,"propertiesWithHistory":{…} and ,"associations":{…} for each
 * row (lock held). Returns NULL when the read asked for neither; else an
 * array of rs->n strings the caller frees with extras_free. */
char **record_extras(fh_portal *p, const fh_otype *t, const fh_rowset *rs, const fh_readopts *o);
void extras_free(char **x, size_t n);

/* Write one record's JSON. extra may be NULL. */
void record_json(strbuf *sb, const fh_otype *t, const fh_rowset *rs, const fh_row *row,
                 const fh_readopts *o, const char *extra);

/* Parse a record id from a path or body ("123"); false when not an id. */
bool parse_record_id(const char *s, int64_t *id);
/* Find the row id for an id, or for a unique property's value when
 * id_property is given and is not hs_object_id. Lock held. Returns 1 found,
 * 0 not found, -1 when id_property is not a unique property of t. */
int resolve_id(fh_portal *p, const fh_otype *t, const char *id, const char *id_property,
               int64_t *rid);

#endif
