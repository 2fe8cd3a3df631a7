/* Unit tests for tui/keymap and tui/actions: key names both ways, the
 * compiled-in defaults, user overrides per view, and error reporting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"
#include "util.h"

static key_code parse(const char *name)
{
    key_code k = KC_NONE;
    if (!keymap_key_parse(name, &k))
        fail_msg("cannot parse key '%s'", name);
    return k;
}

static void expect_name(key_code k, const char *want)
{
    char buf[KEY_NAME_MAX];
    assert_string_equal(keymap_key_name(k, buf), want);
}

static void test_key_parse(void **state)
{
    assert_int_equal(parse("j"), 'j');
    assert_int_equal(parse("G"), 'G');
    assert_int_equal(parse("C-d"), 4);
    assert_int_equal(parse("C-D"), 4);
    assert_int_equal(parse("c-d"), 4);
    assert_int_equal(parse("M-x"), KC_META | 'x');
    assert_int_equal(parse("M-C-x"), KC_META | 24);
    assert_int_equal(parse("S-Tab"), KC_BTAB);
    assert_int_equal(parse("backtab"), KC_BTAB);
    assert_int_equal(parse("Enter"), KC_ENTER);
    assert_int_equal(parse("Return"), KC_ENTER);
    assert_int_equal(parse("C-m"), KC_ENTER);
    assert_int_equal(parse("C-j"), KC_ENTER);
    assert_int_equal(parse("Backspace"), KC_BACKSPACE);
    assert_int_equal(parse("C-h"), KC_BACKSPACE);
    assert_int_equal(parse("Tab"), KC_TAB);
    assert_int_equal(parse("C-i"), KC_TAB);
    assert_int_equal(parse("Esc"), KC_ESC);
    assert_int_equal(parse("C-["), KC_ESC);
    assert_int_equal(parse("Space"), ' ');
    assert_int_equal(parse("C-Space"), 0);
    assert_int_equal(parse("PgDn"), KC_PGDN);
    assert_int_equal(parse("PageDown"), KC_PGDN);
    assert_int_equal(parse("Home"), KC_HOME);
    assert_int_equal(parse("F1"), KC_F(1));
    assert_int_equal(parse("F24"), KC_F(24));
    assert_int_equal(parse("LeftBracket"), '[');
    assert_int_equal(parse("["), '[');
    assert_int_equal(parse("Hash"), '#');
    assert_int_equal(parse("\xC3\xA9"), 0xE9); /* é */
    assert_int_equal(parse("WheelUp"), KC_WHEEL_UP);
    const char *bad[] = {"", "F0", "F25", "F1x", "C-", "C-ab", "C-1", "jj", "Frobnicate",
                         "M-", "\x01", "\xFF", "\xC3\xA9x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        key_code k;
        if (keymap_key_parse(bad[i], &k))
            fail_msg("'%s' should not parse", bad[i]);
    }
}

static void test_key_names(void **state)
{
    expect_name('j', "j");
    expect_name(4, "C-d");
    expect_name(KC_BTAB, "S-Tab");
    expect_name(KC_ENTER, "Enter");
    expect_name(13, "Enter");
    expect_name(127, "Backspace");
    expect_name(8, "Backspace");
    expect_name(KC_TAB, "Tab");
    expect_name(KC_ESC, "Esc");
    expect_name(' ', "Space");
    expect_name(0, "C-Space");
    expect_name(28, "C-\\");
    expect_name(KC_PGDN, "PgDn");
    expect_name(KC_F(12), "F12");
    expect_name(KC_META | 'x', "M-x");
    expect_name(KC_META | KC_ENTER, "M-Enter");
    expect_name('[', "[");
    expect_name(0x6F22, "\xE6\xBC\xA2");
    expect_name(-5, "?");
    expect_name(0x7FFFFFF, "?");
    expect_name(0x9B, "?");
}

/* Every name printed parses back to the same key. */
static void test_key_roundtrip(void **state)
{
    key_code samples[] = {'a', 'Z', '?', '/', ':', '[', ']', '*', '#', ';', '=', 0, 1, 4, 26,
                          28, 29, 30, 31, KC_TAB, KC_ESC, ' ', 0xE9, 0x1F600, KC_F(1), KC_F(24)};
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        for (int meta = 0; meta < 2; meta++) {
            key_code k = samples[i] | (meta ? KC_META : 0);
            char buf[KEY_NAME_MAX];
            assert_int_equal(parse(keymap_key_name(k, buf)), k);
        }
    }
    for (key_code k = KC_SPECIAL_BASE; k < KC_F0; k++) {
        char buf[KEY_NAME_MAX];
        assert_int_equal(parse(keymap_key_name(k, buf)), k);
    }
}

static void test_defaults(void **state)
{
    keymap *km = keymap_new();
    diag_list d = {0};
    assert_int_equal(keymap_load_defaults(km, &d), 0);
    assert_int_equal(d.n, 0);
    struct { const char *key; view_kind view; action_id want; } cases[] = {
        {"j", VIEW_LIST, ACT_MOVE_DOWN},     {"Down", VIEW_DETAIL, ACT_MOVE_DOWN},
        {"k", VIEW_LIST, ACT_MOVE_UP},       {"g", VIEW_LIST, ACT_MOVE_FIRST},
        {"G", VIEW_LIST, ACT_MOVE_LAST},     {"C-d", VIEW_LIST, ACT_HALF_DOWN},
        {"C-u", VIEW_LIST, ACT_HALF_UP},     {"PgDn", VIEW_LIST, ACT_PAGE_DOWN},
        {"PgUp", VIEW_LIST, ACT_PAGE_UP},    {"Home", VIEW_LIST, ACT_MOVE_FIRST},
        {"End", VIEW_LIST, ACT_MOVE_LAST},   {"Tab", VIEW_LIST, ACT_FOCUS_NEXT},
        {"S-Tab", VIEW_LIST, ACT_FOCUS_PREV}, {"Enter", VIEW_LIST, ACT_OPEN},
        {"Backspace", VIEW_LIST, ACT_BACK},  {"[", VIEW_GRAPH, ACT_BACK},
        {"]", VIEW_GRAPH, ACT_FORWARD},      {"/", VIEW_LIST, ACT_FILTER},
        {"n", VIEW_LIST, ACT_NEXT_MATCH},    {"N", VIEW_LIST, ACT_PREV_MATCH},
        {"?", VIEW_LIST, ACT_HELP},          {":", VIEW_LIST, ACT_COMMAND},
        {"q", VIEW_LIST, ACT_QUIT},          {"e", VIEW_DETAIL, ACT_EDIT},
        {"E", VIEW_LIST, ACT_BULK_EDIT},     {"Space", VIEW_LIST, ACT_MARK},
        {"V", VIEW_LIST, ACT_MARK_RANGE},    {"*", VIEW_LIST, ACT_MARK_MATCHING},
        {"U", VIEW_LIST, ACT_CLEAR_MARKS},   {"u", VIEW_LIST, ACT_UNDO},
        {"P", VIEW_LIST, ACT_PUSH},          {"y", VIEW_DETAIL, ACT_COPY},
        {"Esc", VIEW_LIST, ACT_CANCEL},      {"C-c", VIEW_LIST, ACT_QUIT},
        {"C-z", VIEW_LIST, ACT_SUSPEND},     {"a", VIEW_DETAIL, ACT_GRAPH},
        {"p", VIEW_LIST, ACT_QUEUE},         {"S", VIEW_LIST, ACT_SYNC},
        /* The help overlay closes on q and ?, instead of quitting. */
        {"q", VIEW_HELP, ACT_BACK},          {"?", VIEW_HELP, ACT_BACK},
        {"j", VIEW_HELP, ACT_MOVE_DOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const key_binding *b = keymap_lookup(km, cases[i].view, parse(cases[i].key));
        if (!b || b->action != cases[i].want)
            fail_msg("%s in %s: got %s", cases[i].key, view_kind_title(cases[i].view),
                     b ? action_get(b->action)->name : "nothing");
    }
    assert_null(keymap_lookup(km, VIEW_LIST, parse("M-z")));
    keymap_free(km);
}

/* Every action except the command-only ones has a default key in some
 * view it applies to, so the help overlay is never missing half the
 * program. */
static void test_defaults_cover_actions(void **state)
{
    keymap *km = keymap_new();
    assert_int_equal(keymap_load_defaults(km, NULL), 0);
    const action_id command_only[] = {ACT_THEME, ACT_PORTAL, ACT_ABOUT, ACT_TOGGLE_MOUSE,
                                      ACT_ONLINE, ACT_OFFLINE};
    for (int a = 1; a < ACTION_COUNT; a++) {
        bool exempt = false;
        for (size_t i = 0; i < sizeof command_only / sizeof *command_only; i++)
            exempt |= command_only[i] == (action_id)a;
        key_code keys[8];
        size_t n = 0;
        for (int v = 0; v < VIEW_KIND_COUNT; v++)
            if (v == VIEW_GLOBAL || action_applies((action_id)a, (view_kind)v))
                n += keymap_keys_for(km, (view_kind)v, (action_id)a, keys, 8);
        if (!exempt && n == 0)
            fail_msg("action %s has no default key", action_get((action_id)a)->name);
    }
    keymap_free(km);
}

static void test_user_overrides(void **state)
{
    keymap *km = keymap_new();
    assert_int_equal(keymap_load_defaults(km, NULL), 0);
    const char *user =
        "[portal prod]\n"                 /* not ours: ignored */
        "base_url = https://example.invalid\n"
        "[keys]\n"
        "C-n = move-down\n"
        "j = none\n"                      /* j no longer moves */
        "F5 = theme high-contrast\n"
        "[keys.list]\n"
        "x = mark\n"
        "q = back\n"                      /* q goes back in lists only */
        "[keys.detail]\n"
        "C-n = none\n";                   /* hidden in detail */
    diag_list d = {0};
    assert_int_equal(keymap_load_string(km, user, "config", &d), 0);
    const key_binding *b = keymap_lookup(km, VIEW_LIST, parse("C-n"));
    assert_non_null(b);
    assert_int_equal(b->action, ACT_MOVE_DOWN);
    assert_null(keymap_lookup(km, VIEW_LIST, parse("j")));
    assert_null(keymap_lookup(km, VIEW_DETAIL, parse("C-n")));
    b = keymap_lookup(km, VIEW_ABOUT, parse("F5"));
    assert_int_equal(b->action, ACT_THEME);
    assert_string_equal(b->arg, "high-contrast");
    assert_int_equal(keymap_lookup(km, VIEW_LIST, parse("q"))->action, ACT_BACK);
    assert_int_equal(keymap_lookup(km, VIEW_DETAIL, parse("q"))->action, ACT_QUIT);
    assert_int_equal(keymap_lookup(km, VIEW_LIST, parse("x"))->action, ACT_MARK);
    assert_null(keymap_lookup(km, VIEW_DETAIL, parse("x")));
    /* keys_for: the view's own keys, then global ones it does not hide. */
    key_code keys[8];
    size_t n = keymap_keys_for(km, VIEW_LIST, ACT_MOVE_DOWN, keys, 8);
    assert_int_equal(n, 2); /* Down, C-n (j was unbound) */
    assert_int_equal(keys[0], KC_DOWN);
    assert_int_equal(keys[1], KC_CTRL('n'));
    n = keymap_keys_for(km, VIEW_DETAIL, ACT_MOVE_DOWN, keys, 8);
    assert_int_equal(n, 1);
    n = keymap_keys_for(km, VIEW_LIST, ACT_QUIT, keys, 8);
    assert_int_equal(n, 1); /* C-c; q is back here */
    assert_int_equal(keys[0], KC_CTRL('c'));
    n = keymap_keys_for(km, VIEW_LIST, ACT_MARK, keys, 1);
    assert_int_equal(n, 2); /* x and Space, only one stored */
    assert_int_equal(keys[0], 'x');
    diag_clear(&d);
    keymap_free(km);
}

static void test_errors_reported(void **state)
{
    keymap *km = keymap_new();
    const char *text =
        "[keys]\n"
        "j = move-down\n"
        "Frob = move-up\n"              /* 3: bad key */
        "k = fly-away\n"                /* 4: bad action */
        "l = move-down now\n"           /* 5: argument to a no-argument action */
        "m = move-up\n"
        "[keys.nowhere]\n"
        "a = quit\n"                    /* 8: unknown view, reported once */
        "b = quit\n"
        "[keys.list]\n"
        "just garbage\n"                /* 11: syntax */
        "C-n = move-down\n";
    diag_list d = {0};
    assert_int_equal(keymap_load_string(km, text, "config", &d), 5);
    assert_int_equal(d.n, 5);
    assert_string_equal(d.items[0], "config:3: unknown key name 'Frob'");
    assert_string_equal(d.items[1], "config:4: unknown action 'fly-away'");
    assert_string_equal(d.items[2], "config:5: 'move-down' takes no argument");
    assert_true(str_starts_with(d.items[3], "config:8: unknown view in [keys.nowhere]"));
    assert_true(str_starts_with(d.items[4], "config:11: "));
    /* The good lines still loaded. */
    assert_int_equal(keymap_lookup(km, VIEW_LIST, 'j')->action, ACT_MOVE_DOWN);
    assert_int_equal(keymap_lookup(km, VIEW_LIST, 'm')->action, ACT_MOVE_UP);
    assert_int_equal(keymap_lookup(km, VIEW_LIST, KC_CTRL('n'))->action, ACT_MOVE_DOWN);
    assert_null(keymap_lookup(km, VIEW_LIST, 'a'));
    diag_clear(&d);
    ht_error err;
    assert_int_equal(keymap_load_file(km, "/nonexistent/hubtui/config", &d, &err), -1);
    assert_int_equal(err.status, HT_NOT_FOUND);
    keymap_free(km);
}

static void test_actions_table(void **state)
{
    assert_int_equal(action_by_name("move-down"), ACT_MOVE_DOWN);
    assert_int_equal(action_by_name("q"), ACT_QUIT);
    assert_int_equal(action_by_name("nope"), ACTION_NONE);
    assert_int_equal(action_by_name(""), ACTION_NONE);
    assert_string_equal(action_get(ACTION_COUNT + 3)->name, "none");
    assert_true(action_applies(ACT_EDIT, VIEW_DETAIL));
    assert_false(action_applies(ACT_EDIT, VIEW_HELP));
    assert_true(action_applies(ACT_QUIT, VIEW_HELP));
    /* Names are unique, lowercase-with-dashes, and every row has help. */
    for (int a = 1; a < ACTION_COUNT; a++) {
        const action_info *ai = action_get((action_id)a);
        assert_int_equal(action_by_name(ai->name), a);
        assert_true(strlen(ai->help) > 5);
        for (const char *p = ai->name; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || *p == '-');
        assert_true(ai->group < AG_COUNT);
    }
    char line[] = "  theme   high-contrast  ";
    action_call call;
    assert_true(action_parse_command(line, &call));
    assert_int_equal(call.id, ACT_THEME);
    assert_string_equal(call.arg, "high-contrast");
    char line2[] = "quit";
    assert_true(action_parse_command(line2, &call));
    assert_null(call.arg);
    char line3[] = "   ";
    assert_false(action_parse_command(line3, &call));
    view_kind vk;
    assert_true(view_kind_by_section("graph", &vk));
    assert_int_equal(vk, VIEW_GRAPH);
    assert_false(view_kind_by_section("nope", &vk));
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_parse),
        cmocka_unit_test(test_key_names),
        cmocka_unit_test(test_key_roundtrip),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_defaults_cover_actions),
        cmocka_unit_test(test_user_overrides),
        cmocka_unit_test(test_errors_reported),
        cmocka_unit_test(test_actions_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
