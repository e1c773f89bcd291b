#ifndef FS_PERTURB_INTERNAL_H
#define FS_PERTURB_INTERNAL_H
/* Internal interface of the perturbation engine: the perturber object, the per-kind
 * hooks the catalogue points at, and the keyboard layout tables used by typo. */
#include "fairshake/perturb.h"

/** Most data files one perturber reads. */
#define FS_PERTURB__MAX_FILES 4

/** A keyboard layout: lower-cased key graphemes and their neighbour keys, with the
 *  upper- and title-case forms of every key and neighbour precomputed. Immutable. */
typedef struct fs_perturb__layout fs_perturb__layout;
/** One spelling of a key (a case form in NFC or NFD) found by a lookup. */
typedef struct fs_perturb__layout_form fs_perturb__layout_form;

struct fs_perturber {
    const fs_perturb_info *info;
    const struct fs_perturb__kind *kind;
    fs_params params;           /* effective parameters, defaults filled in */
    double rate;                /* the `rate` parameter, when the perturbation has one */
    fs_text_segmenter *seg;     /* reused by every apply call */
    fs_perturb__layout *layout; /* typo only */
    char *files[FS_PERTURB__MAX_FILES];
    size_t n_files;
};

/** Prepare kind-specific state after the parameters were validated. */
typedef fs_status (*fs_perturb__init_fn)(fs_perturber *p, const char *data_dir, fs_error *err);
/** Append the variant of text[0..n) (valid UTF-8) to out, drawing from rng. Buffer
 *  failures are left sticky in out for the caller to check. */
typedef fs_status (*fs_perturb__apply_fn)(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                          fs_buf *out, fs_error *err);

typedef struct fs_perturb__kind {
    const char *name;         /* the catalogue entry at the same index */
    fs_text_unit unit;        /* what the segmenter splits into */
    fs_perturb__init_fn init; /* may be NULL */
    fs_perturb__apply_fn apply;
} fs_perturb__kind;

fs_status fs_perturb__typo_init(fs_perturber *p, const char *data_dir, fs_error *err);
fs_status fs_perturb__typo_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err);
fs_status fs_perturb__case_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err);
fs_status fs_perturb__whitespace_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                       fs_buf *out, fs_error *err);
fs_status fs_perturb__punctuation_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                        fs_buf *out, fs_error *err);

/** Load a layout file. seg: a grapheme segmenter, borrowed (used to check that every key
 *  is one character). A malformed file is FS_ERR_INPUT naming path and problem. out:
 *  returns owned (fs_perturb__layout_free). */
fs_status fs_perturb__layout_load(fs_perturb__layout **out, const char *path,
                                  fs_text_segmenter *seg, fs_error *err);
void fs_perturb__layout_free(fs_perturb__layout *l);
/** The key spelled exactly g[0..n) (lower, upper or title case; NFC or NFD), or NULL. */
const fs_perturb__layout_form *fs_perturb__layout_find(const fs_perturb__layout *l, const char *g,
                                                       size_t n);
/** A neighbour of the key of f, drawn from rng, in the case of f. Borrowed from l. */
fs_str fs_perturb__layout_neighbour(const fs_perturb__layout *l, const fs_perturb__layout_form *f,
                                    fs_rng *rng);
/** Number of keys in the layout. */
size_t fs_perturb__layout_size(const fs_perturb__layout *l);

#endif
