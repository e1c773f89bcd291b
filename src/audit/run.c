/* The audit pipeline for one config. Records stream from the dataset; for each record
 * the clean input and every perturbation's variant are stored, then sent to the target
 * through the dispatcher, which pulls requests one record at a time, so memory is
 * bounded by the in-flight window and one record's variants, never by the dataset.
 * Every answer is committed to the run store before it is scored; a request already
 * answered in the store (resume) or in the response cache is not sent again. Scoring and
 * reports are built from the store alone (results.c). */
#include "fairshake/audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit_internal.h"
#include "audit/config_internal.h"
#include "audit/extra_internal.h"
#include "fairshake/demographics.h"
#include "fairshake/identify.h"
#include "fairshake/report.h"
#include "fairshake/version.h"

/* One request waiting for its answer; its address is the dispatcher's request id. */
typedef struct pending {
    int64_t variant_id;
    char *body;
    size_t body_len;
    char cache_key[65];
    struct pending *prev, *next; /* in run_ctx.sent_list while the dispatcher holds it */
} pending;

/* The counterfactual axes of a run: one swapper per configured axis, and what they must
 * not touch: the config's protect list, and with identification every sensitive item but
 * person names (a swapped month name would corrupt a date, and its redaction). */
typedef struct demog_set {
    fs_demog_lexicon *lex;
    fs_demog_swapper **sw; /* [n] */
    size_t *axis;          /* [n] axis index in lex */
    size_t n;
    fs_perturb_protector *protect; /* NULL: no protect list */
    fs_identify_detector *ident;   /* NULL: no identification */
    fs_text_span *spans;           /* protected byte ranges of the current record's texts */
    size_t n_spans, cap_spans;
} demog_set;

typedef struct run_ctx {
    const fs_config *cfg;
    const fs_audit_opts *opts;
    fs_error *err;
    fs_store *store;
    fs_store *cache; /* run.cache: a response cache shared across runs; else the store */
    fs_dataset *ds;
    fs_perturber **perts;
    demog_set demog;
    const fs_config_target *target;
    fs_target_spec spec;
    char *identity;
    pending **queue; /* one record's requests */
    size_t q_head, q_len;
    pending *sent_list; /* handed to the dispatcher, no outcome yet: freed if it stops */
    bool resuming;      /* the store held outcomes of this target when it began: look them up */
    bool ds_done;
    fs_status inner; /* a failure inside a callback */
    fs_error inner_err;
    fs_buf text, prompt, body, keybuf;
    fs_buf label_list;       /* the task's labels joined with ", " ({{label_list}}) */
    fs_label_parser *labels; /* classification: finds the label an answer names */
    fs_buf joined, parts;    /* a record's texts joined for one swap; the swapped texts, each
                                NUL-terminated */
    fs_buf cf_gold;          /* the swapped references of a counterfactual, as JSON */
    fs_buf refs_json;        /* the current record's references as a JSON array ("" if none) */
    uint64_t records, answered, errors, sent, cache_hits, variants, tokens;
    uint64_t total, progressed; /* variants expected over all targets; variants done */
} run_ctx;

const char *fs_audit_data_dir(void)
{
    const char *env = getenv("FAIRSHAKE_DATA_DIR");
    if (env != NULL && env[0] != '\0') {
        return env;
    }
    struct stat sb;
    if (stat(FS_DATA_DIR_SOURCE "/perturbations", &sb) == 0 && S_ISDIR(sb.st_mode)) {
        return FS_DATA_DIR_SOURCE;
    }
    return FS_DATA_DIR_INSTALL;
}

void fs_audit__now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static fs_status mkdir_p(const char *path, fs_error *err)
{
    char tmp[1024];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp) {
        return FS_FAIL(err, FS_ERR_IO, "%s: bad directory path", path);
    }
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0') {
            continue;
        }
        char saved = tmp[i];
        tmp[i] = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
            return FS_FAIL(err, FS_ERR_IO, "%s: cannot create directory: %s", tmp, strerror(errno));
        }
        tmp[i] = saved;
    }
    return FS_OK;
}

static void pending_free(pending *p)
{
    if (p != NULL) {
        fs_free(p->body);
        fs_free(p);
    }
}

static void sent_link(run_ctx *c, pending *p)
{
    p->prev = NULL;
    p->next = c->sent_list;
    if (c->sent_list != NULL) {
        c->sent_list->prev = p;
    }
    c->sent_list = p;
}

static void sent_unlink(run_ctx *c, pending *p)
{
    if (p->prev != NULL) {
        p->prev->next = p->next;
    } else {
        c->sent_list = p->next;
    }
    if (p->next != NULL) {
        p->next->prev = p->prev;
    }
}

static fs_status fail_inner(run_ctx *c, fs_status st)
{
    if (c->inner == FS_OK) {
        c->inner = st;
    }
    return st;
}

/* Record the outcome of a response body (from the target or the cache). */
static fs_status record_answer(run_ctx *c, int64_t variant_id, const char *body, size_t n,
                               const fs_response *resp, bool cached, bool *parsed_out)
{
    fs_target_answer ans;
    memset(&ans, 0, sizeof ans);
    fs_error perr;
    fs_error_clear(&perr);
    fs_outcome o;
    memset(&o, 0, sizeof o);
    o.variant_id = variant_id;
    o.target = c->target->name;
    o.http_status = resp ? resp->http_status : 200;
    o.latency_ms = resp ? resp->latency_ms : 0.0;
    o.attempts = resp ? resp->attempts : 0;
    o.cached = cached;
    o.prompt_tokens = -1;
    o.completion_tokens = -1;
    *parsed_out = false;
    fs_buf lp;
    fs_buf_init(&lp, 0);
    fs_status st = fs_target_parse_response(&ans, &c->spec, body, n, &perr);
    bool lm = c->cfg->task == FS_TASK_LANGUAGE_MODELING;
    if (st == FS_OK && lm && ans.logprobs == NULL) {
        st = FS_FAIL(&perr, FS_ERR_TARGET,
                     "response has no token log-probabilities "
                     "(choices[0].logprobs.token_logprobs)");
    }
    if (st == FS_OK && (ans.text != NULL || lm)) {
        int idx = -1;
        if (c->cfg->task == FS_TASK_CLASSIFICATION) {
            st = fs_label_parser_find(c->labels, &idx, ans.text, strlen(ans.text), &perr);
        }
        if (lm) {
            /* the answer of a language-modeling request is its token log-probabilities */
            fs_buf_putc(&lp, '[');
            for (size_t i = 0; i < ans.n_logprobs; i++) {
                fs_buf_puts(&lp, i ? "," : "");
                fs_buf_put_double(&lp, ans.logprobs[i]);
            }
            fs_buf_putc(&lp, ']');
        }
        o.status = FS_OK;
        o.answer = lm ? fs_buf_cstr(&lp) : ans.text;
        o.prediction = idx >= 0 ? c->cfg->labels[idx] : NULL;
        o.prompt_tokens = ans.prompt_tokens;
        o.completion_tokens = ans.completion_tokens;
        *parsed_out = st == FS_OK;
    } else {
        o.status = FS_ERR_TARGET;
        o.error = perr.msg[0] ? perr.msg : "response has no answer text";
        c->errors++;
    }
    st = fs_store_put_outcome(c->store, &o, &c->inner_err);
    fs_target_answer_dispose(&ans);
    fs_buf_dispose(&lp);
    return st;
}

static void report_progress(run_ctx *c)
{
    c->progressed++;
    if (c->opts->progress != NULL) {
        c->opts->progress(c->progressed, c->total, c->errors, c->opts->progress_payload);
    }
}

static fs_status on_done(const fs_response *resp, void *payload)
{
    run_ctx *c = payload;
    pending *p = (pending *)(uintptr_t)resp->id;
    fs_status st = FS_OK;
    bool parsed = false;
    c->answered++;
    c->tokens += (resp->prompt_tokens > 0 ? (uint64_t)resp->prompt_tokens : 0) +
                 (resp->completion_tokens > 0 ? (uint64_t)resp->completion_tokens : 0);
    if (resp->status == FS_OK) {
        st = record_answer(c, p->variant_id, resp->body, resp->body_len, resp, false, &parsed);
        if (st == FS_OK && parsed) {
            st = fs_store_cache_put(c->cache ? c->cache : c->store, p->cache_key, resp->body,
                                    resp->body_len, &c->inner_err);
        }
    } else {
        fs_outcome o;
        memset(&o, 0, sizeof o);
        o.variant_id = p->variant_id;
        o.target = c->target->name;
        o.status = resp->status;
        o.http_status = resp->http_status;
        o.latency_ms = resp->latency_ms;
        o.attempts = resp->attempts;
        o.error = resp->error;
        o.prompt_tokens = -1;
        o.completion_tokens = -1;
        c->errors++;
        st = fs_store_put_outcome(c->store, &o, &c->inner_err);
    }
    sent_unlink(c, p);
    pending_free(p);
    report_progress(c);
    return st == FS_OK ? FS_OK : fail_inner(c, st);
}

/* Before the dispatcher waits: commit the answers of a batch that has grown old, so a
 * quiet spell does not leave them uncommitted, and wake up when the next one will be. */
static fs_status on_idle(void *payload, long *wait_ms)
{
    run_ctx *c = payload;
    long a = -1, b = -1;
    fs_status st = fs_store_tick(c->store, &a, &c->inner_err);
    if (st == FS_OK) {
        st = fs_store_tick(c->cache, &b, &c->inner_err);
    }
    *wait_ms = a < 0 ? b : (b < 0 || a < b ? a : b);
    return st == FS_OK ? FS_OK : fail_inner(c, st);
}

/* Render the prompt and the request body for text into c->body, and the cache key of
 * (target identity, body) into key. */
static fs_status build_request(run_ctx *c, const fs_record *rec, const char *text, size_t len,
                               char key[65])
{
    static const char *const names[] = { "input", "input2", "context", "label_list", "categories" };
    const char *values[5] = { text, rec->input2, rec->context, fs_buf_cstr(&c->label_list),
                              fs_buf_cstr(&c->label_list) };
    size_t lens[5] = { len, rec->input2 ? strlen(rec->input2) : 0,
                       rec->context ? strlen(rec->context) : 0, c->label_list.len,
                       c->label_list.len };
    fs_buf_reset(&c->prompt);
    fs_buf_reset(&c->body);
    fs_buf_reset(&c->keybuf);
    fs_status st =
        fs_prompt_render_vars(&c->prompt, c->cfg->prompt, names, values, lens, 5, &c->inner_err);
    if (st == FS_OK) {
        st = fs_target_build_body(&c->body, &c->spec, fs_buf_cstr(&c->prompt), c->prompt.len,
                                  &c->inner_err);
    }
    fs_buf_puts(&c->keybuf, c->identity);
    fs_buf_putc(&c->keybuf, '\n');
    fs_buf_append(&c->keybuf, fs_buf_cstr(&c->body), c->body.len);
    if (st == FS_OK && (fs_buf_status(&c->body) != FS_OK || fs_buf_status(&c->keybuf) != FS_OK)) {
        st = FS_FAIL(&c->inner_err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        st = fs_hash_sha256_hex(key, fs_buf_cstr(&c->keybuf), c->keybuf.len, &c->inner_err);
    }
    return st;
}

/* The gold stored with a record's variants: its label, or its references as JSON. */
static const char *record_gold(const run_ctx *c, const fs_record *rec)
{
    return c->cfg->task == FS_TASK_CLASSIFICATION ? rec->label
           : c->refs_json.len > 0                 ? fs_buf_cstr(&c->refs_json)
                                                  : NULL;
}

/* Store the variant (gold: borrowed, may be NULL); queue its request unless the store already has
 * its answer (resume) or the response cache has the answer to the same request. */
static fs_status enqueue_variant(run_ctx *c, const fs_record *rec, const char *pert,
                                 const char *text, size_t len, const char *gold, bool changed)
{
    fs_variant v = { 0, rec->id, rec->index, pert, rec->group, gold, text, changed };
    int64_t vid = 0;
    bool done = false;
    char key[65], *cached = NULL;
    fs_status st = fs_store_put_variant(c->store, &v, &vid, &c->inner_err);
    c->variants++;
    if (st == FS_ERR_INPUT) {
        fs_error_prefix(&c->inner_err, "%s:%llu: %s", c->cfg->dataset_path,
                        (unsigned long long)rec->line, c->cfg->field_id ? c->cfg->field_id : "id");
    }
    if (st == FS_OK && c->resuming) {
        st = fs_store_has_outcome(c->store, vid, c->target->name, &done, &c->inner_err);
    }
    if (st == FS_OK && !done) {
        st = build_request(c, rec, text, len, key);
    }
    if (st == FS_OK && !done) {
        st = fs_store_cache_get(c->cache ? c->cache : c->store, key, &cached, &c->inner_err);
    }
    if (st != FS_OK || done || cached != NULL) {
        if (st == FS_OK && cached != NULL) {
            bool parsed = false;
            c->cache_hits++;
            st = record_answer(c, vid, cached, strlen(cached), NULL, true, &parsed);
        }
        fs_free(cached);
        if (st == FS_OK) {
            report_progress(c);
        }
        return st;
    }
    pending *p = fs_calloc(1, sizeof *p);
    if (p == NULL) {
        return FS_FAIL(&c->inner_err, FS_ERR_NOMEM, "out of memory");
    }
    p->variant_id = vid;
    memcpy(p->cache_key, key, sizeof key);
    p->body = fs_buf_take(&c->body, &p->body_len);
    if (p->body == NULL) {
        pending_free(p);
        return FS_FAIL(&c->inner_err, FS_ERR_NOMEM, "out of memory");
    }
    c->queue[c->q_len++] = p;
    return FS_OK;
}

static void demog_close(demog_set *d)
{
    for (size_t i = 0; d->sw != NULL && i < d->n; i++) {
        fs_demog_swapper_free(d->sw[i]);
    }
    fs_free(d->sw);
    fs_free(d->axis);
    fs_demog_lexicon_free(d->lex);
    fs_perturb_protector_free(d->protect);
    fs_identify_detector_free(d->ident);
    fs_free(d->spans);
    memset(d, 0, sizeof *d);
}

/* The detectors of protected spans: the top-level protect list (as perturbations get it)
 * and, when the config identifies sensitive data, its detectors. */
static fs_status demog_open_protect(demog_set *d, const fs_config *cfg, const char *data_dir,
                                    fs_error *err)
{
    fs_status st = FS_OK;
    if (cfg->n_protect > 0) {
        st = fs_perturb_protector_new(&d->protect, (const char *const *)cfg->protect,
                                      cfg->n_protect, data_dir, err);
    }
    if (st == FS_OK && cfg->identify) {
        fs_identify_opts io = FS_IDENTIFY_OPTS_INIT;
        io.categories = (const char *const *)cfg->id_categories;
        io.n_categories = cfg->n_id_categories;
        io.file = cfg->id_patterns;
        st = fs_identify_detector_new(&d->ident, data_dir, &io, err);
    }
    return st;
}

static fs_status push_span(demog_set *d, size_t start, size_t end, fs_error *err)
{
    if (d->n_spans == d->cap_spans) {
        size_t cap = d->cap_spans ? d->cap_spans * 2 : 16, bytes = 0;
        fs_text_span *ns = NULL;
        if (fs_size_mul(&bytes, cap, sizeof *ns)) {
            ns = fs_realloc(d->spans, bytes);
        }
        if (ns == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        d->spans = ns;
        d->cap_spans = cap;
    }
    d->spans[d->n_spans].start = start;
    d->spans[d->n_spans].end = end;
    d->spans[d->n_spans++].kind = 0;
    return FS_OK;
}

/* The protected byte ranges of text[0..n) into d->spans: protect-list matches, and every
 * identified item that is not a person's name (names are what a swap changes). */
static fs_status demog_protected(demog_set *d, const char *text, size_t n, fs_error *err)
{
    const fs_text_span *sp = NULL;
    fs_identify_item *items = NULL;
    size_t count = 0;
    fs_status st = FS_OK;
    d->n_spans = 0;
    if (d->protect != NULL) {
        st = fs_perturb_protector_find(d->protect, text, n, &sp, &count, err);
    }
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        st = push_span(d, sp[i].start, sp[i].end, err);
    }
    count = 0;
    if (st == FS_OK && d->ident != NULL) {
        st = fs_identify_detect(d->ident, text, n, &items, &count, err);
    }
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        if (strcmp(items[i].category, "person") != 0) {
            st = push_span(d, items[i].byte_start, items[i].byte_end, err);
        }
    }
    fs_identify_items_free(items, count);
    return st;
}

/* Load the lexicon and a swapper per axis of demographics.axes (none: nothing loaded). */
static fs_status demog_open(demog_set *d, const fs_config *cfg, const char *data_dir, fs_error *err)
{
    fs_demog_opts o = FS_DEMOG_OPTS_INIT;
    memset(d, 0, sizeof *d);
    if (cfg->n_axes == 0) {
        return FS_OK;
    }
    o.optional_groups = cfg->optional_groups;
    fs_status st = fs_demog_lexicon_load(&d->lex, data_dir, err);
    if (st == FS_OK) {
        st = demog_open_protect(d, cfg, data_dir, err);
    }
    d->sw = fs_calloc(cfg->n_axes, sizeof *d->sw);
    d->axis = fs_calloc(cfg->n_axes, sizeof *d->axis);
    if (st == FS_OK && (d->sw == NULL || d->axis == NULL)) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == FS_OK && i < cfg->n_axes; i++) {
        int a = fs_demog_axis_find(d->lex, cfg->axes[i]);
        if (a < 0) {
            st = FS_FAIL(err, FS_ERR_CONFIG,
                         "%s: demographics.axes: unknown axis '%s' (see: fairshake list axes)",
                         cfg->path, cfg->axes[i]);
            break;
        }
        d->axis[i] = (size_t)a;
        st = fs_demog_swapper_new(&d->sw[i], d->lex, (size_t)a, &o, err);
        d->n = i + 1;
    }
    return st;
}

/* The groups of axis i a record can be moved to, given its mention counts: every
 * enabled group with a mention of some other group. */
static bool demog_target(const demog_set *d, size_t i, const size_t *counts, size_t to,
                         size_t *from_out)
{
    size_t groups = fs_demog_group_count(d->lex, d->axis[i]), best = 0;
    bool any = false;
    if (!fs_demog_swapper_group_enabled(d->sw[i], to)) {
        return false;
    }
    for (size_t g = 0; g < groups; g++) {
        if (g != to && counts[g] > 0 && (!any || counts[g] > counts[best])) {
            best = g;
            any = true;
        }
    }
    *from_out = best;
    return any;
}

/* A text task's references refs[0..n), as the JSON array stored as the variant's gold. */
static void refs_list_json(fs_buf *out, const char *const *refs, size_t n, bool unanswerable,
                           bool raw)
{
    fs_buf_reset(out);
    if (n == 0 && !unanswerable && !raw) {
        return;
    }
    fs_buf_putc(out, '[');
    for (size_t i = 0; i < n; i++) {
        fs_buf_puts(out, i ? "," : "");
        if (raw) {
            /* identification: each reference is an annotation object's JSON text */
            fs_buf_puts(out, refs[i]);
        } else {
            fs_buf_put_json_string(out, refs[i], strlen(refs[i]));
        }
    }
    fs_buf_putc(out, ']');
}

static void refs_to_json(fs_buf *out, const fs_record *rec, bool raw)
{
    refs_list_json(out, rec->refs, rec->n_refs, rec->unanswerable, raw);
}

static bool needs_refs(fs_task_type t)
{
    return t == FS_TASK_QA || t == FS_TASK_SUMMARIZATION || t == FS_TASK_TRANSLATION;
    /* identification: a record without annotations has no sensitive item (an empty list) */
}

/* A record fits the task: a known label (classification) or references where the task
 * scores against them. refs_json (may be NULL) gets the references as a JSON array. */
static fs_status check_record(const fs_config *cfg, const fs_record *rec, fs_buf *refs_json,
                              fs_error *err)
{
    if (cfg->task != FS_TASK_CLASSIFICATION) {
        if (refs_json != NULL) {
            refs_to_json(refs_json, rec, cfg->task == FS_TASK_IDENTIFICATION);
        }
        if (needs_refs(cfg->task) && rec->n_refs == 0 && !rec->unanswerable) {
            return FS_FAIL(
                err, FS_ERR_INPUT, "%s:%llu: %s: a %s record needs references (gold answers)",
                cfg->dataset_path, (unsigned long long)rec->line,
                cfg->field_refs ? cfg->field_refs : "references", fs_task_name(cfg->task));
        }
        return FS_OK;
    }
    for (size_t i = 0; rec->label != NULL && i < cfg->n_labels; i++) {
        if (strcmp(rec->label, cfg->labels[i]) == 0) {
            return FS_OK;
        }
    }
    return FS_FAIL(err, FS_ERR_INPUT,
                   "%s:%llu: %s: '%s' is not one of the task's labels (task.labels)",
                   cfg->dataset_path, (unsigned long long)rec->line, cfg->field_label,
                   rec->label ? rec->label : "(missing)");
}

/* A swap rewrites every text of the record in one call, so one name gets one substitute
 * everywhere: the input, the second input of a pair and the context of a question (the
 * texts the prompt shows), and the references of a task scored against them, so that an
 * answer that follows the swap is still right (a question about "Marie Curie" answered
 * "Marie Curie" becomes one about "Leland Curie" answered "Leland Curie"). Swapping the
 * question alone would ask about a person its context never mentions. Mentions are
 * counted, and the record found applicable, on the texts the prompt shows only. The texts
 * are joined with a separator no swap touches (a control character between line breaks,
 * never part of a word or a term); a record whose texts hold that character has only its
 * input swapped. */
#define CF_SEP     "\n\x1e\n"
#define CF_SEP_LEN 3

typedef struct cf_texts {
    const char *text; /* what to swap: the input alone, or every text joined */
    size_t len;
    size_t detect_len; /* the prefix of text holding the texts the prompt shows */
    bool joined;
    bool refs; /* the references are part of text */
} cf_texts;

static bool has_sep_byte(const char *s, size_t n)
{
    return s != NULL && memchr(s, 0x1e, n) != NULL;
}

static void join_part(fs_buf *joined, const char *s)
{
    fs_buf_append(joined, CF_SEP, CF_SEP_LEN);
    fs_buf_puts(joined, s);
}

/* The texts of rec to detect mentions in and to swap, joined into joined when needed. */
static void swap_texts(cf_texts *out, fs_buf *joined, const fs_config *cfg, const fs_record *rec)
{
    bool refs = needs_refs(cfg->task) && rec->n_refs > 0;
    bool sep = has_sep_byte(rec->input, rec->input_len) ||
               has_sep_byte(rec->input2, rec->input2 ? strlen(rec->input2) : 0) ||
               has_sep_byte(rec->context, rec->context ? strlen(rec->context) : 0);
    for (size_t i = 0; refs && i < rec->n_refs; i++) {
        sep = sep || has_sep_byte(rec->refs[i], strlen(rec->refs[i]));
    }
    memset(out, 0, sizeof *out);
    out->text = rec->input;
    out->len = out->detect_len = rec->input_len;
    if (sep || (rec->input2 == NULL && rec->context == NULL && !refs)) {
        return;
    }
    fs_buf_reset(joined);
    fs_buf_append(joined, rec->input, rec->input_len);
    if (rec->input2 != NULL) {
        join_part(joined, rec->input2);
    }
    if (rec->context != NULL) {
        join_part(joined, rec->context);
    }
    out->detect_len = joined->len;
    for (size_t i = 0; refs && i < rec->n_refs; i++) {
        join_part(joined, rec->refs[i]);
    }
    out->text = fs_buf_cstr(joined);
    out->len = joined->len;
    out->joined = true;
    out->refs = refs;
}

/* Split a swapped text (text[0..n), the swap of in) into NUL-terminated parts in
 * c->parts: *input the swapped input (*input_len bytes), cf a copy of rec with the swapped
 * input2 and context, and c->cf_gold the swapped references as JSON (when in->refs). */
static fs_status split_swapped(run_ctx *c, const fs_record *rec, const cf_texts *in,
                               const char *text, size_t n, const char **input, size_t *input_len,
                               fs_record *cf)
{
    size_t want = !in->joined ? 1
                              : 1 + (rec->input2 != NULL) + (rec->context != NULL) +
                                    (in->refs ? rec->n_refs : 0);
    size_t k = 0, len0 = 0, *off = fs_calloc(want + 1, sizeof *off);
    const char **ptr = fs_calloc(want + 1, sizeof *ptr);
    fs_status st = (off && ptr) ? FS_OK : FS_FAIL(&c->inner_err, FS_ERR_NOMEM, "out of memory");
    fs_buf_reset(&c->parts);
    for (const char *p = text, *end = text + n; st == FS_OK && k < want; k++) {
        const char *q = in->joined ? memchr(p, 0x1e, (size_t)(end - p)) : NULL;
        size_t len = q != NULL ? (size_t)(q - 1 - p) : (size_t)(end - p);
        off[k] = c->parts.len;
        len0 = k == 0 ? len : len0;
        fs_buf_append(&c->parts, p, len);
        fs_buf_putc(&c->parts, '\0');
        p = q != NULL ? q + 2 : end;
        if ((q == NULL) != (k + 1 == want)) {
            st = FS_FAIL(&c->inner_err, FS_ERR_INPUT, "%s: a swap moved a text separator", rec->id);
        }
    }
    if (st == FS_OK && fs_buf_status(&c->parts) != FS_OK) {
        st = FS_FAIL(&c->inner_err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == FS_OK && i < want; i++) {
        ptr[i] = c->parts.data + off[i];
    }
    if (st == FS_OK) {
        size_t i = 1;
        *cf = *rec;
        *input = ptr[0];
        *input_len = len0;
        if (in->joined && rec->input2 != NULL) {
            cf->input2 = ptr[i++];
        }
        if (in->joined && rec->context != NULL) {
            cf->context = ptr[i++];
        }
        if (in->refs) {
            refs_list_json(&c->cf_gold, ptr + i, rec->n_refs, rec->unanswerable, false);
        }
        st = fs_buf_status(&c->cf_gold) == FS_OK
                 ? FS_OK
                 : FS_FAIL(&c->inner_err, FS_ERR_NOMEM, "out of memory");
    }
    fs_free(off);
    fs_free(ptr);
    return st;
}

/* The counterfactual of rec moved to group `to` of axis i, when the record can move. */
static fs_status demog_one(run_ctx *c, const fs_record *rec, const cf_texts *src, size_t i,
                           const size_t *seen, size_t to)
{
    demog_set *d = &c->demog;
    size_t from = 0, input_len = 0;
    bool applicable = false, changed = false;
    const char *input = NULL;
    fs_record cf;
    char name[256];
    if (!demog_target(d, i, seen, to, &from)) {
        return FS_OK;
    }
    snprintf(name, sizeof name, "cf:%s:%s>%s", c->cfg->axes[i],
             fs_demog_group_name(d->lex, d->axis[i], from),
             fs_demog_group_name(d->lex, d->axis[i], to));
    fs_buf_reset(&c->text);
    fs_status st = fs_demog_swap_protected(d->sw[i], src->text, src->len, d->spans, d->n_spans, to,
                                           c->cfg->seed, rec->id, &c->text, &applicable, &changed,
                                           &c->inner_err);
    if (st != FS_OK || !applicable) {
        return st;
    }
    st = split_swapped(c, rec, src, fs_buf_cstr(&c->text), c->text.len, &input, &input_len, &cf);
    if (st != FS_OK) {
        return st;
    }
    const char *gold = src->refs ? fs_buf_cstr(&c->cf_gold) : record_gold(c, rec);
    return enqueue_variant(c, &cf, name, input, input_len, gold, changed);
}

/* Counterfactual variants of one record: "cf:<axis>:<from>><to>" for each group the
 * record can move to, where <from> is the group it mentions most. The stored variant is
 * the swapped input with the swapped references as its gold; input2 and context, when
 * present, are swapped alike and sent with it (like the clean record's, not stored). */
static fs_status demog_variants(run_ctx *c, const fs_record *rec)
{
    demog_set *d = &c->demog;
    cf_texts src;
    fs_status st = FS_OK;
    if (d->n == 0) {
        return FS_OK;
    }
    swap_texts(&src, &c->joined, c->cfg, rec);
    if (fs_buf_status(&c->joined) != FS_OK) {
        return FS_FAIL(&c->inner_err, FS_ERR_NOMEM, "out of memory");
    }
    st = demog_protected(d, src.text, src.len, &c->inner_err);
    for (size_t i = 0; st == FS_OK && i < d->n; i++) {
        const size_t *counts = NULL;
        size_t groups = fs_demog_group_count(d->lex, d->axis[i]);
        st = fs_demog_detect_protected(d->sw[i], src.text, src.detect_len, d->spans, d->n_spans,
                                       &counts, &c->inner_err);
        size_t *seen = st == FS_OK ? fs_calloc(groups + 1, sizeof *seen) : NULL;
        if (st == FS_OK && seen == NULL) {
            st = FS_FAIL(&c->inner_err, FS_ERR_NOMEM, "out of memory");
        }
        if (seen != NULL) {
            memcpy(seen, counts, groups * sizeof *seen);
        }
        for (size_t to = 0; st == FS_OK && to < groups; to++) {
            st = demog_one(c, rec, &src, i, seen, to);
        }
        fs_free(seen);
    }
    return st;
}

static void dataset_opts(fs_dataset_opts *o, const fs_config *cfg)
{
    o->format = cfg->dataset_format;
    o->input_field = cfg->field_input;
    o->label_field = cfg->field_label;
    o->group_field = cfg->field_group;
    o->id_field = cfg->field_id;
    o->context_field = cfg->field_context;
    o->refs_field = cfg->field_refs;
    o->input2_field = cfg->field_input2;
    o->ref_paths = (const char *const *)cfg->ref_paths;
    o->n_ref_paths = cfg->n_ref_paths;
}

/* Variant k of perturbation i for one record: stored as "<label>" (k 0) or "<label>#k". */
static fs_status perturb_one(run_ctx *c, const fs_record *rec, size_t i, size_t k)
{
    const fs_config_perturbation *cp = &c->cfg->perturbations[i];
    char name[160];
    bool changed = false;
    if (k == 0) {
        snprintf(name, sizeof name, "%s", cp->label);
    } else {
        snprintf(name, sizeof name, "%s#%zu", cp->label, k);
    }
    fs_buf_reset(&c->text);
    fs_status st = fs_perturber_apply(c->perts[i], rec->input, rec->input_len, c->cfg->seed,
                                      rec->id, cp->label, k, &c->text, &changed, &c->inner_err);
    if (st == FS_OK && fs_buf_status(&c->text) != FS_OK) {
        st = FS_FAIL(&c->inner_err, FS_ERR_NOMEM, "out of memory");
    }
    if (st != FS_OK) {
        fs_error_prefix(&c->inner_err, "%s:%llu: %s", c->cfg->dataset_path,
                        (unsigned long long)rec->line, name);
        return st;
    }
    return enqueue_variant(c, rec, name, fs_buf_cstr(&c->text), c->text.len, record_gold(c, rec),
                           changed);
}

/* Read one record and queue its clean input and every perturbation's variants. */
static fs_status load_record(run_ctx *c)
{
    const fs_record *rec = NULL;
    if (c->opts->limit > 0 && c->records >= c->opts->limit) {
        c->ds_done = true;
        return FS_OK;
    }
    fs_status st = fs_dataset_next(c->ds, &rec, &c->inner_err);
    if (st != FS_OK || rec == NULL) {
        c->ds_done = true;
        return st;
    }
    c->records++;
    st = check_record(c->cfg, rec, &c->refs_json, &c->inner_err);
    if (st == FS_OK) {
        st = enqueue_variant(c, rec, "clean", rec->input, rec->input_len, record_gold(c, rec),
                             false);
    }
    for (size_t i = 0; st == FS_OK && i < c->cfg->n_perturbations; i++) {
        const fs_config_perturbation *cp = &c->cfg->perturbations[i];
        for (size_t k = 0; st == FS_OK && k < cp->n; k++) {
            st = perturb_one(c, rec, i, k);
        }
    }
    if (st == FS_OK) {
        st = demog_variants(c, rec);
    }
    return st;
}

static bool on_next(fs_request *req, void *payload)
{
    run_ctx *c = payload;
    while (c->inner == FS_OK) {
        if (c->q_head < c->q_len) {
            pending *p = c->queue[c->q_head++];
            sent_link(c, p);
            req->id = (uint64_t)(uintptr_t)p;
            req->body = p->body;
            req->body_len = p->body_len;
            c->sent++;
            return true;
        }
        c->q_head = c->q_len = 0;
        if (c->ds_done) {
            return false;
        }
        fs_status st = load_record(c);
        if (st != FS_OK) {
            fail_inner(c, st);
        }
    }
    return false;
}

static fs_status run_target(run_ctx *c, size_t ti)
{
    fs_dataset_opts dopts = FS_DATASET_OPTS_INIT;
    fs_dispatch_opts dis = FS_DISPATCH_OPTS_INIT;
    const fs_config *cfg = c->cfg;
    c->target = &cfg->targets[ti];
    fs_config__target_spec(&c->spec, c->target);
    if (cfg->task == FS_TASK_LANGUAGE_MODELING) {
        /* perplexity of the prompt itself: its token log-probabilities, echoed */
        c->spec.logprobs = true;
        c->spec.echo = true;
    }
    c->ds_done = false;
    c->records = 0;
    c->inner = FS_OK;
    fs_buf_reset(&c->keybuf);
    fs_status st = fs_target_identity(&c->keybuf, &c->spec, c->err);
    if (st != FS_OK) {
        return st;
    }
    fs_free(c->identity);
    c->identity = fs_buf_take(&c->keybuf, NULL);
    if (c->identity == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    int64_t n_variants = 0, n_outcomes = 0;
    st = fs_store_counts(c->store, c->target->name, &n_variants, &n_outcomes, c->err);
    if (st != FS_OK) {
        return st;
    }
    c->resuming = n_outcomes > 0;
    dataset_opts(&dopts, cfg);
    st = fs_dataset_open(&c->ds, cfg->dataset_path, &dopts, c->err);
    if (st != FS_OK) {
        return st;
    }
    dis.concurrency = c->opts->concurrency > 0 ? c->opts->concurrency : cfg->concurrency;
    dis.rps = cfg->rps;
    dis.tpm = cfg->tpm;
    dis.timeout_ms = cfg->timeout_ms;
    dis.retries = cfg->retries;
    dis.seed = cfg->seed;
    dis.backoff_base_ms = cfg->backoff_base_ms;
    dis.backoff_max_ms = cfg->backoff_max_ms;
    dis.grow_after = cfg->grow_after;
    dis.idle = on_idle;
    dis.fail_fast_retry_after_ms = cfg->fail_fast_retry_after_ms;
    dis.fail_fast_failures = cfg->fail_fast_failures;
    dis.fail_fast_unreachable_ms = cfg->fail_fast_unreachable_ms;
    /* the budgets are for the whole run: what earlier targets spent is gone */
    if (cfg->max_requests > 0) {
        dis.max_requests = cfg->max_requests > c->sent ? cfg->max_requests - c->sent : 0;
    }
    if (cfg->max_tokens > 0) {
        dis.max_tokens = cfg->max_tokens > c->tokens ? cfg->max_tokens - c->tokens : 0;
    }
    if ((cfg->max_requests > 0 && dis.max_requests == 0) ||
        (cfg->max_tokens > 0 && dis.max_tokens == 0)) {
        fs_dataset_free(c->ds);
        c->ds = NULL;
        return FS_ERR_LIMIT;
    }
    st = fs_dispatch_run(&c->spec, &dis, on_next, on_done, c, c->opts->log, c->opts->log_payload,
                         c->err);
    for (size_t i = c->q_head; i < c->q_len; i++) {
        pending_free(c->queue[i]);
    }
    c->q_head = c->q_len = 0;
    /* a dispatch that stopped early (fail-fast, an error) leaves requests unanswered:
     * they have no outcome and are sent again on resume */
    while (c->sent_list != NULL) {
        pending *p = c->sent_list;
        sent_unlink(c, p);
        pending_free(p);
    }
    fs_dataset_free(c->ds);
    c->ds = NULL;
    if (c->inner != FS_OK) {
        if (c->err != NULL) {
            *c->err = c->inner_err;
        }
        return c->inner;
    }
    return st;
}

/* An identification section's categories and patterns file, checked before anything is
 * sent: the detectors are built for the report only after the run. */
static fs_status check_identification(const fs_config *cfg, const char *data_dir, fs_error *err)
{
    fs_identify_detector *d = NULL;
    fs_identify_opts io = FS_IDENTIFY_OPTS_INIT;
    if (!cfg->identify && !cfg->redact) {
        return FS_OK;
    }
    io.categories = (const char *const *)cfg->id_categories;
    io.n_categories = cfg->n_id_categories;
    io.file = cfg->id_patterns;
    fs_status st = fs_identify_detector_new(&d, data_dir, &io, err);
    fs_identify_detector_free(d);
    if (st != FS_OK) {
        fs_error_prefix(err, "%s: identification", cfg->path);
    }
    return st;
}

static fs_status make_perturbers(fs_perturber ***out, const fs_config *cfg, const char *data_dir,
                                 fs_error *err)
{
    fs_perturber **perts = fs_calloc(cfg->n_perturbations + 1, sizeof *perts);
    *out = NULL;
    if (perts == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < cfg->n_perturbations; i++) {
        const fs_config_perturbation *p = &cfg->perturbations[i];
        fs_status st = fs_perturber_new(&perts[i], p->name, &p->params, data_dir, err);
        if (st == FS_OK && p->n_protect > 0) {
            st = fs_perturber_set_protect(perts[i], (const char *const *)p->protect, p->n_protect,
                                          data_dir, err);
            if (st != FS_OK) {
                fs_perturber_free(perts[i]);
                perts[i] = NULL;
            }
        }
        if (st != FS_OK) {
            fs_error_prefix(err, "%s:%zu: perturbations[%zu] (%s)", cfg->path, p->line, i,
                            p->label);
            for (size_t j = 0; j < i; j++) {
                fs_perturber_free(perts[j]);
            }
            fs_free(perts);
            return st;
        }
    }
    *out = perts;
    return FS_OK;
}

static void free_perturbers(fs_perturber **perts, size_t n)
{
    for (size_t i = 0; perts != NULL && i < n; i++) {
        fs_perturber_free(perts[i]);
    }
    fs_free(perts);
}

static fs_status add_lexicon(fs_audit__prov *prov, const char *path, fs_error *err)
{
    for (size_t m = 0; m < prov->n_lexicons; m++) {
        if (strcmp(prov->lexicon_paths[m], path) == 0) {
            return FS_OK;
        }
    }
    fs_status st = fs_hash_file_hex(prov->lexicon_hashes[prov->n_lexicons], path, err);
    if (st != FS_OK) {
        return st;
    }
    prov->lexicon_paths[prov->n_lexicons] = fs_strdup(path);
    if (prov->lexicon_paths[prov->n_lexicons++] == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return FS_OK;
}

/* Hash every data file the run reads: the perturbers', the lexicon's and extra (may be
 * NULL). */
static fs_status hash_lexicons(fs_audit__prov *prov, fs_perturber **perts, size_t n,
                               const demog_set *d, const char *extra, fs_error *err)
{
    size_t total = extra != NULL;
    const char *const *dfiles = NULL;
    size_t n_dfiles = d->lex ? fs_demog_files(d->lex, &dfiles) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *const *files = NULL;
        total += fs_perturber_files(perts[i], &files);
    }
    total += n_dfiles;
    prov->lexicon_paths = fs_calloc(total + 1, sizeof(char *));
    prov->lexicon_hashes = fs_calloc(total + 1, sizeof *prov->lexicon_hashes);
    if (prov->lexicon_paths == NULL || prov->lexicon_hashes == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_status st = FS_OK;
    for (size_t i = 0; st == FS_OK && i < n; i++) {
        const char *const *files = NULL;
        size_t k = fs_perturber_files(perts[i], &files);
        for (size_t j = 0; st == FS_OK && j < k; j++) {
            st = add_lexicon(prov, files[j], err);
        }
    }
    for (size_t j = 0; st == FS_OK && j < n_dfiles; j++) {
        st = add_lexicon(prov, dfiles[j], err);
    }
    if (st == FS_OK && extra != NULL) {
        st = add_lexicon(prov, extra, err);
    }
    return st;
}

void fs_audit__prov_dispose(fs_audit__prov *p)
{
    for (size_t i = 0; p->lexicon_paths != NULL && i < p->n_lexicons; i++) {
        fs_free(p->lexicon_paths[i]);
    }
    fs_free(p->lexicon_paths);
    fs_free(p->lexicon_hashes);
    memset(p, 0, sizeof *p);
}

static fs_status dir_of(char *out, size_t cap, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    if (n + 1 > cap) {
        return FS_ERR_LIMIT;
    }
    memcpy(out, slash ? path : ".", n);
    out[n] = '\0';
    return FS_OK;
}

static fs_status open_store(fs_store **out, const fs_config *cfg, const char *dir, bool fresh,
                            fs_error *err)
{
    char path[1200], parent[1100];
    if (cfg->store != NULL) {
        snprintf(path, sizeof path, "%s", cfg->store);
    } else {
        snprintf(path, sizeof path, "%s/run.sqlite", dir);
    }
    if (dir_of(parent, sizeof parent, path) != FS_OK) {
        return FS_FAIL(err, FS_ERR_IO, "%s: path too long", path);
    }
    fs_status st = mkdir_p(parent, err);
    if (st == FS_OK) {
        st = fs_store_open(out, path, cfg->hash, fresh, err);
    }
    return st;
}

/* The failed gates of a report as lines for the terminal: which gate, target, value (or
 * why there is none) and the threshold. */
static void failed_gates_text(fs_audit_result *res, const char *json)
{
    cJSON *root = cJSON_Parse(json);
    fs_buf b;
    fs_buf_init(&b, 0);
    const cJSON *gates = cJSON_GetObjectItemCaseSensitive(root, "gates"), *g;
    cJSON_ArrayForEach(g, gates)
    {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "passed"))) {
            continue;
        }
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(g, "value");
        const char *where = fs_json__str(g, "perturbation") ? fs_json__str(g, "perturbation")
                                                            : fs_json__str(g, "axis");
        const char *bound = fs_json__str(g, "bound");
        fs_buf_printf(&b, "gate %s on %s: ", fs_json__str(g, "name"), fs_json__str(g, "target"));
        if (cJSON_IsNumber(v)) {
            fs_buf_printf(&b, "%.4g", v->valuedouble);
        } else {
            fs_buf_printf(&b, "no value (%s)",
                          fs_json__str(g, "value_reason") ? fs_json__str(g, "value_reason")
                                                          : "not computed");
        }
        if (where != NULL) {
            fs_buf_printf(&b, " at %s", where);
        }
        if (bound != NULL && strcmp(bound, "ci95") == 0) {
            fs_buf_puts(&b, " (95% CI bound)");
        }
        const cJSON *thr = cJSON_GetObjectItemCaseSensitive(g, "threshold");
        fs_buf_printf(&b, ", needs %s %.4g\n", fs_json__str(g, "comparison"),
                      cJSON_IsNumber(thr) ? thr->valuedouble : 0.0);
    }
    snprintf(res->failed, sizeof res->failed, "%s", fs_buf_cstr(&b));
    fs_buf_dispose(&b);
    cJSON_Delete(root);
}

static fs_status write_reports(const fs_config *cfg, fs_store *store, const char *dir,
                               const fs_audit__prov *prov, uint64_t limit,
                               const char *const *formats, size_t n_formats, fs_audit_result *res,
                               fs_error *err)
{
    char *json = NULL;
    fs_status st = fs_audit__build_report(&json, cfg, store, prov, limit, &res->gates_passed,
                                          &res->gates_failed, err);
    if (st == FS_OK) {
        st = fs_report_write(dir, json, strlen(json),
                             formats ? formats : (const char *const *)cfg->formats,
                             formats ? n_formats : cfg->n_formats, err);
    }
    const char *const *list = formats ? formats : (const char *const *)cfg->formats;
    for (size_t i = 0; st == FS_OK && i < (formats ? n_formats : cfg->n_formats); i++) {
        if (strcmp(list[i], "csv") == 0) {
            st = fs_audit__write_csv(cfg, store, dir, err);
        }
    }
    if (st == FS_OK) {
        failed_gates_text(res, json);
    }
    fs_free(json);
    snprintf(res->report_dir, sizeof res->report_dir, "%s", dir);
    return st;
}

static fs_status save_config_meta(fs_store *store, const fs_config *cfg, fs_error *err)
{
    char *text = NULL;
    fs_status st = fs_read_file(&text, NULL, cfg->path, (size_t)16 << 20, err);
    if (st == FS_OK) {
        st = fs_store_meta_set(store, "config_text", text, err);
    }
    if (st == FS_OK) {
        st = fs_store_meta_set(store, "config_path", cfg->path, err);
    }
    fs_free(text);
    return st;
}

static fs_status dispatch_all(run_ctx *c, fs_audit__prov *prov, fs_audit_result *res)
{
    fs_status st = FS_OK;
    for (size_t t = 0; st == FS_OK && t < c->cfg->n_targets; t++) {
        uint64_t errors_before = c->errors, answered_before = c->answered;
        st = run_target(c, t);
        uint64_t answered = c->answered - answered_before;
        if (st == FS_OK && answered > 0 && c->errors - errors_before == answered) {
            st = FS_FAIL(c->err, FS_ERR_TARGET,
                         "target '%s' (%s): every one of %llu requests failed; the store keeps "
                         "them and a later run retries them",
                         c->target->name, c->target->url ? c->target->url : "exec",
                         (unsigned long long)answered);
        }
    }
    if (st == FS_ERR_LIMIT) {
        snprintf(prov->stopped, sizeof prov->stopped,
                 "budget reached (run.max_requests %llu, run.max_tokens %llu) after %llu "
                 "requests and %llu tokens; run the same config again to continue (the budget "
                 "counts per invocation)",
                 (unsigned long long)c->cfg->max_requests, (unsigned long long)c->cfg->max_tokens,
                 (unsigned long long)c->sent, (unsigned long long)c->tokens);
    }
    prov->records = c->records;
    prov->requests_sent = c->sent;
    prov->cache_hits = c->cache_hits;
    res->requests_sent = c->sent;
    res->cache_hits = c->cache_hits;
    res->variants = c->variants / (c->cfg->n_targets ? c->cfg->n_targets : 1);
    return st;
}

/* The number of counterfactual variants of a record, for the progress total. */
static fs_status count_counterfactuals(demog_set *d, const fs_config *cfg, const fs_record *rec,
                                       uint64_t *total, uint64_t *per_axis, fs_error *err)
{
    fs_buf joined;
    cf_texts src;
    fs_status st = FS_OK;
    fs_buf_init(&joined, 0);
    swap_texts(&src, &joined, cfg, rec);
    if (fs_buf_status(&joined) != FS_OK) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK && d->n > 0) {
        st = demog_protected(d, src.text, src.len, err);
    }
    for (size_t i = 0; st == FS_OK && i < d->n; i++) {
        const size_t *counts = NULL;
        st = fs_demog_detect_protected(d->sw[i], src.text, src.detect_len, d->spans, d->n_spans,
                                       &counts, err);
        for (size_t to = 0; st == FS_OK && to < fs_demog_group_count(d->lex, d->axis[i]); to++) {
            size_t from;
            bool yes = demog_target(d, i, counts, to, &from);
            *total += yes;
            if (per_axis != NULL) {
                per_axis[i] += yes;
            }
        }
    }
    fs_buf_dispose(&joined);
    return st;
}

/* Read every record once before anything is sent: a bad record stops the run before
 * the first request, and the count gives progress its total. */
static fs_status validate_dataset(const fs_config *cfg, demog_set *d, uint64_t limit,
                                  uint64_t *records_out, uint64_t *cf_out, uint64_t *cf_axis,
                                  fs_error *err)
{
    fs_dataset_opts dopts = FS_DATASET_OPTS_INIT;
    fs_dataset *ds = NULL;
    const fs_record *rec = NULL;
    dataset_opts(&dopts, cfg);
    uint64_t records = 0;
    const char *ref = cfg->field_group ? fs_params_get(&cfg->reference, cfg->field_group) : NULL;
    bool ref_seen = false;
    fs_status st = fs_dataset_open(&ds, cfg->dataset_path, &dopts, err);
    while (st == FS_OK && (limit == 0 || records < limit)) {
        st = fs_dataset_next(ds, &rec, err);
        if (st != FS_OK || rec == NULL) {
            break;
        }
        records++;
        ref_seen = ref_seen || (ref != NULL && rec->group != NULL && strcmp(rec->group, ref) == 0);
        st = check_record(cfg, rec, NULL, err);
        if (st == FS_OK && d != NULL && cf_out != NULL) {
            st = count_counterfactuals(d, cfg, rec, cf_out, cf_axis, err);
        }
    }
    fs_dataset_free(ds);
    if (st == FS_OK && ref != NULL && !ref_seen) {
        /* checked here, before anything is sent, not when the report is built */
        st = FS_FAIL(err, FS_ERR_CONFIG,
                     "%s: demographics.reference.%s: no record has the group '%s'%s", cfg->path,
                     cfg->field_group, ref, limit ? " (within --limit)" : "");
    }
    if (records_out != NULL) {
        *records_out = records;
    }
    return st;
}

/* Everything before the first request: perturbers, provenance hashes, a validating pass
 * over the dataset, the report directory and the store. */
static fs_status prepare_run(run_ctx *c, fs_audit__prov *prov, const char *dir,
                             const char *data_dir, fs_error *err)
{
    const fs_config *cfg = c->cfg;
    char why[sizeof err->msg];
    size_t per_record = 1, queue = 1;
    uint64_t cf_total = 0;
    for (size_t i = 0; i < cfg->n_perturbations; i++) {
        per_record += cfg->perturbations[i].n;
    }
    fs_status st = demog_open(&c->demog, cfg, data_dir, err);
    queue = per_record;
    for (size_t i = 0; st == FS_OK && i < c->demog.n; i++) {
        queue += fs_demog_group_count(c->demog.lex, c->demog.axis[i]);
    }
    c->queue = st == FS_OK ? fs_calloc(queue, sizeof *c->queue) : NULL;
    if (st == FS_OK && c->queue == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        st = check_identification(cfg, data_dir, err);
    }
    if (st == FS_OK) {
        st = make_perturbers(&c->perts, cfg, data_dir, err);
    }
    if (st == FS_OK) {
        /* free-text counterfactuals are scored for refusals with this file (results) */
        char refusals[1100];
        bool text_cf = cfg->n_axes > 0 && cfg->task != FS_TASK_CLASSIFICATION &&
                       cfg->task != FS_TASK_LANGUAGE_MODELING;
        snprintf(refusals, sizeof refusals, "%s/demographics/refusals.json", fs_audit_data_dir());
        st = hash_lexicons(prov, c->perts, cfg->n_perturbations, &c->demog,
                           text_cf ? refusals : NULL, err);
    }
    if (st == FS_OK) {
        st = fs_hash_file_hex(prov->dataset_hash, cfg->dataset_path, err);
        if (st != FS_OK && err != NULL) {
            snprintf(why, sizeof why, "%s", err->msg);
            st = FS_FAIL(err, FS_ERR_CONFIG, "%s: dataset.path: %s", cfg->path, why);
        }
    }
    if (st == FS_OK) {
        st = validate_dataset(cfg, &c->demog, c->opts->limit, &c->total, &cf_total, NULL, err);
        c->total = (c->total * per_record + cf_total) * cfg->n_targets;
    }
    if (st == FS_OK) {
        st = mkdir_p(dir, err);
    }
    if (st == FS_OK) {
        st = open_store(&c->store, cfg, dir, c->opts->fresh, err);
    }
    if (st == FS_OK) {
        st = save_config_meta(c->store, cfg, err);
    }
    if (st == FS_OK && cfg->cache != NULL) {
        char parent[1100];
        st = dir_of(parent, sizeof parent, cfg->cache) == FS_OK ? mkdir_p(parent, err) : FS_OK;
        if (st == FS_OK) {
            st = fs_store_open(&c->cache, cfg->cache, NULL, false, err);
        }
        if (st != FS_OK) {
            fs_error_prefix(err, "%s: run.cache", cfg->path);
        }
    }
    return st;
}

/* Send everything, keep every answer that arrived (a later run resumes from them), then
 * score and write the reports. */
static fs_status execute_run(run_ctx *c, fs_audit__prov *prov, const char *dir,
                             fs_audit_result *out, fs_error *err)
{
    fs_audit__now_iso(prov->started);
    if (gethostname(prov->host, sizeof prov->host) != 0) {
        snprintf(prov->host, sizeof prov->host, "unknown");
    }
    prov->host[sizeof prov->host - 1] = '\0';
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fs_status st = dispatch_all(c, prov, out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    prov->send_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fs_status fst = fs_store_flush(c->store, st == FS_OK ? err : NULL);
    st = st == FS_OK ? fst : st;
    if (c->cache != NULL) {
        fst = fs_store_close(c->cache, st == FS_OK ? err : NULL);
        c->cache = NULL;
        st = st == FS_OK ? fst : st;
    }
    /* a budget stop is clean: the report says how far the run got, marked incomplete */
    bool budget = st == FS_ERR_LIMIT;
    st = budget ? FS_OK : st;
    fs_audit__now_iso(prov->finished);
    if (st == FS_OK) {
        st = fs_audit__prov_save(c->store, prov, err);
    }
    if (st == FS_OK) {
        st = write_reports(c->cfg, c->store, dir, prov, prov->records, NULL, 0, out, err);
    }
    if (st == FS_OK) {
        st = fs_store_close(c->store, err);
        c->store = NULL;
    }
    if (st == FS_OK && budget) {
        st = FS_FAIL(err, FS_ERR_LIMIT, "%s (partial report in %s)", prov->stopped, dir);
    }
    return st;
}

/* {{categories}} of an identification prompt: the configured categories, else every
 * category the detectors know. */
static fs_status category_list(fs_buf *out, const fs_config *cfg, const fs_audit_opts *opts,
                               fs_error *err)
{
    fs_identify_detector *d = NULL;
    const char *const *cats = (const char *const *)cfg->id_categories;
    size_t n = cfg->n_id_categories;
    fs_status st = FS_OK;
    if (cats == NULL) {
        fs_identify_opts io;
        memset(&io, 0, sizeof io);
        io.file = cfg->id_patterns;
        st = fs_identify_detector_new(&d, opts->data_dir ? opts->data_dir : fs_audit_data_dir(),
                                      &io, err);
        n = st == FS_OK ? fs_identify_detector_categories(d, &cats) : 0;
    }
    for (size_t i = 0; i < n; i++) {
        fs_buf_puts(out, i ? ", " : "");
        fs_buf_puts(out, cats[i]);
    }
    fs_identify_detector_free(d);
    return st;
}

/* The plan of a run without sending anything: variants per target and condition. */
static fs_status plan(const fs_config *cfg, const fs_audit_opts *opts, fs_audit_result *out,
                      fs_error *err)
{
    demog_set d;
    uint64_t records = 0, cf = 0, *per_axis = fs_calloc(cfg->n_axes + 1, sizeof *per_axis);
    fs_buf b;
    fs_buf_init(&b, 0);
    fs_status st =
        per_axis ? demog_open(&d, cfg, opts->data_dir ? opts->data_dir : fs_audit_data_dir(), err)
                 : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    if (st == FS_OK) {
        st = validate_dataset(cfg, &d, opts->limit, &records, &cf, per_axis, err);
    }
    if (st == FS_OK) {
        uint64_t per_target = records;
        fs_buf_printf(&b, "%-32s %12s\n%-32s %12llu\n", "condition", "requests", "clean",
                      (unsigned long long)records);
        for (size_t i = 0; i < cfg->n_perturbations; i++) {
            uint64_t n = records * cfg->perturbations[i].n;
            per_target += n;
            fs_buf_printf(&b, "%-32s %12llu\n", cfg->perturbations[i].label, (unsigned long long)n);
        }
        for (size_t i = 0; i < cfg->n_axes; i++) {
            fs_buf_printf(&b, "counterfactual %-17s %12llu\n", cfg->axes[i],
                          (unsigned long long)per_axis[i]);
            per_target += per_axis[i];
        }
        fs_buf_printf(&b, "%-32s %12llu\n", "per target", (unsigned long long)per_target);
        for (size_t t = 0; t < cfg->n_targets; t++) {
            fs_buf_printf(&b, "target %-25s %12llu\n", cfg->targets[t].name,
                          (unsigned long long)per_target);
        }
        fs_buf_printf(&b,
                      "%-32s %12llu\n(at most: answers already in the run store or the "
                      "response cache are not sent again)\n",
                      "total", (unsigned long long)(per_target * cfg->n_targets));
        out->plan = fs_buf_take(&b, NULL);
        out->variants = per_target;
        st = out->plan ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    demog_close(&d);
    fs_buf_dispose(&b);
    fs_free(per_axis);
    return st;
}

fs_status fs_audit_run(const char *config_path, const fs_audit_opts *opts, fs_audit_result *out,
                       fs_error *err)
{
    fs_config *cfg = NULL;
    run_ctx c;
    fs_audit__prov prov;
    memset(&c, 0, sizeof c);
    memset(&prov, 0, sizeof prov);
    memset(out, 0, sizeof *out);
    fs_buf_init(&c.text, 0);
    fs_buf_init(&c.prompt, 0);
    fs_buf_init(&c.body, 0);
    fs_buf_init(&c.keybuf, 0);
    fs_buf_init(&c.label_list, 0);
    fs_buf_init(&c.refs_json, 0);
    fs_buf_init(&c.joined, 0);
    fs_buf_init(&c.parts, 0);
    fs_buf_init(&c.cf_gold, 0);
    fs_status st = fs_config_load(&cfg, config_path, err);
    if (st == FS_OK && opts->dry_run) {
        st = plan(cfg, opts, out, err);
        fs_config_free(cfg);
        return st;
    }
    for (size_t i = 0; st == FS_OK && i < cfg->n_labels; i++) {
        fs_buf_puts(&c.label_list, i ? ", " : "");
        fs_buf_puts(&c.label_list, cfg->labels[i]);
    }
    if (st == FS_OK && cfg->task == FS_TASK_IDENTIFICATION) {
        st = category_list(&c.label_list, cfg, opts, err);
    }
    if (st == FS_OK && cfg->task == FS_TASK_CLASSIFICATION) {
        st = fs_label_parser_new(&c.labels, (const char *const *)cfg->labels, cfg->n_labels, err);
    }
    if (st == FS_OK) {
        const char *dir = opts->out_dir ? opts->out_dir : cfg->report_dir;
        c.cfg = cfg;
        c.opts = opts;
        c.err = err;
        st =
            prepare_run(&c, &prov, dir, opts->data_dir ? opts->data_dir : fs_audit_data_dir(), err);
        if (st == FS_OK) {
            st = execute_run(&c, &prov, dir, out, err);
        }
    }
    fs_store_free(c.store);
    fs_store_free(c.cache);
    fs_label_parser_free(c.labels);
    free_perturbers(c.perts, cfg ? cfg->n_perturbations : 0);
    demog_close(&c.demog);
    fs_free(c.queue);
    fs_free(c.identity);
    fs_buf_dispose(&c.text);
    fs_buf_dispose(&c.prompt);
    fs_buf_dispose(&c.body);
    fs_buf_dispose(&c.keybuf);
    fs_buf_dispose(&c.label_list);
    fs_buf_dispose(&c.refs_json);
    fs_buf_dispose(&c.joined);
    fs_buf_dispose(&c.parts);
    fs_buf_dispose(&c.cf_gold);
    fs_audit__prov_dispose(&prov);
    fs_config_free(cfg);
    return st;
}

fs_status fs_audit_validate(const char *config_path, const char *data_dir, fs_error *err)
{
    fs_config *cfg = NULL;
    fs_perturber **perts = NULL;
    fs_status st = fs_config_load(&cfg, config_path, err);
    demog_set d;
    memset(&d, 0, sizeof d);
    if (st == FS_OK) {
        st = check_identification(cfg, data_dir ? data_dir : fs_audit_data_dir(), err);
    }
    if (st == FS_OK) {
        st = demog_open(&d, cfg, data_dir ? data_dir : fs_audit_data_dir(), err);
    }
    if (st == FS_OK) {
        st = make_perturbers(&perts, cfg, data_dir ? data_dir : fs_audit_data_dir(), err);
    }
    if (st == FS_OK) {
        st = validate_dataset(cfg, NULL, 0, NULL, NULL, NULL, err);
    }
    demog_close(&d);
    free_perturbers(perts, cfg ? cfg->n_perturbations : 0);
    fs_config_free(cfg);
    return st;
}

fs_status fs_audit_report(const char *run_dir, const char *const *formats, size_t n_formats,
                          fs_audit_result *out, fs_error *err)
{
    char path[1200];
    fs_store *store = NULL;
    fs_config *cfg = NULL;
    char *text = NULL, *cpath = NULL;
    fs_audit__prov prov;
    memset(&prov, 0, sizeof prov);
    memset(out, 0, sizeof *out);
    snprintf(path, sizeof path, "%s/run.sqlite", run_dir);
    if (access(path, R_OK) != 0) {
        return FS_FAIL(err, FS_ERR_USAGE, "%s: no run store here (expected %s)", run_dir, path);
    }
    fs_status st = fs_store_open(&store, path, NULL, false, err);
    if (st == FS_OK) {
        st = fs_store_meta_get(store, "config_text", &text, err);
    }
    if (st == FS_OK) {
        st = fs_store_meta_get(store, "config_path", &cpath, err);
    }
    if (st == FS_OK && (text == NULL || cpath == NULL)) {
        st = FS_FAIL(err, FS_ERR_STORE, "%s: the store has no config: was the run started?", path);
    }
    if (st == FS_OK) {
        st = fs_config_parse(&cfg, text, strlen(text), cpath, err);
    }
    if (st == FS_OK) {
        st = fs_audit__prov_load(&prov, store, err);
    }
    if (st == FS_OK) {
        st = write_reports(cfg, store, run_dir, &prov, prov.records, formats, n_formats, out, err);
    }
    fs_audit__prov_dispose(&prov);
    fs_store_free(store);
    fs_config_free(cfg);
    fs_free(text);
    fs_free(cpath);
    return st;
}
