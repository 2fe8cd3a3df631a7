/* sync_page.h — a fast reader for HubSpot's pages of records.
 *
 * A backfill reads a million records in pages of a hundred; building a
 * jansson tree for each page (an object and a string per value) costs more
 * than storing the records. This reader makes one pass over a copy of the
 * body, unescapes strings in place and points a record_batch (records.h)
 * at them, ready for records_writer_put. It reads {results: [record...],
 * paging?: {next: {after}}} — list, search and batch-read answers alike —
 * skipping whatever else a record or the page carries. It is strict JSON:
 * anything malformed (including invalid UTF-8) is HT_PARSE, never a guess. */
#ifndef HUBTUI_CACHE_SYNC_PAGE_H
#define HUBTUI_CACHE_SYNC_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "records.h"

/* The properties a walk asks for, mapped to batch columns once. */
typedef struct page_reader page_reader;

/* A reader for these property names (copied); `lastmod` (may be NULL)
 * names the property whose newest value page_read reports. */
page_reader *page_reader_new(const char *const *props, size_t nprops, const char *lastmod);
void page_reader_free(page_reader *r);

typedef struct record_page {
    record_batch batch;       /* props are the reader's; values point into buf */
    const char  *next_after;  /* paging.next.after, or NULL on the last page */
    int64_t      max_lastmod; /* newest last-modified (or updatedAt) on the page, epoch ms */
    const char **merged;      /* per record: hs_merged_object_ids, or NULL */
    /* storage, reused from page to page */
    char        *buf;
    size_t       cap;
    char       **owned;       /* non-string scalars made into text */
    size_t       nowned, cap_owned;
    size_t       cap_records;
    const char **ids;
    const char **values;
    int64_t     *created, *updated;
    bool        *archived;
    char       (*idbuf)[32];
} record_page;

/* Read a page body (len bytes, need not be NUL-terminated) into page,
 * replacing what it held. Properties the reader does not know are skipped;
 * those it knows but a record lacks are empty (NULL). */
ht_status page_read(page_reader *r, const char *body, size_t len, record_page *page,
                    ht_error *err);
/* Free the page's storage (the struct itself is the caller's). */
void record_page_clear(record_page *page);

#endif
