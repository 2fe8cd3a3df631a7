#!/bin/sh
# Conflicts and offline work: a property changed on HubSpot (fakehub's
# control edit) and here becomes a conflict on push; the queue shows both
# values side by side; keep mine sends ours, take theirs drops ours. Edits
# made offline (--offline, then :offline in a session) stay queued across a
# restart and go out with the next push.
# Real data and a loaded CI machine: waits get more room than the default.
TT_TIMEOUT=${TT_TIMEOUT:-30}
. "$(dirname "$0")/tmux-lib.sh"

tt_fakehub --contacts 40
tt_portal fake
tt_cli --portal fake sync > /dev/null
dump="$TT_FH/_fakehub/dump"
contact=$(tt_fh ids "$dump/contacts" lifecyclestage customer | head -n 1)
[ -n "$contact" ] || tt_fail "no contact to edit"
first=$(tt_fh value "$dump/contacts" "$contact" firstname)
[ -n "$first" ] || tt_fail "the contact has no first name"

# Filter the list down to the contact and open it with the next key at
# once, as a quick typist does: the Enter may come before the filtered row
# has arrived from the cache, and the list opens it when it does. Then wait
# for the record's own crumb (the list's preview pane shows the same
# property groups, so they prove nothing).
open_contact() {
    tt_send /
    tt_send C-u
    tt_type "hs_object_id = $contact"
    tt_send Enter Enter
    tt_wait_line 1 "› $first"
    tt_wait_for "Contact information"
}

set_job_title() {
    tt_send /
    tt_send C-u
    tt_type "Job Title"
    tt_send Enter e
    tt_wait_line 30 "Job Title:"
    tt_send C-u
    tt_type "$1"
    tt_send Enter
    tt_wait_for "Queued: "
}

their_edit() {
    tt_fh post "$TT_FH/_fakehub/edit" \
        "{\"objectType\":\"contacts\",\"id\":\"$contact\",\"properties\":{\"jobtitle\":\"$1\"}}" \
        > /dev/null
}

tt_start 100 30 xterm-256color --portal fake
tt_wait_line 2 "Contacts"
open_contact
set_job_title "Mine"
their_edit "Theirs"
tt_send P
tt_wait_for "1 conflict"
tt_send p
tt_wait_for "Conflicts: m keeps yours, t takes HubSpot's"
tt_wait_for "Job Title: "
tt_send j
tt_wait_for "Yours: Mine"
tt_wait_for "HubSpot: Theirs"
tt_send m
tt_wait_for "Kept your value"
tt_send P
tt_wait_for "Pushed: 1 change"
[ "$(tt_fh value "$dump/contacts" "$contact" jobtitle)" = Mine ] || tt_fail "keep mine did not win"

# Take theirs: ours is dropped and HubSpot's value shows here.
tt_send BSpace
tt_wait_for "Contact information"
set_job_title "Mine again"
their_edit "Theirs again"
tt_send P
tt_wait_for "1 conflict"
tt_send p
tt_send j
tt_wait_for "HubSpot: Theirs again"
tt_send t
tt_wait_for "Took HubSpot's value"
tt_wait_for "Nothing queued"
tt_send BSpace
tt_wait_for "Theirs again"
[ "$(tt_fh value "$dump/contacts" "$contact" jobtitle)" = "Theirs again" ] ||
    tt_fail "take theirs changed HubSpot"

# Offline inside the session: edits queue, push is refused until online.
tt_send :
tt_type offline
tt_send Enter
tt_wait_line 29 "OFFLINE"
set_job_title "Edited offline"
tt_send P
tt_wait_for "Offline: push needs HubSpot"
tt_send :
tt_type online
tt_send Enter
tt_wait_line 29 "online"
tt_send P
tt_wait_for "Pushed: 1 change"
[ "$(tt_fh value "$dump/contacts" "$contact" jobtitle)" = "Edited offline" ] ||
    tt_fail "the offline edit did not reach HubSpot"
tt_send q
tt_wait_exit 0
tt_assert_restored

# --offline across a restart: queued, then pushed by the next online run.
tt_start 100 30 xterm-256color --portal fake --offline
tt_wait_line 29 "OFFLINE"
tt_wait_line 2 "Contacts"
open_contact
set_job_title "From the train"
tt_wait_for "1 pending"
tt_send q
tt_wait_exit 0
[ "$(tt_fh value "$dump/contacts" "$contact" jobtitle)" = "Edited offline" ] ||
    tt_fail "an offline session wrote to HubSpot"
tt_start 100 30 xterm-256color --portal fake
tt_wait_line 29 "online"
tt_wait_for "1 pending"
tt_send P
tt_wait_for "Pushed: 1 change"
[ "$(tt_fh value "$dump/contacts" "$contact" jobtitle)" = "From the train" ] ||
    tt_fail "the queued edit was not pushed"
tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
