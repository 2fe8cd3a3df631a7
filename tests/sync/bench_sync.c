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
 * BENCH_PARTS (a comma list of assoc, import, incremental; default all)
 * skips the others (for profiling the records phase); TMPDIR picks the
 * scratch place. */
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
#include "portal.h"
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
        if (p->phase == SYNC_ASSOCIATIONS && c->job && !part("assoc"))
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

static bool dump_csv(const fakehub *fh, const char *path, long *rows)
{
    long status = 0;
    json_t *d = fakehub_json(fh, "GET", "/_fakehub/dump/contacts", NULL, &status);
    json_t *res = json_object_get(d, "results");
    if (!json_is_array(res) || json_array_size(res) == 0) {
        json_decref(d);
        return false;
    }
    FILE *fp = fopen(path, "w");
    if (!fp) {
        json_decref(d);
        return false;
    }
    json_t *first = json_object_get(json_array_get(res, 0), "properties");
    const char **cols = xcalloc(json_object_size(first) + 1, sizeof *cols);
    size_t ncols = 0;
    const char *k;
    json_t *v;
    fputs("id", fp);
    json_object_foreach(first, k, v) {
        cols[ncols++] = k;
        fputc(',', fp);
        csv_field(fp, k);
    }
    fputs("\r\n", fp);
    size_t i;
    json_t *rec;
    json_array_foreach(res, i, rec) {
        json_t *props = json_object_get(rec, "properties");
        csv_field(fp, json_string_value(json_object_get(rec, "id")));
        for (size_t c = 0; c < ncols; c++) {
            fputc(',', fp);
            csv_field(fp, json_string_value(json_object_get(props, cols[c])));
        }
        fputs("\r\n", fp);
    }
    *rows = (long)json_array_size(res);
    free(cols);
    fclose(fp);
    json_decref(d);
    return true;
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

static long change_some(const fakehub *fh, portal_session *ps, long every)
{
    long status = 0;
    json_t *d = fakehub_json(fh, "GET", "/_fakehub/dump/contacts", NULL, &status);
    json_t *res = json_object_get(d, "results");
    long changed = 0;
    for (size_t i = 0; i < json_array_size(res); i += (size_t)every) {
        const char *id = json_string_value(json_object_get(json_array_get(res, i), "id"));
        char *body = xasprintf("{\"objectType\":\"contacts\",\"id\":\"%s\",\"properties\":"
                               "{\"jobtitle\":\"Benchmark %zu\"}}", id, i);
        char *r = fakehub_request(fh, "POST", "/_fakehub/edit", body, &status);
        free(r);
        free(body);
        changed += status == 200;
    }
    json_decref(d);
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

int main(void)
{
    const char *env = getenv("BENCH_CONTACTS");
    long n = env ? atol(env) : 1000000;
    if (n < 100)
        n = 100;
    char count[32], companies[32];
    snprintf(count, sizeof count, "%ld", n);
    snprintf(companies, sizeof companies, "%ld", n / 100 > 0 ? n / 100 : 1);
    const char *args[] = {
        "--contacts", count, "--companies", companies, "--deals", "10", "--tickets", "10",
        "--notes", "0", "--calls", "0", "--tasks", "0", "--line-items", "0", "--custom", "10",
        "--rate-limit", "off", "--search-rate", "off", "--daily", "0", NULL,
    };
    fakehub fh;
    printf("bench_sync: %ld contacts\n", n);
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

    /* (1) backfill */
    portal_session *ps = open_portal(&fh, dir);
    phase_clock clk;
    sync_progress fin;
    double cpu0 = cpu_seconds();
    if (run_sync(ps, &clk, &fin) != HT_OK)
        return 1;
    double cpu = cpu_seconds() - cpu0;
    double rec_s = seconds(clk.start_ms[SYNC_BACKFILL], clk.end_ms[SYNC_BACKFILL]);
    long records = (long)clk.records_at_end[SYNC_BACKFILL];
    char db[400];
    snprintf(db, sizeof db, "%s/bench.db", dir);
    char wal[420];
    snprintf(wal, sizeof wal, "%s-wal", db);
    printf("(1) backfill into a fresh cache through the client:\n");
    printf("  records phase:  %ld records in %.2f s = %.0f records/s (%lld requests)\n",
           records, rec_s, records / rec_s,
           (long long)(clk.requests_at_end[SYNC_BACKFILL] -
                       clk.requests_at_start[SYNC_BACKFILL]));
    printf("  associations:   %.2f s, %lld requests\n",
           seconds(clk.start_ms[SYNC_ASSOCIATIONS], clk.end_ms[SYNC_ASSOCIATIONS]),
           (long long)(clk.requests_at_end[SYNC_ASSOCIATIONS] -
                       clk.requests_at_start[SYNC_ASSOCIATIONS]));
    printf("  whole sync:     %.2f s wall, %.2f s cpu in this process, %lld requests\n",
           seconds(clk.start_ms[SYNC_METADATA], clk.end_ms[SYNC_ASSOCIATIONS] ?
                   clk.end_ms[SYNC_ASSOCIATIONS] : time_mono_ms()), cpu,
           (long long)fin.requests);
    printf("  cache file:     %.1f MB (+ %.1f MB WAL)\n", file_size(db) / 1e6,
           file_size(wal) / 1e6);

    char csv[400], plain[400];
    snprintf(csv, sizeof csv, "%s/contacts.csv", dir);
    snprintf(plain, sizeof plain, "%s/plain.db", dir);
    long rows = 0;
    import_run imp;
    if (!part("import")) {
        /* skipped */
    } else if (!dump_csv(&fh, csv, &rows) || !import_csv(csv, plain, &imp)) {
        fprintf(stderr, "bench: the .import baseline failed\n");
    } else {
        double imp_rate = rows / imp.wall;
        printf("  sqlite3 .import: %ld rows (CSV %.1f MB) in %.2f s wall (%.2f s cpu) = "
               "%.0f records/s, file %.1f MB\n", rows, file_size(csv) / 1e6, imp.wall, imp.cpu,
               imp_rate, imp.size / 1e6);
        printf("  ratio (cache backfill / .import records per second): %.2fx  "
               "(target >= 0.5x)\n", (records / rec_s) / imp_rate);
    }
    unlink(csv);
    unlink(plain);

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
    unlink(db);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", db);
    unlink(wal);
    rmdir(dir);
    return 0;
}
