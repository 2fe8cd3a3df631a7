#!/bin/sh
# :theme NAME switches live: the escape sequences on screen change to the
# new theme's colours. Completion offers theme names; a bad name is refused
# and the current theme stays.
. "$(dirname "$0")/tmux-lib.sh"

# The top bar is "bar-text on bar": 252 on 235 in default, 234 on 252 in
# light; production paints it white on its alarm red (160).
topbar_has() {
    tt_line_e 1 | grep -qF -- "$1"
}

tt_start 100 30 xterm-256color
tt_about
tt_poll topbar_has "48;5;235" || tt_fail "default top bar colour missing"

tt_send :
tt_type "theme li"
tt_send Tab
tt_wait_line 30 ":theme light"
tt_send Enter
tt_wait_for "Theme: light"
tt_poll topbar_has "48;5;252" || tt_fail "light top bar colour missing"
topbar_has "48;5;235" && tt_fail "default colour still on the top bar"

tt_send :
tt_type "theme production"
tt_send Enter
tt_wait_for "Theme: production"
tt_poll topbar_has "48;5;160" || tt_fail "production top bar colour missing"

tt_send :
tt_type "theme no-such-theme"
tt_send Enter
tt_wait_for "no theme called 'no-such-theme'"
topbar_has "48;5;160" || tt_fail "a failed switch changed the theme"

# Without an argument, :theme moves to the next theme in the list.
tt_send :
tt_type "theme"
tt_send Enter
tt_wait_for "Theme: "
tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
