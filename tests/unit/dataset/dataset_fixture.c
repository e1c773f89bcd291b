/* Dataset test helpers: paths to tests/data/dataset, scratch files and record checks. */
#include "dataset_fixture.h"

#include <stdio.h>
#include <string.h>

#include "fairshake/core.h"
#include "fs_test.h"

const char *ds_fixture_data(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/tests/data/dataset/%s", fs_test_source_dir(), name);
    return out;
}

const char *ds_fixture_write(char *out, size_t cap, const char *name, const char *bytes, size_t n)
{
    snprintf(out, cap, "%s/%s", fs_test_tmp_dir(), name);
    FILE *f = fopen(out, "wb");
    if (f == NULL) {
        return NULL;
    }
    size_t put = fwrite(bytes, 1, n, f);
    return (fclose(f) == 0 && put == n) ? out : NULL;
}

const char *ds_fixture_crlf_bom(char *out, size_t cap, const char *src, const char *name)
{
    char path[600];
    char *text = NULL;
    size_t n = 0;
    if (fs_read_file(&text, &n, ds_fixture_data(path, sizeof path, src), 0, NULL) != FS_OK) {
        return NULL;
    }
    fs_buf b;
    fs_buf_init(&b, 0);
    fs_buf_puts(&b, "\xEF\xBB\xBF");
    for (size_t i = 0; i < n; i++) {
        fs_buf_puts(&b, text[i] == '\n' ? "\r\n" : "");
        if (text[i] != '\n') {
            fs_buf_putc(&b, text[i]);
        }
    }
    const char *res = fs_buf_status(&b) == FS_OK
                          ? ds_fixture_write(out, cap, name, fs_buf_cstr(&b), b.len)
                          : NULL;
    fs_buf_dispose(&b);
    fs_free(text);
    return res;
}

const fs_record *ds_fixture_next(fs_dataset *ds)
{
    const fs_record *r = NULL;
    fs_error err = { 0 };
    fs_status st = fs_dataset_next(ds, &r, &err);
    if (st != FS_OK || r == NULL) {
        if (st != FS_OK) {
            fprintf(stderr, "\nunexpected error: %s\n", err.msg);
        }
        fs_dataset_free(ds); /* the fatal assertion below ends the test before it frees ds */
        CU_ASSERT_EQUAL_FATAL(st, FS_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    }
    return r;
}

const fs_record *ds_fixture_expect(fs_dataset *ds, uint64_t line, const char *input)
{
    const fs_record *r = ds_fixture_next(ds);
    CU_ASSERT_EQUAL(r->line, line);
    CU_ASSERT_EQUAL(r->input_len, strlen(input));
    CU_ASSERT_EQUAL(memcmp(r->input, input, strlen(input) + 1), 0);
    return r;
}

void ds_fixture_expect_refs(fs_dataset *ds, const fs_record *r, size_t n)
{
    if (r->n_refs != n) {
        fprintf(stderr, "\nexpected %zu references, got %zu\n", n, r->n_refs);
        fs_dataset_free(ds); /* r dies with ds; the test ends here */
        CU_FAIL_FATAL("wrong number of references");
    }
}

void ds_fixture_expect_error(fs_dataset *ds, const char *path, fs_status code, const char *tail)
{
    const fs_record *r = (const fs_record *)ds;
    fs_error err = { 0 };
    CU_ASSERT_EQUAL(fs_dataset_next(ds, &r, &err), code);
    CU_ASSERT_PTR_NULL(r);
    size_t n = strlen(path);
    bool ok = strncmp(err.msg, path, n) == 0 && err.msg[n] == ':' &&
              strncmp(err.msg + n + 1, tail, strlen(tail)) == 0;
    if (!ok) {
        fprintf(stderr, "\nexpected \"%s:%s...\", got \"%s\"\n", path, tail, err.msg);
    }
    CU_ASSERT_TRUE(ok);
}

void ds_fixture_expect_end(fs_dataset *ds)
{
    const fs_record *r = (const fs_record *)ds;
    CU_ASSERT_EQUAL(fs_dataset_next(ds, &r, NULL), FS_OK);
    CU_ASSERT_PTR_NULL(r);
}
