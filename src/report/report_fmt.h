#ifndef FS_REPORT_FMT_H
#define FS_REPORT_FMT_H
/* Internal to the report module: number formatting shared by report.md and report.html.
 * Every function writes `na` for a value that is missing or not finite, so each format
 * keeps its own look for "n/a" (plain text, or a muted span). Numbers use '.' whatever
 * the locale. */
#include "core/json.h"
#include "fairshake/core.h"

/** Fixed-point text with '.' whatever the caller's locale. */
void fs_report__fixed(char *out, size_t cap, double v, int decimals);
/** A number of obj by key; NaN when absent or not a number. */
double fs_report__num(const cJSON *obj, const char *key);
/** A fraction as a percentage with one decimal: "82.1%". */
void fs_report__pct(fs_buf *b, double v, const char *na);
/** A change of a fraction in signed percentage points: "+0.7 pts", "-6.4 pts". */
void fs_report__pts(fs_buf *b, double v, const char *na);
/** A [lo, hi] interval of fractions in percent: "[77.3, 86.0]". */
void fs_report__ci_pts(fs_buf *b, const cJSON *ci, const char *na);
/** A p-value with four decimals; below 0.0001 it writes lt ("< 0.0001" or its escape). */
void fs_report__p(fs_buf *b, double p, const char *na, const char *lt);
/** A count without decimals. */
void fs_report__count(fs_buf *b, double v, const char *na);
/** Whether the main metric mm is a fraction (printed in percent); perplexity and mean
 *  log-probability are not. */
bool fs_report__is_fraction(const char *mm);
/** A value, a change and an interval of metric mm: percent and points for a fraction,
 *  two decimals otherwise. */
void fs_report__metric(fs_buf *b, const char *mm, double v, const char *na);
void fs_report__metric_delta(fs_buf *b, const char *mm, double v, const char *na);
void fs_report__metric_ci(fs_buf *b, const char *mm, const cJSON *ci, const char *na);

#endif
