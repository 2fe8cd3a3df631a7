#!/bin/sh
# hubtui demo on a terminal: fakehub with the demo data, synced, then the
# browser on the demo portal (edits push to it), its API budget once it is
# known; quitting the browser stops fakehub.
. "$(dirname "$0")/tmux-lib.sh"

[ -n "${FAKEHUB:-}" ] && [ -x "$FAKEHUB" ] || tt_skip "FAKEHUB is not set"
[ -n "$TT_FHCTL" ] && [ -x "$TT_FHCTL" ] || tt_skip "fhctl is not built"
export HUBTUI_FAKEHUB="$FAKEHUB"
TT_TIMEOUT=$((TT_TIMEOUT * 8))          # generating and syncing the demo takes a while
tt_start 100 30 xterm-256color demo
tt_wait_line 2 "Contacts · 3,000"
TT_TIMEOUT=$((TT_TIMEOUT / 8))
tt_wait_line 29 "demo"
tt_wait_line 29 "online"
# No made-up budget: until this browser hears HubSpot's rate headers the
# bar shows none, and never the 100/100 of an unconfigured limiter.
tt_line 29 | grep -q "API 100/100" && tt_fail "status bar budget: $(tt_line 29)"
url=$(sed -n 's/.*fakehub serves portal "demo" at //p' "$TT_DIR/stderr" | head -n 1)
[ -n "$url" ] || tt_fail "the demo did not say where fakehub listens"
"$TT_FHCTL" get "$url/_fakehub/health" > /dev/null || tt_fail "fakehub is not serving the demo"
# Browse a little: a deal and its graph.
tt_send :
tt_type "types deals"
tt_send Enter
tt_wait_line 2 "Deals · 750"
# Opening a deal refreshes it from HubSpot: from then on the bar shows the
# demo's budget, sized by the config's app type and tier (fakehub's limit).
tt_send Enter
budget() { tt_line 29 | grep -q "API [0-9]*/250"; }
tt_poll budget || tt_fail "status bar budget after a refresh: $(tt_line 29)"
tt_send BSpace
tt_send a
tt_wait_line 2 "Associations of"
tt_send q
tt_wait_exit 0
gone() { ! "$TT_FHCTL" get "$url/_fakehub/health" > /dev/null 2>&1; }
tt_poll gone || tt_fail "fakehub still runs after the browser quit"
grep -q "Sanitizer\|runtime error" "$TT_DIR/stderr" && tt_fail "sanitizer report: $(cat "$TT_DIR/stderr")"
tt_pass
