#!/bin/sh
# Run each benchmark program given on the command line, one after another
# (they share the machine; running them side by side would skew the figures).
# BENCH_ONLY=substring picks some of them.
status=0
for prog in "$@"; do
    case "$prog" in *"${BENCH_ONLY:-}"*) ;; *) continue ;; esac
    echo "==> $(basename "$prog")"
    "$prog" || { echo "!! $(basename "$prog") failed"; status=1; }
    echo
done
exit $status
