/* util.h — small shared helpers: allocation, growable strings, time.
 *
 * Everything in hubtui (and fakehub) sits on these. Allocation failure is
 * treated as fatal: a CRM browser that runs out of memory has no sensible
 * way to continue, and checking every strdup hides the real error paths. */
#ifndef HUBTUI_UTIL_H
#define HUBTUI_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocate or die with a message on stderr. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a freshly allocated string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable, always NUL-terminated byte buffer. Zero-initialise to use. */
typedef struct strbuf {
    char  *buf;
    size_t len;
    size_t cap;
} strbuf;

void strbuf_grow(strbuf *sb, size_t extra);
void strbuf_append(strbuf *sb, const char *data, size_t n);
void strbuf_puts(strbuf *sb, const char *s);
void strbuf_putc(strbuf *sb, char c);
void strbuf_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(strbuf *sb);
/* Hand the buffer to the caller (never NULL) and reset sb. */
char *strbuf_detach(strbuf *sb);
void strbuf_free(strbuf *sb);
/* FNV-1a of a string, for small open-addressing tables of names. */
size_t str_hash(const char *s);
/* Append s percent-encoded for a URL path segment or query value. */
void http_escape(strbuf *sb, const char *s);

struct ht_error;
/* A whole file as a string (caller frees; "" when empty), or NULL with err
 * set: HT_NOT_FOUND when it does not exist, HT_IO when it cannot be read. */
char *file_read_text(const char *path, struct ht_error *err);
/* The contents, "" when nothing was appended yet. */
const char *strbuf_str(const strbuf *sb);

/* Wall-clock milliseconds since the Unix epoch. */
int64_t time_now_ms(void);
/* Monotonic milliseconds, for timeouts and rate windows. */
int64_t time_mono_ms(void);
/* Format epoch ms as ISO-8601 UTC with milliseconds: 2024-05-01T09:00:00.120Z.
 * out must hold 32 bytes. */
void time_format_iso(int64_t epoch_ms, char out[32]);
/* Parse ISO-8601 (date, or date-time with optional fraction and Z or
 * +hh:mm offset) or a plain integer of epoch ms. Returns false on junk. */
bool time_parse(const char *s, int64_t *epoch_ms);
/* Parse exactly YYYY-MM-DD into epoch ms at midnight UTC. */
bool time_parse_date(const char *s, int64_t *epoch_ms);

/* Percent-decode n bytes of a URL part (invalid escapes stay as they
 * are); with form, '+' is a space (query strings and form bodies). */
char *url_decode(const char *s, size_t n, bool form);

/* Decode one UTF-8 character from s (n > 0 bytes available): the bytes it
 * takes (1..4) and its code point, or 0 for an invalid, overlong,
 * surrogate or truncated sequence. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Are the n bytes of s well-formed UTF-8? (ASCII runs are checked eight
 * bytes at a time: it runs over every page a backfill reads.) */
bool utf8_valid(const char *s, size_t n);

/* Run the calling thread (and the threads it starts) at a lower priority
 * than the one that reads keys: background work then waits for a busy CPU,
 * the user does not. Returns false when the system refused (harmless). */
bool thread_lower_priority(void);

/* True when s is NULL or "". */
static inline bool str_empty(const char *s) { return !s || !*s; }
/* strcmp that treats NULL as "". */
int str_cmp0(const char *a, const char *b);
/* Does s start with prefix? */
bool str_starts_with(const char *s, const char *prefix);
/* Parse a base-10 int64 with no trailing junk. */
bool str_to_i64(const char *s, int64_t *out);
/* Parse a finite decimal number with no trailing junk. */
bool str_to_double(const char *s, double *out);
/* The text of an HTML fragment (a note's body, an html property): tags
 * dropped (a space where one stood between words), the common entities
 * decoded, runs of white space made one space. Appends to out. */
void text_strip_html(const char *html, strbuf *out);
/* Overwrite a secret (token, password) with zeros and free it. NULL is fine. */
void str_free_secret(char *s);

#endif
