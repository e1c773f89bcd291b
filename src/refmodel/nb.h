#ifndef FS_REFMODEL_NB_H
#define FS_REFMODEL_NB_H
/* Tokeniser and multinomial naive Bayes classifier of the reference model server. */
#include "fairshake/core.h"

/** Word tokens of a text: case-folded copies of the ICU word segments that are words
 *  (kind != 0), in order. */
typedef struct refmodel_tokens {
    char **items; /* each owned, NUL-terminated */
    size_t count;
    size_t cap;
} refmodel_tokens;

/** Initialise an empty token list. */
void refmodel_tokens_init(refmodel_tokens *t);
/** Free every token; leaves the list empty and reusable. Accepts NULL. */
void refmodel_tokens_dispose(refmodel_tokens *t);

/** Case-fold s[0..n) (full Unicode folding) and split it into word tokens, appending them
 *  to out. seg: borrows a FS_TEXT_WORD segmenter (one per thread); out: borrows, keeps
 *  what was appended on failure until disposed. */
fs_status refmodel_tokenize(refmodel_tokens *out, fs_text_segmenter *seg, const char *s, size_t n,
                            fs_error *err);

/** A trained classifier: read-only once training is over, so many threads may classify
 *  with it at once. */
typedef struct refmodel_nb refmodel_nb;

/** out: returns owned (refmodel_nb_free). */
fs_status refmodel_nb_new(refmodel_nb **out, fs_error *err);
/** Accepts NULL. */
void refmodel_nb_free(refmodel_nb *nb);

/** Count one training document. tokens, label: borrow (copied). Not thread-safe. */
fs_status refmodel_nb_add(refmodel_nb *nb, const refmodel_tokens *tokens, const char *label,
                          fs_error *err);

/** Train from a JSONL file of {"text", "label"} objects, one per line (blank lines are
 *  skipped). out: returns owned (refmodel_nb_free). Errors name path:line: field. */
fs_status refmodel_nb_train_file(refmodel_nb **out, const char *path, fs_error *err);

/** Index of the most probable class for tokens: argmax over classes c of
 *  log P(c) + sum over known tokens w of log((count(w, c) + 1) / (tokens(c) + |V|)).
 *  Tokens never seen in training are ignored; ties go to the class seen first.
 *  logp_out (may be NULL) receives one joint log-probability per class. The model
 *  must hold at least one document. */
size_t refmodel_nb_classify(const refmodel_nb *nb, const refmodel_tokens *tokens, double *logp_out);

/** Number of classes, training documents and vocabulary words. */
size_t refmodel_nb_class_count(const refmodel_nb *nb);
size_t refmodel_nb_doc_count(const refmodel_nb *nb);
size_t refmodel_nb_vocab_size(const refmodel_nb *nb);
/** Label of class i (< class_count), borrowed from nb. */
const char *refmodel_nb_label(const refmodel_nb *nb, size_t i);

#endif
