/* Keyboard layouts for the typo perturbation, loaded from JSON data files (format in
 * perturbations/README.md). Invariants: every key and neighbour is one grapheme cluster,
 * stored lower-cased and NFC; each key is reachable by its lower, upper and title case
 * forms in both NFC and NFD through an open-addressing hash table, so a lookup on the hot
 * path is one hash and a memcmp, with no case mapping and no allocation. A key's own
 * lower-case spelling always wins over another key's upper- or title-case spelling; among
 * the latter the first key in the file wins. */
#include "perturb/internal.h"

#include <string.h>

#include "core/json.h"

enum { CASE_LOWER = 0, CASE_UPPER = 1, CASE_TITLE = 2, N_CASES = 3 };

struct fs_perturb__layout_form {
    uint32_t off; /* into blob */
    uint32_t len;
    uint32_t key;  /* index into keys */
    uint32_t kase; /* CASE_* of this spelling */
};

typedef struct layout_key {
    uint32_t first_nb;
    uint32_t n_nb;
} layout_key;

typedef struct layout_nb {
    uint32_t off[N_CASES];
    uint32_t len[N_CASES];
} layout_nb;

struct fs_perturb__layout {
    char *blob; /* every string, back to back */
    fs_perturb__layout_form *forms;
    size_t n_forms;
    uint32_t *slots; /* form index + 1; 0 is empty */
    size_t mask;
    layout_key *keys;
    size_t n_keys;
    layout_nb *nbs;
    size_t n_nbs;
    size_t max_len;
};

/* State while a layout is built: blob grows in a buffer, so forms hold offsets. */
typedef struct builder {
    fs_perturb__layout *l;
    fs_buf blob;
    fs_text_segmenter *seg;
    const char *path;
} builder;

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static const fs_perturb__layout_form *lookup(const fs_perturb__layout *l, const char *base,
                                             const char *s, size_t n)
{
    if (n == 0 || n > l->max_len) {
        return NULL;
    }
    for (size_t i = hash_bytes(s, n) & l->mask; l->slots[i] != 0; i = (i + 1) & l->mask) {
        const fs_perturb__layout_form *f = &l->forms[l->slots[i] - 1];
        if (f->len == n && memcmp(base + f->off, s, n) == 0) {
            return f;
        }
    }
    return NULL;
}

const fs_perturb__layout_form *fs_perturb__layout_find(const fs_perturb__layout *l, const char *g,
                                                       size_t n)
{
    return lookup(l, l->blob, g, n);
}

fs_str fs_perturb__layout_neighbour(const fs_perturb__layout *l, const fs_perturb__layout_form *f,
                                    fs_rng *rng)
{
    const layout_key *k = &l->keys[f->key];
    const layout_nb *nb = &l->nbs[k->first_nb + fs_rng_below(rng, k->n_nb)];
    fs_str s = { l->blob + nb->off[f->kase], nb->len[f->kase] };
    return s;
}

size_t fs_perturb__layout_size(const fs_perturb__layout *l)
{
    return l->n_keys;
}

void fs_perturb__layout_free(fs_perturb__layout *l)
{
    if (l == NULL) {
        return;
    }
    fs_free(l->blob);
    fs_free(l->forms);
    fs_free(l->slots);
    fs_free(l->keys);
    fs_free(l->nbs);
    fs_free(l);
}

/* Append s case-mapped then normalised to the blob; *off and *len locate it. */
static fs_status put_form(builder *b, const char *s, size_t n, fs_text_case c, fs_text_form form,
                          uint32_t *off, uint32_t *len, fs_error *err)
{
    fs_buf tmp;
    fs_buf_init(&tmp, 0);
    size_t start = b->blob.len;
    fs_status st = fs_text_case_map(&tmp, s, n, c, err);
    if (st == FS_OK) {
        st = fs_text_normalize(&b->blob, fs_buf_cstr(&tmp), tmp.len, form, err);
    }
    if (st == FS_OK && (fs_buf_status(&tmp) != FS_OK || fs_buf_status(&b->blob) != FS_OK)) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK && b->blob.len - start > UINT32_MAX / 2) {
        st = FS_FAIL(err, FS_ERR_LIMIT, "%s: layout too large", b->path);
    }
    fs_buf_dispose(&tmp);
    *off = (uint32_t)start;
    *len = (uint32_t)(b->blob.len - start);
    return st;
}

/* Add the spelling at blob[off..off+len) of key with case kase. A spelling already present
 * is dropped (a duplicate lower-case key is an error). */
static fs_status add_form(builder *b, uint32_t off, uint32_t len, uint32_t key, uint32_t kase,
                          fs_error *err)
{
    fs_perturb__layout *l = b->l;
    const char *s = b->blob.data + off;
    if (l->max_len < len) {
        l->max_len = len;
    }
    const fs_perturb__layout_form *old = lookup(l, b->blob.data, s, len);
    if (old != NULL) {
        if (kase == CASE_LOWER && old->key != key) {
            return FS_FAIL(err, FS_ERR_INPUT, "%s: neighbours: key '%.*s' appears twice", b->path,
                           (int)len, s);
        }
        return FS_OK;
    }
    size_t i = hash_bytes(s, len) & l->mask;
    while (l->slots[i] != 0) {
        i = (i + 1) & l->mask;
    }
    fs_perturb__layout_form *f = &l->forms[l->n_forms];
    f->off = off;
    f->len = len;
    f->key = key;
    f->kase = kase;
    l->slots[i] = (uint32_t)++l->n_forms;
    return FS_OK;
}

/* Check that s is valid UTF-8 holding exactly one grapheme cluster. */
static fs_status check_char(builder *b, const char *s, fs_error *err)
{
    const fs_text_span *spans = NULL;
    size_t count = 0;
    size_t n = strlen(s);
    if (!fs_text_valid_utf8(s, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: neighbours: invalid UTF-8", b->path);
    }
    fs_status st = fs_text_segmenter_run(b->seg, &spans, &count, s, n, err);
    if (st != FS_OK) {
        return st;
    }
    if (count != 1) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: neighbours: '%s' is not a single character", b->path,
                       s);
    }
    return FS_OK;
}

/* Store the three case forms (NFC) of one neighbour of key, whose lower-case NFC
 * spelling is blob[key_off..key_off+key_len). */
static fs_status add_neighbour(builder *b, const cJSON *item, const char *key, uint32_t key_off,
                               uint32_t key_len, uint32_t *nb_next, fs_error *err)
{
    static const fs_text_case cases[N_CASES] = { FS_CASE_LOWER, FS_CASE_UPPER, FS_CASE_TITLE };
    if (!cJSON_IsString(item) || item->valuestring == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: neighbours: key '%s': neighbours must be strings",
                       b->path, key);
    }
    const char *s = item->valuestring;
    fs_status st = check_char(b, s, err);
    layout_nb *nb = &b->l->nbs[*nb_next];
    for (int c = 0; c < N_CASES && st == FS_OK; c++) {
        st = put_form(b, s, strlen(s), cases[c], FS_FORM_NFC, &nb->off[c], &nb->len[c], err);
    }
    if (st != FS_OK) {
        return st;
    }
    if (nb->len[CASE_LOWER] == key_len &&
        memcmp(b->blob.data + nb->off[CASE_LOWER], b->blob.data + key_off, key_len) == 0) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: neighbours: key '%s' lists itself", b->path, key);
    }
    (*nb_next)++;
    return FS_OK;
}

/* The key's lower-case spellings (NFC, NFD) and its neighbours. */
static fs_status add_key(builder *b, const cJSON *entry, uint32_t key, uint32_t *nb_next,
                         fs_error *err)
{
    const char *ks = entry->string;
    uint32_t off[2], len[2];
    fs_status st = check_char(b, ks, err);
    if (st == FS_OK && (!cJSON_IsArray(entry) || cJSON_GetArraySize(entry) == 0)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: neighbours: key '%s': must be a non-empty array",
                     b->path, ks);
    }
    if (st == FS_OK) {
        st = put_form(b, ks, strlen(ks), FS_CASE_LOWER, FS_FORM_NFC, &off[0], &len[0], err);
    }
    if (st == FS_OK) {
        st = put_form(b, ks, strlen(ks), FS_CASE_LOWER, FS_FORM_NFD, &off[1], &len[1], err);
    }
    for (int i = 0; i < 2 && st == FS_OK; i++) {
        st = add_form(b, off[i], len[i], key, CASE_LOWER, err);
    }
    b->l->keys[key].first_nb = *nb_next;
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, entry)
    {
        if (st != FS_OK) {
            break;
        }
        st = add_neighbour(b, item, ks, off[0], len[0], nb_next, err);
    }
    b->l->keys[key].n_nb = *nb_next - b->l->keys[key].first_nb;
    return st;
}

/* The key's upper- and title-case spellings (NFC, NFD), after every lower-case one. */
static fs_status add_case_forms(builder *b, const char *ks, uint32_t key, fs_error *err)
{
    static const fs_text_case cases[2] = { FS_CASE_UPPER, FS_CASE_TITLE };
    static const fs_text_form forms[2] = { FS_FORM_NFC, FS_FORM_NFD };
    fs_status st = FS_OK;
    for (int c = 0; c < 2 && st == FS_OK; c++) {
        for (int f = 0; f < 2 && st == FS_OK; f++) {
            uint32_t off, len;
            st = put_form(b, ks, strlen(ks), cases[c], forms[f], &off, &len, err);
            if (st == FS_OK) {
                st = add_form(b, off, len, key, c == 0 ? CASE_UPPER : CASE_TITLE, err);
            }
        }
    }
    return st;
}

/* Check the top level; *nbs_out is the "neighbours" object, *keys_out and *nbs_count its
 * number of keys and of neighbours. */
static fs_status check_root(const cJSON *root, const char *path, const cJSON **nbs_out,
                            size_t *keys_out, size_t *nbs_count, fs_error *err)
{
    static const char *const text_fields[] = { "name", "description", "source" };
    if (!cJSON_IsObject(root)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: must hold a JSON object", path);
    }
    for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, text_fields[i]);
        if (v != NULL && !cJSON_IsString(v)) {
            return FS_FAIL(err, FS_ERR_INPUT, "%s: %s: must be a string", path, text_fields[i]);
        }
    }
    const cJSON *nbs = cJSON_GetObjectItemCaseSensitive(root, "neighbours");
    if (!cJSON_IsObject(nbs) || nbs->child == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: neighbours: must be a non-empty object", path);
    }
    size_t keys = 0, count = 0;
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, nbs)
    {
        keys++;
        count += cJSON_IsArray(entry) ? (size_t)cJSON_GetArraySize(entry) : 0;
    }
    if (keys > 65536 || count > 1048576) {
        return FS_FAIL(err, FS_ERR_LIMIT, "%s: neighbours: too many keys", path);
    }
    *nbs_out = nbs;
    *keys_out = keys;
    *nbs_count = count;
    return FS_OK;
}

static fs_status layout_alloc(fs_perturb__layout **out, size_t n_keys, size_t n_nbs, fs_error *err)
{
    size_t slots = 16;
    while (slots < n_keys * 6 * 2) {
        slots *= 2;
    }
    fs_perturb__layout *l = fs_calloc(1, sizeof *l);
    if (l != NULL) {
        l->forms = fs_calloc(n_keys * 6, sizeof *l->forms);
        l->slots = fs_calloc(slots, sizeof *l->slots);
        l->keys = fs_calloc(n_keys, sizeof *l->keys);
        l->nbs = fs_calloc(n_nbs > 0 ? n_nbs : 1, sizeof *l->nbs);
    }
    if (l == NULL || l->forms == NULL || l->slots == NULL || l->keys == NULL || l->nbs == NULL) {
        fs_perturb__layout_free(l);
        *out = NULL;
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    l->mask = slots - 1;
    l->n_keys = n_keys;
    l->n_nbs = n_nbs;
    *out = l;
    return FS_OK;
}

static fs_status build(builder *b, const cJSON *nbs, fs_error *err)
{
    uint32_t key = 0, nb_next = 0;
    const cJSON *entry = NULL;
    fs_status st = FS_OK;
    cJSON_ArrayForEach(entry, nbs)
    {
        st = add_key(b, entry, key++, &nb_next, err);
        if (st != FS_OK) {
            return st;
        }
    }
    key = 0;
    cJSON_ArrayForEach(entry, nbs)
    {
        st = add_case_forms(b, entry->string, key++, err);
        if (st != FS_OK) {
            return st;
        }
    }
    b->l->blob = fs_buf_take(&b->blob, NULL);
    if (b->l->blob == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return FS_OK;
}

fs_status fs_perturb__layout_load(fs_perturb__layout **out, const char *path,
                                  fs_text_segmenter *seg, fs_error *err)
{
    cJSON *root = NULL;
    const cJSON *nbs = NULL;
    size_t n_keys = 0, n_nbs = 0;
    builder b = { NULL, FS_BUF_INIT, seg, path };
    *out = NULL;
    fs_status st = fs_json__parse_file(&root, path, err);
    if (st == FS_OK) {
        st = check_root(root, path, &nbs, &n_keys, &n_nbs, err);
    }
    if (st == FS_OK) {
        st = layout_alloc(&b.l, n_keys, n_nbs, err);
    }
    if (st == FS_OK) {
        st = build(&b, nbs, err);
    }
    if (st == FS_OK) {
        *out = b.l;
        b.l = NULL;
    }
    fs_perturb__layout_free(b.l);
    fs_buf_dispose(&b.blob);
    cJSON_Delete(root);
    return st;
}
