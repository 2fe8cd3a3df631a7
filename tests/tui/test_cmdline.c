/* Unit tests for tui/cmdline: editing keys on UTF-8 text, history,
 * completion of commands and their arguments, and horizontal scrolling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "text.h"

static void type(cmdline *cl, const char *s)
{
    cmdline_insert(cl, s);
}

static cmdline_result keys(cmdline *cl, const cmdline_completion *comp, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    cmdline_result r = CMDLINE_IGNORED;
    for (int i = 0; i < n; i++)
        r = cmdline_key(cl, va_arg(ap, key_code), comp);
    va_end(ap);
    return r;
}

static void test_typing_and_moving(void **state)
{
    cmdline cl;
    cmdline_init(&cl);
    assert_string_equal(cmdline_text(&cl), "");
    assert_int_equal(cmdline_key(&cl, 'h', NULL), CMDLINE_CHANGED);
    assert_int_equal(cmdline_key(&cl, 0xE9, NULL), CMDLINE_CHANGED); /* é */
    assert_int_equal(cmdline_key(&cl, 0x6F22, NULL), CMDLINE_CHANGED); /* 漢 */
    assert_string_equal(cmdline_text(&cl), "h\xC3\xA9\xE6\xBC\xA2");
    assert_int_equal(cmdline_key(&cl, KC_LEFT, NULL), CMDLINE_MOVED);
    assert_int_equal(cl.cursor, 3);
    keys(&cl, NULL, 1, KC_LEFT);
    assert_int_equal(cl.cursor, 1);
    cmdline_key(&cl, 'x', NULL);
    assert_string_equal(cmdline_text(&cl), "hx\xC3\xA9\xE6\xBC\xA2");
    keys(&cl, NULL, 1, KC_CTRL('a'));
    assert_int_equal(cl.cursor, 0);
    assert_int_equal(cmdline_key(&cl, KC_LEFT, NULL), CMDLINE_MOVED);
    assert_int_equal(cl.cursor, 0);
    keys(&cl, NULL, 1, KC_END);
    assert_int_equal(cl.cursor, strlen(cmdline_text(&cl)));
    assert_int_equal(cmdline_key(&cl, KC_RIGHT, NULL), CMDLINE_MOVED);
    assert_int_equal(cl.cursor, strlen(cmdline_text(&cl)));
    /* Backspace removes whole characters. */
    keys(&cl, NULL, 1, KC_BACKSPACE);
    assert_string_equal(cmdline_text(&cl), "hx\xC3\xA9");
    keys(&cl, NULL, 2, KC_HOME, KC_DEL);
    assert_string_equal(cmdline_text(&cl), "x\xC3\xA9");
    keys(&cl, NULL, 1, KC_CTRL('d'));
    assert_string_equal(cmdline_text(&cl), "\xC3\xA9");
    /* Keys that are not editing keys are left for the caller. */
    assert_int_equal(cmdline_key(&cl, KC_F(5), NULL), CMDLINE_IGNORED);
    assert_int_equal(cmdline_key(&cl, KC_TAB, NULL), CMDLINE_IGNORED);
    cmdline_free(&cl);
}

static void test_kill_keys(void **state)
{
    cmdline cl;
    cmdline_init(&cl);
    type(&cl, "filter stage = won");
    assert_int_equal(keys(&cl, NULL, 1, KC_CTRL('w')), CMDLINE_CHANGED);
    assert_string_equal(cmdline_text(&cl), "filter stage = ");
    keys(&cl, NULL, 1, KC_CTRL('w'));
    assert_string_equal(cmdline_text(&cl), "filter stage ");
    keys(&cl, NULL, 1, KC_META | 'b');
    assert_int_equal(cl.cursor, 7);
    keys(&cl, NULL, 1, KC_CTRL('k'));
    assert_string_equal(cmdline_text(&cl), "filter ");
    keys(&cl, NULL, 1, KC_META | 'b');
    assert_int_equal(cl.cursor, 0);
    keys(&cl, NULL, 1, KC_META | 'f');
    assert_int_equal(cl.cursor, 6);
    keys(&cl, NULL, 1, KC_CTRL('u'));
    assert_string_equal(cmdline_text(&cl), " ");
    assert_int_equal(cl.cursor, 0);
    /* C-w over a word of wide characters. */
    cmdline_reset(&cl, "name \xE5\x8C\x97\xE4\xBA\xAC");
    keys(&cl, NULL, 1, KC_CTRL('w'));
    assert_string_equal(cmdline_text(&cl), "name ");
    cmdline_free(&cl);
}

static void test_submit_cancel_history(void **state)
{
    cmdline cl;
    cmdline_init(&cl);
    assert_int_equal(cmdline_key(&cl, KC_BACKSPACE, NULL), CMDLINE_CANCEL); /* empty line */
    assert_int_equal(cmdline_key(&cl, KC_ESC, NULL), CMDLINE_CANCEL);
    type(&cl, "theme light");
    assert_int_equal(cmdline_key(&cl, KC_ENTER, NULL), CMDLINE_SUBMIT);
    cmdline_reset(&cl, NULL);
    type(&cl, "theme light");
    cmdline_key(&cl, KC_ENTER, NULL); /* a repeat is not stored twice */
    cmdline_reset(&cl, NULL);
    type(&cl, "sync");
    cmdline_key(&cl, KC_ENTER, NULL);
    cmdline_reset(&cl, NULL);
    assert_int_equal(cl.history.n, 2);
    type(&cl, "half");
    assert_int_equal(cmdline_key(&cl, KC_UP, NULL), CMDLINE_CHANGED);
    assert_string_equal(cmdline_text(&cl), "sync");
    cmdline_key(&cl, KC_CTRL('p'), NULL);
    assert_string_equal(cmdline_text(&cl), "theme light");
    assert_int_equal(cmdline_key(&cl, KC_UP, NULL), CMDLINE_MOVED); /* oldest */
    cmdline_key(&cl, KC_DOWN, NULL);
    assert_string_equal(cmdline_text(&cl), "sync");
    cmdline_key(&cl, KC_CTRL('n'), NULL);
    assert_string_equal(cmdline_text(&cl), "half"); /* the line being typed came back */
    assert_int_equal(cmdline_key(&cl, KC_DOWN, NULL), CMDLINE_MOVED);
    /* Bounded history. */
    for (int i = 0; i < CMDLINE_HISTORY_MAX + 10; i++) {
        char line[16];
        snprintf(line, sizeof line, "cmd %d", i);
        cmdline_history_add(&cl, line);
    }
    assert_int_equal(cl.history.n, CMDLINE_HISTORY_MAX);
    assert_string_equal(cl.history.v[0], "cmd 10");
    cmdline_free(&cl);
}

static void test_insert_sanitizes(void **state)
{
    cmdline cl;
    cmdline_init(&cl);
    type(&cl, "a\x1b[2Jb\tc\nd\xFF" "e");
    assert_string_equal(cmdline_text(&cl), "a[2Jb c de");
    cmdline_free(&cl);
}

static void test_complete_commands(void **state)
{
    const char *themes[] = {"default", "high-contrast", "light", "production", NULL};
    const char *types[] = {"contacts", "companies", "deals", "tickets", NULL};
    cmdline_command_lists lists = {.themes = themes, .types = types};
    cmdline_completion comp = {cmdline_complete_command, &lists};
    cmdline cl;
    cmdline_init(&cl);
    /* A unique prefix completes with a trailing space. */
    type(&cl, "que");
    assert_int_equal(cmdline_key(&cl, KC_TAB, &comp), CMDLINE_CHANGED);
    assert_string_equal(cmdline_text(&cl), "queue ");
    /* "qu" is queue or quit: no longer common prefix, so Tab cycles. */
    cmdline_reset(&cl, "qu");
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "queue");
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "quit");
    /* Several: the common prefix first, then cycling. */
    cmdline_reset(&cl, "mo");
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "move-");
    size_t n, sel;
    const char *const *m = cmdline_matches(&cl, &n, &sel);
    assert_int_equal(n, 8); /* move-down ... move-right, move-item-up/down */
    assert_int_equal(sel, n);
    assert_string_equal(m[0], "move-down");
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "move-down");
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "move-up");
    cmdline_matches(&cl, &n, &sel);
    assert_int_equal(sel, 1);
    cmdline_key(&cl, KC_BTAB, &comp);
    assert_string_equal(cmdline_text(&cl), "move-down");
    cmdline_key(&cl, KC_BTAB, &comp);
    assert_string_equal(cmdline_text(&cl), "move-item-down"); /* wraps to the last */
    /* Another key ends the cycle. */
    cmdline_key(&cl, ' ', &comp);
    cmdline_matches(&cl, &n, &sel);
    assert_int_equal(n, 0);
    /* Arguments complete from the lists the caller gave. */
    cmdline_reset(&cl, "theme l");
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "theme light ");
    cmdline_reset(&cl, "theme ");
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "theme default");
    cmdline_reset(&cl, "types co"); /* contacts, companies: cycles at once */
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "types contacts");
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "types companies");
    /* :sync takes --full and any number of object types, as `hubtui sync` does. */
    cmdline_reset(&cl, "sync --f");
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "sync --full ");
    cmdline_key(&cl, 'd', &comp);
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "sync --full deals ");
    cmdline_key(&cl, 't', &comp);
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "sync --full deals tickets ");
    /* Other actions take one argument: the second word completes nothing. */
    cmdline_reset(&cl, "types contacts d");
    assert_int_equal(cmdline_key(&cl, KC_TAB, &comp), CMDLINE_MOVED);
    /* Case does not matter when matching. */
    cmdline_reset(&cl, "THEME HIGH");
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "THEME high-contrast ");
    /* No candidates: nothing changes. */
    cmdline_reset(&cl, "frobnicate x");
    assert_int_equal(cmdline_key(&cl, KC_TAB, &comp), CMDLINE_MOVED);
    assert_string_equal(cmdline_text(&cl), "frobnicate x");
    cmdline_reset(&cl, "quit now");
    assert_int_equal(cmdline_key(&cl, KC_TAB, &comp), CMDLINE_MOVED);
    /* Completing in the middle keeps what follows the cursor. */
    cmdline_reset(&cl, "the light");
    cl.cursor = 3;
    cmdline_key(&cl, KC_TAB, &comp);
    assert_string_equal(cmdline_text(&cl), "theme  light");
    cmdline_free(&cl);
}

static void test_view_scrolls(void **state)
{
    cmdline cl;
    cmdline_init(&cl);
    size_t start;
    int col;
    type(&cl, "abc");
    cmdline_view(&cl, 10, &start, &col);
    assert_int_equal(start, 0);
    assert_int_equal(col, 3);
    cmdline_reset(&cl, "0123456789abcdefghij");
    cmdline_view(&cl, 10, &start, &col);
    assert_true(col >= 0 && col < 10);
    assert_int_equal(text_width(cmdline_text(&cl) + start, 0) - (int)(strlen(cmdline_text(&cl)) - cl.cursor), col);
    keys(&cl, NULL, 1, KC_HOME);
    cmdline_view(&cl, 10, &start, &col);
    assert_int_equal(start, 0);
    assert_int_equal(col, 0);
    /* Wide characters: the start never falls inside one. */
    cmdline_reset(&cl, "\xE6\xBC\xA2\xE6\xBC\xA2\xE6\xBC\xA2\xE6\xBC\xA2\xE6\xBC\xA2\xE6\xBC\xA2\xE6\xBC\xA2");
    for (int w = 2; w < 16; w++) {
        cl.scroll = 0;
        keys(&cl, NULL, 1, KC_END);
        cmdline_view(&cl, w, &start, &col);
        assert_int_equal(start % 3, 0);
        assert_true(col >= 0 && col < w);
        keys(&cl, NULL, 1, KC_LEFT);
        cmdline_view(&cl, w, &start, &col);
        assert_int_equal(start % 3, 0);
        assert_true(col >= 0 && col < w);
    }
    cmdline_view(&cl, 0, &start, &col);
    assert_int_equal(col, 0);
    cmdline_free(&cl);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typing_and_moving),
        cmocka_unit_test(test_kill_keys),
        cmocka_unit_test(test_submit_cancel_history),
        cmocka_unit_test(test_insert_sanitizes),
        cmocka_unit_test(test_complete_commands),
        cmocka_unit_test(test_view_scrolls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
