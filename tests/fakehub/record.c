#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "atypes.h"
#include "jsonw.h"
#include "pvals.h"

#define HIST_MAX 200
#define EMBED_MAX 500

static void sel_add(fh_propsel *s, int idx)
{
    for (int i = 0; i < s->n; i++)
        if (s->idx[i] == idx)
            return;
    if (s->n < FH_MAX_PROPS)
        s->idx[s->n++] = (short)idx;
}

static int by_name(const void *a, const void *b, void *arg)
{
    const fh_otype *t = arg;
    return strcmp(t->props[*(const short *)a]->name, t->props[*(const short *)b]->name);
}

void propsel_finish(const fh_otype *t, fh_propsel *s)
{
    qsort_r(s->idx, (size_t)s->n, sizeof s->idx[0], by_name, (void *)t);
}

static void add_specials(const fh_otype *t, fh_propsel *s)
{
    sel_add(s, t->p_id);
    sel_add(s, t->p_created);
    sel_add(s, t->p_updated);
}

void propsel_defaults(const fh_otype *t, fh_propsel *s)
{
    s->n = 0;
    for (int i = 0; i < t->n_props; i++)
        if (t->props[i]->is_default)
            sel_add(s, i);
    add_specials(t, s);
    propsel_finish(t, s);
}

void propsel_all(const fh_otype *t, fh_propsel *s)
{
    s->n = 0;
    for (int i = 0; i < t->n_props; i++)
        if (!t->props[i]->archived)
            sel_add(s, i);
    propsel_finish(t, s);
}

void propsel_add_csv(const fh_otype *t, fh_propsel *s, const char *csv)
{
    const char *p = csv;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n && *p == ' ') {
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        for (int i = 0; n && i < t->n_props; i++)
            if (strlen(t->props[i]->name) == n && memcmp(t->props[i]->name, p, n) == 0 &&
                !t->props[i]->archived)
                sel_add(s, i);
        p = comma ? comma + 1 : NULL;
    }
}

void readopts_from_query(const fh_req *r, const fh_model *m, const fh_otype *t, fh_readopts *o)
{
    memset(o, 0, sizeof *o);
    o->n_props = t->n_props;
    const char *vals[64];
    int n = req_arg_all(r, "properties", vals, 64);
    if (n == 0) {
        propsel_defaults(t, &o->props);
    } else {
        for (int i = 0; i < n; i++)
            propsel_add_csv(t, &o->props, vals[i]);
        add_specials(t, &o->props);
        propsel_finish(t, &o->props);
    }
    n = req_arg_all(r, "propertiesWithHistory", vals, 64);
    for (int i = 0; i < n; i++)
        propsel_add_csv(t, &o->hist, vals[i]);
    propsel_finish(t, &o->hist);
    n = req_arg_all(r, "associations", vals, 64);
    for (int i = 0; i < n; i++) {
        char *copy = xstrdup(vals[i]), *save = NULL;
        for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
            const fh_otype *to = model_type(m, name);
            bool dup = false;
            for (int k = 0; to && k < o->n_assoc; k++)
                dup = dup || o->assoc[k] == to->tidx;
            if (to && !dup && o->n_assoc < FH_MAX_TYPES)
                o->assoc[o->n_assoc++] = to->tidx;
        }
        free(copy);
    }
}

static void sel_from_json(const fh_otype *t, fh_propsel *s, const json_t *arr)
{
    size_t i;
    json_t *v;
    if (json_is_string(arr))
        propsel_add_csv(t, s, json_string_value(arr));
    json_array_foreach(arr, i, v)
        if (json_is_string(v))
            propsel_add_csv(t, s, json_string_value(v));
}

void readopts_from_body(const json_t *body, const fh_otype *t, fh_readopts *o)
{
    memset(o, 0, sizeof *o);
    o->n_props = t->n_props;
    const json_t *props = json_object_get(body, "properties");
    if (json_array_size(props) == 0 && !json_is_string(props)) {
        propsel_defaults(t, &o->props);
    } else {
        sel_from_json(t, &o->props, props);
        add_specials(t, &o->props);
        propsel_finish(t, &o->props);
    }
    sel_from_json(t, &o->hist, json_object_get(body, "propertiesWithHistory"));
    propsel_finish(t, &o->hist);
}

/* ---- history -------------------------------------------------------- */

static void hist_entry(strbuf *sb, const char *value, size_t vlen, int64_t ts,
                       const char *source_type, const char *source_id, int64_t user_id)
{
    strbuf_puts(sb, "{\"value\":");
    jw_strn(sb, value, vlen);
    strbuf_puts(sb, ",\"timestamp\":");
    jw_iso(sb, ts);
    strbuf_puts(sb, ",\"sourceType\":");
    jw_str(sb, source_type);
    if (source_id) {
        strbuf_puts(sb, ",\"sourceId\":");
        jw_str(sb, source_id);
    }
    if (user_id) {
        strbuf_puts(sb, ",\"updatedByUserId\":");
        jw_i64(sb, user_id);
    }
    strbuf_putc(sb, '}');
}

static void special_value(const fh_propdef *d, const fh_row *row, char out[32])
{
    if (d->special == SP_ID)
        fmt_i64(fh_rid_id(row->rid), out);
    else
        fmt_iso(d->special == SP_CREATED ? row->created : row->updated, out);
}

static void history_of(fh_portal *p, const fh_otype *t, const fh_rowset *rs, const fh_row *row,
                       int pidx, strbuf *sb)
{
    const fh_propdef *d = t->props[pidx];
    jw_key(sb, d->name);
    strbuf_putc(sb, '[');
    if (d->special != SP_NONE) {
        char v[32];
        special_value(d, row, v);
        hist_entry(sb, v, strlen(v), d->special == SP_UPDATED ? row->updated : row->created,
                   "CALCULATED", NULL, 0);
        strbuf_putc(sb, ']');
        return;
    }
    fh_hist h[HIST_MAX];
    int n = store_hist_list(p->store, row->rid, pidx, h, HIST_MAX);
    for (int i = 0; i < n; i++) {
        if (i)
            strbuf_putc(sb, ',');
        hist_entry(sb, h[i].value ? h[i].value : "", h[i].value ? strlen(h[i].value) : 0, h[i].ts,
                   h[i].source_type, h[i].source_id, h[i].user_id);
    }
    hist_free(h, n);
    const char *v;
    uint32_t vlen;
    if (n == 0 && pvals_find(rowset_blob(rs, row), row->len, pidx, &v, &vlen))
        hist_entry(sb, v, vlen, row->created, "IMPORT", "fakehub-generator", 0);
    strbuf_putc(sb, ']');
}

/* ---- embedded associations ------------------------------------------ */

static const char *assoc_key(const fh_otype *to)
{
    return to->custom ? to->fqn : to->name;
}

static void associations_of(fh_portal *p, const fh_row *row, const fh_readopts *o, strbuf *sb)
{
    fh_assoc_row *rows = xmalloc(sizeof *rows * (EMBED_MAX + 1));
    bool any = false;
    for (int k = 0; k < o->n_assoc; k++) {
        const fh_otype *to = p->model.types[o->assoc[k]];
        int n = store_assoc_list(p->store, row->rid, to->tidx, 0, rows, EMBED_MAX + 1);
        if (n <= 0)
            continue;
        strbuf_puts(sb, any ? "," : ",\"associations\":{");
        any = true;
        jw_key(sb, assoc_key(to));
        strbuf_puts(sb, "{\"results\":[");
        int shown = n > EMBED_MAX ? EMBED_MAX : n;
        for (int i = 0; i < shown; i++) {
            const fh_atype *at = atypes_get(&p->atypes, rows[i].type_id);
            strbuf_puts(sb, i ? ",{\"id\":" : "{\"id\":");
            jw_i64str(sb, fh_rid_id(rows[i].to));
            strbuf_puts(sb, ",\"type\":");
            if (at)
                jw_str(sb, at->name);
            else
                jw_i64str(sb, rows[i].type_id);
            strbuf_putc(sb, '}');
        }
        strbuf_putc(sb, ']');
        if (n > EMBED_MAX) {
            char cur[32];
            cursor_encode(fh_rid_id(rows[EMBED_MAX].to), cur);
            strbuf_puts(sb, ",\"paging\":{\"next\":{\"after\":");
            jw_str(sb, cur);
            strbuf_puts(sb, "}}");
        }
        strbuf_putc(sb, '}');
    }
    if (any)
        strbuf_putc(sb, '}');
    free(rows);
}

char **record_extras(fh_portal *p, const fh_otype *t, const fh_rowset *rs, const fh_readopts *o)
{
    if (o->hist.n == 0 && o->n_assoc == 0)
        return NULL;
    char **x = xcalloc(rs->n ? rs->n : 1, sizeof *x);
    strbuf sb = {0};
    for (size_t i = 0; i < rs->n; i++) {
        const fh_row *row = &rs->rows[i];
        strbuf_reset(&sb);
        if (o->hist.n) {
            strbuf_puts(&sb, ",\"propertiesWithHistory\":{");
            for (int k = 0; k < o->hist.n; k++) {
                if (k)
                    strbuf_putc(&sb, ',');
                history_of(p, t, rs, row, o->hist.idx[k], &sb);
            }
            strbuf_putc(&sb, '}');
        }
        if (o->n_assoc)
            associations_of(p, row, o, &sb);
        x[i] = xstrdup(strbuf_str(&sb));
    }
    strbuf_free(&sb);
    return x;
}

void extras_free(char **x, size_t n)
{
    if (!x)
        return;
    for (size_t i = 0; i < n; i++)
        free(x[i]);
    free(x);
}

/* ---- the record itself ---------------------------------------------- */

void record_json(strbuf *sb, const fh_otype *t, const fh_rowset *rs, const fh_row *row,
                 const fh_readopts *o, const char *extra)
{
    static __thread fh_vals vals;
    pvals_decode(rowset_blob(rs, row), row->len, o->n_props, &vals);
    strbuf_grow(sb, 256 + row->len * 2);
    strbuf_puts(sb, "{\"id\":");
    jw_i64str(sb, fh_rid_id(row->rid));
    strbuf_puts(sb, ",\"properties\":{");
    for (int k = 0; k < o->props.n; k++) {
        int idx = o->props.idx[k];
        const fh_propdef *d = t->props[idx];
        if (k)
            strbuf_putc(sb, ',');
        strbuf_append(sb, d->json_key, d->json_key_len);
        if (d->special != SP_NONE) {
            char v[32];
            special_value(d, row, v);
            jw_str(sb, v);
        } else if (idx < vals.n && vals.v[idx].set) {
            jw_strn(sb, vals.v[idx].p, vals.v[idx].len);
        } else {
            strbuf_puts(sb, "null");
        }
    }
    strbuf_puts(sb, "},\"createdAt\":");
    jw_iso(sb, row->created);
    strbuf_puts(sb, ",\"updatedAt\":");
    jw_iso(sb, row->updated);
    strbuf_puts(sb, row->archived ? ",\"archived\":true" : ",\"archived\":false");
    if (row->archived) {
        strbuf_puts(sb, ",\"archivedAt\":");
        jw_iso(sb, row->archived_at);
    }
    if (extra)
        strbuf_puts(sb, extra);
    strbuf_putc(sb, '}');
}

bool parse_record_id(const char *s, int64_t *id)
{
    if (str_empty(s) || strlen(s) > 15)
        return false;
    for (const char *c = s; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    return str_to_i64(s, id) && *id > 0 && *id <= FH_ID_MAX;
}

int resolve_id(fh_portal *p, const fh_otype *t, const char *id, const char *id_property,
               int64_t *rid)
{
    if (str_empty(id_property) || strcmp(id_property, "hs_object_id") == 0) {
        int64_t n;
        if (!parse_record_id(id, &n))
            return 0;
        *rid = fh_rid(t->tidx, n);
        return 1;
    }
    const fh_propdef *d = otype_prop(t, id_property);
    if (!d || !d->unique)
        return -1;
    strbuf v = {0};
    strbuf_puts(&v, id);
    if (strcmp(d->name, "email") == 0)
        for (size_t i = 0; i < v.len; i++)
            v.buf[i] = (char)(v.buf[i] >= 'A' && v.buf[i] <= 'Z' ? v.buf[i] + 32 : v.buf[i]);
    int64_t found;
    int rc = store_uniq_get(p->store, t->tidx, d->pidx, strbuf_str(&v), v.len, &found);
    strbuf_free(&v);
    if (rc != 1)
        return 0;
    *rid = fh_rid(t->tidx, found);
    return 1;
}
