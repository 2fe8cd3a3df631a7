#include "diag.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>

static void push(diag_list *d, char *item)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->items = xrealloc(d->items, d->cap * sizeof *d->items);
    }
    d->items[d->n++] = item;
}

void diag_add(diag_list *d, const char *source, int line, const char *fmt, ...)
{
    if (!d)
        return;
    strbuf sb = {0};
    if (source && line > 0)
        strbuf_printf(&sb, "%s:%d: ", source, line);
    else if (source)
        strbuf_printf(&sb, "%s: ", source);
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    push(d, strbuf_detach(&sb));
}

void diag_take(diag_list *dst, diag_list *src)
{
    for (size_t i = 0; i < src->n; i++)
        push(dst, src->items[i]);
    free(src->items);
    src->items = NULL;
    src->n = src->cap = 0;
}

void diag_clear(diag_list *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->items[i]);
    free(d->items);
    d->items = NULL;
    d->n = d->cap = 0;
}
