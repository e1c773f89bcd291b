/* The character-noise family beyond the first four: swap, insert, delete, substitute,
 * ocr, leet, diacritics and unicode-forms.
 * Invariants: text is walked as ICU grapheme clusters (and, for swap and delete, ICU word
 * segments), so a combining sequence, an emoji ZWJ sequence, a flag or a Hangul syllable
 * is moved, dropped or replaced whole and never split; each eligible unit takes exactly
 * one draw from the RNG, in text order, and a unit that is not eligible takes none, so a
 * variant depends only on (text, parameters, RNG stream); unchanged stretches are copied
 * straight from the input. Everything a kind looks up on the hot path (layout keys and
 * their case forms, OCR and leet sources in every case and normal form, the accented
 * forms of each letter) is precomputed by its init hook into p->state, so applying does
 * no case mapping and, after warm-up, no allocation. */
#include "perturb/internal.h"

#include <string.h>

enum { MODE_STRIP = 0, MODE_ADD = 1 };
/* unicode-forms: the fs_text_form values, then these */
enum { FORM_FULLWIDTH = 4, FORM_RANDOM = 5, N_FORMS = 5 };
/* diacritics add: base letters are looked up in the Latin, Greek and Cyrillic blocks */
enum { ACC_LIMIT = 0x530 };
enum { MAX_SCRIPTS = 8 };

/* A letter key of a layout (insert, substitute): its spellings in blob. */
typedef struct chars_key {
    uint32_t off[4]; /* lower NFC, upper NFC, lower NFD, upper NFD */
    uint32_t len[4];
} chars_key;

typedef struct chars_state {
    /* insert, substitute */
    char *blob;
    chars_key *keys;
    size_t n_keys;
    int scripts[MAX_SCRIPTS];
    size_t n_scripts;
    bool latin_ok;
    /* ocr, leet */
    fs_perturb__map *lex;
    size_t lex_span;     /* most graphemes in a source */
    bool lex_first[256]; /* bytes a source can start with */
    /* diacritics, unicode-forms */
    fs_text_normalizer *nz;
    int mode;
    int lgc[3]; /* Latin, Greek, Cyrillic */
    uint16_t *acc_first;
    uint32_t *acc;
} chars_state;

static fs_status state_new(fs_perturber *p, fs_error *err)
{
    chars_state *s = fs_calloc(1, sizeof *s);
    if (s == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    s->lgc[0] = fs_text_script('a');
    s->lgc[1] = fs_text_script(0x3B1);
    s->lgc[2] = fs_text_script(0x430);
    p->state = s;
    return FS_OK;
}

static void chars_fini(fs_perturber *p)
{
    chars_state *s = p->state;
    if (s == NULL) {
        return;
    }
    fs_free(s->blob);
    fs_free(s->keys);
    fs_perturb__map_free(s->lex);
    fs_text_normalizer_free(s->nz);
    fs_free(s->acc_first);
    fs_free(s->acc);
    fs_free(s);
    p->state = NULL;
}

/* ---- character tests ----------------------------------------------------------------- */

static bool ascii_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_letter(const char *g, size_t n)
{
    unsigned char c = (unsigned char)g[0];
    return c < 0x80 ? ascii_alpha(c) : fs_text_classify(g, n).is_alpha;
}

static bool is_upper(const char *g, size_t n)
{
    unsigned char c = (unsigned char)g[0];
    return c < 0x80 ? (c >= 'A' && c <= 'Z') : fs_text_classify(g, n).is_upper;
}

static bool script_in(const int *set, size_t n, int script)
{
    for (size_t i = 0; i < n; i++) {
        if (set[i] == script) {
            return true;
        }
    }
    return false;
}

/* A letter in one of the layout's scripts (insert, substitute). */
static bool layout_letter(const chars_state *s, const char *g, size_t n)
{
    unsigned char c = (unsigned char)g[0];
    if (c < 0x80) {
        return s->latin_ok && ascii_alpha(c);
    }
    fs_text_class k = fs_text_classify(g, n);
    return k.is_alpha && script_in(s->scripts, s->n_scripts, fs_text_script(k.cp));
}

static bool same_bytes(const char *text, const fs_text_span *a, const fs_text_span *b)
{
    size_t n = a->end - a->start;
    return n == b->end - b->start && memcmp(text + a->start, text + b->start, n) == 0;
}

/* ---- swap and delete: letters within words ------------------------------------------- */

static fs_status segment_both(fs_perturber *p, const char *text, size_t n, const fs_text_span **g,
                              size_t *ng, const fs_text_span **w, size_t *nw, fs_error *err)
{
    fs_status st = fs_text_segmenter_run(p->seg, g, ng, text, n, err);
    if (st == FS_OK) {
        st = fs_text_segmenter_run(p->words, w, nw, text, n, err);
    }
    return st;
}

/* Advance *gi to the first grapheme of word w; returns the index after its last. */
static size_t word_graphemes(const fs_text_span *g, size_t ng, size_t *gi, const fs_text_span *w)
{
    while (*gi < ng && g[*gi].start < w->start) {
        (*gi)++;
    }
    size_t end = *gi;
    while (end < ng && g[end].end <= w->end) {
        end++;
    }
    return end;
}

static fs_status swap_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out,
                            fs_error *err)
{
    const fs_text_span *g = NULL, *w = NULL;
    size_t ng = 0, nw = 0, gi = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = segment_both(p, text, n, &g, &ng, &w, &nw, err);
    for (size_t wi = 0; st == FS_OK && wi < nw; wi++) {
        if (w[wi].kind == 0) {
            continue;
        }
        size_t end = word_graphemes(g, ng, &gi, &w[wi]);
        size_t i = gi;
        bool cur = i < end && is_letter(text + g[i].start, g[i].end - g[i].start);
        while (i + 1 < end) {
            const fs_text_span *a = &g[i], *b = &g[i + 1];
            bool next = is_letter(text + b->start, b->end - b->start);
            if (cur && next && !same_bytes(text, a, b) && fs_perturb__draw(rng, p->rate)) {
                fs_perturb__emit_upto(&e, a->start, b->end);
                fs_buf_append(out, text + b->start, b->end - b->start);
                fs_buf_append(out, text + a->start, a->end - a->start);
                i += 2;
                cur = i < end && is_letter(text + g[i].start, g[i].end - g[i].start);
                continue;
            }
            cur = next;
            i++;
        }
        gi = end;
    }
    fs_perturb__emit_upto(&e, n, n);
    return st;
}

static fs_status delete_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out,
                              fs_error *err)
{
    const fs_text_span *g = NULL, *w = NULL;
    size_t ng = 0, nw = 0, gi = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = segment_both(p, text, n, &g, &ng, &w, &nw, err);
    for (size_t wi = 0; st == FS_OK && wi < nw; wi++) {
        if (w[wi].kind == 0) {
            continue;
        }
        size_t end = word_graphemes(g, ng, &gi, &w[wi]);
        size_t last = end, kept = 0;
        for (size_t i = gi; i < end; i++) {
            last = is_letter(text + g[i].start, g[i].end - g[i].start) ? i : last;
        }
        for (size_t i = gi; i < end; i++) {
            if (!is_letter(text + g[i].start, g[i].end - g[i].start)) {
                continue;
            }
            /* the only letter left is kept, so a word never disappears */
            if (i == last && kept == 0) {
                continue;
            }
            if (fs_perturb__draw(rng, p->rate)) {
                fs_perturb__emit_upto(&e, g[i].start, g[i].end);
            } else {
                kept++;
            }
        }
        gi = end;
    }
    fs_perturb__emit_upto(&e, n, n);
    return st;
}

/* ---- insert and substitute: random keys of a layout ---------------------------------- */

/* The number of graphemes of s, or 0 when s is empty or not valid UTF-8. */
static size_t grapheme_count(fs_perturber *p, const char *s, size_t n, fs_error *err)
{
    const fs_text_span *g = NULL;
    size_t count = 0;
    if (n == 0 || !fs_text_valid_utf8(s, n) ||
        fs_text_segmenter_run(p->seg, &g, &count, s, n, err) != FS_OK) {
        return 0;
    }
    return count;
}

/* Append the case forms of key ks to the blob. A key whose upper case is more than one
 * character (ß → SS) keeps its lower case. */
static fs_status put_key(fs_perturber *p, fs_buf *blob, const char *ks, chars_key *k, fs_error *err)
{
    static const fs_text_case cases[4] = { FS_CASE_LOWER, FS_CASE_UPPER, FS_CASE_LOWER,
                                           FS_CASE_UPPER };
    static const fs_text_form forms[4] = { FS_FORM_NFC, FS_FORM_NFC, FS_FORM_NFD, FS_FORM_NFD };
    fs_buf tmp;
    fs_status st = FS_OK;
    fs_buf_init(&tmp, 0);
    for (int f = 0; f < 4 && st == FS_OK; f++) {
        fs_buf_reset(&tmp);
        st = fs_text_casemapper_map(p->cm, &tmp, ks, strlen(ks), cases[f], err);
        if (st == FS_OK && grapheme_count(p, tmp.data, tmp.len, err) != 1) {
            fs_buf_reset(&tmp);
            st = fs_text_casemapper_map(p->cm, &tmp, ks, strlen(ks), FS_CASE_LOWER, err);
        }
        size_t at = blob->len;
        if (st == FS_OK) {
            st = fs_text_normalize(blob, fs_buf_cstr(&tmp), tmp.len, forms[f], err);
        }
        k->off[f] = (uint32_t)at;
        k->len[f] = (uint32_t)(blob->len - at);
    }
    if (st == FS_OK && (fs_buf_status(&tmp) != FS_OK || fs_buf_status(blob) != FS_OK)) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_dispose(&tmp);
    return st;
}

/* Collect the letter keys of the layout file (validated by fs_perturb__layout_init). */
static fs_status collect_keys(fs_perturber *p, chars_state *s, const cJSON *nbs, const char *path,
                              fs_error *err)
{
    fs_buf blob = FS_BUF_INIT;
    fs_status st = FS_OK;
    size_t n = (size_t)cJSON_GetArraySize(nbs);
    s->keys = fs_calloc(n > 0 ? n : 1, sizeof *s->keys);
    if (s->keys == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, nbs)
    {
        const char *ks = entry->string;
        fs_text_class k = fs_text_classify(ks, strlen(ks));
        if (st != FS_OK || !k.is_alpha) {
            continue;
        }
        int sc = fs_text_script(k.cp);
        if (!script_in(s->scripts, s->n_scripts, sc) && s->n_scripts < MAX_SCRIPTS) {
            s->scripts[s->n_scripts++] = sc;
        }
        st = put_key(p, &blob, ks, &s->keys[s->n_keys++], err);
    }
    if (st == FS_OK && s->n_keys < 2) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: neighbours: needs at least two letter keys", path);
    }
    if (st == FS_OK && (s->blob = fs_buf_take(&blob, NULL)) == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    s->latin_ok = script_in(s->scripts, s->n_scripts, s->lgc[0]);
    fs_buf_dispose(&blob);
    return st;
}

static fs_status keys_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    cJSON *root = NULL;
    fs_status st = fs_perturb__layout_init(p, data_dir, err);
    if (st == FS_OK) {
        st = state_new(p, err);
    }
    if (st != FS_OK) {
        return st;
    }
    const char *path = p->files[p->n_files - 1];
    st = fs_json__parse_file(&root, path, err);
    if (st == FS_OK) {
        st = collect_keys(p, p->state, cJSON_GetObjectItemCaseSensitive(root, "neighbours"), path,
                          err);
    }
    cJSON_Delete(root);
    return st;
}

static fs_str key_form(const chars_state *s, size_t k, int form)
{
    fs_str r = { s->blob + s->keys[k].off[form], s->keys[k].len[form] };
    return r;
}

/* Index of the key spelled g[0..n) in any case or form, or n_keys. */
static size_t find_key(const chars_state *s, const char *g, size_t n)
{
    for (size_t k = 0; k < s->n_keys; k++) {
        for (int f = 0; f < 4; f++) {
            fs_str v = key_form(s, k, f);
            if (v.len == n && memcmp(v.ptr, g, n) == 0) {
                return k;
            }
        }
    }
    return s->n_keys;
}

static fs_status insert_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out,
                              fs_error *err)
{
    const chars_state *s = p->state;
    const fs_text_span *g = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        if (!layout_letter(s, text + g[i].start, g[i].end - g[i].start) ||
            !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        size_t k = (size_t)fs_rng_below(rng, s->n_keys);
        /* the case of the letter that follows, else of the letter itself */
        const fs_text_span *c = &g[i];
        if (i + 1 < count && is_letter(text + g[i + 1].start, g[i + 1].end - g[i + 1].start)) {
            c = &g[i + 1];
        }
        fs_str key = key_form(s, k, is_upper(text + c->start, c->end - c->start) ? 1 : 0);
        fs_perturb__emit_upto(&e, g[i].end, g[i].end);
        fs_buf_append(out, key.ptr, key.len);
    }
    fs_perturb__emit_upto(&e, n, n);
    return st;
}

static fs_status substitute_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                  fs_buf *out, fs_error *err)
{
    const chars_state *s = p->state;
    const fs_text_span *g = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        const char *gs = text + g[i].start;
        size_t len = g[i].end - g[i].start;
        if (!layout_letter(s, gs, len) || !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        /* any key but the letter itself, uniformly */
        size_t own = find_key(s, gs, len);
        size_t k = (size_t)fs_rng_below(rng, s->n_keys - (own < s->n_keys));
        k += own < s->n_keys && k >= own;
        fs_str key = key_form(s, k, is_upper(gs, len) ? 1 : 0);
        fs_perturb__emit_upto(&e, g[i].start, g[i].end);
        fs_buf_append(out, key.ptr, key.len);
    }
    fs_perturb__emit_upto(&e, n, n);
    return st;
}

/* ---- ocr and leet: replacement lexicons over graphemes --------------------------------- */

static fs_status bad_entry(const char *path, const char *member, const char *key, fs_error *err)
{
    return FS_FAIL(err, FS_ERR_INPUT, "%s: %s.%s: expected a non-empty array of non-empty strings",
                   path, member, key);
}

/* Append s case-mapped (c < 0: as written) and normalised to form. */
static fs_status put_case_form(fs_perturber *p, fs_buf *out, const char *s, int c,
                               fs_text_form form, fs_error *err)
{
    fs_buf tmp = FS_BUF_INIT;
    fs_status st = FS_OK;
    if (c >= 0) {
        st = fs_text_casemapper_map(p->cm, &tmp, s, strlen(s), (fs_text_case)c, err);
    } else {
        fs_buf_puts(&tmp, s);
    }
    if (st == FS_OK) {
        st = fs_text_normalize(out, fs_buf_cstr(&tmp), tmp.len, form, err);
    }
    if (st == FS_OK && fs_buf_status(&tmp) != FS_OK) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_dispose(&tmp);
    return st;
}

/* Whether key is one of the lines of seen. */
static bool seen_before(const fs_buf *seen, const fs_buf *key)
{
    size_t at = 0;
    while (at < seen->len) {
        const char *nl = memchr(seen->data + at, '\n', seen->len - at);
        size_t len = (size_t)(nl - (seen->data + at));
        if (len == key->len && memcmp(seen->data + at, key->data, len) == 0) {
            return true;
        }
        at += len + 1;
    }
    return false;
}

/* Add source key with values under one spelling: case c (-1: as written), form. Values
 * take the same case; a spelling already added for this source (seen) is skipped. */
static fs_status add_spelling(fs_perturber *p, const cJSON *entry, int c, fs_text_form form,
                              fs_buf *seen, fs_error *err)
{
    chars_state *s = p->state;
    fs_buf key = FS_BUF_INIT, val = FS_BUF_INIT;
    fs_status st = put_case_form(p, &key, entry->string, c, form, err);
    bool dup = st == FS_OK && seen_before(seen, &key);
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, entry)
    {
        if (st != FS_OK || dup) {
            break;
        }
        fs_buf_reset(&val);
        st = put_case_form(p, &val, item->valuestring, c, FS_FORM_NFC, err);
        if (st == FS_OK) {
            st = fs_perturb__map_add(s->lex, key.data, key.len, val.data, val.len, err);
        }
    }
    if (st == FS_OK && !dup) {
        s->lex_first[(unsigned char)key.data[0]] = true;
        fs_buf_append(seen, key.data, key.len);
        fs_buf_putc(seen, '\n');
    }
    fs_buf_dispose(&key);
    fs_buf_dispose(&val);
    return st;
}

/* Check one source and its values, then add every spelling of it. */
static fs_status add_source(fs_perturber *p, const cJSON *entry, bool any_case, const char *path,
                            const char *member, fs_error *err)
{
    chars_state *s = p->state;
    const char *key = entry->string;
    size_t span = grapheme_count(p, key, strlen(key), err);
    if (span == 0) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s: '%s': a source must be non-empty UTF-8", path,
                       member, key);
    }
    if (!cJSON_IsArray(entry) || entry->child == NULL) {
        return bad_entry(path, member, key, err);
    }
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, entry)
    {
        const char *v = cJSON_IsString(item) ? item->valuestring : NULL;
        if (v == NULL || v[0] == '\0' || !fs_text_valid_utf8(v, strlen(v))) {
            return bad_entry(path, member, key, err);
        }
    }
    s->lex_span = span > s->lex_span ? span : s->lex_span;
    fs_buf seen = FS_BUF_INIT;
    fs_status st = FS_OK;
    for (int c = any_case ? FS_CASE_LOWER : -1; c <= (any_case ? FS_CASE_TITLE : -1); c++) {
        for (int f = 0; f < 2 && st == FS_OK; f++) {
            st = add_spelling(p, entry, c, f == 0 ? FS_FORM_NFC : FS_FORM_NFD, &seen, err);
        }
    }
    if (st == FS_OK && fs_buf_status(&seen) != FS_OK) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_dispose(&seen);
    return st;
}

static fs_status lex_init(fs_perturber *p, const char *data_dir, const char *rel,
                          const char *member, bool any_case, fs_error *err)
{
    cJSON *root = NULL;
    const char *path = NULL;
    fs_status st = state_new(p, err);
    if (st == FS_OK) {
        st = fs_perturb__load_json(p, data_dir, rel, &root, &path, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__map_new(&((chars_state *)p->state)->lex, err);
    }
    const cJSON *obj = st == FS_OK ? cJSON_GetObjectItemCaseSensitive(root, member) : NULL;
    if (st == FS_OK && (!cJSON_IsObject(obj) || obj->child == NULL)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: %s: expected a non-empty object", path, member);
    }
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, obj)
    {
        if (st != FS_OK) {
            break;
        }
        st = add_source(p, entry, any_case, path, member, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__map_finish(((chars_state *)p->state)->lex, err);
    }
    cJSON_Delete(root);
    return st;
}

static fs_status ocr_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    return lex_init(p, data_dir, "ocr.json", "confusions", false, err);
}

static fs_status leet_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    return lex_init(p, data_dir, "leet.json", "substitutions", true, err);
}

/* The longest source starting at grapheme i: *k_out graphemes (0: none). */
static fs_perturb__values lex_match(const chars_state *s, const char *text, const fs_text_span *g,
                                    size_t count, size_t i, size_t *k_out)
{
    fs_perturb__values v = { NULL, 0 };
    size_t k = s->lex_span < count - i ? s->lex_span : count - i;
    for (; k > 0; k--) {
        v = fs_perturb__map_get(s->lex, text + g[i].start, g[i + k - 1].end - g[i].start);
        if (v.n > 0) {
            break;
        }
    }
    *k_out = k;
    return v;
}

static fs_status lex_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out,
                           fs_error *err)
{
    const chars_state *s = p->state;
    const fs_text_span *g = NULL;
    size_t count = 0, i = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    while (st == FS_OK && i < count) {
        size_t k = 0;
        fs_perturb__values v = { NULL, 0 };
        if (s->lex_first[(unsigned char)text[g[i].start]]) {
            v = lex_match(s, text, g, count, i, &k);
        }
        if (k == 0) {
            i++;
            continue;
        }
        if (fs_perturb__draw(rng, p->rate)) {
            fs_str r = v.v[fs_rng_below(rng, v.n)];
            fs_perturb__emit_upto(&e, g[i].start, g[i + k - 1].end);
            fs_buf_append(out, r.ptr, r.len);
        }
        i += k;
    }
    fs_perturb__emit_upto(&e, n, n);
    return st;
}

/* ---- diacritics ----------------------------------------------------------------------- */

static fs_status parse_choice(const fs_perturber *p, const char *param, const char *const *names,
                              int n, const char *list, int *out, fs_error *err)
{
    const char *v = fs_params_get(&p->params, param);
    for (int i = 0; v != NULL && i < n; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return FS_OK;
        }
    }
    return FS_FAIL(err, FS_ERR_CONFIG, "%s: %s: must be one of %s, got '%s'", p->info->name, param,
                   list, v != NULL ? v : "");
}

/* The marks of diacritics.json as code points; *n_out of them. */
static fs_status load_marks(fs_perturber *p, const char *data_dir, uint32_t *marks, size_t cap,
                            size_t *n_out, fs_error *err)
{
    cJSON *root = NULL;
    const char *path = NULL;
    *n_out = 0;
    fs_status st = fs_perturb__load_json(p, data_dir, "diacritics.json", &root, &path, err);
    const cJSON *arr = st == FS_OK ? cJSON_GetObjectItemCaseSensitive(root, "marks") : NULL;
    if (st == FS_OK && (!cJSON_IsArray(arr) || arr->child == NULL)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: marks: expected a non-empty array of strings", path);
    }
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, arr)
    {
        const char *m = cJSON_IsString(item) ? item->valuestring : NULL;
        size_t i = 0, len = m != NULL ? strlen(m) : 0;
        uint32_t cp = len > 0 && fs_text_valid_utf8(m, len) ? fs_text_next_cp(m, len, &i) : 0;
        if (st != FS_OK) {
            break;
        }
        if (cp == 0 || i != len || !fs_text_all_marks(m, len)) {
            st = FS_FAIL(err, FS_ERR_INPUT, "%s: marks[%zu]: expected one combining mark", path,
                         *n_out);
        } else if (*n_out == cap) {
            st = FS_FAIL(err, FS_ERR_LIMIT, "%s: marks: more than %zu marks", path, cap);
        } else {
            marks[(*n_out)++] = cp;
        }
    }
    cJSON_Delete(root);
    return st;
}

/* A base letter that can take accents: a Latin, Greek or Cyrillic letter without a
 * canonical decomposition of its own. */
static bool accent_base(const chars_state *s, fs_buf *tmp, uint32_t cp)
{
    fs_buf_reset(tmp);
    fs_text_put_cp(tmp, cp);
    return fs_buf_status(tmp) == FS_OK && fs_text_classify(tmp->data, tmp->len).is_alpha &&
           script_in(s->lgc, 3, fs_text_script(cp)) && !fs_text_decomposes(cp);
}

/* For every base letter below ACC_LIMIT, its compositions with the marks (by NFC). */
static fs_status build_accents(chars_state *s, const uint32_t *marks, size_t n_marks, fs_error *err)
{
    s->acc_first = fs_calloc(ACC_LIMIT + 1, sizeof *s->acc_first);
    s->acc = fs_calloc((size_t)ACC_LIMIT * n_marks + 1, sizeof *s->acc);
    if (s->acc_first == NULL || s->acc == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    size_t n = 0;
    fs_buf tmp = FS_BUF_INIT;
    for (uint32_t cp = 0; cp < ACC_LIMIT; cp++) {
        s->acc_first[cp] = (uint16_t)n;
        if (cp < 'A' || !accent_base(s, &tmp, cp)) {
            continue;
        }
        for (size_t m = 0; m < n_marks; m++) {
            uint32_t c = fs_text_compose_pair(cp, marks[m]);
            if (c != 0) {
                s->acc[n++] = c;
            }
        }
    }
    s->acc_first[ACC_LIMIT] = (uint16_t)n;
    fs_buf_dispose(&tmp);
    return FS_OK;
}

static fs_status diacritics_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    static const char *const modes[] = { "strip", "add" };
    uint32_t marks[64];
    size_t n_marks = 0;
    fs_status st = state_new(p, err);
    chars_state *s = p->state;
    if (st == FS_OK) {
        st = parse_choice(p, "mode", modes, 2, "strip, add", &s->mode, err);
    }
    if (st == FS_OK) {
        st = fs_text_normalizer_new(&s->nz, err);
    }
    if (st == FS_OK && s->mode == MODE_ADD) {
        st = load_marks(p, data_dir, marks, sizeof marks / sizeof marks[0], &n_marks, err);
        if (st == FS_OK) {
            st = build_accents(s, marks, n_marks, err);
        }
    }
    return st;
}

/* The accent-free form of grapheme g in p->scratch; false when it has no accent to strip
 * (not a Latin, Greek or Cyrillic letter, or no mark). */
static bool strip_one(fs_perturber *p, const char *g, size_t len, fs_status *st, fs_error *err)
{
    const chars_state *s = p->state;
    size_t i = 0;
    if ((unsigned char)g[0] < 0x80 && len == 1) {
        return false;
    }
    fs_text_class k = fs_text_classify(g, len);
    fs_text_next_cp(g, len, &i);
    if (!k.is_alpha || !script_in(s->lgc, 3, fs_text_script(k.cp)) ||
        (i == len && !fs_text_decomposes(k.cp))) {
        return false;
    }
    fs_buf_reset(&p->scratch);
    *st = fs_text_normalizer_strip_marks(s->nz, &p->scratch, g, len, err);
    return *st == FS_OK && (p->scratch.len != len || memcmp(p->scratch.data, g, len) != 0);
}

static fs_status diacritics_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                  fs_buf *out, fs_error *err)
{
    const chars_state *s = p->state;
    const fs_text_span *g = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        const char *gs = text + g[i].start;
        size_t len = g[i].end - g[i].start, at = 0;
        if (s->mode == MODE_STRIP) {
            if (strip_one(p, gs, len, &st, err) && fs_perturb__draw(rng, p->rate)) {
                fs_perturb__emit_upto(&e, g[i].start, g[i].end);
                fs_buf_append(out, p->scratch.data, p->scratch.len);
            }
            continue;
        }
        uint32_t cp = fs_text_next_cp(gs, len, &at);
        if (at != len || cp >= ACC_LIMIT || s->acc_first[cp] == s->acc_first[cp + 1] ||
            !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        uint32_t first = s->acc_first[cp], span = s->acc_first[cp + 1] - first;
        fs_perturb__emit_upto(&e, g[i].start, g[i].end);
        fs_text_put_cp(out, s->acc[first + fs_rng_below(rng, span)]);
    }
    fs_perturb__emit_upto(&e, n, n);
    return st;
}

/* ---- unicode-forms ---------------------------------------------------------------------- */

static fs_status forms_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    static const char *const names[] = { "nfc", "nfd", "nfkc", "nfkd", "fullwidth", "random" };
    (void)data_dir;
    fs_status st = state_new(p, err);
    chars_state *s = p->state;
    if (st == FS_OK) {
        st = parse_choice(p, "form", names, 6, "nfd, nfkd, nfc, nfkc, fullwidth, random", &s->mode,
                          err);
    }
    if (st == FS_OK) {
        st = fs_text_normalizer_new(&s->nz, err);
    }
    return st;
}

static bool all_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            return false;
        }
    }
    return true;
}

/* Each printable ASCII character to its fullwidth form, each space to U+3000. */
static void fullwidth(fs_perturber *p, fs_rng *rng, const char *text, const fs_text_span *g,
                      size_t count, fs_perturb__emitter *e)
{
    for (size_t i = 0; i < count; i++) {
        unsigned char c = (unsigned char)text[g[i].start];
        if (g[i].end - g[i].start != 1 || c < 0x20 || c > 0x7E || !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        fs_perturb__emit_upto(e, g[i].start, g[i].end);
        fs_text_put_cp(e->out, c == 0x20 ? 0x3000 : 0xFF01 + (uint32_t)(c - 0x21));
    }
}

/* Each grapheme that form changes, normalised. ASCII is the same in every form. */
static fs_status normal_form(fs_perturber *p, fs_rng *rng, const char *text, const fs_text_span *g,
                             size_t count, fs_text_form form, fs_perturb__emitter *e, fs_error *err)
{
    const chars_state *s = p->state;
    fs_status st = FS_OK;
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        const char *gs = text + g[i].start;
        size_t len = g[i].end - g[i].start;
        if (all_ascii(gs, len)) {
            continue;
        }
        fs_buf_reset(&p->scratch);
        st = fs_text_normalizer_run(s->nz, &p->scratch, gs, len, form, err);
        if (st != FS_OK || (p->scratch.len == len && memcmp(p->scratch.data, gs, len) == 0) ||
            !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        fs_perturb__emit_upto(e, g[i].start, g[i].end);
        fs_buf_append(e->out, p->scratch.data, p->scratch.len);
    }
    return st;
}

static fs_status forms_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out,
                             fs_error *err)
{
    const chars_state *s = p->state;
    const fs_text_span *g = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    int form = s->mode == FORM_RANDOM ? (int)fs_rng_below(rng, N_FORMS) : s->mode;
    fs_status st = FS_OK;
    if (form == FORM_FULLWIDTH || !all_ascii(text, n)) {
        st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    }
    if (st == FS_OK && form == FORM_FULLWIDTH) {
        fullwidth(p, rng, text, g, count, &e);
    } else if (st == FS_OK) {
        st = normal_form(p, rng, text, g, count, (fs_text_form)form, &e, err);
    }
    fs_perturb__emit_upto(&e, n, n);
    return st;
}

const fs_perturb__kind fs_perturb__char_kinds[] = {
    { "delete", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, NULL, delete_apply, NULL },
    { "diacritics", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, diacritics_init, diacritics_apply,
      chars_fini },
    { "insert", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, keys_init, insert_apply, chars_fini },
    { "leet", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, leet_init, lex_apply, chars_fini },
    { "ocr", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, ocr_init, lex_apply, chars_fini },
    { "substitute", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, keys_init, substitute_apply,
      chars_fini },
    { "swap", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, NULL, swap_apply, NULL },
    { "unicode-forms", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, forms_init, forms_apply,
      chars_fini },
    { NULL, FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, NULL, NULL, NULL },
};
