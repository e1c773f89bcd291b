/* The identification section of report.json: what sensitive data the clean inputs hold
 * (inventory), how well the model lists it (quality, for the identification task, under
 * three matching modes), and whether answers repeat it (disclosure, for every task). The
 * detectors' own measured error on the calibration set (identify/calibration-results.json)
 * sits next to every figure they produce. Disclosed items appear masked, never in full. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "fairshake/identify.h"
#include "fairshake/stats.h"

typedef struct ident_pass {
    const fs_config *cfg;
    uint64_t limit;
    fs_identify_detector *det;
    fs_identify_tallies inventory, disclosure;
    fs_identify_tallies with_items; /* records with at least one item, per category */
    fs_identify_counts quality;
    /* per scored record: exact-span true positives and gold items, for the interval of the
     * micro recall (records resampled) */
    uint64_t *rec_tp, *rec_gold;
    size_t n_scored, cap_scored;
    uint64_t records, records_with_items, answered;
    cJSON *examples; /* masked disclosed items */
    fs_buf mask;
    fs_error *err;
} ident_pass;

static fs_status gold_of(const char *gold, fs_identify_span **spans, size_t *n, cJSON **doc,
                         fs_error *err)
{
    *spans = NULL;
    *n = 0;
    *doc = NULL;
    if (gold == NULL) {
        return FS_OK;
    }
    fs_status st = fs_json__parse(doc, gold, strlen(gold), "annotations", err);
    size_t cap = st == FS_OK ? (size_t)cJSON_GetArraySize(*doc) : 0;
    *spans = st == FS_OK ? fs_calloc(cap + 1, sizeof **spans) : NULL;
    if (st == FS_OK && *spans == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *e = *doc ? (*doc)->child : NULL; st == FS_OK && e; e = e->next) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "start");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(e, "end");
        if (fs_json__str(e, "category") && cJSON_IsNumber(a) && cJSON_IsNumber(b)) {
            (*spans)[*n].category = fs_json__str(e, "category");
            (*spans)[*n].start = (size_t)a->valuedouble;
            (*spans)[*n].end = (size_t)b->valuedouble;
            (*n)++;
        }
    }
    return st;
}

static fs_status note_disclosed(ident_pass *p, const fs_variant *v, const fs_identify_item *items,
                                const bool *flags, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!flags[i] || cJSON_GetArraySize(p->examples) >= (int)p->cfg->examples * 4) {
            continue;
        }
        fs_buf_reset(&p->mask);
        fs_status st = fs_identify_mask(p->det, &p->mask, items[i].category, items[i].text,
                                        strlen(items[i].text), p->err);
        if (st != FS_OK) {
            return st;
        }
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(p->examples, e);
        fs_json__add_str(e, "record_id", v->record_id);
        fs_json__add_str(e, "category", items[i].category);
        fs_json__add_str(e, "masked", fs_buf_cstr(&p->mask));
    }
    return FS_OK;
}

/* Exact-span true positives and gold items summed over categories. */
static void exact_totals(const fs_identify_counts *q, uint64_t *tp, uint64_t *gold)
{
    *tp = *gold = 0;
    for (size_t c = 0; c < q->n_classes; c++) {
        *tp += q->classes[c].tp[FS_IDENTIFY_EXACT];
        *gold += q->classes[c].tp[FS_IDENTIFY_EXACT] + q->classes[c].fn[FS_IDENTIFY_EXACT];
    }
}

/* Keep what the record just scored added to the exact totals (tp0, gold0: before it). */
static fs_status note_scored(ident_pass *p, uint64_t tp0, uint64_t gold0)
{
    uint64_t tp = 0, gold = 0;
    size_t cap = p->cap_scored;
    exact_totals(&p->quality, &tp, &gold);
    if (!fs_audit__grow((void **)&p->rec_tp, &cap, p->n_scored + 1, sizeof *p->rec_tp) ||
        !fs_audit__grow((void **)&p->rec_gold, &p->cap_scored, p->n_scored + 1,
                        sizeof *p->rec_gold)) {
        return FS_FAIL(p->err, FS_ERR_NOMEM, "out of memory");
    }
    p->rec_tp[p->n_scored] = tp - tp0;
    p->rec_gold[p->n_scored++] = gold - gold0;
    return FS_OK;
}

/* Micro recall of a resample of scored records (the first condition is a constant 0, so
 * the paired bootstrap's difference is the recall itself). */
static double resampled_recall(const size_t *idx, size_t n, int which, void *payload)
{
    const ident_pass *p = payload;
    uint64_t tp = 0, gold = 0;
    if (which == 0) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        tp += p->rec_tp[idx[i]];
        gold += p->rec_gold[idx[i]];
    }
    return gold ? (double)tp / (double)gold : NAN;
}

static fs_status on_ident_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    ident_pass *p = payload;
    fs_identify_item *items = NULL;
    size_t n = 0;
    if (strcmp(v->perturbation, "clean") != 0 || (p->limit && v->record_index >= p->limit)) {
        return FS_OK;
    }
    p->records++;
    fs_status st = fs_identify_detect(p->det, v->text, strlen(v->text), &items, &n, p->err);
    if (st == FS_OK) {
        st = fs_identify_inventory(&p->inventory, items, n, p->err);
    }
    p->records_with_items += n > 0;
    for (size_t i = 0; st == FS_OK && i < n; i++) {
        bool first = true;
        for (size_t j = 0; j < i; j++) {
            first = first && strcmp(items[j].category, items[i].category) != 0;
        }
        st = first ? fs_identify_tallies_add(&p->with_items, items[i].category, 1, 0, p->err)
                   : FS_OK;
    }
    if (st == FS_OK && o != NULL && o->status == FS_OK && o->answer != NULL &&
        p->cfg->task != FS_TASK_LANGUAGE_MODELING) {
        bool *flags = fs_calloc(n + 1, sizeof *flags);
        p->answered++;
        st = flags ? fs_identify_disclosure(p->det, items, n, o->answer, strlen(o->answer), flags,
                                            &p->disclosure, p->err)
                   : FS_FAIL(p->err, FS_ERR_NOMEM, "out of memory");
        if (st == FS_OK) {
            st = note_disclosed(p, v, items, flags, n);
        }
        fs_free(flags);
        if (st == FS_OK && p->cfg->task == FS_TASK_IDENTIFICATION) {
            fs_identify_span *spans = NULL;
            size_t ns = 0;
            cJSON *doc = NULL;
            st = gold_of(v->label, &spans, &ns, &doc, p->err);
            uint64_t tp0 = 0, gold0 = 0;
            exact_totals(&p->quality, &tp0, &gold0);
            if (st == FS_OK) {
                st = fs_identify_score_answer(&p->quality, p->det, v->text, strlen(v->text), spans,
                                              ns, o->answer, strlen(o->answer), p->err);
            }
            if (st == FS_OK) {
                st = note_scored(p, tp0, gold0);
            }
            fs_free(spans);
            cJSON_Delete(doc);
        }
    }
    fs_identify_items_free(items, n);
    return st;
}

static cJSON *prf_json(fs_identify_prf m)
{
    cJSON *o = cJSON_CreateObject();
    fs_audit__num(o, "precision", m.precision, "nothing was predicted");
    fs_audit__num(o, "recall", m.recall, "no gold item");
    fs_audit__num(o, "f1", m.f1, "precision or recall is undefined");
    cJSON_AddNumberToObject(o, "support", (double)m.support);
    cJSON_AddNumberToObject(o, "predicted", (double)m.predicted);
    return o;
}

static cJSON *quality_json(const fs_identify_counts *q, const double recall_ci[2])
{
    static const char *const modes[] = { "exact", "overlap", "category" };
    cJSON *o = cJSON_CreateObject(), *m = cJSON_AddObjectToObject(o, "modes");
    for (int k = 0; k < FS_IDENTIFY_N_MATCH; k++) {
        cJSON *mode = cJSON_AddObjectToObject(m, modes[k]);
        cJSON *per = cJSON_AddObjectToObject(mode, "per_category");
        for (size_t c = 0; c < q->n_classes; c++) {
            cJSON_AddItemToObject(per, q->classes[c].category,
                                  prf_json(fs_identify_class_metrics(q, c, (fs_identify_match)k)));
        }
        cJSON *micro = prf_json(fs_identify_micro(q, (fs_identify_match)k));
        if (k == FS_IDENTIFY_EXACT) {
            cJSON_AddItemToObject(micro, "recall_ci95", fs_audit__pair(recall_ci[0], recall_ci[1]));
        }
        cJSON_AddItemToObject(mode, "micro", micro);
        cJSON_AddItemToObject(mode, "macro", prf_json(fs_identify_macro(q, (fs_identify_match)k)));
    }
    cJSON *conf = cJSON_AddArrayToObject(o, "confusion");
    for (size_t i = 0; i < q->n_confusion; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(conf, e);
        fs_json__add_str(e, "gold", q->confusion[i].gold_category);
        fs_json__add_str(e, "predicted", q->confusion[i].pred_category);
        cJSON_AddNumberToObject(e, "count", (double)q->confusion[i].count);
    }
    cJSON_AddNumberToObject(o, "records", (double)q->n_records);
    cJSON_AddNumberToObject(o, "unparsed", (double)q->n_unparsed);
    return o;
}

/* The detectors' measured precision and recall per category (calibration set). */
static cJSON *calibration(const char *category)
{
    char path[1024];
    cJSON *doc = NULL, *out = NULL;
    snprintf(path, sizeof path, "%s/identify/calibration-results.json", fs_audit_data_dir());
    if (fs_json__parse_file(&doc, path, NULL) != FS_OK) {
        return NULL;
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "categories"), category);
    if (c != NULL) {
        out = cJSON_CreateObject();
        fs_audit__num(out, "precision", cJSON_GetNumberValue(cJSON_GetObjectItem(c, "precision")),
                      "not measured");
        fs_audit__num(out, "recall", cJSON_GetNumberValue(cJSON_GetObjectItem(c, "recall")),
                      "not measured");
    }
    cJSON_Delete(doc);
    return out;
}

static cJSON *tallies_json(const ident_pass *p, const fs_identify_tallies *t, bool rates)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < t->n; i++) {
        const fs_identify_tally *x = &t->v[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        fs_json__add_str(e, "category", x->category);
        cJSON_AddNumberToObject(e, "items", (double)x->count);
        if (!rates) {
            size_t recs = 0;
            for (size_t k = 0; k < p->with_items.n; k++) {
                recs = strcmp(p->with_items.v[k].category, x->category) == 0
                           ? p->with_items.v[k].count
                           : recs;
            }
            cJSON_AddNumberToObject(e, "records", (double)recs);
        } else {
            double lo, hi;
            cJSON_AddNumberToObject(e, "disclosed", (double)x->disclosed);
            fs_audit__num(e, "rate", x->count ? (double)x->disclosed / (double)x->count : NAN,
                          "no item of this category");
            fs_stats_wilson(&lo, &hi, x->disclosed, x->count, 0.95);
            cJSON_AddItemToObject(e, "rate_ci95", fs_audit__pair(lo, hi));
        }
        cJSON *cal = calibration(x->category);
        if (cal != NULL) {
            cJSON_AddItemToObject(e, "detector", cal);
        }
    }
    return arr;
}

static cJSON *disclosure_json(ident_pass *p)
{
    uint64_t items = 0, disclosed = 0;
    double lo, hi;
    for (size_t i = 0; i < p->disclosure.n; i++) {
        items += p->disclosure.v[i].count;
        disclosed += p->disclosure.v[i].disclosed;
    }
    cJSON *d = cJSON_CreateObject();
    fs_json__add_str(d, "mode", p->cfg->disclosure ? "expected" : "forbidden");
    cJSON_AddNumberToObject(d, "answers", (double)p->answered);
    cJSON_AddNumberToObject(d, "items", (double)items);
    cJSON_AddNumberToObject(d, "disclosed", (double)disclosed);
    fs_audit__num(d, "leak_rate", items ? (double)disclosed / (double)items : NAN,
                  "no sensitive item in the answered inputs");
    fs_stats_wilson(&lo, &hi, disclosed, items, 0.95);
    cJSON_AddItemToObject(d, "leak_rate_ci95", fs_audit__pair(lo, hi));
    cJSON_AddItemToObject(d, "per_category", tallies_json(p, &p->disclosure, true));
    cJSON_AddItemToObject(d, "examples", p->examples);
    p->examples = NULL;
    return d;
}

fs_status fs_audit__identification_json(cJSON *target_obj, const fs_config *cfg, fs_store *store,
                                        const char *target, uint64_t limit, fs_error *err)
{
    ident_pass p;
    fs_identify_opts io = FS_IDENTIFY_OPTS_INIT;
    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.limit = limit;
    p.err = err;
    io.categories = (const char *const *)cfg->id_categories;
    io.n_categories = cfg->n_id_categories;
    io.file = cfg->id_patterns;
    fs_identify_tallies_init(&p.inventory);
    fs_identify_tallies_init(&p.disclosure);
    fs_identify_tallies_init(&p.with_items);
    fs_identify_counts_init(&p.quality);
    fs_buf_init(&p.mask, 0);
    p.examples = cJSON_CreateArray();
    fs_status st = fs_identify_detector_new(&p.det, fs_audit_data_dir(), &io, err);
    if (st == FS_OK) {
        st = fs_store_each(store, target, on_ident_row, &p, err);
    }
    if (st == FS_OK) {
        cJSON *id = cJSON_AddObjectToObject(target_obj, "identification");
        cJSON *inv = cJSON_AddObjectToObject(id, "inventory");
        uint64_t total = 0;
        for (size_t i = 0; i < p.inventory.n; i++) {
            total += p.inventory.v[i].count;
        }
        cJSON_AddNumberToObject(inv, "records", (double)p.records);
        cJSON_AddNumberToObject(inv, "records_with_items", (double)p.records_with_items);
        cJSON_AddNumberToObject(inv, "items", (double)total);
        cJSON_AddItemToObject(inv, "categories", tallies_json(&p, &p.inventory, false));
        if (cfg->task == FS_TASK_IDENTIFICATION) {
            double ci[2] = { NAN, NAN };
            st = fs_stats_paired_bootstrap(&ci[0], &ci[1], p.n_scored, cfg->bootstrap, 0.95,
                                           cfg->seed ^ fs_hash_u64("identification", 14),
                                           resampled_recall, &p, err);
            cJSON_AddItemToObject(id, "quality", quality_json(&p.quality, ci));
        }
        cJSON_AddItemToObject(id, "disclosure", disclosure_json(&p));
    }
    cJSON_Delete(p.examples);
    fs_free(p.rec_tp);
    fs_free(p.rec_gold);
    fs_buf_dispose(&p.mask);
    fs_identify_counts_dispose(&p.quality);
    fs_identify_tallies_dispose(&p.inventory);
    fs_identify_tallies_dispose(&p.disclosure);
    fs_identify_tallies_dispose(&p.with_items);
    fs_identify_detector_free(p.det);
    return st;
}

/* ---- redaction of the examples --------------------------------------------------- */

/* The items found anywhere in one example: an item detected in the input is masked in the
 * answer too, even where the answer shows it without the context the detector needs. */
typedef struct found {
    fs_identify_item *v;
    size_t n;
} found;

static fs_status gather(fs_identify_detector *d, found *f, const cJSON *node, fs_error *err)
{
    fs_status st = FS_OK;
    for (const cJSON *c = node ? node->child : NULL; st == FS_OK && c != NULL; c = c->next) {
        if (cJSON_IsString(c) && c->valuestring != NULL) {
            fs_identify_item *items = NULL;
            size_t n = 0;
            st = fs_identify_detect(d, c->valuestring, strlen(c->valuestring), &items, &n, err);
            fs_identify_item *grown =
                st == FS_OK && n > 0 ? fs_realloc(f->v, (f->n + n) * sizeof *grown) : f->v;
            if (st == FS_OK && n > 0 && grown == NULL) {
                fs_identify_items_free(items, n);
                return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
            }
            f->v = grown;
            for (size_t i = 0; st == FS_OK && i < n; i++) {
                f->v[f->n++] = items[i];
            }
            fs_free(items); /* the items' texts now belong to f */
        } else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            st = gather(d, f, c, err);
        }
    }
    return st;
}

/* Mask in s every occurrence of a found item (longest first wins at a position). */
static fs_status mask_text(fs_identify_detector *d, const found *f, fs_buf *out, const char *s,
                           fs_error *err)
{
    fs_status st = FS_OK;
    fs_buf_reset(out);
    for (const char *p = s; st == FS_OK && *p != '\0';) {
        size_t best = f->n, len = 0;
        for (size_t i = 0; i < f->n; i++) {
            size_t l = strlen(f->v[i].text);
            if (l > len && l > 0 && strncmp(p, f->v[i].text, l) == 0) {
                best = i;
                len = l;
            }
        }
        if (best == f->n) {
            fs_buf_putc(out, *p++);
            continue;
        }
        st = fs_identify_mask(d, out, f->v[best].category, p, len, err);
        p += len;
    }
    return st;
}

/* Mask the strings of an example; identifiers and names of conditions stay. */
static fs_status mask_tree(fs_identify_detector *d, const found *f, fs_buf *tmp, cJSON *node,
                           fs_error *err)
{
    static const char *const keep[] = { "record_id", "id",   "perturbation", "axis",   "from",
                                        "to",        "kind", "category",     "outcome" };
    fs_status st = FS_OK;
    for (cJSON *c = node ? node->child : NULL; st == FS_OK && c != NULL; c = c->next) {
        bool kept = false;
        for (size_t k = 0; c->string != NULL && k < sizeof keep / sizeof keep[0]; k++) {
            kept = kept || strcmp(c->string, keep[k]) == 0;
        }
        if (kept) {
            continue;
        }
        if (cJSON_IsString(c) && c->valuestring != NULL) {
            st = mask_text(d, f, tmp, c->valuestring, err);
            if (st == FS_OK && strcmp(fs_buf_cstr(tmp), c->valuestring) != 0) {
                char *copy = fs_strdup(fs_buf_cstr(tmp));
                if (copy == NULL) {
                    return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
                }
                cJSON_free(c->valuestring);
                c->valuestring = copy;
            }
        } else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            st = mask_tree(d, f, tmp, c, err);
        }
    }
    return st;
}

fs_status fs_audit__redact_object(fs_identify_detector *d, fs_buf *tmp, cJSON *obj, fs_error *err)
{
    found f = { NULL, 0 };
    fs_status st = gather(d, &f, obj, err);
    if (st == FS_OK && f.n > 0) {
        st = mask_tree(d, &f, tmp, obj, err);
    }
    fs_identify_items_free(f.v, f.n);
    return st;
}

/* Each example of a list is redacted with the items found in that example. */
static fs_status redact_list(fs_identify_detector *d, fs_buf *tmp, cJSON *list, fs_error *err)
{
    fs_status st = FS_OK;
    for (cJSON *ex = list ? list->child : NULL; st == FS_OK && ex != NULL; ex = ex->next) {
        st = fs_audit__redact_object(d, tmp, ex, err);
    }
    return st;
}

fs_status fs_audit__redactor_new(fs_identify_detector **out, const fs_config *cfg, fs_error *err)
{
    fs_identify_opts io = FS_IDENTIFY_OPTS_INIT;
    io.categories = (const char *const *)cfg->id_categories;
    io.n_categories = cfg->n_id_categories;
    io.file = cfg->id_patterns;
    return fs_identify_detector_new(out, fs_audit_data_dir(), &io, err);
}

fs_status fs_audit__redact_examples(cJSON *target_obj, const fs_config *cfg, fs_error *err)
{
    fs_identify_detector *d = NULL;
    fs_buf tmp;
    fs_status st = fs_audit__redactor_new(&d, cfg, err);
    fs_buf_init(&tmp, 0);
    cJSON *lists[2] = { cJSON_GetObjectItemCaseSensitive(target_obj, "robustness"),
                        cJSON_GetObjectItemCaseSensitive(target_obj, "fairness") };
    for (int l = 0; st == FS_OK && l < 2; l++) {
        for (cJSON *e = lists[l] ? lists[l]->child : NULL; st == FS_OK && e != NULL; e = e->next) {
            st = redact_list(d, &tmp, cJSON_GetObjectItemCaseSensitive(e, "worst_examples"), err);
            if (st == FS_OK) {
                st = redact_list(d, &tmp, cJSON_GetObjectItemCaseSensitive(e, "examples"), err);
            }
        }
    }
    fs_buf_dispose(&tmp);
    fs_identify_detector_free(d);
    return st;
}
