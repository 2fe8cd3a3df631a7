#!/bin/sh
# Run a command inside a private D-Bus session with a fresh, unlocked
# gnome-keyring (the Secret Service), in a throw-away HOME. Used by the
# keyring test; exits 77 (meson's "skipped") when the tools are missing.
set -eu
for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "keyring-session: $tool is not installed (apt-get install dbus gnome-keyring)" >&2
        exit 77
    fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hubtui-keyring.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
       XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# The daemon dies with the session bus. --unlock with a password on stdin
# creates and unlocks the default ("login") collection without a prompt. (An
# empty password does not: gnome-keyring then asks its system prompter for
# one, which has no display here, and every store fails with "Object does not
# exist at path /org/freedesktop/secrets/collection/login".)
# (dbus-daemon may warn that it cannot raise its fd limit in a container;
# that is harmless.)
status=0
dbus-run-session -- sh -c '
    printf "hubtui-test" | gnome-keyring-daemon --unlock --components=secrets >"$XDG_RUNTIME_DIR/keyring.env" || {
        echo "keyring-session: gnome-keyring-daemon did not start" >&2; exit 1; }
    exec "$@"' keyring-session "$@" || status=$?
exit $status
