#!/bin/sh
# Browsing real data: a fakehub portal synced into the cache, the record
# preview following a resize at once, every object type opened from the
# types view with its count, the filter language as
# you type (a mistake marked with its column), a record opened, the
# association graph walked three levels and back, sorting and columns, and
# the next run opening where this one left off.
# Real data and a loaded CI machine: waits get more room than the default.
TT_TIMEOUT=${TT_TIMEOUT:-30}
. "$(dirname "$0")/tmux-lib.sh"

tt_fakehub --contacts 120
tt_portal fake
tt_cli --portal fake sync > /dev/null
dump="$TT_FH/_fakehub/dump"

tt_start 80 24 xterm-256color --portal fake
tt_wait_line 2 "Contacts · 120"            # the first run opens on contacts
tt_wait_line 23 "fake"
tt_wait_line 23 "online"

# Growing the terminal past 80 columns shows the record under the cursor
# beside the list at once, without a key; shrinking it hides it again. (The
# first frame at the new size tells: a layout from the old size shows the
# object types instead until something else redraws.)
tt_resize 100 24
drawn() { tt_screen | grep -qE "Contact information|Object types"; }
tt_poll drawn || tt_fail "nothing drawn after growing the terminal"
tt_screen | grep -q "Object types" && tt_fail "the preview waited for a key after the resize"
tt_wait_for "Contact information"
tt_wait_line 2 "Contacts · 120"
tt_resize 80 24
tt_wait_gone "Contact information"
tt_wait_line 2 "Contacts · 120"

# Every object type from the types view (t), with the records it holds.
for spec in "Companies companies" "Deals deals" "Tickets tickets" "Products products" \
            "Line items line_items" "Notes notes" "Calls calls" "Tasks tasks" \
            "Vehicles vehicles" "Contacts contacts"; do
    set -- $spec
    label=$1
    [ "$label" = Line ] && label="Line items" && shift
    n=$(tt_fh total "$dump/$2")
    tt_send t
    tt_wait_line 2 "Object types"
    tt_send /
    tt_type "$label"
    tt_send Enter Enter
    tt_wait_line 2 "$label · $n"
done

# Filter as you type: the list follows, the count matches fakehub's.
leads=$(tt_fh count "$dump/contacts" lifecyclestage lead)
tt_send /
tt_type "lifecyclestage = lead"
tt_wait_line 2 "Contacts · $leads /lifecyclestage = lead"
# A mistake is marked with its column; the list keeps the last good filter.
tt_type " and city ="
tt_wait_for "column 33: expected a value after '='"
tt_line_e 24 > "$TT_DIR/prompt"
tt_line 2 | grep -qF "lifecyclestage = lead and city =" && tt_fail "a filter that does not parse was applied"
tt_send C-u
tt_type "nosuchprop = 3"
tt_wait_for "Contacts have no property 'nosuchprop'"
tt_send C-u
tt_type "lifecyclestage = customer"
tt_send Enter
customers=$(tt_fh count "$dump/contacts" lifecyclestage customer)
tt_wait_line 2 "Contacts · $customers /lifecyclestage = customer"
# Another list and back (a new contacts list from the types): the filter
# is remembered.
tt_send :
tt_type "types deals"
tt_send Enter
tt_wait_line 2 "Deals · "
tt_send :
tt_type "types contacts"
tt_send Enter
tt_wait_line 2 "Contacts · $customers /lifecyclestage = customer"
tt_send /
tt_send C-u Enter                             # an empty filter shows everything
tt_wait_line 2 "Contacts · 120"

# A deal, its graph: primary company, then the company's own deals.
tt_send :
tt_type "types deals"
tt_send Enter
tt_wait_line 2 "Deals · "
deal=$(tt_line 4 | sed 's/^ *//; s/  .*//')
tt_send Enter
tt_wait_line 1 "Deals"
tt_wait_for "Deal information"
tt_wait_for "Deal Stage"
tt_send a
tt_wait_line 2 "Associations of"
tt_wait_for "Companies · Primary"
tt_send j                                    # the company
tt_send l                                    # expand it: level 2
tt_wait_for "Deals ("
tt_wait_for "shown above"                    # the deal itself, not expanded again
tt_screen | grep -q "Contacts (" || tt_screen | grep -q "Contacts · " || tt_fail "no contacts under the company"
tt_send j j
tt_send Enter                                # jump to the record under the cursor
left_graph() { ! tt_line 2 | grep -qF "Associations of"; }
tt_poll left_graph || tt_fail "Enter did not open the record"
tt_wait_for "Record ID"
tt_send BSpace                               # back to the graph, as it was
tt_wait_line 2 "Associations of"
tt_wait_for "shown above"
tt_send BSpace
tt_wait_for "Deal information"
tt_send BSpace
tt_wait_line 2 "Deals · "

# Sort by the first column, then reverse it; the header says so.
tt_send s
tt_wait_for "Sorted by Deal Name, ascending"
tt_wait_line 3 "Deal Name ▲"
tt_send s
tt_wait_line 3 "Deal Name ▼"
# Columns: hide the first one.
tt_send c
tt_wait_for "Columns"
tt_send Space Enter
tt_wait_gone "Deal Name ▼"
tt_send q
tt_wait_exit 0
tt_assert_restored

# Next run: where the user left off (deals, sorted, without that column).
tt_start 80 24 xterm-256color --portal fake
tt_wait_line 2 "Deals · "
tt_screen | grep -q "Deal Name" && tt_fail "the hidden column came back"
tt_send q
tt_wait_exit 0
tt_assert_restored
tt_pass
