#ifndef FS_REFMODEL_LM_H
#define FS_REFMODEL_LM_H
/* bigram-lm: the interpolated bigram language model of the reference model server. */
#include "fairshake/core.h"

/** Id of the unknown-word token "<unk>"; every other id is a training token. */
#define REFMODEL_LM_UNK ((size_t)0)
/** "No previous token" for refmodel_lm_logprob(): the unigram distribution alone. */
#define REFMODEL_LM_NONE SIZE_MAX

/** One token of a text: its bytes [start, end) hold the white space before it and one
 *  non-white-space ICU word segment (or, for the last token only, trailing white space
 *  alone), so the tokens of a text concatenate back to it. The model's key of the token
 *  is its segment case-folded, preceded by one space when the token has leading white
 *  space; key_off/key_len locate it in refmodel_lm_pieces.keys. */
typedef struct refmodel_lm_piece {
    size_t start, end;
    size_t key_off, key_len;
    size_t cp_start; /* code points before start */
} refmodel_lm_piece;

/** The tokens of a text. */
typedef struct refmodel_lm_pieces {
    refmodel_lm_piece *items;
    size_t count, cap;
    fs_buf keys; /* the keys, each followed by a NUL */
} refmodel_lm_pieces;

/** Initialise an empty list. */
void refmodel_lm_pieces_init(refmodel_lm_pieces *p);
/** Free the list; leaves it empty and reusable. Accepts NULL. */
void refmodel_lm_pieces_dispose(refmodel_lm_pieces *p);

/** Split s[0..n) into tokens, replacing the contents of out. seg: borrows a FS_TEXT_WORD
 *  segmenter; cm: borrows a case mapper (one of each per thread). */
fs_status refmodel_lm_split(refmodel_lm_pieces *out, fs_text_segmenter *seg, fs_text_casemapper *cm,
                            const char *s, size_t n, fs_error *err);

/** A trained model: read-only once trained, so many threads may use it at once. */
typedef struct refmodel_lm refmodel_lm;

/** Train on s[0..n), one stream of tokens, with interpolation weight lambda (0 <= lambda
 *  < 1). out: returns owned (refmodel_lm_free). A text that is empty or only white space
 *  is FS_ERR_INPUT. */
fs_status refmodel_lm_train(refmodel_lm **out, const char *s, size_t n, double lambda,
                            fs_error *err);
/** Train on a UTF-8 text file; errors name path. */
fs_status refmodel_lm_train_file(refmodel_lm **out, const char *path, double lambda, fs_error *err);
/** Accepts NULL. */
void refmodel_lm_free(refmodel_lm *lm);

/** Vocabulary size |V|, "<unk>" included; training tokens N. */
size_t refmodel_lm_vocab_size(const refmodel_lm *lm);
size_t refmodel_lm_token_count(const refmodel_lm *lm);
/** The interpolation weight lambda. */
double refmodel_lm_lambda(const refmodel_lm *lm);

/** Id of key[0..n), or REFMODEL_LM_UNK when it was not seen in training. */
size_t refmodel_lm_id(const refmodel_lm *lm, const char *key, size_t n);
/** Key of id (< vocab size), borrowed from lm; "<unk>" for REFMODEL_LM_UNK. */
const char *refmodel_lm_key(const refmodel_lm *lm, size_t id);

/** Natural log of P(w | prev) = lambda * c(prev, w) / c(prev) + (1 - lambda) * P_uni(w),
 *  with P_uni(w) = (c(w) + 1) / (N + |V|); when c(prev) = 0 (prev unseen as a history,
 *  "<unk>", or REFMODEL_LM_NONE) it is log P_uni(w). */
double refmodel_lm_logprob(const refmodel_lm *lm, size_t prev, size_t w);

/** The k most probable next tokens after prev, "<unk>" excluded, best first (ties: lower
 *  id, that is earlier first seen in training), into ids_out and logp_out (k entries
 *  each, k <= 32). Returns how many were written (k unless the vocabulary is smaller). */
size_t refmodel_lm_top(const refmodel_lm *lm, size_t prev, size_t k, size_t *ids_out,
                       double *logp_out);

#endif
