/* store.c — opening the cache file, connection settings, transactions,
 * the statement cache and cancellation. */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STMT_CACHE_MAX 96
#define PROGRESS_OPS   1000
#define BUSY_MS        5000

char *store_default_dir(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (!str_empty(xdg) && xdg[0] == '/')
        return xasprintf("%s/hubtui", xdg);
    const char *home = getenv("HOME");
    return xasprintf("%s/.cache/hubtui", str_empty(home) ? "." : home);
}

static bool portal_name_ok(const char *portal)
{
    if (str_empty(portal) || portal[0] == '.' || strlen(portal) > 100)
        return false;
    for (const char *p = portal; *p; p++)
        if (!(((*p | 32) >= 'a' && (*p | 32) <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

char *store_path_for_portal(const char *dir, const char *portal, ht_error *err)
{
    if (!portal_name_ok(portal)) {
        ht_error_set(err, HT_INVALID,
                     "portal name '%s' is not usable as a file name "
                     "(use letters, digits, '.', '_' and '-')", portal ? portal : "");
        return NULL;
    }
    if (dir)
        return xasprintf("%s/%s.db", dir, portal);
    char *def = store_default_dir();
    char *path = xasprintf("%s/%s.db", def, portal);
    free(def);
    return path;
}

/* mkdir -p where every directory we create is 0700; the leaf is forced to
 * 0700 even when it already existed, since it holds CRM data. */
static ht_status ensure_private_dir(const char *dir, ht_error *err)
{
    char *tmp = xstrdup(dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
            ht_status st = ht_error_set(err, HT_IO, "cannot create %s: %s", tmp,
                                        strerror(errno));
            free(tmp);
            return st;
        }
        *p = '/';
    }
    free(tmp);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return ht_error_set(err, HT_IO, "cannot create %s: %s", dir, strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ht_error_set(err, HT_IO, "%s is not a directory", dir);
    if ((sb.st_mode & 0777) != 0700 && chmod(dir, 0700) != 0)
        return ht_error_set(err, HT_IO, "cannot make %s private: %s", dir,
                            strerror(errno));
    return HT_OK;
}

/* Create the file ourselves so it is born 0600 (SQLite would use the
 * umask); SQLite gives the -wal and -shm files the same mode.
 *
 * Never open and close a cache file that exists: closing any descriptor of
 * a file drops every POSIX lock this process holds on it — SQLite's locks
 * of our other connections (a sync thread, the worker) included — and
 * another process could then delete the WAL under them. So a new file is
 * created (and closed before SQLite ever sees it), and an existing one is
 * only chmod'ed by path. */
static ht_status ensure_private_file(const char *path, ht_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno != ENOENT)
            return ht_error_set(err, HT_IO, "cannot open %s: %s", path, strerror(errno));
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            close(fd);
            return HT_OK;
        }
        /* Another process made it just now: treat it as existing. */
        if (errno != EEXIST || stat(path, &sb) != 0)
            return ht_error_set(err, HT_IO, "cannot create %s: %s", path, strerror(errno));
    }
    if ((sb.st_mode & 0777) != 0600 && chmod(path, 0600) != 0)
        return ht_error_set(err, HT_IO, "cannot make %s private: %s", path, strerror(errno));
    return HT_OK;
}

static int progress_check(void *arg)
{
    store *st = arg;
    if ((st->budget > 0 && --st->budget == 0) ||
        (st->deadline_ms && time_mono_ms() >= st->deadline_ms)) {
        st->budget_hit = true;
        return 1;
    }
    return atomic_load(&st->ticket) < atomic_load(&st->cancel_below);
}

void store_budget_set(store *st, int64_t ops)
{
    st->budget = ops > 0 ? ops / st->progress_period + 1 : 0;
    st->deadline_ms = 0;
    st->budget_hit = false;
}

void store_budget_set_ms(store *st, int64_t ms)
{
    st->budget = 0;
    st->deadline_ms = ms > 0 ? time_mono_ms() + ms : 0;
    st->budget_hit = false;
}

void store_set_progress_period(store *st, int n)
{
    st->progress_period = n > 0 ? n : PROGRESS_OPS;
    sqlite3_progress_handler(st->db, st->progress_period, progress_check, st);
}

bool store_budget_hit(const store *st) { return st->budget_hit; }

ht_status store_fail(store *st, int rc, const char *what, ht_error *err)
{
    int code = rc & 0xff;
    if (code == SQLITE_INTERRUPT)
        return ht_error_set(err, HT_CANCELLED, "%s: cancelled", what);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return ht_error_set(err, HT_DB, "%s: the cache is busy (another hubtui is writing)",
                            what);
    if (code == SQLITE_FULL)
        return ht_error_set(err, HT_IO, "%s: disk full", what);
    return ht_error_set(err, HT_DB, "%s: %s", what,
                        st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
}

ht_status store_exec(store *st, const char *sql, ht_error *err)
{
    st->write_gen++;
    char *msg = NULL;
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return HT_OK;
    ht_status s;
    if ((rc & 0xff) == SQLITE_INTERRUPT)
        s = ht_error_set(err, HT_CANCELLED, "cancelled");
    else
        s = ht_error_set(err, HT_DB, "cache database: %s", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return s;
}

static ht_status apply_pragmas(store *st, ht_error *err)
{
    sqlite3_busy_timeout(st->db, BUSY_MS);
    store_set_progress_period(st, PROGRESS_OPS);
    sqlite3_extended_result_codes(st->db, 1);
    char common[128];
    snprintf(common, sizeof common, "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-%d;"
             "PRAGMA temp_store=FILE;", STORE_DEFAULT_CACHE_KB);
    if (store_exec(st, common, err) != HT_OK)
        return err ? err->status : HT_DB;
    if (st->readonly)
        return HT_OK;
    return store_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err);
}

/* SQLite counts every allocation under a global mutex unless told not to;
 * nothing here reads those counts, and a backfill makes tens of millions of
 * allocations on two threads. It must be said before SQLite starts: at the
 * first open (after that SQLite refuses it, harmlessly). */
static pthread_once_t library_once = PTHREAD_ONCE_INIT;

static void library_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static ht_status open_connection(const char *path, bool readonly, store **out,
                                 ht_error *err)
{
    pthread_once(&library_once, library_setup);
    store *st = xcalloc(1, sizeof *st);
    st->path = xstrdup(path);
    st->readonly = readonly;
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &st->db, flags, NULL);
    if (rc != SQLITE_OK) {
        ht_status s = ht_error_set(err, HT_DB, "cannot open cache %s: %s", path,
                                   st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        store_close(st);
        return s;
    }
    ht_status s = apply_pragmas(st, err);
    if (s != HT_OK) {
        store_close(st);
        return s;
    }
    *out = st;
    return HT_OK;
}

static ht_status open_and_migrate(const char *path, const store_options *opt, int target,
                                  store **out, ht_error *err)
{
    bool ro = opt && opt->readonly;
    *out = NULL;
    if (!ro) {
        char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        ht_status s = HT_OK;
        if (slash && slash != dir) {
            *slash = '\0';
            s = ensure_private_dir(dir, err);
        }
        free(dir);
        if (s == HT_OK)
            s = ensure_private_file(path, err);
        if (s != HT_OK)
            return s;
    }
    store *st = NULL;
    ht_status s = open_connection(path, ro, &st, err);
    if (s != HT_OK)
        return s;
    if (ro) {
        int64_t v = 0;
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(st->db, "SELECT max(version) FROM schema_version", -1, &q,
                               NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        st->schema_version = (int)v;
        if (v != schema_latest_version()) {
            store_close(st);
            return ht_error_set(err, HT_DB, "cache %s has schema %d, this hubtui needs %d",
                                path, (int)v, schema_latest_version());
        }
    } else if ((s = schema_migrate(st, target, err)) != HT_OK) {
        store_close(st);
        return s;
    }
    *out = st;
    return HT_OK;
}

ht_status store_open_path(const char *path, const store_options *opt, store **out,
                          ht_error *err)
{
    return open_and_migrate(path, opt, 0, out, err);
}

ht_status store_open_path_at_version(const char *path, int version, store **out,
                                     ht_error *err)
{
    return open_and_migrate(path, NULL, version, out, err);
}

ht_status store_open(const char *portal, const store_options *opt, store **out,
                     ht_error *err)
{
    char *path = store_path_for_portal(opt ? opt->dir : NULL, portal, err);
    if (!path)
        return err ? err->status : HT_INVALID;
    ht_status s = store_open_path(path, opt, out, err);
    free(path);
    return s;
}

ht_status store_open_reader(const store *main, store **out, ht_error *err)
{
    ht_status s = open_connection(main->path, true, out, err);
    if (s == HT_OK)
        (*out)->schema_version = main->schema_version;
    return s;
}

void store_stmt_flush(store *st)
{
    for (size_t i = 0; i < st->nstmts; i++) {
        sqlite3_finalize(st->stmts[i].stmt);
        free(st->stmts[i].sql);
    }
    st->nstmts = 0;
}

void store_close(store *st)
{
    if (!st)
        return;
    meta_cache_clear(st);
    free(st->metas);
    store_stmt_flush(st);
    free(st->stmts);
    if (st->db)
        sqlite3_close_v2(st->db);
    free(st->path);
    free(st);
}

const char *store_path(const store *st) { return st->path; }
int store_schema_version(const store *st) { return st->schema_version; }
int store_schema_latest(void) { return schema_latest_version(); }

void store_set_busy_timeout(store *st, int ms) { sqlite3_busy_timeout(st->db, ms); }

/* ---- statement cache ---------------------------------------------------- */

static void evict_oldest(store *st)
{
    size_t victim = 0;
    for (size_t i = 1; i < st->nstmts; i++)
        if (st->stmts[i].last_used < st->stmts[victim].last_used)
            victim = i;
    sqlite3_finalize(st->stmts[victim].stmt);
    free(st->stmts[victim].sql);
    st->stmts[victim] = st->stmts[--st->nstmts];
}

sqlite3_stmt *store_stmt(store *st, const char *sql, ht_error *err)
{
    for (size_t i = 0; i < st->nstmts; i++) {
        if (strcmp(st->stmts[i].sql, sql) == 0) {
            sqlite3_stmt *s = st->stmts[i].stmt;
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            st->stmts[i].last_used = ++st->stmt_clock;
            return s;
        }
    }
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        store_fail(st, rc, "preparing a cache query", err);
        sqlite3_finalize(s);
        return NULL;
    }
    if (st->nstmts == STMT_CACHE_MAX)
        evict_oldest(st);
    if (st->nstmts == st->cap_stmts) {
        st->cap_stmts = st->cap_stmts ? st->cap_stmts * 2 : 16;
        st->stmts = xrealloc(st->stmts, st->cap_stmts * sizeof *st->stmts);
    }
    st->stmts[st->nstmts++] = (stmt_slot){xstrdup(sql), s, ++st->stmt_clock};
    return s;
}

ht_status store_step_done(store *st, sqlite3_stmt *s, const char *what, ht_error *err)
{
    st->write_gen++;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return HT_OK;
    return store_fail(st, rc, what, err);
}

void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

void store_bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
    if (str_empty(v))
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

char *store_col_strdup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? xstrdup((const char *)t) : NULL;
}

void sql_ident(strbuf *sb, const char *name)
{
    strbuf_putc(sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            strbuf_putc(sb, '"');
        strbuf_putc(sb, *p);
    }
    strbuf_putc(sb, '"');
}

/* ---- kv ----------------------------------------------------------------- */

ht_status store_kv_get_i64(store *st, const char *key, int64_t *out, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT value FROM kv WHERE key=?", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "reading cache settings", err);
    return HT_OK;
}

ht_status store_kv_set_i64(store *st, const char *key, int64_t v, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO kv(key,value) VALUES(?,?) "
                                     "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                                 err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, v);
    return store_step_done(st, s, "writing cache settings", err);
}

ht_status store_kv_add_i64(store *st, const char *key, int64_t delta, int64_t *out,
                           ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO kv(key,value) VALUES(?1,?2) "
                                     "ON CONFLICT(key) DO UPDATE SET value=value+?2 "
                                     "RETURNING value", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, delta);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && out)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return store_fail(st, rc, "writing cache settings", err);
    return HT_OK;
}

ht_status store_bump_meta_gen(store *st, ht_error *err)
{
    return store_kv_add_i64(st, "meta_gen", 1, NULL, err);
}

/* ---- transactions ------------------------------------------------------- */

ht_status store_begin(store *st, ht_error *err)
{
    if (st->readonly)
        return ht_error_set(err, HT_READONLY, "the cache is open read-only");
    ht_status s = store_exec(st, st->tx_depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT nest",
                             err);
    if (s == HT_OK)
        st->tx_depth++;
    return s;
}

ht_status store_commit(store *st, ht_error *err)
{
    if (st->tx_depth == 0)
        return ht_error_set(err, HT_DB, "commit without a transaction");
    ht_status s = store_exec(st, st->tx_depth == 1 ? "COMMIT" : "RELEASE nest", err);
    if (s == HT_OK)
        st->tx_depth--;
    return s;
}

void store_rollback(store *st)
{
    if (st->tx_depth == 0)
        return;
    if (st->tx_depth == 1)
        store_exec(st, "ROLLBACK", NULL);
    else
        store_exec(st, "ROLLBACK TO nest; RELEASE nest", NULL);
    st->tx_depth--;
    /* A rolled-back schema change (new column, new table) must not leave
     * snapshots that mention it. */
    meta_cache_clear(st);
}

ht_status store_commit_or_rollback(store *st, ht_status s, ht_error *err)
{
    if (s == HT_OK)
        s = store_commit(st, err);
    if (s != HT_OK)
        store_rollback(st);
    return s;
}

bool store_in_transaction(const store *st) { return st->tx_depth > 0; }

/* ---- cancellation ------------------------------------------------------- */

void store_set_ticket(store *st, uint64_t ticket) { atomic_store(&st->ticket, ticket); }

void store_cancel_before(store *st, uint64_t ticket)
{
    uint64_t cur = atomic_load(&st->cancel_below);
    while (cur < ticket && !atomic_compare_exchange_weak(&st->cancel_below, &cur, ticket))
        ;
    if (atomic_load(&st->ticket) < ticket)
        sqlite3_interrupt(st->db);
}

void store_interrupt(store *st) { sqlite3_interrupt(st->db); }

ht_status store_set_cache_kb(store *st, int kb, ht_error *err)
{
    st->cache_kb = kb > 0 ? kb : 0;
    return store_apply_cache_kb(st, 0, err);
}

ht_status store_apply_cache_kb(store *st, int bulk_kb, ht_error *err)
{
    int kb = st->cache_kb ? st->cache_kb : bulk_kb ? bulk_kb : STORE_DEFAULT_CACHE_KB;
    char pragma[48];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size=-%d", kb);
    return store_exec(st, pragma, err);
}
