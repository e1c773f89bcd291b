/* Fuzz harness for the ICU text helpers of core.h: segmentation into graphemes, words and
 * sentences, the four normal forms, accent stripping, the four case mappings, regular
 * expressions, character classes, code point decoding and number spell-out, on the input
 * as it is (valid UTF-8 or not). Besides crashes it checks what the header promises:
 * segments tile the text; the reusable segmenter, normaliser, case mapper and prepared
 * regex input give what their one-shot forms give; valid UTF-8 is normalised and
 * case-mapped without error, and decodes and re-encodes to itself. A broken promise
 * aborts. The reusable objects are made on the first input. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fairshake/core.h"

static const char *const patterns[] = {
    "\\p{L}+",
    "[+-]?\\p{Nd}+(?:[.,]\\p{Nd}+)?",
    "(?i)stra(?:ss|ß)e|e\\u0301",
    "\\b\\w",
};
#define N_PATTERNS (sizeof patterns / sizeof patterns[0])

typedef struct text_tools {
    fs_text_segmenter *seg[3];
    fs_text_normalizer *nz;
    fs_text_casemapper *cm;
    fs_text_spellout *sp;
    fs_text_regex *re[N_PATTERNS];
    fs_text_regex_input *in;
} text_tools;

static volatile size_t sink;

static void check(bool ok)
{
    if (!ok) {
        abort();
    }
}

static void need(fs_status st, const fs_error *err)
{
    if (st != FS_OK) {
        fprintf(stderr, "fuzz_text: %s\n", err->msg);
        abort();
    }
}

static const text_tools *tools(void)
{
    static text_tools t;
    static bool made;
    fs_error err;
    if (made) {
        return &t;
    }
    for (int u = 0; u < 3; u++) {
        need(fs_text_segmenter_new(&t.seg[u], (fs_text_unit)u, &err), &err);
    }
    need(fs_text_normalizer_new(&t.nz, &err), &err);
    need(fs_text_casemapper_new(&t.cm, &err), &err);
    need(fs_text_spellout_new(&t.sp, "en", &err), &err);
    for (size_t i = 0; i < N_PATTERNS; i++) {
        need(fs_text_regex_new(&t.re[i], patterns[i], &err), &err);
    }
    need(fs_text_regex_input_new(&t.in, &err), &err);
    made = true;
    return &t;
}

static bool same_span(const fs_text_span *a, const fs_text_span *b)
{
    return a->start == b->start && a->end == b->end && a->kind == b->kind;
}

static void segment(const text_tools *t, const char *s, size_t n)
{
    for (int u = 0; u < 3; u++) {
        fs_text_span *spans = NULL;
        const fs_text_span *reused = NULL;
        size_t count = 0, count2 = 0;
        fs_status st = fs_text_segment(&spans, &count, s, n, (fs_text_unit)u, NULL);
        fs_status st2 = fs_text_segmenter_run(t->seg[u], &reused, &count2, s, n, NULL);
        check(st == st2);
        if (st == FS_OK) {
            check(count == count2);
            for (size_t i = 0; i < count; i++) {
                check(same_span(&spans[i], &reused[i]));
                check(spans[i].start < spans[i].end);
                check(spans[i].start == (i == 0 ? 0 : spans[i - 1].end));
            }
            check(count == 0 ? n == 0 : spans[count - 1].end == n);
        }
        fs_free(spans);
    }
}

/* The one-shot and the reusable form of a conversion agree; on valid UTF-8 both succeed
 * with valid UTF-8. */
static void compare(fs_status st, const fs_buf *a, fs_status st2, const fs_buf *b, bool valid)
{
    check(st == st2);
    if (st == FS_OK) {
        check(a->len == b->len && memcmp(fs_buf_cstr(a), fs_buf_cstr(b), a->len) == 0);
    }
    if (valid) {
        check(st == FS_OK && fs_text_valid_utf8(fs_buf_cstr(a), a->len));
    }
}

static void convert(const text_tools *t, const char *s, size_t n, bool valid)
{
    fs_buf a, b;
    fs_buf_init(&a, 0);
    fs_buf_init(&b, 0);
    for (int f = 0; f < 4; f++) {
        fs_buf_reset(&a);
        fs_buf_reset(&b);
        fs_status st = fs_text_normalize(&a, s, n, (fs_text_form)f, NULL);
        fs_status st2 = fs_text_normalizer_run(t->nz, &b, s, n, (fs_text_form)f, NULL);
        compare(st, &a, st2, &b, valid);
    }
    for (int c = 0; c < 4; c++) {
        fs_buf_reset(&a);
        fs_buf_reset(&b);
        fs_status st = fs_text_case_map(&a, s, n, (fs_text_case)c, NULL);
        fs_status st2 = fs_text_casemapper_map(t->cm, &b, s, n, (fs_text_case)c, NULL);
        compare(st, &a, st2, &b, valid);
    }
    fs_buf_reset(&a);
    fs_status st = fs_text_normalizer_strip_marks(t->nz, &a, s, n, NULL);
    check(!valid || (st == FS_OK && fs_text_valid_utf8(fs_buf_cstr(&a), a.len)));
    fs_buf_reset(&a);
    if (fs_text_spellout_format(t->sp, &a, s, n, NULL) == FS_OK) {
        check(fs_text_valid_utf8(fs_buf_cstr(&a), a.len));
    }
    fs_buf_dispose(&a);
    fs_buf_dispose(&b);
}

static void match(const text_tools *t, const char *s, size_t n, bool valid)
{
    fs_text_span *a = NULL, *b = NULL;
    size_t count_a = 0, cap_a = 0, count_b = 0, cap_b = 0;
    fs_status st_in = fs_text_regex_input_set(t->in, s, n, NULL);
    for (size_t i = 0; i < N_PATTERNS; i++) {
        count_a = 0;
        count_b = 0;
        fs_status st = fs_text_regex_find_all(t->re[i], s, n, &a, &count_a, &cap_a, NULL);
        if (st_in != FS_OK) {
            continue;
        }
        fs_status st2 = fs_text_regex_find_all_input(t->re[i], t->in, &b, &count_b, &cap_b, NULL);
        if (valid) {
            check(st == st2);
            check(st != FS_OK || count_a == count_b);
            for (size_t k = 0; st == FS_OK && k < count_a; k++) {
                check(same_span(&a[k], &b[k]));
            }
        }
        for (size_t k = 0; st2 == FS_OK && k < count_b; k++) {
            check(b[k].start < b[k].end && b[k].end <= n);
        }
    }
    fs_free(a);
    fs_free(b);
}

/* Classes and properties at every code point; valid UTF-8 re-encodes to itself. */
static void walk(const char *s, size_t n, bool valid)
{
    fs_buf re;
    fs_buf_init(&re, 0);
    sink += (size_t)fs_text_strong_dir(s, n) + fs_text_all_marks(s, n);
    for (size_t i = 0; i < n;) {
        size_t at = i;
        fs_text_class k = fs_text_classify(s + i, n - i);
        uint32_t cp = fs_text_next_cp(s, n, &i);
        check(i > at && i <= n);
        sink += k.is_alpha + k.is_punct + fs_text_cp_invisible(cp) + fs_text_cp_pictographic(cp);
        sink +=
            (size_t)fs_text_script(cp) + fs_text_decomposes(cp) + fs_text_compose_pair(cp, 0x301);
        fs_text_put_cp(&re, cp);
    }
    if (valid) {
        check(fs_buf_status(&re) == FS_OK && re.len == n && memcmp(fs_buf_cstr(&re), s, n) == 0);
    }
    fs_buf_dispose(&re);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const text_tools *t = tools();
    const char *s = (const char *)data;
    bool valid = fs_text_valid_utf8(s, size);
    segment(t, s, size);
    convert(t, s, size, valid);
    match(t, s, size, valid);
    walk(s, size, valid);
    return 0;
}
