#ifndef FS_SCORE_PORTER_H
#define FS_SCORE_PORTER_H
/* Internal entry point of the Porter stemmer (porter.c) for the ROUGE tokenizer. */
#include <stddef.h>

/** Stem the lowercase ASCII word w[0..n) in place as NLTK 3.8's PorterStemmer does in
 *  NLTK_EXTENSIONS mode (irregular table first); returns the stem's length, never more
 *  than n. w: borrowed, overwritten. */
size_t fs_score__porter_stem(char *w, size_t n);

#endif
