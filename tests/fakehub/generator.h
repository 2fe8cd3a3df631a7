/* generator.h — fills a fresh portal with realistic, deterministic data.
 *
 * The same seed and counts give the same records, ids, values and
 * associations on every machine. Everything goes in one transaction with
 * prepared statements; property history is not stored (it is synthesised
 * from the record until the first write touches a property). */
#ifndef FAKEHUB_GENERATOR_H
#define FAKEHUB_GENERATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "portal.h"

/* Fill in the counts the command line left at -1, from the contact count. */
void generator_default_counts(fh_counts *c);
/* Generate every record of p->opt.counts into p->store (which must be
 * empty) and set each type's next id. False with err on a database error. */
bool generator_run(fh_portal *p, char *err, size_t errlen);

#endif
