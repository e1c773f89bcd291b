/* identify.score: parsing answers (fences, prose, shapes, synonyms), placing predictions
 * in the input, the three matching modes, the confusion between categories, aggregation
 * and averages. */
#include "fs_test.h"

#include <math.h>
#include <string.h>

#include "helpers.h"

static size_t class_index(const fs_identify_counts *c, const char *cat)
{
    for (size_t i = 0; i < c->n_classes; i++) {
        if (strcmp(c->classes[i].category, cat) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

static size_t cell(const fs_identify_counts *c, const char *g, const char *p)
{
    for (size_t i = 0; i < c->n_confusion; i++) {
        if (strcmp(c->confusion[i].gold_category, g) == 0 &&
            strcmp(c->confusion[i].pred_category, p) == 0) {
            return c->confusion[i].count;
        }
    }
    return 0;
}

static void test_identify_score__parse_shapes(void)
{
    static const char *const answers[] = {
        "Here you go:\n```json\n[{\"category\": \"E-mail\", \"text\": \"ann@example.org\"}]\n```",
        "The items are [{\"type\":\"email\",\"value\":\"ann@example.org\"}] as requested.",
        "{\"items\": [{\"label\": \"Email address\", \"text\": \"ann@example.org\"}]}",
        "Sure! {\"category\": \"email\", \"text\": \"ann@example.org\"} Done.",
        "{\"email\": [\"ann@example.org\"]}",
    };
    fs_identify_detector *d = identify_test_detector();
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        fs_identify_pred *p = NULL;
        size_t n = 0;
        bool parsed = false;
        CU_ASSERT_EQUAL(
            fs_identify_parse_answer(d, answers[i], strlen(answers[i]), &p, &n, &parsed, NULL),
            FS_OK);
        CU_ASSERT_TRUE(parsed);
        CU_ASSERT_EQUAL_FATAL(n, 1);
        CU_ASSERT_STRING_EQUAL(p[0].category, "email");
        CU_ASSERT_STRING_EQUAL(p[0].text, "ann@example.org");
        fs_identify_preds_free(p, n);
    }
}

static void test_identify_score__unparsable_and_empty(void)
{
    static const char *const bad[] = { "I found no JSON here.", "[1, 2, 3]",
                                       "{\"category\": \"email\",", "" };
    fs_identify_detector *d = identify_test_detector();
    fs_identify_pred *p = NULL;
    size_t n = 9;
    bool parsed = true;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(fs_identify_parse_answer(d, bad[i], strlen(bad[i]), &p, &n, &parsed, NULL),
                        FS_OK);
        CU_ASSERT_FALSE(parsed);
        CU_ASSERT_EQUAL(n, 0);
        CU_ASSERT_PTR_NULL(p);
    }
    CU_ASSERT_EQUAL(fs_identify_parse_answer(d, "None: []", 8, &p, &n, &parsed, NULL), FS_OK);
    CU_ASSERT_TRUE(parsed);
    CU_ASSERT_EQUAL(n, 0);
}

static void test_identify_score__three_modes(void)
{
    /* gold: person [0,11), email [13,28), phone [30,45) (code points) */
    const fs_identify_span gold[] = { { "person", 0, 11 },
                                      { "email", 13, 28 },
                                      { "phone", 30, 45 } };
    /* person exact; e-mail labelled as url; phone cut short; an extra date nowhere */
    const fs_identify_span pred[] = {
        { "person", 0, 11 }, { "url", 13, 28 }, { "phone", 34, 45 }, { "date", SIZE_MAX, SIZE_MAX }
    };
    fs_identify_counts c;
    fs_identify_counts_init(&c);
    CU_ASSERT_EQUAL_FATAL(fs_identify_score_spans(&c, gold, 3, pred, 4, NULL), FS_OK);
    size_t ph = class_index(&c, "phone"), em = class_index(&c, "email"),
           ur = class_index(&c, "url");
    CU_ASSERT_FATAL(ph != SIZE_MAX && em != SIZE_MAX && ur != SIZE_MAX);
    CU_ASSERT_EQUAL(c.classes[ph].tp[FS_IDENTIFY_EXACT], 0);
    CU_ASSERT_EQUAL(c.classes[ph].tp[FS_IDENTIFY_OVERLAP], 1);
    CU_ASSERT_EQUAL(c.classes[ph].tp[FS_IDENTIFY_CATEGORY], 1);
    CU_ASSERT_EQUAL(c.classes[em].fn[FS_IDENTIFY_OVERLAP], 1);
    CU_ASSERT_EQUAL(c.classes[ur].fp[FS_IDENTIFY_CATEGORY], 1);
    fs_identify_prf mi = fs_identify_micro(&c, FS_IDENTIFY_EXACT);
    CU_ASSERT_DOUBLE_EQUAL(mi.precision, 1.0 / 4.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(mi.recall, 1.0 / 3.0, 1e-12);
    fs_identify_prf ov = fs_identify_micro(&c, FS_IDENTIFY_OVERLAP);
    CU_ASSERT_DOUBLE_EQUAL(ov.precision, 2.0 / 4.0, 1e-12);
    /* macro over gold categories (person 1, email 0, phone 0 exact); url and date
     * have no support and stay out */
    fs_identify_prf ma = fs_identify_macro(&c, FS_IDENTIFY_EXACT);
    CU_ASSERT_DOUBLE_EQUAL(ma.recall, 1.0 / 3.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(ma.precision, 1.0 / 3.0, 1e-12);
    CU_ASSERT_EQUAL(cell(&c, "email", "url"), 1);
    CU_ASSERT_EQUAL(cell(&c, "person", "person"), 1);
    CU_ASSERT_EQUAL(cell(&c, "phone", "phone"), 1);
    CU_ASSERT_EQUAL(cell(&c, "", "date"), 1);
    /* undefined values are NaN, not 0 */
    size_t dt = class_index(&c, "date");
    CU_ASSERT_TRUE(isnan(fs_identify_class_metrics(&c, dt, FS_IDENTIFY_EXACT).recall));
    fs_identify_counts_dispose(&c);
}

static void test_identify_score__answer_against_gold_with_unicode(void)
{
    /* "Zoë Chen (מטופלת) — zoe@example.org; Zoë Chen again" */
    const char *input = "Zoë Chen (מטופלת) — zoe@example.org; Zoë Chen again";
    const fs_identify_span gold[] = { { "person", 0, 8 },
                                      { "email", 20, 35 },
                                      { "person", 37, 45 } };
    const char *answer = "```json\n[{\"category\":\"Name\",\"text\":\"Zoë Chen\"},"
                         "{\"category\":\"e-mail\",\"text\":\"ZOE@EXAMPLE.ORG\"},"
                         "{\"category\":\"phone\",\"text\":\"555-0100\"}]\n```";
    fs_identify_counts c, total;
    fs_identify_detector *d = identify_test_detector();
    fs_identify_counts_init(&c);
    fs_identify_counts_init(&total);
    CU_ASSERT_EQUAL_FATAL(fs_identify_score_answer(&c, d, input, strlen(input), gold, 3, answer,
                                                   strlen(answer), NULL),
                          FS_OK);
    size_t pe = class_index(&c, "person"), em = class_index(&c, "email");
    size_t ph = class_index(&c, "phone");
    CU_ASSERT_FATAL(pe != SIZE_MAX && em != SIZE_MAX && ph != SIZE_MAX);
    /* one listed name covers both occurrences; the e-mail is found case-insensitively */
    CU_ASSERT_EQUAL(c.classes[pe].tp[FS_IDENTIFY_EXACT], 2);
    CU_ASSERT_EQUAL(c.classes[em].tp[FS_IDENTIFY_EXACT], 1);
    CU_ASSERT_EQUAL(c.classes[ph].fp[FS_IDENTIFY_EXACT], 1);
    CU_ASSERT_EQUAL(c.n_unparsed, 0);
    /* an unparsable answer: every gold item missed, one unparsed record */
    CU_ASSERT_EQUAL(
        fs_identify_score_answer(&c, d, input, strlen(input), gold, 3, "no idea", 7, NULL), FS_OK);
    CU_ASSERT_EQUAL(c.n_unparsed, 1);
    CU_ASSERT_EQUAL(c.n_records, 2);
    CU_ASSERT_EQUAL(c.classes[pe].fn[FS_IDENTIFY_EXACT], 2);
    /* aggregation adds counts */
    CU_ASSERT_EQUAL(fs_identify_counts_add(&total, &c, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_identify_counts_add(&total, &c, NULL), FS_OK);
    CU_ASSERT_EQUAL(total.n_records, 4);
    CU_ASSERT_EQUAL(total.classes[class_index(&total, "person")].tp[FS_IDENTIFY_EXACT], 4);
    CU_ASSERT_EQUAL(cell(&total, "person", "person"), 4);
    fs_identify_counts_dispose(&c);
    fs_identify_counts_dispose(&total);
}

static void test_identify_score__whole_tokens_only(void)
{
    const char *input = "Annabel and Ann met.";
    const fs_identify_span gold[] = { { "person", 12, 15 } };
    const char *answer = "[{\"category\":\"person\",\"text\":\"Ann\"}]";
    fs_identify_counts c;
    fs_identify_counts_init(&c);
    CU_ASSERT_EQUAL_FATAL(fs_identify_score_answer(&c, identify_test_detector(), input,
                                                   strlen(input), gold, 1, answer, strlen(answer),
                                                   NULL),
                          FS_OK);
    CU_ASSERT_EQUAL(c.classes[0].tp[FS_IDENTIFY_EXACT], 1);
    CU_ASSERT_EQUAL(c.classes[0].fp[FS_IDENTIFY_EXACT], 0);
    fs_identify_counts_dispose(&c);
}

const fs_test_case fs_identify_score_tests[] = {
    { "test_identify_score__parse_shapes", test_identify_score__parse_shapes },
    { "test_identify_score__unparsable_and_empty", test_identify_score__unparsable_and_empty },
    { "test_identify_score__three_modes", test_identify_score__three_modes },
    { "test_identify_score__answer_against_gold_with_unicode",
      test_identify_score__answer_against_gold_with_unicode },
    { "test_identify_score__whole_tokens_only", test_identify_score__whole_tokens_only },
    { NULL, NULL },
};
