#ifndef FS_REFMODEL_QA_H
#define FS_REFMODEL_QA_H
/* overlap-qa: the extractive question-answering baseline of the reference model server. */
#include "fairshake/core.h"

/** A loaded stop-word list and the answer length limit: read-only once built, so many
 *  threads may answer with it at once. */
typedef struct refmodel_qa refmodel_qa;

/** Build from a stop-word file (one word per line; blank lines and lines starting with
 *  '#' are skipped; words are case-folded) and the longest answer in words (window >= 1).
 *  out: returns owned (refmodel_qa_free). A malformed file is FS_ERR_INPUT naming
 *  path:line. */
fs_status refmodel_qa_new(refmodel_qa **out, const char *stopwords_path, unsigned window,
                          fs_error *err);
/** Accepts NULL. */
void refmodel_qa_free(refmodel_qa *qa);

/** Number of distinct stop words. */
size_t refmodel_qa_stopword_count(const refmodel_qa *qa);

/** true when the case-folded word w[0..n) is a stop word. */
bool refmodel_qa_is_stopword(const refmodel_qa *qa, const char *w, size_t n);

/** Answer the question of a prompt from its context. The context runs from after a line
 *  starting "Context:" up to the line starting "Question:" (without a "Context:" line:
 *  everything before the "Question:" line); the question from after "Question:" up to a
 *  line starting "Answer:" or the end. The answer is a span of the context (see
 *  docs/refmodel.md for the scoring and its tie-breaking): *out borrows prompt, and is
 *  empty when no sentence shares a content word with the question. */
fs_status refmodel_qa_answer(const refmodel_qa *qa, const char *prompt, size_t n, fs_str *out,
                             fs_error *err);

#endif
