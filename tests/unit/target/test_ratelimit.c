/* target.ratelimit: the pure rate-limit arithmetic with an injected clock: token buckets
 * (rps without burst, tpm with debt), adaptive concurrency (halve on 429 once per wave,
 * grow back by one after N successes), x-ratelimit-reset durations and the usage scan. */
#include "fs_test.h"

#include <string.h>

#include "target/internal.h"

static void test_target_ratelimit__rps_bucket_spaces_starts(void)
{
    fs_target__bucket b;
    fs_target__bucket_init(&b, 20.0, 1.0, 1000.0);
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 1.0, 1000.0), 0.0, 1e-9);
    fs_target__bucket_take(&b, 1.0, 1000.0);
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 1.0, 1000.0), 50.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 1.0, 1030.0), 20.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 1.0, 1050.0), 0.0, 1e-9);
    /* No burst: a long idle time still allows one start only. */
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 1.0, 9000.0), 0.0, 1e-9);
    fs_target__bucket_take(&b, 1.0, 9000.0);
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 1.0, 9000.0), 50.0, 1e-9);
}

static void test_target_ratelimit__tpm_bucket_goes_into_debt(void)
{
    fs_target__bucket b;
    /* 600 tokens per minute: 10 per second, a minute's worth to start with. */
    fs_target__bucket_init(&b, 600.0 / 60.0, 600.0, 0.0);
    fs_target__bucket_take(&b, 500.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 0.0, 0.0), 0.0, 1e-9);
    fs_target__bucket_take(&b, 300.0, 0.0); /* usage beyond what is left: debt of 200 */
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 0.0, 0.0), 20000.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 0.0, 15000.0), 5000.0, 1e-6);
    /* Giving tokens back (an estimate larger than the real usage) shortens the wait. */
    fs_target__bucket_take(&b, -50.0, 15000.0);
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 0.0, 15000.0), 0.0, 1e-6);
    /* Refill stops at the cap. */
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 600.0, 1e9), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(b.level, 600.0, 1e-9);
    /* An off bucket never waits. */
    fs_target__bucket_init(&b, 0.0, 0.0, 0.0);
    fs_target__bucket_take(&b, 1e9, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(fs_target__bucket_wait_ms(&b, 5.0, 0.0), 0.0, 1e-9);
}

static void test_target_ratelimit__adaptive_concurrency(void)
{
    fs_target__adapt a;
    fs_target__adapt_init(&a, 32, 3);
    CU_ASSERT_EQUAL(a.limit, 32);
    CU_ASSERT_TRUE(fs_target__adapt_throttled(&a, 100.0, 200.0));
    CU_ASSERT_EQUAL(a.limit, 16);
    /* Another 429 of an attempt sent before the cut does not cut again. */
    CU_ASSERT_FALSE(fs_target__adapt_throttled(&a, 150.0, 210.0));
    CU_ASSERT_EQUAL(a.limit, 16);
    CU_ASSERT_TRUE(fs_target__adapt_throttled(&a, 205.0, 300.0));
    CU_ASSERT_EQUAL(a.limit, 8);
    for (double t = 400.0; a.limit > 1; t += 100.0) {
        fs_target__adapt_throttled(&a, t, t + 1.0);
    }
    CU_ASSERT_FALSE(fs_target__adapt_throttled(&a, 5000.0, 5001.0)); /* at least 1 */
    CU_ASSERT_EQUAL(a.limit, 1);
    /* +1 after every 3 successes in a row; a 429 resets the streak. */
    CU_ASSERT_FALSE(fs_target__adapt_success(&a));
    CU_ASSERT_FALSE(fs_target__adapt_success(&a));
    CU_ASSERT_TRUE(fs_target__adapt_success(&a));
    CU_ASSERT_EQUAL(a.limit, 2);
    fs_target__adapt_success(&a);
    fs_target__adapt_success(&a);
    fs_target__adapt_throttled(&a, 4000.0, 6000.0); /* started before the last cut */
    CU_ASSERT_EQUAL(a.limit, 2);
    CU_ASSERT_FALSE(fs_target__adapt_success(&a));
    CU_ASSERT_FALSE(fs_target__adapt_success(&a));
    CU_ASSERT_TRUE(fs_target__adapt_success(&a));
    CU_ASSERT_EQUAL(a.limit, 3);
    for (int i = 0; i < 1000; i++) {
        fs_target__adapt_success(&a);
    }
    CU_ASSERT_EQUAL(a.limit, 32);
    /* grow_after 0: fixed. */
    fs_target__adapt_init(&a, 8, 0);
    CU_ASSERT_FALSE(fs_target__adapt_throttled(&a, 1.0, 2.0));
    CU_ASSERT_EQUAL(a.limit, 8);
}

static void test_target_ratelimit__reset_durations(void)
{
    CU_ASSERT_EQUAL(fs_target__duration_ms("1s"), 1000);
    CU_ASSERT_EQUAL(fs_target__duration_ms("6m0s"), 360000);
    CU_ASSERT_EQUAL(fs_target__duration_ms("20ms"), 20);
    CU_ASSERT_EQUAL(fs_target__duration_ms("1h2m3.5s"), 3723500);
    CU_ASSERT_EQUAL(fs_target__duration_ms(" 0.5s\r\n"), 500);
    CU_ASSERT_EQUAL(fs_target__duration_ms("1.2ms"), 2); /* rounded up */
    CU_ASSERT_EQUAL(fs_target__duration_ms("250us"), 1);
    CU_ASSERT_EQUAL(fs_target__duration_ms("7"), 7000); /* bare seconds */
    CU_ASSERT_EQUAL(fs_target__duration_ms("0s"), 0);
    CU_ASSERT_EQUAL(fs_target__duration_ms(""), -1);
    CU_ASSERT_EQUAL(fs_target__duration_ms("soon"), -1);
    CU_ASSERT_EQUAL(fs_target__duration_ms("5x"), -1);
    CU_ASSERT_EQUAL(fs_target__duration_ms("-1s"), -1);
    CU_ASSERT_EQUAL(fs_target__duration_ms("1s5"), -1);
    CU_ASSERT(fs_target__duration_ms("99999999h") > 1000000000L);
}

static void test_target_ratelimit__usage_scan(void)
{
    int64_t p = 0, c = 0;
    const char *b = "{\"choices\":[{\"text\":\"prompt_tokens\"}],\"usage\": {\"prompt_tokens\": "
                    "12, \"completion_tokens\":3,\"total_tokens\":15}}";
    fs_target__scan_usage(b, strlen(b), &p, &c);
    CU_ASSERT_EQUAL(p, 12);
    CU_ASSERT_EQUAL(c, 3);
    const char *none = "{\"choices\":[{\"text\":\"no usage here\"}]}";
    fs_target__scan_usage(none, strlen(none), &p, &c);
    CU_ASSERT_EQUAL(p, -1);
    CU_ASSERT_EQUAL(c, -1);
    const char *half = "{\"usage\":{\"completion_tokens\":7},\"x\":{\"prompt_tokens\":99}}";
    fs_target__scan_usage(half, strlen(half), &p, &c);
    CU_ASSERT_EQUAL(p, -1); /* outside the usage object */
    CU_ASSERT_EQUAL(c, 7);
    /* The length bounds the scan: the number is cut off. */
    fs_target__scan_usage(b, 20, &p, &c);
    CU_ASSERT_EQUAL(p, -1);
    fs_target__scan_usage(NULL, 0, &p, &c);
    CU_ASSERT_EQUAL(c, -1);
}

const fs_test_case fs_target_ratelimit_tests[] = {
    { "test_target_ratelimit__rps_bucket_spaces_starts",
      test_target_ratelimit__rps_bucket_spaces_starts },
    { "test_target_ratelimit__tpm_bucket_goes_into_debt",
      test_target_ratelimit__tpm_bucket_goes_into_debt },
    { "test_target_ratelimit__adaptive_concurrency", test_target_ratelimit__adaptive_concurrency },
    { "test_target_ratelimit__reset_durations", test_target_ratelimit__reset_durations },
    { "test_target_ratelimit__usage_scan", test_target_ratelimit__usage_scan },
    { NULL, NULL },
};
