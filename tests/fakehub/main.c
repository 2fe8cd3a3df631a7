/* fakehub — a local HubSpot portal simulator for hubtui's tests, benchmarks
 * and demo. See README.md in this directory for the command line, the
 * endpoints and the control API. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "portal.h"
#include "server.h"

static const char usage[] =
    "usage: fakehub [options]\n"
    "  --port N              listen on 127.0.0.1:N (0 = any free port; default 0)\n"
    "  --seed S              data seed (default 1)\n"
    "  --contacts N          generated contacts (default 200); the counts below\n"
    "  --companies N         default to shares of the contacts\n"
    "  --deals N --tickets N --products N --line-items N\n"
    "  --notes N --calls N --tasks N --custom N (custom object records)\n"
    "  --quotes N --meetings N --emails N\n"
    "  --token T             accepted Bearer token (repeatable; default demo-token)\n"
    "  --scopes T=a,b        the scopes of token T (default: every scope)\n"
    "  --rate-limit N/MS|off per-app rolling limit (default 100/10000)\n"
    "  --search-rate N/S|off search limit per portal (default 5/1)\n"
    "  --daily N             daily limit (default 250000; 0 = off)\n"
    "  --faults SPEC         5xx=P,429=P,reset=P,truncate=P,latency=A-B\n"
    "  --search-caps G/F/T   filter groups/filters per group/filters in all (5/10/25)\n"
    "  --search-lag MS       writes reach search after MS ms (default 1000)\n"
    "  --strict-lifecycle    refuse backward lifecycle stages with 400\n"
    "  --retry-after         send Retry-After on 429\n"
    "  --oauth-client ID:SECRET  enable the OAuth token endpoint for this app\n"
    "  --token-ttl S         OAuth access token lifetime (default 1800)\n"
    "  --portal-id N         portal (hub) id (default 4242)\n"
    "  --db PATH             keep the portal in PATH across restarts\n"
    "  --log PATH            one line per request: method path status ms\n"
    "  --quiet               nothing on stderr but errors\n";

enum {
    O_PORT = 256, O_SEED, O_CONTACTS, O_COMPANIES, O_DEALS, O_TICKETS, O_PRODUCTS, O_LINE_ITEMS,
    O_NOTES, O_CALLS, O_TASKS, O_CUSTOM, O_QUOTES, O_MEETINGS, O_EMAILS, O_TOKEN, O_SCOPES, O_RATE, O_SEARCH_RATE, O_DAILY,
    O_FAULTS, O_CAPS, O_LAG, O_STRICT, O_RETRY, O_OAUTH, O_TTL, O_PORTAL, O_DB, O_LOG, O_QUIET,
    O_HELP,
};

static const struct option long_opts[] = {
    {"port", 1, NULL, O_PORT}, {"seed", 1, NULL, O_SEED}, {"contacts", 1, NULL, O_CONTACTS},
    {"companies", 1, NULL, O_COMPANIES}, {"deals", 1, NULL, O_DEALS},
    {"tickets", 1, NULL, O_TICKETS}, {"products", 1, NULL, O_PRODUCTS},
    {"line-items", 1, NULL, O_LINE_ITEMS}, {"notes", 1, NULL, O_NOTES},
    {"calls", 1, NULL, O_CALLS}, {"tasks", 1, NULL, O_TASKS}, {"custom", 1, NULL, O_CUSTOM},
    {"quotes", 1, NULL, O_QUOTES}, {"meetings", 1, NULL, O_MEETINGS}, {"emails", 1, NULL, O_EMAILS},
    {"token", 1, NULL, O_TOKEN}, {"scopes", 1, NULL, O_SCOPES}, {"rate-limit", 1, NULL, O_RATE},
    {"search-rate", 1, NULL, O_SEARCH_RATE}, {"daily", 1, NULL, O_DAILY},
    {"faults", 1, NULL, O_FAULTS}, {"search-caps", 1, NULL, O_CAPS},
    {"search-lag", 1, NULL, O_LAG}, {"strict-lifecycle", 0, NULL, O_STRICT},
    {"retry-after", 0, NULL, O_RETRY}, {"oauth-client", 1, NULL, O_OAUTH},
    {"token-ttl", 1, NULL, O_TTL}, {"portal-id", 1, NULL, O_PORTAL}, {"db", 1, NULL, O_DB},
    {"log", 1, NULL, O_LOG}, {"quiet", 0, NULL, O_QUIET}, {"help", 0, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

static bool parse_count(const char *s, int64_t max, int64_t *out)
{
    int64_t v;
    if (!str_to_i64(s, &v) || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

static bool set_count(fh_counts *c, int opt, const char *arg)
{
    int64_t *slot[] = {&c->contacts, &c->companies, &c->deals, &c->tickets, &c->products,
                       &c->line_items, &c->notes, &c->calls, &c->tasks, &c->custom,
                       &c->quotes, &c->meetings, &c->emails};
    return parse_count(arg, 50000000, slot[opt - O_CONTACTS]);
}

static void push(const char ***list, int *n, const char *item)
{
    *list = xrealloc(*list, sizeof **list * (size_t)(*n + 1));
    (*list)[(*n)++] = item;
}

/* Parse one option; false with a message when its value is bad. */
static bool apply_option(fh_options *o, int opt, const char *arg)
{
    int64_t v;
    switch (opt) {
    case O_PORT: return parse_count(arg, 65535, &v) && (o->port = (int)v, true);
    case O_SEED: return parse_count(arg, INT64_MAX, &v) && (o->seed = (uint64_t)v, true);
    case O_CONTACTS: case O_COMPANIES: case O_DEALS: case O_TICKETS: case O_PRODUCTS:
    case O_LINE_ITEMS: case O_NOTES: case O_CALLS: case O_TASKS: case O_CUSTOM:
    case O_QUOTES: case O_MEETINGS: case O_EMAILS:
        return set_count(&o->counts, opt, arg);
    case O_TOKEN: push(&o->tokens, &o->n_tokens, arg); return !str_empty(arg);
    case O_SCOPES: push(&o->scope_specs, &o->n_scope_specs, arg); return true;
    case O_RATE: return config_parse_rate(arg, &o->settings);
    case O_SEARCH_RATE: return config_parse_search_rate(arg, &o->settings);
    case O_DAILY: return parse_count(arg, INT64_C(1000000000), &o->settings.daily_max);
    case O_FAULTS: return config_parse_faults(arg, &o->settings.faults);
    case O_CAPS: return config_parse_caps(arg, &o->settings);
    case O_LAG: return parse_count(arg, 3600000, &v) && (o->settings.search_lag_ms = (int)v, true);
    case O_STRICT: o->settings.strict_lifecycle = true; return true;
    case O_RETRY: o->settings.retry_after = true; return true;
    case O_OAUTH: o->oauth_client = arg; return true;
    case O_TTL: return parse_count(arg, 86400 * 30, &v) && v > 0 && (o->token_ttl_s = (int)v, true);
    case O_PORTAL: return parse_count(arg, INT64_C(999999999), &o->portal_id) && o->portal_id > 0;
    case O_DB: o->db_path = arg; return true;
    case O_LOG: o->log_path = arg; return true;
    case O_QUIET: o->quiet = true; return true;
    default: return false;
    }
}

static int parse_args(int argc, char **argv, fh_options *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->portal_id = 4242;
    o->token_ttl_s = 1800;
    fh_counts unset = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    o->counts = unset;
    settings_defaults(&o->settings);
    int opt;
    while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        if (opt == O_HELP) {
            fputs(usage, stdout);
            return 0;
        }
        if (opt == '?' || !apply_option(o, opt, optarg)) {
            if (opt != '?')
                fprintf(stderr, "fakehub: bad value for --%s: %s\n", long_opts[opt - O_PORT].name,
                        optarg ? optarg : "");
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "fakehub: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    generator_default_counts(&o->counts);
    return -1;
}

/* Generating a large portal touches hundreds of megabytes; glibc backs its
 * heap with transparent huge pages only when told so at start-up (a tunable
 * read from the environment), which saves a fifth of the start time on
 * this kind of machine. So start again once with the tunable set. */
static void reexec_with_huge_pages(char **argv)
{
    const char *t = getenv("GLIBC_TUNABLES");
    if (getenv("FAKEHUB_NO_REEXEC") || (t && strstr(t, "hugetlb")))
        return;
    char *v = t && *t ? xasprintf("%s:glibc.malloc.hugetlb=1", t) : xstrdup("glibc.malloc.hugetlb=1");
    setenv("GLIBC_TUNABLES", v, 1);
    setenv("FAKEHUB_NO_REEXEC", "1", 1);
    free(v);
    execv("/proc/self/exe", argv);
    /* Could not: carry on without huge pages. */
}

int main(int argc, char **argv)
{
    reexec_with_huge_pages(argv);
    fh_options opt;
    int rc = parse_args(argc, argv, &opt);
    if (rc >= 0) {
        free(opt.tokens);
        free(opt.scope_specs);
        return rc;
    }
    /* Handle the stop signals in this thread only (server threads inherit
     * the mask), and never die from a client closing its socket. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    static fh_portal portal;
    char err[512];
    if (!portal_init(&portal, &opt, err, sizeof err)) {
        fprintf(stderr, "fakehub: %s\n", err);
        portal_free(&portal);
        free(opt.tokens);
        free(opt.scope_specs);
        return 1;
    }
    fh_server *srv = server_start(&portal, opt.port, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "fakehub: %s\n", err);
        portal_free(&portal);
        free(opt.tokens);
        free(opt.scope_specs);
        return 1;
    }
    printf("listening on http://127.0.0.1:%d\n", server_port(srv));
    fflush(stdout);
    if (!opt.quiet) {
        const fh_counts *c = &portal.opt.counts;
        fprintf(stderr, "fakehub: portal %lld ready in %.2f s (seed %llu): %lld contacts, %lld "
                "companies, %lld deals, %lld tickets%s\n", (long long)opt.portal_id,
                portal.gen_seconds, (unsigned long long)portal.opt.seed, (long long)c->contacts,
                (long long)c->companies, (long long)c->deals, (long long)c->tickets,
                opt.db_path ? " (persistent)" : "");
    }
    int sig;
    sigwait(&stop, &sig);
    server_stop(srv);
    portal_free(&portal);
    free(opt.tokens);
    free(opt.scope_specs);
    return 0;
}
