/* text.h — measuring and fitting UTF-8 text into terminal cells.
 *
 * Record data comes from HubSpot and can hold anything: CJK names, emoji,
 * combining accents, stray control characters, invalid UTF-8. Everything the
 * TUI draws passes through here so that a cell is exactly as wide as the
 * layout says, a wide character is never cut in half, and no byte from the
 * data can move the cursor or change the terminal's state.
 *
 * Widths follow the C library's wcwidth() (the same table ncurses uses to
 * place the cursor), so what we measure is what curses draws. They assume
 * LC_CTYPE is a UTF-8 locale; with TEXT_ASCII every non-ASCII character is
 * shown as '?' instead, for terminals that cannot show UTF-8 at all. */
#ifndef HUBTUI_TEXT_H
#define HUBTUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Flags for the functions below. */
enum text_flags {
    TEXT_ASCII = 1 << 0, /* terminal cannot show UTF-8: '?' for non-ASCII */
};

typedef enum text_align { TEXT_LEFT, TEXT_RIGHT, TEXT_CENTER } text_align;

#define TEXT_REPLACEMENT 0xFFFDu /* shown for invalid bytes and controls */

/* Decode one UTF-8 character from s (n > 0 bytes available). Returns the
 * bytes consumed (1..4) and stores the code point; an invalid, overlong,
 * surrogate or truncated sequence consumes one byte and yields
 * TEXT_REPLACEMENT with *valid = false. */
size_t text_decode(const char *s, size_t n, uint32_t *cp, bool *valid);

/* Append the UTF-8 encoding of cp (must be a valid scalar value). */
void text_encode(strbuf *out, uint32_t cp);

/* Columns a code point occupies once sanitized: 0 (combining marks and
 * format characters), 1 or 2 (CJK, emoji). Controls count as the one
 * column of their replacement. */
int text_cp_width(uint32_t cp, unsigned flags);

/* Display width of the first n bytes of s, as text_sanitize would draw them. */
int text_width_n(const char *s, size_t n, unsigned flags);
/* Display width of a NUL-terminated string (NULL is 0). */
int text_width(const char *s, unsigned flags);

/* Append s (n bytes) to out made safe to draw: tabs and line breaks become
 * spaces, other control characters and invalid bytes become U+FFFD (or '?'),
 * bidirectional override characters are dropped, and a combining mark with
 * no base character gets U+25CC as its base. */
void text_sanitize(strbuf *out, const char *s, size_t n, unsigned flags);

/* Append the longest sanitized prefix of s that fits in width columns;
 * when s is wider, it is cut and ends with an ellipsis ("…" or "~"), and a
 * wide character is never split. Returns the columns appended (<= width). */
int text_truncate(strbuf *out, const char *s, int width, unsigned flags);

/* Append s truncated as above and padded with spaces to exactly width
 * columns (nothing when width <= 0). Returns width (or 0). */
int text_fit(strbuf *out, const char *s, int width, text_align align, unsigned flags);

/* Append n spaces (nothing when n <= 0). */
void text_pad(strbuf *out, int n);

/* Byte offset of the start of the character before byte offset pos
 * (0 when pos is 0). Skips back over UTF-8 continuation bytes. */
size_t text_prev_char(const char *s, size_t pos);
/* Byte offset just after the character starting at pos (len when at end). */
size_t text_next_char(const char *s, size_t len, size_t pos);

#endif
