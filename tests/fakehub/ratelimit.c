#include "ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Timestamps of the requests inside one rolling window, oldest first. */
typedef struct window {
    int64_t *ts;
    size_t   head, count, cap;
    int      peak;
} window;

typedef struct app_window {
    int64_t app_id;
    window  w;
} app_window;

struct fh_limiter {
    pthread_mutex_t lock;
    app_window     *apps;
    size_t          n_apps;
    window          search;
    int64_t         day, daily_used;
};

static void window_expire(window *w, int64_t now, int span_ms)
{
    while (w->count && w->ts[w->head] <= now - span_ms) {
        w->head = (w->head + 1) % w->cap;
        w->count--;
    }
}

static void window_push(window *w, int64_t now)
{
    if (w->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 128;
        int64_t *ts = xmalloc(sizeof *ts * cap);
        for (size_t i = 0; i < w->count; i++)
            ts[i] = w->ts[(w->head + i) % w->cap];
        free(w->ts);
        w->ts = ts;
        w->head = 0;
        w->cap = cap;
    }
    w->ts[(w->head + w->count) % w->cap] = now;
    w->count++;
    if ((int)w->count > w->peak)
        w->peak = (int)w->count;
}

/* Seconds until the oldest request leaves the window (at least 1). */
static int window_wait_s(const window *w, int64_t now, int span_ms)
{
    if (!w->count)
        return 1;
    int64_t wait = w->ts[w->head] + span_ms - now;
    return wait <= 1000 ? 1 : (int)((wait + 999) / 1000);
}

static void window_clear(window *w)
{
    free(w->ts);
    memset(w, 0, sizeof *w);
}

fh_limiter *limiter_new(void)
{
    fh_limiter *l = xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

void limiter_free(fh_limiter *l)
{
    if (!l)
        return;
    limiter_reset(l);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

static window *app_window_for(fh_limiter *l, int64_t app_id)
{
    for (size_t i = 0; i < l->n_apps; i++)
        if (l->apps[i].app_id == app_id)
            return &l->apps[i].w;
    l->apps = xrealloc(l->apps, sizeof *l->apps * (l->n_apps + 1));
    app_window *a = &l->apps[l->n_apps++];
    memset(a, 0, sizeof *a);
    a->app_id = app_id;
    return &a->w;
}

static fh_rl_result admit_locked(fh_limiter *l, const fh_settings *s, const fh_principal *who,
                                 fh_rl_kind kind, int64_t now, fh_rl_info *info)
{
    bool daily_applies = !who->oauth && s->daily_max > 0;
    window *w = app_window_for(l, who->app_id);
    window_expire(w, now, s->rate_window_ms);
    window_expire(&l->search, now, s->search_window_ms);
    /* The window headers describe the ten-secondly window, which exempt
     * calls are no part of; the daily pair still applies to them. */
    info->window_headers = kind == RL_NORMAL && s->rate_on;
    info->max = s->rate_max;
    info->interval_ms = s->rate_window_ms;
    info->daily_headers = kind != RL_SEARCH && daily_applies;
    info->daily_max = s->daily_max;

    if (daily_applies && l->daily_used >= s->daily_max)
        return RL_DAILY;
    if (kind == RL_SEARCH && s->search_max > 0 && (int)l->search.count >= s->search_max) {
        info->retry_after_s = window_wait_s(&l->search, now, s->search_window_ms);
        return RL_SECONDLY;
    }
    if (kind == RL_NORMAL && s->rate_on && (int)w->count >= s->rate_max) {
        info->retry_after_s = window_wait_s(w, now, s->rate_window_ms);
        return RL_TEN_SECONDLY;
    }
    if (kind == RL_SEARCH)
        window_push(&l->search, now);
    else if (kind == RL_NORMAL)
        window_push(w, now);
    if (!who->oauth)
        l->daily_used++;
    return RL_OK;
}

fh_rl_result limiter_admit(fh_limiter *l, const fh_settings *s, const fh_principal *who,
                           fh_rl_kind kind, int64_t now_mono, int64_t day, fh_rl_info *info)
{
    memset(info, 0, sizeof *info);
    pthread_mutex_lock(&l->lock);
    if (day != l->day) {
        l->day = day;
        l->daily_used = 0;
    }
    fh_rl_result r = admit_locked(l, s, who, kind, now_mono, info);
    window *w = app_window_for(l, who->app_id);
    int remaining = s->rate_max - (int)w->count;
    info->remaining = remaining > 0 ? remaining : 0;
    int64_t dleft = s->daily_max - l->daily_used;
    info->daily_remaining = dleft > 0 ? dleft : 0;
    pthread_mutex_unlock(&l->lock);
    return r;
}

void limiter_reset(fh_limiter *l)
{
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < l->n_apps; i++)
        window_clear(&l->apps[i].w);
    free(l->apps);
    l->apps = NULL;
    l->n_apps = 0;
    window_clear(&l->search);
    l->daily_used = 0;
    pthread_mutex_unlock(&l->lock);
}

int64_t limiter_daily_used(fh_limiter *l, int64_t day)
{
    pthread_mutex_lock(&l->lock);
    int64_t used = day == l->day ? l->daily_used : 0;
    pthread_mutex_unlock(&l->lock);
    return used;
}

void limiter_stats(fh_limiter *l, int64_t day, json_t *obj)
{
    pthread_mutex_lock(&l->lock);
    int peak = 0;
    json_t *per_app = json_object();
    for (size_t i = 0; i < l->n_apps; i++) {
        if (l->apps[i].w.peak > peak)
            peak = l->apps[i].w.peak;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)l->apps[i].app_id);
        json_object_set_new(per_app, key, json_integer(l->apps[i].w.peak));
    }
    json_object_set_new(obj, "peakWindow", json_integer(peak));
    json_object_set_new(obj, "peakWindowByApp", per_app);
    json_object_set_new(obj, "peakSearchWindow", json_integer(l->search.peak));
    json_object_set_new(obj, "dailyUsed", json_integer(day == l->day ? l->daily_used : 0));
    pthread_mutex_unlock(&l->lock);
}
