#!/bin/sh
# Bulk edits: 50 deals marked with a range (V), their stage set with E
# after a preview that counts them by current stage, undone as one change
# and queued again, pushed, and checked on fakehub; * marks every match of
# a filter and U clears the marks.
# Real data and a loaded CI machine: waits get more room than the default.
TT_TIMEOUT=${TT_TIMEOUT:-30}
. "$(dirname "$0")/tmux-lib.sh"

tt_fakehub --contacts 40 --deals 160
tt_portal fake
tt_cli --portal fake sync > /dev/null
dump="$TT_FH/_fakehub/dump"
won_before=$(tt_fh count "$dump/deals" dealstage closedwon)

tt_start 100 30 xterm-256color --portal fake
tt_wait_line 2 "Contacts"
tt_send :
tt_type "types deals"
tt_send Enter
tt_wait_for "Deals · 160"
tt_send /
tt_type "pipeline = default and dealstage != closedwon"
tt_send Enter
tt_wait_for "/pipeline = default and dealstage != closedwon"

# Mark rows 1..50 as a range.
tt_send V
tt_wait_for "Marking a range"
i=0
while [ $i -lt 49 ]; do tt_send j; i=$((i + 1)); done
tt_send V
tt_wait_for "50 marked"

bulk_stage() {
    tt_send E
    tt_wait_for "Which property to set on the 50 marked Deals?"
    tt_send /
    tt_type "Deal Stage"
    tt_send Enter Enter
    tt_wait_for "┌─ Deal Stage"           # the stage picker (an overlay)
    tt_send /
    tt_type "Closed Won"
    tt_send Enter Enter
    tt_wait_for "Set Deal Stage to Closed Won on 50 marked Deals:"
    tt_wait_for "→ Closed Won"
    tt_wait_for "Queue the change for 50 Deals"
    tt_send Enter
    tt_wait_for "Queued Deal Stage on 50 Deals as one change"
    tt_wait_for "50 pending"
}
bulk_stage
tt_send u
tt_wait_for "Undone: 50 changes"
tt_wait_gone "50 pending"
bulk_stage

tt_send P
tt_wait_for "Pushed: 50 changes written to HubSpot"
won_after=$(tt_fh count "$dump/deals" dealstage closedwon)
[ "$won_after" -eq $((won_before + 50)) ] ||
    tt_fail "fakehub has $won_after closed-won deals, expected $((won_before + 50))"

# * marks every match of the filter; U clears.
tt_send U
tt_wait_for "Marks cleared"
tt_send /
tt_send C-u
tt_type "dealstage = closedwon"
tt_send Enter
tt_wait_for "Deals · $won_after /dealstage = closedwon"
tt_send '*'
tt_wait_for "Marked $won_after more Deals"
tt_wait_for "$won_after marked"
tt_send U
tt_wait_gone "$won_after marked"
tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
