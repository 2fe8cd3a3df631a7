#!/bin/sh
# Background jobs against a rate-limited fakehub: :sync takes the arguments
# of `hubtui sync` (--full finds a record deleted behind the cache's back;
# an unknown option or type is refused with a message and sends nothing),
# and the status bar's API budget is the portal's as a client last heard it
# (20 per 2 s here), never the limiter's made-up starting size.
# Real data and a loaded CI machine: waits get more room than the default.
TT_TIMEOUT=${TT_TIMEOUT:-40}
. "$(dirname "$0")/tmux-lib.sh"

tt_fakehub --contacts 30 --rate-limit 20/2000
tt_portal fake
tt_cli --portal fake sync contacts > /dev/null
dump="$TT_FH/_fakehub/dump"

bar_lacks() {
    ! tt_line 23 | grep -qF -- "$1"
}
bar_has_budget_of_20() {
    tt_line 23 | grep -qE 'API [0-9]+/20( |$)'
}
requests() {
    # The first "total" is the portal's (the endpoints' own come later).
    tt_fh get "$TT_FH/_fakehub/stats" | tr ',' '\n' | sed -n 's/^{ *"total": *\([0-9]*\).*/\1/p'
}

tt_start 120 24 xterm-256color --portal fake
tt_wait_line 2 "Contacts · 30"
tt_wait_line 23 "online"
bar_lacks "API 100/100" || tt_fail "a budget nobody heard from HubSpot"

# What :sync does not understand is refused at once, with a message, and
# nothing goes to HubSpot.
before=$(requests)
[ -n "$before" ] || tt_fail "fakehub's stats have no request count"
tt_send :
tt_type "sync --bogus"
tt_send Enter
tt_wait_for "sync: unknown option '--bogus'"
tt_send :
tt_type "sync contacts nosuchtype"
tt_send Enter
tt_wait_for "sync: unknown object type 'nosuchtype'"
[ "$(requests)" = "$before" ] || tt_fail "a refused :sync sent requests ($before -> $(requests))"

# A contact deleted for good on HubSpot (GDPR) behind the cache's back: an
# ordinary sync (changes and archivals since the last one) cannot see it go;
# --full, which compares every id, does.
gone=$(tt_fh ids "$dump/contacts" | head -n 1)
[ -n "$gone" ] || tt_fail "fakehub has no contacts"
tt_fh api POST "$TT_FH/crm/v3/objects/contacts/gdpr-delete" test-token-tui \
    "{\"objectId\":\"$gone\"}" > /dev/null
[ "$(tt_fh total "$dump/contacts")" = 29 ] || tt_fail "the delete did not take on fakehub"
tt_send :
tt_type "sync contacts"
tt_send Enter
tt_wait_for "Sync finished"
tt_wait_line 2 "Contacts · 30"
# The bar now shows the budget the sync's client heard: fakehub's 20.
tt_poll bar_has_budget_of_20 || tt_fail "the bar should show fakehub's budget (n/20)"
tt_send :
tt_type "sync --full contacts"
tt_send Enter
tt_wait_for "Full sync started: contacts"
tt_wait_for "Sync finished"
tt_wait_line 2 "Contacts · 29"
tt_poll bar_has_budget_of_20 || tt_fail "after the sync the bar should keep fakehub's budget"
bar_lacks "100/100" || tt_fail "the bar fell back to a made-up budget"
# The archived contact is gone from the cache, not only from the count.
tt_send /
tt_type "hs_object_id = $gone"
tt_send Enter
tt_wait_line 2 "Contacts · 0"

tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
