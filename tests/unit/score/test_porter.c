/* score.porter: every word of the NLTK 3.8 PorterStemmer golden file, the irregular
 * forms, NLTK's departures from Porter's paper, and input checks. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "fairshake/core.h"
#include "fairshake/score.h"

#define GOLDEN_LINES 52
#define GOLDEN_WORDS 5151

/* Call fn on every line of tests/data/golden/<name>; returns the number of lines. */
static size_t golden_each(const char *name, void (*fn)(const cJSON *line, void *payload),
                          void *payload)
{
    char path[1024];
    char *text = NULL;
    size_t len = 0, cases = 0;
    snprintf(path, sizeof path, "%s/tests/data/golden/%s", fs_test_source_dir(), name);
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&text, &len, path, 0, NULL), FS_OK);
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t line_len = nl != NULL ? (size_t)(nl - line) : (size_t)(text + len - line);
        cJSON *obj = NULL;
        if (line_len > 0) {
            CU_ASSERT_EQUAL_FATAL(fs_json__parse(&obj, line, line_len, path, NULL), FS_OK);
            fn(obj, payload);
            cJSON_Delete(obj);
            cases++;
        }
        line += line_len + 1;
    }
    fs_free(text);
    return cases;
}

/* The stem of word, in a static buffer. */
static const char *stem_of(const char *word)
{
    static char out[256];
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_score_porter_stem(&b, word, strlen(word), NULL), FS_OK);
    snprintf(out, sizeof out, "%s", fs_buf_cstr(&b));
    fs_buf_dispose(&b);
    return out;
}

typedef struct porter_count {
    size_t words, mismatches;
} porter_count;

static void check_stem_line(const cJSON *line, void *payload)
{
    porter_count *c = payload;
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(line, "input");
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(line, "expected");
    const cJSON *words = cJSON_GetObjectItemCaseSensitive(input, "words");
    const cJSON *stems = cJSON_GetObjectItemCaseSensitive(expected, "stems");
    CU_ASSERT_FATAL(cJSON_IsArray(words) && cJSON_IsArray(stems));
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(words), cJSON_GetArraySize(stems));
    for (int i = 0; i < cJSON_GetArraySize(words); i++) {
        const char *w = cJSON_GetArrayItem(words, i)->valuestring;
        const char *want = cJSON_GetArrayItem(stems, i)->valuestring;
        const char *got = stem_of(w);
        if (strcmp(got, want) != 0) {
            fprintf(stderr, "porter: %s -> %s, want %s\n", w, got, want);
            c->mismatches++;
        }
        c->words++;
    }
}

static void test_score_porter__golden_nltk(void)
{
    porter_count c = { 0, 0 };
    CU_ASSERT_EQUAL(golden_each("porter.jsonl", check_stem_line, &c), GOLDEN_LINES);
    CU_ASSERT_EQUAL(c.words, GOLDEN_WORDS);
    CU_ASSERT_EQUAL(c.mismatches, 0);
}

static void test_score_porter__irregular_forms(void)
{
    CU_ASSERT_STRING_EQUAL(stem_of("skies"), "sky");
    CU_ASSERT_STRING_EQUAL(stem_of("sky"), "sky");
    CU_ASSERT_STRING_EQUAL(stem_of("dying"), "die");
    CU_ASSERT_STRING_EQUAL(stem_of("lying"), "lie");
    CU_ASSERT_STRING_EQUAL(stem_of("tying"), "tie");
    CU_ASSERT_STRING_EQUAL(stem_of("news"), "news");
    CU_ASSERT_STRING_EQUAL(stem_of("innings"), "inning");
    CU_ASSERT_STRING_EQUAL(stem_of("outings"), "outing");
    CU_ASSERT_STRING_EQUAL(stem_of("cannings"), "canning");
    CU_ASSERT_STRING_EQUAL(stem_of("proceed"), "proceed");
    CU_ASSERT_STRING_EQUAL(stem_of("succeed"), "succeed");
    /* the table is looked up before lowercasing, as NLTK does: "Sky" takes the y -> i rule */
    CU_ASSERT_STRING_EQUAL(stem_of("Sky"), "ski");
    CU_ASSERT_STRING_EQUAL(stem_of("Running"), "run");
}

static void test_score_porter__nltk_departures(void)
{
    CU_ASSERT_STRING_EQUAL(stem_of("dies"), "die");   /* 4-letter ies */
    CU_ASSERT_STRING_EQUAL(stem_of("flies"), "fli");  /* ies -> i */
    CU_ASSERT_STRING_EQUAL(stem_of("died"), "die");   /* 4-letter ied */
    CU_ASSERT_STRING_EQUAL(stem_of("spied"), "spi");  /* ied -> i */
    CU_ASSERT_STRING_EQUAL(stem_of("crying"), "cri"); /* y after a consonant */
    CU_ASSERT_STRING_EQUAL(stem_of("happy"), "happi");
    CU_ASSERT_STRING_EQUAL(stem_of("enjoy"), "enjoy");
    CU_ASSERT_STRING_EQUAL(stem_of("generously"), "gener");
    CU_ASSERT_STRING_EQUAL(stem_of("hopefulli"), "hope"); /* fulli -> ful, then ful */
    CU_ASSERT_STRING_EQUAL(stem_of("archaeology"), "archaeolog");
    CU_ASSERT_STRING_EQUAL(stem_of("geology"), "geolog"); /* logi keeps its l */
    CU_ASSERT_STRING_EQUAL(stem_of("conditionally"), "condit");
    CU_ASSERT_STRING_EQUAL(stem_of("is"), "is"); /* 1-2 letters pass through */
    CU_ASSERT_STRING_EQUAL(stem_of("as"), "as");
    CU_ASSERT_STRING_EQUAL(stem_of(""), "");
}

static void test_score_porter__classic_rules(void)
{
    CU_ASSERT_STRING_EQUAL(stem_of("caresses"), "caress");
    CU_ASSERT_STRING_EQUAL(stem_of("agreed"), "agre");
    CU_ASSERT_STRING_EQUAL(stem_of("feed"), "feed");
    CU_ASSERT_STRING_EQUAL(stem_of("conflated"), "conflat");
    CU_ASSERT_STRING_EQUAL(stem_of("hopping"), "hop");
    CU_ASSERT_STRING_EQUAL(stem_of("falling"), "fall");
    CU_ASSERT_STRING_EQUAL(stem_of("filing"), "file");
    CU_ASSERT_STRING_EQUAL(stem_of("relational"), "relat");
    CU_ASSERT_STRING_EQUAL(stem_of("adjustment"), "adjust");
    CU_ASSERT_STRING_EQUAL(stem_of("adoption"), "adopt");
    CU_ASSERT_STRING_EQUAL(stem_of("controlling"), "control");
    CU_ASSERT_STRING_EQUAL(stem_of("rolling"), "roll");
}

static void test_score_porter__rejects_non_ascii(void)
{
    fs_buf b;
    fs_error err;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(fs_score_porter_stem(&b, "caf\xc3\xa9", 5, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(fs_score_porter_stem(&b, "a\0b", 3, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(b.len, 0);
    fs_buf_dispose(&b);
}

const fs_test_case fs_score_porter_tests[] = {
    { "test_score_porter__golden_nltk", test_score_porter__golden_nltk },
    { "test_score_porter__irregular_forms", test_score_porter__irregular_forms },
    { "test_score_porter__nltk_departures", test_score_porter__nltk_departures },
    { "test_score_porter__classic_rules", test_score_porter__classic_rules },
    { "test_score_porter__rejects_non_ascii", test_score_porter__rejects_non_ascii },
    { NULL, NULL },
};
