#!/bin/sh
# Resizing at any moment: with the help overlay open, down to a terminal too
# small to use, and back; the layout follows and nothing crashes.
. "$(dirname "$0")/tmux-lib.sh"

tt_start 120 40 xterm-256color
tt_about
tt_send '?'
tt_wait_for "Moving around"

tt_resize 60 20
tt_wait_for "Help"
tt_wait_line 20 "close"            # the message line moved to the new bottom
tt_wait_for "Move down one row"

tt_resize 15 4
tt_wait_for "Too small 15x4"
tt_resize 19 12
tt_wait_for "Too small"
tt_resize 20 4                     # the smallest usable size
tt_wait_gone "Too small"

# Many sizes in a row, some while moving: still alive and answering.
for size in "80 24" "200 60" "30 8" "81 25" "120 40"; do
    set -- $size
    tt_resize "$1" "$2"
    tt_send j
done
tt_send g                          # the cursor moved: back to the top
tt_wait_for "Moving around"
tt_wait_line 40 "close"
tt_send q
tt_wait_gone "Moving around"
tt_wait_for "120 x 40"             # the about page saw the final size
tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
