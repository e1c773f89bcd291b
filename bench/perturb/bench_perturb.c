/* bench_perturb: applies every perturbation of the catalogue, with its default
 * parameters, to a synthetic corpus of 10,000 short mixed-script records (Latin with and
 * without accents, Cyrillic, Greek, CJK, Arabic, Hebrew, Devanagari, emoji) and prints
 * variants per second and input megabytes per second. The corpus is built from a fixed
 * seed, so every run measures the same text.
 *
 * usage: bench_perturb [--data-dir DIR] [--seconds S] */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fairshake/perturb.h"

#ifndef FS_BENCH_SOURCE_DIR
#define FS_BENCH_SOURCE_DIR "."
#endif

#define N_RECORDS 10000

static const char *const fragments[] = {
    "The quick brown fox jumps over the lazy dog.",
    "Please call me back before Friday, it's urgent!",
    "I loved this movie; the acting was superb.",
    "Totally disappointing: the battery died after 2 hours.",
    "Zoë and Émile met at the café on Rue Saint-Honoré.",
    "Ça coûte 12 €, n'est-ce pas ?",
    "Der Bäcker öffnet um 7 Uhr – pünktlich!",
    "¿Dónde está la estación? ¡Gracias!",
    "Привет, как дела? Всё хорошо.",
    "Γειά σου κόσμε, τι κάνεις;",
    "東京は今日も晴れ、気温は高い。",
    "我们明天去北京，好吗？",
    "مرحبا بالعالم، كيف حالك؟",
    "שלום עולם, מה שלומך?",
    "नमस्ते दुनिया, आप कैसे हैं?",
    "Great service 👍🏽 would come back 😀",
    "family trip 👨‍👩‍👧 to the 🇫🇷 coast",
    "Order #4521 shipped on 2024-03-15 (tracking: ZX91).",
};

#define N_FRAGMENTS (sizeof fragments / sizeof fragments[0])

typedef struct corpus {
    char *text[N_RECORDS];
    size_t len[N_RECORDS];
    char id[N_RECORDS][16];
    size_t bytes;
} corpus;

static int corpus_build(corpus *c)
{
    fs_rng rng;
    fs_rng_seed(&rng, 20240315u);
    c->bytes = 0;
    for (size_t i = 0; i < N_RECORDS; i++) {
        fs_buf b;
        fs_buf_init(&b, 0);
        size_t parts = 1 + (size_t)fs_rng_below(&rng, 3);
        for (size_t k = 0; k < parts; k++) {
            if (k > 0) {
                fs_buf_putc(&b, ' ');
            }
            fs_buf_puts(&b, fragments[fs_rng_below(&rng, N_FRAGMENTS)]);
        }
        c->text[i] = fs_buf_take(&b, &c->len[i]);
        if (c->text[i] == NULL) {
            return -1;
        }
        snprintf(c->id[i], sizeof c->id[i], "r%zu", i);
        c->bytes += c->len[i];
    }
    return 0;
}

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < N_RECORDS; i++) {
        fs_free(c->text[i]);
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Apply p to the whole corpus repeatedly for at least min_seconds; prints one line. */
static int bench_one(fs_perturber *p, const corpus *c, double min_seconds)
{
    fs_buf out;
    fs_error err;
    size_t variants = 0, changed_count = 0, passes = 0;
    fs_buf_init(&out, 0);
    double start = now_seconds(), elapsed = 0.0;
    do {
        for (size_t i = 0; i < N_RECORDS; i++) {
            bool changed = false;
            fs_buf_reset(&out);
            if (fs_perturber_apply(p, c->text[i], c->len[i], 42, c->id[i], NULL, 0, &out, &changed,
                                   &err) != FS_OK) {
                fprintf(stderr, "bench_perturb: %s\n", err.msg);
                fs_buf_dispose(&out);
                return -1;
            }
            changed_count += changed;
            variants++;
        }
        passes++;
        elapsed = now_seconds() - start;
    } while (elapsed < min_seconds);
    fs_buf_dispose(&out);
    printf("%-14s %12.0f %10.1f %9.1f%%\n", fs_perturber_info(p)->name, (double)variants / elapsed,
           (double)c->bytes * (double)passes / elapsed / 1e6,
           100.0 * (double)changed_count / (double)variants);
    return 0;
}

static int parse_args(int argc, char **argv, const char **data_dir, double *seconds)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            *data_dir = argv[++i];
        } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc &&
                   fs_parse_double(argv[i + 1], seconds) && *seconds > 0.0) {
            i++;
        } else {
            fprintf(stderr, "usage: %s [--data-dir DIR] [--seconds S]\n", argv[0]);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *data_dir = FS_BENCH_SOURCE_DIR;
    double seconds = 1.0;
    static corpus c;
    const fs_perturb_info *cat = NULL;
    int rc = 0;
    if (parse_args(argc, argv, &data_dir, &seconds) != 0) {
        return 2;
    }
    if (corpus_build(&c) != 0) {
        fprintf(stderr, "bench_perturb: out of memory\n");
        return 3;
    }
    printf("corpus: %d records, %.2f MB, mean %.0f bytes/record\n", N_RECORDS,
           (double)c.bytes / 1e6, (double)c.bytes / N_RECORDS);
    printf("%-14s %12s %10s %10s\n", "perturbation", "variants/s", "MB/s", "changed");
    size_t n = fs_perturb_catalogue(&cat);
    for (size_t i = 0; i < n && rc == 0; i++) {
        fs_perturber *p = NULL;
        fs_error err;
        if (fs_perturber_new(&p, cat[i].name, NULL, data_dir, &err) != FS_OK) {
            fprintf(stderr, "bench_perturb: %s\n", err.msg);
            rc = 3;
            break;
        }
        rc = bench_one(p, &c, seconds) == 0 ? 0 : 3;
        fs_perturber_free(p);
    }
    corpus_free(&c);
    return rc;
}
