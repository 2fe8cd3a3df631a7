/* tz.h — a portal's time zone, so dates show as the portal's users see them.
 *
 * HubSpot gives the account's zone as an IANA name (US/Eastern,
 * Europe/Paris). The C library can only convert through the process-wide
 * TZ variable, which is global state shared with every thread; this module
 * reads the system's compiled zoneinfo file (TZif, RFC 8536) instead and
 * answers offsets for any instant without touching the environment. Instants
 * past the file's last transition follow its POSIX TZ footer rule
 * ("EST5EDT,M3.2.0,M11.1.0"). Unknown zones fall back to UTC. */
#ifndef HUBTUI_TZ_H
#define HUBTUI_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct tz tz;

/* The zone called name from $TZDIR or /usr/share/zoneinfo. NULL, "", "UTC"
 * and "Etc/UTC" give UTC. NULL with err when the zone cannot be read. */
tz *tz_load(const char *name, ht_error *err);
/* The same from a TZif file's bytes (tests). */
tz *tz_from_tzif(const char *name, const unsigned char *data, size_t n, ht_error *err);
/* UTC: never fails. */
tz *tz_utc(void);
/* A zone from a POSIX TZ rule alone ("CET-1CEST,M3.5.0,M10.5.0/3"); NULL when
 * the rule cannot be parsed. */
tz *tz_from_rule(const char *name, const char *rule);
void tz_free(tz *z);

/* The zone's name as given ("US/Eastern"; "UTC"). */
const char *tz_name(const tz *z);
/* Seconds east of UTC at instant t (epoch seconds); *abbr (may be NULL) gets
 * the abbreviation in effect ("EDT", "CET", "+03"). z NULL means UTC. */
int32_t tz_offset_at(const tz *z, int64_t t, const char **abbr);
/* The UTC instant of a local wall-clock time (seconds since the epoch as if
 * the wall time were UTC). In a gap (spring forward) the offset before it
 * applies, so 02:30 becomes 03:30; in an overlap (fall back) the earlier
 * instant wins. */
int64_t tz_local_to_utc(const tz *z, int64_t local);

/* Civil date of a day number (days since 1970-01-01) and back. */
void tz_civil_from_days(int64_t days, int *year, int *month, int *day);
int64_t tz_days_from_civil(int year, int month, int day);

#endif
