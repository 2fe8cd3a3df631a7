#include "config.h"
#include "ini.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *config_default_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (!str_empty(xdg))
        return xasprintf("%s/hubtui/config", xdg);
    const char *home = getenv("HOME");
    return xasprintf("%s/.config/hubtui/config", str_empty(home) ? "." : home);
}

static void portal_init(config_portal *p, const char *name)
{
    memset(p, 0, sizeof *p);
    p->name = xstrdup(name);
}

static void portal_free(config_portal *p)
{
    free(p->name);
    free(p->base_url);
    free(p->token_command);
    free(p->theme);
    free(p->oauth_client_id);
    if (p->oauth_client_secret) {
        memset(p->oauth_client_secret, 0, strlen(p->oauth_client_secret));
        free(p->oauth_client_secret);
    }
    free(p->oauth_client_secret_command);
    free(p->oauth_refresh_token_command);
    free(p->oauth_redirect_uri);
    free(p->oauth_scopes);
    memset(p, 0, sizeof *p);
}

static config_portal *portal_get(config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_portals; i++)
        if (strcmp(cfg->portals[i].name, name) == 0)
            return &cfg->portals[i];
    cfg->portals = xrealloc(cfg->portals, (cfg->n_portals + 1) * sizeof *cfg->portals);
    config_portal *p = &cfg->portals[cfg->n_portals++];
    portal_init(p, name);
    return p;
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = str_empty(v) ? NULL : xstrdup(v);
}

static bool parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcmp(v, "1"))
        *out = true;
    else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcmp(v, "0"))
        *out = false;
    else
        return false;
    return true;
}

bool config_parse_utc_offset(const char *s, int64_t *ms)
{
    if (!s)
        return false;
    if (!strcasecmp(s, "Z") || !strcasecmp(s, "UTC")) {
        *ms = 0;
        return true;
    }
    int hh, mm;
    char sign, tail;
    if (sscanf(s, "%c%2d:%2d%c", &sign, &hh, &mm, &tail) != 3 || (sign != '+' && sign != '-') ||
        hh > 14 || mm > 59 || strlen(s) != 6)
        return false;
    *ms = ((int64_t)hh * 3600 + mm * 60) * 1000 * (sign == '-' ? -1 : 1);
    return true;
}

static bool portal_value(config_portal *p, const char *key, const char *v,
                         char *why, size_t whylen)
{
    if (!strcmp(key, "base_url")) {
        set_str(&p->base_url, v);
    } else if (!strcmp(key, "token_command")) {
        set_str(&p->token_command, v);
    } else if (!strcmp(key, "theme")) {
        set_str(&p->theme, v);
    } else if (!strcmp(key, "oauth_client_id")) {
        set_str(&p->oauth_client_id, v);
    } else if (!strcmp(key, "oauth_client_secret")) {
        set_str(&p->oauth_client_secret, v);
        snprintf(why, whylen, "oauth_client_secret in a file is readable by anything that reads "
                 "the file; prefer oauth_client_secret_command (value used anyway)");
        return false;
    } else if (!strcmp(key, "oauth_client_secret_command")) {
        set_str(&p->oauth_client_secret_command, v);
    } else if (!strcmp(key, "oauth_refresh_token_command")) {
        set_str(&p->oauth_refresh_token_command, v);
    } else if (!strcmp(key, "oauth_redirect_uri")) {
        set_str(&p->oauth_redirect_uri, v);
    } else if (!strcmp(key, "oauth_scopes")) {
        set_str(&p->oauth_scopes, v);
    } else if (!strcmp(key, "readonly")) {
        if (!parse_bool(v, &p->readonly)) {
            snprintf(why, whylen, "readonly must be true or false, not '%s'", v);
            return false;
        }
    } else if (!strcmp(key, "app_type")) {
        if (!ratelimit_app_parse(v, &p->app)) {
            snprintf(why, whylen, "app_type must be private or oauth, not '%s'", v);
            return false;
        }
    } else if (!strcmp(key, "tier")) {
        if (!ratelimit_tier_parse(v, &p->tier)) {
            snprintf(why, whylen, "tier must be free, starter, professional, enterprise or "
                     "limit_increase, not '%s'", v);
            return false;
        }
    } else if (!strcmp(key, "utc_offset")) {
        if (!config_parse_utc_offset(v, &p->utc_offset_ms)) {
            snprintf(why, whylen, "utc_offset must look like +02:00 or -05:00, not '%s'", v);
            return false;
        }
        p->has_utc_offset = true;
    } else {
        snprintf(why, whylen, "unknown key '%s' in [portal %s]", key, p->name);
        return false;
    }
    return true;
}

static bool on_value(void *ud, const char *section, const char *key, const char *value,
                     int line, char *why, size_t whylen)
{
    config *cfg = ud;
    if (*section == '\0' || !strcmp(section, "general")) {
        if (!strcmp(key, "default_portal"))
            set_str(&cfg->default_portal, value);
        return true;   /* other top-level keys belong to the TUI */
    }
    if (strcmp(section, "portal") == 0) {
        snprintf(why, whylen, "[portal] needs a name: [portal NAME]");
        return false;
    }
    if (strncmp(section, "portal", 6) != 0 || (section[6] != ' ' && section[6] != '\t'))
        return true;   /* [keys], [columns], [ui]...: not ours */
    const char *name = section + 7;
    while (*name == ' ' || *name == '\t')
        name++;
    return portal_value(portal_get(cfg, name), key, value, why, whylen);
}

/* "[portal NAME]" with no keys still declares a portal (all defaults). */
static void on_section(void *ud, const char *section, int line)
{
    if (strncmp(section, "portal", 6) != 0 || (section[6] != ' ' && section[6] != '\t'))
        return;
    const char *name = section + 7;
    while (*name == ' ' || *name == '\t')
        name++;
    if (*name)
        portal_get(ud, name);
}

static void on_error(void *ud, const char *source, int line, const char *why)
{
    config *cfg = ud;
    cfg->warnings = xrealloc(cfg->warnings, (cfg->n_warnings + 1) * sizeof *cfg->warnings);
    cfg->warnings[cfg->n_warnings++] = xasprintf("%s:%d: %s", source, line, why);
}

static void config_init(config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    portal_init(&cfg->fallback, "default");
}

void config_parse_string(const char *text, const char *source, config *cfg)
{
    config_init(cfg);
    ini_handler h = {.on_value = on_value, .on_error = on_error, .ud = cfg, .on_section = on_section};
    ini_parse_string(text, source, &h);
}

ht_status config_load(const char *path, config *cfg, ht_error *err)
{
    config_init(cfg);
    cfg->path = path ? xstrdup(path) : config_default_path();
    ini_handler h = {.on_value = on_value, .on_error = on_error, .ud = cfg, .on_section = on_section};
    ht_error ierr;
    if (ini_parse_file(cfg->path, &h, &ierr) < 0) {
        if (ierr.status == HT_NOT_FOUND)
            return HT_OK;   /* no config file: defaults and environment */
        ht_error_copy(err, &ierr);
        return ierr.status;
    }
    return HT_OK;
}

void config_free(config *cfg)
{
    for (size_t i = 0; i < cfg->n_portals; i++)
        portal_free(&cfg->portals[i]);
    free(cfg->portals);
    for (size_t i = 0; i < cfg->n_warnings; i++)
        free(cfg->warnings[i]);
    free(cfg->warnings);
    free(cfg->path);
    free(cfg->default_portal);
    portal_free(&cfg->fallback);
    memset(cfg, 0, sizeof *cfg);
}

static const config_portal *lookup(const config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_portals; i++)
        if (strcmp(cfg->portals[i].name, name) == 0)
            return &cfg->portals[i];
    return NULL;
}

const config_portal *config_find_portal(const config *cfg, const char *name, ht_error *err)
{
    if (str_empty(name))
        name = cfg->default_portal;
    if (str_empty(name)) {
        if (cfg->n_portals == 1)
            return &cfg->portals[0];
        if (cfg->n_portals == 0)
            return &cfg->fallback;
        ht_error_set(err, HT_INVALID, "several portals are configured in %s: choose one with "
                     "--portal NAME or set default_portal", cfg->path ? cfg->path : "the config");
        return NULL;
    }
    const config_portal *p = lookup(cfg, name);
    if (p)
        return p;
    if (cfg->n_portals == 0 && strcmp(name, "default") == 0)
        return &cfg->fallback;
    strbuf known = {0};
    for (size_t i = 0; i < cfg->n_portals; i++)
        strbuf_printf(&known, "%s%s", i ? ", " : "", cfg->portals[i].name);
    ht_error_set(err, HT_NOT_FOUND, "no portal '%s' in %s%s%s", name,
                 cfg->path ? cfg->path : "the config",
                 known.len ? "; configured: " : "", strbuf_str(&known));
    strbuf_free(&known);
    return NULL;
}
