/* Group metrics of the tasks answered in free text (qa, summarization, translation,
 * identification, language-modeling, generation): the "group" entry of a text target's
 * "fairness" array, one per dataset group field (dataset.fields.group).
 *
 * The results pass (task_results.c) hands over, per record, its group value, whether its
 * clean request was answered and the clean answer's item score (NaN: none). A group's n
 * counts its answered clean records; its mean item score is over those with a score.
 * Intervals come from one stratified bootstrap that resamples records within each group
 * (group sizes fixed), drawing from one fs_rng stream, group by group in index order;
 * each resample yields every group's mean, each group's difference from the reference
 * group and the max - min gap, and values() is the one definition of all of them, used
 * for the point estimates and for every resample alike. Each group is compared with the
 * reference by a two-sample permutation test on the records' item scores; its p-value is
 * later adjusted with the run's other fairness p-values (fs_audit__fairness_holm). Ties:
 * the max goes to the lowest group index and the min to the highest; the default
 * reference is the group with the most answered records, the first by name on a tie. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "fairshake/stats.h"

#define N_PERM   10000
#define CI_LEVEL 0.95

static const char *const perm_test =
    "two-sample permutation test on the difference of mean item scores (10,000 permutations)";

typedef struct tg {
    const fs_audit__tgroup_input *in;
    char **names;
    size_t n_groups;
    size_t *answered;    /* [g] answered clean records */
    size_t *offsets;     /* [g + 1] into members */
    size_t *members;     /* records with an item score, by group */
    size_t *aoffsets;    /* [g + 1] into amembers */
    size_t *amembers;    /* answered records, by group */
    double *point;       /* [slots] */
    double *tmp, *means; /* [slots], [g] */
    double *samples;     /* [slots * resamples] */
    size_t *kept;        /* [slots] */
    size_t n_slots, resamples;
    int ref;
    int hi, lo; /* groups of the max and min point means */
} tg;

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void tg_dispose(tg *t)
{
    for (size_t g = 0; g < t->n_groups; g++) {
        fs_free(t->names[g]);
    }
    fs_free(t->names);
    fs_free(t->answered);
    fs_free(t->offsets);
    fs_free(t->members);
    fs_free(t->aoffsets);
    fs_free(t->amembers);
    fs_free(t->point);
    fs_free(t->tmp);
    fs_free(t->means);
    fs_free(t->samples);
    fs_free(t->kept);
    memset(t, 0, sizeof *t);
}

/* The distinct group values of the records, sorted: the records' values are sorted by
 * pointer and copied once each. */
static fs_status collect_names(tg *t, fs_error *err)
{
    const fs_audit__tgroup_input *in = t->in;
    const char **all = fs_calloc(in->n_rec + 1, sizeof *all);
    size_t n = 0;
    t->names = fs_calloc(in->n_rec + 1, sizeof *t->names);
    if (all == NULL || t->names == NULL) {
        fs_free(all);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t r = 0; r < in->n_rec; r++) {
        if (in->group[r] != NULL) {
            all[n++] = in->group[r];
        }
    }
    if (n > 1) {
        qsort(all, n, sizeof *all, name_cmp);
    }
    fs_status st = FS_OK;
    for (size_t i = 0; st == FS_OK && i < n; i++) {
        if (i > 0 && strcmp(all[i], all[i - 1]) == 0) {
            continue;
        }
        t->names[t->n_groups] = fs_strdup(all[i]);
        st = t->names[t->n_groups] ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        t->n_groups += st == FS_OK;
    }
    fs_free(all);
    return st;
}

static long group_of(const tg *t, const char *name)
{
    char *const *hit = bsearch(&name, t->names, t->n_groups, sizeof *t->names, name_cmp);
    return hit ? (long)(hit - t->names) : -1;
}

/* Per group (in order), its answered records and, among them, those with an item score. */
static fs_status index_members(tg *t, fs_error *err)
{
    const fs_audit__tgroup_input *in = t->in;
    size_t G = t->n_groups, slots;
    long *idx = fs_calloc(in->n_rec + 1, sizeof *idx);
    t->n_slots = 2 * G + 1;
    t->resamples = in->cfg->bootstrap ? in->cfg->bootstrap : 1000;
    t->answered = fs_calloc(G + 1, sizeof *t->answered);
    t->offsets = fs_calloc(G + 2, sizeof *t->offsets);
    t->aoffsets = fs_calloc(G + 2, sizeof *t->aoffsets);
    t->members = fs_calloc(in->n_rec + 1, sizeof *t->members);
    t->amembers = fs_calloc(in->n_rec + 1, sizeof *t->amembers);
    t->point = fs_calloc(t->n_slots, sizeof *t->point);
    t->tmp = fs_calloc(t->n_slots, sizeof *t->tmp);
    t->means = fs_calloc(G + 1, sizeof *t->means);
    t->kept = fs_calloc(t->n_slots, sizeof *t->kept);
    t->samples =
        fs_size_mul(&slots, t->n_slots, t->resamples) ? fs_calloc(slots, sizeof *t->samples) : NULL;
    if (!idx || !t->answered || !t->offsets || !t->aoffsets || !t->members || !t->amembers ||
        !t->point || !t->tmp || !t->means || !t->kept || !t->samples) {
        fs_free(idx);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    size_t *scored = t->offsets + 1, *answered = t->aoffsets + 1; /* counts, then ends */
    for (size_t r = 0; r < in->n_rec; r++) {
        idx[r] = in->group[r] != NULL && in->answered[r] ? group_of(t, in->group[r]) : -1;
        if (idx[r] >= 0) {
            answered[idx[r]]++;
            scored[idx[r]] += in->item != NULL && isfinite(in->item[r]);
        }
    }
    for (size_t g = 0; g < G; g++) {
        t->answered[g] = answered[g];
        scored[g] += t->offsets[g];
        answered[g] += t->aoffsets[g];
    }
    size_t *fs = fs_calloc(G + 1, sizeof *fs), *fa = fs_calloc(G + 1, sizeof *fa);
    fs_status st = fs && fa ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    for (size_t r = 0; st == FS_OK && r < in->n_rec; r++) {
        if (idx[r] < 0) {
            continue;
        }
        size_t g = (size_t)idx[r];
        t->amembers[t->aoffsets[g] + fa[g]++] = r;
        if (in->item != NULL && isfinite(in->item[r])) {
            t->members[t->offsets[g] + fs[g]++] = r;
        }
    }
    fs_free(fs);
    fs_free(fa);
    fs_free(idx);
    return st;
}

/* Slots: [0, G) the groups' means, [G, 2G) each group minus the reference, 2G max - min. */
static void values(double *out, const double *means, size_t G, int ref, int *hi, int *lo)
{
    int h = -1, l = -1;
    for (size_t g = 0; g < G; g++) {
        out[g] = means[g];
        out[G + g] = (int)g == ref || ref < 0 ? NAN : means[g] - means[ref];
        if (isfinite(means[g])) {
            h = h < 0 || means[g] > means[h] ? (int)g : h;  /* the lowest index on a tie */
            l = l < 0 || means[g] <= means[l] ? (int)g : l; /* the highest */
        }
    }
    out[2 * G] = h >= 0 && h != l ? means[h] - means[l] : NAN;
    if (hi != NULL) {
        *hi = h;
        *lo = l;
    }
}

static double group_mean(const tg *t, size_t g)
{
    double sum = 0;
    size_t a = t->offsets[g], m = t->offsets[g + 1] - a;
    for (size_t i = 0; i < m; i++) {
        sum += t->in->item[t->members[a + i]];
    }
    return m ? sum / (double)m : NAN;
}

static void run_bootstrap(tg *t, uint64_t seed)
{
    fs_rng rng;
    size_t G = t->n_groups;
    fs_rng_seed(&rng, seed);
    for (size_t b = 0; b < t->resamples; b++) {
        for (size_t g = 0; g < G; g++) {
            size_t a = t->offsets[g], m = t->offsets[g + 1] - a;
            double sum = 0;
            for (size_t i = 0; i < m; i++) {
                sum += t->in->item[t->members[a + (size_t)fs_rng_below(&rng, m)]];
            }
            t->means[g] = m ? sum / (double)m : NAN;
        }
        values(t->tmp, t->means, G, t->ref, NULL, NULL);
        for (size_t k = 0; k < t->n_slots; k++) {
            if (isfinite(t->tmp[k])) {
                t->samples[k * t->resamples + t->kept[k]++] = t->tmp[k];
            }
        }
    }
}

/* Two-sided permutation test of mean(x) == mean(y): the labels of the pooled scores are
 * shuffled N_PERM times; p = (1 + #{|diff| >= |observed diff|}) / (N_PERM + 1). */
static double permutation_p(const tg *t, size_t ga, size_t gb, uint64_t seed, fs_error *err,
                            fs_status *st)
{
    size_t na = t->offsets[ga + 1] - t->offsets[ga], nb = t->offsets[gb + 1] - t->offsets[gb];
    size_t n = na + nb, k = na < nb ? na : nb, hits = 0;
    if (na == 0 || nb == 0) {
        return NAN;
    }
    double *pool = fs_calloc(n, sizeof *pool), total = 0, obs;
    if (pool == NULL) {
        *st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        return NAN;
    }
    for (size_t i = 0; i < na; i++) {
        pool[i] = t->in->item[t->members[t->offsets[ga] + i]];
    }
    for (size_t i = 0; i < nb; i++) {
        pool[na + i] = t->in->item[t->members[t->offsets[gb] + i]];
    }
    double sa = 0;
    for (size_t i = 0; i < n; i++) {
        total += pool[i];
        sa += i < na ? pool[i] : 0;
    }
    obs = fabs(sa / (double)na - (total - sa) / (double)nb);
    double tol = 1e-12 * (obs > 1 ? obs : 1);
    fs_rng rng;
    fs_rng_seed(&rng, seed);
    /* the first k of a partial Fisher-Yates shuffle are a uniform draw of the smaller side */
    size_t nk = k == na ? na : nb, nr = n - nk;
    for (size_t p = 0; p < N_PERM; p++) {
        double s = 0;
        for (size_t i = 0; i < k; i++) {
            size_t j = i + (size_t)fs_rng_below(&rng, n - i);
            double x = pool[i];
            pool[i] = pool[j];
            pool[j] = x;
            s += pool[i];
        }
        hits += fabs(s / (double)nk - (total - s) / (double)nr) >= obs - tol;
    }
    fs_free(pool);
    return (1.0 + (double)hits) / (N_PERM + 1.0);
}

/* "ci95" of slot k (or null with "ci95_reason"), under key. */
static void ci_json(cJSON *o, const char *key, const tg *t, size_t k)
{
    char rkey[64], why[128];
    size_t kept = t->kept[k], total = t->resamples;
    snprintf(rkey, sizeof rkey, "%s_reason", key);
    if (!isfinite(t->point[k])) {
        cJSON_AddNullToObject(o, key);
        fs_json__add_str(o, rkey, "the value is undefined");
        return;
    }
    if (kept < total - kept) {
        snprintf(why, sizeof why,
                 "defined in fewer than half of the bootstrap resamples (%zu of %zu)", kept, total);
        cJSON_AddNullToObject(o, key);
        fs_json__add_str(o, rkey, why);
        return;
    }
    double *s = t->samples + k * total, alpha = (1.0 - CI_LEVEL) / 2.0;
    fs_stats_sort(s, kept);
    cJSON_AddItemToObject(
        o, key,
        fs_audit__pair(fs_stats_quantile(s, kept, alpha), fs_stats_quantile(s, kept, 1 - alpha)));
}

static const char *mean_reason(const tg *t, size_t g)
{
    if (t->in->item == NULL) {
        return "generation has no reference: no item score";
    }
    return t->answered[g] == 0 ? "no answered record in this group"
                               : "no answered record of this group has an item score";
}

/* Group g against the reference: value, interval, permutation test. */
static cJSON *diff_json(const tg *t, size_t g, uint64_t seed, fs_error *err, fs_status *st)
{
    cJSON *o = cJSON_CreateObject();
    size_t k = t->n_groups + g;
    if ((int)g == t->ref) {
        const char *self = "the reference group";
        fs_audit__num(o, "value", NAN, self);
        fs_audit__num(o, "ci95", NAN, self);
        fs_audit__num(o, "p_value", NAN, self);
        return o;
    }
    const char *why = !isfinite(t->point[g]) ? mean_reason(t, g) : mean_reason(t, (size_t)t->ref);
    fs_audit__num(o, "value", t->point[k], why);
    ci_json(o, "ci95", t, k);
    double p = isfinite(t->point[k])
                   ? permutation_p(t, g, (size_t)t->ref,
                                   seed ^ fs_hash_u64(t->names[g], strlen(t->names[g])), err, st)
                   : NAN;
    fs_audit__num(o, "p_value", p, why);
    fs_json__add_str(o, "test", isfinite(p) ? perm_test : NULL);
    const char *ab[2] = { t->names[g], t->names[t->ref] };
    cJSON_AddItemToObject(o, "groups", cJSON_CreateStringArray(ab, 2));
    return o;
}

static fs_status groups_json(cJSON *arr, const tg *t, uint64_t seed, fs_error *err)
{
    const fs_audit__tgroup_input *in = t->in;
    fs_status st = FS_OK;
    for (size_t g = 0; st == FS_OK && g < t->n_groups; g++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        fs_json__add_str(e, "group", t->names[g]);
        cJSON_AddNumberToObject(e, "n", (double)t->answered[g]);
        cJSON_AddNumberToObject(e, "scored", (double)(t->offsets[g + 1] - t->offsets[g]));
        fs_audit__num(e, "mean_item_metric", t->point[g], mean_reason(t, g));
        ci_json(e, "mean_item_metric_ci95", t, g);
        cJSON *m = NULL;
        st = in->metrics(&m, t->amembers + t->aoffsets[g], t->answered[g], in->payload, err);
        if (st == FS_OK) {
            cJSON_AddItemToObject(e, "metrics", m);
            cJSON_AddItemToObject(e, "diff_vs_reference", diff_json(t, g, seed, err, &st));
        }
    }
    return st;
}

static void gap_json(cJSON *e, const tg *t)
{
    size_t k = 2 * t->n_groups;
    cJSON *o = cJSON_AddObjectToObject(e, "max_min_difference");
    const char *why = t->in->item == NULL ? "generation has no reference: no item score"
                                          : "fewer than two groups have a mean item score";
    fs_audit__num(o, "value", t->point[k], why);
    ci_json(o, "ci95", t, k);
    if (t->hi >= 0 && t->lo >= 0 && t->hi != t->lo) {
        const char *ab[2] = { t->names[t->hi], t->names[t->lo] };
        cJSON_AddItemToObject(o, "groups", cJSON_CreateStringArray(ab, 2));
    }
}

/* The reference group: demographics.reference.<field>, else the largest. */
static fs_status pick_reference(tg *t, const char **ref_name, fs_error *err)
{
    const fs_config *cfg = t->in->cfg;
    *ref_name = fs_params_get(&cfg->reference, cfg->field_group);
    t->ref = -1;
    if (*ref_name != NULL) {
        t->ref = (int)group_of(t, *ref_name);
        if (t->ref < 0) {
            return FS_FAIL(err, FS_ERR_CONFIG,
                           "%s: demographics.reference.%s: no record has the group '%s'", cfg->path,
                           cfg->field_group, *ref_name);
        }
        return FS_OK;
    }
    for (size_t g = 0; g < t->n_groups; g++) {
        t->ref = t->ref < 0 || t->answered[g] > t->answered[t->ref] ? (int)g : t->ref;
    }
    *ref_name = t->ref >= 0 ? t->names[t->ref] : NULL;
    return FS_OK;
}

fs_status fs_audit__tgroups_json(cJSON *arr, const fs_audit__tgroup_input *in, fs_error *err)
{
    const fs_config *cfg = in->cfg;
    tg t;
    const char *ref_name = NULL;
    memset(&t, 0, sizeof t);
    t.in = in;
    t.hi = t.lo = -1;
    fs_status st = collect_names(&t, err);
    if (st == FS_OK) {
        st = index_members(&t, err);
    }
    if (st == FS_OK) {
        st = pick_reference(&t, &ref_name, err);
    }
    if (st != FS_OK) {
        tg_dispose(&t);
        return st;
    }
    fs_buf k;
    fs_buf_init(&k, 0);
    fs_buf_printf(&k, "fairness\ngroup\n%s", cfg->field_group);
    uint64_t seed = cfg->seed ^ fs_hash_u64(fs_buf_cstr(&k), k.len);
    fs_buf_dispose(&k);
    for (size_t g = 0; g < t.n_groups; g++) {
        t.means[g] = group_mean(&t, g);
    }
    values(t.point, t.means, t.n_groups, t.ref, &t.hi, &t.lo);
    if (in->item != NULL) {
        run_bootstrap(&t, seed);
    }
    size_t n = 0, excluded = 0;
    for (size_t r = 0; r < in->n_rec; r++) {
        n += in->answered[r] && in->group[r] != NULL;
        excluded += in->answered[r] && in->group[r] == NULL;
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, e);
    fs_json__add_str(e, "axis", cfg->field_group);
    fs_json__add_str(e, "kind", "group");
    fs_json__add_str(e, "item_metric", in->item_name);
    fs_json__add_str(e, "main_metric", in->main_metric);
    cJSON_AddNumberToObject(e, "n", (double)n);
    cJSON_AddNumberToObject(e, "excluded", (double)excluded);
    fs_json__add_str(e, "reference", ref_name);
    fs_json__add_str(e, "reference_rule",
                     fs_params_get(&cfg->reference, cfg->field_group) ? "demographics.reference"
                                                                      : "largest group");
    st = groups_json(cJSON_AddArrayToObject(e, "groups"), &t, seed ^ 0x5f1eULL, err);
    if (st == FS_OK) {
        gap_json(e, &t);
        fs_json__add_str(e, "test", in->item ? perm_test : NULL);
    }
    tg_dispose(&t);
    return st;
}
