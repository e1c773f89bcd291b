/* perturb.pii: the identifier perturbations rewrite detected items only, in every style,
 * around accents, CJK, emoji and right-to-left text; their rates, determinism, the
 * "random" style never leaving an item as it was, and parameter checks. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/perturb.h"
#include "helpers.h"

static const char *const kinds[] = {
    "pii-date-format", "pii-digit-spacing", "pii-email-obfuscate", "pii-name-case",
    "pii-ocr",         "pii-phone-format",  "pii-unicode-digits"
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* Items of every kind between Arabic, Japanese, Hebrew and emoji. */
static const char note[] =
    "المريض José García 😀 tel +1 415 555 0134, e-mail j.doe@example.com; DOB 2024-02-29. "
    "Card 4111 1111 1111 1111 カード。 MRN: 00482913 שלום";

static char *run(const char *name, const char *const *kv, const char *text, uint64_t seed,
                 bool *changed)
{
    char *out = perturb_test_apply(name, kv, text, seed, "rec-1", changed);
    CU_ASSERT_PTR_NOT_NULL(out);
    return out;
}

static void expect(const char *name, const char *const *kv, const char *text, const char *want)
{
    bool changed = false;
    char *got = run(name, kv, text, 1, &changed);
    if (got != NULL) {
        CU_ASSERT_STRING_EQUAL(got, want);
        CU_ASSERT_EQUAL(changed, strcmp(text, want) != 0);
        if (strcmp(got, want) != 0) {
            fprintf(stderr, "\n  %s: got  %s\n  want %s\n", name, got, want);
        }
    }
    fs_free(got);
}

static void test_perturb_pii__phone_styles(void)
{
    const char *t = "Call +1 415 555 0134 or (415) 555-0199 now.";
    expect("pii-phone-format", (const char *const[]){ "style=dashes", NULL }, t,
           "Call +1-415-555-0134 or 415-555-0199 now.");
    expect("pii-phone-format", (const char *const[]){ "style=e164", NULL }, t,
           "Call +14155550134 or 4155550199 now.");
    expect("pii-phone-format", (const char *const[]){ "style=parens", NULL }, t,
           "Call +1 (415) 555-0134 or (415) 555-0199 now.");
    expect("pii-phone-format", (const char *const[]){ "style=dots", NULL }, "Tel: 01 23 45 67 89.",
           "Tel: 012.345.6789.");
}

static void test_perturb_pii__date_formats_and_languages(void)
{
    const char *t = "Born 2024-03-15, seen 29 février 2024.";
    expect("pii-date-format", (const char *const[]){ "style=long", NULL }, t,
           "Born March 15, 2024, seen February 29, 2024.");
    expect("pii-date-format", (const char *const[]){ "style=dmy", NULL }, t,
           "Born 15/03/2024, seen 29/02/2024.");
    expect("pii-date-format", (const char *const[]){ "style=long-de", NULL }, t,
           "Born 15. März 2024, seen 29. Februar 2024.");
    expect("pii-date-format", (const char *const[]){ "style=long-es", NULL }, t,
           "Born 15 de marzo de 2024, seen 29 de febrero de 2024.");
    /* an impossible date is not a date: left alone */
    expect("pii-date-format", (const char *const[]){ "style=long", NULL }, "Due 2023-02-30.",
           "Due 2023-02-30.");
}

static void test_perturb_pii__email_digits_names(void)
{
    expect("pii-email-obfuscate", (const char *const[]){ "style=words", NULL },
           "Mail j.doe@example.com now", "Mail j.doe at example dot com now");
    expect("pii-email-obfuscate", (const char *const[]){ "style=brackets", NULL },
           "→ zoë@exämple.de ←", "→ zoë [at] exämple [dot] de ←");
    expect("pii-digit-spacing", (const char *const[]){ "style=none", NULL },
           "Card 4111-1111-1111-1111 ok", "Card 4111111111111111 ok");
    expect("pii-digit-spacing", (const char *const[]){ "style=triples", NULL }, "SSN 123-45-6789.",
           "SSN 123 456 789.");
    expect("pii-unicode-digits", (const char *const[]){ "script=fullwidth", NULL },
           "SSN 123-45-6789, room 12.", "SSN １２３-４５-６７８９, room 12.");
    expect("pii-unicode-digits", (const char *const[]){ "script=arabic-indic", NULL },
           "MRN: 00482913",
           "MRN: \xD9\xA0\xD9\xA0\xD9\xA4\xD9\xA8\xD9\xA2\xD9\xA9\xD9\xA1\xD9\xA3");
    expect("pii-name-case", (const char *const[]){ "case=upper", NULL }, "患者 José García さん",
           "患者 JOSÉ GARCÍA さん");
    expect("pii-name-case", (const char *const[]){ "case=lower", NULL }, "Dr. Ahmed Khan said",
           "Dr. ahmed khan said");
}

static void test_perturb_pii__only_items_change(void)
{
    for (size_t k = 0; k < N_KINDS; k++) {
        bool changed = false;
        char *got = run(kinds[k], NULL, note, 7, &changed);
        CU_ASSERT_TRUE(changed);
        /* the text around the items is kept byte for byte */
        CU_ASSERT_PTR_NOT_NULL(got != NULL ? strstr(got, "المريض ") : NULL);
        CU_ASSERT_PTR_NOT_NULL(got != NULL ? strstr(got, " 😀 tel ") : NULL);
        CU_ASSERT_PTR_NOT_NULL(got != NULL ? strstr(got, " カード。 MRN: ") : NULL);
        CU_ASSERT_PTR_NOT_NULL(got != NULL ? strstr(got, " שלום") : NULL);
        fs_free(got);
    }
}

static void test_perturb_pii__deterministic_and_rate(void)
{
    for (size_t k = 0; k < N_KINDS; k++) {
        bool c1, c2, c3;
        char *a = run(kinds[k], NULL, note, 42, &c1);
        char *b = run(kinds[k], NULL, note, 42, &c2);
        char *z = run(kinds[k], (const char *const[]){ "rate=0", NULL }, note, 42, &c3);
        CU_ASSERT_FATAL(a != NULL && b != NULL && z != NULL);
        CU_ASSERT_STRING_EQUAL(a, b);
        CU_ASSERT_STRING_EQUAL(z, note);
        CU_ASSERT_FALSE(c3);
        fs_free(a);
        fs_free(b);
        fs_free(z);
    }
    /* random styles vary with the seed and never keep an item as it was */
    bool seen_other = false;
    char *first = run("pii-phone-format", NULL, "Call +1 415 555 0134.", 0, &seen_other);
    for (uint64_t seed = 1; seed < 40 && first != NULL; seed++) {
        bool c = false;
        char *v = run("pii-phone-format", NULL, "Call +1 415 555 0134.", seed, &c);
        CU_ASSERT_TRUE(c);
        seen_other = seen_other && v != NULL && strcmp(v, first) != 0 ? true : seen_other;
        if (v != NULL && strcmp(v, first) != 0) {
            seen_other = true;
        }
        fs_free(v);
    }
    CU_ASSERT_TRUE(seen_other);
    fs_free(first);
}

static void test_perturb_pii__ocr_touches_identifiers_only(void)
{
    const char *t = "Bill sent 4111 1111 1111 1111 to billing.";
    for (uint64_t seed = 0; seed < 20; seed++) {
        bool c = false;
        char *got = run("pii-ocr", NULL, t, seed, &c);
        CU_ASSERT_TRUE(c);
        CU_ASSERT_TRUE(got != NULL && strncmp(got, "Bill sent ", 10) == 0);
        CU_ASSERT_PTR_NOT_NULL(got != NULL ? strstr(got, " to billing.") : NULL);
        fs_free(got);
    }
    bool c = true;
    char *none = run("pii-ocr", NULL, "No identifiers in here at all.", 3, &c);
    CU_ASSERT_FALSE(c);
    fs_free(none);
}

static void test_perturb_pii__bad_parameters(void)
{
    fs_perturber *p = NULL;
    fs_error err;
    CU_ASSERT_EQUAL(perturb_test_new(&p, "pii-phone-format",
                                     (const char *const[]){ "style=dashs", NULL },
                                     fs_test_source_dir(), &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did you mean 'dashes'"));
    CU_ASSERT_EQUAL(perturb_test_new(&p, "pii-ocr",
                                     (const char *const[]){ "categories=emial", NULL },
                                     fs_test_source_dir(), &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did you mean 'email'"));
    CU_ASSERT_EQUAL(perturb_test_new(&p, "pii-ocr", (const char *const[]){ "char_rate=2", NULL },
                                     fs_test_source_dir(), &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(p);
    /* provenance: the detector's files and the perturbation's data are recorded */
    CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, "pii-date-format", NULL, fs_test_source_dir(), &err),
                          FS_OK);
    const char *const *files = NULL;
    size_t n = fs_perturber_files(p, &files);
    bool pii = false, patterns = false;
    for (size_t i = 0; i < n; i++) {
        pii = pii || strstr(files[i], "perturbations/pii.json") != NULL;
        patterns = patterns || strstr(files[i], "identify/patterns.json") != NULL;
    }
    CU_ASSERT_TRUE(pii && patterns);
    fs_perturber_free(p);
}

const fs_test_case fs_perturb_pii_tests[] = {
    { "test_perturb_pii__phone_styles", test_perturb_pii__phone_styles },
    { "test_perturb_pii__date_formats_and_languages",
      test_perturb_pii__date_formats_and_languages },
    { "test_perturb_pii__email_digits_names", test_perturb_pii__email_digits_names },
    { "test_perturb_pii__only_items_change", test_perturb_pii__only_items_change },
    { "test_perturb_pii__deterministic_and_rate", test_perturb_pii__deterministic_and_rate },
    { "test_perturb_pii__ocr_touches_identifiers_only",
      test_perturb_pii__ocr_touches_identifiers_only },
    { "test_perturb_pii__bad_parameters", test_perturb_pii__bad_parameters },
    { NULL, NULL },
};
