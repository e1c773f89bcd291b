/* store.store: opening, ownership by config hash, --fresh, batching, persistence and
 * failures on unusable paths. */
#include "fs_test.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fairshake/core.h"
#include "fairshake/store.h"
#include "store_fixture.h"

static int64_t count_variants(fs_store *s)
{
    int64_t nv = -1, no = -1;
    CU_ASSERT_EQUAL(fs_store_counts(s, NULL, &nv, &no, NULL), FS_OK);
    return nv;
}

static void test_store_store__create_open_close(void)
{
    char path[512];
    fs_store *s = store_fixture_open(path, sizeof path, "create");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char *v = NULL;
    CU_ASSERT_EQUAL(fs_store_meta_get(s, "missing", &v, NULL), FS_OK);
    CU_ASSERT_PTR_NULL(v);
    CU_ASSERT_EQUAL(fs_store_meta_set(s, "config", "{\"name\":\"é\"}", NULL), FS_OK);
    struct stat sb;
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", path);
    CU_ASSERT_EQUAL(fs_store_flush(s, NULL), FS_OK);
    CU_ASSERT_EQUAL(stat(wal, &sb), 0); /* WAL mode keeps a -wal file while open */
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
    CU_ASSERT_EQUAL(stat(path, &sb), 0);

    fs_error err = { 0 };
    s = NULL;
    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, "h1", false, &err), FS_OK);
    CU_ASSERT_EQUAL(fs_store_meta_get(s, "config", &v, NULL), FS_OK);
    CU_ASSERT_TRUE(store_fixture_str_is(v, "{\"name\":\"é\"}"));
    fs_free(v);
    CU_ASSERT_EQUAL(fs_store_meta_get(s, "config_hash", &v, NULL), FS_OK);
    CU_ASSERT_TRUE(store_fixture_str_is(v, "h1"));
    fs_free(v);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
    fs_store_free(NULL);
    CU_ASSERT_EQUAL(fs_store_close(NULL, NULL), FS_OK);
}

static void test_store_store__other_config_refused_fresh_accepted(void)
{
    char path[512];
    fs_store *s = NULL;
    fs_error err = { 0 };
    store_fixture_path(path, sizeof path, "owner");
    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, "0123456789abcdef0123", false, &err), FS_OK);
    fs_variant v = store_fixture_variant("r1", 0, "clean", "hello");
    int64_t id = 0;
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &id, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);

    s = (fs_store *)&err; /* must be reset to NULL on failure */
    CU_ASSERT_EQUAL(fs_store_open(&s, path, "fedcba", false, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(
        err.msg, "this run store belongs to another config (hash 0123456789ab\xE2\x80\xA6)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "use --fresh to discard it"));

    /* NULL hash: open whatever config made it, without claiming it */
    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, NULL, false, &err), FS_OK);
    CU_ASSERT_EQUAL(count_variants(s), 1);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);

    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, "fedcba", true, &err), FS_OK);
    CU_ASSERT_EQUAL(count_variants(s), 0);
    char *h = NULL;
    CU_ASSERT_EQUAL(fs_store_meta_get(s, "config_hash", &h, NULL), FS_OK);
    CU_ASSERT_TRUE(store_fixture_str_is(h, "fedcba"));
    fs_free(h);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_open(&s, path, "0123456789abcdef0123", false, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "(hash fedcba)"));
}

static void test_store_store__data_survives_reopen(void)
{
    char path[512];
    fs_store *s = store_fixture_open(path, sizeof path, "reopen");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fs_variant v = store_fixture_variant("r1", 0, "clean", "Grüße aus Köln 🌧");
    int64_t id = 0, again = 0;
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &id, NULL), FS_OK);
    fs_outcome o = { id, "t", FS_OK, 200, "ja", "ja", 1.0, 1, NULL, false, -1, -1 };
    CU_ASSERT_EQUAL(fs_store_put_outcome(s, &o, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_cache_put(s, "abc", "body", 4, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);

    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, "h1", false, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &again, NULL), FS_OK);
    CU_ASSERT_EQUAL(again, id);
    bool has = false;
    CU_ASSERT_EQUAL(fs_store_has_outcome(s, id, "t", &has, NULL), FS_OK);
    CU_ASSERT_TRUE(has);
    char *body = NULL;
    CU_ASSERT_EQUAL(fs_store_cache_get(s, "abc", &body, NULL), FS_OK);
    CU_ASSERT_TRUE(store_fixture_str_is(body, "body"));
    fs_free(body);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
}

static void put_n_variants(fs_store *s, int from, int to)
{
    for (int i = from; i < to; i++) {
        char rid[32];
        snprintf(rid, sizeof rid, "r%d", i);
        fs_variant v = store_fixture_variant(rid, (uint64_t)i, "clean", "x");
        int64_t id = 0;
        CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &id, NULL), FS_OK);
    }
}

static void test_store_store__batches_commit_every_4096_writes(void)
{
    char path[512];
    fs_store *s = store_fixture_open(path, sizeof path, "batch");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fs_store *reader = NULL;
    if (fs_store_open(&reader, path, "h1", false, NULL) != FS_OK) {
        CU_FAIL("cannot open a second connection to the store");
        fs_store_free(s);
        return;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    put_n_variants(s, 0, 4100);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CU_ASSERT_EQUAL(count_variants(s), 4100); /* the writer sees its own batch */
    int64_t seen = count_variants(reader);
    CU_ASSERT(seen > 0 && seen < 4100); /* committed batches only */
    if ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 190) {
        CU_ASSERT_EQUAL(seen, 4096); /* fast enough that no batch grew old: one full batch */
    }
    CU_ASSERT_EQUAL(fs_store_flush(s, NULL), FS_OK);
    CU_ASSERT_EQUAL(count_variants(reader), 4100);
    put_n_variants(s, 4100, 4110);
    fs_store_free(s); /* rolls back the pending 10 */
    CU_ASSERT_EQUAL(count_variants(reader), 4100);
    CU_ASSERT_EQUAL(fs_store_close(reader, NULL), FS_OK);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* A batch that stops growing is committed once it is 200 ms old: by the next write, or by
 * fs_store_tick() while the run waits. */
static void test_store_store__old_batch_commits_on_tick_and_write(void)
{
    char path[512];
    long wait = 0;
    fs_store *s = store_fixture_open(path, sizeof path, "tick");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fs_store *reader = NULL;
    if (fs_store_open(&reader, path, "h1", false, NULL) != FS_OK) {
        CU_FAIL("cannot open a second connection to the store");
        fs_store_free(s);
        return;
    }
    CU_ASSERT_EQUAL(fs_store_tick(s, &wait, NULL), FS_OK);
    CU_ASSERT_EQUAL(wait, -1); /* nothing pending */
    put_n_variants(s, 0, 3);
    CU_ASSERT_EQUAL(fs_store_tick(s, &wait, NULL), FS_OK);
    CU_ASSERT(wait > 0 && wait <= 201);
    CU_ASSERT_EQUAL(count_variants(reader), 0);
    sleep_ms(wait);
    CU_ASSERT_EQUAL(fs_store_tick(s, &wait, NULL), FS_OK);
    CU_ASSERT_EQUAL(wait, -1);
    CU_ASSERT_EQUAL(count_variants(reader), 3);
    put_n_variants(s, 3, 4);
    sleep_ms(210);
    put_n_variants(s, 4, 5); /* the batch is old: this write commits it */
    CU_ASSERT_EQUAL(count_variants(reader), 5);
    CU_ASSERT_EQUAL(fs_store_tick(NULL, &wait, NULL), FS_OK);
    CU_ASSERT_EQUAL(wait, -1);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_close(reader, NULL), FS_OK);
}

static void fill_10k(fs_store *s)
{
    for (int i = 0; i < 10000; i++) {
        char rid[32];
        snprintf(rid, sizeof rid, "rec-%05d", i);
        fs_variant v = store_fixture_variant(rid, (uint64_t)i, i % 2 ? "typo" : "clean",
                                             "Ein schöner Tag — 良い一日 ☀");
        int64_t id = 0;
        CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &id, NULL), FS_OK);
        fs_outcome o = { id, "t", FS_OK, 200, "positive", "positive", 3.5, 1, NULL, false, 10, 1 };
        CU_ASSERT_EQUAL(fs_store_put_outcome(s, &o, NULL), FS_OK);
    }
}

static void test_store_store__ten_thousand_rows_and_silence(void)
{
    char path[512], log[600];
    fs_store *s = store_fixture_open(path, sizeof path, "bulk");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    snprintf(log, sizeof log, "%s/bulk.out", fs_test_tmp_dir());
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || saved_out < 0 || saved_err < 0) {
        CU_FAIL("cannot redirect stdout and stderr to a file");
        close(fd); /* close(-1) fails harmlessly */
        close(saved_out);
        close(saved_err);
        fs_store_free(s);
        return;
    }
    dup2(fd, 1);
    dup2(fd, 2);
    fill_10k(s);
    fs_status st = fs_store_close(s, NULL);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    close(fd);
    CU_ASSERT_EQUAL(st, FS_OK);
    struct stat sb;
    CU_ASSERT_EQUAL(stat(log, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_size, 0);

    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, "h1", false, NULL), FS_OK);
    int64_t nv = 0, no = 0;
    CU_ASSERT_EQUAL(fs_store_counts(s, "t", &nv, &no, NULL), FS_OK);
    CU_ASSERT_EQUAL(nv, 10000);
    CU_ASSERT_EQUAL(no, 10000);
    CU_ASSERT_EQUAL(fs_store_counts(s, "other", &nv, &no, NULL), FS_OK);
    CU_ASSERT_EQUAL(no, 0);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
}

static void test_store_store__missing_directory_fails(void)
{
    char path[600];
    fs_store *s = NULL;
    fs_error err = { 0 };
    snprintf(path, sizeof path, "%s/no-such-dir/run.sqlite", fs_test_tmp_dir());
    CU_ASSERT_EQUAL(fs_store_open(&s, path, "h1", false, &err), FS_ERR_STORE);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unable to open database file"));
}

static void test_store_store__unwritable_paths_fail_cleanly(void)
{
    char file[600], path[700];
    fs_store *s = NULL;
    fs_error err = { 0 };
    snprintf(file, sizeof file, "%s/plain-file", fs_test_tmp_dir());
    FILE *f = fopen(file, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("this is not a database, just some text long enough to have a header......\n"
          "and a second line of it so that SQLite reads a full header page of junk\n",
          f);
    fclose(f);
    /* a path under a regular file: no directory can be made there, even as root */
    snprintf(path, sizeof path, "%s/run.sqlite", file);
    CU_ASSERT_EQUAL(fs_store_open(&s, path, "h1", false, &err), FS_ERR_STORE);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
    /* a file that is not a database */
    CU_ASSERT_EQUAL(fs_store_open(&s, file, "h1", false, &err), FS_ERR_STORE);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, file));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a database"));
    /* a directory */
    CU_ASSERT_EQUAL(fs_store_open(&s, fs_test_tmp_dir(), "h1", false, &err), FS_ERR_STORE);
    CU_ASSERT_PTR_NULL(s);
}

const fs_test_case fs_store_store_tests[] = {
    { "test_store_store__create_open_close", test_store_store__create_open_close },
    { "test_store_store__other_config_refused_fresh_accepted",
      test_store_store__other_config_refused_fresh_accepted },
    { "test_store_store__data_survives_reopen", test_store_store__data_survives_reopen },
    { "test_store_store__batches_commit_every_4096_writes",
      test_store_store__batches_commit_every_4096_writes },
    { "test_store_store__old_batch_commits_on_tick_and_write",
      test_store_store__old_batch_commits_on_tick_and_write },
    { "test_store_store__ten_thousand_rows_and_silence",
      test_store_store__ten_thousand_rows_and_silence },
    { "test_store_store__missing_directory_fails", test_store_store__missing_directory_fails },
    { "test_store_store__unwritable_paths_fail_cleanly",
      test_store_store__unwritable_paths_fail_cleanly },
    { NULL, NULL },
};
