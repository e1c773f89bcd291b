/* Character properties over ICU beyond fs_text_classify: the bidirectional direction of a
 * text (UAX #9: the class of its first strong character, as a renderer resolves a
 * paragraph or an isolate) and combining marks (general category M). Used where a
 * perturbation must know how a word displays or what attaches to a base letter. Pure: no
 * state, no allocation. */
#include "fairshake/core.h"

#include <unicode/uchar.h>

fs_text_dir fs_text_strong_dir(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        switch (u_charDirection((UChar32)fs_text_next_cp(s, n, &i))) {
        case U_LEFT_TO_RIGHT:
            return FS_DIR_LTR;
        case U_RIGHT_TO_LEFT:
        case U_RIGHT_TO_LEFT_ARABIC:
            return FS_DIR_RTL;
        default:
            break;
        }
    }
    return FS_DIR_NEUTRAL;
}

bool fs_text_all_marks(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        UChar32 c = (UChar32)fs_text_next_cp(s, n, &i);
        if ((U_GET_GC_MASK(c) & U_GC_M_MASK) == 0) {
            return false;
        }
    }
    return true;
}
