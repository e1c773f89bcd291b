/* The word-noise family: misspelling, contraction, expansion, filler, synonym, word-drop,
 * word-swap, number-format and mild-mix. */
#include "perturb/internal.h"

const fs_perturb__kind fs_perturb__word_kinds[] = {
    { NULL, FS_TEXT_WORD, FS_PERTURB__SEGMENTS, NULL, NULL, NULL },
};
