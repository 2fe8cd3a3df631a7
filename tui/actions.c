#include "actions.h"
#include "util.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const action_info actions[ACTION_COUNT] = {
    [ACTION_NONE] = {"none", AG_APP, 0, 0, ARG_NONE, "Do nothing (unbinds a key)"},
#define ACTION_ROW(id, name, group, views, flags, arg, help) \
    [ACT_##id] = {name, AG_##group, views, flags, arg, help},
    ACTION_LIST(ACTION_ROW)
#undef ACTION_ROW
};

/* Short forms people type out of habit (vim, tig, k9s). */
static const struct {
    const char *alias;
    action_id id;
} aliases[] = {
    {"q", ACT_QUIT},
    {"q!", ACT_QUIT},
    {"quit!", ACT_QUIT},
    {"h", ACT_HELP},
    {"w", ACT_PUSH},
};

static const char *const group_titles[AG_COUNT] = {
#define GROUP_ROW(id, title) [AG_##id] = title,
    ACTION_GROUP_LIST(GROUP_ROW)
#undef GROUP_ROW
};

static const struct {
    const char *section;
    const char *title;
} view_kinds[VIEW_KIND_COUNT] = {
#define KIND_ROW(id, section, title) [VIEW_##id] = {section, title},
    VIEW_KIND_LIST(KIND_ROW)
#undef KIND_ROW
};

const action_info *action_get(action_id id)
{
    if ((int)id < 0 || id >= ACTION_COUNT)
        id = ACTION_NONE;
    return &actions[id];
}

action_id action_by_name(const char *name)
{
    if (str_empty(name))
        return ACTION_NONE;
    for (int i = 1; i < ACTION_COUNT; i++)
        if (strcasecmp(actions[i].name, name) == 0)
            return (action_id)i;
    for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
        if (strcasecmp(aliases[i].alias, name) == 0)
            return aliases[i].id;
    return ACTION_NONE;
}

bool action_applies(action_id id, view_kind kind)
{
    if (id <= ACTION_NONE || id >= ACTION_COUNT || kind >= VIEW_KIND_COUNT)
        return false;
    return (actions[id].views & (1u << kind)) != 0;
}

const char *action_group_title(action_group g)
{
    return g < AG_COUNT ? group_titles[g] : "";
}

const char *view_kind_section(view_kind kind)
{
    return kind < VIEW_KIND_COUNT ? view_kinds[kind].section : "";
}

const char *view_kind_title(view_kind kind)
{
    return kind < VIEW_KIND_COUNT ? view_kinds[kind].title : "";
}

bool view_kind_by_section(const char *name, view_kind *out)
{
    for (int i = 0; i < VIEW_KIND_COUNT; i++)
        if (strcmp(view_kinds[i].section, name) == 0) {
            *out = (view_kind)i;
            return true;
        }
    return false;
}

bool action_parse_command(char *line, action_call *out)
{
    char *p = line;
    while (isspace((unsigned char)*p))
        p++;
    char *name = p;
    while (*p && !isspace((unsigned char)*p))
        p++;
    if (*p)
        *p++ = '\0';
    while (isspace((unsigned char)*p))
        p++;
    char *end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1]))
        *--end = '\0';
    out->id = action_by_name(name);
    out->arg = *p ? p : NULL;
    return out->id != ACTION_NONE;
}
