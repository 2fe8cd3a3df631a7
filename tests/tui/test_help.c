/* Unit tests for the help overlay's content: generated from the action
 * table and the keymap in effect, grouped, filtered, with what does not
 * apply in the current view marked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "help.h"

static const help_line *find_entry(const help_lines *hl, const char *name)
{
    for (size_t i = 0; i < hl->n; i++)
        if (hl->v[i].kind == HELP_ENTRY && strcmp(hl->v[i].name, name) == 0)
            return &hl->v[i];
    return NULL;
}

/* The entry for an action that must be there. */
static const help_line *entry(const help_lines *hl, const char *name)
{
    static const help_line none = {.keys = "(missing)", .name = "", .desc = ""};
    const help_line *l = find_entry(hl, name);
    if (!l)
        fail_msg("no help entry for %s", name);
    return l ? l : &none;
}

static void test_every_action_listed(void **state)
{
    keymap *km = keymap_new();
    keymap_load_defaults(km, NULL);
    help_lines hl;
    help_build(km, VIEW_LIST, NULL, &hl);
    size_t entries = 0, groups = 0;
    for (size_t i = 0; i < hl.n; i++) {
        entries += hl.v[i].kind == HELP_ENTRY;
        groups += hl.v[i].kind == HELP_GROUP;
    }
    assert_int_equal(entries, ACTION_COUNT - 1);
    assert_int_equal(groups, AG_COUNT);
    assert_int_equal(hl.v[0].kind, HELP_INTRO);
    assert_non_null(strstr(hl.v[0].name, "Record list"));
    assert_string_equal(entry(&hl, "move-down")->keys, "j Down");
    assert_string_equal(entry(&hl, "page-down")->keys, "PgDn C-f");
    assert_string_equal(entry(&hl, "back")->keys, "Backspace [");
    assert_string_equal(entry(&hl, "quit")->keys, "q C-c");
    assert_string_equal(entry(&hl, "theme")->keys, "");
    assert_true(entry(&hl, "mark")->applies);
    assert_false(entry(&hl, "toggle-empty")->applies); /* detail only */
    /* Entries follow their group title, groups in table order. */
    int last_group = -1;
    for (size_t i = 0; i < hl.n; i++)
        if (hl.v[i].kind == HELP_ENTRY) {
            int g = (int)action_get(hl.v[i].action)->group;
            assert_true(g >= last_group);
            last_group = g;
        }
    help_lines_free(&hl);

    /* In the help view itself, q and ? close it. */
    help_build(km, VIEW_HELP, NULL, &hl);
    assert_string_equal(entry(&hl, "back")->keys, "q ? F1 Backspace [");
    assert_string_equal(entry(&hl, "quit")->keys, "C-c");
    assert_string_equal(entry(&hl, "help")->keys, "");
    help_lines_free(&hl);
    keymap_free(km);
}

static void test_user_keys_shown(void **state)
{
    keymap *km = keymap_new();
    keymap_load_defaults(km, NULL);
    keymap_load_string(km, "[keys]\nj = none\nC-n = move-down\nF5 = theme light\n", "cfg", NULL);
    help_lines hl;
    help_build(km, VIEW_DETAIL, NULL, &hl);
    assert_string_equal(entry(&hl, "move-down")->keys, "Down C-n");
    assert_string_equal(entry(&hl, "theme")->keys, "F5");
    assert_true(entry(&hl, "toggle-empty")->applies);
    assert_false(entry(&hl, "mark")->applies);
    help_lines_free(&hl);
    keymap_free(km);
}

static void test_filter(void **state)
{
    keymap *km = keymap_new();
    keymap_load_defaults(km, NULL);
    help_lines hl;
    help_build(km, VIEW_LIST, "THEME", &hl);
    size_t entries = 0;
    for (size_t i = 0; i < hl.n; i++)
        if (hl.v[i].kind == HELP_ENTRY) {
            entries++;
            assert_true(strstr(hl.v[i].name, "theme") || strcasestr(hl.v[i].desc, "theme"));
        }
    assert_int_equal(entries, 2); /* theme, about ("... and theme details") */
    /* Only groups with a match show. */
    size_t groups = 0;
    for (size_t i = 0; i < hl.n; i++)
        groups += hl.v[i].kind == HELP_GROUP;
    assert_int_equal(groups, 1);
    help_lines_free(&hl);
    /* Keys match too. */
    help_build(km, VIEW_LIST, "PgDn", &hl);
    assert_non_null(find_entry(&hl, "page-down"));
    assert_null(find_entry(&hl, "move-down"));
    help_lines_free(&hl);
    help_build(km, VIEW_LIST, "no such thing at all", &hl);
    assert_int_equal(hl.n, 1); /* the intro only */
    help_lines_free(&hl);
    keymap_free(km);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_action_listed),
        cmocka_unit_test(test_user_keys_shown),
        cmocka_unit_test(test_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
