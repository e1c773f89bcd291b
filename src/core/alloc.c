/* Allocation wrappers. Every allocation in the library goes through these so that a
 * test build can fail them one by one; sizes are computed with overflow checks. */
#include "fairshake/core.h"

#include <stdlib.h>
#include <string.h>

void *fs_malloc(size_t n)
{
    return malloc(n == 0 ? 1 : n);
}

void *fs_calloc(size_t count, size_t size)
{
    if (count == 0 || size == 0) {
        return calloc(1, 1);
    }
    return calloc(count, size);
}

void *fs_realloc(void *p, size_t n)
{
    return realloc(p, n == 0 ? 1 : n);
}

char *fs_strndup(const char *s, size_t n)
{
    size_t total;
    if (s == NULL || !fs_size_add(&total, n, 1)) {
        return NULL;
    }
    char *out = fs_malloc(total);
    if (out == NULL) {
        return NULL;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

char *fs_strdup(const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    return fs_strndup(s, strlen(s));
}

void fs_free(void *p)
{
    free(p);
}

bool fs_size_add(size_t *out, size_t a, size_t b)
{
    if (a > SIZE_MAX - b) {
        return false;
    }
    *out = a + b;
    return true;
}

bool fs_size_mul(size_t *out, size_t a, size_t b)
{
    if (a != 0 && b > SIZE_MAX / a) {
        return false;
    }
    *out = a * b;
    return true;
}
