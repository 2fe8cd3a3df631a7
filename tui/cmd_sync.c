/* hubtui sync / status.
 *
 *   hubtui sync [--full] [-q] [OBJECT...]
 *     Metadata first, then records (backfill the first time, changes since
 *     the last sync after that), then associations. --full also finds
 *     records deleted or merged away on HubSpot. Progress goes to stderr (a
 *     bar on a terminal, plain lines otherwise). Ctrl-C stops at once;
 *     everything stored stays and the next sync resumes.
 *
 *   hubtui status [--json]
 *     What the cache holds: per object type its records, when it was last
 *     brought up to date and when a full pass last ran; the queue of local
 *     edits; the rate budget the client last learned. The text layout:
 *
 *       portal   NAME  (BASE_URL)
 *       OBJECT        RECORDS  SYNCED (UTC)          AGE      FULL PASS (UTC)
 *       contacts         3000  2025-06-01 10:00:00   5m       never
 *       queue    P pending, S sending, C conflicts, F failed, N not applied
 *       rate     R of M requests per Ns left (as of TIME); daily D of X left
 *
 *     --json prints one object: {portal, base_url, objects: [{name,
 *     records, synced_ms, age_s, last_full_ms}], queue: {pending, sending,
 *     conflict, failed, not_applied}, rate: {...} or null}. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "cmd_util.h"
#include "meta.h"
#include "outbox.h"
#include "util.h"

int cmd_sync(const cli_globals *g, int argc, char **argv);
int cmd_status(const cli_globals *g, int argc, char **argv);

int cmd_sync(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"full", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    bool full = false, quiet = false;
    int opt;
    optind = 0;   /* 0: GNU getopt starts over (the global options used "+") */
    while ((opt = getopt_long(argc, argv, "+fqh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f': full = true; break;
        case 'q': quiet = true; break;
        case 'h': return cli_help("sync");
        default:  return cli_usage_error("sync");
        }
    }
    if (g->offline)
        return cmd_refuse_offline("sync");
    portal_session *ps = NULL;
    int rc = cmd_open_portal(g, true, &ps);
    if (rc != CLI_EXIT_OK)
        return rc;
    sync_options so = {
        .full = full,
        .objects = (const char *const *)argv + optind,
        .n_objects = (size_t)(argc - optind),
    };
    rc = cmd_run_sync(ps, &so, quiet);
    portal_close(ps);
    return rc;
}

/* ---- status ----------------------------------------------------------------------- */

static void format_time(int64_t ms, char *out, size_t cap)
{
    if (ms <= 0) {
        snprintf(out, cap, "never");
        return;
    }
    char iso[32];
    time_format_iso(ms, iso);
    /* 2025-06-01T10:00:00.000Z -> 2025-06-01 10:00:00 */
    iso[10] = ' ';
    iso[19] = '\0';
    snprintf(out, cap, "%s", iso);
}

static void format_age(int64_t ms, char *out, size_t cap)
{
    if (ms <= 0) {
        snprintf(out, cap, "-");
        return;
    }
    int64_t s = (time_now_ms() - ms) / 1000;
    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(out, cap, "%llds", (long long)s);
    else if (s < 7200)
        snprintf(out, cap, "%lldm", (long long)(s / 60));
    else if (s < 172800)
        snprintf(out, cap, "%lldh", (long long)(s / 3600));
    else
        snprintf(out, cap, "%lldd", (long long)(s / 86400));
}

static json_t *rate_budget(store *st)
{
    char *text = NULL;
    if (checkpoint_kv_get(st, NULL, "rate_budget", &text, NULL) != HT_OK || !text)
        return NULL;
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    return json_is_object(j) ? j : (json_decref(j), NULL);
}

static int64_t jint(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void print_rate_text(json_t *rate)
{
    if (!rate) {
        printf("rate     unknown (no sync yet)\n");
        return;
    }
    char at[32];
    format_time(jint(rate, "at"), at, sizeof at);
    int64_t max = jint(rate, "window_max"), used = jint(rate, "window_used");
    int64_t interval = jint(rate, "window_interval_ms");
    printf("rate     %lld of %lld requests per %llds left (as of %s)",
           (long long)(max - used > 0 ? max - used : 0), (long long)max,
           (long long)(interval / 1000), at);
    if (jint(rate, "daily_max") > 0 && jint(rate, "daily_remaining") >= 0)
        printf("; daily %lld of %lld left", (long long)jint(rate, "daily_remaining"),
               (long long)jint(rate, "daily_max"));
    printf("\n");
}

typedef struct obj_status {
    objinfo *info;
    sync_checkpoint cp;
} obj_status;

static int status_json(portal_session *ps, objinfo *objs, sync_checkpoint *cps, size_t n,
                       const outbox_counts *q)
{
    json_t *out = json_pack("{ss ss}", "portal", ps->name, "base_url",
                            ps->conf && ps->conf->base_url ? ps->conf->base_url
                                                           : (getenv("HUBTUI_BASE_URL") ?
                                                              getenv("HUBTUI_BASE_URL") :
                                                              "https://api.hubapi.com"));
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!objs[i].synced)
            continue;
        int64_t synced = cps[i].last_incremental_ms;
        json_array_append_new(list, json_pack("{ss sI sI sI sI}", "name", objs[i].name,
            "records", (json_int_t)objs[i].count, "synced_ms", (json_int_t)synced,
            "age_s", (json_int_t)(synced > 0 ? (time_now_ms() - synced) / 1000 : -1),
            "last_full_ms", (json_int_t)cps[i].last_full_ms));
    }
    json_object_set_new(out, "objects", list);
    json_object_set_new(out, "queue", json_pack("{sI sI sI sI sI}",
        "pending", (json_int_t)q->pending, "sending", (json_int_t)q->sending,
        "conflict", (json_int_t)q->conflict, "failed", (json_int_t)q->failed,
        "not_applied", (json_int_t)q->not_applied));
    json_t *rate = rate_budget(ps->st);
    json_object_set_new(out, "rate", rate ? rate : json_null());
    char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(text);
    free(text);
    json_decref(out);
    return CLI_EXIT_OK;
}

static void status_text(portal_session *ps, objinfo *objs, sync_checkpoint *cps, size_t n,
                        const outbox_counts *q)
{
    const char *base = getenv("HUBTUI_BASE_URL");
    if (!base)
        base = ps->conf && ps->conf->base_url ? ps->conf->base_url : "https://api.hubapi.com";
    printf("portal   %s  (%s)\n", ps->name, base);
    printf("%-14s %9s  %-20s %-8s %s\n", "OBJECT", "RECORDS", "SYNCED (UTC)", "AGE",
           "FULL PASS (UTC)");
    strbuf never = {0};
    for (size_t i = 0; i < n; i++) {
        if (!objs[i].synced) {
            if (objs[i].sync_default || objs[i].custom)
                strbuf_printf(&never, "%s%s", never.len ? ", " : "", objs[i].name);
            continue;
        }
        char synced[32], age[16], full[32];
        format_time(cps[i].last_incremental_ms, synced, sizeof synced);
        format_age(cps[i].last_incremental_ms, age, sizeof age);
        format_time(cps[i].last_full_ms, full, sizeof full);
        printf("%-14s %9lld  %-20s %-8s %s\n", objs[i].name, (long long)objs[i].count, synced,
               age, full);
    }
    if (never.len)
        printf("(not synced yet: %s)\n", strbuf_str(&never));
    strbuf_free(&never);
    printf("queue    %lld pending, %lld sending, %lld conflicts, %lld failed, %lld not applied\n",
           (long long)q->pending, (long long)q->sending, (long long)q->conflict,
           (long long)q->failed, (long long)q->not_applied);
    json_t *rate = rate_budget(ps->st);
    print_rate_text(rate);
    json_decref(rate);
}

int cmd_status(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    bool as_json = false;
    int opt;
    optind = 0;   /* 0: GNU getopt starts over (the global options used "+") */
    while ((opt = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j': as_json = true; break;
        case 'h': return cli_help("status");
        default:  return cli_usage_error("status");
        }
    }
    if (optind < argc)
        return cli_usage_error("status");
    portal_session *ps = NULL;
    int rc = cmd_open_portal(g, false, &ps);
    if (rc != CLI_EXIT_OK)
        return rc;
    objinfo *objs = NULL;
    size_t n = 0;
    outbox_counts q = {0};
    ht_error err;
    ht_status s = meta_list_objects(ps->st, &objs, &n, &err);
    if (s == HT_OK)
        s = outbox_counts_get(ps->st, &q, &err);
    sync_checkpoint *cps = xcalloc(n + 1, sizeof *cps);
    for (size_t i = 0; s == HT_OK && i < n; i++)
        s = checkpoint_get(ps->st, objs[i].name, &cps[i], &err);
    if (s != HT_OK) {
        cmd_print_error("status", &err);
        rc = CLI_EXIT_FAILURE;
    } else if (as_json) {
        rc = status_json(ps, objs, cps, n, &q);
    } else {
        status_text(ps, objs, cps, n, &q);
    }
    for (size_t i = 0; i < n; i++)
        sync_checkpoint_clear(&cps[i]);
    free(cps);
    objinfo_free_all(objs, n);
    portal_close(ps);
    return rc;
}
