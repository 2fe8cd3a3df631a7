/* hubtui demo — a complete portal on this machine, no account needed.
 *
 * Starts fakehub (the HubSpot simulator the tests use) on a free loopback
 * port with generated demo data — a fixed seed, 3,000 contacts with their
 * companies, deals, tickets, line items, notes, calls, tasks and the custom
 * object — and a fresh random token. Its data lives in
 * $XDG_CACHE_HOME/hubtui/demo-fakehub.db, so edits made in the demo are
 * there next time. The portal is called "demo" and exists only in this
 * process: the user's config file is never read or touched. The demo syncs
 * it with progress, then shows what the cache holds.
 *
 * fakehub is found at $HUBTUI_FAKEHUB, else next to this executable
 * (tests/fakehub/fakehub, where the build puts it), else on PATH. It runs in
 * its own process group (Ctrl-C reaches only us), dies with us if we are
 * killed (PR_SET_PDEATHSIG), and is stopped on every way out. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd_util.h"
#include "log.h"
#include "meta.h"
#include "query.h"
#include "records.h"
#include "store.h"
#include "tui.h"
#include "util.h"

int cmd_demo(const cli_globals *g, int argc, char **argv);

#define DEMO_PORTAL    "demo"
#define DEMO_SEED      "42"
#define DEMO_CONTACTS  "3000"
/* A private app with the API limit increase (hubspot-api.md §11): 250
 * requests per 10 s, 1,000,000 a day; the first sync (about 220 requests)
 * fits in one window. */
#define DEMO_RATE_LIMIT  "250/10000"
#define DEMO_DAILY_LIMIT "1000000"
#define START_TIMEOUT_MS 60000

typedef struct demo_env {
    char *conf_text;           /* the built-in portal "demo", for the browser too */
    pid_t pid;                 /* fakehub, 0 when not running */
    char  base_url[64];
    char  token[48];
    char *db_path;
    bool  fresh_data;          /* fakehub generated its data this time */
} demo_env;

/* ---- finding fakehub ---------------------------------------------------------------- */

static bool executable(const char *path)
{
    struct stat sb;
    return path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

static char *beside_us(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return xasprintf("%s/tests/fakehub/fakehub", self);
}

static char *on_path(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return NULL;
    char *copy = xstrdup(path), *found = NULL;
    for (char *save = NULL, *d = strtok_r(copy, ":", &save); d && !found;
         d = strtok_r(NULL, ":", &save)) {
        char *cand = xasprintf("%s/fakehub", *d ? d : ".");
        if (executable(cand))
            found = cand;
        else
            free(cand);
    }
    free(copy);
    return found;
}

static char *find_fakehub(void)
{
    const char *env = getenv("HUBTUI_FAKEHUB");
    if (env && *env)
        return executable(env) ? xstrdup(env) : NULL;
    char *p = beside_us();
    if (executable(p))
        return p;
    free(p);
    return on_path();
}

/* ---- running it ------------------------------------------------------------------------ */

static bool random_token(char out[48])
{
    unsigned char raw[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, raw, sizeof raw);
    close(fd);
    if (n != (ssize_t)sizeof raw)
        return false;
    strcpy(out, "demo-");
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 5 + 2 * i, 3, "%02x", raw[i]);
    return true;
}

static void demo_stop(demo_env *env)
{
    if (env->pid <= 0)
        return;
    kill(env->pid, SIGTERM);
    int status;
    for (int waited = 0; waited < 5000; waited += 20) {
        pid_t r = waitpid(env->pid, &status, WNOHANG);
        if (r == env->pid || (r < 0 && errno != EINTR)) {
            env->pid = 0;
            return;
        }
        usleep(20 * 1000);
    }
    kill(env->pid, SIGKILL);
    while (waitpid(env->pid, &status, 0) < 0 && errno == EINTR)
        ;
    env->pid = 0;
}

static void exec_fakehub(const char *exe, const demo_env *env, int out_fd)
{
    /* Our own process group: the terminal's Ctrl-C is ours to handle. */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(out_fd, STDOUT_FILENO);
    close(out_fd);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    execl(exe, exe, "--port", "0", "--seed", DEMO_SEED, "--contacts", DEMO_CONTACTS,
          "--token", env->token, "--db", env->db_path, "--rate-limit", DEMO_RATE_LIMIT,
          "--daily", DEMO_DAILY_LIMIT,
          "--quiet", (char *)NULL);
    fprintf(stderr, "hubtui: cannot run %s: %s\n", exe, strerror(errno));
    _exit(127);
}

/* Read fakehub's first line ("listening on http://127.0.0.1:PORT"). */
static bool read_listening_line(int fd, demo_env *env)
{
    char line[256];
    size_t len = 0;
    int64_t deadline = time_mono_ms() + START_TIMEOUT_MS;
    while (len < sizeof line - 1) {
        int left = (int)(deadline - time_mono_ms());
        if (left <= 0 || cmd_interrupted)
            return false;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, left < 200 ? left : 200);
        if (r < 0 && errno != EINTR)
            return false;
        if (r <= 0)
            continue;
        ssize_t n = read(fd, line + len, 1);
        if (n <= 0)
            return false;
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    const char *url = strstr(line, "http://127.0.0.1:");
    if (!url || strncmp(line, "listening on ", 13) != 0)
        return false;
    snprintf(env->base_url, sizeof env->base_url, "%s", url);
    return true;
}

static int demo_start_fakehub(demo_env *env)
{
    char *exe = find_fakehub();
    if (!exe) {
        fprintf(stderr, "hubtui: cannot find fakehub (set HUBTUI_FAKEHUB, or build it: "
                "`./run build` puts it in build/tests/fakehub/)\n");
        return CLI_EXIT_FAILURE;
    }
    char *dir = store_default_dir();
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        char *parent = xstrdup(dir);
        char *slash = strrchr(parent, '/');
        if (slash)
            *slash = '\0';
        mkdir(parent, 0700);
        mkdir(dir, 0700);
        free(parent);
    }
    env->db_path = xasprintf("%s/demo-fakehub.db", dir);
    free(dir);
    struct stat sb;
    env->fresh_data = stat(env->db_path, &sb) != 0;
    int pipefd[2];
    if (!random_token(env->token) || pipe2(pipefd, O_CLOEXEC) != 0) {
        fprintf(stderr, "hubtui: cannot start fakehub: %s\n", strerror(errno));
        free(exe);
        return CLI_EXIT_FAILURE;
    }
    pid_t pid = fork();
    if (pid == 0)
        exec_fakehub(exe, env, pipefd[1]);
    close(pipefd[1]);
    if (pid < 0) {
        fprintf(stderr, "hubtui: cannot start fakehub: %s\n", strerror(errno));
        close(pipefd[0]);
        free(exe);
        return CLI_EXIT_FAILURE;
    }
    env->pid = pid;
    if (env->fresh_data)
        fprintf(stderr, "demo: generating the demo portal (%s contacts) in %s\n", DEMO_CONTACTS,
                env->db_path);
    bool up = read_listening_line(pipefd[0], env);
    close(pipefd[0]);
    if (!up) {
        fprintf(stderr, "hubtui: %s did not start\n", exe);
        free(exe);
        demo_stop(env);
        return CLI_EXIT_FAILURE;
    }
    free(exe);
    return CLI_EXIT_OK;
}

/* ---- the session --------------------------------------------------------------------------- */

/* Start fakehub, open portal "demo" on it and sync it with progress. On
 * success *out is the ready, connected session (close it with portal_close,
 * then demo_finish). */
static int demo_open(demo_env *env, portal_session **out)
{
    *out = NULL;
    cmd_catch_signals();
    int rc = demo_start_fakehub(env);
    if (rc != CLI_EXIT_OK)
        return rc;
    /* The limiter starts from the documented budget of the app type and tier
     * (the status bar shows it before any answer): these match the limits
     * fakehub is started with (DEMO_RATE_LIMIT, DEMO_DAILY_LIMIT). */
    char *conf_text = xasprintf("[portal " DEMO_PORTAL "]\nbase_url = %s\n"
                                "app_type = private\ntier = limit_increase\n", env->base_url);
    /* The demo portal's address wins over anything in the environment. */
    unsetenv("HUBTUI_BASE_URL");
    portal_options po = {.config_text = conf_text, .portal = DEMO_PORTAL, .token = env->token};
    ht_error err;
    portal_session *ps = NULL;
    ht_status s = portal_open(&po, &ps, &err);
    env->conf_text = conf_text;
    if (s == HT_OK)
        s = portal_connect(ps, &err);
    if (s != HT_OK) {
        cmd_print_error("demo", &err);
        portal_close(ps);
        return CLI_EXIT_FAILURE;
    }
    fprintf(stderr, "demo: fakehub serves portal \"%s\" at %s\n", DEMO_PORTAL, env->base_url);
    /* New data behind an old cache: start over rather than trust it. */
    sync_options so = {.full = env->fresh_data};
    rc = cmd_run_sync(ps, &so, false);
    if (rc != CLI_EXIT_OK) {
        portal_close(ps);
        return rc;
    }
    *out = ps;
    return CLI_EXIT_OK;
}

static void demo_finish(demo_env *env)
{
    demo_stop(env);
    cmd_release_signals();
    free(env->db_path);
    env->db_path = NULL;
    free(env->conf_text);
    env->conf_text = NULL;
}

/* The browser on the synced demo portal; fakehub keeps serving it (edits
 * push to it) until the browser exits. */
static int demo_browse(const cli_globals *g, demo_env *env)
{
    /* The browser handles Ctrl-C, Ctrl-Z and SIGTERM itself. */
    cmd_release_signals();
    /* -v put the log on stderr, which is the terminal the browser draws on. */
    if (g->log_on_stderr)
        log_close();
    tui_options topts = {.portal = DEMO_PORTAL, .config_text = env->conf_text,
                         .token = env->token, .readonly = g->readonly,
                         .offline = g->offline, .theme = g->theme};
    return tui_run(&topts);
}

/* ---- what the cache holds -------------------------------------------------------------------- */

static void print_samples(store *st, const char *object, const char *const *cols, size_t ncols,
                          size_t n)
{
    query_spec spec = {.object = object, .columns = cols, .ncolumns = ncols};
    query *q = NULL;
    query_page *pg = NULL;
    if (query_open(st, &spec, &q, NULL, NULL) != HT_OK)
        return;
    if (query_first(q, n, &pg, NULL) == HT_OK) {
        for (size_t r = 0; r < pg->nrows; r++) {
            printf("    %-6s", pg->rows[r].id);
            for (size_t c = 0; c < ncols; c++)
                printf("  %s", pg->rows[r].values[c] ? pg->rows[r].values[c] : "-");
            putchar('\n');
        }
    }
    query_page_free(pg);
    query_close(q);
}

static int demo_print_summary(portal_session *ps)
{
    objinfo *objs = NULL;
    size_t n = 0;
    ht_error err;
    if (meta_list_objects(ps->st, &objs, &n, &err) != HT_OK) {
        cmd_print_error("demo", &err);
        return CLI_EXIT_FAILURE;
    }
    printf("\nThe demo portal's cache (%s) holds:\n", store_path(ps->st));
    for (size_t i = 0; i < n; i++)
        if (objs[i].synced)
            printf("  %-12s %7lld\n", objs[i].label_plural ? objs[i].label_plural : objs[i].name,
                   (long long)objs[i].count);
    objinfo_free_all(objs, n);
    static const char *const contact_cols[] = {"firstname", "lastname", "email", "company"};
    static const char *const company_cols[] = {"name", "domain", "industry"};
    static const char *const deal_cols[] = {"dealname", "amount", "dealstage"};
    printf("\nSome contacts:\n");
    print_samples(ps->st, "contacts", contact_cols, ARRAY_SIZE(contact_cols), 5);
    printf("Some companies:\n");
    print_samples(ps->st, "companies", company_cols, ARRAY_SIZE(company_cols), 3);
    printf("Some deals:\n");
    print_samples(ps->st, "deals", deal_cols, ARRAY_SIZE(deal_cols), 3);
    printf("\nRun `./run demo` again: the portal keeps its data (and your edits), and the sync\n"
           "only fetches what changed.\n");
    return CLI_EXIT_OK;
}

int cmd_demo(const cli_globals *g, int argc, char **argv)
{
    if (argc > 1)
        return cli_usage_error("demo");
    demo_env env;
    memset(&env, 0, sizeof env);
    portal_session *ps = NULL;
    int rc = demo_open(&env, &ps);
    /* On a terminal the browser opens; otherwise (scripts) the summary. */
    bool browse = rc == CLI_EXIT_OK && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    if (rc == CLI_EXIT_OK && !browse)
        rc = demo_print_summary(ps);
    portal_close(ps);
    if (browse)
        rc = demo_browse(g, &env);
    demo_finish(&env);
    return rc;
}
