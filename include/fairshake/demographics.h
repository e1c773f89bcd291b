#ifndef FAIRSHAKE_DEMOGRAPHICS_H
#define FAIRSHAKE_DEMOGRAPHICS_H
/* Demographic counterfactuals: lexicons of group terms and names per axis (gender, race,
 * religion, ...), read from the data directory's demographics/, and a swap engine that
 * rewrites a text so that every mention of an axis refers to one target group, in one
 * simultaneous pass over ICU word segments. Swaps are pure functions of (text, axis,
 * target group, seed, record id). */
#include "fairshake/core.h"

FS_BEGIN_DECLS

/** Every axis under <data_dir>/demographics: immutable once loaded, so one lexicon can be
 *  shared by any number of swappers and threads. */
typedef struct fs_demog_lexicon fs_demog_lexicon;

/** Load every axis file (a *.json object with an "axis" member, in file-name order) and
 *  the names files (names.json, names-*.json) of <data_dir>/demographics; other JSON
 *  files there belong to other parts and are skipped. Malformed data is FS_ERR_INPUT naming
 *  the file and the JSON path ("gender.json: terms[3].male.plural: ..."); a missing
 *  directory or one without any axis is FS_ERR_CONFIG. data_dir: borrowed. out: returns
 *  owned (fs_demog_lexicon_free). */
FS_API fs_status fs_demog_lexicon_load(fs_demog_lexicon **out, const char *data_dir, fs_error *err);
FS_API void fs_demog_lexicon_free(fs_demog_lexicon *lex);

/** Number of axes, in file-name order. */
FS_API size_t fs_demog_axis_count(const fs_demog_lexicon *lex);
/** Name of axis i ("gender"), borrowed from lex. */
FS_API const char *fs_demog_axis_name(const fs_demog_lexicon *lex, size_t axis);
/** One-line description of axis i, borrowed from lex ("" when the file gives none). */
FS_API const char *fs_demog_axis_description(const fs_demog_lexicon *lex, size_t axis);
/** Index of the axis called name or having it as an alias ("race", "ethnicity"), or -1. */
FS_API int fs_demog_axis_find(const fs_demog_lexicon *lex, const char *name);
/** Number of groups of an axis, optional ones included. */
FS_API size_t fs_demog_group_count(const fs_demog_lexicon *lex, size_t axis);
/** Name of group g of an axis ("female"), borrowed from lex. */
FS_API const char *fs_demog_group_name(const fs_demog_lexicon *lex, size_t axis, size_t group);
/** true for a group that swappers ignore unless asked (gender's "neutral"). */
FS_API bool fs_demog_group_optional(const fs_demog_lexicon *lex, size_t axis, size_t group);
/** Index of the group called name in an axis, or -1. */
FS_API int fs_demog_group_find(const fs_demog_lexicon *lex, size_t axis, const char *name);
/** The data files read, in reading order, for provenance hashes. *paths: borrowed from
 *  lex. Returns their number. */
FS_API size_t fs_demog_files(const fs_demog_lexicon *lex, const char *const **paths);

/** Swapper options. */
typedef struct fs_demog_opts {
    bool optional_groups; /* also detect and target optional groups (gender "neutral") */
} fs_demog_opts;

#define FS_DEMOG_OPTS_INIT \
    {                      \
        false              \
    }

/** One axis's swap engine with its own segmenter, case mapper and scratch memory. Not
 *  thread-safe: one per thread. */
typedef struct fs_demog_swapper fs_demog_swapper;

/** Create a swapper for axis (an index of lex). lex: kept until fs_demog_swapper_free;
 *  opts: borrowed, NULL for defaults. out: returns owned (fs_demog_swapper_free). */
FS_API fs_status fs_demog_swapper_new(fs_demog_swapper **out, const fs_demog_lexicon *lex,
                                      size_t axis, const fs_demog_opts *opts, fs_error *err);
FS_API void fs_demog_swapper_free(fs_demog_swapper *sw);
/** true when the swapper detects and may target group (optional groups are off unless
 *  opts.optional_groups). */
FS_API bool fs_demog_swapper_group_enabled(const fs_demog_swapper *sw, size_t group);

/** Count the mentions of each group of the axis in text[0..n) (valid UTF-8): terms and
 *  names. *counts_out: an array of fs_demog_group_count() counts, borrowed from sw until
 *  its next call. */
FS_API fs_status fs_demog_detect(fs_demog_swapper *sw, const char *text, size_t n,
                                 const size_t **counts_out, fs_error *err);

/** The counterfactual of text[0..n) (valid UTF-8) with every mention of the axis moved to
 *  group `to`: terms of any other group become `to`'s corresponding terms and names are
 *  replaced by names of `to`, drawn from (seed, record_id, axis, to, name) so that one
 *  name gets the same substitute everywhere in the record. Appends the counterfactual to
 *  out and sets *applicable when at least one mention was rewritten; otherwise (no
 *  mention, or only mentions of `to`) *applicable is false and out is left unchanged.
 *  *changed (may be NULL) is true when the appended text differs from the input. A
 *  disabled or out-of-range `to` is FS_ERR_USAGE. record_id: borrowed, NULL reads as "". */
FS_API fs_status fs_demog_swap(fs_demog_swapper *sw, const char *text, size_t n, size_t to,
                               uint64_t seed, const char *record_id, fs_buf *out, bool *applicable,
                               bool *changed, fs_error *err);

/** fs_demog_detect with protected byte ranges: a mention whose bytes (its clitic
 *  included) overlap any of protect[0..n_protect) is not counted. The ranges are
 *  [start, end) byte offsets into text, in any order, possibly overlapping; their kind is
 *  ignored. protect: borrowed, may be NULL when n_protect is 0. */
FS_API fs_status fs_demog_detect_protected(fs_demog_swapper *sw, const char *text, size_t n,
                                           const fs_text_span *protect, size_t n_protect,
                                           const size_t **counts_out, fs_error *err);

/** fs_demog_swap with protected byte ranges (as fs_demog_detect_protected): a mention
 *  overlapping one is neither rewritten nor counted towards *applicable, so a record
 *  whose only mentions are protected is not applicable. Protected names take no part in
 *  the record's name substitutes either. protect: borrowed, may be NULL when n_protect is
 *  0. */
FS_API fs_status fs_demog_swap_protected(fs_demog_swapper *sw, const char *text, size_t n,
                                         const fs_text_span *protect, size_t n_protect, size_t to,
                                         uint64_t seed, const char *record_id, fs_buf *out,
                                         bool *applicable, bool *changed, fs_error *err);

FS_END_DECLS
#endif
