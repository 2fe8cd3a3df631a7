/* stats.h — request counts for GET /_fakehub/stats: in total, by status,
 * and by endpoint template ("GET /crm/v3/objects/{objectType}") and status.
 * Status 0 stands for a connection dropped on purpose (reset fault).
 * Thread-safe (own lock). */
#ifndef FAKEHUB_STATS_H
#define FAKEHUB_STATS_H

#include <jansson.h>

typedef struct fh_stats fh_stats;

fh_stats *stats_new(void);
void stats_free(fh_stats *s);
/* Count one request; endpoint must outlive the stats (route templates do). */
void stats_record(fh_stats *s, const char *endpoint, int status);
/* {"total", "byStatus", "byEndpoint", "rateLimited"} (new reference). */
json_t *stats_json(fh_stats *s);
void stats_reset(fh_stats *s);

#endif
