/* looks.c — roles and markers for record data. */
#include "looks.h"

#include <string.h>

theme_role looks_value_role(fmt_style s)
{
    switch (s) {
    case FMT_EMPTY: return ROLE_FIELD_EMPTY;
    case FMT_NUMBER: return ROLE_VALUE_NUMBER;
    case FMT_CURRENCY: return ROLE_VALUE_CURRENCY;
    case FMT_DATE: return ROLE_VALUE_DATE;
    case FMT_EMAIL: return ROLE_VALUE_EMAIL;
    case FMT_OWNER: return ROLE_VALUE_OWNER;
    case FMT_STAGE_OPEN: return ROLE_DEAL_STAGE_OPEN;
    case FMT_STAGE_WON: return ROLE_DEAL_STAGE_WON;
    case FMT_STAGE_LOST: return ROLE_DEAL_STAGE_LOST;
    default: return ROLE_FIELD_VALUE;
    }
}

theme_role looks_state_role(outbox_state s)
{
    switch (s) {
    case OB_PENDING: return ROLE_SYNC_PENDING;
    case OB_SENDING: return ROLE_SYNC_SENDING;
    case OB_CONFLICT: return ROLE_SYNC_CONFLICT;
    case OB_FAILED:
    case OB_NOT_APPLIED: return ROLE_SYNC_FAILED;
    default: return ROLE_FIELD_VALUE;
    }
}

const char *looks_state_marker(outbox_state s, bool ascii)
{
    switch (s) {
    case OB_PENDING: return ascii ? "~" : "\xE2\x80\xA2";
    case OB_SENDING: return ascii ? "^" : "\xE2\x86\x91";
    case OB_CONFLICT: return "!";
    case OB_FAILED: return ascii ? "x" : "\xE2\x9C\x97";
    case OB_NOT_APPLIED: return "?";
    default: return "";
    }
}

const char *looks_state_words(outbox_state s)
{
    switch (s) {
    case OB_PENDING: return "waiting to be pushed";
    case OB_SENDING: return "being sent";
    case OB_CONFLICT: return "in conflict with a change on HubSpot";
    case OB_FAILED: return "refused by HubSpot";
    case OB_NOT_APPLIED: return "not applied by HubSpot";
    default: return "";
    }
}

theme_role looks_object_role(const char *object)
{
    if (!object)
        return ROLE_DEFAULT;
    if (strcmp(object, "contacts") == 0)
        return ROLE_OBJ_CONTACT;
    if (strcmp(object, "companies") == 0)
        return ROLE_OBJ_COMPANY;
    if (strcmp(object, "deals") == 0)
        return ROLE_OBJ_DEAL;
    if (strcmp(object, "tickets") == 0)
        return ROLE_OBJ_TICKET;
    return ROLE_DEFAULT;
}
