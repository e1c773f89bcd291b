/* The perturbation engine: the catalogue of perturbations (a static table sorted by
 * name), parameter validation, and the perturber object that applies one perturbation.
 * Invariants: a perturber's effective parameters are the catalogue defaults overridden by
 * validated user values; every variant is a pure function of (text, parameters, seed,
 * record id, stream name), since the RNG stream is derived from exactly those and nothing
 * else (no time, address or locale) reaches the output; `changed` is computed by comparing
 * bytes, so it is false exactly when the variant equals the input. */
#include "fairshake/perturb.h"

#include <math.h>
#include <string.h>

#include "perturb/internal.h"

static const fs_perturb_param_info params_case[] = {
    { "rate", "0.1", "probability that each cased character has its case swapped" },
};

static const fs_perturb_param_info params_punctuation[] = {
    { "rate", "1.0", "probability that each punctuation mark is dropped" },
};

static const fs_perturb_param_info params_typo[] = {
    { "layout", "qwerty", "keyboard layout: perturbations/keyboard/<layout>.json" },
    { "rate", "0.05", "probability that each letter or digit on the layout is mistyped" },
};

static const fs_perturb_param_info params_whitespace[] = {
    { "rate", "0.1",
      "probability that each space between words gets an extra space or is removed" },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Sorted by name; kinds[] is parallel to it. */
static const fs_perturb_info catalogue[] = {
    { "case", FS_PERTURB_NOISE, "swap the case of random letters", params_case, N_OF(params_case) },
    { "punctuation", FS_PERTURB_NOISE, "drop punctuation marks", params_punctuation,
      N_OF(params_punctuation) },
    { "typo", FS_PERTURB_NOISE, "replace random letters and digits by a neighbouring keyboard key",
      params_typo, N_OF(params_typo) },
    { "whitespace", FS_PERTURB_NOISE, "add extra spaces and remove spaces between words",
      params_whitespace, N_OF(params_whitespace) },
};

static const fs_perturb__kind kinds[] = {
    { "case", FS_TEXT_GRAPHEME, NULL, fs_perturb__case_apply },
    { "punctuation", FS_TEXT_GRAPHEME, NULL, fs_perturb__punctuation_apply },
    { "typo", FS_TEXT_GRAPHEME, fs_perturb__typo_init, fs_perturb__typo_apply },
    { "whitespace", FS_TEXT_WORD, NULL, fs_perturb__whitespace_apply },
};

_Static_assert(N_OF(catalogue) == N_OF(kinds), "every catalogue entry needs a kind");

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

fs_status fs_perturber_new(fs_perturber **out, const char *name, const fs_params *params,
                           const char *data_dir, fs_error *err)
{
    *out = NULL;
    const fs_perturb_info *info = fs_perturb_find(name);
    if (info == NULL) {
        return unknown_perturbation(name != NULL ? name : "", err);
    }
    fs_perturber *p = fs_calloc(1, sizeof *p);
    if (p == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p->info = info;
    p->kind = &kinds[info - catalogue];
    if (strcmp(p->kind->name, info->name) != 0) {
        fs_free(p);
        return FS_FAIL(err, FS_ERR_INTERNAL, "%s: catalogue and kinds out of step", name);
    }
    fs_params_init(&p->params);
    fs_status st = set_params(p, params, err);
    if (st == FS_OK) {
        st = fs_text_segmenter_new(&p->seg, p->kind->unit, err);
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
    for (size_t i = 0; i < p->n_files; i++) {
        fs_free(p->files[i]);
    }
    fs_perturb__layout_free(p->layout);
    fs_text_segmenter_free(p->seg);
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

fs_status fs_perturber_apply(fs_perturber *p, const char *text, size_t n, uint64_t seed,
                             const char *record_id, const char *stream_name, fs_buf *out,
                             bool *changed, fs_error *err)
{
    fs_rng rng;
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
    if (param_info(p->info, "rate") != NULL && p->rate <= 0.0) {
        fs_buf_append(out, text, n);
    } else {
        fs_rng_derive(&rng, seed, record_id, stream_name != NULL ? stream_name : p->info->name);
        st = p->kind->apply(p, &rng, text, n, out, err);
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
