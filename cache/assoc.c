/* assoc.c — reading a record's associations for the detail pane and the
 * association graph: stored links in both directions plus queued adds and
 * removes, grouped by object type and label, with the other records' names. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records.h"
#include "records_int.h"

typedef struct link {
    int64_t       okey, id;
    int           type_id;
    char         *category, *label;
    assoc_pending pending;
    int64_t       qid;
} link;

typedef struct link_list {
    link  *v;
    size_t n, cap;
} link_list;

static link *link_add(link_list *l, int64_t okey, int64_t id, int type_id,
                      const char *category, const char *label)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    link *k = &l->v[l->n++];
    *k = (link){okey, id, type_id, category ? xstrdup(category) : NULL,
                str_empty(label) ? NULL : xstrdup(label), ASSOC_STORED, 0};
    return k;
}

static void links_free(link_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].category);
        free(l->v[i].label);
    }
    free(l->v);
}

static ht_status read_stored(store *st, int64_t okey, int64_t id, link_list *l, ht_error *err)
{
    static const char *const sql[] = {
        "SELECT to_okey, to_id, type_id, category, label FROM assoc"
        " WHERE from_okey=?1 AND from_id=?2",
        /* The other direction, for pairs we only know from the other side. */
        "SELECT from_okey, from_id, type_id, category, label FROM assoc a"
        " WHERE to_okey=?1 AND to_id=?2 AND NOT EXISTS(SELECT 1 FROM assoc f"
        " WHERE f.from_okey=?1 AND f.from_id=?2 AND f.to_okey=a.from_okey"
        " AND f.to_id=a.from_id)",
    };
    for (size_t k = 0; k < ARRAY_SIZE(sql); k++) {
        sqlite3_stmt *q = store_stmt(st, sql[k], err);
        if (!q)
            return err ? err->status : HT_DB;
        sqlite3_bind_int64(q, 1, okey);
        sqlite3_bind_int64(q, 2, id);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW)
            link_add(l, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
                     sqlite3_column_int(q, 2), (const char *)sqlite3_column_text(q, 3),
                     (const char *)sqlite3_column_text(q, 4));
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            return store_fail(st, rc, "reading associations", err);
    }
    return HT_OK;
}

static void apply_pending_row(link_list *l, bool add, int64_t okey, int64_t id, int type_id,
                              const char *category, const char *label, int64_t qid)
{
    bool seen = false;
    for (size_t i = 0; i < l->n; i++) {
        link *k = &l->v[i];
        if (k->okey != okey || k->id != id)
            continue;
        if (!add && (type_id == 0 || k->type_id == type_id)) {
            k->pending = ASSOC_PENDING_REMOVE;
            k->qid = qid;
        }
        if (add && (type_id == 0 || k->type_id == type_id))
            seen = true;
    }
    if (add && !seen) {
        link *k = link_add(l, okey, id, type_id, category, label);
        k->pending = ASSOC_PENDING_ADD;
        k->qid = qid;
    }
}

static ht_status read_pending(store *st, int64_t okey, int64_t id, link_list *l,
                              ht_error *err)
{
    sqlite3_stmt *q = store_stmt(st,
        "SELECT qid, kind, okey, record_id, to_okey, to_id, assoc_type, assoc_category,"
        " assoc_label FROM outbox WHERE kind IN ('assoc_add','assoc_remove')"
        " AND ((okey=?1 AND record_id=?2) OR (to_okey=?1 AND to_id=?2)) ORDER BY qid", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    sqlite3_bind_int64(q, 2, id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        bool add = strcmp((const char *)sqlite3_column_text(q, 1), "assoc_add") == 0;
        bool forward = sqlite3_column_int64(q, 2) == okey && sqlite3_column_int64(q, 3) == id;
        int64_t other_okey = sqlite3_column_int64(q, forward ? 4 : 2);
        int64_t other_id = sqlite3_column_int64(q, forward ? 5 : 3);
        /* Seen from the other end, the type id names the other direction:
         * match any type of the pair instead. */
        int type_id = forward ? sqlite3_column_int(q, 6) : 0;
        apply_pending_row(l, add, other_okey, other_id, type_id,
                          (const char *)sqlite3_column_text(q, 7),
                          (const char *)sqlite3_column_text(q, 8), sqlite3_column_int64(q, 0));
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "reading the outbox", err);
}

/* HubSpot keeps an unlabeled association beside every labelled one; the
 * labelled one says more, so drop the unlabeled twin. */
static void drop_unlabeled_twins(link_list *l)
{
    size_t out = 0;
    for (size_t i = 0; i < l->n; i++) {
        bool twin = false;
        for (size_t j = 0; !l->v[i].label && j < l->n && !twin; j++)
            twin = j != i && l->v[j].label && l->v[j].okey == l->v[i].okey &&
                   l->v[j].id == l->v[i].id;
        if (twin) {
            free(l->v[i].category);
            continue;
        }
        l->v[out++] = l->v[i];
    }
    l->n = out;
}

static int link_group_cmp(const void *pa, const void *pb)
{
    const link *a = pa, *b = pb;
    if (a->okey != b->okey)
        return a->okey < b->okey ? -1 : 1;
    if (!a->label != !b->label)
        return a->label ? -1 : 1;
    int c = a->label ? strcasecmp(a->label, b->label) : 0;
    if (c)
        return c;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int item_cmp(const void *pa, const void *pb)
{
    const assoc_item *a = pa, *b = pb;
    int c = strcasecmp(a->display_name, b->display_name);
    return c ? c : strcmp(a->id, b->id);
}

static assoc_group *new_group(assoc_group **out, size_t *n, const objmeta *tm,
                              const char *label)
{
    *out = xrealloc(*out, (*n + 1) * sizeof **out);
    assoc_group *g = &(*out)[(*n)++];
    memset(g, 0, sizeof *g);
    g->to_object = xstrdup(tm->name);
    g->to_label = xstrdup(tm->label_plural ? tm->label_plural : tm->name);
    g->label = label ? xstrdup(label) : NULL;
    return g;
}

static void fill_item(store *st, const objmeta *tm, const link *k, assoc_item *it)
{
    memset(it, 0, sizeof *it);
    records_format_id(k->id, it->id);
    it->display_name = records_name_of(st, tm, k->id, &it->cached);
    it->type_id = k->type_id;
    it->category = k->category ? xstrdup(k->category) : NULL;
    it->pending = k->pending;
    it->qid = k->qid;
}

static ht_status build_groups(store *st, link_list *l, assoc_group **out, size_t *n,
                              ht_error *err)
{
    qsort(l->v, l->n, sizeof *l->v, link_group_cmp);
    const objmeta *tm = NULL;
    assoc_group *g = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const link *k = &l->v[i];
        bool same_group = g && tm && tm->okey == k->okey && !g->label == !k->label &&
                          (!k->label || strcasecmp(g->label, k->label) == 0);
        if (!same_group) {
            if (!tm || tm->okey != k->okey) {
                objmeta_release(tm);
                if (!(tm = meta_object_by_okey(st, k->okey, err)))
                    return err ? err->status : HT_NOT_FOUND;
            }
            g = new_group(out, n, tm, k->label);
        }
        /* One item per record within a group (several type ids may share a label). */
        if (g->nitems && i > 0 && l->v[i - 1].id == k->id && l->v[i - 1].okey == k->okey)
            continue;
        g->items = xrealloc(g->items, (g->nitems + 1) * sizeof *g->items);
        fill_item(st, tm, k, &g->items[g->nitems++]);
    }
    objmeta_release(tm);
    for (size_t i = 0; i < *n; i++)
        qsort((*out)[i].items, (*out)[i].nitems, sizeof *(*out)[i].items, item_cmp);
    return HT_OK;
}

ht_status records_associations(store *st, const char *object, const char *id_text,
                               assoc_group **out, size_t *n, ht_error *err)
{
    *out = NULL;
    *n = 0;
    int64_t id;
    if (!id_text || !records_parse_id(id_text, &id))
        return ht_error_set(err, HT_INVALID, "'%s' is not a record id", id_text ? id_text : "");
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    link_list l = {0};
    ht_status s = read_stored(st, m->okey, id, &l, err);
    if (s == HT_OK)
        s = read_pending(st, m->okey, id, &l, err);
    if (s == HT_OK) {
        drop_unlabeled_twins(&l);
        s = build_groups(st, &l, out, n, err);
    }
    if (s != HT_OK) {
        assoc_groups_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    links_free(&l);
    objmeta_release(m);
    return s;
}

void assoc_groups_free(assoc_group *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < g[i].nitems; j++) {
            free(g[i].items[j].display_name);
            free(g[i].items[j].category);
        }
        free(g[i].items);
        free(g[i].to_object);
        free(g[i].to_label);
        free(g[i].label);
    }
    free(g);
}

/* ---- raw rows ----------------------------------------------------------------------- */

ht_status records_assoc_rows(store *st, const char *from_object, const char *from_id,
                             const char *to_object, assoc_row **out, size_t *n,
                             ht_error *err)
{
    *out = NULL;
    *n = 0;
    int64_t id;
    if (!from_id || !records_parse_id(from_id, &id))
        return ht_error_set(err, HT_INVALID, "'%s' is not a record id", from_id ? from_id : "");
    const objmeta *fm = meta_object(st, from_object, err);
    const objmeta *tm = fm ? meta_object(st, to_object, err) : NULL;
    ht_status s = tm ? HT_OK : (err ? err->status : HT_NOT_FOUND);
    sqlite3_stmt *q = s == HT_OK ? store_stmt(st,
        "SELECT to_id, type_id, category, label FROM assoc WHERE from_okey=? AND from_id=?"
        " AND to_okey=? ORDER BY to_id, type_id", err) : NULL;
    if (s == HT_OK && !q)
        s = err ? err->status : HT_DB;
    if (q && fm && tm) {
        sqlite3_bind_int64(q, 1, fm->okey);
        sqlite3_bind_int64(q, 2, id);
        sqlite3_bind_int64(q, 3, tm->okey);
        size_t cap = 0;
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 8;
                *out = xrealloc(*out, cap * sizeof **out);
            }
            assoc_row *r = &(*out)[(*n)++];
            records_format_id(sqlite3_column_int64(q, 0), r->to_id);
            r->type_id = sqlite3_column_int(q, 1);
            r->category = store_col_strdup(q, 2);
            r->label = store_col_strdup(q, 3);
            if (r->label && !*r->label) {
                free(r->label);
                r->label = NULL;
            }
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            s = store_fail(st, rc, "reading associations", err);
            assoc_rows_free(*out, *n);
            *out = NULL;
            *n = 0;
        }
    }
    objmeta_release(fm);
    objmeta_release(tm);
    return s;
}

void assoc_rows_free(assoc_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].category);
        free(rows[i].label);
    }
    free(rows);
}

/* ---- whole pairs (sync's association pass) ------------------------------------------ */

ht_status records_assoc_linked_ids(store *st, const char *from_object, const char *to_object,
                                   int64_t **ids, size_t *n, ht_error *err)
{
    *ids = NULL;
    *n = 0;
    const objmeta *fm = meta_object(st, from_object, err);
    const objmeta *tm = fm ? meta_object(st, to_object, err) : NULL;
    ht_status s = tm ? HT_OK : (err ? err->status : HT_NOT_FOUND);
    sqlite3_stmt *q = s == HT_OK ? store_stmt(st,
        /* From the (small) linking side: its primary-key prefix, not the index
         * of everything linking to to_object. */
        "SELECT DISTINCT to_id FROM assoc WHERE from_okey=?1 AND +to_okey=?2 ORDER BY to_id",
        err) : NULL;
    if (s == HT_OK && !q)
        s = err ? err->status : HT_DB;
    if (q && fm && tm) {
        sqlite3_bind_int64(q, 1, fm->okey);
        sqlite3_bind_int64(q, 2, tm->okey);
        size_t cap = 0;
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 256;
                *ids = xrealloc(*ids, cap * sizeof **ids);
            }
            (*ids)[(*n)++] = sqlite3_column_int64(q, 0);
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            s = store_fail(st, rc, "reading associations", err);
            free(*ids);
            *ids = NULL;
            *n = 0;
        }
    }
    objmeta_release(fm);
    objmeta_release(tm);
    return s;
}

static bool sorted_has(const int64_t *v, size_t n, int64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] == x)
            return true;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

ht_status records_clear_assoc_range(store *st, const char *from_object, const char *to_object,
                                    int64_t lo, int64_t hi, const int64_t *keep, size_t nkeep,
                                    ht_error *err)
{
    const objmeta *fm = meta_object(st, from_object, err);
    const objmeta *tm = fm ? meta_object(st, to_object, err) : NULL;
    ht_status s = tm ? HT_OK : (err ? err->status : HT_NOT_FOUND);
    int64_t *gone = NULL;
    size_t ngone = 0, cap = 0;
    sqlite3_stmt *q = s == HT_OK ? store_stmt(st,
        "SELECT DISTINCT from_id FROM assoc WHERE from_okey=? AND from_id BETWEEN ? AND ?"
        " AND to_okey=?", err) : NULL;
    if (s == HT_OK && !q)
        s = err ? err->status : HT_DB;
    if (q && fm && tm) {
        sqlite3_bind_int64(q, 1, fm->okey);
        sqlite3_bind_int64(q, 2, lo);
        sqlite3_bind_int64(q, 3, hi);
        sqlite3_bind_int64(q, 4, tm->okey);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(q, 0);
            if (sorted_has(keep, nkeep, id))
                continue;
            if (ngone == cap) {
                cap = cap ? cap * 2 : 64;
                gone = xrealloc(gone, cap * sizeof *gone);
            }
            gone[ngone++] = id;
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            s = store_fail(st, rc, "reading associations", err);
    }
    bool own_tx = s == HT_OK && ngone && !store_in_transaction(st);
    if (own_tx)
        s = store_begin(st, err);
    for (size_t i = 0; s == HT_OK && i < ngone; i++) {
        sqlite3_stmt *d = store_stmt(st, "DELETE FROM assoc WHERE from_okey=? AND from_id=?"
                                         " AND to_okey=?", err);
        if (!d) {
            s = err ? err->status : HT_DB;
            break;
        }
        sqlite3_bind_int64(d, 1, fm->okey);
        sqlite3_bind_int64(d, 2, gone[i]);
        sqlite3_bind_int64(d, 3, tm->okey);
        s = store_step_done(st, d, "removing associations", err);
    }
    if (own_tx) {
        s = store_commit_or_rollback(st, s, err);
    }
    free(gone);
    objmeta_release(fm);
    objmeta_release(tm);
    return s;
}
