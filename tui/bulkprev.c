/* bulkprev.c — what a bulk edit would do. */
#include "bulkprev.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BULK_MAX_GROUPS 64
#define BULK_OTHER "(other values)"

static int option_rank(const prop_def *p, const char *value)
{
    for (size_t i = 0; value && i < p->noptions; i++)
        if (strcmp(p->options[i].value, value) == 0)
            return p->options[i].display_order;
    return -1;
}

static bool lifecycle_rule_applies(const objmeta *m, const prop_def *p)
{
    return strcmp(p->name, "lifecyclestage") == 0 &&
           (strcmp(m->name, "contacts") == 0 || strcmp(m->name, "companies") == 0);
}

bulk_verdict bulk_judge(const objmeta *m, const prop_def *p, bool present, const char *current,
                        const char *pipeline_id, const char *value)
{
    if (!present)
        return BV_SKIP;
    if (str_cmp0(current, value) == 0)
        return BV_SAME;
    if (m->stage_prop && strcmp(p->name, m->stage_prop) == 0 && value) {
        const pipeline *pl = pipeline_id ? objmeta_pipeline(m, pipeline_id) : NULL;
        const pipeline_stage *st = pl ? pipeline_find_stage(pl, value) : NULL;
        if (!st || st->archived)
            return BV_SKIP;
    }
    if (lifecycle_rule_applies(m, p) && value && current) {
        int from = option_rank(p, current), to = option_rank(p, value);
        if (from >= 0 && to >= 0 && to < from)
            return BV_BACKWARDS;
    }
    return BV_CHANGE;
}

static int by_count(const void *a, const void *b)
{
    const bulk_group *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->from, y->from);
}

void bulk_preview_build(bulk_preview *bp, const char *const *from_shown,
                        const bulk_verdict *verdicts, size_t n)
{
    memset(bp, 0, sizeof *bp);
    bp->total = n;
    for (size_t i = 0; i < n; i++) {
        switch (verdicts[i]) {
        case BV_SAME: bp->same++; continue;
        case BV_SKIP: bp->skip++; continue;
        case BV_BACKWARDS: bp->backwards++; break;
        case BV_CHANGE: break;
        }
        bp->change++;
        const char *from = str_empty(from_shown[i]) ? "(empty)" : from_shown[i];
        size_t g = 0;
        while (g < bp->ngroups && strcmp(bp->groups[g].from, from) != 0)
            g++;
        if (g == bp->ngroups && bp->ngroups >= BULK_MAX_GROUPS) {
            /* Free text has as many values as records: lump the tail. */
            from = BULK_OTHER;
            for (g = 0; g < bp->ngroups && strcmp(bp->groups[g].from, from) != 0; g++)
                ;
        }
        if (g == bp->ngroups) {
            bp->groups = xrealloc(bp->groups, (bp->ngroups + 1) * sizeof *bp->groups);
            bp->groups[bp->ngroups++] = (bulk_group){xstrdup(from), 0};
        }
        bp->groups[g].count++;
    }
    if (bp->ngroups > 1)
        qsort(bp->groups, bp->ngroups, sizeof *bp->groups, by_count);
}

void bulk_preview_free(bulk_preview *bp)
{
    for (size_t i = 0; i < bp->ngroups; i++)
        free(bp->groups[i].from);
    free(bp->groups);
    memset(bp, 0, sizeof *bp);
}
