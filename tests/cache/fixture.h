/* fixture.h — shared set-up for the cache tests: a private temporary
 * directory holding a real cache file, and a small portal model (properties,
 * pipelines, owners) loaded through the same JSON writers sync uses. */
#ifndef HUBTUI_TEST_CACHE_FIXTURE_H
#define HUBTUI_TEST_CACHE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "meta.h"
#include "outbox.h"
#include "records.h"
#include "store.h"

typedef struct fixture {
    char  dir[256];      /* temporary directory, removed by fx_close */
    char  path[300];     /* the cache file */
    store *st;
} fixture;

/* Make a temporary directory and open a fresh cache in it (asserts). */
void fx_open(fixture *fx);
/* Close the store and remove the directory. */
void fx_close(fixture *fx);
/* Load the test portal's metadata: contacts/companies/deals properties,
 * deal pipelines, owners, account (asserts). */
void fx_load_meta(store *st);
/* Upsert records from a JSON text (an array of HubSpot records). */
void fx_put_json(store *st, const char *object, const char *json_text);
/* A contact record as JSON with the given id and property pairs, for
 * building arrays: fx_contact("7", "firstname", "Ann", NULL). */
char *fx_record_json(const char *id, ...);

#endif
