/* Unit tests of fakehub's building blocks: JSON output, paging cursors,
 * value blobs, setting parsers, the random stream, validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jsonw.h"
#include "model.h"
#include "pvals.h"
#include "rng.h"
#include "validate.h"

static void test_fmt_iso_matches_util(void **state)
{
    fh_rng r = rng_stream(1, 2);
    static const int64_t fixed[] = {0, -1, 1714554000120LL, 951782400000LL /* 2000-02-29 */,
                                    4102444799999LL, -62135596800000LL /* year 1 */};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] + 5000; i++) {
        int64_t ms = i < sizeof fixed / sizeof fixed[0] ? fixed[i]
                                                        : (int64_t)rng_below(&r, 5000000000000ULL) - 1000000000000LL;
        char a[32], b[32];
        time_format_iso(ms, a);
        size_t n = fmt_iso(ms, b);
        assert_string_equal(a, b);
        assert_int_equal(n, strlen(b));
    }
}

static void test_json_strings(void **state)
{
    strbuf sb = {0};
    jw_strn(&sb, "a\"b\\c\n\x01Zoë", 11);
    assert_string_equal(strbuf_str(&sb), "\"a\\\"b\\\\c\\n\\u0001Zoë\"");
    strbuf_reset(&sb);
    jw_str(&sb, NULL);
    jw_i64(&sb, -42);
    jw_i64str(&sb, 9007199254740993LL);
    assert_string_equal(strbuf_str(&sb), "null-42\"9007199254740993\"");
    strbuf_free(&sb);
}

/* The word-at-a-time scan escapes exactly what a byte-by-byte one does,
 * wherever in a string (and in an 8-byte word) the special bytes fall. */
static void test_json_strings_every_position(void **state)
{
    static const char pool[] = {'a', 'Z', ' ', '"', '\\', '\n', '\x01', '\x1f', '\x7f',
                                (char)0xc3, (char)0xab, (char)0xe6, '/', '0'};
    fh_rng r = rng_stream(7, 1);
    strbuf got = {0}, want = {0};
    char text[48];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)rng_below(&r, sizeof text);
        for (size_t i = 0; i < n; i++)
            text[i] = rng_below(&r, 4) ? 'x' : pool[rng_below(&r, sizeof pool)];
        strbuf_reset(&got);
        strbuf_reset(&want);
        jw_strn(&got, text, n);
        strbuf_putc(&want, '"');
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)text[i];
            if (c == '"' || c == '\\')
                strbuf_printf(&want, "\\%c", c);
            else if (c == '\n')
                strbuf_puts(&want, "\\n");
            else if (c < 0x20)
                strbuf_printf(&want, "\\u%04x", c);
            else
                strbuf_putc(&want, (char)c);
        }
        strbuf_putc(&want, '"');
        assert_string_equal(strbuf_str(&got), strbuf_str(&want));
    }
    strbuf_free(&got);
    strbuf_free(&want);
}

static void test_cursors(void **state)
{
    char buf[32];
    int64_t v;
    cursor_encode(51, buf);
    assert_string_equal(buf, "NTE=");
    for (int64_t x = 1; x < 100000000000LL; x = x * 7 + 3) {
        cursor_encode(x, buf);
        assert_true(cursor_decode(buf, &v));
        assert_int_equal(v, x);
    }
    assert_false(cursor_decode("", &v));
    assert_false(cursor_decode("NTE", &v));     /* not a multiple of 4 */
    assert_false(cursor_decode("YWJj", &v));    /* "abc": not digits */
    assert_false(cursor_decode("N!E=", &v));
}

static void test_value_blobs(void **state)
{
    fh_vals *in = calloc(1, sizeof *in), *out = calloc(1, sizeof *out);
    in->n = 300;
    pvals_set(in, 0, "zero");
    pvals_set(in, 5, "");          /* empty: not stored */
    pvals_set(in, 200, "two hundred");
    strbuf blob = {0};
    pvals_encode(in, &blob);
    assert_true(pvals_decode(blob.buf, blob.len, 300, out));
    assert_true(out->v[0].set && out->v[0].len == 4 && memcmp(out->v[0].p, "zero", 4) == 0);
    assert_false(out->v[5].set);
    assert_true(out->v[200].set);
    const char *p;
    uint32_t n;
    assert_true(pvals_find(blob.buf, blob.len, 200, &p, &n));
    assert_int_equal(n, 11);
    assert_false(pvals_find(blob.buf, blob.len, 7, &p, &n));
    assert_false(pvals_decode(blob.buf, blob.len - 1, 300, out));   /* truncated: corrupt */
    strbuf_free(&blob);
    free(in);
    free(out);
}

static void test_setting_parsers(void **state)
{
    fh_settings s;
    settings_defaults(&s);
    assert_true(s.rate_on && s.rate_max == 100 && s.rate_window_ms == 10000);
    assert_true(config_parse_rate("5/1000", &s));
    assert_int_equal(s.rate_max, 5);
    assert_true(config_parse_rate("off", &s));
    assert_false(s.rate_on);
    assert_false(config_parse_rate("5", &s));
    assert_false(config_parse_rate("0/1000", &s));
    assert_true(config_parse_search_rate("4/2", &s));
    assert_int_equal(s.search_window_ms, 2000);
    fh_fault_spec f;
    assert_true(config_parse_faults("5xx=0.1,429=0.05,reset=0.02,truncate=0.01,latency=20-200", &f));
    assert_true(f.p5xx == 0.1 && f.latency_min_ms == 20 && f.latency_max_ms == 200);
    assert_false(config_parse_faults("5xx=0.6,429=0.6", &f));   /* more than certain */
    assert_false(config_parse_faults("latency=200-20", &f));
    assert_false(config_parse_faults("boom=1", &f));
    assert_true(config_parse_caps("5/6/18", &s));
    assert_false(config_parse_caps("5/6", &s));
    char err[128];
    json_t *j = json_pack("{s:s, s:i}", "rate_limit", "bad", "daily", 3);
    fh_settings before = s;
    assert_false(settings_apply_json(&s, j, err, sizeof err));
    assert_int_equal(s.daily_max, before.daily_max);   /* all or nothing */
    json_decref(j);
}

static void test_rng_streams(void **state)
{
    fh_rng a = rng_stream(7, 1), b = rng_stream(7, 1), c = rng_stream(7, 2);
    uint64_t x = rng_next(&a);
    assert_int_equal(x, rng_next(&b));
    assert_true(x != rng_next(&c));
    for (int i = 0; i < 1000; i++) {
        int64_t v = rng_range(&a, -3, 3);
        assert_true(v >= -3 && v <= 3);
    }
}

static void test_validate_values(void **state)
{
    fh_model m;
    model_init(&m, 4242, 1);
    const fh_otype *contacts = model_type(&m, "contacts");
    fh_verrs errs = {0};
    char *out;
    assert_true(validate_value(otype_prop(contacts, "birthday"), "2024-05-01T00:00:00Z", &out, &errs));
    assert_string_equal(out, "2024-05-01");
    free(out);
    assert_true(validate_value(otype_prop(contacts, "email"), "Ann@Example.IO", &out, &errs));
    assert_string_equal(out, "ann@example.io");
    free(out);
    assert_true(validate_value(otype_prop(contacts, "newsletter_opt_in"), "TRUE", &out, &errs));
    assert_string_equal(out, "true");
    free(out);
    assert_false(validate_value(otype_prop(contacts, "hs_buying_role"), "CHAMPION;", &out, &errs));
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.v[0].code, "INVALID_OPTION");
    verrs_free(&errs);
    assert_false(validate_email("a@b"));
    assert_false(validate_email("a b@c.io"));
    assert_true(validate_email("a.b+c@d.co"));
    /* Type names the API accepts. */
    assert_ptr_equal(model_type(&m, "0-1"), contacts);
    assert_ptr_equal(model_type(&m, "contact"), contacts);
    assert_non_null(model_type(&m, "P4242_VEHICLES"));
    assert_null(model_type(&m, "widgets"));
    model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_iso_matches_util),
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test(test_json_strings_every_position),
        cmocka_unit_test(test_cursors),
        cmocka_unit_test(test_value_blobs),
        cmocka_unit_test(test_setting_parsers),
        cmocka_unit_test(test_rng_streams),
        cmocka_unit_test(test_validate_values),
    };
    return cmocka_run_group_tests_name("fakehub units", tests, NULL, NULL);
}
