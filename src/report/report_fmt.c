/* Number formatting shared by report.md and report.html (report_fmt.h). */
#include "report/report_fmt.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void fs_report__fixed(char *out, size_t cap, double v, int decimals)
{
    snprintf(out, cap, "%.*f", decimals, v);
    const struct lconv *lc = localeconv();
    char point = (lc && lc->decimal_point && lc->decimal_point[0]) ? lc->decimal_point[0] : '.';
    for (char *p = out; *p != '\0'; p++) {
        if (*p == point) {
            *p = '.';
        }
    }
}

double fs_report__num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

void fs_report__pct(fs_buf *b, double v, const char *na)
{
    char t[48];
    if (!isfinite(v)) {
        fs_buf_puts(b, na);
        return;
    }
    fs_report__fixed(t, sizeof t, v * 100.0, 1);
    fs_buf_printf(b, "%s%%", t);
}

void fs_report__pts(fs_buf *b, double v, const char *na)
{
    char t[48];
    if (!isfinite(v)) {
        fs_buf_puts(b, na);
        return;
    }
    fs_report__fixed(t, sizeof t, v * 100.0, 1);
    fs_buf_printf(b, "%s%s pts", v >= 0 && t[0] != '-' ? "+" : "", t);
}

static bool pair(const cJSON *ci, double *lo, double *hi)
{
    if (!cJSON_IsArray(ci) || cJSON_GetArraySize(ci) != 2 ||
        !cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(ci, 1))) {
        return false;
    }
    *lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
    *hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
    return true;
}

static void interval(fs_buf *b, const cJSON *ci, double scale, int decimals, const char *na)
{
    char lo[48], hi[48];
    double l, h;
    if (!pair(ci, &l, &h)) {
        fs_buf_puts(b, na);
        return;
    }
    fs_report__fixed(lo, sizeof lo, l * scale, decimals);
    fs_report__fixed(hi, sizeof hi, h * scale, decimals);
    fs_buf_printf(b, "[%s, %s]", lo, hi);
}

void fs_report__ci_pts(fs_buf *b, const cJSON *ci, const char *na)
{
    interval(b, ci, 100.0, 1, na);
}

void fs_report__p(fs_buf *b, double p, const char *na, const char *lt)
{
    char t[48];
    if (!isfinite(p)) {
        fs_buf_puts(b, na);
    } else if (p < 0.0001) {
        fs_buf_puts(b, lt);
    } else {
        fs_report__fixed(t, sizeof t, p, 4);
        fs_buf_puts(b, t);
    }
}

void fs_report__count(fs_buf *b, double v, const char *na)
{
    if (isfinite(v)) {
        fs_buf_printf(b, "%.0f", v);
    } else {
        fs_buf_puts(b, na);
    }
}

bool fs_report__is_fraction(const char *mm)
{
    return strcmp(mm, "perplexity") != 0 && strcmp(mm, "mean_logprob") != 0;
}

void fs_report__metric(fs_buf *b, const char *mm, double v, const char *na)
{
    char t[48];
    if (fs_report__is_fraction(mm) || !isfinite(v)) {
        fs_report__pct(b, v, na);
        return;
    }
    fs_report__fixed(t, sizeof t, v, 2);
    fs_buf_puts(b, t);
}

void fs_report__metric_delta(fs_buf *b, const char *mm, double v, const char *na)
{
    char t[48];
    if (fs_report__is_fraction(mm) || !isfinite(v)) {
        fs_report__pts(b, v, na);
        return;
    }
    fs_report__fixed(t, sizeof t, v, 2);
    fs_buf_printf(b, "%s%s", v >= 0 && t[0] != '-' ? "+" : "", t);
}

void fs_report__metric_ci(fs_buf *b, const char *mm, const cJSON *ci, const char *na)
{
    interval(b, ci, fs_report__is_fraction(mm) ? 100.0 : 1.0, fs_report__is_fraction(mm) ? 1 : 2,
             na);
}
