/* Unicode normalisation helpers over ICU for the character perturbations: a reusable
 * normaliser whose UTF-16 scratch buffers survive between calls (so normalising many
 * short strings, one grapheme at a time, allocates only while the buffers grow),
 * accent stripping (NFD, drop nonspacing marks, NFC), canonical composition of a letter
 * with a mark, and script lookup. Invariants: every output is valid UTF-8 appended to the
 * caller's buffer; nothing here keeps state beyond the normaliser's buffers. */
#include "core/text_int.h"
#include "fairshake/core.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

struct fs_text_normalizer {
    const UNormalizer2 *forms[4]; /* indexed by fs_text_form */
    UChar *src, *dst;
    int32_t cap_src, cap_dst; /* in UChars */
};

fs_status fs_text_normalizer_new(fs_text_normalizer **out, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    *out = NULL;
    fs_text_normalizer *nz = fs_calloc(1, sizeof *nz);
    if (nz == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    nz->forms[FS_FORM_NFC] = unorm2_getNFCInstance(&uerr);
    nz->forms[FS_FORM_NFD] = unorm2_getNFDInstance(&uerr);
    nz->forms[FS_FORM_NFKC] = unorm2_getNFKCInstance(&uerr);
    nz->forms[FS_FORM_NFKD] = unorm2_getNFKDInstance(&uerr);
    if (U_FAILURE(uerr)) {
        fs_free(nz);
        return FS_FAIL(err, FS_ERR_TEXT, "ICU normaliser: %s", u_errorName(uerr));
    }
    *out = nz;
    return FS_OK;
}

void fs_text_normalizer_free(fs_text_normalizer *nz)
{
    if (nz == NULL) {
        return;
    }
    fs_free(nz->src);
    fs_free(nz->dst);
    fs_free(nz);
}

/* Make *buf hold at least need UChars. */
static bool reserve(UChar **buf, int32_t *cap, size_t need)
{
    size_t bytes;
    if (need <= (size_t)*cap) {
        return true;
    }
    if (need > INT32_MAX / 2 || !fs_size_mul(&bytes, need * 2, sizeof(UChar))) {
        return false;
    }
    UChar *p = fs_realloc(*buf, bytes);
    if (p == NULL) {
        return false;
    }
    *buf = p;
    *cap = (int32_t)(need * 2);
    return true;
}

/* s[0..n) as UTF-16 in nz->src; *len_out its length. */
static fs_status to_utf16(fs_text_normalizer *nz, const char *s, size_t n, int32_t *len_out,
                          fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    if (n > INT32_MAX / 8) {
        return FS_FAIL(err, FS_ERR_LIMIT, "text too long to normalise");
    }
    if (!reserve(&nz->src, &nz->cap_src, n + 1)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    u_strFromUTF8WithSub(nz->src, nz->cap_src, len_out, s, (int32_t)n, 0xFFFD, NULL, &uerr);
    if (U_FAILURE(uerr)) {
        return FS_FAIL(err, FS_ERR_TEXT, "ICU UTF-8 conversion: %s", u_errorName(uerr));
    }
    return FS_OK;
}

/* Normalise nz->src[0..len) into nz->dst; *len_out the result's length. */
static fs_status normalize16(fs_text_normalizer *nz, int32_t len, fs_text_form form,
                             int32_t *len_out, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    /* the largest expansion of any normal form is 18 UTF-16 units per unit (NFKD) */
    size_t need = (size_t)len * 18 + 16;
    if (!reserve(&nz->dst, &nz->cap_dst, need)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    *len_out = unorm2_normalize(nz->forms[form], nz->src, len, nz->dst, nz->cap_dst, &uerr);
    if (U_FAILURE(uerr)) {
        return FS_FAIL(err, FS_ERR_TEXT, "ICU normalisation: %s", u_errorName(uerr));
    }
    return FS_OK;
}

static void put_utf16(fs_buf *out, const UChar *s, int32_t n)
{
    int32_t i = 0;
    while (i < n) {
        UChar32 c;
        U16_NEXT(s, i, n, c);
        fs_text_put_cp(out, (uint32_t)c);
    }
}

fs_status fs_text_normalizer_run(fs_text_normalizer *nz, fs_buf *out, const char *s, size_t n,
                                 fs_text_form form, fs_error *err)
{
    int32_t len = 0, res = 0;
    fs_status st = to_utf16(nz, s, n, &len, err);
    if (st == FS_OK) {
        st = normalize16(nz, len, form, &res, err);
    }
    if (st == FS_OK) {
        put_utf16(out, nz->dst, res);
    }
    return fs_text__appended(out, st, err);
}

/* Whether c is an accent that stripping removes. */
static bool strippable(UChar32 c)
{
    return u_charType(c) == U_NON_SPACING_MARK && u_getCombiningClass(c) != 0;
}

fs_status fs_text_normalizer_strip_marks(fs_text_normalizer *nz, fs_buf *out, const char *s,
                                         size_t n, fs_error *err)
{
    int32_t len = 0, res = 0;
    fs_status st = to_utf16(nz, s, n, &len, err);
    if (st == FS_OK) {
        st = normalize16(nz, len, FS_FORM_NFD, &res, err);
    }
    if (st != FS_OK) {
        return st;
    }
    /* keep the non-marks of dst in src (src is large enough: NFD never shrinks) */
    int32_t i = 0, kept = 0;
    if (!reserve(&nz->src, &nz->cap_src, (size_t)res + 1)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    while (i < res) {
        int32_t at = i;
        UChar32 c;
        U16_NEXT(nz->dst, i, res, c);
        if (!strippable(c)) {
            while (at < i) {
                nz->src[kept++] = nz->dst[at++];
            }
        }
    }
    st = normalize16(nz, kept, FS_FORM_NFC, &res, err);
    if (st == FS_OK) {
        put_utf16(out, nz->dst, res);
    }
    return fs_text__appended(out, st, err);
}

int fs_text_script(uint32_t cp)
{
    UErrorCode uerr = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript((UChar32)cp, &uerr);
    return U_FAILURE(uerr) ? USCRIPT_INVALID_CODE : (int)sc;
}

uint32_t fs_text_compose_pair(uint32_t base, uint32_t mark)
{
    UErrorCode uerr = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&uerr);
    if (U_FAILURE(uerr)) {
        return 0;
    }
    UChar32 c = unorm2_composePair(nfc, (UChar32)base, (UChar32)mark);
    return c < 0 ? 0 : (uint32_t)c;
}

bool fs_text_decomposes(uint32_t cp)
{
    UErrorCode uerr = U_ZERO_ERROR;
    UChar buf[8];
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&uerr);
    if (U_FAILURE(uerr)) {
        return false;
    }
    return unorm2_getDecomposition(nfd, (UChar32)cp, buf, 8, &uerr) >= 0;
}
