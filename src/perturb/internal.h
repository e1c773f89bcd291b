#ifndef FS_PERTURB_INTERNAL_H
#define FS_PERTURB_INTERNAL_H
/* Internal interface of the perturbation engine: the perturber object, the per-kind
 * hooks the catalogue points at, and the keyboard layout tables used by typo. */
#include "fairshake/perturb.h"

#include "core/json.h"

/** Most data files one perturber reads. */
#define FS_PERTURB__MAX_FILES 8

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
    fs_text_segmenter *words;   /* a word segmenter, for kinds that need both units */
    fs_text_casemapper *cm;     /* reused case mapper */
    fs_perturb__layout *layout; /* kinds that use a keyboard layout */
    void *state;                /* kind-specific, freed by kind->fini */
    fs_buf scratch;             /* reusable by kinds (reset before use) */
    fs_text_regex **protect;    /* protected-span patterns */
    size_t n_protect;
    fs_text_span *spans; /* protected spans of the current text */
    size_t n_spans, cap_spans;
    char *files[FS_PERTURB__MAX_FILES];
    size_t n_files;
};

/** Prepare kind-specific state after the parameters were validated. */
typedef fs_status (*fs_perturb__init_fn)(fs_perturber *p, const char *data_dir, fs_error *err);
/** Append the variant of text[0..n) (valid UTF-8) to out, drawing from rng. Buffer
 *  failures are left sticky in out for the caller to check. */
typedef fs_status (*fs_perturb__apply_fn)(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                          fs_buf *out, fs_error *err);

/** Free kind-specific state (p->state). */
typedef void (*fs_perturb__fini_fn)(fs_perturber *p);

/** How a kind sees the text when protected spans are set. */
typedef enum fs_perturb__scope {
    /* apply is called once per unprotected stretch of the text, in order, with the same
     * RNG; protected spans are copied unchanged between them */
    FS_PERTURB__SEGMENTS = 0,
    /* apply is called once with the whole text (distractor, injection, encoding): the
     * kind keeps the input intact or transforms all of it */
    FS_PERTURB__WHOLE = 1
} fs_perturb__scope;

typedef struct fs_perturb__kind {
    const char *name;  /* the catalogue entry at the same index */
    fs_text_unit unit; /* what the segmenter splits into */
    fs_perturb__scope scope;
    fs_perturb__init_fn init; /* may be NULL */
    fs_perturb__apply_fn apply;
    fs_perturb__fini_fn fini; /* may be NULL */
} fs_perturb__kind;

fs_status fs_perturb__typo_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err);
fs_status fs_perturb__case_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err);
fs_status fs_perturb__whitespace_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                       fs_buf *out, fs_error *err);
fs_status fs_perturb__punctuation_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                        fs_buf *out, fs_error *err);

/* ---- data files (data.c) ------------------------------------------------------------ */

/** Resolve the data file of a perturbation: the `file` parameter when the user set it (a
 *  path as given), else <data_dir>/perturbations/<rel>. The path is recorded in p->files
 *  for provenance. A missing file is FS_ERR_CONFIG naming it. *path_out: borrowed from p. */
fs_status fs_perturb__data_file(fs_perturber *p, const char *data_dir, const char *rel,
                                const char **path_out, fs_error *err);
/** Resolve (as fs_perturb__data_file) and parse a JSON data file. Every data file is an
 *  object with "description", "source", "license" and the kind's payload; a file that is
 *  not valid JSON or not an object is FS_ERR_INPUT naming the path. out: returns owned
 *  (cJSON_Delete); *path_out: borrowed from p, for messages. */
fs_status fs_perturb__load_json(fs_perturber *p, const char *data_dir, const char *rel, cJSON **out,
                                const char **path_out, fs_error *err);

/* ---- protected spans (protect.c) ---------------------------------------------------- */

/** Compile one protect pattern into *out: an ICU expression, or "@name" looked up in the
 *  "patterns" object of presets (protect.json, already parsed). */
fs_status fs_perturb__protect_compile(fs_text_regex **out, const char *pattern,
                                      const cJSON *presets, fs_error *err);
/** Every match of res[0..n_res) in text[0..n), sorted and merged, into *spans (grown with
 *  fs_realloc; *count and *cap updated, *count reset first). */
fs_status fs_perturb__protect_find(fs_text_regex *const *res, size_t n_res, const char *text,
                                   size_t n, fs_text_span **spans, size_t *count, size_t *cap,
                                   fs_error *err);

/** A lookup table from UTF-8 keys to lists of UTF-8 values, all copied. Immutable once
 *  built; lookups do not allocate. */
typedef struct fs_perturb__map fs_perturb__map;
typedef struct fs_perturb__values {
    const fs_str *v;
    size_t n;
} fs_perturb__values;

fs_status fs_perturb__map_new(fs_perturb__map **out, fs_error *err);
void fs_perturb__map_free(fs_perturb__map *m);
/** Add value to key's list (a key may have several values). */
fs_status fs_perturb__map_add(fs_perturb__map *m, const char *key, size_t klen, const char *value,
                              size_t vlen, fs_error *err);
/** Group the values after the last add; required before lookups. */
fs_status fs_perturb__map_finish(fs_perturb__map *m, fs_error *err);
/** The values of key, or n == 0 when absent (or when the map is not finished). */
fs_perturb__values fs_perturb__map_get(const fs_perturb__map *m, const char *key, size_t klen);
/** Number of keys; longest key in bytes. */
size_t fs_perturb__map_size(const fs_perturb__map *m);
size_t fs_perturb__map_max_key(const fs_perturb__map *m);

/** Case shape of a word, for carrying it over to a replacement. */
typedef enum fs_perturb__shape {
    FS_PERTURB__LOWER = 0, /* no upper-case letter (or no cased letter at all) */
    FS_PERTURB__TITLE = 1, /* first cased letter upper, the rest lower */
    FS_PERTURB__UPPER = 2, /* every cased letter upper, at least two of them */
    FS_PERTURB__MIXED = 3
} fs_perturb__shape;

fs_perturb__shape fs_perturb__shape_of(const char *w, size_t n);
/** Append s (written in lower case, as lexicons are) in the given shape: lower and mixed
 *  as is, title with its first letter title-cased, upper upper-cased. Uses p->cm. */
fs_status fs_perturb__put_shaped(fs_perturber *p, fs_buf *out, const char *s, size_t n,
                                 fs_perturb__shape shape, fs_error *err);
/** Append the case-folded s (lookup keys). Uses p->cm. */
fs_status fs_perturb__fold(fs_perturber *p, fs_buf *out, const char *s, size_t n, fs_error *err);
/** Copies the untouched stretches of the input into the output. */
typedef struct fs_perturb__emitter {
    fs_buf *out;
    const char *text;
    size_t copied; /* text[0..copied) is already handled */
} fs_perturb__emitter;
/** Copy the input from e->copied up to byte offset upto, then continue from resume. */
void fs_perturb__emit_upto(fs_perturb__emitter *e, size_t upto, size_t resume);

/** Load the keyboard layout named by the `layout` parameter (or the `file` parameter)
 *  into p->layout. An init hook for every kind that uses a layout. */
fs_status fs_perturb__layout_init(fs_perturber *p, const char *data_dir, fs_error *err);

/** The kind tables of each family file, each terminated by a row with a NULL name. */
extern const fs_perturb__kind fs_perturb__noise_kinds[];
extern const fs_perturb__kind fs_perturb__char_kinds[];
extern const fs_perturb__kind fs_perturb__word_kinds[];
extern const fs_perturb__kind fs_perturb__adversarial_kinds[];
extern const fs_perturb__kind fs_perturb__pii_kinds[];

/** true with probability rate; always takes one draw from rng, so the stream does not
 *  depend on the rate. */
bool fs_perturb__draw(fs_rng *rng, double rate);

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
