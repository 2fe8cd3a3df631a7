#include "keyring.h"
#include "util.h"

#include <libsecret/secret.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One schema for every hubtui secret; the portal and kind attributes pick one. */
static const SecretSchema *hubtui_schema(void)
{
    static const SecretSchema schema = {
        "io.github.hubtui.Secret", SECRET_SCHEMA_NONE,
        {
            {"portal", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {"kind", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {NULL, 0},
        },
        0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    };
    return &schema;
}

/* For messages: the attribute names would read like credentials to the log
 * redactor ("access_token ..."), so people get words. */
const char *keyring_kind_words(keyring_kind kind)
{
    switch (kind) {
    case KEYRING_ACCESS_TOKEN:  return "private app token";
    case KEYRING_REFRESH_TOKEN: return "OAuth refresh token";
    case KEYRING_CLIENT_SECRET: return "OAuth client secret";
    case KEYRING_CLIENT_ID:     return "OAuth client id";
    }
    return "secret";
}

const char *keyring_kind_name(keyring_kind kind)
{
    switch (kind) {
    case KEYRING_ACCESS_TOKEN:  return "access_token";
    case KEYRING_REFRESH_TOKEN: return "refresh_token";
    case KEYRING_CLIENT_SECRET: return "client_secret";
    case KEYRING_CLIENT_ID:     return "client_id";
    }
    return "unknown";
}

bool keyring_bus_available(void)
{
    if (!str_empty(getenv("DBUS_SESSION_BUS_ADDRESS")))
        return true;
    /* GLib also finds the bus at $XDG_RUNTIME_DIR/bus (systemd user sessions). */
    const char *run = getenv("XDG_RUNTIME_DIR");
    if (str_empty(run))
        return false;
    char *path = xasprintf("%s/bus", run);
    struct stat st;
    bool ok = stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
    free(path);
    return ok;
}

static ht_status no_keyring(ht_error *err, const char *detail)
{
    return ht_error_set(err, HT_NO_KEYRING, "no Secret Service reachable (%s)", detail);
}

/* Map a libsecret/D-Bus failure to a status a person can act on. */
static ht_status from_gerror(GError *gerr, const char *what, ht_error *err)
{
    ht_status st;
    if (gerr->domain == G_DBUS_ERROR || gerr->domain == G_IO_ERROR ||
        g_error_matches(gerr, SECRET_ERROR, SECRET_ERROR_PROTOCOL))
        st = no_keyring(err, gerr->message);
    else
        st = ht_error_set(err, HT_AUTH, "could not %s the token in the Secret Service: %s "
                          "(is the keyring locked?)", what, gerr->message);
    g_error_free(gerr);
    return st;
}

/* The service proxy, or NULL with err filled. Checks for a bus first so a
 * session without D-Bus fails at once instead of trying to autolaunch one. */
static ht_status service_get(SecretService **svc, ht_error *err)
{
    *svc = NULL;
    if (!keyring_bus_available())
        return no_keyring(err, "no D-Bus session bus");
    GError *gerr = NULL;
    *svc = secret_service_get_sync(SECRET_SERVICE_NONE, NULL, &gerr);
    if (!*svc)
        return from_gerror(gerr, "reach", err);
    return HT_OK;
}

ht_status keyring_store(const char *portal, keyring_kind kind, const char *secret, ht_error *err)
{
    SecretService *svc;
    ht_status st = service_get(&svc, err);
    if (st != HT_OK)
        return st;
    GHashTable *attrs = secret_attributes_build(hubtui_schema(), "portal", portal,
                                                "kind", keyring_kind_name(kind), NULL);
    char *label = xasprintf("hubtui %s for portal %s", keyring_kind_words(kind), portal);
    SecretValue *value = secret_value_new(secret, -1, "text/plain");
    GError *gerr = NULL;
    gboolean ok = secret_service_store_sync(svc, hubtui_schema(), attrs, SECRET_COLLECTION_DEFAULT,
                                            label, value, NULL, &gerr);
    secret_value_unref(value);
    free(label);
    g_hash_table_unref(attrs);
    g_object_unref(svc);
    if (!ok)
        return from_gerror(gerr, "store", err);
    return HT_OK;
}

ht_status keyring_lookup(const char *portal, keyring_kind kind, char **secret, ht_error *err)
{
    *secret = NULL;
    SecretService *svc;
    ht_status st = service_get(&svc, err);
    if (st != HT_OK)
        return st;
    GHashTable *attrs = secret_attributes_build(hubtui_schema(), "portal", portal,
                                                "kind", keyring_kind_name(kind), NULL);
    GError *gerr = NULL;
    SecretValue *value = secret_service_lookup_sync(svc, hubtui_schema(), attrs, NULL, &gerr);
    g_hash_table_unref(attrs);
    g_object_unref(svc);
    if (gerr)
        return from_gerror(gerr, "read", err);
    if (!value)
        return ht_error_set(err, HT_NOT_FOUND, "no %s stored for portal %s",
                            keyring_kind_words(kind), portal);
    gsize len = 0;
    const gchar *bytes = secret_value_get(value, &len);
    *secret = xstrndup(bytes, len);
    secret_value_unref(value);
    return HT_OK;
}

ht_status keyring_clear(const char *portal, keyring_kind kind, ht_error *err)
{
    SecretService *svc;
    ht_status st = service_get(&svc, err);
    if (st != HT_OK)
        return st;
    GHashTable *attrs = secret_attributes_build(hubtui_schema(), "portal", portal,
                                                "kind", keyring_kind_name(kind), NULL);
    GError *gerr = NULL;
    gboolean removed = secret_service_clear_sync(svc, hubtui_schema(), attrs, NULL, &gerr);
    g_hash_table_unref(attrs);
    g_object_unref(svc);
    if (gerr)
        return from_gerror(gerr, "remove", err);
    if (!removed)
        return ht_error_set(err, HT_NOT_FOUND, "no %s stored for portal %s",
                            keyring_kind_words(kind), portal);
    return HT_OK;
}
