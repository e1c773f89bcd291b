/* Reading dates: the date validator and fs_identify_parse_date. A date is read as tokens
 * (numbers, words, separators): ISO year-month-day; numeric day/month/year or
 * month/day/year (when both readings are real dates, '/' reads month first as in the US,
 * '.' and '-' day first); or a day, a month name of any language in identify/months.json
 * and a year, with ordinal suffixes and Spanish/Portuguese "de" allowed. Invariants: only
 * real calendar dates pass (30 February never does, 29 February only in leap years);
 * years are 1800-2199, two-digit years are 1950-2049. */
#include <string.h>

#include "core/text_digits.h"
#include "identify/internal.h"

#define MAX_TOK 6

typedef struct num_tok {
    int value;
    int digits;
} num_tok;

typedef struct date_toks {
    num_tok num[MAX_TOK];
    int n_num;
    int month; /* from a month name, 0 when none */
    char sep;  /* the first separator between numbers, for numeric dates */
} date_toks;

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool real_date(int y, int m, int d)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1800 || y > 2199 || m < 1 || m > 12 || d < 1) {
        return false;
    }
    return d <= days[m - 1] + (m == 2 && leap(y));
}

/* A word of a date: a month name, or a filler (ordinal suffix, "de"). */
static bool date_word(fs_identify_detector *d, const char *w, size_t n, date_toks *t)
{
    static const char *const fillers[] = { "st", "nd", "rd", "th", "er", "de", "o", "\xC2\xBA" };
    fs_str k;
    if (fs_identify__fold(d, w, n, &k, NULL) != FS_OK) {
        return false;
    }
    for (size_t i = 0; i < sizeof fillers / sizeof fillers[0]; i++) {
        if (strlen(fillers[i]) == k.len && memcmp(fillers[i], k.ptr, k.len) == 0) {
            return true;
        }
    }
    int m = fs_identify__month_of(d, k.ptr, k.len);
    if (m == 0 || t->month != 0) {
        return false;
    }
    t->month = m;
    return true;
}

static bool tokenize(fs_identify_detector *d, const char *s, size_t n, date_toks *t)
{
    size_t i = 0;
    memset(t, 0, sizeof *t);
    while (i < n) {
        size_t at = i;
        uint32_t cp = fs_text_next_cp(s, n, &i);
        int v = fs_text__digit_value(cp);
        if (v >= 0) {
            if (t->n_num == MAX_TOK) {
                return false;
            }
            num_tok *nt = &t->num[t->n_num++];
            nt->value = v;
            nt->digits = 1;
            for (size_t j = i; j < n && (v = fs_text__digit_value(fs_text_next_cp(s, n, &j))) >= 0;
                 i = j) {
                nt->value = nt->value * 10 + v;
                if (++nt->digits > 4) {
                    return false;
                }
            }
        } else if (fs_text_classify(s + at, n - at).is_alpha) {
            size_t j = i;
            while (j < n) {
                size_t k = j;
                fs_text_next_cp(s, n, &k);
                if (!fs_text_classify(s + j, n - j).is_alpha) {
                    break;
                }
                j = k;
            }
            if (!date_word(d, s + at, j - at, t)) {
                return false;
            }
            i = j;
        } else if (t->sep == 0 && t->n_num == 1 && cp < 0x80) {
            t->sep = (char)cp;
        }
    }
    return true;
}

static int full_year(const num_tok *t)
{
    if (t->digits == 2) {
        return t->value < 50 ? 2000 + t->value : 1900 + t->value;
    }
    return t->digits == 4 ? t->value : -1;
}

bool fs_identify__date(fs_identify_detector *d, const char *s, size_t n, int *y, int *m, int *day)
{
    date_toks t;
    if (!tokenize(d, s, n, &t)) {
        return false;
    }
    if (t.month != 0) {
        if (t.n_num != 2) {
            return false;
        }
        int yi = t.num[0].digits == 4 ? 0 : 1;
        *y = t.num[yi].digits == 4 ? t.num[yi].value : -1;
        *m = t.month;
        *day = t.num[1 - yi].digits <= 2 ? t.num[1 - yi].value : -1;
        return real_date(*y, *m, *day);
    }
    if (t.n_num != 3) {
        return false;
    }
    if (t.num[0].digits == 4) {
        *y = t.num[0].value;
        *m = t.num[1].value;
        *day = t.num[2].value;
        return t.num[1].digits <= 2 && t.num[2].digits <= 2 && real_date(*y, *m, *day);
    }
    if (t.num[0].digits > 2 || t.num[1].digits > 2) {
        return false;
    }
    *y = full_year(&t.num[2]);
    bool month_first = t.sep == '/';
    for (int pass = 0; pass < 2; pass++, month_first = !month_first) {
        *m = month_first ? t.num[0].value : t.num[1].value;
        *day = month_first ? t.num[1].value : t.num[0].value;
        if (real_date(*y, *m, *day)) {
            return true;
        }
    }
    return false;
}

bool fs_identify_parse_date(fs_identify_detector *d, const char *s, size_t n, int *year, int *month,
                            int *day)
{
    return fs_identify__date(d, s, n, year, month, day);
}
