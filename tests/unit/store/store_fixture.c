/* Scratch stores for the store suites: each test gets its own file in fs_test_tmp_dir(). */
#include "store_fixture.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs_test.h"

const char *store_fixture_path(char *out, size_t cap, const char *name)
{
    char side[600];
    snprintf(out, cap, "%s/%s.sqlite", fs_test_tmp_dir(), name);
    unlink(out);
    snprintf(side, sizeof side, "%s-wal", out);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", out);
    unlink(side);
    return out;
}

fs_store *store_fixture_open(char *path_out, size_t cap, const char *name)
{
    fs_store *s = NULL;
    fs_error err = { 0 };
    store_fixture_path(path_out, cap, name);
    if (fs_store_open(&s, path_out, "h1", false, &err) != FS_OK) {
        fprintf(stderr, "store_fixture_open: %s\n", err.msg);
        return NULL;
    }
    return s;
}

fs_variant store_fixture_variant(const char *rid, uint64_t index, const char *pert,
                                 const char *text)
{
    fs_variant v = { 0 };
    v.record_id = rid;
    v.record_index = index;
    v.perturbation = pert;
    v.text = text;
    v.changed = true;
    return v;
}

bool store_fixture_str_is(const char *s, const char *want)
{
    return s != NULL && strcmp(s, want) == 0;
}
