#include "faults.h"

#include <pthread.h>
#include <stdlib.h>

#include "rng.h"
#include "util.h"

struct fh_faults {
    pthread_mutex_t lock;
    fh_rng          rng;
    int64_t         counts[5];
    int64_t         after_write;
};

fh_faults *faults_new(uint64_t seed)
{
    fh_faults *f = xcalloc(1, sizeof *f);
    pthread_mutex_init(&f->lock, NULL);
    f->rng = rng_stream(seed, 0xfa17);
    return f;
}

void faults_free(fh_faults *f)
{
    if (!f)
        return;
    pthread_mutex_destroy(&f->lock);
    free(f);
}

void faults_plan(fh_faults *f, const fh_fault_spec *spec, bool is_write, fh_fault_plan *plan)
{
    static const int statuses[] = {500, 502, 503, 504};
    pthread_mutex_lock(&f->lock);
    plan->kind = FAULT_NONE;
    plan->status = 0;
    plan->after_write = false;
    plan->latency_ms = (int)rng_range(&f->rng, spec->latency_min_ms, spec->latency_max_ms);
    double roll = rng_unit(&f->rng);
    double edge = spec->p5xx;
    if (roll < edge)
        plan->kind = FAULT_5XX;
    else if (roll < (edge += spec->p429))
        plan->kind = FAULT_429;
    else if (roll < (edge += spec->preset))
        plan->kind = FAULT_RESET;
    else if (roll < (edge += spec->ptruncate))
        plan->kind = FAULT_TRUNCATE;
    plan->status = statuses[rng_below(&f->rng, ARRAY_SIZE(statuses))];
    bool coin = rng_below(&f->rng, 2) == 0;
    /* A read's truncated answer is the real one cut short; a write's is
     * either that (after the write) or a gateway error cut short (before). */
    if (plan->kind == FAULT_TRUNCATE)
        plan->after_write = !is_write || coin;
    else if (plan->kind == FAULT_5XX || plan->kind == FAULT_RESET)
        plan->after_write = is_write && coin;
    f->counts[plan->kind]++;
    if (plan->after_write && is_write)
        f->after_write++;
    pthread_mutex_unlock(&f->lock);
}

json_t *faults_stats(fh_faults *f)
{
    pthread_mutex_lock(&f->lock);
    json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I}", "5xx", (json_int_t)f->counts[FAULT_5XX],
                          "429", (json_int_t)f->counts[FAULT_429],
                          "reset", (json_int_t)f->counts[FAULT_RESET],
                          "truncate", (json_int_t)f->counts[FAULT_TRUNCATE],
                          "afterWrite", (json_int_t)f->after_write);
    pthread_mutex_unlock(&f->lock);
    return j;
}

void faults_reset_stats(fh_faults *f)
{
    pthread_mutex_lock(&f->lock);
    for (int i = 0; i < 5; i++)
        f->counts[i] = 0;
    f->after_write = 0;
    pthread_mutex_unlock(&f->lock);
}
