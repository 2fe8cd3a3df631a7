/* fixture.c — see fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpdir.h"
#include "util.h"

void fx_open(fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    assert_true(tmpdir_make(fx->dir, sizeof fx->dir, "hubtui-cache-test"));
    snprintf(fx->path, sizeof fx->path, "%s/test.db", fx->dir);
    ht_error err;
    store_options opt = {.dir = fx->dir};
    if (store_open("test", &opt, &fx->st, &err) != HT_OK)
        fail_msg("store_open: %s", err.message);
}

void fx_close(fixture *fx)
{
    store_close(fx->st);
    fx->st = NULL;
    tmpdir_remove(fx->dir);
}

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("bad test JSON at line %d: %s", je.line, je.text);
    return j;
}

#define OPT(v, l, o) "{\"value\":\"" v "\",\"label\":\"" l "\",\"displayOrder\":" #o ",\"hidden\":false}"
#define RO "\"modificationMetadata\":{\"readOnlyValue\":true,\"readOnlyDefinition\":true,\"archivable\":false}"
#define RW "\"modificationMetadata\":{\"readOnlyValue\":false,\"readOnlyDefinition\":false,\"archivable\":true}"

static const char contact_props[] = "["
    "{\"name\":\"firstname\",\"label\":\"First Name\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\",\"displayOrder\":1," RW "},"
    "{\"name\":\"lastname\",\"label\":\"Last Name\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\",\"displayOrder\":2," RW "},"
    "{\"name\":\"email\",\"label\":\"Email\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\",\"hasUniqueValue\":false," RW "},"
    "{\"name\":\"phone\",\"label\":\"Phone Number\",\"type\":\"string\",\"fieldType\":\"phonenumber\",\"groupName\":\"contactinformation\"," RW "},"
    "{\"name\":\"mobilephone\",\"label\":\"Mobile\",\"type\":\"phone_number\",\"fieldType\":\"phonenumber\",\"groupName\":\"contactinformation\"," RW "},"
    "{\"name\":\"company\",\"label\":\"Company Name\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\"," RW "},"
    "{\"name\":\"city\",\"label\":\"City\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\"," RW "},"
    "{\"name\":\"num_employees\",\"label\":\"Employees\",\"type\":\"number\",\"fieldType\":\"number\",\"groupName\":\"contactinformation\"," RW "},"
    "{\"name\":\"birthday\",\"label\":\"Birthday\",\"type\":\"date\",\"fieldType\":\"date\",\"groupName\":\"contactinformation\"," RW "},"
    "{\"name\":\"last_meeting\",\"label\":\"Last meeting\",\"type\":\"datetime\",\"fieldType\":\"date\",\"groupName\":\"salesinfo\"," RW "},"
    "{\"name\":\"createdate\",\"label\":\"Create Date\",\"type\":\"datetime\",\"fieldType\":\"date\",\"groupName\":\"contactinformation\"," RO "},"
    "{\"name\":\"lastmodifieddate\",\"label\":\"Last Modified Date\",\"type\":\"datetime\",\"fieldType\":\"date\",\"groupName\":\"contactinformation\"," RO "},"
    "{\"name\":\"hs_object_id\",\"label\":\"Record ID\",\"type\":\"number\",\"fieldType\":\"number\",\"groupName\":\"contactinformation\"," RO "},"
    "{\"name\":\"hs_email_optout\",\"label\":\"Opted out\",\"type\":\"bool\",\"fieldType\":\"booleancheckbox\",\"groupName\":\"contactinformation\",\"options\":[" OPT("true","Yes",0) "," OPT("false","No",1) "]," RW "},"
    "{\"name\":\"lifecyclestage\",\"label\":\"Lifecycle Stage\",\"type\":\"enumeration\",\"fieldType\":\"radio\",\"groupName\":\"contactinformation\",\"options\":["
        OPT("subscriber","Subscriber",0) "," OPT("lead","Lead",1) "," OPT("marketingqualifiedlead","Marketing Qualified Lead",2) ","
        OPT("salesqualifiedlead","Sales Qualified Lead",3) "," OPT("opportunity","Opportunity",4) "," OPT("customer","Customer",5) "],"
        "\"modificationMetadata\":{\"readOnlyValue\":false,\"readOnlyDefinition\":true,\"archivable\":false}},"
    "{\"name\":\"interests\",\"label\":\"Interests\",\"type\":\"enumeration\",\"fieldType\":\"checkbox\",\"groupName\":\"salesinfo\",\"options\":["
        OPT("golf","Golf",0) "," OPT("chess","Chess",1) "," OPT("sailing","Sailing",2) "]," RW "},"
    "{\"name\":\"hubspot_owner_id\",\"label\":\"Contact owner\",\"type\":\"enumeration\",\"fieldType\":\"select\",\"groupName\":\"salesinfo\",\"referencedObjectType\":\"OWNER\",\"externalOptions\":true,\"options\":[]," RW "},"
    "{\"name\":\"hs_score\",\"label\":\"Score\",\"type\":\"number\",\"fieldType\":\"calculation_equation\",\"calculated\":true,\"calculationFormula\":\"num_employees * 2\",\"groupName\":\"salesinfo\"," RW "}"
    "]";

static const char contact_groups[] = "["
    "{\"name\":\"contactinformation\",\"label\":\"Contact information\",\"displayOrder\":0,\"archived\":false},"
    "{\"name\":\"salesinfo\",\"label\":\"Sales information\",\"displayOrder\":1,\"archived\":false}]";

static const char company_props[] = "["
    "{\"name\":\"name\",\"label\":\"Company name\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"companyinformation\"," RW "},"
    "{\"name\":\"domain\",\"label\":\"Domain\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"companyinformation\"," RW "},"
    "{\"name\":\"lifecyclestage\",\"label\":\"Lifecycle Stage\",\"type\":\"enumeration\",\"fieldType\":\"radio\",\"groupName\":\"companyinformation\",\"options\":["
        OPT("subscriber","Subscriber",0) "," OPT("lead","Lead",1) "," OPT("customer","Customer",5) "]," RW "}"
    "]";

static const char deal_props[] = "["
    "{\"name\":\"dealname\",\"label\":\"Deal Name\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"dealinformation\"," RW "},"
    "{\"name\":\"amount\",\"label\":\"Amount\",\"type\":\"number\",\"fieldType\":\"number\",\"groupName\":\"dealinformation\"," RW "},"
    "{\"name\":\"closedate\",\"label\":\"Close Date\",\"type\":\"datetime\",\"fieldType\":\"date\",\"groupName\":\"dealinformation\"," RW "},"
    "{\"name\":\"pipeline\",\"label\":\"Pipeline\",\"type\":\"enumeration\",\"fieldType\":\"select\",\"groupName\":\"dealinformation\",\"options\":[]," RW "},"
    "{\"name\":\"dealstage\",\"label\":\"Deal Stage\",\"type\":\"enumeration\",\"fieldType\":\"radio\",\"groupName\":\"dealinformation\",\"options\":[]," RW "},"
    "{\"name\":\"hubspot_owner_id\",\"label\":\"Deal owner\",\"type\":\"enumeration\",\"fieldType\":\"select\",\"groupName\":\"dealinformation\",\"referencedObjectType\":\"OWNER\",\"options\":[]," RW "}"
    "]";

#define STAGE(id, label, order, prob, closed) \
    "{\"id\":\"" id "\",\"label\":\"" label "\",\"displayOrder\":" #order ",\"archived\":false,\"metadata\":{\"probability\":\"" prob "\",\"isClosed\":\"" closed "\"}}"

static const char deal_pipelines[] = "["
    "{\"id\":\"default\",\"label\":\"Sales Pipeline\",\"displayOrder\":0,\"archived\":false,\"stages\":["
        STAGE("appointmentscheduled","Appointment scheduled",0,"0.2","false") ","
        STAGE("qualifiedtobuy","Qualified to buy",1,"0.4","false") ","
        STAGE("contractsent","Contract sent",2,"0.9","false") ","
        STAGE("closedwon","Closed won",3,"1.0","true") ","
        STAGE("closedlost","Closed lost",4,"0.0","true") "]},"
    "{\"id\":\"enterprise\",\"label\":\"Enterprise\",\"displayOrder\":1,\"archived\":false,\"stages\":["
        STAGE("ent_new","New",0,"0.1","false") "," STAGE("ent_won","Won",1,"1.0","true") "]}]";

static const char owners[] = "["
    "{\"id\":\"101\",\"email\":\"sam@example.com\",\"firstName\":\"Sam\",\"lastName\":\"Lee\",\"userId\":9001,\"type\":\"PERSON\",\"archived\":false},"
    "{\"id\":\"102\",\"email\":\"ana@example.com\",\"firstName\":\"Ana\",\"lastName\":\"Diaz\",\"userId\":9002,\"type\":\"PERSON\",\"archived\":false},"
    "{\"id\":\"103\",\"email\":\"sam.lee2@example.com\",\"firstName\":\"Sam\",\"lastName\":\"Lee\",\"userId\":9003,\"type\":\"PERSON\",\"archived\":false}]";

void fx_load_meta(store *st)
{
    ht_error err;
    struct { const char *object; const char *json; ht_status (*fn)(store *, const char *, json_t *, ht_error *); } steps[] = {
        {"contacts", contact_props, meta_store_properties},
        {"contacts", contact_groups, meta_store_property_groups},
        {"companies", company_props, meta_store_properties},
        {"deals", deal_props, meta_store_properties},
        {"deals", deal_pipelines, meta_store_pipelines},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        json_t *j = parse(steps[i].json);
        if (steps[i].fn(st, steps[i].object, j, &err) != HT_OK)
            fail_msg("loading %s metadata: %s", steps[i].object, err.message);
        json_decref(j);
    }
    json_t *o = parse(owners);
    if (meta_store_owners(st, o, &err) != HT_OK)
        fail_msg("owners: %s", err.message);
    json_decref(o);
    json_t *acct = parse("{\"portalId\":4242,\"timeZone\":\"Europe/Paris\",\"companyCurrency\":\"EUR\",\"uiDomain\":\"app.hubspot.com\"}");
    if (meta_store_account(st, acct, &err) != HT_OK)
        fail_msg("account: %s", err.message);
    json_decref(acct);
}

void fx_put_json(store *st, const char *object, const char *json_text)
{
    ht_error err;
    json_t *j = parse(json_text);
    record_writer *w = records_writer_open(st, object, &err);
    if (!w)
        fail_msg("writer: %s", err.message);
    if (records_writer_put_json(w, j, NULL, 0, 0, NULL, &err) != HT_OK)
        fail_msg("put_json: %s", err.message);
    records_writer_close(w);
    json_decref(j);
}

char *fx_record_json(const char *id, ...)
{
    json_t *props = json_object();
    va_list ap;
    va_start(ap, id);
    const char *k;
    while ((k = va_arg(ap, const char *))) {
        const char *v = va_arg(ap, const char *);
        json_object_set_new(props, k, v ? json_string(v) : json_null());
    }
    va_end(ap);
    json_t *rec = json_pack("{s:s, s:o, s:s, s:s, s:b}", "id", id, "properties", props,
                            "createdAt", "2024-01-01T00:00:00.000Z",
                            "updatedAt", "2024-02-01T00:00:00.000Z", "archived", 0);
    char *text = json_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    return text;
}
