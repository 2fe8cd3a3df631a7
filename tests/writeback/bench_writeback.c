/* bench_writeback — 10,000 edits on 10,000 contacts pushed to fakehub.
 *
 * Reports the requests made (target: at most 100 batch updates and 100
 * batch reads) and the drain time against the time the rate limit needs to
 * let that many requests through: with a limit of L requests per W ms, N
 * requests need N/L windows, N·W/L ms (target: drain ≤ 1.1× that). The
 * strict lower bound, (⌈N/L⌉ − 1)·W (the last window's requests sent the
 * moment it opens, answered instantly), is printed alongside.
 *
 * BENCH_WB_RECORDS (default 10000) and BENCH_WB_RATE (default 100/1000)
 * change the set-up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "outbox.h"
#include "util.h"
#include "wbfix.h"
#include "writeback.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static long endpoint_total(json_t *stats, const char *key)
{
    return (long)json_integer_value(json_object_get(
        json_object_get(json_object_get(stats, "byEndpoint"), key), "total"));
}

static void write_config(wbfix *f)
{
    /* Enterprise sizes the limiter above the fakehub limit until the first
     * answer's headers teach the client the real one. */
    FILE *fp = fopen(f->config, "w");
    fprintf(fp, "default_portal = test\n[portal test]\nbase_url = %s\napp_type = private\n"
                "tier = enterprise\n", f->fh.base_url);
    fclose(fp);
}

static void queue_edits(wbfix *f, size_t n)
{
    char **ids = wbf_ids(f, "contacts", n);
    store *st = f->ps->st;
    ht_error err;
    int64_t group;
    if (store_begin(st, &err) != HT_OK || outbox_new_group(st, &group, &err) != HT_OK) {
        fprintf(stderr, "bench_writeback: %s\n", err.message);
        exit(1);
    }
    for (size_t i = 0; ids[i]; i++) {
        char title[48];
        snprintf(title, sizeof title, "Bench title %zu", i);
        if (outbox_enqueue_update(st, "contacts", ids[i], "jobtitle", title, group, NULL,
                                  &err) != HT_OK) {
            fprintf(stderr, "bench_writeback: enqueue: %s\n", err.message);
            exit(1);
        }
    }
    if (store_commit(st, &err) != HT_OK) {
        fprintf(stderr, "bench_writeback: %s\n", err.message);
        exit(1);
    }
    wbf_free_ids(ids, 0);
}

int main(void)
{
    const char *rec_env = getenv("BENCH_WB_RECORDS"), *rate_env = getenv("BENCH_WB_RATE");
    size_t records = rec_env ? (size_t)atol(rec_env) : 10000;
    const char *rate = rate_env ? rate_env : "100/1000";
    int limit = 0, window_ms = 0;
    if (sscanf(rate, "%d/%d", &limit, &window_ms) != 2 || limit <= 0 || window_ms <= 0) {
        fprintf(stderr, "bench_writeback: BENCH_WB_RATE must be N/MS\n");
        return 2;
    }
    char count[32];
    snprintf(count, sizeof count, "%zu", records);
    const char *const args[] = {"--contacts", count, "--rate-limit", "off", "--quiet", NULL};
    wbfix f;
    double t0 = now_s();
    wbf_start(&f, args, false);
    write_config(&f);
    wbf_open(&f);
    static const char *const types[] = {"contacts", NULL};
    wbf_seed(&f, types);
    double t_seed = now_s() - t0;
    t0 = now_s();
    queue_edits(&f, records);
    double t_queue = now_s() - t0;
    wbf_close(&f);
    /* The push runs against the rate limit, on a client that has sent nothing yet. */
    char *cfg = xasprintf("{\"rate_limit\":\"%s\"}", rate);
    wbf_control(&f, "/_fakehub/config", cfg);
    free(cfg);
    wbf_control(&f, "/_fakehub/reset", "{}");
    wbf_open(&f);
    writeback_progress p;
    ht_error err;
    t0 = now_s();
    double c0 = cpu_s();
    ht_status st = writeback_run(f.ps, NULL, &p, &err);
    double t_push = now_s() - t0, c_push = cpu_s() - c0;
    if (st != HT_OK) {
        fprintf(stderr, "bench_writeback: push failed: %s\n", err.message);
        wbf_stop(&f);
        return 1;
    }
    long status = 0;
    json_t *stats = fakehub_json(&f.fh, "GET", "/_fakehub/stats", NULL, &status);
    long reads = endpoint_total(stats, "POST /crm/v3/objects/{objectType}/batch/read");
    long updates = endpoint_total(stats, "POST /crm/v3/objects/{objectType}/batch/update");
    long total = (long)json_integer_value(json_object_get(stats, "total"));
    long limited = (long)json_integer_value(json_object_get(stats, "rateLimited"));
    long peak = (long)json_integer_value(json_object_get(stats, "peakWindow"));
    json_decref(stats);
    double bound = (double)total * window_ms / limit / 1000.0;
    double strict = (ceil((double)total / limit) - 1) * window_ms / 1000.0;
    printf("bench_writeback: %zu edits on %zu contacts, rate limit %s\n", records, records, rate);
    printf("  set-up: fakehub start + cache seeded from the API in %.2f s; %zu edits queued in"
           " %.2f s\n", t_seed, records, t_queue);
    printf("  requests: %ld batch reads + %ld batch updates = %ld in all (target <= %zu + %zu);"
           " %ld answered 429; peak %ld in one window\n", reads, updates, total,
           (records + 99) / 100, (records + 99) / 100, limited, peak);
    printf("  outcome: %lld done, %lld sent, %lld conflicts, %lld failed, %lld not applied\n",
           (long long)p.edits_done, (long long)p.edits_sent, (long long)p.conflicts,
           (long long)p.failed, (long long)p.not_applied);
    printf("  drain: %.2f s; rate-limit bound for %ld requests %.2f s (N*W/L): %.3fx"
           " (target <= 1.1x); strict bound (ceil(N/L)-1)*W %.2f s\n", t_push, total, bound,
           t_push / bound, strict);
    printf("  throughput: %.0f edits/s; the pushing process used %.2f s of CPU (%.1f ms per"
           " batch of 100)\n", p.edits_done / t_push, c_push, c_push * 1000 / (double)p.batches);
    wbf_stop(&f);
    return p.edits_done == (int64_t)records ? 0 : 1;
}
