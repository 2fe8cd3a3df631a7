#include "herr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "jsonw.h"

void verrs_add(fh_verrs *e, const char *code, const char *name, const char *fmt, ...)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 8;
        e->v = xrealloc(e->v, sizeof *e->v * (size_t)e->cap);
    }
    strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    fh_verr *v = &e->v[e->n++];
    v->code = xstrdup(code);
    v->name = xstrdup(name ? name : "");
    v->message = strbuf_detach(&sb);
}

void verrs_free(fh_verrs *e)
{
    for (int i = 0; i < e->n; i++) {
        free(e->v[i].code);
        free(e->v[i].name);
        free(e->v[i].message);
    }
    free(e->v);
    e->v = NULL;
    e->n = e->cap = 0;
}

void herr_send_ctx(fh_req *r, int status, const char *category, const char *message,
                   json_t *context, json_t *errors)
{
    char cid[37];
    uuid_v4(cid);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s*}", "status", "error", "message", message,
                          "correlationId", cid, "category", category);
    if (context)
        json_object_set_new(j, "context", context);
    if (errors)
        json_object_set_new(j, "errors", errors);
    resp_json(r, status, j);
}

void herr_send(fh_req *r, int status, const char *category, const char *message, json_t *errors)
{
    herr_send_ctx(r, status, category, message, NULL, errors);
}

void herr_validation(fh_req *r, const fh_verrs *e)
{
    json_t *list = json_array(), *errors = json_array();
    for (int i = 0; i < e->n; i++) {
        const fh_verr *v = &e->v[i];
        json_array_append_new(list, json_pack("{s:b, s:s, s:s, s:s, s:s}", "isValid", false,
                                              "message", v->message, "error", v->code,
                                              "name", v->name, "localizedErrorMessage", v->message));
        json_array_append_new(errors, json_pack("{s:s, s:s, s:{s:[s]}}", "message", v->message,
                                                "code", v->code, "context", "propertyName",
                                                v->name));
    }
    char *text = json_dumps(list, JSON_COMPACT);
    char *message = xasprintf("Property values were not valid: %s", text ? text : "[]");
    herr_send(r, 400, "VALIDATION_ERROR", message, errors);
    free(message);
    free(text);
    json_decref(list);
}

void herr_bad_request(fh_req *r, const char *fmt, ...)
{
    strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    herr_send(r, 400, "VALIDATION_ERROR", strbuf_str(&sb), NULL);
    strbuf_free(&sb);
}

void herr_bad_json(fh_req *r)
{
    json_error_t err;
    json_t *j = json_loadb(r->body.buf ? r->body.buf : "", r->body.len, 0, &err);
    if (j) {
        json_decref(j);
        herr_bad_request(r, "Invalid input JSON: the body does not have the expected shape");
    } else {
        herr_bad_request(r, "Invalid input JSON on line %d, column %d: %s", err.line, err.column,
                         err.text);
    }
}

void herr_not_found(fh_req *r, const char *message)
{
    herr_send(r, 404, "OBJECT_NOT_FOUND", message, NULL);
}

void herr_unknown_type(fh_req *r, const char *name)
{
    char *msg = xasprintf("Unable to infer object type from: %s", name ? name : "");
    herr_send(r, 400, "VALIDATION_ERROR", msg, NULL);
    free(msg);
}

json_t *herr_item(const char *category, const char *message, json_t *context)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:[], s:{}}", "status", "error", "category",
                          category, "message", message, "context",
                          context ? context : json_object(), "errors", "links");
    return j;
}
