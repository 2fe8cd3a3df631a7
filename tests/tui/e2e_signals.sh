#!/bin/sh
# Ctrl-C, SIGTERM and SIGHUP all leave the terminal as it was.
. "$(dirname "$0")/tmux-lib.sh"

restart() {
    tt_start 80 24 xterm-256color
    tt_about
}

tt_start 80 24 xterm-256color
tt_about
tt_send C-c
tt_wait_exit 0
tt_assert_restored

restart
tt_send '?'                         # mid-overlay
tt_wait_for "Moving around"
kill -TERM "$(tt_pid)"
tt_wait_exit 143
tt_assert_restored

restart
tt_send :                           # mid-prompt
tt_type "them"
kill -HUP "$(tt_pid)"
tt_wait_exit 129
tt_assert_restored
tt_pass
