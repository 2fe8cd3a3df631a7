#include "fhtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

json_t *jp(const json_t *j, const char *path)
{
    char *copy = xstrdup(path), *save = NULL;
    const json_t *cur = j;
    for (char *part = strtok_r(copy, ".", &save); cur && part; part = strtok_r(NULL, ".", &save)) {
        int64_t idx;
        if (json_is_array(cur) && str_to_i64(part, &idx))
            cur = json_array_get(cur, (size_t)idx);
        else
            cur = json_object_get(cur, part);
    }
    free(copy);
    return (json_t *)cur;
}

const char *js(const json_t *j, const char *path)
{
    return json_string_value(jp(j, path));
}

json_t *find_by(const json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (js(v, key) && strcmp(js(v, key), value) == 0)
            return v;
    return NULL;
}

long long ji(const json_t *j, const char *path)
{
    json_t *v = jp(j, path);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

void req(const fakehub *fh, const char *method, const char *path, const char *body,
         fakehub_response *r)
{
    fakehub_call_http(fh, method, path, body, NULL, r);
}

void reqf(const fakehub *fh, const char *method, const char *body, fakehub_response *r,
          const char *fmt, ...)
{
    strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    req(fh, method, strbuf_str(&sb), body, r);
    strbuf_free(&sb);
}

void assert_error_body(const fakehub_response *r, long status, const char *category)
{
    if (r->status != status)
        fprintf(stderr, "unexpected answer %ld: %s\n", r->status, r->body);
    assert_int_equal(r->status, status);
    assert_non_null(r->json);
    assert_string_equal(js(r->json, "status"), "error");
    assert_non_null(js(r->json, "message"));
    const char *cid = js(r->json, "correlationId");
    assert_non_null(cid);
    assert_int_equal(strlen(cid), 36);   /* a UUID */
    assert_string_equal(js(r->json, "category"), category);
}

bool has_header(const fakehub_response *r, const char *name)
{
    char buf[8];
    return fakehub_header(r, name, buf, sizeof buf) != NULL;
}

void assert_record_shapes(const json_t *results)
{
    size_t i;
    json_t *rec;
    json_array_foreach(results, i, rec) {
        assert_true(json_is_string(json_object_get(rec, "id")));
        assert_true(json_is_string(json_object_get(rec, "createdAt")));
        assert_true(json_is_string(json_object_get(rec, "updatedAt")));
        assert_true(json_is_boolean(json_object_get(rec, "archived")));
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(rec, "properties"), k, v)
            assert_true(json_is_string(v) || json_is_null(v));
    }
}

char *url_enc(const char *s)
{
    strbuf sb = {0};
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            strbuf_putc(&sb, (char)*p);
        else
            strbuf_printf(&sb, "%%%02X", *p);
    }
    return strbuf_detach(&sb);
}
