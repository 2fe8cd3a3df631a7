#include "pvals.h"

#include <string.h>

static bool read_varint(const unsigned char **p, const unsigned char *end, uint32_t *out)
{
    uint32_t v = 0;
    for (int shift = 0; shift < 32 && *p < end; shift += 7) {
        unsigned char c = *(*p)++;
        v |= (uint32_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static void put_varint(strbuf *out, uint32_t v)
{
    char buf[5];
    size_t n = 0;
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        buf[n++] = (char)(v ? c | 0x80 : c);
    } while (v);
    strbuf_append(out, buf, n);
}

bool pvals_decode(const void *blob, size_t len, int n, fh_vals *vals)
{
    vals->n = n;
    memset(vals->v, 0, sizeof vals->v[0] * (size_t)n);
    const unsigned char *p = blob, *end = p + len;
    while (p < end) {
        uint32_t idx, vlen;
        if (!read_varint(&p, end, &idx) || !read_varint(&p, end, &vlen) ||
            vlen > (size_t)(end - p))
            return false;
        if ((int)idx < n) {
            vals->v[idx].p = (const char *)p;
            vals->v[idx].len = vlen;
            vals->v[idx].set = true;
        }
        p += vlen;
    }
    return true;
}

bool pvals_find(const void *blob, size_t len, int pidx, const char **out, uint32_t *olen)
{
    const unsigned char *p = blob, *end = p + len;
    while (p < end) {
        uint32_t idx, vlen;
        if (!read_varint(&p, end, &idx) || !read_varint(&p, end, &vlen) ||
            vlen > (size_t)(end - p))
            return false;
        if ((int)idx == pidx) {
            *out = (const char *)p;
            *olen = vlen;
            return true;
        }
        p += vlen;
    }
    return false;
}

void pvals_put(strbuf *out, int pidx, const char *p, size_t len)
{
    if (len == 0)
        return;
    put_varint(out, (uint32_t)pidx);
    put_varint(out, (uint32_t)len);
    strbuf_append(out, p, len);
}

void pvals_encode(const fh_vals *vals, strbuf *out)
{
    for (int i = 0; i < vals->n; i++)
        if (vals->v[i].set)
            pvals_put(out, i, vals->v[i].p, vals->v[i].len);
}

void pvals_set(fh_vals *vals, int pidx, const char *s)
{
    vals->v[pidx].p = s;
    vals->v[pidx].len = (uint32_t)strlen(s);
    vals->v[pidx].set = true;
}
