#include "atypes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct std_type {
    int id, from, to;
    const char *label, *name;
    int inverse;
    bool is_default;
    int primary_owner;
    bool user_defined;
} std_type;

#define DEF_PAIR(a, fa, b, fb, na, nb)                          \
    {a, fa, fb, NULL, na, b, true, 0, false},                    \
    {b, fb, fa, NULL, nb, a, true, 0, false}

static const std_type std_types[] = {
    {1, T_CONTACTS, T_COMPANIES, "Primary", "contact_to_company", 2, false, 1, false},
    {2, T_COMPANIES, T_CONTACTS, "Primary", "company_to_contact", 1, false, 2, false},
    DEF_PAIR(279, T_CONTACTS, 280, T_COMPANIES, "contact_to_company_unlabeled",
             "company_to_contact_unlabeled"),
    DEF_PAIR(3, T_DEALS, 4, T_CONTACTS, "deal_to_contact", "contact_to_deal"),
    {5, T_DEALS, T_COMPANIES, "Primary", "deal_to_company", 6, false, 1, false},
    {6, T_COMPANIES, T_DEALS, "Primary", "company_to_deal", 5, false, 2, false},
    DEF_PAIR(341, T_DEALS, 342, T_COMPANIES, "deal_to_company_unlabeled",
             "company_to_deal_unlabeled"),
    DEF_PAIR(15, T_CONTACTS, 16, T_TICKETS, "contact_to_ticket", "ticket_to_contact"),
    {26, T_TICKETS, T_COMPANIES, "Primary", "ticket_to_company", 25, false, 1, false},
    {25, T_COMPANIES, T_TICKETS, "Primary", "company_to_ticket", 26, false, 2, false},
    DEF_PAIR(339, T_TICKETS, 340, T_COMPANIES, "ticket_to_company_unlabeled",
             "company_to_ticket_unlabeled"),
    DEF_PAIR(27, T_DEALS, 28, T_TICKETS, "deal_to_ticket", "ticket_to_deal"),
    DEF_PAIR(19, T_DEALS, 20, T_LINE_ITEMS, "deal_to_line_item", "line_item_to_deal"),
    DEF_PAIR(202, T_NOTES, 201, T_CONTACTS, "note_to_contact", "contact_to_note"),
    DEF_PAIR(190, T_NOTES, 189, T_COMPANIES, "note_to_company", "company_to_note"),
    DEF_PAIR(214, T_NOTES, 213, T_DEALS, "note_to_deal", "deal_to_note"),
    DEF_PAIR(228, T_NOTES, 227, T_TICKETS, "note_to_ticket", "ticket_to_note"),
    DEF_PAIR(194, T_CALLS, 193, T_CONTACTS, "call_to_contact", "contact_to_call"),
    DEF_PAIR(182, T_CALLS, 181, T_COMPANIES, "call_to_company", "company_to_call"),
    DEF_PAIR(206, T_CALLS, 205, T_DEALS, "call_to_deal", "deal_to_call"),
    DEF_PAIR(220, T_CALLS, 219, T_TICKETS, "call_to_ticket", "ticket_to_call"),
    DEF_PAIR(204, T_TASKS, 203, T_CONTACTS, "task_to_contact", "contact_to_task"),
    DEF_PAIR(192, T_TASKS, 191, T_COMPANIES, "task_to_company", "company_to_task"),
    DEF_PAIR(216, T_TASKS, 215, T_DEALS, "task_to_deal", "deal_to_task"),
    DEF_PAIR(230, T_TASKS, 229, T_TICKETS, "task_to_ticket", "ticket_to_task"),
    DEF_PAIR(200, T_MEETINGS, 199, T_CONTACTS, "meeting_event_to_contact", "contact_to_meeting_event"),
    DEF_PAIR(188, T_MEETINGS, 187, T_COMPANIES, "meeting_event_to_company", "company_to_meeting_event"),
    DEF_PAIR(212, T_MEETINGS, 211, T_DEALS, "meeting_event_to_deal", "deal_to_meeting_event"),
    DEF_PAIR(226, T_MEETINGS, 225, T_TICKETS, "meeting_event_to_ticket", "ticket_to_meeting_event"),
    DEF_PAIR(198, T_EMAILS, 197, T_CONTACTS, "email_to_contact", "contact_to_email"),
    DEF_PAIR(186, T_EMAILS, 185, T_COMPANIES, "email_to_company", "company_to_email"),
    DEF_PAIR(210, T_EMAILS, 209, T_DEALS, "email_to_deal", "deal_to_email"),
    DEF_PAIR(224, T_EMAILS, 223, T_TICKETS, "email_to_ticket", "ticket_to_email"),
    DEF_PAIR(64, T_QUOTES, 63, T_DEALS, "quote_to_deal", "deal_to_quote"),
    DEF_PAIR(67, T_QUOTES, 68, T_LINE_ITEMS, "quote_to_line_item", "line_item_to_quote"),
    DEF_PAIR(69, T_QUOTES, 70, T_CONTACTS, "quote_to_contact", "contact_to_quote"),
    DEF_PAIR(71, T_QUOTES, 72, T_COMPANIES, "quote_to_company", "company_to_quote"),
    /* A custom object's associations are defined with its schema. */
    {1001, T_CUSTOM, T_CONTACTS, NULL, "vehicle_to_contact", 1002, true, 0, true},
    {1002, T_CONTACTS, T_CUSTOM, NULL, "contact_to_vehicle", 1001, true, 0, true},
};

/* Labels made through the API get ids from here on. */
#define FIRST_LABEL_ID 1010

static fh_atype *push(fh_atypes *a)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->v = xrealloc(a->v, sizeof *a->v * (size_t)a->cap);
    }
    fh_atype *t = &a->v[a->n++];
    memset(t, 0, sizeof *t);
    return t;
}

void atypes_init(fh_atypes *a)
{
    memset(a, 0, sizeof *a);
    a->next_id = FIRST_LABEL_ID;
    for (size_t i = 0; i < ARRAY_SIZE(std_types); i++) {
        const std_type *s = &std_types[i];
        fh_atype *t = push(a);
        t->id = s->id;
        t->from = s->from;
        t->to = s->to;
        t->user_defined = s->user_defined;
        t->label = s->label ? xstrdup(s->label) : NULL;
        t->name = xstrdup(s->name);
        t->inverse = s->inverse;
        t->is_default = s->is_default;
        t->primary_owner = s->primary_owner;
    }
}

void atypes_free(fh_atypes *a)
{
    for (int i = 0; i < a->n; i++) {
        free(a->v[i].label);
        free(a->v[i].name);
    }
    free(a->v);
    memset(a, 0, sizeof *a);
}

static fh_atype *find(const fh_atypes *a, int id)
{
    for (int i = 0; i < a->n; i++)
        if (a->v[i].id == id && !a->v[i].deleted)
            return &a->v[i];
    return NULL;
}

const fh_atype *atypes_get(const fh_atypes *a, int id)
{
    return find(a, id);
}

const fh_atype *atypes_default(const fh_atypes *a, int from, int to)
{
    for (int i = 0; i < a->n; i++)
        if (a->v[i].is_default && a->v[i].from == from && a->v[i].to == to)
            return &a->v[i];
    return NULL;
}

const char *atype_category(const fh_atype *t)
{
    return t->user_defined ? "USER_DEFINED" : "HUBSPOT_DEFINED";
}

static bool name_taken(const fh_atypes *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (!a->v[i].deleted && strcmp(a->v[i].name, name) == 0)
            return true;
    return false;
}

static fh_atype *add_user_type(fh_atypes *a, int id, int from, int to, const char *label,
                               const char *name, int inverse)
{
    fh_atype *t = push(a);
    t->id = id;
    t->from = from;
    t->to = to;
    t->user_defined = true;
    t->label = xstrdup(label);
    t->name = xstrdup(name);
    t->inverse = inverse;
    return t;
}

const fh_atype *atypes_add_label(fh_atypes *a, int from, int to, const char *label,
                                 const char *name, const char *inverse_label)
{
    if (!atypes_default(a, from, to) || str_empty(label) || str_empty(name) || name_taken(a, name))
        return NULL;
    int id = a->next_id, inv = a->next_id + 1;
    a->next_id += 2;
    char *inv_name = xasprintf("%s_inverse", name);
    add_user_type(a, id, from, to, label, name, inv);
    add_user_type(a, inv, to, from, inverse_label ? inverse_label : label, inv_name, id);
    free(inv_name);
    return find(a, id);
}

bool atypes_relabel(fh_atypes *a, int id, const char *label, const char *inverse_label)
{
    fh_atype *t = find(a, id);
    if (!t || !t->user_defined || !t->label || str_empty(label))
        return false;
    free(t->label);
    t->label = xstrdup(label);
    fh_atype *inv = find(a, t->inverse);
    if (inv && inverse_label) {
        free(inv->label);
        inv->label = xstrdup(inverse_label);
    }
    return true;
}

bool atypes_delete(fh_atypes *a, int id)
{
    fh_atype *t = find(a, id);
    if (!t || !t->user_defined || !t->label)
        return false;
    fh_atype *inv = find(a, t->inverse);
    t->deleted = true;
    if (inv)
        inv->deleted = true;
    return true;
}

json_t *atypes_labels_json(const fh_atypes *a, int from, int to)
{
    json_t *results = json_array();
    for (int i = 0; i < a->n; i++) {
        const fh_atype *t = &a->v[i];
        if (t->deleted || t->from != from || t->to != to)
            continue;
        json_array_append_new(results, json_pack("{s:s, s:i, s:s?}", "category", atype_category(t),
                                                 "typeId", t->id, "label", t->label));
    }
    return json_pack("{s:o}", "results", results);
}

json_t *atypes_saved_json(const fh_atypes *a)
{
    json_t *arr = json_array();
    for (int i = 0; i < a->n; i++) {
        const fh_atype *t = &a->v[i];
        if (t->id < FIRST_LABEL_ID)
            continue;
        json_array_append_new(arr, json_pack("{s:i, s:i, s:i, s:s, s:s, s:i, s:b}", "id", t->id,
                                             "from", t->from, "to", t->to, "label", t->label,
                                             "name", t->name, "inverse", t->inverse,
                                             "deleted", t->deleted));
    }
    return json_pack("{s:i, s:o}", "next_id", a->next_id, "types", arr);
}

void atypes_load(fh_atypes *a, const json_t *saved)
{
    json_t *next = json_object_get(saved, "next_id");
    if (json_is_integer(next))
        a->next_id = (int)json_integer_value(next);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(saved, "types"), i, t) {
        const char *label = json_string_value(json_object_get(t, "label"));
        const char *name = json_string_value(json_object_get(t, "name"));
        if (!label || !name)
            continue;
        fh_atype *x = add_user_type(a, (int)json_integer_value(json_object_get(t, "id")),
                                    (int)json_integer_value(json_object_get(t, "from")),
                                    (int)json_integer_value(json_object_get(t, "to")), label, name,
                                    (int)json_integer_value(json_object_get(t, "inverse")));
        x->deleted = json_is_true(json_object_get(t, "deleted"));
    }
}
