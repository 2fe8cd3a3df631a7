#include "auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "util.h"

#define STATIC_APP_BASE 1000
#define OAUTH_APP_ID    2000
#define OAUTH_USER_ID   9100000

typedef struct scope_list {
    char **v;
    int    n;
} scope_list;

typedef struct tok {
    char       *token;
    bool        oauth;
    int64_t     app_id;
    scope_list  scopes;
    bool        all_scopes;
    int64_t     expires_at;
    char       *refresh;  /* the refresh token an access token came from */
    bool        revoked;
    struct tok *next;
} tok;

typedef struct code {
    char        *code;
    scope_list   scopes;
    bool         all_scopes;
    char        *redirect;
    bool         used;
    struct code *next;
} code;

typedef struct refresh {
    char           *token;
    scope_list      scopes;
    bool            all_scopes;
    bool            revoked;
    struct refresh *next;
} refresh;

struct fh_auth {
    pthread_mutex_t lock;
    tok            *tokens;
    code           *codes;
    refresh        *refreshes;
    char           *client_id, *client_secret;
    int             ttl_s;
    int64_t         portal_id;
};

/* Every scope a token without --scopes has, listed for token info. */
static const char *const all_scope_names[] = {
    "crm.objects.contacts.read", "crm.objects.contacts.write",
    "crm.objects.companies.read", "crm.objects.companies.write",
    "crm.objects.deals.read", "crm.objects.deals.write",
    "crm.objects.line_items.read", "crm.objects.line_items.write",
    "crm.objects.custom.read", "crm.objects.custom.write",
    "crm.objects.quotes.read", "crm.objects.quotes.write",
    "crm.objects.owners.read", "tickets", "e-commerce",
    "crm.schemas.contacts.read", "crm.schemas.contacts.write",
    "crm.schemas.companies.read", "crm.schemas.companies.write",
    "crm.schemas.deals.read", "crm.schemas.deals.write",
    "crm.schemas.line_items.read", "crm.schemas.custom.read", "crm.schemas.custom.write",
    "crm.schemas.quotes.read",
    "oauth",
};

static void scopes_from_csv(scope_list *s, const char *csv)
{
    char *copy = xstrdup(csv), *save = NULL;
    for (char *p = strtok_r(copy, ", ", &save); p; p = strtok_r(NULL, ", ", &save)) {
        s->v = xrealloc(s->v, sizeof *s->v * (size_t)(s->n + 1));
        s->v[s->n++] = xstrdup(p);
    }
    free(copy);
}

static void scopes_from_json(scope_list *s, const json_t *arr)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            continue;
        s->v = xrealloc(s->v, sizeof *s->v * (size_t)(s->n + 1));
        s->v[s->n++] = xstrdup(json_string_value(v));
    }
}

static void scopes_copy(scope_list *dst, const scope_list *src)
{
    dst->n = 0;
    dst->v = NULL;
    for (int i = 0; i < src->n; i++) {
        dst->v = xrealloc(dst->v, sizeof *dst->v * (size_t)(dst->n + 1));
        dst->v[dst->n++] = xstrdup(src->v[i]);
    }
}

static void scopes_free(scope_list *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

static json_t *scopes_json(const scope_list *s, bool all)
{
    json_t *arr = json_array();
    if (all)
        for (size_t i = 0; i < ARRAY_SIZE(all_scope_names); i++)
            json_array_append_new(arr, json_string(all_scope_names[i]));
    else
        for (int i = 0; i < s->n; i++)
            json_array_append_new(arr, json_string(s->v[i]));
    return arr;
}

static tok *find_token(fh_auth *a, const char *t)
{
    for (tok *k = a->tokens; k; k = k->next)
        if (strcmp(k->token, t) == 0)
            return k;
    return NULL;
}

static tok *add_token(fh_auth *a, const char *t, bool oauth, int64_t app_id)
{
    tok *k = xcalloc(1, sizeof *k);
    k->token = xstrdup(t);
    k->oauth = oauth;
    k->app_id = app_id;
    k->all_scopes = true;
    k->next = a->tokens;
    a->tokens = k;
    return k;
}

static bool apply_scope_spec(fh_auth *a, const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    if (!eq) {
        snprintf(err, errlen, "--scopes wants TOKEN=scope,scope (got '%s')", spec);
        return false;
    }
    char *name = xstrndup(spec, (size_t)(eq - spec));
    tok *k = find_token(a, name);
    free(name);
    if (!k) {
        snprintf(err, errlen, "--scopes names a token that was not given with --token");
        return false;
    }
    scopes_free(&k->scopes);
    memset(&k->scopes, 0, sizeof k->scopes);
    k->all_scopes = false;
    scopes_from_csv(&k->scopes, eq + 1);
    return true;
}

fh_auth *auth_new(const char *const *tokens, int n_tokens, const char *const *scope_specs,
                  int n_scope_specs, const char *oauth_client, int token_ttl_s,
                  int64_t portal_id, char *err, size_t errlen)
{
    fh_auth *a = xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->lock, NULL);
    a->ttl_s = token_ttl_s > 0 ? token_ttl_s : 1800;
    a->portal_id = portal_id;
    if (n_tokens == 0)
        add_token(a, "demo-token", false, STATIC_APP_BASE);
    for (int i = 0; i < n_tokens; i++)
        if (!find_token(a, tokens[i]))
            add_token(a, tokens[i], false, STATIC_APP_BASE + i);
    for (int i = 0; i < n_scope_specs; i++)
        if (!apply_scope_spec(a, scope_specs[i], err, errlen)) {
            auth_free(a);
            return NULL;
        }
    if (oauth_client) {
        const char *colon = strchr(oauth_client, ':');
        if (!colon || colon == oauth_client || !colon[1]) {
            snprintf(err, errlen, "--oauth-client wants ID:SECRET");
            auth_free(a);
            return NULL;
        }
        a->client_id = xstrndup(oauth_client, (size_t)(colon - oauth_client));
        a->client_secret = xstrdup(colon + 1);
    }
    return a;
}

void auth_free(fh_auth *a)
{
    if (!a)
        return;
    for (tok *k = a->tokens, *n; k; k = n) {
        n = k->next;
        free(k->token);
        free(k->refresh);
        scopes_free(&k->scopes);
        free(k);
    }
    for (code *c = a->codes, *n; c; c = n) {
        n = c->next;
        free(c->code);
        free(c->redirect);
        scopes_free(&c->scopes);
        free(c);
    }
    for (refresh *r = a->refreshes, *n; r; r = n) {
        n = r->next;
        free(r->token);
        scopes_free(&r->scopes);
        free(r);
    }
    free(a->client_id);
    free(a->client_secret);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

fh_auth_result auth_check(fh_auth *a, const char *authorization, fh_principal *who,
                          int64_t *expired_ms)
{
    memset(who, 0, sizeof *who);
    if (str_empty(authorization))
        return AUTH_MISSING;
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return AUTH_INVALID;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    pthread_mutex_lock(&a->lock);
    tok *k = find_token(a, t);
    fh_auth_result res = AUTH_INVALID;
    if (k && !k->revoked) {
        int64_t now = time_now_ms();
        if (k->oauth && k->expires_at <= now) {
            *expired_ms = now - k->expires_at;
            res = AUTH_EXPIRED;
        } else {
            who->token = k->token;
            who->oauth = k->oauth;
            who->app_id = k->app_id;
            who->all_scopes = k->all_scopes;
            who->scopes = (const char *const *)k->scopes.v;
            who->n_scopes = k->scopes.n;
            who->user_id = k->oauth ? OAUTH_USER_ID : 0;
            who->expires_at = k->expires_at;
            res = AUTH_OK;
        }
    }
    pthread_mutex_unlock(&a->lock);
    return res;
}

bool principal_has_scope(const fh_principal *who, const char *scope)
{
    if (who->all_scopes)
        return true;
    for (int i = 0; i < who->n_scopes; i++)
        if (strcmp(who->scopes[i], scope) == 0)
            return true;
    return false;
}

bool auth_oauth_enabled(const fh_auth *a)
{
    return a->client_id != NULL;
}

static void random_token(char *out, size_t len, const char *prefix)
{
    char u1[37], u2[37];
    uuid_v4(u1);
    uuid_v4(u2);
    snprintf(out, len, "%s%s%s", prefix, u1, u2);
}

const char *auth_mint_code(fh_auth *a, const json_t *scopes, const char *redirect_uri,
                           char *code_out, size_t code_len, char *msg, size_t msglen)
{
    if (!a->client_id) {
        snprintf(msg, msglen, "fakehub was started without --oauth-client");
        return "BAD_CLIENT_ID";
    }
    code *c = xcalloc(1, sizeof *c);
    char buf[96];
    random_token(buf, sizeof buf, "code-");
    c->code = xstrdup(buf);
    c->all_scopes = !json_is_array(scopes);
    if (!c->all_scopes)
        scopes_from_json(&c->scopes, scopes);
    c->redirect = redirect_uri ? xstrdup(redirect_uri) : NULL;
    pthread_mutex_lock(&a->lock);
    c->next = a->codes;
    a->codes = c;
    pthread_mutex_unlock(&a->lock);
    snprintf(code_out, code_len, "%s", c->code);
    return NULL;
}

static const char *form_str(const json_t *form, const char *key)
{
    return json_string_value(json_object_get(form, key));
}

/* Issue an access token for a refresh token (caller holds the lock). */
static json_t *issue(fh_auth *a, refresh *r)
{
    char access[96];
    random_token(access, sizeof access, "oa-");
    tok *k = add_token(a, access, true, OAUTH_APP_ID);
    k->all_scopes = r->all_scopes;
    scopes_copy(&k->scopes, &r->scopes);
    k->expires_at = time_now_ms() + (int64_t)a->ttl_s * 1000;
    k->refresh = xstrdup(r->token);
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:o}", "token_type", "bearer",
                     "refresh_token", r->token, "access_token", access, "expires_in", a->ttl_s,
                     "token_use", "access_token", "hub_id", (json_int_t)a->portal_id,
                     "user_id", (json_int_t)OAUTH_USER_ID,
                     "scopes", scopes_json(&r->scopes, r->all_scopes));
}

static const char *grant_code(fh_auth *a, const json_t *form, json_t **out, char *msg,
                              size_t msglen)
{
    const char *c = form_str(form, "code"), *redirect = form_str(form, "redirect_uri");
    code *found = NULL;
    for (code *x = a->codes; c && x; x = x->next)
        if (strcmp(x->code, c) == 0)
            found = x;
    if (!found || found->used) {
        snprintf(msg, msglen, "missing or unknown auth code");
        return "BAD_AUTH_CODE";
    }
    if (found->redirect && str_cmp0(found->redirect, redirect) != 0) {
        snprintf(msg, msglen, "redirect_uri does not match initial auth code URL");
        return "BAD_REDIRECT_URI";
    }
    found->used = true;
    refresh *r = xcalloc(1, sizeof *r);
    char buf[96];
    random_token(buf, sizeof buf, "na1-");
    r->token = xstrdup(buf);
    r->all_scopes = found->all_scopes;
    scopes_copy(&r->scopes, &found->scopes);
    r->next = a->refreshes;
    a->refreshes = r;
    *out = issue(a, r);
    return NULL;
}

static refresh *find_refresh(fh_auth *a, const char *t)
{
    for (refresh *r = a->refreshes; t && r; r = r->next)
        if (strcmp(r->token, t) == 0 && !r->revoked)
            return r;
    return NULL;
}

const char *auth_token_grant(fh_auth *a, const json_t *form, json_t **out, char *msg,
                             size_t msglen)
{
    const char *grant = form_str(form, "grant_type");
    *out = NULL;
    if (!a->client_id || str_cmp0(form_str(form, "client_id"), a->client_id) != 0) {
        snprintf(msg, msglen, "missing or unknown client id");
        return "BAD_CLIENT_ID";
    }
    if (str_cmp0(form_str(form, "client_secret"), a->client_secret) != 0) {
        snprintf(msg, msglen, "missing or invalid client secret");
        return "BAD_CLIENT_SECRET";
    }
    const char *err = NULL;
    pthread_mutex_lock(&a->lock);
    if (str_cmp0(grant, "authorization_code") == 0) {
        err = grant_code(a, form, out, msg, msglen);
    } else if (str_cmp0(grant, "refresh_token") == 0) {
        refresh *r = find_refresh(a, form_str(form, "refresh_token"));
        if (r) {
            *out = issue(a, r);
        } else {
            snprintf(msg, msglen, "missing or unknown refresh token");
            err = "BAD_REFRESH_TOKEN";
        }
    } else {
        snprintf(msg, msglen, "grant_type must be authorization_code or refresh_token");
        err = "BAD_GRANT_TYPE";
    }
    pthread_mutex_unlock(&a->lock);
    return err;
}

json_t *auth_access_token_info(fh_auth *a, const char *token)
{
    json_t *j = NULL;
    pthread_mutex_lock(&a->lock);
    tok *k = find_token(a, token);
    int64_t now = time_now_ms();
    if (k && k->oauth && !k->revoked && k->expires_at > now) {
        json_t *scopes = scopes_json(&k->scopes, k->all_scopes);
        j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:O, s:I, s:s, s:b}", "token", k->token,
                      "user", "oauth-user@fakehub-portal.example", "hub_domain",
                      "fakehub-portal.example", "hub_id", (json_int_t)a->portal_id,
                      "app_id", (json_int_t)k->app_id, "user_id", (json_int_t)OAUTH_USER_ID,
                      "scopes", scopes, "expires_in", (json_int_t)((k->expires_at - now) / 1000),
                      "token_type", "access", "is_private_distribution", false);
        json_object_set_new(j, "signed_access_token",
                            json_pack("{s:I, s:I, s:I, s:I, s:o}", "expiresAt",
                                      (json_int_t)k->expires_at, "hubId", (json_int_t)a->portal_id,
                                      "userId", (json_int_t)OAUTH_USER_ID, "appId",
                                      (json_int_t)k->app_id, "scopes", scopes));
    }
    pthread_mutex_unlock(&a->lock);
    return j;
}

json_t *auth_refresh_token_info(fh_auth *a, const char *token)
{
    json_t *j = NULL;
    pthread_mutex_lock(&a->lock);
    refresh *r = find_refresh(a, token);
    if (r)
        j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:o, s:s}", "token", r->token, "user",
                      "oauth-user@fakehub-portal.example", "hub_domain", "fakehub-portal.example",
                      "hub_id", (json_int_t)a->portal_id, "client_id", a->client_id,
                      "user_id", (json_int_t)OAUTH_USER_ID,
                      "scopes", scopes_json(&r->scopes, r->all_scopes), "token_type", "refresh");
    pthread_mutex_unlock(&a->lock);
    return j;
}

bool auth_revoke_refresh(fh_auth *a, const char *token)
{
    pthread_mutex_lock(&a->lock);
    refresh *r = find_refresh(a, token);
    if (r) {
        r->revoked = true;
        for (tok *k = a->tokens; k; k = k->next)
            if (k->refresh && strcmp(k->refresh, token) == 0)
                k->revoked = true;
    }
    pthread_mutex_unlock(&a->lock);
    return r != NULL;
}
