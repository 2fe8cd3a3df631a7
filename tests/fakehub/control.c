/* control.c — /_fakehub/: what tests need beyond HubSpot's API (stats,
 * edits by "another user", resets, settings, data dumps, OAuth codes).
 * Never rate-limited, counted or faulted. */
#include <stdlib.h>
#include <string.h>

#include "assoc.h"
#include "handlers.h"
#include "herr.h"
#include "jsonw.h"
#include "objects.h"
#include "pvals.h"
#include "record.h"
#include "write.h"

#define DUMP_PAGE 500

void h_ctl_health(fh_req *r)
{
    resp_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "baseUrl", r->portal->base_url));
}

void h_ctl_stats(fh_req *r)
{
    fh_portal *p = r->portal;
    json_t *j = stats_json(p->stats);
    limiter_stats(p->limiter, portal_day(time_now_ms()), j);
    json_object_set_new(j, "faults", faults_stats(p->faults));
    resp_json(r, 200, j);
}

void h_ctl_edit(fh_req *r)
{
    fh_portal *p = r->portal;
    json_t *body = req_json(r);
    const char *type = json_string_value(json_object_get(body, "objectType"));
    json_t *idv = json_object_get(body, "id");
    const fh_otype *t = type ? model_type(&p->model, type) : NULL;
    char buf[24];
    const char *id = json_is_integer(idv) ? (fmt_i64(json_integer_value(idv), buf), buf)
                                          : json_string_value(idv);
    int64_t n;
    if (!t || !id || !parse_record_id(id, &n) || !json_is_object(json_object_get(body, "properties"))) {
        herr_bad_request(r, "The body must be {\"objectType\", \"id\", \"properties\":{…}}");
        return;
    }
    fh_writer w;
    writer_ui(p, &w);
    fh_changes ch = {0};
    fh_wfail f = {0};
    int64_t rid = fh_rid(t->tidx, n);
    portal_lock(p);
    if (!write_check_update(p, t, rid, json_object_get(body, "properties"), &ch, NULL, &f)) {
        portal_unlock(p);
        changes_free(&ch);
        wfail_send(r, &f);
        return;
    }
    int64_t now = portal_write_clock(p);
    bool ok = store_begin(p->store) && write_apply_update(p, t, rid, &ch, &w, now) &&
              store_commit(p->store);
    if (!ok) {
        store_rollback(p->store);
        portal_unlock(p);
        changes_free(&ch);
        herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
        return;
    }
    fh_readopts o;
    write_readopts(t, &ch, &o);
    changes_free(&ch);
    respond_record(r, t, rid, &o, 200);
}

void h_ctl_reset(fh_req *r)
{
    fh_portal *p = r->portal;
    json_t *body = req_json(r);
    bool data = json_is_true(json_object_get(body, "data"));
    stats_reset(p->stats);
    limiter_reset(p->limiter);
    faults_reset_stats(p->faults);
    if (data) {
        char err[512] = "";
        portal_lock(p);
        bool ok = portal_regenerate(p, err, sizeof err);
        portal_unlock(p);
        if (!ok) {
            herr_send(r, 500, "INTERNAL_ERROR", err, NULL);
            return;
        }
    }
    resp_json(r, 200, json_pack("{s:s, s:b}", "status", "ok", "data", data));
}

void h_ctl_config(fh_req *r)
{
    fh_portal *p = r->portal;
    fh_settings s = portal_settings(p);
    if (strcmp(r->method, "POST") == 0) {
        char err[256];
        json_t *body = req_json(r);
        if (!settings_apply_json(&s, body, err, sizeof err)) {
            herr_bad_request(r, "%s", err);
            return;
        }
        portal_set_settings(p, &s);
    }
    resp_json(r, 200, settings_json(&s));
}

/* ,"associations":{"companies":[{"id","types":[…]}]} of one record. */
static void dump_associations(fh_portal *p, int64_t rid, strbuf *sb)
{
    fh_assoc_row *rows;
    int n = store_assoc_all(p->store, rid, &rows);
    int last_type = -1;
    int64_t last = -1;
    strbuf_puts(sb, ",\"associations\":{");
    for (int i = 0; i < n; i++) {
        int ti = fh_rid_tidx(rows[i].to);
        if (ti != last_type) {
            if (last_type >= 0)
                strbuf_puts(sb, "]}],");
            jw_key(sb, p->model.types[ti]->name);
            strbuf_putc(sb, '[');
            last_type = ti;
            last = -1;
        }
        if (rows[i].to != last) {
            strbuf_puts(sb, last >= 0 ? "]},{\"id\":" : "{\"id\":");
            jw_i64str(sb, fh_rid_id(rows[i].to));
            strbuf_puts(sb, ",\"types\":[");
            last = rows[i].to;
        } else {
            strbuf_putc(sb, ',');
        }
        const fh_atype *at = atypes_get(&p->atypes, rows[i].type_id);
        strbuf_puts(sb, "{\"category\":");
        jw_str(sb, at ? atype_category(at) : "HUBSPOT_DEFINED");
        strbuf_puts(sb, ",\"typeId\":");
        jw_i64(sb, rows[i].type_id);
        strbuf_puts(sb, ",\"label\":");
        jw_str(sb, at ? at->label : NULL);
        strbuf_putc(sb, '}');
    }
    if (last_type >= 0)
        strbuf_puts(sb, "]}]");
    strbuf_putc(sb, '}');
    free(rows);
}

void h_ctl_dump(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = model_type(&p->model, r->cap[0]);
    bool archived;
    if (!t) {
        herr_unknown_type(r, r->cap[0]);
        return;
    }
    if (!parse_archived(r, &archived))
        return;
    strbuf *sb = &r->out;
    strbuf_reset(sb);
    strbuf_puts(sb, "{\"results\":[");
    fh_rowset rs = {0};
    fh_readopts o;
    int64_t from = fh_rid(t->tidx, 0), total = 0;
    portal_lock(p);
    memset(&o, 0, sizeof o);
    o.n_props = t->n_props;
    propsel_all(t, &o.props);
    for (;;) {
        rowset_reset(&rs);
        int n = store_rec_list(p->store, t->tidx, archived, from, DUMP_PAGE, &rs);
        for (int i = 0; i < n; i++) {
            if (total++)
                strbuf_putc(sb, ',');
            strbuf extra = {0};
            dump_associations(p, rs.rows[i].rid, &extra);
            record_json(sb, t, &rs, &rs.rows[i], &o, strbuf_str(&extra));
            strbuf_free(&extra);
        }
        if (n < DUMP_PAGE)
            break;
        from = rs.rows[n - 1].rid + 1;
    }
    portal_unlock(p);
    strbuf_puts(sb, "],\"total\":");
    jw_i64(sb, total);
    strbuf_putc(sb, '}');
    resp_out(r, 200);
    rowset_free(&rs);
}

void h_ctl_oauth_code(fh_req *r)
{
    json_t *body = req_json(r);
    char code[128], msg[256];
    const char *err = auth_mint_code(r->portal->auth, json_object_get(body, "scopes"),
                                     json_string_value(json_object_get(body, "redirect_uri")),
                                     code, sizeof code, msg, sizeof msg);
    if (err)
        herr_bad_request(r, "%s: %s", err, msg);
    else
        resp_json(r, 200, json_pack("{s:s}", "code", code));
}
