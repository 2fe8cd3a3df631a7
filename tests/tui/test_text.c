/* Unit tests for tui/text: widths, sanitizing, truncation and padding of
 * UTF-8 with CJK, emoji, accents, combining marks and invalid bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Fit s into width and return the result (static buffer per call site is
 * avoided: the caller frees). */
static char *fit(const char *s, int width, text_align align, unsigned flags)
{
    strbuf sb = {0};
    int got = text_fit(&sb, s, width, align, flags);
    assert_int_equal(got, width > 0 ? width : 0);
    assert_int_equal(text_width(strbuf_str(&sb), flags), width > 0 ? width : 0);
    return strbuf_detach(&sb);
}

static void expect_fit(const char *s, int width, text_align align, const char *want)
{
    char *got = fit(s, width, align, 0);
    assert_string_equal(got, want);
    free(got);
}

static void test_decode(void **state)
{
    uint32_t cp;
    bool valid;
    assert_int_equal(text_decode("A", 1, &cp, &valid), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(text_decode("\xC3\xA9", 2, &cp, &valid), 2); /* é */
    assert_int_equal(cp, 0xE9);
    assert_true(valid);
    assert_int_equal(text_decode("\xE6\xBC\xA2", 3, &cp, &valid), 3); /* 漢 */
    assert_int_equal(cp, 0x6F22);
    assert_int_equal(text_decode("\xF0\x9F\x98\x80", 4, &cp, &valid), 4); /* 😀 */
    assert_int_equal(cp, 0x1F600);
    /* Overlong, surrogate, out of range, lone continuation, truncated. */
    const char *bad[] = {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xE6\xBC"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(text_decode(bad[i], strlen(bad[i]), &cp, &valid), 1);
        assert_false(valid);
        assert_int_equal(cp, TEXT_REPLACEMENT);
    }
    strbuf sb = {0};
    text_encode(&sb, 0x1F600);
    text_encode(&sb, 0xE9);
    text_encode(&sb, 'x');
    assert_string_equal(strbuf_str(&sb), "\xF0\x9F\x98\x80\xC3\xA9x");
    strbuf_free(&sb);
}

static void test_widths(void **state)
{
    assert_int_equal(text_width("", 0), 0);
    assert_int_equal(text_width(NULL, 0), 0);
    assert_int_equal(text_width("hello", 0), 5);
    assert_int_equal(text_width("caf\xC3\xA9", 0), 4);            /* café precomposed */
    assert_int_equal(text_width("cafe\xCC\x81", 0), 4);           /* café with U+0301 */
    assert_int_equal(text_width("\xE6\x97\xA5\xE6\x9C\xAC", 0), 4); /* 日本 */
    assert_int_equal(text_width("\xED\x95\x9C", 0), 2);           /* 한 */
    assert_int_equal(text_width("\xF0\x9F\x98\x80", 0), 2);       /* 😀 */
    assert_int_equal(text_width("a\tb\nc", 0), 5);                /* breaks become spaces */
    assert_int_equal(text_width("a\x1b[31mb", 0), 7);             /* ESC shown as one cell */
    assert_int_equal(text_width("\xFF\xFE", 0), 2);               /* two invalid bytes */
    assert_int_equal(text_width("a\xE2\x80\xAE" "b", 0), 2);      /* RLO dropped */
    assert_int_equal(text_width("\xEF\xBB\xBFname", 0), 4);       /* BOM dropped */
    assert_int_equal(text_width("\xCC\x81", 0), 1);               /* lone accent gets ◌ */
    /* ASCII terminals: one '?' per visible character, accents vanish. */
    assert_int_equal(text_width("\xE6\x97\xA5\xE6\x9C\xAC", TEXT_ASCII), 2);
    assert_int_equal(text_width("cafe\xCC\x81", TEXT_ASCII), 4);
    assert_int_equal(text_cp_width(0x6F22, 0), 2);
    assert_int_equal(text_cp_width(0x0301, 0), 0);
    assert_int_equal(text_cp_width(0x07, 0), 1);
    assert_int_equal(text_cp_width(0xD800, 0), 1);
}

static void expect_sanitized(const char *in, unsigned flags, const char *want)
{
    strbuf sb = {0};
    text_sanitize(&sb, in, strlen(in), flags);
    assert_string_equal(strbuf_str(&sb), want);
    strbuf_free(&sb);
}

static void test_sanitize(void **state)
{
    expect_sanitized("plain", 0, "plain");
    expect_sanitized("two\nlines\r\tx", 0, "two lines  x");
    expect_sanitized("bell\a", 0, "bell\xEF\xBF\xBD");
    expect_sanitized("\x1b]52;c;AAAA\a", 0,
                     "\xEF\xBF\xBD]52;c;AAAA\xEF\xBF\xBD"); /* no escape survives */
    expect_sanitized("c1\xC2\x9B" "2J", 0, "c1\xEF\xBF\xBD" "2J");   /* CSI as C1 */
    expect_sanitized("bad\xFFz", 0, "bad\xEF\xBF\xBDz");
    expect_sanitized("\xE2\x80\xAE" "evil", 0, "evil");
    expect_sanitized("\xCC\x81x", 0, "\xE2\x97\x8C\xCC\x81x");
    expect_sanitized("\xE2\x80\x8D" "a", 0, "a");                     /* leading ZWJ */
    /* A family emoji keeps its joiners after the first base. */
    expect_sanitized("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9", 0,
                     "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9");
    expect_sanitized("Jos\xC3\xA9 \xE6\x97\xA5\x07", TEXT_ASCII, "Jos? ??");
}

static void test_truncate_and_fit(void **state)
{
    expect_fit("hello", 8, TEXT_LEFT, "hello   ");
    expect_fit("hello", 8, TEXT_RIGHT, "   hello");
    expect_fit("hello", 8, TEXT_CENTER, " hello  ");
    expect_fit("hello", 5, TEXT_LEFT, "hello");
    expect_fit("hello world", 8, TEXT_LEFT, "hello w\xE2\x80\xA6");
    expect_fit("hello world", 1, TEXT_LEFT, "\xE2\x80\xA6");
    expect_fit("", 3, TEXT_RIGHT, "   ");
    /* 日本語 is 6 columns: in 4 it becomes 日 + … + one pad, never half a 本. */
    expect_fit("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 4, TEXT_LEFT,
               "\xE6\x97\xA5\xE2\x80\xA6 ");
    expect_fit("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 4, TEXT_RIGHT,
               " \xE6\x97\xA5\xE2\x80\xA6");
    expect_fit("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 6, TEXT_LEFT,
               "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
    expect_fit("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 2, TEXT_LEFT, "\xE2\x80\xA6 ");
    /* Combining accents stay with their base letter when cutting. */
    expect_fit("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 3, TEXT_LEFT,
               "e\xCC\x81" "e\xCC\x81" "e\xCC\x81");
    expect_fit("e\xCC\x81" "e\xCC\x81" "e\xCC\x81" "x", 3, TEXT_LEFT,
               "e\xCC\x81" "e\xCC\x81\xE2\x80\xA6");
    /* Emoji are two columns. */
    expect_fit("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 3, TEXT_LEFT, "\xF0\x9F\x98\x80\xE2\x80\xA6");
    /* Zero and negative widths produce nothing. */
    strbuf sb = {0};
    assert_int_equal(text_fit(&sb, "abc", 0, TEXT_LEFT, 0), 0);
    assert_int_equal(text_fit(&sb, "abc", -3, TEXT_LEFT, 0), 0);
    assert_int_equal(text_truncate(&sb, "abc", -1, 0), 0);
    assert_int_equal(sb.len, 0);
    /* ASCII ellipsis. */
    assert_int_equal(text_truncate(&sb, "abcdef", 4, TEXT_ASCII), 4);
    assert_string_equal(strbuf_str(&sb), "abc~");
    strbuf_free(&sb);
}

/* Every width from 0 to 12 and every alignment: the result is exactly that
 * wide and never ends inside a character. */
static void test_fit_exhaustive(void **state)
{
    const char *samples[] = {
        "", "a", "Zo\xC3\xAB", "\xE5\x8C\x97\xE4\xBA\xAC\xE5\xB8\x82", "\xF0\x9F\x8E\x89 party",
        "a\xCC\x88o\xCC\x88u\xCC\x88", "x\x01y\x7fz", "\xFF\xC3", "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4",
        "mixed \xE6\xBC\xA2 and \xF0\x9F\x98\x80 and caf\xC3\xA9",
    };
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++)
        for (int w = 0; w <= 12; w++)
            for (int a = TEXT_LEFT; a <= TEXT_CENTER; a++) {
                char *got = fit(samples[i], w, (text_align)a, 0);
                uint32_t cp;
                bool valid = true;
                for (size_t k = 0; got[k];)
                    k += text_decode(got + k, strlen(got + k), &cp, &valid), assert_true(valid);
                free(got);
            }
}

static void test_char_steps(void **state)
{
    const char *s = "a\xC3\xA9\xE6\xBC\xA2\xF0\x9F\x98\x80" "b"; /* a é 漢 😀 b */
    size_t len = strlen(s);
    size_t stops[] = {0, 1, 3, 6, 10, 11};
    for (size_t i = 1; i < sizeof stops / sizeof *stops; i++) {
        assert_int_equal(text_next_char(s, len, stops[i - 1]), stops[i]);
        assert_int_equal(text_prev_char(s, stops[i]), stops[i - 1]);
    }
    assert_int_equal(text_prev_char(s, 0), 0);
    assert_int_equal(text_next_char(s, len, len), len);
    /* Invalid bytes step one at a time. */
    const char *bad = "x\x80\x80y";
    assert_int_equal(text_prev_char(bad, 3), 2);
    assert_int_equal(text_prev_char(bad, 2), 1);
    assert_int_equal(text_next_char(bad, 4, 1), 2);
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        fprintf(stderr, "C.UTF-8 locale unavailable\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_sanitize),
        cmocka_unit_test(test_truncate_and_fit),
        cmocka_unit_test(test_fit_exhaustive),
        cmocka_unit_test(test_char_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
