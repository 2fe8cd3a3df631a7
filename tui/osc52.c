#include "osc52.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* GNU screen passes a DCS string through but limits its length. */
#define SCREEN_CHUNK 768

void base64_encode(strbuf *out, const void *data, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    strbuf_grow(out, (n + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        char quad[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63],
                        alphabet[(v >> 6) & 63], alphabet[v & 63]};
        strbuf_append(out, quad, 4);
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        char quad[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63],
                        i + 1 < n ? alphabet[(v >> 6) & 63] : '=', '='};
        strbuf_append(out, quad, 4);
    }
}

osc52_wrap osc52_wrap_for(const char *tmux_env, const char *term)
{
    if (!str_empty(tmux_env))
        return OSC52_TMUX;
    if (term && str_starts_with(term, "screen"))
        return OSC52_SCREEN;
    return OSC52_PLAIN;
}

/* ESC ] 52 ; c ; <base64> BEL — BEL rather than ST keeps ESC out of the
 * payload, so wrappers only have the introducer to escape. */
static void build_plain(strbuf *out, const char *text, size_t n)
{
    strbuf_puts(out, "\033]52;c;");
    base64_encode(out, text, n);
    strbuf_putc(out, '\a');
}

/* tmux passthrough: ESC P tmux; <sequence with every ESC doubled> ESC \ */
static void wrap_tmux(strbuf *out, const strbuf *seq)
{
    strbuf_puts(out, "\033Ptmux;");
    for (size_t i = 0; i < seq->len; i++) {
        if (seq->buf[i] == '\033')
            strbuf_putc(out, '\033');
        strbuf_putc(out, seq->buf[i]);
    }
    strbuf_puts(out, "\033\\");
}

static void wrap_screen(strbuf *out, const strbuf *seq)
{
    for (size_t i = 0; i < seq->len; i += SCREEN_CHUNK) {
        size_t len = seq->len - i < SCREEN_CHUNK ? seq->len - i : SCREEN_CHUNK;
        strbuf_puts(out, "\033P");
        strbuf_append(out, seq->buf + i, len);
        strbuf_puts(out, "\033\\");
    }
}

ht_status osc52_build(strbuf *out, const char *text, size_t n, osc52_wrap wrap, ht_error *err)
{
    if (n > OSC52_MAX_TEXT)
        return ht_error_set(err, HT_INVALID,
                            "too long to copy (%zu bytes; terminals accept up to %d)",
                            n, OSC52_MAX_TEXT);
    strbuf seq = {0};
    build_plain(&seq, text, n);
    switch (wrap) {
    case OSC52_PLAIN:
        strbuf_append(out, seq.buf, seq.len);
        break;
    case OSC52_TMUX:
        /* Both: tmux keeps the plain one when set-clipboard is on (and
         * forwards it), the passthrough copy reaches the outer terminal
         * when allow-passthrough is on. Either alone may be disabled. */
        strbuf_append(out, seq.buf, seq.len);
        wrap_tmux(out, &seq);
        break;
    case OSC52_SCREEN:
        wrap_screen(out, &seq);
        break;
    }
    strbuf_free(&seq);
    return HT_OK;
}

ht_status osc52_copy(int fd, const char *text, size_t n, ht_error *err)
{
    strbuf sb = {0};
    ht_status st = osc52_build(&sb, text, n, osc52_wrap_for(getenv("TMUX"), getenv("TERM")), err);
    for (size_t off = 0; st == HT_OK && off < sb.len;) {
        ssize_t w = write(fd, sb.buf + off, sb.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            st = ht_error_set(err, HT_IO, "cannot write to the terminal: %s",
                              w < 0 ? strerror(errno) : "short write");
        else
            off += (size_t)w;
    }
    strbuf_free(&sb);
    return st;
}
