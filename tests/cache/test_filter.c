/* The filter language: parse errors with their columns, the tree it builds,
 * and the HubSpot filterGroups it compiles to (shapes, types, DNF limits).
 * The SQL side is exercised against real data in test_query.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fixture.h"
#include "util.h"

typedef struct parse_case {
    const char *text;
    int         col;
    const char *message;      /* a fragment of the message */
} parse_case;

static const parse_case bad[] = {
    {"amount >", 9, "expected a value after '>'"},
    {"amount > and x", 10, "expected a value after '>', found 'and'"},
    {"(a = 1", 7, "missing ')' to close the '(' at column 1"},
    {"a = 1)", 6, "unexpected ')' with no '(' before it"},
    {"a in 1", 6, "expected '(' after 'in'"},
    {"a in ()", 7, "empty list after 'in'"},
    {"a in (1 2)", 9, "expected ',' or ')' in the list opened at column 6"},
    {"a in (1,", 9, "expected a value after ','"},
    {"a in (1", 8, "missing ')' to close the list opened at column 6"},
    {"a = \"abc", 9, "unterminated string (it starts at column 5)"},
    {"a = 'abc", 9, "unterminated string"},
    {"a = \"x\\q\"", 7, "unknown escape \\q"},
    {"has", 4, "expected a property name after 'has'"},
    {"!has (x)", 6, "expected a property name after '!has'"},
    {"a = 1 and", 10, "expected a condition after the 'and' at column 7"},
    {"or a = 1", 1, "expected a condition, found 'or'"},
    {"a = 1 or or", 10, "expected a condition after the 'or' at column 7"},
    {"a ! b", 3, "unexpected '!'"},
    {"\xc3\xa9 = 1 and b > ", 15, "expected a value after '>'"},
    {"a == 1", 4, "expected a value after '=', found '='"},
    {"a = ,", 5, "found ','"},
    {"()", 2, "expected a condition, found ')'"},
    {"a => 1", 4, "expected a value after '=', found '>'"},
    {"(a = 1 or (b = 2)", 18, "missing ')' to close the '(' at column 1"},
    {"a = 1 and (b = 2 c", 0, NULL},          /* filled below: ')' expected */
    {"x ~", 4, "expected a value after '~'"},
    {"amount >= <", 11, "found '<'"},
    {"name = \"a\" )", 12, "unexpected ')'"},
    {"a = 1 , b = 2", 7, "unexpected ','"},
};

static void test_parse_errors(void **state)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        filter *f = (filter *)1;
        ht_error err;
        int col = -1;
        ht_status s = filter_parse(bad[i].text, &f, &err, &col);
        if (!bad[i].message) {
            /* "(b = 2 c" parses "c" as quick search and then misses ')'. */
            assert_int_equal(s, HT_INVALID);
            assert_int_equal(col, 19);
            assert_non_null(strstr(err.message, "missing ')' to close the '(' at column 11"));
            continue;
        }
        if (s != HT_INVALID || col != bad[i].col || !strstr(err.message, bad[i].message))
            fail_msg("'%s': status %d col %d (want %d) message '%s' (want '%s')", bad[i].text,
                     s, col, bad[i].col, err.message, bad[i].message);
        char at[32];
        snprintf(at, sizeof at, "column %d: ", bad[i].col);
        assert_true(strncmp(err.message, at, strlen(at)) == 0);
        assert_null(f);
    }
}

typedef struct good_case {
    const char *text;
    const char *tree;
} good_case;

static const good_case good[] = {
    {"a = 1 and b = 2 or c = 3", "((a = \"1\" and b = \"2\") or c = \"3\")"},
    {"a = 1 AND (b = 2 Or c = 3)", "(a = \"1\" and (b = \"2\" or c = \"3\"))"},
    {"a = 1 or b = 2 and c = 3", "(a = \"1\" or (b = \"2\" and c = \"3\"))"},
    {"ann lee", "text:\"ann lee\""},
    {"ann city = paris", "(text:\"ann\" and city = \"paris\")"},
    {"city = paris ann", "(city = \"paris\" and text:\"ann\")"},
    {"has phone !has email", "(has phone and !has email)"},
    {"HAS phone", "has phone"},
    {"x in (1, \"two\", three)", "x in (\"1\", \"two\", \"three\")"},
    {"x IN ( 1 )", "x in (\"1\")"},
    {"name = \"O\\\"Brien\"", "name = \"O\\\"Brien\""},
    {"name = 'it''", NULL},
    {"a ~ foo", "a ~ \"foo\""},
    {"a!=b", "a != \"b\""},
    {"a<=-5.5", "a <= \"-5.5\""},
    {"d >= 2024-05-01T10:00:00Z", "d >= \"2024-05-01T10:00:00Z\""},
    {"email = ann@x.io", "email = \"ann@x.io\""},
    {"\"ann lee\" and x > 1", "(text:\"ann lee\" and x > \"1\")"},
    {"(((a = 1)))", "a = \"1\""},
    {"a = \"tab\\there\"", "a = \"tab\there\""},
    {"a = 'single \"q\"'", "a = \"single \\\"q\\\"\""},
};

static void test_parse_trees(void **state)
{
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (!good[i].tree)
            continue;
        filter *f;
        ht_error err;
        int col;
        if (filter_parse(good[i].text, &f, &err, &col) != HT_OK)
            fail_msg("'%s': %s", good[i].text, err.message);
        char *d = filter_describe(f);
        if (strcmp(d, good[i].tree) != 0)
            fail_msg("'%s' parsed as %s, want %s", good[i].text, d, good[i].tree);
        free(d);
        filter_free(f);
    }
    filter *f = (filter *)1;
    assert_int_equal(filter_parse("   ", &f, NULL, NULL), HT_OK);
    assert_null(f);
    assert_int_equal(filter_parse(NULL, &f, NULL, NULL), HT_OK);
    assert_null(f);
    assert_int_equal(filter_parse("a = 1 and ann", &f, NULL, NULL), HT_OK);
    assert_true(filter_has_text(f));
    filter_free(f);
}

/* ---- filterGroups -------------------------------------------------------------- */

static fixture fx;

static int setup(void **state)
{
    fx_open(&fx);
    fx_load_meta(fx.st);
    return 0;
}

static int teardown(void **state)
{
    fx_close(&fx);
    return 0;
}

/* Compile and compare with the expected JSON (compact, sorted keys). */
static void expect_groups(const char *object, const char *text, const char *groups,
                          const char *query)
{
    filter *f;
    ht_error err;
    int col;
    if (filter_parse(text, &f, &err, &col) != HT_OK)
        fail_msg("parse '%s': %s", text, err.message);
    json_t *g;
    char *q;
    if (filter_to_hubspot(fx.st, object, f, &g, &q, &err, &col) != HT_OK)
        fail_msg("'%s': %s", text, err.message);
    json_error_t je;
    json_t *want = json_loads(groups, 0, &je);
    assert_non_null(want);
    if (!json_equal(g, want)) {
        char *have = json_dumps(g, JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("'%s' gave %s\nwant %s", text, have, groups);
    }
    if (query)
        assert_string_equal(q, query);
    else
        assert_null(q);
    json_decref(want);
    json_decref(g);
    free(q);
    filter_free(f);
}

static void expect_remote_error(const char *object, const char *text, int want_col,
                                const char *fragment)
{
    filter *f;
    ht_error err;
    int col;
    if (filter_parse(text, &f, &err, &col) != HT_OK)
        fail_msg("parse '%s': %s", text, err.message);
    json_t *g = NULL;
    char *q = NULL;
    ht_status s = filter_to_hubspot(fx.st, object, f, &g, &q, &err, &col);
    if (s != HT_INVALID || col != want_col || !strstr(err.message, fragment))
        fail_msg("'%s': status %d col %d (want %d): %s (want '%s')", text, s, col, want_col,
                 err.message, fragment);
    assert_null(g);
    filter_free(f);
}

#define F(p, op, v) "{\"propertyName\":\"" p "\",\"operator\":\"" op "\",\"value\":\"" v "\"}"
#define F0(p, op) "{\"propertyName\":\"" p "\",\"operator\":\"" op "\"}"
#define G1(a) "{\"filters\":[" a "]}"
#define G2(a, b) "{\"filters\":[" a "," b "]}"

static void test_remote_shapes(void **state)
{
    expect_groups("contacts", "", "[]", NULL);
    expect_groups("contacts", "lifecyclestage = Lead", "[" G1(F("lifecyclestage", "EQ", "lead")) "]", NULL);
    expect_groups("contacts", "city ~ york", "[" G1(F("city", "CONTAINS_TOKEN", "*york*")) "]", NULL);
    expect_groups("contacts", "city != Paris", "[" G1(F("city", "NEQ", "Paris")) "]", NULL);
    expect_groups("contacts", "lifecyclestage in (lead, Customer)",
                  "[" G1("{\"propertyName\":\"lifecyclestage\",\"operator\":\"IN\",\"values\":[\"lead\",\"customer\"]}") "]", NULL);
    expect_groups("contacts", "has phone", "[" G1(F0("phone", "HAS_PROPERTY")) "]", NULL);
    expect_groups("contacts", "!has phone", "[" G1(F0("phone", "NOT_HAS_PROPERTY")) "]", NULL);
    expect_groups("contacts", "num_employees >= 50", "[" G1(F("num_employees", "GTE", "50")) "]", NULL);
    /* Dates: epoch milliseconds; a day on a date-time is that UTC day. */
    expect_groups("contacts", "birthday = 2000-01-31", "[" G1(F("birthday", "EQ", "949276800000")) "]", NULL);
    expect_groups("contacts", "createdate > 2024-05-01", "[" G1(F("createdate", "GTE", "1714608000000")) "]", NULL);
    expect_groups("contacts", "createdate <= 2024-05-01", "[" G1(F("createdate", "LT", "1714608000000")) "]", NULL);
    expect_groups("contacts", "createdate = 2024-05-01",
                  "[" G2(F("createdate", "GTE", "1714521600000"), F("createdate", "LT", "1714608000000")) "]", NULL);
    expect_groups("contacts", "createdate != 2024-05-01",
                  "[" G1(F("createdate", "LT", "1714521600000")) "," G1(F("createdate", "GTE", "1714608000000")) ","
                  G1(F0("createdate", "NOT_HAS_PROPERTY")) "]", NULL);
    expect_groups("contacts", "last_meeting >= 2024-05-01T10:00:00+02:00",
                  "[" G1(F("last_meeting", "GTE", "1714550400000")) "]", NULL);
    expect_groups("contacts", "id = 51", "[" G1(F("hs_object_id", "EQ", "51")) "]", NULL);
    expect_groups("contacts", "hs_email_optout = yes", "[" G1(F("hs_email_optout", "EQ", "true")) "]", NULL);
    expect_groups("contacts", "hubspot_owner_id = ana@example.com", "[" G1(F("hubspot_owner_id", "EQ", "102")) "]", NULL);
    expect_groups("contacts", "hubspot_owner_id = 'ana diaz'", "[" G1(F("hubspot_owner_id", "EQ", "102")) "]", NULL);
    expect_groups("deals", "dealstage = \"Closed won\" and pipeline = default",
                  "[" G2(F("dealstage", "EQ", "closedwon"), F("pipeline", "EQ", "default")) "]", NULL);
    /* DNF: AND over OR distributes. */
    expect_groups("contacts", "num_employees > 10 and (city = a or city = b)",
                  "[" G2(F("num_employees", "GT", "10"), F("city", "EQ", "a")) ","
                  G2(F("num_employees", "GT", "10"), F("city", "EQ", "b")) "]", NULL);
    expect_groups("contacts", "(city = a or city = b) and (firstname = x or firstname = y)",
                  "[" G2(F("city", "EQ", "a"), F("firstname", "EQ", "x")) ","
                  G2(F("city", "EQ", "a"), F("firstname", "EQ", "y")) ","
                  G2(F("city", "EQ", "b"), F("firstname", "EQ", "x")) ","
                  G2(F("city", "EQ", "b"), F("firstname", "EQ", "y")) "]", NULL);
    /* Quick search rides in `query`. */
    expect_groups("contacts", "ann lee and city = paris", "[" G1(F("city", "EQ", "paris")) "]", "ann lee");
    expect_groups("contacts", "ann", "[]", "ann");
}

static void test_remote_limits_and_errors(void **state)
{
    expect_remote_error("contacts", "(city = a or city = b) and (city = c or city = d) and "
                        "(city = e or city = f)", 1, "too complex for HubSpot search");
    expect_remote_error("contacts", "city = a and city = b and city = c and city = d and "
                        "city = e and city = f and city = g", 1, "too complex");
    /* 4 groups of 5 filters = 20 > 18 in all. */
    expect_remote_error("contacts", "(city=a or city=b or city=c or city=d) and firstname=x and "
                        "lastname=y and phone=z and email=w", 1, "20 in all");
    expect_remote_error("contacts", "ann or city = paris", 1,
                        "quick-search words can only be combined with 'and'");
    expect_remote_error("contacts", "city = a and nosuch = 1", 14,
                        "have no property 'nosuch' (at column 14)");
    expect_remote_error("contacts", "num_employees > abc", 17, "'abc' is not a number at column 17");
    expect_remote_error("contacts", "birthday < 2024-13-01", 12, "is not a date");
    expect_remote_error("contacts", "createdate > yesterday", 14, "is not a date or date-time");
    expect_remote_error("contacts", "lifecyclestage = golfer", 18, "is not an option of Lifecycle Stage");
    expect_remote_error("contacts", "hubspot_owner_id = \"Sam Lee\"", 20, "matches several owners");
    expect_remote_error("contacts", "hs_email_optout = maybe", 19, "is not true or false");
    expect_remote_error("deals", "dealstage = nowhere", 13, "is not a stage");
    expect_remote_error("contacts", "createdate ~ 2024", 14, "'~' needs a text property");
    /* 5 groups of 3 = 15: within limits. */
    expect_groups("contacts", "(city=a or city=b or city=c or city=d or city=e) and firstname=x and lastname=y",
                  "[" "{\"filters\":[" F("city","EQ","a") "," F("firstname","EQ","x") "," F("lastname","EQ","y") "]},"
                  "{\"filters\":[" F("city","EQ","b") "," F("firstname","EQ","x") "," F("lastname","EQ","y") "]},"
                  "{\"filters\":[" F("city","EQ","c") "," F("firstname","EQ","x") "," F("lastname","EQ","y") "]},"
                  "{\"filters\":[" F("city","EQ","d") "," F("firstname","EQ","x") "," F("lastname","EQ","y") "]},"
                  "{\"filters\":[" F("city","EQ","e") "," F("firstname","EQ","x") "," F("lastname","EQ","y") "]}]", NULL);
}

int main(void)
{
    const struct CMUnitTest parse_tests[] = {
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_trees),
    };
    const struct CMUnitTest remote_tests[] = {
        cmocka_unit_test(test_remote_shapes),
        cmocka_unit_test(test_remote_limits_and_errors),
    };
    int failed = cmocka_run_group_tests(parse_tests, NULL, NULL);
    return failed + cmocka_run_group_tests(remote_tests, setup, teardown);
}
