#!/bin/sh
# y copies through OSC 52: with tmux's set-clipboard on, the copied text
# lands in a tmux buffer. With the mouse on, the wheel scrolls and a click
# selects a row.
. "$(dirname "$0")/tmux-lib.sh"

buffer_is() {
    [ "$(tt_tmux show-buffer 2>/dev/null)" = "$1" ]
}

tt_config '[ui]
mouse = yes'
tt_start 100 30 xterm-256color
tt_about

# Help: the cursor starts on the first action (move-down); next is move-up.
tt_send '?'
tt_wait_for "Moving around"
tt_send j
tt_send y
tt_wait_for "Copied: move-up"
tt_poll buffer_is "move-up" || tt_fail "clipboard holds '$(tt_tmux show-buffer 2>&1)'"
tt_send q
tt_wait_gone "Moving around"

# About: copy the Terminal line.
tt_send g j j
tt_send y
tt_wait_for "Copied: xterm-256color"
tt_poll buffer_is "xterm-256color" || tt_fail "clipboard holds '$(tt_tmux show-buffer 2>&1)'"

# The wheel scrolls the about page: "hubtui 0.1.0" leaves the top.
tt_wait_line 3 "hubtui 0.1.0"
for i in 1 2 3; do
    tt_type "$(printf '\033[<65;10;10M')"   # SGR mouse: wheel down at 10,10
done
tt_wait_gone "hubtui 0.1.0: a terminal browser"
# A click on a row moves the cursor there; y copies that row.
tt_type "$(printf '\033[<0;5;8M\033[<0;5;8m')"   # press and release at column 5, row 8
tt_send y
tt_wait_for "Copied: "
copied=$(tt_tmux show-buffer)
tt_line 8 | grep -qF -- "$copied" || tt_fail "clicked row 8 but copied '$copied'"

tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
