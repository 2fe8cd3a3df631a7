#include "keymap.h"
#include "ini.h"
#include "text.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct keymap {
    key_binding *b;
    size_t n, cap;
};

/* Names of special keys and of characters that need one, with aliases
 * accepted when parsing (the first name per key is the one printed). */
static const struct {
    const char *name;
    key_code key;
} key_names[] = {
#define KC_NAME_ROW(id, name) {name, KC_##id},
    KC_SPECIAL_LIST(KC_NAME_ROW)
#undef KC_NAME_ROW
    {"Tab", KC_TAB},
    {"Esc", KC_ESC},
    {"Space", KC_SPACE},
    {"Return", KC_ENTER},
    {"BackTab", KC_BTAB},
    {"Escape", KC_ESC},
    {"PageUp", KC_PGUP},
    {"PageDown", KC_PGDN},
    {"Insert", KC_INS},
    {"Delete", KC_DEL},
    {"LeftBracket", '['},
    {"Hash", '#'},
    {"Semicolon", ';'},
    {"Equals", '='},
};

/* One key, one code: control characters that terminals send for named
 * keys are folded into those keys (^H and DEL are Backspace, ^J and ^M are
 * Enter), so binding either spelling does the same thing. */
static key_code key_normalize(key_code k)
{
    key_code meta = k & KC_META, base = k & ~KC_META;
    if (base == 8 || base == 127)
        base = KC_BACKSPACE;
    else if (base == 10 || base == 13)
        base = KC_ENTER;
    return meta | base;
}

static bool parse_base(const char *name, key_code *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
        if (strcasecmp(key_names[i].name, name) == 0) {
            *out = key_names[i].key;
            return true;
        }
    if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
        int64_t n;
        if (str_to_i64(name + 1, &n) && n >= 1 && n <= 24) {
            *out = KC_F((int)n);
            return true;
        }
    }
    if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2]) {
        if (strcasecmp(name + 2, "Space") == 0 || strcmp(name + 2, "@") == 0) {
            *out = 0;
            return true;
        }
        char c = name[2];
        if (name[3] == '\0' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                strchr("[\\]^_", c))) {
            *out = key_normalize(KC_CTRL(c));
            return true;
        }
        return false;
    }
    /* Exactly one printable character. */
    uint32_t cp;
    bool valid;
    size_t len = strlen(name);
    if (len == 0 || text_decode(name, len, &cp, &valid) != len || !valid)
        return false;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
        return false;
    *out = (key_code)cp;
    return true;
}

bool keymap_key_parse(const char *name, key_code *out)
{
    if (str_empty(name))
        return false;
    key_code meta = 0;
    if ((name[0] == 'M' || name[0] == 'm') && name[1] == '-' && name[2]) {
        meta = KC_META;
        name += 2;
    }
    key_code base;
    if (!parse_base(name, &base))
        return false;
    *out = meta | base;
    return true;
}

static const char *special_name(key_code base)
{
    for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
        if (key_names[i].key == base && key_names[i].key >= KC_SPECIAL_BASE)
            return key_names[i].name;
    return NULL;
}

const char *keymap_key_name(key_code key, char buf[KEY_NAME_MAX])
{
    key_code base = key_normalize(key) & ~KC_META;
    const char *meta = (key & KC_META) ? "M-" : "";
    const char *special = special_name(base);
    if (key < 0 || base > KC__LAST_SPECIAL || (base > 0x10FFFF && base < KC_SPECIAL_BASE)) {
        snprintf(buf, KEY_NAME_MAX, "?");
    } else if (special) {
        snprintf(buf, KEY_NAME_MAX, "%s%s", meta, special);
    } else if (base > KC_F0 && base <= KC__LAST_SPECIAL) {
        snprintf(buf, KEY_NAME_MAX, "%sF%d", meta, base - KC_F0);
    } else if (base == KC_TAB) {
        snprintf(buf, KEY_NAME_MAX, "%sTab", meta);
    } else if (base == KC_ESC) {
        snprintf(buf, KEY_NAME_MAX, "%sEsc", meta);
    } else if (base == KC_SPACE) {
        snprintf(buf, KEY_NAME_MAX, "%sSpace", meta);
    } else if (base == 0) {
        snprintf(buf, KEY_NAME_MAX, "%sC-Space", meta);
    } else if (base < 0x20) {
        snprintf(buf, KEY_NAME_MAX, "%sC-%c", meta, base < 27 ? 'a' + base - 1 : '@' + base);
    } else if (base >= KC_SPECIAL_BASE || base == 0x7F || (base >= 0x80 && base <= 0x9F)) {
        snprintf(buf, KEY_NAME_MAX, "?");
    } else {
        strbuf sb = {0};
        text_encode(&sb, (uint32_t)base);
        snprintf(buf, KEY_NAME_MAX, "%s%s", meta, strbuf_str(&sb));
        strbuf_free(&sb);
    }
    return buf;
}

keymap *keymap_new(void)
{
    return xcalloc(1, sizeof(keymap));
}

void keymap_free(keymap *km)
{
    if (!km)
        return;
    for (size_t i = 0; i < km->n; i++)
        free(km->b[i].arg);
    free(km->b);
    free(km);
}

static key_binding *find(const keymap *km, view_kind view, key_code key)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->b[i].view == view && km->b[i].key == key)
            return &km->b[i];
    return NULL;
}

void keymap_bind(keymap *km, view_kind view, key_code key, action_id action, const char *arg)
{
    key = key_normalize(key);
    key_binding *b = find(km, view, key);
    if (b) {
        /* Rebinding moves the key to the end so help lists it in the
         * order the user's file gives. */
        free(b->arg);
        size_t i = (size_t)(b - km->b);
        memmove(&km->b[i], &km->b[i + 1], (km->n - i - 1) * sizeof *km->b);
        km->n--;
    }
    if (action == ACTION_NONE && view == VIEW_GLOBAL)
        return; /* nothing below [keys] to hide */
    if (km->n == km->cap) {
        km->cap = km->cap ? km->cap * 2 : 64;
        km->b = xrealloc(km->b, km->cap * sizeof *km->b);
    }
    km->b[km->n++] = (key_binding){
        .key = key, .view = view, .action = action, .arg = arg ? xstrdup(arg) : NULL,
    };
}

const key_binding *keymap_lookup(const keymap *km, view_kind view, key_code key)
{
    key = key_normalize(key);
    const key_binding *b = view != VIEW_GLOBAL ? find(km, view, key) : NULL;
    if (!b)
        b = find(km, VIEW_GLOBAL, key);
    return b && b->action != ACTION_NONE ? b : NULL;
}

size_t keymap_keys_for(const keymap *km, view_kind view, action_id action,
                       key_code *out, size_t max)
{
    size_t found = 0;
    for (int pass = 0; pass < 2; pass++) {
        view_kind section = pass == 0 ? view : VIEW_GLOBAL;
        if (pass == 1 && view == VIEW_GLOBAL)
            break;
        for (size_t i = 0; i < km->n; i++) {
            const key_binding *b = &km->b[i];
            if (b->view != section || b->action != action)
                continue;
            if (pass == 1 && find(km, view, b->key))
                continue; /* the view rebinds this key */
            if (found < max)
                out[found] = b->key;
            found++;
        }
    }
    return found;
}

typedef struct load_ctx {
    keymap *km;
    diag_list *diags;
    char bad_section[128]; /* reported once, then its lines are skipped */
    int problems;
} load_ctx;

static bool section_view(load_ctx *c, const char *section, view_kind *view, bool *skip,
                         char *why, size_t whylen)
{
    *skip = false;
    if (strcmp(section, "keys") == 0) {
        *view = VIEW_GLOBAL;
        return true;
    }
    if (!str_starts_with(section, "keys.")) {
        *skip = true; /* someone else's section */
        return true;
    }
    const char *name = section + 5;
    if (*name && view_kind_by_section(name, view))
        return true;
    if (strcmp(c->bad_section, section) == 0) {
        *skip = true;
        return true;
    }
    snprintf(c->bad_section, sizeof c->bad_section, "%s", section);
    strbuf kinds = {0};
    for (int k = 1; k < VIEW_KIND_COUNT; k++)
        strbuf_printf(&kinds, "%s%s", k > 1 ? ", " : "", view_kind_section((view_kind)k));
    snprintf(why, whylen, "unknown view in [%s] (views: %s); section ignored", section,
             strbuf_str(&kinds));
    strbuf_free(&kinds);
    return false;
}

static bool on_value(void *ud, const char *section, const char *key, const char *value,
                     int line, char *why, size_t whylen)
{
    load_ctx *c = ud;
    view_kind view;
    bool skip;
    if (!section_view(c, section, &view, &skip, why, whylen))
        return false;
    if (skip)
        return true;
    key_code k;
    if (!keymap_key_parse(key, &k)) {
        snprintf(why, whylen, "unknown key name '%s'", key);
        return false;
    }
    char *cmd = xstrdup(value);
    action_call call;
    bool ok = action_parse_command(cmd, &call);
    if (!ok && strcmp(value, "none") == 0) {
        keymap_bind(c->km, view, k, ACTION_NONE, NULL);
        ok = true;
    } else if (!ok) {
        snprintf(why, whylen, "unknown action '%s'", value);
    } else if (call.arg && action_get(call.id)->arg == ARG_NONE) {
        snprintf(why, whylen, "'%s' takes no argument", action_get(call.id)->name);
        ok = false;
    } else {
        keymap_bind(c->km, view, k, call.id, call.arg);
    }
    free(cmd);
    return ok;
}

static void on_error(void *ud, const char *source, int line, const char *why)
{
    load_ctx *c = ud;
    c->problems++;
    diag_add(c->diags, source, line, "%s", why);
}

int keymap_load_string(keymap *km, const char *text, const char *source, diag_list *diags)
{
    load_ctx c = {.km = km, .diags = diags};
    ini_handler h = {.on_value = on_value, .on_error = on_error, .ud = &c};
    ini_parse_string(text, source, &h);
    return c.problems;
}

int keymap_load_file(keymap *km, const char *path, diag_list *diags, ht_error *err)
{
    load_ctx c = {.km = km, .diags = diags};
    ini_handler h = {.on_value = on_value, .on_error = on_error, .ud = &c};
    if (ini_parse_file(path, &h, err) < 0)
        return -1;
    return c.problems;
}

int keymap_load_defaults(keymap *km, diag_list *diags)
{
    return keymap_load_string(km, keymap_default_text, "keys.default (built in)", diags);
}
