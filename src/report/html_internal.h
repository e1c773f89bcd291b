#ifndef FS_REPORT_HTML_INTERNAL_H
#define FS_REPORT_HTML_INTERNAL_H
/* Internal to the report module: escaping and formatting shared by the HTML pieces. */
#include "fairshake/core.h"

#include "report/report_fmt.h" /* fs_report__fixed and the number formatters */
/** Append s with & < > " ' escaped; NULL shows "(none)". */
void fs_report__esc(fs_buf *b, const char *s);
/** Append s[0..n) with & < > " ' escaped. */
void fs_report__esc_n(fs_buf *b, const char *s, size_t n);
/** Append one grapheme cluster escaped, invisible characters made visible. */
void fs_report__esc_grapheme(fs_buf *b, const char *g, size_t n);
/** Append a text escaped cluster by cluster. seg: a grapheme segmenter (borrowed). */
void fs_report__esc_text(fs_buf *b, fs_text_segmenter *seg, const char *s);
/** Append clean and perturbed texts with their differences marked (<del> in the first,
 *  <ins> in the second), by a grapheme-level longest common subsequence. */
fs_status fs_report__diff(fs_buf *clean_out, fs_buf *pert_out, fs_text_segmenter *seg,
                          const char *clean, const char *pert, fs_error *err);

#endif
