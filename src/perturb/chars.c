/* The character-noise family beyond the first four: swap, insert, delete, substitute,
 * ocr, leet, diacritics and unicode-forms. */
#include "perturb/internal.h"

const fs_perturb__kind fs_perturb__char_kinds[] = {
    { NULL, FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, NULL, NULL, NULL },
};
