/* The five models of fairshake-refmodel, loaded together at start-up and served side by
 * side: a request's "model" picks one, a request without "model" gets nb-sentiment.
 * Every answer builds its own ICU segmenters and case mappers, so the models themselves
 * stay read-only and shared by all connection threads (pii-identifier lends each answer a
 * detector of its own from a locked pool). Usage counts are the same for every model:
 * prompt_tokens is the number of word tokens (refmodel_tokenize) of the prompt,
 * completion_tokens that of the answer (nb-sentiment: 1, the label; bigram-lm: its
 * generated tokens). */
#include "refmodel/models.h"

#include <string.h>

#include "refmodel/lead.h"

#define GEN_MAX 2048

static const char *const model_names[REFMODEL_N_MODELS] = {
    "nb-sentiment", "overlap-qa", "lead-summarizer", "bigram-lm", "pii-identifier",
};

const char *const *refmodel_model_names(void)
{
    return model_names;
}

int refmodel_model_find(const char *name)
{
    if (name == NULL) {
        return REFMODEL_NB;
    }
    for (int i = 0; i < REFMODEL_N_MODELS; i++) {
        if (strcmp(name, model_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

void refmodel_models_init(refmodel_models *m)
{
    m->nb = NULL;
    m->qa = NULL;
    m->lm = NULL;
    m->ident = NULL;
    m->lead_k = 3;
    m->gen_max = GEN_MAX;
}

void refmodel_models_dispose(refmodel_models *m)
{
    if (m == NULL) {
        return;
    }
    refmodel_nb_free(m->nb);
    refmodel_qa_free(m->qa);
    refmodel_lm_free(m->lm);
    refmodel_ident_free(m->ident);
    refmodel_models_init(m);
}

fs_status refmodel_models_load(refmodel_models *out, const refmodel_opts *opts, fs_error *err)
{
    refmodel_models m;
    refmodel_models_init(&m);
    m.lead_k = opts->lead_k;
    const char *nb_path =
        opts->train_path != NULL ? opts->train_path : refmodel_default_train_path();
    const char *sw_path = opts->qa_stopwords_path != NULL ? opts->qa_stopwords_path
                                                          : refmodel_default_stopwords_path();
    const char *lm_path =
        opts->lm_train_path != NULL ? opts->lm_train_path : refmodel_default_lm_train_path();
    const char *ident_dir =
        opts->ident_data_dir != NULL ? opts->ident_data_dir : refmodel_default_data_dir();
    const char *ident_cats =
        opts->ident_categories != NULL ? opts->ident_categories : REFMODEL_IDENT_DEFAULT_CATEGORIES;
    fs_status st = refmodel_nb_train_file(&m.nb, nb_path, err);
    if (st == FS_OK) {
        st = refmodel_qa_new(&m.qa, sw_path, opts->qa_window, err);
    }
    if (st == FS_OK) {
        st = refmodel_lm_train_file(&m.lm, lm_path, opts->lm_lambda, err);
    }
    if (st == FS_OK) {
        st = refmodel_ident_new(&m.ident, ident_dir, ident_cats, opts->ident_fence, err);
    }
    if (st != FS_OK) {
        refmodel_models_dispose(&m);
        return st;
    }
    *out = m;
    return FS_OK;
}

/* Number of word tokens of s[0..n). */
static fs_status word_count(fs_text_segmenter *seg, const char *s, size_t n, size_t *out,
                            fs_error *err)
{
    refmodel_tokens toks;
    refmodel_tokens_init(&toks);
    fs_status st = refmodel_tokenize(&toks, seg, s, n, err);
    *out = toks.count;
    refmodel_tokens_dispose(&toks);
    return st;
}

/* The pii-identifier completion of req: the JSON list of items as the answer. */
static fs_status ident_respond(fs_buf *out, const refmodel_models *m, fs_text_segmenter *words,
                               refmodel_api api, const refmodel_request *req, uint64_t seq,
                               int64_t created, size_t prompt_tokens, fs_error *err)
{
    size_t answer_tokens = 0;
    fs_buf answer;
    fs_buf_init(&answer, 0);
    fs_status st = refmodel_ident_answer(m->ident, &answer, req->prompt, req->prompt_len, err);
    if (st == FS_OK) {
        st = word_count(words, fs_buf_cstr(&answer), answer.len, &answer_tokens, err);
    }
    if (st == FS_OK) {
        refmodel_response_json(out, api, seq, created, model_names[REFMODEL_IDENT],
                               fs_buf_cstr(&answer), prompt_tokens, answer_tokens);
    }
    fs_buf_dispose(&answer);
    return st;
}

/* The answer of nb-sentiment, overlap-qa or lead-summarizer, as a view or a label. */
static fs_status text_answer(const refmodel_models *m, refmodel_model which,
                             fs_text_segmenter *words, const refmodel_request *req, fs_str *out,
                             fs_error *err)
{
    fs_text_segmenter *sentences = NULL;
    refmodel_tokens toks;
    fs_status st = FS_OK;
    refmodel_tokens_init(&toks);
    if (which == REFMODEL_NB) {
        fs_str input = refmodel_input_text(req->prompt, req->prompt_len);
        st = refmodel_tokenize(&toks, words, input.ptr, input.len, err);
        if (st == FS_OK) {
            out->ptr = refmodel_nb_label(m->nb, refmodel_nb_classify(m->nb, &toks, NULL));
            out->len = strlen(out->ptr);
        }
    } else if (which == REFMODEL_QA) {
        st = refmodel_qa_answer(m->qa, req->prompt, req->prompt_len, out, err);
    } else {
        size_t k = req->lead_k > 0 ? (size_t)req->lead_k : m->lead_k;
        st = fs_text_segmenter_new(&sentences, FS_TEXT_SENTENCE, err);
        if (st == FS_OK) {
            st = refmodel_lead_summary(sentences, req->prompt, req->prompt_len, k, out, err);
        }
    }
    fs_text_segmenter_free(sentences);
    refmodel_tokens_dispose(&toks);
    return st;
}

fs_status refmodel_models_respond(fs_buf *out, const refmodel_models *m, refmodel_model which,
                                  refmodel_api api, const refmodel_request *req, uint64_t seq,
                                  int64_t created, fs_error *err)
{
    fs_text_segmenter *words = NULL;
    char *answer = NULL;
    size_t prompt_tokens = 0, answer_tokens = 1;
    fs_str text = { "", 0 };
    fs_status st = fs_text_segmenter_new(&words, FS_TEXT_WORD, err);
    if (st == FS_OK) {
        st = word_count(words, req->prompt, req->prompt_len, &prompt_tokens, err);
    }
    if (st == FS_OK && which == REFMODEL_LM) {
        st =
            refmodel_lm_respond(out, m->lm, m->gen_max, api, req, seq, created, prompt_tokens, err);
        goto done;
    }
    if (st == FS_OK && which == REFMODEL_IDENT) {
        st = ident_respond(out, m, words, api, req, seq, created, prompt_tokens, err);
        goto done;
    }
    if (st == FS_OK) {
        st = text_answer(m, which, words, req, &text, err);
    }
    if (st == FS_OK && which != REFMODEL_NB) {
        st = word_count(words, text.ptr, text.len, &answer_tokens, err);
    }
    if (st == FS_OK && (answer = fs_strndup(text.ptr, text.len)) == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        refmodel_response_json(out, api, seq, created, model_names[which], answer, prompt_tokens,
                               answer_tokens);
    }
done:
    fs_free(answer);
    fs_text_segmenter_free(words);
    return st;
}
