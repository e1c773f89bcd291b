#ifndef FAIRSHAKE_CORE_H
#define FAIRSHAKE_CORE_H
/* Core services: allocation, growable buffers, deterministic RNG, hashing, Unicode text
 * over ICU, locale-free number formatting, key/value parameter lists. */
#include "fairshake/common.h"

FS_BEGIN_DECLS

/* ---- allocation ---------------------------------------------------------------------- */
FS_API void *fs_malloc(size_t n);
FS_API void *fs_calloc(size_t count, size_t size);
FS_API void *fs_realloc(void *p, size_t n);
FS_API char *fs_strdup(const char *s);
FS_API char *fs_strndup(const char *s, size_t n);
FS_API void fs_free(void *p);
/** *out = a + b; false on overflow. */
FS_API bool fs_size_add(size_t *out, size_t a, size_t b);
/** *out = a * b; false on overflow. */
FS_API bool fs_size_mul(size_t *out, size_t a, size_t b);

/* ---- string view --------------------------------------------------------------------- */
typedef struct fs_str {
    const char *ptr;
    size_t len;
} fs_str;

/* ---- growable buffer ----------------------------------------------------------------- */
/** Always NUL-terminated; failures are sticky: check fs_buf_status() once after appends. */
typedef struct fs_buf {
    char *data; /* NULL until the first append; fs_buf_cstr() never returns NULL */
    size_t len;
    size_t cap;
    size_t max; /* 0: no cap */
    fs_status status;
} fs_buf;

#define FS_BUF_INIT          \
    {                        \
        NULL, 0, 0, 0, FS_OK \
    }
/** Initialise an empty buffer holding at most max bytes (0: unlimited). */
FS_API void fs_buf_init(fs_buf *b, size_t max);
FS_API void fs_buf_dispose(fs_buf *b);
/** Empty the buffer, keeping its memory; clears a sticky failure. */
FS_API void fs_buf_reset(fs_buf *b);
FS_API void fs_buf_append(fs_buf *b, const char *p, size_t n);
FS_API void fs_buf_puts(fs_buf *b, const char *s);
FS_API void fs_buf_putc(fs_buf *b, char c);
FS_API void fs_buf_printf(fs_buf *b, const char *fmt, ...) FS_PRINTF(2, 3);
/** Append s as a JSON string literal with quotes, escaping as RFC 8259 requires. */
FS_API void fs_buf_put_json_string(fs_buf *b, const char *s, size_t n);
/** Append a double with the locale-free shortest round-trip formatter. */
FS_API void fs_buf_put_double(fs_buf *b, double v);
FS_API fs_status fs_buf_status(const fs_buf *b);
FS_API const char *fs_buf_cstr(const fs_buf *b);
/** Hand the memory over: returns owned (fs_free), or NULL on a sticky failure. The
 *  buffer is left empty and reusable. */
FS_API char *fs_buf_take(fs_buf *b, size_t *len_out);

/* ---- numbers ------------------------------------------------------------------------- */
/** Format v into out (at least 32 bytes): shortest "%.17g"-style text that round-trips,
 *  always with '.' as decimal point; NaN and infinities as "null". Returns length. */
FS_API size_t fs_fmt_double(char *out, size_t cap, double v);
/** Parse a whole string as an integer / double (locale-free). false if malformed. */
FS_API bool fs_parse_i64(const char *s, int64_t *out);
FS_API bool fs_parse_double(const char *s, double *out);

/* ---- deterministic random numbers ---------------------------------------------------- */
/** xoshiro256** state; streams are derived, never seeded from time. */
typedef struct fs_rng {
    uint64_t s[4];
} fs_rng;

FS_API void fs_rng_seed(fs_rng *r, uint64_t seed);
/** Seed a stream from (seed, record id, perturbation name): the same triple gives the
 *  same stream on every machine. */
FS_API void fs_rng_derive(fs_rng *r, uint64_t seed, const char *record_id, const char *name);
FS_API uint64_t fs_rng_u64(fs_rng *r);
/** Uniform double in [0, 1). */
FS_API double fs_rng_uniform(fs_rng *r);
/** Uniform integer in [0, n); n > 0; unbiased. */
FS_API uint64_t fs_rng_below(fs_rng *r, uint64_t n);

/* ---- hashing (SHA-256 over OpenSSL libcrypto) ---------------------------------------- */
/** Lower-case hex SHA-256 of data into hex_out (65 bytes). */
FS_API fs_status fs_hash_sha256_hex(char hex_out[65], const void *data, size_t n, fs_error *err);
/** SHA-256 of a file's bytes. */
FS_API fs_status fs_hash_file_hex(char hex_out[65], const char *path, fs_error *err);
/** First 8 bytes of SHA-256, big-endian, as an integer (for seeding). */
FS_API uint64_t fs_hash_u64(const void *data, size_t n);

/* ---- Unicode text (ICU) -------------------------------------------------------------- */
/** true when s[0..n) is valid UTF-8 without NUL bytes. */
FS_API bool fs_text_valid_utf8(const char *s, size_t n);

typedef enum fs_text_unit {
    FS_TEXT_GRAPHEME = 0, /* user-perceived characters */
    FS_TEXT_WORD = 1,     /* word-boundary segments (words, spaces, punctuation) */
    FS_TEXT_SENTENCE = 2  /* sentences (UAX #29 with CLDR English abbreviation suppressions,
                             "Mr. Smith" stays one sentence); each keeps its trailing space */
} fs_text_unit;

/** A segment of UTF-8 text: byte offsets [start, end). */
typedef struct fs_text_span {
    size_t start;
    size_t end;
    int kind; /* words: 0 none (space/punct), 1 letters, 2 number, 3 ideographic/kana; graphemes: 0
               */
} fs_text_span;

/** A reusable ICU break iterator: segmenting many texts with one is much faster than
 *  opening an iterator per text. Not thread-safe; one per thread. */
typedef struct fs_text_segmenter fs_text_segmenter;
/** out: returns owned (fs_text_segmenter_free). */
FS_API fs_status fs_text_segmenter_new(fs_text_segmenter **out, fs_text_unit unit, fs_error *err);
FS_API void fs_text_segmenter_free(fs_text_segmenter *seg);
/** Segment s[0..n). *spans_out is borrowed from seg, valid until its next run or free. */
FS_API fs_status fs_text_segmenter_run(fs_text_segmenter *seg, const fs_text_span **spans_out,
                                       size_t *count_out, const char *s, size_t n, fs_error *err);

/** Segment s[0..n) with ICU break iteration. *spans_out: returns owned (fs_free). */
FS_API fs_status fs_text_segment(fs_text_span **spans_out, size_t *count_out, const char *s,
                                 size_t n, fs_text_unit unit, fs_error *err);

typedef enum fs_text_case {
    FS_CASE_LOWER = 0,
    FS_CASE_UPPER = 1,
    FS_CASE_TITLE = 2,
    FS_CASE_FOLD = 3
} fs_text_case;

/* The text helpers below that append to an fs_buf return its failure (FS_ERR_NOMEM, or
 * FS_ERR_LIMIT for a capped buffer) when out ends in a failed state, so a caller never goes
 * on with a text that reads as "". */

/** Append s[0..n) case-mapped (full Unicode mapping, root locale) to out. */
FS_API fs_status fs_text_case_map(fs_buf *out, const char *s, size_t n, fs_text_case c,
                                  fs_error *err);

/** A reusable case mapper (ICU UCaseMap, root locale): mapping many short strings with one
 *  is much faster than fs_text_case_map. Not thread-safe; one per thread. */
typedef struct fs_text_casemapper fs_text_casemapper;
/** out: returns owned (fs_text_casemapper_free). */
FS_API fs_status fs_text_casemapper_new(fs_text_casemapper **out, fs_error *err);
FS_API void fs_text_casemapper_free(fs_text_casemapper *cm);
/** Append s[0..n) case-mapped to out. */
FS_API fs_status fs_text_casemapper_map(fs_text_casemapper *cm, fs_buf *out, const char *s,
                                        size_t n, fs_text_case c, fs_error *err);

/** A compiled ICU regular expression, matched on UTF-8 with byte offsets. Not
 *  thread-safe; one per thread. */
typedef struct fs_text_regex fs_text_regex;
/** Compile pattern (ICU syntax). A bad pattern is FS_ERR_CONFIG naming the pattern, the
 *  problem and its offset. out: returns owned (fs_text_regex_free). */
FS_API fs_status fs_text_regex_new(fs_text_regex **out, const char *pattern, fs_error *err);
FS_API void fs_text_regex_free(fs_text_regex *re);
/** Every non-overlapping match in s[0..n), as byte spans appended to *spans (grown with
 *  fs_realloc; *count and *cap are updated). Empty matches are skipped. */
FS_API fs_status fs_text_regex_find_all(fs_text_regex *re, const char *s, size_t n,
                                        fs_text_span **spans, size_t *count, size_t *cap,
                                        fs_error *err);

/** A text prepared once for many regular expressions: its UTF-16 form and the byte offset
 *  of every UTF-16 unit, so each expression runs on ICU's fast path and no expression
 *  converts the text again. Reusable (its buffers only grow). Not thread-safe; one per
 *  thread. */
typedef struct fs_text_regex_input fs_text_regex_input;
/** out: returns owned (fs_text_regex_input_free). */
FS_API fs_status fs_text_regex_input_new(fs_text_regex_input **out, fs_error *err);
FS_API void fs_text_regex_input_free(fs_text_regex_input *in);
/** Prepare s[0..n) (valid UTF-8; a malformed byte reads as U+FFFD). s: borrowed (copied).
 *  n over INT32_MAX is FS_ERR_LIMIT. */
FS_API fs_status fs_text_regex_input_set(fs_text_regex_input *in, const char *s, size_t n,
                                         fs_error *err);
/** fs_text_regex_find_all over the text last set on in: the same byte spans as
 *  fs_text_regex_find_all on that text when it is valid UTF-8. */
FS_API fs_status fs_text_regex_find_all_input(fs_text_regex *re, const fs_text_regex_input *in,
                                              fs_text_span **spans, size_t *count, size_t *cap,
                                              fs_error *err);

/** Character classes of the first code point of s[0..n). */
typedef struct fs_text_class {
    uint32_t cp;
    bool is_alpha, is_upper, is_lower, is_digit, is_space, is_punct, has_case;
} fs_text_class;
FS_API fs_text_class fs_text_classify(const char *s, size_t n);

/** true for code points that render as nothing or reorder text: default-ignorable code
 *  points (zero-width characters, soft hyphen, variation selectors) and bidirectional
 *  controls. */
FS_API bool fs_text_cp_invisible(uint32_t cp);
/** true for Extended_Pictographic code points (emoji). */
FS_API bool fs_text_cp_pictographic(uint32_t cp);

/** Decode one code point at s[*i] (advancing *i); returns 0xFFFD on malformed input. */
FS_API uint32_t fs_text_next_cp(const char *s, size_t n, size_t *i);
/** Append code point cp as UTF-8. */
FS_API void fs_text_put_cp(fs_buf *out, uint32_t cp);

typedef enum fs_text_form {
    FS_FORM_NFC = 0,
    FS_FORM_NFD = 1,
    FS_FORM_NFKC = 2,
    FS_FORM_NFKD = 3
} fs_text_form;
/** Append s normalised to form. */
FS_API fs_status fs_text_normalize(fs_buf *out, const char *s, size_t n, fs_text_form form,
                                   fs_error *err);

/* ---- character properties (adversarial perturbations) ------------------------------- */
typedef enum fs_text_dir {
    FS_DIR_NEUTRAL = 0, /* no strong character (digits, punctuation, spaces, emoji) */
    FS_DIR_LTR = 1,
    FS_DIR_RTL = 2 /* Hebrew, Arabic, Syriac, Thaana, N'Ko ... (bidi classes R and AL) */
} fs_text_dir;
/** Direction of the first strong character of s[0..n) (UAX #9 classes L, R, AL). */
FS_API fs_text_dir fs_text_strong_dir(const char *s, size_t n);
/** true when every code point of s[0..n) is a combining mark (general category M:
 *  Mn, Mc, Me); true for n == 0. */
FS_API bool fs_text_all_marks(const char *s, size_t n);

/* ---- normalisation, marks and scripts (character perturbations) --------------------- */
/** A reusable normaliser (ICU UNormalizer2): it keeps its UTF-16 scratch buffers between
 *  calls, so normalising many short strings does not allocate. Not thread-safe; one per
 *  thread. */
typedef struct fs_text_normalizer fs_text_normalizer;
/** out: returns owned (fs_text_normalizer_free). */
FS_API fs_status fs_text_normalizer_new(fs_text_normalizer **out, fs_error *err);
FS_API void fs_text_normalizer_free(fs_text_normalizer *nz);
/** Append s[0..n) normalised to form (same result as fs_text_normalize). */
FS_API fs_status fs_text_normalizer_run(fs_text_normalizer *nz, fs_buf *out, const char *s,
                                        size_t n, fs_text_form form, fs_error *err);
/** Append s[0..n) without its accents: NFD, then every nonspacing mark (general category
 *  Mn) with a non-zero canonical combining class is dropped, then NFC. */
FS_API fs_status fs_text_normalizer_strip_marks(fs_text_normalizer *nz, fs_buf *out, const char *s,
                                                size_t n, fs_error *err);
/** The Unicode script of cp as an ICU script code (0 Common, 1 Inherited); two code
 *  points are in the same script when their codes are equal. */
FS_API int fs_text_script(uint32_t cp);
/** The precomposed character that base followed by mark composes to under NFC, or 0. */
FS_API uint32_t fs_text_compose_pair(uint32_t base, uint32_t mark);
/** true when cp has a canonical decomposition (NFD changes it). */
FS_API bool fs_text_decomposes(uint32_t cp);

/* ---- numbers spelled out in words (word perturbations) ------------------------------ */
/** A reusable ICU rule-based number formatter that spells numbers out in words
 *  (UNUM_SPELLOUT: 12345 is "twelve thousand three hundred forty-five" in "en"). Not
 *  thread-safe; one per thread. */
typedef struct fs_text_spellout fs_text_spellout;
/** locale: an ICU locale id such as "en" (borrowed). out: returns owned
 *  (fs_text_spellout_free). */
FS_API fs_status fs_text_spellout_new(fs_text_spellout **out, const char *locale, fs_error *err);
FS_API void fs_text_spellout_free(fs_text_spellout *sp);
/** Append the words of the decimal number num[0..n): ASCII digits with an optional
 *  leading '-' and at most one '.', no grouping ("12345", "-3.25"). Anything else is
 *  FS_ERR_INPUT. */
FS_API fs_status fs_text_spellout_format(fs_text_spellout *sp, fs_buf *out, const char *num,
                                         size_t n, fs_error *err);

/* ---- key/value parameters ------------------------------------------------------------ */
/** An ordered list of string key/value pairs (perturbation parameters and the like).
 *  Keys and values are owned copies. */
typedef struct fs_params {
    char **keys;
    char **values;
    size_t count;
} fs_params;

FS_API void fs_params_init(fs_params *p);
FS_API void fs_params_dispose(fs_params *p);
/** Set key to value, replacing an existing entry. */
FS_API fs_status fs_params_set(fs_params *p, const char *key, const char *value, fs_error *err);
/** Value of key or NULL. */
FS_API const char *fs_params_get(const fs_params *p, const char *key);
FS_API fs_status fs_params_copy(fs_params *dst, const fs_params *src, fs_error *err);

/* ---- misc ---------------------------------------------------------------------------- */
/** Levenshtein distance between two byte strings (for "did you mean"). */
FS_API size_t fs_edit_distance(const char *a, const char *b);
/** The candidate nearest to s, or NULL when none is within a sensible distance. */
FS_API const char *fs_nearest(const char *s, const char *const *candidates, size_t n);
/** Read a whole file. *out: returns owned (fs_free), NUL-terminated. */
FS_API fs_status fs_read_file(char **out, size_t *len_out, const char *path, size_t max,
                              fs_error *err);

FS_END_DECLS
#endif
