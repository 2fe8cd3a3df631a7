#include "tui.h"
#include "browser.h"
#include "ini.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *tui_config_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (!str_empty(xdg))
        return xasprintf("%s/hubtui/config", xdg);
    const char *home = getenv("HOME");
    return xasprintf("%s/.config/hubtui/config", str_empty(home) ? "." : home);
}

/* The [ui] section of the config: the look and feel. */
typedef struct ui_config {
    char *theme;
    char *colors;
    bool mouse;
    diag_list diags;
    int refused_line; /* the [ui] line we just refused */
} ui_config;

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool ui_value(ui_config *ui, const char *key, const char *value, char *why, size_t whylen)
{
    if (strcmp(key, "theme") == 0) {
        free(ui->theme);
        ui->theme = xstrdup(value);
    } else if (strcmp(key, "colors") == 0 || strcmp(key, "colours") == 0) {
        color_tier t;
        if (strcasecmp(value, "auto") != 0 && !theme_tier_parse(value, &t)) {
            snprintf(why, whylen, "colors must be auto, truecolor, 256, 16, 8 or mono");
            return false;
        }
        free(ui->colors);
        ui->colors = xstrdup(value);
    } else if (strcmp(key, "mouse") == 0) {
        if (!parse_bool(value, &ui->mouse)) {
            snprintf(why, whylen, "mouse must be true or false");
            return false;
        }
    } else {
        snprintf(why, whylen, "unknown key '%s' in [ui] (theme, colors, mouse)", key);
        return false;
    }
    return true;
}

static bool on_ui_value(void *ud, const char *section, const char *key, const char *value,
                        int line, char *why, size_t whylen)
{
    ui_config *ui = ud;
    if (strcmp(section, "ui") != 0)
        return true; /* keys, portals: read by others */
    if (ui_value(ui, key, value, why, whylen))
        return true;
    ui->refused_line = line;
    return false;
}

static void on_ui_error(void *ud, const char *source, int line, const char *why)
{
    ui_config *ui = ud;
    /* Only what we refused: syntax errors are reported by the keymap
     * loader, which reads the same file. */
    if (line == ui->refused_line)
        diag_add(&ui->diags, source, line, "%s", why);
}

static void read_ui_config(const char *path, ui_config *ui)
{
    ini_handler h = {.on_value = on_ui_value, .on_error = on_ui_error, .ud = ui};
    ini_parse_file(path, &h, NULL); /* a missing config is normal */
}

int tui_run(const tui_options *opts)
{
    char *path = opts->config ? xstrdup(opts->config) : tui_config_path();
    ui_config ui = {0};
    read_ui_config(path, &ui);
    const char *colors = getenv("HUBTUI_COLORS");
    int rc = browser_run(opts, path, ui.theme, !str_empty(colors) ? colors : ui.colors,
                         ui.mouse, &ui.diags);
    diag_clear(&ui.diags);
    free(ui.theme);
    free(ui.colors);
    free(path);
    return rc;
}
