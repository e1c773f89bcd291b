/* Fuzz harness for response parsing: the input is a response body parsed as each target
 * type would (openai-chat, openai-completions with log-probabilities, rest with answer
 * pointers into objects, arrays, escaped keys and the whole document), then an answer
 * text handed to a label parser with labels in several scripts, including one that is a
 * prefix of another; the parser, reused across inputs, must give the answer a fresh one
 * gives. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "fairshake/target.h"

static const char *const labels[] = {
    "positive", "negative", "neutral", "not neutral", "négatif", "straße", "積極的", "سلبي",
};

static const char *const pointers[] = {
    "/answer", "/choices/0/text", "/data/1/a~1b/~0c", "", "/output",
};

static volatile size_t sink;

static void parse_as(const fs_target_spec *spec, const uint8_t *data, size_t size)
{
    fs_target_answer a;
    fs_error err;
    if (fs_target_parse_response(&a, spec, (const char *)data, size, &err) == FS_OK) {
        sink += a.text != NULL ? strlen(a.text) : 0;
        for (size_t i = 0; i < a.n_logprobs; i++) {
            sink += a.logprobs[i] < 0.0;
        }
    }
    fs_target_answer_dispose(&a);
}

static fs_label_parser *label_parser(void)
{
    static fs_label_parser *parser;
    if (parser == NULL &&
        fs_label_parser_new(&parser, labels, sizeof labels / sizeof labels[0], NULL) != FS_OK) {
        abort();
    }
    return parser;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fs_target_spec spec;
    int index = -1;
    fs_error err;
    memset(&spec, 0, sizeof spec);
    spec.name = "fuzz";
    spec.url = "http://127.0.0.1:1/v1";
    spec.type = FS_TARGET_OPENAI_CHAT;
    parse_as(&spec, data, size);
    spec.type = FS_TARGET_OPENAI_COMPLETIONS;
    spec.logprobs = true;
    spec.top_logprobs = 1;
    parse_as(&spec, data, size);
    spec.type = FS_TARGET_REST;
    spec.logprobs = false;
    spec.top_logprobs = 0;
    for (size_t i = 0; i < sizeof pointers / sizeof pointers[0]; i++) {
        spec.answer_pointer = pointers[i];
        parse_as(&spec, data, size);
    }
    if (fs_label_parser_find(label_parser(), &index, (const char *)data, size, &err) != FS_OK) {
        return 0;
    }
    /* the reused parser must answer as a fresh one (fs_parse_label) does */
    int plain = -1;
    if (fs_parse_label(&plain, (const char *)data, size, labels, sizeof labels / sizeof labels[0],
                       &err) == FS_OK &&
        plain != index) {
        abort();
    }
    return 0;
}
