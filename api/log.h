/* log.h — a debug log that never leaks credentials.
 *
 * Off unless opened (HUBTUI_LOG=path or --log path). Every line passes
 * through the redactor: Authorization headers, Bearer tokens, HubSpot
 * private-app tokens, refresh tokens and client secrets are masked, and
 * any secret registered with log_add_secret() is masked wherever it appears. */
#ifndef HUBTUI_LOG_H
#define HUBTUI_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

/* Open the log file (mode 0600, appended). Returns false with errno set. */
bool log_open(const char *path, log_level min_level);
void log_close(void);
bool log_enabled(log_level level);
/* Remember a secret so it is masked in every later line (copied). */
void log_add_secret(const char *secret);
/* Forget every registered secret (and free them). */
void log_clear_secrets(void);

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Mask credentials in s, in place; the string never grows. */
void log_redact_inplace(char *s);

#endif
