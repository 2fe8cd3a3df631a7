/* validate.c — per-type checks and normalisation of proposed values. */
#include "validate.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records.h"
#include "records_int.h"

#define MAX_STRING 65536

void validate_result_clear(validate_result *r)
{
    if (!r)
        return;
    free(r->value);
    memset(r, 0, sizeof *r);
}

static validate_status verdict(validate_result *r, validate_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static validate_status verdict(validate_result *r, validate_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    r->status = s;
    if (s != VALIDATE_OK && s != VALIDATE_BACKWARDS) {
        free(r->value);
        r->value = NULL;
    }
    return s;
}

static validate_status accept(validate_result *r, char *value)
{
    free(r->value);
    r->value = value;
    r->status = VALIDATE_OK;
    r->message[0] = '\0';
    return VALIDATE_OK;
}

static char *trimmed(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* ---- scalar types ----------------------------------------------------------------- */

static validate_status check_number(const prop_def *p, const char *in, validate_result *r)
{
    double d;
    if (str_to_double(in, &d))
        return accept(r, xstrdup(in));
    return verdict(r, VALIDATE_INVALID, "%s is a number: '%s' is not one (write it like "
                   "1500 or 1500.25, without thousands separators or currency)", p->label, in);
}

static validate_status check_bool(const prop_def *p, const char *in, validate_result *r)
{
    static const char *const yes[] = {"true", "yes", "1", "on", "y"};
    static const char *const no[] = {"false", "no", "0", "off", "n"};
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcasecmp(in, yes[i]) == 0)
            return accept(r, xstrdup("true"));
        if (strcasecmp(in, no[i]) == 0)
            return accept(r, xstrdup("false"));
    }
    return verdict(r, VALIDATE_INVALID, "%s is yes or no: '%s' is neither (use true/false, "
                   "yes/no or 1/0)", p->label, in);
}

static char *date_text(int64_t ms)
{
    char iso[32];
    time_format_iso(ms, iso);
    return xstrndup(iso, 10);
}

static validate_status check_date(const prop_def *p, const char *in, validate_result *r)
{
    int64_t ms;
    /* HubSpot takes YYYY-MM-DD or midnight-UTC epoch ms; a date-time at
     * midnight UTC means the same day. */
    if (time_parse_date(in, &ms) || (time_parse(in, &ms) && ms % 86400000 == 0))
        return accept(r, date_text(ms));
    if (time_parse(in, &ms))
        return verdict(r, VALIDATE_INVALID, "%s is a date without a time: '%s' is not "
                       "midnight UTC (write just the day, like 2024-05-01)", p->label, in);
    return verdict(r, VALIDATE_INVALID, "%s is a date: '%s' is not one (write it like "
                   "2024-05-01)", p->label, in);
}

static validate_status check_datetime(const prop_def *p, const char *in, validate_result *r)
{
    int64_t ms;
    if (time_parse(in, &ms)) {
        char iso[32];
        time_format_iso(ms, iso);
        return accept(r, xstrdup(iso));
    }
    return verdict(r, VALIDATE_INVALID, "%s is a date and time: '%s' is not one (write it "
                   "like 2024-05-01T14:30:00Z or 2024-05-01 14:30+02:00; a bare date means "
                   "midnight UTC)", p->label, in);
}

static bool email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return false;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || strlen(dot + 1) < 2 || strstr(s, ".."))
        return false;
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p) || *p == ',' || *p == ';' || *p == '<' || *p == '>')
            return false;
    return at[1] != '.' && s[strlen(s) - 1] != '.';
}

static bool phone_ok(const char *s)
{
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr(" +-().-/#", *p) && !(tolower((unsigned char)*p) == 'x') &&
                 strncasecmp(p, "ext", 3) != 0)
            return false;
        else if (strncasecmp(p, "ext", 3) == 0)
            p += 2;
    }
    return digits >= 3 && digits <= 20;
}

static bool is_email_prop(const prop_def *p)
{
    size_t n = strlen(p->name);
    return strcmp(p->name, "email") == 0 || (n > 6 && strcmp(p->name + n - 6, "_email") == 0);
}

static bool is_phone_prop(const prop_def *p)
{
    return p->type == PROP_PHONE || str_cmp0(p->field_type, "phonenumber") == 0;
}

static validate_status check_string(const prop_def *p, const char *in, validate_result *r)
{
    if (strlen(in) > MAX_STRING)
        return verdict(r, VALIDATE_INVALID, "%s holds at most %d characters", p->label,
                       MAX_STRING);
    if (is_email_prop(p) && !email_ok(in))
        return verdict(r, VALIDATE_INVALID, "'%s' does not look like an email address "
                       "(name@example.com)", in);
    if (is_phone_prop(p) && !phone_ok(in))
        return verdict(r, VALIDATE_INVALID, "'%s' does not look like a phone number "
                       "(digits, spaces, + - ( ) and an extension like 'ext 12')", in);
    return accept(r, xstrdup(in));
}

/* ---- enumerations ----------------------------------------------------------------- */

static void list_options(strbuf *sb, const prop_def *p)
{
    size_t shown = 0;
    for (size_t i = 0; i < p->noptions && shown < 30; i++) {
        const prop_option *o = &p->options[i];
        if (o->hidden)
            continue;
        strbuf_printf(sb, "%s%s", shown++ ? ", " : "", o->label);
        if (strcasecmp(o->label, o->value) != 0)
            strbuf_printf(sb, " (%s)", o->value);
    }
    if (shown == 30)
        strbuf_puts(sb, ", …");
}

static validate_status bad_option(const prop_def *p, const char *in, validate_result *r)
{
    strbuf sb = {0};
    list_options(&sb, p);
    validate_status s = verdict(r, VALIDATE_INVALID, "'%s' is not an option of %s. "
                                "Allowed: %s", in, p->label, strbuf_str(&sb));
    strbuf_free(&sb);
    return s;
}

static validate_status check_enum(const prop_def *p, const char *in, validate_result *r)
{
    if (p->noptions == 0)
        return accept(r, xstrdup(in));
    if (!p->multi) {
        const prop_option *o = prop_find_option(p, in);
        return o ? accept(r, xstrdup(o->value)) : bad_option(p, in, r);
    }
    strbuf out = {0};
    char *copy = xstrdup(in), *save = NULL;
    for (char *part = strtok_r(copy, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
        char *t = trimmed(part);
        const prop_option *o = *t ? prop_find_option(p, t) : NULL;
        if (*t && !o) {
            validate_status s = bad_option(p, t, r);
            free(t);
            free(copy);
            strbuf_free(&out);
            return s;
        }
        /* Keep each option once, in the order given. */
        char *probe = o ? xasprintf(";%s;", o->value) : NULL;
        char *have = xasprintf(";%s;", strbuf_str(&out));
        if (o && !strstr(have, probe))
            strbuf_printf(&out, "%s%s", out.len ? ";" : "", o->value);
        free(probe);
        free(have);
        free(t);
    }
    free(copy);
    if (out.len == 0) {
        strbuf_free(&out);
        return accept(r, NULL);
    }
    return accept(r, strbuf_detach(&out));
}

static validate_status check_owner(store *st, const prop_def *p, const char *in,
                                   validate_result *r)
{
    owner o;
    ht_error e;
    ht_status s = meta_owner_find(st, in, &o, &e);
    if (s == HT_OK) {
        char *id = o.id;
        o.id = NULL;
        owner_clear(&o);
        return accept(r, id);
    }
    if (s == HT_NOT_FOUND)
        return verdict(r, VALIDATE_INVALID, "%s must be an owner: no owner has the id, email "
                       "or name '%s'", p->label, in);
    return verdict(r, s == HT_INVALID ? VALIDATE_INVALID : VALIDATE_ERROR, "%s", e.message);
}

/* ---- pipelines ----------------------------------------------------------------------- */

static const pipeline *default_pipeline(const objmeta *m)
{
    for (size_t i = 0; i < m->npipelines; i++)
        if (!m->pipelines[i].archived)
            return &m->pipelines[i];
    return NULL;
}

static validate_status check_pipeline(const objmeta *m, const prop_def *p, const char *in,
                                      validate_result *r)
{
    for (size_t i = 0; i < m->npipelines; i++) {
        const pipeline *pl = &m->pipelines[i];
        if (strcmp(pl->id, in) == 0 || strcasecmp(pl->label, in) == 0)
            return accept(r, xstrdup(pl->id));
    }
    if (m->npipelines == 0)
        return accept(r, xstrdup(in));
    strbuf sb = {0};
    for (size_t i = 0; i < m->npipelines; i++)
        strbuf_printf(&sb, "%s%s (%s)", i ? ", " : "", m->pipelines[i].label,
                      m->pipelines[i].id);
    validate_status s = verdict(r, VALIDATE_INVALID, "'%s' is not a pipeline of %s. "
                                "Pipelines: %s", in, m->label_plural, strbuf_str(&sb));
    strbuf_free(&sb);
    return s;
}

static validate_status check_stage(const objmeta *m, const prop_def *p, const char *in,
                                   const char *pipeline_id, validate_result *r)
{
    const pipeline *pl = pipeline_id ? objmeta_pipeline(m, pipeline_id) : default_pipeline(m);
    if (!pl)
        return m->npipelines ? verdict(r, VALIDATE_INVALID, "the record's pipeline '%s' is "
                                       "unknown; set a valid pipeline first",
                                       pipeline_id ? pipeline_id : "")
                             : accept(r, xstrdup(in));
    const pipeline_stage *sg = pipeline_find_stage(pl, in);
    if (sg && !sg->archived)
        return accept(r, xstrdup(sg->id));
    strbuf sb = {0};
    for (size_t i = 0; i < pl->nstages; i++)
        if (!pl->stages[i].archived)
            strbuf_printf(&sb, "%s%s (%s)", sb.len ? ", " : "", pl->stages[i].label,
                          pl->stages[i].id);
    const pipeline *other = NULL;
    for (size_t i = 0; i < m->npipelines && !other; i++)
        if (&m->pipelines[i] != pl && pipeline_find_stage(&m->pipelines[i], in))
            other = &m->pipelines[i];
    validate_status s = verdict(r, VALIDATE_INVALID, "'%s' is not a stage of the record's "
                                "pipeline %s%s%s%s. Stages: %s", in, pl->label,
                                other ? " (it belongs to " : "", other ? other->label : "",
                                other ? ")" : "", strbuf_str(&sb));
    strbuf_free(&sb);
    return s;
}

/* ---- the rules ---------------------------------------------------------------------- */

static validate_status check_editable(const objmeta *m, const prop_def *p, const char *prop,
                                      validate_result *r)
{
    if (!p || !p->defined)
        return verdict(r, VALIDATE_UNKNOWN_PROPERTY, "%s have no property '%s'%s",
                       m->label_plural, prop,
                       m->nprops ? "" : " (property definitions are not synced yet)");
    if (p->calculated)
        return verdict(r, VALIDATE_READ_ONLY, "%s is calculated by HubSpot%s%s%s and cannot "
                       "be edited", p->label, p->calculation_formula ? " (" : "",
                       p->calculation_formula ? p->calculation_formula : "",
                       p->calculation_formula ? ")" : "");
    if (p->read_only_value)
        return verdict(r, VALIDATE_READ_ONLY, "%s is set by HubSpot and is read-only",
                       p->label);
    return VALIDATE_OK;
}

static int option_rank(const prop_def *p, const char *value)
{
    for (size_t i = 0; value && i < p->noptions; i++)
        if (strcmp(p->options[i].value, value) == 0)
            return p->options[i].display_order;
    return -1;
}

/* HubSpot silently ignores a lifecycle stage moved backwards on contacts
 * and companies: say so, and let the caller offer to clear it first. */
static validate_status check_lifecycle(store *st, const objmeta *m, const prop_def *p,
                                       int64_t id, validate_result *r)
{
    if (strcmp(p->name, "lifecyclestage") != 0 || !r->value ||
        (strcmp(m->name, "contacts") != 0 && strcmp(m->name, "companies") != 0))
        return r->status;
    char *cur = NULL;
    bool found;
    if (records_read_value(st, m, id, p->name, &cur, &found, NULL) != HT_OK || !cur) {
        free(cur);
        return r->status;
    }
    int from = option_rank(p, cur), to = option_rank(p, r->value);
    if (from >= 0 && to >= 0 && to < from)
        verdict(r, VALIDATE_BACKWARDS, "HubSpot never moves a lifecycle stage backwards: "
                "setting %s from %s to %s would be ignored and %s kept. Clear the stage "
                "first and then set %s?", p->label, prop_option_label(p, cur),
                prop_option_label(p, r->value), prop_option_label(p, cur),
                prop_option_label(p, r->value));
    free(cur);
    return r->status;
}

static validate_status check_typed(store *st, const objmeta *m, const prop_def *p,
                                   const char *in, const char *pipeline_id,
                                   validate_result *r)
{
    if (prop_is_owner(p))
        return check_owner(st, p, in, r);
    if (m->pipeline_prop && strcmp(p->name, m->pipeline_prop) == 0)
        return check_pipeline(m, p, in, r);
    if (m->stage_prop && strcmp(p->name, m->stage_prop) == 0)
        return check_stage(m, p, in, pipeline_id, r);
    switch (p->type) {
    case PROP_NUMBER: return check_number(p, in, r);
    case PROP_BOOL: return check_bool(p, in, r);
    case PROP_DATE: return check_date(p, in, r);
    case PROP_DATETIME: return check_datetime(p, in, r);
    case PROP_ENUM: return check_enum(p, in, r);
    default: return check_string(p, in, r);
    }
}

static validate_status validate_one(store *st, const objmeta *m, int64_t id, bool have_id,
                                    const char *prop, const char *input,
                                    const char *pipeline_id, validate_result *r)
{
    memset(r, 0, sizeof *r);
    const prop_def *p = objmeta_prop(m, prop);
    if (check_editable(m, p, prop, r) != VALIDATE_OK)
        return r->status;
    char *in = trimmed(input ? input : "");
    validate_status s = *in ? check_typed(st, m, p, in, pipeline_id, r) : accept(r, NULL);
    free(in);
    if (s == VALIDATE_OK && have_id)
        s = check_lifecycle(st, m, p, id, r);
    return s;
}

static const objmeta *open_meta(store *st, const char *object, const char *id, int64_t *rid,
                                bool *have_id, validate_result *r)
{
    ht_error e;
    const objmeta *m = meta_object(st, object, &e);
    if (!m) {
        verdict(r, e.status == HT_NOT_FOUND ? VALIDATE_UNKNOWN_PROPERTY : VALIDATE_ERROR,
                "%s", e.message);
        return NULL;
    }
    *have_id = id != NULL;
    if (id && !records_parse_id(id, rid)) {
        verdict(r, VALIDATE_INVALID, "'%s' is not a record id", id);
        objmeta_release(m);
        return NULL;
    }
    return m;
}

static char *record_pipeline(store *st, const objmeta *m, int64_t id, bool have_id)
{
    char *v = NULL;
    bool found;
    if (have_id && m->pipeline_prop)
        records_read_value(st, m, id, m->pipeline_prop, &v, &found, NULL);
    return v;
}

validate_status validate_value(store *st, const char *object, const char *id,
                               const char *prop, const char *input, validate_result *out)
{
    memset(out, 0, sizeof *out);
    int64_t rid = 0;
    bool have_id;
    const objmeta *m = open_meta(st, object, id, &rid, &have_id, out);
    if (!m)
        return out->status;
    char *pl = record_pipeline(st, m, rid, have_id);
    validate_status s = validate_one(st, m, rid, have_id, prop, input, pl, out);
    free(pl);
    objmeta_release(m);
    return s;
}

validate_status validate_values(store *st, const char *object, const char *id,
                                const char *const *props, const char *const *inputs, size_t n,
                                validate_result *results)
{
    memset(results, 0, n * sizeof *results);
    if (n == 0)
        return VALIDATE_OK;
    int64_t rid = 0;
    bool have_id;
    const objmeta *m = open_meta(st, object, id, &rid, &have_id, &results[0]);
    if (!m)
        return results[0].status;
    /* A pipeline set in the same batch decides which stages are valid. */
    char *pl = record_pipeline(st, m, rid, have_id);
    for (size_t i = 0; m->pipeline_prop && i < n; i++) {
        if (strcmp(props[i], m->pipeline_prop) != 0)
            continue;
        validate_result tmp;
        if (validate_one(st, m, rid, have_id, props[i], inputs[i], NULL, &tmp) == VALIDATE_OK) {
            free(pl);
            pl = tmp.value;
            tmp.value = NULL;
        }
        validate_result_clear(&tmp);
    }
    validate_status first = VALIDATE_OK;
    for (size_t i = 0; i < n; i++) {
        validate_status s = validate_one(st, m, rid, have_id, props[i], inputs[i], pl,
                                         &results[i]);
        if (first == VALIDATE_OK && s != VALIDATE_OK)
            first = s;
    }
    free(pl);
    objmeta_release(m);
    return first;
}
