/* colconf.h — which columns a record list shows, and how it sorts.
 *
 * Read from `[columns.TYPE]` sections of the user's config:
 *
 *     [columns.contacts]
 *     show = firstname, lastname, email:30, lifecyclestage, hubspot_owner_id
 *     sort = -createdate            ; "-" or " desc" for newest first
 *
 * `show` lists property names in order, each optionally with a width in
 * columns after ':'; commas or spaces separate them. TYPE is the object
 * type's name (contacts, deals, p4242_vehicles or vehicles...). Bad lines
 * are reported with file and line and the rest still loads. Without a
 * section, sensible defaults per standard object type apply. Pure: whether
 * the properties exist is checked when a list opens. */
#ifndef HUBTUI_COLCONF_H
#define HUBTUI_COLCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef struct colconf_col {
    char *prop;
    int width; /* 0: automatic */
} colconf_col;

typedef struct colconf_entry {
    char *object;
    colconf_col *cols; /* NULL with ncols 0 when only sort was given */
    size_t ncols;
    bool has_sort;
    char *sort;        /* NULL: by record id */
    bool desc;
} colconf_entry;

typedef struct colconf {
    colconf_entry *v;
    size_t n;
} colconf;

/* Add the [columns.*] sections of INI text to cc; problems go to diags. */
void colconf_load_string(colconf *cc, const char *text, const char *source, diag_list *diags);
/* The same from a file; a missing file is not a problem. */
void colconf_load_file(colconf *cc, const char *path, diag_list *diags);
void colconf_free(colconf *cc);

/* The section for an object type (by name, case-insensitive), or NULL. */
const colconf_entry *colconf_find(const colconf *cc, const char *object);
/* Parse a column list ("a, b:20 c") into *out (caller frees with
 * colconf_cols_free); false with why filled on a mistake. */
bool colconf_parse_cols(const char *text, colconf_col **out, size_t *n, char *why, size_t whylen);
void colconf_cols_free(colconf_col *cols, size_t n);
/* Parse a sort ("-createdate", "amount desc", "name asc"); false on junk. *prop
 * is NULL (caller frees otherwise) for "id" or "". */
bool colconf_parse_sort(const char *text, char **prop, bool *desc);

/* Built-in columns for standard object types (NULL-terminated list), or
 * NULL for types without built-in defaults (custom objects, engagements). */
const char *const *colconf_defaults(const char *object);

#endif
