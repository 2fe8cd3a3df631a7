/* theme.h — colour themes: files mapping named roles to colours and
 * attributes, resolved for what the terminal can show.
 *
 * A theme file (themes/NAME.theme) is INI:
 *
 *   [theme]
 *   name    = midnight
 *   extends = default           ; roles not set here come from default
 *   [palette]                   ; alternatives, first the terminal can show
 *   accent  = #5fafd7|74|cyan
 *   [colors]
 *   ; role      = fg       bg       attributes
 *   cursor      = black    $accent
 *   row.marked  = yellow   -        bold
 *
 * Colours are `default`, the 16 names (black red green yellow blue magenta
 * cyan white, bright-black … bright-white, gray), 0–255 or #rrggbb, or
 * $name from the palette; `-` (or leaving it out) inherits from the role's
 * fallback (status.warn falls back to status, everything to default).
 * Attributes: bold dim italic underline reverse blink standout, joined with
 * ',' or '+', or `none`. Problems are reported with file and line and the
 * rest of the file still loads.
 *
 * Resolution picks a colour tier from the terminal (direct colour, 256
 * colours with palette redefinition under COLORTERM=truecolor, 256, 16, 8,
 * none) and degrades every colour to it; without colours (or with NO_COLOR)
 * each role keeps its attributes plus a built-in set that keeps the cursor,
 * marks and bars visible. */
#ifndef HUBTUI_THEME_H
#define HUBTUI_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "error.h"

/* Attribute bits (independent of curses; theme_apply converts them). */
enum {
    TA_BOLD = 1 << 0,
    TA_DIM = 1 << 1,
    TA_ITALIC = 1 << 2,
    TA_UNDERLINE = 1 << 3,
    TA_REVERSE = 1 << 4,
    TA_BLINK = 1 << 5,
    TA_STANDOUT = 1 << 6,
};

/* Roles: id, name in theme files, fallback role, attributes always added
 * when the terminal shows no colour (so the cursor, marks and bars stay
 * visible in monochrome). */
#define THEME_ROLE_LIST(_)                                                       \
    _(DEFAULT,          "default",          DEFAULT,        0)                   \
    _(TOPBAR,           "topbar",           STATUS,         TA_REVERSE | TA_BOLD) \
    _(TITLE_FOCUS,      "title.focus",      DEFAULT,        TA_REVERSE | TA_BOLD) \
    _(TITLE_BLUR,       "title.blur",       TITLE_FOCUS,    TA_REVERSE)          \
    _(BORDER_FOCUS,     "border.focus",     DEFAULT,        TA_BOLD)             \
    _(BORDER_BLUR,      "border.blur",      BORDER_FOCUS,   0)                   \
    _(HEADER,           "header",           DEFAULT,        TA_BOLD | TA_UNDERLINE) \
    _(HEADER_SORT,      "header.sort",      HEADER,         TA_BOLD | TA_UNDERLINE | TA_REVERSE) \
    _(STATUS,           "status",           DEFAULT,        TA_REVERSE)          \
    _(STATUS_INFO,      "status.info",      DEFAULT,        0)                   \
    _(STATUS_WARN,      "status.warn",      STATUS_INFO,    TA_BOLD)             \
    _(STATUS_ERROR,     "status.error",     STATUS_WARN,    TA_BOLD | TA_REVERSE) \
    _(PROMPT,           "prompt",           DEFAULT,        TA_BOLD)             \
    _(CURSOR,           "cursor",           DEFAULT,        TA_REVERSE)          \
    _(CURSOR_BLUR,      "cursor.blur",      CURSOR,         TA_UNDERLINE)        \
    _(ROW_MARKED,       "row.marked",       DEFAULT,        TA_BOLD)             \
    _(ROW_VISUAL,       "row.visual",       ROW_MARKED,     TA_BOLD | TA_UNDERLINE) \
    _(SEARCH_MATCH,     "search.match",     DEFAULT,        TA_BOLD | TA_UNDERLINE) \
    _(FILTER_ACTIVE,    "filter.active",    STATUS,         TA_BOLD)             \
    _(HELP_KEY,         "help.key",         DEFAULT,        TA_BOLD)             \
    _(HELP_DESC,        "help.desc",        DEFAULT,        0)                   \
    _(HELP_GROUP,       "help.group",       HEADER,         TA_BOLD | TA_UNDERLINE) \
    _(FIELD_LABEL,      "field.label",      DEFAULT,        0)                   \
    _(FIELD_VALUE,      "field.value",      DEFAULT,        0)                   \
    _(FIELD_READONLY,   "field.readonly",   FIELD_VALUE,    TA_DIM)              \
    _(FIELD_EMPTY,      "field.empty",      FIELD_VALUE,    TA_DIM)              \
    _(FIELD_PENDING,    "field.pending",    FIELD_VALUE,    TA_BOLD | TA_UNDERLINE) \
    _(FIELD_ERROR,      "field.error",      FIELD_VALUE,    TA_BOLD | TA_REVERSE) \
    _(VALUE_NUMBER,     "value.number",     FIELD_VALUE,    0)                   \
    _(VALUE_CURRENCY,   "value.currency",   VALUE_NUMBER,   0)                   \
    _(VALUE_DATE,       "value.date",       FIELD_VALUE,    0)                   \
    _(VALUE_EMAIL,      "value.email",      FIELD_VALUE,    0)                   \
    _(VALUE_OWNER,      "value.owner",      FIELD_VALUE,    0)                   \
    _(OBJ_CONTACT,      "obj.contact",      DEFAULT,        0)                   \
    _(OBJ_COMPANY,      "obj.company",      DEFAULT,        0)                   \
    _(OBJ_DEAL,         "obj.deal",         DEFAULT,        0)                   \
    _(OBJ_TICKET,       "obj.ticket",       DEFAULT,        0)                   \
    _(DEAL_STAGE_OPEN,  "deal.stage.open",  FIELD_VALUE,    0)                   \
    _(DEAL_STAGE_WON,   "deal.stage.won",   FIELD_VALUE,    TA_BOLD)             \
    _(DEAL_STAGE_LOST,  "deal.stage.lost",  FIELD_VALUE,    TA_DIM)              \
    _(SYNC_PENDING,     "sync.pending",     FIELD_PENDING,  TA_BOLD)             \
    _(SYNC_SENDING,     "sync.sending",     SYNC_PENDING,   TA_BOLD)             \
    _(SYNC_FAILED,      "sync.failed",      FIELD_ERROR,    TA_BOLD | TA_REVERSE) \
    _(SYNC_CONFLICT,    "sync.conflict",    SYNC_FAILED,    TA_BOLD | TA_REVERSE) \
    _(SYNC_OFFLINE,     "sync.offline",     STATUS_WARN,    TA_BOLD)             \
    _(GRAPH_NODE,       "graph.node",       DEFAULT,        0)                   \
    _(GRAPH_NODE_FOCUS, "graph.node.focus", CURSOR,         TA_REVERSE)          \
    _(GRAPH_EDGE,       "graph.edge",       BORDER_BLUR,    0)                   \
    _(GRAPH_LABEL,      "graph.label",      FIELD_LABEL,    0)                   \
    _(OVERLAY,          "overlay",          DEFAULT,        0)                   \
    _(OVERLAY_BORDER,   "overlay.border",   BORDER_FOCUS,   TA_BOLD)             \
    _(HINT,             "hint",             FIELD_EMPTY,    TA_DIM)

typedef enum theme_role {
#define THEME_ROLE_ENUM(id, name, fallback, mono) ROLE_##id,
    THEME_ROLE_LIST(THEME_ROLE_ENUM)
#undef THEME_ROLE_ENUM
    ROLE_COUNT
} theme_role;

/* A role's name in theme files ("row.marked"). */
const char *theme_role_name(theme_role role);
/* The role a name stands for; false if there is none. */
bool theme_role_by_name(const char *name, theme_role *out);
/* The role a role falls back to (DEFAULT falls back to itself). */
theme_role theme_role_fallback(theme_role role);

/* ---- Loading ---------------------------------------------------------- */

typedef struct theme theme;

/* Directories searched for NAME.theme, in order: $HUBTUI_THEMES_DIR,
 * $XDG_CONFIG_HOME/hubtui/themes (~/.config/...), the installed data dir,
 * the source tree's themes/. NULL-terminated; free with theme_dirs_free. */
char **theme_dirs_default(void);
void theme_dirs_free(char **dirs);

/* Is name acceptable as a theme name (letters, digits, '-', '_', '.';
 * no path separators)? */
bool theme_name_valid(const char *name);

/* Load the theme called name from the first directory that has it ("default"
 * also comes built in), following `extends`. Problems inside files go to
 * diags and loading goes on; NULL with err filled only when the theme
 * itself cannot be found or read. */
theme *theme_load(const char *name, char *const *dirs, diag_list *diags, ht_error *err);
/* Load a theme from text (source names it in reports), following `extends`
 * through dirs (may be NULL). Never NULL. */
theme *theme_load_string(const char *text, const char *source, const char *name,
                         char *const *dirs, diag_list *diags);
/* The built-in default theme (themes/default.theme, compiled in). */
theme *theme_load_builtin(diag_list *diags);
void theme_free(theme *t);

/* The name it was loaded as ("default", "light"). */
const char *theme_name(const theme *t);
/* Names of every theme found in dirs plus "default", sorted, unique,
 * NULL-terminated; free with theme_dirs_free. */
char **theme_list(char *const *dirs);

/* The text of the compiled-in default theme. */
extern const char theme_default_text[];

/* ---- Resolving for a terminal ----------------------------------------- */

typedef enum color_tier {
    TIER_MONO,        /* attributes only (no colour, or NO_COLOR) */
    TIER_8,           /* the 8 ANSI colours; bright ones via bold */
    TIER_16,          /* 16 ANSI colours */
    TIER_256,         /* the xterm 256-colour palette */
    TIER_RGB_PALETTE, /* 256 colours whose slots we may redefine to exact RGB */
    TIER_DIRECT,      /* direct colour: every colour is 0xRRGGBB */
} color_tier;

/* What the terminal can do, as curses and the environment report it. */
typedef struct term_caps {
    bool has_colors;     /* has_colors() */
    int colors;          /* COLORS */
    bool can_redefine;   /* can_change_color() */
    const char *colorterm; /* $COLORTERM */
    const char *no_color;  /* $NO_COLOR: set and non-empty disables colour */
    const char *force;     /* user's choice: auto truecolor 256 16 8 mono, or NULL */
} term_caps;

/* The richest tier the terminal supports, capped by caps->force. Exact RGB
 * through palette redefinition is used only when the terminal says it is a
 * truecolor one (COLORTERM) and can redefine colours. */
color_tier theme_detect_tier(const term_caps *caps);
/* Parse a tier name for force ("auto" gives false: no cap). */
bool theme_tier_parse(const char *s, color_tier *out);
const char *theme_tier_name(color_tier tier);

/* A role's final look: terminal colour numbers (-1 = the terminal's default)
 * and TA_* attributes. */
typedef struct theme_style {
    int fg, bg;
    unsigned attrs;
} theme_style;

#define THEME_MAX_SLOTS 240

typedef struct theme_resolved {
    color_tier tier;
    theme_style style[ROLE_COUNT];
    /* TIER_RGB_PALETTE only: palette slots to redefine to exact colours. */
    int nslots;
    struct {
        int slot;
        uint32_t rgb;
    } slots[THEME_MAX_SLOTS];
} theme_resolved;

/* Resolve every role of t for a terminal of this tier. default_colors says
 * whether the terminal's own default colours are usable (use_default_colors
 * succeeded); when false `default` becomes white on black. */
void theme_resolve(const theme *t, color_tier tier, bool default_colors, theme_resolved *out);

/* ---- Colour arithmetic (exposed for tests) ---------------------------- */

/* The xterm default RGB of a 256-palette index. */
uint32_t color_index_rgb(int index);
/* Nearest xterm 256-palette index (16–255, never the user-tunable 0–15). */
int color_nearest_256(uint32_t rgb);
/* Nearest of the 16 ANSI colours (0–15), or of the first 8 if only8. */
int color_nearest_16(uint32_t rgb, bool only8);

/* ---- Curses ----------------------------------------------------------- */

/* Per-role curses attributes (colour pair included), ready for wattrset. */
typedef struct theme_attrs {
    unsigned long attr[ROLE_COUNT]; /* attr_t values */
} theme_attrs;

/* Program the terminal for r (colour pairs, redefined slots) and fill the
 * attributes to draw with. Curses must be started (and start_color called
 * when r->tier is not TIER_MONO). Returns false if the terminal refused a
 * colour; roles that failed fall back to plain attributes. */
bool theme_apply(const theme_resolved *r, theme_attrs *out);

#endif
