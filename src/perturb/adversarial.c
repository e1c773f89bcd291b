/* The adversarial family: homoglyph, zero-width, bidi, distractor, injection and
 * encoding. */
#include "perturb/internal.h"

const fs_perturb__kind fs_perturb__adversarial_kinds[] = {
    { NULL, FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, NULL, NULL, NULL },
};
