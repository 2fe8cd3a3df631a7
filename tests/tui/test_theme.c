/* Unit tests for tui/theme: the shipped theme files, the parser and its
 * error reports, inheritance, and resolution for every colour tier, plus
 * programming a real curses screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "theme.h"
#include "tmpdir.h"
#include "util.h"

static char *themes_dir(void)
{
    const char *d = getenv("HUBTUI_THEMES_DIR");
    if (!d)
        fail_msg("HUBTUI_THEMES_DIR is not set (run through meson test)");
    return xstrdup(d);
}

/* dirs = {HUBTUI_THEMES_DIR, extra (may be NULL)} */
static char **test_dirs(const char *extra)
{
    char **dirs = xcalloc(3, sizeof *dirs);
    int n = 0;
    if (extra)
        dirs[n++] = xstrdup(extra);
    dirs[n++] = themes_dir();
    return dirs;
}

static theme_resolved *resolve(const theme *t, color_tier tier)
{
    theme_resolved *r = xmalloc(sizeof *r);
    theme_resolve(t, tier, true, r);
    return r;
}

static void test_role_table(void **state)
{
    for (int r = 0; r < ROLE_COUNT; r++) {
        theme_role back;
        assert_true(theme_role_by_name(theme_role_name((theme_role)r), &back));
        assert_int_equal(back, r);
        /* Every fallback chain ends at default without a loop. */
        theme_role cur = (theme_role)r;
        int steps = 0;
        while (cur != ROLE_DEFAULT && steps++ < ROLE_COUNT)
            cur = theme_role_fallback(cur);
        assert_int_equal(cur, ROLE_DEFAULT);
    }
    theme_role out;
    assert_false(theme_role_by_name("row.marke", &out));
    /* The roles UX.md lists are all there. */
    const char *wanted[] = {
        "default", "title.focus", "title.blur", "border.focus", "border.blur", "header",
        "header.sort", "status", "status.info", "status.warn", "status.error", "prompt",
        "cursor", "cursor.blur", "row.marked", "row.visual", "search.match", "filter.active",
        "help.key", "help.desc", "field.label", "field.value", "field.readonly", "field.empty",
        "field.pending", "field.error", "value.number", "value.currency", "value.date",
        "value.email", "value.owner", "obj.contact", "obj.company", "obj.deal", "obj.ticket",
        "deal.stage.open", "deal.stage.won", "deal.stage.lost", "sync.pending", "sync.sending",
        "sync.failed", "sync.conflict", "sync.offline", "graph.node", "graph.node.focus",
        "graph.edge", "graph.label"};
    for (size_t i = 0; i < sizeof wanted / sizeof *wanted; i++)
        if (!theme_role_by_name(wanted[i], &out))
            fail_msg("role %s missing", wanted[i]);
}

static const char *shipped[] = {"default", "light", "high-contrast", "monochrome", "production"};

/* Every shipped theme loads without a single complaint. */
static void test_shipped_themes_clean(void **state)
{
    char **dirs = test_dirs(NULL);
    for (size_t i = 0; i < sizeof shipped / sizeof *shipped; i++) {
        diag_list d = {0};
        ht_error err;
        theme *t = theme_load(shipped[i], dirs, &d, &err);
        if (!t)
            fail_msg("%s: %s", shipped[i], err.message);
        for (size_t k = 0; k < d.n; k++)
            print_error("%s\n", d.items[k]);
        assert_int_equal(d.n, 0);
        assert_string_equal(theme_name(t), shipped[i]);
        theme_free(t);
        diag_clear(&d);
    }
    char **names = theme_list(dirs);
    for (size_t i = 0; i < sizeof shipped / sizeof *shipped; i++) {
        bool found = false;
        for (char **n = names; *n; n++)
            found |= strcmp(*n, shipped[i]) == 0;
        assert_true(found);
    }
    theme_dirs_free(names);
    theme_dirs_free(dirs);
}

/* The compiled-in default is byte for byte the file in themes/. */
static void test_builtin_is_the_file(void **state)
{
    char *dir = themes_dir();
    char *path = xasprintf("%s/default.theme", dir);
    char *text = tmpdir_read_file(path);
    assert_non_null(text);
    assert_string_equal(text, theme_default_text);
    free(text);
    free(path);
    free(dir);
    diag_list d = {0};
    theme *t = theme_load_builtin(&d);
    assert_int_equal(d.n, 0);
    theme_free(t);
    /* With no directories at all, "default" still loads (built in). */
    ht_error err;
    t = theme_load("default", NULL, &d, &err);
    assert_non_null(t);
    theme_free(t);
    assert_null(theme_load("light", NULL, &d, &err));
    assert_int_equal(err.status, HT_NOT_FOUND);
    assert_null(theme_load("../etc/passwd", NULL, &d, &err));
    assert_int_equal(err.status, HT_INVALID);
}

static void test_errors_reported(void **state)
{
    const char *text =
        "[theme]\n"
        "name = broken\n"
        "colour = blue\n"                       /* 3: unknown key */
        "[palette]\n"
        "accent = #5fafd7|74|cyan\n"
        "oops = #12345|300|nocolour\n"          /* 6: three bad alternatives */
        "[colors]\n"
        "cursor = black $accent bold\n"
        "row.marked = yellow - bold,sparkly\n"  /* 9: unknown attribute */
        "row.sparkly = red\n"                   /* 10: unknown role */
        "status = $nothere blue\n"              /* 11: unknown palette ref */
        "header = 256 -\n"                      /* 12: out of range */
        "[fonts]\n"                             /* 13: unknown section, reported once */
        "size = 12\n"
        "weight = bold\n"
        "[colors]\n"
        "prompt = green\n";
    diag_list d = {0};
    theme *t = theme_load_string(text, "broken.theme", "broken", NULL, &d);
    for (size_t i = 0; i < d.n; i++)
        print_message("%s\n", d.items[i]);
    assert_int_equal(d.n, 7);
    assert_true(str_starts_with(d.items[0], "broken.theme:3: unknown key 'colour'"));
    assert_string_equal(d.items[1], "broken.theme:6: bad colour '#12345'; bad colour '300'; "
                                    "bad colour 'nocolour'");
    assert_string_equal(d.items[2], "broken.theme:9: unknown attribute 'sparkly'");
    assert_string_equal(d.items[3], "broken.theme:10: unknown role 'row.sparkly'");
    assert_string_equal(d.items[4], "broken.theme:12: bad colour '256'");
    assert_true(str_starts_with(d.items[5], "broken.theme:14: unknown section [fonts]"));
    assert_string_equal(d.items[6], "broken.theme:11: unknown palette colour '$nothere' for status");
    /* The good parts took effect. */
    theme_resolved *r = resolve(t, TIER_256);
    assert_int_equal(r->style[ROLE_CURSOR].fg, 0);
    assert_int_equal(r->style[ROLE_CURSOR].bg, 74);
    assert_int_equal(r->style[ROLE_CURSOR].attrs, TA_BOLD);
    assert_int_equal(r->style[ROLE_ROW_MARKED].fg, 3);   /* bold kept, sparkly dropped */
    assert_int_equal(r->style[ROLE_ROW_MARKED].attrs & TA_BOLD, TA_BOLD);
    assert_int_equal(r->style[ROLE_STATUS].fg, -1);      /* bad ref inherits */
    assert_int_equal(r->style[ROLE_STATUS].bg, 4);
    assert_int_equal(r->style[ROLE_PROMPT].fg, 2);
    free(r);
    theme_free(t);
    diag_clear(&d);
}

/* Values: names, numbers, #rgb, inheritance with '-', attributes. */
static void test_values_and_inheritance(void **state)
{
    const char *text =
        "[colors]\n"
        "default = white black\n"
        "status = #fff #000080 reverse\n"
        "status.warn = bright-yellow\n"         /* bg and attrs from status */
        "status.error = - red none\n"           /* fg from status.warn's chain */
        "cursor = 16 231 bold+underline\n"
        "row.marked = Gray -\n";
    diag_list d = {0};
    theme *t = theme_load_string(text, "t", "t", NULL, &d);
    assert_int_equal(d.n, 0);
    theme_resolved *r = resolve(t, TIER_256);
    assert_int_equal(r->style[ROLE_DEFAULT].fg, 7);
    assert_int_equal(r->style[ROLE_DEFAULT].bg, 0);
    assert_int_equal(r->style[ROLE_STATUS].fg, 231);   /* #ffffff */
    assert_int_equal(r->style[ROLE_STATUS].bg, 18);    /* #000080 → cube 0,0,135 */
    assert_int_equal(r->style[ROLE_STATUS].attrs, TA_REVERSE);
    /* status.warn falls back to status.info, which falls back to default. */
    assert_int_equal(r->style[ROLE_STATUS_WARN].fg, 11);
    assert_int_equal(r->style[ROLE_STATUS_WARN].bg, 0);
    assert_int_equal(r->style[ROLE_STATUS_ERROR].fg, 11);
    assert_int_equal(r->style[ROLE_STATUS_ERROR].bg, 1);
    assert_int_equal(r->style[ROLE_STATUS_ERROR].attrs, 0);
    assert_int_equal(r->style[ROLE_CURSOR].attrs, TA_BOLD | TA_UNDERLINE);
    /* cursor.blur is not set: it is the cursor. */
    assert_memory_equal(&r->style[ROLE_CURSOR_BLUR], &r->style[ROLE_CURSOR], sizeof(theme_style));
    assert_int_equal(r->style[ROLE_ROW_MARKED].fg, 8);
    /* topbar → status */
    assert_int_equal(r->style[ROLE_TOPBAR].bg, 18);
    free(r);
    theme_free(t);
}

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/hubtui-theme-test-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return xstrdup(tmpl);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    free(path);
}

static void remove_dir(char *dir, const char *const *names)
{
    for (; *names; names++) {
        char *path = xasprintf("%s/%s", dir, *names);
        unlink(path);
        free(path);
    }
    rmdir(dir);
    free(dir);
}

/* A child that only changes palette colours re-tints the parent's roles;
 * roles it sets replace the parent's; loops are reported, not followed. */
static void test_extends(void **state)
{
    char *dir = make_tmpdir();
    write_file(dir, "base.theme",
               "[palette]\naccent = #ff0000|196|red\n"
               "[colors]\ncursor = black $accent bold\nstatus = white $accent\n");
    write_file(dir, "child.theme",
               "[theme]\nextends = base\n"
               "[palette]\naccent = #00ff00|46|green\n"
               "[colors]\nstatus = yellow blue\n");
    write_file(dir, "loop-a.theme", "[theme]\nextends = loop-b\n[colors]\ncursor = red\n");
    write_file(dir, "loop-b.theme", "[theme]\nextends = loop-a\n[colors]\nstatus = blue\n");
    write_file(dir, "orphan.theme", "[theme]\nextends = missing\n[colors]\ncursor = red\n");
    char *dirs[] = {dir, NULL};
    diag_list d = {0};
    ht_error err;
    theme *t = theme_load("child", dirs, &d, &err);
    assert_non_null(t);
    assert_int_equal(d.n, 0);
    assert_string_equal(theme_name(t), "child");
    theme_resolved *r = resolve(t, TIER_256);
    assert_int_equal(r->style[ROLE_CURSOR].bg, 46);
    assert_int_equal(r->style[ROLE_CURSOR].attrs, TA_BOLD);
    assert_int_equal(r->style[ROLE_STATUS].fg, 3);
    assert_int_equal(r->style[ROLE_STATUS].bg, 4);
    free(r);
    theme_free(t);

    t = theme_load("loop-a", dirs, &d, &err);
    assert_non_null(t);
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.items[0], "extends itself"));
    diag_clear(&d);
    theme_free(t);

    t = theme_load("orphan", dirs, &d, &err);
    assert_non_null(t);
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.items[0], "no theme called 'missing'"));
    diag_clear(&d);
    theme_free(t);

    /* A user theme can extend the built-in default with no file for it. */
    write_file(dir, "mine.theme", "[theme]\nextends = default\n[palette]\naccent = #ff00ff|201|magenta\n");
    t = theme_load("mine", dirs, &d, &err);
    assert_int_equal(d.n, 0);
    r = resolve(t, TIER_256);
    assert_int_equal(r->style[ROLE_CURSOR].bg, 201);
    free(r);
    theme_free(t);
    const char *names[] = {"base.theme", "child.theme", "loop-a.theme", "loop-b.theme",
                           "orphan.theme", "mine.theme", NULL};
    remove_dir(dir, names);
}

/* The same palette entry becomes what each tier can show. */
static void test_tiers(void **state)
{
    const char *text =
        "[palette]\n"
        "accent = #5fafd7|74|cyan\n"
        "hot = #ff5f5f|203|bright-red\n"
        "[colors]\n"
        "cursor = black $accent bold\n"
        "row.marked = $hot -\n"
        "status = #123456 200\n";
    theme *t = theme_load_string(text, "t", "t", NULL, NULL);

    theme_resolved *r = resolve(t, TIER_DIRECT);
    assert_int_equal(r->style[ROLE_CURSOR].fg, 0);          /* names stay ANSI */
    assert_int_equal(r->style[ROLE_CURSOR].bg, 0x5fafd7);
    assert_int_equal(r->style[ROLE_ROW_MARKED].fg, 0xff5f5f);
    assert_int_equal(r->style[ROLE_STATUS].fg, 0x123456);
    assert_int_equal(r->style[ROLE_STATUS].bg, (int)color_index_rgb(200));
    free(r);

    r = resolve(t, TIER_RGB_PALETTE);
    /* Exact colours get slots from 255 down; 200 is used by the theme. */
    assert_int_equal(r->nslots, 3);
    for (int i = 0; i < r->nslots; i++)
        assert_true(r->slots[i].slot >= 16 && r->slots[i].slot != 200);
    int accent_slot = -1;
    for (int i = 0; i < r->nslots; i++)
        if (r->slots[i].rgb == 0x5fafd7)
            accent_slot = r->slots[i].slot;
    assert_int_equal(r->style[ROLE_CURSOR].bg, accent_slot);
    assert_int_equal(r->style[ROLE_CURSOR].fg, 0);
    assert_int_equal(r->style[ROLE_STATUS].bg, 200);
    free(r);

    r = resolve(t, TIER_256);
    assert_int_equal(r->style[ROLE_CURSOR].bg, 74);
    assert_int_equal(r->style[ROLE_ROW_MARKED].fg, 203);
    assert_int_equal(r->style[ROLE_STATUS].fg, color_nearest_256(0x123456));
    assert_int_equal(r->nslots, 0);
    free(r);

    r = resolve(t, TIER_16);
    assert_int_equal(r->style[ROLE_CURSOR].bg, 6);
    assert_int_equal(r->style[ROLE_ROW_MARKED].fg, 9);
    assert_true(r->style[ROLE_STATUS].bg < 16);
    free(r);

    r = resolve(t, TIER_8);
    assert_int_equal(r->style[ROLE_CURSOR].bg, 6);
    assert_int_equal(r->style[ROLE_ROW_MARKED].fg, 1);       /* bright red → red... */
    assert_true(r->style[ROLE_ROW_MARKED].attrs & TA_BOLD);  /* ...in bold */
    assert_true(r->style[ROLE_STATUS].fg < 8 && r->style[ROLE_STATUS].bg < 8);
    free(r);

    r = resolve(t, TIER_MONO);
    for (int i = 0; i < ROLE_COUNT; i++) {
        assert_int_equal(r->style[i].fg, -1);
        assert_int_equal(r->style[i].bg, -1);
    }
    assert_int_equal(r->style[ROLE_CURSOR].attrs, TA_BOLD | TA_REVERSE);
    assert_true(r->style[ROLE_ROW_MARKED].attrs & TA_BOLD);
    free(r);
    theme_free(t);
}

/* Colours that collapse into one on a poorer terminal get a readable
 * foreground instead of vanishing. */
static void test_contrast_guard(void **state)
{
    const char *text = "[colors]\nstatus = #3a3a3a #303030\nheader = #eeeeee #ffffff\n";
    theme *t = theme_load_string(text, "t", "t", NULL, NULL);
    theme_resolved *r = resolve(t, TIER_8);
    assert_int_equal(r->style[ROLE_STATUS].bg, 0);
    assert_int_equal(r->style[ROLE_STATUS].fg, 7);
    assert_int_equal(r->style[ROLE_HEADER].bg, 7);
    assert_int_equal(r->style[ROLE_HEADER].fg, 0);
    free(r);
    theme_free(t);
    /* Without usable default colours, default becomes white on black. */
    t = theme_load_string("[colors]\n", "t", "t", NULL, NULL);
    theme_resolved r2;
    theme_resolve(t, TIER_256, false, &r2);
    assert_int_equal(r2.style[ROLE_DEFAULT].fg, 7);
    assert_int_equal(r2.style[ROLE_DEFAULT].bg, 0);
    theme_free(t);
}

static bool styles_equal(const theme_style *a, const theme_style *b)
{
    return a->fg == b->fg && a->bg == b->bg && a->attrs == b->attrs;
}

/* In every shipped theme and every tier, the cursor, marked rows, bars and
 * errors look different from plain text, and no text is drawn in its own
 * background colour. */
static void test_every_theme_every_tier_visible(void **state)
{
    char **dirs = test_dirs(NULL);
    const theme_role distinct[] = {ROLE_CURSOR, ROLE_CURSOR_BLUR, ROLE_ROW_MARKED, ROLE_STATUS,
                                   ROLE_TOPBAR, ROLE_TITLE_FOCUS, ROLE_STATUS_ERROR,
                                   ROLE_SEARCH_MATCH, ROLE_FIELD_PENDING, ROLE_SYNC_CONFLICT};
    for (size_t i = 0; i < sizeof shipped / sizeof *shipped; i++) {
        theme *t = theme_load(shipped[i], dirs, NULL, NULL);
        for (int tier = TIER_MONO; tier <= TIER_DIRECT; tier++) {
            theme_resolved *r = resolve(t, (color_tier)tier);
            for (size_t k = 0; k < sizeof distinct / sizeof *distinct; k++)
                if (styles_equal(&r->style[distinct[k]], &r->style[ROLE_DEFAULT]))
                    fail_msg("%s, tier %s: %s looks like plain text", shipped[i],
                             theme_tier_name((color_tier)tier), theme_role_name(distinct[k]));
            if (styles_equal(&r->style[ROLE_CURSOR], &r->style[ROLE_ROW_MARKED]))
                fail_msg("%s, tier %s: cursor and marked rows look the same", shipped[i],
                         theme_tier_name((color_tier)tier));
            for (int role = 0; role < ROLE_COUNT; role++)
                if (r->style[role].fg >= 0 && r->style[role].fg == r->style[role].bg)
                    fail_msg("%s, tier %s: %s is invisible", shipped[i],
                             theme_tier_name((color_tier)tier), theme_role_name((theme_role)role));
            free(r);
        }
        theme_free(t);
    }
    theme_dirs_free(dirs);
}

static void test_detect_tier(void **state)
{
    struct {
        term_caps caps;
        color_tier want;
    } cases[] = {
        {{true, 256, false, NULL, NULL, NULL}, TIER_256},
        {{true, 256, true, NULL, NULL, NULL}, TIER_256},           /* no COLORTERM: no palette games */
        {{true, 256, true, "truecolor", NULL, NULL}, TIER_RGB_PALETTE},
        {{true, 256, true, "24bit", NULL, NULL}, TIER_RGB_PALETTE},
        {{true, 256, false, "truecolor", NULL, NULL}, TIER_256},   /* cannot redefine */
        {{true, 0x1000000, false, NULL, NULL, NULL}, TIER_DIRECT},
        {{true, 16, false, NULL, NULL, NULL}, TIER_16},
        {{true, 8, false, NULL, NULL, NULL}, TIER_8},
        {{false, 0, false, NULL, NULL, NULL}, TIER_MONO},          /* vt100 */
        {{true, 256, false, NULL, "1", NULL}, TIER_MONO},          /* NO_COLOR */
        {{true, 256, false, NULL, "", NULL}, TIER_256},            /* empty NO_COLOR is unset */
        {{true, 256, false, NULL, NULL, "8"}, TIER_8},
        {{true, 8, false, NULL, NULL, "256"}, TIER_8},             /* a cap, never more */
        {{true, 256, true, NULL, NULL, "truecolor"}, TIER_RGB_PALETTE},
        {{true, 256, false, NULL, NULL, "truecolor"}, TIER_256},
        {{true, 0x1000000, false, NULL, NULL, "256"}, TIER_256},
        {{true, 256, false, NULL, NULL, "mono"}, TIER_MONO},
        {{true, 256, false, NULL, NULL, "auto"}, TIER_256},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (theme_detect_tier(&cases[i].caps) != cases[i].want)
            fail_msg("case %zu: got %s", i, theme_tier_name(theme_detect_tier(&cases[i].caps)));
}

static void test_color_maths(void **state)
{
    assert_int_equal(color_index_rgb(16), 0x000000);
    assert_int_equal(color_index_rgb(21), 0x0000ff);
    assert_int_equal(color_index_rgb(74), 0x5fafd7);
    assert_int_equal(color_index_rgb(231), 0xffffff);
    assert_int_equal(color_index_rgb(232), 0x080808);
    assert_int_equal(color_index_rgb(255), 0xeeeeee);
    /* Every cube and grey colour maps back to its own index. */
    for (int i = 16; i < 256; i++) {
        int back = color_nearest_256(color_index_rgb(i));
        if (color_index_rgb(back) != color_index_rgb(i))
            fail_msg("index %d came back as %d", i, back);
    }
    assert_int_equal(color_nearest_256(0x5fafd8), 74);
    assert_int_equal(color_nearest_256(0x303030), 236);
    assert_int_equal(color_nearest_16(0xff0000, false), 9);
    assert_int_equal(color_nearest_16(0xff0000, true), 1);
    assert_int_equal(color_nearest_16(0x0a0a0a, false), 0);
    assert_int_equal(color_nearest_16(0xf0f0f0, true), 7);
}

/* theme_apply against a real curses screen (output to /dev/null). */
static void apply_on(const char *term, color_tier tier, const char *theme_name_, int check_role,
                     int want_fg, int want_bg)
{
    FILE *out = fopen("/dev/null", "w");
    FILE *in = fopen("/dev/null", "r");
    SCREEN *sp = newterm(term, out, in);
    if (!sp) {
        print_message("terminal %s not available, skipped\n", term);
        fclose(out);
        fclose(in);
        return;
    }
    start_color();
    use_default_colors();
    char **dirs = test_dirs(NULL);
    theme *t = theme_load(theme_name_, dirs, NULL, NULL);
    theme_resolved r;
    theme_resolve(t, tier, true, &r);
    theme_attrs attrs;
    assert_true(theme_apply(&r, &attrs));
    int fg, bg;
    int pair = (int)PAIR_NUMBER(attrs.attr[check_role]);
    assert_int_equal(pair, check_role + 1);
    assert_int_equal(extended_pair_content(pair, &fg, &bg), OK);
    assert_int_equal(fg, want_fg);
    assert_int_equal(bg, want_bg);
    assert_true(attrs.attr[ROLE_TITLE_FOCUS] & A_BOLD);
    theme_free(t);
    theme_dirs_free(dirs);
    endwin();
    delscreen(sp);
    fclose(out);
    fclose(in);
}

static void test_apply_curses(void **state)
{
    /* default: cursor = black on $accent (#5fafd7|74|cyan). */
    apply_on("xterm-256color", TIER_256, "default", ROLE_CURSOR, 0, 74);
    apply_on("xterm-direct", TIER_DIRECT, "default", ROLE_CURSOR, 0, 0x5fafd7);
    apply_on("screen", TIER_8, "default", ROLE_CURSOR, 0, 6);
    apply_on("xterm-256color", TIER_256, "default", ROLE_DEFAULT, -1, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_table),
        cmocka_unit_test(test_shipped_themes_clean),
        cmocka_unit_test(test_builtin_is_the_file),
        cmocka_unit_test(test_errors_reported),
        cmocka_unit_test(test_values_and_inheritance),
        cmocka_unit_test(test_extends),
        cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_contrast_guard),
        cmocka_unit_test(test_every_theme_every_tier_visible),
        cmocka_unit_test(test_detect_tier),
        cmocka_unit_test(test_color_maths),
        cmocka_unit_test(test_apply_curses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
