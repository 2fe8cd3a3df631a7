#include "stats.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_STATUSES 24

typedef struct status_count {
    int     status;
    int64_t count;
} status_count;

typedef struct counts {
    int64_t      total;
    status_count by[MAX_STATUSES];
    int          n;
} counts;

typedef struct endpoint {
    const char *name;
    counts      c;
} endpoint;

struct fh_stats {
    pthread_mutex_t lock;
    counts          all;
    endpoint       *eps;
    size_t          n_eps, cap_eps;
};

fh_stats *stats_new(void)
{
    fh_stats *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void stats_free(fh_stats *s)
{
    if (!s)
        return;
    free(s->eps);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static void count(counts *c, int status)
{
    c->total++;
    for (int i = 0; i < c->n; i++)
        if (c->by[i].status == status) {
            c->by[i].count++;
            return;
        }
    if (c->n < MAX_STATUSES)
        c->by[c->n++] = (status_count){status, 1};
}

void stats_record(fh_stats *s, const char *endpoint_name, int status)
{
    pthread_mutex_lock(&s->lock);
    count(&s->all, status);
    endpoint *ep = NULL;
    for (size_t i = 0; i < s->n_eps && !ep; i++)
        if (s->eps[i].name == endpoint_name || strcmp(s->eps[i].name, endpoint_name) == 0)
            ep = &s->eps[i];
    if (!ep) {
        if (s->n_eps == s->cap_eps) {
            s->cap_eps = s->cap_eps ? s->cap_eps * 2 : 32;
            s->eps = xrealloc(s->eps, sizeof *s->eps * s->cap_eps);
        }
        ep = &s->eps[s->n_eps++];
        memset(ep, 0, sizeof *ep);
        ep->name = endpoint_name;
    }
    count(&ep->c, status);
    pthread_mutex_unlock(&s->lock);
}

static json_t *by_status(const counts *c)
{
    json_t *j = json_object();
    for (int i = 0; i < c->n; i++) {
        char key[16];
        snprintf(key, sizeof key, "%d", c->by[i].status);
        json_object_set_new(j, key, json_integer(c->by[i].count));
    }
    return j;
}

json_t *stats_json(fh_stats *s)
{
    pthread_mutex_lock(&s->lock);
    json_t *eps = json_object();
    for (size_t i = 0; i < s->n_eps; i++)
        json_object_set_new(eps, s->eps[i].name,
                            json_pack("{s:I, s:o}", "total", (json_int_t)s->eps[i].c.total,
                                      "byStatus", by_status(&s->eps[i].c)));
    int64_t limited = 0;
    for (int i = 0; i < s->all.n; i++)
        if (s->all.by[i].status == 429)
            limited = s->all.by[i].count;
    json_t *j = json_pack("{s:I, s:o, s:o, s:I}", "total", (json_int_t)s->all.total,
                          "byStatus", by_status(&s->all), "byEndpoint", eps,
                          "rateLimited", (json_int_t)limited);
    pthread_mutex_unlock(&s->lock);
    return j;
}

void stats_reset(fh_stats *s)
{
    pthread_mutex_lock(&s->lock);
    memset(&s->all, 0, sizeof s->all);
    s->n_eps = 0;
    pthread_mutex_unlock(&s->lock);
}
