/* hubtui queue [list [--object OBJECT] | retry ID | drop ID | resolve ID --mine|--theirs]:
 * look at the outbox and settle what a push left for the user.
 *
 * `list` prints one line per queued change: its queue id, its state, the
 * record, the change (property: old → new), and for conflicts the value
 * HubSpot holds (who changed it, when), for failures HubSpot's message,
 * category and correlation id. */
#include "cmd_write.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static int queue_list(portal_session *ps, const char *object)
{
    outbox_filter f = {.object = object};
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
    if (n == 0)
        fprintf(stderr, "nothing queued\n");
    outbox_entries_free(v, n);
    return CLI_EXIT_OK;
}

static bool parse_qid(const char *s, int64_t *qid)
{
    return s && str_to_i64(s, qid) && *qid > 0;
}

/* Run one action on a queue entry and report it. */
static int queue_act(portal_session *ps, const char *verb, int64_t qid, int mine)
{
    ht_error err;
    ht_status s;
    if (strcmp(verb, "retry") == 0)
        s = outbox_retry(ps->st, qid, &err);
    else if (strcmp(verb, "drop") == 0)
        s = outbox_drop(ps->st, qid, &err);
    else
        s = outbox_resolve(ps->st, qid, mine == 1, &err);
    if (s != HT_OK) {
        fprintf(stderr, "hubtui: queue %s %lld: %s\n", verb, (long long)qid, err.message);
        return CLI_EXIT_FAILURE;
    }
    if (strcmp(verb, "retry") == 0)
        printf("%lld is pending again: 'hubtui push' sends it\n", (long long)qid);
    else if (strcmp(verb, "drop") == 0)
        printf("%lld dropped\n", (long long)qid);
    else if (mine == 1)
        printf("%lld: keeping yours; 'hubtui push' writes it over HubSpot's value\n",
               (long long)qid);
    else
        printf("%lld: took HubSpot's value; your edit is dropped\n", (long long)qid);
    return CLI_EXIT_OK;
}

static int usage(void)
{
    return cli_usage_error("queue");
}

int cmd_queue(const cli_globals *g, int argc, char **argv)
{
    const char *verb = argc > 1 ? argv[1] : "list";
    const char *object = NULL;
    int64_t qid = 0;
    int mine = -1;
    if (strcmp(verb, "list") == 0) {
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--object") == 0 && i + 1 < argc)
                object = argv[++i];
            else
                return usage();
        }
    } else if (strcmp(verb, "retry") == 0 || strcmp(verb, "drop") == 0) {
        if (argc != 3 || !parse_qid(argv[2], &qid))
            return usage();
    } else if (strcmp(verb, "resolve") == 0) {
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--mine") == 0 && mine < 0)
                mine = 1;
            else if (strcmp(argv[i], "--theirs") == 0 && mine < 0)
                mine = 0;
            else if (!qid && parse_qid(argv[i], &qid))
                continue;
            else
                return usage();
        }
        if (!qid || mine < 0)
            return usage();
    } else {
        return usage();
    }
    portal_session *ps = cmdw_open(g);
    if (!ps)
        return CLI_EXIT_FAILURE;
    int rc;
    if (strcmp(verb, "list") == 0)
        rc = queue_list(ps, object);
    else if (!cmdw_writable(ps, "changing the queue"))
        rc = CLI_EXIT_FAILURE;
    else
        rc = queue_act(ps, verb, qid, mine);
    portal_close(ps);
    return rc;
}
