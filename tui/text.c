#include "text.h"

#include <string.h>
#include <wchar.h>

#define DOTTED_CIRCLE 0x25CCu /* the conventional base for a lone combining mark */

size_t text_decode(const char *s, size_t n, uint32_t *cp, bool *valid)
{
    size_t len = utf8_decode(s, n, cp);
    *valid = len > 0;
    if (len)
        return len;
    *cp = TEXT_REPLACEMENT;
    return 1;
}

void text_encode(strbuf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    strbuf_append(out, b, n);
}

static bool is_control(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

static bool is_line_space(uint32_t cp)
{
    return cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f';
}

/* Invisible formatting characters that are safer dropped than drawn: bidi
 * overrides and isolates can reorder what follows them on screen, and a
 * byte-order mark or zero-width space (common in CSV imports) only confuses
 * width arithmetic. */
static bool is_dropped(uint32_t cp)
{
    return cp == 0x061C || cp == 0x180E || cp == 0x200B || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

/* Width of a printable code point per wcwidth, or -1 if not printable. */
static int raw_width(uint32_t cp)
{
    if (cp < 0x7F)
        return cp >= 0x20 ? 1 : -1;
    return wcwidth((wchar_t)cp);
}

/* How one decoded character is drawn: up to two output code points. */
typedef struct shown {
    uint32_t cp[2];
    int n;
    int width;
} shown;

static void show_char(uint32_t cp, bool valid, bool *have_base, unsigned flags, shown *sh)
{
    uint32_t repl = (flags & TEXT_ASCII) ? '?' : TEXT_REPLACEMENT;
    sh->n = 0;
    sh->width = 0;
    if (valid && is_line_space(cp))
        cp = ' ';
    else if (!valid || is_control(cp))
        cp = repl;
    else if (is_dropped(cp))
        return;
    if (flags & TEXT_ASCII) {
        if (cp >= 0x80) {
            if (raw_width(cp) == 0)
                return; /* a combining accent: the base letter is enough */
            cp = '?';
        }
        sh->cp[sh->n++] = cp;
        sh->width = 1;
        *have_base = true;
        return;
    }
    int w = raw_width(cp);
    if (w < 0) {
        cp = repl;
        w = 1;
    }
    if (w == 0 && !*have_base) {
        if (cp == 0x200C || cp == 0x200D)
            return; /* a joiner with nothing to join */
        sh->cp[sh->n++] = DOTTED_CIRCLE;
        sh->width = 1;
    }
    sh->cp[sh->n++] = cp;
    sh->width += w;
    if (w > 0)
        *have_base = true;
}

int text_cp_width(uint32_t cp, unsigned flags)
{
    bool base = true;
    shown sh;
    show_char(cp, cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF), &base, flags, &sh);
    return sh.width;
}

int text_width_n(const char *s, size_t n, unsigned flags)
{
    int width = 0;
    bool base = false;
    shown sh;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        bool valid;
        i += text_decode(s + i, n - i, &cp, &valid);
        show_char(cp, valid, &base, flags, &sh);
        width += sh.width;
    }
    return width;
}

int text_width(const char *s, unsigned flags)
{
    return s ? text_width_n(s, strlen(s), flags) : 0;
}

static void append_shown(strbuf *out, const shown *sh)
{
    for (int k = 0; k < sh->n; k++) {
        if (sh->cp[k] < 0x80)
            strbuf_putc(out, (char)sh->cp[k]);
        else
            text_encode(out, sh->cp[k]);
    }
}

void text_sanitize(strbuf *out, const char *s, size_t n, unsigned flags)
{
    bool base = false;
    shown sh;
    strbuf_grow(out, n);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        bool valid;
        i += text_decode(s + i, n - i, &cp, &valid);
        show_char(cp, valid, &base, flags, &sh);
        append_shown(out, &sh);
    }
}

/* Append characters of s while they fit in budget columns; zero-width
 * characters that follow an included base stay with it. Returns columns. */
static int append_prefix(strbuf *out, const char *s, size_t n, int budget, unsigned flags)
{
    int used = 0;
    bool base = false;
    shown sh;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        bool valid;
        size_t len = text_decode(s + i, n - i, &cp, &valid);
        show_char(cp, valid, &base, flags, &sh);
        if (used + sh.width > budget)
            break;
        append_shown(out, &sh);
        used += sh.width;
        i += len;
    }
    return used;
}

int text_truncate(strbuf *out, const char *s, int width, unsigned flags)
{
    if (width <= 0 || !s)
        return 0;
    size_t n = strlen(s);
    int total = text_width_n(s, n, flags);
    if (total <= width) {
        text_sanitize(out, s, n, flags);
        return total;
    }
    int used = append_prefix(out, s, n, width - 1, flags);
    strbuf_puts(out, (flags & TEXT_ASCII) ? "~" : "\xE2\x80\xA6");
    return used + 1;
}

void text_pad(strbuf *out, int n)
{
    for (int i = 0; i < n; i++)
        strbuf_putc(out, ' ');
}

int text_fit(strbuf *out, const char *s, int width, text_align align, unsigned flags)
{
    if (width <= 0)
        return 0;
    size_t start = out->len;
    int used = text_truncate(out, s, width, flags);
    int gap = width - used;
    int left = align == TEXT_RIGHT ? gap : align == TEXT_CENTER ? gap / 2 : 0;
    if (left > 0) {
        /* Shift the text right in place rather than measuring it twice. */
        strbuf_grow(out, (size_t)left);
        memmove(out->buf + start + left, out->buf + start, out->len - start);
        memset(out->buf + start, ' ', (size_t)left);
        out->len += (size_t)left;
        out->buf[out->len] = '\0';
    }
    text_pad(out, gap - left);
    return width;
}

size_t text_prev_char(const char *s, size_t pos)
{
    if (pos == 0)
        return 0;
    size_t p = pos - 1;
    /* At most three continuation bytes belong to one character. */
    for (int k = 0; k < 3 && p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80; k++)
        p--;
    uint32_t cp;
    bool valid;
    /* If the lead byte we found does not decode to end exactly at pos, the
     * byte just before pos stands alone (it is drawn as one replacement). */
    if (p + text_decode(s + p, pos - p, &cp, &valid) != pos)
        return pos - 1;
    return p;
}

size_t text_next_char(const char *s, size_t len, size_t pos)
{
    if (pos >= len)
        return len;
    uint32_t cp;
    bool valid;
    return pos + text_decode(s + pos, len - pos, &cp, &valid);
}
