#include "cmdline.h"
#include "actions.h"
#include "text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void strvec_push(strvec *sv, const char *s)
{
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 16;
        sv->v = xrealloc(sv->v, sv->cap * sizeof *sv->v);
    }
    sv->v[sv->n++] = xstrdup(s);
}

void strvec_clear(strvec *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    memset(sv, 0, sizeof *sv);
}

void cmdline_init(cmdline *cl)
{
    memset(cl, 0, sizeof *cl);
    strbuf_puts(&cl->text, "");
}

static void stop_completing(cmdline *cl)
{
    strvec_clear(&cl->matches);
    cl->completing = false;
    cl->match_next = 0;
}

void cmdline_free(cmdline *cl)
{
    strbuf_free(&cl->text);
    strvec_clear(&cl->history);
    strvec_clear(&cl->matches);
    free(cl->stash);
    memset(cl, 0, sizeof *cl);
}

static void set_text(cmdline *cl, const char *s)
{
    strbuf_reset(&cl->text);
    strbuf_puts(&cl->text, s ? s : "");
    cl->cursor = cl->text.len;
}

void cmdline_reset(cmdline *cl, const char *initial)
{
    set_text(cl, initial);
    cl->scroll = 0;
    cl->hist_pos = cl->history.n;
    free(cl->stash);
    cl->stash = NULL;
    stop_completing(cl);
}

const char *cmdline_text(const cmdline *cl)
{
    return strbuf_str(&cl->text);
}

/* Replace bytes [from, to) with s and leave the cursor after s. */
static void splice(cmdline *cl, size_t from, size_t to, const char *s, size_t n)
{
    strbuf *t = &cl->text;
    size_t tail = t->len - to;
    strbuf_grow(t, n);
    memmove(t->buf + from + n, t->buf + to, tail);
    memcpy(t->buf + from, s, n);
    t->len = from + n + tail;
    t->buf[t->len] = '\0';
    cl->cursor = from + n;
}

void cmdline_insert(cmdline *cl, const char *s)
{
    strbuf clean = {0};
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        bool valid;
        size_t len = text_decode(s + i, n - i, &cp, &valid);
        if (valid && cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F))
            strbuf_append(&clean, s + i, len);
        else if (valid && (cp == '\t' || cp == '\n'))
            strbuf_putc(&clean, ' ');
        i += len;
    }
    splice(cl, cl->cursor, cl->cursor, strbuf_str(&clean), clean.len);
    strbuf_free(&clean);
}

void cmdline_history_add(cmdline *cl, const char *line)
{
    if (str_empty(line))
        return;
    if (cl->history.n && strcmp(cl->history.v[cl->history.n - 1], line) == 0)
        return;
    if (cl->history.n == CMDLINE_HISTORY_MAX) {
        free(cl->history.v[0]);
        memmove(cl->history.v, cl->history.v + 1, (cl->history.n - 1) * sizeof *cl->history.v);
        cl->history.n--;
    }
    strvec_push(&cl->history, line);
}

/* ---- Words ------------------------------------------------------------ */

static bool is_space_at(const cmdline *cl, size_t pos)
{
    return isspace((unsigned char)cl->text.buf[pos]);
}

static size_t word_back(const cmdline *cl, size_t pos)
{
    while (pos > 0 && is_space_at(cl, pos - 1))
        pos--;
    while (pos > 0 && !is_space_at(cl, pos - 1))
        pos = text_prev_char(cl->text.buf, pos);
    return pos;
}

static size_t word_forward(const cmdline *cl, size_t pos)
{
    size_t len = cl->text.len;
    while (pos < len && is_space_at(cl, pos))
        pos++;
    while (pos < len && !is_space_at(cl, pos))
        pos = text_next_char(cl->text.buf, len, pos);
    return pos;
}

/* ---- History ---------------------------------------------------------- */

static cmdline_result history_step(cmdline *cl, int dir)
{
    size_t n = cl->history.n;
    if (dir < 0) {
        if (cl->hist_pos == 0)
            return CMDLINE_MOVED;
        if (cl->hist_pos == n) {
            free(cl->stash);
            cl->stash = xstrdup(cmdline_text(cl));
        }
        cl->hist_pos--;
        set_text(cl, cl->history.v[cl->hist_pos]);
        return CMDLINE_CHANGED;
    }
    if (cl->hist_pos >= n)
        return CMDLINE_MOVED;
    cl->hist_pos++;
    set_text(cl, cl->hist_pos == n ? cl->stash : cl->history.v[cl->hist_pos]);
    return CMDLINE_CHANGED;
}

/* ---- Completion ------------------------------------------------------- */

static size_t current_word_start(const cmdline *cl)
{
    size_t pos = cl->cursor;
    while (pos > 0 && !is_space_at(cl, pos - 1))
        pos--;
    return pos;
}

static int word_index_at(const cmdline *cl, size_t word_start)
{
    int words = 0;
    bool in_word = false;
    for (size_t i = 0; i < word_start; i++) {
        bool sp = is_space_at(cl, i);
        if (!sp && !in_word)
            words++;
        in_word = !sp;
    }
    return words;
}

static void collect_matches(cmdline *cl, const cmdline_completion *comp)
{
    strvec all = {0};
    cl->word_start = current_word_start(cl);
    size_t typed = cl->cursor - cl->word_start;
    const char *word = cl->text.buf + cl->word_start;
    comp->candidates(comp->ud, cmdline_text(cl), cl->word_start, word_index_at(cl, cl->word_start),
                     &all);
    strvec_clear(&cl->matches);
    for (size_t i = 0; i < all.n; i++) {
        if (strncasecmp(all.v[i], word, typed) != 0)
            continue;
        bool dup = false;
        for (size_t k = 0; k < cl->matches.n && !dup; k++)
            dup = strcmp(cl->matches.v[k], all.v[i]) == 0;
        if (!dup)
            strvec_push(&cl->matches, all.v[i]);
    }
    strvec_clear(&all);
}

static size_t common_prefix(const strvec *m)
{
    size_t len = strlen(m->v[0]);
    for (size_t i = 1; i < m->n; i++) {
        size_t k = 0;
        while (k < len && m->v[i][k] && tolower((unsigned char)m->v[i][k]) ==
                                            tolower((unsigned char)m->v[0][k]))
            k++;
        len = k;
    }
    /* Never end inside a UTF-8 character. */
    while (len > 0 && ((unsigned char)m->v[0][len] & 0xC0) == 0x80)
        len--;
    return len;
}

static void replace_word(cmdline *cl, const char *s, size_t n)
{
    splice(cl, cl->word_start, cl->cursor, s, n);
}

static cmdline_result complete(cmdline *cl, const cmdline_completion *comp, int dir)
{
    if (!comp || !comp->candidates)
        return CMDLINE_IGNORED;
    if (!cl->completing) {
        collect_matches(cl, comp);
        size_t n = cl->matches.n;
        if (n == 0)
            return CMDLINE_MOVED;
        if (n == 1) {
            char *done = xasprintf("%s ", cl->matches.v[0]);
            replace_word(cl, done, strlen(done));
            free(done);
            stop_completing(cl);
            return CMDLINE_CHANGED;
        }
        cl->completing = true;
        cl->match_next = n; /* nothing selected yet */
        size_t lcp = common_prefix(&cl->matches);
        if (lcp > cl->cursor - cl->word_start) {
            replace_word(cl, cl->matches.v[0], lcp);
            return CMDLINE_CHANGED;
        }
    }
    size_t n = cl->matches.n;
    size_t sel;
    if (cl->match_next == n)
        sel = dir > 0 ? 0 : n - 1;
    else
        sel = (cl->match_next + (dir > 0 ? 1 : n - 1)) % n;
    cl->match_next = sel;
    replace_word(cl, cl->matches.v[sel], strlen(cl->matches.v[sel]));
    return CMDLINE_CHANGED;
}

const char *const *cmdline_matches(const cmdline *cl, size_t *n, size_t *selected)
{
    *n = cl->completing ? cl->matches.n : 0;
    *selected = cl->completing ? cl->match_next : 0;
    return (const char *const *)cl->matches.v;
}

/* ---- Keys ------------------------------------------------------------- */

static cmdline_result edit_key(cmdline *cl, key_code key)
{
    size_t len = cl->text.len;
    const char *buf = cl->text.buf;
    switch (key) {
    case KC_BACKSPACE:
        if (len == 0)
            return CMDLINE_CANCEL;
        if (cl->cursor == 0)
            return CMDLINE_MOVED;
        splice(cl, text_prev_char(buf, cl->cursor), cl->cursor, "", 0);
        return CMDLINE_CHANGED;
    case KC_DEL:
    case KC_CTRL('d'):
        if (cl->cursor == len)
            return CMDLINE_MOVED;
        splice(cl, cl->cursor, text_next_char(buf, len, cl->cursor), "", 0);
        return CMDLINE_CHANGED;
    case KC_CTRL('u'):
        if (cl->cursor == 0)
            return CMDLINE_MOVED;
        splice(cl, 0, cl->cursor, "", 0);
        return CMDLINE_CHANGED;
    case KC_CTRL('k'):
        if (cl->cursor == len)
            return CMDLINE_MOVED;
        splice(cl, cl->cursor, len, "", 0);
        return CMDLINE_CHANGED;
    case KC_CTRL('w'):
    case KC_META | KC_BACKSPACE: {
        size_t from = word_back(cl, cl->cursor);
        if (from == cl->cursor)
            return CMDLINE_MOVED;
        splice(cl, from, cl->cursor, "", 0);
        return CMDLINE_CHANGED;
    }
    default:
        return CMDLINE_IGNORED;
    }
}

static cmdline_result move_key(cmdline *cl, key_code key)
{
    size_t len = cl->text.len;
    switch (key) {
    case KC_LEFT:
    case KC_CTRL('b'):
        cl->cursor = text_prev_char(cl->text.buf, cl->cursor);
        return CMDLINE_MOVED;
    case KC_RIGHT:
    case KC_CTRL('f'):
        cl->cursor = text_next_char(cl->text.buf, len, cl->cursor);
        return CMDLINE_MOVED;
    case KC_HOME:
    case KC_CTRL('a'):
        cl->cursor = 0;
        return CMDLINE_MOVED;
    case KC_END:
    case KC_CTRL('e'):
        cl->cursor = len;
        return CMDLINE_MOVED;
    case KC_META | 'b':
        cl->cursor = word_back(cl, cl->cursor);
        return CMDLINE_MOVED;
    case KC_META | 'f':
        cl->cursor = word_forward(cl, cl->cursor);
        return CMDLINE_MOVED;
    default:
        return CMDLINE_IGNORED;
    }
}

static bool is_text_key(key_code key)
{
    return key >= 0x20 && key <= 0x10FFFF && key != 0x7F && !(key >= 0x80 && key <= 0x9F);
}

cmdline_result cmdline_key(cmdline *cl, key_code key, const cmdline_completion *comp)
{
    if (key == KC_TAB || key == KC_BTAB) {
        cmdline_result r = complete(cl, comp, key == KC_TAB ? 1 : -1);
        if (r != CMDLINE_IGNORED)
            return r;
    }
    stop_completing(cl);
    if (key == KC_ENTER) {
        cmdline_history_add(cl, cmdline_text(cl));
        cl->hist_pos = cl->history.n;
        return CMDLINE_SUBMIT;
    }
    if (key == KC_ESC || key == KC_CTRL('c') || key == KC_CTRL('g'))
        return CMDLINE_CANCEL;
    if (key == KC_UP || key == KC_CTRL('p'))
        return history_step(cl, -1);
    if (key == KC_DOWN || key == KC_CTRL('n'))
        return history_step(cl, 1);
    if (is_text_key(key)) {
        strbuf one = {0};
        text_encode(&one, (uint32_t)key);
        splice(cl, cl->cursor, cl->cursor, one.buf, one.len);
        strbuf_free(&one);
        return CMDLINE_CHANGED;
    }
    cmdline_result r = edit_key(cl, key);
    return r != CMDLINE_IGNORED ? r : move_key(cl, key);
}

/* ---- Drawing support -------------------------------------------------- */

void cmdline_view(cmdline *cl, int width, size_t *start, int *cursor_col)
{
    const char *s = cl->text.buf;
    int col = text_width_n(s, cl->cursor, 0);
    if (width <= 1) {
        *start = cl->cursor;
        *cursor_col = 0;
        return;
    }
    /* Jump by a third of the width so typing does not scroll every key. */
    if (col < cl->scroll)
        cl->scroll = col - width / 3 > 0 ? col - width / 3 : 0;
    if (col >= cl->scroll + width)
        cl->scroll = col - width + 1 + width / 3;
    if (cl->scroll > col)
        cl->scroll = col;
    /* Start at the first character that begins at or after scroll. */
    size_t pos = 0;
    int at = 0;
    while (pos < cl->cursor && at < cl->scroll) {
        size_t next = text_next_char(s, cl->text.len, pos);
        at += text_width_n(s + pos, next - pos, 0);
        pos = next;
    }
    cl->scroll = at;
    *start = pos;
    *cursor_col = col - at;
}

/* ---- `:` completion --------------------------------------------------- */

static void push_list(strvec *out, const char *const *list)
{
    for (size_t i = 0; list && list[i]; i++)
        strvec_push(out, list[i]);
}

void cmdline_complete_command(void *ud, const char *line, size_t word_start, int word_index,
                              strvec *out)
{
    const cmdline_command_lists *lists = ud;
    if (word_index == 0) {
        for (int a = 1; a < ACTION_COUNT; a++)
            strvec_push(out, action_get((action_id)a)->name);
        return;
    }
    if (word_index < 1 || !lists)
        return;
    char *copy = xstrndup(line, word_start);
    action_call call;
    bool known = action_parse_command(copy, &call);
    free(copy);
    if (!known)
        return;
    action_arg kind = action_get(call.id)->arg;
    /* Only :sync takes several words (options, then any number of types). */
    if (word_index > 1 && kind != ARG_SYNC)
        return;
    switch (kind) {
    case ARG_THEME:
        push_list(out, lists->themes);
        break;
    case ARG_PORTAL:
        push_list(out, lists->portals);
        break;
    case ARG_TYPE:
        push_list(out, lists->types);
        break;
    case ARG_COLUMN:
        push_list(out, lists->columns);
        break;
    case ARG_SYNC:
        strvec_push(out, "--full");
        push_list(out, lists->types);
        break;
    default:
        break;
    }
}
