#ifndef FS_SCORE_INTERNAL_H
#define FS_SCORE_INTERNAL_H
/* Internal helpers shared by the score module's files. */
#include "fairshake/score.h"

/** Macro-F1 of gold/pred (as fs_score_macro_f1) using counts[0 .. 3 * n_labels) as
 *  scratch, so that bootstrap loops never allocate. NaN when n == 0, n_labels == 0 or a
 *  value is out of range. counts: borrowed, overwritten. */
double fs_score__macro_f1_scratch(const int *gold, const int *pred, size_t n, size_t n_labels,
                                  double zero_division, size_t *counts);

#endif
