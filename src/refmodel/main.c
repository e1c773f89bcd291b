/* fairshake-refmodel: the reference model server used by the demo and the tests. It
 * trains its five baseline models (nb-sentiment, overlap-qa, lead-summarizer, bigram-lm,
 * pii-identifier) from bundled data, serves them over an OpenAI-compatible HTTP API on a
 * loopback address, prints one "listening on" line to stdout, and runs until SIGINT or
 * SIGTERM. The signals are blocked in every thread and taken synchronously with sigwait()
 * by the main thread, so no handler and no global flag is needed. Exit codes: 0 clean stop, 2 bad
 * usage or training data, 3 any other failure. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "refmodel/models.h"
#include "refmodel/opts.h"
#include "refmodel/server.h"

static int exit_code(fs_status st)
{
    return (st == FS_ERR_USAGE || st == FS_ERR_CONFIG || st == FS_ERR_INPUT) ? 2 : 3;
}

static void print_summary(const refmodel_models *m, const refmodel_opts *o)
{
    const char *const *names = refmodel_model_names();
    const refmodel_nb *nb = m->nb;
    fprintf(stderr,
            "fairshake-refmodel: trained %s on %zu documents from %s: vocabulary %zu, "
            "%zu classes (",
            names[REFMODEL_NB], refmodel_nb_doc_count(nb),
            o->train_path != NULL ? o->train_path : refmodel_default_train_path(),
            refmodel_nb_vocab_size(nb), refmodel_nb_class_count(nb));
    for (size_t i = 0; i < refmodel_nb_class_count(nb); i++) {
        fprintf(stderr, "%s%s", i > 0 ? ", " : "", refmodel_nb_label(nb, i));
    }
    fprintf(stderr, ")\n");
    fprintf(stderr,
            "fairshake-refmodel: loaded %s: %zu stop words from %s, answers up to %u words\n",
            names[REFMODEL_QA], refmodel_qa_stopword_count(m->qa),
            o->qa_stopwords_path != NULL ? o->qa_stopwords_path : refmodel_default_stopwords_path(),
            o->qa_window);
    fprintf(stderr, "fairshake-refmodel: serving %s: first %zu sentences by default\n",
            names[REFMODEL_LEAD], m->lead_k);
    fprintf(stderr,
            "fairshake-refmodel: trained %s on %zu tokens from %s: vocabulary %zu with <unk>, "
            "lambda %g\n",
            names[REFMODEL_LM], refmodel_lm_token_count(m->lm),
            o->lm_train_path != NULL ? o->lm_train_path : refmodel_default_lm_train_path(),
            refmodel_lm_vocab_size(m->lm), refmodel_lm_lambda(m->lm));
    const char *const *cats = NULL;
    size_t n_cats = refmodel_ident_categories(m->ident, &cats);
    fprintf(stderr, "fairshake-refmodel: loaded %s: detectors from %s/identify, categories ",
            names[REFMODEL_IDENT],
            o->ident_data_dir != NULL ? o->ident_data_dir : refmodel_default_data_dir());
    for (size_t i = 0; i < n_cats; i++) {
        fprintf(stderr, "%s%s", i > 0 ? ", " : "", cats[i]);
    }
    fprintf(stderr, "%s\n", refmodel_ident_fenced(m->ident) ? "; answers in ```json fences" : "");
}

/* Serve until SIGINT or SIGTERM arrives. The signals must already be blocked. */
static int serve(const refmodel_opts *opts, const refmodel_models *models, const sigset_t *stop)
{
    refmodel_server *server = NULL;
    fs_error err;
    int sig = 0;
    fs_error_clear(&err);
    fs_status st = refmodel_server_start(&server, opts, models, &err);
    if (st != FS_OK) {
        fprintf(stderr, "fairshake-refmodel: %s\n", err.msg);
        return exit_code(st);
    }
    printf("listening on http://%s:%d\n", opts->host, refmodel_server_port(server));
    fflush(stdout);
    while (sigwait(stop, &sig) != 0) {
    }
    refmodel_server_stop(server);
    return 0;
}

int main(int argc, char **argv)
{
    refmodel_opts opts;
    refmodel_models models;
    fs_error err;
    sigset_t stop;
    int code = 0;
    refmodel_opts_init(&opts);
    refmodel_models_init(&models);
    fs_error_clear(&err);
    fs_status st = refmodel_opts_parse(&opts, argc, argv, &err);
    if (st != FS_OK) {
        fprintf(stderr, "fairshake-refmodel: %s\n", err.msg);
        return 2;
    }
    if (opts.help) {
        fputs(refmodel_usage(), stdout);
        return 0;
    }
    st = refmodel_models_load(&models, &opts, &err);
    if (st != FS_OK) {
        fprintf(stderr, "fairshake-refmodel: %s\n", err.msg);
        return exit_code(st);
    }
    if (!opts.quiet) {
        print_summary(&models, &opts);
    }
    /* Block before any server thread exists, so every thread inherits the mask. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    code = serve(&opts, &models, &stop);
    refmodel_models_dispose(&models);
    return code;
}
