#include "portal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "search.h"

#define HOUR_MS INT64_C(3600000)

/* Days since the epoch of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The day (since the epoch) of the n-th Sunday of a month (n >= 1). */
static int64_t nth_sunday(int64_t year, int month, int n)
{
    int64_t first = days_from_civil(year, month, 1);
    int64_t weekday = (first + 4) % 7;   /* 1970-01-01 was a Thursday; 0 = Sunday */
    if (weekday < 0)
        weekday += 7;
    return first + (7 - weekday) % 7 + (n - 1) * 7;
}

const char *portal_time_zone(void)
{
    return "US/Eastern";
}

/* US Eastern: UTC-5, or UTC-4 from the second Sunday of March 02:00 local
 * to the first Sunday of November 02:00 local. */
int64_t portal_utc_offset_ms(int64_t ms)
{
    int64_t days = ms / 86400000;
    int64_t year = 1970 + days / 365;   /* close enough; corrected below */
    while (days_from_civil(year, 1, 1) > days)
        year--;
    while (days_from_civil(year + 1, 1, 1) <= days)
        year++;
    int64_t start = nth_sunday(year, 3, 2) * 86400000 + 7 * HOUR_MS;
    int64_t end = nth_sunday(year, 11, 1) * 86400000 + 6 * HOUR_MS;
    return ms >= start && ms < end ? -4 * HOUR_MS : -5 * HOUR_MS;
}

int64_t portal_day(int64_t ms)
{
    int64_t local = ms + portal_utc_offset_ms(ms);
    return local >= 0 ? local / 86400000 : -((-local + 86399999) / 86400000);
}

fh_settings portal_settings(fh_portal *p)
{
    pthread_mutex_lock(&p->settings_lock);
    fh_settings s = p->settings;
    pthread_mutex_unlock(&p->settings_lock);
    return s;
}

void portal_set_settings(fh_portal *p, const fh_settings *s)
{
    pthread_mutex_lock(&p->settings_lock);
    p->settings = *s;
    pthread_mutex_unlock(&p->settings_lock);
}

int64_t portal_write_clock(fh_portal *p)
{
    int64_t now = time_now_ms();
    if (now < p->clock_ms)
        now = p->clock_ms;
    p->clock_ms = now;
    return now;
}

static void save_json(fh_portal *p, const char *key, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    if (text)
        store_kv_set(p->store, "meta", key, text);
    free(text);
    json_decref(j);
}

bool portal_save_meta(fh_portal *p)
{
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)p->opt.seed);
    json_t *next = json_object();
    for (int i = 0; i < p->model.n_types; i++)
        json_object_set_new(next, p->model.types[i]->name,
                            json_integer(p->model.types[i]->next_id));
    bool ok = store_kv_set(p->store, "meta", "generated", "1") &&
              store_kv_set(p->store, "meta", "seed", seed);
    save_json(p, "next_ids", next);
    save_json(p, "custom_props", model_custom_props_json(&p->model));
    save_json(p, "labels", atypes_saved_json(&p->atypes));
    save_json(p, "custom_groups", model_custom_groups_json(&p->model));
    return ok;
}

static json_t *load_json(fh_portal *p, const char *key)
{
    char *text = store_kv_get(p->store, "meta", key);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return j;
}

/* Rebuild the metadata of a saved portal. */
static void load_saved(fh_portal *p)
{
    char *seed = store_kv_get(p->store, "meta", "seed");
    int64_t s;
    if (seed && str_to_i64(seed, &s) && (uint64_t)s != p->opt.seed) {
        /* Owners come from the seed the data was made with. */
        p->opt.seed = (uint64_t)s;
        model_free(&p->model);
        model_init(&p->model, p->opt.portal_id, p->opt.seed);
    }
    free(seed);
    json_t *groups = load_json(p, "custom_groups");
    if (groups)
        model_load_custom_groups(&p->model, groups);
    json_decref(groups);
    json_t *props = load_json(p, "custom_props");
    if (props)
        model_load_custom_props(&p->model, props);
    json_decref(props);
    json_t *labels = load_json(p, "labels");
    if (labels)
        atypes_load(&p->atypes, labels);
    json_decref(labels);
    json_t *next = load_json(p, "next_ids");
    for (int i = 0; i < p->model.n_types; i++) {
        fh_otype *t = p->model.types[i];
        json_t *v = json_object_get(next, t->name);
        int64_t max_next = store_max_id(p->store, t->tidx) + 1;
        t->next_id = json_is_integer(v) && json_integer_value(v) > max_next
            ? json_integer_value(v) : max_next;
    }
    json_decref(next);
}

bool portal_regenerate(fh_portal *p, char *err, size_t errlen)
{
    if (!store_wipe(p->store)) {
        snprintf(err, errlen, "cannot wipe the store: %s", store_errmsg(p->store));
        return false;
    }
    /* The model stays (handlers may hold its definitions); only what the
     * API added goes. Owners and types come from the same seed anyway. */
    model_reset_dynamic(&p->model);
    atypes_free(&p->atypes);
    atypes_init(&p->atypes);
    if (!generator_run(p, err, errlen))
        return false;
    return portal_save_meta(p) && store_create_indexes(p->store);
}

static bool open_data(fh_portal *p, char *err, size_t errlen)
{
    int64_t t0 = time_mono_ms();
    p->store = store_open(p->opt.db_path, err, errlen);
    if (!p->store)
        return false;
    if (!search_register(store_db(p->store))) {
        snprintf(err, errlen, "cannot register the search functions");
        return false;
    }
    char *generated = store_kv_get(p->store, "meta", "generated");
    bool ok;
    if (generated) {
        load_saved(p);
        ok = store_create_indexes(p->store);
    } else {
        ok = generator_run(p, err, errlen) && portal_save_meta(p);
        int64_t t1 = time_mono_ms();
        ok = ok && store_create_indexes(p->store);
        if (getenv("FAKEHUB_PROFILE"))
            fprintf(stderr, "fakehub: %-22s %6lld ms\n", "indexes", (long long)(time_mono_ms() - t1));
    }
    free(generated);
    p->gen_seconds = (double)(time_mono_ms() - t0) / 1000.0;
    return ok;
}

bool portal_init(fh_portal *p, const fh_options *opt, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    err[0] = '\0';
    p->opt = *opt;
    p->settings = opt->settings;
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->settings_lock, NULL);
    pthread_mutex_init(&p->log_lock, NULL);
    model_init(&p->model, opt->portal_id, opt->seed);
    atypes_init(&p->atypes);
    p->auth = auth_new(opt->tokens, opt->n_tokens, opt->scope_specs, opt->n_scope_specs,
                       opt->oauth_client, opt->token_ttl_s, opt->portal_id, err, errlen);
    if (!p->auth)
        return false;
    if (!open_data(p, err, errlen))
        return false;
    p->limiter = limiter_new();
    p->faults = faults_new(p->opt.seed);
    p->stats = stats_new();
    if (opt->log_path) {
        p->log = fopen(opt->log_path, "a");
        if (!p->log) {
            snprintf(err, errlen, "cannot open log %s", opt->log_path);
            return false;
        }
    }
    return true;
}

void portal_free(fh_portal *p)
{
    if (p->store && p->opt.db_path) {
        portal_save_meta(p);
        sqlite3_exec(store_db(p->store), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    }
    store_close(p->store);
    model_free(&p->model);
    atypes_free(&p->atypes);
    auth_free(p->auth);
    limiter_free(p->limiter);
    faults_free(p->faults);
    stats_free(p->stats);
    if (p->log)
        fclose(p->log);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->settings_lock);
    pthread_mutex_destroy(&p->log_lock);
    memset(p, 0, sizeof *p);
}
