/* refmodel.opts: the command line of fairshake-refmodel. */
#include "fs_test.h"

#include <string.h>

#include "refmodel/opts.h"

static fs_status parse(refmodel_opts *o, char **argv, fs_error *err)
{
    int argc = 0;
    while (argv[argc] != NULL) {
        argc++;
    }
    refmodel_opts_init(o);
    return refmodel_opts_parse(o, argc, argv, err);
}

static void test_refmodel_opts__defaults(void)
{
    refmodel_opts o;
    char *argv[] = { "fairshake-refmodel", NULL };
    CU_ASSERT_EQUAL_FATAL(parse(&o, argv, NULL), FS_OK);
    CU_ASSERT_EQUAL(o.port, 0);
    CU_ASSERT_STRING_EQUAL(o.host, "127.0.0.1");
    CU_ASSERT_PTR_NULL(o.train_path);
    CU_ASSERT_EQUAL(o.retry_after_s, 1);
    CU_ASSERT_EQUAL(o.threads, 0);
    CU_ASSERT_PTR_NULL(o.constant);
    CU_ASSERT_FALSE(o.quiet || o.help);
    CU_ASSERT_EQUAL(o.fault_rate, 0.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(refmodel_usage(), "--malformed-rate"));
}

static void test_refmodel_opts__every_flag_in_both_forms(void)
{
    refmodel_opts o;
    char *argv[] = { "x",
                     "--port",
                     "8088",
                     "--host=localhost",
                     "--train",
                     "/tmp/t.jsonl",
                     "--fault-rate=0.25",
                     "--drop-rate",
                     "1",
                     "--malformed-rate",
                     "0",
                     "--delay-ms=150",
                     "--retry-after",
                     "3",
                     "--seed",
                     "18446744",
                     "--threads=8",
                     "--constant",
                     "positive",
                     "--quiet",
                     "--help",
                     NULL };
    CU_ASSERT_EQUAL_FATAL(parse(&o, argv, NULL), FS_OK);
    CU_ASSERT_EQUAL(o.port, 8088);
    CU_ASSERT_STRING_EQUAL(o.host, "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(o.train_path, "/tmp/t.jsonl");
    CU_ASSERT_DOUBLE_EQUAL(o.fault_rate, 0.25, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(o.drop_rate, 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(o.malformed_rate, 0.0, 1e-12);
    CU_ASSERT_EQUAL(o.delay_ms, 150);
    CU_ASSERT_EQUAL(o.retry_after_s, 3);
    CU_ASSERT_EQUAL(o.seed, 18446744u);
    CU_ASSERT_EQUAL(o.threads, 8);
    CU_ASSERT_STRING_EQUAL(o.constant, "positive");
    CU_ASSERT_TRUE(o.quiet && o.help);
}

static void expect_usage(char *flag, char *value, const char *needle)
{
    refmodel_opts o;
    fs_error err;
    char *argv[] = { "x", flag, value, NULL };
    fs_error_clear(&err);
    CU_ASSERT_EQUAL(parse(&o, argv, &err), FS_ERR_USAGE);
    if (strstr(err.msg, needle) == NULL) {
        CU_FAIL("usage error does not name the problem");
    }
}

static void test_refmodel_opts__bad_flags_are_usage_errors(void)
{
    expect_usage("--fault-rat", "1", "did you mean '--fault-rate'");
    expect_usage("--fault-rate", "1.5", "--fault-rate");
    expect_usage("--drop-rate", "-0.1", "--drop-rate");
    expect_usage("--port", "65536", "--port");
    expect_usage("--port", "80x", "--port");
    expect_usage("--delay-ms", "", "--delay-ms");
    expect_usage("--host", "10.1.2.3", "loopback");
    expect_usage("--host", "0.0.0.0", "loopback");
    expect_usage("--host", "example.com", "loopback");
    expect_usage("positional", NULL, "unexpected argument");
    expect_usage("--seed", NULL, "missing value");
    expect_usage("--constant", "posi\xfftive", "not valid UTF-8");
    refmodel_opts o;
    char *argv[] = { "x", "--host", "127.0.0.2", NULL };
    CU_ASSERT_EQUAL(parse(&o, argv, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(o.host, "127.0.0.2");
}

const fs_test_case fs_refmodel_opts_tests[] = {
    { "test_refmodel_opts__defaults", test_refmodel_opts__defaults },
    { "test_refmodel_opts__every_flag_in_both_forms",
      test_refmodel_opts__every_flag_in_both_forms },
    { "test_refmodel_opts__bad_flags_are_usage_errors",
      test_refmodel_opts__bad_flags_are_usage_errors },
    { NULL, NULL },
};
