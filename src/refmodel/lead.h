#ifndef FS_REFMODEL_LEAD_H
#define FS_REFMODEL_LEAD_H
/* lead-summarizer: the lead-k summarization baseline of the reference model server. */
#include "fairshake/core.h"

/** The text a prompt asks to summarise: what follows the first line starting "Text:" or
 *  "Article:" up to a line starting "Summary:" (or the end); the whole prompt when there
 *  is no such line. Surrounding ASCII white space is trimmed. Borrows prompt. */
fs_str refmodel_lead_text(const char *prompt, size_t n);

/** The first k (>= 1) sentences (ICU sentence boundaries) of the prompt's text, from the
 *  start of the first to the end of the k-th without trailing white space; the whole text
 *  when it has k sentences or fewer. *out borrows prompt. seg: borrows a FS_TEXT_SENTENCE
 *  segmenter. */
fs_status refmodel_lead_summary(fs_text_segmenter *seg, const char *prompt, size_t n, size_t k,
                                fs_str *out, fs_error *err);

#endif
