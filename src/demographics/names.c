/* Names files of the demographic lexicon (demographics/names.json and names-*.json).
 *
 * Each file has "first" and "last" arrays of cells; a cell labels its "names" with a group
 * per axis ({"gender": "female", "race": "black", "names": [...]}), using an axis's name or
 * one of its aliases. A label for an axis that is not loaded is ignored, so removing an
 * axis file never breaks the names. The first occurrence of a (folded) name wins, in file
 * then cell order. Names are then indexed by (axis, group, kind) for drawing substitutes. */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "demographics/internal.h"

static fs_status grow_names(fs_demog_lexicon *lex, fs_error *err)
{
    size_t cap = lex->cap_names ? lex->cap_names * 2 : 1024, labels = 0;
    if (cap > UINT32_MAX / 2 || !fs_size_mul(&labels, cap, lex->n_axes * sizeof(int16_t))) {
        return FS_FAIL(err, FS_ERR_LIMIT, "demographics: too many names");
    }
    uint32_t *s = fs_realloc(lex->name_str, cap * sizeof *s);
    if (s == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    lex->name_str = s;
    uint8_t *k = fs_realloc(lex->name_kind, cap);
    if (k == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    lex->name_kind = k;
    int16_t *l = fs_realloc(lex->name_labels, labels);
    if (l == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    lex->name_labels = l;
    lex->cap_names = cap;
    return FS_OK;
}

static fs_status add_name(fs_demog_lexicon *lex, fs_demog__folder *f, fs_buf *key, const char *name,
                          int kind, const int16_t *labels, fs_error *err)
{
    uint32_t idx = 0;
    fs_buf_reset(key);
    fs_status st = fs_demog__fold(f, key, name, strlen(name), err);
    if (st == FS_OK && lex->n_names == lex->cap_names) {
        st = grow_names(lex, err);
    }
    if (st == FS_OK) {
        st = fs_demog__map_put(&lex->names, key->data, key->len, (uint32_t)lex->n_names, &idx, err);
    }
    if (st != FS_OK || idx != lex->n_names) {
        return st; /* an error, or a name already known */
    }
    size_t len = strlen(name) + 1, off = lex->strings.len;
    if (off > UINT32_MAX - len) {
        return FS_FAIL(err, FS_ERR_LIMIT, "demographics: too many names");
    }
    fs_buf_append(&lex->strings, name, len);
    if (fs_buf_status(&lex->strings) != FS_OK) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    lex->name_str[lex->n_names] = (uint32_t)off;
    lex->name_kind[lex->n_names] = (uint8_t)kind;
    memcpy(lex->name_labels + lex->n_names * lex->n_axes, labels, lex->n_axes * sizeof *labels);
    lex->n_names++;
    return FS_OK;
}

/* The labels of a cell into labels[n_axes] (-1: not labelled). */
static fs_status cell_labels(const fs_demog_lexicon *lex, const cJSON *cell, const char *path,
                             const char *where, int16_t *labels, fs_error *err)
{
    const cJSON *m = NULL;
    for (size_t a = 0; a < lex->n_axes; a++) {
        labels[a] = -1;
    }
    cJSON_ArrayForEach(m, cell)
    {
        if (strcmp(m->string, "names") == 0 || strcmp(m->string, "source") == 0) {
            continue;
        }
        int a = fs_demog_axis_find(lex, m->string);
        if (a < 0) {
            continue;
        }
        int g = cJSON_IsString(m) ? fs_demog_group_find(lex, (size_t)a, m->valuestring) : -1;
        if (g < 0) {
            return FS_FAIL(err, FS_ERR_INPUT, "%s: %s.%s: not a group of axis '%s'", path, where,
                           m->string, lex->axes[a].name);
        }
        labels[a] = (int16_t)g;
    }
    return FS_OK;
}

static fs_status load_cells(fs_demog_lexicon *lex, const cJSON *arr, int kind, const char *path,
                            fs_demog__folder *f, fs_buf *key, int16_t *labels, fs_error *err)
{
    const char *kname = kind == FS_DEMOG__FIRST ? "first" : "last";
    char where[64];
    if (arr != NULL && !cJSON_IsArray(arr)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s: expected an array of cells", path, kname);
    }
    for (int i = 0; arr != NULL && i < cJSON_GetArraySize(arr); i++) {
        const cJSON *cell = cJSON_GetArrayItem(arr, i);
        const cJSON *names = cJSON_GetObjectItemCaseSensitive(cell, "names");
        snprintf(where, sizeof where, "%s[%d]", kname, i);
        if (!cJSON_IsObject(cell) || !cJSON_IsArray(names)) {
            return FS_FAIL(err, FS_ERR_INPUT, "%s: %s: expected an object with a names array", path,
                           where);
        }
        fs_status st = cell_labels(lex, cell, path, where, labels, err);
        for (int j = 0; st == FS_OK && j < cJSON_GetArraySize(names); j++) {
            const cJSON *n = cJSON_GetArrayItem(names, j);
            if (!cJSON_IsString(n) || n->valuestring[0] == '\0') {
                return FS_FAIL(err, FS_ERR_INPUT, "%s: %s.names[%d]: expected a non-empty string",
                               path, where, j);
            }
            st = add_name(lex, f, key, n->valuestring, kind, labels, err);
        }
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}

fs_status fs_demog__load_names(fs_demog_lexicon *lex, const char *path, fs_demog__folder *f,
                               fs_error *err)
{
    cJSON *root = NULL;
    fs_buf key;
    int16_t *labels = fs_calloc(lex->n_axes + 1, sizeof *labels);
    if (labels == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_init(&key, 0);
    fs_status st = fs_json__parse_file(&root, path, err);
    if (st != FS_OK) {
        st = err != NULL ? (err->code = FS_ERR_INPUT) : FS_ERR_INPUT;
    } else if (!cJSON_IsObject(root)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: $: a names file must be a JSON object", path);
    }
    if (st == FS_OK) {
        st = load_cells(lex, cJSON_GetObjectItemCaseSensitive(root, "first"), FS_DEMOG__FIRST, path,
                        f, &key, labels, err);
    }
    if (st == FS_OK) {
        st = load_cells(lex, cJSON_GetObjectItemCaseSensitive(root, "last"), FS_DEMOG__LAST, path,
                        f, &key, labels, err);
    }
    cJSON_Delete(root);
    fs_buf_dispose(&key);
    fs_free(labels);
    return st;
}

/* Counting sort of the names labelled on an axis by (group, kind), in load order. */
static fs_status axis_candidates(fs_demog_lexicon *lex, size_t a, fs_error *err)
{
    fs_demog__axis *ax = &lex->axes[a];
    size_t cells = ax->n_groups * 2;
    ax->cand_start = fs_calloc(cells + 1, sizeof *ax->cand_start);
    ax->cand = fs_calloc(lex->n_names + 1, sizeof *ax->cand);
    if (ax->cand_start == NULL || ax->cand == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < lex->n_names; i++) {
        int16_t g = lex->name_labels[i * lex->n_axes + a];
        if (g >= 0) {
            ax->cand_start[(size_t)g * 2 + lex->name_kind[i] + 1]++;
        }
    }
    for (size_t c = 0; c < cells; c++) {
        ax->cand_start[c + 1] += ax->cand_start[c];
    }
    size_t *fill = fs_calloc(cells + 1, sizeof *fill);
    if (fill == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < lex->n_names; i++) {
        int16_t g = lex->name_labels[i * lex->n_axes + a];
        if (g >= 0) {
            size_t c = (size_t)g * 2 + lex->name_kind[i];
            ax->cand[ax->cand_start[c] + fill[c]++] = (uint32_t)i;
        }
    }
    fs_free(fill);
    return FS_OK;
}

fs_status fs_demog__build_candidates(fs_demog_lexicon *lex, fs_error *err)
{
    for (size_t a = 0; a < lex->n_axes; a++) {
        fs_status st = axis_candidates(lex, a, err);
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}
