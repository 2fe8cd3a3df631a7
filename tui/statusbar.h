/* statusbar.h — the status bar: where you are and what is going on.
 *
 * The model is plain data that the rest of hubtui feeds (the portal, the
 * connection, sync progress, the rate-limit budget, outbox counts); every
 * setter bumps `serial`, and the app redraws the bar only when the serial
 * changed. Composing the bar for a width is pure (tested); drawing it is a
 * thin curses layer. When the bar is too narrow, the least useful parts go
 * first; "offline" and "read-only" always stay. */
#ifndef HUBTUI_STATUSBAR_H
#define HUBTUI_STATUSBAR_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "theme.h"

typedef enum conn_state {
    CONN_UNKNOWN,    /* nothing said yet: shown as nothing */
    CONN_ONLINE,
    CONN_CONNECTING,
    CONN_OFFLINE,
} conn_state;

typedef struct status_model {
    unsigned serial;   /* bumped by every setter */
    char portal[64];   /* "" until a portal is open */
    bool readonly;
    conn_state conn;
    bool syncing;
    char sync_what[48]; /* "contacts", "push" */
    int64_t sync_done;
    int64_t sync_total; /* -1 when unknown */
    int rate_remaining; /* requests left in the burst window, -1 unknown */
    int rate_max;
    int64_t daily_remaining; /* -1 unknown */
    int pending, sending, conflicts, failed; /* outbox */
    char activity[64];  /* background work of the UI itself ("sort index"), "" none */
} status_model;

/* A fresh model: nothing known yet. */
void status_init(status_model *m);
void status_set_portal(status_model *m, const char *portal, bool readonly);
void status_set_conn(status_model *m, conn_state conn);
/* Sync or push progress; total -1 when unknown. */
void status_set_sync(status_model *m, const char *what, int64_t done, int64_t total);
void status_clear_sync(status_model *m);
void status_set_rate(status_model *m, int remaining, int max, int64_t daily_remaining);
void status_set_outbox(status_model *m, int pending, int sending, int conflicts, int failed);
/* Work in progress that is not a sync ("building sort index"); NULL or "" clears. */
void status_set_activity(status_model *m, const char *text);

#define STATUS_MAX_SEGS 12

typedef struct status_seg {
    char text[96];
    theme_role role;
    bool right; /* part of the right-aligned group */
} status_seg;

typedef struct status_line {
    status_seg seg[STATUS_MAX_SEGS];
    int n;
} status_line;

/* The segments that fit in width columns, left group first. Segments are
 * separated by two spaces and the bar has one space of margin each side. */
void statusbar_compose(const status_model *m, int width, unsigned text_flags, status_line *out);

/* "1,234,567" into buf (32 bytes). */
void status_format_count(int64_t n, char buf[32]);

/* Draw the bar into a one-row window of cols columns. */
void statusbar_draw(WINDOW *win, const status_model *m, const theme_attrs *styles, int cols,
                    unsigned text_flags);

#endif
