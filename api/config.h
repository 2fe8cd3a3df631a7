/* config.h — portals from $XDG_CONFIG_HOME/hubtui/config.
 *
 *     default_portal = acme          # top level or under [general]
 *
 *     [portal acme]
 *     base_url       = https://api.hubapi.com
 *     token_command  = pass show hubspot/acme     # first stdout line
 *     app_type       = private        # private | oauth (sizes the limiter)
 *     tier           = professional   # free | starter | professional |
 *                                     # enterprise | limit_increase
 *     theme          = midnight
 *     readonly       = true
 *     utc_offset     = -05:00         # account time zone, for the daily reset
 *     oauth_client_id             = 1234-abcd
 *     oauth_client_secret_command = pass show hubspot/acme-secret
 *     oauth_refresh_token_command = pass show hubspot/acme-refresh
 *     oauth_redirect_uri          = http://localhost/hubtui/oauth  # hubtui login
 *     oauth_scopes                = oauth crm.objects.contacts.read ...
 *
 * Only [general] and [portal NAME] belong to this module; the TUI reads its
 * own sections ([keys], [columns], [ui]...) from the same file. A bad line is
 * a warning with file and line; the rest still loads. Secrets do not belong
 * in the file: `oauth_client_secret` is accepted but warned about. */
#ifndef HUBTUI_CONFIG_H
#define HUBTUI_CONFIG_H

#include "error.h"
#include "ratelimit.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct config_portal {
    char          *name;
    char          *base_url;          /* NULL: HUBTUI_BASE_URL or HubSpot's */
    char          *token_command;
    ratelimit_app  app;
    ratelimit_tier tier;
    char          *theme;
    bool           readonly;
    bool           has_utc_offset;
    int64_t        utc_offset_ms;
    char          *oauth_client_id;
    char          *oauth_client_secret;
    char          *oauth_client_secret_command;
    char          *oauth_refresh_token_command;
    char          *oauth_redirect_uri; /* NULL: AUTH_DEFAULT_REDIRECT_URI */
    char          *oauth_scopes;       /* NULL: AUTH_DEFAULT_SCOPES */
} config_portal;

typedef struct config {
    char          *path;             /* the file read, or NULL */
    char          *default_portal;
    config_portal *portals;
    size_t         n_portals;
    char         **warnings;         /* "path:line: why", one per bad line */
    size_t         n_warnings;
    config_portal  fallback;         /* "default", used when no portal is configured */
} config;

/* $XDG_CONFIG_HOME/hubtui/config, else ~/.config/hubtui/config (caller frees). */
char *config_default_path(void);
/* Load path (NULL: the default path). A missing file gives an empty config
 * and HT_OK; an unreadable one HT_IO. Bad lines become warnings. */
ht_status config_load(const char *path, config *cfg, ht_error *err);
/* Parse text as a config file named source (for tests and the demo). */
void config_parse_string(const char *text, const char *source, config *cfg);
void config_free(config *cfg);
/* The portal to use: name, else default_portal, else the only portal, else
 * the built-in "default". NULL with HT_NOT_FOUND when name is unknown. */
const config_portal *config_find_portal(const config *cfg, const char *name, ht_error *err);
/* Parse "+hh:mm", "-hh:mm", "Z" or "UTC" into milliseconds east of UTC. */
bool config_parse_utc_offset(const char *s, int64_t *ms);

#endif
