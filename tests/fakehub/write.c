#include "write.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "pvals.h"

void writer_api(const fh_req *r, fh_writer *w)
{
    w->source_type = "API";
    snprintf(w->source_id, sizeof w->source_id, "%lld", (long long)r->who.app_id);
    w->user_id = r->who.oauth ? r->who.user_id : 0;
}

void writer_ui(const fh_portal *p, fh_writer *w)
{
    const fh_owner *o = &p->model.owners[0];
    w->source_type = "CRM_UI";
    snprintf(w->source_id, sizeof w->source_id, "userId:%lld", (long long)o->user_id);
    w->user_id = o->user_id;
}

void wfail_free(fh_wfail *f)
{
    free(f->message);
    f->message = NULL;
    verrs_free(&f->errs);
    f->status = 0;
}

void wfail_send(fh_req *r, fh_wfail *f)
{
    if (f->errs.n && f->status == 400)
        herr_validation(r, &f->errs);
    else
        herr_send(r, f->status ? f->status : 500, f->category ? f->category : "VALIDATION_ERROR",
                  f->message ? f->message : "invalid request", NULL);
    wfail_free(f);
}

static void fail(fh_wfail *f, int status, const char *category, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(fh_wfail *f, int status, const char *category, const char *fmt, ...)
{
    strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    free(f->message);
    f->message = strbuf_detach(&sb);
    f->status = status;
    f->category = category;
}

void claims_free(fh_claims *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->v[i].value);
    free(c->v);
    memset(c, 0, sizeof *c);
}

static void claim(fh_claims *c, int pidx, const char *value, int64_t id)
{
    if (!c)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = xrealloc(c->v, sizeof *c->v * (size_t)c->cap);
    }
    c->v[c->n].pidx = pidx;
    c->v[c->n].value = xstrdup(value);
    c->v[c->n].id = id;
    c->n++;
}

/* Another record holding a unique value, or 0. self is the id being
 * written (0 for a create). */
static int64_t unique_owner(fh_portal *p, const fh_otype *t, const fh_claims *c, int pidx,
                            const char *value, int64_t self)
{
    int64_t id = 0;
    if (store_uniq_get(p->store, t->tidx, pidx, value, strlen(value), &id) == 1 && id != self)
        return id;
    for (int i = 0; c && i < c->n; i++)
        if (c->v[i].pidx == pidx && strcmp(c->v[i].value, value) == 0 &&
            (self == 0 || c->v[i].id != self))
            return c->v[i].id ? c->v[i].id : -1;
    return 0;
}

/* Check unique values of ch; conflicts fail with 409 on create, 400 on
 * update. Claims them on success. */
static bool check_unique(fh_portal *p, const fh_otype *t, const fh_changes *ch, fh_claims *claims,
                         int64_t self, fh_wfail *f)
{
    for (int i = 0; i < ch->n; i++) {
        const fh_propdef *d = t->props[ch->v[i].pidx];
        if (!d->unique || !ch->v[i].value[0])
            continue;
        int64_t other = unique_owner(p, t, claims, d->pidx, ch->v[i].value, self);
        if (!other)
            continue;
        if (self == 0) {
            if (other > 0)
                fail(f, 409, "CONFLICT", "%s already exists. Existing ID: %lld", t->label_singular,
                     (long long)other);
            else
                fail(f, 409, "CONFLICT", "Duplicate %s \"%s\" in the batch input", d->name,
                     ch->v[i].value);
            return false;
        }
        verrs_add(&f->errs, "VALUE_NOT_UNIQUE", d->name,
                  "A %s with %s \"%s\" already exists. Existing ID: %lld", t->singular, d->name,
                  ch->v[i].value, (long long)(other > 0 ? other : 0));
        f->status = 400;
        f->category = "VALIDATION_ERROR";
        return false;
    }
    for (int i = 0; i < ch->n; i++)
        if (t->props[ch->v[i].pidx]->unique && ch->v[i].value[0])
            claim(claims, ch->v[i].pidx, ch->v[i].value, self);
    return true;
}

/* The value a property will have: the change, else the current one. */
static const char *effective(const fh_otype *t, const fh_changes *ch, const fh_vals *cur,
                             const char *name, char *buf, size_t cap)
{
    const fh_propdef *d = otype_prop(t, name);
    if (!d)
        return NULL;
    const char *v = changes_get(ch, d->pidx);
    if (v)
        return *v ? v : NULL;
    if (!cur || d->pidx >= cur->n || !cur->v[d->pidx].set)
        return NULL;
    snprintf(buf, cap, "%.*s", (int)cur->v[d->pidx].len, cur->v[d->pidx].p);
    return buf;
}

/* Deals and tickets: defaults on create, and the stage must belong to the
 * pipeline. */
static void check_pipeline(const fh_otype *t, fh_changes *ch, const fh_vals *cur, bool creating,
                           fh_verrs *errs)
{
    const char *object = t->tidx == T_DEALS ? "deals" : t->tidx == T_TICKETS ? "tickets" : NULL;
    if (!object)
        return;
    const char *pipe_prop = t->tidx == T_DEALS ? "pipeline" : "hs_pipeline";
    const char *stage_prop = t->tidx == T_DEALS ? "dealstage" : "hs_pipeline_stage";
    char pbuf[64], sbuf[64];
    const char *pipe = effective(t, ch, cur, pipe_prop, pbuf, sizeof pbuf);
    if (!pipe && creating) {
        pipe = t->tidx == T_DEALS ? "default" : "0";
        changes_set(ch, otype_prop(t, pipe_prop)->pidx, pipe);
    }
    const char *stage = effective(t, ch, cur, stage_prop, sbuf, sizeof sbuf);
    const fh_pipeline *pl = model_pipeline(object, pipe);
    if (!stage && creating && t->tidx == T_DEALS && pl) {
        stage = pl->stages[0].id;
        changes_set(ch, otype_prop(t, stage_prop)->pidx, stage);
    }
    if (!stage && (creating || changes_get(ch, otype_prop(t, stage_prop)->pidx))) {
        verrs_add(errs, "REQUIRED_PROPERTY", stage_prop, "Property \"%s\" is required", stage_prop);
        return;
    }
    if (pl && stage && !pipeline_stage(pl, stage))
        verrs_add(errs, "INVALID_OPTION", stage_prop,
                  "%s is not a valid stage of pipeline %s", stage, pl->id);
}

static int lifecycle_order(const fh_propdef *d, const char *v, size_t n)
{
    const fh_option *o = prop_option(d, v, n);
    return o ? o->display_order : -1;
}

/* A stage set backwards without clearing it first: dropped, or refused. */
static void check_lifecycle(fh_portal *p, const fh_otype *t, fh_changes *ch, const fh_vals *cur,
                            fh_verrs *errs)
{
    if (t->p_lifecycle < 0 || !cur || !cur->v[t->p_lifecycle].set)
        return;
    const char *nv = changes_get(ch, t->p_lifecycle);
    if (!nv || !*nv)
        return;
    const fh_propdef *d = t->props[t->p_lifecycle];
    const fh_val *old = &cur->v[t->p_lifecycle];
    if (lifecycle_order(d, nv, strlen(nv)) >= lifecycle_order(d, old->p, old->len))
        return;
    if (portal_settings(p).strict_lifecycle)
        verrs_add(errs, "INVALID_LIFECYCLE_STAGE", d->name,
                  "lifecyclestage cannot move backwards from %.*s to %s; clear it first",
                  (int)old->len, old->p, nv);
    else
        changes_remove(ch, t->p_lifecycle);
}

/* Properties a create must give (hs_timestamp of engagements, a quote's
 * title and expiration date). */
static void check_required(const fh_otype *t, const fh_changes *ch, fh_verrs *errs)
{
    for (int i = 0; i < t->n_props; i++) {
        const fh_propdef *d = t->props[i];
        if (!d->required || d->archived)
            continue;
        const char *v = changes_get(ch, d->pidx);
        if (!v || !*v)
            verrs_add(errs, "REQUIRED_PROPERTY", d->name, "Property \"%s\" is required", d->name);
    }
}

static bool props_object(const json_t *props, fh_wfail *f)
{
    if (props && !json_is_object(props)) {
        fail(f, 400, "VALIDATION_ERROR", "properties must be a JSON object");
        return false;
    }
    return true;
}

bool write_check_create(fh_portal *p, const fh_otype *t, const json_t *props, fh_changes *ch,
                        fh_claims *claims, fh_wfail *f)
{
    if (!props_object(props, f))
        return false;
    json_t *empty = props ? NULL : json_object();
    validate_props(&p->model, t, props ? props : empty, ch, &f->errs);
    json_decref(empty);
    check_required(t, ch, &f->errs);
    check_pipeline(t, ch, NULL, true, &f->errs);
    if (f->errs.n) {
        f->status = 400;
        f->category = "VALIDATION_ERROR";
        return false;
    }
    return check_unique(p, t, ch, claims, 0, f);
}

bool write_check_update(fh_portal *p, const fh_otype *t, int64_t rid, const json_t *props,
                        fh_changes *ch, fh_claims *claims, fh_wfail *f)
{
    if (!props_object(props, f))
        return false;
    fh_rowset rs = {0};
    if (store_rec_get(p->store, rid, &rs) != 1 || rs.rows[0].archived) {
        rowset_free(&rs);
        fail(f, 404, "OBJECT_NOT_FOUND", "resource not found");
        return false;
    }
    fh_vals *cur = xmalloc(sizeof *cur);
    pvals_decode(rowset_blob(&rs, &rs.rows[0]), rs.rows[0].len, t->n_props, cur);
    json_t *empty = props ? NULL : json_object();
    validate_props(&p->model, t, props ? props : empty, ch, &f->errs);
    json_decref(empty);
    if (!f->errs.n) {
        check_pipeline(t, ch, cur, false, &f->errs);
        check_lifecycle(p, t, ch, cur, &f->errs);
    }
    free(cur);
    rowset_free(&rs);
    if (f->errs.n) {
        f->status = 400;
        f->category = "VALIDATION_ERROR";
        return false;
    }
    return check_unique(p, t, ch, claims, fh_rid_id(rid), f);
}

/* ---- applying ------------------------------------------------------- */

static bool val_eq(const fh_val *v, const char *s)
{
    size_t n = strlen(s);
    return v->set ? v->len == n && memcmp(v->p, s, n) == 0 : n == 0;
}

static const char *val_text(const fh_val *v, char *buf, size_t cap)
{
    if (!v->set)
        return "";
    snprintf(buf, cap, "%.*s", (int)v->len, v->p);
    return buf;
}

/* Recompute calculated properties from the new values; add what changed. */
static void derive(const fh_otype *t, const fh_vals *nv, fh_changes *calc)
{
    char a[512], b[512];
    if (t->tidx == T_CONTACTS) {
        const fh_propdef *fn = otype_prop(t, "firstname"), *ln = otype_prop(t, "lastname"),
                         *em = otype_prop(t, "email"), *full = otype_prop(t, "hs_full_name_or_email");
        strbuf sb = {0};
        const char *f1 = val_text(&nv->v[fn->pidx], a, sizeof a), *l1 = val_text(&nv->v[ln->pidx], b, sizeof b);
        if (*f1 || *l1)
            strbuf_printf(&sb, "%s%s%s", f1, *f1 && *l1 ? " " : "", l1);
        else
            strbuf_puts(&sb, val_text(&nv->v[em->pidx], a, sizeof a));
        if (!val_eq(&nv->v[full->pidx], strbuf_str(&sb)))
            changes_set(calc, full->pidx, strbuf_str(&sb));
        strbuf_free(&sb);
    } else if (t->tidx == T_DEALS) {
        const fh_propdef *pp = otype_prop(t, "pipeline"), *st = otype_prop(t, "dealstage"),
                         *closed = otype_prop(t, "hs_is_closed");
        const fh_pipeline *pl = model_pipeline("deals", val_text(&nv->v[pp->pidx], a, sizeof a));
        const fh_stage *s = pl ? pipeline_stage(pl, val_text(&nv->v[st->pidx], b, sizeof b)) : NULL;
        const char *want = s && s->closed ? "true" : "false";
        if (!val_eq(&nv->v[closed->pidx], want))
            changes_set(calc, closed->pidx, want);
    } else if (t->tidx == T_LINE_ITEMS) {
        const fh_propdef *q = otype_prop(t, "quantity"), *pr = otype_prop(t, "price"),
                         *am = otype_prop(t, "amount");
        double qty, price;
        char out[64] = "";
        if (str_to_double(val_text(&nv->v[q->pidx], a, sizeof a), &qty) &&
            str_to_double(val_text(&nv->v[pr->pidx], b, sizeof b), &price))
            snprintf(out, sizeof out, "%.2f", qty * price);
        if (!val_eq(&nv->v[am->pidx], out))
            changes_set(calc, am->pidx, out);
    }
}

static void history_row(fh_portal *p, int64_t rid, int pidx, int64_t ts, const char *value,
                        const fh_writer *w, bool calculated)
{
    store_hist_add(p->store, rid, pidx, ts, value, calculated ? "CALCULATED" : w->source_type,
                   calculated ? NULL : w->source_id, calculated ? 0 : w->user_id);
}

/* Record history for one changed property; the first touch of a generated
 * value keeps that value as the oldest entry. */
static void history_change(fh_portal *p, int64_t rid, int64_t created, int pidx, const fh_val *old,
                           const char *value, int64_t now, const fh_writer *w, bool calculated,
                           bool creating)
{
    if (!creating && old->set && store_hist_count(p->store, rid, pidx) == 0) {
        char *ov = xstrndup(old->p, old->len);
        store_hist_add(p->store, rid, pidx, created, ov, "IMPORT", "fakehub-generator", 0);
        free(ov);
    }
    history_row(p, rid, pidx, now, value, w, calculated);
}

static void unique_change(fh_portal *p, const fh_otype *t, int64_t rid, int pidx, const fh_val *old,
                          const char *value)
{
    if (!t->props[pidx]->unique)
        return;
    if (old->set)
        store_uniq_del(p->store, t->tidx, pidx, old->p, old->len);
    if (*value)
        store_uniq_put(p->store, t->tidx, pidx, value, strlen(value), fh_rid_id(rid));
}

static void lag_snapshot(fh_portal *p, int64_t rid, int64_t now)
{
    int lag = portal_settings(p).search_lag_ms;
    if (lag > 0)
        store_lag_snapshot(p->store, rid, fh_rid_tidx(rid), now + lag);
}

/* Write ch over the current values (cur_blob may be empty for a create). */
static bool apply(fh_portal *p, const fh_otype *t, int64_t rid, const char *cur_blob, size_t cur_len,
                  int64_t created, fh_changes *ch, const fh_writer *w, int64_t now, bool creating)
{
    fh_vals *old = xmalloc(sizeof *old), *nv = xmalloc(sizeof *nv);
    pvals_decode(cur_blob, cur_len, t->n_props, old);
    *nv = *old;
    for (int i = 0; i < ch->n; i++) {
        fh_val *v = &nv->v[ch->v[i].pidx];
        v->p = ch->v[i].value;
        v->len = (uint32_t)strlen(ch->v[i].value);
        v->set = v->len > 0;
    }
    fh_changes calc = {0};
    derive(t, nv, &calc);
    for (int i = 0; i < calc.n; i++) {
        fh_val *v = &nv->v[calc.v[i].pidx];
        v->p = calc.v[i].value;
        v->len = (uint32_t)strlen(calc.v[i].value);
        v->set = v->len > 0;
    }
    strbuf blob = {0};
    pvals_encode(nv, &blob);
    lag_snapshot(p, rid, now);
    bool ok = creating ? store_rec_insert(p->store, rid, now, now, blob.buf, blob.len)
                       : store_rec_update(p->store, rid, now, blob.buf, blob.len);
    for (int i = 0; ok && i < ch->n; i++) {
        int k = ch->v[i].pidx;
        if (val_eq(&old->v[k], ch->v[i].value) && !creating)
            continue;
        if (creating && !ch->v[i].value[0])
            continue;
        history_change(p, rid, created, k, &old->v[k], ch->v[i].value, now, w, false, creating);
        unique_change(p, t, rid, k, &old->v[k], ch->v[i].value);
    }
    for (int i = 0; ok && i < calc.n; i++)
        history_change(p, rid, created, calc.v[i].pidx, &old->v[calc.v[i].pidx], calc.v[i].value,
                       now, w, true, creating);
    strbuf_free(&blob);
    changes_free(&calc);
    free(old);
    free(nv);
    return ok;
}

bool write_apply_create(fh_portal *p, const fh_otype *t, fh_changes *ch, const fh_writer *w,
                        int64_t now, int64_t *rid)
{
    fh_otype *mt = p->model.types[t->tidx];
    *rid = fh_rid(t->tidx, mt->next_id++);
    return apply(p, t, *rid, "", 0, now, ch, w, now, true);
}

bool write_apply_update(fh_portal *p, const fh_otype *t, int64_t rid, fh_changes *ch,
                        const fh_writer *w, int64_t now)
{
    fh_rowset rs = {0};
    bool ok = store_rec_get(p->store, rid, &rs) == 1 &&
              apply(p, t, rid, rowset_blob(&rs, &rs.rows[0]), rs.rows[0].len, rs.rows[0].created,
                    ch, w, now, false);
    rowset_free(&rs);
    return ok;
}

/* Forget every unique value of a record. */
static void release_uniques(fh_portal *p, const fh_otype *t, const fh_rowset *rs)
{
    for (int k = 0; k < t->n_props; k++) {
        const char *v;
        uint32_t n;
        if (t->props[k]->unique && pvals_find(rowset_blob(rs, &rs->rows[0]), rs->rows[0].len, k, &v, &n))
            store_uniq_del(p->store, t->tidx, k, v, n);
    }
}

bool write_archive(fh_portal *p, const fh_otype *t, int64_t rid, int64_t now)
{
    fh_rowset rs = {0};
    bool ok = store_rec_get(p->store, rid, &rs) == 1 && !rs.rows[0].archived;
    if (ok) {
        release_uniques(p, t, &rs);
        lag_snapshot(p, rid, now);
        ok = store_rec_set_archived(p->store, rid, true, now) &&
             store_assoc_del_record(p->store, rid);
    }
    rowset_free(&rs);
    return ok;
}

bool write_purge(fh_portal *p, const fh_otype *t, int64_t rid)
{
    fh_rowset rs = {0};
    bool ok = store_rec_get(p->store, rid, &rs) == 1;
    if (ok) {
        if (!rs.rows[0].archived)
            release_uniques(p, t, &rs);
        lag_snapshot(p, rid, portal_write_clock(p));
        ok = store_rec_delete(p->store, rid);
    }
    rowset_free(&rs);
    return ok;
}

/* A contact, deal or ticket keeps one primary company: drop the
 * secondary's primaries when the primary record has one already. */
static bool drop_conflicting_primaries(fh_portal *p, int64_t primary, int64_t secondary)
{
    static const int owned[][2] = {{1, 2}, {5, 6}, {26, 25}};
    sqlite3 *db = store_db(p->store);
    for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db,
                "DELETE FROM assoc WHERE ((from_rid = ?2 AND type_id = ?3) OR "
                "(to_rid = ?2 AND type_id = ?4)) AND EXISTS (SELECT 1 FROM assoc "
                "WHERE from_rid = ?1 AND type_id = ?3)", -1, &st, NULL) != SQLITE_OK)
            return false;
        sqlite3_bind_int64(st, 1, primary);
        sqlite3_bind_int64(st, 2, secondary);
        sqlite3_bind_int(st, 3, owned[i][0]);
        sqlite3_bind_int(st, 4, owned[i][1]);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return false;
    }
    return true;
}

bool write_merge(fh_portal *p, const fh_otype *t, int64_t primary, int64_t secondary,
                 const fh_writer *w, int64_t now)
{
    fh_rowset rs = {0};
    if (store_rec_get(p->store, primary, &rs) != 1 || store_rec_get(p->store, secondary, &rs) != 1) {
        rowset_free(&rs);
        return false;
    }
    fh_vals *a = xmalloc(sizeof *a), *b = xmalloc(sizeof *b);
    pvals_decode(rowset_blob(&rs, &rs.rows[0]), rs.rows[0].len, t->n_props, a);
    pvals_decode(rowset_blob(&rs, &rs.rows[1]), rs.rows[1].len, t->n_props, b);
    fh_changes ch = {0};
    for (int k = 0; k < t->n_props; k++) {
        const fh_propdef *d = t->props[k];
        if (!a->v[k].set && b->v[k].set && !d->read_only && !d->unique) {
            char *v = xstrndup(b->v[k].p, b->v[k].len);
            changes_set(&ch, k, v);
            free(v);
        }
    }
    const fh_propdef *merged = otype_prop(t, "hs_merged_object_ids");
    if (merged) {
        strbuf ids = {0};
        if (a->v[merged->pidx].set)
            strbuf_printf(&ids, "%.*s;", (int)a->v[merged->pidx].len, a->v[merged->pidx].p);
        strbuf_printf(&ids, "%lld", (long long)fh_rid_id(secondary));
        changes_set(&ch, merged->pidx, strbuf_str(&ids));
        strbuf_free(&ids);
    }
    free(a);
    free(b);
    rowset_free(&rs);
    bool ok = drop_conflicting_primaries(p, primary, secondary) &&
              store_assoc_move(p->store, secondary, primary) &&
              write_archive(p, t, secondary, now) &&
              write_apply_update(p, t, primary, &ch, w, now);
    changes_free(&ch);
    return ok;
}
