/* assoc.h — the association rules shared by the v4 endpoints, object
 * creation with associations and the control API (lock held for all). */
#ifndef FAKEHUB_ASSOC_H
#define FAKEHUB_ASSOC_H

#include <stdbool.h>
#include <stdint.h>

#include "atypes.h"
#include "portal.h"

/* Link from → to with type at and the inverse. A labelled type brings the
 * pair's default type along; a primary type replaces the owner's previous
 * primary. */
bool assoc_link(fh_portal *p, int64_t from, int64_t to, const fh_atype *at);
/* Remove one type (and its inverse); removing the default type removes
 * every label of the pair too. */
bool assoc_unlink_type(fh_portal *p, int64_t from, int64_t to, const fh_atype *at);
/* Remove every association between two records, both directions. */
bool assoc_unlink_pair(fh_portal *p, int64_t a, int64_t b);
/* Does rid exist and is it not archived? */
bool record_live(fh_portal *p, int64_t rid);

#endif
