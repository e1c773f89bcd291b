#ifndef FAIRSHAKE_REPORT_H
#define FAIRSHAKE_REPORT_H
/* Report writers. The audit produces report.json (schema fairshake.report/1); every
 * other format is rendered from that JSON alone, so any report can be rebuilt from it. */
#include "fairshake/core.h"

FS_BEGIN_DECLS

/** Render report.md from report.json text. Appends to out. */
FS_API fs_status fs_report_render_md(fs_buf *out, const char *report_json, size_t n, fs_error *err);

/** Render report.html (self-contained: inline CSS and SVG, no script) from report.json
 *  text. Appends to out. */
FS_API fs_status fs_report_render_html(fs_buf *out, const char *report_json, size_t n,
                                       fs_error *err);

/** Write dir/report.<ext> for each format ("json", "md", "html"). Files are written to a
 *  temporary name and renamed, so a reader never sees a half-written report. */
FS_API fs_status fs_report_write(const char *dir, const char *report_json, size_t n,
                                 const char *const *formats, size_t n_formats, fs_error *err);

FS_END_DECLS
#endif
