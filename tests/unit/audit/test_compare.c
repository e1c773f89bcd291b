/* audit.compare: the pairing of two runs' variants: matched on record and perturbation,
 * paired only when the texts agree, unscored variants left out, several variants per
 * record grouped for the bootstrap, independent of insertion order. */
#include "fs_test.h"

#include <math.h>
#include <string.h>

#include "audit/extra_internal.h"
#include "fairshake/stats.h"

typedef struct spec {
    const char *cond, *id, *pert;
    uint64_t hash;
    int correct;
} spec;

static void fill(fs_audit__cmp_rows *rows, const spec *s, size_t n, bool reverse)
{
    memset(rows, 0, sizeof *rows);
    for (size_t k = 0; k < n; k++) {
        const spec *x = &s[reverse ? n - 1 - k : k];
        CU_ASSERT_EQUAL_FATAL(
            fs_audit__cmp_rows_add(rows, x->cond, x->id, x->pert, x->hash, x->correct, NULL),
            FS_OK);
    }
    fs_audit__cmp_rows_sort(rows);
}

static const spec base[] = {
    { "clean", "r1", "clean", 1, 1 },  { "clean", "r2", "clean", 2, 1 },
    { "clean", "r3", "clean", 3, 0 },  { "clean", "r4", "clean", 4, 1 },
    { "clean", "r5", "clean", 5, -1 }, { "typo", "r1", "typo", 11, 0 },
};
static const spec cand[] = {
    { "clean", "r4", "clean", 4, 1 }, { "clean", "r3", "clean", 3, 1 },
    { "clean", "r2", "clean", 2, 0 }, { "clean", "r1", "clean", 1, 1 },
    { "clean", "r5", "clean", 5, 1 }, { "clean", "r6", "clean", 6, 1 },
    { "typo", "r1", "typo", 99, 1 },
};

static void test_audit_compare__paired_counts(void)
{
    fs_audit__cmp_rows a, b;
    fs_audit__cmp_pairing p;
    fill(&a, base, 6, false);
    fill(&b, cand, 7, true);
    CU_ASSERT_EQUAL_FATAL(fs_audit__cmp_pair(&p, &a, &b, "clean", NULL), FS_OK);
    CU_ASSERT_TRUE(p.paired);
    CU_ASSERT_EQUAL(p.matched, 5);
    CU_ASSERT_EQUAL(p.differ, 0);
    CU_ASSERT_EQUAL(p.pairs, 4); /* r5 is unscored in the baseline, r6 only in the candidate */
    CU_ASSERT_EQUAL(p.both, 2);
    CU_ASSERT_EQUAL(p.a_only, 1);
    CU_ASSERT_EQUAL(p.b_only, 1);
    CU_ASSERT_EQUAL(p.neither, 0);
    CU_ASSERT_EQUAL(p.n_a, 4);
    CU_ASSERT_EQUAL(p.k_a, 3);
    CU_ASSERT_EQUAL(p.n_b, 6);
    CU_ASSERT_EQUAL(p.k_b, 5);
    CU_ASSERT_EQUAL(p.n_records, 4);
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_mcnemar_exact(p.a_only, p.b_only), 1.0, 1e-12);
    fs_audit__cmp_pair_dispose(&p);
    /* A condition whose matched variant differs in text is unpaired. */
    CU_ASSERT_EQUAL_FATAL(fs_audit__cmp_pair(&p, &a, &b, "typo", NULL), FS_OK);
    CU_ASSERT_FALSE(p.paired);
    CU_ASSERT_EQUAL(p.matched, 1);
    CU_ASSERT_EQUAL(p.differ, 1);
    CU_ASSERT_EQUAL(p.pairs, 0);
    CU_ASSERT_EQUAL(p.k_a, 0);
    CU_ASSERT_EQUAL(p.k_b, 1);
    fs_audit__cmp_pair_dispose(&p);
    /* A condition neither run has. */
    CU_ASSERT_EQUAL_FATAL(fs_audit__cmp_pair(&p, &a, &b, "case", NULL), FS_OK);
    CU_ASSERT_FALSE(p.paired);
    CU_ASSERT_EQUAL(p.n_a + p.n_b + p.matched, 0);
    fs_audit__cmp_pair_dispose(&p);
    fs_audit__cmp_rows_dispose(&a);
    fs_audit__cmp_rows_dispose(&b);
}

static void test_audit_compare__one_differing_text_unpairs(void)
{
    spec changed[7];
    memcpy(changed, cand, sizeof changed);
    changed[0].hash = 44; /* r4 clean: another text */
    fs_audit__cmp_rows a, b;
    fs_audit__cmp_pairing p;
    fill(&a, base, 6, false);
    fill(&b, changed, 7, false);
    CU_ASSERT_EQUAL_FATAL(fs_audit__cmp_pair(&p, &a, &b, "clean", NULL), FS_OK);
    CU_ASSERT_FALSE(p.paired);
    CU_ASSERT_EQUAL(p.differ, 1);
    CU_ASSERT_EQUAL(p.pairs, 3);
    fs_audit__cmp_pair_dispose(&p);
    fs_audit__cmp_rows_dispose(&a);
    fs_audit__cmp_rows_dispose(&b);
}

/* Two variants per record: records group their pairs, and the bootstrap interval of a
 * difference that is the same in every resample is that difference. */
static void test_audit_compare__records_group_variants(void)
{
    static const spec wrong[] = {
        { "typo", "r1", "typo", 1, 0 },  { "typo", "r1", "typo#1", 2, 0 },
        { "typo", "r2", "typo", 3, 0 },  { "typo", "r2", "typo#1", 4, 0 },
        { "typo", "r10", "typo", 5, 0 },
    };
    spec right[5];
    memcpy(right, wrong, sizeof right);
    for (size_t i = 0; i < 5; i++) {
        right[i].correct = 1;
    }
    fs_audit__cmp_rows a, b;
    fs_audit__cmp_pairing p;
    fill(&a, wrong, 5, true);
    fill(&b, right, 5, false);
    CU_ASSERT_EQUAL_FATAL(fs_audit__cmp_pair(&p, &a, &b, "typo", NULL), FS_OK);
    CU_ASSERT_TRUE(p.paired);
    CU_ASSERT_EQUAL(p.pairs, 5);
    CU_ASSERT_EQUAL(p.n_records, 3);
    /* Keys sort as r1 (two variants), r10, r2 (two): "r10" is its own record, not r1's. */
    CU_ASSERT_EQUAL(p.starts[0], 0);
    CU_ASSERT_EQUAL(p.starts[1], 2);
    CU_ASSERT_EQUAL(p.starts[2], 3);
    CU_ASSERT_EQUAL(p.starts[3], 5);
    CU_ASSERT_EQUAL(p.b_only, 5);
    double lo = NAN, hi = NAN;
    CU_ASSERT_EQUAL(fs_audit__cmp_pair_ci(&lo, &hi, &p, 200, 7, NULL), FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(lo, 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(hi, 1.0, 1e-12);
    fs_audit__cmp_pair_dispose(&p);
    /* Same correctness in both runs: a zero-width interval at 0. */
    CU_ASSERT_EQUAL_FATAL(fs_audit__cmp_pair(&p, &a, &a, "typo", NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_audit__cmp_pair_ci(&lo, &hi, &p, 200, 7, NULL), FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(lo, 0.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(hi, 0.0, 1e-12);
    fs_audit__cmp_pair_dispose(&p);
    fs_audit__cmp_rows_dispose(&a);
    fs_audit__cmp_rows_dispose(&b);
}

static void test_audit_compare__mixed_ci_is_within_bounds(void)
{
    fs_audit__cmp_rows a, b;
    fs_audit__cmp_pairing p;
    fill(&a, base, 6, false);
    fill(&b, cand, 7, false);
    CU_ASSERT_EQUAL_FATAL(fs_audit__cmp_pair(&p, &a, &b, "clean", NULL), FS_OK);
    double lo = NAN, hi = NAN, lo2 = NAN, hi2 = NAN;
    CU_ASSERT_EQUAL(fs_audit__cmp_pair_ci(&lo, &hi, &p, 500, 3, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_audit__cmp_pair_ci(&lo2, &hi2, &p, 500, 3, NULL), FS_OK);
    CU_ASSERT_TRUE(lo < 0.0 && hi > 0.0 && lo >= -1.0 && hi <= 1.0);
    CU_ASSERT_DOUBLE_EQUAL(lo, lo2, 0.0); /* seeded: the same interval every time */
    CU_ASSERT_DOUBLE_EQUAL(hi, hi2, 0.0);
    fs_audit__cmp_pair_dispose(&p);
    fs_audit__cmp_rows_dispose(&a);
    fs_audit__cmp_rows_dispose(&b);
}

const fs_test_case fs_audit_compare_tests[] = {
    { "test_audit_compare__paired_counts", test_audit_compare__paired_counts },
    { "test_audit_compare__one_differing_text_unpairs",
      test_audit_compare__one_differing_text_unpairs },
    { "test_audit_compare__records_group_variants", test_audit_compare__records_group_variants },
    { "test_audit_compare__mixed_ci_is_within_bounds",
      test_audit_compare__mixed_ci_is_within_bounds },
    { NULL, NULL },
};
