#!/bin/sh
# Ctrl-Z gives the terminal back to the shell (job control) and fg brings
# the browser back, redrawn; it then quits with the terminal as it was.
# Without job control (nobody to resume us) Ctrl-Z must be a harmless no-op.
. "$(dirname "$0")/tmux-lib.sh"

command -v bash >/dev/null 2>&1 || tt_skip "bash is needed for job control"

# 1. No job control: the wrapper shell is not interactive, the process
#    group is orphaned and the kernel ignores the stop.
tt_start 80 24 xterm-256color
tt_about
tt_send C-z
tt_wait_for "Theme roles"
tt_send q
tt_wait_exit 0
tt_assert_restored
tt_stop
tt_new_server

# 2. Under an interactive bash, as a user would run it.
printf '%s\n' "PS1='shell\$ '" > "$TT_DIR/bashrc"
printf '%s\n' 'set -g default-terminal "xterm-256color"' 'set -g status off' \
    > "$TT_DIR/tmux-bash.conf"
tt_tmux -f "$TT_DIR/tmux-bash.conf" new-session -d -x 80 -y 24 -s tt \
    "bash --noprofile --rcfile '$TT_DIR/bashrc' -i" || tt_fail "tmux new-session"
TT_STARTED=1
tt_wait_for 'shell$'
tt_type "stty -g > '$TT_DIR/stty.before'"
tt_send Enter
# Its own command line: bash would run the rest of a list when it stops.
tt_type "'$TT_BIN' 2> '$TT_DIR/stderr'"
tt_send Enter
tt_about
tt_send C-z
tt_wait_for "Stopped"
[ "$(tt_pane '#{alternate_on} #{cursor_flag}')" = "0 1" ] ||
    tt_fail "terminal not given back on suspend: $(tt_pane '#{alternate_on} #{cursor_flag}')"
tt_type "fg"
tt_send Enter
tt_wait_for "Theme roles"
[ "$(tt_pane '#{alternate_on}')" = "1" ] || tt_fail "not back in the alternate screen"
tt_send '?'                          # still answering keys after the resume
tt_wait_for "Moving around"
tt_send q q
tt_wait_gone "Theme roles"
tt_type 'echo "status=$?"'
tt_send Enter
tt_wait_for "status=0"
tt_type "stty -g > '$TT_DIR/stty.after'"
tt_send Enter
tt_poll tt_stty_saved || tt_fail "the shell did not record the terminal modes"
cmp -s "$TT_DIR/stty.before" "$TT_DIR/stty.after" || tt_fail "modes differ after suspend and quit"
[ -s "$TT_DIR/stderr" ] && tt_fail "hubtui wrote to stderr"
tt_pass
