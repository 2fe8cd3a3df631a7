/* filtercheck.c — the syntax of a `/` filter. */
#include "filtercheck.h"

#include <stdio.h>

#include "filter.h"

bool filtercheck(const char *text, int *col, char *msg, size_t msglen)
{
    filter *f = NULL;
    ht_error err;
    *col = 0;
    if (filter_parse(text, &f, &err, col) != HT_OK) {
        snprintf(msg, msglen, "%s", err.message);
        return false;
    }
    filter_free(f);
    return true;
}
