/* format.c — property values as people read them. */
#include "format.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_prop(const char *name, const char *which)
{
    return which && strcmp(name, which) == 0;
}

/* ---- Numbers and money ---------------------------------------------------- */

/* A plain decimal: optional sign, digits, optional fraction. */
static bool plain_number(const char *s, size_t *int_start, size_t *int_end)
{
    size_t i = 0;
    if (s[i] == '-' || s[i] == '+')
        i++;
    *int_start = i;
    while (isdigit((unsigned char)s[i]))
        i++;
    *int_end = i;
    if (*int_end == *int_start)
        return false;
    if (s[i] == '.') {
        i++;
        if (!isdigit((unsigned char)s[i]))
            return false;
        while (isdigit((unsigned char)s[i]))
            i++;
    }
    return s[i] == '\0';
}

void fmt_group_digits(const char *number, strbuf *out)
{
    size_t a, b;
    if (!plain_number(number, &a, &b)) {
        strbuf_puts(out, number);
        return;
    }
    if (number[0] == '-')
        strbuf_putc(out, '-');
    for (size_t i = a; i < b; i++) {
        if (i > a && (b - i) % 3 == 0)
            strbuf_putc(out, ',');
        strbuf_putc(out, number[i]);
    }
    strbuf_puts(out, number + b);
}

static const char *currency_symbol(const char *code)
{
    static const struct {
        const char *code, *symbol;
    } known[] = {
        {"USD", "$"}, {"EUR", "\xE2\x82\xAC"}, {"GBP", "\xC2\xA3"}, {"JPY", "\xC2\xA5"},
        {"CNY", "CN\xC2\xA5"}, {"INR", "\xE2\x82\xB9"}, {"CAD", "CA$"}, {"AUD", "A$"},
        {"BRL", "R$"}, {"KRW", "\xE2\x82\xA9"}, {"CHF", "CHF "},
    };
    for (size_t i = 0; i < ARRAY_SIZE(known); i++)
        if (strcasecmp(code, known[i].code) == 0)
            return known[i].symbol;
    return NULL;
}

void fmt_money(const char *number, const char *currency, strbuf *out)
{
    size_t a, b;
    if (!plain_number(number, &a, &b)) {
        strbuf_puts(out, number);
        return;
    }
    /* Cents when there is a fraction: 99.5 is $99.50, 12500 stays $12,500. */
    char *num = NULL;
    if (number[b] == '.') {
        double d = strtod(number, NULL);
        num = xasprintf("%.2f", d);
    } else {
        num = xstrdup(number);
    }
    bool neg = num[0] == '-';
    const char *digits = num + (neg || num[0] == '+');
    const char *sym = str_empty(currency) ? NULL : currency_symbol(currency);
    if (neg)
        strbuf_putc(out, '-');
    if (sym)
        strbuf_puts(out, sym);
    fmt_group_digits(digits, out);
    if (!sym && !str_empty(currency))
        strbuf_printf(out, " %s", currency);
    free(num);
}

bool fmt_is_money(const prop_def *p)
{
    static const char *const money[] = {
        "amount", "amount_in_home_currency", "annualrevenue", "price", "hs_acv", "hs_arr",
        "hs_mrr", "hs_tcv", "total_revenue", "recent_deal_amount", "hs_total_deal_value",
        "hs_cost_of_goods_sold", "hs_projected_amount", "hs_closed_amount",
    };
    if (p->type != PROP_NUMBER)
        return false;
    if (!str_empty(p->currency_property))
        return true;
    for (size_t i = 0; i < ARRAY_SIZE(money); i++)
        if (strcmp(p->name, money[i]) == 0)
            return true;
    return false;
}

/* Ids are numbers nobody reads as quantities: no grouping. */
static bool is_identifier(const prop_def *p)
{
    size_t n = strlen(p->name);
    return (n >= 3 && strcmp(p->name + n - 3, "_id") == 0) || strcmp(p->name, "hs_object_id") == 0 ||
           strstr(p->name, "year") != NULL;
}

/* ---- Dates ------------------------------------------------------------------ */

void fmt_datetime(int64_t epoch_ms, const tz *zone, bool date_only, bool with_zone,
                  strbuf *out)
{
    int64_t t = epoch_ms >= 0 ? epoch_ms / 1000 : -((-epoch_ms + 999) / 1000);
    const char *abbr;
    int64_t local = t + tz_offset_at(zone, t, &abbr);
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t secs = local - days * 86400;
    int y, m, d;
    tz_civil_from_days(days, &y, &m, &d);
    strbuf_printf(out, "%04d-%02d-%02d", y, m, d);
    if (date_only)
        return;
    strbuf_printf(out, " %02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60));
    if (with_zone)
        strbuf_printf(out, " %s", abbr);
}

void fmt_datetime_input(int64_t epoch_ms, const tz *zone, strbuf *out)
{
    int64_t t = epoch_ms / 1000;
    int32_t off = tz_offset_at(zone, t, NULL);
    int64_t local = t + off;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t secs = local - days * 86400;
    int y, m, d;
    tz_civil_from_days(days, &y, &m, &d);
    strbuf_printf(out, "%04d-%02d-%02d %02d:%02d", y, m, d, (int)(secs / 3600),
                  (int)(secs / 60 % 60));
    if (secs % 60)
        strbuf_printf(out, ":%02d", (int)(secs % 60));
    int32_t a = off < 0 ? -off : off;
    strbuf_printf(out, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

static bool read_digits(const char **s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*s)[i]))
            return false;
        v = v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    *out = v;
    return true;
}

bool fmt_parse_local_datetime(const tz *zone, const char *input, char **iso)
{
    const char *s = input;
    while (isspace((unsigned char)*s))
        s++;
    int y, mo, d, h, mi, sec = 0;
    if (!read_digits(&s, 4, &y) || *s++ != '-' || !read_digits(&s, 2, &mo) || *s++ != '-' ||
        !read_digits(&s, 2, &d))
        return false;
    if (*s != ' ' && *s != 'T')
        return false;
    s++;
    if (!read_digits(&s, 2, &h) || *s++ != ':' || !read_digits(&s, 2, &mi))
        return false;
    if (*s == ':') {
        s++;
        if (!read_digits(&s, 2, &sec))
            return false;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s) /* a zone, a fraction or junk: validation reads those */
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
        return false;
    int cy, cm, cd;
    int64_t days = tz_days_from_civil(y, mo, d);
    tz_civil_from_days(days, &cy, &cm, &cd);
    if (cy != y || cm != mo || cd != d) /* 2024-02-30 */
        return false;
    int64_t utc = tz_local_to_utc(zone, days * 86400 + h * 3600 + mi * 60 + sec);
    char buf[32];
    time_format_iso(utc * 1000, buf);
    *iso = xstrdup(buf);
    return true;
}

/* ---- Text ---------------------------------------------------------------------- */

/* ---- Enumerations, stages, owners -------------------------------------------- */

static void put_options(const prop_def *p, const char *value, strbuf *out)
{
    if (!p->multi) {
        strbuf_puts(out, prop_option_label(p, value));
        return;
    }
    const char *s = value;
    bool first = true;
    while (*s) {
        const char *end = strchr(s, ';');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (n > 0) {
            char *one = xstrndup(s, n);
            if (!first)
                strbuf_puts(out, ", ");
            strbuf_puts(out, prop_option_label(p, one));
            first = false;
            free(one);
        }
        s += n + (end ? 1 : 0);
    }
}

static fmt_style stage_style(const pipeline_stage *st)
{
    if (!st->is_closed)
        return FMT_STAGE_OPEN;
    if (st->ticket_state || st->probability < 0 || st->probability >= 1.0)
        return FMT_STAGE_WON;
    return st->probability <= 0.0 ? FMT_STAGE_LOST : FMT_STAGE_WON;
}

static fmt_style put_stage(const fmt_ctx *c, const char *value, const fmt_record *rec,
                           strbuf *out)
{
    const pipeline *pl = rec && rec->pipeline_id ? objmeta_pipeline(c->m, rec->pipeline_id) : NULL;
    const pipeline_stage *st = pl ? pipeline_find_stage(pl, value) : NULL;
    if (!st && (pl = objmeta_pipeline_of_stage(c->m, value)))
        st = pipeline_find_stage(pl, value);
    if (!st) {
        strbuf_puts(out, value);
        return FMT_ENUM;
    }
    strbuf_puts(out, st->label);
    return stage_style(st);
}

static fmt_style fmt_enum(const fmt_ctx *c, const prop_def *p, const char *value,
                          const fmt_record *rec, strbuf *out)
{
    if (c->m && is_prop(p->name, c->m->stage_prop))
        return put_stage(c, value, rec, out);
    if (c->m && is_prop(p->name, c->m->pipeline_prop)) {
        const pipeline *pl = objmeta_pipeline(c->m, value);
        strbuf_puts(out, pl ? pl->label : value);
        return FMT_ENUM;
    }
    if (prop_is_owner(p)) {
        const char *name = c->owner ? c->owner(c->owner_ud, value) : NULL;
        strbuf_puts(out, name ? name : value);
        return FMT_OWNER;
    }
    put_options(p, value, out);
    return FMT_ENUM;
}

static bool looks_like_email(const prop_def *p)
{
    return strstr(p->name, "email") != NULL || (p->field_type && strcmp(p->field_type, "email") == 0);
}

fmt_style fmt_value(const fmt_ctx *c, const prop_def *p, const char *value,
                    const fmt_record *rec, strbuf *out)
{
    if (str_empty(value))
        return FMT_EMPTY;
    int64_t ms;
    switch (p->type) {
    case PROP_NUMBER:
        if (prop_is_owner(p))
            return fmt_enum(c, p, value, rec, out);
        if (fmt_is_money(p)) {
            const char *cur = rec && !str_empty(rec->currency_code) ? rec->currency_code
                                                                    : c->currency;
            fmt_money(value, cur, out);
            return FMT_CURRENCY;
        }
        if (is_identifier(p))
            strbuf_puts(out, value);
        else
            fmt_group_digits(value, out);
        return FMT_NUMBER;
    case PROP_DATE:
        if (time_parse(value, &ms)) {
            fmt_datetime(ms, NULL, true, false, out); /* a date is a day, not an instant */
            return FMT_DATE;
        }
        break;
    case PROP_DATETIME:
        if (time_parse(value, &ms)) {
            /* A date picker on a date-time (a deal's close date) means a day;
             * when records were created and changed is worth its time. */
            bool day = p->field_type && strcmp(p->field_type, "date") == 0 &&
                       !(c->m && (is_prop(p->name, c->m->created_prop) ||
                                  is_prop(p->name, c->m->lastmod_prop)));
            fmt_datetime(ms, c->zone, day, c->with_zone && !day, out);
            return FMT_DATE;
        }
        break;
    case PROP_BOOL:
        if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
            strbuf_puts(out, value[0] == 't' ? "Yes" : "No");
            return FMT_BOOL;
        }
        break;
    case PROP_ENUM:
        return fmt_enum(c, p, value, rec, out);
    default:
        if (prop_is_owner(p))
            return fmt_enum(c, p, value, rec, out);
        if (p->field_type && strcmp(p->field_type, "html") == 0) {
            text_strip_html(value, out);
            return FMT_TEXT;
        }
        if (looks_like_email(p)) {
            strbuf_puts(out, value);
            return FMT_EMAIL;
        }
        break;
    }
    strbuf_puts(out, value);
    return FMT_TEXT;
}
