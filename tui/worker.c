/* worker.c — cache reads on a thread of their own. */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "records.h"
#include "util.h"

#define WK_MAX_QUERIES 8
#define WK_WALK_PAGE 1000
#define WK_VALUES_BY_RECORD 20000 /* above this many ids, walk the table instead */

typedef struct wk_query {
    uint64_t owner, gen;
    query *q;
    uint64_t used; /* for evicting the least recently used */
} wk_query;

struct worker {
    store *reader;
    store *rw; /* opened on the worker thread when an index is built */
    char *path;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    wk_job *queue, *queue_tail;
    wk_job *running;
    wk_job *done, *done_tail;
    uint64_t *forget; /* owners whose queries the thread closes */
    size_t nforget;
    uint64_t next_ticket, next_owner, use_clock;
    wk_query qs[WK_MAX_QUERIES];
    int pipe[2];
    bool stop;
};

/* ---- Jobs ------------------------------------------------------------------ */

static char **copy_strv(const char *const *v, size_t n)
{
    char **out = xcalloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return out;
}

static void free_strv(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

wk_job *wk_job_new(wk_kind kind, uint64_t owner, uint64_t gen, const query_spec *spec)
{
    wk_job *j = xcalloc(1, sizeof *j);
    j->kind = kind;
    j->owner = owner;
    j->gen = gen;
    j->object = xstrdup(spec->object);
    j->filter = str_empty(spec->filter) ? NULL : xstrdup(spec->filter);
    j->sort = str_empty(spec->sort) ? NULL : xstrdup(spec->sort);
    j->desc = spec->descending;
    j->columns = copy_strv(spec->columns, spec->ncolumns);
    j->ncolumns = spec->ncolumns;
    j->count = -1;
    return j;
}

void wk_job_free(wk_job *j)
{
    if (!j)
        return;
    if (j->free_ud)
        j->free_ud(j->ud);
    free(j->object);
    free(j->filter);
    free(j->sort);
    if (j->values)
        for (size_t i = 0; i < j->nids * j->ncolumns; i++)
            free(j->values[i]);
    free(j->values);
    free_strv(j->columns, j->ncolumns);
    free_strv(j->ids, j->nids);
    query_cursor_clear(&j->cursor);
    query_page_free(j->page);
    free(j->id_list);
    free(j);
}

static query_spec spec_of(const wk_job *j)
{
    return (query_spec){
        .object = j->object,
        .filter = j->filter,
        .sort = j->sort,
        .descending = j->desc,
        .columns = (const char *const *)j->columns,
        .ncolumns = j->ncolumns,
    };
}

/* ---- Queries kept per owner (worker thread) ----------------------------------- */

static void close_owner_query(worker *w, uint64_t owner)
{
    for (int i = 0; i < WK_MAX_QUERIES; i++)
        if (w->qs[i].q && w->qs[i].owner == owner) {
            query_close(w->qs[i].q);
            memset(&w->qs[i], 0, sizeof w->qs[i]);
        }
}

static query *owner_query(worker *w, wk_job *j)
{
    wk_query *slot = NULL, *oldest = &w->qs[0];
    for (int i = 0; i < WK_MAX_QUERIES; i++) {
        wk_query *s = &w->qs[i];
        if (s->q && s->owner == j->owner)
            slot = s;
        if (!s->q || (oldest->q && s->used < oldest->used))
            oldest = s;
    }
    if (slot && slot->gen == j->gen) {
        slot->used = ++w->use_clock;
        return slot->q;
    }
    if (!slot)
        slot = oldest;
    if (slot->q)
        query_close(slot->q);
    memset(slot, 0, sizeof *slot);
    query_spec spec = spec_of(j);
    query *q = NULL;
    j->status = query_open(w->reader, &spec, &q, &j->err, &j->err_col);
    if (j->status != HT_OK)
        return NULL;
    *slot = (wk_query){j->owner, j->gen, q, ++w->use_clock};
    return q;
}

/* ---- Running jobs (worker thread) ------------------------------------------------ */

/* Rows of b then rows of a, as one page (both freed). */
static query_page *join_pages(query_page *b, query_page *a)
{
    query_page *p = xcalloc(1, sizeof *p);
    p->ncolumns = b->ncolumns;
    p->nrows = b->nrows + a->nrows;
    p->rows = xcalloc(p->nrows + 1, sizeof *p->rows);
    if (b->nrows)
        memcpy(p->rows, b->rows, b->nrows * sizeof *b->rows);
    if (a->nrows)
        memcpy(p->rows + b->nrows, a->rows, a->nrows * sizeof *a->rows);
    p->more_before = b->nrows ? b->more_before : a->more_before;
    p->more_after = a->more_after;
    b->nrows = a->nrows = 0;
    query_page_free(b);
    query_page_free(a);
    return p;
}

static ht_status run_around(query *q, wk_job *j)
{
    query_page *b = NULL, *a = NULL;
    size_t nb = j->n_before ? j->n_before : 1;
    ht_status s = query_before(q, &j->cursor, nb, &b, &j->err);
    if (s == HT_OK && b->nrows)
        s = query_after(q, &b->rows[b->nrows - 1].cursor, j->n, &a, &j->err);
    else if (s == HT_OK)
        s = query_first(q, j->n, &a, &j->err);
    if (s != HT_OK) {
        query_page_free(b);
        query_page_free(a);
        return s;
    }
    j->before = b->nrows;
    if (!b->nrows)
        b->more_before = false;
    j->page = join_pages(b, a);
    return HT_OK;
}

static ht_status run_page(query *q, wk_job *j)
{
    switch (j->how) {
    case WP_FIRST:
        return query_first(q, j->n, &j->page, &j->err);
    case WP_LAST:
        return query_last(q, j->n, &j->page, &j->err);
    case WP_AFTER:
        return query_after(q, &j->cursor, j->n, &j->page, &j->err);
    case WP_BEFORE:
        return query_before(q, &j->cursor, j->n, &j->page, &j->err);
    case WP_AT:
        return query_at(q, j->offset, j->n, &j->page, &j->err);
    case WP_AROUND:
        return run_around(q, j);
    }
    return ht_error_set(&j->err, HT_INVALID, "unknown page request");
}

static bool is_dead(worker *w, wk_job *j)
{
    pthread_mutex_lock(&w->mu);
    bool dead = j->dead || w->stop;
    pthread_mutex_unlock(&w->mu);
    return dead;
}

/* Every matching id, page by page (a walk can be abandoned between pages). */
static ht_status run_ids(worker *w, wk_job *j)
{
    query_spec spec = spec_of(j);
    spec.ncolumns = 0;
    query *q = NULL;
    ht_status s = query_open(w->reader, &spec, &q, &j->err, &j->err_col);
    size_t cap = 0;
    query_cursor last = {0};
    while (s == HT_OK) {
        if (is_dead(w, j)) {
            s = ht_error_set(&j->err, HT_CANCELLED, "cancelled");
            break;
        }
        query_page *p = NULL;
        s = last.valid ? query_after(q, &last, WK_WALK_PAGE, &p, &j->err)
                       : query_first(q, WK_WALK_PAGE, &p, &j->err);
        if (s != HT_OK)
            break;
        if (j->nid_list + p->nrows > cap) {
            cap = (j->nid_list + p->nrows) * 2;
            j->id_list = xrealloc(j->id_list, cap * sizeof *j->id_list);
        }
        for (size_t i = 0; i < p->nrows; i++)
            memcpy(j->id_list[j->nid_list++], p->rows[i].id, 32);
        bool more = p->more_after && p->nrows > 0;
        if (p->nrows) {
            query_cursor_clear(&last);
            query_cursor_copy(&last, &p->rows[p->nrows - 1].cursor);
        }
        query_page_free(p);
        if (!more)
            break;
    }
    query_cursor_clear(&last);
    query_close(q);
    return s;
}

static void put_record_values(wk_job *j, size_t i, const record *r)
{
    for (size_t k = 0; k < j->ncolumns; k++) {
        const char *v = record_get(r, j->columns[k]);
        j->values[i * j->ncolumns + k] = v ? xstrdup(v) : NULL;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct id_pos {
    int64_t id;
    size_t at;
} id_pos;

/* Many ids: walk the whole table once and pick the wanted rows. */
static ht_status values_by_walk(worker *w, wk_job *j)
{
    id_pos *want = xcalloc(j->nids + 1, sizeof *want);
    for (size_t i = 0; i < j->nids; i++) {
        if (!records_parse_id(j->ids[i], &want[i].id))
            want[i].id = INT64_MIN;
        want[i].at = i;
    }
    qsort(want, j->nids, sizeof *want, cmp_i64); /* id is the first member */
    query_spec spec = spec_of(j);
    spec.filter = NULL;
    spec.sort = NULL;
    spec.descending = false;
    query *q = NULL;
    ht_status s = query_open(w->reader, &spec, &q, &j->err, &j->err_col);
    query_cursor last = {0};
    while (s == HT_OK && !is_dead(w, j)) {
        query_page *p = NULL;
        s = last.valid ? query_after(q, &last, WK_WALK_PAGE, &p, &j->err)
                       : query_first(q, WK_WALK_PAGE, &p, &j->err);
        if (s != HT_OK)
            break;
        for (size_t r = 0; r < p->nrows; r++) {
            id_pos key = {p->rows[r].cursor.id, 0};
            id_pos *hit = bsearch(&key, want, j->nids, sizeof *want, cmp_i64);
            for (; hit && hit > want && hit[-1].id == key.id; hit--)
                ;
            for (; hit && hit < want + j->nids && hit->id == key.id; hit++)
                for (size_t k = 0; k < j->ncolumns; k++) {
                    char *v = p->rows[r].values[k];
                    j->values[hit->at * j->ncolumns + k] = v ? xstrdup(v) : NULL;
                }
        }
        bool more = p->more_after && p->nrows > 0;
        if (p->nrows) {
            query_cursor_clear(&last);
            query_cursor_copy(&last, &p->rows[p->nrows - 1].cursor);
        }
        query_page_free(p);
        if (!more)
            break;
    }
    if (s == HT_OK && is_dead(w, j))
        s = ht_error_set(&j->err, HT_CANCELLED, "cancelled");
    query_cursor_clear(&last);
    query_close(q);
    free(want);
    return s;
}

static ht_status run_values(worker *w, wk_job *j)
{
    j->values = xcalloc(j->nids * j->ncolumns + 1, sizeof *j->values);
    if (j->nids > WK_VALUES_BY_RECORD)
        return values_by_walk(w, j);
    for (size_t i = 0; i < j->nids; i++) {
        if (i % 256 == 0 && is_dead(w, j))
            return ht_error_set(&j->err, HT_CANCELLED, "cancelled");
        record *r = NULL;
        ht_status s = records_get(w->reader, j->object, j->ids[i], &r, &j->err);
        if (s == HT_NOT_FOUND)
            continue; /* gone meanwhile: no values */
        if (s != HT_OK)
            return s;
        put_record_values(j, i, r);
        record_free(r);
    }
    return HT_OK;
}

static ht_status run_index(worker *w, wk_job *j)
{
    if (!j->sort)
        return HT_OK;
    if (!w->rw) {
        store_options opt = {0};
        ht_status s = store_open_path(w->path, &opt, &w->rw, &j->err);
        if (s != HT_OK)
            return s;
    }
    return query_ensure_index(w->rw, j->object, j->sort, &j->built_ms, &j->err);
}

static void run_job(worker *w, wk_job *j)
{
    int64_t t0 = time_mono_ms();
    query *q = NULL;
    ht_error_clear(&j->err);
    switch (j->kind) {
    case WK_PAGE:
    case WK_COUNT:
    case WK_POSITION:
        q = owner_query(w, j);
        if (!q)
            break;
        if (j->kind == WK_PAGE)
            j->status = run_page(q, j);
        else if (j->kind == WK_COUNT)
            j->status = query_count(q, &j->count, &j->err);
        else
            j->status = query_position(q, &j->cursor, &j->count, &j->err);
        break;
    case WK_INDEX:
        j->status = run_index(w, j);
        break;
    case WK_IDS:
        j->status = run_ids(w, j);
        break;
    case WK_VALUES:
        j->status = run_values(w, j);
        break;
    }
    if (j->status != HT_OK && j->status != HT_CANCELLED)
        log_debug("tui worker: job %d of owner %llu failed: %s", (int)j->kind,
                  (unsigned long long)j->owner, j->err.message);
    j->ms = time_mono_ms() - t0;
}

static void wake_ui(worker *w)
{
    char b = 1;
    if (write(w->pipe[1], &b, 1) < 0 && errno != EAGAIN) {
        /* The pipe is full: the UI has bytes to wake on already. */
    }
}

static void take_forgets(worker *w)
{
    while (w->nforget) {
        uint64_t owner = w->forget[--w->nforget];
        pthread_mutex_unlock(&w->mu);
        close_owner_query(w, owner);
        pthread_mutex_lock(&w->mu);
    }
}

static void *thread_main(void *arg)
{
    worker *w = arg;
    /* A long query must never hold up the echo of a key on a busy machine. */
    if (!thread_lower_priority())
        log_debug("worker: could not lower the thread's priority");
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        take_forgets(w);
        /* take_forgets lets go of the lock: a stop signalled meanwhile found
         * nobody waiting, and waiting now would never end. */
        if (w->stop)
            break;
        if (!w->queue) {
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        wk_job *j = w->queue;
        w->queue = j->next;
        if (!w->queue)
            w->queue_tail = NULL;
        j->next = NULL;
        j->ticket = ++w->next_ticket;
        w->running = j;
        pthread_mutex_unlock(&w->mu);

        store_set_ticket(w->reader, j->ticket);
        run_job(w, j);

        pthread_mutex_lock(&w->mu);
        w->running = NULL;
        if (j->dead || w->stop) {
            wk_job_free(j);
            continue;
        }
        if (w->done_tail)
            w->done_tail->next = j;
        else
            w->done = j;
        w->done_tail = j;
        wake_ui(w);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* ---- The UI side ---------------------------------------------------------------- */

worker *worker_new(store *st, ht_error *err)
{
    worker *w = xcalloc(1, sizeof *w);
    w->pipe[0] = w->pipe[1] = -1;
    if (store_open_reader(st, &w->reader, err) != HT_OK) {
        free(w);
        return NULL;
    }
    w->path = xstrdup(store_path(st));
    if (pipe(w->pipe) < 0) {
        ht_error_set(err, HT_IO, "pipe: %s", strerror(errno));
        worker_free(w);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(w->pipe[i], F_SETFL, fcntl(w->pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(w->pipe[i], F_SETFD, FD_CLOEXEC);
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, thread_main, w) != 0) {
        ht_error_set(err, HT_IO, "cannot start the worker thread");
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        close(w->pipe[0]);
        close(w->pipe[1]);
        store_close(w->reader);
        free(w->path);
        free(w);
        return NULL;
    }
    w->started = true;
    return w;
}

static void free_list(wk_job *j)
{
    while (j) {
        wk_job *next = j->next;
        wk_job_free(j);
        j = next;
    }
}

void worker_free(worker *w)
{
    if (!w)
        return;
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->stop = true;
        if (w->running)
            store_cancel_before(w->reader, UINT64_MAX);
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
    }
    free_list(w->queue);
    free_list(w->done);
    for (int i = 0; i < WK_MAX_QUERIES; i++)
        query_close(w->qs[i].q);
    free(w->forget);
    store_close(w->rw);
    store_close(w->reader);
    if (w->pipe[0] >= 0)
        close(w->pipe[0]);
    if (w->pipe[1] >= 0)
        close(w->pipe[1]);
    free(w->path);
    free(w);
}

int worker_fd(const worker *w)
{
    return w->pipe[0];
}

uint64_t worker_new_owner(worker *w)
{
    return ++w->next_owner; /* UI thread only */
}

void worker_submit(worker *w, wk_job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&w->mu);
    if (w->queue_tail)
        w->queue_tail->next = j;
    else
        w->queue = j;
    w->queue_tail = j;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Remove the jobs of a list that match, freeing them; returns the new head
 * and fixes *tail. */
static wk_job *drop_from(wk_job *head, wk_job **tail, uint64_t owner, uint64_t gen)
{
    wk_job **pp = &head, *last = NULL;
    while (*pp) {
        wk_job *j = *pp;
        if (j->owner == owner && j->gen < gen) {
            *pp = j->next;
            wk_job_free(j);
        } else {
            last = j;
            pp = &j->next;
        }
    }
    if (tail)
        *tail = last;
    return head;
}

void worker_drop(worker *w, uint64_t owner, uint64_t gen)
{
    pthread_mutex_lock(&w->mu);
    w->queue = drop_from(w->queue, &w->queue_tail, owner, gen);
    w->done = drop_from(w->done, &w->done_tail, owner, gen);
    wk_job *r = w->running;
    if (r && r->owner == owner && r->gen < gen) {
        r->dead = true;
        store_cancel_before(w->reader, r->ticket + 1);
    }
    pthread_mutex_unlock(&w->mu);
}

void worker_forget(worker *w, uint64_t owner)
{
    worker_drop(w, owner, UINT64_MAX);
    pthread_mutex_lock(&w->mu);
    w->forget = xrealloc(w->forget, (w->nforget + 1) * sizeof *w->forget);
    w->forget[w->nforget++] = owner;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void worker_collect(worker *w)
{
    char buf[64];
    while (read(w->pipe[0], buf, sizeof buf) > 0)
        ;
    /* One at a time: a callback may drop or forget other owners' results
     * (closing a view), which must then never reach their callbacks. */
    for (;;) {
        pthread_mutex_lock(&w->mu);
        wk_job *j = w->done;
        if (j) {
            w->done = j->next;
            if (!w->done)
                w->done_tail = NULL;
        }
        pthread_mutex_unlock(&w->mu);
        if (!j)
            return;
        j->next = NULL;
        if (j->done) {
            j->free_ud = NULL; /* the callback owns ud now */
            j->done(j->ud, j);
        }
        wk_job_free(j);
    }
}

bool worker_busy(worker *w)
{
    pthread_mutex_lock(&w->mu);
    bool busy = w->queue || w->running;
    pthread_mutex_unlock(&w->mu);
    return busy;
}
