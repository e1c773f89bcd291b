/* Locale-free number formatting and parsing. The library never calls setlocale(), but
 * its caller may have: formatted output always uses '.', and parsing accepts only '.'. */
#include "fairshake/core.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char locale_point(void)
{
    const struct lconv *lc = localeconv();
    return (lc != NULL && lc->decimal_point != NULL && lc->decimal_point[0] != '\0')
               ? lc->decimal_point[0]
               : '.';
}

static double strtod_c(const char *s, char **end)
{
    char point = locale_point();
    if (point == '.') {
        return strtod(s, end);
    }
    char tmp[64];
    size_t n = strlen(s);
    if (n >= sizeof tmp) {
        *end = (char *)s;
        return 0.0;
    }
    memcpy(tmp, s, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (tmp[i] == '.') {
            tmp[i] = point;
        } else if (tmp[i] == point) {
            *end = (char *)s;
            return 0.0;
        }
    }
    char *e = NULL;
    double v = strtod(tmp, &e);
    *end = (char *)s + (e - tmp);
    return v;
}

size_t fs_fmt_double(char *out, size_t cap, double v)
{
    if (cap < 32) {
        if (cap > 0) {
            out[0] = '\0';
        }
        return 0;
    }
    if (!isfinite(v)) {
        memcpy(out, "null", 5);
        return 4;
    }
    if (v == 0.0) {
        memcpy(out, "0", 2);
        return 1;
    }
    char point = locale_point();
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(out, cap, "%.*g", prec, v);
        if (n < 0 || (size_t)n >= cap) {
            out[0] = '\0';
            return 0;
        }
        for (int i = 0; i < n; i++) {
            if (out[i] == point) {
                out[i] = '.';
            }
        }
        char *end = NULL;
        if (strtod_c(out, &end) == v) {
            break;
        }
    }
    return (size_t)n;
}

bool fs_parse_i64(const char *s, int64_t *out)
{
    if (s == NULL || *s == '\0') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') {
        return false;
    }
    *out = (int64_t)v;
    return true;
}

bool fs_parse_double(const char *s, double *out)
{
    if (s == NULL || *s == '\0') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod_c(s, &end);
    if (errno == ERANGE || end == s || *end != '\0' || !isfinite(v)) {
        return false;
    }
    *out = v;
    return true;
}
