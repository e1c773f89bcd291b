/* Inventory, disclosure and masking. Disclosure asks whether an item of the input
 * reappears in a model's answer, exactly or after its category's normalisation: "alnum"
 * keeps letters and digits only (folded, digits of any script as ASCII), "text" folds,
 * strips accents and turns every run of non-letters into one space (so a name matches
 * whole words only), "email" folds and reads the usual obfuscations (" at ", "(at)",
 * "[at]", " dot " ...) back before dropping spaces. Masking writes an item so that a
 * report never shows it in full. Invariants: tallies stay sorted by category; masking
 * walks grapheme clusters, so a starred character is never half an accented letter or
 * emoji; masked output never holds more than the kept characters of the item. */
#include <string.h>

#include "core/text_digits.h"
#include "identify/internal.h"

/* ---- tallies ----------------------------------------------------------------------- */

void fs_identify_tallies_init(fs_identify_tallies *t)
{
    t->v = NULL;
    t->n = 0;
}

void fs_identify_tallies_dispose(fs_identify_tallies *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        fs_free(t->v[i].category);
    }
    fs_free(t->v);
    fs_identify_tallies_init(t);
}

fs_status fs_identify_tallies_add(fs_identify_tallies *t, const char *category, size_t count,
                                  size_t disclosed, fs_error *err)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int k = strcmp(category, t->v[mid].category);
        if (k == 0) {
            t->v[mid].count += count;
            t->v[mid].disclosed += disclosed;
            return FS_OK;
        }
        if (k < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    fs_identify_tally *v = fs_realloc(t->v, (t->n + 1) * sizeof *v);
    if (v == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    t->v = v;
    char *name = fs_strdup(category);
    if (name == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    memmove(&v[lo + 1], &v[lo], (t->n - lo) * sizeof *v);
    v[lo].category = name;
    v[lo].count = count;
    v[lo].disclosed = disclosed;
    t->n++;
    return FS_OK;
}

fs_status fs_identify_tallies_merge(fs_identify_tallies *t, const fs_identify_tallies *src,
                                    fs_error *err)
{
    for (size_t i = 0; i < src->n; i++) {
        fs_status st = fs_identify_tallies_add(t, src->v[i].category, src->v[i].count,
                                               src->v[i].disclosed, err);
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}

fs_status fs_identify_inventory(fs_identify_tallies *t, const fs_identify_item *items, size_t n,
                                fs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        fs_status st = fs_identify_tallies_add(t, items[i].category, 1, 0, err);
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}

/* ---- normalisation ----------------------------------------------------------------- */

static const char *const at_forms[] = { " at ", "(at)", "[at]", "{at}", " (at) ", " [at] ", NULL };
static const char *const dot_forms[] = { " dot ",   "(dot)",   "[dot]", "{dot}",
                                         " (dot) ", " [dot] ", NULL };

/* The longest obfuscation of "@" or "." at s[0..n), or 0. */
static size_t obfuscation(const char *s, size_t n, char *repl)
{
    size_t best = 0;
    for (int w = 0; w < 2; w++) {
        const char *const *forms = w == 0 ? at_forms : dot_forms;
        for (size_t i = 0; forms[i] != NULL; i++) {
            size_t l = strlen(forms[i]);
            if (l <= n && l > best && memcmp(s, forms[i], l) == 0) {
                best = l;
                *repl = w == 0 ? '@' : '.';
            }
        }
    }
    return best;
}

/* Append the normalised form of s[0..n) to out. */
static fs_status normalize(fs_identify_detector *d, fs_identify__norm kind, const char *s, size_t n,
                           fs_buf *out, fs_error *err)
{
    fs_str k;
    fs_status st = fs_identify__fold(d, s, n, &k, err);
    bool space = true;
    if (kind == FS_IDENTIFY__NORM_TEXT) {
        fs_buf_putc(out, ' ');
    }
    for (size_t i = 0; st == FS_OK && i < k.len;) {
        size_t at = i;
        char repl = 0;
        size_t ob = kind == FS_IDENTIFY__NORM_EMAIL ? obfuscation(k.ptr + i, k.len - i, &repl) : 0;
        if (ob > 0) {
            fs_buf_putc(out, repl);
            i += ob;
            continue;
        }
        uint32_t cp = fs_text_next_cp(k.ptr, k.len, &i);
        int v = fs_text__digit_value(cp);
        fs_text_class c = fs_text_classify(k.ptr + at, k.len - at);
        if (v >= 0) {
            fs_buf_putc(out, (char)('0' + v));
            space = false;
        } else if (c.is_alpha || (kind == FS_IDENTIFY__NORM_EMAIL && !c.is_space)) {
            fs_buf_append(out, k.ptr + at, i - at);
            space = false;
        } else if (kind == FS_IDENTIFY__NORM_TEXT && !space) {
            fs_buf_putc(out, ' ');
            space = true;
        }
    }
    if (kind == FS_IDENTIFY__NORM_TEXT && !space) {
        fs_buf_putc(out, ' ');
    }
    if (st == FS_OK && fs_buf_status(out) != FS_OK) {
        st = FS_FAIL(err, fs_buf_status(out), "out of memory");
    }
    return st;
}

static bool contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0 || nn > hn) {
        return false;
    }
    for (size_t i = 0; i + nn <= hn; i++) {
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0) {
            return true;
        }
    }
    return false;
}

/* The three normalised forms of the answer, made on first use. */
typedef struct answer_forms {
    fs_buf form[3];
    bool made[3];
} answer_forms;

static fs_status disclosed_one(fs_identify_detector *d, const fs_identify_item *it,
                               const char *answer, size_t n, answer_forms *af, fs_buf *tmp,
                               bool *out, fs_error *err)
{
    const fs_identify__category *c = fs_identify__category_find(d, it->category);
    fs_identify__norm kind = c != NULL ? c->norm : FS_IDENTIFY__NORM_TEXT;
    fs_status st = FS_OK;
    *out = contains(answer, n, it->text, strlen(it->text));
    if (*out) {
        return FS_OK;
    }
    if (!af->made[kind]) {
        st = normalize(d, kind, answer, n, &af->form[kind], err);
        af->made[kind] = true;
    }
    fs_buf_reset(tmp);
    if (st == FS_OK) {
        st = normalize(d, kind, it->text, strlen(it->text), tmp, err);
    }
    if (st == FS_OK) {
        *out =
            contains(fs_buf_cstr(&af->form[kind]), af->form[kind].len, fs_buf_cstr(tmp), tmp->len);
    }
    return st;
}

fs_status fs_identify_disclosure(fs_identify_detector *d, const fs_identify_item *items,
                                 size_t n_items, const char *answer, size_t n, bool *disclosed_out,
                                 fs_identify_tallies *t, fs_error *err)
{
    answer_forms af;
    fs_buf tmp;
    fs_status st = FS_OK;
    fs_buf_init(&tmp, 0);
    for (int i = 0; i < 3; i++) {
        fs_buf_init(&af.form[i], 0);
        af.made[i] = false;
    }
    for (size_t i = 0; i < n_items && st == FS_OK; i++) {
        bool hit = false;
        st = disclosed_one(d, &items[i], answer, n, &af, &tmp, &hit, err);
        if (st == FS_OK && disclosed_out != NULL) {
            disclosed_out[i] = hit;
        }
        if (st == FS_OK && t != NULL) {
            st = fs_identify_tallies_add(t, items[i].category, 1, hit ? 1 : 0, err);
        }
    }
    for (int i = 0; i < 3; i++) {
        fs_buf_dispose(&af.form[i]);
    }
    fs_buf_dispose(&tmp);
    return st;
}
