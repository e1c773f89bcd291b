#ifndef FS_REFMODEL_IDENT_H
#define FS_REFMODEL_IDENT_H
/* pii-identifier: the identification baseline of the reference model server. */
#include "fairshake/core.h"

typedef struct refmodel_ident refmodel_ident; /* opaque */

/** Load the model: the fairshake detectors of data_dir (the directory holding identify/
 *  and demographics/; borrowed), restricted to the comma-separated categories (borrowed;
 *  "all" for every detector category). fence: answers go in a ```json code fence. An
 *  unknown category is FS_ERR_CONFIG naming the nearest valid one; unreadable or bad data
 *  files fail with the detectors' error. out: returns owned (refmodel_ident_free). */
fs_status refmodel_ident_new(refmodel_ident **out, const char *data_dir, const char *categories,
                             bool fence, fs_error *err);
/** Free the model and its detectors. Accepts NULL. */
void refmodel_ident_free(refmodel_ident *m);

/** The categories the model knows, in the detectors' file order. *out: borrowed from m. */
size_t refmodel_ident_categories(const refmodel_ident *m, const char *const **out);
/** Whether answers are wrapped in a ```json code fence. */
bool refmodel_ident_fenced(const refmodel_ident *m);

/** The text to analyse: what follows the first line that starts with "Text:" or "Note:" up
 *  to the next line that starts with "Answer:" or "Items:" (or the end); the whole prompt
 *  when there is no such line. Surrounding ASCII white space is trimmed. Borrows prompt. */
fs_str refmodel_ident_text(const char *prompt, size_t n);

/** The category list of a prompt: what follows "Categories:" on the first line that starts
 *  with it, before the text to analyse (anywhere when the prompt has no "Text:" or
 *  "Note:" line), trimmed. *found tells whether there is such a line. Borrows prompt. */
fs_str refmodel_ident_listed(const char *prompt, size_t n, bool *found);

/** Append the answer to prompt[0..n) (valid UTF-8): {"items":[{"category","text"},...]},
 *  the distinct (category, text) pairs the detectors find in the text, in order of first
 *  appearance, for the categories the model knows and the prompt lists (under the
 *  prompt's spelling), or every category it knows when the prompt lists none. Safe to
 *  call from several threads at once: each call borrows a detector of its own. */
fs_status refmodel_ident_answer(refmodel_ident *m, fs_buf *out, const char *prompt, size_t n,
                                fs_error *err);

#endif
