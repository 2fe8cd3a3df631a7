/* cmdline.h — the one-line editor behind the `:` command prompt and the
 * `/` filter prompt.
 *
 * Emacs/readline keys, as in a shell: Left/Right (C-b/C-f), Home/End
 * (C-a/C-e), M-b/M-f by word, Backspace and Del (C-d), C-u/C-k kill to the
 * start/end, C-w deletes the word before the cursor, Up/Down (C-p/C-n)
 * walk the history, Tab/S-Tab complete, Enter submits, Esc (C-c, C-g)
 * cancels, and Backspace on an empty line cancels too.
 *
 * Completion asks the caller for the candidates of the word under the
 * cursor: Tab inserts the longest common prefix of those that match, a
 * second Tab cycles through them. cmdline_complete_command provides the
 * `:` flavour (action names, then the action's argument: theme, portal,
 * object type or column names the caller supplies; :sync takes --full and
 * any number of object types).
 *
 * The text is UTF-8 and the cursor never sits inside a character. Nothing
 * here draws: cmdline_view says what part of the line to show. */
#ifndef HUBTUI_CMDLINE_H
#define HUBTUI_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "keymap.h"
#include "util.h"

#define CMDLINE_HISTORY_MAX 200

/* A growable list of owned strings. */
typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;

void strvec_push(strvec *sv, const char *s);
void strvec_clear(strvec *sv);

/* Fill out with every candidate for the word that starts at byte
 * word_start of line (word_index 0 is the first word). The editor keeps
 * only those starting with what was typed (case-insensitively). */
typedef void (*cmdline_candidates_fn)(void *ud, const char *line, size_t word_start,
                                      int word_index, strvec *out);

typedef struct cmdline_completion {
    cmdline_candidates_fn candidates;
    void *ud;
} cmdline_completion;

typedef struct cmdline {
    strbuf text;
    size_t cursor;   /* byte offset, on a character boundary */
    int scroll;      /* first display column shown (cmdline_view keeps it) */
    strvec history;  /* oldest first */
    size_t hist_pos; /* == history.n while editing a new line */
    char *stash;     /* the new line, kept while browsing history */
    strvec matches;  /* current completion candidates */
    size_t match_next;
    bool completing; /* the last key was a completion */
    size_t word_start;
} cmdline;

typedef enum cmdline_result {
    CMDLINE_IGNORED, /* not an editing key: the caller may use it */
    CMDLINE_MOVED,   /* only the cursor moved */
    CMDLINE_CHANGED, /* the text changed (re-filter as you type) */
    CMDLINE_SUBMIT,  /* Enter: the text is final (and now in history) */
    CMDLINE_CANCEL,  /* Esc, or Backspace on an empty line */
} cmdline_result;

void cmdline_init(cmdline *cl);
void cmdline_free(cmdline *cl);
/* Start a new edit with initial text (may be NULL), cursor at the end. */
void cmdline_reset(cmdline *cl, const char *initial);
/* The line being edited. */
const char *cmdline_text(const cmdline *cl);

/* Apply one key. comp may be NULL (Tab is then ignored). */
cmdline_result cmdline_key(cmdline *cl, key_code key, const cmdline_completion *comp);

/* Insert UTF-8 text at the cursor (pasted text; controls are dropped). */
void cmdline_insert(cmdline *cl, const char *s);
/* Add a line to the history (skips empty lines and repeats of the last). */
void cmdline_history_add(cmdline *cl, const char *line);

/* The completion candidates shown after the last Tab (n 0 when none) and
 * which one is selected (== n when none is). */
const char *const *cmdline_matches(const cmdline *cl, size_t *n, size_t *selected);

/* For drawing in width columns: the byte offset to start drawing from and
 * the cursor's column relative to it. Scrolls so the cursor stays visible. */
void cmdline_view(cmdline *cl, int width, size_t *start, int *cursor_col);

/* Extra candidates for `:` command arguments. Any list may be NULL. */
typedef struct cmdline_command_lists {
    const char *const *themes;  /* NULL-terminated */
    const char *const *portals;
    const char *const *types;
    const char *const *columns;
} cmdline_command_lists;

/* A cmdline_candidates_fn for the `:` prompt; ud is a
 * const cmdline_command_lists *. */
void cmdline_complete_command(void *ud, const char *line, size_t word_start, int word_index,
                              strvec *out);

#endif
