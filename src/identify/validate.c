/* Validators: checks a regex cannot express, run on each candidate match. Luhn for
 * payment cards, ISO 13616 mod-97 with the country's length for IBANs, the SSA's invalid
 * ranges for US social security numbers, octet ranges for IPv4, the RFC 4291 text forms
 * for IPv6, real calendar dates (leap years included) in several formats and languages,
 * the ICD-10 code shape, e-mail local-part rules and phone digit counts. Invariants:
 * digits of any script count by their value (core/text_digits.h); a validator only ever
 * narrows a span, never widens it. */
#include <string.h>

#include "core/text_digits.h"
#include "identify/internal.h"

#define MAX_DIGITS 64

/* The digits of s[0..n) as ASCII into out (at most cap - 1, NUL-terminated); with
 * letters, ASCII letters too, upper-cased. Returns the count, or SIZE_MAX when there are
 * too many. */
static size_t alnum_of(const char *s, size_t n, bool letters, char *out, size_t cap)
{
    size_t i = 0, k = 0;
    while (i < n) {
        uint32_t cp = fs_text_next_cp(s, n, &i);
        int v = fs_text__digit_value(cp);
        char c = 0;
        if (v >= 0) {
            c = (char)('0' + v);
        } else if (letters && cp >= 'a' && cp <= 'z') {
            c = (char)(cp - 'a' + 'A');
        } else if (letters && cp >= 'A' && cp <= 'Z') {
            c = (char)cp;
        }
        if (c != 0) {
            if (k + 1 >= cap) {
                return SIZE_MAX;
            }
            out[k++] = c;
        }
    }
    out[k] = '\0';
    return k;
}

static bool luhn(const char *s, size_t n)
{
    char dg[MAX_DIGITS];
    size_t k = alnum_of(s, n, false, dg, sizeof dg);
    int sum = 0;
    if (k < 13 || k > 19 || dg[0] < '2' || dg[0] > '6') {
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        int v = dg[k - 1 - i] - '0';
        if (i % 2 == 1) {
            v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

/* Mod-97 of the rearranged IBAN (country code and check digits moved to the end,
 * letters as 10-35) must be 1; the span is cut after the country's length. */
static bool iban(const fs_identify_detector *d, const char *text, size_t *start, size_t *end)
{
    int want = 0;
    size_t i = *start, k = 0;
    unsigned rem = 0;
    for (size_t c = 0; c < d->n_iban && want == 0; c++) {
        if (memcmp(d->iban[c].country, text + *start, 2) == 0) {
            want = d->iban[c].length;
        }
    }
    char acc[40];
    while (want > 0 && i < *end && k < (size_t)want) {
        char ch = text[i++];
        if (ch != ' ') {
            acc[k++] = ch;
        }
    }
    if (want == 0 || k != (size_t)want || (i < *end && text[i] != ' ')) {
        return false;
    }
    for (size_t j = 0; j < k; j++) {
        char ch = acc[(j + 4) % k];
        unsigned v = ch >= 'A' ? (unsigned)(ch - 'A' + 10) : (unsigned)(ch - '0');
        rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
    }
    *end = i;
    return rem == 1;
}

static bool ssn(const char *s, size_t n)
{
    char dg[MAX_DIGITS];
    if (alnum_of(s, n, false, dg, sizeof dg) != 9) {
        return false;
    }
    int area = (dg[0] - '0') * 100 + (dg[1] - '0') * 10 + (dg[2] - '0');
    bool group0 = dg[3] == '0' && dg[4] == '0';
    bool serial0 = memcmp(dg + 5, "0000", 4) == 0;
    return area != 0 && area != 666 && area < 900 && !group0 && !serial0;
}

/* Dotted quad, each octet 0-255 without leading zeros. */
static bool ipv4(const char *s, size_t n)
{
    int parts = 0;
    size_t i = 0;
    while (i < n && parts < 4) {
        size_t a = i;
        unsigned v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - a < 3) {
            v = v * 10 + (unsigned)(s[i++] - '0');
        }
        if (i == a || v > 255 || (i - a > 1 && s[a] == '0')) {
            return false;
        }
        parts++;
        if (i < n && s[i] == '.' && parts < 4) {
            i++;
        }
    }
    return parts == 4 && i == n;
}

static bool hexdig(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 4291 section 2.2: eight groups of 1-4 hex digits, one "::" standing for one or more
 * zero groups, an IPv4 tail counting as two groups. */
static bool ipv6(const char *s, size_t n)
{
    size_t groups = 0, i = 0;
    bool dbl = false;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        dbl = true;
        i = 2;
    }
    while (i < n) {
        size_t a = i;
        while (i < n && hexdig(s[i])) {
            i++;
        }
        if (i < n && s[i] == '.') {
            if (!ipv4(s + a, n - a)) {
                return false;
            }
            groups += 2;
            break;
        }
        if (i == a || i - a > 4) {
            return false;
        }
        groups++;
        if (i == n) {
            break;
        }
        if (s[i] != ':' || ++i == n) {
            return false;
        }
        if (s[i] == ':') {
            if (dbl) {
                return false;
            }
            dbl = true;
            i++;
        }
    }
    return dbl ? groups <= 7 : groups == 8;
}

static bool icd10(const char *s, size_t n)
{
    if (n < 3 || s[0] < 'A' || s[0] > 'Z' || s[0] == 'U') {
        return false;
    }
    /* a letter in third place only in the C and D blocks (C4A, C7A, C7B, D3A) */
    if ((s[2] == 'A' || s[2] == 'B') && s[0] != 'C' && s[0] != 'D') {
        return false;
    }
    return n == 3 || (s[3] == '.' && n >= 5 && n <= 8);
}

static bool email(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    if (at == NULL || memchr(at + 1, '@', n - (size_t)(at - s) - 1) != NULL) {
        return false;
    }
    size_t local = (size_t)(at - s);
    if (local == 0 || local > 64 || n > 254 || s[0] == '.' || s[local - 1] == '.') {
        return false;
    }
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '.' && s[i + 1] == '.') {
            return false;
        }
    }
    return true;
}

static bool phone(const char *s, size_t n)
{
    char dg[MAX_DIGITS];
    size_t k = alnum_of(s, n, false, dg, sizeof dg);
    int open = 0;
    if (k < 7 || k > 15 || (s[0] == '+' && dg[0] == '0')) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        open += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
        if (open < 0 || open > 1) {
            return false;
        }
    }
    size_t same = 1;
    for (size_t i = 1; i < k; i++) {
        same += dg[i] == dg[0];
    }
    return open == 0 && same < k;
}

bool fs_identify__validate(fs_identify_detector *d, fs_identify__validator v, const char *text,
                           size_t n, size_t *start, size_t *end)
{
    const char *s = text + *start;
    size_t len = *end - *start;
    (void)n;
    switch (v) {
    case FS_IDENTIFY__V_NONE:
    case FS_IDENTIFY__V_PERSON:
        return true;
    case FS_IDENTIFY__V_EMAIL:
        return email(s, len);
    case FS_IDENTIFY__V_LUHN:
        return luhn(s, len);
    case FS_IDENTIFY__V_IBAN:
        return iban(d, text, start, end);
    case FS_IDENTIFY__V_SSN:
        return ssn(s, len);
    case FS_IDENTIFY__V_IPV4:
        return ipv4(s, len);
    case FS_IDENTIFY__V_IPV6:
        return ipv6(s, len);
    case FS_IDENTIFY__V_DATE: {
        int y, m, day;
        return fs_identify__date(d, s, len, &y, &m, &day);
    }
    case FS_IDENTIFY__V_ICD10:
        return icd10(s, len);
    case FS_IDENTIFY__V_PHONE:
        return phone(s, len);
    }
    return false;
}
