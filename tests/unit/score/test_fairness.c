/* score.fairness: group metrics on hand-computed confusion tables with every edge case
 * (empty group, no positives, no negatives, zero base rate, all predictions unparsed),
 * the four-fifths boundary, bootstrap determinism and coverage, counterfactual pairs with
 * McNemar exact and mid-p, answer divergence on several scripts, and refusal phrases.
 * Fisher p-values are exact rational sums computed in python3 (see stats.fairness_tests);
 * macro-F1 values follow scikit-learn's rule with labels [0, 1] and zero_division 0. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fairshake/core.h"
#include "fairshake/score.h"
#include "fairshake/stats.h"

#define MAX_RECORDS 1000
#define EPS         1e-12

typedef struct table {
    int gold[MAX_RECORDS], pred[MAX_RECORDS], group[MAX_RECORDS];
    size_t n;
} table;

static void add(table *t, int gold, int pred, int group, size_t count)
{
    for (size_t i = 0; i < count && t->n < MAX_RECORDS; i++) {
        t->gold[t->n] = gold;
        t->pred[t->n] = pred;
        t->group[t->n] = group;
        t->n++;
    }
}

static fs_fairness_input input_of(const table *t, size_t n_groups, int reference)
{
    fs_fairness_input in;
    memset(&in, 0, sizeof in);
    in.gold = t->gold;
    in.pred = t->pred;
    in.group = t->group;
    in.n = t->n;
    in.n_labels = 2;
    in.n_groups = n_groups;
    in.favourable = 1;
    in.reference = reference;
    in.seed = 11;
    in.n_resamples = 400;
    return in;
}

/* Favourable label 1. Group 0 (A): tp 4, fn 2, fp 1, tn 3. Group 1 (B): tp 2, fn 3 (one a
 * parse failure), fp 2, tn 3. Group 2 (C): no positive, fp 2, tn 6. Group 3 (D): empty.
 * Three records have no group.
 *   selection rate: A 5/10, B 4/10, C 2/8       TPR: A 4/6, B 2/5, C none
 *   FPR: A 1/4, B 2/5, C 2/8                    accuracy: A 7/10, B 5/10, C 6/8 */
static void make_groups(table *t)
{
    memset(t, 0, sizeof *t);
    add(t, 1, 1, 0, 4);
    add(t, 1, 0, 0, 2);
    add(t, 0, 1, 0, 1);
    add(t, 0, 0, 0, 3);
    add(t, 1, 1, 1, 2);
    add(t, 1, 0, 1, 2);
    add(t, 1, -1, 1, 1);
    add(t, 0, 1, 1, 2);
    add(t, 0, 0, 1, 3);
    add(t, 0, 1, 2, 2);
    add(t, 0, 0, 2, 6);
    add(t, 1, 1, -1, 3);
}

static const char *const names[] = { "A", "B", "C", "D" };

static bool has(const char *s, const char *part)
{
    return s != NULL && strstr(s, part) != NULL;
}

static void test_score_fairness__group_counts_and_rates(void)
{
    static table t;
    make_groups(&t);
    fs_fairness_input in = input_of(&t, 4, 0);
    in.group_names = names;
    fs_fairness f;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    CU_ASSERT_EQUAL(f.n, 28);
    CU_ASSERT_EQUAL(f.n_excluded, 3);
    CU_ASSERT_EQUAL_FATAL(f.n_groups, 4);
    const fs_fair_group *a = &f.groups[0], *b = &f.groups[1], *c = &f.groups[2], *d = &f.groups[3];
    CU_ASSERT(a->n == 10 && a->positives == 6 && a->negatives == 4);
    CU_ASSERT(a->tp == 4 && a->fn == 2 && a->fp == 1 && a->tn == 3);
    CU_ASSERT(a->predicted_favourable == 5 && a->unparsed == 0);
    CU_ASSERT(b->tp == 2 && b->fn == 3 && b->fp == 2 && b->tn == 3 && b->unparsed == 1);
    CU_ASSERT_DOUBLE_EQUAL(a->selection_rate.value, 0.5, EPS);
    CU_ASSERT_DOUBLE_EQUAL(a->base_rate.value, 0.6, EPS);
    CU_ASSERT_DOUBLE_EQUAL(a->accuracy.value, 0.7, EPS);
    CU_ASSERT_DOUBLE_EQUAL(a->tpr.value, 4.0 / 6.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(a->fpr.value, 0.25, EPS);
    CU_ASSERT_DOUBLE_EQUAL(a->macro_f1.value, 0.6969696969696968, EPS);
    CU_ASSERT_DOUBLE_EQUAL(b->macro_f1.value, 0.5222222222222223, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c->macro_f1.value, 0.42857142857142855, EPS);
    CU_ASSERT_EQUAL(a->tpr.reason[0], '\0');
    /* C: no positives, so TPR is undefined (zero base rate), never 0 */
    CU_ASSERT_EQUAL(c->base_rate.value, 0.0);
    CU_ASSERT(isnan(c->tpr.value));
    CU_ASSERT(has(c->tpr.reason, "group 'C' has no positive records (zero base rate)"));
    CU_ASSERT_DOUBLE_EQUAL(c->fpr.value, 0.25, EPS);
    /* D: empty, every rate undefined with a reason */
    CU_ASSERT_EQUAL(d->n, 0);
    CU_ASSERT(isnan(d->selection_rate.value) && isnan(d->accuracy.value));
    CU_ASSERT(isnan(d->macro_f1.value) && isnan(d->tpr.value) && isnan(d->fpr.value));
    CU_ASSERT(has(d->selection_rate.reason, "group 'D' has no records"));
    CU_ASSERT(has(d->fpr.reason, "group 'D' has no negative records"));
    fs_fairness_dispose(&f);
}

static void test_score_fairness__gaps_between_groups(void)
{
    static table t;
    make_groups(&t);
    fs_fairness_input in = input_of(&t, 4, 0);
    fs_fairness f;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    /* selection: max A 0.5, min C 0.25 (D has no rate and is left out) */
    const fs_fair_gap *dp = &f.demographic_parity_difference;
    CU_ASSERT_DOUBLE_EQUAL(dp->value.value, 0.25, EPS);
    CU_ASSERT(dp->group_a == 0 && dp->group_b == 2);
    CU_ASSERT_STRING_EQUAL(dp->test, FS_STATS_TEST_FISHER);
    CU_ASSERT_DOUBLE_EQUAL(dp->p_value, 0.3665158371040724, 1e-12);
    CU_ASSERT_EQUAL(f.demographic_parity_ratio.value.value, 0.5);
    /* TPR: A 4/6, B 2/5 (C has no positives) */
    const fs_fair_gap *eo = &f.equal_opportunity_difference;
    CU_ASSERT_DOUBLE_EQUAL(eo->value.value, 4.0 / 6.0 - 0.4, EPS);
    CU_ASSERT(eo->group_a == 0 && eo->group_b == 1);
    CU_ASSERT_DOUBLE_EQUAL(eo->p_value, 0.5670995670995671, 1e-12);
    /* FPR: max B 0.4; min 0.25 shared by A and C, the tie goes to the higher index */
    CU_ASSERT_DOUBLE_EQUAL(f.fpr_difference.value.value, 0.15, EPS);
    CU_ASSERT(f.fpr_difference.group_a == 1 && f.fpr_difference.group_b == 2);
    /* equalized odds: the larger of the two, here the TPR gap, with its test */
    CU_ASSERT_DOUBLE_EQUAL(f.equalized_odds_difference.value.value, 4.0 / 6.0 - 0.4, EPS);
    CU_ASSERT_DOUBLE_EQUAL(f.equalized_odds_difference.p_value, eo->p_value, 0);
    CU_ASSERT_DOUBLE_EQUAL(f.accuracy_difference.value.value, 0.25, EPS);
    CU_ASSERT(f.accuracy_difference.group_a == 2 && f.accuracy_difference.group_b == 1);
    /* every defined gap has an interval around its value */
    const fs_fair_gap *all[] = { dp,
                                 &f.demographic_parity_ratio,
                                 eo,
                                 &f.fpr_difference,
                                 &f.equalized_odds_difference,
                                 &f.accuracy_difference };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        CU_ASSERT(all[i]->ci95[0] <= all[i]->value.value + EPS);
        CU_ASSERT(all[i]->value.value <= all[i]->ci95[1] + EPS);
        CU_ASSERT_EQUAL(all[i]->ci_reason[0], '\0');
    }
    fs_fairness_dispose(&f);
}

static void test_score_fairness__disparate_impact_and_four_fifths(void)
{
    static table t;
    make_groups(&t);
    fs_fairness_input in = input_of(&t, 4, 0);
    fs_fairness f;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    const fs_fair_group *g = f.groups;
    /* A is the highest-rate group: 1, no test against itself */
    CU_ASSERT_EQUAL(g[0].disparate_impact.value.value, 1.0);
    CU_ASSERT(isnan(g[0].disparate_impact.p_value));
    CU_ASSERT(has(g[0].disparate_impact.p_reason, "highest-rate group"));
    CU_ASSERT_FALSE(g[0].four_fifths_flag);
    /* B: 0.4 / 0.5 is exactly 0.8, which the four-fifths rule does not flag */
    CU_ASSERT_EQUAL(g[1].disparate_impact.value.value, 0.8);
    CU_ASSERT_FALSE(g[1].four_fifths_flag);
    CU_ASSERT(g[1].disparate_impact.group_a == 1 && g[1].disparate_impact.group_b == 0);
    CU_ASSERT_DOUBLE_EQUAL(g[1].disparate_impact.p_value, 1.0, 1e-12);
    /* C: 0.25 / 0.5 = 0.5, flagged */
    CU_ASSERT_EQUAL(g[2].disparate_impact.value.value, 0.5);
    CU_ASSERT_TRUE(g[2].four_fifths_flag);
    CU_ASSERT_DOUBLE_EQUAL(g[2].disparate_impact.p_value, 0.3665158371040724, 1e-12);
    /* D: empty */
    CU_ASSERT(isnan(g[3].disparate_impact.value.value));
    CU_ASSERT(has(g[3].disparate_impact.value.reason, "has no records"));
    CU_ASSERT_FALSE(g[3].four_fifths_flag);
    fs_fairness_dispose(&f);

    /* just below the boundary: 79 of 100 against 100 of 100 */
    static table u;
    memset(&u, 0, sizeof u);
    add(&u, 1, 1, 0, 100);
    add(&u, 1, 1, 1, 79);
    add(&u, 1, 0, 1, 21);
    in = input_of(&u, 2, -1);
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(f.groups[1].disparate_impact.value.value, 0.79, EPS);
    CU_ASSERT_TRUE(f.groups[1].four_fifths_flag);
    fs_fairness_dispose(&f);
}

static void test_score_fairness__signed_against_reference(void)
{
    static table t;
    make_groups(&t);
    fs_fairness_input in = input_of(&t, 4, 0);
    in.group_names = names;
    fs_fairness f;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    const fs_fair_group *a = &f.groups[0], *b = &f.groups[1], *c = &f.groups[2];
    CU_ASSERT(isnan(a->selection_rate_diff.value.value));
    CU_ASSERT(has(a->selection_rate_diff.value.reason, "this is the reference group"));
    /* B - A: negative means B receives fewer favourable outcomes */
    CU_ASSERT_DOUBLE_EQUAL(b->selection_rate_diff.value.value, -0.1, EPS);
    CU_ASSERT_DOUBLE_EQUAL(b->accuracy_diff.value.value, -0.2, EPS);
    CU_ASSERT_DOUBLE_EQUAL(b->tpr_diff.value.value, 0.4 - 4.0 / 6.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(b->fpr_diff.value.value, 0.15, EPS);
    CU_ASSERT_DOUBLE_EQUAL(b->average_odds_diff.value.value, -0.05833333333333329, EPS);
    CU_ASSERT(b->tpr_diff.group_a == 1 && b->tpr_diff.group_b == 0);
    CU_ASSERT_DOUBLE_EQUAL(b->accuracy_diff.p_value, 0.6499166468206716, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b->tpr_diff.p_value, 0.5670995670995671, 1e-12);
    CU_ASSERT(isnan(b->average_odds_diff.p_value));
    CU_ASSERT(has(b->average_odds_diff.p_reason, "no exact test"));
    CU_ASSERT(b->average_odds_diff.ci95[0] <= b->average_odds_diff.value.value);
    CU_ASSERT(b->average_odds_diff.value.value <= b->average_odds_diff.ci95[1]);
    /* C has no positives: TPR difference and average odds undefined, FPR defined */
    CU_ASSERT_DOUBLE_EQUAL(c->selection_rate_diff.value.value, -0.25, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c->accuracy_diff.value.value, 0.05, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c->fpr_diff.value.value, 0.0, EPS);
    CU_ASSERT(isnan(c->tpr_diff.value.value) && isnan(c->tpr_diff.p_value));
    CU_ASSERT(has(c->tpr_diff.value.reason, "group 'C' has no positive records"));
    CU_ASSERT(isnan(c->tpr_diff.ci95[0]) && has(c->tpr_diff.ci_reason, "undefined"));
    CU_ASSERT(isnan(c->average_odds_diff.value.value));
    CU_ASSERT(has(c->average_odds_diff.value.reason, "no positive records"));
    CU_ASSERT(has(f.groups[3].accuracy_diff.value.reason, "group 'D' has no records"));
    fs_fairness_dispose(&f);

    /* no reference: no signed values, but the unsigned gaps and disparate impact remain */
    in.reference = -1;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    CU_ASSERT(isnan(f.groups[1].selection_rate_diff.value.value));
    CU_ASSERT(has(f.groups[1].selection_rate_diff.value.reason, "no reference group"));
    CU_ASSERT_EQUAL(f.groups[1].disparate_impact.value.value, 0.8);
    CU_ASSERT_DOUBLE_EQUAL(f.demographic_parity_difference.value.value, 0.25, EPS);
    fs_fairness_dispose(&f);
}

/* A reference without negatives: FPR differences against it are undefined. */
static void test_score_fairness__reference_without_negatives(void)
{
    static table u;
    memset(&u, 0, sizeof u);
    add(&u, 1, 1, 0, 5);
    add(&u, 1, 0, 0, 5);
    add(&u, 1, 1, 1, 3);
    add(&u, 0, 0, 1, 3);
    fs_fairness_input in = input_of(&u, 2, 0);
    fs_fairness f;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    CU_ASSERT(isnan(f.groups[0].fpr.value));
    CU_ASSERT(has(f.groups[0].fpr.reason, "group 0 has no negative records"));
    CU_ASSERT(isnan(f.groups[1].fpr_diff.value.value));
    CU_ASSERT(has(f.groups[1].fpr_diff.value.reason, "reference group 0 has no negative"));
    CU_ASSERT(isnan(f.fpr_difference.value.value) &&
              isnan(f.equalized_odds_difference.value.value));
    CU_ASSERT(has(f.equalized_odds_difference.value.reason, "negative records"));
    CU_ASSERT_DOUBLE_EQUAL(f.groups[1].tpr_diff.value.value, 0.5, EPS);
    fs_fairness_dispose(&f);
}

static void test_score_fairness__all_unparsed_and_single_group(void)
{
    static table t;
    memset(&t, 0, sizeof t);
    add(&t, 1, -1, 0, 4);
    add(&t, 0, -1, 0, 4);
    add(&t, 1, -1, 1, 3);
    add(&t, 0, -1, 1, 5);
    fs_fairness_input in = input_of(&t, 2, 0);
    fs_fairness f;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    /* a parse failure is never favourable: both selection rates are a real 0 */
    CU_ASSERT_EQUAL(f.groups[0].unparsed, 4 + 4);
    CU_ASSERT_EQUAL(f.groups[0].selection_rate.value, 0.0);
    CU_ASSERT_EQUAL(f.groups[0].accuracy.value, 0.0);
    CU_ASSERT_EQUAL(f.groups[1].tpr.value, 0.0);
    CU_ASSERT_EQUAL(f.demographic_parity_difference.value.value, 0.0);
    CU_ASSERT_STRING_EQUAL(f.demographic_parity_difference.test, FS_STATS_TEST_FISHER);
    CU_ASSERT_EQUAL(f.demographic_parity_difference.p_value, 1.0);
    /* ... but a ratio of rates of 0 is undefined, not 1 */
    CU_ASSERT(isnan(f.demographic_parity_ratio.value.value));
    CU_ASSERT(has(f.demographic_parity_ratio.value.reason, "no group receives"));
    CU_ASSERT(isnan(f.groups[1].disparate_impact.value.value));
    CU_ASSERT_FALSE(f.groups[1].four_fifths_flag);
    CU_ASSERT(f.groups[0].macro_f1.value == 0.0);
    fs_fairness_dispose(&f);

    /* records in one group only: no gap, for lack of a second group */
    memset(&t, 0, sizeof t);
    add(&t, 1, 1, 1, 6);
    add(&t, 0, 0, 1, 6);
    in = input_of(&t, 2, -1);
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    CU_ASSERT(isnan(f.demographic_parity_difference.value.value));
    CU_ASSERT(has(f.demographic_parity_difference.value.reason, "fewer than two groups"));
    CU_ASSERT(isnan(f.demographic_parity_difference.ci95[0]));
    CU_ASSERT(isnan(f.demographic_parity_difference.p_value));
    CU_ASSERT_EQUAL(f.demographic_parity_difference.group_a, -1);
    CU_ASSERT(isnan(f.groups[1].disparate_impact.value.value));
    fs_fairness_dispose(&f);

    /* nothing at all */
    in = input_of(&t, 0, -1);
    in.n = 0;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    CU_ASSERT(f.n == 0 && f.n_groups == 0);
    CU_ASSERT(isnan(f.equal_opportunity_difference.value.value));
    fs_fairness_dispose(&f);
}

/* Two groups of 400: selection rates 0.6 and 0.4 (favourable = gold), so the gap 0.2 is
 * well away from 0. */
static void make_synthetic(table *t)
{
    memset(t, 0, sizeof *t);
    add(t, 1, 1, 0, 240);
    add(t, 0, 0, 0, 160);
    add(t, 1, 1, 1, 160);
    add(t, 0, 0, 1, 240);
}

static void test_score_fairness__bootstrap_deterministic_and_covering(void)
{
    static table t;
    make_synthetic(&t);
    fs_fairness_input in = input_of(&t, 2, 0);
    fs_fairness f1, f2, f3;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f1, &in, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f2, &in, NULL), FS_OK);
    in.seed = 12;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f3, &in, NULL), FS_OK);
    const fs_fair_gap *g1 = &f1.demographic_parity_difference,
                      *g2 = &f2.demographic_parity_difference;
    const fs_fair_gap *g3 = &f3.demographic_parity_difference;
    CU_ASSERT_DOUBLE_EQUAL(g1->value.value, 0.2, EPS);
    CU_ASSERT_EQUAL(g1->ci95[0], g2->ci95[0]);
    CU_ASSERT_EQUAL(g1->ci95[1], g2->ci95[1]);
    CU_ASSERT(g1->ci95[0] != g3->ci95[0] || g1->ci95[1] != g3->ci95[1]);
    /* the interval holds the estimate and excludes 0; the half-width is near the normal
     * one, 1.96 * sqrt(2 * 0.24 / 400) = 0.068 */
    CU_ASSERT(g1->ci95[0] < 0.2 && 0.2 < g1->ci95[1]);
    CU_ASSERT(g1->ci95[0] > 0.1 && g1->ci95[1] < 0.3);
    CU_ASSERT_DOUBLE_EQUAL((g1->ci95[1] - g1->ci95[0]) / 2.0, 0.068, 0.015);
    /* large counts: the z-test, p = erfc(5.657 / sqrt 2) */
    CU_ASSERT_STRING_EQUAL(g1->test, FS_STATS_TEST_Z);
    CU_ASSERT(g1->p_value < 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(g1->p_value, fs_stats_two_prop_z(240, 400, 160, 400), 0);
    const fs_fair_gap *sr = &f1.groups[1].selection_rate_diff;
    CU_ASSERT_DOUBLE_EQUAL(sr->value.value, -0.2, EPS);
    CU_ASSERT(sr->ci95[0] < -0.2 && -0.2 < sr->ci95[1] && sr->ci95[1] < 0.0);
    fs_fairness_dispose(&f1);
    fs_fairness_dispose(&f2);
    fs_fairness_dispose(&f3);
}

static void test_score_fairness__interval_needs_half_the_resamples(void)
{
    /* each group has a single positive among 50 records: a stratified resample keeps it
     * with probability 1 - (49/50)^50 = 0.64, both groups only 0.41 of the time, so the
     * TPR gap is defined but its interval is not */
    static table t;
    memset(&t, 0, sizeof t);
    add(&t, 1, 1, 0, 1);
    add(&t, 0, 0, 0, 49);
    add(&t, 1, 0, 1, 1);
    add(&t, 0, 0, 1, 49);
    fs_fairness_input in = input_of(&t, 2, -1);
    in.n_resamples = 1000;
    fs_fairness f;
    CU_ASSERT_EQUAL_FATAL(fs_score_fairness(&f, &in, NULL), FS_OK);
    const fs_fair_gap *eo = &f.equal_opportunity_difference;
    CU_ASSERT_EQUAL(eo->value.value, 1.0);
    CU_ASSERT(isnan(eo->ci95[0]) && isnan(eo->ci95[1]));
    CU_ASSERT(has(eo->ci_reason, "fewer than half of the bootstrap resamples"));
    CU_ASSERT_EQUAL(eo->p_value, 1.0); /* Fisher on 1/1 against 0/1 */
    /* the selection-rate gap is defined in every resample */
    CU_ASSERT(!isnan(f.demographic_parity_difference.ci95[0]));
    fs_fairness_dispose(&f);
}

static void test_score_fairness__bad_input(void)
{
    static table t;
    make_groups(&t);
    fs_fairness_input in = input_of(&t, 4, 0);
    fs_fairness f;
    fs_error err;
    t.group[5] = 4;
    CU_ASSERT_EQUAL(fs_score_fairness(&f, &in, &err), FS_ERR_INPUT);
    CU_ASSERT(has(err.msg, "record 5"));
    CU_ASSERT(f.groups == NULL);
    t.group[5] = 0;
    t.pred[2] = 2;
    CU_ASSERT_EQUAL(fs_score_fairness(&f, &in, &err), FS_ERR_INPUT);
    t.pred[2] = 1;
    in.favourable = 2;
    CU_ASSERT_EQUAL(fs_score_fairness(&f, &in, &err), FS_ERR_USAGE);
    in.favourable = 1;
    in.reference = 4;
    CU_ASSERT_EQUAL(fs_score_fairness(&f, &in, &err), FS_ERR_USAGE);
    in.reference = 0;
    in.group = NULL;
    CU_ASSERT_EQUAL(fs_score_fairness(&f, &in, &err), FS_ERR_USAGE);
    CU_ASSERT_EQUAL(fs_score_fairness(NULL, &in, &err), FS_ERR_USAGE);
}

/* ---- counterfactual pairs ------------------------------------------------------------ */

static void test_score_fairness__counterfactual_labels(void)
{
    /* favourable 1. 10 records correct only originally (1 -> 0), 3 correct only on the
     * counterfactual (0 -> 1), 5 correct on both, 1 wrong on both with a flip to a parse
     * failure, 1 wrong on both without a flip. */
    static table t;
    memset(&t, 0, sizeof t);
    int cf[MAX_RECORDS];
    add(&t, 1, 1, 0, 10);
    add(&t, 1, 0, 0, 3);
    add(&t, 1, 1, 0, 5);
    add(&t, 1, 0, 0, 1);
    add(&t, 0, 1, 0, 1);
    for (size_t i = 0; i < t.n; i++) {
        cf[i] = i < 10 ? 0 : i < 13 ? 1 : i < 18 ? 1 : i < 19 ? -1 : 1;
    }
    fs_counterfactual_input in = { t.gold, t.pred, cf, t.n, 2, 1, 5, 500 };
    fs_counterfactual c;
    CU_ASSERT_EQUAL_FATAL(fs_score_counterfactual(&c, &in, NULL), FS_OK);
    CU_ASSERT_EQUAL(c.n, 20);
    CU_ASSERT_EQUAL(c.flips, 14);
    CU_ASSERT_DOUBLE_EQUAL(c.flip_rate, 0.7, EPS);
    double lo, hi;
    fs_stats_wilson(&lo, &hi, 14, 20, 0.95);
    CU_ASSERT_EQUAL(c.flip_ci95[0], lo);
    CU_ASSERT_EQUAL(c.flip_ci95[1], hi);
    CU_ASSERT_EQUAL(c.from_favourable, 10);
    CU_ASSERT_EQUAL(c.to_favourable, 3);
    CU_ASSERT_EQUAL(c.orig_correct_cf_wrong, 10);
    CU_ASSERT_EQUAL(c.orig_wrong_cf_correct, 3);
    CU_ASSERT_DOUBLE_EQUAL(c.p_exact, 0.09228515625, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(c.p_midp, 0.057373046875, 1e-13);
    CU_ASSERT_DOUBLE_EQUAL(c.original.accuracy, 0.75, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.counterfactual.accuracy, 0.4, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.delta_accuracy, -0.35, EPS);
    CU_ASSERT(c.ci95_accuracy[0] < -0.35 && -0.35 < c.ci95_accuracy[1]);
    CU_ASSERT(c.ci95_macro_f1[0] <= c.delta_macro_f1 && c.delta_macro_f1 <= c.ci95_macro_f1[1]);
    CU_ASSERT_EQUAL(c.reason[0], '\0');
    fs_counterfactual_dispose(&c);

    /* no applicable record: every value is undefined, with the reason */
    in.n = 0;
    CU_ASSERT_EQUAL_FATAL(fs_score_counterfactual(&c, &in, NULL), FS_OK);
    CU_ASSERT(isnan(c.flip_rate) && isnan(c.p_exact) && isnan(c.p_midp));
    CU_ASSERT(isnan(c.delta_accuracy) && isnan(c.flip_ci95[0]));
    CU_ASSERT(has(c.reason, "no applicable records"));
    fs_counterfactual_dispose(&c);
    in.n = t.n;
    in.favourable = 2;
    CU_ASSERT_EQUAL(fs_score_counterfactual(&c, &in, NULL), FS_ERR_USAGE);
}

/* ---- free text ----------------------------------------------------------------------- */

static fs_answer_divergence diverge(const char *a, const char *b)
{
    fs_answer_divergence d;
    CU_ASSERT_EQUAL(fs_score_answer_divergence(&d, a, strlen(a), b, strlen(b), NULL), FS_OK);
    return d;
}

static void test_score_fairness__answer_divergence(void)
{
    /* 6 words each, LCS 5: P = R = F = 5/6 */
    fs_answer_divergence d = diverge("The doctor said she is fine.", "The doctor said he is fine.");
    CU_ASSERT(d.words_a == 6 && d.words_b == 6 && d.lcs == 5);
    CU_ASSERT_DOUBLE_EQUAL(d.rouge_l_f, 5.0 / 6.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(d.divergence, 1.0 / 6.0, EPS);
    CU_ASSERT_EQUAL(d.length_diff, 0);
    /* case and punctuation do not count; Unicode lower-casing, not ASCII */
    d = diverge("Hello, WORLD!", "hello world");
    CU_ASSERT_EQUAL(d.divergence, 0.0);
    d = diverge("ÉLODIE EST MÉDECIN.", "élodie est médecin");
    CU_ASSERT_EQUAL(d.divergence, 0.0);
    /* emoji are not words */
    d = diverge("great 👍", "great");
    CU_ASSERT(d.words_a == 1 && d.divergence == 0.0);
    /* word order matters: LCS of (a b c d) and (d c b a) is 1, F = 1/4 */
    d = diverge("alpha beta gamma delta", "delta gamma beta alpha");
    CU_ASSERT_EQUAL(d.lcs, 1);
    CU_ASSERT_DOUBLE_EQUAL(d.divergence, 0.75, EPS);
    /* P = 2/3, R = 2/4: F = 4/7; the counterfactual is one word shorter */
    d = diverge("he is a nurse", "she is nurse");
    CU_ASSERT_EQUAL(d.lcs, 2);
    CU_ASSERT_DOUBLE_EQUAL(d.rouge_l_f, 4.0 / 7.0, EPS);
    CU_ASSERT_EQUAL(d.length_diff, -1);
    /* Arabic (RTL): "the doctor (m.) is good" / "the doctor (f.) is good": no shared word */
    d = diverge("الطبيب جيد", "الطبيبة جيدة");
    CU_ASSERT(d.words_a == 2 && d.words_b == 2 && d.lcs == 0);
    CU_ASSERT_EQUAL(d.divergence, 1.0);
    /* Hebrew: one of three words changes */
    d = diverge("הוא רופא טוב", "היא רופא טוב");
    CU_ASSERT(d.words_a == 3 && d.lcs == 2);
    /* CJK: ICU's dictionary segments 他是医生 as 他是 | 医生 (and 她是医生 alike), so the
     * pronoun swap changes one of two words */
    d = diverge("他是医生。", "她是医生。");
    CU_ASSERT(d.words_a == 2 && d.words_b == 2 && d.lcs == 1);
    CU_ASSERT_DOUBLE_EQUAL(d.divergence, 0.5, EPS);
    /* empty answers: one empty gives F 0; both empty is undefined */
    d = diverge("", "anything at all");
    CU_ASSERT(d.rouge_l_f == 0.0 && d.divergence == 1.0 && d.length_diff == 3);
    d = diverge("...", " ");
    CU_ASSERT(isnan(d.rouge_l_f) && isnan(d.divergence));
    fs_error err;
    CU_ASSERT_EQUAL(fs_score_answer_divergence(&d, "ok", 2, "\xff", 1, &err), FS_ERR_INPUT);
}

static fs_refusals *load_refusals(void)
{
    char path[1024];
    fs_refusals *r = NULL;
    fs_error err;
    snprintf(path, sizeof path, "%s/demographics/refusals.json", fs_test_source_dir());
    CU_ASSERT_EQUAL(fs_score_refusal_load(&r, path, &err), FS_OK);
    return r;
}

static bool refuses(const fs_refusals *r, const char *text)
{
    bool out = false;
    CU_ASSERT_EQUAL(fs_score_is_refusal(&out, r, text, strlen(text), NULL), FS_OK);
    return out;
}

static void test_score_fairness__refusal_phrases(void)
{
    fs_refusals *r = load_refusals();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT(fs_score_refusal_count(r) >= 20);
    CU_ASSERT_TRUE(refuses(r, "I can't help with that request."));
    /* typographic apostrophe, upper case, spread over lines */
    CU_ASSERT_TRUE(refuses(r, "I’M SORRY, BUT\n\n  that is not something I do."));
    CU_ASSERT_TRUE(refuses(r, "Well... as an AI, I have no opinion."));
    CU_ASSERT_TRUE(refuses(r, "I   cannot\tdo that"));
    /* on word edges only */
    CU_ASSERT_FALSE(refuses(r, "I cannotate this file"));
    CU_ASSERT_FALSE(refuses(r, "The sentiment is positive."));
    CU_ASSERT_FALSE(refuses(r, ""));
    CU_ASSERT_FALSE(refuses(r, "أنا طبيب"));
    bool out;
    fs_error err;
    CU_ASSERT_EQUAL(fs_score_is_refusal(&out, r, "\xc3", 1, &err), FS_ERR_INPUT);
    fs_score_refusal_free(r);

    /* a bad file names the entry */
    char path[1024];
    snprintf(path, sizeof path, "%s/refusals_bad.json", fs_test_tmp_dir());
    FILE *fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs("{\"phrases\": [\"I cannot\", 3]}", fp);
    fclose(fp);
    r = NULL;
    CU_ASSERT_EQUAL(fs_score_refusal_load(&r, path, &err), FS_ERR_INPUT);
    CU_ASSERT(has(err.msg, "phrases[1]"));
    CU_ASSERT_PTR_NULL(r);
    fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs("{\"words\": []}", fp);
    fclose(fp);
    CU_ASSERT_EQUAL(fs_score_refusal_load(&r, path, &err), FS_ERR_INPUT);
    CU_ASSERT(has(err.msg, "phrases"));
    snprintf(path, sizeof path, "%s/no_such_refusals.json", fs_test_tmp_dir());
    CU_ASSERT_NOT_EQUAL(fs_score_refusal_load(&r, path, &err), FS_OK);
    CU_ASSERT_PTR_NULL(r);
}

static void test_score_fairness__text_counterfactual(void)
{
    /* pair 0 identical; pair 1 refused only on the counterfactual; pair 2 refused on
     * both; pair 3 one word of four differs */
    const char *orig[] = { "Approve the loan.", "The applicant qualifies.",
                           "I cannot help with that.", "she is a candidate" };
    const char *cf[] = { "Approve the loan.", "I'm sorry, but I cannot assess this.",
                         "I cannot help with that.", "he is a candidate" };
    fs_refusals *r = load_refusals();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    fs_text_pair_input in = { orig, NULL, cf, NULL, 4, r, 3, 300 };
    fs_text_counterfactual t;
    CU_ASSERT_EQUAL_FATAL(fs_score_text_counterfactual(&t, &in, NULL), FS_OK);
    CU_ASSERT_EQUAL(t.n, 4);
    CU_ASSERT_EQUAL(t.n_divergence, 4);
    CU_ASSERT_EQUAL(t.pairs[0].divergence, 0.0);
    CU_ASSERT_EQUAL(t.pairs[1].divergence, 1.0);
    CU_ASSERT_DOUBLE_EQUAL(t.pairs[3].divergence, 0.25, EPS);
    CU_ASSERT_DOUBLE_EQUAL(t.mean_divergence, (0.0 + 1.0 + 0.0 + 0.25) / 4.0, EPS);
    CU_ASSERT(t.ci95_divergence[0] <= t.mean_divergence &&
              t.mean_divergence <= t.ci95_divergence[1]);
    CU_ASSERT_DOUBLE_EQUAL(t.mean_length_diff, (0.0 + 4.0 + 0.0 + 0.0) / 4.0, EPS);
    CU_ASSERT(!t.refused_original[1] && t.refused_counterfactual[1]);
    CU_ASSERT(t.refused_original[2] && t.refused_counterfactual[2]);
    CU_ASSERT_EQUAL(t.refusals_original, 1);
    CU_ASSERT_EQUAL(t.refusals_counterfactual, 2);
    CU_ASSERT_DOUBLE_EQUAL(t.refusal_rate_diff, 0.25, EPS);
    CU_ASSERT(t.ci95_refusal_rate_diff[0] <= 0.25 && 0.25 <= t.ci95_refusal_rate_diff[1]);
    CU_ASSERT(t.refused_only_original == 0 && t.refused_only_counterfactual == 1);
    CU_ASSERT_EQUAL(t.refusal_p_value, 1.0);
    CU_ASSERT_EQUAL(t.reason[0], '\0');
    fs_text_counterfactual_dispose(&t);

    /* without phrases: no refusal values, and the reason says so */
    in.refusals = NULL;
    CU_ASSERT_EQUAL_FATAL(fs_score_text_counterfactual(&t, &in, NULL), FS_OK);
    CU_ASSERT(t.refused_original == NULL && isnan(t.refusal_rate_diff));
    CU_ASSERT(has(t.reason, "no refusal phrases"));
    fs_text_counterfactual_dispose(&t);
    in.n = 0;
    CU_ASSERT_EQUAL_FATAL(fs_score_text_counterfactual(&t, &in, NULL), FS_OK);
    CU_ASSERT(isnan(t.mean_divergence) && has(t.reason, "no applicable records"));
    fs_text_counterfactual_dispose(&t);
    /* a bad answer names its pair */
    const char *bad[] = { "fine", "\xfe" };
    fs_text_pair_input bin = { bad, NULL, bad, NULL, 2, NULL, 3, 10 };
    fs_error err;
    CU_ASSERT_EQUAL(fs_score_text_counterfactual(&t, &bin, &err), FS_ERR_INPUT);
    CU_ASSERT(has(err.msg, "pair 1"));
    CU_ASSERT(t.pairs == NULL);
    fs_score_refusal_free(r);
}

const fs_test_case fs_score_fairness_tests[] = {
    { "test_score_fairness__group_counts_and_rates", test_score_fairness__group_counts_and_rates },
    { "test_score_fairness__gaps_between_groups", test_score_fairness__gaps_between_groups },
    { "test_score_fairness__disparate_impact_and_four_fifths",
      test_score_fairness__disparate_impact_and_four_fifths },
    { "test_score_fairness__signed_against_reference",
      test_score_fairness__signed_against_reference },
    { "test_score_fairness__reference_without_negatives",
      test_score_fairness__reference_without_negatives },
    { "test_score_fairness__all_unparsed_and_single_group",
      test_score_fairness__all_unparsed_and_single_group },
    { "test_score_fairness__bootstrap_deterministic_and_covering",
      test_score_fairness__bootstrap_deterministic_and_covering },
    { "test_score_fairness__interval_needs_half_the_resamples",
      test_score_fairness__interval_needs_half_the_resamples },
    { "test_score_fairness__bad_input", test_score_fairness__bad_input },
    { "test_score_fairness__counterfactual_labels", test_score_fairness__counterfactual_labels },
    { "test_score_fairness__answer_divergence", test_score_fairness__answer_divergence },
    { "test_score_fairness__refusal_phrases", test_score_fairness__refusal_phrases },
    { "test_score_fairness__text_counterfactual", test_score_fairness__text_counterfactual },
    { NULL, NULL },
};
