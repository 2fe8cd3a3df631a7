/* osc52.h — copying text to the user's local clipboard through the terminal.
 *
 * OSC 52 asks the terminal emulator itself to set its clipboard, so `y`
 * works over SSH with no X forwarding. Multiplexers swallow unknown escape
 * sequences, so inside tmux the sequence is also sent through tmux's DCS
 * passthrough (tmux >= 3.3 needs `set -g allow-passthrough on`, or
 * `set -g set-clipboard on` for tmux to forward it itself), and inside GNU
 * screen it is cut into DCS chunks screen passes on. */
#ifndef HUBTUI_OSC52_H
#define HUBTUI_OSC52_H

#include <stddef.h>

#include "error.h"
#include "util.h"

/* Terminals cap the sequence length (xterm, hterm, tmux all differ); this
 * many bytes of text is accepted by the ones we know of. */
#define OSC52_MAX_TEXT 74994

typedef enum osc52_wrap {
    OSC52_PLAIN,  /* a terminal emulator, no multiplexer in between */
    OSC52_TMUX,   /* inside tmux ($TMUX set) */
    OSC52_SCREEN, /* inside GNU screen (TERM=screen*, no $TMUX) */
} osc52_wrap;

/* Append the standard base64 encoding of data (with '=' padding). */
void base64_encode(strbuf *out, const void *data, size_t n);

/* Which wrapping the environment needs: tmux_env is $TMUX, term is $TERM
 * (either may be NULL). */
osc52_wrap osc52_wrap_for(const char *tmux_env, const char *term);

/* Append the escape sequence(s) that copy text (n bytes) to the clipboard.
 * Fails with HT_INVALID (and appends nothing) when n > OSC52_MAX_TEXT. */
ht_status osc52_build(strbuf *out, const char *text, size_t n, osc52_wrap wrap, ht_error *err);

/* Build for the environment of this process and write it all to fd. */
ht_status osc52_copy(int fd, const char *text, size_t n, ht_error *err);

#endif
