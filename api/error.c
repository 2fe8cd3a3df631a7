#include "error.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[] = {
#define HT_STATUS_DESC(name, desc) desc,
    HT_STATUS_LIST(HT_STATUS_DESC)
#undef HT_STATUS_DESC
};

const char *ht_status_str(ht_status st)
{
    if ((unsigned)st >= HT_STATUS_COUNT)
        return "unknown error";
    return status_names[st];
}

void ht_error_clear(ht_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

ht_status ht_error_set(ht_error *err, ht_status st, const char *fmt, ...)
{
    if (!err)
        return st;
    ht_error_clear(err);
    err->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    log_redact_inplace(err->message);
    return st;
}

void ht_error_copy(ht_error *dst, const ht_error *src)
{
    if (dst && src && dst != src)
        *dst = *src;
}
