/* Numbers spelled out in words over ICU's rule-based number format (UNUM_SPELLOUT).
 * The number is handed to ICU as a decimal string, never through a double, so every
 * digit of a long or fractional number is kept; the formatter is opened once per object
 * and reused, and results go through fixed stack buffers unless they are unusually
 * long. */
#include "core/text_int.h"
#include "fairshake/core.h"

#include <string.h>

#include <unicode/unum.h>
#include <unicode/ustring.h>

struct fs_text_spellout {
    UNumberFormat *fmt;
};

fs_status fs_text_spellout_new(fs_text_spellout **out, const char *locale, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    *out = NULL;
    fs_text_spellout *sp = fs_calloc(1, sizeof *sp);
    if (sp == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    sp->fmt = unum_open(UNUM_SPELLOUT, NULL, 0, locale, NULL, &uerr);
    if (U_FAILURE(uerr)) {
        fs_free(sp);
        return FS_FAIL(err, FS_ERR_TEXT, "ICU spell-out format for '%s': %s", locale,
                       u_errorName(uerr));
    }
    *out = sp;
    return FS_OK;
}

void fs_text_spellout_free(fs_text_spellout *sp)
{
    if (sp == NULL) {
        return;
    }
    unum_close(sp->fmt);
    fs_free(sp);
}

/* ASCII digits, an optional leading '-', at most one '.' with digits on both sides. */
static bool plain_decimal(const char *s, size_t n)
{
    size_t i = (n > 0 && s[0] == '-') ? 1 : 0;
    size_t digits = 0, dots = 0;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            digits++;
        } else if (s[i] == '.' && dots == 0 && digits > 0) {
            dots++;
        } else {
            return false;
        }
    }
    return digits > 0 && s[n - 1] != '.';
}

/* Convert UTF-16 to UTF-8 and append. */
static fs_status append_utf8(fs_buf *out, const UChar *u, int32_t ulen, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    char small[1024];
    int32_t len = 0;
    u_strToUTF8(small, (int32_t)sizeof small, &len, u, ulen, &uerr);
    if (uerr == U_BUFFER_OVERFLOW_ERROR) {
        char *big = fs_malloc((size_t)len + 1);
        if (big == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        uerr = U_ZERO_ERROR;
        u_strToUTF8(big, len + 1, &len, u, ulen, &uerr);
        if (U_SUCCESS(uerr)) {
            fs_buf_append(out, big, (size_t)len);
        }
        fs_free(big);
    } else if (U_SUCCESS(uerr)) {
        fs_buf_append(out, small, (size_t)len);
    }
    if (U_FAILURE(uerr)) {
        return FS_FAIL(err, FS_ERR_TEXT, "ICU UTF-8 conversion: %s", u_errorName(uerr));
    }
    return FS_OK;
}

fs_status fs_text_spellout_format(fs_text_spellout *sp, fs_buf *out, const char *num, size_t n,
                                  fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    UChar small[512];
    UChar *dst = small;
    fs_status st = FS_OK;
    if (n > 4096 || !plain_decimal(num, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "spell-out: '%.*s' is not a plain decimal number",
                       (int)(n > 64 ? 64 : n), num);
    }
    int32_t len = unum_formatDecimal(sp->fmt, num, (int32_t)n, small, 512, NULL, &uerr);
    if (uerr == U_BUFFER_OVERFLOW_ERROR) {
        dst = fs_malloc(sizeof(UChar) * ((size_t)len + 1));
        if (dst == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        uerr = U_ZERO_ERROR;
        len = unum_formatDecimal(sp->fmt, num, (int32_t)n, dst, len + 1, NULL, &uerr);
    }
    if (U_FAILURE(uerr)) {
        st = FS_FAIL(err, FS_ERR_TEXT, "ICU spell-out: %s", u_errorName(uerr));
    } else {
        st = append_utf8(out, dst, len, err);
    }
    if (dst != small) {
        fs_free(dst);
    }
    return fs_text__appended(out, st, err);
}
