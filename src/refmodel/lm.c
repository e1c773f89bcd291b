/* bigram-lm: an interpolated (Jelinek-Mercer) bigram language model over GPT-style
 * tokens: each token is one non-white-space ICU word segment with the white space before
 * it, so a text's tokens concatenate back to it exactly. The model sees case-folded keys,
 * the leading white space collapsed to one space.
 *
 * Training reads the corpus as one stream of tokens and counts unigrams c(w) and bigrams
 * c(v, w). Ids are given in order of first appearance, after id 0, "<unk>". The bigram
 * counts are stored as sorted successor lists per history (CSR), so c(v, w) is a binary
 * search and the most probable successors of v are found by scanning v's list and the
 * unigram ranking, never the whole vocabulary. The model is never written after
 * training, so any number of threads may score and generate with it at once. */
#include "refmodel/lm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TRAIN_FILE_MAX ((size_t)256 << 20)
#define TOP_MAX        32

struct refmodel_lm {
    char **keys;  /* by id; keys[0] is "<unk>" */
    size_t *uni;  /* c(w) */
    size_t *hist; /* c(v) = sum over w of c(v, w) */
    size_t n_ids, cap;
    size_t *table; /* open addressing: id + 1, 0 empty; power-of-two size */
    size_t table_cap;
    size_t n_tokens;
    double lambda;
    size_t *succ_off; /* n_ids + 1 offsets into succ_w / succ_c */
    uint32_t *succ_w; /* successors of each history, ascending */
    size_t *succ_c;
    size_t *ranking; /* ids but "<unk>" by c(w) descending, then id ascending */
};

void refmodel_lm_pieces_init(refmodel_lm_pieces *p)
{
    p->items = NULL;
    p->count = 0;
    p->cap = 0;
    fs_buf_init(&p->keys, 0);
}

void refmodel_lm_pieces_dispose(refmodel_lm_pieces *p)
{
    if (p == NULL) {
        return;
    }
    fs_free(p->items);
    fs_buf_dispose(&p->keys);
    refmodel_lm_pieces_init(p);
}

static bool all_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t at = i;
        fs_text_next_cp(s, n, &i);
        if (!fs_text_classify(s + at, n - at).is_space) {
            return false;
        }
    }
    return true;
}

static size_t count_cps(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += ((unsigned char)s[i] & 0xC0) != 0x80 ? 1 : 0;
    }
    return k;
}

/* Append the token s[start, seg_end) whose segment starts at seg_start. */
static fs_status push_piece(refmodel_lm_pieces *out, fs_text_casemapper *cm, const char *s,
                            size_t start, size_t seg_start, size_t end, size_t cp_start,
                            fs_error *err)
{
    if (out->count == out->cap) {
        size_t cap = out->cap == 0 ? 64 : out->cap * 2, bytes;
        refmodel_lm_piece *p = NULL;
        if (!fs_size_mul(&bytes, cap, sizeof *p) || (p = fs_realloc(out->items, bytes)) == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        out->items = p;
        out->cap = cap;
    }
    refmodel_lm_piece pc = { start, end, out->keys.len, 0, cp_start };
    if (seg_start > start) {
        fs_buf_putc(&out->keys, ' ');
    }
    fs_status st =
        fs_text_casemapper_map(cm, &out->keys, s + seg_start, end - seg_start, FS_CASE_FOLD, err);
    pc.key_len = out->keys.len - pc.key_off;
    fs_buf_putc(&out->keys, '\0');
    if (st == FS_OK && fs_buf_status(&out->keys) != FS_OK) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        out->items[out->count++] = pc;
    }
    return st;
}

fs_status refmodel_lm_split(refmodel_lm_pieces *out, fs_text_segmenter *seg, fs_text_casemapper *cm,
                            const char *s, size_t n, fs_error *err)
{
    const fs_text_span *spans = NULL;
    size_t count = 0, pending = SIZE_MAX, cps = 0, cp_at = 0;
    out->count = 0;
    fs_buf_reset(&out->keys);
    fs_status st = fs_text_segmenter_run(seg, &spans, &count, s, n, err);
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        const fs_text_span *sp = &spans[i];
        if (all_space(s + sp->start, sp->end - sp->start)) {
            pending = pending == SIZE_MAX ? sp->start : pending;
            continue;
        }
        size_t start = pending == SIZE_MAX ? sp->start : pending;
        cps += count_cps(s + cp_at, start - cp_at);
        cp_at = start;
        st = push_piece(out, cm, s, start, sp->start, sp->end, cps, err);
        pending = SIZE_MAX;
    }
    if (st == FS_OK && pending != SIZE_MAX) {
        cps += count_cps(s + cp_at, pending - cp_at);
        st = push_piece(out, cm, s, pending, n, n, cps, err);
    }
    return st;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    }
    return h;
}

/* The table slot holding key[0..n), or the empty slot where it would go. */
static size_t *table_slot(const refmodel_lm *lm, const size_t *table, size_t cap, const char *key,
                          size_t n)
{
    size_t i = (size_t)fnv1a(key, n) & (cap - 1);
    while (table[i] != 0) {
        const char *k = lm->keys[table[i] - 1];
        if (strlen(k) == n && memcmp(k, key, n) == 0) {
            break;
        }
        i = (i + 1) & (cap - 1);
    }
    return (size_t *)&table[i];
}

static fs_status grow(refmodel_lm *lm, fs_error *err)
{
    size_t cap = lm->cap == 0 ? 1024 : lm->cap * 2, tcap = cap * 2, bytes;
    if (!fs_size_mul(&bytes, cap, sizeof(size_t)) || !fs_size_mul(&tcap, cap, 2)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    char **keys = fs_realloc(lm->keys, bytes);
    if (keys == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    lm->keys = keys;
    size_t *uni = fs_realloc(lm->uni, bytes);
    if (uni == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    lm->uni = uni;
    size_t *table = fs_calloc(tcap, sizeof *table);
    if (table == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t id = 0; id < lm->n_ids; id++) {
        const char *k = lm->keys[id];
        *table_slot(lm, table, tcap, k, strlen(k)) = id + 1;
    }
    fs_free(lm->table);
    lm->table = table;
    lm->table_cap = tcap;
    lm->cap = cap;
    return FS_OK;
}

/* Id of key[0..n), added with count 0 when new. */
static fs_status intern(refmodel_lm *lm, const char *key, size_t n, size_t *id_out, fs_error *err)
{
    if (lm->n_ids == lm->cap) {
        fs_status st = grow(lm, err);
        if (st != FS_OK) {
            return st;
        }
    }
    size_t *slot = table_slot(lm, lm->table, lm->table_cap, key, n);
    if (*slot == 0) {
        char *copy = fs_strndup(key, n);
        if (copy == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        lm->keys[lm->n_ids] = copy;
        lm->uni[lm->n_ids] = 0;
        *slot = ++lm->n_ids;
    }
    *id_out = *slot - 1;
    return FS_OK;
}

void refmodel_lm_free(refmodel_lm *lm)
{
    if (lm == NULL) {
        return;
    }
    for (size_t i = 0; i < lm->n_ids; i++) {
        fs_free(lm->keys[i]);
    }
    fs_free(lm->keys);
    fs_free(lm->uni);
    fs_free(lm->hist);
    fs_free(lm->table);
    fs_free(lm->succ_off);
    fs_free(lm->succ_w);
    fs_free(lm->succ_c);
    fs_free(lm->ranking);
    fs_free(lm);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

/* Sort the bigrams (v << 32 | w) and run-length them into the successor lists. */
static fs_status build_successors(refmodel_lm *lm, uint64_t *pairs, size_t n, fs_error *err)
{
    size_t distinct = 0;
    qsort(pairs, n, sizeof *pairs, cmp_u64);
    for (size_t i = 0; i < n; i++) {
        distinct += (i == 0 || pairs[i] != pairs[i - 1]) ? 1 : 0;
    }
    lm->succ_off = fs_calloc(lm->n_ids + 1, sizeof *lm->succ_off);
    lm->hist = fs_calloc(lm->n_ids, sizeof *lm->hist);
    lm->succ_w = fs_calloc(distinct + 1, sizeof *lm->succ_w);
    lm->succ_c = fs_calloc(distinct + 1, sizeof *lm->succ_c);
    if (lm->succ_off == NULL || lm->hist == NULL || lm->succ_w == NULL || lm->succ_c == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t v = (size_t)(pairs[i] >> 32);
        if (i == 0 || pairs[i] != pairs[i - 1]) {
            lm->succ_w[k] = (uint32_t)(pairs[i] & 0xFFFFFFFFu);
            k++;
            lm->succ_off[v + 1]++;
        }
        lm->succ_c[k - 1]++;
        lm->hist[v]++;
    }
    for (size_t v = 0; v < lm->n_ids; v++) {
        lm->succ_off[v + 1] += lm->succ_off[v];
    }
    return FS_OK;
}

typedef struct rank_entry {
    size_t count, id;
} rank_entry;

static int cmp_rank(const void *a, const void *b)
{
    const rank_entry *x = a, *y = b;
    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    return x->id < y->id ? -1 : (x->id > y->id ? 1 : 0);
}

static fs_status build_ranking(refmodel_lm *lm, fs_error *err)
{
    size_t n = lm->n_ids - 1;
    rank_entry *r = fs_calloc(n + 1, sizeof *r);
    lm->ranking = fs_calloc(n + 1, sizeof *lm->ranking);
    if (r == NULL || lm->ranking == NULL) {
        fs_free(r);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        r[i].count = lm->uni[i + 1];
        r[i].id = i + 1;
    }
    qsort(r, n, sizeof *r, cmp_rank);
    for (size_t i = 0; i < n; i++) {
        lm->ranking[i] = r[i].id;
    }
    fs_free(r);
    return FS_OK;
}

/* Count the unigrams of the pieces and record their bigrams in pairs (count - 1). */
static fs_status count_pieces(refmodel_lm *lm, const refmodel_lm_pieces *p, uint64_t *pairs,
                              fs_error *err)
{
    size_t prev = 0;
    for (size_t i = 0; i < p->count; i++) {
        size_t id = 0;
        const refmodel_lm_piece *pc = &p->items[i];
        fs_status st = intern(lm, fs_buf_cstr(&p->keys) + pc->key_off, pc->key_len, &id, err);
        if (st != FS_OK) {
            return st;
        }
        if (id > UINT32_MAX) {
            return FS_FAIL(err, FS_ERR_LIMIT, "bigram-lm: vocabulary too large");
        }
        lm->uni[id]++;
        if (i > 0) {
            pairs[i - 1] = (uint64_t)prev << 32 | (uint64_t)id;
        }
        prev = id;
    }
    lm->n_tokens = p->count;
    return FS_OK;
}

/* Split s and count it into lm, which holds "<unk>" alone. */
static fs_status train_text(refmodel_lm *lm, const char *s, size_t n, fs_error *err)
{
    fs_text_segmenter *seg = NULL;
    fs_text_casemapper *cm = NULL;
    refmodel_lm_pieces p;
    uint64_t *pairs = NULL;
    refmodel_lm_pieces_init(&p);
    fs_status st = fs_text_segmenter_new(&seg, FS_TEXT_WORD, err);
    if (st == FS_OK) {
        st = fs_text_casemapper_new(&cm, err);
    }
    if (st == FS_OK) {
        st = refmodel_lm_split(&p, seg, cm, s, n, err);
    }
    /* A text of white space alone is one token of trailing white space: nothing to learn. */
    if (st == FS_OK && (p.count == 0 || (p.count == 1 && p.items[0].end == n &&
                                         strcmp(fs_buf_cstr(&p.keys), " ") == 0))) {
        st = FS_FAIL(err, FS_ERR_INPUT, "bigram-lm: the training text has no words");
    }
    if (st == FS_OK && (pairs = fs_calloc(p.count, sizeof *pairs)) == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        st = count_pieces(lm, &p, pairs, err);
    }
    if (st == FS_OK) {
        st = build_successors(lm, pairs, p.count - 1, err);
    }
    if (st == FS_OK) {
        st = build_ranking(lm, err);
    }
    fs_free(pairs);
    refmodel_lm_pieces_dispose(&p);
    fs_text_casemapper_free(cm);
    fs_text_segmenter_free(seg);
    return st;
}

fs_status refmodel_lm_train(refmodel_lm **out, const char *s, size_t n, double lambda,
                            fs_error *err)
{
    size_t unk = 0;
    *out = NULL;
    if (!(lambda >= 0.0 && lambda < 1.0)) {
        return FS_FAIL(err, FS_ERR_USAGE, "bigram-lm: lambda must be in [0, 1)");
    }
    refmodel_lm *lm = fs_calloc(1, sizeof *lm);
    if (lm == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    lm->lambda = lambda;
    fs_status st = intern(lm, "<unk>", 5, &unk, err);
    if (st == FS_OK) {
        st = train_text(lm, s, n, err);
    }
    if (st != FS_OK) {
        refmodel_lm_free(lm);
        return st;
    }
    *out = lm;
    return FS_OK;
}

fs_status refmodel_lm_train_file(refmodel_lm **out, const char *path, double lambda, fs_error *err)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    fs_status st = fs_read_file(&text, &len, path, TRAIN_FILE_MAX, err);
    if (st == FS_OK && !fs_text_valid_utf8(text, len)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: not valid UTF-8 text", path);
    }
    if (st == FS_OK) {
        st = refmodel_lm_train(out, text, len, lambda, err);
        if (st != FS_OK && err != NULL) {
            fs_error_prefix(err, "%s", path);
        }
    }
    fs_free(text);
    return st;
}

size_t refmodel_lm_vocab_size(const refmodel_lm *lm)
{
    return lm->n_ids;
}

size_t refmodel_lm_token_count(const refmodel_lm *lm)
{
    return lm->n_tokens;
}

double refmodel_lm_lambda(const refmodel_lm *lm)
{
    return lm->lambda;
}

size_t refmodel_lm_id(const refmodel_lm *lm, const char *key, size_t n)
{
    size_t slot = *table_slot(lm, lm->table, lm->table_cap, key, n);
    return slot == 0 ? REFMODEL_LM_UNK : slot - 1;
}

const char *refmodel_lm_key(const refmodel_lm *lm, size_t id)
{
    return lm->keys[id];
}

/* c(v, w) by binary search in v's successors. */
static size_t bigram_count(const refmodel_lm *lm, size_t v, size_t w)
{
    size_t lo = lm->succ_off[v], hi = lm->succ_off[v + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lm->succ_w[mid] == w) {
            return lm->succ_c[mid];
        }
        if (lm->succ_w[mid] < w) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return 0;
}

static bool has_history(const refmodel_lm *lm, size_t prev)
{
    return prev < lm->n_ids && lm->hist[prev] > 0;
}

double refmodel_lm_logprob(const refmodel_lm *lm, size_t prev, size_t w)
{
    double p_uni = ((double)lm->uni[w] + 1.0) / ((double)lm->n_tokens + (double)lm->n_ids);
    if (!has_history(lm, prev)) {
        return log(p_uni);
    }
    double p_bi = (double)bigram_count(lm, prev, w) / (double)lm->hist[prev];
    return log(lm->lambda * p_bi + (1.0 - lm->lambda) * p_uni);
}

/* Insert (id, lp) into the best-first list of *n entries (at most k). */
static void top_insert(size_t *ids, double *lps, size_t *n, size_t k, size_t id, double lp)
{
    size_t at = *n;
    while (at > 0 && (lp > lps[at - 1] || (lp == lps[at - 1] && id < ids[at - 1]))) {
        at--;
    }
    if (at >= k) {
        return;
    }
    size_t last = *n < k ? *n : k - 1;
    for (size_t i = last; i > at; i--) {
        ids[i] = ids[i - 1];
        lps[i] = lps[i - 1];
    }
    ids[at] = id;
    lps[at] = lp;
    *n = *n < k ? *n + 1 : k;
}

size_t refmodel_lm_top(const refmodel_lm *lm, size_t prev, size_t k, size_t *ids_out,
                       double *logp_out)
{
    size_t n = 0, others = 0;
    k = k > TOP_MAX ? TOP_MAX : k;
    if (k == 0) {
        return 0;
    }
    bool hist = has_history(lm, prev);
    if (hist) {
        for (size_t i = lm->succ_off[prev]; i < lm->succ_off[prev + 1]; i++) {
            top_insert(ids_out, logp_out, &n, k, lm->succ_w[i],
                       refmodel_lm_logprob(lm, prev, lm->succ_w[i]));
        }
    }
    /* Tokens that never followed prev rank as their unigram counts do: the first k of
     * them in the unigram ranking are the only ones that can make the list. */
    for (size_t r = 0; r + 1 < lm->n_ids && others < k; r++) {
        size_t w = lm->ranking[r];
        if (!hist || bigram_count(lm, prev, w) == 0) {
            top_insert(ids_out, logp_out, &n, k, w, refmodel_lm_logprob(lm, prev, w));
            others++;
        }
    }
    return n;
}
