#include "generator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "names.h"
#include "pvals.h"
#include "rng.h"

/* Generated history spans 2021-01-01 .. 2025-06-01 (fixed, so the data
 * does not depend on the day it is generated). */
#define GEN_START INT64_C(1609459200000)
#define GEN_END   INT64_C(1748736000000)
#define DAY_MS    INT64_C(86400000)

typedef struct edge {
    int64_t from, to;
    int     type;
} edge;

typedef struct gen {
    fh_portal *p;
    uint64_t   seed;
    fh_counts  c;
    int64_t   *ids[T_BUILTIN_COUNT];
    int64_t    n[T_BUILTIN_COUNT];
    int32_t   *contact_company;   /* primary company index per contact, -1 none */
    int32_t   *deal_contact;      /* first contact index per deal, -1 none */
    int32_t   *line_item_deal;    /* deal index per line item, -1 none */
    double    *deal_total;        /* sum of each deal's line items */
    char     **company_name;      /* per company, kept for contacts and deals */
    char     **company_domain;
    edge      *edges;
    size_t     n_edges, cap_edges;
    strbuf     blob, text;
    bool       failed;
} gen;

void generator_default_counts(fh_counts *c)
{
    if (c->contacts < 0)
        c->contacts = 200;
    int64_t n = c->contacts;
    if (c->companies < 0)
        c->companies = n ? (n / 10 > 0 ? n / 10 : 1) : 0;
    if (c->deals < 0)
        c->deals = n / 4;
    if (c->tickets < 0)
        c->tickets = n / 8;
    if (c->products < 0)
        c->products = n ? (int64_t)fh_n_products : 0;
    if (c->line_items < 0)
        c->line_items = c->deals * 3 / 2;
    if (c->notes < 0)
        c->notes = n / 2;
    if (c->calls < 0)
        c->calls = n / 10;
    if (c->tasks < 0)
        c->tasks = n / 4;
    if (c->custom < 0)
        c->custom = n / 10;
    if (c->quotes < 0)
        c->quotes = c->deals / 5;
    if (c->meetings < 0)
        c->meetings = n / 10;
    if (c->emails < 0)
        c->emails = n / 5;
}

static const fh_otype *type_of(gen *g, int tidx)
{
    return g->p->model.types[tidx];
}

static int P(gen *g, int tidx, const char *name)
{
    const fh_propdef *d = otype_prop(type_of(g, tidx), name);
    return d ? d->pidx : -1;
}

static void put(gen *g, int pidx, const char *s)
{
    if (pidx >= 0 && s)
        pvals_put(&g->blob, pidx, s, strlen(s));
}

static void put_i64(gen *g, int pidx, int64_t v)
{
    char buf[24];
    pvals_put(&g->blob, pidx, buf, fmt_i64(v, buf));
}

static void put_iso(gen *g, int pidx, int64_t ms)
{
    char buf[32];
    fmt_iso(ms, buf);
    put(g, pidx, buf);
}

static void put_date(gen *g, int pidx, int64_t ms)
{
    char buf[32];
    fmt_iso(ms - ms % DAY_MS, buf);
    buf[10] = '\0';
    put(g, pidx, buf);
}

static const char *pick(fh_rng *r, const char *const *pool, size_t n)
{
    return pool[rng_below(r, n)];
}

static void add_edge(gen *g, int64_t from, int64_t to, int type)
{
    if (g->n_edges == g->cap_edges) {
        g->cap_edges = g->cap_edges ? g->cap_edges * 2 : 4096;
        g->edges = xrealloc(g->edges, sizeof *g->edges * g->cap_edges);
    }
    g->edges[g->n_edges++] = (edge){from, to, type};
}

/* Both directions of an association: a→b as type ab, b→a as ba. */
static void link(gen *g, int ta, int64_t ia, int tb, int64_t ib, int ab, int ba)
{
    add_edge(g, fh_rid(ta, g->ids[ta][ia]), fh_rid(tb, g->ids[tb][ib]), ab);
    add_edge(g, fh_rid(tb, g->ids[tb][ib]), fh_rid(ta, g->ids[ta][ia]), ba);
}

static void assign_ids(gen *g, int tidx, int64_t n)
{
    fh_rng r = rng_stream(g->seed, 0x1d5000 + (uint64_t)tidx);
    g->n[tidx] = n;
    g->ids[tidx] = xmalloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    int64_t id = 1 + (int64_t)rng_below(&r, 50);
    for (int64_t i = 0; i < n; i++) {
        g->ids[tidx][i] = id;
        id += 1 + (int64_t)rng_below(&r, 3);
    }
    fh_otype *t = g->p->model.types[tidx];
    t->next_id = n ? g->ids[tidx][n - 1] + 1 + (int64_t)rng_below(&r, 10) : id;
}

/* Creation times rise with the id; the last change follows within months. */
static void times(fh_rng *r, int64_t i, int64_t n, int64_t *created, int64_t *updated)
{
    int64_t span = GEN_END - GEN_START;
    int64_t step = n ? span / n : span;
    *created = GEN_START + (n ? span / n * i : 0) + (int64_t)rng_below(r, (uint64_t)(step > 1 ? step : 1));
    int64_t room = GEN_END - *created;
    int64_t max_age = 200 * DAY_MS;
    *updated = *created + (int64_t)rng_below(r, (uint64_t)(room < max_age ? room : max_age) + 1);
}

static bool insert(gen *g, int tidx, int64_t i, int64_t created, int64_t updated)
{
    if (!store_rec_insert(g->p->store, fh_rid(tidx, g->ids[tidx][i]), created, updated,
                          g->blob.buf, g->blob.len)) {
        g->failed = true;
        return false;
    }
    return true;
}

static const char *owner_id(gen *g, fh_rng *r)
{
    if (rng_chance(r, 0.1))
        return NULL;
    return g->p->model.owners[rng_below(r, 10)].id;
}

static void ascii_slug(strbuf *sb, const char *s)
{
    for (; *s; s++)
        if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
            strbuf_putc(sb, *s);
}

/* A keyed pseudo-random permutation of [0, n): a bijection on the
 * smallest power of two >= n, walked until the value falls inside. Names
 * then look random while every index still gets its own combination. */
static uint64_t permute(uint64_t x, uint64_t n, uint64_t seed)
{
    int bits = 1;
    while ((UINT64_C(1) << bits) < n)
        bits++;
    uint64_t mask = (UINT64_C(1) << bits) - 1, key = rng_mix(seed) & mask;
    do {
        for (int round = 0; round < 3; round++) {
            x = (x * 0x9e3779b97f4a7c15ULL + key) & mask;   /* odd multiplier: bijective */
            x ^= x >> (bits / 2 + 1);
        }
    } while (x >= n);
    return x;
}

/* ---- companies ------------------------------------------------------ */

static const char *const lifecycle_pool[] = {
    "subscriber", "lead", "lead", "lead", "marketingqualifiedlead", "marketingqualifiedlead",
    "salesqualifiedlead", "opportunity", "opportunity", "customer", "customer", "customer",
    "evangelist", "other"};
static const char *const industries[] = {
    "ACCOUNTING", "AIRLINES_AVIATION", "APPAREL_FASHION", "AUTOMOTIVE", "BANKING",
    "BIOTECHNOLOGY", "COMPUTER_SOFTWARE", "CONSTRUCTION", "EDUCATION_MANAGEMENT",
    "FOOD_BEVERAGES", "HOSPITAL_HEALTH_CARE", "INFORMATION_TECHNOLOGY_AND_SERVICES",
    "LOGISTICS_AND_SUPPLY_CHAIN", "MARKETING_AND_ADVERTISING", "RENEWABLES_ENVIRONMENT",
    "RETAIL", "TELECOMMUNICATIONS"};
static const char *const regions[] = {"East", "West", "Nord", "Süd", "Asia", "Iberia", "Benelux",
                                      "Nordics", "Pacific", "Africa"};

/* The company's name and domain; unique for every index. */
static void company_identity(gen *g, int64_t i, strbuf *name, strbuf *domain)
{
    uint64_t combos = fh_n_company_adjectives * fh_n_company_nouns;
    uint64_t j = permute((uint64_t)i % combos, combos, g->seed), k = (uint64_t)i / combos;
    const fh_word *adj = &fh_company_adjectives[j % fh_n_company_adjectives];
    const fh_word *noun = &fh_company_nouns[j / fh_n_company_adjectives];
    strbuf_reset(name);
    strbuf_reset(domain);
    strbuf_printf(name, "%s %s", adj->text, noun->text);
    if (k == 0) {
        const char *suffix = fh_company_suffixes[j % fh_n_company_suffixes];
        if (*suffix)
            strbuf_printf(name, " %s", suffix);
    } else if (k <= ARRAY_SIZE(regions)) {
        strbuf_printf(name, " %s", regions[k - 1]);
    } else {
        strbuf_printf(name, " %llu", (unsigned long long)k);
    }
    ascii_slug(domain, adj->ascii);
    ascii_slug(domain, noun->ascii);
    if (k)
        strbuf_printf(domain, "%llu", (unsigned long long)k);
    strbuf_printf(domain, ".%s", fh_tlds[j % fh_n_tlds]);
}

static void gen_companies(gen *g)
{
    const int T = T_COMPANIES;
    int p_name = P(g, T, "name"), p_domain = P(g, T, "domain"), p_web = P(g, T, "website"),
        p_phone = P(g, T, "phone"), p_ind = P(g, T, "industry"), p_emp = P(g, T, "numberofemployees"),
        p_rev = P(g, T, "annualrevenue"), p_city = P(g, T, "city"), p_country = P(g, T, "country"),
        p_lc = P(g, T, "lifecyclestage"), p_owner = P(g, T, "hubspot_owner_id"),
        p_desc = P(g, T, "description"), p_pub = P(g, T, "is_public"),
        p_year = P(g, T, "founded_year"), p_renew = P(g, T, "renewal_date");
    strbuf name = {0}, domain = {0};
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        company_identity(g, i, &name, &domain);
        g->company_name[i] = xstrdup(name.buf);
        g->company_domain[i] = xstrdup(domain.buf);
        const fh_culture *cu = &fh_cultures[rng_chance(&r, 0.8) ? 0 : rng_below(&r, fh_n_cultures)];
        strbuf_reset(&g->blob);
        put(g, p_name, name.buf);
        put(g, p_domain, domain.buf);
        strbuf_reset(&g->text);
        strbuf_printf(&g->text, "https://www.%s", domain.buf);
        put(g, p_web, g->text.buf);
        if (rng_chance(&r, 0.8)) {
            strbuf_reset(&g->text);
            strbuf_printf(&g->text, "%s %03d %04d", cu->phone_prefix, (int)rng_range(&r, 200, 989),
                          (int)rng_range(&r, 1000, 9999));
            put(g, p_phone, g->text.buf);
        }
        put(g, p_ind, pick(&r, industries, ARRAY_SIZE(industries)));
        put_i64(g, p_emp, rng_range(&r, 2, 12000));
        if (rng_chance(&r, 0.85))
            put_i64(g, p_rev, rng_range(&r, 50, 500000) * 1000);
        put(g, p_city, cu->cities[rng_below(&r, cu->n_cities)]);
        put(g, p_country, cu->country);
        put(g, p_lc, pick(&r, lifecycle_pool, ARRAY_SIZE(lifecycle_pool)));
        put(g, p_owner, owner_id(g, &r));
        if (rng_chance(&r, 0.5)) {
            strbuf_reset(&g->text);
            strbuf_printf(&g->text, "%s serves customers in %s since %d.", name.buf,
                          cu->country, (int)rng_range(&r, 1950, 2022));
            put(g, p_desc, g->text.buf);
        }
        put(g, p_pub, rng_chance(&r, 0.2) ? "true" : "false");
        if (rng_chance(&r, 0.7))
            put_i64(g, p_year, rng_range(&r, 1890, 2023));
        if (rng_chance(&r, 0.3))
            put_date(g, p_renew, GEN_END + (int64_t)rng_below(&r, 400) * DAY_MS);
        insert(g, T, i, created, updated);
    }
    strbuf_free(&name);
    strbuf_free(&domain);
}

/* ---- contacts ------------------------------------------------------- */

/* The (culture, first, last, number) of contact i: a bijection, so every
 * contact gets a distinct address even when names repeat. */
static void person(gen *g, int64_t i, const fh_culture **cu, const fh_word **first,
                   const fh_word **last, uint64_t *k)
{
    uint64_t combos = 0;
    for (size_t c = 0; c < fh_n_cultures; c++)
        combos += fh_cultures[c].n_first * fh_cultures[c].n_last;
    uint64_t j = permute((uint64_t)i % combos, combos, g->seed ^ 0x9e01e);
    *k = (uint64_t)i / combos;
    *cu = &fh_cultures[0];
    *first = &fh_cultures[0].first[0];
    *last = &fh_cultures[0].last[0];
    for (size_t c = 0; c < fh_n_cultures; c++) {
        uint64_t n = fh_cultures[c].n_first * fh_cultures[c].n_last;
        if (j < n) {
            *cu = &fh_cultures[c];
            *first = &fh_cultures[c].first[j % fh_cultures[c].n_first];
            *last = &fh_cultures[c].last[j / fh_cultures[c].n_first];
            return;
        }
        j -= n;
    }
}

static const char *const lead_status[] = {"NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL",
                                          "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED",
                                          "BAD_TIMING"};
static const char *const buying_roles[] = {"BUDGET_HOLDER", "CHAMPION", "DECISION_MAKER",
                                           "END_USER", "EXECUTIVE_SPONSOR", "INFLUENCER"};
static const char *const tiers[] = {"bronze", "silver", "gold", "platinum"};

typedef struct contact_props {
    int first, last, email, phone, mobile, job, company, city, country, lc, lead, owner, roles,
        full, birthday, tier, news;
} contact_props;

static void contact_values(gen *g, const contact_props *cp, fh_rng *r, int64_t i)
{
    const fh_culture *cu;
    const fh_word *first, *last;
    uint64_t k;
    person(g, i, &cu, &first, &last, &k);
    int32_t co = g->contact_company[i];
    put(g, cp->first, first->text);
    bool has_last = rng_chance(r, 0.96);
    if (has_last)
        put(g, cp->last, last->text);
    strbuf_reset(&g->text);
    strbuf_printf(&g->text, "%s.%s", first->ascii, last->ascii);
    if (k)
        strbuf_printf(&g->text, "%llu", (unsigned long long)k);
    if (co >= 0 && rng_chance(r, 0.75)) {
        strbuf_printf(&g->text, "@%s", g->company_domain[co]);
    } else {
        strbuf_printf(&g->text, "@%s", pick(r, fh_free_mail, fh_n_free_mail));
    }
    put(g, cp->email, g->text.buf);
    strbuf_reset(&g->text);
    strbuf_printf(&g->text, "%s%s%s", first->text, has_last ? " " : "", has_last ? last->text : "");
    put(g, cp->full, g->text.buf);
    if (rng_chance(r, 0.7)) {
        strbuf_reset(&g->text);
        strbuf_printf(&g->text, "%s %03d %03d %04d", cu->phone_prefix, (int)rng_range(r, 200, 989),
                      (int)rng_range(r, 200, 999), (int)rng_range(r, 0, 9999));
        put(g, cp->phone, g->text.buf);
    }
    if (rng_chance(r, 0.3)) {
        strbuf_reset(&g->text);
        strbuf_printf(&g->text, "%s 7%02d %03d %04d", cu->phone_prefix, (int)rng_range(r, 0, 99),
                      (int)rng_range(r, 100, 999), (int)rng_range(r, 0, 9999));
        put(g, cp->mobile, g->text.buf);
    }
    if (rng_chance(r, 0.8))
        put(g, cp->job, pick(r, fh_job_titles, fh_n_job_titles));
    if (co >= 0)
        put(g, cp->company, g->company_name[co]);
    put(g, cp->city, cu->cities[rng_below(r, cu->n_cities)]);
    put(g, cp->country, cu->country);
    put(g, cp->lc, pick(r, lifecycle_pool, ARRAY_SIZE(lifecycle_pool)));
    if (rng_chance(r, 0.6))
        put(g, cp->lead, pick(r, lead_status, ARRAY_SIZE(lead_status)));
    put(g, cp->owner, owner_id(g, r));
    if (rng_chance(r, 0.25)) {
        const char *a = pick(r, buying_roles, 3), *b = buying_roles[3 + rng_below(r, 3)];
        strbuf_reset(&g->text);
        if (rng_chance(r, 0.5))
            strbuf_printf(&g->text, "%s;%s", a, b);
        else
            strbuf_puts(&g->text, a);
        put(g, cp->roles, g->text.buf);
    }
    if (rng_chance(r, 0.3))
        put_date(g, cp->birthday, INT64_C(-315619200000) + (int64_t)rng_below(r, 16000) * DAY_MS);
    if (rng_chance(r, 0.4))
        put(g, cp->tier, pick(r, tiers, ARRAY_SIZE(tiers)));
    put(g, cp->news, rng_chance(r, 0.4) ? "true" : "false");
}

static void gen_contacts(gen *g)
{
    const int T = T_CONTACTS;
    contact_props cp = {
        P(g, T, "firstname"), P(g, T, "lastname"), P(g, T, "email"), P(g, T, "phone"),
        P(g, T, "mobilephone"), P(g, T, "jobtitle"), P(g, T, "company"), P(g, T, "city"),
        P(g, T, "country"), P(g, T, "lifecyclestage"), P(g, T, "hs_lead_status"),
        P(g, T, "hubspot_owner_id"), P(g, T, "hs_buying_role"), P(g, T, "hs_full_name_or_email"),
        P(g, T, "birthday"), P(g, T, "customer_tier"), P(g, T, "newsletter_opt_in")};
    fh_store *s = g->p->store;
    int64_t ncomp = g->n[T_COMPANIES];
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        g->contact_company[i] = ncomp && rng_chance(&r, 0.88) ? (int32_t)rng_below(&r, (uint64_t)ncomp) : -1;
        strbuf_reset(&g->blob);
        contact_values(g, &cp, &r, i);
        if (!insert(g, T, i, created, updated))
            break;
        const char *email;
        uint32_t elen;
        if (pvals_find(g->blob.buf, g->blob.len, cp.email, &email, &elen) &&
            !store_uniq_put(s, T, cp.email, email, elen, g->ids[T][i]))
            g->failed = true;
        int32_t co = g->contact_company[i];
        if (co >= 0) {
            link(g, T, i, T_COMPANIES, co, 1, 2);
            link(g, T, i, T_COMPANIES, co, 279, 280);
            if (ncomp > 1 && rng_chance(&r, 0.08))
                link(g, T, i, T_COMPANIES, (co + 1 + (int64_t)rng_below(&r, (uint64_t)ncomp - 1)) % ncomp,
                     279, 280);
        }
    }
}

/* ---- deals and tickets ---------------------------------------------- */

static void gen_deals(gen *g)
{
    const int T = T_DEALS;
    int p_name = P(g, T, "dealname"), p_amount = P(g, T, "amount"), p_close = P(g, T, "closedate"),
        p_pipe = P(g, T, "pipeline"), p_stage = P(g, T, "dealstage"),
        p_owner = P(g, T, "hubspot_owner_id"), p_type = P(g, T, "dealtype"),
        p_desc = P(g, T, "description"), p_prio = P(g, T, "hs_priority"),
        p_closed = P(g, T, "hs_is_closed");
    static const char *const prios[] = {"low", "medium", "high"};
    int np;
    const fh_pipeline *pipes = model_pipelines("deals", &np);
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        int64_t contact = g->n[T_CONTACTS] ? (int64_t)rng_below(&r, (uint64_t)g->n[T_CONTACTS]) : -1;
        int32_t co = contact >= 0 ? g->contact_company[contact] : -1;
        g->deal_contact[i] = (int32_t)contact;
        const fh_pipeline *pl = &pipes[rng_chance(&r, 0.8) || np < 2 ? 0 : 1];
        const fh_stage *st = &pl->stages[rng_below(&r, (uint64_t)pl->n_stages)];
        strbuf_reset(&g->blob);
        strbuf_reset(&g->text);
        if (co >= 0) {
            strbuf_printf(&g->text, "%s – %s", g->company_name[co], pick(&r, fh_deal_kinds, fh_n_deal_kinds));
        } else {
            strbuf_printf(&g->text, "%s #%lld", pick(&r, fh_deal_kinds, fh_n_deal_kinds), (long long)i + 1);
        }
        put(g, p_name, g->text.buf);
        if (rng_chance(&r, 0.9)) {
            int64_t cents = rng_range(&r, 500, 250000) * 100;
            strbuf_reset(&g->text);
            if (rng_chance(&r, 0.2))
                strbuf_printf(&g->text, "%lld.%02d", (long long)(cents / 100), (int)rng_range(&r, 1, 99));
            else
                strbuf_printf(&g->text, "%lld", (long long)(cents / 100));
            put(g, p_amount, g->text.buf);
        }
        put_iso(g, p_close, created + (int64_t)rng_range(&r, 7, 180) * DAY_MS);
        put(g, p_pipe, pl->id);
        put(g, p_stage, st->id);
        put(g, p_closed, st->closed ? "true" : "false");
        put(g, p_owner, owner_id(g, &r));
        put(g, p_type, pl == pipes ? (rng_chance(&r, 0.7) ? "newbusiness" : "existingbusiness")
                                   : "existingbusiness");
        if (rng_chance(&r, 0.3))
            put(g, p_desc, "Discussed scope, pricing and timeline. Next step: legal review.");
        if (rng_chance(&r, 0.5))
            put(g, p_prio, pick(&r, prios, 3));
        if (!insert(g, T, i, created, updated))
            break;
        if (contact >= 0) {
            link(g, T, i, T_CONTACTS, contact, 3, 4);
            if (rng_chance(&r, 0.3))
                link(g, T, i, T_CONTACTS, (int64_t)rng_below(&r, (uint64_t)g->n[T_CONTACTS]), 3, 4);
        }
        if (co >= 0) {
            link(g, T, i, T_COMPANIES, co, 5, 6);
            link(g, T, i, T_COMPANIES, co, 341, 342);
        }
    }
}

static void gen_tickets(gen *g)
{
    const int T = T_TICKETS;
    int p_subj = P(g, T, "subject"), p_content = P(g, T, "content"), p_pipe = P(g, T, "hs_pipeline"),
        p_stage = P(g, T, "hs_pipeline_stage"), p_prio = P(g, T, "hs_ticket_priority"),
        p_cat = P(g, T, "hs_ticket_category"), p_owner = P(g, T, "hubspot_owner_id"),
        p_src = P(g, T, "source_type");
    static const char *const prios[] = {"LOW", "MEDIUM", "MEDIUM", "HIGH", "URGENT"};
    static const char *const cats[] = {"PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST",
                                       "GENERAL_INQUIRY", "BILLING_ISSUE;PRODUCT_ISSUE"};
    static const char *const sources[] = {"EMAIL", "CHAT", "PHONE", "FORM"};
    static const char *const stages[] = {"1", "2", "3", "4", "4"};
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        strbuf_reset(&g->blob);
        const char *subject = pick(&r, fh_ticket_subjects, fh_n_ticket_subjects);
        put(g, p_subj, subject);
        strbuf_reset(&g->text);
        strbuf_printf(&g->text, "Customer wrote: \"%s\".\nSteps tried: restart, clear cache.\n"
                      "Reference: T-%06lld", subject, (long long)i + 1);
        put(g, p_content, g->text.buf);
        put(g, p_pipe, "0");
        put(g, p_stage, pick(&r, stages, ARRAY_SIZE(stages)));
        put(g, p_prio, pick(&r, prios, ARRAY_SIZE(prios)));
        if (rng_chance(&r, 0.8))
            put(g, p_cat, pick(&r, cats, ARRAY_SIZE(cats)));
        put(g, p_owner, owner_id(g, &r));
        put(g, p_src, pick(&r, sources, ARRAY_SIZE(sources)));
        if (!insert(g, T, i, created, updated))
            break;
        if (g->n[T_CONTACTS]) {
            int64_t contact = (int64_t)rng_below(&r, (uint64_t)g->n[T_CONTACTS]);
            link(g, T, i, T_CONTACTS, contact, 16, 15);
            int32_t co = g->contact_company[contact];
            if (co >= 0) {
                link(g, T, i, T_COMPANIES, co, 26, 25);
                link(g, T, i, T_COMPANIES, co, 339, 340);
            }
        }
        if (g->n[T_DEALS] && rng_chance(&r, 0.15))
            link(g, T, i, T_DEALS, (int64_t)rng_below(&r, (uint64_t)g->n[T_DEALS]), 28, 27);
    }
}

/* ---- products, line items, vehicles --------------------------------- */

static void gen_products(gen *g)
{
    const int T = T_PRODUCTS;
    int p_name = P(g, T, "name"), p_desc = P(g, T, "description"), p_price = P(g, T, "price"),
        p_sku = P(g, T, "hs_sku"), p_cost = P(g, T, "hs_cost_of_goods_sold"),
        p_freq = P(g, T, "recurringbillingfrequency");
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        const fh_product_spec *ps = &fh_products[i % (int64_t)fh_n_products];
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        strbuf_reset(&g->blob);
        strbuf_reset(&g->text);
        strbuf_puts(&g->text, ps->name);
        if (i >= (int64_t)fh_n_products)
            strbuf_printf(&g->text, " (v%lld)", (long long)(i / (int64_t)fh_n_products) + 1);
        put(g, p_name, g->text.buf);
        put(g, p_desc, ps->description);
        put(g, p_price, ps->price);
        put(g, p_sku, ps->sku);
        put_i64(g, p_cost, atoi(ps->price) / 3);
        put(g, p_freq, ps->frequency);
        insert(g, T, i, created, updated);
    }
}

static void gen_line_items(gen *g)
{
    const int T = T_LINE_ITEMS;
    int p_name = P(g, T, "name"), p_qty = P(g, T, "quantity"), p_price = P(g, T, "price"),
        p_amount = P(g, T, "amount"), p_pid = P(g, T, "hs_product_id");
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        strbuf_reset(&g->blob);
        int64_t qty = rng_range(&r, 1, 20);
        double amount = 0;
        if (g->n[T_PRODUCTS]) {
            int64_t pi = (int64_t)rng_below(&r, (uint64_t)g->n[T_PRODUCTS]);
            const fh_product_spec *ps = &fh_products[pi % (int64_t)fh_n_products];
            double price = atof(ps->price);
            amount = price * (double)qty;
            put(g, p_name, ps->name);
            put(g, p_price, ps->price);
            put_i64(g, p_pid, g->ids[T_PRODUCTS][pi]);
            strbuf_reset(&g->text);
            strbuf_printf(&g->text, "%.2f", price * (double)qty);
            put(g, p_amount, g->text.buf);
        } else {
            put(g, p_name, "Custom line item");
        }
        put_i64(g, p_qty, qty);
        if (!insert(g, T, i, created, updated))
            break;
        g->line_item_deal[i] = -1;
        if (g->n[T_DEALS]) {
            int64_t deal = (int64_t)rng_below(&r, (uint64_t)g->n[T_DEALS]);
            link(g, T, i, T_DEALS, deal, 20, 19);
            g->line_item_deal[i] = (int32_t)deal;
            g->deal_total[deal] += amount;
        }
    }
}

static void vin_of(uint64_t i, uint64_t seed, char out[18])
{
    static const char chars[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";  /* no I, O, Q */
    static const char *const wmi[] = {"WVW", "JTD", "5YJ", "1FT", "TMB", "VF1", "WBA", "YV1"};
    memcpy(out, wmi[(i + seed) % 8], 3);
    uint64_t v = i;
    for (int k = 16; k >= 9; k--) {  /* the serial part encodes i: unique */
        out[k] = chars[v % 33];
        v /= 33;
    }
    fh_rng r = rng_stream(seed, 0x71d0000 + i);
    for (int k = 3; k < 9; k++)
        out[k] = chars[rng_below(&r, 33)];
    out[17] = '\0';
}

static void gen_vehicles(gen *g)
{
    const int T = T_CUSTOM;
    int p_vin = P(g, T, "vin"), p_make = P(g, T, "make"), p_model = P(g, T, "model"),
        p_year = P(g, T, "year"), p_color = P(g, T, "color"), p_buy = P(g, T, "purchase_date"),
        p_km = P(g, T, "mileage"), p_owner = P(g, T, "hubspot_owner_id");
    static const char *const colors[] = {"black", "white", "silver", "red", "blue", "green"};
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        const fh_vehicle_model *vm = &fh_vehicle_models[rng_below(&r, fh_n_vehicle_models)];
        char vin[18];
        vin_of((uint64_t)i, g->seed, vin);
        strbuf_reset(&g->blob);
        put(g, p_vin, vin);
        put(g, p_make, vm->make);
        put(g, p_model, vm->model);
        put_i64(g, p_year, rng_range(&r, 2008, 2025));
        put(g, p_color, pick(&r, colors, ARRAY_SIZE(colors)));
        if (rng_chance(&r, 0.8))
            put_date(g, p_buy, created - (int64_t)rng_below(&r, 900) * DAY_MS);
        put_i64(g, p_km, rng_range(&r, 0, 250000));
        put(g, p_owner, owner_id(g, &r));
        if (!insert(g, T, i, created, updated))
            break;
        if (!store_uniq_put(g->p->store, T, p_vin, vin, 17, g->ids[T][i]))
            g->failed = true;
        if (g->n[T_CONTACTS])
            link(g, T, i, T_CONTACTS, (int64_t)rng_below(&r, (uint64_t)g->n[T_CONTACTS]), 1001, 1002);
    }
}

/* ---- engagements ---------------------------------------------------- */

/* Associate an engagement with a contact, maybe its company and a deal. */
static void link_engagement(gen *g, fh_rng *r, int T, int64_t i, const int types[6])
{
    if (!g->n[T_CONTACTS])
        return;
    int64_t contact = (int64_t)rng_below(r, (uint64_t)g->n[T_CONTACTS]);
    link(g, T, i, T_CONTACTS, contact, types[0], types[1]);
    int32_t co = g->contact_company[contact];
    if (co >= 0 && rng_chance(r, 0.4))
        link(g, T, i, T_COMPANIES, co, types[2], types[3]);
    if (g->n[T_DEALS] && rng_chance(r, 0.2))
        link(g, T, i, T_DEALS, (int64_t)rng_below(r, (uint64_t)g->n[T_DEALS]), types[4], types[5]);
}

static void gen_notes(gen *g)
{
    const int T = T_NOTES;
    static const int types[6] = {202, 201, 190, 189, 214, 213};
    int p_ts = P(g, T, "hs_timestamp"), p_body = P(g, T, "hs_note_body"),
        p_owner = P(g, T, "hubspot_owner_id");
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        strbuf_reset(&g->blob);
        put_iso(g, p_ts, created);
        put(g, p_body, pick(&r, fh_note_bodies, fh_n_note_bodies));
        put(g, p_owner, owner_id(g, &r));
        if (insert(g, T, i, created, updated))
            link_engagement(g, &r, T, i, types);
    }
}

static void gen_calls(gen *g)
{
    const int T = T_CALLS;
    static const int types[6] = {194, 193, 182, 181, 206, 205};
    static const char *const dirs[] = {"INBOUND", "OUTBOUND"};
    static const char *const statuses[] = {"COMPLETED", "COMPLETED", "BUSY", "NO_ANSWER"};
    int p_ts = P(g, T, "hs_timestamp"), p_title = P(g, T, "hs_call_title"),
        p_body = P(g, T, "hs_call_body"), p_dur = P(g, T, "hs_call_duration"),
        p_dir = P(g, T, "hs_call_direction"), p_status = P(g, T, "hs_call_status"),
        p_owner = P(g, T, "hubspot_owner_id");
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        strbuf_reset(&g->blob);
        put_iso(g, p_ts, created);
        put(g, p_title, pick(&r, fh_call_titles, fh_n_call_titles));
        put(g, p_body, pick(&r, fh_note_bodies, fh_n_note_bodies));
        put_i64(g, p_dur, rng_range(&r, 20, 3600) * 1000);
        put(g, p_dir, pick(&r, dirs, 2));
        put(g, p_status, pick(&r, statuses, ARRAY_SIZE(statuses)));
        put(g, p_owner, owner_id(g, &r));
        if (insert(g, T, i, created, updated))
            link_engagement(g, &r, T, i, types);
    }
}

static void gen_tasks(gen *g)
{
    const int T = T_TASKS;
    static const int types[6] = {204, 203, 192, 191, 216, 215};
    static const char *const statuses[] = {"NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED",
                                           "COMPLETED", "DEFERRED"};
    static const char *const prios[] = {"NONE", "LOW", "MEDIUM", "HIGH"};
    static const char *const kinds[] = {"TODO", "CALL", "EMAIL"};
    int p_ts = P(g, T, "hs_timestamp"), p_subj = P(g, T, "hs_task_subject"),
        p_body = P(g, T, "hs_task_body"), p_status = P(g, T, "hs_task_status"),
        p_prio = P(g, T, "hs_task_priority"), p_type = P(g, T, "hs_task_type"),
        p_owner = P(g, T, "hubspot_owner_id");
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        strbuf_reset(&g->blob);
        put_iso(g, p_ts, created + (int64_t)rng_range(&r, 1, 30) * DAY_MS);
        put(g, p_subj, pick(&r, fh_task_subjects, fh_n_task_subjects));
        if (rng_chance(&r, 0.5))
            put(g, p_body, "<p>See the last call notes.</p>");
        put(g, p_status, pick(&r, statuses, ARRAY_SIZE(statuses)));
        put(g, p_prio, pick(&r, prios, ARRAY_SIZE(prios)));
        put(g, p_type, pick(&r, kinds, ARRAY_SIZE(kinds)));
        put(g, p_owner, owner_id(g, &r));
        if (insert(g, T, i, created, updated))
            link_engagement(g, &r, T, i, types);
    }
}

static void gen_meetings(gen *g)
{
    const int T = T_MEETINGS;
    static const int types[6] = {200, 199, 188, 187, 212, 211};
    static const char *const outcomes[] = {"COMPLETED", "COMPLETED", "COMPLETED", "NO_SHOW",
                                           "CANCELED", "RESCHEDULED", "SCHEDULED"};
    int p_ts = P(g, T, "hs_timestamp"), p_title = P(g, T, "hs_meeting_title"),
        p_body = P(g, T, "hs_meeting_body"), p_notes = P(g, T, "hs_internal_meeting_notes"),
        p_loc = P(g, T, "hs_meeting_location"), p_url = P(g, T, "hs_meeting_external_url"),
        p_start = P(g, T, "hs_meeting_start_time"), p_end = P(g, T, "hs_meeting_end_time"),
        p_outcome = P(g, T, "hs_meeting_outcome"), p_owner = P(g, T, "hubspot_owner_id");
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        /* Booked ahead: the meeting starts on the hour, days after it was made. */
        int64_t start = created + (int64_t)rng_range(&r, 1, 21) * DAY_MS;
        start -= start % 3600000;
        strbuf_reset(&g->blob);
        put_iso(g, p_ts, start);
        put_iso(g, p_start, start);
        put_iso(g, p_end, start + (int64_t)rng_range(&r, 1, 4) * 15 * 60000);
        put(g, p_title, pick(&r, fh_meeting_titles, fh_n_meeting_titles));
        put(g, p_body, pick(&r, fh_note_bodies, fh_n_note_bodies));
        if (rng_chance(&r, 0.3))
            put(g, p_notes, "<p>Prep: bring the pricing sheet.</p>");
        const char *where = pick(&r, fh_meeting_locations, fh_n_meeting_locations);
        put(g, p_loc, where);
        if (where[0] == 'Z' || where[0] == 'G' || where[0] == 'M') {
            strbuf_reset(&g->text);
            strbuf_printf(&g->text, "https://meet.example.com/m-%lld", (long long)g->ids[T][i]);
            put(g, p_url, g->text.buf);
        }
        put(g, p_outcome, pick(&r, outcomes, ARRAY_SIZE(outcomes)));
        put(g, p_owner, owner_id(g, &r));
        if (insert(g, T, i, created, updated))
            link_engagement(g, &r, T, i, types);
    }
}

static void gen_emails(gen *g)
{
    const int T = T_EMAILS;
    static const int types[6] = {198, 197, 186, 185, 210, 209};
    static const char *const sent[] = {"SENT", "SENT", "SENT", "SENT", "SENT", "SENT", "SENT",
                                       "BOUNCED", "FAILED", "SCHEDULED"};
    int p_ts = P(g, T, "hs_timestamp"), p_subj = P(g, T, "hs_email_subject"),
        p_text = P(g, T, "hs_email_text"), p_dir = P(g, T, "hs_email_direction"),
        p_status = P(g, T, "hs_email_status"), p_from = P(g, T, "hs_email_sender_email"),
        p_owner = P(g, T, "hubspot_owner_id");
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        strbuf_reset(&g->blob);
        put_iso(g, p_ts, created);
        put(g, p_subj, pick(&r, fh_email_subjects, fh_n_email_subjects));
        put(g, p_text, pick(&r, fh_email_texts, fh_n_email_texts));
        double d = rng_unit(&r);
        const char *dir = d < 0.6 ? "EMAIL" : d < 0.95 ? "INCOMING_EMAIL" : "FORWARDED_EMAIL";
        put(g, p_dir, dir);
        put(g, p_status, dir[0] == 'I' ? "SENT" : pick(&r, sent, ARRAY_SIZE(sent)));
        const char *owner = owner_id(g, &r);
        put(g, p_owner, owner);
        const fh_owner *o = owner ? model_owner(&g->p->model, owner) : NULL;
        if (o && dir[0] != 'I')
            put(g, p_from, o->email);
        if (insert(g, T, i, created, updated))
            link_engagement(g, &r, T, i, types);
    }
}

/* ---- quotes --------------------------------------------------------- */

/* Quotes for every few deals (one each), with the deal's first contact and
 * its company, and the deal's line items; the amount is their total. */
static void gen_quotes(gen *g)
{
    const int T = T_QUOTES;
    static const char *const statuses[] = {"DRAFT", "APPROVAL_NOT_NEEDED", "APPROVAL_NOT_NEEDED",
                                           "PENDING_APPROVAL", "APPROVED", "REJECTED"};
    int p_title = P(g, T, "hs_title"), p_exp = P(g, T, "hs_expiration_date"),
        p_status = P(g, T, "hs_status"), p_num = P(g, T, "hs_quote_number"),
        p_amount = P(g, T, "hs_quote_amount"), p_cur = P(g, T, "hs_currency"),
        p_lang = P(g, T, "hs_language"), p_esign = P(g, T, "hs_esign_enabled"),
        p_owner = P(g, T, "hubspot_owner_id");
    int64_t nd = g->n[T_DEALS];
    int32_t *deal_quote = xmalloc(sizeof *deal_quote * (size_t)(nd + 1));
    for (int64_t d = 0; d < nd; d++)
        deal_quote[d] = -1;
    int64_t stride = nd && g->n[T] ? (nd / g->n[T] > 0 ? nd / g->n[T] : 1) : 1;
    for (int64_t i = 0; i < g->n[T] && !g->failed; i++) {
        fh_rng r = rng_stream(g->seed, ((uint64_t)T << 40) | (uint64_t)i);
        int64_t created, updated;
        times(&r, i, g->n[T], &created, &updated);
        int64_t deal = nd ? (i * stride + (int64_t)rng_below(&r, (uint64_t)stride)) % nd : -1;
        int32_t contact = deal >= 0 ? g->deal_contact[deal] : -1;
        int32_t co = contact >= 0 ? g->contact_company[contact] : -1;
        strbuf_reset(&g->blob);
        strbuf_reset(&g->text);
        if (co >= 0)
            strbuf_printf(&g->text, "Quote for %s", g->company_name[co]);
        else
            strbuf_printf(&g->text, "Quote %lld", (long long)i + 1);
        put(g, p_title, g->text.buf);
        put_iso(g, p_exp, created + (int64_t)rng_range(&r, 30, 90) * DAY_MS);
        put(g, p_status, pick(&r, statuses, ARRAY_SIZE(statuses)));
        strbuf_reset(&g->text);
        strbuf_printf(&g->text, "Q-%lld", (long long)(100000 + g->ids[T][i]));
        put(g, p_num, g->text.buf);
        if (deal >= 0 && g->deal_total[deal] > 0) {
            strbuf_reset(&g->text);
            strbuf_printf(&g->text, "%.2f", g->deal_total[deal]);
            put(g, p_amount, g->text.buf);
        }
        put(g, p_cur, rng_chance(&r, 0.8) ? "USD" : "EUR");
        put(g, p_lang, rng_chance(&r, 0.85) ? "en" : "de");
        put(g, p_esign, rng_chance(&r, 0.4) ? "true" : "false");
        put(g, p_owner, owner_id(g, &r));
        if (!insert(g, T, i, created, updated))
            break;
        if (deal < 0)
            continue;
        deal_quote[deal] = (int32_t)i;
        link(g, T, i, T_DEALS, deal, 64, 63);
        if (contact >= 0)
            link(g, T, i, T_CONTACTS, contact, 69, 70);
        if (co >= 0)
            link(g, T, i, T_COMPANIES, co, 71, 72);
    }
    for (int64_t li = 0; li < g->n[T_LINE_ITEMS] && !g->failed; li++) {
        int32_t deal = g->line_item_deal[li];
        if (deal >= 0 && deal_quote[deal] >= 0)
            link(g, T, deal_quote[deal], T_LINE_ITEMS, li, 67, 68);
    }
    free(deal_quote);
}

/* ---- associations --------------------------------------------------- */

/* Byte d of an edge's sort key (from, to, type), least significant first:
 * 0-3 the type, 4-11 the target, 12-19 the source (all non-negative). */
enum { EDGE_KEY_BYTES = 20 };

static unsigned edge_byte(const edge *e, int d)
{
    if (d < 4)
        return ((uint32_t)e->type >> (8 * d)) & 0xffu;
    if (d < 12)
        return (unsigned)(((uint64_t)e->to >> (8 * (d - 4))) & 0xffu);
    return (unsigned)(((uint64_t)e->from >> (8 * (d - 12))) & 0xffu);
}

/* LSD radix sort by (from, to, type), skipping the bytes every edge
 * shares (most of them: ids are small). A million edges sort several
 * times faster than with qsort and a comparison callback. */
static void sort_edges(edge *v, size_t n)
{
    if (n < 2)
        return;
    size_t (*count)[256] = xcalloc(EDGE_KEY_BYTES, sizeof *count);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < EDGE_KEY_BYTES; d++)
            count[d][edge_byte(&v[i], d)]++;
    edge *tmp = xmalloc(sizeof *tmp * n), *src = v, *dst = tmp;
    for (int d = 0; d < EDGE_KEY_BYTES; d++) {
        if (count[d][edge_byte(&src[0], d)] == n)
            continue;
        size_t pos[256], sum = 0;
        for (int b = 0; b < 256; b++) {
            pos[b] = sum;
            sum += count[d][b];
        }
        for (size_t i = 0; i < n; i++)
            dst[pos[edge_byte(&src[i], d)]++] = src[i];
        edge *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, sizeof *v * n);
    free(tmp);
    free(count);
}

/* Sorted inserts append to the b-tree, which is several times faster. */
static void write_edges(gen *g)
{
    sort_edges(g->edges, g->n_edges);
    enum { BLOCK = 10000 };
    int64_t *from = xmalloc(sizeof *from * BLOCK), *to = xmalloc(sizeof *to * BLOCK);
    int *type = xmalloc(sizeof *type * BLOCK);
    for (size_t i = 0; i < g->n_edges && !g->failed; i += BLOCK) {
        size_t n = g->n_edges - i < BLOCK ? g->n_edges - i : BLOCK;
        for (size_t k = 0; k < n; k++) {
            from[k] = g->edges[i + k].from;
            to[k] = g->edges[i + k].to;
            type[k] = g->edges[i + k].type;
        }
        if (!store_assoc_add_many(g->p->store, from, to, type, n))
            g->failed = true;
    }
    free(from);
    free(to);
    free(type);
}

bool generator_run(fh_portal *p, char *err, size_t errlen)
{
    gen g;
    memset(&g, 0, sizeof g);
    g.p = p;
    g.seed = p->opt.seed;
    g.c = p->opt.counts;
    const int64_t counts[T_BUILTIN_COUNT] = {
        [T_CONTACTS] = g.c.contacts, [T_COMPANIES] = g.c.companies, [T_DEALS] = g.c.deals,
        [T_TICKETS] = g.c.tickets, [T_PRODUCTS] = g.c.products, [T_LINE_ITEMS] = g.c.line_items,
        [T_NOTES] = g.c.notes, [T_CALLS] = g.c.calls, [T_TASKS] = g.c.tasks,
        [T_CUSTOM] = g.c.custom, [T_QUOTES] = g.c.quotes, [T_MEETINGS] = g.c.meetings,
        [T_EMAILS] = g.c.emails};
    for (int t = 0; t < T_BUILTIN_COUNT; t++)
        assign_ids(&g, t, counts[t] > 0 ? counts[t] : 0);
    g.contact_company = xmalloc(sizeof(int32_t) * (size_t)(g.n[T_CONTACTS] + 1));
    g.deal_contact = xmalloc(sizeof(int32_t) * (size_t)(g.n[T_DEALS] + 1));
    g.line_item_deal = xmalloc(sizeof(int32_t) * (size_t)(g.n[T_LINE_ITEMS] + 1));
    g.deal_total = xcalloc((size_t)g.n[T_DEALS] + 1, sizeof *g.deal_total);
    g.company_name = xcalloc((size_t)g.n[T_COMPANIES] + 1, sizeof *g.company_name);
    g.company_domain = xcalloc((size_t)g.n[T_COMPANIES] + 1, sizeof *g.company_domain);
    if (!store_begin(p->store)) {
        snprintf(err, errlen, "cannot begin: %s", store_errmsg(p->store));
        return false;
    }
    bool profile = getenv("FAKEHUB_PROFILE") != NULL;
    int64_t t0 = time_mono_ms();
#define PHASE(call)                                                                     \
    do {                                                                                \
        call;                                                                           \
        if (profile)                                                                    \
            fprintf(stderr, "fakehub: %-22s %6lld ms\n", #call, (long long)(time_mono_ms() - t0)); \
        t0 = time_mono_ms();                                                            \
    } while (0)
    PHASE(gen_companies(&g));
    PHASE(gen_contacts(&g));
    PHASE(gen_deals(&g));
    PHASE(gen_tickets(&g));
    PHASE(gen_products(&g));
    PHASE(gen_line_items(&g));
    PHASE(gen_vehicles(&g));
    PHASE(gen_notes(&g));
    PHASE(gen_calls(&g));
    PHASE(gen_tasks(&g));
    PHASE(gen_quotes(&g));
    PHASE(gen_meetings(&g));
    PHASE(gen_emails(&g));
    PHASE(write_edges(&g));
    bool ok = !g.failed;
    PHASE(ok = ok && store_commit(p->store));
#undef PHASE
    if (!ok) {
        snprintf(err, errlen, "generating data failed: %s", store_errmsg(p->store));
        store_rollback(p->store);
    }
    for (int t = 0; t < T_BUILTIN_COUNT; t++)
        free(g.ids[t]);
    free(g.contact_company);
    free(g.deal_contact);
    free(g.line_item_deal);
    free(g.deal_total);
    for (int64_t i = 0; i < g.n[T_COMPANIES]; i++) {
        free(g.company_name[i]);
        free(g.company_domain[i]);
    }
    free(g.company_name);
    free(g.company_domain);
    free(g.edges);
    strbuf_free(&g.blob);
    strbuf_free(&g.text);
    return ok;
}
