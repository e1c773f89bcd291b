/* Writing report files: each format is rendered in memory, written to a temporary file
 * beside the target and renamed over it, so no reader sees a half-written report.
 * "csv" (results.csv) needs the run store, not report.json: the audit writes it, and
 * this writer accepts the name and leaves it alone. */
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

/* Render report_json in format fmt into b; *name_out is the file name. FS_OK with
 * *name_out NULL for a format written elsewhere (csv). */
static fs_status render(fs_buf *b, const char **name_out, const char *fmt, const char *report_json,
                        size_t n, fs_error *err)
{
    *name_out = NULL;
    if (strcmp(fmt, "md") == 0) {
        *name_out = "report.md";
        return fs_report_render_md(b, report_json, n, err);
    }
    if (strcmp(fmt, "html") == 0) {
        *name_out = "report.html";
        return fs_report_render_html(b, report_json, n, err);
    }
    if (strcmp(fmt, "junit") == 0) {
        *name_out = "junit.xml";
        return fs_report_render_junit(b, report_json, n, err);
    }
    if (strcmp(fmt, "csv") == 0) {
        return FS_OK;
    }
    return FS_FAIL(err, FS_ERR_USAGE,
                   "unknown report format '%s' (supported: json, md, html, junit, csv)", fmt);
}

fs_status fs_report_write(const char *dir, const char *report_json, size_t n,
                          const char *const *formats, size_t n_formats, fs_error *err)
{
    fs_status st = FS_OK;
    for (size_t i = 0; st == FS_OK && i < n_formats; i++) {
        if (strcmp(formats[i], "json") == 0) {
            st = write_atomic(dir, "report.json", report_json, n, err);
            continue;
        }
        const char *name = NULL;
        fs_buf b;
        fs_buf_init(&b, 0);
        st = render(&b, &name, formats[i], report_json, n, err);
        if (st == FS_OK && name != NULL) {
            st = write_atomic(dir, name, fs_buf_cstr(&b), b.len, err);
        }
        fs_buf_dispose(&b);
    }
    return st;
}

fs_status fs_report_write_compare(const char *dir, const char *compare_json, size_t n,
                                  fs_error *err)
{
    fs_status st = write_atomic(dir, "compare.json", compare_json, n, err);
    for (int html = 0; st == FS_OK && html < 2; html++) {
        fs_buf b;
        fs_buf_init(&b, 0);
        st = html ? fs_report_render_compare_html(&b, compare_json, n, err)
                  : fs_report_render_compare_md(&b, compare_json, n, err);
        if (st == FS_OK) {
            st = write_atomic(dir, html ? "compare.html" : "compare.md", fs_buf_cstr(&b), b.len,
                              err);
        }
        fs_buf_dispose(&b);
    }
    return st;
}
