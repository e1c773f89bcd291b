/* The identifier family: format perturbations of the sensitive items the identify
 * detectors find (phone numbers, dates, e-mail addresses, card and account numbers,
 * names), for measuring how well a model still identifies them. pii-phone-format,
 * pii-date-format, pii-email-obfuscate, pii-digit-spacing, pii-unicode-digits,
 * pii-name-case and pii-ocr. Invariants: only detected items change, the rest of the text
 * is copied byte for byte; each eligible item takes exactly one draw against `rate`, in
 * text order, then (style "random") one draw among the styles that change it, so a
 * variant depends on nothing but (text, parameters, RNG stream); a rewrite that would
 * leave an item as it was is never chosen by "random". Module order: core ← identify ←
 * perturb (the detectors live in src/identify). */
#include <stdio.h>
#include <string.h>

#include "core/text_digits.h"
#include "perturb/internal.h"

#include "fairshake/identify.h"

#define MAX_CATS 32

typedef enum pii_kind { K_PHONE, K_DATE, K_EMAIL, K_SPACING, K_DIGITS, K_NAME, K_OCR } pii_kind;

typedef struct pii_state {
    pii_kind kind;
    fs_identify_detector *det;
    cJSON *data;        /* perturbations/pii.json, for the kinds that read it */
    const cJSON *table; /* its email_styles, date_formats or digit_scripts */
    int style;          /* fixed style index, -1 for random */
    fs_perturb__map *ocr;
    double char_rate;
    char *cat_list; /* the categories parameter, split in place */
    fs_buf cand;    /* one rewritten item */
} pii_state;

static const char *const phone_styles[] = { "e164",   "plain",  "dashes", "dots",
                                            "spaces", "parens", NULL };
static const char *const spacing_styles[] = { "none",   "pairs",  "triples", "quads",
                                              "spaced", "dashes", NULL };
static const char *const case_styles[] = { "upper", "lower", NULL };

static const char *const *code_styles(pii_kind k)
{
    return k == K_PHONE ? phone_styles : k == K_SPACING ? spacing_styles : case_styles;
}

static size_t n_styles(const pii_state *s)
{
    if (s->table != NULL) {
        return (size_t)cJSON_GetArraySize(s->table);
    }
    size_t n = 0;
    for (const char *const *v = code_styles(s->kind); *v != NULL; v++) {
        n++;
    }
    return n;
}

static const char *style_name(const pii_state *s, size_t i)
{
    if (s->table != NULL) {
        return cJSON_GetArrayItem(s->table, (int)i)->string;
    }
    return code_styles(s->kind)[i];
}

/* ---- rewriting one item ----------------------------------------------------------------- */

/* ASCII digits of s (any script's digits by value). */
static void digits_of(const char *s, size_t n, fs_buf *out)
{
    size_t i = 0;
    while (i < n) {
        int v = fs_text__digit_value(fs_text_next_cp(s, n, &i));
        if (v >= 0) {
            fs_buf_putc(out, (char)('0' + v));
        }
    }
}

/* Group d (national digits) as 3-3-4, or 3s then a final 4 (two 2s when 3s leave one). */
static void put_grouped(fs_buf *out, const char *d, size_t n, char sep)
{
    size_t rest = n > 4 ? n - 4 : 0, i = 0;
    while (i < rest) {
        size_t k = rest - i == 4 ? 2 : rest - i < 3 ? rest - i : 3;
        fs_buf_append(out, d + i, k);
        fs_buf_putc(out, sep);
        i += k;
    }
    fs_buf_append(out, d + i, n - i);
}

static fs_status rw_phone(pii_state *s, size_t style, const char *t, size_t n, fs_buf *out)
{
    fs_buf dg;
    size_t cc = 0, i = 1;
    bool plus = n > 0 && t[0] == '+';
    fs_buf_init(&dg, 0);
    digits_of(t, n, &dg);
    while (plus && i < n && t[i] >= '0' && t[i] <= '9') {
        i++;
    }
    cc = plus ? i - 1 : 0;
    const char *d = fs_buf_cstr(&dg), *nat = d + cc;
    size_t nn = dg.len - cc;
    const char *name = style_name(s, style);
    char sep = strcmp(name, "dashes") == 0 ? '-' : strcmp(name, "dots") == 0 ? '.' : ' ';
    if (plus) {
        fs_buf_putc(out, '+');
        fs_buf_append(out, d, cc);
    }
    if (strcmp(name, "e164") == 0 || strcmp(name, "plain") == 0) {
        fs_buf_append(out, nat, nn);
    } else if (strcmp(name, "parens") == 0 && nn > 6) {
        fs_buf_puts(out, plus ? " (" : "(");
        fs_buf_append(out, nat, 3);
        fs_buf_puts(out, ") ");
        put_grouped(out, nat + 3, nn - 3, '-');
    } else {
        if (plus) {
            fs_buf_putc(out, sep);
        }
        put_grouped(out, nat, nn, sep);
    }
    fs_status st = fs_buf_status(&dg);
    fs_buf_dispose(&dg);
    return st;
}

/* Expand a date format: {yyyy} {mm} {dd} {m} {d} {month:LANG}. */
static bool rw_date(pii_state *s, size_t style, const char *t, size_t n, fs_buf *out)
{
    int y, m, d;
    const char *f = cJSON_GetStringValue(cJSON_GetArrayItem(s->table, (int)style));
    if (f == NULL || !fs_identify_parse_date(s->det, t, n, &y, &m, &d)) {
        return false;
    }
    while (*f != '\0') {
        const char *close = f[0] == '{' ? strchr(f, '}') : NULL;
        if (close == NULL) {
            fs_buf_putc(out, *f++);
            continue;
        }
        size_t len = (size_t)(close - f - 1);
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)len, f + 1);
        if (strcmp(key, "yyyy") == 0) {
            fs_buf_printf(out, "%04d", y);
        } else if (strcmp(key, "mm") == 0 || strcmp(key, "m") == 0) {
            fs_buf_printf(out, key[1] ? "%02d" : "%d", m);
        } else if (strcmp(key, "dd") == 0 || strcmp(key, "d") == 0) {
            fs_buf_printf(out, key[1] ? "%02d" : "%d", d);
        } else if (strncmp(key, "month:", 6) == 0) {
            const char *name = fs_identify_month_name(s->det, key + 6, m);
            if (name == NULL) {
                return false;
            }
            fs_buf_puts(out, name);
        } else {
            return false;
        }
        f = close + 1;
    }
    return true;
}

/* local@a.b → local<at>a<dot>b */
static bool rw_email(pii_state *s, size_t style, const char *t, size_t n, fs_buf *out)
{
    const cJSON *st = cJSON_GetArrayItem(s->table, (int)style);
    const char *at = fs_json__str(st, "at"), *dot = fs_json__str(st, "dot");
    const char *sign = memchr(t, '@', n);
    if (at == NULL || dot == NULL || sign == NULL) {
        return false;
    }
    fs_buf_append(out, t, (size_t)(sign - t));
    fs_buf_puts(out, at);
    for (const char *c = sign + 1; c < t + n; c++) {
        if (*c == '.') {
            fs_buf_puts(out, dot);
        } else {
            fs_buf_putc(out, *c);
        }
    }
    return true;
}

/* The letters and digits of the item regrouped; a leading '+' stays. */
static void rw_spacing(pii_state *s, size_t style, const char *t, size_t n, fs_buf *out)
{
    static const size_t sizes[] = { 0, 2, 3, 4, 1, 4 };
    fs_buf al;
    size_t i = 0;
    fs_buf_init(&al, 0);
    while (i < n) {
        size_t at = i;
        uint32_t cp = fs_text_next_cp(t, n, &i);
        if (fs_text__digit_value(cp) >= 0 || fs_text_classify(t + at, n - at).is_alpha) {
            fs_buf_append(&al, t + at, i - at);
        }
    }
    size_t k = sizes[style];
    char sep = strcmp(style_name(s, style), "dashes") == 0 ? '-' : ' ';
    if (n > 0 && t[0] == '+') {
        fs_buf_putc(out, '+');
    }
    /* al holds ASCII digits and letters, or multi-byte ones: group by code point */
    size_t j = 0, cnt = 0;
    while (j < al.len) {
        size_t at = j;
        fs_text_next_cp(fs_buf_cstr(&al), al.len, &j);
        if (k > 0 && cnt > 0 && cnt % k == 0) {
            fs_buf_putc(out, sep);
        }
        fs_buf_append(out, fs_buf_cstr(&al) + at, j - at);
        cnt++;
    }
    fs_buf_dispose(&al);
}

static void rw_digits(pii_state *s, size_t style, const char *t, size_t n, fs_buf *out)
{
    const char *zero = cJSON_GetStringValue(cJSON_GetArrayItem(s->table, (int)style));
    size_t zi = 0;
    uint32_t z = fs_text_next_cp(zero, strlen(zero), &zi);
    for (size_t i = 0; i < n; i++) {
        if (t[i] >= '0' && t[i] <= '9') {
            fs_text_put_cp(out, z + (uint32_t)(t[i] - '0'));
        } else {
            fs_buf_putc(out, t[i]);
        }
    }
}

/* Rewrite t[0..n) in style into out; *ok false when the style does not apply. */
static fs_status rewrite(fs_perturber *p, size_t style, const char *t, size_t n, fs_buf *out,
                         bool *ok, fs_error *err)
{
    pii_state *s = p->state;
    fs_status st = FS_OK;
    *ok = true;
    switch (s->kind) {
    case K_PHONE:
        st = rw_phone(s, style, t, n, out);
        break;
    case K_DATE:
        *ok = rw_date(s, style, t, n, out);
        break;
    case K_EMAIL:
        *ok = rw_email(s, style, t, n, out);
        break;
    case K_SPACING:
        rw_spacing(s, style, t, n, out);
        break;
    case K_DIGITS:
        rw_digits(s, style, t, n, out);
        break;
    case K_NAME:
        st = fs_text_casemapper_map(p->cm, out, t, n, style == 0 ? FS_CASE_UPPER : FS_CASE_LOWER,
                                    err);
        break;
    case K_OCR:
        *ok = false;
        break;
    }
    if (st == FS_OK && fs_buf_status(out) != FS_OK) {
        st = FS_FAIL(err, fs_buf_status(out), "out of memory");
    }
    return st;
}

/* Whether style changes the item: the rewrite is left in s->cand. */
static fs_status changes(fs_perturber *p, size_t style, const char *t, size_t n, bool *out,
                         fs_error *err)
{
    pii_state *s = p->state;
    bool ok = false;
    fs_buf_reset(&s->cand);
    fs_status st = rewrite(p, style, t, n, &s->cand, &ok, err);
    *out = st == FS_OK && ok && (s->cand.len != n || (n > 0 && memcmp(s->cand.data, t, n) != 0));
    return st;
}

/* The item rewritten in the fixed style, or in one drawn among those that change it; it
 * is left in s->cand, *changed false when no style applies. */
static fs_status pick(fs_perturber *p, fs_rng *rng, const char *t, size_t n, bool *changed,
                      fs_error *err)
{
    pii_state *s = p->state;
    size_t count = 0, styles = n_styles(s);
    fs_status st = FS_OK;
    if (s->style >= 0) {
        return changes(p, (size_t)s->style, t, n, changed, err);
    }
    for (size_t i = 0; i < styles && st == FS_OK; i++) {
        bool c = false;
        st = changes(p, i, t, n, &c, err);
        count += c;
    }
    *changed = false;
    if (st != FS_OK || count == 0) {
        return st;
    }
    uint64_t want = fs_rng_below(rng, count);
    for (size_t i = 0; i < styles && st == FS_OK && !*changed; i++) {
        st = changes(p, i, t, n, changed, err);
        if (*changed && want-- > 0) {
            *changed = false;
        }
    }
    return st;
}

/* ---- pii-ocr ---------------------------------------------------------------------------- */

typedef struct ocr_unit {
    size_t start, end;
    fs_perturb__values v;
} ocr_unit;

/* OCR confusions inside one item: each source (two graphemes first, then one) is misread
 * with probability char_rate; when none is drawn, one is misread anyway. */
static fs_status ocr_item(fs_perturber *p, fs_rng *rng, const char *t, size_t n, fs_buf *out,
                          fs_error *err)
{
    pii_state *s = p->state;
    const fs_text_span *g = NULL;
    size_t count = 0, nu = 0;
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, t, n, err);
    ocr_unit *u = st == FS_OK ? fs_calloc(count + 1, sizeof *u) : NULL;
    if (st == FS_OK && u == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == FS_OK && i < count;) {
        size_t k = i + 1 < count ? 2 : 1;
        fs_perturb__values v = { NULL, 0 };
        for (; k > 0 && v.n == 0; k--) {
            v = fs_perturb__map_get(s->ocr, t + g[i].start, g[i + k - 1].end - g[i].start);
        }
        k = v.n > 0 ? k + 1 : 1;
        if (v.n > 0) {
            u[nu].start = g[i].start;
            u[nu].end = g[i + k - 1].end;
            u[nu++].v = v;
        }
        i += k;
    }
    bool *pickd = st == FS_OK && nu > 0 ? fs_calloc(nu, sizeof *pickd) : NULL;
    size_t any = 0;
    for (size_t i = 0; pickd != NULL && i < nu; i++) {
        pickd[i] = fs_perturb__draw(rng, s->char_rate);
        any += pickd[i];
    }
    if (pickd != NULL && any == 0) {
        pickd[fs_rng_below(rng, nu)] = true;
    }
    fs_perturb__emitter e = { out, t, 0 };
    for (size_t i = 0; pickd != NULL && i < nu; i++) {
        if (pickd[i]) {
            fs_str r = u[i].v.v[fs_rng_below(rng, u[i].v.n)];
            fs_perturb__emit_upto(&e, u[i].start, u[i].end);
            fs_buf_append(out, r.ptr, r.len);
        }
    }
    fs_perturb__emit_upto(&e, n, n);
    fs_free(pickd);
    fs_free(u);
    return st;
}

/* ---- apply ------------------------------------------------------------------------------ */

static fs_status pii_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n, fs_buf *out,
                           fs_error *err)
{
    pii_state *s = p->state;
    fs_identify_item *items = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_identify_detect(s->det, text, n, &items, &count, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        const char *t = text + items[i].byte_start;
        size_t len = items[i].byte_end - items[i].byte_start;
        bool changed = false;
        if (!fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        if (s->kind == K_OCR) {
            fs_perturb__emit_upto(&e, items[i].byte_start, items[i].byte_end);
            st = ocr_item(p, rng, t, len, out, err);
            continue;
        }
        st = pick(p, rng, t, len, &changed, err);
        if (st == FS_OK && changed) {
            fs_perturb__emit_upto(&e, items[i].byte_start, items[i].byte_end);
            fs_buf_append(out, s->cand.data, s->cand.len);
        }
    }
    if (st == FS_OK) {
        fs_perturb__emit_upto(&e, n, n);
    }
    fs_identify_items_free(items, count);
    return st;
}

/* ---- init ------------------------------------------------------------------------------- */

static fs_status split_categories(pii_state *s, const char *list, const char **names, size_t *n,
                                  fs_error *err)
{
    s->cat_list = fs_strdup(list);
    *n = 0;
    if (s->cat_list == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (char *c = s->cat_list; c != NULL && *c != '\0' && *n < MAX_CATS;) {
        char *comma = strchr(c, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        if (*c != '\0') {
            names[(*n)++] = c;
        }
        c = comma != NULL ? comma + 1 : NULL;
    }
    return FS_OK;
}

/* The detector over the kind's categories, its files recorded for provenance. */
static fs_status make_detector(fs_perturber *p, const char *data_dir, const char *fixed,
                               fs_error *err)
{
    pii_state *s = p->state;
    const char *names[MAX_CATS];
    fs_identify_opts o = FS_IDENTIFY_OPTS_INIT;
    const char *list = fixed != NULL ? fixed : fs_params_get(&p->params, "categories");
    const char *patterns = fs_params_get(&p->params, "patterns");
    fs_status st = split_categories(s, list != NULL ? list : "", names, &o.n_categories, err);
    o.categories = names;
    o.file = patterns != NULL && patterns[0] != '\0' ? patterns : NULL;
    if (st == FS_OK) {
        st = fs_identify_detector_new(&s->det, data_dir, &o, err);
    }
    if (st != FS_OK) {
        fs_error_prefix(err, "%s", p->info->name);
        return st;
    }
    const char *const *files = NULL;
    size_t nf = fs_identify_detector_files(s->det, &files);
    for (size_t i = 0; i < nf && p->n_files < FS_PERTURB__MAX_FILES; i++) {
        p->files[p->n_files] = fs_strdup(files[i]);
        if (p->files[p->n_files] == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        p->n_files++;
    }
    return FS_OK;
}

/* The style parameter: "random" or one of the kind's styles. */
static fs_status set_style(fs_perturber *p, const char *param, fs_error *err)
{
    pii_state *s = p->state;
    const char *v = fs_params_get(&p->params, param);
    const char *names[32];
    size_t n = n_styles(s);
    s->style = -1;
    if (v == NULL || strcmp(v, "random") == 0) {
        return n > 0 ? FS_OK : FS_FAIL(err, FS_ERR_INPUT, "%s: no styles", p->info->name);
    }
    for (size_t i = 0; i < n && i < 32; i++) {
        names[i] = style_name(s, i);
        if (strcmp(names[i], v) == 0) {
            s->style = (int)i;
            return FS_OK;
        }
    }
    const char *near = fs_nearest(v, names, n < 32 ? n : 32);
    return FS_FAIL(err, FS_ERR_CONFIG, "%s: %s: unknown value '%s'%s%s%s", p->info->name, param, v,
                   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* Load pii.json and pick its member table (an object of styles). */
static fs_status load_table(fs_perturber *p, const char *data_dir, const char *member,
                            fs_error *err)
{
    pii_state *s = p->state;
    const char *path = NULL;
    fs_status st = fs_perturb__load_json(p, data_dir, "pii.json", &s->data, &path, err);
    s->table = st == FS_OK ? cJSON_GetObjectItemCaseSensitive(s->data, member) : NULL;
    if (st == FS_OK && (!cJSON_IsObject(s->table) || s->table->child == NULL)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s: expected a non-empty object", path, member);
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, (st == FS_OK ? s->table : NULL))
    {
        const char *z = cJSON_GetStringValue(e);
        size_t zi = 0;
        bool ok = strcmp(member, "digit_scripts") != 0 ||
                  (z != NULL && fs_text__digit_value(fs_text_next_cp(z, strlen(z), &zi)) == 0 &&
                   zi == strlen(z));
        if (!ok || (strcmp(member, "email_styles") == 0 && !cJSON_IsObject(e)) ||
            (strcmp(member, "date_formats") == 0 && !cJSON_IsString(e))) {
            return FS_FAIL(err, FS_ERR_INPUT, "%s: %s.%s: malformed entry", path, member,
                           e->string);
        }
    }
    return st;
}

static fs_status load_ocr(fs_perturber *p, const char *data_dir, fs_error *err)
{
    pii_state *s = p->state;
    cJSON *doc = NULL;
    const char *path = NULL;
    const char *cr = fs_params_get(&p->params, "char_rate");
    if (!fs_parse_double(cr, &s->char_rate) || !(s->char_rate >= 0.0 && s->char_rate <= 1.0)) {
        return FS_FAIL(err, FS_ERR_CONFIG, "%s: char_rate: must be a number between 0 and 1",
                       p->info->name);
    }
    fs_status st = fs_perturb__load_json(p, data_dir, "ocr.json", &doc, &path, err);
    if (st == FS_OK) {
        st = fs_perturb__map_new(&s->ocr, err);
    }
    const cJSON *src, *v;
    cJSON_ArrayForEach(src,
                       (st == FS_OK ? cJSON_GetObjectItemCaseSensitive(doc, "confusions") : NULL))
    {
        cJSON_ArrayForEach(v, src)
        {
            if (st == FS_OK && cJSON_IsString(v) && v->valuestring[0] != '\0') {
                st = fs_perturb__map_add(s->ocr, src->string, strlen(src->string), v->valuestring,
                                         strlen(v->valuestring), err);
            }
        }
    }
    if (st == FS_OK) {
        st = fs_perturb__map_finish(s->ocr, err);
    }
    cJSON_Delete(doc);
    return st;
}

static fs_status pii_init(fs_perturber *p, const char *data_dir, pii_kind kind, fs_error *err)
{
    static const char *const fixed[] = { "phone", "date", "email", NULL, NULL, "person", NULL };
    static const char *const tables[] = { NULL, "date_formats",  "email_styles",
                                          NULL, "digit_scripts", NULL,
                                          NULL };
    pii_state *s = fs_calloc(1, sizeof *s);
    if (s == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p->state = s;
    s->kind = kind;
    fs_buf_init(&s->cand, 0);
    fs_status st = make_detector(p, data_dir, fixed[kind], err);
    if (st == FS_OK && tables[kind] != NULL) {
        st = load_table(p, data_dir, tables[kind], err);
    }
    if (st == FS_OK && kind == K_OCR) {
        st = load_ocr(p, data_dir, err);
    } else if (st == FS_OK) {
        st = set_style(p, kind == K_NAME ? "case" : kind == K_DIGITS ? "script" : "style", err);
    }
    return st;
}

static void pii_fini(fs_perturber *p)
{
    pii_state *s = p->state;
    if (s == NULL) {
        return;
    }
    fs_identify_detector_free(s->det);
    cJSON_Delete(s->data);
    fs_perturb__map_free(s->ocr);
    fs_free(s->cat_list);
    fs_buf_dispose(&s->cand);
    fs_free(s);
    p->state = NULL;
}

#define PII_INIT(fn, kind)                                                    \
    static fs_status fn(fs_perturber *p, const char *data_dir, fs_error *err) \
    {                                                                         \
        return pii_init(p, data_dir, kind, err);                              \
    }

PII_INIT(phone_init, K_PHONE)
PII_INIT(date_init, K_DATE)
PII_INIT(email_init, K_EMAIL)
PII_INIT(spacing_init, K_SPACING)
PII_INIT(digits_init, K_DIGITS)
PII_INIT(name_init, K_NAME)
PII_INIT(ocr_init, K_OCR)

/* Whole text: the detectors need an item's context (a label before an MRN, a title before
 * a name), so protected spans do not apply to this family. */
const fs_perturb__kind fs_perturb__pii_kinds[] = {
    { "pii-date-format", FS_TEXT_GRAPHEME, FS_PERTURB__WHOLE, date_init, pii_apply, pii_fini },
    { "pii-digit-spacing", FS_TEXT_GRAPHEME, FS_PERTURB__WHOLE, spacing_init, pii_apply, pii_fini },
    { "pii-email-obfuscate", FS_TEXT_GRAPHEME, FS_PERTURB__WHOLE, email_init, pii_apply, pii_fini },
    { "pii-name-case", FS_TEXT_GRAPHEME, FS_PERTURB__WHOLE, name_init, pii_apply, pii_fini },
    { "pii-ocr", FS_TEXT_GRAPHEME, FS_PERTURB__WHOLE, ocr_init, pii_apply, pii_fini },
    { "pii-phone-format", FS_TEXT_GRAPHEME, FS_PERTURB__WHOLE, phone_init, pii_apply, pii_fini },
    { "pii-unicode-digits", FS_TEXT_GRAPHEME, FS_PERTURB__WHOLE, digits_init, pii_apply, pii_fini },
    { NULL, FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, NULL, NULL, NULL },
};
