#ifndef FS_CORE_TEXT_DIGITS_H
#define FS_CORE_TEXT_DIGITS_H
/* Internal: decimal digit values of any script (ICU), for modules that read numbers
 * written with non-ASCII digits (fullwidth, Arabic-Indic, Devanagari ...). */
#include "fairshake/core.h"

/** The value 0-9 of a decimal digit code point (general category Nd) of any script, or
 *  -1 for anything else. */
int fs_text__digit_value(uint32_t cp);

#endif
