/* fakehub integration tests: Bearer tokens, scopes (403 MISSING_SCOPES)
 * and OAuth (code and refresh grants, token info, expiry). */
#include "fhtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static fakehub fh;   /* --token <fresh> --token test-token-scoped (contacts read only) */

static long status_with(const fakehub *f, const char *token, const char *method, const char *path,
                        const char *body, fakehub_response *out)
{
    fakehub_call call = {.token = token};
    fakehub_call_http(f, method, path, body, &call, out);
    return out->status;
}

static void test_missing_and_bad_tokens(void **state)
{
    fakehub_response r;
    status_with(&fh, "", "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_error_body(&r, 401, "INVALID_AUTHENTICATION");
    assert_false(has_header(&r, "X-HubSpot-RateLimit-Max"));
    fakehub_response_free(&r);
    status_with(&fh, "not-a-token", "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_error_body(&r, 401, "INVALID_AUTHENTICATION");
    fakehub_response_free(&r);
    status_with(&fh, "demo-token", "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_int_equal(r.status, 401);   /* only the given tokens count */
    fakehub_response_free(&r);
    /* The control API needs no token. */
    status_with(&fh, "", "GET", "/_fakehub/health", NULL, &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
}

static void test_demo_token_default(void **state)
{
    fakehub demo;
    const char *args[] = {"--contacts", "2", NULL};
    assert_true(fakehub_start_ex(&demo, args, 60000, FAKEHUB_NO_TOKEN));
    fakehub_response r;
    status_with(&demo, "demo-token", "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    status_with(&demo, "other", "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_int_equal(r.status, 401);
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&demo), 0);
}

static void test_scopes(void **state)
{
    fakehub_response r;
    const char *scoped = "test-token-scoped";
    assert_int_equal(status_with(&fh, scoped, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r), 200);
    fakehub_response_free(&r);
    status_with(&fh, scoped, "PATCH", "/crm/v3/objects/contacts/1", "{\"properties\":{}}", &r);
    assert_error_body(&r, 403, "MISSING_SCOPES");
    assert_string_equal(js(r.json, "errors.0.context.requiredGranularScopes.0"), "crm.objects.contacts.write");
    assert_true(has_header(&r, "X-HubSpot-RateLimit-Remaining"));   /* errors carry them too */
    fakehub_response_free(&r);
    static const char *const forbidden[][2] = {
        {"GET", "/crm/v3/objects/companies"},
        {"GET", "/crm/v3/objects/tickets"},
        {"GET", "/crm/v3/properties/contacts"},
        {"GET", "/crm/v3/owners"},
        {"GET", "/crm-object-schemas/v3/schemas"},
        {"GET", "/crm/v4/objects/contacts/1/associations/companies"},
        {"POST", "/crm/v3/objects/deals/search"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(forbidden); i++) {
        status_with(&fh, scoped, forbidden[i][0], forbidden[i][1], "{}", &r);
        assert_error_body(&r, 403, "MISSING_SCOPES");
        fakehub_response_free(&r);
    }
    /* The unrestricted token may do all of it. */
    req(&fh, "GET", "/crm/v3/owners", NULL, &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    /* --scopes for a token that was not given is refused at start. */
    fakehub bad;
    const char *args[] = {"--scopes", "nobody=tickets", NULL};
    assert_false(fakehub_start(&bad, args, 30000));
}

/* POST the form to /oauth/v1/token. */
static void token_call(const fakehub *f, const char *form, fakehub_response *r)
{
    fakehub_call call = {.token = "", .content_type = "application/x-www-form-urlencoded"};
    fakehub_call_http(f, "POST", "/oauth/v1/token", form, &call, r);
}

static char *mint_code(const fakehub *f, const char *body)
{
    fakehub_response r;
    req(f, "POST", "/_fakehub/oauth/code", body, &r);
    assert_int_equal(r.status, 200);
    char *code = xstrdup(js(r.json, "code"));
    fakehub_response_free(&r);
    return code;
}

static void assert_oauth_error(const fakehub *f, const char *form, const char *code)
{
    fakehub_response r;
    token_call(f, form, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(js(r.json, "status"), code);
    assert_non_null(js(r.json, "message"));
    assert_non_null(js(r.json, "correlationId"));
    fakehub_response_free(&r);
}

static void test_oauth(void **state)
{
    fakehub o;
    FH_START(&o, "--contacts", "5", "--oauth-client", "app-id:app-secret", "--token-ttl", "2");
    char *code = mint_code(&o, "{\"redirect_uri\":\"http://localhost/cb\"}");
    char *form = xasprintf("grant_type=authorization_code&client_id=app-id&client_secret=app-secret"
                           "&redirect_uri=http%%3A%%2F%%2Flocalhost%%2Fcb&code=%s", code);
    fakehub_response r;
    token_call(&o, form, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "token_type"), "bearer");
    assert_int_equal(ji(r.json, "expires_in"), 2);
    char *access = xstrdup(js(r.json, "access_token"));
    char *refresh = xstrdup(js(r.json, "refresh_token"));
    fakehub_response_free(&r);
    assert_oauth_error(&o, form, "BAD_AUTH_CODE");   /* codes are single-use */
    free(form);

    assert_int_equal(status_with(&o, access, "GET", "/crm/v3/objects/contacts", NULL, &r), 200);
    assert_true(has_header(&r, "X-HubSpot-RateLimit-Max"));
    assert_false(has_header(&r, "X-HubSpot-RateLimit-Daily"));   /* OAuth apps have no daily limit */
    fakehub_response_free(&r);
    char *path = xasprintf("/oauth/v1/access-tokens/%s", access);
    status_with(&o, "", "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(ji(r.json, "hub_id"), 4242);
    assert_true(ji(r.json, "expires_in") <= 2);
    assert_true(json_array_size(jp(r.json, "scopes")) > 3);
    fakehub_response_free(&r);

    usleep(2300 * 1000);
    status_with(&o, access, "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_error_body(&r, 401, "EXPIRED_AUTHENTICATION");
    assert_non_null(strstr(js(r.json, "message"), "expired"));
    fakehub_response_free(&r);
    status_with(&o, "", "GET", path, NULL, &r);
    assert_int_equal(r.status, 404);
    fakehub_response_free(&r);

    form = xasprintf("grant_type=refresh_token&client_id=app-id&client_secret=app-secret&refresh_token=%s", refresh);
    token_call(&o, form, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "refresh_token"), refresh);
    char *renewed = xstrdup(js(r.json, "access_token"));
    fakehub_response_free(&r);
    assert_int_equal(status_with(&o, renewed, "GET", "/crm/v3/objects/contacts", NULL, &r), 200);
    fakehub_response_free(&r);
    free(renewed);

    assert_oauth_error(&o, "grant_type=refresh_token&client_id=app-id&client_secret=app-secret&refresh_token=x",
                       "BAD_REFRESH_TOKEN");
    assert_oauth_error(&o, "grant_type=refresh_token&client_id=other&client_secret=app-secret", "BAD_CLIENT_ID");
    assert_oauth_error(&o, "grant_type=refresh_token&client_id=app-id&client_secret=nope", "BAD_CLIENT_SECRET");
    assert_oauth_error(&o, "grant_type=password&client_id=app-id&client_secret=app-secret", "BAD_GRANT_TYPE");
    char *code2 = mint_code(&o, "{\"redirect_uri\":\"http://localhost/cb\"}");
    char *form2 = xasprintf("grant_type=authorization_code&client_id=app-id&client_secret=app-secret"
                            "&redirect_uri=http%%3A%%2F%%2Fevil&code=%s", code2);
    assert_oauth_error(&o, form2, "BAD_REDIRECT_URI");

    /* A code minted with fewer scopes gives a token limited to them. */
    char *code3 = mint_code(&o, "{\"scopes\":[\"crm.objects.contacts.read\"]}");
    char *form3 = xasprintf("grant_type=authorization_code&client_id=app-id&client_secret=app-secret&code=%s", code3);
    token_call(&o, form3, &r);
    char *narrow = xstrdup(js(r.json, "access_token"));
    fakehub_response_free(&r);
    fakehub_response r2;
    assert_int_equal(status_with(&o, narrow, "GET", "/crm/v3/objects/contacts", NULL, &r2), 200);
    fakehub_response_free(&r2);
    assert_int_equal(status_with(&o, narrow, "GET", "/crm/v3/objects/companies", NULL, &r2), 403);
    fakehub_response_free(&r2);

    /* Revoking the refresh token ends it. */
    char *rpath = xasprintf("/oauth/v1/refresh-tokens/%s", refresh);
    status_with(&o, "", "GET", rpath, NULL, &r2);
    assert_string_equal(js(r2.json, "client_id"), "app-id");
    fakehub_response_free(&r2);
    assert_int_equal(status_with(&o, "", "DELETE", rpath, NULL, &r2), 204);
    fakehub_response_free(&r2);
    token_call(&o, form, &r2);
    assert_string_equal(js(r2.json, "status"), "BAD_REFRESH_TOKEN");
    fakehub_response_free(&r2);

    assert_int_equal(fakehub_stop(&o), 0);
    free(code);
    free(code2);
    free(code3);
    free(form);
    free(form2);
    free(form3);
    free(access);
    free(refresh);
    free(narrow);
    free(path);
    free(rpath);
}

/* The token endpoint reads forms only: the same fields sent as JSON, or a
 * form labelled as JSON, are a 415 that spends nothing (the code still
 * works afterwards). */
static void test_oauth_form_only(void **state)
{
    fakehub o;
    FH_START(&o, "--contacts", "3", "--oauth-client", "app-id:app-secret");
    char *code = mint_code(&o, "{}");
    char *json = xasprintf("{\"grant_type\":\"authorization_code\",\"client_id\":\"app-id\","
                           "\"client_secret\":\"app-secret\",\"code\":\"%s\"}", code);
    char *form = xasprintf("grant_type=authorization_code&client_id=app-id&client_secret=app-secret"
                           "&code=%s", code);
    fakehub_response r;
    fakehub_call as_json = {.token = "", .content_type = "application/json"};
    fakehub_call_http(&o, "POST", "/oauth/v1/token", json, &as_json, &r);
    assert_int_equal(r.status, 415);
    assert_string_equal(js(r.json, "status"), "error");
    assert_non_null(strstr(js(r.json, "message"), "application/x-www-form-urlencoded"));
    assert_non_null(js(r.json, "correlationId"));
    assert_null(js(r.json, "access_token"));
    fakehub_response_free(&r);
    fakehub_call_http(&o, "POST", "/oauth/v1/token", form, &as_json, &r);
    assert_int_equal(r.status, 415);
    fakehub_response_free(&r);
    fakehub_call as_text = {.token = "", .content_type = "text/plain"};
    fakehub_call_http(&o, "POST", "/oauth/v1/token", form, &as_text, &r);
    assert_int_equal(r.status, 415);
    fakehub_response_free(&r);
    /* A charset parameter and any case are fine. */
    fakehub_call charset = {.token = "",
                            .content_type = "Application/X-WWW-Form-Urlencoded; charset=UTF-8"};
    fakehub_call_http(&o, "POST", "/oauth/v1/token", form, &charset, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(js(r.json, "access_token"));
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&o), 0);
    free(code);
    free(json);
    free(form);
}

static void test_oauth_disabled(void **state)
{
    fakehub_response r;
    token_call(&fh, "grant_type=refresh_token&client_id=x&client_secret=y&refresh_token=z", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(js(r.json, "status"), "BAD_CLIENT_ID");
    fakehub_response_free(&r);
    req(&fh, "POST", "/_fakehub/oauth/code", "{}", &r);
    assert_int_equal(r.status, 400);
    fakehub_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_and_bad_tokens),
        cmocka_unit_test(test_demo_token_default),
        cmocka_unit_test(test_scopes),
        cmocka_unit_test(test_oauth),
        cmocka_unit_test(test_oauth_form_only),
        cmocka_unit_test(test_oauth_disabled),
    };
    const char *args[] = {"--contacts", "10", "--token", "test-token-scoped", "--scopes",
                          "test-token-scoped=crm.objects.contacts.read", NULL};
    if (!fakehub_start(&fh, args, 60000))
        return 1;
    int failed = cmocka_run_group_tests_name("fakehub auth", tests, NULL, NULL);
    if (fakehub_stop(&fh) != 0)
        failed++;
    return failed;
}
