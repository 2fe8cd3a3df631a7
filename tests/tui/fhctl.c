/* fhctl — what the end-to-end scripts ask fakehub, over HTTP (no curl or jq
 * needed on the machine).
 *
 *   fhctl get URL                 print the body of GET URL
 *   fhctl post URL JSON           print the body of POST URL with a JSON body
 *   fhctl api METHOD URL TOKEN [JSON]   call the API as a client with TOKEN would
 *                                 (a change behind the cache's back); print the body
 *   fhctl count URL PROP VALUE    GET a /_fakehub/dump/TYPE page; print how
 *                                 many records have PROP = VALUE
 *   fhctl value URL ID PROP       GET a dump; print PROP of record ID ("" when
 *                                 empty, exit 1 when the record is missing)
 *   fhctl total URL               GET a dump; print how many records it has
 *   fhctl ids URL [PROP VALUE]    GET a dump; print the ids (with PROP = VALUE)
 *   fhctl linked URL ID TYPE TO   GET a dump; print "yes" when record ID is
 *                                 associated with TYPE record TO, else "no"
 *
 * Exit status 0 on success, 1 on a failed request or a missing record. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
    strbuf_append(ud, data, size * n);
    return size * n;
}

/* method and token NULL: GET, or POST when there is a body, unauthenticated. */
static char *request_as(const char *method, const char *url, const char *body,
                        const char *token)
{
    CURL *c = curl_easy_init();
    strbuf sb = {0};
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (token) {
        char auth[256];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    }
    if (method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sb);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK || status >= 400) {
        fprintf(stderr, "fhctl: %s: %s (HTTP %ld) %s\n", url, curl_easy_strerror(rc), status,
                strbuf_str(&sb));
        strbuf_free(&sb);
        return NULL;
    }
    return strbuf_detach(&sb);
}

static char *request(const char *url, const char *body)
{
    return request_as(NULL, url, body, NULL);
}

static json_t *dump(const char *url)
{
    char *text = request(url, NULL);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!json_is_array(json_object_get(j, "results"))) {
        fprintf(stderr, "fhctl: %s: not a dump\n", url);
        json_decref(j);
        return NULL;
    }
    return j;
}

static const char *prop_of(json_t *rec, const char *prop)
{
    json_t *props = json_object_get(rec, "properties");
    json_t *v = json_object_get(props ? props : rec, prop);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int count(const char *url, const char *prop, const char *value)
{
    json_t *j = dump(url);
    if (!j)
        return 1;
    size_t i, n = 0;
    json_t *rec;
    json_array_foreach(json_object_get(j, "results"), i, rec) {
        const char *v = prop_of(rec, prop);
        n += v && strcmp(v, value) == 0;
    }
    printf("%zu\n", n);
    json_decref(j);
    return 0;
}

static const char *id_of(json_t *rec, char buf[32])
{
    json_t *rid = json_object_get(rec, "id");
    if (json_is_integer(rid)) {
        snprintf(buf, 32, "%lld", (long long)json_integer_value(rid));
        return buf;
    }
    return json_is_string(rid) ? json_string_value(rid) : "";
}

static int ids(const char *url, const char *prop, const char *val)
{
    json_t *j = dump(url);
    if (!j)
        return 1;
    size_t i;
    json_t *rec;
    char buf[32];
    json_array_foreach(json_object_get(j, "results"), i, rec) {
        const char *v = prop ? prop_of(rec, prop) : NULL;
        if (!prop || (v && strcmp(v, val) == 0))
            printf("%s\n", id_of(rec, buf));
    }
    json_decref(j);
    return 0;
}

static int linked(const char *url, const char *id, const char *type, const char *to)
{
    json_t *j = dump(url);
    if (!j)
        return 1;
    size_t i, k;
    json_t *rec, *link;
    char buf[32], buf2[32];
    bool yes = false;
    json_array_foreach(json_object_get(j, "results"), i, rec) {
        if (strcmp(id_of(rec, buf), id) != 0)
            continue;
        json_t *list = json_object_get(json_object_get(rec, "associations"), type);
        json_array_foreach(list, k, link)
            yes |= strcmp(id_of(link, buf2), to) == 0;
    }
    printf("%s\n", yes ? "yes" : "no");
    json_decref(j);
    return 0;
}

static int value(const char *url, const char *id, const char *prop)
{
    json_t *j = dump(url);
    if (!j)
        return 1;
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(j, "results"), i, rec) {
        json_t *rid = json_object_get(rec, "id");
        char buf[32];
        const char *sid = json_is_string(rid) ? json_string_value(rid) : NULL;
        if (json_is_integer(rid)) {
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(rid));
            sid = buf;
        }
        if (sid && strcmp(sid, id) == 0) {
            const char *v = prop_of(rec, prop);
            printf("%s\n", v ? v : "");
            json_decref(j);
            return 0;
        }
    }
    json_decref(j);
    fprintf(stderr, "fhctl: no record %s\n", id);
    return 1;
}

int main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = 2;
    char *body = NULL;
    if (argc == 3 && strcmp(argv[1], "get") == 0 && (body = request(argv[2], NULL)))
        rc = 0;
    else if ((argc == 5 || argc == 6) && strcmp(argv[1], "api") == 0 &&
             (body = request_as(argv[2], argv[3], argc == 6 ? argv[5] : NULL, argv[4])))
        rc = 0;
    else if (argc == 4 && strcmp(argv[1], "post") == 0 && (body = request(argv[2], argv[3])))
        rc = 0;
    else if (argc == 5 && strcmp(argv[1], "count") == 0)
        rc = count(argv[2], argv[3], argv[4]);
    else if (argc == 5 && strcmp(argv[1], "value") == 0)
        rc = value(argv[2], argv[3], argv[4]);
    else if (argc == 6 && strcmp(argv[1], "linked") == 0)
        rc = linked(argv[2], argv[3], argv[4], argv[5]);
    else if (argc == 5 && strcmp(argv[1], "ids") == 0)
        rc = ids(argv[2], argv[3], argv[4]);
    else if (argc == 3 && strcmp(argv[1], "ids") == 0)
        rc = ids(argv[2], NULL, NULL);
    else if (argc == 3 && strcmp(argv[1], "total") == 0) {
        json_t *j = dump(argv[2]);
        if (j)
            printf("%zu\n", json_array_size(json_object_get(j, "results")));
        rc = j ? 0 : 1;
        json_decref(j);
    }
    else if (argc < 3)
        fprintf(stderr, "usage: fhctl get|post|count|value URL ...\n");
    else
        rc = 1;
    if (body)
        printf("%s\n", body);
    free(body);
    curl_global_cleanup();
    return rc;
}
