# tmux-lib.sh — drive the real hubtui binary inside tmux and read its screen.
#
# Source it from a test script (POSIX sh), then:
#
#   tt_start COLS ROWS TERM [ARGS...]   start the browser in a detached tmux
#                                       session of that size and TERM
#   tt_send KEY...        tmux key names: j Enter Escape C-c BSpace Tab ...
#   tt_type TEXT          literal text
#   tt_wait_for TEXT      poll the screen until TEXT shows (fails on timeout)
#   tt_wait_gone TEXT     poll until TEXT is gone
#   tt_wait_line N TEXT   poll until screen line N (1-based) contains TEXT
#   tt_screen / tt_screen_e   the screen as text / with escape sequences
#   tt_line N / tt_line_e N   one line of it
#   tt_resize COLS ROWS   resize the window (and wait until the pane has it)
#   tt_pid                pid of the hubtui process
#   tt_wait_exit STATUS   wait until hubtui exits, check its status
#   tt_assert_restored    terminal modes, cursor, alternate screen, mouse and
#                         keypad are as before, and stderr is empty
#   tt_stop               end the session (tt_start starts a fresh server)
#   tt_about              on an empty cache's first screen, open :about
#
# With real data (the test's second argument is the fhctl helper, FAKEHUB
# the fakehub binary):
#
#   tt_fakehub [ARGS...]  start fakehub on a free port (stopped at exit);
#                         TT_FH is its base URL
#   tt_portal NAME [LINE...]  add [portal NAME] pointing at it to the config
#   tt_cli ARGS...        run the hubtui command line (stdout to the caller)
#   tt_fh get|post|count|value ...   ask fakehub (fhctl)
#   tt_fail MSG / tt_skip MSG / tt_pass
#
# Every test gets a private tmux server (-S socket in its own temporary
# directory, -f with our own options), its own XDG_CONFIG_HOME (write a
# config with tt_config), XDG_CACHE_HOME and XDG_STATE_HOME, LANG=C.UTF-8, and no COLORTERM or NO_COLOR unless
# it sets them before tt_start. The server and the directory are removed
# when the script exits, however it exits. Waits poll capture-pane; there
# are no fixed sleeps. TT_TIMEOUT (seconds, default 15: sanitizer builds
# start slowly) bounds every wait.

set -u

TT_TIMEOUT=${TT_TIMEOUT:-15}
# The binary: $HUBTUI_TUI, else the test's first argument, else $HUBTUI.
TT_BIN=${HUBTUI_TUI:-${1:-${HUBTUI:-}}}
case $TT_BIN in /*) ;; ?*) TT_BIN="$PWD/$TT_BIN" ;; esac
TT_FHCTL=${FHCTL:-${2:-}}
case $TT_FHCTL in /*) ;; ?*) TT_FHCTL="$PWD/$TT_FHCTL" ;; esac
TT_FH_PID=
TT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hubtui-tt.XXXXXX") || exit 99
TT_SERVERS=0
TT_SOCK="$TT_DIR/tmux.0.sock"
TT_NAME=${0##*/}
TT_STARTED=0

tt_cleanup() {
    if [ -n "$TT_FH_PID" ]; then
        kill "$TT_FH_PID" 2>/dev/null
        wait "$TT_FH_PID" 2>/dev/null
    fi
    for tt_s in "$TT_DIR"/tmux.*.sock; do
        [ -S "$tt_s" ] && tmux -S "$tt_s" kill-server 2>/dev/null
    done
    # A dying pane may still be writing its last file: try twice.
    rm -rf "$TT_DIR" 2>/dev/null || { sleep 0.3; rm -rf "$TT_DIR"; }
}
trap tt_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v tmux >/dev/null 2>&1 || { echo "$TT_NAME: tmux is not installed"; exit 77; }
[ -n "$TT_BIN" ] && [ -x "$TT_BIN" ] || { echo "$TT_NAME: set HUBTUI_TUI or HUBTUI"; exit 99; }

export LANG=C.UTF-8 LC_ALL=C.UTF-8
export XDG_CONFIG_HOME="$TT_DIR/config"
export XDG_CACHE_HOME="$TT_DIR/cache" XDG_STATE_HOME="$TT_DIR/state"
unset COLORTERM NO_COLOR HUBTUI_COLORS TMUX TMUX_PANE HUBTUI_BASE_URL HUBSPOT_ACCESS_TOKEN
mkdir -p "$XDG_CONFIG_HOME/hubtui"

tt_tmux() {
    tmux -S "$TT_SOCK" "$@"
}

tt_fail() {
    echo "FAIL ($TT_NAME): $*"
    if [ "$TT_STARTED" = 1 ]; then
        echo "---- screen ----"
        tt_tmux capture-pane -p -t tt 2>/dev/null
        echo "---- end of screen ----"
    fi
    [ -s "$TT_DIR/stderr" ] && { echo "---- stderr ----"; cat "$TT_DIR/stderr"; }
    exit 1
}

tt_skip() {
    echo "SKIP ($TT_NAME): $*"
    exit 77
}

tt_pass() {
    echo "ok ($TT_NAME)"
    exit 0
}

# tt_config TEXT: the user's config file ($XDG_CONFIG_HOME/hubtui/config).
tt_config() {
    printf '%s\n' "$1" > "$XDG_CONFIG_HOME/hubtui/config"
}

# tt_new_server: later tmux commands go to a fresh server (a dying one
# may still hold the old socket for a moment).
tt_new_server() {
    TT_SERVERS=$((TT_SERVERS + 1))
    TT_SOCK="$TT_DIR/tmux.$TT_SERVERS.sock"
}

# tt_stop: end the session and forget the last run's results.
tt_stop() {
    [ "$TT_STARTED" = 1 ] && tt_tmux kill-server 2>/dev/null
    TT_STARTED=0
    rm -f "$TT_DIR/status" "$TT_DIR/stty.before" "$TT_DIR/stty.after" "$TT_DIR/stderr"
}

# tt_start COLS ROWS TERM [ARGS...]
tt_start() {
    tt_cols=$1 tt_rows=$2 tt_term=$3
    shift 3
    tt_stop
    tt_new_server
    infocmp "$tt_term" >/dev/null 2>&1 || tt_skip "no terminfo entry for $tt_term"
    cat > "$TT_DIR/tmux.conf" <<EOF
set -g default-terminal "$tt_term"
set -g status off
set -g remain-on-exit on
set -g history-limit 100
set -g set-clipboard on
set -gq allow-passthrough on
set -g escape-time 10
EOF
    # The wrapper records the terminal modes before and after, the exit
    # status and stderr (where sanitizer reports go), then stays alive so
    # the screen can still be read.
    {
        echo '#!/bin/sh'
        echo "stty -g > '$TT_DIR/stty.before'"
        printf '%s' "'$TT_BIN'"
        for arg in "$@"; do printf " '%s'" "$arg"; done
        echo " 2> '$TT_DIR/stderr'"
        echo "echo \$? > '$TT_DIR/status.tmp' && mv '$TT_DIR/status.tmp' '$TT_DIR/status'"
        echo "stty -g > '$TT_DIR/stty.after'"
        echo "exec sleep 600"
    } > "$TT_DIR/run.sh"
    chmod +x "$TT_DIR/run.sh"
    tt_tmux -f "$TT_DIR/tmux.conf" new-session -d -x "$tt_cols" -y "$tt_rows" -s tt \
        "$TT_DIR/run.sh" || tt_fail "tmux new-session failed"
    TT_STARTED=1
    tt_wait_size "$tt_cols" "$tt_rows"
}

# Run "$@" until it succeeds or TT_TIMEOUT passes.
tt_poll() {
    tt_deadline=$(( $(date +%s) + TT_TIMEOUT ))
    while ! "$@"; do
        [ "$(date +%s)" -ge "$tt_deadline" ] && return 1
        sleep 0.05
    done
    return 0
}

tt_screen() {
    tt_tmux capture-pane -p -t tt
}

tt_screen_e() {
    tt_tmux capture-pane -p -e -t tt
}

tt_line() {
    tt_screen | sed -n "${1}p"
}

tt_line_e() {
    tt_screen_e | sed -n "${1}p"
}

tt_has() {
    tt_screen | grep -qF -- "$1"
}

tt_lacks() {
    ! tt_screen | grep -qF -- "$1"
}

tt_line_has() {
    tt_line "$1" | grep -qF -- "$2"
}

tt_wait_for() {
    tt_poll tt_has "$1" || tt_fail "timed out waiting for '$1'"
}

tt_wait_gone() {
    tt_poll tt_lacks "$1" || tt_fail "timed out waiting for '$1' to go"
}

tt_wait_line() {
    tt_poll tt_line_has "$1" "$2" || tt_fail "timed out waiting for line $1 to show '$2'"
}

tt_send() {
    tt_tmux send-keys -t tt "$@" || tt_fail "send-keys $*"
}

tt_type() {
    tt_tmux send-keys -t tt -l -- "$1" || tt_fail "send-keys -l $1"
}

tt_pane() {
    tt_tmux display -p -t tt "$1"
}

tt_size_is() {
    [ "$(tt_pane '#{pane_width}x#{pane_height}')" = "$1x$2" ]
}

tt_wait_size() {
    tt_poll tt_size_is "$1" "$2" || tt_fail "pane never became $1x$2"
}

tt_resize() {
    tt_tmux resize-window -t tt -x "$1" -y "$2" || tt_fail "resize-window"
    tt_wait_size "$1" "$2"
}

# The hubtui process: the child of the wrapper shell in the pane.
tt_pid() {
    tt_wrapper=$(tt_pane '#{pane_pid}')
    if [ -r "/proc/$tt_wrapper/task/$tt_wrapper/children" ]; then
        set -- $(cat "/proc/$tt_wrapper/task/$tt_wrapper/children")
        echo "${1:-}"
    else
        ps -o pid= --ppid "$tt_wrapper" | head -n 1 | tr -d ' '
    fi
}

tt_exited() {
    [ -f "$TT_DIR/status" ]
}

# tt_wait_exit STATUS
tt_wait_exit() {
    tt_poll tt_exited || tt_fail "hubtui did not exit"
    tt_status=$(cat "$TT_DIR/status")
    [ "$tt_status" = "$1" ] || tt_fail "exit status $tt_status, expected $1"
}

tt_stty_saved() {
    [ -s "$TT_DIR/stty.after" ]
}

# After exit: the terminal is as the shell left it.
tt_assert_restored() {
    tt_poll tt_stty_saved || tt_fail "the wrapper never recorded the terminal modes"
    cmp -s "$TT_DIR/stty.before" "$TT_DIR/stty.after" ||
        tt_fail "terminal modes not restored: $(cat "$TT_DIR/stty.before") -> $(cat "$TT_DIR/stty.after")"
    tt_flags=$(tt_pane 'alt=#{alternate_on} cursor=#{cursor_flag} keypad=#{keypad_flag} mouse=#{mouse_any_flag}')
    [ "$tt_flags" = "alt=0 cursor=1 keypad=0 mouse=0" ] || tt_fail "terminal state after exit: $tt_flags"
    [ -s "$TT_DIR/stderr" ] && tt_fail "hubtui wrote to stderr"
    return 0
}

# tt_about: the browser on a portal with nothing cached opens on the object
# types ("The cache is empty"); open the about page from there.
tt_about() {
    tt_wait_for "The cache is empty"
    tt_send :
    tt_type about
    tt_send Enter
    tt_wait_for "Theme roles"
}

# tt_fakehub [ARGS...]: a private fakehub (token test-token-tui, no rate
# limit unless ARGS say otherwise), stopped when the script exits.
tt_fakehub() {
    [ -n "${FAKEHUB:-}" ] && [ -x "$FAKEHUB" ] || tt_skip "FAKEHUB is not set"
    [ -n "$TT_FHCTL" ] && [ -x "$TT_FHCTL" ] || tt_skip "fhctl is not built"
    "$FAKEHUB" --port 0 --quiet --token test-token-tui --rate-limit off "$@" \
        > "$TT_DIR/fakehub.out" 2> "$TT_DIR/fakehub.err" &
    TT_FH_PID=$!
    tt_poll grep -q "^listening on " "$TT_DIR/fakehub.out" ||
        tt_fail "fakehub did not start: $(cat "$TT_DIR/fakehub.err")"
    TT_FH=$(sed -n 's/^listening on //p' "$TT_DIR/fakehub.out" | head -n 1)
}

# tt_portal NAME [LINE...]: a portal on this fakehub in the config file.
tt_portal() {
    tt_p=$1
    shift
    {
        printf '[portal %s]\nbase_url = %s\ntoken_command = echo test-token-tui\n' "$tt_p" "$TT_FH"
        for tt_l in "$@"; do printf '%s\n' "$tt_l"; done
    } >> "$XDG_CONFIG_HOME/hubtui/config"
}

tt_cli() {
    "$TT_BIN" "$@" 2>> "$TT_DIR/cli.err" || tt_fail "hubtui $* failed: $(tail -n 3 "$TT_DIR/cli.err")"
}

tt_fh() {
    "$TT_FHCTL" "$@" || tt_fail "fhctl $* failed"
}
