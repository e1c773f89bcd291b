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
/** Expect the next record to be at line with this input text (asserts). */
const fs_record *ds_fixture_expect(fs_dataset *ds, uint64_t line, const char *input);
/** Expect the next call to fail with code and a message "<path>:<tail>" (asserts). */
void ds_fixture_expect_error(fs_dataset *ds, const char *path, fs_status code, const char *tail);
/** Expect the end of the dataset (asserts). */
void ds_fixture_expect_end(fs_dataset *ds);

#endif
