#include "theme.h"
#include "ini.h"
#include "util.h"

#include <ctype.h>
#include <curses.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef HUBTUI_THEMES_INSTALL_DIR
#define HUBTUI_THEMES_INSTALL_DIR "/usr/local/share/hubtui/themes"
#endif

#define MAX_EXTENDS_DEPTH 8
#define MAX_PALETTE_ALTS 4

/* ---- Roles ------------------------------------------------------------ */

static const struct {
    const char *name;
    theme_role fallback;
    unsigned mono;
} roles[ROLE_COUNT] = {
#define ROLE_ROW(id, name, fallback, mono) [ROLE_##id] = {name, ROLE_##fallback, mono},
    THEME_ROLE_LIST(ROLE_ROW)
#undef ROLE_ROW
};

const char *theme_role_name(theme_role role)
{
    return role < ROLE_COUNT ? roles[role].name : "?";
}

bool theme_role_by_name(const char *name, theme_role *out)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (strcmp(roles[i].name, name) == 0) {
            *out = (theme_role)i;
            return true;
        }
    return false;
}

theme_role theme_role_fallback(theme_role role)
{
    return role < ROLE_COUNT ? roles[role].fallback : ROLE_DEFAULT;
}

/* ---- The parsed theme ------------------------------------------------- */

typedef enum cs_kind { CS_UNSET, CS_INHERIT, CS_DEFAULT, CS_INDEX, CS_RGB, CS_REF } cs_kind;

typedef struct color_spec {
    cs_kind kind;
    uint32_t value; /* CS_INDEX: 0-255; CS_RGB: 0xRRGGBB */
    char *ref;      /* CS_REF: palette name (owned) */
} color_spec;

typedef struct role_spec {
    bool set;
    color_spec fg, bg;
    bool attrs_set;
    unsigned attrs;
    char *where; /* "file:line", for reports made after merging */
} role_spec;

typedef struct pal_entry {
    char *name;
    color_spec alt[MAX_PALETTE_ALTS];
    int nalt;
} pal_entry;

struct theme {
    char *name;
    char *extends;
    role_spec roles[ROLE_COUNT];
    pal_entry *pal;
    size_t npal, cappal;
};

static void role_spec_clear(role_spec *r)
{
    free(r->fg.ref);
    free(r->bg.ref);
    free(r->where);
    memset(r, 0, sizeof *r);
}

static void pal_entry_clear(pal_entry *p)
{
    free(p->name);
    memset(p, 0, sizeof *p);
}

void theme_free(theme *t)
{
    if (!t)
        return;
    for (int i = 0; i < ROLE_COUNT; i++)
        role_spec_clear(&t->roles[i]);
    for (size_t i = 0; i < t->npal; i++)
        pal_entry_clear(&t->pal[i]);
    free(t->pal);
    free(t->name);
    free(t->extends);
    free(t);
}

const char *theme_name(const theme *t)
{
    return t->name;
}

static pal_entry *pal_find(const theme *t, const char *name)
{
    for (size_t i = 0; i < t->npal; i++)
        if (strcmp(t->pal[i].name, name) == 0)
            return &t->pal[i];
    return NULL;
}

/* Add or replace a palette entry; takes ownership of e's contents. */
static void pal_put(theme *t, pal_entry *e)
{
    pal_entry *old = pal_find(t, e->name);
    if (old) {
        pal_entry_clear(old);
        *old = *e;
        return;
    }
    if (t->npal == t->cappal) {
        t->cappal = t->cappal ? t->cappal * 2 : 16;
        t->pal = xrealloc(t->pal, t->cappal * sizeof *t->pal);
    }
    t->pal[t->npal++] = *e;
}

/* ---- Parsing values --------------------------------------------------- */

static const struct {
    const char *name;
    int index;
} color_names[] = {
    {"black", 0},         {"red", 1},           {"green", 2},         {"yellow", 3},
    {"blue", 4},          {"magenta", 5},       {"cyan", 6},          {"white", 7},
    {"bright-black", 8},  {"bright-red", 9},    {"bright-green", 10}, {"bright-yellow", 11},
    {"bright-blue", 12},  {"bright-magenta", 13}, {"bright-cyan", 14}, {"bright-white", 15},
    {"brightblack", 8},   {"brightred", 9},     {"brightgreen", 10},  {"brightyellow", 11},
    {"brightblue", 12},   {"brightmagenta", 13}, {"brightcyan", 14},  {"brightwhite", 15},
    {"gray", 8},          {"grey", 8},
};

static bool parse_hex(const char *s, uint32_t *out)
{
    size_t n = strlen(s);
    if (n != 3 && n != 6)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return false;
        int d = isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10);
        v = (v << 4) | (uint32_t)d;
        if (n == 3)
            v = (v << 4) | (uint32_t)d; /* #abc is #aabbcc */
    }
    *out = v;
    return true;
}

/* Parse one colour token. allow_ref: may be $name or '-'. */
static bool parse_color(const char *tok, bool allow_ref, color_spec *out)
{
    memset(out, 0, sizeof *out);
    if (allow_ref && strcmp(tok, "-") == 0) {
        out->kind = CS_INHERIT;
        return true;
    }
    if (strcasecmp(tok, "default") == 0) {
        out->kind = CS_DEFAULT;
        return true;
    }
    if (allow_ref && tok[0] == '$' && tok[1]) {
        out->kind = CS_REF;
        out->ref = xstrdup(tok + 1);
        return true;
    }
    if (tok[0] == '#') {
        out->kind = CS_RGB;
        return parse_hex(tok + 1, &out->value);
    }
    int64_t n;
    if (str_to_i64(tok, &n)) {
        out->kind = CS_INDEX;
        out->value = (uint32_t)n;
        return n >= 0 && n <= 255;
    }
    for (size_t i = 0; i < ARRAY_SIZE(color_names); i++)
        if (strcasecmp(color_names[i].name, tok) == 0) {
            out->kind = CS_INDEX;
            out->value = (uint32_t)color_names[i].index;
            return true;
        }
    return false;
}

static const struct {
    const char *name;
    unsigned bit;
} attr_names[] = {
    {"bold", TA_BOLD},         {"dim", TA_DIM},       {"italic", TA_ITALIC},
    {"underline", TA_UNDERLINE}, {"reverse", TA_REVERSE}, {"blink", TA_BLINK},
    {"standout", TA_STANDOUT}, {"none", 0},           {"normal", 0},
};

/* Parse "bold,underline" (',' or '+'); on an unknown name, *bad names it. */
static bool parse_attrs(const char *tok, unsigned *out, char *bad, size_t badlen)
{
    char *copy = xstrdup(tok), *save = NULL;
    bool ok = true;
    *out = 0;
    for (char *w = strtok_r(copy, ",+", &save); w; w = strtok_r(NULL, ",+", &save)) {
        bool found = false;
        for (size_t i = 0; i < ARRAY_SIZE(attr_names); i++)
            if (strcasecmp(attr_names[i].name, w) == 0) {
                *out |= attr_names[i].bit;
                found = true;
            }
        if (!found && ok) {
            snprintf(bad, badlen, "%s", w);
            ok = false;
        }
    }
    free(copy);
    return ok;
}

static bool palette_name_valid(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
            return false;
    return true;
}

bool theme_name_valid(const char *name)
{
    return !str_empty(name) && name[0] != '.' && palette_name_valid(name) && strlen(name) < 64;
}

/* ---- The INI handler -------------------------------------------------- */

typedef struct parse_ctx {
    theme *t;
    const char *source;
    diag_list *diags;
    char bad_section[128]; /* reported at its first line, then skipped */
} parse_ctx;

/* Add "what 'arg'" (or just what) to the reasons a line is reported for. */
static void append_why(char *why, size_t whylen, const char *what, const char *arg)
{
    size_t used = strlen(why);
    if (used + 3 >= whylen)
        return;
    if (arg)
        snprintf(why + used, whylen - used, "%s%s '%s'", used ? "; " : "", what, arg);
    else
        snprintf(why + used, whylen - used, "%s%s", used ? "; " : "", what);
}

static bool on_theme_key(parse_ctx *c, const char *key, const char *value, char *why, size_t whylen)
{
    if (strcmp(key, "name") == 0 || strcmp(key, "description") == 0)
        return true; /* the lookup name wins; these are for people */
    if (strcmp(key, "extends") == 0) {
        if (!theme_name_valid(value)) {
            snprintf(why, whylen, "bad theme name '%s' in extends", value);
            return false;
        }
        free(c->t->extends);
        c->t->extends = xstrdup(value);
        return true;
    }
    snprintf(why, whylen, "unknown key '%s' in [theme] (name, extends, description)", key);
    return false;
}

static bool on_palette_key(parse_ctx *c, const char *key, const char *value, char *why, size_t whylen)
{
    if (!palette_name_valid(key)) {
        snprintf(why, whylen, "bad palette name '%s'", key);
        return false;
    }
    pal_entry e = {0};
    char *copy = xstrdup(value), *save = NULL;
    bool ok = true;
    for (char *alt = strtok_r(copy, "|", &save); alt; alt = strtok_r(NULL, "|", &save)) {
        char *a = alt;
        while (isspace((unsigned char)*a))
            a++;
        char *end = a + strlen(a);
        while (end > a && isspace((unsigned char)end[-1]))
            *--end = '\0';
        color_spec spec;
        if (e.nalt == MAX_PALETTE_ALTS) {
            append_why(why, whylen, "more than 4 alternatives", NULL);
            ok = false;
            break;
        }
        if (!parse_color(a, false, &spec)) {
            append_why(why, whylen, "bad colour", a);
            ok = false;
            continue;
        }
        e.alt[e.nalt++] = spec;
    }
    free(copy);
    if (e.nalt == 0) {
        if (ok)
            snprintf(why, whylen, "palette entry '%s' has no colour", key);
        return false;
    }
    e.name = xstrdup(key);
    pal_put(c->t, &e);
    return ok;
}

static bool on_color_key(parse_ctx *c, const char *key, const char *value, int line,
                         char *why, size_t whylen)
{
    theme_role role;
    if (!theme_role_by_name(key, &role)) {
        snprintf(why, whylen, "unknown role '%s'", key);
        return false;
    }
    role_spec r = {.set = true, .fg.kind = CS_INHERIT, .bg.kind = CS_INHERIT};
    char *copy = xstrdup(value), *save = NULL;
    int field = 0;
    bool ok = true;
    for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), field++) {
        if (field < 2) {
            color_spec *spec = field == 0 ? &r.fg : &r.bg;
            if (!parse_color(tok, true, spec)) {
                append_why(why, whylen, "bad colour", tok);
                spec->kind = CS_INHERIT;
                ok = false;
            }
        } else if (strcmp(tok, "-") != 0) {
            unsigned a;
            char bad[64];
            if (!parse_attrs(tok, &a, bad, sizeof bad)) {
                append_why(why, whylen, "unknown attribute", bad);
                ok = false;
            }
            r.attrs |= a; /* the names that were understood still apply */
            r.attrs_set = true;
        }
    }
    free(copy);
    r.where = xasprintf("%s:%d", c->source, line);
    role_spec_clear(&c->t->roles[role]);
    c->t->roles[role] = r;
    return ok;
}

static bool on_value(void *ud, const char *section, const char *key, const char *value,
                     int line, char *why, size_t whylen)
{
    parse_ctx *c = ud;
    if (strcmp(section, "theme") == 0)
        return on_theme_key(c, key, value, why, whylen);
    if (strcmp(section, "palette") == 0)
        return on_palette_key(c, key, value, why, whylen);
    if (strcmp(section, "colors") == 0 || strcmp(section, "colours") == 0)
        return on_color_key(c, key, value, line, why, whylen);
    if (strcmp(c->bad_section, section) == 0)
        return true; /* reported at its first line */
    snprintf(c->bad_section, sizeof c->bad_section, "%s", section);
    if (*section)
        snprintf(why, whylen, "unknown section [%s] (theme, palette, colors); ignored", section);
    else
        snprintf(why, whylen, "'%s' outside a section", key);
    return false;
}

static void on_error(void *ud, const char *source, int line, const char *why)
{
    parse_ctx *c = ud;
    diag_add(c->diags, source, line, "%s", why);
}

static theme *parse_text(const char *text, const char *source, const char *name, diag_list *diags)
{
    theme *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    parse_ctx c = {.t = t, .source = source, .diags = diags};
    ini_handler h = {.on_value = on_value, .on_error = on_error, .ud = &c};
    ini_parse_string(text, source, &h);
    return t;
}

/* ---- Finding and loading files ---------------------------------------- */

static void dirs_push(char ***dirs, size_t *n, char *dir)
{
    *dirs = xrealloc(*dirs, (*n + 2) * sizeof **dirs);
    (*dirs)[(*n)++] = dir;
    (*dirs)[*n] = NULL;
}

char **theme_dirs_default(void)
{
    char **dirs = NULL;
    size_t n = 0;
    const char *env = getenv("HUBTUI_THEMES_DIR");
    if (!str_empty(env))
        dirs_push(&dirs, &n, xstrdup(env));
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (!str_empty(xdg))
        dirs_push(&dirs, &n, xasprintf("%s/hubtui/themes", xdg));
    else if (!str_empty(home))
        dirs_push(&dirs, &n, xasprintf("%s/.config/hubtui/themes", home));
    dirs_push(&dirs, &n, xstrdup(HUBTUI_THEMES_INSTALL_DIR));
#ifdef HUBTUI_THEMES_SOURCE_DIR
    dirs_push(&dirs, &n, xstrdup(HUBTUI_THEMES_SOURCE_DIR));
#endif
    return dirs;
}

void theme_dirs_free(char **dirs)
{
    if (!dirs)
        return;
    for (char **d = dirs; *d; d++)
        free(*d);
    free(dirs);
}

/* The first dirs/NAME.theme that can be read, with its path. */
static char *find_theme_text(const char *name, char *const *dirs, char **path)
{
    for (size_t i = 0; dirs && dirs[i]; i++) {
        char *p = xasprintf("%s/%s.theme", dirs[i], name);
        char *text = file_read_text(p, NULL);
        if (text) {
            *path = p;
            return text;
        }
        free(p);
    }
    return NULL;
}

static theme *load_named(const char *name, char *const *dirs, diag_list *diags,
                         const char **chain, int depth, ht_error *err);

/* Put child's settings over its parent: palette entries by name, roles
 * that the child sets. The merged theme keeps the child's name. */
static theme *merge_over(theme *parent, theme *child)
{
    for (size_t i = 0; i < child->npal; i++)
        pal_put(parent, &child->pal[i]);
    child->npal = 0;
    for (int r = 0; r < ROLE_COUNT; r++) {
        if (!child->roles[r].set)
            continue;
        role_spec_clear(&parent->roles[r]);
        parent->roles[r] = child->roles[r];
        memset(&child->roles[r], 0, sizeof child->roles[r]);
    }
    free(parent->name);
    parent->name = child->name;
    child->name = NULL;
    theme_free(child);
    return parent;
}

/* Parse text and, when it extends another theme, load that one under it. */
static theme *load_text(const char *text, const char *source, const char *name,
                        char *const *dirs, diag_list *diags, const char **chain, int depth)
{
    theme *t = parse_text(text, source, name, diags);
    if (!t->extends)
        return t;
    for (int i = 0; i < depth; i++)
        if (strcmp(chain[i], t->extends) == 0) {
            diag_add(diags, source, 0, "theme '%s' extends itself through '%s'; ignored",
                     name, t->extends);
            return t;
        }
    if (depth + 1 >= MAX_EXTENDS_DEPTH) {
        diag_add(diags, source, 0, "themes extend each other too deeply; '%s' ignored",
                 t->extends);
        return t;
    }
    chain[depth] = name;
    ht_error err;
    theme *parent = load_named(t->extends, dirs, diags, chain, depth + 1, &err);
    if (!parent) {
        diag_add(diags, source, 0, "extends '%s': %s", t->extends, err.message);
        return t;
    }
    return merge_over(parent, t);
}

static theme *load_named(const char *name, char *const *dirs, diag_list *diags,
                         const char **chain, int depth, ht_error *err)
{
    if (!theme_name_valid(name)) {
        ht_error_set(err, HT_INVALID, "'%s' is not a theme name", name);
        return NULL;
    }
    char *path = NULL;
    char *text = find_theme_text(name, dirs, &path);
    if (!text && strcmp(name, "default") == 0)
        return load_text(theme_default_text, "default.theme (built in)", name, dirs, diags,
                         chain, depth);
    if (!text) {
        ht_error_set(err, HT_NOT_FOUND, "no theme called '%s'", name);
        return NULL;
    }
    theme *t = load_text(text, path, name, dirs, diags, chain, depth);
    free(text);
    free(path);
    return t;
}

/* After merging, every $name must be in the palette: report the ones that
 * are not where they were written, and let those colours inherit. */
static void check_refs(theme *t, diag_list *diags)
{
    for (int r = 0; r < ROLE_COUNT; r++) {
        role_spec *rs = &t->roles[r];
        color_spec *specs[2] = {&rs->fg, &rs->bg};
        for (int k = 0; k < 2; k++) {
            if (specs[k]->kind != CS_REF || pal_find(t, specs[k]->ref))
                continue;
            diag_add(diags, rs->where, 0, "unknown palette colour '$%s' for %s",
                     specs[k]->ref, roles[r].name);
            free(specs[k]->ref);
            specs[k]->ref = NULL;
            specs[k]->kind = CS_INHERIT;
        }
    }
}

theme *theme_load(const char *name, char *const *dirs, diag_list *diags, ht_error *err)
{
    const char *chain[MAX_EXTENDS_DEPTH];
    theme *t = load_named(name, dirs, diags, chain, 0, err);
    if (t)
        check_refs(t, diags);
    return t;
}

theme *theme_load_string(const char *text, const char *source, const char *name,
                         char *const *dirs, diag_list *diags)
{
    const char *chain[MAX_EXTENDS_DEPTH];
    theme *t = load_text(text, source, name, dirs, diags, chain, 0);
    check_refs(t, diags);
    return t;
}

theme *theme_load_builtin(diag_list *diags)
{
    return theme_load_string(theme_default_text, "default.theme (built in)", "default", NULL,
                             diags);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **theme_list(char *const *dirs)
{
    char **names = NULL;
    size_t n = 0;
    dirs_push(&names, &n, xstrdup("default"));
    for (size_t i = 0; dirs && dirs[i]; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (len <= 6 || strcmp(e->d_name + len - 6, ".theme") != 0)
                continue;
            char *name = xstrndup(e->d_name, len - 6);
            if (theme_name_valid(name))
                dirs_push(&names, &n, name);
            else
                free(name);
        }
        closedir(d);
    }
    qsort(names, n, sizeof *names, cmp_str);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (out > 0 && strcmp(names[out - 1], names[i]) == 0)
            free(names[i]);
        else
            names[out++] = names[i];
    }
    names[out] = NULL;
    return names;
}

/* ---- Tiers ------------------------------------------------------------ */

static const char *const tier_names[] = {
    [TIER_MONO] = "mono", [TIER_8] = "8",     [TIER_16] = "16",
    [TIER_256] = "256",   [TIER_RGB_PALETTE] = "truecolor (palette)",
    [TIER_DIRECT] = "truecolor",
};

const char *theme_tier_name(color_tier tier)
{
    return tier <= TIER_DIRECT ? tier_names[tier] : "?";
}

bool theme_tier_parse(const char *s, color_tier *out)
{
    static const struct {
        const char *name;
        color_tier tier;
    } names[] = {
        {"truecolor", TIER_DIRECT}, {"24bit", TIER_DIRECT}, {"direct", TIER_DIRECT},
        {"256", TIER_256},          {"16", TIER_16},        {"8", TIER_8},
        {"mono", TIER_MONO},        {"monochrome", TIER_MONO}, {"none", TIER_MONO},
    };
    for (size_t i = 0; s && i < ARRAY_SIZE(names); i++)
        if (strcasecmp(names[i].name, s) == 0) {
            *out = names[i].tier;
            return true;
        }
    return false;
}

static bool colorterm_truecolor(const char *ct)
{
    return ct && (strcasecmp(ct, "truecolor") == 0 || strcasecmp(ct, "24bit") == 0);
}

color_tier theme_detect_tier(const term_caps *caps)
{
    if (!str_empty(caps->no_color) || !caps->has_colors || caps->colors < 8)
        return TIER_MONO;
    color_tier max;
    bool palette_ok = caps->colors >= 256 && caps->can_redefine;
    if (caps->colors >= 0x1000000)
        max = TIER_DIRECT;
    else if (caps->colors >= 256)
        max = palette_ok && colorterm_truecolor(caps->colorterm) ? TIER_RGB_PALETTE : TIER_256;
    else
        max = caps->colors >= 16 ? TIER_16 : TIER_8;
    color_tier force;
    if (!theme_tier_parse(caps->force, &force))
        return max;
    if (force == TIER_DIRECT) /* "truecolor" asked for: the best exact-RGB route */
        return max == TIER_DIRECT ? TIER_DIRECT : palette_ok ? TIER_RGB_PALETTE : max;
    return force < max ? force : max;
}

/* ---- Colour arithmetic ------------------------------------------------ */

/* xterm's defaults for the 16 system colours. Users retune these, which
 * is why exact colours are never mapped onto them. */
static const uint32_t ansi_rgb[16] = {
    0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
    0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};
static const int cube_levels[6] = {0, 95, 135, 175, 215, 255};

uint32_t color_index_rgb(int index)
{
    if (index < 0 || index > 255)
        return 0;
    if (index < 16)
        return ansi_rgb[index];
    if (index >= 232) {
        uint32_t g = (uint32_t)(8 + 10 * (index - 232));
        return g << 16 | g << 8 | g;
    }
    int i = index - 16;
    return (uint32_t)cube_levels[i / 36] << 16 | (uint32_t)cube_levels[(i / 6) % 6] << 8 |
           (uint32_t)cube_levels[i % 6];
}

/* Squared distance weighted roughly by how much the eye cares. */
static long color_distance(uint32_t a, uint32_t b)
{
    long dr = (long)(a >> 16 & 255) - (long)(b >> 16 & 255);
    long dg = (long)(a >> 8 & 255) - (long)(b >> 8 & 255);
    long db = (long)(a & 255) - (long)(b & 255);
    return 3 * dr * dr + 4 * dg * dg + 2 * db * db;
}

static int nearest_level(int v)
{
    int best = 0;
    for (int i = 1; i < 6; i++)
        if (abs(cube_levels[i] - v) < abs(cube_levels[best] - v))
            best = i;
    return best;
}

int color_nearest_256(uint32_t rgb)
{
    int r = (int)(rgb >> 16 & 255), g = (int)(rgb >> 8 & 255), b = (int)(rgb & 255);
    int cube = 16 + 36 * nearest_level(r) + 6 * nearest_level(g) + nearest_level(b);
    int gray_step = ((r + g + b) / 3 - 8 + 5) / 10;
    gray_step = gray_step < 0 ? 0 : gray_step > 23 ? 23 : gray_step;
    int gray = 232 + gray_step;
    return color_distance(rgb, color_index_rgb(gray)) < color_distance(rgb, color_index_rgb(cube))
               ? gray : cube;
}

int color_nearest_16(uint32_t rgb, bool only8)
{
    int best = 0, n = only8 ? 8 : 16;
    for (int i = 1; i < n; i++)
        if (color_distance(rgb, ansi_rgb[i]) < color_distance(rgb, ansi_rgb[best]))
            best = i;
    return best;
}

static bool is_dark(uint32_t rgb)
{
    /* Rec. 601 luma, integer. */
    long y = 299L * (rgb >> 16 & 255) + 587L * (rgb >> 8 & 255) + 114L * (rgb & 255);
    return y < 128L * 1000;
}

/* ---- Resolving -------------------------------------------------------- */

/* A colour before it meets the terminal. */
typedef struct acolor {
    cs_kind kind; /* CS_DEFAULT, CS_INDEX or CS_RGB */
    uint32_t v;
} acolor;

typedef struct astyle {
    acolor fg, bg;
    unsigned attrs;
} astyle;

static bool alt_fits(const color_spec *c, color_tier tier)
{
    switch (c->kind) {
    case CS_DEFAULT:
        return true;
    case CS_RGB:
        return tier >= TIER_RGB_PALETTE;
    case CS_INDEX:
        return c->value < 8 || (c->value < 16 && tier >= TIER_16) || tier >= TIER_256;
    default:
        return false;
    }
}

static acolor pick(const theme *t, const color_spec *spec, color_tier tier)
{
    const color_spec *c = spec;
    if (spec->kind == CS_REF) {
        const pal_entry *e = pal_find(t, spec->ref);
        if (!e)
            return (acolor){CS_DEFAULT, 0};
        c = &e->alt[0];
        for (int i = 0; i < e->nalt; i++)
            if (alt_fits(&e->alt[i], tier)) {
                c = &e->alt[i];
                break;
            }
    }
    return (acolor){c->kind, c->value};
}

typedef struct resolver {
    const theme *t;
    color_tier tier;
    astyle abs[ROLE_COUNT];
    unsigned char state[ROLE_COUNT]; /* 0 new, 1 in progress, 2 done */
} resolver;

static const astyle *resolve_abstract(resolver *rv, theme_role r)
{
    if (rv->state[r] == 2)
        return &rv->abs[r];
    if (rv->state[r] == 1) /* a fallback cycle: cannot happen with the table, but stay safe */
        return &rv->abs[ROLE_DEFAULT];
    rv->state[r] = 1;
    astyle base = {{CS_DEFAULT, 0}, {CS_DEFAULT, 0}, 0};
    if (r != ROLE_DEFAULT)
        base = *resolve_abstract(rv, roles[r].fallback);
    const role_spec *rs = &rv->t->roles[r];
    astyle out = base;
    if (rs->set) {
        if (rs->fg.kind != CS_UNSET && rs->fg.kind != CS_INHERIT)
            out.fg = pick(rv->t, &rs->fg, rv->tier);
        if (rs->bg.kind != CS_UNSET && rs->bg.kind != CS_INHERIT)
            out.bg = pick(rv->t, &rs->bg, rv->tier);
        if (rs->attrs_set)
            out.attrs = rs->attrs;
    }
    rv->abs[r] = out;
    rv->state[r] = 2;
    return &rv->abs[r];
}

/* Palette slots for exact colours (TIER_RGB_PALETTE): taken from the top
 * of the 256 palette down, skipping the system colours and any index the
 * theme itself uses, so nothing the theme shows changes colour. */
typedef struct slot_alloc {
    bool reserved[256];
    int next;
    theme_resolved *out;
} slot_alloc;

static int slot_for(slot_alloc *sa, uint32_t rgb)
{
    for (int i = 0; i < sa->out->nslots; i++)
        if (sa->out->slots[i].rgb == rgb)
            return sa->out->slots[i].slot;
    while (sa->next >= 16 && sa->reserved[sa->next])
        sa->next--;
    if (sa->next < 16 || sa->out->nslots == THEME_MAX_SLOTS)
        return color_nearest_256(rgb);
    int slot = sa->next--;
    sa->out->slots[sa->out->nslots].slot = slot;
    sa->out->slots[sa->out->nslots].rgb = rgb;
    sa->out->nslots++;
    return slot;
}

/* A 256-palette index for this tier; bright colours on 8-colour terminals
 * become the base colour, in bold when it is a foreground. */
static int degrade_index(int n, color_tier tier, bool fg, unsigned *attrs)
{
    if (tier >= TIER_256)
        return n;
    int m = n < 16 ? n : color_nearest_16(color_index_rgb(n), false);
    if (tier == TIER_8 && m >= 8) {
        m -= 8;
        if (fg)
            *attrs |= TA_BOLD;
    }
    return m;
}

static int degrade(acolor c, color_tier tier, bool fg, bool default_colors, unsigned *attrs,
                   slot_alloc *sa)
{
    switch (c.kind) {
    case CS_INDEX:
        if (tier == TIER_DIRECT) {
            /* Direct colour reads 0-7 as the ANSI colours, anything else
             * as RGB: keep names as names, give other indices their RGB. */
            if (c.v < 8)
                return (int)c.v;
            uint32_t rgb = color_index_rgb((int)c.v);
            return rgb < 8 ? 8 : (int)rgb;
        }
        return degrade_index((int)c.v, tier, fg, attrs);
    case CS_RGB:
        switch (tier) {
        case TIER_DIRECT:
            return c.v < 8 ? 8 : (int)c.v; /* 0-7 would mean ANSI colours */
        case TIER_RGB_PALETTE:
            return slot_for(sa, c.v);
        case TIER_256:
            return color_nearest_256(c.v);
        default:
            return degrade_index(color_nearest_16(c.v, false), tier, fg, attrs);
        }
    default:
        if (default_colors)
            return -1;
        return fg ? 7 : 0;
    }
}

/* The RGB a terminal colour number shows (for contrast checks). */
static uint32_t shown_rgb(int color, color_tier tier, const slot_alloc *sa)
{
    if (tier == TIER_DIRECT && color >= 8)
        return (uint32_t)color;
    for (int i = 0; i < sa->out->nslots; i++)
        if (sa->out->slots[i].slot == color)
            return sa->out->slots[i].rgb;
    return color_index_rgb(color);
}

static bool same_acolor(acolor a, acolor b)
{
    return a.kind == b.kind && a.v == b.v;
}

void theme_resolve(const theme *t, color_tier tier, bool default_colors, theme_resolved *out)
{
    resolver *rv = xcalloc(1, sizeof *rv);
    rv->t = t;
    rv->tier = tier;
    memset(out, 0, sizeof *out);
    out->tier = tier;
    for (int r = 0; r < ROLE_COUNT; r++)
        resolve_abstract(rv, (theme_role)r);
    slot_alloc sa = {.next = 255, .out = out};
    for (int r = 0; r < ROLE_COUNT; r++) {
        const astyle *a = &rv->abs[r];
        if (a->fg.kind == CS_INDEX)
            sa.reserved[a->fg.v] = true;
        if (a->bg.kind == CS_INDEX)
            sa.reserved[a->bg.v] = true;
    }
    for (int r = 0; r < ROLE_COUNT; r++) {
        const astyle *a = &rv->abs[r];
        theme_style *st = &out->style[r];
        st->attrs = a->attrs;
        if (tier == TIER_MONO) {
            st->fg = st->bg = -1;
            st->attrs |= roles[r].mono;
            continue;
        }
        st->fg = degrade(a->fg, tier, true, default_colors, &st->attrs, &sa);
        st->bg = degrade(a->bg, tier, false, default_colors, &st->attrs, &sa);
        /* Two different colours that degrade to the same one would make
         * text invisible: write it in black or white, whichever shows. */
        if (st->fg >= 0 && st->fg == st->bg && !same_acolor(a->fg, a->bg)) {
            bool dark = is_dark(shown_rgb(st->bg, tier, &sa));
            st->fg = dark ? (tier >= TIER_16 && tier != TIER_DIRECT ? 15 : 7) : 0;
            if (tier == TIER_DIRECT)
                st->fg = dark ? 0xffffff : 0x000008;
        }
    }
    free(rv);
}

/* ---- Curses ----------------------------------------------------------- */

static attr_t curses_attrs(unsigned ta)
{
    attr_t a = A_NORMAL;
    if (ta & TA_BOLD)
        a |= A_BOLD;
    if (ta & TA_DIM)
        a |= A_DIM;
    if (ta & TA_ITALIC)
        a |= A_ITALIC;
    if (ta & TA_UNDERLINE)
        a |= A_UNDERLINE;
    if (ta & TA_REVERSE)
        a |= A_REVERSE;
    if (ta & TA_BLINK)
        a |= A_BLINK;
    if (ta & TA_STANDOUT)
        a |= A_STANDOUT;
    return a;
}

/* Curses takes colour components in thousandths, and xterm-style initc
 * strings scale them back with a truncating division: round up so the
 * terminal gets exactly the byte the theme asked for. */
static int milli(uint32_t component)
{
    return (int)((component * 1000 + 254) / 255);
}

bool theme_apply(const theme_resolved *r, theme_attrs *out)
{
    bool ok = true;
    for (int i = 0; i < r->nslots; i++) {
        uint32_t rgb = r->slots[i].rgb;
        if (init_extended_color(r->slots[i].slot, milli(rgb >> 16 & 255), milli(rgb >> 8 & 255),
                                milli(rgb & 255)) == ERR)
            ok = false;
    }
    for (int role = 0; role < ROLE_COUNT; role++) {
        const theme_style *st = &r->style[role];
        attr_t a = curses_attrs(st->attrs);
        if (r->tier != TIER_MONO) {
            int pair = role + 1;
            if (init_extended_pair(pair, st->fg, st->bg) == OK)
                a |= COLOR_PAIR(pair);
            else
                ok = false;
        }
        out->attr[role] = a;
    }
    return ok;
}
