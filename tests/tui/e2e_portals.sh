#!/bin/sh
# Portals as contexts: --portal and :portal NAME (completed with Tab)
# switch between portals, each with its own cache, theme and read-only
# setting; a read-only portal refuses edits and pushes and says so; the
# theme switches live.
# Real data and a loaded CI machine: waits get more room than the default.
TT_TIMEOUT=${TT_TIMEOUT:-30}
. "$(dirname "$0")/tmux-lib.sh"

topbar_has() {
    tt_line_e 1 | grep -qF -- "$1"
}

tt_fakehub --contacts 30
tt_portal alpha
tt_portal beta "readonly = true" "theme = production"
tt_portal gamma
tt_cli --portal alpha sync contacts companies > /dev/null
tt_cli --portal beta sync contacts > /dev/null
[ -f "$XDG_CACHE_HOME/hubtui/alpha.db" ] && [ -f "$XDG_CACHE_HOME/hubtui/beta.db" ] ||
    tt_fail "each portal should have its own cache"

tt_start 100 30 xterm-256color --portal alpha
tt_wait_line 2 "Contacts · 30"
tt_wait_line 29 "alpha"
tt_poll topbar_has "48;5;235" || tt_fail "default theme expected for alpha"

# A live theme switch.
tt_send :
tt_type "theme light"
tt_send Enter
tt_wait_for "Theme: light"
tt_poll topbar_has "48;5;252" || tt_fail "light theme not applied"

# Switch to the read-only production portal; Tab completes its name.
tt_send :
tt_type "portal b"
tt_send Tab
tt_wait_line 30 ":portal beta"
tt_send Enter
tt_wait_for "Portal: beta (read-only)"
tt_wait_line 29 "beta"
tt_wait_line 29 "read-only"
tt_poll topbar_has "48;5;160" || tt_fail "beta's own theme (production) not applied"
tt_wait_line 2 "Contacts · 30"
tt_send Enter
tt_wait_for "Contact information"
tt_send e
tt_wait_for "Read-only: 'edit' is turned off for this portal"
tt_send Escape
tt_wait_gone "Read-only: 'edit'"
tt_send P
tt_wait_for "Read-only: 'push' is turned off for this portal"

# Back to alpha: writable again, its own list state.
tt_send :
tt_type "portal alpha"
tt_send Enter
tt_wait_for "Portal: alpha"
tt_wait_line 29 "alpha"
tt_line 29 | grep -q "read-only" && tt_fail "alpha is not read-only"
tt_send :
tt_type "types companies"
tt_send Enter
tt_wait_line 2 "Companies · "
tt_send :
tt_type "portal nosuch"
tt_send Enter
tt_wait_for "nosuch"
tt_wait_line 29 "alpha"

# A portal never synced: the empty cache says so; S syncs it in the
# background (C-x would stop it) and the lists appear.
tt_send :
tt_type "portal gamma"
tt_send Enter
tt_wait_for "The cache is empty"
tt_send S
tt_wait_for "Sync started"
tt_wait_for "Sync finished"
tt_wait_line 2 "Contacts · 30"
tt_send q
tt_wait_exit 0
tt_assert_restored

# --portal beta from the start: read-only and in its theme at once.
tt_start 100 30 xterm-256color --portal beta
tt_wait_line 29 "read-only"
tt_poll topbar_has "48;5;160" || tt_fail "production theme expected at start"
tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
