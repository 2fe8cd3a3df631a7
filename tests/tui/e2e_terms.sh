#!/bin/sh
# The same screen on the terminals people have: 256 colours, tmux, screen
# (8 colours), direct colour, vt100 (none) and NO_COLOR. Colours degrade;
# without colour the bars and the cursor row are in reverse video.
. "$(dirname "$0")/tmux-lib.sh"

REVERSE='\[([0-9]+;)*7[;m]'
ANY_256='[34]8;5;'

# run TERM MUST NOT: start, check the top bar's escape sequences contain
# /MUST/ and not /NOT/ (empty: no check), quit cleanly.
run() {
    tt_start 90 24 "$1"
    tt_about
    bar=$(tt_line_e 1)
    printf '%s' "$bar" | grep -qE -- "$2" || tt_fail "$1: top bar lacks /$2/"
    if [ -n "$3" ] && printf '%s' "$bar" | grep -qE -- "$3"; then
        tt_fail "$1: top bar has /$3/"
    fi
    tt_screen | grep -qE -- "Colours        $4" || tt_fail "$1: colours not $4"
    tt_send q
    tt_wait_exit 0
    tt_assert_restored
    tt_stop
}

run xterm-256color '48;5;235' '' 256
run tmux-256color '48;5;235' '' 256
run screen '44m' "$ANY_256" 8                 # bar = #262626|235|blue: blue
if infocmp xterm-direct >/dev/null 2>&1; then
    run xterm-direct '48;2;38;38;38' "$ANY_256" truecolor   # exactly #262626
fi
# A truecolor terminal without direct-colour terminfo: exact colours go
# into redefined palette slots from 255 down (top bar text, then its bar).
export COLORTERM=truecolor
run xterm-256color '38;5;255.*48;5;254' '48;5;235' 'truecolor \(palette\)'
unset COLORTERM
run vt100 "$REVERSE" '[34][0-9]' mono
export NO_COLOR=1
run xterm-256color "$REVERSE" '[34][0-9]' mono
unset NO_COLOR
# A user's cap on colours (the [ui] colors setting) wins over the terminal.
tt_config '[ui]
colors = 16'
run xterm-256color '4[0-7]m|10[0-7]m' "$ANY_256" 16
tt_pass
