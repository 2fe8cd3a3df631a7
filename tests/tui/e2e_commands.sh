#!/bin/sh
# The : command line and history: views stack with back and forward, the
# read-only mode refuses edits, and every refusal says why in words.
. "$(dirname "$0")/tmux-lib.sh"

tt_config '[portal acme-prod]
base_url = http://127.0.0.1:9'
tt_start 100 30 xterm-256color --readonly --portal acme-prod --offline
tt_about
tt_wait_line 29 "acme-prod"
tt_wait_line 29 "read-only"
tt_wait_line 29 "OFFLINE"

# History: :about twice stacks views; Backspace and ] walk it.
tt_send :
tt_type about
tt_send Enter
tt_wait_line 1 "hubtui › Object types › About › About"
tt_send BSpace
tt_wait_line 1 "hubtui › Object types › About"
tt_line 1 | grep -q "About › About" && tt_fail "back did not go back"
tt_send ']'
tt_wait_line 1 "hubtui › Object types › About › About"
tt_send BSpace BSpace BSpace
tt_wait_for "Nothing to go back to"
tt_send ']' ']'
tt_wait_line 1 "hubtui › Object types › About › About"

# Refusals, each with its reason.
tt_send e
tt_wait_for "Read-only: 'edit' is turned off for this portal"
# Esc clears the message. (Wait for that before the next key: Esc and a key
# arriving together are Alt+key, as a terminal sends them.)
tt_send Escape
tt_wait_gone "Read-only: 'edit'"
tt_send a
tt_wait_for "'graph' is not available in About"
tt_send M-x
tt_wait_for "M-x does nothing here"
tt_send X
tt_wait_for "X does nothing here (? lists the keys)"
tt_send :
tt_type "frobnicate now"
tt_send Enter
tt_wait_for "Unknown command 'frobnicate'"
tt_send !
tt_wait_for "No error to show"

# Command history: Up brings back the last command.
tt_send :
tt_send Up
tt_wait_line 30 ":frobnicate now"
tt_send C-u
tt_type "q"
tt_send Enter
tt_wait_exit 0
tt_assert_restored
tt_pass
