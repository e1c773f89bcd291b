/* Shared services of the perturbation kinds: locating and parsing data files (a user's
 * own file through the `file` parameter, else the installed one), a key → values lookup
 * table for lexicons, and carrying a word's case shape over to its replacement. The
 * lookup table is open addressing over FNV-1a hashes with every string copied into one
 * growing pool, so a lookup never allocates. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "perturb/internal.h"

bool fs_perturb__draw(fs_rng *rng, double rate)
{
    return fs_rng_uniform(rng) < rate;
}

void fs_perturb__emit_upto(fs_perturb__emitter *e, size_t upto, size_t resume)
{
    fs_buf_append(e->out, e->text + e->copied, upto - e->copied);
    e->copied = resume;
}

/* A layout name is a file name stem: ASCII letters, digits, '-' and '_'. */
static bool simple_name(const char *s)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789-_";
    size_t n = strlen(s);
    return n > 0 && n <= 64 && strspn(s, allowed) == n;
}

fs_status fs_perturb__layout_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    const char *layout = fs_params_get(&p->params, "layout");
    const char *path = NULL;
    char rel[96];
    if (layout == NULL || !simple_name(layout)) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "%s: layout: must be a simple name (letters, digits, '-', '_'), got '%s'",
                       p->info->name, layout ? layout : "");
    }
    snprintf(rel, sizeof rel, "keyboard/%s.json", layout);
    fs_status st = fs_perturb__data_file(p, data_dir, rel, &path, err);
    if (st != FS_OK) {
        return st;
    }
    return fs_perturb__layout_load(&p->layout, path, p->seg, err);
}

fs_status fs_perturb__data_file(fs_perturber *p, const char *data_dir, const char *rel,
                                const char **path_out, fs_error *err)
{
    const char *user = fs_params_get(&p->params, "file");
    struct stat sb;
    fs_buf path;
    *path_out = NULL;
    if (p->n_files == FS_PERTURB__MAX_FILES) {
        return FS_FAIL(err, FS_ERR_INTERNAL, "%s: too many data files", p->info->name);
    }
    fs_buf_init(&path, 4096);
    if (user != NULL && user[0] != '\0') {
        fs_buf_puts(&path, user);
    } else if (data_dir != NULL) {
        fs_buf_printf(&path, "%s/perturbations/%s", data_dir, rel);
    } else {
        fs_buf_dispose(&path);
        return FS_FAIL(err, FS_ERR_USAGE, "%s: no data directory to find perturbations/%s",
                       p->info->name, rel);
    }
    if (fs_buf_status(&path) != FS_OK) {
        fs_buf_dispose(&path);
        return FS_FAIL(err, FS_ERR_CONFIG, "%s: data file path too long", p->info->name);
    }
    if (stat(fs_buf_cstr(&path), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fs_status st = FS_FAIL(err, FS_ERR_CONFIG, "%s: data file %s not found", p->info->name,
                               fs_buf_cstr(&path));
        fs_buf_dispose(&path);
        return st;
    }
    p->files[p->n_files] = fs_buf_take(&path, NULL);
    if (p->files[p->n_files] == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    *path_out = p->files[p->n_files++];
    return FS_OK;
}

fs_status fs_perturb__load_json(fs_perturber *p, const char *data_dir, const char *rel, cJSON **out,
                                const char **path_out, fs_error *err)
{
    *out = NULL;
    fs_status st = fs_perturb__data_file(p, data_dir, rel, path_out, err);
    if (st != FS_OK) {
        return st;
    }
    st = fs_json__parse_file(out, *path_out, err);
    if (st != FS_OK) {
        if (err != NULL) {
            err->code = FS_ERR_INPUT;
        }
        return FS_ERR_INPUT;
    }
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return FS_FAIL(err, FS_ERR_INPUT, "%s: a data file must be a JSON object", *path_out);
    }
    return FS_OK;
}

/* ---- lookup table -------------------------------------------------------------------- */

typedef struct slot {
    size_t key_off, key_len; /* in the pool */
    size_t first, count;     /* values: vals[first .. first+count) after finishing */
    uint64_t hash;
    bool used;
} slot;

typedef struct pending_val {
    size_t slot;
    size_t off, len;
} pending_val;

struct fs_perturb__map {
    slot *slots;
    size_t cap, size, max_key;
    fs_buf pool;
    pending_val *pend; /* values in insertion order */
    size_t n_pend, cap_pend;
    fs_str *vals; /* built lazily on first lookup: grouped by slot */
    bool dirty;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

fs_status fs_perturb__map_new(fs_perturb__map **out, fs_error *err)
{
    *out = NULL;
    fs_perturb__map *m = fs_calloc(1, sizeof *m);
    if (m == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    m->cap = 64;
    m->slots = fs_calloc(m->cap, sizeof *m->slots);
    if (m->slots == NULL) {
        fs_free(m);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_init(&m->pool, 0);
    *out = m;
    return FS_OK;
}

void fs_perturb__map_free(fs_perturb__map *m)
{
    if (m == NULL) {
        return;
    }
    fs_free(m->slots);
    fs_free(m->pend);
    fs_free(m->vals);
    fs_buf_dispose(&m->pool);
    fs_free(m);
}

static size_t find_slot(const slot *slots, size_t cap, const fs_buf *pool, const char *key,
                        size_t klen, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].used) {
        if (slots[i].hash == h && slots[i].key_len == klen &&
            memcmp(pool->data + slots[i].key_off, key, klen) == 0) {
            return i;
        }
        i = (i + 1) & (cap - 1);
    }
    return i;
}

static bool grow_slots(fs_perturb__map *m)
{
    size_t cap = m->cap * 2;
    slot *ns = fs_calloc(cap, sizeof *ns);
    if (ns == NULL) {
        return false;
    }
    size_t *remap = fs_calloc(m->cap, sizeof *remap);
    if (remap == NULL) {
        fs_free(ns);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].used) {
            size_t j = (size_t)m->slots[i].hash & (cap - 1);
            while (ns[j].used) {
                j = (j + 1) & (cap - 1);
            }
            ns[j] = m->slots[i];
            remap[i] = j;
        }
    }
    for (size_t k = 0; k < m->n_pend; k++) {
        m->pend[k].slot = remap[m->pend[k].slot];
    }
    fs_free(remap);
    fs_free(m->slots);
    m->slots = ns;
    m->cap = cap;
    return true;
}

static bool push_pending(fs_perturb__map *m, size_t slot_i, size_t off, size_t len)
{
    if (m->n_pend == m->cap_pend) {
        size_t cap = m->cap_pend ? m->cap_pend * 2 : 64;
        pending_val *p = fs_realloc(m->pend, cap * sizeof *p);
        if (p == NULL) {
            return false;
        }
        m->pend = p;
        m->cap_pend = cap;
    }
    m->pend[m->n_pend].slot = slot_i;
    m->pend[m->n_pend].off = off;
    m->pend[m->n_pend].len = len;
    m->n_pend++;
    return true;
}

fs_status fs_perturb__map_add(fs_perturb__map *m, const char *key, size_t klen, const char *value,
                              size_t vlen, fs_error *err)
{
    if ((m->size + 1) * 4 > m->cap * 3 && !grow_slots(m)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    uint64_t h = fnv1a(key, klen);
    size_t i = find_slot(m->slots, m->cap, &m->pool, key, klen, h);
    if (!m->slots[i].used) {
        m->slots[i].used = true;
        m->slots[i].hash = h;
        m->slots[i].key_off = m->pool.len;
        m->slots[i].key_len = klen;
        fs_buf_append(&m->pool, key, klen);
        m->size++;
        m->max_key = klen > m->max_key ? klen : m->max_key;
    }
    size_t off = m->pool.len;
    fs_buf_append(&m->pool, value, vlen);
    if (fs_buf_status(&m->pool) != FS_OK || !push_pending(m, i, off, vlen)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    m->slots[i].count++;
    m->dirty = true;
    return FS_OK;
}

/* Group the values by key once all are added: a counting sort over slots. */
fs_status fs_perturb__map_finish(fs_perturb__map *m, fs_error *err)
{
    fs_str *vals = fs_calloc(m->n_pend + 1, sizeof *vals);
    if (vals == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    size_t next = 0;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].used) {
            m->slots[i].first = next;
            next += m->slots[i].count;
            m->slots[i].count = 0;
        }
    }
    for (size_t k = 0; k < m->n_pend; k++) {
        slot *s = &m->slots[m->pend[k].slot];
        vals[s->first + s->count].ptr = m->pool.data + m->pend[k].off;
        vals[s->first + s->count].len = m->pend[k].len;
        s->count++;
    }
    fs_free(m->vals);
    m->vals = vals;
    m->dirty = false;
    return FS_OK;
}

fs_perturb__values fs_perturb__map_get(const fs_perturb__map *m, const char *key, size_t klen)
{
    fs_perturb__values none = { NULL, 0 };
    if (m->dirty) {
        return none;
    }
    size_t i = find_slot(m->slots, m->cap, &m->pool, key, klen, fnv1a(key, klen));
    if (!m->slots[i].used) {
        return none;
    }
    fs_perturb__values v = { m->vals + m->slots[i].first, m->slots[i].count };
    return v;
}

size_t fs_perturb__map_size(const fs_perturb__map *m)
{
    return m->size;
}

size_t fs_perturb__map_max_key(const fs_perturb__map *m)
{
    return m->max_key;
}

/* ---- case shapes --------------------------------------------------------------------- */

fs_perturb__shape fs_perturb__shape_of(const char *w, size_t n)
{
    size_t i = 0, upper = 0, lower = 0, cased = 0;
    bool first_upper = false;
    while (i < n) {
        fs_text_class k = fs_text_classify(w + i, n - i);
        fs_text_next_cp(w, n, &i);
        if (!k.has_case) {
            continue;
        }
        first_upper = cased == 0 ? k.is_upper : first_upper;
        cased++;
        upper += k.is_upper;
        lower += k.is_lower;
    }
    if (upper == 0) {
        return FS_PERTURB__LOWER;
    }
    if (lower == 0 && upper >= 2) {
        return FS_PERTURB__UPPER;
    }
    return (first_upper && upper == 1) ? FS_PERTURB__TITLE : FS_PERTURB__MIXED;
}

fs_status fs_perturb__put_shaped(fs_perturber *p, fs_buf *out, const char *s, size_t n,
                                 fs_perturb__shape shape, fs_error *err)
{
    if (shape == FS_PERTURB__UPPER) {
        return fs_text_casemapper_map(p->cm, out, s, n, FS_CASE_UPPER, err);
    }
    if (shape != FS_PERTURB__TITLE) {
        fs_buf_append(out, s, n);
        return FS_OK;
    }
    /* Title: the first word title-cased ("a lot" becomes "A lot"), the rest as written. */
    size_t i = 0;
    while (i < n && !fs_text_classify(s + i, n - i).is_space) {
        fs_text_next_cp(s, n, &i);
    }
    fs_status st = fs_text_casemapper_map(p->cm, out, s, i, FS_CASE_TITLE, err);
    fs_buf_append(out, s + i, n - i);
    return st;
}

fs_status fs_perturb__fold(fs_perturber *p, fs_buf *out, const char *s, size_t n, fs_error *err)
{
    return fs_text_casemapper_map(p->cm, out, s, n, FS_CASE_FOLD, err);
}
