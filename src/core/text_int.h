#ifndef FS_CORE_TEXT_INT_H
#define FS_CORE_TEXT_INT_H
/* Internal to the ICU text helpers of src/core. */
#include "fairshake/core.h"

/* The result of a helper that appended to out: st, or, when st is FS_OK and out is in a
 * failed state (an append ran out of memory or past its cap), that failure. A failed
 * buffer reads as "", so a caller that did not check it would go on with an empty text. */
static inline fs_status fs_text__appended(const fs_buf *out, fs_status st, fs_error *err)
{
    fs_status bs = fs_buf_status(out);
    if (st != FS_OK || bs == FS_OK) {
        return st;
    }
    return FS_FAIL(err, bs,
                   bs == FS_ERR_NOMEM ? "out of memory" : "text longer than its buffer allows");
}

#endif
