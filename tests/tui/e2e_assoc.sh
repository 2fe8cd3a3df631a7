#!/bin/sh
# Associations from the graph: + picks the type, finds the record by
# search and asks for the label; the new link shows as pending until
# pushed; - removes one after a confirmation. Both checked on fakehub.
# Real data and a loaded CI machine: waits get more room than the default.
TT_TIMEOUT=${TT_TIMEOUT:-30}
. "$(dirname "$0")/tmux-lib.sh"

tt_fakehub --contacts 40
tt_portal fake
tt_cli --portal fake sync > /dev/null
dump="$TT_FH/_fakehub/dump"
contact=$(tt_fh ids "$dump/contacts" lifecyclestage lead | head -n 1)
[ -n "$contact" ] || tt_fail "no contact"
# A company this contact is not linked to yet.
for c in $(tt_fh ids "$dump/companies"); do
    [ "$(tt_fh linked "$dump/contacts" "$contact" companies "$c")" = no ] && company=$c && break
done
[ -n "${company:-}" ] || tt_fail "no unlinked company"
name=$(tt_fh value "$dump/companies" "$company" name)

tt_start 100 30 xterm-256color --portal fake
tt_wait_line 2 "Contacts"
tt_send /
tt_type "hs_object_id = $contact"
tt_send Enter
tt_wait_line 2 "Contacts · 1 "
tt_send a
tt_wait_line 2 "Associations of"
tt_send g +                                  # on the record itself: pick a type
tt_wait_for "Associate with"
tt_send /
tt_type "Companies"
tt_send Enter Enter
tt_wait_line 30 "Find a Company:"
tt_type "$name"
tt_send Enter
tt_wait_for "Pick the Company"
tt_wait_for "#$company"
tt_send /
tt_type "#$company"
tt_send Enter Enter
tt_wait_for "How are they associated?"
tt_send /
tt_type "(no label)"
tt_send Enter Enter
tt_wait_for "Queued: associate $name"
tt_wait_for "(adding: push sends it)"
tt_send P
tt_wait_for "Pushed: "
tt_wait_gone "(adding: push sends it)"
[ "$(tt_fh linked "$dump/contacts" "$contact" companies "$company")" = yes ] ||
    tt_fail "the association is not on fakehub"

# Remove it again: select its row, -, confirm.
tt_send g
row=$(tt_screen | grep -n -- "$name" | head -n 1 | cut -d: -f1)
[ -n "$row" ] || tt_fail "the company is not in the graph"
j=3
while [ $j -lt "$row" ]; do tt_send j; j=$((j + 1)); done
tt_send -
tt_wait_for "Remove the association between"
tt_send g Enter
tt_wait_for "Queued: remove the association with $name"
tt_wait_for "(removing: push sends it)"
tt_send P
tt_wait_for "Pushed: "
[ "$(tt_fh linked "$dump/contacts" "$contact" companies "$company")" = no ] ||
    tt_fail "the association is still on fakehub"
tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
