/* The adversarial family: homoglyph (letters replaced by look-alikes of another script),
 * zero-width (invisible characters inside words), bidi (bidirectional controls that make
 * the stored order differ from the displayed one), distractor (an irrelevant sentence),
 * injection (an instruction that tries to override the task) and encoding (the input
 * base64-, rot13- or hex-encoded inside an instruction to decode it).
 * Invariants: character-level kinds walk ICU grapheme clusters and insert or replace only
 * whole clusters (a replacement keeps the combining marks of the letter it replaces), so
 * no cluster is ever split and every output is valid UTF-8; word-level decisions use ICU
 * word segments; every list (homoglyphs, sentences, templates) comes from a data file;
 * random numbers are drawn only at decision points, in text order; the hot paths copy
 * unchanged stretches straight from the input and allocate nothing per character. */
#include <stdio.h>
#include <string.h>

#include "perturb/internal.h"

/* Where an added sentence goes (distractor, injection). */
enum { POS_START = 0, POS_END = 1, POS_RANDOM = 2 };
/* bidi modes; encoding schemes. */
enum { MODE_REORDER = 0, MODE_INSERT = 1 };
enum { SCHEME_BASE64 = 0, SCHEME_ROT13 = 1, SCHEME_HEX = 2 };

#define MAX_MARKS 8

/* Kind-specific state; each kind uses the members named in its comment. */
typedef struct adv_state {
    fs_perturb__map *map;         /* homoglyph: grapheme → look-alikes */
    const char *marks[MAX_MARKS]; /* zero-width: the characters to insert */
    size_t n_marks;
    int choice;        /* bidi: mode; encoding: scheme; distractor, injection: position */
    fs_buf pool;       /* distractor, injection, encoding: the sentences or templates */
    size_t *items;     /* offset and length of each, pairs into pool */
    size_t n_items;    /* number of items */
    const char *value; /* injection: the answer, borrowed from p->params */
} adv_state;

static fs_status new_state(fs_perturber *p, adv_state **out, fs_error *err)
{
    adv_state *s = fs_calloc(1, sizeof *s);
    if (s == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_init(&s->pool, 0);
    p->state = s;
    *out = s;
    return FS_OK;
}

static void adv_fini(fs_perturber *p)
{
    adv_state *s = p->state;
    if (s == NULL) {
        return;
    }
    fs_perturb__map_free(s->map);
    fs_buf_dispose(&s->pool);
    fs_free(s->items);
    fs_free(s);
    p->state = NULL;
}

/* The index of the parameter's value in names, or a configuration error listing them. */
static fs_status pick_one(const fs_perturber *p, const char *param, const char *const *names,
                          size_t n, int *out, fs_error *err)
{
    const char *v = fs_params_get(&p->params, param);
    char list[160];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (v != NULL && strcmp(v, names[i]) == 0) {
            *out = (int)i;
            return FS_OK;
        }
        int w = snprintf(list + len, sizeof list - len, "%s%s", i > 0 ? ", " : "", names[i]);
        len += w > 0 && (size_t)w < sizeof list - len ? (size_t)w : 0;
    }
    return FS_FAIL(err, FS_ERR_CONFIG, "%s: %s: must be one of %s, got '%s'", p->info->name, param,
                   list, v != NULL ? v : "");
}

static fs_status position_init(fs_perturber *p, adv_state *s, fs_error *err)
{
    static const char *const names[] = { "start", "end", "random" };
    return pick_one(p, "position", names, 3, &s->choice, err);
}

/* ---- data files ---------------------------------------------------------------------- */

/* Is s[0..n) exactly one grapheme cluster of valid UTF-8? */
static fs_status one_grapheme(fs_perturber *p, const char *s, size_t n, bool *ok, fs_error *err)
{
    const fs_text_span *g = NULL;
    size_t count = 0;
    *ok = false;
    if (n == 0 || !fs_text_valid_utf8(s, n)) {
        return FS_OK;
    }
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, s, n, err);
    *ok = st == FS_OK && count == 1;
    return st;
}

static fs_status add_look_alikes(fs_perturber *p, fs_perturb__map *map, const cJSON *e,
                                 const char *path, fs_error *err)
{
    const char *key = e->string;
    size_t klen = strlen(key), i = 0;
    bool ok = false;
    fs_status st = one_grapheme(p, key, klen, &ok, err);
    if (st == FS_OK && !ok) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: map.%s: a key must be one character", path, key);
    }
    if (st == FS_OK && (!cJSON_IsArray(e) || cJSON_GetArraySize(e) == 0)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: map.%s: expected a non-empty array of strings", path,
                       key);
    }
    for (const cJSON *v = st == FS_OK ? e->child : NULL; v != NULL && st == FS_OK; v = v->next) {
        size_t vlen = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
        if (vlen > 0) {
            st = one_grapheme(p, v->valuestring, vlen, &ok, err);
        }
        if (st == FS_OK && (vlen == 0 || !ok)) {
            return FS_FAIL(err, FS_ERR_INPUT, "%s: map.%s[%zu]: expected one character", path, key,
                           i);
        }
        if (st == FS_OK) {
            st = fs_perturb__map_add(map, key, klen, v->valuestring, vlen, err);
        }
        i++;
    }
    return st;
}

static fs_status homoglyph_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    adv_state *s = NULL;
    cJSON *doc = NULL;
    const char *path = NULL;
    fs_status st = new_state(p, &s, err);
    if (st == FS_OK) {
        st = fs_perturb__load_json(p, data_dir, "homoglyphs.json", &doc, &path, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__map_new(&s->map, err);
    }
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(doc, "map");
    if (st == FS_OK && (!cJSON_IsObject(map) || map->child == NULL)) {
        st = FS_FAIL(err, FS_ERR_INPUT,
                     "%s: map: expected an object mapping characters to arrays of look-alikes",
                     path);
    }
    for (const cJSON *e = st == FS_OK ? map->child : NULL; e != NULL && st == FS_OK; e = e->next) {
        st = add_look_alikes(p, s->map, e, path, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__map_finish(s->map, err);
    }
    cJSON_Delete(doc);
    return st;
}

/* Copy a string item into the state's pool, checking it as a template when placeholder
 * is set. where: the member's name in messages. */
static fs_status add_item(adv_state *s, const cJSON *v, const char *path, const char *where,
                          size_t i, const char *placeholder, fs_error *err)
{
    const char *str = cJSON_IsString(v) ? v->valuestring : NULL;
    size_t len = str != NULL ? strlen(str) : 0;
    if (len == 0 || !fs_text_valid_utf8(str, len)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s[%zu]: expected a non-empty string", path, where,
                       i);
    }
    if (placeholder != NULL && strstr(str, placeholder) == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s[%zu]: must contain %s", path, where, i,
                       placeholder);
    }
    s->items[2 * i] = s->pool.len;
    s->items[2 * i + 1] = len;
    fs_buf_append(&s->pool, str, len);
    return fs_buf_status(&s->pool) != FS_OK ? FS_FAIL(err, FS_ERR_NOMEM, "out of memory") : FS_OK;
}

/* Load the array arr (member `where` of the file at path) into the state's items. */
static fs_status load_items(adv_state *s, const cJSON *arr, const char *path, const char *where,
                            const char *placeholder, fs_error *err)
{
    size_t n = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
    size_t bytes = 0;
    if (n == 0) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s: expected a non-empty array of strings", path,
                       where);
    }
    if (!fs_size_mul(&bytes, n, 2 * sizeof *s->items)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    s->items = fs_malloc(bytes);
    if (s->items == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_status st = FS_OK;
    size_t i = 0;
    for (const cJSON *v = arr->child; v != NULL && st == FS_OK; v = v->next) {
        st = add_item(s, v, path, where, i++, placeholder, err);
    }
    s->n_items = st == FS_OK ? n : 0;
    return st;
}

static fs_str item(const adv_state *s, size_t i)
{
    fs_str r = { s->pool.data + s->items[2 * i], s->items[2 * i + 1] };
    return r;
}

static fs_status distractor_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    adv_state *s = NULL;
    cJSON *doc = NULL;
    const char *path = NULL;
    fs_status st = new_state(p, &s, err);
    if (st == FS_OK) {
        st = position_init(p, s, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__load_json(p, data_dir, "distractors.json", &doc, &path, err);
    }
    if (st == FS_OK) {
        st = load_items(s, cJSON_GetObjectItemCaseSensitive(doc, "sentences"), path, "sentences",
                        NULL, err);
    }
    cJSON_Delete(doc);
    return st;
}

static fs_status injection_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    adv_state *s = NULL;
    cJSON *doc = NULL;
    const char *path = NULL;
    fs_status st = new_state(p, &s, err);
    const char *answer = fs_params_get(&p->params, "answer");
    if (st == FS_OK && (answer == NULL || answer[0] == '\0')) {
        st = FS_FAIL(err, FS_ERR_CONFIG,
                     "injection: answer: set the answer the injected instruction asks for");
    } else if (st == FS_OK && !fs_text_valid_utf8(answer, strlen(answer))) {
        st = FS_FAIL(err, FS_ERR_CONFIG, "injection: answer: must be valid UTF-8");
    }
    if (st == FS_OK) {
        s->value = answer;
        st = position_init(p, s, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__load_json(p, data_dir, "injections.json", &doc, &path, err);
    }
    if (st == FS_OK) {
        st = load_items(s, cJSON_GetObjectItemCaseSensitive(doc, "templates"), path, "templates",
                        "{{answer}}", err);
    }
    cJSON_Delete(doc);
    return st;
}

static fs_status encoding_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    static const char *const schemes[] = { "base64", "rot13", "hex" };
    adv_state *s = NULL;
    cJSON *doc = NULL;
    const char *path = NULL;
    char where[32];
    fs_status st = new_state(p, &s, err);
    if (st == FS_OK) {
        st = pick_one(p, "scheme", schemes, 3, &s->choice, err);
    }
    if (st == FS_OK) {
        st = fs_perturb__load_json(p, data_dir, "encodings.json", &doc, &path, err);
    }
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(doc, "templates");
    if (st == FS_OK && !cJSON_IsObject(all)) {
        st = FS_FAIL(err, FS_ERR_INPUT,
                     "%s: templates: expected an object with one array of templates per scheme",
                     path);
    }
    if (st == FS_OK) {
        snprintf(where, sizeof where, "templates.%s", schemes[s->choice]);
        st = load_items(s, cJSON_GetObjectItemCaseSensitive(all, schemes[s->choice]), path, where,
                        "{{encoded}}", err);
    }
    cJSON_Delete(doc);
    return st;
}

/* ---- parameters of zero-width and bidi ---------------------------------------------- */

static const char *const zw_names[] = { "zwsp", "zwnj", "zwj", "shy", "wj" };
static const char *const zw_chars[] = { "\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D", "\xC2\xAD",
                                        "\xE2\x81\xA0" };
#define N_ZW (sizeof zw_names / sizeof zw_names[0])

/* One name of the comma-separated `chars` list, spaces around it trimmed. */
static fs_status zw_add(fs_perturber *p, adv_state *s, const char *name, size_t len, fs_error *err)
{
    while (len > 0 && name[0] == ' ') {
        name++;
        len--;
    }
    while (len > 0 && name[len - 1] == ' ') {
        len--;
    }
    for (size_t i = 0; i < N_ZW; i++) {
        if (strlen(zw_names[i]) == len && memcmp(zw_names[i], name, len) == 0) {
            if (s->n_marks < MAX_MARKS) {
                s->marks[s->n_marks++] = zw_chars[i];
            }
            return FS_OK;
        }
    }
    return FS_FAIL(err, FS_ERR_CONFIG,
                   "%s: chars: must be one of zwsp, zwnj, zwj, shy, wj, got '%.*s'", p->info->name,
                   (int)len, name);
}

static fs_status zero_width_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    adv_state *s = NULL;
    (void)data_dir;
    fs_status st = new_state(p, &s, err);
    const char *v = fs_params_get(&p->params, "chars");
    v = v != NULL ? v : "";
    while (st == FS_OK) {
        const char *comma = strchr(v, ',');
        size_t len = comma != NULL ? (size_t)(comma - v) : strlen(v);
        st = zw_add(p, s, v, len, err);
        if (comma == NULL) {
            break;
        }
        v = comma + 1;
    }
    return st;
}

static fs_status bidi_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    static const char *const modes[] = { "reorder", "insert" };
    adv_state *s = NULL;
    (void)data_dir;
    fs_status st = new_state(p, &s, err);
    if (st == FS_OK) {
        st = pick_one(p, "mode", modes, 2, &s->choice, err);
    }
    return st;
}

/* ---- grapheme walking inside words --------------------------------------------------- */

/* The graphemes of one word. An ASCII word's graphemes are its bytes (CR LF, the only
 * multi-byte ASCII cluster, never occurs inside a word), so ICU runs only when the text
 * has a non-ASCII word, and then once over the whole stretch. */
typedef struct gwalk {
    fs_perturber *p;
    const char *text;
    size_t n;
    const fs_text_span *g; /* graphemes of the whole text, once computed */
    size_t count, next;    /* next: first grapheme not before the current word */
} gwalk;

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            return false;
        }
    }
    return true;
}

/* Byte offsets of the graphemes of word w: bounds[0] = w.start, then each end; returns
 * the number of graphemes, at most cap (longer words are left unchanged: 0). */
static fs_status word_bounds(gwalk *gw, fs_text_span w, size_t *bounds, size_t cap, size_t *count,
                             fs_error *err)
{
    size_t k = 0;
    *count = 0;
    bounds[0] = w.start;
    if (is_ascii(gw->text + w.start, w.end - w.start)) {
        for (size_t i = w.start; i < w.end && k < cap; i++) {
            bounds[++k] = i + 1;
        }
        *count = w.end - w.start <= cap ? k : 0;
        return FS_OK;
    }
    if (gw->g == NULL) {
        fs_status st = fs_text_segmenter_run(gw->p->seg, &gw->g, &gw->count, gw->text, gw->n, err);
        if (st != FS_OK) {
            return st;
        }
    }
    while (gw->next < gw->count && gw->g[gw->next].end <= w.start) {
        gw->next++;
    }
    for (size_t i = gw->next; i < gw->count && gw->g[i].end <= w.end; i++) {
        if (k == cap) {
            return FS_OK;
        }
        bounds[++k] = gw->g[i].end;
    }
    *count = k;
    return FS_OK;
}

/* ---- homoglyph ----------------------------------------------------------------------- */

/* The look-alikes of grapheme s[0..n): of the whole cluster, else of its first character
 * when the rest are combining marks (which then stay on the replacement). */
static fs_perturb__values look_alikes(const fs_perturb__map *map, const char *s, size_t n,
                                      size_t *replaced)
{
    fs_perturb__values v = fs_perturb__map_get(map, s, n);
    *replaced = n;
    if (v.n == 0 && n > 1) {
        size_t i = 0;
        fs_text_next_cp(s, n, &i);
        if (i < n && fs_text_all_marks(s + i, n - i)) {
            v = fs_perturb__map_get(map, s, i);
            *replaced = i;
        }
    }
    return v;
}

static fs_status homoglyph_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err)
{
    const adv_state *s = p->state;
    const fs_text_span *g = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    if (st != FS_OK) {
        return st;
    }
    for (size_t i = 0; i < count; i++) {
        size_t replaced = 0;
        fs_perturb__values v =
            look_alikes(s->map, text + g[i].start, g[i].end - g[i].start, &replaced);
        if (v.n == 0 || !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        fs_str rep = v.v[v.n > 1 ? fs_rng_below(rng, v.n) : 0];
        fs_perturb__emit_upto(&e, g[i].start, g[i].start + replaced);
        fs_buf_append(out, rep.ptr, rep.len);
    }
    fs_perturb__emit_upto(&e, n, n);
    return FS_OK;
}

/* ---- zero-width ---------------------------------------------------------------------- */

#define MAX_WORD 256 /* graphemes; longer "words" (base64 blobs, URLs) are left as they are */

/* Is the grapheme text[start..end) a letter? A one-byte grapheme is ASCII, where the
 * letters are exactly A-Z and a-z: checked without a property lookup. */
static bool is_letter(const char *text, size_t start, size_t end)
{
    if (end - start == 1) {
        unsigned char c = (unsigned char)(text[start] | 0x20);
        return c >= 'a' && c <= 'z';
    }
    return fs_text_classify(text + start, end - start).is_alpha;
}

static fs_status zero_width_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                  fs_buf *out, fs_error *err)
{
    const adv_state *s = p->state;
    const fs_text_span *w = NULL;
    size_t count = 0, bounds[MAX_WORD + 1], k = 0;
    fs_perturb__emitter e = { out, text, 0 };
    gwalk gw = { p, text, n, NULL, 0, 0 };
    fs_status st = fs_text_segmenter_run(p->words, &w, &count, text, n, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        if (w[i].kind == 0) {
            continue;
        }
        st = word_bounds(&gw, w[i], bounds, MAX_WORD, &k, err);
        bool prev = k > 0 && is_letter(text, bounds[0], bounds[1]);
        for (size_t j = 1; j < k && st == FS_OK; j++) {
            bool cur = is_letter(text, bounds[j], bounds[j + 1]);
            if (prev && cur && fs_perturb__draw(rng, p->rate)) {
                const char *mark = s->marks[s->n_marks > 1 ? fs_rng_below(rng, s->n_marks) : 0];
                fs_perturb__emit_upto(&e, bounds[j], bounds[j]);
                fs_buf_puts(out, mark);
            }
            prev = cur;
        }
    }
    fs_perturb__emit_upto(&e, n, n);
    return st;
}

/* ---- bidi ---------------------------------------------------------------------------- */

/* UAX #9 explicit formatting characters, in UTF-8. */
#define LRO "\xE2\x80\xAD"
#define RLO "\xE2\x80\xAE"
#define PDF "\xE2\x80\xAC"
static const char *const stray_marks[] = {
    "\xE2\x80\x8E", /* LRM */
    "\xE2\x80\x8F", /* RLM */
    "\xE2\x80\xAA", /* LRE */
    "\xE2\x80\xAB", /* RLE */
    PDF,
    "\xE2\x81\xA6", /* LRI */
    "\xE2\x81\xA7", /* RLI */
    "\xE2\x81\xA9", /* PDI */
};
#define N_STRAY (sizeof stray_marks / sizeof stray_marks[0])

/* Store the word's graphemes in reverse order inside an override of the opposite
 * direction to the word's own, so that it displays as it did: RLO for left-to-right and
 * neutral words, LRO for right-to-left ones. */
static void put_reversed(fs_buf *out, const char *text, const size_t *bounds, size_t k)
{
    bool rtl = fs_text_strong_dir(text + bounds[0], bounds[k] - bounds[0]) == FS_DIR_RTL;
    fs_buf_puts(out, rtl ? LRO : RLO);
    for (size_t j = k; j > 0; j--) {
        fs_buf_append(out, text + bounds[j - 1], bounds[j] - bounds[j - 1]);
    }
    fs_buf_puts(out, PDF);
}

static fs_status bidi_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out,
                            fs_error *err)
{
    const adv_state *s = p->state;
    const fs_text_span *w = NULL;
    size_t count = 0, bounds[MAX_WORD + 1], k = 0;
    fs_perturb__emitter e = { out, text, 0 };
    gwalk gw = { p, text, n, NULL, 0, 0 };
    fs_status st = fs_text_segmenter_run(p->words, &w, &count, text, n, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        if (w[i].kind == 0) {
            continue;
        }
        st = word_bounds(&gw, w[i], bounds, MAX_WORD, &k, err);
        if (st != FS_OK || k < 2 || !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        if (s->choice == MODE_REORDER) {
            fs_perturb__emit_upto(&e, w[i].start, w[i].end);
            put_reversed(out, text, bounds, k);
        } else {
            size_t at = bounds[1 + fs_rng_below(rng, k - 1)];
            fs_perturb__emit_upto(&e, at, at);
            fs_buf_puts(out, stray_marks[fs_rng_below(rng, N_STRAY)]);
        }
    }
    fs_perturb__emit_upto(&e, n, n);
    return st;
}

/* ---- distractor, injection, encoding ------------------------------------------------- */

/* Append tmpl with every occurrence of placeholder replaced by value. */
static void put_filled(fs_buf *out, fs_str tmpl, const char *placeholder, const char *value,
                       size_t vlen)
{
    size_t plen = strlen(placeholder), at = 0;
    for (size_t i = 0; i + plen <= tmpl.len;) {
        if (memcmp(tmpl.ptr + i, placeholder, plen) == 0) {
            fs_buf_append(out, tmpl.ptr + at, i - at);
            fs_buf_append(out, value, vlen);
            i += plen;
            at = i;
        } else {
            i++;
        }
    }
    fs_buf_append(out, tmpl.ptr + at, tmpl.len - at);
}

/* Add a sentence (an item of the state, filled with the answer for injection) before or
 * after the text: draws the side (position random) and then the item. */
static fs_status add_sentence(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out,
                              fs_error *err)
{
    const adv_state *s = p->state;
    (void)err;
    if (n == 0) {
        return FS_OK;
    }
    int pos = s->choice == POS_RANDOM ? (int)fs_rng_below(rng, 2) : s->choice;
    fs_str it = item(s, (size_t)fs_rng_below(rng, s->n_items));
    const char *sep = memchr(text, '\n', n) != NULL ? "\n" : " ";
    if (pos == POS_END) {
        fs_buf_append(out, text, n);
        fs_buf_puts(out, sep);
    }
    if (s->value != NULL) {
        put_filled(out, it, "{{answer}}", s->value, strlen(s->value));
    } else {
        fs_buf_append(out, it.ptr, it.len);
    }
    if (pos == POS_START) {
        fs_buf_puts(out, sep);
        fs_buf_append(out, text, n);
    }
    return FS_OK;
}

/* RFC 4648 base64 with padding, no line breaks. */
static void put_base64(fs_buf *out, const unsigned char *s, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char quad[4];
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        v |= i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0;
        v |= i + 2 < n ? (uint32_t)s[i + 2] : 0;
        quad[0] = abc[(v >> 18) & 63];
        quad[1] = abc[(v >> 12) & 63];
        quad[2] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        quad[3] = i + 2 < n ? abc[v & 63] : '=';
        fs_buf_append(out, quad, 4);
    }
}

static void put_hex(fs_buf *out, const unsigned char *s, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char pair[2] = { digits[s[i] >> 4], digits[s[i] & 15] };
        fs_buf_append(out, pair, 2);
    }
}

/* ROT13 of the ASCII letters; every other byte (so every non-ASCII character, whose
 * UTF-8 bytes are all >= 0x80) passes through. */
static void put_rot13(fs_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'm') || (c >= 'A' && c <= 'M')) {
            c = (char)(c + 13);
        } else if ((c >= 'n' && c <= 'z') || (c >= 'N' && c <= 'Z')) {
            c = (char)(c - 13);
        }
        fs_buf_putc(out, c);
    }
}

static fs_status encoding_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                fs_buf *out, fs_error *err)
{
    const adv_state *s = p->state;
    if (n == 0) {
        return FS_OK;
    }
    fs_buf_reset(&p->scratch);
    if (s->choice == SCHEME_BASE64) {
        put_base64(&p->scratch, (const unsigned char *)text, n);
    } else if (s->choice == SCHEME_HEX) {
        put_hex(&p->scratch, (const unsigned char *)text, n);
    } else {
        put_rot13(&p->scratch, text, n);
    }
    if (fs_buf_status(&p->scratch) != FS_OK) {
        return FS_FAIL(err, fs_buf_status(&p->scratch), "out of memory");
    }
    fs_str it = item(s, (size_t)fs_rng_below(rng, s->n_items));
    put_filled(out, it, "{{encoded}}", p->scratch.data, p->scratch.len);
    return FS_OK;
}

const fs_perturb__kind fs_perturb__adversarial_kinds[] = {
    { "bidi", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, bidi_init, bidi_apply, adv_fini },
    { "distractor", FS_TEXT_GRAPHEME, FS_PERTURB__WHOLE, distractor_init, add_sentence, adv_fini },
    { "encoding", FS_TEXT_GRAPHEME, FS_PERTURB__WHOLE, encoding_init, encoding_apply, adv_fini },
    { "homoglyph", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, homoglyph_init, homoglyph_apply,
      adv_fini },
    { "injection", FS_TEXT_GRAPHEME, FS_PERTURB__WHOLE, injection_init, add_sentence, adv_fini },
    { "zero-width", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, zero_width_init, zero_width_apply,
      adv_fini },
    { NULL, FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, NULL, NULL, NULL },
};
