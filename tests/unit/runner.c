/* The CUnit runner shared by every unit suite. CU_basic_run_tests() returns success even
 * when tests fail, so the exit status comes from CU_get_number_of_tests_failed().
 * --fail-alloc-each runs each selected test in forked children, failing its k-th fs_*
 * allocation in turn (see docs/development.md). */
#include "fs_test.h"

#include "core/alloc_test.h"

#include <CUnit/Automated.h>
#include <CUnit/Basic.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FS_TEST_SOURCE_DIR
#define FS_TEST_SOURCE_DIR "."
#endif

const char *fs_test_source_dir(void)
{
    const char *env = getenv("FS_SOURCE_DIR");
    return (env != NULL && env[0] != '\0') ? env : FS_TEST_SOURCE_DIR;
}

const char *fs_test_tmp_dir(void)
{
    static char dir[512];
    if (dir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/fs-unit-%ld", (base && base[0]) ? base : "/tmp",
                 (long)getpid());
        mkdir(dir, 0700);
    }
    return dir;
}

/* ---- --fail-alloc-each (allocation-failure torture) ---- */

/* LeakSanitizer's exit code when it runs standalone (-fsanitize=leak). */
#define FS_LSAN_EXIT 23
/* Seconds a child may run before it counts as a hang (reported as a crash). */
#define FS_ALLOC_CHILD_TIMEOUT 60
/* Lines of a child's stderr shown for the first crash and the first leak of a test. */
#define FS_ALLOC_REPORT_LINES 30
/* Marker a child writes to its stderr when the test's own assertions failed. */
#define FS_ALLOC_ASSERT_MARK "fail-alloc: test assertions failed"

static CU_TestFunc g_torture_fn;
static size_t g_torture_fail_at;

/* The test body under the hook: the hook is armed only while the test function runs. */
static void torture_trampoline(void)
{
    fs__alloc_fail_at(g_torture_fail_at);
    g_torture_fn();
    fs__alloc_hook_off();
}

/* In a child: run one test with allocation fail_at failing (0: count only), write the
 * allocation count to fd_out (if >= 0) and exit 0. Assertion failures are ignored; the
 * CUnit registry is freed first so LeakSanitizer sees only the code under test. */
static void torture_child(const char *suite_name, const fs_test_case *t, size_t fail_at, int fd_out)
{
    g_torture_fn = t->fn;
    g_torture_fail_at = fail_at;
    alarm(FS_ALLOC_CHILD_TIMEOUT);
    if (CU_initialize_registry() != CUE_SUCCESS) {
        _exit(3);
    }
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    if (suite == NULL || CU_add_test(suite, t->name, torture_trampoline) == NULL) {
        _exit(3);
    }
    CU_basic_set_mode(CU_BRM_SILENT);
    CU_basic_run_tests();
    fs__alloc_hook_off();
    if (CU_get_number_of_failures() != 0) {
        fprintf(stderr, "%s\n", FS_ALLOC_ASSERT_MARK);
    }
    CU_cleanup_registry();
    if (fd_out >= 0) {
        size_t n = fs__alloc_count();
        if (write(fd_out, &n, sizeof n) != (ssize_t)sizeof n) {
            _exit(3);
        }
        close(fd_out);
    }
    exit(0); /* exit(), not _exit(): LeakSanitizer runs at exit */
}

/* Print the first lines of a child's captured stderr, indented. */
static void torture_show_log(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    char line[512];
    for (int i = 0; i < FS_ALLOC_REPORT_LINES && fgets(line, sizeof line, f) != NULL; i++) {
        fprintf(stderr, "      | %s", line);
    }
    fclose(f);
}

/* Fork a child for one run; *status gets its wait status. Returns 0, or -1. The child's
 * stdout goes to /dev/null and its stderr to log_path. */
static int torture_fork(const char *suite_name, const fs_test_case *t, size_t fail_at, int fd_out,
                        int fd_close, const char *log_path, int *status)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        if (fd_close >= 0) {
            close(fd_close);
        }
        int null = open("/dev/null", O_WRONLY);
        int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
        }
        if (log >= 0) {
            dup2(log, STDERR_FILENO);
        }
        torture_child(suite_name, t, fail_at, fd_out);
    }
    while (waitpid(pid, status, 0) < 0) {
        /* retry on EINTR */
    }
    return 0;
}

/* True when the child's stderr (at path) holds a line containing needle. */
static int torture_log_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        found = strstr(line, needle) != NULL;
    }
    fclose(f);
    return found;
}

/* Describe a child's end: "" for a clean run, else "leak", "signal N" or "exit N". */
static const char *torture_verdict(int status, const char *log_path, char *buf, size_t cap,
                                   int *leak)
{
    *leak = 0;
    if (WIFSIGNALED(status)) {
        snprintf(buf, cap, "signal %d%s", WTERMSIG(status),
                 WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
        return buf;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
        /* under ASan a leak exits with ASan's exitcode (1 by default), not 23 */
        (WEXITSTATUS(status) == FS_LSAN_EXIT ||
         torture_log_has(log_path, "ERROR: LeakSanitizer: detected memory leaks"))) {
        *leak = 1;
        return "leak";
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return "";
    }
    snprintf(buf, cap, "exit %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return buf;
}

/* Torture one test; adds to *crashes and *leaks. Returns 0, or -1 on a runner error. */
static int torture_test(const char *suite_name, const fs_test_case *t, size_t max_allocs,
                        unsigned *crashes, unsigned *leaks)
{
    char log_path[600];
    snprintf(log_path, sizeof log_path, "%s/fail-alloc.log", fs_test_tmp_dir());
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    int status = 0;
    if (torture_fork(suite_name, t, 0, fds[1], fds[0], log_path, &status) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t got = read(fds[0], &n, sizeof n);
    close(fds[0]);
    char why[64];
    int leak;
    const char *v = torture_verdict(status, log_path, why, sizeof why, &leak);
    if (v[0] != '\0' || got != (ssize_t)sizeof n) {
        printf("%s/%s: baseline run failed (%s)\n", suite_name, t->name,
               v[0] != '\0' ? v : "no count");
        torture_show_log(log_path);
        remove(log_path);
        *leaks += (unsigned)leak;
        *crashes += (unsigned)!leak;
        return 0;
    }
    size_t tries = n < max_allocs ? n : max_allocs;
    unsigned t_crashes = 0, t_leaks = 0;
    for (size_t k = 1; k <= tries; k++) {
        if (torture_fork(suite_name, t, k, -1, -1, log_path, &status) != 0) {
            return -1;
        }
        v = torture_verdict(status, log_path, why, sizeof why, &leak);
        if (v[0] == '\0') {
            continue;
        }
        unsigned *count = leak ? &t_leaks : &t_crashes;
        printf("  %s/%s: allocation %zu/%zu: %s%s\n", suite_name, t->name, k, n, v,
               torture_log_has(log_path, FS_ALLOC_ASSERT_MARK) ? " (after failed assertions)" : "");
        if (*count == 0) {
            torture_show_log(log_path);
        }
        (*count)++;
    }
    printf("%s/%s: %zu allocations, %zu tried%s, %u crashes, %u leaks\n", suite_name, t->name, n,
           tries, tries < n ? " (capped)" : "", t_crashes, t_leaks);
    *crashes += t_crashes;
    *leaks += t_leaks;
    remove(log_path);
    return 0;
}

static int torture_main(const char *only_suite, const char *only_test, const fs_test_suite *suites,
                        size_t n_suites, size_t max_allocs)
{
    (void)fs_test_tmp_dir(); /* resolve once, so the children share the directory */
    unsigned crashes = 0, leaks = 0, ran = 0;
    for (size_t s = 0; s < n_suites; s++) {
        if (only_suite != NULL && strcmp(only_suite, suites[s].name) != 0) {
            continue;
        }
        for (const fs_test_case *t = suites[s].tests; t->name != NULL; t++) {
            if (only_test != NULL && strcmp(only_test, t->name) != 0) {
                continue;
            }
            if (torture_test(suites[s].name, t, max_allocs, &crashes, &leaks) != 0) {
                perror("fail-alloc-each");
                return 1;
            }
            ran++;
        }
    }
    if (ran == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    rmdir(fs_test_tmp_dir()); /* only if the tests left it empty */
    printf("fail-alloc-each: %u tests, %u crashes, %u leaks\n", ran, crashes, leaks);
    return (crashes == 0 && leaks == 0) ? 0 : 1;
}

int fs_test_main(int argc, char **argv, const fs_test_suite *suites, size_t n_suites)
{
    const char *only_suite = NULL, *only_test = NULL;
    int xml = 0, fail_alloc = 0;
    size_t max_allocs = 2000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            only_suite = argv[++i];
        } else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            only_test = argv[++i];
        } else if (strcmp(argv[i], "--xml") == 0) {
            xml = 1;
        } else if (strcmp(argv[i], "--fail-alloc-each") == 0) {
            fail_alloc = 1;
        } else if (strcmp(argv[i], "--fail-alloc-max") == 0 && i + 1 < argc) {
            char *end;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (*end != '\0' || v == 0) {
                fprintf(stderr, "--fail-alloc-max: expected a positive number\n");
                return 2;
            }
            max_allocs = (size_t)v;
        } else {
            fprintf(stderr,
                    "usage: %s [-s SUITE] [-t TEST] [--xml] [--fail-alloc-each "
                    "[--fail-alloc-max N]]\n",
                    argv[0]);
            return 2;
        }
    }
    if (fail_alloc) {
        return torture_main(only_suite, only_test, suites, n_suites, max_allocs);
    }
    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    for (size_t s = 0; s < n_suites; s++) {
        if (only_suite != NULL && strcmp(only_suite, suites[s].name) != 0) {
            continue;
        }
        CU_pSuite suite = CU_add_suite(suites[s].name, NULL, NULL);
        if (suite == NULL) {
            CU_cleanup_registry();
            return 1;
        }
        for (const fs_test_case *t = suites[s].tests; t->name != NULL; t++) {
            if (only_test != NULL && strcmp(only_test, t->name) != 0) {
                continue;
            }
            if (CU_add_test(suite, t->name, t->fn) == NULL) {
                CU_cleanup_registry();
                return 1;
            }
        }
    }
    if (xml) {
        CU_automated_run_tests();
    } else {
        CU_basic_set_mode(CU_BRM_VERBOSE);
        CU_basic_run_tests();
    }
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
