/* fs_params: a small ordered map of string parameters (perturbation and target options).
 * Lookups are linear: lists hold a handful of entries. */
#include "fairshake/core.h"

#include <string.h>

void fs_params_init(fs_params *p)
{
    p->keys = NULL;
    p->values = NULL;
    p->count = 0;
}

void fs_params_dispose(fs_params *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->count; i++) {
        fs_free(p->keys[i]);
        fs_free(p->values[i]);
    }
    fs_free(p->keys);
    fs_free(p->values);
    fs_params_init(p);
}

const char *fs_params_get(const fs_params *p, const char *key)
{
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->keys[i], key) == 0) {
            return p->values[i];
        }
    }
    return NULL;
}

fs_status fs_params_set(fs_params *p, const char *key, const char *value, fs_error *err)
{
    char *v = fs_strdup(value);
    if (v == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->keys[i], key) == 0) {
            fs_free(p->values[i]);
            p->values[i] = v;
            return FS_OK;
        }
    }
    char *k = fs_strdup(key);
    size_t bytes;
    if (k == NULL || !fs_size_mul(&bytes, p->count + 1, sizeof(char *))) {
        fs_free(k);
        fs_free(v);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    char **keys = fs_realloc(p->keys, bytes);
    if (keys == NULL) {
        fs_free(k);
        fs_free(v);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p->keys = keys;
    char **values = fs_realloc(p->values, bytes);
    if (values == NULL) {
        fs_free(k);
        fs_free(v);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p->values = values;
    p->keys[p->count] = k;
    p->values[p->count] = v;
    p->count++;
    return FS_OK;
}

fs_status fs_params_copy(fs_params *dst, const fs_params *src, fs_error *err)
{
    fs_params_init(dst);
    for (size_t i = 0; i < src->count; i++) {
        fs_status st = fs_params_set(dst, src->keys[i], src->values[i], err);
        if (st != FS_OK) {
            fs_params_dispose(dst);
            return st;
        }
    }
    return FS_OK;
}
