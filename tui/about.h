/* about.h — the about view: version, terminal, colours, theme, keys, the
 * problems found in the user's files, and a preview of every theme role
 * drawn in its own style (handy while writing a theme: `:theme NAME`
 * redraws it live). Until the record views exist it is also what hubtui
 * opens on. */
#ifndef HUBTUI_ABOUT_H
#define HUBTUI_ABOUT_H

#include "app.h"
#include "view.h"

view *about_view_new(app *a);

#endif
