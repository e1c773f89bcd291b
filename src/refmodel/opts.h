#ifndef FS_REFMODEL_OPTS_H
#define FS_REFMODEL_OPTS_H
/* Command-line options of fairshake-refmodel. */
#include "fairshake/core.h"

/** The categories pii-identifier knows when --ident-categories is not given. */
#define REFMODEL_IDENT_DEFAULT_CATEGORIES "email,phone,date,person,mrn,ssn"

/** Every option, with its default from refmodel_opts_init(). */
typedef struct refmodel_opts {
    int port;                      /* 0: pick a free port */
    char host[16];                 /* dotted IPv4 loopback address, "127.0.0.1" */
    const char *train_path;        /* borrowed from argv; NULL: refmodel_default_train_path() */
    const char *qa_stopwords_path; /* borrowed; NULL: refmodel_default_stopwords_path() */
    const char *lm_train_path;     /* borrowed; NULL: refmodel_default_lm_train_path() */
    unsigned qa_window;            /* longest overlap-qa answer, in words (default 12) */
    unsigned lead_k;               /* sentences of lead-summarizer without "lead_k" (3) */
    double lm_lambda;              /* bigram-lm interpolation weight, in [0, 1) (0.7) */
    const char *ident_categories;  /* borrowed; comma-separated pii-identifier categories, "all"
                                      for every one; NULL: REFMODEL_IDENT_DEFAULT_CATEGORIES */
    const char *ident_data_dir;    /* borrowed; NULL: refmodel_default_data_dir() */
    bool ident_fence;              /* pii-identifier answers in a ```json code fence */
    double fault_rate;             /* share of inference requests answered 429, 500 or 503 */
    double drop_rate;              /* share of inference requests closed without an answer */
    double malformed_rate;         /* share of inference requests answered 200 with bad JSON */
    unsigned delay_ms;             /* sleep before answering each inference request */
    unsigned retry_after_s;        /* Retry-After of injected 429 answers */
    uint64_t seed;                 /* seed of the fault-injection random stream */
    unsigned threads;              /* 0: one thread per connection; N: a pool of N threads */
    const char *constant;          /* borrowed; every inference request gets this answer, no
                                      model runs (benchmarks); NULL: the models answer */
    bool quiet;                    /* no training summary, no server error log */
    bool help;                     /* --help was given */
} refmodel_opts;

/** Set the defaults. */
void refmodel_opts_init(refmodel_opts *o);

/** Parse argv[1..argc) ("--flag VALUE" or "--flag=VALUE") into o, which holds defaults.
 *  o keeps pointers into argv. A bad flag or value is FS_ERR_USAGE naming it. The host must
 *  be a loopback address (127.0.0.0/8 or "localhost"). */
fs_status refmodel_opts_parse(refmodel_opts *o, int argc, char **argv, fs_error *err);

/** The --help text. */
const char *refmodel_usage(void);

/** Default training file: examples/sentiment/train.jsonl under the source tree when it is
 *  there, else under the installed data directory. */
const char *refmodel_default_train_path(void);

/** Default overlap-qa stop-word list: examples/qa/stopwords.txt, found the same way. */
const char *refmodel_default_stopwords_path(void);

/** Default bigram-lm corpus: examples/language-modeling/train.txt, found the same way. */
const char *refmodel_default_lm_train_path(void);

/** Default data directory of pii-identifier (the one holding identify/ and demographics/):
 *  the source tree when its identify/patterns.json is there, else the installed data
 *  directory. */
const char *refmodel_default_data_dir(void);

#endif
