/* Perplexity from natural-log token probabilities, per sequence and over a corpus, as
 * docs/metrics.md defines it: mean NLL = -sum / n and perplexity = exp(mean NLL); the
 * corpus figure is token-weighted (one running sum over every token of every sequence,
 * left to right in order), mean_perplexity is the plain mean of the per-sequence values.
 * With the text the tokens cover, the per-word and per-byte normalisations of
 * lm-evaluation-harness are given too.
 *
 * Invariants: a value that cannot be computed (no token, no word, no byte) is NaN, never
 * 0; exp overflowing a double is +inf. Log-probabilities are at most 0 or -inf; anything
 * else is bad input, named by its index. */
#include "fairshake/score.h"

#include <math.h>
#include <string.h>

#include "fairshake/core.h"
#include "ngram.h"

static fs_status check_logprobs(const double *logprobs, size_t n, fs_error *err)
{
    if (logprobs == NULL && n > 0) {
        return FS_FAIL(err, FS_ERR_USAGE, "perplexity: NULL log-probabilities");
    }
    for (size_t i = 0; i < n; i++) {
        if (isnan(logprobs[i]) || logprobs[i] > 0.0) {
            return FS_FAIL(err, FS_ERR_INPUT,
                           "logprobs[%zu]: a natural-log probability must be <= 0 (or -inf)", i);
        }
    }
    return FS_OK;
}

/* Words (Python's str.split()) and UTF-8 bytes of text. */
static fs_status count_text(size_t *words, size_t *bytes, const char *text, size_t n, fs_error *err)
{
    *words = 0;
    *bytes = 0;
    if (text == NULL) {
        return FS_OK;
    }
    if (!fs_text_valid_utf8(text, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "perplexity: text is not valid UTF-8 (or holds NUL)");
    }
    bool in_word = false;
    for (size_t i = 0; i < n;) {
        size_t sp = fs_score__space_at(text, n, i);
        if (sp > 0) {
            in_word = false;
            i += sp;
            continue;
        }
        if (!in_word) {
            (*words)++;
            in_word = true;
        }
        i++;
    }
    *bytes = n;
    return FS_OK;
}

/* exp(-sum / count), or NaN when count is 0. */
static double normalised(double sum, size_t count)
{
    return count > 0 ? exp(-sum / (double)count) : NAN;
}

static void seq_from_sums(fs_perplexity_seq *out, size_t n, double sum, size_t words, size_t bytes)
{
    out->n_tokens = n;
    out->sum_logprob = sum;
    out->mean_nll = n > 0 ? -sum / (double)n : NAN;
    out->perplexity = n > 0 ? exp(out->mean_nll) : NAN;
    out->n_words = words;
    out->n_bytes = bytes;
    out->word_perplexity = normalised(sum, words);
    out->byte_perplexity = normalised(sum, bytes);
    out->bits_per_byte = bytes > 0 ? -sum / (double)bytes / log(2.0) : NAN;
}

fs_status fs_score_perplexity(fs_perplexity_seq *out, const double *logprobs, size_t n,
                              const char *text, size_t text_len, fs_error *err)
{
    size_t words, bytes;
    double sum = 0.0;
    fs_status st = check_logprobs(logprobs, n, err);
    if (st == FS_OK) {
        st = count_text(&words, &bytes, text, text_len, err);
    }
    if (st != FS_OK) {
        seq_from_sums(out, 0, 0.0, 0, 0);
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        sum += logprobs[i];
    }
    seq_from_sums(out, n, sum, words, bytes);
    return FS_OK;
}

void fs_perplexity_sum_init(fs_perplexity_sum *acc)
{
    memset(acc, 0, sizeof *acc);
}

fs_status fs_perplexity_sum_add(fs_perplexity_sum *acc, const double *logprobs, size_t n,
                                const char *text, size_t text_len, fs_error *err)
{
    fs_perplexity_seq seq;
    fs_status st = fs_score_perplexity(&seq, logprobs, n, text, text_len, err);
    if (st != FS_OK) {
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        acc->sum_logprob += logprobs[i];
    }
    acc->n_sequences++;
    acc->n_tokens += n;
    acc->n_words += seq.n_words;
    acc->n_bytes += seq.n_bytes;
    if (n > 0) {
        acc->n_nonempty++;
        acc->sum_perplexity += seq.perplexity;
    }
    return FS_OK;
}

void fs_perplexity_sum_add_seq(fs_perplexity_sum *acc, const fs_perplexity_seq *seq)
{
    acc->n_sequences++;
    acc->n_tokens += seq->n_tokens;
    acc->n_words += seq->n_words;
    acc->n_bytes += seq->n_bytes;
    acc->sum_logprob += seq->sum_logprob;
    if (seq->n_tokens > 0) {
        acc->n_nonempty++;
        acc->sum_perplexity += seq->perplexity;
    }
}

void fs_perplexity_sum_result(const fs_perplexity_sum *acc, fs_perplexity_corpus *out)
{
    fs_perplexity_seq all;
    seq_from_sums(&all, acc->n_tokens, acc->sum_logprob, acc->n_words, acc->n_bytes);
    out->n_tokens = acc->n_tokens;
    out->sum_logprob = acc->sum_logprob;
    out->mean_nll = all.mean_nll;
    out->perplexity = all.perplexity;
    out->mean_perplexity =
        acc->n_nonempty > 0 ? acc->sum_perplexity / (double)acc->n_nonempty : NAN;
    out->word_perplexity = all.word_perplexity;
    out->byte_perplexity = all.byte_perplexity;
    out->bits_per_byte = all.bits_per_byte;
}
