/* Small shared helpers: edit distance for "did you mean" suggestions, whole-file reads. */
#include "fairshake/core.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

size_t fs_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[64 + 1];
    if (lb > 64) {
        lb = 64;
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *fs_nearest(const char *s, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t len = strlen(s);
    size_t limit = len < 4 ? 2 : len / 2 + 1;
    for (size_t i = 0; i < n; i++) {
        size_t d = fs_edit_distance(s, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best_d <= limit ? best : NULL;
}

fs_status fs_read_file(char **out, size_t *len_out, const char *path, size_t max, fs_error *err)
{
    fs_buf b;
    char chunk[65536];
    *out = NULL;
    if (len_out != NULL) {
        *len_out = 0;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return FS_FAIL(err, FS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    fs_buf_init(&b, max);
    for (;;) {
        size_t got = fread(chunk, 1, sizeof chunk, f);
        fs_buf_append(&b, chunk, got);
        if (got < sizeof chunk) {
            break;
        }
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        fs_buf_dispose(&b);
        return FS_FAIL(err, FS_ERR_IO, "%s: read error", path);
    }
    if (fs_buf_status(&b) != FS_OK) {
        fs_status st = fs_buf_status(&b);
        fs_buf_dispose(&b);
        return FS_FAIL(err, st, "%s: %s", path,
                       st == FS_ERR_LIMIT ? "file too large" : "out of memory");
    }
    *out = fs_buf_take(&b, len_out);
    if (*out == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return FS_OK;
}
