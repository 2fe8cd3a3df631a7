/* bench_sync — sync throughput against fakehub through the real client.
 *
 * (1) Backfill of BENCH_CONTACTS (default 1,000,000) generated contacts from
 *     fakehub (--rate-limit off) into a fresh cache: records/s of the
 *     records phase (list pages in, search index built), side by side in
 *     the same run with the sqlite3 shell's `.import` of the same rows as
 *     CSV (dumped from /_fakehub/dump/contacts) into a plain table, and the
 *     ratio (target >= 0.5x); the cache file size; then the association
 *     pass that follows a backfill (time and requests).
 * (2) Incremental sync after 1% of the contacts changed (/_fakehub/edit):
 *     requests made (target: proportional to the changes) and time.
 *
 * The client gets a limit high enough never to wait (fakehub sends no
 * rate headers with the limit off) but keeps HubSpot's 5 searches a second.
 * The backfill and the import run BENCH_ROUNDS times (3), interleaved, and
 * the medians count; only the last backfill goes on to its associations.
 * BENCH_PARTS (a comma list of assoc, import, incremental; default all)
 * skips the others (for profiling the records phase); BENCH_LOG names a
 * file for hubtui's log; TMPDIR picks the scratch place. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth.h"
#include "client.h"
#include "harness.h"
#include "log.h"
#include "portal.h"
#include "records.h"
#include "sync_page.h"
#include "sync.h"
#include "util.h"

static bool part(const char *name);

typedef struct phase_clock {
    sync_job *job;
    int64_t  start_ms[SYNC_FINISHED + 1];
    int64_t  end_ms[SYNC_FINISHED + 1];
    int64_t  records_at_end[SYNC_FINISHED + 1];
    int64_t  requests_at_start[SYNC_FINISHED + 1];
    int64_t  requests_at_end[SYNC_FINISHED + 1];
    int      last;
    int64_t  last_print;
} phase_clock;

static void on_progress(void *ud, const sync_progress *p)
{
    phase_clock *c = ud;
    int64_t now = time_mono_ms();
    if ((int)p->phase != c->last) {
        if (c->last >= 0) {
            c->end_ms[c->last] = now;
            c->records_at_end[c->last] = p->records_done;
            c->requests_at_end[c->last] = p->requests;
        }
        if (!c->start_ms[p->phase]) {
            c->start_ms[p->phase] = now;
            c->requests_at_start[p->phase] = p->requests;
        }
        c->last = (int)p->phase;
        /* Profiling the records phase alone: stop at the associations. */
        const char *round = getenv("BENCH_PARTS_ROUND");
        if (p->phase == SYNC_ASSOCIATIONS && c->job &&
            (!part("assoc") || (round && strcmp(round, "last") != 0)))
            sync_cancel(c->job);
    }
    if (isatty(STDERR_FILENO) && now - c->last_print > 500) {
        fprintf(stderr, "\r  %lld records, %.0f/s   ", (long long)p->records_done,
                p->records_per_s);
        c->last_print = now;
    }
}

static double seconds(int64_t a, int64_t b)
{
    return (double)(b - a) / 1000.0;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static portal_session *open_portal(const fakehub *fh, const char *dir)
{
    char *text = xasprintf("[portal bench]\nbase_url = %s\n", fh->base_url);
    portal_options po = {.config_text = text, .cache_dir = dir, .portal = "bench",
                         .token = fh->token};
    portal_session *ps = NULL;
    ht_error err;
    if (portal_open(&po, &ps, &err) != HT_OK) {
        fprintf(stderr, "bench: %s\n", err.message);
        exit(1);
    }
    free(text);
    hs_client_opts o = {0};
    o.base_url = fh->base_url;
    o.portal = "bench";
    o.limits = (ratelimit_limits){.max = 1000000, .interval_ms = 1000};
    auth_init_static(&o.auth, fh->token, "bench");
    ps->client = hs_client_new(&o, &err);
    if (!ps->client) {
        fprintf(stderr, "bench: %s\n", err.message);
        exit(1);
    }
    return ps;
}

static ht_status run_sync(portal_session *ps, phase_clock *clk, sync_progress *final)
{
    memset(clk, 0, sizeof *clk);
    clk->last = -1;
    static const char *const objects[] = {"contacts"};
    sync_options o = {.objects = objects, .n_objects = 1, .on_progress = on_progress, .ud = clk};
    ht_error err;
    sync_job *j = sync_start(ps, &o, &err);
    if (!j) {
        fprintf(stderr, "bench: %s\n", err.message);
        return err.status;
    }
    clk->job = j;
    while (!sync_finished(j))
        hs_client_poll(ps->client, NULL, 0, 100);
    *final = *sync_get_progress(j);
    sync_free(j);
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\r%60s\r", "");
    return HT_OK;
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* ---- the baseline: sqlite3 .import of the same rows ------------------------------- */

static void csv_field(FILE *fp, const char *v)
{
    if (!v)
        return;
    if (!strpbrk(v, ",\"\r\n")) {
        fputs(v, fp);
        return;
    }
    fputc('"', fp);
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            fputc('"', fp);
        fputc(*p, fp);
    }
    fputc('"', fp);
}

/* Every contact as CSV: id, then every property — read by list pages
 * through the sync's own page layout (a jansson tree of all of them at
 * once would take gigabytes). */
static bool dump_csv(const fakehub *fh, const char *path, long *rows)
{
    long status = 0;
    json_t *defs = fakehub_json(fh, "GET", "/crm/v3/properties/contacts", NULL, &status);
    json_t *results = json_object_get(defs, "results");
    size_t ncols = json_array_size(results);
    const char **cols = xcalloc(ncols + 1, sizeof *cols);
    strbuf list = {0};
    strbuf_puts(&list, "/crm/v3/objects/contacts?limit=100&properties=");
    for (size_t i = 0; i < ncols; i++) {
        cols[i] = json_string_value(json_object_get(json_array_get(results, i), "name"));
        strbuf_printf(&list, "%s%s", i ? "," : "", cols[i]);
    }
    page_reader *r = page_reader_new(cols, ncols, NULL);
    record_page pg = {0};
    FILE *fp = fopen(path, "w");
    bool ok = fp != NULL;
    if (ok) {
        fputs("id", fp);
        for (size_t c = 0; c < ncols; c++) {
            fputc(',', fp);
            csv_field(fp, cols[c]);
        }
        fputs("\r\n", fp);
    }
    *rows = 0;
    char *after = NULL;
    do {
        char *url = after ? xasprintf("%s&after=%s", strbuf_str(&list), after)
                          : xstrdup(strbuf_str(&list));
        char *page = fakehub_request(fh, "GET", url, NULL, &status);
        ht_error err;
        ok = ok && page && status == 200 && page_read(r, page, strlen(page), &pg, &err) == HT_OK;
        free(page);
        free(url);
        free(after);
        after = NULL;
        for (size_t i = 0; ok && i < pg.batch.nrecords; i++) {
            csv_field(fp, pg.batch.ids[i]);
            for (size_t c = 0; c < ncols; c++) {
                fputc(',', fp);
                csv_field(fp, pg.batch.values[i * pg.batch.nprops + c]);
            }
            fputs("\r\n", fp);
        }
        if (ok) {
            *rows += (long)pg.batch.nrecords;
            after = pg.next_after ? xstrdup(pg.next_after) : NULL;
        }
    } while (ok && after);
    if (fp)
        ok = fclose(fp) == 0 && ok && *rows > 0;
    record_page_clear(&pg);
    page_reader_free(r);
    strbuf_free(&list);
    free(cols);
    json_decref(defs);
    return ok;
}

typedef struct import_run {
    double wall, cpu;
    long long size;
} import_run;

static bool import_csv(const char *csv, const char *db, import_run *out)
{
    unlink(db);
    char *cmd = xasprintf(".import '%s' contacts", csv);
    int64_t t0 = time_mono_ms();
    pid_t pid = fork();
    if (pid == 0) {
        execlp("sqlite3", "sqlite3", "-csv", db, cmd, (char *)NULL);
        _exit(127);
    }
    free(cmd);
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return false;
    out->wall = seconds(t0, time_mono_ms());
    out->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    out->size = file_size(db);
    return true;
}

/* ---- (2) changes -------------------------------------------------------------------- */

/* Change every `every`-th contact as another user would (ids from the
 * synced cache, which holds exactly the server's). */
static long change_some(const fakehub *fh, portal_session *ps, long every)
{
    long changed = 0, seen = 0, status = 0;
    int64_t after = 0, ids[1000];
    size_t n;
    while (records_ids_after(ps->st, "contacts", after, 1000, ids, &n, NULL) == HT_OK && n) {
        for (size_t i = 0; i < n; i++, seen++) {
            if (seen % every)
                continue;
            char *body = xasprintf("{\"objectType\":\"contacts\",\"id\":\"%lld\","
                                   "\"properties\":{\"jobtitle\":\"Benchmark %ld\"}}",
                                   (long long)ids[i], seen);
            char *r = fakehub_request(fh, "POST", "/_fakehub/edit", body, &status);
            free(r);
            free(body);
            changed += status == 200;
        }
        after = ids[n - 1];
    }
    return changed;
}

static void print_endpoints(const fakehub *fh)
{
    long status = 0;
    json_t *s = fakehub_json(fh, "GET", "/_fakehub/stats", NULL, &status);
    printf("    by endpoint:");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(s, "byEndpoint"), k, v)
        printf(" %s=%lld;", k, (long long)json_integer_value(json_object_get(v, "total")));
    printf("\n    fakehub counted %lld requests\n",
           (long long)json_integer_value(json_object_get(s, "total")));
    json_decref(s);
}

static bool part(const char *name)
{
    const char *parts = getenv("BENCH_PARTS");
    return !parts || strstr(parts, name) != NULL;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, dcmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void remove_cache(const char *dir)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < ARRAY_SIZE(suffix); i++) {
        char p[400];
        snprintf(p, sizeof p, "%s/bench.db%s", dir, suffix[i]);
        unlink(p);
    }
}

int main(void)
{
    /* BENCH_LOG=path: hubtui's own log (phase timings such as the search
     * index's) for profiling. */
    if (getenv("BENCH_LOG") && !log_open(getenv("BENCH_LOG"), LOG_INFO))
        perror(getenv("BENCH_LOG"));
    const char *env = getenv("BENCH_CONTACTS");
    long n = env ? atol(env) : 1000000;
    if (n < 100)
        n = 100;
    env = getenv("BENCH_ROUNDS");
    int rounds = env ? atoi(env) : 3;
    if (rounds < 1 || rounds > 9)
        rounds = 3;
    char count[32], companies[32];
    snprintf(count, sizeof count, "%ld", n);
    snprintf(companies, sizeof companies, "%ld", n / 100 > 0 ? n / 100 : 1);
    const char *args[] = {
        "--contacts", count, "--companies", companies, "--deals", "10", "--tickets", "10",
        "--notes", "0", "--calls", "0", "--tasks", "0", "--line-items", "0", "--custom", "10",
        "--quotes", "0", "--meetings", "0", "--emails", "0",
        "--rate-limit", "off", "--search-rate", "off", "--daily", "0",
        /* The incremental round measures finding 1% changed, all of them
         * already in the index. */
        "--search-lag", "0", NULL,
    };
    fakehub fh;
    printf("bench_sync: %ld contacts, %d interleaved rounds\n", n, rounds);
    int64_t g0 = time_mono_ms();
    if (!fakehub_start(&fh, args, 600000)) {
        fprintf(stderr, "bench: fakehub did not start\n");
        return 1;
    }
    printf("  fakehub ready in %.1f s\n", seconds(g0, time_mono_ms()));
    const char *tmp = getenv("TMPDIR");
    char dir[256];
    snprintf(dir, sizeof dir, "%s/hubtui-bench-sync-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char db[400], wal[420], csv[400], plain[400];
    snprintf(db, sizeof db, "%s/bench.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(csv, sizeof csv, "%s/contacts.csv", dir);
    snprintf(plain, sizeof plain, "%s/plain.db", dir);
    long rows = 0;
    bool with_import = part("import") && dump_csv(&fh, csv, &rows);
    if (part("import") && !with_import)
        fprintf(stderr, "bench: could not dump the contacts to CSV\n");

    /* (1) backfill, interleaved with the .import baseline */
    double cache_rate[9], cache_cpu[9], imp_rate[9], imp_cpu[9];
    long records = 0;
    phase_clock clk;
    sync_progress fin;
    portal_session *ps = NULL;
    for (int r = 0; r < rounds; r++) {
        portal_close(ps);
        remove_cache(dir);
        ps = open_portal(&fh, dir);
        bool last = r == rounds - 1;
        setenv("BENCH_PARTS_ROUND", last ? "last" : "", 1);
        double cpu0 = cpu_seconds();
        if (run_sync(ps, &clk, &fin) != HT_OK)
            return 1;
        double secs = seconds(clk.start_ms[SYNC_BACKFILL], clk.end_ms[SYNC_BACKFILL]);
        records = (long)clk.records_at_end[SYNC_BACKFILL];
        cache_rate[r] = records / secs;
        cache_cpu[r] = cpu_seconds() - cpu0;
        printf("  round %d: cache %ld records in %.2f s = %.0f/s", r + 1, records, secs,
               cache_rate[r]);
        import_run imp;
        if (with_import && import_csv(csv, plain, &imp)) {
            imp_rate[r] = rows / imp.wall;
            imp_cpu[r] = imp.cpu;
            printf(";  .import %.2f s = %.0f/s", imp.wall, imp_rate[r]);
        } else {
            imp_rate[r] = 0;
        }
        printf("\n");
    }
    printf("(1) backfill into a fresh cache through the client (median of %d):\n", rounds);
    printf("  records phase:  %ld records, %.0f records/s (list pages in, search index built)\n",
           records, median(cache_rate, rounds));
    printf("  associations:   %.2f s, %lld requests (last round)\n",
           seconds(clk.start_ms[SYNC_ASSOCIATIONS], clk.end_ms[SYNC_ASSOCIATIONS]),
           (long long)(clk.requests_at_end[SYNC_ASSOCIATIONS] -
                       clk.requests_at_start[SYNC_ASSOCIATIONS]));
    printf("  cpu in this process per round: %.2f s (median)\n", median(cache_cpu, rounds));
    printf("  cache file:     %.1f MB (+ %.1f MB WAL)\n", file_size(db) / 1e6,
           file_size(wal) / 1e6);
    if (with_import) {
        double ir = median(imp_rate, rounds);
        printf("  sqlite3 .import: %ld rows (CSV %.1f MB), %.0f records/s, %.2f s cpu, "
               "file %.1f MB\n", rows, file_size(csv) / 1e6, ir, median(imp_cpu, rounds),
               file_size(plain) / 1e6);
        double per_round[9];
        for (int r = 0; r < rounds; r++)
            per_round[r] = imp_rate[r] > 0 ? cache_rate[r] / imp_rate[r] : 0;
        printf("  ratio (cache backfill / .import records per second): %.2fx of the medians, "
               "%.2fx median of the rounds' own ratios  (target >= 0.5x)\n",
               median(cache_rate, rounds) / ir, median(per_round, rounds));
    }
    if (!getenv("BENCH_KEEP")) {
        unlink(csv);
        unlink(plain);
    }

    /* (2) incremental after 1% changed */
    if (!part("incremental"))
        goto out;
    long changed = change_some(&fh, ps, 100);
    char *r = fakehub_request(&fh, "POST", "/_fakehub/reset", "{}", NULL);
    free(r);
    if (run_sync(ps, &clk, &fin) != HT_OK)
        return 1;
    printf("(2) incremental sync after %ld of %ld contacts changed:\n", changed, n);
    printf("  %.2f s, %lld requests (%.1f per 100 changes), %lld records written\n",
           seconds(clk.start_ms[SYNC_METADATA], time_mono_ms()), (long long)fin.requests,
           100.0 * (double)fin.requests / (double)(changed ? changed : 1),
           (long long)fin.records_done);
    print_endpoints(&fh);
out:
    portal_close(ps);
    fakehub_stop(&fh);
    if (getenv("BENCH_KEEP")) {
        printf("  kept %s\n", dir);
    } else {
        remove_cache(dir);
        rmdir(dir);
    }
    return 0;
}
