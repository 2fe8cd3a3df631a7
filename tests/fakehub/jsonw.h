/* jsonw.h — hand-rolled JSON output into a strbuf, for the hot paths.
 *
 * Records are serialised thousands of times a second; building jansson
 * trees for them would cost more than the database work. These helpers
 * write valid JSON directly; callers are responsible for commas. */
#ifndef FAKEHUB_JSONW_H
#define FAKEHUB_JSONW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* A JSON string literal of n bytes of UTF-8 (escaped as needed). */
void jw_strn(strbuf *sb, const char *s, size_t n);
/* A JSON string literal; NULL writes null. */
void jw_str(strbuf *sb, const char *s);
/* "key": (escaped key, then a colon). */
void jw_key(strbuf *sb, const char *key);
/* A bare integer. */
void jw_i64(strbuf *sb, int64_t v);
/* An integer as a JSON string: "123". */
void jw_i64str(strbuf *sb, int64_t v);
/* An ISO-8601 UTC date-time string with milliseconds: "2024-05-01T09:00:00.120Z". */
void jw_iso(strbuf *sb, int64_t epoch_ms);
/* Append a jansson value (compact). */
void jw_json(strbuf *sb, const json_t *j);

/* ISO-8601 UTC with milliseconds ("2024-05-01T09:00:00.120Z") into out
 * (32 bytes), like time_format_iso but without printf: this runs for every
 * timestamp of every record served. Returns the length. */
size_t fmt_iso(int64_t epoch_ms, char out[32]);
/* Decimal digits of v into out (at least 21 bytes); returns the length. */
size_t fmt_i64(int64_t v, char *out);

/* Standard base64 with padding of the decimal text of v (opaque paging
 * cursors, as HubSpot's look: "NTE=" for 51). out holds 32 bytes. */
void cursor_encode(int64_t v, char out[32]);
/* Reverse of cursor_encode; false when s is not such a cursor. */
bool cursor_decode(const char *s, int64_t *v);

/* A random version-4 UUID (thread-safe), for correlationIds. */
void uuid_v4(char out[37]);

#endif
