/* The read-side command line against a real fakehub and a real cache:
 * sync and status (with the plain progress lines naming the right object
 * and phase), get (labels, pending edits, --refresh), search (local and
 * --remote return the same ids for a set of filters), export (CSV per
 * RFC 4180, JSON, JSONL), filter mistakes with their column, exit codes,
 * every command's --help, --offline refusals, and -v's log on stderr. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "records.h"
#include "synctest.h"
#include "tmpdir.h"
#include "util.h"

static synctest t;   /* one portal for the whole file, synced once */

static int setup(void **state)
{
    /* Tests edit the server and sync at once to see the edit in the
     * output: they are about the commands, not index lag (sync_equal has
     * the lag tests). */
    static const char *const args[] = {
        "--contacts", "300", "--rate-limit", "1000/1000", "--seed", "11", "--search-lag", "0",
        NULL,
    };
    st_start(&t, args);
    return 0;
}

static int teardown(void **state)
{
    st_stop(&t);
    return 0;
}

#define RUN(out, err, ...) st_run(&t, out, err, (const char *const[]){__VA_ARGS__, NULL})

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* A temporary file's path in the fixture's directory. */
static void temp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", t.dir, name);
}

/* The plain progress lines of a first sync (stderr not a terminal): each
 * names an object with the phase it is in. No object shows in the metadata
 * phase, an object's first line is its backfill (never the phase of the
 * object before it), and every object type has one. */
static void assert_progress_lines(const char *err)
{
    bool backfilled[32] = {false};
    assert_true(st_nobjects <= ARRAY_SIZE(backfilled));
    bool seen[32] = {false};
    for (const char *line = err; *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char head[128] = "";
        if (len > 6 && strncmp(line, "sync: ", 6) == 0) {
            const char *colon = memchr(line + 6, ':', len - 6);
            if (colon && (size_t)(colon - line - 6) < sizeof head)
                snprintf(head, sizeof head, "%.*s", (int)(colon - line - 6), line + 6);
        }
        line += len + (eol != NULL);
        if (!head[0] || str_starts_with(head, "skipped ") || strcmp(head, "done") == 0)
            continue;
        const char *space = strchr(head, ' ');
        if (!space) {
            if (strcmp(head, "metadata") != 0 && strcmp(head, "associations") != 0)
                fail_msg("a progress line without an object in phase '%s'", head);
            continue;
        }
        const char *phase = space + 1;
        size_t k;
        for (k = 0; k < st_nobjects; k++)
            if (strlen(st_objects[k]) == (size_t)(space - head) &&
                strncmp(head, st_objects[k], (size_t)(space - head)) == 0)
                break;
        if (k == st_nobjects)
            fail_msg("progress line for an unknown object: %s", head);
        if (strcmp(phase, "metadata") == 0)
            fail_msg("'%s': an object in the metadata phase", head);
        if (!seen[k] && strcmp(phase, "backfill") != 0)
            fail_msg("'%s' comes before the object's backfill:\n%s", head, err);
        seen[k] = true;
        backfilled[k] |= strcmp(phase, "backfill") == 0;
    }
    for (size_t k = 0; k < st_nobjects; k++)
        if (!backfilled[k])
            fail_msg("no backfill line for %s:\n%s", st_objects[k], err);
}

static void test_sync_and_status(void **state)
{
    char *out = NULL, *err = NULL;
    char err_path[320];
    temp_path(err_path, sizeof err_path, "sync.err");
    assert_int_equal(st_run_err_file(&t, &out, err_path, (const char *const[]){"sync", NULL}),
                     0);
    err = tmpdir_read_file(err_path);
    assert_non_null(err);
    assert_non_null(strstr(err, "sync: done"));
    assert_progress_lines(err);
    free(out);
    free(err);
    /* The child wrote the cache this process reads. */
    st_reopen(&t);
    st_assert_equal(&t);

    assert_int_equal(RUN(&out, &err, "status"), 0);
    assert_non_null(strstr(out, "portal   t"));
    assert_non_null(strstr(out, "contacts"));
    assert_non_null(strstr(out, "queue    0 pending"));
    assert_non_null(strstr(out, "rate     "));
    free(out);
    free(err);

    assert_int_equal(RUN(&out, &err, "status", "--json"), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    size_t n;
    char **ids = st_server_ids(&t, "contacts", &n);
    bool found = false;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(j, "objects"), i, o) {
        if (strcmp(json_string_value(json_object_get(o, "name")), "contacts") == 0) {
            found = true;
            assert_int_equal(json_integer_value(json_object_get(o, "records")), n);
            assert_true(json_integer_value(json_object_get(o, "synced_ms")) > 0);
        }
    }
    assert_true(found);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "queue"), "pending")), 0);
    assert_true(json_integer_value(json_object_get(json_object_get(j, "rate"), "window_max")) > 0);
    json_decref(j);
    st_free_ids(ids, n);
    free(out);
    free(err);
}

static void test_exit_codes(void **state)
{
    char *out = NULL, *err = NULL;
    struct { int want; const char *const *args; } cases[] = {
        {2, (const char *const[]){"sync", "--bogus", NULL}},
        {2, (const char *const[]){"sync", "spaceships", NULL}},
        {2, (const char *const[]){"search", NULL}},
        {2, (const char *const[]){"search", "contacts", NULL}},
        {2, (const char *const[]){"search", "spaceships", "a = 1", NULL}},
        {2, (const char *const[]){"search", "contacts", "nosuchprop = 1", NULL}},
        {2, (const char *const[]){"search", "--columns", "nosuch", "contacts", "", NULL}},
        {2, (const char *const[]){"search", "--limit", "many", "contacts", "", NULL}},
        {2, (const char *const[]){"get", "contacts", NULL}},
        {2, (const char *const[]){"get", "contacts", "abc", NULL}},
        {1, (const char *const[]){"get", "contacts", "987654321", NULL}},
        {2, (const char *const[]){"export", NULL}},
        {2, (const char *const[]){"export", "contacts", "--format", "tsv", NULL}},
        {2, (const char *const[]){"status", "extra", NULL}},
        {0, (const char *const[]){"help", "export", NULL}},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc = st_run(&t, &out, &err, cases[i].args);
        if (rc != cases[i].want)
            fail_msg("hubtui %s %s: exit %d, want %d (%s)", cases[i].args[0],
                     cases[i].args[1] ? cases[i].args[1] : "", rc, cases[i].want, err);
        if (rc != 0)
            assert_true(strlen(err) > 0);   /* always says why */
        free(out);
        free(err);
    }
}

static void test_filter_errors_have_columns(void **state)
{
    char *out = NULL, *err = NULL;
    assert_int_equal(RUN(&out, &err, "search", "contacts", "amount > and"), 2);
    assert_non_null(strstr(err, "column 10"));
    assert_non_null(strstr(err, "  amount > and\n           ^\n"));
    assert_string_equal(out, "");
    free(out);
    free(err);
    assert_int_equal(RUN(&out, &err, "search", "--remote", "contacts",
                         "firstname = ann and (city = x"), 2);
    assert_non_null(strstr(err, "column"));
    free(out);
    free(err);
    assert_int_equal(RUN(&out, &err, "export", "contacts", "--filter", "createdate > tomorrowish"),
                     2);
    assert_non_null(strstr(err, "column 14"));
    free(out);
    free(err);
}

/* Local and remote search agree, id for id, in the same order. */
static void test_filter_round_trip(void **state)
{
    static const struct { const char *object, *expr; } exprs[] = {
        {"contacts", "lifecyclestage = lead"},
        {"contacts", "lifecyclestage = Lead"},
        {"contacts", "lifecyclestage in (lead, customer) and city ~ \"on\""},
        {"contacts", "lifecyclestage != lead"},
        {"contacts", "createdate > 2023-01-01"},
        {"contacts", "createdate >= 2022-06-01T12:00:00Z and createdate < 2023-01-01"},
        {"contacts", "has phone and !has jobtitle"},
        {"contacts", "city != London"},
        {"contacts", "lastname = müller or firstname = Zoë"},
        {"contacts", "Müller"},
        {"contacts", "an and lifecyclestage = lead"},
        {"contacts", "email ~ \"@gmail\""},
        {"contacts", "!has hubspot_owner_id"},
        {"contacts", "newsletter_opt_in = true"},
        {"contacts", "birthday > 1990-01-01"},
        {"companies", "numberofemployees >= 100"},
        {"companies", "industry = COMPUTER_SOFTWARE or annualrevenue < 1000000"},
        {"deals", "amount > 50000 or dealstage = closedwon"},
        {"deals", "amount >= 1000 and amount <= 20000"},
        {"deals", "dealstage = \"Closed won\""},
        {"deals", "closedate < 2022-01-01 and pipeline = default"},
        {"tickets", "hs_pipeline_stage in (1, 2)"},
        {"vehicles", "year > 2015 and make ~ \"Š\""},
    };
    int nonempty = 0;
    for (size_t i = 0; i < ARRAY_SIZE(exprs); i++) {
        char *local = NULL, *remote = NULL, *err = NULL;
        assert_int_equal(RUN(&local, &err, "search", "--columns", "hs_object_id", exprs[i].object,
                             exprs[i].expr), 0);
        free(err);
        assert_int_equal(RUN(&remote, &err, "search", "--remote", "--columns", "hs_object_id",
                             exprs[i].object, exprs[i].expr), 0);
        free(err);
        if (strcmp(local, remote) != 0)
            fail_msg("%s '%s': local %d rows, remote %d rows", exprs[i].object, exprs[i].expr,
                     count_lines(local) - 1, count_lines(remote) - 1);
        nonempty += count_lines(local) > 1;
        free(local);
        free(remote);
    }
    /* The filters really select something. */
    assert_true(nonempty >= (int)ARRAY_SIZE(exprs) - 2);
}

/* ---- a minimal RFC 4180 reader for checking exports ----------------------------------- */

typedef struct csv {
    char ***rows;
    size_t  nrows;
    size_t *ncols;
} csv;

static void csv_parse(const char *s, csv *c)
{
    memset(c, 0, sizeof *c);
    strbuf field = {0};
    char **row = NULL;
    size_t nrow = 0;
    bool quoted = false, any = false;
    for (const char *p = s;; p++) {
        if (quoted) {
            assert_true(*p != '\0');
            if (*p == '"' && p[1] == '"') {
                strbuf_putc(&field, '"');
                p++;
            } else if (*p == '"') {
                quoted = false;
            } else {
                strbuf_putc(&field, *p);
            }
            continue;
        }
        if (*p == '"') {
            quoted = any = true;
            continue;
        }
        if (*p == ',' || (*p == '\r' && p[1] == '\n') || *p == '\0') {
            if (*p == '\0' && !any && nrow == 0)
                break;
            row = xrealloc(row, (nrow + 1) * sizeof *row);
            row[nrow++] = strbuf_detach(&field);
            any = false;
            if (*p == ',')
                continue;
            c->rows = xrealloc(c->rows, (c->nrows + 1) * sizeof *c->rows);
            c->ncols = xrealloc(c->ncols, (c->nrows + 1) * sizeof *c->ncols);
            c->rows[c->nrows] = row;
            c->ncols[c->nrows++] = nrow;
            row = NULL;
            nrow = 0;
            if (*p == '\0')
                break;
            p++;   /* the LF of CRLF */
            if (p[1] == '\0')
                break;
            continue;
        }
        assert_true(*p != '\n' && *p != '\r');   /* bare line ends only inside quotes */
        strbuf_putc(&field, *p);
        any = true;
    }
    strbuf_free(&field);
    free(row);
}

static void csv_free(csv *c)
{
    for (size_t r = 0; r < c->nrows; r++) {
        for (size_t k = 0; k < c->ncols[r]; k++)
            free(c->rows[r][k]);
        free(c->rows[r]);
    }
    free(c->rows);
    free(c->ncols);
}

static const char tricky[] = "Head, \"R&D\"\r\nLab\tUnit — 東京";

static void test_export_formats(void **state)
{
    size_t n;
    char **ids = st_server_ids(&t, "contacts", &n);
    char props[256];
    snprintf(props, sizeof props, "{\"jobtitle\":\"Head, \\\"R&D\\\"\\r\\nLab\\tUnit — 東京\","
             "\"city\":\"\"}");
    json_decref(st_edit(&t, "contacts", ids[0], props));
    char *out = NULL, *err = NULL;
    assert_int_equal(RUN(&out, &err, "sync", "contacts"), 0);
    free(out);
    free(err);
    char filter[64];
    snprintf(filter, sizeof filter, "id = %s", ids[0]);

    /* CSV: header, CRLF, quoting, doubled quotes, empty fields, UTF-8. */
    assert_int_equal(RUN(&out, &err, "export", "contacts", "--columns", "jobtitle,city,firstname",
                         "--filter", filter), 0);
    csv c;
    csv_parse(out, &c);
    assert_int_equal(c.nrows, 2);
    assert_int_equal(c.ncols[0], 4);
    assert_string_equal(c.rows[0][0], "id");
    assert_string_equal(c.rows[0][1], "jobtitle");
    assert_string_equal(c.rows[1][0], ids[0]);
    assert_string_equal(c.rows[1][1], tricky);
    assert_string_equal(c.rows[1][2], "");
    assert_non_null(strstr(out, "id,jobtitle,city,firstname\r\n"));
    csv_free(&c);
    free(out);
    free(err);

    /* Every contact, default columns: as many rows as records. */
    assert_int_equal(RUN(&out, &err, "export", "contacts"), 0);
    csv_parse(out, &c);
    assert_int_equal(c.nrows, n + 1);
    for (size_t r = 1; r < c.nrows; r++)
        assert_int_equal(c.ncols[r], c.ncols[0]);
    csv_free(&c);
    free(out);
    free(err);

    /* JSON and JSONL: the same value, null for empty. */
    assert_int_equal(RUN(&out, &err, "export", "contacts", "--format", "json", "--columns",
                         "jobtitle,city", "--filter", filter), 0);
    json_t *arr = json_loads(out, 0, NULL);
    assert_true(json_is_array(arr));
    assert_int_equal(json_array_size(arr), 1);
    json_t *rec = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(rec, "id")), ids[0]);
    assert_string_equal(json_string_value(json_object_get(rec, "jobtitle")), tricky);
    assert_true(json_is_null(json_object_get(rec, "city")));
    json_decref(arr);
    free(out);
    free(err);
    assert_int_equal(RUN(&out, &err, "export", "deals", "--format", "jsonl", "--columns",
                         "dealname,amount"), 0);
    int lines = 0;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save), lines++) {
        json_t *o = json_loads(line, 0, NULL);
        assert_true(json_is_object(o));
        assert_int_equal(json_object_size(o), 3);
        json_decref(o);
    }
    size_t ndeals;
    char **deals = st_server_ids(&t, "deals", &ndeals);
    assert_int_equal(lines, ndeals);
    st_free_ids(deals, ndeals);
    free(out);
    free(err);

    /* TSV search escapes what would break a line. */
    assert_int_equal(RUN(&out, &err, "search", "--columns", "jobtitle", "contacts", filter), 0);
    assert_non_null(strstr(out, "Head, \"R&D\"\\r\\nLab\\tUnit — 東京\n"));
    assert_int_equal(count_lines(out), 2);
    free(out);
    free(err);
    st_free_ids(ids, n);
}

static void test_get(void **state)
{
    size_t n;
    char **ids = st_server_ids(&t, "contacts", &n);
    char *out = NULL, *err = NULL;
    assert_int_equal(RUN(&out, &err, "get", "contacts", ids[5]), 0);
    assert_true(str_starts_with(out, "property\tlabel\tvalue\tshown\tstate\toriginal\n"));
    assert_non_null(strstr(out, "\nfirstname\tFirst Name\t"));
    assert_non_null(strstr(out, "\nlifecyclestage\tLifecycle Stage\t"));
    free(out);
    free(err);

    /* A queued edit shows as pending, with the value it replaced. */
    record *r = NULL;
    assert_int_equal(records_get(t.ps->st, "contacts", ids[5], &r, NULL), HT_OK);
    char *before = record_get(r, "jobtitle") ? xstrdup(record_get(r, "jobtitle")) : NULL;
    record_free(r);
    assert_int_equal(outbox_enqueue_update(t.ps->st, "contacts", ids[5], "jobtitle",
                                           "Chief Tester", 0, NULL, NULL), HT_OK);
    assert_int_equal(RUN(&out, &err, "get", "--format", "json", "contacts", ids[5]), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "properties"),
                                                          "jobtitle")), "Chief Tester");
    json_t *p = json_object_get(json_object_get(j, "pending"), "jobtitle");
    assert_string_equal(json_string_value(json_object_get(p, "state")), "pending");
    if (before)
        assert_string_equal(json_string_value(json_object_get(p, "original")), before);
    else
        assert_true(json_is_null(json_object_get(p, "original")));
    json_decref(j);
    free(out);
    free(err);
    assert_int_equal(RUN(&out, &err, "get", "contacts", ids[5]), 0);
    assert_non_null(strstr(out, "\njobtitle\tJob Title\tChief Tester\tChief Tester\tpending\t"));
    free(out);
    free(err);
    size_t undone = 0;
    assert_int_equal(outbox_undo_last(t.ps->st, &undone, NULL), HT_OK);
    assert_int_equal(undone, 1);
    free(before);

    /* --refresh picks up a change made on HubSpot, and a deletion. */
    json_decref(st_edit(&t, "contacts", ids[6], "{\"firstname\":\"Refreshed\"}"));
    assert_int_equal(RUN(&out, &err, "get", "--refresh", "contacts", ids[6]), 0);
    assert_non_null(strstr(out, "\nfirstname\tFirst Name\tRefreshed\t"));
    free(out);
    free(err);
    char path[96];
    snprintf(path, sizeof path, "/crm/v3/objects/contacts/%s", ids[7]);
    json_decref(st_api(&t, "DELETE", path, NULL, 204));
    assert_int_equal(RUN(&out, &err, "get", "--refresh", "contacts", ids[7]), 1);
    assert_non_null(strstr(err, "no longer exists"));
    free(out);
    free(err);
    assert_int_equal(RUN(&out, &err, "get", "contacts", ids[7]), 1);
    assert_non_null(strstr(err, "not in the cache"));
    free(out);
    free(err);
    st_free_ids(ids, n);
}

/* Every command answers -h and --help with its usage and options on
 * stdout and exit 0, the same text as `hubtui help COMMAND`; mistakes print
 * the usage line on stderr and exit 2. */
static void test_help(void **state)
{
    static const char *const names[] = {
        "help", "version", "login", "logout", "sync", "status", "get", "search", "export",
        "push", "set", "create", "queue", "undo", "demo",
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        char *want = NULL, *out = NULL, *err = NULL;
        assert_int_equal(RUN(&want, &err, "help", names[i]), 0);
        char head[64];
        snprintf(head, sizeof head, "usage: hubtui [OPTIONS] %s", names[i]);
        if (!str_starts_with(want, head))
            fail_msg("hubtui help %s: %s", names[i], want);
        assert_string_equal(err, "");
        free(err);
        static const char *const flags[] = {"--help", "-h"};
        for (size_t f = 0; f < ARRAY_SIZE(flags); f++) {
            int rc = RUN(&out, &err, names[i], flags[f]);
            if (rc != 0 || strcmp(out, want) != 0 || err[0])
                fail_msg("hubtui %s %s: exit %d, stdout '%s', stderr '%s'", names[i], flags[f],
                         rc, out, err);
            free(out);
            free(err);
        }
        free(want);
    }
    char *out = NULL, *err = NULL;
    /* After other arguments too, and an option that takes no value. */
    assert_int_equal(RUN(&out, &err, "queue", "list", "--help"), 0);
    assert_non_null(strstr(out, "list [--object OBJECT]"));
    free(out);
    free(err);
    assert_int_equal(RUN(&out, &err, "help", "nosuch"), 2);
    assert_non_null(strstr(err, "no such command 'nosuch'"));
    free(out);
    free(err);
    const char *const *const wrong[] = {
        (const char *const[]){"push", "--bogus", NULL},
        (const char *const[]){"undo", "extra", NULL},
        (const char *const[]){"queue", "frobnicate", NULL},
        (const char *const[]){"set", "contacts", NULL},
        (const char *const[]){"help", "a", "b", NULL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(wrong); i++) {
        assert_int_equal(st_run(&t, &out, &err, wrong[i]), 2);
        char head[64];
        snprintf(head, sizeof head, "usage: hubtui [OPTIONS] %s", wrong[i][0]);
        assert_true(str_starts_with(err, head));
        assert_string_equal(out, "");
        free(out);
        free(err);
    }
}

/* --offline with a command that needs HubSpot is refused the same way
 * everywhere: exit 2 and a word on stderr. What works on the cache works. */
static void test_offline_refusals(void **state)
{
    const char *const *const refused[] = {
        (const char *const[]){"--offline", "sync", NULL},
        (const char *const[]){"--offline", "push", NULL},
        (const char *const[]){"--offline", "search", "--remote", "contacts", "", NULL},
    };
    char *out = NULL, *err = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        int rc = st_run(&t, &out, &err, refused[i]);
        if (rc != 2 || !strstr(err, "needs HubSpot, but --offline was given"))
            fail_msg("hubtui --offline %s: exit %d (%s)", refused[i][1], rc, err);
        free(out);
        free(err);
    }
    assert_int_equal(RUN(&out, &err, "--offline", "push", "--dry-run"), 0);
    assert_non_null(strstr(out, "nothing was sent"));
    free(out);
    free(err);
    assert_int_equal(RUN(&out, &err, "--offline", "search", "contacts", ""), 0);
    free(out);
    free(err);
}

/* -v puts the log on stderr: -vv every HTTP call, credentials masked. With
 * stderr a file opened without O_APPEND (2>FILE), the log's lines and the
 * progress lines do not write over each other. The browser refuses -v. */
static void test_verbose_log_on_stderr(void **state)
{
    char err_path[320];
    temp_path(err_path, sizeof err_path, "verbose.err");
    assert_int_equal(st_run_err_file(&t, NULL, err_path,
                                     (const char *const[]){"-vv", "sync", "contacts", NULL}), 0);
    char *err = tmpdir_read_file(err_path);
    assert_non_null(err);
    assert_non_null(strstr(err, " debug http GET "));
    assert_non_null(strstr(err, "/crm/v3/objects/0-1"));   /* contacts, by type id */
    assert_non_null(strstr(err, "Authorization: ***"));
    assert_null(strstr(err, t.fh.token));
    assert_non_null(strstr(err, "\nsync: done: "));
    int lines = 0;
    for (const char *line = err; *line; lines++) {
        const char *eol = strchr(line, '\n');
        /* A log line (timestamp, level) or one of hubtui's own. */
        bool logged = strlen(line) > 25 && line[4] == '-' && line[10] == 'T' &&
                      (strncmp(line + 24, " debug ", 7) == 0 ||
                       strncmp(line + 24, " info  ", 7) == 0);
        if (!logged && !str_starts_with(line, "sync: "))
            fail_msg("a mixed-up line in stderr: %.*s", (int)(eol ? eol - line : 80), line);
        line = eol ? eol + 1 : line + strlen(line);
    }
    assert_true(lines > 10);
    free(err);
    /* Without -v, nothing of the log. */
    char *out = NULL;
    assert_int_equal(RUN(&out, &err, "sync", "contacts"), 0);
    assert_null(strstr(err, " debug "));
    free(out);
    free(err);
    assert_int_equal(RUN(&out, &err, "-v"), 2);
    assert_non_null(strstr(err, "--log PATH"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_and_status),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_filter_errors_have_columns),
        cmocka_unit_test(test_filter_round_trip),
        cmocka_unit_test(test_export_formats),
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_offline_refusals),
        cmocka_unit_test(test_verbose_log_on_stderr),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
