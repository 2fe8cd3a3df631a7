/* search.h — CRM search (POST /crm/v3/objects/{t}/search) support that the
 * store needs at start-up: the SQL functions search queries call. */
#ifndef FAKEHUB_SEARCH_H
#define FAKEHUB_SEARCH_H

#include <sqlite3.h>
#include <stdbool.h>

/* Register fh_filter, fh_query and fh_sortkey on the connection. */
bool search_register(sqlite3 *db);

#endif
