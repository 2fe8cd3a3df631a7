/* hubtui get / search / export — reading the cache from scripts.
 *
 *   hubtui get [--refresh] [--all] [--format tsv|json] OBJECT ID
 *     One record from the cache. TSV (default): a header row
 *       property  label  value  shown  state  original
 *     then one row per property with a value (--all: every property):
 *     `shown` is what the browser shows (an option's label, an owner's
 *     name), `state` is empty or the queued edit's state (pending,
 *     sending, conflict, failed, not-applied) and `original` the value that
 *     edit replaced. --refresh fetches the record from HubSpot first when
 *     online. JSON: {object, id, name, properties: {name: value},
 *     pending: {name: {value, original, state}}}.
 *
 *   hubtui search [--remote] [--columns a,b] [--format tsv|csv|json|jsonl]
 *                 [--limit N] OBJECT 'EXPR'
 *     Records matching the filter language, by id. Local by default;
 *     --remote asks HubSpot search instead (same output). Columns default
 *     to the object's display properties; the first column is always id.
 *
 *   hubtui export [--filter EXPR] [--columns a,b] [--format csv|json|jsonl]
 *                 OBJECT
 *     Every (matching) record with the given columns, default id then every
 *     property by name. CSV follows RFC 4180: a header row, CRLF line ends,
 *     fields with commas, quotes, CR or LF quoted, quotes doubled, UTF-8.
 *     JSON is one array of objects, JSONL one object per line; empty values
 *     are null.
 *
 * TSV escapes tab, CR, LF and backslash as \t \r \n \\. A filter mistake is
 * reported with its column (and a caret under it) and exits 2. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_util.h"
#include "filter.h"
#include "hubspot.h"
#include "meta.h"
#include "query.h"
#include "records.h"
#include "util.h"
#include "walk.h"

int cmd_get(const cli_globals *g, int argc, char **argv);
int cmd_search(const cli_globals *g, int argc, char **argv);
int cmd_export(const cli_globals *g, int argc, char **argv);

#define PAGE_ROWS 500

/* ---- output formats ------------------------------------------------------------- */

typedef enum out_format { FMT_TSV, FMT_CSV, FMT_JSON, FMT_JSONL } out_format;

static bool parse_format(const char *s, out_format *out)
{
    static const struct { const char *name; out_format f; } names[] = {
        {"tsv", FMT_TSV}, {"csv", FMT_CSV}, {"json", FMT_JSON}, {"jsonl", FMT_JSONL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].f;
            return true;
        }
    return false;
}

typedef struct table_out {
    FILE              *fp;
    out_format         fmt;
    const char *const *cols;
    size_t             ncols;
    size_t             rows;
} table_out;

static void tsv_field(FILE *fp, const char *v)
{
    for (const char *p = v ? v : ""; *p; p++) {
        switch (*p) {
        case '\t': fputs("\\t", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\\': fputs("\\\\", fp); break;
        default:   fputc(*p, fp);
        }
    }
}

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

static void table_begin(table_out *t)
{
    if (t->fmt == FMT_JSON) {
        fputc('[', t->fp);
        return;
    }
    if (t->fmt == FMT_JSONL)
        return;
    fputs(t->fmt == FMT_CSV ? "id" : "id", t->fp);
    for (size_t i = 0; i < t->ncols; i++) {
        fputc(t->fmt == FMT_CSV ? ',' : '\t', t->fp);
        if (t->fmt == FMT_CSV)
            csv_field(t->fp, t->cols[i]);
        else
            tsv_field(t->fp, t->cols[i]);
    }
    fputs(t->fmt == FMT_CSV ? "\r\n" : "\n", t->fp);
}

static void table_row(table_out *t, const char *id, const char *const *values)
{
    if (t->fmt == FMT_JSON || t->fmt == FMT_JSONL) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(id));
        for (size_t i = 0; i < t->ncols; i++)
            json_object_set_new(o, t->cols[i], values[i] ? json_string(values[i]) : json_null());
        char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (t->fmt == FMT_JSON)
            fputs(t->rows ? ",\n" : "\n", t->fp);
        fputs(text ? text : "{}", t->fp);
        if (t->fmt == FMT_JSONL)
            fputc('\n', t->fp);
        free(text);
    } else {
        bool csv = t->fmt == FMT_CSV;
        fputs(id, t->fp);
        for (size_t i = 0; i < t->ncols; i++) {
            fputc(csv ? ',' : '\t', t->fp);
            if (csv)
                csv_field(t->fp, values[i]);
            else
                tsv_field(t->fp, values[i]);
        }
        fputs(csv ? "\r\n" : "\n", t->fp);
    }
    t->rows++;
}

static void table_end(table_out *t)
{
    if (t->fmt == FMT_JSON)
        fputs(t->rows ? "\n]\n" : "]\n", t->fp);
    fflush(t->fp);
}

/* ---- shared helpers ------------------------------------------------------------------- */

static void show_filter_error(const char *expr, const ht_error *err, int col)
{
    fprintf(stderr, "hubtui: %s\n", err->message);
    if (col > 0 && expr) {
        fprintf(stderr, "  %s\n  %*s^\n", expr, col - 1, "");
    }
}

/* Split "a,b,c" into a NULL-terminated list (caller frees with free_list). */
static char **split_columns(const char *text, size_t *n)
{
    char **v = xcalloc(strlen(text) + 2, sizeof *v);
    *n = 0;
    char *copy = xstrdup(text);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        size_t len = strlen(t);
        while (len && t[len - 1] == ' ')
            t[--len] = '\0';
        if (*t)
            v[(*n)++] = xstrdup(t);
    }
    free(copy);
    return v;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static const objmeta *object_or_usage(store *st, const char *object, int *rc)
{
    ht_error err;
    const objmeta *m = meta_object(st, object, &err);
    if (!m) {
        fprintf(stderr, "hubtui: unknown object type '%s' (see `hubtui status`)\n", object);
        *rc = CLI_EXIT_USAGE;
    }
    return m;
}

/* Check that every column is a property of m (or id); prints and returns false. */
static bool columns_known(const objmeta *m, char **cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!objmeta_prop(m, cols[i]) && strcmp(cols[i], "hs_object_id") != 0) {
            fprintf(stderr, "hubtui: %s has no property '%s'\n", m->name, cols[i]);
            return false;
        }
    }
    return true;
}

static char **display_columns(const objmeta *m, size_t *n)
{
    char **v = xcalloc(m->ndisplay + 2, sizeof *v);
    *n = 0;
    for (size_t i = 0; i < m->ndisplay; i++)
        v[(*n)++] = xstrdup(m->display_props[i]);
    if (m->display_fallback)
        v[(*n)++] = xstrdup(m->display_fallback);
    return v;
}

static char **every_column(const objmeta *m, size_t *n)
{
    char **v = xcalloc(m->nprops + 1, sizeof *v);
    *n = 0;
    for (size_t i = 0; i < m->nprops; i++)
        if (!m->props[i].archived)
            v[(*n)++] = xstrdup(m->props[i].name);
    return v;
}

/* ---- local queries ---------------------------------------------------------------------------- */

static int query_local(store *st, const char *object, const char *expr, char **cols,
                       size_t ncols, table_out *t, int64_t limit)
{
    query_spec spec = {
        .object = object, .filter = expr, .columns = (const char *const *)cols,
        .ncolumns = ncols,
    };
    query *q = NULL;
    ht_error err;
    int col = 0;
    ht_status s = query_open(st, &spec, &q, &err, &col);
    if (s != HT_OK) {
        if (s == HT_INVALID && col > 0) {
            show_filter_error(expr, &err, col);
            return CLI_EXIT_USAGE;
        }
        cmd_print_error(NULL, &err);
        return s == HT_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    }
    table_begin(t);
    query_page *pg = NULL;
    s = query_first(q, PAGE_ROWS, &pg, &err);
    while (s == HT_OK && pg) {
        for (size_t r = 0; r < pg->nrows && (limit < 0 || (int64_t)t->rows < limit); r++)
            table_row(t, pg->rows[r].id, (const char *const *)pg->rows[r].values);
        bool more = pg->more_after && pg->nrows > 0 && (limit < 0 || (int64_t)t->rows < limit);
        query_cursor c = {0};
        if (more)
            query_cursor_copy(&c, &pg->rows[pg->nrows - 1].cursor);
        query_page_free(pg);
        pg = NULL;
        if (more)
            s = query_after(q, &c, PAGE_ROWS, &pg, &err);
        query_cursor_clear(&c);
    }
    query_page_free(pg);
    table_end(t);
    query_close(q);
    if (s != HT_OK) {
        cmd_print_error("reading the cache", &err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* ---- remote search ------------------------------------------------------------------------------ */

typedef struct remote_walk {
    table_out   *t;
    char       **cols;
    size_t       ncols;
    int64_t      limit;
    bool         done;
    ht_status    status;
    ht_error     err;
} remote_walk;

static bool on_remote_page(void *ud, const hs_search_page *page)
{
    remote_walk *rw = ud;
    size_t i;
    json_t *rec;
    const char **values = xcalloc(rw->ncols + 1, sizeof *values);
    json_array_foreach(page->results, i, rec) {
        if (rw->limit >= 0 && (int64_t)rw->t->rows >= rw->limit)
            break;
        char id[32];
        if (!hs_json_id(json_object_get(rec, "id"), id))
            continue;
        for (size_t c = 0; c < rw->ncols; c++) {
            const char *v = hs_record_prop(rec, rw->cols[c]);
            values[c] = v && *v ? v : NULL;
        }
        table_row(rw->t, id, values);
    }
    free(values);
    return rw->limit < 0 || (int64_t)rw->t->rows < rw->limit;
}

static void on_remote_done(void *ud, const hs_result *r)
{
    remote_walk *rw = ud;
    rw->done = true;
    rw->status = r->status;
    if (r->status != HT_OK)
        ht_error_copy(&rw->err, r->err);
}

static int query_remote(portal_session *ps, const objmeta *m, const char *expr, char **cols,
                        size_t ncols, table_out *t, int64_t limit)
{
    filter *f = NULL;
    ht_error err;
    int col = 0;
    ht_status s = filter_parse(expr, &f, &err, &col);
    json_t *groups = NULL;
    char *query_text = NULL;
    if (s == HT_OK)
        s = filter_to_hubspot(ps->st, m->name, f, &groups, &query_text, &err, &col);
    filter_free(f);
    if (s != HT_OK) {
        json_decref(groups);
        free(query_text);
        if (s == HT_INVALID) {
            show_filter_error(expr, &err, col);
            return CLI_EXIT_USAGE;
        }
        cmd_print_error(NULL, &err);
        return CLI_EXIT_FAILURE;
    }
    if (portal_connect(ps, &err) != HT_OK) {
        json_decref(groups);
        free(query_text);
        cmd_print_error("--remote needs HubSpot", &err);
        return CLI_EXIT_FAILURE;
    }
    const char **props = xcalloc(ncols + 2, sizeof *props);
    for (size_t i = 0; i < ncols; i++)
        props[i] = cols[i];
    if (ncols == 0)
        props[0] = "hs_object_id";
    remote_walk rw = {.t = t, .cols = cols, .ncols = ncols, .limit = limit};
    hs_search_walk w = {
        .object_type = m->type_id,
        .filter_groups = json_array_size(groups) ? groups : NULL,
        .properties = props,
        .query = query_text,
    };
    table_begin(t);
    cmd_catch_signals();
    hs_call_id id = hs_walk_search(ps->client, HS_PRIO_INTERACTIVE, &w, on_remote_page,
                                   on_remote_done, &rw);
    while (!rw.done) {
        if (cmd_interrupted)
            hs_cancel(ps->client, id);
        hs_client_poll(ps->client, NULL, 0, 250);
    }
    cmd_release_signals();
    table_end(t);
    free(props);
    json_decref(groups);
    free(query_text);
    if (rw.status != HT_OK) {
        cmd_print_error("HubSpot search", &rw.err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* ---- search and export -------------------------------------------------------------------------- */

typedef struct read_args {
    bool        remote;
    const char *columns;
    const char *format;
    const char *filter;
    int64_t     limit;
    bool        all;
    bool        refresh;
} read_args;

enum { OPT_REMOTE = 256, OPT_COLUMNS, OPT_FORMAT, OPT_FILTER, OPT_LIMIT, OPT_ALL, OPT_REFRESH };

/* Parse options anywhere among the operands; returns -1 to go on, or an exit code. */
static int parse_read_args(int argc, char **argv, const char *name, read_args *a,
                           const struct option *longopts)
{
    memset(a, 0, sizeof *a);
    a->limit = -1;
    int opt;
    optind = 0;   /* 0: GNU getopt starts over (the global options used "+") */
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_REMOTE:  a->remote = true; break;
        case OPT_COLUMNS: a->columns = optarg; break;
        case OPT_FORMAT:  a->format = optarg; break;
        case OPT_FILTER:  a->filter = optarg; break;
        case OPT_ALL:     a->all = true; break;
        case OPT_REFRESH: a->refresh = true; break;
        case OPT_LIMIT:
            if (!str_to_i64(optarg, &a->limit) || a->limit < 0) {
                fprintf(stderr, "hubtui: --limit wants a number, not '%s'\n", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h':
            return cli_help(name);
        default:
            return cli_usage_error(name);
        }
    }
    return -1;
}

static int run_table(const cli_globals *g, const char *object, const char *expr,
                     const read_args *a, out_format fmt, bool export_all)
{
    portal_session *ps = NULL;
    int rc = cmd_open_portal(g, false, &ps);
    if (rc != CLI_EXIT_OK)
        return rc;
    const objmeta *m = object_or_usage(ps->st, object, &rc);
    if (!m) {
        portal_close(ps);
        return rc;
    }
    size_t ncols = 0;
    char **cols = a->columns ? split_columns(a->columns, &ncols)
                : export_all ? every_column(m, &ncols) : display_columns(m, &ncols);
    /* "id" is always the first column; drop it from the property list. */
    size_t w = 0;
    for (size_t i = 0; i < ncols; i++) {
        if (strcmp(cols[i], "id") == 0)
            free(cols[i]);
        else
            cols[w++] = cols[i];
    }
    ncols = w;
    if (!columns_known(m, cols, ncols)) {
        rc = CLI_EXIT_USAGE;
    } else {
        table_out t = {.fp = stdout, .fmt = fmt, .cols = (const char *const *)cols,
                       .ncols = ncols};
        rc = a->remote ? query_remote(ps, m, expr, cols, ncols, &t, a->limit)
                       : query_local(ps->st, m->name, expr, cols, ncols, &t, a->limit);
    }
    free_list(cols, ncols);
    objmeta_release(m);
    portal_close(ps);
    return rc;
}

int cmd_search(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"remote", no_argument, NULL, OPT_REMOTE},
        {"columns", required_argument, NULL, OPT_COLUMNS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    read_args a;
    int rc = parse_read_args(argc, argv, "search", &a, longopts);
    if (rc >= 0)
        return rc;
    out_format fmt = FMT_TSV;
    if (argc - optind != 2 || (a.format && !parse_format(a.format, &fmt)))
        return cli_usage_error("search");
    if (a.remote && g->offline)
        return cmd_refuse_offline("search --remote");
    return run_table(g, argv[optind], argv[optind + 1], &a, fmt, false);
}

int cmd_export(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"filter", required_argument, NULL, OPT_FILTER},
        {"columns", required_argument, NULL, OPT_COLUMNS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    read_args a;
    int rc = parse_read_args(argc, argv, "export", &a, longopts);
    if (rc >= 0)
        return rc;
    out_format fmt = FMT_CSV;
    if (argc - optind != 1 ||
        (a.format && (!parse_format(a.format, &fmt) || fmt == FMT_TSV)))
        return cli_usage_error("export");
    return run_table(g, argv[optind], a.filter, &a, fmt, true);
}

/* ---- get ---------------------------------------------------------------------------------------- */

typedef struct refresh_wait {
    bool      done;
    ht_status status;
    ht_error  err;
} refresh_wait;

static void on_refreshed(void *ud, ht_status st, const ht_error *err)
{
    refresh_wait *w = ud;
    w->done = true;
    w->status = st;
    if (err)
        ht_error_copy(&w->err, err);
}

/* Fetch the record first; returns an exit code, or -1 to go on and show it. */
static int refresh_first(portal_session *ps, const char *object, const char *id)
{
    ht_error err;
    if (ps->offline || portal_connect(ps, &err) != HT_OK) {
        if (!ps->offline)
            fprintf(stderr, "hubtui: warning: showing the cached copy (%s)\n", err.message);
        return -1;
    }
    refresh_wait w = {0};
    hs_call_id call = sync_refresh_record(ps, object, id, on_refreshed, &w);
    cmd_catch_signals();
    while (call && !w.done) {
        if (cmd_interrupted)
            hs_cancel(ps->client, call);
        hs_client_poll(ps->client, NULL, 0, 250);
    }
    cmd_release_signals();
    if (w.status == HT_NOT_FOUND) {
        fprintf(stderr, "hubtui: %s %s no longer exists on HubSpot (removed from the cache)\n",
                object, id);
        return CLI_EXIT_FAILURE;
    }
    if (w.status != HT_OK)
        fprintf(stderr, "hubtui: warning: showing the cached copy (%s)\n", w.err.message);
    return -1;
}

static char *shown_value(store *st, const prop_def *p, const char *value)
{
    if (!value)
        return NULL;
    if (p && prop_is_owner(p)) {
        char *name = meta_owner_label(st, value);
        if (name)
            return name;
    }
    if (p && p->type == PROP_ENUM && p->noptions) {
        if (!p->multi)
            return xstrdup(prop_option_label(p, value));
        strbuf sb = {0};
        char *copy = xstrdup(value);
        for (char *save = NULL, *t = strtok_r(copy, ";", &save); t;
             t = strtok_r(NULL, ";", &save))
            strbuf_printf(&sb, "%s%s", sb.len ? "; " : "", prop_option_label(p, t));
        free(copy);
        return strbuf_detach(&sb);
    }
    return xstrdup(value);
}

static void get_tsv(store *st, const objmeta *m, const record *r, bool all)
{
    printf("property\tlabel\tvalue\tshown\tstate\toriginal\n");
    size_t n = all ? m->nprops : r->nvalues;
    for (size_t i = 0; i < n; i++) {
        const char *name = all ? m->props[i].name : r->values[i].name;
        const record_value *v = record_find(r, name);
        const prop_def *p = objmeta_prop(m, name);
        char *shown = shown_value(st, p, v ? v->value : NULL);
        tsv_field(stdout, name);
        putchar('\t');
        tsv_field(stdout, p && p->label ? p->label : name);
        putchar('\t');
        tsv_field(stdout, v ? v->value : NULL);
        putchar('\t');
        tsv_field(stdout, shown);
        putchar('\t');
        if (v && v->state != OB_NONE) {
            fputs(outbox_state_name(v->state), stdout);
            putchar('\t');
            tsv_field(stdout, v->original);
        } else {
            putchar('\t');
        }
        putchar('\n');
        free(shown);
    }
}

static void get_json(const record *r)
{
    json_t *props = json_object(), *pending = json_object();
    for (size_t i = 0; i < r->nvalues; i++) {
        const record_value *v = &r->values[i];
        json_object_set_new(props, v->name, v->value ? json_string(v->value) : json_null());
        if (v->state != OB_NONE)
            json_object_set_new(pending, v->name, json_pack("{s:o s:o s:s}",
                "value", v->value ? json_string(v->value) : json_null(),
                "original", v->original ? json_string(v->original) : json_null(),
                "state", outbox_state_name(v->state)));
    }
    json_t *o = json_pack("{s:s s:s s:s s:o s:o}", "object", r->object, "id", r->id,
                          "name", r->display_name ? r->display_name : "", "properties", props,
                          "pending", pending);
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(text);
    free(text);
    json_decref(o);
}

int cmd_get(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"refresh", no_argument, NULL, OPT_REFRESH},
        {"all", no_argument, NULL, OPT_ALL},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    read_args a;
    int rc = parse_read_args(argc, argv, "get", &a, longopts);
    if (rc >= 0)
        return rc;
    out_format fmt = FMT_TSV;
    if (argc - optind != 2 || (a.format && (!parse_format(a.format, &fmt) ||
                                            (fmt != FMT_TSV && fmt != FMT_JSON))))
        return cli_usage_error("get");
    const char *object = argv[optind], *id = argv[optind + 1];
    int64_t num;
    if (!records_parse_id(id, &num)) {
        fprintf(stderr, "hubtui: '%s' is not a record id (51, or local-7 for a local "
                "create)\n", id);
        return CLI_EXIT_USAGE;
    }
    portal_session *ps = NULL;
    if ((rc = cmd_open_portal(g, false, &ps)) != CLI_EXIT_OK)
        return rc;
    const objmeta *m = object_or_usage(ps->st, object, &rc);
    if (m && a.refresh && num > 0)
        rc = refresh_first(ps, m->name, id);
    else if (m)
        rc = -1;
    record *r = NULL;
    ht_error err;
    if (rc < 0) {
        ht_status s = records_get(ps->st, m->name, id, &r, &err);
        if (s == HT_NOT_FOUND) {
            fprintf(stderr, "hubtui: %s %s is not in the cache (try `hubtui get --refresh` "
                    "or `hubtui sync`)\n", m->name, id);
            rc = CLI_EXIT_FAILURE;
        } else if (s != HT_OK) {
            cmd_print_error(NULL, &err);
            rc = CLI_EXIT_FAILURE;
        } else {
            if (fmt == FMT_JSON)
                get_json(r);
            else
                get_tsv(ps->st, m, r, a.all);
            rc = CLI_EXIT_OK;
        }
    }
    record_free(r);
    objmeta_release(m);
    portal_close(ps);
    return rc;
}
