/* Fuzz harness for the perturbation engine: every perturbation of the catalogue, with its
 * default parameters, then with rate 1 and the @url, @email and @number spans protected,
 * plus the modes the defaults leave out, applied to the input as one record's text. The
 * perturbers are built once, on the first input, from the source tree's data directory.
 * Input that is not valid UTF-8 (or holds a NUL byte) must be FS_ERR_INPUT with the
 * output left as it was; valid input must give a variant, itself valid UTF-8. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fairshake/perturb.h"

#define MAX_PERTURBERS 128

/* Parameter sets beyond the defaults: "name", then "key=value" pairs. */
static const char *const extra_variants[][3] = {
    { "bidi", "mode=insert", NULL },
    { "diacritics", "mode=add", NULL },
    { "encoding", "scheme=rot13", NULL },
    { "encoding", "scheme=hex", NULL },
    { "distractor", "position=start", NULL },
    { "injection", "position=random", "answer=42" },
    { "number-format", "style=words", NULL },
    { "pii-name-case", "case=upper", NULL },
    { "unicode-forms", "form=fullwidth", NULL },
    { "unicode-forms", "form=nfkc", NULL },
    { "zero-width", "chars=wj", NULL },
};

static const char *const protect[] = { "@url", "@email", "@number" };

typedef struct perturbers {
    fs_perturber *p[MAX_PERTURBERS];
    size_t n;
} perturbers;

/* Add a perturber of name with the first n_kv "key=value" pairs of kv (fewer when one is
 * NULL), injection always with its required answer, and the protected spans when asked.
 * Aborts when it does not build: the catalogue's defaults and these values must. */
static void add(perturbers *ps, const char *name, const char *const *kv, size_t n_kv,
                bool protect_spans)
{
    fs_params params;
    fs_error err;
    fs_status st = FS_OK;
    fs_params_init(&params);
    if (strcmp(name, "injection") == 0) {
        st = fs_params_set(&params, "answer", "42", &err);
    }
    for (size_t i = 0; st == FS_OK && i < n_kv && kv[i] != NULL; i++) {
        char key[64];
        const char *eq = strchr(kv[i], '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
        st = fs_params_set(&params, key, eq + 1, &err);
    }
    if (st == FS_OK) {
        st = fs_perturber_new(&ps->p[ps->n], name, &params, fuzz_source_dir(), &err);
    }
    if (st == FS_OK && protect_spans) {
        st = fs_perturber_set_protect(ps->p[ps->n], protect, sizeof protect / sizeof protect[0],
                                      fuzz_source_dir(), &err);
    }
    fs_params_dispose(&params);
    if (st != FS_OK || ps->n + 1 >= MAX_PERTURBERS) {
        fprintf(stderr, "fuzz_perturb: %s: %s\n", name, st != FS_OK ? err.msg : "too many");
        abort();
    }
    ps->n++;
}

static bool has_rate(const fs_perturb_info *info)
{
    for (size_t i = 0; i < info->n_params; i++) {
        if (strcmp(info->params[i].name, "rate") == 0) {
            return true;
        }
    }
    return false;
}

static const perturbers *all_perturbers(void)
{
    static perturbers ps;
    static const char *const rate_one[] = { "rate=1" };
    if (ps.n > 0) {
        return &ps;
    }
    const fs_perturb_info *cat = NULL;
    size_t n = fs_perturb_catalogue(&cat);
    for (size_t i = 0; i < n; i++) {
        add(&ps, cat[i].name, NULL, 0, false);
        add(&ps, cat[i].name, rate_one, has_rate(&cat[i]) ? 1 : 0, true);
    }
    for (size_t i = 0; i < sizeof extra_variants / sizeof extra_variants[0]; i++) {
        add(&ps, extra_variants[i][0], &extra_variants[i][1], 2, false);
    }
    return &ps;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const perturbers *ps = all_perturbers();
    const char *text = (const char *)data;
    bool valid = fs_text_valid_utf8(text, size);
    fs_buf out;
    fs_error err;
    fs_buf_init(&out, 0);
    for (size_t i = 0; i < ps->n; i++) {
        bool changed = false;
        fs_buf_reset(&out);
        fs_buf_puts(&out, "kept");
        fs_status st =
            fs_perturber_apply(ps->p[i], text, size, 42, "r1", NULL, i % 2, &out, &changed, &err);
        if (!valid && (st != FS_ERR_INPUT || out.len != 4)) {
            abort();
        }
        if (valid && st != FS_OK) {
            fprintf(stderr, "fuzz_perturb: %s\n", err.msg);
            abort();
        }
        if (valid && !fs_text_valid_utf8(out.data + 4, out.len - 4)) {
            abort();
        }
    }
    fs_buf_dispose(&out);
    return 0;
}
