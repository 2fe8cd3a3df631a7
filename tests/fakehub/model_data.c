/* model_data.c — the standard HubSpot types and their property definitions,
 * as data. A subset of what a real portal has, chosen to exercise every
 * property type, field type and flag a client must handle. */
#include "model_data.h"

#define COMMON(group, created, updated)                                                     \
    {"hs_object_id", "Record ID", "number", "number", group, F_RO, NULL},                    \
    {created, "Create Date", "datetime", "date", group, F_RO, NULL},                        \
    {updated, "Last Modified Date", "datetime", "date", group, F_RO, NULL}

#define OWNER(group, label) {"hubspot_owner_id", label, "enumeration", "select", group, F_OWNER, NULL}
#define BOOL_OPTS "true=Yes|false=No"
#define LIFECYCLE_OPTS                                                                      \
    "subscriber=Subscriber|lead=Lead|marketingqualifiedlead=Marketing Qualified Lead|"      \
    "salesqualifiedlead=Sales Qualified Lead|opportunity=Opportunity|customer=Customer|"    \
    "evangelist=Evangelist|other=Other"

static const prop_spec contact_props[] = {
    COMMON("contactinformation", "createdate", "lastmodifieddate"),
    {"firstname", "First Name", "string", "text", "contactinformation", F_QUERY | F_DEF, NULL},
    {"lastname", "Last Name", "string", "text", "contactinformation", F_QUERY | F_DEF, NULL},
    {"email", "Email", "string", "text", "contactinformation", F_QUERY | F_DEF | F_UNIQUE, NULL},
    {"phone", "Phone Number", "string", "phonenumber", "contactinformation", F_QUERY, NULL},
    {"mobilephone", "Mobile Phone Number", "string", "phonenumber", "contactinformation", F_QUERY, NULL},
    {"jobtitle", "Job Title", "string", "text", "contactinformation", 0, NULL},
    {"company", "Company Name", "string", "text", "contactinformation", F_QUERY, NULL},
    {"city", "City", "string", "text", "contactinformation", 0, NULL},
    {"country", "Country/Region", "string", "text", "contactinformation", 0, NULL},
    {"lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "contactinformation", 0, LIFECYCLE_OPTS},
    {"hs_lead_status", "Lead Status", "enumeration", "radio", "sales_properties", 0,
     "NEW=New|OPEN=Open|IN_PROGRESS=In Progress|OPEN_DEAL=Open Deal|UNQUALIFIED=Unqualified|"
     "ATTEMPTED_TO_CONTACT=Attempted to Contact|CONNECTED=Connected|BAD_TIMING=Bad Timing"},
    OWNER("sales_properties", "Contact owner"),
    {"hs_buying_role", "Buying Role", "enumeration", "checkbox", "sales_properties", F_MULTI,
     "BUDGET_HOLDER=Budget Holder|CHAMPION=Champion|DECISION_MAKER=Decision Maker|"
     "END_USER=End User|EXECUTIVE_SPONSOR=Executive Sponsor|INFLUENCER=Influencer|OTHER=Other"},
    {"hs_full_name_or_email", "Full name or email", "string", "text", "contactinformation",
     F_CALC | F_RO, NULL},
    {"hs_merged_object_ids", "Merged Contact IDs", "enumeration", "checkbox", "contactinformation",
     F_RO | F_MULTI, NULL},
    {"birthday", "Birthday", "date", "date", "contactinformation", F_CUSTOM, NULL},
    {"customer_tier", "Customer tier", "enumeration", "select", "contactinformation", F_CUSTOM,
     "bronze=Bronze|silver=Silver|gold=Gold|platinum=Platinum"},
    {"newsletter_opt_in", "Newsletter opt-in", "bool", "booleancheckbox", "contactinformation",
     F_CUSTOM, BOOL_OPTS},
    {"notes_private", "Private notes", "string", "textarea", "contactinformation", F_CUSTOM, NULL},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec company_props[] = {
    COMMON("companyinformation", "createdate", "hs_lastmodifieddate"),
    {"name", "Company name", "string", "text", "companyinformation", F_QUERY | F_DEF, NULL},
    {"domain", "Company Domain Name", "string", "text", "companyinformation", F_QUERY | F_DEF, NULL},
    {"website", "Website URL", "string", "text", "companyinformation", F_QUERY, NULL},
    {"phone", "Phone Number", "string", "phonenumber", "companyinformation", F_QUERY, NULL},
    {"industry", "Industry", "enumeration", "select", "companyinformation", 0,
     "ACCOUNTING=Accounting|AIRLINES_AVIATION=Airlines/Aviation|APPAREL_FASHION=Apparel & Fashion|"
     "AUTOMOTIVE=Automotive|BANKING=Banking|BIOTECHNOLOGY=Biotechnology|"
     "COMPUTER_SOFTWARE=Computer Software|CONSTRUCTION=Construction|"
     "EDUCATION_MANAGEMENT=Education Management|FOOD_BEVERAGES=Food & Beverages|"
     "HOSPITAL_HEALTH_CARE=Hospital & Health Care|"
     "INFORMATION_TECHNOLOGY_AND_SERVICES=Information Technology and Services|"
     "LOGISTICS_AND_SUPPLY_CHAIN=Logistics and Supply Chain|"
     "MARKETING_AND_ADVERTISING=Marketing and Advertising|"
     "RENEWABLES_ENVIRONMENT=Renewables & Environment|RETAIL=Retail|"
     "TELECOMMUNICATIONS=Telecommunications"},
    {"numberofemployees", "Number of Employees", "number", "number", "companyinformation", 0, NULL},
    {"annualrevenue", "Annual Revenue", "number", "number", "companyinformation", 0, NULL},
    {"city", "City", "string", "text", "companyinformation", 0, NULL},
    {"country", "Country/Region", "string", "text", "companyinformation", 0, NULL},
    {"lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "companyinformation", 0, LIFECYCLE_OPTS},
    OWNER("companyinformation", "Company owner"),
    {"description", "Description", "string", "textarea", "companyinformation", 0, NULL},
    {"is_public", "Is Public", "bool", "booleancheckbox", "companyinformation", 0, BOOL_OPTS},
    {"founded_year", "Year Founded", "string", "text", "companyinformation", 0, NULL},
    {"hs_merged_object_ids", "Merged Company IDs", "enumeration", "checkbox", "companyinformation",
     F_RO | F_MULTI, NULL},
    {"renewal_date", "Renewal date", "date", "date", "companyinformation", F_CUSTOM, NULL},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec deal_props[] = {
    COMMON("dealinformation", "createdate", "hs_lastmodifieddate"),
    {"dealname", "Deal Name", "string", "text", "dealinformation", F_QUERY | F_DEF, NULL},
    {"amount", "Amount", "number", "number", "dealinformation", F_DEF, NULL},
    {"closedate", "Close Date", "datetime", "date", "dealinformation", F_DEF, NULL},
    {"pipeline", "Pipeline", "enumeration", "select", "dealinformation", F_DEF | F_PIPELINE, NULL},
    {"dealstage", "Deal Stage", "enumeration", "radio", "dealinformation", F_DEF | F_STAGE, NULL},
    OWNER("dealinformation", "Deal owner"),
    {"dealtype", "Deal Type", "enumeration", "radio", "dealinformation", 0,
     "newbusiness=New Business|existingbusiness=Existing Business"},
    {"description", "Deal Description", "string", "textarea", "dealinformation", F_QUERY, NULL},
    {"hs_priority", "Priority", "enumeration", "select", "dealinformation", 0,
     "low=Low|medium=Medium|high=High"},
    {"hs_is_closed", "Is Deal Closed?", "bool", "booleancheckbox", "dealinformation",
     F_CALC | F_RO, BOOL_OPTS},
    {"hs_merged_object_ids", "Merged Deal IDs", "enumeration", "checkbox", "dealinformation",
     F_RO | F_MULTI, NULL},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec ticket_props[] = {
    COMMON("ticketinformation", "createdate", "hs_lastmodifieddate"),
    {"subject", "Ticket name", "string", "text", "ticketinformation", F_QUERY | F_DEF, NULL},
    {"content", "Ticket description", "string", "textarea", "ticketinformation", F_QUERY | F_DEF, NULL},
    {"hs_pipeline", "Pipeline", "enumeration", "select", "ticketinformation", F_DEF | F_PIPELINE, NULL},
    {"hs_pipeline_stage", "Ticket status", "enumeration", "select", "ticketinformation",
     F_DEF | F_STAGE, NULL},
    {"hs_ticket_priority", "Priority", "enumeration", "select", "ticketinformation", F_DEF,
     "LOW=Low|MEDIUM=Medium|HIGH=High|URGENT=Urgent"},
    {"hs_ticket_category", "Category", "enumeration", "checkbox", "ticketinformation", F_DEF | F_MULTI,
     "PRODUCT_ISSUE=Product issue|BILLING_ISSUE=Billing issue|FEATURE_REQUEST=Feature request|"
     "GENERAL_INQUIRY=General inquiry"},
    OWNER("ticketinformation", "Ticket owner"),
    {"source_type", "Source", "enumeration", "select", "ticketinformation", 0,
     "EMAIL=Email|CHAT=Chat|PHONE=Phone|FORM=Form"},
    {"hs_merged_object_ids", "Merged Ticket IDs", "enumeration", "checkbox", "ticketinformation",
     F_RO | F_MULTI, NULL},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec product_props[] = {
    COMMON("productinformation", "createdate", "hs_lastmodifieddate"),
    {"name", "Name", "string", "text", "productinformation", F_QUERY | F_DEF, NULL},
    {"description", "Description", "string", "textarea", "productinformation", F_QUERY | F_DEF, NULL},
    {"price", "Unit price", "number", "number", "productinformation", F_DEF, NULL},
    {"hs_sku", "SKU", "string", "text", "productinformation", F_QUERY, NULL},
    {"hs_cost_of_goods_sold", "Unit cost", "number", "number", "productinformation", 0, NULL},
    {"recurringbillingfrequency", "Billing frequency", "enumeration", "select",
     "productinformation", 0, "monthly=Monthly|quarterly=Quarterly|annually=Annually"},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec line_item_props[] = {
    COMMON("lineiteminformation", "createdate", "hs_lastmodifieddate"),
    {"name", "Name", "string", "text", "lineiteminformation", F_QUERY, NULL},
    {"quantity", "Quantity", "number", "number", "lineiteminformation", 0, NULL},
    {"price", "Unit price", "number", "number", "lineiteminformation", 0, NULL},
    {"amount", "Net price", "number", "number", "lineiteminformation", F_CALC | F_RO, NULL},
    {"hs_product_id", "Product ID", "number", "number", "lineiteminformation", 0, NULL},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec note_props[] = {
    COMMON("engagement", "hs_createdate", "hs_lastmodifieddate"),
    {"hs_timestamp", "Activity date", "datetime", "date", "engagement", F_REQ, NULL},
    {"hs_note_body", "Note body", "string", "html", "engagement", F_QUERY, NULL},
    OWNER("engagement", "Activity assigned to"),
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec call_props[] = {
    COMMON("engagement", "hs_createdate", "hs_lastmodifieddate"),
    {"hs_timestamp", "Activity date", "datetime", "date", "engagement", F_REQ, NULL},
    {"hs_call_title", "Call Title", "string", "text", "engagement", F_QUERY, NULL},
    {"hs_call_body", "Call notes", "string", "html", "engagement", F_QUERY, NULL},
    {"hs_call_duration", "Call duration", "number", "number", "engagement", 0, NULL},
    {"hs_call_direction", "Call direction", "enumeration", "select", "engagement", 0,
     "INBOUND=Inbound|OUTBOUND=Outbound"},
    {"hs_call_status", "Call status", "enumeration", "select", "engagement", 0,
     "COMPLETED=Completed|BUSY=Busy|NO_ANSWER=No answer|FAILED=Failed|CANCELED=Canceled"},
    OWNER("engagement", "Activity assigned to"),
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec task_props[] = {
    COMMON("engagement", "hs_createdate", "hs_lastmodifieddate"),
    {"hs_timestamp", "Due date", "datetime", "date", "engagement", F_REQ, NULL},
    {"hs_task_subject", "Task Title", "string", "text", "engagement", F_QUERY, NULL},
    {"hs_task_body", "Notes", "string", "html", "engagement", F_QUERY, NULL},
    {"hs_task_status", "Task Status", "enumeration", "select", "engagement", 0,
     "NOT_STARTED=Not started|IN_PROGRESS=In progress|WAITING=Waiting|COMPLETED=Completed|"
     "DEFERRED=Deferred"},
    {"hs_task_priority", "Priority", "enumeration", "select", "engagement", 0,
     "NONE=None|LOW=Low|MEDIUM=Medium|HIGH=High"},
    {"hs_task_type", "Task Type", "enumeration", "select", "engagement", 0,
     "TODO=To-do|CALL=Call|EMAIL=Email"},
    OWNER("engagement", "Activity assigned to"),
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec quote_props[] = {
    COMMON("quoteinformation", "createdate", "hs_lastmodifieddate"),
    {"hs_title", "Quote name", "string", "text", "quoteinformation", F_QUERY | F_REQ, NULL},
    {"hs_expiration_date", "Expiration date", "datetime", "date", "quoteinformation", F_REQ, NULL},
    {"hs_status", "Quote approval status", "enumeration", "select", "quoteinformation", 0,
     "DRAFT=Draft|APPROVAL_NOT_NEEDED=Approval not needed|PENDING_APPROVAL=Pending approval|"
     "APPROVED=Approved|REJECTED=Rejected"},
    {"hs_quote_number", "Quote number", "string", "text", "quoteinformation", F_QUERY | F_RO, NULL},
    {"hs_quote_amount", "Quote amount", "number", "number", "quoteinformation", F_RO, NULL},
    {"hs_currency", "Currency", "enumeration", "select", "quoteinformation", 0,
     "USD=US Dollar|EUR=Euro|GBP=British Pound"},
    {"hs_language", "Language", "enumeration", "select", "quoteinformation", 0,
     "en=English|de=German|fr=French|es=Spanish"},
    {"hs_esign_enabled", "E-signature enabled", "bool", "booleancheckbox", "quoteinformation", 0,
     BOOL_OPTS},
    {"hs_comments", "Comments", "string", "textarea", "quoteinformation", 0, NULL},
    OWNER("quoteinformation", "Quote owner"),
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec meeting_props[] = {
    COMMON("engagement", "hs_createdate", "hs_lastmodifieddate"),
    {"hs_timestamp", "Activity date", "datetime", "date", "engagement", F_REQ, NULL},
    {"hs_meeting_title", "Meeting name", "string", "text", "engagement", F_QUERY, NULL},
    {"hs_meeting_body", "Meeting description", "string", "html", "engagement", F_QUERY, NULL},
    {"hs_internal_meeting_notes", "Internal notes", "string", "html", "engagement", 0, NULL},
    {"hs_meeting_location", "Location", "string", "text", "engagement", 0, NULL},
    {"hs_meeting_external_url", "External URL", "string", "text", "engagement", 0, NULL},
    {"hs_meeting_start_time", "Start time", "datetime", "date", "engagement", 0, NULL},
    {"hs_meeting_end_time", "End time", "datetime", "date", "engagement", 0, NULL},
    {"hs_meeting_outcome", "Meeting outcome", "enumeration", "select", "engagement", 0,
     "SCHEDULED=Scheduled|COMPLETED=Completed|RESCHEDULED=Rescheduled|NO_SHOW=No show|"
     "CANCELED=Canceled"},
    OWNER("engagement", "Activity assigned to"),
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec email_props[] = {
    COMMON("engagement", "hs_createdate", "hs_lastmodifieddate"),
    {"hs_timestamp", "Activity date", "datetime", "date", "engagement", F_REQ, NULL},
    {"hs_email_subject", "Email subject", "string", "text", "engagement", F_QUERY, NULL},
    {"hs_email_text", "Email body", "string", "textarea", "engagement", F_QUERY, NULL},
    {"hs_email_html", "Email HTML body", "string", "html", "engagement", 0, NULL},
    {"hs_email_direction", "Email direction", "enumeration", "select", "engagement", 0,
     "EMAIL=Sent by owner|INCOMING_EMAIL=Reply from contact|FORWARDED_EMAIL=Forwarded"},
    {"hs_email_status", "Email send status", "enumeration", "select", "engagement", 0,
     "SENT=Sent|SENDING=Sending|SCHEDULED=Scheduled|BOUNCED=Bounced|FAILED=Failed"},
    {"hs_email_sender_email", "Sender email", "string", "text", "engagement", 0, NULL},
    {"hs_email_to_email", "Recipient email", "string", "text", "engagement", 0, NULL},
    OWNER("engagement", "Activity assigned to"),
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

static const prop_spec vehicle_props[] = {
    COMMON("vehicle_information", "hs_createdate", "hs_lastmodifieddate"),
    {"vin", "VIN", "string", "text", "vehicle_information", F_QUERY | F_UNIQUE | F_CUSTOM, NULL},
    {"make", "Make", "string", "text", "vehicle_information", F_QUERY | F_CUSTOM, NULL},
    {"model", "Model", "string", "text", "vehicle_information", F_QUERY | F_CUSTOM, NULL},
    {"year", "Model year", "number", "number", "vehicle_information", F_CUSTOM, NULL},
    {"color", "Colour", "enumeration", "select", "vehicle_information", F_CUSTOM,
     "black=Black|white=White|silver=Silver|red=Red|blue=Blue|green=Green"},
    {"purchase_date", "Purchase date", "date", "date", "vehicle_information", F_CUSTOM, NULL},
    {"mileage", "Mileage (km)", "number", "number", "vehicle_information", F_CUSTOM, NULL},
    OWNER("vehicle_information", "Owner"),
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

const type_spec fh_builtin_types[T_BUILTIN_COUNT] = {
    [T_CONTACTS] = {"contacts", "0-1", "contact", "Contact", "Contacts", "crm.objects.contacts",
        "crm.schemas.contacts", "email", true, false, contact_props,
        "contactinformation=Contact information|sales_properties=Sales properties"},
    [T_COMPANIES] = {"companies", "0-2", "company", "Company", "Companies", "crm.objects.companies",
        "crm.schemas.companies", "name", true, false, company_props,
        "companyinformation=Company information"},
    [T_DEALS] = {"deals", "0-3", "deal", "Deal", "Deals", "crm.objects.deals",
        "crm.schemas.deals", "dealname", true, false, deal_props,
        "dealinformation=Deal information"},
    [T_TICKETS] = {"tickets", "0-5", "ticket", "Ticket", "Tickets", "tickets",
        "tickets", "subject", true, false, ticket_props,
        "ticketinformation=Ticket information"},
    [T_PRODUCTS] = {"products", "0-7", "product", "Product", "Products", "e-commerce",
        "e-commerce", "name", false, false, product_props,
        "productinformation=Product information"},
    [T_LINE_ITEMS] = {"line_items", "0-8", "line_item", "Line item", "Line items",
        "crm.objects.line_items", "crm.schemas.line_items", "name", false, false, line_item_props,
        "lineiteminformation=Line item information"},
    [T_NOTES] = {"notes", "0-46", "note", "Note", "Notes", "crm.objects.contacts",
        "crm.schemas.contacts", "hs_note_body", false, true, note_props,
        "engagement=Engagement"},
    [T_CALLS] = {"calls", "0-48", "call", "Call", "Calls", "crm.objects.contacts",
        "crm.schemas.contacts", "hs_call_title", false, true, call_props,
        "engagement=Engagement"},
    [T_TASKS] = {"tasks", "0-27", "task", "Task", "Tasks", "crm.objects.contacts",
        "crm.schemas.contacts", "hs_task_subject", false, true, task_props,
        "engagement=Engagement"},
    [T_CUSTOM] = {"vehicles", NULL, "vehicle", "Vehicle", "Vehicles", "crm.objects.custom",
        "crm.schemas.custom", "model", false, false, vehicle_props,
        "vehicle_information=Vehicle information"},
    [T_QUOTES] = {"quotes", "0-14", "quote", "Quote", "Quotes", "crm.objects.quotes",
        "crm.schemas.quotes", "hs_title", false, false, quote_props,
        "quoteinformation=Quote information"},
    [T_MEETINGS] = {"meetings", "0-47", "meeting", "Meeting", "Meetings", "crm.objects.contacts",
        "crm.schemas.contacts", "hs_meeting_title", false, true, meeting_props,
        "engagement=Engagement"},
    [T_EMAILS] = {"emails", "0-49", "email", "Email", "Emails", "crm.objects.contacts",
        "crm.schemas.contacts", "hs_email_subject", false, true, email_props,
        "engagement=Engagement"},
};

static const fh_stage deal_default_stages[] = {
    {"appointmentscheduled", "Appointment Scheduled", 0, "0.2", false, NULL},
    {"qualifiedtobuy", "Qualified To Buy", 1, "0.4", false, NULL},
    {"presentationscheduled", "Presentation Scheduled", 2, "0.6", false, NULL},
    {"decisionmakerboughtin", "Decision Maker Bought-In", 3, "0.8", false, NULL},
    {"contractsent", "Contract Sent", 4, "0.9", false, NULL},
    {"closedwon", "Closed Won", 5, "1.0", true, NULL},
    {"closedlost", "Closed Lost", 6, "0.0", true, NULL},
};

/* A pipeline made in the portal gets numeric ids, unlike the defaults. */
static const fh_stage deal_renewal_stages[] = {
    {"9340877", "Renewal due", 0, "0.3", false, NULL},
    {"9340878", "In negotiation", 1, "0.6", false, NULL},
    {"9340879", "Renewed", 2, "1.0", true, NULL},
    {"9340880", "Churned", 3, "0.0", true, NULL},
};

static const fh_stage ticket_stages[] = {
    {"1", "New", 0, NULL, false, "OPEN"},
    {"2", "Waiting on contact", 1, NULL, false, "OPEN"},
    {"3", "Waiting on us", 2, NULL, false, "OPEN"},
    {"4", "Closed", 3, NULL, true, "CLOSED"},
};

const fh_pipeline fh_pipelines[] = {
    {"deals", "default", "Sales Pipeline", 0, deal_default_stages, 7, 0},
    {"deals", "9340876", "Renewals", 1, deal_renewal_stages, 4, INT64_C(1646092800000)},
    {"tickets", "0", "Support Pipeline", 0, ticket_stages, 4, 0},
};
const int fh_n_pipelines = 3;
