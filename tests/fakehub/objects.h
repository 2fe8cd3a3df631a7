/* objects.h — helpers the object, batch and search handlers share. */
#ifndef FAKEHUB_OBJECTS_H
#define FAKEHUB_OBJECTS_H

#include <jansson.h>
#include <stdbool.h>

#include "http.h"
#include "record.h"
#include "validate.h"

/* The object type named by capture cap; answers 400 and returns NULL when
 * unknown. */
const fh_otype *req_type(fh_req *r, int cap);
/* Parse a limit (def when absent); answers 400 and returns false when it
 * is not an integer in 1..max. */
bool parse_limit(fh_req *r, const char *text, int def, int max, int *out);
/* ?archived=true|false; answers 400 on anything else. */
bool parse_archived(fh_req *r, bool *archived);
/* Append ,"paging":{"next":{"after","link"}} for the next page of path. */
void paging_link(fh_req *r, strbuf *sb, const char *after, const char *path, int limit);
/* Answer with one record; must be called with the lock held and releases it. */
void respond_record(fh_req *r, const fh_otype *t, int64_t rid, fh_readopts *o, int status);
/* The properties a write's answer shows: the defaults and what was written. */
void write_readopts(const fh_otype *t, const fh_changes *ch, fh_readopts *o);
/* Validate a create body's "associations" (lock held); answers 400. */
bool check_create_assocs(fh_req *r, const fh_otype *t, const json_t *assocs);
/* Make the associations of a create body (lock held, in the transaction). */
bool apply_create_assocs(fh_portal *p, int64_t rid, const json_t *assocs);

#endif
