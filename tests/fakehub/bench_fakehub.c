/* bench_fakehub — how fast fakehub starts and serves.
 *
 * Starts fakehub through the harness with 100,000 contacts (and the usual
 * shares of other records), reports the start time, then drives it with
 * libcurl multi over several keep-alive connections for a few seconds per
 * scenario (list pages of 100 following the paging cursors; gets by id)
 * and prints requests per second with p50/p99 latency. Finally it times a
 * start with BENCH_CONTACTS contacts (the large benchmarks' portal). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util.h"

#ifndef BENCH_CONTACTS
#define BENCH_CONTACTS 1000000
#endif

#define CONNECTIONS 8
#define SECONDS 4

typedef struct conn {
    CURL   *curl;
    strbuf  body;
    char    url[512];
    int64_t started_us;
    char    after[64];   /* list scenario: the next cursor */
} conn;

typedef struct run {
    const fakehub *fh;
    bool           list;      /* list pages, else gets by id */
    char         **ids;
    size_t         n_ids;
    size_t         next_id;
    int64_t       *lat_us;
    size_t         n_lat, cap_lat;
    long           errors;
} run;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *ud)
{
    strbuf_append(ud, data, size * nmemb);
    return size * nmemb;
}

static void next_url(run *r, conn *c)
{
    if (r->list) {
        char *enc = curl_easy_escape(c->curl, c->after, 0);
        snprintf(c->url, sizeof c->url, "%s/crm/v3/objects/contacts?limit=100%s%s", r->fh->base_url,
                 c->after[0] ? "&after=" : "", c->after[0] ? enc : "");
        curl_free(enc);
    } else {
        snprintf(c->url, sizeof c->url, "%s/crm/v3/objects/contacts/%s", r->fh->base_url,
                 r->ids[r->next_id++ % r->n_ids]);
    }
    strbuf_reset(&c->body);
    curl_easy_setopt(c->curl, CURLOPT_URL, c->url);
    c->started_us = now_us();
}

/* The list scenario follows paging.next.after (a cheap scan, no JSON parse). */
static void remember_cursor(conn *c)
{
    const char *p = strstr(strbuf_str(&c->body), "\"after\":\"");
    c->after[0] = '\0';
    if (!p)
        return;
    p += 9;
    size_t n = strcspn(p, "\"");
    if (n < sizeof c->after) {
        memcpy(c->after, p, n);
        c->after[n] = '\0';
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void drive(run *r, const char *name)
{
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)CONNECTIONS);
    conn conns[CONNECTIONS];
    struct curl_slist *hdrs = NULL;
    char *auth = xasprintf("Authorization: Bearer %s", r->fh->token);
    hdrs = curl_slist_append(hdrs, auth);
    for (int i = 0; i < CONNECTIONS; i++) {
        conn *c = &conns[i];
        memset(c, 0, sizeof *c);
        c->curl = curl_easy_init();
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->body);
        curl_easy_setopt(c->curl, CURLOPT_PRIVATE, c);
        curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
        next_url(r, c);
        curl_multi_add_handle(multi, c->curl);
    }
    int64_t start = now_us(), end = start + SECONDS * 1000000LL;
    size_t before = r->n_lat;
    int active = CONNECTIONS, running;
    while (active > 0) {
        curl_multi_perform(multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            conn *c;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
            long status = 0;
            curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
            if (m->data.result != CURLE_OK || status != 200)
                r->errors++;
            if (r->n_lat == r->cap_lat) {
                r->cap_lat = r->cap_lat ? r->cap_lat * 2 : 65536;
                r->lat_us = xrealloc(r->lat_us, sizeof *r->lat_us * r->cap_lat);
            }
            r->lat_us[r->n_lat++] = now_us() - c->started_us;
            curl_multi_remove_handle(multi, c->curl);
            active--;
            if (now_us() < end) {
                active++;
                if (r->list)
                    remember_cursor(c);
                next_url(r, c);
                curl_multi_add_handle(multi, c->curl);
            }
        }
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    double secs = (double)(now_us() - start) / 1e6;
    size_t n = r->n_lat - before;
    qsort(r->lat_us + before, n, sizeof *r->lat_us, cmp_i64);
    printf("  %-26s %8.0f req/s   p50 %6.2f ms   p99 %6.2f ms   (%zu requests, %ld errors, %d connections)\n",
           name, (double)n / secs, n ? (double)r->lat_us[before + n / 2] / 1000 : 0,
           n ? (double)r->lat_us[before + n * 99 / 100] / 1000 : 0, n, r->errors, CONNECTIONS);
    for (int i = 0; i < CONNECTIONS; i++) {
        curl_easy_cleanup(conns[i].curl);
        strbuf_free(&conns[i].body);
    }
    curl_slist_free_all(hdrs);
    free(auth);
    curl_multi_cleanup(multi);
}

/* Ids to get: a sample spread over the whole contact range. */
static void sample_ids(const fakehub *fh, run *r)
{
    char after[64] = "";
    for (int page = 0; page < 50; page++) {
        char path[160];
        char *enc = curl_easy_escape(NULL, after, 0);
        snprintf(path, sizeof path, "/crm/v3/objects/contacts?limit=100&properties=email%s%s",
                 after[0] ? "&after=" : "", after[0] ? enc : "");
        curl_free(enc);
        long status;
        json_t *j = fakehub_json(fh, "GET", path, NULL, &status);
        size_t i;
        json_t *rec;
        json_array_foreach(json_object_get(j, "results"), i, rec) {
            r->ids = xrealloc(r->ids, sizeof *r->ids * (r->n_ids + 1));
            r->ids[r->n_ids++] = xstrdup(json_string_value(json_object_get(rec, "id")));
        }
        const char *a = json_string_value(json_object_get(json_object_get(json_object_get(j, "paging"), "next"), "after"));
        snprintf(after, sizeof after, "%s", a ? a : "");
        json_decref(j);
        if (!a)
            break;
    }
}

static double timed_start(fakehub *fh, const char *contacts)
{
    const char *args[] = {"--contacts", contacts, "--rate-limit", "off", "--search-rate", "off",
                          "--daily", "0", "--quiet", NULL};
    int64_t t0 = time_mono_ms();
    if (!fakehub_start(fh, args, 600000))
        return -1;
    long status = 0;
    char *body = fakehub_request(fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &status);
    free(body);
    return status == 200 ? (double)(time_mono_ms() - t0) / 1000.0 : -1;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    fakehub fh;
    double start = timed_start(&fh, "100000");
    if (start < 0) {
        fprintf(stderr, "bench_fakehub: fakehub did not start\n");
        return 1;
    }
    printf("fakehub with 100,000 contacts (+10k companies, 25k deals, 12.5k tickets, engagements):\n");
    printf("  start until the first answer    %.2f s\n", start);
    run list = {.fh = &fh, .list = true};
    run gets = {.fh = &fh, .list = false};
    sample_ids(&fh, &gets);
    drive(&list, "list pages of 100");
    drive(&gets, "get by id");
    long errors = list.errors + gets.errors;
    fakehub_stop(&fh);
    for (size_t i = 0; i < gets.n_ids; i++)
        free(gets.ids[i]);
    free(gets.ids);
    free(list.lat_us);
    free(gets.lat_us);

    char big[32];
    snprintf(big, sizeof big, "%d", BENCH_CONTACTS);
    double large = timed_start(&fh, big);
    printf("  start with %s contacts   %.2f s\n", big, large);
    fakehub_stop(&fh);
    curl_global_cleanup();
    return errors || large < 0 ? 1 : 0;
}
