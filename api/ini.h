/* ini.h — a small reader for the INI-like files hubtui uses (config, themes,
 * keymaps): `[section]` or `[section name]` headers, `key = value` lines,
 * comments starting with '#' or ';' (also after a value, when preceded by
 * whitespace; an inline '#' must be followed by whitespace too, so "#5fafd7"
 * stays a value), surrounding whitespace trimmed, optional "double quotes"
 * around a value to keep leading/trailing spaces or ';' '#'.
 *
 * The parser never stops at the first mistake: a bad line is reported to the
 * callback's caller through on_error with its line number and the rest of
 * the file still loads. */
#ifndef HUBTUI_INI_H
#define HUBTUI_INI_H

#include <stdbool.h>
#include <stddef.h>
#include "error.h"

typedef struct ini_handler {
    /* One key/value; section is "" before any header. Return false and fill
     * why (a short reason) to report the line as an error. */
    bool (*on_value)(void *ud, const char *section, const char *key,
                     const char *value, int line, char *why, size_t whylen);
    /* A syntax error or a value refused by on_value. May be NULL. */
    void (*on_error)(void *ud, const char *source, int line, const char *why);
    void *ud;
    /* A section header, even of a section without keys. May be NULL. */
    void (*on_section)(void *ud, const char *section, int line);
} ini_handler;

/* Parse text; source names it in error reports. Returns the number of lines
 * reported as errors (0 = clean). */
int ini_parse_string(const char *text, const char *source, const ini_handler *h);
/* Parse a file. Returns -1 with err filled when it cannot be read,
 * otherwise the number of lines reported as errors. */
int ini_parse_file(const char *path, const ini_handler *h, ht_error *err);

#endif
