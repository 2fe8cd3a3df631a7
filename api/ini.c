#include "ini.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Cut an inline comment: ';' or '#' preceded by whitespace, outside quotes.
 * A '#' must also be followed by whitespace (or end the line), so colour
 * values such as "#5fafd7" are values, not comments. */
static void cut_comment(char *v)
{
    bool quoted = false;
    for (char *p = v; *p; p++) {
        bool hash_comment = *p == '#' && (p[1] == '\0' || isspace((unsigned char)p[1]));
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (*p == ';' || hash_comment) && p > v && isspace((unsigned char)p[-1])) {
            *p = '\0';
            return;
        }
    }
}

static void report(const ini_handler *h, const char *source, int line, const char *why)
{
    if (h->on_error)
        h->on_error(h->ud, source, line, why);
}

int ini_parse_string(const char *text, const char *source, const ini_handler *h)
{
    char *copy = xstrdup(text);
    char section[256] = "";
    int errors = 0, lineno = 0;
    char *save;
    /* strtok_r would skip empty lines and break line numbers; split by hand. */
    for (char *line = copy; line; line = save) {
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close) {
                report(h, source, lineno, "section header without ']'");
                errors++;
                continue;
            }
            *close = '\0';
            char *name = trim(s + 1);
            snprintf(section, sizeof section, "%s", name);
            if (h->on_section)
                h->on_section(h->ud, section, lineno);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            report(h, source, lineno, "expected 'key = value'");
            errors++;
            continue;
        }
        *eq = '\0';
        char *key = trim(s);
        char *val = eq + 1;
        cut_comment(val);
        val = trim(val);
        size_t vl = strlen(val);
        if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
            val[vl - 1] = '\0';
            val++;
        }
        if (*key == '\0') {
            report(h, source, lineno, "empty key");
            errors++;
            continue;
        }
        char why[256] = "";
        if (h->on_value && !h->on_value(h->ud, section, key, val, lineno, why, sizeof why)) {
            report(h, source, lineno, why[0] ? why : "value refused");
            errors++;
        }
    }
    free(copy);
    return errors;
}

int ini_parse_file(const char *path, const ini_handler *h, ht_error *err)
{
    char *text = file_read_text(path, err);
    if (!text)
        return -1;
    int rc = ini_parse_string(text, path, h);
    free(text);
    return rc;
}
