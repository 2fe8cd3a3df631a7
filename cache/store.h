/* store.h — the per-portal SQLite cache file: opening, migrations,
 * transactions and cancellation.
 *
 * One file per portal under $XDG_CACHE_HOME/hubtui/ (default
 * ~/.cache/hubtui/), directory 0700, file 0600 (the -wal/-shm files inherit
 * the mode). WAL mode with synchronous=NORMAL: a crash loses at most the last
 * commits since the previous checkpoint, never consistency.
 *
 * A `store` is one connection and must be used by one thread at a time.
 * The TUI keeps the main (read-write) store on its thread and opens a
 * second read-only store with store_open_reader() for a worker thread;
 * WAL lets that reader run while the writer commits. Long reads can be
 * abandoned from any thread with store_cancel_before()/store_interrupt().
 *
 * Everything else (meta.h, records.h, query.h, outbox.h, validate.h) takes a
 * store. No caller outside cache/ ever sees SQL. */
#ifndef HUBTUI_CACHE_STORE_H
#define HUBTUI_CACHE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

typedef struct store store;

typedef struct store_options {
    const char *dir;       /* directory for the file; NULL = $XDG_CACHE_HOME/hubtui */
    bool        readonly;  /* open without writing (fails if the file is missing) */
} store_options;

/* The cache directory: $XDG_CACHE_HOME/hubtui or ~/.cache/hubtui (caller frees). */
char *store_default_dir(void);
/* The file a portal's cache lives in under dir (NULL = default dir); caller
 * frees. NULL with err when the portal name is not a safe file name
 * (letters, digits, '.', '_' and '-' only). */
char *store_path_for_portal(const char *dir, const char *portal, ht_error *err);

/* Open (creating when needed, with the directory 0700 and the file 0600)
 * the cache of `portal`, apply pending migrations in one transaction, and
 * return the handle in *out. */
ht_status store_open(const char *portal, const store_options *opt, store **out,
                     ht_error *err);
/* The same for an explicit file path (tests, tools). */
ht_status store_open_path(const char *path, const store_options *opt, store **out,
                          ht_error *err);
/* A second, read-only connection to the same file for another thread. */
ht_status store_open_reader(const store *st, store **out, ht_error *err);
/* Close the connection (NULL is fine). */
void store_close(store *st);

/* The file this store reads and writes. */
const char *store_path(const store *st);
/* The schema version of the open file (after migrations). */
int store_schema_version(const store *st);
/* The newest schema version this build knows. */
int store_schema_latest(void);

/* Start a write transaction; they nest (inner ones become savepoints). */
ht_status store_begin(store *st, ht_error *err);
/* Commit the innermost transaction. */
ht_status store_commit(store *st, ht_error *err);
/* Roll back the innermost transaction (never fails in a way callers must handle). */
void store_rollback(store *st);
/* End the innermost transaction by the outcome of its work: commit when s is
 * HT_OK, roll back when s or the commit failed. Returns the final status. */
ht_status store_commit_or_rollback(store *st, ht_status s, ht_error *err);
/* Size this connection's page cache (KiB): memory against speed. It stays
 * so through bulk loads; kb <= 0 goes back to the default. */
ht_status store_set_cache_kb(store *st, int kb, ht_error *err);
/* True while a transaction opened by store_begin is open. */
bool store_in_transaction(const store *st);

/* Cancellation. Every query runs under the handle's current ticket (see
 * store_set_ticket); store_cancel_before(st, t) makes any query with a ticket
 * below t stop with HT_CANCELLED. Both are safe from any thread. A UI that
 * numbers its requests 1, 2, 3… sets the ticket on the worker before each
 * one and cancels everything older when a newer request arrives. */
void store_set_ticket(store *st, uint64_t ticket);
void store_cancel_before(store *st, uint64_t ticket);
/* Stop whatever statement is running on st right now (one-shot: a query
 * that starts after this call runs normally; prefer tickets for a UI). */
void store_interrupt(store *st);

/* Seconds of waiting for another connection's write lock before HT_DB. */
void store_set_busy_timeout(store *st, int ms);

#endif
