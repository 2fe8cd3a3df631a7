/* sync_page.h — HubSpot's pages of records, laid out as column batches.
 *
 * A backfill reads a million records in pages of a hundred, and reading the
 * pages is on the list cursor's critical path: the next page can only be
 * asked for once this one's paging.next.after is known. So list pages
 * arrive unparsed (HS_REQ_RAW) and are read here with cJSON, about six
 * times faster than a jansson tree of the same page (measured: 0.30 ms
 * against 1.8 ms for a page of 100 contacts with 22 properties). The
 * properties the walk asked for are laid out as a record_batch
 * (records.h) whose values point into that document — held until the page
 * is released — ready for records_writer_put without copying. It reads
 * {results: [record...], paging?: {next: {after}}} — list, search and
 * batch-read answers alike — ignoring whatever else a record or the page
 * carries, and refuses malformed JSON, text that is not UTF-8 or a page
 * of the wrong shape (HT_PARSE) rather than guess. */
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
    record_batch batch;       /* props are the reader's; values point into doc */
    const char  *next_after;  /* paging.next.after, or NULL on the last page */
    int64_t      max_lastmod; /* newest last-modified (or updatedAt) on the page, epoch ms */
    const char **merged;      /* per record: hs_merged_object_ids, or NULL */
    /* storage, reused from page to page */
    struct cJSON *doc;        /* the parsed answer the values point into */
    struct page_block *blocks; /* where doc and its texts live (see sync_page.c) */
    size_t       block_size;  /* the size to start the next page with */
    size_t       cap_records;
    const char **ids;
    const char **values;
    int64_t     *created, *updated;
    bool        *archived;
} record_page;

/* Read an answer's body (len bytes) into page, replacing what it held.
 * Properties the reader does not know are skipped; those it knows but a
 * record lacks are empty (NULL). */
ht_status page_read(page_reader *r, const char *body, size_t len, record_page *page,
                    ht_error *err);
/* The page's paging.next.after, read from the end of its body alone, so
 * the next page can be asked for while this one is read: HubSpot puts
 * paging last. True (with *after set, to free) when the body ends with a
 * top-level "paging" member holding a cursor; false when it does not say
 * so plainly (the last page, or another layout): then page_read tells. */
bool page_peek_next(const char *body, size_t len, char **after);
/* Drop what the page read (its document and texts) but keep its arrays
 * for the next page: the page writer does this on its own thread, after
 * storing, so freeing a page's tree never holds up the next read. */
void record_page_release(record_page *page);
/* Free the page's storage (the struct itself is the caller's). */
void record_page_clear(record_page *page);

#endif
