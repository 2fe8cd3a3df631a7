/* listnav.h — the cursor and scroll position of anything drawn as rows.
 *
 * Only numbers: how many rows there are, which one has the cursor, which
 * one is at the top of the pane and how tall the pane is. The record list
 * uses it over a million cached rows (it never needs the rows themselves),
 * the help overlay and the about view over their lines. */
#ifndef HUBTUI_LISTNAV_H
#define HUBTUI_LISTNAV_H

#include <stdbool.h>
#include <stdint.h>

#include "actions.h"

typedef struct listnav {
    int64_t count;  /* rows in total */
    int64_t cursor; /* 0..count-1 (0 when empty) */
    int64_t top;    /* first row shown */
    int page;       /* rows shown at once; 0 until first known */
} listnav;

/* Rows scroll-up/-down and the mouse wheel move the view by. */
#define LISTNAV_SCROLL_STEP 3

/* Set the number of rows (the cursor and top stay in range). */
void listnav_set_count(listnav *n, int64_t count);
/* Set the pane height (the cursor stays visible). */
void listnav_set_page(listnav *n, int page);
/* Put the cursor on row (clamped) and scroll to show it. */
void listnav_set_cursor(listnav *n, int64_t row);
/* Apply a movement action (move-down, page-up, scroll-down, ...). Returns
 * true if it was a movement action (changed or not); *changed says whether
 * the cursor or the top moved. */
bool listnav_apply(listnav *n, action_id act, bool *changed);

#endif
