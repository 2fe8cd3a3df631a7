/* format.h — property values as people read them.
 *
 * The cache keeps HubSpot's raw strings ("2024-05-01T13:30:00.000Z",
 * "appointmentscheduled", "101", "12500"); lists and the record detail show
 * them formatted by the property's type: date-times in the portal's time
 * zone, amounts with their currency, enumeration and pipeline-stage labels,
 * owner names, yes/no, digits grouped. Each value also gets a style that the
 * views map to a theme role (a won deal stage, an e-mail address).
 *
 * Pure: no curses, no SQL (owner names come through a callback). */
#ifndef HUBTUI_FORMAT_H
#define HUBTUI_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "meta.h"
#include "tz.h"
#include "util.h"

typedef enum fmt_style {
    FMT_EMPTY,       /* no value */
    FMT_TEXT,
    FMT_NUMBER,
    FMT_CURRENCY,
    FMT_DATE,
    FMT_EMAIL,
    FMT_OWNER,
    FMT_BOOL,
    FMT_ENUM,
    FMT_STAGE_OPEN,  /* a pipeline stage still in play */
    FMT_STAGE_WON,   /* closed won (deals), closed (tickets) */
    FMT_STAGE_LOST,  /* closed lost */
} fmt_style;

/* An owner's display name for an owner id, or NULL when unknown. The
 * string stays valid until the next call. */
typedef const char *(*fmt_owner_fn)(void *ud, const char *owner_id);

typedef struct fmt_ctx {
    const objmeta *m;      /* the object type the values belong to */
    const tz *zone;        /* the portal's zone; NULL: UTC */
    const char *currency;  /* the company currency (ISO code); NULL: none shown */
    fmt_owner_fn owner;    /* NULL: owner ids stay ids */
    void *owner_ud;
    bool with_zone;        /* date-times end with the zone ("14:30 EDT") */
} fmt_ctx;

/* What else of the record a value's meaning depends on. */
typedef struct fmt_record {
    const char *currency_code; /* the record's currency property value, or NULL */
    const char *pipeline_id;   /* the record's pipeline, to name its stages; or NULL */
} fmt_record;

/* Append the value of p formatted for people and return its style. value
 * NULL or "" appends nothing (FMT_EMPTY); rec may be NULL. Unknown option
 * values, owners and stages show as they are. */
fmt_style fmt_value(const fmt_ctx *c, const prop_def *p, const char *value,
                    const fmt_record *rec, strbuf *out);

/* "1234567.5" → "1,234,567.5"; text that is not a plain number is copied. */
void fmt_group_digits(const char *number, strbuf *out);
/* "12500" in USD → "$12,500"; "99.5" → "$99.50"; unknown codes → "12,500 NOK". */
void fmt_money(const char *number, const char *currency, strbuf *out);
/* Epoch ms in zone: "2024-05-01 09:30", with_zone adds " EDT"; date_only
 * gives "2024-05-01" (the local day). */
void fmt_datetime(int64_t epoch_ms, const tz *zone, bool date_only, bool with_zone,
                  strbuf *out);
/* Is p an amount of money (shown with a currency)? */
bool fmt_is_money(const prop_def *p);

/* Read what a person typed for a date-time in the portal's zone: a date and
 * time without a zone ("2024-05-01 14:30", "2024-05-01T14:30:05") becomes
 * ISO-8601 UTC in *iso (caller frees) and true. Anything else (a zone
 * given, a bare date, junk) returns false and is left for validation. */
bool fmt_parse_local_datetime(const tz *zone, const char *input, char **iso);
/* A date-time value as the editor offers it: local time with its offset
 * ("2024-05-01 09:30-04:00"), which reads back unchanged. */
void fmt_datetime_input(int64_t epoch_ms, const tz *zone, strbuf *out);

#endif
