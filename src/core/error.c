/* Error records: one table (FS_ERRORS) gives the codes, their names and their texts.
 * Setting an error never allocates, so it works when memory has run out. */
#include "fairshake/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[] = { "OK",
#define FS_X(name, text) #name,
                                            FS_ERRORS(FS_X)
#undef FS_X
};

static const char *const status_texts[] = { "success",
#define FS_X(name, text) text,
                                            FS_ERRORS(FS_X)
#undef FS_X
};

const char *fs_status_name(fs_status st)
{
    if ((int)st < 0 || st >= FS_ERR__COUNT) {
        return "UNKNOWN";
    }
    return status_names[st];
}

const char *fs_status_text(fs_status st)
{
    if ((int)st < 0 || st >= FS_ERR__COUNT) {
        return "unknown error";
    }
    return status_texts[st];
}

fs_status fs_error_set(fs_error *err, fs_status code, const char *file, int line, const char *fmt,
                       ...)
{
    if (err == NULL) {
        return code;
    }
    va_list ap;
    err->code = code;
    err->src_file = file;
    err->src_line = line;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n < 0) {
        err->msg[0] = '\0';
    }
    return code;
}

fs_status fs_error_prefix(fs_error *err, const char *fmt, ...)
{
    if (err == NULL) {
        return FS_OK;
    }
    char prefix[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return err->code;
    }
    /* "prefix: old", truncated to the message buffer, built without snprintf so the
     * compiler sees no overlapping %s arguments. */
    size_t plen = strlen(prefix), olen = strlen(err->msg), cap = sizeof err->msg - 1;
    size_t head = plen + 2 < cap ? plen + 2 : cap;
    size_t keep = olen < cap - head ? olen : cap - head;
    memmove(err->msg + head, err->msg, keep);
    memcpy(err->msg, prefix, head < plen ? head : plen);
    if (head == plen + 2) {
        err->msg[plen] = ':';
        err->msg[plen + 1] = ' ';
    }
    err->msg[head + keep] = '\0';
    return err->code;
}

void fs_error_clear(fs_error *err)
{
    if (err == NULL) {
        return;
    }
    err->code = FS_OK;
    err->msg[0] = '\0';
    err->src_file = NULL;
    err->src_line = 0;
}
