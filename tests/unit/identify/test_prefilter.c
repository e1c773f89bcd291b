/* identify.prefilter: the prefilters of identify/patterns.json and the fast matching path
 * never lose a match. Every pattern runs over the calibration set, the example medical
 * notes and texts chosen to trip case folding and non-ASCII digits, once the reference way
 * (no prefilter, the expression over the UTF-8 text, contexts folded with ICU) and once as
 * detection runs it; the spans must be identical. Also: the prefilters do rule plain
 * texts out, and a bad prefilter is a configuration error. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "helpers.h"
#include "identify/internal.h"

typedef struct tally {
    size_t texts, runs, skipped, mismatches;
} tally;

/* Compare both ways of every pattern on text. */
static void compare_text(fs_identify_detector *d, const char *text, tally *t)
{
    size_t n = strlen(text);
    fs_text_span *ref = NULL;
    size_t cap = 0;
    t->texts++;
    for (size_t c = 0; c < d->n_cats; c++) {
        for (size_t p = 0; p < d->cats[c].n_pats; p++) {
            fs_error err;
            CU_ASSERT_EQUAL_FATAL(fs_identify__pattern_matches(d, c, p, text, n, false, &err),
                                  FS_OK);
            size_t n_ref = d->n_spans;
            if (n_ref > cap) {
                fs_text_span *grown = fs_realloc(ref, n_ref * sizeof *ref);
                CU_ASSERT_PTR_NOT_NULL_FATAL(grown);
                ref = grown;
                cap = n_ref;
            }
            if (n_ref > 0) {
                memcpy(ref, d->spans, n_ref * sizeof *ref);
            }
            bool pass = true;
            CU_ASSERT_EQUAL_FATAL(fs_identify__pattern_matches(d, c, p, text, n, true, &err),
                                  FS_OK);
            CU_ASSERT_EQUAL_FATAL(fs_identify__prefilter_pass(d, &d->cats[c].pats[p], &pass, &err),
                                  FS_OK);
            t->runs++;
            t->skipped += !pass;
            bool same = d->n_spans == n_ref;
            for (size_t i = 0; same && i < n_ref; i++) {
                same = d->spans[i].start == ref[i].start && d->spans[i].end == ref[i].end;
            }
            if (!same) {
                t->mismatches++;
                fprintf(stderr, "\n  %s pattern %zu: %zu matches, %zu with the prefilter%s: %.200s",
                        d->cats[c].name, p, n_ref, d->n_spans, pass ? "" : " (skipped)", text);
            }
        }
    }
    fs_free(ref);
}

/* Compare on the "text" of every record of a JSONL file under the source tree. */
static void compare_file(fs_identify_detector *d, const char *rel, tally *t)
{
    char path[1024], *data = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", fs_test_source_dir(), rel);
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&data, &len, path, 0, NULL), FS_OK);
    for (char *line = data; line < data + len;) {
        char *nl = memchr(line, '\n', (size_t)(data + len - line));
        size_t l = nl != NULL ? (size_t)(nl - line) : (size_t)(data + len - line);
        cJSON *rec = NULL;
        if (l > 0) {
            CU_ASSERT_EQUAL_FATAL(fs_json__parse(&rec, line, l, rel, NULL), FS_OK);
            const char *text = fs_json__str(rec, "text");
            CU_ASSERT_PTR_NOT_NULL(text);
            if (text != NULL) {
                compare_text(d, text, t);
            }
            cJSON_Delete(rec);
        }
        line += l + 1;
    }
    fs_free(data);
}

static void test_identify_prefilter__never_skips_a_match(void)
{
    fs_identify_detector *d = identify_test_detector();
    tally t = { 0, 0, 0, 0 };
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    compare_file(d, "tests/data/identify/calibration.jsonl", &t);
    compare_file(d, "examples/medical-notes/test.jsonl", &t);
    printf("\n  %zu texts, %zu pattern runs, %zu ruled out by a prefilter, %zu differ\n", t.texts,
           t.runs, t.skipped, t.mismatches);
    CU_ASSERT_TRUE(t.texts >= 600);
    CU_ASSERT_EQUAL(t.mismatches, 0);
    /* and the prefilters earn their keep: most patterns cannot match most sentences */
    CU_ASSERT_TRUE(t.skipped * 2 > t.runs);
}

/* Texts where a plain byte comparison would go wrong: letters that fold to ASCII (long s,
 * Kelvin sign, sharp s), upper-case non-ASCII month names, digits of other scripts,
 * context words behind accents. */
static const char *const tricky[] = {
    "Caſe number: AB-12345 on file",
    "POLICY NO. XK-4455-09",
    "ACCOUNT \xE2\x84\xAA\xE2\x84\xAA number: 77-12345",
    "Patient İD: 00482913 and patient id: 00482914",
    "MRN\xEF\xBC\x9A\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95",
    "mrn 12345 / MEDICAL RECORD NO. 7654321",
    "Ref. \xD9\xA0\xD9\xA1\xD9\xA2\xD9\xA3\xD9\xA4\xD9\xA5\xD9\xA6\xD9\xA7\xD9\xA8",
    "am 15. MÄRZ 2024, le 3 FÉVRIER 2021, 4 maerz 2022, 1º de Março de 2020",
    "ſſn 123 45 6789 and ſocial ſecurity 123456789",
    "Código postal 28013, ZIP 94103-1234, Straße",
    "Tel 555-0134; ca\xC3\x9F 555-0199",
    "dx I10, Dﬅ E11.9, ICD J45",
    "HTTPS://EXAMPLE.COM/A and WWW.EXAMPLE.ORG and ﬅp://x.org",
    "ann@EXAMPLE.ORG, ＠x.org, 2001:DB8::1, 192.168.0.1",
    "+44 20 7946 0958, +\xEF\xBC\x94\xEF\xBC\x94 20 7946 0958",
    "IBAN GB82 WEST 1234 5698 7654 32, card 4111 1111 1111 1111",
    "SW1A 1AA, K1A 0B1, Springfield, IL 62704",
    "",
};

static void test_identify_prefilter__folding_and_digits(void)
{
    fs_identify_detector *d = identify_test_detector();
    tally t = { 0, 0, 0, 0 };
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        compare_text(d, tricky[i], &t);
    }
    CU_ASSERT_EQUAL(t.mismatches, 0);
    /* a label spelt with a long s is still a label under (?i) */
    CU_ASSERT_TRUE(identify_test_has(tricky[0], "identifier:AB-12345@13-21"));
}

static size_t ruled_out(fs_identify_detector *d, const char *cat, const char *text)
{
    size_t out = 0;
    fs_identify__scan_begin(d, text, strlen(text));
    for (size_t c = 0; c < d->n_cats; c++) {
        for (size_t p = 0; strcmp(d->cats[c].name, cat) == 0 && p < d->cats[c].n_pats; p++) {
            bool pass = true;
            CU_ASSERT_EQUAL(fs_identify__prefilter_pass(d, &d->cats[c].pats[p], &pass, NULL),
                            FS_OK);
            out += !pass;
        }
    }
    return out;
}

static void test_identify_prefilter__rules_plain_text_out(void)
{
    static const char *const cats[] = { "email", "url",        "payment_card", "iban",
                                        "ssn",   "phone",      "date",         "postal_code",
                                        "mrn",   "identifier", "icd10",        "ip_address" };
    const char *plain = "The food was great, and the service was friendly.";
    fs_identify_detector *d = identify_test_detector();
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++) {
        const fs_identify__category *c = fs_identify__category_find(d, cats[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_EQUAL(ruled_out(d, cats[i], plain), c->n_pats);
    }
    CU_ASSERT_EQUAL(ruled_out(d, "person", plain), 0);
    /* a label and enough digits let the pattern run */
    CU_ASSERT_EQUAL(ruled_out(d, "mrn", "MRN: 00482913"), 0);
    CU_ASSERT_EQUAL(ruled_out(d, "mrn", "MRN: 004"), 1);
    CU_ASSERT_EQUAL(ruled_out(d, "mrn", "Chart: 00482913"), 0);
    CU_ASSERT_EQUAL(ruled_out(d, "mrn", "Note: 00482913"), 1);
    CU_ASSERT_EQUAL(ruled_out(d, "email", "mail ann@example.org"), 0);
    /* the context word of a pattern that needs one */
    const fs_identify__category *ssn = fs_identify__category_find(d, "ssn");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ssn);
    CU_ASSERT_EQUAL(ruled_out(d, "ssn", "Invoice 123456789"), ssn->n_pats);
    CU_ASSERT_EQUAL(ruled_out(d, "ssn", "SSN 123456789"), 1);
}

static void write_text(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(s, f);
    fclose(f);
}

static void test_identify_prefilter__user_prefilters(void)
{
    char path[600];
    fs_identify_opts o = FS_IDENTIFY_OPTS_INIT;
    fs_identify_detector *d = NULL;
    fs_error err;
    snprintf(path, sizeof path, "%s/prefilter-patterns.json", fs_test_tmp_dir());
    o.file = path;
    write_text(path, "{\"categories\": {\"badge\": {\"patterns\": [{\"regex\": "
                     "\"(?i)\\\\bEMP-\\\\d{5}\\\\b\", \"prefilter\": {\"digits\": 5, \"fold\": "
                     "true, \"literals\": [[\"emp-\"]]}}]}}}");
    CU_ASSERT_EQUAL_FATAL(fs_identify_detector_new(&d, fs_test_source_dir(), &o, &err), FS_OK);
    char *got = identify_test_describe(d, "Badge emp-12345, EMP-1234.");
    CU_ASSERT_STRING_EQUAL(got, "badge:emp-12345@6-15\n");
    fs_free(got);
    fs_identify_detector_free(d);
    d = NULL;
    write_text(path, "{\"categories\": {\"badge\": {\"patterns\": [{\"regex\": \"EMP\", "
                     "\"prefilter\": {\"digit\": 5}}]}}}");
    CU_ASSERT_EQUAL(fs_identify_detector_new(&d, fs_test_source_dir(), &o, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did you mean 'digits'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "badge"));
    write_text(path, "{\"categories\": {\"badge\": {\"patterns\": [{\"regex\": \"EMP\", "
                     "\"prefilter\": {\"literals\": [[\"\"]]}}]}}}");
    CU_ASSERT_EQUAL(fs_identify_detector_new(&d, fs_test_source_dir(), &o, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "non-empty"));
    write_text(path, "{\"categories\": {\"badge\": {\"patterns\": [{\"regex\": \"EMP\", "
                     "\"prefilter\": {\"digits\": -1}}]}}}");
    CU_ASSERT_EQUAL(fs_identify_detector_new(&d, fs_test_source_dir(), &o, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NULL(d);
}

const fs_test_case fs_identify_prefilter_tests[] = {
    { "test_identify_prefilter__never_skips_a_match",
      test_identify_prefilter__never_skips_a_match },
    { "test_identify_prefilter__folding_and_digits", test_identify_prefilter__folding_and_digits },
    { "test_identify_prefilter__rules_plain_text_out",
      test_identify_prefilter__rules_plain_text_out },
    { "test_identify_prefilter__user_prefilters", test_identify_prefilter__user_prefilters },
    { NULL, NULL },
};
