#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void settings_defaults(fh_settings *s)
{
    memset(s, 0, sizeof *s);
    s->rate_on = true;
    s->rate_max = 100;
    s->rate_window_ms = 10000;
    s->search_max = 5;
    s->search_window_ms = 1000;
    s->daily_max = 250000;
    s->cap_groups = 5;
    s->cap_per_group = 10;
    s->cap_total = 25;
    s->search_lag_ms = 1000;
}

/* "N/M" with N, M positive integers. */
static bool parse_pair(const char *s, int64_t *a, int64_t *b)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash)
        return false;
    char left[32];
    size_t n = (size_t)(slash - s);
    if (n == 0 || n >= sizeof left)
        return false;
    memcpy(left, s, n);
    left[n] = '\0';
    return str_to_i64(left, a) && str_to_i64(slash + 1, b) && *a > 0 && *b > 0 &&
           *a <= 100000000 && *b <= 86400000;
}

bool config_parse_rate(const char *s, fh_settings *out)
{
    int64_t n, ms;
    if (s && strcmp(s, "off") == 0) {
        out->rate_on = false;
        return true;
    }
    if (!parse_pair(s, &n, &ms))
        return false;
    out->rate_on = true;
    out->rate_max = (int)n;
    out->rate_window_ms = (int)ms;
    return true;
}

bool config_parse_search_rate(const char *s, fh_settings *out)
{
    int64_t n, secs;
    if (s && strcmp(s, "off") == 0) {
        out->search_max = 0;
        return true;
    }
    if (!parse_pair(s, &n, &secs) || secs > 3600)
        return false;
    out->search_max = (int)n;
    out->search_window_ms = (int)secs * 1000;
    return true;
}

static bool parse_prob(const char *v, double *out)
{
    double d;
    if (!str_to_double(v, &d) || d < 0 || d > 1)
        return false;
    *out = d;
    return true;
}

static bool parse_latency(const char *v, fh_fault_spec *f)
{
    const char *dash = strchr(v, '-');
    int64_t a, b;
    if (dash) {
        char left[32];
        size_t n = (size_t)(dash - v);
        if (n == 0 || n >= sizeof left)
            return false;
        memcpy(left, v, n);
        left[n] = '\0';
        if (!str_to_i64(left, &a) || !str_to_i64(dash + 1, &b))
            return false;
    } else if (str_to_i64(v, &a)) {
        b = a;
    } else {
        return false;
    }
    if (a < 0 || b < a || b > 600000)
        return false;
    f->latency_min_ms = (int)a;
    f->latency_max_ms = (int)b;
    return true;
}

static bool parse_fault_item(const char *item, fh_fault_spec *f)
{
    const char *eq = strchr(item, '=');
    if (!eq)
        return false;
    size_t klen = (size_t)(eq - item);
    const char *v = eq + 1;
    if (klen == 3 && strncmp(item, "5xx", 3) == 0)
        return parse_prob(v, &f->p5xx);
    if (klen == 3 && strncmp(item, "429", 3) == 0)
        return parse_prob(v, &f->p429);
    if (klen == 5 && strncmp(item, "reset", 5) == 0)
        return parse_prob(v, &f->preset);
    if (klen == 8 && strncmp(item, "truncate", 8) == 0)
        return parse_prob(v, &f->ptruncate);
    if (klen == 7 && strncmp(item, "latency", 7) == 0)
        return parse_latency(v, f);
    return false;
}

bool config_parse_faults(const char *s, fh_fault_spec *out)
{
    fh_fault_spec f = {0};
    if (!s)
        return false;
    if (strcmp(s, "off") == 0 || strcmp(s, "none") == 0 || !*s) {
        *out = f;
        return true;
    }
    char *copy = xstrdup(s), *save = NULL;
    bool ok = true;
    for (char *item = strtok_r(copy, ",", &save); item && ok; item = strtok_r(NULL, ",", &save))
        ok = parse_fault_item(item, &f);
    free(copy);
    if (!ok || f.p5xx + f.p429 + f.preset + f.ptruncate > 1.0)
        return false;
    *out = f;
    return true;
}

bool config_parse_caps(const char *s, fh_settings *out)
{
    int g, f, t;
    char extra;
    if (!s || sscanf(s, "%d/%d/%d%c", &g, &f, &t, &extra) != 3 || g < 1 || f < 1 || t < 1)
        return false;
    out->cap_groups = g;
    out->cap_per_group = f;
    out->cap_total = t;
    return true;
}

static char *faults_text(const fh_fault_spec *f)
{
    return xasprintf("5xx=%g,429=%g,reset=%g,truncate=%g,latency=%d-%d", f->p5xx, f->p429,
                     f->preset, f->ptruncate, f->latency_min_ms, f->latency_max_ms);
}

json_t *settings_json(const fh_settings *s)
{
    char *rate = s->rate_on ? xasprintf("%d/%d", s->rate_max, s->rate_window_ms) : xstrdup("off");
    char *search = s->search_max ? xasprintf("%d/%d", s->search_max, s->search_window_ms / 1000)
                                 : xstrdup("off");
    char *caps = xasprintf("%d/%d/%d", s->cap_groups, s->cap_per_group, s->cap_total);
    char *faults = faults_text(&s->faults);
    json_t *j = json_pack("{s:s, s:s, s:I, s:i, s:b, s:b, s:s, s:s}", "rate_limit", rate,
                          "search_rate", search, "daily", (json_int_t)s->daily_max,
                          "search_lag", s->search_lag_ms, "strict_lifecycle", s->strict_lifecycle,
                          "retry_after", s->retry_after, "search_caps", caps, "faults", faults);
    free(rate);
    free(search);
    free(caps);
    free(faults);
    return j;
}

static bool apply_bool(const json_t *j, const char *key, bool *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(j, key);
    if (!v)
        return true;
    if (!json_is_boolean(v)) {
        snprintf(err, errlen, "%s must be true or false", key);
        return false;
    }
    *out = json_is_true(v);
    return true;
}

static bool apply_text(const json_t *j, const char *key, fh_settings *s,
                       bool (*parse)(const char *, fh_settings *), char *err, size_t errlen)
{
    json_t *v = json_object_get(j, key);
    if (!v)
        return true;
    if (!json_is_string(v) || !parse(json_string_value(v), s)) {
        snprintf(err, errlen, "%s: invalid value", key);
        return false;
    }
    return true;
}

static bool apply_int(const json_t *j, const char *key, int64_t max, int64_t *out, char *err,
                      size_t errlen)
{
    json_t *v = json_object_get(j, key);
    if (!v)
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max) {
        snprintf(err, errlen, "%s must be an integer from 0 to %lld", key, (long long)max);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

bool settings_apply_json(fh_settings *s, const json_t *j, char *err, size_t errlen)
{
    if (!json_is_object(j)) {
        snprintf(err, errlen, "the body must be a JSON object");
        return false;
    }
    fh_settings n = *s;
    int64_t daily = n.daily_max, lag = n.search_lag_ms;
    json_t *faults = json_object_get(j, "faults");
    if (faults && (!json_is_string(faults) ||
                   !config_parse_faults(json_string_value(faults), &n.faults))) {
        snprintf(err, errlen, "faults: invalid value");
        return false;
    }
    if (!apply_text(j, "rate_limit", &n, config_parse_rate, err, errlen) ||
        !apply_text(j, "search_rate", &n, config_parse_search_rate, err, errlen) ||
        !apply_text(j, "search_caps", &n, config_parse_caps, err, errlen) ||
        !apply_int(j, "daily", INT64_C(1000000000), &daily, err, errlen) ||
        !apply_int(j, "search_lag", 3600000, &lag, err, errlen) ||
        !apply_bool(j, "strict_lifecycle", &n.strict_lifecycle, err, errlen) ||
        !apply_bool(j, "retry_after", &n.retry_after, err, errlen))
        return false;
    n.daily_max = daily;
    n.search_lag_ms = (int)lag;
    *s = n;
    return true;
}
