/* keyring.h — portal secrets in the Secret Service (libsecret over D-Bus).
 *
 * Secrets are keyed by portal name and kind. They go to the Secret Service
 * daemon (gnome-keyring, KeePassXC...) and nowhere else: libsecret's file
 * backend is never used, and nothing here ever writes a secret to disk.
 * Without a reachable session bus or service the calls fail fast with
 * HT_NO_KEYRING. All calls block briefly on D-Bus; use them at start-up,
 * login and logout, not in the event loop. */
#ifndef HUBTUI_KEYRING_H
#define HUBTUI_KEYRING_H

#include "error.h"

#include <stdbool.h>

typedef enum keyring_kind {
    KEYRING_ACCESS_TOKEN,   /* private-app token (hubtui login) */
    KEYRING_REFRESH_TOKEN,  /* OAuth refresh token */
    KEYRING_CLIENT_SECRET,  /* OAuth client secret */
    KEYRING_CLIENT_ID,      /* OAuth client id: not secret, but it marks a
                             * portal signed in with OAuth (hubtui login --oauth) */
} keyring_kind;
#define KEYRING_KIND_COUNT 4

/* Short name of a kind ("access_token"), also its attribute value. */
const char *keyring_kind_name(keyring_kind kind);
/* The kind in words for people ("OAuth refresh token"). */
const char *keyring_kind_words(keyring_kind kind);
/* True when a session bus address is known (the service may still be absent). */
bool keyring_bus_available(void);
/* Store secret for (portal, kind), replacing any previous one. */
ht_status keyring_store(const char *portal, keyring_kind kind, const char *secret, ht_error *err);
/* Look up (portal, kind): HT_OK with *secret (free with str_free_secret),
 * HT_NOT_FOUND when none is stored, HT_NO_KEYRING without a service. */
ht_status keyring_lookup(const char *portal, keyring_kind kind, char **secret, ht_error *err);
/* Remove (portal, kind): HT_OK, or HT_NOT_FOUND when nothing was stored. */
ht_status keyring_clear(const char *portal, keyring_kind kind, ht_error *err);

#endif
