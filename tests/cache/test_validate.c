/* Validation of proposed values against the stored property definitions:
 * every type, the normalised values, and the messages people will read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "util.h"
#include "validate.h"

static fixture fx;

static int setup(void **state)
{
    fx_open(&fx);
    fx_load_meta(fx.st);
    fx_put_json(fx.st, "contacts", "[{\"id\":\"1\",\"properties\":{\"lifecyclestage\":\"customer\"}},"
                "{\"id\":\"2\",\"properties\":{\"lifecyclestage\":\"lead\"}},{\"id\":\"3\",\"properties\":{}}]");
    fx_put_json(fx.st, "companies", "[{\"id\":\"9\",\"properties\":{\"lifecyclestage\":\"customer\"}}]");
    fx_put_json(fx.st, "deals", "[{\"id\":\"20\",\"properties\":{\"pipeline\":\"enterprise\",\"dealstage\":\"ent_new\"}},"
                "{\"id\":\"21\",\"properties\":{\"pipeline\":\"default\",\"dealstage\":\"qualifiedtobuy\"}}]");
    return 0;
}

static int teardown(void **state)
{
    fx_close(&fx);
    return 0;
}

typedef struct vcase {
    const char     *object, *id, *prop, *input;
    validate_status want;
    const char     *value;        /* normalised value when OK/BACKWARDS ("" = NULL) */
    const char     *message;      /* fragment of the message when not OK */
} vcase;

static const vcase cases[] = {
    /* properties that cannot be edited */
    {"contacts", "1", "nosuch", "x", VALIDATE_UNKNOWN_PROPERTY, NULL, "Contacts have no property 'nosuch'"},
    {"contacts", "1", "createdate", "2024-01-01", VALIDATE_READ_ONLY, NULL, "Create Date is set by HubSpot and is read-only"},
    {"contacts", "1", "hs_score", "5", VALIDATE_READ_ONLY, NULL, "Score is calculated by HubSpot (num_employees * 2)"},
    /* clearing */
    {"contacts", "1", "city", "", VALIDATE_OK, "", NULL},
    {"contacts", "1", "num_employees", "   ", VALIDATE_OK, "", NULL},
    /* strings, emails, phones */
    {"contacts", "1", "city", "  Lyon ", VALIDATE_OK, "Lyon", NULL},
    {"contacts", "1", "email", "a.b+c@ex.co.uk", VALIDATE_OK, "a.b+c@ex.co.uk", NULL},
    {"contacts", "1", "email", "ann@", VALIDATE_INVALID, NULL, "'ann@' does not look like an email address"},
    {"contacts", "1", "email", "ann at x.io", VALIDATE_INVALID, NULL, "does not look like an email"},
    {"contacts", "1", "email", "a@b", VALIDATE_INVALID, NULL, "does not look like an email"},
    {"contacts", "1", "email", "a@@b.io", VALIDATE_INVALID, NULL, "does not look like an email"},
    {"contacts", "1", "phone", "+1 (555) 010-0199 ext 12", VALIDATE_OK, "+1 (555) 010-0199 ext 12", NULL},
    {"contacts", "1", "mobilephone", "call me", VALIDATE_INVALID, NULL, "does not look like a phone number"},
    {"contacts", "1", "phone", "12", VALIDATE_INVALID, NULL, "phone number"},
    /* numbers */
    {"contacts", "1", "num_employees", "1500.5", VALIDATE_OK, "1500.5", NULL},
    {"contacts", "1", "num_employees", "-3", VALIDATE_OK, "-3", NULL},
    {"contacts", "1", "num_employees", "1,500", VALIDATE_INVALID, NULL, "Employees is a number: '1,500' is not one"},
    {"contacts", "1", "num_employees", "abc", VALIDATE_INVALID, NULL, "without thousands separators"},
    {"contacts", "1", "num_employees", "0x10", VALIDATE_INVALID, NULL, "is not one"},
    /* dates */
    {"contacts", "1", "birthday", "2024-05-01", VALIDATE_OK, "2024-05-01", NULL},
    {"contacts", "1", "birthday", "2024-05-01T00:00:00Z", VALIDATE_OK, "2024-05-01", NULL},
    {"contacts", "1", "birthday", "1714521600000", VALIDATE_OK, "2024-05-01", NULL},
    {"contacts", "1", "birthday", "2024-05-01T10:00:00Z", VALIDATE_INVALID, NULL, "is not midnight UTC"},
    {"contacts", "1", "birthday", "2024-02-30", VALIDATE_INVALID, NULL, "Birthday is a date: '2024-02-30' is not one"},
    {"contacts", "1", "birthday", "May 1st", VALIDATE_INVALID, NULL, "like 2024-05-01"},
    /* date-times */
    {"contacts", "1", "last_meeting", "2024-05-01 14:30+02:00", VALIDATE_OK, "2024-05-01T12:30:00.000Z", NULL},
    {"contacts", "1", "last_meeting", "2024-05-01", VALIDATE_OK, "2024-05-01T00:00:00.000Z", NULL},
    {"contacts", "1", "last_meeting", "2024-05-01T09:00:00.5Z", VALIDATE_OK, "2024-05-01T09:00:00.500Z", NULL},
    {"contacts", "1", "last_meeting", "tomorrow", VALIDATE_INVALID, NULL, "Last meeting is a date and time"},
    /* booleans */
    {"contacts", "1", "hs_email_optout", "Yes", VALIDATE_OK, "true", NULL},
    {"contacts", "1", "hs_email_optout", "0", VALIDATE_OK, "false", NULL},
    {"contacts", "1", "hs_email_optout", "maybe", VALIDATE_INVALID, NULL, "Opted out is yes or no"},
    /* enumerations: value or label, case-insensitive, normalised */
    {"contacts", "2", "lifecyclestage", "Customer", VALIDATE_OK, "customer", NULL},
    {"contacts", "2", "lifecyclestage", "SALES QUALIFIED LEAD", VALIDATE_OK, "salesqualifiedlead", NULL},
    {"contacts", "2", "lifecyclestage", "golfer", VALIDATE_INVALID, NULL,
     "'golfer' is not an option of Lifecycle Stage. Allowed: Subscriber, Lead, Marketing Qualified Lead (marketingqualifiedlead)"},
    {"contacts", "1", "interests", "Golf; chess;golf", VALIDATE_OK, "golf;chess", NULL},
    {"contacts", "1", "interests", "golf;tennis", VALIDATE_INVALID, NULL, "'tennis' is not an option of Interests. Allowed: Golf, Chess, Sailing"},
    /* owners: id, email or name */
    {"contacts", "1", "hubspot_owner_id", "ana@example.com", VALIDATE_OK, "102", NULL},
    {"contacts", "1", "hubspot_owner_id", "ANA DIAZ", VALIDATE_OK, "102", NULL},
    {"contacts", "1", "hubspot_owner_id", "101", VALIDATE_OK, "101", NULL},
    {"contacts", "1", "hubspot_owner_id", "999", VALIDATE_INVALID, NULL, "Contact owner must be an owner: no owner has the id, email or name '999'"},
    {"contacts", "1", "hubspot_owner_id", "Sam Lee", VALIDATE_INVALID, NULL, "matches several owners: 101 (sam@example.com), 103"},
    /* pipeline stages: only the record's pipeline, by id or label */
    {"deals", "20", "dealstage", "ent_won", VALIDATE_OK, "ent_won", NULL},
    {"deals", "20", "dealstage", "won", VALIDATE_OK, "ent_won", NULL},
    {"deals", "20", "dealstage", "closedwon", VALIDATE_INVALID, NULL,
     "'closedwon' is not a stage of the record's pipeline Enterprise (it belongs to Sales Pipeline). Stages: New (ent_new), Won (ent_won)"},
    {"deals", "21", "dealstage", "Closed won", VALIDATE_OK, "closedwon", NULL},
    {"deals", NULL, "dealstage", "contractsent", VALIDATE_OK, "contractsent", NULL},
    {"deals", "21", "pipeline", "Enterprise", VALIDATE_OK, "enterprise", NULL},
    {"deals", "21", "pipeline", "other", VALIDATE_INVALID, NULL, "'other' is not a pipeline of Deals. Pipelines: Sales Pipeline (default), Enterprise (enterprise)"},
    {"deals", "21", "amount", "12.50", VALIDATE_OK, "12.50", NULL},
    /* lifecycle stage backwards: valid, but HubSpot would ignore it */
    {"contacts", "1", "lifecyclestage", "lead", VALIDATE_BACKWARDS, "lead",
     "HubSpot never moves a lifecycle stage backwards: setting Lifecycle Stage from Customer to Lead would be ignored and Customer kept"},
    {"companies", "9", "lifecyclestage", "Subscriber", VALIDATE_BACKWARDS, "subscriber", "Clear the stage first"},
    {"contacts", "2", "lifecyclestage", "customer", VALIDATE_OK, "customer", NULL},
    {"contacts", "3", "lifecyclestage", "lead", VALIDATE_OK, "lead", NULL},
    {"contacts", NULL, "lifecyclestage", "lead", VALIDATE_OK, "lead", NULL},
    {"contacts", "1", "lifecyclestage", "", VALIDATE_OK, "", NULL},
    /* unknown object */
    {"gizmos", "1", "x", "y", VALIDATE_UNKNOWN_PROPERTY, NULL, "unknown object type 'gizmos'"},
};

static void test_every_type(void **state)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const vcase *c = &cases[i];
        validate_result r;
        validate_status s = validate_value(fx.st, c->object, c->id, c->prop, c->input, &r);
        if (s != c->want || r.status != s)
            fail_msg("%s.%s = '%s': status %d, want %d (%s)", c->object, c->prop, c->input, s,
                     c->want, r.message);
        if (c->value && str_cmp0(r.value, *c->value ? c->value : NULL) != 0)
            fail_msg("%s.%s = '%s': value '%s', want '%s'", c->object, c->prop, c->input,
                     r.value ? r.value : "(null)", c->value);
        if (c->message && !strstr(r.message, c->message))
            fail_msg("%s.%s = '%s': message '%s' lacks '%s'", c->object, c->prop, c->input,
                     r.message, c->message);
        if (s == VALIDATE_OK)
            assert_string_equal(r.message, "");
        validate_result_clear(&r);
    }
}

static void test_values_together(void **state)
{
    /* A create choosing a pipeline: the stage is checked against it. */
    const char *props[] = {"dealname", "dealstage", "pipeline", "amount"};
    const char *ins[] = {"Big", "New", "Enterprise", "10"};
    validate_result r[4];
    assert_int_equal(validate_values(fx.st, "deals", NULL, props, ins, 4, r), VALIDATE_OK);
    assert_string_equal(r[1].value, "ent_new");
    assert_string_equal(r[2].value, "enterprise");
    for (int i = 0; i < 4; i++)
        validate_result_clear(&r[i]);
    /* Moving a deal to another pipeline with one of its stages. */
    const char *p2[] = {"pipeline", "dealstage"}, *i2[] = {"default", "closedlost"};
    assert_int_equal(validate_values(fx.st, "deals", "20", p2, i2, 2, r), VALIDATE_OK);
    validate_result_clear(&r[0]);
    validate_result_clear(&r[1]);
    /* The first failure is reported; each result says its own. */
    const char *p3[] = {"amount", "dealstage"}, *i3[] = {"lots", "ent_new"};
    assert_int_equal(validate_values(fx.st, "deals", "21", p3, i3, 2, r), VALIDATE_INVALID);
    assert_int_equal(r[0].status, VALIDATE_INVALID);
    assert_int_equal(r[1].status, VALIDATE_INVALID);
    assert_non_null(strstr(r[1].message, "(it belongs to Enterprise)"));
    validate_result_clear(&r[0]);
    validate_result_clear(&r[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type),
        cmocka_unit_test(test_values_together),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
