/* keymap.h — keys, their names, and which action each one runs.
 *
 * A key is a Unicode code point (letters, C-x control characters) or one of
 * the named special keys below, optionally with Alt (M-). Names print and
 * parse the same way, so the help overlay shows exactly what a user writes
 * in their config.
 *
 * Bindings come from INI text: `[keys]` for every view and `[keys.VIEW]`
 * for one view, with lines `KEY = ACTION [ARGUMENT]` (every binding is a
 * command `:` could run) or `KEY = none` to remove a binding. The defaults
 * are tui/keys.default, compiled in; the user's config is loaded on top.
 * Lookup tries the view's own section, then [keys]. This module does not
 * depend on curses; app.c translates curses input into key codes. */
#ifndef HUBTUI_KEYMAP_H
#define HUBTUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actions.h"
#include "diag.h"
#include "error.h"

typedef int32_t key_code;

#define KC_NONE    ((key_code)-1)
#define KC_TAB     ((key_code)9)
#define KC_ESC     ((key_code)27)
#define KC_SPACE   ((key_code)' ')
#define KC_CTRL(c) ((key_code)((c) & 0x1f)) /* KC_CTRL('d') */
#define KC_META    ((key_code)0x1000000)   /* flag: Alt held (M-x) */

/* Special keys live above the Unicode range. */
#define KC_SPECIAL_BASE 0x200000
#define KC_SPECIAL_LIST(_)                                    \
    _(ENTER, "Enter") _(BACKSPACE, "Backspace") _(BTAB, "S-Tab") \
    _(UP, "Up") _(DOWN, "Down") _(LEFT, "Left") _(RIGHT, "Right") \
    _(S_UP, "S-Up") _(S_DOWN, "S-Down") _(S_LEFT, "S-Left") _(S_RIGHT, "S-Right") \
    _(HOME, "Home") _(END, "End") _(PGUP, "PgUp") _(PGDN, "PgDn") \
    _(INS, "Ins") _(DEL, "Del") \
    _(WHEEL_UP, "WheelUp") _(WHEEL_DOWN, "WheelDown")

enum {
    KC__FIRST_SPECIAL = KC_SPECIAL_BASE - 1,
#define KC_SPECIAL_ENUM(id, name) KC_##id,
    KC_SPECIAL_LIST(KC_SPECIAL_ENUM)
#undef KC_SPECIAL_ENUM
    KC_F0, /* F1..F24 are KC_F0 + n */
    KC__LAST_SPECIAL = KC_F0 + 24,
};
#define KC_F(n) ((key_code)(KC_F0 + (n)))

/* Longest name keymap_key_name writes, with its NUL ("M-Backspace" and friends). */
#define KEY_NAME_MAX 24

/* Parse a key name: "j", "G", "C-d", "M-x", "S-Tab", "Enter", "Space",
 * "PgDn", "F1", "é", aliases "LeftBracket" "Hash" "Semicolon" "Equals" for
 * characters INI gives a meaning to at the start of a line. False on junk. */
bool keymap_key_parse(const char *name, key_code *out);
/* Write the name of key into buf and return buf ("?" for nonsense). */
const char *keymap_key_name(key_code key, char buf[KEY_NAME_MAX]);

typedef struct keymap keymap;

typedef struct key_binding {
    key_code key;
    view_kind view;   /* VIEW_GLOBAL for [keys] */
    action_id action; /* ACTION_NONE: explicitly unbound here */
    char *arg;        /* argument for the action, or NULL */
} key_binding;

/* An empty keymap (no bindings at all). */
keymap *keymap_new(void);
void keymap_free(keymap *km);

/* Bind key in view's section to action (with arg, copied; may be NULL),
 * replacing what that key did there. ACTION_NONE unbinds the key in that
 * section, also hiding a [keys] binding when view is not GLOBAL. */
void keymap_bind(keymap *km, view_kind view, key_code key, action_id action, const char *arg);

/* What key runs in a view of this kind: the view's own section first, then
 * [keys]. NULL when nothing (or "none") is bound. */
const key_binding *keymap_lookup(const keymap *km, view_kind view, key_code key);

/* Keys that run action in view (its own section first, then [keys] keys
 * the view does not override), in the order they were bound. Returns how
 * many were found (may exceed max; only max are stored). */
size_t keymap_keys_for(const keymap *km, view_kind view, action_id action,
                       key_code *out, size_t max);

/* Load [keys] and [keys.VIEW] sections from INI text (other sections are
 * ignored: the user's config holds more than keys). Each bad line (unknown
 * key name, action or view) is added to diags with its line and skipped.
 * Returns the number of problems. */
int keymap_load_string(keymap *km, const char *text, const char *source, diag_list *diags);
/* The same from a file; -1 with err filled when it cannot be read. */
int keymap_load_file(keymap *km, const char *path, diag_list *diags, ht_error *err);
/* Load the compiled-in defaults (tui/keys.default). */
int keymap_load_defaults(keymap *km, diag_list *diags);

/* The text of the compiled-in default keymap. */
extern const char keymap_default_text[];

#endif
