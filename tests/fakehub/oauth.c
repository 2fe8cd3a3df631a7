/* oauth.c — the OAuth v1 token endpoints (form-encoded, errors as 400
 * with the code in "status", hubspot-api.md §1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "herr.h"
#include "jsonw.h"

/* application/x-www-form-urlencoded fields as a JSON object of strings. */
static json_t *parse_form(const char *body, size_t len)
{
    json_t *form = json_object();
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        const char *eq = memchr(body + i, '=', end - i);
        if (eq) {
            char *key = url_decode(body + i, (size_t)(eq - (body + i)), true);
            char *val = url_decode(eq + 1, (size_t)(body + end - eq - 1), true);
            json_object_set_new(form, key, json_string(val));
            free(key);
            free(val);
        }
        i = end + 1;
    }
    return form;
}

static void oauth_error(fh_req *r, int status, const char *code, const char *message)
{
    char cid[37];
    uuid_v4(cid);
    resp_json(r, status, json_pack("{s:s, s:s, s:s}", "status", code, "message", message,
                                   "correlationId", cid));
}

/* Is ct application/x-www-form-urlencoded (parameters such as charset
 * allowed)? */
static bool is_form_type(const char *ct)
{
    static const char form_type[] = "application/x-www-form-urlencoded";
    const size_t n = sizeof form_type - 1;
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return strncasecmp(ct, form_type, n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

void h_oauth_token(fh_req *r)
{
    /* HubSpot reads the token request as a form only: a JSON body (or
     * none declared) is refused with 415, never read as if it were one. */
    if (!is_form_type(r->content_type)) {
        char cid[37], msg[192];
        uuid_v4(cid);
        snprintf(msg, sizeof msg, "Unsupported Media Type: the token endpoint takes "
                 "application/x-www-form-urlencoded, not %.96s",
                 r->content_type ? r->content_type : "a body without a Content-Type");
        resp_json(r, 415, json_pack("{s:s, s:s, s:s}", "status", "error", "message", msg,
                                    "correlationId", cid));
        return;
    }
    json_t *form = parse_form(r->body.buf ? r->body.buf : "", r->body.len);
    json_t *out = NULL;
    char msg[256];
    const char *err = auth_token_grant(r->portal->auth, form, &out, msg, sizeof msg);
    json_decref(form);
    if (err)
        oauth_error(r, 400, err, msg);
    else
        resp_json(r, 200, out);
}

void h_oauth_access_info(fh_req *r)
{
    json_t *j = auth_access_token_info(r->portal->auth, r->cap[0]);
    if (j)
        resp_json(r, 200, j);
    else
        oauth_error(r, 404, "NOT_FOUND", "The access token is expired or invalid");
}

void h_oauth_refresh_info(fh_req *r)
{
    json_t *j = auth_refresh_token_info(r->portal->auth, r->cap[0]);
    if (j)
        resp_json(r, 200, j);
    else
        oauth_error(r, 404, "NOT_FOUND", "missing or unknown refresh token");
}

void h_oauth_refresh_delete(fh_req *r)
{
    if (auth_revoke_refresh(r->portal->auth, r->cap[0]))
        resp_empty(r, 204);
    else
        oauth_error(r, 404, "NOT_FOUND", "missing or unknown refresh token");
}
