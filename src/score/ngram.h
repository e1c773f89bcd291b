#ifndef FS_SCORE_NGRAM_H
#define FS_SCORE_NGRAM_H
/* Internal n-gram counting shared by BLEU and chrF: Python's whitespace set, a token
 * interner and an n-gram table over sequences of 32-bit symbols (token ids or code
 * points). Tables are reused between segments: resetting is O(1) and, once they are
 * large enough, counting a segment does not allocate. */
#include "fairshake/core.h"

/** Symbol given to a reference token that the hypothesis does not contain: it never
 *  equals a hypothesis symbol, so no n-gram holding it can match. */
#define FS_SCORE__NO_SYMBOL UINT32_MAX

/** true when cp is whitespace for Python's str.split() and str.strip(): the Unicode
 *  White_Space property plus U+001C..U+001F. */
bool fs_score__py_space(uint32_t cp);

/** Length in bytes of the UTF-8 sequence starting at s[i] when it encodes a Python
 *  whitespace character, else 0. */
size_t fs_score__space_at(const char *s, size_t n, size_t i);

/** Grow *arr (elements of elem bytes, capacity *cap) to hold at least need elements;
 *  false on overflow or out of memory (the array is then unchanged). */
bool fs_score__reserve(void **arr, size_t *cap, size_t need, size_t elem);

/** Parse a boolean option value: "true"/"1" or "false"/"0"; FS_ERR_CONFIG naming key. */
fs_status fs_score__opt_bool(bool *out, const char *key, const char *value, fs_error *err);
/** FS_ERR_CONFIG for an unknown option key, suggesting the nearest of keys[0..n). */
fs_status fs_score__opt_unknown(const char *key, const char *const *keys, size_t n, fs_error *err);

typedef struct fs_score__slot {
    uint32_t gen; /* the slot is used when gen equals the table's gen */
    uint32_t idx; /* entry index */
} fs_score__slot;

/** A hash set of byte strings giving each a dense id 0, 1, 2... in insertion order. The
 *  strings are borrowed: they must stay valid until the next reset. */
typedef struct fs_score__word {
    const char *ptr;
    size_t len;
    uint64_t hash;
} fs_score__word;

typedef struct fs_score__lexicon {
    fs_score__slot *slots;
    size_t slot_cap; /* power of two */
    uint32_t gen;
    fs_score__word *words; /* by id */
    size_t count, cap;
} fs_score__lexicon;

void fs_score__lexicon_init(fs_score__lexicon *lx);
void fs_score__lexicon_dispose(fs_score__lexicon *lx);
/** Forget every word, keeping memory. */
void fs_score__lexicon_reset(fs_score__lexicon *lx);
/** *id_out = id of p[0..len), added when new. FS_ERR_NOMEM. */
fs_status fs_score__lexicon_add(fs_score__lexicon *lx, const char *p, size_t len, uint32_t *id_out,
                                fs_error *err);
/** Id of p[0..len), or FS_SCORE__NO_SYMBOL. */
uint32_t fs_score__lexicon_find(const fs_score__lexicon *lx, const char *p, size_t len);

/** One distinct hypothesis n-gram: syms[start .. start + n) of the hypothesis. */
typedef struct fs_score__ngram {
    uint64_t hash;
    uint32_t start, n;
    uint32_t hyp;   /* occurrences in the hypothesis */
    uint32_t cur;   /* occurrences in the current reference (valid when stamp matches) */
    uint32_t best;  /* maximum of cur over the references seen since the build */
    uint32_t stamp; /* reference that cur counts */
} fs_score__ngram;

/** The distinct n-grams of one hypothesis, orders 1..max_n, with their counts. */
typedef struct fs_score__ngrams {
    fs_score__slot *slots;
    size_t slot_cap;
    uint32_t gen;
    fs_score__ngram *entries;
    size_t count, cap;
    const uint32_t *syms; /* the hypothesis, borrowed from the last build */
    uint32_t stamp;
} fs_score__ngrams;

void fs_score__ngrams_init(fs_score__ngrams *t);
void fs_score__ngrams_dispose(fs_score__ngrams *t);
/** Replace the table's content by the n-grams of syms[0..len), orders 1..max_n.
 *  syms: kept until the next build. FS_ERR_NOMEM, FS_ERR_LIMIT beyond 2^31 symbols. */
fs_status fs_score__ngrams_build(fs_score__ngrams *t, const uint32_t *syms, size_t len,
                                 size_t max_n, fs_error *err);
/** Count the n-grams of one reference ref[0..len) (orders 1..max_n) against the
 *  hypothesis: matches[n - 1] += sum over distinct hypothesis n-grams g of order n of
 *  min(count of g in the hypothesis, count of g in ref), and every entry's best becomes
 *  the maximum of its count over the references matched so far. matches may be NULL. */
void fs_score__ngrams_match(fs_score__ngrams *t, const uint32_t *ref, size_t len, size_t max_n,
                            uint64_t *matches);
/** clipped[n - 1] = sum over distinct hypothesis n-grams of order n (n = 1..max_n) of
 *  min(count in the hypothesis, best count over the references). */
void fs_score__ngrams_clipped(const fs_score__ngrams *t, size_t max_n, uint64_t *clipped);

#endif
