/* identify.detect: every category, offsets in code points around accents, CJK, emoji and
 * right-to-left text, overlap resolution, category selection and user pattern files. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "helpers.h"

static void test_identify_detect__email_and_url(void)
{
    CU_ASSERT_TRUE(
        identify_test_has("Write to j.doe@example.com today.", "email:j.doe@example.com@9-26"));
    CU_ASSERT_TRUE(identify_test_has("Portal: https://portal.example.com/p/17.",
                                     "url:https://portal.example.com/p/17@8-39"));
    /* the URL is longer than the e-mail inside it: one item, the URL */
    const char *t = "See https://example.com/contact?to=ann@example.org now";
    CU_ASSERT_TRUE(identify_test_has(t, "url:https://example.com/contact?to=ann@example.org@4-50"));
    CU_ASSERT_TRUE(identify_test_none(t, "email"));
    CU_ASSERT_TRUE(identify_test_none("Reply to name at example dot com.", "email"));
    CU_ASSERT_TRUE(identify_test_none("user@localhost is local", "email"));
}

static void test_identify_detect__unicode_offsets_are_code_points(void)
{
    /* é is 2 bytes, 東京 6 bytes, the emoji 4 bytes: offsets count code points */
    CU_ASSERT_TRUE(identify_test_has("Café 東京 😀 ann@example.org", "email:ann@example.org@10-25"));
    /* Arabic around a phone number and a name */
    const char *ar = "المريض Maria Lopez رقم +44 20 7946 0958 اليوم";
    CU_ASSERT_TRUE(identify_test_has(ar, "person:Maria Lopez@7-18"));
    CU_ASSERT_TRUE(identify_test_has(ar, "phone:+44 20 7946 0958@23-39"));
    /* Japanese punctuation ends a URL and an e-mail */
    CU_ASSERT_TRUE(
        identify_test_has("詳細は https://example.jp/a。", "url:https://example.jp/a@4-24"));
    CU_ASSERT_TRUE(
        identify_test_has("メール（taro@example.jp）まで", "email:taro@example.jp@4-19"));
    /* accented names */
    CU_ASSERT_TRUE(identify_test_has("Patient José García, 54.", "person:José García@8-19"));
}

static void test_identify_detect__people(void)
{
    CU_ASSERT_TRUE(identify_test_has("Seen by Dr. Khan today.", "person:Khan@12-16"));
    CU_ASSERT_TRUE(identify_test_has("Name: Tamika Washington\n", "person:Tamika Washington@6-23"));
    CU_ASSERT_TRUE(
        identify_test_has("Yesterday Brian Murphy called.", "person:Brian Murphy@10-22"));
    CU_ASSERT_TRUE(identify_test_has("Chen Mei arrived.", "person:Chen Mei@0-8"));
    CU_ASSERT_TRUE(identify_test_has("MARIA LOPEZ signed.", "person:MARIA LOPEZ@0-11"));
    /* capitalised words that are not names, and a lone first name without a title */
    CU_ASSERT_TRUE(identify_test_none("General Hospital opened on Monday Morning.", "person"));
    CU_ASSERT_TRUE(identify_test_none("The May schedule is out.", "person"));
    CU_ASSERT_TRUE(identify_test_none("Dose 0.5 mL, lot 44.", "person"));
    /* a name ends at a stop word */
    CU_ASSERT_TRUE(identify_test_has("Maria Lopez Hospital", "person:Maria Lopez@0-11"));
}

static void test_identify_detect__numbers(void)
{
    CU_ASSERT_TRUE(identify_test_has("Call (415) 555-0134.", "phone:(415) 555-0134@5-19"));
    CU_ASSERT_TRUE(identify_test_has("Tel +33 1 23 45 67 89", "phone:+33 1 23 45 67 89@4-21"));
    CU_ASSERT_TRUE(identify_test_has("Tel 030 1234567", "phone:030 1234567@4-15"));
    CU_ASSERT_TRUE(
        identify_test_has("Card 4111-1111-1111-1111.", "payment_card:4111-1111-1111-1111@5-24"));
    CU_ASSERT_TRUE(identify_test_none("Order 4111 1111 1111 1112 shipped", "payment_card"));
    /* the phone patterns do not take digit groups out of a failed card number */
    CU_ASSERT_TRUE(identify_test_none("Order 4601 0271 7486 9569 shipped", "phone"));
    CU_ASSERT_TRUE(identify_test_has("IBAN GB82 WEST 1234 5698 7654 32 EUR",
                                     "iban:GB82 WEST 1234 5698 7654 32@5-32"));
    CU_ASSERT_TRUE(identify_test_has("SSN: 123456789", "ssn:123456789@5-14"));
    CU_ASSERT_TRUE(identify_test_none("Invoice 123456789", "ssn"));
    CU_ASSERT_TRUE(identify_test_has("MRN: 00482913", "mrn:00482913@5-13"));
    CU_ASSERT_TRUE(identify_test_has("MRN-00519377 on file", "mrn:00519377@4-12"));
    CU_ASSERT_TRUE(identify_test_has("Policy number: PX-4829-11", "identifier:PX-4829-11@15-25"));
    CU_ASSERT_TRUE(identify_test_has("Springfield, IL 62704", "postal_code:62704@16-21"));
    CU_ASSERT_TRUE(identify_test_has("London SW1A 1AA", "postal_code:SW1A 1AA@7-15"));
    CU_ASSERT_TRUE(identify_test_has("Ottawa K1A 0B1", "postal_code:K1A 0B1@7-14"));
    CU_ASSERT_TRUE(identify_test_none("Room 62704 is free", "postal_code"));
    CU_ASSERT_TRUE(identify_test_has("Dx E11.9 today", "icd10:E11.9@3-8"));
    CU_ASSERT_TRUE(identify_test_has("ICD-10 I10", "icd10:I10@7-10"));
    CU_ASSERT_TRUE(identify_test_none("Vitamin B12 was normal", "icd10"));
}

static void test_identify_detect__dates_in_several_languages(void)
{
    CU_ASSERT_TRUE(identify_test_has("on 2024-02-29.", "date:2024-02-29@3-13"));
    CU_ASSERT_TRUE(identify_test_has("le 1er mars 2024", "date:1er mars 2024@3-16"));
    CU_ASSERT_TRUE(identify_test_has("am 15. März 2024", "date:15. März 2024@3-16"));
    CU_ASSERT_TRUE(identify_test_has("el 15 de marzo de 2024", "date:15 de marzo de 2024@3-22"));
    CU_ASSERT_TRUE(identify_test_has("Sept. 3, 2021", "date:Sept. 3, 2021@0-13"));
    CU_ASSERT_TRUE(identify_test_has("il 3 settembre 2021", "date:3 settembre 2021@3-19"));
    CU_ASSERT_TRUE(identify_test_none("on 2023-02-29 and 2024-04-31", "date"));
    CU_ASSERT_TRUE(identify_test_none("February 30, 2024", "date"));
}

static void test_identify_detect__categories_option(void)
{
    const char *const cats[] = { "email" };
    fs_identify_opts o = FS_IDENTIFY_OPTS_INIT;
    fs_identify_detector *d = NULL;
    fs_error err;
    o.categories = cats;
    o.n_categories = 1;
    CU_ASSERT_EQUAL_FATAL(fs_identify_detector_new(&d, fs_test_source_dir(), &o, &err), FS_OK);
    char *got = identify_test_describe(d, "Ann Lee, ann@example.org, +44 20 7946 0958");
    CU_ASSERT_STRING_EQUAL(got, "email:ann@example.org@9-24\n");
    const char *const *names = NULL;
    CU_ASSERT_EQUAL(fs_identify_detector_categories(d, &names), 1);
    CU_ASSERT_STRING_EQUAL(names[0], "email");
    fs_free(got);
    fs_identify_detector_free(d);
    const char *const bad[] = { "emial" };
    o.categories = bad;
    CU_ASSERT_EQUAL(fs_identify_detector_new(&d, fs_test_source_dir(), &o, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(d);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did you mean 'email'"));
}

static void write_text(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(s, f);
    fclose(f);
}

static void test_identify_detect__user_patterns_file(void)
{
    char path[600];
    fs_identify_opts o = FS_IDENTIFY_OPTS_INIT;
    fs_identify_detector *d = NULL;
    fs_error err;
    snprintf(path, sizeof path, "%s/my-patterns.json", fs_test_tmp_dir());
    write_text(path, "{\"categories\": {\"employee_badge\": {\"priority\": 70, \"patterns\": "
                     "[{\"regex\": \"\\\\bEMP-\\\\d{5}\\\\b\", \"context\": [\"badge\"], "
                     "\"context_required\": true, \"window\": 6}]}}, \"synonyms\": {\"badge\": "
                     "\"employee_badge\"}}");
    o.file = path;
    CU_ASSERT_EQUAL_FATAL(fs_identify_detector_new(&d, fs_test_source_dir(), &o, &err), FS_OK);
    char *got = identify_test_describe(d, "Badge EMP-12345; EMP-99999 elsewhere.");
    CU_ASSERT_STRING_EQUAL(got, "employee_badge:EMP-12345@6-15\n");
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(fs_identify_canonical(d, &b, "Badge", 5, &err), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), "employee_badge");
    fs_buf_dispose(&b);
    fs_free(got);
    fs_identify_detector_free(d);
    /* a bad regex names the file and the category */
    write_text(path, "{\"categories\": {\"broken\": {\"patterns\": [\"(unclosed\"]}}}");
    CU_ASSERT_EQUAL(fs_identify_detector_new(&d, fs_test_source_dir(), &o, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "broken"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "my-patterns.json"));
    write_text(path, "{\"categories\": {\"x\": {\"patterns\": [\"a\"], \"validator\": \"lhun\"}}}");
    CU_ASSERT_EQUAL(fs_identify_detector_new(&d, fs_test_source_dir(), &o, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did you mean 'luhn'"));
}

static void test_identify_detect__canonical_categories(void)
{
    static const char *const pairs[][2] = {
        { "E-mail", "email" },  { "Phone Number", "phone" }, { "credit card", "payment_card" },
        { "ICD-10", "icd10" },  { "Date of birth", "date" }, { "ZIP code", "postal_code" },
        { "person", "person" }, { "Telephone", "phone" },    { "weird thing", "weird_thing" },
    };
    fs_identify_detector *d = identify_test_detector();
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        fs_buf b;
        fs_buf_init(&b, 0);
        CU_ASSERT_EQUAL(fs_identify_canonical(d, &b, pairs[i][0], strlen(pairs[i][0]), NULL),
                        FS_OK);
        CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), pairs[i][1]);
        fs_buf_dispose(&b);
    }
}

static void test_identify_detect__files_and_invalid_input(void)
{
    fs_identify_detector *d = identify_test_detector();
    const char *const *files = NULL;
    fs_identify_item *items = NULL;
    size_t n = 7;
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(fs_identify_detector_files(d, &files), 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(files[0], "identify/months.json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(files[1], "identify/patterns.json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(files[2], "demographics/names.json"));
    CU_ASSERT_EQUAL(fs_identify_detect(d, "a\xff", 2, &items, &n, NULL), FS_ERR_INPUT);
    CU_ASSERT_PTR_NULL(items);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(fs_identify_detect(d, "", 0, &items, &n, NULL), FS_OK);
    CU_ASSERT_EQUAL(n, 0);
    fs_identify_detector *none = NULL;
    CU_ASSERT_EQUAL(fs_identify_detector_new(&none, "/nonexistent", NULL, NULL), FS_ERR_IO);
    CU_ASSERT_PTR_NULL(none);
}

const fs_test_case fs_identify_detect_tests[] = {
    { "test_identify_detect__email_and_url", test_identify_detect__email_and_url },
    { "test_identify_detect__unicode_offsets_are_code_points",
      test_identify_detect__unicode_offsets_are_code_points },
    { "test_identify_detect__people", test_identify_detect__people },
    { "test_identify_detect__numbers", test_identify_detect__numbers },
    { "test_identify_detect__dates_in_several_languages",
      test_identify_detect__dates_in_several_languages },
    { "test_identify_detect__categories_option", test_identify_detect__categories_option },
    { "test_identify_detect__user_patterns_file", test_identify_detect__user_patterns_file },
    { "test_identify_detect__canonical_categories", test_identify_detect__canonical_categories },
    { "test_identify_detect__files_and_invalid_input",
      test_identify_detect__files_and_invalid_input },
    { NULL, NULL },
};
