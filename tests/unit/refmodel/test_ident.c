/* refmodel.ident: pii-identifier, the identification baseline: the prompt sections it
 * reads, the items it reports and how (JSON, categories under the prompt's names, code
 * fence), its category subset, Unicode text, concurrent answers, its flags, and the
 * fairshake-refmodel binary serving it over HTTP on 127.0.0.1. */
#include "fs_test.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../../support/refmodel_fixture.h"
#include "core/json.h"
#include "fairshake/identify.h"
#include "refmodel/ident.h"
#include "refmodel/models.h"
#include "refmodel_http.h"

#define NOTE                                                                                   \
    "Called Dr. Amélie Côté on +44 20 7946 0958 and wrote to amelie.cote@example.org; SSN " \
    "477-78-4584, IBAN BE21863262039353."

static refmodel_ident *new_model(const char *categories, bool fence)
{
    refmodel_ident *m = NULL;
    fs_error err;
    fs_error_clear(&err);
    fs_status st = refmodel_ident_new(&m, fs_test_source_dir(), categories, fence, &err);
    if (st != FS_OK) {
        fprintf(stderr, "refmodel_ident_new: %s\n", err.msg);
    }
    CU_ASSERT_EQUAL_FATAL(st, FS_OK);
    return m;
}

/* The answer of m to prompt, as an owned string. */
static char *answer(refmodel_ident *m, const char *prompt)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(refmodel_ident_answer(m, &b, prompt, strlen(prompt), NULL), FS_OK);
    return fs_buf_take(&b, NULL);
}

static void expect_answer(refmodel_ident *m, const char *prompt, const char *want)
{
    char *got = answer(m, prompt);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "\n  got:  %s\n  want: %s\n", got, want);
    }
    CU_ASSERT_STRING_EQUAL(got, want);
    fs_free(got);
}

static void expect_view(fs_str s, const char *want)
{
    CU_ASSERT_EQUAL(s.len, strlen(want));
    CU_ASSERT_EQUAL(memcmp(s.ptr, want, s.len < strlen(want) ? s.len : strlen(want)), 0);
}

static void test_refmodel_ident__prompt_sections(void)
{
    static const char p1[] = "Find the items.\nCategories: email, phone\nNote:  a@b.org \n"
                             "Items:\nCategories: ssn";
    static const char p2[] = "Text: Ana\nCategories: person\nAnswer: x";
    static const char p3[] = "Categories: date\n call 555";
    bool found = false;
    expect_view(refmodel_ident_text(p1, strlen(p1)), "a@b.org");
    expect_view(refmodel_ident_listed(p1, strlen(p1), &found), "email, phone");
    CU_ASSERT_TRUE(found);
    /* A "Categories:" line inside the text is part of the text, not a list. */
    expect_view(refmodel_ident_text(p2, strlen(p2)), "Ana\nCategories: person");
    expect_view(refmodel_ident_listed(p2, strlen(p2), &found), "");
    CU_ASSERT_FALSE(found);
    /* Without a Text:/Note: line the whole prompt is the text; a list is read anywhere. */
    expect_view(refmodel_ident_text(p3, strlen(p3)), "Categories: date\n call 555");
    expect_view(refmodel_ident_listed(p3, strlen(p3), &found), "date");
    CU_ASSERT_TRUE(found);
    expect_view(refmodel_ident_text("Text: x\nAnswer: y", 17), "x");
}

static void test_refmodel_ident__finds_planted_email_and_phone(void)
{
    refmodel_ident *m = new_model("email,phone", false);
    const char *const *cats = NULL;
    CU_ASSERT_EQUAL(refmodel_ident_categories(m, &cats), 2);
    CU_ASSERT_FALSE(refmodel_ident_fenced(m));
    expect_answer(m, "List the sensitive items as JSON.\nNote: " NOTE "\nItems:",
                  "{\"items\":[{\"category\":\"phone\",\"text\":\"+44 20 7946 0958\"},"
                  "{\"category\":\"email\",\"text\":\"amelie.cote@example.org\"}]}");
    /* Only the text is analysed: an item in the instructions is not reported. */
    expect_answer(
        m, "Write to help@example.org if stuck.\nText: nothing here\nAnswer:", "{\"items\":[]}");
    refmodel_ident_free(m);
}

static void test_refmodel_ident__default_categories_and_json(void)
{
    refmodel_ident *m = new_model(REFMODEL_IDENT_DEFAULT_CATEGORIES, false);
    fs_identify_detector *d = NULL;
    fs_identify_pred *preds = NULL;
    size_t n = 0;
    bool parsed = false;
    const char *const *cats = NULL;
    CU_ASSERT_EQUAL(refmodel_ident_categories(m, &cats), 6);
    /* The repeated e-mail is listed once; the IBAN is outside the default subset. */
    char *got = answer(m, "Text: " NOTE " Mail amelie.cote@example.org again.");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, "{\"items\":[{\"category\":\"person\",\"text\":\"Amélie Côté\"},"
                                "{\"category\":\"phone\",\"text\":\"+44 20 7946 0958\"},"
                                "{\"category\":\"email\",\"text\":\"amelie.cote@example.org\"},"
                                "{\"category\":\"ssn\",\"text\":\"477-78-4584\"}]}");
    /* The scorer's tolerant parser reads it back. */
    CU_ASSERT_EQUAL_FATAL(fs_identify_detector_new(&d, fs_test_source_dir(), NULL, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_identify_parse_answer(d, got, strlen(got), &preds, &n, &parsed, NULL),
                    FS_OK);
    CU_ASSERT_TRUE(parsed);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    CU_ASSERT_STRING_EQUAL(preds[0].category, "person");
    CU_ASSERT_STRING_EQUAL(preds[3].text, "477-78-4584");
    fs_identify_preds_free(preds, n);
    fs_identify_detector_free(d);
    fs_free(got);
    refmodel_ident_free(m);
}

static void test_refmodel_ident__prompt_names_and_unknown_categories(void)
{
    refmodel_ident *m = new_model(REFMODEL_IDENT_DEFAULT_CATEGORIES, false);
    /* Listed names are read through the synonyms and answered as the prompt spells them;
     * IBAN (outside the model's subset) and "Blood type" (no such category) are ignored,
     * and the SSN, known but not listed, is not reported. */
    expect_answer(m,
                  "Categories: E-mail address, Phone number, IBAN, Blood type, Name.\n"
                  "Note: " NOTE,
                  "{\"items\":[{\"category\":\"Name\",\"text\":\"Amélie Côté\"},"
                  "{\"category\":\"Phone number\",\"text\":\"+44 20 7946 0958\"},"
                  "{\"category\":\"E-mail address\",\"text\":\"amelie.cote@example.org\"}]}");
    /* The first listed name of a category wins. */
    expect_answer(m, "Categories: mail; email\nNote: " NOTE,
                  "{\"items\":[{\"category\":\"mail\",\"text\":\"amelie.cote@example.org\"}]}");
    expect_answer(m, "Categories: IBAN, blood type\nNote: " NOTE, "{\"items\":[]}");
    expect_answer(m, "Categories:\nNote: " NOTE, "{\"items\":[]}");
    /* Without URL detection the e-mail inside a URL is reported. */
    expect_answer(m, "Text: see https://clinic.example.com/u/zoe@example.com",
                  "{\"items\":[{\"category\":\"email\",\"text\":\"zoe@example.com\"}]}");
    refmodel_ident_free(m);
    m = new_model("all", false);
    expect_answer(m, "Categories: IBAN, url\nNote: " NOTE " https://clinic.example.com/u/zoe@x.com",
                  "{\"items\":[{\"category\":\"IBAN\",\"text\":\"BE21863262039353\"},"
                  "{\"category\":\"url\",\"text\":\"https://clinic.example.com/u/zoe@x.com\"}]}");
    refmodel_ident_free(m);
}

static void test_refmodel_ident__bad_categories_and_data(void)
{
    refmodel_ident *m = NULL;
    fs_error err;
    fs_error_clear(&err);
    CU_ASSERT_EQUAL(refmodel_ident_new(&m, fs_test_source_dir(), "email,phnoe", false, &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pii-identifier"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "phone"));
    CU_ASSERT_EQUAL(refmodel_ident_new(&m, fs_test_source_dir(), "email,,phone", false, &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "empty category"));
    fs_error_clear(&err);
    CU_ASSERT_NOT_EQUAL(refmodel_ident_new(&m, fs_test_tmp_dir(), "email", false, &err), FS_OK);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/identify/"));
}

static void test_refmodel_ident__unicode_text(void)
{
    refmodel_ident *m = new_model(REFMODEL_IDENT_DEFAULT_CATEGORIES, false);
    expect_answer(m, "Note: Mrs. Zoë Ñúñez-Álvarez, phone (415) 555-0134.",
                  "{\"items\":[{\"category\":\"person\",\"text\":\"Zoë Ñúñez-Álvarez\"},"
                  "{\"category\":\"phone\",\"text\":\"(415) 555-0134\"}]}");
    /* Right-to-left text around the items, then Japanese. */
    expect_answer(m,
                  "Note: راسلوا المريضة على nadia.haddad@example.com أو اتصلوا على "
                  "+971 4 555 0199 شكرا",
                  "{\"items\":[{\"category\":\"email\",\"text\":\"nadia.haddad@example.com\"},"
                  "{\"category\":\"phone\",\"text\":\"+971 4 555 0199\"}]}");
    expect_answer(m, "Note: 患者の連絡先は yuki.tanaka@example.jp です。🙂",
                  "{\"items\":[{\"category\":\"email\",\"text\":\"yuki.tanaka@example.jp\"}]}");
    expect_answer(m, "Categories: correo electrónico\nNote: écrire à élodie@exemple.fr",
                  "{\"items\":[]}");
    refmodel_ident_free(m);
}

static void test_refmodel_ident__fenced_answers_parse(void)
{
    refmodel_ident *m = new_model("email", true);
    fs_identify_detector *d = NULL;
    fs_identify_pred *preds = NULL;
    size_t n = 0;
    bool parsed = false;
    CU_ASSERT_TRUE(refmodel_ident_fenced(m));
    char *got = answer(m, "Note: " NOTE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, "```json\n{\"items\":[{\"category\":\"email\",\"text\":"
                                "\"amelie.cote@example.org\"}]}\n```");
    CU_ASSERT_EQUAL_FATAL(fs_identify_detector_new(&d, fs_test_source_dir(), NULL, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_identify_parse_answer(d, got, strlen(got), &preds, &n, &parsed, NULL),
                    FS_OK);
    CU_ASSERT_TRUE(parsed);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_STRING_EQUAL(preds[0].text, "amelie.cote@example.org");
    fs_identify_preds_free(preds, n);
    fs_identify_detector_free(d);
    fs_free(got);
    refmodel_ident_free(m);
}

typedef struct worker {
    refmodel_ident *m;
    int same; /* answers equal to the expected one */
} worker;

static void *work(void *payload)
{
    worker *w = payload;
    for (int i = 0; i < 6; i++) {
        fs_buf b;
        fs_buf_init(&b, 0);
        static const char prompt[] = "Note: " NOTE;
        if (refmodel_ident_answer(w->m, &b, prompt, sizeof prompt - 1, NULL) == FS_OK &&
            strcmp(fs_buf_cstr(&b),
                   "{\"items\":[{\"category\":\"ssn\",\"text\":\"477-78-4584\"}]}") == 0) {
            w->same++;
        }
        fs_buf_dispose(&b);
    }
    return NULL;
}

static void test_refmodel_ident__concurrent_answers(void)
{
    refmodel_ident *m = new_model("ssn", false);
    pthread_t t[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i].m = m;
        w[i].same = 0;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(w[i].same, 6);
    }
    refmodel_ident_free(m);
}

static void test_refmodel_ident__flags(void)
{
    refmodel_opts o;
    fs_error err;
    refmodel_opts_init(&o);
    CU_ASSERT_PTR_NULL(o.ident_categories);
    CU_ASSERT_FALSE(o.ident_fence);
    char *argv[] = { "x", "--ident-categories", "email,iban", "--ident-data=/d", "--ident-fence",
                     NULL };
    CU_ASSERT_EQUAL(refmodel_opts_parse(&o, 5, argv, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(o.ident_categories, "email,iban");
    CU_ASSERT_STRING_EQUAL(o.ident_data_dir, "/d");
    CU_ASSERT_TRUE(o.ident_fence);
    char *typo[] = { "x", "--ident-fenc", NULL };
    fs_error_clear(&err);
    CU_ASSERT_EQUAL(refmodel_opts_parse(&o, 2, typo, &err), FS_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did you mean '--ident-fence'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(refmodel_usage(), "--ident-categories"));
    CU_ASSERT_EQUAL(refmodel_model_find("pii-identifier"), REFMODEL_IDENT);
    /* A category the detectors lack stops the start-up with a usage-class error. */
    refmodel_models ms;
    char paths[3][600];
    static const char *const rel[3] = { "examples/sentiment/train.jsonl",
                                        "examples/qa/stopwords.txt",
                                        "examples/language-modeling/train.txt" };
    for (int i = 0; i < 3; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", fs_test_source_dir(), rel[i]);
    }
    refmodel_opts_init(&o);
    o.train_path = paths[0];
    o.qa_stopwords_path = paths[1];
    o.lm_train_path = paths[2];
    o.ident_data_dir = fs_test_source_dir();
    o.ident_categories = "email,creditcard";
    fs_error_clear(&err);
    CU_ASSERT_EQUAL(refmodel_models_load(&ms, &o, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "creditcard"));
}

/* The answer content of a completion (chat or text), borrowed from v. */
static const char *content_of(cJSON *v)
{
    cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "choices"), 0);
    const char *text = fs_json__str(c, "text");
    return text != NULL ? text : fs_json__str(cJSON_GetObjectItem(c, "message"), "content");
}

static void test_refmodel_ident__http(void)
{
    fs_test_refmodel rm;
    cJSON *v = NULL;
    CU_ASSERT_TRUE_FATAL(fs_test_refmodel_start(&rm, NULL));
    CU_ASSERT_EQUAL(
        refmodel_http(&rm, "/v1/chat/completions",
                      "{\"model\":\"pii-identifier\",\"messages\":[{\"role\":\"system\","
                      "\"content\":\"You list sensitive data.\"},{\"role\":\"user\",\"content\":"
                      "\"Categories: email, phone\\nNote: Ring Dr. Côté on +44 20 7946 0958 or "
                      "cote@example.org\\nItems:\"}]}",
                      &v),
        200);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "model"), "pii-identifier");
    CU_ASSERT_STRING_EQUAL(content_of(v), "{\"items\":[{\"category\":\"phone\",\"text\":\"+44 20 "
                                          "7946 0958\"},{\"category\":\"email\",\"text\":"
                                          "\"cote@example.org\"}]}");
    cJSON *usage = cJSON_GetObjectItem(v, "usage");
    CU_ASSERT_TRUE(cJSON_GetObjectItem(usage, "completion_tokens")->valuedouble > 0);
    cJSON_Delete(v);
    fs_test_refmodel_stop(&rm);
    const char *const args[] = { "--ident-categories", "person", "--ident-fence", NULL };
    CU_ASSERT_TRUE_FATAL(fs_test_refmodel_start(&rm, args));
    CU_ASSERT_EQUAL(
        refmodel_http(&rm, "/v1/completions",
                      "{\"model\":\"pii-identifier\",\"prompt\":\"Text: Ring Dr. Côté on +44 20 "
                      "7946 0958\\nAnswer:\"}",
                      &v),
        200);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(
        content_of(v), "```json\n{\"items\":[{\"category\":\"person\",\"text\":\"Côté\"}]}\n```");
    cJSON_Delete(v);
    fs_test_refmodel_stop(&rm);
}

const fs_test_case fs_refmodel_ident_tests[] = {
    { "test_refmodel_ident__prompt_sections", test_refmodel_ident__prompt_sections },
    { "test_refmodel_ident__finds_planted_email_and_phone",
      test_refmodel_ident__finds_planted_email_and_phone },
    { "test_refmodel_ident__default_categories_and_json",
      test_refmodel_ident__default_categories_and_json },
    { "test_refmodel_ident__prompt_names_and_unknown_categories",
      test_refmodel_ident__prompt_names_and_unknown_categories },
    { "test_refmodel_ident__bad_categories_and_data",
      test_refmodel_ident__bad_categories_and_data },
    { "test_refmodel_ident__unicode_text", test_refmodel_ident__unicode_text },
    { "test_refmodel_ident__fenced_answers_parse", test_refmodel_ident__fenced_answers_parse },
    { "test_refmodel_ident__concurrent_answers", test_refmodel_ident__concurrent_answers },
    { "test_refmodel_ident__flags", test_refmodel_ident__flags },
    { "test_refmodel_ident__http", test_refmodel_ident__http },
    { NULL, NULL },
};
