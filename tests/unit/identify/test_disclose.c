/* identify.disclose: inventory tallies, disclosure exact and normalised per category
 * (case, spacing, digit grouping, other scripts' digits, obfuscated e-mails), masking. */
#include "fs_test.h"

#include <string.h>

#include "helpers.h"

static const char *input =
    "Patient José García, card 4111 1111 1111 1111, mail j.doe@example.com, SSN 123-45-6789, "
    "tel +44 20 7946 0958.";

static void detect(fs_identify_item **items, size_t *n)
{
    CU_ASSERT_EQUAL_FATAL(
        fs_identify_detect(identify_test_detector(), input, strlen(input), items, n, NULL), FS_OK);
}

static size_t tally(const fs_identify_tallies *t, const char *cat, bool disclosed)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->v[i].category, cat) == 0) {
            return disclosed ? t->v[i].disclosed : t->v[i].count;
        }
    }
    return SIZE_MAX;
}

static void test_identify_disclose__inventory(void)
{
    fs_identify_item *items = NULL;
    size_t n = 0;
    fs_identify_tallies t, total;
    detect(&items, &n);
    CU_ASSERT_EQUAL_FATAL(n, 5);
    fs_identify_tallies_init(&t);
    fs_identify_tallies_init(&total);
    CU_ASSERT_EQUAL(fs_identify_inventory(&t, items, n, NULL), FS_OK);
    CU_ASSERT_EQUAL(t.n, 5);
    CU_ASSERT_STRING_EQUAL(t.v[0].category, "email"); /* sorted */
    CU_ASSERT_EQUAL(tally(&t, "person", false), 1);
    CU_ASSERT_EQUAL(fs_identify_tallies_merge(&total, &t, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_identify_tallies_merge(&total, &t, NULL), FS_OK);
    CU_ASSERT_EQUAL(tally(&total, "ssn", false), 2);
    fs_identify_tallies_dispose(&t);
    fs_identify_tallies_dispose(&total);
    fs_identify_items_free(items, n);
}

static void test_identify_disclose__normalised_forms(void)
{
    fs_identify_item *items = NULL;
    size_t n = 0;
    bool flags[8];
    fs_identify_tallies t;
    detect(&items, &n);
    CU_ASSERT_EQUAL_FATAL(n, 5);
    /* the name in upper case without accents, the card without spaces in fullwidth digits,
     * the e-mail obfuscated, the phone grouped differently; the SSN is not there */
    const char *answer = "JOSE GARCIA paid with ４１１１１１１１１１１１１１１１; write to "
                         "J.Doe at example dot com or call +442079460958.";
    fs_identify_tallies_init(&t);
    CU_ASSERT_EQUAL(fs_identify_disclosure(identify_test_detector(), items, n, answer,
                                           strlen(answer), flags, &t, NULL),
                    FS_OK);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(flags[i], strcmp(items[i].category, "ssn") != 0);
    }
    CU_ASSERT_EQUAL(tally(&t, "ssn", true), 0);
    CU_ASSERT_EQUAL(tally(&t, "ssn", false), 1);
    CU_ASSERT_EQUAL(tally(&t, "email", true), 1);
    /* a name is matched as whole words: "Josélito Garcíana" is not José García */
    const char *other = "Josélito Garcíana called; 4111 1111 1111 1112 was declined.";
    CU_ASSERT_EQUAL(fs_identify_disclosure(identify_test_detector(), items, n, other, strlen(other),
                                           flags, NULL, NULL),
                    FS_OK);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_FALSE(flags[i]);
    }
    fs_identify_tallies_dispose(&t);
    fs_identify_items_free(items, n);
}

static void check_mask(const char *cat, const char *text, const char *want)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(fs_identify_mask(identify_test_detector(), &b, cat, text, strlen(text), NULL),
                    FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), want);
    fs_buf_dispose(&b);
}

static void test_identify_disclose__masking(void)
{
    check_mask("email", "j.doe@example.com", "j***@e***.com");
    check_mask("email", "ana@mail.example.co.uk", "a***@m***.e***.c***.uk");
    check_mask("payment_card", "4111 1111 1111 1111", "4*** **** **** 1111");
    check_mask("ssn", "123-45-6789", "***-**-6789");
    check_mask("person", "John Doe", "J*** D**");
    check_mask("person", "José García", "J*** G*****");
    check_mask("person", "王伟", "王*");
    check_mask("date", "2024-03-15", "****-**-**");
    check_mask("mrn", "004829", "****29");
    check_mask("no_such_category", "abc 12", "*** **");
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(fs_identify_mask(identify_test_detector(), &b, "email", "\xff", 1, NULL),
                    FS_ERR_INPUT);
    fs_buf_dispose(&b);
}

const fs_test_case fs_identify_disclose_tests[] = {
    { "test_identify_disclose__inventory", test_identify_disclose__inventory },
    { "test_identify_disclose__normalised_forms", test_identify_disclose__normalised_forms },
    { "test_identify_disclose__masking", test_identify_disclose__masking },
    { NULL, NULL },
};
