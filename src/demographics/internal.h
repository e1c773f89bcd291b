#ifndef FS_DEMOGRAPHICS_INTERNAL_H
#define FS_DEMOGRAPHICS_INTERNAL_H
/* Internal structures of the demographics module, shared by the lexicon loader
 * (lexicon.c), its string table (map.c) and the swap engine (swap.c). A loaded lexicon is
 * immutable: every lookup structure is built once, so any number of swappers on any
 * number of threads can read it. */
#include "fairshake/demographics.h"

#include "fairshake/core.h"

#define FS_DEMOG__NONE      UINT32_MAX
#define FS_DEMOG__MAX_WORDS 16

/* Word forms a term set can give per group; the order is the fallback order used when the
 * target group lacks the source's form. */
typedef enum fs_demog__form {
    FS_DEMOG__SINGULAR = 0,
    FS_DEMOG__ADJECTIVE,
    FS_DEMOG__PLURAL,
    FS_DEMOG__SUBJECT,
    FS_DEMOG__OBJECT,
    FS_DEMOG__DETERMINER,
    FS_DEMOG__POSSESSIVE,
    FS_DEMOG__REFLEXIVE,
    FS_DEMOG__FORM_COUNT
} fs_demog__form;

/** Name of a form as written in the data files. */
const char *fs_demog__form_name(int form);

/* String table: folded key bytes -> one uint32_t value (open addressing, FNV-1a). */
typedef struct fs_demog__slot {
    uint64_t hash;
    uint32_t key_off, key_len, value;
    bool used;
} fs_demog__slot;

typedef struct fs_demog__map {
    fs_demog__slot *slots;
    size_t cap, size;
    fs_buf keys;
} fs_demog__map;

void fs_demog__map_init(fs_demog__map *m);
void fs_demog__map_dispose(fs_demog__map *m);
/** Insert key with value unless present; *value_out is the stored value either way. */
fs_status fs_demog__map_put(fs_demog__map *m, const char *key, size_t n, uint32_t value,
                            uint32_t *value_out, fs_error *err);
/** The value of key, or FS_DEMOG__NONE. */
uint32_t fs_demog__map_get(const fs_demog__map *m, const char *key, size_t n);

/* One way of writing a term: the set it belongs to, its group and form. */
typedef struct fs_demog__entry {
    uint32_t set;
    uint16_t group;
    uint8_t form;
    uint8_t words;     /* word count of the variant */
    uint32_t cap_mask; /* bit i: word i is capitalised in the data */
} fs_demog__entry;

typedef struct fs_demog__axis {
    char *name, *description, *path;
    char **aliases;
    size_t n_aliases;
    char **groups;
    bool *optional;
    size_t n_groups, n_sets;
    bool capitalized_only;
    size_t max_words;
    uint32_t *canon;                 /* [set][group][form] -> offset in lex->strings, or NONE */
    fs_demog__map terms;             /* folded variant -> key id */
    uint32_t *key_first, *key_count; /* key id -> range of entries */
    size_t n_keys;
    fs_demog__entry *entries; /* sorted by key id after loading */
    uint32_t *entry_key;
    size_t n_entries, cap_entries;
    fs_demog__map context_words, context_before, context_after;
    uint32_t *cand;     /* name indices grouped by (group, kind) */
    size_t *cand_start; /* n_groups * 2 + 1 offsets into cand */
} fs_demog__axis;

enum { FS_DEMOG__FIRST = 0, FS_DEMOG__LAST = 1 };

struct fs_demog_lexicon {
    fs_demog__axis *axes;
    size_t n_axes;
    char **files;
    size_t n_files;
    fs_buf strings;               /* NUL-terminated output strings */
    fs_demog__map names;          /* folded name -> name index */
    fs_demog__map function_words; /* union of every axis file's function_words */
    uint32_t *name_str;           /* offset of the display form in strings */
    uint8_t *name_kind;
    int16_t *name_labels; /* [name][axis]: group index or -1 */
    size_t n_names, cap_names;
};

/** Folding context: NFC then full case folding, with U+2019 read as an apostrophe. */
typedef struct fs_demog__folder {
    fs_text_casemapper *cm;
    fs_text_normalizer *nz;
    fs_buf nfc, folded;
} fs_demog__folder;

fs_status fs_demog__folder_init(fs_demog__folder *f, fs_error *err);
void fs_demog__folder_dispose(fs_demog__folder *f);
/** Append the folded form of s[0..n) to out. */
fs_status fs_demog__fold(fs_demog__folder *f, fs_buf *out, const char *s, size_t n, fs_error *err);
/** Offset of a trailing clitic ("'s", "’s", "'ll", ...: an apostrophe then one or two
 *  ASCII letters) in the word w[0..n), or n when there is none. */
size_t fs_demog__clitic(const char *w, size_t n);

/** Load the names files of dir into lex (after the axes). */
fs_status fs_demog__load_names(fs_demog_lexicon *lex, const char *path, fs_demog__folder *f,
                               fs_error *err);
/** Index the names by (axis, group, kind) once every names file is read. */
fs_status fs_demog__build_candidates(fs_demog_lexicon *lex, fs_error *err);
/** Add a path to lex->files (copied). */
fs_status fs_demog__add_file(fs_demog_lexicon *lex, const char *path, fs_error *err);

#endif
