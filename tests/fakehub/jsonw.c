#include "jsonw.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"

/* Does any byte of w need escaping (a control character, '"' or '\\')?
 * Eight bytes at a time: JSON writing is most of a list page's cost, and
 * nearly every byte of a value goes through as it is. */
static bool word_needs_escape(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
    uint64_t control = (w - ones * 0x20) & ~w;
    uint64_t is_quote = (quote - ones) & ~quote;
    uint64_t is_backslash = (backslash - ones) & ~backslash;
    return ((control | is_quote | is_backslash) & highs) != 0;
}

/* The index of the first byte of s that needs escaping, or n. */
static size_t plain_prefix(const char *s, size_t n)
{
    size_t i = 0;
    uint64_t w;
    while (i + 8 <= n && (memcpy(&w, s + i, 8), !word_needs_escape(w)))
        i += 8;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\')
            break;
    }
    return i;
}

void jw_strn(strbuf *sb, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    strbuf_grow(sb, n + 2);
    size_t plain = plain_prefix(s, n);
    if (plain == n) {
        /* Nearly every value: copied as it is, without further calls. */
        char *out = sb->buf + sb->len;
        out[0] = '"';
        memcpy(out + 1, s, n);
        out[n + 1] = '"';
        out[n + 2] = '\0';
        sb->len += n + 2;
        return;
    }
    sb->buf[sb->len++] = '"';
    size_t start = 0;
    /* i: the next byte to escape; the plain run before it goes as it is. */
    for (size_t i = plain; i < n; i = start + plain_prefix(s + start, n - start)) {
        unsigned char c = (unsigned char)s[i];
        strbuf_append(sb, s + start, i - start);
        start = i + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"':  esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            break;
        }
        strbuf_puts(sb, esc);
    }
    strbuf_append(sb, s + start, n - start);
    strbuf_putc(sb, '"');
}

void jw_str(strbuf *sb, const char *s)
{
    if (!s)
        strbuf_append(sb, "null", 4);
    else
        jw_strn(sb, s, strlen(s));
}

void jw_key(strbuf *sb, const char *key)
{
    jw_str(sb, key);
    strbuf_putc(sb, ':');
}

size_t fmt_i64(int64_t v, char *out)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t len = 0;
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = tmp[--n];
    out[len] = '\0';
    return len;
}

void jw_i64(strbuf *sb, int64_t v)
{
    char buf[24];
    strbuf_append(sb, buf, fmt_i64(v, buf));
}

void jw_i64str(strbuf *sb, int64_t v)
{
    char buf[26];
    buf[0] = '"';
    size_t n = fmt_i64(v, buf + 1);
    buf[n + 1] = '"';
    strbuf_append(sb, buf, n + 2);
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

size_t fmt_iso(int64_t ms, char out[32])
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    /* Civil date from days since the epoch (Howard Hinnant's algorithm). */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999) {
        time_format_iso(ms, out);
        return strlen(out);
    }
    put2(out, (unsigned)(y / 100));
    put2(out + 2, (unsigned)(y % 100));
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, d);
    out[10] = 'T';
    put2(out + 11, (unsigned)(rem / 3600000));
    out[13] = ':';
    put2(out + 14, (unsigned)(rem / 60000 % 60));
    out[16] = ':';
    put2(out + 17, (unsigned)(rem / 1000 % 60));
    out[19] = '.';
    out[20] = (char)('0' + rem % 1000 / 100);
    put2(out + 21, (unsigned)(rem % 100));
    out[23] = 'Z';
    out[24] = '\0';
    return 24;
}

void jw_iso(strbuf *sb, int64_t epoch_ms)
{
    char buf[34];
    buf[0] = '"';
    size_t n = fmt_iso(epoch_ms, buf + 1);
    buf[n + 1] = '"';
    strbuf_append(sb, buf, n + 2);
}

void jw_json(strbuf *sb, const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s) {
        strbuf_puts(sb, s);
        free(s);
    } else {
        strbuf_puts(sb, "null");
    }
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void cursor_encode(int64_t v, char out[32])
{
    char digits[24];
    size_t n = fmt_i64(v, digits), o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned b0 = (unsigned char)digits[i];
        unsigned b1 = i + 1 < n ? (unsigned char)digits[i + 1] : 0;
        unsigned b2 = i + 2 < n ? (unsigned char)digits[i + 2] : 0;
        out[o++] = b64chars[b0 >> 2];
        out[o++] = b64chars[((b0 & 3) << 4) | (b1 >> 4)];
        out[o++] = i + 1 < n ? b64chars[((b1 & 15) << 2) | (b2 >> 6)] : '=';
        out[o++] = i + 2 < n ? b64chars[b2 & 63] : '=';
    }
    out[o] = '\0';
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64chars, c) : NULL;
    return p ? (int)(p - b64chars) : -1;
}

bool cursor_decode(const char *s, int64_t *v)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n % 4 || n > 28)
        return false;
    char digits[24];
    size_t d = 0;
    for (size_t i = 0; i < n; i += 4) {
        int q[4];
        for (int k = 0; k < 4; k++)
            q[k] = s[i + k] == '=' && i + 4 == n && k >= 2 ? 0 : b64_value(s[i + k]);
        if (q[0] < 0 || q[1] < 0 || q[2] < 0 || q[3] < 0)
            return false;
        unsigned bits = (unsigned)(q[0] << 18 | q[1] << 12 | q[2] << 6 | q[3]);
        digits[d++] = (char)(bits >> 16);
        if (s[i + 2] != '=')
            digits[d++] = (char)(bits >> 8 & 255);
        if (s[i + 3] != '=')
            digits[d++] = (char)(bits & 255);
    }
    digits[d] = '\0';
    for (size_t i = 0; i < d; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return false;
    return str_to_i64(digits, v);
}

void uuid_v4(char out[37])
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static fh_rng rng;
    static bool seeded;
    uint64_t a, b;
    pthread_mutex_lock(&lock);
    if (!seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        rng = rng_stream((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20), (uint64_t)getpid());
        seeded = true;
    }
    a = rng_next(&rng);
    b = rng_next(&rng);
    pthread_mutex_unlock(&lock);
    a = (a & 0xffffffffffff0fffULL) | 0x4000ULL;              /* version 4 */
    b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  /* variant 1 */
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx",
             (unsigned)(a >> 32), (unsigned)(a >> 16 & 0xffff), (unsigned)(a & 0xffff),
             (unsigned)(b >> 48), (unsigned long long)(b & 0xffffffffffffULL));
}
