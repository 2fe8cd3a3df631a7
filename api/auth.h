/* auth.h — where a portal's Bearer token comes from, and OAuth refresh.
 *
 * Static (private-app) tokens are looked for in this order:
 *   1. $HUBSPOT_ACCESS_TOKEN
 *   2. the portal's token_command (first line of its stdout)
 *   3. the Secret Service, keyed by portal (hubtui login)
 * A portal with oauth_client_id in its config, or with none of the above but
 * an OAuth client id in the Secret Service (hubtui login --oauth), is an
 * OAuth portal: its client secret and refresh token come from the
 * environment ($HUBSPOT_CLIENT_SECRET, $HUBSPOT_REFRESH_TOKEN), a *_command,
 * or the Secret Service; the access token is refreshed shortly before it
 * expires and once after a 401.
 * Tokens are registered with the log so they are masked everywhere, and are
 * wiped from memory when freed. Nothing here writes a token to a file. */
#ifndef HUBTUI_AUTH_H
#define HUBTUI_AUTH_H

#include "config.h"
#include "error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum auth_kind { AUTH_STATIC, AUTH_OAUTH } auth_kind;

typedef struct auth {
    auth_kind   kind;
    char       *access_token;   /* NULL until an OAuth portal's first refresh */
    const char *source;         /* where the token came from, for messages */
    int64_t     expires_at;     /* wall ms; 0 = unknown or never */
    int64_t     lifetime_ms;    /* expires_in of the last grant, 0 unknown */
    unsigned    generation;     /* bumped on every new access token */
    char       *client_id;
    char       *client_secret;
    char       *refresh_token;
    char       *keyring_portal; /* the refresh token came from the Secret Service under
                                 * this portal: a rotated one is written back there */
} auth;

/* A static token (copied) found at source ("HUBSPOT_ACCESS_TOKEN", ...). */
void auth_init_static(auth *a, const char *token, const char *source);
/* OAuth credentials (copied); access_token may be NULL (refresh first). */
void auth_init_oauth(auth *a, const char *client_id, const char *client_secret,
                     const char *refresh_token, const char *access_token);
/* Find the credentials of portal p as described above. On failure err says
 * in one line what was tried and the ways to provide a token; HT_NO_KEYRING
 * when the Secret Service was the last resort and is unreachable. */
ht_status auth_resolve(auth *a, const config_portal *p, ht_error *err);
/* Wipe and free every secret. */
void auth_free(auth *a);

/* OAuth: is it time to refresh (no token yet, or expiry within
 * min(60 s, a fifth of the lifetime))? Always false for static tokens. */
bool auth_needs_refresh(const auth *a, int64_t wall_now);
/* The form body of a refresh_token grant (caller frees with str_free_secret). */
char *auth_refresh_form(const auth *a);
/* The form body of an authorization_code grant; code_verifier may be NULL. */
char *auth_code_form(const auth *a, const char *code, const char *redirect_uri,
                     const char *code_verifier);
/* Take the token endpoint's answer: on 200 adopt access_token, expires_in
 * and refresh_token (kept when absent); otherwise HT_AUTH with HubSpot's
 * code (BAD_REFRESH_TOKEN...) in err. */
ht_status auth_apply_token_response(auth *a, int http_status, json_t *body,
                                    int64_t wall_now, ht_error *err);

/* ---- the authorization step (hubtui login --oauth) ---- */

/* Where people grant an app access to a portal. */
#define AUTH_AUTHORIZE_URL "https://app.hubspot.com/oauth/authorize"
/* Where HubSpot sends the browser afterwards, unless the portal sets
 * oauth_redirect_uri: nothing needs to listen there, since the person
 * copies the address (with its code=) from the browser. It must be listed
 * among the app's redirect URLs. */
#define AUTH_DEFAULT_REDIRECT_URI "http://localhost/hubtui/oauth"
/* The scopes asked for unless the portal sets oauth_scopes. */
extern const char auth_default_scopes[];

/* The consent address: client_id, scope (space- or comma-separated words;
 * NULL: the defaults), redirect_uri (NULL: the default) and state. */
char *auth_authorize_url(const char *client_id, const char *scopes, const char *redirect_uri,
                         const char *state);
/* The authorization code in what a person pasted: a bare code, or the
 * address the browser was redirected to (its code= taken, its error=
 * reported, its state= checked against state when both are present).
 * *code is registered with the log redactor; free it with str_free_secret. */
ht_status auth_code_from_paste(const char *pasted, const char *state, char **code, ht_error *err);

/* Run cmd with /bin/sh, wait up to timeout_ms, and return the first line of
 * its stdout (trimmed) in *out (free with str_free_secret). Fails when the
 * command fails, times out or prints nothing. */
ht_status auth_run_command(const char *cmd, int timeout_ms, char **out, ht_error *err);

#endif
