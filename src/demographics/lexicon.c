/* The demographic lexicon: every axis file of <data_dir>/demographics (one JSON file per
 * axis, read in file-name order) and the names files, compiled into lookup tables.
 *
 * Invariants: each term variant is stored under its folded key (words folded one by one
 * and joined by single spaces, so "African-American" and "african american" meet), with
 * one entry per (term set, group, form); entries of one key are contiguous and keep file
 * order, so the first listed group wins an ambiguity. The first variant of each form is
 * the one written out. After loading nothing changes: the lexicon is shared read-only. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "demographics/internal.h"

static const char *const form_names[FS_DEMOG__FORM_COUNT] = {
    "singular", "adjective", "plural", "subject", "object", "determiner", "possessive", "reflexive",
};

const char *fs_demog__form_name(int form)
{
    return (form >= 0 && form < FS_DEMOG__FORM_COUNT) ? form_names[form] : "?";
}

/* Loading state of one axis file. */
typedef struct loader {
    fs_demog_lexicon *lex;
    fs_demog__axis *ax;
    const char *path; /* file name shown in messages */
    fs_demog__folder *fold;
    fs_text_segmenter *seg;
    fs_buf key;
} loader;

static fs_status bad(loader *ld, fs_error *err, const char *where, const char *what)
{
    return FS_FAIL(err, FS_ERR_INPUT, "%s: %s: %s", ld->path, where, what);
}

static char *dup_or_empty(const char *s)
{
    return fs_strdup(s != NULL ? s : "");
}

/* Fold the words of s into ld->key joined by single spaces; count them and note which are
 * capitalised. Words must be separated by spaces or hyphens only. */
static fs_status fold_words(loader *ld, const char *s, const char *where, size_t *words_out,
                            uint32_t *caps_out, fs_error *err)
{
    const fs_text_span *sp = NULL;
    size_t count = 0, words = 0, n = strlen(s);
    uint32_t caps = 0;
    fs_buf_reset(&ld->key);
    fs_status st = fs_text_segmenter_run(ld->seg, &sp, &count, s, n, err);
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        const char *w = s + sp[i].start;
        size_t len = sp[i].end - sp[i].start;
        if (sp[i].kind == 0) {
            if (strspn(w, " -") < len || (w[0] == '-' && len > 1)) {
                return bad(ld, err, where, "words may be separated only by spaces or one hyphen");
            }
            continue;
        }
        if (words == FS_DEMOG__MAX_WORDS) {
            return bad(ld, err, where, "too many words in one term");
        }
        caps |= fs_text_classify(w, len).is_upper ? (1u << words) : 0u;
        if (words++ > 0) {
            fs_buf_putc(&ld->key, ' ');
        }
        st = fs_demog__fold(ld->fold, &ld->key, w, len, err);
    }
    if (st == FS_OK && words == 0) {
        return bad(ld, err, where, "a term must have at least one word");
    }
    *words_out = words;
    *caps_out = caps;
    return st;
}

static fs_status put_string(fs_demog_lexicon *lex, const char *s, uint32_t *off_out, fs_error *err)
{
    if (lex->strings.len >= UINT32_MAX - strlen(s) - 1) {
        return FS_FAIL(err, FS_ERR_LIMIT, "demographics: lexicon too large");
    }
    *off_out = (uint32_t)lex->strings.len;
    fs_buf_append(&lex->strings, s, strlen(s) + 1);
    return fs_buf_status(&lex->strings) == FS_OK ? FS_OK
                                                 : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
}

static fs_status push_entry(loader *ld, uint32_t key_id, fs_demog__entry e, fs_error *err)
{
    fs_demog__axis *ax = ld->ax;
    if (ax->n_entries == ax->cap_entries) {
        size_t cap = ax->cap_entries ? ax->cap_entries * 2 : 256, bytes = 0, kbytes = 0;
        if (!fs_size_mul(&bytes, cap, sizeof *ax->entries) ||
            !fs_size_mul(&kbytes, cap, sizeof *ax->entry_key)) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        fs_demog__entry *ne = fs_realloc(ax->entries, bytes);
        if (ne == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        ax->entries = ne;
        uint32_t *nk = fs_realloc(ax->entry_key, kbytes);
        if (nk == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        ax->entry_key = nk;
        ax->cap_entries = cap;
    }
    ax->entries[ax->n_entries] = e;
    ax->entry_key[ax->n_entries++] = key_id;
    return FS_OK;
}

/* One written variant of (set, group, form); the first of each form is the output. */
static fs_status add_variant(loader *ld, uint32_t set, uint16_t group, int form, const char *s,
                             const char *where, fs_error *err)
{
    fs_demog__axis *ax = ld->ax;
    size_t words = 0;
    uint32_t caps = 0, key_id = 0;
    fs_status st = fold_words(ld, s, where, &words, &caps, err);
    if (st != FS_OK) {
        return st;
    }
    size_t cell = ((size_t)set * ax->n_groups + group) * FS_DEMOG__FORM_COUNT + (size_t)form;
    if (ax->canon[cell] == FS_DEMOG__NONE) {
        st = put_string(ld->lex, s, &ax->canon[cell], err);
    }
    if (st == FS_OK) {
        st = fs_demog__map_put(&ax->terms, ld->key.data, ld->key.len, (uint32_t)ax->terms.size,
                               &key_id, err);
    }
    if (st != FS_OK) {
        return st;
    }
    ax->max_words = words > ax->max_words ? words : ax->max_words;
    fs_demog__entry e = { set, group, (uint8_t)form, (uint8_t)words, caps };
    return push_entry(ld, key_id, e, err);
}

/* A form's value: a string or a non-empty array of strings. */
static fs_status add_form(loader *ld, uint32_t set, uint16_t group, int form, const cJSON *v,
                          const char *where, fs_error *err)
{
    if (cJSON_IsString(v)) {
        return add_variant(ld, set, group, form, v->valuestring, where, err);
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0) {
        return bad(ld, err, where, "expected a string or a non-empty array of strings");
    }
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, v)
    {
        if (!cJSON_IsString(item)) {
            return bad(ld, err, where, "expected a string or a non-empty array of strings");
        }
        fs_status st = add_variant(ld, set, group, form, item->valuestring, where, err);
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}

static int group_index(const fs_demog__axis *ax, const char *name)
{
    for (size_t g = 0; g < ax->n_groups; g++) {
        if (strcmp(ax->groups[g], name) == 0) {
            return (int)g;
        }
    }
    return -1;
}

static int form_index(const char *name)
{
    for (int f = 0; f < FS_DEMOG__FORM_COUNT; f++) {
        if (strcmp(form_names[f], name) == 0) {
            return f;
        }
    }
    return -1;
}

static fs_status add_set(loader *ld, uint32_t set, const cJSON *obj, fs_error *err)
{
    char where[192];
    const cJSON *m = NULL;
    if (!cJSON_IsObject(obj) || obj->child == NULL) {
        snprintf(where, sizeof where, "terms[%u]", (unsigned)set);
        return bad(ld, err, where, "expected an object mapping groups to terms");
    }
    cJSON_ArrayForEach(m, obj)
    {
        int g = group_index(ld->ax, m->string);
        snprintf(where, sizeof where, "terms[%u].%s", (unsigned)set, m->string);
        if (g < 0) {
            return bad(ld, err, where, "not a group of this axis");
        }
        fs_status st = FS_OK;
        if (!cJSON_IsObject(m)) {
            st = add_form(ld, set, (uint16_t)g, FS_DEMOG__SINGULAR, m, where, err);
        }
        const cJSON *f = NULL;
        for (f = cJSON_IsObject(m) ? m->child : NULL; st == FS_OK && f != NULL; f = f->next) {
            int form = form_index(f->string);
            snprintf(where, sizeof where, "terms[%u].%s.%s", (unsigned)set, m->string, f->string);
            if (form < 0) {
                const char *near = fs_nearest(f->string, form_names, FS_DEMOG__FORM_COUNT);
                char what[128];
                snprintf(what, sizeof what, "unknown form%s%s%s", near ? " (did you mean '" : "",
                         near ? near : "", near ? "'?)" : "");
                return bad(ld, err, where, what);
            }
            st = add_form(ld, set, (uint16_t)g, form, f, where, err);
        }
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}

/* A word list (function words, context words) into a table of folded words. */
static fs_status load_words(loader *ld, fs_demog__map *m, const cJSON *arr, const char *where,
                            fs_error *err)
{
    const cJSON *item = NULL;
    if (arr == NULL) {
        return FS_OK;
    }
    if (!cJSON_IsArray(arr)) {
        return bad(ld, err, where, "expected an array of strings");
    }
    cJSON_ArrayForEach(item, arr)
    {
        size_t words = 0;
        uint32_t caps = 0;
        if (!cJSON_IsString(item)) {
            return bad(ld, err, where, "expected an array of strings");
        }
        fs_status st = fold_words(ld, item->valuestring, where, &words, &caps, err);
        if (st == FS_OK) {
            st = fs_demog__map_put(m, ld->key.data, ld->key.len, 1, NULL, err);
        }
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}

static fs_status load_strings(loader *ld, const cJSON *arr, const char *where, char ***out,
                              size_t *n_out, fs_error *err)
{
    int n = arr ? cJSON_GetArraySize(arr) : 0;
    if (arr != NULL && !cJSON_IsArray(arr)) {
        return bad(ld, err, where, "expected an array of strings");
    }
    *out = fs_calloc((size_t)n + 1, sizeof **out);
    if (*out == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        const cJSON *s = cJSON_GetArrayItem(arr, i);
        if (!cJSON_IsString(s) || s->valuestring[0] == '\0') {
            return bad(ld, err, where, "expected an array of non-empty strings");
        }
        (*out)[i] = fs_strdup(s->valuestring);
        if ((*out)[i] == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        *n_out = (size_t)i + 1;
    }
    return FS_OK;
}

static fs_status load_groups(loader *ld, const cJSON *arr, fs_error *err)
{
    fs_demog__axis *ax = ld->ax;
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    char where[64];
    if (n == 0 || n > 4096) {
        return bad(ld, err, "groups", "expected an array of 1 to 4096 group objects");
    }
    ax->groups = fs_calloc((size_t)n, sizeof *ax->groups);
    ax->optional = fs_calloc((size_t)n, sizeof *ax->optional);
    if (ax->groups == NULL || ax->optional == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        const cJSON *g = cJSON_GetArrayItem(arr, i);
        const char *name = fs_json__str(g, "name");
        const cJSON *opt = cJSON_GetObjectItemCaseSensitive(g, "optional");
        snprintf(where, sizeof where, "groups[%d].name", i);
        if (name == NULL || name[0] == '\0' || group_index(ax, name) >= 0) {
            return bad(ld, err, where, "expected a unique non-empty string");
        }
        ax->groups[i] = fs_strdup(name);
        if (ax->groups[i] == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        ax->optional[i] = cJSON_IsTrue(opt);
        ax->n_groups = (size_t)i + 1;
    }
    return FS_OK;
}

/* Group the entries by key id (a stable counting sort) so each key owns one range. */
static fs_status finish_axis(fs_demog__axis *ax, fs_error *err)
{
    size_t nk = ax->terms.size;
    fs_demog__entry *sorted = fs_calloc(ax->n_entries + 1, sizeof *sorted);
    ax->key_first = fs_calloc(nk + 1, sizeof *ax->key_first);
    ax->key_count = fs_calloc(nk + 1, sizeof *ax->key_count);
    if (sorted == NULL || ax->key_first == NULL || ax->key_count == NULL) {
        fs_free(sorted);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < ax->n_entries; i++) {
        ax->key_count[ax->entry_key[i]]++;
    }
    uint32_t next = 0;
    for (size_t k = 0; k < nk; k++) {
        ax->key_first[k] = next;
        next += ax->key_count[k];
        ax->key_count[k] = 0;
    }
    for (size_t i = 0; i < ax->n_entries; i++) {
        uint32_t k = ax->entry_key[i];
        sorted[ax->key_first[k] + ax->key_count[k]++] = ax->entries[i];
    }
    fs_free(ax->entries);
    ax->entries = sorted;
    ax->n_keys = nk;
    return FS_OK;
}

static fs_status load_context(loader *ld, const cJSON *root, fs_error *err)
{
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(root, "context");
    fs_status st =
        load_words(ld, &ld->lex->function_words,
                   cJSON_GetObjectItemCaseSensitive(root, "function_words"), "function_words", err);
    if (st != FS_OK || ctx == NULL) {
        return st;
    }
    if (!cJSON_IsObject(ctx)) {
        return bad(ld, err, "context", "expected an object with words, before and after");
    }
    st = load_words(ld, &ld->ax->context_words, cJSON_GetObjectItemCaseSensitive(ctx, "words"),
                    "context.words", err);
    if (st == FS_OK) {
        st = load_words(ld, &ld->ax->context_before,
                        cJSON_GetObjectItemCaseSensitive(ctx, "before"), "context.before", err);
    }
    if (st == FS_OK) {
        st = load_words(ld, &ld->ax->context_after, cJSON_GetObjectItemCaseSensitive(ctx, "after"),
                        "context.after", err);
    }
    return st;
}

static fs_status load_terms(loader *ld, const cJSON *terms, fs_error *err)
{
    fs_demog__axis *ax = ld->ax;
    size_t cells = 0;
    int n = cJSON_IsArray(terms) ? cJSON_GetArraySize(terms) : -1;
    if (n < 0) {
        return bad(ld, err, "terms", "expected an array of term sets");
    }
    ax->n_sets = (size_t)n;
    if (!fs_size_mul(&cells, ax->n_sets + 1, ax->n_groups) ||
        !fs_size_mul(&cells, cells, FS_DEMOG__FORM_COUNT * sizeof *ax->canon)) {
        return FS_FAIL(err, FS_ERR_LIMIT, "%s: terms: too many term sets", ld->path);
    }
    ax->canon = fs_malloc(cells);
    if (ax->canon == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    memset(ax->canon, 0xFF, cells);
    for (int i = 0; i < n; i++) {
        fs_status st = add_set(ld, (uint32_t)i, cJSON_GetArrayItem(terms, i), err);
        if (st != FS_OK) {
            return st;
        }
    }
    return finish_axis(ax, err);
}

static fs_status load_axis_json(loader *ld, const cJSON *root, fs_error *err)
{
    fs_demog__axis *ax = ld->ax;
    const char *name = fs_json__str(root, "axis");
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(root, "capitalized_only");
    const cJSON *sources = cJSON_GetObjectItemCaseSensitive(root, "sources");
    if (name == NULL || name[0] == '\0') {
        return bad(ld, err, "axis", "expected the axis name as a non-empty string");
    }
    if (sources != NULL && !cJSON_IsArray(sources)) {
        return bad(ld, err, "sources", "expected an array");
    }
    if (caps != NULL && !cJSON_IsBool(caps)) {
        return bad(ld, err, "capitalized_only", "expected true or false");
    }
    ax->capitalized_only = cJSON_IsTrue(caps);
    ax->name = fs_strdup(name);
    ax->description = dup_or_empty(fs_json__str(root, "description"));
    if (ax->name == NULL || ax->description == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_status st = load_strings(ld, cJSON_GetObjectItemCaseSensitive(root, "aliases"), "aliases",
                                &ax->aliases, &ax->n_aliases, err);
    if (st == FS_OK) {
        st = load_groups(ld, cJSON_GetObjectItemCaseSensitive(root, "groups"), err);
    }
    if (st == FS_OK) {
        st = load_context(ld, root, err);
    }
    if (st == FS_OK) {
        st = load_terms(ld, cJSON_GetObjectItemCaseSensitive(root, "terms"), err);
    }
    return st;
}

static void axis_dispose(fs_demog__axis *ax)
{
    for (size_t i = 0; ax->aliases != NULL && i < ax->n_aliases; i++) {
        fs_free(ax->aliases[i]);
    }
    for (size_t g = 0; ax->groups != NULL && g < ax->n_groups; g++) {
        fs_free(ax->groups[g]);
    }
    fs_free(ax->aliases);
    fs_free(ax->groups);
    fs_free(ax->optional);
    fs_free(ax->name);
    fs_free(ax->description);
    fs_free(ax->path);
    fs_free(ax->canon);
    fs_free(ax->key_first);
    fs_free(ax->key_count);
    fs_free(ax->entries);
    fs_free(ax->entry_key);
    fs_free(ax->cand);
    fs_free(ax->cand_start);
    fs_demog__map_dispose(&ax->terms);
    fs_demog__map_dispose(&ax->context_words);
    fs_demog__map_dispose(&ax->context_before);
    fs_demog__map_dispose(&ax->context_after);
}

/* Load one axis file as lex->axes[lex->n_axes]. A JSON object without an "axis" member
 * is another part's data (refusal phrases, dialect maps): *taken is false and it is left. */
static fs_status load_axis(loader *ld, const char *path, const char *shown, bool *taken,
                           fs_error *err)
{
    fs_demog_lexicon *lex = ld->lex;
    cJSON *root = NULL;
    fs_demog__axis *ax = &lex->axes[lex->n_axes];
    memset(ax, 0, sizeof *ax);
    fs_demog__map_init(&ax->terms);
    fs_demog__map_init(&ax->context_words);
    fs_demog__map_init(&ax->context_before);
    fs_demog__map_init(&ax->context_after);
    ld->ax = ax;
    ld->path = shown;
    *taken = true;
    fs_status st = fs_json__parse_file(&root, path, err);
    if (st != FS_OK) {
        st = err != NULL ? (err->code = FS_ERR_INPUT) : FS_ERR_INPUT;
    } else if (!cJSON_IsObject(root)) {
        st = bad(ld, err, "$", "an axis file must be a JSON object");
    } else if (cJSON_GetObjectItemCaseSensitive(root, "axis") == NULL) {
        *taken = false;
    } else {
        st = load_axis_json(ld, root, err);
    }
    if (st == FS_OK && fs_demog_axis_find(lex, ax->name) >= 0) {
        st = bad(ld, err, "axis", "an axis of this name is already loaded");
    }
    cJSON_Delete(root);
    if (st == FS_OK) {
        ax->path = fs_strdup(path);
        st = ax->path != NULL ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st != FS_OK || !*taken) {
        axis_dispose(ax);
        return st;
    }
    lex->n_axes++;
    return FS_OK;
}

fs_status fs_demog__add_file(fs_demog_lexicon *lex, const char *path, fs_error *err)
{
    char **nf = fs_realloc(lex->files, (lex->n_files + 1) * sizeof *nf);
    if (nf == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    lex->files = nf;
    lex->files[lex->n_files] = fs_strdup(path);
    if (lex->files[lex->n_files] == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    lex->n_files++;
    return FS_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_names_file(const char *name)
{
    return strcmp(name, "names.json") == 0 || strncmp(name, "names-", 6) == 0;
}

/* The *.json file names of dir, sorted (byte order, so the same on every machine). */
static fs_status list_json(const char *dir, char ***out, size_t *n_out, fs_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e = NULL;
    size_t n = 0, cap = 0;
    char **names = NULL;
    *out = NULL;
    *n_out = 0;
    if (d == NULL) {
        return FS_FAIL(err, FS_ERR_CONFIG, "%s: cannot open the demographics directory", dir);
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 5, ".json") != 0) {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = fs_realloc(names, cap * sizeof *nn);
            if (nn == NULL) {
                break;
            }
            names = nn;
        }
        names[n] = fs_strdup(e->d_name);
        if (names[n] == NULL) {
            break;
        }
        n++;
    }
    closedir(d);
    if (e != NULL) {
        for (size_t i = 0; i < n; i++) {
            fs_free(names[i]);
        }
        fs_free(names);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (n > 1) {
        qsort(names, n, sizeof *names, cmp_str);
    }
    *out = names;
    *n_out = n;
    return FS_OK;
}

/* Load the axis files (names_pass false) or the names files (true) of dir. */
static fs_status load_pass(loader *ld, const char *dir, char **files, size_t n, bool names_pass,
                           fs_error *err)
{
    fs_buf path;
    fs_status st = FS_OK;
    fs_buf_init(&path, 0);
    for (size_t i = 0; st == FS_OK && i < n; i++) {
        if (is_names_file(files[i]) != names_pass) {
            continue;
        }
        fs_buf_reset(&path);
        fs_buf_printf(&path, "%s/%s", dir, files[i]);
        if (fs_buf_status(&path) != FS_OK) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
            break;
        }
        bool taken = true;
        st = names_pass ? fs_demog__load_names(ld->lex, path.data, ld->fold, err)
                        : load_axis(ld, path.data, path.data, &taken, err);
        if (st == FS_OK && taken) {
            st = fs_demog__add_file(ld->lex, path.data, err);
        }
    }
    fs_buf_dispose(&path);
    return st;
}

static fs_status load_dir(fs_demog_lexicon *lex, const char *dir, fs_error *err)
{
    char **files = NULL;
    size_t n = 0;
    loader ld;
    fs_demog__folder fold;
    memset(&ld, 0, sizeof ld);
    fs_buf_init(&ld.key, 0);
    ld.lex = lex;
    ld.fold = &fold;
    fs_status st = list_json(dir, &files, &n, err);
    if (st == FS_OK) {
        lex->axes = fs_calloc(n + 1, sizeof *lex->axes);
        st = lex->axes != NULL ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        st = fs_demog__folder_init(&fold, err);
        if (st == FS_OK) {
            st = fs_text_segmenter_new(&ld.seg, FS_TEXT_WORD, err);
            if (st == FS_OK) {
                st = load_pass(&ld, dir, files, n, false, err);
            }
            if (st == FS_OK && lex->n_axes == 0) {
                st = FS_FAIL(err, FS_ERR_CONFIG, "%s: no axis file (*.json) found", dir);
            }
            if (st == FS_OK) {
                st = load_pass(&ld, dir, files, n, true, err);
            }
            if (st == FS_OK) {
                st = fs_demog__build_candidates(lex, err);
            }
            fs_text_segmenter_free(ld.seg);
            fs_demog__folder_dispose(&fold);
        }
    }
    for (size_t i = 0; i < n; i++) {
        fs_free(files[i]);
    }
    fs_free(files);
    fs_buf_dispose(&ld.key);
    return st;
}

fs_status fs_demog_lexicon_load(fs_demog_lexicon **out, const char *data_dir, fs_error *err)
{
    fs_buf dir;
    *out = NULL;
    if (data_dir == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "demographics: no data directory");
    }
    fs_demog_lexicon *lex = fs_calloc(1, sizeof *lex);
    if (lex == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_init(&lex->strings, 0);
    fs_demog__map_init(&lex->names);
    fs_demog__map_init(&lex->function_words);
    fs_buf_init(&dir, 0);
    fs_buf_printf(&dir, "%s/demographics", data_dir);
    fs_status st = fs_buf_status(&dir) == FS_OK ? load_dir(lex, dir.data, err)
                                                : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    fs_buf_dispose(&dir);
    if (st != FS_OK) {
        fs_demog_lexicon_free(lex);
        return st;
    }
    *out = lex;
    return FS_OK;
}

void fs_demog_lexicon_free(fs_demog_lexicon *lex)
{
    if (lex == NULL) {
        return;
    }
    for (size_t a = 0; a < lex->n_axes; a++) {
        axis_dispose(&lex->axes[a]);
    }
    for (size_t i = 0; i < lex->n_files; i++) {
        fs_free(lex->files[i]);
    }
    fs_free(lex->axes);
    fs_free(lex->files);
    fs_buf_dispose(&lex->strings);
    fs_demog__map_dispose(&lex->names);
    fs_demog__map_dispose(&lex->function_words);
    fs_free(lex->name_str);
    fs_free(lex->name_kind);
    fs_free(lex->name_labels);
    fs_free(lex);
}

/* ---- accessors ----------------------------------------------------------------------- */

size_t fs_demog_axis_count(const fs_demog_lexicon *lex)
{
    return lex->n_axes;
}

const char *fs_demog_axis_name(const fs_demog_lexicon *lex, size_t axis)
{
    return axis < lex->n_axes ? lex->axes[axis].name : NULL;
}

const char *fs_demog_axis_description(const fs_demog_lexicon *lex, size_t axis)
{
    return axis < lex->n_axes ? lex->axes[axis].description : NULL;
}

int fs_demog_axis_find(const fs_demog_lexicon *lex, const char *name)
{
    for (size_t a = 0; name != NULL && a < lex->n_axes; a++) {
        const fs_demog__axis *ax = &lex->axes[a];
        if (strcmp(ax->name, name) == 0) {
            return (int)a;
        }
        for (size_t i = 0; i < ax->n_aliases; i++) {
            if (strcmp(ax->aliases[i], name) == 0) {
                return (int)a;
            }
        }
    }
    return -1;
}

size_t fs_demog_group_count(const fs_demog_lexicon *lex, size_t axis)
{
    return axis < lex->n_axes ? lex->axes[axis].n_groups : 0;
}

const char *fs_demog_group_name(const fs_demog_lexicon *lex, size_t axis, size_t group)
{
    if (axis >= lex->n_axes || group >= lex->axes[axis].n_groups) {
        return NULL;
    }
    return lex->axes[axis].groups[group];
}

bool fs_demog_group_optional(const fs_demog_lexicon *lex, size_t axis, size_t group)
{
    return axis < lex->n_axes && group < lex->axes[axis].n_groups &&
           lex->axes[axis].optional[group];
}

int fs_demog_group_find(const fs_demog_lexicon *lex, size_t axis, const char *name)
{
    return (axis < lex->n_axes && name != NULL) ? group_index(&lex->axes[axis], name) : -1;
}

size_t fs_demog_files(const fs_demog_lexicon *lex, const char *const **paths)
{
    *paths = (const char *const *)lex->files;
    return lex->n_files;
}
