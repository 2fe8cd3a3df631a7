/* config.h — fakehub's settings and the parsers for their textual forms,
 * shared by the command line and POST /_fakehub/config. */
#ifndef FAKEHUB_CONFIG_H
#define FAKEHUB_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fh_fault_spec {
    double p5xx, p429, preset, ptruncate;   /* probabilities per request */
    int    latency_min_ms, latency_max_ms;  /* 0-0 = none */
} fh_fault_spec;

/* Settings that may change while fakehub runs. */
typedef struct fh_settings {
    bool    rate_on;
    int     rate_max, rate_window_ms;        /* per app, rolling */
    int     search_max, search_window_ms;    /* per portal, rolling; max 0 = off */
    int64_t daily_max;                       /* per portal per day; 0 = off */
    int     search_lag_ms;
    bool    strict_lifecycle, retry_after;
    int     cap_groups, cap_per_group, cap_total;
    fh_fault_spec faults;
} fh_settings;

/* HubSpot's defaults: a private app on Starter. */
void settings_defaults(fh_settings *s);
/* "100/10000" or "off". */
bool config_parse_rate(const char *s, fh_settings *out);
/* "5/1" (requests per seconds) or "off". */
bool config_parse_search_rate(const char *s, fh_settings *out);
/* "5xx=0.1,429=0.05,reset=0.02,truncate=0.01,latency=20-200" or "off". */
bool config_parse_faults(const char *s, fh_fault_spec *out);
/* "5/10/25" (groups / filters per group / filters in total). */
bool config_parse_caps(const char *s, fh_settings *out);
/* The settings as JSON (the shape /_fakehub/config accepts). */
json_t *settings_json(const fh_settings *s);
/* Apply the keys present in j; on a bad value leaves s untouched, writes a
 * message to err and returns false. */
bool settings_apply_json(fh_settings *s, const json_t *j, char *err, size_t errlen);

#endif
