/* Unit tests for the status bar's model and composition: what shows at
 * which width, what is dropped first, and counts formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "statusbar.h"
#include "text.h"

/* The bar as one string: segments joined as they are drawn. */
static void joined(const status_line *l, char *out, size_t len)
{
    out[0] = '\0';
    for (int i = 0; i < l->n; i++) {
        if (i)
            strncat(out, " | ", len - strlen(out) - 1);
        strncat(out, l->seg[i].text, len - strlen(out) - 1);
    }
}

static int width_of(const status_line *l)
{
    int w = 2;
    for (int i = 0; i < l->n; i++)
        w += text_width(l->seg[i].text, 0) + (i ? 2 : 0);
    return w;
}

static status_model busy(void)
{
    status_model m;
    status_init(&m);
    status_set_portal(&m, "acme-prod", true);
    status_set_conn(&m, CONN_OFFLINE);
    status_set_sync(&m, "contacts", 1200, 5000);
    status_set_rate(&m, 87, 100, 249500);
    status_set_outbox(&m, 3, 0, 1, 2);
    return m;
}

static void test_everything_fits_wide(void **state)
{
    status_model m = busy();
    status_line l;
    char s[512];
    statusbar_compose(&m, 200, 0, &l);
    joined(&l, s, sizeof s);
    assert_string_equal(s, "acme-prod | read-only | OFFLINE | contacts 1,200/5,000 24% | "
                           "1 conflict | 2 failed | 3 pending | API 87/100 | today 249,500");
    /* Outbox and rate go to the right. */
    assert_false(l.seg[3].right);
    assert_true(l.seg[4].right);
    assert_int_equal(l.seg[2].role, ROLE_SYNC_OFFLINE);
    assert_int_equal(l.seg[4].role, ROLE_SYNC_CONFLICT);
}

/* Narrower and narrower: never wider than the bar, offline and read-only
 * stay to the end, the daily budget goes first. */
static void test_dropping_order(void **state)
{
    status_model m = busy();
    status_line l;
    char s[512];
    statusbar_compose(&m, 105, 0, &l); /* 117 columns wanted: the day budget goes */
    joined(&l, s, sizeof s);
    assert_null(strstr(s, "today"));
    assert_non_null(strstr(s, "API 87/100"));
    statusbar_compose(&m, 100, 0, &l); /* then the burst budget */
    joined(&l, s, sizeof s);
    assert_null(strstr(s, "API"));
    assert_non_null(strstr(s, "3 pending"));
    for (int w = 120; w >= 0; w--) {
        statusbar_compose(&m, w, 0, &l);
        assert_true(l.n >= 1);
        if (l.n > 1)
            assert_true(width_of(&l) <= w);
        joined(&l, s, sizeof s);
        if (w >= 24) {
            assert_non_null(strstr(s, "OFFLINE"));
            assert_non_null(strstr(s, "read-only"));
        }
    }
    statusbar_compose(&m, 30, 0, &l);
    joined(&l, s, sizeof s);
    assert_string_equal(s, "read-only | OFFLINE");
}

static void test_quiet_states(void **state)
{
    status_model m;
    status_init(&m);
    status_line l;
    char s[256];
    statusbar_compose(&m, 80, 0, &l);
    joined(&l, s, sizeof s);
    assert_string_equal(s, "hubtui");
    status_set_portal(&m, "sandbox", false);
    status_set_conn(&m, CONN_ONLINE);
    status_set_sync(&m, "deals", 42, -1);
    statusbar_compose(&m, 80, 0, &l);
    joined(&l, s, sizeof s);
    assert_string_equal(s, "sandbox | online | deals 42");
    status_clear_sync(&m);
    status_set_outbox(&m, 0, 5, 2, 0);
    statusbar_compose(&m, 80, 0, &l);
    joined(&l, s, sizeof s);
    assert_string_equal(s, "sandbox | online | 2 conflicts | 5 sending");
}

static void test_serial_and_counts(void **state)
{
    status_model m;
    status_init(&m);
    unsigned s0 = m.serial;
    status_set_conn(&m, CONN_ONLINE);
    assert_true(m.serial != s0);
    char buf[32];
    status_format_count(0, buf);
    assert_string_equal(buf, "0");
    status_format_count(999, buf);
    assert_string_equal(buf, "999");
    status_format_count(1000, buf);
    assert_string_equal(buf, "1,000");
    status_format_count(1234567, buf);
    assert_string_equal(buf, "1,234,567");
    status_format_count(-98765, buf);
    assert_string_equal(buf, "-98,765");
    status_format_count(INT64_MIN, buf);
    assert_string_equal(buf, "-9,223,372,036,854,775,808");
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_everything_fits_wide),
        cmocka_unit_test(test_dropping_order),
        cmocka_unit_test(test_quiet_states),
        cmocka_unit_test(test_serial_and_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
