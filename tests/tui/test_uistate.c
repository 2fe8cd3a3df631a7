/* Unit tests for tui/uistate: where the user left off survives a save and
 * a load (lists with filter, sort, columns, position and anchor; flags;
 * the last object per portal), and a missing or damaged file starts fresh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "tmpdir.h"
#include "uistate.h"
#include "util.h"

static void test_roundtrip(void **state)
{
    char dir[] = "/tmp/hubtui-uistate-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/deep/er/state.json", dir);
    uistate *s = uistate_load(path);
    assert_null(uistate_last_object(s, "acme"));
    list_state ls = {0};
    assert_false(uistate_get_list(s, "acme", "contacts", &ls));

    char *cols[] = {"firstname", "email"};
    list_state put = {.filter = "lifecyclestage = lead", .has_sort = true, .sort = "lastname",
                      .desc = true, .columns = cols, .ncolumns = 2, .top = 1200, .cursor = 1207,
                      .anchor = {.valid = true, .key_type = 3, .key_t = "Smith", .id = 51}};
    uistate_put_list(s, "acme", "contacts", &put);
    uistate_set_last_object(s, "acme", "deals");
    uistate_set_flag(s, "acme", "hide_empty", true);
    uistate_set_last_object(s, NULL, "tickets"); /* the unnamed portal */
    ht_error err;
    assert_int_equal(uistate_save(s, &err), HT_OK);
    uistate_free(s);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    s = uistate_load(path);
    assert_string_equal(uistate_last_object(s, "acme"), "deals");
    assert_string_equal(uistate_last_object(s, NULL), "tickets");
    assert_true(uistate_get_flag(s, "acme", "hide_empty", false));
    assert_false(uistate_get_flag(s, "other", "hide_empty", false));
    assert_true(uistate_get_list(s, "acme", "contacts", &ls));
    assert_string_equal(ls.filter, "lifecyclestage = lead");
    assert_true(ls.has_sort);
    assert_string_equal(ls.sort, "lastname");
    assert_true(ls.desc);
    assert_int_equal(ls.ncolumns, 2);
    assert_string_equal(ls.columns[1], "email");
    assert_int_equal(ls.top, 1200);
    assert_int_equal(ls.cursor, 1207);
    assert_true(ls.anchor.valid);
    assert_int_equal(ls.anchor.id, 51);
    assert_string_equal(ls.anchor.key_t, "Smith");
    list_state copy;
    list_state_copy(&copy, &ls);
    list_state_clear(&ls);
    assert_string_equal(copy.columns[0], "firstname");
    list_state_clear(&copy);
    uistate_free(s);

    /* Damaged: start fresh, and saving replaces it. */
    FILE *f = fopen(path, "w");
    fputs("{not json", f);
    fclose(f);
    s = uistate_load(path);
    assert_null(uistate_last_object(s, "acme"));
    assert_int_equal(uistate_save(s, &err), HT_OK);
    uistate_free(s);
    free(path);
    tmpdir_remove(dir);
}

static void test_default_path(void **state)
{
    setenv("XDG_STATE_HOME", "/x/state", 1);
    char *p = uistate_default_path();
    assert_string_equal(p, "/x/state/hubtui/state.json");
    free(p);
    unsetenv("XDG_STATE_HOME");
    setenv("HOME", "/home/u", 1);
    p = uistate_default_path();
    assert_string_equal(p, "/home/u/.local/state/hubtui/state.json");
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_default_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
