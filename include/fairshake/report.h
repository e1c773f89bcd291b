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

/** Render junit.xml (JUnit XML for CI) from report.json text: one <testsuite> per target,
 *  one <testcase> per gate, perturbation and fairness axis. Appends to out. */
FS_API fs_status fs_report_render_junit(fs_buf *out, const char *report_json, size_t n,
                                        fs_error *err);

/** Write each format's file to dir: "json" report.json, "md" report.md, "html"
 *  report.html, "junit" junit.xml. "csv" is accepted and skipped: results.csv needs the
 *  run store and the audit writes it. Files are written to a temporary name and renamed,
 *  so a reader never sees a half-written report. */
FS_API fs_status fs_report_write(const char *dir, const char *report_json, size_t n,
                                 const char *const *formats, size_t n_formats, fs_error *err);

/** Render compare.md / compare.html from compare.json text (schema fairshake.compare/1,
 *  written by fs_audit_compare). Append to out. */
FS_API fs_status fs_report_render_compare_md(fs_buf *out, const char *compare_json, size_t n,
                                             fs_error *err);
FS_API fs_status fs_report_render_compare_html(fs_buf *out, const char *compare_json, size_t n,
                                               fs_error *err);
/** Write dir/compare.json, compare.md and compare.html (each atomically). */
FS_API fs_status fs_report_write_compare(const char *dir, const char *compare_json, size_t n,
                                         fs_error *err);

FS_END_DECLS
#endif
