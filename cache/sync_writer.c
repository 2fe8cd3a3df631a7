/* sync_writer.c — the page writer of list walks: a thread with its own
 * connection to the cache file that stores pages of records while the
 * client's loop fetches and reads the next ones.
 *
 * A backfill is two kinds of work of about the same size: receiving and
 * reading pages (the loop's thread) and inserting rows (SQLite). Run one
 * after the other they add up; on two threads they overlap. Pages go into
 * a ring: the loop reads an answer into a free slot and queues it; the
 * writer takes what is queued (at least PAGES_PER_TX unless the walk ends)
 * and writes those pages as one batch, with the walk's cursor after the
 * last of them, in one transaction — so a killed sync still resumes
 * exactly where the data stopped. In bulk mode each batch also goes into
 * the search index in the same transaction (records_bulk_index), so no
 * long index build waits at the end. The loop only ever waits when the
 * ring is full (the writer is behind) and at the end of the walk.
 *
 * SQLite allows one writer at a time per file: the browser's own writes
 * (queued edits) simply wait for the current transaction (a few ms). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "meta.h"
#include "store_int.h"
#include "sync_int.h"
#include "sync_page.h"
#include "util.h"

#define PAGES_PER_TX 16
#define PAGE_RING    (2 * PAGES_PER_TX)

struct page_writer {
    pthread_t       thread;
    pthread_mutex_t mu;
    pthread_cond_t  work;        /* pages queued, or stop */
    pthread_cond_t  room;        /* pages written: slots free */
    store          *st;          /* the writer's own connection */
    record_writer  *w;
    char           *object;
    bool            full;        /* cursor in the kv store; records stamped with gen */
    bool            bulk;        /* build the search index at the end */
    int64_t         gen;
    record_page     ring[PAGE_RING];
    size_t          first;       /* oldest queued page */
    size_t          queued;      /* pages queued or being written */
    bool            reserved;    /* the loop holds ring[(first + queued) % RING] */
    bool            stop;        /* write what is queued, then leave */
    bool            abandon;     /* leave at once */
    ht_status       status;
    ht_error        err;
    int64_t         written;
    int64_t         max_lastmod;
    bool            joined;
    struct {                     /* where the time went, in ms: one log line at the end */
        int64_t     started, rows, index, tx; /* writer: storing rows, indexing them, all */
        int64_t     final;       /* the search index's rest and merge at the end */
        int64_t     cpu;         /* the writer thread's CPU time, when it ends */
        int64_t     slot_wait;   /* the loop waiting for a free slot */
    } ms;
    /* the combined batch of one transaction (writer thread only) */
    const char    **ids;
    const char    **values;
    int64_t        *created, *updated;
    bool           *archived;
    size_t          cap;
};

/* ---- one transaction --------------------------------------------------------------- */

static void combine(page_writer *pw, size_t first, size_t n, record_batch *b)
{
    size_t total = 0, np = 0;
    for (size_t i = 0; i < n; i++) {
        const record_page *pg = &pw->ring[(first + i) % PAGE_RING];
        total += pg->batch.nrecords;
        np = pg->batch.nprops;
    }
    if (total > pw->cap) {
        pw->cap = total;
        pw->ids = xrealloc(pw->ids, total * sizeof *pw->ids);
        pw->values = xrealloc(pw->values, (total * np + 1) * sizeof *pw->values);
        pw->created = xrealloc(pw->created, total * sizeof *pw->created);
        pw->updated = xrealloc(pw->updated, total * sizeof *pw->updated);
        pw->archived = xrealloc(pw->archived, total * sizeof *pw->archived);
    }
    memset(b, 0, sizeof *b);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const record_batch *src = &pw->ring[(first + i) % PAGE_RING].batch;
        size_t m = src->nrecords;
        if (m == 0)
            continue;
        b->props = src->props;
        b->nprops = src->nprops;
        memcpy(pw->ids + at, src->ids, m * sizeof *pw->ids);
        memcpy(pw->values + at * np, src->values, m * np * sizeof *pw->values);
        memcpy(pw->created + at, src->created_ms, m * sizeof *pw->created);
        memcpy(pw->updated + at, src->updated_ms, m * sizeof *pw->updated);
        memcpy(pw->archived + at, src->archived, m * sizeof *pw->archived);
        at += m;
    }
    b->nrecords = at;
    b->ids = pw->ids;
    b->values = pw->values;
    b->created_ms = pw->created;
    b->updated_ms = pw->updated;
    b->archived = pw->archived;
}

ht_status sync_save_list_cursor(store *st, const char *object, bool full, const char *next,
                                size_t n, int64_t max_lastmod, ht_error *err)
{
    if (full)
        return checkpoint_kv_set(st, object, "full_after", next ? next : "", err);
    sync_checkpoint cp;
    ht_status s = checkpoint_get(st, object, &cp, err);
    if (s != HT_OK)
        return s;
    free(cp.backfill_after);
    cp.backfill_after = next ? xstrdup(next) : NULL;
    cp.backfill_records += (int64_t)n;
    if (max_lastmod > cp.hwm_ms)
        cp.hwm_ms = max_lastmod;
    s = checkpoint_put(st, object, &cp, err);
    sync_checkpoint_clear(&cp);
    return s;
}

static ht_status write_pages(page_writer *pw, size_t first, size_t n, int64_t *max_lastmod,
                             size_t *records, ht_error *err)
{
    record_batch b;
    combine(pw, first, n, &b);
    const record_page *last = &pw->ring[(first + n - 1) % PAGE_RING];
    int64_t t0 = time_mono_ms();
    ht_status s = store_begin(pw->st, err);
    upsert_stats stats = {0};
    if (s == HT_OK && b.nrecords)
        s = records_writer_put(pw->w, &b, pw->gen, &stats, err);
    int64_t t1 = time_mono_ms();
    /* Index what was just written, in the same transaction: the index is
     * built as the load goes (no long build at the end). */
    if (s == HT_OK && pw->bulk && stats.max_id > 0)
        s = records_bulk_index(pw->st, pw->object, stats.max_id, err);
    int64_t t2 = time_mono_ms();
    for (size_t i = 0; s == HT_OK && i < n; i++) {
        const record_page *pg = &pw->ring[(first + i) % PAGE_RING];
        if (pg->max_lastmod > *max_lastmod)
            *max_lastmod = pg->max_lastmod;
        for (size_t r = 0; s == HT_OK && r < pg->batch.nrecords; r++)
            if (!str_empty(pg->merged[r]))
                s = sync_forget_merged(pw->st, pw->object, pg->batch.ids[r], pg->merged[r],
                                       err);
    }
    if (s == HT_OK)
        s = sync_save_list_cursor(pw->st, pw->object, pw->full, last->next_after, b.nrecords,
                                  *max_lastmod, err);
    s = store_commit_or_rollback(pw->st, s, err);
    *records = b.nrecords;
    pw->ms.rows += t1 - t0;
    pw->ms.index += t2 - t1;
    pw->ms.tx += time_mono_ms() - t0;
    return s;
}

/* ---- the thread ---------------------------------------------------------------------- */

static void *writer_main(void *arg)
{
    page_writer *pw = arg;
    pthread_mutex_lock(&pw->mu);
    for (;;) {
        /* Enough for a batch, or the end: a lone page would cost a commit. */
        while (!pw->abandon && !pw->stop && pw->queued < PAGES_PER_TX)
            pthread_cond_wait(&pw->work, &pw->mu);
        if (pw->abandon || pw->queued == 0)
            break;
        size_t first = pw->first, n = pw->queued;
        int64_t max_lastmod = pw->max_lastmod;
        pthread_mutex_unlock(&pw->mu);
        ht_error e;
        ht_error_clear(&e);
        size_t records = 0;
        ht_status s = write_pages(pw, first, n, &max_lastmod, &records, &e);
        for (size_t i = 0; i < n; i++)
            record_page_release(&pw->ring[(first + i) % PAGE_RING]);
        pthread_mutex_lock(&pw->mu);
        if (s != HT_OK) {
            pw->status = s;
            ht_error_copy(&pw->err, &e);
            pw->abandon = true;
        } else {
            pw->max_lastmod = max_lastmod;
            pw->written += (int64_t)records;
        }
        pw->first = (first + n) % PAGE_RING;
        pw->queued -= n;
        pthread_cond_broadcast(&pw->room);
    }
    bool finished = pw->stop && !pw->abandon && pw->status == HT_OK;
    pw->abandon = true;   /* nothing more is taken */
    pthread_cond_broadcast(&pw->room);
    pthread_mutex_unlock(&pw->mu);
    if (finished && pw->bulk) {
        /* Index the rest and merge the index's segments: this connection's
         * page cache still holds what was just written. */
        ht_error e;
        ht_error_clear(&e);
        ht_status s = store_exec(pw->st, "PRAGMA wal_autocheckpoint=1000", &e);
        if (s == HT_OK)
            s = records_end_bulk(pw->st, pw->object, &pw->ms.final, &e);
        if (s != HT_OK) {
            pw->status = s;
            ht_error_copy(&pw->err, &e);
        }
    }
    struct timespec cpu;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
        pw->ms.cpu = (int64_t)cpu.tv_sec * 1000 + cpu.tv_nsec / 1000000;
    return NULL;
}

/* ---- the loop's side -------------------------------------------------------------------- */

page_writer *page_writer_start(store *main, const char *object, bool bulk, bool full,
                               int cache_kb, int64_t gen,
                               ht_error *err)
{
    page_writer *pw = xcalloc(1, sizeof *pw);
    pw->object = xstrdup(object);
    pw->full = full;
    pw->bulk = bulk;
    pw->gen = gen;
    pw->ms.started = time_mono_ms();
    ht_status s = store_open_path(store_path(main), NULL, &pw->st, err);
    if (s == HT_OK && cache_kb > 0)
        s = store_set_cache_kb(pw->st, cache_kb, err);
    if (s == HT_OK && bulk)
        s = records_begin_bulk(pw->st, object, err);   /* its big page cache, unless sized */
    /* Fewer, larger checkpoints while loading (each one syncs the file). */
    if (s == HT_OK && bulk)
        s = store_exec(pw->st, "PRAGMA wal_autocheckpoint=16384", err);
    if (s == HT_OK && !(pw->w = records_writer_open(pw->st, object, err)))
        s = err && err->status != HT_OK ? err->status : HT_DB;
    if (s == HT_OK) {
        pthread_mutex_init(&pw->mu, NULL);
        pthread_cond_init(&pw->work, NULL);
        pthread_cond_init(&pw->room, NULL);
        if (pthread_create(&pw->thread, NULL, writer_main, pw) != 0) {
            pthread_mutex_destroy(&pw->mu);
            pthread_cond_destroy(&pw->work);
            pthread_cond_destroy(&pw->room);
            s = ht_error_set(err, HT_IO, "could not start the page writer thread");
        }
    }
    if (s != HT_OK) {
        records_writer_close(pw->w);
        store_close(pw->st);
        free(pw->object);
        free(pw);
        return NULL;
    }
    return pw;
}

record_page *page_writer_slot(page_writer *pw)
{
    pthread_mutex_lock(&pw->mu);
    if (!pw->abandon && pw->queued == PAGE_RING) {
        int64_t t0 = time_mono_ms();
        while (!pw->abandon && pw->queued == PAGE_RING)
            pthread_cond_wait(&pw->room, &pw->mu);
        pw->ms.slot_wait += time_mono_ms() - t0;
    }
    record_page *pg = pw->abandon ? NULL : &pw->ring[(pw->first + pw->queued) % PAGE_RING];
    pw->reserved = pg != NULL;
    pthread_mutex_unlock(&pw->mu);
    return pg;
}

void page_writer_queue(page_writer *pw)
{
    pthread_mutex_lock(&pw->mu);
    if (pw->reserved) {
        pw->reserved = false;
        pw->queued++;
        pthread_cond_signal(&pw->work);
    }
    pthread_mutex_unlock(&pw->mu);
}

int64_t page_writer_written(page_writer *pw, ht_status *st, ht_error *err)
{
    pthread_mutex_lock(&pw->mu);
    int64_t n = pw->written;
    *st = pw->status;
    if (pw->status != HT_OK)
        ht_error_copy(err, &pw->err);
    pthread_mutex_unlock(&pw->mu);
    return n;
}

/* Tell the thread to finish (abandon: at once) and wait for it. */
static void writer_stop(page_writer *pw, bool abandon)
{
    if (pw->joined)
        return;
    pthread_mutex_lock(&pw->mu);
    pw->reserved = false;
    if (abandon)
        pw->abandon = true;
    pw->stop = true;
    pthread_cond_signal(&pw->work);
    pthread_mutex_unlock(&pw->mu);
    pthread_join(pw->thread, NULL);
    pw->joined = true;
}

ht_status page_writer_finish(page_writer *pw, int64_t *written, int64_t *max_lastmod,
                             int64_t *index_ms, ht_error *err)
{
    writer_stop(pw, false);
    log_info("sync: %s page writer: %lld ms in all, %lld ms of CPU; transactions %lld ms "
             "(rows %lld ms, search index %lld ms), final index %lld ms; the loop waited %lld "
             "ms for room", pw->object, (long long)(time_mono_ms() - pw->ms.started),
             (long long)pw->ms.cpu, (long long)pw->ms.tx, (long long)pw->ms.rows,
             (long long)pw->ms.index, (long long)pw->ms.final,
             (long long)pw->ms.slot_wait);
    if (index_ms)
        *index_ms = pw->bulk ? pw->ms.final : -1;
    if (pw->status != HT_OK)
        ht_error_copy(err, &pw->err);
    if (written)
        *written = pw->written;
    if (max_lastmod)
        *max_lastmod = pw->max_lastmod;
    return pw->status;
}

void page_writer_free(page_writer *pw)
{
    if (!pw)
        return;
    writer_stop(pw, true);
    pthread_mutex_destroy(&pw->mu);
    pthread_cond_destroy(&pw->work);
    pthread_cond_destroy(&pw->room);
    records_writer_close(pw->w);
    store_close(pw->st);
    for (size_t i = 0; i < PAGE_RING; i++)
        record_page_clear(&pw->ring[i]);
    free(pw->ids);
    free(pw->values);
    free(pw->created);
    free(pw->updated);
    free(pw->archived);
    free(pw->object);
    free(pw);
}
