/* sync_page.h — HubSpot's pages of records, laid out as column batches.
 *
 * A backfill reads a million records in pages of a hundred. The client
 * hands each answer over parsed (jansson); this lays the properties the
 * walk asked for out as a record_batch (records.h) whose values point into
 * that document — held until the page is released — ready for
 * records_writer_put without copying. It reads {results: [record...],
 * paging?: {next: {after}}} — list, search and batch-read answers alike —
 * ignoring whatever else a record or the page carries, and refuses a page
 * of the wrong shape (HT_PARSE) rather than guess. */
#ifndef HUBTUI_CACHE_SYNC_PAGE_H
#define HUBTUI_CACHE_SYNC_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "records.h"

/* The properties a walk asks for, mapped to batch columns once. */
typedef struct page_reader page_reader;

/* A reader for these property names (copied); `lastmod` (may be NULL)
 * names the property whose newest value page_read reports. */
page_reader *page_reader_new(const char *const *props, size_t nprops, const char *lastmod);
void page_reader_free(page_reader *r);

typedef struct record_page {
    record_batch batch;       /* props are the reader's; values point into doc */
    const char  *next_after;  /* paging.next.after, or NULL on the last page */
    int64_t      max_lastmod; /* newest last-modified (or updatedAt) on the page, epoch ms */
    const char **merged;      /* per record: hs_merged_object_ids, or NULL */
    /* storage, reused from page to page */
    json_t      *doc;         /* the answer the values point into (a reference) */
    char       **owned;       /* non-string scalars made into text */
    size_t       nowned, cap_owned;
    size_t       cap_records;
    const char **ids;
    const char **values;
    int64_t     *created, *updated;
    bool        *archived;
} record_page;

/* Lay a parsed answer out in page, replacing what it held; the page keeps
 * a reference to doc. Properties the reader does not know are skipped;
 * those it knows but a record lacks are empty (NULL). */
ht_status page_read(page_reader *r, json_t *doc, record_page *page, ht_error *err);
/* Drop what the page read (its document and texts) but keep its arrays
 * for the next page: the page writer does this on its own thread, after
 * storing, so freeing a page's tree never holds up the next read. */
void record_page_release(record_page *page);
/* Free the page's storage (the struct itself is the caller's). */
void record_page_clear(record_page *page);

#endif
