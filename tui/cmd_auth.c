/* hubtui login / logout: keep a portal's credentials in the Secret Service.
 *
 * login reads a private app token without echo (or one line from stdin when
 * it is not a terminal, for scripts), checks it against the portal's
 * account-info, shows the portal id and stores it with libsecret.
 *
 * login --oauth (or plain login on a portal with oauth_client_id) signs in
 * through an OAuth app: it asks for the client id (unless configured) and
 * the client secret, prints HubSpot's consent address, reads the code (or
 * the whole address the browser was sent to), exchanges it for tokens,
 * checks the access token against account-info and stores the refresh
 * token, client secret and client id. Later commands refresh from those.
 *
 * Nothing is ever written to a file: without a Secret Service, login says so
 * in one line before asking for anything and stores nothing. logout revokes
 * an OAuth refresh token at HubSpot (unless --offline), removes whatever is
 * stored for the portal and says what. */
#include "cli.h"
#include "client.h"
#include "config.h"
#include "hubspot.h"
#include "keyring.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

int cmd_login(const cli_globals *g, int argc, char **argv);
int cmd_logout(const cli_globals *g, int argc, char **argv);

static const keyring_kind oauth_kinds[] = {
    KEYRING_REFRESH_TOKEN, KEYRING_CLIENT_SECRET, KEYRING_CLIENT_ID,
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    interrupted = 1;
}

/* ---- reading what the person types ------------------------------------------ */

/* Read one line from fd into a fresh string (NULL on EOF/interrupt). */
static char *read_line_fd(int fd)
{
    strbuf sb = {0};
    char ch;
    for (;;) {
        ssize_t n = read(fd, &ch, 1);
        if (n < 0 && errno == EINTR && !interrupted)
            continue;
        if (n <= 0 || interrupted) {
            if (sb.buf)
                explicit_bzero(sb.buf, sb.len);
            strbuf_free(&sb);
            return NULL;
        }
        if (ch == '\n')
            break;
        if (ch != '\r')
            strbuf_putc(&sb, ch);
    }
    return strbuf_detach(&sb);
}

/* Prompt on the terminal, with echo off for secrets; the terminal and the
 * signal handlers are put back whatever happens. */
static char *prompt_tty(const char *prompt, bool echo)
{
    int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0)
        return NULL;
    struct termios old, quiet;
    if (tcgetattr(tty, &old) != 0) {
        close(tty);
        return NULL;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_interrupt;   /* no SA_RESTART: read() returns EINTR */
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    /* Echo off before the prompt shows: nothing typed after it is echoed. */
    if (!echo)
        tcsetattr(tty, TCSAFLUSH, &quiet);
    dprintf(tty, "%s", prompt);
    char *line = read_line_fd(tty);
    if (!echo) {
        tcsetattr(tty, TCSAFLUSH, &old);
        dprintf(tty, "\n");
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    close(tty);
    return line;
}

static char *trimmed_secret(char *s)
{
    if (!s)
        return NULL;
    size_t start = strspn(s, " \t");
    size_t len = strlen(s + start);
    while (len > 0 && (s[start + len - 1] == ' ' || s[start + len - 1] == '\t'))
        len--;
    char *out = len ? xstrndup(s + start, len) : NULL;
    str_free_secret(s);
    return out;
}

/* One answer: prompted on the terminal, or the next line of stdin for
 * scripts (no prompt then). NULL when nothing was entered. */
static char *ask(const char *prompt, bool echo)
{
    return trimmed_secret(isatty(STDIN_FILENO) ? prompt_tty(prompt, echo)
                                               : read_line_fd(STDIN_FILENO));
}

/* ---- talking to the portal ------------------------------------------------------ */

typedef struct check_result {
    ht_status status;
    ht_error  err;
    json_t   *body;
    int       http_status;
} check_result;

static void on_result(void *ud, const hs_result *r)
{
    check_result *cr = ud;
    cr->status = r->status;
    cr->http_status = r->http_status;
    ht_error_copy(&cr->err, r->err);
    if (r->status == HT_OK && r->body)
        cr->body = json_incref(r->body);
}

/* What a finished call left in cr: its status, its answer in *body
 * (or dropped when body is NULL), its words in err. */
static ht_status take_result(check_result *cr, json_t **body, ht_error *err)
{
    ht_error_copy(err, &cr->err);
    if (body)
        *body = cr->body;
    else
        json_decref(cr->body);
    return cr->status;
}

static ht_status account_of(hs_client *c, json_t **account, ht_error *err)
{
    check_result cr = {.status = HT_OK};
    hs_client_run(c, hs_account_details(c, HS_PRIO_INTERACTIVE, on_result, &cr));
    return take_result(&cr, account, err);
}

/* Ask the portal who this token belongs to. */
static ht_status check_token(const config *cfg, const char *portal, const char *token,
                             json_t **account, ht_error *err)
{
    hs_client *c = hs_client_open(cfg, portal, token, err);
    if (!c)
        return err->status;
    ht_status st = account_of(c, account, err);
    hs_client_free(c);
    return st;
}

static void print_account(const json_t *acct, const char *lead)
{
    json_t *id = json_object_get(acct, "portalId");
    const char *tz = json_string_value(json_object_get(acct, "timeZone"));
    const char *cur = json_string_value(json_object_get(acct, "companyCurrency"));
    printf("%s HubSpot portal %" JSON_INTEGER_FORMAT, lead, json_integer_value(id));
    if (tz || cur)
        printf(" (%s%s%s)", tz ? tz : "", tz && cur ? ", " : "", cur ? cur : "");
}

/* ---- the Secret Service ------------------------------------------------------------ */

static void no_keyring_line(const config *cfg, const char *portal, const ht_error *err)
{
    fprintf(stderr, "hubtui: %s; hubtui never stores tokens in files: set HUBSPOT_ACCESS_TOKEN "
            "or add token_command to [portal %s] in %s instead\n",
            err->message, portal, cfg->path ? cfg->path : "the config");
}

static void no_keyring_oauth_line(const config *cfg, const char *portal, const ht_error *err)
{
    fprintf(stderr, "hubtui: %s; nothing was stored, since hubtui keeps OAuth secrets only in "
            "the Secret Service: set HUBSPOT_CLIENT_SECRET and HUBSPOT_REFRESH_TOKEN, or "
            "oauth_client_secret_command and oauth_refresh_token_command in [portal %s] in %s "
            "instead\n", err->message, portal, cfg->path ? cfg->path : "the config");
}

/* Can we keep anything? Probing first saves asking for secrets we would
 * have to drop. HT_OK, or the failure already printed. */
static ht_status probe_keyring(const config *cfg, const char *portal, bool oauth)
{
    char *old = NULL;
    ht_error err;
    ht_status st = keyring_lookup(portal, oauth ? KEYRING_REFRESH_TOKEN : KEYRING_ACCESS_TOKEN,
                                  &old, &err);
    str_free_secret(old);
    if (st == HT_OK || st == HT_NOT_FOUND)
        return HT_OK;
    if (st == HT_NO_KEYRING && oauth)
        no_keyring_oauth_line(cfg, portal, &err);
    else if (st == HT_NO_KEYRING)
        no_keyring_line(cfg, portal, &err);
    else
        fprintf(stderr, "hubtui: %s\n", err.message);
    return st;
}

/* Remove the given kinds of portal; appends "a, b" of what was there to
 * removed. HT_OK unless the service failed (err then says why). */
static ht_status clear_kinds(const char *portal, const keyring_kind *kinds, size_t n,
                             strbuf *removed, ht_error *err)
{
    for (size_t i = 0; i < n; i++) {
        ht_status st = keyring_clear(portal, kinds[i], err);
        if (st == HT_OK) {
            if (removed->len)
                strbuf_puts(removed, ", ");
            strbuf_puts(removed, keyring_kind_words(kinds[i]));
        } else if (st != HT_NOT_FOUND) {
            return st;
        }
    }
    return HT_OK;
}

/* After a login of one kind, the other kind's leftovers would compete with
 * it (a private token wins over OAuth): drop them and say so. */
static void drop_other_login(const char *portal, const keyring_kind *kinds, size_t n)
{
    strbuf removed = {0};
    ht_error err;
    if (clear_kinds(portal, kinds, n, &removed, &err) != HT_OK)
        fprintf(stderr, "hubtui: warning: %s\n", err.message);
    else if (removed.len)
        printf("Removed what the earlier sign-in left (%s).\n", strbuf_str(&removed));
    strbuf_free(&removed);
}

/* ---- login with a private app token ---------------------------------------------- */

static int login_private(const config *cfg, const char *portal)
{
    if (probe_keyring(cfg, portal, false) != HT_OK)
        return CLI_EXIT_FAILURE;
    char *prompt = xasprintf("HubSpot private app token for portal %s: ", portal);
    char *token = ask(prompt, false);
    free(prompt);
    if (!token) {
        fprintf(stderr, "hubtui: no token entered\n");
        return CLI_EXIT_FAILURE;
    }
    json_t *account = NULL;
    ht_error err;
    ht_status st = check_token(cfg, portal, token, &account, &err);
    if (st != HT_OK) {
        fprintf(stderr, "hubtui: the token was not stored: %s\n", err.message);
        str_free_secret(token);
        return CLI_EXIT_FAILURE;
    }
    st = keyring_store(portal, KEYRING_ACCESS_TOKEN, token, &err);
    str_free_secret(token);
    if (st != HT_OK) {
        if (st == HT_NO_KEYRING)
            no_keyring_line(cfg, portal, &err);
        else
            fprintf(stderr, "hubtui: %s\n", err.message);
        json_decref(account);
        return CLI_EXIT_FAILURE;
    }
    print_account(account, "Token accepted by");
    printf(".\nStored in the Secret Service for portal '%s'.\n", portal);
    json_decref(account);
    drop_other_login(portal, oauth_kinds, ARRAY_SIZE(oauth_kinds));
    return CLI_EXIT_OK;
}

/* ---- login through an OAuth app -------------------------------------------------- */

/* An unguessable state, so an address pasted from another sign-in is
 * noticed rather than used. */
static bool make_state(char out[33])
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return false;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return true;
}

/* Options for an OAuth app's client of portal p, before it holds tokens. */
static hs_client_opts oauth_client_opts(const config_portal *p)
{
    hs_client_opts o;
    hs_client_opts_for_portal(p, &o);
    if (o.app == RL_APP_UNKNOWN)
        o.app = RL_APP_OAUTH;
    return o;
}

/* Exchange the code and check the new access token; on success *c holds
 * the tokens and *account the portal. Prints what went wrong. */
static hs_client *exchange_and_check(const config_portal *p, const char *client_id,
                                     const char *secret, const char *code,
                                     const char *redirect_uri, json_t **account)
{
    hs_client_opts o = oauth_client_opts(p);
    auth_init_oauth(&o.auth, client_id, secret, NULL, NULL);
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    if (!c) {
        fprintf(stderr, "hubtui: %s; nothing was stored\n", err.message);
        return NULL;
    }
    check_result cr = {.status = HT_OK};
    hs_client_run(c, hs_oauth_exchange_code(c, code, redirect_uri, NULL, on_result, &cr));
    ht_status st = take_result(&cr, NULL, &err);
    if (st == HT_OK && str_empty(hs_client_auth(c)->refresh_token))
        st = ht_error_set(&err, HT_AUTH, "HubSpot sent no refresh token");
    if (st != HT_OK) {
        fprintf(stderr, "hubtui: HubSpot refused to exchange the authorization code: %s; nothing "
                "was stored\n", err.message);
        hs_client_free(c);
        return NULL;
    }
    st = account_of(c, account, &err);
    if (st != HT_OK) {
        fprintf(stderr, "hubtui: the new access token does not work: %s; nothing was stored\n",
                err.message);
        hs_client_free(c);
        return NULL;
    }
    return c;
}

/* Store the OAuth secrets, all or none (a failure part way removes those
 * stored so far, so no half sign-in is left behind). */
static ht_status store_oauth(const char *portal, const auth *a, ht_error *err)
{
    const char *values[] = {a->refresh_token, a->client_secret, a->client_id};
    for (size_t i = 0; i < ARRAY_SIZE(oauth_kinds); i++) {
        ht_status st = keyring_store(portal, oauth_kinds[i], values[i], err);
        if (st != HT_OK) {
            ht_error ignored;
            strbuf gone = {0};
            clear_kinds(portal, oauth_kinds, i, &gone, &ignored);
            strbuf_free(&gone);
            return st;
        }
    }
    return HT_OK;
}

static int login_oauth(const config *cfg, const config_portal *p)
{
    if (probe_keyring(cfg, p->name, true) != HT_OK)
        return CLI_EXIT_FAILURE;
    char *client_id = str_empty(p->oauth_client_id) ? ask("OAuth app client id: ", true)
                                                    : xstrdup(p->oauth_client_id);
    if (!client_id) {
        fprintf(stderr, "hubtui: no client id entered\n");
        return CLI_EXIT_FAILURE;
    }
    char *prompt = xasprintf("Client secret of app %s: ", client_id);
    char *secret = ask(prompt, false);
    free(prompt);
    if (!secret) {
        fprintf(stderr, "hubtui: no client secret entered\n");
        free(client_id);
        return CLI_EXIT_FAILURE;
    }
    const char *redirect_uri = str_empty(p->oauth_redirect_uri) ? AUTH_DEFAULT_REDIRECT_URI
                                                                : p->oauth_redirect_uri;
    char state[33];
    int rc = CLI_EXIT_FAILURE;
    char *code = NULL, *pasted = NULL;
    json_t *account = NULL;
    ht_error err;
    if (!make_state(state)) {
        fprintf(stderr, "hubtui: no random bytes for the sign-in state: %s\n", strerror(errno));
        goto out;
    }
    char *url = auth_authorize_url(client_id, p->oauth_scopes, redirect_uri, state);
    printf("Open this address in a browser, sign in and choose the portal:\n\n  %s\n\n"
           "HubSpot then sends the browser to %s (nothing needs to answer there).\n"
           "Paste the whole address from the browser's address bar, or just its code.\n",
           url, redirect_uri);
    fflush(stdout);
    free(url);
    pasted = ask("Address or code: ", true);
    if (auth_code_from_paste(pasted, state, &code, &err) != HT_OK) {
        fprintf(stderr, "hubtui: %s; nothing was stored\n", err.message);
        goto out;
    }
    hs_client *c = exchange_and_check(p, client_id, secret, code, redirect_uri, &account);
    if (!c)
        goto out;
    ht_status st = store_oauth(p->name, hs_client_auth(c), &err);
    hs_client_free(c);
    if (st != HT_OK) {
        if (st == HT_NO_KEYRING)
            no_keyring_oauth_line(cfg, p->name, &err);
        else
            fprintf(stderr, "hubtui: %s; nothing was stored\n", err.message);
        goto out;
    }
    print_account(account, "Signed in to");
    printf(" with OAuth app %s.\nStored the refresh token, client secret and client id in the "
           "Secret Service for portal '%s'; commands refresh the access token from them.\n",
           client_id, p->name);
    static const keyring_kind private_kind[] = {KEYRING_ACCESS_TOKEN};
    drop_other_login(p->name, private_kind, 1);
    rc = CLI_EXIT_OK;
out:
    json_decref(account);
    str_free_secret(pasted);
    str_free_secret(code);
    str_free_secret(secret);
    free(client_id);
    return rc;
}

/* ---- the commands ------------------------------------------------------------------ */

/* Load the config and pick the portal; prints the problem and returns NULL. */
static const config_portal *pick_portal(const cli_globals *g, config *cfg)
{
    ht_error err;
    if (config_load(NULL, cfg, &err) != HT_OK) {
        fprintf(stderr, "hubtui: %s\n", err.message);
        return NULL;
    }
    for (size_t i = 0; i < cfg->n_warnings; i++)
        fprintf(stderr, "hubtui: warning: %s\n", cfg->warnings[i]);
    const config_portal *p = config_find_portal(cfg, g->portal, &err);
    if (!p)
        fprintf(stderr, "hubtui: %s\n", err.message);
    return p;
}

int cmd_login(const cli_globals *g, int argc, char **argv)
{
    bool oauth = argc == 2 && strcmp(argv[1], "--oauth") == 0;
    if (argc > 2 || (argc == 2 && !oauth))
        return cli_usage_error("login");
    config cfg;
    const config_portal *p = pick_portal(g, &cfg);
    int rc = CLI_EXIT_FAILURE;
    if (p && (oauth || !str_empty(p->oauth_client_id)))
        rc = login_oauth(&cfg, p);
    else if (p)
        rc = login_private(&cfg, p->name);
    config_free(&cfg);
    return rc;
}

/* Ask HubSpot to forget the portal's refresh token, so a copy of it (a
 * backup of the keyring, say) signs in no more. Says what happened; the
 * local sign-in is removed whatever HubSpot answers. */
static void revoke_at_hubspot(const config_portal *p, const char *refresh)
{
    hs_client_opts o = oauth_client_opts(p);
    /* Signing out must not hang on a dead network: short waits, one retry. */
    o.retry = retry_policy_default();
    o.retry.max_attempts = 2;
    o.connect_timeout_ms = 5000;
    o.timeout_ms = 10000;
    auth_init_oauth(&o.auth, NULL, NULL, NULL, NULL);
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    if (!c) {
        fprintf(stderr, "hubtui: could not revoke the refresh token at HubSpot: %s\n",
                err.message);
        return;
    }
    check_result cr = {.status = HT_OK};
    hs_client_run(c, hs_oauth_revoke_refresh(c, refresh, on_result, &cr));
    if (cr.status == HT_OK)
        printf("Revoked the OAuth refresh token at HubSpot.\n");
    else if (cr.http_status == 404)
        printf("HubSpot no longer knew the OAuth refresh token (already revoked).\n");
    else
        fprintf(stderr, "hubtui: could not revoke the refresh token at HubSpot (%s); it is "
                "removed here, and the app's install can be removed in HubSpot's settings\n",
                cr.err.message);
    hs_client_free(c);
}

int cmd_logout(const cli_globals *g, int argc, char **argv)
{
    if (argc > 1)
        return cli_usage_error("logout");
    config cfg;
    const config_portal *p = pick_portal(g, &cfg);
    int rc = CLI_EXIT_FAILURE;
    if (p) {
        static const keyring_kind all[KEYRING_KIND_COUNT] = {
            KEYRING_ACCESS_TOKEN, KEYRING_REFRESH_TOKEN, KEYRING_CLIENT_SECRET, KEYRING_CLIENT_ID,
        };
        strbuf removed = {0};
        ht_error err;
        char *refresh = NULL;
        if (!g->offline &&
            keyring_lookup(p->name, KEYRING_REFRESH_TOKEN, &refresh, &err) == HT_OK)
            revoke_at_hubspot(p, refresh);
        str_free_secret(refresh);
        ht_status st = clear_kinds(p->name, all, ARRAY_SIZE(all), &removed, &err);
        if (st == HT_OK) {
            if (removed.len)
                printf("Removed from the Secret Service for portal '%s': %s.\n", p->name,
                       strbuf_str(&removed));
            else
                printf("Nothing was stored for portal '%s' in the Secret Service.\n", p->name);
            rc = CLI_EXIT_OK;
        } else if (st == HT_NO_KEYRING) {
            fprintf(stderr, "hubtui: %s; nothing to remove\n", err.message);
        } else {
            if (removed.len)
                printf("Removed from the Secret Service for portal '%s': %s.\n", p->name,
                       strbuf_str(&removed));
            fprintf(stderr, "hubtui: %s\n", err.message);
        }
        strbuf_free(&removed);
    }
    config_free(&cfg);
    return rc;
}
