/* store_int.h — what the cache/ modules share internally and nobody else
 * sees: the connection struct, a prepared-statement cache, SQL helpers. */
#ifndef HUBTUI_CACHE_STORE_INT_H
#define HUBTUI_CACHE_STORE_INT_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"
#include "util.h"

struct objmeta;

typedef struct stmt_slot {
    char         *sql;
    sqlite3_stmt *stmt;
    uint64_t      last_used;
} stmt_slot;

/* 16 MB of page cache per connection keeps the TUI well inside its memory
 * budget while holding the hot part of a 1M-row list. */
#define STORE_DEFAULT_CACHE_KB 16384

struct store {
    sqlite3 *db;
    char    *path;
    bool     readonly;
    int      schema_version;
    int      tx_depth;

    stmt_slot *stmts;
    size_t     nstmts, cap_stmts;
    uint64_t   stmt_clock;

    /* Cancellation: queries stamped with `ticket` stop once cancel_below
     * exceeds it (checked by a progress handler). */
    _Atomic uint64_t cancel_below;
    _Atomic uint64_t ticket;
    /* Work budget (in progress-handler calls) for a plan that should give
     * up early; 0 = unlimited. budget_hit says the last stop was ours. */
    int64_t budget;
    int64_t deadline_ms;      /* monotonic time the budgeted work must end by; 0 = none */
    bool    budget_hit;
    int64_t plan_budget;      /* query.c's sorted-plan budget; 0 = its default (tests) */
    int     progress_period;  /* VM steps between progress checks */
    uint64_t write_gen;       /* bumped by every write through this connection */
    int      cache_kb;        /* the page cache asked for (store_set_cache_kb), 0: the default */
    uint64_t query_serial;    /* names per-query temp tables */

    /* Object metadata snapshots, reloaded when kv.meta_gen moves. */
    int64_t          meta_gen;
    struct objmeta **metas;
    size_t           nmetas;
};

/* Statements are cached by their SQL text; the returned statement is reset
 * with bindings cleared. NULL with err on a prepare failure. */
sqlite3_stmt *store_stmt(store *st, const char *sql, ht_error *err);
/* Forget every cached statement (after schema changes that drop tables). */
void store_stmt_flush(store *st);

/* Run SQL with no results (may hold several statements). */
ht_status store_exec(store *st, const char *sql, ht_error *err);
/* Turn the connection's last error into err; SQLITE_INTERRUPT becomes
 * HT_CANCELLED. `what` says what we were doing. */
ht_status store_fail(store *st, int rc, const char *what, ht_error *err);
/* Step a statement expected to finish with no row; resets it. */
ht_status store_step_done(store *st, sqlite3_stmt *s, const char *what, ht_error *err);

/* Bind helpers: NULL/"" text binds SQL NULL where that is the meaning. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
void store_bind_text_or_null(sqlite3_stmt *s, int i, const char *v);
/* A copy of column i as a string (NULL when SQL NULL). */
char *store_col_strdup(sqlite3_stmt *s, int i);

/* kv table. */
ht_status store_kv_get_i64(store *st, const char *key, int64_t *out, ht_error *err);
ht_status store_kv_set_i64(store *st, const char *key, int64_t v, ht_error *err);
/* Atomically add delta to an integer kv entry and return the new value. */
ht_status store_kv_add_i64(store *st, const char *key, int64_t delta, int64_t *out,
                           ht_error *err);
/* Mark metadata changed: every handle reloads its object snapshots. */
ht_status store_bump_meta_gen(store *st, ht_error *err);

/* Append `name` quoted as an SQL identifier ("a""b"). */
void sql_ident(strbuf *sb, const char *name);

/* Let the next statements run for about `ops` virtual-machine steps (or
 * until `ms` milliseconds have passed, when ms > 0) before stopping with
 * HT_CANCELLED and store_budget_hit() true; both 0 lift the budget. */
void store_budget_set(store *st, int64_t ops);
void store_budget_set_ms(store *st, int64_t ms);
bool store_budget_hit(const store *st);
/* Check progress every n VM steps (tests use 1 to make budgets exact). */
void store_set_progress_period(store *st, int n);

/* Migrations (schema.c): bring the file to `target` (0 = latest). */
ht_status schema_migrate(store *st, int target, ht_error *err);
int schema_latest_version(void);
/* Test hook: open a path and migrate only up to `version`. */
ht_status store_open_path_at_version(const char *path, int version, store **out,
                                     ht_error *err);

/* Drop cached object metadata (meta.c owns the snapshots). */
void meta_cache_clear(store *st);

/* Apply the page cache size: the one asked for with store_set_cache_kb,
 * else bulk_kb when > 0 (a bulk load), else the default. */
ht_status store_apply_cache_kb(store *st, int bulk_kb, ht_error *err);

#endif
