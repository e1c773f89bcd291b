/* bench_perturb: throughput and memory of every perturbation in the catalogue.
 *
 * Sentences of 8 to 30 words are generated on the fly from the vocabulary of
 * examples/sentiment/train.jsonl (and, with --mixed, interleaved with the mixed-script
 * lines of bench/perturb/mixed.txt), from a fixed seed, so every run measures the same
 * text. They are made in chunks of 1,024 and dropped after use: memory does not grow with
 * --sentences, which the peak RSS printed at the end shows. Only the perturbation calls
 * are timed. Each perturbation runs with its default parameters (injection with
 * answer=positive).
 *
 * usage: bench_perturb [--sentences N] [--only NAME] [--mixed] [--data-dir DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fairshake/dataset.h"
#include "fairshake/perturb.h"

#ifndef FS_BENCH_SOURCE_DIR
#define FS_BENCH_SOURCE_DIR "."
#endif

#define CHUNK 1024

typedef struct vocab {
    fs_str *words;
    size_t n, cap;
    char **lines; /* mixed-script lines */
    size_t n_lines;
    fs_buf pool;
} vocab;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int add_words(vocab *v, const char *text, size_t n, fs_text_segmenter *seg)
{
    const fs_text_span *sp = NULL;
    size_t count = 0;
    if (fs_text_segmenter_run(seg, &sp, &count, text, n, NULL) != FS_OK) {
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        if (sp[i].kind != 1) {
            continue;
        }
        if (v->n == v->cap) {
            v->cap = v->cap ? v->cap * 2 : 4096;
            v->words = realloc(v->words, v->cap * sizeof *v->words);
            if (v->words == NULL) {
                return -1;
            }
        }
        /* offsets into the pool; turned into pointers once the pool stops growing */
        v->words[v->n].ptr = (const char *)(uintptr_t)v->pool.len;
        v->words[v->n].len = sp[i].end - sp[i].start;
        fs_buf_append(&v->pool, text + sp[i].start, sp[i].end - sp[i].start);
        v->n++;
    }
    return 0;
}

static int load_vocab(vocab *v, const char *src)
{
    char path[1024];
    fs_dataset *ds = NULL;
    const fs_record *rec = NULL;
    fs_text_segmenter *seg = NULL;
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    memset(v, 0, sizeof *v);
    fs_buf_init(&v->pool, 0);
    snprintf(path, sizeof path, "%s/examples/sentiment/train.jsonl", src);
    if (fs_dataset_open(&ds, path, &o, NULL) != FS_OK ||
        fs_text_segmenter_new(&seg, FS_TEXT_WORD, NULL) != FS_OK) {
        fprintf(stderr, "bench_perturb: cannot read %s\n", path);
        return -1;
    }
    while (fs_dataset_next(ds, &rec, NULL) == FS_OK && rec != NULL) {
        if (add_words(v, rec->input, rec->input_len, seg) != 0) {
            return -1;
        }
    }
    fs_dataset_free(ds);
    fs_text_segmenter_free(seg);
    for (size_t i = 0; i < v->n; i++) {
        v->words[i].ptr = v->pool.data + (uintptr_t)v->words[i].ptr;
    }
    snprintf(path, sizeof path, "%s/bench/perturb/mixed.txt", src);
    char *text = NULL;
    if (fs_read_file(&text, NULL, path, 1 << 20, NULL) != FS_OK) {
        return -1;
    }
    v->lines = calloc(256, sizeof *v->lines);
    for (char *p = text; v->lines != NULL && *p != '\0' && v->n_lines < 256;) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 0) {
            v->lines[v->n_lines++] = fs_strndup(p, len);
        }
        p += len + (nl != NULL);
    }
    fs_free(text);
    return v->n > 0 && v->lines != NULL ? 0 : -1;
}

/* One sentence: 8 to 30 words, capitalised, some numbers, a full stop; with mixed, every
 * fourth sentence is a mixed-script line. */
static void make_sentence(fs_buf *b, const vocab *v, fs_rng *rng, bool mixed)
{
    if (mixed && fs_rng_below(rng, 4) == 0) {
        fs_buf_puts(b, v->lines[fs_rng_below(rng, v->n_lines)]);
        return;
    }
    size_t words = 8 + (size_t)fs_rng_below(rng, 23);
    for (size_t i = 0; i < words; i++) {
        if (i > 0) {
            fs_buf_putc(b, fs_rng_below(rng, 12) == 0 ? ',' : ' ');
            if (b->data[b->len - 1] == ',') {
                fs_buf_putc(b, ' ');
            }
        }
        if (fs_rng_below(rng, 15) == 0) {
            fs_buf_printf(b, "%llu", (unsigned long long)fs_rng_below(rng, 20000));
            continue;
        }
        fs_str w = v->words[fs_rng_below(rng, v->n)];
        size_t at = b->len;
        fs_buf_append(b, w.ptr, w.len);
        if (i == 0 && b->data[at] >= 'a' && b->data[at] <= 'z') {
            b->data[at] = (char)(b->data[at] - 'a' + 'A');
        }
    }
    fs_buf_putc(b, '.');
}

typedef struct result {
    double seconds, bytes;
    size_t changed, failed;
} result;

static void run_one(result *r, fs_perturber *p, const vocab *v, size_t sentences, bool mixed)
{
    fs_rng rng;
    fs_buf text, out;
    char id[24];
    memset(r, 0, sizeof *r);
    fs_rng_seed(&rng, 20261129u);
    fs_buf_init(&text, 0);
    fs_buf_init(&out, 0);
    for (size_t i = 0; i < sentences; i++) {
        fs_buf_reset(&text);
        make_sentence(&text, v, &rng, mixed);
        snprintf(id, sizeof id, "%zu", i + 1);
        fs_buf_reset(&out);
        bool changed = false;
        double t0 = now_s();
        fs_status st = fs_perturber_apply(p, fs_buf_cstr(&text), text.len, 42, id, NULL, 0, &out,
                                          &changed, NULL);
        r->seconds += now_s() - t0;
        r->bytes += (double)text.len;
        r->changed += changed;
        r->failed += st != FS_OK;
    }
    fs_buf_dispose(&text);
    fs_buf_dispose(&out);
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static int bench_all(const vocab *v, const char *data_dir, const char *only, size_t sentences,
                     bool mixed)
{
    const fs_perturb_info *cat = NULL;
    size_t n = fs_perturb_catalogue(&cat);
    printf("%-15s %12s %9s %9s\n", "perturbation", "variants/s", "MB/s", "changed");
    for (size_t i = 0; i < n; i++) {
        fs_perturber *p = NULL;
        fs_params params;
        fs_error err;
        result r;
        if (only != NULL && strcmp(only, cat[i].name) != 0) {
            continue;
        }
        fs_params_init(&params);
        if (strcmp(cat[i].name, "injection") == 0) {
            fs_params_set(&params, "answer", "positive", NULL);
        }
        fs_status st = fs_perturber_new(&p, cat[i].name, &params, data_dir, &err);
        fs_params_dispose(&params);
        if (st != FS_OK) {
            printf("%-15s skipped: %s\n", cat[i].name, err.msg);
            continue;
        }
        run_one(&r, p, v, sentences, mixed);
        fs_perturber_free(p);
        printf("%-15s %12.0f %9.1f %8.1f%%%s\n", cat[i].name, (double)sentences / r.seconds,
               r.bytes / r.seconds / 1e6, 100.0 * (double)r.changed / (double)sentences,
               r.failed ? "  (some failed)" : "");
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *data_dir = FS_BENCH_SOURCE_DIR, *only = NULL;
    size_t sentences = 20000;
    bool mixed = false;
    vocab v;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sentences") == 0 && i + 1 < argc) {
            sentences = (size_t)strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            data_dir = argv[++i];
        } else if (strcmp(argv[i], "--mixed") == 0) {
            mixed = true;
        } else {
            fprintf(stderr, "usage: bench_perturb [--sentences N] [--only NAME] [--mixed] "
                            "[--data-dir DIR]\n");
            return 2;
        }
    }
    if (sentences == 0 || load_vocab(&v, data_dir) != 0) {
        fprintf(stderr, "bench_perturb: no sentences or no vocabulary\n");
        return 2;
    }
    printf("bench_perturb: %zu generated sentences of 8-30 words%s, one core\n", sentences,
           mixed ? " (a quarter mixed-script)" : "");
    bench_all(&v, data_dir, only, sentences, mixed);
    printf("peak RSS: %ld KiB\n", peak_rss_kb());
    return 0;
}
