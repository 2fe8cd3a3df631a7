/* The list window: filters compiled to SQL and run against real data must
 * give exactly the records a straightforward C evaluation of the same
 * expression gives; pages walked forwards and backwards with every sort type
 * (ties, empties, both directions, with and without the sort index) must
 * reproduce the full expected order; pending edits and local creates show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fixture.h"
#include "query.h"
#include "store_int.h"
#include "util.h"

#define N 240
enum { P_FIRST, P_LAST, P_EMAIL, P_CITY, P_EMP, P_BDAY, P_CREATED, P_STAGE, P_PHONE,
       P_INTERESTS, P_OPTOUT, NPROPS };
static const char *const prop_names[NPROPS] = {
    "firstname", "lastname", "email", "city", "num_employees", "birthday", "createdate",
    "lifecyclestage", "phone", "interests", "hs_email_optout",
};

typedef struct contact {
    int64_t     id;
    const char *v[NPROPS];
    char        idtext[32];
    char        email[64];
    bool        archived;
} contact;

static contact data[N];
static fixture fx;
static int filter_plans;       /* queries that took the filter plan */

static const char *pick(const char *const *list, size_t n, unsigned k)
{
    return list[k % n];
}

static void make_data(void)
{
    static const char *const first[] = {"Ann", "ann", "Bob", "\xc3\x89mile", "Zo\xc3\xab", "carl", NULL, "Anna", "bob"};
    static const char *const last[] = {"Lee", "lee", "Smith", NULL, "M\xc3\xbcller", "Garcia"};
    static const char *const city[] = {"Paris", "paris", "New York", "York", "Berlin", NULL, "Yorkshire", "new york"};
    static const char *const emp[] = {"9", "10", "100", "-5", "2.5", NULL, "10", "1000", "99.5", "0"};
    static const char *const bday[] = {"1990-01-31", "1985-12-01", NULL, "2000-02-29", "1990-01-31", "1970-06-15"};
    static const char *const created[] = {
        "2024-05-01T00:00:00Z", "2024-05-01T23:59:59.999Z", "2024-05-02T00:00:00.000Z",
        "2024-04-30T23:59:59.999Z", "2024-03-05T10:00:00.120Z", "2024-03-05T10:00:00.12Z",
        "2023-12-31T12:00:00Z", NULL, "2024-05-01T12:30:00+02:00", "2024-06-15T08:00:00.000Z",
        "2024-05-01T09:00:00.000Z"};
    static const char *const stage[] = {"lead", "customer", "subscriber", NULL, "opportunity", "lead"};
    static const char *const phone[] = {"+1 555 0100", NULL, "+33 1 23 45 67 89", NULL, "555-0199"};
    static const char *const interests[] = {"golf;chess", "chess", NULL, "sailing;golf", "golf", "chessboxing"};
    static const char *const optout[] = {"true", "false", NULL};
    for (int i = 0; i < N; i++) {
        contact *c = &data[i];
        memset(c, 0, sizeof *c);
        c->id = 7 * i + 3;
        snprintf(c->idtext, sizeof c->idtext, "%lld", (long long)c->id);
        unsigned k = (unsigned)i;
        c->v[P_FIRST] = pick(first, 9, k);
        c->v[P_LAST] = pick(last, 6, k / 3 + k);
        snprintf(c->email, sizeof c->email, "%s%d@ex%d.com", i % 5 ? "user" : "annie", i, i % 4);
        c->v[P_EMAIL] = i % 11 == 4 ? NULL : c->email;
        c->v[P_CITY] = pick(city, 8, k * 3 + 1);
        c->v[P_EMP] = pick(emp, 10, k * 7 + 2);
        c->v[P_BDAY] = pick(bday, 6, k / 2);
        c->v[P_CREATED] = pick(created, 11, k * 5);
        c->v[P_STAGE] = pick(stage, 6, k + k / 6);
        c->v[P_PHONE] = pick(phone, 5, k);
        c->v[P_INTERESTS] = pick(interests, 6, k / 4);
        c->v[P_OPTOUT] = pick(optout, 3, k / 5);
    }
}

static void load_data(void)
{
    const char **values = xcalloc(N * NPROPS, sizeof *values);
    const char **ids = xcalloc(N, sizeof *ids);
    for (int i = 0; i < N; i++) {
        ids[i] = data[i].idtext;
        for (int j = 0; j < NPROPS; j++)
            values[i * NPROPS + j] = data[i].v[j];
    }
    record_batch b = {.props = prop_names, .nprops = NPROPS, .nrecords = N, .ids = ids,
                      .values = values};
    ht_error err;
    record_writer *w = records_writer_open(fx.st, "contacts", &err);
    assert_non_null(w);
    upsert_stats stats = {0};
    if (records_writer_put(w, &b, 0, &stats, &err) != HT_OK)
        fail_msg("put: %s", err.message);
    assert_int_equal(stats.inserted, N);
    records_writer_close(w);
    free(values);
    free(ids);
}

static int setup(void **state)
{
    make_data();
    fx_open(&fx);
    fx_load_meta(fx.st);
    load_data();
    return 0;
}

static int teardown(void **state)
{
    fx_close(&fx);
    return 0;
}

/* ---- reference semantics ----------------------------------------------------------- */

static const char *V(const contact *c, int p) { return c->v[p]; }
static bool has(const contact *c, int p) { return V(c, p) && *V(c, p); }
static bool eqi(const contact *c, int p, const char *s) { return has(c, p) && strcasecmp(V(c, p), s) == 0; }
static double num(const contact *c, int p) { return atof(V(c, p)); }
static int64_t ms(const contact *c, int p)
{
    int64_t t = 0;
    time_parse(V(c, p), &t);
    return t;
}
static bool contains(const contact *c, int p, const char *s)
{
    return has(c, p) && strcasestr(V(c, p), s) != NULL;
}
static bool multi_has(const contact *c, int p, const char *opt)
{
    if (!has(c, p))
        return false;
    char buf[128];
    snprintf(buf, sizeof buf, ";%s;", V(c, p));
    char want[64];
    snprintf(want, sizeof want, ";%s;", opt);
    return strcasestr(buf, want) != NULL;
}

#define DAY(s) ({ int64_t d_; time_parse_date(s, &d_); d_; })

/* Text as the FTS index sees it: lower-case words, accents folded. */
static void fold(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 2 < cap; p++) {
        if (p[0] == 0xc3 && (p[1] == 0x89 || p[1] == 0xa9 || p[1] == 0xab)) {
            out[o++] = 'e';
            p++;
        } else if (p[0] == 0xc3 && p[1] == 0xbc) {
            out[o++] = 'u';
            p++;
        } else {
            out[o++] = isalnum(*p) ? (char)tolower(*p) : ' ';
        }
    }
    out[o] = 0;
}

static bool word_prefix(const contact *c, const char *prefix)
{
    static const int fields[] = {P_FIRST, P_LAST, P_EMAIL, P_PHONE};
    for (size_t f = 0; f < 4; f++) {
        if (!has(c, fields[f]))
            continue;
        char buf[256];
        fold(V(c, fields[f]), buf, sizeof buf);
        for (char *w = strtok(buf, " "); w; w = strtok(NULL, " "))
            if (strncmp(w, prefix, strlen(prefix)) == 0)
                return true;
    }
    return false;
}

typedef bool (*pred)(const contact *);

static bool f_emp_gt(const contact *c) { return has(c, P_EMP) && num(c, P_EMP) > 50; }
static bool f_emp_le(const contact *c) { return has(c, P_EMP) && num(c, P_EMP) <= 9; }
static bool f_emp_eq(const contact *c) { return has(c, P_EMP) && num(c, P_EMP) == 10; }
static bool f_emp_neq(const contact *c) { return !has(c, P_EMP) || num(c, P_EMP) != 10; }
static bool f_city_eq(const contact *c) { return eqi(c, P_CITY, "paris"); }
static bool f_city_neq(const contact *c) { return !eqi(c, P_CITY, "paris"); }
static bool f_city_like(const contact *c) { return contains(c, P_CITY, "york"); }
static bool f_bday_lt(const contact *c) { return has(c, P_BDAY) && strcmp(V(c, P_BDAY), "1990-01-31") < 0; }
static bool f_bday_eq(const contact *c) { return eqi(c, P_BDAY, "1990-01-31"); }
static bool f_created_day(const contact *c)
{
    return has(c, P_CREATED) && ms(c, P_CREATED) >= DAY("2024-05-01") &&
           ms(c, P_CREATED) < DAY("2024-05-02");
}
static bool f_created_gt_day(const contact *c) { return has(c, P_CREATED) && ms(c, P_CREATED) >= DAY("2024-05-02"); }
static bool f_created_le_day(const contact *c) { return has(c, P_CREATED) && ms(c, P_CREATED) < DAY("2024-05-02"); }
static bool f_created_neq_day(const contact *c) { return !f_created_day(c); }
static bool f_created_exact(const contact *c)
{
    int64_t t;
    time_parse("2024-03-05T10:00:00.120Z", &t);
    return has(c, P_CREATED) && ms(c, P_CREATED) == t;
}
static bool f_created_gte_dt(const contact *c)
{
    int64_t t;
    time_parse("2024-05-01T10:30:00Z", &t);
    return has(c, P_CREATED) && ms(c, P_CREATED) >= t;
}
static bool f_stage_in(const contact *c) { return eqi(c, P_STAGE, "lead") || eqi(c, P_STAGE, "customer"); }
static bool f_has_phone(const contact *c) { return has(c, P_PHONE); }
static bool f_no_phone(const contact *c) { return !has(c, P_PHONE); }
static bool f_interest(const contact *c) { return multi_has(c, P_INTERESTS, "chess"); }
static bool f_interest_neq(const contact *c) { return !multi_has(c, P_INTERESTS, "golf"); }
static bool f_optout(const contact *c) { return eqi(c, P_OPTOUT, "true"); }
static bool f_prec(const contact *c) { return eqi(c, P_CITY, "paris") || (f_emp_gt(c) && f_has_phone(c)); }
static bool f_paren(const contact *c) { return (eqi(c, P_CITY, "paris") || f_emp_gt(c)) && f_has_phone(c); }
static bool f_text_ann(const contact *c) { return word_prefix(c, "ann"); }
static bool f_text_emile(const contact *c) { return word_prefix(c, "emile"); }
static bool f_text_and(const contact *c) { return word_prefix(c, "ann") && eqi(c, P_CITY, "york"); }
static bool f_id(const contact *c) { return c->id == 10 || c->id == 17 || c->id == 1000; }
static bool f_first_in(const contact *c) { return eqi(c, P_FIRST, "ann") || eqi(c, P_FIRST, "bob"); }
static bool f_first_lt(const contact *c) { return has(c, P_FIRST) && strcasecmp(V(c, P_FIRST), "bz") < 0; }
static bool f_all(const contact *c) { return true; }
static bool f_mixed_or(const contact *c)
{
    return (f_created_day(c) || eqi(c, P_STAGE, "opportunity")) && !has(c, P_BDAY);
}

typedef struct fcase {
    const char *text;
    pred        p;
} fcase;

static const fcase cases[] = {
    {"", f_all},
    {"num_employees > 50", f_emp_gt},
    {"num_employees <= 9", f_emp_le},
    {"num_employees = 10.0", f_emp_eq},
    {"num_employees != 10", f_emp_neq},
    {"city = PARIS", f_city_eq},
    {"city != paris", f_city_neq},
    {"city ~ york", f_city_like},
    {"birthday < 1990-01-31", f_bday_lt},
    {"birthday = 1990-01-31", f_bday_eq},
    {"createdate = 2024-05-01", f_created_day},
    {"createdate > 2024-05-01", f_created_gt_day},
    {"createdate <= 2024-05-01", f_created_le_day},
    {"createdate != 2024-05-01", f_created_neq_day},
    {"createdate = 2024-03-05T10:00:00.12Z", f_created_exact},
    {"createdate >= 2024-05-01T12:30:00+02:00", f_created_gte_dt},
    {"lifecyclestage in (Lead, customer)", f_stage_in},
    {"has phone", f_has_phone},
    {"!has phone", f_no_phone},
    {"interests = chess", f_interest},
    {"interests != golf", f_interest_neq},
    {"hs_email_optout = yes", f_optout},
    {"city = paris or num_employees > 50 and has phone", f_prec},
    {"(city = paris or num_employees > 50) and has phone", f_paren},
    {"ann", f_text_ann},
    {"\xc3\x89MILE", f_text_emile},
    {"ann city = york", f_text_and},
    {"id in (10, 17, 1000)", f_id},
    {"firstname in (ANN, bob)", f_first_in},
    {"firstname < bz", f_first_lt},
    {"(createdate = 2024-05-01 or lifecyclestage = opportunity) and !has birthday", f_mixed_or},
};

/* ---- helpers -------------------------------------------------------------------------- */

static query *open_q(const char *filter, const char *sort, bool desc)
{
    const char *cols[] = {"firstname", "city", "num_employees", "createdate"};
    query_spec spec = {.object = "contacts", .filter = filter, .sort = sort, .descending = desc,
                       .columns = cols, .ncolumns = 4};
    query *q;
    ht_error err;
    int col;
    if (query_open(fx.st, &spec, &q, &err, &col) != HT_OK)
        fail_msg("query_open(%s, %s): %s (col %d)", filter ? filter : "", sort ? sort : "id", err.message, col);
    return q;
}

static size_t expected_ids(pred p, int64_t *out)
{
    size_t n = 0;
    for (int i = 0; i < N; i++)
        if (!data[i].archived && p(&data[i]))
            out[n++] = data[i].id;
    return n;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Every matching id, by walking pages of 7 from the first. */
static size_t walk_all(query *q, int64_t *out)
{
    ht_error err;
    query_page *p;
    size_t n = 0;
    assert_int_equal(query_first(q, 7, &p, &err), HT_OK);
    assert_false(p->more_before);
    for (;;) {
        for (size_t i = 0; i < p->nrows; i++)
            out[n++] = p->rows[i].cursor.id;
        if (!p->more_after) {
            query_page_free(p);
            return n;
        }
        assert_int_equal(p->nrows, 7);
        query_cursor c;
        query_cursor_copy(&c, &p->rows[p->nrows - 1].cursor);
        query_page_free(p);
        assert_int_equal(query_after(q, &c, 7, &p, &err), HT_OK);
        query_cursor_clear(&c);
        assert_true(n <= N);
    }
}

static void test_filters_match_reference(void **state)
{
    int64_t want[N + 1], got[N + 1];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        query *q = open_q(cases[i].text, NULL, false);
        size_t nw = expected_ids(cases[i].p, want);
        size_t ng = walk_all(q, got);
        qsort(got, ng, sizeof *got, cmp_i64);
        filter_plans += query_uses_filter_plan(q);
        if (ng != nw || memcmp(want, got, nw * sizeof *want) != 0) {
            fprintf(stderr, "want:");
            for (size_t k = 0; k < nw; k++)
                fprintf(stderr, " %lld", (long long)want[k]);
            fprintf(stderr, "\ngot: ");
            for (size_t k = 0; k < ng; k++)
                fprintf(stderr, " %lld", (long long)got[k]);
            fail_msg("filter '%s': %zu records, want %zu", cases[i].text, ng, nw);
        }
        int64_t count;
        ht_error err;
        assert_int_equal(query_count(q, &count, &err), HT_OK);
        assert_int_equal(count, (int64_t)nw);
        if (getenv("SHOW_COUNTS"))
            fprintf(stderr, "%-70s %zu\n", cases[i].text, nw);
        /* Every case must select something and leave something out. */
        assert_true(nw > 0);
        assert_true(nw < N || cases[i].text[0] == '\0');
        query_close(q);
    }
}

/* ---- ordering ---------------------------------------------------------------------------- */

typedef struct sort_case {
    const char *prop;
    int         p;          /* data index, -1 for id */
    char        kind;       /* t text, n number, d date, s datetime */
} sort_case;

static const sort_case *cur_sort;
static bool cur_desc;

static int key_cmp(const contact *a, const contact *b)
{
    int p = cur_sort->p;
    switch (cur_sort->kind) {
    case 'n': { double x = num(a, p), y = num(b, p); return x < y ? -1 : x > y; }
    case 's': { int64_t x = ms(a, p), y = ms(b, p); return x < y ? -1 : x > y; }
    case 'd': return strcmp(V(a, p), V(b, p));
    default: return strcasecmp(V(a, p), V(b, p));
    }
}

static int order_cmp(const void *pa, const void *pb)
{
    const contact *a = *(contact *const *)pa, *b = *(contact *const *)pb;
    if (cur_sort->p >= 0) {
        bool ea = !has(a, cur_sort->p), eb = !has(b, cur_sort->p);
        if (ea != eb)
            return ea ? 1 : -1;            /* empties last, both directions */
        int c = ea ? 0 : key_cmp(a, b);
        if (c)
            return cur_desc ? -c : c;
    }
    int c = a->id < b->id ? -1 : a->id > b->id;
    return cur_desc ? -c : c;
}

static size_t expected_order(const sort_case *sc, bool desc, pred p, int64_t *out)
{
    contact *v[N];
    size_t n = 0;
    for (int i = 0; i < N; i++)
        if (!data[i].archived && p(&data[i]))
            v[n++] = &data[i];
    cur_sort = sc;
    cur_desc = desc;
    qsort(v, n, sizeof *v, order_cmp);
    for (size_t i = 0; i < n; i++)
        out[i] = v[i]->id;
    return n;
}

static size_t walk_back(query *q, int64_t *out)
{
    ht_error err;
    query_page *p;
    int64_t tmp[N + 1];
    size_t n = 0;
    assert_int_equal(query_last(q, 5, &p, &err), HT_OK);
    assert_false(p->more_after);
    for (;;) {
        for (size_t i = p->nrows; i-- > 0;)
            tmp[n++] = p->rows[i].cursor.id;
        if (!p->more_before) {
            query_page_free(p);
            break;
        }
        query_cursor c;
        query_cursor_copy(&c, &p->rows[0].cursor);
        query_page_free(p);
        assert_int_equal(query_before(q, &c, 5, &p, &err), HT_OK);
        query_cursor_clear(&c);
        assert_true(n <= N);
    }
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static const sort_case sorts[] = {
    {"id", -1, 'n'},
    {"num_employees", P_EMP, 'n'},
    {"birthday", P_BDAY, 'd'},
    {"createdate", P_CREATED, 's'},
    {"firstname", P_FIRST, 't'},
    {"city", P_CITY, 't'},
};

static void check_order(const sort_case *sc, bool desc, const fcase *fc)
{
    int64_t want[N + 1], got[N + 1];
    size_t nw = expected_order(sc, desc, fc->p, want);
    query *q = open_q(fc->text, sc->prop, desc);
    size_t ng = walk_all(q, got);
    if (ng != nw || memcmp(want, got, nw * sizeof *want) != 0)
        fail_msg("sort %s %s filter '%s': forward walk differs (%zu vs %zu rows)", sc->prop,
                 desc ? "desc" : "asc", fc->text, ng, nw);
    filter_plans += query_uses_filter_plan(q);
    ng = walk_back(q, got);
    if (ng != nw || memcmp(want, got, nw * sizeof *want) != 0)
        fail_msg("sort %s %s filter '%s': backward walk differs", sc->prop,
                 desc ? "desc" : "asc", fc->text);
    /* Jumps and positions agree with the order. */
    ht_error err;
    for (size_t off = 0; off < nw; off += 13) {
        query_page *p;
        assert_int_equal(query_at(q, (int64_t)off, 4, &p, &err), HT_OK);
        for (size_t i = 0; i < p->nrows; i++)
            assert_int_equal(p->rows[i].cursor.id, want[off + i]);
        assert_int_equal(p->more_after, off + 4 < nw);
        if (p->nrows) {
            int64_t pos;
            assert_int_equal(query_position(q, &p->rows[0].cursor, &pos, &err), HT_OK);
            assert_int_equal(pos, (int64_t)off);
        }
        query_page_free(p);
    }
    query_close(q);
}

static void test_sorted_pages(void **state)
{
    static const fcase some[] = {
        {"", f_all},
        {"has phone", f_has_phone},
        {"city != paris", f_city_neq},
        {"ann", f_text_ann},
        {"(city = paris or num_employees > 50) and has phone", f_paren},
    };
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t s = 0; s < sizeof sorts / sizeof sorts[0]; s++) {
            for (int desc = 0; desc < 2; desc++)
                for (size_t f = 0; f < sizeof some / sizeof some[0]; f++)
                    check_order(&sorts[s], desc, &some[f]);
            if (pass == 0) {
                /* Second pass: the same with the sort index built. */
                ht_error err;
                int64_t built;
                assert_int_equal(query_ensure_index(fx.st, "contacts", sorts[s].prop, &built,
                                                    &err), HT_OK);
            }
        }
    }
    query *q = open_q(NULL, "num_employees", false);
    assert_false(query_needs_index(q));
    query_close(q);
    q = open_q(NULL, "lastname", false);
    assert_true(query_needs_index(q));
    query_close(q);
}

/* With a budget too small for any page, every filtered query takes the
 * filter plan (SQLite drives from the filter, then sorts): same answers. */
static void test_filter_plan_same_results(void **state)
{
    filter_plans = 0;
    fx.st->plan_budget = 1;
    store_set_progress_period(fx.st, 1);
    test_filters_match_reference(state);
    static const fcase some[] = {
        {"has phone", f_has_phone},
        {"ann", f_text_ann},
        {"(city = paris or num_employees > 50) and has phone", f_paren},
        {"city != paris", f_city_neq},
    };
    for (size_t s = 0; s < sizeof sorts / sizeof sorts[0]; s++)
        for (int desc = 0; desc < 2; desc++)
            for (size_t f = 0; f < sizeof some / sizeof some[0]; f++)
                check_order(&sorts[s], desc, &some[f]);
    fx.st->plan_budget = 0;
    store_set_progress_period(fx.st, 0);
    /* Every filtered query switched: all but the empty filter, and all 48 walks. */
    int filtered = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        filtered += cases[i].text[0] != '\0';
    assert_int_equal(filter_plans, filtered + 48);
}

/* A query on a reader connection follows what the writer commits: the
 * filter plan's match list and the quick-search sets are rebuilt. */
static void test_fresh_after_writes(void **state)
{
    ht_error err;
    store *rd;
    assert_int_equal(store_open_reader(fx.st, &rd, &err), HT_OK);
    rd->plan_budget = 1;
    store_set_progress_period(rd, 1);
    const char *cols[] = {"city"};
    query_spec spec = {.object = "contacts", .filter = "city = paris", .sort = "firstname",
                       .columns = cols, .ncolumns = 1};
    query *q;
    assert_int_equal(query_open(rd, &spec, &q, &err, NULL), HT_OK);
    query_spec tspec = {.object = "contacts", .filter = "zzfresh", .columns = cols,
                        .ncolumns = 1};
    query *t;
    assert_int_equal(query_open(rd, &tspec, &t, &err, NULL), HT_OK);
    query_page *p;
    assert_int_equal(query_first(q, 1000, &p, &err), HT_OK);
    assert_true(query_uses_filter_plan(q));
    size_t before = p->nrows;
    char victim[32];
    snprintf(victim, sizeof victim, "%s", p->rows[0].id);
    query_page_free(p);
    int64_t n;
    assert_int_equal(query_count(t, &n, &err), HT_OK);
    assert_int_equal(n, 0);

    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", victim, "city", "Lyon", 0, NULL,
                                           &err), HT_OK);
    fx_put_json(fx.st, "contacts", "[{\"id\":\"99001\",\"properties\":{\"firstname\":\"Zzfresh\",\"city\":\"PARIS\"}}]");
    assert_int_equal(query_first(q, 1000, &p, &err), HT_OK);
    assert_int_equal(p->nrows, before);              /* one left, one came */
    bool saw_new = false;
    for (size_t i = 0; i < p->nrows; i++) {
        assert_string_not_equal(p->rows[i].id, victim);
        saw_new |= strcmp(p->rows[i].id, "99001") == 0;
    }
    assert_true(saw_new);
    query_page_free(p);
    assert_int_equal(query_count(t, &n, &err), HT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(query_first(t, 10, &p, &err), HT_OK);
    assert_int_equal(p->nrows, 1);
    assert_string_equal(p->rows[0].id, "99001");
    query_page_free(p);
    query_close(q);
    query_close(t);
    store_close(rd);
    /* Put things back for the tests that follow. */
    const char *gone[] = {"99001"};
    assert_int_equal(records_archive(fx.st, "contacts", gone, 1, &err), HT_OK);
    size_t undone;
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(undone, 1);
}

static void test_columns_and_markers(void **state)
{
    ht_error err;
    /* A queued edit shows as the value, marked, in the list. */
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "3", "city", "Lyon", 0, NULL,
                                           &err), HT_OK);
    char local[32];
    const char *props[] = {"firstname", "city"}, *vals[] = {"Zed", "Oslo"};
    assert_int_equal(outbox_enqueue_create(fx.st, "contacts", props, vals, 2, 0, local, &err),
                     HT_OK);
    assert_string_equal(local, "local-1");
    query *q = open_q("city = lyon or city = oslo", "city", false);
    query_page *p;
    assert_int_equal(query_first(q, 10, &p, &err), HT_OK);
    assert_int_equal(p->nrows, 2);
    assert_string_equal(p->rows[0].id, "3");
    assert_string_equal(p->rows[0].values[1], "Lyon");
    assert_int_equal(p->rows[0].cell_state[1], OB_PENDING);
    assert_int_equal(p->rows[0].cell_state[0], OB_NONE);
    assert_int_equal(p->rows[0].row_state, OB_PENDING);
    assert_string_equal(p->rows[1].id, "local-1");
    assert_string_equal(p->rows[1].values[0], "Zed");
    assert_int_equal(p->rows[1].row_state, OB_PENDING);
    query_page_free(p);
    query_close(q);
    /* Pseudo columns and unknown names. */
    const char *cols[] = {"id", "createdAt", "updatedAt", "lastname"};
    query_spec spec = {.object = "contacts", .filter = "id = 10", .columns = cols, .ncolumns = 4};
    assert_int_equal(query_open(fx.st, &spec, &q, &err, NULL), HT_OK);
    assert_int_equal(query_first(q, 10, &p, &err), HT_OK);
    assert_int_equal(p->nrows, 1);
    assert_string_equal(p->rows[0].values[0], "10");
    assert_null(p->rows[0].values[1]);
    query_page_free(p);
    query_close(q);
    const char *bad[] = {"nosuch"};
    spec.columns = bad;
    spec.ncolumns = 1;
    assert_int_equal(query_open(fx.st, &spec, &q, &err, NULL), HT_INVALID);
    assert_non_null(strstr(err.message, "nosuch"));
    spec.ncolumns = 0;
    spec.sort = "nosuch";
    assert_int_equal(query_open(fx.st, &spec, &q, &err, NULL), HT_INVALID);
    int col;
    spec.sort = NULL;
    spec.filter = "city = paris and";
    assert_int_equal(query_open(fx.st, &spec, &q, &err, &col), HT_INVALID);
    assert_int_equal(col, 17);
    spec.filter = "nosuch = 1";
    assert_int_equal(query_open(fx.st, &spec, &q, &err, &col), HT_INVALID);
    assert_int_equal(col, 1);
    /* Undo both so later tests see the original data. */
    size_t undone;
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(undone, 3);
    assert_int_equal(outbox_undo_last(fx.st, &undone, &err), HT_OK);
    assert_int_equal(undone, 1);
}

static void test_archived_leave(void **state)
{
    ht_error err;
    const char *ids[] = {"3", "10"};
    assert_int_equal(records_archive(fx.st, "contacts", ids, 2, &err), HT_OK);
    data[0].archived = data[1].archived = true;
    int64_t want[N + 1], got[N + 1];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i += 4) {
        query *q = open_q(cases[i].text, "city", true);
        size_t nw = expected_order(&sorts[5], true, cases[i].p, want);
        size_t ng = walk_all(q, got);
        assert_int_equal(ng, nw);
        assert_memory_equal(want, got, nw * sizeof *want);
        int64_t count;
        assert_int_equal(query_count(q, &count, &err), HT_OK);
        assert_int_equal(count, (int64_t)nw);
        query_close(q);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filters_match_reference),
        cmocka_unit_test(test_sorted_pages),
        cmocka_unit_test(test_filter_plan_same_results),
        cmocka_unit_test(test_fresh_after_writes),
        cmocka_unit_test(test_columns_and_markers),
        cmocka_unit_test(test_archived_leave),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
