#include "model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "model_data.h"
#include "rng.h"

/* Property definitions of the built-in types date from the portal's birth. */
#define PORTAL_CREATED_MS INT64_C(1577836800000)   /* 2020-01-01 */

static const char *const ptype_names[] = {
    [PT_STRING] = "string", [PT_NUMBER] = "number", [PT_DATE] = "date",
    [PT_DATETIME] = "datetime", [PT_ENUM] = "enumeration", [PT_BOOL] = "bool",
    [PT_PHONE] = "phone_number",
};

const char *ptype_name(fh_ptype t)
{
    return ptype_names[t];
}

bool ptype_parse(const char *s, fh_ptype *out)
{
    for (size_t i = 0; s && i < ARRAY_SIZE(ptype_names); i++)
        if (strcmp(s, ptype_names[i]) == 0) {
            *out = (fh_ptype)i;
            return true;
        }
    return false;
}

static void add_option(fh_propdef *p, const char *value, size_t vlen, const char *label,
                       size_t llen)
{
    p->options = xrealloc(p->options, sizeof *p->options * (size_t)(p->n_options + 1));
    fh_option *o = &p->options[p->n_options];
    o->value = xstrndup(value, vlen);
    o->label = xstrndup(label, llen);
    o->display_order = p->n_options;
    o->hidden = false;
    p->n_options++;
}

/* "value=Label|value=Label" into options. */
static void parse_options(fh_propdef *p, const char *spec)
{
    const char *s = spec;
    while (s && *s) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        if (eq)
            add_option(p, s, (size_t)(eq - s), eq + 1, n - (size_t)(eq - s) - 1);
        s = bar ? bar + 1 : NULL;
    }
}

static fh_propdef *new_prop(fh_otype *t, const char *name)
{
    if (t->n_props >= FH_MAX_PROPS)
        return NULL;
    fh_propdef *p = xcalloc(1, sizeof *p);
    p->pidx = t->n_props;
    p->name = xstrdup(name);
    strbuf key = {0};
    jw_key(&key, name);
    p->json_key_len = key.len;
    p->json_key = strbuf_detach(&key);
    p->display_order = -1;
    p->created_at = p->updated_at = PORTAL_CREATED_MS;
    t->props[t->n_props++] = p;
    return p;
}

static void fill_dynamic_options(const fh_model *m, fh_propdef *p, unsigned flags,
                                 const char *object)
{
    if (flags & F_OWNER) {
        for (int i = 0; i < m->n_owners; i++) {
            char label[128];
            snprintf(label, sizeof label, "%s %s", m->owners[i].first, m->owners[i].last);
            add_option(p, m->owners[i].id, strlen(m->owners[i].id), label, strlen(label));
            p->options[p->n_options - 1].hidden = m->owners[i].archived;
        }
    }
    for (int i = 0; i < fh_n_pipelines; i++) {
        const fh_pipeline *pl = &fh_pipelines[i];
        if (strcmp(pl->object, object) != 0)
            continue;
        if (flags & F_PIPELINE)
            add_option(p, pl->id, strlen(pl->id), pl->label, strlen(pl->label));
        for (int s = 0; (flags & F_STAGE) && s < pl->n_stages; s++) {
            char label[128];
            snprintf(label, sizeof label, "%s (%s)", pl->stages[s].label, pl->label);
            add_option(p, pl->stages[s].id, strlen(pl->stages[s].id), label, strlen(label));
        }
    }
}

static void add_spec_props(const fh_model *m, fh_otype *t, const type_spec *ts)
{
    for (const prop_spec *ps = ts->props; ps->name; ps++) {
        fh_propdef *p = new_prop(t, ps->name);
        if (!p)
            break;
        p->label = xstrdup(ps->label);
        p->description = xstrdup("");
        p->group = xstrdup(ps->group);
        p->field_type = xstrdup(ps->field_type);
        ptype_parse(ps->type, &p->type);
        if (strcmp(ps->field_type, "phonenumber") == 0)
            p->type = PT_STRING;  /* HubSpot keeps phone numbers as strings */
        p->read_only = ps->flags & (F_RO | F_CALC);
        p->calculated = ps->flags & F_CALC;
        p->unique = ps->flags & F_UNIQUE;
        p->query = ps->flags & F_QUERY;
        p->is_default = ps->flags & F_DEF;
        p->multi = ps->flags & F_MULTI;
        p->owner = ps->flags & F_OWNER;
        p->required = ps->flags & F_REQ;
        p->hubspot_defined = !(ps->flags & F_CUSTOM);
        p->display_order = p->hubspot_defined ? -1 : p->pidx;
        parse_options(p, ps->options);
        fill_dynamic_options(m, p, ps->flags, ts->name);
    }
}

static void add_spec_groups(fh_otype *t, const char *spec)
{
    const char *s = spec;
    while (s && *s) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        char *name = xstrndup(s, (size_t)(eq - s));
        char *label = xstrndup(eq + 1, n - (size_t)(eq - s) - 1);
        otype_add_group(t, name, label, t->n_groups);
        free(name);
        free(label);
        s = bar ? bar + 1 : NULL;
    }
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static fh_otype *new_type(fh_model *m, const type_spec *ts)
{
    fh_otype *t = xcalloc(1, sizeof *t);
    t->tidx = m->n_types;
    copy_str(t->name, sizeof t->name, ts->name);
    copy_str(t->singular, sizeof t->singular, ts->singular);
    copy_str(t->label_singular, sizeof t->label_singular, ts->label_singular);
    copy_str(t->label_plural, sizeof t->label_plural, ts->label_plural);
    copy_str(t->scope, sizeof t->scope, ts->scope);
    copy_str(t->schema_scope, sizeof t->schema_scope, ts->schema_scope);
    copy_str(t->primary_display, sizeof t->primary_display, ts->primary_display);
    for (size_t i = 0; ts->singular[i] && i + 1 < sizeof t->upper; i++)
        t->upper[i] = (char)toupper((unsigned char)ts->singular[i]);
    t->mergeable = ts->mergeable;
    t->engagement = ts->engagement;
    t->next_id = 1;
    t->created_at = PORTAL_CREATED_MS;
    if (ts->type_id) {
        copy_str(t->type_id, sizeof t->type_id, ts->type_id);
    } else {
        /* Custom objects: 2-<n> and p<portal>_<name>, as HubSpot names them. */
        snprintf(t->type_id, sizeof t->type_id, "2-%lld", (long long)(4200000 + m->portal_id % 100000));
        snprintf(t->fqn, sizeof t->fqn, "p%lld_%s", (long long)m->portal_id, ts->name);
        t->custom = true;
        t->created_at = INT64_C(1640995200000);  /* 2022-01-01 */
    }
    add_spec_groups(t, ts->groups);
    add_spec_props(m, t, ts);
    t->p_id = 0;   /* every spec table starts with hs_object_id, created, modified */
    t->p_created = t->props[1]->pidx;
    t->p_updated = t->props[2]->pidx;
    t->props[t->p_id]->special = SP_ID;
    t->props[t->p_created]->special = SP_CREATED;
    t->props[t->p_updated]->special = SP_UPDATED;
    const fh_propdef *lc = otype_prop(t, "lifecyclestage");
    t->p_lifecycle = lc ? lc->pidx : -1;
    m->types[m->n_types++] = t;
    return t;
}

static const char *const owner_first[] = {"Sam", "Ana", "Jörg", "Mei", "Priya", "Olu", "Chloé",
                                          "Kenji", "Sara", "Tom", "Lena", "Ravi"};
static const char *const owner_last[] = {"Lee", "García", "Schmitt", "Chen", "Patel", "Adeyemi",
                                         "Martin", "Watanabe", "Lindqvist", "Becker", "Novak", "Iyer"};
static const char *const owner_first_ascii[] = {"sam", "ana", "joerg", "mei", "priya", "olu",
                                                "chloe", "kenji", "sara", "tom", "lena", "ravi"};
static const char *const owner_last_ascii[] = {"lee", "garcia", "schmitt", "chen", "patel",
                                               "adeyemi", "martin", "watanabe", "lindqvist",
                                               "becker", "novak", "iyer"};
static const char *const team_names[] = {"East", "West", "Support", "EMEA"};

const char *model_team_name(int team)
{
    return team_names[team % (int)ARRAY_SIZE(team_names)];
}

/* Ten active owners and one deactivated one (for archived=true). */
static void make_owners(fh_model *m, uint64_t seed)
{
    fh_rng r = rng_stream(seed, 0x0e1);
    size_t start = (size_t)rng_below(&r, ARRAY_SIZE(owner_first));
    m->n_owners = 11;
    for (int i = 0; i < m->n_owners; i++) {
        fh_owner *o = &m->owners[i];
        size_t f = (start + (size_t)i) % ARRAY_SIZE(owner_first);
        size_t l = (start + (size_t)i * 5) % ARRAY_SIZE(owner_last);
        snprintf(o->id, sizeof o->id, "%lld", (long long)(41629000 + i * 137 + (int64_t)(seed % 89)));
        copy_str(o->first, sizeof o->first, owner_first[f]);
        copy_str(o->last, sizeof o->last, owner_last[l]);
        snprintf(o->email, sizeof o->email, "%s.%s@fakehub-portal.example", owner_first_ascii[f],
                 owner_last_ascii[l]);
        o->user_id = 9100000 + i * 13;
        o->team = i % (int)ARRAY_SIZE(team_names);
        o->archived = i == 10;
        o->created_at = PORTAL_CREATED_MS + (int64_t)i * 86400000 * 30;
        o->updated_at = o->created_at + 86400000;
    }
}

void model_init(fh_model *m, int64_t portal_id, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    m->portal_id = portal_id;
    make_owners(m, seed);
    for (int i = 0; i < T_BUILTIN_COUNT; i++)
        new_type(m, &fh_builtin_types[i]);
}

static void free_prop(fh_propdef *p)
{
    free(p->name);
    free(p->json_key);
    free(p->label);
    free(p->description);
    free(p->group);
    free(p->field_type);
    for (int i = 0; i < p->n_options; i++) {
        free(p->options[i].label);
        free(p->options[i].value);
    }
    free(p->options);
    free(p);
}

void model_reset_dynamic(fh_model *m)
{
    for (int i = 0; i < m->n_types; i++) {
        fh_otype *t = m->types[i];
        while (t->n_props > 0 && t->props[t->n_props - 1]->dynamic) {
            m->grave = xrealloc(m->grave, sizeof *m->grave * (size_t)(m->n_grave + 1));
            m->grave[m->n_grave++] = t->props[--t->n_props];
        }
        while (t->n_groups > 0 && t->groups[t->n_groups - 1].dynamic) {
            fh_group *g = &t->groups[--t->n_groups];
            free(g->name);
            free(g->label);
        }
    }
}

json_t *model_custom_groups_json(const fh_model *m)
{
    json_t *out = json_object();
    for (int i = 0; i < m->n_types; i++) {
        json_t *arr = json_array();
        for (int g = 0; g < m->types[i]->n_groups; g++) {
            const fh_group *gr = &m->types[i]->groups[g];
            if (gr->dynamic)
                json_array_append_new(arr, json_pack("{s:s, s:s, s:i}", "name", gr->name, "label",
                                                     gr->label, "displayOrder", gr->display_order));
        }
        json_object_set_new(out, m->types[i]->name, arr);
    }
    return out;
}

void model_load_custom_groups(fh_model *m, const json_t *saved)
{
    const char *tname;
    json_t *arr;
    json_object_foreach((json_t *)saved, tname, arr) {
        fh_otype *t = model_type(m, tname);
        size_t i;
        json_t *g;
        json_array_foreach(arr, i, g) {
            const char *name = json_string_value(json_object_get(g, "name"));
            const char *label = json_string_value(json_object_get(g, "label"));
            if (t && name && label &&
                otype_add_group(t, name, label, (int)json_integer_value(json_object_get(g, "displayOrder"))))
                t->groups[t->n_groups - 1].dynamic = true;
        }
    }
}

void model_free(fh_model *m)
{
    for (int i = 0; i < m->n_grave; i++)
        free_prop(m->grave[i]);
    free(m->grave);
    for (int i = 0; i < m->n_types; i++) {
        fh_otype *t = m->types[i];
        for (int k = 0; k < t->n_props; k++)
            free_prop(t->props[k]);
        for (int g = 0; g < t->n_groups; g++) {
            free(t->groups[g].name);
            free(t->groups[g].label);
        }
        free(t);
    }
    memset(m, 0, sizeof *m);
}

fh_otype *model_type(const fh_model *m, const char *name)
{
    if (str_empty(name))
        return NULL;
    for (int i = 0; i < m->n_types; i++) {
        fh_otype *t = m->types[i];
        if (strcmp(t->name, name) == 0 || strcmp(t->type_id, name) == 0 ||
            strcmp(t->singular, name) == 0 || (t->fqn[0] && strcasecmp(t->fqn, name) == 0))
            return t;
    }
    return NULL;
}

fh_propdef *otype_prop(const fh_otype *t, const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < t->n_props; i++)
        if (strcmp(t->props[i]->name, name) == 0)
            return t->props[i];
    return NULL;
}

const fh_option *prop_option(const fh_propdef *p, const char *value, size_t len)
{
    for (int i = 0; i < p->n_options; i++) {
        const char *v = p->options[i].value;
        if (strlen(v) == len && memcmp(v, value, len) == 0)
            return &p->options[i];
    }
    return NULL;
}

const fh_group *otype_group(const fh_otype *t, const char *name)
{
    for (int i = 0; name && i < t->n_groups; i++)
        if (strcmp(t->groups[i].name, name) == 0)
            return &t->groups[i];
    return NULL;
}

bool otype_add_group(fh_otype *t, const char *name, const char *label, int order)
{
    if (otype_group(t, name) || t->n_groups >= FH_MAX_GROUPS)
        return false;
    fh_group *g = &t->groups[t->n_groups++];
    g->name = xstrdup(name);
    g->label = xstrdup(label);
    g->display_order = order;
    return true;
}

static const char *const field_types[] = {"text", "textarea", "html", "file", "number", "date",
                                          "select", "radio", "checkbox", "booleancheckbox",
                                          "phonenumber", "calculation_equation"};

static bool valid_field_type(const char *ft)
{
    for (size_t i = 0; i < ARRAY_SIZE(field_types); i++)
        if (strcmp(ft, field_types[i]) == 0)
            return true;
    return false;
}

static bool valid_prop_name(const char *s)
{
    if (str_empty(s) || !islower((unsigned char)s[0]))
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

/* Check the create body; on failure write the message and return false. */
static bool check_prop_body(const fh_otype *t, const json_t *body, fh_ptype *type,
                            char *err, size_t errlen)
{
    const char *name = json_string_value(json_object_get(body, "name"));
    const char *label = json_string_value(json_object_get(body, "label"));
    const char *ts = json_string_value(json_object_get(body, "type"));
    const char *ft = json_string_value(json_object_get(body, "fieldType"));
    const char *group = json_string_value(json_object_get(body, "groupName"));
    if (!valid_prop_name(name))
        snprintf(err, errlen, "Property name '%s' is not valid: use lower-case letters, "
                 "digits and underscores", name ? name : "");
    else if (str_empty(label))
        snprintf(err, errlen, "Property label is required");
    else if (!ptype_parse(ts, type))
        snprintf(err, errlen, "Property type '%s' is not valid", ts ? ts : "");
    else if (!ft || !valid_field_type(ft))
        snprintf(err, errlen, "Property fieldType '%s' is not valid", ft ? ft : "");
    else if (!otype_group(t, group))
        snprintf(err, errlen, "Property group '%s' does not exist", group ? group : "");
    else if (*type == PT_ENUM && json_array_size(json_object_get(body, "options")) == 0)
        snprintf(err, errlen, "Enumeration properties need at least one option");
    else
        return true;
    return false;
}

fh_propdef *otype_add_prop_json(fh_otype *t, const json_t *body, char *err, size_t errlen)
{
    fh_ptype type;
    if (!check_prop_body(t, body, &type, err, errlen))
        return NULL;
    const json_t *opts = json_object_get(body, "options");
    for (size_t i = 0; i < json_array_size(opts); i++) {
        const json_t *o = json_array_get(opts, i);
        if (!json_is_string(json_object_get(o, "value")) ||
            !json_is_string(json_object_get(o, "label"))) {
            snprintf(err, errlen, "Option %zu needs a string label and value", i);
            return NULL;
        }
    }
    fh_propdef *p = new_prop(t, json_string_value(json_object_get(body, "name")));
    if (!p) {
        snprintf(err, errlen, "Too many properties on %s", t->name);
        return NULL;
    }
    const char *desc = json_string_value(json_object_get(body, "description"));
    p->label = xstrdup(json_string_value(json_object_get(body, "label")));
    p->description = xstrdup(desc ? desc : "");
    p->group = xstrdup(json_string_value(json_object_get(body, "groupName")));
    p->field_type = xstrdup(json_string_value(json_object_get(body, "fieldType")));
    p->type = type;
    p->multi = type == PT_ENUM && strcmp(p->field_type, "checkbox") == 0;
    p->unique = json_is_true(json_object_get(body, "hasUniqueValue"));
    p->hidden = json_is_true(json_object_get(body, "hidden"));
    json_t *order = json_object_get(body, "displayOrder");
    p->display_order = json_is_integer(order) ? (int)json_integer_value(order) : -1;
    p->hubspot_defined = false;
    p->dynamic = true;
    int64_t now = time_now_ms();
    p->created_at = p->updated_at = json_is_integer(json_object_get(body, "createdAt"))
        ? json_integer_value(json_object_get(body, "createdAt")) : now;
    for (size_t i = 0; i < json_array_size(opts); i++) {
        const json_t *o = json_array_get(opts, i);
        const char *v = json_string_value(json_object_get(o, "value"));
        const char *l = json_string_value(json_object_get(o, "label"));
        add_option(p, v, strlen(v), l, strlen(l));
        json_t *od = json_object_get(o, "displayOrder");
        if (json_is_integer(od))
            p->options[p->n_options - 1].display_order = (int)json_integer_value(od);
        p->options[p->n_options - 1].hidden = json_is_true(json_object_get(o, "hidden"));
    }
    if (type == PT_BOOL && p->n_options == 0) {
        add_option(p, "true", 4, "Yes", 3);
        add_option(p, "false", 5, "No", 2);
    }
    return p;
}

json_t *propdef_json(const fh_model *m, const fh_propdef *p)
{
    (void)m;
    char created[32], updated[32];
    fmt_iso(p->created_at, created);
    fmt_iso(p->updated_at, updated);
    json_t *opts = json_array();
    for (int i = 0; i < p->n_options; i++)
        json_array_append_new(opts, json_pack("{s:s, s:s, s:i, s:b}",
            "label", p->options[i].label, "value", p->options[i].value,
            "displayOrder", p->options[i].display_order, "hidden", p->options[i].hidden));
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:b, s:b, s:b, s:b, s:b, s:b,"
                          " s:s, s:s, s:b, s:s}",
        "name", p->name, "label", p->label, "type", ptype_name(p->type),
        "fieldType", p->field_type, "description", p->description, "groupName", p->group,
        "options", opts, "displayOrder", p->display_order, "calculated", p->calculated,
        "externalOptions", p->owner, "hasUniqueValue", p->unique,
        "hidden", p->hidden, "hubspotDefined", p->hubspot_defined,
        "formField", !p->read_only && !p->hidden,
        "createdAt", created, "updatedAt", updated, "archived", p->archived,
        "dataSensitivity", "non_sensitive");
    json_object_set_new(j, "modificationMetadata", json_pack("{s:b, s:b, s:b, s:b}",
        "archivable", !p->hubspot_defined, "readOnlyDefinition", p->hubspot_defined,
        "readOnlyValue", p->read_only, "readOnlyOptions", p->owner || p->type == PT_BOOL));
    if (p->owner)
        json_object_set_new(j, "referencedObjectType", json_string("OWNER"));
    if (p->type == PT_NUMBER)
        json_object_set_new(j, "showCurrencySymbol", json_boolean(strcmp(p->name, "amount") == 0 ||
                                                                  strcmp(p->name, "price") == 0));
    return j;
}

json_t *model_custom_props_json(const fh_model *m)
{
    json_t *out = json_object();
    for (int i = 0; i < m->n_types; i++) {
        const fh_otype *t = m->types[i];
        json_t *arr = json_array();
        for (int k = 0; k < t->n_props; k++) {
            const fh_propdef *p = t->props[k];
            if (!p->dynamic)
                continue;
            json_t *d = propdef_json(m, p);
            json_object_set_new(d, "createdAt", json_integer(p->created_at));
            json_array_append_new(arr, d);
        }
        json_object_set_new(out, t->name, arr);
    }
    return out;
}

void model_load_custom_props(fh_model *m, const json_t *saved)
{
    const char *tname;
    json_t *arr;
    json_object_foreach((json_t *)saved, tname, arr) {
        fh_otype *t = model_type(m, tname);
        size_t i;
        json_t *d;
        json_array_foreach(arr, i, d) {
            char err[256];
            if (t && !otype_prop(t, json_string_value(json_object_get(d, "name"))))
                otype_add_prop_json(t, d, err, sizeof err);
        }
    }
}

const fh_owner *model_owner(const fh_model *m, const char *id)
{
    for (int i = 0; id && i < m->n_owners; i++)
        if (strcmp(m->owners[i].id, id) == 0)
            return &m->owners[i];
    return NULL;
}

json_t *owner_json(const fh_owner *o)
{
    char created[32], updated[32];
    fmt_iso(o->created_at, created);
    fmt_iso(o->updated_at, updated);
    char team_id[16];
    snprintf(team_id, sizeof team_id, "%d", 36 + o->team);
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:[{s:s, s:s, s:b}], s:s, s:s, s:b}",
        "id", o->id, "email", o->email, "firstName", o->first, "lastName", o->last,
        "userId", (json_int_t)o->user_id, "userIdIncludingInactive", (json_int_t)o->user_id,
        "type", "PERSON", "teams", "id", team_id, "name", model_team_name(o->team),
        "primary", true, "createdAt", created, "updatedAt", updated, "archived", o->archived);
}

const fh_pipeline *model_pipelines(const char *object, int *n)
{
    const fh_pipeline *first = NULL;
    *n = 0;
    for (int i = 0; i < fh_n_pipelines; i++)
        if (strcmp(fh_pipelines[i].object, object) == 0) {
            if (!first)
                first = &fh_pipelines[i];
            (*n)++;
        }
    return first;
}

const fh_pipeline *model_pipeline(const char *object, const char *id)
{
    for (int i = 0; id && i < fh_n_pipelines; i++)
        if (strcmp(fh_pipelines[i].object, object) == 0 && strcmp(fh_pipelines[i].id, id) == 0)
            return &fh_pipelines[i];
    return NULL;
}

const fh_stage *pipeline_stage(const fh_pipeline *p, const char *id)
{
    for (int i = 0; id && i < p->n_stages; i++)
        if (strcmp(p->stages[i].id, id) == 0)
            return &p->stages[i];
    return NULL;
}

json_t *stage_json(const fh_pipeline *p, const fh_stage *s)
{
    char created[32];
    fmt_iso(p->created_at, created);
    json_t *meta = s->probability
        ? json_pack("{s:s, s:s}", "isClosed", s->closed ? "true" : "false", "probability", s->probability)
        : json_pack("{s:s, s:s}", "isClosed", s->closed ? "true" : "false", "ticketState", s->ticket_state);
    return json_pack("{s:s, s:s, s:i, s:o, s:s, s:s, s:b, s:s}", "id", s->id, "label", s->label,
                     "displayOrder", s->display_order, "metadata", meta, "createdAt", created,
                     "updatedAt", created, "archived", false,
                     "writePermissions", "CRM_PERMISSIONS_ENFORCEMENT");
}

json_t *pipeline_json(const fh_pipeline *p)
{
    char created[32];
    fmt_iso(p->created_at, created);
    json_t *stages = json_array();
    for (int i = 0; i < p->n_stages; i++)
        json_array_append_new(stages, stage_json(p, &p->stages[i]));
    return json_pack("{s:s, s:s, s:i, s:o, s:s, s:s, s:b}", "id", p->id, "label", p->label,
                     "displayOrder", p->display_order, "stages", stages, "createdAt", created,
                     "updatedAt", created, "archived", false);
}
