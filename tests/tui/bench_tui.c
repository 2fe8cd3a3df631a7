/* bench_tui — the browser on 1,000,000 cached contacts, driven through a
 * pseudo-terminal like a person would.
 *
 * The cache is written with the cache writers directly (bulk mode, as a
 * first sync does), then hubtui runs on a pty of 120x40 with the opt-in
 * frame trace (HUBTUI_FRAME_TRACE: a line with the monotonic time after
 * every frame written). Measured:
 *   - start to the first frame, and to the first frame showing rows;
 *   - page-down: key sent → frame written (median, p99), bytes per key;
 *   - a filter typed character by character: key → echo frame, and
 *     key → the frame with the new rows (median, p99);
 *   - hubtui's peak RSS;
 *   - side by side: the sqlite3 shell opening the same file and printing
 *     the first 50 rows of the same queries (time, peak RSS);
 *   - key handling while a sync runs in the background (a fakehub portal,
 *     the browser syncing it while keys keep coming).
 *
 * BENCH_TUI_RECORDS (default 1000000), BENCH_TUI_SYNC_CONTACTS (30000),
 * BENCH_TUI_KEYS (200 page-downs), TMPDIR for scratch. Targets: first
 * frame <= 150 ms, key p99 <= 10 ms, RSS <= 64 MB, keys during a sync
 * p99 <= 20 ms. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "meta.h"
#include "query.h"
#include "records.h"
#include "store.h"
#include "util.h"

#define ROWS 40
#define COLS 120
#define TRACE_FD 9
#define BATCH 1000
#define BATCHES_PER_TX 50
#define NPROPS 13

static const char *const props[NPROPS] = {
    "firstname", "lastname", "email", "phone", "company", "jobtitle", "city", "country",
    "lifecyclestage", "hubspot_owner_id", "createdate", "lastmodifieddate", "num_employees",
};

static const char contact_defs[] = "["
    "{\"name\":\"firstname\",\"label\":\"First Name\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\"},"
    "{\"name\":\"lastname\",\"label\":\"Last Name\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\"},"
    "{\"name\":\"email\",\"label\":\"Email\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\"},"
    "{\"name\":\"phone\",\"label\":\"Phone\",\"type\":\"string\",\"fieldType\":\"phonenumber\",\"groupName\":\"contactinformation\"},"
    "{\"name\":\"company\",\"label\":\"Company\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\"},"
    "{\"name\":\"jobtitle\",\"label\":\"Job Title\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\"},"
    "{\"name\":\"city\",\"label\":\"City\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\"},"
    "{\"name\":\"country\",\"label\":\"Country\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\"},"
    "{\"name\":\"lifecyclestage\",\"label\":\"Lifecycle Stage\",\"type\":\"enumeration\",\"fieldType\":\"radio\",\"groupName\":\"contactinformation\",\"options\":["
    "{\"value\":\"subscriber\",\"label\":\"Subscriber\",\"displayOrder\":0},{\"value\":\"lead\",\"label\":\"Lead\",\"displayOrder\":1},"
    "{\"value\":\"marketingqualifiedlead\",\"label\":\"MQL\",\"displayOrder\":2},{\"value\":\"salesqualifiedlead\",\"label\":\"SQL\",\"displayOrder\":3},"
    "{\"value\":\"opportunity\",\"label\":\"Opportunity\",\"displayOrder\":4},{\"value\":\"customer\",\"label\":\"Customer\",\"displayOrder\":5}]},"
    "{\"name\":\"hubspot_owner_id\",\"label\":\"Owner\",\"type\":\"enumeration\",\"fieldType\":\"select\",\"referencedObjectType\":\"OWNER\",\"groupName\":\"salesinfo\"},"
    "{\"name\":\"createdate\",\"label\":\"Create Date\",\"type\":\"datetime\",\"fieldType\":\"date\",\"groupName\":\"contactinformation\",\"modificationMetadata\":{\"readOnlyValue\":true}},"
    "{\"name\":\"lastmodifieddate\",\"label\":\"Last Modified\",\"type\":\"datetime\",\"fieldType\":\"date\",\"groupName\":\"contactinformation\",\"modificationMetadata\":{\"readOnlyValue\":true}},"
    "{\"name\":\"num_employees\",\"label\":\"Employees\",\"type\":\"number\",\"fieldType\":\"number\",\"groupName\":\"salesinfo\"}]";

static const char owners_json[] = "["
    "{\"id\":\"101\",\"email\":\"sam@example.com\",\"firstName\":\"Sam\",\"lastName\":\"Lee\",\"userId\":1,\"type\":\"PERSON\",\"archived\":false},"
    "{\"id\":\"102\",\"email\":\"ana@example.com\",\"firstName\":\"Ana\",\"lastName\":\"Diaz\",\"userId\":2,\"type\":\"PERSON\",\"archived\":false}]";

/* ---- Small helpers ---------------------------------------------------------------- */

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what, const ht_error *err)
{
    fprintf(stderr, "bench_tui: %s: %s\n", what, err ? err->message : strerror(errno));
    exit(1);
}

typedef struct samples {
    double *v;
    size_t n, cap;
} samples;

static void add(samples *s, double ms)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = ms;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(samples *s, double p)
{
    if (!s->n)
        return 0;
    qsort(s->v, s->n, sizeof *s->v, dcmp);
    size_t i = (size_t)(p / 100.0 * (double)(s->n - 1) + 0.5);
    return s->v[i];
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void remove_tree(const char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_tui: could not remove %s\n", dir);
    free(cmd);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        die(path, NULL);
}

/* ---- The cache: n contacts through the cache writers --------------------------------- */

static const char *const firsts[] = {"Ann", "Bob", "Chloé", "Dmitri", "Eva", "Fatima", "George",
                                     "Hana", "Ivan", "José", "Kai", "Lena", "Mei", "Noah",
                                     "Olu", "Priya", "Ravi", "Sofia", "Tom", "Zoë"};
static const char *const lasts[] = {"Smith", "Müller", "García", "Lee", "Okafor", "Rossi",
                                    "Novák", "Kowalski", "Ivanova", "Tanaka", "Dubois", "Silva",
                                    "Jensen", "O'Brien", "Nguyen", "Haddad", "Schmidt", "Kim"};
static const char *const cities[] = {"Berlin", "Paris", "Lisbon", "Austin", "Tokyo", "Oslo",
                                     "Lagos", "Lima", "Pune", "Seoul", "Porto", "Denver"};
static const char *const stages[] = {"subscriber", "lead", "marketingqualifiedlead",
                                     "salesqualifiedlead", "opportunity", "customer"};

static void build_cache(const char *dir, size_t n)
{
    ht_error err;
    store *st;
    store_options opt = {.dir = dir};
    if (store_open("bench", &opt, &st, &err) != HT_OK)
        die("open", &err);
    json_t *j = json_loads(contact_defs, 0, NULL);
    if (meta_store_properties(st, "contacts", j, &err) != HT_OK)
        die("properties", &err);
    json_decref(j);
    j = json_loads(owners_json, 0, NULL);
    if (meta_store_owners(st, j, &err) != HT_OK)
        die("owners", &err);
    json_decref(j);
    j = json_pack("{s:i, s:s, s:s}", "portalId", 4242, "timeZone", "Europe/Paris",
                  "companyCurrency", "EUR");
    if (meta_store_account(st, j, &err) != HT_OK)
        die("account", &err);
    json_decref(j);
    if (records_begin_bulk(st, "contacts", &err) != HT_OK)
        die("bulk", &err);
    record_writer *w = records_writer_open(st, "contacts", &err);
    if (!w)
        die("writer", &err);
    char (*ids)[16] = xcalloc(BATCH, sizeof *ids);
    const char **idp = xcalloc(BATCH, sizeof *idp);
    char **vals = xcalloc((size_t)BATCH * NPROPS, sizeof *vals);
    int64_t *times = xcalloc(BATCH, sizeof *times);
    for (size_t start = 0, batch = 0; start < n; start += BATCH, batch++) {
        size_t k = n - start < BATCH ? n - start : BATCH;
        if (batch % BATCHES_PER_TX == 0 && store_begin(st, &err) != HT_OK)
            die("begin", &err);
        for (size_t i = 0; i < k; i++) {
            size_t id = start + i + 1;
            snprintf(ids[i], sizeof ids[i], "%zu", id);
            idp[i] = ids[i];
            const char *first = firsts[rnd() % ARRAY_SIZE(firsts)];
            const char *last = lasts[rnd() % ARRAY_SIZE(lasts)];
            int64_t created = 1609459200000LL + (int64_t)(id * 137000ULL % 140000000000ULL);
            times[i] = created;
            char created_s[32], modified_s[32];
            time_format_iso(created, created_s);
            time_format_iso(created + 86400000, modified_s);
            char **v = &vals[i * NPROPS];
            v[0] = xstrdup(first);
            v[1] = xstrdup(last);
            v[2] = xasprintf("contact%zu@example%zu.com", id, id % 97);
            v[3] = xasprintf("+1 555 %04zu %04zu", id % 10000, (id / 10000) % 10000);
            v[4] = xasprintf("%s %s Ltd", last, cities[id % ARRAY_SIZE(cities)]);
            v[5] = xstrdup(id % 3 ? "Account Executive" : "Head of Operations");
            v[6] = xstrdup(cities[rnd() % ARRAY_SIZE(cities)]);
            v[7] = xstrdup(id % 2 ? "Germany" : "United States");
            v[8] = xstrdup(stages[rnd() % ARRAY_SIZE(stages)]);
            v[9] = xstrdup(id % 2 ? "101" : "102");
            v[10] = xstrdup(created_s);
            v[11] = xstrdup(modified_s);
            v[12] = xasprintf("%zu", 10 + id % 5000);
        }
        record_batch b = {.props = props, .nprops = NPROPS, .nrecords = k, .ids = idp,
                          .values = (const char *const *)vals, .created_ms = times,
                          .updated_ms = times};
        if (records_writer_put(w, &b, 0, NULL, &err) != HT_OK)
            die("put", &err);
        for (size_t i = 0; i < k * NPROPS; i++)
            free(vals[i]);
        if ((batch % BATCHES_PER_TX == BATCHES_PER_TX - 1 || start + k >= n) &&
            store_commit(st, &err) != HT_OK)
            die("commit", &err);
    }
    records_writer_close(w);
    if (records_end_bulk(st, "contacts", NULL, &err) != HT_OK)
        die("end bulk", &err);
    /* The sorted run below finds its index built, as after a first sort. */
    if (query_ensure_index(st, "contacts", "lastname", NULL, &err) != HT_OK)
        die("index", &err);
    free(ids);
    free(idp);
    free(vals);
    free(times);
    store_close(st);
}

/* ---- hubtui on a pseudo-terminal ------------------------------------------------------- */

typedef struct term {
    pid_t pid;
    int master, trace;
    char tbuf[256];
    size_t tlen;
    uint64_t bytes;      /* written to the terminal so far */
    char tail[65536];    /* the last bytes written, for searching */
    size_t ntail;
    int64_t *frames;     /* frame times (µs, CLOCK_MONOTONIC), in order */
    size_t nframes, cap;
} term;

static term *spawn(const char *hubtui, char *const argv[], char *const env[])
{
    term *t = xcalloc(1, sizeof *t);
    struct winsize ws = {.ws_row = ROWS, .ws_col = COLS};
    int slave, tp[2];
    if (openpty(&t->master, &slave, NULL, NULL, &ws) < 0 || pipe(tp) < 0)
        die("openpty", NULL);
    t->pid = fork();
    if (t->pid < 0)
        die("fork", NULL);
    if (t->pid == 0) {
        setsid();
        ioctl(slave, TIOCSCTTY, 0);
        dup2(slave, 0);
        dup2(slave, 1);
        int errfd = open("/dev/null", O_WRONLY);
        dup2(errfd, 2);
        dup2(tp[1], TRACE_FD);
        closefrom(TRACE_FD + 1);
        execve(hubtui, argv, env);
        _exit(127);
    }
    close(slave);
    close(tp[1]);
    t->trace = tp[0];
    fcntl(t->master, F_SETFL, O_NONBLOCK);
    fcntl(t->trace, F_SETFL, O_NONBLOCK);
    return t;
}

static void take_output(term *t)
{
    char buf[16384];
    ssize_t n;
    while ((n = read(t->master, buf, sizeof buf)) > 0) {
        t->bytes += (uint64_t)n;
        /* buf is smaller than tail: keep the end of what was written. */
        if (t->ntail + (size_t)n > sizeof t->tail) {
            size_t drop = t->ntail + (size_t)n - sizeof t->tail;
            memmove(t->tail, t->tail + drop, t->ntail - drop);
            t->ntail -= drop;
        }
        memcpy(t->tail + t->ntail, buf, (size_t)n);
        t->ntail += (size_t)n;
    }
}

static void take_frames(term *t)
{
    ssize_t n;
    while ((n = read(t->trace, t->tbuf + t->tlen, sizeof t->tbuf - t->tlen - 1)) > 0) {
        t->tlen += (size_t)n;
        char *nl;
        while ((nl = memchr(t->tbuf, '\n', t->tlen))) {
            long long us;
            if (sscanf(t->tbuf, "frame %lld", &us) == 1) {
                if (t->nframes == t->cap) {
                    t->cap = t->cap ? t->cap * 2 : 256;
                    t->frames = xrealloc(t->frames, t->cap * sizeof *t->frames);
                }
                t->frames[t->nframes++] = us;
            }
            size_t used = (size_t)(nl - t->tbuf) + 1;
            memmove(t->tbuf, nl + 1, t->tlen - used);
            t->tlen -= used;
        }
    }
}

/* Read whatever comes for up to ms milliseconds (or until woken). */
static void pump(term *t, int ms)
{
    struct pollfd fds[2] = {{t->master, POLLIN, 0}, {t->trace, POLLIN, 0}};
    if (poll(fds, 2, ms) > 0) {
        take_output(t);
        take_frames(t);
    }
}

/* The first frame written after time after (µs); -1 on timeout. */
static int64_t frame_after(term *t, int64_t after, int timeout_ms)
{
    int64_t deadline = now_us() + (int64_t)timeout_ms * 1000;
    for (;;) {
        for (size_t i = t->nframes; i > 0; i--) {
            if (t->frames[i - 1] <= after)
                break;
            if (i == 1 || t->frames[i - 2] <= after)
                return t->frames[i - 1];
        }
        int64_t left = deadline - now_us();
        if (left <= 0)
            return -1;
        pump(t, (int)(left / 1000) + 1);
    }
}

/* The last frame of a burst: frames keep coming until quiet_ms pass. */
static int64_t settle(term *t, int quiet_ms, int timeout_ms)
{
    int64_t deadline = now_us() + (int64_t)timeout_ms * 1000;
    size_t seen = t->nframes;
    int64_t quiet_from = now_us();
    while (now_us() < deadline) {
        pump(t, 5);
        if (t->nframes != seen) {
            seen = t->nframes;
            quiet_from = now_us();
        } else if (now_us() - quiet_from >= (int64_t)quiet_ms * 1000) {
            break;
        }
    }
    return t->nframes ? t->frames[t->nframes - 1] : -1;
}

static bool shows(term *t, const char *text)
{
    return memmem(t->tail, t->ntail, text, strlen(text)) != NULL;
}

static bool wait_text(term *t, const char *text, int timeout_ms)
{
    int64_t deadline = now_us() + (int64_t)timeout_ms * 1000;
    while (!shows(t, text)) {
        if (now_us() > deadline)
            return false;
        pump(t, 20);
    }
    return true;
}

static void send(term *t, const char *keys)
{
    if (write(t->master, keys, strlen(keys)) < 0)
        die("write", NULL);
}

static long peak_rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static int finish(term *t)
{
    send(t, "q");
    int status = 0;
    for (int i = 0; i < 500; i++) {
        pump(t, 10);
        if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
            t->pid = 0;
            break;
        }
    }
    if (t->pid) {
        kill(t->pid, SIGKILL);
        waitpid(t->pid, &status, 0);
    }
    close(t->master);
    close(t->trace);
    free(t->frames);
    free(t);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* ---- The runs ------------------------------------------------------------------------- */

typedef struct env {
    char *dir, *hubtui;
    char **vars;
} env;

static char **make_env(const char *dir)
{
    char **v = xcalloc(12, sizeof *v);
    int n = 0;
    v[n++] = xasprintf("XDG_CONFIG_HOME=%s/config", dir);
    v[n++] = xasprintf("XDG_CACHE_HOME=%s/cache", dir);
    v[n++] = xasprintf("XDG_STATE_HOME=%s/state", dir);
    v[n++] = xasprintf("HOME=%s", dir);
    v[n++] = xstrdup("TERM=xterm-256color");
    v[n++] = xstrdup("LANG=C.UTF-8");
    v[n++] = xasprintf("HUBTUI_FRAME_TRACE=%d", TRACE_FD);
    v[n++] = xasprintf("PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    return v;
}

static void free_env(char **v)
{
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

typedef struct run_result {
    double first_frame_ms, rows_ms;
    samples pgdn;
    double pgdn_bytes;
    size_t pgdn_incomplete;
    samples echo, results;
    long rss_kb;
} run_result;

static term *start(const env *e, const char *portal, bool offline, int64_t *t0)
{
    char *argv[] = {"hubtui", "--portal", (char *)portal, offline ? "--offline" : NULL, NULL};
    *t0 = now_us();
    return spawn(e->hubtui, argv, e->vars);
}

static void measure_start(term *t, int64_t t0, const char *row_text, run_result *r)
{
    int64_t f = frame_after(t, 0, 30000);
    r->first_frame_ms = f > 0 ? (double)(f - t0) / 1000.0 : -1;
    r->rows_ms = wait_text(t, row_text, 30000) ? (double)(now_us() - t0) / 1000.0 : -1;
    settle(t, 300, 10000); /* counts, side pane, sort index: let it calm down */
}

static void measure_pagedown(term *t, size_t keys, run_result *r)
{
    uint64_t bytes0 = t->bytes;
    for (size_t i = 0; i < keys; i++) {
        int64_t t0 = now_us();
        size_t before = t->nframes;
        send(t, "\033[6~");
        int64_t f = frame_after(t, t0, 5000);
        if (f > 0)
            add(&r->pgdn, (double)(f - t0) / 1000.0);
        /* A second frame soon after means rows were still loading. */
        settle(t, 40, 2000);
        if (t->nframes > before + 1)
            r->pgdn_incomplete++;
    }
    r->pgdn_bytes = (double)(t->bytes - bytes0) / (double)keys;
}

/* Type text one character at a time, erase it the same way, three times. */
static void measure_filter(term *t, const char *text, run_result *r)
{
    send(t, "/");
    settle(t, 100, 2000);
    size_t len = strlen(text);
    for (size_t k = 0; k < 6 * len; k++) {
        size_t round = k / len, at = k % len;
        char key[2] = {round % 2 ? 0x7f : text[at], 0}; /* Backspace on the way back */
        int64_t t0 = now_us();
        size_t before = t->nframes;
        send(t, key);
        int64_t f = frame_after(t, t0, 5000);
        if (f > 0)
            add(&r->echo, (double)(f - t0) / 1000.0);
        int64_t last = settle(t, 150, 10000);
        if (t->nframes > before + 1 && last > 0)
            add(&r->results, (double)(last - t0) / 1000.0);
    }
    send(t, "\r");
    settle(t, 150, 5000);
}

static void print_run(const char *what, run_result *r, size_t keys)
{
    printf("%s\n", what);
    printf("  first frame              %8.1f ms   (target <= 150 ms)\n", r->first_frame_ms);
    printf("  first rows on screen     %8.1f ms\n", r->rows_ms);
    printf("  page-down                median %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%zu keys;"
           " target p99 <= 10 ms)\n",
           pct(&r->pgdn, 50), pct(&r->pgdn, 99), pct(&r->pgdn, 100), keys);
    printf("  bytes per page-down      %8.0f       (%zu of %zu keys drew loading rows first)\n",
           r->pgdn_bytes, r->pgdn_incomplete, keys);
    if (r->echo.n)
        printf("  filter keystroke echo    median %6.2f ms  p99 %6.2f ms\n", pct(&r->echo, 50),
               pct(&r->echo, 99));
    if (r->results.n)
        printf("  filter keystroke rows    median %6.2f ms  p99 %6.2f ms  (%zu keystrokes"
               " changed the rows)\n",
               pct(&r->results, 50), pct(&r->results, 99), r->results.n);
    printf("  peak RSS (hubtui)        %8.1f MB   (target <= 64 MB)\n", (double)r->rss_kb / 1024);
}

static void browse_run(const env *e, const char *portal, const char *row_text, size_t keys,
                       const char *filter_text, run_result *r)
{
    memset(r, 0, sizeof *r);
    int64_t t0;
    term *t = start(e, portal, true, &t0);
    measure_start(t, t0, row_text, r);
    measure_pagedown(t, keys, r);
    if (filter_text)
        measure_filter(t, filter_text, r);
    r->rss_kb = peak_rss_kb(t->pid);
    int rc = finish(t);
    if (rc != 0)
        fprintf(stderr, "bench_tui: hubtui exited with %d\n", rc);
}

/* ---- sqlite3, side by side ------------------------------------------------------------------ */

static bool have_sqlite3(void)
{
    return system("command -v sqlite3 >/dev/null 2>&1") == 0;
}

/* Run sqlite3 on db with sql; its stdout (first line) into out. Returns
 * wall ms; *rss_kb gets its peak RSS. */
static double run_sqlite3(const char *db, const char *sql, char *out, size_t outlen, long *rss_kb)
{
    int p[2];
    if (pipe(p) < 0)
        die("pipe", NULL);
    int64_t t0 = now_us();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        execlp("sqlite3", "sqlite3", "-batch", "-readonly", db, sql, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char buf[8192];
    size_t got = 0;
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        if (out && got < outlen - 1) {
            size_t take = (size_t)n < outlen - 1 - got ? (size_t)n : outlen - 1 - got;
            memcpy(out + got, buf, take);
            got += take;
        }
    if (out)
        out[got] = '\0';
    close(p[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    double ms = (double)(now_us() - t0) / 1000.0;
    if (rss_kb)
        *rss_kb = ru.ru_maxrss;
    return ms;
}

static void sqlite3_side(const char *db)
{
    if (!have_sqlite3()) {
        printf("sqlite3 shell not installed: no side-by-side figures\n");
        return;
    }
    char table[64] = "", lastname[64] = "";
    run_sqlite3(db, "SELECT 'rec_' || okey FROM object_types WHERE name='contacts'", table,
                sizeof table, NULL);
    run_sqlite3(db, "SELECT col FROM prop_cols p JOIN object_types o ON o.okey=p.okey"
                    " WHERE o.name='contacts' AND p.name='lastname'", lastname, sizeof lastname,
                NULL);
    table[strcspn(table, "\n")] = '\0';
    lastname[strcspn(lastname, "\n")] = '\0';
    char *by_id = xasprintf("SELECT * FROM %s ORDER BY id LIMIT 50", table);
    char *by_name = xasprintf("SELECT * FROM %s ORDER BY %s COLLATE NOCASE, id LIMIT 50", table,
                              lastname);
    char *count = xasprintf("SELECT count(*) FROM %s", table);
    long rss1, rss2, rss3;
    double ms1 = 0, ms2 = 0, ms3 = 0;
    for (int i = 0; i < 3; i++) { /* warm, then the best of the rest */
        double a = run_sqlite3(db, by_id, NULL, 0, &rss1);
        double b = run_sqlite3(db, by_name, NULL, 0, &rss2);
        double c = run_sqlite3(db, count, NULL, 0, &rss3);
        if (i == 1 || a < ms1)
            ms1 = a;
        if (i == 1 || b < ms2)
            ms2 = b;
        if (i == 1 || c < ms3)
            ms3 = c;
    }
    printf("sqlite3 shell on the same file (start, query, print, exit)\n");
    printf("  first 50 rows by id          %8.1f ms   peak RSS %6.1f MB\n", ms1,
           (double)rss1 / 1024);
    printf("  first 50 rows by last name   %8.1f ms   peak RSS %6.1f MB\n", ms2,
           (double)rss2 / 1024);
    printf("  count(*)                     %8.1f ms   peak RSS %6.1f MB\n", ms3,
           (double)rss3 / 1024);
    free(by_id);
    free(by_name);
    free(count);
}

static bool log_has(const char *path, const char *text)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f))
        found = strstr(line, text) != NULL;
    if (f)
        fclose(f);
    return found;
}

/* hubtui --portal live sync OBJECT, to the end. */
static bool cli_sync(const char *hubtui, char *const vars[], const char *object)
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        char *argv[] = {"hubtui", "--portal", "live", "sync", (char *)object, NULL};
        execve(hubtui, argv, vars);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* ---- Keys while a sync runs ------------------------------------------------------------------- */

static void during_sync(const char *hubtui, const char *base, size_t contacts)
{
    char *dir = xasprintf("%s/sync", base);
    char *sub[3] = {xasprintf("%s/config/hubtui", dir), xasprintf("%s/cache", dir),
                    xasprintf("%s/state", dir)};
    char *cmd = xasprintf("mkdir -p '%s' '%s' '%s'", sub[0], sub[1], sub[2]);
    if (system(cmd) != 0)
        die("mkdir", NULL);
    free(cmd);
    char n[32];
    snprintf(n, sizeof n, "%zu", contacts);
    const char *args[] = {"--contacts", n, "--rate-limit", "off", NULL};
    fakehub fh;
    if (!fakehub_start(&fh, args, 120000)) {
        printf("keys during a sync: fakehub did not start ($FAKEHUB?)\n");
        goto out;
    }
    char *config = xasprintf("%s/config", sub[0]);
    char *text = xasprintf("[portal live]\nbase_url = %s\ntoken_command = echo %s\n",
                           fh.base_url, fh.token);
    write_file(config, text);
    free(text);
    free(config);
    env e = {.dir = dir, .hubtui = (char *)hubtui, .vars = make_env(dir)};
    /* The end of the sync is read from the log (screen text is redrawn in
     * pieces and cannot be searched reliably). */
    char *log = xasprintf("%s/hubtui.log", dir);
    size_t nv = 0;
    while (e.vars[nv])
        nv++;
    e.vars = xrealloc(e.vars, (nv + 2) * sizeof *e.vars);
    e.vars[nv] = xasprintf("HUBTUI_LOG=%s", log);
    e.vars[nv + 1] = NULL;
    /* Contacts first (not measured), so the list is on screen and reloads
     * while the sync brings every other type and the associations. */
    if (!cli_sync(hubtui, e.vars, "contacts")) {
        printf("keys during a sync: the first sync failed\n");
        goto done;
    }
    int64_t t0;
    term *t = start(&e, "live", false, &t0);
    if (!wait_text(t, "Contacts", 30000) || !wait_text(t, "online", 30000)) {
        printf("keys during a sync: the browser did not come up online\n");
        finish(t);
        goto done;
    }
    settle(t, 200, 5000);
    int64_t sync0 = now_us();
    send(t, "S");
    samples keys = {0};
    const char *moves[] = {"j", "k"};
    size_t i = 0;
    int64_t last_key = 0;
    while (!log_has(log, "Sync finished") && now_us() - sync0 < 300 * 1000000LL) {
        pump(t, 5);
        if (now_us() - last_key < 30000)
            continue;
        int64_t k0 = now_us();
        send(t, moves[i++ % 2]);
        int64_t f = frame_after(t, k0, 5000);
        if (f > 0)
            add(&keys, (double)(f - k0) / 1000.0);
        last_key = now_us();
    }
    double sync_s = (double)(now_us() - sync0) / 1e6;
    long rss = peak_rss_kb(t->pid);
    finish(t);
    printf("keys on the contacts list while a sync runs (every other type of a %zu-contact\n"
           "portal and the associations, from fakehub, %.1f s)\n", contacts, sync_s);
    printf("  key → frame              median %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%zu keys;"
           " target p99 <= 20 ms)\n",
           pct(&keys, 50), pct(&keys, 99), pct(&keys, 100), keys.n);
    printf("  peak RSS (hubtui)        %8.1f MB\n", (double)rss / 1024);
    free(keys.v);
done:
    free(log);
    free_env(e.vars);
    fakehub_stop(&fh);
out:
    for (int k = 0; k < 3; k++)
        free(sub[k]);
    free(dir);
}

/* ---- main ---------------------------------------------------------------------------------------- */

static size_t env_size(const char *name, size_t def)
{
    const char *v = getenv(name);
    return v && *v ? (size_t)strtoull(v, NULL, 10) : def;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *hubtui = getenv("HUBTUI");
    if (!hubtui) {
        fprintf(stderr, "bench_tui: set HUBTUI (meson does)\n");
        return 1;
    }
    size_t n = env_size("BENCH_TUI_RECORDS", 1000000);
    size_t keys = env_size("BENCH_TUI_KEYS", 200);
    size_t sync_contacts = env_size("BENCH_TUI_SYNC_CONTACTS", 30000);
    const char *tmp = getenv("TMPDIR");
    char *base = xasprintf("%s/hubtui-bench-tui-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base))
        die("mkdtemp", NULL);
    char *dir = xasprintf("%s/browse", base);
    char *cmd = xasprintf("mkdir -p '%s/config/hubtui' '%s/cache/hubtui' '%s/state'", dir, dir,
                          dir);
    if (system(cmd) != 0)
        die("mkdir", NULL);
    free(cmd);

    int64_t b0 = now_us();
    char *cache = xasprintf("%s/cache/hubtui", dir);
    build_cache(cache, n);
    char *db = xasprintf("%s/bench.db", cache);
    struct stat sb;
    stat(db, &sb);
    printf("bench_tui: %zu contacts in the cache (built in %.1f s, %.0f MB), terminal %dx%d\n\n",
           n, (double)(now_us() - b0) / 1e6, (double)sb.st_size / 1048576.0, COLS, ROWS);

    char *config = xasprintf("%s/config/hubtui/config", dir);
    write_file(config, "[portal bench]\nbase_url = http://127.0.0.1:9\n");
    env e = {.dir = dir, .hubtui = (char *)hubtui, .vars = make_env(dir)};
    run_result r;
    /* Record order: contact 1 (Ann/Bob...) is on the first row. */
    browse_run(&e, "bench", "contact1@example1.com", keys, "kowalski", &r);
    print_run("Contacts by record id (the first run's view)", &r, keys);
    free(r.pgdn.v);
    free(r.echo.v);
    free(r.results.v);

    /* Sorted by last name, from the config: the index exists (built once). */
    write_file(config, "[portal bench]\nbase_url = http://127.0.0.1:9\n"
                       "[columns.contacts]\nsort = lastname\n");
    char *state = xasprintf("%s/state/hubtui/state.json", dir);
    unlink(state);
    free(state);
    browse_run(&e, "bench", "Dubois", keys, NULL, &r);
    printf("\n");
    print_run("Contacts sorted by last name", &r, keys);
    free(r.pgdn.v);
    free(r.echo.v);
    free(r.results.v);
    printf("\n");
    sqlite3_side(db);
    printf("\n");
    free_env(e.vars);
    if (sync_contacts)
        during_sync(hubtui, base, sync_contacts);
    remove_tree(base);
    free(config);
    free(db);
    free(cache);
    free(dir);
    free(base);
    return 0;
}
