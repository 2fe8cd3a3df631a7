/* Unit tests for tui/tz: offsets and abbreviations from the system's
 * zoneinfo files and from POSIX rules, across DST changes, past the
 * files' last transition, in gaps and overlaps, and junk input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tz.h"

static int64_t utc(int y, int mo, int d, int h, int mi)
{
    return tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static tz *load_or_skip(const char *name)
{
    ht_error err;
    tz *z = tz_load(name, &err);
    if (!z)
        skip();
    return z;
}

static void test_civil(void **state)
{
    assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
    for (int64_t d = -800000; d < 800000; d += 997) {
        int y, m, dd;
        tz_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(tz_days_from_civil(y, m, dd), d);
    }
}

static void test_new_york(void **state)
{
    tz *z = load_or_skip("America/New_York");
    const char *abbr;
    assert_int_equal(tz_offset_at(z, utc(2024, 1, 15, 12, 0), &abbr), -5 * 3600);
    assert_string_equal(abbr, "EST");
    assert_int_equal(tz_offset_at(z, utc(2024, 7, 1, 12, 0), &abbr), -4 * 3600);
    assert_string_equal(abbr, "EDT");
    /* 2024-03-10 02:00 EST = 07:00 UTC: the second before and after. */
    assert_int_equal(tz_offset_at(z, utc(2024, 3, 10, 7, 0) - 1, NULL), -5 * 3600);
    assert_int_equal(tz_offset_at(z, utc(2024, 3, 10, 7, 0), NULL), -4 * 3600);
    /* Far past the file's transitions: the footer rule still knows DST. */
    assert_int_equal(tz_offset_at(z, utc(2090, 7, 1, 12, 0), &abbr), -4 * 3600);
    assert_string_equal(abbr, "EDT");
    assert_int_equal(tz_offset_at(z, utc(2090, 12, 1, 12, 0), NULL), -5 * 3600);
    assert_string_equal(tz_name(z), "America/New_York");
    tz_free(z);
}

static void test_link_names(void **state)
{
    /* fakehub's portal says US/Eastern, a link to America/New_York. */
    tz *z = load_or_skip("US/Eastern");
    assert_int_equal(tz_offset_at(z, utc(2024, 1, 1, 0, 0), NULL), -5 * 3600);
    tz_free(z);
}

static void test_rules(void **state)
{
    tz *paris = tz_from_rule("Paris", "CET-1CEST,M3.5.0,M10.5.0/3");
    assert_non_null(paris);
    const char *abbr;
    /* Last Sunday of March 2024 is the 31st, 01:00 UTC. */
    assert_int_equal(tz_offset_at(paris, utc(2024, 3, 31, 1, 0) - 1, &abbr), 3600);
    assert_string_equal(abbr, "CET");
    assert_int_equal(tz_offset_at(paris, utc(2024, 3, 31, 1, 0), &abbr), 7200);
    assert_string_equal(abbr, "CEST");
    /* Last Sunday of October 2024 is the 27th, 01:00 UTC. */
    assert_int_equal(tz_offset_at(paris, utc(2024, 10, 27, 1, 0) - 1, NULL), 7200);
    assert_int_equal(tz_offset_at(paris, utc(2024, 10, 27, 1, 0), NULL), 3600);
    tz_free(paris);

    /* Southern hemisphere: summer time spans New Year. */
    tz *syd = tz_from_rule("Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3");
    assert_non_null(syd);
    assert_int_equal(tz_offset_at(syd, utc(2024, 1, 15, 0, 0), &abbr), 11 * 3600);
    assert_string_equal(abbr, "AEDT");
    assert_int_equal(tz_offset_at(syd, utc(2024, 6, 15, 0, 0), &abbr), 10 * 3600);
    assert_string_equal(abbr, "AEST");
    assert_int_equal(tz_offset_at(syd, utc(2024, 12, 31, 23, 0), NULL), 11 * 3600);
    tz_free(syd);

    tz *fixed = tz_from_rule("Kolkata", "IST-5:30");
    assert_int_equal(tz_offset_at(fixed, utc(2024, 6, 1, 0, 0), NULL), 5 * 3600 + 1800);
    tz_free(fixed);
    tz *angle = tz_from_rule("x", "<+03>-3");
    assert_int_equal(tz_offset_at(angle, 0, &abbr), 3 * 3600);
    assert_string_equal(abbr, "+03");
    tz_free(angle);

    assert_null(tz_from_rule("bad", "CET-1CEST,M13.5.0,M10.5.0"));
    assert_null(tz_from_rule("bad", "1"));
    assert_null(tz_from_rule("bad", ""));
}

static void test_local_to_utc(void **state)
{
    tz *ny = tz_from_rule("NY", "EST5EDT,M3.2.0,M11.1.0");
    /* Ordinary times. */
    assert_int_equal(tz_local_to_utc(ny, utc(2024, 7, 1, 10, 0)), utc(2024, 7, 1, 14, 0));
    assert_int_equal(tz_local_to_utc(ny, utc(2024, 1, 1, 10, 0)), utc(2024, 1, 1, 15, 0));
    /* 02:30 on 2024-03-10 does not exist: it means 03:30 EDT. */
    assert_int_equal(tz_local_to_utc(ny, utc(2024, 3, 10, 2, 30)), utc(2024, 3, 10, 7, 30));
    /* 01:30 on 2024-11-03 happens twice: the first (EDT) wins. */
    assert_int_equal(tz_local_to_utc(ny, utc(2024, 11, 3, 1, 30)), utc(2024, 11, 3, 5, 30));
    tz_free(ny);
    /* NULL is UTC everywhere. */
    assert_int_equal(tz_local_to_utc(NULL, 1234567), 1234567);
    assert_int_equal(tz_offset_at(NULL, 0, NULL), 0);
}

static void test_bad_input(void **state)
{
    ht_error err;
    assert_null(tz_load("../../etc/passwd", &err));
    assert_int_equal(err.status, HT_INVALID);
    assert_null(tz_load("No/Such_Zone", &err));
    assert_int_equal(err.status, HT_NOT_FOUND);
    const unsigned char junk[] = "TZif2 not really a zone file at all, just text";
    assert_null(tz_from_tzif("junk", junk, sizeof junk, &err));
    assert_int_equal(err.status, HT_PARSE);
    /* A header that claims more than the data holds. */
    unsigned char trunc[44] = "TZif2";
    trunc[20 + 4 * 3 + 3] = 200; /* timecnt 200 */
    trunc[20 + 4 * 4 + 3] = 1;   /* typecnt 1 */
    assert_null(tz_from_tzif("short", trunc, sizeof trunc, &err));
    tz *u = tz_load("UTC", &err);
    assert_int_equal(tz_offset_at(u, 1700000000, NULL), 0);
    tz_free(u);
    tz *e = tz_load(NULL, &err);
    assert_string_equal(tz_name(e), "UTC");
    tz_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil),
        cmocka_unit_test(test_new_york),
        cmocka_unit_test(test_link_names),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_local_to_utc),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
