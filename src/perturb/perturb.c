/* The perturbation engine: the catalogue of perturbations (a static table sorted by
 * name), parameter validation, and the perturber object that applies one perturbation.
 * Invariants: a perturber's effective parameters are the catalogue defaults overridden by
 * validated user values; every variant is a pure function of (text, parameters, seed,
 * record id, stream name), since the RNG stream is derived from exactly those and nothing
 * else (no time, address or locale) reaches the output; `changed` is computed by comparing
 * bytes, so it is false exactly when the variant equals the input. */
#include "fairshake/perturb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perturb/internal.h"

#define P_RATE(def, what)                                     \
    {                                                         \
        "rate", def, "probability that each " what " changes" \
    }
#define P_FILE(def)                                                    \
    {                                                                  \
        "file", "", "your own data file instead of perturbations/" def \
    }

static const fs_perturb_param_info params_bidi[] = {
    P_RATE("0.1", "word"),
    { "mode", "reorder",
      "reorder: a word stored reversed inside right-to-left override marks, so it displays "
      "as before; insert: stray direction marks between letters" },
};
static const fs_perturb_param_info params_case[] = { P_RATE("0.1", "cased letter") };
static const fs_perturb_param_info params_contraction[] = { P_RATE("1.0", "expandable phrase"),
                                                            P_FILE("contractions.json") };
static const fs_perturb_param_info params_delete[] = { P_RATE("0.05", "letter") };
static const fs_perturb_param_info params_diacritics[] = {
    P_RATE("1.0", "accented letter (strip) or letter that can take an accent (add)"),
    { "mode", "strip", "strip: remove accents; add: put an accent on letters that can carry one" },
    P_FILE("diacritics.json (the accents mode add puts on)"),
};
static const fs_perturb_param_info params_distractor[] = {
    { "position", "end", "where the sentence goes: start, end or random" },
    P_FILE("distractors.json"),
};
static const fs_perturb_param_info params_encoding[] = {
    { "scheme", "base64", "base64, rot13 or hex" },
    P_FILE("encodings.json"),
};
static const fs_perturb_param_info params_expansion[] = { P_RATE("1.0", "contraction"),
                                                          P_FILE("contractions.json") };
static const fs_perturb_param_info params_filler[] = { P_RATE("0.1", "gap between words"),
                                                       P_FILE("fillers.json") };
static const fs_perturb_param_info params_homoglyph[] = { P_RATE("0.1", "letter with a confusable"),
                                                          P_FILE("homoglyphs.json") };
static const fs_perturb_param_info params_injection[] = {
    { "answer", "", "the answer the injected instruction asks for (required)" },
    { "position", "end", "where the instruction goes: start, end or random" },
    P_FILE("injections.json"),
};
static const fs_perturb_param_info params_insert[] = {
    P_RATE("0.05", "letter"),
    { "layout", "qwerty", "keyboard layout whose keys are inserted" },
    P_FILE("keyboard/<layout>.json"),
};
static const fs_perturb_param_info params_leet[] = { P_RATE("0.3", "letter with a leet form"),
                                                     P_FILE("leet.json") };
static const fs_perturb_param_info params_mild_mix[] = {
    { "strength", "1.0", "multiplies every component's rate (0 to 1)" },
};
static const fs_perturb_param_info params_misspelling[] = {
    P_RATE("0.2", "word with a known misspelling"), P_FILE("misspellings.json")
};
static const fs_perturb_param_info params_number_format[] = {
    P_RATE("1.0", "number"),
    { "style", "random", "grouped (1,000), plain (1000), words (one thousand) or random" },
};
static const fs_perturb_param_info params_ocr[] = {
    P_RATE("0.1", "character with an OCR confusion"), P_FILE("ocr.json")
};
#define P_PII_RATE                                                        \
    {                                                                     \
        "rate", "1.0", "probability that each detected item is rewritten" \
    }
#define P_PII_PATTERNS                                                                 \
    {                                                                                  \
        "patterns", "", "your own detector patterns file (see identify/patterns.json)" \
    }
#define P_PII_STYLE(def, what)                                                \
    {                                                                         \
        "style", def, what " or random (one that changes the item, per item)" \
    }
#define PII_DIGIT_CATEGORIES "phone,payment_card,iban,ssn,mrn,identifier"
static const fs_perturb_param_info params_pii_date_format[] = {
    P_PII_RATE,
    P_PII_STYLE("random", "a format of pii.json date_formats: iso, dmy, mdy, dmy-dots, long, ..."),
    P_FILE("pii.json"),
    P_PII_PATTERNS,
};
static const fs_perturb_param_info params_pii_digit_spacing[] = {
    P_PII_RATE,
    P_PII_STYLE("random", "none, pairs, triples, quads, spaced or dashes"),
    { "categories", PII_DIGIT_CATEGORIES, "detector categories whose items are regrouped" },
    P_PII_PATTERNS,
};
static const fs_perturb_param_info params_pii_email_obfuscate[] = {
    P_PII_RATE,
    P_PII_STYLE("random", "a style of pii.json email_styles: words, brackets, parens, ..."),
    P_FILE("pii.json"),
    P_PII_PATTERNS,
};
static const fs_perturb_param_info params_pii_name_case[] = {
    P_PII_RATE,
    { "case", "random", "upper, lower or random" },
    P_PII_PATTERNS,
};
static const fs_perturb_param_info params_pii_ocr[] = {
    P_PII_RATE,
    { "char_rate", "0.3",
      "probability that each character of a chosen item with an OCR confusion is misread (one "
      "at least)" },
    { "categories", PII_DIGIT_CATEGORIES ",email,date,postal_code,ip_address,url",
      "detector categories whose items get OCR noise" },
    P_FILE("ocr.json"),
    P_PII_PATTERNS,
};
static const fs_perturb_param_info params_pii_phone_format[] = {
    P_PII_RATE,
    P_PII_STYLE("random", "e164, plain, dashes, dots, spaces or parens"),
    P_PII_PATTERNS,
};
static const fs_perturb_param_info params_pii_unicode_digits[] = {
    P_PII_RATE,
    { "script", "random",
      "a digit script of pii.json digit_scripts: fullwidth, arabic-indic, devanagari, ... or "
      "random" },
    { "categories", PII_DIGIT_CATEGORIES ",date,postal_code,ip_address",
      "detector categories whose digits are rewritten" },
    P_FILE("pii.json"),
    P_PII_PATTERNS,
};
static const fs_perturb_param_info params_punctuation[] = {
    { "rate", "1.0", "probability that each punctuation mark is dropped" },
};
static const fs_perturb_param_info params_substitute[] = {
    P_RATE("0.05", "letter"),
    { "layout", "qwerty", "keyboard layout whose keys are substituted" },
    P_FILE("keyboard/<layout>.json"),
};
static const fs_perturb_param_info params_swap[] = { P_RATE("0.05", "pair of adjacent letters") };
static const fs_perturb_param_info params_synonym[] = { P_RATE("0.1", "word with a synonym"),
                                                        P_FILE("synonyms.json") };
static const fs_perturb_param_info params_typo[] = {
    { "layout", "qwerty", "keyboard layout: perturbations/keyboard/<layout>.json" },
    { "rate", "0.05", "probability that each letter or digit on the layout is mistyped" },
    P_FILE("keyboard/<layout>.json"),
};
static const fs_perturb_param_info params_unicode_forms[] = {
    P_RATE("1.0", "character the form changes (fullwidth: printable ASCII or space)"),
    { "form", "nfd", "nfd, nfkd, nfc, nfkc, fullwidth or random" },
};
static const fs_perturb_param_info params_whitespace[] = {
    { "rate", "0.1",
      "probability that each space between words gets an extra space or is removed" },
};
static const fs_perturb_param_info params_word_drop[] = { P_RATE("0.1", "word") };
static const fs_perturb_param_info params_word_swap[] = { P_RATE("0.1", "pair of adjacent words") };
static const fs_perturb_param_info params_zero_width[] = {
    P_RATE("0.1", "gap between two letters of a word"),
    { "chars", "zwsp,zwnj,zwj,shy", "characters to insert, from zwsp, zwnj, zwj, shy, wj" },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ENTRY(name, fam, desc, params)        \
    {                                         \
        name, fam, desc, params, N_OF(params) \
    }
#define NOISE FS_PERTURB_NOISE
#define ADV   FS_PERTURB_ADVERSARIAL

/* Sorted by name (fs_perturb_find is a binary search). */
static const fs_perturb_info catalogue[] = {
    ENTRY("bidi", ADV, "hide reordered words behind bidirectional control characters", params_bidi),
    ENTRY("case", NOISE, "swap the case of random letters", params_case),
    ENTRY("contraction", NOISE, "contract phrases (do not → don't)", params_contraction),
    ENTRY("delete", NOISE, "delete random letters", params_delete),
    ENTRY("diacritics", NOISE, "strip accents, or add them", params_diacritics),
    ENTRY("distractor", ADV, "add an irrelevant sentence before or after the input",
          params_distractor),
    ENTRY("encoding", ADV, "wrap the input in base64, rot13 or hex with an instruction to decode",
          params_encoding),
    ENTRY("expansion", NOISE, "expand contractions (don't → do not)", params_expansion),
    ENTRY("filler", NOISE, "insert filler words and hedges between words", params_filler),
    ENTRY("homoglyph", ADV, "replace letters by look-alikes from other scripts", params_homoglyph),
    ENTRY("injection", ADV, "add an instruction that tries to override the task", params_injection),
    ENTRY("insert", NOISE, "insert random keyboard letters", params_insert),
    ENTRY("leet", NOISE, "write letters as digits and symbols (e → 3)", params_leet),
    ENTRY("mild-mix", NOISE,
          "HELM's mild mix: lower case, contractions, misspellings and extra spaces",
          params_mild_mix),
    ENTRY("misspelling", NOISE, "replace words by their common misspellings", params_misspelling),
    ENTRY("number-format", NOISE, "rewrite numbers (1000, 1,000, one thousand)",
          params_number_format),
    ENTRY("ocr", NOISE, "OCR confusions (rn → m, l → 1, O → 0)", params_ocr),
    ENTRY("pii-date-format", NOISE,
          "rewrite detected dates in another format (ISO, 15/03/2024, "
          "March 15, 2024)",
          params_pii_date_format),
    ENTRY("pii-digit-spacing", NOISE,
          "regroup the digits of detected numbers (cards, phones, IBANs)",
          params_pii_digit_spacing),
    ENTRY("pii-email-obfuscate", NOISE, "obfuscate detected e-mails (j.doe at example dot com)",
          params_pii_email_obfuscate),
    ENTRY("pii-name-case", NOISE, "write detected person names in upper or lower case",
          params_pii_name_case),
    ENTRY("pii-ocr", NOISE, "OCR confusions on detected identifiers only", params_pii_ocr),
    ENTRY("pii-phone-format", NOISE,
          "reformat detected phone numbers (+1 415 555 0134 → "
          "(415) 555-0134)",
          params_pii_phone_format),
    ENTRY("pii-unicode-digits", NOISE,
          "write the digits of detected items in another script "
          "(fullwidth, Arabic-Indic)",
          params_pii_unicode_digits),
    ENTRY("punctuation", NOISE, "drop punctuation marks", params_punctuation),
    ENTRY("substitute", NOISE, "replace random letters by random keyboard letters",
          params_substitute),
    ENTRY("swap", NOISE, "swap adjacent letters", params_swap),
    ENTRY("synonym", NOISE, "replace words by synonyms", params_synonym),
    ENTRY("typo", NOISE, "replace random letters and digits by a neighbouring keyboard key",
          params_typo),
    ENTRY("unicode-forms", NOISE, "rewrite the text in another Unicode normal form or fullwidth",
          params_unicode_forms),
    ENTRY("whitespace", NOISE, "add extra spaces and remove spaces between words",
          params_whitespace),
    ENTRY("word-drop", NOISE, "drop random words", params_word_drop),
    ENTRY("word-swap", NOISE, "swap adjacent words", params_word_swap),
    ENTRY("zero-width", ADV, "insert invisible zero-width characters inside words",
          params_zero_width),
};

size_t fs_perturb_catalogue(const fs_perturb_info **out)
{
    *out = catalogue;
    return N_OF(catalogue);
}

const fs_perturb_info *fs_perturb_find(const char *name)
{
    size_t lo = 0, hi = N_OF(catalogue);
    while (name != NULL && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, catalogue[mid].name);
        if (c == 0) {
            return &catalogue[mid];
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

const char *fs_perturb_family_name(fs_perturb_family f)
{
    switch (f) {
    case FS_PERTURB_NOISE:
        return "noise";
    case FS_PERTURB_ADVERSARIAL:
        return "adversarial";
    }
    return "unknown";
}

const char *fs_perturb_nearest(const char *name)
{
    const char *names[N_OF(catalogue)];
    for (size_t i = 0; i < N_OF(catalogue); i++) {
        names[i] = catalogue[i].name;
    }
    return fs_nearest(name, names, N_OF(catalogue));
}

static fs_status unknown_perturbation(const char *name, fs_error *err)
{
    const char *near = fs_perturb_nearest(name);
    if (near != NULL) {
        return FS_FAIL(err, FS_ERR_CONFIG, "unknown perturbation '%s' (did you mean '%s'?)", name,
                       near);
    }
    return FS_FAIL(err, FS_ERR_CONFIG, "unknown perturbation '%s'", name);
}

static const fs_perturb_param_info *param_info(const fs_perturb_info *info, const char *key)
{
    for (size_t i = 0; i < info->n_params; i++) {
        if (strcmp(info->params[i].name, key) == 0) {
            return &info->params[i];
        }
    }
    return NULL;
}

static fs_status unknown_param(const fs_perturb_info *info, const char *key, fs_error *err)
{
    const char *names[16]; /* more than any perturbation has */
    size_t n = info->n_params < N_OF(names) ? info->n_params : N_OF(names);
    for (size_t i = 0; i < n; i++) {
        names[i] = info->params[i].name;
    }
    const char *near = fs_nearest(key, names, n);
    if (near != NULL) {
        return FS_FAIL(err, FS_ERR_CONFIG, "%s: unknown parameter '%s' (did you mean '%s'?)",
                       info->name, key, near);
    }
    return FS_FAIL(err, FS_ERR_CONFIG, "%s: unknown parameter '%s'", info->name, key);
}

/* Defaults first, then the user's values; every user key must be known. */
static fs_status set_params(fs_perturber *p, const fs_params *user, fs_error *err)
{
    const fs_perturb_info *info = p->info;
    fs_status st = FS_OK;
    for (size_t i = 0; user != NULL && i < user->count; i++) {
        if (param_info(info, user->keys[i]) == NULL) {
            return unknown_param(info, user->keys[i], err);
        }
    }
    for (size_t i = 0; i < info->n_params && st == FS_OK; i++) {
        const char *v = user != NULL ? fs_params_get(user, info->params[i].name) : NULL;
        st = fs_params_set(&p->params, info->params[i].name,
                           v != NULL ? v : info->params[i].default_value, err);
    }
    if (st != FS_OK || param_info(info, "rate") == NULL) {
        return st;
    }
    const char *rate = fs_params_get(&p->params, "rate");
    if (!fs_parse_double(rate, &p->rate) || isnan(p->rate) || p->rate < 0.0 || p->rate > 1.0) {
        return FS_FAIL(err, FS_ERR_CONFIG, "%s: rate: must be a number between 0 and 1, got '%s'",
                       info->name, rate);
    }
    return FS_OK;
}

static const fs_perturb__kind *find_kind(const char *name)
{
    const fs_perturb__kind *const families[] = { fs_perturb__noise_kinds, fs_perturb__char_kinds,
                                                 fs_perturb__word_kinds,
                                                 fs_perturb__adversarial_kinds,
                                                 fs_perturb__pii_kinds };
    for (size_t f = 0; f < N_OF(families); f++) {
        for (const fs_perturb__kind *k = families[f]; k->name != NULL; k++) {
            if (strcmp(k->name, name) == 0) {
                return k;
            }
        }
    }
    return NULL;
}

static fs_status make_tools(fs_perturber *p, fs_error *err)
{
    fs_status st = fs_text_segmenter_new(&p->seg, p->kind->unit, err);
    if (st == FS_OK) {
        st = fs_text_segmenter_new(&p->words, FS_TEXT_WORD, err);
    }
    if (st == FS_OK) {
        st = fs_text_casemapper_new(&p->cm, err);
    }
    return st;
}

fs_status fs_perturber_new(fs_perturber **out, const char *name, const fs_params *params,
                           const char *data_dir, fs_error *err)
{
    *out = NULL;
    const fs_perturb_info *info = fs_perturb_find(name);
    if (info == NULL) {
        return unknown_perturbation(name != NULL ? name : "", err);
    }
    const fs_perturb__kind *kind = find_kind(info->name);
    if (kind == NULL || kind->apply == NULL) {
        return FS_FAIL(err, FS_ERR_INTERNAL, "%s: no implementation is linked in", info->name);
    }
    fs_perturber *p = fs_calloc(1, sizeof *p);
    if (p == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p->info = info;
    p->kind = kind;
    fs_params_init(&p->params);
    fs_buf_init(&p->scratch, 0);
    fs_status st = set_params(p, params, err);
    if (st == FS_OK) {
        st = make_tools(p, err);
    }
    if (st == FS_OK && p->kind->init != NULL) {
        st = p->kind->init(p, data_dir, err);
    }
    if (st != FS_OK) {
        fs_perturber_free(p);
        return st;
    }
    *out = p;
    return FS_OK;
}

void fs_perturber_free(fs_perturber *p)
{
    if (p == NULL) {
        return;
    }
    if (p->kind != NULL && p->kind->fini != NULL) {
        p->kind->fini(p);
    }
    for (size_t i = 0; i < p->n_files; i++) {
        fs_free(p->files[i]);
    }
    for (size_t i = 0; i < p->n_protect; i++) {
        fs_text_regex_free(p->protect[i]);
    }
    fs_free(p->protect);
    fs_free(p->spans);
    fs_perturb__layout_free(p->layout);
    fs_text_segmenter_free(p->seg);
    fs_text_segmenter_free(p->words);
    fs_text_casemapper_free(p->cm);
    fs_buf_dispose(&p->scratch);
    fs_params_dispose(&p->params);
    fs_free(p);
}

const fs_perturb_info *fs_perturber_info(const fs_perturber *p)
{
    return p->info;
}

const fs_params *fs_perturber_params(const fs_perturber *p)
{
    return &p->params;
}

size_t fs_perturber_files(const fs_perturber *p, const char *const **out)
{
    *out = (const char *const *)p->files;
    return p->n_files;
}

static fs_status buf_failure(const fs_perturber *p, fs_status st, fs_error *err)
{
    if (st == FS_ERR_LIMIT) {
        return FS_FAIL(err, st, "%s: variant exceeds the output buffer's limit", p->info->name);
    }
    return FS_FAIL(err, st, "out of memory");
}

static fs_status compile_protect(fs_perturber *p, const char *pattern, const cJSON **presets,
                                 const char *data_dir, fs_error *err)
{
    if (pattern[0] == '@' && *presets == NULL) {
        cJSON *doc = NULL;
        const char *path = NULL;
        fs_status st = fs_perturb__load_json(p, data_dir, "protect.json", &doc, &path, err);
        if (st != FS_OK) {
            return st;
        }
        *presets = doc;
    }
    fs_status st = fs_perturb__protect_compile(&p->protect[p->n_protect], pattern, *presets, err);
    if (st == FS_OK) {
        p->n_protect++;
    }
    return st;
}

fs_status fs_perturber_set_protect(fs_perturber *p, const char *const *patterns, size_t n,
                                   const char *data_dir, fs_error *err)
{
    const cJSON *presets = NULL;
    fs_status st = FS_OK;
    p->protect = fs_calloc(p->n_protect + n + 1, sizeof *p->protect);
    if (p->protect == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == FS_OK && i < n; i++) {
        st = compile_protect(p, patterns[i], &presets, data_dir, err);
    }
    cJSON_Delete((cJSON *)presets);
    return st;
}

/* The protected spans of text, sorted and merged, in p->spans. */
static fs_status find_protected(fs_perturber *p, const char *text, size_t n, fs_error *err)
{
    return fs_perturb__protect_find(p->protect, p->n_protect, text, n, &p->spans, &p->n_spans,
                                    &p->cap_spans, err);
}

/* Apply the kind to every unprotected stretch, copying protected spans unchanged. */
static fs_status apply_segments(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                fs_buf *out, fs_error *err)
{
    fs_status st = find_protected(p, text, n, err);
    size_t at = 0;
    for (size_t i = 0; st == FS_OK && i <= p->n_spans; i++) {
        size_t end = i < p->n_spans ? p->spans[i].start : n;
        if (end > at) {
            st = p->kind->apply(p, rng, text + at, end - at, out, err);
        }
        if (i < p->n_spans) {
            fs_buf_append(out, text + p->spans[i].start, p->spans[i].end - p->spans[i].start);
            at = p->spans[i].end;
        }
    }
    return st;
}

fs_status fs_perturber_apply(fs_perturber *p, const char *text, size_t n, uint64_t seed,
                             const char *record_id, const char *stream_name, uint64_t index,
                             fs_buf *out, bool *changed, fs_error *err)
{
    fs_rng rng;
    char stream[256];
    size_t start = out->len;
    fs_status st = FS_OK;
    *changed = false;
    if (fs_buf_status(out) != FS_OK) {
        return buf_failure(p, fs_buf_status(out), err);
    }
    if (!fs_text_valid_utf8(text, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: input is not valid UTF-8 (or holds a NUL byte)",
                       p->info->name);
    }
    const char *name = stream_name != NULL ? stream_name : p->info->name;
    if (index > 0) {
        snprintf(stream, sizeof stream, "%s#%llu", name, (unsigned long long)index);
        name = stream;
    }
    if (param_info(p->info, "rate") != NULL && p->rate <= 0.0) {
        fs_buf_append(out, text, n);
    } else {
        fs_rng_derive(&rng, seed, record_id, name);
        if (p->n_protect > 0 && p->kind->scope == FS_PERTURB__SEGMENTS) {
            st = apply_segments(p, &rng, text, n, out, err);
        } else {
            st = p->kind->apply(p, &rng, text, n, out, err);
        }
    }
    if (st == FS_OK && fs_buf_status(out) != FS_OK) {
        st = buf_failure(p, fs_buf_status(out), err);
    }
    if (st != FS_OK) {
        if (out->data != NULL && out->len > start) {
            out->len = start;
            out->data[start] = '\0';
        }
        return st;
    }
    *changed = out->len - start != n || (n > 0 && memcmp(out->data + start, text, n) != 0);
    return FS_OK;
}
