#ifndef FAIRSHAKE_PERTURB_H
#define FAIRSHAKE_PERTURB_H
/* The perturbation engine: named, parameterised text transformations that are pure
 * functions of (text, parameters, seed, record id). Data that drives them (keyboard
 * layouts, word lists) is read from files under the data directory's perturbations/. */
#include "fairshake/core.h"

FS_BEGIN_DECLS

typedef enum fs_perturb_family {
    FS_PERTURB_NOISE = 0,
    FS_PERTURB_ADVERSARIAL = 1
} fs_perturb_family;

typedef struct fs_perturb_param_info {
    const char *name;
    const char *default_value;
    const char *description;
} fs_perturb_param_info;

typedef struct fs_perturb_info {
    const char *name;
    fs_perturb_family family;
    const char *description; /* one line */
    const fs_perturb_param_info *params;
    size_t n_params;
} fs_perturb_info;

/** The catalogue, sorted by name. *out: borrowed static table. Returns its length. */
FS_API size_t fs_perturb_catalogue(const fs_perturb_info **out);
/** Catalogue entry by name, or NULL. */
FS_API const fs_perturb_info *fs_perturb_find(const char *name);
FS_API const char *fs_perturb_family_name(fs_perturb_family f);
/** The catalogue name nearest to name (for "did you mean"), or NULL when none is close. */
FS_API const char *fs_perturb_nearest(const char *name);

typedef struct fs_perturber fs_perturber;

/** Create a perturber. params: borrowed; every key must be one of the perturbation's
 *  parameters (an unknown key is FS_ERR_CONFIG naming the nearest valid one), values
 *  are validated. data_dir: the directory holding perturbations/ (borrowed). out:
 *  returns owned (fs_perturber_free). Not thread-safe: one per thread. */
FS_API fs_status fs_perturber_new(fs_perturber **out, const char *name, const fs_params *params,
                                  const char *data_dir, fs_error *err);
FS_API void fs_perturber_free(fs_perturber *p);
FS_API const fs_perturb_info *fs_perturber_info(const fs_perturber *p);
/** Effective parameters (defaults filled in), borrowed. */
FS_API const fs_params *fs_perturber_params(const fs_perturber *p);
/** Data files the perturber read (absolute or data-dir-relative paths), borrowed, for
 *  provenance hashes. */
FS_API size_t fs_perturber_files(const fs_perturber *p, const char *const **out);

/** Protect spans from perturbation: each pattern is an ICU regular expression, or
 *  "@name" for a preset from perturbations/protect.json (@url, @email, @number, ...).
 *  Matches are copied unchanged; the perturbation sees only the text between them.
 *  Perturbations that add to or transform the whole input (distractor, injection,
 *  encoding) are not affected. A bad pattern is FS_ERR_CONFIG. Call once, before the
 *  first apply. */
FS_API fs_status fs_perturber_set_protect(fs_perturber *p, const char *const *patterns, size_t n,
                                          const char *data_dir, fs_error *err);

/** Protected spans on their own, for engines outside this module (demographic swaps):
 *  the same patterns and presets as fs_perturber_set_protect. Not thread-safe: one per
 *  thread. */
typedef struct fs_perturb_protector fs_perturb_protector;

/** Compile patterns (ICU regular expressions, or "@name" presets from
 *  <data_dir>/perturbations/protect.json). A bad pattern or an unknown preset is
 *  FS_ERR_CONFIG. patterns, data_dir: borrowed. out: returns owned
 *  (fs_perturb_protector_free). */
FS_API fs_status fs_perturb_protector_new(fs_perturb_protector **out, const char *const *patterns,
                                          size_t n, const char *data_dir, fs_error *err);
FS_API void fs_perturb_protector_free(fs_perturb_protector *pr);
/** The protected spans of text[0..n) (valid UTF-8): byte ranges, sorted and merged.
 *  *spans_out: borrowed from pr until its next call. */
FS_API fs_status fs_perturb_protector_find(fs_perturb_protector *pr, const char *text, size_t n,
                                           const fs_text_span **spans_out, size_t *count_out,
                                           fs_error *err);
/** The data file the presets came from (NULL when no preset was used), for provenance.
 *  Borrowed from pr. */
FS_API const char *fs_perturb_protector_file(const fs_perturb_protector *pr);

/** Apply to text[0..n) (valid UTF-8). The RNG stream is derived from (seed, record_id,
 *  stream_name, index) only: stream_name NULL uses the perturbation's name, and variant
 *  index k > 0 uses "stream_name#k", so variant 0 of a record never depends on how many
 *  others are made, nor on record order, threads or time. Appends the variant to out;
 *  *changed is false when the variant equals the input (nothing eligible, or nothing
 *  drawn). */
FS_API fs_status fs_perturber_apply(fs_perturber *p, const char *text, size_t n, uint64_t seed,
                                    const char *record_id, const char *stream_name, uint64_t index,
                                    fs_buf *out, bool *changed, fs_error *err);

FS_END_DECLS
#endif
