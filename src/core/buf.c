/* fs_buf: the one growable byte buffer. Invariants: data is NUL-terminated whenever it
 * is non-NULL; len < cap; a failure (out of memory or over the cap) is sticky, later
 * appends are ignored until fs_buf_reset(). */
#include "fairshake/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fs_buf_init(fs_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->status = FS_OK;
}

void fs_buf_dispose(fs_buf *b)
{
    if (b == NULL) {
        return;
    }
    fs_free(b->data);
    size_t max = b->max;
    fs_buf_init(b, max);
}

void fs_buf_reset(fs_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
    b->status = FS_OK;
}

static bool grow(fs_buf *b, size_t extra)
{
    size_t need;
    if (b->status != FS_OK) {
        return false;
    }
    if (!fs_size_add(&need, b->len, extra) || !fs_size_add(&need, need, 1)) {
        b->status = FS_ERR_NOMEM;
        return false;
    }
    if (b->max != 0 && need > b->max + 1) {
        b->status = FS_ERR_LIMIT;
        return false;
    }
    if (need <= b->cap) {
        return true;
    }
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need) {
        if (!fs_size_mul(&cap, cap, 2)) {
            cap = need;
            break;
        }
    }
    char *p = fs_realloc(b->data, cap);
    if (p == NULL) {
        b->status = FS_ERR_NOMEM;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void fs_buf_append(fs_buf *b, const char *p, size_t n)
{
    if (!grow(b, n)) {
        return;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
}

void fs_buf_puts(fs_buf *b, const char *s)
{
    fs_buf_append(b, s, strlen(s));
}

void fs_buf_putc(fs_buf *b, char c)
{
    fs_buf_append(b, &c, 1);
}

void fs_buf_printf(fs_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->status = b->status == FS_OK ? FS_ERR_INTERNAL : b->status;
        return;
    }
    if ((size_t)n < sizeof small) {
        fs_buf_append(b, small, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n)) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void fs_buf_put_json_string(fs_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    fs_buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        default:
            if (c < 0x20) {
                u[0] = '\\';
                u[1] = 'u';
                u[2] = '0';
                u[3] = '0';
                u[4] = hex[c >> 4];
                u[5] = hex[c & 15];
                u[6] = '\0';
                esc = u;
            }
            break;
        }
        if (esc != NULL) {
            fs_buf_append(b, s + i - run, run);
            run = 0;
            fs_buf_puts(b, esc);
        } else {
            run++;
        }
    }
    fs_buf_append(b, s + n - run, run);
    fs_buf_putc(b, '"');
}

void fs_buf_put_double(fs_buf *b, double v)
{
    char tmp[40];
    size_t n = fs_fmt_double(tmp, sizeof tmp, v);
    fs_buf_append(b, tmp, n);
}

fs_status fs_buf_status(const fs_buf *b)
{
    return b->status;
}

const char *fs_buf_cstr(const fs_buf *b)
{
    return b->data != NULL ? b->data : "";
}

char *fs_buf_take(fs_buf *b, size_t *len_out)
{
    char *p = NULL;
    if (b->status == FS_OK) {
        p = b->data != NULL ? b->data : fs_strdup("");
        if (len_out != NULL) {
            *len_out = b->data != NULL ? b->len : 0;
        }
    } else {
        fs_free(b->data);
        if (len_out != NULL) {
            *len_out = 0;
        }
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->status = FS_OK;
    return p;
}
