/* hubtui push / set / create / undo: queue edits (validated first, nothing
 * queued when any value is wrong) and write them back to HubSpot.
 *
 * set and create work offline: they only touch the cache's outbox. push
 * drains it through cache/writeback and says what happened; its exit code
 * is 3 when, after it, the queue holds anything that needs the user (a
 * conflict, a failure, a value HubSpot did not take), also when an earlier
 * push left it. */
#include "cmd_write.h"
#include "cmd_util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "records.h"
#include "util.h"
#include "validate.h"
#include "writeback.h"

/* ---- shared -------------------------------------------------------------------------- */

portal_session *cmdw_open(const cli_globals *g)
{
    portal_session *ps = NULL;
    return cmd_open_portal(g, false, &ps) == CLI_EXIT_OK ? ps : NULL;
}

bool cmdw_writable(const portal_session *ps, const char *what)
{
    if (!ps->readonly)
        return true;
    fprintf(stderr, "hubtui: portal %s is read-only: %s refused\n", ps->name, what);
    return false;
}

#define VALUE_SHOWN_MAX 120

void cmdw_put_value(FILE *out, const char *v)
{
    if (str_empty(v)) {
        fputs("(empty)", out);
        return;
    }
    size_t shown = 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (shown >= VALUE_SHOWN_MAX && (*p & 0xc0) != 0x80) {
            fputs("…", out);
            return;
        }
        if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
        if ((*p & 0xc0) != 0x80)
            shown++;
    }
}

static void put_record(FILE *out, const outbox_entry *e)
{
    fprintf(out, "%s %s", e->object ? e->object : "?", e->id);
    if (e->record_name && strcmp(e->record_name, e->id) != 0 &&
        !(e->record_name[0] == '#' && strcmp(e->record_name + 1, e->id) == 0)) {
        fputs(" (", out);
        cmdw_put_value(out, e->record_name);
        fputc(')', out);
    }
}

static void put_change(FILE *out, const outbox_entry *e)
{
    switch (e->kind) {
    case OBK_UPDATE:
        fprintf(out, "%s: ", e->prop ? e->prop : "?");
        cmdw_put_value(out, e->old_value);
        fputs(" → ", out);
        cmdw_put_value(out, e->new_value);
        break;
    case OBK_CREATE:
        fputs("create", out);
        break;
    case OBK_ASSOC_ADD:
    case OBK_ASSOC_REMOVE:
        fprintf(out, "%s association with %s %s", e->kind == OBK_ASSOC_ADD ? "add" : "remove",
                e->to_object ? e->to_object : "?", e->to_id);
        if (e->assoc_label)
            fprintf(out, " as \"%s\"", e->assoc_label);
        else if (e->assoc_type > 0)
            fprintf(out, " (type %d)", e->assoc_type);
        break;
    }
}

static void put_outcome(FILE *out, const outbox_entry *e)
{
    switch (e->state) {
    case OB_CONFLICT:
        fputs("; HubSpot has ", out);
        cmdw_put_value(out, e->server_value);
        if (e->server_by || e->server_at)
            fprintf(out, " (%s%s%s%s)", e->server_by ? "changed by " : "changed",
                     e->server_by ? e->server_by : "", e->server_at ? " at " : "",
                     e->server_at ? e->server_at : "");
        break;
    case OB_NOT_APPLIED:
        fputs("; HubSpot kept ", out);
        cmdw_put_value(out, e->server_value);
        if (e->correlation_id)
            fprintf(out, " (correlationId %s)", e->correlation_id);
        break;
    case OB_FAILED:
        fputs("; ", out);
        cmdw_put_value(out, e->err_message);
        if (e->err_category || e->correlation_id) {
            fputs(" [", out);
            const char *sep = "";
            if (e->err_category) {
                fprintf(out, "%s", e->err_category);
                sep = ", ";
            }
            if (e->http_status && !(e->err_message && strstr(e->err_message, "(HTTP "))) {
                fprintf(out, "%sHTTP %d", sep, e->http_status);
                sep = ", ";
            }
            if (e->correlation_id)
                fprintf(out, "%scorrelationId %s", sep, e->correlation_id);
            fputc(']', out);
        }
        break;
    default:
        break;
    }
}

void cmdw_put_entry(FILE *out, const outbox_entry *e)
{
    fprintf(out, "%-5lld %-11s ", (long long)e->qid, outbox_state_name(e->state));
    put_record(out, e);
    fputs("  ", out);
    put_change(out, e);
    put_outcome(out, e);
}

/* prop=value arguments (at least one), split in place. Returns false with
 * a message on a malformed one or a property named twice. */
static bool split_assignments(int n, char **args, const char **props, const char **values)
{
    for (int i = 0; i < n; i++) {
        char *eq = strchr(args[i], '=');
        if (!eq || eq == args[i]) {
            fprintf(stderr, "hubtui: '%s' is not prop=value\n", args[i]);
            return false;
        }
        *eq = '\0';
        props[i] = args[i];
        values[i] = eq + 1;
        for (int k = 0; k < i; k++) {
            if (strcmp(props[k], props[i]) == 0) {
                fprintf(stderr, "hubtui: %s is given twice\n", props[i]);
                return false;
            }
        }
    }
    return true;
}

/* Print every refused value; true when all may be queued. */
static bool report_validation(const char *what, const char *const *props,
                              const validate_result *res, size_t n, bool clear_first)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (res[i].status == VALIDATE_OK || (res[i].status == VALIDATE_BACKWARDS && clear_first))
            continue;
        ok = false;
        fprintf(stderr, "hubtui: %s: %s: %s", what, props[i], res[i].message);
        if (res[i].status == VALIDATE_BACKWARDS)
            fputs(" Run it again with --clear-first to clear the stage and then set it.", stderr);
        fputc('\n', stderr);
    }
    if (!ok)
        fputs("hubtui: nothing was queued\n", stderr);
    return ok;
}

/* ---- set ------------------------------------------------------------------------------- */

static void print_queued(const record *rec, const char *object, const char *id,
                         const char *prop, const char *value)
{
    printf("queued %s %s", object, id);
    if (rec && rec->display_name && *rec->display_name) {
        fputs(" (", stdout);
        cmdw_put_value(stdout, rec->display_name);
        fputc(')', stdout);
    }
    printf("  %s: ", prop);
    cmdw_put_value(stdout, rec ? record_get(rec, prop) : NULL);
    fputs(" → ", stdout);
    cmdw_put_value(stdout, value);
    fputc('\n', stdout);
}

static ht_status queue_values(store *st, const char *object, const char *id,
                              const char *const *props, const validate_result *res, size_t n,
                              ht_error *err)
{
    int64_t group;
    ht_status s = store_begin(st, err);
    if (s != HT_OK)
        return s;
    s = outbox_new_group(st, &group, err);
    for (size_t i = 0; s == HT_OK && i < n; i++) {
        if (res[i].status == VALIDATE_BACKWARDS)
            s = outbox_enqueue_clear_then_set(st, object, id, props[i], res[i].value, group, err);
        else
            s = outbox_enqueue_update(st, object, id, props[i], res[i].value, group, NULL, err);
    }
    s = store_commit_or_rollback(st, s, err);
    return s;
}

static int set_values(portal_session *ps, const char *object, const char *id,
                      const char *const *props, const char *const *inputs, size_t n,
                      bool clear_first)
{
    record *rec = NULL;
    ht_error err;
    ht_status s = records_get(ps->st, object, id, &rec, &err);
    if (s == HT_NOT_FOUND) {
        fprintf(stderr, "hubtui: %s: sync it first ('hubtui sync %s'); nothing was queued\n",
                err.message, object);
        return CLI_EXIT_FAILURE;
    }
    if (s != HT_OK) {
        fprintf(stderr, "hubtui: %s %s: %s\n", object, id, err.message);
        return CLI_EXIT_FAILURE;
    }
    validate_result *res = xcalloc(n, sizeof *res);
    validate_values(ps->st, object, id, props, inputs, n, res);
    char what[128];
    snprintf(what, sizeof what, "%s %s", object, id);
    int rc = CLI_EXIT_FAILURE;
    if (report_validation(what, props, res, n, clear_first)) {
        if (queue_values(ps->st, object, id, props, res, n, &err) != HT_OK) {
            fprintf(stderr, "hubtui: %s: %s (nothing was queued)\n", what, err.message);
        } else {
            for (size_t i = 0; i < n; i++)
                print_queued(rec, object, id, props[i], res[i].value);
            rc = CLI_EXIT_OK;
        }
    }
    for (size_t i = 0; i < n; i++)
        validate_result_clear(&res[i]);
    free(res);
    record_free(rec);
    return rc;
}

int cmd_set(const cli_globals *g, int argc, char **argv)
{
    bool clear_first = false;
    char **args = xcalloc((size_t)argc + 1, sizeof *args);
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--clear-first") == 0)
            clear_first = true;
        else
            args[n++] = argv[i];
    }
    if (n < 3 || args[0][0] == '-') {
        free(args);
        return cli_usage_error("set");
    }
    size_t np = (size_t)n - 2;
    const char **props = xcalloc(np, sizeof *props), **values = xcalloc(np, sizeof *values);
    int rc = CLI_EXIT_USAGE;
    portal_session *ps = NULL;
    if (split_assignments(n - 2, args + 2, props, values)) {
        rc = CLI_EXIT_FAILURE;
        ps = cmdw_open(g);
        if (ps && cmdw_writable(ps, "editing"))
            rc = set_values(ps, args[0], args[1], props, values, np, clear_first);
    }
    portal_close(ps);
    free(props);
    free(values);
    free(args);
    return rc;
}

/* ---- create ------------------------------------------------------------------------------ */

static int create_record(portal_session *ps, const char *object, const char *const *props,
                         const char *const *inputs, size_t n)
{
    validate_result *res = xcalloc(n, sizeof *res);
    validate_values(ps->st, object, NULL, props, inputs, n, res);
    char what[128];
    snprintf(what, sizeof what, "new %s", object);
    int rc = CLI_EXIT_FAILURE;
    if (report_validation(what, props, res, n, false)) {
        const char **values = xcalloc(n, sizeof *values);
        for (size_t i = 0; i < n; i++)
            values[i] = res[i].value;
        char local_id[32];
        ht_error err;
        if (outbox_enqueue_create(ps->st, object, props, values, n, 0, local_id, &err) != HT_OK) {
            fprintf(stderr, "hubtui: %s: %s (nothing was queued)\n", what, err.message);
        } else {
            printf("%s\n", local_id);
            if (isatty(STDOUT_FILENO))
                printf("queued: 'hubtui push' creates it on HubSpot and prints its id\n");
            rc = CLI_EXIT_OK;
        }
        free(values);
    }
    for (size_t i = 0; i < n; i++)
        validate_result_clear(&res[i]);
    free(res);
    return rc;
}

int cmd_create(const cli_globals *g, int argc, char **argv)
{
    if (argc < 3 || argv[1][0] == '-')
        return cli_usage_error("create");
    size_t np = (size_t)argc - 2;
    const char **props = xcalloc(np, sizeof *props), **values = xcalloc(np, sizeof *values);
    int rc = CLI_EXIT_USAGE;
    portal_session *ps = NULL;
    if (split_assignments(argc - 2, argv + 2, props, values)) {
        rc = CLI_EXIT_FAILURE;
        ps = cmdw_open(g);
        if (ps && cmdw_writable(ps, "creating records"))
            rc = create_record(ps, argv[1], props, values, np);
    }
    portal_close(ps);
    free(props);
    free(values);
    return rc;
}

/* ---- undo ---------------------------------------------------------------------------------- */

int cmd_undo(const cli_globals *g, int argc, char **argv)
{
    if (argc > 1)
        return cli_usage_error("undo");
    portal_session *ps = cmdw_open(g);
    if (!ps)
        return CLI_EXIT_FAILURE;
    int rc = CLI_EXIT_FAILURE;
    size_t undone = 0;
    ht_error err;
    if (!cmdw_writable(ps, "undo")) {
        /* refused */
    } else if (outbox_undo_last(ps->st, &undone, &err) != HT_OK) {
        fprintf(stderr, "hubtui: %s\n", err.message);
    } else {
        if (undone)
            printf("undid %zu queued edit%s\n", undone, undone == 1 ? "" : "s");
        else
            printf("nothing to undo (edits being sent or already pushed cannot be undone)\n");
        rc = CLI_EXIT_OK;
    }
    portal_close(ps);
    return rc;
}

/* ---- push ------------------------------------------------------------------------------------ */

typedef struct push_ui {
    bool tty;          /* progress on stderr */
    bool drawn;        /* a progress line is showing */
} push_ui;

static void clear_progress(push_ui *ui)
{
    if (ui->drawn) {
        fputs("\r\033[K", stderr);
        ui->drawn = false;
    }
}

static void on_push_progress(void *ud, const writeback_progress *p)
{
    push_ui *ui = ud;
    if (!ui->tty)
        return;
    int64_t settled = p->edits_done + p->conflicts + p->failed + p->not_applied +
                      p->creates_done;
    fprintf(stderr, "\r\033[Kpushing: %lld/%lld edits settled · %lld conflicts · %lld failed ·"
            " %lld not applied · %lld requests", (long long)settled,
            (long long)p->edits_total, (long long)p->conflicts, (long long)p->failed,
            (long long)p->not_applied, (long long)p->requests);
    ui->drawn = true;
}

static void on_push_created(void *ud, const char *object, const char *local_id,
                            const char *hubspot_id)
{
    clear_progress(ud);
    printf("%s %s → %s\n", object, local_id, hubspot_id);
    fflush(stdout);
}

static int dry_run(portal_session *ps)
{
    outbox_filter f = {.states = 1u << OB_PENDING | 1u << OB_SENDING};
    outbox_entry *v;
    size_t n;
    ht_error err;
    if (outbox_list(ps->st, &f, &v, &n, &err) != HT_OK) {
        fprintf(stderr, "hubtui: %s\n", err.message);
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < n; i++) {
        cmdw_put_entry(stdout, &v[i]);
        fputc('\n', stdout);
    }
    printf("dry run: %zu change%s would be pushed; nothing was sent\n", n, n == 1 ? "" : "s");
    outbox_entries_free(v, n);
    return CLI_EXIT_OK;
}

/* What needs the user, in words ("2 conflicts and 1 failed change");
 * returns how many changes that is. */
static int64_t describe_attention(const outbox_counts *oc, char *out, size_t cap)
{
    struct { int64_t n; const char *one, *many; } parts[] = {
        {oc->conflict, "conflict", "conflicts"},
        {oc->failed, "failed change", "failed changes"},
        {oc->not_applied, "change not applied", "changes not applied"},
    };
    size_t len = 0, shown = 0, nparts = 0;
    int64_t total = 0;
    for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
        nparts += parts[i].n > 0;
        total += parts[i].n;
    }
    out[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(parts) && len < cap; i++) {
        if (parts[i].n <= 0)
            continue;
        const char *sep = shown == 0 ? "" : shown + 1 == nparts ? " and " : ", ";
        int w = snprintf(out + len, cap - len, "%s%lld %s", sep, (long long)parts[i].n,
                         parts[i].n == 1 ? parts[i].one : parts[i].many);
        len += w > 0 ? (size_t)w : 0;
        shown++;
    }
    return total;
}

/* Exit 3 when, after this push, the queue holds anything the user must look
 * at: what this push left, and what earlier pushes left (a push that sent
 * nothing still says so, and why). */
static int attention_code(portal_session *ps, bool sent_nothing)
{
    outbox_counts oc;
    ht_error err;
    if (outbox_counts_get(ps->st, &oc, &err) != HT_OK) {
        fprintf(stderr, "hubtui: %s\n", err.message);
        return CLI_EXIT_FAILURE;
    }
    char what[160];
    int64_t n = describe_attention(&oc, what, sizeof what);
    if (sent_nothing)
        printf("nothing to push\n");
    fflush(stdout);
    if (n == 0)
        return CLI_EXIT_OK;
    fprintf(stderr, "hubtui: %s%s need%s you: see 'hubtui queue list'\n", what,
            sent_nothing ? " from an earlier push" : "", n == 1 ? "s" : "");
    return CLI_EXIT_UNRESOLVED;
}

static int push(portal_session *ps)
{
    ht_error err;
    if (portal_connect(ps, &err) != HT_OK) {
        fprintf(stderr, "hubtui: cannot push: %s\n", err.message);
        return CLI_EXIT_FAILURE;
    }
    push_ui ui = {.tty = isatty(STDERR_FILENO)};
    writeback_options o = {.on_progress = on_push_progress, .on_created = on_push_created,
                           .ud = &ui};
    writeback_progress p;
    ht_status st = writeback_run(ps, &o, &p, &err);
    clear_progress(&ui);
    bool sent_nothing = st == HT_OK && p.batches == 0;
    if (!sent_nothing && (p.edits_total || p.batches || st == HT_OK))
        printf("sent %lld, done %lld, created %lld, conflicts %lld, failed %lld, not applied"
               " %lld (%lld requests)\n", (long long)p.edits_sent, (long long)p.edits_done,
               (long long)p.creates_done, (long long)p.conflicts, (long long)p.failed,
               (long long)p.not_applied, (long long)p.requests);
    fflush(stdout);
    if (st != HT_OK) {
        fprintf(stderr, "hubtui: %s\n", err.message);
        return CLI_EXIT_FAILURE;
    }
    return attention_code(ps, sent_nothing);
}

int cmd_push(const cli_globals *g, int argc, char **argv)
{
    bool dry = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0) {
            dry = true;
        } else {
            return cli_usage_error("push");
        }
    }
    if (g->offline && !dry)
        return cmd_refuse_offline("push");
    portal_session *ps = cmdw_open(g);
    if (!ps)
        return CLI_EXIT_FAILURE;
    int rc;
    if (dry)
        rc = dry_run(ps);
    else if (!cmdw_writable(ps, "push"))
        rc = CLI_EXIT_FAILURE;
    else
        rc = push(ps);
    portal_close(ps);
    return rc;
}
