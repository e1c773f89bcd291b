/* The word-noise family: misspelling, synonym and expansion (a word replaced from a
 * lexicon), contraction (a phrase of several words replaced by one), filler (a word or
 * hedge inserted between two words), word-drop, word-swap, number-format (numbers
 * rewritten as grouped digits, plain digits or words) and mild-mix (HELM's canonical
 * light robustness mix, composed from the others).
 * Invariants: text is walked as ICU word segments (kind != 0 is a word, kind 2 a number),
 * never byte by byte; lexicon keys and looked-up words go through the same key function
 * (NFC, full case folding, typographic apostrophes read as ASCII ones), so a lexicon in
 * any script matches text in any case or normal form; a replacement takes the case shape
 * of what it replaces; random numbers are drawn only at decision points, in text order,
 * one draw per eligible unit, so a variant depends only on (text, parameters, RNG
 * stream); unchanged stretches are copied straight from the input, and lookups reuse the
 * perturber's scratch buffers instead of allocating per word. */
#include "perturb/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* What each word kind keeps between calls; one struct for the whole family. */
typedef struct words_state {
    fs_perturb__map *map;   /* word or phrase key → replacements (fillers: key "") */
    size_t max_words;       /* contraction: most words in one phrase */
    fs_text_normalizer *nz; /* NFC of non-ASCII words before folding */
    fs_buf tmp;             /* NFC and shaping scratch */
    fs_text_spellout *spell;
    int style;            /* number-format: a number_style, or -1 for random */
    fs_perturber *sub[2]; /* mild-mix: contraction, misspelling */
    fs_buf mid;           /* mild-mix: second intermediate buffer */
    double strength;      /* mild-mix */
    fs_perturb__values fillers;
} words_state;

enum number_style { STYLE_GROUPED = 0, STYLE_PLAIN = 1, STYLE_WORDS = 2, N_STYLES = 3 };
static const char *const style_names[N_STYLES] = { "grouped", "plain", "words" };

#define MAX_PHRASE 8              /* most words in a contractible phrase */
#define APOS_RIGHT "\xE2\x80\x99" /* U+2019 RIGHT SINGLE QUOTATION MARK */

static words_state *ws_of(const fs_perturber *p)
{
    return p->state;
}

static fs_status state_new(fs_perturber *p, fs_error *err)
{
    words_state *ws = fs_calloc(1, sizeof *ws);
    if (ws == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_init(&ws->tmp, 0);
    fs_buf_init(&ws->mid, 0);
    ws->style = -1;
    p->state = ws;
    return fs_text_normalizer_new(&ws->nz, err);
}

static void words_fini(fs_perturber *p)
{
    words_state *ws = ws_of(p);
    if (ws == NULL) {
        return;
    }
    fs_perturb__map_free(ws->map);
    fs_text_normalizer_free(ws->nz);
    fs_text_spellout_free(ws->spell);
    fs_perturber_free(ws->sub[0]);
    fs_perturber_free(ws->sub[1]);
    fs_buf_dispose(&ws->tmp);
    fs_buf_dispose(&ws->mid);
    fs_free(ws);
    p->state = NULL;
}

/* ---- lookup keys --------------------------------------------------------------------- */

static bool contains(const char *s, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++) {
        if (memcmp(s + i, needle, m) == 0) {
            return true;
        }
    }
    return false;
}

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            return false;
        }
    }
    return true;
}

/* Rewrite U+2019 and U+02BC in out->data[from..len) as ASCII apostrophes. */
static void unify_apostrophes(fs_buf *out, size_t from)
{
    size_t w = from;
    for (size_t r = from; r < out->len;) {
        if (out->len - r >= 3 && memcmp(out->data + r, APOS_RIGHT, 3) == 0) {
            out->data[w++] = '\'';
            r += 3;
        } else if (out->len - r >= 2 && memcmp(out->data + r, "\xCA\xBC", 2) == 0) {
            out->data[w++] = '\'';
            r += 2;
        } else {
            out->data[w++] = out->data[r++];
        }
    }
    out->len = w;
    if (out->data != NULL) {
        out->data[w] = '\0';
    }
}

/* Append the lookup key of s[0..n): NFC, case-folded, apostrophes unified. */
static fs_status key_append(fs_perturber *p, fs_buf *out, const char *s, size_t n, fs_error *err)
{
    words_state *ws = ws_of(p);
    size_t start = out->len;
    fs_status st = FS_OK;
    if (is_ascii(s, n)) {
        st = fs_perturb__fold(p, out, s, n, err);
    } else {
        fs_buf_reset(&ws->tmp);
        st = fs_text_normalizer_run(ws->nz, &ws->tmp, s, n, FS_FORM_NFC, err);
        if (st == FS_OK) {
            st = fs_perturb__fold(p, out, ws->tmp.data, ws->tmp.len, err);
        }
    }
    if (st == FS_OK && fs_buf_status(out) != FS_OK) {
        return FS_FAIL(err, fs_buf_status(out), "out of memory");
    }
    if (st == FS_OK) {
        unify_apostrophes(out, start);
    }
    return st;
}

/* The key of a phrase: the keys of its words joined by single spaces. *words_out counts
 * them. Uses p->words. */
static fs_status phrase_key(fs_perturber *p, fs_buf *out, const char *s, size_t n,
                            size_t *words_out, fs_error *err)
{
    const fs_text_span *w = NULL;
    size_t count = 0;
    *words_out = 0;
    fs_status st = fs_text_segmenter_run(p->words, &w, &count, s, n, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        if (w[i].kind == 0) {
            continue;
        }
        if (*words_out > 0) {
            fs_buf_putc(out, ' ');
        }
        st = key_append(p, out, s + w[i].start, w[i].end - w[i].start, err);
        (*words_out)++;
    }
    return st;
}

/* ---- data files ---------------------------------------------------------------------- */

/* A string that can go into text: non-empty valid UTF-8. */
static bool good_string(const cJSON *v)
{
    return cJSON_IsString(v) && v->valuestring[0] != '\0' &&
           fs_text_valid_utf8(v->valuestring, strlen(v->valuestring));
}

static bool string_array(const cJSON *a)
{
    if (!cJSON_IsArray(a) || a->child == NULL) {
        return false;
    }
    for (const cJSON *v = a->child; v != NULL; v = v->next) {
        if (!good_string(v)) {
            return false;
        }
    }
    return true;
}

/* The payload member of a data file, or an input error naming path and member. */
static fs_status member(const cJSON *doc, const char *path, const char *name, bool want_object,
                        const cJSON **out, fs_error *err)
{
    *out = cJSON_GetObjectItemCaseSensitive(doc, name);
    bool ok = want_object ? cJSON_IsObject(*out) : cJSON_IsArray(*out);
    if (!ok || (*out)->child == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s: expected a non-empty %s", path, name,
                       want_object ? "object" : "array");
    }
    return FS_OK;
}

/* Add key → value with key computed by the key function (phrase: word by word). */
static fs_status add_entry(fs_perturber *p, const char *key, const char *value, bool phrase,
                           fs_error *err)
{
    words_state *ws = ws_of(p);
    size_t words = 1;
    fs_buf_reset(&p->scratch);
    fs_status st = phrase ? phrase_key(p, &p->scratch, key, strlen(key), &words, err)
                          : key_append(p, &p->scratch, key, strlen(key), err);
    if (st == FS_OK && p->scratch.len > 0) {
        ws->max_words = words > ws->max_words ? words : ws->max_words;
        st = fs_perturb__map_add(ws->map, p->scratch.data, p->scratch.len, value, strlen(value),
                                 err);
    }
    return st;
}

/* Load an object of word → array of replacements (misspellings, synonyms). */
static fs_status load_word_map(fs_perturber *p, const char *data_dir, const char *rel,
                               const char *name, fs_error *err)
{
    cJSON *doc = NULL;
    const char *path = NULL;
    const cJSON *obj = NULL;
    fs_status st = state_new(p, err);
    if (st == FS_OK) {
        st = fs_perturb__map_new(&ws_of(p)->map, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__load_json(p, data_dir, rel, &doc, &path, err);
    }
    if (st == FS_OK) {
        st = member(doc, path, name, true, &obj, err);
    }
    for (const cJSON *e = obj ? obj->child : NULL; e != NULL && st == FS_OK; e = e->next) {
        if (!string_array(e) || e->string[0] == '\0' ||
            !fs_text_valid_utf8(e->string, strlen(e->string))) {
            st = FS_FAIL(err, FS_ERR_INPUT, "%s: %s.%s: expected a non-empty array of strings",
                         path, name, e->string);
            break;
        }
        for (const cJSON *v = e->child; v != NULL && st == FS_OK; v = v->next) {
            st = add_entry(p, e->string, v->valuestring, false, err);
        }
    }
    if (st == FS_OK) {
        st = fs_perturb__map_finish(ws_of(p)->map, err);
    }
    cJSON_Delete(doc);
    return st;
}

static fs_status misspelling_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    return load_word_map(p, data_dir, "misspellings.json", "misspellings", err);
}

static fs_status synonym_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    return load_word_map(p, data_dir, "synonyms.json", "synonyms", err);
}

/* Check every [contraction, expansion] pair of list and, when add is set, add it: keyed
 * by the contraction (expand) or by the expansion phrase (contract). */
static fs_status add_pairs(fs_perturber *p, const cJSON *list, const char *path, const char *name,
                           bool contract, bool add, fs_error *err)
{
    fs_status st = FS_OK;
    size_t i = 0;
    for (const cJSON *e = list ? list->child : NULL; e != NULL && st == FS_OK; e = e->next, i++) {
        if (!string_array(e) || cJSON_GetArraySize(e) != 2) {
            return FS_FAIL(err, FS_ERR_INPUT,
                           "%s: %s[%zu]: expected a pair of strings [contraction, expansion]", path,
                           name, i);
        }
        const char *shrt = e->child->valuestring, *lng = e->child->next->valuestring;
        if (!add) {
            continue;
        }
        st = contract ? add_entry(p, lng, shrt, true, err) : add_entry(p, shrt, lng, false, err);
        if (st == FS_OK && ws_of(p)->max_words > MAX_PHRASE) {
            return FS_FAIL(err, FS_ERR_INPUT, "%s: %s[%zu]: an expansion has at most %d words",
                           path, name, i, MAX_PHRASE);
        }
    }
    return st;
}

/* contractions.json: "pairs" (both directions) and the optional "expand_only". */
static fs_status load_contractions(fs_perturber *p, const char *data_dir, bool contract,
                                   fs_error *err)
{
    cJSON *doc = NULL;
    const char *path = NULL;
    const cJSON *pairs = NULL;
    fs_status st = state_new(p, err);
    if (st == FS_OK) {
        st = fs_perturb__map_new(&ws_of(p)->map, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__load_json(p, data_dir, "contractions.json", &doc, &path, err);
    }
    if (st == FS_OK) {
        st = member(doc, path, "pairs", false, &pairs, err);
    }
    if (st == FS_OK) {
        st = add_pairs(p, pairs, path, "pairs", contract, true, err);
    }
    const cJSON *extra = doc ? cJSON_GetObjectItemCaseSensitive(doc, "expand_only") : NULL;
    if (st == FS_OK && extra != NULL && !cJSON_IsArray(extra)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: expand_only: expected an array", path);
    }
    if (st == FS_OK) {
        st = add_pairs(p, extra, path, "expand_only", false, !contract, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__map_finish(ws_of(p)->map, err);
    }
    cJSON_Delete(doc);
    return st;
}

static fs_status contraction_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    return load_contractions(p, data_dir, true, err);
}

static fs_status expansion_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    return load_contractions(p, data_dir, false, err);
}

static fs_status filler_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    cJSON *doc = NULL;
    const char *path = NULL;
    const cJSON *list = NULL;
    fs_status st = state_new(p, err);
    if (st == FS_OK) {
        st = fs_perturb__map_new(&ws_of(p)->map, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__load_json(p, data_dir, "fillers.json", &doc, &path, err);
    }
    if (st == FS_OK) {
        st = member(doc, path, "fillers", false, &list, err);
    }
    if (st == FS_OK && !string_array(list)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: fillers: expected a non-empty array of strings", path);
    }
    for (const cJSON *v = list ? list->child : NULL; v != NULL && st == FS_OK; v = v->next) {
        st = fs_perturb__map_add(ws_of(p)->map, "", 0, v->valuestring, strlen(v->valuestring), err);
    }
    if (st == FS_OK) {
        st = fs_perturb__map_finish(ws_of(p)->map, err);
    }
    if (st == FS_OK) {
        ws_of(p)->fillers = fs_perturb__map_get(ws_of(p)->map, "", 0);
    }
    cJSON_Delete(doc);
    return st;
}

/* ---- segment helpers ----------------------------------------------------------------- */

static bool all_space(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t at = i;
        fs_text_next_cp(s, n, &i);
        if (!fs_text_classify(s + at, i - at).is_space) {
            return false;
        }
    }
    return n > 0;
}

static bool span_space(const char *text, const fs_text_span *s)
{
    return s->kind == 0 && all_space(text + s->start, s->end - s->start);
}

static bool has_line_break(const char *s, size_t n)
{
    return memchr(s, '\n', n) != NULL || memchr(s, '\r', n) != NULL ||
           contains(s, n, "\xE2\x80\xA8", 3) || contains(s, n, "\xE2\x80\xA9", 3);
}

/* Does s[0..n) end with a sentence terminator (. ! ? … and their CJK, Arabic forms)? */
static bool ends_sentence(const char *s, size_t n)
{
    static const uint32_t stops[] = { '.',    '!',    '?',    0x2026, 0x3002, 0xFF01,
                                      0xFF1F, 0xFF0E, 0x061F, 0x06D4, 0x0964 };
    size_t i = 0;
    uint32_t cp = 0;
    while (i < n) {
        cp = fs_text_next_cp(s, n, &i);
    }
    for (size_t k = 0; n > 0 && k < sizeof stops / sizeof stops[0]; k++) {
        if (cp == stops[k]) {
            return true;
        }
    }
    return false;
}

/* Is segment i at the start of a sentence: nothing but space before it in the stretch,
 * or the last non-space segment before it ends a sentence? */
static bool sentence_start(const char *text, const fs_text_span *w, size_t i)
{
    while (i > 0 && span_space(text, &w[i - 1])) {
        i--;
    }
    return i == 0 || ends_sentence(text + w[i - 1].start, w[i - 1].end - w[i - 1].start);
}

static bool has_lower(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t at = i;
        fs_text_next_cp(s, n, &i);
        if (fs_text_classify(s + at, i - at).is_lower) {
            return true;
        }
    }
    return false;
}

/* Append s in the given shape with ASCII apostrophes written as U+2019 when curly is
 * set (the text uses typographic apostrophes). */
static fs_status put_replacement(fs_perturber *p, fs_buf *out, fs_str s, fs_perturb__shape shape,
                                 bool curly, fs_error *err)
{
    words_state *ws = ws_of(p);
    if (!curly || memchr(s.ptr, '\'', s.len) == NULL) {
        return fs_perturb__put_shaped(p, out, s.ptr, s.len, shape, err);
    }
    fs_buf_reset(&ws->tmp);
    fs_status st = fs_perturb__put_shaped(p, &ws->tmp, s.ptr, s.len, shape, err);
    for (size_t i = 0; st == FS_OK && i < ws->tmp.len; i++) {
        if (ws->tmp.data[i] == '\'') {
            fs_buf_append(out, APOS_RIGHT, 3);
        } else {
            fs_buf_putc(out, ws->tmp.data[i]);
        }
    }
    return st;
}

static fs_str pick(fs_rng *rng, fs_perturb__values v)
{
    return v.n == 1 ? v.v[0] : v.v[fs_rng_below(rng, v.n)];
}

/* ---- misspelling, synonym, expansion: one word replaced from a lexicon ----------------- */

static fs_status replace_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                               fs_buf *out, fs_error *err)
{
    const fs_text_span *w = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    bool curly = contains(text, n, APOS_RIGHT, 3);
    fs_status st = fs_text_segmenter_run(p->seg, &w, &count, text, n, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        const char *s = text + w[i].start;
        size_t len = w[i].end - w[i].start;
        if (w[i].kind == 0) {
            continue;
        }
        fs_buf_reset(&p->scratch);
        st = key_append(p, &p->scratch, s, len, err);
        if (st != FS_OK) {
            break;
        }
        fs_perturb__values v = fs_perturb__map_get(ws_of(p)->map, p->scratch.data, p->scratch.len);
        if (v.n == 0 || !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        fs_str rep = pick(rng, v);
        fs_perturb__emit_upto(&e, w[i].start, w[i].end);
        st = put_replacement(p, out, rep, fs_perturb__shape_of(s, len), curly, err);
    }
    if (st == FS_OK) {
        fs_perturb__emit_upto(&e, n, n);
    }
    return st;
}

/* ---- contraction: a phrase of words replaced by one ------------------------------------ */

/* Words from segment i on that can form a phrase: at most max, separated by horizontal
 * space only. Their keys are appended to p->scratch; ends[k] and lens[k] hold the last
 * segment and key length of the first k+1 words. Returns how many words. */
static size_t phrase_words(fs_perturber *p, const char *text, const fs_text_span *w, size_t count,
                           size_t i, size_t *ends, size_t *lens, fs_status *st, fs_error *err)
{
    size_t k = 0, max = ws_of(p)->max_words;
    fs_buf_reset(&p->scratch);
    while (k < max && i < count && *st == FS_OK) {
        if (k > 0) {
            fs_buf_putc(&p->scratch, ' ');
        }
        *st = key_append(p, &p->scratch, text + w[i].start, w[i].end - w[i].start, err);
        ends[k] = i;
        lens[k++] = p->scratch.len;
        if (i + 2 >= count || !span_space(text, &w[i + 1]) || w[i + 2].kind == 0 ||
            has_line_break(text + w[i + 1].start, w[i + 1].end - w[i + 1].start)) {
            break;
        }
        i += 2;
    }
    return k;
}

/* A contraction is made only before a space and another word ("I am happy", not "Yes,
 * I am."), where it reads naturally. */
static bool word_follows(const char *text, const fs_text_span *w, size_t count, size_t last)
{
    return last + 2 < count && span_space(text, &w[last + 1]) && w[last + 2].kind != 0;
}

static fs_status contraction_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                   fs_buf *out, fs_error *err)
{
    const fs_text_span *w = NULL;
    size_t count = 0, ends[MAX_PHRASE], lens[MAX_PHRASE];
    fs_perturb__emitter e = { out, text, 0 };
    bool curly = contains(text, n, APOS_RIGHT, 3);
    fs_status st = fs_text_segmenter_run(p->seg, &w, &count, text, n, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        if (w[i].kind == 0) {
            continue;
        }
        size_t k = phrase_words(p, text, w, count, i, ends, lens, &st, err);
        fs_perturb__values v = { NULL, 0 };
        while (st == FS_OK && k > 0 && v.n == 0) {
            k--;
            v = fs_perturb__map_get(ws_of(p)->map, p->scratch.data, lens[k]);
        }
        if (v.n == 0 || !word_follows(text, w, count, ends[k]) || !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        size_t a = w[i].start, b = w[ends[k]].end;
        fs_perturb__emit_upto(&e, a, b);
        st = put_replacement(p, out, pick(rng, v), fs_perturb__shape_of(text + a, b - a), curly,
                             err);
        i = ends[k];
    }
    if (st == FS_OK) {
        fs_perturb__emit_upto(&e, n, n);
    }
    return st;
}

/* ---- filler ------------------------------------------------------------------------------ */

static fs_status filler_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out,
                              fs_error *err)
{
    const fs_text_span *w = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    bool seen_text = false;
    fs_status st = fs_text_segmenter_run(p->seg, &w, &count, text, n, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        if (!span_space(text, &w[i])) {
            seen_text = true;
            continue;
        }
        /* a gap: space with text before it and a word right after it */
        if (!seen_text || i + 1 >= count || w[i + 1].kind == 0 || !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        fs_str f = pick(rng, ws_of(p)->fillers);
        bool title = sentence_start(text, w, i + 1);
        fs_perturb__emit_upto(&e, w[i + 1].start, w[i + 1].start);
        st = fs_perturb__put_shaped(p, out, f.ptr, f.len,
                                    title ? FS_PERTURB__TITLE : FS_PERTURB__LOWER, err);
        fs_buf_putc(out, ' ');
    }
    if (st == FS_OK) {
        fs_perturb__emit_upto(&e, n, n);
    }
    return st;
}

/* ---- word-drop --------------------------------------------------------------------------- */

/* Byte offset of the last code point of the whitespace segment s (CR LF counts as one). */
static size_t last_space_at(const char *text, const fs_text_span *s)
{
    size_t i = s->start, last = s->start;
    while (i < s->end) {
        last = i;
        fs_text_next_cp(text, s->end, &i);
    }
    if (text[last] == '\n' && last > s->start && text[last - 1] == '\r') {
        last--;
    }
    return last;
}

/* Byte length of the first whitespace character of segment s (CR LF counts as one). */
static size_t first_space_len(const char *text, const fs_text_span *s)
{
    size_t i = s->start;
    if (s->end - s->start >= 2 && text[i] == '\r' && text[i + 1] == '\n') {
        return 2;
    }
    fs_text_next_cp(text, s->end, &i);
    return i - s->start;
}

/* Drop word segment i with one adjacent space: the one before it when still there,
 * else the one after it. */
static void drop_word(fs_perturb__emitter *e, const char *text, const fs_text_span *w, size_t count,
                      size_t i)
{
    if (i > 0 && span_space(text, &w[i - 1])) {
        size_t at = last_space_at(text, &w[i - 1]);
        if (e->copied <= at) {
            fs_perturb__emit_upto(e, at, w[i].end);
            return;
        }
    }
    size_t resume = w[i].end;
    if (i + 1 < count && span_space(text, &w[i + 1])) {
        resume += first_space_len(text, &w[i + 1]);
    }
    fs_perturb__emit_upto(e, w[i].start, resume);
}

static fs_status word_drop_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err)
{
    const fs_text_span *w = NULL;
    size_t count = 0, words = 0, seen = 0, dropped = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &w, &count, text, n, err);
    if (st != FS_OK) {
        return st;
    }
    for (size_t i = 0; i < count; i++) {
        words += w[i].kind != 0;
    }
    for (size_t i = 0; i < count; i++) {
        if (w[i].kind == 0) {
            continue;
        }
        seen++;
        bool drop = fs_perturb__draw(rng, p->rate);
        /* never every word: the last one stays when all the others went */
        if (drop && !(seen == words && dropped == words - 1)) {
            drop_word(&e, text, w, count, i);
            dropped++;
        }
    }
    fs_perturb__emit_upto(&e, n, n);
    return FS_OK;
}

/* ---- word-swap ----------------------------------------------------------------------------- */

/* The next word after word segment i when only a space (and punctuation that does not end
 * a sentence) separates them on the same line; count when there is none. */
static size_t swap_partner(const char *text, const fs_text_span *w, size_t count, size_t i)
{
    bool space = false;
    for (size_t j = i + 1; j < count; j++) {
        const char *s = text + w[j].start;
        size_t len = w[j].end - w[j].start;
        if (w[j].kind != 0) {
            return space ? j : count;
        }
        if (has_line_break(s, len) || ends_sentence(s, len)) {
            return count;
        }
        space = space || all_space(s, len);
    }
    return count;
}

/* Write word b then the gap then word a; at a sentence start, a Title-case first word
 * that has lower-case letters hands its capital to an all-lower-case second word. */
static fs_status put_swapped(fs_perturber *p, fs_buf *out, const char *text, const fs_text_span *a,
                             const fs_text_span *b, bool start, fs_error *err)
{
    const char *sa = text + a->start, *sb = text + b->start;
    size_t la = a->end - a->start, lb = b->end - b->start;
    bool move = start && fs_perturb__shape_of(sa, la) == FS_PERTURB__TITLE && has_lower(sa, la) &&
                fs_perturb__shape_of(sb, lb) == FS_PERTURB__LOWER && has_lower(sb, lb);
    fs_status st = FS_OK;
    if (move) {
        st = fs_text_casemapper_map(p->cm, out, sb, lb, FS_CASE_TITLE, err);
    } else {
        fs_buf_append(out, sb, lb);
    }
    fs_buf_append(out, text + a->end, b->start - a->end);
    if (move && st == FS_OK) {
        st = fs_text_casemapper_map(p->cm, out, sa, la, FS_CASE_LOWER, err);
    } else {
        fs_buf_append(out, sa, la);
    }
    return st;
}

static fs_status word_swap_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err)
{
    const fs_text_span *w = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &w, &count, text, n, err);
    size_t i = 0;
    while (i < count && st == FS_OK) {
        if (w[i].kind == 0) {
            i++;
            continue;
        }
        size_t j = swap_partner(text, w, count, i);
        if (j == count || !fs_perturb__draw(rng, p->rate)) {
            i = j == count ? i + 1 : j;
            continue;
        }
        fs_perturb__emit_upto(&e, w[i].start, w[j].end);
        st = put_swapped(p, out, text, &w[i], &w[j], sentence_start(text, w, i), err);
        i = j + 1;
    }
    if (st == FS_OK) {
        fs_perturb__emit_upto(&e, n, n);
    }
    return st;
}

/* ---- number-format ------------------------------------------------------------------------- */

/* An English number: ASCII digits, either plain or grouped by commas in threes, with an
 * optional '.' and decimals; no leading zero on a multi-digit integer part. Its digits
 * without commas go to plain (at most cap bytes). */
static bool parse_number(const char *s, size_t n, char *plain, size_t cap, size_t *int_digits,
                         bool *grouped)
{
    size_t i = 0, k = 0, group = 0;
    *grouped = false;
    *int_digits = 0;
    for (; i < n && s[i] != '.'; i++) {
        if (s[i] == ',') {
            if (group == 0 || (*grouped && group != 3) || (!*grouped && group > 3)) {
                return false;
            }
            *grouped = true;
            group = 0;
        } else if (s[i] >= '0' && s[i] <= '9' && k + 1 < cap) {
            plain[k++] = s[i];
            group++;
        } else {
            return false;
        }
    }
    *int_digits = k;
    if (k == 0 || (*grouped && group != 3) || (k > 1 && plain[0] == '0') || k > 18) {
        return false;
    }
    if (i < n) {
        if (i + 1 == n || n - i + k + 1 > cap) {
            return false;
        }
        for (plain[k++] = s[i++]; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return false;
            }
            plain[k++] = s[i];
        }
    }
    plain[k] = '\0';
    return true;
}

/* Does segment s join a number to what touches it ("10:30", "3/4", "COVID-19")? Only a
 * single character outside set leaves the number free-standing. */
static bool joiner(const char *text, const fs_text_span *s, const char *set)
{
    size_t i = s->start;
    uint32_t cp = fs_text_next_cp(text, s->end, &i);
    return i != s->end || (cp < 0x80 && strchr(set, (int)cp) != NULL);
}

/* Is number segment i free-standing? Before it: nothing, space, or one opening mark
 * ("$5", "(5"); after it: nothing, space, or one closing mark followed by no word
 * ("5%", "5.", "5)"). Numbers next to another number across one space ("1 000", phone
 * numbers) are left alone. *sign is set when a lone '-' before it belongs to it. */
static bool standalone(const char *text, const fs_text_span *w, size_t count, size_t i, bool *sign)
{
    *sign = false;
    if (i > 0 && !span_space(text, &w[i - 1])) {
        bool edge = i < 2 || span_space(text, &w[i - 2]);
        if (edge && w[i - 1].end - w[i - 1].start == 1 && text[w[i - 1].start] == '-') {
            *sign = true;
        } else if (w[i - 1].kind != 0 || !edge || joiner(text, &w[i - 1], "-/:.,_&+'#@")) {
            return false;
        }
    } else if (i > 1 && w[i - 2].kind == 2) {
        return false;
    }
    if (i + 1 < count && !span_space(text, &w[i + 1])) {
        return w[i + 1].kind == 0 && !joiner(text, &w[i + 1], "-/:_&+'@") &&
               (i + 2 >= count || w[i + 2].kind == 0);
    }
    return !(i + 2 < count && w[i + 2].kind == 2);
}

/* Append digits (no commas) with the integer part grouped by commas in threes. */
static void put_grouped(fs_buf *out, const char *plain, size_t int_digits)
{
    for (size_t i = 0; i < int_digits; i++) {
        if (i > 0 && (int_digits - i) % 3 == 0) {
            fs_buf_putc(out, ',');
        }
        fs_buf_putc(out, plain[i]);
    }
    fs_buf_puts(out, plain + int_digits);
}

/* The styles that would change a number written grouped or not, with int_digits digits
 * before the point; returns how many, listed in styles. */
static size_t other_styles(int want, bool grouped, size_t int_digits, int *styles)
{
    bool differs[N_STYLES] = { !grouped && int_digits > 3, grouped, true };
    size_t k = 0;
    for (int s = 0; s < N_STYLES; s++) {
        if (differs[s] && (want < 0 || want == s)) {
            styles[k++] = s;
        }
    }
    return k;
}

static fs_status put_number(fs_perturber *p, fs_buf *out, int style, const char *plain,
                            size_t int_digits, bool sign, fs_error *err)
{
    if (style == STYLE_WORDS) {
        fs_buf *tmp = &ws_of(p)->tmp;
        fs_buf_reset(tmp);
        if (sign) {
            fs_buf_putc(tmp, '-');
        }
        fs_buf_puts(tmp, plain);
        if (fs_buf_status(tmp) != FS_OK) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        return fs_text_spellout_format(ws_of(p)->spell, out, tmp->data, tmp->len, err);
    }
    if (sign) {
        fs_buf_putc(out, '-');
    }
    if (style == STYLE_GROUPED) {
        put_grouped(out, plain, int_digits);
    } else {
        fs_buf_puts(out, plain);
    }
    return FS_OK;
}

static fs_status number_format_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                     fs_buf *out, fs_error *err)
{
    const fs_text_span *w = NULL;
    size_t count = 0, int_digits = 0;
    fs_perturb__emitter e = { out, text, 0 };
    char plain[64];
    int styles[N_STYLES];
    bool grouped = false, sign = false;
    fs_status st = fs_text_segmenter_run(p->seg, &w, &count, text, n, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        if (w[i].kind != 2 || !standalone(text, w, count, i, &sign) ||
            !parse_number(text + w[i].start, w[i].end - w[i].start, plain, sizeof plain,
                          &int_digits, &grouped)) {
            continue;
        }
        size_t k = other_styles(ws_of(p)->style, grouped, int_digits, styles);
        if (k == 0 || !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        int style = k == 1 ? styles[0] : styles[fs_rng_below(rng, k)];
        size_t a = sign ? w[i - 1].start : w[i].start;
        /* the sign stays as it is unless the number is spelled out ("minus five") */
        sign = sign && style == STYLE_WORDS;
        fs_perturb__emit_upto(&e, sign ? a : w[i].start, w[i].end);
        st = put_number(p, out, style, plain, int_digits, sign, err);
    }
    if (st == FS_OK) {
        fs_perturb__emit_upto(&e, n, n);
    }
    return st;
}

static fs_status number_format_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    const char *style = fs_params_get(&p->params, "style");
    (void)data_dir;
    fs_status st = state_new(p, err);
    if (st != FS_OK) {
        return st;
    }
    ws_of(p)->style = -2;
    for (int s = 0; s < N_STYLES; s++) {
        if (strcmp(style, style_names[s]) == 0) {
            ws_of(p)->style = s;
        }
    }
    if (strcmp(style, "random") == 0) {
        ws_of(p)->style = -1;
    }
    if (ws_of(p)->style == -2) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "%s: style: must be one of grouped, plain, words, random, got '%s'",
                       p->info->name, style);
    }
    return fs_text_spellout_new(&ws_of(p)->spell, "en", err);
}

/* ---- mild-mix ------------------------------------------------------------------------------ */

/* HELM step 1: lower-case each word with probability strength (all of them at 1). */
static fs_status lower_words(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out,
                             fs_error *err)
{
    const fs_text_span *w = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &w, &count, text, n, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        const char *s = text + w[i].start;
        size_t len = w[i].end - w[i].start;
        if (w[i].kind == 0 || fs_perturb__shape_of(s, len) == FS_PERTURB__LOWER ||
            !fs_perturb__draw(rng, ws_of(p)->strength)) {
            continue;
        }
        fs_perturb__emit_upto(&e, w[i].start, w[i].end);
        st = fs_text_casemapper_map(p->cm, out, s, len, FS_CASE_LOWER, err);
    }
    if (st == FS_OK) {
        fs_perturb__emit_upto(&e, n, n);
    }
    return st;
}

/* HELM's last step: each run of spaces between two words becomes 1 to 3 spaces, with
 * probability strength. */
static void respace(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out)
{
    fs_perturb__emitter e = { out, text, 0 };
    size_t i = 0;
    while (i < n) {
        if (text[i] != ' ') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && text[j] == ' ') {
            j++;
        }
        if (i > 0 && j < n && fs_perturb__draw(rng, ws_of(p)->strength)) {
            fs_perturb__emit_upto(&e, i, j);
            fs_buf_append(out, "   ", 1 + (size_t)fs_rng_below(rng, 3));
        }
        i = j;
    }
    fs_perturb__emit_upto(&e, n, n);
}

static fs_status mild_mix_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                fs_buf *out, fs_error *err)
{
    words_state *ws = ws_of(p);
    fs_rng step[4];
    if (n == 0) {
        return FS_OK;
    }
    for (size_t k = 0; k < 4; k++) {
        fs_rng_seed(&step[k], fs_rng_u64(rng));
    }
    fs_perturber *con = ws->sub[0], *mis = ws->sub[1];
    fs_buf_reset(&p->scratch);
    fs_buf_reset(&ws->mid);
    fs_status st = lower_words(p, &step[0], text, n, &p->scratch, err);
    if (st == FS_OK) {
        st = con->kind->apply(con, &step[1], fs_buf_cstr(&p->scratch), p->scratch.len, &ws->mid,
                              err);
    }
    if (st == FS_OK) {
        fs_buf_reset(&p->scratch);
        st = mis->kind->apply(mis, &step[2], fs_buf_cstr(&ws->mid), ws->mid.len, &p->scratch, err);
    }
    if (st == FS_OK && (fs_buf_status(&p->scratch) != FS_OK || fs_buf_status(&ws->mid) != FS_OK)) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        respace(p, &step[3], fs_buf_cstr(&p->scratch), p->scratch.len, out);
    }
    return st;
}

/* Create a component perturber with the given rate and record its data files as ours. */
static fs_status mild_mix_component(fs_perturber *p, size_t slot, const char *name, double rate,
                                    const char *data_dir, fs_error *err)
{
    fs_params params;
    char value[40];
    fs_params_init(&params);
    fs_fmt_double(value, sizeof value, rate);
    fs_status st = fs_params_set(&params, "rate", value, err);
    if (st == FS_OK) {
        st = fs_perturber_new(&ws_of(p)->sub[slot], name, &params, data_dir, err);
    }
    fs_params_dispose(&params);
    const char *const *files = NULL;
    size_t nf = st == FS_OK ? fs_perturber_files(ws_of(p)->sub[slot], &files) : 0;
    for (size_t i = 0; i < nf && st == FS_OK; i++) {
        if (p->n_files == FS_PERTURB__MAX_FILES) {
            return FS_FAIL(err, FS_ERR_INTERNAL, "%s: too many data files", p->info->name);
        }
        p->files[p->n_files] = fs_strdup(files[i]);
        if (p->files[p->n_files++] == NULL) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    return st;
}

static fs_status mild_mix_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    const char *strength = fs_params_get(&p->params, "strength");
    double s = 0.0;
    if (!fs_parse_double(strength, &s) || isnan(s) || s < 0.0 || s > 1.0) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "%s: strength: must be a number between 0 and 1, got '%s'", p->info->name,
                       strength);
    }
    fs_status st = state_new(p, err);
    if (st == FS_OK) {
        ws_of(p)->strength = s;
        st = mild_mix_component(p, 0, "contraction", s, data_dir, err);
    }
    if (st == FS_OK) {
        st = mild_mix_component(p, 1, "misspelling", 0.1 * s, data_dir, err);
    }
    return st;
}

const fs_perturb__kind fs_perturb__word_kinds[] = {
    { "contraction", FS_TEXT_WORD, FS_PERTURB__SEGMENTS, contraction_init, contraction_apply,
      words_fini },
    { "expansion", FS_TEXT_WORD, FS_PERTURB__SEGMENTS, expansion_init, replace_apply, words_fini },
    { "filler", FS_TEXT_WORD, FS_PERTURB__SEGMENTS, filler_init, filler_apply, words_fini },
    { "mild-mix", FS_TEXT_WORD, FS_PERTURB__SEGMENTS, mild_mix_init, mild_mix_apply, words_fini },
    { "misspelling", FS_TEXT_WORD, FS_PERTURB__SEGMENTS, misspelling_init, replace_apply,
      words_fini },
    { "number-format", FS_TEXT_WORD, FS_PERTURB__SEGMENTS, number_format_init, number_format_apply,
      words_fini },
    { "synonym", FS_TEXT_WORD, FS_PERTURB__SEGMENTS, synonym_init, replace_apply, words_fini },
    { "word-drop", FS_TEXT_WORD, FS_PERTURB__SEGMENTS, NULL, word_drop_apply, NULL },
    { "word-swap", FS_TEXT_WORD, FS_PERTURB__SEGMENTS, NULL, word_swap_apply, NULL },
    { NULL, FS_TEXT_WORD, FS_PERTURB__SEGMENTS, NULL, NULL, NULL },
};
