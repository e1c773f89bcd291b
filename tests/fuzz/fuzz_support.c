/* Scratch files for the harnesses whose parser takes a path (the dataset reader, the
 * config loader): one private directory per process, made by mkdtemp on first use; each
 * input overwrites the harness's file, and the file and the directory are removed at exit
 * (a crashing input leaves them behind, with the input in them). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 4

static char scratch_dir[512];
static char scratch_files[MAX_FILES][600];
static size_t n_scratch_files;

static void remove_scratch(void)
{
    for (size_t i = 0; i < n_scratch_files; i++) {
        unlink(scratch_files[i]);
    }
    if (scratch_dir[0] != '\0') {
        rmdir(scratch_dir);
    }
}

static bool make_scratch_dir(void)
{
    if (scratch_dir[0] != '\0') {
        return true;
    }
    const char *base = getenv("TMPDIR");
    int n = snprintf(scratch_dir, sizeof scratch_dir, "%s/fs-fuzz-XXXXXX",
                     (base != NULL && base[0] != '\0') ? base : "/tmp");
    if (n < 0 || (size_t)n >= sizeof scratch_dir || mkdtemp(scratch_dir) == NULL) {
        scratch_dir[0] = '\0';
        return false;
    }
    atexit(remove_scratch);
    return true;
}

/* Remember path so that remove_scratch() deletes it. */
static void track(const char *path)
{
    for (size_t i = 0; i < n_scratch_files; i++) {
        if (strcmp(scratch_files[i], path) == 0) {
            return;
        }
    }
    if (n_scratch_files < MAX_FILES) {
        snprintf(scratch_files[n_scratch_files++], sizeof scratch_files[0], "%s", path);
    }
}

bool fuzz_write_file(char *path_out, size_t cap, const char *name, const uint8_t *data, size_t size)
{
    if (!make_scratch_dir()) {
        return false;
    }
    int n = snprintf(path_out, cap, "%s/%s", scratch_dir, name);
    if (n < 0 || (size_t)n >= cap || (size_t)n >= sizeof scratch_files[0]) {
        return false;
    }
    track(path_out);
    FILE *f = fopen(path_out, "wb");
    if (f == NULL) {
        return false;
    }
    bool ok = size == 0 || fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

const char *fuzz_source_dir(void)
{
    const char *env = getenv("FS_SOURCE_DIR");
    return (env != NULL && env[0] != '\0') ? env : FS_TEST_SOURCE_DIR;
}
