/* Writing report files: each format is rendered in memory, written to a temporary file
 * beside the target and renamed over it, so no reader sees a half-written report. */
#include "fairshake/report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static fs_status write_atomic(const char *dir, const char *name, const char *data, size_t n,
                              fs_error *err)
{
    char path[1200], tmp[1250];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        return FS_FAIL(err, FS_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    }
    size_t wrote = fwrite(data, 1, n, f);
    int closed = fclose(f);
    if (wrote != n || closed != 0) {
        remove(tmp);
        return FS_FAIL(err, FS_ERR_IO, "%s: write failed: %s", tmp, strerror(errno));
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return FS_FAIL(err, FS_ERR_IO, "%s: cannot rename: %s", path, strerror(errno));
    }
    return FS_OK;
}

fs_status fs_report_write(const char *dir, const char *report_json, size_t n,
                          const char *const *formats, size_t n_formats, fs_error *err)
{
    fs_status st = FS_OK;
    for (size_t i = 0; st == FS_OK && i < n_formats; i++) {
        if (strcmp(formats[i], "json") == 0) {
            st = write_atomic(dir, "report.json", report_json, n, err);
        } else if (strcmp(formats[i], "md") == 0 || strcmp(formats[i], "html") == 0) {
            bool md = formats[i][0] == 'm';
            fs_buf b;
            fs_buf_init(&b, 0);
            st = md ? fs_report_render_md(&b, report_json, n, err)
                    : fs_report_render_html(&b, report_json, n, err);
            if (st == FS_OK) {
                st = write_atomic(dir, md ? "report.md" : "report.html", fs_buf_cstr(&b), b.len,
                                  err);
            }
            fs_buf_dispose(&b);
        } else {
            st = FS_FAIL(err, FS_ERR_USAGE,
                         "unknown report format '%s' (supported: json, md, html)", formats[i]);
        }
    }
    return st;
}
