/* overlap-qa, a classic sliding-window extractive QA baseline. The question's content
 * words (case-folded ICU words that are not stop words; the stop words come from a data
 * file) are matched against each sentence of the context (ICU sentence boundaries).
 * Candidate answers are runs of at most `window` consecutive words inside one sentence
 * that say something the question does not: no stop word, no question word, and no
 * punctuation other than a hyphen between two of their words. A candidate scores the
 * number of distinct question words its sentence holds; ties go to the candidate nearest
 * (in words) to a question word of its sentence, then to the earliest one. The answer is
 * the candidate's text exactly as it appears in the context.
 *
 * The stop-word list is a sorted array of case-folded words, searched with bsearch; it
 * is never written after loading, so any number of threads may answer at once. Each
 * answer owns its ICU segmenters and case mapper. */
#include "refmodel/qa.h"

#include <stdlib.h>
#include <string.h>

#include "refmodel/request.h"

#define STOPWORDS_FILE_MAX ((size_t)16 << 20)

struct refmodel_qa {
    char **words; /* sorted, distinct */
    size_t count;
    unsigned window;
};

/* One word of a question or a sentence: where it is and its case-folded form. */
typedef struct qa_word {
    size_t start, end;         /* bytes in the text it came from */
    size_t fold_off, fold_len; /* in qa_list.folds */
    bool stop, in_question;
    bool gap_before; /* punctuation (other than '-') since the previous word */
} qa_word;

typedef struct qa_list {
    qa_word *items;
    size_t count, cap;
    fs_buf folds;
} qa_list;

/* The per-answer tools and lists. */
typedef struct qa_work {
    const refmodel_qa *qa;
    fs_text_segmenter *words, *sentences;
    fs_text_casemapper *cm;
    qa_list question, sentence;
} qa_work;

/* The best candidate so far. */
typedef struct qa_best {
    size_t overlap, distance;
    size_t start, end; /* bytes in the context */
} qa_best;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static fs_status push_word(refmodel_qa *qa, size_t *cap, const char *w, size_t n, fs_error *err)
{
    fs_buf folded;
    fs_buf_init(&folded, 0);
    fs_status st = fs_text_case_map(&folded, w, n, FS_CASE_FOLD, err);
    if (st == FS_OK && qa->count == *cap) {
        size_t ncap = *cap == 0 ? 256 : *cap * 2, bytes;
        char **p = NULL;
        if (!fs_size_mul(&bytes, ncap, sizeof *p) || (p = fs_realloc(qa->words, bytes)) == NULL) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        } else {
            qa->words = p;
            *cap = ncap;
        }
    }
    if (st == FS_OK) {
        qa->words[qa->count] = fs_buf_take(&folded, NULL);
        st = qa->words[qa->count] != NULL ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        qa->count += st == FS_OK ? 1 : 0;
    }
    fs_buf_dispose(&folded);
    return st;
}

static bool ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static fs_status load_stopwords(refmodel_qa *qa, const char *path, const char *text, size_t len,
                                fs_error *err)
{
    size_t cap = 0, line_no = 0;
    fs_status st = FS_OK;
    if (!fs_text_valid_utf8(text, len)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: not valid UTF-8 text", path);
    }
    for (size_t pos = 0; st == FS_OK && pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len, a = pos, b = end;
        line_no++;
        while (a < b && ascii_space(text[a])) {
            a++;
        }
        while (b > a && ascii_space(text[b - 1])) {
            b--;
        }
        if (a < b && text[a] != '#') {
            st = push_word(qa, &cap, text + a, b - a, err);
        }
        pos = end + 1;
    }
    if (st == FS_OK && qa->count == 0) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s:%zu: no stop words", path, line_no);
    }
    if (st == FS_OK) {
        qsort(qa->words, qa->count, sizeof *qa->words, cmp_str);
        size_t kept = 0;
        for (size_t i = 0; i < qa->count; i++) {
            if (kept > 0 && strcmp(qa->words[kept - 1], qa->words[i]) == 0) {
                fs_free(qa->words[i]);
            } else {
                qa->words[kept++] = qa->words[i];
            }
        }
        qa->count = kept;
    }
    return st;
}

fs_status refmodel_qa_new(refmodel_qa **out, const char *stopwords_path, unsigned window,
                          fs_error *err)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    refmodel_qa *qa = fs_calloc(1, sizeof *qa);
    if (qa == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    qa->window = window > 0 ? window : 1;
    fs_status st = fs_read_file(&text, &len, stopwords_path, STOPWORDS_FILE_MAX, err);
    if (st == FS_OK) {
        st = load_stopwords(qa, stopwords_path, text, len, err);
    }
    fs_free(text);
    if (st != FS_OK) {
        refmodel_qa_free(qa);
        return st;
    }
    *out = qa;
    return FS_OK;
}

void refmodel_qa_free(refmodel_qa *qa)
{
    if (qa == NULL) {
        return;
    }
    for (size_t i = 0; i < qa->count; i++) {
        fs_free(qa->words[i]);
    }
    fs_free(qa->words);
    fs_free(qa);
}

size_t refmodel_qa_stopword_count(const refmodel_qa *qa)
{
    return qa->count;
}

bool refmodel_qa_is_stopword(const refmodel_qa *qa, const char *w, size_t n)
{
    size_t lo = 0, hi = qa->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *s = qa->words[mid];
        size_t sl = strlen(s);
        int c = memcmp(s, w, sl < n ? sl : n);
        if (c == 0) {
            c = sl < n ? -1 : (sl > n ? 1 : 0);
        }
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

static const char *fold_of(const qa_list *l, const qa_word *w)
{
    return fs_buf_cstr(&l->folds) + w->fold_off;
}

static bool in_list(const qa_list *l, const char *w, size_t n)
{
    for (size_t i = 0; i < l->count; i++) {
        if (l->items[i].fold_len == n && memcmp(fold_of(l, &l->items[i]), w, n) == 0) {
            return true;
        }
    }
    return false;
}

/* true when the segment s[0..n) between two words is only white space or hyphens. */
static bool soft_gap(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t at = i;
        uint32_t cp = fs_text_next_cp(s, n, &i);
        if (cp != '-' && !fs_text_classify(s + at, n - at).is_space) {
            return false;
        }
    }
    return true;
}

static fs_status list_push(qa_list *l, qa_word w, fs_error *err)
{
    if (l->count == l->cap) {
        size_t cap = l->cap == 0 ? 64 : l->cap * 2, bytes;
        qa_word *p = NULL;
        if (!fs_size_mul(&bytes, cap, sizeof *p) || (p = fs_realloc(l->items, bytes)) == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        l->items = p;
        l->cap = cap;
    }
    l->items[l->count++] = w;
    return FS_OK;
}

/* Fill l with the words of s[0..n), offsets shifted by base. With question set, only the
 * content words are kept, once each. */
static fs_status collect(qa_work *w, qa_list *l, const char *s, size_t n, size_t base,
                         bool question, fs_error *err)
{
    const fs_text_span *spans = NULL;
    size_t count = 0;
    bool gap = false;
    l->count = 0;
    fs_buf_reset(&l->folds);
    fs_status st = fs_text_segmenter_run(w->words, &spans, &count, s, n, err);
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        const fs_text_span *sp = &spans[i];
        if (sp->kind == 0) {
            gap = gap || !soft_gap(s + sp->start, sp->end - sp->start);
            continue;
        }
        qa_word word = { base + sp->start, base + sp->end, l->folds.len, 0, false, false, gap };
        st = fs_text_casemapper_map(w->cm, &l->folds, s + sp->start, sp->end - sp->start,
                                    FS_CASE_FOLD, err);
        if (st == FS_OK && fs_buf_status(&l->folds) != FS_OK) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        if (st != FS_OK) {
            break;
        }
        word.fold_len = l->folds.len - word.fold_off;
        const char *f = fs_buf_cstr(&l->folds) + word.fold_off;
        word.stop = refmodel_qa_is_stopword(w->qa, f, word.fold_len);
        word.in_question = !question && in_list(&w->question, f, word.fold_len);
        gap = false;
        if (!question || (!word.stop && !in_list(l, f, word.fold_len))) {
            st = list_push(l, word, err);
        }
    }
    return st;
}

/* Distinct question words present in the sentence. */
static size_t overlap(const qa_work *w)
{
    size_t n = 0;
    for (size_t q = 0; q < w->question.count; q++) {
        const qa_word *qw = &w->question.items[q];
        if (in_list(&w->sentence, fold_of(&w->question, qw), qw->fold_len)) {
            n++;
        }
    }
    return n;
}

/* Words between the candidate [a, b] and the nearest question word of the sentence. */
static size_t distance(const qa_list *l, size_t a, size_t b)
{
    size_t best = SIZE_MAX;
    for (size_t j = 0; j < l->count; j++) {
        if (l->items[j].in_question) {
            size_t d = j < a ? a - j : j - b;
            best = d < best ? d : best;
        }
    }
    return best;
}

static bool candidate_word(const qa_word *w)
{
    return !w->stop && !w->in_question;
}

/* Score every candidate of the current sentence against best. */
static void score_sentence(const qa_work *w, qa_best *best)
{
    const qa_list *l = &w->sentence;
    size_t ov = overlap(w);
    if (ov == 0 || ov < best->overlap) {
        return;
    }
    for (size_t a = 0; a < l->count;) {
        if (!candidate_word(&l->items[a])) {
            a++;
            continue;
        }
        size_t b = a;
        while (b + 1 < l->count && b + 1 - a < w->qa->window && candidate_word(&l->items[b + 1]) &&
               !l->items[b + 1].gap_before) {
            b++;
        }
        size_t d = distance(l, a, b);
        if (ov > best->overlap || d < best->distance) {
            best->overlap = ov;
            best->distance = d;
            best->start = l->items[a].start;
            best->end = l->items[b].end;
        }
        a = b + 1;
    }
}

/* Byte offset of the first line of prompt starting with prefix, or n. */
static size_t line_with(const char *prompt, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    for (size_t line = 0; line < n;) {
        const char *nl = memchr(prompt + line, '\n', n - line);
        if (n - line >= k && memcmp(prompt + line, prefix, k) == 0) {
            return line;
        }
        line = nl != NULL ? (size_t)(nl - prompt) + 1 : n;
    }
    return n;
}

/* The context and the question of a prompt. */
static void split_prompt(const char *prompt, size_t n, fs_str *context, fs_str *question)
{
    static const char *const ctx_start[] = { "Context:", NULL };
    static const char *const ctx_end[] = { "Question:", NULL };
    static const char *const q_start[] = { "Question:", NULL };
    static const char *const q_end[] = { "Answer:", NULL };
    bool found = false;
    *question = refmodel_section(prompt, n, q_start, q_end, NULL);
    *context = refmodel_section(prompt, n, ctx_start, ctx_end, &found);
    if (!found) {
        size_t start = 0, end = line_with(prompt, n, "Question:");
        while (start < end && ascii_space(prompt[start])) {
            start++;
        }
        while (end > start && ascii_space(prompt[end - 1])) {
            end--;
        }
        context->ptr = prompt + start;
        context->len = end - start;
    }
}

static void work_dispose(qa_work *w)
{
    fs_text_segmenter_free(w->words);
    fs_text_segmenter_free(w->sentences);
    fs_text_casemapper_free(w->cm);
    fs_free(w->question.items);
    fs_free(w->sentence.items);
    fs_buf_dispose(&w->question.folds);
    fs_buf_dispose(&w->sentence.folds);
}

fs_status refmodel_qa_answer(const refmodel_qa *qa, const char *prompt, size_t n, fs_str *out,
                             fs_error *err)
{
    qa_work w;
    fs_str context, question;
    const fs_text_span *sents = NULL;
    size_t n_sents = 0;
    qa_best best = { 0, SIZE_MAX, 0, 0 };
    memset(&w, 0, sizeof w);
    w.qa = qa;
    fs_buf_init(&w.question.folds, 0);
    fs_buf_init(&w.sentence.folds, 0);
    split_prompt(prompt, n, &context, &question);
    fs_status st = fs_text_segmenter_new(&w.words, FS_TEXT_WORD, err);
    if (st == FS_OK) {
        st = fs_text_segmenter_new(&w.sentences, FS_TEXT_SENTENCE, err);
    }
    if (st == FS_OK) {
        st = fs_text_casemapper_new(&w.cm, err);
    }
    if (st == FS_OK) {
        st = collect(&w, &w.question, question.ptr, question.len, 0, true, err);
    }
    if (st == FS_OK) {
        st = fs_text_segmenter_run(w.sentences, &sents, &n_sents, context.ptr, context.len, err);
    }
    for (size_t i = 0; st == FS_OK && i < n_sents; i++) {
        st = collect(&w, &w.sentence, context.ptr + sents[i].start, sents[i].end - sents[i].start,
                     sents[i].start, false, err);
        if (st == FS_OK) {
            score_sentence(&w, &best);
        }
    }
    if (st == FS_OK) {
        out->ptr = context.ptr + best.start;
        out->len = best.end - best.start;
    }
    work_dispose(&w);
    return st;
}
