#!/bin/sh
# Editing with the editor that fits each type: a number refused then
# accepted, a date-time in the portal's zone while the terminal is resized
# mid-edit, a deal stage picked among its pipeline's stages, a read-only
# property refused with its reason, a lifecycle stage moved backwards
# (cleared first, as HubSpot needs), undo; then a push and the values on
# fakehub. Read-only mode refuses every edit.
# Real data and a loaded CI machine: waits get more room than the default.
TT_TIMEOUT=${TT_TIMEOUT:-30}
. "$(dirname "$0")/tmux-lib.sh"

tt_fakehub --contacts 80
tt_portal fake
tt_cli --portal fake sync > /dev/null
dump="$TT_FH/_fakehub/dump"

tt_start 80 24 xterm-256color --portal fake
tt_wait_line 2 "Contacts · 80"
tt_send :
tt_type "types deals"
tt_send Enter
tt_wait_line 2 "Deals · "
tt_send Enter
tt_wait_for "Deal information"
deal=$(tt_screen | sed -n 's/^ *Deal \([0-9][0-9]*\) · .*/\1/p' | head -n 1)
[ -n "$deal" ] || tt_fail "no deal id on the screen"
pipeline=$(tt_fh value "$dump/deals" "$deal" pipeline)

# A number: junk is refused in the editor, which stays open.
tt_send /
tt_type "Amount"
tt_send Enter
tt_send e
tt_wait_for "Amount: "
tt_send C-u
tt_type "12abc"
tt_send Enter
tt_wait_for "Amount is a number: '12abc' is not one"
tt_wait_line 24 "Amount: 12abc"
tt_send C-u
tt_type "4321.5"
tt_send Enter
tt_wait_for "Amount → \$4,321.50"
tt_wait_for "1 pending"

# A date-time in the portal's zone (US/Eastern), resized while editing.
tt_send /
tt_send C-u
tt_type "Close Date"
tt_send Enter
tt_send e
tt_wait_for "Close Date: "
tt_resize 120 40
tt_wait_line 40 "Close Date: "
tt_send C-u
tt_type "2025-01-15 10:"
tt_resize 80 24
tt_wait_line 24 "Close Date: 2025-01-15 10:"
tt_type "00"
tt_send Enter
tt_wait_for "2 pending"

# A stage: the picker offers the deal's own pipeline's stages only.
tt_send /
tt_send C-u
tt_type "Deal Stage"
tt_send Enter
tt_send e
tt_wait_line 2 "Deal Stage"
if [ "$pipeline" = default ]; then want="Closed Won"; other="Churned"; else want="Churned"; other="Closed Won"; fi
tt_send /
tt_type "$want"
tt_send Enter
tt_wait_for "$want"
tt_screen | grep -q "$other" && tt_fail "the picker offered another pipeline's stage"
tt_send Enter
tt_wait_for "3 pending"

# Read-only: refused with the reason.
tt_send /
tt_send C-u
tt_type "Record ID"
tt_send Enter
tt_send e
tt_wait_for "Record ID is set by HubSpot and is read-only"

# Undo takes back the last change (the stage), not the others.
tt_send u
tt_wait_for "Undone: 1 change"
tt_wait_for "2 pending"
tt_send /
tt_send C-u
tt_type "Deal Stage"
tt_send Enter
tt_send e
tt_wait_line 2 "Deal Stage"
tt_send /
tt_type "$want"
tt_send Enter Enter
tt_wait_for "3 pending"

# A contact's lifecycle stage moved backwards: HubSpot's rule, then cleared
# first.
contact=$(tt_fh ids "$dump/contacts" lifecyclestage customer | head -n 1)
[ -n "$contact" ] || tt_fail "no customer among the contacts"
tt_send :
tt_type "types contacts"
tt_send Enter
tt_wait_line 2 "Contacts · "
tt_send /
tt_type "hs_object_id = $contact"
tt_send Enter
tt_wait_line 2 "Contacts · 1 "
tt_send Enter
tt_wait_for "Contact information"
tt_send /
tt_type "Lifecycle Stage"
tt_send Enter e
tt_wait_line 2 "Lifecycle Stage"
tt_send /
tt_type "Lead"
tt_send Enter
tt_send g Enter
tt_wait_for "HubSpot never moves a lifecycle stage backwards"
tt_send Enter                               # clear it first, then set
tt_wait_for "cleared, then"

# Push, then fakehub has every value.
tt_send P
tt_wait_for "Pushed: "
tt_wait_gone " pending"
[ "$(tt_fh value "$dump/deals" "$deal" amount)" = 4321.5 ] || tt_fail "amount not on fakehub"
closedate=$(tt_fh value "$dump/deals" "$deal" closedate)
case $closedate in 2025-01-15T15:00:00*) ;; *) tt_fail "close date on fakehub: $closedate" ;; esac
stage=$(tt_fh value "$dump/deals" "$deal" dealstage)
case $want:$stage in "Closed Won:closedwon" | Churned:*) ;; *) tt_fail "stage on fakehub: $stage" ;; esac
[ "$(tt_fh value "$dump/contacts" "$contact" lifecyclestage)" = lead ] ||
    tt_fail "lifecycle stage not moved back on fakehub"
tt_send q
tt_wait_exit 0
tt_assert_restored

# Read-only: no edit key works, and the bar says so.
tt_start 80 24 xterm-256color --portal fake --readonly
tt_wait_line 2 "Contacts"
tt_wait_line 23 "read-only"
tt_send e
tt_wait_for "Read-only: 'edit' is turned off for this portal"
tt_send P
tt_wait_for "Read-only: 'push' is turned off"
tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
