#include "about.h"
#include "text.h"
#include "textview.h"

#include <stdlib.h>
#include <string.h>

static void about_rebuild(textview *tv, app *a, void *ud)
{
    const char *term = getenv("TERM");
    const layout *l = app_layout(a);
    textview_addf(tv, ROLE_HEADER, "hubtui %s: a terminal browser and editor for HubSpot CRM",
                  HUBTUI_VERSION);
    textview_add(tv, ROLE_DEFAULT, "");
    textview_add_field(tv, "Terminal", ROLE_FIELD_VALUE, term ? term : "(TERM unset)");
    char buf[160];
    snprintf(buf, sizeof buf, "%d x %d, %s", l->screen.w, l->screen.h,
             (app_text_flags(a) & TEXT_ASCII) ? "ASCII only (the locale is not UTF-8)" : "UTF-8");
    textview_add_field(tv, "Size", ROLE_FIELD_VALUE, buf);
    textview_add_field(tv, "Colours", ROLE_FIELD_VALUE, theme_tier_name(app_color_tier(a)));
    char **names = app_theme_names(a);
    strbuf sb = {0};
    strbuf_printf(&sb, "%s   (:theme NAME; found:", app_theme_name(a));
    for (char **n = names; *n; n++)
        strbuf_printf(&sb, " %s", *n);
    strbuf_puts(&sb, ")");
    textview_add_field(tv, "Theme", ROLE_FIELD_VALUE, strbuf_str(&sb));
    strbuf_free(&sb);
    theme_dirs_free(names);
    const status_model *st = app_status(a);
    textview_add_field(tv, "Portal", ROLE_FIELD_VALUE, st->portal[0] ? st->portal : "(none)");
    textview_add_field(tv, "Mode", app_readonly(a) ? ROLE_STATUS_WARN : ROLE_FIELD_VALUE,
                       app_readonly(a) ? "read-only: editing and push are off" : "read-write");

    const diag_list *d = app_diags(a);
    if (d->n) {
        textview_add(tv, ROLE_DEFAULT, "");
        textview_addf(tv, ROLE_HELP_GROUP, "Problems in your files (%zu)", d->n);
        for (size_t i = 0; i < d->n; i++)
            textview_add(tv, ROLE_STATUS_WARN, d->items[i]);
    }
    textview_add(tv, ROLE_DEFAULT, "");
    textview_add(tv, ROLE_HELP_GROUP, "Theme roles, each in its own style");
    for (int r = 0; r < ROLE_COUNT; r++)
        textview_add(tv, (theme_role)r, theme_role_name((theme_role)r));
}

view *about_view_new(app *a)
{
    textview *tv = textview_new("About", VIEW_ABOUT);
    textview_set_rebuild(tv, about_rebuild, NULL);
    return textview_view(tv);
}
