/* Tests of the cache file itself: creation, migration, modes, paths,
 * transactions, readers and cancellation — against real SQLite files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "fixture.h"
#include "records.h"
#include "store_int.h"

static int file_mode(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return -1;
    return (int)(sb.st_mode & 0777);
}

/* Does this process hold a descriptor of a file that was deleted? */
static bool holds_deleted_file(const char *name_part)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        char link[300], target[512];
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        found = strstr(target, name_part) && strstr(target, "(deleted)");
    }
    closedir(d);
    return found;
}

/* Two processes on one cache (the browser open while the command line
 * syncs or queues edits): opening a second connection must not drop the
 * first one's locks, or the other process, closing last, deletes the WAL
 * under us and our next writes go to a deleted file (a malformed cache). */
static void test_two_processes_share_a_cache(void **state)
{
    fixture fx;
    fx_open(&fx);
    ht_error err;
    assert_int_equal(store_exec(fx.st, "CREATE TABLE t(x)", &err), HT_OK);
    assert_int_equal(store_exec(fx.st, "INSERT INTO t VALUES (1)", &err), HT_OK);
    /* A second connection in this process, as a sync thread opens. */
    store *second;
    assert_int_equal(store_open_path(fx.path, NULL, &second, &err), HT_OK);
    assert_int_equal(store_exec(second, "INSERT INTO t VALUES (2)", &err), HT_OK);
    /* Another process opens, writes and closes the cache (the sqlite3
     * shell: a fork of this process would inherit SQLite's view of our
     * locks and prove nothing). */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execlp("sqlite3", "sqlite3", fx.path, "INSERT INTO t VALUES (3);", (char *)NULL);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* Our WAL and shared memory are still the files on disk... */
    assert_false(holds_deleted_file(".db-wal"));
    assert_false(holds_deleted_file(".db-shm"));
    /* ...so what we write now is there for everyone, and the file is sound. */
    assert_int_equal(store_exec(fx.st, "INSERT INTO t VALUES (4)", &err), HT_OK);
    store_close(second);
    store *check;
    assert_int_equal(store_open_path(fx.path, NULL, &check, &err), HT_OK);
    sqlite3_stmt *q = store_stmt(check, "SELECT count(*), sum(x) FROM t", &err);
    assert_non_null(q);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 4);
    assert_int_equal(sqlite3_column_int(q, 1), 10);
    sqlite3_reset(q);
    q = store_stmt(check, "PRAGMA integrity_check", &err);
    assert_non_null(q);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_reset(q);
    store_close(check);
    fx_close(&fx);
}

static int cache_size_of(store *st)
{
    sqlite3_stmt *q = store_stmt(st, "PRAGMA cache_size", NULL);
    assert_non_null(q);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int kb = sqlite3_column_int(q, 0);
    sqlite3_reset(q);
    return kb;
}

/* PRAGMA cache_size during a bulk load of contacts and after it. */
static void bulk_load_cache_sizes(store *st, int during, int after)
{
    ht_error err;
    assert_int_equal(records_begin_bulk(st, "contacts", &err), HT_OK);
    assert_int_equal(cache_size_of(st), during);
    assert_int_equal(records_end_bulk(st, "contacts", NULL, &err), HT_OK);
    assert_int_equal(cache_size_of(st), after);
}

static void test_fresh_schema(void **state)
{
    fixture fx;
    fx_open(&fx);
    /* The page cache is the connection's own to size (the browser's sync
     * keeps it small). */
    ht_error cerr;
    assert_int_equal(cache_size_of(fx.st), -16384);   /* the default */
    /* A bulk load takes a big one for its time, then gives it back. */
    bulk_load_cache_sizes(fx.st, -65536, -16384);
    /* A size chosen for the connection holds, bulk load or not. */
    assert_int_equal(store_set_cache_kb(fx.st, 1234, &cerr), HT_OK);
    assert_int_equal(cache_size_of(fx.st), -1234);
    bulk_load_cache_sizes(fx.st, -1234, -1234);
    assert_int_equal(store_set_cache_kb(fx.st, 0, &cerr), HT_OK);
    assert_int_equal(cache_size_of(fx.st), -16384);
    assert_int_equal(store_schema_version(fx.st), store_schema_latest());
    assert_true(store_schema_latest() >= 2);
    objinfo *v;
    size_t n;
    ht_error err;
    assert_int_equal(meta_list_objects(fx.st, &v, &n, &err), HT_OK);
    assert_true(n >= 6);
    assert_string_equal(v[0].name, "contacts");
    assert_string_equal(v[0].type_id, "0-1");
    assert_int_equal(v[0].count, 0);
    assert_false(v[0].synced);
    objinfo_free_all(v, n);
    fx_close(&fx);
}

static void test_modes_and_paths(void **state)
{
    fixture fx;
    fx_open(&fx);
    char *xdg = xasprintf("%s/xdg", fx.dir);
    setenv("XDG_CACHE_HOME", xdg, 1);
    char *def = store_default_dir();
    char *want = xasprintf("%s/hubtui", xdg);
    assert_string_equal(def, want);
    ht_error err;
    store *st;
    assert_int_equal(store_open("work.portal-1", NULL, &st, &err), HT_OK);
    char *db = xasprintf("%s/work.portal-1.db", want);
    assert_string_equal(store_path(st), db);
    /* A write makes SQLite create the WAL and shared-memory files. */
    fx_load_meta(st);
    char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db);
    assert_int_equal(file_mode(want), 0700);
    assert_int_equal(file_mode(db), 0600);
    assert_int_equal(file_mode(wal), 0600);
    assert_int_equal(file_mode(shm), 0600);
    store_close(st);
    /* A looser existing file and directory are tightened on open. */
    chmod(db, 0644);
    chmod(want, 0755);
    assert_int_equal(store_open("work.portal-1", NULL, &st, &err), HT_OK);
    assert_int_equal(file_mode(db), 0600);
    assert_int_equal(file_mode(want), 0700);
    store_close(st);
    /* Portal names never escape the directory. */
    assert_int_equal(store_open("../evil", NULL, &st, &err), HT_INVALID);
    assert_non_null(strstr(err.message, "portal name"));
    assert_int_equal(store_open("", NULL, &st, &err), HT_INVALID);
    unsetenv("XDG_CACHE_HOME");
    free(wal);
    free(shm);
    free(db);
    free(def);
    free(want);
    free(xdg);
    fx_close(&fx);
}

static void test_migration_from_v1(void **state)
{
    fixture fx;
    fx_open(&fx);
    store_close(fx.st);
    unlink(fx.path);
    ht_error err;
    store *st;
    assert_int_equal(store_open_path_at_version(fx.path, 1, &st, &err), HT_OK);
    assert_int_equal(store_schema_version(st), 1);
    /* The v1 file holds data; v2 adds the audit log. */
    fx_load_meta(st);
    fx_put_json(st, "contacts", "[{\"id\":\"7\",\"properties\":{\"firstname\":\"Ann\"},"
                "\"createdAt\":\"2024-01-01T00:00:00Z\",\"updatedAt\":\"2024-01-02T00:00:00Z\"}]");
    assert_int_equal(outbox_enqueue_update(st, "contacts", "7", "firstname", "Anna", 0, NULL,
                                           &err), HT_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_schema"
                                                " WHERE name='audit'", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    sqlite3_finalize(q);
    store_close(st);

    store_options opt = {0};
    assert_int_equal(store_open_path(fx.path, &opt, &st, &err), HT_OK);
    assert_int_equal(store_schema_version(st), store_schema_latest());
    record *r;
    assert_int_equal(records_get(st, "contacts", "7", &r, &err), HT_OK);
    assert_string_equal(record_get(r, "firstname"), "Anna");
    assert_int_equal(record_find(r, "firstname")->state, OB_PENDING);
    record_free(r);
    audit_entry *a;
    size_t n;
    assert_int_equal(audit_list(st, NULL, NULL, 10, &a, &n, &err), HT_OK);
    assert_int_equal(n, 0);
    audit_entries_free(a, n);
    store_close(st);
    fx.st = NULL;
    fx_close(&fx);
}

static void test_newer_file_refused(void **state)
{
    fixture fx;
    fx_open(&fx);
    assert_int_equal(store_exec(fx.st, "INSERT INTO schema_version VALUES(99, 0, 'future')",
                                NULL), HT_OK);
    store_close(fx.st);
    ht_error err;
    store *st = NULL;
    assert_int_equal(store_open_path(fx.path, NULL, &st, &err), HT_DB);
    assert_null(st);
    assert_non_null(strstr(err.message, "newer hubtui"));
    fx.st = NULL;
    fx_close(&fx);
}

static void test_transactions_nest(void **state)
{
    fixture fx;
    fx_open(&fx);
    ht_error err;
    int64_t v;
    assert_int_equal(store_begin(fx.st, &err), HT_OK);
    assert_int_equal(store_kv_set_i64(fx.st, "a", 1, &err), HT_OK);
    assert_int_equal(store_begin(fx.st, &err), HT_OK);
    assert_int_equal(store_kv_set_i64(fx.st, "a", 2, &err), HT_OK);
    store_rollback(fx.st);                  /* inner rolled back */
    assert_int_equal(store_kv_get_i64(fx.st, "a", &v, &err), HT_OK);
    assert_int_equal(v, 1);
    assert_int_equal(store_commit(fx.st, &err), HT_OK);
    assert_false(store_in_transaction(fx.st));
    assert_int_equal(store_commit(fx.st, &err), HT_DB);
    fx_close(&fx);
}

typedef struct cancel_ctx {
    store   *st;
    uint64_t ticket;
} cancel_ctx;

static void *cancel_later(void *arg)
{
    cancel_ctx *c = arg;
    usleep(100 * 1000);
    store_cancel_before(c->st, c->ticket + 1);
    return NULL;
}

/* A reader on a second connection sees committed data while the writer
 * holds a transaction open, and its long query stops when cancelled from
 * another thread. */
static void test_reader_and_cancel(void **state)
{
    fixture fx;
    fx_open(&fx);
    ht_error err;
    store *rd;
    assert_int_equal(store_open_reader(fx.st, &rd, &err), HT_OK);
    assert_int_equal(store_kv_set_i64(fx.st, "x", 5, &err), HT_OK);
    assert_int_equal(store_begin(fx.st, &err), HT_OK);
    assert_int_equal(store_kv_set_i64(fx.st, "x", 6, &err), HT_OK);
    int64_t v;
    assert_int_equal(store_kv_get_i64(rd, "x", &v, &err), HT_OK);
    assert_int_equal(v, 5);
    assert_int_equal(store_commit(fx.st, &err), HT_OK);
    assert_int_equal(store_kv_set_i64(rd, "x", 7, &err), HT_DB);   /* read-only */

    store_set_ticket(rd, 3);
    cancel_ctx c = {rd, 3};
    pthread_t t;
    pthread_create(&t, NULL, cancel_later, &c);
    int64_t t0 = time_mono_ms();
    ht_status s = store_exec(rd, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n"
                                 " WHERE i < 2000000000) SELECT count(*) FROM n", &err);
    pthread_join(t, NULL);
    assert_int_equal(s, HT_CANCELLED);
    assert_true(time_mono_ms() - t0 < 5000);
    /* A newer ticket runs normally. */
    store_set_ticket(rd, 4);
    assert_int_equal(store_kv_get_i64(rd, "x", &v, &err), HT_OK);
    assert_int_equal(v, 6);
    store_close(rd);
    fx_close(&fx);
}

/* Sync state survives a reopen and rolls back with the data it describes. */
static void test_checkpoints(void **state)
{
    fixture fx;
    fx_open(&fx);
    ht_error err;
    sync_checkpoint cp;
    assert_int_equal(checkpoint_get(fx.st, "contacts", &cp, &err), HT_OK);
    assert_null(cp.backfill_after);
    assert_false(cp.backfill_done);
    cp.backfill_after = xstrdup("cursor-200");
    cp.backfill_records = 200;
    cp.hwm_ms = 1714521600000;
    assert_int_equal(checkpoint_put(fx.st, "contacts", &cp, &err), HT_OK);
    sync_checkpoint_clear(&cp);
    assert_int_equal(checkpoint_kv_set(fx.st, "contacts", "assoc:companies", "after-9", &err),
                     HT_OK);
    /* A page and its checkpoint in one transaction, rolled back together. */
    assert_int_equal(store_begin(fx.st, &err), HT_OK);
    fx_put_json(fx.st, "contacts", "[{\"id\":\"1\",\"properties\":{}}]");
    sync_checkpoint next = {.backfill_after = "cursor-300", .backfill_records = 300};
    assert_int_equal(checkpoint_put(fx.st, "contacts", &next, &err), HT_OK);
    store_rollback(fx.st);
    store_close(fx.st);
    store_options opt = {.dir = fx.dir};
    assert_int_equal(store_open("test", &opt, &fx.st, &err), HT_OK);
    assert_int_equal(checkpoint_get(fx.st, "contacts", &cp, &err), HT_OK);
    assert_string_equal(cp.backfill_after, "cursor-200");
    assert_int_equal(cp.backfill_records, 200);
    assert_int_equal(cp.hwm_ms, 1714521600000);
    sync_checkpoint_clear(&cp);
    record *r;
    assert_int_equal(records_get(fx.st, "contacts", "1", &r, &err), HT_NOT_FOUND);
    char *v;
    assert_int_equal(checkpoint_kv_get(fx.st, "contacts", "assoc:companies", &v, &err), HT_OK);
    assert_string_equal(v, "after-9");
    free(v);
    assert_int_equal(checkpoint_kv_set(fx.st, "contacts", "assoc:companies", NULL, &err), HT_OK);
    assert_int_equal(checkpoint_kv_get(fx.st, "contacts", "assoc:companies", &v, &err), HT_OK);
    assert_null(v);
    assert_int_equal(checkpoint_get(fx.st, "nosuch", &cp, &err), HT_NOT_FOUND);
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_processes_share_a_cache),
        cmocka_unit_test(test_fresh_schema),
        cmocka_unit_test(test_modes_and_paths),
        cmocka_unit_test(test_migration_from_v1),
        cmocka_unit_test(test_newer_file_refused),
        cmocka_unit_test(test_transactions_nest),
        cmocka_unit_test(test_reader_and_cancel),
        cmocka_unit_test(test_checkpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
