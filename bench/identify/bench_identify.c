/* bench_identify: throughput of the sensitive-data detectors (fs_identify_detect, every
 * category of identify/patterns.json) on three kinds of text:
 *
 *   - the example medical notes (examples/medical-notes/test.jsonl): long, dense in
 *     labels, dates and numbers, the case the prefilters help least;
 *   - the calibration set (tests/data/identify/calibration.jsonl): one short sentence per
 *     item, hard negatives included;
 *   - generated sentences of 8 to 30 words from the vocabulary of
 *     examples/sentiment/train.jsonl with a number now and then, from the seed and in the
 *     way of bench_perturb, so the figures compare with its pii-* rows.
 *
 * The files are passed over again until --min-seconds have gone by (at least once); only
 * the detect calls are timed. detections/s counts calls (texts), items/s what they found.
 *
 * usage: bench_identify [--sentences N] [--min-seconds S] [--data-dir DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fairshake/dataset.h"
#include "fairshake/identify.h"

#ifndef FS_BENCH_SOURCE_DIR
#define FS_BENCH_SOURCE_DIR "."
#endif

typedef struct corpus {
    char **texts;
    size_t *lens;
    size_t n, cap;
    double bytes;
} corpus;

typedef struct result {
    double seconds, detections, bytes, items;
    size_t passes, failed;
} result;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int corpus_add(corpus *c, const char *s, size_t n)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        char **t = fs_realloc(c->texts, cap * sizeof *t);
        size_t *l = t != NULL ? fs_realloc(c->lens, cap * sizeof *l) : NULL;
        if (t != NULL) {
            c->texts = t;
        }
        if (l == NULL) {
            return -1;
        }
        c->lens = l;
        c->cap = cap;
    }
    c->texts[c->n] = fs_strndup(s, n);
    if (c->texts[c->n] == NULL) {
        return -1;
    }
    c->lens[c->n++] = n;
    c->bytes += (double)n;
    return 0;
}

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        fs_free(c->texts[i]);
    }
    fs_free(c->texts);
    fs_free(c->lens);
    memset(c, 0, sizeof *c);
}

/* The "text" of every record of a JSONL file. */
static int load_jsonl(corpus *c, const char *src, const char *rel)
{
    char path[1024];
    fs_dataset *ds = NULL;
    const fs_record *rec = NULL;
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    fs_error err;
    snprintf(path, sizeof path, "%s/%s", src, rel);
    if (fs_dataset_open(&ds, path, &o, &err) != FS_OK) {
        fprintf(stderr, "bench_identify: %s\n", err.msg);
        return -1;
    }
    int rc = 0;
    while (rc == 0 && fs_dataset_next(ds, &rec, NULL) == FS_OK && rec != NULL) {
        rc = corpus_add(c, rec->input, rec->input_len);
    }
    fs_dataset_free(ds);
    return rc == 0 && c->n > 0 ? 0 : -1;
}

/* The words (letters only) of examples/sentiment/train.jsonl, kept in text order. */
static int load_vocab(corpus *v, const char *src)
{
    corpus lines;
    fs_text_segmenter *seg = NULL;
    memset(&lines, 0, sizeof lines);
    if (load_jsonl(&lines, src, "examples/sentiment/train.jsonl") != 0 ||
        fs_text_segmenter_new(&seg, FS_TEXT_WORD, NULL) != FS_OK) {
        corpus_free(&lines);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < lines.n && rc == 0; i++) {
        const fs_text_span *sp = NULL;
        size_t count = 0;
        if (fs_text_segmenter_run(seg, &sp, &count, lines.texts[i], lines.lens[i], NULL) != FS_OK) {
            rc = -1;
        }
        for (size_t k = 0; k < count && rc == 0; k++) {
            if (sp[k].kind == 1) {
                rc = corpus_add(v, lines.texts[i] + sp[k].start, sp[k].end - sp[k].start);
            }
        }
    }
    fs_text_segmenter_free(seg);
    corpus_free(&lines);
    return rc == 0 && v->n > 0 ? 0 : -1;
}

/* Sentences as bench_perturb makes them: 8 to 30 words, the first capitalised, a comma
 * now and then, one word in 15 a number below 20,000, a full stop. */
static int generate(corpus *c, const corpus *vocab, size_t sentences)
{
    fs_rng rng;
    fs_buf b;
    int rc = 0;
    fs_rng_seed(&rng, 20261129u);
    fs_buf_init(&b, 0);
    for (size_t s = 0; s < sentences && rc == 0; s++) {
        size_t words = 8 + (size_t)fs_rng_below(&rng, 23);
        fs_buf_reset(&b);
        for (size_t i = 0; i < words; i++) {
            if (i > 0) {
                fs_buf_puts(&b, fs_rng_below(&rng, 12) == 0 ? ", " : " ");
            }
            if (fs_rng_below(&rng, 15) == 0) {
                fs_buf_printf(&b, "%llu", (unsigned long long)fs_rng_below(&rng, 20000));
                continue;
            }
            size_t w = (size_t)fs_rng_below(&rng, vocab->n), at = b.len;
            fs_buf_append(&b, vocab->texts[w], vocab->lens[w]);
            if (i == 0 && b.data[at] >= 'a' && b.data[at] <= 'z') {
                b.data[at] = (char)(b.data[at] - 'a' + 'A');
            }
        }
        fs_buf_putc(&b, '.');
        rc = fs_buf_status(&b) == FS_OK ? corpus_add(c, b.data, b.len) : -1;
    }
    fs_buf_dispose(&b);
    return rc;
}

static void run(result *r, fs_identify_detector *d, const corpus *c, double min_seconds)
{
    memset(r, 0, sizeof *r);
    do {
        for (size_t i = 0; i < c->n; i++) {
            fs_identify_item *items = NULL;
            size_t count = 0;
            double t0 = now_s();
            fs_status st = fs_identify_detect(d, c->texts[i], c->lens[i], &items, &count, NULL);
            fs_identify_items_free(items, count);
            r->seconds += now_s() - t0;
            r->failed += st != FS_OK;
            r->items += (double)count;
        }
        r->detections += (double)c->n;
        r->bytes += c->bytes;
        r->passes++;
    } while (r->seconds < min_seconds);
}

static void report(const char *name, const corpus *c, const result *r)
{
    printf("%-20s %7zu %7zu %13.0f %9.2f %11.0f%s\n", name, c->n, r->passes,
           r->detections / r->seconds, r->bytes / r->seconds / 1e6, r->items / r->seconds,
           r->failed ? "  (some failed)" : "");
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

int main(int argc, char **argv)
{
    const char *data_dir = FS_BENCH_SOURCE_DIR;
    size_t sentences = 20000;
    double min_seconds = 1.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sentences") == 0 && i + 1 < argc) {
            sentences = (size_t)strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--min-seconds") == 0 && i + 1 < argc) {
            min_seconds = strtod(argv[++i], NULL);
        } else if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            data_dir = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_identify [--sentences N] [--min-seconds S] "
                            "[--data-dir DIR]\n");
            return 2;
        }
    }
    fs_identify_detector *d = NULL;
    fs_error err;
    corpus notes, calib, vocab, gen;
    memset(&notes, 0, sizeof notes);
    memset(&calib, 0, sizeof calib);
    memset(&vocab, 0, sizeof vocab);
    memset(&gen, 0, sizeof gen);
    if (fs_identify_detector_new(&d, data_dir, NULL, &err) != FS_OK) {
        fprintf(stderr, "bench_identify: %s\n", err.msg);
        return 2;
    }
    int rc = load_jsonl(&notes, data_dir, "examples/medical-notes/test.jsonl");
    if (rc == 0) {
        rc = load_jsonl(&calib, data_dir, "tests/data/identify/calibration.jsonl");
    }
    if (rc == 0) {
        rc = load_vocab(&vocab, data_dir);
    }
    if (rc == 0 && sentences > 0) {
        rc = generate(&gen, &vocab, sentences);
    }
    if (rc == 0) {
        result r;
        printf("bench_identify: every category, one core, each corpus for at least %.1f s\n",
               min_seconds);
        printf("%-20s %7s %7s %13s %9s %11s\n", "corpus", "texts", "passes", "detections/s", "MB/s",
               "items/s");
        run(&r, d, &notes, min_seconds);
        report("medical notes", &notes, &r);
        run(&r, d, &calib, min_seconds);
        report("calibration set", &calib, &r);
        if (gen.n > 0) {
            run(&r, d, &gen, min_seconds);
            report("generated sentences", &gen, &r);
        }
        printf("peak RSS: %ld KiB\n", peak_rss_kb());
    } else {
        fprintf(stderr, "bench_identify: cannot read the corpora under %s\n", data_dir);
    }
    corpus_free(&notes);
    corpus_free(&calib);
    corpus_free(&vocab);
    corpus_free(&gen);
    fs_identify_detector_free(d);
    return rc == 0 ? 0 : 2;
}
