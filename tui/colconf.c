/* colconf.c — [columns.TYPE] sections of the config. */
#include "colconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ini.h"
#include "util.h"

void colconf_cols_free(colconf_col *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cols[i].prop);
    free(cols);
}

static bool prop_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

bool colconf_parse_cols(const char *text, colconf_col **out, size_t *n, char *why, size_t whylen)
{
    *out = NULL;
    *n = 0;
    colconf_col *cols = NULL;
    size_t cnt = 0;
    const char *s = text;
    for (;;) {
        while (*s == ',' || isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        const char *start = s;
        while (prop_char(*s))
            s++;
        if (s == start) {
            snprintf(why, whylen, "unexpected '%c' in the column list", *s);
            colconf_cols_free(cols, cnt);
            return false;
        }
        char *prop = xstrndup(start, (size_t)(s - start));
        int width = 0;
        if (*s == ':') {
            s++;
            if (!isdigit((unsigned char)*s)) {
                snprintf(why, whylen, "column %s: a width after ':' must be a number", prop);
                free(prop);
                colconf_cols_free(cols, cnt);
                return false;
            }
            while (isdigit((unsigned char)*s) && width < 1000)
                width = width * 10 + (*s++ - '0');
            if (width < 1 || width > 200) {
                snprintf(why, whylen, "column %s: width %d is not between 1 and 200", prop,
                         width);
                free(prop);
                colconf_cols_free(cols, cnt);
                return false;
            }
        }
        for (size_t i = 0; i < cnt; i++)
            if (strcasecmp(cols[i].prop, prop) == 0) {
                snprintf(why, whylen, "column %s is listed twice", prop);
                free(prop);
                colconf_cols_free(cols, cnt);
                return false;
            }
        cols = xrealloc(cols, (cnt + 1) * sizeof *cols);
        cols[cnt++] = (colconf_col){prop, width};
        if (*s && *s != ',' && !isspace((unsigned char)*s)) {
            snprintf(why, whylen, "unexpected '%c' after column %s", *s, prop);
            colconf_cols_free(cols, cnt);
            return false;
        }
    }
    if (cnt == 0) {
        snprintf(why, whylen, "the column list is empty");
        return false;
    }
    *out = cols;
    *n = cnt;
    return true;
}

bool colconf_parse_sort(const char *text, char **prop, bool *desc)
{
    *prop = NULL;
    *desc = false;
    while (isspace((unsigned char)*text))
        text++;
    if (*text == '-' || *text == '+') {
        *desc = *text == '-';
        text++;
    }
    const char *start = text;
    while (prop_char(*text))
        text++;
    size_t len = (size_t)(text - start);
    while (isspace((unsigned char)*text))
        text++;
    size_t rest = strlen(text);
    while (rest && isspace((unsigned char)text[rest - 1]))
        rest--;
    if (rest) {
        bool is_desc = (rest == 4 && strncasecmp(text, "desc", 4) == 0) ||
                       (rest == 10 && strncasecmp(text, "descending", 10) == 0);
        bool is_asc = (rest == 3 && strncasecmp(text, "asc", 3) == 0) ||
                      (rest == 9 && strncasecmp(text, "ascending", 9) == 0);
        if (!is_desc && !is_asc)
            return false;
        *desc = *desc || is_desc;
    }
    if (len == 0)
        return rest == 0 && !*desc;
    if (!(len == 2 && strncasecmp(start, "id", 2) == 0))
        *prop = xstrndup(start, len);
    return true;
}

static colconf_entry *entry_for(colconf *cc, const char *object)
{
    for (size_t i = 0; i < cc->n; i++)
        if (strcasecmp(cc->v[i].object, object) == 0)
            return &cc->v[i];
    cc->v = xrealloc(cc->v, (cc->n + 1) * sizeof *cc->v);
    colconf_entry *e = &cc->v[cc->n++];
    memset(e, 0, sizeof *e);
    e->object = xstrdup(object);
    return e;
}

typedef struct load_ctx {
    colconf *cc;
    diag_list *diags;
    int refused_line;
} load_ctx;

static bool on_value(void *ud, const char *section, const char *key, const char *value,
                     int line, char *why, size_t whylen)
{
    load_ctx *lc = ud;
    if (strncmp(section, "columns.", 8) != 0)
        return true; /* other sections belong to others */
    const char *object = section + 8;
    bool ok = true;
    if (!*object) {
        snprintf(why, whylen, "[columns.TYPE] needs an object type name");
        ok = false;
    } else if (strcmp(key, "show") == 0 || strcmp(key, "columns") == 0) {
        colconf_col *cols;
        size_t n;
        ok = colconf_parse_cols(value, &cols, &n, why, whylen);
        if (ok) {
            colconf_entry *e = entry_for(lc->cc, object);
            colconf_cols_free(e->cols, e->ncols);
            e->cols = cols;
            e->ncols = n;
        }
    } else if (strcmp(key, "sort") == 0) {
        char *prop;
        bool desc;
        ok = colconf_parse_sort(value, &prop, &desc);
        if (!ok) {
            snprintf(why, whylen, "sort must be PROPERTY, -PROPERTY or PROPERTY desc");
        } else {
            colconf_entry *e = entry_for(lc->cc, object);
            free(e->sort);
            e->sort = prop;
            e->desc = desc;
            e->has_sort = true;
        }
    } else {
        snprintf(why, whylen, "unknown key '%s' in [%s] (show, sort)", key, section);
        ok = false;
    }
    if (!ok)
        lc->refused_line = line;
    return ok;
}

static void on_error(void *ud, const char *source, int line, const char *why)
{
    load_ctx *lc = ud;
    /* Syntax errors are reported once, by the keymap loader reading the
     * same file; ours are the lines we refused. */
    if (line == lc->refused_line)
        diag_add(lc->diags, source, line, "%s", why);
}

void colconf_load_string(colconf *cc, const char *text, const char *source, diag_list *diags)
{
    load_ctx lc = {cc, diags, -1};
    ini_handler h = {.on_value = on_value, .on_error = on_error, .ud = &lc};
    ini_parse_string(text, source, &h);
}

void colconf_load_file(colconf *cc, const char *path, diag_list *diags)
{
    load_ctx lc = {cc, diags, -1};
    ini_handler h = {.on_value = on_value, .on_error = on_error, .ud = &lc};
    ini_parse_file(path, &h, NULL);
}

void colconf_free(colconf *cc)
{
    for (size_t i = 0; i < cc->n; i++) {
        free(cc->v[i].object);
        free(cc->v[i].sort);
        colconf_cols_free(cc->v[i].cols, cc->v[i].ncols);
    }
    free(cc->v);
    cc->v = NULL;
    cc->n = 0;
}

const colconf_entry *colconf_find(const colconf *cc, const char *object)
{
    for (size_t i = 0; i < cc->n; i++)
        if (strcasecmp(cc->v[i].object, object) == 0)
            return &cc->v[i];
    return NULL;
}

const char *const *colconf_defaults(const char *object)
{
    static const char *const contacts[] = {"firstname", "lastname", "email", "company",
                                           "lifecyclestage", "hubspot_owner_id", "createdate",
                                           NULL};
    static const char *const companies[] = {"name", "domain", "industry", "city", "country",
                                            "numberofemployees", "hubspot_owner_id", NULL};
    static const char *const deals[] = {"dealname", "dealstage", "amount", "closedate",
                                        "pipeline", "hubspot_owner_id", NULL};
    static const char *const tickets[] = {"subject", "hs_pipeline_stage", "hs_ticket_priority",
                                          "hs_ticket_category", "hubspot_owner_id", "createdate",
                                          NULL};
    static const char *const products[] = {"name", "price", "hs_sku", "description", NULL};
    static const char *const line_items[] = {"name", "quantity", "price", "amount", NULL};
    static const struct {
        const char *name;
        const char *const *cols;
    } table[] = {{"contacts", contacts}, {"companies", companies}, {"deals", deals},
                 {"tickets", tickets},   {"products", products},   {"line_items", line_items}};
    for (size_t i = 0; i < ARRAY_SIZE(table); i++)
        if (strcasecmp(object, table[i].name) == 0)
            return table[i].cols;
    return NULL;
}
