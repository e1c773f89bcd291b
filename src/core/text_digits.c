/* Decimal digit values over ICU: the one place that asks ICU what number a digit of
 * another script stands for. Invariant: only general category Nd counts, so superscripts,
 * fractions and circled numbers are not digits. */
#include "core/text_digits.h"

#include <unicode/uchar.h>

int fs_text__digit_value(uint32_t cp)
{
    if (cp >= '0' && cp <= '9') {
        return (int)(cp - '0');
    }
    if (cp > 0x10FFFF || u_charType((UChar32)cp) != U_DECIMAL_DIGIT_NUMBER) {
        return -1;
    }
    return u_charDigitValue((UChar32)cp);
}
