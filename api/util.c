#include "util.h"

#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

static void die_oom(size_t n)
{
    fprintf(stderr, "hubtui: out of memory (%zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_oom(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        die_oom(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die_oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s ? s : "", s ? strlen(s) : 0);
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    return strbuf_detach(&sb);
}

void strbuf_grow(strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    sb->buf = xrealloc(sb->buf, cap);
    sb->cap = cap;
    sb->buf[sb->len] = '\0'; /* a fresh buffer must read as "" too */
}

void strbuf_append(strbuf *sb, const char *data, size_t n)
{
    strbuf_grow(sb, n);
    if (n)
        memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void strbuf_puts(strbuf *sb, const char *s)
{
    strbuf_append(sb, s, strlen(s));
}

void strbuf_putc(strbuf *sb, char c)
{
    strbuf_append(sb, &c, 1);
}

void strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    /* Try the spare room first; grow and retry only when it did not fit. */
    strbuf_grow(sb, 64);
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = sb->cap - sb->len;
    int n = vsnprintf(sb->buf + sb->len, room, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        sb->buf[sb->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        strbuf_grow(sb, (size_t)n);
        vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    }
    sb->len += (size_t)n;
}

void strbuf_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
}

void strbuf_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

char *strbuf_detach(strbuf *sb)
{
    char *p = sb->buf ? sb->buf : xstrdup("");
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return p;
}

void strbuf_free(strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

size_t str_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

void http_escape(strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool unreserved = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                          (*p >= '0' && *p <= '9');
        if (unreserved || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            strbuf_putc(sb, (char)*p);
        } else {
            strbuf_putc(sb, '%');
            strbuf_putc(sb, hex[*p >> 4]);
            strbuf_putc(sb, hex[*p & 15]);
        }
    }
}

char *file_read_text(const char *path, ht_error *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        ht_error_set(err, errno == ENOENT ? HT_NOT_FOUND : HT_IO, "%s: %s", path,
                     strerror(errno));
        return NULL;
    }
    strbuf sb = {0};
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        strbuf_append(&sb, chunk, n);
    bool failed = ferror(fp);
    fclose(fp);
    if (failed) {
        strbuf_free(&sb);
        ht_error_set(err, HT_IO, "%s: read error", path);
        return NULL;
    }
    return strbuf_detach(&sb);
}

const char *strbuf_str(const strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
 * algorithm), so we never depend on the process time zone. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

void time_format_iso(int64_t ms, char out[32])
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    /* A roomy scratch buffer keeps -Wformat-truncation quiet for absurd years. */
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, mo, d,
             (int)(rem / 3600000), (int)(rem / 60000 % 60),
             (int)(rem / 1000 % 60), (int)(rem % 1000));
    size_t n = strnlen(tmp, 31);
    memcpy(out, tmp, n);
    out[n] = '\0';
}

static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool parse_ymd(const char **p, int64_t *days)
{
    int y, m, d;
    if (!read_digits(p, 4, &y) || **p != '-')
        return false;
    (*p)++;
    if (!read_digits(p, 2, &m) || **p != '-')
        return false;
    (*p)++;
    if (!read_digits(p, 2, &d))
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return false;
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

bool time_parse_date(const char *s, int64_t *epoch_ms)
{
    int64_t days;
    const char *p = s;
    if (!s || !parse_ymd(&p, &days) || *p)
        return false;
    *epoch_ms = days * 86400000;
    return true;
}

bool time_parse(const char *s, int64_t *epoch_ms)
{
    if (str_empty(s))
        return false;
    if (str_to_i64(s, epoch_ms))
        return true;
    const char *p = s;
    int64_t days;
    if (!parse_ymd(&p, &days))
        return false;
    int64_t ms = days * 86400000;
    if (*p == '\0') {
        *epoch_ms = ms;
        return true;
    }
    if (*p != 'T' && *p != ' ')
        return false;
    p++;
    int hh, mm, ss = 0;
    if (!read_digits(&p, 2, &hh) || *p++ != ':' || !read_digits(&p, 2, &mm))
        return false;
    if (*p == ':') {
        p++;
        if (!read_digits(&p, 2, &ss))
            return false;
    }
    if (hh > 23 || mm > 59 || ss > 60)
        return false;
    int frac = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        while (*p >= '0' && *p <= '9') {
            if (digits < 3)
                frac = frac * 10 + (*p - '0');
            digits++;
            p++;
        }
        if (digits == 0)
            return false;
        for (; digits < 3; digits++)
            frac *= 10;
    }
    ms += (int64_t)hh * 3600000 + (int64_t)mm * 60000 + (int64_t)ss * 1000 + frac;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '+' ? 1 : -1, oh, om = 0;
        if (!read_digits(&p, 2, &oh))
            return false;
        if (*p == ':')
            p++;
        if (*p && !read_digits(&p, 2, &om))
            return false;
        ms -= sign * ((int64_t)oh * 3600000 + (int64_t)om * 60000);
    }
    if (*p)
        return false;
    *epoch_ms = ms;
    return true;
}

int str_cmp0(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

bool str_starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_to_i64(const char *s, int64_t *out)
{
    if (str_empty(s))
        return false;
    /* Plain digits (every record id, every epoch time) without strtoll's
     * locale and sign handling: a backfill parses two million of them. */
    int64_t fast = 0;
    size_t n = 0;
    while (n < 18 && s[n] >= '0' && s[n] <= '9')
        fast = fast * 10 + (s[n++] - '0');
    if (s[n] == '\0') {
        *out = fast;
        return true;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool str_to_double(const char *s, double *out)
{
    if (str_empty(s))
        return false;
    /* strtod accepts hex, inf and nan; HubSpot numbers are plain decimals. */
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789+-.eE", *p))
            return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

void str_free_secret(char *s)
{
    if (!s)
        return;
    /* explicit_bzero: a plain memset before free may be optimised away. */
    explicit_bzero(s, strlen(s));
    free(s);
}

void text_strip_html(const char *html, strbuf *out)
{
    static const struct {
        const char *ent;
        char ch;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
                {"&#39;", '\''}, {"&nbsp;", ' '}};
    bool space = false;
    for (const char *p = html; *p;) {
        if (*p == '<') {
            const char *end = strchr(p, '>');
            if (!end)
                break;
            /* Block tags separate words. */
            if (!space && out->len)
                strbuf_putc(out, ' '), space = true;
            p = end + 1;
            continue;
        }
        if (*p == '&') {
            size_t i = 0;
            for (; i < ARRAY_SIZE(ents); i++)
                if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
                    break;
            if (i < ARRAY_SIZE(ents)) {
                strbuf_putc(out, ents[i].ch);
                p += strlen(ents[i].ent);
                space = ents[i].ch == ' ';
                continue;
            }
        }
        bool ws = isspace((unsigned char)*p);
        if (!(ws && space))
            strbuf_putc(out, ws ? ' ' : *p);
        space = ws;
        p++;
    }
    while (out->len && out->buf[out->len - 1] == ' ')
        out->buf[--out->len] = '\0';
}

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    uint32_t v, min;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

bool utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint64_t w;
        if (i + 8 <= n && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ull) == 0)) {
            i += 8;
            continue;
        }
        uint32_t cp;
        size_t len = utf8_decode(s + i, n - i, &cp);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

bool thread_lower_priority(void)
{
    /* Linux keeps a nice value per thread: this one's id names just it. */
    return setpriority(PRIO_PROCESS, (id_t)gettid(), 5) == 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *url_decode(const char *s, size_t n, bool form)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hex_digit(s[i + 1])) >= 0 &&
            (lo = hex_digit(s[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = form && s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    return out;
}
