/* hubtui login / logout: keep a private-app token in the Secret Service.
 *
 * login reads the token without echo (or one line from stdin when it is not
 * a terminal, for scripts), checks it against the portal's account-info,
 * shows the portal id and stores it with libsecret. Nothing is ever written
 * to a file: without a Secret Service, login says so in one line and points
 * to HUBSPOT_ACCESS_TOKEN and token_command instead. */
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
#include <termios.h>
#include <unistd.h>

int cmd_login(const cli_globals *g, int argc, char **argv);
int cmd_logout(const cli_globals *g, int argc, char **argv);

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    interrupted = 1;
}

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

/* Prompt on the terminal with echo off; restore it whatever happens. */
static char *read_token_from_tty(const char *portal)
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
    tcsetattr(tty, TCSAFLUSH, &quiet);
    dprintf(tty, "HubSpot private app token for portal %s: ", portal);
    char *token = read_line_fd(tty);
    tcsetattr(tty, TCSAFLUSH, &old);
    dprintf(tty, "\n");
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    close(tty);
    return token;
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

typedef struct check_result {
    ht_status status;
    ht_error  err;
    json_t   *account;
} check_result;

static void on_account(void *ud, const hs_result *r)
{
    check_result *cr = ud;
    cr->status = r->status;
    ht_error_copy(&cr->err, r->err);
    if (r->status == HT_OK)
        cr->account = json_incref(r->body);
}

/* Ask the portal who this token belongs to. */
static ht_status check_token(const config *cfg, const char *portal, const char *token,
                             json_t **account, ht_error *err)
{
    hs_client *c = hs_client_open(cfg, portal, token, err);
    if (!c)
        return err->status;
    check_result cr = {.status = HT_OK};
    hs_call_id id = hs_account_details(c, HS_PRIO_INTERACTIVE, on_account, &cr);
    hs_client_run(c, id);
    hs_client_free(c);
    ht_error_copy(err, &cr.err);
    *account = cr.account;
    return cr.status;
}

static void print_account(const json_t *acct, const char *portal)
{
    json_t *id = json_object_get(acct, "portalId");
    const char *tz = json_string_value(json_object_get(acct, "timeZone"));
    const char *cur = json_string_value(json_object_get(acct, "companyCurrency"));
    printf("Token accepted by HubSpot portal %" JSON_INTEGER_FORMAT, json_integer_value(id));
    if (tz || cur)
        printf(" (%s%s%s)", tz ? tz : "", tz && cur ? ", " : "", cur ? cur : "");
    printf(".\nStored in the Secret Service for portal '%s'.\n", portal);
}

static void no_keyring_line(const config *cfg, const char *portal, const ht_error *err)
{
    fprintf(stderr, "hubtui: %s; hubtui never stores tokens in files: set HUBSPOT_ACCESS_TOKEN "
            "or add token_command to [portal %s] in %s instead\n",
            err->message, portal, cfg->path ? cfg->path : "the config");
}

static int login_with(const config *cfg, const char *portal)
{
    /* Probe the Secret Service first: no point asking for a token we cannot keep. */
    char *old = NULL;
    ht_error err;
    ht_status st = keyring_lookup(portal, KEYRING_ACCESS_TOKEN, &old, &err);
    str_free_secret(old);
    if (st != HT_OK && st != HT_NOT_FOUND) {
        if (st == HT_NO_KEYRING)
            no_keyring_line(cfg, portal, &err);
        else
            fprintf(stderr, "hubtui: %s\n", err.message);
        return CLI_EXIT_FAILURE;
    }
    char *token = trimmed_secret(isatty(STDIN_FILENO) ? read_token_from_tty(portal)
                                                      : read_line_fd(STDIN_FILENO));
    if (!token) {
        fprintf(stderr, "hubtui: no token entered\n");
        return CLI_EXIT_FAILURE;
    }
    json_t *account = NULL;
    st = check_token(cfg, portal, token, &account, &err);
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
    print_account(account, portal);
    json_decref(account);
    return CLI_EXIT_OK;
}

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
    if (argc > 1) {
        fprintf(stderr, "usage: hubtui [--portal NAME] login   (the token is read from the "
                "terminal, or from stdin)\n");
        return CLI_EXIT_USAGE;
    }
    config cfg;
    const config_portal *p = pick_portal(g, &cfg);
    int rc = CLI_EXIT_FAILURE;
    if (p && p->oauth_client_id)
        fprintf(stderr, "hubtui: portal %s uses OAuth (oauth_client_id is set); login stores "
                "private-app tokens only\n", p->name);
    else if (p)
        rc = login_with(&cfg, p->name);
    config_free(&cfg);
    return rc;
}

int cmd_logout(const cli_globals *g, int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "usage: hubtui [--portal NAME] logout\n");
        return CLI_EXIT_USAGE;
    }
    config cfg;
    const config_portal *p = pick_portal(g, &cfg);
    int rc = CLI_EXIT_FAILURE;
    if (p) {
        ht_error err;
        ht_status st = keyring_clear(p->name, KEYRING_ACCESS_TOKEN, &err);
        if (st == HT_OK) {
            printf("Removed the token of portal '%s' from the Secret Service.\n", p->name);
            rc = CLI_EXIT_OK;
        } else if (st == HT_NOT_FOUND) {
            printf("No token was stored for portal '%s'.\n", p->name);
            rc = CLI_EXIT_OK;
        } else if (st == HT_NO_KEYRING) {
            fprintf(stderr, "hubtui: %s; nothing to remove\n", err.message);
        } else {
            fprintf(stderr, "hubtui: %s\n", err.message);
        }
    }
    config_free(&cfg);
    return rc;
}
