/* bench_demog: throughput of the counterfactual swap engine.
 *
 * Short sentences (8 to 20 words) are generated from a fixed seed out of a small
 * vocabulary that mixes neutral words with gender, race and religion terms and first
 * names, so every run measures the same text. Each sentence is swapped to every enabled
 * group of each axis; only the swap calls are timed. Prints records/second per axis.
 *
 * usage: bench_demog [--sentences N] [--data-dir DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fairshake/demographics.h"

#ifndef FS_BENCH_SOURCE_DIR
#define FS_BENCH_SOURCE_DIR "."
#endif

static const char *const vocab[] = {
    "the",       "a",      "was",    "and",    "said",   "that",      "very",    "good",   "movie",
    "with",      "to",     "of",     "in",     "great",  "service",   "food",    "her",    "his",
    "he",        "she",    "man",    "woman",  "mother", "father",    "husband", "wife",   "John",
    "Mary",      "Ebony",  "Carlos", "Black",  "Asian",  "people",    "church",  "mosque", "Muslim",
    "Christian", "doctor", "nurse",  "friend", "today",  "it",        "not",     "bad",    "loved",
    "hated",     "is",     "old",    "young",  "for",    "brother's", "sisters",
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char **make_sentences(size_t n)
{
    fs_rng rng;
    char **out = calloc(n, sizeof *out);
    fs_rng_seed(&rng, 20240501);
    for (size_t i = 0; out != NULL && i < n; i++) {
        fs_buf b;
        size_t words = 8 + (size_t)fs_rng_below(&rng, 13);
        fs_buf_init(&b, 0);
        for (size_t w = 0; w < words; w++) {
            fs_buf_puts(&b, w ? " " : "");
            fs_buf_puts(&b, vocab[fs_rng_below(&rng, sizeof vocab / sizeof vocab[0])]);
        }
        fs_buf_putc(&b, '.');
        out[i] = fs_buf_take(&b, NULL);
    }
    return out;
}

static int bench_axis(const fs_demog_lexicon *lex, size_t axis, char **sent, size_t n)
{
    fs_demog_swapper *sw = NULL;
    fs_buf out;
    size_t applicable = 0, calls = 0;
    char id[32];
    if (fs_demog_swapper_new(&sw, lex, axis, NULL, NULL) != FS_OK) {
        return 1;
    }
    fs_buf_init(&out, 0);
    double t0 = now_s();
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "%zu", i);
        for (size_t g = 0; g < fs_demog_group_count(lex, axis); g++) {
            bool app = false;
            if (!fs_demog_swapper_group_enabled(sw, g)) {
                continue;
            }
            fs_buf_reset(&out);
            if (fs_demog_swap(sw, sent[i], strlen(sent[i]), g, 7, id, &out, &app, NULL, NULL) !=
                FS_OK) {
                fs_buf_dispose(&out);
                fs_demog_swapper_free(sw);
                return 1;
            }
            applicable += app;
            calls++;
        }
    }
    double dt = now_s() - t0;
    printf("%-20s %9.0f swaps/s  %9.0f records/s (all groups)  %5.1f%% applicable\n",
           fs_demog_axis_name(lex, axis), (double)calls / dt, (double)n / dt,
           calls ? 100.0 * (double)applicable / (double)calls : 0.0);
    fs_buf_dispose(&out);
    fs_demog_swapper_free(sw);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = 50000;
    const char *data = FS_BENCH_SOURCE_DIR;
    fs_demog_lexicon *lex = NULL;
    fs_error err;
    for (int i = 1; i + 1 < argc; i += 2) {
        int64_t v = 0;
        if (strcmp(argv[i], "--sentences") == 0 && fs_parse_i64(argv[i + 1], &v) && v > 0) {
            n = (size_t)v;
        } else if (strcmp(argv[i], "--data-dir") == 0) {
            data = argv[i + 1];
        } else {
            fprintf(stderr, "usage: bench_demog [--sentences N] [--data-dir DIR]\n");
            return 2;
        }
    }
    if (fs_demog_lexicon_load(&lex, data, &err) != FS_OK) {
        fprintf(stderr, "bench_demog: %s\n", err.msg);
        return 1;
    }
    char **sent = make_sentences(n);
    int rc = sent == NULL;
    double t0 = now_s();
    for (size_t a = 0; rc == 0 && a < fs_demog_axis_count(lex); a++) {
        rc = bench_axis(lex, a, sent, n);
    }
    printf("%zu sentences, %zu axes, %.2f s\n", n, fs_demog_axis_count(lex), now_s() - t0);
    for (size_t i = 0; sent != NULL && i < n; i++) {
        fs_free(sent[i]);
    }
    free(sent);
    fs_demog_lexicon_free(lex);
    return rc;
}
