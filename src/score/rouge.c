/* ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum exactly as Google's rouge-score 0.1.2
 * computes them with its default tokenizer (and NLTK's Porter stemmer when asked).
 *
 * Tokenizer: full Unicode lowercasing (ICU root locale, which equals Python's
 * str.lower(); pure-ASCII text takes an ASCII fast path), every run of characters other
 * than ASCII a-z and 0-9 separates tokens, and with stemming a token longer than 3
 * characters becomes its Porter stem. Tokens are interned to dense 32-bit ids, so every
 * comparison below is an integer comparison.
 *
 * Invariants: the scorer keeps every scratch array between pairs (token ids, sentence
 * starts, count arrays indexed by id, the n-gram table, the LCS rows and the Lsum table);
 * count arrays are all zero between calls; the vocabulary, and its stem cache, is
 * forgotten at the start of a pair once it holds more than VOCAB_MAX tokens, so memory
 * stays bounded however many pairs are scored. ROUGE-L uses one row of the LCS table
 * (O(min(n, m)) memory); ROUGE-Lsum needs the full table of each sentence pair for
 * rouge-score's backtrack, held in one reused buffer. */
#include "fairshake/score.h"

#include <math.h>
#include <string.h>

#include "fairshake/core.h"
#include "ngram.h"
#include "porter.h"

#define VOCAB_MAX ((size_t)1 << 20)
#define NO_TOKEN  UINT32_MAX

typedef struct entry {
    size_t off; /* bytes in the pool */
    uint32_t len;
    uint32_t val; /* token id (raw table: id of the stem, or NO_TOKEN) */
    uint64_t hash;
} entry;

/* An interning table: byte strings owned in a pool, open addressing over entry indices. */
typedef struct strtab {
    fs_buf pool;
    entry *entries;
    size_t count, cap;
    uint32_t *slots; /* entry index + 1; 0 is empty */
    size_t n_slots;  /* power of two, at least twice count */
} strtab;

/* Tokens of one text and where its sentences (non-empty lines) start. */
typedef struct tokseq {
    uint32_t *ids;
    size_t count, cap;
    size_t *sent; /* n_sent + 1 starts; the last is count */
    size_t n_sent, sent_cap;
} tokseq;

struct fs_rouge_scorer {
    fs_rouge_opts opts;
    fs_text_casemapper *cm;
    fs_buf lower; /* the lowercased text being tokenised */
    fs_buf stem;  /* a token being stemmed */
    strtab tok;   /* token text -> id */
    strtab raw;   /* with stemming: unstemmed token -> id of its stem */
    tokseq pred, ref;
    uint32_t *cnt_a, *cnt_b; /* by token id, zero between uses */
    size_t cnt_cap;
    uint64_t *keys; /* n-gram table: a slot is used when its gen equals key_gen */
    uint32_t *kcnt;
    uint32_t *kgen;
    uint32_t key_gen;
    size_t key_cap;
    uint32_t *row; /* one LCS row */
    size_t row_cap;
    uint32_t *table; /* Lsum LCS table */
    size_t table_cap;
    unsigned char *mark; /* Lsum: positions of a target sentence in the union LCS */
    size_t mark_cap;
};

static const char *const type_names[FS_ROUGE_N_TYPES] = { "rouge1", "rouge2", "rougeL",
                                                          "rougeLsum" };

const char *fs_rouge_type_name(fs_rouge_type t)
{
    return (unsigned)t < FS_ROUGE_N_TYPES ? type_names[t] : "unknown";
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static void strtab_dispose(strtab *t)
{
    fs_buf_dispose(&t->pool);
    fs_free(t->entries);
    fs_free(t->slots);
    memset(t, 0, sizeof *t);
}

static void strtab_clear(strtab *t)
{
    fs_buf_reset(&t->pool);
    t->count = 0;
    if (t->slots != NULL) {
        memset(t->slots, 0, t->n_slots * sizeof *t->slots);
    }
}

/* Slot holding s[0..n) or the empty slot where it would go. */
static size_t strtab_probe(const strtab *t, const char *s, size_t n, uint64_t h)
{
    size_t mask = t->n_slots - 1;
    size_t pos = (size_t)h & mask;
    while (t->slots[pos] != 0) {
        const entry *e = &t->entries[t->slots[pos] - 1];
        if (e->hash == h && e->len == n && memcmp(t->pool.data + e->off, s, n) == 0) {
            return pos;
        }
        pos = (pos + 1) & mask;
    }
    return pos;
}

static bool strtab_grow(strtab *t)
{
    size_t n_slots = t->n_slots == 0 ? 1024 : t->n_slots * 2;
    uint32_t *slots = fs_calloc(n_slots, sizeof *slots);
    if (slots == NULL) {
        return false;
    }
    for (size_t i = 0; i < t->count; i++) {
        size_t pos = (size_t)t->entries[i].hash & (n_slots - 1);
        while (slots[pos] != 0) {
            pos = (pos + 1) & (n_slots - 1);
        }
        slots[pos] = (uint32_t)i + 1;
    }
    fs_free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return true;
}

/* The entry of s[0..n), or NULL. */
static entry *strtab_find(strtab *t, const char *s, size_t n, uint64_t h)
{
    if (t->n_slots == 0) {
        return NULL;
    }
    uint32_t slot = t->slots[strtab_probe(t, s, n, h)];
    return slot == 0 ? NULL : &t->entries[slot - 1];
}

/* Add s[0..n) (not present) with value val; *index_out = its entry index. */
static bool strtab_add(strtab *t, const char *s, size_t n, uint64_t h, uint32_t val,
                       size_t *index_out)
{
    if (n > UINT32_MAX || t->count >= UINT32_MAX - 1) {
        return false;
    }
    if ((t->count + 1) * 2 > t->n_slots && !strtab_grow(t)) {
        return false;
    }
    if (!fs_score__reserve((void **)&t->entries, &t->cap, t->count + 1, sizeof *t->entries)) {
        return false;
    }
    size_t off = t->pool.len;
    fs_buf_append(&t->pool, s, n);
    if (fs_buf_status(&t->pool) != FS_OK) {
        return false;
    }
    entry *e = &t->entries[t->count];
    e->off = off;
    e->len = (uint32_t)n;
    e->val = val;
    e->hash = h;
    t->slots[strtab_probe(t, s, n, h)] = (uint32_t)t->count + 1;
    *index_out = t->count++;
    return true;
}

/* Id of the token s[0..n), interned when new. */
static bool intern(strtab *t, const char *s, size_t n, uint32_t *id_out)
{
    uint64_t h = hash_bytes(s, n);
    entry *e = strtab_find(t, s, n, h);
    size_t index;
    if (e != NULL) {
        *id_out = e->val;
        return true;
    }
    if (!strtab_add(t, s, n, h, (uint32_t)t->count, &index)) {
        return false;
    }
    *id_out = (uint32_t)index;
    return true;
}

/* Id of the token for the raw word s[0..n) (len > 3) with stemming, via the stem cache. */
static bool intern_stemmed(fs_rouge_scorer *r, const char *s, size_t n, uint32_t *id_out)
{
    uint64_t h = hash_bytes(s, n);
    entry *e = strtab_find(&r->raw, s, n, h);
    size_t index;
    if (e != NULL) {
        *id_out = e->val;
        return true;
    }
    fs_buf_reset(&r->stem);
    fs_buf_append(&r->stem, s, n);
    if (fs_buf_status(&r->stem) != FS_OK) {
        return false;
    }
    size_t len = fs_score__porter_stem(r->stem.data, n);
    uint32_t id = NO_TOKEN; /* rouge-score drops a token whose stem is empty */
    if (len > 0 && !intern(&r->tok, r->stem.data, len, &id)) {
        return false;
    }
    if (!strtab_add(&r->raw, s, n, h, id, &index)) {
        return false;
    }
    *id_out = id;
    return true;
}

static bool push_token(fs_rouge_scorer *r, tokseq *seq, const char *s, size_t n)
{
    uint32_t id;
    bool ok =
        r->opts.use_stemmer && n > 3 ? intern_stemmed(r, s, n, &id) : intern(&r->tok, s, n, &id);
    if (!ok) {
        return false;
    }
    if (id == NO_TOKEN) {
        return true;
    }
    if (!fs_score__reserve((void **)&seq->ids, &seq->cap, seq->count + 1, sizeof *seq->ids)) {
        return false;
    }
    seq->ids[seq->count++] = id;
    return true;
}

static bool push_sentence(tokseq *seq, size_t start)
{
    if (!fs_score__reserve((void **)&seq->sent, &seq->sent_cap, seq->n_sent + 2,
                           sizeof *seq->sent)) {
        return false;
    }
    seq->sent[seq->n_sent++] = start;
    return true;
}

/* Lowercase text[0..n) into r->lower: ASCII by table, anything else through ICU. */
static fs_status lowercase(fs_rouge_scorer *r, const char *text, size_t n, fs_error *err)
{
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++) {
        ascii = (unsigned char)text[i] < 0x80 && text[i] != '\0';
    }
    fs_buf_reset(&r->lower);
    if (!ascii) {
        if (!fs_text_valid_utf8(text, n)) {
            return FS_FAIL(err, FS_ERR_INPUT, "rouge: text is not valid UTF-8 (or holds NUL)");
        }
        return fs_text_casemapper_map(r->cm, &r->lower, text, n, FS_CASE_LOWER, err);
    }
    fs_buf_append(&r->lower, text, n);
    if (fs_buf_status(&r->lower) != FS_OK) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        char c = r->lower.data[i];
        if (c >= 'A' && c <= 'Z') {
            r->lower.data[i] = (char)(c - 'A' + 'a');
        }
    }
    return FS_OK;
}

static bool is_token_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Tokenize text into seq, recording the token start of every non-empty line. */
static fs_status tokenize(fs_rouge_scorer *r, tokseq *seq, const char *text, size_t n,
                          fs_error *err)
{
    seq->count = 0;
    seq->n_sent = 0;
    fs_status st = lowercase(r, text, n, err);
    if (st != FS_OK) {
        return st;
    }
    const char *s = r->lower.data;
    size_t len = r->lower.len, line = 0;
    bool ok = fs_score__reserve((void **)&seq->sent, &seq->sent_cap, 1, sizeof *seq->sent);
    for (size_t i = 0; i <= len && ok; i++) {
        if (i < len && s[i] != '\n') {
            continue;
        }
        if (i > line) {
            ok = push_sentence(seq, seq->count);
        }
        for (size_t j = line; j < i && ok;) {
            size_t k = j;
            while (k < i && is_token_byte(s[k])) {
                k++;
            }
            ok = k == j || push_token(r, seq, s + j, k - j);
            j = k == j ? j + 1 : k;
        }
        line = i + 1;
    }
    if (!ok) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    seq->sent[seq->n_sent] = seq->count; /* reserved by push_sentence or above */
    return FS_OK;
}

/* Count arrays cover every token id, zero-filled. */
static bool reserve_counts(fs_rouge_scorer *r)
{
    size_t need = r->tok.count, cap_a = r->cnt_cap, cap_b = r->cnt_cap;
    if (need <= r->cnt_cap) {
        return true;
    }
    if (!fs_score__reserve((void **)&r->cnt_a, &cap_a, need, sizeof *r->cnt_a) ||
        !fs_score__reserve((void **)&r->cnt_b, &cap_b, need, sizeof *r->cnt_b)) {
        return false;
    }
    size_t cap = cap_a < cap_b ? cap_a : cap_b;
    memset(r->cnt_a + r->cnt_cap, 0, (cap_a - r->cnt_cap) * sizeof *r->cnt_a);
    memset(r->cnt_b + r->cnt_cap, 0, (cap_b - r->cnt_cap) * sizeof *r->cnt_b);
    r->cnt_cap = cap;
    return true;
}

static void set_prf(fs_rouge_prf *out, double precision, double recall)
{
    out->precision = precision;
    out->recall = recall;
    out->fmeasure = precision + recall > 0 ? 2.0 * precision * recall / (precision + recall) : 0.0;
}

static uint64_t ngram_key(const uint32_t *ids, size_t i, size_t n)
{
    return n == 1 ? ids[i] : ((uint64_t)ids[i] << 32) | ids[i + 1];
}

static size_t key_slot(const fs_rouge_scorer *r, uint64_t key)
{
    size_t mask = r->key_cap - 1;
    size_t pos = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & mask;
    while (r->kgen[pos] == r->key_gen && r->keys[pos] != key) {
        pos = (pos + 1) & mask;
    }
    return pos;
}

/* An empty n-gram table of at least need slots (a power of two). */
static bool reserve_keys(fs_rouge_scorer *r, size_t need)
{
    if (need > r->key_cap) {
        size_t cap_k = 0, cap_c = 0, cap_g = 0;
        fs_free(r->keys);
        fs_free(r->kcnt);
        fs_free(r->kgen);
        r->keys = NULL;
        r->kcnt = NULL;
        r->kgen = NULL;
        r->key_cap = 0;
        if (!fs_score__reserve((void **)&r->keys, &cap_k, need, sizeof *r->keys) ||
            !fs_score__reserve((void **)&r->kcnt, &cap_c, need, sizeof *r->kcnt) ||
            !fs_score__reserve((void **)&r->kgen, &cap_g, need, sizeof *r->kgen)) {
            return false;
        }
        memset(r->kgen, 0, need * sizeof *r->kgen);
        r->key_cap = need;
        r->key_gen = 0;
    }
    if (++r->key_gen == 0) {
        memset(r->kgen, 0, r->key_cap * sizeof *r->kgen);
        r->key_gen = 1;
    }
    return true;
}

/* ROUGE-N (n = 1 or 2): clipped overlap of the n-gram multisets. */
static bool score_ngrams(fs_rouge_scorer *r, fs_rouge_prf *out, const tokseq *t, const tokseq *p,
                         size_t n)
{
    size_t nt = t->count >= n ? t->count - n + 1 : 0;
    size_t np = p->count >= n ? p->count - n + 1 : 0;
    size_t need = 16, overlap = 0;
    while (need < nt * 2) {
        need *= 2;
    }
    if (!reserve_keys(r, need)) {
        return false;
    }
    for (size_t i = 0; i < nt; i++) {
        uint64_t key = ngram_key(t->ids, i, n);
        size_t pos = key_slot(r, key);
        r->kcnt[pos] = r->kgen[pos] == r->key_gen ? r->kcnt[pos] + 1 : 1;
        r->kgen[pos] = r->key_gen;
        r->keys[pos] = key;
    }
    for (size_t i = 0; i < np; i++) {
        size_t pos = key_slot(r, ngram_key(p->ids, i, n));
        if (r->kgen[pos] == r->key_gen && r->kcnt[pos] > 0) {
            r->kcnt[pos]--;
            overlap++;
        }
    }
    set_prf(out, (double)overlap / (double)(np > 0 ? np : 1),
            (double)overlap / (double)(nt > 0 ? nt : 1));
    return true;
}

/* Length of the longest common subsequence, one table row over the shorter text. */
static bool lcs_length(fs_rouge_scorer *r, size_t *out, const uint32_t *a, size_t na,
                       const uint32_t *b, size_t nb)
{
    if (nb > na) {
        const uint32_t *tp = a;
        a = b;
        b = tp;
        size_t tn = na;
        na = nb;
        nb = tn;
    }
    if (!fs_score__reserve((void **)&r->row, &r->row_cap, nb + 1, sizeof *r->row)) {
        return false;
    }
    uint32_t *row = r->row;
    memset(row, 0, (nb + 1) * sizeof *row);
    for (size_t i = 0; i < na; i++) {
        uint32_t diag = 0, x = a[i];
        for (size_t j = 1; j <= nb; j++) {
            uint32_t up = row[j];
            row[j] = x == b[j - 1] ? diag + 1 : (up > row[j - 1] ? up : row[j - 1]);
            diag = up;
        }
    }
    *out = row[nb];
    return true;
}

static bool score_lcs(fs_rouge_scorer *r, fs_rouge_prf *out, const tokseq *t, const tokseq *p)
{
    size_t lcs;
    if (t->count == 0 || p->count == 0) {
        set_prf(out, 0.0, 0.0);
        return true;
    }
    if (!lcs_length(r, &lcs, t->ids, t->count, p->ids, p->count)) {
        return false;
    }
    set_prf(out, (double)lcs / (double)p->count, (double)lcs / (double)t->count);
    return true;
}

/* Mark in r->mark the positions of t that rouge-score's backtrack through the LCS table
 * of (t, c) takes: on a tie it moves up (towards earlier target positions) rather than
 * left, so later matches win. */
static bool lcs_mark(fs_rouge_scorer *r, const uint32_t *t, size_t nt, const uint32_t *c, size_t nc)
{
    size_t w = nc + 1, cells;
    if (!fs_size_mul(&cells, nt + 1, w) ||
        !fs_score__reserve((void **)&r->table, &r->table_cap, cells, sizeof *r->table)) {
        return false;
    }
    uint32_t *m = r->table;
    memset(m, 0, w * sizeof *m);
    for (size_t i = 1; i <= nt; i++) {
        uint32_t *cur = m + i * w, *prev = cur - w;
        cur[0] = 0;
        for (size_t j = 1; j <= nc; j++) {
            cur[j] = t[i - 1] == c[j - 1] ? prev[j - 1] + 1
                                          : (prev[j] > cur[j - 1] ? prev[j] : cur[j - 1]);
        }
    }
    for (size_t i = nt, j = nc; i > 0 && j > 0;) {
        if (t[i - 1] == c[j - 1]) {
            r->mark[i - 1] = 1;
            i--;
            j--;
        } else if (m[i * w + j - 1] > m[(i - 1) * w + j]) {
            j--;
        } else {
            i--;
        }
    }
    return true;
}

/* Hits of one target sentence: its union-LCS tokens against every prediction sentence,
 * each taken while both budgets still hold it. */
static bool lsum_sentence(fs_rouge_scorer *r, size_t *hits, const uint32_t *ts, size_t tl,
                          const tokseq *p)
{
    if (!fs_score__reserve((void **)&r->mark, &r->mark_cap, tl + 1, 1)) {
        return false;
    }
    memset(r->mark, 0, tl);
    for (size_t q = 0; q < p->n_sent; q++) {
        size_t cl = p->sent[q + 1] - p->sent[q];
        if (tl > 0 && cl > 0 && !lcs_mark(r, ts, tl, p->ids + p->sent[q], cl)) {
            return false;
        }
    }
    for (size_t i = 0; i < tl; i++) {
        uint32_t tok = ts[i];
        if (r->mark[i] && r->cnt_b[tok] > 0 && r->cnt_a[tok] > 0) {
            (*hits)++;
            r->cnt_b[tok]--;
            r->cnt_a[tok]--;
        }
    }
    return true;
}

/* ROUGE-Lsum: rouge-score's _summary_level_lcs over the newline-separated sentences. */
static bool score_lsum(fs_rouge_scorer *r, fs_rouge_prf *out, const tokseq *t, const tokseq *p)
{
    size_t hits = 0;
    bool ok = true;
    if (t->n_sent == 0 || p->n_sent == 0 || t->count == 0 || p->count == 0) {
        set_prf(out, 0.0, 0.0);
        return true;
    }
    for (size_t i = 0; i < t->count; i++) {
        r->cnt_a[t->ids[i]]++;
    }
    for (size_t i = 0; i < p->count; i++) {
        r->cnt_b[p->ids[i]]++;
    }
    for (size_t k = 0; k < t->n_sent && ok; k++) {
        ok = lsum_sentence(r, &hits, t->ids + t->sent[k], t->sent[k + 1] - t->sent[k], p);
    }
    for (size_t i = 0; i < t->count; i++) {
        r->cnt_a[t->ids[i]] = 0;
    }
    for (size_t i = 0; i < p->count; i++) {
        r->cnt_b[p->ids[i]] = 0;
    }
    set_prf(out, (double)hits / (double)p->count, (double)hits / (double)t->count);
    return ok;
}

/* The four scores of the prediction in r->pred against the target in r->ref. */
static fs_status score_one(fs_rouge_scorer *r, fs_rouge_item *out, fs_error *err)
{
    if (!reserve_counts(r) || !score_ngrams(r, &out->type[FS_ROUGE_1], &r->ref, &r->pred, 1) ||
        !score_ngrams(r, &out->type[FS_ROUGE_2], &r->ref, &r->pred, 2) ||
        !score_lcs(r, &out->type[FS_ROUGE_L], &r->ref, &r->pred) ||
        !score_lsum(r, &out->type[FS_ROUGE_LSUM], &r->ref, &r->pred)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return FS_OK;
}

static void forget_vocabulary_if_large(fs_rouge_scorer *r)
{
    if (r->tok.count > VOCAB_MAX || r->raw.count > VOCAB_MAX) {
        strtab_clear(&r->tok);
        strtab_clear(&r->raw);
    }
}

fs_status fs_rouge_scorer_score(fs_rouge_scorer *r, fs_rouge_item *out, const char *pred,
                                size_t pred_len, const char *const *refs, const size_t *ref_lens,
                                size_t n_refs, fs_error *err)
{
    fs_rouge_item cur;
    fs_status st;
    memset(out, 0, sizeof *out);
    if (n_refs == 0) {
        return FS_FAIL(err, FS_ERR_INPUT, "rouge: no reference");
    }
    if ((pred == NULL && pred_len > 0) || refs == NULL || ref_lens == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "rouge: NULL text");
    }
    forget_vocabulary_if_large(r);
    st = tokenize(r, &r->pred, pred, pred_len, err);
    for (size_t k = 0; k < n_refs && st == FS_OK; k++) {
        st = refs[k] == NULL && ref_lens[k] > 0
                 ? FS_FAIL(err, FS_ERR_USAGE, "rouge: NULL reference %zu", k)
                 : tokenize(r, &r->ref, refs[k], ref_lens[k], err);
        if (st == FS_OK) {
            st = score_one(r, k == 0 ? out : &cur, err);
        }
        for (size_t t = 0; k > 0 && st == FS_OK && t < FS_ROUGE_N_TYPES; t++) {
            if (cur.type[t].fmeasure > out->type[t].fmeasure) {
                out->type[t] = cur.type[t]; /* the first reference wins ties */
            }
        }
    }
    if (st != FS_OK) {
        memset(out, 0, sizeof *out);
    }
    return st;
}

fs_status fs_rouge_tokenize(fs_rouge_scorer *r, fs_buf *out, const char *text, size_t n,
                            fs_error *err)
{
    if (text == NULL && n > 0) {
        return FS_FAIL(err, FS_ERR_USAGE, "rouge: NULL text");
    }
    forget_vocabulary_if_large(r);
    fs_status st = tokenize(r, &r->ref, text, n, err);
    if (st != FS_OK) {
        return st;
    }
    for (size_t i = 0; i < r->ref.count; i++) {
        const entry *e = &r->tok.entries[r->ref.ids[i]];
        if (i > 0) {
            fs_buf_putc(out, ' ');
        }
        fs_buf_append(out, r->tok.pool.data + e->off, e->len);
    }
    return fs_buf_status(out) == FS_OK ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
}

static bool parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
        *out = false;
        return true;
    }
    return false;
}

fs_status fs_rouge_opts_check(const fs_rouge_opts *opts, fs_error *err)
{
    if (opts->split_summaries) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "split_summaries: true needs NLTK's punkt sentence splitter, which is "
                       "not reproduced; give ROUGE-Lsum one sentence per line instead");
    }
    return FS_OK;
}

fs_status fs_rouge_opts_set(fs_rouge_opts *opts, const char *key, const char *value, fs_error *err)
{
    static const char *const keys[] = { "use_stemmer", "split_summaries" };
    bool v;
    bool *field = strcmp(key, keys[0]) == 0   ? &opts->use_stemmer
                  : strcmp(key, keys[1]) == 0 ? &opts->split_summaries
                                              : NULL;
    if (field == NULL) {
        const char *near = fs_nearest(key, keys, 2);
        return FS_FAIL(err, FS_ERR_CONFIG, "%s: unknown ROUGE option%s%s%s", key,
                       near != NULL ? " (did you mean '" : "", near != NULL ? near : "",
                       near != NULL ? "'?)" : "");
    }
    if (!parse_bool(value, &v)) {
        return FS_FAIL(err, FS_ERR_CONFIG, "%s: expected true or false, got '%s'", key, value);
    }
    *field = v;
    return fs_rouge_opts_check(opts, err);
}

fs_status fs_rouge_scorer_new(fs_rouge_scorer **out, const fs_rouge_opts *opts, fs_error *err)
{
    *out = NULL;
    fs_status st = fs_rouge_opts_check(opts, err);
    if (st != FS_OK) {
        return st;
    }
    fs_rouge_scorer *r = fs_calloc(1, sizeof *r);
    if (r == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    r->opts = *opts;
    fs_buf_init(&r->lower, 0);
    fs_buf_init(&r->stem, 0);
    fs_buf_init(&r->tok.pool, 0);
    fs_buf_init(&r->raw.pool, 0);
    st = fs_text_casemapper_new(&r->cm, err);
    if (st != FS_OK) {
        fs_rouge_scorer_free(r);
        return st;
    }
    *out = r;
    return FS_OK;
}

void fs_rouge_scorer_free(fs_rouge_scorer *r)
{
    if (r == NULL) {
        return;
    }
    fs_text_casemapper_free(r->cm);
    fs_buf_dispose(&r->lower);
    fs_buf_dispose(&r->stem);
    strtab_dispose(&r->tok);
    strtab_dispose(&r->raw);
    fs_free(r->pred.ids);
    fs_free(r->pred.sent);
    fs_free(r->ref.ids);
    fs_free(r->ref.sent);
    fs_free(r->cnt_a);
    fs_free(r->cnt_b);
    fs_free(r->keys);
    fs_free(r->kcnt);
    fs_free(r->kgen);
    fs_free(r->row);
    fs_free(r->table);
    fs_free(r->mark);
    fs_free(r);
}

void fs_rouge_sum_init(fs_rouge_sum *acc)
{
    memset(acc, 0, sizeof *acc);
}

void fs_rouge_sum_add(fs_rouge_sum *acc, const fs_rouge_item *item)
{
    acc->n++;
    for (size_t t = 0; t < FS_ROUGE_N_TYPES; t++) {
        acc->sum.type[t].precision += item->type[t].precision;
        acc->sum.type[t].recall += item->type[t].recall;
        acc->sum.type[t].fmeasure += item->type[t].fmeasure;
    }
}

void fs_rouge_sum_mean(const fs_rouge_sum *acc, fs_rouge_item *out)
{
    double n = acc->n > 0 ? (double)acc->n : NAN;
    for (size_t t = 0; t < FS_ROUGE_N_TYPES; t++) {
        out->type[t].precision = acc->sum.type[t].precision / n;
        out->type[t].recall = acc->sum.type[t].recall / n;
        out->type[t].fmeasure = acc->sum.type[t].fmeasure / n;
    }
}
