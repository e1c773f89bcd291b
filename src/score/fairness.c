/* Group fairness metrics: per-group confusion counts and rates, the gaps between groups
 * (Fairlearn's max - min and min / max, AIF360's signed group - reference), disparate
 * impact against the highest-rate group with the four-fifths flag, and for every gap a
 * stratified bootstrap interval and a proportion test.
 *
 * Invariants. A record with group -1 is excluded (and counted). The favourable label is
 * the positive class; a parse failure (-1) is never favourable and never correct. A rate
 * whose denominator is 0 is NaN, and every gap built from it is NaN: gap_values() is the
 * one definition of every gap, used both for the point estimate (on the observed counts)
 * and for each bootstrap resample, so the two can never disagree; reasons are written
 * only for the point estimate. Ties: the max of a rate goes to the lowest group index,
 * the min to the highest, so that equal rates still name two distinct groups. The
 * bootstrap resamples records within each group (group sizes fixed), drawing from one
 * fs_rng stream seeded with the input seed, group by group in index order; all of its
 * buffers are allocated before the loop. Ratios are computed from counts,
 * (k_a * n_b) / (n_a * k_b), so that a ratio of exactly 4/5 is exactly 0.8. */
#include "fairshake/score.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fairshake/core.h"
#include "fairshake/stats.h"
#include "score_internal.h"

#define DEFAULT_RESAMPLES 1000
#define CI_LEVEL          0.95
#define FOUR_FIFTHS       0.8

#define FLAG_POS     1u
#define FLAG_PREDFAV 2u
#define FLAG_CORRECT 4u

typedef struct grp_counts {
    size_t n, pos, predfav, tp, fp, correct;
} grp_counts;

enum rate_kind { RATE_SEL, RATE_ACC, RATE_TPR, RATE_FPR };

/* Gap slots: the global gaps, then N_PER_GROUP slots per group. */
enum { G_DP_DIFF, G_DP_RATIO, G_EOPP, G_FPR, G_EODDS, G_ACC, N_GLOBAL };
enum { P_DI, P_SEL, P_ACC, P_TPR, P_FPR, P_AOD, N_PER_GROUP };

typedef struct span {
    size_t defined; /* groups where the rate is defined */
    int hi, lo;     /* argmax (lowest index), argmin (highest index); -1 when none */
    double max, min;
} span;

typedef struct fair_ctx {
    const fs_fairness_input *in;
    size_t n_groups, n_resamples, n_slots;
    size_t *offsets;      /* [n_groups + 1]: group g is members[offsets[g] .. offsets[g + 1]) */
    size_t *members;      /* [n] record indices, grouped */
    unsigned char *flags; /* [n] FLAG_* per record */
    grp_counts *observed; /* [n_groups] */
    grp_counts *scratch;  /* [n_groups] counts of one resample */
    double *point;        /* [n_slots] */
    double *tmp;          /* [n_slots] values of one resample */
    double *samples;      /* [n_slots * n_resamples] finite values, per slot */
    size_t *kept;         /* [n_slots] */
} fair_ctx;

static size_t rate_num(const grp_counts *c, int kind)
{
    switch (kind) {
    case RATE_SEL:
        return c->predfav;
    case RATE_ACC:
        return c->correct;
    case RATE_TPR:
        return c->tp;
    default:
        return c->fp;
    }
}

static size_t rate_den(const grp_counts *c, int kind)
{
    switch (kind) {
    case RATE_SEL:
    case RATE_ACC:
        return c->n;
    case RATE_TPR:
        return c->pos;
    default:
        return c->n - c->pos;
    }
}

static double rate(const grp_counts *c, int kind)
{
    size_t den = rate_den(c, kind);
    return den == 0 ? NAN : (double)rate_num(c, kind) / (double)den;
}

static span rate_span(const grp_counts *c, size_t n_groups, int kind)
{
    span s = { 0, -1, -1, NAN, NAN };
    for (size_t g = 0; g < n_groups; g++) {
        double r = rate(&c[g], kind);
        if (isnan(r)) {
            continue;
        }
        if (s.defined == 0 || r > s.max) {
            s.max = r;
            s.hi = (int)g;
        }
        if (s.defined == 0 || r <= s.min) {
            s.min = r;
            s.lo = (int)g;
        }
        s.defined++;
    }
    return s;
}

static double span_diff(const span *s)
{
    return s->defined >= 2 ? s->max - s->min : NAN;
}

/* Selection rate of a over that of b, from counts; b's rate must be positive. */
static double sel_ratio(const grp_counts *a, const grp_counts *b)
{
    return ((double)a->predfav * (double)b->n) / ((double)a->n * (double)b->predfav);
}

/* Every gap of one set of counts into v[0 .. N_GLOBAL + N_PER_GROUP * n_groups). */
static void gap_values(double *v, const grp_counts *c, size_t n_groups, int ref)
{
    span sel = rate_span(c, n_groups, RATE_SEL), acc = rate_span(c, n_groups, RATE_ACC);
    span tpr = rate_span(c, n_groups, RATE_TPR), fpr = rate_span(c, n_groups, RATE_FPR);
    bool ratio_ok = sel.defined >= 2 && sel.max > 0.0;
    v[G_DP_DIFF] = span_diff(&sel);
    v[G_DP_RATIO] = ratio_ok ? sel_ratio(&c[sel.lo], &c[sel.hi]) : NAN;
    v[G_EOPP] = span_diff(&tpr);
    v[G_FPR] = span_diff(&fpr);
    v[G_EODDS] = isnan(v[G_EOPP]) || isnan(v[G_FPR]) ? NAN : fmax(v[G_EOPP], v[G_FPR]);
    v[G_ACC] = span_diff(&acc);
    for (size_t g = 0; g < n_groups; g++) {
        double *w = v + N_GLOBAL + N_PER_GROUP * g;
        w[P_DI] = ratio_ok && c[g].n > 0 ? sel_ratio(&c[g], &c[sel.hi]) : NAN;
        for (int k = P_SEL; k <= P_AOD; k++) {
            w[k] = NAN;
        }
        if (ref < 0 || (size_t)ref == g) {
            continue;
        }
        const grp_counts *a = &c[g], *r = &c[ref];
        w[P_SEL] = rate(a, RATE_SEL) - rate(r, RATE_SEL);
        w[P_ACC] = rate(a, RATE_ACC) - rate(r, RATE_ACC);
        w[P_TPR] = rate(a, RATE_TPR) - rate(r, RATE_TPR);
        w[P_FPR] = rate(a, RATE_FPR) - rate(r, RATE_FPR);
        w[P_AOD] = (w[P_FPR] + w[P_TPR]) / 2.0;
    }
}

/* ---- validation and counting ------------------------------------------------------- */

static fs_status check_input(const fs_fairness_input *in, fs_error *err)
{
    if (in->n > 0 && (in->gold == NULL || in->pred == NULL || in->group == NULL)) {
        return FS_FAIL(err, FS_ERR_USAGE, "fairness: NULL gold, predictions or groups");
    }
    if (in->n_labels == 0 || in->n_labels > (size_t)INT_MAX || in->n_groups > (size_t)INT_MAX) {
        return FS_FAIL(err, FS_ERR_USAGE, "fairness: %zu labels, %zu groups out of range",
                       in->n_labels, in->n_groups);
    }
    if (in->favourable < 0 || (size_t)in->favourable >= in->n_labels) {
        return FS_FAIL(err, FS_ERR_USAGE, "fairness: favourable label %d outside 0..%zu",
                       in->favourable, in->n_labels - 1);
    }
    if (in->reference < -1 || (in->reference >= 0 && (size_t)in->reference >= in->n_groups)) {
        return FS_FAIL(err, FS_ERR_USAGE, "fairness: reference group %d outside -1..%zu",
                       in->reference, in->n_groups == 0 ? 0 : in->n_groups - 1);
    }
    for (size_t i = 0; i < in->n; i++) {
        int g = in->gold[i], p = in->pred[i], k = in->group[i];
        if (g < 0 || (size_t)g >= in->n_labels) {
            return FS_FAIL(err, FS_ERR_INPUT, "fairness: record %zu: gold label %d outside 0..%zu",
                           i, g, in->n_labels - 1);
        }
        if (p < -1 || (p >= 0 && (size_t)p >= in->n_labels)) {
            return FS_FAIL(err, FS_ERR_INPUT, "fairness: record %zu: prediction %d outside -1..%zu",
                           i, p, in->n_labels - 1);
        }
        if (k < -1 || (k >= 0 && (size_t)k >= in->n_groups)) {
            return FS_FAIL(err, FS_ERR_INPUT, "fairness: record %zu: group %d outside -1..%zu", i,
                           k, in->n_groups == 0 ? 0 : in->n_groups - 1);
        }
    }
    return FS_OK;
}

static fs_status ctx_alloc(fair_ctx *ctx, fs_error *err)
{
    size_t n = ctx->in->n, g = ctx->n_groups, slots, cells, sample_bytes;
    if (!fs_size_mul(&slots, g, N_PER_GROUP) || !fs_size_add(&slots, slots, N_GLOBAL) ||
        !fs_size_mul(&cells, slots, ctx->n_resamples) ||
        !fs_size_mul(&sample_bytes, cells, sizeof(double))) {
        return FS_FAIL(err, FS_ERR_LIMIT, "fairness: %zu groups x %zu resamples", g,
                       ctx->n_resamples);
    }
    ctx->n_slots = slots;
    ctx->offsets = fs_calloc(g + 1, sizeof *ctx->offsets);
    ctx->members = fs_calloc(n + 1, sizeof *ctx->members);
    ctx->flags = fs_calloc(n + 1, sizeof *ctx->flags);
    ctx->observed = fs_calloc(g + 1, sizeof *ctx->observed);
    ctx->scratch = fs_calloc(g + 1, sizeof *ctx->scratch);
    ctx->point = fs_calloc(slots, sizeof *ctx->point);
    ctx->tmp = fs_calloc(slots, sizeof *ctx->tmp);
    ctx->samples = fs_malloc(sample_bytes);
    ctx->kept = fs_calloc(slots, sizeof *ctx->kept);
    if (ctx->offsets == NULL || ctx->members == NULL || ctx->flags == NULL ||
        ctx->observed == NULL || ctx->scratch == NULL || ctx->point == NULL || ctx->tmp == NULL ||
        ctx->samples == NULL || ctx->kept == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "fairness: out of memory");
    }
    return FS_OK;
}

static void ctx_free(fair_ctx *ctx)
{
    fs_free(ctx->offsets);
    fs_free(ctx->members);
    fs_free(ctx->flags);
    fs_free(ctx->observed);
    fs_free(ctx->scratch);
    fs_free(ctx->point);
    fs_free(ctx->tmp);
    fs_free(ctx->samples);
    fs_free(ctx->kept);
}

static void tally(grp_counts *c, unsigned f)
{
    c->pos += (f & FLAG_POS) != 0;
    c->predfav += (f & FLAG_PREDFAV) != 0;
    c->tp += (f & FLAG_POS) && (f & FLAG_PREDFAV);
    c->fp += !(f & FLAG_POS) && (f & FLAG_PREDFAV);
    c->correct += (f & FLAG_CORRECT) != 0;
}

/* Flags, the grouped member lists (a counting sort, stable) and the observed counts. */
static void ctx_fill(fair_ctx *ctx, fs_fairness *out)
{
    const fs_fairness_input *in = ctx->in;
    for (size_t i = 0; i < in->n; i++) {
        int k = in->group[i];
        if (k < 0) {
            out->n_excluded++;
            continue;
        }
        unsigned f = (in->gold[i] == in->favourable ? FLAG_POS : 0u) |
                     (in->pred[i] == in->favourable ? FLAG_PREDFAV : 0u) |
                     (in->pred[i] == in->gold[i] ? FLAG_CORRECT : 0u);
        ctx->flags[i] = (unsigned char)f;
        ctx->observed[k].n++;
        tally(&ctx->observed[k], f);
        ctx->offsets[k + 1]++;
    }
    for (size_t g = 0; g < ctx->n_groups; g++) {
        ctx->offsets[g + 1] += ctx->offsets[g];
    }
    for (size_t i = 0; i < in->n; i++) {
        if (in->group[i] >= 0) {
            size_t g = (size_t)in->group[i];
            ctx->members[ctx->offsets[g] + ctx->scratch[g].n++] = i;
        }
    }
    out->n = in->n - out->n_excluded;
}

/* ---- bootstrap ----------------------------------------------------------------------- */

static void resample(fair_ctx *ctx, fs_rng *rng)
{
    for (size_t g = 0; g < ctx->n_groups; g++) {
        size_t a = ctx->offsets[g], m = ctx->offsets[g + 1] - a;
        grp_counts *c = &ctx->scratch[g];
        memset(c, 0, sizeof *c);
        c->n = m;
        for (size_t i = 0; i < m; i++) {
            size_t rec = ctx->members[a + (size_t)fs_rng_below(rng, m)];
            tally(c, ctx->flags[rec]);
        }
    }
    gap_values(ctx->tmp, ctx->scratch, ctx->n_groups, ctx->in->reference);
    for (size_t k = 0; k < ctx->n_slots; k++) {
        if (isfinite(ctx->tmp[k])) {
            ctx->samples[k * ctx->n_resamples + ctx->kept[k]++] = ctx->tmp[k];
        }
    }
}

static void run_bootstrap(fair_ctx *ctx)
{
    fs_rng rng;
    fs_rng_seed(&rng, ctx->in->seed);
    for (size_t r = 0; r < ctx->n_resamples; r++) {
        resample(ctx, &rng);
    }
}

/* The point value, interval and their reasons of slot k (value_reason: why the point
 * value is undefined, used only when it is). */
static void set_gap(fs_fair_gap *gap, const fair_ctx *ctx, size_t k, const char *value_reason)
{
    double v = ctx->point[k];
    gap->value.value = v;
    if (isnan(v)) {
        snprintf(gap->value.reason, sizeof gap->value.reason, "%s", value_reason);
        snprintf(gap->ci_reason, sizeof gap->ci_reason, "the value is undefined");
        snprintf(gap->p_reason, sizeof gap->p_reason, "the value is undefined");
        return;
    }
    size_t kept = ctx->kept[k], total = ctx->n_resamples;
    if (kept < total - kept) {
        snprintf(gap->ci_reason, sizeof gap->ci_reason,
                 "defined in fewer than half of the bootstrap resamples (%zu of %zu)", kept, total);
        return;
    }
    double *s = ctx->samples + k * total;
    double alpha = (1.0 - CI_LEVEL) / 2.0;
    fs_stats_sort(s, kept);
    gap->ci95[0] = fs_stats_quantile(s, kept, alpha);
    gap->ci95[1] = fs_stats_quantile(s, kept, 1.0 - alpha);
}

/* The proportion test of rate kind between groups a and b, when the value is defined. */
static void set_test(fs_fair_gap *gap, const grp_counts *c, int kind, int a, int b)
{
    if (isnan(gap->value.value)) {
        return;
    }
    gap->group_a = a;
    gap->group_b = b;
    const grp_counts *x = &c[a], *y = &c[b];
    gap->p_value = fs_stats_proportion_test(rate_num(x, kind), rate_den(x, kind), rate_num(y, kind),
                                            rate_den(y, kind), &gap->test);
}

/* ---- reasons ------------------------------------------------------------------------- */

/* "'name'" or the index, for "group %s". */
static const char *group_label(char *buf, size_t cap, const fs_fairness_input *in, int g)
{
    if (in->group_names != NULL && in->group_names[g] != NULL) {
        snprintf(buf, cap, "'%s'", in->group_names[g]);
    } else {
        snprintf(buf, cap, "%d", g);
    }
    return buf;
}

/* Why rate kind of group g is undefined; "" when it is defined. */
static void rate_reason(char *buf, size_t cap, const fair_ctx *ctx, int g, int kind,
                        const char *role)
{
    static const char *const what[] = { "records", "records", "positive records",
                                        "negative records" };
    char label[96];
    buf[0] = '\0';
    if (rate_den(&ctx->observed[g], kind) == 0) {
        snprintf(buf, cap, "%s %s has no %s%s", role, group_label(label, sizeof label, ctx->in, g),
                 what[kind], kind == RATE_TPR && ctx->observed[g].n > 0 ? " (zero base rate)" : "");
    }
}

static void set_value(fs_fair_value *v, double x, const fair_ctx *ctx, int g, int kind)
{
    v->value = x;
    if (isnan(x)) {
        rate_reason(v->reason, sizeof v->reason, ctx, g, kind, "group");
    }
}

static const char *span_reason(int kind)
{
    static const char *const why[] = {
        "fewer than two groups have records",
        "fewer than two groups have records",
        "fewer than two groups have positive records (TPR needs positives)",
        "fewer than two groups have negative records (FPR needs negatives)",
    };
    return why[kind];
}

/* ---- filling the result -------------------------------------------------------------- */

static void init_gap(fs_fair_gap *gap)
{
    memset(gap, 0, sizeof *gap);
    gap->value.value = gap->ci95[0] = gap->ci95[1] = gap->p_value = NAN;
    gap->group_a = gap->group_b = -1;
}

static void init_group(fs_fair_group *grp)
{
    memset(grp, 0, sizeof *grp);
    fs_fair_value *values[] = { &grp->base_rate, &grp->selection_rate,
                                &grp->accuracy,  &grp->macro_f1,
                                &grp->tpr,       &grp->fpr };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        values[i]->value = NAN;
    }
    fs_fair_gap *gaps[] = { &grp->disparate_impact, &grp->selection_rate_diff,
                            &grp->accuracy_diff,    &grp->tpr_diff,
                            &grp->fpr_diff,         &grp->average_odds_diff };
    for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
        init_gap(gaps[i]);
    }
}

void fs_fairness_init(fs_fairness *f)
{
    if (f == NULL) {
        return;
    }
    memset(f, 0, sizeof *f);
    f->favourable = f->reference = -1;
    fs_fair_gap *gaps[] = { &f->demographic_parity_difference, &f->demographic_parity_ratio,
                            &f->equal_opportunity_difference,  &f->fpr_difference,
                            &f->equalized_odds_difference,     &f->accuracy_difference };
    for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
        init_gap(gaps[i]);
    }
}

void fs_fairness_dispose(fs_fairness *f)
{
    if (f == NULL) {
        return;
    }
    fs_free(f->groups);
    fs_fairness_init(f);
}

/* Counts, rates and macro-F1 of each group; gold and pred are scratch of n entries and
 * counts of 3 * n_labels. */
static void fill_groups(fs_fairness *out, const fair_ctx *ctx, int *gold, int *pred, size_t *counts)
{
    const fs_fairness_input *in = ctx->in;
    for (size_t g = 0; g < ctx->n_groups; g++) {
        const grp_counts *c = &ctx->observed[g];
        fs_fair_group *grp = &out->groups[g];
        int gi = (int)g;
        grp->n = c->n;
        grp->positives = c->pos;
        grp->negatives = c->n - c->pos;
        grp->predicted_favourable = c->predfav;
        grp->tp = c->tp;
        grp->fp = c->fp;
        grp->fn = c->pos - c->tp;
        grp->tn = grp->negatives - c->fp;
        size_t a = ctx->offsets[g], m = ctx->offsets[g + 1] - a;
        for (size_t i = 0; i < m; i++) {
            size_t rec = ctx->members[a + i];
            gold[i] = in->gold[rec];
            pred[i] = in->pred[rec];
            grp->unparsed += pred[i] < 0;
        }
        double base = c->n ? (double)c->pos / (double)c->n : NAN;
        set_value(&grp->base_rate, base, ctx, gi, RATE_SEL);
        set_value(&grp->selection_rate, rate(c, RATE_SEL), ctx, gi, RATE_SEL);
        set_value(&grp->accuracy, rate(c, RATE_ACC), ctx, gi, RATE_ACC);
        double f1 = fs_score__macro_f1_scratch(gold, pred, m, in->n_labels, 0.0, counts);
        set_value(&grp->macro_f1, f1, ctx, gi, RATE_ACC);
        set_value(&grp->tpr, rate(c, RATE_TPR), ctx, gi, RATE_TPR);
        set_value(&grp->fpr, rate(c, RATE_FPR), ctx, gi, RATE_FPR);
    }
}

static const char *no_favourable =
    "no group receives the favourable prediction (the highest selection rate is 0)";

/* A max - min gap of rate kind in slot k, tested between its max and min groups. */
static void fill_span_gap(fs_fair_gap *gap, const fair_ctx *ctx, size_t k, int kind)
{
    span s = rate_span(ctx->observed, ctx->n_groups, kind);
    set_gap(gap, ctx, k, span_reason(kind));
    set_test(gap, ctx->observed, kind, s.hi, s.lo);
}

static void fill_global(fs_fairness *out, const fair_ctx *ctx)
{
    span sel = rate_span(ctx->observed, ctx->n_groups, RATE_SEL);
    fill_span_gap(&out->demographic_parity_difference, ctx, G_DP_DIFF, RATE_SEL);
    set_gap(&out->demographic_parity_ratio, ctx, G_DP_RATIO,
            sel.defined < 2 ? span_reason(RATE_SEL) : no_favourable);
    set_test(&out->demographic_parity_ratio, ctx->observed, RATE_SEL, sel.hi, sel.lo);
    fill_span_gap(&out->equal_opportunity_difference, ctx, G_EOPP, RATE_TPR);
    fill_span_gap(&out->fpr_difference, ctx, G_FPR, RATE_FPR);
    fill_span_gap(&out->accuracy_difference, ctx, G_ACC, RATE_ACC);
    /* equalized odds: the larger component gives the groups and the test (tie: TPR) */
    const fs_fair_gap *tpr = &out->equal_opportunity_difference, *fpr = &out->fpr_difference;
    bool use_fpr = !isnan(fpr->value.value) && !(fpr->value.value <= tpr->value.value);
    const char *why = isnan(tpr->value.value) ? span_reason(RATE_TPR) : span_reason(RATE_FPR);
    fs_fair_gap *eo = &out->equalized_odds_difference;
    set_gap(eo, ctx, G_EODDS, why);
    set_test(eo, ctx->observed, use_fpr ? RATE_FPR : RATE_TPR,
             use_fpr ? fpr->group_a : tpr->group_a, use_fpr ? fpr->group_b : tpr->group_b);
}

/* Why a signed gap of group g against the reference is undefined. */
static void signed_reason(char *buf, size_t cap, const fair_ctx *ctx, int g, int kind)
{
    int ref = ctx->in->reference;
    if (ref < 0) {
        snprintf(buf, cap, "no reference group");
    } else if (ref == g) {
        snprintf(buf, cap, "this is the reference group");
    } else {
        rate_reason(buf, cap, ctx, g, kind, "group");
        if (buf[0] == '\0') {
            rate_reason(buf, cap, ctx, ref, kind, "reference group");
        }
    }
}

static void fill_signed(fs_fair_group *grp, const fair_ctx *ctx, int g)
{
    static const int slot[] = { P_SEL, P_ACC, P_TPR, P_FPR };
    static const int kind[] = { RATE_SEL, RATE_ACC, RATE_TPR, RATE_FPR };
    fs_fair_gap *gaps[] = { &grp->selection_rate_diff, &grp->accuracy_diff, &grp->tpr_diff,
                            &grp->fpr_diff };
    size_t base = N_GLOBAL + N_PER_GROUP * (size_t)g;
    char why[FS_FAIR_REASON_MAX];
    for (size_t i = 0; i < 4; i++) {
        signed_reason(why, sizeof why, ctx, g, kind[i]);
        set_gap(gaps[i], ctx, base + (size_t)slot[i], why);
        set_test(gaps[i], ctx->observed, kind[i], g, ctx->in->reference);
    }
    /* average odds: undefined when either of its two differences is */
    signed_reason(why, sizeof why, ctx, g, RATE_TPR);
    if (!isnan(grp->tpr_diff.value.value)) {
        signed_reason(why, sizeof why, ctx, g, RATE_FPR);
    }
    fs_fair_gap *aod = &grp->average_odds_diff;
    set_gap(aod, ctx, base + P_AOD, why);
    if (!isnan(aod->value.value)) {
        aod->group_a = g;
        aod->group_b = ctx->in->reference;
        snprintf(aod->p_reason, sizeof aod->p_reason,
                 "no exact test for an average of two rate differences; see the interval");
    }
}

static void fill_group_gaps(fs_fairness *out, const fair_ctx *ctx)
{
    span sel = rate_span(ctx->observed, ctx->n_groups, RATE_SEL);
    char why[FS_FAIR_REASON_MAX];
    for (size_t g = 0; g < ctx->n_groups; g++) {
        fs_fair_group *grp = &out->groups[g];
        int gi = (int)g;
        if (ctx->observed[g].n == 0) {
            rate_reason(why, sizeof why, ctx, gi, RATE_SEL, "group");
        } else {
            snprintf(why, sizeof why, "%s",
                     sel.defined < 2 ? span_reason(RATE_SEL) : no_favourable);
        }
        fs_fair_gap *di = &grp->disparate_impact;
        set_gap(di, ctx, N_GLOBAL + N_PER_GROUP * g + P_DI, why);
        if (gi == sel.hi && !isnan(di->value.value)) {
            di->group_a = di->group_b = gi;
            snprintf(di->p_reason, sizeof di->p_reason, "this is the highest-rate group");
        } else {
            set_test(di, ctx->observed, RATE_SEL, gi, sel.hi);
        }
        grp->four_fifths_flag = !isnan(di->value.value) && di->value.value < FOUR_FIFTHS;
        fill_signed(grp, ctx, gi);
    }
}

static fs_status compute(fs_fairness *f, fair_ctx *ctx, fs_error *err)
{
    size_t n = ctx->in->n, n_labels = ctx->in->n_labels;
    int *gold = fs_calloc(n + 1, sizeof *gold);
    int *pred = fs_calloc(n + 1, sizeof *pred);
    size_t *counts = fs_calloc(n_labels, 3 * sizeof *counts);
    fs_status st = FS_OK;
    if (gold == NULL || pred == NULL || counts == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "fairness: out of memory");
        goto done;
    }
    ctx_fill(ctx, f);
    gap_values(ctx->point, ctx->observed, ctx->n_groups, ctx->in->reference);
    run_bootstrap(ctx);
    fill_groups(f, ctx, gold, pred, counts);
    fill_global(f, ctx);
    fill_group_gaps(f, ctx);
done:
    fs_free(gold);
    fs_free(pred);
    fs_free(counts);
    return st;
}

fs_status fs_score_fairness(fs_fairness *out, const fs_fairness_input *in, fs_error *err)
{
    fs_fairness f;
    fair_ctx ctx;
    fs_fairness_init(&f);
    memset(&ctx, 0, sizeof ctx);
    if (out == NULL || in == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "fairness: NULL output or input");
    }
    fs_fairness_init(out);
    fs_status st = check_input(in, err);
    if (st != FS_OK) {
        goto done;
    }
    ctx.in = in;
    ctx.n_groups = in->n_groups;
    ctx.n_resamples = in->n_resamples == 0 ? DEFAULT_RESAMPLES : in->n_resamples;
    st = ctx_alloc(&ctx, err);
    if (st != FS_OK) {
        goto done;
    }
    f.groups = fs_calloc(in->n_groups + 1, sizeof *f.groups);
    if (f.groups == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "fairness: out of memory");
        goto done;
    }
    for (size_t g = 0; g < in->n_groups; g++) {
        init_group(&f.groups[g]);
    }
    f.n_groups = in->n_groups;
    f.favourable = in->favourable;
    f.reference = in->reference;
    f.n_resamples = ctx.n_resamples;
    st = compute(&f, &ctx, err);
    if (st != FS_OK) {
        goto done;
    }
    *out = f;
    fs_fairness_init(&f);
done:
    ctx_free(&ctx);
    fs_fairness_dispose(&f);
    return st;
}
