/* filter_sql.c — property keys, typed values, and compiling a filter to a
 * parameterised SQL expression over a record table. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter_int.h"
#include "records.h"
#include "records_int.h"

/* ---- property keys ------------------------------------------------------------ */

void prop_key_clear(prop_key *k)
{
    if (!k)
        return;
    free(k->col);
    free(k->key);
    free(k->remote);
    free(k->index_tag);
    memset(k, 0, sizeof *k);
}

static char *key_sql(key_kind kind, const char *col)
{
    switch (kind) {
    case KEY_NUMBER: return xasprintf("CAST(%s AS REAL)", col);
    case KEY_DATETIME: return xasprintf("julianday(%s)", col);
    case KEY_DATE:
    case KEY_ID:
    case KEY_MS: return xstrdup(col);
    default: return xasprintf("%s COLLATE NOCASE", col);
    }
}

static void pseudo_key(prop_key *k, key_kind kind, const char *col, const char *remote)
{
    k->kind = kind;
    k->col = xstrdup(col);
    k->key = xstrdup(col);
    k->remote = xstrdup(remote);
    k->index_tag = xstrdup(col);
}

static key_kind kind_of(const prop_def *p)
{
    switch (p ? p->type : PROP_STRING) {
    case PROP_NUMBER: return KEY_NUMBER;
    case PROP_DATE: return KEY_DATE;
    case PROP_DATETIME: return KEY_DATETIME;
    default: return KEY_TEXT;
    }
}

ht_status filter_prop_key(store *st, const objmeta *m, const char *name, prop_key *out,
                          ht_error *err)
{
    memset(out, 0, sizeof *out);
    if (strcmp(name, "id") == 0 || strcmp(name, "hs_object_id") == 0) {
        pseudo_key(out, KEY_ID, "id", "hs_object_id");
        return HT_OK;
    }
    if (strcmp(name, "createdAt") == 0) {
        pseudo_key(out, KEY_MS, "created_ms", m->created_prop);
        return HT_OK;
    }
    if (strcmp(name, "updatedAt") == 0) {
        pseudo_key(out, KEY_MS, "updated_ms", m->lastmod_prop);
        return HT_OK;
    }
    const prop_def *p = objmeta_prop(m, name);
    if (!p)
        return ht_error_set(err, HT_NOT_FOUND, "%s have no property '%s'",
                            m->label_plural ? m->label_plural : m->name, name);
    char *col = NULL;
    ht_status s = records_column(st, m, name, false, &col, err);
    if (s != HT_OK)
        return s;
    strbuf c = {0};
    if (col)
        sql_ident(&c, col);
    else
        strbuf_puts(&c, "NULL");
    out->def = p;
    out->kind = kind_of(p);
    out->col = strbuf_detach(&c);
    out->remote = xstrdup(name);
    out->multi = p->multi;
    out->owner = prop_is_owner(p);
    out->stage = m->stage_prop && strcmp(m->stage_prop, name) == 0;
    out->pipeline = m->pipeline_prop && strcmp(m->pipeline_prop, name) == 0;
    static const char *const tags[] = {[KEY_TEXT] = "t", [KEY_NUMBER] = "n",
                                       [KEY_DATE] = "d", [KEY_DATETIME] = "dt"};
    out->index_tag = xasprintf("%s_%s", col ? col : "none", tags[out->kind]);
    out->key = key_sql(out->kind, out->col);
    free(col);
    return HT_OK;
}

void prop_key_mask(prop_key *k)
{
    if (strcmp(k->col, "NULL") == 0)
        return;
    char *masked = xasprintf("+%s", k->col);
    free(k->col);
    free(k->key);
    k->col = masked;
    k->key = key_sql(k->kind, k->col);
}

/* ---- typed values -------------------------------------------------------------- */

void typed_value_clear(typed_value *v)
{
    if (v)
        free(v->text);
    if (v)
        memset(v, 0, sizeof *v);
}

static ht_status bad_value(const filter_value *v, int *col, ht_error *err, const char *why)
{
    if (col)
        *col = v->col;
    return ht_error_set(err, HT_INVALID, "'%s' %s at column %d", v->text, why, v->col);
}

static ht_status enum_value(const prop_key *k, const filter_value *v, typed_value *out,
                            ht_error *err, int *col)
{
    const prop_def *p = k->def;
    const prop_option *o = prop_find_option(p, v->text);
    if (o) {
        out->text = xstrdup(o->value);
        return HT_OK;
    }
    if (p->noptions == 0) {
        out->text = xstrdup(v->text);
        return HT_OK;
    }
    strbuf sb = {0};
    strbuf_printf(&sb, "is not an option of %s (", p->label);
    for (size_t i = 0; i < p->noptions && i < 12; i++)
        strbuf_printf(&sb, "%s%s", i ? ", " : "", p->options[i].value);
    strbuf_puts(&sb, p->noptions > 12 ? ", …)" : ")");
    ht_status s = bad_value(v, col, err, strbuf_str(&sb));
    strbuf_free(&sb);
    return s;
}

static ht_status owner_value(store *st, const filter_value *v, typed_value *out,
                             ht_error *err, int *col)
{
    int64_t n;
    if (str_to_i64(v->text, &n)) {
        out->text = xstrdup(v->text);
        return HT_OK;
    }
    owner o;
    ht_error e;
    if (meta_owner_find(st, v->text, &o, &e) != HT_OK) {
        if (col)
            *col = v->col;
        return ht_error_set(err, HT_INVALID, "%s at column %d", e.message, v->col);
    }
    out->text = o.id;
    o.id = NULL;
    owner_clear(&o);
    return HT_OK;
}

/* Stage (or pipeline) labels name ids; ids pass through. */
static ht_status pipeline_value(const objmeta *m, const prop_key *k, const filter_value *v,
                                typed_value *out, ht_error *err, int *col)
{
    const char *found = NULL;
    for (size_t i = 0; i < m->npipelines && !found; i++) {
        const pipeline *pl = &m->pipelines[i];
        if (k->pipeline && (strcmp(pl->id, v->text) == 0 || strcasecmp(pl->label, v->text) == 0))
            found = pl->id;
        const pipeline_stage *sg = k->stage ? pipeline_find_stage(pl, v->text) : NULL;
        if (sg)
            found = sg->id;
    }
    if (found || m->npipelines == 0) {
        out->text = xstrdup(found ? found : v->text);
        return HT_OK;
    }
    return bad_value(v, col, err, k->stage ? "is not a stage of any pipeline"
                                           : "is not a pipeline");
}

static ht_status bool_value(const filter_value *v, typed_value *out, ht_error *err, int *col)
{
    static const char *const yes[] = {"true", "yes", "1", "on"};
    static const char *const no[] = {"false", "no", "0", "off"};
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcasecmp(v->text, yes[i]) == 0 || strcasecmp(v->text, no[i]) == 0) {
            out->text = xstrdup(strcasecmp(v->text, yes[i]) == 0 ? "true" : "false");
            return HT_OK;
        }
    }
    return bad_value(v, col, err, "is not true or false");
}

static ht_status text_value(store *st, const objmeta *m, const prop_key *k,
                            const filter_value *v, filter_op op, typed_value *out,
                            ht_error *err, int *col)
{
    if (op == FOP_CONTAINS || !k->def) {
        out->text = xstrdup(v->text);
        return HT_OK;
    }
    if (k->owner)
        return owner_value(st, v, out, err, col);
    if (k->stage || k->pipeline)
        return pipeline_value(m, k, v, out, err, col);
    if (k->def->type == PROP_BOOL)
        return bool_value(v, out, err, col);
    if (k->def->type == PROP_ENUM)
        return enum_value(k, v, out, err, col);
    out->text = xstrdup(v->text);
    return HT_OK;
}

static ht_status time_value(const prop_key *k, const filter_value *v, typed_value *out,
                            ht_error *err, int *col)
{
    if (time_parse_date(v->text, &out->ms)) {
        out->whole_day = k->kind != KEY_DATE;
        out->text = xstrdup(v->text);
        return HT_OK;
    }
    if (k->kind == KEY_DATE)
        return bad_value(v, col, err, "is not a date (use YYYY-MM-DD, e.g. 2024-05-01)");
    /* time_parse also takes bare epoch milliseconds; a filter wants a date. */
    if (strchr(v->text, '-') && time_parse(v->text, &out->ms)) {
        out->text = xstrdup(v->text);
        return HT_OK;
    }
    return bad_value(v, col, err, "is not a date or date-time (use 2024-05-01 or "
                                  "2024-05-01T09:30:00Z)");
}

ht_status filter_typed_value(store *st, const objmeta *m, const prop_key *k,
                             const filter_value *v, filter_op op, typed_value *out,
                             ht_error *err, int *col)
{
    memset(out, 0, sizeof *out);
    bool contains = op == FOP_CONTAINS;
    switch (k->kind) {
    case KEY_NUMBER:
        if (contains || str_to_double(v->text, &out->num)) {
            out->text = xstrdup(v->text);
            return HT_OK;
        }
        return bad_value(v, col, err, "is not a number");
    case KEY_ID: {
        int64_t id;
        if (!contains && !records_parse_id(v->text, &id))
            return bad_value(v, col, err, "is not a record id");
        out->num = contains ? 0 : (double)id;
        out->ms = contains ? 0 : id;
        out->text = xstrdup(v->text);
        return HT_OK;
    }
    case KEY_DATE:
    case KEY_DATETIME:
    case KEY_MS:
        if (contains && k->kind == KEY_DATE) {
            out->text = xstrdup(v->text);
            return HT_OK;
        }
        if (contains)
            return bad_value(v, col, err, ": '~' needs a text property, not a date-time");
        return time_value(k, v, out, err, col);
    case KEY_TEXT:
        break;
    }
    return text_value(st, m, k, v, op, out, err, col);
}

/* ---- SQL ------------------------------------------------------------------------- */

void filter_sql_add_param(filter_sql *fs, sql_param p)
{
    fs->params = xrealloc(fs->params, (fs->nparams + 1) * sizeof *fs->params);
    fs->params[fs->nparams++] = p;
}

void filter_sql_clear(filter_sql *fs)
{
    strbuf_free(&fs->where);
    for (size_t i = 0; i < fs->nparams; i++)
        free(fs->params[i].text);
    free(fs->params);
    for (size_t i = 0; i < fs->nsets; i++) {
        free(fs->sets[i].table);
        free(fs->sets[i].match);
    }
    free(fs->sets);
    memset(fs, 0, sizeof *fs);
}

int filter_sql_bind(const filter_sql *fs, sqlite3_stmt *s, int first)
{
    for (size_t i = 0; i < fs->nparams; i++, first++) {
        const sql_param *p = &fs->params[i];
        if (p->kind == SP_TEXT)
            sqlite3_bind_text(s, first, p->text, -1, SQLITE_STATIC);
        else if (p->kind == SP_DOUBLE)
            sqlite3_bind_double(s, first, p->d);
        else
            sqlite3_bind_int64(s, first, p->i);
    }
    return first;
}

static void param_text(filter_sql *fs, const char *t)
{
    filter_sql_add_param(fs, (sql_param){SP_TEXT, xstrdup(t), 0, 0});
}

/* LIKE pattern: text with % _ \ escaped, wrapped as asked. */
static char *like_pattern(const char *pre, const char *text, const char *post)
{
    strbuf sb = {0};
    strbuf_puts(&sb, pre);
    for (const char *p = text; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            strbuf_putc(&sb, '\\');
        strbuf_putc(&sb, *p);
    }
    strbuf_puts(&sb, post);
    return strbuf_detach(&sb);
}

static double julian(int64_t ms)
{
    /* Exactly SQLite's own conversion (it keeps julian days as integer ms). */
    return (double)(ms + 210866760000000LL) / 86400000.0;
}

/* Bind a key value: the right SQL type for the key's kind. */
static void param_key(filter_sql *fs, const prop_key *k, const typed_value *v, int64_t ms)
{
    switch (k->kind) {
    case KEY_NUMBER: filter_sql_add_param(fs, (sql_param){SP_DOUBLE, NULL, v->num, 0}); break;
    case KEY_ID: filter_sql_add_param(fs, (sql_param){SP_INT, NULL, 0, v->ms}); break;
    case KEY_DATETIME: filter_sql_add_param(fs, (sql_param){SP_DOUBLE, NULL, julian(ms), 0}); break;
    case KEY_MS: filter_sql_add_param(fs, (sql_param){SP_INT, NULL, 0, ms}); break;
    default: param_text(fs, v->text); break;
    }
}

/* A date given for a date-time: comparisons against that UTC day. */
static void emit_day(filter_sql *fs, const prop_key *k, filter_op op, const typed_value *v)
{
    int64_t a = v->ms, b = v->ms + 86400000;
    strbuf *w = &fs->where;
    switch (op) {
    case FOP_EQ:
        strbuf_printf(w, "(%s >= ? AND %s < ?)", k->key, k->key);
        param_key(fs, k, v, a);
        param_key(fs, k, v, b);
        return;
    case FOP_NEQ:
        strbuf_printf(w, "(%s IS NULL OR %s < ? OR %s >= ?)", k->col, k->key, k->key);
        param_key(fs, k, v, a);
        param_key(fs, k, v, b);
        return;
    case FOP_LT: strbuf_printf(w, "%s < ?", k->key); param_key(fs, k, v, a); return;
    case FOP_LTE: strbuf_printf(w, "%s < ?", k->key); param_key(fs, k, v, b); return;
    case FOP_GT: strbuf_printf(w, "%s >= ?", k->key); param_key(fs, k, v, b); return;
    default: strbuf_printf(w, "%s >= ?", k->key); param_key(fs, k, v, a); return;
    }
}

static const char *sql_op(filter_op op)
{
    static const char *const ops[] = {[FOP_EQ] = "=", [FOP_NEQ] = "<>", [FOP_LT] = "<",
                                      [FOP_LTE] = "<=", [FOP_GT] = ">", [FOP_GTE] = ">="};
    return ops[op];
}

static void emit_multi(filter_sql *fs, const prop_key *k, filter_op op, const typed_value *v)
{
    /* "a;b;c": match one option exactly, case-insensitively. */
    char *pat = like_pattern("%;", v->text, ";%");
    if (op == FOP_NEQ)
        strbuf_printf(&fs->where, "(%s IS NULL OR (';' || %s || ';') NOT LIKE ? ESCAPE '\\')",
                      k->col, k->col);
    else
        strbuf_printf(&fs->where, "((';' || %s || ';') LIKE ? ESCAPE '\\')", k->col);
    filter_sql_add_param(fs, (sql_param){SP_TEXT, pat, 0, 0});
}

static void emit_one(filter_sql *fs, const prop_key *k, filter_op op, const typed_value *v)
{
    strbuf *w = &fs->where;
    if (op == FOP_CONTAINS) {
        strbuf_printf(w, "%s LIKE ? ESCAPE '\\'", k->col);
        filter_sql_add_param(fs, (sql_param){SP_TEXT, like_pattern("%", v->text, "%"), 0, 0});
    } else if (v->whole_day) {
        emit_day(fs, k, op, v);
    } else if (k->multi && (op == FOP_EQ || op == FOP_NEQ)) {
        emit_multi(fs, k, op, v);
    } else if (op == FOP_NEQ) {
        strbuf_printf(w, "(%s IS NULL OR %s <> ?)", k->col, k->key);
        param_key(fs, k, v, v->ms);
    } else {
        strbuf_printf(w, "%s %s ?", k->key, sql_op(op));
        param_key(fs, k, v, v->ms);
    }
}

typedef struct compile_ctx {
    store         *st;
    const objmeta *m;
    const char    *keep;     /* the only property whose index may drive the query */
    const char    *sets;     /* temp table prefix for quick-search matches, or NULL */
    filter_sql    *fs;
    ht_error      *err;
    int           *col;
} compile_ctx;

static bool is_id_name(const char *p)
{
    return strcmp(p, "id") == 0 || strcmp(p, "hs_object_id") == 0;
}

static bool masked(const compile_ctx *c, const char *prop)
{
    if (!c->keep)
        return false;
    if (is_id_name(prop) && is_id_name(c->keep))
        return false;
    return strcmp(prop, c->keep) != 0;
}

static ht_status compile_node(const compile_ctx *c, const filter *f);

static ht_status compile_in(store *st, const objmeta *m, const prop_key *k, const filter *f,
                            filter_sql *fs, ht_error *err, int *col)
{
    strbuf_putc(&fs->where, '(');
    for (size_t i = 0; i < f->nvalues; i++) {
        typed_value v;
        ht_status s = filter_typed_value(st, m, k, &f->values[i], FOP_EQ, &v, err, col);
        if (s != HT_OK)
            return s;
        if (i)
            strbuf_puts(&fs->where, " OR ");
        emit_one(fs, k, FOP_EQ, &v);
        typed_value_clear(&v);
    }
    strbuf_putc(&fs->where, ')');
    return HT_OK;
}

static ht_status compile_cmp(const compile_ctx *c, const filter *f)
{
    store *st = c->st;
    const objmeta *m = c->m;
    filter_sql *fs = c->fs;
    ht_error *err = c->err;
    int *col = c->col;
    prop_key k;
    ht_status s = filter_prop_key(st, m, f->prop, &k, err);
    if (s == HT_NOT_FOUND) {
        if (col)
            *col = f->col;
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err ? err->message : "unknown property");
        return ht_error_set(err, HT_INVALID, "%s (at column %d)", msg, f->col);
    }
    if (s != HT_OK)
        return s;
    if (masked(c, f->prop))
        prop_key_mask(&k);
    if (f->op == FOP_HAS || f->op == FOP_NOT_HAS) {
        strbuf_printf(&fs->where, "%s IS %sNULL", k.col, f->op == FOP_HAS ? "NOT " : "");
    } else if (f->op == FOP_IN) {
        s = compile_in(st, m, &k, f, fs, err, col);
    } else {
        typed_value v;
        s = filter_typed_value(st, m, &k, &f->values[0], f->op, &v, err, col);
        if (s == HT_OK)
            emit_one(fs, &k, f->op, &v);
        typed_value_clear(&v);
    }
    prop_key_clear(&k);
    return s;
}

static ht_status compile_text(const compile_ctx *c, const filter *f)
{
    filter_sql *fs = c->fs;
    const objmeta *m = c->m;
    char *match;
    ht_status s = filter_fts_match(c->st, f->text, &match, c->err);
    if (s != HT_OK)
        return s;
    if (!*match) {
        strbuf_puts(&fs->where, "1");
        free(match);
        return HT_OK;
    }
    /* Masked, the matches are probed while walking the sort order instead
     * of being fetched and sorted. */
    const char *plus = masked(c, "id") ? "+" : "";
    if (!c->sets) {
        strbuf_printf(&fs->where, "%sid IN (SELECT rowid FROM %s WHERE %s MATCH ?)", plus,
                      m->fts, m->fts);
        filter_sql_add_param(fs, (sql_param){SP_TEXT, match, 0, 0});
        return HT_OK;
    }
    fs->sets = xrealloc(fs->sets, (fs->nsets + 1) * sizeof *fs->sets);
    text_set *ts = &fs->sets[fs->nsets];
    ts->table = xasprintf("%s_%zu", c->sets, fs->nsets);
    ts->match = match;
    fs->nsets++;
    strbuf_printf(&fs->where, "%sid IN temp.\"%s\"", plus, ts->table);
    return HT_OK;
}

static ht_status compile_node(const compile_ctx *c, const filter *f)
{
    filter_sql *fs = c->fs;
    switch (f->kind) {
    case FK_CMP:
        return compile_cmp(c, f);
    case FK_TEXT:
        return compile_text(c, f);
    case FK_AND:
    case FK_OR:
        strbuf_putc(&fs->where, '(');
        for (size_t i = 0; i < f->nkids; i++) {
            if (i)
                strbuf_puts(&fs->where, f->kind == FK_AND ? " AND " : " OR ");
            ht_status s = compile_node(c, f->kids[i]);
            if (s != HT_OK)
                return s;
        }
        strbuf_putc(&fs->where, ')');
        return HT_OK;
    }
    return HT_OK;
}

ht_status filter_compile_sql(store *st, const objmeta *m, const filter *f,
                             const char *keep_indexed, filter_sql *out, ht_error *err,
                             int *col)
{
    return filter_compile_sql_sets(st, m, f, keep_indexed, NULL, out, err, col);
}

ht_status filter_compile_sql_sets(store *st, const objmeta *m, const filter *f,
                                  const char *keep_indexed, const char *set_prefix,
                                  filter_sql *out, ht_error *err, int *col)
{
    memset(out, 0, sizeof *out);
    if (col)
        *col = 0;
    if (!f) {
        strbuf_puts(&out->where, "1");
        return HT_OK;
    }
    compile_ctx c = {st, m, keep_indexed, set_prefix, out, err, col};
    ht_status s = compile_node(&c, f);
    if (s != HT_OK)
        filter_sql_clear(out);
    return s;
}

/* ---- quick search ------------------------------------------------------------------ */

typedef struct token_sink {
    strbuf *sb;
    int     n;
} token_sink;

static int collect_token(void *ctx, int flags, const char *tok, int ntok, int start, int end)
{
    token_sink *ts = ctx;
    if (flags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    if (ts->n++)
        strbuf_puts(ts->sb, " AND ");
    strbuf_putc(ts->sb, '"');
    for (int i = 0; i < ntok; i++) {
        if (tok[i] == '"')
            strbuf_putc(ts->sb, '"');
        strbuf_putc(ts->sb, tok[i]);
    }
    strbuf_puts(ts->sb, "\"*");
    return SQLITE_OK;
}

static fts5_api *fts5_api_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(s);
    }
    sqlite3_finalize(s);
    return api;
}

/* The index's own tokenizer splits the words, so what we ask for is
 * exactly what was indexed (detail=none allows no multi-token phrases). */
ht_status filter_fts_match(store *st, const char *text, char **match, ht_error *err)
{
    *match = NULL;
    fts5_api *api = fts5_api_of(st->db);
    void *ud = NULL;
    fts5_tokenizer tk;
    if (!api || api->xFindTokenizer(api, "unicode61", &ud, &tk) != SQLITE_OK)
        return ht_error_set(err, HT_DB, "SQLite's full-text search (FTS5) is not available");
    const char *args[] = {"remove_diacritics", "2"};
    Fts5Tokenizer *t = NULL;
    if (tk.xCreate(ud, args, 2, &t) != SQLITE_OK)
        return ht_error_set(err, HT_DB, "cannot create the search tokenizer");
    strbuf sb = {0};
    token_sink ts = {&sb, 0};
    int rc = tk.xTokenize(t, &ts, FTS5_TOKENIZE_QUERY, text, (int)strlen(text), collect_token);
    tk.xDelete(t);
    if (rc != SQLITE_OK) {
        strbuf_free(&sb);
        return ht_error_set(err, HT_DB, "cannot split the search words");
    }
    *match = strbuf_detach(&sb);
    return HT_OK;
}
