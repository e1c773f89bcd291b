/* Allocation wrappers. Every allocation in the library goes through these so that a
 * test build can fail them one by one; sizes are computed with overflow checks. */
#include "fairshake/core.h"

#include "core/alloc_test.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Test hook (alloc_test.h): off unless a test runner arms it. */
static bool g_hook_on;
static size_t g_alloc_count;
static size_t g_alloc_fail_at;

void fs__alloc_fail_at(size_t fail_at)
{
    g_alloc_count = 0;
    g_alloc_fail_at = fail_at;
    g_hook_on = true;
}

void fs__alloc_hook_off(void)
{
    g_hook_on = false;
}

size_t fs__alloc_count(void)
{
    return g_alloc_count;
}

/* True when this allocation must fail (the hook is armed and its turn has come). */
static bool hook_fails(void)
{
    return ++g_alloc_count == g_alloc_fail_at;
}

void *fs_malloc(size_t n)
{
    if (g_hook_on && hook_fails()) {
        return NULL;
    }
    return malloc(n == 0 ? 1 : n);
}

void *fs_calloc(size_t count, size_t size)
{
    if (g_hook_on && hook_fails()) {
        return NULL;
    }
    if (count == 0 || size == 0) {
        return calloc(1, 1);
    }
    return calloc(count, size);
}

void *fs_realloc(void *p, size_t n)
{
    if (g_hook_on && hook_fails()) {
        return NULL;
    }
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
