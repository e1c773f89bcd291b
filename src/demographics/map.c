/* String tables and word folding for the demographics module. A table maps folded word
 * bytes to one 32-bit value by open addressing over FNV-1a hashes; its keys live in one
 * growing pool, so a lookup never allocates. Folding is NFC then full Unicode case
 * folding, with the typographic apostrophe U+2019 read as "'": data and text meet on the
 * same form whatever their case, composition or apostrophe. */
#include <string.h>

#include "demographics/internal.h"

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void fs_demog__map_init(fs_demog__map *m)
{
    memset(m, 0, sizeof *m);
    fs_buf_init(&m->keys, 0);
}

void fs_demog__map_dispose(fs_demog__map *m)
{
    if (m == NULL) {
        return;
    }
    fs_free(m->slots);
    fs_buf_dispose(&m->keys);
    memset(m, 0, sizeof *m);
}

static size_t find_slot(const fs_demog__slot *slots, size_t cap, const char *pool, const char *key,
                        size_t n, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].used) {
        if (slots[i].hash == h && slots[i].key_len == n &&
            memcmp(pool + slots[i].key_off, key, n) == 0) {
            return i;
        }
        i = (i + 1) & (cap - 1);
    }
    return i;
}

static bool grow(fs_demog__map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    fs_demog__slot *ns = fs_calloc(cap, sizeof *ns);
    if (ns == NULL) {
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].used) {
            size_t j = (size_t)m->slots[i].hash & (cap - 1);
            while (ns[j].used) {
                j = (j + 1) & (cap - 1);
            }
            ns[j] = m->slots[i];
        }
    }
    fs_free(m->slots);
    m->slots = ns;
    m->cap = cap;
    return true;
}

fs_status fs_demog__map_put(fs_demog__map *m, const char *key, size_t n, uint32_t value,
                            uint32_t *value_out, fs_error *err)
{
    if ((m->size + 1) * 4 > m->cap * 3 && !grow(m)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (n > UINT32_MAX || m->keys.len > UINT32_MAX - n) {
        return FS_FAIL(err, FS_ERR_LIMIT, "demographics: lexicon too large");
    }
    uint64_t h = fnv1a(key, n);
    size_t i = find_slot(m->slots, m->cap, m->keys.data ? m->keys.data : "", key, n, h);
    if (!m->slots[i].used) {
        uint32_t off = (uint32_t)m->keys.len;
        fs_buf_append(&m->keys, key, n);
        if (fs_buf_status(&m->keys) != FS_OK) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        m->slots[i].used = true;
        m->slots[i].hash = h;
        m->slots[i].key_off = off;
        m->slots[i].key_len = (uint32_t)n;
        m->slots[i].value = value;
        m->size++;
    }
    if (value_out != NULL) {
        *value_out = m->slots[i].value;
    }
    return FS_OK;
}

uint32_t fs_demog__map_get(const fs_demog__map *m, const char *key, size_t n)
{
    if (m->size == 0) {
        return FS_DEMOG__NONE;
    }
    size_t i = find_slot(m->slots, m->cap, m->keys.data, key, n, fnv1a(key, n));
    return m->slots[i].used ? m->slots[i].value : FS_DEMOG__NONE;
}

/* ---- folding ------------------------------------------------------------------------- */

fs_status fs_demog__folder_init(fs_demog__folder *f, fs_error *err)
{
    memset(f, 0, sizeof *f);
    fs_buf_init(&f->nfc, 0);
    fs_buf_init(&f->folded, 0);
    fs_status st = fs_text_casemapper_new(&f->cm, err);
    if (st == FS_OK) {
        st = fs_text_normalizer_new(&f->nz, err);
    }
    if (st != FS_OK) {
        fs_demog__folder_dispose(f);
    }
    return st;
}

void fs_demog__folder_dispose(fs_demog__folder *f)
{
    fs_text_casemapper_free(f->cm);
    fs_text_normalizer_free(f->nz);
    fs_buf_dispose(&f->nfc);
    fs_buf_dispose(&f->folded);
    memset(f, 0, sizeof *f);
}

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            return false;
        }
    }
    return true;
}

/* Append s with U+2019 replaced by "'". */
static void put_apostrophes(fs_buf *out, const char *s, size_t n)
{
    size_t done = 0;
    for (size_t i = 0; i + 2 < n; i++) {
        if (memcmp(s + i, "\xE2\x80\x99", 3) == 0) {
            fs_buf_append(out, s + done, i - done);
            fs_buf_putc(out, '\'');
            done = i + 3;
            i += 2;
        }
    }
    fs_buf_append(out, s + done, n - done);
}

fs_status fs_demog__fold(fs_demog__folder *f, fs_buf *out, const char *s, size_t n, fs_error *err)
{
    if (is_ascii(s, n)) {
        /* for ASCII, full case folding is exactly A-Z to a-z */
        for (size_t i = 0; i < n; i++) {
            char c = s[i];
            fs_buf_putc(out, (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c);
        }
        return fs_buf_status(out);
    }
    fs_buf_reset(&f->nfc);
    fs_buf_reset(&f->folded);
    fs_status st = fs_text_normalizer_run(f->nz, &f->nfc, s, n, FS_FORM_NFC, err);
    if (st == FS_OK && fs_buf_status(&f->nfc) == FS_OK) {
        st = fs_text_casemapper_map(f->cm, &f->folded, f->nfc.data ? f->nfc.data : "", f->nfc.len,
                                    FS_CASE_FOLD, err);
    }
    if (st == FS_OK && fs_buf_status(&f->folded) == FS_OK) {
        put_apostrophes(out, f->folded.data ? f->folded.data : "", f->folded.len);
    }
    if (st == FS_OK && (fs_buf_status(&f->nfc) != FS_OK || fs_buf_status(&f->folded) != FS_OK ||
                        fs_buf_status(out) != FS_OK)) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return st;
}

size_t fs_demog__clitic(const char *w, size_t n)
{
    for (size_t k = 1; k <= 2 && k < n; k++) {
        char c = w[n - k];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            return n;
        }
        size_t at = n - k;
        if (at >= 2 && w[at - 1] == '\'') {
            return at - 1;
        }
        if (at >= 4 && memcmp(w + at - 3, "\xE2\x80\x99", 3) == 0) {
            return at - 3;
        }
    }
    return n;
}
