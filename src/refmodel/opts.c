/* Command-line parsing of fairshake-refmodel: a table-free scan of long options, each
 * value checked for range, so that main() only acts on a valid refmodel_opts. The server
 * binds to loopback only: any host outside 127.0.0.0/8 is refused here. */
#include "refmodel/opts.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef FS_DATA_DIR_SOURCE
#define FS_DATA_DIR_SOURCE "."
#endif
#ifndef FS_DATA_DIR_INSTALL
#define FS_DATA_DIR_INSTALL "/usr/local/share/fairshake"
#endif
#define TRAIN_REL      "/examples/sentiment/train.jsonl"
#define STOPWORDS_REL  "/examples/qa/stopwords.txt"
#define LM_TRAIN_REL   "/examples/language-modeling/train.txt"
#define PATTERNS_REL   "/identify/patterns.json"
#define DATA_PATH(rel) data_path(FS_DATA_DIR_SOURCE rel, FS_DATA_DIR_INSTALL rel)

static const char usage_text[] =
    "usage: fairshake-refmodel [options]\n"
    "Serve classic baseline models over an OpenAI-compatible HTTP API: nb-sentiment\n"
    "(naive Bayes), overlap-qa (extractive QA), lead-summarizer (lead-k sentences),\n"
    "bigram-lm (interpolated bigram language model with log-probabilities) and\n"
    "pii-identifier (sensitive items found by the fairshake detectors, as JSON).\n"
    "\n"
    "  --port P             TCP port; 0 picks a free one (default 0)\n"
    "  --host ADDR          loopback address to bind (default 127.0.0.1)\n"
    "  --train PATH         nb-sentiment: JSONL training file of {\"text\",\"label\"} lines\n"
    "                       (default " FS_DATA_DIR_SOURCE TRAIN_REL ")\n"
    "  --qa-stopwords PATH  overlap-qa: stop words, one per line\n"
    "                       (default " FS_DATA_DIR_SOURCE STOPWORDS_REL ")\n"
    "  --qa-window K        overlap-qa: longest answer, in words (default 12)\n"
    "  --lead-k K           lead-summarizer: sentences when the request has no lead_k\n"
    "                       (default 3)\n"
    "  --lm-train PATH      bigram-lm: plain-text training corpus\n"
    "                       (default " FS_DATA_DIR_SOURCE LM_TRAIN_REL ")\n"
    "  --lm-lambda L        bigram-lm: weight of the bigram estimate, 0 <= L < 1 (default 0.7)\n"
    "  --ident-categories C pii-identifier: the categories it knows, comma-separated, or all\n"
    "                       (default " REFMODEL_IDENT_DEFAULT_CATEGORIES ")\n"
    "  --ident-data DIR     pii-identifier: directory holding identify/ and demographics/\n"
    "                       (default " FS_DATA_DIR_SOURCE ")\n"
    "  --ident-fence        pii-identifier: wrap every answer in a ```json code fence\n"
    "  --fault-rate R       answer 429, 500 or 503 to a share R of requests (default 0)\n"
    "  --retry-after S      Retry-After seconds of injected 429 answers (default 1)\n"
    "  --delay-ms D         wait D ms before answering each request (default 0)\n"
    "  --drop-rate R        close the connection without an answer for a share R (default 0)\n"
    "  --malformed-rate R   answer 200 with invalid JSON for a share R (default 0)\n"
    "  --seed N             seed of the fault-injection random stream (default 0)\n"
    "  --threads N          0: one thread per connection; N: a pool of N threads (default 0)\n"
    "  --constant TEXT      answer TEXT to every chat and completion request, whatever its\n"
    "                       model and prompt, without running a model (for benchmarks;\n"
    "                       fault injection and --delay-ms still apply)\n"
    "  --quiet              no training summary on stderr\n"
    "  --help               show this help\n"
    "\n"
    "Prints one line \"listening on http://HOST:PORT\" to stdout once it is serving.\n"
    "SIGINT or SIGTERM stops it cleanly.\n";

void refmodel_opts_init(refmodel_opts *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->host, sizeof o->host, "%s", "127.0.0.1");
    o->retry_after_s = 1;
    o->qa_window = 12;
    o->lead_k = 3;
    o->lm_lambda = 0.7;
}

const char *refmodel_usage(void)
{
    return usage_text;
}

static const char *data_path(const char *source, const char *installed)
{
    return access(source, R_OK) == 0 ? source : installed;
}

const char *refmodel_default_train_path(void)
{
    return DATA_PATH(TRAIN_REL);
}

const char *refmodel_default_stopwords_path(void)
{
    return DATA_PATH(STOPWORDS_REL);
}

const char *refmodel_default_lm_train_path(void)
{
    return DATA_PATH(LM_TRAIN_REL);
}

const char *refmodel_default_data_dir(void)
{
    return access(FS_DATA_DIR_SOURCE PATTERNS_REL, R_OK) == 0 ? FS_DATA_DIR_SOURCE
                                                              : FS_DATA_DIR_INSTALL;
}

static const char *const value_flags[] = {
    "--port",           "--host",     "--train",       "--fault-rate", "--drop-rate",
    "--malformed-rate", "--delay-ms", "--retry-after", "--seed",       "--qa-stopwords",
    "--qa-window",      "--lead-k",   "--lm-train",    "--lm-lambda",  "--ident-categories",
    "--ident-data",     "--constant", "--threads",
};
#define N_VALUE_FLAGS (sizeof value_flags / sizeof value_flags[0])

static const char *const switch_flags[] = { "--quiet", "--help", "--ident-fence" };
#define N_SWITCH_FLAGS (sizeof switch_flags / sizeof switch_flags[0])

static fs_status unknown_flag(const char *flag, fs_error *err)
{
    const char *near = fs_nearest(flag, value_flags, N_VALUE_FLAGS);
    const char *near_switch = fs_nearest(flag, switch_flags, N_SWITCH_FLAGS);
    if (near == NULL || (near_switch != NULL &&
                         fs_edit_distance(flag, near_switch) < fs_edit_distance(flag, near))) {
        near = near_switch;
    }
    if (near != NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "unknown option '%s'; did you mean '%s'?", flag, near);
    }
    return FS_FAIL(err, FS_ERR_USAGE, "unknown option '%s' (see --help)", flag);
}

static bool takes_value(const char *flag)
{
    for (size_t i = 0; i < N_VALUE_FLAGS; i++) {
        if (strcmp(flag, value_flags[i]) == 0) {
            return true;
        }
    }
    return false;
}

static fs_status parse_rate(double *out, const char *flag, const char *v, fs_error *err)
{
    double d = 0;
    if (!fs_parse_double(v, &d) || !(d >= 0.0 && d <= 1.0)) {
        return FS_FAIL(err, FS_ERR_USAGE, "%s: '%s' is not a rate between 0 and 1", flag, v);
    }
    *out = d;
    return FS_OK;
}

static fs_status parse_int(int64_t *out, const char *flag, const char *v, int64_t max,
                           fs_error *err)
{
    int64_t i = 0;
    if (!fs_parse_i64(v, &i) || i < 0 || i > max) {
        return FS_FAIL(err, FS_ERR_USAGE, "%s: '%s' is not an integer between 0 and %lld", flag, v,
                       (long long)max);
    }
    *out = i;
    return FS_OK;
}

static fs_status parse_host(refmodel_opts *o, const char *v, fs_error *err)
{
    struct in_addr a;
    const char *addr = strcmp(v, "localhost") == 0 ? "127.0.0.1" : v;
    if (inet_pton(AF_INET, addr, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127) {
        return FS_FAIL(err, FS_ERR_USAGE,
                       "--host: '%s' is not a loopback IPv4 address (127.0.0.0/8)", v);
    }
    inet_ntop(AF_INET, &a, o->host, sizeof o->host);
    return FS_OK;
}

static fs_status parse_count(unsigned *out, const char *flag, const char *v, int64_t max,
                             fs_error *err)
{
    int64_t i = 0;
    if (!fs_parse_i64(v, &i) || i < 1 || i > max) {
        return FS_FAIL(err, FS_ERR_USAGE, "%s: '%s' is not an integer between 1 and %lld", flag, v,
                       (long long)max);
    }
    *out = (unsigned)i;
    return FS_OK;
}

/* Apply one flag of the models: --qa-stopwords, --qa-window, --lead-k, --lm-train,
 * --lm-lambda. */
static fs_status apply_model_flag(refmodel_opts *o, const char *flag, const char *v, fs_error *err)
{
    double d = 0;
    if (strcmp(flag, "--qa-stopwords") == 0) {
        o->qa_stopwords_path = v;
    } else if (strcmp(flag, "--qa-window") == 0) {
        return parse_count(&o->qa_window, flag, v, 1000, err);
    } else if (strcmp(flag, "--lead-k") == 0) {
        return parse_count(&o->lead_k, flag, v, 100000, err);
    } else if (strcmp(flag, "--lm-train") == 0) {
        o->lm_train_path = v;
    } else {
        if (!fs_parse_double(v, &d) || !(d >= 0.0 && d < 1.0)) {
            return FS_FAIL(err, FS_ERR_USAGE, "%s: '%s' is not a number with 0 <= L < 1", flag, v);
        }
        o->lm_lambda = d;
    }
    return FS_OK;
}

/* Apply one flag of value_flags. */
static fs_status apply(refmodel_opts *o, const char *flag, const char *v, fs_error *err)
{
    int64_t i = 0;
    fs_status st = FS_OK;
    if (strcmp(flag, "--port") == 0) {
        st = parse_int(&i, flag, v, 65535, err);
        o->port = (int)i;
    } else if (strcmp(flag, "--host") == 0) {
        st = parse_host(o, v, err);
    } else if (strcmp(flag, "--train") == 0) {
        o->train_path = v;
    } else if (strcmp(flag, "--fault-rate") == 0) {
        st = parse_rate(&o->fault_rate, flag, v, err);
    } else if (strcmp(flag, "--drop-rate") == 0) {
        st = parse_rate(&o->drop_rate, flag, v, err);
    } else if (strcmp(flag, "--malformed-rate") == 0) {
        st = parse_rate(&o->malformed_rate, flag, v, err);
    } else if (strcmp(flag, "--delay-ms") == 0) {
        st = parse_int(&i, flag, v, 600000, err);
        o->delay_ms = (unsigned)i;
    } else if (strcmp(flag, "--retry-after") == 0) {
        st = parse_int(&i, flag, v, 3600, err);
        o->retry_after_s = (unsigned)i;
    } else if (strcmp(flag, "--seed") == 0) {
        st = parse_int(&i, flag, v, INT64_MAX, err);
        o->seed = (uint64_t)i;
    } else if (strncmp(flag, "--qa-", 5) == 0 || strncmp(flag, "--lm-", 5) == 0 ||
               strcmp(flag, "--lead-k") == 0) {
        st = apply_model_flag(o, flag, v, err);
    } else if (strcmp(flag, "--ident-categories") == 0) {
        o->ident_categories = v;
    } else if (strcmp(flag, "--ident-data") == 0) {
        o->ident_data_dir = v;
    } else if (strcmp(flag, "--constant") == 0) {
        if (!fs_text_valid_utf8(v, strlen(v))) {
            return FS_FAIL(err, FS_ERR_USAGE, "--constant: the text is not valid UTF-8");
        }
        o->constant = v;
    } else { /* --threads: the last entry of value_flags */
        st = parse_int(&i, flag, v, 1024, err);
        o->threads = (unsigned)i;
    }
    return st;
}

fs_status refmodel_opts_parse(refmodel_opts *o, int argc, char **argv, fs_error *err)
{
    char flag[64];
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        const char *eq = strchr(arg, '=');
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            o->help = true;
            continue;
        }
        if (strcmp(arg, "--quiet") == 0) {
            o->quiet = true;
            continue;
        }
        if (strcmp(arg, "--ident-fence") == 0) {
            o->ident_fence = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0 || strlen(arg) >= sizeof flag) {
            return FS_FAIL(err, FS_ERR_USAGE, "unexpected argument '%s' (see --help)", arg);
        }
        const char *value = NULL;
        snprintf(flag, sizeof flag, "%.*s", (int)(eq != NULL ? eq - arg : (long)strlen(arg)), arg);
        if (!takes_value(flag)) {
            return unknown_flag(flag, err);
        }
        if (eq != NULL) {
            value = eq + 1;
        } else if (k + 1 < argc) {
            value = argv[++k];
        } else {
            return FS_FAIL(err, FS_ERR_USAGE, "%s: missing value (see --help)", arg);
        }
        fs_status st = apply(o, flag, value, err);
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}
