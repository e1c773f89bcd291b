/* Loading the detectors: identify/patterns.json (categories, patterns, validators,
 * synonyms, IBAN lengths, name-detector settings), an optional user patterns file whose
 * categories are added to or replace the bundled ones, identify/months.json and the name
 * lists of demographics/names.json. Invariants: once built a detector is immutable but for
 * its scratch buffers; every word set is folded (accents stripped, case-folded) and sorted
 * so lookups are binary searches; a category that is not enabled costs nothing at
 * detection time. */
#include <stdlib.h>
#include <string.h>

#include "identify/internal.h"

#define FILE_MAX ((size_t)16 << 20)

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

fs_status fs_identify__fold(fs_identify_detector *d, const char *s, size_t n, fs_str *out,
                            fs_error *err)
{
    fs_buf_reset(&d->tmp);
    fs_buf_reset(&d->key);
    fs_status st = fs_text_normalizer_strip_marks(d->nz, &d->tmp, s, n, err);
    if (st == FS_OK) {
        st = fs_text_casemapper_map(d->cm, &d->key, fs_buf_cstr(&d->tmp), d->tmp.len, FS_CASE_FOLD,
                                    err);
    }
    if (st == FS_OK && fs_buf_status(&d->key) != FS_OK) {
        st = FS_FAIL(err, fs_buf_status(&d->key), "out of memory");
    }
    out->ptr = fs_buf_cstr(&d->key);
    out->len = d->key.len;
    return st;
}

bool fs_identify__words_has(const fs_identify__words *w, const char *s, size_t n)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(s, w->v[mid], n);
        if (c == 0) {
            c = w->v[mid][n] == '\0' ? 0 : -1;
        }
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return false;
}

static fs_status words_add(fs_identify_detector *d, fs_identify__words *w, const char *s,
                           fs_error *err)
{
    fs_str k;
    fs_status st = fs_identify__fold(d, s, strlen(s), &k, err);
    if (st != FS_OK) {
        return st;
    }
    char **v = fs_realloc(w->v, (w->n + 1) * sizeof *v);
    if (v == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    w->v = v;
    w->v[w->n] = fs_strndup(k.ptr, k.len);
    if (w->v[w->n] == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    w->n++;
    return FS_OK;
}

static void words_sort(fs_identify__words *w)
{
    size_t o = 0;
    if (w->n < 2) {
        return;
    }
    qsort(w->v, w->n, sizeof *w->v, cmp_str);
    for (size_t i = 0; i < w->n; i++) {
        if (o > 0 && strcmp(w->v[o - 1], w->v[i]) == 0) {
            fs_free(w->v[i]);
        } else {
            w->v[o++] = w->v[i];
        }
    }
    w->n = o;
}

fs_status fs_identify__words_load(fs_identify_detector *d, fs_identify__words *w, const cJSON *arr,
                                  const char *what, fs_error *err)
{
    const cJSON *e;
    if (arr != NULL && !cJSON_IsArray(arr)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: must be an array of strings", what);
    }
    cJSON_ArrayForEach(e, arr)
    {
        if (!cJSON_IsString(e)) {
            return FS_FAIL(err, FS_ERR_INPUT, "%s: must be an array of strings", what);
        }
        fs_status st = words_add(d, w, e->valuestring, err);
        if (st != FS_OK) {
            return st;
        }
    }
    words_sort(w);
    return FS_OK;
}

void fs_identify__words_dispose(fs_identify__words *w)
{
    for (size_t i = 0; i < w->n; i++) {
        fs_free(w->v[i]);
    }
    fs_free(w->v);
    w->v = NULL;
    w->n = 0;
}

static fs_status add_file(fs_identify_detector *d, const char *path, fs_error *err)
{
    if (d->n_files == FS_IDENTIFY__MAX_FILES) {
        return FS_FAIL(err, FS_ERR_INTERNAL, "identify: too many data files");
    }
    d->files[d->n_files] = fs_strdup(path);
    if (d->files[d->n_files] == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    d->n_files++;
    return FS_OK;
}

/* Parse a data file, recording it for provenance. */
static fs_status load_json(fs_identify_detector *d, const char *path, cJSON **out, fs_error *err)
{
    fs_status st = fs_json__parse_file(out, path, err);
    if (st == FS_OK && !cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: must be a JSON object", path);
    }
    if (st == FS_OK) {
        st = add_file(d, path, err);
    }
    return st;
}

static fs_status join_path(fs_buf *b, const char *dir, const char *rel, fs_error *err)
{
    fs_buf_reset(b);
    fs_buf_printf(b, "%s/%s", dir != NULL ? dir : ".", rel);
    if (fs_buf_status(b) != FS_OK) {
        return FS_FAIL(err, FS_ERR_CONFIG, "identify: data path too long");
    }
    return FS_OK;
}

/* The first and last names of demographics/names.json ("first"/"last": groups with
 * "names"). */
static fs_status load_names(fs_identify_detector *d, const char *path, fs_error *err)
{
    cJSON *doc = NULL;
    fs_status st = load_json(d, path, &doc, err);
    const char *keys[2] = { "first", "last" };
    fs_identify__words *sets[2] = { &d->first, &d->last };
    for (size_t k = 0; k < 2 && st == FS_OK; k++) {
        const cJSON *g;
        cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(doc, keys[k]))
        {
            const cJSON *names = cJSON_GetObjectItemCaseSensitive(g, "names");
            const cJSON *e;
            cJSON_ArrayForEach(e, names)
            {
                if (st == FS_OK && cJSON_IsString(e)) {
                    st = words_add(d, sets[k], e->valuestring, err);
                }
            }
        }
        words_sort(sets[k]);
    }
    cJSON_Delete(doc);
    return st;
}

static fs_status load_iban(fs_identify_detector *d, const cJSON *lengths, fs_error *err)
{
    size_t n = (size_t)cJSON_GetArraySize(lengths);
    const cJSON *e;
    d->iban = fs_calloc(n + 1, sizeof *d->iban);
    if (d->iban == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    cJSON_ArrayForEach(e, lengths)
    {
        if (e->string == NULL || strlen(e->string) != 2 || !cJSON_IsNumber(e) ||
            e->valuedouble < 5 || e->valuedouble > 34) {
            return FS_FAIL(err, FS_ERR_INPUT,
                           "iban: lengths: each member is a country code and a length 5-34");
        }
        memcpy(d->iban[d->n_iban].country, e->string, 3);
        d->iban[d->n_iban].length = (int)e->valuedouble;
        d->n_iban++;
    }
    return FS_OK;
}

/* Settings of the person and iban validators ("params" of their category). */
static fs_status load_params(fs_identify_detector *d, const char *data_dir, const cJSON *cat,
                             fs_identify__validator v, fs_buf *path, fs_error *err)
{
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(cat, "params");
    fs_status st = FS_OK;
    if (v == FS_IDENTIFY__V_IBAN && d->iban == NULL) {
        return load_iban(d, cJSON_GetObjectItemCaseSensitive(params, "lengths"), err);
    }
    if (v != FS_IDENTIFY__V_PERSON || d->first.n > 0) {
        return FS_OK;
    }
    const char *names = fs_json__str(params, "names");
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(params, "max_tokens");
    d->max_name_tokens =
        cJSON_IsNumber(max) && max->valuedouble >= 1 ? (size_t)max->valuedouble : 3;
    st = join_path(path, data_dir, names != NULL ? names : "demographics/names.json", err);
    if (st == FS_OK) {
        st = load_names(d, fs_buf_cstr(path), err);
    }
    if (st == FS_OK) {
        st = fs_identify__words_load(d, &d->titles,
                                     cJSON_GetObjectItemCaseSensitive(params, "titles"),
                                     "person: titles", err);
    }
    if (st == FS_OK) {
        st = fs_identify__words_load(d, &d->stop, cJSON_GetObjectItemCaseSensitive(params, "stop"),
                                     "person: stop", err);
    }
    return st;
}

static const struct {
    const char *name;
    fs_identify__validator v;
} validators[] = {
    { "email", FS_IDENTIFY__V_EMAIL }, { "luhn", FS_IDENTIFY__V_LUHN },
    { "iban", FS_IDENTIFY__V_IBAN },   { "us_ssn", FS_IDENTIFY__V_SSN },
    { "ipv4", FS_IDENTIFY__V_IPV4 },   { "ipv6", FS_IDENTIFY__V_IPV6 },
    { "date", FS_IDENTIFY__V_DATE },   { "icd10", FS_IDENTIFY__V_ICD10 },
    { "phone", FS_IDENTIFY__V_PHONE }, { "person", FS_IDENTIFY__V_PERSON },
};

static fs_status parse_validator(const char *cat, const char *name, fs_identify__validator *out,
                                 fs_error *err)
{
    const char *names[sizeof validators / sizeof validators[0]];
    *out = FS_IDENTIFY__V_NONE;
    if (name == NULL || name[0] == '\0') {
        return FS_OK;
    }
    for (size_t i = 0; i < sizeof validators / sizeof validators[0]; i++) {
        names[i] = validators[i].name;
        if (strcmp(validators[i].name, name) == 0) {
            *out = validators[i].v;
            return FS_OK;
        }
    }
    const char *near = fs_nearest(name, names, sizeof names / sizeof names[0]);
    return FS_FAIL(err, FS_ERR_CONFIG, "%s: validator: unknown validator '%s'%s%s%s", cat, name,
                   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* Compile one pattern: "{{months}}" is replaced by the month alternation. */
static fs_status compile(fs_identify_detector *d, const char *cat, const char *re,
                         fs_identify__pattern *p, fs_error *err)
{
    fs_buf b;
    const char *hole = strstr(re, "{{months}}");
    fs_status st = FS_OK;
    fs_buf_init(&b, 0);
    while (hole != NULL && st == FS_OK) {
        fs_buf_append(&b, re, (size_t)(hole - re));
        st = fs_identify__months_alternation(d, &b, err);
        re = hole + strlen("{{months}}");
        hole = strstr(re, "{{months}}");
    }
    fs_buf_puts(&b, re);
    if (st == FS_OK && fs_buf_status(&b) != FS_OK) {
        st = FS_FAIL(err, fs_buf_status(&b), "out of memory");
    }
    if (st == FS_OK) {
        st = fs_text_regex_new(&p->re, fs_buf_cstr(&b), err);
        if (st != FS_OK) {
            fs_error_prefix(err, "%s: patterns", cat);
        }
    }
    fs_buf_dispose(&b);
    return st;
}

static fs_status load_pattern(fs_identify_detector *d, const char *cat, const cJSON *e,
                              fs_identify__validator def, fs_identify__pattern *p, fs_error *err)
{
    const char *re = cJSON_IsString(e) ? e->valuestring : fs_json__str(e, "regex");
    p->validator = def;
    p->window = 30;
    if (re == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT,
                       "%s: patterns: each pattern is a string or an object with \"regex\"", cat);
    }
    if (cJSON_IsObject(e)) {
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(e, "window");
        const char *v = fs_json__str(e, "validator");
        p->context_required = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "context_required"));
        if (cJSON_IsNumber(w) && w->valuedouble >= 1 && w->valuedouble <= 1000) {
            p->window = (size_t)w->valuedouble;
        }
        fs_status st = v != NULL ? parse_validator(cat, v, &p->validator, err) : FS_OK;
        fs_identify__words ctx = { NULL, 0 };
        if (st == FS_OK) {
            st = fs_identify__words_load(d, &ctx, cJSON_GetObjectItemCaseSensitive(e, "context"),
                                         "context", err);
        }
        p->context = ctx.v;
        p->n_context = ctx.n;
        if (st != FS_OK) {
            return st;
        }
    }
    fs_status st = compile(d, cat, re, p, err);
    if (st == FS_OK) {
        st = fs_identify__prefilter_load(
            d, cat, cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "prefilter") : NULL, p,
            err);
    }
    return st;
}

static fs_status parse_enum(const char *cat, const char *field, const char *v,
                            const char *const *names, size_t n, int *out, fs_error *err)
{
    if (v == NULL) {
        return FS_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = (int)i;
            return FS_OK;
        }
    }
    const char *near = fs_nearest(v, names, n);
    return FS_FAIL(err, FS_ERR_CONFIG, "%s: %s: unknown value '%s'%s%s%s", cat, field, v,
                   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static fs_status load_category(fs_identify_detector *d, const char *data_dir, const cJSON *c,
                               fs_identify__category *out, fs_buf *path, fs_error *err)
{
    static const char *const norms[] = { "alnum", "text", "email" };
    static const char *const masks[] = { "all", "email", "digits", "words" };
    const cJSON *pats = cJSON_GetObjectItemCaseSensitive(c, "patterns");
    const cJSON *prio = cJSON_GetObjectItemCaseSensitive(c, "priority");
    const cJSON *e;
    fs_identify__validator v = FS_IDENTIFY__V_NONE;
    int norm = 0, mask = 0;
    out->name = fs_strdup(c->string);
    out->priority = cJSON_IsNumber(prio) ? (int)prio->valuedouble : 0;
    fs_status st = out->name != NULL ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    if (st == FS_OK && (!cJSON_IsArray(pats) || cJSON_GetArraySize(pats) == 0)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: patterns: must be a non-empty array", c->string);
    }
    if (st == FS_OK) {
        st = parse_validator(c->string, fs_json__str(c, "validator"), &v, err);
    }
    if (st == FS_OK) {
        st = parse_enum(c->string, "normalize", fs_json__str(c, "normalize"), norms, 3, &norm, err);
    }
    if (st == FS_OK) {
        st = parse_enum(c->string, "mask", fs_json__str(c, "mask"), masks, 4, &mask, err);
    }
    out->norm = (fs_identify__norm)norm;
    out->mask = (fs_identify__mask)mask;
    if (st == FS_OK) {
        out->pats = fs_calloc((size_t)cJSON_GetArraySize(pats), sizeof *out->pats);
        st = out->pats != NULL ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    cJSON_ArrayForEach(e, (st == FS_OK ? pats : NULL))
    {
        st = load_pattern(d, c->string, e, v, &out->pats[out->n_pats], err);
        out->n_pats++;
        if (st == FS_OK) {
            st = load_params(d, data_dir, c, out->pats[out->n_pats - 1].validator, path, err);
        }
        if (st != FS_OK) {
            break;
        }
    }
    return st;
}

static void category_dispose(fs_identify__category *c)
{
    for (size_t i = 0; i < c->n_pats; i++) {
        fs_text_regex_free(c->pats[i].re);
        fs_identify__words ctx = { c->pats[i].context, c->pats[i].n_context };
        fs_identify__words_dispose(&ctx);
        fs_identify__prefilter_dispose(&c->pats[i]);
    }
    fs_free(c->pats);
    fs_free(c->name);
}

/* The category objects in effect: the bundled ones in file order, a user category of the
 * same name replacing its bundled one, new user categories after them. Returns how many
 * there are, even beyond cap. */
static size_t effective(const cJSON *base, const cJSON *user, const cJSON **out, size_t cap)
{
    size_t n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, base)
    {
        const cJSON *u = user ? cJSON_GetObjectItemCaseSensitive(user, c->string) : NULL;
        if (n < cap) {
            out[n] = u != NULL ? u : c;
        }
        n++;
    }
    cJSON_ArrayForEach(c, user)
    {
        if (cJSON_GetObjectItemCaseSensitive(base, c->string) == NULL) {
            if (n < cap) {
                out[n] = c;
            }
            n++;
        }
    }
    return n;
}

static bool wanted(const fs_identify_opts *opts, const char *name)
{
    if (opts == NULL || opts->categories == NULL) {
        return true;
    }
    for (size_t i = 0; i < opts->n_categories; i++) {
        if (strcmp(opts->categories[i], name) == 0) {
            return true;
        }
    }
    return false;
}

#define MAX_CATS 64

static fs_status check_wanted(const fs_identify_opts *opts, const cJSON *const *cats, size_t n,
                              fs_error *err)
{
    const char *names[MAX_CATS];
    for (size_t i = 0; i < n; i++) {
        names[i] = cats[i]->string;
    }
    for (size_t i = 0; opts != NULL && opts->categories != NULL && i < opts->n_categories; i++) {
        bool found = false;
        for (size_t j = 0; j < n && !found; j++) {
            found = strcmp(names[j], opts->categories[i]) == 0;
        }
        if (!found) {
            const char *near = fs_nearest(opts->categories[i], names, n);
            return FS_FAIL(err, FS_ERR_CONFIG, "unknown identification category '%s'%s%s%s",
                           opts->categories[i], near ? " (did you mean '" : "", near ? near : "",
                           near ? "'?)" : "");
        }
    }
    return FS_OK;
}

static fs_status load_categories(fs_identify_detector *d, const char *data_dir,
                                 const fs_identify_opts *opts, const cJSON *base, const cJSON *user,
                                 fs_error *err)
{
    const cJSON *cats[MAX_CATS];
    fs_buf path;
    size_t n = effective(base, user, cats, MAX_CATS);
    if (n > MAX_CATS) {
        return FS_FAIL(err, FS_ERR_LIMIT, "categories: at most %d categories", MAX_CATS);
    }
    fs_status st = check_wanted(opts, cats, n, err);
    fs_buf_init(&path, 4096);
    d->cats = fs_calloc(n + 1, sizeof *d->cats);
    d->cat_names = fs_calloc(n + 1, sizeof *d->cat_names);
    if (st == FS_OK && (d->cats == NULL || d->cat_names == NULL)) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && st == FS_OK; i++) {
        if (!wanted(opts, cats[i]->string)) {
            continue;
        }
        st = load_category(d, data_dir, cats[i], &d->cats[d->n_cats], &path, err);
        d->cat_names[d->n_cats] = d->cats[d->n_cats].name;
        d->n_cats++;
    }
    fs_buf_dispose(&path);
    return st;
}

static fs_status add_synonyms(fs_identify_detector *d, const cJSON *syn, fs_error *err)
{
    const cJSON *e;
    size_t n = d->n_syn + (size_t)cJSON_GetArraySize(syn);
    char **from = fs_realloc(d->syn_from, (n + 1) * sizeof *from);
    if (from != NULL) {
        d->syn_from = from;
    }
    char **to = from != NULL ? fs_realloc(d->syn_to, (n + 1) * sizeof *to) : NULL;
    if (to == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    d->syn_to = to;
    cJSON_ArrayForEach(e, syn)
    {
        if (!cJSON_IsString(e)) {
            return FS_FAIL(err, FS_ERR_INPUT, "synonyms: %s: must be a category name", e->string);
        }
        d->syn_from[d->n_syn] = fs_strdup(e->string);
        d->syn_to[d->n_syn] = fs_strdup(e->valuestring);
        d->n_syn++;
        if (d->syn_from[d->n_syn - 1] == NULL || d->syn_to[d->n_syn - 1] == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    return FS_OK;
}

static fs_status load_all(fs_identify_detector *d, const char *data_dir,
                          const fs_identify_opts *opts, fs_error *err)
{
    cJSON *base = NULL, *user = NULL;
    fs_buf path;
    fs_buf_init(&path, 4096);
    fs_status st = join_path(&path, data_dir, "identify/months.json", err);
    if (st == FS_OK) {
        st = fs_identify__months_load(d, fs_buf_cstr(&path), err);
    }
    if (st == FS_OK) {
        st = join_path(&path, data_dir, "identify/patterns.json", err);
    }
    if (st == FS_OK) {
        st = load_json(d, fs_buf_cstr(&path), &base, err);
    }
    if (st == FS_OK && opts != NULL && opts->file != NULL) {
        st = load_json(d, opts->file, &user, err);
    }
    if (st == FS_OK) {
        st = add_synonyms(d, cJSON_GetObjectItemCaseSensitive(base, "synonyms"), err);
    }
    if (st == FS_OK && user != NULL) {
        st = add_synonyms(d, cJSON_GetObjectItemCaseSensitive(user, "synonyms"), err);
    }
    if (st == FS_OK) {
        st =
            load_categories(d, data_dir, opts, cJSON_GetObjectItemCaseSensitive(base, "categories"),
                            cJSON_GetObjectItemCaseSensitive(user, "categories"), err);
        if (st != FS_OK) {
            fs_error_prefix(err, "%s", user != NULL ? opts->file : fs_buf_cstr(&path));
        }
    }
    cJSON_Delete(base);
    cJSON_Delete(user);
    fs_buf_dispose(&path);
    return st;
}

fs_status fs_identify_detector_new(fs_identify_detector **out, const char *data_dir,
                                   const fs_identify_opts *opts, fs_error *err)
{
    *out = NULL;
    fs_identify_detector *d = fs_calloc(1, sizeof *d);
    if (d == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_init(&d->tmp, 0);
    fs_buf_init(&d->key, 0);
    fs_buf_init(&d->scan.folded, 0);
    fs_status st = fs_text_casemapper_new(&d->cm, err);
    if (st == FS_OK) {
        st = fs_text_regex_input_new(&d->scan.input, err);
    }
    if (st == FS_OK) {
        st = fs_text_normalizer_new(&d->nz, err);
    }
    if (st == FS_OK) {
        st = load_all(d, data_dir, opts, err);
    }
    if (st != FS_OK) {
        fs_identify_detector_free(d);
        return st;
    }
    *out = d;
    return FS_OK;
}

void fs_identify_detector_free(fs_identify_detector *d)
{
    if (d == NULL) {
        return;
    }
    for (size_t i = 0; i < d->n_cats; i++) {
        category_dispose(&d->cats[i]);
    }
    fs_free(d->cats);
    fs_free(d->cat_names);
    for (size_t i = 0; i < d->n_syn; i++) {
        fs_free(d->syn_from[i]);
        fs_free(d->syn_to[i]);
    }
    fs_free(d->syn_from);
    fs_free(d->syn_to);
    fs_free(d->iban);
    for (size_t i = 0; i < d->n_months; i++) {
        fs_free(d->months[i].key);
    }
    fs_free(d->months);
    for (size_t i = 0; i < d->n_langs; i++) {
        fs_free(d->langs[i].code);
        for (size_t m = 0; m < 12; m++) {
            fs_free(d->langs[i].months[m]);
        }
    }
    fs_free(d->langs);
    fs_identify__words_dispose(&d->first);
    fs_identify__words_dispose(&d->last);
    fs_identify__words_dispose(&d->titles);
    fs_identify__words_dispose(&d->stop);
    for (size_t i = 0; i < d->n_files; i++) {
        fs_free(d->files[i]);
    }
    fs_text_casemapper_free(d->cm);
    fs_text_normalizer_free(d->nz);
    fs_free(d->spans);
    fs_buf_dispose(&d->tmp);
    fs_buf_dispose(&d->key);
    fs_buf_dispose(&d->scan.folded);
    fs_text_regex_input_free(d->scan.input);
    fs_free(d);
}

size_t fs_identify_detector_categories(const fs_identify_detector *d, const char *const **out)
{
    *out = d->cat_names;
    return d->n_cats;
}

size_t fs_identify_detector_files(const fs_identify_detector *d, const char *const **out)
{
    *out = (const char *const *)d->files;
    return d->n_files;
}

const fs_identify__category *fs_identify__category_find(const fs_identify_detector *d,
                                                        const char *name)
{
    for (size_t i = 0; name != NULL && i < d->n_cats; i++) {
        if (strcmp(d->cats[i].name, name) == 0) {
            return &d->cats[i];
        }
    }
    return NULL;
}

fs_status fs_identify_canonical(fs_identify_detector *d, fs_buf *out, const char *name, size_t n,
                                fs_error *err)
{
    fs_buf_reset(&d->tmp);
    fs_status st = fs_text_casemapper_map(d->cm, &d->tmp, name, n, FS_CASE_FOLD, err);
    if (st != FS_OK) {
        return st;
    }
    /* trim, and spaces, hyphens and dots as '_' (ASCII bytes never occur inside a
     * multi-byte UTF-8 sequence) */
    const char *s = fs_buf_cstr(&d->tmp);
    size_t a = 0, b = d->tmp.len;
    while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n')) {
        a++;
    }
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\n')) {
        b--;
    }
    size_t start = out->len;
    for (size_t i = a; i < b; i++) {
        fs_buf_putc(out, (s[i] == ' ' || s[i] == '-' || s[i] == '.') ? '_' : s[i]);
    }
    if (fs_buf_status(out) != FS_OK) {
        return FS_FAIL(err, fs_buf_status(out), "out of memory");
    }
    for (size_t i = d->n_syn; i-- > 0;) {
        if (strcmp(d->syn_from[i], fs_buf_cstr(out) + start) == 0) {
            out->len = start;
            out->data[start] = '\0';
            fs_buf_puts(out, d->syn_to[i]);
            break;
        }
    }
    return fs_buf_status(out) == FS_OK ? FS_OK : FS_FAIL(err, fs_buf_status(out), "out of memory");
}
