/* markset.c — marked records as an open-addressing hash set of ids. */
#include "markset.h"

#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "util.h"

#define EMPTY INT64_MIN

static size_t slot_of(const markset *m, int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 17) & (m->cap - 1);
}

static size_t find(const markset *m, int64_t id)
{
    size_t i = slot_of(m, id);
    while (m->slots[i] != EMPTY && m->slots[i] != id)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void grow(markset *m)
{
    size_t old_cap = m->cap;
    int64_t *old = m->slots;
    m->cap = old_cap ? old_cap * 2 : 64;
    m->slots = xmalloc(m->cap * sizeof *m->slots);
    for (size_t i = 0; i < m->cap; i++)
        m->slots[i] = EMPTY;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i] != EMPTY)
            m->slots[find(m, old[i])] = old[i];
    free(old);
}

static bool parse(const char *id, int64_t *out)
{
    return id && records_parse_id(id, out) && *out != EMPTY;
}

bool markset_has(const markset *m, const char *id)
{
    int64_t v;
    if (!m->n || !parse(id, &v))
        return false;
    return m->slots[find(m, v)] == v;
}

bool markset_add(markset *m, const char *id)
{
    int64_t v;
    if (!parse(id, &v))
        return false;
    if ((m->n + 1) * 4 > m->cap * 3)
        grow(m);
    size_t i = find(m, v);
    if (m->slots[i] == v)
        return false;
    m->slots[i] = v;
    m->n++;
    return true;
}

bool markset_remove(markset *m, const char *id)
{
    int64_t v;
    if (!m->n || !parse(id, &v))
        return false;
    size_t i = find(m, v);
    if (m->slots[i] != v)
        return false;
    /* Backward-shift deletion keeps every probe chain unbroken. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & (m->cap - 1);
        if (m->slots[j] == EMPTY)
            break;
        size_t home = slot_of(m, m->slots[j]);
        bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i] = EMPTY;
    m->n--;
    return true;
}

bool markset_toggle(markset *m, const char *id)
{
    if (markset_remove(m, id))
        return false;
    return markset_add(m, id);
}

size_t markset_count(const markset *m)
{
    return m->n;
}

void markset_clear(markset *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

char (*markset_ids(const markset *m, size_t *n))[32]
{
    int64_t *v = xcalloc(m->n + 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i] != EMPTY)
            v[k++] = m->slots[i];
    qsort(v, k, sizeof *v, cmp_i64);
    char (*out)[32] = xcalloc(k + 1, sizeof *out);
    for (size_t i = 0; i < k; i++)
        records_format_id(v[i], out[i]);
    free(v);
    *n = k;
    return out;
}
