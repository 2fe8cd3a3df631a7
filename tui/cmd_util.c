/* cmd_util.c — shared pieces of the read-side subcommands. */
#include "cmd_util.h"

#include <string.h>
#include <unistd.h>

#include "client.h"
#include "util.h"

#define PLAIN_EVERY_MS 2000
#define BAR_WIDTH      24

volatile sig_atomic_t cmd_interrupted;
static struct sigaction saved_int, saved_term;
static bool signals_caught;

static void on_signal(int sig)
{
    cmd_interrupted = 1;
}

void cmd_catch_signals(void)
{
    if (signals_caught)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &saved_int);
    sigaction(SIGTERM, &sa, &saved_term);
    signals_caught = true;
}

void cmd_release_signals(void)
{
    if (!signals_caught)
        return;
    sigaction(SIGINT, &saved_int, NULL);
    sigaction(SIGTERM, &saved_term, NULL);
    signals_caught = false;
}

void cmd_print_error(const char *what, const ht_error *err)
{
    const char *msg = err && err->message[0] ? err->message
                                             : ht_status_str(err ? err->status : HT_IO);
    if (what)
        fprintf(stderr, "hubtui: %s: %s", what, msg);
    else
        fprintf(stderr, "hubtui: %s", msg);
    if (err && err->correlation_id[0])
        fprintf(stderr, " (correlation id %s)", err->correlation_id);
    fputc('\n', stderr);
}

int cmd_refuse_offline(const char *what)
{
    fprintf(stderr, "hubtui: %s needs HubSpot, but --offline was given\n", what);
    return CLI_EXIT_USAGE;
}

int cmd_open_portal(const cli_globals *g, bool connect, portal_session **out)
{
    portal_options po = {
        .portal = g->portal,
        .offline = g->offline && !connect,   /* callers that connect refuse --offline */
        .readonly = g->readonly,
    };
    ht_error err;
    ht_error_clear(&err);
    if (portal_open(&po, out, &err) != HT_OK) {
        cmd_print_error(NULL, &err);
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < (*out)->cfg.n_warnings; i++)
        fprintf(stderr, "hubtui: warning: %s\n", (*out)->cfg.warnings[i]);
    if (connect && portal_connect(*out, &err) != HT_OK) {
        cmd_print_error("cannot reach HubSpot", &err);
        portal_close(*out);
        *out = NULL;
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* ---- progress ------------------------------------------------------------------ */

static const char *phase_name(sync_phase p)
{
    switch (p) {
    case SYNC_METADATA:     return "metadata";
    case SYNC_BACKFILL:     return "backfill";
    case SYNC_INCREMENTAL:  return "changes";
    case SYNC_ASSOCIATIONS: return "associations";
    case SYNC_RECONCILE:    return "full pass";
    case SYNC_FINISHED:     return "done";
    }
    return "?";
}

static void format_eta(int64_t ms, char *out, size_t cap)
{
    if (ms < 0) {
        snprintf(out, cap, "--:--");
        return;
    }
    int64_t s = (ms + 999) / 1000;
    if (s >= 3600)
        snprintf(out, cap, "%lld:%02lld:%02lld", (long long)(s / 3600),
                 (long long)(s / 60 % 60), (long long)(s % 60));
    else
        snprintf(out, cap, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

void cmd_progress_init(cmd_progress *p, FILE *out, bool quiet)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->quiet = quiet;
    p->tty = isatty(fileno(out)) && !getenv("HUBTUI_PLAIN_PROGRESS");
}

void cmd_progress_clear(cmd_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
        p->drawn = false;
    }
}

static void draw_bar(cmd_progress *p, const sync_progress *sp)
{
    char eta[32];
    format_eta(sp->eta_ms, eta, sizeof eta);
    const char *obj = sp->object ? sp->object : "";
    char bar[BAR_WIDTH + 1];
    int filled = 0;
    if (sp->records_total > 0)
        filled = (int)(sp->records_done * BAR_WIDTH /
                       (sp->records_done > sp->records_total ? sp->records_done
                                                              : sp->records_total));
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[BAR_WIDTH] = '\0';
    fprintf(p->out, "\r\033[Ksync %-14.14s %-12s [%s] %lld", obj, phase_name(sp->phase), bar,
            (long long)sp->records_done);
    if (sp->records_total >= 0)
        fprintf(p->out, "/%lld", (long long)sp->records_total);
    fprintf(p->out, " records  %.0f/s  ETA %s", sp->records_per_s, eta);
    fflush(p->out);
    p->drawn = true;
}

/* One plain line: the step's object and phase, the job's counts now. */
static void plain_line(cmd_progress *p, const sync_progress *sp)
{
    const char *obj = p->step_object;
    fprintf(p->out, "sync: %s%s%s: %lld", obj, obj[0] ? " " : "",
            phase_name((sync_phase)p->step_phase), (long long)sp->records_done);
    if (sp->records_total >= 0)
        fprintf(p->out, "/%lld", (long long)sp->records_total);
    fprintf(p->out, " records, %.0f/s, %lld requests\n", sp->records_per_s,
            (long long)sp->requests);
    fflush(p->out);
    p->step_requests = sp->requests;
    p->step_records = sp->records_done;
    p->last_ms = time_mono_ms();
}

/* Did the step send a request or store a record since its start (or its
 * last line)? */
static bool step_worked(const cmd_progress *p, const sync_progress *sp)
{
    return sp->requests != p->step_requests || sp->records_done != p->step_records;
}

/* The sync reports a new object before the task that plans its work has
 * chosen the phase, so an object first shows with the phase before it
 * ("contacts associations" ahead of "contacts backfill"), and a finished
 * object shows once more on its way out. Such steps do no work of their
 * own. So a step is printed when it ends, with the counts it reached, and
 * only if work was seen under it (requests sent or records stored); a long
 * one also every few seconds while it works. */
static void plain_update(cmd_progress *p, const sync_progress *sp)
{
    const char *obj = sp->object ? sp->object : "";
    bool finished = sp->phase == SYNC_FINISHED;
    bool same = p->has_step && !finished && (int)sp->phase == p->step_phase &&
                strcmp(obj, p->step_object) == 0;
    if (same) {
        if (time_mono_ms() - p->last_ms >= PLAIN_EVERY_MS && step_worked(p, sp))
            plain_line(p, sp);
        return;
    }
    if (p->has_step && step_worked(p, sp))
        plain_line(p, sp);
    p->has_step = !finished;
    p->last_ms = time_mono_ms();
    snprintf(p->step_object, sizeof p->step_object, "%s", obj);
    p->step_phase = (int)sp->phase;
    p->step_requests = sp->requests;
    p->step_records = sp->records_done;
}

void cmd_progress_update(void *ud, const sync_progress *sp)
{
    cmd_progress *p = ud;
    if (p->quiet)
        return;
    if (!p->tty) {
        plain_update(p, sp);
        return;
    }
    if (sp->phase == SYNC_FINISHED)
        cmd_progress_clear(p);
    else
        draw_bar(p, sp);
}

/* ---- running a sync ------------------------------------------------------------------ */

typedef struct sync_outcome {
    bool      done;
    ht_status status;
    ht_error  err;
} sync_outcome;

static void on_sync_done(void *ud, ht_status st, const ht_error *err)
{
    sync_outcome *o = ud;
    o->done = true;
    o->status = st;
    if (err)
        ht_error_copy(&o->err, err);
}

typedef struct both {
    cmd_progress  prog;
    sync_outcome  out;
} both;

static void on_both_progress(void *ud, const sync_progress *sp)
{
    cmd_progress_update(&((both *)ud)->prog, sp);
}

static void on_both_done(void *ud, ht_status st, const ht_error *err)
{
    on_sync_done(&((both *)ud)->out, st, err);
}

int cmd_run_sync(portal_session *ps, const sync_options *base, bool quiet)
{
    both b;
    memset(&b, 0, sizeof b);
    cmd_progress_init(&b.prog, stderr, quiet);
    sync_options o = *base;
    o.on_progress = on_both_progress;
    o.on_done = on_both_done;
    o.ud = &b;
    ht_error err;
    ht_error_clear(&err);
    int64_t t0 = time_mono_ms();
    sync_job *job = sync_start(ps, &o, &err);
    if (!job) {
        cmd_print_error("sync", &err);
        return CLI_EXIT_FAILURE;
    }
    cmd_catch_signals();
    while (!b.out.done) {
        if (cmd_interrupted)
            sync_cancel(job);
        hs_client_poll(ps->client, NULL, 0, 250);
    }
    cmd_release_signals();
    cmd_progress_clear(&b.prog);
    const sync_progress *sp = sync_get_progress(job);
    const char *object;
    const char *why;
    for (size_t i = 0; (why = sync_skipped(job, i, &object)) != NULL; i++)
        if (!quiet)
            fprintf(stderr, "sync: skipped %s: %s\n", object, why);
    int64_t ms = time_mono_ms() - t0;
    int rc = CLI_EXIT_OK;
    if (b.out.status == HT_OK) {
        if (!quiet)
            fprintf(stderr, "sync: done: %lld records in %.1f s (%lld requests)\n",
                    (long long)sp->records_done, (double)ms / 1000.0, (long long)sp->requests);
    } else if (b.out.status == HT_CANCELLED) {
        fprintf(stderr, "hubtui: sync interrupted after %lld records; what was stored stays "
                "(run sync again to go on)\n", (long long)sp->records_done);
        rc = CLI_EXIT_FAILURE;
    } else {
        cmd_print_error("sync failed", &b.out.err);
        rc = b.out.status == HT_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    }
    sync_free(job);
    return rc;
}
