/* Multinomial naive Bayes over case-folded ICU word tokens, the model behind
 * "nb-sentiment". Training counts, per class, the documents and the occurrences of every
 * word; classification computes Laplace-smoothed log probabilities from those counts on
 * the fly and keeps no cache, so a trained model is never written again and any number
 * of threads may classify with it at once.
 *
 * The vocabulary is an open-addressing hash table (FNV-1a, linear probing, at most half
 * full). Each entry keeps one counter per class known when the entry was last counted;
 * a class added later reads as zero until counted. */
#include "refmodel/nb.h"

#include <math.h>
#include <string.h>

#include "core/json.h"

#define TRAIN_FILE_MAX ((size_t)1 << 30)

typedef struct word_entry {
    char *word; /* NULL: empty slot */
    size_t *counts;
    size_t ncounts;
} word_entry;

struct refmodel_nb {
    char **labels;
    size_t *class_docs;
    size_t *class_tokens;
    size_t n_classes;
    size_t docs;
    word_entry *table;
    size_t table_cap; /* power of two */
    size_t vocab;
};

void refmodel_tokens_init(refmodel_tokens *t)
{
    t->items = NULL;
    t->count = 0;
    t->cap = 0;
}

void refmodel_tokens_dispose(refmodel_tokens *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->count; i++) {
        fs_free(t->items[i]);
    }
    fs_free(t->items);
    refmodel_tokens_init(t);
}

static fs_status tokens_push(refmodel_tokens *t, const char *s, size_t n, fs_error *err)
{
    if (t->count == t->cap) {
        size_t cap = t->cap == 0 ? 16 : t->cap * 2, bytes;
        char **items = NULL;
        if (!fs_size_mul(&bytes, cap, sizeof *items) ||
            (items = fs_realloc(t->items, bytes)) == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        t->items = items;
        t->cap = cap;
    }
    char *copy = fs_strndup(s, n);
    if (copy == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    t->items[t->count++] = copy;
    return FS_OK;
}

fs_status refmodel_tokenize(refmodel_tokens *out, fs_text_segmenter *seg, const char *s, size_t n,
                            fs_error *err)
{
    fs_buf folded;
    const fs_text_span *spans = NULL;
    size_t count = 0;
    fs_buf_init(&folded, 0);
    /* Folding first and segmenting the folded text costs one ICU call of each kind per
     * text instead of one case mapping per word. */
    fs_status st = fs_text_case_map(&folded, s, n, FS_CASE_FOLD, err);
    if (st != FS_OK) {
        goto done;
    }
    st = fs_text_segmenter_run(seg, &spans, &count, fs_buf_cstr(&folded), folded.len, err);
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        if (spans[i].kind != 0) {
            st = tokens_push(out, fs_buf_cstr(&folded) + spans[i].start,
                             spans[i].end - spans[i].start, err);
        }
    }
done:
    fs_buf_dispose(&folded);
    return st;
}

fs_status refmodel_nb_new(refmodel_nb **out, fs_error *err)
{
    *out = fs_calloc(1, sizeof **out);
    if (*out == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return FS_OK;
}

void refmodel_nb_free(refmodel_nb *nb)
{
    if (nb == NULL) {
        return;
    }
    for (size_t i = 0; i < nb->n_classes; i++) {
        fs_free(nb->labels[i]);
    }
    for (size_t i = 0; i < nb->table_cap; i++) {
        fs_free(nb->table[i].word);
        fs_free(nb->table[i].counts);
    }
    fs_free(nb->labels);
    fs_free(nb->class_docs);
    fs_free(nb->class_tokens);
    fs_free(nb->table);
    fs_free(nb);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        h = (h ^ *p) * 0x100000001b3u;
    }
    return h;
}

/* The slot holding word, or the empty slot where it would go. */
static word_entry *table_slot(const word_entry *table, size_t cap, const char *word)
{
    size_t i = (size_t)fnv1a(word) & (cap - 1);
    while (table[i].word != NULL && strcmp(table[i].word, word) != 0) {
        i = (i + 1) & (cap - 1);
    }
    return (word_entry *)&table[i];
}

static fs_status table_grow(refmodel_nb *nb, fs_error *err)
{
    size_t cap = nb->table_cap == 0 ? 256 : nb->table_cap * 2;
    word_entry *table = fs_calloc(cap, sizeof *table);
    if (table == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < nb->table_cap; i++) {
        if (nb->table[i].word != NULL) {
            *table_slot(table, cap, nb->table[i].word) = nb->table[i];
        }
    }
    fs_free(nb->table);
    nb->table = table;
    nb->table_cap = cap;
    return FS_OK;
}

static fs_status grow_sizes(size_t **arr, size_t n, fs_error *err)
{
    size_t bytes;
    size_t *p = NULL;
    if (!fs_size_mul(&bytes, n, sizeof *p) || (p = fs_realloc(*arr, bytes)) == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p[n - 1] = 0;
    *arr = p;
    return FS_OK;
}

/* Index of label, adding the class when it is new. */
static fs_status class_index(refmodel_nb *nb, const char *label, size_t *out, fs_error *err)
{
    for (size_t i = 0; i < nb->n_classes; i++) {
        if (strcmp(nb->labels[i], label) == 0) {
            *out = i;
            return FS_OK;
        }
    }
    size_t n = nb->n_classes + 1, bytes;
    char **labels = NULL;
    if (!fs_size_mul(&bytes, n, sizeof *labels) ||
        (labels = fs_realloc(nb->labels, bytes)) == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    nb->labels = labels;
    fs_status st = grow_sizes(&nb->class_docs, n, err);
    if (st == FS_OK) {
        st = grow_sizes(&nb->class_tokens, n, err);
    }
    if (st == FS_OK && (labels[n - 1] = fs_strdup(label)) == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        nb->n_classes = n;
        *out = n - 1;
    }
    return st;
}

static fs_status count_word(refmodel_nb *nb, const char *word, size_t c, fs_error *err)
{
    if ((nb->vocab + 1) * 2 > nb->table_cap) {
        fs_status st = table_grow(nb, err);
        if (st != FS_OK) {
            return st;
        }
    }
    word_entry *e = table_slot(nb->table, nb->table_cap, word);
    if (e->word == NULL) {
        if ((e->word = fs_strdup(word)) == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        nb->vocab++;
    }
    if (c >= e->ncounts) {
        size_t bytes;
        size_t *counts = NULL;
        if (!fs_size_mul(&bytes, nb->n_classes, sizeof *counts) ||
            (counts = fs_realloc(e->counts, bytes)) == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        memset(counts + e->ncounts, 0, (nb->n_classes - e->ncounts) * sizeof *counts);
        e->counts = counts;
        e->ncounts = nb->n_classes;
    }
    e->counts[c]++;
    nb->class_tokens[c]++;
    return FS_OK;
}

fs_status refmodel_nb_add(refmodel_nb *nb, const refmodel_tokens *tokens, const char *label,
                          fs_error *err)
{
    size_t c = 0;
    fs_status st = class_index(nb, label, &c, err);
    for (size_t i = 0; st == FS_OK && i < tokens->count; i++) {
        st = count_word(nb, tokens->items[i], c, err);
    }
    if (st == FS_OK) {
        nb->class_docs[c]++;
        nb->docs++;
    }
    return st;
}

size_t refmodel_nb_classify(const refmodel_nb *nb, const refmodel_tokens *tokens, double *logp_out)
{
    size_t best = 0;
    double best_lp = -INFINITY;
    for (size_t c = 0; c < nb->n_classes; c++) {
        double lp = log((double)nb->class_docs[c] / (double)nb->docs);
        double denom = log((double)nb->class_tokens[c] + (double)nb->vocab);
        for (size_t i = 0; i < tokens->count && nb->table_cap > 0; i++) {
            const word_entry *e = table_slot(nb->table, nb->table_cap, tokens->items[i]);
            if (e->word != NULL) {
                size_t k = c < e->ncounts ? e->counts[c] : 0;
                lp += log((double)k + 1.0) - denom;
            }
        }
        if (logp_out != NULL) {
            logp_out[c] = lp;
        }
        if (lp > best_lp) {
            best_lp = lp;
            best = c;
        }
    }
    return best;
}

size_t refmodel_nb_class_count(const refmodel_nb *nb)
{
    return nb->n_classes;
}

size_t refmodel_nb_doc_count(const refmodel_nb *nb)
{
    return nb->docs;
}

size_t refmodel_nb_vocab_size(const refmodel_nb *nb)
{
    return nb->vocab;
}

const char *refmodel_nb_label(const refmodel_nb *nb, size_t i)
{
    return nb->labels[i];
}

/* Count the document on one line (line_no counts from 1, for messages). */
static fs_status train_line(refmodel_nb *nb, fs_text_segmenter *seg, const char *path,
                            size_t line_no, const char *line, size_t n, fs_error *err)
{
    cJSON *doc = NULL;
    refmodel_tokens toks;
    refmodel_tokens_init(&toks);
    fs_status st = fs_json__parse(&doc, line, n, path, NULL);
    if (st != FS_OK) {
        st = FS_FAIL(err, st, "%s:%zu: invalid JSON", path, line_no);
        goto done;
    }
    const char *text = fs_json__str(doc, "text");
    const char *label = fs_json__str(doc, "label");
    if (text == NULL || label == NULL || label[0] == '\0') {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s:%zu: %s: missing or not a non-empty string", path,
                     line_no, text == NULL ? "text" : "label");
        goto done;
    }
    st = refmodel_tokenize(&toks, seg, text, strlen(text), err);
    if (st == FS_OK) {
        st = refmodel_nb_add(nb, &toks, label, err);
    }
done:
    refmodel_tokens_dispose(&toks);
    cJSON_Delete(doc);
    return st;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
            return false;
        }
    }
    return true;
}

static fs_status train_text(refmodel_nb *nb, const char *path, const char *text, size_t len,
                            fs_error *err)
{
    fs_text_segmenter *seg = NULL;
    fs_status st = fs_text_segmenter_new(&seg, FS_TEXT_WORD, err);
    size_t line_no = 0;
    for (size_t pos = 0; st == FS_OK && pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        line_no++;
        if (!blank(text + pos, end - pos)) {
            st = train_line(nb, seg, path, line_no, text + pos, end - pos, err);
        }
        pos = end + 1;
    }
    if (st == FS_OK && nb->docs == 0) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: no training documents", path);
    }
    fs_text_segmenter_free(seg);
    return st;
}

fs_status refmodel_nb_train_file(refmodel_nb **out, const char *path, fs_error *err)
{
    char *text = NULL;
    size_t len = 0;
    refmodel_nb *nb = NULL;
    *out = NULL;
    fs_status st = fs_read_file(&text, &len, path, TRAIN_FILE_MAX, err);
    if (st == FS_OK) {
        st = refmodel_nb_new(&nb, err);
    }
    if (st == FS_OK) {
        st = train_text(nb, path, text, len, err);
    }
    if (st == FS_OK) {
        *out = nb;
        nb = NULL;
    }
    refmodel_nb_free(nb);
    fs_free(text);
    return st;
}
