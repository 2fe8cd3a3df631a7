/* actions.h — every thing a key can do, in one table.
 *
 * Each action has a name that `:` runs and a keymap binds, a help line the
 * `?` overlay shows, the views it applies to and a few flags. Keys are not
 * in this table: they live in the default keymap file (tui/keys.default,
 * compiled in), which is the same syntax users write in their config, so
 * there is exactly one place that says which key does what.
 *
 * Views name the keymap sections ([keys.list], [keys.detail], ...). */
#ifndef HUBTUI_ACTIONS_H
#define HUBTUI_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* View kinds: keymap section name (after "keys."), title. GLOBAL is the
 * plain [keys] section and applies everywhere. */
#define VIEW_KIND_LIST(_)                                \
    _(GLOBAL,  "",        "Everywhere")                  \
    _(TYPES,   "types",   "Object types")                \
    _(LIST,    "list",    "Record list")                 \
    _(DETAIL,  "detail",  "Record detail")               \
    _(GRAPH,   "graph",   "Association graph")           \
    _(QUEUE,   "queue",   "Outbox queue")                \
    _(COLUMNS, "columns", "Column chooser")              \
    _(PICKER,  "picker",  "Choosing a value")            \
    _(HELP,    "help",    "Help")                        \
    _(ABOUT,   "about",   "About")

typedef enum view_kind {
#define VIEW_KIND_ENUM(id, section, title) VIEW_##id,
    VIEW_KIND_LIST(VIEW_KIND_ENUM)
#undef VIEW_KIND_ENUM
    VIEW_KIND_COUNT
} view_kind;

/* Masks of view kinds, for "where an action applies". */
#define VM(kind) (1u << VIEW_##kind)
#define VM_ALL      (~0u)
#define VM_SCROLL   (VM(TYPES) | VM(LIST) | VM(DETAIL) | VM(GRAPH) | VM(QUEUE) | \
                     VM(COLUMNS) | VM(PICKER) | VM(HELP) | VM(ABOUT))
#define VM_RECORDS  (VM(LIST) | VM(DETAIL) | VM(GRAPH))
#define VM_MARKABLE (VM(LIST) | VM(QUEUE) | VM(COLUMNS) | VM(PICKER))
#define VM_FILTER   (VM(TYPES) | VM(LIST) | VM(DETAIL) | VM(QUEUE) | VM(COLUMNS) | VM(PICKER) | \
                     VM(HELP))

/* Groups order the help overlay. */
#define ACTION_GROUP_LIST(_)            \
    _(MOVE,   "Moving around")          \
    _(PANES,  "Panes and history")      \
    _(SEARCH, "Filter and search")      \
    _(MARKS,  "Marking rows")           \
    _(EDIT,   "Editing")                \
    _(SYNC,   "Sync and outbox")        \
    _(VIEWS,  "Views and looks")        \
    _(APP,    "hubtui")

typedef enum action_group {
#define ACTION_GROUP_ENUM(id, title) AG_##id,
    ACTION_GROUP_LIST(ACTION_GROUP_ENUM)
#undef ACTION_GROUP_ENUM
    AG_COUNT
} action_group;

/* What an action's argument completes from on the command line. */
typedef enum action_arg {
    ARG_NONE,   /* takes no argument */
    ARG_TEXT,   /* free text (a filter expression) */
    ARG_THEME,  /* a theme name */
    ARG_PORTAL, /* a portal name */
    ARG_TYPE,   /* an object type */
    ARG_COLUMN, /* a property shown as a column */
    ARG_SYNC,   /* `hubtui sync`'s arguments: --full, then object types */
} action_arg;

/* Flags. */
enum {
    AF_WRITE = 1 << 0, /* changes records or sends them: refused when read-only */
};

/* The table: id, name, group, views, flags, argument, help. */
#define ACTION_LIST(_)                                                                         \
    _(MOVE_DOWN,      "move-down",      MOVE,   VM_SCROLL,   0, ARG_NONE,                      \
      "Move down one row")                                                                     \
    _(MOVE_UP,        "move-up",        MOVE,   VM_SCROLL,   0, ARG_NONE,                      \
      "Move up one row")                                                                       \
    _(MOVE_FIRST,     "move-first",     MOVE,   VM_SCROLL,   0, ARG_NONE,                      \
      "Go to the first row")                                                                   \
    _(MOVE_LAST,      "move-last",      MOVE,   VM_SCROLL,   0, ARG_NONE,                      \
      "Go to the last row")                                                                    \
    _(PAGE_DOWN,      "page-down",      MOVE,   VM_SCROLL,   0, ARG_NONE,                      \
      "Move down one page")                                                                    \
    _(PAGE_UP,        "page-up",        MOVE,   VM_SCROLL,   0, ARG_NONE,                      \
      "Move up one page")                                                                      \
    _(HALF_DOWN,      "half-page-down", MOVE,   VM_SCROLL,   0, ARG_NONE,                      \
      "Move down half a page")                                                                 \
    _(HALF_UP,        "half-page-up",   MOVE,   VM_SCROLL,   0, ARG_NONE,                      \
      "Move up half a page")                                                                   \
    _(SCROLL_DOWN,    "scroll-down",    MOVE,   VM_SCROLL,   0, ARG_NONE,                      \
      "Scroll the view down a few rows")                                                       \
    _(SCROLL_UP,      "scroll-up",      MOVE,   VM_SCROLL,   0, ARG_NONE,                      \
      "Scroll the view up a few rows")                                                         \
    _(MOVE_LEFT,      "move-left",      MOVE,   VM(LIST) | VM(GRAPH) | VM(QUEUE),              \
      0, ARG_NONE, "Previous column; collapse a graph branch")                                 \
    _(MOVE_RIGHT,     "move-right",     MOVE,   VM(LIST) | VM(GRAPH) | VM(QUEUE),              \
      0, ARG_NONE, "Next column; expand a graph branch")                                       \
    _(FOCUS_NEXT,     "focus-next",     PANES,  VM_ALL,      0, ARG_NONE,                      \
      "Focus the next pane")                                                                   \
    _(FOCUS_PREV,     "focus-prev",     PANES,  VM_ALL,      0, ARG_NONE,                      \
      "Focus the previous pane")                                                               \
    _(OPEN,           "open",           PANES,  VM(TYPES) | VM_RECORDS | VM(QUEUE) | VM(COLUMNS) | VM(PICKER), \
      0, ARG_NONE, "Open the selected item")                                                   \
    _(BACK,           "back",           PANES,  VM_ALL,      0, ARG_NONE,                      \
      "Go back to the previous view; close an overlay")                                        \
    _(FORWARD,        "forward",        PANES,  VM_ALL,      0, ARG_NONE,                      \
      "Go forward again after going back")                                                     \
    _(TYPES,          "types",          PANES,  VM_ALL,      0, ARG_TYPE,                      \
      "Show the object types, or open TYPE's list")                                            \
    _(FILTER,         "filter",         SEARCH, VM_FILTER,   0, ARG_TEXT,                      \
      "Filter the list as you type (empty clears)")                                            \
    _(NEXT_MATCH,     "next-match",     SEARCH, VM_FILTER,   0, ARG_NONE,                      \
      "Jump to the next match")                                                                \
    _(PREV_MATCH,     "prev-match",     SEARCH, VM_FILTER,   0, ARG_NONE,                      \
      "Jump to the previous match")                                                            \
    _(MARK,           "mark",           MARKS,  VM_MARKABLE, 0, ARG_NONE,                      \
      "Mark or unmark the row and move down")                                                  \
    _(MARK_RANGE,     "mark-range",     MARKS,  VM_MARKABLE, 0, ARG_NONE,                      \
      "Start or finish marking a range of rows")                                               \
    _(MARK_MATCHING,  "mark-matching",  MARKS,  VM_MARKABLE, 0, ARG_NONE,                      \
      "Mark every row the filter matches")                                                     \
    _(CLEAR_MARKS,    "clear-marks",    MARKS,  VM_MARKABLE, 0, ARG_NONE,                      \
      "Unmark every row")                                                                      \
    _(EDIT,           "edit",           EDIT,   VM_RECORDS,  AF_WRITE, ARG_NONE,               \
      "Edit the selected property")                                                            \
    _(BULK_EDIT,      "bulk-edit",      EDIT,   VM(LIST),    AF_WRITE, ARG_COLUMN,             \
      "Set one property on every marked record, after a preview")                              \
    _(ASSOCIATE,      "associate",      EDIT,   VM(DETAIL) | VM(GRAPH), AF_WRITE, ARG_TYPE,    \
      "Associate another record with this one (pick it by search)")                            \
    _(DISSOCIATE,     "dissociate",     EDIT,   VM(GRAPH),   AF_WRITE, ARG_NONE,               \
      "Remove the selected association")                                                      \
    _(UNDO,           "undo",           EDIT,   VM_ALL,      AF_WRITE, ARG_NONE,               \
      "Undo the last change that has not been pushed")                                         \
    _(COPY,           "copy",           EDIT,   VM_RECORDS | VM(QUEUE) | VM(HELP) | VM(ABOUT), \
      0, ARG_NONE, "Copy the selected value to the clipboard (OSC 52)")                        \
    _(TOGGLE_EMPTY,   "toggle-empty",   EDIT,   VM(DETAIL),  0, ARG_NONE,                      \
      "Show or hide empty properties")                                                         \
    _(PUSH,           "push",           SYNC,   VM_ALL,      AF_WRITE, ARG_NONE,               \
      "Send pending changes to HubSpot in the background")                                     \
    _(SYNC,           "sync",           SYNC,   VM_ALL,      0, ARG_SYNC,                      \
      "Fetch changes from HubSpot in the background (:sync [--full] [TYPE...])")               \
    _(CANCEL_SYNC,    "cancel-sync",    SYNC,   VM_ALL,      0, ARG_NONE,                      \
      "Stop a running sync or push")                                                           \
    _(REFRESH,        "refresh",        SYNC,   VM_RECORDS | VM(TYPES), 0, ARG_NONE,           \
      "Reload from the cache; a record's detail is fetched from HubSpot")                      \
    _(QUEUE,          "queue",          SYNC,   VM_ALL,      0, ARG_NONE,                      \
      "Show the outbox: pending, conflicting and failed changes")                              \
    _(KEEP_MINE,      "keep-mine",      SYNC,   VM(QUEUE),   AF_WRITE, ARG_NONE,               \
      "Settle a conflict with your value (sent over HubSpot's)")                               \
    _(TAKE_THEIRS,    "take-theirs",    SYNC,   VM(QUEUE),   AF_WRITE, ARG_NONE,               \
      "Settle a conflict with HubSpot's value (yours is dropped)")                             \
    _(RETRY,          "retry",          SYNC,   VM(QUEUE),   AF_WRITE, ARG_NONE,               \
      "Queue a failed change again")                                                           \
    _(DROP,           "drop",           SYNC,   VM(QUEUE),   AF_WRITE, ARG_NONE,               \
      "Drop the selected change (the old value comes back)")                                   \
    _(ONLINE,         "online",         SYNC,   VM_ALL,      0, ARG_NONE,                      \
      "Connect to HubSpot now")                                                                \
    _(OFFLINE,        "offline",        SYNC,   VM_ALL,      0, ARG_NONE,                      \
      "Work offline: edits stay queued until you push")                                        \
    _(GRAPH,          "graph",          VIEWS,  VM_RECORDS,  0, ARG_NONE,                      \
      "Show the association graph of the record")                                              \
    _(COLUMNS,        "columns",        VIEWS,  VM(LIST),    0, ARG_NONE,                      \
      "Choose and order the list's columns")                                                   \
    _(MOVE_ITEM_UP,   "move-item-up",   VIEWS,  VM(LIST) | VM(COLUMNS) | VM(PICKER), 0, ARG_NONE, \
      "Move the selected column left (up in the chooser)")                                     \
    _(MOVE_ITEM_DOWN, "move-item-down", VIEWS,  VM(LIST) | VM(COLUMNS) | VM(PICKER), 0, ARG_NONE, \
      "Move the selected column right (down in the chooser)")                                  \
    _(SORT,           "sort",           VIEWS,  VM(LIST) | VM(QUEUE), 0, ARG_COLUMN,           \
      "Sort by the current column (again: reverse), or by COLUMN")                             \
    _(THEME,          "theme",          VIEWS,  VM_ALL,      0, ARG_THEME,                     \
      "Switch to theme NAME, or cycle through the themes")                                     \
    _(PORTAL,         "portal",         VIEWS,  VM_ALL,      0, ARG_PORTAL,                    \
      "Switch to portal NAME")                                                                 \
    _(ERROR_DETAILS,  "error-details",  VIEWS,  VM_ALL,      0, ARG_NONE,                      \
      "Show the last error in full (HubSpot message, correlation id)")                         \
    _(ABOUT,          "about",          VIEWS,  VM_ALL,      0, ARG_NONE,                      \
      "Show version, terminal and theme details")                                              \
    _(HELP,           "help",           APP,    VM_ALL,      0, ARG_NONE,                      \
      "Show this help")                                                                        \
    _(COMMAND,        "command",        APP,    VM_ALL,      0, ARG_NONE,                      \
      "Type a command (Tab completes)")                                                        \
    _(CANCEL,         "cancel",         APP,    VM_ALL,      0, ARG_NONE,                      \
      "Close the prompt or overlay; clear the message")                                        \
    _(REDRAW,         "redraw",         APP,    VM_ALL,      0, ARG_NONE,                      \
      "Redraw the whole screen")                                                               \
    _(TOGGLE_MOUSE,   "toggle-mouse",   APP,    VM_ALL,      0, ARG_NONE,                      \
      "Turn mouse clicks and wheel on or off")                                                 \
    _(SUSPEND,        "suspend",        APP,    VM_ALL,      0, ARG_NONE,                      \
      "Suspend to the shell (fg resumes)")                                                     \
    _(QUIT,           "quit",           APP,    VM_ALL,      0, ARG_NONE,                      \
      "Quit hubtui")

typedef enum action_id {
    ACTION_NONE = 0,
#define ACTION_ENUM(id, name, group, views, flags, arg, help) ACT_##id,
    ACTION_LIST(ACTION_ENUM)
#undef ACTION_ENUM
    ACTION_COUNT
} action_id;

typedef struct action_info {
    const char *name;
    action_group group;
    unsigned views;  /* mask of VM(kind) */
    unsigned flags;  /* AF_* */
    action_arg arg;
    const char *help;
} action_info;

/* The row of the table for id (ACTION_NONE and out-of-range give a row
 * named "none"). */
const action_info *action_get(action_id id);
/* The action a name (any case, or a short alias such as "q") runs; ACTION_NONE if
 * unknown. */
action_id action_by_name(const char *name);
/* Does the action apply in views of this kind? */
bool action_applies(action_id id, view_kind kind);

/* Title of a group, for the help overlay. */
const char *action_group_title(action_group g);

/* A view kind's keymap section suffix ("list"; "" for GLOBAL). */
const char *view_kind_section(view_kind kind);
/* A view kind's human title ("Record list"). */
const char *view_kind_title(view_kind kind);
/* The view kind whose section suffix is name; false if none. */
bool view_kind_by_section(const char *name, view_kind *out);

/* A parsed command line: "theme light" → ACT_THEME, arg "light". */
typedef struct action_call {
    action_id id;
    const char *arg; /* NULL when none; points into the caller's text */
} action_call;

/* Split "name rest..." into an action and its (trimmed) argument. line is
 * modified in place. Returns false when the name is unknown or empty. */
bool action_parse_command(char *line, action_call *out);

#endif
