/* Unit tests for tui/format: values formatted by their property's type,
 * with the property definitions, pipelines and owners of a real cache
 * (tests/cache/fixture.c) and the portal's zone (Europe/Paris). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "format.h"

typedef struct ctx {
    fixture fx;
    const objmeta *contacts, *deals;
    tz *paris;
} ctx;

static int setup(void **state)
{
    ctx *c = calloc(1, sizeof *c);
    fx_open(&c->fx);
    fx_load_meta(c->fx.st);
    ht_error err;
    c->contacts = meta_object(c->fx.st, "contacts", &err);
    c->deals = meta_object(c->fx.st, "deals", &err);
    c->paris = tz_from_rule("Europe/Paris", "CET-1CEST,M3.5.0,M10.5.0/3");
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    objmeta_release(c->contacts);
    objmeta_release(c->deals);
    tz_free(c->paris);
    fx_close(&c->fx);
    free(c);
    return 0;
}

static const char *owner_name(void *ud, const char *id)
{
    return strcmp(id, "101") == 0 ? "Sam Lee" : NULL;
}

/* Format one value; returns a static copy of the text. */
static char out[256];
static fmt_style fmt(ctx *c, const objmeta *m, const char *prop, const char *value,
                     const fmt_record *rec, bool with_zone)
{
    fmt_ctx fc = {.m = m, .zone = c->paris, .currency = "EUR", .owner = owner_name,
                  .with_zone = with_zone};
    const prop_def *p = objmeta_prop(m, prop);
    assert_non_null(p);
    strbuf sb = {0};
    fmt_style s = fmt_value(&fc, p, value, rec, &sb);
    snprintf(out, sizeof out, "%s", strbuf_str(&sb));
    strbuf_free(&sb);
    return s;
}

static void test_enumerations(void **state)
{
    ctx *c = *state;
    assert_int_equal(fmt(c, c->contacts, "lifecyclestage", "salesqualifiedlead", NULL, false),
                     FMT_ENUM);
    assert_string_equal(out, "Sales Qualified Lead");
    fmt(c, c->contacts, "lifecyclestage", "unknown_value", NULL, false);
    assert_string_equal(out, "unknown_value");
    fmt(c, c->contacts, "interests", "golf;sailing", NULL, false);
    assert_string_equal(out, "Golf, Sailing");
    fmt(c, c->contacts, "interests", ";chess;", NULL, false);
    assert_string_equal(out, "Chess");
    assert_int_equal(fmt(c, c->contacts, "hs_email_optout", "true", NULL, false), FMT_BOOL);
    assert_string_equal(out, "Yes");
    assert_int_equal(fmt(c, c->contacts, "hubspot_owner_id", "101", NULL, false), FMT_OWNER);
    assert_string_equal(out, "Sam Lee");
    fmt(c, c->contacts, "hubspot_owner_id", "999", NULL, false);
    assert_string_equal(out, "999");
    assert_int_equal(fmt(c, c->contacts, "lifecyclestage", NULL, NULL, false), FMT_EMPTY);
    assert_string_equal(out, "");
}

static void test_stages(void **state)
{
    ctx *c = *state;
    fmt_record rec = {.pipeline_id = "default"};
    assert_int_equal(fmt(c, c->deals, "dealstage", "closedwon", &rec, false), FMT_STAGE_WON);
    assert_string_equal(out, "Closed won");
    assert_int_equal(fmt(c, c->deals, "dealstage", "closedlost", &rec, false), FMT_STAGE_LOST);
    assert_int_equal(fmt(c, c->deals, "dealstage", "qualifiedtobuy", &rec, false),
                     FMT_STAGE_OPEN);
    assert_string_equal(out, "Qualified to buy");
    /* Without the record's pipeline the stage is still found by id. */
    fmt(c, c->deals, "dealstage", "ent_won", NULL, false);
    assert_string_equal(out, "Won");
    fmt(c, c->deals, "pipeline", "enterprise", NULL, false);
    assert_string_equal(out, "Enterprise");
}

static void test_numbers_and_money(void **state)
{
    ctx *c = *state;
    assert_int_equal(fmt(c, c->contacts, "num_employees", "1234567", NULL, false), FMT_NUMBER);
    assert_string_equal(out, "1,234,567");
    fmt(c, c->contacts, "hs_object_id", "1234567", NULL, false);
    assert_string_equal(out, "1234567"); /* ids are not quantities */
    assert_int_equal(fmt(c, c->deals, "amount", "12500", NULL, false), FMT_CURRENCY);
    assert_string_equal(out, "\xE2\x82\xAC" "12,500");
    fmt_record usd = {.currency_code = "USD"};
    fmt(c, c->deals, "amount", "99.5", &usd, false);
    assert_string_equal(out, "$99.50");
    fmt_record nok = {.currency_code = "NOK"};
    fmt(c, c->deals, "amount", "-1500", &nok, false);
    assert_string_equal(out, "-1,500 NOK");
    fmt(c, c->deals, "amount", "not a number", NULL, false);
    assert_string_equal(out, "not a number");

    strbuf sb = {0};
    fmt_group_digits("-1234.5678", &sb);
    assert_string_equal(strbuf_str(&sb), "-1,234.5678");
    strbuf_reset(&sb);
    fmt_group_digits("999", &sb);
    assert_string_equal(strbuf_str(&sb), "999");
    strbuf_reset(&sb);
    fmt_group_digits("1e5", &sb);
    assert_string_equal(strbuf_str(&sb), "1e5");
    strbuf_free(&sb);
}

static void test_dates(void **state)
{
    ctx *c = *state;
    /* 13:30 UTC in July is 15:30 in Paris (CEST). */
    assert_int_equal(fmt(c, c->contacts, "last_meeting", "2024-07-01T13:30:00.000Z", NULL, true),
                     FMT_DATE);
    assert_string_equal(out, "2024-07-01"); /* a date picker on a date-time: the day */
    fmt(c, c->contacts, "createdate", "2024-07-01T13:30:00.000Z", NULL, true);
    assert_string_equal(out, "2024-07-01 15:30 CEST");
    fmt(c, c->contacts, "createdate", "2024-01-01T23:30:00Z", NULL, false);
    assert_string_equal(out, "2024-01-02 00:30"); /* the local day, past midnight */
    fmt(c, c->contacts, "createdate", "1719840600000", NULL, true); /* epoch ms */
    assert_string_equal(out, "2024-07-01 15:30 CEST");
    fmt(c, c->contacts, "birthday", "1990-05-17", NULL, true);
    assert_string_equal(out, "1990-05-17"); /* a date is a day: no zone */
    fmt(c, c->contacts, "birthday", "garbage", NULL, true);
    assert_string_equal(out, "garbage");
}

static void test_local_input(void **state)
{
    ctx *c = *state;
    char *iso = NULL;
    assert_true(fmt_parse_local_datetime(c->paris, "2024-07-01 15:30", &iso));
    assert_string_equal(iso, "2024-07-01T13:30:00.000Z");
    free(iso);
    assert_true(fmt_parse_local_datetime(c->paris, " 2024-01-10T09:05:07 ", &iso));
    assert_string_equal(iso, "2024-01-10T08:05:07.000Z");
    free(iso);
    /* A zone, a bare date, an impossible day, junk: left to validation. */
    assert_false(fmt_parse_local_datetime(c->paris, "2024-07-01 15:30Z", &iso));
    assert_false(fmt_parse_local_datetime(c->paris, "2024-07-01 15:30+02:00", &iso));
    assert_false(fmt_parse_local_datetime(c->paris, "2024-07-01", &iso));
    assert_false(fmt_parse_local_datetime(c->paris, "2024-02-30 10:00", &iso));
    assert_false(fmt_parse_local_datetime(c->paris, "2024-07-01 25:00", &iso));
    assert_false(fmt_parse_local_datetime(c->paris, "yesterday", &iso));

    /* What the editor offers reads back as the same instant. */
    strbuf sb = {0};
    fmt_datetime_input(1719840600000, c->paris, &sb);
    assert_string_equal(strbuf_str(&sb), "2024-07-01 15:30+02:00");
    int64_t ms;
    assert_true(time_parse(strbuf_str(&sb), &ms));
    assert_int_equal(ms, 1719840600000);
    strbuf_free(&sb);
}

static void test_html(void **state)
{
    strbuf sb = {0};
    text_strip_html("<p>Call <b>Ann</b> &amp; Bob</p><p>about the   renewal</p>", &sb);
    assert_string_equal(strbuf_str(&sb), "Call Ann & Bob about the renewal");
    strbuf_reset(&sb);
    text_strip_html("a <unclosed", &sb);
    assert_string_equal(strbuf_str(&sb), "a");
    strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enumerations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_and_money, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_input, setup, teardown),
        cmocka_unit_test(test_html),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
