#ifndef FS_REFMODEL_MODELS_H
#define FS_REFMODEL_MODELS_H
/* The models fairshake-refmodel serves side by side, and the answer to one request. */
#include "refmodel/ident.h"
#include "refmodel/lm.h"
#include "refmodel/nb.h"
#include "refmodel/opts.h"
#include "refmodel/qa.h"
#include "refmodel/request.h"

/** The served models, in the order GET /v1/models lists them; the first one answers
 *  requests that name no model. */
typedef enum refmodel_model {
    REFMODEL_NB = 0,    /* "nb-sentiment" */
    REFMODEL_QA = 1,    /* "overlap-qa" */
    REFMODEL_LEAD = 2,  /* "lead-summarizer" */
    REFMODEL_LM = 3,    /* "bigram-lm" */
    REFMODEL_IDENT = 4, /* "pii-identifier" */
    REFMODEL_N_MODELS = 5
} refmodel_model;

/** The model names, indexed by refmodel_model (REFMODEL_N_MODELS entries). */
const char *const *refmodel_model_names(void);

/** Index of the model called name (REFMODEL_NB when name is NULL), or -1 when no served
 *  model has that name. */
int refmodel_model_find(const char *name);

/** Every trained model: read-only once loaded (pii-identifier's detector pool aside). */
typedef struct refmodel_models {
    refmodel_nb *nb;
    refmodel_qa *qa;
    refmodel_lm *lm;
    refmodel_ident *ident; /* thread-safe: keeps a pool of detectors behind a mutex */
    size_t lead_k;         /* sentences when a request has no "lead_k" */
    size_t gen_max;        /* bigram-lm: most tokens generated per request */
} refmodel_models;

/** Initialise an empty set. */
void refmodel_models_init(refmodel_models *m);
/** Free every model; leaves the set empty. Accepts NULL. */
void refmodel_models_dispose(refmodel_models *m);

/** Train or load every model from the files opts names (or the defaults). out: borrows,
 *  holds owned models on success (refmodel_models_dispose), is left empty on failure.
 *  Errors name the file. */
fs_status refmodel_models_load(refmodel_models *out, const refmodel_opts *opts, fs_error *err);

/** Append the completion answering req with model `which` to out. Bad request values
 *  are FS_ERR_INPUT with a message for the client (400). */
fs_status refmodel_models_respond(fs_buf *out, const refmodel_models *m, refmodel_model which,
                                  refmodel_api api, const refmodel_request *req, uint64_t seq,
                                  int64_t created, fs_error *err);

/** Append the bigram-lm completion of req (defined in lm_serve.c): greedy generation of
 *  up to max_tokens tokens (16 when absent, at most gen_max), echo and logprobs on
 *  /v1/completions. prompt_tokens: the usage count of the prompt. */
fs_status refmodel_lm_respond(fs_buf *out, const refmodel_lm *lm, size_t gen_max, refmodel_api api,
                              const refmodel_request *req, uint64_t seq, int64_t created,
                              size_t prompt_tokens, fs_error *err);

#endif
