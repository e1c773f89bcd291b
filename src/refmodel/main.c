/* fairshake-refmodel: the reference model server used by the demo and the tests. It
 * trains the nb-sentiment classifier from a JSONL file, serves it over an
 * OpenAI-compatible HTTP API on a loopback address, prints one "listening on" line to
 * stdout, and runs until SIGINT or SIGTERM. The signals are blocked in every thread and
 * taken synchronously with sigwait() by the main thread, so no handler and no global
 * flag is needed. Exit codes: 0 clean stop, 2 bad usage or training data, 3 any other
 * failure. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "refmodel/nb.h"
#include "refmodel/opts.h"
#include "refmodel/server.h"

static int exit_code(fs_status st)
{
    return (st == FS_ERR_USAGE || st == FS_ERR_CONFIG || st == FS_ERR_INPUT) ? 2 : 3;
}

static void print_summary(const refmodel_nb *nb, const char *path)
{
    fprintf(stderr,
            "fairshake-refmodel: trained %s on %zu documents from %s: vocabulary %zu, "
            "%zu classes (",
            REFMODEL_MODEL_NAME, refmodel_nb_doc_count(nb), path, refmodel_nb_vocab_size(nb),
            refmodel_nb_class_count(nb));
    for (size_t i = 0; i < refmodel_nb_class_count(nb); i++) {
        fprintf(stderr, "%s%s", i > 0 ? ", " : "", refmodel_nb_label(nb, i));
    }
    fprintf(stderr, ")\n");
}

/* Serve until SIGINT or SIGTERM arrives. The signals must already be blocked. */
static int serve(const refmodel_opts *opts, const refmodel_nb *nb, const sigset_t *stop)
{
    refmodel_server *server = NULL;
    fs_error err;
    int sig = 0;
    fs_error_clear(&err);
    fs_status st = refmodel_server_start(&server, opts, nb, &err);
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
    refmodel_nb *nb = NULL;
    fs_error err;
    sigset_t stop;
    int code = 0;
    refmodel_opts_init(&opts);
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
    const char *path = opts.train_path != NULL ? opts.train_path : refmodel_default_train_path();
    st = refmodel_nb_train_file(&nb, path, &err);
    if (st != FS_OK) {
        fprintf(stderr, "fairshake-refmodel: %s\n", err.msg);
        return exit_code(st);
    }
    if (!opts.quiet) {
        print_summary(nb, path);
    }
    /* Block before any server thread exists, so every thread inherits the mask. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    code = serve(&opts, nb, &stop);
    refmodel_nb_free(nb);
    return code;
}
