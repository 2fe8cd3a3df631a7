/* sync_page.c — see sync_page.h. */
#include "sync_page.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- the reader: property names to columns -------------------------------------- */

struct page_reader {
    char   **props;
    size_t   nprops;
    ssize_t  lastmod_col;
    ssize_t  merged_col;
    /* property name -> column, open addressing: a record's properties are
     * looked up by the name the page gives, a hundred times a page */
    int     *slots;         /* column + 1, 0 = empty */
    size_t   mask;
};

static ssize_t reader_column(const page_reader *r, const char *name)
{
    for (size_t i = str_hash(name) & r->mask;; i = (i + 1) & r->mask) {
        int c = r->slots[i];
        if (c == 0)
            return -1;
        if (strcmp(r->props[c - 1], name) == 0)
            return c - 1;
    }
}

page_reader *page_reader_new(const char *const *props, size_t nprops, const char *lastmod)
{
    page_reader *r = xcalloc(1, sizeof *r);
    r->props = xcalloc(nprops + 1, sizeof *r->props);
    size_t size = 16;
    while (size < nprops * 2)
        size *= 2;
    r->slots = xcalloc(size, sizeof *r->slots);
    r->mask = size - 1;
    for (size_t k = 0; k < nprops; k++) {
        if (reader_column(r, props[k]) >= 0)
            continue;   /* a name twice: the first column serves */
        size_t i = str_hash(props[k]) & r->mask;
        while (r->slots[i])
            i = (i + 1) & r->mask;
        r->props[r->nprops] = xstrdup(props[k]);
        r->slots[i] = (int)++r->nprops;
    }
    r->lastmod_col = lastmod ? reader_column(r, lastmod) : -1;
    r->merged_col = reader_column(r, "hs_merged_object_ids");
    return r;
}

void page_reader_free(page_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nprops; i++)
        free(r->props[i]);
    free(r->props);
    free(r->slots);
    free(r);
}

/* ---- where a page's tree lives ------------------------------------------------------ */

/* cJSON allocates every node and string of a page separately; freeing a
 * page's few thousand of them on the writer thread cost as much as parsing
 * them, and the heap's growing and shrinking made the kernel zero fresh
 * pages over and over. So while page_read runs, cJSON allocates from
 * blocks that belong to the page (this thread's `reading`), frees nothing,
 * and releasing the page resets them for the next one. Outside page_read
 * cJSON (used nowhere else here) gets plain malloc and free. */
typedef struct page_block {
    struct page_block *next;
    size_t             size, used;
    _Alignas(max_align_t) unsigned char mem[];
} page_block;

static _Thread_local record_page *reading;

static void *page_alloc(size_t n)
{
    record_page *pg = reading;
    if (!pg)
        return malloc(n);
    n = (n + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
    page_block *b = pg->blocks;
    if (!b || b->size - b->used < n) {
        size_t size = pg->block_size ? pg->block_size : 64 * 1024;
        if (size < n)
            size = n;
        b = xmalloc(sizeof *b + size);
        b->size = size;
        b->used = 0;
        b->next = pg->blocks;
        pg->blocks = b;
        pg->block_size = size * 2;   /* a bigger page: fewer blocks next time */
    }
    void *p = b->mem + b->used;
    b->used += n;
    return p;
}

static void page_free_nothing(void *p)
{
    if (!reading)
        free(p);
}

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void install_hooks(void)
{
    cJSON_Hooks hooks = {.malloc_fn = page_alloc, .free_fn = page_free_nothing};
    cJSON_InitHooks(&hooks);
}

/* Keep one block, sized for everything the last page needed (and not
 * much more: one page of huge values must not pin its memory for good). */
static void page_blocks_reset(record_page *pg)
{
    size_t total = 0;
    page_block *keep = pg->blocks;
    for (page_block *b = pg->blocks; b; b = b->next)
        total += b->used;
    /* (A second reset of the same page sees nothing used: no verdict.) */
    bool oversized = keep && total > 0 && keep->size > (1u << 20) && total < keep->size / 4;
    if (keep && (keep->next || oversized)) {
        for (page_block *b = pg->blocks; b; b = keep) {
            keep = b->next;
            free(b);
        }
        pg->blocks = NULL;
        pg->block_size = total + total / 4;
    }
    if (pg->blocks)
        pg->blocks->used = 0;
}

/* ---- one page ---------------------------------------------------------------------- */

/* Text for a value that is not a JSON string (HubSpot sends every property
 * as a string, but a number, boolean or nested value must not be lost):
 * cJSON's compact encoding, in the page's blocks. */
static const char *as_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (!v || cJSON_IsNull(v))
        return NULL;
    char *text = cJSON_PrintUnformatted(v);
    if (!text)
        abort();   /* out of memory, as xmalloc treats it */
    return text;
}

static int64_t time_of(const cJSON *v)
{
    int64_t t;
    return cJSON_IsString(v) && time_parse(v->valuestring, &t) ? t : 0;
}

static void grow_records(record_page *pg, size_t need, size_t nprops)
{
    if (need <= pg->cap_records)
        return;
    size_t cap = pg->cap_records ? pg->cap_records * 2 : 128;
    while (cap < need)
        cap *= 2;
    pg->ids = xrealloc(pg->ids, cap * sizeof *pg->ids);
    pg->values = xrealloc(pg->values, (cap * nprops + 1) * sizeof *pg->values);
    pg->created = xrealloc(pg->created, cap * sizeof *pg->created);
    pg->updated = xrealloc(pg->updated, cap * sizeof *pg->updated);
    pg->archived = xrealloc(pg->archived, cap * sizeof *pg->archived);
    pg->merged = xrealloc(pg->merged, cap * sizeof *pg->merged);
    pg->cap_records = cap;
}

/* One element of results into row `row`; NULL on success, else why not.
 * One pass over the record's members and one over its properties: lookups
 * by name in cJSON are linear. */
static const char *one_record(page_reader *r, record_page *pg, size_t row, const cJSON *rec)
{
    if (!cJSON_IsObject(rec))
        return "a result that is not an object";
    const cJSON *id = NULL, *props = NULL, *created = NULL, *updated = NULL, *archived = NULL;
    for (const cJSON *m = rec->child; m; m = m->next) {
        const char *k = m->string;
        if (strcmp(k, "id") == 0)
            id = m;
        else if (strcmp(k, "properties") == 0)
            props = m;
        else if (strcmp(k, "createdAt") == 0)
            created = m;
        else if (strcmp(k, "updatedAt") == 0)
            updated = m;
        else if (strcmp(k, "archived") == 0)
            archived = m;
    }
    if (!cJSON_IsString(id) && !cJSON_IsNumber(id))
        return "a record without an id";
    if (props && !cJSON_IsObject(props) && !cJSON_IsNull(props))
        return "a record whose properties are not an object";
    pg->ids[row] = as_text(id);
    const char **vals = &pg->values[row * r->nprops];
    memset(vals, 0, r->nprops * sizeof *vals);
    /* Only what the walk asked for is kept; the rest of a record is skipped. */
    for (const cJSON *p = cJSON_IsObject(props) ? props->child : NULL; p; p = p->next) {
        ssize_t c = reader_column(r, p->string);
        if (c >= 0)
            vals[c] = as_text(p);
    }
    pg->created[row] = time_of(created);
    pg->updated[row] = time_of(updated);
    pg->archived[row] = cJSON_IsTrue(archived);
    return NULL;
}

void record_page_release(record_page *pg)
{
    pg->doc = NULL;   /* it lives in the blocks */
    page_blocks_reset(pg);
    memset(&pg->batch, 0, sizeof pg->batch);
    pg->next_after = NULL;
    pg->max_lastmod = 0;
}

static void finish_page(page_reader *r, record_page *pg)
{
    record_batch *b = &pg->batch;
    b->props = (const char *const *)r->props;
    b->nprops = r->nprops;
    b->ids = pg->ids;
    b->values = pg->values;
    b->created_ms = pg->created;
    b->updated_ms = pg->updated;
    b->archived = pg->archived;
    for (size_t row = 0; row < b->nrecords; row++) {
        int64_t v = pg->updated[row];
        const char *lm = r->lastmod_col >= 0 ? pg->values[row * r->nprops +
                                                          (size_t)r->lastmod_col] : NULL;
        int64_t t;
        if (lm && time_parse(lm, &t))
            v = t;
        if (v > pg->max_lastmod)
            pg->max_lastmod = v;
        pg->merged[row] = r->merged_col >= 0 ? pg->values[row * r->nprops +
                                                          (size_t)r->merged_col] : NULL;
    }
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

ht_status page_read(page_reader *r, const char *body, size_t len, record_page *pg,
                    ht_error *err)
{
    pthread_once(&hooks_once, install_hooks);
    record_page_release(pg);
    const char *why = NULL;
    const char *end = NULL;
    /* cJSON takes bytes as they come; the cache holds only UTF-8 (what
     * jansson, everywhere else, insists on). */
    bool utf8 = body && utf8_valid(body, len);
    reading = pg;
    pg->doc = utf8 ? cJSON_ParseWithLengthOpts(body, len, &end, false) : NULL;
    const cJSON *results = member(pg->doc, "results");
    if (body && !utf8)
        why = "text that is not UTF-8";
    else if (!pg->doc)
        why = "not JSON";
    else if (!cJSON_IsObject(pg->doc))
        why = "the page is not an object";
    else if (results && !cJSON_IsArray(results))
        why = "results is not an array";
    else
        for (const char *p = end; p < body + len; p++)
            if (!is_space(*p)) {
                why = "text after the JSON value";
                break;
            }
    size_t row = 0;
    for (const cJSON *rec = results ? results->child : NULL; !why && rec; rec = rec->next) {
        grow_records(pg, row + 1, r->nprops);
        why = one_record(r, pg, row++, rec);
    }
    reading = NULL;
    if (why) {
        record_page_release(pg);
        return ht_error_set(err, HT_PARSE, "HubSpot sent a malformed page: %s", why);
    }
    grow_records(pg, 1, r->nprops);
    pg->batch.nrecords = row;
    const cJSON *after = member(member(member(pg->doc, "paging"), "next"), "after");
    if (cJSON_IsString(after) && *after->valuestring)
        pg->next_after = after->valuestring;
    finish_page(r, pg);
    return HT_OK;
}

bool page_peek_next(const char *body, size_t len, char **after)
{
    *after = NULL;
    static const char key[] = "\"paging\"";
    const size_t klen = sizeof key - 1;
    /* Only the end is looked at: the paging member is a few hundred bytes. */
    size_t lo = len > 4096 ? len - 4096 : 0;
    if (!body || len < klen)
        return false;
    /* The last "paging" token: in valid JSON that byte sequence is always
     * a whole string (quotes inside strings are escaped). */
    const char *k = NULL;
    for (size_t i = len - klen + 1; i-- > lo;)
        if (body[i] == '"' && memcmp(body + i, key, klen) == 0) {
            k = body + i;
            break;
        }
    if (!k)
        return false;
    const char *p = k + klen, *end = body + len;
    while (p < end && is_space(*p))
        p++;
    if (p == end || *p != ':')
        return false;
    p++;
    pthread_once(&hooks_once, install_hooks);
    const char *vend = NULL;
    cJSON *paging = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &vend, false);
    if (!paging)
        return false;
    /* It must be the last member of the outermost object: one closing
     * brace, then nothing. */
    const char *q = vend;
    while (q < end && is_space(*q))
        q++;
    bool last = q < end && *q == '}';
    for (q++; last && q < end; q++)
        last = is_space(*q);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(paging, "next"), "after");
    if (last && cJSON_IsString(a) && *a->valuestring)
        *after = xstrdup(a->valuestring);
    cJSON_Delete(paging);
    return *after != NULL;
}

void record_page_clear(record_page *pg)
{
    record_page_release(pg);
    for (page_block *b = pg->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(pg->ids);
    free(pg->values);
    free(pg->created);
    free(pg->updated);
    free(pg->archived);
    free(pg->merged);
    memset(pg, 0, sizeof *pg);
}
