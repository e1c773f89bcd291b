/* e2e.resilience: fairshake run against a faulty, a slow and an absent reference server.
 *
 * What must hold: under injected 429/500/503 answers, dropped connections and malformed
 * bodies every variant ends answered or recorded as an error with its cause, and the
 * counts in report.json agree with the run store; a run killed with SIGKILL at any point
 * resumes without resending what the store already holds and ends with the report of an
 * uninterrupted run; a store made by another config is refused unless --fresh; an
 * unreachable target exits 3 and leaves a store that a later run completes.
 *
 * Every config names its target as ${FAIRSHAKE_REFMODEL_URL}/v1/chat/completions, so the
 * same config file (and config hash) can be pointed at different servers. The number of
 * inference requests a server has seen is read from the id of a probe request: the
 * reference server numbers its answers from 1. */
#include "fs_test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"
#include "fairshake/store.h"
#include "refmodel_fixture.h"

extern char **environ;

#define URL_VAR       "FAIRSHAKE_REFMODEL_URL"
#define N_COND        3 /* clean and the two perturbations of every config here */
#define MAX_RECORDS   512
#define KILL_PARALLEL 4
#define FAULT_RECORDS 100
#define POLL_NS       10000000L /* 10 ms between looks at the store */
#define POLL_MAX      30000     /* give up after this many looks (about 5 minutes) */
#define STORE_BATCH   256       /* writes per store transaction (docs/store.md) */

static const char *const conditions[N_COND] = { "clean", "typo", "case" };

typedef struct run_paths {
    char config[1024];
    char dir[1024];
    char store[1100];
    char report[1100];
} run_paths;

/* What the run store holds for target "nb", per condition and record. */
typedef struct tally {
    int64_t variants, records;
    int64_t answered[N_COND], errors[N_COND], missing[N_COND], pairs[N_COND];
    int64_t cached;                           /* answers served from the response cache */
    int64_t retried;                          /* answers that needed more than one attempt */
    int64_t other_errs;                       /* errors that are not a 200 with a malformed body */
    unsigned char state[N_COND][MAX_RECORDS]; /* 0 no outcome, 1 answered, 2 error */
} tally;

static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    int c;
    while (f != NULL && (c = fgetc(f)) != EOF) {
        n += c == '\n';
    }
    if (f != NULL) {
        fclose(f);
    }
    return n;
}

static size_t dataset_records(void)
{
    char data[1024];
    snprintf(data, sizeof data, "%s/examples/sentiment/test.jsonl", fs_test_source_dir());
    return count_lines(data);
}

/* A classification config over the sentiment sample with a group field and two
 * perturbations; file name and report directory are chosen separately so that two
 * configs can share one store. */
static bool write_config_run(run_paths *p, const char *file, const char *dir, int parallel,
                             int retries, int seed, const char *run_extra);

static bool write_config(run_paths *p, const char *file, const char *dir, int parallel, int retries,
                         int seed)
{
    return write_config_run(p, file, dir, parallel, retries, seed, "");
}

/* write_config() with more "run" settings (run_extra: ", \"key\": value..."). */
static bool write_config_run(run_paths *p, const char *file, const char *dir, int parallel,
                             int retries, int seed, const char *run_extra)
{
    char text[4096];
    snprintf(p->config, sizeof p->config, "%s/%s.json", fs_test_tmp_dir(), file);
    snprintf(p->dir, sizeof p->dir, "%s/%s", fs_test_tmp_dir(), dir);
    snprintf(p->store, sizeof p->store, "%s/run.sqlite", p->dir);
    snprintf(p->report, sizeof p->report, "%s/report.json", p->dir);
    snprintf(text, sizeof text,
             "{\"name\": \"%s\", \"seed\": %d,\n"
             " \"dataset\": {\"path\": \"%s/examples/sentiment/test.jsonl\",\n"
             "   \"fields\": {\"input\": \"text\", \"label\": \"label\", \"id\": \"id\",\n"
             "     \"group\": \"author_gender\"}},\n"
             " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", "
             "\"negative\"],\n"
             "   \"prompt\": \"Is the sentiment of this review positive or negative?\\nText: "
             "{{input}}\\nAnswer:\"},\n"
             " \"targets\": [{\"name\": \"nb\", \"type\": \"openai-chat\",\n"
             "   \"url\": \"${" URL_VAR "}/v1/chat/completions\", \"model\": \"nb-sentiment\"}],\n"
             " \"perturbations\": [{\"name\": \"typo\", \"rate\": 0.1}, {\"name\": \"case\"}],\n"
             " \"run\": {\"concurrency\": %d, \"timeout_ms\": 10000, \"retries\": %d%s},\n"
             " \"report\": {\"dir\": \"%s\", \"formats\": [\"json\"]}}\n",
             file, seed, fs_test_source_dir(), parallel, retries, run_extra, p->dir);
    return e2e_write_file(p->config, text);
}

/* fairshake run CONFIG --quiet OPTS... with the target URL in the environment. Returns the
 * exit code; *err_out (when not NULL) returns owned stderr (fs_free). */
static int run_config(const run_paths *p, const char *url, const char *const *opts, char **err_out)
{
    char env_url[256];
    const char *args[16] = { "run", p->config, "--quiet" };
    size_t n = 3;
    for (size_t i = 0; opts != NULL && opts[i] != NULL && n < 15; i++) {
        args[n++] = opts[i];
    }
    args[n] = NULL;
    snprintf(env_url, sizeof env_url, "%s=%s", URL_VAR, url);
    const char *env[] = { env_url, NULL };
    e2e_result r;
    bool spawned = e2e_run(&r, args, env);
    int code = spawned ? r.exit_code : -2;
    if (err_out != NULL) {
        *err_out = r.err;
        r.err = NULL;
    }
    e2e_result_dispose(&r);
    return code;
}

static fs_status tally_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    tally *t = payload;
    int c = 0;
    while (c < N_COND && strcmp(conditions[c], v->perturbation) != 0) {
        c++;
    }
    if (c == N_COND || v->record_index >= MAX_RECORDS) {
        return FS_ERR_INPUT; /* a row no config here makes: stop the walk */
    }
    t->variants++;
    if ((int64_t)v->record_index + 1 > t->records) {
        t->records = (int64_t)v->record_index + 1;
    }
    if (o == NULL) {
        t->missing[c]++;
        return FS_OK;
    }
    if (o->status == FS_OK) {
        t->answered[c]++;
        t->cached += o->cached;
        t->retried += o->attempts > 1;
        t->state[c][v->record_index] = 1;
        return FS_OK;
    }
    t->errors[c]++;
    t->state[c][v->record_index] = 2;
    if (o->http_status != 200 || o->error == NULL || strstr(o->error, "not valid JSON") == NULL) {
        t->other_errs++;
    }
    return FS_OK;
}

/* Walk the store as a report rebuild does (no config hash) and count what it holds. */
static bool store_tally(tally *t, const char *path)
{
    fs_store *s = NULL;
    memset(t, 0, sizeof *t);
    if (fs_store_open(&s, path, NULL, false, NULL) != FS_OK) {
        return false;
    }
    fs_status st = fs_store_each(s, "nb", tally_row, t, NULL);
    fs_store_free(s);
    for (int c = 0; c < N_COND; c++) {
        for (int64_t r = 0; r < t->records; r++) {
            t->pairs[c] += t->state[0][r] == 1 && t->state[c][r] == 1;
        }
    }
    return st == FS_OK;
}

static int64_t answered_total(const tally *t)
{
    return t->answered[0] + t->answered[1] + t->answered[2];
}

/* The number of inference requests the server answered before this probe, read from the
 * id of the probe's own answer; -1 on failure. */
static long long server_requests(const fs_test_refmodel *rm)
{
    static const char body[] = "{\"messages\": [{\"role\": \"user\", \"content\": \"probe\"}]}";
    char req[512], resp[8192];
    size_t len = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)rm->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int n = snprintf(req, sizeof req,
                     "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     sizeof body - 1, body);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        write(fd, req, (size_t)n) != n) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    ssize_t got;
    while (len + 1 < sizeof resp && (got = read(fd, resp + len, sizeof resp - 1 - len)) > 0) {
        len += (size_t)got;
    }
    close(fd);
    resp[len] = '\0';
    const char *id = strstr(resp, "\"id\":\"chatcmpl-");
    return id != NULL ? strtoll(id + strlen("\"id\":\"chatcmpl-"), NULL, 10) - 1 : -1;
}

/* Start `fairshake run CONFIG --quiet` without waiting; its output goes to DIR.log. */
static pid_t spawn_run(const run_paths *p, const char *url)
{
    char prog[1024], env_url[256], log[1100];
    char *envp[256];
    size_t ne = 0;
    const char *bin = getenv("FS_BIN_DIR");
    snprintf(prog, sizeof prog, "%s/fairshake",
             (bin != NULL && bin[0] != '\0') ? bin : FS_TEST_BIN_DIR);
    snprintf(env_url, sizeof env_url, "%s=%s", URL_VAR, url);
    snprintf(log, sizeof log, "%s.log", p->dir);
    const char *args[] = { prog, "run", p->config, "--quiet", NULL };
    envp[ne++] = env_url;
    for (size_t i = 0; environ[i] != NULL && ne < 255; i++) {
        envp[ne++] = environ[i];
    }
    envp[ne] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, prog, &fa, NULL, (char *const *)args, envp);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

/* Look at the store every 10 ms until it holds at least want outcomes (true), the run
 * ends by itself (false, *status set) or time runs out (false). */
static bool wait_for_outcomes(fs_store *s, pid_t pid, int64_t want, bool *exited, int *status)
{
    const struct timespec pause = { 0, POLL_NS };
    *exited = false;
    for (int i = 0; i < POLL_MAX; i++) {
        int64_t variants = 0, outcomes = 0;
        if (fs_store_counts(s, NULL, &variants, &outcomes, NULL) == FS_OK && outcomes >= want) {
            return true;
        }
        if (waitpid(pid, status, WNOHANG) == pid) {
            *exited = true;
            return false;
        }
        nanosleep(&pause, NULL);
    }
    return false;
}

/* Remove what legitimately differs between two runs of one config: provenance (times,
 * host, requests sent), every latency summary, and the target URL (the servers listen on
 * different ports). */
static void strip_volatile(cJSON *node)
{
    cJSON_DeleteItemFromObjectCaseSensitive(node, "latency_ms");
    for (cJSON *c = node->child; c != NULL; c = c->next) {
        strip_volatile(c);
    }
}

static void strip_report(cJSON *rep)
{
    cJSON_DeleteItemFromObjectCaseSensitive(rep, "provenance");
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(rep, "targets");
    for (cJSON *t = targets != NULL ? targets->child : NULL; t != NULL; t = t->next) {
        cJSON_DeleteItemFromObjectCaseSensitive(t, "url");
    }
    strip_volatile(rep);
}

/* Print where two reports first differ, to make a failed comparison readable. */
static bool first_difference(const cJSON *a, const cJSON *b, const char *path)
{
    char sub[512];
    if (cJSON_Compare(a, b, true)) {
        return false;
    }
    if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
        for (const cJSON *x = a->child; x != NULL; x = x->next) {
            snprintf(sub, sizeof sub, "%s.%s", path, x->string);
            if (first_difference(x, cJSON_GetObjectItemCaseSensitive(b, x->string), sub)) {
                return true;
            }
        }
    } else if (cJSON_IsArray(a) && cJSON_IsArray(b) &&
               cJSON_GetArraySize(a) == cJSON_GetArraySize(b)) {
        const cJSON *y = b->child;
        int i = 0;
        for (const cJSON *x = a->child; x != NULL; x = x->next, y = y->next, i++) {
            snprintf(sub, sizeof sub, "%s.%d", path, i);
            if (first_difference(x, y, sub)) {
                return true;
            }
        }
    }
    fprintf(stderr, "reports differ at %s\n", path);
    return true;
}

/* One condition of the report against the store: every record answered or an error,
 * nothing missing, n as the schema defines it (clean: answers; a perturbation: pairs with
 * both answers), and error causes (malformed bodies only) that add up to the errors. */
static void check_condition(const cJSON *cond, const tally *t, int c, int64_t records)
{
    CU_ASSERT_EQUAL(t->answered[c] + t->errors[c], records);
    CU_ASSERT_EQUAL(t->missing[c], 0);
    CU_ASSERT_EQUAL(e2e_num(cond, "missing"), 0);
    CU_ASSERT_EQUAL(e2e_num(cond, "errors"), (double)t->errors[c]);
    CU_ASSERT_EQUAL(e2e_num(cond, "n"), (double)(c == 0 ? t->answered[0] : t->pairs[c]));
    double causes = 0;
    const cJSON *list = e2e_get(cond, "error_causes");
    CU_ASSERT_FATAL(cJSON_IsArray(list));
    for (const cJSON *e = list->child; e != NULL; e = e->next) {
        const char *msg = cJSON_GetStringValue(e2e_get(e, "message"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "not valid JSON"));
        causes += e2e_num(e, "count");
    }
    CU_ASSERT_EQUAL(causes, e2e_num(cond, "errors"));
}

/* A fifth of the answers 429/500/503, 5% dropped connections, 5% malformed bodies: the
 * run finishes, transient faults are retried away, malformed bodies are errors with their
 * cause, and every figure of report.json matches the store. */
static void test_e2e_resilience__fault_counts_add_up(void)
{
    fs_test_refmodel rm;
    run_paths p;
    tally t;
    const char *faults[] = {
        "--fault-rate", "0.2",        "--drop-rate", "0.05",          "--malformed-rate",
        "0.05",         "--delay-ms", "5",           "--retry-after", "0",
        "--seed",       "11",         NULL
    };
    const char *opts[] = { "--fresh", "--limit", "100", NULL };
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, faults));
    CU_ASSERT_FATAL(write_config(&p, "faults", "faults", 8, 10, 42));
    int code = run_config(&p, rm.base_url, opts, NULL);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 0);
    cJSON *rep = e2e_read_json(p.report);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    CU_ASSERT_FATAL(store_tally(&t, p.store));
    /* No record lost: each has its three variants, each variant an outcome. */
    CU_ASSERT_EQUAL(t.records, FAULT_RECORDS);
    CU_ASSERT_EQUAL(t.variants, N_COND * FAULT_RECORDS);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.records"), FAULT_RECORDS);
    const cJSON *clean = e2e_get(rep, "targets.0.clean");
    check_condition(clean, &t, 0, FAULT_RECORDS);
    CU_ASSERT_EQUAL(e2e_num(clean, "n") + e2e_num(clean, "errors") + e2e_num(clean, "missing"),
                    FAULT_RECORDS);
    const cJSON *rob = e2e_get(rep, "targets.0.robustness");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(rob), N_COND - 1);
    for (int c = 1; c < N_COND; c++) {
        const cJSON *r = cJSON_GetArrayItem(rob, c - 1);
        CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(r, "perturbation")), conditions[c]);
        check_condition(r, &t, c, FAULT_RECORDS);
    }
    /* The faults did happen: some answers needed retries, some bodies were malformed, and
     * nothing else ended as an error. */
    int64_t errors = t.errors[0] + t.errors[1] + t.errors[2];
    CU_ASSERT(t.retried > 0);
    CU_ASSERT(errors > 0);
    CU_ASSERT_EQUAL(t.other_errs, 0);
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(rep, "targets.0.error_rate"),
                           (double)errors / (double)t.variants, 1e-12);
    CU_ASSERT_EQUAL(e2e_num(rep, "provenance.requests_sent") +
                        e2e_num(rep, "provenance.cache_hits"),
                    (double)t.variants);
    cJSON_Delete(rep);
}

typedef struct killed_run {
    int64_t total;         /* variants of the whole run */
    int64_t want;          /* outcomes in the store when the kill was ordered */
    tally kept;            /* what the store held after the kill */
    long long server_seen; /* requests the server got from the killed run */
} killed_run;

/* Start the run, SIGKILL it once the store holds k->want outcomes, and count what the
 * store kept. The test creates the store (schema only) before the run starts, so that
 * looking at it never races the run creating it. */
static bool start_and_kill(killed_run *k, const run_paths *p, const fs_test_refmodel *rm)
{
    fs_store *s = NULL;
    bool exited = false;
    int status = 0;
    if (mkdir(p->dir, 0700) != 0 || fs_store_open(&s, p->store, NULL, false, NULL) != FS_OK) {
        return false;
    }
    pid_t pid = spawn_run(p, rm->base_url);
    bool reached = pid > 0 && wait_for_outcomes(s, pid, k->want, &exited, &status);
    if (pid > 0 && !exited) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    fs_store_close(s, NULL);
    CU_ASSERT(reached);
    CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    k->server_seen = server_requests(rm);
    return reached && store_tally(&k->kept, p->store);
}

/* The resumed run sent exactly what the store lacked, each once; the killed run lost at
 * most one uncommitted store batch plus the requests in flight (docs/store.md). */
static void check_resume(const cJSON *rep, const killed_run *k, long long server_after)
{
    int64_t kept = answered_total(&k->kept);
    int64_t kept_sent = kept - k->kept.cached;
    double sent = e2e_num(rep, "provenance.requests_sent");
    double hits = e2e_num(rep, "provenance.cache_hits");
    CU_ASSERT(kept >= k->want && kept < k->total);
    CU_ASSERT_EQUAL(k->kept.errors[0] + k->kept.errors[1] + k->kept.errors[2], 0);
    CU_ASSERT_EQUAL(sent + hits, (double)(k->total - kept));
    CU_ASSERT(sent < (double)k->total);
    CU_ASSERT_EQUAL((double)(server_after - k->server_seen - 1), sent);
    CU_ASSERT(k->server_seen >= kept_sent);
    CU_ASSERT(k->server_seen - kept_sent <= STORE_BATCH + KILL_PARALLEL);
    CU_ASSERT(k->server_seen + sent <= (double)(k->total + STORE_BATCH + KILL_PARALLEL));
}

/* The report of an uninterrupted run of the same config file, against a server without
 * delay, written to another directory. Returns owned (cJSON_Delete) or NULL. */
static cJSON *reference_report(const run_paths *p)
{
    fs_test_refmodel fast;
    char dir[1100], path[1200];
    snprintf(dir, sizeof dir, "%s-reference", p->dir);
    snprintf(path, sizeof path, "%s/report.json", dir);
    const char *opts[] = { "--out", dir, NULL };
    if (!fs_test_refmodel_start(&fast, NULL)) {
        return NULL;
    }
    int code = run_config(p, fast.base_url, opts, NULL);
    fs_test_refmodel_stop(&fast);
    return code == 0 ? e2e_read_json(path) : NULL;
}

/* Kill a run against a slow server once a share of its outcomes is stored, resume it, and
 * compare the final report with an uninterrupted run's. */
static void kill_and_resume(const char *name, double share)
{
    fs_test_refmodel slow;
    run_paths p;
    killed_run k;
    const char *delay[] = { "--delay-ms", "20", NULL };
    memset(&k, 0, sizeof k);
    CU_ASSERT_FATAL(fs_test_refmodel_start(&slow, delay));
    CU_ASSERT_FATAL(write_config(&p, name, name, KILL_PARALLEL, 2, 42));
    k.total = (int64_t)(N_COND * dataset_records());
    k.want = (int64_t)(share * (double)k.total);
    bool killed = start_and_kill(&k, &p, &slow);
    int code = killed ? run_config(&p, slow.base_url, NULL, NULL) : -1;
    long long server_after = server_requests(&slow);
    fs_test_refmodel_stop(&slow);
    CU_ASSERT_FATAL(killed);
    CU_ASSERT_EQUAL(code, 0);
    cJSON *rep = e2e_read_json(p.report);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    check_resume(rep, &k, server_after);
    cJSON *ref = reference_report(&p);
    CU_ASSERT_PTR_NOT_NULL(ref);
    if (ref != NULL) {
        strip_report(rep);
        strip_report(ref);
        CU_ASSERT_FALSE(first_difference(rep, ref, "report"));
    }
    cJSON_Delete(ref);
    cJSON_Delete(rep);
}

static void test_e2e_resilience__kill_early_resumes(void)
{
    kill_and_resume("killed-early", 0.08);
}

static void test_e2e_resilience__kill_late_resumes(void)
{
    kill_and_resume("killed-late", 0.75);
}

/* A store made by one config is refused to another (exit 2, naming the store and --fresh)
 * and left untouched; --fresh hands it over. */
static void test_e2e_resilience__other_config_refused(void)
{
    fs_test_refmodel rm;
    run_paths a, b;
    tally t;
    char *msg = NULL;
    const char *limit[] = { "--limit", "10", NULL };
    const char *fresh[] = { "--fresh", "--limit", "10", NULL };
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    CU_ASSERT_FATAL(write_config(&a, "owner", "shared", 4, 2, 42));
    CU_ASSERT_FATAL(write_config(&b, "intruder", "shared", 4, 2, 43));
    CU_ASSERT_EQUAL(run_config(&a, rm.base_url, limit, NULL), 0);
    cJSON *owned = e2e_read_json(a.report);
    CU_ASSERT_EQUAL(run_config(&b, rm.base_url, limit, &msg), 2);
    CU_ASSERT_PTR_NOT_NULL(msg != NULL ? strstr(msg, a.store) : NULL);
    CU_ASSERT_PTR_NOT_NULL(msg != NULL ? strstr(msg, "--fresh") : NULL);
    fs_free(msg);
    /* The refused run changed nothing: the owner resumes with nothing to send. */
    CU_ASSERT_EQUAL(run_config(&a, rm.base_url, limit, NULL), 0);
    cJSON *again = e2e_read_json(a.report);
    CU_ASSERT_EQUAL(e2e_num(again, "provenance.requests_sent"), 0);
    CU_ASSERT_EQUAL(run_config(&b, rm.base_url, fresh, NULL), 0);
    cJSON *taken = e2e_read_json(b.report);
    CU_ASSERT_FATAL(owned != NULL && taken != NULL);
    const char *h1 = cJSON_GetStringValue(e2e_get(owned, "provenance.config_hash"));
    const char *h2 = cJSON_GetStringValue(e2e_get(taken, "provenance.config_hash"));
    CU_ASSERT_FATAL(h1 != NULL && h2 != NULL);
    CU_ASSERT_NOT_EQUAL(strcmp(h1, h2), 0);
    CU_ASSERT_FATAL(store_tally(&t, a.store));
    CU_ASSERT_EQUAL(t.variants, 3 * 10);
    CU_ASSERT_EQUAL(answered_total(&t), 3 * 10);
    /* Now the first config is the stranger. */
    CU_ASSERT_EQUAL(run_config(&a, rm.base_url, limit, NULL), 2);
    fs_test_refmodel_stop(&rm);
    cJSON_Delete(owned);
    cJSON_Delete(again);
    cJSON_Delete(taken);
}

/* A loopback port bound but not listening: connecting to it is refused. Returns the
 * socket (close it to free the port) or -1. */
static int refused_port(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* An unreachable target exits 3 and keeps what the store held; the same config file, with
 * the URL variable pointing at a live server again, completes and sends only the rest. */
static void test_e2e_resilience__unreachable_then_completed(void)
{
    fs_test_refmodel rm;
    run_paths p;
    tally t;
    char *msg = NULL;
    char dead[64];
    int port = 0;
    const char *part[] = { "--limit", "10", NULL };
    const char *all[] = { "--limit", "40", NULL };
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    CU_ASSERT_FATAL(write_config(&p, "unreachable", "unreachable", 8, 1, 42));
    CU_ASSERT_EQUAL(run_config(&p, rm.base_url, part, NULL), 0);
    int fd = refused_port(&port);
    CU_ASSERT_FATAL(fd >= 0);
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d", port);
    int code = run_config(&p, dead, all, &msg);
    close(fd);
    CU_ASSERT_EQUAL(code, 3);
    CU_ASSERT_PTR_NOT_NULL(msg != NULL ? strstr(msg, dead) : NULL);
    fs_free(msg);
    CU_ASSERT_FATAL(store_tally(&t, p.store));
    CU_ASSERT_EQUAL(answered_total(&t), 3 * 10);
    CU_ASSERT(t.variants > 3 * 10 && t.variants <= 3 * 40);
    long long before = server_requests(&rm);
    code = run_config(&p, rm.base_url, all, NULL);
    long long after = server_requests(&rm);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 0);
    cJSON *rep = e2e_read_json(p.report);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    double sent = e2e_num(rep, "provenance.requests_sent");
    CU_ASSERT_EQUAL(sent + e2e_num(rep, "provenance.cache_hits"), 3 * 30);
    CU_ASSERT_EQUAL((double)(after - before - 1), sent);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.clean.n"), 40);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.error_rate"), 0);
    CU_ASSERT_FATAL(store_tally(&t, p.store));
    CU_ASSERT_EQUAL(t.variants, 3 * 40);
    CU_ASSERT_EQUAL(answered_total(&t), 3 * 40);
    cJSON_Delete(rep);
}

/* A server whose quota is gone (every answer a 429 asking to wait 100 s, over the
 * fail_fast limit of 5 s) stops the run at once with exit 3 while 8 requests are in flight:
 * nothing is recorded for them, the store keeps the earlier answers, and the same config
 * against a healthy server completes, sending only what was missing. */
static void test_e2e_resilience__quota_gone_fails_fast_then_resumes(void)
{
    fs_test_refmodel good, gone;
    run_paths p;
    tally t;
    char *msg = NULL;
    const char *part[] = { "--limit", "10", NULL };
    const char *all[] = { "--limit", "40", NULL };
    const char *quota[] = { "--constant", "positive", "--fault-rate", "1", "--retry-after",
                            "100",        NULL };
    CU_ASSERT_FATAL(fs_test_refmodel_start(&good, NULL));
    CU_ASSERT_FATAL(fs_test_refmodel_start(&gone, quota));
    CU_ASSERT_FATAL(write_config_run(&p, "quota", "quota", 8, 3, 42,
                                     ", \"fail_fast\": {\"retry_after_s\": 5}"));
    CU_ASSERT_EQUAL(run_config(&p, good.base_url, part, NULL), 0);
    time_t t0 = time(NULL);
    int code = run_config(&p, gone.base_url, all, &msg);
    double elapsed = difftime(time(NULL), t0);
    CU_ASSERT_EQUAL(code, 3);
    CU_ASSERT_PTR_NOT_NULL(msg != NULL ? strstr(msg, "fail_fast: HTTP 429 asks to wait 100 s")
                                       : NULL);
    CU_ASSERT_PTR_NOT_NULL(msg != NULL ? strstr(msg, "store is intact") : NULL);
    CU_ASSERT(elapsed < 20.0); /* stopped, not waiting out the 100 s */
    fs_free(msg);
    fs_test_refmodel_stop(&gone);
    CU_ASSERT_FATAL(store_tally(&t, p.store));
    CU_ASSERT_EQUAL(answered_total(&t), 3 * 10);
    /* a stop records no error for what was in flight: resume sends it */
    CU_ASSERT_EQUAL(t.errors[0] + t.errors[1] + t.errors[2], 0);
    code = run_config(&p, good.base_url, all, NULL);
    fs_test_refmodel_stop(&good);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_FATAL(store_tally(&t, p.store));
    CU_ASSERT_EQUAL(t.variants, 3 * 40);
    CU_ASSERT_EQUAL(answered_total(&t), 3 * 40);
}

/* A URL where nothing listens, with every request allowed 5 retries: the run stops once
 * no attempt has had a reply for run.fail_fast.unreachable_s, with exit 3 and a message
 * naming the URL, instead of working through 888 requests' retries. */
static void test_e2e_resilience__dead_url_stops_early(void)
{
    run_paths p;
    tally t;
    char *msg = NULL;
    char dead[64];
    int port = 0;
    int fd = refused_port(&port);
    CU_ASSERT_FATAL(fd >= 0);
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d", port);
    CU_ASSERT_FATAL(write_config_run(&p, "dead", "dead", 8, 5, 42,
                                     ", \"fail_fast\": {\"unreachable_s\": 0.5}"));
    time_t t0 = time(NULL);
    int code = run_config(&p, dead, NULL, &msg);
    double elapsed = difftime(time(NULL), t0);
    close(fd);
    CU_ASSERT_EQUAL(code, 3);
    CU_ASSERT_PTR_NOT_NULL(msg != NULL ? strstr(msg, "fail_fast: no reply to any of") : NULL);
    CU_ASSERT_PTR_NOT_NULL(msg != NULL ? strstr(msg, dead) : NULL);
    fs_free(msg);
    CU_ASSERT(elapsed < 15.0);
    CU_ASSERT_FATAL(store_tally(&t, p.store));
    CU_ASSERT_EQUAL(answered_total(&t), 0);
    CU_ASSERT(t.variants < 3 * 296);
}

const fs_test_case fs_e2e_resilience_tests[] = {
    { "test_e2e_resilience__fault_counts_add_up", test_e2e_resilience__fault_counts_add_up },
    { "test_e2e_resilience__kill_early_resumes", test_e2e_resilience__kill_early_resumes },
    { "test_e2e_resilience__kill_late_resumes", test_e2e_resilience__kill_late_resumes },
    { "test_e2e_resilience__other_config_refused", test_e2e_resilience__other_config_refused },
    { "test_e2e_resilience__unreachable_then_completed",
      test_e2e_resilience__unreachable_then_completed },
    { "test_e2e_resilience__quota_gone_fails_fast_then_resumes",
      test_e2e_resilience__quota_gone_fails_fast_then_resumes },
    { "test_e2e_resilience__dead_url_stops_early", test_e2e_resilience__dead_url_stops_early },
    { NULL, NULL },
};
