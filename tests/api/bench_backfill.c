/* bench_backfill — a full backfill of 100,000 contacts by list pages of 100
 * against fakehub limited to 100 requests per 1,000 ms, through the client
 * (limiter, priorities, retries), side by side with naive sequential pagers
 * (a plain curl easy loop, no limiter) in the same process.
 *
 * Printed per run: pages (successful requests), requests sent, 429 share,
 * achieved pages/s as a fraction of the allowed rate, records/s, and the
 * ratios client/naive. Environment: BENCH_CONTACTS (default 100000). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "harness.h"
#include "hubspot.h"
#include "util.h"
#include "walk.h"

#define LIMIT_MAX      100
#define LIMIT_INTERVAL 1000

typedef struct run {
    const char *name;
    long        pages;      /* successful page requests */
    long        requests;   /* every request sent, 429s included */
    long        r429;
    long        records;
    long        unique_ok;  /* 1 when no record was missed or repeated */
    double      seconds;
} run;

/* ---- the client ------------------------------------------------------------ */

typedef struct walk_state {
    long   records;
    long   pages;
    char  *seen;    /* one byte per id (generated ids are small integers) */
    long   seen_cap;
    long   dupes;
    bool   done;
    ht_status status;
} walk_state;

static void note_id(walk_state *ws, const char *id)
{
    long n = atol(id);
    if (n >= ws->seen_cap) {
        long cap = n * 2 + 1024;
        ws->seen = xrealloc(ws->seen, (size_t)cap);
        memset(ws->seen + ws->seen_cap, 0, (size_t)(cap - ws->seen_cap));
        ws->seen_cap = cap;
    }
    if (ws->seen[n]++)
        ws->dupes++;
}

static bool on_page(void *ud, json_t *results, const char *next_after)
{
    walk_state *ws = ud;
    ws->pages++;
    size_t i;
    json_t *rec;
    json_array_foreach(results, i, rec) {
        note_id(ws, json_string_value(json_object_get(rec, "id")));
        ws->records++;
    }
    return true;
}

static void on_walk_done(void *ud, const hs_result *r)
{
    walk_state *ws = ud;
    ws->done = true;
    ws->status = r->status;
    if (r->status != HT_OK)
        fprintf(stderr, "bench: walk failed: %s\n", r->err->message);
}

static run run_client(const fakehub *fh, long expected)
{
    hs_client_opts o = {0};
    o.base_url = fh->base_url;
    o.portal = "bench";
    auth_init_static(&o.auth, fh->token, "bench");
    /* Unknown app type: the limiter learns 100/1000 from the first headers. */
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    if (!c) {
        fprintf(stderr, "bench: %s\n", err.message);
        exit(1);
    }
    walk_state ws = {0};
    hs_read_opts ro = {.limit = 100};
    int64_t t0 = time_mono_ms();
    hs_call_id id = hs_walk_objects(c, HS_PRIO_BACKGROUND, "contacts", &ro, NULL, on_page,
                                    on_walk_done, &ws);
    hs_client_run(c, id);
    double secs = (double)(time_mono_ms() - t0) / 1000.0;
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    hs_client_free(c);
    run r = {.name = "hubtui client", .pages = ws.pages, .requests = (long)st.requests,
             .r429 = (long)st.responses_429, .records = ws.records, .seconds = secs,
             .unique_ok = ws.status == HT_OK && ws.dupes == 0 && ws.records == expected};
    free(ws.seen);
    return r;
}

/* ---- naive pagers ------------------------------------------------------------ */

static size_t collect(char *data, size_t size, size_t nmemb, void *ud)
{
    strbuf_append(ud, data, size * nmemb);
    return size * nmemb;
}

/* Sequential GETs; on a 429 sleep sleep_on_429_ms (0: retry at once). */
static run run_naive(const fakehub *fh, long expected, int sleep_on_429_ms, const char *name)
{
    CURL *curl = curl_easy_init();
    char *auth_header = xasprintf("Authorization: Bearer %s", fh->token);
    struct curl_slist *hdrs = curl_slist_append(NULL, auth_header);
    strbuf body = {0};
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    walk_state ws = {0};
    run r = {.name = name};
    char *after = NULL;
    int64_t t0 = time_mono_ms();
    for (;;) {
        char *url = after ? xasprintf("%s/crm/v3/objects/contacts?limit=100&after=%s", fh->base_url, after)
                          : xasprintf("%s/crm/v3/objects/contacts?limit=100", fh->base_url);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        strbuf_reset(&body);
        CURLcode rc = curl_easy_perform(curl);
        free(url);
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        r.requests++;
        if (rc != CURLE_OK || status == 429 || status >= 500) {
            if (status == 429)
                r.r429++;
            if (sleep_on_429_ms)
                usleep((useconds_t)sleep_on_429_ms * 1000);
            continue;
        }
        json_t *page = json_loadb(body.buf, body.len, 0, NULL);
        if (!page) {
            fprintf(stderr, "bench: naive pager got status %ld and no JSON\n", status);
            break;
        }
        on_page(&ws, json_object_get(page, "results"), NULL);
        const char *next = hs_next_after(page);
        free(after);
        after = next ? xstrdup(next) : NULL;
        json_decref(page);
        if (!after)
            break;
    }
    r.seconds = (double)(time_mono_ms() - t0) / 1000.0;
    r.pages = ws.pages;
    r.records = ws.records;
    r.unique_ok = ws.dupes == 0 && ws.records == expected;
    free(after);
    free(ws.seen);
    strbuf_free(&body);
    curl_slist_free_all(hdrs);
    free(auth_header);
    curl_easy_cleanup(curl);
    return r;
}

/* ---- report --------------------------------------------------------------------- */

static double allowed_per_s(void)
{
    return (double)LIMIT_MAX * 1000.0 / LIMIT_INTERVAL;
}

static void print_run(const run *r)
{
    double pages_s = r->pages / r->seconds;
    printf("  %-26s %7ld %8ld %7.2f%% %8.1f %8.3f %10.0f %8.2f  %s\n", r->name, r->pages,
           r->requests, r->requests ? 100.0 * r->r429 / r->requests : 0.0, pages_s,
           pages_s / allowed_per_s(), r->records / r->seconds, r->seconds,
           r->unique_ok ? "ok" : "MISSED/REPEATED");
}

int main(void)
{
    const char *n_env = getenv("BENCH_CONTACTS");
    long contacts = n_env ? atol(n_env) : 100000;
    char n_arg[32];
    snprintf(n_arg, sizeof n_arg, "%ld", contacts);
    const char *args[] = {"--contacts", n_arg, "--companies", "0", "--deals", "0", "--tickets", "0",
                          "--rate-limit", "100/1000", "--seed", "7", NULL};
    fakehub fh;
    if (!fakehub_start(&fh, args, 120000)) {
        fprintf(stderr, "bench: fakehub did not start\n");
        return 1;
    }
    printf("bench_backfill: %ld contacts, list pages of 100, fakehub --rate-limit %d/%d "
           "(%.0f requests/s allowed)\n", contacts, LIMIT_MAX, LIMIT_INTERVAL, allowed_per_s());

    run client = run_client(&fh, contacts);
    usleep(LIMIT_INTERVAL * 1100);   /* let the server's window empty between runs */
    run naive = run_naive(&fh, contacts, 0, "naive (retry 429 at once)");
    usleep(LIMIT_INTERVAL * 1100);
    run naive_sleep = run_naive(&fh, contacts, 1000, "naive (sleep 1 s on 429)");
    fakehub_stop(&fh);

    printf("  %-26s %7s %8s %8s %8s %8s %10s %8s\n", "pager", "pages", "requests", "429",
           "pages/s", "of limit", "records/s", "seconds");
    print_run(&client);
    print_run(&naive);
    print_run(&naive_sleep);
    printf("  client / naive (retry at once): records/s x%.2f, requests sent x%.3f, 429 share "
           "%.2f%% vs %.2f%%\n",
           (client.records / client.seconds) / (naive.records / naive.seconds),
           (double)client.requests / naive.requests,
           100.0 * client.r429 / client.requests, 100.0 * naive.r429 / naive.requests);
    printf("  client / naive (sleep 1 s): records/s x%.2f, 429 share %.2f%% vs %.2f%%\n",
           (client.records / client.seconds) / (naive_sleep.records / naive_sleep.seconds),
           100.0 * client.r429 / client.requests, 100.0 * naive_sleep.r429 / naive_sleep.requests);
    printf("  targets: client pages/s >= 0.95 of the limit (%s), 429 share <= 1%% (%s)\n",
           client.pages / client.seconds >= 0.95 * allowed_per_s() ? "met" : "MISSED",
           client.r429 * 100 <= client.requests ? "met" : "MISSED");
    return client.unique_ok && naive.unique_ok ? 0 : 1;
}
