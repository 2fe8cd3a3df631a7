#include "validate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

#define MAX_STRING 65536

void changes_set(fh_changes *c, int pidx, const char *value)
{
    for (int i = 0; i < c->n; i++)
        if (c->v[i].pidx == pidx) {
            free(c->v[i].value);
            c->v[i].value = xstrdup(value);
            return;
        }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = xrealloc(c->v, sizeof *c->v * (size_t)c->cap);
    }
    c->v[c->n].pidx = pidx;
    c->v[c->n].value = xstrdup(value);
    c->n++;
}

const char *changes_get(const fh_changes *c, int pidx)
{
    for (int i = 0; i < c->n; i++)
        if (c->v[i].pidx == pidx)
            return c->v[i].value;
    return NULL;
}

void changes_remove(fh_changes *c, int pidx)
{
    for (int i = 0; i < c->n; i++)
        if (c->v[i].pidx == pidx) {
            free(c->v[i].value);
            c->v[i] = c->v[--c->n];
            return;
        }
}

void changes_free(fh_changes *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->v[i].value);
    free(c->v);
    memset(c, 0, sizeof *c);
}

bool validate_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return false;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || !dot[1])
        return false;
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p) || strchr("<>(),;:\"[]\\", *p))
            return false;
    return true;
}

/* A JSON value as the text HubSpot would take; NULL for objects/arrays. */
static char *json_to_text(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return xstrndup(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return xasprintf("%lld", (long long)json_integer_value(v));
    case JSON_REAL: {
        char *s = xasprintf("%.15g", json_real_value(v));
        return s;
    }
    case JSON_TRUE:
        return xstrdup("true");
    case JSON_FALSE:
        return xstrdup("false");
    case JSON_NULL:
        return xstrdup("");
    default:
        return NULL;
    }
}

static bool check_number(const fh_propdef *p, const char *raw, char **out, fh_verrs *errs)
{
    double d;
    if (!str_to_double(raw, &d)) {
        verrs_add(errs, "INVALID_DOUBLE", p->name, "%s was not a valid number.", raw);
        return false;
    }
    *out = xstrdup(raw);
    return true;
}

static bool check_date(const fh_propdef *p, const char *raw, char **out, fh_verrs *errs)
{
    int64_t ms;
    if (!time_parse(raw, &ms)) {
        verrs_add(errs, "INVALID_DATE", p->name,
                  "%s is not a valid date: use YYYY-MM-DD or epoch milliseconds at midnight UTC",
                  raw);
        return false;
    }
    int64_t rem = ms % 86400000;
    if (rem < 0)
        rem += 86400000;
    if (rem != 0) {
        verrs_add(errs, "INVALID_DATE", p->name, "%s is at %d:%d:%d.%d UTC, not midnight!", raw,
                  (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
                  (int)(rem % 1000));
        return false;
    }
    char iso[32];
    fmt_iso(ms, iso);
    iso[10] = '\0';
    *out = xstrdup(iso);
    return true;
}

static bool check_datetime(const fh_propdef *p, const char *raw, char **out, fh_verrs *errs)
{
    int64_t ms;
    /* A bare date is not a date-time: HubSpot wants a full instant. */
    if (!time_parse(raw, &ms) || (strlen(raw) == 10 && raw[4] == '-')) {
        verrs_add(errs, "INVALID_LONG", p->name,
                  "%s is not a valid date-time: use ISO-8601 or epoch milliseconds", raw);
        return false;
    }
    char iso[32];
    fmt_iso(ms, iso);
    *out = xstrdup(iso);
    return true;
}

static bool check_bool(const fh_propdef *p, const char *raw, char **out, fh_verrs *errs)
{
    if (strcasecmp(raw, "true") == 0 || strcasecmp(raw, "false") == 0) {
        *out = xstrdup(tolower((unsigned char)raw[0]) == 't' ? "true" : "false");
        return true;
    }
    verrs_add(errs, "INVALID_BOOLEAN", p->name, "%s is not a valid boolean: use true or false",
              raw);
    return false;
}

static void options_text(const fh_propdef *p, strbuf *sb)
{
    strbuf_putc(sb, '[');
    for (int i = 0; i < p->n_options; i++)
        strbuf_printf(sb, "%s%s", i ? ", " : "", p->options[i].value);
    strbuf_putc(sb, ']');
}

static bool check_enum(const fh_propdef *p, const char *raw, char **out, fh_verrs *errs)
{
    const char *s = raw;
    bool ok = true;
    while (ok) {
        const char *semi = p->multi ? strchr(s, ';') : NULL;
        size_t n = semi ? (size_t)(semi - s) : strlen(s);
        ok = prop_option(p, s, n) != NULL;
        if (!semi)
            break;
        s = semi + 1;
    }
    if (!ok) {
        strbuf sb = {0};
        options_text(p, &sb);
        verrs_add(errs, "INVALID_OPTION", p->name, "%s was not one of the allowed options: %s", raw,
                  strbuf_str(&sb));
        strbuf_free(&sb);
        return false;
    }
    *out = xstrdup(raw);
    return true;
}

bool validate_value(const fh_propdef *p, const char *raw, char **out, fh_verrs *errs)
{
    *out = NULL;
    if (!*raw) {
        *out = xstrdup("");
        return true;
    }
    switch (p->type) {
    case PT_NUMBER:
        return check_number(p, raw, out, errs);
    case PT_DATE:
        return check_date(p, raw, out, errs);
    case PT_DATETIME:
        return check_datetime(p, raw, out, errs);
    case PT_BOOL:
        return check_bool(p, raw, out, errs);
    case PT_ENUM:
        return check_enum(p, raw, out, errs);
    case PT_STRING:
    case PT_PHONE:
        break;
    }
    if (strlen(raw) > MAX_STRING) {
        verrs_add(errs, "INVALID_STRING", p->name, "The value of %s is longer than %d characters",
                  p->name, MAX_STRING);
        return false;
    }
    if (strcmp(p->name, "email") == 0 && !validate_email(raw)) {
        verrs_add(errs, "INVALID_EMAIL", p->name, "Email address %s is invalid", raw);
        return false;
    }
    *out = xstrdup(raw);
    if (strcmp(p->name, "email") == 0)   /* HubSpot keeps addresses in lower case */
        for (char *c = *out; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    return true;
}

bool validate_props(const fh_model *m, const fh_otype *t, const json_t *props, fh_changes *out,
                    fh_verrs *errs)
{
    (void)m;
    int before = errs->n;
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)props, name, v) {
        const fh_propdef *p = otype_prop(t, name);
        if (!p || p->archived) {
            verrs_add(errs, "PROPERTY_DOESNT_EXIST", name, "Property \"%s\" does not exist", name);
            continue;
        }
        if (p->read_only) {
            verrs_add(errs, "READ_ONLY_VALUE", name,
                      "Property \"%s\" is a read only property; its value cannot be set.", name);
            continue;
        }
        char *raw = json_to_text(v);
        if (!raw) {
            verrs_add(errs, "INVALID_PROPERTY_VALUE", name,
                      "The value of \"%s\" must be a string, number, boolean or null", name);
            continue;
        }
        char *norm;
        if (validate_value(p, raw, &norm, errs))
            changes_set(out, p->pidx, norm);
        free(norm);
        free(raw);
    }
    return errs->n == before;
}
