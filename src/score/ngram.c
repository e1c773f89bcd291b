/* N-gram counting and option parsing for the translation metrics (BLEU, chrF).
 *
 * A segment's hypothesis is a sequence of 32-bit symbols (token ids from the lexicon,
 * or code points). Its distinct n-grams live in an open-addressing table whose entries
 * point back into the hypothesis, so keys are compared exactly, symbol by symbol; the
 * hash only chooses the slot. References are never stored: each reference n-gram is
 * looked up and counted in the matching hypothesis entry, which is all that clipped
 * counts need. Reference tokens unknown to the hypothesis get FS_SCORE__NO_SYMBOL.
 *
 * Invariants: slot_cap is a power of two at least twice the number of entries, so
 * probing always ends on a free slot; a slot is in use only when its gen equals the
 * table's gen, so a reset is one increment (and a clear when the counter wraps). */
#include "ngram.h"

#include <string.h>

#define MIN_SLOTS 64u

bool fs_score__py_space(uint32_t cp)
{
    if (cp < 0x80) {
        return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
    }
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

size_t fs_score__space_at(const char *s, size_t n, size_t i)
{
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) {
        return fs_score__py_space(b) ? 1 : 0;
    }
    /* only these lead bytes start a non-ASCII whitespace character */
    if (b != 0xC2 && b != 0xE1 && b != 0xE2 && b != 0xE3) {
        return 0;
    }
    size_t j = i;
    uint32_t cp = fs_text_next_cp(s, n, &j);
    return fs_score__py_space(cp) ? j - i : 0;
}

bool fs_score__reserve(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return true;
    }
    size_t want = *cap < 16 ? 16 : *cap;
    while (want < need) {
        if (!fs_size_mul(&want, want, 2)) {
            return false;
        }
    }
    size_t bytes;
    if (!fs_size_mul(&bytes, want, elem)) {
        return false;
    }
    void *p = fs_realloc(*arr, bytes);
    if (p == NULL) {
        return false;
    }
    *arr = p;
    *cap = want;
    return true;
}

static uint64_t fmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t step_hash(uint64_t h, uint32_t sym)
{
    h = (h ^ sym) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

/* Make room for at least `entries` keys; a fresh slot array starts unused (gen 0). */
static bool ensure_slots(fs_score__slot **slots, size_t *slot_cap, uint32_t *gen, size_t entries)
{
    size_t want = *slot_cap < MIN_SLOTS ? MIN_SLOTS : *slot_cap;
    while (want / 2 < entries) {
        if (!fs_size_mul(&want, want, 2)) {
            return false;
        }
    }
    if (want == *slot_cap) {
        return true;
    }
    fs_score__slot *p = fs_calloc(want, sizeof *p);
    if (p == NULL) {
        return false;
    }
    fs_free(*slots);
    *slots = p;
    *slot_cap = want;
    *gen = 0;
    return true;
}

static void next_gen(fs_score__slot *slots, size_t slot_cap, uint32_t *gen)
{
    if (*gen == UINT32_MAX) {
        memset(slots, 0, slot_cap * sizeof *slots);
        *gen = 0;
    }
    (*gen)++;
}

/* ---- options ---------------------------------------------------------------------- */

fs_status fs_score__opt_bool(bool *out, const char *key, const char *value, fs_error *err)
{
    if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0) {
        *out = true;
    } else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0) {
        *out = false;
    } else {
        return FS_FAIL(err, FS_ERR_CONFIG, "%s: '%s' is not a boolean (true or false)", key, value);
    }
    return FS_OK;
}

fs_status fs_score__opt_unknown(const char *key, const char *const *keys, size_t n, fs_error *err)
{
    const char *near = fs_nearest(key, keys, n);
    if (near != NULL) {
        return FS_FAIL(err, FS_ERR_CONFIG, "unknown option '%s' (did you mean '%s'?)", key, near);
    }
    return FS_FAIL(err, FS_ERR_CONFIG, "unknown option '%s'", key);
}

/* ---- lexicon ------------------------------------------------------------------------- */

static uint64_t bytes_hash(const char *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
    }
    return fmix64(h ^ len);
}

void fs_score__lexicon_init(fs_score__lexicon *lx)
{
    memset(lx, 0, sizeof *lx);
}

void fs_score__lexicon_dispose(fs_score__lexicon *lx)
{
    if (lx == NULL) {
        return;
    }
    fs_free(lx->slots);
    fs_free(lx->words);
    fs_score__lexicon_init(lx);
}

void fs_score__lexicon_reset(fs_score__lexicon *lx)
{
    lx->count = 0;
    if (lx->slot_cap > 0) {
        next_gen(lx->slots, lx->slot_cap, &lx->gen);
    }
}

/* Slot of p[0..len): its word when present, else the free slot where it belongs. */
static size_t lexicon_probe(const fs_score__lexicon *lx, const char *p, size_t len, uint64_t h)
{
    size_t mask = lx->slot_cap - 1;
    size_t pos = (size_t)h & mask;
    while (lx->slots[pos].gen == lx->gen) {
        const fs_score__word *w = &lx->words[lx->slots[pos].idx];
        if (w->hash == h && w->len == len && memcmp(w->ptr, p, len) == 0) {
            return pos;
        }
        pos = (pos + 1) & mask;
    }
    return pos;
}

/* Grow the slot array, re-inserting the current words. */
static bool lexicon_grow(fs_score__lexicon *lx, size_t entries)
{
    size_t old_cap = lx->slot_cap;
    if (!ensure_slots(&lx->slots, &lx->slot_cap, &lx->gen, entries)) {
        return false;
    }
    if (old_cap == lx->slot_cap && lx->gen != 0) {
        return true;
    }
    next_gen(lx->slots, lx->slot_cap, &lx->gen);
    for (size_t i = 0; i < lx->count; i++) {
        const fs_score__word *w = &lx->words[i];
        size_t pos = lexicon_probe(lx, w->ptr, w->len, w->hash);
        lx->slots[pos].gen = lx->gen;
        lx->slots[pos].idx = (uint32_t)i;
    }
    return true;
}

fs_status fs_score__lexicon_add(fs_score__lexicon *lx, const char *p, size_t len, uint32_t *id_out,
                                fs_error *err)
{
    if (lx->count >= UINT32_MAX - 1) {
        return FS_FAIL(err, FS_ERR_LIMIT, "too many distinct tokens in one segment");
    }
    if (!lexicon_grow(lx, lx->count + 1) ||
        !fs_score__reserve((void **)&lx->words, &lx->cap, lx->count + 1, sizeof *lx->words)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    uint64_t h = bytes_hash(p, len);
    size_t pos = lexicon_probe(lx, p, len, h);
    if (lx->slots[pos].gen == lx->gen) {
        *id_out = lx->slots[pos].idx;
        return FS_OK;
    }
    lx->words[lx->count].ptr = p;
    lx->words[lx->count].len = len;
    lx->words[lx->count].hash = h;
    lx->slots[pos].gen = lx->gen;
    lx->slots[pos].idx = (uint32_t)lx->count;
    *id_out = (uint32_t)lx->count++;
    return FS_OK;
}

uint32_t fs_score__lexicon_find(const fs_score__lexicon *lx, const char *p, size_t len)
{
    if (lx->slot_cap == 0) {
        return FS_SCORE__NO_SYMBOL;
    }
    size_t pos = lexicon_probe(lx, p, len, bytes_hash(p, len));
    return lx->slots[pos].gen == lx->gen ? lx->slots[pos].idx : FS_SCORE__NO_SYMBOL;
}

/* ---- n-gram table -------------------------------------------------------------------- */

void fs_score__ngrams_init(fs_score__ngrams *t)
{
    memset(t, 0, sizeof *t);
}

void fs_score__ngrams_dispose(fs_score__ngrams *t)
{
    if (t == NULL) {
        return;
    }
    fs_free(t->slots);
    fs_free(t->entries);
    fs_score__ngrams_init(t);
}

/* Entry index of seq[0..n) with hash h, or the free slot (as ~slot) where it belongs. */
static size_t ngram_probe(const fs_score__ngrams *t, const uint32_t *seq, uint32_t n, uint64_t h,
                          bool *found)
{
    size_t mask = t->slot_cap - 1;
    size_t pos = (size_t)h & mask;
    while (t->slots[pos].gen == t->gen) {
        const fs_score__ngram *e = &t->entries[t->slots[pos].idx];
        if (e->hash == h && e->n == n &&
            memcmp(t->syms + e->start, seq, (size_t)n * sizeof *seq) == 0) {
            *found = true;
            return pos;
        }
        pos = (pos + 1) & mask;
    }
    *found = false;
    return pos;
}

fs_status fs_score__ngrams_build(fs_score__ngrams *t, const uint32_t *syms, size_t len,
                                 size_t max_n, fs_error *err)
{
    size_t need;
    if (len > INT32_MAX || !fs_size_mul(&need, len, max_n)) {
        return FS_FAIL(err, FS_ERR_LIMIT, "segment too long");
    }
    if (!ensure_slots(&t->slots, &t->slot_cap, &t->gen, need) ||
        !fs_score__reserve((void **)&t->entries, &t->cap, need, sizeof *t->entries)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    next_gen(t->slots, t->slot_cap, &t->gen);
    t->count = 0;
    t->syms = syms;
    t->stamp = 0;
    for (size_t i = 0; i < len; i++) {
        uint64_t h = 0x243F6A8885A308D3ULL;
        for (size_t k = 0; k < max_n && i + k < len; k++) {
            h = step_hash(h, syms[i + k]);
            uint64_t key = fmix64(h + k);
            bool found;
            size_t pos = ngram_probe(t, syms + i, (uint32_t)(k + 1), key, &found);
            if (found) {
                t->entries[t->slots[pos].idx].hyp++;
                continue;
            }
            fs_score__ngram *e = &t->entries[t->count];
            memset(e, 0, sizeof *e);
            e->hash = key;
            e->start = (uint32_t)i;
            e->n = (uint32_t)(k + 1);
            e->hyp = 1;
            t->slots[pos].gen = t->gen;
            t->slots[pos].idx = (uint32_t)t->count++;
        }
    }
    return FS_OK;
}

void fs_score__ngrams_match(fs_score__ngrams *t, const uint32_t *ref, size_t len, size_t max_n,
                            uint64_t *matches)
{
    uint32_t stamp = ++t->stamp;
    if (t->count == 0) {
        return;
    }
    for (size_t i = 0; i < len; i++) {
        uint64_t h = 0x243F6A8885A308D3ULL;
        for (size_t k = 0; k < max_n && i + k < len; k++) {
            if (ref[i + k] == FS_SCORE__NO_SYMBOL) {
                break; /* no longer n-gram from i can match either */
            }
            h = step_hash(h, ref[i + k]);
            bool found;
            size_t pos = ngram_probe(t, ref + i, (uint32_t)(k + 1), fmix64(h + k), &found);
            if (!found) {
                continue;
            }
            fs_score__ngram *e = &t->entries[t->slots[pos].idx];
            if (e->stamp != stamp) {
                e->stamp = stamp;
                e->cur = 0;
            }
            e->cur++;
            if (e->cur <= e->hyp && matches != NULL) {
                matches[k]++;
            }
            if (e->cur > e->best) {
                e->best = e->cur;
            }
        }
    }
}

void fs_score__ngrams_clipped(const fs_score__ngrams *t, size_t max_n, uint64_t *clipped)
{
    for (size_t n = 0; n < max_n; n++) {
        clipped[n] = 0;
    }
    for (size_t i = 0; i < t->count; i++) {
        const fs_score__ngram *e = &t->entries[i];
        if (e->n <= max_n) {
            clipped[e->n - 1] += e->best < e->hyp ? e->best : e->hyp;
        }
    }
}
