/* bigram-lm over the OpenAI API. Generation is greedy: each next token is the most
 * probable one after the previous token (ties to the lower id), never "<unk>", so the
 * same prompt always gives the same text. On /v1/completions, "echo" puts the prompt in
 * front of the generated text and "logprobs": k adds, per token, its text, its natural
 * log-probability given the token before it, the k most probable tokens at that
 * position, and its offset in code points from the start of the prompt. As in OpenAI's
 * API, the first token of an echoed prompt has no context: its log-probability and top
 * list are null. finish_reason is always "length": a bigram model never stops by itself. */
#include "refmodel/models.h"

#include <string.h>

#define DEFAULT_MAX_TOKENS 16
#define TOP_CAP            32

/* A prompt split into tokens, and what greedy generation added. */
typedef struct lm_run {
    const refmodel_lm *lm;
    const char *prompt;
    refmodel_lm_pieces pieces;
    size_t *prompt_ids; /* one per piece */
    size_t *gen_ids;
    size_t *gen_cps; /* code points before each generated token */
    size_t n_gen;
    size_t prompt_cps;
    bool echo;
} lm_run;

static size_t count_cps(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += ((unsigned char)s[i] & 0xC0) != 0x80 ? 1 : 0;
    }
    return k;
}

/* Split the prompt, look its tokens up, and generate n tokens greedily. */
static fs_status run_model(lm_run *r, const char *prompt, size_t len, size_t n, fs_error *err)
{
    fs_text_segmenter *seg = NULL;
    fs_text_casemapper *cm = NULL;
    fs_status st = fs_text_segmenter_new(&seg, FS_TEXT_WORD, err);
    if (st == FS_OK) {
        st = fs_text_casemapper_new(&cm, err);
    }
    if (st == FS_OK) {
        st = refmodel_lm_split(&r->pieces, seg, cm, prompt, len, err);
    }
    if (st == FS_OK) {
        r->prompt_ids = fs_calloc(r->pieces.count + 1, sizeof *r->prompt_ids);
        r->gen_ids = fs_calloc(n + 1, sizeof *r->gen_ids);
        r->gen_cps = fs_calloc(n + 1, sizeof *r->gen_cps);
        if (r->prompt_ids == NULL || r->gen_ids == NULL || r->gen_cps == NULL) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    size_t prev = REFMODEL_LM_NONE;
    for (size_t i = 0; st == FS_OK && i < r->pieces.count; i++) {
        const refmodel_lm_piece *pc = &r->pieces.items[i];
        prev = refmodel_lm_id(r->lm, fs_buf_cstr(&r->pieces.keys) + pc->key_off, pc->key_len);
        r->prompt_ids[i] = prev;
    }
    for (size_t i = 0; st == FS_OK && i < n; i++) {
        double lp = 0;
        size_t next = 0;
        if (refmodel_lm_top(r->lm, prev, 1, &next, &lp) == 0) {
            break;
        }
        r->gen_ids[r->n_gen++] = next;
        prev = next;
    }
    r->prompt = prompt;
    r->prompt_cps = count_cps(prompt, len);
    for (size_t i = 0, cp = r->prompt_cps; i < r->n_gen; i++) {
        const char *key = refmodel_lm_key(r->lm, r->gen_ids[i]);
        r->gen_cps[i] = cp;
        cp += count_cps(key, strlen(key));
    }
    fs_text_casemapper_free(cm);
    fs_text_segmenter_free(seg);
    return st;
}

/* Positions of the logprobs arrays: the echoed prompt tokens, then the generated ones. */
static size_t n_positions(const lm_run *r)
{
    return (r->echo ? r->pieces.count : 0) + r->n_gen;
}

/* Token id at position i, the id before it (REFMODEL_LM_NONE when none) and its text. */
static size_t position(const lm_run *r, size_t i, size_t *prev, fs_str *text, size_t *cp)
{
    size_t np = r->pieces.count, base = r->echo ? np : 0;
    if (i < base) {
        const refmodel_lm_piece *pc = &r->pieces.items[i];
        *prev = i > 0 ? r->prompt_ids[i - 1] : REFMODEL_LM_NONE;
        text->ptr = r->prompt + pc->start;
        text->len = pc->end - pc->start;
        *cp = pc->cp_start;
        return r->prompt_ids[i];
    }
    size_t g = i - base;
    *prev = g > 0 ? r->gen_ids[g - 1] : (np > 0 ? r->prompt_ids[np - 1] : REFMODEL_LM_NONE);
    text->ptr = refmodel_lm_key(r->lm, r->gen_ids[g]);
    text->len = strlen(text->ptr);
    *cp = r->gen_cps[g];
    return r->gen_ids[g];
}

static void put_top(fs_buf *b, const refmodel_lm *lm, size_t prev, size_t k)
{
    size_t ids[TOP_CAP];
    double lps[TOP_CAP];
    size_t n = refmodel_lm_top(lm, prev, k, ids, lps);
    fs_buf_putc(b, '{');
    for (size_t j = 0; j < n; j++) {
        const char *key = refmodel_lm_key(lm, ids[j]);
        fs_buf_puts(b, j > 0 ? "," : "");
        fs_buf_put_json_string(b, key, strlen(key));
        fs_buf_putc(b, ':');
        fs_buf_put_double(b, lps[j]);
    }
    fs_buf_putc(b, '}');
}

/* Append the "logprobs" object of an OpenAI text completion. */
static void put_logprobs(fs_buf *b, const lm_run *r, size_t k)
{
    static const char *const names[4] = { "tokens", "token_logprobs", "top_logprobs",
                                          "text_offset" };
    size_t n = n_positions(r);
    fs_buf_putc(b, '{');
    for (int field = 0; field < 4; field++) {
        fs_buf_printf(b, "%s\"%s\":[", field > 0 ? "," : "", names[field]);
        for (size_t i = 0; i < n; i++) {
            size_t prev = 0, cp = 0;
            fs_str text;
            size_t id = position(r, i, &prev, &text, &cp);
            bool no_context = r->echo && i == 0;
            fs_buf_puts(b, i > 0 ? "," : "");
            if (field == 0) {
                fs_buf_put_json_string(b, text.ptr, text.len);
            } else if (field == 3) {
                fs_buf_printf(b, "%zu", cp);
            } else if (no_context) {
                fs_buf_puts(b, "null");
            } else if (field == 1) {
                fs_buf_put_double(b, refmodel_lm_logprob(r->lm, prev, id));
            } else {
                put_top(b, r->lm, prev, k);
            }
        }
        fs_buf_putc(b, ']');
    }
    fs_buf_putc(b, '}');
}

/* Append the generated text (white space before its first token dropped when trim). */
static void put_generated(fs_buf *b, const lm_run *r, bool trim)
{
    for (size_t i = 0; i < r->n_gen; i++) {
        const char *key = refmodel_lm_key(r->lm, r->gen_ids[i]);
        if (trim && b->len == 0) {
            while (*key == ' ') {
                key++;
            }
        }
        fs_buf_puts(b, key);
    }
}

fs_status refmodel_lm_respond(fs_buf *out, const refmodel_lm *lm, size_t gen_max, refmodel_api api,
                              const refmodel_request *req, uint64_t seq, int64_t created,
                              size_t prompt_tokens, fs_error *err)
{
    lm_run r;
    fs_buf text;
    bool chat = api == REFMODEL_API_CHAT;
    size_t n = req->max_tokens >= 0 ? (size_t)req->max_tokens : DEFAULT_MAX_TOKENS;
    memset(&r, 0, sizeof r);
    r.lm = lm;
    r.echo = !chat && req->echo;
    refmodel_lm_pieces_init(&r.pieces);
    fs_buf_init(&text, 0);
    fs_status st = run_model(&r, req->prompt, req->prompt_len, n < gen_max ? n : gen_max, err);
    if (st == FS_OK) {
        if (r.echo) {
            fs_buf_append(&text, req->prompt, req->prompt_len);
        }
        put_generated(&text, &r, chat);
        refmodel_response_open(out, api, seq, created, "bigram-lm");
        fs_buf_puts(out, chat ? "\"message\":{\"role\":\"assistant\",\"content\":" : "\"text\":");
        fs_buf_put_json_string(out, fs_buf_cstr(&text), text.len);
        fs_buf_puts(out, chat ? "}," : ",");
        fs_buf_puts(out, "\"logprobs\":");
        if (!chat && req->logprobs >= 0) {
            put_logprobs(out, &r, (size_t)req->logprobs);
        } else {
            fs_buf_puts(out, "null");
        }
        fs_buf_putc(out, ',');
        refmodel_response_close(out, "length", prompt_tokens, r.n_gen);
    }
    fs_buf_dispose(&text);
    refmodel_lm_pieces_dispose(&r.pieces);
    fs_free(r.prompt_ids);
    fs_free(r.gen_ids);
    fs_free(r.gen_cps);
    return st;
}
