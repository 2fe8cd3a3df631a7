#include "log.h"
#include "util.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The log is process-wide by nature (curl callbacks and worker threads all
 * write to it), so it is the one piece of global state besides the app. */
static struct {
    pthread_mutex_t lock;
    FILE *fp;
    log_level min;
    char **secrets;
    size_t nsecrets;
} g_log = {PTHREAD_MUTEX_INITIALIZER, NULL, LOG_INFO, NULL, 0};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

bool log_open(const char *path, log_level min_level)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    FILE *fp = fdopen(fd, "a");
    if (!fp) {
        close(fd);
        return false;
    }
    setvbuf(fp, NULL, _IOLBF, 0);
    pthread_mutex_lock(&g_log.lock);
    if (g_log.fp)
        fclose(g_log.fp);
    g_log.fp = fp;
    g_log.min = min_level;
    pthread_mutex_unlock(&g_log.lock);
    return true;
}

void log_close(void)
{
    pthread_mutex_lock(&g_log.lock);
    if (g_log.fp)
        fclose(g_log.fp);
    g_log.fp = NULL;
    pthread_mutex_unlock(&g_log.lock);
    log_clear_secrets();
}

bool log_enabled(log_level level)
{
    return g_log.fp && level >= g_log.min;
}

void log_add_secret(const char *secret)
{
    if (str_empty(secret) || strlen(secret) < 4)
        return;
    pthread_mutex_lock(&g_log.lock);
    for (size_t i = 0; i < g_log.nsecrets; i++) {
        if (strcmp(g_log.secrets[i], secret) == 0) {
            pthread_mutex_unlock(&g_log.lock);
            return;
        }
    }
    g_log.secrets = xrealloc(g_log.secrets, (g_log.nsecrets + 1) * sizeof *g_log.secrets);
    g_log.secrets[g_log.nsecrets++] = xstrdup(secret);
    pthread_mutex_unlock(&g_log.lock);
}

void log_clear_secrets(void)
{
    pthread_mutex_lock(&g_log.lock);
    for (size_t i = 0; i < g_log.nsecrets; i++) {
        /* Wipe before free: the heap may be dumped in a crash report. */
        memset(g_log.secrets[i], 0, strlen(g_log.secrets[i]));
        free(g_log.secrets[i]);
    }
    free(g_log.secrets);
    g_log.secrets = NULL;
    g_log.nsecrets = 0;
    pthread_mutex_unlock(&g_log.lock);
}

#define MASK "***"

/* Replace s[start, end) with MASK, shifting the tail left. Returns the index
 * just after the mask. */
static size_t mask_span(char *s, size_t start, size_t end)
{
    size_t masklen = strlen(MASK);
    if (end - start < masklen) {
        memset(s + start, '*', end - start);
        return end;
    }
    memcpy(s + start, MASK, masklen);
    memmove(s + start + masklen, s + end, strlen(s + end) + 1);
    return start + masklen;
}

static bool is_token_char(char c)
{
    return isalnum((unsigned char)c) || strchr("-_.~+/=%:", c);
}

static size_t token_end(const char *s, size_t i)
{
    while (s[i] && is_token_char(s[i]))
        i++;
    return i;
}

/* Mask the value following every occurrence of key (case-insensitive).
 * With need_assign, only when a ':' or '=' separates key and value, so prose
 * that names a variable ("set HUBSPOT_ACCESS_TOKEN or ...") stays readable. */
static void mask_after(char *s, const char *key, bool to_eol, bool need_assign)
{
    size_t klen = strlen(key);
    for (size_t i = 0; s[i];) {
        if (strncasecmp(s + i, key, klen) != 0) {
            i++;
            continue;
        }
        size_t start = i + klen;
        bool assigned = false;
        while (s[start] == ' ' || s[start] == '"' || s[start] == ':' || s[start] == '=') {
            assigned |= s[start] == ':' || s[start] == '=';
            start++;
        }
        if (need_assign && !assigned) {
            i = start > i + klen ? start : i + klen;
            continue;
        }
        size_t end = start;
        if (to_eol) {
            while (s[end] && s[end] != '\r' && s[end] != '\n' && s[end] != '"')
                end++;
        } else {
            end = token_end(s, start);
        }
        if (end > start && strncmp(s + start, MASK, strlen(MASK)) != 0)
            i = mask_span(s, start, end);
        else
            i = start > i ? start : i + 1;
    }
}

void log_redact_inplace(char *s)
{
    if (!s)
        return;
    mask_after(s, "authorization", true, false);
    mask_after(s, "bearer ", false, false);
    mask_after(s, "access_token", false, true);
    mask_after(s, "refresh_token", false, true);
    mask_after(s, "client_secret", false, true);
    mask_after(s, "token=", false, false);
    /* Private-app tokens look like pat-na1-<uuid>; mask wherever they are. */
    for (size_t i = 0; s[i]; i++) {
        if (strncmp(s + i, "pat-", 4) == 0 && isalpha((unsigned char)s[i + 4]))
            mask_span(s, i, token_end(s, i));
    }
    pthread_mutex_lock(&g_log.lock);
    for (size_t k = 0; k < g_log.nsecrets; k++) {
        const char *sec = g_log.secrets[k];
        size_t n = strlen(sec);
        char *hit;
        while ((hit = strstr(s, sec)) != NULL)
            mask_span(s, (size_t)(hit - s), (size_t)(hit - s) + n);
    }
    pthread_mutex_unlock(&g_log.lock);
}

void log_msg(log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    strbuf sb = {0};
    char ts[32];
    time_format_iso(time_now_ms(), ts);
    strbuf_printf(&sb, "%s %-5s ", ts, level_names[level]);
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    char *line = strbuf_detach(&sb);
    log_redact_inplace(line);
    pthread_mutex_lock(&g_log.lock);
    if (g_log.fp)
        fprintf(g_log.fp, "%s\n", line);
    pthread_mutex_unlock(&g_log.lock);
    free(line);
}
