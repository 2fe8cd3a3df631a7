/* tmpdir.h — private temporary directories for the test fixtures: made
 * under $TMPDIR (or /tmp), removed with everything in them; and reading
 * back the files the tests and their child processes leave there. */
#ifndef HUBTUI_TEST_TMPDIR_H
#define HUBTUI_TEST_TMPDIR_H

#include <stdbool.h>
#include <stddef.h>

/* Make a fresh directory $TMPDIR/<prefix>-XXXXXX and write its path into
 * dir (size bytes). False when it could not be made. */
bool tmpdir_make(char *dir, size_t size, const char *prefix);
/* rm -rf dir (a missing directory is fine). */
void tmpdir_remove(const char *dir);
/* A whole file as a string (caller frees; "" when empty). NULL when it
 * cannot be opened: callers decide whether that fails the test. */
char *tmpdir_read_file(const char *path);

#endif
