/* bench_metrics: speed and memory of the corpus metrics over generated sentence pairs.
 *
 * The words of examples/sentiment/train.jsonl (its "text" fields split on spaces, so
 * punctuation stays attached as in real text) form the vocabulary. Each pair is a
 * prediction of 8 to 30 words and a reference made from it by keeping, replacing,
 * dropping or inserting words, all from one fixed seed, so every run scores the same
 * pairs. Pairs are made in chunks of CHUNK and dropped after use; a corpus metric keeps
 * only summed statistics, so memory does not grow with the number of pairs, which the
 * peak RSS printed after each run shows. Only the metric calls are timed.
 *
 * One function per metric family (bench_bleu, bench_chrf, bench_rouge, bench_squad); each prints
 * one line per variant: pairs, seconds, pairs per second, the corpus score, and the speed-up over
 * the Python reference's time for the same number of pairs (measured on this class of machine over
 * 20,000 pairs and scaled linearly).
 *
 * usage: bench_metrics [--pairs N[,N...]] [--only bleu|chrf|rouge|squad] [--data-dir DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/json.h"
#include "fairshake/core.h"
#include "fairshake/score.h"

#ifndef FS_BENCH_SOURCE_DIR
#define FS_BENCH_SOURCE_DIR "."
#endif

#define CHUNK 1024
#define SEED  20240611u

typedef struct vocab {
    fs_buf pool;   /* the words, NUL-separated */
    size_t *start; /* offset of each word in pool */
    size_t n, cap;
} vocab;

/* One chunk of generated pairs: texts in one buffer, offsets per pair. */
typedef struct chunk {
    fs_buf text;
    size_t pred[CHUNK][2]; /* start, length */
    size_t ref[CHUNK][2];
    size_t n;
} chunk;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static int add_word(vocab *v, const char *w, size_t len)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4096;
        size_t *p = realloc(v->start, v->cap * sizeof *p);
        if (p == NULL) {
            return -1;
        }
        v->start = p;
    }
    v->start[v->n++] = v->pool.len;
    fs_buf_append(&v->pool, w, len);
    fs_buf_putc(&v->pool, '\0');
    return fs_buf_status(&v->pool) == FS_OK ? 0 : -1;
}

static int load_vocab(vocab *v, const char *src)
{
    char path[1024];
    char *text = NULL;
    size_t len = 0;
    memset(v, 0, sizeof *v);
    fs_buf_init(&v->pool, 0);
    snprintf(path, sizeof path, "%s/examples/sentiment/train.jsonl", src);
    if (fs_read_file(&text, &len, path, 0, NULL) != FS_OK) {
        fprintf(stderr, "bench_metrics: cannot read %s\n", path);
        return -1;
    }
    int rc = 0;
    for (char *line = text; rc == 0 && line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
        cJSON *obj = NULL;
        if (n > 0 && fs_json__parse(&obj, line, n, path, NULL) == FS_OK) {
            const char *t = fs_json__str(obj, "text");
            for (const char *p = t; rc == 0 && p != NULL && *p != '\0';) {
                size_t w = strcspn(p, " ");
                rc = w > 0 ? add_word(v, p, w) : 0;
                p += w + (p[w] == ' ');
            }
            cJSON_Delete(obj);
        }
        line += n + 1;
    }
    fs_free(text);
    return rc == 0 && v->n > 0 ? 0 : -1;
}

static const char *word(const vocab *v, fs_rng *rng)
{
    return v->pool.data + v->start[fs_rng_below(rng, v->n)];
}

/* Fill c with up to `want` pairs: a prediction of 8-30 words and a reference that keeps
 * 70% of its words, replaces 15%, drops 10% and inserts a word after 5%. */
static void make_chunk(chunk *c, const vocab *v, fs_rng *rng, size_t want)
{
    const char *words[32];
    fs_buf_reset(&c->text);
    c->n = want < CHUNK ? want : CHUNK;
    for (size_t i = 0; i < c->n; i++) {
        size_t n = 8 + (size_t)fs_rng_below(rng, 23);
        c->pred[i][0] = c->text.len;
        for (size_t k = 0; k < n; k++) {
            words[k] = word(v, rng);
            fs_buf_puts(&c->text, words[k]);
            fs_buf_putc(&c->text, k + 1 < n ? ' ' : '\0');
        }
        c->pred[i][1] = c->text.len - c->pred[i][0] - 1;
        c->ref[i][0] = c->text.len;
        for (size_t k = 0; k < n; k++) {
            uint64_t u = fs_rng_below(rng, 100);
            if (u >= 70 && u < 80) {
                continue;
            }
            fs_buf_puts(&c->text, u < 85 ? words[k] : word(v, rng));
            fs_buf_putc(&c->text, ' ');
            if (u >= 95) {
                fs_buf_puts(&c->text, word(v, rng));
                fs_buf_putc(&c->text, ' ');
            }
        }
        fs_buf_putc(&c->text, '\0');
        c->ref[i][1] = c->text.len - c->ref[i][0] - 1;
    }
}

static void print_line(const char *name, size_t pairs, double secs, double score,
                       double python_s_per_20k)
{
    double python = python_s_per_20k * (double)pairs / 20000.0;
    printf("%-10s %8zu pairs %8.3f s %10.0f pairs/s  score %8.4f  %6.1fx sacreBLEU  RSS %ld KiB\n",
           name, pairs, secs, (double)pairs / secs, score, python / secs, peak_rss_kb());
}

/* Corpus BLEU (13a, exp smoothing): item statistics summed, scored once. */
static int bench_bleu(const vocab *v, chunk *c, size_t pairs)
{
    fs_bleu_opts o = FS_BLEU_OPTS_INIT;
    fs_bleu_scorer *sc = NULL;
    fs_bleu_stats sum, one;
    fs_bleu_result r;
    fs_rng rng;
    double secs = 0.0;
    memset(&sum, 0, sizeof sum);
    fs_rng_seed(&rng, SEED);
    if (fs_bleu_scorer_new(&sc, &o, NULL) != FS_OK) {
        return -1;
    }
    for (size_t done = 0; done < pairs; done += c->n) {
        make_chunk(c, v, &rng, pairs - done);
        double t0 = now_s();
        for (size_t i = 0; i < c->n; i++) {
            const char *ref = c->text.data + c->ref[i][0];
            if (fs_bleu_scorer_stats(sc, &one, c->text.data + c->pred[i][0], c->pred[i][1], &ref,
                                     &c->ref[i][1], 1, NULL) != FS_OK) {
                fs_bleu_scorer_free(sc);
                return -1;
            }
            fs_bleu_stats_add(&sum, &one);
        }
        secs += now_s() - t0;
    }
    double t0 = now_s();
    fs_bleu_score(&r, &sum, &o, NULL);
    secs += now_s() - t0;
    fs_bleu_scorer_free(sc);
    print_line("bleu", pairs, secs, r.score, 5.0);
    return 0;
}

/* Corpus chrF (word order 0) and chrF++ (word order 2). */
static int bench_chrf(const vocab *v, chunk *c, size_t pairs)
{
    for (unsigned word_order = 0; word_order <= 2; word_order += 2) {
        fs_chrf_opts o = FS_CHRF_OPTS_INIT;
        fs_chrf_scorer *sc = NULL;
        fs_chrf_stats sum, one;
        fs_rng rng;
        double secs = 0.0, score = 0.0;
        o.word_order = word_order;
        memset(&sum, 0, sizeof sum);
        fs_rng_seed(&rng, SEED);
        if (fs_chrf_scorer_new(&sc, &o, NULL) != FS_OK) {
            return -1;
        }
        for (size_t done = 0; done < pairs; done += c->n) {
            make_chunk(c, v, &rng, pairs - done);
            double t0 = now_s();
            for (size_t i = 0; i < c->n; i++) {
                const char *ref = c->text.data + c->ref[i][0];
                if (fs_chrf_scorer_stats(sc, &one, c->text.data + c->pred[i][0], c->pred[i][1],
                                         &ref, &c->ref[i][1], 1, NULL) != FS_OK) {
                    fs_chrf_scorer_free(sc);
                    return -1;
                }
                fs_chrf_stats_add(&sum, &one);
            }
            secs += now_s() - t0;
        }
        fs_chrf_score(&score, &sum, &o, NULL);
        fs_chrf_scorer_free(sc);
        /* sacreBLEU's chrF takes about 11 s per 20,000 pairs (chrF++ is slower still) */
        print_line(word_order == 0 ? "chrf" : "chrf++", pairs, secs, score, 11.0);
    }
    return 0;
}

/* Like print_line, naming the Python reference the speed-up is measured against. */
static void print_ref_line(const char *name, size_t pairs, double secs, double score,
                           double python_s_per_20k, const char *reference)
{
    double python = python_s_per_20k * (double)pairs / 20000.0;
    printf("%-10s %8zu pairs %8.3f s %10.0f pairs/s  score %8.4f  %6.1fx %s  RSS %ld KiB\n", name,
           pairs, secs, (double)pairs / secs, score, python / secs, reference, peak_rss_kb());
}

/* ROUGE (rouge-score defaults, no stemming; rouge1, rouge2, rougeL and rougeLsum are
 * computed together) and with stemming; the corpus figure is the mean of item F. */
static int bench_rouge(const vocab *v, chunk *c, size_t pairs)
{
    for (int stem = 0; stem <= 1; stem++) {
        fs_rouge_opts o = FS_ROUGE_OPTS_INIT;
        fs_rouge_scorer *sc = NULL;
        fs_rouge_sum sum;
        fs_rouge_item one, mean;
        fs_rng rng;
        double secs = 0.0;
        o.use_stemmer = stem != 0;
        fs_rouge_sum_init(&sum);
        fs_rng_seed(&rng, SEED);
        if (fs_rouge_scorer_new(&sc, &o, NULL) != FS_OK) {
            return -1;
        }
        for (size_t done = 0; done < pairs; done += c->n) {
            make_chunk(c, v, &rng, pairs - done);
            double t0 = now_s();
            for (size_t i = 0; i < c->n; i++) {
                const char *ref = c->text.data + c->ref[i][0];
                if (fs_rouge_scorer_score(sc, &one, c->text.data + c->pred[i][0], c->pred[i][1],
                                          &ref, &c->ref[i][1], 1, NULL) != FS_OK) {
                    fs_rouge_scorer_free(sc);
                    return -1;
                }
                fs_rouge_sum_add(&sum, &one);
            }
            secs += now_s() - t0;
        }
        fs_rouge_sum_mean(&sum, &mean);
        fs_rouge_scorer_free(sc);
        /* rouge-score takes about 2 s for ROUGE-L alone over 20,000 pairs */
        print_ref_line(stem ? "rouge+stem" : "rouge", pairs, secs, mean.type[FS_ROUGE_L].fmeasure,
                       2.0, "rouge-score");
    }
    return 0;
}

/* SQuAD v1.1 exact match and F1 (the dataset F1 on 0..100 is printed). */
static int bench_squad(const vocab *v, chunk *c, size_t pairs)
{
    fs_squad_scorer *sc = NULL;
    fs_squad_sum sum;
    fs_squad_item one;
    fs_rng rng;
    double secs = 0.0, em, f1;
    fs_squad_sum_init(&sum);
    fs_rng_seed(&rng, SEED);
    if (fs_squad_scorer_new(&sc, NULL) != FS_OK) {
        return -1;
    }
    for (size_t done = 0; done < pairs; done += c->n) {
        make_chunk(c, v, &rng, pairs - done);
        double t0 = now_s();
        for (size_t i = 0; i < c->n; i++) {
            const char *ref = c->text.data + c->ref[i][0];
            if (fs_squad_scorer_score(sc, &one, c->text.data + c->pred[i][0], c->pred[i][1], &ref,
                                      &c->ref[i][1], 1, NULL) != FS_OK) {
                fs_squad_scorer_free(sc);
                return -1;
            }
            fs_squad_sum_add(&sum, &one);
        }
        secs += now_s() - t0;
    }
    fs_squad_sum_result(&sum, &em, &f1);
    fs_squad_scorer_free(sc);
    /* the official evaluate-v1.1.py takes about 1 s over 20,000 pairs */
    print_ref_line("squad", pairs, secs, f1, 1.0, "evaluate-v1.1");
    return 0;
}

typedef struct family {
    const char *name;
    int (*run)(const vocab *v, chunk *c, size_t pairs);
} family;

static const family families[] = {
    { "bleu", bench_bleu },
    { "chrf", bench_chrf },
    { "rouge", bench_rouge },
    { "squad", bench_squad },
};

int main(int argc, char **argv)
{
    const char *data_dir = FS_BENCH_SOURCE_DIR, *only = NULL, *pairs_arg = "20000,200000";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pairs") == 0 && i + 1 < argc) {
            pairs_arg = argv[++i];
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            data_dir = argv[++i];
        } else {
            fprintf(stderr,
                    "usage: bench_metrics [--pairs N[,N...]] [--only bleu|chrf|rouge|squad] "
                    "[--data-dir DIR]\n");
            return 2;
        }
    }
    vocab v;
    static chunk c;
    if (load_vocab(&v, data_dir) != 0) {
        fprintf(stderr, "bench_metrics: no vocabulary\n");
        return 2;
    }
    fs_buf_init(&c.text, 0);
    printf("bench_metrics: generated pairs of 8-30 words over %zu words of "
           "examples/sentiment/train.jsonl, one core\n",
           v.n);
    int rc = 0;
    for (const char *p = pairs_arg; rc == 0 && *p != '\0';) {
        size_t pairs = (size_t)strtoull(p, NULL, 10);
        for (size_t f = 0; rc == 0 && pairs > 0 && f < sizeof families / sizeof families[0]; f++) {
            if (only == NULL || strcmp(only, families[f].name) == 0) {
                rc = families[f].run(&v, &c, pairs);
            }
        }
        p += strcspn(p, ",");
        p += *p == ',';
    }
    fs_buf_dispose(&c.text);
    fs_buf_dispose(&v.pool);
    free(v.start);
    if (rc != 0) {
        fprintf(stderr, "bench_metrics: a metric failed\n");
    }
    return rc == 0 ? 0 : 1;
}
