#!/bin/sh
# The ? overlay lists every binding from the action table and the keymap in
# effect, including the user's remaps; it filters, runs, and closes; q quits
# cleanly. A broken line in the user's config is reported with its line.
. "$(dirname "$0")/tmux-lib.sh"

tt_config '[keys]
C-n = move-down
z = fly-away
[ui]
theme = default
mouse = maybe'
tt_start 100 30 xterm-256color
tt_about
# Both problems are kept for the about page; the message line shows one.
tt_wait_for "Problems in your files (2)"
tt_wait_for "config:3: unknown action 'fly-away'"
tt_wait_for "config:6: mouse must be true or false"
tt_send Escape                      # Esc dismisses the message: the key hints return
tt_wait_for "? help   : command   q quit"

tt_send '?'
tt_wait_for "Moving around"
tt_wait_for "Panes and history"
# Keys come from the keymap: defaults and the user's own C-n.
tt_screen | grep -q "j Down C-n .*Move down one row" || tt_fail "move-down keys not listed"
tt_screen | grep -q "PgDn C-f .*Move down one page" || tt_fail "page-down keys not listed"
tt_wait_for "Help"

# Scroll to the end: the last group and the quit line are there.
tt_send G
tt_wait_for "Quit hubtui"

# Filter: only matching actions stay.
tt_send /
tt_type theme
tt_wait_for "Switch to theme NAME"
tt_wait_gone "Move down one row"
tt_wait_for "Help [/theme]"
tt_send Enter
tt_send Escape
tt_wait_gone "Switch to theme NAME"

# Enter runs the selected action where help was opened from.
tt_send '?'
tt_wait_for "Moving around"
tt_send /
tt_type "version, terminal"
tt_wait_for "Show version, terminal and theme details"
tt_send Enter Enter
tt_wait_line 1 "About › About"
tt_wait_gone "Moving around"
tt_send BSpace

# q closes the overlay (keys.help), the next q quits.
tt_send '?'
tt_wait_for "Moving around"
tt_send q
tt_wait_gone "Moving around"
tt_wait_for "Theme roles"
tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
