#include "auth.h"
#include "apierror.h"
#include "http.h"
#include "keyring.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define COMMAND_TIMEOUT_MS 60000
#define COMMAND_MAX_OUTPUT 65536

extern char **environ;

static char *dup_secret(const char *s)
{
    if (str_empty(s))
        return NULL;
    log_add_secret(s);
    return xstrdup(s);
}

void auth_init_static(auth *a, const char *token, const char *source)
{
    memset(a, 0, sizeof *a);
    a->kind = AUTH_STATIC;
    a->access_token = dup_secret(token);
    a->source = source;
    a->generation = 1;
}

void auth_init_oauth(auth *a, const char *client_id, const char *client_secret,
                     const char *refresh_token, const char *access_token)
{
    memset(a, 0, sizeof *a);
    a->kind = AUTH_OAUTH;
    a->source = "OAuth";
    a->client_id = str_empty(client_id) ? NULL : xstrdup(client_id);
    a->client_secret = dup_secret(client_secret);
    a->refresh_token = dup_secret(refresh_token);
    a->access_token = dup_secret(access_token);
    a->generation = a->access_token ? 1 : 0;
}

void auth_free(auth *a)
{
    str_free_secret(a->access_token);
    str_free_secret(a->client_secret);
    str_free_secret(a->refresh_token);
    free(a->client_id);
    free(a->keyring_portal);
    memset(a, 0, sizeof *a);
}

/* ---- token_command ------------------------------------------------------- */

/* Collect the child's stdout until EOF, or until it has exited (a helper it
 * left behind may hold the pipe open), or the deadline. *status gets the
 * wait status. */
static ht_status read_child(int fd, pid_t pid, const char *cmd, int timeout_ms,
                            strbuf *out, int *status, ht_error *err)
{
    int64_t deadline = time_mono_ms() + timeout_ms;
    char buf[4096];
    bool exited = false;
    for (;;) {
        int left = (int)(deadline - time_mono_ms());
        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, status, 0);
            return ht_error_set(err, HT_TIMEOUT, "token_command '%s' did not finish within %d s",
                                cmd, timeout_ms / 1000);
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        int r = poll(&pfd, 1, exited ? 0 : (left < 100 ? left : 100));
        if (r < 0 && errno != EINTR)
            return ht_error_set(err, HT_IO, "token_command: poll: %s", strerror(errno));
        if (r > 0) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            if (out->len + (size_t)n <= COMMAND_MAX_OUTPUT)
                strbuf_append(out, buf, (size_t)n);
            continue;
        }
        if (exited)
            break;
        if (waitpid(pid, status, WNOHANG) == pid)
            exited = true;   /* drain what is buffered, then stop */
    }
    if (!exited)
        while (waitpid(pid, status, 0) < 0 && errno == EINTR)
            ;
    return HT_OK;
}

static ht_status spawn_shell(const char *cmd, int *out_fd, pid_t *pid, ht_error *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return ht_error_set(err, HT_IO, "token_command: pipe: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
    int rc = posix_spawn(pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return ht_error_set(err, HT_IO, "token_command: cannot run /bin/sh: %s", strerror(rc));
    }
    *out_fd = fds[0];
    return HT_OK;
}

/* The first line, trimmed of surrounding whitespace; NULL when empty. */
static char *first_line(const char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t n = strcspn(text, "\r\n");
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    return n ? xstrndup(text, n) : NULL;
}

ht_status auth_run_command(const char *cmd, int timeout_ms, char **out, ht_error *err)
{
    *out = NULL;
    int fd = -1;
    pid_t pid = -1;
    ht_status st = spawn_shell(cmd, &fd, &pid, err);
    if (st != HT_OK)
        return st;
    strbuf output = {0};
    int status = 0;
    st = read_child(fd, pid, cmd, timeout_ms > 0 ? timeout_ms : COMMAND_TIMEOUT_MS, &output,
                    &status, err);
    close(fd);
    if (st == HT_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        st = WIFEXITED(status)
            ? ht_error_set(err, HT_AUTH, "token_command '%s' failed with exit status %d", cmd,
                           WEXITSTATUS(status))
            : ht_error_set(err, HT_AUTH, "token_command '%s' was killed by signal %d", cmd,
                           WTERMSIG(status));
    }
    if (st == HT_OK) {
        *out = first_line(strbuf_str(&output));
        if (!*out)
            st = ht_error_set(err, HT_AUTH, "token_command '%s' printed no token", cmd);
        else
            log_add_secret(*out);
    }
    if (output.buf)
        explicit_bzero(output.buf, output.len);
    strbuf_free(&output);
    return st;
}

/* ---- resolution ---------------------------------------------------------- */

/* One secret from env, then a command, then the keyring. HT_NOT_FOUND when
 * none had it (err then names the keyring outcome). */
static ht_status find_secret(const char *env, const char *command, const char *portal,
                             keyring_kind kind, char **out, const char **source, ht_error *err)
{
    const char *v = env ? getenv(env) : NULL;
    if (!str_empty(v)) {
        *out = xstrdup(v);
        log_add_secret(v);
        *source = env;
        return HT_OK;
    }
    if (!str_empty(command)) {
        *source = "token_command";
        return auth_run_command(command, 0, out, err);
    }
    *source = "the Secret Service";
    ht_status st = keyring_lookup(portal, kind, out, err);
    if (st == HT_OK)
        log_add_secret(*out);
    return st;
}

static ht_status resolve_oauth(auth *a, const config_portal *p, const char *client_id,
                              ht_error *err);

static ht_status resolve_static(auth *a, const config_portal *p, ht_error *err)
{
    char *token = NULL;
    const char *source = NULL;
    ht_error kerr;
    ht_error_clear(&kerr);
    ht_status st = find_secret("HUBSPOT_ACCESS_TOKEN", p->token_command, p->name,
                               KEYRING_ACCESS_TOKEN, &token, &source, &kerr);
    if (st == HT_OK) {
        auth_init_static(a, token, source);
        str_free_secret(token);
        return HT_OK;
    }
    if (st == HT_NO_KEYRING)
        return ht_error_set(err, st, "no token for portal %s: %s; set HUBSPOT_ACCESS_TOKEN or "
                            "add token_command to [portal %s] in the config", p->name,
                            kerr.message, p->name);
    if (st == HT_NOT_FOUND) {
        /* No private-app token stored: a portal signed in with
         * `hubtui login --oauth` has its client id in the keyring instead. */
        char *client_id = NULL;
        st = keyring_lookup(p->name, KEYRING_CLIENT_ID, &client_id, &kerr);
        if (st == HT_OK) {
            st = resolve_oauth(a, p, client_id, err);
            free(client_id);
            return st;
        }
        if (st == HT_NOT_FOUND)
            return ht_error_set(err, HT_AUTH, "no token for portal %s: run 'hubtui login' (or "
                                "'hubtui login --oauth' for an OAuth app), set "
                                "HUBSPOT_ACCESS_TOKEN, or add token_command to [portal %s]",
                                p->name, p->name);
    }
    ht_error_copy(err, &kerr);
    return st;
}

static ht_status resolve_oauth(auth *a, const config_portal *p, const char *client_id,
                              ht_error *err)
{
    char *secret = NULL, *refresh = NULL;
    const char *source;
    ht_error e;
    ht_error_clear(&e);
    ht_status st = HT_OK;
    if (p->oauth_client_secret && !getenv("HUBSPOT_CLIENT_SECRET") && !p->oauth_client_secret_command)
        secret = xstrdup(p->oauth_client_secret);
    else
        st = find_secret("HUBSPOT_CLIENT_SECRET", p->oauth_client_secret_command, p->name,
                         KEYRING_CLIENT_SECRET, &secret, &source, &e);
    if (st == HT_OK)
        st = find_secret("HUBSPOT_REFRESH_TOKEN", p->oauth_refresh_token_command, p->name,
                         KEYRING_REFRESH_TOKEN, &refresh, &source, &e);
    if (st == HT_OK) {
        auth_init_oauth(a, client_id, secret, refresh, getenv("HUBSPOT_ACCESS_TOKEN"));
        if (strcmp(source, "the Secret Service") == 0)
            a->keyring_portal = xstrdup(p->name);
    } else if (st == HT_NOT_FOUND) {
        st = ht_error_set(err, HT_AUTH, "OAuth portal %s is not signed in (%s): run 'hubtui "
                          "login --oauth', or set HUBSPOT_CLIENT_SECRET and "
                          "HUBSPOT_REFRESH_TOKEN, or oauth_client_secret_command and "
                          "oauth_refresh_token_command in [portal %s]", p->name, e.message, p->name);
    } else if (st == HT_NO_KEYRING) {
        st = ht_error_set(err, st, "OAuth portal %s lacks credentials (%s): set "
                          "HUBSPOT_CLIENT_SECRET and HUBSPOT_REFRESH_TOKEN, or "
                          "oauth_client_secret_command and oauth_refresh_token_command in "
                          "[portal %s]", p->name, e.message, p->name);
    } else {
        ht_error_copy(err, &e);
    }
    str_free_secret(secret);
    str_free_secret(refresh);
    return st;
}

ht_status auth_resolve(auth *a, const config_portal *p, ht_error *err)
{
    memset(a, 0, sizeof *a);
    if (!str_empty(p->oauth_client_id))
        return resolve_oauth(a, p, p->oauth_client_id, err);
    return resolve_static(a, p, err);
}

/* ---- OAuth --------------------------------------------------------------- */

bool auth_needs_refresh(const auth *a, int64_t wall_now)
{
    if (a->kind != AUTH_OAUTH)
        return false;
    if (!a->access_token)
        return true;
    if (a->expires_at == 0)
        return false;   /* unknown expiry: the first 401 tells us */
    int64_t margin = 60000;
    if (a->lifetime_ms > 0 && a->lifetime_ms / 5 < margin)
        margin = a->lifetime_ms / 5;
    return wall_now >= a->expires_at - margin;
}

static void form_field(strbuf *sb, const char *key, const char *value)
{
    if (str_empty(value))
        return;
    if (sb->len)
        strbuf_putc(sb, '&');
    strbuf_puts(sb, key);
    strbuf_putc(sb, '=');
    http_escape(sb, value);
}

char *auth_refresh_form(const auth *a)
{
    strbuf sb = {0};
    form_field(&sb, "grant_type", "refresh_token");
    form_field(&sb, "client_id", a->client_id);
    form_field(&sb, "client_secret", a->client_secret);
    form_field(&sb, "refresh_token", a->refresh_token);
    return strbuf_detach(&sb);
}

char *auth_code_form(const auth *a, const char *code, const char *redirect_uri,
                     const char *code_verifier)
{
    strbuf sb = {0};
    form_field(&sb, "grant_type", "authorization_code");
    form_field(&sb, "client_id", a->client_id);
    form_field(&sb, "client_secret", a->client_secret);
    form_field(&sb, "redirect_uri", redirect_uri);
    form_field(&sb, "code", code);
    form_field(&sb, "code_verifier", code_verifier);
    return strbuf_detach(&sb);
}

ht_status auth_apply_token_response(auth *a, int http_status, json_t *body,
                                    int64_t wall_now, ht_error *err)
{
    if (http_status != 200) {
        apierror e;
        apierror_from_json(&e, http_status, body);
        ht_status st = apierror_to_ht(&e, HT_AUTH, err);
        if (err) {
            char msg[sizeof err->message];
            snprintf(msg, sizeof msg, "%s", err->message);
            /* These codes mean the stored sign-in itself is no longer good. */
            bool stale = !strcmp(err->category, "BAD_REFRESH_TOKEN") ||
                         !strcmp(err->category, "BAD_CLIENT_ID") ||
                         !strcmp(err->category, "BAD_CLIENT_SECRET");
            snprintf(err->message, sizeof err->message, "OAuth token refresh failed: %.900s%s",
                     msg, stale ? "; sign in again with 'hubtui login --oauth'" : "");
        }
        apierror_free(&e);
        return st;
    }
    const char *access = json_string_value(json_object_get(body, "access_token"));
    json_t *expires = json_object_get(body, "expires_in");
    if (str_empty(access))
        return ht_error_set(err, HT_PARSE, "the OAuth token endpoint answered without an access_token");
    log_add_secret(access);
    str_free_secret(a->access_token);
    a->access_token = xstrdup(access);
    a->generation++;
    a->source = "OAuth";
    a->lifetime_ms = json_is_integer(expires) ? json_integer_value(expires) * 1000 : 0;
    a->expires_at = a->lifetime_ms > 0 ? wall_now + a->lifetime_ms : 0;
    const char *refresh = json_string_value(json_object_get(body, "refresh_token"));
    if (!str_empty(refresh) && str_cmp0(refresh, a->refresh_token) != 0) {
        log_add_secret(refresh);
        str_free_secret(a->refresh_token);
        a->refresh_token = xstrdup(refresh);
        /* HubSpot rotated the refresh token: the stored one may stop working,
         * so the new one replaces it (rare: one short D-Bus call). */
        ht_error kerr;
        if (a->keyring_portal &&
            keyring_store(a->keyring_portal, KEYRING_REFRESH_TOKEN, refresh, &kerr) != HT_OK)
            log_warn("OAuth: HubSpot issued a new refresh token but the Secret Service did "
                     "not take it (%s); the next run may need 'hubtui login --oauth'",
                     kerr.message);
    }
    return HT_OK;
}

/* ---- the authorization step (hubtui login --oauth) ------------------------ */

const char auth_default_scopes[] =
    "oauth crm.objects.contacts.read crm.objects.contacts.write "
    "crm.objects.companies.read crm.objects.companies.write "
    "crm.objects.deals.read crm.objects.deals.write tickets crm.objects.owners.read "
    "crm.schemas.contacts.read crm.schemas.companies.read crm.schemas.deals.read";

char *auth_authorize_url(const char *client_id, const char *scopes, const char *redirect_uri,
                         const char *state)
{
    /* Scopes may be written with commas in the config; HubSpot wants spaces. */
    strbuf words = {0};
    const char *s = str_empty(scopes) ? auth_default_scopes : scopes;
    while (*s) {
        size_t skip = strspn(s, " ,\t");
        s += skip;
        size_t n = strcspn(s, " ,\t");
        if (n == 0)
            break;
        if (words.len)
            strbuf_putc(&words, ' ');
        strbuf_append(&words, s, n);
        s += n;
    }
    strbuf q = {0};
    form_field(&q, "client_id", client_id);
    form_field(&q, "scope", strbuf_str(&words));
    form_field(&q, "redirect_uri", str_empty(redirect_uri) ? AUTH_DEFAULT_REDIRECT_URI
                                                           : redirect_uri);
    form_field(&q, "state", state);
    char *url = xasprintf(AUTH_AUTHORIZE_URL "?%s", strbuf_str(&q));
    strbuf_free(&words);
    strbuf_free(&q);
    return url;
}

/* The decoded value of key in a query string (up to '#'), NULL when absent. */
static char *query_param(const char *query, const char *key)
{
    size_t klen = strlen(key);
    const char *p = query;
    size_t qlen = strcspn(query, "#");
    while (p < query + qlen) {
        size_t len = strcspn(p, "&#");
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=')
            return url_decode(p + klen + 1, len - klen - 1, true);
        p += len;
        if (*p == '&')
            p++;
        else
            break;
    }
    return NULL;
}

ht_status auth_code_from_paste(const char *pasted, const char *state, char **code, ht_error *err)
{
    *code = NULL;
    const char *s = pasted ? pasted : "";
    s += strspn(s, " \t\r\n");
    size_t n = strlen(s);
    while (n > 0 && strchr(" \t\r\n", s[n - 1]))
        n--;
    char *text = xstrndup(s, n);
    ht_status st = HT_OK;
    const char *q = strchr(text, '?');
    if (q || strstr(text, "code=") || strstr(text, "error=")) {
        /* A redirected address, or its query part. */
        const char *query = q ? q + 1 : text;
        char *error = query_param(query, "error");
        char *got_state = query_param(query, "state");
        *code = query_param(query, "code");
        if (error) {
            char *why = query_param(query, "error_description");
            st = ht_error_set(err, HT_AUTH, "HubSpot did not authorize the app: %s%s%s", error,
                              why ? ": " : "", why ? why : "");
            free(why);
        } else if (state && got_state && strcmp(state, got_state) != 0) {
            st = ht_error_set(err, HT_AUTH, "the pasted address is from another sign-in (its "
                              "state does not match this one); open the address above and "
                              "paste where it leads");
        } else if (str_empty(*code)) {
            st = ht_error_set(err, HT_INVALID, "the pasted address has no code=; paste the "
                              "whole address the browser was sent to after you chose the portal");
        }
        free(error);
        free(got_state);
    } else if (n == 0) {
        st = ht_error_set(err, HT_INVALID, "no authorization code entered");
    } else if (strcspn(text, " \t\"'<>") != n) {
        st = ht_error_set(err, HT_INVALID, "that does not look like an authorization code or "
                          "an address: paste the address the browser was sent to");
    } else {
        *code = xstrdup(text);
    }
    str_free_secret(text);
    if (st != HT_OK) {
        str_free_secret(*code);
        *code = NULL;
    } else {
        log_add_secret(*code);   /* single use, but still a credential while it lives */
    }
    return st;
}
