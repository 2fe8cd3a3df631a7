/* sync_page.c — see sync_page.h. One pass, in place, strict. */
#include "sync_page.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_DEPTH 64

/* ---- the reader: property names to columns -------------------------------------- */

struct page_reader {
    char   **props;
    size_t   nprops;
    int32_t *slots;        /* open addressing: column index, -1 empty */
    size_t   mask;
    ssize_t  lastmod_col;
    ssize_t  merged_col;
    int32_t *seq;          /* column of the k-th key of the last record, -1 */
    size_t   pos;          /* keys read of the current record */
};

static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static ssize_t reader_find(const page_reader *r, const char *name, size_t n)
{
    for (size_t i = name_hash(name, n) & r->mask;; i = (i + 1) & r->mask) {
        int32_t c = r->slots[i];
        if (c < 0)
            return -1;
        if (strncmp(r->props[c], name, n) == 0 && r->props[c][n] == '\0')
            return c;
    }
}

page_reader *page_reader_new(const char *const *props, size_t nprops, const char *lastmod)
{
    page_reader *r = xcalloc(1, sizeof *r);
    r->props = xcalloc(nprops + 1, sizeof *r->props);
    size_t nslots = 16;
    while (nslots < nprops * 2 + 2)
        nslots *= 2;
    r->mask = nslots - 1;
    r->slots = xmalloc(nslots * sizeof *r->slots);
    for (size_t i = 0; i < nslots; i++)
        r->slots[i] = -1;
    for (size_t k = 0; k < nprops; k++) {
        if (reader_find(r, props[k], strlen(props[k])) >= 0)
            continue;   /* a name twice: the first column serves */
        r->props[r->nprops] = xstrdup(props[k]);
        size_t i = name_hash(props[k], strlen(props[k])) & r->mask;
        while (r->slots[i] >= 0)
            i = (i + 1) & r->mask;
        r->slots[i] = (int32_t)r->nprops++;
    }
    r->seq = xmalloc((r->nprops + 1) * sizeof *r->seq);
    for (size_t i = 0; i <= r->nprops; i++)
        r->seq[i] = -1;
    r->lastmod_col = lastmod ? reader_find(r, lastmod, strlen(lastmod)) : -1;
    r->merged_col = reader_find(r, "hs_merged_object_ids", 20);
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
    free(r->seq);
    free(r);
}

/* ---- scanning ---------------------------------------------------------------------- */

typedef struct scan {
    char       *p, *end;   /* *end is a NUL we put there */
    ht_error   *err;
    const char *why;
    record_page *page;
} scan;

static bool fail(scan *s, const char *why)
{
    if (!s->why)
        s->why = why;
    return false;
}

static void ws(scan *s)
{
    while (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t')
        s->p++;
}

static bool eat(scan *s, char c)
{
    ws(s);
    if (*s->p != c)
        return fail(s, "unexpected character");
    s->p++;
    return true;
}

/* Length of a valid UTF-8 sequence starting at p (lead byte >= 0x80), 0 if invalid. */
static int utf8_len(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80
             ? 4 : 0;
    }
    return 0;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

static char *put_utf8(char *w, unsigned cp)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xC0 | (cp >> 6));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xE0 | (cp >> 12));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *w++ = (char)(0xF0 | (cp >> 18));
        *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    }
    return w;
}

/* One escape at s->p (just after the backslash); writes its bytes at *w when
 * w is given. */
static bool escape(scan *s, char **w)
{
    char c = *s->p++;
    static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    for (const char *e = simple; *e; e += 2)
        if (c == e[0]) {
            if (w)
                *(*w)++ = e[1];
            return true;
        }
    if (c != 'u')
        return fail(s, "bad escape in a string");
    int cp = hex4(s->p);
    if (cp < 0)
        return fail(s, "bad \\u escape");
    s->p += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        int lo = s->p[0] == '\\' && s->p[1] == 'u' ? hex4(s->p + 2) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(s, "lone surrogate in a string");
        s->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
        return fail(s, "invalid \\u escape");
    }
    if (w)
        *w = put_utf8(*w, (unsigned)cp);
    return true;
}

/* A string at s->p ('"'). With out, unescape it in place and give its start
 * (NUL-terminated); without, only check and skip it. */
/* Bytes a string's fast path stops at: the quote, the backslash, control
 * characters (including our terminating NUL) and the start of UTF-8. */
static const unsigned char stop_byte[256] = {
    [0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

static bool string(scan *s, char **out)
{
    if (*s->p != '"')
        return fail(s, "expected a string");
    char *start = ++s->p, *w = start;
    for (;;) {
        /* Plain ASCII needs no work (and no moving while nothing was unescaped). */
        char *run = s->p;
        while (!stop_byte[(unsigned char)*s->p])
            s->p++;
        if (s->p > run) {
            if (out && w != run)
                memmove(w, run, (size_t)(s->p - run));
            w += s->p - run;
        }
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            s->p++;
            break;
        }
        if (c < 0x20)
            return fail(s, s->p >= s->end ? "unterminated string" : "control character in a string");
        if (c == '\\') {
            s->p++;
            if (!escape(s, out ? &w : NULL))
                return false;
            continue;
        }
        int n = 1;
        if (c >= 0x80 && (n = utf8_len((const unsigned char *)s->p)) == 0)
            return fail(s, "invalid UTF-8");
        if (out && w != s->p)
            memmove(w, s->p, (size_t)n);
        w += n;
        s->p += n;
    }
    if (out) {
        *w = '\0';
        *out = start;
    }
    return true;
}

static bool number(scan *s)
{
    char *p = s->p;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return fail(s, "bad number");
    if (*p == '.') {
        if (!(*++p >= '0' && *p <= '9'))
            return fail(s, "bad number");
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return fail(s, "bad number");
        while (*p >= '0' && *p <= '9')
            p++;
    }
    s->p = p;
    return true;
}

static bool literal(scan *s, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(s->p, word, n) != 0)
        return fail(s, "unexpected word");
    s->p += n;
    return true;
}

/* Check and skip any value, leaving it untouched. */
static bool skip_value(scan *s, int depth)
{
    ws(s);
    if (depth > MAX_DEPTH)
        return fail(s, "nested too deeply");
    switch (*s->p) {
    case '"':
        return string(s, NULL);
    case '{':
    case '[': {
        char close = *s->p == '{' ? '}' : ']';
        bool obj = close == '}';
        s->p++;
        ws(s);
        if (*s->p == close) {
            s->p++;
            return true;
        }
        for (;;) {
            if (obj && (!(ws(s), string(s, NULL)) || !eat(s, ':')))
                return false;
            if (!skip_value(s, depth + 1))
                return false;
            ws(s);
            if (*s->p == ',') {
                s->p++;
                continue;
            }
            if (*s->p == close) {
                s->p++;
                return true;
            }
            return fail(s, obj ? "expected , or } in an object" : "expected , or ] in an array");
        }
    }
    case 't': return literal(s, "true");
    case 'f': return literal(s, "false");
    case 'n': return literal(s, "null");
    default:  return number(s);
    }
}

/* Iterate the members of an object: on each key, fn reads the value. */
typedef bool (*member_fn)(scan *s, const char *key, void *ud);

static bool object(scan *s, member_fn fn, void *ud)
{
    if (!eat(s, '{'))
        return false;
    ws(s);
    if (*s->p == '}') {
        s->p++;
        return true;
    }
    for (;;) {
        char *key;
        ws(s);
        if (!string(s, &key) || !eat(s, ':'))
            return false;
        ws(s);
        if (!fn(s, key, ud))
            return false;
        ws(s);
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == '}') {
            s->p++;
            return true;
        }
        return fail(s, "expected , or } in an object");
    }
}

/* ---- records ------------------------------------------------------------------------ */

static char *keep_copy(record_page *pg, const char *from, size_t n)
{
    /* Rare (numbers, booleans, nested values): one small allocation each,
     * freed with the next page. */
    if (pg->nowned == pg->cap_owned) {
        pg->cap_owned = pg->cap_owned ? pg->cap_owned * 2 : 16;
        pg->owned = xrealloc(pg->owned, pg->cap_owned * sizeof *pg->owned);
    }
    return pg->owned[pg->nowned++] = xstrndup(from, n);
}

typedef struct rec_ctx {
    page_reader *r;
    size_t       row;
} rec_ctx;

/* Records of a page list their properties in the same order: the k-th key
 * of a record is most likely the k-th key of the one before, so try its
 * column before hashing. */
static ssize_t find_column(page_reader *r, const char *key)
{
    size_t k = r->pos++;
    if (k < r->nprops && r->seq[k] >= 0 && strcmp(r->props[r->seq[k]], key) == 0)
        return r->seq[k];
    ssize_t col = reader_find(r, key, strlen(key));
    if (k < r->nprops)
        r->seq[k] = (int32_t)col;
    return col;
}

/* One property value: a string in place; null empty; anything else as text. */
static bool prop_value(scan *s, const char *key, void *ud)
{
    rec_ctx *rc = ud;
    record_page *pg = s->page;
    ssize_t col = find_column(rc->r, key);
    const char **slot = col >= 0 ? &pg->values[rc->row * rc->r->nprops + (size_t)col] : NULL;
    if (*s->p == '"') {
        char *v;
        if (!string(s, slot ? &v : NULL))
            return false;
        if (slot)
            *slot = v;
        return true;
    }
    char *start = s->p;
    if (!skip_value(s, 1))
        return false;
    if (slot && strncmp(start, "null", 4) != 0)
        *slot = keep_copy(pg, start, (size_t)(s->p - start));
    return true;
}

static bool time_value(scan *s, int64_t *out)
{
    if (*s->p != '"')
        return skip_value(s, 1);
    char *v;
    if (!string(s, &v))
        return false;
    if (!time_parse(v, out))
        *out = 0;
    return true;
}

static bool record_member(scan *s, const char *key, void *ud)
{
    rec_ctx *rc = ud;
    record_page *pg = s->page;
    size_t row = rc->row;
    if (strcmp(key, "id") == 0) {
        if (*s->p == '"') {
            char *v;
            if (!string(s, &v))
                return false;
            pg->ids[row] = v;
            return true;
        }
        char *start = s->p;
        if (!number(s) || s->p - start >= 31)
            return fail(s, "a record id is neither a string nor a number");
        memcpy(pg->idbuf[row], start, (size_t)(s->p - start));
        pg->idbuf[row][s->p - start] = '\0';
        pg->ids[row] = pg->idbuf[row];
        return true;
    }
    if (strcmp(key, "properties") == 0) {
        rc->r->pos = 0;
        return *s->p == 'n' ? literal(s, "null") : object(s, prop_value, rc);
    }
    if (strcmp(key, "createdAt") == 0)
        return time_value(s, &pg->created[row]);
    if (strcmp(key, "updatedAt") == 0)
        return time_value(s, &pg->updated[row]);
    if (strcmp(key, "archived") == 0) {
        if (*s->p == 't' && literal(s, "true")) {
            pg->archived[row] = true;
            return true;
        }
        return skip_value(s, 1);
    }
    return skip_value(s, 1);
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
    pg->idbuf = xrealloc(pg->idbuf, cap * sizeof *pg->idbuf);
    pg->merged = xrealloc(pg->merged, cap * sizeof *pg->merged);
    pg->cap_records = cap;
}

static bool one_record(scan *s, page_reader *r)
{
    record_page *pg = s->page;
    size_t row = pg->batch.nrecords;
    grow_records(pg, row + 1, r->nprops);
    pg->ids[row] = NULL;
    pg->created[row] = pg->updated[row] = 0;
    pg->archived[row] = false;
    for (size_t c = 0; c < r->nprops; c++)
        pg->values[row * r->nprops + c] = NULL;
    rec_ctx rc = {r, row};
    if (!object(s, record_member, &rc))
        return false;
    if (!pg->ids[row])
        return fail(s, "a record without an id");
    pg->batch.nrecords++;
    return true;
}

typedef struct page_ctx {
    page_reader *r;
} page_ctx;


static bool next_member(scan *s, const char *key, void *ud)
{
    if (strcmp(key, "after") == 0 && *s->p == '"') {
        char *v;
        if (!string(s, &v))
            return false;
        s->page->next_after = *v ? v : NULL;
        return true;
    }
    return skip_value(s, 1);
}

static bool paging_member(scan *s, const char *key, void *ud)
{
    if (strcmp(key, "next") == 0 && *s->p == '{')
        return object(s, next_member, ud);
    return skip_value(s, 1);
}

static bool page_member(scan *s, const char *key, void *ud)
{
    page_ctx *pc = ud;
    if (strcmp(key, "paging") == 0 && *s->p == '{')
        return object(s, paging_member, ud);
    if (strcmp(key, "results") != 0)
        return skip_value(s, 1);
    if (!eat(s, '['))
        return false;
    ws(s);
    if (*s->p == ']') {
        s->p++;
        return true;
    }
    for (;;) {
        if (!one_record(s, pc->r))
            return false;
        ws(s);
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == ']') {
            s->p++;
            return true;
        }
        return fail(s, "expected , or ] after a record");
    }
}

static void page_reset(record_page *pg)
{
    for (size_t i = 0; i < pg->nowned; i++)
        free(pg->owned[i]);
    pg->nowned = 0;
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

ht_status page_read(page_reader *r, const char *body, size_t len, record_page *pg,
                    ht_error *err)
{
    page_reset(pg);
    if (len + 1 > pg->cap) {
        pg->cap = len + 1 > pg->cap * 2 ? len + 1 : pg->cap * 2;
        free(pg->buf);
        pg->buf = xmalloc(pg->cap);
    }
    memcpy(pg->buf, body, len);
    pg->buf[len] = '\0';
    grow_records(pg, 1, r->nprops);
    scan s = {.p = pg->buf, .end = pg->buf + len, .err = err, .page = pg};
    page_ctx pc = {r};
    bool ok = object(&s, page_member, &pc);
    if (ok) {
        ws(&s);
        if (s.p != s.end)
            ok = fail(&s, s.p < s.end && !*s.p ? "a NUL byte in the body" : "junk after the page");
    }
    if (!ok) {
        size_t at = s.p >= pg->buf ? (size_t)(s.p - pg->buf) : 0;
        page_reset(pg);
        return ht_error_set(err, HT_PARSE, "HubSpot sent a malformed page: %s at byte %zu",
                            s.why ? s.why : "malformed JSON", at);
    }
    finish_page(r, pg);
    return HT_OK;
}

void record_page_clear(record_page *pg)
{
    page_reset(pg);
    free(pg->owned);
    free(pg->buf);
    free(pg->ids);
    free(pg->values);
    free(pg->created);
    free(pg->updated);
    free(pg->archived);
    free(pg->idbuf);
    free(pg->merged);
    memset(pg, 0, sizeof *pg);
}
