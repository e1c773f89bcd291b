#ifndef FS_TEST_DATASET_FIXTURE_H
#define FS_TEST_DATASET_FIXTURE_H
/* Helpers shared by the dataset suites: data file paths, scratch files and checks. */
#include <stddef.h>

#include "fairshake/dataset.h"

/** "<source>/tests/data/dataset/<name>" into out. */
const char *ds_fixture_data(char *out, size_t cap, const char *name);
/** Write bytes to "<tmp>/<name>" and return its path in out (NULL on failure). */
const char *ds_fixture_write(char *out, size_t cap, const char *name, const char *bytes, size_t n);
/** Copy data file src to "<tmp>/<name>" with LF turned into CRLF, after a UTF-8 BOM. */
const char *ds_fixture_crlf_bom(char *out, size_t cap, const char *src, const char *name);
/** The next record of ds. On an error or at the end, ds is freed and the test fails and
 *  ends there (fatal), so call it only while ds is all the test holds. */
const fs_record *ds_fixture_next(fs_dataset *ds);
/** Expect the next record to be at line with this input text (asserts). Without a next
 *  record it frees ds and ends the test, as ds_fixture_next() does. */
const fs_record *ds_fixture_expect(fs_dataset *ds, uint64_t line, const char *input);
/** Expect record r of ds to have n references; otherwise free ds and end the test (fatal),
 *  as ds_fixture_next() does. */
void ds_fixture_expect_refs(fs_dataset *ds, const fs_record *r, size_t n);
/** Expect the next call to fail with code and a message "<path>:<tail>" (asserts). */
void ds_fixture_expect_error(fs_dataset *ds, const char *path, fs_status code, const char *tail);
/** Expect the end of the dataset (asserts). */
void ds_fixture_expect_end(fs_dataset *ds);

#endif
