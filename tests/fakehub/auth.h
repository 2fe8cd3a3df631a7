/* auth.h — who may call: static private-app tokens (--token, --scopes) and
 * OAuth tokens minted by the token endpoint for the one --oauth-client.
 *
 * Thread-safe (own lock). Token records are never freed while fakehub
 * runs, so a principal's pointers stay valid for the whole request. */
#ifndef FAKEHUB_AUTH_H
#define FAKEHUB_AUTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct fh_principal {
    const char *token;
    bool        oauth;
    int64_t     app_id;        /* rate-limit bucket: one per private app, one per OAuth app */
    bool        all_scopes;    /* no --scopes: every scope */
    const char *const *scopes;
    int         n_scopes;
    int64_t     user_id;
    int64_t     expires_at;    /* OAuth only, wall ms */
} fh_principal;

typedef enum { AUTH_OK, AUTH_MISSING, AUTH_INVALID, AUTH_EXPIRED } fh_auth_result;

typedef struct fh_auth fh_auth;

/* tokens: the accepted private-app tokens (none → "demo-token");
 * scope_specs: "token=scope,scope" items. Returns NULL with err filled when
 * a scope spec names an unknown token or is malformed. */
fh_auth *auth_new(const char *const *tokens, int n_tokens, const char *const *scope_specs,
                  int n_scope_specs, const char *oauth_client, int token_ttl_s,
                  int64_t portal_id, char *err, size_t errlen);
void auth_free(fh_auth *a);

/* Check an Authorization header value. On AUTH_EXPIRED, *expired_ms says
 * how long ago the token expired. */
fh_auth_result auth_check(fh_auth *a, const char *authorization, fh_principal *who,
                          int64_t *expired_ms);
bool principal_has_scope(const fh_principal *who, const char *scope);

/* OAuth. Every function below returns NULL on success or the HubSpot error
 * code (BAD_CLIENT_ID, BAD_AUTH_CODE, …) with a message in msg. */
bool auth_oauth_enabled(const fh_auth *a);
/* Mint a one-use authorization code (scopes: JSON array or NULL = all). */
const char *auth_mint_code(fh_auth *a, const json_t *scopes, const char *redirect_uri,
                           char *code_out, size_t code_len, char *msg, size_t msglen);
/* The token endpoint. form: the decoded form fields. On success *out is the
 * 200 body. */
const char *auth_token_grant(fh_auth *a, const json_t *form, json_t **out, char *msg,
                             size_t msglen);
/* GET /oauth/v1/access-tokens/{t} body, or NULL when unknown or expired. */
json_t *auth_access_token_info(fh_auth *a, const char *token);
/* GET /oauth/v1/refresh-tokens/{t} body, or NULL when unknown. */
json_t *auth_refresh_token_info(fh_auth *a, const char *token);
/* Revoke a refresh token and its access tokens; false when unknown. */
bool auth_revoke_refresh(fh_auth *a, const char *token);

#endif
