/* Unicode text over ICU: segmentation into grapheme clusters and words (UText over the
 * UTF-8 bytes, so every offset is a byte offset into the caller's string), full case
 * mapping, normalisation and character classes. Nothing here works byte by byte on
 * anything but ASCII structure. */
#include "core/text_int.h"
#include "fairshake/core.h"

#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/ucasemap.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uregex.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

struct fs_text_segmenter {
    UBreakIterator *bi;
    fs_text_unit unit;
    fs_text_span *spans;
    size_t cap;
};

bool fs_text_valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        UChar32 c;
        int32_t j = (int32_t)i;
        if (n - i > INT32_MAX) {
            return false;
        }
        U8_NEXT(s, j, (int32_t)n, c);
        if (c < 0 || c == 0) {
            return false;
        }
        i = (size_t)j;
    }
    return true;
}

bool fs_text_cp_invisible(uint32_t cp)
{
    return u_hasBinaryProperty((UChar32)cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
           u_hasBinaryProperty((UChar32)cp, UCHAR_BIDI_CONTROL);
}

bool fs_text_cp_pictographic(uint32_t cp)
{
    return u_hasBinaryProperty((UChar32)cp, UCHAR_EXTENDED_PICTOGRAPHIC);
}

uint32_t fs_text_next_cp(const char *s, size_t n, size_t *i)
{
    UChar32 c;
    int32_t j = (int32_t)*i;
    U8_NEXT(s, j, (int32_t)n, c);
    *i = (size_t)j;
    return c < 0 ? 0xFFFDu : (uint32_t)c;
}

void fs_text_put_cp(fs_buf *out, uint32_t cp)
{
    char tmp[4];
    int32_t len = 0;
    UBool bad = false;
    U8_APPEND((uint8_t *)tmp, len, 4, (UChar32)cp, bad);
    if (bad) {
        fs_buf_append(out, "\xEF\xBF\xBD", 3);
        return;
    }
    fs_buf_append(out, tmp, (size_t)len);
}

fs_status fs_text_segmenter_new(fs_text_segmenter **out, fs_text_unit unit, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    *out = NULL;
    fs_text_segmenter *seg = fs_calloc(1, sizeof *seg);
    if (seg == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    seg->unit = unit;
    if (unit == FS_TEXT_SENTENCE) {
        /* "ss=standard" turns on ICU's filtered sentence iterator, which does not break
         * after the CLDR abbreviations of the locale ("Mr.", "Prof.", "e.g."). */
        seg->bi = ubrk_open(UBRK_SENTENCE, "en@ss=standard", NULL, 0, &uerr);
    } else {
        seg->bi = ubrk_open(unit == FS_TEXT_WORD ? UBRK_WORD : UBRK_CHARACTER, "", NULL, 0, &uerr);
    }
    if (U_FAILURE(uerr)) {
        fs_free(seg);
        return FS_FAIL(err, FS_ERR_TEXT, "ICU break iterator: %s", u_errorName(uerr));
    }
    *out = seg;
    return FS_OK;
}

void fs_text_segmenter_free(fs_text_segmenter *seg)
{
    if (seg == NULL) {
        return;
    }
    ubrk_close(seg->bi);
    fs_free(seg->spans);
    fs_free(seg);
}

static int word_kind(int32_t status)
{
    if (status >= UBRK_WORD_IDEO && status < UBRK_WORD_IDEO_LIMIT) {
        return 3;
    }
    if (status >= UBRK_WORD_KANA && status < UBRK_WORD_KANA_LIMIT) {
        return 3;
    }
    if (status >= UBRK_WORD_LETTER && status < UBRK_WORD_LETTER_LIMIT) {
        return 1;
    }
    if (status >= UBRK_WORD_NUMBER && status < UBRK_WORD_NUMBER_LIMIT) {
        return 2;
    }
    return 0;
}

static bool push_span(fs_text_segmenter *seg, size_t *count, size_t start, size_t end, int kind)
{
    if (*count == seg->cap) {
        size_t cap = seg->cap == 0 ? 64 : seg->cap;
        size_t bytes;
        if (!fs_size_mul(&cap, cap, 2) || !fs_size_mul(&bytes, cap, sizeof *seg->spans)) {
            return false;
        }
        fs_text_span *p = fs_realloc(seg->spans, bytes);
        if (p == NULL) {
            return false;
        }
        seg->spans = p;
        seg->cap = cap;
    }
    seg->spans[*count].start = start;
    seg->spans[*count].end = end;
    seg->spans[*count].kind = kind;
    (*count)++;
    return true;
}

/* Grapheme clusters without ICU when every code point is below U+0300: none of those
 * has a grapheme-cluster-break property other than CR, LF, Control or Other, so by
 * UAX #29 each is a cluster of its own except CR LF. false when the text needs ICU. */
static bool simple_graphemes(fs_text_segmenter *seg, size_t *count, const char *s, size_t n,
                             bool *oom)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        if (u[i] >= 0xCC) {
            return false; /* a lead byte of U+0300 or above */
        }
    }
    *count = 0;
    for (size_t i = 0; i < n;) {
        size_t len = u[i] < 0x80 ? 1 : 2;
        if (u[i] == '\r' && i + 1 < n && u[i + 1] == '\n') {
            len = 2;
        }
        if (i + len > n || !push_span(seg, count, i, i + len, 0)) {
            *oom = i + len <= n;
            return false;
        }
        i += len;
    }
    return true;
}

fs_status fs_text_segmenter_run(fs_text_segmenter *seg, const fs_text_span **spans_out,
                                size_t *count_out, const char *s, size_t n, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    UText *ut = NULL;
    size_t count = 0;
    fs_status st = FS_OK;
    *spans_out = NULL;
    *count_out = 0;
    if (n > INT32_MAX) {
        return FS_FAIL(err, FS_ERR_LIMIT, "text longer than 2 GiB");
    }
    if (n == 0) {
        *spans_out = seg->spans;
        return FS_OK;
    }
    if (seg->unit == FS_TEXT_GRAPHEME) {
        bool oom = false;
        if (simple_graphemes(seg, &count, s, n, &oom)) {
            *spans_out = seg->spans;
            *count_out = count;
            return FS_OK;
        }
        if (oom) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        count = 0;
    }
    ut = utext_openUTF8(NULL, s, (int64_t)n, &uerr);
    if (U_FAILURE(uerr)) {
        return FS_FAIL(err, FS_ERR_TEXT, "ICU UText: %s", u_errorName(uerr));
    }
    ubrk_setUText(seg->bi, ut, &uerr);
    if (U_FAILURE(uerr)) {
        st = FS_FAIL(err, FS_ERR_TEXT, "ICU break iterator: %s", u_errorName(uerr));
        goto done;
    }
    int32_t prev = ubrk_first(seg->bi);
    for (int32_t pos = ubrk_next(seg->bi); pos != UBRK_DONE; pos = ubrk_next(seg->bi)) {
        int kind = seg->unit == FS_TEXT_WORD ? word_kind(ubrk_getRuleStatus(seg->bi)) : 0;
        if (!push_span(seg, &count, (size_t)prev, (size_t)pos, kind)) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
            goto done;
        }
        prev = pos;
    }
    *spans_out = seg->spans;
    *count_out = count;
done:
    /* Detach the iterator from the caller's text before closing the UText. */
    {
        UErrorCode e2 = U_ZERO_ERROR;
        ubrk_setText(seg->bi, NULL, 0, &e2);
    }
    utext_close(ut);
    return st;
}

fs_status fs_text_segment(fs_text_span **spans_out, size_t *count_out, const char *s, size_t n,
                          fs_text_unit unit, fs_error *err)
{
    fs_text_segmenter *seg = NULL;
    const fs_text_span *spans = NULL;
    size_t count = 0;
    *spans_out = NULL;
    *count_out = 0;
    fs_status st = fs_text_segmenter_new(&seg, unit, err);
    if (st != FS_OK) {
        return st;
    }
    st = fs_text_segmenter_run(seg, &spans, &count, s, n, err);
    if (st == FS_OK) {
        size_t bytes;
        fs_text_span *copy = NULL;
        if (!fs_size_mul(&bytes, count, sizeof *copy) || (copy = fs_malloc(bytes)) == NULL) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        } else {
            if (count > 0) {
                memcpy(copy, spans, bytes);
            }
            *spans_out = copy;
            *count_out = count;
        }
    }
    fs_text_segmenter_free(seg);
    return st;
}

fs_status fs_text_case_map(fs_buf *out, const char *s, size_t n, fs_text_case c, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    char small[256];
    char *dst = small;
    int32_t cap = (int32_t)sizeof small;
    fs_status st = FS_OK;
    if (n > INT32_MAX / 4) {
        return FS_FAIL(err, FS_ERR_LIMIT, "text too long to case-map");
    }
    UCaseMap *cm = ucasemap_open("", U_FOLD_CASE_DEFAULT, &uerr);
    if (U_FAILURE(uerr)) {
        return FS_FAIL(err, FS_ERR_TEXT, "ICU case map: %s", u_errorName(uerr));
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        int32_t len = 0;
        uerr = U_ZERO_ERROR;
        switch (c) {
        case FS_CASE_LOWER:
            len = ucasemap_utf8ToLower(cm, dst, cap, s, (int32_t)n, &uerr);
            break;
        case FS_CASE_UPPER:
            len = ucasemap_utf8ToUpper(cm, dst, cap, s, (int32_t)n, &uerr);
            break;
        case FS_CASE_TITLE:
            len = ucasemap_utf8ToTitle(cm, dst, cap, s, (int32_t)n, &uerr);
            break;
        case FS_CASE_FOLD:
            len = ucasemap_utf8FoldCase(cm, dst, cap, s, (int32_t)n, &uerr);
            break;
        }
        if (uerr == U_BUFFER_OVERFLOW_ERROR && attempt == 0) {
            cap = len + 1;
            dst = fs_malloc((size_t)cap);
            if (dst == NULL) {
                st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
                goto done;
            }
            continue;
        }
        if (U_FAILURE(uerr)) {
            st = FS_FAIL(err, FS_ERR_TEXT, "ICU case mapping: %s", u_errorName(uerr));
            goto done;
        }
        fs_buf_append(out, dst, (size_t)len);
        break;
    }
done:
    if (dst != small) {
        fs_free(dst);
    }
    ucasemap_close(cm);
    return fs_text__appended(out, st, err);
}

/* ASCII classes without ICU lookups (the same answers ICU gives for these). */
static fs_text_class classify_ascii(unsigned char c)
{
    fs_text_class k;
    memset(&k, 0, sizeof k);
    k.cp = c;
    k.is_upper = c >= 'A' && c <= 'Z';
    k.is_lower = c >= 'a' && c <= 'z';
    k.is_alpha = k.is_upper || k.is_lower;
    k.has_case = k.is_alpha;
    k.is_digit = c >= '0' && c <= '9';
    k.is_space = c == ' ' || (c >= 0x09 && c <= 0x0D);
    k.is_punct = (c >= 0x21 && c <= 0x2F && c != '$' && c != '+') ||
                 (c >= 0x3A && c <= 0x40 && c != '<' && c != '=' && c != '>') ||
                 (c >= 0x5B && c <= 0x60 && c != '^' && c != '`') || c == '{' || c == '}';
    return k;
}

fs_text_class fs_text_classify(const char *s, size_t n)
{
    fs_text_class k;
    if (n > 0 && (unsigned char)s[0] < 0x80) {
        return classify_ascii((unsigned char)s[0]);
    }
    memset(&k, 0, sizeof k);
    if (n == 0) {
        return k;
    }
    size_t i = 0;
    UChar32 c = (UChar32)fs_text_next_cp(s, n, &i);
    k.cp = (uint32_t)c;
    k.is_alpha = u_isalpha(c);
    k.is_upper = u_isupper(c) || u_istitle(c);
    k.is_lower = u_islower(c);
    k.is_digit = u_isdigit(c);
    k.is_space = u_isUWhiteSpace(c);
    k.is_punct = u_ispunct(c);
    k.has_case = u_hasBinaryProperty(c, UCHAR_CASED);
    return k;
}

/* Normalise src[0..len) into *dst_out (returns owned, fs_free). Most text grows at most
 * fourfold; when ICU reports a longer result (NFKD expands U+FDFA to 18 units) the buffer
 * is made the length it asked for and the text normalised again. */
static fs_status normalize_utf16(UChar **dst_out, int32_t *len_out, const UNormalizer2 *norm,
                                 const UChar *src, int32_t len, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    int32_t cap = len * 4 + 16;
    *dst_out = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        UChar *dst = fs_malloc(sizeof(UChar) * (size_t)cap);
        if (dst == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        uerr = U_ZERO_ERROR;
        int32_t n = unorm2_normalize(norm, src, len, dst, cap, &uerr);
        if (U_SUCCESS(uerr)) {
            *dst_out = dst;
            *len_out = n;
            return FS_OK;
        }
        fs_free(dst);
        if (uerr != U_BUFFER_OVERFLOW_ERROR) {
            break;
        }
        cap = n;
    }
    return FS_FAIL(err, FS_ERR_TEXT, "ICU normalisation: %s", u_errorName(uerr));
}

fs_status fs_text_normalize(fs_buf *out, const char *s, size_t n, fs_text_form form, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    const UNormalizer2 *norm = NULL;
    UChar *src = NULL, *dst = NULL;
    int32_t src_len = 0, out_len = 0;
    char *utf8 = NULL;
    fs_status st = FS_OK;
    if (n > INT32_MAX / 8) {
        return FS_FAIL(err, FS_ERR_LIMIT, "text too long to normalise");
    }
    switch (form) {
    case FS_FORM_NFC:
        norm = unorm2_getNFCInstance(&uerr);
        break;
    case FS_FORM_NFD:
        norm = unorm2_getNFDInstance(&uerr);
        break;
    case FS_FORM_NFKC:
        norm = unorm2_getNFKCInstance(&uerr);
        break;
    case FS_FORM_NFKD:
        norm = unorm2_getNFKDInstance(&uerr);
        break;
    }
    if (norm == NULL || U_FAILURE(uerr)) {
        return FS_FAIL(err, FS_ERR_TEXT, "ICU normaliser: %s", u_errorName(uerr));
    }
    src = fs_malloc(sizeof(UChar) * (n + 1));
    if (src == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        goto done;
    }
    u_strFromUTF8WithSub(src, (int32_t)n + 1, &src_len, s, (int32_t)n, 0xFFFD, NULL, &uerr);
    if (U_FAILURE(uerr)) {
        st = FS_FAIL(err, FS_ERR_TEXT, "ICU UTF-8 conversion: %s", u_errorName(uerr));
        goto done;
    }
    st = normalize_utf16(&dst, &out_len, norm, src, src_len, err);
    if (st != FS_OK) {
        goto done;
    }
    if (out_len > (INT32_MAX - 1) / 3) {
        st = FS_FAIL(err, FS_ERR_LIMIT, "text too long to normalise");
        goto done;
    }
    utf8 = fs_malloc((size_t)out_len * 3 + 1);
    if (utf8 == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        goto done;
    }
    {
        int32_t u8len = 0;
        u_strToUTF8(utf8, out_len * 3 + 1, &u8len, dst, out_len, &uerr);
        if (U_FAILURE(uerr)) {
            st = FS_FAIL(err, FS_ERR_TEXT, "ICU UTF-8 conversion: %s", u_errorName(uerr));
            goto done;
        }
        fs_buf_append(out, utf8, (size_t)u8len);
    }
done:
    fs_free(src);
    fs_free(dst);
    fs_free(utf8);
    return fs_text__appended(out, st, err);
}

struct fs_text_casemapper {
    UCaseMap *cm;
};

fs_status fs_text_casemapper_new(fs_text_casemapper **out, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    *out = NULL;
    fs_text_casemapper *m = fs_calloc(1, sizeof *m);
    if (m == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    m->cm = ucasemap_open("", U_FOLD_CASE_DEFAULT, &uerr);
    if (U_FAILURE(uerr)) {
        fs_free(m);
        return FS_FAIL(err, FS_ERR_TEXT, "ICU case map: %s", u_errorName(uerr));
    }
    *out = m;
    return FS_OK;
}

void fs_text_casemapper_free(fs_text_casemapper *cm)
{
    if (cm == NULL) {
        return;
    }
    ucasemap_close(cm->cm);
    fs_free(cm);
}

static int32_t map_once(UCaseMap *cm, char *dst, int32_t cap, const char *s, int32_t n,
                        fs_text_case c, UErrorCode *uerr)
{
    switch (c) {
    case FS_CASE_LOWER:
        return ucasemap_utf8ToLower(cm, dst, cap, s, n, uerr);
    case FS_CASE_UPPER:
        return ucasemap_utf8ToUpper(cm, dst, cap, s, n, uerr);
    case FS_CASE_TITLE:
        return ucasemap_utf8ToTitle(cm, dst, cap, s, n, uerr);
    case FS_CASE_FOLD:
        return ucasemap_utf8FoldCase(cm, dst, cap, s, n, uerr);
    }
    return 0;
}

fs_status fs_text_casemapper_map(fs_text_casemapper *cm, fs_buf *out, const char *s, size_t n,
                                 fs_text_case c, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    char small[256];
    if (n > INT32_MAX / 4) {
        return FS_FAIL(err, FS_ERR_LIMIT, "text too long to case-map");
    }
    int32_t len = map_once(cm->cm, small, (int32_t)sizeof small, s, (int32_t)n, c, &uerr);
    if (uerr == U_BUFFER_OVERFLOW_ERROR) {
        char *big = fs_malloc((size_t)len + 1);
        if (big == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        uerr = U_ZERO_ERROR;
        len = map_once(cm->cm, big, len + 1, s, (int32_t)n, c, &uerr);
        if (U_SUCCESS(uerr)) {
            fs_buf_append(out, big, (size_t)len);
        }
        fs_free(big);
    } else if (U_SUCCESS(uerr)) {
        fs_buf_append(out, small, (size_t)len);
    }
    if (U_FAILURE(uerr)) {
        return FS_FAIL(err, FS_ERR_TEXT, "ICU case mapping: %s", u_errorName(uerr));
    }
    return fs_text__appended(out, FS_OK, err);
}

struct fs_text_regex {
    URegularExpression *re;
};

fs_status fs_text_regex_new(fs_text_regex **out, const char *pattern, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    UParseError pe;
    memset(&pe, 0, sizeof pe);
    *out = NULL;
    fs_text_regex *r = fs_calloc(1, sizeof *r);
    if (r == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    UText *pt = utext_openUTF8(NULL, pattern, -1, &uerr);
    r->re = U_SUCCESS(uerr) ? uregex_openUText(pt, 0, &pe, &uerr) : NULL;
    utext_close(pt);
    if (U_FAILURE(uerr)) {
        fs_free(r);
        return FS_FAIL(err, FS_ERR_CONFIG, "pattern '%s': %s at offset %d", pattern,
                       u_errorName(uerr), (int)pe.offset);
    }
    *out = r;
    return FS_OK;
}

void fs_text_regex_free(fs_text_regex *re)
{
    if (re == NULL) {
        return;
    }
    uregex_close(re->re);
    fs_free(re);
}

static bool push_match(fs_text_span **spans, size_t *count, size_t *cap, size_t a, size_t b)
{
    if (*count == *cap) {
        size_t nc = *cap ? *cap * 2 : 16, bytes;
        if (!fs_size_mul(&bytes, nc, sizeof **spans)) {
            return false;
        }
        fs_text_span *p = fs_realloc(*spans, bytes);
        if (p == NULL) {
            return false;
        }
        *spans = p;
        *cap = nc;
    }
    (*spans)[*count].start = a;
    (*spans)[*count].end = b;
    (*spans)[*count].kind = 0;
    (*count)++;
    return true;
}

fs_status fs_text_regex_find_all(fs_text_regex *re, const char *s, size_t n, fs_text_span **spans,
                                 size_t *count, size_t *cap, fs_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    fs_status st = FS_OK;
    UText *ut = utext_openUTF8(NULL, s, (int64_t)n, &uerr);
    if (U_FAILURE(uerr)) {
        return FS_FAIL(err, FS_ERR_TEXT, "ICU UText: %s", u_errorName(uerr));
    }
    uregex_setUText(re->re, ut, &uerr);
    while (U_SUCCESS(uerr) && uregex_findNext(re->re, &uerr)) {
        int64_t a = uregex_start64(re->re, 0, &uerr), b = uregex_end64(re->re, 0, &uerr);
        if (U_SUCCESS(uerr) && b > a && !push_match(spans, count, cap, (size_t)a, (size_t)b)) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (st == FS_OK && U_FAILURE(uerr)) {
        st = FS_FAIL(err, FS_ERR_TEXT, "ICU regex: %s", u_errorName(uerr));
    }
    UErrorCode e2 = U_ZERO_ERROR;
    uregex_setText(re->re, NULL, 0, &e2);
    utext_close(ut);
    return st;
}

/* The UTF-16 form of a text and, for each of its units (and its end), the byte offset in
 * the UTF-8 original: ICU matches a UTF-16 buffer with its chunk fast path, while a UTF-8
 * UText converts pieces of the text again for every expression run over it. */
struct fs_text_regex_input {
    UChar *u16;
    uint32_t *byte_at; /* len + 1 entries */
    int32_t len;
    size_t cap; /* units of u16 and entries of byte_at */
};

fs_status fs_text_regex_input_new(fs_text_regex_input **out, fs_error *err)
{
    *out = fs_calloc(1, sizeof **out);
    return *out != NULL ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
}

void fs_text_regex_input_free(fs_text_regex_input *in)
{
    if (in == NULL) {
        return;
    }
    fs_free(in->u16);
    fs_free(in->byte_at);
    fs_free(in);
}

static bool input_reserve(fs_text_regex_input *in, size_t units)
{
    size_t b16, bmap;
    if (units <= in->cap) {
        return true;
    }
    if (!fs_size_mul(&b16, units, sizeof *in->u16) ||
        !fs_size_mul(&bmap, units, sizeof *in->byte_at)) {
        return false;
    }
    UChar *u = fs_realloc(in->u16, b16);
    if (u == NULL) {
        return false;
    }
    in->u16 = u;
    uint32_t *m = fs_realloc(in->byte_at, bmap);
    if (m == NULL) {
        return false;
    }
    in->byte_at = m;
    in->cap = units;
    return true;
}

fs_status fs_text_regex_input_set(fs_text_regex_input *in, const char *s, size_t n, fs_error *err)
{
    size_t i = 0, k = 0;
    in->len = 0;
    if (n > INT32_MAX) {
        return FS_FAIL(err, FS_ERR_LIMIT, "regex input: text over %d bytes", INT32_MAX);
    }
    /* UTF-16 never takes more units than UTF-8 takes bytes */
    if (!input_reserve(in, n + 1)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    while (i < n) {
        size_t at = i;
        uint32_t c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
        } else {
            c = fs_text_next_cp(s, n, &i);
        }
        if (c > 0xFFFF) {
            in->byte_at[k] = (uint32_t)at;
            in->u16[k++] = U16_LEAD(c);
            in->byte_at[k] = (uint32_t)at;
            in->u16[k++] = U16_TRAIL(c);
        } else {
            in->byte_at[k] = (uint32_t)at;
            in->u16[k++] = (UChar)c;
        }
    }
    in->byte_at[k] = (uint32_t)n;
    in->len = (int32_t)k;
    return FS_OK;
}

fs_status fs_text_regex_find_all_input(fs_text_regex *re, const fs_text_regex_input *in,
                                       fs_text_span **spans, size_t *count, size_t *cap,
                                       fs_error *err)
{
    static const UChar empty[1] = { 0 };
    UErrorCode uerr = U_ZERO_ERROR;
    fs_status st = FS_OK;
    uregex_setText(re->re, in->len > 0 ? in->u16 : empty, in->len, &uerr);
    while (U_SUCCESS(uerr) && uregex_findNext(re->re, &uerr)) {
        int32_t a = uregex_start(re->re, 0, &uerr), b = uregex_end(re->re, 0, &uerr);
        if (U_SUCCESS(uerr) && b > a &&
            !push_match(spans, count, cap, in->byte_at[a], in->byte_at[b])) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (st == FS_OK && U_FAILURE(uerr)) {
        st = FS_FAIL(err, FS_ERR_TEXT, "ICU regex: %s", u_errorName(uerr));
    }
    /* the expression must not keep a pointer into in's buffer, which may move */
    UErrorCode e2 = U_ZERO_ERROR;
    uregex_setText(re->re, empty, 0, &e2);
    return st;
}
