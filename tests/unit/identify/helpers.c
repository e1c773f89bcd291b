/* Helpers shared by the identify suites. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "fs_test.h"

static fs_identify_detector *shared;

static void free_shared(void)
{
    fs_identify_detector_free(shared);
    shared = NULL;
}

fs_identify_detector *identify_test_detector(void)
{
    if (shared == NULL) {
        fs_error err;
        if (fs_identify_detector_new(&shared, fs_test_source_dir(), NULL, &err) != FS_OK) {
            fprintf(stderr, "identify detector: %s\n", err.msg);
            return NULL;
        }
        atexit(free_shared);
    }
    return shared;
}

char *identify_test_describe(fs_identify_detector *d, const char *text)
{
    fs_identify_item *items = NULL;
    size_t n = 0;
    fs_buf b;
    fs_error err;
    if (d == NULL || fs_identify_detect(d, text, strlen(text), &items, &n, &err) != FS_OK) {
        return NULL;
    }
    fs_buf_init(&b, 0);
    for (size_t i = 0; i < n; i++) {
        fs_buf_printf(&b, "%s:%s@%zu-%zu\n", items[i].category, items[i].text, items[i].start,
                      items[i].end);
    }
    fs_identify_items_free(items, n);
    return b.data != NULL ? fs_buf_take(&b, NULL) : fs_strdup("");
}

bool identify_test_has(const char *text, const char *want)
{
    char *got = identify_test_describe(identify_test_detector(), text);
    char line[512];
    snprintf(line, sizeof line, "%s\n", want);
    bool ok = got != NULL && (strncmp(got, line, strlen(line)) == 0 || strstr(got, line) != NULL);
    if (!ok) {
        fprintf(stderr, "\n  want %s in:\n%s", want, got ? got : "(failure)\n");
    }
    fs_free(got);
    return ok;
}

bool identify_test_none(const char *text, const char *category)
{
    char *got = identify_test_describe(identify_test_detector(), text);
    char pre[64];
    snprintf(pre, sizeof pre, "%s:", category);
    bool ok = got != NULL && strncmp(got, pre, strlen(pre)) != 0;
    if (ok && got != NULL) {
        char nl[66];
        snprintf(nl, sizeof nl, "\n%s", pre);
        ok = strstr(got, nl) == NULL;
    }
    if (!ok) {
        fprintf(stderr, "\n  want no %s in:\n%s", category, got ? got : "(failure)\n");
    }
    fs_free(got);
    return ok;
}
